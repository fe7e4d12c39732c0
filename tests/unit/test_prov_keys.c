/* crypto/prov_keys.h: the provisioning key schedule end to end against the
 * specification's sample data for both algorithms (MshPRT v1.1 8.17.1 CMAC,
 * 8.17.2 HMAC), step by step, plus argument and tamper checks. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"

/* One algorithm's sample data: provisioning_cmac / provisioning_hmac. */
struct sample {
	const char *key;	/* object in mesh-vectors.json */
	const char *section;
	enum mp_prov_alg alg;
};

static const struct sample samples[] = {
	{ "provisioning_cmac", "MshPRT 8.17.1", MP_ALG_CMAC },
	{ "provisioning_hmac", "MshPRT 8.17.2", MP_ALG_HMAC },
};

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (p[n])
			return false;
	return true;
}

static struct json_object *sv(const struct sample *s)
{
	return tu_get(tu_vectors(), s->key);
}

static void hex_exact(struct json_object *v, const char *path, uint8_t *out, size_t len)
{
	assert_int_equal(tu_hex(v, path, out, len), len);
}

static void sample_pub(struct json_object *v, const char *who, uint8_t pub[64])
{
	char path[64];

	snprintf(path, sizeof(path), "%s_public_key_x", who);
	hex_exact(v, path, pub, 32);
	snprintf(path, sizeof(path), "%s_public_key_y", who);
	hex_exact(v, path, pub + 32, 32);
}

static struct mp_ecc_key *sample_key(struct json_object *v, const char *who)
{
	struct mp_ecc_key *k = NULL;
	uint8_t priv[32];
	char path[64];

	snprintf(path, sizeof(path), "%s_private_key", who);
	hex_exact(v, path, priv, 32);
	assert_int_equal(mp_ecc_key_from_private(priv, &k), 0);
	mp_wipe(priv, sizeof(priv));
	return k;
}

/* ConfirmationInputs = Invite || Capabilities || Start || PubKeyProv ||
 * PubKeyDev (the PDU parameters, without opcodes). MshPRT v1.1 5.4.2.4.1 */
static void sample_inputs(struct json_object *v, uint8_t in[MP_CONF_INPUTS_LEN])
{
	hex_exact(v, "invite_pdu_value", in, 1);
	hex_exact(v, "capabilities_pdu_value", in + 1, 11);
	hex_exact(v, "start_pdu_value", in + 12, 5);
	sample_pub(v, "provisioner", in + 17);
	sample_pub(v, "device", in + 17 + 64);
}

/* Runs the key schedule over the sample data up to the session keys. */
static void sample_keys(const struct sample *s, struct mp_prov_keys *k)
{
	struct json_object *v = sv(s);
	uint8_t in[MP_CONF_INPUTS_LEN], ecdh[32], auth[32], rp[32], rd[32];
	size_t len = mp_prov_alg_len(s->alg);

	sample_inputs(v, in);
	hex_exact(v, "ecdh_secret", ecdh, 32);
	hex_exact(v, "auth_value", auth, len);
	hex_exact(v, "random_provisioner", rp, len);
	hex_exact(v, "random_device", rd, len);
	assert_int_equal(mp_prov_confirmation_key(k, s->alg, in, ecdh, auth), 0);
	assert_int_equal(mp_prov_session_keys(k, rp, rd, ecdh), 0);
}

static void test_public_keys(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	struct mp_ecc_key *kp = sample_key(v, "provisioner"), *kd = sample_key(v, "device");
	uint8_t exp[64], pub[64];

	sample_pub(v, "provisioner", exp);
	mp_ecc_key_public(kp, pub);
	tu_assert_bytes(pub, exp, 64);
	assert_true(mp_ecc_public_valid(pub));
	sample_pub(v, "device", exp);
	mp_ecc_key_public(kd, pub);
	tu_assert_bytes(pub, exp, 64);
	assert_true(mp_ecc_public_valid(pub));
	mp_ecc_key_free(kp);
	mp_ecc_key_free(kd);
}

/* Both sides reach the sample's ECDHSecret. */
static void test_ecdh_both_sides(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	struct mp_ecc_key *kp = sample_key(v, "provisioner"), *kd = sample_key(v, "device");
	uint8_t pp[64], pd[64], exp[32], out[32];

	hex_exact(v, "ecdh_secret", exp, 32);
	sample_pub(v, "provisioner", pp);
	sample_pub(v, "device", pd);
	assert_int_equal(mp_ecdh(kp, pd, out), 0);
	tu_assert_bytes(out, exp, 32);
	memset(out, 0, sizeof(out));
	assert_int_equal(mp_ecdh(kd, pp, out), 0);
	tu_assert_bytes(out, exp, 32);
	mp_ecc_key_free(kp);
	mp_ecc_key_free(kd);
}

