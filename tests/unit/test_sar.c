/* transport/sar.h: the Mesh 1.1 SAR transmitter and receiver.
 *
 * Back to back (tests/unit/sar_tu.h): two nodes send each other a 380-octet
 * access message (an Upper Transport PDU of 384 octets, 32 segments) at
 * once, through a channel that loses 0 %, 30 % and 50 % of the PDUs (acks
 * included), duplicates some and reorders them, for many seeds: each
 * message is delivered exactly once, intact, and each transmitter reports
 * success. Then each timer on its own on a fake clock (segment interval,
 * unicast retransmissions with and without progress, multicast
 * retransmissions, acknowledgment delay and retransmissions, discard
 * timeout), the receiver's bad input, and the samples of MshPRT v1.1 8.3.6
 * (two segments), 8.3.7 and 8.3.9 (their Segment Acknowledgments).
 */
#include "net_tu.h"
#include "sar_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Back to back                                                        */
/* ------------------------------------------------------------------ */

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

/* Both nodes send a 384-octet Upper Transport PDU to the other at once. */
static void both_ways(unsigned loss, unsigned dup, uint32_t seed, const struct mp_sar_tx_params *txp,
		      const struct mp_sar_rx_params *rxp)
{
	struct stu_world *w = calloc(1, sizeof(*w));
	uint8_t upper[2][MP_SAR_UPPER_MAX];
	int i;

	assert_non_null(w);
	assert_true(stu_init(w, seed, loss, dup, 40, txp, rxp));
	for (i = 0; i < 2; i++) {
		struct stu_node *n = &w->n[i];
		struct mp_sar_msg m = { .dst = w->n[!i].addr, .akf = true, .aid = 0x26, .ttl = 4,
					.seq_auth = n->seq, .upper = upper[i],
					.len = sizeof(upper[i]) };

		fill(upper[i], sizeof(upper[i]), seed * 2 + (uint32_t)i);
		assert_int_equal(mp_sar_tx_send(n->tx, &m), 0);
	}
	stu_run(w, 1000000);
	for (i = 0; i < 2; i++) {
		struct stu_node *n = &w->n[i];

		if (n->delivered != 1 || n->done != 1 || n->done_err != 0)
			fail_msg("loss %u%% seed %u node %d: delivered %u, done %u (%d)", loss, seed,
				 i, n->delivered, n->done, n->done_err);
		assert_int_equal(n->got_len, MP_SAR_UPPER_MAX);
		tu_assert_bytes(n->got, upper[!i], MP_SAR_UPPER_MAX);
		assert_int_equal(mp_sar_rx_stats(n->rx)->delivered, 1);
	}
	stu_fini(w);
	free(w);
}

#define SEEDS 40

static void test_b2b_lossless(void **state)
{
	uint32_t s;

	/* the spec's defaults suffice without loss */
	for (s = 1; s <= SEEDS; s++)
		both_ways(0, 0, s, NULL, NULL);
	/* and duplicates and reordering alone */
	for (s = 1; s <= SEEDS; s++)
		both_ways(0, 20, s, NULL, NULL);
}

/*
 * Under loss, the spec's default of 2 retransmissions gives a 32-segment
 * message little chance (each of the 32 segments must get through in 3
 * tries, and their acks back): the lossy runs use the largest counts the
 * SAR Transmitter and Receiver states allow (15 retransmissions with and
 * without progress; every Segment Acknowledgment sent 4 times), as nodes
 * in a noisy network would be configured through SAR Transmitter Set and
 * SAR Receiver Set. At 50 % loss both ways a single ack gets back to the
 * transmitter for a retransmitted segment 1 time in 4: 15 rounds without
 * progress are not enough on their own.
 */
static void lossy(unsigned loss)
{
	struct mp_sar_tx_params p;
	struct mp_sar_rx_params rp;
	uint32_t s;

	mp_sar_tx_params_default(&p);
	p.unicast_retrans_count = 15;
	p.unicast_retrans_wo_progress_count = 15;
	mp_sar_rx_params_default(&rp);
	rp.ack_retrans_count = 3;
	for (s = 1; s <= SEEDS; s++)
		both_ways(loss, 10, s, &p, &rp);
}

static void test_b2b_loss30(void **state)
{
	lossy(30);
}

static void test_b2b_loss50(void **state)
{
	lossy(50);
}

/* ------------------------------------------------------------------ */
/* One object alone, on a fake clock                                   */
/* ------------------------------------------------------------------ */

#define REC_MAX 512
#define REC_TIMERS 16

struct rec {
	uint64_t now;
	bool armed[REC_TIMERS];
	uint64_t due[REC_TIMERS];
	/* sent segments */
	unsigned nsent;
	uint64_t sent_at[REC_MAX];
	uint8_t sent_o[REC_MAX];
	uint8_t sent[REC_MAX][16];
	size_t sent_len[REC_MAX];
	/* sent acks */
	unsigned nacks;
	uint64_t ack_at[REC_MAX];
	uint16_t ack_src[REC_MAX], ack_dst[REC_MAX];
	uint8_t ack[REC_MAX][7];
	/* up */
	unsigned done, delivered;
	int err;
	uint64_t done_at;
	uint8_t got[MP_SAR_UPPER_MAX];
	size_t got_len;
	struct mp_sar_rx_msg msg;
};

