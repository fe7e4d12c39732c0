/* Segmentation and reassembly of the lower transport layer: the Mesh 1.1 SAR
 * transmitter and receiver. MshPRT v1.1 3.5.3.
 *
 * Both are pure objects in the tree's pattern (bearer/pbadv.h): bytes and
 * timer expiries come in through entry points, Lower Transport PDUs and
 * timer requests go out through the ops given at creation. A timer is asked
 * for with timer(user, id, ms) (0 cancels, a new arming replaces the old)
 * and its expiry is fed back by the owner through *_timeout(id). Nothing
 * here touches a clock, a file descriptor or a global.
 *
 * What the owner does around them: it assigns a fresh SEQ to every Network
 * PDU it sends (a retransmitted segment is a new Network PDU), it decodes a
 * received Network PDU and hands the segments (mp_sar_rx_segment) and the
 * Segment Acknowledgments (mp_sar_tx_ack) here, and it encrypts / decrypts
 * the Upper Transport PDU (transport/upper.h) before / after.
 *
 * Timing and counts come from the SAR Transmitter and SAR Receiver states
 * (MshPRT v1.1 4.2, "SAR Transmitter", "SAR Receiver"; configured over the
 * air by the SAR Configuration models), kept here as the raw field values
 * of those states, so that a SAR Transmitter Set / SAR Receiver Set message
 * maps onto them one to one. The defaults are the specification's.
 *
 * Re-entrancy (HACKING.md, strategy 1): the object commits its new state
 * before any upward callback and makes the callback the last thing it
 * does, so done() and deliver() may call back into the object (send the
 * next message, feed a segment). send(), ack() and timer() are downward:
 * they must not call back in (queue the PDU, arm the timer, return). Free
 * the object only from outside any callback.
 */
#ifndef MP_TRANSPORT_SAR_H
#define MP_TRANSPORT_SAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/lower.h"

#define MP_SAR_UPPER_MAX 384	/* 32 segments of 12 octets (MP_UPPER_PDU_MAX) */

/*
 * The SAR Transmitter state's fields (MshPRT v1.1 4.2, SAR Transmitter),
 * each 4 bits, as sent in a SAR Transmitter Set message:
 *  - seg_interval_step: segment transmission interval (n + 1) * 10 ms;
 *    default 0b0101 (60 ms).
 *  - unicast_retrans_count: retransmissions of the unacknowledged segments
 *    to a unicast destination; default 0b0010.
 *  - unicast_retrans_wo_progress_count: of those, how many may follow one
 *    another without an acknowledgment that marks a new segment; default
 *    0b0010.
 *  - unicast_retrans_interval_step: (n + 1) * 25 ms; default 0b0111 (200 ms).
 *  - unicast_retrans_interval_inc: (n + 1) * 25 ms per hop; default 0b0001
 *    (50 ms). The unicast retransmissions timer is step + inc * (TTL - 1)
 *    for TTL > 0, step for TTL 0 (3.5.3.3).
 *  - multicast_retrans_count: retransmissions of every segment to a group
 *    or virtual address; default 0b0010.
 *  - multicast_retrans_interval_step: (n + 1) * 25 ms; default 0b1001
 *    (250 ms).
 */
struct mp_sar_tx_params {
	uint8_t seg_interval_step;
	uint8_t unicast_retrans_count;
	uint8_t unicast_retrans_wo_progress_count;
	uint8_t unicast_retrans_interval_step;
	uint8_t unicast_retrans_interval_inc;
	uint8_t multicast_retrans_count;
	uint8_t multicast_retrans_interval_step;
};

/*
 * The SAR Receiver state's fields (MshPRT v1.1 4.2, SAR Receiver):
 *  - segments_threshold (5 bits): a message of more segments than this has
 *    its Segment Acknowledgments retransmitted; default 0b00011.
 *  - ack_delay_inc (3 bits): acknowledgment delay increment, n + 1.5
 *    segments; default 0b001 (2.5).
 *  - discard_timeout (4 bits): (n + 1) * 5 s without a new segment before
 *    an incomplete message is discarded; default 0b0001 (10 s).
 *  - rx_seg_interval_step (4 bits): segment reception interval
 *    (n + 1) * 10 ms; default 0b0101 (60 ms).
 *  - ack_retrans_count (2 bits): retransmissions of a Segment
 *    Acknowledgment above the threshold; default 0b00.
 * The acknowledgment timer is min(SegN + 0.5, increment) * reception
 * interval (3.5.3.4).
 */
