/* The simulated node end to end: a device of the simulated radio is
 * provisioned by the engine over PB-ADV (the engine harness, behind
 * sim_node_world.h), becomes a node, and a provisioner-role mesh stack
 * (mesh/stack.h) on the same radio, speaking through the engine's Mesh
 * Message bearer (mp_engine_net_send / mp_engine_net_receive, AD 0x2A),
 * configures it with the device key and drives its Generic OnOff Server
 * with an AppKey. Every request and expected answer is written here from
 * the layouts of MshPRT v1.1 4.3.2 and MshMDL v1.1 3.2.1 / 4.3.2, never
 * produced by the client's codecs. All on the harness's fake clock.
 */
#include <errno.h>
#include <string.h>

#include "mesh/stack.h"
#include "sim/node.h"
#include "sim/node_cfg.h"
#include "sim/radio.h"
#include "sim_node_world.h"
#include "testutil.h"

#define PROV_ADDR 0x7f00	/* the provisioner stack's element */
#define APP_IDX 0x123
#define TIMERS 12		/* 4 SAR transmitter slots, 4 receiver slots with two each */
#define GROUP 0xc001

static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
				     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
static const uint8_t label[16] = { 0xf4, 0xa0, 0x02, 0xc7, 0xfb, 0x1e, 0x4c, 0xa0,
				   0xa4, 0x69, 0xa0, 0x21, 0xde, 0x0d, 0xb8, 0x75 };

struct ptimer {
	struct prov *p;
	unsigned id;
	int64_t handle;
};

/* The provisioner side. */
struct prov {
	struct snw *w;
	struct mp_mesh *m;
	uint16_t node;			/* the node's primary element */
	uint8_t dev_key[16];
	uint32_t seq;
	struct ptimer t[TIMERS];
	/* the last access message delivered */
	unsigned got;
	uint16_t got_src;
	uint32_t got_op;		/* its opcode (1 or 2 octets) */
	uint8_t payload[MP_MESH_ACCESS_MAX];
	size_t len;
	bool seg;
	uint32_t want_op;		/* snw_run's predicate: this opcode came */
};

static void p_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	struct prov *p = user;

	(void)net_idx;
	assert_int_equal(mp_engine_net_send(snw_engine(p->w), pdu, len,
					    MP_ENGINE_NET_TRANSMIT(2, 1)), 0);
}

static void p_timer_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct ptimer *t = data;

	(void)loop;
	(void)id;
	t->handle = 0;
	mp_mesh_timeout(t->p->m, t->id);
}

static void p_timer(void *user, unsigned id, uint32_t ms)
{
	struct prov *p = user;
	struct ptimer *t = &p->t[id];

	assert_true(id < TIMERS);
	if (t->handle)
		mp_loop_timer_cancel(snw_loop(p->w), t->handle);
	t->handle = ms ? mp_loop_timer_add(snw_loop(p->w), ms, p_timer_cb, t) : 0;
}

static int p_seq_next(void *user, uint32_t *seq)
{
	struct prov *p = user;

	*seq = p->seq++;
	return 0;
}

static int p_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	struct prov *p = user;

	if (addr != p->node)
		return -ENOENT;
	memcpy(key, p->dev_key, 16);
	return 0;
}

static void p_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct prov *p = user;

	p->got++;
	p->got_src = msg->src;
	p->seg = msg->seg;
	p->len = msg->len;
	memcpy(p->payload, msg->payload, msg->len);
	p->got_op = msg->payload[0] & 0x80 ? (uint32_t)msg->payload[0] << 8 | msg->payload[1]
					   : msg->payload[0];
}

static const struct mp_mesh_ops p_ops = {
	.send = p_send, .timer = p_timer, .seq_next = p_seq_next, .dev_key = p_dev_key,
	.deliver = p_deliver,
};

static void p_rx(void *user, const uint8_t *pdu, size_t len, const struct mp_adv_report *r)
{
	struct prov *p = user;

	(void)r;
	mp_mesh_rx(p->m, pdu, len);
}

