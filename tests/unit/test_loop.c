/* core/loop: watches, timers on an injected clock, signals, re-entrancy.
 * Pipes stand in for sockets and a fake clock for time: nothing sleeps. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"

struct fake_clock {
	uint64_t now;
};

static uint64_t fake_now(void *data)
{
	return ((struct fake_clock *)data)->now;
}

struct fixture {
	struct mp_loop *loop;
	struct fake_clock clock;
	int p[2];	/* a pipe: write p[1] to make p[0] readable */
	int q[2];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(mp_loop_new(&f->loop), 0);
	f->clock.now = 1000;
	mp_loop_set_clock(f->loop, fake_now, &f->clock);
	assert_int_equal(pipe(f->p), 0);
	assert_int_equal(pipe(f->q), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mp_loop_free(f->loop);
	close(f->p[0]);
	close(f->p[1]);
	close(f->q[0]);
	close(f->q[1]);
	free(f);
	return 0;
}

/* A log of callbacks, so each test can assert what ran and in which order. */
static char trace[256];

static void note(const char *s)
{
	strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
}

static void drain(int fd)
{
	char buf[64];

	assert_true(read(fd, buf, sizeof(buf)) > 0);
}

static void on_read_a(struct mp_loop *loop, int fd, uint32_t ev, void *data)
{
	assert_true(ev & MP_LOOP_READ);
	drain(fd);
	note("a");
}

static void test_clock_is_injectable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mp_loop_now_ms(f->loop), 1000);
	f->clock.now = 1234;
	assert_int_equal(mp_loop_now_ms(f->loop), 1234);
	/* Back to the monotonic clock: it moves on its own and is not ours. */
	mp_loop_set_clock(f->loop, NULL, NULL);
	assert_true(mp_loop_now_ms(f->loop) != 1234);
}

static void test_watch_read(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	assert_int_equal(mp_loop_watch_add(f->loop, f->p[0], MP_LOOP_READ, on_read_a, NULL), 0);
	assert_int_equal(mp_loop_watch_add(f->loop, f->p[0], MP_LOOP_READ, on_read_a, NULL),
			 -EEXIST);
	assert_int_equal(mp_loop_watch_add(f->loop, -1, MP_LOOP_READ, on_read_a, NULL), -EBADF);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);	/* nothing yet */
	assert_int_equal(write(f->p[1], "x", 1), 1);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "a");
	/* Not interested in reading any more: the data stays unread. */
	assert_int_equal(mp_loop_watch_modify(f->loop, f->p[0], 0), 0);
	assert_int_equal(write(f->p[1], "y", 1), 1);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);
	assert_int_equal(mp_loop_watch_modify(f->loop, f->p[0], MP_LOOP_READ), 0);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "aa");
	assert_int_equal(mp_loop_watch_remove(f->loop, f->p[0]), 0);
	assert_int_equal(mp_loop_watch_remove(f->loop, f->p[0]), -ENOENT);
	assert_int_equal(mp_loop_watch_modify(f->loop, f->p[0], 0), -ENOENT);
}

static uint32_t last_events;

static void on_any(struct mp_loop *loop, int fd, uint32_t ev, void *data)
{
	last_events = ev;
	note("w");
}

static void test_watch_write_and_hangup(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	assert_int_equal(mp_loop_watch_add(f->loop, f->p[1], MP_LOOP_WRITE, on_any, NULL), 0);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_int_equal(last_events, MP_LOOP_WRITE);
	assert_int_equal(mp_loop_watch_remove(f->loop, f->p[1]), 0);

	/* A hang-up is reported even to a watch that asked for nothing. */
	assert_int_equal(mp_loop_watch_add(f->loop, f->q[0], 0, on_any, NULL), 0);
	close(f->q[1]);
	f->q[1] = dup(f->p[1]);	/* keep teardown simple */
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_true(last_events & MP_LOOP_HUP);
	assert_false(last_events & MP_LOOP_READ);
}

static void test_watch_on_closed_fd_is_dropped(void **state)
{
	struct fixture *f = *state;
	int fd = dup(f->p[0]);

	trace[0] = '\0';
	assert_int_equal(mp_loop_watch_add(f->loop, fd, MP_LOOP_READ, on_any, NULL), 0);
	close(fd);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_true(last_events & MP_LOOP_ERROR);
	/* Reported once, then dropped, not reported forever. */
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);
	assert_int_equal(mp_loop_watch_remove(f->loop, fd), -ENOENT);
}

/* ---- timers ---- */

