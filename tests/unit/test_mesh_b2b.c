/* The mesh stack back to back (tests/unit/mesh_tu.h): a provisioner-role
 * stack and node-role stacks over a fake radio on a fake clock, with
 * seeded loss, duplicates and reordering. Transfers both ways, unsegmented
 * and 380-octet segmented, at 0 %, 30 % and 50 % loss; replayed, cached,
 * foreign and forged PDUs dropped and counted; two nodes at once; the
 * replay list for the whole unicast space; the replay list seeded after a
 * restart.
 */
#include "testutil.h"
#include "mesh_tu.h"

#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/net.h"
#include "transport/lower.h"
#include "transport/upper.h"

#define P_ADDR 0x0001
#define N_ADDR 0x0100
#define N2_ADDR 0x0200
#define IV 0x12345678

static struct mtu_world world;

static const uint8_t dev_n[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
				   0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t dev_n2[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* The largest retransmission counts, for the lossy runs. */
static const struct mp_sar_tx_params sar_tx_max = {
	.seg_interval_step = 5, .unicast_retrans_count = 15,
	.unicast_retrans_wo_progress_count = 15, .unicast_retrans_interval_step = 7,
	.unicast_retrans_interval_inc = 1, .multicast_retrans_count = 15,
	.multicast_retrans_interval_step = 9,
};

static struct mtu_node *must(struct mtu_node *n)
{
	if (!n) {
		fail_msg("no stack");
		abort();
	}
	return n;
}

static struct mtu_node *add(uint16_t addr, uint16_t elements, const struct mp_mesh_config *c)
{
	struct mtu_node *n = mtu_add(&world, addr, elements, c, IV, false);

	if (!n) {
		fail_msg("no stack at %04x", addr);
		abort();
	}
	return n;
}

/* A provisioner at 0001 that knows both nodes' device keys, a node at
 * 0100 (2 elements) and, with @two, another at 0200. */
static void setup(uint32_t seed, unsigned loss, bool two, const struct mp_mesh_config *c,
		  struct mtu_node **p, struct mtu_node **n, struct mtu_node **n2)
{
	mtu_init(&world, seed, loss, loss ? 10 : 0, loss ? 40 : 0);
	*p = add(P_ADDR, 1, c);
	mtu_dev_add(*p, N_ADDR, N_ADDR + 1, dev_n);
	mtu_dev_add(*p, N2_ADDR, N2_ADDR, dev_n2);
	*n = add(N_ADDR, 2, c);
	mtu_dev_add(*n, N_ADDR, N_ADDR + 1, dev_n);
	if (two) {
		*n2 = add(N2_ADDR, 1, c);
		mtu_dev_add(*n2, N2_ADDR, N2_ADDR, dev_n2);
	}
}

static void pattern(uint8_t *b, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7);
}

/* Send @len octets from @from to @to's primary element: the provisioner
 * with the node's device key, a node with AppKey 0. */
static int send(struct mtu_node *from, struct mtu_node *to, const uint8_t *payload, size_t len)
{
	struct mp_mesh_tx tx = {
		.src = from->addr, .dst = to->addr, .net_idx = 0, .ttl = MP_MESH_TTL_DEFAULT,
		.key = from->addr == P_ADDR ? MP_MESH_KEY_DEV : 0, .payload = payload,
		.len = len,
	};

	return mp_mesh_send_access(from->m, &tx, NULL);
}

struct run_result {
	unsigned ok, runs;
};

/* @runs seeds of one 380-octet message @from_p (provisioner to node) or
 * back, at @loss %; with @both the other way at the same time. */
static struct run_result segmented(unsigned loss, bool from_p, bool both, unsigned runs)
{
	struct mp_mesh_config c = { .sar_tx = loss ? &sar_tx_max : NULL };
	struct run_result res = { 0, runs };
	uint8_t a[MP_MESH_ACCESS_MAX], b[MP_MESH_ACCESS_MAX];
	uint32_t seed;

	for (seed = 1; seed <= runs; seed++) {
		struct mtu_node *p, *n, *n2, *from, *to;

		setup(seed, loss, false, &c, &p, &n, &n2);
		from = from_p ? p : n;
		to = from_p ? n : p;
		pattern(a, sizeof(a), seed);
		pattern(b, sizeof(b), seed + 1000);
		assert_int_equal(send(from, to, a, sizeof(a)), 1);
		if (both)
			assert_int_equal(send(to, from, b, sizeof(b)), 1);
		mtu_run(&world, 10000000);
		/* exactly one end; acknowledged means delivered, once, intact */
		assert_int_equal(from->done, 1);
		assert_true(to->delivered <= 1);
		if (from->done_err == 0) {
			assert_int_equal(to->delivered, 1);
			assert_int_equal(to->last.len, sizeof(a));
			assert_memory_equal(to->got, a, sizeof(a));
			assert_int_equal(to->last.seg, true);
		} else {
			assert_true(from->done_err == -ETIMEDOUT);
		}
		if (both) {
			assert_int_equal(to->done, 1);
			assert_true(from->delivered <= 1);
			if (to->done_err == 0) {
				assert_int_equal(from->delivered, 1);
				assert_int_equal(from->last.len, sizeof(b));
				assert_memory_equal(from->got, b, sizeof(b));
			}
		}
		if (from->done_err == 0 && (!both || to->done_err == 0))
			res.ok++;
		mtu_fini(&world);
	}
	return res;
}

static void test_segmented_0(void **state)
{
	(void)state;
	assert_int_equal(segmented(0, true, false, 3).ok, 3);
	assert_int_equal(segmented(0, false, false, 3).ok, 3);
	assert_int_equal(segmented(0, true, true, 3).ok, 3);
}

static void test_segmented_30(void **state)
{
	(void)state;
	/* with the largest retransmission counts every seed gets through */
	assert_int_equal(segmented(30, true, false, 10).ok, 10);
	assert_int_equal(segmented(30, false, false, 10).ok, 10);
	assert_int_equal(segmented(30, true, true, 10).ok, 10);
}

static void test_segmented_50(void **state)
{
	struct run_result r;

	(void)state;
	/* the invariants hold for every seed; most get through */
	r = segmented(50, true, false, 10);
	assert_true(r.ok >= r.runs / 2);
	r = segmented(50, false, false, 10);
	assert_true(r.ok >= r.runs / 2);
	r = segmented(50, true, true, 10);
	assert_true(r.ok >= r.runs / 2);
}

/* 20 unsegmented messages each way at @loss: each delivered at most once,
 * intact, all of them without loss. */
static void unsegmented(unsigned loss)
{
	struct mtu_node *p, *n, *n2;
	uint8_t a[MP_MESH_ACCESS_UNSEG_MAX];
	unsigned i, dir;
	uint32_t seed;

	for (seed = 1; seed <= 5; seed++)
		for (dir = 0; dir < 2; dir++) {
			struct mtu_node *from, *to;

			setup(seed, loss, false, NULL, &p, &n, &n2);
			from = dir ? n : p;
			to = dir ? p : n;
			for (i = 0; i < 20; i++) {
				pattern(a, sizeof(a), i);
				a[0] = (uint8_t)i;
				/* all at once: the radio's delays reorder them,
				 * and a later SEQ heard first refuses an earlier
				 * one (3.9.8) */
				assert_int_equal(send(from, to, a, sizeof(a)), 0);
			}
			mtu_run(&world, 100000);
			assert_true(to->delivered <= 20);
			if (!loss)
				assert_int_equal(to->delivered, 20);
			if (to->delivered) {
				pattern(a, sizeof(a), to->got[0]);
				a[0] = to->got[0];
				assert_int_equal(to->last.len, sizeof(a));
				assert_memory_equal(to->got, a, sizeof(a));
				assert_int_equal(to->last.seg, false);
			}
			assert_int_equal(from->done, 0);
			mtu_fini(&world);
		}
}

static void test_unsegmented(void **state)
{
	(void)state;
	unsegmented(0);
	unsegmented(30);
	unsegmented(50);
}

/* A PDU heard again is dropped by the cache; once it fell out of the cache,
 * by the replay list. */
static void test_replay_and_cache(void **state)
{
	struct mp_mesh_config c = { .cache = 2 };
	struct mtu_node *p, *n, *n2;
	uint8_t a[4] = { 1, 2, 3, 4 };
	unsigned i;

	(void)state;
	setup(1, 0, false, &c, &p, &n, &n2);
	assert_int_equal(send(p, n, a, sizeof(a)), 0);
	mtu_run(&world, 1000);
	assert_int_equal(n->delivered, 1);
	assert_int_equal(mp_mesh_rx(n->m, p->cap[0], p->cap_len[0]), -EALREADY);
	assert_int_equal(mp_mesh_stats(n->m)->drop_cached, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(send(p, n, a, sizeof(a)), 0);
	mtu_run(&world, 1000);
	assert_int_equal(n->delivered, 4);
	assert_int_equal(mp_mesh_rx(n->m, p->cap[0], p->cap_len[0]), -ESTALE);
	assert_int_equal(mp_mesh_stats(n->m)->drop_replay, 1);
	assert_int_equal(n->delivered, 4);
	mtu_fini(&world);
}

/* A PDU under another NetKey (its NID unknown here), one whose NetMIC does
 * not authenticate, truncated and oversized ones: dropped, counted. */
static void test_foreign_and_broken(void **state)
{
	static const uint8_t other_key[16] = { 0xf7, 0xa2, 0xa4, 0x4f, 0x8e, 0x8a, 0x80, 0x29,
					       0x06, 0x4f, 0x17, 0x3d, 0xdc, 0x1e, 0x2b, 0x00 };
	struct mtu_node *p, *n, *n2, *x;
	uint8_t a[4] = { 1, 2, 3, 4 }, pdu[40];
	const struct mp_mesh_stats *st;

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	x = must(mtu_add(&world, 0x0300, 1, NULL, IV, true));
	assert_int_equal(mp_mesh_subnet_add(x->m, 0, other_key), 0);
	assert_int_equal(mp_mesh_app_key_add(x->m, 0, 0, mtu_app_key), 0);
	assert_int_equal(send(x, n, a, sizeof(a)), 0);
	st = mp_mesh_stats(n->m);
	assert_int_equal(mp_mesh_rx(n->m, x->cap[0], x->cap_len[0]), -ENOKEY);
	assert_int_equal(st->drop_unknown_nid, 1);
	/* the provisioner's PDU with its NetMIC broken */
	assert_int_equal(send(p, n, a, sizeof(a)), 0);
	memcpy(pdu, p->cap[0], p->cap_len[0]);
	pdu[p->cap_len[0] - 1] ^= 0x01;
	assert_int_equal(mp_mesh_rx(n->m, pdu, p->cap_len[0]), -EBADMSG);
	assert_int_equal(st->drop_net_mic, 1);
	assert_int_equal(mp_mesh_rx(n->m, pdu, 10), -ENODATA);
	assert_int_equal(st->drop_truncated, 1);
	memset(pdu + p->cap_len[0], 0, sizeof(pdu) - p->cap_len[0]);
	assert_int_equal(mp_mesh_rx(n->m, pdu, 30), -EMSGSIZE);
	assert_int_equal(st->drop_oversized, 1);
	assert_int_equal(n->delivered, 0);
	/* a segmented control message of opcode 0: a Segment Acknowledgment
	 * is never segmented (3.5.2.3.1), so it is malformed, not a control
	 * message to deliver (found by fuzz_mesh) */
	{
		static const uint8_t params[3] = { 1, 2, 3 };
		struct mp_lower_pdu lp = { .ctl = true, .seg = true, .opcode = 0,
					   .seq_zero = 0x77, .payload = params,
					   .payload_len = sizeof(params) };
		struct mp_net_hdr h = { .ctl = true, .ttl = 5, .seq = 0x77, .src = P_ADDR,
					.dst = N_ADDR };
		struct mp_net_cred cred;
		uint8_t lower[16];
		ssize_t l = mp_lower_encode(&lp, lower, sizeof(lower));

		assert_true(l > 0);
		assert_int_equal(mp_net_cred_flooding(mtu_net_key, &cred), 0);
		l = mp_net_encode(&cred, IV, MP_NET_NETWORK, &h, lower, (size_t)l, pdu, sizeof(pdu));
		assert_true(l > 0);
		assert_int_equal(mp_mesh_rx(n->m, pdu, (size_t)l), -EPROTO);
		assert_int_equal(st->drop_malformed, 1);
		assert_int_equal(n->ctl, 0);
	}
	/* the good one still goes through */
	assert_int_equal(mp_mesh_rx(n->m, p->cap[0], p->cap_len[0]), 0);
	assert_int_equal(n->delivered, 1);
	mtu_fini(&world);
}

/* A device-key message the provisioner encrypted with the wrong key: its
 * TransMIC fails at the node; an AppKey message with an AID of no key. */
static void test_wrong_trans_mic(void **state)
{
	struct mtu_node *p, *n, *n2;
	uint8_t a[20] = { 0 };
	const struct mp_mesh_stats *st;

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	p->dev[0].key[0] ^= 0xff;
	assert_int_equal(send(p, n, a, 4), 0);
	assert_int_equal(send(p, n, a, sizeof(a)), 1);
	mtu_run(&world, 100000);
	st = mp_mesh_stats(n->m);
	assert_int_equal(st->drop_trans_mic, 2);
	assert_int_equal(n->delivered, 0);
	/* the node removes AppKey 0: the provisioner's AppKey message finds
	 * no key of that AID */
	assert_int_equal(mp_mesh_app_key_del(n->m, 0), 0);
	{
		struct mp_mesh_tx tx = { .src = P_ADDR, .dst = N_ADDR, .key = 0, .ttl = 5,
					 .payload = a, .len = 4 };

		assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	}
	mtu_run(&world, 1000);
	assert_int_equal(st->drop_no_key, 1);
	assert_int_equal(n->delivered, 0);
	mtu_fini(&world);
}

/* The provisioner sends 380 octets to two nodes at once over a lossy
 * radio; a second message to a busy node is refused with -EBUSY. */
static void test_two_nodes(void **state)
{
	struct mp_mesh_config c = { .sar_tx = &sar_tx_max };
	struct mtu_node *p, *n, *n2;
	uint8_t a[MP_MESH_ACCESS_MAX], b[MP_MESH_ACCESS_MAX];
	uint32_t seed;

	(void)state;
	for (seed = 1; seed <= 5; seed++) {
		setup(seed, 30, true, &c, &p, &n, &n2);
		pattern(a, sizeof(a), 1);
		pattern(b, sizeof(b), 2);
		assert_int_equal(send(p, n, a, sizeof(a)), 1);
		assert_int_equal(send(p, n2, b, sizeof(b)), 1);
		assert_int_equal(send(p, n, b, sizeof(b)), -EBUSY);
		mtu_run(&world, 10000000);
		assert_int_equal(p->done, 2);
		assert_int_equal(p->done_err, 0);
		assert_int_equal(n->delivered, 1);
		assert_memory_equal(n->got, a, sizeof(a));
		assert_int_equal(n2->delivered, 1);
		assert_memory_equal(n2->got, b, sizeof(b));
		/* each node heard the other's segments and ignored them */
		assert_true(mp_mesh_stats(n->m)->drop_not_for_us > 0);
		mtu_fini(&world);
	}
}

/* An unsegmented AppKey message from @src to group c000 with @seq. */
static size_t forge(const struct mp_net_cred *cred, uint8_t aid, uint16_t src, uint32_t seq,
		    uint8_t *out)
{
	uint8_t payload[4] = { (uint8_t)(src >> 8), (uint8_t)src, 0, 1 };
	uint8_t upper[16], lower[17];
	struct mp_upper_ctx c = { .akf = true, .seq = seq, .src = src, .dst = 0xc000,
				  .iv_index = IV };
	struct mp_lower_pdu lp = { .akf = true, .aid = aid, .payload = upper };
	struct mp_net_hdr h = { .ttl = 5, .seq = seq, .src = src, .dst = 0xc000 };
	ssize_t n;

	n = mp_upper_encrypt(mtu_app_key, &c, payload, sizeof(payload), upper, sizeof(upper));
	assert_true(n > 0);
	lp.payload_len = (size_t)n;
	n = mp_lower_encode(&lp, lower, sizeof(lower));
	assert_true(n > 0);
	n = mp_net_encode(cred, IV, MP_NET_NETWORK, &h, lower, (size_t)n, out, MP_NET_PDU_MAX);
	assert_true(n > 0);
	return (size_t)n;
}

/* Every other unicast address (32,766 sources: the receiver has the
 * 32,767th) is heard and remembered: all accepted, then each one's older
 * SEQ and its replayed PDU refused. */
static void test_rpl_whole_space(void **state)
{
	struct mp_mesh_config c = { .cache = 2 };
	struct mp_net_cred cred;
	struct mtu_node *r;
	uint8_t aid, pdu[MP_NET_PDU_MAX];
	uint32_t src;
	size_t len;

	(void)state;
	mtu_init(&world, 1, 0, 0, 0);
	r = must(mtu_add(&world, 0x0001, 1, &c, IV, false));
	assert_int_equal(mp_mesh_subscribe(r->m, 0xc000), 0);
	assert_int_equal(mp_net_cred_flooding(mtu_net_key, &cred), 0);
	assert_int_equal(mp_k4(mtu_app_key, &aid), 0);
	for (src = 2; src <= 0x7fff; src++) {
		len = forge(&cred, aid, (uint16_t)src, 5, pdu);
		assert_int_equal(mp_mesh_rx(r->m, pdu, len), 0);
	}
	assert_int_equal(r->delivered, 0x7ffe);
	for (src = 2; src <= 0x7fff; src++) {
		len = forge(&cred, aid, (uint16_t)src, 4, pdu);
		assert_int_equal(mp_mesh_rx(r->m, pdu, len), -ESTALE);
		len = forge(&cred, aid, (uint16_t)src, 5, pdu);
		assert_int_equal(mp_mesh_rx(r->m, pdu, len), -ESTALE);
	}
	assert_int_equal(mp_mesh_stats(r->m)->drop_replay, 2 * 0x7ffe);
	assert_int_equal(r->delivered, 0x7ffe);
	mtu_fini(&world);
}

/* What the node's replay list reported, seeded into a restarted node,
 * refuses every PDU the provisioner sent before (unsegmented and
 * segmented), and takes the next one. Also the IV index part: a message
 * under an older IV index than the entry's is refused. */
static void test_rpl_seed(void **state)
{
	static uint8_t old[MTU_CAP][MP_NET_PDU_MAX];
	static size_t old_len[MTU_CAP];
	struct mtu_node *p, *n, *n2, *r;
	uint8_t a[MP_MESH_ACCESS_MAX];
	uint32_t rpl_iv, rpl_seq, p_seq;
	unsigned i, sent;

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	pattern(a, sizeof(a), 3);
	assert_int_equal(send(p, n, a, 5), 0);
	assert_int_equal(send(p, n, a, sizeof(a)), 1);
	mtu_run(&world, 100000);
	assert_int_equal(n->delivered, 2);
	assert_int_equal(n->rpl_src, P_ADDR);
	assert_int_equal(n->rpl_iv, IV);
	rpl_iv = n->rpl_iv;
	rpl_seq = n->rpl_seq;
	sent = p->ncap;
	p_seq = p->seq;
	for (i = 0; i < sent; i++) {
		memcpy(old[i], p->cap[i], p->cap_len[i]);
		old_len[i] = p->cap_len[i];
	}
	mtu_fini(&world);
	/* the restart: the node's stack again, its replay list seeded */
	setup(1, 0, false, NULL, &p, &n, &n2);
	r = n;
	assert_int_equal(mp_mesh_rpl_seed(r->m, P_ADDR, rpl_iv, rpl_seq), 0);
	for (i = 0; i < sent; i++)
		mp_mesh_rx(r->m, old[i], old_len[i]);
	assert_int_equal(r->delivered, 0);
	assert_true(mp_mesh_stats(r->m)->drop_replay >= 2);
	/* a new message from the provisioner is taken */
	p->seq = p_seq;
	assert_int_equal(send(p, r, a, 5), 0);
	assert_int_equal(mp_mesh_rx(r->m, p->cap[0], p->cap_len[0]), 0);
	assert_int_equal(r->delivered, 1);
	/* the provisioner falls back to the older IV index (an update in
	 * progress to IV + 1): accepted by the network layer, refused by the
	 * replay list although its SEQ is higher */
	assert_int_equal(mp_mesh_set_iv(r->m, IV + 1, false), 0);
	assert_int_equal(mp_mesh_set_iv(p->m, IV + 1, false), 0);
	assert_int_equal(send(p, r, a, 5), 0);
	assert_int_equal(mp_mesh_rx(r->m, p->cap[1], p->cap_len[1]), 0);
	assert_int_equal(mp_mesh_set_iv(p->m, IV + 1, true), 0);
	assert_int_equal(send(p, r, a, 5), 0);
	assert_int_equal(mp_mesh_rx(r->m, p->cap[2], p->cap_len[2]), -ESTALE);
	assert_int_equal(r->delivered, 2);
	mtu_fini(&world);
}

/* Groups and virtual addresses between stacks: a segmented message to a
 * subscribed group goes without acknowledgments and ends with done(0)
 * after its rounds; one to a virtual address reaches the node subscribed
 * to its label; after unsubscribing, neither is ours. Removing the subnet
 * makes its PDUs unknown. */
static void test_group_and_virtual(void **state)
{
	static const uint8_t label[16] = { 0xf4, 0xa0, 0x02, 0xc7, 0xfb, 0x1e, 0x4c, 0xa0,
					   0xa4, 0x69, 0xa0, 0x21, 0xde, 0x0d, 0xb8, 0x75 };
	struct mtu_node *p, *n, *n2;
	uint8_t a[100];
	struct mp_mesh_tx tx = { .src = P_ADDR, .dst = 0xc123, .key = 0, .ttl = 5, .payload = a,
				 .len = sizeof(a) };
	const struct mp_mesh_stats *st;

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	st = mp_mesh_stats(n->m);
	pattern(a, sizeof(a), 5);
	assert_int_equal(mp_mesh_subscribe(n->m, 0xc123), 0);
	assert_int_equal(mp_mesh_subscribe(n->m, 0xc123), 0);
	assert_int_equal(mp_mesh_subscribe(n->m, 0x1234), -EINVAL);
	assert_int_equal(mp_mesh_subscribe_virtual(n->m, label), 0);
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 1);
	mtu_run(&world, 100000);
	assert_int_equal(p->done, 1);
	assert_int_equal(p->done_err, 0);
	assert_int_equal(n->delivered, 1);
	assert_int_equal(n->last.dst, 0xc123);
	assert_memory_equal(n->got, a, sizeof(a));
	assert_int_equal(st->tx_acks, 0);
	/* the virtual address 9736 of the 8.3.23 label */
	tx.dst = 0x9736;
	tx.label = label;
	tx.len = 5;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	mtu_run(&world, 100000);
	assert_int_equal(n->delivered, 2);
	assert_int_equal(n->last.dst, 0x9736);
	assert_non_null(n->last.label);
	assert_memory_equal(n->last.label, label, 16);
	/* unsubscribed: not ours any more */
	assert_int_equal(mp_mesh_unsubscribe(n->m, 0xc123), 0);
	assert_int_equal(mp_mesh_unsubscribe(n->m, 0xc123), -ENOENT);
	assert_int_equal(mp_mesh_unsubscribe_virtual(n->m, label), 0);
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	tx.dst = 0xc123;
	tx.label = NULL;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	mtu_run(&world, 100000);
	assert_int_equal(n->delivered, 2);
	assert_int_equal(st->drop_not_for_us, 2);
	/* the subnet removed: the provisioner's PDUs are of an unknown NID */
	assert_int_equal(mp_mesh_subnet_del(n->m, 0), 0);
	assert_int_equal(mp_mesh_subnet_del(n->m, 0), -ENOENT);
	tx.dst = N_ADDR;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	mtu_run(&world, 100000);
	assert_int_equal(st->drop_unknown_nid, 1);
	assert_int_equal(n->delivered, 2);
	mtu_fini(&world);
}

/* The send side's refusals. */
static void test_send_errors(void **state)
{
	struct mtu_node *p, *n, *n2;
	uint8_t a[MP_MESH_ACCESS_MAX + 1] = { 0 };
	struct mp_mesh_tx tx = { .src = P_ADDR, .dst = N_ADDR, .key = 0, .ttl = 5, .payload = a,
				 .len = 4 };

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	tx.src = N_ADDR;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -EINVAL);
	tx.src = P_ADDR;
	tx.len = sizeof(a);
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -EMSGSIZE);
	tx.len = 377;
	tx.szmic = true;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -EMSGSIZE);
	tx.szmic = false;
	tx.len = 4;
	tx.key = 7;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -ENOENT);
	tx.key = 0;
	tx.net_idx = 1;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -ENOENT);
	tx.net_idx = 0;
	tx.dst = 0x8001;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -EINVAL);
	tx.dst = N_ADDR;
	p->seq_err = -ENOSPC;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), -ENOSPC);
	assert_int_equal(p->sent, 0);
	p->seq_err = 0;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	assert_int_equal(p->sent, 1);
	/* a control message, unsegmented and segmented */
	assert_int_equal(mp_mesh_send_control(p->m, P_ADDR, N_ADDR, 0, 5, 0x0a, a, 3, NULL), 0);
	assert_int_equal(mp_mesh_send_control(p->m, P_ADDR, N_ADDR, 0, 5, 0x0a, a, 40, NULL), 1);
	assert_int_equal(mp_mesh_send_control(p->m, P_ADDR, N_ADDR, 0, 5, 0x00, a, 3, NULL),
			 -EINVAL);
	mtu_run(&world, 100000);
	assert_int_equal(n->ctl, 2);
	assert_int_equal(n->ctl_len, 40);
	assert_int_equal(p->done, 1);
	assert_int_equal(p->done_err, 0);
	/* cancel */
	assert_int_equal(send(p, n, a, 100), 1);
	assert_int_equal(mp_mesh_cancel(p->m, N_ADDR), 0);
	assert_int_equal(p->done, 2);
	assert_int_equal(p->done_err, -ECANCELED);
	assert_int_equal(mp_mesh_cancel(p->m, N_ADDR), -ENOENT);
	mtu_fini(&world);
}

