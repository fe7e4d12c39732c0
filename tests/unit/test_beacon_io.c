/* net/beacon_io.h: the Secure Network beacon samples (MshPRT v1.1 8.4.3,
 * 8.4.4, 8.4.5) through the glue in order, each moving the IV machine as
 * the procedure says, and our own beacon sent on the timer equal to the
 * sample; the Mesh Private beacon samples (8.4.6.1, 8.4.6.2) recognised and
 * believed; then the bad ones: a wrong authentication value (in the value
 * or in the fields it covers), an unknown network, truncated, oversized and
 * other-type beacons, each dropped, counted, and changing nothing; and the
 * Key Refresh flag of a subnet's new key.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/beacon.h"
#include "net/beacon_io.h"
#include "net/iv.h"
#include "net/net.h"

#define T0 1700000000LL

struct fx {
	struct mp_iv iv;
	unsigned persists, resets;
	/* the sender */
	struct mp_beacon_tx tx;
	uint8_t sent[4][MP_SNB_LEN];
	size_t sent_subnet[4];
	unsigned n_sent;
	uint32_t timer_ms;
	unsigned timers;
};

static int fx_persist(void *user, const struct mp_iv_state *st)
{
	(void)st;
	((struct fx *)user)->persists++;
	return 0;
}

static void fx_reset(void *user, uint32_t tx)
{
	(void)tx;
	((struct fx *)user)->resets++;
}

static void fx_send(void *user, size_t subnet, const uint8_t *b, size_t len)
{
	struct fx *f = user;

	assert_int_equal(len, MP_SNB_LEN);
	assert_true(f->n_sent < 4);
	memcpy(f->sent[f->n_sent], b, len);
	f->sent_subnet[f->n_sent++] = subnet;
}

static void fx_timer(void *user, uint32_t ms)
{
	struct fx *f = user;

	f->timers++;
	f->timer_ms = ms;
}

static void fx_init(struct fx *f, uint32_t index, bool update)
{
	static const struct mp_iv_cb cb = { fx_persist, fx_reset, NULL };
	static const struct mp_beacon_tx_cb tcb = { fx_send, fx_timer };
	struct mp_iv_state st = { index, update, T0, MP_IV_NEVER };

	memset(f, 0, sizeof(*f));
	assert_int_equal(mp_iv_init(&f->iv, &st, true, &cb, f), 0);
	assert_int_equal(mp_beacon_tx_init(&f->tx, 0, &tcb, f), 0);
}

static uint32_t vec_u32(struct json_object *v, const char *key)
{
	uint8_t b[4];

	assert_int_equal(tu_hex(v, key, b, 4), 4);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The sample's subnet as the primary one (index 0), and another. */
static void subnets_of(struct json_object *v, struct mp_subnet s[2])
{
	uint8_t key[16], other[16];

	tu_hex(v, "net_key", key, sizeof(key));
	memset(other, 0x5a, sizeof(other));
	assert_int_equal(mp_subnet_init(&s[0], 3, other), 0);
	assert_int_equal(mp_subnet_init(&s[1], 0, key), 0);
}

/* 8.4.3 -> 8.4.4 -> 8.4.5: Normal at 0x12345678; the network starts the
 * IV Update (0x12345679, flag set): IV Update in Progress; it ends it
 * (flag clear): Normal at 0x12345679, SEQ reset. After each step our own
 * beacon, sent on the timer, is the sample itself. */
static void test_snb_samples(void **state)
{
	static const enum mp_iv_verdict want[3] = {
		MP_IV_SAME, MP_IV_UPDATE_STARTED, MP_IV_UPDATE_DONE,
	};
	struct mp_subnet s[2];
	struct mp_beacon_seen seen;
	struct fx f;
	int i;

	(void)state;
	subnets_of(tu_get(tu_vectors(), "beacons.secure_network_beacons.0"), s);
	fx_init(&f, 0x12345678, false);
	mp_beacon_tx_start(&f.tx);
	assert_int_equal(f.timer_ms, MP_BEACON_TX_INTERVAL_MS);
	for (i = 0; i < 3; i++) {
		char path[64];
		struct json_object *v;
		uint8_t b[32];
		size_t len;

		snprintf(path, sizeof(path), "beacons.secure_network_beacons.%d", i);
		v = tu_get(tu_vectors(), path);
		len = tu_hex(v, "beacon", b, sizeof(b));
		print_message("%s\n", tu_str(v, "name"));
		assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, b, len, T0 + 1 + i, &seen), 0);
		assert_int_equal(seen.type, MP_BEACON_SECURE_NETWORK);
		assert_int_equal(seen.subnet, 1);
		assert_int_equal(seen.net_index, 0);
		assert_false(seen.new_key);
		assert_false(seen.key_refresh);
		assert_int_equal(seen.iv_index, vec_u32(v, "iv_index"));
		assert_int_equal(seen.iv_update, i == 1);
		assert_int_equal(seen.verdict, want[i]);
		assert_int_equal(mp_iv_get(&f.iv)->iv_index, vec_u32(v, "iv_index"));
		assert_int_equal(mp_iv_get(&f.iv)->iv_update, i == 1);

		f.n_sent = 0;
		assert_int_equal(mp_beacon_tx_timeout(&f.tx, s, 2, &f.iv), 2);
		assert_int_equal(f.sent_subnet[1], 1);
		tu_assert_bytes(f.sent[1], b, len);
		assert_int_equal(f.timer_ms, MP_BEACON_TX_INTERVAL_MS);
	}
	assert_int_equal(f.persists, 2);
	assert_int_equal(f.resets, 1);
	assert_int_equal(f.tx.sent, 6);
	mp_beacon_tx_stop(&f.tx);
	assert_int_equal(f.timer_ms, 0);
	f.n_sent = 0;
	mp_beacon_tx_timeout(&f.tx, s, 2, &f.iv);
	assert_int_equal(f.timer_ms, 0);	/* stopped: sent once, not re-armed */
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* A bad authentication value, or a field it covers changed: dropped,
 * counted, the state untouched, nothing persisted. */
