/* crypto/crypto.h: the primitives and derivation functions against the
 * specification's sample data (MshPRT v1.1 section 8, one cmocka case per
 * vector, named after its section), AES-CCM with 4- and 8-octet MICs, P-256
 * key handling and public key validation, and the small helpers. */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define MAX_MSG 256

/* ---- the specification's sample data: tests/vectors/mesh-vectors.json ---- */

static bool has(struct json_object *v, const char *key)
{
	return json_object_object_get_ex(v, key, NULL);
}

/* The message of an s1/s2 entry: m_ascii as text or m as hex. */
static size_t vec_msg(struct json_object *v, uint8_t *out, size_t cap)
{
	if (has(v, "m_ascii")) {
		const char *s = tu_str(v, "m_ascii");
		size_t n = strlen(s);

		assert_true(n <= cap);
		memcpy(out, s, n);
		return n;
	}
	return tu_hex(v, "m", out, cap);
}

/* MshPRT v1.1 8.1.1 and the salts of 8.1.x/8.2.x: s1(M) */
static void test_vec_s1(void **state)
{
	struct json_object *v = *state;
	uint8_t m[MAX_MSG], exp[16], out[16];
	size_t n = vec_msg(v, m, sizeof(m));

	assert_int_equal(tu_hex(v, "expected", exp, sizeof(exp)), 16);
	assert_int_equal(mp_s1(m, n, out), 0);
	tu_assert_bytes(out, exp, 16);
}

/* k1, and its T = AES-CMAC_SALT(N) through mp_aes_cmac */
static void test_vec_k1(void **state)
{
	struct json_object *v = *state;
	uint8_t n[MAX_MSG], salt[16], p[MAX_MSG], t[16], exp[16], out[16];
	size_t nlen = tu_hex(v, "n", n, sizeof(n)), plen = tu_hex(v, "p", p, sizeof(p));

	assert_int_equal(tu_hex(v, "salt", salt, sizeof(salt)), 16);
	assert_int_equal(tu_hex(v, "t", t, sizeof(t)), 16);
	assert_int_equal(tu_hex(v, "expected", exp, sizeof(exp)), 16);

	assert_int_equal(mp_aes_cmac(salt, n, nlen, out), 0);
	tu_assert_bytes(out, t, 16);
	assert_int_equal(mp_aes_cmac(t, p, plen, out), 0);
	tu_assert_bytes(out, exp, 16);
	memset(out, 0, sizeof(out));
	assert_int_equal(mp_k1(n, nlen, salt, p, plen, out), 0);
	tu_assert_bytes(out, exp, 16);
}

/* k2 and its intermediates: s1("smk2"), T, T1..T3 */
static void test_vec_k2(void **state)
{
	static const uint8_t smk2[] = "smk2";
	struct json_object *v = *state;
	uint8_t n[16], p[MAX_MSG], salt[16], t[16], t1[16], t2[16], t3[16], exp_nid[1];
	uint8_t out[16], msg[16 + MAX_MSG + 1], nid = 0xff, enc[16], priv[16];
	size_t plen = tu_hex(v, "p", p, sizeof(p));

	assert_int_equal(tu_hex(v, "n", n, sizeof(n)), 16);
	tu_hex(v, "s1_smk2", salt, sizeof(salt));
	tu_hex(v, "t", t, sizeof(t));
	tu_hex(v, "t1", t1, sizeof(t1));
	tu_hex(v, "t2", t2, sizeof(t2));
	tu_hex(v, "t3", t3, sizeof(t3));
	tu_hex(v, "nid", exp_nid, sizeof(exp_nid));

	assert_int_equal(mp_s1(smk2, 4, out), 0);
	tu_assert_bytes(out, salt, 16);
	assert_int_equal(mp_aes_cmac(salt, n, 16, out), 0);
	tu_assert_bytes(out, t, 16);
	/* T1 = CMAC_T(P || 0x01), Ti = CMAC_T(Ti-1 || P || i) */
	memcpy(msg, p, plen);
	msg[plen] = 0x01;
	assert_int_equal(mp_aes_cmac(t, msg, plen + 1, out), 0);
	tu_assert_bytes(out, t1, 16);
	memcpy(msg, t1, 16);
	memcpy(msg + 16, p, plen);
	msg[16 + plen] = 0x02;
	assert_int_equal(mp_aes_cmac(t, msg, 16 + plen + 1, out), 0);
	tu_assert_bytes(out, t2, 16);
	memcpy(msg, t2, 16);
	msg[16 + plen] = 0x03;
	assert_int_equal(mp_aes_cmac(t, msg, 16 + plen + 1, out), 0);
	tu_assert_bytes(out, t3, 16);

	assert_int_equal(mp_k2(n, p, plen, &nid, enc, priv), 0);
	assert_int_equal(nid, exp_nid[0]);
	tu_hex(v, "encryption_key", out, sizeof(out));
	tu_assert_bytes(enc, out, 16);
	tu_hex(v, "privacy_key", out, sizeof(out));
	tu_assert_bytes(priv, out, 16);
}

