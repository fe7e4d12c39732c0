/* Fuzz target: the simulated device (the Provisionee) fed an arbitrary
 * sequence of operations.
 *
 * Input: the first octet picks one of the device configurations below; then
 * a sequence of chunks, each introduced by a header octet h:
 *   h < 0x80 or h >= 0x82  a Provisioning PDU of (h & 0x7f) octets follows
 *                          (a short last chunk is fed as it is);
 *   h == 0x80              mp_sim_device_reset();
 *   h == 0x81, n, text     mp_sim_device_input() with n octets of text.
 * The random source is deterministic: the first draws of configurations 0 and
 * 1 are the specification's sample private key and Random (MshPRT v1.1
 * 8.17), so a seed holding the sample's provisioner PDUs runs to Complete;
 * everything else comes from a fixed xorshift stream.
 *
 * Invariants (abort() on violation):
 *   - every PDU the device sends decodes cleanly and is a Provisionee's type;
 *   - after a Provisioning Failed or Complete it sends nothing more until a
 *     reset, and mp_sim_device_rx() answers -ESHUTDOWN;
 *   - mp_sim_device_rx() returns a positive code exactly when it has just
 *     sent Failed with that code, and the device is then FAILED;
 *   - done is called once per ended attempt, with the code of the Failed
 *     PDU, or MP_PROV_OK and the data after Complete.
 *
 * The seed corpus in tests/fuzz/corpus/device/ is written by this file built
 * as a generator, which plays the provisioner with the crypto API:
 *   cc -DFUZZ_DEVICE_GEN -Iinclude tests/fuzz/fuzz_device.c src/sim/device.c \
 *      src/prov/pdu.c src/crypto/(all .c) src/core/(all .c) -lcrypto -o gen && ./gen DIR
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "prov/pdu.h"
#include "sim/device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MshPRT v1.1 8.17: the device's private key (both runs) and Randoms */
static const uint8_t sample_priv[32] = {
	0x52, 0x9a, 0xa0, 0x67, 0x0d, 0x72, 0xcd, 0x64, 0x97, 0x50, 0x2e, 0xd4, 0x73, 0x50, 0x2b, 0x03,
	0x7e, 0x88, 0x03, 0xb5, 0xc6, 0x08, 0x29, 0xa5, 0xa3, 0xca, 0xa2, 0x19, 0x50, 0x55, 0x30, 0xba,
};
static const uint8_t sample_rand_cmac[16] = {
	0x55, 0xa2, 0xa2, 0xbc, 0xa0, 0x4c, 0xd3, 0x2f, 0xf6, 0xf3, 0x46, 0xbd, 0x0a, 0x0c, 0x1a, 0x3a,
};
static const uint8_t sample_rand_hmac[32] = {
	0x5b, 0x9b, 0x1f, 0xc6, 0xa6, 0x4b, 0x2d, 0xe8, 0xbe, 0xce, 0x53, 0x18, 0x7e, 0xe9, 0x89, 0xc6,
	0x56, 0x6d, 0xb1, 0xfc, 0x7d, 0xc8, 0x58, 0x0a, 0x73, 0xda, 0xfd, 0xd6, 0x21, 0x1d, 0x56, 0xa5,
};
/* 8.17.2: the 32-octet static OOB value */
static const uint8_t sample_static_hmac[32] = {
	0x90, 0x6d, 0x73, 0xa3, 0xc7, 0xa7, 0xcb, 0x3f, 0xf7, 0x30, 0xdc, 0xa6, 0x8a, 0x46, 0xb9, 0xc1,
	0x8d, 0x67, 0x3f, 0x50, 0xe0, 0x78, 0x20, 0x23, 0x11, 0x47, 0x3e, 0xbb, 0xe2, 0x53, 0x66, 0x9f,
};
static const uint8_t record_name[] = "fuzz-device";
static uint8_t record_cert[600];

/* ---- Deterministic random source ---- */

struct frng {
	const uint8_t *q[2];
	size_t qlen[2];
	int qn, qpos;
	uint64_t s;
};

static int frng_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct frng *r = ctx;
	size_t i;

	if (r->qpos < r->qn && r->qlen[r->qpos] == n) {
		memcpy(out, r->q[r->qpos++], n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		r->s ^= r->s << 13;
		r->s ^= r->s >> 7;
		r->s ^= r->s << 17;
		out[i] = (uint8_t)(r->s >> 56);
	}
	return 0;
}

/* ---- The harness state and its invariants ---- */

