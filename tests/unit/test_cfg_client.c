/* The Configuration Client (config/client.h) against simulated nodes'
 * Configuration Servers (sim/node_cfg.h, written apart), over a fake link
 * at the access level: what the client sends goes to mp_sim_cfg_rx() of
 * the node it is addressed to, what the node answers comes back to
 * mp_cfg_client_rx(), each way through a FIFO that may drop messages with
 * a seeded generator. Time is a fake clock (fake_sched.h): no test sleeps.
 *
 * The nodes: node i (0..N-1) at 0x0100 + 0x10 * i, two elements, as in
 * test_sim_cfg.c: element 0 with the Configuration Server, the Health
 * Server, a Generic OnOff Server and a vendor model 0x05f1:0x0001;
 * element 1 with a Generic OnOff Server. Relay and Proxy supported.
 */
#include <errno.h>
#include <string.h>

#include "access/msg.h"
#include "config/client.h"
#include "config/comp.h"
#include "fake_sched.h"
#include "sim/node_cfg.h"
#include "testutil.h"

#define NET_IDX 0x456
#define APP_IDX 0x123
#define MAX_NODES 12
#define MAX_PLACES 16
#define LINK_MAX 512
#define LOG_MAX 4096
#define ME 0x0001	/* the client's address */

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
				     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
				     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
static const uint8_t label1[16] = { 0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
				    0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1 };

static const struct mp_model_id onoff = { .id = 0x1000 };
static const struct mp_model_id vnd = { .vendor = true, .cid = 0x05f1, .id = 0x0001 };
static const struct mp_model_id lightness = { .id = 0x1300 };	/* on no element */
static const struct mp_sim_model sim_onoff = { .id = 0x1000 };

static const struct mp_sim_comp test_comp = {
	.cid = 0x05f1, .pid = 0x0001, .vid = 0x0002, .crpl = 0x0008,
	.features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY,
	.n_elements = 2,
	.elements = {
		{ .loc = 0x0100, .n_models = 4, .models = {
			{ .id = 0x0000 }, { .id = 0x0002 }, { .id = 0x1000 },
			{ .vendor = true, .cid = 0x05f1, .id = 0x0001 } } },
		{ .loc = 0x0101, .n_models = 1, .models = { { .id = 0x1000 } } },
	},
};

/* One message on the link: to a node (to_node) or back to the client. */
struct pkt {
	bool to_node;
	uint16_t src, dst;
	size_t len;
	uint8_t data[MP_ACCESS_MSG_MAX];
};

/* What happened, in order: for the ordering checks. */
struct ev {
	bool done;		/* false: a transmission */
	uint16_t dst;
	uint32_t opcode;
	int err;
	uint8_t status;
	uint64_t at;
};

struct result {
	bool ended;
	int err;
	uint8_t status;
	const char *status_name;
	unsigned int tries;
	uint64_t at;
	struct mp_cfg_msg msg;
	uint8_t data[MP_ACCESS_MSG_MAX];	/* Composition Data, copied */
};

struct world {
	uint64_t now;
	struct fake_sched sched;
	uint64_t deadline[MAX_PLACES];
	struct mp_cfg_client *c;
	struct mp_sim_cfg *node[MAX_NODES];
	unsigned int n_nodes;
	struct pkt *link;
	size_t head, tail;
	uint32_t rng;
	unsigned int loss_pct;
	unsigned long dropped;
	struct ev log[LOG_MAX];
	size_t n_log;
	uint32_t timer_ms[LOG_MAX];	/* the waits asked for, in order (0s left out) */
	size_t n_timer;
	struct result res[LOG_MAX];	/* by request id */
	unsigned long n_done;
	/* a request to submit from inside done() */
	uint32_t chain_after;
	struct mp_cfg_msg chain_msg;
	uint16_t chain_dst;
	int64_t chain_id;
};

static uint16_t node_addr(unsigned int i)
{
	return (uint16_t)(0x0100 + 0x10 * i);
}