static void r_send(void *user, const struct mp_sar_tx_pdu *t)
{
	struct rec *r = user;

	assert_true(r->nsent < REC_MAX);
	r->sent_at[r->nsent] = r->now;
	r->sent_o[r->nsent] = t->seg_o;
	memcpy(r->sent[r->nsent], t->pdu, t->len);
	r->sent_len[r->nsent] = t->len;
	r->nsent++;
}

static void r_timer(void *user, unsigned id, uint32_t ms)
{
	struct rec *r = user;

	assert_true(id < REC_TIMERS);
	r->armed[id] = ms != 0;
	r->due[id] = r->now + ms;
}

static void r_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct rec *r = user;

	r->done++;
	r->err = err;
	r->done_at = r->now;
}

static void r_ack(void *user, uint16_t src, uint16_t dst, const uint8_t *pdu, size_t len)
{
	struct rec *r = user;

	assert_int_equal(len, 7);
	assert_true(r->nacks < REC_MAX);
	r->ack_at[r->nacks] = r->now;
	r->ack_src[r->nacks] = src;
	r->ack_dst[r->nacks] = dst;
	memcpy(r->ack[r->nacks], pdu, len);
	r->nacks++;
}

static void r_deliver(void *user, const struct mp_sar_rx_msg *m)
{
	struct rec *r = user;

	r->delivered++;
	r->msg = *m;
	memcpy(r->got, m->upper, m->len);
	r->got_len = m->len;
	r->msg.upper = r->got;
}

static const struct mp_sar_tx_ops r_tx_ops = { .send = r_send, .timer = r_timer, .done = r_done };
static const struct mp_sar_rx_ops r_rx_ops = { .ack = r_ack, .timer = r_timer,
					       .deliver = r_deliver };

/* The earliest armed timer, or -1. */
static int r_next(const struct rec *r)
{
	int i, best = -1;

	for (i = 0; i < REC_TIMERS; i++)
		if (r->armed[i] && (best < 0 || r->due[i] < r->due[best]))
			best = i;
	return best;
}

/* Fire the timers due up to @until (all of them when UINT64_MAX), in order,
 * through @fire. */
static void r_run(struct rec *r, uint64_t until, void (*fire)(void *, unsigned), void *obj)
{
	int i;

	while ((i = r_next(r)) >= 0 && r->due[i] <= until) {
		r->now = r->due[i];
		r->armed[i] = false;
		fire(obj, (unsigned)i);
	}
	if (until != UINT64_MAX && until > r->now)
		r->now = until;
}

static void tx_fire(void *tx, unsigned id)
{
	mp_sar_tx_timeout(tx, id);
}

static void rx_fire(void *rx, unsigned id)
{
	mp_sar_rx_timeout(rx, id);
}

static struct mp_sar_tx *r_tx(struct rec *r, const struct mp_sar_tx_params *p)
{
	struct mp_sar_tx_config c = { .ops = &r_tx_ops, .user = r, .params = p, .slots = 4 };
	struct mp_sar_tx *tx = mp_sar_tx_new(&c);

	assert_non_null(tx);
	return tx;
}

static struct mp_sar_rx *r_rx(struct rec *r, const struct mp_sar_rx_params *p, unsigned slots)
{
	struct mp_sar_rx_config c = { .ops = &r_rx_ops, .user = r, .params = p, .slots = slots };
	struct mp_sar_rx *rx = mp_sar_rx_new(&c);

	assert_non_null(rx);
	return rx;
}

static uint8_t big[MP_SAR_UPPER_MAX];

static struct mp_sar_msg msg_to(uint16_t dst, size_t len)
{
	fill(big, sizeof(big), 7);
	return (struct mp_sar_msg){ .dst = dst, .akf = true, .aid = 1, .ttl = 4,
				    .seq_auth = 0x3129ab, .upper = big, .len = len };
}

/* The states' defaults and the timers they give. */
static void test_params(void **state)
{
	struct mp_sar_tx_params t;
	struct mp_sar_rx_params r;

	mp_sar_tx_params_default(&t);
	mp_sar_rx_params_default(&r);
	assert_int_equal(mp_sar_seg_interval_ms(&t), 60);
	assert_int_equal(mp_sar_unicast_retrans_ms(&t, 0), 200);
	assert_int_equal(mp_sar_unicast_retrans_ms(&t, 1), 200);
	assert_int_equal(mp_sar_unicast_retrans_ms(&t, 5), 400);
	assert_int_equal(mp_sar_multicast_retrans_ms(&t), 250);
	assert_int_equal(t.unicast_retrans_count, 2);
	assert_int_equal(t.unicast_retrans_wo_progress_count, 2);
	assert_int_equal(t.multicast_retrans_count, 2);
	assert_int_equal(mp_sar_rx_seg_interval_ms(&r), 60);
	/* min(SegN + 0.5, 2.5) * 60 */
	assert_int_equal(mp_sar_ack_delay_ms(&r, 0), 30);
	assert_int_equal(mp_sar_ack_delay_ms(&r, 1), 90);
	assert_int_equal(mp_sar_ack_delay_ms(&r, 31), 150);
	assert_int_equal(mp_sar_discard_ms(&r), 10000);
	assert_int_equal(r.segments_threshold, 3);
	assert_int_equal(r.ack_retrans_count, 0);
	assert_int_equal(mp_sar_tx_params_check(&t), 0);
	assert_int_equal(mp_sar_rx_params_check(&r), 0);
	t.multicast_retrans_interval_step = 16;
	assert_int_equal(mp_sar_tx_params_check(&t), -EINVAL);
	r.ack_retrans_count = 4;
	assert_int_equal(mp_sar_rx_params_check(&r), -EINVAL);
	{
		struct rec rc = { 0 };
		struct mp_sar_tx_config c = { .ops = &r_tx_ops, .user = &rc, .params = &t };

		errno = 0;
		assert_null(mp_sar_tx_new(&c));
		assert_int_equal(errno, EINVAL);
	}
}

