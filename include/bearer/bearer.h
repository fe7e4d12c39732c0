/* The provisioning bearer interface: what a provisioning session sees of a
 * link, whatever carries it (PB-ADV now, PB-GATT later).
 *
 * A bearer moves whole Provisioning PDUs (MshPRT v1.1 5.4.1) between two
 * peers: segmentation, reassembly, integrity checks, acknowledgments and
 * retransmissions happen below this interface. Downward, a session calls the
 * two operations of struct mp_bearer_ops through struct mp_bearer; upward,
 * the bearer calls the four callbacks of struct mp_bearer_cb on its owner.
 *
 * Re-entrancy: a session may call mp_bearer_send() and mp_bearer_close() from
 * inside any callback. The bearer makes each callback its last action on the
 * link, so the owner may even free the link from inside closed().
 */
#ifndef MP_BEARER_BEARER_H
#define MP_BEARER_BEARER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reason field of Link Close. MshPRT v1.1 5.3.1.4.3, Table 5.12; 0x03..0xFF
 * are Unrecognized and are reported as received. */
enum mp_link_close_reason {
	MP_LINK_CLOSE_SUCCESS = 0x00,
	MP_LINK_CLOSE_TIMEOUT = 0x01,
	MP_LINK_CLOSE_FAIL = 0x02,
};

/* Operations a session calls on its link. @link is mp_bearer.link. */
struct mp_bearer_ops {
	/* Short name for logs: "PB-ADV", "PB-GATT". */
	const char *name;
	/**
	 * Send one whole Provisioning PDU. Returns 0 once it is queued; the
	 * bearer calls delivered() when the peer acknowledged it. Only one PDU
	 * may be outstanding: -EBUSY until delivered(). -ENOTCONN when the link
	 * is not open, -EMSGSIZE when @len is 0 or above the bearer's limit.
	 */
	int (*send)(void *link, const uint8_t *pdu, size_t len);
	/**
	 * Close the link, telling the peer @reason (enum mp_link_close_reason).
	 * Any outstanding PDU is abandoned. closed() follows (err 0, remote
	 * false) once the bearer is done. -ENOTCONN when there is no link.
	 */
	int (*close)(void *link, uint8_t reason);
};

/* A link as a session holds it: the operations and their object. */
struct mp_bearer {
	const struct mp_bearer_ops *ops;
	void *link;
};

static inline int mp_bearer_send(const struct mp_bearer *b, const uint8_t *pdu, size_t len)
{
	return b->ops->send(b->link, pdu, len);
}

static inline int mp_bearer_close(const struct mp_bearer *b, uint8_t reason)
{
	return b->ops->close(b->link, reason);
}

/* Callbacks a bearer calls on its owner; @owner is the pointer given when
 * the link was created. Any callback may be NULL. */
struct mp_bearer_cb {
	/* The link is established (PB-ADV: Link Ack received or sent). */
	void (*opened)(void *owner);
	/**
	 * A complete Provisioning PDU from the peer: reassembled, FCS checked,
	 * acknowledged, and new (a retransmitted duplicate is acknowledged
	 * again but never delivered twice). @pdu is valid during the call only.
	 */
	void (*rx)(void *owner, const uint8_t *pdu, size_t len);
	/* The PDU of the last send() reached the peer (it was acknowledged). */
	void (*delivered)(void *owner);
	/**
	 * The link is gone; no callback follows, and the owner may free the
	 * link here. @err is 0 after a Link Close, either received from the
	 * peer (@remote true, @reason as received) or sent by us after close()
	 * (@remote false). @err is -ETIMEDOUT when we gave up (@remote false,
	 * @reason MP_LINK_CLOSE_TIMEOUT, told to the peer): the link could not
	 * be established in time, or a PDU was not acknowledged in time.
	 */
	void (*closed)(void *owner, int err, uint8_t reason, bool remote);
};

#endif
