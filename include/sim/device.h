/* A simulated unprovisioned device: the Provisionee side of the provisioning
 * protocol (MshPRT v1.1 5.4.2, 5.4.3, 5.4.4), as a pure state machine.
 *
 * Written apart from the provisioner (src/prov/provisioner.c) so that the two
 * sides check each other. Bearer agnostic: whole Provisioning PDUs come in
 * through mp_sim_device_rx(), PDUs go out through the send callback; no I/O,
 * no clock (timeouts are the bearer's), no globals.
 *
 * States, in order of a successful run:
 *
 *   IDLE ─Invite→ CAPS_SENT ─Start→ STARTED ─Public Key→ [WAIT_INPUT ─input→]
 *   WAIT_CONFIRM ─Confirmation→ WAIT_RANDOM ─Random→ WAIT_DATA ─Data→ COMPLETE
 *
 * and FAILED from any state once a Provisioning Failed PDU has been sent.
 * COMPLETE and FAILED are final: further PDUs are ignored (nothing is sent)
 * until mp_sim_device_reset() starts a fresh attempt.
 *
 * Random source, exact order of draws (so that a scripted source reproduces
 * the specification's sample data, MshPRT v1.1 8.17):
 *   1. mp_sim_device_new(): 32 octets, the private key (drawn again, 32 at a
 *      time, in the unlikely case the scalar is out of range). For a device
 *      with Public Key OOB this is its fixed OOB key; otherwise the key of the
 *      first attempt.
 *   2. mp_sim_device_reset(): without Public Key OOB, 32 octets, the next
 *      attempt's private key. With Public Key OOB nothing.
 *   3. Provisioning Start with Public Key = 0x00 received by a device that
 *      has an OOB key: 32 octets, a fresh key pair for this in-band exchange
 *      (MshPRT 5.4.2.3: "For each such exchange, a new key pair shall be
 *      generated"); the OOB key stays for later attempts.
 *   4. After the public key exchange, with Output OOB: 8 octets for Blink,
 *      Beep, Vibrate and Output Numeric (a big-endian integer reduced modulo
 *      the range); 2 * Authentication Size octets for Output Alphanumeric
 *      (each big-endian 16-bit value modulo 36 gives one of 0-9A-Z).
 *   5. Provisioning Confirmation received: RandomDevice, 16 (CMAC) or 32
 *      (HMAC) octets.
 *
 * Callbacks run synchronously from mp_sim_device_rx() and mp_sim_device_input()
 * after the device has committed its new state, so a callback may feed the
 * device again (a provisioner wired back to back answering from within send,
 * an input_oob callback typing the value at once, a reset from done); it must
 * not free the device.
 */
#ifndef MP_SIM_DEVICE_H
#define MP_SIM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "prov/pdu.h"

struct mp_sim_device;

enum mp_sim_device_state {
	MP_SIM_DEV_IDLE,		/* waiting for Invite; answers record requests */
	MP_SIM_DEV_CAPS_SENT,		/* invited, Capabilities sent, waiting for Start */
	MP_SIM_DEV_STARTED,		/* waiting for the provisioner's Public Key */
	MP_SIM_DEV_WAIT_INPUT,		/* Input OOB: waiting for mp_sim_device_input() */
	MP_SIM_DEV_WAIT_CONFIRM,	/* waiting for the provisioner's Confirmation */
	MP_SIM_DEV_WAIT_RANDOM,		/* Confirmation sent, waiting for Random */
	MP_SIM_DEV_WAIT_DATA,		/* Random sent, waiting for Data */
	MP_SIM_DEV_COMPLETE,		/* Complete sent: provisioned */
	MP_SIM_DEV_FAILED,		/* Failed sent */
	MP_SIM_DEV_STATES
};

/* What the device received and derived, reported on success. */
struct mp_sim_prov_result {
	uint8_t net_key[16];
	uint16_t net_key_index;
	uint8_t flags;			/* bit 0 Key Refresh, bit 1 IV Update */
	uint32_t iv_index;
	uint16_t unicast;		/* primary element; elements follow */
	uint8_t elements;
	uint8_t device_key[16];		/* derived on the device side */
	uint8_t algorithm;		/* enum mp_prov_alg used */
	uint8_t auth_method;		/* enum mp_auth_method used */
};

struct mp_sim_device_cb {
	/** Each Provisioning PDU the device emits, whole (type octet first). */
	void (*send)(void *user, const uint8_t *pdu, size_t len);
	/** Attention Timer: the Invite's duration, 0 on Start and on reset. May be NULL. */
	void (*attention)(void *user, uint8_t seconds);
	/**
	 * Output OOB: the device "blinks/beeps/vibrates N times" (@text is N in
	 * decimal, 1 to 10^size - 1), "displays" a number (@text is size digits,
	 * zero-padded) or a string (@text is size characters of 0-9A-Z), so that
	 * a person or a test can type it into the provisioner. May be NULL.
	 */
	void (*output_oob)(void *user, enum mp_output_action action, const char *text);
	/**
	 * Input OOB: the device waits for the user to input what the
	 * provisioner shows (@size digits or characters, or a count for Push and
	 * Twist); the caller answers with mp_sim_device_input(). May be NULL.
	 */
	void (*input_oob)(void *user, enum mp_input_action action, uint8_t size);
	/**
	 * The attempt ended: @err is MP_PROV_OK with @result (valid during the
	 * call; keys are wiped afterwards), or the failure code sent in the
	 * Provisioning Failed PDU with @result NULL. May be NULL.
	 */
	void (*done)(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *result);
	void *user;
};