/* xorshift32: a seeded loss pattern, the same on every run. */
static uint32_t rnd(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

static bool lost(struct world *w)
{
	if (w->loss_pct && rnd(w) % 100 < w->loss_pct) {
		w->dropped++;
		return true;
	}
	return false;
}

static void link_push(struct world *w, bool to_node, uint16_t src, uint16_t dst,
		      const uint8_t *data, size_t len)
{
	struct pkt *p;

	assert_true(w->tail < LINK_MAX);
	assert_true(len <= MP_ACCESS_MSG_MAX);
	p = &w->link[w->tail++];
	p->to_node = to_node;
	p->src = src;
	p->dst = dst;
	p->len = len;
	memcpy(p->data, data, len);
}

static void log_ev(struct world *w, bool done, uint16_t dst, uint32_t opcode, int err,
		   uint8_t status)
{
	assert_true(w->n_log < LOG_MAX);
	w->log[w->n_log++] = (struct ev){ done, dst, opcode, err, status, w->now };
}

static int op_send(void *user, uint16_t dst, uint16_t net_idx, bool dev_key, const uint8_t *msg,
		   size_t len)
{
	struct world *w = user;
	uint32_t op = 0;

	assert_true(dev_key);
	assert_int_equal(net_idx, NET_IDX);
	assert_true(mp_access_opcode_decode(msg, len, &op) > 0);
	log_ev(w, false, dst, op, 0, 0);
	link_push(w, true, ME, dst, msg, len);
	return 0;
}

static void op_timer(void *user, unsigned int id, uint32_t ms)
{
	struct world *w = user;

	assert_true(id < MAX_PLACES);
	fake_sched_arm(&w->sched, &w->deadline[id], ms);
	if (ms) {
		assert_true(w->n_timer < LOG_MAX);
		w->timer_ms[w->n_timer++] = ms;
	}
}

static void op_done(void *user, const struct mp_cfg_client_result *r)
{
	struct world *w = user;
	struct result *x;

	assert_true(r->id < LOG_MAX);
	x = &w->res[r->id];
	assert_false(x->ended);
	x->ended = true;
	x->err = r->err;
	x->tries = r->tries;
	x->at = w->now;
	x->status_name = r->status_name;
	if (r->status) {
		x->msg = *r->status;
		x->status = r->status->status;
		if (r->status->data) {
			memcpy(x->data, r->status->data, r->status->data_len);
			x->msg.data = x->data;
		}
	} else {
		assert_null(r->status_name);
	}
	log_ev(w, true, r->dst, r->opcode, r->err, x->status);
	w->n_done++;
	if (w->chain_after && r->id == w->chain_after) {
		struct mp_cfg_client_req q = { .dst = w->chain_dst, .net_idx = NET_IDX,
					       .msg = &w->chain_msg };

		w->chain_id = mp_cfg_client_submit(w->c, &q);
	}
}

static const struct mp_cfg_client_ops ops = { op_send, op_timer, op_done };

static void fire(void *owner, unsigned int id)
{
	struct world *w = owner;

	mp_cfg_client_timeout(w->c, id);
}

/* Deliver what is on the link, and what that causes, until it is empty. */
static void pump(void *ctx)
{
	struct world *w = ctx;

	while (w->head < w->tail) {
		struct pkt p = w->link[w->head++];

		if (lost(w))
			continue;
		if (p.to_node) {
			uint8_t out[MP_ACCESS_MSG_MAX];
			size_t out_len = 0;
			unsigned int i;

			for (i = 0; i < w->n_nodes; i++)
				if (node_addr(i) == p.dst)
					break;
			if (i == w->n_nodes || !w->node[i])
				continue;
			if (mp_sim_cfg_rx(w->node[i], p.src, NET_IDX, p.data, p.len, out,
					  sizeof(out), &out_len) == 0 && out_len)
				link_push(w, false, p.dst, p.src, out, out_len);
		} else {
			mp_cfg_client_rx(w->c, p.src, true, p.data, p.len);
		}
	}
	w->head = w->tail = 0;
}

static void setup_nodes(struct world *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct mp_sim_cfg_params p = {
			.comp = &test_comp, .unicast = node_addr(i), .net_key_index = NET_IDX,
			.limits = { .net_keys = 2, .app_keys = 3, .subs_per_model = 4,
				    .binds_per_model = 3 },
			.beacon = 1, .net_transmit = 0x21, .relay = 1, .relay_retransmit = 0x0a,
		};

		memcpy(p.net_key, net_key, 16);
		assert_int_equal(mp_sim_cfg_new(&p, &w->node[i]), 0);
	}
	w->n_nodes = n;
}

static struct world *world_new(unsigned int nodes, unsigned int inflight,
			       const struct mp_cfg_client_timing *timing)
{
	struct world *w = test_calloc(1, sizeof(*w));
	struct mp_cfg_client_config cfg = {
		.ops = &ops, .max_inflight = inflight, .timing = timing, .seg_timing = timing,
	};

	w->link = test_calloc(LINK_MAX, sizeof(*w->link));
	w->rng = 0x2545f491;
	fake_sched_init(&w->sched, &w->now);
	cfg.user = w;
	w->c = mp_cfg_client_new(&cfg);
	assert_non_null(w->c);
	fake_sched_add(&w->sched, w->deadline, MAX_PLACES, w, NULL, fire);
	setup_nodes(w, nodes);
	return w;
}

static void world_free(struct world *w)
{
	unsigned int i;

	mp_cfg_client_free(w->c);
	for (i = 0; i < w->n_nodes; i++)
		mp_sim_cfg_free(w->node[i]);
	test_free(w->link);
	test_free(w);
}

static bool all_done(void *ctx)
{
	struct world *w = ctx;

	return mp_cfg_client_pending(w->c, 0) == 0;
}

/* Run until nothing is pending (or an hour of fake time). */
static void run(struct world *w)
{
	assert_true(fake_sched_run(&w->sched, w->now + 3600 * 1000, pump, all_done, w));
}

static int64_t submit_f(struct world *w, uint16_t dst, const struct mp_cfg_msg *m,
			unsigned int flags)
{
	struct mp_cfg_client_req q = { .dst = dst, .net_idx = NET_IDX, .msg = m, .flags = flags };
	int64_t id = mp_cfg_client_submit(w->c, &q);

	if (id <= 0)
		print_error("submit of 0x%x to 0x%04x: %lld\n", (unsigned)m->opcode, dst,
			    (long long)id);
	assert_true(id > 0 && id < LOG_MAX);
	return id;
}

static int64_t submit(struct world *w, uint16_t dst, const struct mp_cfg_msg *m)
{
	return submit_f(w, dst, m, 0);
}

/* Submit @m to node 0, run, and return its result, which must be an answer
 * with @status. */
#define one(w, m, status) _one((w), (m), (status), __LINE__)
static const struct mp_cfg_msg *_one(struct world *w, const struct mp_cfg_msg *m, int status,
				     int line)
{
	int64_t id = submit(w, node_addr(0), m);
	struct result *r = &w->res[id];

	run(w);
	if (!r->ended || r->err || r->status != status)
		print_error("line %d: 0x%x: ended %d err %d status 0x%02x, want 0x%02x\n", line,
			    (unsigned)m->opcode, r->ended, r->err, r->status, status);
	assert_true(r->ended);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->status, status);
	assert_int_equal(r->tries, 1);
	return &r->msg;
}

