/* The SAR transmitter. See include/transport/sar.h. MshPRT v1.1 3.5.3.3.
 *
 * Each slot holds one outbound message and runs one timer (its index):
 * while a round is going out it paces the segments one segment interval
 * apart; between rounds it is the unicast (or multicast) retransmissions
 * timer. A round sends every segment not yet acknowledged, in order.
 */
#include "transport/sar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define DEFAULT_SLOTS 8
#define MAX_SLOTS 64

enum slot_state {
	SLOT_FREE = 0,
	SLOT_SENDING,	/* a round is going out; the timer paces it */
	SLOT_WAITING,	/* between rounds; the timer is the retransmissions timer */
};

struct slot {
	enum slot_state state;
	struct mp_sar_msg msg;		/* msg.upper points at buf */
	uint8_t buf[MP_SAR_UPPER_MAX];
	uint8_t seg_n;
	uint32_t acked;			/* BlockAck so far */
	uint32_t sent_once;		/* segments sent at least once */
	unsigned next;			/* SENDING: the next SegO to consider */
	unsigned retrans_left;		/* unicast or multicast retransmissions left */
	unsigned noprog_left;		/* unicast, without progress */
	bool armed;
};

struct mp_sar_tx {
	struct mp_sar_tx_ops ops;
	void *user;
	struct mp_sar_tx_params p;
	struct mp_sar_tx_stats stats;
	unsigned nslots;
	struct slot *slots;
};

void mp_sar_tx_params_default(struct mp_sar_tx_params *p)
{
	/* MshPRT v1.1 4.2, SAR Transmitter: the default of each field */
	*p = (struct mp_sar_tx_params){
		.seg_interval_step = 0x5,
		.unicast_retrans_count = 0x2,
		.unicast_retrans_wo_progress_count = 0x2,
		.unicast_retrans_interval_step = 0x7,
		.unicast_retrans_interval_inc = 0x1,
		.multicast_retrans_count = 0x2,
		.multicast_retrans_interval_step = 0x9,
	};
}

int mp_sar_tx_params_check(const struct mp_sar_tx_params *p)
{
	if (!p)
		return -EINVAL;
	/* every field of the SAR Transmitter state is 4 bits */
	if ((p->seg_interval_step | p->unicast_retrans_count |
	     p->unicast_retrans_wo_progress_count | p->unicast_retrans_interval_step |
	     p->unicast_retrans_interval_inc | p->multicast_retrans_count |
	     p->multicast_retrans_interval_step) > 0xf)
		return -EINVAL;
	return 0;
}

uint32_t mp_sar_seg_interval_ms(const struct mp_sar_tx_params *p)
{
	return (uint32_t)(p->seg_interval_step + 1) * 10;
}

uint32_t mp_sar_unicast_retrans_ms(const struct mp_sar_tx_params *p, uint8_t ttl)
{
	uint32_t step = (uint32_t)(p->unicast_retrans_interval_step + 1) * 25;
	uint32_t inc = (uint32_t)(p->unicast_retrans_interval_inc + 1) * 25;

	return ttl == 0 ? step : step + inc * (uint32_t)(ttl - 1);
}

uint32_t mp_sar_multicast_retrans_ms(const struct mp_sar_tx_params *p)
{
	return (uint32_t)(p->multicast_retrans_interval_step + 1) * 25;
}

static void arm(struct mp_sar_tx *tx, unsigned i, uint32_t ms)
{
	tx->slots[i].armed = ms != 0;
	tx->ops.timer(tx->user, i, ms);
}

struct mp_sar_tx *mp_sar_tx_new(const struct mp_sar_tx_config *cfg)
{
	struct mp_sar_tx *tx;
	unsigned n;

