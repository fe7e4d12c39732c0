/* The simulated device (the Provisionee), driven PDU by PDU.
 *
 * The spec's sample runs (MshPRT v1.1 8.17.1 CMAC, 8.17.2 HMAC with static
 * OOB, and the PB-ADV run of 8.7) are replayed from the device's side with a
 * scripted random source, every emitted PDU checked byte for byte. Flows the
 * samples do not cover (OOB actions, public key OOB, unusual provisioning
 * data) are driven by a small provisioner written here on the crypto API,
 * independent of src/prov/provisioner.c. Every failure path asserts the exact
 * Provisioning Failed PDU.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "prov/pdu.h"
#include "sim/device.h"

/* ---- A scripted random source: each draw must have the documented size ---- */

#define SCRIPT_MAX 8

struct script {
	uint8_t data[SCRIPT_MAX][64];
	size_t len[SCRIPT_MAX];
	int n, pos;
	struct mp_rng rng;	/* draws from this script */
};

static int script_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct script *s = ctx;

	if (s->pos >= s->n)
		fail_msg("unexpected draw of %zu octets from the random source", n);
	if (n != s->len[s->pos])
		fail_msg("draw %d: %zu octets asked, script has %zu", s->pos, n, s->len[s->pos]);
	memcpy(out, s->data[s->pos], n);
	s->pos++;
	return 0;
}

static void script_add(struct script *s, const uint8_t *b, size_t n)
{
	assert_true(s->n < SCRIPT_MAX && n <= sizeof(s->data[0]));
	memcpy(s->data[s->n], b, n);
	s->len[s->n++] = n;
}

static void script_add_hex(struct script *s, const char *hex)
{
	uint8_t b[64];

	script_add(s, b, tu_unhex(hex, b, sizeof(b)));
}

/* ---- What the device emits ---- */

#define MAX_PDUS 24

static struct cap {
	uint8_t pdu[MAX_PDUS][8 + MP_SIM_RECORD_FRAG_MAX];
	size_t len[MAX_PDUS];
	int n;
	int attention[8];
	int n_attention;
	char output[16];
	int output_action, n_output, output_at;
	int input_action, input_size, n_input, input_at;
	const char *auto_input;		/* typed from within input_oob */
	int auto_input_ret;
	bool reset_in_done;
	int done_count;
	enum mp_prov_err done_err;
	bool done_result;
	struct mp_sim_prov_result result;
	struct mp_sim_device *dev;
} cap;

static void cb_send(void *user, const uint8_t *pdu, size_t len)
{
	assert_ptr_equal(user, &cap);
	if (cap.n >= MAX_PDUS)
		fail_msg("too many PDUs");
	assert_true(len <= sizeof(cap.pdu[0]));
	memcpy(cap.pdu[cap.n], pdu, len);
	cap.len[cap.n++] = len;
}

static void cb_attention(void *user, uint8_t seconds)
{
	if (cap.n_attention < 8)
		cap.attention[cap.n_attention] = seconds;
	cap.n_attention++;
}

static void cb_output(void *user, enum mp_output_action action, const char *text)
{
	snprintf(cap.output, sizeof(cap.output), "%s", text);
	cap.output_action = action;
	cap.output_at = cap.n;
	cap.n_output++;
}

static void cb_input(void *user, enum mp_input_action action, uint8_t size)
{
	cap.input_action = action;
	cap.input_size = size;
	cap.input_at = cap.n;
	cap.n_input++;
	if (cap.auto_input)
		cap.auto_input_ret = mp_sim_device_input(cap.dev, cap.auto_input);
}

static void cb_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *r)
{
	cap.done_count++;
	cap.done_err = err;
	cap.done_result = r != NULL;
	if (r)
		cap.result = *r;
	if (cap.reset_in_done)
		assert_int_equal(mp_sim_device_reset(cap.dev), 0);
}

static void config_init(struct mp_sim_device_config *cfg, struct script *s)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(s, 0, sizeof(*s));
	s->rng.bytes = script_bytes;
	s->rng.ctx = s;
	memset(cfg->uuid, 0x5a, sizeof(cfg->uuid));
	cfg->caps.elements = 1;
	cfg->caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
	cfg->rng = NULL;
	cfg->cb.send = cb_send;
	cfg->cb.attention = cb_attention;
	cfg->cb.output_oob = cb_output;
	cfg->cb.input_oob = cb_input;
	cfg->cb.done = cb_done;
	cfg->cb.user = &cap;
}

static struct mp_sim_device *new_dev(const struct mp_sim_device_config *cfg)
{
	struct mp_sim_device *d = NULL;

	memset(&cap, 0, sizeof(cap));
	assert_int_equal(mp_sim_device_new(cfg, &d), 0);
	assert_non_null(d);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	cap.dev = d;
	return d;
}

static const uint8_t *last_pdu(void)
{
	assert_true(cap.n > 0);
	return cap.pdu[cap.n - 1];
}

static int rx_hex(struct mp_sim_device *d, const char *hex)
{
	uint8_t b[128];
	size_t n = tu_unhex(hex, b, sizeof(b));

	return mp_sim_device_rx(d, b, n);
}

/* The device failed with @code: its last PDU is exactly Failed(code), it
 * reported it once, and it ignores everything that follows. */
static void assert_failed(struct mp_sim_device *d, int ret, enum mp_prov_err code)
{
	const uint8_t want[2] = { MP_PROV_FAILED, (uint8_t)code };
	uint8_t any[2] = { MP_PROV_INVITE, 0 };
	int sent;

	assert_int_equal(ret, code);
	assert_int_equal(cap.len[cap.n - 1], 2);
	tu_assert_bytes(last_pdu(), want, 2);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_FAILED);
	assert_int_equal(mp_sim_device_error(d), code);
	assert_int_equal(cap.done_count, 1);
	assert_int_equal(cap.done_err, code);
	assert_false(cap.done_result);
	sent = cap.n;
	assert_int_equal(mp_sim_device_rx(d, any, sizeof(any)), -ESHUTDOWN);
	assert_int_equal(mp_sim_device_input(d, "1"), -EPERM);
	assert_int_equal(cap.n, sent);
	assert_int_equal(cap.done_count, 1);
}

/* ---- The specification's sample runs ---- */

struct sample {
	const char *name;
	uint8_t invite[2], caps[12], start[6], ppub[65], dpub[65];
	uint8_t pconf[33], dconf[33], prand[33], drand[33], data[34];
	size_t alen;
	uint8_t dev_priv[32], rand_dev[32], auth[32];
	uint8_t net_key[16], device_key[16];
	uint8_t index[2], flags[1], iv[4], addr[2];
};

static size_t vhex(const char *sample, const char *field, uint8_t *out, size_t cap_)
{
	char path[128];

	snprintf(path, sizeof(path), "%s.%s", sample, field);
	return tu_hex(tu_vectors(), path, out, cap_);
}

static size_t vpdu(uint8_t *out, size_t cap_, uint8_t type, const char *sample, const char *f1,
		   const char *f2)
{
	size_t n = 1;

	out[0] = type;
	if (f1)
		n += vhex(sample, f1, out + n, cap_ - n);
	if (f2)
		n += vhex(sample, f2, out + n, cap_ - n);
	return n;
}

static void load_sample(struct sample *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	assert_int_equal(vpdu(s->invite, 2, 0x00, name, "invite_pdu_value", NULL), 2);
	assert_int_equal(vpdu(s->caps, 12, 0x01, name, "capabilities_pdu_value", NULL), 12);
	assert_int_equal(vpdu(s->start, 6, 0x02, name, "start_pdu_value", NULL), 6);
	assert_int_equal(vpdu(s->ppub, 65, 0x03, name, "provisioner_public_key_x",
			      "provisioner_public_key_y"), 65);
	assert_int_equal(vpdu(s->dpub, 65, 0x03, name, "device_public_key_x",
			      "device_public_key_y"), 65);
	s->alen = vhex(name, "random_device", s->rand_dev, sizeof(s->rand_dev));
	assert_int_equal(vpdu(s->pconf, 33, 0x05, name, "confirmation_provisioner", NULL),
			 1 + s->alen);
	assert_int_equal(vpdu(s->dconf, 33, 0x05, name, "confirmation_device", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->prand, 33, 0x06, name, "random_provisioner", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->drand, 33, 0x06, name, "random_device", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->data, 34, 0x07, name, "encrypted_provisioning_data",
			      "provisioning_data_mic"), 34);
	assert_int_equal(vhex(name, "device_private_key", s->dev_priv, 32), 32);
	assert_int_equal(vhex(name, "auth_value", s->auth, 32), s->alen);
	vhex(name, "net_key", s->net_key, 16);
	vhex(name, "device_key", s->device_key, 16);
	vhex(name, "net_key_index", s->index, 2);
	vhex(name, "flags", s->flags, 1);
	vhex(name, "iv_index", s->iv, 4);
	vhex(name, "unicast_address", s->addr, 2);
}

