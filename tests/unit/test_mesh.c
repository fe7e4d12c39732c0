/* The mesh stack (include/mesh/stack.h) against the MshPRT v1.1 8.3
 * message samples, through the whole stack: a stack configured with a
 * sample's keys, addresses, IV index and SEQs sends the sample's access
 * payload and must put out its Network PDUs byte for byte; a stack on the
 * receiving side is fed those Network PDUs and must deliver the payload.
 * Also the 8.3.6 - 8.3.9 exchange (a Segment Acknowledgment from a Friend
 * on behalf of the Low Power node, the retransmission it causes, the final
 * acknowledgment) and a control message (8.3.2) delivered.
 */
#include "net_tu.h"
#include "mesh_tu.h"

#include <errno.h>
#include <string.h>

static struct mtu_world world;

/* The samples of access messages: unsegmented and segmented, device and
 * application keys, group, all-nodes and virtual destinations, IV update. */
static const unsigned access_samples[] = { 6, 16, 18, 19, 20, 21, 22, 23, 24 };

static bool is_app(struct json_object *s)
{
	return strcmp(tu_str(s, "key_type"), "application") == 0;
}

/* The IV index state a stack needs to use the sample's IV index: the
 * 12345677 samples are sent during an IV update to 12345678 (3.11.5: the
 * old IV index while the update is in progress), which the receiver
 * accepts as IV index - 1 from the IVI bit. */
static void sample_iv(struct json_object *s, uint32_t *iv, bool *update)
{
	uint32_t v = ntu_int(s, "iv_index");

	*update = v == 0x12345677;
	*iv = *update ? v + 1 : v;
}

/* A node of the sample's side @addr, with the sample's keys. */
static struct mtu_node *sample_node(struct json_object *s, uint16_t addr)
{
	struct json_object *keys = tu_get(tu_vectors(), "messages.keys");
	uint8_t net_key[16], key[16];
	struct mtu_node *n;
	uint32_t iv;
	bool upd;

	sample_iv(s, &iv, &upd);
	n = mtu_add(&world, addr, 1, NULL, iv, true);
	if (!n) {
		fail_msg("no stack");
		abort();
	}
	assert_int_equal(mp_mesh_set_iv(n->m, iv, upd), 0);
	tu_hex(s, "net_key", net_key, sizeof(net_key));
	assert_int_equal(mp_mesh_subnet_add(n->m, 0x456, net_key), 0);
	tu_hex(keys, "app_key", key, sizeof(key));
	assert_int_equal(mp_mesh_app_key_add(n->m, 0x123, 0x456, key), 0);
	tu_hex(keys, "dev_key", key, sizeof(key));
	mtu_dev_add(n, (uint16_t)ntu_int(keys, "dev_key_address"),
		    (uint16_t)ntu_int(keys, "dev_key_address"), key);
	return n;
}

static void send_sample(struct json_object *s, struct mtu_node *n)
{
	struct json_object *pdus = tu_get(s, "network_pdus");
	size_t np = json_object_array_length(pdus), i;
	uint8_t payload[MP_MESH_ACCESS_MAX], label[16];
	struct mp_mesh_tx tx = {
		.src = (uint16_t)ntu_int(s, "src"), .dst = (uint16_t)ntu_int(s, "dst"),
		.net_idx = 0x456, .ttl = (uint8_t)ntu_int(s, "ttl"),
		.szmic = json_object_get_int(tu_get(s, "trans_mic_size_int")) == 64,
		.payload = payload,
	};
	uint32_t seq_auth = 0;
	int r;

	tx.len = tu_hex(s, "access.access_message", payload, sizeof(payload));
	tx.key = is_app(s) ? 0x123 : MP_MESH_KEY_DEV;
	if (ntu_has(s, "label_uuid")) {
		tu_hex(s, "label_uuid", label, sizeof(label));
		tx.label = label;
	}
	for (i = 0; i < np && i < MTU_SEQS; i++)
		n->seqs[n->nseqs++] = ntu_int(json_object_array_get_idx(pdus, i), "seq");
	r = mp_mesh_send_access(n->m, &tx, &seq_auth);
	assert_int_equal(r, np > 1 ? 1 : 0);
	if (np > 1)
		assert_int_equal(seq_auth, ntu_int(s, "seq"));
	/* the later segments come one segment interval apart */
	while (n->ncap < np && mtu_fire_next(n))
		;
	assert_int_equal(n->ncap, np);
	for (i = 0; i < np; i++) {
		uint8_t want[MP_NET_PDU_MAX];
		size_t wl = tu_hex(json_object_array_get_idx(pdus, i), "network_pdu", want,
				   sizeof(want));

		assert_int_equal(n->cap_len[i], wl);
		tu_assert_bytes(n->cap[i], want, wl);
	}
}

