/* The keyring's format version 2: the provisioner's SEQ reservation, the IV
 * Update state, and the migration of a version 1 file (a committed one,
 * tests/vectors/keyring-v1.json, as meshprov 1 wrote it). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include "keyring_tu.h"
#include "store/keyring.h"
#include "store/nodes.h"

static int setup(void **state)
{
	*state = ktu_fx_new(7);
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	ktu_fx_free(*state);
	return 0;
}

static struct mp_keyring *open_ok(struct ktu_fx *f)
{
	return ktu_open_ok(f);
}

/* Reservations follow each other, survive close and reopen, and no number
 * is handed out twice. */
static void test_seq_reserve_survives_reopen(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	uint32_t first = 99, end = 0;
	unsigned i;

	assert_int_equal(mp_keyring_seq_next(kr), 0);
	for (i = 1; i <= 5; i++) {
		assert_int_equal(mp_keyring_seq_reserve(kr, 100 * i, &first), 0);
		assert_int_equal(first, end);
		end = first + 100 * i;
		assert_int_equal(mp_keyring_seq_next(kr), end);
		mp_keyring_close(kr);
		kr = open_ok(f);
		assert_int_equal(mp_keyring_seq_next(kr), end);
	}
	/* Saved by the reservation itself: the file on disk says so. */
	{
		char *data = ktu_read(f->path, NULL);
		char want[40];

		snprintf(want, sizeof(want), "\"seqNext\": %u", end);
		assert_non_null(data);
		assert_non_null(strstr(data, want));
		assert_non_null(strstr(data, "\"meshprov-keyring\": 2"));
		free(data);
	}
	assert_int_equal(mp_keyring_seq_reserve(kr, 1, &first), 0);
	assert_int_equal(first, end);
	mp_keyring_close(kr);
}

static void test_seq_reserve_limits(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	uint32_t first = 0;

	assert_int_equal(mp_keyring_seq_reserve(kr, 0, &first), -EINVAL);
	assert_int_equal(mp_keyring_seq_reserve(kr, 1, NULL), -EINVAL);
	assert_int_equal(mp_keyring_seq_reserve(kr, MP_SEQ_MAX + 2u, &first), -EINVAL);
	assert_int_equal(mp_keyring_seq_reserve(kr, MP_SEQ_MAX, &first), 0);
	assert_int_equal(first, 0);
	assert_int_equal(mp_keyring_seq_reserve(kr, 2, &first), -ERANGE);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_FULL);
	assert_int_equal(mp_keyring_seq_reserve(kr, 1, &first), 0);
	assert_int_equal(first, MP_SEQ_MAX);
	assert_int_equal(mp_keyring_seq_reserve(kr, 1, &first), -ERANGE);
	assert_int_equal(mp_keyring_seq_next(kr), MP_SEQ_MAX + 1u);

	/* Inside a batch nothing is saved before commit: refused. */
	assert_int_equal(mp_keyring_set_iv(kr, 1, false), 0);
	mp_keyring_begin(kr);
	assert_int_equal(mp_keyring_seq_reserve(kr, 1, &first), -EBUSY);
	assert_int_equal(mp_keyring_commit(kr), 0);
	assert_int_equal(mp_keyring_seq_next(kr), 0);
	mp_keyring_close(kr);
}

/* The IV Update state is kept with its time; SEQ starts again at 0 only
 * when the transmit IV index changes (MshPRT v1.1 3.11.5). */
static void test_iv_update_state(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr = open_ok(f);
	uint32_t first;

	assert_int_equal(mp_keyring_iv_changed(kr), 1700000000);
	assert_int_equal(mp_keyring_seq_reserve(kr, 500, &first), 0);

	/* IV Update in progress at 1: still transmitting with 0. */
	f->clk.t += 3600;
	assert_int_equal(mp_keyring_set_iv(kr, 1, true), 0);
	assert_int_equal(mp_keyring_iv_changed(kr), 1700003600);
	assert_int_equal(mp_keyring_seq_next(kr), 500);
	mp_keyring_close(kr);
	kr = open_ok(f);
	assert_int_equal(mp_keyring_iv_index(kr), 1);
	assert_true(mp_keyring_iv_update(kr));
	assert_int_equal(mp_keyring_iv_changed(kr), 1700003600);
	assert_int_equal(mp_keyring_seq_next(kr), 500);

	/* The same state again changes no time. */
	f->clk.t += 60;
	assert_int_equal(mp_keyring_set_iv(kr, 1, true), 0);
	assert_int_equal(mp_keyring_iv_changed(kr), 1700003600);

	/* Back to Normal: transmitting with 1, SEQ from 0. */
	f->clk.t += 96 * 3600;
	assert_int_equal(mp_keyring_set_iv(kr, 1, false), 0);
	assert_int_equal(mp_keyring_seq_next(kr), 0);
	assert_int_equal(mp_keyring_iv_changed(kr), 1700003660 + 96 * 3600);
	mp_keyring_close(kr);
	kr = open_ok(f);
	assert_false(mp_keyring_iv_update(kr));
	assert_int_equal(mp_keyring_iv_changed(kr), 1700003660 + 96 * 3600);
	assert_int_equal(mp_keyring_seq_next(kr), 0);
	mp_keyring_close(kr);
}

/* A version 1 file loads with nothing reserved and an unknown IV change
 * time, and is saved as version 2 by the next change. */
static void test_version1_migrates(void **state)
{
	struct ktu_fx *f = *state;
	struct mp_keyring *kr;
	size_t len = 0;
	char *v1 = ktu_read(MP_KEYRING_V1_PATH, &len), *after;
	uint32_t first = 1;

	assert_non_null(v1);
	assert_non_null(strstr(v1, "\"meshprov-keyring\": 1"));
	assert_null(strstr(v1, "seqNext"));
	assert_int_equal(ktu_write(f->path, v1, len, 0600), 0);
	f->o.flags = 0;
	kr = open_ok(f);
	assert_int_equal(mp_keyring_iv_index(kr), 4);
	assert_int_equal(mp_keyring_iv_changed(kr), 0);
	assert_int_equal(mp_keyring_seq_next(kr), 0);
	assert_int_equal(mp_keyring_node_count(kr), 3);
	assert_string_equal(mp_keyring_node_find(kr, 2)->name, "lamp");
	assert_int_equal(mp_keyring_exclusion_count(kr), 1);
	/* Opening changes nothing on disk. */
	after = ktu_read(f->path, NULL);
	assert_string_equal(after, v1);
	free(after);

	assert_int_equal(mp_keyring_seq_reserve(kr, 64, &first), 0);
	assert_int_equal(first, 0);
	mp_keyring_close(kr);
	after = ktu_read(f->path, NULL);
	assert_non_null(strstr(after, "\"meshprov-keyring\": 2"));
	assert_non_null(strstr(after, "\"seqNext\": 64"));
	assert_non_null(strstr(after, "\"ivChanged\": 0"));
	free(after);
	kr = open_ok(f);
	assert_int_equal(mp_keyring_node_count(kr), 3);
	assert_string_equal(mp_keyring_node_find(kr, 2)->name, "lamp");
	assert_int_equal(mp_keyring_seq_next(kr), 64);
	mp_keyring_close(kr);
	free(v1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seq_reserve_survives_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_reserve_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iv_update_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version1_migrates, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
