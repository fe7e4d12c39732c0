/* A building on the simulator: N simulated devices provisioned by the real
 * engine over PB-ADV and configured, each as soon as it is provisioned, by
 * the real Configuration Client through the provisioner's network
 * (engine/mesh_link.h) with the profile examples/rooms.json, everything in
 * one event loop on a fake clock (issue #14, "Benchmark").
 *
 * The radio model (sim/radio.h, stated again in the output):
 *   - one hop: every advertisement of the provisioner reaches every device,
 *     every device's reaches the provisioner (nodes do not hear each other,
 *     so nothing is relayed);
 *   - each copy, per receiver, is lost with LOSS_PCT % independently, and
 *     delayed by LATENCY_MS plus a jitter drawn uniformly in
 *     [0, JITTER_MS] (a per-copy draw, so copies also arrive reordered);
 *   - the provisioner's advertiser is modelled as a queue: each
 *     advertisement occupies it AIRTIME_MS (one advertising event), senders
 *     (PB-ADV links, the network bearer) in turn as hci/ does (the same one
 *     never twice in a row while another waits), a repetition of a PDU
 *     still waiting not queued twice, at most AIR_QUEUE_MAX waiting; the
 *     nodes each have their own advertiser and no airtime limit; no
 *     collisions, and meshprov hears while it advertises. hci/ itself sends
 *     each PDU as a burst of 3 events 20 ms apart by default (60 ms): a
 *     row with that airtime, and one without any, are printed too;
 *   - Network PDUs go out with the Network Transmit of the sender
 *     (meshprov: mesh_link's default, nodes: what the profile sets), PB-ADV
 *     with the bearer's own retransmissions; at most the engine's default
 *     number of provisioning links at once.
 *
 * The devices: room r (ROOM_SIZE devices each) holds lights of 1 to 3
 * elements (Generic OnOff Server on each, relay and proxy features) and
 * switches (Generic OnOff Client); the batch column "room" selects the
 * rules of rooms.json: every node gets AppKey "building", Default TTL,
 * beacon and Network Transmit; lights bind and subscribe their OnOff
 * Servers to the group room-R and relay and proxy; switches bind and
 * publish to it.
 *
 * Per node: first seen (its first beacon heard) -> provisioned ->
 * Composition Data Get -> the reconciler's plan submitted -> every request
 * answered with Success = configured. The plan goes to the Configuration
 * Client with its dependencies: a Bind after the AppKey Add, a Publication
 * Set after the Bind of its model; Subscription Adds and settings after
 * nothing (they need no key; the node's queue still sends them in order). Printed: the figures; checked: every
 * node holds what the profile says, read back from the simulated nodes'
 * own Configuration Servers (their state, through their own handler),
 * and the bench exits 1 when one does not. No timed assertion.
 *
 * STAND-IN: the per-node driving below (configure_start, plan_submit,
 * client_done) is a minimal local profile runner, to be replaced by the
 * real one (src/profile/run.c, `configure --profile`) when it lands; it
 * records nothing in the keyring and knows only what this bench needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adv/adv.h"
#include "config/client.h"
#include "config/comp.h"
#include "config/msg.h"
#include "core/loop.h"
#include "crypto/crypto.h"
#include "engine/engine.h"
#include "engine/mesh_link.h"
#include "profile/profile.h"
#include "sim/node.h"
#include "sim/node_cfg.h"
#include "sim/radio.h"
#include "store/keyring.h"
#include "store/nodes.h"

/* ---- the model's parameters ---- */
#define SEED 0x6d65736862656e63ull
#define LOSS_PCT 10
#define LATENCY_MS 10
#define JITTER_MS 20
#define AIRTIME_MS 20
#define AIR_QUEUE_MAX 256	/* PDUs waiting at most: hci/'s adv_queue_max default */
#define ROOM_SIZE 10
#define APP_IDX 0		/* the AppKey "building" */
#define GROUP_BASE 0xc000
#define MAX_GROUPS 128
#define SIM_LIMIT_MS (3600ull * 1000)	/* give up after an hour of simulated time */

/* Device i's composition is comps[i % N_COMPS]: per room of 10, 8 lights
 * and 2 switches. */
#define N_COMPS 5
static struct mp_sim_comp comps[N_COMPS];

static bool is_switch(unsigned int i)
{
	return i % N_COMPS == N_COMPS - 1;
}

static void comps_init(void)
{
	static const unsigned int light_elems[N_COMPS - 1] = { 2, 1, 3, 1 };
	unsigned int k;

	for (k = 0; k < N_COMPS - 1; k++) {
		mp_sim_node_default_comp(&comps[k], light_elems[k]);
		comps[k].features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY;
	}
	/* a switch: the Configuration Server and a Generic OnOff Client */
	mp_sim_node_default_comp(&comps[k], 1);
	comps[k].pid = 2;
	comps[k].elements[0].n_models = 2;
	comps[k].elements[0].models[1].id = 0x1001;
}

/* ---- the world ---- */

enum bstate {
	B_UNSEEN,
	B_QUEUED,		/* seen, waiting for a provisioning link */
	B_PROVISIONING,
	B_PROVISIONED,		/* its configuration not started yet */
	B_COMP,			/* Composition Data Get outstanding */
	B_CONFIGURING,		/* the plan's requests outstanding */
	B_DONE,
	B_FAILED,
};

struct bnode {
	unsigned int index;
	enum bstate st;
	uint8_t uuid[16];
	char room[16];
	uint16_t addr;
	uint64_t seen_ms, prov_ms, conf_ms;
	struct mp_comp0 *comp;
	struct mp_profile_state state;	/* what the answers taught */
	struct mp_profile_plan plan;
	uint32_t *ids;			/* the client's id of each op of the plan */
	unsigned int outstanding;	/* requests of the plan not ended */
	unsigned int failed;		/* of which failed */
};