/* k3 and its intermediates: s1("smk3"), T, CMAC_T("id64" || 0x01) */
static void test_vec_k3(void **state)
{
	static const uint8_t smk3[] = "smk3", id64[] = { 'i', 'd', '6', '4', 0x01 };
	struct json_object *v = *state;
	uint8_t n[16], salt[16], t[16], full[16], exp[8], out[16];

	assert_int_equal(tu_hex(v, "n", n, sizeof(n)), 16);
	tu_hex(v, "salt", salt, sizeof(salt));
	tu_hex(v, "t", t, sizeof(t));
	tu_hex(v, "cmac_id64_01", full, sizeof(full));
	assert_int_equal(tu_hex(v, "network_id", exp, sizeof(exp)), 8);

	assert_int_equal(mp_s1(smk3, 4, out), 0);
	tu_assert_bytes(out, salt, 16);
	assert_int_equal(mp_aes_cmac(salt, n, 16, out), 0);
	tu_assert_bytes(out, t, 16);
	assert_int_equal(mp_aes_cmac(t, id64, sizeof(id64), out), 0);
	tu_assert_bytes(out, full, 16);
	assert_int_equal(mp_k3(n, out), 0);
	tu_assert_bytes(out, exp, 8);
}

/* k4 and its intermediates: s1("smk4"), T, CMAC_T("id6" || 0x01) */
static void test_vec_k4(void **state)
{
	static const uint8_t smk4[] = "smk4", id6[] = { 'i', 'd', '6', 0x01 };
	struct json_object *v = *state;
	uint8_t n[16], salt[16], t[16], full[16], exp[1], out[16], aid = 0xff;

	assert_int_equal(tu_hex(v, "n", n, sizeof(n)), 16);
	tu_hex(v, "salt", salt, sizeof(salt));
	tu_hex(v, "t", t, sizeof(t));
	tu_hex(v, "cmac_id6_01", full, sizeof(full));
	tu_hex(v, "aid", exp, sizeof(exp));

	assert_int_equal(mp_s1(smk4, 4, out), 0);
	tu_assert_bytes(out, salt, 16);
	assert_int_equal(mp_aes_cmac(salt, n, 16, out), 0);
	tu_assert_bytes(out, t, 16);
	assert_int_equal(mp_aes_cmac(t, id6, sizeof(id6), out), 0);
	tu_assert_bytes(out, full, 16);
	assert_int_equal(mp_k4(n, &aid), 0);
	assert_int_equal(aid, exp[0]);
}

/* MshPRT v1.1 8.17.2: s2(M) */
static void test_vec_s2(void **state)
{
	struct json_object *v = *state;
	uint8_t m[MAX_MSG], exp[32], out[32];
	size_t n = vec_msg(v, m, sizeof(m));

	assert_int_equal(tu_hex(v, "expected", exp, sizeof(exp)), 32);
	assert_int_equal(mp_s2(m, n, out), 0);
	tu_assert_bytes(out, exp, 32);
}

/* k5, and its T = HMAC-SHA256_SALT(N) through mp_hmac_sha256 */
static void test_vec_k5(void **state)
{
	struct json_object *v = *state;
	uint8_t n[MAX_MSG], salt[32], p[MAX_MSG], t[32], exp[32], out[32];
	size_t nlen = tu_hex(v, "n", n, sizeof(n)), plen = tu_hex(v, "p", p, sizeof(p));

	assert_int_equal(tu_hex(v, "salt", salt, sizeof(salt)), 32);
	assert_int_equal(tu_hex(v, "t", t, sizeof(t)), 32);
	assert_int_equal(tu_hex(v, "expected", exp, sizeof(exp)), 32);

	assert_int_equal(mp_hmac_sha256(salt, n, nlen, out), 0);
	tu_assert_bytes(out, t, 32);
	assert_int_equal(mp_hmac_sha256(t, p, plen, out), 0);
	tu_assert_bytes(out, exp, 32);
	memset(out, 0, sizeof(out));
	assert_int_equal(mp_k5(n, nlen, salt, p, plen, out), 0);
	tu_assert_bytes(out, exp, 32);
}

