/* The nodes of a keyring: provisioners and their address ranges, node
 * records, address allocation, exclusions, and what is known of each node's
 * configuration.
 *
 * Split from store/keyring.h (the file, its lock and passphrase, the
 * network, the IV index and the keys): the same keyring object, the same
 * rules (every change saved before the call returns, errors in the
 * keyring's struct mp_keyring_error, pointers valid until the next change).
 * The provisioning flow and the crash and exclusion policies are described
 * in store/keyring.h.
 */
#ifndef MP_STORE_NODES_H
#define MP_STORE_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"

struct mp_node_config;	/* store/node_config.h */

struct mp_kr_range {
	uint16_t low, high;		/* inclusive */
};

struct mp_provisioner {
	char name[MP_KR_NAME_MAX + 1];
	uint8_t uuid[16];
	uint8_t n_unicast, n_group, n_scene;
	struct mp_kr_range unicast[MP_KR_MAX_RANGES];
	struct mp_kr_range group[MP_KR_MAX_RANGES];
	struct mp_kr_range scene[MP_KR_MAX_RANGES];
	uint32_t ranges_rev;		/* counts changes of its ranges: merge takes the
					 * latest ranges of a station (then ranges_at) */
	int64_t ranges_at;		/* when its ranges last changed; 0 unknown */
	int64_t merged_at;		/* when its copy was last merged into this keyring
					 * (store/merge.h); 0: never. Keyring file only. */
};

enum mp_node_state {
	MP_NODE_PENDING = 0,	/* recorded before Provisioning Data was sent */
	MP_NODE_UNCONFIRMED,	/* Data sent, Provisioning Complete never seen */
	MP_NODE_COMPLETE,	/* provisioned */
};

struct mp_node {
	uint8_t uuid[16];
	uint16_t addr;			/* primary element address */
	uint8_t elements;		/* addr .. addr + elements - 1 are this node's */
	uint8_t dev_key[16];		/* valid when has_dev_key */
	bool has_dev_key;		/* false only for nodes imported from a partial CDB */
	bool is_self;			/* this provisioner's own node */
	bool config_complete;		/* CDB "configComplete" */
	bool excluded;			/* CDB "excluded" (key refresh blacklisting) */
	enum mp_node_state state;
	uint8_t n_net_keys, n_app_keys;
	uint16_t net_keys[MP_NODE_MAX_NETKEYS];
	uint16_t app_keys[MP_NODE_MAX_APPKEYS];
	char algorithm[MP_KR_TAG_MAX + 1];	/* e.g. "P256-CMAC-AES128"; "" if unknown */
	char oob[MP_KR_TAG_MAX + 1];		/* e.g. "none", "static", "output", "input" */
	int64_t provisioned_at;		/* when recorded / completed; 0 if unknown */
	int64_t modified_at;		/* when this keyring last changed the record; 0 if
					 * unknown (merge, store/merge.h, takes the latest) */
	char name[MP_KR_NAME_MAX + 1];	/* user-given; "" if none */
	/* What is known of its configuration (NULL: nothing yet), owned by
	 * the keyring: read it with store/node_config.h. */
	struct mp_node_config *config;
};

struct mp_exclusion {
	uint16_t addr;
	uint32_t iv_index;		/* the IV index when the address was excluded */
};

/* ---- Provisioners ---------------------------------------------------------- */

/** This provisioner. */
const struct mp_provisioner *mp_keyring_self(const struct mp_keyring *kr);
/** This provisioner's own unicast address. */
uint16_t mp_keyring_self_address(const struct mp_keyring *kr);
/** How many provisioners the network has (this one included). */
size_t mp_keyring_provisioner_count(const struct mp_keyring *kr);
/** The @i-th provisioner, this one first; NULL past the end. */
const struct mp_provisioner *mp_keyring_provisioner_at(const struct mp_keyring *kr, size_t i);

/* ---- Nodes --------------------------------------------------------------- */

/** How many nodes, in any state, this provisioner's own included. */
size_t mp_keyring_node_count(const struct mp_keyring *kr);
/** The @i-th node in address order (the provisioner's own included), NULL past the end. */
const struct mp_node *mp_keyring_node_at(const struct mp_keyring *kr, size_t i);
/** The node that owns unicast address @addr (any of its elements), or NULL. */
const struct mp_node *mp_keyring_node_find(const struct mp_keyring *kr, uint16_t addr);
/** The node with device UUID @uuid, or NULL. */
const struct mp_node *mp_keyring_node_find_uuid(const struct mp_keyring *kr,
						const uint8_t uuid[16]);

/**
 * The lowest free block of @elements (1..255) consecutive unicast addresses
 * inside this provisioner's ranges, touching no node and no excluded
 * address; changes nothing. -ENOSPC when there is none.
 */
int mp_keyring_alloc_address(struct mp_keyring *kr, uint8_t elements, uint16_t *addr);