/* What a request carries back to client_done(). */
struct req {
	struct bnode *n;
	int op;			/* index in n->plan.ops, or -1: Composition Data Get */
};

struct group {
	char name[40];
	uint16_t addr;
};

/* The provisioner's advertiser (see the top): one queue, senders in turn. */
struct airq_pdu {
	struct airq_pdu *next;
	uint32_t sender;
	uint8_t len;
	uint8_t ad[31];
};

struct bench;

/* One of the Configuration Client's timers on the loop. */
struct ctimer {
	struct bench *b;
	unsigned int id;
	int64_t slot;
};

struct bench {
	unsigned int ndev;
	unsigned int airtime_ms;		/* 0: no queue, no airtime */
	uint64_t rng;				/* the engine's random source */
	struct mp_rng engine_rng;
	uint64_t now;
	struct mp_loop *loop;
	struct mp_keyring *kr;
	struct mp_sim_radio *radio;
	struct mp_radio sim;			/* the sim radio under the tap */
	struct mp_radio_ops tap_ops;
	const struct mp_radio_receiver *rcv;	/* the engine's */
	void *rcv_user;
	struct mp_engine *engine;
	struct mp_mesh_link *link;
	struct mp_cfg_client *client;
	struct ctimer ctimers[MP_CFG_CLIENT_INFLIGHT];
	struct mp_profile *profile;
	struct group groups[MAX_GROUPS];
	unsigned int n_groups;
	struct bnode *n;
	unsigned int *queue;			/* seen, waiting for a link */
	unsigned int q_head, q_tail;
	unsigned int done, failed;
	unsigned int to_configure;		/* provisioned, configuration not started */
	uint64_t t0;
	/* the advertiser */
	struct airq_pdu *air_head, *air_tail;
	unsigned int air_len;
	int64_t air_timer;
	uint32_t air_last;
	/* counters */
	unsigned long tx_pbadv, tx_net;		/* provisioner's advertisements on the air */
	unsigned long tx_collapsed;		/* repetitions not queued twice */
	unsigned long tx_refused;		/* the queue was full */
	unsigned long heard_beacon, heard_pbadv, heard_net;
	unsigned long prov_failures;
	unsigned long unexpected;
};

static uint64_t bench_clock(void *data)
{
	return ((struct bench *)data)->now;
}

static struct bnode *node_by_uuid(struct bench *b, const uint8_t uuid[16])
{
	unsigned int i;

	for (i = 0; i < b->ndev; i++)
		if (!memcmp(b->n[i].uuid, uuid, 16))
			return &b->n[i];
	return NULL;
}

/* ---- the tap: the advertiser's queue, and what is heard ---- */

static void air_next(struct bench *b);

static void air_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct bench *b = data;

	(void)loop;
	(void)id;
	b->air_timer = 0;
	air_next(b);
}

/* Put the next PDU on the air: the first in the queue whose sender is not
 * the one served last, or the first when no other sender waits (turns). */
static void air_next(struct bench *b)
{
	struct airq_pdu **pp = &b->air_head, *p, *prev = NULL;

	if (b->air_timer || !b->air_head)
		return;
	for (p = b->air_head; p; prev = p, p = p->next)
		if (p->sender != b->air_last)
			break;
	if (!p) {
		p = b->air_head;
		prev = NULL;
	}
	pp = prev ? &prev->next : &b->air_head;
	*pp = p->next;
	if (b->air_tail == p)
		b->air_tail = prev;
	b->air_len--;
	b->air_last = p->sender;
	if (p->len >= 2 && p->ad[1] == MP_AD_PB_ADV)
		b->tx_pbadv++;
	else
		b->tx_net++;
	b->sim.ops->advertise(b->sim.ctx, p->ad, p->len, p->sender);
	free(p);
	mp_loop_timer_set(b->loop, &b->air_timer, b->airtime_ms, air_fired, b);
}

static int tap_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	struct bench *b = ctx;
	struct airq_pdu *p;

	if (len > sizeof(p->ad))
		return -EMSGSIZE;
	if (!b->airtime_ms) {
		/* no airtime: everything on the air at once */
		if (len >= 2 && ad[1] == MP_AD_PB_ADV)
			b->tx_pbadv++;
		else
			b->tx_net++;
		return b->sim.ops->advertise(b->sim.ctx, ad, len, sender);
	}
	for (p = b->air_head; p; p = p->next)
		if (p->sender == sender && p->len == len && !memcmp(p->ad, ad, len)) {
			b->tx_collapsed++;
			return 0;
		}
	if (b->air_len >= AIR_QUEUE_MAX) {
		b->tx_refused++;
		return -ENOBUFS;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->sender = sender;
	p->len = (uint8_t)len;
	memcpy(p->ad, ad, len);
	if (b->air_tail)
		b->air_tail->next = p;
	else
		b->air_head = p;
	b->air_tail = p;
	b->air_len++;
	air_next(b);
	return 0;
}

/* What @sender queued and is not on the air yet is not sent (the
 * controller's mp_hci_adv_cancel), nor what the sim radio still holds. */
