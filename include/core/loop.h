/* The event loop: file descriptor watches, monotonic millisecond timers and
 * signals (through signalfd), on poll().
 *
 * There is one loop, created and owned by main() and handed to every object
 * that needs to wait for something; nothing below cli/ keeps a global loop.
 *
 * Re-entrancy: any callback may add, modify or remove any watch, timer or
 * signal handler (its own included) and may call mp_loop_quit(). A watch
 * removed during dispatch gets no further callback, even if it was ready in
 * the same poll round; a timer cancelled before it fires never fires. The
 * loop itself must not be freed, nor run (mp_loop_run, mp_loop_run_once)
 * from inside one of its callbacks.
 *
 * Time: every timer deadline and mp_loop_now_ms() come from one clock
 * callback, CLOCK_MONOTONIC in milliseconds by default; tests install a fake
 * clock with mp_loop_set_clock() and advance it by hand, so that no test ever
 * sleeps. poll() itself still waits in real time, so a test passes a zero
 * timeout to mp_loop_run_once().
 */
#ifndef MP_CORE_LOOP_H
#define MP_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct mp_loop;

/* Events of a watch. MP_LOOP_ERROR and MP_LOOP_HUP are always reported,
 * whether asked for or not. */
enum {
	MP_LOOP_READ = 1u << 0,
	MP_LOOP_WRITE = 1u << 1,
	MP_LOOP_ERROR = 1u << 2,	/* POLLERR, or POLLNVAL: fd closed under the watch */
	MP_LOOP_HUP = 1u << 3,
};

/** Called when @fd is ready; @events is a mask of MP_LOOP_*. */
typedef void (*mp_loop_fd_cb)(struct mp_loop *loop, int fd, uint32_t events, void *data);
/** Called once when timer @id expires; the timer no longer exists by then. */
typedef void (*mp_loop_timer_cb)(struct mp_loop *loop, int64_t id, void *data);
/** Called for each delivery of signal @signo. */
typedef void (*mp_loop_signal_cb)(struct mp_loop *loop, int signo, void *data);
/** A clock: milliseconds from an arbitrary origin, never going backwards. */
typedef uint64_t (*mp_loop_clock_fn)(void *data);

/** Create a loop into *@out. Returns 0 or -ENOMEM. */
int mp_loop_new(struct mp_loop **out);

/**
 * Free the loop: every watch, timer and signal handler is dropped without a
 * callback, and the signals the loop blocked are unblocked again (a pending
 * one is discarded first). Watched fds are not closed. NULL is accepted.
 */
void mp_loop_free(struct mp_loop *loop);

/**
 * Replace the clock (NULL restores CLOCK_MONOTONIC). Install it before adding
 * timers: existing deadlines are not converted.
 */
void mp_loop_set_clock(struct mp_loop *loop, mp_loop_clock_fn fn, void *data);

/** The loop's current time in milliseconds, from its clock. */
uint64_t mp_loop_now_ms(const struct mp_loop *loop);

/**
 * Watch @fd for @events (MP_LOOP_READ and/or MP_LOOP_WRITE; 0 keeps only
 * errors and hang-ups). Returns 0, -EBADF for a negative fd, -EEXIST when
 * @fd is already watched, -ENOMEM.
 */
int mp_loop_watch_add(struct mp_loop *loop, int fd, uint32_t events, mp_loop_fd_cb cb,
		      void *data);
/** Change the events watched on @fd. Returns 0 or -ENOENT. */
int mp_loop_watch_modify(struct mp_loop *loop, int fd, uint32_t events);
/** Stop watching @fd (the fd is not closed). Returns 0 or -ENOENT. */
int mp_loop_watch_remove(struct mp_loop *loop, int fd);

/**
 * Arm a one-shot timer that fires @delay_ms after now (by the loop's clock).
 * Returns the timer's id, > 0, or -ENOMEM. Ids are never reused within the
 * life of the loop, so a stale id cannot cancel somebody else's timer. Timers
 * due at the same time fire in the order they were added; a timer added by a
 * callback never fires in the same dispatch round, even with a zero delay.
 */
int64_t mp_loop_timer_add(struct mp_loop *loop, uint64_t delay_ms, mp_loop_timer_cb cb,
			  void *data);
/** Cancel timer @id. Returns 0, or -ENOENT when it already fired or never existed. */
int mp_loop_timer_cancel(struct mp_loop *loop, int64_t id);
/** True when timer @id is armed (not yet fired nor cancelled). */
bool mp_loop_timer_pending(const struct mp_loop *loop, int64_t id);
/**
 * Keep one timer in *@slot (0: none): cancel the one there, then, when
 * @delay_ms > 0, arm a new one and store its id. This is the shape of the
 * "arm (ms) or cancel (0)" requests the pure state machines make. Returns 0
 * or -ENOMEM (then *@slot is 0). The callback should clear *@slot.
 */
int mp_loop_timer_set(struct mp_loop *loop, int64_t *slot, uint64_t delay_ms,
		      mp_loop_timer_cb cb, void *data);
/**
 * The deadline of the earliest armed timer, by the loop's clock, into
 * *@deadline_ms. Returns 0, or -ENOENT when no timer is armed. A test driving
 * a fake clock advances it straight to this deadline instead of in steps.
 */
int mp_loop_next_deadline(const struct mp_loop *loop, uint64_t *deadline_ms);

/**
 * Deliver signal @signo to @cb through the loop instead of asynchronously:
 * the signal is blocked in the process (sigprocmask) and read from a
 * signalfd. One handler per signal. Returns 0, -EINVAL for a signal that
 * cannot be handled (SIGKILL, SIGSTOP, out of range), -EEXIST, or the errno
 * of signalfd().
 */
int mp_loop_signal_add(struct mp_loop *loop, int signo, mp_loop_signal_cb cb, void *data);
/**
 * Remove the handler of @signo. If the loop blocked the signal, a pending
 * instance is discarded and the signal unblocked. Returns 0 or -ENOENT.
 */
int mp_loop_signal_remove(struct mp_loop *loop, int signo);

/**
 * Wait at most @timeout_ms (negative: until something happens; 0: just look)
 * and dispatch what is ready: fd callbacks first, then the timers that are
 * due. Returns the number of callbacks run, or -EBUSY when called from a
 * callback, or a negative errno from poll(). An interrupted poll is not an
 * error (it returns 0).
 */
int mp_loop_run_once(struct mp_loop *loop, int timeout_ms);

/**
 * Run until mp_loop_quit(). Returns 0 once quit, -EDEADLK when there is
 * nothing left to wait for (no watch, no timer, no signal), -EBUSY when
 * called from a callback, or a negative errno from poll().
 */
int mp_loop_run(struct mp_loop *loop);

/**
 * Make mp_loop_run() return after the current callback; the rest of the
 * current dispatch round is skipped. The request is consumed when
 * mp_loop_run() returns (a quit before mp_loop_run() makes it return at once).
 */
void mp_loop_quit(struct mp_loop *loop);

#endif
