/* The network layer codec: keys of a subnet, Network PDU encoding and
 * decoding, the network message cache. See include/net/net.h.
 */
#include "net/net.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"

int mp_net_keys_derive(struct mp_net_keys *k, const uint8_t net_key[16])
{
	int ret;

	if (!k || !net_key)
		return -EINVAL;
	memmove(k->net_key, net_key, 16);
	ret = mp_net_cred_flooding(k->net_key, &k->flood);
	if (!ret)
		ret = mp_k3(k->net_key, k->network_id);
	if (!ret)
		ret = mp_identity_key(k->net_key, k->identity_key);
	if (!ret)
		ret = mp_beacon_key(k->net_key, k->beacon_key);
	if (!ret)
		ret = mp_private_beacon_key(k->net_key, k->private_beacon_key);
	if (ret)
		mp_net_keys_wipe(k);
	return ret;
}

void mp_net_keys_wipe(struct mp_net_keys *k)
{
	mp_wipe(k, sizeof(*k));
}

int mp_subnet_init(struct mp_subnet *s, uint16_t index, const uint8_t net_key[16])
{
	int ret;

	if (!s || !net_key || index > 0xfff)
		return -EINVAL;
	mp_subnet_wipe(s);
	s->index = index;
	s->phase = MP_KR_NORMAL;
	ret = mp_net_keys_derive(&s->key[0], net_key);
	if (ret)
		mp_subnet_wipe(s);
	return ret;
}

/* Key Refresh procedure, phase 1: the new NetKey has been received. */
int mp_subnet_kr_start(struct mp_subnet *s, const uint8_t new_key[16])
{
	int ret;

	if (!s || !new_key)
		return -EINVAL;
	if (s->phase != MP_KR_NORMAL)
		return -EBUSY;
	ret = mp_net_keys_derive(&s->key[1], new_key);
	if (!ret)
		s->phase = MP_KR_PHASE1;
	return ret;
}

/* Key Refresh procedure, phase 2: the new keys are used to send. */
int mp_subnet_kr_use_new(struct mp_subnet *s)
{
	if (!s)
		return -EINVAL;
	if (s->phase != MP_KR_PHASE1)
		return -EBUSY;
	s->phase = MP_KR_PHASE2;
	return 0;
}

/* Key Refresh procedure, phase 3: the old key is revoked. */
int mp_subnet_kr_finish(struct mp_subnet *s)
{
	if (!s)
		return -EINVAL;
	if (s->phase == MP_KR_NORMAL)
		return -EBUSY;
	s->key[0] = s->key[1];
	mp_net_keys_wipe(&s->key[1]);
	s->phase = MP_KR_NORMAL;
	return 0;
}

const struct mp_net_keys *mp_subnet_tx_keys(const struct mp_subnet *s)
{
	return s->phase == MP_KR_PHASE2 ? &s->key[1] : &s->key[0];
}

void mp_subnet_wipe(struct mp_subnet *s)
{
	if (s)
		mp_wipe(s, sizeof(*s));
}

int mp_net_rx_iv_index(uint32_t iv_index, bool ivi, uint32_t *out)
{
	if (!out)
		return -EINVAL;
	if ((iv_index & 1) == (uint32_t)ivi) {
		*out = iv_index;
		return 0;
	}
	if (iv_index == 0)
		return -ERANGE;
	*out = iv_index - 1;
	return 0;
}

bool mp_net_relay_ttl(uint8_t ttl, uint8_t *out)
{
	if (ttl < 2 || ttl > MP_NET_TTL_MAX)
		return false;
	if (out)
		*out = (uint8_t)(ttl - 1);
	return true;
}

static void make_nonce(enum mp_net_kind kind, const struct mp_net_hdr *h, uint32_t iv_index,
		       uint8_t nonce[MP_NONCE_LEN])
{
	if (kind == MP_NET_PROXY_CONFIG)
		mp_nonce_proxy(h->seq, h->src, iv_index, nonce);
	else
		mp_nonce_network(h->ctl, h->ttl, h->seq, h->src, iv_index, nonce);
}

/*
 * MshPRT v1.1 3.9.7.3: PECB = e(PrivacyKey, 0x0000000000 || IV Index ||
 * Privacy Random), the Privacy Random being the first 7 octets of EncDST ||
 * EncTransportPDU || NetMIC; octets 1..6 of the PDU (CTL|TTL, SEQ, SRC) are
 * XORed with PECB[0..5]. The same operation obfuscates and deobfuscates.
 */
