/* engine/proxy_link.h: the GATT Proxy bearer against a fake node: a radio
 * whose one connection is served by the tree's GATT server with the Mesh
 * Proxy Service UUIDs (gatt/server.h), behind which a small proxy server
 * written here keeps the proxy filter and answers Filter Status (MshPRT
 * v1.1 6.6, 6.7). ATT PDUs cross the fake connection from the loop, on a
 * fake clock. Cases: discovery and the filter set up (an accept list of
 * our addresses, several Add messages), Network PDUs both ways (segmented
 * at the default ATT_MTU), a Filter Status that disagrees, a malformed
 * Proxy PDU, a segmented message that never ends, a Proxy Configuration
 * message under another key, a node without the service, a dropped
 * connection; and the Mesh Proxy Service advertisements the engine hands
 * up to find the proxy with. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "bearer/proxy.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "engine/proxy_link.h"
#include "gatt/server.h"
#include "net/net.h"
#include "net/proxy_adv.h"
#include "net/proxy_cfg.h"

#define QMAX 256

struct peer;

struct mp_radio_conn {
	struct peer *p;
};

/* The fake node: its GATT server, its proxy server, what it heard. */
struct peer {
	struct mp_loop *loop;
	uint64_t now;
	/* the connection */
	struct mp_radio_conn conn;
	const struct mp_radio_conn_cb *cb;
	void *owner;
	bool connected, closed;
	int connect_err;		/* connected() with this */
	struct {
		uint8_t d[520];
		size_t len;
		bool to_client;
	} q[QMAX];
	unsigned int qhead, qcount;
	int64_t pump;
	struct mp_gatt_server *srv;
	struct mp_gatt_service_uuids uuids;
	uint16_t srv_mtu;		/* its Server Rx MTU; 0: 517 */
	/* the proxy server */
	struct mp_proxy_rx rx;
	uint8_t rxbuf[128];
	struct mp_subnet subnet;
	uint32_t iv, seq;
	uint16_t src;
	uint8_t ftype;
	uint16_t list[64];
	size_t nlist;
	int status_delta;		/* added to the list size it reports */
	int status_type;		/* >= 0: the filter type it reports */
	bool mute;			/* no Filter Status */
	struct mp_proxy_cfg_msg cfgs[16];
	unsigned int ncfgs;
	uint8_t net[8][32];
	size_t net_len[8];
	unsigned int nnet;
	unsigned int writes;		/* Proxy PDUs written to Data In */
};

/* What the link reported. */
static struct {
	unsigned int ready, closed, statuses, disagreed, beacons, cfg_rx;
	uint16_t mtu;
	int err;
	char why[160];
	struct mp_proxy_cfg_msg last_status;
	uint8_t net[8][32];
	size_t net_len[8];
	unsigned int nnet;
	uint32_t seq;
	struct mp_proxy_link *free_in_closed;
} got;

