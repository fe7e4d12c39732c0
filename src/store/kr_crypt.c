/* Encryption at rest: the keyring JSON sealed in a JSON envelope.
 *
 *  {
 *    "meshprov-keyring-encrypted": 1,
 *    "kdf": { "name": "scrypt", "log2N": 15, "r": 8, "p": 1, "salt": "<32 hex>" },
 *    "cipher": "aes-256-gcm",
 *    "nonce": "<24 hex>",
 *    "ciphertext": "<base64>",
 *    "tag": "<32 hex>"
 *  }
 *
 * scrypt (RFC 7914) through EVP_KDF "SCRYPT" turns the passphrase and salt
 * into a 256-bit key; AES-256-GCM seals the plain keyring, with the version,
 * KDF parameters and salt as associated data so that none of them can be
 * altered unnoticed. The derived key is kept while the keyring is open (one
 * scrypt per open, not per save) and every save draws a fresh 96-bit nonce.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kr_int.h"

#define ENV_KEY "meshprov-keyring-encrypted"
#define ENV_VERSION 1
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SCRYPT_MAXMEM (512ull << 20)

bool kr_is_envelope(json_object *root)
{
	json_object *v;

	return json_object_is_type(root, json_type_object) &&
	       json_object_object_get_ex(root, ENV_KEY, &v);
}

static int derive(const uint8_t *pass, size_t passlen, const struct kr_seal *s, uint8_t key[32])
{
	static const uint8_t empty[1];
	uint64_t n = 1ull << s->log2n, maxmem = SCRYPT_MAXMEM;
	uint32_t r = s->r, p = s->p;
	OSSL_PARAM params[7];
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;
	int ok;

	kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	if (!kdf)
		return -EIO;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!ctx)
		return -EIO;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						      (void *)(passlen ? pass : empty), passlen);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)s->salt, 16);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, key, 32, params);
	EVP_KDF_CTX_free(ctx);
	return ok == 1 ? 0 : -EIO;
}

/* The associated data: everything in the envelope but nonce, text and tag. */
static int make_aad(const struct kr_seal *s, char *aad, size_t cap)
{
	char salt[33];

	mp_hex_encode(s->salt, 16, salt);
	return snprintf(aad, cap, "%s:%d:scrypt:%u:%u:%u:%s:aes-256-gcm", ENV_KEY, ENV_VERSION,
			s->log2n, s->r, s->p, salt);
}

static int gcm(bool enc, const uint8_t key[32], const uint8_t nonce[12], const char *aad,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok = 0, outl = 0, finl = 0;

	if (!ctx || len > INT32_MAX)
		goto done;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &outl, (const uint8_t *)aad, (int)strlen(aad)) != 1 ||
	    (len && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1))
		goto done;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
		goto done;
	if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1)
		goto done;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		goto done;
	ok = 1;
done:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static bool b64_ok(const char *s, size_t len)
{
	size_t i, pad = 0;

	if (len % 4)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '=') {
			if (i < len - 2)
				return false;
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

int kr_seal_init(struct kr_seal *s, const uint8_t *pass, size_t passlen, uint8_t log2n,
		 const struct mp_rng *rng, struct mp_keyring_error *err)
{
	struct kr_seal t;

	memset(&t, 0, sizeof(t));
	if (!pass || !passlen)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "the passphrase is empty");
	if (!log2n)
		log2n = KR_LOG2N_DEFAULT;
	if (log2n < KR_LOG2N_MIN || log2n > KR_LOG2N_MAX)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL,
			       "scrypt cost 2^%u is outside 2^%d..2^%d", log2n, KR_LOG2N_MIN,
			       KR_LOG2N_MAX);
	t.on = true;
	t.log2n = log2n;
	t.r = SCRYPT_R;
	t.p = SCRYPT_P;
	if (mp_rng_bytes(rng, t.salt, sizeof(t.salt)))
		return kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes for the salt");
	if (derive(pass, passlen, &t, t.key)) {
		mp_wipe(&t, sizeof(t));
		return kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "scrypt failed (OpenSSL)");
	}
	*s = t;
	mp_wipe(&t, sizeof(t));
	return 0;
}

