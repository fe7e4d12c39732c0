/* Key derivations of the provisioning protocol, MshPRT v1.1 5.4.2.4 and
 * 5.4.2.5, for both algorithms. See include/crypto/prov_keys.h. */
#include "crypto/prov_keys.h"

#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"

/* The ASCII labels P of k1/k5. MshPRT v1.1 5.4.2.4.1, 5.4.2.5 */
static const uint8_t label_prck[] = { 'p', 'r', 'c', 'k' };
static const uint8_t label_prck256[] = { 'p', 'r', 'c', 'k', '2', '5', '6' };
static const uint8_t label_prsk[] = { 'p', 'r', 's', 'k' };
static const uint8_t label_prsn[] = { 'p', 'r', 's', 'n' };
static const uint8_t label_prdk[] = { 'p', 'r', 'd', 'k' };

size_t mp_prov_alg_len(enum mp_prov_alg alg)
{
	switch (alg) {
	case MP_ALG_CMAC:
		return 16;
	case MP_ALG_HMAC:
		return 32;
	}
	return 0;
}

int mp_prov_confirmation_key(struct mp_prov_keys *k, enum mp_prov_alg alg,
			     const uint8_t inputs[MP_CONF_INPUTS_LEN],
			     const uint8_t ecdh[32], const uint8_t *auth_value)
{
	uint8_t n[MP_ECDH_SECRET_LEN + 32];
	int ret;

	if (!k || !inputs || !ecdh || !mp_prov_alg_len(alg))
		return -EINVAL;
	/* Only k5 (HMAC) takes the AuthValue here; CMAC uses it in the
	 * Confirmation instead. */
	if (alg == MP_ALG_HMAC && !auth_value)
		return -EINVAL;
	/* A new session starts here: forget whatever @k held. */
	mp_prov_keys_wipe(k);
	k->alg = alg;

	if (alg == MP_ALG_CMAC) {
		/* ConfirmationSalt = s1(ConfirmationInputs),
		 * ConfirmationKey = k1(ECDHSecret, ConfirmationSalt, "prck") */
		ret = mp_s1(inputs, MP_CONF_INPUTS_LEN, k->conf_salt);
		if (!ret)
			ret = mp_k1(ecdh, MP_ECDH_SECRET_LEN, k->conf_salt, label_prck,
				    sizeof(label_prck), k->conf_key);
	} else {
		/* ConfirmationSalt = s2(ConfirmationInputs), ConfirmationKey =
		 * k5(ECDHSecret || AuthValue, ConfirmationSalt, "prck256") */
		ret = mp_s2(inputs, MP_CONF_INPUTS_LEN, k->conf_salt);
		memcpy(n, ecdh, MP_ECDH_SECRET_LEN);
		memcpy(n + MP_ECDH_SECRET_LEN, auth_value, 32);
		if (!ret)
			ret = mp_k5(n, sizeof(n), k->conf_salt, label_prck256,
				    sizeof(label_prck256), k->conf_key);
		mp_wipe(n, sizeof(n));
	}
	if (ret) {
		mp_prov_keys_wipe(k);
		k->alg = alg;
	}
	return ret;
}

int mp_prov_confirmation(const struct mp_prov_keys *k, const uint8_t *random,
			 const uint8_t *auth_value, uint8_t *out)
{
	uint8_t msg[32];
	int ret;

	if (!k || !random || !out || !mp_prov_alg_len(k->alg))
		return -EINVAL;
	/* MshPRT v1.1 5.4.2.4.1: with HMAC the AuthValue is already in the
	 * ConfirmationKey (k5), so only the Random is MACed. */
	if (k->alg == MP_ALG_HMAC)
		return mp_hmac_sha256(k->conf_key, random, 32, out);
	if (!auth_value)
		return -EINVAL;
	memcpy(msg, random, 16);
	memcpy(msg + 16, auth_value, 16);
	ret = mp_aes_cmac(k->conf_key, msg, sizeof(msg), out);
	mp_wipe(msg, sizeof(msg));
	return ret;
}

int mp_prov_session_keys(struct mp_prov_keys *k, const uint8_t *random_prov,
			 const uint8_t *random_dev, const uint8_t ecdh[32])
{
	uint8_t salt_in[3 * 32], t[16], full[16];
	size_t len;
	int ret;

	if (!k || !random_prov || !random_dev || !ecdh)
		return -EINVAL;
	len = mp_prov_alg_len(k->alg);
	if (!len)
		return -EINVAL;

	/* MshPRT v1.1 5.4.2.5: ProvisioningSalt = s1(ConfirmationSalt ||
	 * RandomProvisioner || RandomDevice); 16 octets for both algorithms
	 * (s1 even for HMAC), over 48 or 96 octets of input. */
	memcpy(salt_in, k->conf_salt, len);
	memcpy(salt_in + len, random_prov, len);
	memcpy(salt_in + 2 * len, random_dev, len);
	ret = mp_s1(salt_in, 3 * len, k->prov_salt);
	if (ret)
		goto out;

	/* SessionKey, SessionNonce and DeviceKey are k1(ECDHSecret,
	 * ProvisioningSalt, label): the same T = AES-CMAC_ProvisioningSalt(ECDH)
	 * serves all three, so compute it once. */
	ret = mp_aes_cmac(k->prov_salt, ecdh, MP_ECDH_SECRET_LEN, t);
	if (!ret)
		ret = mp_aes_cmac(t, label_prsk, sizeof(label_prsk), k->session_key);
	if (!ret)
		ret = mp_aes_cmac(t, label_prsn, sizeof(label_prsn), full);
	if (!ret)	/* the 13 least significant octets */
		memcpy(k->session_nonce, full + 16 - sizeof(k->session_nonce),
		       sizeof(k->session_nonce));
	if (!ret)
		ret = mp_aes_cmac(t, label_prdk, sizeof(label_prdk), k->device_key);
out:
	if (ret) {
		mp_wipe(k->prov_salt, sizeof(k->prov_salt));
		mp_wipe(k->session_key, sizeof(k->session_key));
		mp_wipe(k->session_nonce, sizeof(k->session_nonce));
		mp_wipe(k->device_key, sizeof(k->device_key));
	}
	mp_wipe(t, sizeof(t));
	mp_wipe(full, sizeof(full));
	return ret;
}

/* MshPRT v1.1 5.4.2.5: AES-CCM under SessionKey and SessionNonce, 64-bit MIC. */
int mp_prov_data_encrypt(const struct mp_prov_keys *k, const uint8_t data[MP_PROV_DATA_LEN],
			 uint8_t out[MP_PROV_DATA_LEN], uint8_t mic[MP_PROV_MIC_LEN])
{
	if (!k)
		return -EINVAL;
	return mp_aes_ccm_encrypt(k->session_key, k->session_nonce, NULL, 0, data,
				  MP_PROV_DATA_LEN, out, mic, MP_PROV_MIC_LEN);
}

int mp_prov_data_decrypt(const struct mp_prov_keys *k, const uint8_t in[MP_PROV_DATA_LEN],
			 const uint8_t mic[MP_PROV_MIC_LEN], uint8_t data[MP_PROV_DATA_LEN])
{
	if (!k)
		return -EINVAL;
	return mp_aes_ccm_decrypt(k->session_key, k->session_nonce, NULL, 0, in,
				  MP_PROV_DATA_LEN, data, mic, MP_PROV_MIC_LEN);
}

void mp_prov_keys_wipe(struct mp_prov_keys *k)
{
	if (k)
		mp_wipe(k, sizeof(*k));
}
