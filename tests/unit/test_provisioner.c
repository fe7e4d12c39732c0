/* The provisioner state machine against the specification's sample runs
 * (MshPRT v1.1 8.7 and 8.17, both algorithms) byte for byte, and every way
 * a device can make it fail. */
#include "prov_harness.h"

#include <errno.h>
#include <string.h>

#include "prov/auth.h"

/* The fields of one sample run in tests/vectors/mesh-vectors.json. */
static const char *V(const char *run, const char *field)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s.%s", run, field);
	return tu_str(tu_vectors(), path);
}

static void expect_pdu(struct harness *h, int i, const char *type_hex, const char *params_hex)
{
	uint8_t want[80];
	char hex[512];
	size_t n;

	snprintf(hex, sizeof(hex), "%s%s", type_hex, params_hex);
	n = tu_unhex(hex, want, sizeof(want));
	assert_true(h->npdu > i);
	assert_int_equal(h->pdu_len[i], n);
	tu_assert_bytes(h->pdu[i], want, n);
}

static void rx2(struct harness *h, const char *type_hex, const char *params_hex)
{
	char hex[512];

	snprintf(hex, sizeof(hex), "%s%s", type_hex, params_hex);
	harness_rx_hex(h, hex);
}

/* Set up a provisioner that will draw the sample's private key and Random. */
static void sample_init(struct harness *h, struct scripted_rng *rng, const char *run)
{
	struct mp_prov_params prm = { .action = -1, .rng = &rng->rng };

	scripted_rng_init(rng);
	scripted_rng_push_hex(rng, V(run, "provisioner_private_key"));
	scripted_rng_push_hex(rng, V(run, "random_provisioner"));
	if (strcmp(run, "provisioning_hmac") == 0) {
		/* The HMAC sample authenticates with a 32-octet Static OOB value. */
		prm.static_oob_len = (uint8_t)tu_unhex(V(run, "auth_value"), prm.static_oob, 32);
	}
	harness_init(h, &prm);
}

static void device_pubkey_hex(const char *run, char out[200])
{
	snprintf(out, 200, "%s%s", V(run, "device_public_key_x"), V(run, "device_public_key_y"));
}

/* Run a whole sample exchange, checking each PDU the provisioner sends. */
static void run_sample(const char *run)
{
	struct scripted_rng rng;
	struct harness h;
	char devpub[200], provpub[200];

	sample_init(&h, &rng, run);
	device_pubkey_hex(run, devpub);
	snprintf(provpub, sizeof(provpub), "%s%s", V(run, "provisioner_public_key_x"),
		 V(run, "provisioner_public_key_y"));

	assert_int_equal(mp_prov_start(h.prov), 0);
	expect_pdu(&h, 0, "00", V(run, "invite_pdu_value"));
	assert_int_equal(h.timer_ms, MP_PROV_TIMEOUT_MS);

	rx2(&h, "01", V(run, "capabilities_pdu_value"));
	expect_pdu(&h, 1, "02", V(run, "start_pdu_value"));
	expect_pdu(&h, 2, "03", provpub);
	assert_int_equal(h.npdu, 3);

	rx2(&h, "03", devpub);
	expect_pdu(&h, 3, "05", V(run, "confirmation_provisioner"));

	rx2(&h, "05", V(run, "confirmation_device"));
	expect_pdu(&h, 4, "06", V(run, "random_provisioner"));

	rx2(&h, "06", V(run, "random_device"));
	assert_true(h.data_needed);
	{
		uint8_t dk[16];

		tu_hex(tu_vectors(), strcmp(run, "provisioning_cmac") == 0 ?
		       "provisioning_cmac.device_key" : "provisioning_hmac.device_key", dk, 16);
		tu_assert_bytes(h.device_key, dk, 16);
	}
	{
		char data[120];

		snprintf(data, sizeof(data), "%s%s", V(run, "encrypted_provisioning_data"),
			 V(run, "provisioning_data_mic"));
		expect_pdu(&h, 5, "07", data);
	}
	assert_false(h.done);
	harness_rx_hex(&h, "08");
	assert_true(h.done);
	assert_int_equal(h.err, MP_PROV_OK);
	assert_int_equal(h.errnum, 0);
	assert_int_equal(h.timer_ms, 0);	/* timer cancelled at the end */
	assert_int_equal(h.npdu, 6);
	/* Progress was reported in protocol order. */
	{
		static const enum mp_prov_phase order[] = {
			MP_PHASE_INVITE, MP_PHASE_START, MP_PHASE_PUBLIC_KEY,
			MP_PHASE_CONFIRMATION, MP_PHASE_RANDOM, MP_PHASE_DATA,
			MP_PHASE_COMPLETE,
		};
		int i;

		assert_int_equal(h.nphase, (int)(sizeof(order) / sizeof(order[0])));
		for (i = 0; i < h.nphase; i++)
			assert_int_equal(h.phases[i], order[i]);
	}
	harness_free(&h);
}

