/* net/net.h: the network layer codec.
 *
 * Table-driven over the sample data's `messages` group (MshPRT v1.1 8.3.1 to
 * 8.3.24), one case per message named after its section: every Network PDU
 * (each segment's for the segmented ones) is encoded from the sample's header
 * fields and lower transport PDU to the sample's bytes (with the printed
 * EncDST || EncTransportPDU, NetMIC, PECB and IVI||NID on the way), and
 * decoded from the sample's bytes back to those fields. The 8.9 proxy
 * configuration messages go through the same codec under the proxy nonce.
 * Then the bad ones, each with its own error: a bad NetMIC, an unknown NID,
 * a truncated or oversized PDU, a PDU under another NetKey, bad addresses;
 * the key refresh and IV index rules; the network message cache.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"
#include "crypto/mesh_keys.h"
#include "net/net.h"

/* A NetKey that is not the 8.3 one (the 8.1.3 sample's N). */
static const char OTHER_NET_KEY[] = "f7a2a44f8e8a8029064f173ddc1e2b00";

/* The lower transport PDU a Network PDU entry carries: its own, or for the
 * network-only entries the one of the message it forwards. */
static size_t entry_transport(struct json_object *p, uint8_t *out, size_t cap)
{
	return tu_hex(p, ntu_has(p, "lower_transport_pdu") ? "lower_transport_pdu" : "transport_pdu",
		      out, cap);
}

static void check_rx(const struct mp_net_rx *rx, const struct mp_net_hdr *h, uint32_t iv,
		     const uint8_t *transport, size_t len)
{
	assert_int_equal(rx->hdr.ctl, h->ctl);
	assert_int_equal(rx->hdr.ttl, h->ttl);
	assert_int_equal(rx->hdr.seq, h->seq);
	assert_int_equal(rx->hdr.src, h->src);
	assert_int_equal(rx->hdr.dst, h->dst);
	assert_int_equal(rx->iv_index, iv);
	assert_int_equal(rx->transport_len, len);
	tu_assert_bytes(rx->transport, transport, len);
}

/* MshPRT v1.1 8.3.x: every Network PDU of the message, both directions. */
static void test_message(void **state)
{
	struct json_object *m = *state, *pdus = tu_get(m, "network_pdus");
	bool friendship = strcmp(tu_str(m, "credentials"), "friendship") == 0;
	struct mp_net_cred cred;
	struct mp_subnet subnets[2];
	uint8_t key[16];
	uint32_t iv = ntu_int(m, "iv_index");
	size_t i;

	ntu_message_cred(m, &cred);
	/* The 8.3 subnet behind an unrelated one, so the lookup has to look. */
	tu_unhex(OTHER_NET_KEY, key, sizeof(key));
	assert_int_equal(mp_subnet_init(&subnets[0], 0x123, key), 0);
	tu_hex(m, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&subnets[1], 0x456, key), 0);

	for (i = 0; i < json_object_array_length(pdus); i++) {
		struct json_object *p = json_object_array_get_idx(pdus, i);
		struct mp_net_hdr h = {
			.ctl = ntu_int(m, "ctl") != 0, .ttl = (uint8_t)ntu_int(m, "ttl"),
			.seq = ntu_int(p, "seq"), .src = (uint16_t)ntu_int(m, "src"),
			.dst = (uint16_t)ntu_int(m, "dst"),
		};
		uint8_t tr[32], exp[64], enc[32], mic[8], hdr6[6], pecb[6], out[64];
		size_t trlen = entry_transport(p, tr, sizeof(tr));
		size_t len = tu_hex(p, "network_pdu", exp, sizeof(exp));
		size_t enclen = tu_hex(p, "enc_dst_enc_transport_pdu", enc, sizeof(enc));
		size_t miclen = tu_hex(p, "net_mic", mic, sizeof(mic));
		struct mp_net_rx rx;
		ssize_t n;
		int j;

		assert_int_equal(miclen * 8, json_object_get_int(tu_get(p, "net_mic_size_int")));
		assert_int_equal(enclen, 2 + trlen);
		/* encode: the sample's fields to the sample's bytes */
		memset(out, 0xee, sizeof(out));
		n = mp_net_encode(&cred, iv, MP_NET_NETWORK, &h, tr, trlen, out, sizeof(out));
		assert_int_equal(n, (ssize_t)len);
		tu_assert_bytes(out, exp, len);
		/* and the intermediate values the spec prints */
		assert_int_equal(out[0], ntu_int(p, "ivi_nid"));
		tu_assert_bytes(out + 7, enc, enclen);
		tu_assert_bytes(out + 7 + enclen, mic, miclen);
		tu_hex(p, "ctl_ttl_seq_src", hdr6, sizeof(hdr6));
		tu_hex(p, "pecb", pecb, sizeof(pecb));
		for (j = 0; j < 6; j++)
			assert_int_equal(out[1 + j] ^ hdr6[j], pecb[j]);

		/* decode: the sample's bytes to the sample's fields */
		assert_int_equal(mp_net_decode_cred(&cred, iv, MP_NET_NETWORK, exp, len, &rx), 0);
		check_rx(&rx, &h, iv, tr, trlen);
		if (friendship) {
			/* friendship credentials are not the subnet's flooding ones */
			assert_int_equal(mp_net_decode(subnets, 2, iv, MP_NET_NETWORK, exp, len, &rx),
					 -ENOKEY);
		} else {
			assert_int_equal(mp_net_decode(subnets, 2, iv, MP_NET_NETWORK, exp, len, &rx), 0);
			check_rx(&rx, &h, iv, tr, trlen);
			assert_int_equal(rx.subnet, 1);
			assert_false(rx.new_key);
		}
		/* The IVI bit picks the IV index: after an IV update to iv + 1,
		 * this PDU is still read under iv. */
		assert_int_equal(mp_net_decode_cred(&cred, iv + 1, MP_NET_NETWORK, exp, len, &rx), 0);
		check_rx(&rx, &h, iv, tr, trlen);
		/* and two updates later it is read under iv + 2, where it fails */
		assert_int_equal(mp_net_decode_cred(&cred, iv + 2, MP_NET_NETWORK, exp, len, &rx),
				 -EBADMSG);
	}
	mp_subnet_wipe(&subnets[0]);
	mp_subnet_wipe(&subnets[1]);
}