static struct prov *prov_new(unsigned loss_pct)
{
	struct prov *p = calloc(1, sizeof(*p));
	const struct mp_sim_prov_result *res;
	struct mp_mesh_config mc = { .ops = &p_ops, .addr = PROV_ADDR, .elements = 1,
				     .tx_slots = 4, .rx_slots = 4 };

	assert_non_null(p);
	assert_int_equal(snw_new(&p->w, 0x5eed, loss_pct), 0);
	res = snw_result(p->w);
	p->node = res->unicast;
	memcpy(p->dev_key, res->device_key, 16);
	mc.user = p;
	p->m = mp_mesh_new(&mc);
	assert_non_null(p->m);
	assert_int_equal(mp_mesh_timer_count(p->m), TIMERS);
	for (unsigned i = 0; i < TIMERS; i++) {
		p->t[i].p = p;
		p->t[i].id = i;
	}
	assert_int_equal(mp_mesh_set_iv(p->m, res->iv_index, res->flags & 2), 0);
	assert_int_equal(mp_mesh_subnet_add(p->m, res->net_key_index, res->net_key), 0);
	assert_int_equal(mp_engine_net_receive(snw_engine(p->w), p_rx, p), 0);
	/* the device is a node now */
	assert_non_null(mp_sim_radio_node(snw_radio(p->w), 0));
	return p;
}

static void prov_free(struct prov *p)
{
	mp_engine_net_receive(snw_engine(p->w), NULL, NULL);
	for (unsigned i = 0; i < TIMERS; i++)
		if (p->t[i].handle)
			mp_loop_timer_cancel(snw_loop(p->w), p->t[i].handle);
	mp_mesh_free(p->m);
	snw_free(p->w);
	free(p);
}

static bool got_want(void *user)
{
	struct prov *p = user;

	return p->got && p->got_op == p->want_op;
}

/* Send @hex (an access message) to @dst with @key, and wait up to 10 s of
 * simulated time for @want_op (0: wait the 10 s, expecting nothing). Up to
 * @tries sends, like a client that asks again. 0 when the answer came. */
static int request(struct prov *p, uint16_t dst, const uint8_t *lbl, uint16_t key,
		   const char *hex, uint32_t want_op, unsigned tries)
{
	uint8_t msg[MP_MESH_ACCESS_MAX];
	size_t len = tu_unhex(hex, msg, sizeof(msg));
	struct mp_mesh_tx tx = { .src = PROV_ADDR, .dst = dst, .label = lbl,
				 .net_idx = snw_result(p->w)->net_key_index, .key = key,
				 .ttl = MP_MESH_TTL_DEFAULT, .payload = msg, .len = len };
	int err = -ETIMEDOUT;

	for (unsigned i = 0; i < tries && err; i++) {
		int rc;

		p->got = 0;
		p->want_op = want_op;
		rc = mp_mesh_send_access(p->m, &tx, NULL);
		if (rc == -EBUSY) {	/* the previous segmented one still going */
			snw_run_for(p->w, 1000);
			continue;
		}
		assert_true(rc >= 0);
		if (!want_op) {
			snw_run_for(p->w, 10000);
			return p->got ? -EEXIST : 0;
		}
		err = snw_run(p->w, got_want, p, 10000);
	}
	return err;
}

static uint8_t status_of(struct prov *p, size_t at)
{
	assert_true(p->len > at);
	return p->payload[at];
}

/* Config AppKey Add (0x00): NetKeyIndex 12 bits and AppKeyIndex 12 bits in 3
 * octets, then the key (4.3.2.37); the Status (0x8003) starts with the
 * status code. Then Config Model App Bind (0x803D) of the Generic OnOff
 * Server, Status 0x803E. */
static void add_and_bind(struct prov *p, unsigned tries)
{
	char hex[128];
	uint16_t net_idx = snw_result(p->w)->net_key_index;
	uint32_t idx = (uint32_t)net_idx | (uint32_t)APP_IDX << 12;

	snprintf(hex, sizeof(hex), "00%02x%02x%02x", idx & 0xff, (idx >> 8) & 0xff, idx >> 16);
	for (unsigned i = 0; i < 16; i++)
		snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x", app_key[i]);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x8003, tries), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	snprintf(hex, sizeof(hex), "803d%02x%02x%02x%02x0010", p->node & 0xff, p->node >> 8,
		 APP_IDX & 0xff, APP_IDX >> 8);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x803e, tries), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	assert_int_equal(mp_mesh_app_key_add(p->m, APP_IDX, net_idx, app_key), 0);
}

