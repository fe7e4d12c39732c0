/* engine: the provisioner's network (engine/mesh_link.h) on the engine
 * harness, against a node-role mesh stack (mesh/stack.h) answering as a
 * node with a minimal Configuration Server, on the fake clock.
 * Issue #13. */
/* beacon_io.h before adv/adv.h (engine.h): see src/engine/mesh_link.c. */
#include "net/beacon_io.h"

#include "engine_tu.h"

#include <errno.h>
#include <string.h>

#include "adv/adv.h"
#include "config/comp.h"
#include "config/msg.h"
#include "engine/mesh_link.h"
#include "mesh/stack.h"
#include "store/nodes.h"
#include "store/rpl.h"

#define NODE_ADDR 0x0100
#define Q_MAX 256

/* A Network PDU in flight, one way. */
struct q {
	unsigned n;
	uint8_t pdu[Q_MAX][29];
	size_t len[Q_MAX];
};

struct tn {			/* the test's node */
	struct eh *h;
	struct mp_mesh *m;
	uint8_t dev_key[16];
	uint32_t seq;
	int64_t timers[64];
	struct q to_node, to_prov;
	struct q history;		/* every PDU the node sent */
	/* every SEQ the node heard from the provisioner (count reuse) */
	uint32_t seen_seq[1024];
	unsigned nseen;
	/* what the provisioner received */
	struct mp_cfg_msg last;
	uint8_t last_buf[MP_MESH_ACCESS_MAX];
	unsigned answers;
	unsigned app_keys_added;
	int (*sim_advertise)(void *ctx, const uint8_t *ad, size_t len, uint32_t sender);
	/* the Mesh Beacons the provisioner advertised, and when */
	uint8_t beacon[32][MP_SNB_LEN];
	uint64_t beacon_at[32];
	unsigned nbeacons;
};

static struct tn tn;

static const uint8_t comp_bytes[] = {
	/* CID 0x05f1, PID 0x0001, VID 0x0002, CRPL 0x0020, features relay|proxy */
	0xf1, 0x05, 0x01, 0x00, 0x02, 0x00, 0x20, 0x00, 0x03, 0x00,
	/* element 0: Loc 0, NumS 3, NumV 0: Config Server, Health Server, Generic OnOff Server */
	0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x10,
};

/* ---- the node ---- */

static void node_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	(void)user;
	(void)net_idx;
	assert_true(tn.to_prov.n < Q_MAX);
	memcpy(tn.to_prov.pdu[tn.to_prov.n], pdu, len);
	tn.to_prov.len[tn.to_prov.n++] = len;
	if (tn.history.n < Q_MAX) {
		memcpy(tn.history.pdu[tn.history.n], pdu, len);
		tn.history.len[tn.history.n++] = len;
	}
}

static void node_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	unsigned i = (unsigned)(uintptr_t)data;

	(void)loop;
	(void)id;
	tn.timers[i] = 0;
	mp_mesh_timeout(tn.m, i);
}

static void node_timer(void *user, unsigned id, uint32_t ms)
{
	(void)user;
	assert_true(id < 64);
	mp_loop_timer_set(tn.h->loop, &tn.timers[id], ms, node_timer_fired, (void *)(uintptr_t)id);
}

static int node_seq(void *user, uint32_t *seq)
{
	(void)user;
	*seq = tn.seq++;
	return 0;
}

static int node_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	(void)user;
	if (addr != NODE_ADDR)
		return -ENOENT;
	memcpy(key, tn.dev_key, 16);
	return 0;
}

