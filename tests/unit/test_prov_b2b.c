/* The provisioner against the simulated device, back to back, with a queue
 * between them as a bearer would have: every authentication method and
 * action, every OOB size, both algorithms, public key OOB; and the two
 * sides agreeing on every key. The device side was written apart from the
 * provisioner, so agreement here means both read the specification alike. */
#include "prov_harness.h"

#include <string.h>

#include "prov/auth.h"
#include "sim/device.h"

struct wire {
	struct harness h;
	struct mp_sim_device *dev;
	uint8_t q[32][80];
	size_t qlen[32];
	bool to_dev[32];
	unsigned int head, count;
	/* device side */
	char shown[16];
	bool input_wanted;
	bool dev_done;
	enum mp_prov_err dev_err;
	struct mp_sim_prov_result res;
	/* what the "user" types for output OOB: the shown value, or this */
	const char *wrong_value;
};

static void enqueue(struct wire *w, bool to_dev, const uint8_t *pdu, size_t len)
{
	unsigned int slot = (w->head + w->count) % 32;

	assert_true(w->count < 32 && len <= 80);
	memcpy(w->q[slot], pdu, len);
	w->qlen[slot] = len;
	w->to_dev[slot] = to_dev;
	w->count++;
}

static void prov_forward(void *peer, const uint8_t *pdu, size_t len)
{
	enqueue(peer, true, pdu, len);
}

static void dev_send(void *user, const uint8_t *pdu, size_t len)
{
	enqueue(user, false, pdu, len);
}

static void dev_output(void *user, enum mp_output_action action, const char *text)
{
	struct wire *w = user;

	snprintf(w->shown, sizeof(w->shown), "%s", text);
}

static void dev_input(void *user, enum mp_input_action action, uint8_t size)
{
	struct wire *w = user;

	w->input_wanted = true;
}

static void dev_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *r)
{
	struct wire *w = user;

	w->dev_done = true;
	w->dev_err = err;
	if (r)
		w->res = *r;
}

static void pump(struct wire *w)
{
	while (w->count) {
		unsigned int i = w->head;

		w->head = (w->head + 1) % 32;
		w->count--;
		if (w->to_dev[i])
			mp_sim_device_rx(w->dev, w->q[i], w->qlen[i]);
		else
			mp_prov_rx(w->h.prov, w->q[i], w->qlen[i]);
		/* The person in the middle: types what the device showed when
		 * the provisioner asks, enters on the device what it shows. */
		if (harness_saw(&w->h, MP_PROV_EV_OOB_OUTPUT) && w->shown[0]) {
			assert_int_equal(mp_prov_oob_enter(w->h.prov, w->wrong_value ?
							   w->wrong_value : w->shown), 0);
			w->shown[0] = '\0';
		}
		if (w->input_wanted && w->h.oob_value[0]) {
			assert_int_equal(mp_sim_device_input(w->dev, w->h.oob_value), 0);
			w->input_wanted = false;
		}
	}
}

static void wire_run(struct wire *w, const struct mp_prov_caps *caps,
		     struct mp_prov_params *prm, const uint8_t *dev_static, size_t dev_static_len)
{
	struct mp_sim_device_config dc = { .caps = *caps, .static_oob = dev_static,
					   .static_oob_len = dev_static_len };

	memset(w, 0, sizeof(*w) - sizeof(w->wrong_value));
	dc.cb.send = dev_send;
	dc.cb.output_oob = dev_output;
	dc.cb.input_oob = dev_input;
	dc.cb.done = dev_done;
	dc.cb.user = w;
	memset(dc.uuid, 0x11, 16);
	assert_int_equal(mp_sim_device_new(&dc, &w->dev), 0);
	if (prm->pubkey_oob)
		mp_sim_device_public_key(w->dev, prm->device_public_key);
	harness_init(&w->h, prm);
	w->h.forward = prov_forward;
	w->h.peer = w;
	assert_int_equal(mp_prov_start(w->h.prov), 0);
	pump(w);
}

static void wire_expect_success(struct wire *w, uint8_t alg, uint8_t method)
{
	assert_true(w->h.done);
	assert_int_equal(w->h.err, MP_PROV_OK);
	assert_int_equal(w->h.errnum, 0);
	assert_true(w->dev_done);
	assert_int_equal(w->dev_err, MP_PROV_OK);
	/* Both sides derived the same device key; the device got our data. */
	tu_assert_bytes(w->res.device_key, w->h.device_key, 16);
	tu_assert_bytes(w->res.net_key, w->h.data.net_key, 16);
	assert_int_equal(w->res.unicast, w->h.data.unicast);
	assert_int_equal(w->res.iv_index, w->h.data.iv_index);
	assert_int_equal(w->res.net_key_index, w->h.data.key_index);
	assert_int_equal(w->res.algorithm, alg);
	assert_int_equal(w->res.auth_method, method);
	assert_int_equal(w->h.start.algorithm, alg);
	assert_int_equal(w->h.start.auth_method, method);
}

