/* Fuzz target: the Generic Provisioning decoder, encoder and reassembler
 * (bearer/gprov.h).
 *
 * Input: a sequence of chunks, each one length octet and that many octets
 * of Generic Provisioning PDU (a short last chunk is taken as it is). Every
 * chunk is decoded; what decodes must encode back to the same octets, and
 * Starts and Continuations go to one reassembler, whose completed PDU must
 * have the announced length and FCS. A broken invariant aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/gprov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const uint8_t *gp, size_t len, const struct mp_gprov_pdu *pdu)
{
	uint8_t out[MP_GPROV_PDU_MAX + 8];
	ssize_t n = mp_gprov_encode(pdu, out, sizeof(out));

	if (n < 0 || (size_t)n != len || memcmp(out, gp, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mp_gprov_rx rx;	/* large; reset on every input */
	struct mp_gprov_pdu pdu;
	size_t off = 0;

	mp_gprov_rx_reset(&rx);
	while (off < size) {
		size_t len = data[off++];
		int r;

		if (len > size - off)
			len = size - off;
		r = mp_gprov_decode(data + off, len, &pdu);
		if (r == 0) {
			if (pdu.len > len)
				abort();
			check_round_trip(data + off, len, &pdu);
			r = mp_gprov_rx_add(&rx, &pdu);
			if (r > 0) {
				if ((size_t)r != rx.total_len || r > MP_GPROV_PDU_MAX ||
				    mp_gprov_fcs(rx.buf, (size_t)r) != rx.fcs)
					abort();
				mp_gprov_rx_reset(&rx);
			} else if (r == -EINVAL && (pdu.type == MP_GPROV_START ||
						    pdu.type == MP_GPROV_CONT)) {
				abort();
			}
		}
		off += len;
	}
	return 0;
}