static void tap_forget(void *ctx, uint32_t sender)
{
	struct bench *b = ctx;
	struct airq_pdu **pp = &b->air_head, *prev = NULL;

	while (*pp) {
		struct airq_pdu *p = *pp;

		if (p->sender != sender) {
			prev = p;
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		if (b->air_tail == p)
			b->air_tail = prev;
		b->air_len--;
		free(p);
	}
	b->sim.ops->forget(b->sim.ctx, sender);
}

static int tap_attach(void *ctx, const struct mp_radio_receiver *rcv, void *user)
{
	struct bench *b = ctx;

	b->rcv = rcv;
	b->rcv_user = user;
	return 0;
}

static int tap_scan(void *ctx, bool on)
{
	struct bench *b = ctx;

	return b->sim.ops->scan(b->sim.ctx, on);
}

static void tap_report(void *user, const struct mp_adv_report *r)
{
	struct bench *b = user;

	if (r->len >= 3 && r->data[1] == MP_AD_MESH_BEACON && r->data[2] == 0x00)
		b->heard_beacon++;
	else if (r->len >= 2 && r->data[1] == MP_AD_PB_ADV)
		b->heard_pbadv++;
	else if (r->len >= 2 && r->data[1] == MP_AD_MESH_MESSAGE)
		b->heard_net++;
	if (b->rcv && b->rcv->report)
		b->rcv->report(b->rcv_user, r);
}

static const struct mp_radio_receiver tap_receiver = { tap_report, NULL };

/* ---- the profile's view of the keyring: one AppKey, groups on first use ---- */

static int lk_appkey(void *user, const char *name, int index, uint16_t *app_idx,
		     uint16_t *net_idx)
{
	(void)user;
	if ((name && strcmp(name, "building")) || (!name && index != APP_IDX))
		return -ENOENT;
	*app_idx = APP_IDX;
	*net_idx = 0;
	return 0;
}

static int lk_group(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt)
{
	struct bench *b = user;
	unsigned int i;

	(void)label;
	*virt = false;
	for (i = 0; i < b->n_groups; i++)
		if (!strcmp(b->groups[i].name, name)) {
			*addr = b->groups[i].addr;
			return 0;
		}
	return -ENOENT;
}

static int group_create(struct bench *b, const char *name)
{
	uint16_t addr;
	uint8_t label[16];
	bool virt;

	if (!lk_group(b, name, &addr, label, &virt))
		return 0;
	if (b->n_groups == MAX_GROUPS || strlen(name) >= sizeof(b->groups[0].name))
		return -ENOSPC;
	snprintf(b->groups[b->n_groups].name, sizeof(b->groups[0].name), "%s", name);
	b->groups[b->n_groups].addr = (uint16_t)(GROUP_BASE + b->n_groups);
	b->n_groups++;
	return 0;
}

static struct mp_profile_lookup lookup(struct bench *b)
{
	struct mp_profile_lookup lk = { .appkey = lk_appkey, .group = lk_group, .user = b };

	return lk;
}

/* ---- the stand-in runner: comp get -> reconcile -> submit ---- */

static int submit(struct bench *b, struct bnode *n, const struct mp_cfg_msg *m, int op,
		  uint32_t after)
{
	struct mp_cfg_client_req r = { .dst = n->addr, .net_idx = 0, .msg = m, .after = after };
	struct req *ctx = calloc(1, sizeof(*ctx));
	int64_t id;

	if (!ctx)
		return -ENOMEM;
	ctx->n = n;
	ctx->op = op;
	r.ctx = ctx;
	id = mp_cfg_client_submit(b->client, &r);
	if (id < 0) {
		free(ctx);
		return (int)id;
	}
	n->outstanding++;
	return (int)id;
}

static void configure_start(struct bench *b, struct bnode *n)
{
	struct mp_cfg_msg m;

	mp_cfg_req_composition_get(&m, 0);
	n->st = B_COMP;
	if (submit(b, n, &m, -1, 0) < 0) {
		fprintf(stderr, "bench_building: node %04x: cannot submit\n", n->addr);
		n->st = B_FAILED;
	}
}

static int reconcile(struct bench *b, struct bnode *n, const struct mp_profile_state *st,
		     struct mp_profile_plan *plan)
{
	struct mp_profile_column col = { "room", n->room };
	struct mp_profile_node pn = { .comp = n->comp, .addr = n->addr, .has_uuid = true,
				      .columns = &col, .n_columns = 1 };
	struct mp_profile_lookup lk = lookup(b);

	memcpy(pn.uuid, n->uuid, 16);
	return mp_profile_reconcile(b->profile, &pn, st, &lk, plan);
}

/* The plan in dependency order: a Bind comes after the AppKey Add of its
 * key, a Publication Set after the Bind of its model with its key (or the
 * AppKey Add of that key); the rest after nothing (the node's queue still
 * sends them one at a time, in the plan's order). */
static int plan_submit(struct bench *b, struct bnode *n)
{
	uint32_t key_add = 0;
	size_t i, j;
	int err;

	err = reconcile(b, n, &n->state, &n->plan);
	for (i = 0; !err && i < n->plan.n_groups; i++)
		err = group_create(b, n->plan.groups[i]);
	if (!err && n->plan.n_groups) {
		/* the groups exist now; the reconciler zeroes a plan, it does
		 * not free one */
		mp_profile_plan_clear(&n->plan);
		err = reconcile(b, n, &n->state, &n->plan);
	}
	if (err)
		return err;
	if (!n->plan.n_matched || !n->plan.n_ops)
		return -ENOMSG;		/* every node of this building has rules to apply */
	n->ids = calloc(n->plan.n_ops, sizeof(*n->ids));
	if (!n->ids)
		return -ENOMEM;
	n->st = B_CONFIGURING;
	for (i = 0; i < n->plan.n_ops; i++) {
		struct mp_cfg_msg *m = &n->plan.ops[i].msg;
		const struct mp_appkey *k;
		uint32_t after = 0;
		int id;

		switch (m->opcode) {
		case MP_CFG_OP_APPKEY_ADD:
			/* the plan leaves the key to the caller: the keyring's */
			k = mp_keyring_appkey(b->kr, m->app_idx);
			if (!k || m->app_idx != APP_IDX)
				return -ENOENT;
			memcpy(m->key, k->key, 16);
			break;
		case MP_CFG_OP_MODEL_APP_BIND:
			after = key_add;
			break;
		case MP_CFG_OP_MODEL_PUBLICATION_SET:
		case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
			after = key_add;
			for (j = 0; j < i; j++) {
				const struct mp_cfg_msg *o = &n->plan.ops[j].msg;

				if (o->opcode == MP_CFG_OP_MODEL_APP_BIND &&
				    o->elem_addr == m->elem_addr && o->app_idx == m->pub.app_idx &&
				    o->model.vendor == m->model.vendor && o->model.cid == m->model.cid &&
				    o->model.id == m->model.id)
					after = n->ids[j];
			}
			break;
		default:
			break;
		}
		id = submit(b, n, m, (int)i, after);
		if (m->opcode == MP_CFG_OP_APPKEY_ADD) {
			mp_wipe(m->key, 16);	/* the plan keeps no key */
			key_add = id > 0 ? (uint32_t)id : 0;
		}
		if (id < 0)
			return id;
		n->ids[i] = (uint32_t)id;
	}
	return 0;
}

static void node_finish(struct bench *b, struct bnode *n)
{
	struct mp_profile_plan again = { 0 };

	if (!n->failed && reconcile(b, n, &n->state, &again) == 0 && again.n_ops == 0) {
		n->st = B_DONE;
		n->conf_ms = b->now;
		b->done++;
	} else {
		fprintf(stderr, "bench_building: node %04x: %u requests failed, %zu still to send\n",
			n->addr, n->failed, again.n_ops);
		n->st = B_FAILED;
		b->failed++;
	}
	mp_profile_plan_clear(&again);
}

static void node_fail(struct bench *b, struct bnode *n, const char *why)
{
	fprintf(stderr, "bench_building: node %04x: %s\n", n->addr, why);
	n->st = B_FAILED;
	b->failed++;
}

static void client_done(void *user, const struct mp_cfg_client_result *r)
{
	struct bench *b = user;
	struct req *q = r->ctx;
	struct bnode *n = q->n;
	int op = q->op, err;

	free(q);
	n->outstanding--;
	if (n->st == B_FAILED)
		return;
	if (r->err || r->status->status) {
		fprintf(stderr, "bench_building: node %04x: %s: %s (%u tries)\n", n->addr,
			mp_cfg_op_name(r->opcode),
			r->err ? strerror(-r->err) :
			r->status_name ? r->status_name : "RFU status", r->tries);
		n->failed++;
	}
	if (op < 0) {
		if (n->failed) {
			node_fail(b, n, "no Composition Data");
			return;
		}
		n->comp = calloc(1, sizeof(*n->comp));
		if (!n->comp || mp_comp0_decode(r->status->data, r->status->data_len, n->comp) ||
		    mp_profile_state_fresh(&n->state, n->comp, n->addr)) {
			node_fail(b, n, "Composition Data does not decode");
			return;
		}
		err = plan_submit(b, n);
		if (err < 0) {
			fprintf(stderr, "bench_building: node %04x: plan: %s %s\n", n->addr,
				strerror(-err), n->plan.error);
			node_fail(b, n, "cannot configure");
			/* what was submitted ends (-ECANCELED) after this call */
			mp_cfg_client_cancel_node(b->client, n->addr);
		}
		return;
	}
	if (!r->err && !r->status->status)
		mp_profile_state_apply(&n->state, &n->plan.ops[op].msg, n->plan.ops[op].virt);
	if (!n->outstanding)
		node_finish(b, n);
}

static int client_send(void *user, uint16_t dst, uint16_t net_idx, bool dev_key,
		       const uint8_t *msg, size_t len)
{
	struct bench *b = user;
	int err = mp_mesh_link_send(b->link, dst, net_idx, dev_key ? MP_MESH_KEY_DEV : APP_IDX,
				    msg, len);

	return err < 0 ? err : 0;
}

static void client_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct ctimer *t = data;

	(void)loop;
	(void)id;
	t->slot = 0;
	mp_cfg_client_timeout(t->b->client, t->id);
}

