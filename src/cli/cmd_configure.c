/* configure: a profile (meshprov-profile(5), profile/profile.h) applied to
 * nodes of the keyring, through the profile runner (profile/run.h) on the
 * provisioner's network (cli/net.h).
 *
 * What the keyring records of each node (its composition, AppKeys,
 * bindings, subscriptions, publications and settings, store/node_config.h)
 * is what the runner starts from: every answer is recorded as it arrives
 * (mp_cli_record_answer(), the single-request commands' recording), so a
 * run cut short (Ctrl-C, kill -9, a node out of range) resumes where it
 * stopped, and a second run sends nothing. --read reads back instead of
 * trusting the record. --check sends no request that changes a node: it
 * says what would be sent (it reads a composition the keyring lacks, and
 * with --read the parts not known).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/app.h"
#include "cli/batch.h"
#include "cli/batchfile.h"
#include "cli/commands.h"
#include "cli/configure.h"
#include "cli/handlers.h"
#include "cli/net.h"
#include "cli/nodecfg.h"
#include "cli/parse.h"
#include "config/comp.h"
#include "config/msg.h"
#include "core/hex.h"
#include "core/loop.h"
#include "crypto/crypto.h"
#include "crypto/mesh_keys.h"
#include "engine/mesh_link.h"
#include "profile/profile.h"
#include "profile/run.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

#define CFG_TIMERS 64
#define PROFILE_MAX (1u << 20)

struct cfg_timer {
	struct cfgrun *c;
	unsigned int id;
	int64_t slot;
};

/* A node of the run, as the keyring knows it, and how it ended. */
struct cfg_node {
	const struct mp_node *nd;	/* valid until the keyring changes: until the run */
	uint16_t addr, net_idx;
	uint8_t uuid[16];
	char name[MP_KR_NAME_MAX + 1];
	struct mp_comp0 *comp;
	struct mp_profile_state st;
	bool fresh;
	struct mp_profile_column *cols;
	size_t n_cols;
	struct mp_cli_column *owned;	/* provision --configure: the row's columns */
	size_t n_owned;
	bool ended;
	enum mp_profile_run_result result;
	unsigned int steps_ok, steps_failed;
	size_t left;
	char rules[256];
	char first_failure[160], first_status[48], why[256];
};

struct cfgrun {
	struct mp_cli_app *a;
	const struct mp_cli_args *args;
	struct mp_profile *p;
	struct mp_profile_run *run;
	struct cfg_timer timers[CFG_TIMERS];
	bool check;
	struct cfg_node *nodes;
	size_t n, cap;
	size_t n_waiting;		/* provision --configure: nodes not handed over yet */
	int64_t hand_timer;
	/* in the shell the run goes on in the background and ends itself */
	bool bg;
	char *report;
	int64_t end_timer;
	bool kr_failed;
	bool stopped;			/* the shell's Ctrl-C: ended before its nodes */
	unsigned long planned;
};

/* ---- the keyring as the profile's lookup ---- */

static int lk_appkey(void *user, const char *name, int index, uint16_t *app_idx,
		     uint16_t *net_idx)
{
	const struct mp_keyring *kr = user;
	const struct mp_appkey *k = NULL;
	size_t i;

	if (!name) {
		k = index >= 0 && index <= 0xfff ? mp_keyring_appkey(kr, (uint16_t)index) : NULL;
	} else {
		for (i = 0; i < mp_keyring_appkey_count(kr) && !k; i++)
			if (!strcmp(mp_keyring_appkey_at(kr, i)->name, name))
				k = mp_keyring_appkey_at(kr, i);
	}
	if (!k)
		return -ENOENT;
	*app_idx = k->index;
	*net_idx = k->net_index;
	return 0;
}

static int lk_group(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt)
{
	const struct mp_group *g = mp_keyring_group_find_name(user, name);

	if (!g)
		return -ENOENT;
	*addr = g->addr.addr;
	*virt = g->addr.virt;
	if (g->addr.virt)
		memcpy(label, g->addr.label, 16);
	return 0;
}

static int lk_virt(void *user, const uint8_t label[16], uint16_t *addr)
{
	(void)user;
	return mp_virtual_address(label, addr);
}

/* ---- what the keyring knows of a node, in the reconciler's terms ---- */

static uint8_t cfg_onoff(uint8_t nc)
{
	return nc == MP_NC_ON ? MP_CFG_ENABLED : nc == MP_NC_OFF ? MP_CFG_DISABLED :
	       MP_CFG_NOT_SUPPORTED;
}

/* A transmit state as the CDB writes it back to its octet (MshPRT v1.1 4.2.19). */
static uint8_t cfg_xmit(const struct mp_nc_transmit *t)
{
	unsigned steps = t->interval_ms >= 10 ? t->interval_ms / 10u - 1 : 0;

	return MP_CFG_XMIT(t->count ? t->count - 1u : 0, steps);
}

static void pub_from_nc(const struct mp_nc_pub *p, struct mp_cfg_pub *out)
{
	unsigned res = p->period_res_ms == 1000 ? 1 : p->period_res_ms == 10000 ? 2 :
		       p->period_res_ms == 600000 ? 3 : 0;
	unsigned rtx = p->rtx_interval_ms >= 50 ? p->rtx_interval_ms / 50u - 1 : 0;

	memset(out, 0, sizeof(*out));
	out->addr = p->addr.addr;
	out->app_idx = p->app_index;
	out->cred = p->credentials;
	out->ttl = p->ttl;
	out->period = MP_CFG_PERIOD(p->period_steps, res);
	out->retransmit = MP_CFG_XMIT(p->rtx_count, rtx);
}

