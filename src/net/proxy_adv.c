/* The Mesh Proxy Service advertisement. MshPRT v1.1 7.2.2.2 */
#include "net/proxy_adv.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"

static size_t type_len(uint8_t type)
{
	switch (type) {
	case MP_PROXY_ID_NETWORK:
		return MP_PROXY_ADV_NETWORK_LEN;
	case MP_PROXY_ID_NODE:
	case MP_PROXY_ID_PRIVATE_NETWORK:
	case MP_PROXY_ID_PRIVATE_NODE:
		return MP_PROXY_ADV_IDENTITY_LEN;
	default:
		return 0;
	}
}

int mp_proxy_adv_decode(const uint8_t *data, size_t len, struct mp_proxy_adv *out)
{
	struct mp_reader r;
	uint16_t uuid = 0;

	if (!data || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, data, len);
	if (!mp_get_le16(&r, &uuid))
		return -EBADMSG;
	if (uuid != MP_UUID16_MESH_PROXY)
		return -ENOMSG;
	if (!mp_get_u8(&r, &out->type))
		return -EBADMSG;
	if (!type_len(out->type)) {
		memset(out, 0, sizeof(*out));
		return -ENOMSG;
	}
	if (len != type_len(out->type)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	if (out->type == MP_PROXY_ID_NETWORK) {
		mp_get_bytes(&r, out->network_id, sizeof(out->network_id));
	} else {
		mp_get_bytes(&r, out->hash, sizeof(out->hash));
		mp_get_bytes(&r, out->random, sizeof(out->random));
	}
	return 0;
}

ssize_t mp_proxy_adv_encode(const struct mp_proxy_adv *a, uint8_t *out, size_t cap)
{
	size_t len;
	struct mp_writer w;

	if (!a || !out)
		return -EINVAL;
	len = type_len(a->type);
	if (!len)
		return -EINVAL;
	if (cap < len)
		return -ENOSPC;
	mp_writer_init(&w, out, cap);
	mp_put_le16(&w, MP_UUID16_MESH_PROXY);
	mp_put_u8(&w, a->type);
	if (a->type == MP_PROXY_ID_NETWORK) {
		mp_put_bytes(&w, a->network_id, sizeof(a->network_id));
	} else {
		mp_put_bytes(&w, a->hash, sizeof(a->hash));
		mp_put_bytes(&w, a->random, sizeof(a->random));
	}
	return (ssize_t)w.len;
}

int mp_proxy_adv_hash(uint8_t type, const uint8_t identity_key[16], const uint8_t network_id[8],
		      const uint8_t random[MP_PROXY_RANDOM_LEN], uint16_t addr,
		      uint8_t hash[MP_PROXY_HASH_LEN])
{
	uint8_t in[16] = { 0 }, enc[16];

	if (!identity_key || !random || !hash)
		return -EINVAL;
	switch (type) {
	case MP_PROXY_ID_NODE:		/* 7.2.2.2.3: Padding (6 x 0) || Random || Address */
	case MP_PROXY_ID_PRIVATE_NODE:	/* 7.2.2.2.5: Padding (5 x 0) || 0x03 || ... */
		if (type == MP_PROXY_ID_PRIVATE_NODE)
			in[5] = MP_PROXY_ID_PRIVATE_NODE;
		memcpy(in + 6, random, MP_PROXY_RANDOM_LEN);
		mp_store_be16(in + 14, addr);
		break;
	case MP_PROXY_ID_PRIVATE_NETWORK:	/* 7.2.2.2.4: NetworkID || Random */
		if (!network_id)
			return -EINVAL;
		memcpy(in, network_id, 8);
		memcpy(in + 8, random, MP_PROXY_RANDOM_LEN);
		break;
	default:
		return -EINVAL;
	}
	if (mp_aes_ecb(identity_key, in, enc))
		return -EIO;
	memcpy(hash, enc + 8, MP_PROXY_HASH_LEN);
	return 0;
}

int mp_proxy_adv_make(uint8_t type, const struct mp_net_keys *keys, uint16_t addr,
		      const uint8_t random[MP_PROXY_RANDOM_LEN], struct mp_proxy_adv *out)
{
	if (!keys || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->type = type;
	if (type == MP_PROXY_ID_NETWORK) {
		memcpy(out->network_id, keys->network_id, 8);
		return 0;
	}
	if (!random)
		return -EINVAL;
	memcpy(out->random, random, MP_PROXY_RANDOM_LEN);
	return mp_proxy_adv_hash(type, keys->identity_key, keys->network_id, random, addr,
				 out->hash);
}

/* Whether key @k names @a (and which of @addrs): 1, 0, or -errno. */
static int try_key(const struct mp_proxy_adv *a, const struct mp_net_keys *k,
		   const uint16_t *addrs, size_t naddrs, uint16_t *addr)
{
	uint8_t h[MP_PROXY_HASH_LEN];
	size_t i;
	int err;

	switch (a->type) {
	case MP_PROXY_ID_NETWORK:
		return mp_ct_equal(a->network_id, k->network_id, 8);
	case MP_PROXY_ID_PRIVATE_NETWORK:
		err = mp_proxy_adv_hash(a->type, k->identity_key, k->network_id, a->random, 0, h);
		if (err)
			return err;
		return mp_ct_equal(a->hash, h, sizeof(h));
	case MP_PROXY_ID_NODE:
	case MP_PROXY_ID_PRIVATE_NODE:
		for (i = 0; i < naddrs; i++) {
			err = mp_proxy_adv_hash(a->type, k->identity_key, NULL, a->random,
						addrs[i], h);
			if (err)
				return err;
			if (mp_ct_equal(a->hash, h, sizeof(h))) {
				*addr = addrs[i];
				return 1;
			}
		}
		return 0;
	default:
		return -EINVAL;
	}
}

int mp_proxy_adv_identify(const struct mp_proxy_adv *a, const struct mp_subnet *subnets,
			  size_t n, const uint16_t *addrs, size_t naddrs,
			  struct mp_proxy_adv_match *out)
{
	size_t i, k;

	if (!a || !out || (n && !subnets) || (naddrs && !addrs) || !type_len(a->type))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		size_t keys = subnets[i].phase == MP_KR_NORMAL ? 1 : 2;

		for (k = 0; k < keys; k++) {
			uint16_t addr = 0;
			int r = try_key(a, &subnets[i].key[k], addrs, naddrs, &addr);

			if (r < 0)
				return r;
			if (r) {
				out->subnet = i;
				out->new_key = k == 1;
				out->addr = addr;
				return 0;
			}
		}
	}
	return -ENOENT;
}