static size_t pdu_len(const uint8_t *pdu, const struct sample *s)
{
	switch (pdu[0]) {
	case MP_PROV_INVITE: return 2;
	case MP_PROV_CAPABILITIES: return 12;
	case MP_PROV_START: return 6;
	case MP_PROV_PUBLIC_KEY: return 65;
	case MP_PROV_DATA: return 34;
	default: return 1 + s->alen;
	}
}

/* The device of a sample: its capabilities decoded from the sample's
 * Capabilities PDU, the static OOB value when the sample uses one, and a
 * random source yielding the sample's private key (@keys times: creation and
 * resets) then its Random. */
static struct mp_sim_device *sample_device_keys(const struct sample *s, struct script *sc,
						 int keys)
{
	struct mp_sim_device_config cfg;
	struct mp_prov_pdu p;

	config_init(&cfg, sc);
	assert_int_equal(mp_prov_pdu_decode(s->caps, sizeof(s->caps), &p), MP_PROV_OK);
	cfg.caps = p.caps;
	if (cfg.caps.oob_type & MP_OOB_TYPE_STATIC) {
		cfg.static_oob = s->auth;
		cfg.static_oob_len = s->alen;
	}
	while (keys-- > 0)
		script_add(sc, s->dev_priv, 32);
	script_add(sc, s->rand_dev, s->alen);
	cfg.rng = &sc->rng;
	return new_dev(&cfg);
}

static struct mp_sim_device *sample_device(const struct sample *s, struct script *sc)
{
	return sample_device_keys(s, sc, 1);
}

/* Feed the sample's provisioner PDUs until the device reaches @target. */
static void drive(struct mp_sim_device *d, const struct sample *s, enum mp_sim_device_state target)
{
	const uint8_t *seq[] = { s->invite, s->start, s->ppub, s->pconf, s->prand, s->data };
	size_t i;

	for (i = 0; i < 6 && mp_sim_device_state(d) != target; i++)
		assert_int_equal(mp_sim_device_rx(d, seq[i], pdu_len(seq[i], s)), 0);
	assert_int_equal(mp_sim_device_state(d), target);
}

static void run_sample(const char *name)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];
	const uint8_t complete[1] = { MP_PROV_COMPLETE };

	load_sample(&s, name);
	d = sample_device(&s, &sc);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, s.dpub + 1, 64);

	assert_int_equal(mp_sim_device_rx(d, s.invite, 2), 0);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.len[0], 12);
	tu_assert_bytes(cap.pdu[0], s.caps, 12);

	assert_int_equal(mp_sim_device_rx(d, s.start, 6), 0);
	assert_int_equal(cap.n, 1);

	assert_int_equal(mp_sim_device_rx(d, s.ppub, 65), 0);
	assert_int_equal(cap.n, 2);
	assert_int_equal(cap.len[1], 65);
	tu_assert_bytes(cap.pdu[1], s.dpub, 65);
	assert_int_equal(sc.pos, 1);	/* the Random is not drawn yet */

	assert_int_equal(mp_sim_device_rx(d, s.pconf, 1 + s.alen), 0);
	assert_int_equal(cap.n, 3);
	assert_int_equal(cap.len[2], 1 + s.alen);
	tu_assert_bytes(cap.pdu[2], s.dconf, 1 + s.alen);

	assert_int_equal(mp_sim_device_rx(d, s.prand, 1 + s.alen), 0);
	assert_int_equal(cap.n, 4);
	assert_int_equal(cap.len[3], 1 + s.alen);
	tu_assert_bytes(cap.pdu[3], s.drand, 1 + s.alen);

	assert_int_equal(cap.done_count, 0);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), 0);
	assert_int_equal(cap.n, 5);
	assert_int_equal(cap.len[4], 1);
	tu_assert_bytes(cap.pdu[4], complete, 1);

	assert_int_equal(sc.pos, sc.n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	assert_int_equal(cap.done_count, 1);
	assert_int_equal(cap.done_err, MP_PROV_OK);
	assert_true(cap.done_result);
	tu_assert_bytes(cap.result.net_key, s.net_key, 16);
	assert_int_equal(cap.result.net_key_index, mp_be16(s.index));
	assert_int_equal(cap.result.flags, s.flags[0]);
	assert_int_equal(cap.result.iv_index, mp_be32(s.iv));
	assert_int_equal(cap.result.unicast, mp_be16(s.addr));
	assert_int_equal(cap.result.elements, 1);
	tu_assert_bytes(cap.result.device_key, s.device_key, 16);

	/* provisioned: the node keeps its data; further PDUs are ignored */
	memset(&cap.result, 0, sizeof(cap.result));
	assert_int_equal(mp_sim_device_result(d, &cap.result), 0);
	tu_assert_bytes(cap.result.device_key, s.device_key, 16);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), -ESHUTDOWN);
	assert_int_equal(cap.n, 5);
	mp_sim_device_free(d);
}

/* MshPRT v1.1 8.17.1: BTM_ECDH_P256_CMAC_AES128_AES_CCM, No OOB */
static void test_sample_cmac(void **state)
{
	run_sample("provisioning_cmac");
}

/* MshPRT v1.1 8.17.2: BTM_ECDH_P256_HMAC_SHA256_AES_CCM, 32-octet static OOB */
static void test_sample_hmac(void **state)
{
	run_sample("provisioning_hmac");
}

/* MshPRT v1.1 8.7: the provisioning PDUs of the PB-ADV sample run. They are
 * the 8.17.1 run (same keys and randoms), which this checks by replaying the
 * device with the 8.17.1 random source against them. */
static void test_sample_pb_adv_transactions(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;
	struct json_object *tr = tu_get(tu_vectors(), "pdus.transactions");
	size_t i, n = json_object_array_length(tr);
	int sent = 0, device_pdus = 0;
	char path[96];

	load_sample(&s, "provisioning_cmac");
	d = sample_device(&s, &sc);
	for (i = 0; i < n; i++) {
		uint8_t pdu[128];
		size_t len;

		snprintf(path, sizeof(path), "pdus.transactions.%zu.provisioning_pdu", i);
		len = tu_hex(tu_vectors(), path, pdu, sizeof(pdu));
		snprintf(path, sizeof(path), "pdus.transactions.%zu.sender", i);
		if (!strcmp(tu_str(tu_vectors(), path), "provisioner")) {
			assert_int_equal(mp_sim_device_rx(d, pdu, len), 0);
		} else {
			assert_true(sent < cap.n);
			assert_int_equal(cap.len[sent], len);
			tu_assert_bytes(cap.pdu[sent], pdu, len);
			sent++;
			device_pdus++;
		}
	}
	assert_int_equal(device_pdus, 5);	/* Capabilities, Public Key, Confirmation, Random, Complete */
	assert_int_equal(sent, cap.n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	tu_assert_bytes(cap.result.device_key, s.device_key, 16);
	mp_sim_device_free(d);
}

/* A failed attempt, a reset, then the whole sample run again: the reset
 * draws a fresh private key (here the sample's again) and nothing stale. */
static void test_reset_new_attempt(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];

	load_sample(&s, "provisioning_cmac");
	d = sample_device_keys(&s, &sc, 2);
	drive(d, &s, MP_SIM_DEV_STARTED);
	assert_failed(d, mp_sim_device_rx(d, s.pconf, 17), MP_PROV_ERR_UNEXPECTED_PDU);

	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(sc.pos, 2);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	assert_int_equal(mp_sim_device_error(d), MP_PROV_OK);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, s.dpub + 1, 64);
	memset(&cap, 0, sizeof(cap));
	cap.dev = d;
	drive(d, &s, MP_SIM_DEV_COMPLETE);
	assert_int_equal(sc.pos, 3);
	tu_assert_bytes(cap.pdu[2], s.dconf, 17);
	assert_int_equal(cap.done_err, MP_PROV_OK);
	tu_assert_bytes(cap.result.device_key, s.device_key, 16);
	mp_sim_device_free(d);
}