/* The recorded composition as page 0; NULL when none is recorded. */
static struct mp_comp0 *comp_from_nc(const struct mp_node_config *c)
{
	struct mp_comp0 *o;
	unsigned e, k;

	if (!c || !c->has_comp || !c->n_elements || c->n_elements > MP_COMP0_MAX_ELEMS)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->cid = c->cid;
	o->pid = c->pid;
	o->vid = c->vid;
	o->crpl = c->crpl;
	if (c->relay != MP_NC_UNSUPPORTED)
		o->features |= MP_CFG_FEAT_RELAY;
	if (c->proxy != MP_NC_UNSUPPORTED)
		o->features |= MP_CFG_FEAT_PROXY;
	if (c->friend_ != MP_NC_UNSUPPORTED)
		o->features |= MP_CFG_FEAT_FRIEND;
	if (c->low_power != MP_NC_UNSUPPORTED && c->low_power != MP_NC_UNKNOWN)
		o->features |= MP_CFG_FEAT_LOW_POWER;
	for (e = 0; e < c->n_elements; e++) {
		const struct mp_nc_element *el = &c->elements[e];
		struct mp_comp_elem *ce = &o->elems[o->n_elems++];

		ce->loc = el->location;
		ce->sig_first = o->n_sig;
		ce->vnd_first = o->n_vnd;
		for (k = 0; k < el->n_models; k++) {
			const struct mp_nc_model *m = &el->models[k];

			if (m->company == MP_NC_SIG && o->n_sig < MP_COMP0_MAX_SIG) {
				o->sig[o->n_sig++] = m->id;
				ce->n_sig++;
			} else if (m->company != MP_NC_SIG && o->n_vnd < MP_COMP0_MAX_VND) {
				o->vnd[o->n_vnd].vendor = true;
				o->vnd[o->n_vnd].cid = m->company;
				o->vnd[o->n_vnd++].id = m->id;
				ce->n_vnd++;
			}
		}
	}
	return o;
}

/* What the keyring recorded of node @nd as the state the reconciler starts
 * from: the models of a recorded composition with their bindings,
 * subscriptions and publication, the AppKeys, the settings read or set. */
static int state_from_kr(const struct mp_node *nd, struct mp_profile_state *st)
{
	const struct mp_node_config *c = nd->config;
	unsigned e, k, i;

	mp_profile_state_init(st);
	st->keys_known = true;
	for (i = 0; i < nd->n_app_keys && i < MP_CFG_LIST_MAX; i++)
		st->keys[st->n_keys++] = (struct mp_profile_key){ nd->app_keys[i], 0 };
	if (!c)
		return 0;
	if (c->has_default_ttl)
		st->ttl = (struct mp_profile_setting){ true, c->default_ttl, 0 };
	if (c->relay != MP_NC_UNKNOWN)
		st->relay = (struct mp_profile_setting){
			true, cfg_onoff(c->relay), c->has_relay_rtx ? cfg_xmit(&c->relay_rtx) : 0 };
	if (c->proxy != MP_NC_UNKNOWN)
		st->proxy = (struct mp_profile_setting){ true, cfg_onoff(c->proxy), 0 };
	if (c->friend_ != MP_NC_UNKNOWN)
		st->friend = (struct mp_profile_setting){ true, cfg_onoff(c->friend_), 0 };
	if (c->beacon != MP_NC_UNKNOWN)
		st->beacon = (struct mp_profile_setting){ true, c->beacon == MP_NC_ON, 0 };
	if (c->has_net_tx)
		st->net_transmit = (struct mp_profile_setting){ true, cfg_xmit(&c->net_tx), 0 };
	if (!c->has_comp)
		return 0;	/* models recorded one by one: not the whole picture */
	for (e = 0; e < c->n_elements; e++) {
		for (k = 0; k < c->elements[e].n_models; k++) {
			const struct mp_nc_model *m = &c->elements[e].models[k];
			struct mp_model_id id = { .vendor = m->company != MP_NC_SIG,
						  .cid = m->company != MP_NC_SIG ? m->company : 0,
						  .id = m->id };
			struct mp_profile_model_state *ms =
				mp_profile_state_model(st, (uint16_t)(nd->addr + e), &id, true);

			if (!ms)
				return -ENOMEM;
			ms->binds_known = ms->subs_known = ms->pub_known = true;
			for (i = 0; i < m->n_bind && i < MP_CFG_LIST_MAX; i++)
				ms->binds[ms->n_binds++] = m->bind[i];
			for (i = 0; i < m->n_sub && i < MP_CFG_LIST_MAX; i++)
				ms->subs[ms->n_subs++] = m->sub[i].addr;
			if (m->has_pub)
				pub_from_nc(&m->pub, &ms->pub);
		}
	}
	return 0;
}

/* ---- the runner's callbacks ---- */

static void timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct cfg_timer *t = data;

	(void)loop;
	(void)id;
	t->slot = 0;
	mp_profile_run_timeout(t->c->run, t->id);
}

static void cb_timer(void *user, unsigned int id, uint32_t ms)
{
	struct cfgrun *c = user;

	if (id < CFG_TIMERS)
		mp_loop_timer_set(c->a->loop, &c->timers[id].slot, ms, timer_fired,
				  &c->timers[id]);
}