static struct harness {
	struct mp_sim_device *dev;
	bool finished;		/* Failed or Complete sent, no reset since */
	int failed_code;	/* code of the Failed PDU sent, 0 if none */
	int sends;
	int done_calls;
	/* generator side */
	uint8_t last[8 + MP_SIM_RECORD_FRAG_MAX];
	size_t last_len;
	uint8_t pdus[8][80];
	int n_pdus;
	char output[16];
} h;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_device: invariant violated: %s\n", what);
		abort();
	}
}

static void cb_send(void *user, const uint8_t *pdu, size_t len)
{
	struct mp_prov_pdu p;

	check(!h.finished, "a PDU after Failed or Complete");
	check(mp_prov_pdu_decode(pdu, len, &p) == MP_PROV_OK, "an invalid PDU sent");
	switch (p.type) {
	case MP_PROV_FAILED:
		h.finished = true;
		h.failed_code = p.error;
		break;
	case MP_PROV_COMPLETE:
		h.finished = true;
		break;
	case MP_PROV_CAPABILITIES:
	case MP_PROV_PUBLIC_KEY:
	case MP_PROV_INPUT_COMPLETE:
	case MP_PROV_CONFIRMATION:
	case MP_PROV_RANDOM:
	case MP_PROV_RECORD_RESPONSE:
	case MP_PROV_RECORDS_LIST:
		break;
	case MP_PROV_INVITE:
	case MP_PROV_START:
	case MP_PROV_DATA:
	case MP_PROV_RECORD_REQUEST:
	case MP_PROV_RECORDS_GET:
		check(false, "a provisioner's PDU type sent by the device");
		break;
	case MP_PROV_PDU_TYPES:	/* the count, never a type: the decoder refuses it */
	default:
		check(false, "an unknown PDU type sent by the device");
	}
	h.sends++;
	if (len <= sizeof(h.last)) {
		memcpy(h.last, pdu, len);
		h.last_len = len;
	}
	if (len <= sizeof(h.pdus[0]) && h.n_pdus < 8) {
		memcpy(h.pdus[h.n_pdus++], pdu, len);
	}
}

static void cb_output(void *user, enum mp_output_action action, const char *text)
{
	check(strlen(text) >= 1 && strlen(text) <= MP_OOB_SIZE_MAX, "output text size");
	snprintf(h.output, sizeof(h.output), "%s", text);
}

static void cb_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *r)
{
	check(h.finished, "done before Failed or Complete");
	check(h.done_calls++ == 0, "done twice");
	if (h.failed_code)
		check(err == (enum mp_prov_err)h.failed_code && !r, "done with another code");
	else
		check(err == MP_PROV_OK && r && r->unicast && r->unicast <= 0x7fff,
		      "done without data");
}

#define N_CONFIGS 5

static int make_device(unsigned int which, struct frng *rng)
{
	static const struct mp_sim_record records[] = {
		{ 0x0011, record_name, sizeof(record_name) - 1 },
		{ 0x0001, record_cert, sizeof(record_cert) },
	};
	struct mp_sim_device_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memset(rng, 0, sizeof(*rng));
	rng->s = 0x9e3779b97f4a7c15ull;
	cfg.cb.send = cb_send;
	cfg.cb.output_oob = cb_output;
	cfg.cb.done = cb_done;
	cfg.caps.elements = 1;
	switch (which % N_CONFIGS) {
	case 0:	/* 8.17.1: CMAC, No OOB */
		cfg.caps.algorithms = MP_ALG_BIT_CMAC;
		rng->q[0] = sample_priv, rng->qlen[0] = 32;
		rng->q[1] = sample_rand_cmac, rng->qlen[1] = 16;
		rng->qn = 2;
		break;
	case 1:	/* 8.17.2: HMAC, static OOB */
		cfg.caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
		cfg.caps.oob_type = MP_OOB_TYPE_STATIC;
		cfg.static_oob = sample_static_hmac;
		cfg.static_oob_len = 32;
		rng->q[0] = sample_priv, rng->qlen[0] = 32;
		rng->q[1] = sample_rand_hmac, rng->qlen[1] = 32;
		rng->qn = 2;
		break;
	case 2:	/* everything: OOB key, static, output and input */
		cfg.caps.elements = 2;
		cfg.caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
		cfg.caps.pubkey_type = MP_PUBKEY_TYPE_OOB;
		cfg.caps.oob_type = MP_OOB_TYPE_STATIC;
		cfg.static_oob = sample_static_hmac;
		cfg.static_oob_len = 16;
		cfg.caps.output_size = 8;
		cfg.caps.output_actions = 0x1f;
		cfg.caps.input_size = 8;
		cfg.caps.input_actions = 0x0f;
		break;
	case 3:	/* records, many elements */
		cfg.caps.elements = 255;
		cfg.caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
		cfg.caps.output_size = 4;
		cfg.caps.output_actions = 0x07;
		cfg.records = records;
		cfg.n_records = 2;
		break;
	case 4:	/* only OOB authenticated provisioning */
		cfg.caps.algorithms = MP_ALG_BIT_HMAC;
		cfg.caps.oob_type = MP_OOB_TYPE_STATIC | MP_OOB_TYPE_ONLY_OOB;
		cfg.static_oob = sample_static_hmac;
		cfg.static_oob_len = 32;
		break;
	}
	{
		/* one device at a time: the source outlives it */
		static struct mp_rng r;

		r.bytes = frng_bytes;
		r.ctx = rng;
		cfg.rng = &r;
	}
	memset(&h, 0, sizeof(h));
	return mp_sim_device_new(&cfg, &h.dev);
}

