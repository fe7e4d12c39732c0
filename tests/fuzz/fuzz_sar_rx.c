/* Fuzz target: the SAR receiver (transport/sar.h), fed sequences of
 * segments and timer expiries.
 *
 * Input: one octet of SAR Receiver parameters (low 2 bits the
 * acknowledgment retransmissions count, the next 5 the segments
 * threshold), then operations until the input ends:
 *  - 0x80 | id: timer id (0..7) expires, if armed;
 *  - else op, src, dst, SEQ (3 octets, big endian), length L, L octets of
 *    Lower Transport PDU: op bit 0 is CTL, bit 1 picks IV index 1 over 0;
 *    src 1..4 from its low 2 bits; dst from its low 2 bits: unicast
 *    0x0100, group 0xc000, virtual 0x8001, unicast 0x0200. PDUs that do
 *    not decode as segments are skipped.
 *
 * Invariants (abort on failure):
 *  - every return is 0 or an error sar.h lists;
 *  - a delivered message is 1..384 octets, of a source we fed, and each
 *    source's delivered SeqAuths strictly increase (no message twice,
 *    none older than one delivered: 4 sources, 4 slots, so no slot is
 *    ever taken from a source);
 *  - an acknowledgment is 7 octets, an unsegmented Segment
 *    Acknowledgment with OBO 0, from a unicast destination to a source
 *    we fed (to the one being fed, when a segment causes it);
 *  - timers are asked for by id 0..7 only;
 *  - every segment fed is counted exactly once in the receiver's counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "transport/lower.h"
#include "transport/sar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SLOTS 4

struct fz {
	bool armed[2 * SLOTS];
	uint64_t last[SLOTS + 1];	/* per source: last SeqAuth delivered + 1 */
	uint16_t cur_src;
	bool in_rx;		/* inside mp_sar_rx_segment() */
};

static void f_ack(void *user, uint16_t src, uint16_t dst, const uint8_t *pdu, size_t len)
{
	struct fz *f = user;
	struct mp_lower_pdu d;
	struct mp_seg_ack a;

	if (len != 7 || mp_lower_decode(true, pdu, len, &d) || d.seg || d.opcode != MP_CTL_SEG_ACK ||
	    mp_seg_ack_decode(d.payload, d.payload_len, &a) || a.obo)
		abort();
	/* to a source we fed (the current one, unless a timer sends it) */
	if (dst == 0 || dst > SLOTS || (f->in_rx && dst != f->cur_src) ||
	    (src != 0x0100 && src != 0x0200))
		abort();
}

static void f_timer(void *user, unsigned id, uint32_t ms)
{
	struct fz *f = user;

	if (id >= 2 * SLOTS)
		abort();
	f->armed[id] = ms != 0;
}

static void f_deliver(void *user, const struct mp_sar_rx_msg *m)
{
	struct fz *f = user;
	uint64_t sa = (uint64_t)m->iv_index << 24 | m->seq_auth;

	if (m->len == 0 || m->len > MP_SAR_UPPER_MAX || m->src == 0 || m->src > SLOTS)
		abort();
	if (sa + 1 <= f->last[m->src])
		abort();
	f->last[m->src] = sa + 1;
	/* touch every octet for the sanitizers */
	{
		volatile uint8_t x = 0;
		size_t i;

		for (i = 0; i < m->len; i++)
			x ^= m->upper[i];
		(void)x;
	}
}

static const struct mp_sar_rx_ops ops = { .ack = f_ack, .timer = f_timer, .deliver = f_deliver };

static bool known(int r)
{
	return r == 0 || r == -EALREADY || r == -ESTALE || r == -EPROTO || r == -ENOBUFS ||
	       r == -ERANGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t dsts[4] = { 0x0100, 0xc000, 0x8001, 0x0200 };
	struct mp_sar_rx_params p;
	struct mp_sar_rx_config c = { .ops = &ops, .params = &p, .slots = SLOTS };
	struct mp_sar_rx *rx;
	const struct mp_sar_rx_stats *st;
	unsigned long fed = 0, counted;
	struct fz f;
	size_t i = 1;

	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	c.user = &f;
	mp_sar_rx_params_default(&p);
	p.ack_retrans_count = data[0] & 3;
	p.segments_threshold = (data[0] >> 2) & 0x1f;
	rx = mp_sar_rx_new(&c);
	if (!rx)
		abort();
	st = mp_sar_rx_stats(rx);
	while (i < size) {
		uint8_t op = data[i++];

		if (op & 0x80) {
			unsigned id = op & 7;

			if (f.armed[id]) {
				f.armed[id] = false;
				mp_sar_rx_timeout(rx, id);
			}
			continue;
		}
		if (size - i < 6)
			break;
		{
			uint16_t src = (uint16_t)(1 + (data[i] & 3));
			uint16_t dst = dsts[data[i + 1] & 3];
			uint32_t seq = (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 8 |
				       data[i + 4];
			size_t len = data[i + 5] & 0x1f;
			struct mp_lower_pdu d;
			struct mp_sar_seg_in in = { .src = src, .dst = dst, .seq = seq,
						    .iv_index = (op & 2) ? 1 : 0, .pdu = &d };
			int r;

			i += 6;
			if (size - i < len)
				break;
			if (mp_lower_decode(op & 1, data + i, len, &d) == 0 && d.seg) {
				f.cur_src = src;
				f.in_rx = true;
				r = mp_sar_rx_segment(rx, &in);
				f.in_rx = false;
				if (!known(r))
					abort();
				fed++;
			}
			i += len;
		}
	}
	counted = st->segments + st->duplicates + st->stale + st->contradicted + st->busy;
	if (counted != fed)
		abort();
	mp_sar_rx_free(rx);
	return 0;
}