/* MshPRT v1.1 8.7.3-8.7.13 with BTM_ECDH_P256_CMAC_AES128_AES_CCM, No OOB */
static void test_sample_cmac(void **state)
{
	run_sample("provisioning_cmac");
}

/* MshPRT v1.1 8.17 with BTM_ECDH_P256_HMAC_SHA256_AES_CCM, Static OOB */
static void test_sample_hmac(void **state)
{
	run_sample("provisioning_hmac");
}

/* The 8.7 transactions carry the same PDUs as the CMAC run: check that the
 * two parts of the sample data agree, so both back the test above. */
static void test_sample_transactions_agree(void **state)
{
	struct json_object *v = tu_vectors();
	const char *run = "provisioning_cmac";
	char want[200];

	snprintf(want, sizeof(want), "05%s", V(run, "confirmation_provisioner"));
	assert_string_equal(tu_str(v, "pdus.transactions.5.provisioning_pdu"), want);
	snprintf(want, sizeof(want), "07%s%s", V(run, "encrypted_provisioning_data"),
		 V(run, "provisioning_data_mic"));
	assert_string_equal(tu_str(v, "pdus.transactions.9.provisioning_pdu"), want);
}

/* Drive the CMAC sample up to a given point. */
enum stage { AT_CAPS, AT_PUBKEY, AT_CONFIRM, AT_RANDOM, AT_COMPLETE };

static void sample_to(struct harness *h, struct scripted_rng *rng, enum stage s)
{
	const char *run = "provisioning_cmac";
	char devpub[200];

	sample_init(h, rng, run);
	device_pubkey_hex(run, devpub);
	assert_int_equal(mp_prov_start(h->prov), 0);
	if (s == AT_CAPS)
		return;
	rx2(h, "01", V(run, "capabilities_pdu_value"));
	if (s == AT_PUBKEY)
		return;
	rx2(h, "03", devpub);
	if (s == AT_CONFIRM)
		return;
	rx2(h, "05", V(run, "confirmation_device"));
	if (s == AT_RANDOM)
		return;
	rx2(h, "06", V(run, "random_device"));
	assert_false(h->done);
}

static void expect_fail(struct harness *h, enum mp_prov_err err)
{
	int n = h->npdu;

	assert_true(h->done);
	assert_int_equal(h->err, err);
	assert_false(h->by_device);
	assert_int_equal(h->timer_ms, 0);
	/* Once ended, nothing more is sent or reported. */
	harness_rx_hex(h, "08");
	mp_prov_timeout(h->prov);
	assert_int_equal(h->npdu, n);
	harness_free(h);
}

/* Each device PDU truncated by one octet, or one octet too long. */
static void test_wrong_lengths(void **state)
{
	static const struct {
		enum stage at;
		const char *pdu;
	} cases[] = {
		{ AT_CAPS, "0101000100000000000000" },		/* 10 parameter octets */
		{ AT_CAPS, "01010001000000000000000000" },	/* 12 */
		{ AT_PUBKEY, "03f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc" },
		{ AT_CONFIRM, "05eeba521c196b52cc2e37aa40329f55" },	/* 15 */
		{ AT_CONFIRM, "05eeba521c196b52cc2e37aa40329f554e00" },	/* 17 */
		{ AT_RANDOM, "0655a2a2bca04cd32ff6f346bd0a0c1a" },
		{ AT_COMPLETE, "0800" },
		{ AT_CAPS, "0900" },	/* Failed with a Prohibited code */
		{ AT_CAPS, "09ff" },	/* Failed with an RFU code */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scripted_rng rng;
		struct harness h;

		sample_to(&h, &rng, cases[i].at);
		harness_rx_hex(&h, cases[i].pdu);
		expect_fail(&h, MP_PROV_ERR_INVALID_FORMAT);
	}
}

