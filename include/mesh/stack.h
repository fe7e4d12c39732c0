/* The mesh stack: the network, lower and upper transport codecs and the SAR
 * machines of net/ and transport/ composed into one object that takes
 * Network PDUs and timer expiries in and gives access messages up and
 * Network PDUs out. MshPRT v1.1 3.4 - 3.6, 3.9.8 (replay protection).
 *
 * One object serves both roles: a provisioner talking to many nodes (device
 * keys looked up per address through a callback, never copied) and a node
 * (its own device key, through the same callback). It is pure in the tree's
 * pattern (HACKING.md): no file descriptor, clock or global; a timer is
 * asked for with ops->timer(user, id, ms) (0 cancels) and its expiry fed
 * back with mp_mesh_timeout(); the SEQ of every Network PDU it sends comes
 * from ops->seq_next() (the integrator backs it with the keyring's
 * reservation blocks) and the IV index from mp_mesh_set_iv().
 *
 * Memory: everything is allocated by mp_mesh_new() (the replay list for
 * the whole unicast space, 32,767 sources, about 512 KiB; the network
 * message cache; the key tables); nothing is allocated per message.
 *
 * Receive path (mp_mesh_rx): network decode over every subnet (both keys
 * during a key refresh), the network message cache, own-source PDUs
 * dropped, the destination filter (own elements, the all-nodes address,
 * subscribed groups and virtual labels), the replay check, the lower
 * transport (unsegmented, or a segment to the SAR receiver; a Segment
 * Acknowledgment to the SAR transmitter), the upper transport (every
 * application key whose AID is the PDU's, or the device keys of SRC and
 * DST), the replay list update, delivery. Every drop is counted in
 * struct mp_mesh_stats.
 *
 * Replay protection (3.9.8): per source, a flat table indexed by the
 * unicast address, so that no source is ever refused for lack of room.
 * The IV index part: a message under a newer IV index than the one stored
 * is accepted and replaces the entry, one under an older IV index is
 * refused. Within one IV index two values are kept per source, the last
 * SEQ of an unsegmented message and the last SeqAuth of a segmented one:
 * an unsegmented message must have a SEQ above the first, a segment a
 * SeqAuth not below the second (a segment of the message in progress, or a
 * retransmission that must get its acknowledgment again) and a reassembled
 * message a SeqAuth above it. The spec keeps one value; with one, a node
 * that sends us Segment Acknowledgments (unsegmented, fresh SEQs) while its
 * own segmented message to us is in flight would have the rest of that
 * message refused. Both values move only after the message authenticated
 * (upper transport, or the network layer for control messages). What is
 * reported to ops->rpl_update() and loaded back by mp_mesh_rpl_seed() is
 * one SEQ, the larger of the two: a seeded entry refuses everything at or
 * below it (the safe side).
 *
 * Re-entrancy (HACKING.md strategy 1): the callbacks deliver(), control()
 * and done() are the last thing the object does in the step that calls
 * them; they may call mp_mesh_send_access() / mp_mesh_send_control() and
 * the configuration functions, but not mp_mesh_free(). send(), timer(),
 * seq_next() and rpl_update() are downward: they must not call back in.
 */
#ifndef MP_MESH_STACK_H
#define MP_MESH_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"
#include "transport/sar.h"

/* The key of an access message: an AppKey index (12 bits) or the device key. */
#define MP_MESH_KEY_DEV 0xffff
/* In mp_mesh_send_access()'s ttl: the stack's Default TTL. */
#define MP_MESH_TTL_DEFAULT 0xff
/* The Default TTL a new stack starts with (config.default_ttl 0). */
#define MP_MESH_DEFAULT_TTL 5
/* Access payload limits (3.6.2): 380 octets with a 32-bit TransMIC, 376
 * with a 64-bit one; up to 11 fit in one unsegmented PDU. */
#define MP_MESH_ACCESS_MAX 380
#define MP_MESH_ACCESS_UNSEG_MAX 11
/* Control parameters: 11 unsegmented, 256 segmented (32 segments of 8). */
#define MP_MESH_CTL_MAX 256

/* A received access message, given to deliver(). */
struct mp_mesh_rx_msg {
	uint16_t src;
	uint16_t dst;			/* an own element, a group or a virtual address */
	const uint8_t *label;		/* the Label UUID when dst is virtual, else NULL */
	uint16_t net_idx;		/* the subnet it came under */
	uint16_t key;			/* the AppKey index, or MP_MESH_KEY_DEV */
	uint16_t dev_key_addr;		/* MP_MESH_KEY_DEV: whose device key (src or dst) */
	uint8_t ttl;			/* as received (of the last segment heard) */
	bool seg;			/* it came segmented */
	uint32_t iv_index;
	uint32_t seq;			/* SEQ, or SeqAuth's SEQ when segmented */
	const uint8_t *payload;		/* the access payload, valid during the call */
	size_t len;
};

