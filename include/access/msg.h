/* Access messages: opcodes, the split into opcode and parameters, and
 * opcode tables that check a message's length before any handler runs.
 *
 * MshPRT v1.1 3.7.3. An access message is an opcode of 1, 2 or 3 octets
 * followed by its parameters; the whole Access PDU is at most 380 octets
 * (32 segments of 12 octets less a 32-bit TransMIC). The first octet of the
 * opcode says its size (3.7.3.1, the opcode formats):
 *
 *   0xxxxxxx           1 octet   (01111111 is RFU)
 *   10xxxxxx xxxxxxxx  2 octets  (SIG opcodes)
 *   11xxxxxx zzzzzzzz  3 octets  (vendor: 6-bit opcode, then the 16-bit
 *            zzzzzzzz            company identifier, little-endian)
 *
 * In this API an opcode is a uint32_t holding its octets as a number:
 * 0x00-0x7e, 0x8000-0xbfff, and 0xc00000-0xffffff for vendor opcodes, where
 * bits 16-23 are the first octet and bits 0-15 the company identifier as a
 * number (the on-air octets of a vendor opcode are first octet, CID low,
 * CID high: 8.3.21's `d5 0a 00` is MP_OP_VENDOR(0x15, 0x000a) = 0xd5000a).
 * Every other uint32_t is not an opcode.
 *
 * Pure: no descriptors, clock or globals.
 */
#ifndef MP_ACCESS_MSG_H
#define MP_ACCESS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest Access PDU (opcode and parameters). MshPRT v1.1 3.7.3 */
#define MP_ACCESS_MSG_MAX 380

/* Opcodes by size: one octet (0x00-0x7e), two octets (the value as the two
 * octets read big-endian), vendor (6-bit opcode and company identifier). */
#define MP_OP_1(b0) ((uint32_t)(b0))
#define MP_OP_2(b0, b1) ((uint32_t)(b0) << 8 | (uint32_t)(b1))
#define MP_OP_VENDOR(op6, cid) \
	(0xc00000u | ((uint32_t)(op6) & 0x3f) << 16 | ((uint32_t)(cid) & 0xffff))

/** Size in octets of @opcode on air (1, 2 or 3), or 0 when it is not an opcode. */
size_t mp_access_opcode_len(uint32_t opcode);
/** True when @opcode is a 3-octet vendor opcode. */
bool mp_access_opcode_is_vendor(uint32_t opcode);
/** Company identifier of a vendor opcode (meaningless for others). */
static inline uint16_t mp_access_opcode_cid(uint32_t opcode)
{
	return (uint16_t)(opcode & 0xffff);
}

/**
 * Write @opcode's octets into @out. Returns the length (1-3), -EINVAL when
 * @opcode is not an opcode (0x7f, 0x7f-0x7fff, 0xc000-0xbfffff, above
 * 0xffffff), -ENOSPC when @cap is too small.
 */
int mp_access_opcode_encode(uint32_t opcode, uint8_t *out, size_t cap);

/**
 * Read the opcode at the start of @data. On success stores it in *@opcode and
 * returns its length (1-3). Returns -EBADMSG when @len is shorter than the
 * first octet announces (or 0), -ERANGE for the RFU first octet 0x7f.
 */
int mp_access_opcode_decode(const uint8_t *data, size_t len, uint32_t *opcode);

/* An access message split in two. The parameters point into the decoded
 * buffer and are valid as long as it is. */
struct mp_access_msg {
	uint32_t opcode;
	const uint8_t *params;
	size_t len;		/* octets of parameters */
};

/**
 * Split an Access PDU into opcode and parameters. Returns 0, -EBADMSG
 * (empty or truncated opcode), -ERANGE (RFU opcode 0x7f), -EMSGSIZE (longer
 * than MP_ACCESS_MSG_MAX).
 */
int mp_access_msg_decode(const uint8_t *data, size_t len, struct mp_access_msg *msg);

/**
 * Write @opcode then @plen octets of @params into @out. Returns the total
 * length, -EINVAL (not an opcode), -EMSGSIZE (the message would exceed
 * MP_ACCESS_MSG_MAX), -ENOSPC (@cap too small).
 */
int mp_access_msg_encode(uint32_t opcode, const uint8_t *params, size_t plen, uint8_t *out,
			 size_t cap);

/* What the layers below say about a received access message. */
struct mp_access_rx {
	uint16_t src;		/* unicast address of the sending element */
	uint16_t dst;		/* destination (unicast, group or virtual) */
	bool dev_key;		/* secured with a device key (AKF 0) */
	uint16_t key_idx;	/* AppKey index when !dev_key; NetKey index of the subnet otherwise */
	uint8_t ttl;		/* received TTL */
};

/* One row of an opcode table: a handler runs only for a message whose
 * parameters are min_len..max_len octets long, so a handler reads fixed
 * fields without checking the length again (the Zephyr way; Zephyr gives
 * one length with a sign, we give both bounds). */
struct mp_access_op {
	uint32_t opcode;
	uint16_t min_len;
	uint16_t max_len;
	int (*handler)(void *user, const struct mp_access_rx *rx, const uint8_t *params,
		       size_t len);
};

/**
 * Check an opcode table once, when it is set up: every opcode valid, no
 * opcode twice, min_len <= max_len, max_len plus the opcode within
 * MP_ACCESS_MSG_MAX, a handler on every row. Returns 0 or -EINVAL.
 */
int mp_access_table_check(const struct mp_access_op *table, size_t n);

/**
 * Decode the Access PDU @data and run the handler of its opcode from
 * @table. Returns the handler's result; -ENOENT when no row has the
 * opcode (the message is for another model); -EBADMSG when the parameters
 * are shorter or longer than the row allows, or the opcode is malformed;
 * -ERANGE for the RFU opcode; -EMSGSIZE beyond MP_ACCESS_MSG_MAX. No handler
 * runs unless the length is right.
 */
int mp_access_dispatch(const struct mp_access_op *table, size_t n, void *user,
		       const struct mp_access_rx *rx, const uint8_t *data, size_t len);

#endif
