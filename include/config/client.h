/* The Configuration Client: requests to many nodes' Configuration Servers,
 * one outstanding per node, answers matched, retried when none comes.
 *
 * MshPRT v1.1 4.3.2 (the Configuration messages, config/msg.h encodes
 * them) and 3.7.3 (acknowledged messages: a client sends one and waits for
 * the response; it may send it again when none comes, and it keeps one
 * acknowledged message outstanding per server it talks to, so that a
 * Status always answers the one request it can answer).
 *
 * What the client does, per node (a destination unicast address):
 *   - a FIFO of requests: the next one is sent only once the one before it
 *     has been answered (or has failed), so dependent steps are strictly
 *     ordered: an AppKey Add is answered before the Bind that uses it;
 *   - a failed step (no answer, or a Status whose status code is not
 *     Success) either stops the node's queue (MP_CFG_REQ_STOP_ON_FAIL: the
 *     requests queued after it end with -ECANCELED) or lets the rest go on
 *     (the default: they are independent steps); finer, a request may name
 *     the one it depends on (after): it is skipped when that one fails or
 *     is skipped, and the others go on (a Bind after its AppKey Add, a
 *     Publication Set after that Bind, a Default TTL Set after nothing);
 *   - an unanswered request is sent again after a timeout that grows by a
 *     factor up to a maximum, a given number of times in all, then ends
 *     with -ETIMEDOUT (MP_CFG_CLIENT_* defaults, every value configurable
 *     for the client and per request; a longer first timeout when the
 *     request or its answer is segmented, such as Composition Data);
 *   - an answer is taken only when it comes from the node asked, carries the
 *     response opcode and repeats the fields that tell two requests apart
 *     (access/match.h, the expectation from mp_cfg_expect()); anything
 *     else, a Status nobody asked for, an answer from another address, a
 *     second answer to a request sent twice, is ignored and counted.
 * And across nodes: nodes are served in parallel, at most max_inflight at
 * once; a node keeps its place until its queue is empty, the others wait
 * in the order their first request came. A node's place is also its timer:
 * timer ids are 0 .. max_inflight - 1.
 *
 * Pure (HACKING.md): bytes go out through send(), a timer is asked for
 * with timer(id, ms) (0 cancels) and its expiry fed back with
 * mp_cfg_client_timeout(), answers come in with mp_cfg_client_rx(). The
 * transport below is abstract: the owner secures the message with the
 * node's device key on the given subnet and hands back what arrives
 * secured with a device key.
 *
 * Re-entrancy (HACKING.md, strategy 1): every call commits its state,
 * sends what it has to send, then reports completions one after another as
 * its last action; done() may submit, cancel or read the counters (what it
 * causes is reported by the same loop after it returns, never nested).
 * send() and timer() are downward and must not call back in. Free the
 * client only from outside its callbacks.
 *
 * A known limit of the protocol, not of this client: a node that answers
 * both transmissions of a retried request may have its late second answer
 * taken for the next request when that one is answered the same way (two
 * Default TTL Sets in a row); the steps a profile sends differ in what
 * their answers repeat, and a Get reads the state back when it matters.
 */
#ifndef MP_CONFIG_CLIENT_H
#define MP_CONFIG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/msg.h"

/* Defaults of the retry timing (ms). An unsegmented exchange on a few hops
 * takes well under a second; a segmented one (SAR, 3.5.3) several: the
 * default segmented first wait leaves room for the SAR retransmissions of
 * both directions before the request is sent again. With 4 tries the
 * request gives up after 2.5 + 5 + 10 + 10 = 27.5 s (unsegmented), within
 * the 30 s the spec recommends for an acknowledged transaction (3.7.3). */
#define MP_CFG_CLIENT_TIMEOUT_MS 2500
#define MP_CFG_CLIENT_SEG_TIMEOUT_MS 6000
#define MP_CFG_CLIENT_FACTOR_PCT 200
#define MP_CFG_CLIENT_MAX_TIMEOUT_MS 10000
#define MP_CFG_CLIENT_TRIES 4
/* Nodes in flight by default, and at most. */
#define MP_CFG_CLIENT_INFLIGHT 8
#define MP_CFG_CLIENT_INFLIGHT_MAX 256
/* Requests queued in all (every node), by default. */
#define MP_CFG_CLIENT_QUEUE 4096