/* Key refresh: the node takes the new NetKey and AppKey beside the old;
 * the provisioner sends with the new in phase 2; the node hears both. */
static void test_key_refresh(void **state)
{
	static const uint8_t net2[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					  0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 };
	static const uint8_t app2[16] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
					  0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xa0 };
	struct mtu_node *p, *n, *n2;
	uint8_t a[4] = { 9, 8, 7, 6 };
	struct mp_mesh_tx tx = { .src = N_ADDR, .dst = P_ADDR, .key = 0, .ttl = 5, .payload = a,
				 .len = sizeof(a) };

	(void)state;
	setup(1, 0, false, NULL, &p, &n, &n2);
	assert_int_equal(mp_subnet_kr_start(mp_mesh_subnet(n->m, 0), net2), 0);
	assert_int_equal(mp_mesh_app_key_update(n->m, 0, app2), 0);
	/* phase 1 at the node: it still sends with the old keys */
	assert_int_equal(mp_mesh_send_access(n->m, &tx, NULL), 0);
	mtu_run(&world, 1000);
	assert_int_equal(p->delivered, 1);
	/* the provisioner in phase 2 sends with the new ones */
	assert_int_equal(mp_subnet_kr_start(mp_mesh_subnet(p->m, 0), net2), 0);
	assert_int_equal(mp_mesh_app_key_update(p->m, 0, app2), 0);
	assert_int_equal(mp_subnet_kr_use_new(mp_mesh_subnet(p->m, 0)), 0);
	tx.src = P_ADDR;
	tx.dst = N_ADDR;
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	mtu_run(&world, 1000);
	assert_int_equal(n->delivered, 1);
	/* phase 3: the old keys go; a PDU under the old NetKey is unknown */
	assert_int_equal(mp_mesh_kr_finish(p->m, 0), 0);
	assert_int_equal(mp_mesh_kr_finish(n->m, 0), 0);
	assert_int_equal(mp_mesh_send_access(p->m, &tx, NULL), 0);
	mtu_run(&world, 1000);
	assert_int_equal(n->delivered, 2);
	assert_int_equal(mp_mesh_rx(n->m, n->cap[0], n->cap_len[0]), -ENOKEY);
	mtu_fini(&world);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segmented_0),
		cmocka_unit_test(test_segmented_30),
		cmocka_unit_test(test_segmented_50),
		cmocka_unit_test(test_unsegmented),
		cmocka_unit_test(test_replay_and_cache),
		cmocka_unit_test(test_foreign_and_broken),
		cmocka_unit_test(test_wrong_trans_mic),
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_rpl_whole_space),
		cmocka_unit_test(test_rpl_seed),
		cmocka_unit_test(test_send_errors),
		cmocka_unit_test(test_key_refresh),
		cmocka_unit_test(test_group_and_virtual),
	};

	return cmocka_run_group_tests_name("mesh stack back to back", tests, NULL, NULL);
}
