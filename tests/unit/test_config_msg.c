/* Configuration messages: each message's octets against the spec's layout
 * (MshPRT v1.1 4.3.2), both ways; the 8.3 samples that carry one (8.3.6
 * Config AppKey Add, 8.3.16 Config AppKey Status); every decoder refusing a
 * truncated, oversized, Prohibited or RFU-valued message with its own
 * error; status codes named; Composition Data page 0; and each request's
 * answer told from another's. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "access/match.h"
#include "access/msg.h"
#include "config/comp.h"
#include "config/msg.h"

#define SKIP 1	/* this neighbour length is not checked (it is another valid message) */

#define KEY_8_3 { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18, \
		  0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 }
#define KEY_8_3_HEX "7dd7364cd842ad18c17c2b820c84c3d6"
#define LABEL { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, \
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }
#define LABEL_HEX "00112233445566778899aabbccddeeff"
#define SIG_1000 { .id = 0x1000 }
#define VND_59_1 { .vendor = true, .cid = 0x0059, .id = 0x0001 }

/* Composition Data page 0: CID 0059, PID 0001, VID 0002, CRPL 0028,
 * Relay+Proxy+Friend; element 0 at Loc 0100 with the Configuration
 * Server, Health Server, Generic OnOff Server and a vendor model; element 1
 * with a Generic OnOff Server. MshPRT v1.1 4.2, Composition Data Page 0 */
static const uint8_t comp0[] = {
	0x59, 0x00, 0x01, 0x00, 0x02, 0x00, 0x28, 0x00, 0x07, 0x00,
	0x00, 0x01, 0x03, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x10, 0x59, 0x00, 0x01, 0x00,
	0x01, 0x01, 0x01, 0x00, 0x00, 0x10,
};
#define COMP0_HEX "590001000200280007000001030100000200001059000100010101000010"
static const uint8_t page2[] = { 0x01, 0x02, 0x03 };

struct tcase {
	const char *what;
	struct mp_cfg_msg m;
	const char *hex;
	int cut;	/* decoding one octet less */
	int add;	/* decoding one octet more (a zero) */
};

#define OP(x) .opcode = MP_CFG_OP_##x
#define FIXED -EBADMSG, -EMSGSIZE

