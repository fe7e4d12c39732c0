/* The Configuration Client commands: composition, appkey add/list, bind,
 * unbind, sub, pub, ttl, relay, proxy, beacon, node reset. Each builds one
 * request (config/client.h), which the client sends through the
 * provisioner's network (engine/mesh_link.h) with its timeouts and
 * retries; the answer is printed with its status code's name (MshPRT v1.1
 * 4.3.5), as a line or a JSON event "config".
 *
 * Outside the shell a command waits for its answer; in the shell it
 * returns at once and the answer is printed when it comes (the loop is
 * never run from inside one of its callbacks, HACKING.md).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/group.h"
#include "cli/handlers.h"
#include "cli/net.h"
#include "cli/net_proxy.h"
#include "cli/nodecfg.h"
#include "cli/parse.h"
#include "config/client.h"
#include "config/comp.h"
#include "config/msg.h"
#include "core/loop.h"
#include "crypto/crypto.h"
#include "engine/mesh_link.h"
#include "mesh/stack.h"
#include "models/health.h"
#include "models/onoff.h"
#include "store/keyring.h"
#include "store/nodes.h"

#define NET_TIMERS 64

struct net_timer {
	struct mp_cli_net *n;
	unsigned id;
	int64_t slot;
};

#define MODEL_GROUP_MAX 64	/* answers to a group request told apart */

struct mp_cli_net {
	struct mp_cli_app *a;
	struct mp_mesh_link *link;
	struct mp_cfg_client *client;
	struct net_timer timers[NET_TIMERS];
	unsigned failed;		/* requests of the running command that failed */
	bool closing;			/* mp_cli_net_free(): requests end unreported */
	/* One model request at a time (attention, onoff): an acknowledged
	 * message under an AppKey, sent again until its Status comes. */
	struct {
		bool active;
		uint16_t dst, net_idx, app_idx;
		uint32_t status_op;
		uint8_t msg[16];
		size_t len;
		unsigned tries;
		int64_t timer;
		/* dst a group (onoff): every node's Status counts; the nodes
		 * the keyring records as subscribed to it are waited for */
		bool group;
		uint16_t want[MODEL_GROUP_MAX], heard[MODEL_GROUP_MAX];
		size_t n_want, n_heard;
	} model;
	uint8_t tid;			/* Generic OnOff Set's transaction identifier */
	/* another command hearing first (cli/net.h) */
	bool (*tap)(void *user, const struct mp_mesh_rx_msg *m);
	void *tap_user;
};

#define MODEL_TRIES 4
#define MODEL_TIMEOUT_MS 2500

/* What to do with an answer, beyond printing it. */
enum after {
	AFTER_NONE,
	AFTER_APPKEY_ADDED,	/* an AppKey Add (recorded by mp_cli_record_answer()) */
	AFTER_RESET,		/* remove the node from the keyring */
};

struct req_ctx {
	enum after after;
	uint16_t app_idx;
	bool virt;		/* a virtual subscription or publication: */
	uint8_t label[16];	/* its Label UUID, for the keyring's record */
	mp_cli_net_done_fn fn;	/* mp_cli_net_submit(): the answer goes there */
	void *fn_user;
};

/* ---- printing ---- */

static const char *onoff_word(uint8_t v)
{
	return v == MP_CFG_ENABLED ? "on" : v == MP_CFG_DISABLED ? "off" :
	       v == MP_CFG_NOT_SUPPORTED ? "not-supported" : "rfu";
}

static struct json_object *jhex(unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	return json_object_new_string(buf);
}

static void print_comp(struct mp_out *o, uint16_t dst, const struct mp_cfg_msg *m)
{
	struct mp_comp0 *c = calloc(1, sizeof(*c));
	struct json_object *j;
	unsigned e, i;

	if (!c)
		return;
	if (mp_comp0_decode(m->data, m->data_len, c) < 0) {
		mp_out_error(o, "node %04x: Composition Data page %u does not decode", dst, m->page);
		free(c);
		return;
	}
	j = mp_out_event(o, MP_EVENT("composition"), dst);
	mp_out_event_add(j, "cid", jhex(c->cid, 4));
	mp_out_event_add(j, "pid", jhex(c->pid, 4));
	mp_out_event_add(j, "vid", jhex(c->vid, 4));
	mp_out_event_add(j, "crpl", json_object_new_int(c->crpl));
	mp_out_event_add(j, "features", json_object_new_int(c->features));
	mp_out_event_end(o, j, "composition      %04x cid %04x pid %04x vid %04x crpl %u features%s%s%s%s",
			 dst, c->cid, c->pid, c->vid, c->crpl,
			 c->features & MP_CFG_FEAT_RELAY ? " relay" : "",
			 c->features & MP_CFG_FEAT_PROXY ? " proxy" : "",
			 c->features & MP_CFG_FEAT_FRIEND ? " friend" : "",
			 c->features & MP_CFG_FEAT_LOW_POWER ? " low-power" : "");
	for (e = 0; e < c->n_elems; e++) {
		char line[1024];
		size_t off = 0;
		const struct mp_comp_elem *el = &c->elems[e];
		struct json_object *models;

		j = mp_out_event(o, MP_EVENT("element"), dst);
		mp_out_event_add(j, "index", json_object_new_int((int)e));
		mp_out_event_add(j, "address", json_object_new_int(dst + (int)e));
		mp_out_event_add(j, "location", jhex(el->loc, 4));
		models = j ? json_object_new_array() : NULL;
		line[0] = '\0';
		for (i = 0; i < el->n_sig && off < sizeof(line) - 8; i++) {
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %04x",
						c->sig[el->sig_first + i]);
			if (models)
				json_object_array_add(models, jhex(c->sig[el->sig_first + i], 4));
		}
		for (i = 0; i < el->n_vnd && off < sizeof(line) - 12; i++) {
			const struct mp_model_id *v = &c->vnd[el->vnd_first + i];

			off += (size_t)snprintf(line + off, sizeof(line) - off, " %04x:%04x", v->cid,
						v->id);
			if (models)
				json_object_array_add(models, jhex((unsigned)v->cid << 16 | v->id, 8));
		}
		if (models)
			mp_out_event_add(j, "models", models);
		mp_out_event_end(o, j, "element          %04x loc %04x models%s",
				 (unsigned)(dst + e), el->loc, line);
	}
	free(c);
}