/* ---- primitives against published vectors ---- */

static void test_aes_ecb(void **state)
{
	uint8_t key[16], in[16], exp[16], out[16];

	/* FIPS-197 appendix C.1 */
	tu_unhex("000102030405060708090a0b0c0d0e0f", key, 16);
	tu_unhex("00112233445566778899aabbccddeeff", in, 16);
	tu_unhex("69c4e0d86a7b0430d8cdb78070b4c55a", exp, 16);
	assert_int_equal(mp_aes_ecb(key, in, out), 0);
	tu_assert_bytes(out, exp, 16);
	/* MshPRT v1.1 8.3.6 Message #6, obfuscation: PECB = e(PrivacyKey,
	 * Privacy Plaintext), of which the first 6 octets are printed */
	tu_unhex("8b84eedec100067d670971dd2aa700cf", key, 16);
	tu_unhex("0000000000123456780afba8c63d4e68", in, 16);
	tu_unhex("ce84ec9f8a20", exp, 6);
	assert_int_equal(mp_aes_ecb(key, in, out), 0);
	tu_assert_bytes(out, exp, 6);
	assert_int_equal(mp_aes_ecb(NULL, in, out), -EINVAL);
}

static void test_aes_cmac_rfc4493(void **state)
{
	static const char *const msg =
		"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
		"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const struct {
		size_t len;
		const char *mac;
	} ex[] = {
		{ 0, "bb1d6929e95937287fa37d129b756746" },
		{ 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ 40, "dfa66747de9ae63030ca32611497c827" },
		{ 64, "51f0bebf7e3b9d92fc49741779363cfe" },
	};
	uint8_t key[16], m[64], exp[16], out[16];
	size_t i;

	tu_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	tu_unhex(msg, m, sizeof(m));
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		tu_unhex(ex[i].mac, exp, 16);
		assert_int_equal(mp_aes_cmac(key, i ? m : NULL, ex[i].len, out), 0);
		tu_assert_bytes(out, exp, 16);
	}
	assert_int_equal(mp_aes_cmac(key, NULL, 1, out), -EINVAL);
}

/* RFC 4231 test cases 1 and 2: HMAC pads a short key with zero octets, so a
 * key zero-extended to 32 octets gives the same MAC. */
static void test_hmac_sha256_rfc4231(void **state)
{
	static const char data1[] = "Hi There", data2[] = "what do ya want for nothing?";
	uint8_t key[32] = { 0 }, exp[32], out[32];

	memset(key, 0x0b, 20);
	tu_unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", exp, 32);
	assert_int_equal(mp_hmac_sha256(key, (const uint8_t *)data1, strlen(data1), out), 0);
	tu_assert_bytes(out, exp, 32);

	memset(key, 0, sizeof(key));
	memcpy(key, "Jefe", 4);
	tu_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", exp, 32);
	assert_int_equal(mp_hmac_sha256(key, (const uint8_t *)data2, strlen(data2), out), 0);
	tu_assert_bytes(out, exp, 32);
}

static void test_k2_needs_p(void **state)
{
	uint8_t n[16] = { 1 }, p[1] = { 0 }, nid, enc[16], priv[16];

	/* MshPRT v1.1 3.9.2.7: P is 1 or more octets */
	assert_int_equal(mp_k2(n, p, 0, &nid, enc, priv), -EINVAL);
	assert_int_equal(mp_k2(n, p, 1, &nid, enc, priv), 0);
	assert_true(nid < 0x80);
}

/* ---- AES-CCM ---- */

struct ccm_vec {
	const char *name;
	const char *key, *nonce, *aad, *pt, *ct, *mic;
};