static const struct tcase cases[] = {
	/* AppKeys */
	{ "AppKey Update", { OP(APPKEY_UPDATE), .net_idx = 0x456, .app_idx = 0x123, .key = KEY_8_3 },
	  "01563412" KEY_8_3_HEX, FIXED },
	{ "AppKey Delete", { OP(APPKEY_DELETE), .net_idx = 0x456, .app_idx = 0x123 }, "8000563412",
	  FIXED },
	{ "AppKey Status Invalid AppKey Index", { OP(APPKEY_STATUS), .status = 0x03,
	  .net_idx = 0xfff, .app_idx = 0x001 }, "800303ff1f00", FIXED },
	{ "AppKey Get", { OP(APPKEY_GET), .net_idx = 0x456 }, "80015604", FIXED },
	{ "AppKey List", { OP(APPKEY_LIST), .net_idx = 0x001, .n_list = 3, .list = { 1, 2, 3 } },
	  "80020001000120000300", -EBADMSG, SKIP },
	{ "AppKey List empty", { OP(APPKEY_LIST), .status = 0x04, .net_idx = 0x002 }, "8002040200",
	  -EBADMSG, -EBADMSG },
	/* NetKeys */
	{ "NetKey Add", { OP(NETKEY_ADD), .net_idx = 0x001, .key = KEY_8_3 }, "80400100" KEY_8_3_HEX,
	  FIXED },
	{ "NetKey Update", { OP(NETKEY_UPDATE), .net_idx = 0x7ff, .key = KEY_8_3 },
	  "8045ff07" KEY_8_3_HEX, FIXED },
	{ "NetKey Delete", { OP(NETKEY_DELETE), .net_idx = 0x001 }, "80410100", FIXED },
	{ "NetKey Status", { OP(NETKEY_STATUS), .status = 0x06, .net_idx = 0x001 }, "8044060100",
	  FIXED },
	{ "NetKey Get", { OP(NETKEY_GET) }, "8042", FIXED },
	/* two packed, then one short of a pair: 0010 has RFU bits set */
	{ "NetKey List", { OP(NETKEY_LIST), .n_list = 2, .list = { 0, 1 } }, "8043001000", -ERANGE,
	  -EBADMSG },
	{ "NetKey List one", { OP(NETKEY_LIST), .n_list = 1, .list = { 0xabc } }, "8043bc0a",
	  -EBADMSG, SKIP },
	/* Composition Data */
	{ "Composition Data Get", { OP(COMPOSITION_DATA_GET), .page = 0xff }, "8008ff", FIXED },
	{ "Composition Data Status page 0", { OP(COMPOSITION_DATA_STATUS), .page = 0,
	  .data = comp0, .data_len = sizeof(comp0) }, "0200" COMP0_HEX, -EBADMSG, -EBADMSG },
	{ "Composition Data Status page 2", { OP(COMPOSITION_DATA_STATUS), .page = 2,
	  .data = page2, .data_len = sizeof(page2) }, "0202010203", SKIP, SKIP },
	/* one-octet states */
	{ "Beacon Get", { OP(BEACON_GET) }, "8009", FIXED },
	{ "Beacon Set", { OP(BEACON_SET), .state = 1 }, "800a01", FIXED },
	{ "Beacon Status", { OP(BEACON_STATUS), .state = 0 }, "800b00", FIXED },
	{ "Default TTL Get", { OP(DEFAULT_TTL_GET) }, "800c", FIXED },
	{ "Default TTL Set", { OP(DEFAULT_TTL_SET), .state = 0x07 }, "800d07", FIXED },
	{ "Default TTL Status", { OP(DEFAULT_TTL_STATUS), .state = 0x7f }, "800e7f", FIXED },
	{ "GATT Proxy Get", { OP(GATT_PROXY_GET) }, "8012", FIXED },
	{ "GATT Proxy Set", { OP(GATT_PROXY_SET), .state = 0 }, "801300", FIXED },
	{ "GATT Proxy Status", { OP(GATT_PROXY_STATUS), .state = MP_CFG_NOT_SUPPORTED }, "801402",
	  FIXED },
	{ "Friend Get", { OP(FRIEND_GET) }, "800f", FIXED },
	{ "Friend Set", { OP(FRIEND_SET), .state = 1 }, "801001", FIXED },
	{ "Friend Status", { OP(FRIEND_STATUS), .state = 2 }, "801102", FIXED },
	{ "Relay Get", { OP(RELAY_GET) }, "8026", FIXED },
	{ "Relay Set", { OP(RELAY_SET), .state = 1, .retransmit = MP_CFG_XMIT(3, 2) }, "80270113",
	  FIXED },
	{ "Relay Status", { OP(RELAY_STATUS), .state = 2 }, "80280200", FIXED },
	{ "Network Transmit Get", { OP(NETWORK_TRANSMIT_GET) }, "8023", FIXED },
	{ "Network Transmit Set", { OP(NETWORK_TRANSMIT_SET), .state = MP_CFG_XMIT(2, 1) },
	  "80240a", FIXED },
	{ "Network Transmit Status", { OP(NETWORK_TRANSMIT_STATUS), .state = 0xff }, "8025ff",
	  FIXED },
	/* NetKey-indexed states */
	{ "Node Identity Get", { OP(NODE_IDENTITY_GET), .net_idx = 1 }, "80460100", FIXED },
	{ "Node Identity Set", { OP(NODE_IDENTITY_SET), .net_idx = 1, .state = 1 }, "8047010001",
	  FIXED },
	{ "Node Identity Status", { OP(NODE_IDENTITY_STATUS), .net_idx = 1, .state = 2 },
	  "804800010002", FIXED },
	{ "Key Refresh Phase Get", { OP(KEY_REFRESH_PHASE_GET), .net_idx = 1 }, "80150100",
	  FIXED },
	{ "Key Refresh Phase Set", { OP(KEY_REFRESH_PHASE_SET), .net_idx = 1, .state = 3 },
	  "8016010003", FIXED },
	{ "Key Refresh Phase Status", { OP(KEY_REFRESH_PHASE_STATUS), .status = 4, .net_idx = 1,
	  .state = 2 }, "801704010002", FIXED },
	/* publication */
	{ "Model Publication Get SIG", { OP(MODEL_PUBLICATION_GET), .elem_addr = 0x0102,
	  .model = SIG_1000 }, "801802010010", -EBADMSG, -EBADMSG },
	{ "Model Publication Get vendor", { OP(MODEL_PUBLICATION_GET), .elem_addr = 0x0102,
	  .model = VND_59_1 }, "8018020159000100", -EBADMSG, -EMSGSIZE },
	{ "Model Publication Set", { OP(MODEL_PUBLICATION_SET), .elem_addr = 0x0102,
	  .pub = { .addr = 0xc001, .app_idx = 0x123, .cred = true, .ttl = 5,
		   .period = MP_CFG_PERIOD(10, 1), .retransmit = MP_CFG_XMIT(2, 4) },
	  .model = SIG_1000 }, "03020101c0231105" "4a" "22" "0010", -EBADMSG, -EBADMSG },
	{ "Model Publication Virtual Address Set", { OP(MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET),
	  .elem_addr = 0x0102, .pub = { .label = LABEL, .app_idx = 0x123, .cred = true, .ttl = 5,
	  .period = 0x4a, .retransmit = 0x22 }, .model = VND_59_1 },
	  "801a0201" LABEL_HEX "231105" "4a" "22" "59000100", -EBADMSG, -EMSGSIZE },
	{ "Model Publication Status", { OP(MODEL_PUBLICATION_STATUS), .elem_addr = 0x0102,
	  .pub = { .addr = 0xc001, .app_idx = 0x123, .ttl = MP_CFG_TTL_DEFAULT },
	  .model = SIG_1000 }, "80190002" "0101c0" "2301" "ff0000" "0010", -EBADMSG, -EBADMSG },
	/* subscriptions */
	{ "Model Subscription Add", { OP(MODEL_SUBSCRIPTION_ADD), .elem_addr = 0x0102,
	  .addr = 0xc001, .model = SIG_1000 }, "801b020101c00010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Delete", { OP(MODEL_SUBSCRIPTION_DELETE), .elem_addr = 0x0102,
	  .addr = 0xffff, .model = VND_59_1 }, "801c0201ffff59000100", -EBADMSG, -EMSGSIZE },
	{ "Model Subscription Overwrite", { OP(MODEL_SUBSCRIPTION_OVERWRITE), .elem_addr = 0x0102,
	  .addr = 0xc001, .model = SIG_1000 }, "801e020101c00010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Delete All", { OP(MODEL_SUBSCRIPTION_DELETE_ALL),
	  .elem_addr = 0x0102, .model = SIG_1000 }, "801d02010010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Virtual Address Add",
	  { OP(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD), .elem_addr = 0x0102, .label = LABEL,
	    .model = SIG_1000 }, "80200201" LABEL_HEX "0010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Virtual Address Delete",
	  { OP(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE), .elem_addr = 0x0102, .label = LABEL,
	    .model = SIG_1000 }, "80210201" LABEL_HEX "0010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Virtual Address Overwrite",
	  { OP(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE), .elem_addr = 0x0102,
	    .label = LABEL, .model = VND_59_1 }, "80220201" LABEL_HEX "59000100", -EBADMSG,
	  -EMSGSIZE },
	{ "Model Subscription Status", { OP(MODEL_SUBSCRIPTION_STATUS), .elem_addr = 0x0102,
	  .addr = 0xc001, .model = SIG_1000 }, "801f00020101c00010", -EBADMSG, -EBADMSG },
	{ "Model Subscription Status Not a Subscribe Model", { OP(MODEL_SUBSCRIPTION_STATUS),
	  .status = 0x08, .elem_addr = 0x0102, .model = VND_59_1 }, "801f080201000059000100",
	  -EBADMSG, -EMSGSIZE },
	{ "SIG Model Subscription Get", { OP(SIG_MODEL_SUBSCRIPTION_GET), .elem_addr = 0x0102,
	  .model = SIG_1000 }, "802902010010", FIXED },
	{ "SIG Model Subscription List", { OP(SIG_MODEL_SUBSCRIPTION_LIST), .elem_addr = 0x0102,
	  .model = SIG_1000, .n_list = 2, .list = { 0xc001, 0xc002 } },
	  "802a00020100" "1001c002c0", -EBADMSG, -EBADMSG },
	{ "Vendor Model Subscription Get", { OP(VENDOR_MODEL_SUBSCRIPTION_GET),
	  .elem_addr = 0x0102, .model = VND_59_1 }, "802b020159000100", FIXED },
	{ "Vendor Model Subscription List", { OP(VENDOR_MODEL_SUBSCRIPTION_LIST),
	  .elem_addr = 0x0102, .model = VND_59_1, .n_list = 1, .list = { 0xc001 } },
	  "802c00020159000100" "01c0", -EBADMSG, -EBADMSG },
	/* bindings */
	{ "Model App Bind", { OP(MODEL_APP_BIND), .elem_addr = 0x0102, .app_idx = 0x123,
	  .model = SIG_1000 }, "803d020123010010", -EBADMSG, -EBADMSG },
	{ "Model App Unbind", { OP(MODEL_APP_UNBIND), .elem_addr = 0x0102, .app_idx = 0x123,
	  .model = VND_59_1 }, "803f02012301" "59000100", -EBADMSG, -EMSGSIZE },
	{ "Model App Status", { OP(MODEL_APP_STATUS), .status = 0x02, .elem_addr = 0x0102,
	  .app_idx = 0x123, .model = SIG_1000 }, "803e02020123010010", -EBADMSG, -EBADMSG },
	{ "SIG Model App Get", { OP(SIG_MODEL_APP_GET), .elem_addr = 0x0102, .model = SIG_1000 },
	  "804b02010010", FIXED },
	{ "SIG Model App List", { OP(SIG_MODEL_APP_LIST), .elem_addr = 0x0102, .model = SIG_1000,
	  .n_list = 3, .list = { 1, 2, 3 } }, "804c0002010010" "012000" "0300", -EBADMSG, SKIP },
	{ "Vendor Model App Get", { OP(VENDOR_MODEL_APP_GET), .elem_addr = 0x0102,
	  .model = VND_59_1 }, "804d020159000100", FIXED },
	{ "Vendor Model App List", { OP(VENDOR_MODEL_APP_LIST), .elem_addr = 0x0102,
	  .model = VND_59_1 }, "804e00020159000100", -EBADMSG, -EBADMSG },
	/* heartbeat */
	{ "Heartbeat Publication Get", { OP(HEARTBEAT_PUBLICATION_GET) }, "8038", FIXED },
	{ "Heartbeat Publication Set", { OP(HEARTBEAT_PUBLICATION_SET), .hb_pub = { .dst = 0xc001,
	  .count_log = 5, .period_log = 3, .ttl = 7, .features = 3, .net_idx = 1 } },
	  "803901c0050307" "0300" "0100", FIXED },
	{ "Heartbeat Publication Status", { OP(HEARTBEAT_PUBLICATION_STATUS),
	  .hb_pub = { .dst = 0x0005, .count_log = 0xff, .period_log = 0x11, .ttl = 0x7f,
		      .features = 0xf, .net_idx = 0xfff } }, "06000500ff117f0f00ff0f", FIXED },
	{ "Heartbeat Subscription Get", { OP(HEARTBEAT_SUBSCRIPTION_GET) }, "803a", FIXED },
	{ "Heartbeat Subscription Set", { OP(HEARTBEAT_SUBSCRIPTION_SET), .hb_sub = { .src = 5,
	  .dst = 1, .period_log = 0x11 } }, "803b0500010011", FIXED },
	{ "Heartbeat Subscription Status", { OP(HEARTBEAT_SUBSCRIPTION_STATUS), .hb_sub = {
	  .src = 5, .dst = 0xc001, .period_log = 0x10, .count_log = 0xff, .min_hops = 1,
	  .max_hops = 3 } }, "803c00050001c010ff0103", FIXED },
	/* Low Power Node PollTimeout, Node Reset */
	{ "Low Power Node PollTimeout Get", { OP(LOW_POWER_NODE_POLLTIMEOUT_GET), .addr = 5 },
	  "802d0500", FIXED },
	{ "Low Power Node PollTimeout Status", { OP(LOW_POWER_NODE_POLLTIMEOUT_STATUS),
	  .addr = 5, .poll_timeout = 0x34bbff }, "802e0500ffbb34", FIXED },
	{ "Node Reset", { OP(NODE_RESET) }, "8049", FIXED },
	{ "Node Reset Status", { OP(NODE_RESET_STATUS) }, "804a", FIXED },
};