static void test_bad_types(void **state)
{
	static const char *pdus[] = { "0e", "3f", "41" /* padding bits */, "" };
	size_t i;

	for (i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
		struct scripted_rng rng;
		struct harness h;

		sample_to(&h, &rng, AT_CAPS);
		harness_rx_hex(&h, pdus[i]);
		expect_fail(&h, MP_PROV_ERR_INVALID_PDU);
	}
}

/* Every PDU a device may send, at every point where it is not expected,
 * and the PDUs only a provisioner sends. */
static void test_out_of_order(void **state)
{
	static const char *pdus[] = {
		"010100010000000000000000", "03f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279",
		"04", "05eeba521c196b52cc2e37aa40329f554e", "0655a2a2bca04cd32ff6f346bd0a0c1a3a",
		"08", "0000", "020000000000", "07d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec2973e0ec50783b10c7",
		"0c", "0d0000", "0a000100000010",
	};
	static const int expected_at[] = { AT_CAPS, AT_PUBKEY, -1, AT_CONFIRM, AT_RANDOM,
					   AT_COMPLETE, -1, -1, -1, -1, -1, -1 };
	int at;
	size_t i;

	for (at = AT_CAPS; at <= AT_COMPLETE; at++) {
		for (i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
			struct scripted_rng rng;
			struct harness h;

			if (expected_at[i] == at)
				continue;
			sample_to(&h, &rng, at);
			harness_rx_hex(&h, pdus[i]);
			expect_fail(&h, MP_PROV_ERR_UNEXPECTED_PDU);
		}
	}
}

/* CVE-2020-26560: a device that returns our own Confirmation. */
static void test_reflected_confirmation(void **state)
{
	struct scripted_rng rng;
	struct harness h;

	sample_to(&h, &rng, AT_CONFIRM);
	rx2(&h, "05", V("provisioning_cmac", "confirmation_provisioner"));
	expect_fail(&h, MP_PROV_ERR_INVALID_FORMAT);
}

