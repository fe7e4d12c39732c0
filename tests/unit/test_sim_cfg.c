/* The simulated node's Configuration Server (src/sim/node_cfg.c) against
 * hand-written bytes: every request and every expected Status below is
 * written from the message layouts of MshPRT v1.1 4.3.2 (opcodes 4.3.4,
 * status codes 4.3.5, Composition Data page 0 in 4.2), field by field,
 * never produced by the client's codecs.
 *
 * The node of most tests: address 0x1201 and NetKey index 0x456 (the 8.3
 * samples' node), two elements:
 *   0x1201 Loc 0x0100: Configuration Server 0x0000, Health Server 0x0002,
 *          Generic OnOff Server 0x1000, vendor 0x05f1:0x0001
 *   0x1202 Loc 0x0101: Generic OnOff Server 0x1000
 * Relay and Proxy supported, Friend and Low Power not; room for 2 NetKeys,
 * 3 AppKeys, 2 subscriptions and 2 bindings per model.
 *
 * Hex strings may hold spaces between fields (tu_unhex_spaced); "" expects
 * no answer.
 */
#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sim/node_cfg.h"
#include "testutil.h"

#define NET_IDX 0x456
#define ADDR 0x1201

/* MshPRT v1.1 8.3: the NetKey, and 8.3.6's AppKey */
static const char *const sample_net_key = "7dd7364cd842ad18c17c2b820c84c3d6";
#define APP_KEY "63964771734fbd76e3b40519d1d94a48"
#define OTHER_KEY "00112233445566778899aabbccddeeff"
#define KEY3 "ffeeddccbbaa99887766554433221100"
/* 8.3.22 and 8.3.23 Label UUIDs and their virtual addresses b529 and 9736 */
#define LABEL1 "0073e7e4d8b9440faf8415df4c56c0e1"
#define LABEL2 "f4a002c7fb1e4ca0a469a021de0db875"

static const struct mp_sim_model onoff = { .id = 0x1000 };
static const struct mp_sim_model vnd = { .vendor = true, .cid = 0x05f1, .id = 0x0001 };

/* The NetKey the requests come under. */
static uint16_t rx_net_idx = NET_IDX;

static const struct mp_sim_comp test_comp = {
	.cid = 0x05f1, .pid = 0x0001, .vid = 0x0002, .crpl = 0x0008,
	.features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY,
	.n_elements = 2,
	.elements = {
		{ .loc = 0x0100, .n_models = 4, .models = {
			{ .id = 0x0000 }, { .id = 0x0002 }, { .id = 0x1000 },
			{ .vendor = true, .cid = 0x05f1, .id = 0x0001 } } },
		{ .loc = 0x0101, .n_models = 1, .models = { { .id = 0x1000 } } },
	},
};

static struct mp_sim_cfg *node_with(const struct mp_sim_comp *comp)
{
	struct mp_sim_cfg_params p = {
		.comp = comp, .unicast = ADDR, .net_key_index = NET_IDX,
		.limits = { .net_keys = 2, .app_keys = 3, .subs_per_model = 2, .binds_per_model = 2 },
		.beacon = 1, .net_transmit = 0x21, .relay = 1, .relay_retransmit = 0x0a, .proxy = 0,
	};
	struct mp_sim_cfg *cfg = NULL;

	tu_unhex_spaced(sample_net_key, p.net_key, sizeof(p.net_key));
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), 0);
	return cfg;
}

static struct mp_sim_cfg *node(void)
{
	return node_with(&test_comp);
}

/* Send @req; expect @status back (or, with "", a silent 0). */
#define xfer(cfg, req, status) _xfer((cfg), (req), (status), __FILE__, __LINE__)
static void _xfer(struct mp_sim_cfg *cfg, const char *req, const char *status, const char *file,
		  int line)
{
	uint8_t in[400], want[400], out[400];
	size_t n = tu_unhex_spaced(req, in, sizeof(in));
	size_t wn = tu_unhex_spaced(status, want, sizeof(want)), on = 99;
	int err = mp_sim_cfg_rx(cfg, 0x0001, rx_net_idx, in, n, out, sizeof(out), &on);

	if (err)
		print_error("%s:%d: request %s: error %d\n", file, line, req, err);
	assert_int_equal(err, 0);
	if (on != wn)
		print_error("%s:%d: request %s: %zu octets back, %zu expected\n", file, line, req,
			    on, wn);
	assert_int_equal(on, wn);
	_tu_assert_bytes(out, want, wn, req, file, line);
}

/* Send @req; expect it refused with @err and nothing to send. */
#define refused(cfg, req, err) _refused((cfg), (req), (err), __FILE__, __LINE__)
static void _refused(struct mp_sim_cfg *cfg, const char *req, int want, const char *file, int line)
{
	uint8_t in[400], out[400];
	size_t n = tu_unhex_spaced(req, in, sizeof(in)), on = 99;
	int err = mp_sim_cfg_rx(cfg, 0x0001, rx_net_idx, in, n, out, sizeof(out), &on);

	if (err != want)
		print_error("%s:%d: request %s: %d, %d expected\n", file, line, req, err, want);
	assert_int_equal(err, want);
	assert_int_equal(on, 0);
}

/* AppKey Add of index 0x123 under NET_IDX (8.3.6's parameters). */
static void add_app_123(struct mp_sim_cfg *cfg)
{
	xfer(cfg, "00 563412" APP_KEY, "8003 00 563412");
}

/* ---- Composition Data ---- */

#define PAGE0 "f105 0100 0200 0800 0300" \
	"0001 03 01 0000 0200 0010 f1050100" \
	"0101 01 00 0010"

