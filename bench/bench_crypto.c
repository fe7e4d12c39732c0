/* CPU time per operation of the crypto layer (CLOCK_PROCESS_CPUTIME_ID; each
 * operation repeated until it has used at least MIN_CPU_SECONDS). Prints
 * figures, asserts nothing about them.
 *
 * The "pre-fetched" lines run the same MAC with the EVP_MAC fetched once
 * outside the loop (and, for "pre-keyed", a keyed context reused), to show
 * what fetching per call costs in the mp_* functions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"

#define MIN_CPU_SECONDS 0.25

struct bench_ctx {
	uint8_t key[32], msg[64], out[64], nonce[13], data[MP_PROV_DATA_LEN];
	uint8_t pub_dev[64], ecdh[32], inputs[MP_CONF_INPUTS_LEN], auth[32];
	struct mp_ecc_key *dev, *prov;
	EVP_MAC *cmac, *hmac;
	EVP_MAC_CTX *keyed;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "bench_crypto: %s failed: %s\n", what, strerror(-ret));
		exit(1);
	}
}

static void run(const char *name, int (*op)(struct bench_ctx *), struct bench_ctx *c)
{
	unsigned long n = 8, i;
	double t0, dt;

	check(op(c), name);	/* warm up: first fetches load the provider */
	for (;;) {
		t0 = cpu_now();
		for (i = 0; i < n; i++)
			check(op(c), name);
		dt = cpu_now() - t0;
		if (dt >= MIN_CPU_SECONDS)
			break;
		n *= 2;
	}
	printf("  %-58s %10.2f us/op  (%lu ops)\n", name, dt * 1e6 / (double)n, n);
}

static int op_cmac16(struct bench_ctx *c)
{
	return mp_aes_cmac(c->key, c->msg, 16, c->out);
}

static int op_cmac64(struct bench_ctx *c)
{
	return mp_aes_cmac(c->key, c->msg, 64, c->out);
}

