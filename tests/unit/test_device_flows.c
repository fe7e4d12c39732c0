/* The simulated device (the Provisionee) in the flows the spec's sample
 * runs do not cover, driven by the small provisioner of device_tu.h (written
 * on the crypto API, independent of src/prov/provisioner.c): Output and
 * Input OOB (every action and size, both algorithms), static OOB values of
 * every size, public key OOB, fresh keys per attempt, the Provisioning Data
 * values (MshPRT v1.1 5.4.2.5), provisioning records (5.4.2.6), the
 * configuration's checks, a failing random source and the rest of the API.
 * Every failure path asserts the exact Provisioning Failed PDU. The sample
 * runs are in test_device.c.
 */
#include "device_tu.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "prov/pdu.h"
#include "sim/device.h"

/* ---- Output and Input OOB ---- */

static struct mp_sim_device *oob_device(struct mp_sim_device_config *cfg, struct dtu_script *sc)
{
	dtu_config_init(cfg, sc);
	cfg->caps.output_size = 8;
	cfg->caps.output_actions = 0x1f;
	cfg->caps.input_size = 8;
	cfg->caps.input_actions = 0x0f;
	return dtu_new_dev(cfg);
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
				struct dtu_script sc;
				struct mp_sim_device *d = oob_device(&cfg, &sc);
				struct dtu_prov tp;
				char start[16];
				size_t len, i;

