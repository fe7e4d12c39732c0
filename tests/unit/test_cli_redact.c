/* cli/redact: what messages echo of user text: secrets masked, control
 * bytes and invalid UTF-8 escaped, long text cut (issue #12). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "cli/redact.h"

static const char *line(const char *s)
{
	static char out[MP_CLI_SHOW_BUF];

	return mp_cli_show_line(s, MP_CLI_SHOW_MAX, out, sizeof(out));
}

static void test_static_oob_masked(void **state)
{
	assert_string_equal(line("provision --all --auth static:00112233445566778899aabbccddeeff"),
			    "provision --all --auth static:****");
	assert_string_equal(line("provision #1 --auth=static:0011 --name x"),
			    "provision #1 --auth=static:**** --name x");
	assert_string_equal(line("provision #1 --auth 'static:0011"),
			    "provision #1 --auth 'static:****");
	/* where the value is, not the value: shown */
	assert_string_equal(line("provision #1 --auth static:@/run/oob"),
			    "provision #1 --auth static:@/run/oob");
	assert_string_equal(line("provision #1 --auth static:-"), "provision #1 --auth static:-");
	assert_string_equal(line("provision #1 --auth static:"), "provision #1 --auth static:");
	/* in messages: the quotes around it stay, the metavariables too */
	assert_string_equal(line("takes none or static:HEX, not 'static:0011'."),
			    "takes none or static:HEX, not 'static:****'.");
	assert_string_equal(line("static:FILE static:ABCDEF static:\"0\""),
			    "static:FILE static:**** static:****\"");
	assert_true(mp_cli_line_has_secret("provision #1 --auth static:0011"));
	assert_false(mp_cli_line_has_secret("provision #1 --auth static:@f"));
	assert_false(mp_cli_line_has_secret("provision 70cf7c9732a345b691494810d2e9cbf4"));
}

static void test_imported_key_masked(void **state)
{
	assert_string_equal(line("appkey import 5 3b7600112233445566778899aabbccdd"),
			    "appkey import 5 ****");
	assert_string_equal(line("  netkey\timport 1 \"00 11\" extra"),
			    "  netkey\\x09import 1 **** **** ****");
	assert_string_equal(line("appkey import --netkey 1 5 0011 --netkey=2"),
			    "appkey import --netkey 1 5 **** --netkey=2");
	assert_string_equal(line("appkey import 5 @keyfile"), "appkey import 5 @keyfile");
	assert_string_equal(line("netkey import 5 -"), "netkey import 5 -");
	assert_string_equal(line("netkey create 5"), "netkey create 5");
	assert_true(mp_cli_line_has_secret("netkey import 1 0011"));
	assert_false(mp_cli_line_has_secret("netkey import 1 -"));
	assert_false(mp_cli_line_has_secret("netkey import 1"));
	assert_false(mp_cli_line_has_secret("nodes"));
}

static void test_control_bytes_escaped(void **state)
{
	char out[MP_CLI_SHOW_BUF];

	assert_string_equal(mp_cli_show("a\033[2Jb\r\x7f", out, sizeof(out)),
			    "a\\x1b[2Jb\\x0d\\x7f");
	/* UTF-8 is kept; C1 controls, overlong forms, surrogates and stray
	 * bytes are not */
	assert_string_equal(mp_cli_show("caf\xc3\xa9 \xe2\x82\xac", out, sizeof(out)),
			    "caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(mp_cli_show("\xc2\x9b" "1m", out, sizeof(out)), "\\xc2\\x9b1m");
	assert_string_equal(mp_cli_show("\xc0\xaf\xed\xa0\x80\xff", out, sizeof(out)),
			    "\\xc0\\xaf\\xed\\xa0\\x80\\xff");
	assert_string_equal(mp_cli_show("\xe2\x82", out, sizeof(out)), "\\xe2\\x82");
	assert_string_equal(mp_cli_show_n("a\0b", 3, 10, out, sizeof(out)), "a\\x00b");
}

static void test_long_text_cut(void **state)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 1), *wide = malloc(40000), out[MP_CLI_SHOW_BUF];

	assert_non_null(big);
	assert_non_null(wide);
	memset(big, 'x', n);
	big[n] = '\0';
	mp_cli_show_line(big, MP_CLI_SHOW_MAX, out, sizeof(out));
	assert_int_equal(strspn(out, "x"), MP_CLI_SHOW_MAX);
	assert_string_equal(out + MP_CLI_SHOW_MAX, "... (1048576 bytes)");
	/* escaped bytes count as what they were, and fit */
	memset(big, '\033', n);
	mp_cli_show(big, out, sizeof(out));
	assert_int_equal(strlen(out), 4 * MP_CLI_SHOW_MAX + strlen("... (1048576 bytes)"));
	/* a secret past the first 4 KiB is not shown either (cut), nor one cut
	 * in the middle */
	memset(big, ' ', n);
	memcpy(big + 4085, "static:00112233", 15);
	mp_cli_show_line(big, 8192, wide, 40000);
	assert_string_equal(wide + 4085, "static:****... (1048576 bytes)");
	memcpy(big, "appkey import 5 ", 16);
	memset(big + 16, 'a', n - 16);
	mp_cli_show_line(big, MP_CLI_SHOW_MAX, out, sizeof(out));
	assert_string_equal(out, "appkey import 5 ****... (1048576 bytes)");
	/* a multi-byte character is not cut in half */
	assert_string_equal(mp_cli_show_n("ab\xc3\xa9", 4, 3, out, sizeof(out)), "ab... (4 bytes)");
	free(big);
	free(wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_oob_masked),
		cmocka_unit_test(test_imported_key_masked),
		cmocka_unit_test(test_control_bytes_escaped),
		cmocka_unit_test(test_long_text_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