static void test_bad_auth(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.1");
	struct mp_subnet s[2];
	struct mp_beacon_seen seen;
	uint8_t b[32], bad[32];
	size_t len = tu_hex(v, "beacon", b, sizeof(b)), i;
	struct fx f;

	(void)state;
	subnets_of(v, s);
	fx_init(&f, 0x12345678, false);
	/* every bit of the flags, the IV index and the authentication value */
	for (i = 1; i < len; i++) {
		int bit;

		if (i >= 2 && i < 10)
			continue;	/* the Network ID: another network (below) */
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, b, len);
			bad[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, bad, len, T0 + 1, &seen),
					 -EBADMSG);
		}
	}
	assert_int_equal(f.iv.cnt.bcn_bad_auth, (len - 9) * 8);
	assert_int_equal(f.iv.cnt.beacons, 0);
	assert_int_equal(f.persists, 0);
	assert_int_equal(mp_iv_get(&f.iv)->iv_index, 0x12345678);
	assert_false(mp_iv_get(&f.iv)->iv_update);

	/* a Network ID no subnet has */
	memcpy(bad, b, len);
	bad[2] ^= 1;
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, bad, len, T0 + 1, &seen), -ENOKEY);
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 1, b, len, T0 + 1, &seen), -ENOKEY);
	assert_int_equal(f.iv.cnt.bcn_unknown_net, 2);
	/* malformed and other types */
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, b, len - 1, T0 + 1, &seen), -ENODATA);
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, b, 0, T0 + 1, &seen), -ENODATA);
	memcpy(bad, b, len);
	bad[len] = 0;
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, bad, len + 1, T0 + 1, &seen), -EMSGSIZE);
	assert_int_equal(f.iv.cnt.bcn_malformed, 3);
	bad[0] = MP_BEACON_UNPROVISIONED;
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, bad, 19, T0 + 1, &seen), -EPROTOTYPE);
	bad[0] = 0x03;
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, bad, len, T0 + 1, &seen), -EPROTOTYPE);
	assert_int_equal(f.iv.cnt.bcn_other_type, 2);
	assert_int_equal(mp_beacon_io_rx(NULL, s, 2, b, len, T0, &seen), -EINVAL);
	assert_int_equal(f.persists, 0);

	/* the good one still moves it */
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, b, len, T0 + 1, &seen), 0);
	assert_int_equal(seen.verdict, MP_IV_UPDATE_STARTED);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* A beacon of a secondary subnet with a higher IV index: authenticated,
 * then dropped by the IV machine (3.11.5). */