int kr_seal_open(json_object *root, const uint8_t *pass, size_t passlen, struct kr_seal *s,
		 char **plain, size_t *plain_len, struct mp_keyring_error *err)
{
	json_object *kdf, *ct;
	struct kr_seal t;
	const char *name, *cipher, *text;
	uint8_t nonce[12], tag[16], *buf = NULL, *out = NULL;
	char aad[200];
	size_t tlen, blen, pad;
	int64_t v;
	int r;

	memset(&t, 0, sizeof(t));
	*plain = NULL;
	r = kj_int(root, "", ENV_KEY, 0, INT32_MAX, true, &v, err);
	if (r)
		return r;
	if (v != ENV_VERSION)
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, ENV_KEY,
			       "encryption format %lld is unknown to this meshprov (it reads %d)",
			       (long long)v, ENV_VERSION);
	r = kj_get(root, "", "kdf", json_type_object, true, &kdf, err);
	if (!r)
		r = kj_str(kdf, "kdf", "name", 32, true, &name, err);
	if (!r && strcmp(name, "scrypt"))
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "kdf.name", "unknown KDF \"%s\"", name);
	if (!r && !(r = kj_int(kdf, "kdf", "log2N", KR_LOG2N_MIN, KR_LOG2N_MAX, true, &v, err)))
		t.log2n = (uint8_t)v;
	/* Only the costs meshprov writes: an untrusted file must not make us
	 * spend up to 512 MiB and 16 passes of scrypt before the tag says it
	 * is not ours. log2N is the user's choice, up to KR_LOG2N_MAX. */
	if (!r && !(r = kj_int(kdf, "kdf", "r", 1, 255, true, &v, err)) && v != SCRYPT_R)
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "kdf.r",
			    "scrypt r is %d in every keyring meshprov writes, not %lld", SCRYPT_R,
			    (long long)v);
	if (!r)
		t.r = (uint8_t)v;
	if (!r && !(r = kj_int(kdf, "kdf", "p", 1, 255, true, &v, err)) && v != SCRYPT_P)
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "kdf.p",
			    "scrypt p is %d in every keyring meshprov writes, not %lld", SCRYPT_P,
			    (long long)v);
	if (!r)
		t.p = (uint8_t)v;
	if (!r && (128ull * t.r * ((1ull << t.log2n) + t.p + 2)) > SCRYPT_MAXMEM)
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "kdf",
			    "scrypt parameters need more than 512 MiB");
	if (!r)
		r = kj_hex(kdf, "kdf", "salt", true, t.salt, 16, NULL, err);
	if (!r)
		r = kj_str(root, "", "cipher", 32, true, &cipher, err);
	if (!r && strcmp(cipher, "aes-256-gcm"))
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "cipher", "unknown cipher \"%s\"",
			    cipher);
	if (!r)
		r = kj_hex(root, "", "nonce", true, nonce, 12, NULL, err);
	if (!r)
		r = kj_hex(root, "", "tag", true, tag, 16, NULL, err);
	if (!r)
		r = kj_get(root, "", "ciphertext", json_type_string, true, &ct, err);
	if (r)
		return r;
	text = json_object_get_string(ct);
	tlen = (size_t)json_object_get_string_len(ct);
	if (!b64_ok(text, tlen) || strlen(text) != tlen)
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, "ciphertext", "not valid base64");
	if (!pass)
		return kr_fail(err, -ENOKEY, MP_KR_E_NEED_PASSPHRASE, NULL,
			       "the keyring is encrypted: its passphrase is needed");

	buf = malloc(tlen / 4 * 3 + 1);
	out = malloc(tlen / 4 * 3 + 1);
	if (!buf || !out) {
		r = kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	blen = tlen ? (size_t)EVP_DecodeBlock(buf, (const uint8_t *)text, (int)tlen) : 0;
	pad = tlen && text[tlen - 1] == '=' ? (tlen > 1 && text[tlen - 2] == '=' ? 2 : 1) : 0;
	blen -= pad;
	if (derive(pass, passlen, &t, t.key)) {
		r = kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "scrypt failed (OpenSSL)");
		goto done;
	}
	make_aad(&t, aad, sizeof(aad));
	if (!gcm(false, t.key, nonce, aad, buf, blen, out, tag)) {
		mp_wipe(out, blen);
		r = kr_fail(err, -EKEYREJECTED, MP_KR_E_PASSPHRASE, NULL,
			    "wrong passphrase, or the encrypted file was altered");
		goto done;
	}
	out[blen] = '\0';
	*plain = (char *)out;
	*plain_len = blen;
	out = NULL;
	t.on = true;
	if (s)
		*s = t;
	r = 0;
done:
	mp_wipe(&t, sizeof(t));
	free(buf);
	free(out);
	return r;
}

int kr_seal_wrap(const struct kr_seal *s, const struct mp_rng *rng, const char *plain,
		 size_t len, char **out, size_t *out_len, struct mp_keyring_error *err)
{
	json_object *root, *kdf;
	uint8_t nonce[12], tag[16], *ct;
	char aad[200], *b64;
	int r = 0;

	*out = NULL;
	if (mp_rng_bytes(rng, nonce, sizeof(nonce)))
		return kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes for the nonce");
	ct = malloc(len + 1);
	b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!ct || !b64) {
		free(ct);
		free(b64);
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	make_aad(s, aad, sizeof(aad));
	if (!gcm(true, s->key, nonce, aad, (const uint8_t *)plain, len, ct, tag)) {
		free(ct);
		free(b64);
		return kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "AES-GCM failed (OpenSSL)");
	}
	b64[EVP_EncodeBlock((uint8_t *)b64, ct, (int)len)] = '\0';
	free(ct);

	root = json_object_new_object();
	kdf = json_object_new_object();
	kj_add_int(root, ENV_KEY, ENV_VERSION);
	kj_add_str(kdf, "name", "scrypt");
	kj_add_int(kdf, "log2N", s->log2n);
	kj_add_int(kdf, "r", s->r);
	kj_add_int(kdf, "p", s->p);
	kj_add_hex(kdf, "salt", s->salt, 16, false);
	json_object_object_add(root, "kdf", kdf);
	kj_add_str(root, "cipher", "aes-256-gcm");
	kj_add_hex(root, "nonce", nonce, 12, false);
	kj_add_str(root, "ciphertext", b64);
	kj_add_hex(root, "tag", tag, 16, false);
	free(b64);
	*out = kj_dump(root, out_len);
	json_object_put(root);
	if (!*out)
		r = kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	return r;
}