static void print_list(struct mp_out *o, uint16_t dst, const char *what,
		       const struct mp_cfg_msg *m)
{
	struct json_object *j = mp_out_event(o, MP_EVENT("config-list"), dst);
	struct json_object *arr = j ? json_object_new_array() : NULL;
	char line[1024];
	size_t off = 0;
	unsigned i;

	line[0] = '\0';
	for (i = 0; i < m->n_list && off < sizeof(line) - 8; i++) {
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%04x", i ? " " : "",
					m->list[i]);
		if (arr)
			json_object_array_add(arr, json_object_new_int(m->list[i]));
	}
	mp_out_event_add(j, "list", json_object_new_string(what));
	if (arr)
		mp_out_event_add(j, "items", arr);
	mp_out_event_end(o, j, "%-16s %s", what, i ? line : "(none)");
}

/* A one-octet state (TTL, beacon, proxy, relay) of node @dst. */
static void print_state(struct mp_out *o, uint16_t dst, const char *what, const char *word,
			int value)
{
	struct json_object *j = mp_out_event(o, MP_EVENT("config-state"), dst);

	mp_out_event_add(j, "state", json_object_new_string(what));
	if (word)
		mp_out_event_add(j, "value", json_object_new_string(word));
	else
		mp_out_event_add(j, "value", json_object_new_int(value));
	if (word)
		mp_out_event_end(o, j, "%-16s %04x %s", what, dst, word);
	else
		mp_out_event_end(o, j, "%-16s %04x %d", what, dst, value);
}

static void print_answer(struct mp_cli_net *n, const struct mp_cfg_client_result *r)
{
	struct mp_out *o = &n->a->out;
	const struct mp_cfg_msg *m = r->status;
	const char *name = r->status_name ? r->status_name : "RFU";
	struct json_object *j = mp_out_event(o, MP_EVENT("config"), r->dst);

	mp_out_event_add(j, "message", json_object_new_string(mp_cfg_op_name(m->opcode)));
	mp_out_event_add(j, "status", json_object_new_int(m->status));
	mp_out_event_add(j, "status_name", json_object_new_string(name));
	mp_out_event_add(j, "tries", json_object_new_int((int)r->tries));
	mp_out_event_end(o, j, "status           %04x %s: %s (%u)", r->dst,
			 mp_cfg_op_name(m->opcode), name, m->status);
	if (m->status)
		return;
	switch (m->opcode) {
	case MP_CFG_OP_COMPOSITION_DATA_STATUS:
		print_comp(o, r->dst, m);
		break;
	case MP_CFG_OP_APPKEY_LIST:
		print_list(o, r->dst, "appkeys", m);
		break;
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST:
		print_list(o, r->dst, "subscriptions", m);
		break;
	case MP_CFG_OP_DEFAULT_TTL_STATUS:
		print_state(o, r->dst, "ttl", NULL, m->state);
		break;
	case MP_CFG_OP_BEACON_STATUS:
		print_state(o, r->dst, "beacon", onoff_word(m->state), 0);
		break;
	case MP_CFG_OP_GATT_PROXY_STATUS:
		print_state(o, r->dst, "proxy", onoff_word(m->state), 0);
		break;
	case MP_CFG_OP_RELAY_STATUS:
		j = mp_out_event(o, MP_EVENT("config-state"), r->dst);
		mp_out_event_add(j, "state", json_object_new_string("relay"));
		mp_out_event_add(j, "value", json_object_new_string(onoff_word(m->state)));
		mp_out_event_add(j, "retransmit_count", json_object_new_int(MP_CFG_XMIT_COUNT(m->retransmit)));
		mp_out_event_add(j, "retransmit_steps", json_object_new_int(MP_CFG_XMIT_STEPS(m->retransmit)));
		mp_out_event_end(o, j, "relay            %04x %s count %u steps %u", r->dst,
				 onoff_word(m->state), MP_CFG_XMIT_COUNT(m->retransmit),
				 MP_CFG_XMIT_STEPS(m->retransmit));
		break;
	case MP_CFG_OP_MODEL_PUBLICATION_STATUS:
		j = mp_out_event(o, MP_EVENT("publication"), r->dst);
		mp_out_event_add(j, "element", json_object_new_int(m->elem_addr));
		mp_out_event_add(j, "address", json_object_new_int(m->pub.addr));
		mp_out_event_add(j, "appkey", json_object_new_int(m->pub.app_idx));
		mp_out_event_add(j, "ttl", json_object_new_int(m->pub.ttl));
		mp_out_event_add(j, "period", json_object_new_int(m->pub.period));
		mp_out_event_add(j, "retransmit", json_object_new_int(m->pub.retransmit));
		mp_out_event_end(o, j, "publication      %04x appkey %03x ttl %u period %02x "
				 "retransmit %02x", m->pub.addr, m->pub.app_idx, m->pub.ttl,
				 m->pub.period, m->pub.retransmit);
		break;
	default:
		break;
	}
}

/* ---- the network and the client ---- */

/* Group requests: the nodes that answered (heard) and those awaited (want). */
static bool in_list(const uint16_t *l, size_t n, uint16_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == addr)
			return true;
	return false;
}

/* Whether a message from @src answers the running group request: a unicast
 * source heard for the first time (a retransmitted Set is answered again). */
static bool group_answer(struct mp_cli_net *n, uint16_t src)
{
	return src && src < 0x8000 && n->model.n_heard < MODEL_GROUP_MAX &&
	       !in_list(n->model.heard, n->model.n_heard, src);
}

