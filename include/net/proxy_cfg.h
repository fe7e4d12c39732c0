/* Proxy configuration messages: what a Proxy Client and a Proxy Server say
 * to each other about the proxy filter (MshPRT v1.1 6.6, 6.7), as a pure
 * codec.
 *
 * A proxy configuration message is the TransportPDU of a Network PDU under
 * the proxy nonce (MP_NET_PROXY_CONFIG: CTL 1, TTL 0, DST unassigned,
 * net/net.h), carried in a Proxy PDU of Message Type Proxy Configuration
 * (0x02, bearer/proxy.h). Its first octet is the opcode (6.7, Table 6.7):
 *
 *   0x00 Set Filter Type            FilterType (1)
 *   0x01 Add Addresses To Filter    AddressArray (2 * N, big-endian)
 *   0x02 Remove Addresses From Filter  AddressArray (2 * N)
 *   0x03 Filter Status              FilterType (1), ListSize (2, big-endian)
 *   0x04 DIRECTED_PROXY_CAPABILITIES_STATUS  Directed_Proxy (1), Use_Directed (1)
 *   0x05 DIRECTED_PROXY_CONTROL     Use_Directed (1),
 *                                   Proxy_Client_Unicast_Addr_Range (2 or 3)
 *   0x06..0xFF RFU
 *
 * A TransportPDU of a control message is at most 12 octets
 * (MP_NET_TRANSPORT_MAX_CTL), so one Add or Remove carries at most 5
 * addresses; a longer list is sent as several messages.
 *
 * The unicast address range of DIRECTED_PROXY_CONTROL (MshPRT v1.1 3.4.2.2.1,
 * Unicast address range format) is Length_Present (1 bit) | Range_Start
 * (15 bits), big-endian, then Range_Length (1 octet, 2..255) only when
 * Length_Present is 1: a range of one address is written in 2 octets.
 *
 * Nothing here touches a file descriptor, a clock or a global.
 */
#ifndef MP_NET_PROXY_CFG_H
#define MP_NET_PROXY_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net.h"

/* Opcodes. MshPRT v1.1 6.7, Table 6.7 */
enum mp_proxy_cfg_opcode {
	MP_PROXY_CFG_SET_FILTER_TYPE = 0x00,
	MP_PROXY_CFG_ADD_ADDRS = 0x01,
	MP_PROXY_CFG_REMOVE_ADDRS = 0x02,
	MP_PROXY_CFG_FILTER_STATUS = 0x03,
	MP_PROXY_CFG_DIRECTED_CAPS_STATUS = 0x04,
	MP_PROXY_CFG_DIRECTED_CONTROL = 0x05,
};

/* Filter types. MshPRT v1.1 6.7.1, Table 6.8; 0x02..0xFF prohibited. */
enum mp_proxy_filter_type {
	MP_PROXY_FILTER_ACCEPT = 0x00,
	MP_PROXY_FILTER_REJECT = 0x01,
};

/** Addresses one Add or Remove message carries at most: (12 - 1) / 2. */
#define MP_PROXY_CFG_ADDRS_MAX 5

/* One proxy configuration message, decoded; which fields mean something
 * depends on @opcode. */
struct mp_proxy_cfg_msg {
	uint8_t opcode;			/* enum mp_proxy_cfg_opcode */
	uint8_t filter_type;		/* SET_FILTER_TYPE, FILTER_STATUS */
	uint16_t list_size;		/* FILTER_STATUS */
	size_t naddrs;			/* ADD_ADDRS, REMOVE_ADDRS: 1..5 */
	uint16_t addrs[MP_PROXY_CFG_ADDRS_MAX];
	uint8_t directed_proxy;		/* DIRECTED_CAPS_STATUS */
	uint8_t use_directed;		/* DIRECTED_CAPS_STATUS, DIRECTED_CONTROL */
	uint16_t range_start;		/* DIRECTED_CONTROL: a unicast address */
	uint8_t range_len;		/* DIRECTED_CONTROL: 1, or 2..255 */
};

/**
 * Write @m as a TransportPDU into @out. Returns its length (2..12), -EINVAL
 * for a NULL argument, an RFU opcode, a prohibited filter type, no or more
 * than 5 addresses, a range that does not start at a unicast address or
 * has a length of 0; -ENOSPC when @cap is too small.
 */
ssize_t mp_proxy_cfg_encode(const struct mp_proxy_cfg_msg *m, uint8_t *out, size_t cap);

/**
 * Decode the TransportPDU @pdu (@len octets) into @m. Returns 0, -ENOMSG for
 * an RFU opcode (the message is ignored, as 6.7 has a receiver do), -EBADMSG
 * for a length that is not the opcode's (an empty one, an odd or empty
 * address array, more than 5 addresses), a prohibited filter type, a range
 * whose Range_Length is 0 or 1 (a single address is written without it,
 * 3.4.2.2.1) or whose start is not unicast; -EINVAL for a NULL argument.
 */
int mp_proxy_cfg_decode(const uint8_t *pdu, size_t len, struct mp_proxy_cfg_msg *m);

/**
 * Encode @m and secure it as a proxy configuration Network PDU from @src
 * with @seq under @cred and @iv_index (the proxy nonce, CTL 1, TTL 0, DST
 * unassigned). Returns the PDU's length, or mp_net_encode()'s and
 * mp_proxy_cfg_encode()'s errors.
 */
ssize_t mp_proxy_cfg_seal(const struct mp_net_cred *cred, uint32_t iv_index, uint16_t src,
			  uint32_t seq, const struct mp_proxy_cfg_msg *m, uint8_t *out, size_t cap);

/**
 * Authenticate the proxy configuration Network PDU @pdu under the managed
 * flooding keys of @n subnets and decode its message into @m; the network
 * fields go to @rx (may be NULL). Returns 0, mp_net_decode()'s errors with
 * MP_NET_PROXY_CONFIG, or mp_proxy_cfg_decode()'s.
 */
int mp_proxy_cfg_open(const struct mp_subnet *subnets, size_t n, uint32_t iv_index,
		      const uint8_t *pdu, size_t len, struct mp_net_rx *rx,
		      struct mp_proxy_cfg_msg *m);

/** The name of @opcode ("Set Filter Type", ...), or NULL for an RFU one. */
const char *mp_proxy_cfg_opcode_name(uint8_t opcode);

#endif
