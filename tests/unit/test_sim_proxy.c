/* The simulated node's GATT Proxy server (sim/node.h, src/sim/radio_proxy.c)
 * against the engine's GATT Proxy client (engine/proxy_link.h) and the
 * provisioner's network (engine/mesh_link.h), on the engine harness and its
 * fake clock: a device provisioned over PB-ADV or PB-GATT advertises the
 * Mesh Proxy Service with its network's Network ID (MshPRT v1.1 7.2.2.2.2),
 * takes a connection, answers the proxy filter set up with Filter Status
 * (6.7), and carries Configuration messages both ways as Proxy PDUs (the
 * segmented Composition Data Status included) while the advertising bearer
 * loses everything; a node relays between its client and another node;
 * a reject list with our address holds the answers back; the GATT Proxy
 * state turned off ends the connection and the advertising; what a node's
 * proxy refuses; a node reset ends the connection.
 * Issue #13. */
/* beacon_io.h before adv/adv.h (engine.h): see src/engine/mesh_link.c. */
#include "net/beacon_io.h"

#include "engine_tu.h"

#include <errno.h>
#include <string.h>

#include "bearer/proxy.h"
#include "config/comp.h"
#include "config/msg.h"
#include "engine/mesh_link.h"
#include "engine/proxy_link.h"
#include "mesh/stack.h"
#include "net/proxy_adv.h"
#include "net/proxy_cfg.h"
#include "sim/node.h"

#define MAX_PROXIES 4

static struct {
	struct eh *h;
	struct mp_mesh_link *ml;
	struct mp_proxy_link *pl;
	/* the proxies heard, by address */
	struct {
		uint8_t addr[6];
		uint8_t type;
	} heard[MAX_PROXIES];
	unsigned nheard, adv_other;
	bool ready, closed;
	int closed_err;
	unsigned statuses, agreed;
	uint16_t last_list;
	/* the provisioner's answers */
	unsigned answers;
	uint16_t answer_src;
	struct mp_cfg_msg last;
	uint8_t last_buf[MP_MESH_ACCESS_MAX];
} T;

/* ---- the engine's side ---- */

static void proxy_heard(void *user, const struct mp_proxy_adv *a, const struct mp_adv_report *r)
{
	struct mp_proxy_adv_match m;
	size_t n;
	const struct mp_subnet *s = mp_mesh_link_subnets(T.ml, &n);
	unsigned i;

	(void)user;
	if (a->type != MP_PROXY_ID_NETWORK || !r->connectable ||
	    mp_proxy_adv_identify(a, s, n, NULL, 0, &m) != 0) {
		T.adv_other++;
		return;
	}
	for (i = 0; i < T.nheard; i++)
		if (!memcmp(T.heard[i].addr, r->addr, 6))
			return;
	if (T.nheard < MAX_PROXIES) {
		memcpy(T.heard[T.nheard].addr, r->addr, 6);
		T.heard[T.nheard++].type = r->addr_type;
	}
}

static void deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	(void)user;
	assert_true(msg->len <= sizeof(T.last_buf));
	memcpy(T.last_buf, msg->payload, msg->len);
	if (mp_cfg_decode(T.last_buf, msg->len, &T.last) == 0) {
		T.answer_src = msg->src;
		T.answers++;
	}
}

static const struct mp_mesh_link_cb ml_cb = { .deliver = deliver };

static void pl_ready(void *user, uint16_t mtu)
{
	(void)user;
	(void)mtu;
	T.ready = true;
}

static void pl_net_rx(void *user, const uint8_t *pdu, size_t len)
{
	(void)user;
	mp_mesh_link_rx(T.ml, pdu, len);
}

static void pl_status(void *user, const struct mp_proxy_cfg_msg *st, bool agrees)
{
	(void)user;
	T.statuses++;
	T.agreed += agrees;
	T.last_list = st->list_size;
}

static void pl_closed(void *user, int err, const char *why)
{
	(void)user;
	(void)why;
	T.closed = true;
	T.closed_err = err;
	T.ready = false;
}

static int pl_seq(void *user, uint16_t src, uint32_t *seq)
{
	(void)user;
	(void)src;
	return mp_mesh_link_seq_next(T.ml, seq);
}

static const struct mp_proxy_link_cb pl_cb = {
	.ready = pl_ready, .net_rx = pl_net_rx, .filter_status = pl_status,
	.closed = pl_closed, .seq = pl_seq,
};