static void assert_msg_equal(const struct mp_cfg_msg *a, const struct mp_cfg_msg *b)
{
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->retransmit, b->retransmit);
	assert_int_equal(a->page, b->page);
	assert_int_equal(a->net_idx, b->net_idx);
	assert_int_equal(a->app_idx, b->app_idx);
	assert_memory_equal(a->key, b->key, 16);
	assert_int_equal(a->elem_addr, b->elem_addr);
	assert_int_equal(a->addr, b->addr);
	assert_memory_equal(a->label, b->label, 16);
	assert_int_equal(a->model.vendor, b->model.vendor);
	assert_int_equal(a->model.cid, b->model.cid);
	assert_int_equal(a->model.id, b->model.id);
	assert_int_equal(a->pub.addr, b->pub.addr);
	assert_memory_equal(a->pub.label, b->pub.label, 16);
	assert_int_equal(a->pub.app_idx, b->pub.app_idx);
	assert_int_equal(a->pub.cred, b->pub.cred);
	assert_int_equal(a->pub.ttl, b->pub.ttl);
	assert_int_equal(a->pub.period, b->pub.period);
	assert_int_equal(a->pub.retransmit, b->pub.retransmit);
	assert_int_equal(a->hb_pub.dst, b->hb_pub.dst);
	assert_int_equal(a->hb_pub.count_log, b->hb_pub.count_log);
	assert_int_equal(a->hb_pub.period_log, b->hb_pub.period_log);
	assert_int_equal(a->hb_pub.ttl, b->hb_pub.ttl);
	assert_int_equal(a->hb_pub.features, b->hb_pub.features);
	assert_int_equal(a->hb_pub.net_idx, b->hb_pub.net_idx);
	assert_int_equal(a->hb_sub.src, b->hb_sub.src);
	assert_int_equal(a->hb_sub.dst, b->hb_sub.dst);
	assert_int_equal(a->hb_sub.period_log, b->hb_sub.period_log);
	assert_int_equal(a->hb_sub.count_log, b->hb_sub.count_log);
	assert_int_equal(a->hb_sub.min_hops, b->hb_sub.min_hops);
	assert_int_equal(a->hb_sub.max_hops, b->hb_sub.max_hops);
	assert_int_equal(a->poll_timeout, b->poll_timeout);
	assert_int_equal(a->n_list, b->n_list);
	assert_memory_equal(a->list, b->list, sizeof(a->list[0]) * a->n_list);
	assert_int_equal(a->data_len, b->data_len);
	if (a->data_len)
		assert_memory_equal(a->data, b->data, a->data_len);
}

