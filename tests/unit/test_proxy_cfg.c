/* net/proxy_cfg.h and net/proxy_adv.h: the Mesh Proxy service data samples
 * (MshPRT v1.1 8.6.1-8.6.4) and the proxy configuration message samples
 * (8.9.1-8.9.3) byte for byte both ways, one case per sample named after
 * its section; a node told from its Node Identity among known addresses;
 * then the bad ones: wrong lengths, RFU opcodes and types, prohibited
 * filter types and ranges, a message under another key.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bearer/proxy.h"
#include "net/net.h"
#include "net/proxy_adv.h"
#include "net/proxy_cfg.h"

static const char OTHER_NET_KEY[] = "f7a2a44f8e8a8029064f173ddc1e2b00";

/* 8.6.x: the advertisement made from the NetKey (and address, Random),
 * encoded; the sample's AD structure decoded and identified. */
static void test_service_data(void **state)
{
	struct json_object *v = *state;
	struct mp_subnet s[2];
	struct mp_proxy_adv a, d;
	struct mp_proxy_adv_match m;
	uint8_t ad[32], key[16], rnd[8] = { 0 }, buf[32], exp[16];
	uint8_t type = (uint8_t)ntu_int(v, "identification_type");
	uint16_t addrs[3] = { 0x0001, 0x7fff, 0 };
	size_t adlen = tu_hex(v, "adv_data", ad, sizeof(ad));
	bool node = type == MP_PROXY_ID_NODE || type == MP_PROXY_ID_PRIVATE_NODE;

	tu_unhex(OTHER_NET_KEY, key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s[0], 1, key), 0);
	tu_hex(v, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s[1], 2, key), 0);
	if (ntu_has(v, "identity_key")) {
		tu_hex(v, "identity_key", exp, sizeof(exp));
		tu_assert_bytes(s[1].key[0].identity_key, exp, 16);
	}
	if (ntu_has(v, "random"))
		tu_hex(v, "random", rnd, sizeof(rnd));
	if (node)
		addrs[2] = (uint16_t)ntu_int(v, "source_address");

	/* AD length, AD type 0x16, then the service data */
	assert_int_equal(ad[0], adlen - 1);
	assert_int_equal(ad[1], 0x16);
	assert_int_equal(mp_proxy_adv_make(type, &s[1].key[0], addrs[2], rnd, &a), 0);
	assert_int_equal(mp_proxy_adv_encode(&a, buf, sizeof(buf)), adlen - 2);
	tu_assert_bytes(buf, ad + 2, adlen - 2);

	assert_int_equal(mp_proxy_adv_decode(ad + 2, adlen - 2, &d), 0);
	assert_int_equal(d.type, type);
	if (type == MP_PROXY_ID_NETWORK) {
		tu_hex(v, "network_id", exp, sizeof(exp));
		tu_assert_bytes(d.network_id, exp, 8);
	} else {
		tu_hex(v, "hash", exp, sizeof(exp));
		tu_assert_bytes(d.hash, exp, 8);
		tu_assert_bytes(d.random, rnd, 8);
	}
	assert_int_equal(mp_proxy_adv_identify(&d, s, 2, addrs, 3, &m), 0);
	assert_int_equal(m.subnet, 1);
	assert_false(m.new_key);
	assert_int_equal(m.addr, node ? addrs[2] : 0);
	/* the other subnet alone, or the node not among the addresses: nobody */
	assert_int_equal(mp_proxy_adv_identify(&d, s, 1, addrs, 3, &m), -ENOENT);
	if (node)
		assert_int_equal(mp_proxy_adv_identify(&d, s + 1, 1, addrs, 2, &m), -ENOENT);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

/* 8.9.x: the message encoded, sealed with the proxy nonce and cut into a
 * Proxy PDU, byte for byte; and the Proxy PDU taken back to the message. */
