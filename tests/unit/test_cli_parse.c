/* cli/parse: words, UUIDs, hex numbers, auth choices and batch lines, the
 * good and the bad. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "cli/batchfile.h"
#include "cli/parse.h"

static int split(const char *line, char **argv, char *buf, size_t buflen)
{
	return mp_cli_split(line, buf, buflen, argv, 8);
}

static void test_split_words_quotes_comments(void **state)
{
	char buf[128], *w[8];

	assert_int_equal(split("  node rename 0x0002 \"Kitchen light\" ", w, buf, sizeof(buf)), 4);
	assert_string_equal(w[0], "node");
	assert_string_equal(w[2], "0x0002");
	assert_string_equal(w[3], "Kitchen light");
	assert_int_equal(split("a 'b c'd \"e\\\"f\" g\\ h", w, buf, sizeof(buf)), 4);
	assert_string_equal(w[1], "b cd");
	assert_string_equal(w[2], "e\"f");
	assert_string_equal(w[3], "g h");
	/* '#' starts a comment, except #N (a device of the scan table) */
	assert_int_equal(split("provision #3 # the third", w, buf, sizeof(buf)), 2);
	assert_string_equal(w[1], "#3");
	assert_int_equal(split("# only a comment", w, buf, sizeof(buf)), 0);
	assert_int_equal(split("", w, buf, sizeof(buf)), 0);
	assert_int_equal(split("''", w, buf, sizeof(buf)), 1);
	assert_string_equal(w[0], "");
}