/* Config Composition Data Get, page 0 (0x8008 00): the Status (0x02) is
 * page 0 of the default composition, which does not fit one PDU. */
static void test_composition(void **state)
{
	struct prov *p = prov_new(0);
	static const uint8_t want[] = {
		0x02, 0x00,				/* opcode, page 0 */
		0xf1, 0x05, 0x01, 0x00, 0x01, 0x00,	/* CID, PID, VID */
		0x20, 0x00, 0x00, 0x00,			/* CRPL 32, no features */
		0x00, 0x00, 0x03, 0x00,			/* Loc, NumS 3, NumV 0 */
		0x00, 0x00, 0x02, 0x00, 0x00, 0x10,	/* 0x0000, 0x0002, 0x1000 */
	};

	(void)state;
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, "800800", 0x02, 1), 0);
	assert_int_equal(p->got_src, p->node);
	assert_true(p->seg);
	assert_int_equal(p->len, sizeof(want));
	assert_memory_equal(p->payload, want, sizeof(want));
	prov_free(p);
}

/* Before AppKey Add the node has no AppKey: an OnOff Get under it is
 * dropped unanswered. After it and the binding, OnOff Set answers. */
static void test_app_key_onoff(void **state)
{
	struct prov *p = prov_new(0);
	struct mp_sim_node *node = mp_sim_radio_node(snw_radio(p->w), 0);

	(void)state;
	assert_int_equal(mp_mesh_app_key_add(p->m, APP_IDX, snw_result(p->w)->net_key_index,
					     app_key), 0);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "8201", 0, 1), 0);
	assert_true(mp_sim_node_stats(node)->drop_no_key > 0);
	assert_int_equal(mp_mesh_app_key_del(p->m, APP_IDX), 0);

	add_and_bind(p, 1);
	/* Generic OnOff Set (0x8202): OnOff 1, TID 7; Status 0x8204 01 */
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "82020107", 0x8204, 1), 0);
	assert_int_equal(p->len, 3);
	assert_int_equal(status_of(p, 2), 1);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);
	/* Set Unacknowledged 0 with the same TID within 6 s: the same
	 * transaction, not applied again; with a new TID it is */
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "82030007", 0, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "82030008", 0, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 0);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "82020109", 0x8204, 1), 0);
	/* Get */
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "8201", 0x8204, 1), 0);
	assert_int_equal(status_of(p, 2), 1);
	prov_free(p);
}

static void test_attention(void **state)
{
	struct prov *p = prov_new(0);
	struct mp_sim_node *node = mp_sim_radio_node(snw_radio(p->w), 0);
	char hex[64];

	(void)state;
	add_and_bind(p, 1);
	snprintf(hex, sizeof(hex), "803d%02x%02x%02x%02x0200", p->node & 0xff, p->node >> 8,
		 APP_IDX & 0xff, APP_IDX >> 8);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x803e, 1), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "800505", 0x8007, 1), 0);
	assert_int_equal(p->len, 3);
	assert_int_equal(status_of(p, 2), 5);
	snw_run_for(p->w, 10000);
	assert_int_equal(mp_sim_node_attention(node), 0);
	prov_free(p);
}

static void test_unbound_health_silent(void **state)
{
	struct prov *p = prov_new(0);

	(void)state;
	add_and_bind(p, 1);
	/* only the OnOff Server is bound: the Health Server stays silent */
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "800505", 0, 1), 0);
	prov_free(p);
}

/* Config Model Subscription Add (0x801B: ElementAddress, Address, ModelID),
 * Status 0x801F; and the Virtual Address Add (0x8020, a Label UUID). */