/* How many awaited nodes have not answered; each named on @o unless NULL. */
static size_t group_missing(struct mp_cli_net *n, struct mp_out *o)
{
	size_t i, c = 0;

	for (i = 0; i < n->model.n_want; i++) {
		if (in_list(n->model.heard, n->model.n_heard, n->model.want[i]))
			continue;
		c++;
		if (o)
			mp_out_error(o, "node %04x: no answer to the group %04x request after %u tries",
				     n->model.want[i], n->model.dst, n->model.tries);
	}
	return c;
}

static bool model_rx(struct mp_cli_net *n, const struct mp_mesh_rx_msg *msg)
{
	struct mp_out *o = &n->a->out;

	if (!n->model.active || msg->key == MP_MESH_KEY_DEV)
		return false;
	if (n->model.group ? !group_answer(n, msg->src) : msg->src != n->model.dst)
		return false;
	if (n->model.status_op == MP_HEALTH_OP_ATTENTION_STATUS) {
		struct mp_health_attention h;

		if (mp_health_attention_decode(msg->payload, msg->len, &h) < 0 ||
		    h.opcode != MP_HEALTH_OP_ATTENTION_STATUS)
			return false;
		struct json_object *j = mp_out_event(o, MP_EVENT("attention"), msg->src);

		mp_out_event_add(j, "seconds", json_object_new_int(h.attention));
		mp_out_event_end(o, j, "attention        %04x %u s", msg->src, h.attention);
	} else {
		struct mp_onoff_msg m;

		if (mp_onoff_decode(msg->payload, msg->len, &m) < 0 || m.opcode != MP_ONOFF_OP_STATUS)
			return false;
		struct json_object *j = mp_out_event(o, MP_EVENT("onoff"), msg->src);

		mp_out_event_add(j, "onoff", json_object_new_boolean(m.onoff));
		mp_out_event_end(o, j, "onoff            %04x %s", msg->src, m.onoff ? "on" : "off");
	}
	if (n->model.group) {
		n->model.heard[n->model.n_heard++] = msg->src;
		if (!n->model.n_want || group_missing(n, NULL) > 0)
			return true;	/* the window or the others still to come */
	}
	n->model.active = false;
	if (n->model.timer)
		mp_loop_timer_cancel(n->a->loop, n->model.timer);
	n->model.timer = 0;
	return true;
}

static void link_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct mp_cli_net *n = user;

	if (n->tap && n->tap(n->tap_user, msg))
		return;
	if (model_rx(n, msg))
		return;
	mp_cfg_client_rx(n->client, msg->src, msg->key == MP_MESH_KEY_DEV, msg->payload, msg->len);
}

static const struct mp_mesh_link_cb link_cb = { .deliver = link_deliver };

static int client_send(void *user, uint16_t dst, uint16_t net_idx, bool dev_key, const uint8_t *msg,
		       size_t len)
{
	struct mp_cli_net *n = user;
	int err = mp_mesh_link_send(n->link, dst, net_idx, dev_key ? MP_MESH_KEY_DEV : 0, msg,
				    len);

	return err < 0 ? err : 0;
}

static void client_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct net_timer *t = data;

	(void)loop;
	(void)id;
	t->slot = 0;
	mp_cfg_client_timeout(t->n->client, t->id);
}

static void client_timer(void *user, unsigned int id, uint32_t ms)
{
	struct mp_cli_net *n = user;

	if (id < NET_TIMERS)
		mp_loop_timer_set(n->a->loop, &n->timers[id].slot, ms, client_timer_fired,
				  &n->timers[id]);
}

static void client_done(void *user, const struct mp_cfg_client_result *r)
{
	struct mp_cli_net *n = user;
	struct req_ctx *ctx = r->ctx;
	struct mp_cli_app *a = n->a;

	if (n->closing) {
		free(ctx);
		return;
	}
	if (ctx && ctx->fn) {
		mp_cli_net_done_fn fn = ctx->fn;
		void *fn_user = ctx->fn_user;

		free(ctx);
		fn(a, fn_user, r);
		return;
	}
	if (r->err) {
		n->failed++;
		mp_out_error(&a->out, "node %04x: %s: %s after %u tries", r->dst,
			     mp_cfg_op_name(r->opcode),
			     r->err == -ETIMEDOUT ? "no answer" : strerror(-r->err), r->tries);
	} else {
		print_answer(n, r);
		if (!r->status->status && ctx && ctx->after != AFTER_RESET &&
		    mp_cli_record_answer(a->kr, r->dst, r->opcode, r->status,
					 ctx->virt ? ctx->label : NULL) < 0) {
			n->failed++;
			mp_out_error(&a->out, "node %04x: %s: not recorded in the keyring: %s",
				     r->dst, mp_cfg_op_name(r->opcode), mp_keyring_error(a->kr));
		}
		if (r->status->status)
			n->failed++;
		else if (ctx && ctx->after == AFTER_RESET &&
			 mp_keyring_node_remove(a->kr, r->dst) == 0)
			mp_out_node_changed(&a->out, true, r->dst, NULL);
	}
	free(ctx);
}

static const struct mp_cfg_client_ops client_ops = {
	.send = client_send, .timer = client_timer, .done = client_done,
};

/* What the Configuration Client counted over the run, once it sent
 * anything: always in JSON (a config-summary event), in text with -v. The
 * answers it ignored are told apart (issue #14: a Status that does not
 * match what was asked, or a node that answers from another address, is
 * ignored and counted). */