/* A received transport control message (other than a Segment
 * Acknowledgment, which the stack consumes), given to control(). */
struct mp_mesh_ctl_msg {
	uint16_t src;
	uint16_t dst;
	uint16_t net_idx;
	uint8_t ttl;
	uint8_t opcode;			/* 7 bits */
	const uint8_t *params;		/* valid during the call */
	size_t len;
};

/* The drop counters and a few totals: every received Network PDU is either
 * handled or in exactly one drop_* field. */
struct mp_mesh_stats {
	unsigned long rx_pdus;			/* given to mp_mesh_rx */
	unsigned long delivered;		/* access messages delivered */
	unsigned long ctl_delivered;		/* control messages given to control() */
	unsigned long acks_in;			/* Segment Acknowledgments for the SAR transmitter */
	unsigned long segments_in;		/* segments the SAR receiver took */
	/* the network layer */
	unsigned long drop_oversized;		/* longer than 29 octets */
	unsigned long drop_truncated;		/* shorter than a Network PDU */
	unsigned long drop_iv;			/* IVI names an IV index below 0 */
	unsigned long drop_unknown_nid;		/* no subnet key has its NID */
	unsigned long drop_net_mic;		/* NID matched, NetMIC did not (another NetKey) */
	unsigned long drop_bad_header;		/* SRC not unicast, DST unassigned */
	unsigned long drop_cached;		/* in the network message cache */
	unsigned long drop_own_src;		/* SRC is one of our elements */
	unsigned long drop_not_for_us;		/* DST not ours nor subscribed */
	/* the lower transport */
	unsigned long drop_malformed;		/* Lower Transport PDU does not decode */
	unsigned long drop_replay;		/* refused by the replay list */
	unsigned long drop_seg_duplicate;	/* segment already held (normal on retransmission) */
	unsigned long drop_seg_stale;		/* of an older or discarded message */
	unsigned long drop_seg_contradicts;	/* against its transaction, or no SeqAuth */
	unsigned long drop_seg_busy;		/* no reassembly slot */
	unsigned long drop_ack_unmatched;	/* Segment Acknowledgment of no message of ours */
	unsigned long drop_ctl_unhandled;	/* control message with no control() op */
	/* the upper transport */
	unsigned long drop_no_key;		/* no AppKey with that AID, no device key */
	unsigned long drop_trans_mic;		/* every candidate key failed the TransMIC */
	unsigned long drop_no_label;		/* virtual DST whose label none of ours hashes to */
	/* sending */
	unsigned long tx_pdus;			/* Network PDUs given to send() */
	unsigned long tx_seq_failed;		/* segment not sent: seq_next() failed or the
						 * SEQ left SeqAuth's 8192 window */
	unsigned long tx_acks;			/* Segment Acknowledgments sent */
};

struct mp_mesh_ops {
	/** Send the Network PDU @pdu (14..29 octets) under subnet @net_idx (the
	 *  bearer picks that subnet's Network Transmit). Required. */
	void (*send)(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len);
	/** Arm timer @id (0..mp_mesh_timer_count() - 1) @ms from now; 0
	 *  cancels, a new arming replaces the old. Required. */
	void (*timer)(void *user, unsigned id, uint32_t ms);
	/** The next SEQ of the stack's unicast range (24 bits): 0, or a
	 *  negative errno that stops the send with that error. Required. */
	int (*seq_next)(void *user, uint32_t *seq);
	/** The device key of the node at @addr (any of its elements): 0 and
	 *  @key filled, or -ENOENT. A provisioner looks up its nodes, a node
	 *  answers its own key for its own elements. Required. */
	int (*dev_key)(void *user, uint16_t addr, uint8_t key[16]);
	/** An access message for us. Required. */
	void (*deliver)(void *user, const struct mp_mesh_rx_msg *msg);
	/** A transport control message for us; NULL: counted and dropped. */
	void (*control)(void *user, const struct mp_mesh_ctl_msg *msg);
	/** A segmented message we sent to @dst ended (see mp_mesh_send_access);
	 *  @seq_auth is the one mp_mesh_send_access() reported. May be NULL. */
	void (*done)(void *user, uint16_t dst, uint32_t seq_auth, int err);
	/** The replay list entry of @src now holds @iv_index and @seq (the value
	 *  mp_mesh_rpl_seed() takes back). May be NULL. */
	void (*rpl_update)(void *user, uint16_t src, uint32_t iv_index, uint32_t seq);
};

