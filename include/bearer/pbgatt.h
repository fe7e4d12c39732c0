/* PB-GATT: Provisioning PDUs over one GATT connection. MshPRT v1.1 5.2.2
 *
 * One struct mp_pbgatt is one end of one connection to the Mesh Provisioning
 * Service, in either role: the provisioner (GATT client) writes Mesh
 * Provisioning Data In and receives notifications of Data Out; the device
 * (GATT server) the reverse. The bearer itself does not care: it sends ATT
 * values through tx() and is fed received ones through mp_pbgatt_rx(). Each
 * ATT value is one Proxy PDU (bearer/proxy.h) of Message Type Provisioning
 * PDU; a Provisioning PDU longer than ATT_MTU - 4 octets is segmented.
 *
 * The link is a struct mp_bearer (bearer/bearer.h), so a provisioning
 * session runs on it as on PB-ADV. What differs, and how this file maps it:
 *  - Opening: there is no Link Open. The owner calls mp_pbgatt_ready() once
 *    the GATT layer is usable (client: notifications of Data Out enabled;
 *    server: the client wrote the CCCD of Data Out), and opened() follows.
 *  - Delivery: GATT is reliable (ATT over L2CAP, on an acknowledged link
 *    layer), so there is no Transaction Ack: a PDU counts as delivered once
 *    tx() accepted all of its segments. delivered() is never called from
 *    inside send(), since the session marks itself busy only after send()
 *    returns; it is deferred through timer MP_PBGATT_TIMER_DELIVER, armed
 *    with MP_PBGATT_DEFER_MS (the shortest delay there is, 0 meaning
 *    cancel). A PDU received from the peer first reports delivered() at
 *    once: the peer answered, so it had ours.
 *  - Closing: there is no Link Close either; a link ends with its
 *    connection. close(), a malformed Proxy PDU, an expired SAR timer or a
 *    failed tx() all ask the owner to drop the connection (disconnect())
 *    and move to CLOSING; the owner reports the end of the connection with
 *    mp_pbgatt_disconnected(), and only then is closed() reported: with
 *    @remote false and the error and reason of why we closed. A connection
 *    that drops without us asking reports closed(@err as given, @remote
 *    true). closed() is therefore only ever called from inside
 *    mp_pbgatt_disconnected(), as its last action, so the owner may free
 *    the link there (the bearer.h rule).
 *  - Reception: Proxy PDUs are reassembled (bearer/proxy.h); complete
 *    Provisioning PDUs go to rx(); complete messages of any other Message
 *    Type are ignored and counted (mp_pbgatt_ignored()). A Proxy PDU that
 *    breaks the SAR rules closes the link with the reassembler's error
 *    (-EBADMSG, -ENOMSG, -EALREADY, -EPROTOTYPE, -EMSGSIZE) and reason
 *    MP_LINK_CLOSE_FAIL (MshPRT v1.1 6.3.2.2: the connection is dropped). A
 *    segmented message not complete within 20 s (MP_PROXY_SAR_TIMEOUT_MS,
 *    timer MP_PBGATT_TIMER_SAR, from its First segment) closes the link
 *    with -ETIMEDOUT and reason MP_LINK_CLOSE_TIMEOUT.
 *
 * The object is pure: no clock, no file descriptor, no global. Rules for
 * the owner: tx(), timer() and disconnect() must not call back into the
 * link (queue, arm, schedule, return); everything else may be called from
 * inside the upward callbacks; mp_pbgatt_free() only from closed() or from
 * outside any callback. One link serves one connection: after closed(),
 * free it; a new connection gets a new link.
 */
#ifndef MP_BEARER_PBGATT_H
#define MP_BEARER_PBGATT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bearer/bearer.h"
#include "bearer/gprov.h"
#include "bearer/proxy.h"

/*
 * The longest Provisioning PDU sent or (by default) accepted: the same as
 * PB-ADV's, so that a session behaves alike on both bearers. Most PDUs are
 * at most 65 octets (Public Key); a Provisioning Record Response carries a
 * fragment of the size the provisioner asked for, and the provisioning
 * layer checks exact lengths per type.
 */
#define MP_PBGATT_PDU_MAX MP_GPROV_PDU_MAX
/* The delay that stands for "as soon as possible" in timer(). */
#define MP_PBGATT_DEFER_MS 1

enum mp_pbgatt_role {
	MP_PBGATT_PROVISIONER,	/* GATT client: writes Data In, notified on Data Out */
	MP_PBGATT_DEVICE,	/* GATT server: notifies Data Out, written on Data In */
};

enum mp_pbgatt_state {
	MP_PBGATT_WAITING,	/* created; the GATT layer is not ready yet */
	MP_PBGATT_OPEN,		/* ready: PDUs flow */
	MP_PBGATT_CLOSING,	/* disconnect() asked; waiting for mp_pbgatt_disconnected() */
	MP_PBGATT_CLOSED,	/* closed() was reported */
};

/* The timers of a link, the @id of timer() and mp_pbgatt_timeout(). */
enum mp_pbgatt_timer {
	MP_PBGATT_TIMER_SAR = 0,	/* 20 s for a segmented message to complete */
	MP_PBGATT_TIMER_DELIVER = 1,	/* deferred delivered() */
	MP_PBGATT_TIMERS
};