static const struct ccm_vec ccm_vecs[] = {
	{ "MshPRT 8.3.6 Message #6 segment 0 network layer (NetMIC 32 bits)",
	  "0953fa93e7caac9638f58820220a398e", "00043129ab0003000012345678", "",
	  "12018026ac01ee9dddfd2169326d23f3afdf", "0afba8c63d4e686364979deaf4fd40961145",
	  "939cda0e" },
	{ "MshPRT 8.3.6 Message #6 segment 1 network layer (NetMIC 32 bits)",
	  "0953fa93e7caac9638f58820220a398e", "00043129ac0003000012345678", "",
	  "12018026ac21cfdc18c52fdef772e0e17308", "6cae0c032bf0746f44f1b8cc8ce5edc57e55",
	  "beed49c0" },
	{ "MshPRT 8.3.6 Message #6 upper transport, device key (TransMIC 32 bits)",
	  "9d6dd0e96eb25dc19a40ed9914f8f03f", "02003129ab0003120112345678", "",
	  "0056341263964771734fbd76e3b40519d1d94a48", "ee9dddfd2169326d23f3afdfcfdc18c52fdef772",
	  "e0e17308" },
	{ "MshPRT 8.3.22 Message #22 virtual address, Label UUID as AAD (TransMIC 32 bits)",
	  "63964771734fbd76e3b40519d1d94a48", "010007080b1234b52912345677",
	  "0073e7e4d8b9440faf8415df4c56c0e1", "d50a0048656c6c6f", "3871b904d4315263",
	  "16ca48a0" },
	{ "MshPRT 8.3.1 Message #1 network layer (NetMIC 64 bits)",
	  "0953fa93e7caac9638f58820220a398e", "00800000011201000012345678", "",
	  "fffd034b50057e400000010000", "b5e5bfdacbaf6cb7fb6bff871f", "035444ce83a670df" },
	{ "RFC 3610 packet vector #1 (8-octet AAD, M = 8)",
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5", "0001020304050607",
	  "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
	  "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384", "17e8d12cfdf926e0" },
};

struct ccm_bytes {
	uint8_t key[16], nonce[13], aad[64], pt[64], ct[64], mic[16];
	size_t aad_len, len, mic_len;
};

static void ccm_load(const struct ccm_vec *v, struct ccm_bytes *b)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(tu_unhex(v->key, b->key, 16), 16);
	assert_int_equal(tu_unhex(v->nonce, b->nonce, 13), 13);
	b->aad_len = tu_unhex(v->aad, b->aad, sizeof(b->aad));
	b->len = tu_unhex(v->pt, b->pt, sizeof(b->pt));
	assert_int_equal(tu_unhex(v->ct, b->ct, sizeof(b->ct)), b->len);
	b->mic_len = tu_unhex(v->mic, b->mic, sizeof(b->mic));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (p[n])
			return false;
	return true;
}

/* Known answer both ways, in place, and any single flipped bit of the
 * ciphertext, the MIC or the AAD is refused with the output wiped. */
static void test_ccm_vector(void **state)
{
	const struct ccm_vec *v = *state;
	struct ccm_bytes b;
	uint8_t out[64], mic[16], buf[64];
	const uint8_t *aad;
	size_t i;

	ccm_load(v, &b);
	aad = b.aad_len ? b.aad : NULL;
	assert_int_equal(mp_aes_ccm_encrypt(b.key, b.nonce, aad, b.aad_len, b.pt, b.len, out, mic,
					    b.mic_len), 0);
	tu_assert_bytes(out, b.ct, b.len);
	tu_assert_bytes(mic, b.mic, b.mic_len);
	assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, aad, b.aad_len, b.ct, b.len, out,
					    b.mic, b.mic_len), 0);
	tu_assert_bytes(out, b.pt, b.len);

	memcpy(buf, b.pt, b.len);
	assert_int_equal(mp_aes_ccm_encrypt(b.key, b.nonce, aad, b.aad_len, buf, b.len, buf, mic,
					    b.mic_len), 0);
	tu_assert_bytes(buf, b.ct, b.len);
	assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, aad, b.aad_len, buf, b.len, buf, mic,
					    b.mic_len), 0);
	tu_assert_bytes(buf, b.pt, b.len);

	for (i = 0; i < 8 * (b.len + b.mic_len + b.aad_len); i++) {
		uint8_t ct[64], m[16], a[64];
		uint8_t *target = i < 8 * b.len ? ct : i < 8 * (b.len + b.mic_len) ? m : a;
		size_t bit = i < 8 * b.len ? i : i < 8 * (b.len + b.mic_len) ? i - 8 * b.len :
			     i - 8 * (b.len + b.mic_len);

		memcpy(ct, b.ct, b.len);
		memcpy(m, b.mic, b.mic_len);
		memcpy(a, b.aad, b.aad_len);
		target[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(out, 0x5a, sizeof(out));
		assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, b.aad_len ? a : NULL,
						    b.aad_len, ct, b.len, out, m, b.mic_len),
				 -EBADMSG);
		assert_true(all_zero(out, b.len));
	}
	/* wrong nonce, wrong key */
	b.nonce[12] ^= 1;
	assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, aad, b.aad_len, b.ct, b.len, out,
					    b.mic, b.mic_len), -EBADMSG);
	b.nonce[12] ^= 1;
	b.key[0] ^= 0x80;
	assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, aad, b.aad_len, b.ct, b.len, out,
					    b.mic, b.mic_len), -EBADMSG);
	/* a MIC of the other length does not verify either */
	assert_int_equal(mp_aes_ccm_decrypt(b.key, b.nonce, aad, b.aad_len, b.ct, b.len, out,
					    b.mic, b.mic_len == 4 ? 8 : 4), -EBADMSG);
}