static struct json_object *sample(const char *section)
{
	struct json_object *o = NULL;

	/* the section numbers have dots: no dotted path reaches them */
	if (!json_object_object_get_ex(tu_get(tu_vectors(), "messages"), section, &o))
		fail_msg("no sample %s", section);
	return o;
}

static uint16_t hex16(struct json_object *o, const char *path)
{
	return (uint16_t)strtoul(tu_str(o, path), NULL, 16);
}

/* 8.3.6: Config AppKey Add of AppKey 0x123 on NetKey 0x456, from the
 * sample's own fields to its access message and back. */
static void test_8_3_6_appkey_add(void **state)
{
	struct json_object *s = sample("8.3.6");
	static struct mp_cfg_msg m, d;
	uint8_t want[64], out[64];
	size_t n = tu_hex(s, "access.access_message", want, sizeof(want));

	(void)state;
	m.opcode = (uint32_t)strtoul(tu_str(s, "access.opcode"), NULL, 16);
	assert_int_equal(m.opcode, MP_CFG_OP_APPKEY_ADD);
	m.net_idx = hex16(s, "access.net_key_index");
	m.app_idx = hex16(s, "access.app_key_index");
	tu_hex(s, "access.app_key", m.key, sizeof(m.key));
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), (int)n);
	tu_assert_bytes(out, want, n);
	assert_int_equal(mp_cfg_decode(want, n, &d), 0);
	assert_msg_equal(&d, &m);
	assert_int_equal(d.net_idx, 0x456);
	assert_int_equal(d.app_idx, 0x123);
	assert_false(mp_cfg_is_status(d.opcode));
	assert_string_equal(mp_cfg_op_name(d.opcode), "Config AppKey Add");
	/* truncated by one octet of the key, or one octet too long */
	assert_int_equal(mp_cfg_decode(want, n - 1, &d), -EBADMSG);
	assert_int_equal(mp_cfg_decode(want, 0, &d), -EBADMSG);
	want[n] = 0;
	assert_int_equal(mp_cfg_decode(want, n + 1, &d), -EMSGSIZE);
}

