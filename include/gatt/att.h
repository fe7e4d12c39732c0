/* The Attribute Protocol: PDUs, error codes, strict encoders and decoders.
 * Core v5.4 Vol 3 Part F (ATT).
 *
 * An ATT PDU is an opcode octet followed by its parameters, little-endian,
 * carried whole in one L2CAP frame on the fixed channel 0x0004 of an LE
 * connection; no PDU is longer than the bearer's ATT_MTU (23 octets until an
 * Exchange MTU raised it). This file knows the PDUs that the GATT client and
 * server of gatt/client.h and gatt/server.h use. Decoding is strict: the
 * exact length for the opcode, handle ranges valid (non-zero, start <= end),
 * the entries of a list response all of the length its length or format
 * octet announces, at least one entry, handles increasing. Decoding goes
 * through the bounded reader of core/buf.h only; decoded values and lists
 * point into the PDU and are valid as long as it is.
 */
#ifndef MP_GATT_ATT_H
#define MP_GATT_ATT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Core v5.4 Vol 3 Part F 3.2.8 / 5.1: the default and the largest ATT_MTU
 * of LE (an attribute value is at most 512 octets, plus opcode, handle and
 * offset). */
#define MP_ATT_MTU_DEFAULT 23
#define MP_ATT_MTU_MAX 517
/* Core v5.4 Vol 3 Part F 3.3.3: a request not answered in 30 s fails the
 * transaction, and nothing more may be sent on the bearer. */
#define MP_ATT_TIMEOUT_MS 30000
/* Core v5.4 Vol 3 Part A 2.1: the L2CAP fixed channel of ATT on LE. */
#define MP_ATT_CID 0x0004

/* Core v5.4 Vol 3 Part F 3.3.1: opcode bit 6 is the Command Flag, bit 7 the
 * Authentication Signature Flag. */
#define MP_ATT_CMD_FLAG 0x40
#define MP_ATT_SIGN_FLAG 0x80

/* Core v5.4 Vol 3 Part F 3.4.8, Table 3.37. */
enum mp_att_opcode {
	MP_ATT_ERROR_RSP = 0x01,
	MP_ATT_MTU_REQ = 0x02,
	MP_ATT_MTU_RSP = 0x03,
	MP_ATT_FIND_INFO_REQ = 0x04,
	MP_ATT_FIND_INFO_RSP = 0x05,
	MP_ATT_FIND_BY_TYPE_REQ = 0x06,
	MP_ATT_FIND_BY_TYPE_RSP = 0x07,
	MP_ATT_READ_BY_TYPE_REQ = 0x08,
	MP_ATT_READ_BY_TYPE_RSP = 0x09,
	MP_ATT_READ_REQ = 0x0a,
	MP_ATT_READ_RSP = 0x0b,
	MP_ATT_READ_BLOB_REQ = 0x0c,
	MP_ATT_READ_BLOB_RSP = 0x0d,
	MP_ATT_READ_MULT_REQ = 0x0e,
	MP_ATT_READ_MULT_RSP = 0x0f,
	MP_ATT_READ_BY_GROUP_REQ = 0x10,
	MP_ATT_READ_BY_GROUP_RSP = 0x11,
	MP_ATT_WRITE_REQ = 0x12,
	MP_ATT_WRITE_RSP = 0x13,
	MP_ATT_PREP_WRITE_REQ = 0x16,
	MP_ATT_PREP_WRITE_RSP = 0x17,
	MP_ATT_EXEC_WRITE_REQ = 0x18,
	MP_ATT_EXEC_WRITE_RSP = 0x19,
	MP_ATT_NOTIFY = 0x1b,
	MP_ATT_INDICATE = 0x1d,
	MP_ATT_CONFIRM = 0x1e,
	MP_ATT_READ_MULT_VAR_REQ = 0x20,
	MP_ATT_READ_MULT_VAR_RSP = 0x21,
	MP_ATT_MULT_NOTIFY = 0x23,
	MP_ATT_WRITE_CMD = 0x52,
	MP_ATT_SIGNED_WRITE_CMD = 0xd2,
};

/* Core v5.4 Vol 3 Part F 3.4.1.1, Table 3.4; 0x80..0x9F are application
 * errors, 0xE0..0xFF common profile and service errors (Core Specification
 * Supplement Part B). */
