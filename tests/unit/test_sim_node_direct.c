/* The simulated node (sim/node.h) as a pure object, without a radio: a
 * provisioner-role mesh stack and the node joined by an in-memory air on
 * a fake clock, so that what the node gives its owner can be checked
 * exactly: the Network Transmit state with each PDU (and its repetitions
 * on the clock), a configured composition, messages reaching the right
 * element, the reset. Requests and answers are written from MshPRT v1.1
 * 4.3.2 and MshMDL v1.1 3.2.1 by hand.
 */
#include <errno.h>
#include <string.h>

#include "mesh/stack.h"
#include "net/beacon.h"
#include "sim/node.h"
#include "sim/node_cfg.h"
#include "testutil.h"

#define PROV 0x7f00
#define NODE 0x0100
#define APP_IDX 0x001
#define GROUP 0xc005
#define QMAX 256
#define PTIMERS 12
#define NTIMERS 32

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
				     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
				     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
				     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };

struct pkt {
	uint64_t due;
	bool to_node;
	uint8_t pdu[29];
	size_t len;
};

static struct world {
	uint64_t now;
	struct mp_mesh *p;
	struct mp_sim_node *n;
	uint32_t pseq;
	uint64_t pdue[PTIMERS], ndue[NTIMERS];	/* 0: not armed */
	struct pkt q[QMAX];
	size_t nq;
	/* the node's sends */
	unsigned node_sends;
	uint8_t last_transmit;
	uint64_t node_air[64];		/* when each copy went on the air */
	unsigned n_air;
	unsigned resets;
	/* the provisioner's last delivery */
	unsigned got;
	uint16_t got_src;
	uint8_t payload[MP_MESH_ACCESS_MAX];
	size_t len;
} W;

static void put(bool to_node, uint64_t due, const uint8_t *pdu, size_t len)
{
	struct pkt *k = &W.q[W.nq++];

	assert_true(W.nq <= QMAX);
	k->due = due;
	k->to_node = to_node;
	memcpy(k->pdu, pdu, len);
	k->len = len;
}

/* ---- the provisioner stack ---- */

static void p_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	(void)user;
	(void)net_idx;
	put(true, W.now + 1, pdu, len);
}

static void p_timer(void *user, unsigned id, uint32_t ms)
{
	(void)user;
	assert_true(id < PTIMERS);
	W.pdue[id] = ms ? W.now + ms : 0;
}

static int p_seq(void *user, uint32_t *seq)
{
	(void)user;
	*seq = W.pseq++;
	return 0;
}

static int p_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	(void)user;
	if (addr < NODE || addr > NODE + 1)
		return -ENOENT;
	memcpy(key, dev_key, 16);
	return 0;
}

static void p_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	(void)user;
	W.got++;
	W.got_src = msg->src;
	W.len = msg->len;
	memcpy(W.payload, msg->payload, msg->len);
}

static const struct mp_mesh_ops p_ops = { .send = p_send, .timer = p_timer, .seq_next = p_seq,
					  .dev_key = p_dev_key, .deliver = p_deliver };

/* ---- the node's owner ---- */

static void n_send(void *user, const uint8_t *pdu, size_t len, uint8_t transmit)
{
	unsigned count = (transmit & 7u) + 1, ms = ((transmit >> 3) + 1u) * 10u;

	(void)user;
	W.node_sends++;
	W.last_transmit = transmit;
	for (unsigned i = 0; i < count; i++) {
		if (W.n_air < 64)
			W.node_air[W.n_air++] = W.now + i * ms;
		put(false, W.now + 1 + i * ms, pdu, len);
	}
}

static void n_timer(void *user, unsigned id, uint32_t ms)
{
	(void)user;
	assert_true(id < NTIMERS);
	W.ndue[id] = ms ? W.now + ms : 0;
}

static void n_reset(void *user)
{
	(void)user;
	W.resets++;
}

static const struct mp_sim_node_ops n_ops = { .send = n_send, .timer = n_timer,
					      .reset = n_reset };