/* A minimal Configuration Server: Composition Data Get and AppKey Add. */
static void node_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct mp_cfg_msg req, rsp;
	uint8_t out[MP_MESH_ACCESS_MAX];
	struct mp_mesh_tx tx = { .src = NODE_ADDR, .dst = msg->src, .net_idx = msg->net_idx,
				 .key = MP_MESH_KEY_DEV, .ttl = MP_MESH_TTL_DEFAULT };
	int n;

	(void)user;
	assert_int_equal(msg->key, MP_MESH_KEY_DEV);
	assert_int_equal(mp_cfg_decode(msg->payload, msg->len, &req), 0);
	memset(&rsp, 0, sizeof(rsp));
	switch (req.opcode) {
	case MP_CFG_OP_COMPOSITION_DATA_GET:
		rsp.opcode = MP_CFG_OP_COMPOSITION_DATA_STATUS;
		rsp.page = 0;
		rsp.data = comp_bytes;
		rsp.data_len = sizeof(comp_bytes);
		break;
	case MP_CFG_OP_APPKEY_ADD:
		rsp.opcode = MP_CFG_OP_APPKEY_STATUS;
		rsp.net_idx = req.net_idx;
		rsp.app_idx = req.app_idx;
		rsp.status = mp_mesh_app_key_add(tn.m, req.app_idx, req.net_idx, req.key) ? 0x04 : 0;
		if (!rsp.status)
			tn.app_keys_added++;
		break;
	default:
		fail_msg("unexpected request %#x", (unsigned)req.opcode);
	}
	n = mp_cfg_encode(&rsp, out, sizeof(out));
	assert_true(n > 0);
	tx.payload = out;
	tx.len = (size_t)n;
	assert_true(mp_mesh_send_access(tn.m, &tx, NULL) >= 0);
}

static const struct mp_mesh_ops node_ops = {
	.send = node_send, .timer = node_timer, .seq_next = node_seq,
	.dev_key = node_dev_key, .deliver = node_deliver,
};

/* The node, made as provisioning would: in the keyring as COMPLETE, with
 * the keyring's NetKey 0 and IV index. */
static void node_new(struct eh *h)
{
	static const uint8_t uuid[16] = { 0x70, 0x6e };
	struct mp_node_prov_info info = { .addr = NODE_ADDR, .net_index = 0 };
	struct mp_mesh_config mc = { .ops = &node_ops, .addr = NODE_ADDR, .elements = 1 };
	uint16_t addr;

	tn.h = h;
	memset(tn.dev_key, 0x42, 16);
	if (!mp_keyring_node_find(h->kr, NODE_ADDR)) {
		assert_int_equal(mp_keyring_node_add_pending(h->kr, uuid, 1, tn.dev_key, &info,
							     &addr), 0);
		assert_int_equal(addr, NODE_ADDR);
		assert_int_equal(mp_keyring_node_complete(h->kr, NODE_ADDR), 0);
	}
	tn.m = mp_mesh_new(&mc);
	assert_non_null(tn.m);
	assert_true(mp_mesh_timer_count(tn.m) <= 64);
	assert_int_equal(mp_mesh_subnet_add(tn.m, 0, mp_keyring_netkey(h->kr, 0)->key), 0);
	assert_int_equal(mp_mesh_set_iv(tn.m, mp_keyring_iv_index(h->kr),
					mp_keyring_iv_update(h->kr)), 0);
}

static void node_free(void)
{
	unsigned i;

	for (i = 0; i < 64; i++)
		if (tn.timers[i])
			mp_loop_timer_cancel(tn.h->loop, tn.timers[i]);
	memset(tn.timers, 0, sizeof(tn.timers));
	mp_mesh_free(tn.m);
	tn.m = NULL;
}

/* Read a Network PDU's SEQ as the node decoded it: from the replay list's
 * view, the stack does not expose it, so record what the engine sent and
 * count through the node's deliveries instead (see seq_tap). */
