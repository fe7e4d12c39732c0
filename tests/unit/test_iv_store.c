/* The IV machine (net/iv.h) wired to the keyring (store/keyring.h), the
 * SEQ allocator (store/seq.h) and the replay list (store/rpl.h) as the
 * mesh stack's owner wires them: persist -> mp_keyring_set_iv(), seq_reset
 * -> mp_seq_reset(), the allocator's threshold -> mp_iv_seq_high(). A run
 * on a fake clock: SEQ crosses the threshold before 96 hours of Normal and
 * the IV Update waits; it starts at 96 hours with SEQ going on (the
 * transmit IV index is the same); it ends 96 hours later and SEQ starts at
 * 0 under the new transmit IV index; a reopen finds all of it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"
#include "keyring_tu.h"

#include <errno.h>
#include <string.h>

#include "net/iv.h"
#include "store/keyring.h"
#include "store/rpl.h"
#include "store/seq.h"

#define H MP_IV_HOUR

struct owner {
	struct mp_keyring *kr;
	struct mp_seq *seq;
	struct mp_iv iv;
	int64_t now;
	unsigned resets;
};

static int persist(void *user, const struct mp_iv_state *st)
{
	struct owner *o = user;

	return mp_keyring_set_iv(o->kr, st->iv_index, st->iv_update);
}

static void seq_reset(void *user, uint32_t tx)
{
	struct owner *o = user;

	(void)tx;
	o->resets++;
	mp_seq_reset(o->seq);
}

static void high(void *user, uint32_t seq, uint32_t tx)
{
	struct owner *o = user;

	int r;

	(void)seq;
	(void)tx;
	/* -EALREADY: in progress already (after a restart in the middle) */
	r = mp_iv_seq_high(&o->iv, o->now);
	assert_true(r == 0 || r == -EALREADY);
}

static void start(struct owner *o, struct ktu_fx *f)
{
	static const struct mp_iv_cb cb = { persist, seq_reset, NULL };
	struct mp_seq_opts so = { .block = 32, .threshold = 100, .high = high, .user = o };
	struct mp_iv_state st;

	o->kr = ktu_open_ok(f);
	assert_int_equal(mp_seq_new(o->kr, &so, &o->seq), 0);
	st.iv_index = mp_keyring_iv_index(o->kr);
	st.iv_update = mp_keyring_iv_update(o->kr);
	st.changed = mp_keyring_iv_changed(o->kr);
	st.last_recovery = st.changed;
	assert_int_equal(mp_iv_init(&o->iv, &st, true, &cb, o), 0);
	assert_int_equal(mp_iv_tick(&o->iv, o->now), 0);
}

static void stop(struct owner *o)
{
	mp_seq_free(o->seq);
	mp_keyring_close(o->kr);
}

/* Advance both clocks (the keyring's stamps the changes). */
static void at(struct owner *o, struct ktu_fx *f, int64_t t)
{
	o->now = t;
	f->clk.t = t;
}

static void test_run(void **state)
{
	struct ktu_fx *f = ktu_fx_new(5);
	struct owner o = { 0 };
	int64_t t0;
	uint32_t v, i;

	(void)state;
	if (!f)
		abort();
	t0 = f->clk.t;
	at(&o, f, t0);
	start(&o, f);
	/* SEQ passes 100 after 10 hours: the update waits for 96 hours */
	at(&o, f, t0 + 10 * H);
	for (i = 0; i < 150; i++) {
		assert_int_equal(mp_seq_next(o.seq, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(mp_keyring_iv_index(o.kr), 0);
	assert_false(mp_keyring_iv_update(o.kr));
	/* 96 hours after the keyring was made: IV Update in Progress at 1 */
	at(&o, f, t0 + 96 * H);
	assert_int_equal(mp_iv_tick(&o.iv, o.now), 0);
	assert_int_equal(mp_keyring_iv_index(o.kr), 1);
	assert_true(mp_keyring_iv_update(o.kr));
	assert_int_equal(mp_keyring_iv_changed(o.kr), t0 + 96 * H);
	assert_int_equal(mp_iv_tx_index(&o.iv), 0);
	/* SEQ goes on: the transmit IV index is still 0 */
	assert_int_equal(mp_seq_next(o.seq, &v), 0);
	assert_int_equal(v, 150);
	assert_int_equal(o.resets, 0);

	/* a restart in the middle: the machine comes back in progress */
	stop(&o);
	at(&o, f, t0 + 100 * H);
	start(&o, f);
	assert_true(mp_iv_get(&o.iv)->iv_update);
	assert_int_equal(mp_iv_get(&o.iv)->changed, t0 + 96 * H);
	assert_int_equal(mp_seq_next(o.seq, &v), 0);
	assert_true(v > 150);

	/* one second early: nothing; at 96 hours: Normal, SEQ from 0 */
	at(&o, f, t0 + 192 * H - 1);
	assert_int_equal(mp_iv_tick(&o.iv, o.now), 0);
	assert_true(mp_keyring_iv_update(o.kr));
	at(&o, f, t0 + 192 * H);
	assert_int_equal(mp_iv_tick(&o.iv, o.now), 0);
	assert_false(mp_keyring_iv_update(o.kr));
	assert_int_equal(mp_keyring_iv_index(o.kr), 1);
	assert_int_equal(o.resets, 1);
	assert_int_equal(mp_iv_tx_index(&o.iv), 1);
	assert_int_equal(mp_seq_next(o.seq, &v), 0);
	assert_int_equal(v, 0);

	/* the replay list beside it keeps what was heard, across the restart */
	{
		struct mp_rpl_opts ro = { .create = true };
		struct mp_rpl *r;
		uint32_t iv, seq;

		assert_int_equal(mp_rpl_open(o.kr, &ro, &r, NULL), 0);
		assert_int_equal(mp_rpl_record(r, 0x0042, mp_iv_tx_index(&o.iv), 7), 0);
		mp_rpl_close(r);
		stop(&o);
		start(&o, f);
		assert_int_equal(mp_rpl_open(o.kr, NULL, &r, NULL), 0);
		assert_true(mp_rpl_get(r, 0x0042, &iv, &seq));
		assert_int_equal(iv, 1);
		assert_int_equal(seq, 7);
		mp_rpl_close(r);
	}
	assert_false(mp_iv_get(&o.iv)->iv_update);
	assert_int_equal(mp_seq_next(o.seq, &v), 0);
	assert_true(v > 0 && v < 100);
	stop(&o);
	ktu_fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests_name("net/iv + store", tests, NULL, NULL);
}