/* When a request is sent again. A zero field takes the client's value. */
struct mp_cfg_client_timing {
	uint32_t timeout_ms;	/* wait after the first transmission */
	uint32_t factor_pct;	/* each wait is the last one times this / 100 (>= 100) */
	uint32_t max_ms;	/* no wait is longer */
	uint32_t tries;		/* transmissions in all (>= 1) */
};

/* How a request ended, given to done(). */
struct mp_cfg_client_result {
	uint32_t id;		/* mp_cfg_client_submit()'s */
	void *ctx;		/* the request's */
	uint16_t dst;
	uint32_t opcode;	/* the request's */
	/* 0: answered (even with a failure status: see status->status);
	 * -ETIMEDOUT: no answer after every try; -ECANCELED: cancelled, or
	 * skipped because a MP_CFG_REQ_STOP_ON_FAIL request before it, or the
	 * one it comes after, failed. */
	int err;
	/* The decoded answer when err is 0 (NULL otherwise), valid during the
	 * call: status->status is the status code (0 in the answers that carry
	 * none), status_name its name or NULL (an RFU code). */
	const struct mp_cfg_msg *status;
	const char *status_name;
	unsigned int tries;	/* transmissions made */
};

struct mp_cfg_client_ops {
	/** Send the access message @msg (opcode and parameters) to @dst on the
	 *  subnet @net_idx, secured with @dst's device key when @dev_key (always,
	 *  for Configuration messages). A negative return counts as a lost
	 *  transmission (the retry timer still runs). Required. */
	int (*send)(void *user, uint16_t dst, uint16_t net_idx, bool dev_key, const uint8_t *msg,
		    size_t len);
	/** Arm timer @id (0 .. max_inflight - 1) @ms from now; 0 cancels. Required. */
	void (*timer)(void *user, unsigned int id, uint32_t ms);
	/** A request ended (see struct mp_cfg_client_result). Required. */
	void (*done)(void *user, const struct mp_cfg_client_result *r);
};

struct mp_cfg_client_config {
	const struct mp_cfg_client_ops *ops;
	void *user;
	unsigned int max_inflight;	/* nodes at once; 0: MP_CFG_CLIENT_INFLIGHT */
	size_t max_queued;		/* requests in all; 0: MP_CFG_CLIENT_QUEUE */
	/* The client's timing for unsegmented and for segmented exchanges;
	 * NULL or zero fields: the MP_CFG_CLIENT_* defaults (copied). */
	const struct mp_cfg_client_timing *timing;
	const struct mp_cfg_client_timing *seg_timing;
};

/* A failure of this request ends the node's queued requests (-ECANCELED). */
#define MP_CFG_REQ_STOP_ON_FAIL 0x01u

struct mp_cfg_client_req {
	uint16_t dst;			/* the node's primary element: unicast */
	uint16_t net_idx;		/* the subnet to send on */
	const struct mp_cfg_msg *msg;	/* the request (encoded at once: not kept) */
	unsigned int flags;		/* MP_CFG_REQ_* */
	/* 0, or the id of a request to the same node, still pending, that
	 * this one depends on: when that one fails or is skipped, this one
	 * ends with -ECANCELED unsent (counted: skipped). */
	uint32_t after;
	/* This request's timing; NULL or zero fields: the client's, by
	 * whether the exchange is segmented. */
	const struct mp_cfg_client_timing *timing;
	void *ctx;			/* given back in the result */
};

