/* Fuzz target: the proxy configuration codec (net/proxy_cfg.h) and the Mesh
 * Proxy Service advertisement parser (net/proxy_adv.h).
 *
 * Input: one mode octet, then the bytes. Modes (the octet modulo 3):
 *  0  the bytes are a proxy configuration TransportPDU, decoded;
 *  1  the bytes are Service Data (UUID first), decoded and identified
 *     against a subnet (the 8.6 NetKey in key refresh phase 1 beside
 *     another key) and a few node addresses (0x1201 among them);
 *  2  the bytes are a proxy configuration Network PDU, opened under the
 *     8.9.1 NetKey and IV index 0x12345678.
 *
 * Invariants (abort on failure):
 *  - each returns 0 or one of the errors its header lists;
 *  - a decoded message or advertisement encodes back to exactly its input
 *    (the encodings are canonical), an opened Network PDU seals back to
 *    exactly its input;
 *  - an advertisement identifies as a known subnet (and address) or as
 *    nobody, never otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "net/proxy_adv.h"
#include "net/proxy_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t KEY_86[16] = {
	0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
	0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6,
};
static const uint8_t KEY_OTHER[16] = {
	0xf7, 0xa2, 0xa4, 0x4f, 0x8e, 0x8a, 0x80, 0x29,
	0x06, 0x4f, 0x17, 0x3d, 0xdc, 0x1e, 0x2b, 0x00,
};
static const uint8_t KEY_891[16] = {
	0xd1, 0xaa, 0xfb, 0x2a, 0x1a, 0x3c, 0x28, 0x1c,
	0xbd, 0xb0, 0xe9, 0x60, 0xed, 0xfa, 0xd8, 0x52,
};
#define IV_891 0x12345678u

static const uint16_t ADDRS[] = { 0x0001, 0x1201, 0x7fff };

/* Derived once: deriving costs more than a message. */
static const struct mp_subnet *subnets(void)
{
	static struct mp_subnet s[2];
	static bool done;

	if (!done) {
		if (mp_subnet_init(&s[0], 1, KEY_OTHER) || mp_subnet_kr_start(&s[0], KEY_86) ||
		    mp_subnet_init(&s[1], 2, KEY_891))
			abort();
		done = true;
	}
	return s;
}

static void cfg(const uint8_t *b, size_t len)
{
	struct mp_proxy_cfg_msg m;
	uint8_t again[MP_NET_TRANSPORT_MAX_CTL];
	int ret = mp_proxy_cfg_decode(b, len, &m);

	if (ret) {
		if (ret != -EBADMSG && ret != -ENOMSG)
			abort();
		return;
	}
	if (mp_proxy_cfg_encode(&m, again, sizeof(again)) != (ssize_t)len ||
	    memcmp(again, b, len) != 0 || !mp_proxy_cfg_opcode_name(m.opcode))
		abort();
}

static void adv(const struct mp_subnet *s, const uint8_t *b, size_t len)
{
	struct mp_proxy_adv a;
	struct mp_proxy_adv_match m;
	uint8_t again[MP_PROXY_ADV_IDENTITY_LEN];
	int ret = mp_proxy_adv_decode(b, len, &a);

	if (ret) {
		if (ret != -EBADMSG && ret != -ENOMSG)
			abort();
		return;
	}
	if (mp_proxy_adv_encode(&a, again, sizeof(again)) != (ssize_t)len ||
	    memcmp(again, b, len) != 0)
		abort();
	ret = mp_proxy_adv_identify(&a, s, 2, ADDRS, 3, &m);
	if (ret == -ENOENT)
		return;
	if (ret || m.subnet >= 2 || (m.new_key && s[m.subnet].phase == MP_KR_NORMAL))
		abort();
	if ((a.type == MP_PROXY_ID_NODE || a.type == MP_PROXY_ID_PRIVATE_NODE) !=
	    (m.addr != 0))
		abort();
}

static void open_pdu(const struct mp_subnet *s, const uint8_t *b, size_t len)
{
	struct mp_proxy_cfg_msg m;
	struct mp_net_rx rx;
	uint8_t again[MP_NET_PDU_MAX];
	int ret = mp_proxy_cfg_open(s + 1, 1, IV_891, b, len, &rx, &m);

	if (ret) {
		if (ret != -EMSGSIZE && ret != -ENODATA && ret != -ENOKEY && ret != -EBADMSG &&
		    ret != -EADDRNOTAVAIL && ret != -EPROTO && ret != -ENOMSG)
			abort();
		return;
	}
	if (mp_proxy_cfg_seal(&s[1].key[0].flood, rx.iv_index, rx.hdr.src, rx.hdr.seq, &m, again,
			      sizeof(again)) != (ssize_t)len ||
	    memcmp(again, b, len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mp_subnet *s = subnets();

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		cfg(data + 1, size - 1);
		break;
	case 1:
		adv(s, data + 1, size - 1);
		break;
	default:
		open_pdu(s, data + 1, size - 1);
		break;
	}
	return 0;
}