static void test_cfg_message(void **state)
{
	struct json_object *v = *state;
	struct mp_net_cred cred;
	struct mp_subnet s;
	struct mp_proxy_cfg_msg m, d;
	struct mp_proxy_seg seg;
	struct mp_proxy_rx prx;
	struct mp_proxy_msg pm;
	struct mp_net_rx rx;
	uint8_t key[16], tpdu[16], net[32], pdu[40], out[40], rbuf[64];
	size_t tlen = tu_hex(v, "transport_pdu", tpdu, sizeof(tpdu));
	size_t nlen = tu_hex(v, "proxy_message", net, sizeof(net));
	size_t plen = tu_hex(v, "proxy_pdu", pdu, sizeof(pdu));
	uint32_t iv = ntu_int(v, "iv_index"), seq = ntu_int(v, "seq");
	uint16_t src = (uint16_t)ntu_int(v, "src");
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.opcode = (uint8_t)ntu_int(v, "opcode");
	switch (m.opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		m.filter_type = (uint8_t)ntu_int(v, "parameters.filter_type");
		break;
	case MP_PROXY_CFG_DIRECTED_CAPS_STATUS:
		m.directed_proxy = (uint8_t)ntu_int(v, "parameters.directed_proxy");
		m.use_directed = (uint8_t)ntu_int(v, "parameters.use_directed");
		break;
	case MP_PROXY_CFG_DIRECTED_CONTROL:
		m.use_directed = (uint8_t)ntu_int(v, "parameters.use_directed");
		m.range_start = (uint16_t)ntu_int(v, "parameters.proxy_client_start_addr");
		m.range_len = (uint8_t)ntu_int(v, "parameters.proxy_client_num_elem");
		break;
	default:
		fail_msg("no case for opcode %02x", m.opcode);
	}
	assert_string_equal(mp_proxy_cfg_opcode_name(m.opcode), tu_str(v, "opcode_name"));
	n = mp_proxy_cfg_encode(&m, out, sizeof(out));
	assert_int_equal(n, tlen);
	tu_assert_bytes(out, tpdu, tlen);

	tu_hex(v, "net_key", key, sizeof(key));
	assert_int_equal(mp_net_cred_flooding(key, &cred), 0);
	assert_int_equal(cred.nid, ntu_int(v, "nid"));
	n = mp_proxy_cfg_seal(&cred, iv, src, seq, &m, out, sizeof(out));
	assert_int_equal(n, nlen);
	tu_assert_bytes(out, net, nlen);
	/* one Proxy PDU at an ATT_MTU that holds it whole (the longer two
	 * samples are 21 and 23 octets, past the 20 of the default ATT_MTU) */
	assert_int_equal(mp_proxy_seg_init(&seg, MP_PROXY_CONFIGURATION, out, nlen, 69), 0);
	assert_int_equal(mp_proxy_seg_next(&seg, rbuf, sizeof(rbuf)), plen);
	tu_assert_bytes(rbuf, pdu, plen);

	/* the other way: Proxy PDU -> network PDU -> message */
	assert_int_equal(mp_proxy_rx_init(&prx, rbuf, sizeof(rbuf)), 0);
	assert_int_equal(mp_proxy_rx_feed(&prx, pdu, plen, &pm), 1);
	assert_int_equal(pm.type, MP_PROXY_CONFIGURATION);
	assert_int_equal(mp_subnet_init(&s, 0, key), 0);
	assert_int_equal(mp_proxy_cfg_open(&s, 1, iv, pm.data, pm.len, &rx, &d), 0);
	assert_int_equal(rx.hdr.src, src);
	assert_int_equal(rx.hdr.seq, seq);
	assert_int_equal(rx.hdr.dst, 0);
	assert_true(rx.hdr.ctl);
	assert_int_equal(rx.hdr.ttl, 0);
	assert_memory_equal(&d, &m, sizeof(d));
	/* under the network nonce it does not authenticate */
	assert_int_equal(mp_net_decode(&s, 1, iv, MP_NET_NETWORK, pm.data, pm.len, &rx), -EBADMSG);
	mp_subnet_wipe(&s);
}

