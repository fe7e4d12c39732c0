/* The provisioner's GATT client for one connection: finds a Mesh service
 * (Provisioning 0x1827 or Proxy 0x1828) on the server, subscribes to its
 * Data Out, then writes Data In and receives Data Out notifications.
 * Core v5.4 Vol 3 Part F (ATT), Part G 4 (GATT procedures); MshPRT v1.1 7.1.
 *
 * mp_gatt_client_start() runs, one request at a time (Core v5.4 Vol 3 Part
 * F 3.3.2), each step only after the previous one succeeded:
 *  1. MTU exchange: Exchange MTU Request with our Client Rx MTU (517 unless
 *     configured; skipped when configured as 23). ATT_MTU becomes min(ours,
 *     the server's); a server that answers Request Not Supported keeps 23
 *     (the procedure is optional for servers, Part G 4.3.1).
 *  2. service discovery: Discover Primary Service by Service UUID (Part G
 *     4.4.2), a Find By Type Value Request for type 0x2800 and the service's
 *     16-bit UUID over 0x0001..0xFFFF; the first instance is used.
 *     Attribute Not Found means the server has no such service.
 *  3. characteristic discovery: Discover All Characteristics of the service
 *     (Part G 4.6.1), Read By Type Requests for 0x2803 over the service's
 *     range, each starting after the last declaration found, until the range
 *     is exhausted or Attribute Not Found. Data In must have Write Without
 *     Response, Data Out Notify.
 *  4. descriptor discovery: Discover All Characteristic Descriptors (Part G
 *     4.7.1) of Data Out, Find Information Requests from its value handle + 1
 *     to the end of the characteristic, until its Client Characteristic
 *     Configuration descriptor (0x2902) is found.
 *  5. enabling notifications: Write Request of 0x0001 to that descriptor
 *     (Part G 4.12.3, MshPRT v1.1 7.1.3.1).
 * then reports ready(owner, att_mtu). From then on mp_gatt_client_write()
 * sends Write Commands to Data In and each Handle Value Notification on
 * Data Out comes up through notify().
 *
 * Any failure is final: failed(owner, -errno, reason) is reported once, with
 * a reason that names the step and the cause, e.g. "service discovery:
 * Attribute Not Found (0x0a): no service 0x1827", and the client ignores
 * everything after it; the owner should disconnect. Causes: an Error
 * Response to a step (its errno from mp_att_error_errno(): -ENOENT for
 * Attribute Not Found), a missing service, characteristic or descriptor
 * (-ENOENT), Data In without Write Without Response or Data Out without
 * Notify (-EOPNOTSUPP), a response or Error Response that does not answer
 * the outstanding request, or comes when none is (-EPROTO), a malformed PDU
 * or one longer than ATT_MTU (-EBADMSG), a notification too long for
 * ATT_MTU (-EMSGSIZE), no answer within 30 s (-ETIMEDOUT; Core v5.4 Vol 3
 * Part F 3.3.3).
 *
 * The peer may also act as a client towards us. We have no attributes, so
 * its Exchange MTU Request is answered with our Rx MTU, its discovery
 * requests with Attribute Not Found, reads and writes with Invalid Handle,
 * other requests with Request Not Supported (Part F 3.4.9); Handle Value
 * Indications are confirmed and otherwise ignored; commands are ignored.
 *
 * The object is pure: no clock, no file descriptor, no global. ATT PDUs
 * and the timer's expiry come in through mp_gatt_client_rx() and
 * mp_gatt_client_timeout(); PDUs and timer requests go out through struct
 * mp_gatt_client_ops. Rules for the owner: tx() and timer() must not call
 * back into the client; ready(), notify() and failed() may call anything,
 * including mp_gatt_client_free() (each is the client's last action).
 */
#ifndef MP_GATT_CLIENT_H
#define MP_GATT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gatt/att.h"
#include "gatt/gatt.h"

/* What the client is doing: the step names of the description above. */
enum mp_gatt_client_state {
	MP_GATT_CLIENT_IDLE,		/* created, not started */
	MP_GATT_CLIENT_MTU,		/* Exchange MTU Request outstanding */
	MP_GATT_CLIENT_SERVICE,		/* Find By Type Value Request outstanding */
	MP_GATT_CLIENT_CHARS,		/* Read By Type Request outstanding */
	MP_GATT_CLIENT_DESCS,		/* Find Information Request outstanding */
	MP_GATT_CLIENT_CCCD,		/* Write Request outstanding */
	MP_GATT_CLIENT_READY,
	MP_GATT_CLIENT_FAILED,		/* failed() was reported */
};