static void test_ccm_empty_message(void **state)
{
	uint8_t key[16] = { 1, 2, 3 }, nonce[13] = { 4, 5, 6 }, aad[4] = { 7, 8, 9, 10 };
	uint8_t mic[8], mic2[8];

	/* CCM authenticates an empty message (a MIC over the AAD only) */
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, NULL, 0, NULL, mic, 8), 0);
	assert_int_equal(mp_aes_ccm_decrypt(key, nonce, NULL, 0, NULL, 0, NULL, mic, 8), 0);
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, aad, 4, NULL, 0, NULL, mic2, 8), 0);
	assert_false(mp_ct_equal(mic, mic2, 8));
	assert_int_equal(mp_aes_ccm_decrypt(key, nonce, aad, 4, NULL, 0, NULL, mic2, 8), 0);
	mic2[7] ^= 1;
	assert_int_equal(mp_aes_ccm_decrypt(key, nonce, aad, 4, NULL, 0, NULL, mic2, 8), -EBADMSG);
}

static void test_ccm_bad_arguments(void **state)
{
	uint8_t key[16] = { 0 }, nonce[13] = { 0 }, in[16] = { 0 }, out[16], mic[16];

	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, in, 16, out, mic, 0), -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, in, 16, out, mic, 6), -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, in, 16, out, mic, 16), -EINVAL);
	assert_int_equal(mp_aes_ccm_decrypt(key, nonce, NULL, 0, in, 16, out, mic, 5), -EINVAL);
	/* a 13-octet nonce leaves a 2-octet length field */
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, in, 0x10000, out, mic, 4),
			 -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(NULL, nonce, NULL, 0, in, 16, out, mic, 4), -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(key, NULL, NULL, 0, in, 16, out, mic, 4), -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 3, in, 16, out, mic, 4), -EINVAL);
	assert_int_equal(mp_aes_ccm_encrypt(key, nonce, NULL, 0, NULL, 16, out, mic, 4), -EINVAL);
	assert_int_equal(mp_aes_ccm_decrypt(key, nonce, NULL, 0, in, 16, NULL, mic, 4), -EINVAL);
}

/* ---- P-256 ---- */

static const char *const p256_p_hex =
	"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char *const p256_n_hex =
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char *const p256_g_hex =
	"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
	"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

/* a - b for 32-octet big-endian numbers (a >= b). */
static void be32_sub(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
	int i, borrow = 0;

	for (i = 31; i >= 0; i--) {
		int d = a[i] - b[i] - borrow;

		borrow = d < 0;
		out[i] = (uint8_t)d;
	}
}

