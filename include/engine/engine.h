/* The engine: provisioning sessions, many at once, each a provisioning state
 * machine (prov/provisioner.h) wired to a PB-ADV link (bearer/pbadv.h), to
 * the keyring and to the event loop; and the table of devices heard.
 *
 * The engine owns no file descriptor: it attaches itself as the receiver
 * of whichever radio the caller set up (a controller or the simulator,
 * radio/radio.h), hears advertising reports from it, and sends
 * advertisements through the radio's ops. What it hears is dispatched by AD
 * type through a table of receivers (mp_engine_ad_register): the engine's
 * own (PB-ADV links, the scan table), the network bearer's (Mesh Messages,
 * mp_engine_net_receive; Mesh Proxy Service advertisements,
 * mp_engine_proxy_adv_receive) and those of what it wires next (Secure
 * Network beacons). Network PDUs go out through mp_engine_net_send; the
 * GATT Proxy bearer is engine/proxy_link.h. Time
 * comes from the loop. Everything the user should see is reported through
 * struct mp_engine_cb.
 */
#ifndef MP_ENGINE_ENGINE_H
#define MP_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "adv/adv.h"
#include "core/loop.h"
#include "engine/scan_table.h"
#include "prov/provisioner.h"
#include "radio/radio.h"

struct mp_keyring;
struct mp_engine;
struct mp_rng;		/* crypto/crypto.h */
struct mp_proxy_adv;	/* net/proxy_adv.h */
struct mp_session;

#define MP_ENGINE_DEFAULT_SESSIONS 16

enum mp_session_event_type {
	MP_SESSION_PHASE,	/* .phase reached */
	MP_SESSION_OOB_OUTPUT,	/* ask the user what the device shows: answer mp_session_oob() */
	MP_SESSION_OOB_INPUT,	/* show .oob_value to the user, who enters it on the device */
	MP_SESSION_PROVISIONED,	/* .address, .elements: done and stored */
	MP_SESSION_FAILED,	/* .err / .errnum / .by_device, .reason */
};

/* The bearer a device is provisioned over. */
enum mp_bearer_choice {
	MP_BEARER_AUTO = 0,	/* PB-ADV, or PB-GATT for a device heard only on PB-GATT */
	MP_BEARER_ADV,
	MP_BEARER_GATT,
};

/*
 * Why a device's provisioning failed: the one vocabulary of the "failed"
 * events, the run's list of failures and the man page (meshprov(1),
 * FAILED under --json). Made in one place in the engine from the
 * specification's Provisioning Failed codes (enum mp_prov_err, which the
 * first nine values equal), the sessions' errnos and the links'; the
 * job's own (a device never heard, already a node, the keyring not
 * written) are decided by whoever runs the jobs, in the same words.
 * Names: mp_engine_fail_name(). A new value needs its name there and in
 * the man page (tests/unit/test_engine_fail.c checks both).
 */
enum mp_engine_fail {
	MP_ENGINE_FAIL_ERROR = 0,	/* "error": none of the below */
	/* the device's or ours, the specification's codes: MshPRT v1.1 Table 5.41 */
	MP_ENGINE_FAIL_INVALID_PDU = MP_PROV_ERR_INVALID_PDU,
	MP_ENGINE_FAIL_INVALID_FORMAT = MP_PROV_ERR_INVALID_FORMAT,
	MP_ENGINE_FAIL_UNEXPECTED_PDU = MP_PROV_ERR_UNEXPECTED_PDU,
	MP_ENGINE_FAIL_CONFIRMATION_FAILED = MP_PROV_ERR_CONFIRMATION_FAILED,
	MP_ENGINE_FAIL_OUT_OF_RESOURCES = MP_PROV_ERR_OUT_OF_RESOURCES,
	MP_ENGINE_FAIL_DECRYPTION_FAILED = MP_PROV_ERR_DECRYPTION_FAILED,
	MP_ENGINE_FAIL_UNEXPECTED_ERROR = MP_PROV_ERR_UNEXPECTED_ERROR,
	MP_ENGINE_FAIL_CANNOT_ASSIGN_ADDRESSES = MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES,
	MP_ENGINE_FAIL_INVALID_DATA = MP_PROV_ERR_INVALID_DATA,
	/* the session's */
	MP_ENGINE_FAIL_TIMEOUT,		/* "timeout": no answer in time */
	MP_ENGINE_FAIL_CANCELLED,	/* "cancelled": by the user, or the run stopped */
	MP_ENGINE_FAIL_UNSUPPORTED,	/* "unsupported": nothing we can do together */
	MP_ENGINE_FAIL_NO_ADDRESS,	/* "no-address": no unicast range left */
	MP_ENGINE_FAIL_AUTH_NEEDED,	/* "auth-needed": Static OOB offered, no value */
	MP_ENGINE_FAIL_AUTH_REQUIRED,	/* "auth-required": only No OOB left */
	MP_ENGINE_FAIL_TOO_MANY_ELEMENTS,	/* "too-many-elements" */
	MP_ENGINE_FAIL_TOO_MANY_UNCONFIRMED,	/* "too-many-unconfirmed" */
	MP_ENGINE_FAIL_NO_NETKEY,	/* "no-netkey": the NetKey asked for is not there */
	MP_ENGINE_FAIL_LINK_CLOSED,	/* "link-closed": the device closed the link */
	MP_ENGINE_FAIL_RADIO_LOST,	/* "radio-lost" */
	MP_ENGINE_FAIL_CONNECT_FAILED,	/* "connect-failed": PB-GATT, no connection */
	MP_ENGINE_FAIL_GATT_ERROR,	/* "gatt-error": the device's GATT side */
	MP_ENGINE_FAIL_KEYRING,		/* "keyring": no keyring, or it could not record */
	/* the job's, before or instead of a session */
	MP_ENGINE_FAIL_NOT_FOUND,	/* "not-found": never heard in time */
	MP_ENGINE_FAIL_ALREADY_PROVISIONED,	/* "already-provisioned": a node already */
	MP_ENGINE_FAIL_BUSY,		/* "busy": a session for it runs already */
	MP_ENGINE_FAIL_START_FAILED,	/* "start-failed": the session could not start */
	MP_ENGINE_FAIL_KEYRING_WRITE,	/* "keyring-write": the keyring file not written */
	MP_ENGINE_FAILS			/* how many: not a reason */
};

