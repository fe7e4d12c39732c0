/* The Bluetooth Management interface: HCI's control channel, where the
 * kernel keeps its own settings of each controller (issue 16).
 *
 * meshprov drives the controller through the raw channel, but one setting
 * lives in the kernel: "LE" (Low Energy enabled in the host). On a
 * dual-mode controller the kernel turns it on only when asked (bluetoothd
 * asks at start; `hciconfig hci0 up` does not), and without it every LE
 * connection the kernel would make for us is refused at once (L2CAP
 * connect(): ECONNREFUSED), so PB-GATT cannot work. Scanning and
 * advertising through the raw channel do not depend on it.
 *
 * This is a small codec of the packets (BlueZ doc/mgmt-api.txt, "Packet
 * Structures": a 6-octet header, all fields little-endian) for the two
 * commands meshprov sends, Read Controller Information and Set Low Energy,
 * and a synchronous call on a control-channel socket, bounded in time.
 *
 * Permission: any process may open the control channel and read a
 * controller's information; the kernel marks the socket trusted only when
 * its opener holds CAP_NET_ADMIN at bind(), and refuses every command that
 * changes something on an untrusted socket with Permission Denied.
 */
#ifndef MP_HCI_MGMT_H
#define MP_HCI_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hci/hci.h"

/* Header of commands and events: code, controller index, parameter length. */
#define MP_MGMT_HDR_LEN		6
#define MP_MGMT_INDEX_NONE	0xffff	/* <non-controller> */

/* Commands (mgmt-api.txt). */
#define MP_MGMT_OP_READ_INFO	0x0004	/* Read Controller Information */
#define MP_MGMT_OP_SET_LE	0x000d	/* Set Low Energy */

/* Events. */
#define MP_MGMT_EV_CMD_COMPLETE	0x0001	/* Command_Opcode(2) Status(1) Return_Parameters */
#define MP_MGMT_EV_CMD_STATUS	0x0002	/* Command_Opcode(2) Status(1) */

/* Status codes (mgmt-api.txt, "Error Codes"), those named in the code. */
#define MP_MGMT_SUCCESS		0x00
#define MP_MGMT_UNKNOWN_COMMAND	0x01
#define MP_MGMT_BUSY		0x0a
#define MP_MGMT_REJECTED	0x0b
#define MP_MGMT_NOT_SUPPORTED	0x0c
#define MP_MGMT_INVALID_INDEX	0x11
#define MP_MGMT_PERMISSION_DENIED 0x14

/* Bits of Supported_Settings and Current_Settings. */
#define MP_MGMT_SETTING_POWERED	(1u << 0)
#define MP_MGMT_SETTING_BREDR	(1u << 7)
#define MP_MGMT_SETTING_LE	(1u << 9)

/* The fixed length of Read Controller Information's return parameters:
 * Address 6, Bluetooth_Version 1, Manufacturer 2, Supported_Settings 4,
 * Current_Settings 4, Class_Of_Device 3, Name 249, Short_Name 11. */
#define MP_MGMT_INFO_LEN	280

/* ---- codec (pure) ---- */

/**
 * Encode command @op for controller @index with @len parameter octets into
 * @out. Returns the packet's length, or -EMSGSIZE when it does not fit @cap
 * (or @len exceeds 65535).
 */
int mp_mgmt_encode_cmd(uint8_t *out, size_t cap, uint16_t op, uint16_t index,
		       const void *params, size_t len);

/** An event received on the control channel, as far as meshprov reads it. */
struct mp_mgmt_event {
	uint16_t code;		/* MP_MGMT_EV_* or another event */
	uint16_t index;
	const uint8_t *params;	/* the event's parameters, within the packet */
	size_t plen;
	/* Command Complete and Command Status */
	uint16_t opcode;
	uint8_t status;
	const uint8_t *ret;	/* Command Complete: Return_Parameters, else NULL */
	size_t ret_len;
};

/**
 * Decode one event packet: the header's length must match @len exactly, and
 * Command Complete and Command Status must hold their opcode and status
 * (Command Status nothing more). Other events are returned with only the
 * header fields. Returns 0, or -EBADMSG for a short or malformed packet.
 */
int mp_mgmt_parse_event(const uint8_t *pkt, size_t len, struct mp_mgmt_event *ev);

/** What Read Controller Information returns, as far as meshprov uses it. */
struct mp_mgmt_info {
	uint8_t addr[6];	/* LSB first */
	uint8_t version;
	uint16_t manufacturer;
	uint32_t supported;	/* MP_MGMT_SETTING_* */
	uint32_t current;
};

/**
 * Decode Read Controller Information's return parameters (at least
 * MP_MGMT_INFO_LEN octets; what a later kernel appends is ignored).
 * Returns 0 or -EBADMSG when too short.
 */
int mp_mgmt_parse_info(const uint8_t *p, size_t len, struct mp_mgmt_info *info);

/**
 * Decode a Current_Settings return (Set Low Energy and the other setters):
 * at least 4 octets. Returns 0 or -EBADMSG.
 */
int mp_mgmt_parse_settings(const uint8_t *p, size_t len, uint32_t *settings);

/** The document's name of status @status ("Permission Denied"), or "unknown status". */
const char *mp_mgmt_strstatus(uint8_t status);

/* ---- the socket ---- */

/**
 * Open a control-channel socket (AF_BLUETOOTH, BTPROTO_HCI,
 * HCI_CHANNEL_CONTROL) into @fd. @admin (NULL: the capabilities as they
 * are) is raised around bind(), where the kernel decides whether the socket
 * is trusted (CAP_NET_ADMIN). Returns 0 or the -errno of socket() or bind()
 * (-EAFNOSUPPORT: no Bluetooth; -EINVAL: a kernel without the channel).
 */
int mp_mgmt_open(const struct mp_hci_priv *admin, int *fd);

/**
 * Send command @op for @index on @fd (a packet socket: the control channel,
 * or in tests one end of a socketpair) and wait at most @timeout_ms for its
 * Command Complete or Command Status; other events, and replies to other
 * commands or controllers, are skipped. On 0, *@status is the reply's
 * status, and a Command Complete's return parameters are copied into @ret
 * (up to @ret_cap octets; *@ret_len says how many there were, which may
 * exceed @ret_cap). Returns 0, -ETIMEDOUT (no reply in time), -EBADMSG (a
 * malformed packet on the channel), -EMSGSIZE, or the -errno of send/recv.
 */
int mp_mgmt_call(int fd, uint16_t op, uint16_t index, const void *params, size_t len,
		 int timeout_ms, uint8_t *status, uint8_t *ret, size_t ret_cap, size_t *ret_len);

/**
 * Read controller @index's LE setting on @fd into @r (mp_hci_le_report,
 * hci/hci.h) and, when it is off and @turn_on, send Set Low Energy (on).
 * Each call waits at most @timeout_ms. Returns 0 when the setting was read
 * (r->le_on says how it is now, r->turned_on whether this call changed it,
 * r->set_status why Set LE was refused), or the -errno that kept it from
 * being read (-EPROTO: the kernel answered Read Controller Information with
 * a failure status, in r->status; else as mp_mgmt_call()); r->err holds the
 * same.
 */
int mp_mgmt_le_ensure(int fd, uint16_t index, bool turn_on, int timeout_ms,
		      struct mp_hci_le_report *r);

#endif
