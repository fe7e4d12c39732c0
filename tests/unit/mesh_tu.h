/* A fake world for mesh stacks (test_mesh, test_mesh_b2b, bench_mesh,
 * fuzz_mesh's seeds aside): up to MTU_NODES stacks (include/mesh/stack.h),
 * each with its own SEQ counter, device keys and timers, joined by an
 * in-memory radio that broadcasts every Network PDU to the other stacks,
 * losing, duplicating and reordering copies (seeded xorshift, so the same
 * seed is the same run), all on a fake clock in milliseconds. Nothing
 * sleeps: mtu_run() jumps the clock to the next event (a PDU due, a timer
 * due) until none is left.
 * Header-only: each program includes it once.
 */
#ifndef MP_MESH_TU_H
#define MP_MESH_TU_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/stack.h"

#define MTU_NODES 3
#define MTU_TIMERS 20		/* 4 SAR transmitter slots, 8 receiver slots */
#define MTU_TX_SLOTS 4
#define MTU_RX_SLOTS 8
#define MTU_QMAX 8192
#define MTU_CAP 64		/* PDUs a node keeps of what it sent */
#define MTU_DEVS 4
#define MTU_SEQS 8

/* The keys of the 8.3 samples (MshPRT v1.1 8.3), the world's defaults. */
static const uint8_t mtu_net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
					 0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t mtu_app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
					 0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };

struct mtu_world;

struct mtu_pkt {
	uint64_t due;
	int to;
	uint8_t pdu[MP_NET_PDU_MAX];
	size_t len;
};

struct mtu_node {
	struct mtu_world *w;
	int idx;
	struct mp_mesh *m;
	uint16_t addr;
	/* SEQ: the queued values first (a sample's), then counting */
	uint32_t seq;
	uint32_t seqs[MTU_SEQS];
	unsigned nseqs, seqs_at;
	int seq_err;			/* seq_next() fails with it when not 0 */
	bool armed[MTU_TIMERS];
	uint64_t due[MTU_TIMERS];
	/* device keys this node knows, by address range */
	struct {
		uint16_t lo, hi;
		uint8_t key[16];
	} dev[MTU_DEVS];
	unsigned ndev;
	/* what came up */
	unsigned delivered;
	struct mp_mesh_rx_msg last;	/* payload and label point into got / label */
	uint8_t got[MP_MESH_ACCESS_MAX];
	uint8_t label[16];
	unsigned ctl;
	uint8_t ctl_opcode;
	uint8_t ctl_params[MP_MESH_CTL_MAX];
	size_t ctl_len;
	unsigned done;
	int done_err;
	uint64_t done_at;
	unsigned long rpl_updates;
	uint16_t rpl_src;
	uint32_t rpl_iv, rpl_seq;
	/* what went out */
	unsigned long sent;
	uint8_t cap[MTU_CAP][MP_NET_PDU_MAX];
	size_t cap_len[MTU_CAP];
	unsigned ncap;
};

struct mtu_world {
	uint64_t now;
	uint32_t rng;
	unsigned loss_pct, dup_pct;
	uint32_t max_delay_ms;		/* each copy takes 1..1 + this */
	unsigned n;			/* nodes */
	struct mtu_node node[MTU_NODES];
	struct mtu_pkt q[MTU_QMAX];
	size_t nq;
	unsigned long pdus;		/* Network PDUs sent, lost ones included */
};

static inline uint32_t mtu_rand(struct mtu_world *w)
{
	uint32_t x = w->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return w->rng = x;
}

static inline void mtu_put(struct mtu_world *w, int to, const uint8_t *pdu, size_t len)
{
	unsigned copies = 1, c;

	if (w->loss_pct && mtu_rand(w) % 100 < w->loss_pct)
		return;
	if (w->dup_pct && mtu_rand(w) % 100 < w->dup_pct)
		copies = 2;
	for (c = 0; c < copies && w->nq < MTU_QMAX && len <= MP_NET_PDU_MAX; c++) {
		struct mtu_pkt *p = &w->q[w->nq++];

		p->due = w->now + 1 + (w->max_delay_ms ? mtu_rand(w) % (w->max_delay_ms + 1) : 0);
		p->to = to;
		memcpy(p->pdu, pdu, len);
		p->len = len;
	}
}