/* A reset from within done and a fresh key drawn by it. */
static void test_reset_from_done(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];

	load_sample(&s, "provisioning_cmac");
	d = sample_device(&s, &sc);
	script_add_hex(&sc, "0000000000000000000000000000000000000000000000000000000000000001");
	cap.reset_in_done = true;
	drive(d, &s, MP_SIM_DEV_WAIT_DATA);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), 0);
	assert_int_equal(cap.done_count, 1);
	assert_int_equal(cap.done_err, MP_PROV_OK);
	tu_assert_bytes(cap.result.device_key, s.device_key, 16);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	assert_int_equal(sc.pos, 3);
	/* private key 1: the public key is the generator */
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, (const uint8_t *)"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47", 8);
	mp_sim_device_free(d);
}

/* ---- Validation before any handler: Invalid PDU, Unexpected PDU, Invalid Format ---- */

static void test_invalid_pdu(void **state)
{
	static const char *const bad[] = {
		"",		/* no type at all */
		"4000",		/* Invite with padding 0b01 */
		"8000",		/* padding 0b10 */
		"c000",		/* padding 0b11 */
		"0e",		/* first RFU type */
		"3f00",		/* last RFU type */
		"ff",
	};
	struct sample s;
	struct script sc;
	size_t i;

	load_sample(&s, "provisioning_cmac");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mp_sim_device *d = sample_device(&s, &sc);

		assert_failed(d, rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_PDU);
		mp_sim_device_free(d);
	}
	/* also in a later state: non-zero padding on an expected type */
	{
		struct mp_sim_device *d = sample_device(&s, &sc);
		uint8_t pk[65];

		drive(d, &s, MP_SIM_DEV_STARTED);
		memcpy(pk, s.ppub, 65);
		pk[0] |= 0x40;
		assert_failed(d, mp_sim_device_rx(d, pk, 65), MP_PROV_ERR_INVALID_PDU);
		mp_sim_device_free(d);
	}
}

/* One well-formed PDU of each type. */
static size_t wellformed(unsigned int type, const struct sample *s, uint8_t *out)
{
	static const char *const hex[MP_PROV_PDU_TYPES] = {
		[MP_PROV_INVITE] = "0005",
		[MP_PROV_START] = "020000000000",
		[MP_PROV_INPUT_COMPLETE] = "04",
		[MP_PROV_CONFIRMATION] = "0500112233445566778899aabbccddeeff",
		[MP_PROV_RANDOM] = "0600112233445566778899aabbccddeeff",
		[MP_PROV_DATA] = "07000102030405060708090a0b0c0d0e0f101112131415161718"
				 "0001020304050607",
		[MP_PROV_COMPLETE] = "08",
		[MP_PROV_FAILED] = "0901",
		[MP_PROV_RECORD_REQUEST] = "0a000000000010",
		[MP_PROV_RECORD_RESPONSE] = "0b01000000000000",
		[MP_PROV_RECORDS_GET] = "0c",
		[MP_PROV_RECORDS_LIST] = "0d0000",
	};
	struct mp_prov_pdu p;
	size_t n;

	if (type == MP_PROV_CAPABILITIES) {
		memcpy(out, s->caps, 12);
		n = 12;
	} else if (type == MP_PROV_PUBLIC_KEY) {
		memcpy(out, s->ppub, 65);
		n = 65;
	} else {
		n = tu_unhex(hex[type], out, 128);
	}
	/* the probe itself must be valid, or the test proves nothing */
	assert_int_equal(mp_prov_pdu_decode(out, n, &p), MP_PROV_OK);
	return n;
}

/* Every type in every state where the device does not expect it, as the
 * states are reached by the sample run: Unexpected PDU, and the checks run
 * before the handler (nothing else is sent, no random drawn). */
static void test_unexpected_pdu_everywhere(void **state)
{
	static const struct {
		enum mp_sim_device_state st;
		uint16_t allowed;
	} states[] = {
		{ MP_SIM_DEV_IDLE, 1u << MP_PROV_INVITE | 1u << MP_PROV_RECORD_REQUEST |
				   1u << MP_PROV_RECORDS_GET },
		{ MP_SIM_DEV_CAPS_SENT, 1u << MP_PROV_START },
		{ MP_SIM_DEV_STARTED, 1u << MP_PROV_PUBLIC_KEY },
		{ MP_SIM_DEV_WAIT_CONFIRM, 1u << MP_PROV_CONFIRMATION },
		{ MP_SIM_DEV_WAIT_RANDOM, 1u << MP_PROV_RANDOM },
		{ MP_SIM_DEV_WAIT_DATA, 1u << MP_PROV_DATA },
	};
	struct sample s;
	struct script sc;
	size_t i;
	unsigned int t;
	int cases = 0;

	load_sample(&s, "provisioning_cmac");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		for (t = 0; t < MP_PROV_PDU_TYPES; t++) {
			struct mp_sim_device *d;
			uint8_t pdu[128];
			size_t n;
			int sent, drawn;

			if (states[i].allowed & (1u << t))
				continue;
			d = sample_device(&s, &sc);
			drive(d, &s, states[i].st);
			sent = cap.n;
			drawn = sc.pos;
			n = wellformed(t, &s, pdu);
			assert_failed(d, mp_sim_device_rx(d, pdu, n), MP_PROV_ERR_UNEXPECTED_PDU);
			assert_int_equal(cap.n, sent + 1);
			assert_int_equal(sc.pos, drawn);
			mp_sim_device_free(d);
			cases++;
		}
	}
	assert_int_equal(cases, 6 * MP_PROV_PDU_TYPES - 8);
}

/* The type is checked against the state before the length: a truncated PDU
 * that is not expected anyway is Unexpected PDU. */
static void test_unexpected_before_format(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;

	load_sample(&s, "provisioning_cmac");
	d = sample_device(&s, &sc);
	assert_failed(d, rx_hex(d, "0200"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);
}

/* Wrong lengths of each expected PDU, one octet short and one too many. */
static void test_invalid_format_lengths(void **state)
{
	struct sample s;
	struct script sc;
	const uint8_t *seq[] = { s.invite, s.start, s.ppub, s.pconf, s.prand, s.data };
	static const enum mp_sim_device_state at[] = {
		MP_SIM_DEV_IDLE, MP_SIM_DEV_CAPS_SENT, MP_SIM_DEV_STARTED,
		MP_SIM_DEV_WAIT_CONFIRM, MP_SIM_DEV_WAIT_RANDOM, MP_SIM_DEV_WAIT_DATA,
	};
	size_t i;
	int delta;

	load_sample(&s, "provisioning_cmac");
	for (i = 0; i < 6; i++) {
		for (delta = -1; delta <= 1; delta += 2) {
			struct mp_sim_device *d = sample_device(&s, &sc);
			uint8_t pdu[80] = { 0 };
			size_t n = pdu_len(seq[i], &s);

			drive(d, &s, at[i]);
			memcpy(pdu, seq[i], n);
			assert_failed(d, mp_sim_device_rx(d, pdu, n + (size_t)delta),
				      MP_PROV_ERR_INVALID_FORMAT);
			mp_sim_device_free(d);
		}
	}
	/* the record PDUs, before the Invite */
	{
		static const char *const bad[] = {
			"0c00", "0a0000000000", "0a00000000001000",
			"0a000000000000",	/* Fragment Maximum Size 0: Prohibited */
		};

		for (i = 0; i < 4; i++) {
			struct mp_sim_device *d = sample_device(&s, &sc);

			assert_failed(d, rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_FORMAT);
			mp_sim_device_free(d);
		}
	}
}

/* ---- Start ---- */

struct start_case {
	const char *start;		/* Start PDU */
	uint16_t algorithms;
	uint8_t pubkey_type, oob_type, output_size, input_size;
	uint16_t output_actions, input_actions;
	enum mp_prov_err want;
};

static void run_start_case(const struct start_case *c)
{
	static const uint8_t oob[16] = { 1, 2, 3 };
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	int ret;

	config_init(&cfg, &sc);
	cfg.caps.algorithms = c->algorithms;
	cfg.caps.pubkey_type = c->pubkey_type;
	cfg.caps.oob_type = c->oob_type;
	cfg.caps.output_size = c->output_size;
	cfg.caps.output_actions = c->output_actions;
	cfg.caps.input_size = c->input_size;
	cfg.caps.input_actions = c->input_actions;
	cfg.static_oob = oob;
	cfg.static_oob_len = sizeof(oob);
	d = new_dev(&cfg);
	assert_int_equal(rx_hex(d, "0000"), 0);
	ret = rx_hex(d, c->start);
	if (c->want == MP_PROV_OK) {
		assert_int_equal(ret, 0);
		assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_STARTED);
	} else {
		assert_failed(d, ret, c->want);
	}
	mp_sim_device_free(d);
}