static void test_secondary_subnet(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.1");
	struct mp_subnet s[2];
	struct mp_beacon_seen seen;
	uint8_t key[16], b[32];
	ssize_t len;
	struct fx f;
	struct mp_iv_state st = { 0x12345679, true, 0, 0 };

	(void)state;
	tu_hex(v, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s[0], 0, (uint8_t[16]){ 1 }), 0);
	assert_int_equal(mp_subnet_init(&s[1], 5, key), 0);
	fx_init(&f, 0x12345678, false);
	len = mp_beacon_io_build(&s[1], &st, b, sizeof(b));
	assert_int_equal(len, MP_SNB_LEN);
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, b, (size_t)len, T0 + 1, &seen), 0);
	assert_int_equal(seen.net_index, 5);
	assert_int_equal(seen.verdict, MP_IV_DROP_SECONDARY);
	assert_int_equal(f.iv.cnt.drop_secondary, 1);
	assert_int_equal(f.persists, 0);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* Key refresh: the new key's beacon says so (seen.new_key), and ours
 * carries the Key Refresh flag under the new key in phase 2 only. */
static void test_key_refresh(void **state)
{
	struct mp_subnet s[1], peer[1];
	struct mp_beacon_seen seen;
	struct mp_iv_state st = { 7, false, 0, 0 };
	uint8_t b[32], old_key[16], new_key[16];
	struct mp_snb snb;
	struct fx f;

	(void)state;
	memset(old_key, 0x11, 16);
	memset(new_key, 0x22, 16);
	assert_int_equal(mp_subnet_init(&s[0], 0, old_key), 0);
	assert_int_equal(mp_subnet_init(&peer[0], 0, old_key), 0);
	fx_init(&f, 7, false);

	/* phase 1: the old key sends, no flag */
	assert_int_equal(mp_subnet_kr_start(&peer[0], new_key), 0);
	assert_int_equal(mp_beacon_io_build(&peer[0], &st, b, sizeof(b)), MP_SNB_LEN);
	assert_int_equal(mp_snb_parse(b, MP_SNB_LEN, &snb), 0);
	assert_int_equal(snb.flags, 0);
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 1, b, MP_SNB_LEN, T0, &seen), 0);
	assert_false(seen.new_key);
	assert_false(seen.key_refresh);

	/* phase 2: the new key sends, the flag set; we know the new key too */
	assert_int_equal(mp_subnet_kr_use_new(&peer[0]), 0);
	assert_int_equal(mp_beacon_io_build(&peer[0], &st, b, sizeof(b)), MP_SNB_LEN);
	assert_int_equal(mp_snb_parse(b, MP_SNB_LEN, &snb), 0);
	assert_int_equal(snb.flags, MP_BEACON_FLAG_KEY_REFRESH);
	/* before we have the new key: an unknown network */
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 1, b, MP_SNB_LEN, T0, &seen), -ENOKEY);
	assert_int_equal(mp_subnet_kr_start(&s[0], new_key), 0);
	assert_int_equal(mp_beacon_io_rx(&f.iv, s, 1, b, MP_SNB_LEN, T0, &seen), 0);
	assert_true(seen.new_key);
	assert_true(seen.key_refresh);
	assert_int_equal(seen.verdict, MP_IV_SAME);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&peer[0]);
}

/* The Key Refresh flag and key on the 8.4.3 sample (MshPRT v1.1 3.10.3,
 * 3.11.4): in phase 1 with the sample's NetKey as the old key, our beacon
 * is the sample itself (sent with the old key, flag clear); in phase 2
 * with the sample's NetKey as the new key, it is the sample's Network ID
 * and IV index with flags 0x01, authenticated with the sample's BeaconKey
 * (the first 8 octets of AES-CMAC over Flags || Network ID || IV Index).
 * The spec has no beacon sample with the flag set: this is the sample's
 * keys with the flag the procedure sets. */