static void test_reflected_random(void **state)
{
	struct scripted_rng rng;
	struct harness h;

	sample_to(&h, &rng, AT_RANDOM);
	rx2(&h, "06", V("provisioning_cmac", "random_provisioner"));
	expect_fail(&h, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_false(h.data_needed);
}

/* A Random that does not match the device's Confirmation: the AuthValue
 * differs (wrong OOB value) or the device is not who it claims. */
static void test_wrong_random(void **state)
{
	struct scripted_rng rng;
	struct harness h;

	sample_to(&h, &rng, AT_RANDOM);
	harness_rx_hex(&h, "0655a2a2bca04cd32ff6f346bd0a0c1a3b");	/* last bit flipped */
	assert_false(h.data_needed);
	expect_fail(&h, MP_PROV_ERR_CONFIRMATION_FAILED);
}

/* CVE-2020-26559: our own public key echoed back. */
static void test_echoed_public_key(void **state)
{
	struct scripted_rng rng;
	struct harness h;
	char pub[200];

	sample_to(&h, &rng, AT_PUBKEY);
	snprintf(pub, sizeof(pub), "%s%s", V("provisioning_cmac", "provisioner_public_key_x"),
		 V("provisioning_cmac", "provisioner_public_key_y"));
	rx2(&h, "03", pub);
	expect_fail(&h, MP_PROV_ERR_INVALID_FORMAT);
}

static void test_invalid_public_key(void **state)
{
	static const char *keys[] = {
		/* the sample device key with the last bit of Y flipped: off the curve */
		"f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb278",
		/* the point at infinity's usual encoding */
		"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		/* X = p, out of range */
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct scripted_rng rng;
		struct harness h;

		sample_to(&h, &rng, AT_PUBKEY);
		rx2(&h, "03", keys[i]);
		expect_fail(&h, MP_PROV_ERR_INVALID_FORMAT);
	}
}

/* Provisioning Failed from the device, at each point, is reported as the
 * device's code. */
static void test_device_failed(void **state)
{
	int at;

	for (at = AT_CAPS; at <= AT_COMPLETE; at++) {
		struct scripted_rng rng;
		struct harness h;

		sample_to(&h, &rng, at);
		harness_rx_hex(&h, "0904");
		assert_true(h.done);
		assert_true(h.by_device);
		assert_int_equal(h.err, MP_PROV_ERR_CONFIRMATION_FAILED);
		harness_free(&h);
	}
}

static void test_timeout(void **state)
{
	struct scripted_rng rng;
	struct harness h;

	sample_to(&h, &rng, AT_CONFIRM);
	assert_int_equal(h.timer_ms, MP_PROV_TIMEOUT_MS);
	mp_prov_timeout(h.prov);
	assert_true(h.done);
	assert_int_equal(h.err, MP_PROV_OK);
	assert_int_equal(h.errnum, -ETIMEDOUT);
	harness_free(&h);
}

static void test_cancel_and_send_error(void **state)
{
	struct scripted_rng rng;
	struct harness h;

	sample_to(&h, &rng, AT_RANDOM);
	mp_prov_cancel(h.prov, -ECANCELED);
	assert_true(h.done);
	assert_int_equal(h.errnum, -ECANCELED);
	harness_free(&h);

	sample_to(&h, &rng, AT_CONFIRM);
	h.send_error = -ENOLINK;
	rx2(&h, "05", V("provisioning_cmac", "confirmation_device"));
	assert_true(h.done);
	assert_int_equal(h.errnum, -ENOLINK);
	harness_free(&h);
}

/* The caller supplies data later (after recording the node) and an
 * address that does not fit is refused without ending the procedure. */
static void test_data_checked(void **state)
{
	struct scripted_rng rng;
	struct harness h;
	struct mp_prov_data d;

	sample_init(&h, &rng, "provisioning_cmac");
	h.auto_data = false;
	mp_prov_start(h.prov);
	rx2(&h, "01", V("provisioning_cmac", "capabilities_pdu_value"));
	{
		char devpub[200];

		device_pubkey_hex("provisioning_cmac", devpub);
		rx2(&h, "03", devpub);
	}
	rx2(&h, "05", V("provisioning_cmac", "confirmation_device"));
	rx2(&h, "06", V("provisioning_cmac", "random_device"));
	assert_true(h.data_needed);
	assert_int_equal(h.npdu, 5);
	harness_sample_data(&d);
	d.unicast = 0;
	assert_int_equal(mp_prov_send_data(h.prov, &d), -EINVAL);
	d.unicast = 0x8000;
	assert_int_equal(mp_prov_send_data(h.prov, &d), -EINVAL);
	assert_false(h.done);
	harness_sample_data(&d);
	assert_int_equal(mp_prov_send_data(h.prov, &d), 0);
	assert_int_equal(mp_prov_send_data(h.prov, &d), -EALREADY);
	assert_int_equal(h.npdu, 6);
	harness_free(&h);
}

/* ---- the policy ---- */

static struct mp_prov_caps caps_all(void)
{
	struct mp_prov_caps c = {
		.elements = 1, .algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC,
		.oob_type = MP_OOB_TYPE_STATIC, .output_size = 6, .output_actions = 0x1f,
		.input_size = 4, .input_actions = 0x0f,
	};

	return c;
}

/* Issue 12: no silent downgrade. A device that offers Static OOB, asked
 * with no value, is refused (-ENOKEY) instead of getting No OOB; a device
 * that offers only No OOB still gets it by default; require_auth refuses No
 * OOB whatever the device offers (-EACCES). */
static void test_policy_no_silent_downgrade(void **state)
{
	struct mp_prov_params p = { .action = -1 };
	struct mp_prov_caps c = { .elements = 1, .algorithms = MP_ALG_BIT_CMAC,
				  .oob_type = MP_OOB_TYPE_STATIC };
	struct mp_prov_start s;

	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOKEY);
	/* Demanding OOB changes nothing: still the value that is missing. */
	c.oob_type = MP_OOB_TYPE_STATIC | MP_OOB_TYPE_ONLY_OOB;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOKEY);
	/* With the value: Static OOB. */
	p.static_oob_len = 16;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_STATIC);
	/* "--auth none" is the user's own choice: taken. */
	c.oob_type = MP_OOB_TYPE_STATIC;
	p = (struct mp_prov_params){ .action = -1, .auth = MP_AUTH_CHOICE_NONE };
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_NONE);
	/* Static OOB beside Output OOB: Output is used, nothing is refused. */
	p = (struct mp_prov_params){ .action = -1 };
	c.output_size = 4;
	c.output_actions = 1u << MP_OUTPUT_BLINK;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_OUTPUT);
	/* Only No OOB: usable by default... */
	c = (struct mp_prov_caps){ .elements = 1, .algorithms = MP_ALG_BIT_CMAC };
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_NONE);
	/* ...refused when authentication is required, asked or not... */
	p.require_auth = true;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -EACCES);
	p.auth = MP_AUTH_CHOICE_NONE;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -EACCES);
	/* ...while any real method passes the requirement. */
	p.auth = MP_AUTH_CHOICE_AUTO;
	c.input_size = 2;
	c.input_actions = 1u << MP_INPUT_PUSH;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_INPUT);
}

