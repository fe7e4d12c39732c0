/* The reconciler: which rules match a node, what the matching rules want of
 * it, and the Configuration requests from what it has to that (the order
 * and the choices are in profile/profile.h, at mp_profile_reconcile()). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_int.h"

/* ---- selection ------------------------------------------------------------- */

static const char *column(const struct mp_profile_node *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->n_columns; i++)
		if (n->columns[i].name && !strcmp(n->columns[i].name, name))
			return n->columns[i].value;
	return NULL;
}

static bool comp_has(const struct mp_comp0 *comp, const struct mp_model_id *id)
{
	unsigned int e;

	for (e = 0; e < comp->n_elems; e++)
		if (mp_comp0_has_model(comp, e, id))
			return true;
	return false;
}

bool pr_rule_matches(const struct pr_rule *r, const struct mp_profile_node *node)
{
	const struct mp_comp0 *comp = node->comp;
	size_t i;

	if ((r->cid >= 0 && comp->cid != r->cid) || (r->pid >= 0 && comp->pid != r->pid) ||
	    (r->vid >= 0 && comp->vid != r->vid))
		return false;
	for (i = 0; i < r->n_models; i++)
		if (!comp_has(comp, &r->models[i]))
			return false;
	if (r->n_uuids) {
		for (i = 0; i < r->n_uuids; i++)
			if (node->has_uuid && !memcmp(node->uuid, r->uuids[i], 16))
				break;
		if (i == r->n_uuids)
			return false;
	}
	if (r->name_glob && (!node->name || fnmatch(r->name_glob, node->name, 0)))
		return false;
	for (i = 0; i < r->n_cols; i++) {
		const char *v = column(node, r->cols[i].name);

		/* A missing or empty cell matches only the empty pattern:
		 * "*" means "has a value". */
		if (!v || !*v) {
			if (*r->cols[i].glob)
				return false;
		} else if (fnmatch(r->cols[i].glob, v, 0)) {
			return false;
		}
	}
	return true;
}

/* ---- what the matching rules want ---------------------------------------------- */

/* A resolved address. */
struct raddr {
	uint16_t addr;		/* the hash of a virtual one; 0 while unresolved */
	bool virt;
	uint8_t label[16];
	const char *group;	/* the plan's string, or NULL */
	bool unresolved;
};

struct wmodel {
	uint16_t elem_addr;
	struct mp_model_id id;
	bool has_bind;
	struct mp_profile_key binds[MP_CFG_LIST_MAX];
	size_t n_binds;
	const struct pr_pub *pub;	/* the last rule's */
	struct raddr pub_addr;
	bool has_sub;
	struct raddr subs[MP_CFG_LIST_MAX];
	size_t n_subs;
};

struct rctx {
	const struct mp_profile *p;
	const struct mp_profile_node *node;
	const struct mp_profile_state *st;
	const struct mp_profile_lookup *lk;
	struct mp_profile_plan *plan;
	size_t cap_ops, cap_gets, cap_groups;
	char **pool;			/* group names the ops point to */
	size_t n_pool;
};

static int rfail(struct rctx *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int rfail(struct rctx *c, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->plan->error, sizeof(c->plan->error), fmt, ap);
	va_end(ap);
	return r;
}