static void client_timer(void *user, unsigned int id, uint32_t ms)
{
	struct bench *b = user;

	if (id < MP_CFG_CLIENT_INFLIGHT)
		mp_loop_timer_set(b->loop, &b->ctimers[id].slot, ms, client_timer_fired,
				  &b->ctimers[id]);
}

static const struct mp_cfg_client_ops client_ops = {
	.send = client_send, .timer = client_timer, .done = client_done,
};

static void link_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct bench *b = user;

	mp_cfg_client_rx(b->client, msg->src, msg->key == MP_MESH_KEY_DEV, msg->payload, msg->len);
}

static const struct mp_mesh_link_cb link_cb = { .deliver = link_deliver };

static int64_t link_now_s(void *user)
{
	return (int64_t)(((struct bench *)user)->now / 1000);
}

/* ---- the engine's side: seen, provisioned ---- */

/* The engine's Link IDs and link jitter, seeded: the run repeats itself. */
static int engine_rng_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct bench *b = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		b->rng ^= b->rng >> 12;
		b->rng ^= b->rng << 25;
		b->rng ^= b->rng >> 27;
		out[i] = (uint8_t)((b->rng * 0x2545f4914f6cdd1dull) >> 56);
	}
	return 0;
}

static void queue_push(struct bench *b, struct bnode *n)
{
	n->st = B_QUEUED;
	b->queue[b->q_tail] = n->index;
	b->q_tail = (b->q_tail + 1) % (b->ndev + 1);
}

static void on_beacon(void *user, const struct mp_scan_entry *e, bool first)
{
	struct bench *b = user;
	struct bnode *n = node_by_uuid(b, e->uuid);

	(void)first;
	if (!n) {
		b->unexpected++;
		return;
	}
	if (n->st != B_UNSEEN)
		return;
	n->seen_ms = b->now;
	queue_push(b, n);
}