/* Downward: what the link asks of its owner. @user is mp_pbgatt_config.user. */
struct mp_pbgatt_ops {
	/**
	 * Send one ATT value (one Proxy PDU, 2 .. mp_proxy_pdu_size(ATT_MTU)
	 * octets): a Write Without Response to Data In for the provisioner, a
	 * notification of Data Out for the device. @value is valid during the
	 * call only. Returns 0 when the value was queued in order behind the
	 * earlier ones, or a negative errno (-ENOTCONN, -ENOBUFS...): the link
	 * then gives up (see mp_pbgatt_send()).
	 */
	int (*tx)(void *user, const uint8_t *value, size_t len);
	/** Arm timer @id (enum mp_pbgatt_timer) to expire @delay_ms from now,
	 * replacing any earlier arming of @id; @delay_ms 0 cancels it. On
	 * expiry the owner calls mp_pbgatt_timeout(link, id) once. */
	void (*timer)(void *user, unsigned id, uint32_t delay_ms);
	/** Drop the connection. The owner then calls mp_pbgatt_disconnected()
	 * once it is gone (later, never from inside this call). */
	void (*disconnect)(void *user);
};

struct mp_pbgatt_config {
	enum mp_pbgatt_role role;
	const struct mp_pbgatt_ops *ops;	/* tx, timer and disconnect are required */
	const struct mp_bearer_cb *cb;		/* may be NULL */
	void *user;				/* passed to ops and cb */
	/* Longest Provisioning PDU accepted, 1..MP_PBGATT_PDU_MAX; 0 for
	 * MP_PBGATT_PDU_MAX. A longer one closes the link with -EMSGSIZE. */
	size_t rx_max;
};

struct mp_pbgatt;

/** Create a link in state WAITING, with ATT_MTU 23. Returns NULL with errno
 * EINVAL (a required op missing, unknown role, rx_max too large) or ENOMEM.
 * The config is copied. */
struct mp_pbgatt *mp_pbgatt_new(const struct mp_pbgatt_config *cfg);

/** Cancel the link's timers (through timer()) and free it. NULL is a no-op. */
void mp_pbgatt_free(struct mp_pbgatt *link);

/**
 * The connection's ATT_MTU (after an Exchange MTU), used from the next
 * send() on. Returns 0, or -EINVAL below 23 (MP_PROXY_ATT_MTU_MIN).
 */
int mp_pbgatt_set_mtu(struct mp_pbgatt *link, unsigned att_mtu);

/** The ATT_MTU in use. */
unsigned mp_pbgatt_mtu(const struct mp_pbgatt *link);

/**
 * The GATT layer is ready (notifications of Data Out are enabled): the link
 * opens and opened() is reported. Returns 0, -EALREADY when already open,
 * -ENOTCONN when closing or closed.
 */
int mp_pbgatt_ready(struct mp_pbgatt *link);

/**
 * Send a Provisioning PDU (mp_bearer_ops.send): its Proxy PDUs go out
 * through tx() at once, and delivered() follows from the deferred timer.
 * Returns 0; -ENOTCONN unless OPEN; -EBUSY while the previous PDU is not
 * reported delivered; -EMSGSIZE for 0 or more than MP_PBGATT_PDU_MAX
 * octets; -EINVAL for a NULL @pdu; or the error of a failing tx(), after
 * which the PDU is abandoned, the link is CLOSING (disconnect() was asked)
 * and closed(that error, MP_LINK_CLOSE_FAIL, false) follows the owner's
 * mp_pbgatt_disconnected().
 */
int mp_pbgatt_send(struct mp_pbgatt *link, const uint8_t *pdu, size_t len);

/**
 * Close (mp_bearer_ops.close): abandon any outstanding PDU and any partly
 * received one, ask the owner to disconnect, and report closed(0, @reason,
 * false) once the owner calls mp_pbgatt_disconnected(). Nothing is sent:
 * PB-GATT has no Link Close, @reason is only reported back. Returns 0,
 * -EALREADY while closing, -ENOTCONN when closed.
 */
int mp_pbgatt_close(struct mp_pbgatt *link, uint8_t reason);

/**
 * Feed one received ATT value (a Proxy PDU). Returns 0 when it was used
 * (a segment taken, or a Provisioning PDU delivered through rx()), or why
 * not: -ENOTCONN unless OPEN (ignored), -EOPNOTSUPP a complete message of
 * another Message Type (ignored and counted), or a SAR error of
 * mp_proxy_rx_feed() (the link is then CLOSING, see the top of this file).
 * Nothing is trusted from @value.
 */
int mp_pbgatt_rx(struct mp_pbgatt *link, const uint8_t *value, size_t len);

/** Timer @id expired. A stale expiry (not armed) is ignored. */
void mp_pbgatt_timeout(struct mp_pbgatt *link, unsigned id);

/**
 * The connection is gone. In CLOSING (we asked) closed(err, reason, false)
 * reports why we closed, @err is not used; otherwise the peer or the
 * controller dropped it: closed(@err, reason, true), with @err 0 for a
 * normal disconnection by the peer or a negative errno (-ETIMEDOUT for a
 * supervision timeout...), and a reason derived from it: SUCCESS for 0,
 * TIMEOUT for -ETIMEDOUT, FAIL for anything else. Returns 0, or -ENOTCONN
 * when already CLOSED (nothing reported).
 */
int mp_pbgatt_disconnected(struct mp_pbgatt *link, int err);

/** The link's state. */
enum mp_pbgatt_state mp_pbgatt_state(const struct mp_pbgatt *link);

/** The role it was created with. */
enum mp_pbgatt_role mp_pbgatt_role(const struct mp_pbgatt *link);

/** Complete messages received of another Message Type than Provisioning
 * PDU, ignored. */
unsigned mp_pbgatt_ignored(const struct mp_pbgatt *link);

/** The link as a struct mp_bearer, for a provisioning session. */
struct mp_bearer mp_pbgatt_bearer(struct mp_pbgatt *link);

#endif