static int cb_send(void *user, uint16_t dst, uint16_t net_idx, const uint8_t *msg, size_t len)
{
	struct cfgrun *c = user;
	int err = mp_mesh_link_send(mp_cli_net_link(c->a), dst, net_idx, MP_MESH_KEY_DEV, msg,
				    len);

	return err < 0 ? err : 0;
}

static int cb_appkey(void *user, uint16_t app_idx, uint8_t key[16])
{
	struct cfgrun *c = user;
	const struct mp_appkey *k = mp_keyring_appkey(c->a->kr, app_idx);

	if (!k)
		return -ENOENT;
	memcpy(key, k->key, 16);
	return 0;
}

static int cb_group(void *user, const char *name)
{
	struct cfgrun *c = user;
	const struct mp_group *g = NULL;
	struct json_object *j;
	int err = mp_keyring_group_add(c->a->kr, name, NULL, NULL, &g);

	if (err < 0) {
		mp_out_error(&c->a->out, "group %s: %s", name, mp_keyring_error(c->a->kr));
		return err;
	}
	j = mp_out_event(&c->a->out, MP_EVENT("configure-group"), -1);
	mp_out_event_add(j, "name", json_object_new_string(name));
	mp_out_event_add(j, "address", json_object_new_int(g->addr.addr));
	mp_out_event_end(&c->a->out, j, "group created    %s %04x", name, g->addr.addr);
	return 0;
}

static void maybe_end(struct cfgrun *c);

static struct cfg_node *node_of(struct cfgrun *c, uint16_t addr)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->nodes[i].addr == addr)
			return &c->nodes[i];
	return NULL;
}

static const uint8_t *op_label(const struct mp_cfg_msg *m)
{
	switch (m->opcode) {
	case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
		return m->pub.label;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
		return m->label;
	default:
		return NULL;
	}
}

static void cb_step(void *user, const struct mp_profile_run_step *s)
{
	struct cfgrun *c = user;
	struct mp_cli_app *a = c->a;
	struct json_object *j;
	char text[256];

	mp_profile_run_step_text(s->op, s->read, text, sizeof(text));
	/* what the node said is recorded at once: the progress of the run */
	if (s->err == 0 && s->answer && !c->kr_failed &&
	    mp_cli_record_answer(a->kr, s->node, s->op->msg.opcode, s->answer,
				 op_label(&s->op->msg)) < 0) {
		c->kr_failed = true;
		mp_out_error(&a->out, "node %04x: %s: not recorded in the keyring: %s", s->node,
			     text, mp_keyring_error(a->kr));
	}
	j = mp_out_event(&a->out, MP_EVENT("configure-step"), s->node);
	mp_out_event_add(j, "message", json_object_new_string(mp_cfg_op_name(s->op->msg.opcode)));
	mp_out_event_add(j, "text", json_object_new_string(text));
	mp_out_event_add(j, "read", json_object_new_boolean(s->read));
	mp_out_event_add(j, "ok", json_object_new_boolean(s->ok));
	if (s->answer)
		mp_out_event_add(j, "status", json_object_new_int(s->answer->status));
	mp_out_event_add(j, "status_name", json_object_new_string(s->status_name ?
								  s->status_name : ""));
	mp_out_event_add(j, "tries", json_object_new_int((int)s->tries));
	if (!j && s->ok && a->out.verbose < 1)
		return;	/* text: the failures (even with -q), and with -v every step */
	mp_out_event_end(&a->out, j, "%-16s %04x %s: %s", s->ok ? "step" : "step failed", s->node,
			 text, s->status_name ? s->status_name : "");
}

static void cb_plan(void *user, uint16_t node, void *ctx, const struct mp_profile_plan *plan)
{
	struct cfgrun *c = user;
	size_t i;

	(void)ctx;
	for (i = 0; i < plan->n_ops; i++) {
		struct json_object *j = mp_out_event(&c->a->out, MP_EVENT("configure-plan"), node);
		char text[256];

		mp_profile_op_text(&plan->ops[i], text, sizeof(text));
		mp_out_event_add(j, "message",
				 json_object_new_string(mp_cfg_op_name(plan->ops[i].msg.opcode)));
		mp_out_event_add(j, "text", json_object_new_string(text));
		mp_out_event_end(&c->a->out, j, "would send       %04x %s", node, text);
		c->planned++;
	}
}