static void test_subscriptions(void **state)
{
	struct prov *p = prov_new(0);
	struct mp_sim_node *node = mp_sim_radio_node(snw_radio(p->w), 0);
	char hex[96];
	uint16_t vaddr;

	(void)state;
	add_and_bind(p, 1);
	/* a group message before the subscription is not for the node */
	assert_int_equal(request(p, GROUP, NULL, APP_IDX, "82030101", 0, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 0);

	snprintf(hex, sizeof(hex), "801b%02x%02x%02x%02x0010", p->node & 0xff, p->node >> 8,
		 GROUP & 0xff, GROUP >> 8);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x801f, 1), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	/* Set Unacknowledged (0x8203) to the group: applied, no answer */
	assert_int_equal(request(p, GROUP, NULL, APP_IDX, "82030102", 0, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);
	/* an acknowledged Set to the group is answered from the element */
	assert_int_equal(request(p, GROUP, NULL, APP_IDX, "82020003", 0x8204, 1), 0);
	assert_int_equal(p->got_src, p->node);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 0);

	/* a virtual address */
	assert_int_equal(mp_sim_virtual_addr(label, &vaddr), 0);
	snprintf(hex, sizeof(hex), "8020%02x%02x", p->node & 0xff, p->node >> 8);
	for (unsigned i = 0; i < 16; i++)
		snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x", label[i]);
	strcat(hex, "0010");
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x801f, 1), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	assert_int_equal(request(p, vaddr, label, APP_IDX, "82020104", 0x8204, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);

	/* Delete the group (0x801C): group messages stop reaching it */
	snprintf(hex, sizeof(hex), "801c%02x%02x%02x%02x0010", p->node & 0xff, p->node >> 8,
		 GROUP & 0xff, GROUP >> 8);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x801f, 1), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	assert_int_equal(request(p, GROUP, NULL, APP_IDX, "82030005", 0, 1), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);
	prov_free(p);
}

/* AppKey Delete (0x8000: the two indexes) takes the key out of the node's
 * stack: an OnOff Get under it is answered no more. */
static void test_app_key_delete(void **state)
{
	struct prov *p = prov_new(0);
	char hex[32];
	uint16_t net_idx = snw_result(p->w)->net_key_index;
	uint32_t idx = (uint32_t)net_idx | (uint32_t)APP_IDX << 12;

	(void)state;
	add_and_bind(p, 1);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "8201", 0x8204, 1), 0);
	snprintf(hex, sizeof(hex), "8000%02x%02x%02x", idx & 0xff, (idx >> 8) & 0xff, idx >> 16);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, hex, 0x8003, 1), 0);
	assert_int_equal(status_of(p, 2), MP_SIM_CFG_SUCCESS);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "8201", 0, 1), 0);
	prov_free(p);
}

/* Config Node Reset (0x8049): Status 0x804A, then silence; the device
 * leaves and beacons as an unprovisioned device again. */
static void test_node_reset(void **state)
{
	struct prov *p = prov_new(0);

	(void)state;
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, "8049", 0x804a, 1), 0);
	snw_run_for(p->w, 100);
	assert_null(mp_sim_radio_node(snw_radio(p->w), 0));
	assert_int_equal(mp_sim_radio_provisioned(snw_radio(p->w)), 0);
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, "800800", 0, 1), 0);
	prov_free(p);
}

/* 30 % of every copy lost, both ways: the segmented exchanges complete
 * through the SAR machines (and the client asking again when an
 * unsegmented request or answer is lost every time). */
static void test_lossy(void **state)
{
	struct prov *p = prov_new(30);
	struct mp_sim_node *node = mp_sim_radio_node(snw_radio(p->w), 0);

	(void)state;
	assert_int_equal(request(p, p->node, NULL, MP_MESH_KEY_DEV, "800800", 0x02, 5), 0);
	assert_int_equal(p->len, 22);
	add_and_bind(p, 5);
	assert_int_equal(request(p, p->node, NULL, APP_IDX, "82020111", 0x8204, 5), 0);
	assert_int_equal(mp_sim_node_onoff(node, p->node), 1);
	prov_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_composition),
		cmocka_unit_test(test_app_key_onoff),
		cmocka_unit_test(test_attention),
		cmocka_unit_test(test_unbound_health_silent),
		cmocka_unit_test(test_subscriptions),
		cmocka_unit_test(test_app_key_delete),
		cmocka_unit_test(test_node_reset),
		cmocka_unit_test(test_lossy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
