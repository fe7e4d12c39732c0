/* The IV Update procedure and IV Index Recovery (MshPRT v1.1 3.11.5 and
 * 3.11.6; Mesh Profile 1.0.1 3.10.5 and 3.10.6). See include/net/iv.h.
 *
 * The rules, and where each is applied:
 *  R1  (3.11.5) Normal: send with the IV index; IV Update in Progress: send
 *      with the IV index - 1. Both: receive the IV index and the one
 *      before.                                    mp_iv_tx_index, _rx_*
 *  R2  (3.11.5, 3.11.6) A beacon whose IV index is below ours is ignored.
 *  R3  (3.11.6) A beacon more than 42 above ours is ignored (a node away
 *      that long, 48 weeks at the fastest pace, must be provisioned again).
 *  R4  (3.11.5) A member of the primary subnet ignores a beacon of a
 *      secondary subnet whose IV index is above the primary's.
 *  R5  (3.11.5) Normal, a beacon of IV index + 1 with the IV Update flag:
 *      enter IV Update in Progress with that index.
 *  R6  (3.11.5) IV Update in Progress, a beacon of the same IV index with
 *      the flag clear: back to Normal, SEQ starts at 0.
 *  R7  (3.11.5) A node stays 96 hours in a state before it changes state on
 *      its own: before it initiates an IV Update (Normal -> In Progress)
 *      and before it ends one (In Progress -> Normal); at most 144 hours in
 *      progress. The limit binds the node's own initiative: following the
 *      network on an authenticated beacon (R5, R6, and R9) is exempt, or a
 *      node that just ended (or joined) an update could never follow the
 *      next one its network started.
 *  R8  (3.11.5) The return to Normal waits while a segmented message this
 *      node sent is unacknowledged (mp_iv_hold).
 *  R9  (3.11.5, 3.11.6) Normal, a beacon of IV index + 1 with the flag
 *      clear (the node missed the update's start): the procedure lets the
 *      node take it at once, run IV Index Recovery, or ignore it; meshprov
 *      runs IV Index Recovery, so the once-in-192-hours limit (R10) guards
 *      it like any other jump. IV Update in Progress, a beacon of index + 1
 *      (either flag), or any state and a beacon 2..42 above: IV Index
 *      Recovery: the index and the flag are the beacon's, SEQ starts at 0.
 *  R10 (3.11.6) At most one IV Index Recovery in 192 hours.
 *  R11 (3.11.5) A node initiates an IV Update when its SEQ space runs out
 *      (mp_iv_seq_high, fed by the SEQ allocator's threshold); only a member
 *      of the primary subnet initiates.
 */
#include "net/iv.h"

#include <errno.h>
#include <string.h>

/* Seconds in the present state; a clock that went back counts as none. */
static int64_t elapsed(int64_t since, int64_t now)
{
	return now > since ? now - since : 0;
}

static uint32_t tx_index(const struct mp_iv_state *st)
{
	return st->iv_update && st->iv_index ? st->iv_index - 1 : st->iv_index;
}

/* The next own transition and when it is due (0: none); asks for a timer. */
static void arm(struct mp_iv *iv, int64_t now)
{
	int64_t due = 0, left;
	bool want;

	if (!iv->cb.timer)
		return;
	/* R7: a wanted update waits for 96 hours of Normal; an update in
	 * progress ends after 96 hours of it (unless held: the release
	 * re-evaluates). */
	want = iv->st.iv_update ? !iv->held : iv->update_wanted;
	if (want)
		due = iv->st.changed + MP_IV_MIN_STATE;
	if (!want) {
		iv->cb.timer(iv->user, 0);
		return;
	}
	left = due - now;
	if (left < 1)
		left = 1;	/* due now: as soon as possible, never 0 (cancel) */
	if (left > (int64_t)(UINT32_MAX / 1000))
		left = UINT32_MAX / 1000;
	iv->cb.timer(iv->user, (uint32_t)(left * 1000));
}

