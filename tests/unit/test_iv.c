/* net/iv.h: the IV Update procedure and IV Index Recovery (MshPRT v1.1
 * 3.11.5, 3.11.6) on a fake clock: every rule allowed and refused, the
 * time limits one second before and exactly at their boundary, what is
 * persisted and when SEQ is reset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/iv.h"

#define H MP_IV_HOUR
#define T0 1700000000LL

struct fx {
	struct mp_iv iv;
	struct mp_iv_state saved;	/* the last state persisted */
	unsigned persists, resets, timers;
	uint32_t reset_tx;
	uint32_t timer_ms;
	int persist_ret;
};

static int fx_persist(void *user, const struct mp_iv_state *st)
{
	struct fx *f = user;

	if (f->persist_ret)
		return f->persist_ret;
	f->saved = *st;
	f->persists++;
	return 0;
}

static void fx_reset(void *user, uint32_t tx)
{
	struct fx *f = user;

	f->resets++;
	f->reset_tx = tx;
}

static void fx_timer(void *user, uint32_t ms)
{
	struct fx *f = user;

	f->timers++;
	f->timer_ms = ms;
}

static const struct mp_iv_cb fx_cb = { fx_persist, fx_reset, fx_timer };

/* A machine at @index, in progress or not, whose state changed at @changed. */
static void fx_init(struct fx *f, uint32_t index, bool update, int64_t changed, bool primary)
{
	struct mp_iv_state st = { index, update, changed, MP_IV_NEVER };

	memset(f, 0, sizeof(*f));
	assert_int_equal(mp_iv_init(&f->iv, &st, primary, &fx_cb, f), 0);
}

static enum mp_iv_verdict bcn(struct fx *f, uint32_t index, bool update, bool primary, int64_t now)
{
	struct mp_iv_beacon b = { index, update, false, primary ? 0 : 1, primary };

	return mp_iv_beacon(&f->iv, &b, now);
}

static void assert_state(struct fx *f, uint32_t index, bool update)
{
	assert_int_equal(mp_iv_get(&f->iv)->iv_index, index);
	assert_int_equal(mp_iv_get(&f->iv)->iv_update, update);
}

static void test_init_args(void **state)
{
	struct mp_iv_state st = { 0, false, 0, MP_IV_NEVER };
	struct mp_iv_cb none = { 0 };
	struct mp_iv iv;

	(void)state;
	assert_int_equal(mp_iv_init(NULL, &st, true, &fx_cb, NULL), -EINVAL);
	assert_int_equal(mp_iv_init(&iv, NULL, true, &fx_cb, NULL), -EINVAL);
	assert_int_equal(mp_iv_init(&iv, &st, true, &none, NULL), -EINVAL);
}

/* R1: the transmit IV index and the receive window, in both states. */
static void test_tx_rx_window(void **state)
{
	struct fx f;
	uint32_t out;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_tx_index(&f.iv), 10);
	assert_int_equal(mp_iv_rx_index(&f.iv, false, &out), 0);
	assert_int_equal(out, 10);
	assert_int_equal(mp_iv_rx_index(&f.iv, true, &out), 0);
	assert_int_equal(out, 9);
	assert_true(mp_iv_rx_accepts(&f.iv, 10));
	assert_true(mp_iv_rx_accepts(&f.iv, 9));
	assert_false(mp_iv_rx_accepts(&f.iv, 11));
	assert_false(mp_iv_rx_accepts(&f.iv, 8));

	fx_init(&f, 11, true, T0, true);
	assert_int_equal(mp_iv_tx_index(&f.iv), 10);
	assert_int_equal(mp_iv_rx_index(&f.iv, true, &out), 0);
	assert_int_equal(out, 11);
	assert_int_equal(mp_iv_rx_index(&f.iv, false, &out), 0);
	assert_int_equal(out, 10);
	assert_true(mp_iv_rx_accepts(&f.iv, 11));
	assert_true(mp_iv_rx_accepts(&f.iv, 10));
	assert_false(mp_iv_rx_accepts(&f.iv, 12));
	assert_false(mp_iv_rx_accepts(&f.iv, 9));

	fx_init(&f, 0, false, T0, true);
	assert_int_equal(mp_iv_rx_index(&f.iv, true, &out), -ERANGE);
	assert_true(mp_iv_rx_accepts(&f.iv, 0));
	assert_false(mp_iv_rx_accepts(&f.iv, UINT32_MAX));
}

