/* Fuzz target: the network layer decoder (net/net.h).
 *
 * Input: one mode octet, then the bytes. Modes (the octet's low 2 bits):
 *  0  the bytes are a Network PDU, decoded over two subnets (the 8.3 NetKey
 *     in key refresh phase 1 beside another key, and the 8.4.6.2 NetKey),
 *     current IV index 0x12345678 (bit 2 of the mode octet: IV index 0);
 *  1  decoded under the 8.3 friendship credentials;
 *  2  decoded as a proxy configuration message over the same subnets;
 *  3  the bytes give header fields and a TransportPDU to encode
 *     (CTL|TTL, SEQ 3, SRC 2, DST 2, then the TransportPDU), which must
 *     decode back to themselves when the encoder takes them.
 *
 * Invariants (abort on failure):
 *  - a decoder returns 0 or one of the errors net.h lists, and on an error
 *    the output is all zero;
 *  - a decoded PDU has a 1..16 octet TransportPDU (1..12 with CTL 1), TTL
 *    <= 127, SEQ < 2^24, a unicast SRC, a DST as its kind requires, an IV
 *    index that is the current one or the one before, and re-encoding its
 *    fields under the key that decoded it gives back exactly the input;
 *  - the network message cache takes a decoded PDU once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mesh_keys.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The keys, derived once: deriving costs more than a decode. */
struct keys {
	struct mp_subnet subnets[2];
	struct mp_net_cred friendship;
};

static const uint8_t KEY_83[16] = {
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

static const struct keys *keys(void)
{
	static struct keys k;
	static bool done;

	if (!done) {
		if (mp_subnet_init(&k.subnets[0], 0x001, KEY_OTHER) ||
		    mp_subnet_kr_start(&k.subnets[0], KEY_83) ||
		    mp_subnet_init(&k.subnets[1], 0x002, KEY_8462) ||
		    mp_net_cred_friendship(KEY_83, 0x1201, 0x2345, 0x0000, 0x072f, &k.friendship))
			abort();
		done = true;
	}
	return &k;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static void check_ok(const struct mp_net_rx *rx, const struct mp_net_cred *cred, uint32_t iv,
		     enum mp_net_kind kind, const uint8_t *pdu, size_t len)
{
	const struct mp_net_hdr *h = &rx->hdr;
	uint8_t again[MP_NET_PDU_MAX];
	ssize_t n;

	if (rx->transport_len < 1 || rx->transport_len > (h->ctl ? 12u : 16u) ||
	    h->ttl > MP_NET_TTL_MAX || h->seq > MP_NET_SEQ_MAX || !mp_addr_is_unicast(h->src))
		abort();
	if (kind == MP_NET_NETWORK ? h->dst == 0 : (h->dst != 0 || !h->ctl || h->ttl != 0))
		abort();
	if (rx->iv_index != iv && rx->iv_index != iv - 1)
		abort();
	n = mp_net_encode(cred, rx->iv_index, kind, h, rx->transport, rx->transport_len, again,
			  sizeof(again));
	if (n < 0 || (size_t)n != len || memcmp(again, pdu, len) != 0)
		abort();
}

static void check_err(int ret, const struct mp_net_rx *rx)
{
	if (ret != -EMSGSIZE && ret != -ENODATA && ret != -ERANGE && ret != -ENOKEY &&
	    ret != -EBADMSG && ret != -EADDRNOTAVAIL && ret != -EPROTO)
		abort();
	if (!all_zero(rx, sizeof(*rx)))
		abort();
}

static void decode(const struct keys *k, uint8_t mode, const uint8_t *pdu, size_t len)
{
	enum mp_net_kind kind = (mode & 3) == 2 ? MP_NET_PROXY_CONFIG : MP_NET_NETWORK;
	uint32_t iv = mode & 4 ? 0 : 0x12345678;
	struct mp_net_cache_entry store[4];
	struct mp_net_cache cache;
	const struct mp_net_cred *cred;
	struct mp_net_rx rx;
	int ret;

	if ((mode & 3) == 1) {
		ret = mp_net_decode_cred(&k->friendship, iv, kind, pdu, len, &rx);
		cred = &k->friendship;
	} else {
		ret = mp_net_decode(k->subnets, 2, iv, kind, pdu, len, &rx);
		if (rx.subnet >= 2 || (rx.new_key && k->subnets[rx.subnet].phase == MP_KR_NORMAL))
			abort();
		cred = &k->subnets[rx.subnet].key[rx.new_key].flood;
	}
	if (ret) {
		check_err(ret, &rx);
		return;
	}
	check_ok(&rx, cred, iv, kind, pdu, len);
	if (mp_net_cache_init(&cache, store, 4) ||
	    mp_net_cache_add(&cache, rx.iv_index, rx.hdr.src, rx.hdr.seq) ||
	    mp_net_cache_add(&cache, rx.iv_index, rx.hdr.src, rx.hdr.seq) != -EALREADY)
		abort();
}

/* Mode 3: fields from the input, encoded, decoded back. */
static void round_trip(const struct keys *k, const uint8_t *d, size_t len)
{
	const struct mp_net_keys *tx = mp_subnet_tx_keys(&k->subnets[1]);
	struct mp_net_hdr h;
	struct mp_net_rx rx;
	uint8_t pdu[MP_NET_PDU_MAX];
	uint32_t iv = 0x12345678;
	ssize_t n;
	int ret;

	if (len < 8)
		return;
	h.ctl = d[0] >> 7;
	h.ttl = d[0] & 0x7f;
	h.seq = (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	h.src = (uint16_t)(d[4] << 8 | d[5]);
	h.dst = (uint16_t)(d[6] << 8 | d[7]);
	n = mp_net_encode(&tx->flood, iv - (d[1] & 1), MP_NET_NETWORK, &h, d + 8, len - 8, pdu,
			  sizeof(pdu));
	if (n < 0) {
		if (n != -EINVAL && n != -EMSGSIZE)
			abort();
		if (n == -EMSGSIZE && len - 8 >= 1 && len - 8 <= (h.ctl ? 12u : 16u))
			abort();
		return;
	}
	ret = mp_net_decode(k->subnets, 2, iv, MP_NET_NETWORK, pdu, (size_t)n, &rx);
	if (ret || rx.subnet != 1 || rx.hdr.ctl != h.ctl || rx.hdr.ttl != h.ttl ||
	    rx.hdr.seq != h.seq || rx.hdr.src != h.src || rx.hdr.dst != h.dst ||
	    rx.iv_index != iv - (d[1] & 1) || rx.transport_len != len - 8 ||
	    memcmp(rx.transport, d + 8, len - 8) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct keys *k = keys();

	if (size < 1)
		return 0;
	if ((data[0] & 3) == 3)
		round_trip(k, data + 1, size - 1);
	else
		decode(k, data[0], data + 1, size - 1);
	return 0;
}