				dtu_prov_init(&tp);
				snprintf(start, sizeof(start), "02%02x0002%02x%02x", alg, action, size);
				dtu_prov_invite_start(&tp, d, start);
				dtu_prov_pubkeys(&tp, d, false);
				assert_int_equal(dtu_cap.n_output, 1);
				assert_int_equal(dtu_cap.output_action, action);
				assert_int_equal(dtu_cap.output_at, 1);	/* before our Public Key */
				len = strlen(dtu_cap.output);
				if (action == MP_OUTPUT_ALPHANUMERIC) {
					assert_int_equal(len, size);
					for (i = 0; i < len; i++)
						assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
								       dtu_cap.output[i]));
				} else {
					unsigned long long v = strtoull(dtu_cap.output, NULL, 10);

					for (i = 0; i < len; i++)
						assert_true(dtu_cap.output[i] >= '0' && dtu_cap.output[i] <= '9');
					assert_true(v < pow10ull(size));
					if (action == MP_OUTPUT_NUMERIC) {
						assert_int_equal(len, size);	/* a display of size digits */
					} else {
						assert_true(v >= 1);	/* a count of blinks */
						assert_true(len <= (size_t)size && dtu_cap.output[0] != '0');
					}
				}
				assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_CONFIRM);
				dtu_prov_auth_text(&tp, dtu_cap.output, action == MP_OUTPUT_ALPHANUMERIC);
				dtu_prov_confirm(&tp, d);
				dtu_prov_complete(&tp, d);
				dtu_prov_free(&tp);
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
		struct dtu_script sc;
		struct mp_sim_device *d;
		struct dtu_prov tp;
		uint8_t priv[32], rnd[32] = { 0x11, 0x22 };

		dtu_config_init(&cfg, &sc);
		cfg.caps.output_size = 8;
		cfg.caps.output_actions = 0x1f;
		dtu_vhex("provisioning_cmac", "device_private_key", priv, 32);
		dtu_script_add(&sc, priv, 32);
		dtu_script_add_hex(&sc, cases[i].draw);
		dtu_script_add(&sc, rnd, cases[i].start[3] == '1' ? 32 : 16);
		cfg.rng = &sc.rng;
		d = dtu_new_dev(&cfg);
		dtu_prov_init(&tp);
		dtu_prov_invite_start(&tp, d, cases[i].start);
		assert_int_equal(sc.pos, 1);
		dtu_prov_pubkeys(&tp, d, false);
		assert_int_equal(sc.pos, 2);	/* drawn after the public keys */
		assert_string_equal(dtu_cap.output, cases[i].text);
		dtu_prov_auth_text(&tp, dtu_cap.output, cases[i].start[9] == '4');
		dtu_prov_confirm(&tp, d);
		dtu_prov_complete(&tp, d);
		assert_int_equal(sc.pos, 3);
		dtu_prov_free(&tp);
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
				struct dtu_script sc;
				struct mp_sim_device *d = oob_device(&cfg, &sc);
				struct dtu_prov tp;
				char start[16], upper[16];
				const char *text = input_text(action, size);
				size_t i;

				dtu_prov_init(&tp);
				snprintf(start, sizeof(start), "02%02x0003%02x%02x", alg, action, size);
				dtu_prov_invite_start(&tp, d, start);
				dtu_prov_pubkeys(&tp, d, false);
				/* asked for input after sending its Public Key */
				assert_int_equal(dtu_cap.n_input, 1);
				assert_int_equal(dtu_cap.input_action, action);
				assert_int_equal(dtu_cap.input_size, size);
				assert_int_equal(dtu_cap.input_at, 2);
				assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_INPUT);
				assert_int_equal(mp_sim_device_input(d, text), 0);
				assert_int_equal(dtu_cap.n, 3);
				assert_int_equal(dtu_cap.len[2], 1);
				assert_int_equal(dtu_cap.pdu[2][0], MP_PROV_INPUT_COMPLETE);
				assert_int_equal(mp_sim_device_input(d, text), -EPERM);
				for (i = 0; text[i]; i++)
					upper[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ?
							  text[i] - 'a' + 'A' : text[i]);
				upper[i] = '\0';
				dtu_prov_auth_text(&tp, upper, action == MP_INPUT_ALPHANUMERIC);
				dtu_prov_confirm(&tp, d);
				dtu_prov_complete(&tp, d);
				dtu_prov_free(&tp);
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
		struct dtu_script sc;
		struct mp_sim_device *d = oob_device(&cfg, &sc);
		struct dtu_prov tp;

		dtu_prov_init(&tp);
		assert_int_equal(mp_sim_device_input(d, "1"), -EPERM);
		dtu_prov_invite_start(&tp, d, bad[i].start);
		dtu_prov_pubkeys(&tp, d, false);
		assert_int_equal(mp_sim_device_input(d, bad[i].text), -EINVAL);
		assert_int_equal(mp_sim_device_input(d, NULL), -EINVAL);
		assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_WAIT_INPUT);
		assert_int_equal(dtu_cap.n, 2);
		/* a Confirmation before Input Complete */
		{
			uint8_t pdu[17] = { MP_PROV_CONFIRMATION, 1 };

			dtu_assert_failed(d, mp_sim_device_rx(d, pdu, 17), MP_PROV_ERR_UNEXPECTED_PDU);
		}
		dtu_prov_free(&tp);
		mp_sim_device_free(d);
	}

	/* numeric 0 is a valid displayed number; a wrong number fails later */
	{
		struct mp_sim_device_config cfg;
		struct dtu_script sc;
		struct mp_sim_device *d = oob_device(&cfg, &sc);
		struct dtu_prov tp;

		dtu_prov_init(&tp);
		dtu_prov_invite_start(&tp, d, "020000030204");
		dtu_prov_pubkeys(&tp, d, false);
		assert_int_equal(mp_sim_device_input(d, "0000"), 0);
		dtu_prov_auth_text(&tp, "1", false);
		dtu_prov_confirm(&tp, d);
		dtu_assert_failed(d, dtu_prov_random(&tp, d), MP_PROV_ERR_CONFIRMATION_FAILED);
		dtu_prov_free(&tp);
		mp_sim_device_free(d);
	}
}

/* The input typed from within the input_oob callback (a back-to-back
 * harness answering at once): Input Complete follows the Public Key. */