static const uint8_t NET_KEY[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
				     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t OTHER_KEY[16] = { 0xf7, 0xa2, 0xa4, 0x4f, 0x8e, 0x8a, 0x80, 0x29,
				       0x06, 0x4f, 0x17, 0x3d, 0xdc, 0x1e, 0x2b, 0x00 };
#define IV 0x12345678u

static uint64_t peer_now(void *data)
{
	return ((struct peer *)data)->now;
}

/* ---- the connection: ATT PDUs each way, delivered from the loop ---- */

static void pump(struct mp_loop *loop, int64_t id, void *data);

static void enqueue(struct peer *p, const uint8_t *d, size_t len, bool to_client)
{
	unsigned int i = (p->qhead + p->qcount) % QMAX;

	assert_true(p->qcount < QMAX);
	assert_true(len <= sizeof(p->q[i].d));
	memcpy(p->q[i].d, d, len);
	p->q[i].len = len;
	p->q[i].to_client = to_client;
	p->qcount++;
	if (!p->pump)
		p->pump = mp_loop_timer_add(p->loop, 0, pump, p);
}

static void pump(struct mp_loop *loop, int64_t id, void *data)
{
	struct peer *p = data;

	(void)loop;
	(void)id;
	p->pump = 0;
	if (!p->connected && !p->closed) {
		p->connected = true;
		p->cb->connected(p->owner, p->connect_err);
		return;
	}
	while (p->qcount && !p->closed) {
		unsigned int i = p->qhead;
		uint8_t d[520];
		size_t len = p->q[i].len;
		bool to_client = p->q[i].to_client;

		memcpy(d, p->q[i].d, len);
		p->qhead = (p->qhead + 1) % QMAX;
		p->qcount--;
		if (to_client)
			p->cb->rx(p->owner, d, len);
		else
			mp_gatt_server_rx(p->srv, d, len);
	}
}

static void srv_tx(void *owner, const uint8_t *pdu, size_t len)
{
	enqueue(owner, pdu, len, true);
}

/* The node sends @msg of @type, cut at its ATT_MTU. */
static void peer_send(struct peer *p, uint8_t type, const uint8_t *msg, size_t len)
{
	struct mp_proxy_seg seg;
	uint8_t pdu[520];
	ssize_t n;

	assert_int_equal(mp_proxy_seg_init(&seg, type, msg, len, mp_gatt_server_mtu(p->srv)), 0);
	while ((n = mp_proxy_seg_next(&seg, pdu, sizeof(pdu))) > 0)
		assert_int_equal(mp_gatt_server_notify(p->srv, pdu, (size_t)n), 0);
}

static void peer_status(struct peer *p)
{
	struct mp_proxy_cfg_msg st = { .opcode = MP_PROXY_CFG_FILTER_STATUS };
	uint8_t pdu[MP_NET_PDU_MAX];
	ssize_t n;

	st.filter_type = p->status_type >= 0 ? (uint8_t)p->status_type : p->ftype;
	st.list_size = (uint16_t)((int)p->nlist + p->status_delta);
	n = mp_proxy_cfg_seal(&p->subnet.key[0].flood, p->iv, p->src, p->seq++, &st, pdu,
			      sizeof(pdu));
	assert_true(n > 0);
	peer_send(p, MP_PROXY_CONFIGURATION, pdu, (size_t)n);
}

/* The proxy server: the filter (6.6, 6.7). */
static void srv_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct peer *p = owner;
	struct mp_proxy_msg msg;
	struct mp_proxy_cfg_msg m;
	size_t i, j;

	p->writes++;
	assert_int_equal(mp_proxy_rx_feed(&p->rx, value, len, &msg) >= 0, 1);
	if (!msg.data || mp_proxy_rx_in_progress(&p->rx))
		return;
	if (msg.type == MP_PROXY_NETWORK_PDU) {
		assert_true(p->nnet < 8 && msg.len <= 32);
		memcpy(p->net[p->nnet], msg.data, msg.len);
		p->net_len[p->nnet++] = msg.len;
		return;
	}
	assert_int_equal(msg.type, MP_PROXY_CONFIGURATION);
	assert_int_equal(mp_proxy_cfg_open(&p->subnet, 1, p->iv, msg.data, msg.len, NULL, &m), 0);
	assert_true(p->ncfgs < 16);
	p->cfgs[p->ncfgs++] = m;
	switch (m.opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		p->ftype = m.filter_type;
		p->nlist = 0;
		break;
	case MP_PROXY_CFG_ADD_ADDRS:
		for (i = 0; i < m.naddrs; i++)
			p->list[p->nlist++] = m.addrs[i];
		break;
	case MP_PROXY_CFG_REMOVE_ADDRS:
		for (i = 0; i < m.naddrs; i++)
			for (j = 0; j < p->nlist; j++)
				if (p->list[j] == m.addrs[i])
					p->list[j] = p->list[--p->nlist];
		break;
	default:
		return;
	}
	if (!p->mute)
		peer_status(p);
}

