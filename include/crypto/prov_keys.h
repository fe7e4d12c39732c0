/* Key derivations of the provisioning protocol. MshPRT v1.1 5.4.2.4, 5.4.2.5.
 *
 * Both algorithms of Mesh Protocol 1.1:
 *   BTM_ECDH_P256_CMAC_AES128_AES_CCM  (16-octet Random, AuthValue, Confirmation)
 *   BTM_ECDH_P256_HMAC_SHA256_AES_CCM  (32-octet Random, AuthValue, Confirmation)
 * All functions return 0 or a negative errno (see crypto.h).
 */
#ifndef MP_CRYPTO_PROV_KEYS_H
#define MP_CRYPTO_PROV_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum mp_prov_alg {
	MP_ALG_CMAC = 0,	/* BTM_ECDH_P256_CMAC_AES128_AES_CCM */
	MP_ALG_HMAC = 1,	/* BTM_ECDH_P256_HMAC_SHA256_AES_CCM */
};

/* Length of ConfirmationInputs: Invite 1 + Capabilities 11 + Start 5 + two public keys. */
#define MP_CONF_INPUTS_LEN (1 + 11 + 5 + 64 + 64)
#define MP_PROV_DATA_LEN 25	/* NetKey 16, index 2, flags 1, IV 4, address 2 */
#define MP_PROV_MIC_LEN 8

/** Length of Random, AuthValue, Confirmation and ConfirmationSalt for @alg: 16 or 32. */
size_t mp_prov_alg_len(enum mp_prov_alg alg);

/* The secrets of one provisioning session, derived step by step. */
struct mp_prov_keys {
	enum mp_prov_alg alg;
	uint8_t conf_salt[32];		/* s1 (16) or s2 (32) of ConfirmationInputs */
	uint8_t conf_key[32];		/* k1 (16) or k5 (32) */
	uint8_t prov_salt[16];
	uint8_t session_key[16];
	uint8_t session_nonce[13];
	uint8_t device_key[16];
};

/**
 * ConfirmationSalt and ConfirmationKey from ConfirmationInputs, the ECDH
 * secret and the AuthValue (mp_prov_alg_len(alg) octets; only k5 uses it, so it
 * may be NULL for MP_ALG_CMAC). Wipes @k first: this starts a session.
 * MshPRT 5.4.2.4.1
 */
int mp_prov_confirmation_key(struct mp_prov_keys *k, enum mp_prov_alg alg,
			     const uint8_t inputs[MP_CONF_INPUTS_LEN],
			     const uint8_t ecdh[32], const uint8_t *auth_value);

/**
 * Confirmation = AES-CMAC_ConfirmationKey(Random || AuthValue) for CMAC, or
 * HMAC-SHA256_ConfirmationKey(Random) for HMAC; @random and @out are
 * mp_prov_alg_len() octets; @auth_value may be NULL for HMAC. MshPRT 5.4.2.4.1
 */
int mp_prov_confirmation(const struct mp_prov_keys *k, const uint8_t *random,
			 const uint8_t *auth_value, uint8_t *out);

/**
 * ProvisioningSalt, SessionKey, SessionNonce and DeviceKey from the two
 * Randoms and the ECDH secret. MshPRT 5.4.2.5
 */
int mp_prov_session_keys(struct mp_prov_keys *k, const uint8_t *random_prov,
			 const uint8_t *random_dev, const uint8_t ecdh[32]);

/** Encrypt the 25-octet Provisioning Data; @out 25 octets, @mic 8. */
int mp_prov_data_encrypt(const struct mp_prov_keys *k, const uint8_t data[MP_PROV_DATA_LEN],
			 uint8_t out[MP_PROV_DATA_LEN], uint8_t mic[MP_PROV_MIC_LEN]);
/** Decrypt and authenticate; -EBADMSG on a MIC mismatch. */
int mp_prov_data_decrypt(const struct mp_prov_keys *k, const uint8_t in[MP_PROV_DATA_LEN],
			 const uint8_t mic[MP_PROV_MIC_LEN], uint8_t data[MP_PROV_DATA_LEN]);

/** Wipe every secret in @k. */
void mp_prov_keys_wipe(struct mp_prov_keys *k);

#endif