/* Segments go out one segment interval apart; with no ack, the unicast
 * retransmissions timer (step + inc * (TTL - 1)) separates the rounds; when
 * the count runs out the message fails. */
static void test_tx_interval_and_exhaustion(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_tx_params p;
	struct mp_sar_msg m = msg_to(0x1201, 40);	/* 4 segments */
	struct mp_sar_tx *tx;
	unsigned i, round;

	mp_sar_tx_params_default(&p);
	p.seg_interval_step = 2;	/* 30 ms */
	p.unicast_retrans_count = 3;
	p.unicast_retrans_wo_progress_count = 15;
	tx = r_tx(r, &p);
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(r->nsent, 1);		/* the first at once */
	r_run(r, UINT64_MAX, tx_fire, tx);
	/* 1 + 3 rounds of 4 segments */
	assert_int_equal(r->nsent, 16);
	for (round = 0; round < 4; round++) {
		/* a round lasts 3 intervals, then 200 + 50 * 3 ms */
		uint64_t start = round * (3 * 30 + 350);

		for (i = 0; i < 4; i++) {
			assert_int_equal(r->sent_at[round * 4 + i], start + i * 30);
			assert_int_equal(r->sent_o[round * 4 + i], i);
		}
	}
	assert_int_equal(r->done, 1);
	assert_int_equal(r->err, -ETIMEDOUT);
	assert_int_equal(r->done_at, 3 * (90 + 350) + 90 + 350);
	assert_false(mp_sar_tx_busy(tx, 0x1201));
	assert_int_equal(mp_sar_tx_stats(tx)->failed, 1);
	assert_int_equal(mp_sar_tx_stats(tx)->retransmitted, 12);
	/* TTL 0: the step alone */
	m.ttl = 0;
	m.len = 10;
	r->nsent = 0;
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	r_run(r, UINT64_MAX, tx_fire, tx);
	assert_int_equal(r->nsent, 4);
	assert_int_equal(r->sent_at[1] - r->sent_at[0], 200);
	mp_sar_tx_free(tx);
	free(r);
}

/* Without progress: acks that mark nothing new do not help; one that does
 * restarts the count without progress and sends the rest at once. */
static void test_tx_without_progress(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_tx_params p;
	struct mp_sar_msg m = msg_to(0x1201, 36);	/* 3 segments */
	struct mp_seg_ack a = { .seq_zero = 0x09ab };
	struct mp_sar_tx *tx;

	mp_sar_tx_params_default(&p);
	p.unicast_retrans_count = 10;
	p.unicast_retrans_wo_progress_count = 1;
	tx = r_tx(r, &p);
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	/* the first round, then the retransmissions timer */
	r_run(r, 120, tx_fire, tx);
	assert_int_equal(r->nsent, 3);
	/* ack of segment 1: progress, so the other two go out at once */
	a.block_ack = 0x2;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), 0);
	assert_int_equal(r->nsent, 4);
	assert_int_equal(r->sent_o[3], 0);
	assert_int_equal(r->sent_at[3], 120);
	r_run(r, 180, tx_fire, tx);
	assert_int_equal(r->nsent, 5);
	assert_int_equal(r->sent_o[4], 2);
	/* the same ack again: no progress, nothing sent */
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), 0);
	assert_int_equal(r->nsent, 5);
	/* one retransmission without progress is allowed, not two */
	r_run(r, UINT64_MAX, tx_fire, tx);
	assert_int_equal(r->nsent, 7);
	assert_int_equal(r->done, 1);
	assert_int_equal(r->err, -ETIMEDOUT);
	mp_sar_tx_free(tx);
	free(r);
}

/* Acknowledgment handling: a wrong SeqZero or source is ignored, bits past
 * SegN too, BlockAck 0 refuses the message, the complete BlockAck ends it;
 * one message per destination; cancel. */
