/* The simulated node; see include/sim/node.h. */
/* net/beacon.h first: it names the beacon types in an enum that adv/adv.h
 * (through sim/device.h) also #defines, with the same values. */
#include "net/beacon.h"

#include "sim/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/proxy.h"
#include "crypto/crypto.h"
#include "net/proxy_cfg.h"

/* Opcodes the node's servers receive and send. MshMDL v1.1 4.3.2, 7.1 */
#define OP_ATTENTION_GET 0x8004
#define OP_ATTENTION_SET 0x8005
#define OP_ATTENTION_SET_UNACK 0x8006
#define OP_ATTENTION_STATUS 0x8007
#define OP_ONOFF_GET 0x8201
#define OP_ONOFF_SET 0x8202
#define OP_ONOFF_SET_UNACK 0x8203
#define OP_ONOFF_STATUS 0x8204

/* A Set with the TID of the last one from the same source to the same
 * destination within 6 seconds is the same transaction. MshMDL v1.1 3.3.2.2.3 */
#define TID_WINDOW_MS 6000

/* Stack capacities: the Configuration Server's, so that what it accepts
 * the stack can hold. */
#define NODE_SUBS 64

#define ALL_NODES 0xffff

/* The proxy filter's capacity (a Proxy Server chooses it, 6.6; an Add past
 * it is not applied), and the PDUs remembered so that a repetition heard
 * on the advertising bearer reaches the Proxy Client once. */
#define PROXY_FILTER_MAX 32
#define PROXY_CACHE 64

/* Timer ids after the stack's: the Attention Timer's tick, then one TID
 * window per element. */
enum { T_ATTENTION = 0, T_TID = 1 };

struct app_mirror {
	uint16_t idx, net_idx;
	uint8_t key[16];
};

struct mp_sim_node {
	struct mp_sim_node_ops ops;
	void *user;
	struct mp_mesh *m;
	struct mp_sim_cfg *cfg;
	unsigned mesh_timers;
	uint16_t unicast;
	unsigned elements;
	uint8_t dev_key[16];
	uint32_t seq;
	uint32_t iv_index;
	bool reset;
	bool stray;			/* struct mp_sim_node_params .stray */
	/* what the stack holds, to apply the server's changes as differences */
	uint16_t nets[MP_SIM_CFG_MAX_NET_KEYS];
	size_t n_nets;
	struct app_mirror apps[MP_SIM_CFG_MAX_APP_KEYS];
	size_t n_apps;
	struct mp_sim_sub subs[NODE_SUBS];
	size_t n_subs;
	/* the servers' states */
	uint8_t attention;
	uint8_t onoff[MP_SIM_CFG_MAX_ELEMENTS];
	struct {
		bool valid;
		uint16_t src, dst;
		uint8_t tid;
	} tid[MP_SIM_CFG_MAX_ELEMENTS];
	/* the GATT Proxy server's client (6.6) */
	struct {
		bool up;
		uint8_t type;
		uint16_t list[PROXY_FILTER_MAX];
		size_t n;
		struct mp_net_cache cache;
		struct mp_net_cache_entry cache_e[PROXY_CACHE];
	} px;
};

static void px_own_tx(struct mp_sim_node *n, uint16_t net_idx, const uint8_t *pdu, size_t len);
static void px_from_adv(struct mp_sim_node *n, const uint8_t *pdu, size_t len);

void mp_sim_node_default_comp(struct mp_sim_comp *out, unsigned elements)
{
	memset(out, 0, sizeof(*out));
	out->cid = 0x05f1;
	out->pid = 1;
	out->vid = 1;
	out->crpl = 32;
	out->n_elements = 1;
	out->elements[0].n_models = 3;
	out->elements[0].models[0].id = MP_SIM_MODEL_CFG_SRV;
	out->elements[0].models[1].id = MP_SIM_MODEL_HEALTH_SRV;
	out->elements[0].models[2].id = MP_SIM_MODEL_ONOFF_SRV;
	if (elements > MP_SIM_CFG_MAX_ELEMENTS)
		elements = MP_SIM_CFG_MAX_ELEMENTS;
	for (unsigned e = 1; e < elements; e++) {
		out->elements[e].loc = (uint16_t)e;
		out->elements[e].n_models = 1;
		out->elements[e].models[0].id = MP_SIM_MODEL_ONOFF_SRV;
		out->n_elements = e + 1;
	}
}

/* ---- the stack's ops ---- */

static void n_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	struct mp_sim_node *n = user;

	n->ops.send(n->user, pdu, len, mp_sim_cfg_net_transmit(n->cfg));
	px_own_tx(n, net_idx, pdu, len);
}