static void on_session(void *user, struct mp_session *s, const struct mp_session_event *ev)
{
	struct bench *b = user;
	struct bnode *n = node_by_uuid(b, ev->uuid);

	(void)s;
	if (!n) {
		b->unexpected++;
		return;
	}
	switch (ev->type) {
	case MP_SESSION_PROVISIONED:
		n->st = B_PROVISIONED;
		n->addr = ev->address;
		n->prov_ms = b->now;
		b->to_configure++;
		break;
	case MP_SESSION_FAILED:
		/* lost too much: the device listens again, it goes back in line */
		b->prov_failures++;
		queue_push(b, n);
		break;
	case MP_SESSION_PHASE:
		break;
	case MP_SESSION_OOB_OUTPUT:	/* No OOB: never asked */
	case MP_SESSION_OOB_INPUT:
		b->unexpected++;
		break;
	}
}

static const struct mp_engine_cb engine_cb = { .beacon = on_beacon, .session = on_session };

/* Between two rounds of the loop, never inside a callback: start links
 * for the devices waiting while the engine has room, and the
 * configuration of the nodes just provisioned. */
static int top_up(struct bench *b)
{
	unsigned int i;

	while (b->q_head != b->q_tail &&
	       mp_engine_sessions(b->engine) < MP_ENGINE_DEFAULT_SESSIONS) {
		struct bnode *n = &b->n[b->queue[b->q_head]];
		struct mp_provision_opts o;
		int err;

		memset(&o, 0, sizeof(o));
		o.prov.action = -1;	/* the engine's choices: No OOB here */
		err = mp_engine_provision(b->engine, n->uuid, &o, NULL);
		if (err == -EALREADY || err == -EBUSY)
			break;		/* the failed session is not reaped yet */
		if (err) {
			fprintf(stderr, "bench_building: provision: %s\n", strerror(-err));
			return err;
		}
		b->q_head = (b->q_head + 1) % (b->ndev + 1);
		n->st = B_PROVISIONING;
	}
	for (i = 0; i < b->ndev && b->to_configure; i++)
		if (b->n[i].st == B_PROVISIONED) {
			b->to_configure--;
			configure_start(b, &b->n[i]);
		}
	return 0;
}

/* ---- the check: what the nodes' own Configuration Servers hold ---- */

/* Ask the server @c itself (its handler, not over the air) with the Get
 * @req, and learn the answer into @st. */
static int server_ask(struct mp_sim_cfg *c, const struct mp_cfg_msg *req,
		      struct mp_profile_state *st)
{
	uint8_t in[32], out[MP_MESH_ACCESS_MAX];
	struct mp_cfg_msg rsp;
	size_t out_len = 0;
	int len = mp_cfg_encode(req, in, sizeof(in)), err;

	if (len < 0)
		return len;
	err = mp_sim_cfg_rx(c, 0x0001, 0, in, (size_t)len, out, sizeof(out), &out_len);
	if (err || !out_len)
		return err ? err : -EIO;
	err = mp_cfg_decode(out, out_len, &rsp);
	if (err)
		return err;
	if (rsp.status)
		return 0;	/* teaches nothing; the reconciler will want it */
	err = mp_profile_state_apply(st, &rsp, 0);
	return err == -ENOMSG ? 0 : err;
}

static int server_state(struct mp_sim_cfg *c, const struct mp_sim_comp *comp, uint16_t addr,
			struct mp_profile_state *st)
{
	static const uint32_t settings[] = {
		MP_CFG_OP_DEFAULT_TTL_GET, MP_CFG_OP_RELAY_GET, MP_CFG_OP_GATT_PROXY_GET,
		MP_CFG_OP_FRIEND_GET, MP_CFG_OP_BEACON_GET, MP_CFG_OP_NETWORK_TRANSMIT_GET,
	};
	struct mp_cfg_msg m;
	size_t e, k;
	int err;

	mp_cfg_req_appkey_get(&m, 0);
	err = server_ask(c, &m, st);
	for (k = 0; !err && k < sizeof(settings) / sizeof(settings[0]); k++) {
		if (settings[k] == MP_CFG_OP_RELAY_GET)
			mp_cfg_req_relay_get(&m);
		else
			mp_cfg_req_state(&m, settings[k], 0);
		err = server_ask(c, &m, st);
	}
	for (e = 0; !err && e < comp->n_elements; e++) {
		for (k = 0; !err && k < comp->elements[e].n_models; k++) {
			const struct mp_sim_model *sm = &comp->elements[e].models[k];
			struct mp_model_id id = { .vendor = sm->vendor, .cid = sm->cid, .id = sm->id };
			uint16_t ea = (uint16_t)(addr + e);

			if (!sm->vendor && sm->id == MP_SIM_MODEL_CFG_SRV)
				continue;	/* bound to the device key only */
			mp_cfg_req_model_app_get(&m, ea, &id);
			err = server_ask(c, &m, st);
			if (!err) {
				mp_cfg_req_sub_get(&m, ea, &id);
				err = server_ask(c, &m, st);
			}
			if (!err) {
				mp_cfg_req_pub_get(&m, ea, &id);
				err = server_ask(c, &m, st);
			}
		}
	}
	return err;
}

/* Every node as the profile says: its server's state, read back, leaves
 * the reconciler nothing to send; and, without the profile code, the
 * building's own terms: the keyring's AppKey, the room's group, the
 * bindings, subscriptions, publications and Default TTL. */
