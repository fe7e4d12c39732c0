/* Symmetric primitives of Bluetooth Mesh on OpenSSL 3 EVP: AES-CMAC and
 * HMAC-SHA256 through EVP_MAC, AES-ECB and AES-CCM through EVP_CIPHER, the
 * derivation functions s1, k1..k4, s2, k5 (MshPRT v1.1 3.9), randomness and
 * secret handling. See include/crypto/crypto.h. ECDH lives in ecc.c.
 *
 * Every call fetches its algorithm afresh: there is no hidden cache (no
 * global state below cli/). bench/bench_crypto measures what that costs.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* One piece of a MAC input: lets k2 and friends MAC T || P || counter
 * without assembling a buffer. */
struct part {
	const uint8_t *p;
	size_t len;
};

enum mac_kind { MAC_CMAC, MAC_HMAC };

int mp_random(uint8_t *out, size_t n)
{
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(out, chunk) != 1)
			return -EIO;
		out += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static int default_bytes(void *ctx, uint8_t *out, size_t n)
{
	return mp_random(out, n);
}

const struct mp_rng mp_rng_default = { .bytes = default_bytes, .ctx = NULL };

int mp_rng_bytes(const struct mp_rng *rng, uint8_t *out, size_t n)
{
	if (!rng)
		rng = &mp_rng_default;
	if (!rng->bytes)
		return -EINVAL;
	return rng->bytes(rng->ctx, out, n);
}

void mp_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

bool mp_ct_equal(const void *a, const void *b, size_t n)
{
	return n == 0 || CRYPTO_memcmp(a, b, n) == 0;
}

/* MAC of the concatenation of @parts under @key; @out gets 16 (CMAC) or 32
 * (HMAC) octets. */
static int mac_parts(enum mac_kind kind, const uint8_t *key, size_t keylen,
		     const struct part *parts, size_t nparts, uint8_t *out)
{
	const size_t outlen = kind == MAC_CMAC ? 16 : 32;
	/* OSSL_PARAM wants a non-const char *, never written through. */
	char cbc[] = "AES-128-CBC", sha[] = "SHA256";
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	size_t got = 0, i;
	int ret = -EIO;

	if (kind == MAC_CMAC) {
		mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cbc, 0);
	} else {
		mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha, 0);
	}
	params[1] = OSSL_PARAM_construct_end();
	if (!mac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx || !EVP_MAC_init(ctx, key, keylen, params))
		goto out;
	for (i = 0; i < nparts; i++)
		if (parts[i].len && !EVP_MAC_update(ctx, parts[i].p, parts[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &got, outlen) || got != outlen)
		goto out;
	ret = 0;
out:
	if (ret)
		OPENSSL_cleanse(out, outlen);
	EVP_MAC_CTX_free(ctx);	/* frees and cleanses the key schedule */
	EVP_MAC_free(mac);
	return ret;
}

int mp_aes_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t out[16])
{
	const struct part part = { msg, len };

	if (!key || !out || (!msg && len))
		return -EINVAL;
	return mac_parts(MAC_CMAC, key, 16, &part, 1, out);
}

int mp_hmac_sha256(const uint8_t key[32], const uint8_t *msg, size_t len, uint8_t out[32])
{
	const struct part part = { msg, len };

	if (!key || !out || (!msg && len))
		return -EINVAL;
	return mac_parts(MAC_HMAC, key, 32, &part, 1, out);
}

int mp_aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, ret = -EIO;

	if (!key || !in || !out)
		return -EINVAL;
	cipher = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	if (!cipher)
		return -EIO;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) || !EVP_EncryptUpdate(ctx, out, &outl, in, 16) ||
	    outl != 16)
		goto out;
	ret = 0;
out:
	if (ret)
		OPENSSL_cleanse(out, 16);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ret;
}

/* MshPRT v1.1 3.9.2.5: s1(M) = AES-CMAC_ZERO(M) */
int mp_s1(const uint8_t *m, size_t len, uint8_t out[16])
{
	static const uint8_t zero[16];

	return mp_aes_cmac(zero, m, len, out);
}

