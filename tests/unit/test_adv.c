/* adv/adv: AD structures and mesh beacons, against the specification's
 * sample data (MshPRT v1.1 8.4, 8.5), plus malformed inputs. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "adv/adv.h"

/* Wrap a beacon into a Mesh Beacon AD structure. */
static size_t beacon_ad(const uint8_t *beacon, size_t len, uint8_t *out)
{
	out[0] = (uint8_t)(len + 1);
	out[1] = MP_AD_MESH_BEACON;
	memcpy(out + 2, beacon, len);
	return len + 2;
}

/* 8.4.1 and both 8.4.2 variants, byte for byte. */
static void test_unprovisioned_beacons_from_vectors(void **state)
{
	struct json_object *v = tu_vectors();
	int i;

	for (i = 0; i < 3; i++) {
		char path[128];
		uint8_t beacon[32], uuid[16], oob[2], hash[16], ad[40];
		struct mp_unprov_beacon b;
		struct mp_adv_info info;
		size_t blen, alen;

		snprintf(path, sizeof(path), "beacons.unprovisioned_device_beacons.%d.beacon", i);
		blen = tu_hex(v, path, beacon, sizeof(beacon));
		snprintf(path, sizeof(path), "beacons.unprovisioned_device_beacons.%d.device_uuid",
			 i);
		assert_int_equal(tu_hex(v, path, uuid, sizeof(uuid)), 16);
		snprintf(path, sizeof(path),
			 "beacons.unprovisioned_device_beacons.%d.oob_information", i);
		assert_int_equal(tu_hex(v, path, oob, sizeof(oob)), 2);

		assert_int_equal(mp_adv_beacon_decode_unprov(beacon, blen, &b), 0);
		tu_assert_bytes(b.uuid, uuid, 16);
		assert_int_equal(b.oob_info, oob[0] << 8 | oob[1]);	/* big-endian */
		if (i == 0) {
			assert_false(b.has_uri_hash);
		} else {
			/* The URI Hash is the first 4 octets of s1(URI Data). */
			snprintf(path, sizeof(path),
				 "beacons.unprovisioned_device_beacons.%d.uri_hash", i);
			tu_hex(v, path, hash, sizeof(hash));
			assert_true(b.has_uri_hash);
			tu_assert_bytes(b.uri_hash, hash, 4);
		}

		alen = beacon_ad(beacon, blen, ad);
		assert_int_equal(mp_adv_parse(ad, alen, &info), 0);
		assert_true(info.has_unprov_beacon);
		tu_assert_bytes(info.beacon.uuid, uuid, 16);
		assert_int_equal(info.beacon.oob_info, b.oob_info);
		assert_false(info.has_other_beacon);
	}
}

static void test_other_beacons_are_not_unprovisioned(void **state)
{
	struct json_object *v = tu_vectors();
	uint8_t beacon[32], ad[40];
	struct mp_unprov_beacon b;
	struct mp_adv_info info;
	size_t n;

	/* 8.4.3 Secure Network beacon. */
	n = tu_hex(v, "beacons.secure_network_beacons.0.beacon", beacon, sizeof(beacon));
	assert_int_equal(mp_adv_beacon_decode_unprov(beacon, n, &b), -ENOMSG);
	n = beacon_ad(beacon, n, ad);
	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_false(info.has_unprov_beacon);
	assert_true(info.has_other_beacon);
	assert_int_equal(info.other_beacon_type, MP_BEACON_SECURE_NET);

	/* 8.4.6.1 Mesh Private beacon, given as a whole AD structure. */
	n = tu_hex(v, "beacons.mesh_private_beacons.0.ad_structure", ad, sizeof(ad));
	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_true(info.has_other_beacon);
	assert_int_equal(info.other_beacon_type, MP_BEACON_PRIVATE);
}

static void test_unprovisioned_beacon_lengths(void **state)
{
	uint8_t beacon[32] = { 0 };
	struct mp_unprov_beacon b;
	size_t len;

	for (len = 0; len < sizeof(beacon); len++) {
		int want = (len == 19 || len == 23) ? 0 : -EBADMSG;

		assert_int_equal(mp_adv_beacon_decode_unprov(beacon, len, &b), want);
		if (want)
			assert_false(b.has_uri_hash);
	}
}