static int tap_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	if (sender == MP_ENGINE_NET_SENDER && len >= 2 && ad[1] == MP_AD_MESH_MESSAGE &&
	    (size_t)ad[0] + 1 == len) {
		bool dup = false;
		unsigned i;

		/* The bearer repeats each PDU (Network Transmit): queue it once. */
		for (i = 0; i < tn.to_node.n; i++)
			if (tn.to_node.len[i] == len - 2 &&
			    !memcmp(tn.to_node.pdu[i], ad + 2, len - 2))
				dup = true;
		if (!dup) {
			assert_true(tn.to_node.n < Q_MAX);
			memcpy(tn.to_node.pdu[tn.to_node.n], ad + 2, len - 2);
			tn.to_node.len[tn.to_node.n++] = len - 2;
		}
	}
	if (sender == MP_ENGINE_NET_SENDER && len == MP_SNB_LEN + 2 && ad[1] == MP_AD_MESH_BEACON &&
	    ad[0] == MP_SNB_LEN + 1 && tn.nbeacons < 32) {
		tn.beacon_at[tn.nbeacons] = tn.h->now;
		memcpy(tn.beacon[tn.nbeacons++], ad + 2, MP_SNB_LEN);
	}
	return tn.sim_advertise(ctx, ad, len, sender);
}

static void inject_ad(struct eh *h, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t ad[31];
	struct mp_adv_report r = { .data = ad, .len = len + 2, .rssi = -40 };

	assert_true(len + 2 <= sizeof(ad));
	ad[0] = (uint8_t)(len + 1);
	ad[1] = type;
	memcpy(ad + 2, data, len);
	eh_inject_report(h, &r);
}

/* Move the queued PDUs both ways until both are quiet, running the loop. */
static void pump(struct eh *h, unsigned rounds)
{
	unsigned r, i;

	for (r = 0; r < rounds; r++) {
		struct q q = tn.to_node;

		tn.to_node.n = 0;
		for (i = 0; i < q.n; i++)
			mp_mesh_rx(tn.m, q.pdu[i], q.len[i]);
		q = tn.to_prov;
		tn.to_prov.n = 0;
		for (i = 0; i < q.n; i++)
			inject_ad(h, MP_AD_MESH_MESSAGE, q.pdu[i], q.len[i]);
		eh_run_for(h, 50);
	}
}

/* ---- the provisioner's side ---- */

static void prov_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	(void)user;
	assert_int_equal(msg->src, NODE_ADDR);
	assert_int_equal(msg->key, MP_MESH_KEY_DEV);
	assert_true(msg->len <= sizeof(tn.last_buf));
	memcpy(tn.last_buf, msg->payload, msg->len);
	assert_int_equal(mp_cfg_decode(tn.last_buf, msg->len, &tn.last), 0);
	tn.answers++;
}

static const struct mp_mesh_link_cb prov_cb = { .deliver = prov_deliver };

static int64_t fixed_now(void *user)
{
	(void)user;
	return 1700000000 + (int64_t)(tn.h->now / 1000);
}

static struct mp_mesh_link *link_new(struct eh *h)
{
	struct mp_mesh_link_opts o = { .seq_block = 16, .now_s = fixed_now };
	struct mp_mesh_link *l;

	assert_int_equal(mp_mesh_link_new(h->engine, h->loop, h->kr, &o, &prov_cb, NULL, &l), 0);
	assert_int_equal(mp_mesh_link_addr(l), mp_keyring_self_address(h->kr));
	return l;
}

static struct eh *setup_keyring(bool in_memory)
{
	struct eh_config cfg = { .devices = 0, .seed = 13, .memory_keyring = in_memory };
	struct eh *h;

	memset(&tn, 0, sizeof(tn));
	h = harness_new(&cfg);
	tn.h = h;
	tn.sim_advertise = h->tap_ops.advertise;
	h->tap_ops.advertise = tap_advertise;
	node_new(h);
	return h;
}

static struct eh *setup_all(void)
{
	return setup_keyring(false);
}

static int send_cfg(struct mp_mesh_link *l, const struct mp_cfg_msg *m)
{
	uint8_t out[MP_MESH_ACCESS_MAX];
	int n = mp_cfg_encode(m, out, sizeof(out));

	assert_true(n > 0);
	return mp_mesh_link_send(l, NODE_ADDR, 0, MP_MESH_KEY_DEV, out, (size_t)n);
}