static void client_summary(struct mp_cli_app *a, const struct mp_cfg_client *c)
{
	const struct mp_cfg_client_stats *s = c ? mp_cfg_client_stats(c) : NULL;
	struct json_object *j;
	unsigned long ignored;

	if (!s || !s->submitted || (!a->out.json && a->out.verbose <= 0))
		return;
	ignored = s->unmatched + s->malformed + s->not_dev_key;
	j = mp_out_event(&a->out, MP_EVENT("config-summary"), -1);
#define FIELD(name, v) mp_out_event_add(j, name, json_object_new_int64((int64_t)(v)))
	FIELD("requests", s->submitted);
	FIELD("sent", s->sent);
	FIELD("retries", s->retries);
	FIELD("answered", s->answered);
	FIELD("failed_status", s->failed_status);
	FIELD("timed_out", s->timed_out);
	FIELD("ignored", ignored);
	FIELD("not_asked", s->unmatched_other);
	FIELD("other_address", s->unmatched_src);
	FIELD("late_duplicates", s->unmatched_late);
	FIELD("malformed", s->malformed);
	FIELD("not_device_key", s->not_dev_key);
#undef FIELD
	mp_out_event_end(&a->out, j, "config: %lu requests, %lu sent (%lu retries), %lu answered "
			 "(%lu with a failure status), %lu timed out; %lu answers ignored: %lu not "
			 "what was asked, %lu from another address, %lu late duplicates, "
			 "%lu malformed, %lu not under the device key",
			 s->submitted, s->sent, s->retries, s->answered, s->failed_status,
			 s->timed_out, ignored, s->unmatched_other, s->unmatched_src,
			 s->unmatched_late, s->malformed, s->not_dev_key);
}

void mp_cli_net_free(struct mp_cli_app *a)
{
	struct mp_cli_net *n = a->net;
	uint16_t addr;
	unsigned i;

	if (!n)
		return;
	mp_cli_proxy_free(a);
	if (a->out.verbose > 0 && n->link)
		mp_mesh_link_print_stats(n->link, stderr, "mesh: ");
	client_summary(a, n->client);
	/* Requests still queued (the shell quit while a node was silent):
	 * the client frees its own without done(), so end them first, for
	 * client_done() to free their contexts, unreported. */
	n->closing = true;
	for (addr = 1; addr <= 0x7fff && n->client && mp_cfg_client_pending(n->client, 0); addr++)
		if (mp_cfg_client_pending(n->client, addr))
			mp_cfg_client_cancel_node(n->client, addr);
	mp_cfg_client_free(n->client);
	if (n->model.timer)
		mp_loop_timer_cancel(a->loop, n->model.timer);
	for (i = 0; i < NET_TIMERS; i++)
		if (n->timers[i].slot)
			mp_loop_timer_cancel(a->loop, n->timers[i].slot);
	mp_mesh_link_free(n->link);
	free(n);
	a->net = NULL;
	mp_cmd_netkey_refresh_drop(a);	/* its requests are gone */
}

/* The keyring, the radio and the network, made once per run. */
static enum mp_cli_status need_net(struct mp_cli_app *a)
{
	struct mp_cfg_client_config cc = { .ops = &client_ops, .max_inflight = NET_TIMERS };
	struct mp_cfg_client_timing t = { 0 };
	struct mp_cli_net *n;
	enum mp_cli_status st;
	unsigned i;
	int err;

	st = mp_cli_need_keyring(a);
	if (!st)
		st = mp_cli_need_radio(a);
	if (st)
		return st;
	if (a->net)
		return mp_cli_proxy_need(a, a->net->link);	/* --bearer gatt */
	n = calloc(1, sizeof(*n));
	if (!n)
		return MP_CLI_FAILED;
	n->a = a;
	for (i = 0; i < NET_TIMERS; i++) {
		n->timers[i].n = n;
		n->timers[i].id = i;
	}
	err = mp_mesh_link_new(a->engine, a->loop, a->kr, NULL, &link_cb, n, &n->link);
	if (err < 0) {
		mp_out_error(&a->out, "cannot start the mesh network: %s", strerror(-err));
		free(n);
		return err == -ENOSPC || err == -EINVAL ? MP_CLI_FAILED : MP_CLI_KEYRING;
	}
	/* -t SECONDS: the wait for the first answer, segmented or not (the
	 * client backs off from it); without it the client's defaults. */
	if (a->o.timeout_s)
		t.timeout_ms = a->o.timeout_s * 1000u;
	cc.user = n;
	cc.timing = &t;
	cc.seg_timing = &t;
	n->client = mp_cfg_client_new(&cc);
	if (!n->client) {
		mp_mesh_link_free(n->link);
		free(n);
		return MP_CLI_FAILED;
	}
	a->net = n;
	return mp_cli_proxy_need(a, n->link);	/* --bearer gatt */
}

enum mp_cli_status mp_cli_net_need(struct mp_cli_app *a)
{
	return need_net(a);
}

struct mp_mesh_link *mp_cli_net_link(struct mp_cli_app *a)
{
	return a->net ? a->net->link : NULL;
}

int64_t mp_cli_net_submit(struct mp_cli_app *a, const struct mp_cfg_client_req *r,
			  mp_cli_net_done_fn fn, void *user)
{
	struct mp_cfg_client_req req = *r;
	struct req_ctx *ctx;
	int64_t id;

	if (!a->net || !fn)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->fn = fn;
	ctx->fn_user = user;
	req.ctx = ctx;
	id = mp_cfg_client_submit(a->net->client, &req);
	if (id < 0)
		free(ctx);
	return id;
}

void mp_cli_net_tap(struct mp_cli_app *a, bool (*tap)(void *user, const struct mp_mesh_rx_msg *m),
		    void *user)
{
	if (!a->net)
		return;
	a->net->tap = tap;
	a->net->tap_user = user;
}

/* The node @s names: a unicast address of a node in the keyring. */
static int node_arg(const struct mp_cli_args *args, struct mp_cli_app *a, const char *s,
		    uint16_t *addr)
{
	const struct mp_node *nd;

	if (mp_cli_parse_unicast(s, addr) < 0) {
		mp_cmd_err(args, "%s: not a unicast address (hex 0001-7fff)", s);
		return -EINVAL;
	}
	nd = mp_keyring_node_find(a->kr, *addr);
	if (!nd || !nd->has_dev_key) {
		mp_cmd_err(args, "%s: no such node in the keyring (see nodes)", s);
		return -ENOENT;
	}
	*addr = nd->addr;
	return 0;
}