/* MshPRT v1.1 8.9.x: proxy configuration messages, proxy nonce. */
static void test_proxy_config(void **state)
{
	struct json_object *v = *state;
	struct mp_net_cred cred;
	struct mp_net_hdr h = {
		.ctl = ntu_int(v, "ctl") != 0, .ttl = (uint8_t)ntu_int(v, "ttl"),
		.seq = ntu_int(v, "seq"), .src = (uint16_t)ntu_int(v, "src"),
		.dst = (uint16_t)ntu_int(v, "dst"),
	};
	uint8_t key[16], tr[16], exp[32], out[32], nid[1];
	uint32_t iv = ntu_int(v, "iv_index");
	size_t trlen = tu_hex(v, "transport_pdu", tr, sizeof(tr));
	size_t len = tu_hex(v, "proxy_message", exp, sizeof(exp));
	struct mp_net_rx rx;

	tu_hex(v, "net_key", key, sizeof(key));
	assert_int_equal(mp_net_cred_flooding(key, &cred), 0);
	tu_hex(v, "nid", nid, sizeof(nid));
	assert_int_equal(cred.nid, nid[0]);
	assert_int_equal(mp_net_encode(&cred, iv, MP_NET_PROXY_CONFIG, &h, tr, trlen, out,
				       sizeof(out)), (ssize_t)len);
	tu_assert_bytes(out, exp, len);
	assert_int_equal(mp_net_decode_cred(&cred, iv, MP_NET_PROXY_CONFIG, exp, len, &rx), 0);
	check_rx(&rx, &h, iv, tr, trlen);
	/* the network nonce does not authenticate it; nor is DST 0 encodable there */
	assert_int_equal(mp_net_decode_cred(&cred, iv, MP_NET_NETWORK, exp, len, &rx), -EBADMSG);
	assert_int_equal(mp_net_encode(&cred, iv, MP_NET_NETWORK, &h, tr, trlen, out, sizeof(out)),
			 -EINVAL);
}

/* ---- the bad ones ---- */

struct sample {
	struct mp_subnet subnet;
	uint8_t pdu[MP_NET_PDU_MAX + 2];
	size_t len;
	uint32_t iv;
};

