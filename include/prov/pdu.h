/* Provisioning PDUs of Mesh Protocol 1.1: encoding and validating decoding.
 *
 * MshPRT v1.1 5.4.1. A Provisioning PDU is one octet of Padding (2 bits,
 * zero) and Type (6 bits), then the type's parameters. The decoder checks
 * the exact length for the type and every prohibited or RFU value, and
 * reports a problem as the failure code the specification assigns to it
 * (Table 5.41: Invalid PDU for an unknown type, Invalid Format for a wrong
 * length or a value outside its range). It never accepts silently.
 */
#ifndef MP_PROV_PDU_H
#define MP_PROV_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mp_prov_pdu_type {
	MP_PROV_INVITE = 0x00,
	MP_PROV_CAPABILITIES = 0x01,
	MP_PROV_START = 0x02,
	MP_PROV_PUBLIC_KEY = 0x03,
	MP_PROV_INPUT_COMPLETE = 0x04,
	MP_PROV_CONFIRMATION = 0x05,
	MP_PROV_RANDOM = 0x06,
	MP_PROV_DATA = 0x07,
	MP_PROV_COMPLETE = 0x08,
	MP_PROV_FAILED = 0x09,
	MP_PROV_RECORD_REQUEST = 0x0a,
	MP_PROV_RECORD_RESPONSE = 0x0b,
	MP_PROV_RECORDS_GET = 0x0c,
	MP_PROV_RECORDS_LIST = 0x0d,
	MP_PROV_PDU_TYPES
};

/* Error codes of the Provisioning Failed PDU, MshPRT v1.1 Table 5.41.
 * MP_PROV_OK (0) is this API's success value; on air 0x00 is Prohibited. */
enum mp_prov_err {
	MP_PROV_OK = 0x00,
	MP_PROV_ERR_INVALID_PDU = 0x01,
	MP_PROV_ERR_INVALID_FORMAT = 0x02,
	MP_PROV_ERR_UNEXPECTED_PDU = 0x03,
	MP_PROV_ERR_CONFIRMATION_FAILED = 0x04,
	MP_PROV_ERR_OUT_OF_RESOURCES = 0x05,
	MP_PROV_ERR_DECRYPTION_FAILED = 0x06,
	MP_PROV_ERR_UNEXPECTED_ERROR = 0x07,
	MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES = 0x08,
	MP_PROV_ERR_INVALID_DATA = 0x09,
};

/* Algorithms field bits of Capabilities. MshPRT v1.1 Table 5.19 */
#define MP_ALG_BIT_CMAC 0x0001
#define MP_ALG_BIT_HMAC 0x0002
#define MP_ALG_BITS_KNOWN 0x0003

/* Public Key Type bits. Table 5.20 */
#define MP_PUBKEY_TYPE_OOB 0x01
/* OOB Type bits (Static OOB Type in 1.0). Table 5.21 */
#define MP_OOB_TYPE_STATIC 0x01
#define MP_OOB_TYPE_ONLY_OOB 0x02

/* Output OOB actions: bit numbers in Capabilities, values in Start. Table 5.23 */
enum mp_output_action {
	MP_OUTPUT_BLINK = 0,
	MP_OUTPUT_BEEP = 1,
	MP_OUTPUT_VIBRATE = 2,
	MP_OUTPUT_NUMERIC = 3,
	MP_OUTPUT_ALPHANUMERIC = 4,
	MP_OUTPUT_ACTIONS
};

/* Input OOB actions. Table 5.25 */
enum mp_input_action {
	MP_INPUT_PUSH = 0,
	MP_INPUT_TWIST = 1,
	MP_INPUT_NUMERIC = 2,
	MP_INPUT_ALPHANUMERIC = 3,
	MP_INPUT_ACTIONS
};

/* Authentication Method of Start. Table 5.28 */
enum mp_auth_method {
	MP_AUTH_NONE = 0x00,
	MP_AUTH_STATIC = 0x01,
	MP_AUTH_OUTPUT = 0x02,
	MP_AUTH_INPUT = 0x03,
	MP_AUTH_METHODS
};

#define MP_OOB_SIZE_MAX 8	/* Output/Input OOB Size 0x01-0x08; 0x09-0xFF RFU */