struct mp_sar_rx_params {
	uint8_t segments_threshold;
	uint8_t ack_delay_inc;
	uint8_t discard_timeout;
	uint8_t rx_seg_interval_step;
	uint8_t ack_retrans_count;
};

/** The specification's default SAR Transmitter state. */
void mp_sar_tx_params_default(struct mp_sar_tx_params *p);
/** The specification's default SAR Receiver state. */
void mp_sar_rx_params_default(struct mp_sar_rx_params *p);
/** 0, or -EINVAL when a field is wider than the state allows. */
int mp_sar_tx_params_check(const struct mp_sar_tx_params *p);
/** 0, or -EINVAL when a field is wider than the state allows. */
int mp_sar_rx_params_check(const struct mp_sar_rx_params *p);

/** Segment transmission interval in ms. */
uint32_t mp_sar_seg_interval_ms(const struct mp_sar_tx_params *p);
/** The unicast retransmissions timer's initial value in ms for @ttl. */
uint32_t mp_sar_unicast_retrans_ms(const struct mp_sar_tx_params *p, uint8_t ttl);
/** The multicast retransmissions interval in ms. */
uint32_t mp_sar_multicast_retrans_ms(const struct mp_sar_tx_params *p);
/** Segment reception interval in ms. */
uint32_t mp_sar_rx_seg_interval_ms(const struct mp_sar_rx_params *p);
/** The acknowledgment timer's initial value in ms for a message of @seg_n. */
uint32_t mp_sar_ack_delay_ms(const struct mp_sar_rx_params *p, uint8_t seg_n);
/** The discard timeout in ms. */
uint32_t mp_sar_discard_ms(const struct mp_sar_rx_params *p);

/* ------------------------------------------------------------------ */
/* The transmitter                                                     */
/* ------------------------------------------------------------------ */

/* One segmented message to send. */
struct mp_sar_msg {
	uint16_t dst;		/* unicast, group or virtual address */
	bool ctl;		/* transport control message (segments of 8 octets) */
	bool akf;		/* access: AKF and AID of the lower transport header */
	uint8_t aid;
	uint8_t opcode;		/* control: 7 bits */
	bool szmic;		/* access: 64-bit TransMIC */
	uint8_t ttl;		/* of every segment, 0..127; sets the retransmission timer */
	uint32_t seq_auth;	/* the message's SEQ (the nonce's), 24 bits: SeqZero is
				 * its low 13 */
	const uint8_t *upper;	/* the Upper Transport PDU, copied */
	size_t len;		/* 1..384 (1..256 for control) */
};

/* One segment to send, given to send(). */
struct mp_sar_tx_pdu {
	uint16_t dst;
	bool ctl;
	uint8_t ttl;
	uint32_t seq_auth;
	uint8_t seg_o;
	bool retransmission;	/* not the segment's first transmission */
	const uint8_t *pdu;	/* the Lower Transport PDU, valid during the call */
	size_t len;
};

struct mp_sar_tx_ops {
	/** Send one segment in a Network PDU with a fresh SEQ, at least
	 *  @p->seq_auth and less than seq_auth + 8192 (3.5.3, SeqAuth: a
	 *  receiver finds SeqAuth from the segment's SEQ and SeqZero). */
	void (*send)(void *user, const struct mp_sar_tx_pdu *p);
	/** Arm timer @id (0..slots-1) @ms from now; 0 cancels. */
	void (*timer)(void *user, unsigned id, uint32_t ms);
	/** The message to @dst with @seq_auth ended: 0 every segment was
	 *  acknowledged (unicast) or sent every time (group, virtual);
	 *  -ETIMEDOUT the retransmissions ran out; -ECONNREFUSED the receiver
	 *  answered BlockAck 0 (it cannot take the message, 3.5.3.3);
	 *  -ECANCELED mp_sar_tx_cancel(). The slot is free when it is called. */
	void (*done)(void *user, uint16_t dst, uint32_t seq_auth, int err);
};

struct mp_sar_tx_config {
	const struct mp_sar_tx_ops *ops;	/* send and timer required */
	void *user;
	const struct mp_sar_tx_params *params;	/* NULL: the defaults; copied */
	unsigned slots;				/* messages at once; 0: 8, at most 64 */
};