/* Persist @next, then enter it; report a new transmit IV index. */
static int enter(struct mp_iv *iv, const struct mp_iv_state *next)
{
	uint32_t old_tx = tx_index(&iv->st);
	int r = iv->cb.persist(iv->user, next);

	if (r) {
		iv->cnt.drop_persist++;
		return r < 0 ? r : -EIO;
	}
	iv->st = *next;
	if (tx_index(next) != old_tx && iv->cb.seq_reset)
		iv->cb.seq_reset(iv->user, tx_index(next));
	return 0;
}

/* The IV Update procedure's two transitions: into IV Update in Progress
 * at @index, or back to Normal (@update false, the index kept). */
static int step(struct mp_iv *iv, uint32_t index, bool update, int64_t now)
{
	struct mp_iv_state next = iv->st;
	int r;

	next.iv_index = index;
	next.iv_update = update;
	next.changed = now;
	r = enter(iv, &next);
	if (r)
		return r;
	if (update) {
		/* Whoever started it, this update answers a SEQ running high
		 * too: the return to Normal resets SEQ. */
		iv->update_wanted = false;
		iv->cnt.updates_started++;
	} else {
		iv->normal_pending = false;
		iv->cnt.updates_done++;
	}
	return 0;
}

static int to_normal(struct mp_iv *iv, int64_t now)
{
	return step(iv, iv->st.iv_index, false, now);
}

static int to_update(struct mp_iv *iv, uint32_t index, int64_t now)
{
	return step(iv, index, true, now);
}

int mp_iv_init(struct mp_iv *iv, const struct mp_iv_state *st, bool primary_member,
	       const struct mp_iv_cb *cb, void *user)
{
	if (!iv || !st || !cb || !cb->persist)
		return -EINVAL;
	memset(iv, 0, sizeof(*iv));
	iv->st = *st;
	iv->primary_member = primary_member;
	iv->cb = *cb;
	iv->user = user;
	return 0;
}

const struct mp_iv_state *mp_iv_get(const struct mp_iv *iv)
{
	return &iv->st;
}

uint32_t mp_iv_tx_index(const struct mp_iv *iv)
{
	/* R1 */
	return tx_index(&iv->st);
}

int mp_iv_rx_index(const struct mp_iv *iv, bool ivi, uint32_t *out)
{
	/* R1: the IVI bit picks the IV index or the one before, in both
	 * states (3.4.4.1). */
	if ((iv->st.iv_index & 1) == (uint32_t)ivi) {
		*out = iv->st.iv_index;
		return 0;
	}
	if (!iv->st.iv_index)
		return -ERANGE;
	*out = iv->st.iv_index - 1;
	return 0;
}

bool mp_iv_rx_accepts(const struct mp_iv *iv, uint32_t iv_index)
{
	return iv_index == iv->st.iv_index || (iv->st.iv_index && iv_index == iv->st.iv_index - 1);
}

static enum mp_iv_verdict recover(struct mp_iv *iv, const struct mp_iv_beacon *b, int64_t now)
{
	struct mp_iv_state next = iv->st;

	/* R10: one recovery in 192 hours; exactly 192 hours later is allowed. */
	if (iv->st.last_recovery != MP_IV_NEVER &&
	    elapsed(iv->st.last_recovery, now) < MP_IV_RECOVERY_PERIOD) {
		iv->cnt.drop_recovery_too_soon++;
		return MP_IV_DROP_RECOVERY_TOO_SOON;
	}
	next.iv_index = b->iv_index;
	next.iv_update = b->iv_update;
	next.changed = now;
	next.last_recovery = now;
	if (enter(iv, &next))
		return MP_IV_DROP_PERSIST;
	iv->normal_pending = false;
	if (b->iv_update)
		iv->update_wanted = false;	/* the network is updating already */
	iv->cnt.recoveries++;
	return MP_IV_RECOVERED;
}

enum mp_iv_verdict mp_iv_beacon(struct mp_iv *iv, const struct mp_iv_beacon *b, int64_t now)
{
	uint32_t cur = iv->st.iv_index;
	enum mp_iv_verdict v;