static void test_start_values(void **state)
{
	static const struct start_case cases[] = {
		/* RFU and prohibited values: the codec's verdict */
		{ "020200000000", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "02ff00000000", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020002000000", 3, 1, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000040000", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000000100", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000000001", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000010001", 3, 0, 1, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020000", 3, 0, 0, 8, 0, 0x1f, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020009", 3, 0, 0, 8, 0, 0x1f, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020501", 3, 0, 0, 8, 0, 0x1f, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000030401", 3, 0, 0, 0, 8, 0, 0x0f, MP_PROV_ERR_INVALID_FORMAT },
		/* valid, but not what the device advertised */
		{ "020100000000", 1, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000000000", 2, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020001000000", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000010000", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020001", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020301", 3, 0, 0, 4, 0, 0x17, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000020305", 3, 0, 0, 4, 0, 0x1f, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000030001", 3, 0, 0, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000030203", 3, 0, 0, 0, 2, 0, 0x0f, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000030302", 3, 0, 0, 0, 8, 0, 0x07, MP_PROV_ERR_INVALID_FORMAT },
		/* Only OOB: No OOB refused; CMAC refused even when (wrongly) offered */
		{ "020100000000", 3, 0, 3, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		{ "020000010000", 3, 0, 3, 0, 0, 0, 0, MP_PROV_ERR_INVALID_FORMAT },
		/* and the accepted counterparts */
		{ "020100010000", 3, 0, 3, 0, 0, 0, 0, MP_PROV_OK },
		{ "020101000000", 3, 1, 0, 0, 0, 0, 0, MP_PROV_OK },
		{ "020000020408", 3, 0, 0, 8, 0, 0x10, 0, MP_PROV_OK },
		{ "020100030302", 3, 0, 0, 0, 2, 0, 0x08, MP_PROV_OK },
		{ "020100000000", 2, 1, 0, 0, 0, 0, 0, MP_PROV_OK },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("start case %zu: %s\n", i, cases[i].start);
		run_start_case(&cases[i]);
	}
}

static void test_attention(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;

	load_sample(&s, "provisioning_cmac");
	d = sample_device(&s, &sc);
	assert_int_equal(rx_hex(d, "0005"), 0);
	assert_int_equal(cap.n_attention, 1);
	assert_int_equal(cap.attention[0], 5);
	assert_int_equal(rx_hex(d, "020000000000"), 0);
	assert_int_equal(cap.n_attention, 2);
	assert_int_equal(cap.attention[1], 0);
	mp_sim_device_free(d);

	/* a reset while the attention timer runs turns it off */
	d = sample_device_keys(&s, &sc, 2);
	assert_int_equal(rx_hex(d, "000a"), 0);
	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(cap.n_attention, 2);
	assert_int_equal(cap.attention[1], 0);
	mp_sim_device_free(d);
}

/* ---- Public keys ---- */

static void test_public_key_invalid(void **state)
{
	static const char *const bad[] = {
		/* (1, 1) is not on the curve */
		"030000000000000000000000000000000000000000000000000000000000000001"
		"0000000000000000000000000000000000000000000000000000000000000001",
		/* the point at infinity's usual encoding */
		"030000000000000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000",
		/* coordinates not below p */
		"03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	};
	struct sample s;
	struct script sc;
	size_t i;

	load_sample(&s, "provisioning_cmac");
	for (i = 0; i < 4; i++) {
		struct mp_sim_device *d = sample_device(&s, &sc);
		int sent;

		drive(d, &s, MP_SIM_DEV_STARTED);
		sent = cap.n;
		/* MshPRT v1.1 5.4.2.3: invalid, or equal to our own: Invalid Format */
		if (i < 3)
			assert_failed(d, rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_FORMAT);
		else
			assert_failed(d, mp_sim_device_rx(d, s.dpub, 65),
				      MP_PROV_ERR_INVALID_FORMAT);
		assert_int_equal(cap.n, sent + 1);	/* our key was never sent */
		mp_sim_device_free(d);
	}
}

/* ---- Confirmation and random ---- */

static void test_confirmation_wrong_length(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct sample s;
		struct script sc;
		struct mp_sim_device *d;
		uint8_t pdu[33] = { MP_PROV_CONFIRMATION };

		load_sample(&s, names[i]);
		/* 32 octets with CMAC, 16 with HMAC */
		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		assert_failed(d, mp_sim_device_rx(d, pdu, s.alen == 16 ? 33 : 17),
			      MP_PROV_ERR_INVALID_FORMAT);
		mp_sim_device_free(d);

		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		pdu[0] = MP_PROV_RANDOM;
		assert_failed(d, mp_sim_device_rx(d, pdu, s.alen == 16 ? 33 : 17),
			      MP_PROV_ERR_INVALID_FORMAT);
		mp_sim_device_free(d);
	}
}

/* Our own Confirmation sent back: MshPRT v1.1 5.4.2.4.2 step 2 says fail
 * and "should indicate the Invalid Format Error Code". */
static void test_confirmation_reflected(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct sample s;
		struct script sc;
		struct mp_sim_device *d;

		load_sample(&s, names[i]);
		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		assert_failed(d, mp_sim_device_rx(d, s.dconf, 1 + s.alen),
			      MP_PROV_ERR_INVALID_FORMAT);
		mp_sim_device_free(d);
	}
}

static void test_random_reflected_or_wrong(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct sample s;
		struct script sc;
		struct mp_sim_device *d;
		uint8_t pdu[33];
		int sent;

		load_sample(&s, names[i]);
		/* our own Random back */
		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		sent = cap.n;
		assert_failed(d, mp_sim_device_rx(d, s.drand, 1 + s.alen),
			      MP_PROV_ERR_CONFIRMATION_FAILED);
		assert_int_equal(cap.n, sent + 1);	/* our Random never went out */
		mp_sim_device_free(d);

		/* a Random that does not match the provisioner's Confirmation */
		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		memcpy(pdu, s.prand, 1 + s.alen);
		pdu[s.alen] ^= 0x01;
		assert_failed(d, mp_sim_device_rx(d, pdu, 1 + s.alen),
			      MP_PROV_ERR_CONFIRMATION_FAILED);
		mp_sim_device_free(d);

		/* a Confirmation that does not match the (sample) Random */
		d = sample_device(&s, &sc);
		drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		memcpy(pdu, s.pconf, 1 + s.alen);
		pdu[1] ^= 0x80;
		assert_int_equal(mp_sim_device_rx(d, pdu, 1 + s.alen), 0);
		assert_failed(d, mp_sim_device_rx(d, s.prand, 1 + s.alen),
			      MP_PROV_ERR_CONFIRMATION_FAILED);
		mp_sim_device_free(d);
	}
}

/* A wrong static OOB value fails at the provisioner's Random. */
static void test_static_oob_wrong(void **state)
{
	struct sample s;
	struct script sc;
	struct mp_sim_device *d;

	load_sample(&s, "provisioning_hmac");
	s.auth[31] ^= 1;
	d = sample_device(&s, &sc);
	drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
	assert_failed(d, mp_sim_device_rx(d, s.prand, 33), MP_PROV_ERR_CONFIRMATION_FAILED);
	mp_sim_device_free(d);
}

static void test_data_mic(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i, at;

	for (i = 0; i < 2; i++) {
		for (at = 1; at < 34; at += 32) {
			struct sample s;
			struct script sc;
			struct mp_sim_device *d;

			load_sample(&s, names[i]);
			d = sample_device(&s, &sc);
			drive(d, &s, MP_SIM_DEV_WAIT_DATA);
			s.data[at] ^= 0x10;	/* ciphertext, then MIC */
			assert_failed(d, mp_sim_device_rx(d, s.data, 34),
				      MP_PROV_ERR_DECRYPTION_FAILED);
			mp_sim_device_free(d);
		}
	}
}

/* ---- A provisioner for flows the samples do not cover ---- */

struct tprov {
	struct mp_ecc_key *key;
	uint8_t pub[64], dev_pub[64];
	uint8_t inputs[MP_CONF_INPUTS_LEN];
	enum mp_prov_alg alg;
	size_t alen;
	uint8_t auth[32], ecdh[32], rand[32], conf[32], dev_conf[32];
	struct mp_prov_keys k;
};

static void tp_init(struct tprov *tp)
{
	uint8_t priv[32];

	memset(tp, 0, sizeof(*tp));
	vhex("provisioning_cmac", "provisioner_private_key", priv, sizeof(priv));
	assert_int_equal(mp_ecc_key_from_private(priv, &tp->key), 0);
	mp_ecc_key_public(tp->key, tp->pub);
}

static void tp_free(struct tprov *tp)
{
	mp_ecc_key_free(tp->key);
	mp_prov_keys_wipe(&tp->k);
}

static void tp_invite_start(struct tprov *tp, struct mp_sim_device *d, const char *start)
{
	uint8_t st[6];

	assert_int_equal(rx_hex(d, "0000"), 0);
	assert_int_equal(cap.len[cap.n - 1], 12);
	assert_int_equal(last_pdu()[0], MP_PROV_CAPABILITIES);
	tp->inputs[0] = 0;
	memcpy(&tp->inputs[1], last_pdu() + 1, 11);
	assert_int_equal(tu_unhex(start, st, sizeof(st)), 6);
	assert_int_equal(mp_sim_device_rx(d, st, 6), 0);
	memcpy(&tp->inputs[12], st + 1, 5);
	tp->alg = st[1] ? MP_ALG_HMAC : MP_ALG_CMAC;
	tp->alen = mp_prov_alg_len(tp->alg);
}

static void tp_pubkeys(struct tprov *tp, struct mp_sim_device *d, bool oob)
{
	uint8_t pdu[65] = { MP_PROV_PUBLIC_KEY };
	int before = cap.n;

	memcpy(pdu + 1, tp->pub, 64);
	assert_int_equal(mp_sim_device_rx(d, pdu, 65), 0);
	if (oob) {
		/* no Public Key from the device: the caller has it OOB */
		assert_true(cap.n == before || cap.pdu[before][0] != MP_PROV_PUBLIC_KEY);
		mp_sim_device_public_key(d, tp->dev_pub);
	} else {
		assert_true(cap.n > before);
		assert_int_equal(cap.len[before], 65);
		assert_int_equal(cap.pdu[before][0], MP_PROV_PUBLIC_KEY);
		memcpy(tp->dev_pub, cap.pdu[before] + 1, 64);
	}
	memcpy(&tp->inputs[17], tp->pub, 64);
	memcpy(&tp->inputs[81], tp->dev_pub, 64);
	assert_int_equal(mp_ecdh(tp->key, tp->dev_pub, tp->ecdh), 0);
}

static void tp_confirm(struct tprov *tp, struct mp_sim_device *d)
{
	uint8_t pdu[33] = { MP_PROV_CONFIRMATION };
	int before = cap.n;

	assert_int_equal(mp_prov_confirmation_key(&tp->k, tp->alg, tp->inputs, tp->ecdh, tp->auth),
			 0);
	assert_int_equal(mp_random(tp->rand, tp->alen), 0);
	assert_int_equal(mp_prov_confirmation(&tp->k, tp->rand, tp->auth, tp->conf), 0);
	memcpy(pdu + 1, tp->conf, tp->alen);
	assert_int_equal(mp_sim_device_rx(d, pdu, 1 + tp->alen), 0);
	assert_int_equal(cap.n, before + 1);
	assert_int_equal(cap.len[before], 1 + tp->alen);
	assert_int_equal(cap.pdu[before][0], MP_PROV_CONFIRMATION);
	memcpy(tp->dev_conf, cap.pdu[before] + 1, tp->alen);
}

static int tp_random(struct tprov *tp, struct mp_sim_device *d)
{
	uint8_t pdu[33] = { MP_PROV_RANDOM }, expect[32];
	int ret;

	memcpy(pdu + 1, tp->rand, tp->alen);
	ret = mp_sim_device_rx(d, pdu, 1 + tp->alen);
	if (ret)
		return ret;
	assert_int_equal(cap.len[cap.n - 1], 1 + tp->alen);
	assert_int_equal(last_pdu()[0], MP_PROV_RANDOM);
	/* the device's confirmation used the same AuthValue as ours */
	assert_int_equal(mp_prov_confirmation(&tp->k, last_pdu() + 1, tp->auth, expect), 0);
	tu_assert_bytes(expect, tp->dev_conf, tp->alen);
	assert_int_equal(mp_prov_session_keys(&tp->k, tp->rand, last_pdu() + 1, tp->ecdh), 0);
	return 0;
}

static const uint8_t tp_net_key[16] = {
	0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18, 0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6,
};

static int tp_data(struct tprov *tp, struct mp_sim_device *d, uint16_t index, uint8_t flags,
		   uint32_t iv, uint16_t addr)
{
	uint8_t plain[25], pdu[34] = { MP_PROV_DATA };

	memcpy(plain, tp_net_key, 16);
	mp_store_be16(plain + 16, index);
	plain[18] = flags;
	mp_store_be32(plain + 19, iv);
	mp_store_be16(plain + 23, addr);
	assert_int_equal(mp_prov_data_encrypt(&tp->k, plain, pdu + 1, pdu + 26), 0);
	return mp_sim_device_rx(d, pdu, sizeof(pdu));
}

static void tp_complete(struct tprov *tp, struct mp_sim_device *d)
{
	assert_int_equal(tp_random(tp, d), 0);
	assert_int_equal(tp_data(tp, d, 0x0abc, 0x03, 0x12345678, 0x1234), 0);
	assert_int_equal(cap.len[cap.n - 1], 1);
	assert_int_equal(last_pdu()[0], MP_PROV_COMPLETE);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	assert_int_equal(cap.done_count, 1);
	assert_int_equal(cap.done_err, MP_PROV_OK);
	tu_assert_bytes(cap.result.net_key, tp_net_key, 16);
	assert_int_equal(cap.result.net_key_index, 0x0abc);
	assert_int_equal(cap.result.flags, 0x03);
	assert_int_equal(cap.result.iv_index, 0x12345678);
	assert_int_equal(cap.result.unicast, 0x1234);
	assert_int_equal(cap.result.algorithm, tp->alg);
	tu_assert_bytes(cap.result.device_key, tp->k.device_key, 16);
}

/* AuthValue of a number or a string, written here apart from the device. */
static void tp_auth_text(struct tprov *tp, const char *text, bool alnum)
{
	unsigned long long v;
	int i;

	memset(tp->auth, 0, sizeof(tp->auth));
	if (alnum) {
		memcpy(tp->auth, text, strlen(text));
		return;
	}
	v = strtoull(text, NULL, 10);
	for (i = 0; i < 8; i++)
		tp->auth[tp->alen - 1 - (size_t)i] = (uint8_t)(v >> (8 * i));
}

static struct mp_sim_device *oob_device(struct mp_sim_device_config *cfg, struct script *sc)
{
	config_init(cfg, sc);
	cfg->caps.output_size = 8;
	cfg->caps.output_actions = 0x1f;
	cfg->caps.input_size = 8;
	cfg->caps.input_actions = 0x0f;
	return new_dev(cfg);
}

static unsigned long long pow10ull(int n)
{
	unsigned long long v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* Output OOB, every action, sizes 1 to 8, both algorithms, real randomness:
 * the text is within the size and is what authenticates the device. */
static void test_output_oob_actions(void **state)
{
	int alg, action, size;

	for (alg = 0; alg < 2; alg++) {
		for (action = 0; action < MP_OUTPUT_ACTIONS; action++) {
			for (size = 1; size <= 8; size++) {
				struct mp_sim_device_config cfg;
				struct script sc;
				struct mp_sim_device *d = oob_device(&cfg, &sc);
				struct tprov tp;
				char start[16];
				size_t len, i;

				tp_init(&tp);
				snprintf(start, sizeof(start), "02%02x0002%02x%02x", alg, action, size);
				tp_invite_start(&tp, d, start);
				tp_pubkeys(&tp, d, false);
				assert_int_equal(cap.n_output, 1);
				assert_int_equal(cap.output_action, action);
				assert_int_equal(cap.output_at, 1);	/* before our Public Key */
				len = strlen(cap.output);
				if (action == MP_OUTPUT_ALPHANUMERIC) {
					assert_int_equal(len, size);
					for (i = 0; i < len; i++)
						assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
								       cap.output[i]));
				} else {
					unsigned long long v = strtoull(cap.output, NULL, 10);

					for (i = 0; i < len; i++)
						assert_true(cap.output[i] >= '0' && cap.output[i] <= '9');
					assert_true(v < pow10ull(size));
					if (action == MP_OUTPUT_NUMERIC) {
						assert_int_equal(len, size);	/* a display of size digits */
					} else {
						assert_true(v >= 1);	/* a count of blinks */
						assert_true(len <= (size_t)size && cap.output[0] != '0');
					}
				}
				assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_CONFIRM);
				tp_auth_text(&tp, cap.output, action == MP_OUTPUT_ALPHANUMERIC);
				tp_confirm(&tp, d);
				tp_complete(&tp, d);
				tp_free(&tp);
				mp_sim_device_free(d);
			}
		}
	}
}

