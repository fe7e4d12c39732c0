/* P-256 key pairs and ECDH for provisioning (MshPRT v1.1 5.4.2.3) on OpenSSL 3:
 * keys are EVP_PKEYs built with EVP_PKEY_fromdata, the shared secret comes
 * from EVP_PKEY_derive. EC_GROUP/EC_POINT (not deprecated) compute a public
 * point from a private scalar and check peers' points. No EC_KEY anywhere.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

struct mp_ecc_key {
	EVP_PKEY *pkey;			/* holds the private scalar */
	uint8_t pub[MP_ECC_PUB_LEN];	/* X || Y */
};

/* The field prime p and the group order n of P-256 (SEC 2 / FIPS 186-4 D.1.2.3). */
static const uint8_t p256_p[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

#define P256_GROUP_NAME "P-256"
#define MAX_KEYGEN_TRIES 32

/* a < b for 32-octet big-endian numbers, without data-dependent branches
 * (the private scalar goes through here): the borrow out of a - b. */
static bool be32_less(const uint8_t a[32], const uint8_t b[32])
{
	unsigned int borrow = 0;
	int i;

	for (i = 31; i >= 0; i--)
		borrow = (((unsigned int)a[i] - b[i] - borrow) >> 8) & 1;
	return borrow;
}

static bool be_is_zero(const uint8_t *a, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= a[n];
	return acc == 0;
}

/* The SEC 1 uncompressed encoding 0x04 || X || Y that OpenSSL speaks. */
static void sec1_encode(const uint8_t pub[64], uint8_t oct[65])
{
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, pub, 64);
}

/* 1 when @pub is a valid P-256 point, 0 when not, -errno when OpenSSL fails. */
static int public_check(const uint8_t pub[64])
{
	uint8_t oct[65];
	EC_GROUP *group;
	EC_POINT *pt = NULL;
	int ret = -ENOMEM;

	/* The all-zero encoding stands for the point at infinity; coordinates
	 * must be field elements (< p). MshPRT v1.1 5.4.2.3 */
	if (be_is_zero(pub, 64) || !be32_less(pub, p256_p) || !be32_less(pub + 32, p256_p))
		return 0;
	group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	if (group)
		pt = EC_POINT_new(group);
	if (!pt)
		goto out;
	sec1_encode(pub, oct);
	/* oct2point fails for a point off the curve; P-256 has cofactor 1, so
	 * any finite point on the curve is in the prime-order group. */
	ret = EC_POINT_oct2point(group, pt, oct, sizeof(oct), NULL) == 1 &&
	      EC_POINT_is_on_curve(group, pt, NULL) == 1 && !EC_POINT_is_at_infinity(group, pt);
out:
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return ret;
}

bool mp_ecc_public_valid(const uint8_t pub[64])
{
	return pub && public_check(pub) == 1;
}

/* An EVP_PKEY on P-256 from its public point (65-octet SEC 1) and, for a
 * key pair, its private scalar. */
static EVP_PKEY *pkey_fromdata(const uint8_t oct[65], const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, P256_GROUP_NAME, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct, 65) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	/* A secure BIGNUM makes the builder put it in memory that
	 * OSSL_PARAM_free clears. */
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

int mp_ecc_key_from_private(const uint8_t priv[32], struct mp_ecc_key **out)
{
	struct mp_ecc_key *key = NULL;
	EC_GROUP *group = NULL;
	EC_POINT *pt = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *d = NULL;
	uint8_t oct[65];
	int ret = -EINVAL;

	if (!out)
		return -EINVAL;
	*out = NULL;
	/* 0 < d < n */
	if (!priv || be_is_zero(priv, 32) || !be32_less(priv, p256_n))
		return -EINVAL;

	ret = -ENOMEM;
	key = OPENSSL_zalloc(sizeof(*key));
	group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	bnctx = BN_CTX_secure_new();
	d = BN_secure_new();
	if (!key || !group || !bnctx || !d || !(pt = EC_POINT_new(group)))
		goto out;
	ret = -EIO;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (!BN_bin2bn(priv, 32, d) || !EC_POINT_mul(group, pt, d, NULL, NULL, bnctx) ||
	    EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct),
			       bnctx) != sizeof(oct))
		goto out;
	memcpy(key->pub, oct + 1, 64);
	key->pkey = pkey_fromdata(oct, d);
	if (!key->pkey)
		goto out;
	*out = key;
	key = NULL;
	ret = 0;
out:
	mp_ecc_key_free(key);
	BN_clear_free(d);
	BN_CTX_free(bnctx);
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	return ret;
}

int mp_ecc_key_generate(const struct mp_rng *rng, struct mp_ecc_key **out)
{
	uint8_t d[32];
	int tries, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	/* Draw until the scalar is in [1, n-1] (FIPS 186-4 B.4.2, testing
	 * candidates): with a real source a retry happens once in 2^32. */
	for (tries = 0; tries < MAX_KEYGEN_TRIES; tries++) {
		ret = mp_rng_bytes(rng, d, sizeof(d));
		if (ret)
			break;
		ret = mp_ecc_key_from_private(d, out);
		if (ret != -EINVAL)
			break;
	}
	OPENSSL_cleanse(d, sizeof(d));
	/* A source that never yields a usable scalar is broken. */
	return ret == -EINVAL ? -EIO : ret;
}

void mp_ecc_key_public(const struct mp_ecc_key *key, uint8_t pub[64])
{
	memcpy(pub, key->pub, 64);
}

void mp_ecc_key_free(struct mp_ecc_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);	/* clears the private scalar */
	OPENSSL_clear_free(key, sizeof(*key));
}

int mp_ecdh(const struct mp_ecc_key *key, const uint8_t peer[64], uint8_t secret[32])
{
	EVP_PKEY_CTX *dctx = NULL;
	EVP_PKEY *peer_pkey = NULL;
	uint8_t oct[65];
	size_t len = 32;
	int ret;

	if (!key || !peer || !secret)
		return -EINVAL;
	ret = public_check(peer);
	if (ret <= 0)
		return ret ? ret : -EINVAL;

	ret = -EIO;
	sec1_encode(peer, oct);
	peer_pkey = pkey_fromdata(oct, NULL);
	if (!peer_pkey)
		goto out;
	dctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	/* The peer was checked above; skip OpenSSL's full check (it includes
	 * a scalar multiplication by n). */
	if (!dctx || EVP_PKEY_derive_init(dctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(dctx, peer_pkey, 0) <= 0 ||
	    EVP_PKEY_derive(dctx, secret, &len) <= 0 || len != 32)
		goto out;
	ret = 0;
out:
	if (ret)
		OPENSSL_cleanse(secret, 32);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer_pkey);
	return ret;
}