/* A model: SIG "1000" or vendor "CID:ID", in hex. */
static int model_arg(const struct mp_cli_args *args, const char *s, struct mp_model_id *m)
{
	const char *colon = strchr(s, ':');
	uint32_t v, w;
	char cid[8];

	memset(m, 0, sizeof(*m));
	if (!colon) {
		if (mp_cli_parse_hex(s, 0xffff, &v) == 0) {
			m->id = (uint16_t)v;
			return 0;
		}
	} else if ((size_t)(colon - s) < sizeof(cid)) {
		memcpy(cid, s, (size_t)(colon - s));
		cid[colon - s] = '\0';
		if (mp_cli_parse_hex(cid, 0xffff, &v) == 0 &&
		    mp_cli_parse_hex(colon + 1, 0xffff, &w) == 0) {
			m->vendor = true;
			m->cid = (uint16_t)v;
			m->id = (uint16_t)w;
			return 0;
		}
	}
	mp_cmd_err(args, "%s: not a model (hex ID, or CID:ID for a vendor model)", s);
	return -EINVAL;
}

static int hex_arg(const struct mp_cli_args *args, const char *s, uint32_t max, const char *what,
		   uint32_t *out)
{
	if (mp_cli_parse_hex(s, max, out) == 0)
		return 0;
	mp_cmd_err(args, "%s: not %s (hex, at most %x)", s, what, max);
	return -EINVAL;
}

/* An address, a virtual label or a group's name (group add makes them). */
static int group_arg(const struct mp_cli_args *args, struct mp_cli_app *a, const char *s,
		     struct mp_nc_addr *out)
{
	int r = mp_cli_parse_addr_or_group(a->kr, s, out);

	if (r == -ENOENT)
		mp_cmd_err(args, "%s: no group of that name and not an address ('group list' "
			   "shows the groups)", s);
	else if (r < 0)
		mp_cmd_err(args, "%s: not an address, a virtual label or a group's name", s);
	return r < 0 ? r : 0;
}

/* Element @s of the node at @node: an index (0 = primary) or its address. */
static int elem_arg(const struct mp_cli_args *args, struct mp_cli_app *a, uint16_t node,
		    const char *s, uint16_t *elem_addr)
{
	const struct mp_node *nd = mp_keyring_node_find(a->kr, node);
	uint32_t v;

	if (hex_arg(args, s, 0x7fff, "an element", &v) < 0)
		return -EINVAL;
	if (nd && v < nd->elements)
		v += node;
	if (!nd || v < nd->addr || v >= (uint32_t)nd->addr + nd->elements) {
		mp_cmd_err(args, "%s: node %04x has no such element", s, node);
		return -EINVAL;
	}
	*elem_addr = (uint16_t)v;
	return 0;
}

/* Submit @m to @dst and, outside the shell, wait until it ended; @label:
 * the Label UUID of a virtual subscription or publication (NULL: none). */
static enum mp_cli_status submit_label(struct mp_cli_app *a, uint16_t dst,
				       const struct mp_cfg_msg *m, enum after after,
				       uint16_t app_idx, const uint8_t *label)
{
	struct mp_cfg_client_req r = { .dst = dst, .net_idx = 0, .msg = m };
	const struct mp_node *nd = mp_keyring_node_find(a->kr, dst);
	struct req_ctx *ctx = calloc(1, sizeof(*ctx));
	struct mp_cli_net *n = a->net;
	int64_t id;

	if (!ctx)
		return MP_CLI_FAILED;
	ctx->after = after;
	ctx->app_idx = app_idx;
	if (label) {
		ctx->virt = true;
		memcpy(ctx->label, label, sizeof(ctx->label));
	}
	r.ctx = ctx;
	if (nd && nd->n_net_keys)
		r.net_idx = nd->net_keys[0];
	n->failed = 0;
	id = mp_cfg_client_submit(n->client, &r);
	if (id < 0) {
		free(ctx);
		mp_out_error(&a->out, "node %04x: cannot queue the request: %s", dst,
			     strerror((int)-id));
		return MP_CLI_FAILED;
	}
	if (a->mode == MP_CLI_SHELL)
		return MP_CLI_OK;
	while (mp_cfg_client_pending(n->client, dst) && !a->radio_lost && !a->interrupted)
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	if (a->radio_lost)
		return MP_CLI_RADIO;
	if (a->interrupted)
		return MP_CLI_INTERRUPTED;
	return n->failed ? MP_CLI_FAILED : MP_CLI_OK;
}

static enum mp_cli_status submit(struct mp_cli_app *a, uint16_t dst, const struct mp_cfg_msg *m,
				 enum after after, uint16_t app_idx)
{
	return submit_label(a, dst, m, after, app_idx, NULL);
}

/* Every command: the network up, the node named by argv[0]. */
static enum mp_cli_status begin(struct mp_cli_app *a, const struct mp_cli_args *args,
				uint16_t *node)
{
	enum mp_cli_status st = mp_cli_need_keyring(a);

	if (st)
		return st;
	if (node_arg(args, a, args->argv[0], node) < 0)
		return MP_CLI_USAGE;
	return need_net(a);
}

/* ---- the handlers ---- */

enum mp_cli_status mp_cmd_cfg_composition(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cfg_msg m;
	uint16_t node;
	enum mp_cli_status st = begin(a, args, &node);

	if (st)
		return st;
	mp_cfg_req_composition_get(&m, 0);
	return submit(a, node, &m, AFTER_NONE, 0);
}