static void on_timer(struct mp_loop *loop, int64_t id, void *data)
{
	note((const char *)data);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct fixture *f = *state;
	int64_t a, b, c, d;

	trace[0] = '\0';
	a = mp_loop_timer_add(f->loop, 30, on_timer, (void *)"a");
	b = mp_loop_timer_add(f->loop, 10, on_timer, (void *)"b");
	c = mp_loop_timer_add(f->loop, 20, on_timer, (void *)"c");
	d = mp_loop_timer_add(f->loop, 10, on_timer, (void *)"d");
	assert_true(a > 0 && b > a && c > b && d > c);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);
	f->clock.now += 9;
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);
	f->clock.now += 1;
	/* Same deadline: the order they were added in. */
	assert_int_equal(mp_loop_run_once(f->loop, 0), 2);
	assert_string_equal(trace, "bd");
	assert_false(mp_loop_timer_pending(f->loop, b));
	assert_true(mp_loop_timer_pending(f->loop, a));
	f->clock.now += 100;
	assert_int_equal(mp_loop_run_once(f->loop, 0), 2);
	assert_string_equal(trace, "bdca");
}

static void test_timer_cancel(void **state)
{
	struct fixture *f = *state;
	int64_t a, b;

	trace[0] = '\0';
	a = mp_loop_timer_add(f->loop, 5, on_timer, (void *)"a");
	b = mp_loop_timer_add(f->loop, 5, on_timer, (void *)"b");
	assert_int_equal(mp_loop_timer_cancel(f->loop, a), 0);
	assert_int_equal(mp_loop_timer_cancel(f->loop, a), -ENOENT);
	assert_int_equal(mp_loop_timer_cancel(f->loop, 12345), -ENOENT);
	f->clock.now += 5;
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "b");
	/* A fired timer cannot be cancelled, and its id is not given out again. */
	assert_int_equal(mp_loop_timer_cancel(f->loop, b), -ENOENT);
	assert_true(mp_loop_timer_add(f->loop, 1, on_timer, (void *)"c") > b);
}

/* Many timers, deadlines drawn with many ties, a third cancelled (some
 * from inside callbacks), more added while they fire: every one fires
 * exactly once, in (deadline, id) order, the cancelled ones never. */
#define MANY 2000

struct many {
	struct mp_loop *loop;
	int64_t id[MANY];
	uint64_t deadline[MANY];
	bool cancelled[MANY], fired[MANY];
	uint64_t last_deadline;
	int64_t last_id;
	unsigned int nfired, added;
	uint32_t x;
};

static uint32_t many_draw(struct many *m)
{
	m->x ^= m->x << 13;
	m->x ^= m->x >> 17;
	m->x ^= m->x << 5;
	return m->x;
}

static void many_fired(struct mp_loop *loop, int64_t id, void *data);

static void many_add(struct many *m, unsigned int i, uint64_t now)
{
	uint64_t delay = many_draw(m) % 50;

	m->deadline[i] = now + delay;
	m->id[i] = mp_loop_timer_add(m->loop, delay, many_fired, m);
	assert_true(m->id[i] > 0);
}

static void many_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct many *m = data;
	uint64_t now = mp_loop_now_ms(loop);
	unsigned int i;

	for (i = 0; i < MANY && m->id[i] != id; i++)
		;
	assert_true(i < MANY);
	assert_false(m->cancelled[i]);
	assert_false(m->fired[i]);
	assert_true(m->deadline[i] <= now);
	/* (deadline, id) never goes back */
	assert_true(m->deadline[i] > m->last_deadline ||
		    (m->deadline[i] == m->last_deadline && id > m->last_id));
	m->last_deadline = m->deadline[i];
	m->last_id = id;
	m->fired[i] = true;
	m->nfired++;
	/* now and then cancel one still pending, or add one */
	if (many_draw(m) % 4 == 0) {
		unsigned int j = many_draw(m) % m->added;

		if (!m->fired[j] && !m->cancelled[j]) {
			assert_int_equal(mp_loop_timer_cancel(loop, m->id[j]), 0);
			m->cancelled[j] = true;
		}
	}
	if (m->added < MANY && many_draw(m) % 2 == 0)
		many_add(m, m->added++, now);
}