static void test_tx_acks(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_msg m = msg_to(0x1201, 24);	/* 2 segments */
	struct mp_seg_ack a = { .seq_zero = 0x09ab, .block_ack = 0x3 };
	struct mp_sar_tx *tx = r_tx(r, NULL);

	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(mp_sar_tx_send(tx, &m), -EBUSY);
	assert_true(mp_sar_tx_busy(tx, 0x1201));
	a.seq_zero = 0x09ac;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), -ENOENT);
	a.seq_zero = 0x09ab;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1202, &a), -ENOENT);
	a.block_ack = 0xfffffffc;	/* past SegN only */
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), 0);
	assert_int_equal(r->done, 0);
	a.block_ack = 0xffffffff;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), 0);
	assert_int_equal(r->done, 1);
	assert_int_equal(r->err, 0);
	assert_false(r_next(r) >= 0);	/* no timer left */
	/* BlockAck 0 */
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	a.block_ack = 0;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1201, &a), 0);
	assert_int_equal(r->done, 2);
	assert_int_equal(r->err, -ECONNREFUSED);
	/* cancel */
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(mp_sar_tx_cancel(tx, 0x1201), 0);
	assert_int_equal(r->err, -ECANCELED);
	assert_int_equal(mp_sar_tx_cancel(tx, 0x1201), -ENOENT);
	assert_false(r_next(r) >= 0);
	/* bad messages */
	m.len = 0;
	assert_int_equal(mp_sar_tx_send(tx, &m), -EMSGSIZE);
	m.len = 385;
	assert_int_equal(mp_sar_tx_send(tx, &m), -EMSGSIZE);
	m.len = 24;
	m.dst = 0;
	assert_int_equal(mp_sar_tx_send(tx, &m), -EINVAL);
	m.dst = 0x1201;
	m.akf = false;
	assert_int_equal(mp_sar_tx_send(tx, &m), -EINVAL);	/* AID with the device key */
	/* a Friend's ack (OBO) is matched by SeqZero alone: to the one
	 * message that has it, and to none when two have it */
	m.akf = true;
	m.dst = 0x1202;
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	a = (struct mp_seg_ack){ .obo = true, .seq_zero = 0x09ab, .block_ack = 0x1 };
	assert_int_equal(mp_sar_tx_ack(tx, 0x2345, &a), 0);
	m.dst = 0x1203;
	m.seq_auth += 0x2000;	/* the same SeqZero */
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(mp_sar_tx_ack(tx, 0x2345, &a), -ENOENT);
	a.obo = false;
	assert_int_equal(mp_sar_tx_ack(tx, 0x1203, &a), 0);
	assert_int_equal(mp_sar_tx_cancel(tx, 0x1202), 0);
	assert_int_equal(mp_sar_tx_cancel(tx, 0x1203), 0);
	m.seq_auth -= 0x2000;
	/* every slot busy */
	for (m.dst = 1; m.dst <= 4; m.dst++)
		assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(mp_sar_tx_send(tx, &m), -ENOBUFS);
	mp_sar_tx_free(tx);
	free(r);
}

/* done() is the last action: the owner sends the next message to the same
 * destination from inside it (HACKING.md, strategy 1). */
static struct mp_sar_tx *chain_tx;
static unsigned chain_left;

static void chain_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct rec *r = user;
	struct mp_sar_msg m = msg_to(dst, 20);

	r_done(user, dst, seq_auth, err);
	assert_int_equal(err, 0);
	if (chain_left) {
		chain_left--;
		m.seq_auth = seq_auth + 2;
		assert_int_equal(mp_sar_tx_send(chain_tx, &m), 0);
	}
	(void)r;
}

static void test_tx_send_from_done(void **state)
{
	static const struct mp_sar_tx_ops ops = { .send = r_send, .timer = r_timer,
						  .done = chain_done };
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_tx_config c = { .ops = &ops, .user = r, .slots = 1 };
	struct mp_sar_msg m = msg_to(0x1201, 20);
	struct mp_seg_ack a = { .seq_zero = 0x09ab, .block_ack = 0x3 };
	unsigned i;

	chain_tx = mp_sar_tx_new(&c);
	assert_non_null(chain_tx);
	chain_left = 3;
	assert_int_equal(mp_sar_tx_send(chain_tx, &m), 0);
	for (i = 0; i < 4; i++) {
		r_run(r, r->now + 100, tx_fire, chain_tx);
		assert_int_equal(mp_sar_tx_ack(chain_tx, 0x1201, &a), 0);
		a.seq_zero = (uint16_t)(a.seq_zero + 2);
	}
	assert_int_equal(r->done, 4);
	assert_int_equal(r->nsent, 8);
	assert_false(mp_sar_tx_busy(chain_tx, 0x1201));
	assert_false(r_next(r) >= 0);
	mp_sar_tx_free(chain_tx);
	free(r);
}

/* To a group: every segment multicast_retrans_count + 1 times, the rounds
 * a multicast interval apart, acks ignored, then success. */
static void test_tx_multicast(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_tx_params p;
	struct mp_sar_msg m = msg_to(0xc001, 30);	/* 3 segments */
	struct mp_seg_ack a = { .seq_zero = 0x09ab, .block_ack = 0x7 };
	struct mp_sar_tx *tx;
	unsigned i;

	mp_sar_tx_params_default(&p);
	p.multicast_retrans_count = 3;
	tx = r_tx(r, &p);
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	assert_int_equal(mp_sar_tx_ack(tx, 0xc001, &a), -ENOENT);
	r_run(r, UINT64_MAX, tx_fire, tx);
	assert_int_equal(r->nsent, 12);
	for (i = 0; i < 12; i++) {
		assert_int_equal(r->sent_o[i], i % 3);
		assert_int_equal(r->sent_at[i], (i / 3) * (120 + 250) + (i % 3) * 60);
	}
	assert_int_equal(r->done, 1);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->done_at, r->sent_at[11]);
	mp_sar_tx_free(tx);
	free(r);
}