struct mp_prov_caps {
	uint8_t elements;		/* 0x01-0xFF */
	uint16_t algorithms;		/* MP_ALG_BIT_* */
	uint8_t pubkey_type;		/* MP_PUBKEY_TYPE_* */
	uint8_t oob_type;		/* MP_OOB_TYPE_* */
	uint8_t output_size;		/* 0: Output OOB not supported */
	uint16_t output_actions;	/* bit mask of enum mp_output_action */
	uint8_t input_size;		/* 0: Input OOB not supported */
	uint16_t input_actions;		/* bit mask of enum mp_input_action */
};

struct mp_prov_start {
	uint8_t algorithm;		/* enum mp_prov_alg */
	uint8_t pubkey_oob;		/* 0: no OOB public key, 1: OOB public key */
	uint8_t auth_method;		/* enum mp_auth_method */
	uint8_t auth_action;		/* output/input action, 0 for none/static */
	uint8_t auth_size;		/* 1-8 for output/input, 0 for none/static */
};

/* Record Response status. MshPRT v1.1 Table 5.38 */
#define MP_PROV_RECORD_SUCCESS 0x00
#define MP_PROV_RECORD_NOT_PRESENT 0x01
#define MP_PROV_RECORD_OFFSET_OOB 0x02

/* A decoded Provisioning PDU. Variable-length fields point into the
 * decoded buffer and are valid as long as it is. */
struct mp_prov_pdu {
	enum mp_prov_pdu_type type;
	union {
		uint8_t attention;			/* Invite */
		struct mp_prov_caps caps;		/* Capabilities */
		struct mp_prov_start start;		/* Start */
		uint8_t public_key[64];			/* Public Key: X || Y */
		struct {
			uint8_t value[32];
			uint8_t len;			/* 16 or 32 */
		} confirmation, random;			/* Confirmation, Random */
		struct {
			uint8_t encrypted[25];
			uint8_t mic[8];
		} data;					/* Data */
		uint8_t error;				/* Failed */
		struct {
			uint16_t record_id;
			uint16_t offset;
			uint16_t max_size;
		} record_request;
		struct {
			uint8_t status;
			uint16_t record_id;
			uint16_t offset;
			uint16_t total_len;
			const uint8_t *data;
			size_t data_len;
		} record_response;
		struct {
			uint16_t extensions;
			const uint8_t *ids;		/* big-endian uint16 each */
			size_t count;
		} records_list;
	};
};

/* Longest PDU this codec emits or accepts for its fixed types (Public Key). */
#define MP_PROV_PDU_MAX 65

/**
 * Decode and validate one Provisioning PDU. Returns MP_PROV_OK, or the
 * failure code the receiver must send or report: MP_PROV_ERR_INVALID_PDU for
 * a non-zero padding or an RFU type, MP_PROV_ERR_INVALID_FORMAT for a wrong
 * length or a prohibited or RFU parameter value.
 */
enum mp_prov_err mp_prov_pdu_decode(const uint8_t *buf, size_t len, struct mp_prov_pdu *pdu);

/**
 * Encode @pdu into @buf. Returns the length written, or -EINVAL when a field
 * is out of range (the encoder validates like the decoder, so that we never
 * send what we would refuse), -ENOSPC when @cap is too small.
 */
int mp_prov_pdu_encode(const struct mp_prov_pdu *pdu, uint8_t *buf, size_t cap);

/** Validate a Capabilities PDU's parameters (as the decoder does). */
enum mp_prov_err mp_prov_caps_check(const struct mp_prov_caps *caps);

/**
 * Validate a Start PDU's parameters on their own (algorithm, public key,
 * method, action and size ranges). Whether they match the device's
 * capabilities is mp_prov_start_allowed().
 */
enum mp_prov_err mp_prov_start_check(const struct mp_prov_start *start);

/** True when the device with @caps supports what @start selects. */
bool mp_prov_start_allowed(const struct mp_prov_caps *caps, const struct mp_prov_start *start);

/** The name of a PDU type ("Invite", ...) or "RFU". */
const char *mp_prov_pdu_name(unsigned int type);
/** The specification's name of a failure code ("Confirmation Failed", ...). */
const char *mp_prov_err_name(unsigned int err);
/** A short machine-friendly name of a failure code ("confirmation-failed"). */
const char *mp_prov_err_id(unsigned int err);
/** Names of actions and methods ("blink", "numeric", "static", ...). */
const char *mp_output_action_name(unsigned int action);
const char *mp_input_action_name(unsigned int action);
const char *mp_auth_method_name(unsigned int method);

#endif
