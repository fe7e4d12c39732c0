/* Keys, nonces and hashes of a provisioned mesh network. See
 * include/crypto/mesh_keys.h.
 */
#include "crypto/mesh_keys.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"

int mp_net_cred_flooding(const uint8_t net_key[16], struct mp_net_cred *cred)
{
	static const uint8_t p = 0x00;

	if (!net_key || !cred)
		return -EINVAL;
	return mp_k2(net_key, &p, 1, &cred->nid, cred->enc_key, cred->priv_key);
}

int mp_net_cred_friendship(const uint8_t net_key[16], uint16_t lpn_addr, uint16_t friend_addr,
			   uint16_t lpn_counter, uint16_t friend_counter,
			   struct mp_net_cred *cred)
{
	uint8_t p[9];

	if (!net_key || !cred)
		return -EINVAL;
	p[0] = 0x01;
	mp_store_be16(p + 1, lpn_addr);
	mp_store_be16(p + 3, friend_addr);
	mp_store_be16(p + 5, lpn_counter);
	mp_store_be16(p + 7, friend_counter);
	return mp_k2(net_key, p, sizeof(p), &cred->nid, cred->enc_key, cred->priv_key);
}

/* k1(NetKey, s1(@label), "id128" || 0x01): IdentityKey, BeaconKey and
 * PrivateBeaconKey differ only in the salt's label. */
static int id128_key(const uint8_t net_key[16], const char label[4], uint8_t out[16])
{
	static const uint8_t id128[] = { 'i', 'd', '1', '2', '8', 0x01 };
	uint8_t salt[16];
	int ret;

	if (!net_key || !out)
		return -EINVAL;
	ret = mp_s1((const uint8_t *)label, 4, salt);
	if (!ret)
		ret = mp_k1(net_key, 16, salt, id128, sizeof(id128), out);
	return ret;
}

int mp_identity_key(const uint8_t net_key[16], uint8_t out[16])
{
	return id128_key(net_key, "nkik", out);
}

int mp_beacon_key(const uint8_t net_key[16], uint8_t out[16])
{
	return id128_key(net_key, "nkbk", out);
}

int mp_private_beacon_key(const uint8_t net_key[16], uint8_t out[16])
{
	return id128_key(net_key, "nkpk", out);
}

/* The layout all five nonces share: type, one octet, SEQ, SRC, two octets,
 * IV Index. MshPRT v1.1 3.9.5 */
static void nonce(uint8_t type, uint8_t second, uint32_t seq, uint16_t src, uint16_t dst,
		  uint32_t iv_index, uint8_t out[MP_NONCE_LEN])
{
	out[0] = type;
	out[1] = second;
	out[2] = (uint8_t)(seq >> 16);
	out[3] = (uint8_t)(seq >> 8);
	out[4] = (uint8_t)seq;
	mp_store_be16(out + 5, src);
	mp_store_be16(out + 7, dst);
	mp_store_be32(out + 9, iv_index);
}

void mp_nonce_network(bool ctl, uint8_t ttl, uint32_t seq, uint16_t src, uint32_t iv_index,
		      uint8_t out[MP_NONCE_LEN])
{
	nonce(MP_NONCE_NETWORK, (uint8_t)((ctl ? 0x80 : 0) | (ttl & 0x7f)), seq, src, 0x0000,
	      iv_index, out);
}

void mp_nonce_application(bool aszmic, uint32_t seq, uint16_t src, uint16_t dst,
			  uint32_t iv_index, uint8_t out[MP_NONCE_LEN])
{
	nonce(MP_NONCE_APPLICATION, aszmic ? 0x80 : 0, seq, src, dst, iv_index, out);
}

void mp_nonce_device(bool aszmic, uint32_t seq, uint16_t src, uint16_t dst,
		     uint32_t iv_index, uint8_t out[MP_NONCE_LEN])
{
	nonce(MP_NONCE_DEVICE, aszmic ? 0x80 : 0, seq, src, dst, iv_index, out);
}

void mp_nonce_proxy(uint32_t seq, uint16_t src, uint32_t iv_index, uint8_t out[MP_NONCE_LEN])
{
	nonce(MP_NONCE_PROXY, 0x00, seq, src, 0x0000, iv_index, out);
}

int mp_virtual_address(const uint8_t label_uuid[16], uint16_t *addr)
{
	static const uint8_t vtad[] = { 'v', 't', 'a', 'd' };
	uint8_t salt[16], hash[16];
	int ret;

	if (!label_uuid || !addr)
		return -EINVAL;
	ret = mp_s1(vtad, sizeof(vtad), salt);
	if (!ret)
		ret = mp_aes_cmac(salt, label_uuid, 16, hash);
	if (ret)
		return ret;
	*addr = (uint16_t)(0x8000 | (mp_be16(hash + 14) & 0x3fff));
	return 0;
}
