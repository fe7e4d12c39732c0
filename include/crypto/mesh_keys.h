/* Keys, nonces and hashes of a provisioned mesh network, built on the
 * derivation functions of crypto.h. MshPRT v1.1 3.9.5 (nonces), 3.9.6
 * (key derivations), 3.4.2.3 (virtual addresses).
 *
 * All functions return 0 or a negative errno (see crypto.h). Byte strings
 * are in on-air (big-endian) order, as the specification prints them.
 */
#ifndef MP_CRYPTO_MESH_KEYS_H
#define MP_CRYPTO_MESH_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#define MP_NONCE_LEN 13

/* Nonce types. MshPRT v1.1 3.9.5, Table 3.86 */
enum mp_nonce_type {
	MP_NONCE_NETWORK = 0x00,
	MP_NONCE_APPLICATION = 0x01,
	MP_NONCE_DEVICE = 0x02,
	MP_NONCE_PROXY = 0x03,
	MP_NONCE_PROXY_SOLICITATION = 0x04,
};

/* One set of network security credentials: the output of k2. */
struct mp_net_cred {
	uint8_t nid;			/* 7 bits */
	uint8_t enc_key[16];		/* EncryptionKey */
	uint8_t priv_key[16];		/* PrivacyKey */
};

/**
 * The managed flooding security credentials: k2(NetKey, 0x00).
 * MshPRT v1.1 3.9.6.3.1
 */
int mp_net_cred_flooding(const uint8_t net_key[16], struct mp_net_cred *cred);

/**
 * The friendship security credentials: k2(NetKey, 0x01 || LPNAddress ||
 * FriendAddress || LPNCounter || FriendCounter). MshPRT v1.1 3.9.6.3.1
 */
int mp_net_cred_friendship(const uint8_t net_key[16], uint16_t lpn_addr, uint16_t friend_addr,
			   uint16_t lpn_counter, uint16_t friend_counter,
			   struct mp_net_cred *cred);

/** IdentityKey = k1(NetKey, s1("nkik"), "id128" || 0x01). MshPRT v1.1 3.9.6.3.3 */
int mp_identity_key(const uint8_t net_key[16], uint8_t out[16]);
/** BeaconKey = k1(NetKey, s1("nkbk"), "id128" || 0x01). MshPRT v1.1 3.9.6.3.4 */
int mp_beacon_key(const uint8_t net_key[16], uint8_t out[16]);
/** PrivateBeaconKey = k1(NetKey, s1("nkpk"), "id128" || 0x01). MshPRT v1.1 3.9.6.3.5 */
int mp_private_beacon_key(const uint8_t net_key[16], uint8_t out[16]);

/**
 * Network nonce: 0x00 || CTL|TTL || SEQ || SRC || 0x0000 || IV Index.
 * MshPRT v1.1 3.9.5.1. @ttl is 7 bits, @seq 24.
 */
void mp_nonce_network(bool ctl, uint8_t ttl, uint32_t seq, uint16_t src, uint32_t iv_index,
		      uint8_t out[MP_NONCE_LEN]);
/**
 * Application nonce (0x01) or device nonce (0x02): type || ASZMIC<<7 ||
 * SEQ || SRC || DST || IV Index. MshPRT v1.1 3.9.5.2, 3.9.5.3. ASZMIC is 1
 * only for a segmented access message with a 64-bit TransMIC.
 */
void mp_nonce_application(bool aszmic, uint32_t seq, uint16_t src, uint16_t dst,
			  uint32_t iv_index, uint8_t out[MP_NONCE_LEN]);
void mp_nonce_device(bool aszmic, uint32_t seq, uint16_t src, uint16_t dst,
		     uint32_t iv_index, uint8_t out[MP_NONCE_LEN]);
/** Proxy nonce: 0x03 || 0x00 || SEQ || SRC || 0x0000 || IV Index. MshPRT v1.1 3.9.5.4 */
void mp_nonce_proxy(uint32_t seq, uint16_t src, uint32_t iv_index, uint8_t out[MP_NONCE_LEN]);

/**
 * The virtual address of a Label UUID: 0b10 in the top two bits and the
 * 14 low bits of AES-CMAC_s1("vtad")(Label UUID). MshPRT v1.1 3.4.2.3
 */
int mp_virtual_address(const uint8_t label_uuid[16], uint16_t *addr);

#endif