/** The name of @f as scripts and the man page know it ("timeout",
 *  "confirmation-failed", ...); "error" for a value outside the enum. */
const char *mp_engine_fail_name(enum mp_engine_fail f);

struct mp_session_event {
	enum mp_session_event_type type;
	const uint8_t *uuid;
	const char *name;		/* the node name the user gave, or NULL */
	enum mp_prov_phase phase;
	uint8_t oob_action, oob_size;
	bool oob_numeric;
	enum mp_auth_method auth_method;	/* with OOB prompts */
	const char *oob_value;
	uint16_t address;
	uint8_t elements;
	const struct mp_prov_start *start;	/* PHASE from CAPABILITIES on */
	enum mp_prov_err err;
	int errnum;
	bool by_device;
	enum mp_engine_fail reason;	/* FAILED: why (mp_engine_fail_name()) */
	const char *detail;		/* FAILED: for people, what went wrong (a GATT step), or NULL */
	enum mp_bearer_choice bearer;	/* the session's: ADV or GATT (AUTO for no session) */
	/* FAILED after the Provisioning Data went out: the device may hold
	 * @address (and @elements), which the keyring keeps as unconfirmed. */
	bool unconfirmed;
};

struct mp_engine_cb {
	/** A device heard advertising as unprovisioned (a beacon or PB-GATT
	 *  advertisement); @first when it was not in the scan table. May be NULL. */
	void (*beacon)(void *user, const struct mp_scan_entry *entry, bool first);
	/** Something happened to a session; see enum mp_session_event_type. */
	void (*session)(void *user, struct mp_session *s, const struct mp_session_event *ev);
	/** What the scan table noticed about sighting @s (MP_SCAN_NOTICE_*
	 *  bits in @notice: a UUID heard from a second address, a PB-GATT
	 *  address kept against a claim or moved, an advertiser refused),
	 *  for the user to know; before beacon(). @entry is the device's, or
	 *  NULL when the sighting was refused. May be NULL. */
	void (*scan_notice)(void *user, unsigned int notice, const struct mp_scan_entry *entry,
			    const struct mp_scan_sighting *s);
};

struct mp_engine_config {
	struct mp_loop *loop;
	struct mp_radio radio;
	struct mp_keyring *keyring;	/* where nodes are recorded; required to provision */
	unsigned int max_sessions;	/* 0: MP_ENGINE_DEFAULT_SESSIONS */
	/* The random source of PB-ADV Link IDs and of the links'
	 * retransmission jitter (crypto/crypto.h; must outlive the engine);
	 * NULL: mp_rng_default. A seeded one makes a simulated run repeat
	 * itself to the millisecond (benchmarks); keys and nonces always come
	 * from OpenSSL (prov/), whatever this says. */
	const struct mp_rng *rng;
	const struct mp_engine_cb *cb;
	void *user;
};