/* 8.3.16: the node's Config AppKey Status (Success) for the same pair,
 * both ways, and it answers the 8.3.6 request sent to 1201. */
static void test_8_3_16_appkey_status(void **state)
{
	struct json_object *s = sample("8.3.16"), *req = sample("8.3.6");
	static struct mp_cfg_msg m, d, r;
	struct mp_access_expect e;
	uint8_t want[16], out[16], rq[64];
	size_t n = tu_hex(s, "access.access_message", want, sizeof(want));
	size_t rn = tu_hex(req, "access.access_message", rq, sizeof(rq));
	struct mp_access_msg am;

	(void)state;
	m.opcode = (uint32_t)strtoul(tu_str(s, "access.opcode"), NULL, 16);
	assert_int_equal(m.opcode, MP_CFG_OP_APPKEY_STATUS);
	m.status = (uint8_t)strtoul(tu_str(s, "access.status"), NULL, 16);
	m.net_idx = hex16(s, "access.net_key_index");
	m.app_idx = hex16(s, "access.app_key_index");
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), (int)n);
	tu_assert_bytes(out, want, n);
	assert_int_equal(mp_cfg_decode(want, n, &d), 0);
	assert_msg_equal(&d, &m);
	assert_true(mp_cfg_is_status(d.opcode));
	assert_string_equal(mp_cfg_status_name(d.status), "Success");

	/* the request of 8.3.6 went from 0003 to 1201; 8.3.16 comes back
	 * from 1201 */
	assert_int_equal(hex16(s, "src"), hex16(req, "dst"));
	assert_int_equal(mp_cfg_decode(rq, rn, &r), 0);
	assert_int_equal(mp_cfg_expect(&r, hex16(req, "dst"), &e), 0);
	assert_int_equal(mp_access_msg_decode(want, n, &am), 0);
	assert_true(mp_access_expect_matches(&e, hex16(s, "src"), am.opcode, am.params, am.len));
	assert_false(mp_access_expect_matches(&e, 0x1202, am.opcode, am.params, am.len));
	want[3] ^= 0x01;	/* another NetKeyIndex */
	assert_false(mp_access_expect_matches(&e, hex16(s, "src"), am.opcode, am.params, am.len));
}

/* Every message of every family: the spec layout's octets from the fields,
 * the fields from the octets, and one octet less or more refused with the
 * error that says which. */
static void test_layouts(void **state)
{
	static struct mp_cfg_msg d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		uint8_t want[MP_ACCESS_MSG_MAX + 1], out[MP_ACCESS_MSG_MAX];
		size_t n = tu_unhex(c->hex, want, sizeof(want) - 1);
		int len;

		print_message("%s\n", c->what);
		assert_non_null(mp_cfg_op_name(c->m.opcode));
		len = mp_cfg_encode(&c->m, out, sizeof(out));
		assert_int_equal(len, (int)n);
		tu_assert_bytes(out, want, n);
		assert_int_equal(mp_cfg_decode(want, n, &d), 0);
		assert_msg_equal(&d, &c->m);
		assert_int_equal(mp_cfg_encode(&c->m, out, n - 1), -ENOSPC);
		if (c->cut != SKIP)
			assert_int_equal(mp_cfg_decode(want, n - 1, &d), c->cut);
		want[n] = 0;
		if (c->add != SKIP)
			assert_int_equal(mp_cfg_decode(want, n + 1, &d), c->add);
	}
}

/* Prohibited and RFU values, each refused with -ERANGE on decoding (and the
 * same fields refused by the encoder with -EINVAL). */
static void test_rfu_values(void **state)
{
	static const char *const bad[] = {
		"800d01",		/* Default TTL Set 1: Prohibited */
		"800d80",		/* Default TTL Set 0x80 */
		"800e01",		/* Default TTL Status 1 */
		"800a02",		/* Beacon Set 2 */
		"800b02",		/* Beacon Status 2 */
		"801002",		/* Friend Set: Not Supported is not settable */
		"801103",		/* Friend Status 3 */
		"801302",		/* GATT Proxy Set 2 */
		"801403",		/* GATT Proxy Status 3 */
		"80270200",		/* Relay Set 2 */
		"80280300",		/* Relay Status 3 */
		"8047010002",		/* Node Identity Set 2 */
		"804800010003",		/* Node Identity Status 3 */
		"8016010001",		/* Key Refresh Phase Set: transition 1 */
		"8016010000",		/* and 0 */
		"801700010003",		/* Key Refresh Phase Status: phase 3 */
		"80410010",		/* NetKeyIndex with RFU bits */
		"8044000010",		/* NetKey Status, the same */
		"8002000100" "0110",	/* AppKey List: last index with RFU bits */
		"03020101c0230180" "00000010",	/* Publication Set TTL 0x80 */
		"03020101c0232105" "00000010",	/* AppKeyIndex field: RFU bit 13 */
		"03020101802301ff" "00000010",	/* Publication Set to a virtual address */
		"8019000201" "01c0" "2381" "ff0000" "0010",	/* Status: RFU bit 15 */
		"801b020101000010",	/* Subscription Add of a unicast address */
		"801b020100000010",	/* of the unassigned address */
		"801b020101800010",	/* of a virtual address without its label */
		"801b01c001c00010",	/* element address not unicast */
		"801b000001c00010",	/* element address unassigned */
		"803d020100100010",	/* Bind: AppKeyIndex with RFU bits */
		"803901c0120307" "0300" "0100",	/* Heartbeat Publication CountLog 0x12 */
		"803901c0fe0307" "0300" "0100",	/* CountLog 0xfe */
		"803901c0051207" "0300" "0100",	/* PeriodLog 0x12 */
		"803901c0050380" "0300" "0100",	/* TTL 0x80 */
		"803901c0050307" "1000" "0100",	/* Features bit 4 (RFU) */
		"8039018005030703000100",	/* Destination virtual */
		"803901c0050307" "0300" "0110",	/* NetKeyIndex RFU bits */
		"06000500ff117f0f00ff1f",	/* Status NetKeyIndex RFU bits */
		"803b0080010011",	/* Heartbeat Subscription Set: source a group */
		"803b0500018011",	/* destination virtual */
		"803b0500010012",	/* PeriodLog 0x12 */
		"803c00050001c010110103",	/* Status CountLog 0x11 */
		"803c00050001c0108f0103",	/* CountLog 0x8f */
		"803c00050001c010ff8003",	/* MinHops 0x80 */
		"803c00050001c010ff0180",	/* MaxHops 0x80 */
		"802d0080",		/* PollTimeout Get for a group */
		"802e0500090000",	/* PollTimeout 9: Prohibited */
		"802e050000bc34",	/* PollTimeout 0x34bc00 */
		"7f",			/* the RFU opcode */
	};
	static struct mp_cfg_msg d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t in[64];
		size_t n = tu_unhex(bad[i], in, sizeof(in));

		print_message("%s\n", bad[i]);
		assert_int_equal(mp_cfg_decode(in, n, &d), -ERANGE);
	}
}

