/* What is known of each node's configuration, and the network's groups.
 *
 * Kept in the Mesh Configuration Database's own shape (MshCDB 1.0.1 2.1.4:
 * a node's "cid", "pid", "vid", "crpl", "features", "elements" with their
 * "models" and each model's "bind", "subscribe" and "publish", and the
 * node's "defaultTTL", "networkTransmit", "relayRetransmit",
 * "secureNetworkBeacon"; "groups" at the top), in the keyring file and in
 * `export`, and read back by import. The keyring file (format version 2,
 * which allows added fields) keeps them in each node's "config" object,
 * with the same codec as the CDB; a keyring without them loads as before.
 *
 * Per node, meshprov also keeps the progress of a configuration run (which
 * steps of which profile are done, so that an interrupted run resumes):
 * in the keyring file only ("config.steps"), never in a CDB export, because
 * it describes a run of this installation, not the network; another
 * provisioner importing the CDB reads the node's state, not our progress.
 *
 * The same rules as store/nodes.h: every change is saved before the call
 * returns (or at the batch's commit), errors fill the keyring's
 * struct mp_keyring_error, and the pointers returned stay valid until the
 * next change. Element numbers are indexes (0 = the primary element), not
 * addresses: the caller converts.
 */
#ifndef MP_STORE_NODE_CONFIG_H
#define MP_STORE_NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"
#include "store/nodes.h"

/* A feature's state as the CDB writes it ("features": relay, proxy,
 * friend, lowPower), and the beacon's; MP_NC_UNKNOWN when never read. */
#define MP_NC_OFF 0		/* supported, disabled */
#define MP_NC_ON 1		/* supported, enabled */
#define MP_NC_UNSUPPORTED 2
#define MP_NC_UNKNOWN 0xff

#define MP_NC_SIG 0xffff	/* the company of a SIG model (vendor models carry theirs) */
#define MP_NC_TTL_DEFAULT 0xff	/* a publication TTL meaning "the node's Default TTL" */
#define MP_NC_MAX_SUBS 255	/* subscriptions kept per model */
#define MP_NC_MAX_MODELS 512	/* models per element */
#define MP_NC_STEP_MAX 64	/* bytes of a step or profile name */
#define MP_NC_MAX_STEPS 4096	/* steps recorded per node */

/* Composition Data page 0 features bits (MshPRT v1.1 4.2.2.1). */
#define MP_NC_FEAT_RELAY 0x1
#define MP_NC_FEAT_PROXY 0x2
#define MP_NC_FEAT_FRIEND 0x4
#define MP_NC_FEAT_LPN 0x8

/* A publication or subscription address, or a group's: a unicast or group
 * address, or a virtual label (@addr then its virtual address, MshPRT v1.1
 * 3.4.2.3). */
struct mp_nc_addr {
	uint16_t addr;
	bool virt;
	uint8_t label[16];	/* valid when virt */
};

/* Network Transmit and Relay Retransmit (MshPRT v1.1 4.2.19, 4.2.20) as
 * the CDB writes them: transmissions 1..8, interval 10..320 ms by 10. */
struct mp_nc_transmit {
	uint8_t count;
	uint16_t interval_ms;
};

/* A model's publication (MshPRT v1.1 4.2.3), CDB "publish". */
struct mp_nc_pub {
	struct mp_nc_addr addr;
	uint16_t app_index;
	uint8_t ttl;			/* 0..127, or MP_NC_TTL_DEFAULT */
	uint8_t period_steps;		/* 0..63 */
	uint32_t period_res_ms;		/* 100, 1000, 10000 or 600000 */
	bool credentials;		/* friendship credentials */
	uint8_t rtx_count;		/* 0..7 */
	uint16_t rtx_interval_ms;	/* 50..1600 by 50 */
};

struct mp_nc_model {
	uint16_t company;		/* MP_NC_SIG for a SIG model */
	uint16_t id;
	uint16_t n_bind;
	uint16_t *bind;			/* AppKey indexes, in the order bound */
	uint16_t n_sub;
	struct mp_nc_addr *sub;		/* in the order added */
	bool has_pub;
	struct mp_nc_pub pub;
};

struct mp_nc_element {
	uint16_t location;		/* GATT Namespace Descriptor */
	char name[MP_KR_NAME_MAX + 1];	/* "" if none */
	uint16_t n_models;
	struct mp_nc_model *models;
};