static void test_composition(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8008 00", "02 00" PAGE0);
	/* 0xff: the highest page the node has; 3: the largest not above it */
	xfer(cfg, "8008 ff", "02 00" PAGE0);
	xfer(cfg, "8008 03", "02 00" PAGE0);
	refused(cfg, "8008", -EBADMSG);
	refused(cfg, "8008 0000", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- AppKeys ---- */

/* MshPRT v1.1 8.3.6: the access message of Config AppKey Add (NetKeyIndex
 * 0x456, AppKeyIndex 0x123), as the upper transport delivers it. The node
 * holds NetKey 0x456 and stores the key: AppKey Status, Success, the same
 * NetKeyIndexAndAppKeyIndex. */
static void test_sample_8_3_6_appkey_add(void **state)
{
	struct mp_sim_cfg *cfg = node();
	uint8_t key[16], want[16];
	uint16_t net = 0;

	(void)state;
	xfer(cfg, "0056341263964771734fbd76e3b40519d1d94a48", "8003 00 563412");
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x123, key, NULL, &net), 0);
	tu_unhex_spaced(APP_KEY, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	assert_int_equal(net, NET_IDX);
	/* Idempotent: the same key again is Success; another key at the same
	 * index is Key Index Already Stored and changes nothing. */
	xfer(cfg, "0056341263964771734fbd76e3b40519d1d94a48", "8003 00 563412");
	xfer(cfg, "00 563412" OTHER_KEY, "8003 06 563412");
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x123, key, NULL, NULL), 0);
	tu_assert_bytes(key, want, 16);
	assert_int_equal(mp_sim_cfg_app_key_count(cfg), 1);
	mp_sim_cfg_free(cfg);
}