/* The documented draws turn into the documented outputs. */
static void test_output_oob_scripted(void **state)
{
	static const struct {
		const char *start;
		const char *draw;
		const char *text;
	} cases[] = {
		{ "020000020306", "000000000001e240", "123456" },
		{ "020000020306", "000000000000002a", "000042" },
		{ "020000020306", "00000000000f4240", "000000" },	/* 10^6 mod 10^6 */
		{ "020000020002", "0000000000000062", "99" },		/* 1 + 98 mod 99 */
		{ "020000020002", "0000000000000063", "1" },		/* 1 + 99 mod 99 */
		{ "020000020101", "ffffffffffffffff", "7" },		/* 1 + (2^64-1) mod 9 */
		{ "020100020403", "0000000a0023", "0AZ" },
		{ "020000020401", "0024", "0" },			/* 36 mod 36 */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_sim_device_config cfg;
		struct script sc;
		struct mp_sim_device *d;
		struct tprov tp;
		uint8_t priv[32], rnd[32] = { 0x11, 0x22 };

		config_init(&cfg, &sc);
		cfg.caps.output_size = 8;
		cfg.caps.output_actions = 0x1f;
		vhex("provisioning_cmac", "device_private_key", priv, 32);
		script_add(&sc, priv, 32);
		script_add_hex(&sc, cases[i].draw);
		script_add(&sc, rnd, cases[i].start[3] == '1' ? 32 : 16);
		cfg.rng = &sc.rng;
		d = new_dev(&cfg);
		tp_init(&tp);
		tp_invite_start(&tp, d, cases[i].start);
		assert_int_equal(sc.pos, 1);
		tp_pubkeys(&tp, d, false);
		assert_int_equal(sc.pos, 2);	/* drawn after the public keys */
		assert_string_equal(cap.output, cases[i].text);
		tp_auth_text(&tp, cap.output, cases[i].start[9] == '4');
		tp_confirm(&tp, d);
		tp_complete(&tp, d);
		assert_int_equal(sc.pos, 3);
		tp_free(&tp);
		mp_sim_device_free(d);
	}
}