/* The 8.3.@msg sample's Network PDU #@seg and its subnet. */
static void load(struct sample *s, unsigned msg, unsigned seg)
{
	struct json_object *m = ntu_message(msg);
	char path[64];
	uint8_t key[16];

	tu_hex(m, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s->subnet, 0, key), 0);
	snprintf(path, sizeof(path), "network_pdus.%u.network_pdu", seg);
	s->len = tu_hex(m, path, s->pdu, sizeof(s->pdu));
	s->iv = ntu_int(m, "iv_index");
}

/* A bad NetMIC: any bit of the MIC or of the encrypted part flipped. */
static void test_bad_net_mic(void **state)
{
	struct sample s;
	struct mp_net_rx rx;
	size_t i;

	load(&s, 6, 0);
	for (i = 7; i < s.len; i++) {
		s.pdu[i] ^= 0x10;
		assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx),
				 -EBADMSG);
		s.pdu[i] ^= 0x10;
	}
	/* an obfuscated header bit changes the nonce: also a bad NetMIC */
	s.pdu[3] ^= 0x01;
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx),
			 -EBADMSG);
	s.pdu[3] ^= 0x01;
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), 0);
	mp_subnet_wipe(&s.subnet);
}

/* An unknown NID: no subnet's NID is the PDU's; no subnet at all. */
static void test_unknown_nid(void **state)
{
	struct sample s;
	struct mp_net_rx rx;

	load(&s, 1, 0);
	s.pdu[0] ^= 0x01;
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx),
			 -ENOKEY);
	s.pdu[0] ^= 0x01;
	assert_int_equal(mp_net_decode(NULL, 0, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), -ENOKEY);
	assert_int_equal(mp_net_decode_cred(&s.subnet.key[0].flood, s.iv, MP_NET_NETWORK, s.pdu,
					    s.len, &rx), 0);
	s.pdu[0] ^= 0x40;
	assert_int_equal(mp_net_decode_cred(&s.subnet.key[0].flood, s.iv, MP_NET_NETWORK, s.pdu,
					    s.len, &rx), -ENOKEY);
	mp_subnet_wipe(&s.subnet);
}

/* Truncated: under 14 octets -ENODATA; a control PDU (8.3.1, 64-bit NetMIC)
 * under 18 -ENODATA; otherwise the NetMIC fails. */
static void test_truncated(void **state)
{
	struct sample s;
	struct mp_net_rx rx;
	size_t n;

	load(&s, 1, 0);
	assert_int_equal(s.len, 28);
	for (n = 0; n < s.len; n++) {
		int want = n < MP_NET_PDU_MIN || n < 18 ? -ENODATA : -EBADMSG;

		assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, n, &rx),
				 want);
	}
	mp_subnet_wipe(&s.subnet);
	/* an access PDU (32-bit NetMIC) fails authentication down to 14 */
	load(&s, 18, 0);
	for (n = MP_NET_PDU_MIN; n < s.len; n++)
		assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, n, &rx),
				 -EBADMSG);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, 13, &rx),
			 -ENODATA);
	mp_subnet_wipe(&s.subnet);
}

/* Oversized: more than 29 octets -EMSGSIZE before any key; a 29-octet one
 * made from a 28-octet PDU does not authenticate. */
static void test_oversized(void **state)
{
	struct sample s;
	struct mp_net_rx rx;

	load(&s, 6, 0);
	assert_int_equal(s.len, MP_NET_PDU_MAX);
	s.pdu[s.len] = 0x00;
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len + 1, &rx),
			 -EMSGSIZE);
	assert_int_equal(mp_net_decode_cred(&s.subnet.key[0].flood, s.iv, MP_NET_NETWORK, s.pdu,
					    s.len + 1, &rx), -EMSGSIZE);
	mp_subnet_wipe(&s.subnet);
	load(&s, 1, 0);
	s.pdu[s.len] = 0x00;
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len + 1, &rx),
			 -EBADMSG);
	mp_subnet_wipe(&s.subnet);
}

/* A PDU under another NetKey: unknown to a node without that key (-ENOKEY),
 * and not authenticated by a key whose NID happens to be the same. */
