/* The IV index of a node: the IV Update procedure and IV Index Recovery as
 * a pure state machine. MshPRT v1.1 3.11.5 (IV Update procedure) and 3.11.6
 * (IV Index Recovery procedure); Mesh Profile 1.0.1 numbers them 3.10.5
 * and 3.10.6.
 *
 * Two states (3.11.5):
 *   Normal Operation (IV Update flag 0): the node sends with the IV index
 *     and receives PDUs of the IV index and of the one before (the IVI bit
 *     tells which, mp_net_rx_iv_index()).
 *   IV Update in Progress (flag 1): the IV index has been incremented; the
 *     node still sends with the IV index - 1 and receives both.
 * The SEQ space belongs to the transmit IV index (SeqAuth, 3.11.5 and
 * 3.4.4): it starts again at 0 only when the transmit IV index changes,
 * i.e. on the return to Normal and on a recovery, never on entering
 * IV Update in Progress.
 *
 * What the machine learns comes only from authenticated beacons (a Secure
 * Network beacon or a Mesh Private beacon, authenticated by the caller:
 * net/beacon_rx.h does it), given as struct mp_iv_beacon; its own
 * transitions come from the passing of time (mp_iv_tick()) and from the
 * SEQ allocator saying the SEQ space is running out (mp_iv_seq_high()).
 * Every rule is written down in iv.c where it is applied, with its section.
 *
 * Time: seconds on a clock that survives restarts (the keyring's clock,
 * seconds since the epoch), given in by the caller on every call; the
 * machine asks for a wake-up through cb.timer and is fed mp_iv_tick(). A
 * clock that went back counts as no time elapsed.
 *
 * Re-entrancy (HACKING.md, strategy 1): the callbacks are the last thing a
 * call does, after the new state is committed, except cb.persist, which is
 * asked BEFORE the state changes (a state that could not be saved is not
 * entered) and must not call back into the machine.
 */
#ifndef MP_NET_IV_H
#define MP_NET_IV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_IV_HOUR 3600
/* A node stays at least 96 hours in a state before it changes state on its
 * own (3.11.5). */
#define MP_IV_MIN_STATE (96 * MP_IV_HOUR)
/* IV Update in Progress lasts at most 144 hours (3.11.5). */
#define MP_IV_MAX_UPDATE (144 * MP_IV_HOUR)
/* IV Index Recovery: at most +42 (3.11.6), at most once in 192 hours. */
#define MP_IV_RECOVERY_MAX_STEP 42
#define MP_IV_RECOVERY_PERIOD (192 * MP_IV_HOUR)
/* "Never" for last_recovery. */
#define MP_IV_NEVER INT64_MIN

/* The state as persisted. The keyring keeps iv_index, iv_update and
 * changed (mp_keyring_iv_changed(); 0 when unknown: pass the time now to
 * wait the 96 hours again rather than none). It does not keep
 * last_recovery: pass `changed` for it (no recovery within 192 hours of
 * the last change, the safe reading of 3.11.6's "at most once in 192
 * hours" when the last one is not known), or MP_IV_NEVER when no recovery
 * can have happened (a new network). */
struct mp_iv_state {
	uint32_t iv_index;
	bool iv_update;		/* IV Update in Progress */
	int64_t changed;	/* when the state (index or flag) last changed, s */
	int64_t last_recovery;	/* when the last IV Index Recovery happened, s */
};

/* An authenticated beacon's view of the IV index. */
struct mp_iv_beacon {
	uint32_t iv_index;
	bool iv_update;		/* its IV Update flag */
	bool key_refresh;	/* its Key Refresh flag (not the IV machine's concern) */
	uint16_t net_index;	/* the NetKey Index of the subnet it authenticated under */
	bool primary;		/* that subnet is the primary subnet (NetKey Index 0) */
};

/* What a beacon did. The MP_IV_DROP_* are counted and change nothing. */
enum mp_iv_verdict {
	MP_IV_SAME = 0,			/* nothing to change */
	MP_IV_UPDATE_STARTED,		/* Normal -> IV Update in Progress, index + 1 */
	MP_IV_UPDATE_DONE,		/* IV Update in Progress -> Normal, SEQ reset */
	MP_IV_RECOVERED,		/* IV Index Recovery: index and flag taken, SEQ reset */
	MP_IV_DEFERRED,			/* -> Normal wanted but held (mp_iv_hold) */
	MP_IV_DROP_OLD,			/* an IV index below ours */
	MP_IV_DROP_TOO_FAR,		/* more than 42 above ours */
	MP_IV_DROP_RECOVERY_TOO_SOON,	/* a recovery within 192 hours of the last */
	MP_IV_DROP_SECONDARY,		/* a higher IV index from a secondary subnet */
	MP_IV_DROP_PERSIST,		/* the new state could not be saved */
};

/* Counters (visible with -v); the beacon glue (net/beacon_rx.h) counts its
 * own drops here too. */