static const char *input_text(int action, int size)
{
	static const char *const num[9] = {
		"", "7", "42", "905", "1234", "98765", "100000", "3141592", "99999999",
	};
	static const char *const alnum[9] = {
		"", "Q", "A1", "zz9", "Mesh", "AB12c", "0Z0Z0Z", "abcdefg", "XY12ab34",
	};

	return action == MP_INPUT_ALPHANUMERIC ? alnum[size] : num[size];
}

/* Input OOB, every action, sizes 1 to 8, both algorithms. */
static void test_input_oob_actions(void **state)
{
	int alg, action, size;

	for (alg = 0; alg < 2; alg++) {
		for (action = 0; action < MP_INPUT_ACTIONS; action++) {
			for (size = 1; size <= 8; size++) {
				struct mp_sim_device_config cfg;
				struct script sc;
				struct mp_sim_device *d = oob_device(&cfg, &sc);
				struct tprov tp;
				char start[16], upper[16];
				const char *text = input_text(action, size);
				size_t i;

				tp_init(&tp);
				snprintf(start, sizeof(start), "02%02x0003%02x%02x", alg, action, size);
				tp_invite_start(&tp, d, start);
				tp_pubkeys(&tp, d, false);
				/* asked for input after sending its Public Key */
				assert_int_equal(cap.n_input, 1);
				assert_int_equal(cap.input_action, action);
				assert_int_equal(cap.input_size, size);
				assert_int_equal(cap.input_at, 2);
				assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_INPUT);
				assert_int_equal(mp_sim_device_input(d, text), 0);
				assert_int_equal(cap.n, 3);
				assert_int_equal(cap.len[2], 1);
				assert_int_equal(cap.pdu[2][0], MP_PROV_INPUT_COMPLETE);
				assert_int_equal(mp_sim_device_input(d, text), -EPERM);
				for (i = 0; text[i]; i++)
					upper[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ?
							  text[i] - 'a' + 'A' : text[i]);
				upper[i] = '\0';
				tp_auth_text(&tp, upper, action == MP_INPUT_ALPHANUMERIC);
				tp_confirm(&tp, d);
				tp_complete(&tp, d);
				tp_free(&tp);
				mp_sim_device_free(d);
			}
		}
	}
}

static void test_input_oob_errors(void **state)
{
	static const struct {
		const char *start;
		const char *text;
	} bad[] = {
		{ "020000030004", "" },
		{ "020000030004", "12345" },	/* longer than the size */
		{ "020000030004", "12a4" },
		{ "020000030004", "-1" },
		{ "020000030004", "0" },	/* push 0 times */
		{ "020000030104", "0000" },	/* twist 0 times */
		{ "020000030304", "AB-1" },
		{ "020000030304", "ABCDE" },
		{ "020000030304", "A B" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mp_sim_device_config cfg;
		struct script sc;
		struct mp_sim_device *d = oob_device(&cfg, &sc);
		struct tprov tp;

		tp_init(&tp);
		assert_int_equal(mp_sim_device_input(d, "1"), -EPERM);
		tp_invite_start(&tp, d, bad[i].start);
		tp_pubkeys(&tp, d, false);
		assert_int_equal(mp_sim_device_input(d, bad[i].text), -EINVAL);
		assert_int_equal(mp_sim_device_input(d, NULL), -EINVAL);
		assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_INPUT);
		assert_int_equal(cap.n, 2);
		/* a Confirmation before Input Complete */
		{
			uint8_t pdu[17] = { MP_PROV_CONFIRMATION, 1 };

			assert_failed(d, mp_sim_device_rx(d, pdu, 17), MP_PROV_ERR_UNEXPECTED_PDU);
		}
		tp_free(&tp);
		mp_sim_device_free(d);
	}

	/* numeric 0 is a valid displayed number; a wrong number fails later */
	{
		struct mp_sim_device_config cfg;
		struct script sc;
		struct mp_sim_device *d = oob_device(&cfg, &sc);
		struct tprov tp;

		tp_init(&tp);
		tp_invite_start(&tp, d, "020000030204");
		tp_pubkeys(&tp, d, false);
		assert_int_equal(mp_sim_device_input(d, "0000"), 0);
		tp_auth_text(&tp, "1", false);
		tp_confirm(&tp, d);
		assert_failed(d, tp_random(&tp, d), MP_PROV_ERR_CONFIRMATION_FAILED);
		tp_free(&tp);
		mp_sim_device_free(d);
	}
}

/* The input typed from within the input_oob callback (a back-to-back
 * harness answering at once): Input Complete follows the Public Key. */