static int obfuscate(const uint8_t priv_key[16], uint32_t iv_index, uint8_t *pdu)
{
	uint8_t plain[16] = { 0 }, pecb[16];
	int ret, i;

	mp_store_be32(plain + 5, iv_index);
	memcpy(plain + 9, pdu + 7, 7);
	ret = mp_aes_ecb(priv_key, plain, pecb);
	if (ret)
		return ret;
	for (i = 0; i < 6; i++)
		pdu[1 + i] ^= pecb[i];
	return 0;
}

/* The header rules a Network PDU of @kind must keep. */
static bool hdr_ok(enum mp_net_kind kind, const struct mp_net_hdr *h)
{
	if (h->ttl > MP_NET_TTL_MAX || h->seq > MP_NET_SEQ_MAX || !mp_addr_is_unicast(h->src))
		return false;
	if (kind == MP_NET_PROXY_CONFIG)
		return h->ctl && h->ttl == 0 && h->dst == MP_ADDR_UNASSIGNED;
	return kind == MP_NET_NETWORK && h->dst != MP_ADDR_UNASSIGNED;
}

ssize_t mp_net_encode(const struct mp_net_cred *cred, uint32_t iv_index, enum mp_net_kind kind,
		      const struct mp_net_hdr *hdr, const uint8_t *transport, size_t len,
		      uint8_t *out, size_t cap)
{
	uint8_t nonce[MP_NONCE_LEN], clear[2 + MP_NET_TRANSPORT_MAX];
	size_t mic_len, total;
	int ret;

	if (!cred || !hdr || !transport || !out || !hdr_ok(kind, hdr))
		return -EINVAL;
	mic_len = hdr->ctl ? 8 : 4;
	if (len == 0 || len > (hdr->ctl ? MP_NET_TRANSPORT_MAX_CTL : MP_NET_TRANSPORT_MAX))
		return -EMSGSIZE;
	total = MP_NET_HDR_LEN + len + mic_len;
	if (cap < total)
		return -ENOSPC;

	/* MshPRT v1.1 3.4.4 */
	out[0] = (uint8_t)((iv_index & 1) << 7 | (cred->nid & 0x7f));
	out[1] = (uint8_t)((hdr->ctl ? 0x80 : 0) | hdr->ttl);
	out[2] = (uint8_t)(hdr->seq >> 16);
	out[3] = (uint8_t)(hdr->seq >> 8);
	out[4] = (uint8_t)hdr->seq;
	mp_store_be16(out + 5, hdr->src);
	/* MshPRT v1.1 3.9.7.2: EncDST || EncTransportPDU, NetMIC =
	 * AES-CCM(EncryptionKey, nonce, DST || TransportPDU). */
	mp_store_be16(clear, hdr->dst);
	memcpy(clear + 2, transport, len);
	make_nonce(kind, hdr, iv_index, nonce);
	ret = mp_aes_ccm_encrypt(cred->enc_key, nonce, NULL, 0, clear, 2 + len, out + 7,
				 out + 7 + 2 + len, mic_len);
	mp_wipe(clear, sizeof(clear));
	if (!ret)
		ret = obfuscate(cred->priv_key, iv_index, out);
	if (ret) {
		mp_wipe(out, total);
		return ret;
	}
	return (ssize_t)total;
}

