/* A fake world for the SAR transmitter and receiver (test_sar, bench_sar):
 * two nodes, each with a transmitter and a receiver, joined by an in-memory
 * channel that loses, duplicates and reorders PDUs (seeded), all on a fake
 * clock in milliseconds. Nothing sleeps: stu_run() jumps the clock to the
 * next event (a PDU due, a timer due) until none is left.
 * Header-only: each program includes it once.
 */
#ifndef MP_SAR_TU_H
#define MP_SAR_TU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/lower.h"
#include "transport/sar.h"

#define STU_QMAX 8192
#define STU_TX_SLOTS 4
#define STU_RX_SLOTS 4

struct stu_world;

struct stu_pkt {
	uint64_t due;
	int to;
	bool ctl;
	uint16_t src, dst;
	uint32_t seq, iv_index;
	uint8_t pdu[16];
	size_t len;
};

struct stu_node {
	struct stu_world *w;
	int idx;
	uint16_t addr;
	uint32_t seq;			/* next SEQ */
	struct mp_sar_tx *tx;
	struct mp_sar_rx *rx;
	bool tx_armed[STU_TX_SLOTS];
	uint64_t tx_due[STU_TX_SLOTS];
	bool rx_armed[2 * STU_RX_SLOTS];
	uint64_t rx_due[2 * STU_RX_SLOTS];
	/* what came up */
	unsigned delivered;
	uint8_t got[MP_SAR_UPPER_MAX];
	size_t got_len;
	unsigned done;
	int done_err;
	uint64_t done_at;
	unsigned long segs_sent, acks_sent;
};

struct stu_world {
	uint64_t now;
	uint32_t rng;
	unsigned loss_pct, dup_pct;
	uint32_t max_delay_ms;		/* each PDU takes 1..1 + this */
	uint32_t iv_index;
	struct stu_node n[2];
	struct stu_pkt q[STU_QMAX];
	size_t nq;
	unsigned long pdus;		/* Network PDUs sent, lost ones included */
};

static inline uint32_t stu_rand(struct stu_world *w)
{
	/* xorshift32: the same run for the same seed */
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return w->rng = x;
}

static inline void stu_put(struct stu_world *w, int to, bool ctl, uint16_t src, uint16_t dst,
			   uint32_t seq, const uint8_t *pdu, size_t len)
{
	unsigned copies = 1, c;

	w->pdus++;
	if (stu_rand(w) % 100 < w->loss_pct)
		return;
	if (stu_rand(w) % 100 < w->dup_pct)
		copies = 2;
	for (c = 0; c < copies && w->nq < STU_QMAX && len <= sizeof(w->q[0].pdu); c++) {
		struct stu_pkt *p = &w->q[w->nq++];

		p->due = w->now + 1 + (w->max_delay_ms ? stu_rand(w) % (w->max_delay_ms + 1) : 0);
		p->to = to;
		p->ctl = ctl;
		p->src = src;
		p->dst = dst;
		p->seq = seq;
		p->iv_index = w->iv_index;
		memcpy(p->pdu, pdu, len);
		p->len = len;
	}
}

static inline void stu_send(void *user, const struct mp_sar_tx_pdu *t)
{
	struct stu_node *n = user;

	n->segs_sent++;
	stu_put(n->w, !n->idx, t->ctl, n->addr, t->dst, n->seq++ & 0xffffff, t->pdu, t->len);
}

static inline void stu_tx_timer(void *user, unsigned id, uint32_t ms)
{
	struct stu_node *n = user;

	if (id >= STU_TX_SLOTS)
		abort();
	n->tx_armed[id] = ms != 0;
	n->tx_due[id] = n->w->now + ms;
}

static inline void stu_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct stu_node *n = user;

	n->done++;
	n->done_err = err;
	n->done_at = n->w->now;
}

static inline void stu_ack(void *user, uint16_t src, uint16_t dst, const uint8_t *pdu, size_t len)
{
	struct stu_node *n = user;

	n->acks_sent++;
	stu_put(n->w, !n->idx, true, src, dst, n->seq++ & 0xffffff, pdu, len);
}

static inline void stu_rx_timer(void *user, unsigned id, uint32_t ms)
{
	struct stu_node *n = user;

	if (id >= 2 * STU_RX_SLOTS)
		abort();
	n->rx_armed[id] = ms != 0;
	n->rx_due[id] = n->w->now + ms;
}

static inline void stu_deliver(void *user, const struct mp_sar_rx_msg *m)
{
	struct stu_node *n = user;

	n->delivered++;
	memcpy(n->got, m->upper, m->len);
	n->got_len = m->len;
}