/* R2: lower than ours ignored, counted, nothing persisted. */
static void test_lower_dropped(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(bcn(&f, 9, false, true, T0 + 1000 * H), MP_IV_DROP_OLD);
	assert_int_equal(bcn(&f, 9, true, true, T0 + 1000 * H), MP_IV_DROP_OLD);
	assert_int_equal(bcn(&f, 0, false, true, T0 + 1000 * H), MP_IV_DROP_OLD);
	assert_int_equal(f.iv.cnt.drop_old, 3);
	assert_int_equal(f.persists, 0);
	assert_state(&f, 10, false);
}

/* R3: +42 is recovered, +43 dropped and counted. */
static void test_too_far(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 100, false, T0, true);
	assert_int_equal(bcn(&f, 143, false, true, T0 + 1), MP_IV_DROP_TOO_FAR);
	assert_int_equal(bcn(&f, UINT32_MAX, false, true, T0 + 1), MP_IV_DROP_TOO_FAR);
	assert_int_equal(f.iv.cnt.drop_too_far, 2);
	assert_int_equal(f.persists, 0);
	assert_state(&f, 100, false);
	assert_int_equal(bcn(&f, 142, false, true, T0 + 1), MP_IV_RECOVERED);
	assert_state(&f, 142, false);
	assert_int_equal(f.iv.cnt.recoveries, 1);
}

/* R5: Normal, index + 1 with the flag: IV Update in Progress at once (the
 * 96 hours do not bind a beacon-driven change); SEQ is not reset (the
 * transmit IV index stays). */
static void test_beacon_starts_update(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(bcn(&f, 11, true, true, T0 + 1), MP_IV_UPDATE_STARTED);
	assert_state(&f, 11, true);
	assert_int_equal(f.persists, 1);
	assert_int_equal(f.saved.iv_index, 11);
	assert_true(f.saved.iv_update);
	assert_int_equal(f.saved.changed, T0 + 1);
	assert_int_equal(f.saved.last_recovery, MP_IV_NEVER);
	assert_int_equal(f.resets, 0);
	assert_int_equal(mp_iv_tx_index(&f.iv), 10);
	assert_int_equal(f.iv.cnt.updates_started, 1);
	assert_int_equal(f.iv.cnt.updates_initiated, 0);
	/* the timer asks for the end of the 96 hours */
	assert_int_equal(f.timer_ms, (uint32_t)(96 * H) * 1000u);
	/* the same beacon again: nothing */
	assert_int_equal(bcn(&f, 11, true, true, T0 + 2), MP_IV_SAME);
	assert_int_equal(f.persists, 1);
}

/* R6: In Progress, the same index with the flag clear: Normal at once, SEQ
 * reset to the new transmit IV index. */
static void test_beacon_ends_update(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(bcn(&f, 11, false, true, T0 + 1), MP_IV_UPDATE_DONE);
	assert_state(&f, 11, false);
	assert_int_equal(f.persists, 1);
	assert_false(f.saved.iv_update);
	assert_int_equal(f.saved.changed, T0 + 1);
	assert_int_equal(f.resets, 1);
	assert_int_equal(f.reset_tx, 11);
	assert_int_equal(f.iv.cnt.updates_done, 1);
}

/* Normal at our index and the network still in progress at it: nothing. */
static void test_same_index(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, false, T0, true);
	assert_int_equal(bcn(&f, 11, true, true, T0 + 1), MP_IV_SAME);
	assert_int_equal(bcn(&f, 11, false, true, T0 + 1), MP_IV_SAME);
	assert_state(&f, 11, false);
	assert_int_equal(f.persists, 0);
}

