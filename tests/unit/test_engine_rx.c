/* engine: what the radio hears. The sighting rule (which advertising
 * reports put a device in the scan table), the table of AD receivers that
 * the engine dispatches reports through, and the radio's one receiver.
 * Reports are injected where the radio delivers them (engine_harness.h);
 * the simulated devices stay silent (the loop is not run). */
#include "engine_tu.h"

#include <errno.h>
#include <string.h>

/* The specification's sample device (MshPRT v1.1 8.4.1, 8.5.1). */
static const uint8_t sample_uuid[16] = {
	0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
	0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4,
};

/* 8.4.1 in a Mesh Beacon AD structure */
static const uint8_t beacon_ad[] = {
	0x14, 0x2b, 0x00, 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6, 0x91, 0x49,
	0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4, 0xa0, 0x40,
};

/* 8.5.1 */
static const uint8_t svc_ad[] = {
	0x15, 0x16, 0x27, 0x18, 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6, 0x91,
	0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4, 0x20, 0x40,
};

/* One simulated device whose record is the sample device's: what the
 * engine reports about the sample UUID is recorded there. */
static struct eh *sample_harness(void)
{
	struct eh_config cfg = { .devices = 1, .seed = 3, .memory_keyring = true };
	struct eh *h = harness_new(&cfg);

	memcpy(h->dev[0].uuid, sample_uuid, 16);
	return h;
}

static void inject(struct eh *h, const uint8_t *ad, size_t len, bool connectable)
{
	struct mp_adv_report r = { .data = ad, .len = len, .rssi = -55, .addr_type = 1,
				   .connectable = connectable };

	r.addr[0] = 0xaa;
	eh_inject_report(h, &r);
}

/* Moved from test_scan_table.c with the rule, from the scan table's own
 * report decoder (gone) to the engine's. */
static void test_sightings_from_reports(void **state)
{
	struct eh *h = sample_harness();
	const struct mp_scan_table *t = mp_engine_scan_table(h->engine);
	const struct mp_scan_entry *e;
	struct eh_dev *d = &h->dev[0];
	const uint8_t other_ad[] = { 0x02, 0x01, 0x06 };

	/* A connectable service advertisement: PB-GATT, with its address. */
	inject(h, svc_ad, sizeof(svc_ad), true);
	assert_int_equal(d->beacons_first, 1);
	e = mp_scan_table_find_uuid(t, sample_uuid);
	assert_non_null(e);
	assert_int_equal(e->bearers, MP_SCAN_PB_GATT);
	assert_int_equal(e->gatt_addr[0], 0xaa);
	assert_int_equal(e->oob_info, 0x4020);
	assert_int_equal(e->uuid[0], 0x70);

	/* The same device's beacon: the same entry, now also PB-ADV. */
	inject(h, beacon_ad, sizeof(beacon_ad), false);
	assert_int_equal(d->beacons_first, 1);
	assert_int_equal(d->beacons_again, 1);
	e = mp_scan_table_find_uuid(t, sample_uuid);
	assert_int_equal(e->bearers, MP_SCAN_PB_ADV | MP_SCAN_PB_GATT);
	assert_int_equal(e->oob_info, 0xa040);
	assert_int_equal(e->index, 1);

	/* Service data in a non-connectable advertisement: cannot connect. */
	inject(h, svc_ad, sizeof(svc_ad), false);
	inject(h, other_ad, sizeof(other_ad), true);
	inject(h, other_ad, 2, true);	/* truncated AD structure */
	assert_int_equal(d->beacons_first + d->beacons_again, 2);
	assert_int_equal(mp_scan_table_count(t), 1);
	assert_int_equal(mp_scan_table_find_uuid(t, sample_uuid)->seen, 2);
	harness_free(h);
}

/* A beacon or service data that does not decode is passed over for the
 * next of its kind in the same advertisement; the first that decodes is
 * the one sighting. */
static void test_first_valid_sighting(void **state)
{
	struct eh *h = sample_harness();
	const struct mp_scan_entry *e;
	uint8_t ad[64];
	size_t n = 0;

	/* a beacon of 18 octets (malformed), then the sample beacon */
	ad[n++] = 19;
	ad[n++] = 0x2b;
	memset(ad + n, 0, 18);
	n += 18;
	memcpy(ad + n, beacon_ad, sizeof(beacon_ad));
	n += sizeof(beacon_ad);
	/* then another device's beacon, not taken: one sighting per
	 * advertisement (a device the harness does not know would count as
	 * an unknown event) */
	memcpy(ad + n, beacon_ad, sizeof(beacon_ad));
	ad[n + 3] ^= 0xff;
	n += sizeof(beacon_ad);
	inject(h, ad, n, false);
	assert_int_equal(mp_scan_table_count(mp_engine_scan_table(h->engine)), 1);
	assert_int_equal(h->dev[0].beacons_first, 1);
	assert_int_equal(h->dev[0].beacons_again, 0);
	e = mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), sample_uuid);
	assert_non_null(e);
	assert_int_equal(e->seen, 1);
	assert_int_equal(e->oob_info, 0xa040);

	/* A payload that runs past its end is dropped whole, even the
	 * good beacon in front. */
	memcpy(ad, beacon_ad, sizeof(beacon_ad));
	ad[sizeof(beacon_ad)] = 5;
	ad[sizeof(beacon_ad) + 1] = 0x2a;
	inject(h, ad, sizeof(beacon_ad) + 2, false);
	assert_int_equal(h->dev[0].beacons_again, 0);
	harness_free(h);
}