/* ------------------------------------------------------------------ */
/* The receiver alone                                                  */
/* ------------------------------------------------------------------ */

/* Segment @o of a message of @n full access segments filled from @seed. */
struct seg {
	struct mp_lower_pdu p;
	uint8_t payload[12];
};

static void mkseg(struct seg *s, uint16_t seq_zero, unsigned o, unsigned seg_n, uint8_t seed)
{
	memset(s, 0, sizeof(*s));
	memset(s->payload, seed + o, sizeof(s->payload));
	s->p = (struct mp_lower_pdu){ .seg = true, .akf = true, .aid = 5, .seq_zero = seq_zero,
				      .seg_o = (uint8_t)o, .seg_n = (uint8_t)seg_n,
				      .payload = s->payload, .payload_len = 12 };
}

static int feed(struct mp_sar_rx *rx, uint16_t src, uint16_t dst, uint32_t seq, struct seg *s)
{
	struct mp_sar_seg_in in = { .src = src, .dst = dst, .iv_index = 0x12345678, .seq = seq,
				    .pdu = &s->p };

	return mp_sar_rx_segment(rx, &in);
}

static uint32_t ack_block(const struct rec *r, unsigned i)
{
	struct mp_lower_pdu d;
	struct mp_seg_ack a;

	assert_int_equal(mp_lower_decode(true, r->ack[i], 7, &d), 0);
	assert_int_equal(d.opcode, MP_CTL_SEG_ACK);
	assert_int_equal(mp_seg_ack_decode(d.payload, d.payload_len, &a), 0);
	assert_false(a.obo);
	return a.block_ack;
}

/* The acknowledgment delay, its retransmissions above the threshold, and the
 * complete message acknowledged at once. */
static void test_rx_ack_timer(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_rx_params p;
	struct mp_sar_rx *rx;
	struct seg s;
	unsigned o;

	mp_sar_rx_params_default(&p);
	p.ack_retrans_count = 2;
	p.segments_threshold = 3;
	rx = r_rx(r, &p, 4);
	/* 5 segments (above the threshold): 0 and 2 */
	mkseg(&s, 0x100, 0, 4, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x100, &s), 0);
	mkseg(&s, 0x100, 2, 4, 0);
	r->now = 20;
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x102, &s), 0);
	/* the timer runs from the first: 2.5 * 60 ms, then 2 more 60 ms apart */
	r_run(r, 1000, rx_fire, rx);
	assert_int_equal(r->nacks, 3);
	assert_int_equal(r->ack_at[0], 150);
	assert_int_equal(r->ack_at[1], 210);
	assert_int_equal(r->ack_at[2], 270);
	for (o = 0; o < 3; o++) {
		assert_int_equal(ack_block(r, o), 0x5);
		assert_int_equal(r->ack_src[o], 0x0001);
		assert_int_equal(r->ack_dst[o], 0x0005);
	}
	/* the rest: the last one completes it, acked at once */
	for (o = 1; o < 5; o += 2) {
		mkseg(&s, 0x100, o, 4, 0);
		assert_int_equal(feed(rx, 0x0005, 0x0001, 0x100 + o, &s), 0);
	}
	assert_int_equal(r->delivered, 0);
	mkseg(&s, 0x100, 4, 4, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x104, &s), 0);
	assert_int_equal(r->delivered, 1);
	assert_int_equal(r->got_len, 60);
	assert_int_equal(r->msg.seq_auth, 0x100);
	assert_int_equal(r->msg.iv_index, 0x12345678);
	assert_int_equal(r->got[59], 4);
	assert_int_equal(ack_block(r, r->nacks - 1), 0x1f);
	assert_int_equal(r->ack_at[r->nacks - 1], 1000);
	mp_sar_rx_free(rx);
	free(r);
}

/* Discard timeout: an incomplete message is dropped after (n + 1) * 5 s
 * without a new segment, and its late segments with it. */
static void test_rx_discard(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_rx_params p;
	struct mp_sar_rx *rx;
	struct seg s;

	mp_sar_rx_params_default(&p);
	p.discard_timeout = 2;	/* 15 s */
	rx = r_rx(r, &p, 4);
	mkseg(&s, 0x10, 0, 2, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x10, &s), 0);
	r_run(r, 4000, rx_fire, rx);
	mkseg(&s, 0x10, 1, 2, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x11, &s), 0);
	/* 15 s from the last new segment, not the first */
	r_run(r, 18999, rx_fire, rx);
	assert_int_equal(mp_sar_rx_stats(rx)->discarded, 0);
	r_run(r, 19000, rx_fire, rx);
	assert_int_equal(mp_sar_rx_stats(rx)->discarded, 1);
	mkseg(&s, 0x10, 2, 2, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x12, &s), -ESTALE);
	assert_int_equal(r->delivered, 0);
	assert_false(r_next(r) >= 0);
	/* a newer message from the source is taken */
	mkseg(&s, 0x20, 0, 0, 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x20, &s), 0);
	assert_int_equal(r->delivered, 1);
	mp_sar_rx_free(rx);
	free(r);
}