static int check_node(struct bench *b, struct bnode *n)
{
	static const struct mp_sim_model srv = { .id = 0x1000 }, cli = { .id = 0x1001 };
	const struct mp_sim_comp *comp = &comps[n->index % N_COMPS];
	struct mp_sim_node *sn = mp_sim_radio_node(b->radio, n->index);
	const struct mp_appkey *k = mp_keyring_appkey(b->kr, APP_IDX);
	struct mp_profile_state st;
	struct mp_profile_plan plan = { 0 };
	struct mp_sim_cfg *c;
	struct mp_sim_pub pub;
	char name[40];
	uint8_t key[16];
	uint16_t group = 0, e;
	uint8_t label[16];
	bool virt;
	const char *why = NULL;
	int err;

	if (n->st != B_DONE || !sn)
		return -ENOENT;
	c = mp_sim_node_cfg(sn);
	snprintf(name, sizeof(name), "room-%s", n->room);
	if (lk_group(b, name, &group, label, &virt))
		why = "its room's group was never created";
	else if (mp_sim_cfg_app_key(c, APP_IDX, key, NULL, NULL) || !k ||
		 memcmp(key, k->key, 16))
		why = "no AppKey, or not the keyring's";
	else if (mp_sim_cfg_default_ttl(c) != 5)
		why = "Default TTL";
	for (e = 0; !why && e < comp->n_elements; e++) {
		uint16_t ea = (uint16_t)(n->addr + e);

		if (is_switch(n->index)) {
			if (!mp_sim_cfg_bound(c, ea, &cli, APP_IDX) ||
			    mp_sim_cfg_publication(c, ea, &cli, &pub) || pub.addr != group ||
			    pub.app_idx != APP_IDX)
				why = "switch not bound or not publishing to its room";
		} else if (!mp_sim_cfg_bound(c, ea, &srv, APP_IDX) ||
			   !mp_sim_cfg_subscribed(c, ea, &srv, group)) {
			why = "light not bound or not subscribed to its room";
		}
	}
	mp_wipe(key, sizeof(key));
	mp_profile_state_init(&st);
	if (!why) {
		err = server_state(c, comp, n->addr, &st);
		if (!err)
			err = reconcile(b, n, &st, &plan);
		if (err)
			why = "its state cannot be read back";
		else if (plan.n_ops)
			why = "the profile still differs";
	}
	if (why)
		fprintf(stderr, "bench_building: CHECK FAILED: node %04x (device %u): %s\n",
			n->addr, n->index, why);
	mp_profile_plan_clear(&plan);
	mp_profile_state_clear(&st);
	return why ? -EPROTO : 0;
}

/* ---- one run ---- */

/* One row of the table: a building, a model, a knob of meshprov. */
struct row {
	unsigned int ndev, airtime_ms;
	uint8_t net_transmit;		/* meshprov's; 0: mesh_link's default */
	const char *what;		/* NULL: the model above */
};

struct result {
	unsigned int ndev, airtime_ms;
	uint64_t total_ms;
	double cfg_p50, cfg_p95, prov_p50, prov_p95;	/* seconds, from first seen */
	double wall_s;
	unsigned long tx_pbadv, tx_net, tx_collapsed, tx_refused;
	struct mp_sim_radio_sent dev;		/* what the devices and nodes sent */
	unsigned long heard_beacon, heard_pbadv, heard_net;
	unsigned long requests, retries, unmatched, prov_failures;
	unsigned int groups, checked;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

	return a < c ? -1 : a > c;
}

/* Nearest rank: the smallest value with at least @pct % at or below it. */
static double pctile(uint64_t *v, unsigned int n, unsigned int pct)
{
	unsigned int rank = (n * pct + 99) / 100;

	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[rank ? rank - 1 : 0] / 1000.0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static int setup(struct bench *b, unsigned int ndev, unsigned int airtime_ms,
		 uint8_t net_transmit)
{
	struct mp_keyring_opts ko = { .flags = MP_KEYRING_CREATE };
	struct mp_keyring_error kerr;
	struct mp_sim_radio_config rc = { 0 };
	struct mp_engine_config ec = { 0 };
	struct mp_mesh_link_opts lo = { .now_s = link_now_s, .net_transmit = net_transmit };
	struct mp_cfg_client_config cc = { .ops = &client_ops };	/* the client's defaults */
	struct mp_profile_lookup lk;
	struct mp_profile_error perr;
	const char *path = MP_EXAMPLES_DIR "/rooms.json";
	unsigned int i;
	size_t len;
	char *text;
	int err;

	b->ndev = ndev;
	b->airtime_ms = airtime_ms;
	b->rng = SEED ^ 0x5a5a5a5a5a5a5a5aull;
	b->engine_rng.bytes = engine_rng_bytes;
	b->engine_rng.ctx = b;
	b->now = 1000000;
	b->n = calloc(ndev, sizeof(*b->n));
	b->queue = calloc(ndev + 1, sizeof(*b->queue));
	if (!b->n || !b->queue)
		return -ENOMEM;
	err = mp_loop_new(&b->loop);
	if (err)
		return err;
	mp_loop_set_clock(b->loop, bench_clock, b);
	err = mp_keyring_new(&ko, &b->kr, &kerr);
	if (err) {
		fprintf(stderr, "bench_building: keyring: %s\n", kerr.msg);
		return err;
	}
	err = mp_keyring_appkey_add(b->kr, APP_IDX, 0, NULL);
	if (err)
		return err;
	text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "bench_building: %s: %s\n", path, strerror(errno));
		return -ENOENT;
	}
	lk = lookup(b);
	err = mp_profile_parse(text, len, path, &lk, &b->profile, &perr);
	free(text);
	if (err) {
		fprintf(stderr, "bench_building: %s\n", perr.msg);
		return err;
	}

	rc.loop = b->loop;
	rc.devices = ndev;
	rc.loss_pct = LOSS_PCT;
	rc.latency_ms = LATENCY_MS;
	rc.delay_ms = JITTER_MS;
	rc.seed = SEED;
	rc.comps = comps;
	rc.n_comps = N_COMPS;
	err = mp_sim_radio_new(&rc, &b->radio);
	if (err)
		return err;
	for (i = 0; i < ndev; i++) {
		b->n[i].index = i;
		memcpy(b->n[i].uuid, mp_sim_radio_uuid(b->radio, i), 16);
		snprintf(b->n[i].room, sizeof(b->n[i].room), "1.%02u", i / ROOM_SIZE);
		mp_profile_state_init(&b->n[i].state);
	}
	b->sim = mp_sim_radio_radio(b->radio);
	b->tap_ops = *b->sim.ops;
	b->tap_ops.attach = tap_attach;
	b->tap_ops.advertise = tap_advertise;
	b->tap_ops.forget = tap_forget;
	b->tap_ops.scan = tap_scan;
	b->tap_ops.connect = NULL;	/* PB-ADV only */
	err = b->sim.ops->attach(b->sim.ctx, &tap_receiver, b);
	if (err)
		return err;
	ec.loop = b->loop;
	ec.radio.ops = &b->tap_ops;
	ec.radio.ctx = b;
	ec.keyring = b->kr;
	ec.rng = &b->engine_rng;
	ec.cb = &engine_cb;
	ec.user = b;
	err = mp_engine_new(&ec, &b->engine);
	if (err)
		return err;
	err = mp_mesh_link_new(b->engine, b->loop, b->kr, &lo, &link_cb, b, &b->link);
	if (err)
		return err;
	for (i = 0; i < MP_CFG_CLIENT_INFLIGHT; i++) {
		b->ctimers[i].b = b;
		b->ctimers[i].id = i;
	}
	cc.user = b;
	b->client = mp_cfg_client_new(&cc);
	return b->client ? 0 : -ENOMEM;
}