static void be32_add_small(uint8_t a[32], unsigned int v)
{
	int i;

	for (i = 31; i >= 0 && v; i--) {
		v += a[i];
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void vec_pub(const char *who, uint8_t pub[64])
{
	struct json_object *v = tu_get(tu_vectors(), "provisioning_cmac");
	char path[64];

	snprintf(path, sizeof(path), "%s_public_key_x", who);
	assert_int_equal(tu_hex(v, path, pub, 32), 32);
	snprintf(path, sizeof(path), "%s_public_key_y", who);
	assert_int_equal(tu_hex(v, path, pub + 32, 32), 32);
}

static void vec_priv(const char *who, uint8_t priv[32])
{
	char path[64];

	snprintf(path, sizeof(path), "provisioning_cmac.%s_private_key", who);
	assert_int_equal(tu_hex(tu_vectors(), path, priv, 32), 32);
}

/* MshPRT v1.1 8.17.1: public keys from the sample private keys, and ECDH. */
static void test_ecc_sample_keys(void **state)
{
	uint8_t priv_p[32], priv_d[32], pub_p[64], pub_d[64], pub[64], exp[32], s[32];
	struct mp_ecc_key *kp = NULL, *kd = NULL;

	vec_priv("provisioner", priv_p);
	vec_priv("device", priv_d);
	vec_pub("provisioner", pub_p);
	vec_pub("device", pub_d);
	tu_hex(tu_vectors(), "provisioning_cmac.ecdh_secret", exp, sizeof(exp));

	assert_int_equal(mp_ecc_key_from_private(priv_p, &kp), 0);
	assert_int_equal(mp_ecc_key_from_private(priv_d, &kd), 0);
	mp_ecc_key_public(kp, pub);
	tu_assert_bytes(pub, pub_p, 64);
	mp_ecc_key_public(kd, pub);
	tu_assert_bytes(pub, pub_d, 64);
	assert_true(mp_ecc_public_valid(pub_p));
	assert_true(mp_ecc_public_valid(pub_d));

	assert_int_equal(mp_ecdh(kp, pub_d, s), 0);
	tu_assert_bytes(s, exp, 32);
	memset(s, 0, sizeof(s));
	assert_int_equal(mp_ecdh(kd, pub_p, s), 0);
	tu_assert_bytes(s, exp, 32);
	mp_ecc_key_free(kp);
	mp_ecc_key_free(kd);
	mp_ecc_key_free(NULL);
}

/* Scalars 1 and n-1 give G and -G = (Gx, p - Gy): pins n and the encoding. */
static void test_ecc_scalar_edges(void **state)
{
	uint8_t d[32] = { 0 }, n[32], p[32], g[64], exp[64], pub[64];
	struct mp_ecc_key *k = NULL;

	tu_unhex(p256_n_hex, n, 32);
	tu_unhex(p256_p_hex, p, 32);
	tu_unhex(p256_g_hex, g, 64);

	d[31] = 1;
	assert_int_equal(mp_ecc_key_from_private(d, &k), 0);
	mp_ecc_key_public(k, pub);
	tu_assert_bytes(pub, g, 64);
	mp_ecc_key_free(k);

	memcpy(d, n, 32);
	d[31] -= 1;
	assert_int_equal(mp_ecc_key_from_private(d, &k), 0);
	mp_ecc_key_public(k, pub);
	memcpy(exp, g, 32);
	be32_sub(p, g + 32, exp + 32);
	tu_assert_bytes(pub, exp, 64);
	assert_true(mp_ecc_public_valid(pub));
	mp_ecc_key_free(k);
}

static void test_ecc_private_out_of_range(void **state)
{
	uint8_t d[32];
	/* a failure must leave *out NULL whatever it held */
	struct mp_ecc_key *k = (struct mp_ecc_key *)(uintptr_t)1;

	memset(d, 0, 32);
	assert_int_equal(mp_ecc_key_from_private(d, &k), -EINVAL);
	assert_null(k);
	tu_unhex(p256_n_hex, d, 32);
	assert_int_equal(mp_ecc_key_from_private(d, &k), -EINVAL);
	be32_add_small(d, 1);
	assert_int_equal(mp_ecc_key_from_private(d, &k), -EINVAL);
	memset(d, 0xff, 32);
	assert_int_equal(mp_ecc_key_from_private(d, &k), -EINVAL);
	assert_null(k);
	assert_int_equal(mp_ecc_key_from_private(NULL, &k), -EINVAL);
}

/* Each invalid encoding is refused by mp_ecc_public_valid and by mp_ecdh. */
static void test_ecc_invalid_public_keys(void **state)
{
	uint8_t good[64], bad[64], p[32], priv[32], s[32];
	struct mp_ecc_key *k = NULL;
	int i;

	vec_pub("device", good);
	tu_unhex(p256_p_hex, p, 32);
	vec_priv("provisioner", priv);
	assert_int_equal(mp_ecc_key_from_private(priv, &k), 0);

	for (i = 0; i < 9; i++) {
		memcpy(bad, good, 64);
		switch (i) {
		case 0:	/* the point at infinity's encoding */
			memset(bad, 0, 64);
			break;
		case 1:	/* x = p */
			memcpy(bad, p, 32);
			break;
		case 2:	/* x = p + 1 */
			memcpy(bad, p, 32);
			be32_add_small(bad, 1);
			break;
		case 3:	/* x = 2^256 - 1 */
			memset(bad, 0xff, 32);
			break;
		case 4:	/* y = p */
			memcpy(bad + 32, p, 32);
			break;
		case 5:	/* y = 2^256 - 1 */
			memset(bad + 32, 0xff, 32);
			break;
		case 6:	/* off the curve: one bit of y flipped */
			bad[63] ^= 0x01;
			break;
		case 7:	/* off the curve: one bit of x flipped */
			bad[0] ^= 0x10;
			break;
		case 8:	/* x = 0 with the sample's y: not on the curve */
			memset(bad, 0, 32);
			break;
		}
		assert_false(mp_ecc_public_valid(bad));
		assert_int_equal(mp_ecdh(k, bad, s), -EINVAL);
	}
	/* the same point negated, (x, p - y), is valid and agrees on X */
	memcpy(bad, good, 32);
	be32_sub(p, good + 32, bad + 32);
	assert_true(mp_ecc_public_valid(bad));
	assert_int_equal(mp_ecdh(k, bad, s), 0);
	tu_hex(tu_vectors(), "provisioning_cmac.ecdh_secret", priv, sizeof(priv));
	tu_assert_bytes(s, priv, 32);
	mp_ecc_key_free(k);
}

/* A scripted random source: hands out 32-octet chunks, then fails. */
struct script {
	const uint8_t (*chunks)[32];
	size_t n, next;
};

static int script_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct script *s = ctx;

	assert_int_equal(n, 32);
	if (s->next == s->n)
		return -ENODATA;
	memcpy(out, s->chunks[s->next++], 32);
	return 0;
}

static void test_ecc_generate_scripted(void **state)
{
	uint8_t chunks[4][32], pub[64], exp[64];
	struct script sc = { chunks, 4, 0 };
	const struct mp_rng rng = { script_bytes, &sc };
	struct mp_ecc_key *k = NULL;

	/* n, 0 and 2^256 - 1 are out of range and must be redrawn */
	tu_unhex(p256_n_hex, chunks[0], 32);
	memset(chunks[1], 0, 32);
	memset(chunks[2], 0xff, 32);
	vec_priv("provisioner", chunks[3]);
	vec_pub("provisioner", exp);

	assert_int_equal(mp_ecc_key_generate(&rng, &k), 0);
	assert_int_equal(sc.next, 4);
	mp_ecc_key_public(k, pub);
	tu_assert_bytes(pub, exp, 64);
	mp_ecc_key_free(k);

	/* the source's error comes back as is */
	sc.next = 0;
	sc.n = 2;
	k = (struct mp_ecc_key *)(uintptr_t)1;
	assert_int_equal(mp_ecc_key_generate(&rng, &k), -ENODATA);
	assert_null(k);
}

static int zero_bytes(void *ctx, uint8_t *out, size_t n)
{
	(*(int *)ctx)++;
	memset(out, 0, n);
	return 0;
}

static void test_ecc_generate_gives_up(void **state)
{
	int calls = 0;
	const struct mp_rng rng = { zero_bytes, &calls };
	struct mp_ecc_key *k = NULL;

	/* a source that only ever yields 0 is broken: no endless loop */
	assert_int_equal(mp_ecc_key_generate(&rng, &k), -EIO);
	assert_null(k);
	assert_true(calls > 1);
}

static void test_ecc_generate_default(void **state)
{
	struct mp_ecc_key *a = NULL, *b = NULL;
	uint8_t pa[64], pb[64], sa[32], sb[32];

	assert_int_equal(mp_ecc_key_generate(NULL, &a), 0);
	assert_int_equal(mp_ecc_key_generate(&mp_rng_default, &b), 0);
	mp_ecc_key_public(a, pa);
	mp_ecc_key_public(b, pb);
	assert_false(mp_ct_equal(pa, pb, 64));
	assert_true(mp_ecc_public_valid(pa));
	assert_true(mp_ecc_public_valid(pb));
	assert_int_equal(mp_ecdh(a, pb, sa), 0);
	assert_int_equal(mp_ecdh(b, pa, sb), 0);
	tu_assert_bytes(sa, sb, 32);
	mp_ecc_key_free(a);
	mp_ecc_key_free(b);
}

/* ---- helpers ---- */

static void test_random(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 };

	assert_int_equal(mp_random(a, 0), 0);
	assert_int_equal(mp_random(a, sizeof(a)), 0);
	assert_int_equal(mp_rng_bytes(NULL, b, sizeof(b)), 0);
	assert_false(mp_ct_equal(a, b, sizeof(a)));
	assert_false(all_zero(a, sizeof(a)));
}