enum mp_att_error {
	MP_ATT_ERR_INVALID_HANDLE = 0x01,
	MP_ATT_ERR_READ_NOT_PERMITTED = 0x02,
	MP_ATT_ERR_WRITE_NOT_PERMITTED = 0x03,
	MP_ATT_ERR_INVALID_PDU = 0x04,
	MP_ATT_ERR_AUTHENTICATION = 0x05,
	MP_ATT_ERR_REQUEST_NOT_SUPPORTED = 0x06,
	MP_ATT_ERR_INVALID_OFFSET = 0x07,
	MP_ATT_ERR_AUTHORIZATION = 0x08,
	MP_ATT_ERR_PREPARE_QUEUE_FULL = 0x09,
	MP_ATT_ERR_ATTRIBUTE_NOT_FOUND = 0x0a,
	MP_ATT_ERR_ATTRIBUTE_NOT_LONG = 0x0b,
	MP_ATT_ERR_ENC_KEY_SIZE = 0x0c,
	MP_ATT_ERR_INVALID_VALUE_LEN = 0x0d,
	MP_ATT_ERR_UNLIKELY = 0x0e,
	MP_ATT_ERR_ENCRYPTION = 0x0f,
	MP_ATT_ERR_UNSUPPORTED_GROUP_TYPE = 0x10,
	MP_ATT_ERR_INSUFFICIENT_RESOURCES = 0x11,
	MP_ATT_ERR_DB_OUT_OF_SYNC = 0x12,
	MP_ATT_ERR_VALUE_NOT_ALLOWED = 0x13,
	MP_ATT_ERR_WRITE_REQUEST_REJECTED = 0xfc,
	MP_ATT_ERR_CCCD_IMPROPERLY_CONFIGURED = 0xfd,
	MP_ATT_ERR_PROCEDURE_IN_PROGRESS = 0xfe,
	MP_ATT_ERR_OUT_OF_RANGE = 0xff,
};

/** The name of ATT error @err: "Attribute Not Found"; "Application Error"
 * for 0x80..0x9F, "Reserved" for codes with no meaning. Never NULL. */
const char *mp_att_strerror(uint8_t err);

/** A negative errno for ATT error @err, for callers that report one:
 * -ENOENT (Attribute Not Found, Invalid Handle), -EACCES (the
 * authentication, authorization, encryption and permission errors),
 * -EOPNOTSUPP (Request Not Supported, Unsupported Group Type), -ENOMEM
 * (Insufficient Resources, Prepare Queue Full), -EPROTO otherwise. */
int mp_att_error_errno(uint8_t err);

/** The name of @opcode: "Read By Type Request"; "Unknown" if not known. */
const char *mp_att_opcode_name(uint8_t opcode);

/* What a PDU is, which decides how a receiver must treat it (Core v5.4
 * Vol 3 Part F 3.3, 3.4.9): a request is answered with its response or an
 * Error Response, one at a time; a command never gets an answer; an
 * indication gets a confirmation. */
enum mp_att_kind {
	MP_ATT_KIND_REQUEST,
	MP_ATT_KIND_RESPONSE,	/* including Error Response */
	MP_ATT_KIND_COMMAND,
	MP_ATT_KIND_NOTIFICATION,
	MP_ATT_KIND_INDICATION,
	MP_ATT_KIND_CONFIRMATION,
};

/** The kind of @opcode. An unknown opcode with the Command Flag is a
 * command (to be ignored), any other unknown opcode a request (to be
 * answered with Request Not Supported): Core v5.4 Vol 3 Part F 3.4.9. */
enum mp_att_kind mp_att_opcode_kind(uint8_t opcode);

/** The response opcode of request @req_opcode; 0 when it is no request
 * known here. */
uint8_t mp_att_response_opcode(uint8_t req_opcode);

/* A UUID as ATT carries it: 2 or 16 octets, little-endian. A 16-bit UUID
 * stands for the 128-bit UUID 0000xxxx-0000-1000-8000-00805F9B34FB (the
 * Bluetooth Base UUID, Core v5.4 Vol 3 Part B 2.5.1); the comparisons here
 * treat the two forms as equal. */
struct mp_att_uuid {
	uint8_t len;		/* 2 or 16 */
	uint8_t val[16];	/* little-endian, val[0..len-1] */
};

/** @u as the 16-bit UUID @v. */
void mp_att_uuid16(struct mp_att_uuid *u, uint16_t v);
/** True when @u is the 16-bit UUID @v in either form. */
bool mp_att_uuid_is(const struct mp_att_uuid *u, uint16_t v);
/** True when @a and @b are the same UUID, in either form. */
bool mp_att_uuid_equal(const struct mp_att_uuid *a, const struct mp_att_uuid *b);

