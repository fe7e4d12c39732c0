/* The profile runner: see include/profile/run.h. */
#include "profile/run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a node is waiting for. */
enum phase {
	PH_IDLE,	/* between phases (inside the runner's own calls) */
	PH_COMP,	/* Composition Data Get */
	PH_READ,	/* the plan's Gets */
	PH_WRITE,	/* the plan's requests */
	PH_DONE,
};

enum item_state {
	IT_NEW,		/* not submitted yet */
	IT_OPEN,	/* submitted, not ended */
	IT_OK,		/* answered with Success (or a Get answered) */
	IT_FAILED,	/* refused, unanswered, skipped, or not submitted */
};

struct rnode;

/* One request of a node's batch; the client's ctx points here. */
struct item {
	struct rnode *n;
	struct mp_profile_op op;
	bool read;
	int dep;		/* index of the item this one comes after, or -1 */
	int64_t id;
	enum item_state st;
};

struct rnode {
	struct mp_profile_run *r;
	struct rnode *next;
	uint16_t addr, net_idx;
	bool has_uuid, fresh;
	uint8_t uuid[16];
	char *name;
	struct mp_profile_column *cols;
	size_t n_cols;
	struct mp_comp0 *comp;		/* NULL: not known */
	struct mp_profile_state st;
	void *ctx;
	enum phase phase;
	struct mp_profile_plan plan;	/* the batch's plan (its ops' group names) */
	struct item *items;
	size_t n_items, open;
	unsigned int passes, gen;
	bool timed_out;		/* a request went unanswered: the node is given up */
	bool read_done, counted, batch_failed;
	bool *matched;
	size_t n_matched;
	struct mp_profile_run_report rep;
};

struct mp_profile_run {
	const struct mp_profile *p;
	struct mp_profile_lookup lk;
	struct mp_profile_run_cb cb;
	void *user;
	unsigned int flags;
	struct mp_cfg_client *client;
	struct rnode *nodes, **tail;
	unsigned int *rule_hits;
	struct mp_profile_run_stats stats;
};

const char *mp_profile_run_result_name(enum mp_profile_run_result r)
{
	switch (r) {
	case MP_PROFILE_RUN_PENDING:
		return "pending";
	case MP_PROFILE_RUN_CONFIGURED:
		return "configured";
	case MP_PROFILE_RUN_PARTLY:
		return "partly";
	case MP_PROFILE_RUN_FAILED:
		return "failed";
	case MP_PROFILE_RUN_NO_RULE:
		return "no-rule";
	case MP_PROFILE_RUN_DIFFERS:
		return "differs";
	}
	return "?";
}

/* The requests config/ has no key material for: wiped through a volatile
 * pointer (profile/ may not use crypto/'s mp_wipe, mk/layers.txt). */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

static void free_items(struct rnode *n)
{
	size_t i;

	for (i = 0; i < n->n_items; i++)
		wipe(n->items[i].op.msg.key, sizeof(n->items[i].op.msg.key));
	free(n->items);
	n->items = NULL;
	n->n_items = n->open = 0;
}

static void free_node(struct rnode *n)
{
	size_t i;

	free_items(n);
	mp_profile_plan_clear(&n->plan);
	mp_profile_state_clear(&n->st);
	for (i = 0; i < n->n_cols; i++) {
		free((char *)n->cols[i].name);
		free((char *)n->cols[i].value);
	}
	free(n->cols);
	free(n->name);
	free(n->comp);
	free(n->matched);
	free(n);
}

/* ---- reports ---- */

static void finish(struct rnode *n, enum mp_profile_run_result res)
{
	struct mp_profile_run *r = n->r;

	n->phase = PH_DONE;
	free_items(n);
	n->rep.result = res;
	n->rep.matched = n->matched;
	n->rep.n_rules = n->matched ? mp_profile_rule_count(r->p) : 0;
	n->rep.n_matched = n->n_matched;
	n->rep.comp = n->comp;
	n->rep.state = &n->st;
	r->stats.ended++;
	switch (res) {
	case MP_PROFILE_RUN_CONFIGURED:
		r->stats.configured++;
		break;
	case MP_PROFILE_RUN_PARTLY:
		r->stats.partly++;
		break;
	case MP_PROFILE_RUN_FAILED:
		r->stats.failed++;
		break;
	case MP_PROFILE_RUN_NO_RULE:
		r->stats.no_rule++;
		break;
	case MP_PROFILE_RUN_DIFFERS:
		r->stats.differs++;
		break;
	case MP_PROFILE_RUN_PENDING: /* never an end */
		break;
	}
	if (r->cb.node_done)
		r->cb.node_done(r->user, &n->rep);
}