/* Run everything due, jumping the clock, for @ms. */
static void run(uint64_t ms)
{
	uint64_t end = W.now + ms;

	for (;;) {
		uint64_t next = UINT64_MAX;
		int kind = -1;
		size_t which = 0;

		for (size_t i = 0; i < W.nq; i++)
			if (W.q[i].due < next) {
				next = W.q[i].due;
				kind = 0;
				which = i;
			}
		for (size_t i = 0; i < PTIMERS; i++)
			if (W.pdue[i] && W.pdue[i] < next) {
				next = W.pdue[i];
				kind = 1;
				which = i;
			}
		for (size_t i = 0; i < NTIMERS; i++)
			if (W.ndue[i] && W.ndue[i] < next) {
				next = W.ndue[i];
				kind = 2;
				which = i;
			}
		if (kind < 0 || next > end)
			break;
		W.now = next;
		if (kind == 0) {
			struct pkt k = W.q[which];

			W.q[which] = W.q[--W.nq];
			if (k.to_node)
				mp_sim_node_rx(W.n, k.pdu, k.len);
			else
				mp_mesh_rx(W.p, k.pdu, k.len);
		} else if (kind == 1) {
			W.pdue[which] = 0;
			mp_mesh_timeout(W.p, (unsigned)which);
		} else {
			W.ndue[which] = 0;
			mp_sim_node_timeout(W.n, (unsigned)which);
		}
	}
	W.now = end;
}

/* Two elements: the primary with the Configuration, Health and Generic
 * OnOff Servers and a vendor model, the second with a Generic OnOff
 * Server; Relay supported. */
static void comp2(struct mp_sim_comp *c)
{
	memset(c, 0, sizeof(*c));
	c->cid = 0x05f1;
	c->pid = 0x0001;
	c->vid = 0x0001;
	c->crpl = 0x0020;
	c->features = MP_SIM_FEAT_RELAY;
	c->n_elements = 2;
	c->elements[0].n_models = 4;
	c->elements[0].models[0].id = 0x0000;
	c->elements[0].models[1].id = 0x0002;
	c->elements[0].models[2].id = 0x1000;
	c->elements[0].models[3] = (struct mp_sim_model){ .vendor = true, .cid = 0x05f1, .id = 1 };
	c->elements[1].loc = 0x0001;
	c->elements[1].n_models = 1;
	c->elements[1].models[0].id = 0x1000;
}

static void world_up(const struct mp_sim_comp *comp, uint8_t elements)
{
	struct mp_sim_prov_result res = { .net_key_index = 0, .unicast = NODE,
					  .elements = elements, .iv_index = 0x12345678 };
	struct mp_sim_node_params np = { .prov = &res, .comp = comp, .ops = &n_ops };
	struct mp_mesh_config mc = { .ops = &p_ops, .addr = PROV, .elements = 1,
				     .tx_slots = 4, .rx_slots = 4 };

	memset(&W, 0, sizeof(W));
	W.now = 1000;
	memcpy(res.net_key, net_key, 16);
	memcpy(res.device_key, dev_key, 16);
	assert_int_equal(mp_sim_node_new(&np, &W.n), 0);
	assert_true(mp_sim_node_timer_count(W.n) <= NTIMERS);
	W.p = mp_mesh_new(&mc);
	assert_non_null(W.p);
	assert_int_equal(mp_mesh_timer_count(W.p), PTIMERS);
	assert_int_equal(mp_mesh_set_iv(W.p, 0x12345678, false), 0);
	assert_int_equal(mp_mesh_subnet_add(W.p, 0, net_key), 0);
}

static void world_down(void)
{
	mp_mesh_free(W.p);
	mp_sim_node_free(W.n);
}

/* Send @hex to @dst under @key and run 5 s; the number of deliveries. */
static unsigned ask(uint16_t dst, uint16_t key, const char *hex)
{
	uint8_t msg[MP_MESH_ACCESS_MAX];
	struct mp_mesh_tx tx = { .src = PROV, .dst = dst, .net_idx = 0, .key = key,
				 .ttl = MP_MESH_TTL_DEFAULT, .payload = msg };

	tx.len = tu_unhex_spaced(hex, msg, sizeof(msg));
	W.got = 0;
	assert_true(mp_mesh_send_access(W.p, &tx, NULL) >= 0);
	run(5000);
	return W.got;
}

