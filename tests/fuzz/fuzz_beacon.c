/* Fuzz target: the beacon decoders (net/beacon.h).
 *
 * Input: one mode octet, then the bytes. Modes (the octet's low bit):
 *  0  the bytes are a beacon, fed to both the Secure Network beacon and the
 *     Mesh Private beacon receivers, over two subnets (the 8.4.3 NetKey in
 *     key refresh phase 1 beside another key, and the 8.4.6.2 NetKey);
 *  1  the bytes give flags (1), an IV index (4) and a Random (13) to encode
 *     both kinds of beacon with, which must be received back as such.
 *
 * Invariants (abort on failure):
 *  - a receiver returns 0 or one of the errors beacon.h lists, and on an
 *    error its output is all zero;
 *  - a received beacon re-encodes, under the key that authenticated it, to
 *    exactly its input (with its own Random for a private beacon).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/beacon.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t KEY_843[16] = {
	0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
	0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6,
};
static const uint8_t KEY_OTHER[16] = {
	0xf7, 0xa2, 0xa4, 0x4f, 0x8e, 0x8a, 0x80, 0x29,
	0x06, 0x4f, 0x17, 0x3d, 0xdc, 0x1e, 0x2b, 0x00,
};
static const uint8_t KEY_8462[16] = {
	0x3b, 0xbb, 0x6f, 0x1f, 0xbd, 0x53, 0xe1, 0x57,
	0x41, 0x7f, 0x30, 0x8c, 0xe7, 0xae, 0xc5, 0x8f,
};

/* Derived once: deriving costs more than a beacon. */
static const struct mp_subnet *subnets(void)
{
	static struct mp_subnet s[2];
	static bool done;

	if (!done) {
		if (mp_subnet_init(&s[0], 1, KEY_OTHER) || mp_subnet_kr_start(&s[0], KEY_843) ||
		    mp_subnet_init(&s[1], 2, KEY_8462))
			abort();
		done = true;
	}
	return s;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static bool known_err(int ret)
{
	return ret == -EBADMSG || ret == -EPROTOTYPE || ret == -ENODATA || ret == -EMSGSIZE ||
	       ret == -ENOKEY;
}

static void receive(const struct mp_subnet *s, const uint8_t *b, size_t len)
{
	struct mp_snb_rx rx;
	struct mp_private_beacon_rx prx;
	uint8_t again[MP_PRIVATE_BEACON_LEN];
	ssize_t n;
	int ret;

	ret = mp_snb_rx(s, 2, b, len, &rx);
	if (ret) {
		if (!known_err(ret) || !all_zero(&rx, sizeof(rx)))
			abort();
	} else {
		if (rx.subnet >= 2 || (rx.new_key && s[rx.subnet].phase == MP_KR_NORMAL))
			abort();
		n = mp_snb_encode(&s[rx.subnet].key[rx.new_key], rx.snb.flags, rx.snb.iv_index,
				  again, sizeof(again));
		if (n != MP_SNB_LEN || len != MP_SNB_LEN || memcmp(again, b, len) != 0)
			abort();
	}

	ret = mp_private_beacon_rx(s, 2, b, len, &prx);
	if (ret) {
		if (!known_err(ret) || ret == -ENOKEY || !all_zero(&prx, sizeof(prx)))
			abort();
	} else {
		if (prx.subnet >= 2 || (prx.new_key && s[prx.subnet].phase == MP_KR_NORMAL))
			abort();
		n = mp_private_beacon_encode(s[prx.subnet].key[prx.new_key].private_beacon_key,
					     b + 1, prx.flags, prx.iv_index, again, sizeof(again));
		if (n != MP_PRIVATE_BEACON_LEN || len != MP_PRIVATE_BEACON_LEN ||
		    memcmp(again, b, len) != 0)
			abort();
	}
}

static void round_trip(const struct mp_subnet *s, const uint8_t *d, size_t len)
{
	struct mp_snb_rx rx;
	struct mp_private_beacon_rx prx;
	uint8_t b[MP_PRIVATE_BEACON_LEN];
	uint32_t iv;

	if (len < 5 + MP_PRIVATE_RANDOM_LEN)
		return;
	iv = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
	if (mp_snb_encode(mp_subnet_tx_keys(&s[1]), d[0], iv, b, sizeof(b)) != MP_SNB_LEN ||
	    mp_snb_rx(s, 2, b, MP_SNB_LEN, &rx) || rx.subnet != 1 || rx.snb.flags != d[0] ||
	    rx.snb.iv_index != iv)
		abort();
	if (mp_private_beacon_encode(s[0].key[1].private_beacon_key, d + 5, d[0], iv, b,
				     sizeof(b)) != MP_PRIVATE_BEACON_LEN ||
	    mp_private_beacon_rx(s, 2, b, sizeof(b), &prx) || prx.subnet != 0 || !prx.new_key ||
	    prx.flags != d[0] || prx.iv_index != iv)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mp_subnet *s = subnets();

	if (size < 1)
		return 0;
	if (data[0] & 1)
		round_trip(s, data + 1, size - 1);
	else
		receive(s, data + 1, size - 1);
	return 0;
}