/* MshPRT v1.1 3.9.2.6 */
int mp_k1(const uint8_t *n, size_t nlen, const uint8_t salt[16], const uint8_t *p, size_t plen,
	  uint8_t out[16])
{
	uint8_t t[16];
	int ret;

	if (!salt || (!n && nlen) || (!p && plen) || !out)
		return -EINVAL;
	ret = mp_aes_cmac(salt, n, nlen, t);
	if (!ret)
		ret = mp_aes_cmac(t, p, plen, out);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* T = AES-CMAC_s1(label)(N): the first step of k2, k3 and k4. */
static int salted_t(const char *label, const uint8_t n[16], uint8_t t[16])
{
	uint8_t salt[16];
	int ret;

	ret = mp_s1((const uint8_t *)label, strlen(label), salt);
	if (!ret)
		ret = mp_aes_cmac(salt, n, 16, t);
	return ret;
}

/* MshPRT v1.1 3.9.2.7: T1 = CMAC_T(P || 0x01), Ti = CMAC_T(Ti-1 || P || i);
 * k2 = (T1 || T2 || T3) mod 2^263, i.e. NID = the low 7 bits of T1. */
int mp_k2(const uint8_t n[16], const uint8_t *p, size_t plen, uint8_t *nid, uint8_t enc_key[16],
	  uint8_t priv_key[16])
{
	uint8_t t[16], t1[16];
	uint8_t ctr;
	int ret;

	/* P is one or more octets. */
	if (!n || !p || !plen || !nid || !enc_key || !priv_key)
		return -EINVAL;
	ret = salted_t("smk2", n, t);
	if (ret)
		goto out;
	ctr = 0x01;
	{
		const struct part parts[] = { { p, plen }, { &ctr, 1 } };

		ret = mac_parts(MAC_CMAC, t, 16, parts, 2, t1);
	}
	if (ret)
		goto out;
	ctr = 0x02;
	{
		const struct part parts[] = { { t1, 16 }, { p, plen }, { &ctr, 1 } };

		ret = mac_parts(MAC_CMAC, t, 16, parts, 3, enc_key);
	}
	if (ret)
		goto out;
	ctr = 0x03;
	{
		const struct part parts[] = { { enc_key, 16 }, { p, plen }, { &ctr, 1 } };

		ret = mac_parts(MAC_CMAC, t, 16, parts, 3, priv_key);
	}
	if (ret)
		goto out;
	*nid = t1[15] & 0x7f;
out:
	if (ret) {
		OPENSSL_cleanse(enc_key, 16);
		OPENSSL_cleanse(priv_key, 16);
	}
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(t1, sizeof(t1));
	return ret;
}

/* MshPRT v1.1 3.9.2.8: k3(N) = AES-CMAC_T("id64" || 0x01) mod 2^64 */
int mp_k3(const uint8_t n[16], uint8_t out[8])
{
	static const uint8_t id64[] = { 'i', 'd', '6', '4', 0x01 };
	uint8_t t[16], full[16];
	int ret;

	if (!n || !out)
		return -EINVAL;
	ret = salted_t("smk3", n, t);
	if (!ret)
		ret = mp_aes_cmac(t, id64, sizeof(id64), full);
	if (!ret)
		memcpy(out, full + 8, 8);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* MshPRT v1.1 3.9.2.9: k4(N) = AES-CMAC_T("id6" || 0x01) mod 2^6 */
int mp_k4(const uint8_t n[16], uint8_t *aid)
{
	static const uint8_t id6[] = { 'i', 'd', '6', 0x01 };
	uint8_t t[16], full[16];
	int ret;

	if (!n || !aid)
		return -EINVAL;
	ret = salted_t("smk4", n, t);
	if (!ret)
		ret = mp_aes_cmac(t, id6, sizeof(id6), full);
	if (!ret)
		*aid = full[15] & 0x3f;
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* MshPRT v1.1 3.9.2.10: s2(M) = HMAC-SHA256_ZERO(M) */
int mp_s2(const uint8_t *m, size_t len, uint8_t out[32])
{
	static const uint8_t zero[32];

	return mp_hmac_sha256(zero, m, len, out);
}

/* MshPRT v1.1 3.9.2.11 */
int mp_k5(const uint8_t *n, size_t nlen, const uint8_t salt[32], const uint8_t *p, size_t plen,
	  uint8_t out[32])
{
	uint8_t t[32];
	int ret;

	if (!salt || (!n && nlen) || (!p && plen) || !out)
		return -EINVAL;
	ret = mp_hmac_sha256(salt, n, nlen, t);
	if (!ret)
		ret = mp_hmac_sha256(t, p, plen, out);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/*
 * AES-CCM (RFC 3610) as Mesh uses it, MshPRT v1.1 3.9.2.4: a 13-octet nonce
 * (so the length field is 2 octets and a message is at most 65535 octets)
 * and a 4- or 8-octet MIC.
 */
static int ccm_args_ok(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len, const uint8_t *out,
		       const uint8_t *mic, size_t mic_len)
{
	if (!key || !nonce || !mic || (!aad && aad_len) || ((!in || !out) && len))
		return 0;
	if (mic_len != 4 && mic_len != 8)
		return 0;
	return len <= 0xffff && aad_len <= INT_MAX;
}

/* Set up @ctx for CCM in direction @enc; @tag is the expected MIC when
 * decrypting, NULL when encrypting. */
static int ccm_init(EVP_CIPHER_CTX *ctx, EVP_CIPHER *cipher, int enc, const uint8_t *key,
		    const uint8_t *nonce, uint8_t *tag, size_t mic_len, const uint8_t *aad,
		    size_t aad_len, size_t len)
{
	size_t ivlen = 13;
	OSSL_PARAM params[3];
	int outl;

	/* The nonce and MIC lengths must be known before the key and nonce. */
	params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, mic_len);
	params[2] = OSSL_PARAM_construct_end();
	if (!EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, params) ||
	    !EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL))
		return -EIO;
	/* CCM needs the total plaintext length before any AAD. */
	if (!EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len))
		return -EIO;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len))
		return -EIO;
	return 0;
}