static int mac_prefetched(EVP_MAC *mac, const char *pname, const char *pval, size_t keylen,
			  const uint8_t *key, const uint8_t *msg, size_t len, uint8_t *out)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(pname, (char *)pval, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	size_t got = 0;
	int ok;

	ok = ctx && EVP_MAC_init(ctx, key, keylen, params) && EVP_MAC_update(ctx, msg, len) &&
	     EVP_MAC_final(ctx, out, &got, 32);
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static int op_cmac16_prefetched(struct bench_ctx *c)
{
	return mac_prefetched(c->cmac, OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 16, c->key, c->msg,
			      16, c->out);
}

/* Same key, context kept: re-initialising with a NULL key restarts the MAC. */
static int op_cmac16_prekeyed(struct bench_ctx *c)
{
	size_t got = 0;

	return EVP_MAC_init(c->keyed, NULL, 0, NULL) && EVP_MAC_update(c->keyed, c->msg, 16) &&
	       EVP_MAC_final(c->keyed, c->out, &got, 16) ? 0 : -EIO;
}

static int op_hmac32(struct bench_ctx *c)
{
	return mp_hmac_sha256(c->key, c->msg, 32, c->out);
}

static int op_hmac32_prefetched(struct bench_ctx *c)
{
	return mac_prefetched(c->hmac, OSSL_MAC_PARAM_DIGEST, "SHA256", 32, c->key, c->msg, 32,
			      c->out);
}

static int op_aes_ecb(struct bench_ctx *c)
{
	return mp_aes_ecb(c->key, c->msg, c->out);
}

static int op_k1(struct bench_ctx *c)
{
	return mp_k1(c->ecdh, 32, c->key, (const uint8_t *)"prck", 4, c->out);
}

static int op_k5(struct bench_ctx *c)
{
	return mp_k5(c->msg, 64, c->key, (const uint8_t *)"prck256", 7, c->out);
}

static int op_ccm_enc(struct bench_ctx *c)
{
	return mp_aes_ccm_encrypt(c->key, c->nonce, NULL, 0, c->data, sizeof(c->data), c->out,
				  c->out + 32, 8);
}

static int op_ccm_dec(struct bench_ctx *c)
{
	uint8_t enc[MP_PROV_DATA_LEN], mic[8];
	int ret = mp_aes_ccm_encrypt(c->key, c->nonce, NULL, 0, c->data, sizeof(enc), enc, mic, 8);

	/* the decryption is what is timed; subtract the encrypt line */
	return ret ? ret : mp_aes_ccm_decrypt(c->key, c->nonce, NULL, 0, enc, sizeof(enc), c->out,
					      mic, 8);
}

static int op_keygen(struct bench_ctx *c)
{
	struct mp_ecc_key *k = NULL;
	int ret = mp_ecc_key_generate(NULL, &k);

	mp_ecc_key_free(k);
	return ret;
}

static int op_ecdh(struct bench_ctx *c)
{
	return mp_ecdh(c->prov, c->pub_dev, c->out);
}

static int op_valid(struct bench_ctx *c)
{
	return mp_ecc_public_valid(c->pub_dev) ? 0 : -EINVAL;
}

/* Everything the provisioner computes in one provisioning (MshPRT 5.4.2):
 * its key pair, ECDH, ConfirmationKey, its Confirmation and the check of the
 * device's, the session keys and the encrypted Provisioning Data. */
static int provision(struct bench_ctx *c, enum mp_prov_alg alg)
{
	struct mp_ecc_key *k = NULL;
	struct mp_prov_keys keys;
	uint8_t ecdh[32], rp[32] = { 1 }, rd[32] = { 2 }, conf[32], enc[MP_PROV_DATA_LEN], mic[8];
	int ret;

	ret = mp_ecc_key_generate(NULL, &k);
	if (!ret) {
		mp_ecc_key_public(k, c->inputs + 17);
		ret = mp_ecdh(k, c->pub_dev, ecdh);
	}
	if (!ret)
		ret = mp_prov_confirmation_key(&keys, alg, c->inputs, ecdh, c->auth);
	if (!ret)
		ret = mp_prov_confirmation(&keys, rp, c->auth, conf);
	if (!ret)
		ret = mp_prov_confirmation(&keys, rd, c->auth, conf);
	if (!ret)
		ret = mp_prov_session_keys(&keys, rp, rd, ecdh);
	if (!ret)
		ret = mp_prov_data_encrypt(&keys, c->data, enc, mic);
	mp_prov_keys_wipe(&keys);
	mp_wipe(ecdh, sizeof(ecdh));
	mp_ecc_key_free(k);
	return ret;
}

static int op_provision_cmac(struct bench_ctx *c)
{
	return provision(c, MP_ALG_CMAC);
}

static int op_provision_hmac(struct bench_ctx *c)
{
	return provision(c, MP_ALG_HMAC);
}

int main(void)
{
	struct bench_ctx c;
	OSSL_PARAM params[2];
	char cbc[] = "AES-128-CBC";

	memset(&c, 0, sizeof(c));
	check(mp_random(c.key, sizeof(c.key)), "random");
	check(mp_random(c.msg, sizeof(c.msg)), "random");
	check(mp_random(c.data, sizeof(c.data)), "random");
	check(mp_random(c.ecdh, sizeof(c.ecdh)), "random");
	check(mp_ecc_key_generate(NULL, &c.dev), "keygen");
	check(mp_ecc_key_generate(NULL, &c.prov), "keygen");
	mp_ecc_key_public(c.dev, c.pub_dev);
	memcpy(c.inputs + 17 + 64, c.pub_dev, 64);
	c.cmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
	c.hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	c.keyed = c.cmac ? EVP_MAC_CTX_new(c.cmac) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cbc, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!c.hmac || !c.keyed || !EVP_MAC_init(c.keyed, c.key, 16, params))
		check(-EIO, "EVP_MAC setup");

	printf("crypto (%s), CPU time per operation:\n", OpenSSL_version(OPENSSL_VERSION));
	run("AES-CMAC 16 B (mp_aes_cmac: fetch per call)", op_cmac16, &c);
	run("AES-CMAC 16 B, pre-fetched EVP_MAC, new ctx per call", op_cmac16_prefetched, &c);
	run("AES-CMAC 16 B, pre-keyed ctx reused", op_cmac16_prekeyed, &c);
	run("AES-CMAC 64 B (mp_aes_cmac)", op_cmac64, &c);
	run("HMAC-SHA256 32 B (mp_hmac_sha256: fetch per call)", op_hmac32, &c);
	run("HMAC-SHA256 32 B, pre-fetched EVP_MAC", op_hmac32_prefetched, &c);
	run("AES-128 block (mp_aes_ecb)", op_aes_ecb, &c);
	run("k1 (N 32 B, P 'prck')", op_k1, &c);
	run("k5 (N 64 B, P 'prck256')", op_k5, &c);
	run("AES-CCM encrypt 25 B, MIC 8", op_ccm_enc, &c);
	run("AES-CCM encrypt + decrypt 25 B, MIC 8", op_ccm_dec, &c);
	run("P-256 key generation", op_keygen, &c);
	run("P-256 ECDH (incl. peer validation)", op_ecdh, &c);
	run("P-256 public key validation", op_valid, &c);
	run("provisioner side, one provisioning, CMAC alg", op_provision_cmac, &c);
	run("provisioner side, one provisioning, HMAC alg", op_provision_hmac, &c);

	EVP_MAC_CTX_free(c.keyed);
	EVP_MAC_free(c.cmac);
	EVP_MAC_free(c.hmac);
	mp_ecc_key_free(c.dev);
	mp_ecc_key_free(c.prov);
	return 0;
}