static void cb_done(void *user, const struct mp_profile_run_report *r)
{
	struct cfgrun *c = user;
	struct mp_cli_app *a = c->a;
	struct cfg_node *n = node_of(c, r->node);
	struct json_object *j, *rules;
	const char *res = mp_profile_run_result_name(r->result);
	char uuid[MP_UUID_STR_SIZE], who[sizeof(n->name) + sizeof(n->rules) + 8];
	size_t i, off = 0;

	if (!n)
		return;
	n->ended = true;
	n->result = r->result;
	n->steps_ok = r->steps_ok;
	n->steps_failed = r->steps_failed;
	n->left = r->left;
	snprintf(n->first_failure, sizeof(n->first_failure), "%s", r->first_failure);
	snprintf(n->first_status, sizeof(n->first_status), "%s", r->first_status);
	snprintf(n->why, sizeof(n->why), "%s", r->why);
	rules = json_object_new_array();
	for (i = 0; r->matched && i < r->n_rules; i++) {
		const char *name = mp_profile_rule_name(c->p, i);

		if (!r->matched[i])
			continue;
		if (rules)
			json_object_array_add(rules, json_object_new_string(name));
		if (off < sizeof(n->rules))
			off += (size_t)snprintf(n->rules + off, sizeof(n->rules) - off, "%s%s",
						off ? "; " : "", name);
	}
	if (!c->check && !c->kr_failed) {
		bool done = r->result == MP_PROFILE_RUN_CONFIGURED;

		/* CDB configComplete: the node is as the profile says */
		if ((done || r->result == MP_PROFILE_RUN_PARTLY ||
		     r->result == MP_PROFILE_RUN_FAILED) &&
		    mp_keyring_node_set_config_complete(a->kr, r->node, done) < 0) {
			c->kr_failed = true;
			mp_out_error(&a->out, "node %04x: %s", r->node, mp_keyring_error(a->kr));
		}
	}
	/* for people: " NAME" and " (RULES)" when there are */
	snprintf(who, sizeof(who), "%s%s%s%s%s", n->name[0] ? " " : "", n->name,
		 n->rules[0] ? " (" : "", n->rules, n->rules[0] ? ")" : "");
	j = mp_out_event(&a->out, MP_EVENT("configure-node"), r->node);
	mp_out_event_add(j, "uuid", json_object_new_string(mp_uuid_format(n->uuid, uuid, true)));
	mp_out_event_add(j, "name", json_object_new_string(n->name));
	mp_out_event_add(j, "result", json_object_new_string(res));
	if (j)
		mp_out_event_add(j, "rules", rules);
	else
		json_object_put(rules);
	mp_out_event_add(j, "steps_ok", json_object_new_int((int)r->steps_ok));
	mp_out_event_add(j, "steps_failed", json_object_new_int((int)r->steps_failed));
	mp_out_event_add(j, "left", json_object_new_int((int)r->left));
	mp_out_event_add(j, "first_failure", json_object_new_string(r->first_failure));
	mp_out_event_add(j, "first_status", json_object_new_string(r->first_status));
	mp_out_event_add(j, "why", json_object_new_string(r->why));
	switch (r->result) {
	case MP_PROFILE_RUN_CONFIGURED:
		mp_out_event_end(&a->out, j, "%-16s %04x%s: %u step%s", c->check ? "as profile" :
				 res, r->node, who, r->steps_ok, r->steps_ok == 1 ? "" : "s");
		break;
	case MP_PROFILE_RUN_NO_RULE:
		mp_out_event_end(&a->out, j, "%-16s %04x%s: no rule of the profile matches it",
				 res, r->node, who);
		break;
	case MP_PROFILE_RUN_DIFFERS:
		mp_out_event_end(&a->out, j, "%-16s %04x%s: %zu request%s to send", res, r->node,
				 who, r->left, r->left == 1 ? "" : "s");
		break;
	case MP_PROFILE_RUN_PARTLY:
	case MP_PROFILE_RUN_FAILED:
	case MP_PROFILE_RUN_PENDING:
		mp_out_event_end(&a->out, j, "%-16s %04x%s: %u ok, %u failed, %zu left%s%s%s%s%s%s",
				 res, r->node, who, r->steps_ok, r->steps_failed, r->left,
				 r->why[0] ? "; " : "", r->why,
				 r->first_failure[0] ? "; first failure: " : "", r->first_failure,
				 r->first_status[0] ? ": " : "", r->first_status);
		break;
	}
	maybe_end(c);
}

static void bg_end(struct mp_loop *loop, int64_t id, void *data);

/* In the shell, the run ends itself once its last node ended: from the
 * loop, never from inside the runner's callback (HACKING.md, strategy 2). */
static void maybe_end(struct cfgrun *c)
{
	if (c->bg && !c->end_timer && c->run && !mp_profile_run_pending(c->run) && !c->n_waiting)
		mp_loop_timer_set(c->a->loop, &c->end_timer, 1, bg_end, c);
}

static bool tap(void *user, const struct mp_mesh_rx_msg *m)
{
	struct cfgrun *c = user;

	if (m->key != MP_MESH_KEY_DEV || !c->run)
		return false;
	return mp_profile_run_rx(c->run, m->src, true, m->payload, m->len) == 0;
}

static const struct mp_profile_run_cb run_cb = {
	.send = cb_send, .timer = cb_timer, .appkey = cb_appkey, .group = cb_group,
	.step = cb_step, .plan = cb_plan, .node_done = cb_done,
};

/* ---- the report ---- */