/* The encoder refuses what the decoder would: it never sends it. */
static void test_encode_refuses(void **state)
{
	static struct mp_cfg_msg m;
	uint8_t out[MP_ACCESS_MSG_MAX];
	unsigned int i;

	(void)state;
	m.opcode = MP_CFG_OP_APPKEY_ADD;
	m.net_idx = 0x1000;
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EINVAL);
	m.opcode = MP_CFG_OP_DEFAULT_TTL_SET;
	m.net_idx = 0;
	m.state = 1;
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EINVAL);
	m.opcode = MP_CFG_OP_SIG_MODEL_APP_GET;
	m.state = 0;
	m.elem_addr = 0x0001;
	m.model.vendor = true;	/* a vendor model in a SIG message */
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EINVAL);
	m.opcode = MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET;
	m.pub.addr = 0x8123;	/* the hash is the node's to compute */
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EINVAL);
	m.opcode = 0x04;	/* Health Current Status: not ours */
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -ENOMSG);

	/* a list longer than 380 octets: too long, not too small a buffer */
	memset(&m, 0, sizeof(m));
	m.opcode = MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST;
	m.elem_addr = 0x0001;
	m.n_list = MP_CFG_LIST_MAX;
	for (i = 0; i < MP_CFG_LIST_MAX; i++)
		m.list[i] = (uint16_t)(0xc000 + i);
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EMSGSIZE);
	m.n_list = (MP_ACCESS_MSG_MAX - 7) / 2;
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), MP_ACCESS_MSG_MAX - 1);
	m.n_list = MP_CFG_LIST_MAX + 1;
	assert_int_equal(mp_cfg_encode(&m, out, sizeof(out)), -EINVAL);
}

/* Other models' messages are not ours; 380 octets at most. */
static void test_not_config(void **state)
{
	static struct mp_cfg_msg d;
	uint8_t in[MP_ACCESS_MSG_MAX + 1];
	size_t n;

	(void)state;
	n = tu_hex(sample("8.3.18"), "access.access_message", in, sizeof(in));
	assert_int_equal(mp_cfg_decode(in, n, &d), -ENOMSG);	/* Health Current Status */
	n = tu_hex(sample("8.3.21"), "access.access_message", in, sizeof(in));
	assert_int_equal(mp_cfg_decode(in, n, &d), -ENOMSG);	/* vendor */
	assert_int_equal(mp_cfg_decode((const uint8_t *)"\x80", 1, &d), -EBADMSG);
	memset(in, 0, sizeof(in));
	in[0] = MP_CFG_OP_COMPOSITION_DATA_STATUS;
	in[1] = 0x80;	/* a page kept raw, as long as a message can be */
	assert_int_equal(mp_cfg_decode(in, MP_ACCESS_MSG_MAX, &d), 0);
	assert_int_equal(d.data_len, MP_ACCESS_MSG_MAX - 2);
	assert_int_equal(mp_cfg_decode(in, MP_ACCESS_MSG_MAX + 1, &d), -EMSGSIZE);
	assert_null(mp_cfg_op_name(0x04));
}

/* MshPRT v1.1 4.3, summary of status codes: each code by the spec's name,
 * an RFU one shown as such. */