static int via_proxy(void *user, const uint8_t *pdu, size_t len)
{
	(void)user;
	return T.pl ? mp_proxy_link_send(T.pl, pdu, len) : -ENOTCONN;
}

static bool heard_one(struct eh *h)
{
	(void)h;
	return T.nheard > 0;
}

static bool filter_answered(struct eh *h)
{
	(void)h;
	return T.closed || (T.ready && T.statuses >= 2);
}

static bool answered(struct eh *h)
{
	(void)h;
	return T.answers > 0;
}

static bool link_closed(struct eh *h)
{
	(void)h;
	return T.closed;
}

static struct eh *setup(unsigned devices, enum mp_sim_bearer bearers, bool pb_gatt)
{
	struct eh_config cfg = { .devices = devices, .seed = 13, .bearers = bearers };
	struct mp_provision_opts o;
	struct eh *h;
	unsigned i;

	memset(&T, 0, sizeof(T));
	h = harness_new(&cfg);
	T.h = h;
	eh_run_for(h, 1500);		/* every device heard */
	for (i = 0; i < devices; i++) {
		eh_opts(&o);
		if (pb_gatt)
			o.bearer = MP_BEARER_GATT;
		assert_int_equal(eh_provision(h, i, &o), 0);
		assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
		assert_true(h->dev[i].provisioned);
	}
	assert_int_equal(mp_mesh_link_new(h->engine, h->loop, h->kr, NULL, &ml_cb, NULL, &T.ml),
			 0);
	assert_int_equal(mp_engine_proxy_adv_receive(h->engine, proxy_heard, NULL), 0);
	return h;
}

/* Connect to the first proxy heard, the filter an accept list of our address. */
static void connect_proxy(struct eh *h)
{
	struct mp_proxy_link_config c = { .loop = h->loop, .radio = h->sim, .cb = &pl_cb };
	uint16_t self = mp_mesh_link_addr(T.ml);
	size_t n;

	assert_int_equal(eh_run(h, heard_one, 5000), 0);
	memcpy(c.addr, T.heard[0].addr, 6);
	c.addr_type = T.heard[0].type;
	c.subnet = mp_mesh_link_subnets(T.ml, &n);
	assert_true(n > 0);
	mp_mesh_link_iv(T.ml, &c.iv_index, NULL);
	c.filter = &self;
	c.nfilter = 1;
	assert_int_equal(mp_proxy_link_open(&c, &T.pl), 0);
	assert_int_equal(eh_run(h, filter_answered, 30000), 0);
	assert_false(T.closed);
	/* Set Filter Type (accept, cleared), then Add Addresses (ours) */
	assert_int_equal(T.statuses, 2);
	assert_int_equal(T.agreed, 2);
	assert_int_equal(T.last_list, 1);
	mp_mesh_link_set_tx(T.ml, via_proxy, NULL);
}

static void composition_get(struct eh *h, uint16_t dst)
{
	struct mp_cfg_msg get = { .opcode = MP_CFG_OP_COMPOSITION_DATA_GET, .page = 0 };
	uint8_t out[MP_MESH_ACCESS_MAX];
	int n = mp_cfg_encode(&get, out, sizeof(out));

	assert_true(n > 0);
	T.answers = 0;
	assert_true(mp_mesh_link_send(T.ml, dst, 0, MP_MESH_KEY_DEV, out, (size_t)n) >= 0);
	assert_int_equal(eh_run(h, answered, 30000), 0);
	assert_int_equal(T.answer_src, dst);
	assert_int_equal(T.last.opcode, MP_CFG_OP_COMPOSITION_DATA_STATUS);
}

static void finish(struct eh *h)
{
	mp_proxy_link_free(T.pl);
	T.pl = NULL;
	mp_mesh_link_free(T.ml);
	T.ml = NULL;
	harness_free(h);
}

/* The node found by its Network ID, the filter set up, a Composition Data
 * Get and its segmented answer over the proxy alone (the air loses all). */
