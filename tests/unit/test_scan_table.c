/* engine/scan_table: deduplication by UUID, stable #N, RSSI, bearers, times from
 * a fake clock, eviction of the least recently seen, lookups and iteration.
 * What the engine records from advertising reports (the sighting rule) is
 * tested through the engine, in test_engine_rx.c. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "engine/scan_table.h"

/* LE address type of a static random address (as in HCI). */
#define ADDR_RANDOM 1

static uint64_t now_ms;

static uint64_t fake_clock(void *data)
{
	return *(uint64_t *)data;
}

static struct mp_scan_sighting sighting(uint8_t id, unsigned int bearer, int8_t rssi)
{
	struct mp_scan_sighting s;

	memset(&s, 0, sizeof(s));
	memset(s.uuid, id, 16);
	s.bearer = bearer;
	s.rssi = rssi;
	s.addr[0] = id;
	s.addr_type = ADDR_RANDOM;
	s.oob_info = (uint16_t)(0x1000 | id);
	return s;
}

static void test_new_and_refresh(void **state)
{
	struct mp_scan_table *t;
	const struct mp_scan_entry *e;
	struct mp_scan_sighting s = sighting(1, MP_SCAN_PB_ADV, -70);
	uint8_t uuid[16];

	now_ms = 5000;
	assert_int_equal(mp_scan_table_new(0, fake_clock, &now_ms, &t), -EINVAL);
	assert_int_equal(mp_scan_table_new(4, NULL, NULL, &t), -EINVAL);
	assert_int_equal(mp_scan_table_new(4, fake_clock, &now_ms, &t), 0);
	s.has_uri_hash = true;
	memcpy(s.uri_hash, "\xd9\x74\x78\xb3", 4);
	assert_int_equal(mp_scan_table_update(t, &s, &e), 1);
	assert_int_equal(e->index, 1);
	assert_int_equal(e->first_seen_ms, 5000);
	assert_int_equal(e->rssi_last, -70);
	assert_int_equal(e->rssi_best, -70);
	assert_int_equal(e->bearers, MP_SCAN_PB_ADV);
	assert_int_equal(e->oob_info, 0x1001);
	assert_true(e->has_uri_hash);
	tu_assert_bytes(e->uri_hash, (const uint8_t *)"\xd9\x74\x78\xb3", 4);

	/* Same UUID later, weaker, then an RSSI-less report: refreshed, not added. */
	now_ms = 5300;
	s.rssi = -80;
	assert_int_equal(mp_scan_table_update(t, &s, &e), 0);
	now_ms = 5400;
	s.rssi = MP_SCAN_RSSI_NONE;
	assert_int_equal(mp_scan_table_update(t, &s, NULL), 0);
	assert_int_equal(mp_scan_table_count(t), 1);
	memset(uuid, 1, 16);
	e = mp_scan_table_find_uuid(t, uuid);
	assert_non_null(e);
	assert_int_equal(e->index, 1);
	assert_int_equal(e->rssi_last, -80);
	assert_int_equal(e->rssi_best, -70);
	assert_int_equal(e->first_seen_ms, 5000);
	assert_int_equal(e->last_seen_ms, 5400);
	assert_int_equal(e->seen, 3);

	s.bearer = 7;
	assert_int_equal(mp_scan_table_update(t, &s, &e), -EINVAL);
	assert_null(e);
	mp_scan_table_free(t);
	mp_scan_table_free(NULL);
}

static void test_bearers_merge(void **state)
{
	struct mp_scan_table *t;
	const struct mp_scan_entry *e;
	struct mp_scan_sighting gatt = sighting(2, MP_SCAN_PB_GATT, -60);
	struct mp_scan_sighting adv = sighting(2, MP_SCAN_PB_ADV, -65);

	now_ms = 0;
	assert_int_equal(mp_scan_table_new(4, fake_clock, &now_ms, &t), 0);
	gatt.addr[5] = 0xc0;
	gatt.oob_info = 0x2040;		/* service data read with the other byte order */
	assert_int_equal(mp_scan_table_update(t, &gatt, &e), 1);
	assert_int_equal(e->bearers, MP_SCAN_PB_GATT);
	assert_int_equal(e->oob_info, 0x2040);
	assert_int_equal(e->gatt_addr[5], 0xc0);
	assert_int_equal(e->gatt_addr_type, ADDR_RANDOM);

	adv.oob_info = 0x4020;
	adv.addr[5] = 0x11;
	assert_int_equal(mp_scan_table_update(t, &adv, &e), 0);
	assert_int_equal(e->bearers, MP_SCAN_PB_ADV | MP_SCAN_PB_GATT);
	assert_int_equal(e->oob_info, 0x4020);	/* the beacon wins */
	assert_true(e->oob_from_beacon);
	assert_int_equal(e->addr[5], 0x11);
	assert_int_equal(e->gatt_addr[5], 0xc0);	/* still where to connect */
	assert_int_equal(e->rssi_best, -60);

	assert_int_equal(mp_scan_table_update(t, &gatt, &e), 0);
	assert_int_equal(e->oob_info, 0x4020);
	mp_scan_table_free(t);
}