	if (!cfg || !cfg->ops || !cfg->ops->send || !cfg->ops->timer ||
	    (cfg->params && mp_sar_tx_params_check(cfg->params)) || cfg->slots > MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	n = cfg->slots ? cfg->slots : DEFAULT_SLOTS;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return NULL;
	tx->slots = calloc(n, sizeof(*tx->slots));
	if (!tx->slots) {
		free(tx);
		return NULL;
	}
	tx->ops = *cfg->ops;
	tx->user = cfg->user;
	tx->nslots = n;
	if (cfg->params)
		tx->p = *cfg->params;
	else
		mp_sar_tx_params_default(&tx->p);
	return tx;
}

void mp_sar_tx_free(struct mp_sar_tx *tx)
{
	unsigned i;

	if (!tx)
		return;
	for (i = 0; i < tx->nslots; i++)
		if (tx->slots[i].armed)
			arm(tx, i, 0);
	free(tx->slots);
	free(tx);
}

static bool unicast(const struct slot *s)
{
	return mp_addr_is_unicast(s->msg.dst);
}

static uint32_t all_mask(uint8_t seg_n)
{
	return seg_n == 31 ? 0xffffffffu : (1u << (seg_n + 1)) - 1;
}

/* Send segment @o of slot @s. */
static void send_seg(struct mp_sar_tx *tx, struct slot *s, unsigned o)
{
	struct mp_lower_pdu p = {
		.ctl = s->msg.ctl, .akf = s->msg.akf, .aid = s->msg.aid,
		.opcode = s->msg.opcode, .szmic = s->msg.szmic,
		.seq_zero = (uint16_t)(s->msg.seq_auth & MP_LOWER_SEQ_ZERO_MASK),
	};
	uint8_t out[MP_LOWER_SEG_HDR_LEN + MP_LOWER_SEG_ACCESS_MAX];
	struct mp_sar_tx_pdu t;
	ssize_t n;

	/* checked in mp_sar_tx_send(): neither can fail */
	if (mp_lower_segment(&p, s->msg.upper, s->msg.len, o) < 0)
		return;
	n = mp_lower_encode(&p, out, sizeof(out));
	if (n < 0)
		return;
	t = (struct mp_sar_tx_pdu){
		.dst = s->msg.dst, .ctl = s->msg.ctl, .ttl = s->msg.ttl,
		.seq_auth = s->msg.seq_auth, .seg_o = (uint8_t)o,
		.retransmission = (s->sent_once >> o) & 1, .pdu = out, .len = (size_t)n,
	};
	s->sent_once |= 1u << o;
	tx->stats.sent++;
	if (t.retransmission)
		tx->stats.retransmitted++;
	tx->ops.send(tx->user, &t);
}

/* The next unacknowledged SegO at or after @from, or seg_n + 1. */
static unsigned next_unacked(const struct slot *s, unsigned from)
{
	while (from <= s->seg_n && ((s->acked >> from) & 1))
		from++;
	return from;
}

static void slot_end(struct mp_sar_tx *tx, unsigned i, int err)
{
	struct slot *s = &tx->slots[i];
	uint16_t dst = s->msg.dst;
	uint32_t seq_auth = s->msg.seq_auth;

	if (s->armed)
		arm(tx, i, 0);
	memset(s, 0, sizeof(*s));
	if (err)
		tx->stats.failed++;
	else
		tx->stats.completed++;
	/* the last action: the owner may send the next message from here */
	if (tx->ops.done)
		tx->ops.done(tx->user, dst, seq_auth, err);
}

/*
 * Send the next segment of the round of slot @i and arm the timer: one
 * segment interval to the next one, or, after the round's last segment,
 * the retransmissions timer. A multicast message whose last round went out
 * is done.
 */
static void round_step(struct mp_sar_tx *tx, unsigned i)
{
	struct slot *s = &tx->slots[i];
	unsigned o = next_unacked(s, s->next);

	if (o > s->seg_n) {
		/* all the round's segments were acknowledged meanwhile */
		s->state = SLOT_WAITING;
		arm(tx, i, mp_sar_unicast_retrans_ms(&tx->p, s->msg.ttl));
		return;
	}
	send_seg(tx, s, o);
	s->next = next_unacked(s, o + 1);
	if (s->next <= s->seg_n) {
		arm(tx, i, mp_sar_seg_interval_ms(&tx->p));
		return;
	}
	s->state = SLOT_WAITING;
	if (unicast(s)) {
		arm(tx, i, mp_sar_unicast_retrans_ms(&tx->p, s->msg.ttl));
	} else if (s->retrans_left) {
		arm(tx, i, mp_sar_multicast_retrans_ms(&tx->p));
	} else {
		/* a group or virtual destination acknowledges nothing: the
		 * message is done once every round went out (3.5.3.3) */
		slot_end(tx, i, 0);
	}
}

static void round_start(struct mp_sar_tx *tx, unsigned i)
{
	struct slot *s = &tx->slots[i];

	s->state = SLOT_SENDING;
	s->next = 0;
	round_step(tx, i);
}

static int find(const struct mp_sar_tx *tx, uint16_t dst)
{
	unsigned i;

	for (i = 0; i < tx->nslots; i++)
		if (tx->slots[i].state != SLOT_FREE && tx->slots[i].msg.dst == dst)
			return (int)i;
	return -1;
}

int mp_sar_tx_send(struct mp_sar_tx *tx, const struct mp_sar_msg *msg)
{
	struct slot *s;
	unsigned n, i;

	if (!tx || !msg || !msg->upper || msg->dst == MP_ADDR_UNASSIGNED ||
	    msg->ttl > MP_NET_TTL_MAX || msg->seq_auth > MP_NET_SEQ_MAX)
		return -EINVAL;
	if (msg->ctl ? (msg->opcode > 0x7f || msg->akf || msg->aid || msg->szmic)
		     : (msg->aid > 0x3f || (!msg->akf && msg->aid) || msg->opcode))
		return -EINVAL;
	n = mp_lower_seg_count(msg->ctl, msg->len);
	if (n == 0)
		return -EMSGSIZE;
	if (find(tx, msg->dst) >= 0)
		return -EBUSY;
	for (i = 0; i < tx->nslots && tx->slots[i].state != SLOT_FREE; i++)
		;
	if (i == tx->nslots)
		return -ENOBUFS;
	s = &tx->slots[i];
	memset(s, 0, sizeof(*s));
	s->msg = *msg;
	memcpy(s->buf, msg->upper, msg->len);
	s->msg.upper = s->buf;
	s->seg_n = (uint8_t)(n - 1);
	if (unicast(s)) {
		s->retrans_left = tx->p.unicast_retrans_count;
		s->noprog_left = tx->p.unicast_retrans_wo_progress_count;
	} else {
		s->retrans_left = tx->p.multicast_retrans_count;
	}
	round_start(tx, i);
	return 0;
}

int mp_sar_tx_ack(struct mp_sar_tx *tx, uint16_t src, const struct mp_seg_ack *ack)
{
	struct slot *s;
	uint32_t block, fresh;
	int idx = -1;
	unsigned i;

	if (!tx || !ack)
		return -EINVAL;
	for (i = 0; i < tx->nslots; i++) {
		s = &tx->slots[i];
		if (s->state == SLOT_FREE || !unicast(s) ||
		    (s->msg.seq_auth & MP_LOWER_SEQ_ZERO_MASK) != ack->seq_zero)
			continue;
		if (!ack->obo) {
			if (s->msg.dst == src) {
				idx = (int)i;
				break;
			}
		} else if (idx >= 0) {
			/* two messages with this SeqZero: a Friend's ack
			 * cannot say which */
			idx = -2;
			break;
		} else {
			idx = (int)i;
		}
	}
	if (idx < 0) {
		tx->stats.acks_ignored++;
		return -ENOENT;
	}
	s = &tx->slots[idx];
	tx->stats.acks++;
	if (ack->block_ack == 0) {
		/* the receiver cannot take the message (3.5.3.3) */
		slot_end(tx, (unsigned)idx, -ECONNREFUSED);
		return 0;
	}
	block = ack->block_ack & all_mask(s->seg_n);
	fresh = block & ~s->acked;
	s->acked |= block;
	if (s->acked == all_mask(s->seg_n)) {
		slot_end(tx, (unsigned)idx, 0);
		return 0;
	}
	if (!fresh)
		return 0;
	/* progress: the count without progress starts again */
	s->noprog_left = tx->p.unicast_retrans_wo_progress_count;
	if (s->state == SLOT_WAITING) {
		/* the ack says what is missing: send it now rather than wait
		 * out the retransmissions timer. Such a round answers
		 * progress, which happens at most SegN + 1 times, so it is
		 * not taken from the retransmissions count (that bounds the
		 * rounds the timer starts) */
		round_start(tx, (unsigned)idx);
	}
	return 0;
}

int mp_sar_tx_cancel(struct mp_sar_tx *tx, uint16_t dst)
{
	int i;

	if (!tx)
		return -EINVAL;
	i = find(tx, dst);
	if (i < 0)
		return -ENOENT;
	slot_end(tx, (unsigned)i, -ECANCELED);
	return 0;
}

void mp_sar_tx_timeout(struct mp_sar_tx *tx, unsigned id)
{
	struct slot *s;

	if (!tx || id >= tx->nslots)
		return;
	s = &tx->slots[id];
	if (!s->armed || s->state == SLOT_FREE)
		return;
	s->armed = false;
	if (s->state == SLOT_SENDING) {
		round_step(tx, id);
		return;
	}
	/* the retransmissions timer */
	if (unicast(s)) {
		if (s->retrans_left == 0 || s->noprog_left == 0) {
			slot_end(tx, id, -ETIMEDOUT);
			return;
		}
		s->noprog_left--;
	}
	s->retrans_left--;
	round_start(tx, id);
}

bool mp_sar_tx_busy(const struct mp_sar_tx *tx, uint16_t dst)
{
	return tx && find(tx, dst) >= 0;
}

const struct mp_sar_tx_stats *mp_sar_tx_stats(const struct mp_sar_tx *tx)
{
	return &tx->stats;
}