static void test_policy(void **state)
{
	struct mp_prov_params p = { .action = -1 };
	struct mp_prov_caps c = caps_all();
	struct mp_prov_start s;

	/* HMAC when both can; the device's strongest method: Output numeric. */
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.algorithm, MP_ALG_HMAC);
	assert_int_equal(s.auth_method, MP_AUTH_OUTPUT);
	assert_int_equal(s.auth_action, MP_OUTPUT_NUMERIC);
	assert_int_equal(s.auth_size, 6);

	/* A static value: Static OOB, HMAC still preferred (a 16-octet value
	 * is zero-padded to 32, MshPRT v1.1 5.4.2.4.1). */
	p.static_oob_len = 16;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.algorithm, MP_ALG_HMAC);
	assert_int_equal(s.auth_method, MP_AUTH_STATIC);
	p.alg = MP_ALG_FORCE_CMAC;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.algorithm, MP_ALG_CMAC);
	assert_int_equal(s.auth_method, MP_AUTH_STATIC);
	/* Static demanded from a device without it. */
	c.oob_type = 0;
	p.auth = MP_AUTH_CHOICE_STATIC;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOTSUP);
	c = caps_all();

	/* Forced input, forced action. */
	p = (struct mp_prov_params){ .action = MP_INPUT_TWIST, .auth = MP_AUTH_CHOICE_INPUT };
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_method, MP_AUTH_INPUT);
	assert_int_equal(s.auth_action, MP_INPUT_TWIST);
	assert_int_equal(s.auth_size, 4);
	c.input_actions = 1u << MP_INPUT_PUSH;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOTSUP);

	/* Output preference order without numeric: alphanumeric, then blink. */
	c = caps_all();
	p = (struct mp_prov_params){ .action = -1 };
	c.output_actions = 1u << MP_OUTPUT_ALPHANUMERIC | 1u << MP_OUTPUT_BLINK;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.auth_action, MP_OUTPUT_ALPHANUMERIC);

	/* Nothing but No OOB. */
	c = (struct mp_prov_caps){ .elements = 1, .algorithms = MP_ALG_BIT_CMAC };
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.algorithm, MP_ALG_CMAC);
	assert_int_equal(s.auth_method, MP_AUTH_NONE);
	p.alg = MP_ALG_FORCE_HMAC;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOTSUP);
	/* A device that demands OOB but offers none we can do. */
	p.alg = MP_ALG_AUTO;
	c.oob_type = MP_OOB_TYPE_ONLY_OOB;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOTSUP);
	/* Public key OOB only when the device has one. */
	c.oob_type = 0;
	p.pubkey_oob = true;
	assert_int_equal(mp_prov_choose(&c, &p, &s), -ENOTSUP);
	c.pubkey_type = MP_PUBKEY_TYPE_OOB;
	assert_int_equal(mp_prov_choose(&c, &p, &s), 0);
	assert_int_equal(s.pubkey_oob, 1);
}