/* Issue #12: another advertiser claiming a device's UUID for PB-GATT does
 * not redirect the connection while the device is heard; the user is told. */
static void test_gatt_claim(void **state)
{
	struct eh *h = sample_harness();
	const struct mp_scan_entry *e;
	struct mp_adv_report r = { .data = svc_ad, .len = sizeof(svc_ad), .rssi = -55,
				   .addr_type = 1, .connectable = true };

	r.addr[0] = 0xaa;
	eh_inject_report(h, &r);
	assert_int_equal(h->scan_notices, 0);
	r.addr[0] = 0xbb;
	eh_inject_report(h, &r);
	assert_int_equal(h->scan_notices, 1);
	assert_int_equal(h->scan_notice_bits,
			 MP_SCAN_NOTICE_OTHER_ADDR | MP_SCAN_NOTICE_GATT_KEPT);
	e = mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), sample_uuid);
	assert_int_equal(e->gatt_addr[0], 0xaa);
	assert_int_equal(h->dev[0].beacons_again, 1);	/* heard all the same */
	eh_inject_report(h, &r);
	assert_int_equal(h->scan_notices, 1);
	harness_free(h);
}

/* ---- receivers of the layers to come ---- */

struct rx_log {
	unsigned int calls;
	uint8_t type;
	uint8_t data[32];
	size_t len;
	int answer;		/* what the receiver returns */
	struct eh *h;
	int self_id;		/* unregister this id when called (0: no) */
	unsigned int order;	/* the global call counter when last called */
};

static unsigned int calls_so_far;

static int log_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct rx_log *l = user;

	assert_true(ad->data >= r->data && ad->data + ad->len <= r->data + r->len);
	l->calls++;
	l->order = ++calls_so_far;
	l->type = ad->type;
	l->len = ad->len < sizeof(l->data) ? ad->len : sizeof(l->data);
	memcpy(l->data, ad->data, l->len);
	if (l->self_id)
		assert_int_equal(mp_engine_ad_unregister(l->h->engine, l->self_id), 0);
	return l->answer;
}

static void test_receivers_by_type(void **state)
{
	struct eh *h = sample_harness();
	struct rx_log msg = { .h = h }, snb = { .h = h };
	const uint8_t snb_type[] = { MP_BEACON_SECURE_NET };
	/* Flags, then a Mesh Message (the network PDU's octets do not matter) */
	const uint8_t msg_ad[] = { 0x02, 0x01, 0x06, 0x05, 0x2a, 0x68, 0x11, 0x22, 0x33 };
	/* a Secure Network beacon: type 0x01, flags, Network ID, IV Index,
	 * Authentication Value (MshPRT v1.1 3.10.3) */
	uint8_t snb_ad[24] = { 23, 0x2b, 0x01 };
	int id_msg, id_snb;

	id_msg = mp_engine_ad_register(h->engine, MP_AD_MESH_MESSAGE, NULL, 0, log_rx, &msg);
	id_snb = mp_engine_ad_register(h->engine, MP_AD_MESH_BEACON, snb_type, 1, log_rx, &snb);
	assert_true(id_msg > 0);
	assert_true(id_snb > 0 && id_snb != id_msg);

	inject(h, msg_ad, sizeof(msg_ad), false);
	assert_int_equal(msg.calls, 1);
	assert_int_equal(msg.type, 0x2a);
	assert_int_equal(msg.len, 4);
	tu_assert_bytes(msg.data, msg_ad + 5, 4);
	assert_int_equal(snb.calls, 0);

	/* Beacons by Beacon Type: the Secure Network one to its receiver,
	 * the Unprovisioned Device one to the scan table only. */
	inject(h, snb_ad, sizeof(snb_ad), false);
	assert_int_equal(snb.calls, 1);
	assert_int_equal(snb.len, 22);
	assert_int_equal(snb.data[0], 0x01);
	assert_int_equal(h->dev[0].beacons_first, 0);
	inject(h, beacon_ad, sizeof(beacon_ad), false);
	assert_int_equal(snb.calls, 1);
	assert_int_equal(msg.calls, 1);
	assert_int_equal(h->dev[0].beacons_first, 1);

	/* Gone once unregistered. */
	assert_int_equal(mp_engine_ad_unregister(h->engine, id_msg), 0);
	assert_int_equal(mp_engine_ad_unregister(h->engine, id_msg), -ENOENT);
	assert_int_equal(mp_engine_ad_unregister(h->engine, 0), -ENOENT);
	assert_int_equal(mp_engine_ad_unregister(h->engine, MP_ENGINE_AD_RECEIVERS + 1), -ENOENT);
	inject(h, msg_ad, sizeof(msg_ad), false);
	assert_int_equal(msg.calls, 1);
	harness_free(h);
}