static void test_many_timers_in_order(void **state)
{
	struct fixture *f = *state;
	struct many *m = calloc(1, sizeof(*m));
	unsigned int i, cancelled = 0;
	uint64_t next;

	assert_non_null(m);
	m->loop = f->loop;
	m->x = 2463534242u;
	for (m->added = 0; m->added < MANY / 2; m->added++)
		many_add(m, m->added, f->clock.now);
	for (i = 0; i < MANY / 2; i += 3) {
		assert_int_equal(mp_loop_timer_cancel(f->loop, m->id[i]), 0);
		assert_false(mp_loop_timer_pending(f->loop, m->id[i]));
		m->cancelled[i] = true;
	}
	while (mp_loop_next_deadline(f->loop, &next) == 0) {
		if (next > f->clock.now)
			f->clock.now = next;
		assert_true(mp_loop_run_once(f->loop, 0) >= 0);
	}
	for (i = 0; i < m->added; i++) {
		assert_true(m->fired[i] != m->cancelled[i]);
		cancelled += m->cancelled[i];
	}
	assert_int_equal(m->nfired + cancelled, m->added);
	assert_true(m->added > MANY / 2);
	free(m);
}

static void test_timer_huge_delay_saturates(void **state)
{
	struct fixture *f = *state;
	int64_t id = mp_loop_timer_add(f->loop, UINT64_MAX, on_timer, (void *)"x");

	trace[0] = '\0';
	assert_true(id > 0);
	f->clock.now = UINT64_MAX - 1;
	assert_int_equal(mp_loop_run_once(f->loop, 0), 0);
	assert_true(mp_loop_timer_pending(f->loop, id));
}

/* A timer that re-arms itself with a zero delay must not spin forever in one
 * round. */
static int rearms;

static void on_rearm(struct mp_loop *loop, int64_t id, void *data)
{
	rearms++;
	assert_true(mp_loop_timer_add(loop, 0, on_rearm, NULL) > id);
}

static void test_timer_added_in_callback_waits_a_round(void **state)
{
	struct fixture *f = *state;

	rearms = 0;
	mp_loop_timer_add(f->loop, 0, on_rearm, NULL);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_int_equal(rearms, 1);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_int_equal(rearms, 2);
}

/* ---- re-entrancy ---- */

struct reent {
	struct fixture *f;
	int64_t victim;
};

static void on_read_remove_other(struct mp_loop *loop, int fd, uint32_t ev, void *data)
{
	struct reent *r = data;

	drain(fd);
	note("r");
	/* Remove the other watch (ready in the same round) and ourselves. */
	assert_int_equal(mp_loop_watch_remove(loop, fd == r->f->p[0] ? r->f->q[0] : r->f->p[0]),
			 0);
	assert_int_equal(mp_loop_watch_remove(loop, fd), 0);
	/* Re-adding the fd we just removed is allowed at once. */
	assert_int_equal(mp_loop_watch_add(loop, fd, MP_LOOP_READ, on_read_a, NULL), 0);
	/* And cancel a timer that is due in this very round. */
	assert_int_equal(mp_loop_timer_cancel(loop, r->victim), 0);
}

static void test_callback_removes_watches_and_timers(void **state)
{
	struct fixture *f = *state;
	struct reent r = { .f = f };

	trace[0] = '\0';
	assert_int_equal(mp_loop_watch_add(f->loop, f->p[0], MP_LOOP_READ, on_read_remove_other, &r),
			 0);
	assert_int_equal(mp_loop_watch_add(f->loop, f->q[0], MP_LOOP_READ, on_read_remove_other, &r),
			 0);
	r.victim = mp_loop_timer_add(f->loop, 0, on_timer, (void *)"T");
	assert_int_equal(write(f->p[1], "x", 1), 1);
	assert_int_equal(write(f->q[1], "x", 1), 1);
	/* Exactly one of the two ran; the other was removed before its turn;
	 * the cancelled timer never fired. */
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "r");
	/* The re-added watch works in the next round (the other fd's data is
	 * still there but nobody watches it any more). */
	assert_int_equal(write(f->p[1], "x", 1), 1);
	assert_int_equal(write(f->q[1], "x", 1), 1);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "ra");
}

static void on_timer_cancel_next(struct mp_loop *loop, int64_t id, void *data)
{
	int64_t *next = data;

	note("1");
	assert_int_equal(mp_loop_timer_cancel(loop, id), -ENOENT);	/* already gone */
	assert_int_equal(mp_loop_timer_cancel(loop, *next), 0);
}

static void test_timer_cancels_the_next_due_one(void **state)
{
	struct fixture *f = *state;
	int64_t next;

	trace[0] = '\0';
	mp_loop_timer_add(f->loop, 1, on_timer_cancel_next, &next);
	next = mp_loop_timer_add(f->loop, 1, on_timer, (void *)"2");
	mp_loop_timer_add(f->loop, 1, on_timer, (void *)"3");
	f->clock.now += 1;
	assert_int_equal(mp_loop_run_once(f->loop, 0), 2);
	assert_string_equal(trace, "13");
}