/* A CSV field (RFC 4180): quoted when it holds a separator, a quote or a
 * line end, quotes doubled. */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static int write_report(struct cfgrun *c, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f) {
		mp_out_error(&c->a->out, "%s: %s", path, strerror(errno));
		return -errno;
	}
	fputs("address,uuid,name,rules,result,steps_ok,steps_failed,first_failure,status\n", f);
	for (i = 0; i < c->n; i++) {
		const struct cfg_node *n = &c->nodes[i];
		char addr[8], uuid[MP_UUID_STR_SIZE], ok[16], failed[16];

		snprintf(addr, sizeof(addr), "%04x", n->addr);
		snprintf(ok, sizeof(ok), "%u", n->steps_ok);
		snprintf(failed, sizeof(failed), "%u", n->steps_failed);
		csv_field(f, addr, false);
		csv_field(f, mp_uuid_format(n->uuid, uuid, true), false);
		csv_field(f, n->name, false);
		csv_field(f, n->rules, false);
		csv_field(f, n->ended ? mp_profile_run_result_name(n->result) : "interrupted",
			  false);
		csv_field(f, ok, false);
		csv_field(f, failed, false);
		csv_field(f, n->first_failure[0] ? n->first_failure : n->why, false);
		csv_field(f, n->first_status, true);
	}
	if (fclose(f) != 0) {
		mp_out_error(&c->a->out, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

/* ---- the command ---- */

/* A new node of the run (the array may move: nodes are found by address). */
static struct cfg_node *node_new(struct cfgrun *c, const struct mp_node *nd)
{
	struct cfg_node *n;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct cfg_node *v = realloc(c->nodes, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->nodes = v;
		c->cap = cap;
	}
	n = &c->nodes[c->n++];
	memset(n, 0, sizeof(*n));
	n->nd = nd;
	n->addr = nd->addr;
	memcpy(n->uuid, nd->uuid, 16);
	snprintf(n->name, sizeof(n->name), "%s", nd->name);
	mp_profile_state_init(&n->st);
	return n;
}

static void node_clear(struct cfg_node *n)
{
	free(n->comp);
	free(n->cols);
	free(n->owned);
	mp_profile_state_clear(&n->st);
}

/* The nodes to configure: ADDR..., --all, or the batch file's rows. */
static enum mp_cli_status pick_nodes(struct cfgrun *c, bool all,
				     const struct mp_cli_batch *bf)
{
	const struct mp_cli_args *args = c->args;
	struct mp_keyring *kr = c->a->kr;
	size_t i;

	for (i = 0; i < mp_keyring_node_count(kr); i++) {
		const struct mp_node *nd = mp_keyring_node_at(kr, i);
		bool want = all;
		size_t k;

		if (nd->is_self || !nd->has_dev_key || nd->state != MP_NODE_COMPLETE)
			continue;
		for (k = 0; k < (size_t)args->argc && !want; k++) {
			uint16_t v;

			want = mp_cli_parse_unicast(args->argv[k], &v) == 0 && v >= nd->addr &&
			       v < nd->addr + nd->elements;
		}
		for (k = 0; bf && !args->argc && !all && k < bf->n && !want; k++)
			want = !memcmp(bf->v[k].uuid, nd->uuid, 16);
		if (want && !node_new(c, nd))
			return MP_CLI_FAILED;
	}
	/* every address given must be a node's */
	for (i = 0; i < (size_t)args->argc; i++) {
		uint16_t v;

		if (mp_cli_parse_unicast(args->argv[i], &v) < 0) {
			mp_cmd_err(args, "%s: not a unicast address (hex 0001-7fff)", args->argv[i]);
			return MP_CLI_USAGE;
		}
		if (!mp_keyring_node_find(kr, v) || !node_of(c, mp_keyring_node_find(kr, v)->addr)) {
			mp_cmd_err(args, "%s: no such node in the keyring (see nodes)", args->argv[i]);
			return MP_CLI_USAGE;
		}
	}
	if (!c->n) {
		mp_cmd_err(args, "no node to configure%s", all ? ": the keyring has none" :
			   " of the batch file is a node of the keyring");
		return MP_CLI_USAGE;
	}
	return MP_CLI_OK;
}

/* Node @n's batch row columns and name, and what the keyring knows of it. */
static int know_node(struct cfg_node *n, const struct mp_cli_column *cols, size_t ncols,
		     const char *row_name, bool read)
{
	const struct mp_node_config *cfg = n->nd->config;
	size_t k;

	if (ncols) {
		n->cols = calloc(ncols, sizeof(*n->cols));
		if (!n->cols)
			return -ENOMEM;
		for (k = 0; k < ncols; k++) {
			n->cols[k].name = cols[k].name;
			n->cols[k].value = cols[k].value;
		}
		n->n_cols = ncols;
	}
	if (!n->name[0] && row_name && row_name[0])
		snprintf(n->name, sizeof(n->name), "%s", row_name);
	n->comp = comp_from_nc(cfg);
	/* nothing recorded since provisioning: the models are as it left them */
	n->fresh = (!cfg || (!cfg->has_comp && !cfg->n_elements)) && !n->nd->n_app_keys;
	/* --read: nothing of the record is trusted but the composition */
	if (!read && state_from_kr(n->nd, &n->st) < 0)
		return -ENOMEM;
	if (n->nd->n_net_keys)
		n->net_idx = n->nd->net_keys[0];
	n->nd = NULL;	/* the run changes the keyring */
	return 0;
}

static enum mp_cli_status know_nodes(struct cfgrun *c, const struct mp_cli_batch *bf, bool read)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		struct cfg_node *n = &c->nodes[i];
		const struct mp_cli_batch_entry *row = NULL;

		for (k = 0; bf && k < bf->n && !row; k++)
			if (!memcmp(bf->v[k].uuid, n->uuid, 16))
				row = &bf->v[k];
		if (know_node(n, row ? row->columns : NULL, row ? row->ncolumns : 0,
			      row ? row->name : NULL, read) < 0)
			return MP_CLI_FAILED;
	}
	return MP_CLI_OK;
}

/* Hand node @n to the runner. */
static int start_node(struct cfgrun *c, struct cfg_node *n)
{
	struct mp_profile_run_node rn = {
		.addr = n->addr, .net_idx = n->net_idx, .has_uuid = true, .name = n->name,
		.columns = n->cols, .n_columns = n->n_cols, .comp = n->comp, .state = &n->st,
		.fresh = n->fresh,
	};
	int err;

	memcpy(rn.uuid, n->uuid, 16);
	err = mp_profile_run_add(c->run, &rn);
	if (err < 0)
		mp_out_error(&c->a->out, "node %04x: %s", n->addr, strerror(-err));
	return err;
}