static inline void mtu_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	struct mtu_node *n = user;
	struct mtu_world *w = n->w;
	unsigned i;

	(void)net_idx;
	n->sent++;
	w->pdus++;
	if (n->ncap < MTU_CAP && len <= MP_NET_PDU_MAX) {
		memcpy(n->cap[n->ncap], pdu, len);
		n->cap_len[n->ncap++] = len;
	}
	for (i = 0; i < w->n; i++)
		if ((int)i != n->idx)
			mtu_put(w, (int)i, pdu, len);
}

static inline void mtu_timer(void *user, unsigned id, uint32_t ms)
{
	struct mtu_node *n = user;

	if (id >= MTU_TIMERS)
		abort();
	n->armed[id] = ms != 0;
	n->due[id] = n->w->now + ms;
}

static inline int mtu_seq_next(void *user, uint32_t *seq)
{
	struct mtu_node *n = user;

	if (n->seq_err)
		return n->seq_err;
	if (n->seqs_at < n->nseqs) {
		*seq = n->seqs[n->seqs_at++];
		n->seq = *seq + 1;
		return 0;
	}
	*seq = n->seq++ & 0xffffff;
	return 0;
}

static inline int mtu_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	struct mtu_node *n = user;
	unsigned i;

	for (i = 0; i < n->ndev; i++)
		if (addr >= n->dev[i].lo && addr <= n->dev[i].hi) {
			memcpy(key, n->dev[i].key, 16);
			return 0;
		}
	return -ENOENT;
}

static inline void mtu_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct mtu_node *n = user;

	n->delivered++;
	n->last = *msg;
	memcpy(n->got, msg->payload, msg->len);
	n->last.payload = n->got;
	if (msg->label) {
		memcpy(n->label, msg->label, 16);
		n->last.label = n->label;
	}
}

static inline void mtu_control(void *user, const struct mp_mesh_ctl_msg *msg)
{
	struct mtu_node *n = user;

	n->ctl++;
	n->ctl_opcode = msg->opcode;
	memcpy(n->ctl_params, msg->params, msg->len);
	n->ctl_len = msg->len;
}

static inline void mtu_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct mtu_node *n = user;

	(void)dst;
	(void)seq_auth;
	n->done++;
	n->done_err = err;
	n->done_at = n->w->now;
}

static inline void mtu_rpl(void *user, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct mtu_node *n = user;

	n->rpl_updates++;
	n->rpl_src = src;
	n->rpl_iv = iv_index;
	n->rpl_seq = seq;
}

static const struct mp_mesh_ops mtu_ops = {
	.send = mtu_send, .timer = mtu_timer, .seq_next = mtu_seq_next, .dev_key = mtu_dev_key,
	.deliver = mtu_deliver, .control = mtu_control, .done = mtu_done, .rpl_update = mtu_rpl,
};

/* Set up @w empty: no nodes yet. */
static inline void mtu_init(struct mtu_world *w, uint32_t seed, unsigned loss_pct,
			    unsigned dup_pct, uint32_t max_delay_ms)
{
	memset(w, 0, sizeof(*w));
	w->rng = seed ? seed : 1;
	w->loss_pct = loss_pct;
	w->dup_pct = dup_pct;
	w->max_delay_ms = max_delay_ms;
}

/* A device key @n knows: the node at @lo..@hi. */
static inline void mtu_dev_add(struct mtu_node *n, uint16_t lo, uint16_t hi, const uint8_t key[16])
{
	if (n->ndev == MTU_DEVS)
		abort();
	n->dev[n->ndev].lo = lo;
	n->dev[n->ndev].hi = hi;
	memcpy(n->dev[n->ndev].key, key, 16);
	n->ndev++;
}