/* A provisioning record the device offers (MshPRT v1.1 5.4.2.6). */
struct mp_sim_record {
	uint16_t id;
	const uint8_t *data;
	size_t len;
};

#define MP_SIM_RECORDS_MAX 32		/* records a device may hold */
#define MP_SIM_RECORD_FRAG_MAX 512	/* longest fragment in a Record Response */
#define MP_SIM_STATIC_OOB_MAX 32	/* MshPRT v1.1 5.4.1.2: at most 32 octets */

struct mp_sim_device_config {
	uint8_t uuid[16];
	/* Sent as is in Provisioning Capabilities; must pass mp_prov_caps_check(). */
	struct mp_prov_caps caps;
	/*
	 * Static OOB value, 1 to 32 octets, required when caps.oob_type has
	 * MP_OOB_TYPE_STATIC. Its data type is Binary, so, per MshPRT v1.1
	 * 5.4.2.4.1, the AuthValue is the value zero-padded (or trimmed) to the
	 * algorithm's size: a 16-octet value used with HMAC-SHA256 becomes the
	 * value followed by 16 zero octets; a 32-octet value used with CMAC is
	 * trimmed to its first 16 octets. Copied.
	 */
	const uint8_t *static_oob;
	size_t static_oob_len;
	/* Random source; NULL means mp_rng_default. Must outlive the device. */
	const struct mp_rng *rng;
	/* Provisioning records (at most MP_SIM_RECORDS_MAX, distinct ids); copied. */
	const struct mp_sim_record *records;
	size_t n_records;
	struct mp_sim_device_cb cb;
};

/**
 * Create a device in state IDLE. Draws its first private key (see the order
 * of draws above). Returns 0, -EINVAL for a bad configuration (capabilities
 * failing mp_prov_caps_check(), static OOB advertised without a value or a
 * value longer than 32 octets, too many or duplicate records, no send
 * callback), -ENOMEM, or the random source's or crypto's error.
 */
int mp_sim_device_new(const struct mp_sim_device_config *cfg, struct mp_sim_device **out);

/** Free the device, wiping every secret. NULL is fine. Not from a callback. */
void mp_sim_device_free(struct mp_sim_device *dev);

/**
 * Receive one whole Provisioning PDU. Returns:
 *   0       the PDU was accepted (answers, if any, were sent);
 *   > 0     the device failed the provisioning: the value is the enum
 *           mp_prov_err code it sent in a Provisioning Failed PDU (0x09, code);
 *   -ESHUTDOWN  the device is COMPLETE or FAILED and ignored the PDU;
 *   -EINVAL     @dev NULL, or @pdu NULL with a non-zero @len.
 * Checks, before any handler runs: padding and type (Invalid PDU), whether
 * the type is expected in the current state (Unexpected PDU), then length
 * and parameter values (Invalid Format).
 */
int mp_sim_device_rx(struct mp_sim_device *dev, const uint8_t *pdu, size_t len);

/**
 * The user's input for Input OOB (state WAIT_INPUT): for Push, Twist and
 * Input Numeric a decimal number of at most Authentication Size digits (Push
 * and Twist: 1 to 10^size - 1); for Input Alphanumeric 1 to size characters
 * of 0-9A-Z (lowercase letters are taken as uppercase). The device computes
 * the AuthValue (MshPRT v1.1 5.4.2.4.1) and sends Input Complete. Returns 0,
 * -EINVAL for text that does not fit (the device keeps waiting), -EPERM when
 * the device is not waiting for input.
 */
int mp_sim_device_input(struct mp_sim_device *dev, const char *text);

/**
 * Start a fresh attempt: back to IDLE, secrets wiped, a fresh private key
 * unless the device has an OOB public key (then that key is kept, as a real
 * device's would be). Call it when a new provisioning bearer opens. Returns
 * 0, -EINVAL for a NULL @dev, or the random source's or crypto's error (the
 * device is then FAILED, with no PDU sent).
 */
int mp_sim_device_reset(struct mp_sim_device *dev);

/**
 * The device's public key, X || Y: its OOB public key when it has one (what
 * the caller gives the provisioner for Public Key OOB), otherwise the
 * current attempt's key.
 */
void mp_sim_device_public_key(const struct mp_sim_device *dev, uint8_t pub[64]);

/** The configured UUID. */
void mp_sim_device_uuid(const struct mp_sim_device *dev, uint8_t uuid[16]);

/** The capabilities it advertises. */
const struct mp_prov_caps *mp_sim_device_caps(const struct mp_sim_device *dev);

/** The current state. */
enum mp_sim_device_state mp_sim_device_state(const struct mp_sim_device *dev);

/** The failure code the device sent (MP_PROV_OK unless FAILED). */
enum mp_prov_err mp_sim_device_error(const struct mp_sim_device *dev);

/**
 * The provisioning data of a COMPLETE device (it is now a node and keeps
 * its keys until reset or free). Returns 0, or -ENOENT when not COMPLETE.
 */
int mp_sim_device_result(const struct mp_sim_device *dev, struct mp_sim_prov_result *out);

/** A short name of a state ("idle", "caps-sent", ...). */
const char *mp_sim_device_state_name(unsigned int state);

#endif