static void n_timer(void *user, unsigned id, uint32_t ms)
{
	struct mp_sim_node *n = user;

	n->ops.timer(n->user, id, ms);
}

static int n_seq_next(void *user, uint32_t *seq)
{
	struct mp_sim_node *n = user;

	if (n->seq > 0xffffff)
		return -ENOSPC;
	*seq = n->seq++;
	return 0;
}

static bool own(const struct mp_sim_node *n, uint16_t addr)
{
	return addr >= n->unicast && addr < n->unicast + n->elements;
}

static int n_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	struct mp_sim_node *n = user;

	if (!own(n, addr))
		return -ENOENT;
	memcpy(key, n->dev_key, 16);
	return 0;
}

/* ---- applying the Configuration Server's state to the stack ---- */

static bool in_list(const uint16_t *l, size_t len, uint16_t v)
{
	for (size_t i = 0; i < len; i++)
		if (l[i] == v)
			return true;
	return false;
}

static void drop_apps_of(struct mp_sim_node *n, uint16_t net_idx)
{
	size_t i = 0;

	while (i < n->n_apps) {
		if (n->apps[i].net_idx != net_idx) {
			i++;
			continue;
		}
		mp_wipe(n->apps[i].key, 16);
		n->apps[i] = n->apps[--n->n_apps];
	}
}

/* The Key Refresh phase the server's state says (NetKey Update, Key
 * Refresh Phase Set) applied to the stack's subnet @idx, one step at a
 * time as the state machine allows (MshPRT v1.1 3.11.4.1): Phase 1 receives
 * the new key beside the old and sends with the old, Phase 2 sends with
 * the new, and the return to Phase 0 (transition 3, from Phase 1 or 2)
 * keeps the new key only. */
static void sync_kr_phase(struct mp_sim_node *n, uint16_t idx)
{
	struct mp_subnet *s = mp_mesh_subnet(n->m, idx);
	uint8_t new_key[16], phase = 0;

	if (!s || mp_sim_cfg_net_key(n->cfg, idx, NULL, new_key, &phase) < 0)
		return;
	if (phase && s->phase == MP_KR_NORMAL)
		mp_subnet_kr_start(s, new_key);
	if (phase == 2 && s->phase == MP_KR_PHASE1)
		mp_subnet_kr_use_new(s);
	if (!phase && s->phase != MP_KR_NORMAL)
		mp_mesh_kr_finish(n->m, idx);
	mp_wipe(new_key, sizeof(new_key));
}

static void sync_net_keys(struct mp_sim_node *n)
{
	uint16_t list[MP_SIM_CFG_MAX_NET_KEYS];
	size_t cnt = mp_sim_cfg_net_key_list(n->cfg, list, MP_SIM_CFG_MAX_NET_KEYS), i = 0;
	uint8_t key[16];

	while (i < n->n_nets) {
		if (in_list(list, cnt, n->nets[i])) {
			i++;
			continue;
		}
		/* the stack drops the AppKeys bound to it too */
		mp_mesh_subnet_del(n->m, n->nets[i]);
		drop_apps_of(n, n->nets[i]);
		n->nets[i] = n->nets[--n->n_nets];
	}
	for (i = 0; i < cnt; i++) {
		if (in_list(n->nets, n->n_nets, list[i]) ||
		    mp_sim_cfg_net_key(n->cfg, list[i], key, NULL, NULL) < 0)
			continue;
		if (mp_mesh_subnet_add(n->m, list[i], key) == 0)
			n->nets[n->n_nets++] = list[i];
	}
	mp_wipe(key, sizeof(key));
	for (i = 0; i < n->n_nets; i++)
		sync_kr_phase(n, n->nets[i]);
}