/* Add a node at @addr (@elements) with @cfg's capacities and SAR states
 * (ops, user, addr and elements are filled in), IV index @iv, subnet 0
 * with mtu_net_key and AppKey 0 with mtu_app_key unless @bare. Returns
 * it, or NULL when the stack could not be made. */
static inline struct mtu_node *mtu_add(struct mtu_world *w, uint16_t addr, uint16_t elements,
				       const struct mp_mesh_config *cfg, uint32_t iv, bool bare)
{
	struct mp_mesh_config c = { 0 };
	struct mtu_node *n;

	if (w->n == MTU_NODES)
		return NULL;
	n = &w->node[w->n];
	memset(n, 0, sizeof(*n));
	if (cfg)
		c = *cfg;
	c.ops = &mtu_ops;
	c.user = n;
	c.addr = addr;
	c.elements = elements;
	c.tx_slots = MTU_TX_SLOTS;
	c.rx_slots = MTU_RX_SLOTS;
	n->w = w;
	n->idx = (int)w->n;
	n->addr = addr;
	n->seq = 0x100 * (uint32_t)(w->n + 1);
	n->m = mp_mesh_new(&c);
	if (!n->m)
		return NULL;
	if (mp_mesh_timer_count(n->m) > MTU_TIMERS || mp_mesh_set_iv(n->m, iv, false) < 0)
		return NULL;
	if (!bare && (mp_mesh_subnet_add(n->m, 0, mtu_net_key) < 0 ||
		      mp_mesh_app_key_add(n->m, 0, 0, mtu_app_key) < 0))
		return NULL;
	w->n++;
	return n;
}

static inline void mtu_fini(struct mtu_world *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		mp_mesh_free(w->node[i].m);
	w->n = 0;
}

/* Run one event, the earliest (PDUs before timers at the same time).
 * Returns false when there is none. */
static inline bool mtu_step(struct mtu_world *w)
{
	uint64_t best = UINT64_MAX;
	int kind = -1;
	size_t bi = 0, i;
	unsigned nd = 0, t;

	for (i = 0; i < w->nq; i++)
		if (w->q[i].due < best) {
			best = w->q[i].due;
			bi = i;
			kind = 0;
		}
	for (i = 0; i < w->n; i++)
		for (t = 0; t < MTU_TIMERS; t++)
			if (w->node[i].armed[t] && w->node[i].due[t] < best) {
				best = w->node[i].due[t];
				kind = 1;
				nd = (unsigned)i;
				bi = t;
			}
	if (kind < 0)
		return false;
	if (best > w->now)
		w->now = best;
	if (kind == 0) {
		struct mtu_pkt p = w->q[bi];

		/* keep the order of the rest: equal due times go first in,
		 * first out */
		memmove(&w->q[bi], &w->q[bi + 1], (w->nq - bi - 1) * sizeof(w->q[0]));
		w->nq--;
		mp_mesh_rx(w->node[p.to].m, p.pdu, p.len);
	} else {
		w->node[nd].armed[bi] = false;
		mp_mesh_timeout(w->node[nd].m, (unsigned)bi);
	}
	return true;
}

/* Run until nothing is left to happen (or @max_events, against a loop). */
static inline void mtu_run(struct mtu_world *w, unsigned long max_events)
{
	while (max_events-- && mtu_step(w))
		;
}

/* Fire @n's earliest armed timer; false when none is armed. */
static inline bool mtu_fire_next(struct mtu_node *n)
{
	uint64_t best = UINT64_MAX;
	unsigned t, bt = 0;

	for (t = 0; t < MTU_TIMERS; t++)
		if (n->armed[t] && n->due[t] < best) {
			best = n->due[t];
			bt = t;
		}
	if (best == UINT64_MAX)
		return false;
	if (best > n->w->now)
		n->w->now = best;
	n->armed[bt] = false;
	mp_mesh_timeout(n->m, bt);
	return true;
}

#endif