/* Every message family of 4.3.2, one after another, against one node. */
static void test_families(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	struct mp_cfg_client_timing none = { 0 };
	const uint16_t a = node_addr(0), e1 = (uint16_t)(a + 1);
	const struct mp_cfg_msg *s;
	struct mp_cfg_msg m;
	struct mp_comp0 comp;
	struct mp_cfg_pub pub = { .addr = 0xc001, .app_idx = APP_IDX, .ttl = 5,
				  .period = MP_CFG_PERIOD(10, 1), .retransmit = MP_CFG_XMIT(2, 3) };
	struct mp_cfg_hb_pub hb = { .dst = 0xc005, .count_log = 2, .period_log = 3, .ttl = 7,
				    .features = MP_CFG_FEAT_RELAY, .net_idx = NET_IDX };
	struct mp_sim_pub sp;
	uint8_t key2[16];
	uint16_t va1;

	(void)state;
	(void)none;
	memset(key2, 0x5a, sizeof(key2));
	assert_int_equal(mp_sim_virtual_addr(label1, &va1), 0);

	mp_cfg_req_composition_get(&m, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->page, 0);
	assert_int_equal(mp_comp0_decode(s->data, s->data_len, &comp), 0);
	assert_int_equal(comp.cid, 0x05f1);
	assert_int_equal(comp.n_elems, 2);
	assert_true(mp_comp0_has_model(&comp, 0, &vnd));
	assert_true(mp_comp0_has_model(&comp, 1, &onoff));
	assert_false(mp_comp0_has_model(&comp, 0, &lightness));

	mp_cfg_req_netkey_get(&m);
	s = one(w, &m, 0);
	assert_int_equal(s->n_list, 1);
	assert_int_equal(s->list[0], NET_IDX);
	mp_cfg_req_netkey_add(&m, 0x001, key2);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->net_idx, 0x001);
	mp_cfg_req_netkey_update(&m, 0x001, net_key);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_krp_get(&m, 0x001);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->state, 1);	/* an update starts Phase 1 */
	mp_cfg_req_krp_set(&m, 0x001, 3);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->state, 0);
	mp_cfg_req_netkey_delete(&m, 0x001);
	one(w, &m, MP_CFG_SUCCESS);

	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->app_idx, APP_IDX);
	assert_int_equal(s->net_idx, NET_IDX);
	mp_cfg_req_appkey_get(&m, NET_IDX);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->n_list, 1);
	assert_int_equal(s->list[0], APP_IDX);
	/* Not in a key refresh: the update is refused, and the code named */
	mp_cfg_req_appkey_update(&m, NET_IDX, APP_IDX, key2);
	one(w, &m, MP_CFG_CANNOT_UPDATE);
	assert_string_equal(w->res[w->n_done].status_name, "Cannot Update");

	mp_cfg_req_model_app(&m, true, a, APP_IDX, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_model_app(&m, true, a, APP_IDX, &vnd);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_model_app_get(&m, a, &onoff);
	assert_int_equal(m.opcode, MP_CFG_OP_SIG_MODEL_APP_GET);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->n_list, 1);
	assert_int_equal(s->list[0], APP_IDX);
	mp_cfg_req_model_app_get(&m, a, &vnd);
	assert_int_equal(m.opcode, MP_CFG_OP_VENDOR_MODEL_APP_GET);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->n_list, 1);
	assert_true(mp_sim_cfg_bound(w->node[0], a, &sim_onoff, APP_IDX));

	mp_cfg_req_pub_set(&m, a, &pub, NULL, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_pub_get(&m, a, &onoff);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->pub.addr, 0xc001);
	assert_int_equal(s->pub.ttl, 5);
	assert_int_equal(s->pub.period, MP_CFG_PERIOD(10, 1));
	assert_int_equal(s->pub.retransmit, MP_CFG_XMIT(2, 3));
	mp_cfg_req_pub_set(&m, a, &pub, label1, &onoff);
	assert_int_equal(m.opcode, MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->pub.addr, va1);
	assert_int_equal(mp_sim_cfg_publication(w->node[0], a, &sim_onoff, &sp), 0);
	assert_true(sp.virt);

	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD, e1, 0xc002, NULL, &onoff);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->addr, 0xc002);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD, e1, 0, label1, &onoff);
	assert_int_equal(m.opcode, MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->addr, va1);
	mp_cfg_req_sub_get(&m, e1, &onoff);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->n_list, 2);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE, e1, 0, label1, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE, e1, 0xc003, NULL, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	assert_true(mp_sim_cfg_subscribed(w->node[0], e1, &sim_onoff, 0xc003));
	assert_false(mp_sim_cfg_subscribed(w->node[0], e1, &sim_onoff, 0xc002));
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE, e1, 0xc003, NULL, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE, e1, 0, label1, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_sub_delete_all(&m, e1, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	mp_cfg_req_sub_get(&m, a, &vnd);
	assert_int_equal(m.opcode, MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->n_list, 0);

	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 7);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 7);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_GET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 7);
	assert_int_equal(mp_sim_cfg_default_ttl(w->node[0]), 7);
	mp_cfg_req_state(&m, MP_CFG_OP_BEACON_SET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 0);
	mp_cfg_req_state(&m, MP_CFG_OP_BEACON_GET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 0);
	mp_cfg_req_state(&m, MP_CFG_OP_GATT_PROXY_SET, 1);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 1);
	mp_cfg_req_state(&m, MP_CFG_OP_GATT_PROXY_GET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 1);
	mp_cfg_req_state(&m, MP_CFG_OP_FRIEND_SET, 1);
	s = one(w, &m, 0);
	assert_int_equal(s->state, MP_CFG_NOT_SUPPORTED);
	mp_cfg_req_state(&m, MP_CFG_OP_FRIEND_GET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, MP_CFG_NOT_SUPPORTED);
	mp_cfg_req_state(&m, MP_CFG_OP_NETWORK_TRANSMIT_SET, MP_CFG_XMIT(3, 4));
	s = one(w, &m, 0);
	assert_int_equal(s->state, MP_CFG_XMIT(3, 4));
	mp_cfg_req_state(&m, MP_CFG_OP_NETWORK_TRANSMIT_GET, 0);
	s = one(w, &m, 0);
	assert_int_equal(s->state, MP_CFG_XMIT(3, 4));
	mp_cfg_req_relay_set(&m, 0, MP_CFG_XMIT(1, 2));
	s = one(w, &m, 0);
	assert_int_equal(s->state, 0);
	mp_cfg_req_relay_get(&m);
	s = one(w, &m, 0);
	assert_int_equal(s->state, 0);
	mp_cfg_req_node_identity_get(&m, NET_IDX);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->net_idx, NET_IDX);
	mp_cfg_req_node_identity_set(&m, NET_IDX, 1);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->state, 1);

	mp_cfg_req_hb_pub_set(&m, &hb);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->hb_pub.dst, 0xc005);
	mp_cfg_req_hb_pub_get(&m);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->hb_pub.ttl, 7);
	assert_int_equal(s->hb_pub.features, MP_CFG_FEAT_RELAY);
	mp_cfg_req_hb_sub_set(&m, 0x0042, a, 4);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->hb_sub.src, 0x0042);
	mp_cfg_req_hb_sub_get(&m);
	s = one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(s->hb_sub.dst, a);
	mp_cfg_req_lpn_poll_timeout_get(&m, 0x0777);
	s = one(w, &m, 0);
	assert_int_equal(s->addr, 0x0777);
	assert_int_equal(s->poll_timeout, 0);

	mp_cfg_req_model_app(&m, false, a, APP_IDX, &onoff);
	one(w, &m, MP_CFG_SUCCESS);
	assert_false(mp_sim_cfg_bound(w->node[0], a, &sim_onoff, APP_IDX));
	mp_cfg_req_appkey_delete(&m, NET_IDX, APP_IDX);
	one(w, &m, MP_CFG_SUCCESS);
	assert_int_equal(mp_sim_cfg_app_key_count(w->node[0]), 0);

	mp_cfg_req_node_reset(&m);
	one(w, &m, 0);
	assert_true(mp_sim_cfg_is_reset(w->node[0]));

	assert_int_equal(mp_cfg_client_stats(w->c)->retries, 0);
	assert_int_equal(mp_cfg_client_stats(w->c)->unmatched, 0);
	assert_int_equal(mp_cfg_client_stats(w->c)->answered, w->n_done);
	assert_int_equal(mp_cfg_client_stats(w->c)->failed_status, 1);
	world_free(w);
}