static void test_confirmation_inputs(void **state)
{
	const struct sample *s = *state;
	uint8_t in[MP_CONF_INPUTS_LEN], exp[MP_CONF_INPUTS_LEN + 1];

	sample_inputs(sv(s), in);
	assert_int_equal(tu_hex(sv(s), "confirmation_inputs", exp, sizeof(exp)),
			 MP_CONF_INPUTS_LEN);
	tu_assert_bytes(in, exp, MP_CONF_INPUTS_LEN);
}

/* ConfirmationSalt, the T of k1/k5, and ConfirmationKey. */
static void test_confirmation_key(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	const size_t len = mp_prov_alg_len(s->alg);
	uint8_t in[MP_CONF_INPUTS_LEN], ecdh[32], auth[32], exp[32], t[32], n[64];
	struct mp_prov_keys k;

	sample_inputs(v, in);
	hex_exact(v, "ecdh_secret", ecdh, 32);
	hex_exact(v, "auth_value", auth, len);
	memset(&k, 0x5a, sizeof(k));
	assert_int_equal(mp_prov_confirmation_key(&k, s->alg, in, ecdh, auth), 0);
	assert_int_equal(k.alg, s->alg);

	hex_exact(v, "confirmation_salt", exp, len);
	tu_assert_bytes(k.conf_salt, exp, len);
	hex_exact(v, "confirmation_key", exp, len);
	tu_assert_bytes(k.conf_key, exp, len);

	if (s->alg == MP_ALG_CMAC) {
		/* k1: T = AES-CMAC_ConfirmationSalt(ECDHSecret), P = "prck" */
		hex_exact(v, "confirmation_key_k1_t", exp, 16);
		assert_int_equal(mp_aes_cmac(k.conf_salt, ecdh, 32, t), 0);
		tu_assert_bytes(t, exp, 16);
		assert_int_equal(tu_hex(v, "confirmation_key_k1_p", exp, sizeof(exp)), 4);
		assert_memory_equal(exp, "prck", 4);
	} else {
		/* k5: T = HMAC-SHA256_ConfirmationSalt(ECDHSecret || AuthValue) */
		hex_exact(v, "confirmation_key_k5_t", exp, 32);
		memcpy(n, ecdh, 32);
		memcpy(n + 32, auth, 32);
		assert_int_equal(mp_hmac_sha256(k.conf_salt, n, 64, t), 0);
		tu_assert_bytes(t, exp, 32);
		assert_int_equal(tu_hex(v, "confirmation_key_k5_p", exp, sizeof(exp)), 7);
		assert_memory_equal(exp, "prck256", 7);
	}
	/* nothing of an earlier session survives the new start */
	assert_true(all_zero(k.prov_salt, sizeof(k.prov_salt)));
	assert_true(all_zero(k.session_key, sizeof(k.session_key)));
	assert_true(all_zero(k.session_nonce, sizeof(k.session_nonce)));
	assert_true(all_zero(k.device_key, sizeof(k.device_key)));
	if (s->alg == MP_ALG_CMAC)
		assert_true(all_zero(k.conf_salt + 16, 16) && all_zero(k.conf_key + 16, 16));
}

/* Both Confirmations, and their inputs Random || AuthValue where given. */
static void test_confirmations(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	const size_t len = mp_prov_alg_len(s->alg);
	uint8_t in[MP_CONF_INPUTS_LEN], ecdh[32], auth[32], rnd[32], exp[64], out[32];
	struct mp_prov_keys k;
	static const char *const who[] = { "provisioner", "device" };
	size_t i;

	sample_inputs(v, in);
	hex_exact(v, "ecdh_secret", ecdh, 32);
	hex_exact(v, "auth_value", auth, len);
	assert_int_equal(mp_prov_confirmation_key(&k, s->alg, in, ecdh, auth), 0);

	for (i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "random_%s", who[i]);
		hex_exact(v, path, rnd, len);
		snprintf(path, sizeof(path), "confirmation_%s_input", who[i]);
		if (json_object_object_get_ex(v, path, NULL)) {
			hex_exact(v, path, exp, 2 * len);
			tu_assert_bytes(rnd, exp, len);
			tu_assert_bytes(auth, exp + len, len);
		}
		snprintf(path, sizeof(path), "confirmation_%s", who[i]);
		hex_exact(v, path, exp, len);
		memset(out, 0, sizeof(out));
		assert_int_equal(mp_prov_confirmation(&k, rnd, auth, out), 0);
		tu_assert_bytes(out, exp, len);

		/* the Confirmation depends on the Random ... */
		rnd[len - 1] ^= 1;
		assert_int_equal(mp_prov_confirmation(&k, rnd, auth, out), 0);
		assert_false(mp_ct_equal(out, exp, len));
		rnd[len - 1] ^= 1;
	}
	/* ... and on the AuthValue: through the MAC input for CMAC, through
	 * the ConfirmationKey (k5) for HMAC. */
	auth[0] ^= 0x01;
	if (s->alg == MP_ALG_CMAC) {
		assert_int_equal(mp_prov_confirmation(&k, rnd, auth, out), 0);
	} else {
		assert_int_equal(mp_prov_confirmation_key(&k, s->alg, in, ecdh, auth), 0);
		assert_int_equal(mp_prov_confirmation(&k, rnd, NULL, out), 0);
	}
	assert_false(mp_ct_equal(out, exp, len));
	mp_prov_keys_wipe(&k);
}

