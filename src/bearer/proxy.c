/* Proxy PDU segmentation and reassembly. MshPRT v1.1 6.3.1, 6.3.2 */
#include "bearer/proxy.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

size_t mp_proxy_pdu_size(unsigned att_mtu)
{
	/* An ATT value is at most ATT_MTU - 3 octets (opcode and handle take
	 * the rest; Core v5.4 Vol 3 Part F 3.4.5.3, 3.4.7.1) and at most the
	 * longest attribute value. */
	if (att_mtu < MP_PROXY_ATT_MTU_MIN)
		return 0;
	if (att_mtu - 3 > MP_PROXY_ATT_VALUE_MAX)
		return MP_PROXY_ATT_VALUE_MAX;
	return att_mtu - 3;
}

size_t mp_proxy_seg_count(size_t len, unsigned att_mtu)
{
	size_t data_max = mp_proxy_pdu_size(att_mtu);

	if (!data_max || !len)
		return 0;
	data_max--;		/* the header octet */
	return (len + data_max - 1) / data_max;
}

int mp_proxy_seg_init(struct mp_proxy_seg *it, uint8_t type, const uint8_t *msg, size_t len,
		      unsigned att_mtu)
{
	size_t size = mp_proxy_pdu_size(att_mtu);

	memset(it, 0, sizeof(*it));
	if (type > MP_PROXY_TYPE_MASK || !size || !msg)
		return -EINVAL;
	if (!len)
		return -EMSGSIZE;
	it->msg = msg;
	it->len = len;
	it->data_max = size - 1;
	it->type = type;
	return 0;
}

ssize_t mp_proxy_seg_next(struct mp_proxy_seg *it, uint8_t *out, size_t cap)
{
	size_t left = it->len - it->off, n = left;
	uint8_t sar;
	struct mp_writer w;

	if (!it->msg || left == 0)
		return 0;
	/* MshPRT v1.1 6.3.2.1: a message that fits is sent Complete;
	 * otherwise every segment is filled but the last. */
	if (n > it->data_max)
		n = it->data_max;
	if (!it->started)
		sar = n == left ? MP_PROXY_SAR_COMPLETE : MP_PROXY_SAR_FIRST;
	else
		sar = n == left ? MP_PROXY_SAR_LAST : MP_PROXY_SAR_CONT;
	mp_writer_init(&w, out, cap);
	mp_put_u8(&w, MP_PROXY_HDR(sar, it->type));
	mp_put_bytes(&w, it->msg + it->off, n);
	if (!mp_writer_ok(&w))
		return -ENOSPC;
	it->started = true;
	it->off += n;
	return (ssize_t)w.len;
}

int mp_proxy_rx_init(struct mp_proxy_rx *rx, uint8_t *buf, size_t cap)
{
	memset(rx, 0, sizeof(*rx));
	if (!buf || !cap)
		return -EINVAL;
	rx->buf = buf;
	rx->cap = cap;
	return 0;
}

void mp_proxy_rx_reset(struct mp_proxy_rx *rx)
{
	rx->busy = false;
	rx->len = 0;
	rx->type = 0;
}

bool mp_proxy_rx_in_progress(const struct mp_proxy_rx *rx)
{
	return rx->busy;
}

/* Drop the message in progress and report @err. */
static int rx_fail(struct mp_proxy_rx *rx, int err)
{
	mp_proxy_rx_reset(rx);
	return err;
}

/* Append @n octets of Data, within the buffer. */
static int rx_append(struct mp_proxy_rx *rx, struct mp_reader *r, size_t n)
{
	if (n > rx->cap - rx->len)
		return rx_fail(rx, -EMSGSIZE);
	mp_get_bytes(r, rx->buf + rx->len, n);
	rx->len += n;
	return 0;
}

int mp_proxy_rx_feed(struct mp_proxy_rx *rx, const uint8_t *value, size_t len,
		     struct mp_proxy_msg *msg)
{
	struct mp_reader r;
	uint8_t hdr, sar, type;
	size_t n;

	mp_reader_init(&r, value, len);
	if (!mp_get_u8(&r, &hdr))
		return rx_fail(rx, -EBADMSG);
	sar = MP_PROXY_HDR_SAR(hdr);
	type = MP_PROXY_HDR_TYPE(hdr);
	n = mp_reader_left(&r);

	/* MshPRT v1.1 6.3.2.2: a Complete or First segment starts a message,
	 * so none may be in progress; a Continuation or Last one continues
	 * the message in progress, of the same Message Type. */
	switch (sar) {
	case MP_PROXY_SAR_COMPLETE:
	case MP_PROXY_SAR_FIRST:
		if (rx->busy)
			return rx_fail(rx, -EALREADY);
		if (n == 0)
			return rx_fail(rx, -EBADMSG);
		rx->len = 0;
		rx->type = type;
		if (rx_append(rx, &r, n))
			return -EMSGSIZE;
		if (sar == MP_PROXY_SAR_FIRST) {
			rx->busy = true;
			return 0;
		}
		break;
	case MP_PROXY_SAR_CONT:
	case MP_PROXY_SAR_LAST:
		if (!rx->busy)
			return rx_fail(rx, -ENOMSG);
		if (type != rx->type)
			return rx_fail(rx, -EPROTOTYPE);
		if (rx_append(rx, &r, n))
			return -EMSGSIZE;
		if (sar == MP_PROXY_SAR_CONT)
			return 0;
		break;
	}
	/* Complete: hand out the buffer and start afresh; the octets stay
	 * there until the next feed. */
	msg->type = rx->type;
	msg->data = rx->buf;
	msg->len = rx->len;
	mp_proxy_rx_reset(rx);
	return 1;
}
