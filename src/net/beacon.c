/* Secure Network and Mesh Private beacons. See include/net/beacon.h. */
#include "net/beacon.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"

/* The authenticated part of a Secure Network beacon: Flags || Network ID ||
 * IV Index, 13 octets. */
static void snb_auth_input(uint8_t flags, const uint8_t network_id[8], uint32_t iv_index,
			   uint8_t in[13])
{
	in[0] = flags;
	memcpy(in + 1, network_id, 8);
	mp_store_be32(in + 9, iv_index);
}

/* MshPRT v1.1 3.10.3: the first 8 octets of
 * AES-CMAC_BeaconKey(Flags || Network ID || IV Index). */
static int snb_auth(const uint8_t beacon_key[16], uint8_t flags, const uint8_t network_id[8],
		    uint32_t iv_index, uint8_t auth[8])
{
	uint8_t in[13], mac[16];
	int ret;

	snb_auth_input(flags, network_id, iv_index, in);
	ret = mp_aes_cmac(beacon_key, in, sizeof(in), mac);
	if (!ret)
		memcpy(auth, mac, 8);
	return ret;
}

ssize_t mp_snb_encode(const struct mp_net_keys *keys, uint8_t flags, uint32_t iv_index,
		      uint8_t *out, size_t cap)
{
	int ret;

	if (!keys || !out)
		return -EINVAL;
	if (cap < MP_SNB_LEN)
		return -ENOSPC;
	out[0] = MP_BEACON_SECURE_NETWORK;
	snb_auth_input(flags, keys->network_id, iv_index, out + 1);
	ret = snb_auth(keys->beacon_key, flags, keys->network_id, iv_index, out + 14);
	if (ret) {
		mp_wipe(out, MP_SNB_LEN);
		return ret;
	}
	return MP_SNB_LEN;
}

/* The checks every beacon decoder makes first: type, then exact length. */
static int beacon_shape(const uint8_t *b, size_t len, uint8_t type, size_t want)
{
	if (!b)
		return -EINVAL;
	if (len < 1)
		return -ENODATA;
	if (b[0] != type)
		return -EPROTOTYPE;
	if (len < want)
		return -ENODATA;
	return len > want ? -EMSGSIZE : 0;
}

int mp_snb_parse(const uint8_t *b, size_t len, struct mp_snb *out)
{
	struct mp_reader r;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	ret = beacon_shape(b, len, MP_BEACON_SECURE_NETWORK, MP_SNB_LEN);
	if (ret)
		return ret;
	mp_reader_init(&r, b + 1, len - 1);
	mp_get_u8(&r, &out->flags);
	mp_get_bytes(&r, out->network_id, sizeof(out->network_id));
	mp_get_be32(&r, &out->iv_index);
	mp_get_bytes(&r, out->auth, sizeof(out->auth));
	return mp_reader_done(&r) ? 0 : -EMSGSIZE;
}

int mp_snb_authenticate(const struct mp_snb *snb, const uint8_t beacon_key[16])
{
	uint8_t auth[8];
	int ret;

	if (!snb || !beacon_key)
		return -EINVAL;
	/* The RFU flag bits are authenticated as received. */
	ret = snb_auth(beacon_key, snb->flags, snb->network_id, snb->iv_index, auth);
	if (ret)
		return ret;
	return mp_ct_equal(auth, snb->auth, sizeof(auth)) ? 0 : -EBADMSG;
}

int mp_snb_rx(const struct mp_subnet *subnets, size_t n, const uint8_t *b, size_t len,
	      struct mp_snb_rx *rx)
{
	int ret, first = -ENOKEY;
	size_t i, k;

	if ((!subnets && n) || !rx)
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	ret = mp_snb_parse(b, len, &rx->snb);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		size_t nkeys = subnets[i].phase == MP_KR_NORMAL ? 1 : 2;