static void test_other_net_key(void **state)
{
	struct json_object *m = ntu_message(18);
	struct mp_subnet mine, other;
	struct mp_net_hdr h = {
		.ttl = (uint8_t)ntu_int(m, "ttl"), .seq = ntu_int(m, "seq"),
		.src = (uint16_t)ntu_int(m, "src"), .dst = (uint16_t)ntu_int(m, "dst"),
	};
	uint8_t key[16], tr[16], pdu[MP_NET_PDU_MAX];
	size_t trlen = tu_hex(m, "network_pdus.0.lower_transport_pdu", tr, sizeof(tr));
	uint32_t iv = ntu_int(m, "iv_index");
	struct mp_net_cred forged;
	struct mp_net_rx rx;
	ssize_t n;

	tu_hex(m, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&mine, 1, key), 0);
	tu_unhex(OTHER_NET_KEY, key, sizeof(key));
	assert_int_equal(mp_subnet_init(&other, 2, key), 0);
	assert_int_not_equal(other.key[0].flood.nid, mine.key[0].flood.nid);

	n = mp_net_encode(&other.key[0].flood, iv, MP_NET_NETWORK, &h, tr, trlen, pdu, sizeof(pdu));
	assert_true(n > 0);
	assert_int_equal(mp_net_decode(&mine, 1, iv, MP_NET_NETWORK, pdu, (size_t)n, &rx), -ENOKEY);
	assert_int_equal(mp_net_decode(&other, 1, iv, MP_NET_NETWORK, pdu, (size_t)n, &rx), 0);
	check_rx(&rx, &h, iv, tr, trlen);

	/* the other key's EncryptionKey and PrivacyKey behind my NID */
	forged = other.key[0].flood;
	forged.nid = mine.key[0].flood.nid;
	n = mp_net_encode(&forged, iv, MP_NET_NETWORK, &h, tr, trlen, pdu, sizeof(pdu));
	assert_true(n > 0);
	assert_int_equal(mp_net_decode(&mine, 1, iv, MP_NET_NETWORK, pdu, (size_t)n, &rx), -EBADMSG);
	mp_subnet_wipe(&mine);
	mp_subnet_wipe(&other);
}

/* NID lookup over subnets: a colliding NID is passed over for the key that
 * authenticates; both keys of a subnet in key refresh are tried. */
static void test_lookup_and_key_refresh(void **state)
{
	struct sample s;
	struct mp_subnet subnets[2];
	struct mp_net_rx rx;
	uint8_t key83[16], other[16];

	load(&s, 16, 0);
	memcpy(key83, s.subnet.key[0].net_key, 16);
	tu_unhex(OTHER_NET_KEY, other, sizeof(other));

	/* subnet 0 has a key with the same NID but other keys */
	assert_int_equal(mp_subnet_init(&subnets[0], 1, other), 0);
	subnets[0].key[0].flood.nid = s.subnet.key[0].flood.nid;
	subnets[1] = s.subnet;
	assert_int_equal(mp_net_decode(subnets, 2, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), 0);
	assert_int_equal(rx.subnet, 1);
	/* alone, the colliding key gives the NetMIC's error */
	assert_int_equal(mp_net_decode(subnets, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx),
			 -EBADMSG);

	/* key refresh: the 8.3 NetKey is the new key of a subnet */
	assert_int_equal(mp_subnet_init(&subnets[0], 7, other), 0);
	assert_int_equal(mp_net_decode(subnets, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), -ENOKEY);
	assert_int_equal(mp_subnet_kr_use_new(&subnets[0]), -EBUSY);
	assert_int_equal(mp_subnet_kr_finish(&subnets[0]), -EBUSY);
	assert_int_equal(mp_subnet_kr_start(&subnets[0], key83), 0);
	assert_int_equal(subnets[0].phase, MP_KR_PHASE1);
	assert_ptr_equal(mp_subnet_tx_keys(&subnets[0]), &subnets[0].key[0]);
	assert_int_equal(mp_net_decode(subnets, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), 0);
	assert_int_equal(rx.subnet, 0);
	assert_true(rx.new_key);
	assert_int_equal(mp_subnet_kr_start(&subnets[0], key83), -EBUSY);
	assert_int_equal(mp_subnet_kr_use_new(&subnets[0]), 0);
	assert_ptr_equal(mp_subnet_tx_keys(&subnets[0]), &subnets[0].key[1]);
	assert_int_equal(mp_net_decode(subnets, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), 0);
	assert_true(rx.new_key);
	assert_int_equal(mp_subnet_kr_finish(&subnets[0]), 0);
	assert_int_equal(subnets[0].phase, MP_KR_NORMAL);
	assert_ptr_equal(mp_subnet_tx_keys(&subnets[0]), &subnets[0].key[0]);
	tu_assert_bytes(subnets[0].key[0].net_key, key83, 16);
	assert_int_equal(mp_net_decode(subnets, 1, s.iv, MP_NET_NETWORK, s.pdu, s.len, &rx), 0);
	assert_false(rx.new_key);
	/* the old key is gone */
	{
		static const uint8_t zero[sizeof(struct mp_net_keys)];

		assert_memory_equal(&subnets[0].key[1], zero, sizeof(zero));
	}
	assert_int_equal(mp_subnet_init(&subnets[0], 0x1000, other), -EINVAL);
	mp_subnet_wipe(&subnets[0]);
	mp_subnet_wipe(&s.subnet);
}