static void composition_get(struct mp_mesh_link *l)
{
	struct mp_cfg_msg get = { .opcode = MP_CFG_OP_COMPOSITION_DATA_GET, .page = 0 };
	unsigned before = tn.answers;

	assert_int_equal(send_cfg(l, &get), 0);
	pump(tn.h, 20);
	assert_int_equal(tn.answers, before + 1);
	assert_int_equal(tn.last.opcode, MP_CFG_OP_COMPOSITION_DATA_STATUS);
}

/* MshPRT v1.1 4.4.1.2.1 Composition Data Get, answered segmented. */
static void test_composition_round_trip(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l = link_new(h);
	struct mp_comp0 *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	composition_get(l);
	assert_int_equal(tn.last.page, 0);
	assert_int_equal(mp_comp0_decode(tn.last.data, tn.last.data_len, c), 0);
	assert_int_equal(c->cid, 0x05f1);
	assert_int_equal(c->n_elems, 1);
	assert_int_equal(c->n_sig, 3);
	assert_int_equal(c->sig[2], 0x1000);
	assert_true(mp_mesh_link_stats(l).pdus_heard > 0);
	assert_true(mp_mesh_stats(mp_mesh_link_stack(l))->delivered == 1);
	free(c);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* A keyring held in memory has no file, so no replay journal: the link
 * keeps its replay list for the run only (engine/mesh_link.h) and works. */
static void test_memory_keyring(void **state)
{
	struct eh *h = setup_keyring(true);
	struct mp_mesh_link *l = link_new(h);

	(void)state;
	composition_get(l);
	composition_get(l);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* 4.4.1.2.4 AppKey Add: the key from the keyring, the node then accepts
 * messages under it. */
static void test_appkey_add_round_trip(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l;
	struct mp_cfg_msg add = { .opcode = MP_CFG_OP_APPKEY_ADD, .net_idx = 0, .app_idx = 1 };
	uint8_t key[16];

	(void)state;
	memset(key, 0x5a, 16);
	assert_int_equal(mp_keyring_appkey_add(h->kr, 1, 0, key), 0);
	l = link_new(h);
	memcpy(add.key, mp_keyring_appkey(h->kr, 1)->key, 16);
	assert_int_equal(send_cfg(l, &add), 1);	/* 1 + 3 + 16 octets: segmented */
	pump(h, 30);
	assert_int_equal(tn.app_keys_added, 1);
	assert_int_equal(tn.answers, 1);
	assert_int_equal(tn.last.opcode, MP_CFG_OP_APPKEY_STATUS);
	assert_int_equal(tn.last.status, 0);
	assert_int_equal(tn.last.app_idx, 1);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* SEQ: reopening the keyring never gives a SEQ twice (3.4.4.4). The node's
 * replay list refuses a reused SEQ, so every request must be answered. */
static void test_seq_not_reused_across_reopen(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l = link_new(h);
	struct mp_keyring_error kerr;
	uint32_t first_run_next;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		composition_get(l);
	mp_mesh_link_free(l);
	first_run_next = mp_keyring_seq_next(h->kr);
	eh_free_engine(h);
	mp_keyring_close(h->kr);
	h->kr = NULL;
	assert_int_equal(mp_keyring_open(h->path, NULL, &h->kr, &kerr), 0);
	assert_int_equal(mp_keyring_seq_next(h->kr), first_run_next);
	assert_int_equal(eh_engine_new(h), 0);
	l = link_new(h);
	for (i = 0; i < 3; i++)
		composition_get(l);
	assert_int_equal(mp_mesh_stats(tn.m)->drop_replay, 0);
	assert_int_equal(mp_mesh_stats(tn.m)->delivered, 6);
	assert_true(mp_keyring_seq_next(h->kr) > first_run_next);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* Replay protection kept across a restart (3.9.8): the node's answer heard
 * again by a new link on the reopened keyring is dropped. */
static void test_replay_dropped_after_restart(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l = link_new(h);
	struct mp_cfg_msg get = { .opcode = MP_CFG_OP_COMPOSITION_DATA_GET, .page = 0 };
	struct mp_keyring_error kerr;
	static struct q saved;
	unsigned i;
	uint32_t iv, seq;

	(void)state;
	assert_int_equal(send_cfg(l, &get), 0);
	pump(h, 20);
	assert_int_equal(tn.answers, 1);
	saved = tn.history;
	assert_true(saved.n >= 2);	/* the answer came segmented */

	mp_mesh_link_free(l);
	node_free();
	eh_free_engine(h);
	mp_keyring_close(h->kr);
	h->kr = NULL;
	assert_int_equal(mp_keyring_open(h->path, NULL, &h->kr, &kerr), 0);
	assert_int_equal(eh_engine_new(h), 0);
	l = link_new(h);
	for (i = 0; i < saved.n; i++) {
		inject_ad(h, MP_AD_MESH_MESSAGE, saved.pdu[i], saved.len[i]);
		eh_run_for(h, 50);
	}
	assert_int_equal(tn.answers, 1);
	assert_true(mp_mesh_stats(mp_mesh_link_stack(l))->drop_replay > 0);
	assert_int_equal(mp_mesh_stats(mp_mesh_link_stack(l))->delivered, 0);
	mp_mesh_link_free(l);

	/* The journal is what did it: the entry is there. */
	{
		struct mp_rpl *r;

		assert_int_equal(mp_rpl_open(h->kr, NULL, &r, NULL), 0);
		assert_true(mp_rpl_get(r, NODE_ADDR, &iv, &seq));
		mp_rpl_close(r);
	}
	harness_free(h);
}

/* 3.11.5: an authenticated Secure Network beacon with the IV Update flag
 * and the next IV index starts the update; the keyring records it. A
 * forged one (bad authentication) changes nothing. */
static void test_beacon_moves_iv(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l = link_new(h);
	struct mp_subnet s;
	struct mp_iv_state st = { .iv_index = 1, .iv_update = true };
	uint8_t b[32];
	ssize_t n;
	uint32_t iv;
	bool upd;

	(void)state;
	assert_int_equal(mp_keyring_iv_index(h->kr), 0);
	assert_int_equal(mp_subnet_init(&s, 0, mp_keyring_netkey(h->kr, 0)->key), 0);
	n = mp_beacon_io_build(&s, &st, b, sizeof(b));
	assert_int_equal(n, 22);

	b[n - 1] ^= 1;	/* forged */
	inject_ad(h, MP_AD_MESH_BEACON, b, (size_t)n);
	eh_run_for(h, 10);
	assert_int_equal(mp_keyring_iv_index(h->kr), 0);
	b[n - 1] ^= 1;

	tn.nbeacons = 0;
	inject_ad(h, MP_AD_MESH_BEACON, b, (size_t)n);
	eh_run_for(h, 10);
	assert_int_equal(mp_keyring_iv_index(h->kr), 1);
	/* ours follows at once: the IV Update flag, the new IV index */
	assert_int_equal(tn.nbeacons, 1);
	assert_memory_equal(tn.beacon[0], b, MP_SNB_LEN);
	assert_true(mp_keyring_iv_update(h->kr));
	mp_mesh_link_iv(l, &iv, &upd);
	assert_int_equal(iv, 1);
	assert_true(upd);
	assert_int_equal(mp_mesh_link_stats(l).beacons_heard, 2);

	/* The node follows and they still talk (transmit IV index 0). */
	assert_int_equal(mp_mesh_set_iv(tn.m, 1, true), 0);
	composition_get(l);
	mp_subnet_wipe(&s);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* The last beacon sent is the one mp_beacon_io_build() makes for @s at IV
 * index 0: its flags (Key Refresh in phase 2) and the key that
 * authenticates it (the one the subnet sends with). */
static void assert_last_beacon(const struct mp_subnet *s, uint8_t flags)
{
	struct mp_iv_state st = { 0 };
	uint8_t want[32];

	assert_true(tn.nbeacons > 0);
	assert_int_equal(mp_beacon_io_build(s, &st, want, sizeof(want)), MP_SNB_LEN);
	assert_int_equal(tn.beacon[tn.nbeacons - 1][0], MP_BEACON_SECURE_NETWORK);
	assert_int_equal(tn.beacon[tn.nbeacons - 1][1], flags);
	assert_memory_equal(tn.beacon[tn.nbeacons - 1], want, MP_SNB_LEN);
}

/* 3.10.3, 3.10.5: the provisioner's Secure Network beacon, at link start
 * and every 10 s; 3.11.4 (Key Refresh procedure): each phase change sends
 * one at once, under the old key in phase 1 (flag clear), the new key in
 * phase 2 (Key Refresh flag set) and after the refresh (flag clear); the
 * link keeps talking to a node that follows the same phases. */
static void test_beacons_sent(void **state)
{
	static const uint8_t new_key[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
					     0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };
	struct eh *h = setup_all();
	struct mp_mesh_link *l;
	struct mp_subnet s;
	uint8_t old_key[16];
	uint64_t t0;

	(void)state;
	memcpy(old_key, mp_keyring_netkey(h->kr, 0)->key, 16);
	l = link_new(h);
	t0 = h->now;
	assert_int_equal(tn.nbeacons, 1);
	assert_int_equal(mp_subnet_init(&s, 0, old_key), 0);
	assert_last_beacon(&s, 0);
	eh_run_for(h, MP_BEACON_TX_INTERVAL_MS + 10);
	assert_int_equal(tn.nbeacons, 2);
	assert_int_equal(tn.beacon_at[1] - t0, MP_BEACON_TX_INTERVAL_MS);
	assert_int_equal(mp_mesh_link_stats(l).beacons_sent, 2);

	/* phase 1: the old key still sends */
	assert_int_equal(mp_keyring_netkey_refresh(h->kr, 0, new_key), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	assert_int_equal(tn.nbeacons, 3);
	assert_int_equal(mp_subnet_kr_start(&s, new_key), 0);
	assert_last_beacon(&s, 0);
	composition_get(l);
	assert_int_equal(mp_subnet_kr_start(mp_mesh_subnet(tn.m, 0), new_key), 0);
	composition_get(l);

	/* phase 2: the new key, the Key Refresh flag */
	assert_int_equal(mp_keyring_netkey_set_phase(h->kr, 0, 2), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	assert_int_equal(tn.nbeacons, 4);
	assert_int_equal(mp_subnet_kr_use_new(&s), 0);
	assert_last_beacon(&s, MP_BEACON_FLAG_KEY_REFRESH);
	assert_int_equal(mp_mesh_kr_finish(tn.m, 0), 0);	/* the node: new key only */
	composition_get(l);

	/* phase 3 -> 0: the new key only, flag clear */
	assert_int_equal(mp_keyring_netkey_set_phase(h->kr, 0, 3), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	assert_int_equal(tn.nbeacons, 5);
	assert_int_equal(mp_subnet_kr_finish(&s), 0);
	assert_last_beacon(&s, 0);
	composition_get(l);
	/* the interval starts again from the last one sent */
	t0 = h->now;
	eh_run_for(h, MP_BEACON_TX_INTERVAL_MS + 10);
	assert_int_equal(tn.nbeacons, 6);
	assert_last_beacon(&s, 0);

	mp_subnet_wipe(&s);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* The link's subnet reloaded when the keyring's phase goes back (another
 * keyring's state): no stale phase kept. And no beacons when asked. */
static void test_netkey_sync_reload(void **state)
{
	struct mp_mesh_link_opts o = { .seq_block = 16, .now_s = fixed_now, .no_beacons = true };
	struct eh *h = setup_all();
	struct mp_mesh_link *l;

	(void)state;
	assert_int_equal(mp_mesh_link_new(h->engine, h->loop, h->kr, &o, &prov_cb, NULL, &l), 0);
	assert_int_equal(mp_keyring_netkey_refresh(h->kr, 0, NULL), 0);
	assert_int_equal(mp_keyring_netkey_set_phase(h->kr, 0, 2), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	assert_int_equal(mp_mesh_subnet(mp_mesh_link_stack(l), 0)->phase, MP_KR_PHASE2);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0x123), -ENOENT);
	eh_run_for(h, 2 * MP_BEACON_TX_INTERVAL_MS);
	assert_int_equal(tn.nbeacons, 0);
	mp_mesh_link_free(l);
	node_free();
	harness_free(h);
}

/* Freed while a segmented message is in flight (a NetKey Update when the
 * shell quits): the stack's SAR timers are cancelled through the link's
 * timer slots, which must still exist (ASan saw a use after free). */
static void test_free_while_sending(void **state)
{
	struct eh *h = setup_all();
	struct mp_mesh_link *l = link_new(h);
	uint8_t big[40];

	(void)state;
	memset(big, 0x5a, sizeof(big));
	big[0] = 0x80;
	big[1] = 0x45;
	assert_int_equal(mp_mesh_link_send(l, NODE_ADDR, 0, MP_MESH_KEY_DEV, big, sizeof(big)), 1);
	eh_run_for(h, 1);
	mp_mesh_link_free(l);
	eh_run_for(h, 5000);	/* and no timer of it fires */
	node_free();
	harness_free(h);
}

static unsigned kr_calls;
static uint8_t kr_last = 9;

static void kr_phase_cb(void *user, uint16_t net_idx, uint8_t phase)
{
	(void)user;
	assert_int_equal(net_idx, 0);
	kr_calls++;
	kr_last = phase;
}

/* Hear a Secure Network beacon under @key with @flags at IV index 0. */
static void hear_snb(struct eh *h, const uint8_t key[16], uint8_t flags)
{
	struct mp_iv_state st = { 0 };
	struct mp_subnet s;
	uint8_t b[32];

	assert_int_equal(mp_subnet_init(&s, 0, key), 0);
	if (flags & MP_BEACON_FLAG_KEY_REFRESH) {
		/* a subnet in phase 2 sends the flag under its key */
		assert_int_equal(mp_subnet_kr_start(&s, key), 0);
		assert_int_equal(mp_subnet_kr_use_new(&s), 0);
	}
	assert_int_equal(mp_beacon_io_build(&s, &st, b, sizeof(b)), MP_SNB_LEN);
	assert_int_equal(b[1], flags);
	mp_subnet_wipe(&s);
	inject_ad(h, MP_AD_MESH_BEACON, b, MP_SNB_LEN);
	eh_run_for(h, 10);
}

/* 3.11.4.2, 3.11.4.3: the Key Refresh flag of a beacon heard under the new
 * key moves the provisioner's own phase as it would a node's (another
 * station drives or finished the refresh; mesh_link.c's kr_follow says
 * why): in phase 1 the flag set moves to phase 2, in phase 1 or 2 the flag
 * clear to phase 0, saved in the keyring, followed by the stack and by our
 * beacons, told through kr_phase(). Beacons under the old key, and the flag
 * in phase 0, change nothing. */
static void test_beacon_kr_flag(void **state)
{
	static const uint8_t new_key[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
					     0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };
	static const uint8_t newer[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
					   0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };
	static const struct mp_mesh_link_cb cb = { .deliver = prov_deliver,
						   .kr_phase = kr_phase_cb };
	struct mp_mesh_link_opts o = { .seq_block = 16, .now_s = fixed_now };
	struct eh *h = setup_all();
	struct mp_mesh_link *l;
	struct mp_keyring_error kerr;
	struct mp_subnet s;
	uint8_t old_key[16];

	(void)state;
	kr_calls = 0;
	memcpy(old_key, mp_keyring_netkey(h->kr, 0)->key, 16);
	assert_int_equal(mp_mesh_link_new(h->engine, h->loop, h->kr, &o, &cb, NULL, &l), 0);
	/* phase 0: the flag under our only key says nothing */
	hear_snb(h, old_key, MP_BEACON_FLAG_KEY_REFRESH);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_NORMAL);

	assert_int_equal(mp_keyring_netkey_refresh(h->kr, 0, new_key), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	/* phase 1: the old key's beacons, with and without the flag: nothing */
	hear_snb(h, old_key, MP_BEACON_FLAG_KEY_REFRESH);
	hear_snb(h, old_key, 0);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_1);
	assert_int_equal(kr_calls, 0);

	/* the new key with the flag: phase 2, our beacon says so at once */
	tn.nbeacons = 0;
	hear_snb(h, new_key, MP_BEACON_FLAG_KEY_REFRESH);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_2);
	assert_int_equal(mp_mesh_subnet(mp_mesh_link_stack(l), 0)->phase, MP_KR_PHASE2);
	assert_int_equal(kr_calls, 1);
	assert_int_equal(kr_last, 2);
	assert_int_equal(mp_subnet_init(&s, 0, old_key), 0);
	assert_int_equal(mp_subnet_kr_start(&s, new_key), 0);
	assert_int_equal(mp_subnet_kr_use_new(&s), 0);
	assert_last_beacon(&s, MP_BEACON_FLAG_KEY_REFRESH);
	/* the same again: nothing more */
	hear_snb(h, new_key, MP_BEACON_FLAG_KEY_REFRESH);
	assert_int_equal(kr_calls, 1);

	/* phase 2, the new key without the flag: another station finished
	 * the refresh; the old key revoked, saved, our beacon without it */
	hear_snb(h, new_key, 0);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_NORMAL);
	assert_memory_equal(mp_keyring_netkey(h->kr, 0)->key, new_key, 16);
	assert_int_equal(mp_mesh_subnet(mp_mesh_link_stack(l), 0)->phase, MP_KR_NORMAL);
	assert_int_equal(kr_calls, 2);
	assert_int_equal(kr_last, 0);
	assert_int_equal(mp_subnet_kr_finish(&s), 0);
	assert_last_beacon(&s, 0);
	mp_subnet_wipe(&s);
	assert_int_equal(mp_mesh_link_stats(l).kr_phase_by_beacon, 2);
	/* the node with the new key only still hears us */
	mp_mesh_subnet_del(tn.m, 0);
	assert_int_equal(mp_mesh_subnet_add(tn.m, 0, new_key), 0);
	composition_get(l);

	/* phase 1 of the next refresh, straight to 0 on the newest key
	 * without the flag (saved: a keyring opened again says phase 0) */
	assert_int_equal(mp_keyring_netkey_refresh(h->kr, 0, newer), 0);
	assert_int_equal(mp_mesh_link_netkey_sync(l, 0), 0);
	hear_snb(h, newer, 0);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_NORMAL);
	assert_memory_equal(mp_keyring_netkey(h->kr, 0)->key, newer, 16);
	assert_int_equal(kr_calls, 3);
	mp_mesh_link_free(l);
	eh_free_engine(h);
	mp_keyring_close(h->kr);
	h->kr = NULL;
	assert_int_equal(mp_keyring_open(h->path, NULL, &h->kr, &kerr), 0);
	assert_int_equal(eh_engine_new(h), 0);
	assert_int_equal(mp_keyring_netkey(h->kr, 0)->phase, MP_KR_PHASE_NORMAL);
	assert_memory_equal(mp_keyring_netkey(h->kr, 0)->key, newer, 16);
	node_free();
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_composition_round_trip, teardown),
		cmocka_unit_test_teardown(test_memory_keyring, teardown),
		cmocka_unit_test_teardown(test_appkey_add_round_trip, teardown),
		cmocka_unit_test_teardown(test_seq_not_reused_across_reopen, teardown),
		cmocka_unit_test_teardown(test_replay_dropped_after_restart, teardown),
		cmocka_unit_test_teardown(test_beacon_moves_iv, teardown),
		cmocka_unit_test_teardown(test_beacons_sent, teardown),
		cmocka_unit_test_teardown(test_netkey_sync_reload, teardown),
		cmocka_unit_test_teardown(test_beacon_kr_flag, teardown),
		cmocka_unit_test_teardown(test_free_while_sending, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