static void test_appkey_add_errors(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	/* NetKey 0x000 unknown (AppKey 0x001: 0x001000) */
	xfer(cfg, "00 001000" APP_KEY, "8003 04 001000");
	add_app_123(cfg);
	/* the index under another NetKey: Invalid Binding */
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");
	xfer(cfg, "00 013012" APP_KEY, "8003 11 013012");
	/* room for 3 AppKeys: 0x001, 0x002, then Insufficient Resources */
	xfer(cfg, "00 561400" OTHER_KEY, "8003 00 561400");
	xfer(cfg, "00 562400" OTHER_KEY, "8003 00 562400");
	xfer(cfg, "00 563400" OTHER_KEY, "8003 05 563400");
	assert_int_equal(mp_sim_cfg_app_key_count(cfg), 3);
	/* too short, too long */
	refused(cfg, "00 563412 63964771734fbd76e3b40519d1d94a", -EBADMSG);
	refused(cfg, "00 563412" APP_KEY "00", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

static void test_appkey_list_delete(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8001 5604", "8002 00 5604");
	add_app_123(cfg);
	xfer(cfg, "00 561400" OTHER_KEY, "8003 00 561400");
	xfer(cfg, "00 562400" OTHER_KEY, "8003 00 562400");
	{
		uint16_t idx[3];

		assert_int_equal(mp_sim_cfg_app_key_list(cfg, idx, 3), 3);
		assert_int_equal(idx[0], 0x001);
		assert_int_equal(idx[2], 0x123);
	}
	/* 0x001 and 0x002 packed in 3 octets (0x002001), 0x123 alone in 2 */
	xfer(cfg, "8001 5604", "8002 00 5604 012000 2301");
	xfer(cfg, "8001 0100", "8002 04 0100");
	/* Delete: unknown NetKey, another NetKey's AppKey, then the key,
	 * then again (Success: nothing to delete) */
	xfer(cfg, "8000 001200", "8003 04 001200");
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");
	xfer(cfg, "8000 013012", "8003 11 013012");
	xfer(cfg, "8000 563412", "8003 00 563412");
	xfer(cfg, "8000 563412", "8003 00 563412");
	xfer(cfg, "8001 5604", "8002 00 5604 012000");
	xfer(cfg, "8001 0100", "8002 00 0100");
	/* a NetKeyIndex over 12 bits is not understood */
	refused(cfg, "8001 56f4", -EBADMSG);
	refused(cfg, "8001 56", -EBADMSG);
	refused(cfg, "8000 5634", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

static void test_appkey_delete_unbinds(void **state)
{
	struct mp_sim_cfg *cfg = node();
	struct mp_sim_pub pub;

	(void)state;
	add_app_123(cfg);
	xfer(cfg, "803d 0112 2301 0010", "803e 00 0112 2301 0010");
	xfer(cfg, "03 0112 00c0 2301 07 29 2a 0010", "8019 00 0112 00c0 2301 07 29 2a 0010");
	xfer(cfg, "8000 563412", "8003 00 563412");
	assert_false(mp_sim_cfg_bound(cfg, ADDR, &onoff, 0x123));
	assert_int_equal(mp_sim_cfg_publication(cfg, ADDR, &onoff, &pub), 0);
	assert_int_equal(pub.addr, 0);
	xfer(cfg, "804b 0112 0010", "804c 00 0112 0010");
	mp_sim_cfg_free(cfg);
}

/* ---- NetKeys ---- */

static void test_netkey(void **state)
{
	struct mp_sim_cfg *cfg = node();
	uint8_t key[16], want[16];

	(void)state;
	xfer(cfg, "8042", "8043 5604");
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");	/* same again */
	xfer(cfg, "8040 0100" APP_KEY, "8044 06 0100");		/* another key */
	assert_int_equal(mp_sim_cfg_net_key(cfg, 0x001, key, NULL, NULL), 0);
	tu_unhex_spaced(OTHER_KEY, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	/* 0x001 and 0x456 in 3 octets: 0x456001 */
	xfer(cfg, "8042", "8043 016045");
	{
		uint16_t idx[2] = { 0, 0 };

		assert_int_equal(mp_sim_cfg_net_key_list(cfg, idx, 1), 2);
		assert_int_equal(idx[0], 0x001);
		assert_int_equal(idx[1], 0);
		assert_int_equal(mp_sim_cfg_net_key_list(cfg, idx, 2), 2);
		assert_int_equal(idx[1], NET_IDX);
	}
	xfer(cfg, "8040 0200" OTHER_KEY, "8044 05 0200");	/* room for 2 */
	/* an AppKey bound to 0x001 goes with it */
	xfer(cfg, "00 015000" APP_KEY, "8003 00 015000");
	xfer(cfg, "8041 0100", "8044 00 0100");
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x005, NULL, NULL, NULL), -ENOENT);
	xfer(cfg, "8041 0100", "8044 00 0100");			/* absent: Success */
	xfer(cfg, "8041 5604", "8044 0c 5604");			/* the last one */
	xfer(cfg, "8042", "8043 5604");
	/* the key a message came under cannot be deleted by it */
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");
	rx_net_idx = 0x001;
	xfer(cfg, "8041 0100", "8044 0c 0100");
	xfer(cfg, "8041 5604", "8044 00 5604");
	rx_net_idx = NET_IDX;
	xfer(cfg, "8042", "8043 0100");
	refused(cfg, "8040 01f0" OTHER_KEY, -EBADMSG);		/* index over 12 bits */
	refused(cfg, "8041 0110", -EBADMSG);
	refused(cfg, "8045 0180" OTHER_KEY, -EBADMSG);
	refused(cfg, "8042 00", -EBADMSG);
	refused(cfg, "8040 0100" OTHER_KEY "00", -EBADMSG);
	refused(cfg, "8041 01", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- Key Refresh: NetKey Update, AppKey Update, Key Refresh Phase ---- */

static void test_key_refresh(void **state)
{
	struct mp_sim_cfg *cfg = node();
	uint8_t key[16], newk[16], want[16], phase = 9;

	(void)state;
	add_app_123(cfg);
	xfer(cfg, "01 563412" OTHER_KEY, "8003 0b 563412");	/* Phase 0: Cannot Update */
	xfer(cfg, "01 001200" OTHER_KEY, "8003 04 001200");	/* NetKey 0x200 unknown */
	xfer(cfg, "8045 0100" OTHER_KEY, "8044 04 0100");
	xfer(cfg, "8015 5604", "8017 00 5604 00");
	xfer(cfg, "8015 0100", "8017 04 0100 00");
	xfer(cfg, "8016 0100 02", "8017 04 0100 00");
	/* Phase 0: transition 3 changes nothing; 2 is no transition from it */
	xfer(cfg, "8016 5604 03", "8017 00 5604 00");
	refused(cfg, "8016 5604 02", -EBADMSG);
	/* transitions 0, 1 and 4 do not exist */
	refused(cfg, "8016 5604 00", -EBADMSG);
	refused(cfg, "8016 5604 01", -EBADMSG);
	refused(cfg, "8016 5604 04", -EBADMSG);

	/* NetKey Update starts Phase 1; the same new key again is Success,
	 * another is Key Index Already Stored */
	xfer(cfg, "8045 5604" OTHER_KEY, "8044 00 5604");
	xfer(cfg, "8045 5604" OTHER_KEY, "8044 00 5604");
	xfer(cfg, "8045 5604" APP_KEY, "8044 06 5604");
	xfer(cfg, "8015 5604", "8017 00 5604 01");
	xfer(cfg, "01 561400" KEY3, "8003 03 561400");		/* AppKey 0x001 unknown */
	xfer(cfg, "01 563412" KEY3, "8003 00 563412");
	xfer(cfg, "01 563412" KEY3, "8003 00 563412");
	xfer(cfg, "01 563412" OTHER_KEY, "8003 06 563412");
	/* AppKey 0x005 lives under NetKey 0x001: Invalid Binding */
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 00 0100");
	xfer(cfg, "00 015000" APP_KEY, "8003 00 015000");
	xfer(cfg, "01 565400" KEY3, "8003 11 565400");

	/* Phase 2: no more updates; 2 again stays; 3 revokes the old keys */
	xfer(cfg, "8016 5604 02", "8017 00 5604 02");
	/* both keys held during the refresh */
	assert_int_equal(mp_sim_cfg_net_key(cfg, NET_IDX, key, newk, &phase), 0);
	assert_int_equal(phase, 2);
	tu_unhex_spaced(sample_net_key, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	tu_unhex_spaced(OTHER_KEY, want, sizeof(want));
	tu_assert_bytes(newk, want, 16);
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x123, key, newk, NULL), 0);
	tu_unhex_spaced(APP_KEY, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	tu_unhex_spaced(KEY3, want, sizeof(want));
	tu_assert_bytes(newk, want, 16);
	xfer(cfg, "8045 5604" OTHER_KEY, "8044 0b 5604");
	xfer(cfg, "01 563412" KEY3, "8003 0b 563412");
	xfer(cfg, "8016 5604 02", "8017 00 5604 02");
	xfer(cfg, "8016 5604 03", "8017 00 5604 00");
	assert_int_equal(mp_sim_cfg_net_key(cfg, NET_IDX, key, newk, &phase), 0);
	assert_int_equal(phase, 0);
	tu_unhex_spaced(OTHER_KEY, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	tu_assert_bytes(newk, want, 16);
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x123, key, newk, NULL), 0);
	tu_unhex_spaced(KEY3, want, sizeof(want));
	tu_assert_bytes(key, want, 16);
	tu_assert_bytes(newk, want, 16);
	/* and a new refresh may start again from Phase 1, straight to 0 with 3 */
	xfer(cfg, "8045 5604" APP_KEY, "8044 00 5604");
	xfer(cfg, "8016 5604 03", "8017 00 5604 00");
	refused(cfg, "8015 56", -EBADMSG);
	refused(cfg, "8016 5604", -EBADMSG);
	refused(cfg, "8015 56f4", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- Model to AppKey bindings ---- */

static void test_bindings(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	add_app_123(cfg);
	xfer(cfg, "00 561400" OTHER_KEY, "8003 00 561400");
	xfer(cfg, "00 562400" OTHER_KEY, "8003 00 562400");
	xfer(cfg, "803d 0112 2301 0010", "803e 00 0112 2301 0010");
	xfer(cfg, "803d 0112 2301 0010", "803e 00 0112 2301 0010");	/* again */
	assert_true(mp_sim_cfg_bound(cfg, ADDR, &onoff, 0x123));
	assert_false(mp_sim_cfg_bound(cfg, ADDR + 1, &onoff, 0x123));
	xfer(cfg, "803d 0112 0100 0010", "803e 00 0112 0100 0010");
	xfer(cfg, "803d 0112 0200 0010", "803e 05 0112 0200 0010");	/* room for 2 */
	xfer(cfg, "804b 0112 0010", "804c 00 0112 0010 231100");	/* 0x123, 0x001: 0x001123 */
	xfer(cfg, "804b 0212 0010", "804c 00 0212 0010");
	/* Health Server takes AppKeys; the Configuration Server does not */
	xfer(cfg, "803d 0112 2301 0200", "803e 00 0112 2301 0200");
	xfer(cfg, "803d 0112 2301 0000", "803e 0d 0112 2301 0000");
	xfer(cfg, "803d 0312 2301 0010", "803e 01 0312 2301 0010");	/* no element 0x1203 */
	xfer(cfg, "803d 0012 2301 0010", "803e 01 0012 2301 0010");
	xfer(cfg, "803d 0112 2301 0110", "803e 02 0112 2301 0110");	/* no model 0x1001 */
	xfer(cfg, "803d 0212 2301 0200", "803e 02 0212 2301 0200");
	xfer(cfg, "803d 0112 3300 0010", "803e 03 0112 3300 0010");	/* no AppKey 0x033 */
	/* vendor model: Company ID, then the model's ID */
	xfer(cfg, "803d 0112 2301 f105 0100", "803e 00 0112 2301 f1050100");
	assert_true(mp_sim_cfg_bound(cfg, ADDR, &vnd, 0x123));
	xfer(cfg, "803d 0112 2301 f105 0200", "803e 02 0112 2301 f1050200");
	xfer(cfg, "804d 0112 f105 0100", "804e 00 0112 f1050100 2301");
	xfer(cfg, "804d 0112 f205 0100", "804e 02 0112 f2050100");
	xfer(cfg, "804b 0312 0010", "804c 01 0312 0010");
	xfer(cfg, "804b 0112 0110", "804c 02 0112 0110");
	/* Unbind, twice (Success: not bound) */
	xfer(cfg, "803f 0112 2301 0010", "803e 00 0112 2301 0010");
	xfer(cfg, "803f 0112 2301 0010", "803e 00 0112 2301 0010");
	xfer(cfg, "804b 0112 0010", "804c 00 0112 0010 0100");
	xfer(cfg, "803f 0112 2301 0110", "803e 02 0112 2301 0110");
	/* an ElementAddress that is not unicast, an AppKeyIndex over 12 bits */
	refused(cfg, "803d 00c0 2301 0010", -EBADMSG);
	refused(cfg, "803d 0000 2301 0010", -EBADMSG);
	refused(cfg, "803d 0112 23f1 0010", -EBADMSG);
	refused(cfg, "804b 0080 0010", -EBADMSG);
	/* lengths: SIG 6, vendor 8 */
	refused(cfg, "803d 0112 2301 00", -EBADMSG);
	refused(cfg, "803d 0112 2301 001000", -EBADMSG);
	refused(cfg, "804b 0112 f105 0100", -EBADMSG);		/* the SIG Get is 4 */
	refused(cfg, "804d 0112 0010", -EBADMSG);		/* the vendor Get is 6 */
	mp_sim_cfg_free(cfg);
}

/* ---- Publication ---- */

#define NO_PUB "0000 0000 00 00 00"

static void test_publication(void **state)
{
	struct mp_sim_cfg *cfg = node();
	struct mp_sim_pub pub;

	(void)state;
	add_app_123(cfg);
	xfer(cfg, "00 561400" OTHER_KEY, "8003 00 561400");
	xfer(cfg, "8018 0112 0010", "8019 00 0112" NO_PUB "0010");
	/* the key must be bound to the model first */
	xfer(cfg, "03 0112 00c0 2301 07 29 2a 0010", "8019 03 0112" NO_PUB "0010");
	xfer(cfg, "803d 0112 2301 0010", "803e 00 0112 2301 0010");
	xfer(cfg, "803d 0212 2301 0010", "803e 00 0212 2301 0010");
	xfer(cfg, "803d 0112 2301 f105 0100", "803e 00 0112 2301 f1050100");
	/* 0xc000, AppKey 0x123, TTL 7, period 0x29, retransmit 0x2a */
	xfer(cfg, "03 0112 00c0 2301 07 29 2a 0010", "8019 00 0112 00c0 2301 07 29 2a 0010");
	xfer(cfg, "8018 0112 0010", "8019 00 0112 00c0 2301 07 29 2a 0010");
	assert_int_equal(mp_sim_cfg_publication(cfg, ADDR, &onoff, &pub), 0);
	assert_int_equal(pub.addr, 0xc000);
	assert_int_equal(pub.app_idx, 0x123);
	assert_int_equal(pub.ttl, 7);
	/* unicast destination, TTL 0xff (Default TTL), the RFU bits 13-15 of
	 * the AppKeyIndex field not looked at */
	xfer(cfg, "03 0212 0500 23e1 ff 00 00 0010", "8019 00 0212 0500 2301 ff 00 00 0010");
	/* the unassigned address clears the publication */
	xfer(cfg, "03 0112 0000 2301 07 29 2a 0010", "8019 00 0112" NO_PUB "0010");
	xfer(cfg, "8018 0112 0010", "8019 00 0112" NO_PUB "0010");
	/* errors: the publication fields of the Status are zero */
	xfer(cfg, "03 0112 00c0 3300 07 00 00 0010", "8019 03 0112" NO_PUB "0010");
	xfer(cfg, "03 0112 00c0 0100 07 00 00 0010", "8019 03 0112" NO_PUB "0010");	/* not bound */
	xfer(cfg, "03 0112 0000 2311 07 00 00 0010", "8019 0a 0112" NO_PUB "0010");
	xfer(cfg, "03 0112 00c0 2311 07 00 00 0010", "8019 0a 0112" NO_PUB "0010");
	xfer(cfg, "03 0112 00c0 2301 07 00 00 0000", "8019 07 0112" NO_PUB "0000");
	xfer(cfg, "03 0312 00c0 2301 07 00 00 0010", "8019 01 0312" NO_PUB "0010");
	xfer(cfg, "03 0112 00c0 2301 07 00 00 0110", "8019 02 0112" NO_PUB "0110");
	xfer(cfg, "8018 0112 0000", "8019 07 0112" NO_PUB "0000");
	xfer(cfg, "8018 0312 0010", "8019 01 0312" NO_PUB "0010");
	xfer(cfg, "8018 0112 0110", "8019 02 0112" NO_PUB "0110");
	/* prohibited: PublishTTL 0x80..0xfe; a virtual address without its label */
	refused(cfg, "03 0112 00c0 2301 80 00 00 0010", -EBADMSG);
	refused(cfg, "03 0112 00c0 2301 fe 00 00 0010", -EBADMSG);
	refused(cfg, "03 0112 29b5 2301 07 00 00 0010", -EBADMSG);
	xfer(cfg, "8018 0112 0010", "8019 00 0112" NO_PUB "0010");
	/* the Label UUID of 8.3.22: virtual address 0xb529 */
	xfer(cfg, "801a 0112" LABEL1 "2301 07 29 2a 0010", "8019 00 0112 29b5 2301 07 29 2a 0010");
	assert_int_equal(mp_sim_cfg_publication(cfg, ADDR, &onoff, &pub), 0);
	assert_true(pub.virt);
	assert_int_equal(pub.addr, 0xb529);
	{
		uint8_t labels[1][16], want[16];

		assert_int_equal(mp_sim_cfg_labels(cfg, 0xb529, labels, 1), 1);
		tu_unhex_spaced(LABEL1, want, sizeof(want));
		tu_assert_bytes(labels[0], want, 16);
		tu_assert_bytes(pub.label, want, 16);
	}
	refused(cfg, "801a 0112" LABEL1 "2301 80 29 2a 0010", -EBADMSG);
	xfer(cfg, "801a 0312" LABEL1 "2301 07 29 2a 0010", "8019 01 0312" NO_PUB "0010");
	/* vendor model */
	xfer(cfg, "03 0112 01c0 2301 ff 00 00 f105 0100", "8019 00 0112 01c0 2301 ff 00 00 f1050100");
	xfer(cfg, "8018 0112 f105 0100", "8019 00 0112 01c0 2301 ff 00 00 f1050100");
	xfer(cfg, "801a 0112" LABEL2 "2301 03 00 00 f105 0100",
	     "8019 00 0112 3697 2301 03 00 00 f1050100");
	/* lengths: 11/13, 25/27, 4/6 */
	refused(cfg, "03 0112 00c0 2301 07 29 2a 00", -EBADMSG);
	refused(cfg, "03 0112 00c0 2301 07 29 2a 0010 00", -EBADMSG);
	refused(cfg, "801a 0112" LABEL1 "2301 07 29 2a", -EBADMSG);
	refused(cfg, "8018 0112 00", -EBADMSG);
	refused(cfg, "03 00c0 00c0 2301 07 29 2a 0010", -EBADMSG);	/* element not unicast */
	refused(cfg, "8018 0000 0010", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- Subscriptions ---- */

static void test_subscription(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010");
	xfer(cfg, "801b 0112 00c0 0010", "801f 00 0112 00c0 0010");
	xfer(cfg, "801b 0112 00c0 0010", "801f 00 0112 00c0 0010");	/* again */
	xfer(cfg, "801b 0112 01c0 0010", "801f 00 0112 01c0 0010");
	xfer(cfg, "801b 0112 02c0 0010", "801f 05 0112 02c0 0010");	/* room for 2 */
	assert_true(mp_sim_cfg_subscribed(cfg, ADDR, &onoff, 0xc001));
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010 00c0 01c0");
	xfer(cfg, "801c 0112 00c0 0010", "801f 00 0112 00c0 0010");
	xfer(cfg, "801c 0112 00c0 0010", "801f 00 0112 00c0 0010");	/* absent */
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010 01c0");
	xfer(cfg, "801e 0112 05c0 0010", "801f 00 0112 05c0 0010");
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010 05c0");
	/* virtual: the Label UUID in, its address (8.3.22: 0xb529) out */
	xfer(cfg, "8020 0112" LABEL1 "0010", "801f 00 0112 29b5 0010");
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010 05c0 29b5");
	assert_true(mp_sim_cfg_subscribed(cfg, ADDR, &onoff, 0xb529));
	xfer(cfg, "8021 0112" LABEL1 "0010", "801f 00 0112 29b5 0010");
	{
		uint8_t labels[2][16], want[16];

		/* one label behind 0xb529, whether one model or two hold it */
		xfer(cfg, "8020 0212" LABEL1 "0010", "801f 00 0212 29b5 0010");
		assert_int_equal(mp_sim_cfg_labels(cfg, 0xb529, labels, 2), 1);
		tu_unhex_spaced(LABEL1, want, sizeof(want));
		tu_assert_bytes(labels[0], want, 16);
		assert_int_equal(mp_sim_cfg_labels(cfg, 0x9736, labels, 2), 0);
		xfer(cfg, "8021 0212" LABEL1 "0010", "801f 00 0212 29b5 0010");
	}
	xfer(cfg, "8022 0112" LABEL2 "0010", "801f 00 0112 3697 0010");
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010 3697");
	xfer(cfg, "801d 0112 0010", "801f 00 0112 0000 0010");
	xfer(cfg, "8029 0112 0010", "802a 00 0112 0010");
	/* the second element, and a vendor model */
	xfer(cfg, "801b 0212 00c0 0010", "801f 00 0212 00c0 0010");
	xfer(cfg, "8029 0212 0010", "802a 00 0212 0010 00c0");
	xfer(cfg, "801b 0112 00c0 f105 0100", "801f 00 0112 00c0 f1050100");
	xfer(cfg, "8020 0112" LABEL1 "f105 0100", "801f 00 0112 29b5 f1050100");
	xfer(cfg, "802b 0112 f105 0100", "802c 00 0112 f1050100 00c0 29b5");
	xfer(cfg, "801d 0112 f105 0100", "801f 00 0112 0000 f1050100");
	/* errors */
	xfer(cfg, "801b 0112 0100 0010", "801f 01 0112 0100 0010");	/* unicast */
	xfer(cfg, "801b 0112 0000 0010", "801f 01 0112 0000 0010");	/* unassigned */
	xfer(cfg, "801b 0112 ffff 0010", "801f 01 0112 ffff 0010");	/* all-nodes */
	xfer(cfg, "801b 0312 00c0 0010", "801f 01 0312 00c0 0010");	/* no element */
	xfer(cfg, "801b 0112 00c0 0110", "801f 02 0112 00c0 0110");	/* no model */
	xfer(cfg, "801b 0112 00c0 0000", "801f 08 0112 00c0 0000");	/* Config Server */
	xfer(cfg, "8020 0112" LABEL1 "0000", "801f 08 0112 29b5 0000");
	xfer(cfg, "801d 0112 0000", "801f 08 0112 0000 0000");
	xfer(cfg, "8029 0112 0000", "802a 08 0112 0000");
	xfer(cfg, "8029 0312 0010", "802a 01 0312 0010");
	xfer(cfg, "802b 0112 f105 0200", "802c 02 0112 f1050200");
	/* a virtual address in the 16-bit field is prohibited */
	refused(cfg, "801b 0112 29b5 0010", -EBADMSG);
	refused(cfg, "801e 0112 0080 0010", -EBADMSG);
	refused(cfg, "801b 0080 00c0 0010", -EBADMSG);			/* element not unicast */
	refused(cfg, "8020 ffff" LABEL1 "0010", -EBADMSG);
	refused(cfg, "8029 0000 0010", -EBADMSG);
	/* lengths */
	refused(cfg, "801b 0112 00c0 00", -EBADMSG);
	refused(cfg, "8020 0112" LABEL1 "00", -EBADMSG);
	refused(cfg, "801d 0112 00", -EBADMSG);
	refused(cfg, "8029 0112 f105 0100", -EBADMSG);
	refused(cfg, "802b 0112 0010", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- Beacon, Default TTL, GATT Proxy, Friend, Relay, Network Transmit ---- */

static void test_node_states(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8009", "800b 01");
	xfer(cfg, "800a 00", "800b 00");
	refused(cfg, "800a 02", -EBADMSG);
	xfer(cfg, "8009", "800b 00");
	xfer(cfg, "800c", "800e 05");
	xfer(cfg, "800d 00", "800e 00");
	xfer(cfg, "800d 02", "800e 02");
	xfer(cfg, "800d 7f", "800e 7f");
	refused(cfg, "800d 01", -EBADMSG);
	refused(cfg, "800d 80", -EBADMSG);
	refused(cfg, "800d ff", -EBADMSG);
	assert_int_equal(mp_sim_cfg_default_ttl(cfg), 0x7f);
	xfer(cfg, "8012", "8014 00");
	xfer(cfg, "8013 01", "8014 01");
	refused(cfg, "8013 02", -EBADMSG);
	/* Friend is not supported: a Set changes nothing */
	xfer(cfg, "800f", "8011 02");
	xfer(cfg, "8010 01", "8011 02");
	refused(cfg, "8010 02", -EBADMSG);
	xfer(cfg, "8026", "8028 01 0a");
	xfer(cfg, "8027 00 3b", "8028 00 3b");
	refused(cfg, "8027 02 00", -EBADMSG);
	xfer(cfg, "8023", "8025 21");
	xfer(cfg, "8024 4a", "8025 4a");
	xfer(cfg, "8023", "8025 4a");
	refused(cfg, "8009 00", -EBADMSG);
	refused(cfg, "800a", -EBADMSG);
	refused(cfg, "8027 01", -EBADMSG);
	refused(cfg, "8024 4a 00", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

static void test_unsupported_features(void **state)
{
	struct mp_sim_comp comp = test_comp;
	struct mp_sim_cfg *cfg;

	(void)state;
	comp.features = 0;
	cfg = node_with(&comp);
	xfer(cfg, "8008 00", "02 00 f105 0100 0200 0800 0000"
	     "0001 03 01 0000 0200 0010 f1050100 0101 01 00 0010");
	xfer(cfg, "8026", "8028 02 00");
	xfer(cfg, "8027 01 3b", "8028 02 00");
	xfer(cfg, "8013 01", "8014 02");
	xfer(cfg, "8046 5604", "8048 00 5604 02");
	xfer(cfg, "8047 5604 01", "8048 00 5604 02");
	mp_sim_cfg_free(cfg);
}

/* ---- Node Identity ---- */

static void test_node_identity(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8046 5604", "8048 00 5604 00");
	xfer(cfg, "8047 5604 01", "8048 00 5604 01");
	xfer(cfg, "8046 5604", "8048 00 5604 01");
	xfer(cfg, "8046 0100", "8048 04 0100 00");
	xfer(cfg, "8047 0100 01", "8048 04 0100 00");
	refused(cfg, "8047 5604 02", -EBADMSG);
	refused(cfg, "8046 5614", -EBADMSG);
	refused(cfg, "8046 56", -EBADMSG);
	refused(cfg, "8047 5604", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- Heartbeat ---- */

static void test_heartbeat(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "8038", "06 00 0000 00 00 00 0000 0000");
	/* to 0xc000, CountLog 2, PeriodLog 3, TTL 5, Relay and Proxy, NetKey 0x456 */
	xfer(cfg, "8039 00c0 02 03 05 0300 5604", "06 00 00c0 02 03 05 0300 5604");
	xfer(cfg, "8038", "06 00 00c0 02 03 05 0300 5604");
	xfer(cfg, "8039 0500 ff 11 7f 0f00 5604", "06 00 0500 ff 11 7f 0f00 5604");
	/* unknown NetKey: the request's fields back, nothing changes */
	xfer(cfg, "8039 00c0 02 03 05 0300 0100", "06 04 00c0 02 03 05 0300 0100");
	xfer(cfg, "8038", "06 00 0500 ff 11 7f 0f00 5604");
	/* the RFU Features bits are not kept */
	xfer(cfg, "8039 00c0 02 03 05 f3ff 5604", "06 00 00c0 02 03 05 0300 5604");
	/* the unassigned Destination: no heartbeats, nothing to count */
	xfer(cfg, "8039 0000 02 03 05 0f00 5604", "06 00 0000 00 00 00 0f00 5604");
	refused(cfg, "8039 00c0 12 03 05 0300 5604", -EBADMSG);
	refused(cfg, "8039 00c0 fe 03 05 0300 5604", -EBADMSG);
	refused(cfg, "8039 00c0 02 12 05 0300 5604", -EBADMSG);
	refused(cfg, "8039 00c0 02 03 80 0300 5604", -EBADMSG);
	refused(cfg, "8039 29b5 02 03 05 0300 5604", -EBADMSG);
	refused(cfg, "8039 00c0 02 03 05 0300", -EBADMSG);
	refused(cfg, "8039 00c0 02 03 05 0300 56f4", -EBADMSG);
	refused(cfg, "8038 00", -EBADMSG);

	xfer(cfg, "803a", "803c 00 0000 0000 00 00 00 00");
	/* from 0x0005 to the primary element, PeriodLog 4: count 0, hops 0x7f/0 */
	xfer(cfg, "803b 0500 0112 04", "803c 00 0500 0112 04 00 7f 00");
	xfer(cfg, "803a", "803c 00 0500 0112 04 00 7f 00");
	/* PeriodLog 0 with the same addresses stops, what was gathered stays */
	xfer(cfg, "803b 0500 0112 00", "803c 00 0500 0112 00 00 7f 00");
	xfer(cfg, "803b 0500 00c0 03", "803c 00 0500 00c0 03 00 7f 00");
	/* an unassigned address disables it all */
	xfer(cfg, "803b 0000 00c0 03", "803c 00 0000 0000 00 00 00 00");
	refused(cfg, "803b 0500 0212 03", -EBADMSG);	/* unicast, not the primary */
	refused(cfg, "803b 00c0 0112 03", -EBADMSG);	/* source a group */
	refused(cfg, "803b 0500 29b5 03", -EBADMSG);	/* virtual destination */
	refused(cfg, "803b 0500 0112 12", -EBADMSG);
	refused(cfg, "803b 0500 0112", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

/* ---- LPN PollTimeout, Node Reset ---- */

static void test_lpn_poll_timeout(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	xfer(cfg, "802d 0500", "802e 0500 000000");
	refused(cfg, "802d 00c0", -EBADMSG);
	refused(cfg, "802d 0000", -EBADMSG);
	refused(cfg, "802d 05", -EBADMSG);
	mp_sim_cfg_free(cfg);
}

static void test_node_reset(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	refused(cfg, "8049 00", -EBADMSG);
	assert_false(mp_sim_cfg_is_reset(cfg));
	xfer(cfg, "8049", "804a");
	assert_true(mp_sim_cfg_is_reset(cfg));
	refused(cfg, "8008 00", -ESHUTDOWN);
	refused(cfg, "8049", -ESHUTDOWN);
	mp_sim_cfg_free(cfg);
}

/* ---- what a Configuration Server does not take ---- */

/* Every request with its parameter length(s) (4.3.2): one octet more and
 * one less are both ignored. */
static const struct {
	const char *op;
	size_t len, vlen;
} lengths[] = {
	{ "00", 19, 0 }, { "01", 19, 0 }, { "03", 11, 13 }, { "8000", 3, 0 }, { "8001", 2, 0 },
	{ "8008", 1, 0 }, { "8009", 0, 0 }, { "800a", 1, 0 }, { "800c", 0, 0 }, { "800d", 1, 0 },
	{ "800f", 0, 0 }, { "8010", 1, 0 }, { "8012", 0, 0 }, { "8013", 1, 0 }, { "8015", 2, 0 },
	{ "8016", 3, 0 }, { "8018", 4, 6 }, { "801a", 25, 27 }, { "801b", 6, 8 }, { "801c", 6, 8 },
	{ "801d", 4, 6 }, { "801e", 6, 8 }, { "8020", 20, 22 }, { "8021", 20, 22 },
	{ "8022", 20, 22 }, { "8023", 0, 0 }, { "8024", 1, 0 }, { "8026", 0, 0 }, { "8027", 2, 0 },
	{ "8029", 4, 0 }, { "802b", 6, 0 }, { "802d", 2, 0 }, { "8038", 0, 0 }, { "8039", 9, 0 },
	{ "803a", 0, 0 }, { "803b", 5, 0 }, { "803d", 6, 8 }, { "803f", 6, 8 }, { "8040", 18, 0 },
	{ "8041", 2, 0 }, { "8042", 0, 0 }, { "8045", 18, 0 }, { "8046", 2, 0 }, { "8047", 3, 0 },
	{ "8049", 0, 0 }, { "804b", 4, 0 }, { "804d", 6, 0 },
};

static void try_len(struct mp_sim_cfg *cfg, const char *op, size_t n, size_t ok1, size_t ok2)
{
	uint8_t in[64], out[400];
	size_t olen = 9, oplen = tu_unhex_spaced(op, in, sizeof(in));

	if (n == ok1 || (ok2 && n == ok2))
		return;
	memset(in + oplen, 0, n);
	assert_int_equal(mp_sim_cfg_rx(cfg, 1, NET_IDX, in, oplen + n, out, sizeof(out), &olen), -EBADMSG);
	assert_int_equal(olen, 0);
}

static void test_malformed(void **state)
{
	struct mp_sim_cfg *cfg = node();
	uint8_t in[4] = { 0x80, 0x08, 0x00 }, out[8];
	size_t olen;

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t l = lengths[i].len, v = lengths[i].vlen;

		try_len(cfg, lengths[i].op, l + 1, l, v);
		if (l)
			try_len(cfg, lengths[i].op, l - 1, l, v);
		if (v) {
			try_len(cfg, lengths[i].op, v + 1, l, v);
			try_len(cfg, lengths[i].op, v - 1, l, v);
		}
	}
	/* nothing of that changed the node */
	xfer(cfg, "8042", "8043 5604");
	xfer(cfg, "8009", "800b 01");
	assert_false(mp_sim_cfg_is_reset(cfg));

	refused(cfg, "", -EBADMSG);
	refused(cfg, "7f", -EBADMSG);		/* RFU opcode */
	refused(cfg, "80", -EBADMSG);		/* half a 2-octet opcode */
	refused(cfg, "8003 00 563412", -ENOENT);	/* a Status: a client's message */
	refused(cfg, "02 00", -ENOENT);
	refused(cfg, "06 00 0000 00 00 00 0000 0000", -ENOENT);
	refused(cfg, "8004", -ENOENT);		/* Health Attention Get: not this model's */
	refused(cfg, "c0 f105 00", -ENOENT);	/* vendor opcode */
	/* a Status that does not fit the caller's buffer */
	assert_int_equal(mp_sim_cfg_rx(cfg, 1, NET_IDX, in, 3, out, sizeof(out), &olen), -EMSGSIZE);
	assert_int_equal(olen, 0);
	assert_int_equal(mp_sim_cfg_rx(NULL, 1, NET_IDX, in, 3, out, sizeof(out), &olen), -EINVAL);
	mp_sim_cfg_free(cfg);
}

/* ---- misbehaviour for the client's tests ---- */

static void test_misbehave(void **state)
{
	struct mp_sim_cfg *cfg = node();

	(void)state;
	mp_sim_cfg_fail_keys_after(cfg, 1);
	add_app_123(cfg);
	xfer(cfg, "00 561400" OTHER_KEY, "8003 05 561400");
	add_app_123(cfg);					/* the same key: still Success */
	xfer(cfg, "8040 0100" OTHER_KEY, "8044 05 0100");
	mp_sim_cfg_fail_keys_after(cfg, SIZE_MAX);
	xfer(cfg, "00 561400" OTHER_KEY, "8003 00 561400");

	/* a muted opcode is dropped: no answer, no change */
	assert_int_equal(mp_sim_cfg_mute(cfg, 0x800d), 0);
	xfer(cfg, "800d 09", "");
	xfer(cfg, "800c", "800e 05");
	assert_int_equal(mp_sim_cfg_mute(cfg, 0x00), 0);
	xfer(cfg, "00 562400" OTHER_KEY, "");
	assert_int_equal(mp_sim_cfg_app_key(cfg, 0x002, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(mp_sim_cfg_mute(cfg, 0xffffffff), 0);
	xfer(cfg, "800c", "");
	mp_sim_cfg_unmute_all(cfg);
	xfer(cfg, "800d 09", "800e 09");
	for (int i = 0; i < MP_SIM_CFG_MAX_MUTED; i++)
		assert_int_equal(mp_sim_cfg_mute(cfg, 0x8000 + (uint32_t)i), 0);
	assert_int_equal(mp_sim_cfg_mute(cfg, 0x8042), -ENOSPC);
	mp_sim_cfg_free(cfg);
}

/* ---- creation, virtual addresses ---- */

static void test_virtual_addr(void **state)
{
	uint8_t label[16];
	uint16_t addr = 0;

	(void)state;
	/* MshPRT v1.1 8.3.22 and 8.3.23 */
	tu_unhex_spaced(LABEL1, label, sizeof(label));
	assert_int_equal(mp_sim_virtual_addr(label, &addr), 0);
	assert_int_equal(addr, 0xb529);
	tu_unhex_spaced(LABEL2, label, sizeof(label));
	assert_int_equal(mp_sim_virtual_addr(label, &addr), 0);
	assert_int_equal(addr, 0x9736);
}

static void test_new_invalid(void **state)
{
	struct mp_sim_cfg_params p = { .comp = &test_comp, .unicast = ADDR };
	struct mp_sim_comp comp = test_comp;
	struct mp_sim_cfg *cfg = (struct mp_sim_cfg *)&p;

	(void)state;
	assert_int_equal(mp_sim_cfg_new(NULL, &cfg), -EINVAL);
	assert_null(cfg);
	comp.elements[0].models[0].id = 0x0003;		/* no Configuration Server */
	p.comp = &comp;
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), -EINVAL);
	comp = test_comp;
	p.unicast = 0x7fff;				/* the second element past unicast */
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), -EINVAL);
	p.unicast = ADDR;
	p.limits.app_keys = MP_SIM_CFG_MAX_APP_KEYS + 1;
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), -EINVAL);
	p.limits.app_keys = 0;
	p.default_ttl = 1;
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), -EINVAL);
	p.default_ttl = 0;
	/* 8 elements of 16 vendor models: page 0 over an access message */
	comp.n_elements = MP_SIM_CFG_MAX_ELEMENTS;
	for (size_t e = 0; e < comp.n_elements; e++) {
		comp.elements[e].n_models = MP_SIM_CFG_MAX_MODELS;
		for (size_t k = 0; k < MP_SIM_CFG_MAX_MODELS; k++)
			comp.elements[e].models[k] = (struct mp_sim_model){ true, 0x05f1, (uint16_t)k };
	}
	comp.elements[0].models[0] = (struct mp_sim_model){ .id = 0x0000 };
	assert_int_equal(mp_sim_cfg_new(&p, &cfg), -EMSGSIZE);
	assert_int_equal(mp_sim_cfg_new(&p, NULL), -EINVAL);
	mp_sim_cfg_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_composition),
		cmocka_unit_test(test_sample_8_3_6_appkey_add),
		cmocka_unit_test(test_appkey_add_errors),
		cmocka_unit_test(test_appkey_list_delete),
		cmocka_unit_test(test_appkey_delete_unbinds),
		cmocka_unit_test(test_netkey),
		cmocka_unit_test(test_key_refresh),
		cmocka_unit_test(test_bindings),
		cmocka_unit_test(test_publication),
		cmocka_unit_test(test_subscription),
		cmocka_unit_test(test_node_states),
		cmocka_unit_test(test_unsupported_features),
		cmocka_unit_test(test_node_identity),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_lpn_poll_timeout),
		cmocka_unit_test(test_node_reset),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_misbehave),
		cmocka_unit_test(test_virtual_addr),
		cmocka_unit_test(test_new_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