static void test_index_lookup_iteration_and_eviction(void **state)
{
	struct mp_scan_table *t;
	const struct mp_scan_entry *e;
	struct mp_scan_sighting s;
	uint8_t uuid[16];
	size_t i;

	now_ms = 100;
	assert_int_equal(mp_scan_table_new(3, fake_clock, &now_ms, &t), 0);
	for (i = 1; i <= 3; i++) {
		now_ms += 10;
		s = sighting((uint8_t)i, MP_SCAN_PB_ADV, -50);
		assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);
	}
	/* #1 is seen again: now #2 is the least recently seen. */
	now_ms += 10;
	s = sighting(1, MP_SCAN_PB_ADV, -50);
	assert_int_equal(mp_scan_table_update(t, &s, NULL), 0);
	now_ms += 10;
	s = sighting(4, MP_SCAN_PB_ADV, -50);
	assert_int_equal(mp_scan_table_update(t, &s, &e), 1);
	assert_int_equal(e->index, 4);
	assert_int_equal(mp_scan_table_count(t), 3);
	assert_null(mp_scan_table_find_index(t, 2));
	memset(uuid, 2, 16);
	assert_null(mp_scan_table_find_uuid(t, uuid));
	assert_non_null(mp_scan_table_find_index(t, 1));
	e = mp_scan_table_find_index(t, 3);
	assert_non_null(e);
	assert_int_equal(e->uuid[0], 3);
	assert_null(mp_scan_table_find_index(t, 0));

	/* Iteration in #N order. */
	assert_int_equal(mp_scan_table_at(t, 0)->index, 1);
	assert_int_equal(mp_scan_table_at(t, 1)->index, 3);
	assert_int_equal(mp_scan_table_at(t, 2)->index, 4);
	assert_null(mp_scan_table_at(t, 3));

	/* An evicted device coming back is a new entry with a new number; it
	 * pushes out #3, now the least recently seen. */
	s = sighting(2, MP_SCAN_PB_ADV, -50);
	assert_int_equal(mp_scan_table_update(t, &s, &e), 1);
	assert_int_equal(e->index, 5);
	assert_null(mp_scan_table_find_index(t, 3));

	/* Remove and clear: numbers are never given out again. */
	memset(uuid, 4, 16);
	assert_int_equal(mp_scan_table_remove(t, uuid), 0);
	assert_int_equal(mp_scan_table_remove(t, uuid), -ENOENT);
	assert_int_equal(mp_scan_table_count(t), 2);
	mp_scan_table_clear(t);
	assert_int_equal(mp_scan_table_count(t), 0);
	assert_null(mp_scan_table_at(t, 0));
	s = sighting(3, MP_SCAN_PB_ADV, -50);
	assert_int_equal(mp_scan_table_update(t, &s, &e), 1);
	assert_int_equal(e->index, 6);
	mp_scan_table_free(t);
}

/* Issue #12: one advertiser address cannot fill the table with made-up
 * UUIDs; it adds MP_SCAN_NEW_PER_ADDR a window, others are not held back. */