/* The steps of a light: its AppKey, bound to the OnOff Server of both
 * elements, a subscription and a publication. */
static void light_steps(struct world *w, unsigned int i, int64_t ids[5])
{
	uint16_t a = node_addr(i);
	struct mp_cfg_pub pub = { .addr = 0xc000, .app_idx = APP_IDX, .ttl = 4 };
	struct mp_cfg_msg m;

	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	ids[0] = submit_f(w, a, &m, MP_CFG_REQ_STOP_ON_FAIL);
	mp_cfg_req_model_app(&m, true, a, APP_IDX, &onoff);
	ids[1] = submit(w, a, &m);
	mp_cfg_req_model_app(&m, true, (uint16_t)(a + 1), APP_IDX, &onoff);
	ids[2] = submit(w, a, &m);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD, (uint16_t)(a + 1), 0xc00a, NULL,
		       &onoff);
	ids[3] = submit(w, a, &m);
	mp_cfg_req_pub_set(&m, a, &pub, NULL, &onoff);
	ids[4] = submit(w, a, &m);
	memset(&m, 0, sizeof(m));
}

static void assert_light(struct world *w, unsigned int i, const int64_t ids[5])
{
	uint16_t a = node_addr(i);
	struct mp_sim_pub sp;
	unsigned int k;

	for (k = 0; k < 5; k++) {
		assert_true(w->res[ids[k]].ended);
		assert_int_equal(w->res[ids[k]].err, 0);
		assert_int_equal(w->res[ids[k]].status, MP_CFG_SUCCESS);
	}
	assert_true(mp_sim_cfg_bound(w->node[i], a, &sim_onoff, APP_IDX));
	assert_true(mp_sim_cfg_bound(w->node[i], (uint16_t)(a + 1), &sim_onoff, APP_IDX));
	assert_true(mp_sim_cfg_subscribed(w->node[i], (uint16_t)(a + 1), &sim_onoff, 0xc00a));
	assert_int_equal(mp_sim_cfg_publication(w->node[i], a, &sim_onoff, &sp), 0);
	assert_int_equal(sp.addr, 0xc000);
}

/* Within a node: each request is sent only after the one before it ended
 * (AppKey Add answered before the Bind is sent), in submit order. */
static void assert_ordered(const struct world *w)
{
	size_t i, j;

	for (i = 0; i < w->n_log; i++) {
		const struct ev *e = &w->log[i];

		if (e->done)
			continue;
		/* every earlier transmission to that node of another request
		 * has been reported done before this one */
		for (j = 0; j < i; j++) {
			const struct ev *f = &w->log[j];
			size_t k;
			bool ended = false;

			if (f->done || f->dst != e->dst || f->opcode == e->opcode)
				continue;
			for (k = j + 1; k < i; k++)
				if (w->log[k].done && w->log[k].dst == f->dst &&
				    w->log[k].opcode == f->opcode)
					ended = true;
			assert_true(ended);
		}
	}
}

static void test_ordered_add_then_bind(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	int64_t ids[5];
	size_t i, add_done = 0, bind_sent = 0;

	(void)state;
	light_steps(w, 0, ids);
	/* only the AppKey Add is out before anything is answered */
	assert_int_equal(w->tail, 1);
	assert_int_equal(mp_cfg_client_pending(w->c, node_addr(0)), 5);
	run(w);
	assert_light(w, 0, ids);
	for (i = 0; i < w->n_log; i++) {
		if (w->log[i].done && w->log[i].opcode == MP_CFG_OP_APPKEY_ADD)
			add_done = i;
		if (!w->log[i].done && w->log[i].opcode == MP_CFG_OP_MODEL_APP_BIND && !bind_sent)
			bind_sent = i;
	}
	assert_true(add_done < bind_sent);
	assert_ordered(w);
	/* the completions in submit order */
	for (i = 1; i < 5; i++)
		assert_true(w->res[ids[i - 1]].at <= w->res[ids[i]].at);
	assert_int_equal(mp_cfg_client_pending(w->c, 0), 0);
	world_free(w);
}