/* What the client counted. */
struct mp_cfg_client_stats {
	unsigned long submitted;
	unsigned long sent;		/* transmissions, first ones and retries */
	unsigned long retries;		/* of which not first transmissions */
	unsigned long send_errors;	/* send() returned an error */
	unsigned long answered;		/* requests answered (any status) */
	unsigned long failed_status;	/* of which with a status other than Success */
	unsigned long timed_out;
	unsigned long cancelled;	/* by mp_cfg_client_cancel*() */
	unsigned long skipped;		/* ended unsent by a failed request before them
					 * (STOP_ON_FAIL, or the one they come after) */
	unsigned long unmatched;	/* answers matching no outstanding request: stray,
					 * late, duplicated, from another address; of which: */
	unsigned long unmatched_src;	/* from an address no request is outstanding to
					 * (another node, another element) */
	unsigned long unmatched_other;	/* from a node being asked, but not what was asked
					 * (another Status, other fields) */
	unsigned long unmatched_late;	/* an answer already taken, again (a late
					 * duplicate: one of the last answers, same source) */
	unsigned long malformed;	/* received messages that are no Configuration
					 * answer this client decodes */
	unsigned long not_dev_key;	/* answers not secured with a device key */
};

struct mp_cfg_client;

/**
 * Create a client. NULL with errno EINVAL (no ops or a required op
 * missing, max_inflight above MP_CFG_CLIENT_INFLIGHT_MAX, a timing with a
 * factor below 100) or ENOMEM.
 */
struct mp_cfg_client *mp_cfg_client_new(const struct mp_cfg_client_config *cfg);

/** Cancel every timer (through timer()) and free, without done(), wiping
 *  the queued requests (they may hold keys). NULL is a no-op. Not from a
 *  callback. */
void mp_cfg_client_free(struct mp_cfg_client *c);

/**
 * Queue the request @r to its node. It is sent at once when the node is
 * idle and a place is free, otherwise after the node's earlier requests.
 * Returns its id (> 0) for the result, or -EINVAL (NULL, @r->dst not
 * unicast, a timing with a factor below 100), -ENOENT (@r->after names no
 * request pending on that node), -ENOMSG (@r->msg is not a
 * request config/msg.h encodes: a Status, an unknown opcode), an encoding
 * error of mp_cfg_encode() (-EINVAL, -EMSGSIZE), -ENOBUFS (max_queued
 * requests are queued), -ENOMEM. Nothing is queued on error.
 */
int64_t mp_cfg_client_submit(struct mp_cfg_client *c, const struct mp_cfg_client_req *r);

/**
 * A message arrived from @src, secured with a device key when @dev_key:
 * the access message @msg (opcode and parameters). Returns 0 when it
 * answered an outstanding request (reported through done()), -ENOENT
 * when it answered none (counted: unmatched), -EBADMSG when it is not a
 * Configuration answer that decodes (counted: malformed), -EACCES when it
 * came under an AppKey (counted: not_dev_key), -EINVAL for NULL.
 */
int mp_cfg_client_rx(struct mp_cfg_client *c, uint16_t src, bool dev_key, const uint8_t *msg,
		     size_t len);

/** Timer @id expired: the request of that place is sent again, or ends
 *  with -ETIMEDOUT after its last try. A stale expiry is ignored. */
void mp_cfg_client_timeout(struct mp_cfg_client *c, unsigned int id);

/**
 * End every request to @dst, outstanding and queued, with -ECANCELED (in
 * queue order). Returns how many, or -ENOENT when the node has none.
 */
int mp_cfg_client_cancel_node(struct mp_cfg_client *c, uint16_t dst);

/** Requests not yet ended: to @dst, or to every node when @dst is 0. */
size_t mp_cfg_client_pending(const struct mp_cfg_client *c, uint16_t dst);

/** The counters. */
const struct mp_cfg_client_stats *mp_cfg_client_stats(const struct mp_cfg_client *c);

/**
 * True when the request @opcode or its answer is usually segmented (the
 * access message is longer than the 11 octets an unsegmented Access PDU
 * holds, 3.5.2.1): Composition Data, the Lists, Publication; AppKey and
 * NetKey Add/Update, Publication Virtual Address Set. These take the
 * client's segmented timing.
 */
bool mp_cfg_client_segmented(uint32_t opcode);

/* Building requests: each fills @m (zeroed first) with one request of
 * 4.3.2, for mp_cfg_client_submit(); the answer it expects is what
 * mp_cfg_expect() says. None checks the values: the encoder refuses what a
 * server would (-EINVAL at submit). A model identifier is SIG or vendor
 * (struct mp_model_id); the Gets of model lists pick the SIG or Vendor
 * opcode from it. Keys are copied: wipe @m after submitting. */