static void expect(const char *hex)
{
	uint8_t want[MP_MESH_ACCESS_MAX];
	size_t n = tu_unhex_spaced(hex, want, sizeof(want));

	assert_int_equal(W.len, n);
	assert_memory_equal(W.payload, want, n);
}

static void test_composition_configured(void **state)
{
	struct mp_sim_comp c;

	(void)state;
	comp2(&c);
	world_up(&c, 2);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800800"), 1);
	/* 4.2.2.1: CID PID VID CRPL Features, then each element: Loc NumS NumV
	 * SIG models, vendor models */
	expect("02 00 f105 0100 0100 2000 0100"
	       " 0000 03 01 0000 0200 0010 f105 0100"
	       " 0100 01 00 0010");
	world_down();
}

static void test_element_count_checked(void **state)
{
	struct mp_sim_comp c;
	struct mp_sim_prov_result res = { .unicast = NODE, .elements = 1 };
	struct mp_sim_node_params np = { .prov = &res, .comp = &c, .ops = &n_ops };
	struct mp_sim_node *n;

	(void)state;
	comp2(&c);
	assert_int_equal(mp_sim_node_new(&np, &n), -EINVAL);
	np.ops = NULL;
	assert_int_equal(mp_sim_node_new(&np, &n), -EINVAL);
}

/* Network Transmit (4.2.20): the default three transmissions 20 ms apart go
 * with every PDU; Config Network Transmit Set (0x8024) changes it. */
static void test_network_transmit(void **state)
{
	(void)state;
	world_up(NULL, 1);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8023"), 1);	/* Get */
	expect("8025 0a");
	assert_int_equal(W.last_transmit, 0x0a);
	assert_int_equal(W.n_air, 3);
	assert_true(W.node_air[1] - W.node_air[0] == 20 && W.node_air[2] - W.node_air[1] == 20);
	/* five transmissions, 40 ms apart */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8024 1c"), 1);
	expect("8025 1c");
	W.n_air = 0;
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8023"), 1);
	assert_int_equal(W.last_transmit, 0x1c);
	assert_int_equal(W.n_air, 5);
	assert_int_equal(W.node_air[4] - W.node_air[0], 160);
	world_down();
}

/* A group message reaches only the element whose model subscribes; the
 * all-nodes address only the primary element. */
static void test_elements(void **state)
{
	struct mp_sim_comp c;

	(void)state;
	comp2(&c);
	world_up(&c, 2);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV,
			     "00 001000 63964771734fbd76e3b40519d1d94a48"), 1);
	expect("8003 00 001000");
	assert_int_equal(mp_mesh_app_key_add(W.p, APP_IDX, 0, app_key), 0);
	/* bind the OnOff Servers of both elements, subscribe the second's */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "803d 0001 0100 0010"), 1);
	expect("803e 00 0001 0100 0010");
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "803d 0101 0100 0010"), 1);
	expect("803e 00 0101 0100 0010");
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "801b 0101 05c0 0010"), 1);
	expect("801f 00 0101 05c0 0010");

	assert_int_equal(ask(GROUP, APP_IDX, "8202 01 01"), 1);
	assert_int_equal(W.got_src, NODE + 1);
	expect("8204 01");
	assert_int_equal(mp_sim_node_onoff(W.n, NODE + 1), 1);
	assert_int_equal(mp_sim_node_onoff(W.n, NODE), 0);
	assert_int_equal(ask(0xffff, APP_IDX, "8202 01 02"), 1);
	assert_int_equal(W.got_src, NODE);
	assert_int_equal(mp_sim_node_onoff(W.n, NODE), 1);
	/* unicast to the second element; a prohibited OnOff value is ignored */
	assert_int_equal(ask(NODE + 1, APP_IDX, "8202 00 03"), 1);
	assert_int_equal(mp_sim_node_onoff(W.n, NODE + 1), 0);
	assert_int_equal(ask(NODE + 1, APP_IDX, "8202 02 04"), 0);
	/* a 3-octet Set (neither 2 nor 4 parameters) is not understood */
	assert_int_equal(ask(NODE + 1, APP_IDX, "8202 01 05 00"), 0);
	assert_int_equal(mp_sim_node_onoff(W.n, NODE + 1), 0);
	world_down();
}