static void failf(struct rnode *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct rnode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->rep.why, sizeof(n->rep.why), fmt, ap);
	va_end(ap);
	finish(n, MP_PROFILE_RUN_FAILED);
}

/* ---- learning ---- */

static bool is_setting_set(uint32_t op)
{
	switch (op) {
	case MP_CFG_OP_DEFAULT_TTL_SET:
	case MP_CFG_OP_RELAY_SET:
	case MP_CFG_OP_GATT_PROXY_SET:
	case MP_CFG_OP_FRIEND_SET:
	case MP_CFG_OP_BEACON_SET:
	case MP_CFG_OP_NETWORK_TRANSMIT_SET:
		return true;
	default:
		return false;
	}
}

/* The models of the composition the state has no record of are as
 * provisioning left them: nothing bound, no publication, no subscription
 * (MshPRT v1.1 5.4.2.5), all known. */
static int fill_fresh(struct rnode *n)
{
	const struct mp_comp0 *c = n->comp;
	unsigned int e, k;

	for (e = 0; e < c->n_elems; e++) {
		const struct mp_comp_elem *el = &c->elems[e];
		uint16_t ea = (uint16_t)(n->addr + e);

		for (k = 0; k < (unsigned)el->n_sig + el->n_vnd; k++) {
			struct mp_model_id id = { 0 };
			struct mp_profile_model_state *ms;

			if (k < el->n_sig)
				id.id = c->sig[el->sig_first + k];
			else
				id = c->vnd[el->vnd_first + k - el->n_sig];
			if (mp_profile_state_model(&n->st, ea, &id, false))
				continue;
			ms = mp_profile_state_model(&n->st, ea, &id, true);
			if (!ms)
				return -ENOMEM;
			ms->binds_known = ms->pub_known = ms->subs_known = true;
		}
	}
	if (!n->st.keys_known) {
		n->st.keys_known = true;
		n->st.n_keys = 0;
	}
	return 0;
}

/* What an answer to @it teaches: a Get's answer carries the state, a
 * setting's Status the value the node took (Not Supported too); a model or
 * key request answered Success did what it asked. */
static void learn(struct rnode *n, const struct item *it, const struct mp_cfg_msg *answer)
{
	if (it->op.msg.opcode == MP_CFG_OP_COMPOSITION_DATA_GET) {
		struct mp_comp0 *c;

		if (answer->page != 0 || n->comp)
			return;
		c = calloc(1, sizeof(*c));
		if (c && mp_comp0_decode(answer->data, answer->data_len, c) == 0) {
			n->comp = c;
			return;
		}
		free(c);
		return;
	}
	if (it->read || is_setting_set(it->op.msg.opcode))
		mp_profile_state_apply(&n->st, answer, 0);
	else if (answer->status == MP_CFG_SUCCESS)
		mp_profile_state_apply(&n->st, &it->op.msg, it->op.virt);
}

int mp_profile_run_step_text(const struct mp_profile_op *op, bool read, char *buf, size_t n)
{
	const struct mp_cfg_msg *m = &op->msg;
	const char *name = mp_cfg_op_name(m->opcode);

	if (!read)
		return mp_profile_op_text(op, buf, n);
	if (!name)
		name = "?";
	switch (m->opcode) {
	case MP_CFG_OP_COMPOSITION_DATA_GET:
		return snprintf(buf, n, "%s: page %u", name, m->page);
	case MP_CFG_OP_SIG_MODEL_APP_GET:
	case MP_CFG_OP_VENDOR_MODEL_APP_GET:
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET:
	case MP_CFG_OP_MODEL_PUBLICATION_GET:
		if (m->model.vendor)
			return snprintf(buf, n, "%s: element %04x model %04x:%04x", name,
					m->elem_addr, m->model.cid, m->model.id);
		return snprintf(buf, n, "%s: element %04x model %04x", name, m->elem_addr,
				m->model.id);
	default:
		return snprintf(buf, n, "%s", name);
	}
}

/* ---- batches ---- */

static void advance(struct rnode *n);
static void batch_end(struct rnode *n);

