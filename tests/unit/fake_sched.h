/* A fake clock and the timers of pure objects, for tests that wire pure
 * objects back to back without an event loop (test_pbadv, test_pbgatt).
 *
 * A pure object asks timer(user, id, ms); the test's side keeps one
 * deadline per id (0: not armed) and arms it with fake_sched_arm(). The
 * scheduler knows each side's deadlines (fake_sched_add) and runs the
 * world: deliver what is in flight, then jump the clock to the earliest
 * deadline and fire it, until the test is satisfied or a time limit.
 * Deadlines due at the same time fire in the order the sides were added,
 * then by id. The clock is the test's own variable, read and set freely.
 */
#ifndef MP_TEST_FAKE_SCHED_H
#define MP_TEST_FAKE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_SCHED_SETS 4

struct fake_sched_set {
	uint64_t *deadline;			/* count deadlines, 0: not armed */
	unsigned int count;
	void *owner;
	bool (*live)(void *owner);		/* NULL: always; else skipped when false */
	void (*fire)(void *owner, unsigned int id);
};

struct fake_sched {
	uint64_t *now;				/* the test's clock, in ms */
	unsigned int nsets;
	struct fake_sched_set set[FAKE_SCHED_SETS];
};

/** A scheduler on the clock *@now, with no timers. */
void fake_sched_init(struct fake_sched *s, uint64_t *now);

/**
 * Add an owner's @count deadlines: when one is the earliest of the live
 * sets, the clock jumps to it, it is cleared, and @fire(@owner, id) runs.
 * @live (may be NULL) says whether the owner's object exists.
 */
void fake_sched_add(struct fake_sched *s, uint64_t *deadline, unsigned int count, void *owner,
		    bool (*live)(void *owner), void (*fire)(void *owner, unsigned int id));

/** Arm *@deadline @ms from now; @ms 0 disarms it (the timer() request). */
void fake_sched_arm(const struct fake_sched *s, uint64_t *deadline, uint32_t ms);

/**
 * Run: @pump(@ctx) delivers what is in flight, then, unless @done (may be
 * NULL) says the test is satisfied, the earliest deadline up to @limit
 * fires; again until none is left by @limit. The clock then stands at
 * @limit (never moved back). Returns true when @done said so (with no
 * @done: true), false when time ran out first.
 */
bool fake_sched_run(struct fake_sched *s, uint64_t limit, void (*pump)(void *ctx),
		    bool (*done)(void *ctx), void *ctx);

#endif