static void sync_app_keys(struct mp_sim_node *n)
{
	uint16_t list[MP_SIM_CFG_MAX_APP_KEYS];
	size_t cnt = mp_sim_cfg_app_key_list(n->cfg, list, MP_SIM_CFG_MAX_APP_KEYS), i = 0, j;
	uint8_t key[16];
	uint16_t net_idx;

	while (i < n->n_apps) {
		/* gone, or the same index with another key or subnet (deleted
		 * and added again between two messages cannot happen, but the
		 * comparison costs nothing) */
		if (mp_sim_cfg_app_key(n->cfg, n->apps[i].idx, key, NULL, &net_idx) == 0 &&
		    net_idx == n->apps[i].net_idx && mp_ct_equal(key, n->apps[i].key, 16)) {
			i++;
			continue;
		}
		mp_mesh_app_key_del(n->m, n->apps[i].idx);
		mp_wipe(n->apps[i].key, 16);
		n->apps[i] = n->apps[--n->n_apps];
	}
	for (i = 0; i < cnt; i++) {
		for (j = 0; j < n->n_apps && n->apps[j].idx != list[i]; j++)
			;
		if (j < n->n_apps || n->n_apps >= MP_SIM_CFG_MAX_APP_KEYS ||
		    mp_sim_cfg_app_key(n->cfg, list[i], key, NULL, &net_idx) < 0)
			continue;
		if (mp_mesh_app_key_add(n->m, list[i], net_idx, key) == 0) {
			struct app_mirror *a = &n->apps[n->n_apps++];

			a->idx = list[i];
			a->net_idx = net_idx;
			memcpy(a->key, key, 16);
		}
	}
	mp_wipe(key, sizeof(key));
}

static bool same_sub(const struct mp_sim_sub *a, const struct mp_sim_sub *b)
{
	return a->addr == b->addr && a->virt == b->virt &&
	       (!a->virt || !memcmp(a->label, b->label, 16));
}

static void unsubscribe(struct mp_sim_node *n, const struct mp_sim_sub *s)
{
	if (s->virt)
		mp_mesh_unsubscribe_virtual(n->m, s->label);
	else
		mp_mesh_unsubscribe(n->m, s->addr);
}

static void sync_subs(struct mp_sim_node *n)
{
	struct mp_sim_sub list[NODE_SUBS];
	size_t cnt = mp_sim_cfg_sub_list(n->cfg, list, NODE_SUBS), i = 0, j;

	if (cnt > NODE_SUBS)
		cnt = NODE_SUBS;
	while (i < n->n_subs) {
		for (j = 0; j < cnt && !same_sub(&list[j], &n->subs[i]); j++)
			;
		if (j < cnt) {
			i++;
			continue;
		}
		unsubscribe(n, &n->subs[i]);
		n->subs[i] = n->subs[--n->n_subs];
	}
	for (i = 0; i < cnt; i++) {
		int err;

		for (j = 0; j < n->n_subs && !same_sub(&list[i], &n->subs[j]); j++)
			;
		if (j < n->n_subs)
			continue;
		err = list[i].virt ? mp_mesh_subscribe_virtual(n->m, list[i].label)
				   : mp_mesh_subscribe(n->m, list[i].addr);
		if (err == 0)
			n->subs[n->n_subs++] = list[i];
	}
}

static void sync_state(struct mp_sim_node *n)
{
	sync_net_keys(n);
	sync_app_keys(n);
	sync_subs(n);
	mp_mesh_set_default_ttl(n->m, mp_sim_cfg_default_ttl(n->cfg));
}

/* ---- the servers ---- */

/* The opcode at the start of an access payload (MshPRT v1.1 3.7.3.1):
 * its length, or 0 when malformed (0x7f is RFU). */
static size_t opcode_of(const uint8_t *p, size_t len, uint32_t *op)
{
	if (len >= 1 && !(p[0] & 0x80) && p[0] != 0x7f) {
		*op = p[0];
		return 1;
	}
	if (len >= 2 && (p[0] & 0xc0) == 0x80) {
		*op = (uint32_t)p[0] << 8 | p[1];
		return 2;
	}
	if (len >= 3 && (p[0] & 0xc0) == 0xc0) {
		*op = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		return 3;
	}
	return 0;
}

static void reply(struct mp_sim_node *n, const struct mp_mesh_rx_msg *msg, uint16_t from,
		  const uint8_t *payload, size_t len)
{
	struct mp_mesh_tx tx = {
		.src = from, .dst = msg->src, .net_idx = msg->net_idx, .key = msg->key,
		.ttl = MP_MESH_TTL_DEFAULT, .payload = payload, .len = len,
	};

	/* a refused send (a segmented answer to a busy destination) is lost
	 * like a message on the air: the client asks again */
	mp_mesh_send_access(n->m, &tx, NULL);
}

