/* net/beacon.h: Secure Network beacons (MshPRT v1.1 8.4.3-8.4.5) and Mesh
 * Private beacons (8.4.6.1, 8.4.6.2) byte for byte both ways, one case per
 * sample named after its section; then the bad ones: a wrong authentication
 * value or tag, an unknown Network ID, truncated, oversized and other-type
 * beacons; and the beacon of a subnet in key refresh.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/beacon.h"
#include "net/net.h"

static const char OTHER_NET_KEY[] = "f7a2a44f8e8a8029064f173ddc1e2b00";

/* A subnet that is not the sample's, then the sample's. */
static void two_subnets(struct json_object *v, struct mp_subnet s[2])
{
	uint8_t key[16], other[16];

	tu_unhex(OTHER_NET_KEY, other, sizeof(other));
	tu_hex(v, "net_key", key, sizeof(key));
	if (memcmp(key, other, 16) == 0)	/* 8.4.6.1 uses that key */
		other[0] ^= 0xff;
	assert_int_equal(mp_subnet_init(&s[0], 1, other), 0);
	assert_int_equal(mp_subnet_init(&s[1], 2, key), 0);
}

/* 8.4.3-8.4.5: encode from the NetKey, flags and IV index; decode back. */
static void test_snb(void **state)
{
	struct json_object *v = *state;
	struct mp_subnet s[2];
	struct mp_snb_rx rx;
	uint8_t exp[32], full[16], out[32];
	uint8_t flags = (uint8_t)ntu_int(v, "flags");
	uint32_t iv = ntu_int(v, "iv_index");
	size_t len = tu_hex(v, "beacon", exp, sizeof(exp));

	two_subnets(v, s);
	assert_int_equal(len, MP_SNB_LEN);
	assert_int_equal(mp_snb_encode(&s[1].key[0], flags, iv, out, sizeof(out)), MP_SNB_LEN);
	tu_assert_bytes(out, exp, len);
	tu_hex(v, "authentication_value_full", full, sizeof(full));
	tu_assert_bytes(out + 14, full, 8);

	assert_int_equal(mp_snb_rx(s, 2, exp, len, &rx), 0);
	assert_int_equal(rx.subnet, 1);
	assert_false(rx.new_key);
	assert_int_equal(rx.snb.flags, flags);
	assert_int_equal(rx.snb.iv_index, iv);
	tu_hex(v, "network_id", full, sizeof(full));
	tu_assert_bytes(rx.snb.network_id, full, 8);
	tu_assert_bytes(rx.snb.auth, exp + 14, 8);
	assert_int_equal(mp_snb_authenticate(&rx.snb, s[1].key[0].beacon_key), 0);
	assert_int_equal(mp_snb_authenticate(&rx.snb, s[0].key[0].beacon_key), -EBADMSG);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* 8.4.6.x: encode from the NetKey, Random, flags and IV index; decode back. */
static void test_private(void **state)
{
	struct json_object *v = *state;
	struct mp_subnet s[2];
	struct mp_private_beacon_rx rx;
	struct mp_private_beacon pb;
	uint8_t ad[64], rnd[MP_PRIVATE_RANDOM_LEN], obf[5], tag[8], out[32], key[16];
	uint8_t flags = (uint8_t)ntu_int(v, "flags");
	uint32_t iv = ntu_int(v, "iv_index");
	size_t adlen = tu_hex(v, "ad_structure", ad, sizeof(ad));

	two_subnets(v, s);
	tu_hex(v, "private_beacon_key", key, sizeof(key));
	tu_assert_bytes(s[1].key[0].private_beacon_key, key, 16);
	/* AD length, AD type Mesh Beacon (0x2B), then the beacon */
	assert_int_equal(adlen, 2 + MP_PRIVATE_BEACON_LEN);
	assert_int_equal(ad[0], adlen - 1);
	assert_int_equal(ad[1], 0x2b);
	assert_int_equal(tu_hex(v, "random", rnd, sizeof(rnd)), MP_PRIVATE_RANDOM_LEN);
	tu_hex(v, "obfuscated_private_beacon_data", obf, sizeof(obf));
	tu_hex(v, "authentication_tag", tag, sizeof(tag));

	assert_int_equal(mp_private_beacon_encode(key, rnd, flags, iv, out, sizeof(out)),
			 MP_PRIVATE_BEACON_LEN);
	tu_assert_bytes(out, ad + 2, MP_PRIVATE_BEACON_LEN);

	assert_int_equal(mp_private_beacon_parse(ad + 2, MP_PRIVATE_BEACON_LEN, &pb), 0);
	tu_assert_bytes(pb.random, rnd, sizeof(rnd));
	tu_assert_bytes(pb.obfuscated, obf, sizeof(obf));
	tu_assert_bytes(pb.tag, tag, sizeof(tag));
	assert_int_equal(mp_private_beacon_rx(s, 2, ad + 2, MP_PRIVATE_BEACON_LEN, &rx), 0);
	assert_int_equal(rx.subnet, 1);
	assert_false(rx.new_key);
	assert_int_equal(rx.flags, flags);
	assert_int_equal(rx.iv_index, iv);
	/* the other subnet alone does not open it */
	assert_int_equal(mp_private_beacon_rx(s, 1, ad + 2, MP_PRIVATE_BEACON_LEN, &rx), -EBADMSG);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* The 8.4.3 beacon with every bit of flags, IV index and authentication
 * value flipped: -EBADMSG; of the Network ID: -ENOKEY. */
static void test_snb_bad_auth(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.0");
	struct mp_subnet s[2];
	struct mp_snb_rx rx;
	uint8_t b[MP_SNB_LEN + 1];
	size_t bit;

	two_subnets(v, s);
	tu_hex(v, "beacon", b, sizeof(b));
	for (bit = 8; bit < MP_SNB_LEN * 8; bit++) {
		int want = bit >= 16 && bit < 80 ? -ENOKEY : -EBADMSG;

		b[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		assert_int_equal(mp_snb_rx(s, 2, b, MP_SNB_LEN, &rx), want);
		b[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
	assert_int_equal(mp_snb_rx(s, 2, b, MP_SNB_LEN, &rx), 0);
	/* a node that does not know the network */
	assert_int_equal(mp_snb_rx(s, 1, b, MP_SNB_LEN, &rx), -ENOKEY);
	assert_int_equal(mp_snb_rx(NULL, 0, b, MP_SNB_LEN, &rx), -ENOKEY);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* Every bit of the Random, obfuscated data and tag flipped: -EBADMSG. */
static void test_private_bad_tag(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.mesh_private_beacons.1");
	struct mp_subnet s[2];
	struct mp_private_beacon_rx rx;
	uint8_t ad[64], *b = ad + 2;
	size_t bit;

	two_subnets(v, s);
	tu_hex(v, "ad_structure", ad, sizeof(ad));
	for (bit = 8; bit < MP_PRIVATE_BEACON_LEN * 8; bit++) {
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(mp_private_beacon_rx(s, 2, b, MP_PRIVATE_BEACON_LEN, &rx), -EBADMSG);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(mp_private_beacon_rx(s, 2, b, MP_PRIVATE_BEACON_LEN, &rx), 0);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* Lengths and types: each its error, before any key is tried. */
static void test_malformed(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.0");
	struct json_object *pv = tu_get(tu_vectors(), "beacons.mesh_private_beacons.0");
	struct mp_subnet s[2];
	struct mp_snb_rx rx;
	struct mp_private_beacon_rx prx;
	struct mp_snb snb;
	uint8_t b[64], ad[64], unprov[32];
	size_t n, ulen;

	two_subnets(v, s);
	tu_hex(v, "beacon", b, sizeof(b));
	b[MP_SNB_LEN] = 0;
	for (n = 0; n < MP_SNB_LEN; n++)
		assert_int_equal(mp_snb_rx(s, 2, b, n, &rx), -ENODATA);
	assert_int_equal(mp_snb_rx(s, 2, b, MP_SNB_LEN + 1, &rx), -EMSGSIZE);
	assert_int_equal(mp_snb_parse(b, MP_SNB_LEN + 1, &snb), -EMSGSIZE);
	b[0] = MP_BEACON_MESH_PRIVATE;
	assert_int_equal(mp_snb_rx(s, 2, b, MP_SNB_LEN, &rx), -EPROTOTYPE);
	b[0] = 0x03;
	assert_int_equal(mp_snb_parse(b, MP_SNB_LEN, &snb), -EPROTOTYPE);

	tu_hex(pv, "ad_structure", ad, sizeof(ad));
	for (n = 0; n < MP_PRIVATE_BEACON_LEN; n++)
		assert_int_equal(mp_private_beacon_rx(s, 2, ad + 2, n, &prx), -ENODATA);
	ad[2 + MP_PRIVATE_BEACON_LEN] = 0;
	assert_int_equal(mp_private_beacon_rx(s, 2, ad + 2, MP_PRIVATE_BEACON_LEN + 1, &prx),
			 -EMSGSIZE);
	/* 8.4.1: an unprovisioned device beacon is neither */
	ulen = tu_hex(tu_vectors(), "beacons.unprovisioned_device_beacons.0.beacon", unprov,
		      sizeof(unprov));
	assert_int_equal(mp_snb_rx(s, 2, unprov, ulen, &rx), -EPROTOTYPE);
	assert_int_equal(mp_private_beacon_rx(s, 2, unprov, ulen, &prx), -EPROTOTYPE);
	assert_int_equal(mp_snb_rx(s, 2, NULL, 0, &rx), -EINVAL);
	assert_int_equal(mp_snb_rx(s, 2, b, MP_SNB_LEN, NULL), -EINVAL);
	assert_int_equal(mp_snb_encode(&s[1].key[0], 0, 0, b, MP_SNB_LEN - 1), -ENOSPC);
	assert_int_equal(mp_private_beacon_encode(s[1].key[0].private_beacon_key, b, 0, 0, ad,
						  MP_PRIVATE_BEACON_LEN - 1), -ENOSPC);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* A subnet in key refresh hears beacons under both keys; in phase 2 it sends
 * under the new one with the Key Refresh flag. */
static void test_key_refresh(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.0");
	struct mp_subnet s;
	struct mp_snb_rx rx;
	uint8_t key[16], other[16], b[MP_SNB_LEN];

	tu_unhex(OTHER_NET_KEY, other, sizeof(other));
	tu_hex(v, "net_key", key, sizeof(key));
	tu_hex(v, "beacon", b, sizeof(b));
	assert_int_equal(mp_subnet_init(&s, 3, other), 0);
	assert_int_equal(mp_snb_rx(&s, 1, b, sizeof(b), &rx), -ENOKEY);
	assert_int_equal(mp_subnet_kr_start(&s, key), 0);
	assert_int_equal(mp_snb_rx(&s, 1, b, sizeof(b), &rx), 0);
	assert_true(rx.new_key);
	assert_int_equal(mp_subnet_kr_use_new(&s), 0);
	assert_int_equal(mp_snb_encode(mp_subnet_tx_keys(&s), MP_BEACON_FLAG_KEY_REFRESH,
				       0x12345678, b, sizeof(b)), MP_SNB_LEN);
	assert_int_equal(mp_snb_rx(&s, 1, b, sizeof(b), &rx), 0);
	assert_true(rx.new_key);
	assert_int_equal(rx.snb.flags, MP_BEACON_FLAG_KEY_REFRESH);
	mp_subnet_wipe(&s);
}

int main(void)
{
	ntu_add_array("beacons.secure_network_beacons", test_snb);
	ntu_add_array("beacons.mesh_private_beacons", test_private);
#define ADD(fn) ntu_add(#fn, fn, NULL)
	ADD(test_snb_bad_auth);
	ADD(test_private_bad_tag);
	ADD(test_malformed);
	ADD(test_key_refresh);
#undef ADD
	return ntu_run("beacon");
}