/* The network (unless --check knows every composition) and the runner. */
/* @own_timeout: -t is this command's (configure): the first wait of each
 * request. Under provision --configure, -t is the provisioning job's
 * timeout (minutes, often): the requests keep the client's defaults. */
static enum mp_cli_status run_start(struct cfgrun *c, unsigned int flags, bool need_net,
				    bool own_timeout)
{
	struct mp_cli_app *a = c->a;
	const struct mp_profile_lookup lk = { lk_appkey, lk_group, lk_virt, a->kr };
	struct mp_cfg_client_timing t = { 0 };
	struct mp_profile_run_config rc = {
		.profile = c->p, .lookup = &lk, .cb = &run_cb, .user = c, .flags = flags,
		.max_inflight = a->o.concurrency && a->o.concurrency < CFG_TIMERS ?
				a->o.concurrency : MP_CFG_CLIENT_INFLIGHT,
		.timing = &t, .seg_timing = &t,
	};
	enum mp_cli_status st;
	size_t i;

	if (need_net) {
		st = mp_cli_net_need(a);
		if (st)
			return st;
		mp_cli_net_tap(a, tap, c);
	}
	/* -t SECONDS: the wait for the first answer (the client backs off from it) */
	if (own_timeout && a->o.timeout_s)
		t.timeout_ms = a->o.timeout_s * 1000u;
	for (i = 0; i < CFG_TIMERS; i++) {
		c->timers[i].c = c;
		c->timers[i].id = i;
	}
	c->run = mp_profile_run_new(&rc);
	return c->run ? MP_CLI_OK : MP_CLI_FAILED;
}

static bool keep_waiting(const struct cfgrun *c)
{
	const struct mp_cli_app *a = c->a;

	return (mp_profile_run_pending(c->run) || c->n_waiting) && !a->radio_lost &&
	       !a->interrupted && !c->kr_failed;
}

static enum mp_cli_status run_nodes(struct cfgrun *c, unsigned int flags)
{
	struct mp_cli_app *a = c->a;
	bool need_net = !c->check || (flags & MP_PROFILE_RUN_READ);
	enum mp_cli_status st;
	size_t i;

	for (i = 0; i < c->n && !need_net; i++)
		need_net = !c->nodes[i].comp;
	st = run_start(c, flags, need_net, true);
	if (st)
		return st;
	for (i = 0; i < c->n && !c->kr_failed; i++)
		if (start_node(c, &c->nodes[i]) < 0)
			return MP_CLI_FAILED;
	if (c->bg)
		return MP_CLI_OK;
	while (keep_waiting(c))
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	return MP_CLI_OK;
}

static void summary(struct cfgrun *c)
{
	struct mp_cli_app *a = c->a;
	const struct mp_profile_run_stats *s = mp_profile_run_stats(c->run);
	const struct mp_cfg_client_stats *cs = mp_profile_run_client_stats(c->run);
	unsigned int interrupted = s->nodes - s->ended;
	struct json_object *j;
	size_t i, nr = mp_profile_rule_count(c->p);

	for (i = 0; i < nr; i++) {
		if (mp_profile_run_rule_matches(c->run, i))
			continue;
		j = mp_out_event(&a->out, MP_EVENT("configure-rule-unmatched"), -1);
		mp_out_event_add(j, "rule", json_object_new_string(mp_profile_rule_name(c->p, i)));
		mp_out_event_end(&a->out, j, "rule unmatched   %s: it matched no node",
				 mp_profile_rule_name(c->p, i));
	}
	j = mp_out_event(&a->out, MP_EVENT("configure-summary"), -1);
	mp_out_event_add(j, "nodes", json_object_new_int((int)s->nodes));
	mp_out_event_add(j, "configured", json_object_new_int((int)s->configured));
	mp_out_event_add(j, "partly", json_object_new_int((int)s->partly));
	mp_out_event_add(j, "failed", json_object_new_int((int)s->failed));
	mp_out_event_add(j, "no_rule", json_object_new_int((int)s->no_rule));
	mp_out_event_add(j, "differs", json_object_new_int((int)s->differs));
	mp_out_event_add(j, "interrupted", json_object_new_int((int)interrupted));
	mp_out_event_add(j, "requests", json_object_new_int64((int64_t)s->writes));
	mp_out_event_add(j, "reads", json_object_new_int64((int64_t)s->reads));
	mp_out_event_add(j, "would_send", json_object_new_int64((int64_t)c->planned));
	mp_out_event_add(j, "transmissions", json_object_new_int64((int64_t)cs->sent));
	mp_out_event_add(j, "groups_created", json_object_new_int((int)s->groups_created));
	if (c->check)
		mp_out_event_end(&a->out, j, "%u node%s: %u as the profile says, %u differ (%lu "
				 "request%s would be sent), %u failed, %u matched no rule; %lu "
				 "read%s, nothing changed", s->nodes, s->nodes == 1 ? "" : "s",
				 s->configured, s->differs, c->planned, c->planned == 1 ? "" : "s",
				 s->failed, s->no_rule, s->reads, s->reads == 1 ? "" : "s");
	else
		mp_out_event_end(&a->out, j, "%u node%s: %u configured, %u partly, %u failed, %u "
				 "matched no rule%s; %lu request%s, %lu read%s, %lu transmission%s",
				 s->nodes, s->nodes == 1 ? "" : "s", s->configured, s->partly,
				 s->failed, s->no_rule, interrupted ? ", interrupted" : "",
				 s->writes, s->writes == 1 ? "" : "s", s->reads,
				 s->reads == 1 ? "" : "s", cs->sent, cs->sent == 1 ? "" : "s");
}

