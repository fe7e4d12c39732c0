/* The provisioner side of the provisioning protocol, as a pure state machine.
 *
 * MshPRT v1.1 5.4.2 (behaviour) and 5.4.4 (errors). The object never touches
 * a file descriptor, a clock or a global: whole Provisioning PDUs come in
 * through mp_prov_rx() (reassembled by the bearer), the caller's answers
 * (OOB values, provisioning data) through mp_prov_oob_*() and
 * mp_prov_send_data(), the expiry of the one timer it asks for through
 * mp_prov_timeout(); PDUs and events go out through callbacks.
 *
 * The sequence, and where the caller is involved:
 *   start()          -> Invite                       event PHASE
 *   Capabilities     -> (choose algorithm and method) event CAPABILITIES
 *                    -> Start, Public Key
 *   Public Key       -> (device's key checked)        event PHASE
 *     Output OOB:       event OOB_OUTPUT: the caller asks the user what the
 *                       device shows and calls mp_prov_oob_enter()
 *     Input OOB:        event OOB_INPUT: the caller shows the value; the
 *                       device answers Input Complete
 *                    -> Confirmation
 *   Confirmation     -> Random
 *   Random           -> (device's confirmation checked)
 *                       event DATA_NEEDED: the caller allocates the address,
 *                       records the node with its device key and calls
 *                       mp_prov_send_data()
 *                    -> Data
 *   Complete         -> event DONE (MP_PROV_OK)
 * Any failure ends with event DONE carrying the spec's failure code; the
 * caller then closes the bearer link. Only the device sends Provisioning
 * Failed (MshPRT v1.1 5.4.4); the provisioner reports and closes.
 */
#ifndef MP_PROV_PROVISIONER_H
#define MP_PROV_PROVISIONER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "prov/pdu.h"

/* The provisioning protocol timeout: 60 s without progress ends the
 * procedure. MshPRT v1.1 5.4.4 */
#define MP_PROV_TIMEOUT_MS 60000

/* How the caller wants the algorithm chosen. */
enum mp_alg_choice {
	MP_ALG_AUTO = 0,	/* HMAC-SHA256 when the device has it, else CMAC */
	MP_ALG_FORCE_CMAC,
	MP_ALG_FORCE_HMAC,
};

/* The most elements a device may claim unless the caller says otherwise:
 * every element takes a unicast address, and a device that claims 255 and
 * never completes keeps them (issue 12). Real devices have a handful. */
#define MP_PROV_DEFAULT_MAX_ELEMENTS 32

/* How the caller wants the authentication method chosen. */
enum mp_auth_choice {
	/* The documented policy (mp_prov_choose): Static OOB when the caller
	 * gave a value and the device has it; else Output OOB when the device
	 * can show something, preferring numeric, then alphanumeric, then
	 * blink/beep/vibrate; else Input OOB, preferring numeric, then
	 * alphanumeric, then push/twist; else No OOB, unless the device
	 * demands OOB authentication, or offers Static OOB and no value was
	 * given (-ENOKEY: the device could have been authenticated, and
	 * Capabilities are not authenticated, so someone answering in its
	 * place with "No OOB" must not get the network key silently), or the
	 * caller requires authentication (require_auth: -EACCES). The
	 * strongest method the device offers and the caller can answer, with
	 * the largest size it supports. */
	MP_AUTH_CHOICE_AUTO = 0,
	MP_AUTH_CHOICE_NONE,
	MP_AUTH_CHOICE_STATIC,
	MP_AUTH_CHOICE_OUTPUT,
	MP_AUTH_CHOICE_INPUT,
};

struct mp_prov_params {
	uint8_t attention;			/* Attention Timer, seconds */
	enum mp_alg_choice alg;
	enum mp_auth_choice auth;
	int action;				/* output/input action to force, or -1 */
	uint8_t static_oob[32];			/* zero-padded or trimmed to the */
	uint8_t static_oob_len;			/* AuthValue: 0 (none), 16 or 32 */
	bool pubkey_oob;			/* use the device's OOB public key */
	uint8_t device_public_key[64];		/* when pubkey_oob */
	const struct mp_rng *rng;		/* NULL: OpenSSL's RAND_bytes */
	/* Refuse No OOB whatever the device offers (-EACCES), for sites that
	 * require every node authenticated; with MP_AUTH_CHOICE_NONE too. */
	bool require_auth;
	/* A device claiming more elements is refused before Start (-E2BIG);
	 * 0 for MP_PROV_DEFAULT_MAX_ELEMENTS. */
	uint8_t max_elements;
};

/* The Provisioning Data the caller supplies once the device is authenticated. */
struct mp_prov_data {
	uint8_t net_key[16];
	uint16_t key_index;
	uint8_t flags;				/* bit 0 Key Refresh, bit 1 IV Update */
	uint32_t iv_index;
	uint16_t unicast;
};

/* Phases, reported as they are reached (for progress output). */
enum mp_prov_phase {
	MP_PHASE_INVITE,
	MP_PHASE_CAPABILITIES,
	MP_PHASE_START,
	MP_PHASE_PUBLIC_KEY,
	MP_PHASE_AUTH,
	MP_PHASE_CONFIRMATION,
	MP_PHASE_RANDOM,
	MP_PHASE_DATA,
	MP_PHASE_COMPLETE,
};