static void test_receiver_contract(void **state)
{
	struct eh *h = sample_harness();
	struct rx_log a = { .h = h, .answer = -EBADMSG }, b = { .h = h }, c = { .h = h };
	const uint8_t two[] = { 0x02, 0x2a, 0x01, 0x02, 0x2a, 0x02, 0x02, 0x2a, 0x03 };
	const uint8_t long_prefix[MP_ENGINE_AD_PREFIX_MAX + 1] = { 0 };
	int ids[MP_ENGINE_AD_RECEIVERS];
	unsigned int i, n = 0;
	int id;

	assert_int_equal(mp_engine_ad_register(h->engine, 0x2a, NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(mp_engine_ad_register(h->engine, 0x2a, long_prefix,
					       sizeof(long_prefix), log_rx, &a), -EINVAL);
	assert_int_equal(mp_engine_ad_register(h->engine, 0x2a, NULL, 1, log_rx, &a), -EINVAL);

	/* A receiver that declines (does not decode) is offered the next AD
	 * structure of its kind; one that takes one gets no more from this
	 * advertisement. Receivers run in the order they registered. */
	ids[n++] = mp_engine_ad_register(h->engine, 0x2a, NULL, 0, log_rx, &a);
	ids[n++] = mp_engine_ad_register(h->engine, 0x2a, NULL, 0, log_rx, &b);
	inject(h, two, sizeof(two), false);
	assert_int_equal(a.calls, 3);
	assert_int_equal(a.data[0], 0x03);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.data[0], 0x01);
	assert_true(a.order < b.order);

	/* The table is full at MP_ENGINE_AD_RECEIVERS, the engine's own
	 * three included; a freed place is used again. */
	while ((id = mp_engine_ad_register(h->engine, 0x99, NULL, 0, log_rx, &c)) > 0)
		ids[n++] = id;
	assert_int_equal(id, -ENOSPC);
	assert_int_equal(n + 3, MP_ENGINE_AD_RECEIVERS);
	assert_int_equal(mp_engine_ad_unregister(h->engine, ids[0]), 0);
	id = mp_engine_ad_register(h->engine, 0x98, NULL, 0, log_rx, &c);
	assert_int_equal(id, ids[0]);
	for (i = 1; i < n; i++)
		assert_int_equal(mp_engine_ad_unregister(h->engine, ids[i]), 0);
	assert_int_equal(mp_engine_ad_unregister(h->engine, id), 0);

	/* A receiver may unregister itself from inside its call. */
	memset(&b, 0, sizeof(b));
	b.h = h;
	b.answer = -EBADMSG;
	b.self_id = mp_engine_ad_register(h->engine, 0x2a, NULL, 0, log_rx, &b);
	assert_true(b.self_id > 0);
	inject(h, two, sizeof(two), false);
	assert_int_equal(b.calls, 1);
	inject(h, two, sizeof(two), false);
	assert_int_equal(b.calls, 1);
	harness_free(h);
}

/* The radio has one receiver: a second engine on it is refused until the
 * first is gone (it detaches). */
static void test_one_receiver(void **state)
{
	struct eh *h = sample_harness();
	struct mp_engine_config ec = { .loop = h->loop, .keyring = h->kr };
	struct mp_engine *other = NULL;

	ec.radio.ops = &h->tap_ops;
	ec.radio.ctx = h;
	assert_int_equal(mp_engine_new(&ec, &other), -EBUSY);
	assert_null(other);
	/* the simulated radio itself has the harness's tap attached */
	assert_int_equal(h->sim.ops->attach(h->sim.ctx, h->rcv, NULL), -EBUSY);

	eh_free_engine(h);
	assert_null(h->rcv);
	assert_int_equal(mp_engine_new(&ec, &other), 0);
	assert_non_null(h->rcv);
	inject(h, beacon_ad, sizeof(beacon_ad), false);
	assert_int_equal(mp_scan_table_count(mp_engine_scan_table(other)), 1);
	mp_engine_free(other);
	assert_null(h->rcv);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sightings_from_reports, teardown),
		cmocka_unit_test_teardown(test_first_valid_sighting, teardown),
		cmocka_unit_test_teardown(test_gatt_claim, teardown),
		cmocka_unit_test_teardown(test_receivers_by_type, teardown),
		cmocka_unit_test_teardown(test_receiver_contract, teardown),
		cmocka_unit_test_teardown(test_one_receiver, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