static void test_input_oob_from_callback(void **state)
{
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d = oob_device(&cfg, &sc);
	struct tprov tp;

	tp_init(&tp);
	cap.auto_input = "4821";
	tp_invite_start(&tp, d, "020100030204");
	tp_pubkeys(&tp, d, false);
	assert_int_equal(cap.auto_input_ret, 0);
	assert_int_equal(cap.n, 3);
	assert_int_equal(cap.pdu[1][0], MP_PROV_PUBLIC_KEY);
	assert_int_equal(cap.pdu[2][0], MP_PROV_INPUT_COMPLETE);
	tp_auth_text(&tp, "4821", false);
	tp_confirm(&tp, d);
	tp_complete(&tp, d);
	tp_free(&tp);
	mp_sim_device_free(d);
}

/* ---- Static OOB sizes against the algorithm's AuthValue size ---- */

static void test_static_oob_sizes(void **state)
{
	static const uint8_t value[32] = {
		0x90, 0x6d, 0x73, 0xa3, 0xc7, 0xa7, 0xcb, 0x3f, 0xf7, 0x30, 0xdc, 0xa6, 0x8a, 0x46,
		0xb9, 0xc1, 0x8d, 0x67, 0x3f, 0x50, 0xe0, 0x78, 0x20, 0x23, 0x11, 0x47, 0x3e, 0xbb,
		0xe2, 0x53, 0x66, 0x9f,
	};
	static const struct {
		size_t len;
		const char *start;
	} cases[] = {
		{ 16, "020100010000" },	/* zero-padded to 32 */
		{ 32, "020000010000" },	/* trimmed to 16 */
		{ 3, "020100010000" },
		{ 32, "020100010000" },
		{ 16, "020000010000" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_sim_device_config cfg;
		struct script sc;
		struct mp_sim_device *d;
		struct tprov tp;

		config_init(&cfg, &sc);
		cfg.caps.oob_type = MP_OOB_TYPE_STATIC;
		cfg.static_oob = value;
		cfg.static_oob_len = cases[i].len;
		d = new_dev(&cfg);
		tp_init(&tp);
		tp_invite_start(&tp, d, cases[i].start);
		tp_pubkeys(&tp, d, false);
		/* MshPRT v1.1 5.4.2.4.1, Binary data type */
		memset(tp.auth, 0, sizeof(tp.auth));
		memcpy(tp.auth, value, cases[i].len < tp.alen ? cases[i].len : tp.alen);
		tp_confirm(&tp, d);
		tp_complete(&tp, d);
		tp_free(&tp);
		mp_sim_device_free(d);
	}
}

/* ---- Public key OOB ---- */

static void test_public_key_oob(void **state)
{
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	struct tprov tp;
	uint8_t priv[32], pub[64], dpub[64], pub2[64];
	const uint8_t one[32] = { [31] = 1 };

	config_init(&cfg, &sc);
	cfg.caps.pubkey_type = MP_PUBKEY_TYPE_OOB;
	cfg.rng = &sc.rng;
	vhex("provisioning_cmac", "device_private_key", priv, 32);
	vhex("provisioning_cmac", "device_public_key_x", dpub, 32);
	vhex("provisioning_cmac", "device_public_key_y", dpub + 32, 32);
	script_add(&sc, priv, 32);
	script_add_hex(&sc, "00112233445566778899aabbccddeeff");
	d = new_dev(&cfg);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, dpub, 64);

	/* Start with the OOB key: the device does not send a Public Key */
	tp_init(&tp);
	tp_invite_start(&tp, d, "020001000000");
	tp_pubkeys(&tp, d, true);
	assert_int_equal(cap.n, 1);
	tp_confirm(&tp, d);
	tp_complete(&tp, d);
	tp_free(&tp);

	/* the OOB key survives a reset: no draw */
	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(sc.pos, 2);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, dpub, 64);

	/* in-band on the same device: a key of its own for this exchange */
	memset(&cap, 0, sizeof(cap));
	cap.dev = d;
	script_add(&sc, one, 32);
	script_add_hex(&sc, "ffeeddccbbaa99887766554433221100");
	tp_init(&tp);
	tp_invite_start(&tp, d, "020000000000");
	assert_int_equal(sc.pos, 3);	/* drawn at Start */
	tp_pubkeys(&tp, d, false);
	tu_assert_bytes(tp.dev_pub, (const uint8_t *)"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47", 8);
	mp_sim_device_public_key(d, pub2);
	tu_assert_bytes(pub2, dpub, 64);
	tp_confirm(&tp, d);
	tp_complete(&tp, d);
	tp_free(&tp);
	mp_sim_device_free(d);
}

/* The key pair is fresh for every attempt without OOB. */
static void test_fresh_key_per_attempt(void **state)
{
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t a[64], b[64];

	config_init(&cfg, &sc);
	d = new_dev(&cfg);
	mp_sim_device_public_key(d, a);
	assert_int_equal(mp_sim_device_reset(d), 0);
	mp_sim_device_public_key(d, b);
	assert_memory_not_equal(a, b, 64);
	mp_sim_device_free(d);
}

/* ---- Provisioning data values: MshPRT v1.1 5.4.2.5 ---- */

static void test_data_values(void **state)
{
	static const struct {
		uint8_t elements;
		uint16_t index;
		uint8_t flags;
		uint16_t addr;
		enum mp_prov_err want;
	} cases[] = {
		{ 1, 0x0000, 0x00, 0x0001, MP_PROV_OK },
		{ 1, 0x0fff, 0x03, 0x7fff, MP_PROV_OK },
		{ 3, 0x0000, 0x00, 0x7ffd, MP_PROV_OK },
		{ 255, 0x0000, 0x00, 0x7f01, MP_PROV_OK },
		{ 1, 0x0000, 0x00, 0x0000, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0x0000, 0x00, 0x8000, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0x0000, 0x00, 0xc000, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0x0000, 0x00, 0xffff, MP_PROV_ERR_INVALID_DATA },
		{ 2, 0x0000, 0x00, 0x7fff, MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES },
		{ 3, 0x0000, 0x00, 0x7ffe, MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES },
		{ 255, 0x0000, 0x00, 0x7f02, MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES },
		{ 1, 0x0000, 0x04, 0x0001, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0x0000, 0x80, 0x0001, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0x1000, 0x00, 0x0001, MP_PROV_ERR_INVALID_DATA },
		{ 1, 0xffff, 0x00, 0x0001, MP_PROV_ERR_INVALID_DATA },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_sim_device_config cfg;
		struct script sc;
		struct mp_sim_device *d;
		struct tprov tp;
		int ret;

		config_init(&cfg, &sc);
		cfg.caps.elements = cases[i].elements;
		d = new_dev(&cfg);
		tp_init(&tp);
		tp_invite_start(&tp, d, i % 2 ? "020100000000" : "020000000000");
		tp_pubkeys(&tp, d, false);
		tp_confirm(&tp, d);
		assert_int_equal(tp_random(&tp, d), 0);
		ret = tp_data(&tp, d, cases[i].index, cases[i].flags, 0xfffffffe, cases[i].addr);
		if (cases[i].want == MP_PROV_OK) {
			assert_int_equal(ret, 0);
			assert_int_equal(last_pdu()[0], MP_PROV_COMPLETE);
			assert_int_equal(cap.result.unicast, cases[i].addr);
			assert_int_equal(cap.result.elements, cases[i].elements);
			assert_int_equal(cap.result.iv_index, 0xfffffffe);
		} else {
			assert_failed(d, ret, cases[i].want);
			assert_int_equal(mp_sim_device_result(d, &cap.result), -ENOENT);
		}
		tp_free(&tp);
		mp_sim_device_free(d);
	}
}

/* ---- Provisioning records: MshPRT v1.1 5.4.2.6 ---- */