/* What the user asked for one device. */
struct mp_provision_opts {
	struct mp_prov_params prov;	/* attention, algorithm, auth, static OOB, ... */
	enum mp_bearer_choice bearer;
	uint16_t address;		/* 0: allocate from the keyring */
	const char *name;		/* node name to record, or NULL */
	uint16_t net_key_index;		/* NetKey to give the device */
};

/**
 * Create an engine and attach it to cfg->radio as its receiver: 0, or
 * -errno (-EBUSY when the radio has another receiver). When the radio is
 * lost (radio/radio.h, lost()), every session fails with its error.
 */
int mp_engine_new(const struct mp_engine_config *cfg, struct mp_engine **out);
/** Abort every session (closing their links), detach from the radio and
 *  free. NULL is fine. */
void mp_engine_free(struct mp_engine *e);

/* ---- what the radio hears, by AD type ---- */

/** Receivers the engine holds, its own three included. */
#define MP_ENGINE_AD_RECEIVERS 8
/** Longest data prefix a receiver may ask for. */
#define MP_ENGINE_AD_PREFIX_MAX 4

/**
 * A receiver of one kind of AD structure: @ad (type and data, pointing into
 * the report) of the advertising report @r, both valid during the call
 * only. Returns 0 when it took @ad, or a negative errno when @ad does not
 * decode as what it expects: then the next AD structure of the same kind in
 * the report, if any, is offered instead.
 */
typedef int (*mp_engine_ad_fn)(void *user, const struct mp_adv_report *r, const struct mp_ad *ad);

/**
 * Receive the AD structures of type @ad_type whose data starts with the
 * @prefix_len octets of @prefix (0..MP_ENGINE_AD_PREFIX_MAX; a beacon type,
 * a 16-bit service UUID): a Mesh Message (0x2A), a Secure Network beacon
 * (0x2B, 0x01). For each report the radio delivers whole (its AD structures
 * all within its length; a payload that runs past its end is dropped, Core
 * Supplement Part A 1), receivers are called in the order they registered,
 * each with the first AD structure of its kind that it takes (a PDU per
 * advertisement, MshPRT v1.1 3.3.1). A receiver may register or unregister
 * receivers; it must not free the engine. Returns the registration's id
 * (> 0), -EINVAL, or -ENOSPC when MP_ENGINE_AD_RECEIVERS are registered.
 */
int mp_engine_ad_register(struct mp_engine *e, uint8_t ad_type, const uint8_t *prefix,
			  size_t prefix_len, mp_engine_ad_fn fn, void *user);
/** Remove registration @id. 0 or -ENOENT. */
int mp_engine_ad_unregister(struct mp_engine *e, int id);

/* ---- Network PDUs on the advertising bearer ---- */

/*
 * The advertising bearer carries one Network PDU per Mesh Message AD
 * structure (0x2A, MshPRT v1.1 3.3.1). A PDU is sent with the Network
 * Transmit state (4.2.20), one octet: Network Transmit Count (bits 0-2),
 * the number of transmissions less one, and Network Transmit Interval
 * Steps (bits 3-7), the time between two transmissions in 10 ms units
 * less one. The first transmission goes to the radio at once, the others
 * on the loop's clock. Each transmission is one advertise() of the radio,
 * under the sender MP_ENGINE_NET_SENDER, which no PB-ADV link uses (a
 * Link ID is never 0): a radio shares its advertiser between senders in
 * turn (the controller, hci/hci.h), so network traffic and provisioning
 * links take turns and neither starves the other. A radio may drop a
 * repetition that would add nothing (the controller keeps one copy of a
 * PDU not yet on the air).
 */
#define MP_ENGINE_NET_SENDER 0u
/** PDUs whose repetitions may be running at once. */
#define MP_ENGINE_NET_TX_MAX 16

/** The Network Transmit state of @count (0..7) and @steps (0..31). */
#define MP_ENGINE_NET_TRANSMIT(count, steps) \
	((uint8_t)(((unsigned)(steps) & 0x1f) << 3 | ((unsigned)(count) & 0x7)))
/** Transmissions less one, of the Network Transmit state @t. */
#define MP_ENGINE_NET_TRANSMIT_COUNT(t) ((unsigned)(t) & 0x7)
/** Milliseconds between two transmissions, of the state @t. */
#define MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(t) ((((unsigned)(t) >> 3) + 1) * 10)

/**
 * A received Network PDU: @pdu (@len octets, 14..29, valid during the call
 * only), from the advertising report @r (its RSSI and advertiser address).
 * It is not authenticated: the network layer decides.
 */
typedef void (*mp_engine_net_rx_fn)(void *user, const uint8_t *pdu, size_t len,
				    const struct mp_adv_report *r);

