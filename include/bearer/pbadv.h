/* PB-ADV links: Generic Provisioning over advertising. MshPRT v1.1 5.2.1, 5.3
 *
 * One struct mp_pbadv is one end of one link, in either role:
 *  - provisioner: mp_pbadv_open() sends Link Open for the configured Device
 *    UUID with a Link ID the owner chose at random, repeats it until Link Ack
 *    or the 60 s link establishment timer expires;
 *  - device: mp_pbadv_listen() waits for a Link Open carrying its own UUID,
 *    answers Link Ack (again for each repeated Link Open of that link) and
 *    then ignores every other Link ID.
 * Once open, both ends exchange whole Provisioning PDUs (struct mp_bearer,
 * bearer/bearer.h): each is one transaction, numbered 0x00..0x7F by the
 * provisioner and 0x80..0xFF by the device, wrapping within that range;
 * segmented, retransmitted until acknowledged or the 30 s transaction timer
 * expires; received transactions are reassembled, FCS checked, acknowledged,
 * and delivered once.
 *
 * The object is pure: no clock, no file descriptor, no global, no randomness
 * of its own. PDUs and timer expiries come in through mp_pbadv_rx() and
 * mp_pbadv_timeout(); PDUs and timer requests go out through struct
 * mp_pbadv_ops. A PB-ADV PDU here is Link ID (be32) || Transaction Number ||
 * Generic Provisioning PDU, 6..29 octets: the AD data of an AD structure of
 * type 0x29 (<<PB-ADV>>), without its Length and AD Type octets.
 *
 * Rules for the owner: tx() and timer() must not call back into the link
 * (queue the PDU, arm the timer, return); everything else may be called from
 * inside the upward callbacks; mp_pbadv_free() only from closed() or from
 * outside any callback.
 */
#ifndef MP_BEARER_PBADV_H
#define MP_BEARER_PBADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adv/adv.h"
#include "bearer/bearer.h"
#include "bearer/gprov.h"

/* Link ID + Transaction Number + the largest Generic Provisioning PDU. */
#define MP_PBADV_PDU_MAX (4 + 1 + MP_GPROV_MTU)

/*
 * Timing (milliseconds). MshPRT v1.1 5.3.2 fixes the link establishment
 * timer (60 s) and the transaction timer (30 s), not the retransmission
 * interval. 500 ms lets the owner's advertiser send each PDU of a 3-segment
 * transaction a few times (about 3 advertising events of 20-30 ms each)
 * before the next round queues them again, keeps a 30 s transaction to ~60
 * rounds, and is the default of widely deployed stacks (Zephyr's
 * BT_MESH_PB_ADV_RETRANS_TIMEOUT). Up to 100 ms of jitter from the random
 * callback keeps many links opened together from retransmitting in
 * lockstep. Link Close is never acknowledged, so it goes out 3 times
 * (MshPRT v1.1 5.3.1.4.3 / 5.3.2: at least three times) 100 ms apart, then
 * closed() is reported.
 */
#define MP_PBADV_LINK_TIMEOUT_MS 60000
#define MP_PBADV_TRANSACTION_TIMEOUT_MS 30000
#define MP_PBADV_RETRANSMIT_MS 500
#define MP_PBADV_JITTER_MS 100
#define MP_PBADV_CLOSE_REPEATS 3
#define MP_PBADV_CLOSE_INTERVAL_MS 100

enum mp_pbadv_role {
	MP_PBADV_PROVISIONER,
	MP_PBADV_DEVICE,
};

enum mp_pbadv_state {
	MP_PBADV_IDLE,		/* created, or stopped listening */
	MP_PBADV_LISTENING,	/* device: waiting for Link Open for our UUID */
	MP_PBADV_OPENING,	/* provisioner: Link Open sent, no Link Ack yet */
	MP_PBADV_OPEN,
	MP_PBADV_CLOSING,	/* repeating Link Close; closed() follows */
	MP_PBADV_CLOSED,	/* closed() was reported; open/listen may reuse it */
};

/* The two timers of a link, the @id of timer() and mp_pbadv_timeout(). */
enum mp_pbadv_timer {
	MP_PBADV_TIMER_RETRANSMIT = 0,	/* Link Open / segments / Link Close repeats */
	MP_PBADV_TIMER_GUARD = 1,	/* 60 s link establishment, 30 s transaction */
	MP_PBADV_TIMERS
};

/* Downward: what the link asks of its owner. @user is mp_pbadv_config.user. */
struct mp_pbadv_ops {
	/** Advertise one PB-ADV PDU (6..MP_PBADV_PDU_MAX octets) in an AD
	 * structure of type 0x29; @pdu is valid during the call only. */
	void (*tx)(void *user, const uint8_t *pdu, size_t len);
	/** Arm timer @id (enum mp_pbadv_timer) to expire @delay_ms from now,
	 * replacing any earlier arming of @id; @delay_ms 0 cancels it. On
	 * expiry the owner calls mp_pbadv_timeout(link, id) once. */
	void (*timer)(void *user, unsigned id, uint32_t delay_ms);
	/** Optional: 32 random bits, for retransmission jitter. NULL: none. */
	uint32_t (*random)(void *user);
};