static void report_step(struct rnode *n, const struct item *it, int err,
			const struct mp_cfg_msg *answer, const char *status_name, unsigned int tries)
{
	struct mp_profile_run *r = n->r;
	struct mp_profile_run_step s = {
		.node = n->addr, .ctx = n->ctx, .op = &it->op, .read = it->read, .err = err,
		.answer = answer, .tries = tries, .status_name = status_name,
	};

	s.ok = it->st == IT_OK;
	if (it->read) {
		if (s.ok)
			n->rep.reads++;
	} else if (s.ok) {
		n->rep.steps_ok++;
		r->stats.steps_ok++;
	} else {
		n->rep.steps_failed++;
		r->stats.steps_failed++;
		n->batch_failed = true;
	}
	if (!s.ok && !n->rep.first_failure[0]) {
		mp_profile_run_step_text(&it->op, it->read, n->rep.first_failure,
					 sizeof(n->rep.first_failure));
		snprintf(n->rep.first_status, sizeof(n->rep.first_status), "%s",
			 status_name ? status_name : "failed");
	}
	if (r->cb.step)
		r->cb.step(r->user, &s);
}

/* An item ended: learned, reported; the batch ends with its last item. */
static void item_end(struct item *it, int err, const struct mp_cfg_msg *answer,
		     const char *status_name, unsigned int tries)
{
	struct rnode *n = it->n;
	const char *why = status_name;

	if (err == 0 && answer && answer->status == MP_CFG_SUCCESS) {
		it->st = IT_OK;
		learn(n, it, answer);
	} else {
		it->st = IT_FAILED;
	}
	if (err == -ETIMEDOUT)
		why = "timeout";
	else if (err == -ECANCELED)
		why = "skipped";
	else if (err == -ENOENT)
		why = "no such AppKey in the keyring";
	else if (err < 0)
		why = "not sent";
	else if (!why)
		why = "RFU status";
	report_step(n, it, err, answer, why, tries);
	if (err == -ETIMEDOUT && !n->timed_out) {
		/* The node stopped answering (after every retry): its other
		 * requests would only wait as long each; they end skipped. */
		n->timed_out = true;
		mp_cfg_client_cancel_node(n->r->client, n->addr);
	}
	if (n->open)
		n->open--;
	if (!n->open && n->phase != PH_IDLE)
		batch_end(n);
}

static void client_done(void *user, const struct mp_cfg_client_result *res)
{
	struct item *it = res->ctx;

	(void)user;
	if (!it || it->st != IT_OPEN)
		return;
	item_end(it, res->err, res->status, res->status_name, res->tries);
}

/* The request a request of the plan comes after (config/client.h's
 * after), as an index into @items (the first @k of them), or -1. */
static int dependency(const struct item *items, size_t k)
{
	const struct mp_cfg_msg *m = &items[k].op.msg;
	int bind = -1, add = -1;
	size_t i;

	for (i = 0; i < k; i++) {
		const struct mp_cfg_msg *q = &items[i].op.msg;
		bool same_model = q->elem_addr == m->elem_addr &&
				  q->model.vendor == m->model.vendor && q->model.id == m->model.id &&
				  (!q->model.vendor || q->model.cid == m->model.cid);

		switch (m->opcode) {
		case MP_CFG_OP_MODEL_APP_BIND:
			if (q->opcode == MP_CFG_OP_APPKEY_ADD && q->app_idx == m->app_idx)
				return (int)i;
			break;
		case MP_CFG_OP_MODEL_PUBLICATION_SET:
		case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
			/* a Configuration Server may refuse to publish with a key
			 * the model is not bound to (sim/node_cfg.h does) */
			if (q->opcode == MP_CFG_OP_MODEL_APP_BIND && same_model &&
			    q->app_idx == m->pub.app_idx)
				bind = (int)i;
			if (q->opcode == MP_CFG_OP_APPKEY_ADD && q->app_idx == m->pub.app_idx)
				add = (int)i;
			break;
		case MP_CFG_OP_MODEL_APP_UNBIND:
			/* after the publication that stops using the key */
			if ((q->opcode == MP_CFG_OP_MODEL_PUBLICATION_SET ||
			     q->opcode == MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET) && same_model)
				return (int)i;
			break;
		default:
			return -1;
		}
	}
	return bind >= 0 ? bind : add;
}

/* Submit the batch n->items; the ones that cannot be submitted end at
 * once (reported after every other one is in the client's queue). */
