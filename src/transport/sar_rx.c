/* The SAR receiver. See include/transport/sar.h. MshPRT v1.1 3.5.3.4.
 *
 * One slot per source address: its message in progress, or the last one it
 * completed (so that a retransmitted segment of it is answered with the
 * complete BlockAck and not delivered again), or the last one the discard
 * timer dropped (so that its late segments do not start it again). Each
 * slot has two timers: 2 * i the acknowledgment timer (and the spacing of
 * the acknowledgment's retransmissions), 2 * i + 1 the discard timer.
 */
#include "transport/sar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define DEFAULT_SLOTS 16
#define MAX_SLOTS 256

enum rx_state {
	RX_FREE = 0,
	RX_ACTIVE,
	RX_DONE,
	RX_DISCARDED,
};

struct rslot {
	enum rx_state state;
	uint16_t src, dst;
	uint64_t seq_auth;		/* IV index << 24 | SEQ of the first segment */
	bool ctl, akf, szmic;
	uint8_t aid, opcode, seg_n;
	uint32_t block;
	size_t last_len;		/* length of segment SegN, once held */
	unsigned ack_rtx_left;		/* acknowledgment retransmissions still due */
	bool ack_armed, discard_armed;
	unsigned long used;		/* least recently used goes first */
	uint8_t buf[MP_SAR_UPPER_MAX];
};

struct mp_sar_rx {
	struct mp_sar_rx_ops ops;
	void *user;
	struct mp_sar_rx_params p;
	struct mp_sar_rx_stats stats;
	unsigned nslots;
	unsigned long tick;
	struct rslot *slots;
};

void mp_sar_rx_params_default(struct mp_sar_rx_params *p)
{
	/* MshPRT v1.1 4.2, SAR Receiver: the default of each field */
	*p = (struct mp_sar_rx_params){
		.segments_threshold = 0x03,
		.ack_delay_inc = 0x1,
		.discard_timeout = 0x1,
		.rx_seg_interval_step = 0x5,
		.ack_retrans_count = 0x0,
	};
}

int mp_sar_rx_params_check(const struct mp_sar_rx_params *p)
{
	if (!p || p->segments_threshold > 0x1f || p->ack_delay_inc > 0x7 ||
	    p->discard_timeout > 0xf || p->rx_seg_interval_step > 0xf ||
	    p->ack_retrans_count > 0x3)
		return -EINVAL;
	return 0;
}

uint32_t mp_sar_rx_seg_interval_ms(const struct mp_sar_rx_params *p)
{
	return (uint32_t)(p->rx_seg_interval_step + 1) * 10;
}

uint32_t mp_sar_ack_delay_ms(const struct mp_sar_rx_params *p, uint8_t seg_n)
{
	/* min(SegN + 0.5, increment + 1.5) segment reception intervals, in
	 * halves to stay in integers (3.5.3.4, SAR Acknowledgment timer) */
	uint32_t a = 2u * seg_n + 1, b = 2u * p->ack_delay_inc + 3;

	return (a < b ? a : b) * mp_sar_rx_seg_interval_ms(p) / 2;
}

uint32_t mp_sar_discard_ms(const struct mp_sar_rx_params *p)
{
	return (uint32_t)(p->discard_timeout + 1) * 5000;
}

struct mp_sar_rx *mp_sar_rx_new(const struct mp_sar_rx_config *cfg)
{
	struct mp_sar_rx *rx;
	unsigned n;