/* 8.5.1: the service data carries OOB Information little-endian (see adv.h). */
static void test_provisioning_service_from_vectors(void **state)
{
	struct json_object *v = tu_vectors();
	uint8_t ad[40], uuid[16], oob[2];
	struct mp_prov_service svc;
	struct mp_adv_info info;
	size_t n = tu_hex(v, "beacons.provisioning_service_adv_data.0.adv_data", ad, sizeof(ad));

	tu_hex(v, "beacons.provisioning_service_adv_data.0.device_uuid", uuid, sizeof(uuid));
	tu_hex(v, "beacons.provisioning_service_adv_data.0.oob_information", oob, sizeof(oob));
	assert_int_equal(ad[1], MP_AD_SERVICE_DATA16);
	assert_int_equal(mp_adv_prov_service_decode(ad + 2, n - 2, &svc), 0);
	tu_assert_bytes(svc.uuid, uuid, 16);
	assert_int_equal(svc.oob_info, oob[0] << 8 | oob[1]);	/* 0x4020 */
	assert_int_equal(svc.oob_info, 0x4020);

	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_true(info.has_prov_service);
	assert_false(info.has_unprov_beacon);
	tu_assert_bytes(info.service.uuid, uuid, 16);

	/* Shorter than UUID + OOB: refused; another service: not ours. */
	assert_int_equal(mp_adv_prov_service_decode(ad + 2, n - 3, &svc), -EBADMSG);
	assert_int_equal(mp_adv_prov_service_decode(ad + 2, 1, &svc), -EBADMSG);
	ad[2] = 0x28;	/* 0x1828, Mesh Proxy */
	assert_int_equal(mp_adv_prov_service_decode(ad + 2, n - 2, &svc), -ENOMSG);
	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_false(info.has_prov_service);
}

/* A typical PB-GATT advertisement: flags, the service UUID list, service data. */
static void test_gatt_advertisement(void **state)
{
	uint8_t ad[40];
	struct mp_adv_info info;
	size_t n = tu_unhex("020106"
			    "03032718"
			    "1516271870cf7c9732a345b691494810d2e9cbf44020", ad, sizeof(ad));

	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_true(info.lists_prov_service);
	assert_true(info.has_prov_service);
	assert_false(info.has_pbadv);
}

/* The Link Open of the btvm demo: Link ID 0x11223344, transaction 0, Link
 * Open (opcode 0x00 << 2 | bearer control 0x03) + Device UUID. */
static void test_pbadv(void **state)
{
	uint8_t ad[40];
	struct mp_adv_info info;
	struct mp_pbadv_pdu pdu;
	size_t n = tu_unhex("1729112233440003" "8f1c2a3b4c5d4e6f8a9b0c1d2e3f4a5b", ad, sizeof(ad));

	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_true(info.has_pbadv);
	assert_int_equal(info.pbadv.link_id, 0x11223344);
	assert_int_equal(info.pbadv.trans_num, 0);
	assert_int_equal(info.pbadv.gpdu_len, 17);
	assert_ptr_equal(info.pbadv.gpdu, ad + 7);
	assert_int_equal(info.pbadv.gpdu[0], 0x03);

	/* Link ID + transaction + at least one octet, at most 24. */
	assert_int_equal(mp_adv_pbadv_decode(ad + 2, 5, &pdu), -EBADMSG);
	assert_int_equal(mp_adv_pbadv_decode(ad + 2, 6, &pdu), 0);
	assert_int_equal(pdu.gpdu_len, 1);
	memset(ad, 0, sizeof(ad));
	assert_int_equal(mp_adv_pbadv_decode(ad, 29, &pdu), 0);
	assert_int_equal(mp_adv_pbadv_decode(ad, 30, &pdu), -EBADMSG);
	assert_null(pdu.gpdu);
}

static void test_ad_iterator(void **state)
{
	uint8_t ad[40];
	struct mp_ad_iter it;
	struct mp_ad a;
	size_t n = tu_unhex("020106" "01ff" "03090102" "00" "ffffff", ad, sizeof(ad));

	mp_ad_iter_init(&it, ad, n);
	assert_int_equal(mp_ad_next(&it, &a), 1);
	assert_int_equal(a.type, MP_AD_FLAGS);
	assert_int_equal(a.len, 1);
	assert_int_equal(a.data[0], 0x06);
	assert_int_equal(mp_ad_next(&it, &a), 1);	/* no data */
	assert_int_equal(a.type, 0xff);
	assert_int_equal(a.len, 0);
	assert_int_equal(mp_ad_next(&it, &a), 1);
	assert_int_equal(a.type, MP_AD_NAME_COMPLETE);
	assert_int_equal(a.len, 2);
	/* A zero length ends it; the padding after is not parsed. */
	assert_int_equal(mp_ad_next(&it, &a), 0);
	assert_int_equal(mp_ad_next(&it, &a), 0);
	assert_int_equal(mp_adv_parse(ad, n, &(struct mp_adv_info){ 0 }), 0);

	/* A length running past the end. */
	n = tu_unhex("020106" "05ff0102", ad, sizeof(ad));
	mp_ad_iter_init(&it, ad, n);
	assert_int_equal(mp_ad_next(&it, &a), 1);
	assert_int_equal(mp_ad_next(&it, &a), -EBADMSG);
	assert_null(a.data);
	assert_int_equal(mp_ad_next(&it, &a), -EBADMSG);	/* stays there */
	/* Only a length octet left. */
	n = tu_unhex("020106" "02", ad, sizeof(ad));
	mp_ad_iter_init(&it, ad, n);
	assert_int_equal(mp_ad_next(&it, &a), 1);
	assert_int_equal(mp_ad_next(&it, &a), -EBADMSG);
	/* Empty. */
	mp_ad_iter_init(&it, ad, 0);
	assert_int_equal(mp_ad_next(&it, &a), 0);
}