enum mp_cli_status mp_cmd_cfg_appkey_add(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const struct mp_appkey *k;
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node;
	uint32_t idx;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (hex_arg(args, args->argv[1], 0xfff, "an AppKey index", &idx) < 0)
		return MP_CLI_USAGE;
	k = mp_keyring_appkey(a->kr, (uint16_t)idx);
	if (!k) {
		mp_cmd_err(args, "%s: no such AppKey in the keyring (see appkey list, "
			   "appkey create)", args->argv[1]);
		return MP_CLI_USAGE;
	}
	/* The stack sends on the key's subnet; load a key made after start. */
	mp_mesh_link_app_key_load(a->net->link, k->index);
	mp_cfg_req_appkey_add(&m, k->net_index, k->index, k->key);
	st = submit(a, node, &m, AFTER_APPKEY_ADDED, k->index);
	mp_wipe(m.key, sizeof(m.key));
	return st;
}

/* appkey list: the keyring's, or with ADDR the node's (AppKey Get). */
enum mp_cli_status mp_cmd_cfg_appkey_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node;

	if (args->argc == 0)
		return mp_cmd_appkey_list(a, args);
	st = begin(a, args, &node);
	if (st)
		return st;
	mp_cfg_req_appkey_get(&m, 0);
	return submit(a, node, &m, AFTER_NONE, 0);
}

static enum mp_cli_status bind_common(struct mp_cli_app *a, const struct mp_cli_args *args,
				      bool bind)
{
	struct mp_model_id model;
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node, elem;
	uint32_t idx;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (elem_arg(args, a, node, args->argv[1], &elem) < 0 ||
	    model_arg(args, args->argv[2], &model) < 0 ||
	    hex_arg(args, args->argv[3], 0xfff, "an AppKey index", &idx) < 0)
		return MP_CLI_USAGE;
	mp_cfg_req_model_app(&m, bind, elem, (uint16_t)idx, &model);
	return submit(a, node, &m, AFTER_NONE, 0);
}

enum mp_cli_status mp_cmd_cfg_bind(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return bind_common(a, args, true);
}

enum mp_cli_status mp_cmd_cfg_unbind(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return bind_common(a, args, false);
}

static enum mp_cli_status sub_common(struct mp_cli_app *a, const struct mp_cli_args *args,
				     uint32_t opcode)
{
	struct mp_model_id model;
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node, elem;
	uint32_t group = 0;
	struct mp_nc_addr ga;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (elem_arg(args, a, node, args->argv[1], &elem) < 0 ||
	    model_arg(args, args->argv[2], &model) < 0)
		return MP_CLI_USAGE;
	if (opcode) {
		if (args->argc < 4) {
			mp_cmd_err(args, "a group address is needed");
			return MP_CLI_USAGE;
		}
		if (group_arg(args, a, args->argv[3], &ga) < 0)
			return MP_CLI_USAGE;
		group = ga.addr;
		if (!ga.virt && (group < 0xc000 || group == 0xffff)) {
			mp_cmd_err(args, "%s: not a group address (c000-fffe), a virtual label or "
				   "a group's name", args->argv[3]);
			return MP_CLI_USAGE;
		}
		mp_cfg_req_sub(&m, opcode, elem, (uint16_t)group, ga.virt ? ga.label : NULL,
			       &model);
		return submit_label(a, node, &m, AFTER_NONE, 0, ga.virt ? ga.label : NULL);
	} else {
		mp_cfg_req_sub_get(&m, elem, &model);
	}
	return submit(a, node, &m, AFTER_NONE, 0);
}

enum mp_cli_status mp_cmd_cfg_sub_add(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return sub_common(a, args, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD);
}

enum mp_cli_status mp_cmd_cfg_sub_del(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return sub_common(a, args, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE);
}

enum mp_cli_status mp_cmd_cfg_sub_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return sub_common(a, args, 0);
}

enum mp_cli_status mp_cmd_cfg_pub_get(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_model_id model;
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node, elem;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (elem_arg(args, a, node, args->argv[1], &elem) < 0 ||
	    model_arg(args, args->argv[2], &model) < 0)
		return MP_CLI_USAGE;
	mp_cfg_req_pub_get(&m, elem, &model);
	return submit(a, node, &m, AFTER_NONE, 0);
}

/* pub set ADDR ELEMENT MODEL PUBADDR APPIDX [TTL]: no period, no retransmit. */
enum mp_cli_status mp_cmd_cfg_pub_set(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cfg_pub pub = { .ttl = MP_CFG_TTL_DEFAULT };
	struct mp_nc_addr pa;
	struct mp_model_id model;
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node, elem;
	uint32_t v, idx, ttl = MP_CFG_TTL_DEFAULT;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (elem_arg(args, a, node, args->argv[1], &elem) < 0 ||
	    model_arg(args, args->argv[2], &model) < 0 ||
	    group_arg(args, a, args->argv[3], &pa) < 0 ||
	    hex_arg(args, args->argv[4], 0xfff, "an AppKey index", &idx) < 0)
		return MP_CLI_USAGE;
	v = pa.addr;
	if (args->argc > 5 && mp_cli_parse_uint(args->argv[5], 127, &ttl) < 0) {
		mp_cmd_err(args, "%s: not a TTL (0-127)", args->argv[5]);
		return MP_CLI_USAGE;
	}
	pub.addr = (uint16_t)v;
	pub.app_idx = (uint16_t)idx;
	pub.ttl = (uint8_t)ttl;
	mp_cfg_req_pub_set(&m, elem, &pub, pa.virt ? pa.label : NULL, &model);
	return submit_label(a, node, &m, AFTER_NONE, 0, pa.virt ? pa.label : NULL);
}