static void test_send(void **state)
{
	struct json_object *s = *state;
	struct mtu_node *n;

	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(s, (uint16_t)ntu_int(s, "src"));
	send_sample(s, n);
	mtu_fini(&world);
}

static void test_receive(void **state)
{
	struct json_object *s = *state;
	struct json_object *pdus = tu_get(s, "network_pdus");
	size_t np = json_object_array_length(pdus), i;
	uint16_t dst = (uint16_t)ntu_int(s, "dst");
	uint8_t want[MP_MESH_ACCESS_MAX], label[16];
	size_t wl = tu_hex(s, "access.access_message", want, sizeof(want));
	struct mtu_node *n;

	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(s, mp_addr_is_unicast(dst) ? dst : 0x0100);
	if (mp_addr_is_group(dst) && dst != 0xffff)
		assert_int_equal(mp_mesh_subscribe(n->m, dst), 0);
	if (ntu_has(s, "label_uuid")) {
		tu_hex(s, "label_uuid", label, sizeof(label));
		assert_int_equal(mp_mesh_subscribe_virtual(n->m, label), 0);
	}
	for (i = 0; i < np; i++) {
		uint8_t pdu[MP_NET_PDU_MAX];
		size_t pl = tu_hex(json_object_array_get_idx(pdus, i), "network_pdu", pdu,
				   sizeof(pdu));

		assert_int_equal(mp_mesh_rx(n->m, pdu, pl), 0);
	}
	assert_int_equal(n->delivered, 1);
	assert_int_equal(n->last.len, wl);
	tu_assert_bytes(n->got, want, wl);
	assert_int_equal(n->last.src, ntu_int(s, "src"));
	assert_int_equal(n->last.dst, dst);
	assert_int_equal(n->last.net_idx, 0x456);
	assert_int_equal(n->last.key, is_app(s) ? 0x123 : MP_MESH_KEY_DEV);
	assert_int_equal(n->last.ttl, ntu_int(s, "ttl"));
	assert_int_equal(n->last.seq, ntu_int(s, "seq"));
	assert_int_equal(n->last.seg, np > 1);
	if (ntu_has(s, "label_uuid"))
		tu_assert_bytes(n->last.label, label, 16);
	else
		assert_null(n->last.label);
	/* a segmented message to a unicast address was acknowledged */
	if (np > 1 && mp_addr_is_unicast(dst))
		assert_int_equal(mp_mesh_stats(n->m)->tx_acks, 1);
	/* every PDU again: the network message cache drops them */
	for (i = 0; i < np; i++) {
		uint8_t pdu[MP_NET_PDU_MAX];
		size_t pl = tu_hex(json_object_array_get_idx(pdus, i), "network_pdu", pdu,
				   sizeof(pdu));

		assert_int_equal(mp_mesh_rx(n->m, pdu, pl), -EALREADY);
	}
	assert_int_equal(mp_mesh_stats(n->m)->drop_cached, np);
	assert_int_equal(n->delivered, 1);
	mtu_fini(&world);
}

static void feed(struct mtu_node *n, unsigned sample, int want)
{
	uint8_t pdu[MP_NET_PDU_MAX];
	size_t pl = tu_hex(ntu_message(sample), "network_pdus.0.network_pdu", pdu, sizeof(pdu));

	assert_int_equal(mp_mesh_rx(n->m, pdu, pl), want);
}