static void test_split_errors(void **state)
{
	char buf[128], *w[8];

	assert_int_equal(split("say \"unterminated", w, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(split("a b c d e f g h i", w, buf, sizeof(buf)), -E2BIG);
	assert_int_equal(split("too long for the buffer", w, buf, 8), -E2BIG);
}

static void test_uuid(void **state)
{
	static const uint8_t want[16] = { 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
					  0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4 };
	uint8_t u[16];

	assert_int_equal(mp_cli_parse_uuid("70cf7c97-32a3-45b6-9149-4810d2e9cbf4", u), 0);
	tu_assert_bytes(u, want, 16);
	memset(u, 0, sizeof(u));
	assert_int_equal(mp_cli_parse_uuid("70CF7C9732A345B691494810D2E9CBF4", u), 0);
	tu_assert_bytes(u, want, 16);
	assert_int_equal(mp_cli_parse_uuid("70cf7c9732a345b691494810d2e9cb", u), -EINVAL);
	assert_int_equal(mp_cli_parse_uuid("70cf7c9732a345b691494810d2e9cbf4aa", u), -EINVAL);
	assert_int_equal(mp_cli_parse_uuid("70cf7c9732a345b691494810d2e9cbfg", u), -EINVAL);
	assert_int_equal(mp_cli_parse_uuid("0x70cf7c9732a345b691494810d2e9cbf4", u), -EINVAL);
	assert_int_equal(mp_cli_parse_uuid("70:cf:7c:97:32:a3:45:b6:91:49:48:10:d2:e9:cb:f4", u),
			 -EINVAL);
	assert_int_equal(mp_cli_parse_uuid("", u), -EINVAL);
}

static void test_hex_numbers(void **state)
{
	uint32_t v;
	uint16_t a;

	assert_int_equal(mp_cli_parse_hex("0x1f", 0xff, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(mp_cli_parse_hex("1F", 0xff, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(mp_cli_parse_hex("ffffffff", UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(mp_cli_parse_hex("100", 0xff, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_hex("0x", 0xff, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_hex("-1", 0xff, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_hex(" 1", 0xff, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_hex("1g", 0xff, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_hex("100000000", UINT32_MAX, &v), -EINVAL);

	assert_int_equal(mp_cli_parse_unicast("0x0002", &a), 0);
	assert_int_equal(a, 2);
	assert_int_equal(mp_cli_parse_unicast("7fff", &a), 0);
	assert_int_equal(a, 0x7fff);
	assert_int_equal(mp_cli_parse_unicast("0", &a), -EINVAL);
	assert_int_equal(mp_cli_parse_unicast("8000", &a), -EINVAL);	/* a virtual/group address */

	assert_int_equal(mp_cli_parse_uint("120", 86400, &v), 0);
	assert_int_equal(v, 120);
	assert_int_equal(mp_cli_parse_uint("0x10", 86400, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_uint("86401", 86400, &v), -EINVAL);
	assert_int_equal(mp_cli_parse_uint("+1", 86400, &v), -EINVAL);
}

static void test_device_ref(void **state)
{
	struct mp_cli_device_ref r;

	assert_int_equal(mp_cli_parse_device("#12", &r), 0);
	assert_true(r.by_index);
	assert_int_equal(r.index, 12);
	assert_int_equal(mp_cli_parse_device("70cf7c9732a345b691494810d2e9cbf4", &r), 0);
	assert_false(r.by_index);
	assert_int_equal(r.uuid[0], 0x70);
	assert_int_equal(mp_cli_parse_device("#0", &r), -EINVAL);
	assert_int_equal(mp_cli_parse_device("#", &r), -EINVAL);
	assert_int_equal(mp_cli_parse_device("#x", &r), -EINVAL);
	assert_int_equal(mp_cli_parse_device("1234", &r), -EINVAL);
}

static void test_auth_alg_key_name(void **state)
{
	struct mp_prov_params p = { 0 };
	uint8_t k[16];
	char long_name[80];

	assert_int_equal(mp_cli_parse_auth("none", &p), 0);
	assert_int_equal(p.auth, MP_AUTH_CHOICE_NONE);
	assert_int_equal(mp_cli_parse_auth("output", &p), 0);
	assert_int_equal(p.auth, MP_AUTH_CHOICE_OUTPUT);
	assert_int_equal(mp_cli_parse_auth("input", &p), 0);
	assert_int_equal(p.auth, MP_AUTH_CHOICE_INPUT);
	assert_int_equal(mp_cli_parse_auth("static:00112233445566778899aabbccddeeff", &p), 0);
	assert_int_equal(p.auth, MP_AUTH_CHOICE_STATIC);
	assert_int_equal(p.static_oob_len, 16);
	assert_int_equal(p.static_oob[15], 0xff);
	assert_int_equal(mp_cli_parse_auth("static:" "00112233445566778899aabbccddeeff"
					   "00112233445566778899aabbccddeeff", &p), 0);
	assert_int_equal(p.static_oob_len, 32);
	assert_int_equal(mp_cli_parse_auth("static:12", &p), -EINVAL);
	assert_int_equal(mp_cli_parse_auth("static:", &p), -EINVAL);
	assert_int_equal(mp_cli_parse_auth("Static", &p), -EINVAL);

	assert_int_equal(mp_cli_parse_alg("cmac", &p), 0);
	assert_int_equal(p.alg, MP_ALG_FORCE_CMAC);
	assert_int_equal(mp_cli_parse_alg("hmac", &p), 0);
	assert_int_equal(p.alg, MP_ALG_FORCE_HMAC);
	assert_int_equal(mp_cli_parse_alg("sha", &p), -EINVAL);

	assert_int_equal(mp_cli_parse_key("0x00112233445566778899aabbccddeeff", k), 0);
	assert_int_equal(k[1], 0x11);
	assert_int_equal(mp_cli_parse_key("00112233445566778899aabbccddee", k), -EINVAL);
	assert_int_equal(mp_cli_parse_key("00112233-44556677-8899aabb-ccddeeff", k), -EINVAL);

	assert_true(mp_cli_name_ok("lamp 1"));
	assert_false(mp_cli_name_ok(""));
	assert_false(mp_cli_name_ok("tab\there"));
	memset(long_name, 'x', sizeof(long_name));
	long_name[MP_CLI_NAME_MAX] = '\0';
	assert_true(mp_cli_name_ok(long_name));
	long_name[MP_CLI_NAME_MAX] = 'x';
	long_name[MP_CLI_NAME_MAX + 1] = '\0';
	assert_false(mp_cli_name_ok(long_name));
}

static void test_batch_line(void **state)
{
	struct mp_cli_batch_entry e;
	char err[256];

	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4", &e, err,
						 sizeof(err)), 1);
	assert_int_equal(e.static_len, 0);
	assert_string_equal(e.name, "");
	assert_int_equal(e.address, 0);
	assert_int_equal(mp_cli_batch_parse_line(
		"70cf7c97-32a3-45b6-9149-4810d2e9cbf4 00112233445566778899aabbccddeeff "
		"\"hall lamp\" 0x0010", &e, err, sizeof(err)), 1);
	assert_int_equal(e.static_len, 16);
	assert_string_equal(e.name, "hall lamp");
	assert_int_equal(e.address, 0x10);
	/* CSV, with empty and '-' columns */
	assert_int_equal(mp_cli_batch_parse_line(
		"70cf7c9732a345b691494810d2e9cbf4, , lamp 2 ,20", &e, err, sizeof(err)), 1);
	assert_int_equal(e.static_len, 0);
	assert_string_equal(e.name, "lamp 2");
	assert_int_equal(e.address, 0x20);
	assert_int_equal(mp_cli_batch_parse_line(
		"70cf7c9732a345b691494810d2e9cbf4 - - 30", &e, err, sizeof(err)), 1);
	assert_int_equal(e.address, 0x30);
	assert_string_equal(e.name, "");
	assert_int_equal(e.auth, MP_AUTH_CHOICE_AUTO);	/* --auth decides */

	/* The AUTH column: a bare static value, the --auth words, output:VALUE. */
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 "
		"00112233445566778899aabbccddeeff", &e, err, sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_STATIC);
	assert_int_equal(e.static_len, 16);
	assert_int_equal(e.static_oob[15], 0xff);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 static:"
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", &e, err,
		sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_STATIC);
	assert_int_equal(e.static_len, 32);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4,none", &e, err,
						 sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_NONE);
	assert_int_equal(e.static_len, 0);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 input", &e, err,
						 sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_INPUT);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output", &e, err,
						 sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_OUTPUT);
	assert_string_equal(e.output, "");
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output:0427 "
						 "lamp", &e, err, sizeof(err)), 1);
	assert_int_equal(e.auth, MP_AUTH_CHOICE_OUTPUT);
	assert_string_equal(e.output, "0427");
	assert_string_equal(e.name, "lamp");
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output:AB12CD34",
						 &e, err, sizeof(err)), 1);
	assert_string_equal(e.output, "AB12CD34");
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output:",
						 &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output:123456789",
						 &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 output:12-4",
						 &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 static:12",
						 &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 blink",
						 &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "column 2"));

	assert_int_equal(mp_cli_batch_parse_line("   ", &e, err, sizeof(err)), 0);
	assert_int_equal(mp_cli_batch_parse_line("  # comment", &e, err, sizeof(err)), 0);

	assert_int_equal(mp_cli_batch_parse_line("nope", &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a device UUID"));
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 1234", &e, err,
						 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "column 2"));
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 - x 8000", &e,
						 err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "column 4"));
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 - x 1 extra",
						 &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "columns"));
	assert_int_equal(mp_cli_batch_parse_line("70cf7c9732a345b691494810d2e9cbf4 \"open", &e,
						 err, sizeof(err)), -EINVAL);
}

