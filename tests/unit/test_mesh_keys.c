/* crypto/mesh_keys.h against the specification's sample data: the managed
 * flooding and friendship credentials (8.1.3, 8.1.4, 8.2.2, 8.2.3 and every
 * 8.3 message's NID and keys), IdentityKey, BeaconKey and PrivateBeaconKey
 * (8.2.6, 8.2.7, 8.2.8), the network, application, device and proxy nonces
 * (8.3.x, 8.9.x), and the virtual address of a Label UUID (8.3.22-8.3.24).
 * One cmocka case per sample, named after its section.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mesh_keys.h"

/* crypto.k2 and derived_keys.k2: managed flooding (P = 00) through
 * mp_net_cred_flooding, friendship (P = 01 || 4 x 16 bits) through
 * mp_net_cred_friendship, anything else (8.2.4, P = 02) through mp_k2. */
static void test_k2_creds(void **state)
{
	struct json_object *v = *state;
	uint8_t n[16], p[32], nid[1], enc[16], priv[16];
	struct mp_net_cred c;
	size_t plen = tu_hex(v, "p", p, sizeof(p));

	tu_hex(v, "n", n, sizeof(n));
	tu_hex(v, "nid", nid, sizeof(nid));
	tu_hex(v, "encryption_key", enc, sizeof(enc));
	tu_hex(v, "privacy_key", priv, sizeof(priv));
	memset(&c, 0xee, sizeof(c));
	if (plen == 1 && p[0] == 0x00)
		assert_int_equal(mp_net_cred_flooding(n, &c), 0);
	else if (plen == 9 && p[0] == 0x01)
		assert_int_equal(mp_net_cred_friendship(n, (uint16_t)(p[1] << 8 | p[2]),
							(uint16_t)(p[3] << 8 | p[4]),
							(uint16_t)(p[5] << 8 | p[6]),
							(uint16_t)(p[7] << 8 | p[8]), &c), 0);
	else
		assert_int_equal(mp_k2(n, p, plen, &c.nid, c.enc_key, c.priv_key), 0);
	assert_int_equal(c.nid, nid[0]);
	tu_assert_bytes(c.enc_key, enc, 16);
	tu_assert_bytes(c.priv_key, priv, 16);
}

/* crypto.k1 8.2.6 / 8.2.7 / 8.2.8.x and derived_keys.k1: the id128 keys. */
static void test_id128_key(void **state)
{
	struct json_object *v = *state;
	const char *name = tu_str(v, "name");
	uint8_t n[16], exp[16], out[16];

	tu_hex(v, "n", n, sizeof(n));
	tu_hex(v, "expected", exp, sizeof(exp));
	if (strncmp(name, "8.2.6", 5) == 0)
		assert_int_equal(mp_identity_key(n, out), 0);
	else if (strncmp(name, "8.2.7", 5) == 0)
		assert_int_equal(mp_beacon_key(n, out), 0);
	else if (strncmp(name, "8.2.8", 5) == 0)
		assert_int_equal(mp_private_beacon_key(n, out), 0);
	else
		fail_msg("no id128 key for %s", name);
	tu_assert_bytes(out, exp, 16);
}

/* 8.3.x: NID, EncryptionKey and PrivacyKey from the NetKey; each Network
 * PDU's network nonce; the application or device nonce; the AID and the
 * virtual address where there is one. */
static void test_message_keys_nonces(void **state)
{
	struct json_object *m = *state, *pdus = tu_get(m, "network_pdus");
	uint8_t exp[16], nonce[MP_NONCE_LEN];
	struct mp_net_cred c;
	uint32_t iv = ntu_int(m, "iv_index");
	uint16_t src = (uint16_t)ntu_int(m, "src"), dst = (uint16_t)ntu_int(m, "dst");
	bool ctl = ntu_int(m, "ctl") != 0;
	size_t i;

	ntu_message_cred(m, &c);
	assert_int_equal(c.nid, ntu_int(m, "nid"));
	tu_hex(m, "encryption_key", exp, sizeof(exp));
	tu_assert_bytes(c.enc_key, exp, 16);
	tu_hex(m, "privacy_key", exp, sizeof(exp));
	tu_assert_bytes(c.priv_key, exp, 16);

	for (i = 0; i < json_object_array_length(pdus); i++) {
		struct json_object *p = json_object_array_get_idx(pdus, i);

		mp_nonce_network(ctl, (uint8_t)ntu_int(m, "ttl"), ntu_int(p, "seq"), src, iv, nonce);
		assert_int_equal(tu_hex(p, "network_nonce", exp, sizeof(exp)), MP_NONCE_LEN);
		tu_assert_bytes(nonce, exp, MP_NONCE_LEN);
	}

	if (strcmp(tu_str(m, "type"), "access") == 0) {
		bool seg = ntu_int(m, "network_pdus.0.seg") != 0;
		bool aszmic = seg && json_object_get_int(tu_get(m, "trans_mic_size_int")) == 64;
		uint32_t seq = ntu_int(m, "seq");

		if (strcmp(tu_str(m, "key_type"), "device") == 0) {
			mp_nonce_device(aszmic, seq, src, dst, iv, nonce);
		} else {
			uint8_t key[16], aid = 0xff;

			mp_nonce_application(aszmic, seq, src, dst, iv, nonce);
			tu_hex(m, "app_key", key, sizeof(key));
			assert_int_equal(mp_k4(key, &aid), 0);
			assert_int_equal(aid, ntu_int(m, "network_pdus.0.aid"));
		}
		assert_int_equal(tu_hex(m, "application_nonce", exp, sizeof(exp)), MP_NONCE_LEN);
		tu_assert_bytes(nonce, exp, MP_NONCE_LEN);
	}
	if (ntu_has(m, "label_uuid")) {
		uint8_t label[16];
		uint16_t va = 0;

		tu_hex(m, "label_uuid", label, sizeof(label));
		assert_int_equal(mp_virtual_address(label, &va), 0);
		assert_int_equal(va, dst);
	}
}

