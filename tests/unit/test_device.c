/* The simulated device (the Provisionee), driven PDU by PDU: the spec's
 * sample runs and everything checked against them.
 *
 * The spec's sample runs (MshPRT v1.1 8.17.1 CMAC, 8.17.2 HMAC with static
 * OOB, and the PB-ADV run of 8.7) are replayed from the device's side with a
 * scripted random source, every emitted PDU checked byte for byte; then
 * resets, the validation done before any handler (Invalid PDU, Unexpected
 * PDU, Invalid Format), the Start PDU's values, Attention, invalid public
 * keys, and wrong or reflected Confirmations, Randoms and data MICs. Every
 * failure path asserts the exact Provisioning Failed PDU. The flows the
 * samples do not cover are in test_device_flows.c; the shared helpers in
 * device_tu.h.
 */
#include "device_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "prov/pdu.h"
#include "sim/device.h"

/* ---- The specification's sample runs ---- */

static void run_sample(const char *name)
{
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];
	const uint8_t complete[1] = { MP_PROV_COMPLETE };

	dtu_load_sample(&s, name);
	d = dtu_sample_device(&s, &sc);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, s.dpub + 1, 64);

	assert_int_equal(mp_sim_device_rx(d, s.invite, 2), 0);
	assert_int_equal(dtu_cap.n, 1);
	assert_int_equal(dtu_cap.len[0], 12);
	tu_assert_bytes(dtu_cap.pdu[0], s.caps, 12);

	assert_int_equal(mp_sim_device_rx(d, s.start, 6), 0);
	assert_int_equal(dtu_cap.n, 1);

	assert_int_equal(mp_sim_device_rx(d, s.ppub, 65), 0);
	assert_int_equal(dtu_cap.n, 2);
	assert_int_equal(dtu_cap.len[1], 65);
	tu_assert_bytes(dtu_cap.pdu[1], s.dpub, 65);
	assert_int_equal(sc.pos, 1);	/* the Random is not drawn yet */

	assert_int_equal(mp_sim_device_rx(d, s.pconf, 1 + s.alen), 0);
	assert_int_equal(dtu_cap.n, 3);
	assert_int_equal(dtu_cap.len[2], 1 + s.alen);
	tu_assert_bytes(dtu_cap.pdu[2], s.dconf, 1 + s.alen);

	assert_int_equal(mp_sim_device_rx(d, s.prand, 1 + s.alen), 0);
	assert_int_equal(dtu_cap.n, 4);
	assert_int_equal(dtu_cap.len[3], 1 + s.alen);
	tu_assert_bytes(dtu_cap.pdu[3], s.drand, 1 + s.alen);

	assert_int_equal(dtu_cap.done_count, 0);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), 0);
	assert_int_equal(dtu_cap.n, 5);
	assert_int_equal(dtu_cap.len[4], 1);
	tu_assert_bytes(dtu_cap.pdu[4], complete, 1);

	assert_int_equal(sc.pos, sc.n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	assert_int_equal(dtu_cap.done_count, 1);
	assert_int_equal(dtu_cap.done_err, MP_PROV_OK);
	assert_true(dtu_cap.done_result);
	tu_assert_bytes(dtu_cap.result.net_key, s.net_key, 16);
	assert_int_equal(dtu_cap.result.net_key_index, mp_be16(s.index));
	assert_int_equal(dtu_cap.result.flags, s.flags[0]);
	assert_int_equal(dtu_cap.result.iv_index, mp_be32(s.iv));
	assert_int_equal(dtu_cap.result.unicast, mp_be16(s.addr));
	assert_int_equal(dtu_cap.result.elements, 1);
	tu_assert_bytes(dtu_cap.result.device_key, s.device_key, 16);

	/* provisioned: the node keeps its data; further PDUs are ignored */
	memset(&dtu_cap.result, 0, sizeof(dtu_cap.result));
	assert_int_equal(mp_sim_device_result(d, &dtu_cap.result), 0);
	tu_assert_bytes(dtu_cap.result.device_key, s.device_key, 16);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), -ESHUTDOWN);
	assert_int_equal(dtu_cap.n, 5);
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
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;
	struct json_object *tr = tu_get(tu_vectors(), "pdus.transactions");
	size_t i, n = json_object_array_length(tr);
	int sent = 0, device_pdus = 0;
	char path[96];

	dtu_load_sample(&s, "provisioning_cmac");
	d = dtu_sample_device(&s, &sc);
	for (i = 0; i < n; i++) {
		uint8_t pdu[128];
		size_t len;

		snprintf(path, sizeof(path), "pdus.transactions.%zu.provisioning_pdu", i);
		len = tu_hex(tu_vectors(), path, pdu, sizeof(pdu));
		snprintf(path, sizeof(path), "pdus.transactions.%zu.sender", i);
		if (!strcmp(tu_str(tu_vectors(), path), "provisioner")) {
			assert_int_equal(mp_sim_device_rx(d, pdu, len), 0);
		} else {
			assert_true(sent < dtu_cap.n);
			assert_int_equal(dtu_cap.len[sent], len);
			tu_assert_bytes(dtu_cap.pdu[sent], pdu, len);
			sent++;
			device_pdus++;
		}
	}
	assert_int_equal(device_pdus, 5);	/* Capabilities, Public Key, Confirmation, Random, Complete */
	assert_int_equal(sent, dtu_cap.n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	tu_assert_bytes(dtu_cap.result.device_key, s.device_key, 16);
	mp_sim_device_free(d);
}