/* A node's configuration as recorded (struct mp_node's "config"). */
struct mp_node_config {
	bool has_comp;			/* Composition Data page 0 known */
	uint16_t cid, pid, vid, crpl;
	uint8_t relay, proxy, friend_, low_power;	/* MP_NC_OFF/ON/UNSUPPORTED/UNKNOWN */
	uint8_t n_elements;		/* 0 until something is recorded; then the node's count */
	struct mp_nc_element *elements;
	bool has_default_ttl;
	uint8_t default_ttl;		/* 0, 2..127 */
	bool has_net_tx, has_relay_rtx;
	struct mp_nc_transmit net_tx, relay_rtx;
	uint8_t beacon;			/* Secure Network Beacon: MP_NC_OFF/ON/UNKNOWN */
	/* Key Refresh: the node's keys it has received the new value of (CDB
	 * "updated"), as key indexes. */
	uint8_t n_net_updated, n_app_updated;
	uint16_t net_updated[MP_NODE_MAX_NETKEYS];
	uint16_t app_updated[MP_NODE_MAX_APPKEYS];
	/* The progress of a configuration run: the profile's name and the
	 * steps done (keyring file only). */
	char profile[MP_NC_STEP_MAX + 1];
	size_t n_steps;
	char (*steps)[MP_NC_STEP_MAX + 1];
};

/* A group (CDB "groups"): a name, a group address or virtual label, and
 * the parent group (address 0: none). */
struct mp_group {
	char name[MP_KR_NAME_MAX + 1];
	struct mp_nc_addr addr;
	struct mp_nc_addr parent;
};

/* ---- Reading ------------------------------------------------------------- */

/**
 * The configuration recorded of the node owning @addr; NULL when there is
 * no such node or nothing is recorded of it yet.
 */
const struct mp_node_config *mp_node_config(const struct mp_keyring *kr, uint16_t addr);

/** The model @company/@id of element @elem of @cfg, or NULL. */
const struct mp_nc_model *mp_node_config_model(const struct mp_node_config *cfg, uint8_t elem,
					       uint16_t company, uint16_t id);

/** True when step @step of profile @profile is recorded done on node @addr. */
bool mp_node_config_step_is_done(const struct mp_keyring *kr, uint16_t addr,
				 const char *profile, const char *step);

/* ---- Composition ----------------------------------------------------------- */

/* Composition Data page 0 in the store's own terms (the CLI converts from
 * config/comp.h's struct mp_comp0). */
struct mp_nc_comp_model {
	uint16_t company;		/* MP_NC_SIG for a SIG model */
	uint16_t id;
};

struct mp_nc_comp_element {
	uint16_t location;
	uint16_t n_models;
	const struct mp_nc_comp_model *models;
};

struct mp_nc_comp {
	uint16_t cid, pid, vid, crpl;
	uint16_t features;		/* MP_NC_FEAT_* bits: supported features */
	uint8_t n_elements;
	const struct mp_nc_comp_element *elements;
};

/**
 * Replace the node's composition with @c. The element count must be the
 * node's (-EINVAL otherwise, and for a model listed twice in an element).
 * What is recorded of a model still present at the same element (bindings,
 * subscriptions, publication) is kept; a feature the composition says is
 * unsupported becomes MP_NC_UNSUPPORTED, a supported one keeps its known
 * state (MP_NC_UNKNOWN if none). Saves. -ENOENT: no such node.
 */
int mp_node_config_set_composition(struct mp_keyring *kr, uint16_t addr,
				   const struct mp_nc_comp *c);

/* ---- Model state ------------------------------------------------------------ */

/*
 * In the calls below the model must be in the node's recorded composition
 * (-ENOENT naming node, element and model otherwise); when no composition
 * is recorded, the model is added to the element as it is first used.
 * -EINVAL: an element number beyond the node's.
 */

/**
 * Record AppKey @app_index bound (@bind) to a model or unbound from it
 * (already so: nothing changes). -ENOENT when binding a key the keyring
 * does not have. Saves.
 */
int mp_node_config_bind(struct mp_keyring *kr, uint16_t addr, uint8_t elem, uint16_t company,
			uint16_t id, uint16_t app_index, bool bind);

enum mp_nc_sub_op {
	MP_NC_SUB_ADD,		/* add @a (nothing if there) */
	MP_NC_SUB_DELETE,	/* delete @a (nothing if absent) */
	MP_NC_SUB_OVERWRITE,	/* the list becomes @a alone */
	MP_NC_SUB_DELETE_ALL,	/* the list becomes empty (@a unused, may be NULL) */
};