static void config_rx(struct mp_sim_node *n, const struct mp_mesh_rx_msg *msg)
{
	uint8_t out[MP_MESH_ACCESS_MAX];
	size_t out_len = 0;

	/* the Configuration Server is on the primary element, and its
	 * messages come with the device key (MshPRT v1.1 4.4.1) */
	if (msg->dst != n->unicast)
		return;
	if (mp_sim_cfg_rx(n->cfg, msg->src, msg->net_idx, msg->payload, msg->len, out,
			  sizeof(out), &out_len) < 0)
		return;
	/* The stack follows first, so that the Status goes out under the
	 * state it reports: after a Key Refresh Phase Set with transition 2
	 * the node sends with the new key (MshPRT v1.1 3.11.4.1, Phase 2). */
	if (!mp_sim_cfg_is_reset(n->cfg))
		sync_state(n);
	if (out_len)
		reply(n, msg, n->unicast, out, out_len);
	if (out_len && n->stray && !mp_sim_cfg_is_reset(n->cfg)) {
		/* Config Default TTL Status (0x800e, MshPRT v1.1 4.3.2.8) */
		uint8_t ttl[3] = { 0x80, 0x0e, mp_sim_cfg_default_ttl(n->cfg) };

		reply(n, msg, n->unicast, out, out_len);
		reply(n, msg, n->unicast, ttl, sizeof(ttl));
	}
	if (mp_sim_cfg_is_reset(n->cfg)) {
		/* the Status went out above; the node now leaves (4.4.1.2.9
		 * of the device's model: it forgets its keys and addresses) */
		n->reset = true;
		if (n->ops.reset)
			n->ops.reset(n->user);
		return;
	}
}

static void attention_set(struct mp_sim_node *n, uint8_t secs)
{
	n->attention = secs;
	n->ops.timer(n->user, n->mesh_timers + T_ATTENTION, secs ? 1000 : 0);
}

/* Health Server, the Attention Timer messages. MshMDL v1.1 4.3.2.7 - 4.3.2.10 */
static void health_rx(struct mp_sim_node *n, const struct mp_mesh_rx_msg *msg, uint16_t elem,
		      uint32_t op, const uint8_t *par, size_t plen)
{
	uint8_t st[3] = { OP_ATTENTION_STATUS >> 8, OP_ATTENTION_STATUS & 0xff };
	uint8_t old = n->attention;

	switch (op) {
	case OP_ATTENTION_GET:
		if (plen != 0)
			return;
		break;
	case OP_ATTENTION_SET:
	case OP_ATTENTION_SET_UNACK:
		if (plen != 1)
			return;
		attention_set(n, par[0]);
		break;
	default:
		return;
	}
	if (op != OP_ATTENTION_SET_UNACK) {
		st[2] = n->attention;
		reply(n, msg, elem, st, sizeof(st));
	}
	if (n->attention != old && n->ops.attention)
		n->ops.attention(n->user, n->attention);
}

/* Generic OnOff Server. MshMDL v1.1 3.2.1 */
static void onoff_rx(struct mp_sim_node *n, const struct mp_mesh_rx_msg *msg, uint16_t elem,
		     uint32_t op, const uint8_t *par, size_t plen)
{
	unsigned e = elem - n->unicast;
	uint8_t st[3] = { OP_ONOFF_STATUS >> 8, OP_ONOFF_STATUS & 0xff };
	bool changed = false;

	switch (op) {
	case OP_ONOFF_GET:
		if (plen != 0)
			return;
		break;
	case OP_ONOFF_SET:
	case OP_ONOFF_SET_UNACK:
		/* OnOff, TID, and optionally Transition Time and Delay
		 * together (3.2.1.2); OnOff above 1 is prohibited */
		if ((plen != 2 && plen != 4) || par[0] > 1)
			return;
		if (n->tid[e].valid && n->tid[e].src == msg->src && n->tid[e].dst == msg->dst &&
		    n->tid[e].tid == par[1])
			break;	/* the same transaction again: answer, don't apply */
		n->tid[e].valid = true;
		n->tid[e].src = msg->src;
		n->tid[e].dst = msg->dst;
		n->tid[e].tid = par[1];
		n->ops.timer(n->user, n->mesh_timers + T_TID + e, TID_WINDOW_MS);
		changed = n->onoff[e] != par[0];
		n->onoff[e] = par[0];
		break;
	default:
		return;
	}
	if (op != OP_ONOFF_SET_UNACK) {
		st[2] = n->onoff[e];
		reply(n, msg, elem, st, sizeof(st));
	}
	if (changed && n->ops.onoff)
		n->ops.onoff(n->user, elem, n->onoff[e]);
}

/* Does the model @id of element @e take this message (addressed, bound)? */
static bool model_takes(struct mp_sim_node *n, unsigned e, uint16_t id,
			const struct mp_mesh_rx_msg *msg)
{
	struct mp_sim_model m = { .id = id };
	uint16_t elem = (uint16_t)(n->unicast + e);

	if (!mp_sim_cfg_bound(n->cfg, elem, &m, msg->key))
		return false;	/* also: no such model on this element */
	if (msg->dst == elem)
		return true;
	if (msg->dst == ALL_NODES)
		return e == 0;	/* processed by the primary element (3.4.2.4) */
	return !own(n, msg->dst) && mp_sim_cfg_subscribed(n->cfg, elem, &m, msg->dst);
}

