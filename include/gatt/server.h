/* The device side of PB-GATT (or of a Mesh Proxy): a minimal ATT server for
 * one connection, whose database is exactly one Mesh service.
 * Core v5.4 Vol 3 Part F (ATT), Part G 3 (service definition) and 4 (the
 * procedures it must serve); MshPRT v1.1 7.1 / 7.2.
 *
 * The attribute database, fixed (with the Mesh Provisioning UUIDs; another
 * struct mp_gatt_service_uuids changes only the three UUIDs):
 *
 *   handle  type     value                       permissions
 *   0x0001  0x2800   27 18 (service UUID)        read
 *   0x0002  0x2803   04 03 00 db 2a              read
 *                    (Write Without Response, value handle 0x0003, Data In)
 *   0x0003  0x2adb   Data In value               write command only
 *   0x0004  0x2803   10 05 00 dc 2a              read
 *                    (Notify, value handle 0x0005, Data Out)
 *   0x0005  0x2adc   Data Out value              none (notified only)
 *   0x0006  0x2902   Client Characteristic       read, write request
 *                    Configuration, 2 octets LE
 *
 * The service group is 0x0001..0x0006. The server answers, as Core v5.4
 * Vol 3 Part F 3.4 requires:
 *  - Exchange MTU Request: our Server Rx MTU (517 unless configured);
 *    ATT_MTU = min(the client's, ours), set by the first exchange only;
 *  - Find Information, Find By Type Value, Read By Type, Read By Group Type
 *    over any range (primary and secondary service discovery by UUID or
 *    all, characteristic and descriptor discovery, Read Using
 *    Characteristic UUID), responses filled up to ATT_MTU; Attribute Not
 *    Found when nothing matches; Unsupported Group Type for a group type
 *    other than 0x2800 / 0x2801; Invalid Handle for a range starting at 0
 *    or ending before it starts;
 *  - Read and Read Blob: the declarations and the CCCD; Read Not Permitted
 *    on Data In and Data Out; Invalid Handle outside 0x0001..0x0006;
 *    Invalid Offset past the end;
 *  - Write Request: the CCCD only (2 octets, else Invalid Attribute Value
 *    Length; the indication bit, which Data Out does not support, is Value
 *    Not Allowed), Write Not Permitted elsewhere; each accepted write is
 *    reported through cccd(owner, notify bit);
 *  - Write Command to Data In: data_in(owner, value, len); commands to
 *    other attributes and unknown commands are ignored (commands are never
 *    answered);
 *  - a malformed request: Invalid PDU; Read Multiple, Prepare / Execute
 *    Write and unknown requests: Request Not Supported (optional features,
 *    Part G 4.2).
 * Every Error Response names the request and the handle in error.
 *
 * The object is pure: PDUs come in through mp_gatt_server_rx(), go out
 * through ops->tx(). The server never sends a request or an indication, so
 * it needs no timer. Rules for the owner: tx() must not call back into the
 * server; data_in(), cccd() and mtu() may call anything, including
 * mp_gatt_server_notify() and mp_gatt_server_free().
 */
#ifndef MP_GATT_SERVER_H
#define MP_GATT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gatt/att.h"
#include "gatt/gatt.h"

/* The fixed handles of the database above. */
enum mp_gatt_server_handle {
	MP_GATT_SERVER_SERVICE = 0x0001,
	MP_GATT_SERVER_DATA_IN_DECL = 0x0002,
	MP_GATT_SERVER_DATA_IN = 0x0003,
	MP_GATT_SERVER_DATA_OUT_DECL = 0x0004,
	MP_GATT_SERVER_DATA_OUT = 0x0005,
	MP_GATT_SERVER_CCCD = 0x0006,
	MP_GATT_SERVER_LAST = 0x0006,
};

struct mp_gatt_server_ops {
	/** Required: send one ATT PDU (at most ATT_MTU octets); @pdu is valid
	 * during the call only. */
	void (*tx)(void *owner, const uint8_t *pdu, size_t len);
	/** A Write Command to Data In carried @value (1..att_mtu - 3 octets;
	 * empty writes are dropped); valid during the call only. */
	void (*data_in)(void *owner, const uint8_t *value, size_t len);
	/** The client wrote the CCCD (every accepted write, also one that
	 * changes nothing): @enabled is its notification bit. */
	void (*cccd)(void *owner, bool enabled);
	/** Optional: an Exchange MTU set ATT_MTU to @att_mtu. */
	void (*mtu)(void *owner, uint16_t att_mtu);
};

struct mp_gatt_server_config {
	/* The service to expose; all zero for the Mesh Provisioning Service. */
	struct mp_gatt_service_uuids uuids;
	/* Our Server Rx MTU, 23..517; 0 for MP_ATT_MTU_MAX. */
	uint16_t mtu;
	const struct mp_gatt_server_ops *ops;	/* tx is required */
	void *owner;				/* passed to every op */
};

struct mp_gatt_server;

/** Create a server for a new connection: ATT_MTU 23, notifications off.
 * Returns NULL with errno EINVAL (no ops or tx; an MTU outside 23..517; a
 * UUID of the triple 0 while another is not) or ENOMEM. */
struct mp_gatt_server *mp_gatt_server_new(const struct mp_gatt_server_config *cfg);

/** Free the server. NULL is a no-op. */
void mp_gatt_server_free(struct mp_gatt_server *s);

/**
 * Feed one received ATT PDU; every request is answered through tx() before
 * this returns. Returns 0 when it was served (also with an Error Response),
 * or why it was ignored: -EBADMSG an empty PDU, or a malformed command;
 * -EMSGSIZE a PDU longer than ATT_MTU (a request gets Invalid PDU);
 * -ENOENT a Write Command to another attribute than Data In, or an empty one;
 * -EOPNOTSUPP an unknown or unsupported command; -EPROTO a response,
 * notification, indication or confirmation (a server sends no request or
 * indication, so none is expected).
 */
int mp_gatt_server_rx(struct mp_gatt_server *s, const uint8_t *pdu, size_t len);

/**
 * Notify @value on Data Out (Handle Value Notification, Part G 4.10).
 * Returns 0 once handed to tx(); -ENOTCONN while the client has not enabled
 * notifications; -EINVAL for a NULL @value; -EMSGSIZE when @len is 0 or
 * above att_mtu - 3.
 */
int mp_gatt_server_notify(struct mp_gatt_server *s, const uint8_t *value, size_t len);

/** The bearer's current ATT_MTU. */
uint16_t mp_gatt_server_mtu(const struct mp_gatt_server *s);

/** True when the client enabled notifications on Data Out. */
bool mp_gatt_server_notifying(const struct mp_gatt_server *s);

#endif
