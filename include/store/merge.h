/* Merge: the stations' work brought back into one keyring.
 *
 * Each station (store/stations.h) provisions from its own ranges, apart
 * from the others, in a keyring of its own; its export (a Mesh
 * Configuration Database) comes back to be merged. What is united:
 *   - nodes, by device UUID and unicast address: a node's record is taken
 *     whole from whichever copy changed it last (its modification time,
 *     then fixed rules on a tie, so that the order of the files never
 *     matters); a device key is never lost to a partial copy;
 *   - exclusions (an address excluded anywhere stays excluded, at the
 *     highest IV index any copy excluded it at); a node whose address
 *     another copy excluded (it was removed there) is dropped;
 *   - NetKeys and AppKeys by index; provisioners (stations) by UUID, their
 *     ranges united;
 *   - the highest IV index (MshPRT v1.1 3.11.5: it never goes back);
 *   - groups (store/node_config.h) by name and address: a group any copy
 *     has is in the result; this keyring's keep their order, the new ones
 *     follow in address order (never the order of the files). A removal
 *     leaves no trace to merge: a group removed in one copy comes back
 *     from another that has it;
 *   - scenes (store/scenes.h) by number: a scene any copy has is in the
 *     result, its addresses (the elements that store it) united, less the
 *     addresses of nodes the result does not have (removed in some copy).
 *     As with groups, a scene removed, or an element's address taken out
 *     of a scene, in one copy comes back from another that has it.
 *
 * Conflicts are never settled silently: the same address for two UUIDs,
 * one UUID with two device keys, two stations claiming one range (their
 * ranges overlap), a group name with two addresses (or one address with
 * two names), one group with two parents (parentAddress), one scene
 * number with two names, a key index with two keys. Any of them stops the merge: every conflict is reported and
 * nothing is written. A copy of another network (another meshUUID, or
 * another primary NetKey) and a damaged one are refused likewise.
 *
 * The merge is commutative and idempotent: the same files in any order
 * give the same network, and merging them again changes nothing in it.
 */
#ifndef MP_STORE_MERGE_H
#define MP_STORE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"

enum mp_merge_conflict_kind {
	MP_MERGE_ADDRESS,	/* one address (block) for two UUIDs */
	MP_MERGE_DEVKEY,	/* one UUID with two device keys */
	MP_MERGE_RANGE,		/* two stations claim one range */
	MP_MERGE_GROUP,		/* one group name with two addresses (or one address, two
				 * names, or one group with two parents) */
	MP_MERGE_KEY,		/* one NetKey or AppKey index with two keys */
	MP_MERGE_SCENE,		/* one scene number with two names */
};

struct mp_merge_conflict {
	enum mp_merge_conflict_kind kind;
	size_t src[2];		/* the copies involved: 0 this keyring, i the i-th file */
	char what[320];		/* one line naming both sides (no key material) */
};

/* One change the merge makes (or, dry, would make) to this keyring. */
enum mp_merge_change_kind {
	MP_MERGE_NODE_ADDED,
	MP_MERGE_NODE_UPDATED,		/* another copy changed it later */
	MP_MERGE_NODE_DROPPED,		/* removed in another copy (its address excluded) */
	MP_MERGE_GROUP_ADDED,
	MP_MERGE_SCENE_ADDED,
	MP_MERGE_SCENE_CHANGED,		/* elements that store it added */
	MP_MERGE_EXCLUSION_ADDED,
	MP_MERGE_STATION_ADDED,
	MP_MERGE_STATION_CHANGED,	/* its ranges */
	MP_MERGE_KEY_ADDED,		/* a NetKey or AppKey index */
	MP_MERGE_IV_INDEX,		/* the IV index (or its IV Update flag) */
};

struct mp_merge_change {
	enum mp_merge_change_kind kind;
	uint16_t addr;		/* the node's, group's or excluded address, the scene's
				 * number; else 0 */
	char what[200];		/* one line naming it (no key material) */
};

struct mp_merge_report {
	struct mp_merge_conflict *conflicts;	/* malloc'd; mp_merge_report_free() */
	size_t n_conflicts;
	/* Every change, sorted by kind, then address, then text (the order of
	 * the files never shows); malloc'd; empty when there are conflicts. */
	struct mp_merge_change *changes;
	size_t n_changes;
	size_t nodes_added, nodes_updated, nodes_dropped;
	size_t exclusions_added, stations_added, stations_changed, keys_added;
	size_t groups;		/* the groups of the result */
	size_t groups_added;	/* of them, new to this keyring */
	size_t scenes;		/* the scenes of the result */
	size_t scenes_added;	/* of them, new to this keyring */
	size_t scenes_changed;	/* scenes of this keyring stored by more elements */
	uint32_t iv_before, iv_after;
};

/** "address", "device-key", "range", "group", "key" or "scene". */
const char *mp_merge_conflict_str(enum mp_merge_conflict_kind kind);

/**
 * "node-added", "node-updated", "node-dropped", "group-added",
 * "scene-added", "scene-changed", "exclusion-added", "station-added", "station-changed", "key-added" or
 * "iv-index".
 */
const char *mp_merge_change_str(enum mp_merge_change_kind kind);

/**
 * Merge the @n CDB documents @docs (@lens bytes each; @names name them in
 * messages) into the keyring. With @dry_run nothing is written: @rep says
 * what would change. The stations whose exports were merged (a CDB written
 * by meshprov names its exporter) get their last-merged time. Returns
 *   0        merged (or, with @dry_run, mergeable)
 *   -EBADMSG a document is damaged or not a CDB (the message names it)
 *   -EXDEV   a document is of another network (meshUUID or NetKey)
 *   -EINVAL  a document was exported by this keyring itself (its own copy
 *            merged into itself)
 *   -ENOTUNIQ conflicts: @rep lists every one; nothing written
 *   or the errors of saving. @rep (may not be NULL) is filled in any case;
 * free it with mp_merge_report_free().
 */
int mp_merge(struct mp_keyring *kr, const char *const *docs, const size_t *lens,
	     const char *const *names, size_t n, bool dry_run, struct mp_merge_report *rep);

/** Free what mp_merge() put in @rep. */
void mp_merge_report_free(struct mp_merge_report *rep);

#endif