/* 8.3.6 - 8.3.9: the client at 0003 sends Config AppKey Add in two
 * segments; the Friend 2345 acknowledges segment 1 on behalf of the Low
 * Power node (OBO, BlockAck 2); the client sends segment 0 again with the
 * next SEQ (8.3.8); the second acknowledgment (BlockAck 3) ends it. */
static void test_exchange_8_3_6_to_9(void **state)
{
	struct json_object *s6 = ntu_message(6);
	struct mtu_node *n;
	uint8_t want[MP_NET_PDU_MAX];
	size_t wl;

	(void)state;
	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(s6, 0x0003);
	send_sample(s6, n);
	feed(n, 7, 0);
	assert_int_equal(n->ncap, 3);
	wl = tu_hex(ntu_message(8), "network_pdus.0.network_pdu", want, sizeof(want));
	assert_int_equal(n->cap_len[2], wl);
	tu_assert_bytes(n->cap[2], want, wl);
	assert_int_equal(n->done, 0);
	feed(n, 9, 0);
	assert_int_equal(n->done, 1);
	assert_int_equal(n->done_err, 0);
	assert_int_equal(mp_mesh_stats(n->m)->acks_in, 2);
	/* the same acknowledgment again: cached */
	feed(n, 9, -EALREADY);
	mtu_fini(&world);
}

/* 8.3.2: a Friend Offer, a control message, comes up through control(). */
static void test_control_8_3_2(void **state)
{
	struct json_object *s = ntu_message(2);
	struct mtu_node *n;
	uint8_t params[16];
	size_t pl = tu_hex(s, "upper_transport_pdu", params, sizeof(params));

	(void)state;
	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(s, 0x1201);
	feed(n, 2, 0);
	assert_int_equal(n->ctl, 1);
	assert_int_equal(n->ctl_opcode, 0x04);
	assert_int_equal(n->ctl_len, pl);
	tu_assert_bytes(n->ctl_params, params, pl);
	mtu_fini(&world);
}

/* 8.3.1: a Friend Request to all-friends: not ours (meshprov is no
 * Friend), counted. 8.3.16 at a stack that is not its destination: the
 * same. */
static void test_not_for_us(void **state)
{
	struct mtu_node *n;

	(void)state;
	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(ntu_message(1), 0x0777);
	feed(n, 1, -ENOENT);
	feed(n, 16, -ENOENT);
	assert_int_equal(mp_mesh_stats(n->m)->drop_not_for_us, 2);
	/* own source: a node hears its own PDU (a relay's copy) */
	mtu_fini(&world);
	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(ntu_message(16), 0x1201);
	feed(n, 16, -ELOOP);
	assert_int_equal(mp_mesh_stats(n->m)->drop_own_src, 1);
	mtu_fini(&world);
}

/* A sample's device-key message at its destination with no device key for
 * either address: counted as no key, not delivered. */
static void test_no_device_key(void **state)
{
	struct mtu_node *n;

	(void)state;
	mtu_init(&world, 1, 0, 0, 0);
	n = sample_node(ntu_message(16), 0x0003);
	n->ndev = 0;
	feed(n, 16, -EACCES);
	assert_int_equal(mp_mesh_stats(n->m)->drop_no_key, 1);
	assert_int_equal(n->delivered, 0);
	mtu_fini(&world);
}

int main(void)
{
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(access_samples) / sizeof(access_samples[0]); i++) {
		struct json_object *m = ntu_message(access_samples[i]);

		snprintf(name, sizeof(name), "send through the stack: %s", tu_str(m, "name"));
		ntu_add(name, test_send, m);
		snprintf(name, sizeof(name), "receive through the stack: %s", tu_str(m, "name"));
		ntu_add(name, test_receive, m);
	}
	ntu_add("8.3.6-8.3.9: Segment Acknowledgments, OBO, the retransmission",
		test_exchange_8_3_6_to_9, NULL);
	ntu_add("8.3.2: a control message delivered", test_control_8_3_2, NULL);
	ntu_add("not for us: all-friends, another node, own source", test_not_for_us, NULL);
	ntu_add("a device-key message without the device key", test_no_device_key, NULL);
	return ntu_run("mesh stack: 8.3 samples");
}
