/* The scan table: unprovisioned devices seen, one entry per Device UUID.
 *
 * The engine keeps one (mp_engine_scan_table) and fills it from what its
 * radio hears, through mp_scan_sighting_from_ad(). Each sighting (an
 * Unprovisioned Device beacon over PB-ADV, or a connectable Mesh
 * Provisioning Service advertisement for PB-GATT) creates or refreshes the
 * entry of its UUID. Entries get a stable index #1, #2, ... in the order
 * they were first seen, never reused during the table's life, so a person can
 * type "provision #3" while the table keeps changing. The table is bounded:
 * when full, the entry seen least recently is evicted. Times come from an
 * injected clock (milliseconds).
 *
 * Anyone in radio range can advertise any UUID, so the table guards what it
 * keeps: an advertiser address may add only a few devices a minute (a flood
 * of random UUIDs from one address cannot fill the table), and the PB-GATT
 * address of a device, where a connection goes, is not taken over by
 * another advertiser while the device is still heard from its own. What the
 * table noticed on an update (a UUID heard from a second address, a PB-GATT
 * address kept or moved, an advertiser refused) is read with
 * mp_scan_table_notice(), for the user to be told.
 *
 * Entry pointers returned by the table stay valid until the next call that
 * changes the table (update, remove, clear, free).
 */
#ifndef MP_ENGINE_SCAN_TABLE_H
#define MP_ENGINE_SCAN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adv/adv.h"
#include "core/loop.h"
#include "radio/radio.h"

struct mp_scan_table;

/* Bearers a device was seen offering. */
enum {
	MP_SCAN_PB_ADV = 1u << 0,
	MP_SCAN_PB_GATT = 1u << 1,
};

/** RSSI value meaning "not available" (as in HCI). */
#define MP_SCAN_RSSI_NONE 127

/** An advertiser address adds at most this many entries per
 *  MP_SCAN_NEW_WINDOW_MS; its further new UUIDs are refused until then. */
#define MP_SCAN_NEW_PER_ADDR 8
#define MP_SCAN_NEW_WINDOW_MS 60000
/** Advertiser addresses whose additions are counted (the least recently
 *  counting one makes room). */
#define MP_SCAN_ADVERTISERS 64
/** A PB-GATT address heard within this long is kept against another
 *  advertiser's claim; silent longer, it moves to the claimant. */
#define MP_SCAN_GATT_HOLD_MS 10000

/* What an update noticed (mp_scan_table_notice). */
enum {
	/** The entry's UUID is heard from an address other than its first
	 *  one (reported once per entry). */
	MP_SCAN_NOTICE_OTHER_ADDR = 1u << 0,
	/** A PB-GATT advertisement from another address claims the entry's
	 *  UUID; its PB-GATT address stays (reported once per address kept). */
	MP_SCAN_NOTICE_GATT_KEPT = 1u << 1,
	/** The entry's PB-GATT address moved to the advertiser's: the old
	 *  one was silent for MP_SCAN_GATT_HOLD_MS. */
	MP_SCAN_NOTICE_GATT_MOVED = 1u << 2,
	/** The advertiser added MP_SCAN_NEW_PER_ADDR devices already: its
	 *  sighting was refused (reported once per window). */
	MP_SCAN_NOTICE_FLOOD = 1u << 3,
};