/* ProvisioningSalt, the shared k1 T, SessionKey, SessionNonce, DeviceKey. */
static void test_session_keys(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	const size_t len = mp_prov_alg_len(s->alg);
	uint8_t ecdh[32], rp[32], rd[32], exp[96], t[16], out[16];
	struct mp_prov_keys k;

	sample_keys(s, &k);
	hex_exact(v, "ecdh_secret", ecdh, 32);
	hex_exact(v, "random_provisioner", rp, len);
	hex_exact(v, "random_device", rd, len);

	hex_exact(v, "provisioning_salt_input", exp, 3 * len);
	tu_assert_bytes(k.conf_salt, exp, len);
	tu_assert_bytes(rp, exp + len, len);
	tu_assert_bytes(rd, exp + 2 * len, len);
	/* 16 octets for both algorithms (s1) */
	hex_exact(v, "provisioning_salt", exp, 16);
	tu_assert_bytes(k.prov_salt, exp, 16);

	hex_exact(v, "session_k1_t", exp, 16);
	assert_int_equal(mp_aes_cmac(k.prov_salt, ecdh, 32, t), 0);
	tu_assert_bytes(t, exp, 16);

	hex_exact(v, "session_key", exp, 16);
	tu_assert_bytes(k.session_key, exp, 16);
	hex_exact(v, "session_nonce_full", exp, 16);
	assert_int_equal(mp_k1(ecdh, 32, k.prov_salt, (const uint8_t *)"prsn", 4, out), 0);
	tu_assert_bytes(out, exp, 16);
	tu_assert_bytes(k.session_nonce, exp + 3, 13);
	hex_exact(v, "session_nonce", exp, 13);
	tu_assert_bytes(k.session_nonce, exp, 13);
	hex_exact(v, "device_key", exp, 16);
	tu_assert_bytes(k.device_key, exp, 16);

	/* the labels, where the sample prints them */
	if (json_object_object_get_ex(v, "session_key_k1_p", NULL)) {
		hex_exact(v, "session_key_k1_p", exp, 4);
		assert_memory_equal(exp, "prsk", 4);
		hex_exact(v, "session_nonce_k1_p", exp, 4);
		assert_memory_equal(exp, "prsn", 4);
		hex_exact(v, "device_key_k1_p", exp, 4);
		assert_memory_equal(exp, "prdk", 4);
	}
	mp_prov_keys_wipe(&k);
}

/* Provisioning Data: layout, encryption + MIC, decryption, and any one bit
 * flipped in the encrypted data or the MIC gives -EBADMSG. */