static void wire_free(struct wire *w)
{
	harness_free(&w->h);
	mp_sim_device_free(w->dev);
}

static const uint8_t static16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t static32[32] = { 0xa5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
				      0x5a };

static struct mp_prov_params params(uint8_t alg)
{
	struct mp_prov_params p = { .action = -1 };

	p.alg = alg == MP_ALG_HMAC ? MP_ALG_FORCE_HMAC : MP_ALG_FORCE_CMAC;
	return p;
}

static void test_no_oob_both_algorithms(void **state)
{
	struct mp_prov_caps caps = { .elements = 2, .algorithms = 3 };
	struct wire w = { 0 };
	uint8_t alg;

	for (alg = 0; alg <= 1; alg++) {
		struct mp_prov_params p = params(alg);

		wire_run(&w, &caps, &p, NULL, 0);
		wire_expect_success(&w, alg, MP_AUTH_NONE);
		wire_free(&w);
	}
}

/* Static OOB of 16 and 32 octets with both algorithms: the value is Binary,
 * zero-padded or trimmed to the AuthValue on both sides. */
static void test_static_oob(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 3,
				     .oob_type = MP_OOB_TYPE_STATIC };
	const uint8_t *vals[] = { static16, static32 };
	size_t lens[] = { 16, 32 }, v;
	struct wire w = { 0 };
	uint8_t alg;

	for (v = 0; v < 2; v++) {
		for (alg = 0; alg <= 1; alg++) {
			struct mp_prov_params p = params(alg);

			p.auth = MP_AUTH_CHOICE_STATIC;
			memcpy(p.static_oob, vals[v], lens[v]);
			p.static_oob_len = (uint8_t)lens[v];
			wire_run(&w, &caps, &p, vals[v], lens[v]);
			wire_expect_success(&w, alg, MP_AUTH_STATIC);
			wire_free(&w);
		}
	}
}

/* Every Output OOB action, every size, both algorithms. */
static void test_output_oob_every_action_and_size(void **state)
{
	struct wire w = { 0 };
	uint8_t alg, action, size;

	for (alg = 0; alg <= 1; alg++) {
		for (action = 0; action < MP_OUTPUT_ACTIONS; action++) {
			for (size = 1; size <= MP_OOB_SIZE_MAX; size++) {
				struct mp_prov_caps caps = {
					.elements = 1, .algorithms = 3, .output_size = size,
					.output_actions = (uint16_t)(1u << action) };
				struct mp_prov_params p = params(alg);

				p.auth = MP_AUTH_CHOICE_OUTPUT;
				wire_run(&w, &caps, &p, NULL, 0);
				assert_int_equal(w.h.oob_action, action);
				assert_int_equal(w.h.oob_size, size);
				wire_expect_success(&w, alg, MP_AUTH_OUTPUT);
				wire_free(&w);
			}
		}
	}
}

/* Every Input OOB action, every size, both algorithms. */
static void test_input_oob_every_action_and_size(void **state)
{
	struct wire w = { 0 };
	uint8_t alg, action, size;

	for (alg = 0; alg <= 1; alg++) {
		for (action = 0; action < MP_INPUT_ACTIONS; action++) {
			for (size = 1; size <= MP_OOB_SIZE_MAX; size++) {
				struct mp_prov_caps caps = {
					.elements = 1, .algorithms = 3, .input_size = size,
					.input_actions = (uint16_t)(1u << action) };
				struct mp_prov_params p = params(alg);

				p.auth = MP_AUTH_CHOICE_INPUT;
				wire_run(&w, &caps, &p, NULL, 0);
				assert_int_equal(w.h.oob_action, action);
				if (action == MP_INPUT_ALPHANUMERIC)
					assert_int_equal(strlen(w.h.oob_value), size);
				else
					assert_true(strlen(w.h.oob_value) <= size);
				wire_expect_success(&w, alg, MP_AUTH_INPUT);
				wire_free(&w);
			}
		}
	}
}

/* The device's public key known out of band: it does not send it. */
static void test_public_key_oob(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 3,
				     .pubkey_type = MP_PUBKEY_TYPE_OOB,
				     .oob_type = MP_OOB_TYPE_STATIC };
	struct wire w = { 0 };
	uint8_t alg;
	int i, pubkeys = 0;

	for (alg = 0; alg <= 1; alg++) {
		struct mp_prov_params p = params(alg);

		p.pubkey_oob = true;
		p.auth = MP_AUTH_CHOICE_STATIC;
		memcpy(p.static_oob, static32, 32);
		p.static_oob_len = 32;
		wire_run(&w, &caps, &p, static32, 32);
		wire_expect_success(&w, alg, MP_AUTH_STATIC);
		for (i = 0, pubkeys = 0; i < w.h.npdu; i++)
			pubkeys += w.h.pdu[i][0] == MP_PROV_PUBLIC_KEY;
		assert_int_equal(pubkeys, 1);	/* ours only */
		wire_free(&w);
	}
}

