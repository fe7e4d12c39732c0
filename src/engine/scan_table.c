/* The scan table: an array of entries kept in ascending #N order. Sizes are
 * small (a few hundred devices at most), so linear searches are fine and keep
 * the pointers handed out simple. */
#include "engine/scan_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* How many entries one advertiser address added in its current window. */
struct advertiser {
	bool used;
	uint8_t addr[6];
	uint8_t addr_type;
	bool noticed;		/* its flood was noticed in this window */
	unsigned int added;
	uint64_t since_ms;	/* start of the window */
};

struct mp_scan_table {
	struct mp_scan_entry *e;
	size_t n;
	size_t cap;
	unsigned int next_index;
	mp_loop_clock_fn clock;
	void *clock_data;
	struct advertiser adv[MP_SCAN_ADVERTISERS];
	unsigned int notice;	/* of the last update */
};

int mp_scan_table_new(size_t capacity, mp_loop_clock_fn clock, void *clock_data,
		      struct mp_scan_table **out)
{
	struct mp_scan_table *t;

	*out = NULL;
	if (capacity == 0 || capacity > 65536 || !clock)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->e = calloc(capacity, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return -ENOMEM;
	}
	t->cap = capacity;
	t->next_index = 1;
	t->clock = clock;
	t->clock_data = clock_data;
	*out = t;
	return 0;
}

void mp_scan_table_free(struct mp_scan_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static struct mp_scan_entry *find_uuid(const struct mp_scan_table *t, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!memcmp(t->e[i].uuid, uuid, 16))
			return &t->e[i];
	return NULL;
}

static void remove_at(struct mp_scan_table *t, size_t i)
{
	memmove(&t->e[i], &t->e[i + 1], (t->n - i - 1) * sizeof(*t->e));
	t->n--;
	memset(&t->e[t->n], 0, sizeof(*t->e));
}

/* Least recently seen; the lowest #N among equals. */
static void evict_one(struct mp_scan_table *t)
{
	size_t i, victim = 0;

	for (i = 1; i < t->n; i++)
		if (t->e[i].last_seen_ms < t->e[victim].last_seen_ms)
			victim = i;
	remove_at(t, victim);
}

static bool same_addr(const uint8_t a[6], uint8_t a_type, const uint8_t b[6], uint8_t b_type)
{
	return a_type == b_type && memcmp(a, b, 6) == 0;
}

/* The window of @s's advertiser, opened afresh when the last one is over;
 * an advertiser not counted yet takes the place of the one whose window is
 * the oldest. */
static struct advertiser *advertiser_of(struct mp_scan_table *t, const struct mp_scan_sighting *s,
					uint64_t now)
{
	struct advertiser *a = NULL, *room = &t->adv[0];
	size_t i;

	for (i = 0; i < MP_SCAN_ADVERTISERS && !a; i++) {
		struct advertiser *x = &t->adv[i];

		if (x->used && same_addr(x->addr, x->addr_type, s->addr, s->addr_type))
			a = x;
		else if (room->used && (!x->used || x->since_ms < room->since_ms))
			room = x;
	}
	if (!a) {
		a = room;
		memset(a, 0, sizeof(*a));
		a->used = true;
		memcpy(a->addr, s->addr, 6);
		a->addr_type = s->addr_type;
		a->since_ms = now;
	}
	if (now - a->since_ms >= MP_SCAN_NEW_WINDOW_MS) {
		a->since_ms = now;
		a->added = 0;
		a->noticed = false;
	}
	return a;
}

/* The entry's PB-GATT address, where a connection goes: the sighting's
 * when there is none yet or the known one fell silent (noticed: it moved),
 * kept against another advertiser's claim while it is still heard (the
 * claim noticed once). Returns whether the sighting's address is the
 * entry's now. */
static bool gatt_address(struct mp_scan_table *t, struct mp_scan_entry *e,
			 const struct mp_scan_sighting *s, uint64_t now)
{
	if ((e->bearers & MP_SCAN_PB_GATT) &&
	    !same_addr(e->gatt_addr, e->gatt_addr_type, s->addr, s->addr_type)) {
		if (now - e->gatt_seen_ms < MP_SCAN_GATT_HOLD_MS) {
			if (!e->gatt_claimed)
				t->notice |= MP_SCAN_NOTICE_GATT_KEPT;
			e->gatt_claimed = true;
			return false;
		}
		t->notice |= MP_SCAN_NOTICE_GATT_MOVED;
		e->gatt_claimed = false;
	}
	memcpy(e->gatt_addr, s->addr, 6);
	e->gatt_addr_type = s->addr_type;
	e->gatt_seen_ms = now;
	return true;
}

