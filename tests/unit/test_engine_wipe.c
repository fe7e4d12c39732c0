/* The engine wipes the static OOB value before it frees the memory that
 * held it (issue #12): every free() of this program (linked with
 * -Wl,--wrap=free, which reaches the engine's, the provisioner's and the
 * keyring's calls in their static libraries) is checked for the value. */
#include "testutil.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "engine_tu.h"

void __real_free(void *p);
void __wrap_free(void *p);

/* A wrong value: the simulated device, which holds the right one, has no
 * copy of it; only our side does. */
static const uint8_t secret[16] = {
	0xa5, 0x5a, 0xc3, 0x3c, 0x96, 0x69, 0x0f, 0xf0,
	0x5a, 0xa5, 0x3c, 0xc3, 0x69, 0x96, 0xf0, 0x0f,
};
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

static void test_static_oob_wiped_before_free(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_STATIC, .seed = 5 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;

	eh_opts(&o);
	o.prov.auth = MP_AUTH_CHOICE_STATIC;
	memcpy(o.prov.static_oob, secret, sizeof(secret));
	o.prov.static_oob_len = sizeof(secret);
	armed = true;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(h->dev[0].failed);		/* the wrong value: confirmation failed */
	eh_run_for(h, QUICK_MS);		/* the session goes */
	harness_free(h);
	armed = false;
	assert_int_equal(leaks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_static_oob_wiped_before_free, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