/* Duplicates and any order; an older SeqAuth dropped, a newer one restarts;
 * a contradicting SegN, header or length dropped and counted; a completed
 * message answered with the full BlockAck and not delivered again; group
 * destinations unacknowledged; no slot: BlockAck 0. */
static void test_rx_bad_input(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_rx *rx = r_rx(r, NULL, 2);
	const struct mp_sar_rx_stats *st = mp_sar_rx_stats(rx);
	struct seg s;
	unsigned nacks;

	mkseg(&s, 0x40, 2, 2, 9);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x42, &s), 0);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x42, &s), -EALREADY);
	/* SegN against the transaction */
	mkseg(&s, 0x40, 1, 3, 9);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x41, &s), -EPROTO);
	/* the header */
	mkseg(&s, 0x40, 1, 2, 9);
	s.p.aid = 6;
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x41, &s), -EPROTO);
	/* a short segment that is not the last */
	mkseg(&s, 0x40, 1, 2, 9);
	s.p.payload_len = 11;
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x41, &s), -EPROTO);
	/* the destination */
	mkseg(&s, 0x40, 1, 2, 9);
	assert_int_equal(feed(rx, 0x0005, 0x0002, 0x41, &s), -EPROTO);
	assert_int_equal(st->contradicted, 4);
	/* an older SeqAuth */
	mkseg(&s, 0x3f, 0, 0, 9);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x3f, &s), -ESTALE);
	/* a newer one restarts */
	mkseg(&s, 0x50, 1, 1, 3);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x51, &s), 0);
	assert_int_equal(st->restarted, 1);
	mkseg(&s, 0x40, 0, 2, 9);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x40, &s), -ESTALE);
	mkseg(&s, 0x50, 0, 1, 3);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x52, &s), 0);	/* a later SEQ, same SeqAuth */
	assert_int_equal(r->delivered, 1);
	assert_int_equal(r->got_len, 24);
	assert_int_equal(r->got[0], 3);
	assert_int_equal(r->got[12], 4);
	/* the completed message: full BlockAck again, no second delivery */
	nacks = r->nacks;
	mkseg(&s, 0x50, 1, 1, 3);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x53, &s), -EALREADY);
	assert_int_equal(r->nacks, nacks + 1);
	assert_int_equal(ack_block(r, nacks), 0x3);
	assert_int_equal(r->delivered, 1);
	/* to a group: delivered, never acknowledged */
	nacks = r->nacks;
	mkseg(&s, 0x60, 0, 1, 1);
	assert_int_equal(feed(rx, 0x0006, 0xc000, 0x60, &s), 0);
	r_run(r, r->now + 1000, rx_fire, rx);
	mkseg(&s, 0x60, 1, 1, 1);
	assert_int_equal(feed(rx, 0x0006, 0xc000, 0x61, &s), 0);
	assert_int_equal(feed(rx, 0x0006, 0xc000, 0x62, &s), -EALREADY);
	assert_int_equal(r->delivered, 2);
	assert_int_equal(r->nacks, nacks);
	/* two slots, two sources in progress: a third gets BlockAck 0 */
	mkseg(&s, 0x70, 0, 1, 1);
	assert_int_equal(feed(rx, 0x0005, 0x0001, 0x70, &s), 0);
	assert_int_equal(feed(rx, 0x0006, 0x0001, 0x70, &s), 0);
	assert_int_equal(feed(rx, 0x0007, 0x0001, 0x70, &s), -ENOBUFS);
	assert_int_equal(r->ack_dst[r->nacks - 1], 0x0007);
	assert_int_equal(ack_block(r, r->nacks - 1), 0);
	assert_int_equal(st->busy, 1);
	/* SEQ that gives no SeqAuth, and bad arguments */
	mkseg(&s, 0x1fff, 0, 1, 1);
	assert_int_equal(feed(rx, 0x0008, 0x0001, 0x10, &s), -ERANGE);
	s.p.seg = false;
	assert_int_equal(feed(rx, 0x0008, 0x0001, 0x10, &s), -EINVAL);
	mkseg(&s, 0x10, 0, 1, 1);
	assert_int_equal(feed(rx, 0xc000, 0x0001, 0x10, &s), -EINVAL);
	mp_sar_rx_free(rx);
	free(r);
}

/* deliver() is the last action: the owner may feed the source's next
 * message from inside it, which takes the same slot, and the message being
 * delivered stays intact. */
static struct mp_sar_rx *nest_rx;
static unsigned nest_calls;

static void nest_deliver(void *user, const struct mp_sar_rx_msg *m)
{
	uint8_t before[MP_SAR_UPPER_MAX];
	struct seg s;

	memcpy(before, m->upper, m->len);
	nest_calls++;
	if (nest_calls == 1) {
		mkseg(&s, 0x30, 0, 0, 0x80);
		assert_int_equal(feed(nest_rx, m->src, m->dst, 0x30, &s), 0);
		assert_int_equal(nest_calls, 2);
		assert_memory_equal(m->upper, before, m->len);
		assert_int_equal(m->seq_auth, 0x20);
	}
	r_deliver(user, m);
}