static void op_pdu(const uint8_t *pdu, size_t len)
{
	bool was_finished = h.finished;
	int sends = h.sends, ret;

	ret = mp_sim_device_rx(h.dev, pdu, len);
	if (was_finished) {
		check(ret == -ESHUTDOWN && h.sends == sends, "a finished device answered");
		return;
	}
	if (ret > 0) {
		check(h.finished && h.failed_code == ret && h.last_len == 2 && h.last[0] == 0x09,
		      "failure code not sent");
		check(mp_sim_device_state(h.dev) == MP_SIM_DEV_FAILED, "not FAILED after Failed");
		check(h.done_calls == 1, "no done after Failed");
	} else {
		check(ret == 0, "rx error on a live device");
		check(!h.failed_code, "Failed sent but not reported");
		check(mp_sim_device_state(h.dev) != MP_SIM_DEV_FAILED, "FAILED without a code");
		if (mp_sim_device_state(h.dev) == MP_SIM_DEV_COMPLETE)
			check(h.finished && h.done_calls == 1, "COMPLETE without Complete");
	}
}

static void op_reset(void)
{
	int ret = mp_sim_device_reset(h.dev);

	check(ret == 0 && mp_sim_device_state(h.dev) == MP_SIM_DEV_IDLE, "reset failed");
	h.finished = false;
	h.failed_code = 0;
	h.done_calls = 0;
}

static void op_input(const uint8_t *text, size_t n)
{
	char buf[256];
	bool waiting = mp_sim_device_state(h.dev) == MP_SIM_DEV_WAIT_INPUT;
	int sends = h.sends, ret;

	memcpy(buf, text, n);
	buf[n] = '\0';
	ret = mp_sim_device_input(h.dev, buf);
	if (!waiting)
		check(ret == -EPERM && h.sends == sends, "input accepted while not waiting");
	else if (ret == 0)
		check(h.sends == sends + 1 && h.last[0] == MP_PROV_INPUT_COMPLETE,
		      "input without Input Complete");
	else
		check(ret == -EINVAL && h.sends == sends, "input refused oddly");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frng rng;
	size_t off = 1;

	if (size < 1)
		return 0;
	if (make_device(data[0], &rng) != 0)
		abort();
	while (off < size) {
		uint8_t hd = data[off++];
		size_t n;

		if (hd == 0x80) {
			op_reset();
			continue;
		}
		if (hd == 0x81) {
			if (off >= size)
				break;
			n = data[off++];
			if (n > size - off)
				n = size - off;
			op_input(data + off, n);
			off += n;
			continue;
		}
		n = hd & 0x7f;
		if (n > size - off)
			n = size - off;
		op_pdu(data + off, n);
		off += n;
	}
	if (h.finished)
		check(h.done_calls == 1, "ended without done");
	mp_sim_device_free(h.dev);
	h.dev = NULL;
	return 0;
}

#ifdef FUZZ_DEVICE_GEN
/* ---- Seed corpus generator: plays the provisioner ---- */