static void n_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct mp_sim_node *n = user;
	uint32_t op;
	size_t ol = opcode_of(msg->payload, msg->len, &op);

	if (n->reset || !ol)
		return;
	if (msg->key == MP_MESH_KEY_DEV) {
		config_rx(n, msg);
		return;
	}
	for (unsigned e = 0; e < n->elements && !n->reset; e++) {
		uint16_t elem = (uint16_t)(n->unicast + e);

		if ((op == OP_ATTENTION_GET || op == OP_ATTENTION_SET ||
		     op == OP_ATTENTION_SET_UNACK) &&
		    model_takes(n, e, MP_SIM_MODEL_HEALTH_SRV, msg))
			health_rx(n, msg, elem, op, msg->payload + ol, msg->len - ol);
		else if ((op == OP_ONOFF_GET || op == OP_ONOFF_SET || op == OP_ONOFF_SET_UNACK) &&
			 model_takes(n, e, MP_SIM_MODEL_ONOFF_SRV, msg))
			onoff_rx(n, msg, elem, op, msg->payload + ol, msg->len - ol);
	}
}

static const struct mp_mesh_ops node_mesh_ops = {
	.send = n_send, .timer = n_timer, .seq_next = n_seq_next, .dev_key = n_dev_key,
	.deliver = n_deliver,
};

/* ---- the object ---- */

int mp_sim_node_new(const struct mp_sim_node_params *p, struct mp_sim_node **out)
{
	/* three transmissions 20 ms apart, like the provisioner's own */
	struct mp_sim_cfg_params cp = { .beacon = 1, .net_transmit = 1u << 3 | 2u };
	struct mp_sim_comp comp;
	struct mp_mesh_config mc = { .ops = &node_mesh_ops, .subnets = MP_SIM_CFG_MAX_NET_KEYS,
				     .app_keys = MP_SIM_CFG_MAX_APP_KEYS,
				     .subscriptions = NODE_SUBS,
				     /* a node talks to a few peers at a time */
				     .tx_slots = 4, .rx_slots = 4 };
	struct mp_sim_node *n;
	int err;

	if (!p || !out || !p->prov || !p->ops || !p->ops->send || !p->ops->timer)
		return -EINVAL;
	if (p->comp)
		comp = *p->comp;
	else
		mp_sim_node_default_comp(&comp, p->prov->elements);
	if (comp.n_elements != p->prov->elements)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->ops = *p->ops;
	n->user = p->user;
	n->unicast = p->prov->unicast;
	n->elements = p->prov->elements;
	memcpy(n->dev_key, p->prov->device_key, 16);
	n->stray = p->stray;
	if (p->states)
		cp = *p->states;
	cp.comp = &comp;
	cp.unicast = p->prov->unicast;
	cp.net_key_index = p->prov->net_key_index;
	memcpy(cp.net_key, p->prov->net_key, 16);
	err = mp_sim_cfg_new(&cp, &n->cfg);
	mp_wipe(cp.net_key, sizeof(cp.net_key));
	if (err)
		goto fail;
	mc.user = n;
	mc.addr = n->unicast;
	mc.elements = (uint16_t)n->elements;
	mc.default_ttl = mp_sim_cfg_default_ttl(n->cfg);
	n->m = mp_mesh_new(&mc);
	if (!n->m) {
		err = -errno;
		goto fail;
	}
	n->mesh_timers = mp_mesh_timer_count(n->m);
	/* the IV Update flag of the Provisioning Data (5.4.2.5, bit 1) */
	n->iv_index = p->prov->iv_index;
	mp_net_cache_init(&n->px.cache, n->px.cache_e, PROXY_CACHE);
	err = mp_mesh_set_iv(n->m, p->prov->iv_index, p->prov->flags & 0x02);
	if (err)
		goto fail;
	sync_state(n);
	if (n->n_nets != 1) {
		err = -EIO;
		goto fail;
	}
	*out = n;
	return 0;
fail:
	mp_sim_node_free(n);
	return err;
}