/* A one-octet state: Get with ADDR only, Set with a value. */
static enum mp_cli_status state_common(struct mp_cli_app *a, const struct mp_cli_args *args,
				       uint32_t get, uint32_t set, bool onoff)
{
	struct mp_cfg_msg m;
	enum mp_cli_status st;
	uint16_t node;
	uint32_t v = 0;

	st = begin(a, args, &node);
	if (st)
		return st;
	if (args->argc < 2) {
		mp_cfg_req_state(&m, get, 0);
		return submit(a, node, &m, AFTER_NONE, 0);
	}
	if (onoff) {
		if (!strcmp(args->argv[1], "on")) {
			v = MP_CFG_ENABLED;
		} else if (!strcmp(args->argv[1], "off")) {
			v = MP_CFG_DISABLED;
		} else {
			mp_cmd_err(args, "%s: say on or off", args->argv[1]);
			return MP_CLI_USAGE;
		}
	} else if (mp_cli_parse_uint(args->argv[1], 127, &v) < 0 || v == 1) {
		mp_cmd_err(args, "%s: not a Default TTL (0, or 2-127)", args->argv[1]);
		return MP_CLI_USAGE;
	}
	if (set == MP_CFG_OP_RELAY_SET)
		mp_cfg_req_relay_set(&m, (uint8_t)v, MP_CFG_XMIT(2, 1));
	else
		mp_cfg_req_state(&m, set, (uint8_t)v);
	return submit(a, node, &m, AFTER_NONE, 0);
}

enum mp_cli_status mp_cmd_cfg_ttl(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return state_common(a, args, MP_CFG_OP_DEFAULT_TTL_GET, MP_CFG_OP_DEFAULT_TTL_SET, false);
}

enum mp_cli_status mp_cmd_cfg_relay(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cfg_msg m;
	uint16_t node;
	enum mp_cli_status st;

	if (args->argc >= 2)
		return state_common(a, args, MP_CFG_OP_RELAY_GET, MP_CFG_OP_RELAY_SET, true);
	st = begin(a, args, &node);
	if (st)
		return st;
	mp_cfg_req_relay_get(&m);
	return submit(a, node, &m, AFTER_NONE, 0);
}

enum mp_cli_status mp_cmd_cfg_proxy(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return state_common(a, args, MP_CFG_OP_GATT_PROXY_GET, MP_CFG_OP_GATT_PROXY_SET, true);
}

enum mp_cli_status mp_cmd_cfg_beacon(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return state_common(a, args, MP_CFG_OP_BEACON_GET, MP_CFG_OP_BEACON_SET, true);
}

enum mp_cli_status mp_cmd_cfg_node_reset(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cfg_msg m;
	uint16_t node;
	enum mp_cli_status st = begin(a, args, &node);

	if (st)
		return st;
	mp_cfg_req_node_reset(&m);
	return submit(a, node, &m, AFTER_RESET, 0);
}

/* ---- model messages: Health Attention, Generic OnOff ---- */

static void model_send(struct mp_cli_net *n);

static void model_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_net *n = data;

	(void)loop;
	(void)id;
	n->model.timer = 0;
	if (!n->model.active)
		return;
	if (n->model.group && (!n->model.n_want || n->model.tries >= MODEL_TRIES)) {
		/* nobody recorded as subscribed: one window, some answer wanted */
		n->model.active = false;
		if (n->model.n_want ? group_missing(n, &n->a->out) > 0 : !n->model.n_heard) {
			n->failed++;
			if (!n->model.n_want)
				mp_out_error(&n->a->out, "group %04x: no answer", n->model.dst);
		}
		return;
	}
	if (n->model.tries >= MODEL_TRIES) {
		n->model.active = false;
		n->failed++;
		mp_out_error(&n->a->out, "node %04x: no answer after %u tries", n->model.dst,
			     n->model.tries);
		return;
	}
	model_send(n);
}

static void model_send(struct mp_cli_net *n)
{
	uint32_t wait = MODEL_TIMEOUT_MS << (n->model.tries < 3 ? n->model.tries : 2);

	n->model.tries++;
	mp_mesh_link_send(n->link, n->model.dst, n->model.net_idx, n->model.app_idx,
			  n->model.msg, n->model.len);
	mp_loop_timer_set(n->a->loop, &n->model.timer, wait, model_timer_fired, n);
}

/* The AppKey to use with node @node: --appkey, else the first the keyring
 * says the node holds. */
static int model_key(struct mp_cli_app *a, const struct mp_cli_args *args, uint16_t node,
		     uint16_t *app_idx, uint16_t *net_idx)
{
	const char *v = mp_cli_arg(args, "--appkey");
	const struct mp_node *nd = mp_keyring_node_find(a->kr, node);
	const struct mp_appkey *k;
	uint32_t idx;

	if (v) {
		if (hex_arg(args, v, 0xfff, "an AppKey index", &idx) < 0)
			return -EINVAL;
	} else if (nd && nd->n_app_keys) {
		idx = nd->app_keys[0];
	} else {
		mp_cmd_err(args, "node %04x holds no AppKey the keyring knows of "
			   "(appkey add, or --appkey INDEX)", node);
		return -ENOENT;
	}
	k = mp_keyring_appkey(a->kr, (uint16_t)idx);
	if (!k) {
		mp_cmd_err(args, "%03x: no such AppKey in the keyring", (unsigned)idx);
		return -ENOENT;
	}
	*app_idx = k->index;
	*net_idx = k->net_index;
	return 0;
}

/* Send @msg to @node (unicast, or a group: then every node's answer is
 * shown, and the @n_want nodes of @want are waited for) until answered. */