/* The IVI bit and the IV index: IV index 0 has no IV index - 1. */
static void test_iv_index(void **state)
{
	struct sample s;
	struct mp_net_rx rx;
	uint32_t iv = 0xdead;

	assert_int_equal(mp_net_rx_iv_index(0x12345678, false, &iv), 0);
	assert_int_equal(iv, 0x12345678);
	assert_int_equal(mp_net_rx_iv_index(0x12345678, true, &iv), 0);
	assert_int_equal(iv, 0x12345677);
	assert_int_equal(mp_net_rx_iv_index(0x12345677, true, &iv), 0);
	assert_int_equal(iv, 0x12345677);
	assert_int_equal(mp_net_rx_iv_index(0, true, &iv), -ERANGE);
	assert_int_equal(mp_net_rx_iv_index(0, false, &iv), 0);
	assert_int_equal(iv, 0);

	load(&s, 20, 0);	/* IV index 12345677: IVI 1 */
	assert_int_equal(s.pdu[0] >> 7, 1);
	assert_int_equal(mp_net_decode(&s.subnet, 1, 0, MP_NET_NETWORK, s.pdu, s.len, &rx), -ERANGE);
	mp_subnet_wipe(&s.subnet);
}

/* Raw encoding without the encoder's checks: for authenticated PDUs whose
 * fields the decoder must refuse. */
static size_t raw_encode(const struct mp_net_cred *c, uint32_t iv, const struct mp_net_hdr *h,
			 const uint8_t *tr, size_t trlen, uint8_t *out)
{
	uint8_t nonce[MP_NONCE_LEN], clear[32], plain[16] = { 0 }, pecb[16];
	size_t mic = h->ctl ? 8 : 4;
	int i;

	out[0] = (uint8_t)((iv & 1) << 7 | c->nid);
	out[1] = (uint8_t)((h->ctl ? 0x80 : 0) | h->ttl);
	out[2] = (uint8_t)(h->seq >> 16);
	out[3] = (uint8_t)(h->seq >> 8);
	out[4] = (uint8_t)h->seq;
	mp_store_be16(out + 5, h->src);
	mp_store_be16(clear, h->dst);
	memcpy(clear + 2, tr, trlen);
	mp_nonce_network(h->ctl, h->ttl, h->seq, h->src, iv, nonce);
	assert_int_equal(mp_aes_ccm_encrypt(c->enc_key, nonce, NULL, 0, clear, 2 + trlen, out + 7,
					    out + 9 + trlen, mic), 0);
	mp_store_be32(plain + 5, iv);
	memcpy(plain + 9, out + 7, 7);
	assert_int_equal(mp_aes_ecb(c->priv_key, plain, pecb), 0);
	for (i = 0; i < 6; i++)
		out[1 + i] ^= pecb[i];
	return 9 + trlen + mic;
}

/* Authenticated but malformed: SRC not unicast, DST unassigned; and the
 * proxy configuration rules. */