struct mp_mesh_config {
	const struct mp_mesh_ops *ops;
	void *user;
	uint16_t addr;			/* primary element: unicast */
	uint16_t elements;		/* 1.., the range must stay unicast */
	uint8_t default_ttl;		/* 0: MP_MESH_DEFAULT_TTL; see mp_mesh_set_default_ttl */
	unsigned subnets;		/* capacity, 0: 4 */
	unsigned app_keys;		/* capacity, 0: 16 */
	unsigned subscriptions;		/* capacity of groups and labels, 0: 16 */
	unsigned cache;			/* network message cache entries, 0: 128 */
	const struct mp_sar_tx_params *sar_tx;	/* NULL: the defaults */
	const struct mp_sar_rx_params *sar_rx;	/* NULL: the defaults */
	unsigned tx_slots;		/* segmented messages out at once, 0: 8 */
	unsigned rx_slots;		/* sources reassembling at once, 0: 16 */
};

struct mp_mesh;

/** Create a stack. NULL with errno EINVAL (a required op missing, the
 *  element range not unicast, a bad SAR parameter) or ENOMEM. The IV index
 *  starts at 0, normal operation. */
struct mp_mesh *mp_mesh_new(const struct mp_mesh_config *cfg);
/** Cancel every timer, wipe every key and free. NULL is a no-op. Not from
 *  a callback. */
void mp_mesh_free(struct mp_mesh *m);

/** How many timer ids the stack uses (ids 0..count-1: the SAR transmitter's
 *  then the SAR receiver's). */
unsigned mp_mesh_timer_count(const struct mp_mesh *m);
/** Timer @id expired. Stale or unknown ids are ignored. */
void mp_mesh_timeout(struct mp_mesh *m, unsigned id);

/**
 * Set the IV index state: @iv_index is the current IV index, @iv_update
 * the IV Update in Progress flag (3.11.5). Sending uses @iv_index - 1
 * during an update, @iv_index otherwise; receiving accepts @iv_index and
 * @iv_index - 1 as the IVI bit says (mp_net_rx_iv_index). -EINVAL for an
 * update with IV index 0. Learning the IV index (beacons, the 96-hour
 * rules) is the owner's.
 */
int mp_mesh_set_iv(struct mp_mesh *m, uint32_t iv_index, bool iv_update);
/** The Default TTL (0 or 2..127): the TTL of MP_MESH_TTL_DEFAULT sends and of
 *  Segment Acknowledgments. -EINVAL otherwise. */
int mp_mesh_set_default_ttl(struct mp_mesh *m, uint8_t ttl);

/** Add subnet @net_idx (12 bits) with @net_key. -EEXIST, -ENOBUFS, -EINVAL,
 *  -EIO (key derivation). */
int mp_mesh_subnet_add(struct mp_mesh *m, uint16_t net_idx, const uint8_t net_key[16]);
/** The subnet @net_idx, for the key refresh transitions of net/net.h
 *  (mp_subnet_kr_start, mp_subnet_kr_use_new); NULL when none. Its phase
 *  picks the keys sent with; both are received. Finish a refresh with
 *  mp_mesh_kr_finish (the application keys follow). The pointer is valid
 *  until the next mp_mesh_subnet_add / mp_mesh_subnet_del. */
struct mp_subnet *mp_mesh_subnet(struct mp_mesh *m, uint16_t net_idx);
/** Key refresh phase 3 then normal on @net_idx: the new NetKey and the new
 *  keys of its application keys replace the old ones. -ENOENT, -EBUSY. */
int mp_mesh_kr_finish(struct mp_mesh *m, uint16_t net_idx);
/** Remove subnet @net_idx and the application keys bound to it. -ENOENT. */
int mp_mesh_subnet_del(struct mp_mesh *m, uint16_t net_idx);

/** Add AppKey @app_idx bound to the existing subnet @net_idx; its AID is
 *  k4(@key). -EEXIST, -ENOENT (no such subnet), -ENOBUFS, -EINVAL, -EIO. */
int mp_mesh_app_key_add(struct mp_mesh *m, uint16_t app_idx, uint16_t net_idx,
			const uint8_t key[16]);
/** Key refresh: the new key of @app_idx beside the old, received both ways,
 *  sent with when its subnet is in phase 2. -ENOENT, -EIO. */
int mp_mesh_app_key_update(struct mp_mesh *m, uint16_t app_idx, const uint8_t key[16]);
/** Remove AppKey @app_idx (wiped). -ENOENT. */
int mp_mesh_app_key_del(struct mp_mesh *m, uint16_t app_idx);

/** Receive messages to group address @addr. -EINVAL (not a group), -ENOBUFS;
 *  0 when already subscribed. The all-nodes address 0xffff needs none. */
int mp_mesh_subscribe(struct mp_mesh *m, uint16_t addr);
/** Receive messages to the virtual address of @label (kept for the upper
 *  transport). -ENOBUFS, -EIO; 0 when already subscribed. */