/* Ten nodes in parallel: every node's first request goes out at once. */
static void test_ten_nodes_parallel(void **state)
{
	struct world *w = world_new(10, 10, NULL);
	int64_t ids[10][5];
	unsigned int i;

	(void)state;
	for (i = 0; i < 10; i++)
		light_steps(w, i, ids[i]);
	assert_int_equal(w->tail, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(w->link[i].dst, node_addr(i));
	run(w);
	for (i = 0; i < 10; i++)
		assert_light(w, i, ids[i]);
	assert_ordered(w);
	assert_int_equal(w->now, 0);	/* no loss: no timer ever fired */
	assert_int_equal(mp_cfg_client_stats(w->c)->sent, 50);
	world_free(w);
}

/* A limit of 3 nodes in flight: 3 first requests out, the others wait, and
 * no more than 3 nodes are ever between a first send and a last done. */
static void test_inflight_limit(void **state)
{
	struct world *w = world_new(10, 3, NULL);
	int64_t ids[10][5];
	unsigned int i, k, active = 0, most = 0;
	bool busy[10] = { false };
	size_t e;

	(void)state;
	for (i = 0; i < 10; i++)
		light_steps(w, i, ids[i]);
	assert_int_equal(w->tail, 3);
	run(w);
	for (i = 0; i < 10; i++)
		assert_light(w, i, ids[i]);
	for (e = 0; e < w->n_log; e++) {
		i = (w->log[e].dst - 0x0100) / 0x10;
		if (!w->log[e].done && !busy[i]) {
			busy[i] = true;
			active++;
		}
		if (w->log[e].done && w->log[e].opcode == MP_CFG_OP_MODEL_PUBLICATION_SET) {
			busy[i] = false;
			active--;
		}
		if (active > most)
			most = active;
	}
	assert_int_equal(most, 3);
	/* the nodes were served in the order they came */
	for (e = 0, k = 0; e < w->n_log; e++)
		if (!w->log[e].done && w->log[e].opcode == MP_CFG_OP_APPKEY_ADD) {
			assert_int_equal(w->log[e].dst, node_addr(k));
			k++;
		}
	assert_int_equal(k, 10);
	world_free(w);
}

/* 30 % of the messages lost each way: the retries bring every node there. */
static void test_loss_30(void **state)
{
	struct mp_cfg_client_timing t = { .timeout_ms = 500, .factor_pct = 150, .max_ms = 2000,
					  .tries = 16 };
	struct world *w = world_new(10, 4, &t);
	int64_t ids[10][5];
	const struct mp_cfg_client_stats *st;
	unsigned int i;

	(void)state;
	w->loss_pct = 30;
	for (i = 0; i < 10; i++)
		light_steps(w, i, ids[i]);
	run(w);
	for (i = 0; i < 10; i++)
		assert_light(w, i, ids[i]);
	assert_ordered(w);
	st = mp_cfg_client_stats(w->c);
	assert_true(w->dropped > 0);
	assert_true(st->retries > 0);
	assert_int_equal(st->answered, 50);
	assert_int_equal(st->timed_out, 0);
	assert_int_equal(st->sent, 50 + st->retries);
	print_message("30%% loss: %lu dropped, %lu retries, %llu ms\n", w->dropped, st->retries,
		      (unsigned long long)w->now);
	world_free(w);
}

/* A node out of room for keys answers Insufficient Resources, a Bind of a
 * model it lacks Invalid Model: both named; the node's independent steps
 * go on. A failed STOP_ON_FAIL step ends the rest of its node's queue. */
static void test_failures_named(void **state)
{
	struct world *w = world_new(2, 0, NULL);
	uint16_t a = node_addr(0), b = node_addr(1);
	struct mp_cfg_msg m;
	int64_t add, bind_missing, ttl, sub, add_b, bind_b, ttl_b;
	const struct mp_cfg_client_stats *st;

	(void)state;
	mp_sim_cfg_fail_keys_after(w->node[0], 0);
	mp_sim_cfg_fail_keys_after(w->node[1], 0);

	/* node a: independent steps (no flag) */
	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	add = submit(w, a, &m);
	mp_cfg_req_model_app(&m, true, a, APP_IDX, &lightness);
	bind_missing = submit(w, a, &m);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 9);
	ttl = submit(w, a, &m);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD, a, 0xc010, NULL, &onoff);
	sub = submit(w, a, &m);
	/* node b: the AppKey Add is one the rest depends on */
	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	add_b = submit_f(w, b, &m, MP_CFG_REQ_STOP_ON_FAIL);
	mp_cfg_req_model_app(&m, true, b, APP_IDX, &onoff);
	bind_b = submit(w, b, &m);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 9);
	ttl_b = submit(w, b, &m);
	run(w);

	assert_int_equal(w->res[add].err, 0);
	assert_int_equal(w->res[add].status, MP_CFG_INSUFFICIENT_RESOURCES);
	assert_string_equal(w->res[add].status_name, "Insufficient Resources");
	assert_int_equal(w->res[bind_missing].err, 0);
	assert_int_equal(w->res[bind_missing].status, MP_CFG_INVALID_MODEL);
	assert_string_equal(w->res[bind_missing].status_name, "Invalid Model");
	assert_int_equal(w->res[ttl].status, MP_CFG_SUCCESS);
	assert_int_equal(w->res[sub].status, MP_CFG_SUCCESS);
	assert_int_equal(mp_sim_cfg_default_ttl(w->node[0]), 9);
	assert_true(mp_sim_cfg_subscribed(w->node[0], a, &sim_onoff, 0xc010));

	assert_int_equal(w->res[add_b].status, MP_CFG_INSUFFICIENT_RESOURCES);
	assert_int_equal(w->res[bind_b].err, -ECANCELED);
	assert_int_equal(w->res[ttl_b].err, -ECANCELED);
	assert_int_equal(w->res[bind_b].tries, 0);
	assert_int_not_equal(mp_sim_cfg_default_ttl(w->node[1]), 9);

	st = mp_cfg_client_stats(w->c);
	assert_int_equal(st->failed_status, 3);
	assert_int_equal(st->skipped, 2);
	assert_int_equal(st->sent, 5);
	world_free(w);
}

static int64_t submit_after(struct world *w, uint16_t dst, const struct mp_cfg_msg *m,
			    int64_t after)
{
	struct mp_cfg_client_req q = { .dst = dst, .net_idx = NET_IDX, .msg = m,
				       .after = (uint32_t)after };
	int64_t id = mp_cfg_client_submit(w->c, &q);

	assert_true(id > 0 && id < LOG_MAX);
	return id;
}

/* Dependencies by id: a failed AppKey Add skips the Bind that comes after
 * it and the Publication that comes after the Bind; the steps that depend
 * on nothing, or on a step that succeeded, go on. */