static void test_reset(void **state)
{
	uint8_t pdu[29] = { 0 };

	(void)state;
	world_up(NULL, 1);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8049"), 1);
	expect("804a");
	assert_int_equal(W.resets, 1);
	assert_true(mp_sim_node_is_reset(W.n));
	assert_int_equal(mp_sim_node_rx(W.n, pdu, sizeof(pdu)), -ESHUTDOWN);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800800"), 0);
	world_down();
}

/* The provisioner's stack again, with @key only (its SEQ goes on). */
static void prov_with(const uint8_t key[16])
{
	struct mp_mesh_config mc = { .ops = &p_ops, .addr = PROV, .elements = 1,
				     .tx_slots = 4, .rx_slots = 4 };

	mp_mesh_free(W.p);
	W.p = mp_mesh_new(&mc);
	assert_non_null(W.p);
	assert_int_equal(mp_mesh_set_iv(W.p, 0x12345678, false), 0);
	assert_int_equal(mp_mesh_subnet_add(W.p, 0, key), 0);
}

/* Key Refresh on the node (MshPRT v1.1 3.11.4, 4.3.2 NetKey Update and
 * Key Refresh Phase Set): the node's stack follows its server's phase. In
 * Phase 1 it still sends with the old key, in Phase 2 with the new one
 * (a provisioner holding only the new key hears it), and after
 * transition 3 it no longer hears the old key. */
static void test_key_refresh(void **state)
{
	static const char *nk_update = "8045 0000 00112233445566778899aabbccddeeff";
	static const uint8_t new_key[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	uint8_t phase = 9, k[16];

	(void)state;
	world_up(NULL, 1);
	/* Phase 1: the provisioner sends with the old key, receives both */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, nk_update), 1);
	expect("8044 00 0000");
	assert_int_equal(mp_sim_cfg_net_key(mp_sim_node_cfg(W.n), 0, NULL, k, &phase), 0);
	assert_int_equal(phase, 1);
	assert_memory_equal(k, new_key, 16);
	/* the same update again is Success; another key is Key Index Already Stored */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, nk_update), 1);
	expect("8044 00 0000");
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8045 0000 ffeeddccbbaa99887766554433221100"), 1);
	expect("8044 06 0000");
	assert_int_equal(mp_subnet_kr_start(mp_mesh_subnet(W.p, 0), new_key), 0);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8015 0000"), 1);
	expect("8017 00 0000 01");
	/* Phase 2: sent with the new key; a provisioner with the new key only hears it */
	assert_int_equal(mp_subnet_kr_use_new(mp_mesh_subnet(W.p, 0)), 0);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8016 0000 02"), 1);
	expect("8017 00 0000 02");
	assert_int_equal(mp_mesh_kr_finish(W.p, 0), 0);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800c"), 1);	/* Default TTL Get */
	expect("800e 05");
	/* Phase 2 with transition 2 again: nothing changes */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8016 0000 02"), 1);
	expect("8017 00 0000 02");
	/* an update in Phase 2 cannot be */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, nk_update), 1);
	expect("8044 0b 0000");
	/* transition 3: Phase 0, the new key only */
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8016 0000 03"), 1);
	expect("8017 00 0000 00");
	assert_int_equal(mp_sim_cfg_net_key(mp_sim_node_cfg(W.n), 0, k, NULL, &phase), 0);
	assert_int_equal(phase, 0);
	assert_memory_equal(k, new_key, 16);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800c"), 1);
	/* a provisioner with the old key only is not heard any more */
	prov_with(net_key);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800c"), 0);
	/* transition 2 in Phase 0 is no transition: not answered */
	prov_with(new_key);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8016 0000 02"), 0);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8016 0000 03"), 1);
	expect("8017 00 0000 00");
	world_down();
}