/* Decode under one key whose NID already matched. */
static int decode_one(const struct mp_net_cred *cred, uint32_t iv_index, enum mp_net_kind kind,
		      const uint8_t *pdu, size_t len, struct mp_net_rx *rx)
{
	uint8_t buf[MP_NET_PDU_MAX], nonce[MP_NONCE_LEN], clear[2 + MP_NET_TRANSPORT_MAX];
	struct mp_net_hdr *h = &rx->hdr;
	size_t mic_len, enc_len;
	int ret;

	memcpy(buf, pdu, len);
	ret = obfuscate(cred->priv_key, iv_index, buf);
	if (ret)
		return ret;
	h->ctl = buf[1] >> 7;
	h->ttl = buf[1] & 0x7f;
	h->seq = (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 | buf[4];
	h->src = mp_be16(buf + 5);
	mic_len = h->ctl ? 8 : 4;
	/* A control PDU has a longer NetMIC: 18 octets at least. 29 octets
	 * leave 12 for its TransportPDU and 16 for an access one, which are
	 * exactly their maxima (3.4.4.8), so no other length check is needed. */
	if (len < MP_NET_HDR_LEN + 1 + mic_len)
		return -ENODATA;
	enc_len = len - 7 - mic_len;
	make_nonce(kind, h, iv_index, nonce);
	ret = mp_aes_ccm_decrypt(cred->enc_key, nonce, NULL, 0, buf + 7, enc_len, clear,
				 buf + 7 + enc_len, mic_len);
	if (ret)
		return ret;
	h->dst = mp_be16(clear);
	rx->transport_len = enc_len - 2;
	memcpy(rx->transport, clear + 2, rx->transport_len);
	rx->iv_index = iv_index;
	mp_wipe(clear, sizeof(clear));

	/* Authenticated: now the fields. MshPRT v1.1 3.4.4.6, 3.4.4.7; 6.5 */
	if (!mp_addr_is_unicast(h->src))
		return -EADDRNOTAVAIL;
	if (kind == MP_NET_PROXY_CONFIG) {
		if (h->dst != MP_ADDR_UNASSIGNED)
			return -EADDRNOTAVAIL;
		if (!h->ctl || h->ttl != 0)
			return -EPROTO;
	} else if (h->dst == MP_ADDR_UNASSIGNED) {
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* What every decode checks before any key: the length, and the IV index. */
static int precheck(uint32_t iv_index, const uint8_t *pdu, size_t len, uint32_t *rx_iv)
{
	if (len > MP_NET_PDU_MAX)
		return -EMSGSIZE;
	if (len < MP_NET_PDU_MIN)
		return -ENODATA;
	return mp_net_rx_iv_index(iv_index, pdu[0] >> 7, rx_iv);
}

int mp_net_decode_cred(const struct mp_net_cred *cred, uint32_t iv_index, enum mp_net_kind kind,
		       const uint8_t *pdu, size_t len, struct mp_net_rx *rx)
{
	uint32_t rx_iv;
	int ret;

	if (!cred || !pdu || !rx)
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	ret = precheck(iv_index, pdu, len, &rx_iv);
	if (!ret)
		ret = (pdu[0] & 0x7f) == cred->nid ? decode_one(cred, rx_iv, kind, pdu, len, rx)
						    : -ENOKEY;
	if (ret)
		mp_wipe(rx, sizeof(*rx));
	return ret;
}

int mp_net_decode(const struct mp_subnet *subnets, size_t n, uint32_t iv_index,
		  enum mp_net_kind kind, const uint8_t *pdu, size_t len, struct mp_net_rx *rx)
{
	uint32_t rx_iv;
	int ret, first = -ENOKEY;
	size_t i, k;

	if ((!subnets && n) || !pdu || !rx)
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	ret = precheck(iv_index, pdu, len, &rx_iv);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		size_t nkeys = subnets[i].phase == MP_KR_NORMAL ? 1 : 2;

		for (k = 0; k < nkeys; k++) {
			const struct mp_net_cred *c = &subnets[i].key[k].flood;

			if ((pdu[0] & 0x7f) != c->nid)
				continue;
			ret = decode_one(c, rx_iv, kind, pdu, len, rx);
			if (ret == 0) {
				rx->subnet = i;
				rx->new_key = k == 1;
				return 0;
			}
			mp_wipe(rx, sizeof(*rx));
			/* Authenticated, but with fields the layer refuses: no
			 * other key will make it better. */
			if (ret == -EADDRNOTAVAIL || ret == -EPROTO)
				return ret;
			if (first == -ENOKEY)
				first = ret;
		}
	}
	return first;
}

int mp_net_cache_init(struct mp_net_cache *c, struct mp_net_cache_entry *storage, size_t cap)
{
	if (!c || !storage || cap < 2)
		return -EINVAL;
	c->e = storage;
	c->cap = cap;
	mp_net_cache_clear(c);
	return 0;
}

bool mp_net_cache_has(const struct mp_net_cache *c, uint32_t iv_index, uint16_t src,
		      uint32_t seq)
{
	size_t i;

	for (i = 0; i < c->len; i++)
		if (c->e[i].seq == seq && c->e[i].src == src && c->e[i].iv_index == iv_index)
			return true;
	return false;
}

int mp_net_cache_add(struct mp_net_cache *c, uint32_t iv_index, uint16_t src, uint32_t seq)
{
	if (mp_net_cache_has(c, iv_index, src, seq))
		return -EALREADY;
	c->e[c->next] = (struct mp_net_cache_entry){ .iv_index = iv_index, .seq = seq, .src = src };
	c->next = (c->next + 1) % c->cap;
	if (c->len < c->cap)
		c->len++;
	return 0;
}

void mp_net_cache_clear(struct mp_net_cache *c)
{
	c->len = 0;
	c->next = 0;
	memset(c->e, 0, c->cap * sizeof(*c->e));
}