struct mp_scan_entry {
	unsigned int index;	/* #N, from 1 */
	uint8_t uuid[16];
	uint16_t oob_info;
	bool oob_from_beacon;	/* oob_info came from a beacon (preferred) */
	bool has_uri_hash;
	uint8_t uri_hash[4];
	unsigned int bearers;	/* MP_SCAN_PB_ADV | MP_SCAN_PB_GATT */
	uint8_t addr[6];	/* last advertiser address, LSB first as in HCI */
	uint8_t addr_type;
	uint8_t gatt_addr[6];	/* where to connect for PB-GATT (valid with PB_GATT) */
	uint8_t gatt_addr_type;
	uint64_t gatt_seen_ms;	/* last PB-GATT sighting from gatt_addr */
	uint8_t first_addr[6];	/* the address it was first heard from */
	uint8_t first_addr_type;
	bool other_addr;	/* heard from another address than first_addr too */
	bool gatt_claimed;	/* another advertiser claimed it for PB-GATT since
				 * gatt_addr was set (noticed once) */
	int8_t rssi_last;	/* MP_SCAN_RSSI_NONE until a report carries one */
	int8_t rssi_best;
	uint64_t first_seen_ms;
	uint64_t last_seen_ms;
	uint32_t seen;		/* number of sightings */
};

/** One sighting, as decoded from an advertising report. */
struct mp_scan_sighting {
	uint8_t uuid[16];
	uint16_t oob_info;
	bool has_uri_hash;
	uint8_t uri_hash[4];
	unsigned int bearer;	/* MP_SCAN_PB_ADV or MP_SCAN_PB_GATT */
	uint8_t addr[6];
	uint8_t addr_type;
	int8_t rssi;		/* MP_SCAN_RSSI_NONE if unknown */
};

/**
 * Create a table of at most @capacity entries (1..65536) timed by @clock.
 * Returns 0, -EINVAL, -ENOMEM.
 */
int mp_scan_table_new(size_t capacity, mp_loop_clock_fn clock, void *clock_data,
		      struct mp_scan_table **out);
/** Free the table. NULL is accepted. */
void mp_scan_table_free(struct mp_scan_table *t);

/**
 * Record a sighting. Returns 1 when it created an entry (a device not seen
 * before, or seen before but evicted), 0 when it refreshed one, -EINVAL for
 * an unknown bearer, -EAGAIN when a new entry was refused (its advertiser
 * added MP_SCAN_NEW_PER_ADDR in MP_SCAN_NEW_WINDOW_MS already). *@entry
 * (if not NULL) gets the entry.
 */
int mp_scan_table_update(struct mp_scan_table *t, const struct mp_scan_sighting *s,
			 const struct mp_scan_entry **entry);

/**
 * The sighting rule: what one AD structure @ad of the advertising report @r
 * says about an unprovisioned device. An Unprovisioned Device beacon is a
 * PB-ADV sighting (MshPRT v1.1 3.10.2); Mesh Provisioning Service data is a
 * PB-GATT sighting when the advertisement is connectable (MshPRT v1.1
 * 7.1.2.2.1), at the advertiser's address. Returns 0 with *@out filled,
 * -ENOMSG when @ad announces no unprovisioned device, -EBADMSG when it is
 * one of those two and does not decode.
 */
int mp_scan_sighting_from_ad(const struct mp_adv_report *r, const struct mp_ad *ad,
			     struct mp_scan_sighting *out);

/** What the last mp_scan_table_update() noticed: MP_SCAN_NOTICE_* bits. */
unsigned int mp_scan_table_notice(const struct mp_scan_table *t);

/** The entry of @uuid, or NULL. */
const struct mp_scan_entry *mp_scan_table_find_uuid(const struct mp_scan_table *t,
						    const uint8_t uuid[16]);
/** The entry #@index, or NULL (never existed, evicted or removed). */
const struct mp_scan_entry *mp_scan_table_find_index(const struct mp_scan_table *t,
						     unsigned int index);

/** Number of entries. */
size_t mp_scan_table_count(const struct mp_scan_table *t);
/** The @i-th entry (0-based, by ascending #N), or NULL past the end: iteration. */
const struct mp_scan_entry *mp_scan_table_at(const struct mp_scan_table *t, size_t i);

/** Remove the entry of @uuid (say, once provisioned). Returns 0 or -ENOENT. */
int mp_scan_table_remove(struct mp_scan_table *t, const uint8_t uuid[16]);
/** Remove every entry. Indexes keep counting up from where they were. */
void mp_scan_table_clear(struct mp_scan_table *t);

#endif