/* A Secure Network beacon under @key with @flags at the world's IV index. */
static size_t snb(const uint8_t key[16], uint8_t flags, uint8_t *out)
{
	struct mp_subnet s;
	ssize_t n;

	assert_int_equal(mp_subnet_init(&s, 0, key), 0);
	n = mp_snb_encode(mp_subnet_tx_keys(&s), flags, 0x12345678, out, MP_SNB_LEN);
	mp_subnet_wipe(&s);
	assert_int_equal(n, MP_SNB_LEN);
	return (size_t)n;
}

static uint8_t node_phase(void)
{
	uint8_t phase = 9;

	assert_int_equal(mp_sim_cfg_net_key(mp_sim_node_cfg(W.n), 0, NULL, NULL, &phase), 0);
	return phase;
}

/* The Key Refresh flag of a beacon heard (MshPRT v1.1 3.11.4.2, 3.11.4.3):
 * a node in Phase 1 that hears a Secure Network beacon under the new key
 * with the flag set moves to Phase 2 (and sends with the new key); one
 * under the new key with the flag clear revokes the old key (Phase 0).
 * Beacons under the old key, forged ones and those of another network
 * change nothing; so does the flag in Phase 0. A Mesh Private beacon under
 * the new key carries the same flag (3.10.4). */
static void test_key_refresh_by_beacon(void **state)
{
	static const uint8_t new_key[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t other[16] = { 0x01 };
	static const uint8_t rnd[MP_PRIVATE_RANDOM_LEN] = { 0x42 };
	uint8_t b[32], k[16];
	struct mp_subnet s;

	(void)state;
	world_up(NULL, 1);
	/* Phase 0: the flag under the only key says nothing */
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(net_key, 1, b)), 0);
	assert_int_equal(node_phase(), 0);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8045 0000 00112233445566778899aabbccddeeff"), 1);
	expect("8044 00 0000");
	assert_int_equal(node_phase(), 1);

	/* Phase 1: the old key's beacon, with or without the flag, another
	 * network's, a forged one: nothing */
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(net_key, 1, b)), 0);
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(net_key, 0, b)), 0);
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(other, 1, b)), -ENOKEY);
	snb(new_key, 1, b);
	b[MP_SNB_LEN - 1] ^= 1;
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, MP_SNB_LEN), -EBADMSG);
	assert_int_equal(node_phase(), 1);

	/* the new key with the flag: Phase 2, sent with the new key (a
	 * provisioner with the new key only hears the node) */
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(new_key, 1, b)), 1);
	assert_int_equal(node_phase(), 2);
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(new_key, 1, b)), 0);
	prov_with(new_key);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800c"), 1);
	expect("800e 05");

	/* the new key without the flag: the old key revoked, Phase 0 */
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, snb(new_key, 0, b)), 1);
	assert_int_equal(node_phase(), 0);
	assert_int_equal(mp_sim_cfg_net_key(mp_sim_node_cfg(W.n), 0, k, NULL, NULL), 0);
	assert_memory_equal(k, new_key, 16);
	prov_with(net_key);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "800c"), 0);

	/* Phase 1 again (another refresh), straight to Phase 0 on a Mesh
	 * Private beacon under the newest key with the flag clear */
	prov_with(new_key);
	assert_int_equal(ask(NODE, MP_MESH_KEY_DEV, "8045 0000 ffeeddccbbaa99887766554433221100"), 1);
	expect("8044 00 0000");
	assert_int_equal(node_phase(), 1);
	tu_unhex_spaced("ffeeddccbbaa99887766554433221100", k, sizeof(k));
	assert_int_equal(mp_subnet_init(&s, 0, k), 0);
	assert_int_equal(mp_private_beacon_encode(mp_subnet_tx_keys(&s)->private_beacon_key, rnd,
						  0, 0x12345678, b, sizeof(b)), 27);
	mp_subnet_wipe(&s);
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, 27), 1);
	assert_int_equal(node_phase(), 0);

	/* not a beacon of a provisioned network */
	b[0] = 0x00;
	assert_int_equal(mp_sim_node_beacon_rx(W.n, b, 19), -EPROTOTYPE);
	world_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_composition_configured),
		cmocka_unit_test(test_element_count_checked),
		cmocka_unit_test(test_network_transmit),
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_key_refresh),
		cmocka_unit_test(test_key_refresh_by_beacon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