struct mp_iv_counters {
	uint32_t beacons;		/* authenticated beacons given to mp_iv_beacon() */
	uint32_t drop_old;
	uint32_t drop_too_far;
	uint32_t drop_recovery_too_soon;
	uint32_t drop_secondary;
	uint32_t drop_persist;
	uint32_t deferred;		/* a transition held back (96 hours, or mp_iv_hold) */
	uint32_t updates_started;	/* entered IV Update in Progress (own or beacon) */
	uint32_t updates_initiated;	/* of which on our own initiative */
	uint32_t updates_done;
	uint32_t recoveries;
	/* net/beacon_rx.c */
	uint32_t bcn_bad_auth;		/* a Network ID or NID matched, authentication failed */
	uint32_t bcn_unknown_net;	/* no subnet's Network ID */
	uint32_t bcn_malformed;		/* short, long */
	uint32_t bcn_other_type;	/* an unprovisioned device beacon or an unknown type */
};

struct mp_iv_cb {
	/* Save @st before it is entered (the keyring: mp_keyring_set_iv()).
	 * 0 or a negative errno: then the state is not entered. Required. */
	int (*persist)(void *user, const struct mp_iv_state *st);
	/* The transmit IV index changed to @tx_iv_index: SEQ starts at 0 again
	 * (the SEQ allocator drops what it holds). Optional. */
	void (*seq_reset)(void *user, uint32_t tx_iv_index);
	/* Call mp_iv_tick() in @ms milliseconds (0: no wake-up needed; a new
	 * request replaces the previous). Optional. */
	void (*timer)(void *user, uint32_t ms);
};

struct mp_iv {
	struct mp_iv_state st;
	bool primary_member;	/* this node holds the primary subnet's NetKey */
	bool update_wanted;	/* SEQ ran high: start an IV Update when allowed */
	bool held;		/* mp_iv_hold(): the return to Normal waits */
	bool normal_pending;	/* a beacon asked for Normal while held */
	struct mp_iv_counters cnt;
	struct mp_iv_cb cb;
	void *user;
};

/**
 * Start the machine in @st (as loaded: the keyring's IV index, flag and
 * time of change; last_recovery MP_IV_NEVER when not kept).
 * @primary_member: this node is a member of the primary subnet (holds
 * NetKey Index 0): only such a node may initiate an IV Update, and it
 * ignores higher IV indexes from secondary subnets (3.11.5).
 * Call mp_iv_tick() once with the time now to make what is due and to ask
 * for the first timer. -EINVAL for a NULL argument or a NULL cb->persist.
 */
int mp_iv_init(struct mp_iv *iv, const struct mp_iv_state *st, bool primary_member,
	       const struct mp_iv_cb *cb, void *user);

/** The state now. */
const struct mp_iv_state *mp_iv_get(const struct mp_iv *iv);

/** The IV index to send with: the IV index, minus 1 during an IV Update
 *  (3.11.5). */
uint32_t mp_iv_tx_index(const struct mp_iv *iv);

/**
 * The IV index a received PDU with IVI bit @ivi was sent under (the IV
 * index or the one before, 3.4.4.1 and 3.11.5): 0, or -ERANGE when that
 * would be below 0.
 */
int mp_iv_rx_index(const struct mp_iv *iv, bool ivi, uint32_t *out);

/** Whether a PDU under @iv_index is in the receive window: the IV index or
 *  the one before it, in both states (3.11.5). */
bool mp_iv_rx_accepts(const struct mp_iv *iv, uint32_t iv_index);

/**
 * An authenticated beacon @b heard at @now: apply the IV Update and IV Index
 * Recovery rules. Returns what it did; a MP_IV_DROP_* changes nothing and
 * is counted.
 */
enum mp_iv_verdict mp_iv_beacon(struct mp_iv *iv, const struct mp_iv_beacon *b, int64_t now);

/**
 * The SEQ allocator says this node's SEQ has crossed its threshold (the
 * SEQ space is running out, 3.11.5: a node initiates an IV Update when it
 * believes it is at risk of exhausting its sequence numbers). In Normal
 * after 96 hours in it, the update starts now; before that, when the 96
 * hours are over (the timer). Returns 0 (started or scheduled), -EALREADY
 * when an IV Update is in progress already (its end resets SEQ), -EPERM
 * when this node is not a member of the primary subnet, or the error of
 * cb.persist.
 */
int mp_iv_seq_high(struct mp_iv *iv, int64_t now);

/**
 * Time passed (the timer asked for, or any time): make the transitions due
 * on our own: start a wanted IV Update after 96 hours in Normal; return to
 * Normal after 96 hours in IV Update in Progress unless held. 0 or the
 * error of cb.persist.
 */
int mp_iv_tick(struct mp_iv *iv, int64_t now);

/**
 * Hold the return to Normal while a segmented message this node sent waits
 * for its acknowledgment (3.11.5: the change is deferred until the
 * acknowledgment or the message's timeout); releasing it (@held false)
 * makes any transition that waited. 0 or the error of cb.persist.
 */
int mp_iv_hold(struct mp_iv *iv, bool held, int64_t now);

/** A verdict's name ("same", "update-started", "drop-too-far", ...). */
const char *mp_iv_verdict_str(enum mp_iv_verdict v);

#endif