void mp_sim_node_free(struct mp_sim_node *n)
{
	if (!n)
		return;
	if (n->m) {
		n->ops.timer(n->user, n->mesh_timers + T_ATTENTION, 0);
		for (unsigned e = 0; e < n->elements; e++)
			n->ops.timer(n->user, n->mesh_timers + T_TID + e, 0);
	}
	mp_mesh_free(n->m);
	mp_sim_cfg_free(n->cfg);
	mp_wipe(n, sizeof(*n));
	free(n);
}

unsigned mp_sim_node_timer_count(const struct mp_sim_node *n)
{
	return n->mesh_timers + T_TID + n->elements;
}

void mp_sim_node_timeout(struct mp_sim_node *n, unsigned id)
{
	if (id < n->mesh_timers) {
		mp_mesh_timeout(n->m, id);
	} else if (id == n->mesh_timers + T_ATTENTION) {
		/* the Attention Timer counts down to 0 (MshMDL v1.1 4.2.9) */
		if (!n->attention)
			return;
		attention_set(n, (uint8_t)(n->attention - 1));
		if (n->ops.attention)
			n->ops.attention(n->user, n->attention);
	} else if (id < mp_sim_node_timer_count(n)) {
		n->tid[id - n->mesh_timers - T_TID].valid = false;
	}
}

int mp_sim_node_rx(struct mp_sim_node *n, const uint8_t *pdu, size_t len)
{
	if (!n)
		return -EINVAL;
	if (n->reset)
		return -ESHUTDOWN;
	px_from_adv(n, pdu, len);
	return mp_mesh_rx(n->m, pdu, len);
}

/* Which of the node's subnets authenticates beacon @b, and what it says:
 * a Secure Network beacon names its subnet by Network ID, a Mesh Private
 * beacon is tried under each subnet's keys (MshPRT v1.1 3.10.3, 3.10.4). */
static int beacon_open(struct mp_sim_node *n, const uint8_t *b, size_t len, uint16_t *idx,
		       bool *new_key, uint8_t *flags)
{
	int err = -ENOKEY;

	for (size_t i = 0; i < n->n_nets; i++) {
		const struct mp_subnet *s = mp_mesh_subnet(n->m, n->nets[i]);

		if (!s)
			continue;
		if (b[0] == MP_BEACON_SECURE_NETWORK) {
			struct mp_snb_rx rx;

			err = mp_snb_rx(s, 1, b, len, &rx);
			if (err == -ENOKEY)
				continue;
			if (!err) {
				*new_key = rx.new_key;
				*flags = rx.snb.flags;
			}
		} else {
			struct mp_private_beacon_rx rx;

			err = mp_private_beacon_rx(s, 1, b, len, &rx);
			if (err == -EBADMSG) {
				err = -ENOKEY;	/* another subnet's, perhaps */
				continue;
			}
			if (!err) {
				*new_key = rx.new_key;
				*flags = rx.flags;
			}
		}
		*idx = n->nets[i];
		return err;
	}
	return err;
}

int mp_sim_node_beacon_rx(struct mp_sim_node *n, const uint8_t *b, size_t len)
{
	uint16_t idx = 0;
	uint8_t flags = 0;
	bool new_key = false;
	int err;

	if (!n || !b)
		return -EINVAL;
	if (n->reset)
		return -ESHUTDOWN;
	if (!len || (b[0] != MP_BEACON_SECURE_NETWORK && b[0] != MP_BEACON_MESH_PRIVATE))
		return -EPROTOTYPE;
	err = beacon_open(n, b, len, &idx, &new_key, &flags);
	if (err)
		return err;
	/* Only a beacon under the new key of a refresh says anything of it:
	 * one under the old key may come from a node not yet in Phase 2
	 * (MshPRT v1.1 3.11.4.2, 3.11.4.3). */
	if (!new_key)
		return 0;
	err = mp_sim_cfg_kr_beacon(n->cfg, idx, flags & MP_BEACON_FLAG_KEY_REFRESH);
	if (err <= 0)
		return err;
	/* the stack follows the server's new phase: Phase 2 sends with the
	 * new key, Phase 0 forgets the old */
	sync_kr_phase(n, idx);
	return 1;
}

bool mp_sim_node_is_reset(const struct mp_sim_node *n)
{
	return n->reset;
}

uint16_t mp_sim_node_unicast(const struct mp_sim_node *n)
{
	return n->unicast;
}

uint8_t mp_sim_node_onoff(const struct mp_sim_node *n, uint16_t elem_addr)
{
	return own(n, elem_addr) ? n->onoff[elem_addr - n->unicast] : 0;
}

uint8_t mp_sim_node_attention(const struct mp_sim_node *n)
{
	return n->attention;
}

struct mp_sim_cfg *mp_sim_node_cfg(struct mp_sim_node *n)
{
	return n->cfg;
}

