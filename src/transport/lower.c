/* Lower Transport PDUs and the Segment Acknowledgment. See
 * include/transport/lower.h.
 */
#include "transport/lower.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

/* The payload limits of each of the four formats. MshPRT v1.1 3.5.2.1,
 * 3.5.2.2, 3.5.2.3, 3.5.2.4 */
static void payload_limits(bool ctl, bool seg, size_t *min, size_t *max)
{
	if (seg) {
		*min = 1;
		*max = ctl ? MP_LOWER_SEG_CTL_MAX : MP_LOWER_SEG_ACCESS_MAX;
	} else if (ctl) {
		*min = 0;
		*max = MP_LOWER_UNSEG_CTL_MAX;
	} else {
		*min = MP_LOWER_UNSEG_ACCESS_MIN;
		*max = MP_LOWER_UNSEG_ACCESS_MAX;
	}
}

int mp_lower_decode(bool ctl, const uint8_t *pdu, size_t len, struct mp_lower_pdu *out)
{
	struct mp_reader r;
	uint8_t first;
	size_t min, max;

	if (!pdu || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, pdu, len);
	if (!mp_get_u8(&r, &first))
		return -ENODATA;
	out->ctl = ctl;
	out->seg = first >> 7;
	if (ctl) {
		out->opcode = first & 0x7f;
	} else {
		out->akf = (first >> 6) & 1;
		out->aid = first & 0x3f;
		/* MshPRT v1.1 3.5.2.1: with the device key (AKF 0) AID is 0. */
		if (!out->akf && out->aid) {
			memset(out, 0, sizeof(*out));
			return -EPROTO;
		}
	}
	if (out->seg) {
		uint8_t b[3];
		uint32_t h;

		if (!mp_get_bytes(&r, b, sizeof(b))) {
			memset(out, 0, sizeof(*out));
			return -ENODATA;
		}
		h = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
		if (ctl && (h >> 23)) {
			memset(out, 0, sizeof(*out));
			return -EPROTO;
		}
		out->szmic = !ctl && (h >> 23);
		out->seq_zero = (uint16_t)((h >> 10) & MP_LOWER_SEQ_ZERO_MASK);
		out->seg_o = (uint8_t)((h >> 5) & 0x1f);
		out->seg_n = (uint8_t)(h & 0x1f);
		if (out->seg_o > out->seg_n) {
			memset(out, 0, sizeof(*out));
			return -EPROTO;
		}
	}
	payload_limits(ctl, out->seg, &min, &max);
	out->payload_len = mp_reader_left(&r);
	out->payload = mp_reader_ptr(&r);
	if (out->payload_len < min || out->payload_len > max) {
		int ret = out->payload_len < min ? -ENODATA : -EMSGSIZE;

		memset(out, 0, sizeof(*out));
		return ret;
	}
	return 0;
}

ssize_t mp_lower_encode(const struct mp_lower_pdu *p, uint8_t *out, size_t cap)
{
	struct mp_writer w;
	size_t min, max;
	uint8_t first;

	if (!p || !out || (!p->payload && p->payload_len))
		return -EINVAL;
	if (p->ctl ? (p->opcode > 0x7f || p->szmic || p->akf || p->aid)
		   : (p->aid > 0x3f || (!p->akf && p->aid) || p->opcode))
		return -EINVAL;
	if (p->seg && (p->seq_zero > MP_LOWER_SEQ_ZERO_MASK || p->seg_n > 0x1f ||
		       p->seg_o > p->seg_n))
		return -EINVAL;
	if (!p->seg && (p->szmic || p->seq_zero || p->seg_o || p->seg_n))
		return -EINVAL;
	payload_limits(p->ctl, p->seg, &min, &max);
	if (p->payload_len < min || p->payload_len > max)
		return -EMSGSIZE;
	if (p->ctl)
		first = (uint8_t)((p->seg ? 0x80 : 0) | p->opcode);
	else
		first = (uint8_t)((p->seg ? 0x80 : 0) | (p->akf ? 0x40 : 0) | p->aid);
	mp_writer_init(&w, out, cap);
	mp_put_u8(&w, first);
	if (p->seg) {
		uint32_t h = (uint32_t)(p->szmic ? 1 : 0) << 23 | (uint32_t)p->seq_zero << 10 |
			     (uint32_t)p->seg_o << 5 | p->seg_n;

		mp_put_u8(&w, (uint8_t)(h >> 16));
		mp_put_be16(&w, (uint16_t)h);
	}
	if (p->payload_len)
		mp_put_bytes(&w, p->payload, p->payload_len);
	return mp_writer_ok(&w) ? (ssize_t)w.len : -ENOSPC;
}

unsigned mp_lower_seg_count(bool ctl, size_t len)
{
	size_t per = ctl ? MP_LOWER_SEG_CTL_MAX : MP_LOWER_SEG_ACCESS_MAX;
	size_t n = (len + per - 1) / per;

	return len == 0 || n > MP_LOWER_SEGS_MAX ? 0 : (unsigned)n;
}

int mp_lower_segment(struct mp_lower_pdu *p, const uint8_t *upper, size_t len, unsigned seg_o)
{
	size_t per, off;
	unsigned n;

	if (!p || !upper)
		return -EINVAL;
	n = mp_lower_seg_count(p->ctl, len);
	if (n == 0 || seg_o >= n)
		return -EINVAL;
	per = p->ctl ? MP_LOWER_SEG_CTL_MAX : MP_LOWER_SEG_ACCESS_MAX;
	off = seg_o * per;
	p->seg = true;
	p->seg_o = (uint8_t)seg_o;
	p->seg_n = (uint8_t)(n - 1);
	p->payload = upper + off;
	p->payload_len = len - off < per ? len - off : per;
	return 0;
}

int mp_lower_seq_origin(uint32_t seq, uint16_t seq_zero, uint32_t *origin)
{
	uint32_t back;

	if (!origin || seq_zero > MP_LOWER_SEQ_ZERO_MASK)
		return -EINVAL;
	back = (seq - seq_zero) & MP_LOWER_SEQ_ZERO_MASK;
	if (back > seq)
		return -ERANGE;
	*origin = seq - back;
	return 0;
}

int mp_seg_ack_decode(const uint8_t *params, size_t len, struct mp_seg_ack *out)
{
	struct mp_reader r;
	uint16_t h;

	if (!params || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < MP_SEG_ACK_LEN)
		return -ENODATA;
	if (len > MP_SEG_ACK_LEN)
		return -EMSGSIZE;
	mp_reader_init(&r, params, len);
	mp_get_be16(&r, &h);
	mp_get_be32(&r, &out->block_ack);
	if (h & 0x3) {
		memset(out, 0, sizeof(*out));
		return -EPROTO;
	}
	out->obo = h >> 15;
	out->seq_zero = (h >> 2) & MP_LOWER_SEQ_ZERO_MASK;
	return 0;
}

ssize_t mp_seg_ack_encode(const struct mp_seg_ack *a, uint8_t *out, size_t cap)
{
	if (!a || !out || a->seq_zero > MP_LOWER_SEQ_ZERO_MASK)
		return -EINVAL;
	if (cap < MP_SEG_ACK_LEN)
		return -ENOSPC;
	mp_store_be16(out, (uint16_t)((a->obo ? 0x8000 : 0) | a->seq_zero << 2));
	mp_store_be32(out + 2, a->block_ack);
	return MP_SEG_ACK_LEN;
}