	if (!cfg || !cfg->ops || !cfg->ops->ack || !cfg->ops->timer || !cfg->ops->deliver ||
	    (cfg->params && mp_sar_rx_params_check(cfg->params)) || cfg->slots > MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	n = cfg->slots ? cfg->slots : DEFAULT_SLOTS;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return NULL;
	rx->slots = calloc(n, sizeof(*rx->slots));
	if (!rx->slots) {
		free(rx);
		return NULL;
	}
	rx->ops = *cfg->ops;
	rx->user = cfg->user;
	rx->nslots = n;
	if (cfg->params)
		rx->p = *cfg->params;
	else
		mp_sar_rx_params_default(&rx->p);
	return rx;
}

static void arm_ack(struct mp_sar_rx *rx, unsigned i, uint32_t ms)
{
	rx->slots[i].ack_armed = ms != 0;
	rx->ops.timer(rx->user, 2 * i, ms);
}

static void arm_discard(struct mp_sar_rx *rx, unsigned i, uint32_t ms)
{
	rx->slots[i].discard_armed = ms != 0;
	rx->ops.timer(rx->user, 2 * i + 1, ms);
}

static void cancel_timers(struct mp_sar_rx *rx, unsigned i)
{
	if (rx->slots[i].ack_armed)
		arm_ack(rx, i, 0);
	if (rx->slots[i].discard_armed)
		arm_discard(rx, i, 0);
}

void mp_sar_rx_free(struct mp_sar_rx *rx)
{
	unsigned i;

	if (!rx)
		return;
	for (i = 0; i < rx->nslots; i++)
		cancel_timers(rx, i);
	free(rx->slots);
	free(rx);
}

static uint32_t all_mask(uint8_t seg_n)
{
	return seg_n == 31 ? 0xffffffffu : (1u << (seg_n + 1)) - 1;
}

/* Send a Segment Acknowledgment from @src to @dst. meshprov is not a Friend:
 * it never acknowledges on behalf of a Low Power node, so OBO is 0
 * (3.5.2.3.1). */
static void send_ack(struct mp_sar_rx *rx, uint16_t src, uint16_t dst, uint16_t seq_zero,
		     uint32_t block)
{
	struct mp_seg_ack a = { .obo = false, .seq_zero = seq_zero, .block_ack = block };
	uint8_t params[MP_SEG_ACK_LEN], out[1 + MP_SEG_ACK_LEN];
	struct mp_lower_pdu p = { .ctl = true, .opcode = MP_CTL_SEG_ACK, .payload = params,
				  .payload_len = sizeof(params) };
	ssize_t n;

	if (mp_seg_ack_encode(&a, params, sizeof(params)) < 0)
		return;
	n = mp_lower_encode(&p, out, sizeof(out));
	if (n < 0)
		return;
	rx->stats.acks++;
	rx->ops.ack(rx->user, src, dst, out, (size_t)n);
}

static void slot_ack(struct mp_sar_rx *rx, const struct rslot *s)
{
	send_ack(rx, s->dst, s->src, (uint16_t)(s->seq_auth & MP_LOWER_SEQ_ZERO_MASK), s->block);
}

/* Acknowledgments of a message above the segments threshold are sent
 * ack_retrans_count more times, a segment reception interval apart. */
static unsigned ack_retrans(const struct mp_sar_rx *rx, const struct rslot *s)
{
	return (unsigned)s->seg_n + 1 > rx->p.segments_threshold ? rx->p.ack_retrans_count : 0;
}

static int find(const struct mp_sar_rx *rx, uint16_t src)
{
	unsigned i;

	for (i = 0; i < rx->nslots; i++)
		if (rx->slots[i].state != RX_FREE && rx->slots[i].src == src)
			return (int)i;
	return -1;
}

/* A slot for a new source: a free one, else the least recently used that
 * holds no message in progress. */
static int take(const struct mp_sar_rx *rx)
{
	int best = -1;
	unsigned i;

	for (i = 0; i < rx->nslots; i++) {
		const struct rslot *s = &rx->slots[i];

		if (s->state == RX_FREE)
			return (int)i;
		if (s->state != RX_ACTIVE &&
		    (best < 0 || s->used < rx->slots[best].used))
			best = (int)i;
	}
	return best;
}

/* Whether @p, to @dst, contradicts the transaction of @s. */
static bool contradicts(const struct rslot *s, uint16_t dst, const struct mp_lower_pdu *p)
{
	if (p->seg_n != s->seg_n || p->ctl != s->ctl || dst != s->dst)
		return true;
	if (p->ctl ? p->opcode != s->opcode
		   : (p->akf != s->akf || p->aid != s->aid || p->szmic != s->szmic))
		return true;
	/* the last segment again, with another length */
	return p->seg_o == s->seg_n && ((s->block >> p->seg_o) & 1) && p->payload_len != s->last_len;
}

static void complete(struct mp_sar_rx *rx, unsigned i)
{
	struct rslot *s = &rx->slots[i];
	size_t per = s->ctl ? MP_LOWER_SEG_CTL_MAX : MP_LOWER_SEG_ACCESS_MAX;
	uint8_t copy[MP_SAR_UPPER_MAX];
	struct mp_sar_rx_msg m = {
		.src = s->src, .dst = s->dst, .iv_index = (uint32_t)(s->seq_auth >> 24),
		.seq_auth = (uint32_t)(s->seq_auth & MP_NET_SEQ_MAX), .ctl = s->ctl,
		.akf = s->akf, .aid = s->aid, .opcode = s->opcode, .szmic = s->szmic,
		.upper = copy, .len = s->seg_n * per + s->last_len,
	};

	s->state = RX_DONE;
	if (s->discard_armed)
		arm_discard(rx, i, 0);
	if (mp_addr_is_unicast(s->dst)) {
		slot_ack(rx, s);
		s->ack_rtx_left = ack_retrans(rx, s);
		arm_ack(rx, i, s->ack_rtx_left ? mp_sar_rx_seg_interval_ms(&rx->p) : 0);
	} else if (s->ack_armed) {
		arm_ack(rx, i, 0);
	}
	/* a copy: deliver() may feed this source's next message, which
	 * takes this slot */
	memcpy(copy, s->buf, m.len);
	rx->stats.delivered++;
	rx->ops.deliver(rx->user, &m);
}

int mp_sar_rx_segment(struct mp_sar_rx *rx, const struct mp_sar_seg_in *in)
{
	const struct mp_lower_pdu *p;
	struct rslot *s;
	uint32_t origin;
	uint64_t sa;
	size_t per;
	int i, ret;

	if (!rx || !in || !in->pdu || !in->pdu->seg || (!in->pdu->payload && in->pdu->payload_len) ||
	    !mp_addr_is_unicast(in->src) || in->dst == MP_ADDR_UNASSIGNED)
		return -EINVAL;
	p = in->pdu;
	ret = mp_lower_seq_origin(in->seq & MP_NET_SEQ_MAX, p->seq_zero, &origin);
	if (ret < 0) {
		/* a SeqZero above a SEQ this small: no first segment */
		rx->stats.contradicted++;
		return ret == -EINVAL ? -EPROTO : ret;
	}
	sa = (uint64_t)in->iv_index << 24 | origin;
	per = p->ctl ? MP_LOWER_SEG_CTL_MAX : MP_LOWER_SEG_ACCESS_MAX;
	/* every segment is full but the last (3.5.3.3, segmentation) */
	if (p->seg_o > p->seg_n || p->seg_n >= MP_LOWER_SEGS_MAX || p->payload_len == 0 ||
	    p->payload_len > per || (p->seg_o < p->seg_n && p->payload_len != per) ||
	    (p->ctl && (p->akf || p->aid || p->szmic))) {
		rx->stats.contradicted++;
		return -EPROTO;
	}

	i = find(rx, in->src);
	if (i >= 0) {
		s = &rx->slots[i];
		s->used = ++rx->tick;
		if (sa < s->seq_auth) {
			rx->stats.stale++;
			return -ESTALE;
		}
		if (sa == s->seq_auth) {
			if (s->state == RX_DISCARDED) {
				rx->stats.stale++;
				return -ESTALE;
			}
			if (contradicts(s, in->dst, p)) {
				rx->stats.contradicted++;
				return -EPROTO;
			}
			if (s->state == RX_DONE) {
				/* the transmitter missed our ack: the whole
				 * BlockAck again, no second delivery */
				rx->stats.duplicates++;
				if (mp_addr_is_unicast(s->dst)) {
					slot_ack(rx, s);
					/* and again, like the completion's */
					if (!s->ack_armed) {
						s->ack_rtx_left = ack_retrans(rx, s);
						if (s->ack_rtx_left)
							arm_ack(rx, (unsigned)i,
								mp_sar_rx_seg_interval_ms(&rx->p));
					}
				}
				return -EALREADY;
			}
			if ((s->block >> p->seg_o) & 1) {
				rx->stats.duplicates++;
				/* a retransmission we already hold means our
				 * ack was lost: answer it after the usual
				 * delay rather than leave the transmitter
				 * without progress */
				if (mp_addr_is_unicast(s->dst) && !s->ack_armed) {
					s->ack_rtx_left = ack_retrans(rx, s);
					arm_ack(rx, (unsigned)i, mp_sar_ack_delay_ms(&rx->p, s->seg_n));
				}
				return -EALREADY;
			}
			goto store;
		}
		/* a newer SeqAuth from this source replaces what we had */
		if (s->state == RX_ACTIVE)
			rx->stats.restarted++;
		cancel_timers(rx, (unsigned)i);
	} else {
		i = take(rx);
		if (i < 0) {
			rx->stats.busy++;
			/* BlockAck 0: we cannot take it (3.5.3.4) */
			if (mp_addr_is_unicast(in->dst))
				send_ack(rx, in->dst, in->src, p->seq_zero, 0);
			return -ENOBUFS;
		}
		cancel_timers(rx, (unsigned)i);
	}
	s = &rx->slots[i];
	memset(s, 0, sizeof(*s));
	s->state = RX_ACTIVE;
	s->src = in->src;
	s->dst = in->dst;
	s->seq_auth = sa;
	s->ctl = p->ctl;
	s->akf = p->akf;
	s->aid = p->aid;
	s->opcode = p->opcode;
	s->szmic = p->szmic;
	s->seg_n = p->seg_n;
	s->used = ++rx->tick;

store:
	memcpy(s->buf + (size_t)p->seg_o * per, p->payload, p->payload_len);
	s->block |= 1u << p->seg_o;
	if (p->seg_o == p->seg_n)
		s->last_len = p->payload_len;
	rx->stats.segments++;
	if (s->block == all_mask(s->seg_n)) {
		complete(rx, (unsigned)i);
		return 0;
	}
	/* the discard timer runs from the last new segment */
	arm_discard(rx, (unsigned)i, mp_sar_discard_ms(&rx->p));
	if (mp_addr_is_unicast(s->dst) && !s->ack_armed) {
		s->ack_rtx_left = ack_retrans(rx, s);
		arm_ack(rx, (unsigned)i, mp_sar_ack_delay_ms(&rx->p, s->seg_n));
	}
	return 0;
}

void mp_sar_rx_timeout(struct mp_sar_rx *rx, unsigned id)
{
	unsigned i;
	struct rslot *s;

	if (!rx || id >= 2 * rx->nslots)
		return;
	i = id / 2;
	s = &rx->slots[i];
	if (id % 2) {
		if (!s->discard_armed)
			return;
		s->discard_armed = false;
		if (s->state != RX_ACTIVE)
			return;
		/* incomplete for too long: dropped, and its late segments
		 * with it (3.5.3.4, SAR Discard timer) */
		s->state = RX_DISCARDED;
		if (s->ack_armed)
			arm_ack(rx, i, 0);
		rx->stats.discarded++;
		return;
	}
	if (!s->ack_armed)
		return;
	s->ack_armed = false;
	if (s->state != RX_ACTIVE && s->state != RX_DONE)
		return;
	slot_ack(rx, s);
	if (s->ack_rtx_left) {
		s->ack_rtx_left--;
		arm_ack(rx, i, mp_sar_rx_seg_interval_ms(&rx->p));
	}
}

const struct mp_sar_rx_stats *mp_sar_rx_stats(const struct mp_sar_rx *rx)
{
	return &rx->stats;
}