int mp_aes_ccm_encrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *mic,
		       size_t mic_len)
{
	/* CCM accepts an empty message, but not NULL pointers for it. */
	uint8_t dummy = 0;
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int outl = 0, ret;

	if (!ccm_args_ok(key, nonce, aad, aad_len, in, len, out, mic, mic_len))
		return -EINVAL;
	cipher = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	if (!cipher)
		return -EIO;
	ctx = EVP_CIPHER_CTX_new();
	ret = ctx ? ccm_init(ctx, cipher, 1, key, nonce, NULL, mic_len, aad, aad_len, len) : -EIO;
	if (ret)
		goto out;
	ret = -EIO;
	if (!EVP_EncryptUpdate(ctx, len ? out : &dummy, &outl, len ? in : &dummy, (int)len) ||
	    (size_t)outl != len || !EVP_EncryptFinal_ex(ctx, &dummy, &outl))
		goto out;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, mic, mic_len);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_get_params(ctx, params))
		goto out;
	ret = 0;
out:
	if (ret) {
		mp_wipe(out, len);
		OPENSSL_cleanse(mic, mic_len);
	}
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ret;
}

int mp_aes_ccm_decrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		       const uint8_t *mic, size_t mic_len)
{
	uint8_t dummy = 0, tag[8];
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, ret;

	if (!ccm_args_ok(key, nonce, aad, aad_len, in, len, out, mic, mic_len))
		return -EINVAL;
	memcpy(tag, mic, mic_len);	/* OSSL_PARAM takes a non-const pointer */
	cipher = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	if (!cipher)
		return -EIO;
	ctx = EVP_CIPHER_CTX_new();
	ret = ctx ? ccm_init(ctx, cipher, 0, key, nonce, tag, mic_len, aad, aad_len, len) : -EIO;
	if (ret)
		goto out;
	/* For CCM the data update is where the MIC is checked: it fails on a
	 * mismatch (every other step has already succeeded by now). */
	if (!EVP_DecryptUpdate(ctx, len ? out : &dummy, &outl, len ? in : &dummy, (int)len))
		ret = -EBADMSG;
	else if ((size_t)outl != len)
		ret = -EIO;
out:
	if (ret)
		mp_wipe(out, len);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ret;
}