static void test_status_names(void **state)
{
	static const char *const names[] = {
		"Success", "Invalid Address", "Invalid Model", "Invalid AppKey Index",
		"Invalid NetKey Index", "Insufficient Resources", "Key Index Already Stored",
		"Invalid Publish Parameters", "Not a Subscribe Model", "Storage Failure",
		"Feature Not Supported", "Cannot Update", "Cannot Remove", "Cannot Bind",
		"Temporarily Unable to Change State", "Cannot Set", "Unspecified Error",
		"Invalid Binding", "Invalid Path Entry", "Cannot Get", "Obsolete Information",
		"Invalid Bearer",
	};
	static struct mp_cfg_msg d;
	char buf[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(mp_cfg_status_name(i), names[i]);
	assert_int_equal(MP_CFG_INSUFFICIENT_RESOURCES, 0x05);
	assert_int_equal(MP_CFG_INVALID_BEARER, 0x15);
	assert_null(mp_cfg_status_name(0x16));
	assert_null(mp_cfg_status_name(0xff));
	mp_cfg_status_text(0x02, buf, sizeof(buf));
	assert_string_equal(buf, "Invalid Model");
	mp_cfg_status_text(0x42, buf, sizeof(buf));
	assert_string_equal(buf, "RFU status 0x42");
	/* an RFU status code is kept as received, not refused */
	assert_int_equal(mp_cfg_decode((const uint8_t *)"\x80\x03\x42\x56\x34\x12", 6, &d), 0);
	assert_int_equal(d.status, 0x42);
}

static void test_pack_idx(void **state)
{
	uint8_t b[3];
	uint16_t x, y;

	(void)state;
	mp_cfg_pack_idx2(0x456, 0x123, b);
	tu_assert_bytes(b, (const uint8_t *)"\x56\x34\x12", 3);
	mp_cfg_unpack_idx2(b, &x, &y);
	assert_int_equal(x, 0x456);
	assert_int_equal(y, 0x123);
	mp_cfg_pack_idx2(0xfff, 0x000, b);
	tu_assert_bytes(b, (const uint8_t *)"\xff\x0f\x00", 3);
	mp_cfg_pack_idx2(0x000, 0xfff, b);
	tu_assert_bytes(b, (const uint8_t *)"\x00\xf0\xff", 3);
}

/* Composition Data page 0, every field; every cut refused unless it falls
 * on an element's end (then it is a page with fewer elements). */
static void test_comp0(void **state)
{
	static struct mp_comp0 c;
	struct mp_model_id cfg = { .id = 0x0000 }, onoff = { .id = 0x1000 };
	struct mp_model_id vnd = { .vendor = true, .cid = 0x0059, .id = 0x0001 };
	struct mp_model_id vnd2 = { .vendor = true, .cid = 0x0001, .id = 0x0059 };
	uint8_t out[MP_COMP0_MAX_LEN + 1], in[MP_COMP0_MAX_LEN + 2];
	size_t cut;

	(void)state;
	assert_int_equal(mp_comp0_decode(comp0, sizeof(comp0), &c), 0);
	assert_int_equal(c.cid, 0x0059);
	assert_int_equal(c.pid, 0x0001);
	assert_int_equal(c.vid, 0x0002);
	assert_int_equal(c.crpl, 0x0028);
	assert_int_equal(c.features,
			 MP_CFG_FEAT_RELAY | MP_CFG_FEAT_PROXY | MP_CFG_FEAT_FRIEND);
	assert_int_equal(c.n_elems, 2);
	assert_int_equal(c.elems[0].loc, 0x0100);
	assert_int_equal(c.elems[0].n_sig, 3);
	assert_int_equal(c.elems[0].n_vnd, 1);
	assert_int_equal(c.sig[c.elems[0].sig_first + 2], 0x1000);
	assert_int_equal(c.vnd[c.elems[0].vnd_first].cid, 0x0059);
	assert_int_equal(c.vnd[c.elems[0].vnd_first].id, 0x0001);
	assert_int_equal(c.elems[1].loc, 0x0101);
	assert_int_equal(c.elems[1].n_sig, 1);
	assert_int_equal(c.elems[1].n_vnd, 0);
	assert_true(mp_comp0_has_model(&c, 0, &cfg));
	assert_true(mp_comp0_has_model(&c, 0, &vnd));
	assert_false(mp_comp0_has_model(&c, 0, &vnd2));
	assert_false(mp_comp0_has_model(&c, 1, &cfg));
	assert_true(mp_comp0_has_model(&c, 1, &onoff));
	assert_false(mp_comp0_has_model(&c, 2, &onoff));
	assert_int_equal(mp_comp0_encode(&c, out, sizeof(out)), (int)sizeof(comp0));
	tu_assert_bytes(out, comp0, sizeof(comp0));
	assert_int_equal(mp_comp0_encode(&c, out, sizeof(comp0) - 1), -ENOSPC);

	for (cut = 0; cut < sizeof(comp0); cut++) {
		int want = cut == 24 ? 0 : -EBADMSG;	/* element 0 ends at 24 */

		assert_int_equal(mp_comp0_decode(comp0, cut, &c), want);
	}
	/* the same model twice in an element: element 1 with two Generic
	 * OnOff Servers (NumS at 26, models from 28) */
	memcpy(in, comp0, sizeof(comp0));
	in[26] = 2;
	in[30] = 0x00;
	in[31] = 0x10;
	assert_int_equal(mp_comp0_decode(in, 30, &c), -EBADMSG);
	assert_int_equal(mp_comp0_decode(in, 32, &c), -ERANGE);
	in[31] = 0x11;
	assert_int_equal(mp_comp0_decode(in, 32, &c), 0);
	/* beyond what a Status carries */
	memset(in, 0, sizeof(in));
	assert_int_equal(mp_comp0_decode(in, MP_COMP0_MAX_LEN + 1, &c), -EMSGSIZE);
	/* as many empty elements as fit */
	assert_int_equal(mp_comp0_decode(in, MP_COMP0_MAX_LEN, &c), 0);
	assert_int_equal(c.n_elems, MP_COMP0_MAX_ELEMS);

	/* in a Status, page 0 is checked: a cut element is refused */
	in[0] = MP_CFG_OP_COMPOSITION_DATA_STATUS;
	in[1] = 0;
	memcpy(in + 2, comp0, sizeof(comp0));
	{
		static struct mp_cfg_msg d;

		assert_int_equal(mp_cfg_decode(in, 2 + sizeof(comp0) - 1, &d), -EBADMSG);
		assert_int_equal(mp_cfg_decode(in, 2 + sizeof(comp0), &d), 0);
		assert_int_equal(mp_comp0_decode(d.data, d.data_len, &c), 0);
		assert_int_equal(c.n_elems, 2);
	}
}

static bool answers(const struct mp_cfg_msg *req, uint16_t dst, uint16_t src, const char *hex)
{
	struct mp_access_expect e;
	struct mp_access_msg am;
	uint8_t in[64];
	size_t n = tu_unhex(hex, in, sizeof(in));

	assert_int_equal(mp_cfg_expect(req, dst, &e), 0);
	assert_int_equal(mp_access_msg_decode(in, n, &am), 0);
	return mp_access_expect_matches(&e, src, am.opcode, am.params, am.len);
}

/* The fields that tell two answers apart, per family. */
static void test_expect(void **state)
{
	static struct mp_cfg_msg r;
	struct mp_access_expect e;

	(void)state;
	r.opcode = MP_CFG_OP_MODEL_APP_BIND;
	r.elem_addr = 0x0102;
	r.app_idx = 0x123;
	r.model.id = 0x1000;
	assert_true(answers(&r, 0x0100, 0x0100, "803e02020123010010"));
	assert_false(answers(&r, 0x0100, 0x0100, "803e02030123010010"));	/* element */
	assert_false(answers(&r, 0x0100, 0x0100, "803e02020124010010"));	/* AppKey */
	assert_false(answers(&r, 0x0100, 0x0100, "803e02020123010011"));	/* model */
	/* a vendor model whose CID is the SIG model's ID is another model */
	assert_false(answers(&r, 0x0100, 0x0100, "803e0202012301" "00100100"));
	assert_false(answers(&r, 0x0100, 0x0101, "803e02020123010010"));	/* source */

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_MODEL_PUBLICATION_SET;
	r.elem_addr = 0x0102;
	r.model = (struct mp_model_id){ .vendor = true, .cid = 0x0059, .id = 1 };
	assert_true(answers(&r, 0x0100, 0x0100, "8019" "07" "0201" "0000" "0000" "000000" "59000100"));
	assert_false(answers(&r, 0x0100, 0x0100, "8019" "07" "0201" "0000" "0000" "000000" "59000200"));
	/* the same octets where a SIG model ends the message: another model */
	assert_false(answers(&r, 0x0100, 0x0100, "8019" "07" "0201" "0000" "0000" "000000" "5900"));

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD;
	r.elem_addr = 0x0102;
	r.model.id = 0x1000;
	/* the Status shows the virtual address's hash: not compared */
	assert_true(answers(&r, 0x0100, 0x0100, "801f0002012395" "0010"));

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET;
	r.elem_addr = 0x0102;
	r.model = (struct mp_model_id){ .vendor = true, .cid = 0x0059, .id = 1 };
	assert_true(answers(&r, 0x0100, 0x0100, "802c00020159000100" "01c0"));
	assert_false(answers(&r, 0x0100, 0x0100, "802c00020159000200" "01c0"));

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_KEY_REFRESH_PHASE_SET;
	r.net_idx = 0x001;
	r.state = 2;
	assert_true(answers(&r, 0x0100, 0x0100, "801700010002"));
	assert_false(answers(&r, 0x0100, 0x0100, "801700020002"));
	assert_false(answers(&r, 0x0100, 0x0100, "8048000100" "02"));	/* another opcode */

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_LOW_POWER_NODE_POLLTIMEOUT_GET;
	r.addr = 0x0005;
	assert_true(answers(&r, 0x0100, 0x0100, "802e0500000000"));
	assert_false(answers(&r, 0x0100, 0x0100, "802e0600000000"));

	memset(&r, 0, sizeof(r));
	r.opcode = MP_CFG_OP_NODE_RESET;
	assert_true(answers(&r, 0x0100, 0x0100, "804a"));
	r.opcode = MP_CFG_OP_COMPOSITION_DATA_GET;
	r.page = 0xff;	/* the node answers with the page it has */
	assert_true(answers(&r, 0x0100, 0x0100, "0200" COMP0_HEX));

	r.opcode = MP_CFG_OP_APPKEY_STATUS;	/* not a request */
	assert_int_equal(mp_cfg_expect(&r, 0x0100, &e), -ENOMSG);
	r.opcode = MP_CFG_OP_NODE_RESET;
	assert_int_equal(mp_cfg_expect(&r, 0xc000, &e), -EINVAL);
}

/* Every request has an answer; every answer is recognised as one. */
static void test_every_request_answered(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_access_expect e;
		int err = mp_cfg_expect(&cases[i].m, 0x0001, &e);

		if (mp_cfg_is_status(cases[i].m.opcode)) {
			assert_int_equal(err, -ENOMSG);
			continue;
		}
		assert_int_equal(err, 0);
		assert_true(mp_cfg_is_status(e.opcode));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_8_3_6_appkey_add),
		cmocka_unit_test(test_8_3_16_appkey_status),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_rfu_values),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_not_config),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_pack_idx),
		cmocka_unit_test(test_comp0),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_every_request_answered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