/** A short name of @phase for progress output ("public-key"). */
const char *mp_prov_phase_name(enum mp_prov_phase phase);

enum mp_prov_event_type {
	MP_PROV_EV_PHASE,		/* .phase */
	MP_PROV_EV_CAPABILITIES,	/* .caps, .start (what was chosen) */
	MP_PROV_EV_OOB_OUTPUT,		/* .oob: ask the user for what the device shows */
	MP_PROV_EV_OOB_INPUT,		/* .oob with .value: show it to the user */
	MP_PROV_EV_DATA_NEEDED,		/* .caps.elements, .device_key: call send_data */
	MP_PROV_EV_DONE,		/* .err, .by_device, .device_key on success */
};

struct mp_prov_event {
	enum mp_prov_event_type type;
	enum mp_prov_phase phase;
	const struct mp_prov_caps *caps;
	const struct mp_prov_start *start;
	struct {
		uint8_t action;		/* enum mp_output_action or mp_input_action */
		uint8_t size;		/* digits or characters */
		const char *value;	/* Input OOB: what the user enters on the device */
	} oob;
	const uint8_t *device_key;	/* 16 octets */
	/* DONE: success is err == MP_PROV_OK && errnum == 0. A failure has the
	 * spec's code in err when it is one (detected here, or sent by the
	 * device: by_device), and errnum < 0 when the cause is local:
	 * -ETIMEDOUT (protocol timer), -ECANCELED (mp_prov_cancel), -ENOTSUP
	 * (the device cannot do what the caller demanded), -ENOKEY (the device
	 * offers Static OOB and no value was given), -EACCES (only No OOB was
	 * left and require_auth refuses it), -E2BIG (the device claims more
	 * than max_elements), or the error the send callback returned. The
	 * last three end it before Start. */
	enum mp_prov_err err;
	int errnum;
	bool by_device;
};

struct mp_prov_ops {
	/** Send a Provisioning PDU to the device; 0 or -errno (fails the procedure). */
	int (*send)(void *user, const uint8_t *pdu, size_t len);
	/** Something happened; see enum mp_prov_event_type. May call back into the
	 *  object (mp_prov_oob_enter, mp_prov_send_data, mp_prov_cancel), but not
	 *  free it: defer that to the event loop. */
	void (*event)(void *user, const struct mp_prov_event *ev);
	/** Arm (delay_ms > 0) or cancel (0) the protocol timer; on expiry call mp_prov_timeout(). */
	void (*timer)(void *user, uint32_t delay_ms);
};

struct mp_prov;

/**
 * Create a provisioner for one device. Copies @params. Returns NULL on
 * allocation failure or invalid params (errno set to ENOMEM or EINVAL).
 */
struct mp_prov *mp_prov_new(const struct mp_prov_params *params, const struct mp_prov_ops *ops,
			    void *user);
/** Free and wipe every secret. Never from within one of its own callbacks. */
void mp_prov_free(struct mp_prov *prov);

/** Begin: draw a fresh key pair and send Invite. 0 or -errno. */
int mp_prov_start(struct mp_prov *prov);
/** A Provisioning PDU from the device. Ignored once the procedure has ended. */
void mp_prov_rx(struct mp_prov *prov, const uint8_t *pdu, size_t len);
/** The protocol timer expired: ends the procedure (DONE, errnum -ETIMEDOUT). */
void mp_prov_timeout(struct mp_prov *prov);
/**
 * The caller gives up (Ctrl-C, link lost, keyring failure): DONE with
 * @errnum (< 0, e.g. -ECANCELED) and no more PDUs. No-op once finished.
 */
void mp_prov_cancel(struct mp_prov *prov, int errnum);

/**
 * Output OOB: what the user saw. Numeric actions (blink, beep, vibrate,
 * numeric) take decimal digits, at most the OOB size of them; alphanumeric
 * takes that many characters from 0-9 and A-Z (lower case is accepted and
 * folded). Returns -EINVAL for a malformed value (the caller may ask again),
 * -EALREADY when no value is awaited; 0 once accepted.
 */
int mp_prov_oob_enter(struct mp_prov *prov, const char *text);

/**
 * The Provisioning Data, after EV_DATA_NEEDED. Encrypts and sends it.
 * 0, -EALREADY when not awaited, -EINVAL for an address that is not unicast
 * or does not leave room for every element.
 */
int mp_prov_send_data(struct mp_prov *prov, const struct mp_prov_data *data);

/** True once DONE was reported. */
bool mp_prov_finished(const struct mp_prov *prov);
/** The algorithm and Start chosen (valid after EV_CAPABILITIES). */
const struct mp_prov_start *mp_prov_chosen(const struct mp_prov *prov);
/** The device's Capabilities, or NULL before they came. */
const struct mp_prov_caps *mp_prov_caps(const struct mp_prov *prov);

/**
 * The authentication policy, exposed for tests and for `provision --dry-run`:
 * fill @start from the device's @caps and the caller's @params. Returns 0,
 * -ENOTSUP when the caller's demands cannot be met by the device, -ENOKEY
 * when only No OOB is left but the device offers Static OOB (no value was
 * given), -EACCES when only No OOB is left and @params require_auth.
 */
int mp_prov_choose(const struct mp_prov_caps *caps, const struct mp_prov_params *params,
		   struct mp_prov_start *start);

#endif