static const struct mp_gatt_server_ops srv_ops = { srv_tx, srv_data_in, NULL, NULL };

/* ---- the radio ---- */

/* The receiver the engine attached (test_proxy_adv). */
static const struct mp_radio_receiver *rcv_attached;
static void *rcv_user;

static int r_attach(void *ctx, const struct mp_radio_receiver *rcv, void *user)
{
	(void)ctx;
	rcv_attached = rcv;
	rcv_user = user;
	return 0;
}

static int r_connect(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		     const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out)
{
	struct peer *p = ctx;
	struct mp_gatt_server_config sc = { .uuids = p->uuids, .mtu = p->srv_mtu, .ops = &srv_ops,
					    .owner = p };

	(void)addr;
	(void)addr_type;
	p->cb = cb;
	p->owner = owner;
	p->srv = mp_gatt_server_new(&sc);
	assert_non_null(p->srv);
	p->conn.p = p;
	*out = &p->conn;
	p->pump = mp_loop_timer_add(p->loop, 0, pump, p);
	return 0;
}

static int r_conn_send(struct mp_radio_conn *c, const uint8_t *pdu, size_t len)
{
	if (c->p->closed)
		return -ENOTCONN;
	enqueue(c->p, pdu, len, false);
	return 0;
}

static void r_conn_close(struct mp_radio_conn *c)
{
	c->p->closed = true;
}

static const struct mp_radio_ops radio_ops = {
	.name = "fake", .attach = r_attach, .connect = r_connect, .conn_send = r_conn_send,
	.conn_close = r_conn_close,
};

/* ---- the link's owner ---- */

static void on_ready(void *user, uint16_t mtu)
{
	(void)user;
	got.ready++;
	got.mtu = mtu;
}

static void on_net(void *user, const uint8_t *pdu, size_t len)
{
	(void)user;
	assert_true(got.nnet < 8 && len <= 32);
	memcpy(got.net[got.nnet], pdu, len);
	got.net_len[got.nnet++] = len;
}

static void on_beacon(void *user, const uint8_t *b, size_t len)
{
	(void)user;
	(void)b;
	(void)len;
	got.beacons++;
}

static void on_status(void *user, const struct mp_proxy_cfg_msg *st, bool agrees)
{
	(void)user;
	got.statuses++;
	got.disagreed += !agrees;
	got.last_status = *st;
}

static void on_cfg(void *user, const struct mp_proxy_cfg_msg *m)
{
	(void)user;
	(void)m;
	got.cfg_rx++;
}

static void on_closed(void *user, int err, const char *why)
{
	(void)user;
	got.closed++;
	got.err = err;
	snprintf(got.why, sizeof(got.why), "%s", why ? why : "");
	if (got.free_in_closed)
		mp_proxy_link_free(got.free_in_closed);	/* allowed: the last action */
}

static int on_seq(void *user, uint16_t src, uint32_t *seq)
{
	(void)user;
	assert_int_equal(src, 0x0001);
	*seq = got.seq++;
	return 0;
}

static const struct mp_proxy_link_cb link_cb = { on_ready, on_net, on_beacon, on_status,
						 on_cfg, on_closed, on_seq };

/* ---- fixture ---- */

struct fx {
	struct peer p;
	struct mp_subnet subnet;	/* ours */
	struct mp_proxy_link *l;
};

static void run(struct fx *f)
{
	int i;

	for (i = 0; i < 1000; i++)
		if (mp_loop_run_once(f->p.loop, 0) <= 0)
			return;
	fail_msg("the loop never settles");
}

static void advance(struct fx *f, uint64_t ms)
{
	f->p.now += ms;
	run(f);
}

