/* Generic Provisioning PDUs: codec, segmentation, reassembly. MshPRT v1.1 5.3 */
#include "bearer/gprov.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

/* GPC octet: field in bits 7..2, GPCF in bits 1..0. MshPRT v1.1 5.3.1 */
#define GPC(field, gpcf) ((uint8_t)(((field) << 2) | (gpcf)))
#define GPC_FIELD(gpc) ((uint8_t)((gpc) >> 2))
#define GPC_FORMAT(gpc) ((gpc) & 0x03)

uint8_t mp_gprov_fcs(const uint8_t *data, size_t len)
{
	/* 3GPP TS 27.010 5.2.1.6: CRC-8 with generator x^8+x^2+x+1, bits taken
	 * least significant first (so the reflected polynomial 0xE0), register
	 * preset to all ones, and the ones' complement of the remainder sent. */
	uint8_t crc = 0xff;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		crc ^= data[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc & 1) ? (uint8_t)((crc >> 1) ^ 0xe0) : (uint8_t)(crc >> 1);
	}
	return (uint8_t)(0xff - crc);
}

unsigned mp_gprov_seg_n(size_t len)
{
	if (len <= MP_GPROV_START_DATA_MAX || len > MP_GPROV_PDU_MAX)
		return 0;
	return (unsigned)((len - MP_GPROV_START_DATA_MAX + MP_GPROV_CONT_DATA_MAX - 1) /
			  MP_GPROV_CONT_DATA_MAX);
}

/* Octets of segment @index of a Provisioning PDU of @total octets (index <= SegN). */
static size_t seg_size(size_t total, unsigned index, unsigned seg_n)
{
	if (index == 0)
		return total < MP_GPROV_START_DATA_MAX ? total : MP_GPROV_START_DATA_MAX;
	if (index < seg_n)
		return MP_GPROV_CONT_DATA_MAX;
	return total - MP_GPROV_START_DATA_MAX - (size_t)(seg_n - 1) * MP_GPROV_CONT_DATA_MAX;
}

static size_t seg_offset(unsigned index)
{
	return index == 0 ? 0 :
	       MP_GPROV_START_DATA_MAX + (size_t)(index - 1) * MP_GPROV_CONT_DATA_MAX;
}

static int decode_start(struct mp_reader *r, uint8_t field, struct mp_gprov_pdu *out)
{
	out->seg = field;
	mp_get_be16(r, &out->total_len);
	mp_get_u8(r, &out->fcs);
	out->len = mp_reader_left(r);
	mp_get_ref(r, &out->data, out->len);
	if (r->err || out->total_len == 0 || out->total_len > MP_GPROV_PDU_MAX)
		return -EPROTO;
	/* MshPRT v1.1 5.3.1.1/5.3.2: SegN is the last segment number, and
	 * segments other than the last fill the MTU, so TotalLength fixes both
	 * SegN and the size of the first segment. */
	if (out->seg != mp_gprov_seg_n(out->total_len) ||
	    out->len != seg_size(out->total_len, 0, out->seg))
		return -EPROTO;
	return 0;
}

static int decode_ctl(struct mp_reader *r, uint8_t field, struct mp_gprov_pdu *out)
{
	/* MshPRT v1.1 5.3.1.4: parameters are exact per BearerOpcode. */
	out->opcode = field;
	switch (field) {
	case MP_GPROV_LINK_OPEN:
		out->len = MP_GPROV_UUID_LEN;
		mp_get_ref(r, &out->data, out->len);
		break;
	case MP_GPROV_LINK_ACK:
		break;
	case MP_GPROV_LINK_CLOSE:
		mp_get_u8(r, &out->reason);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return mp_reader_done(r) ? 0 : -EPROTO;
}

int mp_gprov_decode(const uint8_t *gp, size_t len, struct mp_gprov_pdu *out)
{
	struct mp_reader r;
	uint8_t gpc, field;

	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, gp, len);
	if (!mp_get_u8(&r, &gpc))
		return -EPROTO;
	field = GPC_FIELD(gpc);
	out->type = (enum mp_gprov_type)GPC_FORMAT(gpc);
	switch (out->type) {
	case MP_GPROV_START:
		return decode_start(&r, field, out);
	case MP_GPROV_ACK:
		/* MshPRT v1.1 5.3.1.2: Padding is 0b000000, no payload. */
		return field == 0 && mp_reader_done(&r) ? 0 : -EPROTO;
	case MP_GPROV_CONT:
		out->seg = field;
		out->len = mp_reader_left(&r);
		mp_get_ref(&r, &out->data, out->len);
		if (field == 0 || out->len == 0 || out->len > MP_GPROV_CONT_DATA_MAX)
			return -EPROTO;
		return 0;
	case MP_GPROV_CTL:
		return decode_ctl(&r, field, out);
	}
	return -EPROTO;
}