static void test_configure_over_proxy(void **state)
{
	struct eh *h = setup(1, MP_SIM_BEARER_BOTH, false);
	struct mp_sim_node *node = mp_sim_radio_node(h->radio, 0);
	struct mp_comp0 *c = calloc(1, sizeof(*c));
	uint16_t list[4];
	uint8_t type = 0xff;

	(void)state;
	assert_non_null(node);
	assert_non_null(c);
	assert_true(mp_sim_node_proxy_on(node));
	connect_proxy(h);
	assert_int_equal(mp_sim_node_proxy_filter(node, &type, list, 4), 1);
	assert_int_equal(type, MP_PROXY_FILTER_ACCEPT);
	assert_int_equal(list[0], mp_mesh_link_addr(T.ml));

	assert_int_equal(mp_sim_radio_set_loss(h->radio, 100), 0);
	composition_get(h, h->dev[0].address);
	assert_int_equal(mp_comp0_decode(T.last.data, T.last.data_len, c), 0);
	/* a device that offers PB-GATT says it has the Proxy feature */
	assert_true(c->features & MP_CFG_FEAT_PROXY);
	assert_true(mp_mesh_link_stats(T.ml).proxy_pdus_heard > 0);
	assert_int_equal(mp_mesh_link_stats(T.ml).tx_refused, 0);
	free(c);
	finish(h);
}

/* Provisioned over PB-GATT: once the link is closed the node advertises
 * the Mesh Proxy Service and takes a new connection. */
static void test_after_pb_gatt(void **state)
{
	struct eh *h = setup(1, MP_SIM_BEARER_GATT, true);

	(void)state;
	connect_proxy(h);
	mp_sim_radio_set_loss(h->radio, 100);
	composition_get(h, h->dev[0].address);
	finish(h);
}

/* Two nodes, the provisioner hears nothing but its proxy: the other node is
 * configured through the first one, which relays both ways. */
static void test_relay_other_node(void **state)
{
	struct eh *h = setup(2, MP_SIM_BEARER_BOTH, false);
	struct mp_sim_node *n0 = mp_sim_radio_node(h->radio, 0);
	unsigned other;

	(void)state;
	connect_proxy(h);
	mp_engine_net_receive(h->engine, NULL, NULL);	/* the air is not heard */
	other = mp_sim_node_proxy_filter(n0, NULL, NULL, 0) ? 1 : 0;
	composition_get(h, h->dev[other].address);
	composition_get(h, h->dev[!other].address);
	finish(h);
}

static bool status_count(struct eh *h)
{
	(void)h;
	return T.closed || T.statuses >= 3;
}

/* Send @m and wait for its Filter Status. */
static void filter_msg(struct eh *h, const struct mp_proxy_cfg_msg *m)
{
	T.statuses = 2;
	assert_int_equal(mp_proxy_link_send_cfg(T.pl, m), 0);
	assert_int_equal(eh_run(h, status_count, 10000), 0);
	assert_false(T.closed);
}

/* The filter decides what reaches the client (6.6, 6.7): a reject list
 * with our address keeps the node's answers away; removed, they come. */
static void test_filter_reject_list(void **state)
{
	struct eh *h = setup(1, MP_SIM_BEARER_BOTH, false);
	struct mp_sim_node *node = mp_sim_radio_node(h->radio, 0);
	struct mp_proxy_cfg_msg m = { .opcode = MP_PROXY_CFG_SET_FILTER_TYPE,
				      .filter_type = MP_PROXY_FILTER_REJECT };
	struct mp_cfg_msg get = { .opcode = MP_CFG_OP_COMPOSITION_DATA_GET, .page = 0 };
	uint16_t self, list[4];
	uint8_t type, out[8];
	int n;

	(void)state;
	connect_proxy(h);
	self = mp_mesh_link_addr(T.ml);
	mp_sim_radio_set_loss(h->radio, 100);
	filter_msg(h, &m);
	assert_int_equal(mp_sim_node_proxy_filter(node, &type, list, 4), 0);
	assert_int_equal(type, MP_PROXY_FILTER_REJECT);
	composition_get(h, h->dev[0].address);	/* an empty reject list passes all */

	memset(&m, 0, sizeof(m));
	m.opcode = MP_PROXY_CFG_ADD_ADDRS;
	m.addrs[m.naddrs++] = self;
	m.addrs[m.naddrs++] = 0x0000;	/* the unassigned address is not added */
	filter_msg(h, &m);
	assert_int_equal(mp_sim_node_proxy_filter(node, &type, list, 4), 1);
	assert_int_equal(list[0], self);
	n = mp_cfg_encode(&get, out, sizeof(out));
	assert_true(n > 0);
	T.answers = 0;
	assert_true(mp_mesh_link_send(T.ml, h->dev[0].address, 0, MP_MESH_KEY_DEV, out,
				      (size_t)n) >= 0);
	eh_run_for(h, 5000);
	assert_int_equal(T.answers, 0);		/* the answer is held back */

	m.opcode = MP_PROXY_CFG_REMOVE_ADDRS;
	filter_msg(h, &m);
	assert_int_equal(mp_sim_node_proxy_filter(node, NULL, NULL, 0), 0);
	assert_int_equal(T.last_list, 0);
	composition_get(h, h->dev[0].address);
	finish(h);
}