static void test_ct_equal_and_wipe(void **state)
{
	uint8_t a[20], b[20];

	memset(a, 0xa5, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(mp_ct_equal(a, b, sizeof(a)));
	assert_true(mp_ct_equal(a, b, 0));
	b[19] ^= 0x01;
	assert_false(mp_ct_equal(a, b, sizeof(a)));
	assert_true(mp_ct_equal(a, b, 19));
	b[0] ^= 0x80;
	assert_false(mp_ct_equal(a, b, 1));

	mp_wipe(a + 4, 8);
	assert_true(all_zero(a + 4, 8));
	assert_int_equal(a[3], 0xa5);
	assert_int_equal(a[12], 0xa5);
	mp_wipe(NULL, 0);
}

/* ---- the test table: one case per sample-data entry ---- */

static struct CMUnitTest *tests;
static char **names;	/* the names add_vectors allocated, to free */
static size_t ntests, captests;

static void add_test(const char *name, CMUnitTestFunction fn, void *arg)
{
	if (ntests == captests) {
		captests = captests ? 2 * captests : 64;
		tests = realloc(tests, captests * sizeof(*tests));
		names = realloc(names, captests * sizeof(*names));
		if (!tests || !names)
			abort();
	}
	names[ntests] = NULL;
	tests[ntests++] = (struct CMUnitTest){ .name = name, .test_func = fn,
					       .initial_state = arg };
}

/* One case per entry of crypto.@table, named "crypto.<table>: <name>". */
static void add_vectors(const char *table, CMUnitTestFunction fn)
{
	char path[64];
	struct json_object *arr;
	size_t i, n;

	snprintf(path, sizeof(path), "crypto.%s", table);
	arr = tu_get(tu_vectors(), path);
	n = json_object_array_length(arr);
	if (n == 0) {
		fprintf(stderr, "sample data %s is empty\n", path);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *name = tu_str(v, "name");
		size_t len = strlen(path) + strlen(name) + 3;
		char *full = malloc(len);

		if (!full)
			abort();
		snprintf(full, len, "%s: %s", path, name);
		add_test(full, fn, v);
		names[ntests - 1] = full;
	}
}

int main(void)
{
	size_t i;
	int ret;

	add_vectors("s1", test_vec_s1);
	add_vectors("k1", test_vec_k1);
	add_vectors("k2", test_vec_k2);
	add_vectors("k3", test_vec_k3);
	add_vectors("k4", test_vec_k4);
	add_vectors("s2", test_vec_s2);
	add_vectors("k5", test_vec_k5);
	for (i = 0; i < sizeof(ccm_vecs) / sizeof(ccm_vecs[0]); i++)
		add_test(ccm_vecs[i].name, test_ccm_vector, (void *)&ccm_vecs[i]);
#define ADD(fn) add_test(#fn, fn, NULL)
	ADD(test_aes_ecb);
	ADD(test_aes_cmac_rfc4493);
	ADD(test_hmac_sha256_rfc4231);
	ADD(test_k2_needs_p);
	ADD(test_ccm_empty_message);
	ADD(test_ccm_bad_arguments);
	ADD(test_ecc_sample_keys);
	ADD(test_ecc_scalar_edges);
	ADD(test_ecc_private_out_of_range);
	ADD(test_ecc_invalid_public_keys);
	ADD(test_ecc_generate_scripted);
	ADD(test_ecc_generate_gives_up);
	ADD(test_ecc_generate_default);
	ADD(test_random);
	ADD(test_ct_equal_and_wipe);
#undef ADD
	ret = _cmocka_run_group_tests("crypto", tests, ntests, NULL, NULL);
	for (i = 0; i < ntests; i++)
		free(names[i]);
	free(names);
	free(tests);
	return ret;
}