static struct fx *fx_new_mtu(size_t naddrs, uint16_t srv_mtu)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mp_proxy_link_config lc = { .iv_index = IV, .cb = &link_cb };
	static uint16_t addrs[MP_PROXY_LINK_FILTER_MAX];
	size_t i;

	assert_non_null(f);
	memset(&got, 0, sizeof(got));
	got.seq = 0x100;
	assert_int_equal(mp_loop_new(&f->p.loop), 0);
	f->p.now = 1000;
	mp_loop_set_clock(f->p.loop, peer_now, &f->p);
	f->p.uuids = mp_gatt_mesh_proxy;
	f->p.srv_mtu = srv_mtu;
	f->p.status_type = -1;
	f->p.iv = IV;
	f->p.src = 0x1201;
	f->p.seq = 7;
	assert_int_equal(mp_proxy_rx_init(&f->p.rx, f->p.rxbuf, sizeof(f->p.rxbuf)), 0);
	assert_int_equal(mp_subnet_init(&f->p.subnet, 0, NET_KEY), 0);
	assert_int_equal(mp_subnet_init(&f->subnet, 0, NET_KEY), 0);
	for (i = 0; i < naddrs; i++)
		addrs[i] = (uint16_t)(0x0001 + i);
	lc.loop = f->p.loop;
	lc.radio.ops = &radio_ops;
	lc.radio.ctx = &f->p;
	lc.subnet = &f->subnet;
	lc.filter = addrs;
	lc.nfilter = naddrs;
	assert_int_equal(mp_proxy_link_open(&lc, &f->l), 0);
	return f;
}

static struct fx *fx_new(size_t naddrs)
{
	return fx_new_mtu(naddrs, 0);
}

static void fx_free(struct fx *f)
{
	mp_proxy_link_free(f->l);
	mp_gatt_server_free(f->p.srv);
	mp_subnet_wipe(&f->p.subnet);
	mp_subnet_wipe(&f->subnet);
	mp_loop_free(f->p.loop);
	free(f);
}

/* ---- cases ---- */

/* Seven addresses: Set Filter Type (accept list), then Add 5 and Add 2,
 * each answered with a Filter Status that agrees; then ready. */
static void test_setup_filter(void **state)
{
	struct fx *f = fx_new(7);
	size_t i;

	(void)state;
	assert_false(mp_proxy_link_ready(f->l));
	run(f);
	assert_int_equal(got.ready, 1);
	assert_true(mp_proxy_link_ready(f->l));
	assert_int_equal(got.mtu, mp_gatt_server_mtu(f->p.srv));
	assert_int_equal(f->p.ncfgs, 3);
	assert_int_equal(f->p.cfgs[0].opcode, MP_PROXY_CFG_SET_FILTER_TYPE);
	assert_int_equal(f->p.cfgs[0].filter_type, MP_PROXY_FILTER_ACCEPT);
	assert_int_equal(f->p.cfgs[1].opcode, MP_PROXY_CFG_ADD_ADDRS);
	assert_int_equal(f->p.cfgs[1].naddrs, 5);
	assert_int_equal(f->p.cfgs[2].opcode, MP_PROXY_CFG_ADD_ADDRS);
	assert_int_equal(f->p.cfgs[2].naddrs, 2);
	assert_int_equal(f->p.nlist, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(f->p.list[i], 0x0001 + i);
	/* one SEQ per message, from the owner */
	assert_int_equal(got.seq, 0x103);
	assert_int_equal(got.statuses, 3);
	assert_int_equal(got.disagreed, 0);
	assert_int_equal(got.last_status.list_size, 7);
	assert_int_equal(mp_proxy_link_stats(f->l)->statuses, 3);
	assert_int_equal(got.closed, 0);

	/* closing: closed() with 0 from the loop, once */
	mp_proxy_link_close(f->l);
	assert_int_equal(got.closed, 0);
	run(f);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, 0);
	assert_true(f->p.closed);
	assert_int_equal(mp_proxy_link_send(f->l, f->p.net[0], 20), -ENOTCONN);
	fx_free(f);
}