/* The handles found by discovery (0: not found yet). */
struct mp_gatt_handles {
	uint16_t service_start, service_end;
	uint16_t data_in_decl, data_in;		/* declaration, value */
	uint16_t data_out_decl, data_out;
	uint16_t data_out_end;			/* last handle of Data Out's characteristic */
	uint16_t cccd;				/* Data Out's Client Characteristic Configuration */
	uint8_t data_in_props, data_out_props;
};

/* What the client asks of, and tells, its owner (mp_gatt_client_config.owner). */
struct mp_gatt_client_ops {
	/** Required: send one ATT PDU (at most ATT_MTU octets) on the
	 * connection's ATT channel; @pdu is valid during the call only. */
	void (*tx)(void *owner, const uint8_t *pdu, size_t len);
	/** Required: arm the client's one timer to expire @delay_ms from now,
	 * replacing any earlier arming; 0 cancels it. On expiry the owner
	 * calls mp_gatt_client_timeout() once. */
	void (*timer)(void *owner, uint32_t delay_ms);
	/** Discovery is done and notifications are enabled; @att_mtu is the
	 * bearer's ATT_MTU (a write may carry up to att_mtu - 3 octets). */
	void (*ready)(void *owner, uint16_t att_mtu);
	/** A Handle Value Notification on Data Out (after ready only);
	 * @value (1..att_mtu - 3 octets, or 0) is valid during the call only. */
	void (*notify)(void *owner, const uint8_t *value, size_t len);
	/** The client gave up: @err is a negative errno, @reason says which
	 * step failed and why (valid during the call; mp_gatt_client_reason()
	 * keeps it). Nothing is reported after it. */
	void (*failed)(void *owner, int err, const char *reason);
};

struct mp_gatt_client_config {
	/* The service to use; all zero for the Mesh Provisioning Service. */
	struct mp_gatt_service_uuids uuids;
	/* Our Client Rx MTU, 23..517; 0 for MP_ATT_MTU_MAX. */
	uint16_t mtu;
	const struct mp_gatt_client_ops *ops;	/* tx and timer are required */
	void *owner;				/* passed to every op */
};

struct mp_gatt_client;

/** Create a client in state IDLE. Returns NULL with errno EINVAL (no ops,
 * tx or timer; an MTU outside 23..517; a UUID of the triple 0 while another
 * is not) or ENOMEM. The config is copied. */
struct mp_gatt_client *mp_gatt_client_new(const struct mp_gatt_client_config *cfg);

/** Cancel the timer (through timer()) and free the client. NULL is a no-op. */
void mp_gatt_client_free(struct mp_gatt_client *c);

/** Start the procedures above (the connection is up, ATT_MTU 23). Returns 0
 * or -EALREADY unless IDLE. */
int mp_gatt_client_start(struct mp_gatt_client *c);

/**
 * Feed one received ATT PDU. Returns 0 when it was used (a failure it
 * caused is reported through failed(), not here), or why it was ignored:
 * -ENOTCONN before start or after failure; -ENOENT a notification of
 * another attribute or before ready, or an indication (confirmed, then
 * dropped); -EOPNOTSUPP a command, a confirmation, or a Multiple Handle
 * Value Notification. Nothing is trusted from @pdu.
 */
int mp_gatt_client_rx(struct mp_gatt_client *c, const uint8_t *pdu, size_t len);

/** The timer expired. With a request outstanding the transaction failed
 * (-ETIMEDOUT); a stale expiry is ignored. */
void mp_gatt_client_timeout(struct mp_gatt_client *c);

/**
 * Write @value to Data In with a Write Command (Part G 4.9.1). Returns 0
 * once handed to tx(); -ENOTCONN unless READY; -EINVAL for a NULL @value;
 * -EMSGSIZE when @len is 0 or above att_mtu - 3.
 */
int mp_gatt_client_write(struct mp_gatt_client *c, const uint8_t *value, size_t len);

/** The client's state. */
enum mp_gatt_client_state mp_gatt_client_state(const struct mp_gatt_client *c);

/** The step name of @state, for logs: "idle", "MTU exchange", "service
 * discovery", "characteristic discovery", "descriptor discovery",
 * "enabling notifications", "ready", "failed". */
const char *mp_gatt_client_state_name(enum mp_gatt_client_state state);

/** The step the client is in, or (once FAILED) the step that failed. */
const char *mp_gatt_client_step(const struct mp_gatt_client *c);

/** The reason given with failed(), or "" before any failure. */
const char *mp_gatt_client_reason(const struct mp_gatt_client *c);

/** The bearer's current ATT_MTU (23 until an exchange raised it). */
uint16_t mp_gatt_client_mtu(const struct mp_gatt_client *c);

/** The handles discovered so far. */
const struct mp_gatt_handles *mp_gatt_client_handles(const struct mp_gatt_client *c);

#endif
