/* Stations: several provisioners of one network, each with its own
 * address ranges (Mesh Configuration Database Profile 1.0.1: a
 * provisioner's allocatedUnicastRange, allocatedGroupRange and
 * allocatedSceneRange; no two provisioners' ranges of a kind overlap).
 *
 * A station is a provisioner entry of the keyring, named by its
 * provisionerName. This keyring is one station (its own provisioner, the
 * first); the others are the laptops or production lines that take a copy
 * of the network (export --station, import --as-station) and provision from
 * their own ranges only, so that no address is handed out twice while they
 * work apart; their work comes back with merge (store/merge.h).
 *
 * The range functions (mp_range_*) are pure: they read an array of
 * provisioners and compute, touching nothing.
 *
 * Allocation policy: best fit. A request is served from the smallest free
 * gap that holds it whole (the lowest such gap on a tie), so that the large
 * gaps stay whole for later stations and for growing the ranges that border
 * them; first fit would cut the first large gap for a small request. Only
 * when no single gap holds it is the request split, over the largest gaps
 * first (the fewest ranges), up to MP_KR_MAX_RANGES ranges of a kind.
 */
#ifndef MP_STORE_STATIONS_H
#define MP_STORE_STATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"
#include "store/nodes.h"

/* The three kinds of ranges a provisioner holds. */
enum mp_range_kind {
	MP_RANGE_UNICAST = 0,	/* 0001-7FFF, MshPRT v1.1 3.4.2.2 */
	MP_RANGE_GROUP,		/* C000-FEFF, MshPRT v1.1 3.4.2.4 (the fixed groups excluded) */
	MP_RANGE_SCENE,		/* scene numbers 0001-FFFF, MshMDL v1.1 5.1.3.1 */
};
#define MP_RANGE_KINDS 3

/** The addresses (or scene numbers) a kind may take: *@lo..*@hi inclusive. */
void mp_range_bounds(enum mp_range_kind kind, uint16_t *lo, uint16_t *hi);

/** "unicast", "group" or "scene". */
const char *mp_range_kind_str(enum mp_range_kind kind);

/** The ranges of @kind of @p (a pointer into @p) and their count in *@n. */
const struct mp_kr_range *mp_range_of(const struct mp_provisioner *p, enum mp_range_kind kind,
				      unsigned *n);

/** How many values the ranges of @kind of @p hold. */
uint32_t mp_range_total(const struct mp_provisioner *p, enum mp_range_kind kind);

/**
 * The free space of @kind: the gaps no range of any of the @n provisioners
 * covers, in address order, into @out (at most @cap of them; the return
 * value is how many there are, which may be more than @cap).
 */
size_t mp_range_free(const struct mp_provisioner *provs, size_t n, enum mp_range_kind kind,
		     struct mp_kr_range *out, size_t cap);

/**
 * Allocate @size values of @kind from the free space left by the @n
 * provisioners (best fit, see the header comment), in at most @max_ranges
 * ranges: into @out (address order), their count in *@n_out. @size 0
 * gives no range. Returns 0, or
 *   -EINVAL  @size larger than the whole space of the kind, or @max_ranges 0
 *   -ENOSPC  fewer than @size free values are left
 *   -E2BIG   enough are free, but only in more than @max_ranges pieces
 */
int mp_range_alloc(const struct mp_provisioner *provs, size_t n, enum mp_range_kind kind,
		   uint32_t size, unsigned max_ranges, struct mp_kr_range *out,
		   unsigned *n_out);

/**
 * Grow the ranges of @kind of provisioner @which (of the @n) by @size
 * values: the free space touching its ranges first (above, then below: the
 * ranges stay few and contiguous), then new ranges by mp_range_alloc(), up
 * to MP_KR_MAX_RANGES in all. The grown provisioner is written to @out
 * (a copy of provs[@which]); errors as mp_range_alloc(), nothing written.
 */
int mp_range_grow(const struct mp_provisioner *provs, size_t n, size_t which,
		  enum mp_range_kind kind, uint32_t size, struct mp_provisioner *out);

/**
 * Take @size values of @kind off the top of provisioner @which's ranges,
 * where none of them is in @used (a bitmap of 0x10000 bits, NULL: none),
 * so that another provisioner can have them. -ENOSPC when its unused top
 * is smaller than @size; nothing written then.
 */
int mp_range_release_top(const struct mp_provisioner *p, enum mp_range_kind kind, uint32_t size,
			 const uint8_t *used, struct mp_provisioner *out);

/* ---- Stations of a keyring ------------------------------------------------ */

/* How many values of each kind a new station asks for (0: none of that kind). */
struct mp_station_req {
	uint32_t size[MP_RANGE_KINDS];	/* indexed by enum mp_range_kind */
};

#define MP_STATION_DEFAULT_UNICAST 1024
#define MP_STATION_DEFAULT_GROUPS 256
#define MP_STATION_DEFAULT_SCENES 256

/** The index (for mp_keyring_provisioner_at()) of the station named @name, or -1. */
long mp_station_find(const struct mp_keyring *kr, const char *name);

/**
 * The station's own unicast address: the address of the node with its
 * provisioner UUID (Mesh Configuration Database: a provisioner's node has
 * the provisioner's UUID), 0 when it has none.
 */
uint16_t mp_station_address(const struct mp_keyring *kr, const struct mp_provisioner *p);

/**
 * Unicast addresses of @p's ranges used by nodes or excluded (*@used), of
 * how many (*@total).
 */
void mp_station_unicast_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			      uint32_t *used, uint32_t *total);

/**
 * Group addresses of @p's group ranges that a group of the keyring has
 * (store/node_config.h; virtual groups have no range) (*@used), of how
 * many (*@total).
 */
void mp_station_group_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			    uint32_t *used, uint32_t *total);

/**
 * Scene numbers of @p's scene ranges that a scene of the keyring has
 * (store/scenes.h) (*@used), of how many (*@total).
 */
void mp_station_scene_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			    uint32_t *used, uint32_t *total);

/**
 * Add a station @name (unique among the provisioners) with new ranges of
 * the sizes of @req from the free space, and its own unicast address: the
 * first address of its range that no node uses and none is excluded, as a
 * node with the station's (random) UUID, so that every copy of the network
 * sees it taken. When the free space is too small, this keyring's own
 * station gives up the unused top of its ranges (a keyring starts with
 * the whole unicast space, so the first station comes from there), never
 * an address, group address or scene number in use. Saves.
 *   -EEXIST  a station has that name
 *   -EINVAL  a bad name, or a unicast size of 0
 *   -ENOSPC / -E2BIG  not enough free space (the message says how much is)
 */
int mp_station_add(struct mp_keyring *kr, const char *name, const struct mp_station_req *req);

/**
 * Grow station @name's ranges by the sizes of @req (see mp_range_grow());
 * this keyring's own unused top gives way as for mp_station_add() when the
 * station is another one. Saves. -ENOENT no such station; -ENOSPC, -E2BIG.
 */
int mp_station_grow(struct mp_keyring *kr, const char *name, const struct mp_station_req *req);

/**
 * Remove station @name (not this keyring's own: -EPERM). Its ranges become
 * free; its own node is removed and its address excluded like a removed
 * node's (nodes remember its SEQ). The nodes it provisioned stay. Saves.
 */
int mp_station_remove(struct mp_keyring *kr, const char *name);

#endif