/**
 * Hand every Mesh Message heard to @fn (with @user) from now on, or to
 * nobody (@fn NULL). One receiver: a second replaces the first. A Mesh
 * Message of a length no Network PDU has (not 14..29) is dropped. @fn may
 * send and may change the receiver; it must not free the engine. Returns
 * 0, or -ENOSPC when the engine's table of AD receivers is full.
 */
int mp_engine_net_receive(struct mp_engine *e, mp_engine_net_rx_fn fn, void *user);

/**
 * Send the Network PDU @pdu (@len octets, copied) with the Network Transmit
 * state @transmit (MP_ENGINE_NET_TRANSMIT). Returns 0 once the first
 * transmission is with the radio, -EINVAL for a NULL @pdu, -EMSGSIZE for a
 * @len outside 14..29, -ENOBUFS when MP_ENGINE_NET_TX_MAX PDUs still have
 * repetitions to come (nothing is sent), or the radio's error for the
 * first transmission (nothing is repeated). When the radio is lost, the
 * repetitions still to come are dropped.
 */
int mp_engine_net_send(struct mp_engine *e, const uint8_t *pdu, size_t len, uint8_t transmit);

/**
 * Send the mesh beacon @beacon (@len octets from its Beacon Type on, such
 * as a Secure Network beacon, MshPRT v1.1 3.10.3) once, in a Mesh Beacon
 * AD structure (0x2B) on the advertising bearer, under the sender
 * MP_ENGINE_NET_SENDER. The caller repeats it on its beacon interval.
 * Returns 0 once it is with the radio, -EINVAL for a NULL @beacon,
 * -EMSGSIZE for a @len of 0 or over 29, or the radio's error.
 */
int mp_engine_beacon_send(struct mp_engine *e, const uint8_t *beacon, size_t len);

/** PDUs whose repetitions are still to come. */
unsigned int mp_engine_net_pending(const struct mp_engine *e);

/**
 * A Mesh Proxy Service advertisement heard (Service Data for UUID 0x1828,
 * MshPRT v1.1 7.2.2.2), decoded into @a, from the report @r: where to
 * connect (r->addr, r->addr_type, r->connectable) for a GATT Proxy link
 * (engine/proxy_link.h). Which network or node it names is the owner's to
 * tell (mp_proxy_adv_identify()). Both valid during the call only.
 */
typedef void (*mp_engine_proxy_adv_fn)(void *user, const struct mp_proxy_adv *a,
				       const struct mp_adv_report *r);

/**
 * Hand every Mesh Proxy Service advertisement heard to @fn from now on, or
 * to nobody (@fn NULL); one receiver, a second replaces the first. Service
 * data that does not decode (a wrong length, an RFU Identification Type) is
 * dropped. The same rules as mp_engine_net_receive(); 0 or -ENOSPC.
 */
int mp_engine_proxy_adv_receive(struct mp_engine *e, mp_engine_proxy_adv_fn fn, void *user);

/**
 * Start provisioning the device @uuid over the bearer opts->bearer picks.
 * Returns 0 and the session in *@out (may be NULL), -EBUSY when
 * max_sessions are running, -EALREADY when this device is being
 * provisioned, -EINVAL without a keyring or with bad options,
 * -EHOSTUNREACH for PB-GATT to a device not heard advertising it,
 * -EOPNOTSUPP for PB-GATT on a radio without connections.
 */
int mp_engine_provision(struct mp_engine *e, const uint8_t uuid[16],
			const struct mp_provision_opts *opts, struct mp_session **out);

/**
 * Discovery on or off: whether the radio listens when no session needs it.
 * Sessions always get their answers: the radio listens while any runs,
 * whatever was asked here. On at creation.
 */
void mp_engine_set_discovery(struct mp_engine *e, bool on);

/** True when the radio was last asked to listen. */
bool mp_engine_listening(const struct mp_engine *e);

/** The table of unprovisioned devices heard. */
const struct mp_scan_table *mp_engine_scan_table(const struct mp_engine *e);

/** Sessions running now. */
unsigned int mp_engine_sessions(const struct mp_engine *e);

/** Output OOB: what the user typed. 0, -EINVAL (ask again), -EALREADY. */
int mp_session_oob(struct mp_session *s, const char *text);
/** Cancel a session: FAILED with -ECANCELED follows. */
void mp_session_cancel(struct mp_session *s);
/** End a session for a reason of the caller's: FAILED with @errnum follows
 *  (-ETIMEDOUT reads "timeout", -ECANCELED "cancelled"). */
void mp_session_abort(struct mp_session *s, int errnum);
/** The device UUID of a session. */
const uint8_t *mp_session_uuid(const struct mp_session *s);
/** The session provisioning @uuid, or NULL. */
struct mp_session *mp_engine_find(struct mp_engine *e, const uint8_t uuid[16]);

#endif