/* R8: the return to Normal waits for a hold; its release makes it. */
static void test_hold_defers_normal(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(mp_iv_hold(&f.iv, true, T0 + 1), 0);
	assert_int_equal(bcn(&f, 11, false, true, T0 + 2), MP_IV_DEFERRED);
	assert_int_equal(bcn(&f, 11, false, true, T0 + 3), MP_IV_DEFERRED);
	assert_int_equal(f.iv.cnt.deferred, 1);
	assert_state(&f, 11, true);
	assert_int_equal(f.persists, 0);
	/* the 96 hours are over, still held: our own end waits too */
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 200 * H), 0);
	assert_state(&f, 11, true);
	assert_int_equal(mp_iv_hold(&f.iv, false, T0 + 200 * H + 1), 0);
	assert_state(&f, 11, false);
	assert_int_equal(f.resets, 1);
	assert_int_equal(f.saved.changed, T0 + 200 * H + 1);
}

/* R7, own initiation: the SEQ threshold 1 s before 96 hours of Normal
 * waits; exactly at 96 hours the update starts. */
static void test_own_start_96h(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 10), 0);
	assert_state(&f, 10, false);
	assert_int_equal(f.persists, 0);
	assert_int_equal(f.iv.cnt.deferred, 1);
	assert_int_equal(f.timer_ms, (uint32_t)(96 * H - 10) * 1000u);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 96 * H - 1), 0);
	assert_state(&f, 10, false);
	assert_int_equal(f.timer_ms, 1000);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 96 * H), 0);
	assert_state(&f, 11, true);
	assert_int_equal(f.saved.changed, T0 + 96 * H);
	assert_int_equal(f.iv.cnt.updates_initiated, 1);
	assert_int_equal(f.resets, 0);
	/* and it asks to be woken at the end of its own 96 hours */
	assert_int_equal(f.timer_ms, (uint32_t)(96 * H) * 1000u);
}

/* R7: after 96 hours of Normal the threshold starts the update at once. */
static void test_own_start_now(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 96 * H), 0);
	assert_state(&f, 11, true);
	assert_int_equal(f.iv.cnt.deferred, 0);
	/* already in progress: -EALREADY */
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 96 * H + 1), -EALREADY);
}

/* R7, own end: 1 s before 96 hours in progress nothing; at 96 hours
 * Normal, SEQ reset. */
static void test_own_end_96h(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 96 * H - 1), 0);
	assert_state(&f, 11, true);
	assert_int_equal(f.persists, 0);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 96 * H), 0);
	assert_state(&f, 11, false);
	assert_int_equal(f.resets, 1);
	assert_int_equal(f.reset_tx, 11);
	/* nothing more to do: the timer is cancelled */
	assert_int_equal(f.timer_ms, 0);
}

/* Without a SEQ running high, Normal never changes on its own. */
static void test_normal_stays(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 10000 * H), 0);
	assert_state(&f, 10, false);
	assert_int_equal(f.persists, 0);
}

/* A clock that went back counts as no time: nothing on our own. */
static void test_clock_back(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(mp_iv_tick(&f.iv, T0 - 1000 * H), 0);
	assert_state(&f, 11, true);
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 - 1000 * H), 0);
	assert_state(&f, 10, false);
}

/* R9: Normal, index + 1 with the flag clear: IV Index Recovery (SEQ reset,
 * the time of recovery persisted). */
static void test_recovery_plus_one(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(bcn(&f, 11, false, true, T0 + 5), MP_IV_RECOVERED);
	assert_state(&f, 11, false);
	assert_int_equal(f.saved.last_recovery, T0 + 5);
	assert_int_equal(f.saved.changed, T0 + 5);
	assert_int_equal(f.resets, 1);
	assert_int_equal(f.reset_tx, 11);
}

/* R9: In Progress and the network one further (either flag): recovery. */
static void test_recovery_in_progress(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(bcn(&f, 12, true, true, T0 + 5), MP_IV_RECOVERED);
	assert_state(&f, 12, true);
	assert_int_equal(f.reset_tx, 11);
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(bcn(&f, 12, false, true, T0 + 5), MP_IV_RECOVERED);
	assert_state(&f, 12, false);
	assert_int_equal(f.reset_tx, 12);
}

/* R10: a second recovery 1 s before 192 hours is dropped; at 192 hours it
 * is made. */