static enum mp_cli_status load_profile(struct cfgrun *c, const char *path)
{
	const struct mp_profile_lookup lk = { lk_appkey, lk_group, lk_virt, c->a->kr };
	struct mp_profile_error err;
	struct stat sb;
	char *text;
	size_t len;
	int r;

	if (mp_cmd_read_file(c->args, path, PROFILE_MAX, &text, &len, &sb) < 0)
		return MP_CLI_USAGE;
	r = mp_profile_parse(text, len, path, &lk, &c->p, &err);
	free(text);
	if (r == -ENOMEM)
		return MP_CLI_FAILED;
	if (r < 0) {
		mp_cmd_err(c->args, "%s (nothing was sent)", err.msg);
		return MP_CLI_USAGE;
	}
	return MP_CLI_OK;
}

/* The end of a run: the summary, the report, the status; @st the status
 * so far (not OK: the run could not start). */
static enum mp_cli_status run_end(struct cfgrun *c, enum mp_cli_status st, const char *report)
{
	struct mp_cli_app *a = c->a;

	mp_cli_net_tap(a, NULL, NULL);
	if (!c->run)
		return st;
	summary(c);
	if (report && write_report(c, report) < 0 && !st)
		st = MP_CLI_FAILED;
	if (st) {
		/* the run could not start */
	} else if (a->radio_lost) {
		st = MP_CLI_RADIO;
	} else if (c->kr_failed) {
		st = MP_CLI_KEYRING;
	} else if (a->interrupted || c->stopped) {
		size_t left = mp_profile_run_pending(c->run) + c->n_waiting;

		mp_out_error(&a->out, "interrupted: %zu node%s not finished (run configure "
			     "again: it resumes)", left, left == 1 ? "" : "s");
		st = MP_CLI_INTERRUPTED;
	} else {
		const struct mp_profile_run_stats *s = mp_profile_run_stats(c->run);

		st = s->partly || s->failed || s->differs ? MP_CLI_FAILED : MP_CLI_OK;
	}
	return st;
}

static void run_free(struct cfgrun *c)
{
	size_t i;

	mp_profile_run_free(c->run);
	c->run = NULL;
	for (i = 0; i < CFG_TIMERS; i++)
		if (c->timers[i].slot)
			mp_loop_timer_cancel(c->a->loop, c->timers[i].slot);
	if (c->hand_timer)
		mp_loop_timer_cancel(c->a->loop, c->hand_timer);
	if (c->end_timer)
		mp_loop_timer_cancel(c->a->loop, c->end_timer);
	free(c->report);
	for (i = 0; i < c->n; i++)
		node_clear(&c->nodes[i]);
	free(c->nodes);
	mp_profile_free(c->p);
}

static void bg_end(struct mp_loop *loop, int64_t id, void *data)
{
	struct cfgrun *c = data;
	struct mp_cli_app *a = c->a;

	(void)loop;
	(void)id;
	c->end_timer = 0;
	run_end(c, MP_CLI_OK, c->report);
	run_free(c);
	free(c);
	if (a->configure == c)
		a->configure = NULL;
}

bool mp_cli_configure_stop(struct mp_cli_app *a)
{
	struct cfgrun *c = a->configure;

	if (!c || c->stopped)
		return false;
	/* What the nodes answered is in the keyring already (cb_step); the
	 * requests still out are forgotten: a node may have applied one
	 * unanswered, and the next run sends it again, which a Configuration
	 * Server answers with Success (MshPRT v1.1 4.4.1.2). The run ends from
	 * the loop, never from here (HACKING.md, strategy 2). */
	c->stopped = true;
	if (!c->end_timer)
		mp_loop_timer_set(a->loop, &c->end_timer, 1, bg_end, c);
	return true;
}

void mp_cli_configure_free(struct mp_cli_app *a)
{
	struct cfgrun *c = a->configure;

	if (!c)
		return;
	a->configure = NULL;
	a->provisioned = NULL;
	mp_cli_net_tap(a, NULL, NULL);
	run_free(c);
	free(c);
}