static void on_quit(struct mp_loop *loop, int64_t id, void *data)
{
	note("q");
	mp_loop_quit(loop);
}

static void test_quit_from_callback(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	mp_loop_timer_add(f->loop, 0, on_quit, NULL);
	mp_loop_timer_add(f->loop, 0, on_timer, (void *)"x");	/* skipped by the quit */
	assert_int_equal(mp_loop_run(f->loop), 0);
	assert_string_equal(trace, "q");
	/* The quit was consumed; the skipped timer runs next round. */
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "qx");
	/* Nothing left to wait for: run() says so instead of hanging. */
	assert_int_equal(mp_loop_run(f->loop), -EDEADLK);
	/* A quit before run() makes it return at once. */
	mp_loop_timer_add(f->loop, 1000000, on_timer, (void *)"never");
	mp_loop_quit(f->loop);
	assert_int_equal(mp_loop_run(f->loop), 0);
}

static void on_nested(struct mp_loop *loop, int64_t id, void *data)
{
	assert_int_equal(mp_loop_run_once(loop, 0), -EBUSY);
	assert_int_equal(mp_loop_run(loop), -EBUSY);
	note("n");
}

static void test_no_nested_run(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	mp_loop_timer_add(f->loop, 0, on_nested, NULL);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_string_equal(trace, "n");
}

/* With the real clock, run() waits for the timer: poll's timeout comes from
 * the next deadline. 1 ms, so the suite does not really sleep. */
static void test_real_clock_run(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	mp_loop_set_clock(f->loop, NULL, NULL);
	mp_loop_timer_add(f->loop, 1, on_quit, NULL);
	assert_int_equal(mp_loop_run(f->loop), 0);
	assert_string_equal(trace, "q");
}

/* ---- signals ---- */

static int got_signo;

static void on_signal(struct mp_loop *loop, int signo, void *data)
{
	got_signo = signo;
	note("s");
}

static bool blocked(int signo)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, signo);
}

static void test_signals(void **state)
{
	struct fixture *f = *state;

	trace[0] = '\0';
	assert_false(blocked(SIGUSR1));
	assert_int_equal(mp_loop_signal_add(f->loop, SIGUSR1, on_signal, NULL), 0);
	assert_int_equal(mp_loop_signal_add(f->loop, SIGUSR1, on_signal, NULL), -EEXIST);
	assert_int_equal(mp_loop_signal_add(f->loop, SIGKILL, on_signal, NULL), -EINVAL);
	assert_int_equal(mp_loop_signal_add(f->loop, 0, on_signal, NULL), -EINVAL);
	assert_int_equal(mp_loop_signal_add(f->loop, SIGWINCH, on_signal, NULL), 0);
	assert_true(blocked(SIGUSR1));

	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_int_equal(got_signo, SIGUSR1);
	assert_int_equal(raise(SIGWINCH), 0);
	assert_int_equal(mp_loop_run_once(f->loop, 0), 1);
	assert_int_equal(got_signo, SIGWINCH);
	assert_string_equal(trace, "ss");

	/* A pending signal is discarded on removal rather than delivered with
	 * its default action (which, for SIGUSR1, would kill this test). */
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(mp_loop_signal_remove(f->loop, SIGUSR1), 0);
	assert_int_equal(mp_loop_signal_remove(f->loop, SIGUSR1), -ENOENT);
	assert_false(blocked(SIGUSR1));
	assert_true(blocked(SIGWINCH));
	/* Freeing the loop (teardown) unblocks the rest. */
}

static void test_free_restores_signal_mask(void **state)
{
	struct mp_loop *loop;
	sigset_t one;

	/* A signal the process already blocked stays blocked. */
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	sigprocmask(SIG_BLOCK, &one, NULL);
	assert_int_equal(mp_loop_new(&loop), 0);
	assert_int_equal(mp_loop_signal_add(loop, SIGUSR2, on_signal, NULL), 0);
	assert_int_equal(mp_loop_signal_add(loop, SIGHUP, on_signal, NULL), 0);
	mp_loop_free(loop);
	assert_true(blocked(SIGUSR2));
	assert_false(blocked(SIGHUP));
	assert_false(blocked(SIGWINCH));	/* from the previous test's loop */
	sigprocmask(SIG_UNBLOCK, &one, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clock_is_injectable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_timers_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_write_and_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_on_closed_fd_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers_fire_in_deadline_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_huge_delay_saturates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_added_in_callback_waits_a_round, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_callback_removes_watches_and_timers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_cancels_the_next_due_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_nested_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_clock_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals, setup, teardown),
		cmocka_unit_test(test_free_restores_signal_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