/* Replace each ${COLUMN} of @tmpl with the node's cell. */
static int subst(struct rctx *c, const struct pr_addr *a, char *out, size_t cap)
{
	const char *s = a->name, *e, *v;
	size_t n = 0, l;
	char col[PR_PATH_MAX];

	while (*s) {
		if (s[0] == '$' && s[1] == '{' && (e = strchr(s + 2, '}'))) {
			l = (size_t)(e - s - 2);
			if (l >= sizeof(col))
				l = sizeof(col) - 1;
			memcpy(col, s + 2, l);
			col[l] = '\0';
			v = column(c->node, col);
			if (!v || !*v)
				return rfail(c, -ENOENT, "%s: column \"%s\" is not in this node's "
					     "batch row", a->path, col);
			l = strlen(v);
			if (n + l >= cap)
				return rfail(c, -ENOENT, "%s: the group name is too long", a->path);
			memcpy(out + n, v, l);
			n += l;
			s = e + 1;
			continue;
		}
		if (n + 1 >= cap)
			return rfail(c, -ENOENT, "%s: the group name is too long", a->path);
		out[n++] = *s++;
	}
	out[n] = '\0';
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	nv = realloc(*v, nc * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

static const char *pooled(struct rctx *c, const char *name)
{
	size_t i;
	char **nv;

	for (i = 0; i < c->n_pool; i++)
		if (!strcmp(c->pool[i], name))
			return c->pool[i];
	nv = realloc(c->pool, (c->n_pool + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	c->pool = nv;
	if (!(c->pool[c->n_pool] = strdup(name)))
		return NULL;
	return c->pool[c->n_pool++];
}

static int missing_group(struct rctx *c, const char *name)
{
	struct mp_profile_plan *pl = c->plan;
	size_t i;

	for (i = 0; i < pl->n_groups; i++)
		if (!strcmp(pl->groups[i], name))
			return 0;
	if (grow((void **)&pl->groups, &c->cap_groups, pl->n_groups, sizeof(char *)))
		return -ENOMEM;
	if (!(pl->groups[pl->n_groups] = strdup(name)))
		return -ENOMEM;
	pl->n_groups++;
	return 0;
}

static int resolve(struct rctx *c, const struct pr_addr *a, struct raddr *out)
{
	const struct mp_profile_lookup *lk = c->lk;
	char name[PR_PATH_MAX + 256];
	int r;

	memset(out, 0, sizeof(*out));
	switch (a->kind) {
	case PR_ADDR:
		out->addr = a->addr;
		return 0;
	case PR_LABEL:
		out->virt = true;
		memcpy(out->label, a->label, 16);
		if (!lk || !lk->virt_addr || lk->virt_addr(lk->user, a->label, &out->addr))
			return rfail(c, -ENOENT, "%s: no virtual address for this Label UUID",
				     a->path);
		return 0;
	case PR_GROUP:
		break;
	}
	if ((r = subst(c, a, name, sizeof(name))))
		return r;
	if (!(out->group = pooled(c, name)))
		return -ENOMEM;
	if (lk && lk->group && !lk->group(lk->user, name, &out->addr, out->label, &out->virt))
		return 0;
	out->addr = 0;
	out->virt = false;
	out->unresolved = true;
	return missing_group(c, name);
}

static bool same_raddr(const struct raddr *a, const struct raddr *b)
{
	if (a->unresolved || b->unresolved)
		return a->unresolved && b->unresolved && !strcmp(a->group, b->group);
	return a->addr == b->addr;
}

static void add_key(struct mp_profile_key *v, size_t *n, size_t cap, struct mp_profile_key k)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (v[i].app_idx == k.app_idx)
			return;
	if (*n < cap)
		v[(*n)++] = k;
}

/* What the matching rules want of model @id at @elem_addr. */
static int want_model(struct rctx *c, uint16_t elem_addr, const struct mp_model_id *id,
		      struct wmodel *w, struct mp_profile_key *keys, size_t *n_keys)
{
	const struct mp_profile *p = c->p;
	struct raddr ra;
	size_t i, j, k;
	int r;

	memset(w, 0, sizeof(*w));
	w->elem_addr = elem_addr;
	w->id = *id;
	for (i = 0; i < p->n_rules; i++) {
		const struct pr_rule *rule = &p->rules[i];

		if (!c->plan->matched[i])
			continue;
		for (j = 0; j < rule->n_mods; j++) {
			const struct pr_model *m = &rule->mods[j];

			if (!pr_model_eq(&m->id, id) ||
			    (m->elem >= 0 && elem_addr != c->node->addr + m->elem))
				continue;
			if (m->has_bind) {
				w->has_bind = true;
				for (k = 0; k < m->n_binds; k++) {
					add_key(w->binds, &w->n_binds, MP_CFG_LIST_MAX, m->binds[k]);
					add_key(keys, n_keys, MP_CFG_LIST_MAX, m->binds[k]);
				}
			}
			if (m->pub.set)
				w->pub = &m->pub;
			if (m->has_sub) {
				w->has_sub = true;
				for (k = 0; k < m->n_subs; k++) {
					size_t x;

					if ((r = resolve(c, &m->subs[k], &ra)))
						return r;
					for (x = 0; x < w->n_subs && !same_raddr(&w->subs[x], &ra); x++)
						;
					if (x == w->n_subs && w->n_subs < MP_CFG_LIST_MAX)
						w->subs[w->n_subs++] = ra;
				}
			}
		}
	}
	if (w->pub) {
		if ((r = resolve(c, &w->pub->addr, &w->pub_addr)))
			return r;
		if (w->pub_addr.addr || w->pub_addr.unresolved)
			add_key(keys, n_keys, MP_CFG_LIST_MAX, w->pub->key);
	}
	return 0;
}

/* ---- the plan ---------------------------------------------------------------- */

static struct mp_profile_op *op(struct rctx *c, uint32_t opcode)
{
	struct mp_profile_plan *pl = c->plan;
	struct mp_profile_op *o;

	if (grow((void **)&pl->ops, &c->cap_ops, pl->n_ops, sizeof(*pl->ops)))
		return NULL;
	o = &pl->ops[pl->n_ops++];
	memset(o, 0, sizeof(*o));
	o->msg.opcode = opcode;
	return o;
}

static struct mp_profile_op *model_op(struct rctx *c, uint32_t opcode, const struct wmodel *w)
{
	struct mp_profile_op *o = op(c, opcode);

	if (o) {
		o->msg.elem_addr = w->elem_addr;
		o->msg.model = w->id;
	}
	return o;
}

static int get(struct rctx *c, uint32_t opcode, const struct wmodel *w, uint16_t net_idx)
{
	struct mp_profile_plan *pl = c->plan;
	struct mp_cfg_msg *g;

	if (grow((void **)&pl->gets, &c->cap_gets, pl->n_gets, sizeof(*pl->gets)))
		return -ENOMEM;
	g = &pl->gets[pl->n_gets++];
	memset(g, 0, sizeof(*g));
	g->opcode = opcode;
	g->net_idx = net_idx;
	if (w) {
		g->elem_addr = w->elem_addr;
		g->model = w->id;
	}
	return 0;
}

static bool has_idx(const uint16_t *v, size_t n, uint16_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static const struct mp_profile_model_state *mstate(struct rctx *c, const struct wmodel *w)
{
	size_t i;

	if (!c->st)
		return NULL;
	for (i = 0; i < c->st->n_models; i++) {
		const struct mp_profile_model_state *m = &c->st->models[i];

		if (m->elem_addr == w->elem_addr && pr_model_eq(&m->model, &w->id))
			return m;
	}
	return NULL;
}

static int keys_phase(struct rctx *c, const struct mp_profile_key *keys, size_t n)
{
	const struct mp_profile_state *st = c->st;
	bool known = st && st->keys_known;
	struct mp_profile_op *o;
	uint16_t nets[MP_CFG_LIST_MAX];
	size_t i, j, n_nets = 0;

	for (i = 0; i < n; i++) {
		if (known) {
			for (j = 0; j < st->n_keys && st->keys[j].app_idx != keys[i].app_idx; j++)
				;
			if (j < st->n_keys)
				continue;
		} else if (!has_idx(nets, n_nets, keys[i].net_idx)) {
			nets[n_nets++] = keys[i].net_idx;
			if (get(c, MP_CFG_OP_APPKEY_GET, NULL, keys[i].net_idx))
				return -ENOMEM;
		}
		/* The key itself is the caller's to fill from the keyring. */
		if (!(o = op(c, MP_CFG_OP_APPKEY_ADD)))
			return -ENOMEM;
		o->msg.net_idx = keys[i].net_idx;
		o->msg.app_idx = keys[i].app_idx;
	}
	return 0;
}

static int bind_phase(struct rctx *c, const struct wmodel *w)
{
	const struct mp_profile_model_state *m = mstate(c, w);
	bool known = m && m->binds_known;
	struct mp_profile_op *o;
	size_t i;

	if (!w->has_bind)
		return 0;
	if (!known && get(c, w->id.vendor ? MP_CFG_OP_VENDOR_MODEL_APP_GET :
			  MP_CFG_OP_SIG_MODEL_APP_GET, w, 0))
		return -ENOMEM;
	for (i = 0; i < w->n_binds; i++) {
		if (known && has_idx(m->binds, m->n_binds, w->binds[i].app_idx))
			continue;
		if (!(o = model_op(c, MP_CFG_OP_MODEL_APP_BIND, w)))
			return -ENOMEM;
		o->msg.app_idx = w->binds[i].app_idx;
	}
	return 0;
}

static int unbind_phase(struct rctx *c, const struct wmodel *w)
{
	const struct mp_profile_model_state *m = mstate(c, w);
	struct mp_profile_op *o;
	size_t i, j;

	if (!w->has_bind || !m || !m->binds_known)
		return 0;
	for (i = 0; i < m->n_binds; i++) {
		for (j = 0; j < w->n_binds && w->binds[j].app_idx != m->binds[i]; j++)
			;
		if (j < w->n_binds)
			continue;
		if (!(o = model_op(c, MP_CFG_OP_MODEL_APP_UNBIND, w)))
			return -ENOMEM;
		o->msg.app_idx = m->binds[i];
	}
	return 0;
}

static int pub_phase(struct rctx *c, const struct wmodel *w)
{
	const struct mp_profile_model_state *m = mstate(c, w);
	const struct raddr *a = &w->pub_addr;
	const struct pr_pub *p = w->pub;
	struct mp_cfg_pub want = { 0 };
	struct mp_profile_op *o;
	bool off;

	if (!p)
		return 0;
	off = !a->addr && !a->unresolved;
	if (!off) {
		want.addr = a->addr;
		want.app_idx = p->key.app_idx;
		want.cred = p->cred;
		want.ttl = p->ttl;
		want.period = p->period;
		want.retransmit = p->retransmit;
	}
	if (!m || !m->pub_known) {
		if (get(c, MP_CFG_OP_MODEL_PUBLICATION_GET, w, 0))
			return -ENOMEM;
	} else if (!a->unresolved) {
		const struct mp_cfg_pub *h = &m->pub;

		if (off ? !h->addr : (h->addr == want.addr && h->app_idx == want.app_idx &&
				      h->cred == want.cred && h->ttl == want.ttl &&
				      h->period == want.period && h->retransmit == want.retransmit))
			return 0;
	}
	o = model_op(c, a->virt ? MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET :
		     MP_CFG_OP_MODEL_PUBLICATION_SET, w);
	if (!o)
		return -ENOMEM;
	o->msg.pub = want;
	o->group = a->group;
	o->unresolved = a->unresolved;
	if (a->virt) {
		/* Virtual Address Set carries the Label UUID; the node
		 * computes the hash (MshPRT v1.1 3.4.2.3). */
		memcpy(o->msg.pub.label, a->label, 16);
		o->msg.pub.addr = 0;
		o->virt = a->addr;
	}
	return 0;
}

static int sub_op(struct rctx *c, const struct wmodel *w, uint32_t sig_op, uint32_t virt_op,
		  const struct raddr *a)
{
	struct mp_profile_op *o = model_op(c, a && a->virt ? virt_op : sig_op, w);

	if (!o)
		return -ENOMEM;
	if (!a)
		return 0;
	o->msg.addr = a->addr;
	o->group = a->group;
	o->unresolved = a->unresolved;
	if (a->virt) {
		memcpy(o->msg.label, a->label, 16);
		o->virt = a->addr;
	}
	return 0;
}

static bool in_state(const struct mp_profile_model_state *m, const struct raddr *a)
{
	return !a->unresolved && has_idx(m->subs, m->n_subs, a->addr);
}

static bool in_want(const struct wmodel *w, uint16_t addr)
{
	size_t i;

	for (i = 0; i < w->n_subs; i++)
		if (!w->subs[i].unresolved && w->subs[i].addr == addr)
			return true;
	return false;
}

/* A virtual subscription to remove: Delete takes its Label UUID, which the
 * profile no longer names (and Delete by address refuses a virtual one),
 * so only Overwrite or Delete All can remove it. MshPRT v1.1 4.3.2 */
static bool virt_extra(const struct mp_profile_model_state *m, const struct wmodel *w)
{
	size_t i;

	for (i = 0; i < m->n_subs; i++)
		if (m->subs[i] >= 0x8000 && m->subs[i] < 0xc000 && !in_want(w, m->subs[i]))
			return true;
	return false;
}

static int sub_phase(struct rctx *c, const struct wmodel *w)
{
	const struct mp_profile_model_state *m = mstate(c, w);
	size_t i, missing = 0, extra = 0, over;
	int r;

	if (!w->has_sub)
		return 0;
	if (m && m->subs_known) {
		for (i = 0; i < w->n_subs; i++)
			missing += !in_state(m, &w->subs[i]);
		for (i = 0; i < m->n_subs; i++)
			extra += !in_want(w, m->subs[i]);
	} else if (get(c, w->id.vendor ? MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET :
		       MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET, w, 0)) {
		return -ENOMEM;
	}
	/* Overwrite then Add the rest, or Delete All: n messages (1 for
	 * none); Delete and Add the differences: missing + extra. Unknown:
	 * Overwrite, the only way to be exact without knowing. */
	over = w->n_subs ? w->n_subs : 1;
	if (m && m->subs_known && missing + extra <= over && !virt_extra(m, w)) {
		for (i = 0; i < m->n_subs; i++)
			if (!in_want(w, m->subs[i])) {
				struct raddr a = { .addr = m->subs[i] };

				r = sub_op(c, w, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE, 0, &a);
				if (r)
					return r;
			}
		for (i = 0; i < w->n_subs; i++)
			if (!in_state(m, &w->subs[i]) &&
			    (r = sub_op(c, w, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD,
					MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD, &w->subs[i])))
				return r;
		return 0;
	}
	if (!w->n_subs)
		return sub_op(c, w, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL, 0, NULL);
	r = sub_op(c, w, MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE,
		   MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE, &w->subs[0]);
	for (i = 1; !r && i < w->n_subs; i++)
		r = sub_op(c, w, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD,
			   MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD, &w->subs[i]);
	return r;
}

/* The merged settings: a later rule replaces an earlier one's. */
static void want_settings(const struct rctx *c, struct pr_settings *s)
{
	size_t i;

	*s = (struct pr_settings){ -1, -1, -1, -1, -1, -1, -1 };
	for (i = 0; i < c->p->n_rules; i++) {
		const struct pr_settings *r = &c->p->rules[i].set;

		if (!c->plan->matched[i])
			continue;
		if (r->ttl >= 0)
			s->ttl = r->ttl;
		if (r->relay >= 0) {
			s->relay = r->relay;
			s->relay_xmit = r->relay_xmit;
		}
		if (r->proxy >= 0)
			s->proxy = r->proxy;
		if (r->friend >= 0)
			s->friend = r->friend;
		if (r->beacon >= 0)
			s->beacon = r->beacon;
		if (r->net_xmit >= 0)
			s->net_xmit = r->net_xmit;
	}
}

/* One one-octet setting: a Set unless the state says it is so already (or
 * that the node does not support it), a Get when the state is unknown. */
static int setting(struct rctx *c, const struct mp_profile_setting *cur, int want, int xmit,
		   uint32_t get_op, uint32_t set_op)
{
	struct mp_profile_op *o;

	if (want < 0)
		return 0;
	if (cur && cur->known) {
		if (set_op != MP_CFG_OP_DEFAULT_TTL_SET && set_op != MP_CFG_OP_NETWORK_TRANSMIT_SET &&
		    set_op != MP_CFG_OP_BEACON_SET && cur->value == MP_CFG_NOT_SUPPORTED)
			return 0;
		if (cur->value == want && (xmit < 0 || !want || cur->retransmit == xmit))
			return 0;
	} else if (get(c, get_op, NULL, 0)) {
		return -ENOMEM;
	}
	if (!(o = op(c, set_op)))
		return -ENOMEM;
	o->msg.state = (uint8_t)want;
	if (set_op == MP_CFG_OP_RELAY_SET)
		o->msg.retransmit = (uint8_t)(xmit >= 0 ? xmit : cur && cur->known ?
					      cur->retransmit : 0);
	return 0;
}

static int settings_phase(struct rctx *c)
{
	const struct mp_profile_state *st = c->st;
	uint16_t feat = c->node->comp->features;
	struct pr_settings s;
	int r;

	want_settings(c, &s);
	/* A feature the node lacks (Composition Data page 0 Features) is
	 * left alone: its Set would only answer Not Supported. */
	if (!(feat & MP_CFG_FEAT_RELAY))
		s.relay = -1;
	if (!(feat & MP_CFG_FEAT_PROXY))
		s.proxy = -1;
	if (!(feat & MP_CFG_FEAT_FRIEND))
		s.friend = -1;
	if ((r = setting(c, st ? &st->ttl : NULL, s.ttl, -1, MP_CFG_OP_DEFAULT_TTL_GET,
			 MP_CFG_OP_DEFAULT_TTL_SET)) ||
	    (r = setting(c, st ? &st->net_transmit : NULL, s.net_xmit, -1,
			 MP_CFG_OP_NETWORK_TRANSMIT_GET, MP_CFG_OP_NETWORK_TRANSMIT_SET)) ||
	    (r = setting(c, st ? &st->relay : NULL, s.relay, s.relay_xmit, MP_CFG_OP_RELAY_GET,
			 MP_CFG_OP_RELAY_SET)) ||
	    (r = setting(c, st ? &st->beacon : NULL, s.beacon, -1, MP_CFG_OP_BEACON_GET,
			 MP_CFG_OP_BEACON_SET)) ||
	    (r = setting(c, st ? &st->proxy : NULL, s.proxy, -1, MP_CFG_OP_GATT_PROXY_GET,
			 MP_CFG_OP_GATT_PROXY_SET)) ||
	    (r = setting(c, st ? &st->friend : NULL, s.friend, -1, MP_CFG_OP_FRIEND_GET,
			 MP_CFG_OP_FRIEND_SET)))
		return r;
	return 0;
}

void mp_profile_plan_clear(struct mp_profile_plan *plan)
{
	size_t i;

	free(plan->ops);
	free(plan->gets);
	for (i = 0; i < plan->n_groups; i++)
		free(plan->groups[i]);
	free(plan->groups);
	free(plan->matched);
	for (i = 0; i < plan->n_pool; i++)
		free(plan->pool[i]);
	free(plan->pool);
	memset(plan, 0, sizeof(*plan));
}

/* Every model instance of the node, element by element, SIG then vendor. */
static size_t n_instances(const struct mp_comp0 *comp)
{
	return (size_t)comp->n_sig + comp->n_vnd;
}

static void instance(const struct mp_comp0 *comp, uint16_t addr, size_t i, uint16_t *elem_addr,
		     struct mp_model_id *id)
{
	unsigned int e;

	memset(id, 0, sizeof(*id));
	for (e = 0; e < comp->n_elems; e++) {
		const struct mp_comp_elem *el = &comp->elems[e];

		if (i < el->n_sig) {
			id->id = comp->sig[el->sig_first + i];
			break;
		}
		i -= el->n_sig;
		if (i < el->n_vnd) {
			*id = comp->vnd[el->vnd_first + i];
			break;
		}
		i -= el->n_vnd;
	}
	*elem_addr = (uint16_t)(addr + e);
}

static int reconcile(struct rctx *c, struct wmodel *w, size_t nw)
{
	const struct mp_profile *p = c->p;
	struct mp_profile_key keys[MP_CFG_LIST_MAX];
	size_t i, n_keys = 0;
	int r;

	for (i = 0; i < p->n_rules; i++) {
		size_t k;

		if (!c->plan->matched[i])
			continue;
		for (k = 0; k < p->rules[i].n_keys; k++)
			add_key(keys, &n_keys, MP_CFG_LIST_MAX, p->rules[i].keys[k]);
	}
	for (i = 0; i < nw; i++) {
		uint16_t elem_addr;
		struct mp_model_id id;

		instance(c->node->comp, c->node->addr, i, &elem_addr, &id);
		if ((r = want_model(c, elem_addr, &id, &w[i], keys, &n_keys)))
			return r;
	}
	if ((r = keys_phase(c, keys, n_keys)))
		return r;
	for (i = 0; i < nw; i++)
		if ((r = bind_phase(c, &w[i])))
			return r;
	for (i = 0; i < nw; i++)
		if ((r = pub_phase(c, &w[i])))
			return r;
	for (i = 0; i < nw; i++)
		if ((r = sub_phase(c, &w[i])))
			return r;
	for (i = 0; i < nw; i++)
		if ((r = unbind_phase(c, &w[i])))
			return r;
	return settings_phase(c);
}

int mp_profile_reconcile(const struct mp_profile *p, const struct mp_profile_node *node,
			 const struct mp_profile_state *st, const struct mp_profile_lookup *lk,
			 struct mp_profile_plan *plan)
{
	struct rctx c = { .p = p, .node = node, .st = st, .lk = lk, .plan = plan };
	struct wmodel *w;
	size_t i, nw;
	int r;

	memset(plan, 0, sizeof(*plan));
	if (!p || !node)
		return -EINVAL;
	plan->n_rules = p->n_rules;
	plan->matched = calloc(p->n_rules + 1, sizeof(*plan->matched));
	if (!plan->matched)
		return -ENOMEM;
	if (!node->comp) {
		/* Nothing can be selected before the composition is known. */
		r = get(&c, MP_CFG_OP_COMPOSITION_DATA_GET, NULL, 0);
		return r;
	}
	for (i = 0; i < p->n_rules; i++)
		if ((plan->matched[i] = pr_rule_matches(&p->rules[i], node)))
			plan->n_matched++;
	nw = n_instances(node->comp);
	w = calloc(nw + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	r = reconcile(&c, w, nw);
	free(w);
	plan->pool = c.pool;
	plan->n_pool = c.n_pool;
	if (r == -ENOMEM)
		snprintf(plan->error, sizeof(plan->error), "out of memory");
	if (r) {
		/* Nothing half-made is handed out: the error says why. */
		char why[sizeof(plan->error)];

		memcpy(why, plan->error, sizeof(why));
		mp_profile_plan_clear(plan);
		memcpy(plan->error, why, sizeof(why));
	}
	return r;
}