/* 8.9.x: the proxy nonce of the proxy configuration messages. */
static void test_proxy_nonce(void **state)
{
	struct json_object *v = *state;
	uint8_t exp[MP_NONCE_LEN], nonce[MP_NONCE_LEN];

	mp_nonce_proxy(ntu_int(v, "seq"), (uint16_t)ntu_int(v, "src"), ntu_int(v, "iv_index"),
		       nonce);
	assert_int_equal(tu_hex(v, "proxy_nonce", exp, sizeof(exp)), MP_NONCE_LEN);
	tu_assert_bytes(nonce, exp, MP_NONCE_LEN);
}

/* virtual_addresses: Label UUID -> 16-bit virtual address. */
static void test_virtual_address(void **state)
{
	struct json_object *v = *state;
	uint8_t label[16];
	uint16_t va = 0;

	tu_hex(v, "label_uuid", label, sizeof(label));
	assert_int_equal(mp_virtual_address(label, &va), 0);
	assert_int_equal(va, ntu_int(v, "virtual_address"));
	assert_int_equal(va & 0xc000, 0x8000);
}

/* 8.4.3-8.4.5 and 8.4.6.x: BeaconKey and Network ID, PrivateBeaconKey. */
static void test_beacon_keys(void **state)
{
	struct json_object *v = *state;
	uint8_t key[16], exp[16], out[16];

	tu_hex(v, "net_key", key, sizeof(key));
	if (ntu_has(v, "beacon_key")) {
		tu_hex(v, "beacon_key", exp, sizeof(exp));
		assert_int_equal(mp_beacon_key(key, out), 0);
		tu_assert_bytes(out, exp, 16);
		tu_hex(v, "network_id", exp, sizeof(exp));
		assert_int_equal(mp_k3(key, out), 0);
		tu_assert_bytes(out, exp, 8);
	} else {
		tu_hex(v, "private_beacon_key", exp, sizeof(exp));
		assert_int_equal(mp_private_beacon_key(key, out), 0);
		tu_assert_bytes(out, exp, 16);
	}
}

static void test_bad_arguments(void **state)
{
	uint8_t key[16] = { 0 }, out[16];
	struct mp_net_cred c;
	uint16_t va;

	assert_int_equal(mp_net_cred_flooding(NULL, &c), -EINVAL);
	assert_int_equal(mp_net_cred_flooding(key, NULL), -EINVAL);
	assert_int_equal(mp_net_cred_friendship(NULL, 1, 2, 3, 4, &c), -EINVAL);
	assert_int_equal(mp_identity_key(NULL, out), -EINVAL);
	assert_int_equal(mp_beacon_key(key, NULL), -EINVAL);
	assert_int_equal(mp_private_beacon_key(NULL, NULL), -EINVAL);
	assert_int_equal(mp_virtual_address(NULL, &va), -EINVAL);
	assert_int_equal(mp_virtual_address(key, NULL), -EINVAL);
}

/* Every entry of the array at @path, named "<path>: <name>". */
static void add_array(const char *path, CMUnitTestFunction fn, const char *only)
{
	struct json_object *arr = tu_get(tu_vectors(), path);
	char name[200];
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (only && strncmp(tu_str(v, "name"), only, strlen(only)) != 0)
			continue;
		snprintf(name, sizeof(name), "%s: %s", path, tu_str(v, "name"));
		ntu_add(name, fn, v);
	}
}

int main(void)
{
	add_array("crypto.k2", test_k2_creds, NULL);
	add_array("derived_keys.k2", test_k2_creds, NULL);
	add_array("crypto.k1", test_id128_key, "8.2.6");
	add_array("crypto.k1", test_id128_key, "8.2.7");
	add_array("crypto.k1", test_id128_key, "8.2.8");
	add_array("derived_keys.k1", test_id128_key, NULL);
	ntu_add_messages("messages", test_message_keys_nonces);
	add_array("proxy.configuration_messages", test_proxy_nonce, NULL);
	add_array("virtual_addresses.addresses", test_virtual_address, NULL);
	add_array("beacons.secure_network_beacons", test_beacon_keys, NULL);
	add_array("beacons.mesh_private_beacons", test_beacon_keys, NULL);
	ntu_add("test_bad_arguments", test_bad_arguments, NULL);
	return ntu_run("mesh_keys");
}