/* Network PDUs both ways, each in as many Proxy PDUs as the ATT_MTU needs:
 * at the default ATT_MTU (a node that keeps 23), 29 octets take two. */
static void test_network_pdus(void **state)
{
	struct fx *f = fx_new_mtu(1, 23);
	uint8_t pdu[29];
	size_t i;
	unsigned int writes;

	(void)state;
	for (i = 0; i < sizeof(pdu); i++)
		pdu[i] = (uint8_t)(0x80 + i);
	assert_int_equal(mp_proxy_link_send(f->l, pdu, 29), -ENOTCONN);	/* not ready */
	run(f);
	assert_int_equal(got.ready, 1);
	writes = f->p.writes;
	assert_int_equal(mp_proxy_link_send(f->l, pdu, 29), 0);
	assert_int_equal(mp_proxy_link_send(f->l, pdu, 14), 0);
	assert_int_equal(mp_proxy_link_send(f->l, pdu, 13), -EMSGSIZE);
	assert_int_equal(mp_proxy_link_send(f->l, pdu, 30), -EMSGSIZE);
	run(f);
	assert_int_equal(f->p.nnet, 2);
	assert_int_equal(f->p.net_len[0], 29);
	tu_assert_bytes(f->p.net[0], pdu, 29);
	assert_int_equal(f->p.net_len[1], 14);
	assert_int_equal(got.mtu, 23);
	assert_int_equal(f->p.writes - writes, 2 + 1);

	/* from the node: a Network PDU, a beacon, a Provisioning PDU (dropped) */
	peer_send(&f->p, MP_PROXY_NETWORK_PDU, pdu + 1, 28);
	peer_send(&f->p, MP_PROXY_MESH_BEACON, pdu, 22);
	peer_send(&f->p, MP_PROXY_PROVISIONING_PDU, pdu, 5);
	peer_send(&f->p, MP_PROXY_NETWORK_PDU, pdu, 5);	/* no Network PDU is that short */
	run(f);
	assert_int_equal(got.nnet, 1);
	assert_int_equal(got.net_len[0], 28);
	tu_assert_bytes(got.net[0], pdu + 1, 28);
	assert_int_equal(got.beacons, 1);
	assert_int_equal(mp_proxy_link_stats(f->l)->other_dropped, 2);
	assert_int_equal(got.closed, 0);
	fx_free(f);
}

/* The node's Filter Status says a reject list, or a list of another size. */
static void test_status_disagrees(void **state)
{
	struct fx *f = fx_new(3);

	(void)state;
	f->p.status_delta = -1;
	run(f);
	assert_int_equal(got.ready, 1);
	assert_int_equal(got.statuses, 2);
	/* the Set Filter Type's answer (-1 of 0 reads 65535) and the Add's (2 of 3) */
	assert_int_equal(got.disagreed, 2);
	assert_int_equal(got.last_status.list_size, 2);
	assert_int_equal(mp_proxy_link_stats(f->l)->disagreed, 2);
	/* it does not end the link: the owner decides */
	assert_int_equal(got.closed, 0);

	f->p.status_delta = 0;
	f->p.status_type = MP_PROXY_FILTER_REJECT;
	{
		struct mp_proxy_cfg_msg m = { .opcode = MP_PROXY_CFG_REMOVE_ADDRS, .naddrs = 1,
					      .addrs = { 0x0002 } };

		assert_int_equal(mp_proxy_link_send_cfg(f->l, &m), 0);
	}
	run(f);
	assert_int_equal(f->p.nlist, 2);
	assert_int_equal(got.statuses, 3);
	assert_int_equal(got.disagreed, 3);	/* the right size, the wrong type */
	f->p.status_type = -1;
	{
		struct mp_proxy_cfg_msg m = { .opcode = MP_PROXY_CFG_ADD_ADDRS, .naddrs = 1,
					      .addrs = { 0x0002 } };

		assert_int_equal(mp_proxy_link_send_cfg(f->l, &m), 0);
	}
	run(f);
	assert_int_equal(got.statuses, 4);
	assert_int_equal(got.disagreed, 3);	/* back in agreement */
	assert_int_equal(got.last_status.list_size, 3);
	fx_free(f);
}