static void test_malformed_payloads(void **state)
{
	struct json_object *v = tu_vectors();
	uint8_t beacon[32], ad[64];
	struct mp_adv_info info;
	size_t n = tu_hex(v, "beacons.unprovisioned_device_beacons.0.beacon", beacon,
			  sizeof(beacon)), alen, cut;

	alen = beacon_ad(beacon, n, ad);
	/* Truncated anywhere inside the AD structure: malformed, nothing found. */
	for (cut = 1; cut < alen; cut++) {
		assert_int_equal(mp_adv_parse(ad, cut, &info), -EBADMSG);
		assert_false(info.has_unprov_beacon);
	}
	/* A beacon one octet too long (AD length says so): decodes to nothing,
	 * but the payload itself is well formed. */
	ad[0]++;
	ad[alen] = 0x00;
	assert_int_equal(mp_adv_parse(ad, alen + 1, &info), 0);
	assert_false(info.has_unprov_beacon);
	/* A mesh AD structure with no data at all. */
	n = tu_unhex("012b" "0129" "012a", ad, sizeof(ad));
	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_false(info.has_unprov_beacon || info.has_other_beacon || info.has_pbadv);
	assert_true(info.has_mesh_message);
}

static void test_uri(void **state)
{
	uint8_t ad[40];
	struct mp_adv_info info;
	size_t n = tu_unhex("0724172f2f612e62", ad, sizeof(ad));	/* "https:" + "//a.b" */

	assert_int_equal(mp_adv_parse(ad, n, &info), 0);
	assert_int_equal(info.uri_len, 6);
	assert_int_equal(info.uri[0], 0x17);
}

static void test_oob_names(void **state)
{
	char buf[256];

	/* 8.4.1: 0xa040 and 8.4.2: 0x4020. */
	assert_string_equal(mp_adv_oob_info_str(0xa040, buf, sizeof(buf)),
			    "String, On piece of paper, On device");
	assert_string_equal(mp_adv_oob_info_str(0x4020, buf, sizeof(buf)), "Number, Inside manual");
	assert_string_equal(mp_adv_oob_info_str(0, buf, sizeof(buf)), "none");
	assert_string_equal(mp_adv_oob_info_str(0x0001, buf, sizeof(buf)), "Other");
	assert_string_equal(mp_adv_oob_info_str(0x0002, buf, sizeof(buf)), "Electronic / URI");
	assert_string_equal(mp_adv_oob_info_str(0x0004, buf, sizeof(buf)), "2D machine-readable code");
	assert_string_equal(mp_adv_oob_info_str(0x0008, buf, sizeof(buf)), "Bar code");
	assert_string_equal(mp_adv_oob_info_str(0x0010, buf, sizeof(buf)), "NFC");
	assert_string_equal(mp_adv_oob_info_str(0x0180, buf, sizeof(buf)),
			    "Certificate-based provisioning, Provisioning records");
	assert_string_equal(mp_adv_oob_info_str(0x1800, buf, sizeof(buf)), "On box, Inside box");
	assert_string_equal(mp_adv_oob_info_str(0x0600, buf, sizeof(buf)), "RFU bit 9, RFU bit 10");
	assert_null(mp_adv_oob_info_bit_name(9));
	assert_null(mp_adv_oob_info_bit_name(16));
	assert_string_equal(mp_adv_oob_info_bit_name(15), "On device");
	/* Every bit set fits in 256 octets. */
	mp_adv_oob_info_str(0xffff, buf, sizeof(buf));
	assert_non_null(strstr(buf, "On device"));
	/* Truncated, still terminated. */
	assert_string_equal(mp_adv_oob_info_str(0xa040, buf, 10), "String");
	assert_string_equal(mp_adv_oob_info_str(0xa040, buf, 3), "");
	assert_ptr_equal(mp_adv_oob_info_str(0xa040, buf, 0), buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprovisioned_beacons_from_vectors),
		cmocka_unit_test(test_other_beacons_are_not_unprovisioned),
		cmocka_unit_test(test_unprovisioned_beacon_lengths),
		cmocka_unit_test(test_provisioning_service_from_vectors),
		cmocka_unit_test(test_gatt_advertisement),
		cmocka_unit_test(test_pbadv),
		cmocka_unit_test(test_ad_iterator),
		cmocka_unit_test(test_malformed_payloads),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_oob_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