/* A failed attempt, a reset, then the whole sample run again: the reset
 * draws a fresh private key (here the sample's again) and nothing stale. */
static void test_reset_new_attempt(void **state)
{
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];

	dtu_load_sample(&s, "provisioning_cmac");
	d = dtu_sample_device_keys(&s, &sc, 2);
	dtu_drive(d, &s, MP_SIM_DEV_STARTED);
	dtu_assert_failed(d, mp_sim_device_rx(d, s.pconf, 17), MP_PROV_ERR_UNEXPECTED_PDU);

	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(sc.pos, 2);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	assert_int_equal(mp_sim_device_error(d), MP_PROV_OK);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, s.dpub + 1, 64);
	memset(&dtu_cap, 0, sizeof(dtu_cap));
	dtu_cap.dev = d;
	dtu_drive(d, &s, MP_SIM_DEV_COMPLETE);
	assert_int_equal(sc.pos, 3);
	tu_assert_bytes(dtu_cap.pdu[2], s.dconf, 17);
	assert_int_equal(dtu_cap.done_err, MP_PROV_OK);
	tu_assert_bytes(dtu_cap.result.device_key, s.device_key, 16);
	mp_sim_device_free(d);
}

/* A reset from within done and a fresh key drawn by it. */
static void test_reset_from_done(void **state)
{
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t pub[64];

	dtu_load_sample(&s, "provisioning_cmac");
	d = dtu_sample_device(&s, &sc);
	dtu_script_add_hex(&sc, "0000000000000000000000000000000000000000000000000000000000000001");
	dtu_cap.reset_in_done = true;
	dtu_drive(d, &s, MP_SIM_DEV_WAIT_DATA);
	assert_int_equal(mp_sim_device_rx(d, s.data, 34), 0);
	assert_int_equal(dtu_cap.done_count, 1);
	assert_int_equal(dtu_cap.done_err, MP_PROV_OK);
	tu_assert_bytes(dtu_cap.result.device_key, s.device_key, 16);
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
	struct dtu_sample s;
	struct dtu_script sc;
	size_t i;

	dtu_load_sample(&s, "provisioning_cmac");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mp_sim_device *d = dtu_sample_device(&s, &sc);

		dtu_assert_failed(d, dtu_rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_PDU);
		mp_sim_device_free(d);
	}
	/* also in a later state: non-zero padding on an expected type */
	{
		struct mp_sim_device *d = dtu_sample_device(&s, &sc);
		uint8_t pk[65];

		dtu_drive(d, &s, MP_SIM_DEV_STARTED);
		memcpy(pk, s.ppub, 65);
		pk[0] |= 0x40;
		dtu_assert_failed(d, mp_sim_device_rx(d, pk, 65), MP_PROV_ERR_INVALID_PDU);
		mp_sim_device_free(d);
	}
}

