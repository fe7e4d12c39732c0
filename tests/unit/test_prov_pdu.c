/* Provisioning PDU codec: the sample PDUs round-trip byte for byte, and every
 * length, prohibited and RFU value maps to the spec's failure code. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "prov/pdu.h"

static enum mp_prov_err decode_hex(const char *hex, struct mp_prov_pdu *pdu)
{
	static uint8_t buf[128];
	size_t n = tu_unhex(hex, buf, sizeof(buf));

	return mp_prov_pdu_decode(buf, n, pdu);
}

/* MshPRT v1.1 8.7.3-8.7.13: every Provisioning PDU of the sample run
 * decodes, and encodes back to the same octets. */
static void test_sample_pdus_round_trip(void **state)
{
	struct json_object *tx = tu_get(tu_vectors(), "pdus.transactions");
	size_t i;

	for (i = 0; i < json_object_array_length(tx); i++) {
		struct json_object *t = json_object_array_get_idx(tx, i);
		uint8_t in[128], out[128];
		struct mp_prov_pdu pdu;
		size_t n = tu_hex(t, "provisioning_pdu", in, sizeof(in));
		int len;

		assert_int_equal(mp_prov_pdu_decode(in, n, &pdu), MP_PROV_OK);
		assert_int_equal(pdu.type, in[0]);
		len = mp_prov_pdu_encode(&pdu, out, sizeof(out));
		assert_int_equal(len, (int)n);
		tu_assert_bytes(out, in, n);
	}
}

