/* core/timer_slots: arm-or-cancel per slot on the loop, on a fake clock. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "core/loop.h"
#include "core/timer_slots.h"

struct fixture {
	struct mp_loop *loop;
	uint64_t now;
	struct mp_timer_slots ts;
	char trace[64];			/* the slots that fired, in order */
	uint64_t at[4];			/* when each fired */
	int rearm;			/* slot the callback re-arms (-1: none) */
	bool cancel_all;		/* the callback cancels every slot */
};

static uint64_t fake_now(void *data)
{
	return ((struct fixture *)data)->now;
}

static void on_slot(void *owner, unsigned int id)
{
	struct fixture *f = owner;
	char c[2] = { (char)('0' + id), 0 };

	/* The slot is free by the time its callback runs. */
	assert_false(mp_timer_slots_pending(&f->ts, id));
	strncat(f->trace, c, sizeof(f->trace) - strlen(f->trace) - 1);
	if (id < 4)
		f->at[id] = f->now;
	if (f->rearm >= 0 && (unsigned int)f->rearm == id) {
		f->rearm = -1;
		assert_int_equal(mp_timer_slots_set(&f->ts, id, 5), 0);
	}
	if (f->cancel_all)
		mp_timer_slots_cancel_all(&f->ts);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(mp_loop_new(&f->loop), 0);
	f->now = 1000;
	f->rearm = -1;
	mp_loop_set_clock(f->loop, fake_now, f);
	mp_timer_slots_init(&f->ts, f->loop, 3, on_slot, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mp_timer_slots_cancel_all(&f->ts);
	mp_loop_free(f->loop);
	free(f);
	return 0;
}

/* Jump the clock from deadline to deadline until no timer is left. */
static void run_all(struct fixture *f)
{
	uint64_t d;

	while (mp_loop_next_deadline(f->loop, &d) == 0) {
		if (d > f->now)
			f->now = d;
		assert_true(mp_loop_run_once(f->loop, 0) >= 0);
	}
}

static void test_fire_in_deadline_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mp_timer_slots_set(&f->ts, 0, 30), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 1, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 2, 20), 0);
	assert_true(mp_timer_slots_pending(&f->ts, 0));
	run_all(f);
	assert_string_equal(f->trace, "120");
	assert_int_equal(f->at[0], 1030);
	assert_int_equal(f->at[1], 1010);
	assert_int_equal(f->at[2], 1020);
	assert_false(mp_timer_slots_pending(&f->ts, 0));
}

static void test_rearm_replaces_and_zero_cancels(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mp_timer_slots_set(&f->ts, 0, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 0, 50), 0);	/* replaces */
	assert_int_equal(mp_timer_slots_set(&f->ts, 1, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 1, 0), 0);		/* cancels */
	assert_false(mp_timer_slots_pending(&f->ts, 1));
	assert_int_equal(mp_timer_slots_set(&f->ts, 2, 0), 0);		/* idle: no-op */
	run_all(f);
	assert_string_equal(f->trace, "0");
	assert_int_equal(f->at[0], 1050);
}

static void test_out_of_range(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mp_timer_slots_set(&f->ts, 3, 10), -EINVAL);
	assert_int_equal(mp_timer_slots_set(&f->ts, MP_TIMER_SLOTS_MAX, 10), -EINVAL);
	assert_false(mp_timer_slots_pending(&f->ts, 3));
	assert_int_equal(mp_loop_next_deadline(f->loop, &(uint64_t){ 0 }), -ENOENT);
}

static void test_callback_rearms_itself(void **state)
{
	struct fixture *f = *state;

	f->rearm = 1;
	assert_int_equal(mp_timer_slots_set(&f->ts, 1, 10), 0);
	run_all(f);
	assert_string_equal(f->trace, "11");
	assert_int_equal(f->at[1], 1015);
}

static void test_cancel_all(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mp_timer_slots_set(&f->ts, 0, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 2, 20), 0);
	mp_timer_slots_cancel_all(&f->ts);
	assert_false(mp_timer_slots_pending(&f->ts, 0));
	assert_false(mp_timer_slots_pending(&f->ts, 2));
	run_all(f);
	assert_string_equal(f->trace, "");
	mp_timer_slots_cancel_all(&f->ts);	/* twice is fine */
}

/* The owner may cancel everything (as it does before freeing itself) from
 * inside a slot's callback: the others due in the same round do not fire. */
static void test_cancel_all_from_callback(void **state)
{
	struct fixture *f = *state;

	f->cancel_all = true;
	assert_int_equal(mp_timer_slots_set(&f->ts, 0, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 1, 10), 0);
	assert_int_equal(mp_timer_slots_set(&f->ts, 2, 10), 0);
	run_all(f);
	assert_string_equal(f->trace, "0");
}

static void test_zeroed_struct(void **state)
{
	struct mp_timer_slots ts;

	(void)state;
	memset(&ts, 0, sizeof(ts));
	mp_timer_slots_cancel_all(&ts);
	assert_int_equal(mp_timer_slots_set(&ts, 0, 10), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fire_in_deadline_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_replaces_and_zero_cancels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_rearms_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_all_from_callback, setup, teardown),
		cmocka_unit_test(test_zeroed_struct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