		for (k = 0; k < nkeys; k++) {
			const struct mp_net_keys *key = &subnets[i].key[k];

			if (memcmp(key->network_id, rx->snb.network_id, 8) != 0)
				continue;
			ret = mp_snb_authenticate(&rx->snb, key->beacon_key);
			if (ret == 0) {
				rx->subnet = i;
				rx->new_key = k == 1;
				return 0;
			}
			if (first == -ENOKEY)
				first = ret;
		}
	}
	memset(rx, 0, sizeof(*rx));
	return first;
}

ssize_t mp_private_beacon_encode(const uint8_t private_beacon_key[16],
				 const uint8_t random[MP_PRIVATE_RANDOM_LEN], uint8_t flags,
				 uint32_t iv_index, uint8_t *out, size_t cap)
{
	uint8_t data[5];
	int ret;

	if (!private_beacon_key || !random || !out)
		return -EINVAL;
	if (cap < MP_PRIVATE_BEACON_LEN)
		return -ENOSPC;
	data[0] = flags;
	mp_store_be32(data + 1, iv_index);
	out[0] = MP_BEACON_MESH_PRIVATE;
	memcpy(out + 1, random, MP_PRIVATE_RANDOM_LEN);
	/* MshPRT v1.1 3.10.4: the obfuscation and the tag are AES-CCM
	 * with the Random as nonce, no additional data and an 8-octet MIC. */
	ret = mp_aes_ccm_encrypt(private_beacon_key, random, NULL, 0, data, sizeof(data),
				 out + 14, out + 19, 8);
	if (ret) {
		mp_wipe(out, MP_PRIVATE_BEACON_LEN);
		return ret;
	}
	return MP_PRIVATE_BEACON_LEN;
}

int mp_private_beacon_parse(const uint8_t *b, size_t len, struct mp_private_beacon *out)
{
	struct mp_reader r;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	ret = beacon_shape(b, len, MP_BEACON_MESH_PRIVATE, MP_PRIVATE_BEACON_LEN);
	if (ret)
		return ret;
	mp_reader_init(&r, b + 1, len - 1);
	mp_get_bytes(&r, out->random, sizeof(out->random));
	mp_get_bytes(&r, out->obfuscated, sizeof(out->obfuscated));
	mp_get_bytes(&r, out->tag, sizeof(out->tag));
	return mp_reader_done(&r) ? 0 : -EMSGSIZE;
}

int mp_private_beacon_open(const struct mp_private_beacon *pb,
			   const uint8_t private_beacon_key[16], uint8_t *flags,
			   uint32_t *iv_index)
{
	uint8_t data[5];
	int ret;

	if (!pb || !private_beacon_key || !flags || !iv_index)
		return -EINVAL;
	ret = mp_aes_ccm_decrypt(private_beacon_key, pb->random, NULL, 0, pb->obfuscated,
				 sizeof(pb->obfuscated), data, pb->tag, sizeof(pb->tag));
	if (ret)
		return ret;
	*flags = data[0];
	*iv_index = mp_be32(data + 1);
	return 0;
}

int mp_private_beacon_rx(const struct mp_subnet *subnets, size_t n, const uint8_t *b, size_t len,
			 struct mp_private_beacon_rx *rx)
{
	struct mp_private_beacon pb;
	size_t i, k;
	int ret;

	if ((!subnets && n) || !rx)
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	ret = mp_private_beacon_parse(b, len, &pb);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		size_t nkeys = subnets[i].phase == MP_KR_NORMAL ? 1 : 2;

		for (k = 0; k < nkeys; k++) {
			ret = mp_private_beacon_open(&pb, subnets[i].key[k].private_beacon_key,
						     &rx->flags, &rx->iv_index);
			if (ret == 0) {
				rx->subnet = i;
				rx->new_key = k == 1;
				return 0;
			}
			if (ret != -EBADMSG)
				return ret;
		}
	}
	return -EBADMSG;
}
