/* Fuzz target: the Lower Transport PDU codec (transport/lower.h).
 *
 * Input: one octet whose low bit is CTL, then a Lower Transport PDU.
 *
 * Invariants (abort on failure):
 *  - the decoder returns 0 or one of the errors lower.h lists, and on an
 *    error its output is all zero;
 *  - a decoded PDU is within its format's limits, points into the input,
 *    and encodes back to exactly the input;
 *  - a Segment Acknowledgment's parameters decode only at 6 octets and
 *    encode back to themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "transport/lower.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_lower_pdu d;
	struct mp_seg_ack a;
	uint8_t out[32];
	const uint8_t *pdu;
	size_t len, max;
	ssize_t n;
	int ret;

	if (size < 1)
		return 0;
	pdu = data + 1;
	len = size - 1;
	ret = mp_lower_decode(data[0] & 1, pdu, len, &d);
	if (ret) {
		if ((ret != -ENODATA && ret != -EMSGSIZE && ret != -EPROTO) ||
		    !all_zero(&d, sizeof(d)))
			abort();
	} else {
		max = d.seg ? (d.ctl ? 8 : 12) : (d.ctl ? 11 : 15);
		if (d.payload_len > max || d.payload != pdu + (d.seg ? 4 : 1) ||
		    d.payload + d.payload_len != pdu + len || d.seg_o > d.seg_n ||
		    (d.ctl && d.szmic))
			abort();
		n = mp_lower_encode(&d, out, sizeof(out));
		if (n < 0 || (size_t)n != len || memcmp(out, pdu, len) != 0)
			abort();
	}
	ret = mp_seg_ack_decode(pdu, len, &a);
	if (ret == 0) {
		if (len != MP_SEG_ACK_LEN || mp_seg_ack_encode(&a, out, sizeof(out)) != MP_SEG_ACK_LEN ||
		    memcmp(out, pdu, len) != 0)
			abort();
	} else if ((ret != -ENODATA && ret != -EMSGSIZE && ret != -EPROTO) ||
		   !all_zero(&a, sizeof(a))) {
		abort();
	}
	return 0;
}