static const struct mp_sar_tx_ops stu_tx_ops = {
	.send = stu_send, .timer = stu_tx_timer, .done = stu_done,
};
static const struct mp_sar_rx_ops stu_rx_ops = {
	.ack = stu_ack, .timer = stu_rx_timer, .deliver = stu_deliver,
};

/* Set up @w: node 0 at 0x0001, node 1 at 0x0002, with @txp / @rxp (NULL:
 * the defaults). Returns false when an object could not be made. */
static inline bool stu_init(struct stu_world *w, uint32_t seed, unsigned loss_pct,
			    unsigned dup_pct, uint32_t max_delay_ms,
			    const struct mp_sar_tx_params *txp, const struct mp_sar_rx_params *rxp)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->rng = seed ? seed : 1;
	w->loss_pct = loss_pct;
	w->dup_pct = dup_pct;
	w->max_delay_ms = max_delay_ms;
	w->iv_index = 0x12345678;
	for (i = 0; i < 2; i++) {
		struct stu_node *n = &w->n[i];
		struct mp_sar_tx_config tc = { .ops = &stu_tx_ops, .user = n, .params = txp,
					       .slots = STU_TX_SLOTS };
		struct mp_sar_rx_config rc = { .ops = &stu_rx_ops, .user = n, .params = rxp,
					       .slots = STU_RX_SLOTS };

		n->w = w;
		n->idx = i;
		n->addr = (uint16_t)(i + 1);
		n->seq = 0x1000 * (uint32_t)(i + 1);
		n->tx = mp_sar_tx_new(&tc);
		n->rx = mp_sar_rx_new(&rc);
		if (!n->tx || !n->rx)
			return false;
	}
	return true;
}

static inline void stu_fini(struct stu_world *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		mp_sar_tx_free(w->n[i].tx);
		mp_sar_rx_free(w->n[i].rx);
	}
}

/* Hand a PDU to its node: a segment to the receiver, an ack to the
 * transmitter. */
static inline void stu_handle(struct stu_world *w, const struct stu_pkt *p)
{
	struct stu_node *n = &w->n[p->to];
	struct mp_lower_pdu d;

	if (mp_lower_decode(p->ctl, p->pdu, p->len, &d) < 0)
		return;
	if (d.seg) {
		struct mp_sar_seg_in in = { .src = p->src, .dst = p->dst, .iv_index = p->iv_index,
					    .seq = p->seq, .pdu = &d };

		mp_sar_rx_segment(n->rx, &in);
	} else if (d.ctl && d.opcode == MP_CTL_SEG_ACK) {
		struct mp_seg_ack a;

		if (mp_seg_ack_decode(d.payload, d.payload_len, &a) == 0)
			mp_sar_tx_ack(n->tx, p->src, &a);
	}
}

/* Run one event, the earliest (PDUs before timers at the same time).
 * Returns false when there is none. */
static inline bool stu_step(struct stu_world *w)
{
	uint64_t best = UINT64_MAX;
	int kind = -1, node = 0;
	size_t bi = 0, i;
	unsigned t;

	for (i = 0; i < w->nq; i++)
		if (w->q[i].due < best) {
			best = w->q[i].due;
			bi = i;
			kind = 0;
		}
	for (node = 0; node < 2; node++) {
		struct stu_node *n = &w->n[node];

		for (t = 0; t < STU_TX_SLOTS; t++)
			if (n->tx_armed[t] && n->tx_due[t] < best) {
				best = n->tx_due[t];
				kind = 1;
				bi = (size_t)node * 1000 + t;
			}
		for (t = 0; t < 2 * STU_RX_SLOTS; t++)
			if (n->rx_armed[t] && n->rx_due[t] < best) {
				best = n->rx_due[t];
				kind = 2;
				bi = (size_t)node * 1000 + t;
			}
	}
	if (kind < 0)
		return false;
	if (best > w->now)
		w->now = best;
	if (kind == 0) {
		struct stu_pkt p = w->q[bi];

		w->q[bi] = w->q[--w->nq];
		stu_handle(w, &p);
	} else {
		struct stu_node *n = &w->n[bi / 1000];

		t = (unsigned)(bi % 1000);
		if (kind == 1) {
			n->tx_armed[t] = false;
			mp_sar_tx_timeout(n->tx, t);
		} else {
			n->rx_armed[t] = false;
			mp_sar_rx_timeout(n->rx, t);
		}
	}
	return true;
}

/* Run until nothing is left to happen (or @max_events, against a loop). */
static inline void stu_run(struct stu_world *w, unsigned long max_events)
{
	while (max_events-- && stu_step(w))
		;
}

#endif
