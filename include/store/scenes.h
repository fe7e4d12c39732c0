/* The network's scenes, in the Mesh Configuration Database's shape
 * (MshCDB 1.0.1 2.1.7, "scenes": [ { "name", "number", "addresses" } ]).
 *
 * A scene is a number (0001-FFFF; 0000 is no scene, MshMDL v1.1 5.1.3.1)
 * with a name, and the unicast addresses of the elements whose Scene
 * Register holds it. The keyring file and the CDB keep them with one codec
 * (src/store/kr_scenes.c), at the top of the file, added within keyring
 * format version 2 as "groups" were (an older version-2 reader ignores
 * them). Scenes are kept in number order, each one's addresses in address
 * order, so that an export, imported and exported again, gives the same
 * bytes whatever order the first file had.
 *
 * What is refused (import of a CDB and reading the keyring file alike,
 * -EBADMSG naming the field, "scenes[2].number"): a number that is not 4
 * hexadecimal digits or is 0000; the same number twice; an address that is
 * not 4 hexadecimal digits of a unicast address (0001-7FFF), listed twice
 * in one scene, or that no node's element has: the schema's addresses are
 * those of elements of the network's nodes, and a scene naming an element
 * nobody has would survive the node's removal and land on the next node
 * given that address. What is read: "scenes" absent or empty (BlueZ's
 * mesh-cfgclient, older nRF Mesh), a scene without "addresses" (none
 * stored yet), the key "scene" for "number" (nRF Mesh for iOS 3.0 betas),
 * and a number written as a JSON integer (older nRF Mesh for Android).
 *
 * A node removed (mp_keyring_node_remove(), its reset) takes its element
 * addresses out of every scene; so does a node dropped by a merge.
 *
 * The same rules as store/nodes.h: every change is saved before the call
 * returns (or at the batch's commit), errors fill the keyring's struct
 * mp_keyring_error, and the pointers returned stay valid until the next
 * change.
 */
#ifndef MP_STORE_SCENES_H
#define MP_STORE_SCENES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"
#include "store/nodes.h"

#define MP_SCENE_MIN 0x0001
#define MP_SCENE_MAX 0xffff

struct mp_scene {
	char name[MP_KR_NAME_MAX + 1];	/* may be "" */
	uint16_t number;		/* 0001-FFFF */
	uint16_t n_addrs;
	uint16_t *addrs;		/* element addresses, ascending */
};

/** How many scenes. */
size_t mp_keyring_scene_count(const struct mp_keyring *kr);
/** The @i-th scene (in number order), NULL past the end. */
const struct mp_scene *mp_keyring_scene_at(const struct mp_keyring *kr, size_t i);
/** The scene numbered @number, or NULL. */
const struct mp_scene *mp_keyring_scene_find(const struct mp_keyring *kr, uint16_t number);

/**
 * Add a scene named @name (0..MP_KR_NAME_MAX bytes, no control
 * characters) numbered @number: 0 for the lowest free number of this
 * provisioner's scene ranges, else a number inside them (-ERANGE, the
 * message names the ranges). -EEXIST: the number is another scene's;
 * -ENOSPC: the ranges are full. Its number in *@out (may be NULL). Saves.
 */
int mp_keyring_scene_add(struct mp_keyring *kr, const char *name, uint16_t number,
			 uint16_t *out);

/** Remove scene @number; -ENOENT if none. Saves. */
int mp_keyring_scene_remove(struct mp_keyring *kr, uint16_t number);

/**
 * Record that element @addr holds scene @number in its Scene Register
 * (@stored) or no longer does (as a Scene Register Status says, MshMDL
 * v1.1 5.2.2.7); already so: nothing changes. -ENOENT: no such scene, or
 * no node has that element. Saves.
 */
int mp_keyring_scene_store(struct mp_keyring *kr, uint16_t number, uint16_t addr, bool stored);

#endif