/* The device cannot meet the caller's demand: ended before Start. */
static void test_unmet_demand_ends_before_start(void **state)
{
	struct scripted_rng rng;
	struct mp_prov_params prm = { .action = -1, .rng = &rng.rng,
				      .auth = MP_AUTH_CHOICE_OUTPUT };
	struct harness h;

	scripted_rng_init(&rng);
	scripted_rng_push_hex(&rng, V("provisioning_cmac", "provisioner_private_key"));
	harness_init(&h, &prm);
	mp_prov_start(h.prov);
	rx2(&h, "01", V("provisioning_cmac", "capabilities_pdu_value"));
	assert_true(h.done);
	assert_int_equal(h.errnum, -ENOTSUP);
	assert_int_equal(h.npdu, 1);	/* only the Invite */
	harness_free(&h);
}

/* ---- OOB values ---- */

static void test_oob_parse(void **state)
{
	char out[MP_OOB_TEXT_MAX];

	assert_int_equal(mp_oob_parse(" 0042 ", true, 4, out), 0);
	assert_string_equal(out, "0042");
	assert_int_equal(mp_oob_parse("7", true, 4, out), 0);
	assert_int_equal(mp_oob_parse("12345", true, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("12a4", true, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("", true, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("12 34", true, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("ab9z", false, 4, out), 0);
	assert_string_equal(out, "AB9Z");
	assert_int_equal(mp_oob_parse("AB9", false, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("AB-9", false, 4, out), -EINVAL);
	assert_int_equal(mp_oob_parse("1", true, 9, out), -EINVAL);
}

static void test_oob_auth_value(void **state)
{
	uint8_t auth[32], want[32] = { 0 };

	/* A number: big-endian in the last octets. MshPRT v1.1 5.4.2.4 */
	mp_oob_auth_value("123456", true, auth, 16);
	want[13] = 0x01;
	want[14] = 0xe2;
	want[15] = 0x40;
	tu_assert_bytes(auth, want, 16);
	/* A string: ASCII from the first octet. */
	memset(want, 0, sizeof(want));
	memcpy(want, "A1B2", 4);
	mp_oob_auth_value("A1B2", false, auth, 32);
	tu_assert_bytes(auth, want, 32);
}

static void test_oob_random(void **state)
{
	struct scripted_rng rng;
	char out[MP_OOB_TEXT_MAX];

	/* 0x00000000 % 9999 = 0 -> 1 */
	scripted_rng_init(&rng);
	scripted_rng_push_hex(&rng, "00000000");
	assert_int_equal(mp_oob_random(&rng.rng, true, 4, out), 0);
	assert_string_equal(out, "1");
	/* A draw in the biased top bucket is rejected, the next one used. */
	scripted_rng_init(&rng);
	scripted_rng_push_hex(&rng, "ffffffff0000000a");
	assert_int_equal(mp_oob_random(&rng.rng, true, 2, out), 0);
	assert_string_equal(out, "11");
	/* Alphanumeric: bytes >= 252 rejected; 35 -> 'Z', 36 -> '0'. */
	scripted_rng_init(&rng);
	scripted_rng_push_hex(&rng, "fc23240a");
	assert_int_equal(mp_oob_random(&rng.rng, false, 3, out), 0);
	assert_string_equal(out, "Z0A");
	/* The random source failing is reported. */
	assert_int_equal(mp_oob_random(&rng.rng, false, 3, out), -EIO);
	/* With OpenSSL: always within range. */
	{
		int i;

		for (i = 0; i < 200; i++) {
			assert_int_equal(mp_oob_random(NULL, true, 3, out), 0);
			assert_true(atoi(out) >= 1 && atoi(out) <= 999);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_cmac),
		cmocka_unit_test(test_sample_hmac),
		cmocka_unit_test(test_sample_transactions_agree),
		cmocka_unit_test(test_wrong_lengths),
		cmocka_unit_test(test_bad_types),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_reflected_confirmation),
		cmocka_unit_test(test_reflected_random),
		cmocka_unit_test(test_wrong_random),
		cmocka_unit_test(test_echoed_public_key),
		cmocka_unit_test(test_invalid_public_key),
		cmocka_unit_test(test_device_failed),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel_and_send_error),
		cmocka_unit_test(test_data_checked),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_policy_no_silent_downgrade),
		cmocka_unit_test(test_unmet_demand_ends_before_start),
		cmocka_unit_test(test_oob_parse),
		cmocka_unit_test(test_oob_auth_value),
		cmocka_unit_test(test_oob_random),
	};

	return cmocka_run_group_tests_name("prov/provisioner", tests, NULL, NULL);
}