void mp_cfg_req_composition_get(struct mp_cfg_msg *m, uint8_t page);
void mp_cfg_req_appkey_add(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx,
			   const uint8_t key[16]);
void mp_cfg_req_appkey_update(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx,
			      const uint8_t key[16]);
void mp_cfg_req_appkey_delete(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx);
void mp_cfg_req_appkey_get(struct mp_cfg_msg *m, uint16_t net_idx);
void mp_cfg_req_netkey_add(struct mp_cfg_msg *m, uint16_t net_idx, const uint8_t key[16]);
void mp_cfg_req_netkey_update(struct mp_cfg_msg *m, uint16_t net_idx, const uint8_t key[16]);
void mp_cfg_req_netkey_delete(struct mp_cfg_msg *m, uint16_t net_idx);
void mp_cfg_req_netkey_get(struct mp_cfg_msg *m);
/** Model App Bind (@bind) or Unbind. */
void mp_cfg_req_model_app(struct mp_cfg_msg *m, bool bind, uint16_t elem_addr, uint16_t app_idx,
			  const struct mp_model_id *model);
/** SIG or Vendor Model App Get. */
void mp_cfg_req_model_app_get(struct mp_cfg_msg *m, uint16_t elem_addr,
			      const struct mp_model_id *model);
void mp_cfg_req_pub_get(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_model_id *model);
/** Model Publication Set, or Virtual Address Set when @label is not NULL
 *  (then @pub->addr is ignored). */
void mp_cfg_req_pub_set(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_cfg_pub *pub,
			const uint8_t *label, const struct mp_model_id *model);
/** Model Subscription Add, Delete or Overwrite (@opcode one of the three
 *  MP_CFG_OP_MODEL_SUBSCRIPTION_*), of the group address @addr, or of the
 *  virtual label @label when not NULL (the Virtual Address variant). */
void mp_cfg_req_sub(struct mp_cfg_msg *m, uint32_t opcode, uint16_t elem_addr, uint16_t addr,
		    const uint8_t *label, const struct mp_model_id *model);
void mp_cfg_req_sub_delete_all(struct mp_cfg_msg *m, uint16_t elem_addr,
			       const struct mp_model_id *model);
/** SIG or Vendor Model Subscription Get. */
void mp_cfg_req_sub_get(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_model_id *model);
/** A Get or Set of a one-octet node state: @opcode is the Get or Set of
 *  Beacon, Default TTL, GATT Proxy, Friend or Network Transmit; @state the
 *  value to set (ignored by a Get). */
void mp_cfg_req_state(struct mp_cfg_msg *m, uint32_t opcode, uint8_t state);
void mp_cfg_req_relay_get(struct mp_cfg_msg *m);
void mp_cfg_req_relay_set(struct mp_cfg_msg *m, uint8_t relay, uint8_t retransmit);
void mp_cfg_req_node_identity_get(struct mp_cfg_msg *m, uint16_t net_idx);
void mp_cfg_req_node_identity_set(struct mp_cfg_msg *m, uint16_t net_idx, uint8_t state);
void mp_cfg_req_krp_get(struct mp_cfg_msg *m, uint16_t net_idx);
void mp_cfg_req_krp_set(struct mp_cfg_msg *m, uint16_t net_idx, uint8_t transition);
void mp_cfg_req_hb_pub_get(struct mp_cfg_msg *m);
void mp_cfg_req_hb_pub_set(struct mp_cfg_msg *m, const struct mp_cfg_hb_pub *p);
void mp_cfg_req_hb_sub_get(struct mp_cfg_msg *m);
void mp_cfg_req_hb_sub_set(struct mp_cfg_msg *m, uint16_t src, uint16_t dst, uint8_t period_log);
void mp_cfg_req_lpn_poll_timeout_get(struct mp_cfg_msg *m, uint16_t lpn_addr);
void mp_cfg_req_node_reset(struct mp_cfg_msg *m);

#endif