static enum mp_cli_status model_request(struct mp_cli_app *a, uint16_t node, uint16_t app_idx,
					uint16_t net_idx, const uint8_t *msg, size_t len,
					uint32_t status_op, const uint16_t *want, size_t n_want)
{
	struct mp_cli_net *n = a->net;

	if (n->model.active) {
		mp_out_error(&a->out, "node %04x: a model request is still waiting for its answer",
			     n->model.dst);
		return MP_CLI_FAILED;
	}
	if (mp_mesh_link_app_key_load(n->link, app_idx) < 0) {
		mp_out_error(&a->out, "AppKey %03x cannot be used", app_idx);
		return MP_CLI_FAILED;
	}
	memset(&n->model, 0, sizeof(n->model));
	n->model.active = true;
	n->model.dst = node;
	n->model.app_idx = app_idx;
	n->model.net_idx = net_idx;
	n->model.status_op = status_op;
	memcpy(n->model.msg, msg, len);
	n->model.len = len;
	n->model.group = node >= 0xc000;
	n->model.n_want = n_want < MODEL_GROUP_MAX ? n_want : MODEL_GROUP_MAX;
	if (n->model.n_want)
		memcpy(n->model.want, want, n->model.n_want * sizeof(*want));
	n->failed = 0;
	model_send(n);
	if (a->mode == MP_CLI_SHELL)
		return MP_CLI_OK;
	while (n->model.active && !a->radio_lost && !a->interrupted)
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	if (a->radio_lost)
		return MP_CLI_RADIO;
	if (a->interrupted)
		return MP_CLI_INTERRUPTED;
	return n->failed ? MP_CLI_FAILED : MP_CLI_OK;
}

/* attention: MP_CMD_KEYRING_WRITE, the keyring is open */
enum mp_cli_status mp_cmd_attention(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_health_attention h = { .opcode = MP_HEALTH_OP_ATTENTION_SET };
	uint16_t node, app_idx, net_idx;
	uint8_t buf[16];
	uint32_t secs;
	int len;
	enum mp_cli_status st;

	if (node_arg(args, a, args->argv[0], &node) < 0)
		return MP_CLI_USAGE;
	if (mp_cli_parse_uint(args->argv[1], 255, &secs) < 0) {
		mp_cmd_err(args, "%s: not a number of seconds (0-255)", args->argv[1]);
		return MP_CLI_USAGE;
	}
	if (model_key(a, args, node, &app_idx, &net_idx) < 0)
		return MP_CLI_USAGE;
	st = need_net(a);
	if (st)
		return st;
	h.attention = (uint8_t)secs;
	len = mp_health_attention_encode(&h, buf, sizeof(buf));
	if (len < 0)
		return MP_CLI_FAILED;
	return model_request(a, node, app_idx, net_idx, buf, (size_t)len,
			     MP_HEALTH_OP_ATTENTION_STATUS, NULL, 0);
}

/* onoff: MP_CMD_KEYRING_WRITE, the keyring is open */
/* A group for onoff: its address (hex c000-ffff) or a group's name (not
 * virtual). */
static int onoff_group(struct mp_cli_app *a, const char *s, uint16_t *addr)
{
	const struct mp_group *g;
	uint32_t v;

	if (mp_cli_parse_hex(s, 0xffff, &v) == 0) {
		if (v < 0xc000)
			return -EINVAL;
		*addr = (uint16_t)v;
		return 0;
	}
	g = mp_keyring_group_find_name(a->kr, s);
	if (!g || g->addr.virt || g->addr.addr < 0xc000)
		return -ENOENT;
	*addr = g->addr.addr;
	return 0;
}

/* The elements whose Generic OnOff Server the keyring records as subscribed
 * to @group, their addresses into @want (MODEL_GROUP_MAX at most): those a
 * group Set waits for (each answers from its own element's address). */
static size_t onoff_subscribers(struct mp_cli_app *a, uint16_t group, uint16_t *want)
{
	size_t i, n = 0;

	for (i = 0; i < mp_keyring_node_count(a->kr); i++) {
		const struct mp_node *nd = mp_keyring_node_at(a->kr, i);
		const struct mp_node_config *c = nd ? nd->config : NULL;
		size_t e, m, k;

		for (e = 0; c && e < c->n_elements; e++) {
			const struct mp_nc_element *el = &c->elements[e];
			bool found = false;

			for (m = 0; m < el->n_models && !found; m++) {
				const struct mp_nc_model *md = &el->models[m];

				if (md->company != MP_NC_SIG || md->id != 0x1000)
					continue;
				for (k = 0; k < md->n_sub && !found; k++)
					found = !md->sub[k].virt && md->sub[k].addr == group;
			}
			if (found && n < MODEL_GROUP_MAX)
				want[n++] = (uint16_t)(nd->addr + e);
		}
	}
	return n;
}

enum mp_cli_status mp_cmd_onoff(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_onoff_msg m = { .opcode = MP_ONOFF_OP_SET };
	uint16_t node, app_idx, net_idx, want[MODEL_GROUP_MAX];
	size_t n_want = 0;
	uint8_t buf[16];
	int len;
	enum mp_cli_status st;

	if (onoff_group(a, args->argv[0], &node) == 0) {
		n_want = onoff_subscribers(a, node, want);
		if (!mp_cli_arg(args, "--appkey")) {
			mp_cmd_err(args, "%s: a group: say which AppKey (--appkey INDEX)",
				   args->argv[0]);
			return MP_CLI_USAGE;
		}
	} else if (node_arg(args, a, args->argv[0], &node) < 0) {
		return MP_CLI_USAGE;
	}
	if (strcmp(args->argv[1], "on") && strcmp(args->argv[1], "off")) {
		mp_cmd_err(args, "%s: say on or off", args->argv[1]);
		return MP_CLI_USAGE;
	}
	if (model_key(a, args, node, &app_idx, &net_idx) < 0)
		return MP_CLI_USAGE;
	st = need_net(a);
	if (st)
		return st;
	m.onoff = !strcmp(args->argv[1], "on");
	/* A new TID per Set: a retransmission of one Set keeps its TID. */
	m.tid = ++a->net->tid;
	len = mp_onoff_encode(&m, buf, sizeof(buf));
	if (len < 0)
		return MP_CLI_FAILED;
	return model_request(a, node, app_idx, net_idx, buf, (size_t)len, MP_ONOFF_OP_STATUS,
			     want, n_want);
}