static void test_bad_addresses(void **state)
{
	struct sample s;
	struct mp_net_hdr h = { .ttl = 5, .seq = 0x000102, .src = 0x0001, .dst = 0xc000 };
	const struct mp_net_cred *c;
	uint8_t tr[4] = { 0x01, 0x02, 0x03, 0x04 }, pdu[MP_NET_PDU_MAX];
	struct mp_net_rx rx;
	size_t n;

	load(&s, 1, 0);
	c = &s.subnet.key[0].flood;
	n = raw_encode(c, s.iv, &h, tr, sizeof(tr), pdu);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, pdu, n, &rx), 0);
	check_rx(&rx, &h, s.iv, tr, sizeof(tr));

	h.src = 0x0000;
	n = raw_encode(c, s.iv, &h, tr, sizeof(tr), pdu);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, pdu, n, &rx),
			 -EADDRNOTAVAIL);
	h.src = 0xc001;
	n = raw_encode(c, s.iv, &h, tr, sizeof(tr), pdu);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, pdu, n, &rx),
			 -EADDRNOTAVAIL);
	h.src = 0x8001;
	n = raw_encode(c, s.iv, &h, tr, sizeof(tr), pdu);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, pdu, n, &rx),
			 -EADDRNOTAVAIL);
	h.src = 0x7fff;
	h.dst = 0x0000;
	n = raw_encode(c, s.iv, &h, tr, sizeof(tr), pdu);
	assert_int_equal(mp_net_decode(&s.subnet, 1, s.iv, MP_NET_NETWORK, pdu, n, &rx),
			 -EADDRNOTAVAIL);
	/* behind a key of the same NID that fails, the refusal still says why */
	{
		struct mp_subnet two[2];

		two[0] = s.subnet;
		two[0].key[0].flood.enc_key[0] ^= 1;
		two[1] = s.subnet;
		assert_int_equal(mp_net_decode(two, 2, s.iv, MP_NET_NETWORK, pdu, n, &rx),
				 -EADDRNOTAVAIL);
		mp_subnet_wipe(&two[0]);
		mp_subnet_wipe(&two[1]);
	}
	/* on error nothing of the PDU is left in rx */
	{
		static const struct mp_net_rx zero;

		assert_memory_equal(&rx, &zero, sizeof(rx));
	}
	mp_subnet_wipe(&s.subnet);
}