/* A wrong OOB public key: the confirmation cannot match. */
static void test_public_key_oob_wrong_key(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 1,
				     .pubkey_type = MP_PUBKEY_TYPE_OOB };
	struct mp_prov_params p = params(MP_ALG_CMAC);
	struct json_object *v = tu_vectors();
	struct wire w = { 0 };

	p.pubkey_oob = true;
	wire_run(&w, &caps, &p, NULL, 0);
	wire_free(&w);
	/* the sample device key is valid but is not this device's */
	tu_hex(v, "provisioning_cmac.device_public_key_x", p.device_public_key, 32);
	tu_hex(v, "provisioning_cmac.device_public_key_y", p.device_public_key + 32, 32);
	{
		struct mp_sim_device_config dc = { .caps = caps };

		dc.cb.send = dev_send;
		dc.cb.done = dev_done;
		dc.cb.user = &w;
		memset(&w, 0, sizeof(w));
		assert_int_equal(mp_sim_device_new(&dc, &w.dev), 0);
		harness_init(&w.h, &p);
		w.h.forward = prov_forward;
		w.h.peer = &w;
		assert_int_equal(mp_prov_start(w.h.prov), 0);
		pump(&w);
	}
	assert_true(w.h.done);
	assert_int_equal(w.h.err, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_false(w.h.data_needed);
	wire_free(&w);
}

/* A mistyped Output OOB value: the device detects the mismatch. */
static void test_wrong_typed_number(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 3, .output_size = 4,
				     .output_actions = 1u << MP_OUTPUT_NUMERIC };
	struct mp_prov_params p = params(MP_ALG_HMAC);
	struct wire w = { 0 };

	p.auth = MP_AUTH_CHOICE_OUTPUT;
	w.wrong_value = "0";
	wire_run(&w, &caps, &p, NULL, 0);
	assert_true(w.h.done);
	assert_int_equal(w.h.err, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_true(w.h.by_device);
	assert_false(w.h.data_needed);
	assert_int_equal(w.dev_err, MP_PROV_ERR_CONFIRMATION_FAILED);
	wire_free(&w);
	w.wrong_value = NULL;
}

/* Mismatched static values on the two sides. */
static void test_wrong_static_value(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 3,
				     .oob_type = MP_OOB_TYPE_STATIC };
	struct mp_prov_params p = params(MP_ALG_CMAC);
	struct wire w = { 0 };

	p.auth = MP_AUTH_CHOICE_STATIC;
	memcpy(p.static_oob, static16, 16);
	p.static_oob[15] ^= 1;
	p.static_oob_len = 16;
	wire_run(&w, &caps, &p, static16, 16);
	assert_true(w.h.done);
	assert_int_equal(w.h.err, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_false(w.h.data_needed);
	wire_free(&w);
}

/* A fresh key pair for every attempt: two runs never share a public key. */
static void test_fresh_keys_per_attempt(void **state)
{
	struct mp_prov_caps caps = { .elements = 1, .algorithms = 3 };
	struct mp_prov_params p = params(MP_ALG_HMAC);
	uint8_t first[64];
	struct wire w = { 0 };
	int i;

	wire_run(&w, &caps, &p, NULL, 0);
	for (i = 0; i < w.h.npdu && w.h.pdu[i][0] != MP_PROV_PUBLIC_KEY; i++)
		;
	memcpy(first, w.h.pdu[i] + 1, 64);
	wire_free(&w);
	wire_run(&w, &caps, &p, NULL, 0);
	for (i = 0; i < w.h.npdu && w.h.pdu[i][0] != MP_PROV_PUBLIC_KEY; i++)
		;
	assert_memory_not_equal(first, w.h.pdu[i] + 1, 64);
	wire_expect_success(&w, MP_ALG_HMAC, MP_AUTH_NONE);
	wire_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_oob_both_algorithms),
		cmocka_unit_test(test_static_oob),
		cmocka_unit_test(test_output_oob_every_action_and_size),
		cmocka_unit_test(test_input_oob_every_action_and_size),
		cmocka_unit_test(test_public_key_oob),
		cmocka_unit_test(test_public_key_oob_wrong_key),
		cmocka_unit_test(test_wrong_typed_number),
		cmocka_unit_test(test_wrong_static_value),
		cmocka_unit_test(test_fresh_keys_per_attempt),
	};

	return cmocka_run_group_tests_name("prov back to back", tests, NULL, NULL);
}
