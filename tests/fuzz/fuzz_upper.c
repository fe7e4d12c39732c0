/* Fuzz target: the Upper Transport Access PDU decrypter (transport/upper.h).
 *
 * Input: one octet of flags (bit 0 AKF, bit 1 ASZMIC, bit 2 a virtual DST
 * with the 8.3.22 Label UUID), then an Upper Transport PDU, decrypted under
 * the 8.3 device or application key with the 8.3.22 SEQ, SRC and IV index.
 *
 * Invariants (abort on failure):
 *  - the decrypter returns a length or -EMSGSIZE / -EBADMSG, and on an
 *    error its output is all zero;
 *  - what decrypts re-encrypts to exactly the input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "transport/upper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t APP_KEY[16] = {
	0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
	0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48,
};
static const uint8_t DEV_KEY[16] = {
	0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
	0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f,
};
static const uint8_t LABEL[16] = {
	0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
	0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_upper_ctx ctx = {
		.seq = 0x07080b, .src = 0x1234, .dst = 0x1201, .iv_index = 0x12345677,
	};
	uint8_t out[MP_UPPER_PDU_MAX], again[MP_UPPER_PDU_MAX];
	const uint8_t *key;
	size_t i;
	ssize_t n, m;

	if (size < 1)
		return 0;
	ctx.akf = data[0] & 1;
	ctx.aszmic = data[0] & 2;
	if (data[0] & 4) {
		ctx.dst = 0xb529;
		ctx.label_uuid = LABEL;
	}
	key = ctx.akf ? APP_KEY : DEV_KEY;
	memset(out, 0xaa, sizeof(out));
	n = mp_upper_decrypt(key, &ctx, data + 1, size - 1, out, sizeof(out));
	if (n < 0) {
		size_t mic = ctx.aszmic ? 8 : 4;

		if (n != -EMSGSIZE && n != -EBADMSG)
			abort();
		/* a failed authentication leaves nothing of the plaintext */
		for (i = 0; n == -EBADMSG && i < size - 1 - mic; i++)
			if (out[i])
				abort();
		return 0;
	}
	m = mp_upper_encrypt(key, &ctx, out, (size_t)n, again, sizeof(again));
	if (m != (ssize_t)(size - 1) || memcmp(again, data + 1, size - 1) != 0)
		abort();
	return 0;
}