/* One well-formed PDU of each type. */
static size_t wellformed(unsigned int type, const struct dtu_sample *s, uint8_t *out)
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
	struct dtu_sample s;
	struct dtu_script sc;
	size_t i;
	unsigned int t;
	int cases = 0;

	dtu_load_sample(&s, "provisioning_cmac");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		for (t = 0; t < MP_PROV_PDU_TYPES; t++) {
			struct mp_sim_device *d;
			uint8_t pdu[128];
			size_t n;
			int sent, drawn;

			if (states[i].allowed & (1u << t))
				continue;
			d = dtu_sample_device(&s, &sc);
			dtu_drive(d, &s, states[i].st);
			sent = dtu_cap.n;
			drawn = sc.pos;
			n = wellformed(t, &s, pdu);
			dtu_assert_failed(d, mp_sim_device_rx(d, pdu, n), MP_PROV_ERR_UNEXPECTED_PDU);
			assert_int_equal(dtu_cap.n, sent + 1);
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
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;

	dtu_load_sample(&s, "provisioning_cmac");
	d = dtu_sample_device(&s, &sc);
	dtu_assert_failed(d, dtu_rx_hex(d, "0200"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);
}

/* Wrong lengths of each expected PDU, one octet short and one too many. */
static void test_invalid_format_lengths(void **state)
{
	struct dtu_sample s;
	struct dtu_script sc;
	const uint8_t *seq[] = { s.invite, s.start, s.ppub, s.pconf, s.prand, s.data };
	static const enum mp_sim_device_state at[] = {
		MP_SIM_DEV_IDLE, MP_SIM_DEV_CAPS_SENT, MP_SIM_DEV_STARTED,
		MP_SIM_DEV_WAIT_CONFIRM, MP_SIM_DEV_WAIT_RANDOM, MP_SIM_DEV_WAIT_DATA,
	};
	size_t i;
	int delta;

	dtu_load_sample(&s, "provisioning_cmac");
	for (i = 0; i < 6; i++) {
		for (delta = -1; delta <= 1; delta += 2) {
			struct mp_sim_device *d = dtu_sample_device(&s, &sc);
			uint8_t pdu[80] = { 0 };
			size_t n = dtu_pdu_len(seq[i], &s);

			dtu_drive(d, &s, at[i]);
			memcpy(pdu, seq[i], n);
			dtu_assert_failed(d, mp_sim_device_rx(d, pdu, n + (size_t)delta),
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
			struct mp_sim_device *d = dtu_sample_device(&s, &sc);

			dtu_assert_failed(d, dtu_rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_FORMAT);
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
	struct dtu_script sc;
	struct mp_sim_device *d;
	int ret;

	dtu_config_init(&cfg, &sc);
	cfg.caps.algorithms = c->algorithms;
	cfg.caps.pubkey_type = c->pubkey_type;
	cfg.caps.oob_type = c->oob_type;
	cfg.caps.output_size = c->output_size;
	cfg.caps.output_actions = c->output_actions;
	cfg.caps.input_size = c->input_size;
	cfg.caps.input_actions = c->input_actions;
	cfg.static_oob = oob;
	cfg.static_oob_len = sizeof(oob);
	d = dtu_new_dev(&cfg);
	assert_int_equal(dtu_rx_hex(d, "0000"), 0);
	ret = dtu_rx_hex(d, c->start);
	if (c->want == MP_PROV_OK) {
		assert_int_equal(ret, 0);
		assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_STARTED);
	} else {
		dtu_assert_failed(d, ret, c->want);
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
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;

	dtu_load_sample(&s, "provisioning_cmac");
	d = dtu_sample_device(&s, &sc);
	assert_int_equal(dtu_rx_hex(d, "0005"), 0);
	assert_int_equal(dtu_cap.n_attention, 1);
	assert_int_equal(dtu_cap.attention[0], 5);
	assert_int_equal(dtu_rx_hex(d, "020000000000"), 0);
	assert_int_equal(dtu_cap.n_attention, 2);
	assert_int_equal(dtu_cap.attention[1], 0);
	mp_sim_device_free(d);

	/* a reset while the attention timer runs turns it off */
	d = dtu_sample_device_keys(&s, &sc, 2);
	assert_int_equal(dtu_rx_hex(d, "000a"), 0);
	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(dtu_cap.n_attention, 2);
	assert_int_equal(dtu_cap.attention[1], 0);
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
	struct dtu_sample s;
	struct dtu_script sc;
	size_t i;

	dtu_load_sample(&s, "provisioning_cmac");
	for (i = 0; i < 4; i++) {
		struct mp_sim_device *d = dtu_sample_device(&s, &sc);
		int sent;

		dtu_drive(d, &s, MP_SIM_DEV_STARTED);
		sent = dtu_cap.n;
		/* MshPRT v1.1 5.4.2.3: invalid, or equal to our own: Invalid Format */
		if (i < 3)
			dtu_assert_failed(d, dtu_rx_hex(d, bad[i]), MP_PROV_ERR_INVALID_FORMAT);
		else
			dtu_assert_failed(d, mp_sim_device_rx(d, s.dpub, 65),
					  MP_PROV_ERR_INVALID_FORMAT);
		assert_int_equal(dtu_cap.n, sent + 1);	/* our key was never sent */
		mp_sim_device_free(d);
	}
}

/* ---- Confirmation and random ---- */

static void test_confirmation_wrong_length(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct dtu_sample s;
		struct dtu_script sc;
		struct mp_sim_device *d;
		uint8_t pdu[33] = { MP_PROV_CONFIRMATION };

		dtu_load_sample(&s, names[i]);
		/* 32 octets with CMAC, 16 with HMAC */
		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		dtu_assert_failed(d, mp_sim_device_rx(d, pdu, s.alen == 16 ? 33 : 17),
				  MP_PROV_ERR_INVALID_FORMAT);
		mp_sim_device_free(d);

		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		pdu[0] = MP_PROV_RANDOM;
		dtu_assert_failed(d, mp_sim_device_rx(d, pdu, s.alen == 16 ? 33 : 17),
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
		struct dtu_sample s;
		struct dtu_script sc;
		struct mp_sim_device *d;

		dtu_load_sample(&s, names[i]);
		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		dtu_assert_failed(d, mp_sim_device_rx(d, s.dconf, 1 + s.alen),
				  MP_PROV_ERR_INVALID_FORMAT);
		mp_sim_device_free(d);
	}
}

static void test_random_reflected_or_wrong(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct dtu_sample s;
		struct dtu_script sc;
		struct mp_sim_device *d;
		uint8_t pdu[33];
		int sent;

		dtu_load_sample(&s, names[i]);
		/* our own Random back */
		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		sent = dtu_cap.n;
		dtu_assert_failed(d, mp_sim_device_rx(d, s.drand, 1 + s.alen),
				  MP_PROV_ERR_CONFIRMATION_FAILED);
		assert_int_equal(dtu_cap.n, sent + 1);	/* our Random never went out */
		mp_sim_device_free(d);

		/* a Random that does not match the provisioner's Confirmation */
		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
		memcpy(pdu, s.prand, 1 + s.alen);
		pdu[s.alen] ^= 0x01;
		dtu_assert_failed(d, mp_sim_device_rx(d, pdu, 1 + s.alen),
				  MP_PROV_ERR_CONFIRMATION_FAILED);
		mp_sim_device_free(d);

		/* a Confirmation that does not match the (sample) Random */
		d = dtu_sample_device(&s, &sc);
		dtu_drive(d, &s, MP_SIM_DEV_WAIT_CONFIRM);
		memcpy(pdu, s.pconf, 1 + s.alen);
		pdu[1] ^= 0x80;
		assert_int_equal(mp_sim_device_rx(d, pdu, 1 + s.alen), 0);
		dtu_assert_failed(d, mp_sim_device_rx(d, s.prand, 1 + s.alen),
				  MP_PROV_ERR_CONFIRMATION_FAILED);
		mp_sim_device_free(d);
	}
}

/* A wrong static OOB value fails at the provisioner's Random. */
static void test_static_oob_wrong(void **state)
{
	struct dtu_sample s;
	struct dtu_script sc;
	struct mp_sim_device *d;

	dtu_load_sample(&s, "provisioning_hmac");
	s.auth[31] ^= 1;
	d = dtu_sample_device(&s, &sc);
	dtu_drive(d, &s, MP_SIM_DEV_WAIT_RANDOM);
	dtu_assert_failed(d, mp_sim_device_rx(d, s.prand, 33), MP_PROV_ERR_CONFIRMATION_FAILED);
	mp_sim_device_free(d);
}

static void test_data_mic(void **state)
{
	static const char *const names[] = { "provisioning_cmac", "provisioning_hmac" };
	size_t i, at;

	for (i = 0; i < 2; i++) {
		for (at = 1; at < 34; at += 32) {
			struct dtu_sample s;
			struct dtu_script sc;
			struct mp_sim_device *d;

			dtu_load_sample(&s, names[i]);
			d = dtu_sample_device(&s, &sc);
			dtu_drive(d, &s, MP_SIM_DEV_WAIT_DATA);
			s.data[at] ^= 0x10;	/* ciphertext, then MIC */
			dtu_assert_failed(d, mp_sim_device_rx(d, s.data, 34),
					  MP_PROV_ERR_DECRYPTION_FAILED);
			mp_sim_device_free(d);
		}
	}
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