/**
 * Record a subscription change of a model, as the node's Model
 * Subscription Status confirmed it (MshPRT v1.1 4.3.2.19..4.3.2.25).
 * -ENOSPC beyond MP_NC_MAX_SUBS. Saves.
 */
int mp_node_config_subscribe(struct mp_keyring *kr, uint16_t addr, uint8_t elem,
			     uint16_t company, uint16_t id, enum mp_nc_sub_op op,
			     const struct mp_nc_addr *a);

/** Record a model's publication (@pub NULL: none). Saves. */
int mp_node_config_publish(struct mp_keyring *kr, uint16_t addr, uint8_t elem, uint16_t company,
			   uint16_t id, const struct mp_nc_pub *pub);

/* ---- Node settings ------------------------------------------------------------ */

/* Which fields of struct mp_nc_settings to record. */
#define MP_NC_SET_DEFAULT_TTL 0x01
#define MP_NC_SET_NET_TX 0x02
#define MP_NC_SET_RELAY 0x04	/* relay and relay_rtx */
#define MP_NC_SET_PROXY 0x08
#define MP_NC_SET_FRIEND 0x10
#define MP_NC_SET_BEACON 0x20
#define MP_NC_SET_LOW_POWER 0x40

struct mp_nc_settings {
	unsigned mask;			/* MP_NC_SET_* */
	uint8_t default_ttl;		/* 0 or 2..127 */
	struct mp_nc_transmit net_tx;
	uint8_t relay;			/* MP_NC_OFF/ON/UNSUPPORTED */
	struct mp_nc_transmit relay_rtx;
	uint8_t proxy, friend_, low_power, beacon;
};

/** Record the settings named in @s->mask; -EINVAL for a value out of range. Saves. */
int mp_node_config_set(struct mp_keyring *kr, uint16_t addr, const struct mp_nc_settings *s);

/**
 * Record that the node has (@updated) or has not received the new value of
 * its NetKey (@app false) or AppKey @index during a Key Refresh (CDB
 * "updated"). -ENOENT when the node does not hold that key. Saves.
 */
int mp_node_config_set_updated(struct mp_keyring *kr, uint16_t addr, bool app, uint16_t index,
			       bool updated);

/* ---- Progress of a configuration run ------------------------------------------ */

/**
 * Record step @step of profile @profile done on node @addr (names of 1 to
 * MP_NC_STEP_MAX printable bytes). A profile other than the one recorded
 * starts the list again. Saves.
 */
int mp_node_config_step_done(struct mp_keyring *kr, uint16_t addr, const char *profile,
			     const char *step);

/** Forget the steps recorded of node @addr (a new run starts from the first). Saves. */
int mp_node_config_steps_clear(struct mp_keyring *kr, uint16_t addr);

/* ---- Groups --------------------------------------------------------------- */

/** How many groups. */
size_t mp_keyring_group_count(const struct mp_keyring *kr);
/** The @i-th group (in the order added), NULL past the end. */
const struct mp_group *mp_keyring_group_at(const struct mp_keyring *kr, size_t i);
/** The group named @name, or NULL. */
const struct mp_group *mp_keyring_group_find_name(const struct mp_keyring *kr, const char *name);
/**
 * The group of address @addr (a group address, or a virtual address: the
 * first group whose label has it), or NULL.
 */
const struct mp_group *mp_keyring_group_find(const struct mp_keyring *kr, uint16_t addr);

/**
 * Add a group named @name (1..MP_KR_NAME_MAX bytes, no control characters).
 * @addr: NULL for the lowest free group address of this provisioner's
 * group ranges; a group address, which must be inside them (-ERANGE, the
 * message names the ranges); or a virtual label (label all zero: a random
 * one). @parent NULL: none. -EEXIST when the name or the address (label)
 * is another group's. The group made is in *@out (may be NULL). Saves.
 * -ENOSPC when the ranges are full.
 */
int mp_keyring_group_add(struct mp_keyring *kr, const char *name, const struct mp_nc_addr *addr,
			 const struct mp_nc_addr *parent, const struct mp_group **out);

/** Remove the group named @name; -ENOENT if none. Saves. */
int mp_keyring_group_remove(struct mp_keyring *kr, const char *name);

#endif