/* A Continuation segment with nothing in progress: the link ends (6.3.2.2). */
static void test_malformed_proxy_pdu(void **state)
{
	struct fx *f = fx_new(1);
	const uint8_t cont[] = { MP_PROXY_HDR(MP_PROXY_SAR_CONT, MP_PROXY_NETWORK_PDU), 1, 2 };

	(void)state;
	run(f);
	assert_int_equal(got.ready, 1);
	assert_int_equal(mp_gatt_server_notify(f->p.srv, cont, sizeof(cont)), 0);
	run(f);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ENOMSG);
	assert_non_null(strstr(got.why, "malformed Proxy PDU"));
	assert_true(f->p.closed);
	assert_false(mp_proxy_link_ready(f->l));
	fx_free(f);
}

/* A First segment and nothing more: 20 s later the link ends. */
static void test_sar_timeout(void **state)
{
	struct fx *f = fx_new(1);
	const uint8_t first[] = { MP_PROXY_HDR(MP_PROXY_SAR_FIRST, MP_PROXY_NETWORK_PDU), 1, 2 };

	(void)state;
	run(f);
	assert_int_equal(mp_gatt_server_notify(f->p.srv, first, sizeof(first)), 0);
	run(f);
	advance(f, MP_PROXY_SAR_TIMEOUT_MS - 1);
	assert_int_equal(got.closed, 0);
	advance(f, 1);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ETIMEDOUT);
	fx_free(f);
}

/* A Filter Status under another NetKey, or not a proxy configuration
 * message at all: dropped, counted, nothing reported. */
static void test_cfg_other_key(void **state)
{
	struct fx *f = fx_new(1);
	struct mp_subnet other;
	struct mp_proxy_cfg_msg st = { .opcode = MP_PROXY_CFG_FILTER_STATUS, .list_size = 1 };
	struct mp_proxy_cfg_msg caps = { .opcode = MP_PROXY_CFG_DIRECTED_CAPS_STATUS,
					 .directed_proxy = 1 };
	uint8_t pdu[MP_NET_PDU_MAX];
	ssize_t n;

	(void)state;
	run(f);
	assert_int_equal(got.statuses, 2);
	assert_int_equal(mp_subnet_init(&other, 0, OTHER_KEY), 0);
	n = mp_proxy_cfg_seal(&other.key[0].flood, IV, 0x1201, 99, &st, pdu, sizeof(pdu));
	assert_true(n > 0);
	peer_send(&f->p, MP_PROXY_CONFIGURATION, pdu, (size_t)n);
	peer_send(&f->p, MP_PROXY_CONFIGURATION, pdu, 3);
	/* a Directed Proxy one that authenticates: to cfg_rx */
	n = mp_proxy_cfg_seal(&f->p.subnet.key[0].flood, IV, 0x1201, 100, &caps, pdu,
			      sizeof(pdu));
	peer_send(&f->p, MP_PROXY_CONFIGURATION, pdu, (size_t)n);
	run(f);
	assert_int_equal(got.statuses, 2);
	assert_int_equal(got.cfg_rx, 1);
	assert_int_equal(mp_proxy_link_stats(f->l)->cfg_dropped, 2);
	assert_int_equal(got.closed, 0);
	mp_subnet_wipe(&other);
	fx_free(f);
}

/* A node with the Mesh Provisioning Service only: no 0x1828, the link ends
 * with the GATT client's reason. */