/* Add, Remove and Filter Status, which have no sample: both ways. */
static void test_filter_messages(void **state)
{
	struct mp_proxy_cfg_msg m = { .opcode = MP_PROXY_CFG_ADD_ADDRS, .naddrs = 5,
				      .addrs = { 0x0001, 0x1234, 0xc000, 0x8765, 0xffff } };
	struct mp_proxy_cfg_msg d;
	uint8_t out[16];
	static const uint8_t add[] = { 0x01, 0x00, 0x01, 0x12, 0x34, 0xc0, 0x00,
				       0x87, 0x65, 0xff, 0xff };
	static const uint8_t status[] = { 0x03, 0x01, 0x01, 0x02 };

	(void)state;
	assert_int_equal(mp_proxy_cfg_encode(&m, out, sizeof(out)), sizeof(add));
	assert_memory_equal(out, add, sizeof(add));
	assert_int_equal(mp_proxy_cfg_decode(add, sizeof(add), &d), 0);
	assert_memory_equal(&d, &m, sizeof(d));
	out[0] = MP_PROXY_CFG_REMOVE_ADDRS;
	assert_int_equal(mp_proxy_cfg_decode(out, 3, &d), 0);
	assert_int_equal(d.opcode, MP_PROXY_CFG_REMOVE_ADDRS);
	assert_int_equal(d.naddrs, 1);
	assert_int_equal(d.addrs[0], 0x0001);

	assert_int_equal(mp_proxy_cfg_decode(status, sizeof(status), &d), 0);
	assert_int_equal(d.opcode, MP_PROXY_CFG_FILTER_STATUS);
	assert_int_equal(d.filter_type, MP_PROXY_FILTER_REJECT);
	assert_int_equal(d.list_size, 0x0102);
	assert_int_equal(mp_proxy_cfg_encode(&d, out, sizeof(out)), sizeof(status));
	assert_memory_equal(out, status, sizeof(status));
	/* a single address range is written without Range_Length */
	m = (struct mp_proxy_cfg_msg){ .opcode = MP_PROXY_CFG_DIRECTED_CONTROL, .use_directed = 1,
				       .range_start = 0x0607, .range_len = 1 };
	assert_int_equal(mp_proxy_cfg_encode(&m, out, sizeof(out)), 4);
	assert_int_equal(mp_proxy_cfg_decode(out, 4, &d), 0);
	assert_memory_equal(&d, &m, sizeof(d));
	assert_int_equal(mp_proxy_cfg_encode(&m, out, 3), -ENOSPC);
}