static const uint8_t prov_priv[32] = {	/* MshPRT v1.1 8.17: the provisioner's */
	0x06, 0xa5, 0x16, 0x69, 0x3c, 0x9a, 0xa3, 0x1a, 0x60, 0x84, 0x54, 0x5d, 0x0c, 0x5d, 0xb6, 0x41,
	0xb4, 0x85, 0x72, 0xb9, 0x72, 0x03, 0xdd, 0xff, 0xb7, 0xac, 0x73, 0xf7, 0xd0, 0x45, 0x76, 0x63,
};
static const uint8_t prov_rand[32] = {	/* 8.17.2 RandomProvisioner */
	0x36, 0xf9, 0x68, 0xb9, 0x4a, 0x13, 0x00, 0x0e, 0x64, 0xb2, 0x23, 0x57, 0x63, 0x90, 0xdb, 0x6b,
	0xcc, 0x6d, 0x62, 0xf0, 0x26, 0x17, 0xc3, 0x69, 0xee, 0x3f, 0x5b, 0x3e, 0x89, 0xdf, 0x7e, 0x1f,
};
static const uint8_t prov_rand_cmac[16] = {	/* 8.17.1 RandomProvisioner */
	0x8b, 0x19, 0xac, 0x31, 0xd5, 0x8b, 0x12, 0x4c, 0x94, 0x62, 0x09, 0xb5, 0xdb, 0x10, 0x21, 0xb9,
};
/* 8.17 provisioning data: NetKey, index 0x0567, flags 0, IV 0x01020304, 0x0b0c */
static const uint8_t prov_data[25] = {
	0xef, 0xb2, 0x25, 0x5e, 0x64, 0x22, 0xd3, 0x30, 0x08, 0x8e, 0x09, 0xbb, 0x01, 0x5e, 0xd7, 0x07,
	0x05, 0x67, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x0c,
};

static struct gen {
	uint8_t buf[4096];
	size_t len;
	struct mp_ecc_key *key;
	uint8_t pub[64], inputs[MP_CONF_INPUTS_LEN], ecdh[32], auth[32];
	enum mp_prov_alg alg;
	size_t alen;
	struct mp_prov_keys k;
} g;

static void gen_fail(const char *what)
{
	fprintf(stderr, "gen: %s\n", what);
	exit(1);
}

static void g_pdu(const uint8_t *pdu, size_t len)
{
	if (len > 0x7f || g.len + 1 + len > sizeof(g.buf))
		gen_fail("chunk too long");
	g.buf[g.len++] = (uint8_t)len;
	memcpy(g.buf + g.len, pdu, len);
	g.len += len;
	h.n_pdus = 0;
	op_pdu(pdu, len);
}

static void g_hex(const char *hex)
{
	uint8_t b[80];
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		b[n++] = (uint8_t)v;
		hex += 2;
	}
	g_pdu(b, n);
}

static void g_reset(void)
{
	g.buf[g.len++] = 0x80;
	op_reset();
}

static void g_input(const char *text)
{
	size_t n = strlen(text);

	g.buf[g.len++] = 0x81;
	g.buf[g.len++] = (uint8_t)n;
	memcpy(g.buf + g.len, text, n);
	g.len += n;
	h.n_pdus = 0;
	op_input((const uint8_t *)text, n);
}

static void g_begin(unsigned int config)
{
	static struct frng rng;

	memset(&g, 0, sizeof(g));
	g.buf[g.len++] = (uint8_t)config;
	if (make_device(config, &rng) || mp_ecc_key_from_private(prov_priv, &g.key))
		gen_fail("setup");
	mp_ecc_key_public(g.key, g.pub);
}

/* Invite, Start, public keys; the device's Capabilities and key recorded. */
static void g_start(const char *start)
{
	uint8_t st[6] = { MP_PROV_START }, pk[65] = { MP_PROV_PUBLIC_KEY }, dev_pub[64];
	unsigned int v, i;

	g_hex("0000");
	if (h.pdus[0][0] != MP_PROV_CAPABILITIES)
		gen_fail("no capabilities");
	g.inputs[0] = 0;
	memcpy(&g.inputs[1], h.pdus[0] + 1, 11);
	/* @start: the Start PDU's five parameter octets in hex */
	for (i = 0; i < 5 && sscanf(start + 2 * i, "%2x", &v) == 1; i++)
		st[1 + i] = (uint8_t)v;
	g_pdu(st, 6);
	memcpy(&g.inputs[12], st + 1, 5);
	g.alg = st[1] ? MP_ALG_HMAC : MP_ALG_CMAC;
	g.alen = mp_prov_alg_len(g.alg);
	memcpy(pk + 1, g.pub, 64);
	g_pdu(pk, 65);
	if (st[2])
		mp_sim_device_public_key(h.dev, dev_pub);
	else if (h.n_pdus && h.pdus[0][0] == MP_PROV_PUBLIC_KEY)
		memcpy(dev_pub, h.pdus[0] + 1, 64);
	else
		gen_fail("no device key");
	memcpy(&g.inputs[17], g.pub, 64);
	memcpy(&g.inputs[81], dev_pub, 64);
	if (mp_ecdh(g.key, dev_pub, g.ecdh))
		gen_fail("ecdh");
}