static void test_no_proxy_service(void **state)
{
	struct fx *f = fx_new(1);

	(void)state;
	/* r_connect ran inside fx_new: its server has the proxy UUIDs; give
	 * it the provisioning service's instead, before anything is asked */
	{
		struct mp_gatt_server_config sc = { .uuids = mp_gatt_mesh_prov, .ops = &srv_ops,
						    .owner = &f->p };

		mp_gatt_server_free(f->p.srv);
		f->p.srv = mp_gatt_server_new(&sc);
	}
	got.free_in_closed = f->l;
	run(f);
	assert_int_equal(got.ready, 0);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ENOENT);
	assert_non_null(strstr(got.why, "1828"));
	f->l = NULL;	/* freed in closed() */
	fx_free(f);
}

/* The node drops the connection; the connection cannot be made. */
static void test_connection_lost(void **state)
{
	struct fx *f = fx_new(1);

	(void)state;
	run(f);
	assert_int_equal(got.ready, 1);
	f->p.closed = true;
	f->p.cb->disconnected(f->p.owner, -ECONNRESET);
	assert_int_equal(got.closed, 0);	/* from the loop */
	run(f);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ECONNRESET);
	fx_free(f);

	f = fx_new(1);
	f->p.connect_err = -ETIMEDOUT;
	run(f);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ETIMEDOUT);
	assert_non_null(strstr(got.why, "connection"));
	fx_free(f);
}

/* No answer to the filter messages is no reason to wait: ready once they are
 * sent; a node that never answers discovery times the setup out. */
static void test_setup_timeout(void **state)
{
	struct fx *f = fx_new(1);

	(void)state;
	f->p.mute = true;
	run(f);
	assert_int_equal(got.ready, 1);
	assert_int_equal(got.statuses, 0);
	fx_free(f);

	f = fx_new(1);
	f->p.closed = true;	/* the node hears nothing */
	run(f);
	advance(f, MP_PROXY_LINK_SETUP_MS);
	assert_int_equal(got.ready, 0);
	assert_int_equal(got.closed, 1);
	assert_int_equal(got.err, -ETIMEDOUT);
	fx_free(f);
}

static void test_open_bad(void **state)
{
	struct mp_proxy_link_config lc = { .iv_index = IV, .cb = &link_cb };
	struct mp_subnet s;
	struct mp_proxy_link *l = NULL;
	struct mp_radio_ops no_conn = radio_ops;
	uint16_t addrs[] = { 0x0001, 0xc000 };
	struct mp_loop *loop;

	(void)state;
	assert_int_equal(mp_loop_new(&loop), 0);
	assert_int_equal(mp_subnet_init(&s, 0, NET_KEY), 0);
	lc.loop = loop;
	lc.radio.ops = &radio_ops;
	lc.subnet = &s;
	lc.filter = addrs;
	lc.nfilter = 0;
	assert_int_equal(mp_proxy_link_open(&lc, &l), -EINVAL);
	lc.nfilter = 2;	/* a group address is not ours */
	assert_int_equal(mp_proxy_link_open(&lc, &l), -EINVAL);
	lc.nfilter = MP_PROXY_LINK_FILTER_MAX + 1;
	assert_int_equal(mp_proxy_link_open(&lc, &l), -EINVAL);
	lc.nfilter = 1;
	lc.subnet = NULL;
	assert_int_equal(mp_proxy_link_open(&lc, &l), -EINVAL);
	lc.subnet = &s;
	no_conn.connect = NULL;
	lc.radio.ops = &no_conn;
	assert_int_equal(mp_proxy_link_open(&lc, &l), -EOPNOTSUPP);
	assert_null(l);
	mp_proxy_link_free(NULL);
	mp_subnet_wipe(&s);
	mp_loop_free(loop);
}

/* ---- Mesh Proxy Service advertisements ---- */

static struct {
	unsigned int calls;
	struct mp_proxy_adv a;
	bool connectable;
	int8_t rssi;
} padv;