static void teardown(struct bench *b)
{
	unsigned int i;

	mp_cfg_client_free(b->client);
	for (i = 0; i < MP_CFG_CLIENT_INFLIGHT; i++)
		if (b->ctimers[i].slot)
			mp_loop_timer_cancel(b->loop, b->ctimers[i].slot);
	mp_mesh_link_free(b->link);
	mp_engine_free(b->engine);
	while (b->air_head) {
		struct airq_pdu *p = b->air_head;

		b->air_head = p->next;
		free(p);
	}
	if (b->air_timer)
		mp_loop_timer_cancel(b->loop, b->air_timer);
	mp_sim_radio_free(b->radio);
	mp_keyring_close(b->kr);
	mp_profile_free(b->profile);
	for (i = 0; b->n && i < b->ndev; i++) {
		mp_profile_plan_clear(&b->n[i].plan);
		mp_profile_state_clear(&b->n[i].state);
		free(b->n[i].comp);
		free(b->n[i].ids);
	}
	free(b->n);
	free(b->queue);
	mp_loop_free(b->loop);
}

static int run(const struct row *row, struct result *res)
{
	unsigned int ndev = row->ndev;
	struct bench *b = calloc(1, sizeof(*b));
	uint64_t *cfg = NULL, *prov = NULL, next;
	const struct mp_cfg_client_stats *cs;
	double w0 = wall_now();
	unsigned int i;
	int err;

	if (!b)
		return -ENOMEM;
	memset(res, 0, sizeof(*res));
	res->ndev = ndev;
	res->airtime_ms = row->airtime_ms;
	err = setup(b, ndev, row->airtime_ms, row->net_transmit);
	b->t0 = b->now;
	while (!err && b->done + b->failed < ndev) {
		mp_loop_run_once(b->loop, 0);
		err = top_up(b);
		if (err)
			break;
		if (b->now - b->t0 > SIM_LIMIT_MS) {
			fprintf(stderr, "bench_building: %u of %u nodes configured after %llu s\n",
				b->done, ndev, (unsigned long long)(SIM_LIMIT_MS / 1000));
			err = -ETIMEDOUT;
		} else if (mp_loop_next_deadline(b->loop, &next) < 0) {
			err = -EDEADLK;
		} else if (next > b->now) {
			b->now = next;
		}
	}
	if (!err && b->failed)
		err = -EPROTO;
	res->total_ms = b->now - b->t0;
	res->wall_s = wall_now() - w0;
	/* the check, then the figures */
	for (i = 0; !err && i < ndev; i++) {
		if (check_node(b, &b->n[i]))
			err = -EPROTO;
		else
			res->checked++;
	}
	cfg = calloc(ndev, sizeof(*cfg));
	prov = calloc(ndev, sizeof(*prov));
	if (!err && cfg && prov) {
		for (i = 0; i < ndev; i++) {
			cfg[i] = b->n[i].conf_ms - b->n[i].seen_ms;
			prov[i] = b->n[i].prov_ms - b->n[i].seen_ms;
		}
		res->cfg_p50 = pctile(cfg, ndev, 50);
		res->cfg_p95 = pctile(cfg, ndev, 95);
		res->prov_p50 = pctile(prov, ndev, 50);
		res->prov_p95 = pctile(prov, ndev, 95);
	}
	res->tx_pbadv = b->tx_pbadv;
	res->tx_net = b->tx_net;
	res->tx_collapsed = b->tx_collapsed;
	res->tx_refused = b->tx_refused;
	if (b->radio)
		mp_sim_radio_sent(b->radio, &res->dev);
	res->heard_beacon = b->heard_beacon;
	res->heard_pbadv = b->heard_pbadv;
	res->heard_net = b->heard_net;
	cs = b->client ? mp_cfg_client_stats(b->client) : NULL;
	if (cs) {
		res->requests = cs->submitted;
		res->retries = cs->retries;
		res->unmatched = cs->unmatched;
	}
	res->prov_failures = b->prov_failures;
	res->groups = b->n_groups;
	if (b->unexpected) {
		fprintf(stderr, "bench_building: %lu unexpected events\n", b->unexpected);
		err = err ? err : -EPROTO;
	}
	free(cfg);
	free(prov);
	teardown(b);
	free(b);
	return err;
}