/* What a transmitter counted. */
struct mp_sar_tx_stats {
	unsigned long sent;		/* segments handed to send() */
	unsigned long retransmitted;	/* of which not first transmissions */
	unsigned long acks;		/* Segment Acknowledgments that matched */
	unsigned long acks_ignored;	/* that matched no outstanding message */
	unsigned long completed, failed;
};

struct mp_sar_tx;

/** Create a transmitter. NULL with errno EINVAL (no send or timer, a
 *  parameter out of range, too many slots) or ENOMEM. */
struct mp_sar_tx *mp_sar_tx_new(const struct mp_sar_tx_config *cfg);
/** Cancel every timer (through timer()) and free, without done(). NULL is
 *  a no-op. Not from a callback. */
void mp_sar_tx_free(struct mp_sar_tx *tx);

/**
 * Start sending @msg: the first segment goes out at once (through send()),
 * the others one segment interval apart; then, to a unicast address, the
 * unacknowledged ones are sent again until acknowledged or the counts run
 * out, and to a group or virtual address every segment is sent
 * multicast_retrans_count more times (no acknowledgments, 3.5.3.3).
 *
 * One outbound segmented message per destination at a time (3.5.3.3): a
 * second one to the same @dst is refused with -EBUSY rather than queued, so
 * that the caller (the access layer, which knows which of its messages may
 * wait and for how long) keeps the queue and sees the back-pressure; it may
 * send the next from done().
 *
 * Returns 0, -EINVAL (a NULL or an unassigned @dst, a field out of range),
 * -EMSGSIZE (@len 0 or more than 32 segments), -EBUSY (one to @dst is
 * outstanding), -ENOBUFS (every slot is busy).
 */
int mp_sar_tx_send(struct mp_sar_tx *tx, const struct mp_sar_msg *msg);

/**
 * A Segment Acknowledgment (decoded, transport/lower.h) arrived from @src.
 * It is matched to the outstanding unicast message to @src with its
 * SeqZero. OBO (3.5.2.3.1) only says a Friend answered for a Low Power node
 * (then @src is the Friend's address, not the destination's): meshprov is
 * not a Friend and sends to Low Power nodes like to any node, so an ack
 * with OBO set is matched by SeqZero alone to the one outstanding unicast
 * message that has it, and otherwise treated like any other.
 *
 * An ack that marks a new segment resets the without-progress count and,
 * between rounds, sends the still unacknowledged segments at once (a round
 * not taken from unicast_retrans_count, which bounds the rounds the
 * retransmissions timer starts: progress can happen only SegN + 1 times,
 * so the total stays bounded); one that
 * marks them all ends the message (done(0)); BlockAck 0 cancels it
 * (done(-ECONNREFUSED)). Bits past SegN are ignored.
 *
 * Returns 0 when it matched a message, -ENOENT when it did not (ignored),
 * -EINVAL for a NULL argument.
 */
int mp_sar_tx_ack(struct mp_sar_tx *tx, uint16_t src, const struct mp_seg_ack *ack);

/** Abandon the message to @dst: done(-ECANCELED). -ENOENT when none. */
int mp_sar_tx_cancel(struct mp_sar_tx *tx, uint16_t dst);

/** Timer @id expired. A stale expiry (not armed) is ignored. */
void mp_sar_tx_timeout(struct mp_sar_tx *tx, unsigned id);

/** Whether a message to @dst is outstanding. */
bool mp_sar_tx_busy(const struct mp_sar_tx *tx, uint16_t dst);

/** The transmitter's counters. */
const struct mp_sar_tx_stats *mp_sar_tx_stats(const struct mp_sar_tx *tx);

/* ------------------------------------------------------------------ */
/* The receiver                                                        */
/* ------------------------------------------------------------------ */

/* One received segment: the Network PDU's fields and its decoded Lower
 * Transport PDU (seg set). */
struct mp_sar_seg_in {
	uint16_t src;
	uint16_t dst;
	uint32_t iv_index;	/* the IV index the Network PDU was sent with */
	uint32_t seq;		/* its SEQ */
	const struct mp_lower_pdu *pdu;
};