static void test_new_entries_rate_limited(void **state)
{
	struct mp_scan_table *t;
	const struct mp_scan_entry *e;
	struct mp_scan_sighting s;
	unsigned int i;

	now_ms = 1000;
	assert_int_equal(mp_scan_table_new(64, fake_clock, &now_ms, &t), 0);
	for (i = 0; i < MP_SCAN_NEW_PER_ADDR; i++) {
		s = sighting((uint8_t)(1 + i), MP_SCAN_PB_ADV, -50);
		s.addr[0] = 0xee;	/* one advertiser */
		assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);
		assert_int_equal(mp_scan_table_notice(t), 0);
		now_ms += 100;
	}
	s = sighting(0x40, MP_SCAN_PB_ADV, -50);
	s.addr[0] = 0xee;
	assert_int_equal(mp_scan_table_update(t, &s, &e), -EAGAIN);
	assert_null(e);
	assert_int_equal(mp_scan_table_notice(t), MP_SCAN_NOTICE_FLOOD);
	s.uuid[0] = 0x41;
	assert_int_equal(mp_scan_table_update(t, &s, NULL), -EAGAIN);
	assert_int_equal(mp_scan_table_notice(t), 0);	/* said once a window */
	assert_int_equal(mp_scan_table_count(t), MP_SCAN_NEW_PER_ADDR);
	/* Its devices already known are still heard; others add theirs. */
	s = sighting(1, MP_SCAN_PB_ADV, -40);
	s.addr[0] = 0xee;
	assert_int_equal(mp_scan_table_update(t, &s, &e), 0);
	assert_int_equal(e->rssi_last, -40);
	s = sighting(0x50, MP_SCAN_PB_ADV, -50);
	assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);
	/* The same octets as a public address are another advertiser. */
	s = sighting(0x51, MP_SCAN_PB_ADV, -50);
	s.addr[0] = 0xee;
	s.addr_type = 0;
	assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);
	/* A new window. */
	now_ms += MP_SCAN_NEW_WINDOW_MS;
	s = sighting(0x40, MP_SCAN_PB_ADV, -50);
	s.addr[0] = 0xee;
	assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);

	/* More advertisers than are counted: the oldest window makes room. */
	for (i = 0; i < MP_SCAN_ADVERTISERS + 8; i++) {
		s = sighting(0x80, MP_SCAN_PB_ADV, -50);
		s.uuid[1] = (uint8_t)i;
		s.addr[1] = (uint8_t)i;
		assert_int_equal(mp_scan_table_update(t, &s, NULL), 1);
	}
	mp_scan_table_free(t);
}

/* Issue #12: a UUID heard from a second address is noticed, once; its
 * PB-GATT address is not taken over while the device is heard there. */
static void test_gatt_address_claims(void **state)
{
	struct mp_scan_table *t;
	const struct mp_scan_entry *e;
	struct mp_scan_sighting dev = sighting(7, MP_SCAN_PB_GATT, -50);
	struct mp_scan_sighting other = sighting(7, MP_SCAN_PB_GATT, -30);

	now_ms = 0;
	assert_int_equal(mp_scan_table_new(8, fake_clock, &now_ms, &t), 0);
	other.addr[0] = 0x99;
	other.oob_info = 0x0001;
	assert_int_equal(mp_scan_table_update(t, &dev, &e), 1);
	tu_assert_bytes(e->first_addr, dev.addr, 6);

	now_ms = MP_SCAN_GATT_HOLD_MS - 1;
	assert_int_equal(mp_scan_table_update(t, &other, &e), 0);
	assert_int_equal(mp_scan_table_notice(t),
			 MP_SCAN_NOTICE_OTHER_ADDR | MP_SCAN_NOTICE_GATT_KEPT);
	assert_int_equal(e->gatt_addr[0], 7);	/* still the device's */
	assert_int_equal(e->oob_info, 0x1007);	/* nor its OOB Information */
	assert_true(e->other_addr);
	assert_int_equal(e->addr[0], 0x99);	/* the last heard, as before */
	assert_int_equal(mp_scan_table_update(t, &other, &e), 0);
	assert_int_equal(mp_scan_table_notice(t), 0);	/* once */
	assert_int_equal(e->gatt_addr[0], 7);

	/* The device goes on advertising: its address stays its own. */
	now_ms += MP_SCAN_GATT_HOLD_MS - 1;
	assert_int_equal(mp_scan_table_update(t, &dev, &e), 0);
	assert_int_equal(mp_scan_table_notice(t), 0);
	now_ms += MP_SCAN_GATT_HOLD_MS - 1;
	assert_int_equal(mp_scan_table_update(t, &other, &e), 0);
	assert_int_equal(e->gatt_addr[0], 7);

	/* Silent for MP_SCAN_GATT_HOLD_MS, it moved: said so. */
	now_ms += 2;
	assert_int_equal(mp_scan_table_update(t, &other, &e), 0);
	assert_int_equal(mp_scan_table_notice(t), MP_SCAN_NOTICE_GATT_MOVED);
	assert_int_equal(e->gatt_addr[0], 0x99);
	assert_int_equal(e->oob_info, 0x0001);

	/* A beacon from the first address again: not a new notice. */
	dev.bearer = MP_SCAN_PB_ADV;
	assert_int_equal(mp_scan_table_update(t, &dev, &e), 0);
	assert_int_equal(mp_scan_table_notice(t), 0);
	mp_scan_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_refresh),
		cmocka_unit_test(test_bearers_merge),
		cmocka_unit_test(test_index_lookup_iteration_and_eviction),
		cmocka_unit_test(test_new_entries_rate_limited),
		cmocka_unit_test(test_gatt_address_claims),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