int mp_mesh_subscribe_virtual(struct mp_mesh *m, const uint8_t label[16]);
/** Undo a subscription to a group @addr. -ENOENT. */
int mp_mesh_unsubscribe(struct mp_mesh *m, uint16_t addr);
/** Undo a subscription to @label. -ENOENT. */
int mp_mesh_unsubscribe_virtual(struct mp_mesh *m, const uint8_t label[16]);

/** Load a replay list entry kept from an earlier run: messages from @src
 *  under @iv_index with a SEQ (SeqAuth) at or below @seq, or under an older
 *  IV index, are refused. -EINVAL for a @src not unicast or @seq over 24 bits. */
int mp_mesh_rpl_seed(struct mp_mesh *m, uint16_t src, uint32_t iv_index, uint32_t seq);

/**
 * A Network PDU heard on any bearer. Everything that is not for us or not
 * acceptable is counted and dropped; what is for us goes up through
 * deliver() / control(), acknowledgments come and go. Returns 0 when the
 * PDU was taken (a new segment, an acknowledgment, a message delivered),
 * else the negative errno of the drop: -EMSGSIZE, -ENODATA, -ERANGE,
 * -ENOKEY, -EBADMSG (network), -EADDRNOTAVAIL, -EALREADY (cached, or a
 * duplicate segment), -ELOOP (own source), -ENOENT (not for us, or an
 * acknowledgment of nothing ours), -EPROTO (malformed, contradicting
 * segment), -ESTALE (replayed, or an old segment), -ENOBUFS, -EACCES (no
 * key, a TransMIC that fails, no label), -EOPNOTSUPP (control with no
 * control() op), -EINVAL (NULL).
 */
int mp_mesh_rx(struct mp_mesh *m, const uint8_t *pdu, size_t len);

/* One access message to send. */
struct mp_mesh_tx {
	uint16_t src;			/* one of our elements */
	uint16_t dst;			/* unicast, group or virtual */
	const uint8_t *label;		/* 16 octets when dst is virtual (its hash), else NULL */
	uint16_t net_idx;
	uint16_t key;			/* AppKey index (bound to net_idx), or MP_MESH_KEY_DEV */
	uint8_t ttl;			/* 0..127, or MP_MESH_TTL_DEFAULT */
	bool szmic;			/* a 64-bit TransMIC: the message goes segmented */
	const uint8_t *payload;		/* the access payload, copied */
	size_t len;			/* 1..380 (376 with szmic) */
};

/**
 * Send an access message. Unsegmented when it fits (up to 11 octets with a
 * 32-bit TransMIC, 3.5.2.1): one Network PDU goes out before the call
 * returns, and 0 is returned. Otherwise it is segmented through the SAR
 * transmitter: the first segment goes out at once and 1 is returned, with
 * *@seq_auth (may be NULL) set; done(dst, seq_auth, err) follows: 0 (all
 * acknowledged, or every multicast round sent), -ETIMEDOUT, -ECONNREFUSED
 * (the receiver answered BlockAck 0), -ECANCELED (mp_mesh_cancel).
 *
 * One outbound segmented message per destination at a time (3.5.3.3):
 * a second one to a busy @dst is refused with -EBUSY, not queued, before a
 * SEQ is taken. The caller (the access layer or the Configuration Client)
 * knows which of its messages may wait, in which order and for how long,
 * so the queue is its own; it may send the next from done().
 *
 * Errors: -EINVAL (src not ours, dst unassigned, a virtual dst without its
 * label or whose label does not hash to it, ttl above 127), -ENOENT
 * (no such subnet, AppKey not bound to it, no device key), -EMSGSIZE,
 * -EBUSY, -ENOBUFS (every SAR slot busy), seq_next()'s error, -EIO.
 */
int mp_mesh_send_access(struct mp_mesh *m, const struct mp_mesh_tx *tx, uint32_t *seq_auth);

/**
 * Send a transport control message @opcode (1..0x7f; 0 is the Segment
 * Acknowledgment, the stack's own) with @len octets of parameters:
 * unsegmented up to 11, else segmented (up to 256) with done() like an
 * access message. Returns 0 / 1 and the errors of mp_mesh_send_access.
 */
int mp_mesh_send_control(struct mp_mesh *m, uint16_t src, uint16_t dst, uint16_t net_idx,
			 uint8_t ttl, uint8_t opcode, const uint8_t *params, size_t len,
			 uint32_t *seq_auth);

/** Abandon the segmented message to @dst: done(-ECANCELED). -ENOENT. */
int mp_mesh_cancel(struct mp_mesh *m, uint16_t dst);

/** The drop counters and totals. */
const struct mp_mesh_stats *mp_mesh_stats(const struct mp_mesh *m);

#endif