/* The encoder refuses every field out of range. */
static void test_encode_checks(void **state)
{
	struct sample s;
	const struct mp_net_cred *c;
	struct mp_net_hdr ok = { .ttl = 0x7f, .seq = 0xffffff, .src = 0x7fff, .dst = 0xffff }, h;
	uint8_t tr[17] = { 0 }, out[MP_NET_PDU_MAX + 4];

	load(&s, 1, 0);
	c = &s.subnet.key[0].flood;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 16, out, sizeof(out)), 29);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 1, out, sizeof(out)), 14);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 17, out, sizeof(out)),
			 -EMSGSIZE);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 0, out, sizeof(out)),
			 -EMSGSIZE);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 16, out, 28), -ENOSPC);
	h = ok;
	h.ctl = true;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 12, out, sizeof(out)), 29);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 13, out, sizeof(out)),
			 -EMSGSIZE);
	h = ok;
	h.ttl = 0x80;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 4, out, sizeof(out)), -EINVAL);
	h = ok;
	h.seq = 0x1000000;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 4, out, sizeof(out)), -EINVAL);
	h = ok;
	h.src = 0x8000;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 4, out, sizeof(out)), -EINVAL);
	h.src = 0;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 4, out, sizeof(out)), -EINVAL);
	h = ok;
	h.dst = 0;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &h, tr, 4, out, sizeof(out)), -EINVAL);
	/* proxy configuration: CTL 1, TTL 0, DST 0 only */
	h.ctl = true;
	h.ttl = 0;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_PROXY_CONFIG, &h, tr, 4, out, sizeof(out)), 21);
	h.ttl = 1;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_PROXY_CONFIG, &h, tr, 4, out, sizeof(out)),
			 -EINVAL);
	h.ttl = 0;
	h.ctl = false;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_PROXY_CONFIG, &h, tr, 4, out, sizeof(out)),
			 -EINVAL);
	h.ctl = true;
	h.dst = 1;
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_PROXY_CONFIG, &h, tr, 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(mp_net_encode(c, s.iv, (enum mp_net_kind)7, &ok, tr, 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(mp_net_encode(NULL, s.iv, MP_NET_NETWORK, &ok, tr, 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, NULL, tr, 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, NULL, 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(mp_net_encode(c, s.iv, MP_NET_NETWORK, &ok, tr, 4, NULL, sizeof(out)),
			 -EINVAL);
	mp_subnet_wipe(&s.subnet);
}

/* The TTL rules a relay would follow; meshprov only states them. */
static void test_relay_ttl(void **state)
{
	uint8_t t = 0xaa;

	assert_false(mp_net_relay_ttl(0, &t));
	assert_false(mp_net_relay_ttl(1, &t));
	assert_int_equal(t, 0xaa);
	assert_true(mp_net_relay_ttl(2, &t));
	assert_int_equal(t, 1);
	assert_true(mp_net_relay_ttl(127, &t));
	assert_int_equal(t, 126);
	assert_false(mp_net_relay_ttl(128, &t));
	/* 8.3.17 is 8.3.16 relayed: TTL 0b became 0a */
	assert_true(mp_net_relay_ttl((uint8_t)ntu_int(ntu_message(16), "ttl"), &t));
	assert_int_equal(t, ntu_int(ntu_message(17), "ttl"));
}

/* The network message cache: bounded, oldest out first, keyed by IV index,
 * SRC and SEQ. */
static void test_cache(void **state)
{
	struct mp_net_cache_entry store[4];
	struct mp_net_cache c;
	uint32_t i;

	assert_int_equal(mp_net_cache_init(&c, store, 1), -EINVAL);
	assert_int_equal(mp_net_cache_init(&c, NULL, 4), -EINVAL);
	assert_int_equal(mp_net_cache_init(&c, store, 4), 0);
	assert_false(mp_net_cache_has(&c, 0, 0, 0));
	assert_int_equal(mp_net_cache_add(&c, 7, 0x1201, 1), 0);
	assert_true(mp_net_cache_has(&c, 7, 0x1201, 1));
	assert_int_equal(mp_net_cache_add(&c, 7, 0x1201, 1), -EALREADY);
	assert_false(mp_net_cache_has(&c, 8, 0x1201, 1));
	assert_false(mp_net_cache_has(&c, 7, 0x1202, 1));
	assert_false(mp_net_cache_has(&c, 7, 0x1201, 2));
	for (i = 2; i <= 4; i++)
		assert_int_equal(mp_net_cache_add(&c, 7, 0x1201, i), 0);
	assert_true(mp_net_cache_has(&c, 7, 0x1201, 1));
	/* the fifth pushes the first out */
	assert_int_equal(mp_net_cache_add(&c, 7, 0x1201, 5), 0);
	assert_false(mp_net_cache_has(&c, 7, 0x1201, 1));
	for (i = 2; i <= 5; i++)
		assert_true(mp_net_cache_has(&c, 7, 0x1201, i));
	assert_int_equal(c.len, 4);
	mp_net_cache_clear(&c);
	assert_false(mp_net_cache_has(&c, 7, 0x1201, 5));
	assert_int_equal(mp_net_cache_add(&c, 7, 0x1201, 5), 0);
}

/* Derived keys of a subnet: the 8.2 and 8.4 values of the 8.3 NetKey. */
static void test_subnet_keys(void **state)
{
	struct mp_net_keys k;
	uint8_t key[16], exp[16];

	tu_hex(tu_vectors(), "messages.keys.net_key", key, sizeof(key));
	assert_int_equal(mp_net_keys_derive(&k, key), 0);
	tu_assert_bytes(k.net_key, key, 16);
	assert_int_equal(k.flood.nid, 0x68);
	tu_hex(tu_vectors(), "beacons.secure_network_beacons.0.network_id", exp, sizeof(exp));
	tu_assert_bytes(k.network_id, exp, 8);
	tu_hex(tu_vectors(), "beacons.secure_network_beacons.0.beacon_key", exp, sizeof(exp));
	tu_assert_bytes(k.beacon_key, exp, 16);
	tu_hex(tu_vectors(), "proxy.service_data.1.identity_key", exp, sizeof(exp));
	tu_assert_bytes(k.identity_key, exp, 16);
	mp_net_keys_wipe(&k);
	assert_int_equal(mp_net_keys_derive(NULL, key), -EINVAL);
	assert_int_equal(mp_net_keys_derive(&k, NULL), -EINVAL);
}

int main(void)
{
	struct json_object *arr;
	char name[160];
	size_t i;

	ntu_add_messages("messages", test_message);
	arr = tu_get(tu_vectors(), "proxy.configuration_messages");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		snprintf(name, sizeof(name), "proxy: %s", tu_str(v, "name"));
		ntu_add(name, test_proxy_config, v);
	}
#define ADD(fn) ntu_add(#fn, fn, NULL)
	ADD(test_bad_net_mic);
	ADD(test_unknown_nid);
	ADD(test_truncated);
	ADD(test_oversized);
	ADD(test_other_net_key);
	ADD(test_lookup_and_key_refresh);
	ADD(test_iv_index);
	ADD(test_bad_addresses);
	ADD(test_encode_checks);
	ADD(test_relay_ttl);
	ADD(test_cache);
	ADD(test_subnet_keys);
#undef ADD
	return ntu_run("net");
}