/** Optional details of a node being provisioned. */
struct mp_node_prov_info {
	uint16_t addr;			/* 0: allocate; else this exact address (must be free) */
	uint16_t net_index;		/* the NetKey given in Provisioning Data */
	const char *algorithm;		/* NULL or a tag (printable, <= MP_KR_TAG_MAX) */
	const char *oob;		/* NULL or a tag */
	const char *name;		/* NULL or a user-given name */
};

/**
 * Allocate addresses for a device and record it as PENDING with its device
 * key, then SAVE; the Provisioning Data may be sent only after this returned
 * 0. @info may be NULL (allocate; NetKey 0). A COMPLETE record of the same
 * UUID gives -EEXIST (remove it first). A PENDING or UNCONFIRMED one (an
 * earlier attempt that never completed) is replaced, and the device takes
 * back its own block: the same first address when the new element count
 * fits there, the old addresses beyond the new block being excluded;
 * otherwise a new block, the old one excluded. So retrying one device never
 * takes more addresses than it claims (issue 12): the device answering
 * is unprovisioned, so it holds none of them, and as it was never
 * configured it cannot have sent from them. -ENOSPC when the range is full;
 * -EDQUOT when this keyring object has already seen
 * mp_keyring_set_unconfirmed_max() other devices left UNCONFIRMED.
 */
int mp_keyring_node_add_pending(struct mp_keyring *kr, const uint8_t uuid[16], uint8_t elements,
				const uint8_t dev_key[16], const struct mp_node_prov_info *info,
				uint16_t *addr_out);

/* Devices that may be left UNCONFIRMED in one run (one keyring object) by
 * default: each keeps its block for good, so a device (or several) that
 * authenticates and never completes could otherwise use up the range. */
#define MP_KEYRING_DEFAULT_UNCONFIRMED_MAX 16

/**
 * At most @max distinct devices may be left UNCONFIRMED (by
 * mp_keyring_node_abort() with data_sent) while this keyring object is
 * open; once reached, mp_keyring_node_add_pending() refuses any other
 * device with -EDQUOT (retrying one of those devices reuses its block and
 * stays allowed). 0: no limit. Default MP_KEYRING_DEFAULT_UNCONFIRMED_MAX.
 */
void mp_keyring_set_unconfirmed_max(struct mp_keyring *kr, unsigned int max);

/** Provisioning Complete was received: the node becomes COMPLETE. Saves. */
int mp_keyring_node_complete(struct mp_keyring *kr, uint16_t addr);

/**
 * Provisioning of a PENDING node failed. @data_sent false: the Provisioning
 * Data never left, the record is dropped and its addresses are free again.
 * @data_sent true: the device may hold the address; the record is kept as
 * UNCONFIRMED (see the header comment). Saves.
 */
int mp_keyring_node_abort(struct mp_keyring *kr, uint16_t addr, bool data_sent);

/** Set a node's user-given name ("" or NULL clears it). Saves. */
int mp_keyring_node_rename(struct mp_keyring *kr, uint16_t addr, const char *name);

/**
 * Remove a node (any state but the provisioner's own); its addresses go to
 * the exclusion list with the current IV index. Saves.
 */
int mp_keyring_node_remove(struct mp_keyring *kr, uint16_t addr);

/** Record that a node holds (@add) or no longer holds a NetKey (@app false) or AppKey. Saves. */
int mp_keyring_node_set_key(struct mp_keyring *kr, uint16_t addr, bool app, uint16_t index,
			    bool add);

/** Set the CDB "configComplete" flag of a node. Saves. */
int mp_keyring_node_set_config_complete(struct mp_keyring *kr, uint16_t addr, bool done);

/**
 * Set the CDB "excluded" flag of a node (the Mesh Configuration Database's
 * nodes[].excluded, "blacklisted" in CDB 1.0): a node left out of a key refresh, that no longer has the subnet's current
 * NetKey. It stays in the keyring (its device key may serve to reset it or
 * to add it back) and its address is not freed: unlike the exclusion list
 * below, which records addresses of removed nodes. 0 (also when the flag
 * is already so, without a write), -ENOENT for no such node. Saves.
 */
int mp_keyring_node_set_excluded(struct mp_keyring *kr, uint16_t addr, bool excluded);

/* ---- Exclusions ---------------------------------------------------------- */

/** How many addresses are excluded (all are still excluded at the current IV index). */
size_t mp_keyring_exclusion_count(const struct mp_keyring *kr);
/** The @i-th excluded address (address order), NULL past the end. */
const struct mp_exclusion *mp_keyring_exclusion_at(const struct mp_keyring *kr, size_t i);
/** True when @addr is excluded at the current IV index. */
bool mp_keyring_is_excluded(const struct mp_keyring *kr, uint16_t addr);

/* ---- Display ------------------------------------------------------------- */

/** "pending", "unconfirmed" or "complete". */
const char *mp_node_state_str(enum mp_node_state state);

#endif
