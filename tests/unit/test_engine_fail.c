/* The failure reasons (engine/engine.h, enum mp_engine_fail): every value
 * has a name of its own, in the words scripts match on, and the man page's
 * "failed" event lists every one of them. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "prov/pdu.h"

static void test_names_unique_and_words(void **state)
{
	unsigned int i, k;

	(void)state;
	for (i = 0; i < MP_ENGINE_FAILS; i++) {
		const char *n = mp_engine_fail_name((enum mp_engine_fail)i);
		size_t c;

		assert_non_null(n);
		assert_true(n[0] != '\0');
		for (c = 0; n[c]; c++)		/* lower case words joined by '-' */
			if (!islower((unsigned char)n[c]) && n[c] != '-')
				fail_msg("reason %u: \"%s\" is no word", i, n);
		for (k = 0; k < i; k++)
			if (strcmp(n, mp_engine_fail_name((enum mp_engine_fail)k)) == 0)
				fail_msg("reasons %u and %u are both \"%s\"", k, i, n);
	}
}

/* The names scripts know today, each still meaning the same value. */
static void test_names_unchanged(void **state)
{
	(void)state;
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_ERROR), "error");
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_CONFIRMATION_FAILED),
			    "confirmation-failed");
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_TIMEOUT), "timeout");
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_CANCELLED), "cancelled");
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_NOT_FOUND), "not-found");
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAIL_KEYRING_WRITE), "keyring-write");
	/* outside the enum: "error", never NULL */
	assert_string_equal(mp_engine_fail_name(MP_ENGINE_FAILS), "error");
	assert_string_equal(mp_engine_fail_name((enum mp_engine_fail)-1), "error");
}

/* MshPRT v1.1 Table 5.41: the specification's codes are their own values,
 * named as prov/ names them. */
static void test_spec_codes(void **state)
{
	unsigned int e;

	(void)state;
	for (e = MP_PROV_ERR_INVALID_PDU; e <= MP_PROV_ERR_INVALID_DATA; e++)
		assert_string_equal(mp_engine_fail_name((enum mp_engine_fail)e), mp_prov_err_id(e));
}

/* meshprov(1), the "failed" event: every name, as a word of its paragraph
 * (from ".TP .B failed" to the next ".TP"; the man source's "\-" read as "-"). */
static void test_man_page_lists_each(void **state)
{
	FILE *f = fopen(MP_MANPAGE, "r");
	char *text, *para, *end, *p, *q;
	long len;
	unsigned int i;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (p = q = text; *p; p++)	/* "\-" -> "-" */
		if (!(p[0] == '\\' && p[1] == '-'))
			*q++ = *p;
	*q = '\0';
	para = strstr(text, "\n.TP\n.B failed\n");	/* the event, not a mention */
	assert_non_null(para);
	end = strstr(para + 1, "\n.TP\n");
	assert_non_null(end);
	*end = '\0';
	for (i = 0; i < MP_ENGINE_FAILS; i++) {
		const char *n = mp_engine_fail_name((enum mp_engine_fail)i);
		size_t nl = strlen(n);
		bool found = false;

		for (p = strstr(para, n); p && !found; p = strstr(p + 1, n))
			found = !(islower((unsigned char)p[-1]) || p[-1] == '-') &&
				!(islower((unsigned char)p[nl]) || p[nl] == '-');
		if (!found)
			fail_msg("man/meshprov.1, the failed event, does not list \"%s\"", n);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_and_words),
		cmocka_unit_test(test_names_unchanged),
		cmocka_unit_test(test_spec_codes),
		cmocka_unit_test(test_man_page_lists_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