/*
 * One PDU, decoded or to encode. Which member of the union is valid depends
 * on the opcode:
 *   Error Response                                    err
 *   Exchange MTU Request / Response                   mtu
 *   Find Information Request                          range
 *   Find By Type Value Request                        find
 *   Read By Type / Read By Group Type Request         by_type
 *   Read / Read Blob Request                          read (offset 0 for Read)
 *   Write Request / Write Command / Handle Value
 *   Notification / Handle Value Indication            hv
 *   Read / Read Blob Response                         value
 *   Find Information / Find By Type Value /
 *   Read By Type / Read By Group Type Response        list
 *   Write Response, Handle Value Confirmation         (none)
 * A list is @count entries of @entry octets each at @data: for Find
 * Information, handle || UUID with @format 1 (16-bit UUIDs, entry 4) or 2
 * (128-bit, entry 18); for Find By Type Value, found handle || group end
 * handle (entry 4); for Read By Type, handle || value (entry = the length
 * octet, 2 + value length); for Read By Group Type, handle || group end
 * handle || value (entry = the length octet, 4 + value length). Read the
 * entries with the mp_att_*_entry() functions.
 */
struct mp_att_pdu {
	uint8_t opcode;
	union {
		struct {
			uint8_t req_opcode;	/* the request in error */
			uint16_t handle;	/* the attribute in error, or 0 */
			uint8_t code;		/* enum mp_att_error */
		} err;
		struct {
			uint16_t mtu;		/* Client / Server Rx MTU */
		} mtu;
		struct {
			uint16_t start, end;
		} range;
		struct {
			uint16_t start, end;
			uint16_t type;		/* a 16-bit UUID: the PDU has no room for others */
			const uint8_t *value;
			size_t len;
		} find;
		struct {
			uint16_t start, end;
			struct mp_att_uuid type;
		} by_type;
		struct {
			uint16_t handle;
			uint16_t offset;
		} read;
		struct {
			uint16_t handle;
			const uint8_t *value;
			size_t len;
		} hv;
		struct {
			const uint8_t *value;
			size_t len;
		} value;
		struct {
			uint8_t format;		/* Find Information only: 1 or 2 */
			size_t entry;		/* octets per entry */
			size_t count;		/* entries, at least 1 */
			const uint8_t *data;	/* count * entry octets */
		} list;
	};
};

/**
 * Decode the ATT PDU @pdu of @len octets into @out.
 * Returns 0; -EBADMSG when @len is 0, or is not the exact length of the
 * opcode's parameters, or a list is inconsistent (a length or format octet
 * that does not divide the list, no entry, an entry with handle 0 or a
 * handle not above the one before it, a group end below its handle);
 * -ERANGE for a request whose fields were read but whose handle is 0 or
 * whose range has start 0 or start > end (a server answers it with Invalid
 * Handle for @out->range.start / @out->read.handle / @out->hv.handle, which
 * are filled); -EOPNOTSUPP for an opcode not decoded here (Read Multiple,
 * Prepare / Execute Write, Signed Write, Multiple Handle Value Notification,
 * unknown), with @out->opcode filled.
 * The length of a PDU against ATT_MTU is the caller's check.
 */
int mp_att_decode(const uint8_t *pdu, size_t len, struct mp_att_pdu *out);

/**
 * Encode @p into @out (at most @cap octets). Returns the PDU length;
 * -EMSGSIZE when it does not fit @cap; -EINVAL for an opcode not encoded
 * here, a value without a pointer, a UUID length other than 2 or 16, or a
 * list whose @data is not @count (>= 1) entries of a size its opcode allows.
 * Handles and ranges are not checked: tests encode invalid ones on purpose.
 */
ssize_t mp_att_encode(const struct mp_att_pdu *p, uint8_t *out, size_t cap);

/** Encode an Error Response to @req_opcode for @handle with @code. Returns
 * its length (5) or -EMSGSIZE. */
ssize_t mp_att_encode_error(uint8_t *out, size_t cap, uint8_t req_opcode, uint16_t handle,
			    uint8_t code);

/** Entry @i of a Find Information Response: the handle and its type. */
void mp_att_info_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
		       struct mp_att_uuid *type);

/** Entry @i of a Find By Type Value Response. */
void mp_att_handles_entry(const struct mp_att_pdu *p, size_t i, uint16_t *found,
			  uint16_t *group_end);

/** Entry @i of a Read By Type Response: the handle and its value. */
void mp_att_data_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
		       const uint8_t **value, size_t *len);

/** Entry @i of a Read By Group Type Response. */
void mp_att_group_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
			uint16_t *group_end, const uint8_t **value, size_t *len);

/* A characteristic declaration's value, Core v5.4 Vol 3 Part G 3.3.1. */
struct mp_gatt_char_decl {
	uint8_t props;			/* MP_GATT_PROP_* of gatt/gatt.h */
	uint16_t value_handle;
	struct mp_att_uuid uuid;
};

/** Decode a characteristic declaration value (5 or 19 octets). Returns 0,
 * or -EBADMSG for another length or a value handle of 0. */
int mp_att_decode_char_decl(const uint8_t *value, size_t len, struct mp_gatt_char_decl *out);

#endif
