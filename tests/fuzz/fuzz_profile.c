/* Fuzz target: the profile parser (mp_profile_parse), from bytes in memory,
 * then the reconciler on what parses. Input: the profile's text, as is.
 * Invariants: a refusal leaves no profile and names the file in its
 * message, with a line:column inside the text or a field's path; a
 * profile that parses reconciles, against a light, a switch and a vendor
 * board each just provisioned and each unknown, into requests that
 * config/msg.h encodes (those waiting for a group to be created aside);
 * and applied to the node's state, the plan converges: reconciled again,
 * nothing is left to send or to read. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* AppKeys "k0".."k3" are indexes 0-3; groups "g1".."g9" are c001-c009,
 * "v" a virtual one. */
static int appkey(void *user, const char *name, int index, uint16_t *app_idx, uint16_t *net_idx)
{
	(void)user;
	if (name && name[0] == 'k' && name[1] >= '0' && name[1] <= '3' && !name[2])
		index = name[1] - '0';
	else if (name || index < 0 || index > 3)
		return -ENOENT;
	*app_idx = (uint16_t)index;
	*net_idx = index == 3;
	return 0;
}

static int virt_addr(void *user, const uint8_t label[16], uint16_t *addr)
{
	(void)user;
	*addr = (uint16_t)(0x8000 | (label[0] & 0x3f) << 8 | label[15]);
	return 0;
}

static int group(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt)
{
	*virt = false;
	if (name[0] == 'g' && name[1] >= '1' && name[1] <= '9' && !name[2]) {
		*addr = (uint16_t)(0xc000 + name[1] - '0');
		return 0;
	}
	if (!strcmp(name, "v")) {
		memset(label, 0x5a, 16);
		*virt = true;
		return virt_addr(user, label, addr);
	}
	return -ENOENT;
}

static const struct mp_profile_lookup lk = {
	.appkey = appkey, .group = group, .virt_addr = virt_addr,
};

static void comp_add(struct mp_comp0 *c, const uint16_t *sig, unsigned int n_sig,
		     const struct mp_model_id *vnd, unsigned int n_vnd)
{
	struct mp_comp_elem *e = &c->elems[c->n_elems++];
	unsigned int i;

	e->sig_first = c->n_sig;
	e->vnd_first = c->n_vnd;
	e->n_sig = (uint8_t)n_sig;
	e->n_vnd = (uint8_t)n_vnd;
	for (i = 0; i < n_sig; i++)
		c->sig[c->n_sig++] = sig[i];
	for (i = 0; i < n_vnd; i++)
		c->vnd[c->n_vnd++] = vnd[i];
}

static void check_plan(const struct mp_profile_plan *plan)
{
	uint8_t buf[400];
	size_t i;

	for (i = 0; i < plan->n_ops; i++)
		if (!plan->ops[i].unresolved && mp_cfg_encode(&plan->ops[i].msg, buf, sizeof(buf)) <= 0)
			abort();
	for (i = 0; i < plan->n_gets; i++)
		if (mp_cfg_encode(&plan->gets[i], buf, sizeof(buf)) <= 0)
			abort();
	for (i = 0; i < plan->n_groups; i++)
		if (!plan->groups[i] || !*plan->groups[i])
			abort();
}

static void node(const struct mp_profile *p, const struct mp_comp0 *comp, bool fresh)
{
	static const struct mp_profile_column cols[] = { { "room", "3.14" }, { "x", "" } };
	static const uint8_t uuid[16] = { 1, 2, 3 };
	struct mp_profile_node n = { .comp = comp, .addr = 0x0100, .has_uuid = true,
				     .name = "hall-1", .columns = cols, .n_columns = 2 };
	struct mp_profile_state st;
	struct mp_profile_plan plan;
	size_t i;
	bool unresolved = false;

	memcpy(n.uuid, uuid, 16);
	mp_profile_state_init(&st);
	if (fresh && mp_profile_state_fresh(&st, comp, n.addr))
		abort();
	if (mp_profile_reconcile(p, &n, fresh ? &st : NULL, &lk, &plan)) {
		if (!plan.error[0] || plan.n_ops)
			abort();
		mp_profile_plan_clear(&plan);
		mp_profile_state_clear(&st);
		return;
	}
	check_plan(&plan);
	for (i = 0; i < plan.n_ops; i++) {
		unresolved |= plan.ops[i].unresolved;
		if (!plan.ops[i].unresolved &&
		    mp_profile_state_apply(&st, &plan.ops[i].msg, plan.ops[i].virt))
			abort();
	}
	mp_profile_plan_clear(&plan);
	/* Idempotent: what was sent is what the profile says (unless a group
	 * had to be created first, or nothing was known to start with). */
	if (fresh && !unresolved) {
		if (mp_profile_reconcile(p, &n, &st, &lk, &plan))
			abort();
		if (plan.n_ops || plan.n_gets)
			abort();
		mp_profile_plan_clear(&plan);
	}
	mp_profile_state_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t light0[] = { 0x0000, 0x0002, 0x1000, 0x1002 };
	static const uint16_t light1[] = { 0x1000 };
	static const uint16_t sw0[] = { 0x0000, 0x1001 };
	static const struct mp_model_id vnd[] = { { .vendor = true, .cid = 0x0059, .id = 1 } };
	static struct mp_comp0 comps[3];
	struct mp_profile_error err;
	struct mp_profile *p = (struct mp_profile *)&err;
	int r, i;

	if (!comps[0].n_elems) {
		comps[0].cid = 0x0059;
		comps[0].pid = 1;
		comps[0].features = MP_CFG_FEAT_RELAY | MP_CFG_FEAT_PROXY | MP_CFG_FEAT_FRIEND;
		comp_add(&comps[0], light0, 4, NULL, 0);
		comp_add(&comps[0], light1, 1, NULL, 0);
		comps[1].cid = 0x0059;
		comps[1].pid = 2;
		comps[1].features = MP_CFG_FEAT_PROXY;
		comp_add(&comps[1], sw0, 2, NULL, 0);
		comps[2].cid = 0x0002;
		comp_add(&comps[2], light1, 1, vnd, 1);
	}
	r = mp_profile_parse((const char *)data, size, "f.json", &lk, &p, &err);
	if (r) {
		if (p || strncmp(err.msg, "f.json", 6))
			abort();
		if (err.line && (err.line > size + 1 || !err.col || err.path[0]))
			abort();
		return 0;
	}
	if (!p)
		abort();
	for (i = 0; i < 3; i++) {
		node(p, &comps[i], true);
		node(p, &comps[i], false);
	}
	mp_profile_free(p);
	return 0;
}
