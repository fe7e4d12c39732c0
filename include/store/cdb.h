/* Bluetooth SIG Mesh Configuration Database (CDB) JSON: export and import.
 *
 * The interchange format of nRF Mesh and BlueZ's mesh-cfgclient (Mesh
 * Configuration Database Profile 1.0.1): $schema, id, version, meshUUID,
 * meshName, timestamp, partial, provisioners (allocatedUnicastRange,
 * allocatedGroupRange, allocatedSceneRange), netKeys, appKeys, nodes, groups,
 * scenes, networkExclusions.
 *
 * Export also writes "ivIndex" (the top-level field mesh-cfgclient keeps in
 * its configuration file), "ivUpdate", and per node a "meshprov" object
 * (state, algorithm, OOB method, time) that other tools ignore, so that
 * export then import gives back the same keyring; per node also its
 * modification time ("modified", for merge), per provisioner the revision
 * and time of its ranges ("meshprov": rangesRevision, rangesChanged), and at
 * the top a "meshprov" object naming the exporting provisioner ("exporter")
 * and, for a station's copy, the station ("station"), except in a
 * mesh-cfgclient configuration file. Each node's composition
 * and configuration (cid, pid, vid, crpl, features, "elements" with their
 * models' bind, subscribe and publish, defaultTTL, networkTransmit,
 * relayRetransmit, secureNetworkBeacon, the keys' "updated"), the
 * network's "groups" as store/node_config.h records them and its "scenes"
 * as store/scenes.h does; a
 * node of which nothing is known gets {index, location, models: []} for
 * each of its elements. The progress of configuration runs is not exported.
 *
 * Import reads those fields, and a mesh-cfgclient configuration file too (no
 * $schema, "ivIndex" at the top). It validates the whole document before
 * touching the keyring; the error message names the bad field, e.g.
 * "nodes[2].unicastAddress"; store/scenes.h says what is refused of a
 * scene. Variants in the wild are read: UUIDs of 32 hex digits or RFC 4122; "groups" and
 * "scenes" absent; "blacklisted" (CDB 1.0) for "excluded"; either $schema;
 * model IDs in either case; a publish period in milliseconds (CDB 1.0).
 */
#ifndef MP_STORE_CDB_H
#define MP_STORE_CDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"

struct mp_cdb_export_opts {
	bool with_device_keys;		/* false: omit deviceKey, "partial": true */
	/* mesh-cfgclient only: its configuration file needs the 8-octet token
	 * of its bluetooth-meshd node at the top ("token"). NULL: none. */
	const uint8_t *cfgclient_token;
	/* A station's copy (store/stations.h): the provisioner of this UUID
	 * is the one that will take it; it is named in the CDB's top-level
	 * "meshprov" object with this keyring's own ("station", "exporter"),
	 * so that the copy is never taken as the exporter itself. NULL: none. */
	const uint8_t *station_uuid;
	/* With station_uuid: leave out the device keys of the nodes outside
	 * the station's unicast ranges ("partial": true); its own nodes keep
	 * theirs. */
	bool station_partial;
};

/**
 * The keyring as CDB JSON: a NUL-terminated malloc'd string in *@json (free
 * with mp_keyring_free_secret(): it holds keys), its length in *@len (may be
 * NULL). @opts NULL: with device keys.
 */
int mp_cdb_export(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts, char **json,
		  size_t *len);

/**
 * Export to a file: written atomically (a new temporary file of random name,
 * fsync, rename), mode 0600. Refuses (-EINVAL) to replace anything but a
 * regular file (a device, FIFO, socket, directory or symbolic link), and
 * (-EACCES) a directory another user owns or that group or others can write
 * unless it is sticky (/tmp).
 */
int mp_cdb_export_file(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts,
		       const char *path);

/* Flags of struct mp_cdb_import_opts. */
#define MP_CDB_REPLACE 0x1	/* allow replacing a keyring that already has nodes */
#define MP_CDB_ADOPT 0x2	/* become a provisioner of the CDB (see below) */

struct mp_cdb_import_opts {
	unsigned flags;
	const uint8_t *adopt_uuid;	/* with MP_CDB_ADOPT: which provisioner; NULL: the first */
	/* Become the CDB's station (provisioner) of this name: as MP_CDB_ADOPT
	 * of its UUID, with these refusals (-EPERM, the reason in the message):
	 * the CDB is that station's exporter's own copy (two keyrings would act
	 * as one provisioner), or the station's own address lies in another
	 * station's range or is another station's. When the keyring was
	 * another provisioner before, its SEQ starts at 0: the station's
	 * address has never sent. NULL: not a station. */
	const char *as_station;
	/* Where the replaced keyring was kept (see mp_cdb_import()); "" when
	 * none was. NULL: not wanted (a copy is still kept). */
	char *backup_path;
	size_t backup_cap;
};

/**
 * Replace the keyring's network with the CDB in @json (@len bytes), then save.
 *
 * Which provisioner this keyring becomes: the CDB provisioner with this
 * keyring's own provisioner UUID if there is one; else, with MP_CDB_ADOPT,
 * the one of UUID @adopt_uuid (or the first): use it to take over a network
 * from a tool that will no longer provision (two provisioners sharing one
 * range would hand out the same addresses); else this provisioner is added
 * with the largest unicast range no other provisioner holds. Its own node is
 * the CDB node with its UUID, or a new one at its first free address.
 *
 * What is replaced stays recoverable: before an open keyring file (one not
 * created by this open) is replaced, it is kept as
 * PATH.replaced-YYYYMMDDTHHMMSSZ (a hard link: the same bytes, seal, owner
 * and mode 0600), its path in @opts->backup_path.
 *
 * Two provisioners' ranges of a kind that overlap are refused (-EBADMSG),
 * the two named: they would hand out the same addresses.
 *
 * -EBADMSG with the bad field named when the document is invalid; -EEXIST
 * when the keyring has nodes besides its own and MP_CDB_REPLACE is not set;
 * -ENOSPC when no range or address is left for this provisioner. On any
 * error the keyring is unchanged.
 */
int mp_cdb_import(struct mp_keyring *kr, const char *json, size_t len,
		  const struct mp_cdb_import_opts *opts);

#endif