static void test_after_dependencies(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	uint16_t a = node_addr(0);
	struct mp_cfg_pub pub = { .addr = 0xc000, .app_idx = APP_IDX, .ttl = 4 };
	struct mp_cfg_client_req q = { .dst = a, .net_idx = NET_IDX, .after = 999 };
	struct mp_cfg_msg m;
	int64_t add, bind, pubset, ttl, sub, bind2;

	(void)state;
	mp_sim_cfg_fail_keys_after(w->node[0], 0);
	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	add = submit(w, a, &m);
	mp_cfg_req_model_app(&m, true, a, APP_IDX, &onoff);
	bind = submit_after(w, a, &m, add);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 9);
	ttl = submit(w, a, &m);
	mp_cfg_req_pub_set(&m, a, &pub, NULL, &onoff);
	pubset = submit_after(w, a, &m, bind);
	mp_cfg_req_sub(&m, MP_CFG_OP_MODEL_SUBSCRIPTION_ADD, a, 0xc010, NULL, &onoff);
	sub = submit_after(w, a, &m, ttl);
	mp_cfg_req_model_app(&m, true, (uint16_t)(a + 1), APP_IDX, &onoff);
	bind2 = submit_after(w, a, &m, add);
	/* after a request that is not pending on that node */
	q.msg = &m;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -ENOENT);
	q.dst = node_addr(1);
	q.after = (uint32_t)add;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -ENOENT);
	run(w);

	assert_int_equal(w->res[add].status, MP_CFG_INSUFFICIENT_RESOURCES);
	assert_int_equal(w->res[bind].err, -ECANCELED);
	assert_int_equal(w->res[pubset].err, -ECANCELED);
	assert_int_equal(w->res[bind2].err, -ECANCELED);
	assert_int_equal(w->res[ttl].status, MP_CFG_SUCCESS);
	assert_int_equal(w->res[sub].err, 0);
	assert_int_equal(w->res[sub].status, MP_CFG_SUCCESS);
	/* reported at once, in queue order, before anything else is sent */
	assert_true(w->log[1].done && w->log[1].opcode == MP_CFG_OP_APPKEY_ADD);
	assert_true(w->log[2].done && w->log[2].opcode == MP_CFG_OP_MODEL_APP_BIND);
	assert_true(w->log[3].done && w->log[3].opcode == MP_CFG_OP_MODEL_PUBLICATION_SET);
	assert_true(w->log[4].done && w->log[4].opcode == MP_CFG_OP_MODEL_APP_BIND);
	assert_int_equal(mp_cfg_client_stats(w->c)->skipped, 3);
	assert_int_equal(mp_cfg_client_stats(w->c)->sent, 3);
	assert_true(mp_sim_cfg_subscribed(w->node[0], a, &sim_onoff, 0xc010));

	/* a cancel ends the dependents as cancelled, each counted once */
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_GET, 0);
	ttl = submit(w, a, &m);
	bind = submit_after(w, a, &m, ttl);
	assert_int_equal(mp_cfg_client_cancel_node(w->c, a), 2);
	assert_int_equal(w->res[bind].err, -ECANCELED);
	assert_int_equal(mp_cfg_client_stats(w->c)->skipped, 3);
	assert_int_equal(mp_cfg_client_stats(w->c)->cancelled, 2);
	world_free(w);
}

/* A node that answers nothing: its request is sent again after 1, 2, 4
 * and 4 s, then ends with -ETIMEDOUT; the other nodes finish meanwhile. */
static void test_muted_node(void **state)
{
	struct mp_cfg_client_timing t = { .timeout_ms = 1000, .factor_pct = 200, .max_ms = 4000,
					  .tries = 4 };
	struct world *w = world_new(3, 0, &t);
	int64_t ids[3][5];
	const struct mp_cfg_client_stats *st;
	unsigned int i;
	size_t k, n_mute = 0;

	(void)state;
	assert_int_equal(mp_sim_cfg_mute(w->node[1], 0xffffffff), 0);
	for (i = 0; i < 3; i++)
		light_steps(w, i, ids[i]);
	run(w);
	assert_light(w, 0, ids[0]);
	assert_light(w, 2, ids[2]);
	assert_int_equal(w->res[ids[0][4]].at, 0);	/* the others did not wait */
	assert_int_equal(w->res[ids[1][0]].err, -ETIMEDOUT);
	assert_null(w->res[ids[1][0]].status_name);
	assert_int_equal(w->res[ids[1][0]].tries, 4);
	assert_int_equal(w->res[ids[1][0]].at, 1000 + 2000 + 4000 + 4000);
	/* the AppKey Add is STOP_ON_FAIL: the rest of that node is skipped */
	for (k = 1; k < 5; k++)
		assert_int_equal(w->res[ids[1][k]].err, -ECANCELED);
	for (k = 0; k < w->n_log; k++)
		if (!w->log[k].done && w->log[k].dst == node_addr(1))
			n_mute++;
	assert_int_equal(n_mute, 4);
	st = mp_cfg_client_stats(w->c);
	assert_int_equal(st->timed_out, 1);
	assert_int_equal(st->retries, 3);
	assert_int_equal(st->skipped, 4);
	world_free(w);
}

/* A muted opcode alone: that step times out, the next (independent) one
 * is answered; the waits grow 1, 2, 4 s and stop at the maximum. */
static void test_muted_opcode_backoff(void **state)
{
	struct mp_cfg_client_timing t = { .timeout_ms = 1000, .factor_pct = 200, .max_ms = 3000,
					  .tries = 5 };
	struct world *w = world_new(1, 0, &t);
	struct mp_cfg_msg m;
	int64_t ttl, beacon;
	const uint32_t want[] = { 1000, 2000, 3000, 3000, 3000 };
	size_t k;

	(void)state;
	assert_int_equal(mp_sim_cfg_mute(w->node[0], MP_CFG_OP_DEFAULT_TTL_SET), 0);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 9);
	ttl = submit(w, node_addr(0), &m);
	mp_cfg_req_state(&m, MP_CFG_OP_BEACON_GET, 0);
	beacon = submit(w, node_addr(0), &m);
	run(w);
	assert_int_equal(w->res[ttl].err, -ETIMEDOUT);
	assert_int_equal(w->res[ttl].tries, 5);
	assert_int_equal(w->res[ttl].at, 12000);
	assert_int_equal(w->res[beacon].err, 0);
	assert_int_equal(w->res[beacon].msg.state, 1);
	assert_true(w->n_timer >= 6);
	for (k = 0; k < 5; k++)
		assert_int_equal(w->timer_ms[k], want[k]);
	world_free(w);
}