static void test_batch_file(void **state)
{
	static const char good[] =
		"# factory tray 7\r\n"
		"70cf7c9732a345b691494810d2e9cbf4 - lamp-1 0x0100\r\n"
		"\n"
		"70cf7c9732a345b691494810d2e9cbf5\n";
	static const char bad[] =
		"70cf7c9732a345b691494810d2e9cbf4 - a 100\n"
		"zzz\n"
		"70cf7c9732a345b691494810d2e9cbf4\n"
		"70cf7c9732a345b691494810d2e9cbf6 - b 0100\n"
		"70cf7c9732a345b691494810d2e9cbf7 12\n";
	struct mp_cli_batch_entry *v;
	char *errors;

	assert_int_equal(mp_cli_batch_parse(good, sizeof(good) - 1, &v, &errors), 2);
	assert_null(errors);
	assert_int_equal(v[0].line, 2);
	assert_string_equal(v[0].name, "lamp-1");
	assert_int_equal(v[0].address, 0x100);
	assert_int_equal(v[1].line, 4);
	free(v);

	assert_int_equal(mp_cli_batch_parse(bad, sizeof(bad) - 1, &v, &errors), -EINVAL);
	assert_null(v);
	assert_non_null(errors);
	assert_null(strstr(errors, "line 1:"));
	assert_non_null(strstr(errors, "line 2: 'zzz' is not a device UUID"));
	assert_non_null(strstr(errors, "line 3: this UUID is already on line 1"));
	assert_non_null(strstr(errors, "line 4: address 0x0100 is already on line 1"));
	assert_non_null(strstr(errors, "line 5: column 2"));
	free(errors);

	assert_int_equal(mp_cli_batch_parse("# nothing\n", 10, &v, &errors), -EINVAL);
	assert_non_null(strstr(errors, "no device"));
	free(errors);
	assert_int_equal(mp_cli_batch_parse("", 0, &v, &errors), -EINVAL);
	free(errors);
	assert_int_equal(mp_cli_batch_parse("70cf7c9732a345b691494810d2e9cbf4\0x\n", 35, &v,
					    &errors), -EINVAL);
	assert_non_null(strstr(errors, "line 1: a NUL byte"));
	free(errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words_quotes_comments),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_hex_numbers),
		cmocka_unit_test(test_device_ref),
		cmocka_unit_test(test_auth_alg_key_name),
		cmocka_unit_test(test_batch_line),
		cmocka_unit_test(test_batch_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