static void test_rx_feed_from_deliver(void **state)
{
	static const struct mp_sar_rx_ops ops = { .ack = r_ack, .timer = r_timer,
						  .deliver = nest_deliver };
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_rx_config c = { .ops = &ops, .user = r, .slots = 1 };
	struct seg s;

	nest_rx = mp_sar_rx_new(&c);
	assert_non_null(nest_rx);
	mkseg(&s, 0x20, 0, 1, 0x10);
	assert_int_equal(feed(nest_rx, 0x0005, 0x0001, 0x20, &s), 0);
	mkseg(&s, 0x20, 1, 1, 0x10);
	assert_int_equal(feed(nest_rx, 0x0005, 0x0001, 0x21, &s), 0);
	assert_int_equal(nest_calls, 2);
	/* the outer delivery recorded last: the first message, intact */
	assert_int_equal(r->got_len, 24);
	assert_int_equal(r->got[0], 0x10);
	assert_int_equal(r->got[23], 0x11);
	assert_int_equal(mp_sar_rx_stats(nest_rx)->delivered, 2);
	mp_sar_rx_free(nest_rx);
	free(r);
}

/* ------------------------------------------------------------------ */
/* The samples                                                         */
/* ------------------------------------------------------------------ */

/*
 * MshPRT v1.1 8.3.6: two segments from 0x0003 to 0x1201. Only the second
 * arrives first: the ack after the delay carries 8.3.7's SeqZero and
 * BlockAck (0x00000002); then the first: complete, acknowledged at once
 * with 8.3.9's (0x00000003). The samples' acks come from the destination's
 * Friend (OBO 1); meshprov answers for itself, so its bytes are the
 * samples' with OBO clear. A retransmitted last segment gets 8.3.9's again,
 * with no second delivery.
 */
static void test_rx_samples(void **state)
{
	struct json_object *m6 = ntu_message(6), *m7 = ntu_message(7), *m9 = ntu_message(9);
	struct json_object *pdus = tu_get(m6, "network_pdus");
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_rx *rx = r_rx(r, NULL, 4);
	uint8_t pdu[2][32], upper[32], exp7[16], exp9[16];
	struct mp_lower_pdu d[2];
	size_t len[2], ulen;
	uint16_t src = (uint16_t)ntu_int(m6, "src"), dst = (uint16_t)ntu_int(m6, "dst");
	uint32_t iv = ntu_int(m6, "iv_index");
	int i;

	for (i = 0; i < 2; i++) {
		struct json_object *p = json_object_array_get_idx(pdus, (size_t)i);

		len[i] = tu_hex(p, "lower_transport_pdu", pdu[i], sizeof(pdu[i]));
		assert_int_equal(mp_lower_decode(false, pdu[i], len[i], &d[i]), 0);
	}
	ulen = tu_hex(m6, "upper_transport_pdu", upper, sizeof(upper));
	assert_int_equal(tu_hex(tu_get(m7, "network_pdus.0"), "lower_transport_pdu", exp7,
				sizeof(exp7)), 7);
	assert_int_equal(tu_hex(tu_get(m9, "network_pdus.0"), "lower_transport_pdu", exp9,
				sizeof(exp9)), 7);
	assert_int_equal(exp7[1] & 0x80, 0x80);	/* OBO in the samples */
	exp7[1] &= 0x7f;
	exp9[1] &= 0x7f;

	{
		struct mp_sar_seg_in in = { .src = src, .dst = dst, .iv_index = iv,
					    .seq = ntu_int(tu_get(pdus, "1"), "seq"), .pdu = &d[1] };

		assert_int_equal(mp_sar_rx_segment(rx, &in), 0);
	}
	r_run(r, 1000, rx_fire, rx);
	assert_int_equal(r->nacks, 1);
	assert_int_equal(r->ack_at[0], 90);	/* min(1.5, 2.5) * 60 ms */
	assert_int_equal(r->ack_src[0], dst);
	assert_int_equal(r->ack_dst[0], src);
	tu_assert_bytes(r->ack[0], exp7, 7);
	assert_int_equal(ack_block(r, 0), ntu_int(m7, "control.parameters.block_ack"));
	{
		struct mp_sar_seg_in in = { .src = src, .dst = dst, .iv_index = iv,
					    .seq = ntu_int(tu_get(pdus, "0"), "seq"), .pdu = &d[0] };

		assert_int_equal(mp_sar_rx_segment(rx, &in), 0);
	}
	assert_int_equal(r->nacks, 2);
	tu_assert_bytes(r->ack[1], exp9, 7);
	assert_int_equal(r->delivered, 1);
	assert_int_equal(r->got_len, ulen);
	tu_assert_bytes(r->got, upper, ulen);
	assert_int_equal(r->msg.seq_auth, ntu_int(m6, "seq"));
	assert_int_equal(r->msg.akf, false);
	{
		/* the transmitter retransmits the last segment with a new SEQ */
		struct mp_sar_seg_in in = { .src = src, .dst = dst, .iv_index = iv,
					    .seq = ntu_int(tu_get(pdus, "1"), "seq") + 5,
					    .pdu = &d[1] };

		assert_int_equal(mp_sar_rx_segment(rx, &in), -EALREADY);
	}
	assert_int_equal(r->nacks, 3);
	tu_assert_bytes(r->ack[2], exp9, 7);
	assert_int_equal(r->delivered, 1);
	mp_sar_rx_free(rx);
	free(r);
}