static void test_input_oob_from_callback(void **state)
{
	struct mp_sim_device_config cfg;
	struct dtu_script sc;
	struct mp_sim_device *d = oob_device(&cfg, &sc);
	struct dtu_prov tp;

	dtu_prov_init(&tp);
	dtu_cap.auto_input = "4821";
	dtu_prov_invite_start(&tp, d, "020100030204");
	dtu_prov_pubkeys(&tp, d, false);
	assert_int_equal(dtu_cap.auto_input_ret, 0);
	assert_int_equal(dtu_cap.n, 3);
	assert_int_equal(dtu_cap.pdu[1][0], MP_PROV_PUBLIC_KEY);
	assert_int_equal(dtu_cap.pdu[2][0], MP_PROV_INPUT_COMPLETE);
	dtu_prov_auth_text(&tp, "4821", false);
	dtu_prov_confirm(&tp, d);
	dtu_prov_complete(&tp, d);
	dtu_prov_free(&tp);
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
		struct dtu_script sc;
		struct mp_sim_device *d;
		struct dtu_prov tp;

		dtu_config_init(&cfg, &sc);
		cfg.caps.oob_type = MP_OOB_TYPE_STATIC;
		cfg.static_oob = value;
		cfg.static_oob_len = cases[i].len;
		d = dtu_new_dev(&cfg);
		dtu_prov_init(&tp);
		dtu_prov_invite_start(&tp, d, cases[i].start);
		dtu_prov_pubkeys(&tp, d, false);
		/* MshPRT v1.1 5.4.2.4.1, Binary data type */
		memset(tp.auth, 0, sizeof(tp.auth));
		memcpy(tp.auth, value, cases[i].len < tp.alen ? cases[i].len : tp.alen);
		dtu_prov_confirm(&tp, d);
		dtu_prov_complete(&tp, d);
		dtu_prov_free(&tp);
		mp_sim_device_free(d);
	}
}

/* ---- Public key OOB ---- */

static void test_public_key_oob(void **state)
{
	struct mp_sim_device_config cfg;
	struct dtu_script sc;
	struct mp_sim_device *d;
	struct dtu_prov tp;
	uint8_t priv[32], pub[64], dpub[64], pub2[64];
	const uint8_t one[32] = { [31] = 1 };

	dtu_config_init(&cfg, &sc);
	cfg.caps.pubkey_type = MP_PUBKEY_TYPE_OOB;
	cfg.rng = &sc.rng;
	dtu_vhex("provisioning_cmac", "device_private_key", priv, 32);
	dtu_vhex("provisioning_cmac", "device_public_key_x", dpub, 32);
	dtu_vhex("provisioning_cmac", "device_public_key_y", dpub + 32, 32);
	dtu_script_add(&sc, priv, 32);
	dtu_script_add_hex(&sc, "00112233445566778899aabbccddeeff");
	d = dtu_new_dev(&cfg);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, dpub, 64);

	/* Start with the OOB key: the device does not send a Public Key */
	dtu_prov_init(&tp);
	dtu_prov_invite_start(&tp, d, "020001000000");
	dtu_prov_pubkeys(&tp, d, true);
	assert_int_equal(dtu_cap.n, 1);
	dtu_prov_confirm(&tp, d);
	dtu_prov_complete(&tp, d);
	dtu_prov_free(&tp);

	/* the OOB key survives a reset: no draw */
	assert_int_equal(mp_sim_device_reset(d), 0);
	assert_int_equal(sc.pos, 2);
	mp_sim_device_public_key(d, pub);
	tu_assert_bytes(pub, dpub, 64);

	/* in-band on the same device: a key of its own for this exchange */
	memset(&dtu_cap, 0, sizeof(dtu_cap));
	dtu_cap.dev = d;
	dtu_script_add(&sc, one, 32);
	dtu_script_add_hex(&sc, "ffeeddccbbaa99887766554433221100");
	dtu_prov_init(&tp);
	dtu_prov_invite_start(&tp, d, "020000000000");
	assert_int_equal(sc.pos, 3);	/* drawn at Start */
	dtu_prov_pubkeys(&tp, d, false);
	tu_assert_bytes(tp.dev_pub, (const uint8_t *)"\x6b\x17\xd1\xf2\xe1\x2c\x42\x47", 8);
	mp_sim_device_public_key(d, pub2);
	tu_assert_bytes(pub2, dpub, 64);
	dtu_prov_confirm(&tp, d);
	dtu_prov_complete(&tp, d);
	dtu_prov_free(&tp);
	mp_sim_device_free(d);
}