static void test_key_refresh_sample(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "beacons.secure_network_beacons.0");
	struct mp_iv_state st = { vec_u32(v, "iv_index"), false, 0, 0 };
	uint8_t sample_key[16], other[16], beacon_key[16], netid[8], sample[32], b[32], mac[16];
	struct mp_subnet s;
	size_t len;

	(void)state;
	tu_hex(v, "net_key", sample_key, sizeof(sample_key));
	tu_hex(v, "beacon_key", beacon_key, sizeof(beacon_key));
	tu_hex(v, "network_id", netid, sizeof(netid));
	len = tu_hex(v, "beacon", sample, sizeof(sample));
	memset(other, 0xa5, sizeof(other));

	/* phase 1: the sample key is the old one, and still sends */
	assert_int_equal(mp_subnet_init(&s, 0, sample_key), 0);
	assert_int_equal(mp_subnet_kr_start(&s, other), 0);
	assert_int_equal(mp_beacon_io_build(&s, &st, b, sizeof(b)), MP_SNB_LEN);
	tu_assert_bytes(b, sample, len);
	mp_subnet_wipe(&s);

	/* phase 2: the sample key is the new one, the flag set */
	assert_int_equal(mp_subnet_init(&s, 0, other), 0);
	assert_int_equal(mp_subnet_kr_start(&s, sample_key), 0);
	assert_int_equal(mp_subnet_kr_use_new(&s), 0);
	assert_int_equal(mp_beacon_io_build(&s, &st, b, sizeof(b)), MP_SNB_LEN);
	assert_int_equal(b[0], MP_BEACON_SECURE_NETWORK);
	assert_int_equal(b[1], MP_BEACON_FLAG_KEY_REFRESH);
	assert_memory_equal(b + 2, netid, 8);
	assert_memory_equal(b + 10, sample + 10, 4);
	assert_int_equal(mp_aes_cmac(beacon_key, b + 1, 13, mac), 0);
	assert_memory_equal(b + 14, mac, 8);
	/* and the sample (flag clear) is not what phase 2 sends */
	assert_memory_not_equal(b, sample, len);

	/* phase 3 -> normal: the sample key only, the sample again */
	assert_int_equal(mp_subnet_kr_finish(&s), 0);
	assert_int_equal(mp_beacon_io_build(&s, &st, b, sizeof(b)), MP_SNB_LEN);
	tu_assert_bytes(b, sample, len);
	mp_subnet_wipe(&s);
}

/* 8.4.6.1, 8.4.6.2: a Mesh Private beacon is recognised, opened and
 * believed like a Secure Network beacon; one no key opens is another
 * network's. */
static void test_private_samples(void **state)
{
	struct mp_subnet s[2];
	struct mp_beacon_seen seen;
	uint8_t ad[64];
	struct fx f;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char path[64];
		struct json_object *v;
		size_t len;
		uint32_t iv;

		snprintf(path, sizeof(path), "beacons.mesh_private_beacons.%d", i);
		v = tu_get(tu_vectors(), path);
		print_message("%s\n", tu_str(v, "name"));
		len = tu_hex(v, "ad_structure", ad, sizeof(ad));
		iv = vec_u32(v, "iv_index");
		subnets_of(v, s);
		/* the sample at IV Update in Progress: from Normal at iv - 1 */
		fx_init(&f, i == 0 ? iv - 1 : iv, false);
		assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, ad + 2, len - 2, T0, &seen), 0);
		assert_int_equal(seen.type, MP_BEACON_MESH_PRIVATE);
		assert_int_equal(seen.subnet, 1);
		assert_int_equal(seen.iv_index, iv);
		assert_int_equal(seen.iv_update, i == 0);
		assert_int_equal(seen.verdict, i == 0 ? MP_IV_UPDATE_STARTED : MP_IV_SAME);
		/* no key of ours opens it */
		assert_int_equal(mp_beacon_io_rx(&f.iv, s, 1, ad + 2, len - 2, T0, &seen),
				 -ENOKEY);
		ad[len - 1] ^= 1;
		assert_int_equal(mp_beacon_io_rx(&f.iv, s, 2, ad + 2, len - 2, T0, &seen),
				 -ENOKEY);
		assert_int_equal(f.iv.cnt.bcn_unknown_net, 2);
		mp_subnet_wipe(&s[0]);
		mp_subnet_wipe(&s[1]);
	}
}

static void test_args(void **state)
{
	struct mp_beacon_tx tx;
	struct mp_beacon_tx_cb none = { 0 };
	uint8_t b[32];

	(void)state;
	assert_int_equal(mp_beacon_tx_init(&tx, 0, &none, NULL), -EINVAL);
	assert_int_equal(mp_beacon_tx_init(NULL, 0, &none, NULL), -EINVAL);
	assert_int_equal(mp_beacon_io_build(NULL, NULL, b, sizeof(b)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snb_samples),
		cmocka_unit_test(test_bad_auth),
		cmocka_unit_test(test_secondary_subnet),
		cmocka_unit_test(test_key_refresh),
		cmocka_unit_test(test_key_refresh_sample),
		cmocka_unit_test(test_private_samples),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests_name("net/beacon_io", tests, NULL, NULL);
}