static void submit_batch(struct rnode *n, enum phase ph)
{
	struct mp_profile_run *r = n->r;
	unsigned int gen = n->gen;
	size_t i;

	n->phase = PH_IDLE;
	n->batch_failed = false;
	n->open = n->n_items;
	for (i = 0; i < n->n_items; i++) {
		struct item *it = &n->items[i];
		struct mp_cfg_client_req q = { .dst = n->addr, .net_idx = n->net_idx,
					       .msg = &it->op.msg, .ctx = it };
		int64_t id;

		it->n = n;
		if (it->read)
			r->stats.reads++;
		else
			r->stats.writes++;
		if (it->op.msg.opcode == MP_CFG_OP_APPKEY_ADD &&
		    r->cb.appkey(r->user, it->op.msg.app_idx, it->op.msg.key) < 0) {
			it->id = -ENOENT;
			continue;
		}
		it->dep = it->read ? -1 : dependency(n->items, i);
		if (it->dep >= 0) {
			const struct item *d = &n->items[it->dep];

			if (d->st == IT_OPEN)
				q.after = (uint32_t)d->id;
			else if (d->st != IT_OK) {
				it->id = -ECANCELED;
				continue;
			}
		}
		it->st = IT_OPEN;
		id = mp_cfg_client_submit(r->client, &q);
		if (id == -ENOENT && q.after) {
			/* what it comes after ended already: only its outcome matters */
			const struct item *d = &n->items[it->dep];

			q.after = 0;
			id = d->st == IT_OK ? mp_cfg_client_submit(r->client, &q) : -ECANCELED;
		}
		wipe(it->op.msg.key, sizeof(it->op.msg.key));
		if (id < 0) {
			it->st = IT_NEW;
			it->id = id;
			continue;
		}
		it->id = id;
	}
	n->phase = ph;
	/* The ones that could not be sent end now, in order; the last one to
	 * end ends the batch, and the node may then have gone on to another. */
	for (i = 0; i < n->n_items && n->phase == ph && n->gen == gen; i++) {
		struct item *it = &n->items[i];

		if (it->st == IT_NEW)
			item_end(it, (int)it->id, NULL, NULL, 0);
	}
	if (n->phase == ph && n->gen == gen && !n->open)
		batch_end(n);
}

/* A batch of @count items (plan ops, or reads). */
static int new_batch(struct rnode *n, size_t count)
{
	free_items(n);
	n->items = calloc(count ? count : 1, sizeof(*n->items));
	if (!n->items)
		return -ENOMEM;
	n->n_items = count;
	n->gen++;
	return 0;
}

static void read_comp(struct rnode *n)
{
	if (new_batch(n, 1) < 0) {
		failf(n, "out of memory");
		return;
	}
	mp_cfg_req_composition_get(&n->items[0].op.msg, 0);
	n->items[0].read = true;
	submit_batch(n, PH_COMP);
}

static void batch_end(struct rnode *n)
{
	struct mp_profile_run *r = n->r;
	enum phase ph = n->phase;

	n->phase = PH_IDLE;
	switch (ph) {
	case PH_COMP:
		if (!n->comp) {
			const struct item *it = &n->items[0];

			snprintf(n->rep.why, sizeof(n->rep.why), "no Composition Data: %s",
				 it->st == IT_OK ? "page 0 does not decode" :
				 n->rep.first_status[0] ? n->rep.first_status : "no answer");
			finish(n, MP_PROFILE_RUN_FAILED);
			return;
		}
		if (n->fresh && !(r->flags & MP_PROFILE_RUN_READ) && fill_fresh(n) < 0) {
			failf(n, "out of memory");
			return;
		}
		advance(n);
		return;
	case PH_READ:
		advance(n);
		return;
	case PH_WRITE:
		advance(n);
		return;
	case PH_IDLE:
	case PH_DONE:
		break;
	}
}