static void test_provisioning_data(void **state)
{
	const struct sample *s = *state;
	struct json_object *v = sv(s);
	uint8_t data[MP_PROV_DATA_LEN], exp[MP_PROV_DATA_LEN], enc[MP_PROV_DATA_LEN];
	uint8_t mic[MP_PROV_MIC_LEN], exp_mic[MP_PROV_MIC_LEN], out[MP_PROV_DATA_LEN];
	struct mp_prov_keys k;
	size_t bit;

	/* NetKey || KeyIndex || Flags || IV Index || Unicast Address */
	hex_exact(v, "net_key", data, 16);
	hex_exact(v, "net_key_index", data + 16, 2);
	hex_exact(v, "flags", data + 18, 1);
	hex_exact(v, "iv_index", data + 19, 4);
	hex_exact(v, "unicast_address", data + 23, 2);
	hex_exact(v, "provisioning_data", exp, MP_PROV_DATA_LEN);
	tu_assert_bytes(data, exp, MP_PROV_DATA_LEN);

	sample_keys(s, &k);
	assert_int_equal(mp_prov_data_encrypt(&k, data, enc, mic), 0);
	hex_exact(v, "encrypted_provisioning_data", exp, MP_PROV_DATA_LEN);
	tu_assert_bytes(enc, exp, MP_PROV_DATA_LEN);
	hex_exact(v, "provisioning_data_mic", exp_mic, MP_PROV_MIC_LEN);
	tu_assert_bytes(mic, exp_mic, MP_PROV_MIC_LEN);

	assert_int_equal(mp_prov_data_decrypt(&k, enc, mic, out), 0);
	tu_assert_bytes(out, data, MP_PROV_DATA_LEN);

	for (bit = 0; bit < 8 * (MP_PROV_DATA_LEN + MP_PROV_MIC_LEN); bit++) {
		uint8_t e[MP_PROV_DATA_LEN], m[MP_PROV_MIC_LEN];

		memcpy(e, enc, sizeof(e));
		memcpy(m, mic, sizeof(m));
		if (bit < 8 * MP_PROV_DATA_LEN)
			e[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		else
			m[bit / 8 - MP_PROV_DATA_LEN] ^= (uint8_t)(1u << (bit % 8));
		memset(out, 0xa5, sizeof(out));
		assert_int_equal(mp_prov_data_decrypt(&k, e, m, out), -EBADMSG);
		assert_true(all_zero(out, sizeof(out)));
	}
	/* the other session's keys do not open it */
	k.session_nonce[0] ^= 0x01;
	assert_int_equal(mp_prov_data_decrypt(&k, enc, mic, out), -EBADMSG);
	mp_prov_keys_wipe(&k);
}

/* A whole exchange with fresh keys and randoms: the provisioner and the
 * device, each from its own ECDH, check each other's Confirmation and agree
 * on every key; the device opens the provisioner's data. */
static void test_fresh_session_agrees(void **state)
{
	const struct sample *s = *state;
	const size_t len = mp_prov_alg_len(s->alg);
	struct mp_ecc_key *kp = NULL, *kd = NULL;
	struct mp_prov_keys p, d;
	uint8_t in[MP_CONF_INPUTS_LEN] = { 0 }, ep[32], ed[32], auth[32], rp[32], rd[32];
	uint8_t cp[32], cd[32], check[32], data[MP_PROV_DATA_LEN], enc[MP_PROV_DATA_LEN];
	uint8_t mic[MP_PROV_MIC_LEN], out[MP_PROV_DATA_LEN];

	assert_int_equal(mp_ecc_key_generate(NULL, &kp), 0);
	assert_int_equal(mp_ecc_key_generate(NULL, &kd), 0);
	mp_ecc_key_public(kp, in + 17);
	mp_ecc_key_public(kd, in + 17 + 64);
	assert_int_equal(mp_ecdh(kp, in + 17 + 64, ep), 0);
	assert_int_equal(mp_ecdh(kd, in + 17, ed), 0);
	tu_assert_bytes(ep, ed, 32);
	assert_int_equal(mp_random(auth, len), 0);
	assert_int_equal(mp_random(rp, len), 0);
	assert_int_equal(mp_random(rd, len), 0);
	assert_int_equal(mp_random(data, sizeof(data)), 0);

	assert_int_equal(mp_prov_confirmation_key(&p, s->alg, in, ep, auth), 0);
	assert_int_equal(mp_prov_confirmation_key(&d, s->alg, in, ed, auth), 0);
	assert_int_equal(mp_prov_confirmation(&p, rp, auth, cp), 0);
	assert_int_equal(mp_prov_confirmation(&d, rd, auth, cd), 0);
	/* each side recomputes the other's Confirmation from its Random */
	assert_int_equal(mp_prov_confirmation(&d, rp, auth, check), 0);
	assert_true(mp_ct_equal(check, cp, len));
	assert_int_equal(mp_prov_confirmation(&p, rd, auth, check), 0);
	assert_true(mp_ct_equal(check, cd, len));

	assert_int_equal(mp_prov_session_keys(&p, rp, rd, ep), 0);
	assert_int_equal(mp_prov_session_keys(&d, rp, rd, ed), 0);
	assert_memory_equal(&p, &d, sizeof(p));
	assert_int_equal(mp_prov_data_encrypt(&p, data, enc, mic), 0);
	assert_int_equal(mp_prov_data_decrypt(&d, enc, mic, out), 0);
	tu_assert_bytes(out, data, sizeof(data));

	mp_prov_keys_wipe(&p);
	assert_true(all_zero((const uint8_t *)&p, sizeof(p)));
	mp_prov_keys_wipe(&d);
	mp_ecc_key_free(kp);
	mp_ecc_key_free(kd);
}

static void test_alg_len(void **state)
{
	assert_int_equal(mp_prov_alg_len(MP_ALG_CMAC), 16);
	assert_int_equal(mp_prov_alg_len(MP_ALG_HMAC), 32);
	assert_int_equal(mp_prov_alg_len((enum mp_prov_alg)2), 0);
}

static void test_bad_arguments(void **state)
{
	uint8_t in[MP_CONF_INPUTS_LEN] = { 0 }, ecdh[32] = { 1 }, auth[32] = { 0 }, r[32] = { 0 };
	uint8_t out[32];
	struct mp_prov_keys k;

	assert_int_equal(mp_prov_confirmation_key(&k, (enum mp_prov_alg)2, in, ecdh, auth),
			 -EINVAL);
	assert_int_equal(mp_prov_confirmation_key(NULL, MP_ALG_CMAC, in, ecdh, auth), -EINVAL);
	assert_int_equal(mp_prov_confirmation_key(&k, MP_ALG_CMAC, in, NULL, auth), -EINVAL);
	/* HMAC needs the AuthValue for k5; CMAC only in the Confirmation */
	assert_int_equal(mp_prov_confirmation_key(&k, MP_ALG_HMAC, in, ecdh, NULL), -EINVAL);
	assert_int_equal(mp_prov_confirmation_key(&k, MP_ALG_CMAC, in, ecdh, NULL), 0);
	assert_int_equal(mp_prov_confirmation(&k, r, NULL, out), -EINVAL);
	assert_int_equal(mp_prov_confirmation(&k, r, auth, out), 0);

	k.alg = (enum mp_prov_alg)7;
	assert_int_equal(mp_prov_confirmation(&k, r, auth, out), -EINVAL);
	assert_int_equal(mp_prov_session_keys(&k, r, r, ecdh), -EINVAL);
	assert_int_equal(mp_prov_data_encrypt(NULL, in, out, out), -EINVAL);
	mp_prov_keys_wipe(NULL);
}

static struct CMUnitTest *tests;
static char **names;
static size_t ntests, captests;

static void add_test(char *name, CMUnitTestFunction fn, const void *arg)
{
	if (ntests == captests) {
		captests = captests ? 2 * captests : 32;
		tests = realloc(tests, captests * sizeof(*tests));
		names = realloc(names, captests * sizeof(*names));
		if (!tests || !names)
			abort();
	}
	names[ntests] = name;
	tests[ntests++] = (struct CMUnitTest){ .name = name, .test_func = fn,
					       .initial_state = (void *)arg };
}

/* "MshPRT 8.17.1 BTM_ECDH_P256_CMAC_AES128_AES_CCM: <step>" */
static void add_sample_test(const struct sample *s, const char *step, CMUnitTestFunction fn)
{
	const char *alg = tu_str(sv(s), "algorithm");
	size_t len = strlen(s->section) + strlen(alg) + strlen(step) + 4;
	char *name = malloc(len);

	if (!name)
		abort();
	snprintf(name, len, "%s %s: %s", s->section, alg, step);
	add_test(name, fn, s);
}

int main(void)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		add_sample_test(s, "public keys from private keys", test_public_keys);
		add_sample_test(s, "ECDH secret, both sides", test_ecdh_both_sides);
		add_sample_test(s, "ConfirmationInputs", test_confirmation_inputs);
		add_sample_test(s, "ConfirmationSalt and ConfirmationKey", test_confirmation_key);
		add_sample_test(s, "both Confirmations", test_confirmations);
		add_sample_test(s, "ProvisioningSalt, SessionKey, SessionNonce, DeviceKey",
				test_session_keys);
		add_sample_test(s, "Provisioning Data encrypt, decrypt, tamper",
				test_provisioning_data);
		add_sample_test(s, "fresh session, both sides agree", test_fresh_session_agrees);
	}
	add_test(NULL, test_alg_len, NULL);
	tests[ntests - 1].name = "test_alg_len";
	add_test(NULL, test_bad_arguments, NULL);
	tests[ntests - 1].name = "test_bad_arguments";

	ret = _cmocka_run_group_tests("prov_keys", tests, ntests, NULL, NULL);
	for (i = 0; i < ntests; i++)
		free(names[i]);
	free(names);
	free(tests);
	return ret;
}