static void print_result(const struct row *row, const struct result *r)
{
	double n = r->ndev, total_s = (double)r->total_ms / 1000.0;

	if (row->what)
		printf("  N = %u, %s: every node configured after %.1f s\n", r->ndev, row->what,
		       total_s);
	else
		printf("  N = %u: every node configured after %.1f s of simulated time\n", r->ndev,
		       total_s);
	printf("    per node, from its first beacon heard: configured p50 %.1f s, p95 %.1f s "
	       "(provisioned p50 %.1f s, p95 %.1f s)\n",
	       r->cfg_p50, r->cfg_p95, r->prov_p50, r->prov_p95);
	printf("    advertising PDUs per node, each transmission counted: meshprov %.1f "
	       "(PB-ADV %.1f, Network %.1f);\n"
	       "      the device/node %.1f (beacons %.1f, PB-ADV %.1f, Network %.1f)\n",
	       (double)(r->tx_pbadv + r->tx_net) / n, (double)r->tx_pbadv / n,
	       (double)r->tx_net / n,
	       (double)(r->dev.beacons + r->dev.pb_adv + r->dev.network + r->dev.other) / n,
	       (double)r->dev.beacons / n, (double)r->dev.pb_adv / n, (double)r->dev.network / n);
	if (r->airtime_ms)
		printf("    meshprov's advertiser busy %.0f %% of the run; repetitions of a PDU "
		       "still waiting, not queued twice: %.1f per node;\n"
		       "      PDUs refused, the queue full: %lu\n",
		       100.0 * (double)(r->tx_pbadv + r->tx_net) * r->airtime_ms /
		       (double)(r->total_ms ? r->total_ms : 1), (double)r->tx_collapsed / n,
		       r->tx_refused);
	printf("    heard by meshprov per node: beacons %.1f, PB-ADV %.1f, Network %.1f\n",
	       (double)r->heard_beacon / n, (double)r->heard_pbadv / n, (double)r->heard_net / n);
	printf("    retransmissions: Configuration requests %.1f per node, %lu of %lu sent again "
	       "(%lu late answers unmatched);\n"
	       "      provisionings failed and started again: %lu; groups created: %u\n",
	       (double)r->requests / n, r->retries, r->requests, r->unmatched, r->prov_failures,
	       r->groups);
	printf("    checked: %u/%u nodes hold what the profile says, read back from their own "
	       "Configuration Servers; wall clock %.1f s\n",
	       r->checked, r->ndev, r->wall_s);
}

int main(void)
{
	static const struct row rows[] = {
		{ 20, AIRTIME_MS, 0, NULL },
		{ 200, AIRTIME_MS, 0, NULL },
		/* what moves the figure: the advertiser's airtime, and how
		 * many times meshprov sends each Network PDU */
		{ 200, 3 * AIRTIME_MS, 0, "meshprov's advertiser at 60 ms a PDU (hci/'s default "
		  "burst: 3 events 20 ms apart; loss as above)" },
		{ 200, AIRTIME_MS, MP_ENGINE_NET_TRANSMIT(0, 1), "meshprov's Network Transmit 1 x "
		  "(each Network PDU once; loss left to SAR and the client's retries)" },
		{ 200, 0, 0, "meshprov's advertiser without airtime" },
	};
	struct result res;
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	comps_init();
	printf("bench_building: a building on the simulator, provisioned (PB-ADV, No OOB) and "
	       "configured with examples/rooms.json\n"
	       "  on a fake clock, seed %#llx (the same figures on every run)\n",
	       (unsigned long long)SEED);
	printf("  radio: one hop (every device in range of meshprov, nodes do not hear each other, "
	       "nothing relayed);\n"
	       "    each copy lost %u %% per receiver independently, and delayed %u ms + uniform "
	       "[0, %u] ms drawn per copy;\n"
	       "    meshprov's one advertiser puts one PDU on the air per %u ms, senders (links, "
	       "the network) in turn,\n"
	       "    a repetition of a PDU still waiting not queued twice, at most %u waiting; each "
	       "device has its own advertiser;\n"
	       "    no collisions, and meshprov hears while it advertises\n",
	       LOSS_PCT, LATENCY_MS, JITTER_MS, AIRTIME_MS, AIR_QUEUE_MAX);
	printf("  meshprov: at most %u provisioning links at once, the Configuration Client on "
	       "%u nodes at once,\n"
	       "    Network Transmit %u x %u ms apart; a node is configured once every request of "
	       "its plan is answered Success\n",
	       MP_ENGINE_DEFAULT_SESSIONS, MP_CFG_CLIENT_INFLIGHT,
	       MP_ENGINE_NET_TRANSMIT_COUNT(MP_MESH_LINK_NET_TRANSMIT_DEFAULT) + 1,
	       MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(MP_MESH_LINK_NET_TRANSMIT_DEFAULT));
	printf("  devices: rooms of %u (8 lights of 1-3 elements with relay and proxy, 2 "
	       "switches), beacons every 500 ms;\n"
	       "    per light: Composition Data Get, AppKey Add, Bind and Subscription Add per "
	       "element, 5 settings;\n"
	       "    per switch: Composition Data Get, AppKey Add, Bind, Publication Set, 3 "
	       "settings\n", ROOM_SIZE);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err = run(&rows[i], &res);
		if (err) {
			fprintf(stderr, "bench_building: N = %u FAILED: %s\n", rows[i].ndev,
				strerror(-err));
			return 1;
		}
		print_result(&rows[i], &res);
		if (rows[i].ndev == 200 && !rows[i].what)
			printf("    target (issue #14): under 180 s for 200: %s (a figure, not "
			       "asserted)\n", res.total_ms < 180000 ? "met" : "NOT met");
	}
	return 0;
}