/* The key pair is fresh for every attempt without OOB. */
static void test_fresh_key_per_attempt(void **state)
{
	struct mp_sim_device_config cfg;
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t a[64], b[64];

	dtu_config_init(&cfg, &sc);
	d = dtu_new_dev(&cfg);
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
		struct dtu_script sc;
		struct mp_sim_device *d;
		struct dtu_prov tp;
		int ret;

		dtu_config_init(&cfg, &sc);
		cfg.caps.elements = cases[i].elements;
		d = dtu_new_dev(&cfg);
		dtu_prov_init(&tp);
		dtu_prov_invite_start(&tp, d, i % 2 ? "020100000000" : "020000000000");
		dtu_prov_pubkeys(&tp, d, false);
		dtu_prov_confirm(&tp, d);
		assert_int_equal(dtu_prov_random(&tp, d), 0);
		ret = dtu_prov_data(&tp, d, cases[i].index, cases[i].flags, 0xfffffffe, cases[i].addr);
		if (cases[i].want == MP_PROV_OK) {
			assert_int_equal(ret, 0);
			assert_int_equal(dtu_last_pdu()[0], MP_PROV_COMPLETE);
			assert_int_equal(dtu_cap.result.unicast, cases[i].addr);
			assert_int_equal(dtu_cap.result.elements, cases[i].elements);
			assert_int_equal(dtu_cap.result.iv_index, 0xfffffffe);
		} else {
			dtu_assert_failed(d, ret, cases[i].want);
			assert_int_equal(mp_sim_device_result(d, &dtu_cap.result), -ENOENT);
		}
		dtu_prov_free(&tp);
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
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t want[64];
	size_t i, n;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;

	/* no records: an empty list, "not present" */
	dtu_config_init(&cfg, &sc);
	d = dtu_new_dev(&cfg);
	assert_int_equal(dtu_rx_hex(d, "0c"), 0);
	n = tu_unhex("0d0000", want, sizeof(want));
	assert_int_equal(dtu_cap.len[0], n);
	tu_assert_bytes(dtu_cap.pdu[0], want, n);
	assert_int_equal(dtu_rx_hex(d, "0a001100000020"), 0);
	n = tu_unhex("0b01001100000000", want, sizeof(want));
	assert_int_equal(dtu_cap.len[1], n);
	tu_assert_bytes(dtu_cap.pdu[1], want, n);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	mp_sim_device_free(d);

	dtu_config_init(&cfg, &sc);
	cfg.records = recs;
	cfg.n_records = 2;
	d = dtu_new_dev(&cfg);
	big[0] = 0xee;	/* copied at creation */
	assert_int_equal(dtu_rx_hex(d, "0c"), 0);
	n = tu_unhex("0d000000110001", want, sizeof(want));
	assert_int_equal(dtu_cap.len[0], n);
	tu_assert_bytes(dtu_cap.pdu[0], want, n);
	/* whole record when it fits */
	assert_int_equal(dtu_rx_hex(d, "0a001100000100"), 0);
	assert_int_equal(dtu_cap.len[1], 8 + 12);
	n = tu_unhex("0b0000110000000c", want, sizeof(want));
	tu_assert_bytes(dtu_cap.pdu[1], want, n);
	tu_assert_bytes(dtu_cap.pdu[1] + 8, name, 12);
	/* a fragment: offset 4, at most 5 */
	assert_int_equal(dtu_rx_hex(d, "0a001100040005"), 0);
	assert_int_equal(dtu_cap.len[2], 8 + 5);
	tu_assert_bytes(dtu_cap.pdu[2] + 8, name + 4, 5);
	/* offset at the end: out of bounds, with the total length */
	assert_int_equal(dtu_rx_hex(d, "0a0011000c0005"), 0);
	n = tu_unhex("0b020011000c000c", want, sizeof(want));
	assert_int_equal(dtu_cap.len[3], n);
	tu_assert_bytes(dtu_cap.pdu[3], want, n);
	/* a large record is cut at the device's fragment limit */
	assert_int_equal(dtu_rx_hex(d, "0a00010064ffff"), 0);
	assert_int_equal(dtu_cap.len[4], 8 + MP_SIM_RECORD_FRAG_MAX);
	n = tu_unhex("0b000001006402bc", want, sizeof(want));
	tu_assert_bytes(dtu_cap.pdu[4], want, n);
	assert_int_equal(dtu_cap.pdu[4][8], 100);
	assert_int_equal(dtu_rx_hex(d, "0a00010000ffff"), 0);
	assert_int_equal(dtu_cap.pdu[5][8], 0);	/* our copy, not the caller's later 0xee */
	/* unknown record */
	assert_int_equal(dtu_rx_hex(d, "0a000200000010"), 0);
	n = tu_unhex("0b01000200000000", want, sizeof(want));
	tu_assert_bytes(dtu_cap.pdu[6], want, n);

	/* then provisioning goes on as usual; after the Invite, records are
	 * Unexpected PDU (Tables 5.49, 5.51) */
	assert_int_equal(dtu_rx_hex(d, "0000"), 0);
	assert_int_equal(dtu_cap.pdu[7][0], MP_PROV_CAPABILITIES);
	dtu_assert_failed(d, dtu_rx_hex(d, "0c"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);

	dtu_config_init(&cfg, &sc);
	cfg.records = recs;
	cfg.n_records = 2;
	d = dtu_new_dev(&cfg);
	assert_int_equal(dtu_rx_hex(d, "0000"), 0);
	dtu_assert_failed(d, dtu_rx_hex(d, "0a001100000010"), MP_PROV_ERR_UNEXPECTED_PDU);
	mp_sim_device_free(d);
}

/* ---- Configuration ---- */

static void test_config_errors(void **state)
{
	static const uint8_t oob[33] = { 0 };
	const struct mp_sim_record dup[2] = { { 1, oob, 1 }, { 1, oob, 1 } };
	struct mp_sim_device_config cfg;
	struct dtu_script sc;
	struct mp_sim_device *d = (struct mp_sim_device *)(uintptr_t)1;

	dtu_config_init(&cfg, &sc);
	assert_int_equal(mp_sim_device_new(NULL, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(mp_sim_device_new(&cfg, NULL), -EINVAL);

	cfg.cb.send = NULL;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	dtu_config_init(&cfg, &sc);
	cfg.caps.elements = 0;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	dtu_config_init(&cfg, &sc);
	cfg.caps.algorithms = 0x0004;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	dtu_config_init(&cfg, &sc);
	cfg.caps.output_size = 9;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	dtu_config_init(&cfg, &sc);
	cfg.caps.oob_type = MP_OOB_TYPE_STATIC;	/* without a value */
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	cfg.static_oob = oob;
	cfg.static_oob_len = 33;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EINVAL);
	dtu_config_init(&cfg, &sc);
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
	struct dtu_script sc;
	struct mp_sim_device *d;
	int left;
	struct mp_rng rng = { failing_bytes, &left };
	struct dtu_prov tp;

	dtu_config_init(&cfg, &sc);
	cfg.rng = &rng;
	left = 0;
	assert_int_equal(mp_sim_device_new(&cfg, &d), -EIO);

	left = 1;	/* the key, then nothing */
	d = dtu_new_dev(&cfg);
	dtu_prov_init(&tp);
	dtu_prov_invite_start(&tp, d, "020000000000");
	dtu_prov_pubkeys(&tp, d, false);
	{
		uint8_t pdu[17] = { MP_PROV_CONFIRMATION, 9 };

		dtu_assert_failed(d, mp_sim_device_rx(d, pdu, 17), MP_PROV_ERR_UNEXPECTED_ERROR);
	}
	assert_int_equal(mp_sim_device_reset(d), -EIO);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_FAILED);
	assert_int_equal(mp_sim_device_rx(d, (const uint8_t *)"\x00\x00", 2), -ESHUTDOWN);
	dtu_prov_free(&tp);
	mp_sim_device_free(d);
}

static void test_misc_api(void **state)
{
	struct mp_sim_device_config cfg;
	struct dtu_script sc;
	struct mp_sim_device *d;
	uint8_t uuid[16];

	dtu_config_init(&cfg, &sc);
	cfg.caps.elements = 4;
	d = dtu_new_dev(&cfg);
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
	assert_int_equal(mp_sim_device_result(d, &dtu_cap.result), -ENOENT);
	mp_sim_device_free(d);
	mp_sim_device_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
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