int mp_scan_table_update(struct mp_scan_table *t, const struct mp_scan_sighting *s,
			 const struct mp_scan_entry **entry)
{
	uint64_t now = t->clock(t->clock_data);
	struct mp_scan_entry *e;
	int created = 0;

	if (entry)
		*entry = NULL;
	t->notice = 0;
	if (s->bearer != MP_SCAN_PB_ADV && s->bearer != MP_SCAN_PB_GATT)
		return -EINVAL;
	e = find_uuid(t, s->uuid);
	if (!e) {
		/* One advertiser cannot fill the table with made-up UUIDs. */
		struct advertiser *a = advertiser_of(t, s, now);

		if (a->added >= MP_SCAN_NEW_PER_ADDR) {
			if (!a->noticed)
				t->notice |= MP_SCAN_NOTICE_FLOOD;
			a->noticed = true;
			return -EAGAIN;
		}
		a->added++;
		if (t->n == t->cap)
			evict_one(t);
		e = &t->e[t->n++];
		memset(e, 0, sizeof(*e));
		e->index = t->next_index++;
		memcpy(e->uuid, s->uuid, 16);
		e->first_seen_ms = now;
		e->rssi_last = MP_SCAN_RSSI_NONE;
		e->rssi_best = MP_SCAN_RSSI_NONE;
		memcpy(e->first_addr, s->addr, 6);
		e->first_addr_type = s->addr_type;
		created = 1;
	} else if (!e->other_addr &&
		   !same_addr(e->first_addr, e->first_addr_type, s->addr, s->addr_type)) {
		/* Anyone may advertise a UUID: a second advertiser of one is
		 * worth knowing (or the device changed its address). */
		e->other_addr = true;
		t->notice |= MP_SCAN_NOTICE_OTHER_ADDR;
	}
	/* The beacon's OOB Information is unambiguous (big-endian); the
	 * service data's byte order differs between stacks (see adv.h), so it
	 * only fills in until a beacon is seen. */
	if (s->bearer == MP_SCAN_PB_ADV) {
		e->oob_info = s->oob_info;
		e->oob_from_beacon = true;
		e->has_uri_hash = s->has_uri_hash;
		memcpy(e->uri_hash, s->uri_hash, sizeof(e->uri_hash));
	} else if (gatt_address(t, e, s, now) && !e->oob_from_beacon) {
		e->oob_info = s->oob_info;
	}
	e->bearers |= s->bearer;
	memcpy(e->addr, s->addr, 6);
	e->addr_type = s->addr_type;
	if (s->rssi != MP_SCAN_RSSI_NONE) {
		e->rssi_last = s->rssi;
		if (e->rssi_best == MP_SCAN_RSSI_NONE || s->rssi > e->rssi_best)
			e->rssi_best = s->rssi;
	}
	e->last_seen_ms = now;
	e->seen++;
	if (entry)
		*entry = e;
	return created;
}

int mp_scan_sighting_from_ad(const struct mp_adv_report *r, const struct mp_ad *ad,
			     struct mp_scan_sighting *out)
{
	struct mp_unprov_beacon b;
	struct mp_prov_service sv;
	int err;

	memset(out, 0, sizeof(*out));
	switch (ad->type) {
	case MP_AD_MESH_BEACON:
		err = mp_adv_beacon_decode_unprov(ad->data, ad->len, &b);
		if (err)
			return err;
		memcpy(out->uuid, b.uuid, 16);
		out->oob_info = b.oob_info;
		out->has_uri_hash = b.has_uri_hash;
		memcpy(out->uri_hash, b.uri_hash, 4);
		out->bearer = MP_SCAN_PB_ADV;
		break;
	case MP_AD_SERVICE_DATA16:
		err = mp_adv_prov_service_decode(ad->data, ad->len, &sv);
		if (err)
			return err;
		/* MshPRT v1.1 7.1.2.2.1: PB-GATT needs a connectable advertisement. */
		if (!r->connectable)
			return -ENOMSG;
		memcpy(out->uuid, sv.uuid, 16);
		out->oob_info = sv.oob_info;
		out->bearer = MP_SCAN_PB_GATT;
		break;
	default:
		return -ENOMSG;
	}
	memcpy(out->addr, r->addr, 6);
	out->addr_type = r->addr_type;
	out->rssi = r->rssi;
	return 0;
}

unsigned int mp_scan_table_notice(const struct mp_scan_table *t)
{
	return t->notice;
}

const struct mp_scan_entry *mp_scan_table_find_uuid(const struct mp_scan_table *t,
						    const uint8_t uuid[16])
{
	return find_uuid(t, uuid);
}

const struct mp_scan_entry *mp_scan_table_find_index(const struct mp_scan_table *t,
						     unsigned int index)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].index == index)
			return &t->e[i];
	return NULL;
}

size_t mp_scan_table_count(const struct mp_scan_table *t)
{
	return t->n;
}

const struct mp_scan_entry *mp_scan_table_at(const struct mp_scan_table *t, size_t i)
{
	return i < t->n ? &t->e[i] : NULL;
}

int mp_scan_table_remove(struct mp_scan_table *t, const uint8_t uuid[16])
{
	struct mp_scan_entry *e = find_uuid(t, uuid);

	if (!e)
		return -ENOENT;
	remove_at(t, (size_t)(e - t->e));
	return 0;
}

void mp_scan_table_clear(struct mp_scan_table *t)
{
	memset(t->e, 0, t->cap * sizeof(*t->e));
	t->n = 0;
}