static void test_recovery_192h(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(bcn(&f, 20, false, true, T0), MP_IV_RECOVERED);
	assert_int_equal(f.persists, 1);
	assert_int_equal(bcn(&f, 30, false, true, T0 + 192 * H - 1),
			 MP_IV_DROP_RECOVERY_TOO_SOON);
	assert_int_equal(f.iv.cnt.drop_recovery_too_soon, 1);
	assert_int_equal(f.persists, 1);
	assert_state(&f, 20, false);
	/* the ordinary procedure is not a recovery: it still goes on */
	assert_int_equal(bcn(&f, 21, true, true, T0 + 192 * H - 1), MP_IV_UPDATE_STARTED);
	assert_int_equal(f.saved.last_recovery, T0);
	assert_int_equal(bcn(&f, 30, false, true, T0 + 192 * H), MP_IV_RECOVERED);
	assert_state(&f, 30, false);
	assert_int_equal(f.iv.cnt.recoveries, 2);
}

/* A last recovery kept across a restart counts. */
static void test_recovery_remembered(void **state)
{
	struct mp_iv_state st = { 10, false, T0, T0 };
	struct fx f;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(mp_iv_init(&f.iv, &st, true, &fx_cb, &f), 0);
	assert_int_equal(bcn(&f, 15, false, true, T0 + 100 * H), MP_IV_DROP_RECOVERY_TOO_SOON);
	assert_int_equal(bcn(&f, 15, false, true, T0 + 192 * H), MP_IV_RECOVERED);
}

/* R4: a member of the primary subnet drops a higher IV index from a
 * secondary subnet and takes nothing else from it; a node outside the
 * primary subnet follows any subnet. */
static void test_secondary(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(bcn(&f, 11, true, false, T0 + 1), MP_IV_DROP_SECONDARY);
	assert_int_equal(bcn(&f, 20, false, false, T0 + 1), MP_IV_DROP_SECONDARY);
	assert_int_equal(f.iv.cnt.drop_secondary, 2);
	assert_int_equal(f.persists, 0);
	fx_init(&f, 11, true, T0, true);
	assert_int_equal(bcn(&f, 11, false, false, T0 + 1), MP_IV_SAME);
	assert_state(&f, 11, true);

	fx_init(&f, 10, false, T0, false);
	assert_int_equal(bcn(&f, 11, true, false, T0 + 1), MP_IV_UPDATE_STARTED);
	assert_state(&f, 11, true);
}

/* R11: only a member of the primary subnet initiates. */
static void test_initiate_needs_primary(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, false);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 1000 * H), -EPERM);
	assert_state(&f, 10, false);
}

/* A state that cannot be saved is not entered, whatever asked for it. */
static void test_persist_fails(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	f.persist_ret = -ENOSPC;
	assert_int_equal(bcn(&f, 11, true, true, T0 + 1), MP_IV_DROP_PERSIST);
	assert_int_equal(bcn(&f, 15, false, true, T0 + 1), MP_IV_DROP_PERSIST);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 96 * H), -ENOSPC);
	assert_state(&f, 10, false);
	assert_int_equal(f.iv.cnt.drop_persist, 3);
	assert_int_equal(f.resets, 0);
	/* a failed recovery is not counted against the 192 hours */
	f.persist_ret = 0;
	assert_int_equal(bcn(&f, 15, false, true, T0 + 2), MP_IV_RECOVERED);
	/* the wanted update is still wanted */
	fx_init(&f, 10, false, T0, true);
	f.persist_ret = -EIO;
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 96 * H), -EIO);
	f.persist_ret = 0;
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 96 * H + 1), 0);
	assert_state(&f, 11, true);
}

/* A beacon that starts the update answers a SEQ running high too: the
 * wish does not start a second update after the first ends. */
static void test_beacon_satisfies_wish(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 10, false, T0, true);
	assert_int_equal(mp_iv_seq_high(&f.iv, T0 + 1), 0);
	assert_int_equal(bcn(&f, 11, true, true, T0 + 2), MP_IV_UPDATE_STARTED);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 2 + 96 * H), 0);
	assert_state(&f, 11, false);
	assert_int_equal(mp_iv_tick(&f.iv, T0 + 2 + 300 * H), 0);
	assert_state(&f, 11, false);
}

/* Random beacons, ticks, holds and SEQ alarms (a fixed seed), checking
 * what must always hold: the IV index and the transmit IV index never go
 * back; a SEQ reset exactly when the transmit IV index changes; every
 * state entered was persisted first; recoveries 192 hours apart at least;
 * no own transition before 96 hours in a state. */
