/* Cryptographic primitives of Bluetooth Mesh, on OpenSSL 3 (EVP only).
 *
 * MshPRT v1.1 section 3.9: AES-CMAC and HMAC-SHA256 (through EVP_MAC), the
 * salt and key derivation functions s1, k1..k4, s2, k5, AES-CCM, and P-256
 * ECDH (through EVP_PKEY). All functions return 0 on success or a negative
 * errno: -EINVAL for bad arguments or an invalid public key, -EBADMSG for a
 * failed CCM authentication, -EIO when OpenSSL fails.
 *
 * Byte strings are in the order the specification prints them (big-endian,
 * on-air). Public keys are 64 octets, X || Y.
 */
#ifndef MP_CRYPTO_CRYPTO_H
#define MP_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_ECC_PRIV_LEN 32
#define MP_ECC_PUB_LEN 64
#define MP_ECDH_SECRET_LEN 32

/* A source of random bytes: production uses mp_random() (RAND_bytes);
 * tests inject a scripted source to reproduce the specification's samples. */
struct mp_rng {
	int (*bytes)(void *ctx, uint8_t *out, size_t n);	/* 0 or -errno */
	void *ctx;
};

/** Fill @out with @n bytes from OpenSSL's RAND_bytes. */
int mp_random(uint8_t *out, size_t n);
/** The default random source (mp_random). */
extern const struct mp_rng mp_rng_default;
/** Draw from @rng (NULL means the default). */
int mp_rng_bytes(const struct mp_rng *rng, uint8_t *out, size_t n);

/** AES-CMAC with a 128-bit key (RFC 4493). */
int mp_aes_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t out[16]);
/** HMAC-SHA256 with a 256-bit key. */
int mp_hmac_sha256(const uint8_t key[32], const uint8_t *msg, size_t len, uint8_t out[32]);
/** AES-128 single block encryption (the e() function of the spec). */
int mp_aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);

/** s1(M) = AES-CMAC_ZERO(M). MshPRT 3.9.2.5 */
int mp_s1(const uint8_t *m, size_t len, uint8_t out[16]);
/** k1(N, SALT, P) = AES-CMAC_T(P), T = AES-CMAC_SALT(N). MshPRT 3.9.2.6 */
int mp_k1(const uint8_t *n, size_t nlen, const uint8_t salt[16], const uint8_t *p, size_t plen,
	  uint8_t out[16]);
/** k2: NID (7 bits), EncryptionKey, PrivacyKey. MshPRT 3.9.2.7 */
int mp_k2(const uint8_t n[16], const uint8_t *p, size_t plen, uint8_t *nid, uint8_t enc_key[16],
	  uint8_t priv_key[16]);
/** k3: 64-bit Network ID. MshPRT 3.9.2.8 */
int mp_k3(const uint8_t n[16], uint8_t out[8]);
/** k4: 6-bit AID. MshPRT 3.9.2.9 */
int mp_k4(const uint8_t n[16], uint8_t *aid);
/** s2(M) = HMAC-SHA256_ZERO(M). MshPRT 3.9.2.10 */
int mp_s2(const uint8_t *m, size_t len, uint8_t out[32]);
/** k5(N, SALT, P) = HMAC-SHA256_T(P), T = HMAC-SHA256_SALT(N). MshPRT 3.9.2.11 */
int mp_k5(const uint8_t *n, size_t nlen, const uint8_t salt[32], const uint8_t *p, size_t plen,
	  uint8_t out[32]);

/**
 * AES-CCM with a 13-octet nonce and a MIC of @mic_len (4 or 8) octets.
 * @aad may be NULL when @aad_len is 0. @out may equal @in.
 */
int mp_aes_ccm_encrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *mic,
		       size_t mic_len);
/** Decrypt and authenticate; -EBADMSG when the MIC does not match (out wiped). */
int mp_aes_ccm_decrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *aad,
		       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		       const uint8_t *mic, size_t mic_len);

/* A P-256 key pair (opaque; the private key is wiped on free). */
struct mp_ecc_key;

/**
 * Generate a fresh key pair, drawing the private scalar from @rng (NULL: default):
 * 32 octets per draw, redrawn while 0 or >= n; -EIO if 32 draws in a row are out
 * of range, an error of @rng as is. *@out is NULL on failure.
 */
int mp_ecc_key_generate(const struct mp_rng *rng, struct mp_ecc_key **out);
/** Build a key pair from a 32-octet big-endian private scalar (-EINVAL if 0 or >= n;
 *  *@out is NULL on failure). */
int mp_ecc_key_from_private(const uint8_t priv[32], struct mp_ecc_key **out);
/** The public key, X || Y. */
void mp_ecc_key_public(const struct mp_ecc_key *key, uint8_t pub[64]);
/** Free and wipe. NULL is fine. */
void mp_ecc_key_free(struct mp_ecc_key *key);

/** True when @pub (X || Y) is a valid point on P-256 (not infinity, coordinates < p). */
bool mp_ecc_public_valid(const uint8_t pub[64]);
/** ECDH: the X coordinate of priv(key) * peer. -EINVAL if @peer is not a valid point. */
int mp_ecdh(const struct mp_ecc_key *key, const uint8_t peer[64], uint8_t secret[32]);

/** Wipe a secret (OPENSSL_cleanse). */
void mp_wipe(void *p, size_t n);
/** Constant-time equality of two byte strings (CRYPTO_memcmp). */
bool mp_ct_equal(const void *a, const void *b, size_t n);

#endif