/* The node's state against the profile: the next thing to do. */
static void advance(struct rnode *n)
{
	struct mp_profile_run *r = n->r;
	struct mp_profile_node pn = {
		.comp = n->comp, .addr = n->addr, .has_uuid = n->has_uuid, .name = n->name,
		.columns = n->cols, .n_columns = n->n_cols,
	};
	unsigned int created = 0;
	size_t i;
	int err;

	memcpy(pn.uuid, n->uuid, sizeof(pn.uuid));
	if (!n->comp) {
		read_comp(n);
		return;
	}
again:
	free_items(n);
	mp_profile_plan_clear(&n->plan);
	err = mp_profile_reconcile(r->p, &pn, &n->st, &r->lk, &n->plan);
	if (err) {
		failf(n, "%s", n->plan.error[0] ? n->plan.error : "cannot reconcile");
		return;
	}
	if (!n->counted) {
		n->counted = true;
		n->matched = calloc(n->plan.n_rules + 1, sizeof(*n->matched));
		if (!n->matched) {
			failf(n, "out of memory");
			return;
		}
		memcpy(n->matched, n->plan.matched, n->plan.n_rules * sizeof(*n->matched));
		n->n_matched = n->plan.n_matched;
		for (i = 0; i < n->plan.n_rules; i++)
			if (n->matched[i])
				r->rule_hits[i]++;
	}
	if (!n->n_matched) {
		finish(n, MP_PROFILE_RUN_NO_RULE);
		return;
	}
	n->rep.left = n->plan.n_ops;
	if ((r->flags & MP_PROFILE_RUN_READ) && !n->read_done && n->plan.n_gets) {
		n->read_done = true;
		if (new_batch(n, n->plan.n_gets) < 0) {
			failf(n, "out of memory");
			return;
		}
		for (i = 0; i < n->plan.n_gets; i++) {
			n->items[i].op.msg = n->plan.gets[i];
			n->items[i].read = true;
		}
		submit_batch(n, PH_READ);
		return;
	}
	if (r->flags & MP_PROFILE_RUN_CHECK) {
		if (r->cb.plan)
			r->cb.plan(r->user, n->addr, n->ctx, &n->plan);
		finish(n, n->plan.n_ops ? MP_PROFILE_RUN_DIFFERS : MP_PROFILE_RUN_CONFIGURED);
		return;
	}
	if (n->plan.n_groups) {
		if (created++) {
			failf(n, "group %s is still unknown once created", n->plan.groups[0]);
			return;
		}
		for (i = 0; i < n->plan.n_groups; i++) {
			err = r->cb.group ? r->cb.group(r->user, n->plan.groups[i]) : -ENOTSUP;
			if (err < 0) {
				failf(n, "group %s cannot be created: %s", n->plan.groups[i],
				      strerror(-err));
				return;
			}
			r->stats.groups_created++;
		}
		goto again;
	}
	if (!n->plan.n_ops) {
		finish(n, MP_PROFILE_RUN_CONFIGURED);
		return;
	}
	/* Something is left after a pass: another one only when the last
	 * pass went well (a failed step would fail again the same way). */
	if (n->timed_out || (n->passes && (n->batch_failed ||
					   n->passes >= MP_PROFILE_RUN_PASSES))) {
		if (n->timed_out)
			snprintf(n->rep.why, sizeof(n->rep.why), "the node stopped answering");
		finish(n, n->rep.steps_ok ? MP_PROFILE_RUN_PARTLY : MP_PROFILE_RUN_FAILED);
		return;
	}
	n->passes++;
	if (new_batch(n, n->plan.n_ops) < 0) {
		failf(n, "out of memory");
		return;
	}
	for (i = 0; i < n->plan.n_ops; i++)
		n->items[i].op = n->plan.ops[i];
	submit_batch(n, PH_WRITE);
}

/* ---- the API ---- */

static int client_send(void *user, uint16_t dst, uint16_t net_idx, bool dev_key,
		       const uint8_t *msg, size_t len)
{
	struct mp_profile_run *r = user;

	(void)dev_key;
	return r->cb.send(r->user, dst, net_idx, msg, len);
}

static void client_timer(void *user, unsigned int id, uint32_t ms)
{
	struct mp_profile_run *r = user;

	r->cb.timer(r->user, id, ms);
}

static const struct mp_cfg_client_ops client_ops = {
	.send = client_send, .timer = client_timer, .done = client_done,
};

struct mp_profile_run *mp_profile_run_new(const struct mp_profile_run_config *cfg)
{
	struct mp_cfg_client_config cc = { .ops = &client_ops };
	struct mp_profile_run *r;