/* Per request timing, and the longer default of a segmented exchange. */
static void test_timing_override(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	struct mp_cfg_client_timing t = { .timeout_ms = 300, .tries = 2 };
	struct mp_cfg_client_req q = { .dst = node_addr(0), .net_idx = NET_IDX, .timing = &t };
	struct mp_cfg_msg m;
	int64_t id;

	(void)state;
	assert_int_equal(mp_sim_cfg_mute(w->node[0], 0xffffffff), 0);
	mp_cfg_req_composition_get(&m, 0);
	id = submit(w, node_addr(0), &m);
	assert_int_equal(w->timer_ms[0], MP_CFG_CLIENT_SEG_TIMEOUT_MS);
	mp_cfg_req_state(&m, MP_CFG_OP_RELAY_GET, 0);
	q.msg = &m;
	(void)mp_cfg_client_submit(w->c, &q);
	mp_cfg_req_state(&m, MP_CFG_OP_BEACON_GET, 0);
	q.timing = NULL;
	(void)mp_cfg_client_submit(w->c, &q);
	run(w);
	assert_int_equal(w->res[id].err, -ETIMEDOUT);
	assert_int_equal(w->res[id].tries, MP_CFG_CLIENT_TRIES);
	/* 6, 10, 10, 10 s; then 300 and 600 ms; then 2.5, 5, 10, 10 s */
	assert_int_equal(w->n_timer, 10);
	assert_int_equal(w->timer_ms[1], MP_CFG_CLIENT_MAX_TIMEOUT_MS);
	assert_int_equal(w->timer_ms[4], 300);
	assert_int_equal(w->timer_ms[5], 600);
	assert_int_equal(w->timer_ms[6], MP_CFG_CLIENT_TIMEOUT_MS);
	assert_int_equal(w->timer_ms[7], 2 * MP_CFG_CLIENT_TIMEOUT_MS);
	assert_int_equal(w->now, 36000 + 900 + 27500);
	world_free(w);
}

/* Answers nobody waits for: from another address, a Status of another
 * request, one whose fields differ, a malformed one, one under an AppKey:
 * each ignored and counted; the right one still completes. */
static void test_stray_answers(void **state)
{
	struct world *w = world_new(2, 0, NULL);
	uint16_t a = node_addr(0), b = node_addr(1);
	struct mp_cfg_msg m, st;
	const struct mp_cfg_client_stats *s;
	uint8_t buf[64];
	int len;
	int64_t id, bind;

	(void)state;
	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	id = submit(w, a, &m);
	assert_int_equal(w->tail, 1);

	/* the right Status, but from node b */
	memset(&st, 0, sizeof(st));
	st.opcode = MP_CFG_OP_APPKEY_STATUS;
	st.net_idx = NET_IDX;
	st.app_idx = APP_IDX;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(mp_cfg_client_rx(w->c, b, true, buf, (size_t)len), -ENOENT);
	/* from a, but for another AppKey index */
	st.app_idx = APP_IDX + 1;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_int_equal(mp_cfg_client_rx(w->c, a, true, buf, (size_t)len), -ENOENT);
	/* from a, a Status nobody asked for */
	memset(&st, 0, sizeof(st));
	st.opcode = MP_CFG_OP_DEFAULT_TTL_STATUS;
	st.state = 5;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_int_equal(mp_cfg_client_rx(w->c, a, true, buf, (size_t)len), -ENOENT);
	/* malformed: an AppKey Status cut short; and a request, no answer */
	buf[0] = 0x80;
	buf[1] = 0x03;
	buf[2] = 0x00;
	assert_int_equal(mp_cfg_client_rx(w->c, a, true, buf, 3), -EBADMSG);
	buf[1] = 0x0c;	/* Default TTL Get */
	assert_int_equal(mp_cfg_client_rx(w->c, a, true, buf, 2), -EBADMSG);
	/* under an AppKey */
	memset(&st, 0, sizeof(st));
	st.opcode = MP_CFG_OP_APPKEY_STATUS;
	st.net_idx = NET_IDX;
	st.app_idx = APP_IDX;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_int_equal(mp_cfg_client_rx(w->c, a, false, buf, (size_t)len), -EACCES);

	/* node b binds the OnOff Server of its element 1: a Model App Status
	 * for element 0, or for another model, is not its answer */
	mp_cfg_req_model_app(&m, true, (uint16_t)(b + 1), APP_IDX, &onoff);
	bind = submit(w, b, &m);
	memset(&st, 0, sizeof(st));
	st.opcode = MP_CFG_OP_MODEL_APP_STATUS;
	st.elem_addr = b;
	st.app_idx = APP_IDX;
	st.model = onoff;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(mp_cfg_client_rx(w->c, b, true, buf, (size_t)len), -ENOENT);
	st.elem_addr = (uint16_t)(b + 1);
	st.model = vnd;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	assert_int_equal(mp_cfg_client_rx(w->c, b, true, buf, (size_t)len), -ENOENT);

	assert_false(w->res[id].ended);
	assert_false(w->res[bind].ended);
	run(w);
	assert_true(w->res[id].ended);
	assert_int_equal(w->res[id].status, MP_CFG_SUCCESS);
	/* no AppKey on b: the right answer, a failure, named */
	assert_int_equal(w->res[bind].status, MP_CFG_INVALID_APPKEY_INDEX);
	assert_string_equal(w->res[bind].status_name, "Invalid AppKey Index");
	/* the AppKey Status again */
	memset(&st, 0, sizeof(st));
	st.opcode = MP_CFG_OP_APPKEY_STATUS;
	st.net_idx = NET_IDX;
	st.app_idx = APP_IDX;
	len = mp_cfg_encode(&st, buf, sizeof(buf));
	/* and once answered, the same answer again is stray too */
	assert_int_equal(mp_cfg_client_rx(w->c, a, true, buf, (size_t)len), -ENOENT);
	s = mp_cfg_client_stats(w->c);
	assert_int_equal(s->unmatched, 6);
	/* told apart: b's answer while nothing was asked of b; a's and b's
	 * Statuses that are not what was asked; a's answer again, late */
	assert_int_equal(s->unmatched_src, 1);
	assert_int_equal(s->unmatched_other, 4);
	assert_int_equal(s->unmatched_late, 1);
	assert_int_equal(s->malformed, 2);
	assert_int_equal(s->not_dev_key, 1);
	assert_int_equal(s->answered, 2);
	world_free(w);
}