static void test_random_walk(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	int64_t now = T0, last_rec = MP_IV_NEVER;
	struct fx f;
	int i;

	(void)state;
	fx_init(&f, 1000, false, T0, true);
	for (i = 0; i < 200000; i++) {
		struct mp_iv_state before = *mp_iv_get(&f.iv);
		uint32_t tx_before = mp_iv_tx_index(&f.iv);
		unsigned resets = f.resets, persists = f.persists;
		bool pending = f.iv.normal_pending;
		enum mp_iv_verdict v = MP_IV_SAME;
		const struct mp_iv_state *st;
		unsigned op;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		now += (int64_t)(x % (30 * H));
		op = (unsigned)(x >> 32) % 8;
		if (op < 4) {
			uint32_t d = (uint32_t)(x >> 40) % 50;

			v = bcn(&f, before.iv_index + d - 3, (x >> 48) & 1, (x >> 50) % 4 != 0, now);
		} else if (op == 4) {
			mp_iv_tick(&f.iv, now);
		} else if (op == 5) {
			mp_iv_hold(&f.iv, (x >> 52) & 1, now);
		} else {
			mp_iv_seq_high(&f.iv, now);
		}
		st = mp_iv_get(&f.iv);
		assert_true(st->iv_index >= before.iv_index);
		assert_true(mp_iv_tx_index(&f.iv) >= tx_before);
		assert_int_equal(f.resets - resets, mp_iv_tx_index(&f.iv) != tx_before);
		if (memcmp(st, &before, sizeof(before))) {
			assert_int_equal(f.persists, persists + 1);
			assert_int_equal(f.saved.iv_index, st->iv_index);
			assert_int_equal(f.saved.iv_update, st->iv_update);
			assert_int_equal(st->changed, now);
			if (v == MP_IV_RECOVERED) {
				if (last_rec != MP_IV_NEVER)
					assert_true(now - last_rec >= MP_IV_RECOVERY_PERIOD);
				last_rec = now;
			} else if (op >= 4) {
				/* our own transition: after 96 hours, or a
				 * beacon's return to Normal the hold kept */
				assert_true(now - before.changed >= MP_IV_MIN_STATE ||
					    (pending && !st->iv_update));
			}
		} else {
			assert_int_equal(f.persists, persists);
		}
	}
	assert_true(f.iv.cnt.updates_started > 10);
	assert_true(f.iv.cnt.updates_initiated > 10);
	assert_true(f.iv.cnt.updates_done > 10);
	assert_true(f.iv.cnt.recoveries > 10);
	assert_true(f.iv.cnt.drop_too_far > 0 && f.iv.cnt.drop_old > 0);
	assert_true(f.iv.cnt.drop_secondary > 0 && f.iv.cnt.deferred > 0);
	assert_true(f.iv.cnt.drop_recovery_too_soon > 0);
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(mp_iv_verdict_str(MP_IV_DROP_TOO_FAR), "drop-too-far");
	assert_string_equal(mp_iv_verdict_str(MP_IV_SAME), "same");
	assert_string_equal(mp_iv_verdict_str((enum mp_iv_verdict)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_tx_rx_window),
		cmocka_unit_test(test_lower_dropped),
		cmocka_unit_test(test_too_far),
		cmocka_unit_test(test_beacon_starts_update),
		cmocka_unit_test(test_beacon_ends_update),
		cmocka_unit_test(test_same_index),
		cmocka_unit_test(test_hold_defers_normal),
		cmocka_unit_test(test_own_start_96h),
		cmocka_unit_test(test_own_start_now),
		cmocka_unit_test(test_own_end_96h),
		cmocka_unit_test(test_normal_stays),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_recovery_plus_one),
		cmocka_unit_test(test_recovery_in_progress),
		cmocka_unit_test(test_recovery_192h),
		cmocka_unit_test(test_recovery_remembered),
		cmocka_unit_test(test_secondary),
		cmocka_unit_test(test_initiate_needs_primary),
		cmocka_unit_test(test_persist_fails),
		cmocka_unit_test(test_beacon_satisfies_wish),
		cmocka_unit_test(test_random_walk),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("net/iv", tests, NULL, NULL);
}