static void gatt_proxy_set(struct eh *h, uint8_t state)
{
	struct mp_cfg_msg m = { .opcode = MP_CFG_OP_GATT_PROXY_SET, .state = state };
	uint8_t out[8];
	int n = mp_cfg_encode(&m, out, sizeof(out));

	assert_true(n > 0);
	T.answers = 0;
	assert_true(mp_mesh_link_send(T.ml, h->dev[0].address, 0, MP_MESH_KEY_DEV, out,
				      (size_t)n) >= 0);
	assert_int_equal(eh_run(h, answered, 30000), 0);
	assert_int_equal(T.last.opcode, MP_CFG_OP_GATT_PROXY_STATUS);
	assert_int_equal(T.last.state, state);
}

/* The GATT Proxy state turned off over the proxy (MshPRT v1.1 4.2.12): the
 * Status comes, then the connection goes and the service is no longer
 * advertised; turned on again (over the air), it is. */
static void test_gatt_proxy_off_on(void **state)
{
	struct eh *h = setup(1, MP_SIM_BEARER_BOTH, false);
	struct mp_sim_node *node = mp_sim_radio_node(h->radio, 0);

	(void)state;
	connect_proxy(h);
	gatt_proxy_set(h, 0);
	assert_int_equal(eh_run(h, link_closed, 10000), 0);
	assert_int_equal(T.closed_err, -ECONNRESET);
	assert_false(mp_sim_node_proxy_on(node));
	mp_proxy_link_free(T.pl);
	T.pl = NULL;
	T.nheard = 0;
	eh_run_for(h, 3000);
	assert_int_equal(T.nheard, 0);

	mp_mesh_link_set_tx(T.ml, NULL, NULL);	/* the advertising bearer */
	gatt_proxy_set(h, 1);
	assert_int_equal(eh_run(h, heard_one, 5000), 0);
	assert_true(mp_sim_node_proxy_on(node));
	finish(h);
}

/* What a proxy server refuses; a node reset ends the connection. */
static void test_refusals_and_reset(void **state)
{
	struct eh *h = setup(1, MP_SIM_BEARER_BOTH, false);
	struct mp_sim_node *node = mp_sim_radio_node(h->radio, 0);
	static const uint8_t junk[20] = { 0x01, 0x02 };
	struct mp_cfg_msg reset = { .opcode = MP_CFG_OP_NODE_RESET };
	uint8_t out[8];
	int n;

	(void)state;
	/* no client yet */
	assert_int_equal(mp_sim_node_proxy_rx(node, MP_PROXY_NETWORK_PDU, junk, sizeof(junk)),
			 -ENOTCONN);
	connect_proxy(h);
	assert_int_equal(mp_sim_node_proxy_rx(node, MP_PROXY_MESH_BEACON, junk, sizeof(junk)),
			 -EPROTONOSUPPORT);
	assert_int_equal(mp_sim_node_proxy_rx(node, MP_PROXY_PROVISIONING_PDU, junk, 3),
			 -EPROTONOSUPPORT);
	/* not under the network's key */
	assert_true(mp_sim_node_proxy_rx(node, MP_PROXY_CONFIGURATION, junk, sizeof(junk)) < 0);
	assert_true(mp_sim_node_proxy_rx(node, MP_PROXY_NETWORK_PDU, junk, sizeof(junk)) < 0);

	n = mp_cfg_encode(&reset, out, sizeof(out));
	assert_true(n > 0);
	assert_true(mp_mesh_link_send(T.ml, h->dev[0].address, 0, MP_MESH_KEY_DEV, out,
				      (size_t)n) >= 0);
	assert_int_equal(eh_run(h, link_closed, 30000), 0);
	assert_int_equal(T.closed_err, -ECONNRESET);
	finish(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_configure_over_proxy, teardown),
		cmocka_unit_test_teardown(test_after_pb_gatt, teardown),
		cmocka_unit_test_teardown(test_relay_other_node, teardown),
		cmocka_unit_test_teardown(test_filter_reject_list, teardown),
		cmocka_unit_test_teardown(test_gatt_proxy_off_on, teardown),
		cmocka_unit_test_teardown(test_refusals_and_reset, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