static void on_proxy_adv(void *user, const struct mp_proxy_adv *a, const struct mp_adv_report *r)
{
	assert_ptr_equal(user, &padv);
	padv.calls++;
	padv.a = *a;
	padv.connectable = r->connectable;
	padv.rssi = r->rssi;
}

/* What finds a proxy to connect to: the engine hands Mesh Proxy Service
 * advertisements upward (mp_engine_proxy_adv_receive). MshPRT v1.1 8.6.2
 * (Node Identity of 1201) and 8.6.1 (Network ID) as heard; told apart by
 * the owner with mp_proxy_adv_identify. */
static void inject(const struct mp_adv_report *r)
{
	assert_non_null(rcv_attached);
	rcv_attached->report(rcv_user, r);
}

static void test_proxy_adv(void **state)
{
	struct peer p = { 0 };
	struct mp_engine_config ec = { 0 };
	struct mp_engine *e;
	struct mp_subnet s;
	struct mp_proxy_adv_match m;
	uint8_t ad[64], key[16];
	uint16_t nodes[] = { 0x0100, 0x1201 };
	size_t len = tu_hex(tu_vectors(), "proxy.service_data.1.adv_data", ad, sizeof(ad));
	struct mp_adv_report r = { .data = ad, .len = len, .rssi = -40, .connectable = true };

	(void)state;
	memset(&padv, 0, sizeof(padv));
	assert_int_equal(mp_loop_new(&p.loop), 0);
	ec.loop = p.loop;
	ec.radio.ops = &radio_ops;
	ec.radio.ctx = &p;
	assert_int_equal(mp_engine_new(&ec, &e), 0);
	inject(&r);	/* nobody listening */
	assert_int_equal(mp_engine_proxy_adv_receive(e, on_proxy_adv, &padv), 0);
	inject(&r);
	assert_int_equal(padv.calls, 1);
	assert_int_equal(padv.a.type, MP_PROXY_ID_NODE);
	assert_true(padv.connectable);
	assert_int_equal(padv.rssi, -40);
	tu_hex(tu_vectors(), "proxy.service_data.1.net_key", key, sizeof(key));
	assert_int_equal(mp_subnet_init(&s, 0, key), 0);
	assert_int_equal(mp_proxy_adv_identify(&padv.a, &s, 1, nodes, 2, &m), 0);
	assert_int_equal(m.addr, 0x1201);

	len = tu_hex(tu_vectors(), "proxy.service_data.0.adv_data", ad, sizeof(ad));
	r.len = len;
	inject(&r);
	assert_int_equal(padv.calls, 2);
	assert_int_equal(padv.a.type, MP_PROXY_ID_NETWORK);
	assert_int_equal(mp_proxy_adv_identify(&padv.a, &s, 1, NULL, 0, &m), 0);

	/* one octet short: not taken; nor is the provisioning service's data */
	ad[0]--;
	r.len = len - 1;
	inject(&r);
	assert_int_equal(padv.calls, 2);
	ad[0]++;
	ad[2] = 0x27;
	r.len = len;
	inject(&r);
	assert_int_equal(padv.calls, 2);
	ad[2] = 0x28;

	/* detached */
	assert_int_equal(mp_engine_proxy_adv_receive(e, NULL, NULL), 0);
	inject(&r);
	assert_int_equal(padv.calls, 2);
	mp_subnet_wipe(&s);
	mp_engine_free(e);
	mp_loop_free(p.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_filter),
		cmocka_unit_test(test_network_pdus),
		cmocka_unit_test(test_status_disagrees),
		cmocka_unit_test(test_malformed_proxy_pdu),
		cmocka_unit_test(test_sar_timeout),
		cmocka_unit_test(test_cfg_other_key),
		cmocka_unit_test(test_no_proxy_service),
		cmocka_unit_test(test_connection_lost),
		cmocka_unit_test(test_setup_timeout),
		cmocka_unit_test(test_open_bad),
		cmocka_unit_test(test_proxy_adv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