ssize_t mp_gprov_encode(const struct mp_gprov_pdu *pdu, uint8_t *out, size_t cap)
{
	struct mp_writer w;

	mp_writer_init(&w, out, cap);
	switch (pdu->type) {
	case MP_GPROV_START:
		if (pdu->seg > MP_GPROV_SEG_MAX || pdu->len > MP_GPROV_START_DATA_MAX ||
		    (pdu->len && !pdu->data))
			return -EINVAL;
		mp_put_u8(&w, GPC(pdu->seg, MP_GPROV_START));
		mp_put_be16(&w, pdu->total_len);
		mp_put_u8(&w, pdu->fcs);
		mp_put_bytes(&w, pdu->data, pdu->len);
		break;
	case MP_GPROV_ACK:
		mp_put_u8(&w, GPC(0, MP_GPROV_ACK));
		break;
	case MP_GPROV_CONT:
		if (pdu->seg > MP_GPROV_SEG_MAX || pdu->len > MP_GPROV_CONT_DATA_MAX ||
		    (pdu->len && !pdu->data))
			return -EINVAL;
		mp_put_u8(&w, GPC(pdu->seg, MP_GPROV_CONT));
		mp_put_bytes(&w, pdu->data, pdu->len);
		break;
	case MP_GPROV_CTL:
		if (pdu->opcode > MP_GPROV_SEG_MAX)
			return -EINVAL;
		mp_put_u8(&w, GPC(pdu->opcode, MP_GPROV_CTL));
		if (pdu->opcode == MP_GPROV_LINK_OPEN) {
			if (pdu->len != MP_GPROV_UUID_LEN || !pdu->data)
				return -EINVAL;
			mp_put_bytes(&w, pdu->data, MP_GPROV_UUID_LEN);
		} else if (pdu->opcode == MP_GPROV_LINK_CLOSE) {
			mp_put_u8(&w, pdu->reason);
		}
		break;
	default:
		return -EINVAL;
	}
	return mp_writer_ok(&w) ? (ssize_t)w.len : -ENOSPC;
}

ssize_t mp_gprov_segment(const uint8_t *pdu, size_t len, uint8_t fcs, unsigned index,
			 uint8_t *out, size_t cap)
{
	struct mp_gprov_pdu seg = { 0 };
	unsigned seg_n;

	if (len == 0 || len > MP_GPROV_PDU_MAX)
		return -EINVAL;
	seg_n = mp_gprov_seg_n(len);
	if (index > seg_n)
		return -EINVAL;
	seg.seg = (uint8_t)(index == 0 ? seg_n : index);
	seg.type = index == 0 ? MP_GPROV_START : MP_GPROV_CONT;
	seg.total_len = (uint16_t)len;
	seg.fcs = fcs;
	seg.data = pdu + seg_offset(index);
	seg.len = seg_size(len, index, seg_n);
	return mp_gprov_encode(&seg, out, cap);
}

void mp_gprov_rx_reset(struct mp_gprov_rx *rx)
{
	rx->have = 0;
	rx->started = false;
	rx->complete = false;
	rx->seg_n = 0;
	rx->total_len = 0;
	rx->fcs = 0;
}

static uint64_t seg_bit(unsigned index)
{
	return (uint64_t)1 << index;
}

/* Whether a stored or arriving segment @index of @len octets fits the Start. */
static bool seg_fits(const struct mp_gprov_rx *rx, unsigned index, size_t len)
{
	return index <= rx->seg_n && len == seg_size(rx->total_len, index, rx->seg_n);
}

static int rx_start(struct mp_gprov_rx *rx, const struct mp_gprov_pdu *seg)
{
	unsigned i;

	if (rx->started) {
		if (seg->seg != rx->seg_n || seg->total_len != rx->total_len ||
		    seg->fcs != rx->fcs)
			return -EPROTO;
		return -EALREADY;
	}
	/* Re-check what mp_gprov_decode() checked: callers may build @seg. */
	if (seg->total_len == 0 || seg->total_len > MP_GPROV_PDU_MAX ||
	    seg->seg != mp_gprov_seg_n(seg->total_len) ||
	    seg->len != seg_size(seg->total_len, 0, seg->seg))
		return -EPROTO;
	rx->started = true;
	rx->seg_n = seg->seg;
	rx->total_len = seg->total_len;
	rx->fcs = seg->fcs;
	memcpy(rx->buf, seg->data, seg->len);
	rx->have |= seg_bit(0);
	/* Continuations that came first are kept only if they fit. */
	for (i = 1; i <= MP_GPROV_SEG_MAX; i++)
		if ((rx->have & seg_bit(i)) && !seg_fits(rx, i, rx->seg_len[i]))
			rx->have &= ~seg_bit(i);
	return 0;
}

static int rx_cont(struct mp_gprov_rx *rx, const struct mp_gprov_pdu *seg)
{
	unsigned index = seg->seg;

	if (index == 0 || index > MP_GPROV_SEG_MAX || seg->len == 0 ||
	    seg->len > MP_GPROV_CONT_DATA_MAX)
		return -EPROTO;
	if (rx->started && !seg_fits(rx, index, seg->len))
		return -EPROTO;
	if (rx->have & seg_bit(index))
		return -EALREADY;
	memcpy(rx->buf + seg_offset(index), seg->data, seg->len);
	rx->seg_len[index] = (uint8_t)seg->len;
	rx->have |= seg_bit(index);
	return 0;
}

int mp_gprov_rx_add(struct mp_gprov_rx *rx, const struct mp_gprov_pdu *seg)
{
	uint64_t all;
	int err;

	if (seg->type != MP_GPROV_START && seg->type != MP_GPROV_CONT)
		return -EINVAL;
	if (rx->complete)
		return -EALREADY;
	err = seg->type == MP_GPROV_START ? rx_start(rx, seg) : rx_cont(rx, seg);
	if (err || !rx->started)
		return err;
	all = rx->seg_n == MP_GPROV_SEG_MAX ? UINT64_MAX : seg_bit(rx->seg_n + 1u) - 1;
	if (rx->have != all)
		return 0;
	/* MshPRT v1.1 5.3.2: a transaction whose FCS does not match is
	 * discarded and not acknowledged; the sender will retransmit it. */
	if (mp_gprov_fcs(rx->buf, rx->total_len) != rx->fcs) {
		mp_gprov_rx_reset(rx);
		return -EBADMSG;
	}
	rx->complete = true;
	return rx->total_len;
}