enum mp_cli_status mp_cmd_configure(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *profile = mp_cli_arg(args, "--profile"), *batch = mp_cli_arg(args, "--batch");
	const char *report = mp_cli_arg(args, "--report");
	bool all = mp_cli_arg(args, "--all") != NULL;
	unsigned int flags = 0;
	struct mp_cli_batch bf = { 0 };
	struct cfgrun *c;
	enum mp_cli_status st;

	if (!profile) {
		mp_cmd_err(args, "--profile FILE is needed (meshprov-profile(5))");
		return MP_CLI_USAGE;
	}
	if ((all ? 1 : 0) + (args->argc ? 1 : 0) + (batch && !all && !args->argc ? 1 : 0) != 1) {
		mp_cmd_err(args, "give node addresses, --all, or --batch FILE alone (its nodes)");
		return MP_CLI_USAGE;
	}
	if (a->configure) {
		mp_cmd_err(args, "a configure run is still going on; wait for its summary");
		return MP_CLI_USAGE;
	}
	c = calloc(1, sizeof(*c));
	if (!c || (report && !(c->report = strdup(report)))) {
		free(c);
		return MP_CLI_FAILED;
	}
	c->a = a;
	c->args = args;
	c->check = mp_cli_arg(args, "--check") != NULL;
	if (c->check)
		flags |= MP_PROFILE_RUN_CHECK;
	if (mp_cli_arg(args, "--read"))
		flags |= MP_PROFILE_RUN_READ;
	st = mp_cli_need_keyring(a);
	if (!st && batch) {
		st = mp_cli_batch_load(&a->out, batch, &bf);
		if (!st && bf.nbad) {
			mp_cli_batch_report(&a->out, batch, &bf);
			st = MP_CLI_USAGE;
		}
	}
	if (!st)
		st = load_profile(c, profile);
	if (!st)
		st = pick_nodes(c, all, batch ? &bf : NULL);
	if (!st)
		st = know_nodes(c, batch ? &bf : NULL, flags & MP_PROFILE_RUN_READ);
	c->args = NULL;
	/* in the shell: in the background, the summary when it is done */
	c->bg = a->mode == MP_CLI_SHELL;
	if (!st)
		st = run_nodes(c, flags);
	if (!st && c->bg && (mp_profile_run_pending(c->run) || c->end_timer)) {
		a->configure = c;
		mp_cli_batch_clear(&bf);
		return MP_CLI_OK;
	}
	st = run_end(c, st, c->report);
	run_free(c);
	free(c);
	mp_cli_batch_clear(&bf);
	return st;
}

/* ---- provision --configure ---- */

/* The nodes provisioned since the last time, handed to the runner from the
 * loop (never from inside the engine's session event). */
static void hand_over(struct mp_loop *loop, int64_t id, void *data)
{
	struct cfgrun *c = data;

	(void)loop;
	(void)id;
	c->hand_timer = 0;
	while (c->n_waiting && c->run && !c->kr_failed) {
		struct cfg_node *n = &c->nodes[c->n - c->n_waiting];
		const struct mp_node *nd = mp_keyring_node_find(c->a->kr, n->addr);

		c->n_waiting--;
		n->nd = nd;
		if (!nd || know_node(n, n->owned, n->n_owned, NULL, false) < 0 ||
		    start_node(c, n) < 0)
			mp_out_error(&c->a->out, "node %04x: cannot be configured", n->addr);
	}
}

void mp_cli_configure_node(struct mp_cli_app *a, uint16_t addr, const struct mp_cli_column *cols,
			   size_t ncols)
{
	struct cfgrun *c = a->configure;
	const struct mp_node *nd = mp_keyring_node_find(a->kr, addr);
	struct cfg_node *n;

	if (!c || !nd || node_of(c, nd->addr))
		return;
	n = node_new(c, nd);
	if (!n) {
		mp_out_error(&a->out, "node %04x: cannot be configured: out of memory", addr);
		return;
	}
	n->nd = NULL;
	if (ncols) {
		n->owned = mp_cli_columns_dup(cols, ncols);
		n->n_owned = n->owned ? ncols : 0;
	}
	c->n_waiting++;
	if (!c->hand_timer)
		mp_loop_timer_set(a->loop, &c->hand_timer, 1, hand_over, c);
}

static void on_provisioned(struct mp_cli_app *a, const struct mp_session_event *ev,
			   const struct mp_cli_target *t)
{
	mp_cli_configure_node(a, ev->address, t ? t->columns : NULL, t ? t->ncolumns : 0);
}

enum mp_cli_status mp_cli_configure_begin(struct mp_cli_app *a, const struct mp_cli_args *args,
					  const char *path)
{
	struct cfgrun *c;
	enum mp_cli_status st;

	if (a->mode == MP_CLI_SHELL) {
		mp_cmd_err(args, "--configure runs in scripts and one-shot runs, not in the "
			   "shell yet (configure each node afterwards)");
		return MP_CLI_USAGE;
	}
	st = mp_cli_need_keyring(a);
	if (st)
		return st;
	c = calloc(1, sizeof(*c));
	if (!c)
		return MP_CLI_FAILED;
	c->a = a;
	c->args = args;
	st = load_profile(c, path);
	c->args = NULL;
	if (!st)
		st = run_start(c, 0, true, false);
	if (st) {
		mp_cli_net_tap(a, NULL, NULL);
		run_free(c);
		free(c);
		return st;
	}
	a->configure = c;
	a->provisioned = on_provisioned;
	return MP_CLI_OK;
}

enum mp_cli_status mp_cli_configure_end(struct mp_cli_app *a, enum mp_cli_status prov)
{
	struct cfgrun *c = a->configure;
	enum mp_cli_status st;

	if (!c)
		return prov;
	a->provisioned = NULL;
	if (prov != MP_CLI_INTERRUPTED && prov != MP_CLI_RADIO && prov != MP_CLI_KEYRING)
		while (keep_waiting(c))
			if (mp_loop_run_once(a->loop, -1) < 0)
				break;
	st = run_end(c, MP_CLI_OK, NULL);
	run_free(c);
	free(c);
	a->configure = NULL;
	if (st == MP_CLI_RADIO || st == MP_CLI_KEYRING || st == MP_CLI_INTERRUPTED)
		return st;
	return prov != MP_CLI_OK ? prov : st;
}
