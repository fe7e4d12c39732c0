/* Timer slots: the owner's half of the "timer(user, id, ms)" requests the
 * pure objects make (prov/, bearer/, gatt/'s client, sim/'s devices).
 *
 * A pure object never touches a clock: it asks its owner to arm timer @id
 * for @ms (0 cancels) and expects the owner to feed the expiry back. Each
 * owner used to keep an array of loop timer ids and a trampoline that
 * searched it; this is that array and trampoline, written once. The
 * struct is embedded in the owner (no allocation); slots are numbered
 * 0..n-1, and an owner with several pure objects gives each a range.
 *
 * Re-entrancy: the loop's (strategy 3, HACKING.md): the callback runs from
 * the loop with the slot already cleared, so it may re-arm its own slot or
 * any other, or call mp_timer_slots_cancel_all() and free the owner.
 */
#ifndef MP_CORE_TIMER_SLOTS_H
#define MP_CORE_TIMER_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"

/* The most slots one set holds (an owner's pure objects' timers, together). */
#define MP_TIMER_SLOTS_MAX 8

/** Called once when slot @id expires; the slot is free again by then. */
typedef void (*mp_timer_slots_cb)(void *owner, unsigned int id);

struct mp_timer_slots;

/* One slot: the loop timer armed for it (0: none). Private to the helper. */
struct mp_timer_slot {
	struct mp_timer_slots *set;
	int64_t timer;
};

struct mp_timer_slots {
	struct mp_loop *loop;
	mp_timer_slots_cb cb;
	void *owner;
	unsigned int n;
	struct mp_timer_slot slot[MP_TIMER_SLOTS_MAX];
};

/**
 * Bind @ts to @loop with @n slots (at most MP_TIMER_SLOTS_MAX; more are
 * cut to that), all free, whose expiries call @cb(@owner, id). @ts must
 * not move while a slot is armed.
 */
void mp_timer_slots_init(struct mp_timer_slots *ts, struct mp_loop *loop, unsigned int n,
			 mp_timer_slots_cb cb, void *owner);

/**
 * Arm slot @id to expire @ms from now by the loop's clock, replacing any
 * earlier arming of it; @ms 0 cancels it. Returns 0, -EINVAL when @id is
 * not a slot of @ts (nothing changes), or -ENOMEM (the slot is then free).
 */
int mp_timer_slots_set(struct mp_timer_slots *ts, unsigned int id, uint32_t ms);

/** True when slot @id is armed (false for an @id out of range). */
bool mp_timer_slots_pending(const struct mp_timer_slots *ts, unsigned int id);

/**
 * Cancel every armed slot: the owner calls it before it frees itself.
 * Safe on a zeroed struct and more than once.
 */
void mp_timer_slots_cancel_all(struct mp_timer_slots *ts);

#endif