static void g_auth_number(unsigned long long v)
{
	int i;

	memset(g.auth, 0, sizeof(g.auth));
	for (i = 0; i < 8; i++)
		g.auth[g.alen - 1 - (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void g_auth_text(const char *s)
{
	memset(g.auth, 0, sizeof(g.auth));
	memcpy(g.auth, s, strlen(s));
}

/* Confirmation, Random, Data. */
static void g_finish(uint16_t addr)
{
	const uint8_t *rnd = g.alen == 16 ? prov_rand_cmac : prov_rand;
	uint8_t pdu[34], data[25];

	if (mp_prov_confirmation_key(&g.k, g.alg, g.inputs, g.ecdh, g.auth))
		gen_fail("conf key");
	pdu[0] = MP_PROV_CONFIRMATION;
	mp_prov_confirmation(&g.k, rnd, g.auth, pdu + 1);
	g_pdu(pdu, 1 + g.alen);
	pdu[0] = MP_PROV_RANDOM;
	memcpy(pdu + 1, rnd, g.alen);
	g_pdu(pdu, 1 + g.alen);
	if (!h.n_pdus || h.pdus[0][0] != MP_PROV_RANDOM)
		gen_fail("no device random");
	mp_prov_session_keys(&g.k, rnd, h.pdus[0] + 1, g.ecdh);
	memcpy(data, prov_data, sizeof(data));
	data[23] = (uint8_t)(addr >> 8);
	data[24] = (uint8_t)addr;
	pdu[0] = MP_PROV_DATA;
	mp_prov_data_encrypt(&g.k, data, pdu + 1, pdu + 26);
	g_pdu(pdu, 34);
	if (mp_sim_device_state(h.dev) != MP_SIM_DEV_COMPLETE)
		gen_fail("not complete");
}

static void g_write(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(g.buf, 1, g.len, f) != g.len || fclose(f))
		gen_fail(path);
	mp_sim_device_free(h.dev);
	mp_ecc_key_free(g.key);
	printf("%s: %zu octets\n", path, g.len);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";

	/* 8.17.1 and 8.17.2 exactly (same provisioner key and Randoms) */
	g_begin(0);
	g_start("0000000000");
	g_auth_number(0);
	g_finish(0x0b0c);
	g_write(dir, "sample_cmac");

	g_begin(1);
	g_start("0100010000");
	memcpy(g.auth, sample_static_hmac, 32);
	g_finish(0x0b0c);
	g_write(dir, "sample_hmac");

	g_begin(2);
	g_start("0100020306");
	g_auth_number(strtoull(h.output, NULL, 10));
	g_finish(0x0100);
	g_write(dir, "output_numeric_hmac");

	g_begin(2);
	g_start("0001020404");
	g_auth_text(h.output);
	g_finish(0x7ffe);
	g_write(dir, "output_alnum_oobkey");

	g_begin(2);
	g_start("0100030305");
	g_input("AB12Z");
	g_auth_text("AB12Z");
	g_finish(0x0002);
	g_write(dir, "input_alnum_hmac");

	g_begin(2);
	g_start("0001030002");
	g_input("42");
	g_auth_number(42);
	g_finish(0x0002);
	g_write(dir, "input_push_oobkey");

	g_begin(2);
	g_start("0100010000");
	memset(g.auth, 0, sizeof(g.auth));
	memcpy(g.auth, sample_static_hmac, 16);
	g_finish(0x1000);
	g_write(dir, "static16_hmac");

	g_begin(3);
	g_hex("0c");
	g_hex("0a001100000020");
	g_hex("0a00010064ffff");
	g_hex("0a000900000010");
	g_start("0000020204");
	g_auth_number(strtoull(h.output, NULL, 10));
	g_finish(0x7f00);
	g_write(dir, "records_then_blink");

	g_begin(4);
	g_start("0100010000");
	memcpy(g.auth, sample_static_hmac, 32);
	g_finish(0x0001);
	g_write(dir, "only_oob_hmac");

	/* failures and a fresh attempt after them */
	g_begin(0);
	g_hex("0000");
	g_hex("0000");
	g_reset();
	g_start("0000000000");
	g_auth_number(0);
	g_finish(0x0b0c);
	g_reset();
	g_hex("0c");
	g_write(dir, "fail_reset_again");
	return 0;
}
#endif