static void test_cfg_bad(void **state)
{
	static const struct {
		const char *hex;
		int err;
	} cases[] = {
		{ "", -EBADMSG },		/* no opcode */
		{ "00", -EBADMSG },		/* Set Filter Type without the type */
		{ "0000 00", -EBADMSG },	/* ... and with an extra octet */
		{ "0002", -EBADMSG },		/* a prohibited filter type */
		{ "00ff", -EBADMSG },
		{ "01", -EBADMSG },		/* an empty address array */
		{ "010001 02", -EBADMSG },	/* an odd one */
		{ "01 0001 0002 0003 0004 0005 0006", -EBADMSG },	/* six addresses */
		{ "02 00", -EBADMSG },
		{ "03 00 00", -EBADMSG },	/* Filter Status, short */
		{ "03 00 0000 00", -EBADMSG },	/* and long */
		{ "03 02 0000", -EBADMSG },	/* a prohibited filter type */
		{ "04 01", -EBADMSG },
		{ "04 01 01 01", -EBADMSG },
		{ "05 01", -EBADMSG },
		{ "05 01 06", -EBADMSG },
		{ "05 01 8607", -EBADMSG },	/* Length_Present without the length */
		{ "05 01 8607 01", -EBADMSG },	/* Range_Length 1 is prohibited */
		{ "05 01 8607 00", -EBADMSG },	/* and 0 */
		{ "05 01 0000", -EBADMSG },	/* not a unicast start */
		{ "05 01 0607 03", -EBADMSG },	/* an octet beyond the range */
		{ "06", -ENOMSG },		/* RFU */
		{ "ff 00", -ENOMSG },
	};
	struct mp_proxy_cfg_msg m, bad;
	uint8_t pdu[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = tu_unhex_spaced(cases[i].hex, pdu, sizeof(pdu));

		if (mp_proxy_cfg_decode(pdu, len, &m) != cases[i].err)
			fail_msg("case %zu (%s): %d, want %d", i, cases[i].hex,
				 mp_proxy_cfg_decode(pdu, len, &m), cases[i].err);
	}
	assert_int_equal(mp_proxy_cfg_decode(NULL, 0, &m), -EINVAL);
	memset(&bad, 0, sizeof(bad));
	bad.opcode = 0x06;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
	bad.opcode = MP_PROXY_CFG_SET_FILTER_TYPE;
	bad.filter_type = 2;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
	bad.opcode = MP_PROXY_CFG_ADD_ADDRS;
	bad.naddrs = 0;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
	bad.naddrs = 6;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
	bad.opcode = MP_PROXY_CFG_DIRECTED_CONTROL;
	bad.range_start = 0x8000;
	bad.range_len = 1;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
	bad.range_start = 1;
	bad.range_len = 0;
	assert_int_equal(mp_proxy_cfg_encode(&bad, pdu, sizeof(pdu)), -EINVAL);
}

/* A sealed message under another NetKey, a network PDU (network nonce)
 * offered as proxy configuration, and an RFU opcode that authenticates. */
static void test_cfg_open_bad(void **state)
{
	struct json_object *v = tu_get(tu_vectors(), "proxy.configuration_messages.0");
	struct mp_net_cred cred;
	struct mp_subnet s[2];
	struct mp_proxy_cfg_msg m;
	struct mp_net_hdr hdr = { .ctl = true, .ttl = 0, .seq = 7, .src = 1, .dst = 0 };
	struct mp_net_rx rx;
	uint8_t key[16], net[32], pdu[32];
	static const uint8_t rfu[] = { 0x07, 0x00 };
	size_t nlen = tu_hex(v, "proxy_message", net, sizeof(net));
	uint32_t iv = ntu_int(v, "iv_index");
	ssize_t n;

	(void)state;
	tu_unhex(OTHER_NET_KEY, key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s[0], 0, key), 0);
	assert_int_not_equal(mp_proxy_cfg_open(s, 1, iv, net, nlen, &rx, &m), 0);
	tu_hex(v, "net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s[1], 1, key), 0);
	assert_int_equal(mp_proxy_cfg_open(s, 2, iv, net, nlen, NULL, &m), 0);
	net[nlen - 1] ^= 1;
	assert_int_equal(mp_proxy_cfg_open(s, 2, iv, net, nlen, &rx, &m), -EBADMSG);

	assert_int_equal(mp_net_cred_flooding(key, &cred), 0);
	n = mp_net_encode(&cred, iv, MP_NET_PROXY_CONFIG, &hdr, rfu, sizeof(rfu), pdu, sizeof(pdu));
	assert_true(n > 0);
	assert_int_equal(mp_proxy_cfg_open(s, 2, iv, pdu, (size_t)n, &rx, &m), -ENOMSG);
	hdr.dst = 0x0002;
	hdr.ctl = true;
	n = mp_net_encode(&cred, iv, MP_NET_NETWORK, &hdr, rfu, sizeof(rfu), pdu, sizeof(pdu));
	assert_true(n > 0);
	assert_int_equal(mp_proxy_cfg_open(s, 2, iv, pdu, (size_t)n, &rx, &m), -EBADMSG);
	mp_subnet_wipe(&s[0]);
	mp_subnet_wipe(&s[1]);
}