/* Cancel a node: its outstanding and queued requests end -ECANCELED in
 * order, a late answer is stray; other nodes are untouched. */
static void test_cancel_node(void **state)
{
	struct world *w = world_new(3, 2, NULL);
	int64_t ids[3][5];
	unsigned int k;

	(void)state;
	for (k = 0; k < 3; k++)
		light_steps(w, k, ids[k]);
	/* node 0 and 1 in flight, node 2 waiting: it takes node 0's place
	 * (its AppKey Add goes out) before it is cancelled in turn */
	assert_int_equal(w->tail, 2);
	assert_int_equal(mp_cfg_client_cancel_node(w->c, node_addr(0)), 5);
	assert_int_equal(w->tail, 3);
	assert_int_equal(w->link[2].dst, node_addr(2));
	assert_int_equal(mp_cfg_client_cancel_node(w->c, node_addr(2)), 5);
	assert_int_equal(mp_cfg_client_cancel_node(w->c, node_addr(2)), -ENOENT);
	assert_int_equal(mp_cfg_client_pending(w->c, node_addr(0)), 0);
	assert_int_equal(mp_cfg_client_pending(w->c, 0), 5);
	for (k = 0; k < 5; k++) {
		assert_int_equal(w->res[ids[0][k]].err, -ECANCELED);
		assert_int_equal(w->res[ids[2][k]].err, -ECANCELED);
		if (k)
			assert_true(ids[0][k - 1] < ids[0][k]);
	}
	run(w);	/* node 0's and 2's AppKey Adds reach them; the answers are stray */
	assert_light(w, 1, ids[1]);
	assert_int_equal(mp_cfg_client_stats(w->c)->unmatched, 2);
	assert_int_equal(mp_cfg_client_stats(w->c)->cancelled, 10);
	world_free(w);
}

/* done() may submit: the Bind submitted from the Add's completion. */
static void test_submit_from_done(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	struct mp_cfg_msg m;
	int64_t add;

	(void)state;
	mp_cfg_req_appkey_add(&m, NET_IDX, APP_IDX, app_key);
	add = submit(w, node_addr(0), &m);
	w->chain_after = (uint32_t)add;
	w->chain_dst = node_addr(0);
	mp_cfg_req_model_app(&w->chain_msg, true, node_addr(0), APP_IDX, &onoff);
	run(w);
	assert_true(w->chain_id > 0);
	assert_int_equal(w->res[w->chain_id].status, MP_CFG_SUCCESS);
	assert_true(mp_sim_cfg_bound(w->node[0], node_addr(0), &sim_onoff, APP_IDX));
	world_free(w);
}

static void test_bad_submit(void **state)
{
	struct world *w = world_new(1, 0, NULL);
	struct mp_cfg_client_timing bad = { .factor_pct = 50 };
	struct mp_cfg_client_config cfg = { .ops = &ops, .timing = &bad };
	struct mp_cfg_client_req q = { .dst = 0xc000, .net_idx = NET_IDX };
	struct mp_cfg_msg m;
	int k;

	(void)state;
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_GET, 0);
	q.msg = &m;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -EINVAL);	/* a group */
	q.dst = 0;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -EINVAL);
	q.dst = node_addr(0);
	m.opcode = MP_CFG_OP_DEFAULT_TTL_STATUS;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -ENOMSG);
	m.opcode = 0x8fff;
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -ENOMSG);
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_SET, 1);	/* prohibited TTL */
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -EINVAL);
	q.timing = &bad;
	mp_cfg_req_state(&m, MP_CFG_OP_DEFAULT_TTL_GET, 0);
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -EINVAL);
	assert_null(mp_cfg_client_new(&cfg));
	cfg.timing = NULL;
	cfg.max_inflight = MP_CFG_CLIENT_INFLIGHT_MAX + 1;
	assert_null(mp_cfg_client_new(&cfg));
	assert_int_equal(mp_cfg_client_stats(w->c)->submitted, 0);
	assert_int_equal(w->tail, 0);
	mp_cfg_client_free(w->c);

	/* a full queue */
	cfg.max_inflight = 1;
	cfg.max_queued = 3;
	cfg.user = w;
	w->c = mp_cfg_client_new(&cfg);
	assert_non_null(w->c);
	q.timing = NULL;
	for (k = 0; k < 3; k++)
		assert_true(mp_cfg_client_submit(w->c, &q) > 0);
	assert_int_equal(mp_cfg_client_submit(w->c, &q), -ENOBUFS);
	run(w);
	assert_int_equal(mp_cfg_client_stats(w->c)->answered, 3);
	world_free(w);
}

/* Freed with requests queued and a timer armed: no done(), timers cancelled. */
static void test_free_busy(void **state)
{
	struct world *w = world_new(2, 1, NULL);
	int64_t ids[2][5];
	unsigned int k;

	(void)state;
	light_steps(w, 0, ids[0]);
	light_steps(w, 1, ids[1]);
	assert_int_not_equal(w->deadline[0], 0);
	mp_cfg_client_free(w->c);
	w->c = NULL;
	assert_int_equal(w->deadline[0], 0);
	assert_int_equal(w->n_done, 0);
	for (k = 0; k < w->n_nodes; k++)
		mp_sim_cfg_free(w->node[k]);
	test_free(w->link);
	test_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_ordered_add_then_bind),
		cmocka_unit_test(test_ten_nodes_parallel),
		cmocka_unit_test(test_inflight_limit),
		cmocka_unit_test(test_loss_30),
		cmocka_unit_test(test_failures_named),
		cmocka_unit_test(test_after_dependencies),
		cmocka_unit_test(test_muted_node),
		cmocka_unit_test(test_muted_opcode_backoff),
		cmocka_unit_test(test_timing_override),
		cmocka_unit_test(test_stray_answers),
		cmocka_unit_test(test_cancel_node),
		cmocka_unit_test(test_submit_from_done),
		cmocka_unit_test(test_bad_submit),
		cmocka_unit_test(test_free_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