struct mp_pbadv_config {
	enum mp_pbadv_role role;
	/* Provisioner: the Device UUID to open a link to. Device: our own. */
	uint8_t uuid[MP_GPROV_UUID_LEN];
	const struct mp_pbadv_ops *ops;		/* tx and timer are required */
	const struct mp_bearer_cb *cb;		/* may be NULL */
	void *user;				/* passed to ops and cb */
	/* Retransmission interval; 0 for MP_PBADV_RETRANSMIT_MS. */
	uint32_t retransmit_ms;
	/*
	 * Longest Provisioning PDU accepted from the peer, 1..MP_GPROV_PDU_MAX;
	 * 0 for MP_GPROV_PROV_PDU_MAX (65). A Transaction Start announcing more
	 * (or a Continuation whose index only such a transaction has) is
	 * dropped unacknowledged as malformed, and the transaction in progress
	 * is kept: anyone in radio range can forge PDUs with the link's ID,
	 * and a forged oversized transaction, buffered and acknowledged, would
	 * otherwise take the place of the peer's own PDU. Only an owner that
	 * asks for provisioning records (Record Response carries fragments of
	 * the size asked for, MshPRT v1.1 5.4.1.12) needs more.
	 */
	size_t rx_max;
};

struct mp_pbadv;

/** Create a link in state IDLE. Returns NULL with errno EINVAL (no tx or
 * timer, unknown role, rx_max above MP_GPROV_PDU_MAX) or ENOMEM. The config
 * is copied. */
struct mp_pbadv *mp_pbadv_new(const struct mp_pbadv_config *cfg);

/** Cancel the link's timers (through timer()) and free it. NULL is a no-op. */
void mp_pbadv_free(struct mp_pbadv *link);

/**
 * Provisioner: open a link with Link ID @link_id (random, chosen by the
 * owner, unique among its links; MshPRT v1.1 5.3.2): send Link Open, repeat
 * it every retransmission interval, and report opened() on Link Ack or
 * closed(-ETIMEDOUT, MP_LINK_CLOSE_TIMEOUT) after 60 s.
 * Returns 0, -EINVAL for a device link, -EBUSY unless IDLE or CLOSED.
 */
int mp_pbadv_open(struct mp_pbadv *link, uint32_t link_id);

/** Device: accept a Link Open for our UUID (from IDLE or CLOSED).
 * Returns 0, -EINVAL for a provisioner link, -EBUSY in another state. */
int mp_pbadv_listen(struct mp_pbadv *link);

/**
 * Send a Provisioning PDU as the next transaction (mp_bearer_ops.send).
 * Returns 0, -ENOTCONN unless OPEN, -EBUSY while the previous one is not
 * acknowledged, -EMSGSIZE for 0 or more than MP_GPROV_PDU_MAX octets,
 * -EINVAL for a NULL @pdu. The PDU is copied.
 */
int mp_pbadv_send(struct mp_pbadv *link, const uint8_t *pdu, size_t len);

/**
 * Close (mp_bearer_ops.close): abandon any outstanding transaction, send
 * Link Close with @reason MP_PBADV_CLOSE_REPEATS times, then report
 * closed(0, @reason, false). A listening device just stops (IDLE, no
 * callback). Returns 0, -EALREADY while closing, -ENOTCONN when IDLE or CLOSED.
 */
int mp_pbadv_close(struct mp_pbadv *link, uint8_t reason);

/**
 * Feed a received PB-ADV PDU. Returns 0 when it was used, or why it was
 * ignored: -EPROTO malformed (or a transaction number out of sequence),
 * -EOPNOTSUPP RFU bearer opcode, -ENOENT another Link ID (or a Link Open
 * for another UUID), -ENOTCONN no link (IDLE, CLOSING, CLOSED, or not yet
 * open), -EALREADY a duplicate (re-acknowledged if it was a transaction we
 * had completed), -EBADMSG FCS mismatch (transaction discarded, not acked),
 * -EMSGSIZE a Start announcing more than rx_max octets or a Continuation
 * beyond the segments of such a PDU (dropped, not acked). Any return leaves the link consistent; nothing is trusted from @pdu.
 */
int mp_pbadv_rx(struct mp_pbadv *link, const uint8_t *pdu, size_t len);

/**
 * mp_pbadv_rx() for a PDU whose header a receiver already decoded
 * (adv/adv.h, mp_adv_pbadv_decode: Link ID, Transaction Number and the Generic
 * Provisioning PDU): the engine routes by Link ID and hands the link the
 * same decoded PDU. Same returns.
 */
int mp_pbadv_rx_pdu(struct mp_pbadv *link, const struct mp_pbadv_pdu *pdu);

/** Timer @id expired. A stale expiry (not armed) is ignored. */
void mp_pbadv_timeout(struct mp_pbadv *link, unsigned id);

/** The link's Link ID (0 before open or Link Open was accepted). */
uint32_t mp_pbadv_link_id(const struct mp_pbadv *link);

/** The link's state. */
enum mp_pbadv_state mp_pbadv_state(const struct mp_pbadv *link);

/** The link as a struct mp_bearer, for a provisioning session. */
struct mp_bearer mp_pbadv_bearer(struct mp_pbadv *link);

/**
 * Route a received PB-ADV PDU: store its Link ID in @link_id. Returns 0, or
 * -EPROTO when it is too short (under 6 octets) to be a PB-ADV PDU.
 */
int mp_pbadv_pdu_link_id(const uint8_t *pdu, size_t len, uint32_t *link_id);

#endif