/* A reassembled message, given to deliver(). */
struct mp_sar_rx_msg {
	uint16_t src;
	uint16_t dst;
	uint32_t iv_index;	/* SeqAuth: IV index and the SEQ of its first segment */
	uint32_t seq_auth;
	bool ctl;
	bool akf;
	uint8_t aid;
	uint8_t opcode;
	bool szmic;
	const uint8_t *upper;	/* the Upper Transport PDU, valid during the call */
	size_t len;
};

struct mp_sar_rx_ops {
	/** Send a Segment Acknowledgment: @pdu is the whole unsegmented
	 *  control Lower Transport PDU (opcode 0x00, 7 octets), to go in a
	 *  Network PDU with CTL 1 from @src (the message's destination) to
	 *  @dst (the message's source). */
	void (*ack)(void *user, uint16_t src, uint16_t dst, const uint8_t *pdu, size_t len);
	/** Arm timer @id (0..2 * slots - 1) @ms from now; 0 cancels. */
	void (*timer)(void *user, unsigned id, uint32_t ms);
	/** A complete message, once per SeqAuth. */
	void (*deliver)(void *user, const struct mp_sar_rx_msg *msg);
};

struct mp_sar_rx_config {
	const struct mp_sar_rx_ops *ops;	/* all three required */
	void *user;
	const struct mp_sar_rx_params *params;	/* NULL: the defaults; copied */
	/* Sources tracked at once, each with its message in progress or its
	 * last completed one; 0: 16, at most 256. A new source takes the
	 * place of the least recently used completed or discarded one. */
	unsigned slots;
};

/* What a receiver counted: every dropped segment is in one of these. */
struct mp_sar_rx_stats {
	unsigned long segments;		/* new segments stored */
	unsigned long delivered;
	unsigned long duplicates;	/* a segment already held, or of a completed message */
	unsigned long stale;		/* of an older SeqAuth, or of a discarded message */
	unsigned long contradicted;	/* SegN, header or length against its transaction,
					 * or a SEQ no SeqAuth with its SeqZero precedes */
	unsigned long restarted;	/* messages in progress replaced by a newer SeqAuth */
	unsigned long discarded;	/* incomplete messages dropped by the discard timer */
	unsigned long busy;		/* no slot: answered BlockAck 0 (unicast) */
	unsigned long acks;		/* Segment Acknowledgments sent */
};

struct mp_sar_rx;

/** Create a receiver. NULL with errno EINVAL or ENOMEM. */
struct mp_sar_rx *mp_sar_rx_new(const struct mp_sar_rx_config *cfg);
/** Cancel every timer (through timer()) and free. NULL is a no-op. Not
 *  from a callback. */
void mp_sar_rx_free(struct mp_sar_rx *rx);

/**
 * Feed a received segment. Reassembly is keyed by SRC and SeqAuth (the IV
 * index and the SEQ of the first segment, found from @in->seq and SeqZero,
 * 3.5.3): duplicates and any order are fine; a segment of an older SeqAuth
 * than the source's current one is dropped; a newer one replaces the
 * message in progress. A segment whose SegN, header (CTL, AKF, AID or
 * opcode, SZMIC), destination or length contradicts its transaction is
 * dropped (every segment but the last is full: 12 octets, 8 for control).
 *
 * To a unicast destination, received segments are acknowledged after the
 * acknowledgment delay (again, ack_retrans_count times, for a message above
 * the segments threshold), a complete message at once; a segment of a
 * completed message gets the complete BlockAck again and is not delivered
 * twice; a source with no free slot gets BlockAck 0. Group and virtual
 * destinations get no acknowledgment (3.5.3.4). An incomplete message is
 * discarded when no new segment came for the discard timeout.
 *
 * Returns 0 (a new segment, the message may have been delivered),
 * -EALREADY (a duplicate), -ESTALE (older SeqAuth, or a discarded message),
 * -EPROTO (contradicts its transaction), -ENOBUFS (no slot), -ERANGE (SEQ
 * and SeqZero give no SeqAuth), -EINVAL (a NULL, an unsegmented PDU, an
 * unassigned or non-unicast SRC, an unassigned DST).
 */
int mp_sar_rx_segment(struct mp_sar_rx *rx, const struct mp_sar_seg_in *in);

/** Timer @id expired. A stale expiry (not armed) is ignored. */
void mp_sar_rx_timeout(struct mp_sar_rx *rx, unsigned id);

/** The receiver's counters. */
const struct mp_sar_rx_stats *mp_sar_rx_stats(const struct mp_sar_rx *rx);

#endif