static void test_records(void **state)
{
	static uint8_t big[700];
	static const uint8_t name[] = "meshprov-sim";
	const struct mp_sim_record recs[] = {
		{ 0x0011, name, sizeof(name) - 1 },
		{ 0x0001, big, sizeof(big) },
	};
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t want[64];
	size_t i, n;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;

	/* no records: an empty list, "not present" */
	config_init(&cfg, &sc);
	d = new_dev(&cfg);
	assert_int_equal(rx_hex(d, "0c"), 0);
	n = tu_unhex("0d0000", want, sizeof(want));
	assert_int_equal(cap.len[0], n);
	tu_assert_bytes(cap.pdu[0], want, n);
	assert_int_equal(rx_hex(d, "0a001100000020"), 0);
	n = tu_unhex("0b01001100000000", want, sizeof(want));
	assert_int_equal(cap.len[1], n);
	tu_assert_bytes(cap.pdu[1], want, n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	mp_sim_device_free(d);

	config_init(&cfg, &sc);
	cfg.records = recs;
	cfg.n_records = 2;
	d = new_dev(&cfg);
	big[0] = 0xee;	/* copied at creation */
	assert_int_equal(rx_hex(d, "0c"), 0);
	n = tu_unhex("0d000000110001", want, sizeof(want));
	assert_int_equal(cap.len[0], n);
	tu_assert_bytes(cap.pdu[0], want, n);
	/* whole record when it fits */
	assert_int_equal(rx_hex(d, "0a001100000100"), 0);
	assert_int_equal(cap.len[1], 8 + 12);
	n = tu_unhex("0b0000110000000c", want, sizeof(want));
	tu_assert_bytes(cap.pdu[1], want, n);
	tu_assert_bytes(cap.pdu[1] + 8, name, 12);
	/* a fragment: offset 4, at most 5 */
	assert_int_equal(rx_hex(d, "0a001100040005"), 0);
	assert_int_equal(cap.len[2], 8 + 5);
	tu_assert_bytes(cap.pdu[2] + 8, name + 4, 5);
	/* offset at the end: out of bounds, with the total length */
	assert_int_equal(rx_hex(d, "0a0011000c0005"), 0);
	n = tu_unhex("0b020011000c000c", want, sizeof(want));
	assert_int_equal(cap.len[3], n);
	tu_assert_bytes(cap.pdu[3], want, n);
	/* a large record is cut at the device's fragment limit */
	assert_int_equal(rx_hex(d, "0a00010064ffff"), 0);
	assert_int_equal(cap.len[4], 8 + MP_SIM_RECORD_FRAG_MAX);
	n = tu_unhex("0b000001006402bc", want, sizeof(want));
	tu_assert_bytes(cap.pdu[4], want, n);
	assert_int_equal(cap.pdu[4][8], 100);
	assert_int_equal(rx_hex(d, "0a00010000ffff"), 0);
	assert_int_equal(cap.pdu[5][8], 0);	/* our copy, not the caller's later 0xee */
	/* unknown record */
	assert_int_equal(rx_hex(d, "0a000200000010"), 0);
	n = tu_unhex("0b01000200000000", want, sizeof(want));
	tu_assert_bytes(cap.pdu[6], want, n);

	/* then provisioning goes on as usual; after the Invite, records are
	 * Unexpected PDU (Tables 5.49, 5.51) */
	assert_int_equal(rx_hex(d, "0000"), 0);
	assert_int_equal(cap.pdu[7][0], MP_PROV_CAPABILITIES);
	assert_failed(d, rx_hex(d, "0c"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);

	config_init(&cfg, &sc);
	cfg.records = recs;
	cfg.n_records = 2;
	d = new_dev(&cfg);
	assert_int_equal(rx_hex(d, "0000"), 0);
	assert_failed(d, rx_hex(d, "0a001100000010"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);
}

/* ---- Configuration ---- */

static void test_config_errors(void **state)
{
	static const uint8_t oob[33] = { 0 };
	const struct mp_sim_record dup[2] = { { 1, oob, 1 }, { 1, oob, 1 } };
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d = (struct mp_sim_device *)(uintptr_t)1;

	config_init(&cfg, &sc);
	assert_int_equal(mp_sim_device_new(NULL, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(mp_sim_device_new(&cfg, NULL), -EINVAL);

	cfg.cb.send = NULL;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	config_init(&cfg, &sc);
	cfg.caps.elements = 0;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	config_init(&cfg, &sc);
	cfg.caps.algorithms = 0x0004;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	config_init(&cfg, &sc);
	cfg.caps.output_size = 9;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	config_init(&cfg, &sc);
	cfg.caps.oob_type = MP_OOB_TYPE_STATIC;	/* without a value */
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	cfg.static_oob = oob;
	cfg.static_oob_len = 33;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	config_init(&cfg, &sc);
	cfg.records = dup;
	cfg.n_records = 2;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	cfg.n_records = MP_SIM_RECORDS_MAX + 1;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	assert_null(d);
}

static int failing_bytes(void *ctx, uint8_t *out, size_t n)
{
	int *left = ctx;

	if ((*left)-- > 0)
		return mp_random(out, n);
	return -EIO;
}

/* A random source that fails mid-run: Unexpected Error, never a crash. */
static void test_rng_failure(void **state)
{
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	int left;
	struct mp_rng rng = { failing_bytes, &left };
	struct tprov tp;

	config_init(&cfg, &sc);
	cfg.rng = &rng;
	left = 0;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EIO);

	left = 1;	/* the key, then nothing */
	d = new_dev(&cfg);
	tp_init(&tp);
	tp_invite_start(&tp, d, "020000000000");
	tp_pubkeys(&tp, d, false);
	{
		uint8_t pdu[17] = { MP_PROV_CONFIRMATION, 9 };

		assert_failed(d, mp_sim_device_rx(d, pdu, 17), MP_PROV_ERR_UNEXPECTED_ERROR);
	}
	assert_int_equal(mp_sim_device_reset(d), -EIO);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_FAILED);
	assert_int_equal(mp_sim_device_rx(d, (const uint8_t *)"\x00\x00", 2), -ESHUTDOWN);
	tp_free(&tp);
	mp_sim_device_free(d);
}

static void test_misc_api(void **state)
{
	struct mp_sim_device_config cfg;
	struct script sc;
	struct mp_sim_device *d;
	uint8_t uuid[16];

	config_init(&cfg, &sc);
	cfg.caps.elements = 4;
	d = new_dev(&cfg);
	mp_sim_device_uuid(d, uuid);
	tu_assert_bytes(uuid, cfg.uuid, 16);
	assert_int_equal(mp_sim_device_caps(d)->elements, 4);
	assert_int_equal(mp_sim_device_rx(NULL, uuid, 1), -EINVAL);
	assert_int_equal(mp_sim_device_rx(d, NULL, 1), -EINVAL);
	assert_int_equal(mp_sim_device_input(NULL, "1"), -EINVAL);
	assert_string_equal(mp_sim_device_state_name(MP_SIM_DEV_IDLE), "idle");
	assert_string_equal(mp_sim_device_state_name(MP_SIM_DEV_WAIT_INPUT), "wait-input");
	assert_string_equal(mp_sim_device_state_name(MP_SIM_DEV_FAILED), "failed");
	assert_string_equal(mp_sim_device_state_name(99), "unknown");
	assert_int_equal(mp_sim_device_result(d, &cap.result), -ENOENT);
	mp_sim_device_free(d);
	mp_sim_device_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_cmac),
		cmocka_unit_test(test_sample_hmac),
		cmocka_unit_test(test_sample_pb_adv_transactions),
		cmocka_unit_test(test_reset_new_attempt),
		cmocka_unit_test(test_reset_from_done),
		cmocka_unit_test(test_invalid_pdu),
		cmocka_unit_test(test_unexpected_pdu_everywhere),
		cmocka_unit_test(test_unexpected_before_format),
		cmocka_unit_test(test_invalid_format_lengths),
		cmocka_unit_test(test_start_values),
		cmocka_unit_test(test_attention),
		cmocka_unit_test(test_public_key_invalid),
		cmocka_unit_test(test_confirmation_wrong_length),
		cmocka_unit_test(test_confirmation_reflected),
		cmocka_unit_test(test_random_reflected_or_wrong),
		cmocka_unit_test(test_static_oob_wrong),
		cmocka_unit_test(test_data_mic),
		cmocka_unit_test(test_output_oob_actions),
		cmocka_unit_test(test_output_oob_scripted),
		cmocka_unit_test(test_input_oob_actions),
		cmocka_unit_test(test_input_oob_errors),
		cmocka_unit_test(test_input_oob_from_callback),
		cmocka_unit_test(test_static_oob_sizes),
		cmocka_unit_test(test_public_key_oob),
		cmocka_unit_test(test_fresh_key_per_attempt),
		cmocka_unit_test(test_data_values),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_rng_failure),
		cmocka_unit_test(test_misc_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