const struct mp_mesh_stats *mp_sim_node_stats(const struct mp_sim_node *n)
{
	return mp_mesh_stats(n->m);
}

/* ---- the GATT Proxy server (MshPRT v1.1 6.4 - 6.7) ---- */

bool mp_sim_node_proxy_on(const struct mp_sim_node *n)
{
	return n && !n->reset && n->ops.proxy_send && mp_sim_cfg_gatt_proxy(n->cfg) == 0x01;
}

int mp_sim_node_proxy_network_id(const struct mp_sim_node *n, uint8_t id[8])
{
	const struct mp_subnet *s = n->n_nets ? mp_mesh_subnet(n->m, n->nets[0]) : NULL;

	if (!s)
		return -ENOENT;
	memcpy(id, mp_subnet_tx_keys(s)->network_id, 8);
	return 0;
}

void mp_sim_node_proxy_connected(struct mp_sim_node *n, bool up)
{
	/* a new connection starts with an empty accept list (6.6) */
	n->px.up = up;
	n->px.type = MP_PROXY_FILTER_ACCEPT;
	n->px.n = 0;
	mp_net_cache_clear(&n->px.cache);
}

size_t mp_sim_node_proxy_filter(const struct mp_sim_node *n, uint8_t *type, uint16_t *addrs,
				size_t max)
{
	if (type)
		*type = n->px.type;
	for (size_t i = 0; addrs && i < n->px.n && i < max; i++)
		addrs[i] = n->px.list[i];
	return n->px.n;
}

static bool px_passes(const struct mp_sim_node *n, uint16_t dst)
{
	bool listed = in_list(n->px.list, n->px.n, dst);

	return n->px.type == MP_PROXY_FILTER_ACCEPT ? listed : !listed;
}

static void px_add(struct mp_sim_node *n, uint16_t a)
{
	/* the unassigned address is not added; a full list takes no more */
	if (a == MP_ADDR_UNASSIGNED || in_list(n->px.list, n->px.n, a) ||
	    n->px.n >= PROXY_FILTER_MAX)
		return;
	n->px.list[n->px.n++] = a;
}

static void px_remove(struct mp_sim_node *n, uint16_t a)
{
	for (size_t i = 0; i < n->px.n; i++) {
		if (n->px.list[i] == a) {
			n->px.list[i] = n->px.list[--n->px.n];
			return;
		}
	}
}

/* Authenticate @pdu under the node's subnets: 0 with @rx and the subnet. */
static int px_open(struct mp_sim_node *n, enum mp_net_kind kind, const uint8_t *pdu, size_t len,
		   struct mp_net_rx *rx, struct mp_proxy_cfg_msg *m, const struct mp_subnet **sub)
{
	int err = -ENOKEY;

	for (size_t i = 0; i < n->n_nets; i++) {
		const struct mp_subnet *s = mp_mesh_subnet(n->m, n->nets[i]);

		if (!s)
			continue;
		if (kind == MP_NET_PROXY_CONFIG)
			err = mp_proxy_cfg_open(s, 1, n->iv_index, pdu, len, rx, m);
		else
			err = mp_net_decode(s, 1, n->iv_index, kind, pdu, len, rx);
		if (err == 0) {
			*sub = s;
			return 0;
		}
	}
	return err;
}

/* Send @rx again with TTL - 1 under the key it came with (3.4.6.3): on the
 * advertising bearer (@to_client false) or to the Proxy Client. */
static void px_relay(struct mp_sim_node *n, const struct mp_net_rx *rx, const struct mp_subnet *s,
		     bool to_client)
{
	struct mp_net_hdr h = rx->hdr;
	uint8_t out[MP_NET_PDU_MAX];
	ssize_t len;

	if (!mp_net_relay_ttl(rx->hdr.ttl, &h.ttl))
		return;
	len = mp_net_encode(&s->key[rx->new_key ? 1 : 0].flood, rx->iv_index, MP_NET_NETWORK, &h,
			    rx->transport, rx->transport_len, out, sizeof(out));
	if (len <= 0)
		return;
	if (to_client)
		n->ops.proxy_send(n->user, MP_PROXY_NETWORK_PDU, out, (size_t)len);
	else
		n->ops.send(n->user, out, (size_t)len, mp_sim_cfg_net_transmit(n->cfg));
}

/* What the node itself sends goes to its client too, if the filter lets
 * its DST through (6.6). */