/*
 * The transmitter side of the same exchange: 8.3.6's Upper Transport PDU
 * goes out as 8.3.6's two Lower Transport PDUs, byte for byte; 8.3.7's ack
 * (OBO, from the Friend 0x2345) marks segment 1, so segment 0 goes out
 * again at once; 8.3.9's ends the message.
 */
static void test_tx_samples(void **state)
{
	struct json_object *m6 = ntu_message(6), *m7 = ntu_message(7), *m9 = ntu_message(9);
	struct json_object *pdus = tu_get(m6, "network_pdus");
	struct rec *r = calloc(1, sizeof(*r));
	struct mp_sar_tx *tx = r_tx(r, NULL);
	uint8_t upper[32], exp[2][32], ack[16];
	size_t ulen, elen[2];
	struct mp_sar_msg m = { .dst = (uint16_t)ntu_int(m6, "dst"), .akf = false,
				.ttl = (uint8_t)ntu_int(m6, "ttl"), .seq_auth = ntu_int(m6, "seq") };
	struct mp_lower_pdu d;
	struct mp_seg_ack a;
	int i;

	ulen = tu_hex(m6, "upper_transport_pdu", upper, sizeof(upper));
	for (i = 0; i < 2; i++)
		elen[i] = tu_hex(json_object_array_get_idx(pdus, (size_t)i),
				 "lower_transport_pdu", exp[i], sizeof(exp[i]));
	m.upper = upper;
	m.len = ulen;
	assert_int_equal(mp_sar_tx_send(tx, &m), 0);
	r_run(r, 60, tx_fire, tx);
	assert_int_equal(r->nsent, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(r->sent_len[i], elen[i]);
		tu_assert_bytes(r->sent[i], exp[i], elen[i]);
	}
	r_run(r, 200, tx_fire, tx);
	assert_int_equal(r->nsent, 2);
	assert_int_equal(tu_hex(tu_get(m7, "network_pdus.0"), "lower_transport_pdu", ack,
				sizeof(ack)), 7);
	assert_int_equal(mp_lower_decode(true, ack, 7, &d), 0);
	assert_int_equal(mp_seg_ack_decode(d.payload, d.payload_len, &a), 0);
	assert_true(a.obo);
	assert_int_equal(mp_sar_tx_ack(tx, (uint16_t)ntu_int(m7, "src"), &a), 0);
	assert_int_equal(r->nsent, 3);
	tu_assert_bytes(r->sent[2], exp[0], elen[0]);
	assert_int_equal(tu_hex(tu_get(m9, "network_pdus.0"), "lower_transport_pdu", ack,
				sizeof(ack)), 7);
	assert_int_equal(mp_lower_decode(true, ack, 7, &d), 0);
	assert_int_equal(mp_seg_ack_decode(d.payload, d.payload_len, &a), 0);
	assert_int_equal(mp_sar_tx_ack(tx, (uint16_t)ntu_int(m9, "src"), &a), 0);
	assert_int_equal(r->done, 1);
	assert_int_equal(r->err, 0);
	assert_false(r_next(r) >= 0);
	mp_sar_tx_free(tx);
	free(r);
}

int main(void)
{
	ntu_add("SAR back to back, no loss, duplicates and reordering", test_b2b_lossless, NULL);
	ntu_add("SAR back to back, 30 % loss", test_b2b_loss30, NULL);
	ntu_add("SAR back to back, 50 % loss", test_b2b_loss50, NULL);
	ntu_add("SAR states: defaults and timers", test_params, NULL);
	ntu_add("SAR tx: segment interval, retransmissions exhausted", test_tx_interval_and_exhaustion,
		NULL);
	ntu_add("SAR tx: retransmissions without progress", test_tx_without_progress, NULL);
	ntu_add("SAR tx: acknowledgments, one per destination, cancel", test_tx_acks, NULL);
	ntu_add("SAR tx: the next message sent from done()", test_tx_send_from_done, NULL);
	ntu_add("SAR tx: multicast retransmissions", test_tx_multicast, NULL);
	ntu_add("SAR rx: acknowledgment timer and retransmissions", test_rx_ack_timer, NULL);
	ntu_add("SAR rx: discard timeout", test_rx_discard, NULL);
	ntu_add("SAR rx: duplicates, SeqAuth, contradictions, completed cache, groups, busy",
		test_rx_bad_input, NULL);
	ntu_add("SAR rx: the next message fed from deliver()", test_rx_feed_from_deliver, NULL);
	ntu_add("SAR rx: 8.3.6 segments to the 8.3.7 and 8.3.9 BlockAcks", test_rx_samples, NULL);
	ntu_add("SAR tx: 8.3.6 segments, 8.3.7 and 8.3.9 acks", test_tx_samples, NULL);
	return ntu_run("sar");
}
