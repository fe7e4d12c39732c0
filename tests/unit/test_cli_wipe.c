/* The CLI wipes the static OOB value before it frees the memory that held
 * it (issue #12): the targets' and jobs' arrays, which hold copies of the
 * options, are grown through a copy that wipes the old block, and are
 * wiped when the program's state is freed. Every free() of this program
 * (linked with -Wl,--wrap=free, which reaches the CLI's sources and the
 * static libraries) is checked for the value. */
#include "testutil.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/parse.h"
#include "crypto/crypto.h"

void __real_free(void *p);
void __wrap_free(void *p);

static const uint8_t secret[16] = {
	0xa5, 0x5a, 0xc3, 0x3c, 0x96, 0x69, 0x0f, 0xf0,
	0x5a, 0xa5, 0x3c, 0xc3, 0x69, 0x96, 0xf0, 0x0f,
};
static const char secret_hex[] = "static:a55ac33c96690ff05aa53cc36996f00f";
static bool armed;
static unsigned int leaks;

static bool holds_secret(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + sizeof(secret) <= n; i++)
		if (p[i] == secret[0] && memcmp(p + i, secret, sizeof(secret)) == 0)
			return true;
	return false;
}

void __wrap_free(void *p)
{
	if (armed && p && holds_secret(p, malloc_usable_size(p)))
		leaks++;
	__real_free(p);
}

static void static_opts(struct mp_provision_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->prov.auth = MP_AUTH_CHOICE_STATIC;
	memcpy(o->prov.static_oob, secret, sizeof(secret));
	o->prov.static_oob_len = sizeof(secret);
}

/* 100 targets grow the targets array 16 -> 32 -> 64 -> 128, and each of
 * the 5 jobs grows the jobs array by one: every old block held the value. */
static void test_targets_and_jobs_wiped_before_free(void **state)
{
	struct mp_cli_app *a = calloc(1, sizeof(*a));
	struct mp_provision_opts o;
	struct mp_cli_device_ref ref = { .by_index = true };
	unsigned int i, job = 0;

	(void)state;
	assert_non_null(a);
	a->mode = MP_CLI_SHELL;
	assert_int_equal(mp_cli_app_init(a), 0);
	static_opts(&o);
	leaks = 0;
	armed = true;
	for (i = 0; i < 5; i++) {
		job = mp_cli_job_new(a, true, 0, &o, NULL);
		assert_int_not_equal(job, 0);
	}
	for (i = 0; i < 100; i++) {
		ref.index = i + 1;
		assert_int_equal(mp_cli_target_add(a, job, &ref, &o, NULL, 0), 0);
	}
	assert_true(a->cap_targets >= 128);
	assert_int_equal(leaks, 0);		/* the grown arrays' old blocks */
	mp_cli_app_free(a);
	armed = false;
	assert_int_equal(leaks, 0);		/* the arrays themselves */
	free(a);
	mp_wipe(&o, sizeof(o));
}

/* The parser's temporary (on the stack) is wiped; nothing it frees holds
 * the value either. */
static void test_parse_auth_leaves_no_freed_copy(void **state)
{
	struct mp_prov_params p;

	(void)state;
	memset(&p, 0, sizeof(p));
	leaks = 0;
	armed = true;
	assert_int_equal(mp_cli_parse_auth(secret_hex, &p), 0);
	armed = false;
	assert_int_equal(leaks, 0);
	assert_int_equal(p.auth, MP_AUTH_CHOICE_STATIC);
	assert_int_equal(p.static_oob_len, sizeof(secret));
	assert_memory_equal(p.static_oob, secret, sizeof(secret));
	mp_wipe(&p, sizeof(p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_and_jobs_wiped_before_free),
		cmocka_unit_test(test_parse_auth_leaves_no_freed_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