static void px_own_tx(struct mp_sim_node *n, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	const struct mp_subnet *s;
	struct mp_net_rx rx;

	if (!n->px.up || !mp_sim_node_proxy_on(n))
		return;
	s = mp_mesh_subnet(n->m, net_idx);
	if (s && mp_net_decode_cred(&mp_subnet_tx_keys(s)->flood, n->iv_index, MP_NET_NETWORK, pdu,
				    len, &rx) == 0 &&
	    px_passes(n, rx.hdr.dst))
		n->ops.proxy_send(n->user, MP_PROXY_NETWORK_PDU, pdu, len);
}

/* Heard on the advertising bearer: another node's PDU for the client. */
static void px_from_adv(struct mp_sim_node *n, const uint8_t *pdu, size_t len)
{
	const struct mp_subnet *s;
	struct mp_net_rx rx;

	if (!n->px.up || !mp_sim_node_proxy_on(n) ||
	    px_open(n, MP_NET_NETWORK, pdu, len, &rx, NULL, &s) < 0)
		return;
	if (own(n, rx.hdr.src) || own(n, rx.hdr.dst) || !px_passes(n, rx.hdr.dst) ||
	    mp_net_cache_add(&n->px.cache, rx.iv_index, rx.hdr.src, rx.hdr.seq) < 0)
		return;
	px_relay(n, &rx, s, true);
}

static int px_net_rx(struct mp_sim_node *n, const uint8_t *pdu, size_t len)
{
	const struct mp_subnet *s;
	struct mp_net_rx rx;
	bool relayed = false;
	int err = px_open(n, MP_NET_NETWORK, pdu, len, &rx, NULL, &s);

	if (err < 0)
		return err;
	/* the client's own address joins an accept list (6.6), so that the
	 * answers to it come back without a filter set up */
	if (n->px.type == MP_PROXY_FILTER_ACCEPT && mp_addr_is_unicast(rx.hdr.src))
		px_add(n, rx.hdr.src);
	/* not to be sent back to the client when another copy comes by air */
	mp_net_cache_add(&n->px.cache, rx.iv_index, rx.hdr.src, rx.hdr.seq);
	if (!own(n, rx.hdr.dst)) {
		px_relay(n, &rx, s, false);
		relayed = true;
	}
	err = mp_mesh_rx(n->m, pdu, len);
	return relayed ? 0 : err;
}

/* A Proxy Configuration message: the filter changed, the Filter Status
 * answers it (6.7). */
static int px_cfg_rx(struct mp_sim_node *n, const uint8_t *pdu, size_t len)
{
	struct mp_proxy_cfg_msg m, st = { .opcode = MP_PROXY_CFG_FILTER_STATUS };
	const struct mp_subnet *s;
	uint8_t out[MP_NET_PDU_MAX];
	struct mp_net_rx rx;
	uint32_t seq;
	ssize_t olen;
	int err = px_open(n, MP_NET_PROXY_CONFIG, pdu, len, &rx, &m, &s);

	if (err < 0)
		return err;
	switch (m.opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		n->px.type = m.filter_type;
		n->px.n = 0;
		break;
	case MP_PROXY_CFG_ADD_ADDRS:
		for (size_t i = 0; i < m.naddrs; i++)
			px_add(n, m.addrs[i]);
		break;
	case MP_PROXY_CFG_REMOVE_ADDRS:
		for (size_t i = 0; i < m.naddrs; i++)
			px_remove(n, m.addrs[i]);
		break;
	default:	/* the Directed Proxy ones: no directed forwarding here */
		return 0;
	}
	st.filter_type = n->px.type;
	st.list_size = (uint16_t)n->px.n;
	err = n_seq_next(n, &seq);
	if (err < 0)
		return err;
	olen = mp_proxy_cfg_seal(&mp_subnet_tx_keys(s)->flood, n->iv_index, n->unicast, seq, &st,
				 out, sizeof(out));
	if (olen < 0)
		return (int)olen;
	n->ops.proxy_send(n->user, MP_PROXY_CONFIGURATION, out, (size_t)olen);
	return 0;
}

int mp_sim_node_proxy_rx(struct mp_sim_node *n, uint8_t type, const uint8_t *msg, size_t len)
{
	if (!n || !msg)
		return -EINVAL;
	if (n->reset)
		return -ESHUTDOWN;
	if (!n->px.up || !mp_sim_node_proxy_on(n))
		return -ENOTCONN;
	if (type == MP_PROXY_NETWORK_PDU)
		return px_net_rx(n, msg, len);
	if (type == MP_PROXY_CONFIGURATION)
		return px_cfg_rx(n, msg, len);
	return -EPROTONOSUPPORT;
}
