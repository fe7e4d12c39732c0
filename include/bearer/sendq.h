/* A queued send in front of a provisioning bearer.
 *
 * A bearer (bearer/bearer.h) takes one PDU at a time: send() is -EBUSY
 * until delivered(). The provisioner and the simulated device may send two
 * PDUs back to back (Start then Public Key; Input Complete then
 * Confirmation), so each owner queued behind the bearer: this is that
 * queue, once. A bounded FIFO of whole PDUs; the head goes to the bearer
 * as soon as it is free, the next on mp_sendq_delivered().
 *
 * Pure: no fd, no clock, no callback. The owner forwards its bearer's
 * events (attach when the link is there, delivered(), close when it is
 * gone); every error comes back as the return value of the call that met
 * it, so the queue may be driven from inside any bearer callback.
 */
#ifndef MP_BEARER_SENDQ_H
#define MP_BEARER_SENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bearer/bearer.h"

/* The most PDUs one queue holds, and the longest PDU: a Provisioning PDU
 * is at most 65 octets (Public Key, MshPRT v1.1 5.4.1.3). */
#define MP_SENDQ_MAX 4
#define MP_SENDQ_PDU_MAX 65

struct mp_sendq {
	struct mp_bearer bearer;	/* ops NULL: no bearer attached */
	bool busy;			/* a PDU is outstanding on the bearer */
	unsigned int cap, head, count;
	size_t len[MP_SENDQ_MAX];
	uint8_t pdu[MP_SENDQ_MAX][MP_SENDQ_PDU_MAX];
};

/** An empty queue of @cap PDUs (1..MP_SENDQ_MAX; cut to that), no bearer. */
void mp_sendq_init(struct mp_sendq *q, unsigned int cap);

/**
 * Send through @b from now on (the link is there). Nothing is outstanding
 * on a new bearer; the queue is kept as it is.
 */
void mp_sendq_attach(struct mp_sendq *q, struct mp_bearer b);

/** True when a bearer is attached. */
bool mp_sendq_attached(const struct mp_sendq *q);

/**
 * Queue one PDU (copied) and hand the head to the bearer if it is free.
 * Returns 0; -ENOTCONN when no bearer is attached, -EMSGSIZE when @len is 0
 * or above MP_SENDQ_PDU_MAX, -ENOBUFS when the queue is full (nothing is
 * queued then); or the bearer's error when it refused the PDU handed to it
 * now: that PDU is dropped, and the next waits for the next call.
 */
int mp_sendq_send(struct mp_sendq *q, const uint8_t *pdu, size_t len);

/**
 * The bearer reported delivered(): the next PDU, if any, goes to it.
 * Returns 0, or the bearer's error as mp_sendq_send() does.
 */
int mp_sendq_delivered(struct mp_sendq *q);

/**
 * The bearer is gone (closed(), or the owner drops it): detach it, drop
 * and wipe every queued PDU. The queue may be attached again.
 */
void mp_sendq_close(struct mp_sendq *q);

#endif