	if (!cfg || !cfg->profile || !cfg->cb || !cfg->cb->send || !cfg->cb->timer ||
	    !cfg->cb->appkey) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->p = cfg->profile;
	if (cfg->lookup)
		r->lk = *cfg->lookup;
	r->cb = *cfg->cb;
	r->user = cfg->user;
	r->flags = cfg->flags;
	r->tail = &r->nodes;
	r->rule_hits = calloc(mp_profile_rule_count(cfg->profile) + 1, sizeof(*r->rule_hits));
	cc.user = r;
	cc.max_inflight = cfg->max_inflight;
	cc.timing = cfg->timing;
	cc.seg_timing = cfg->seg_timing;
	/* every node's whole plan is queued at once */
	cc.max_queued = 1u << 20;
	if (r->rule_hits)
		r->client = mp_cfg_client_new(&cc);
	if (!r->client) {
		int e = r->rule_hits ? errno : ENOMEM;

		free(r->rule_hits);
		free(r);
		errno = e;
		return NULL;
	}
	return r;
}

void mp_profile_run_free(struct mp_profile_run *r)
{
	struct rnode *n, *next;

	if (!r)
		return;
	mp_cfg_client_free(r->client);
	for (n = r->nodes; n; n = next) {
		next = n->next;
		free_node(n);
	}
	free(r->rule_hits);
	free(r);
}

static int copy_state(struct mp_profile_state *dst, const struct mp_profile_state *src)
{
	mp_profile_state_init(dst);
	if (!src)
		return 0;
	*dst = *src;
	dst->models = NULL;
	dst->n_models = dst->cap_models = 0;
	if (!src->n_models)
		return 0;
	dst->models = calloc(src->n_models, sizeof(*dst->models));
	if (!dst->models)
		return -ENOMEM;
	memcpy(dst->models, src->models, src->n_models * sizeof(*dst->models));
	dst->n_models = dst->cap_models = src->n_models;
	return 0;
}

int mp_profile_run_add(struct mp_profile_run *r, const struct mp_profile_run_node *in)
{
	struct rnode *n, *x;
	size_t i;

	if (!r || !in || in->addr == 0 || in->addr >= 0x8000)
		return -EINVAL;
	for (x = r->nodes; x; x = x->next)
		if (x->addr == in->addr && x->phase != PH_DONE)
			return -EEXIST;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->r = r;
	n->addr = in->addr;
	n->net_idx = in->net_idx;
	n->has_uuid = in->has_uuid;
	memcpy(n->uuid, in->uuid, sizeof(n->uuid));
	n->fresh = in->fresh;
	n->ctx = in->ctx;
	n->rep.node = in->addr;
	n->rep.ctx = in->ctx;
	if (copy_state(&n->st, in->state) < 0)
		goto nomem;
	if (in->name && !(n->name = strdup(in->name)))
		goto nomem;
	if (in->n_columns) {
		n->cols = calloc(in->n_columns, sizeof(*n->cols));
		if (!n->cols)
			goto nomem;
		n->n_cols = in->n_columns;
		for (i = 0; i < in->n_columns; i++) {
			n->cols[i].name = strdup(in->columns[i].name ? in->columns[i].name : "");
			n->cols[i].value = strdup(in->columns[i].value ? in->columns[i].value : "");
			if (!n->cols[i].name || !n->cols[i].value)
				goto nomem;
		}
	}
	if (in->comp) {
		n->comp = malloc(sizeof(*n->comp));
		if (!n->comp)
			goto nomem;
		*n->comp = *in->comp;
		if (n->fresh && !(r->flags & MP_PROFILE_RUN_READ) && fill_fresh(n) < 0)
			goto nomem;
	}
	*r->tail = n;
	r->tail = &n->next;
	r->stats.nodes++;
	advance(n);
	return 0;
nomem:
	free_node(n);
	return -ENOMEM;
}

int mp_profile_run_rx(struct mp_profile_run *r, uint16_t src, bool dev_key, const uint8_t *msg,
		      size_t len)
{
	if (!r)
		return -EINVAL;
	return mp_cfg_client_rx(r->client, src, dev_key, msg, len);
}

void mp_profile_run_timeout(struct mp_profile_run *r, unsigned int id)
{
	if (r)
		mp_cfg_client_timeout(r->client, id);
}

size_t mp_profile_run_pending(const struct mp_profile_run *r)
{
	return r ? r->stats.nodes - r->stats.ended : 0;
}

unsigned int mp_profile_run_rule_matches(const struct mp_profile_run *r, size_t i)
{
	return r && i < mp_profile_rule_count(r->p) ? r->rule_hits[i] : 0;
}

const struct mp_profile_run_stats *mp_profile_run_stats(const struct mp_profile_run *r)
{
	return &r->stats;
}

const struct mp_cfg_client_stats *mp_profile_run_client_stats(const struct mp_profile_run *r)
{
	return mp_cfg_client_stats(r->client);
}