	iv->cnt.beacons++;
	/* R4: a member of the primary subnet follows the primary subnet. A
	 * higher IV index from a secondary subnet is dropped; one not higher
	 * changes nothing either (the primary subnet's beacons carry the
	 * procedure). A node outside the primary subnet follows any. */
	if (!b->primary && iv->primary_member) {
		if (b->iv_index > cur) {
			iv->cnt.drop_secondary++;
			return MP_IV_DROP_SECONDARY;
		}
		return MP_IV_SAME;
	}
	/* R2 */
	if (b->iv_index < cur) {
		iv->cnt.drop_old++;
		return MP_IV_DROP_OLD;
	}
	/* R3 */
	if (b->iv_index - cur > MP_IV_RECOVERY_MAX_STEP) {
		iv->cnt.drop_too_far++;
		return MP_IV_DROP_TOO_FAR;
	}
	if (b->iv_index == cur) {
		/* Normal and the network in progress at our index: we ended
		 * the update first (R7 lets 96..144 hours end it); nothing to
		 * do. In progress and the flag set: the same state. */
		if (!iv->st.iv_update || b->iv_update)
			return MP_IV_SAME;
		/* R6, exempt from R7's 96 hours; R8 holds it. */
		if (iv->held) {
			if (!iv->normal_pending)
				iv->cnt.deferred++;
			iv->normal_pending = true;
			return MP_IV_DEFERRED;
		}
		if (to_normal(iv, now))
			return MP_IV_DROP_PERSIST;
		v = MP_IV_UPDATE_DONE;
	} else if (b->iv_index == cur + 1 && !iv->st.iv_update && b->iv_update) {
		/* R5, exempt from R7's 96 hours. */
		if (to_update(iv, b->iv_index, now))
			return MP_IV_DROP_PERSIST;
		v = MP_IV_UPDATE_STARTED;
	} else {
		/* R9: index + 1 with the flag clear in Normal, index + 1 while in
		 * progress, or 2..42 above. */
		v = recover(iv, b, now);
		if (v != MP_IV_RECOVERED)
			return v;
	}
	arm(iv, now);
	return v;
}

/* R7 and R11: the transitions of our own initiative that are due. */
static int own_transitions(struct mp_iv *iv, int64_t now)
{
	bool aged = elapsed(iv->st.changed, now) >= MP_IV_MIN_STATE;
	int r = 0;

	if (iv->st.iv_update) {
		/* R8: a beacon's Normal that waited for the hold, or our own
		 * end after 96 hours (well before the 144-hour limit). */
		if (!iv->held && (iv->normal_pending || aged))
			r = to_normal(iv, now);
	} else if (iv->update_wanted) {
		if (aged) {
			r = to_update(iv, iv->st.iv_index + 1, now);
			if (!r)
				iv->cnt.updates_initiated++;
		}
	}
	arm(iv, now);
	return r;
}

int mp_iv_seq_high(struct mp_iv *iv, int64_t now)
{
	/* R11 */
	if (!iv->primary_member)
		return -EPERM;
	if (iv->st.iv_update)
		return -EALREADY;
	if (iv->st.iv_index == UINT32_MAX)
		return -EOVERFLOW;
	if (!iv->update_wanted && elapsed(iv->st.changed, now) < MP_IV_MIN_STATE)
		iv->cnt.deferred++;	/* R7: waits for 96 hours of Normal */
	iv->update_wanted = true;
	return own_transitions(iv, now);
}

int mp_iv_tick(struct mp_iv *iv, int64_t now)
{
	return own_transitions(iv, now);
}

int mp_iv_hold(struct mp_iv *iv, bool held, int64_t now)
{
	iv->held = held;
	if (held) {
		arm(iv, now);
		return 0;
	}
	return own_transitions(iv, now);
}

const char *mp_iv_verdict_str(enum mp_iv_verdict v)
{
	switch (v) {
	case MP_IV_SAME: return "same";
	case MP_IV_UPDATE_STARTED: return "update-started";
	case MP_IV_UPDATE_DONE: return "update-done";
	case MP_IV_RECOVERED: return "recovered";
	case MP_IV_DEFERRED: return "deferred";
	case MP_IV_DROP_OLD: return "drop-old";
	case MP_IV_DROP_TOO_FAR: return "drop-too-far";
	case MP_IV_DROP_RECOVERY_TOO_SOON: return "drop-recovery-too-soon";
	case MP_IV_DROP_SECONDARY: return "drop-secondary";
	case MP_IV_DROP_PERSIST: return "drop-persist";
	}
	return "unknown";
}