static void test_caps_fields(void **state)
{
	struct mp_prov_pdu pdu;

	assert_int_equal(decode_hex("0102000303040500061f0a0007", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	/* elements 2, both algorithms, OOB key, static+only-OOB, output 4 of
	 * blink|numeric, input 8 of push|alphanumeric */
	assert_int_equal(decode_hex("010200030103040009080009", &pdu), MP_PROV_OK);
	assert_int_equal(pdu.caps.elements, 2);
	assert_int_equal(pdu.caps.algorithms, 3);
	assert_int_equal(pdu.caps.pubkey_type, 1);
	assert_int_equal(pdu.caps.oob_type, 3);
	assert_int_equal(pdu.caps.output_size, 4);
	assert_int_equal(pdu.caps.output_actions, 0x0009);
	assert_int_equal(pdu.caps.input_size, 8);
	assert_int_equal(pdu.caps.input_actions, 0x0009);
}

/* Each prohibited or RFU value in Capabilities. MshPRT v1.1 Tables 5.18-5.25 */
static void test_caps_invalid_values(void **state)
{
	static const char *bad[] = {
		"0100000100000000000000",	/* zero elements */
		"0101000000000000000000",	/* no algorithm */
		"0101000400000000000000",	/* RFU algorithm bit */
		"0101000102000000000000",	/* RFU public key type bit */
		"0101000100040000000000",	/* RFU OOB type bit */
		"0101000100000900010000",	/* output size 9 */
		"0101000100000100200000",	/* RFU output action bit 5 */
		"0101000100000000000900",	/* input size 9 ... */
		"0101000100000000000110",	/* RFU input action bit 4 */
	};
	struct mp_prov_pdu pdu;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("  %s\n", bad[i]);
		assert_int_equal(decode_hex(bad[i], &pdu), MP_PROV_ERR_INVALID_FORMAT);
	}
}

/* Start: MshPRT v1.1 Tables 5.26-5.30 */
static void test_start_values(void **state)
{
	static const struct {
		const char *hex;
		enum mp_prov_err err;
	} cases[] = {
		{ "020000000000", MP_PROV_OK },
		{ "020101010000", MP_PROV_OK },		/* HMAC, OOB key, static */
		{ "020000020408", MP_PROV_OK },		/* output alphanumeric 8 */
		{ "020000030301", MP_PROV_OK },		/* input alphanumeric 1 */
		{ "020200000000", MP_PROV_ERR_INVALID_FORMAT },	/* RFU algorithm */
		{ "020002000000", MP_PROV_ERR_INVALID_FORMAT },	/* prohibited public key */
		{ "020000040000", MP_PROV_ERR_INVALID_FORMAT },	/* prohibited method */
		{ "020000000100", MP_PROV_ERR_INVALID_FORMAT },	/* action with No OOB */
		{ "020000010001", MP_PROV_ERR_INVALID_FORMAT },	/* size with static */
		{ "020000020508", MP_PROV_ERR_INVALID_FORMAT },	/* RFU output action */
		{ "020000020009", MP_PROV_ERR_INVALID_FORMAT },	/* output size 9 */
		{ "020000020000", MP_PROV_ERR_INVALID_FORMAT },	/* output size 0 */
		{ "020000030401", MP_PROV_ERR_INVALID_FORMAT },	/* RFU input action */
		{ "0200000000", MP_PROV_ERR_INVALID_FORMAT },	/* short */
	};
	struct mp_prov_pdu pdu;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(decode_hex(cases[i].hex, &pdu), cases[i].err);
}

static void test_start_allowed_by_caps(void **state)
{
	struct mp_prov_caps c = { .elements = 1, .algorithms = MP_ALG_BIT_CMAC,
				  .output_size = 4, .output_actions = 1u << MP_OUTPUT_BLINK };
	struct mp_prov_start s = { 0 };

	assert_true(mp_prov_start_allowed(&c, &s));
	s.algorithm = 1;
	assert_false(mp_prov_start_allowed(&c, &s));	/* HMAC not offered */
	s = (struct mp_prov_start){ .auth_method = MP_AUTH_OUTPUT, .auth_action = 0, .auth_size = 4 };
	assert_true(mp_prov_start_allowed(&c, &s));
	s.auth_size = 5;
	assert_false(mp_prov_start_allowed(&c, &s));	/* larger than offered */
	s = (struct mp_prov_start){ .auth_method = MP_AUTH_STATIC };
	assert_false(mp_prov_start_allowed(&c, &s));
	s = (struct mp_prov_start){ .pubkey_oob = 1 };
	assert_false(mp_prov_start_allowed(&c, &s));
	c.oob_type = MP_OOB_TYPE_ONLY_OOB;
	s = (struct mp_prov_start){ 0 };
	assert_false(mp_prov_start_allowed(&c, &s));
}

/* Exact lengths per type, both 16 and 32 octets for Confirmation and Random. */
static void test_lengths(void **state)
{
	struct mp_prov_pdu pdu;
	char hex[200];
	int i;

	assert_int_equal(decode_hex("00", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("000500", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0400", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("04", &pdu), MP_PROV_OK);
	for (i = 0; i <= 40; i++) {
		enum mp_prov_err want = (i == 16 || i == 32) ? MP_PROV_OK : MP_PROV_ERR_INVALID_FORMAT;

		memset(hex, 0, sizeof(hex));
		hex[0] = '0';
		hex[1] = '6';
		memset(hex + 2, 'a', (size_t)i * 2);
		assert_int_equal(decode_hex(hex, &pdu), want);
		if (want == MP_PROV_OK)
			assert_int_equal(pdu.random.len, i);
	}
	assert_int_equal(decode_hex("", &pdu), MP_PROV_ERR_INVALID_PDU);
	assert_int_equal(decode_hex("0e", &pdu), MP_PROV_ERR_INVALID_PDU);
	assert_int_equal(decode_hex("48", &pdu), MP_PROV_ERR_INVALID_PDU);	/* padding */
	assert_int_equal(decode_hex("0a00010000", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0a000100000000", &pdu), MP_PROV_ERR_INVALID_FORMAT);
}

static void test_records(void **state)
{
	struct mp_prov_pdu pdu;
	uint8_t out[64];

	assert_int_equal(decode_hex("0a000100100020", &pdu), MP_PROV_OK);
	assert_int_equal(pdu.record_request.record_id, 1);
	assert_int_equal(pdu.record_request.offset, 0x10);
	assert_int_equal(pdu.record_request.max_size, 0x20);
	assert_int_equal(decode_hex("0b000001000000036162", &pdu), MP_PROV_OK);
	assert_int_equal(pdu.record_response.data_len, 2);
	assert_int_equal(pdu.record_response.total_len, 3);
	assert_int_equal(decode_hex("0b01000100000000", &pdu), MP_PROV_OK);
	assert_int_equal(decode_hex("0b0100010000000061", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0b03000100000000", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0b000001000000", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0d000000010002", &pdu), MP_PROV_OK);
	assert_int_equal(pdu.records_list.count, 2);
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), 7);
	assert_int_equal(decode_hex("0d0000000100", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0d00", &pdu), MP_PROV_ERR_INVALID_FORMAT);
	assert_int_equal(decode_hex("0c", &pdu), MP_PROV_OK);
}

static void test_encode_refuses_what_decode_refuses(void **state)
{
	struct mp_prov_pdu pdu = { .type = MP_PROV_START };
	uint8_t out[80];

	pdu.start.algorithm = 2;
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu = (struct mp_prov_pdu){ .type = MP_PROV_CAPABILITIES };
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu = (struct mp_prov_pdu){ .type = MP_PROV_FAILED, .error = 0 };
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu = (struct mp_prov_pdu){ .type = MP_PROV_RANDOM };
	pdu.random.len = 20;
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu = (struct mp_prov_pdu){ .type = MP_PROV_PUBLIC_KEY };
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, 64), -ENOSPC);
	pdu.type = (enum mp_prov_pdu_type)0x20;
	assert_int_equal(mp_prov_pdu_encode(&pdu, out, sizeof(out)), -EINVAL);
}

static void test_names(void **state)
{
	assert_string_equal(mp_prov_pdu_name(MP_PROV_PUBLIC_KEY), "Public Key");
	assert_string_equal(mp_prov_pdu_name(0x0e), "RFU");
	assert_string_equal(mp_prov_err_name(MP_PROV_ERR_CONFIRMATION_FAILED), "Confirmation Failed");
	assert_string_equal(mp_prov_err_id(MP_PROV_ERR_DECRYPTION_FAILED), "decryption-failed");
	assert_string_equal(mp_prov_err_name(0x0a), "RFU");
	assert_string_equal(mp_output_action_name(MP_OUTPUT_VIBRATE), "vibrate");
	assert_string_equal(mp_input_action_name(MP_INPUT_TWIST), "twist");
	assert_string_equal(mp_auth_method_name(MP_AUTH_STATIC), "static");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_pdus_round_trip),
		cmocka_unit_test(test_caps_fields),
		cmocka_unit_test(test_caps_invalid_values),
		cmocka_unit_test(test_start_values),
		cmocka_unit_test(test_start_allowed_by_caps),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_encode_refuses_what_decode_refuses),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("prov/pdu", tests, NULL, NULL);
}