static void test_adv_bad(void **state)
{
	static const struct {
		const char *hex;
		int err;
	} cases[] = {
		{ "", -EBADMSG },
		{ "28", -EBADMSG },
		{ "2818", -EBADMSG },				/* no type */
		{ "281800 3ecaff672f6733", -EBADMSG },		/* Network ID short */
		{ "281800 3ecaff672f673370 00", -EBADMSG },	/* and long */
		{ "281801 00861765aefcc57b 34ae608fbbc1f2", -EBADMSG },
		{ "281801 00861765aefcc57b 34ae608fbbc1f2c6 00", -EBADMSG },
		{ "281802 00", -EBADMSG },
		{ "281803", -EBADMSG },
		{ "281804 00861765aefcc57b 34ae608fbbc1f2c6", -ENOMSG },	/* RFU type */
		{ "2718 00 3ecaff672f673370", -ENOMSG },	/* the provisioning service */
		{ "1828 00 3ecaff672f673370", -ENOMSG },	/* big-endian UUID */
	};
	struct mp_proxy_adv a;
	struct mp_proxy_adv_match m;
	struct mp_subnet s;
	uint8_t buf[32], key[16] = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = tu_unhex_spaced(cases[i].hex, buf, sizeof(buf));

		if (mp_proxy_adv_decode(buf, len, &a) != cases[i].err)
			fail_msg("case %zu (%s): %d, want %d", i, cases[i].hex,
				 mp_proxy_adv_decode(buf, len, &a), cases[i].err);
	}
	memset(&a, 0, sizeof(a));
	a.type = 0x04;
	assert_int_equal(mp_proxy_adv_encode(&a, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mp_subnet_init(&s, 0, key), 0);
	assert_int_equal(mp_proxy_adv_identify(&a, &s, 1, NULL, 0, &m), -EINVAL);
	a.type = MP_PROXY_ID_NODE;
	assert_int_equal(mp_proxy_adv_encode(&a, buf, 18), -ENOSPC);
	/* no addresses known: a Node Identity names nobody */
	assert_int_equal(mp_proxy_adv_identify(&a, &s, 1, NULL, 0, &m), -ENOENT);
	mp_subnet_wipe(&s);
}

/* A node advertising under the new key of a subnet in key refresh. */
static void test_adv_key_refresh(void **state)
{
	struct mp_subnet s;
	struct mp_proxy_adv a;
	struct mp_proxy_adv_match m;
	uint8_t old_key[16] = { 1 }, new_key[16] = { 2 }, rnd[8] = { 3 };
	uint16_t addrs[] = { 0x0100, 0x0200 };

	(void)state;
	assert_int_equal(mp_subnet_init(&s, 3, old_key), 0);
	assert_int_equal(mp_subnet_kr_start(&s, new_key), 0);
	assert_int_equal(mp_proxy_adv_make(MP_PROXY_ID_PRIVATE_NODE, &s.key[1], 0x0200, rnd, &a),
			 0);
	assert_int_equal(mp_proxy_adv_identify(&a, &s, 1, addrs, 2, &m), 0);
	assert_true(m.new_key);
	assert_int_equal(m.addr, 0x0200);
	assert_int_equal(mp_proxy_adv_make(MP_PROXY_ID_NETWORK, &s.key[0], 0, NULL, &a), 0);
	assert_int_equal(mp_proxy_adv_identify(&a, &s, 1, NULL, 0, &m), 0);
	assert_false(m.new_key);
	assert_int_equal(m.addr, 0);
	mp_subnet_wipe(&s);
}

int main(void)
{
	ntu_add_array("proxy.service_data", test_service_data);
	ntu_add_array("proxy.configuration_messages", test_cfg_message);
#define ADD(fn) ntu_add(#fn, fn, NULL)
	ADD(test_filter_messages);
	ADD(test_cfg_bad);
	ADD(test_cfg_open_bad);
	ADD(test_adv_bad);
	ADD(test_adv_key_refresh);
#undef ADD
	return ntu_run("proxy_cfg");
}
