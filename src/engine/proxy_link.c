/* The GATT Proxy bearer, client side: connection + GATT client (Mesh Proxy
 * Service) + Proxy PDU SAR + the proxy filter; see engine/proxy_link.h.
 *
 * The end always takes the same path (as the PB-GATT link's, gatt_link.c):
 * the connection is dropped at once, so nothing more arrives, and closed()
 * is reported from a zero-delay timer as the link's last action.
 */
#include "engine/proxy_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv/adv.h"
#include "bearer/proxy.h"
#include "gatt/client.h"
#include "gatt/gatt.h"

/* The longest message taken from the node: a Network PDU or a Proxy
 * Configuration message is at most 29 octets, a Mesh Beacon 28 (a Mesh
 * Private beacon with its type); room for a little more, and anything
 * longer is malformed (6.3.2.2). */
#define RX_MAX 64
/* Filter Status answers still to come: one per message sent. */
#define EXPECT_MAX 16

struct expect {
	uint16_t min, max;	/* the list size that agrees */
};

struct mp_proxy_link {
	struct mp_proxy_link_config cfg;
	uint16_t filter[MP_PROXY_LINK_FILTER_MAX];
	struct mp_radio_conn *conn;
	struct mp_gatt_client *client;
	struct mp_proxy_rx rx;
	uint8_t rx_buf[RX_MAX];
	int64_t client_timer, setup_timer, sar_timer, down_timer;
	bool gatt_ready, ready, down;
	int down_err;
	uint16_t listed;		/* the list size asked for so far */
	struct expect expect[EXPECT_MAX];
	unsigned int exp_head, exp_count;
	struct mp_proxy_link_stats stats;
	char why[160];
};

/* ---- the end ---- */

static void drop_conn(struct mp_proxy_link *l)
{
	if (l->conn)
		l->cfg.radio.ops->conn_close(l->conn);
	l->conn = NULL;
	l->gatt_ready = l->ready = false;
	mp_loop_timer_set(l->cfg.loop, &l->client_timer, 0, NULL, NULL);
	mp_loop_timer_set(l->cfg.loop, &l->setup_timer, 0, NULL, NULL);
	mp_loop_timer_set(l->cfg.loop, &l->sar_timer, 0, NULL, NULL);
}

static void down_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_proxy_link *l = data;

	(void)loop;
	(void)id;
	l->down_timer = 0;
	if (l->cfg.cb->closed)
		l->cfg.cb->closed(l->cfg.user, l->down_err, l->why[0] ? l->why : NULL);
}

/* The link is over (@err 0: because we asked); @why for people, or NULL. */
static void go_down(struct mp_proxy_link *l, int err, const char *why)
{
	drop_conn(l);
	if (l->down)
		return;
	l->down = true;
	l->down_err = err;
	if (why && !l->why[0])
		snprintf(l->why, sizeof(l->why), "%s", why);
	mp_loop_timer_set(l->cfg.loop, &l->down_timer, 0, NULL, NULL);
	l->down_timer = mp_loop_timer_add(l->cfg.loop, 0, down_fired, l);
}

static void setup_expired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_proxy_link *l = data;
	char why[96];

	(void)loop;
	(void)id;
	l->setup_timer = 0;
	snprintf(why, sizeof(why), "%s: no answer within %u s",
		 !l->gatt_ready ? mp_gatt_client_step(l->client) : "proxy filter",
		 MP_PROXY_LINK_SETUP_MS / 1000);
	go_down(l, -ETIMEDOUT, why);
}

/* 6.3.2.2: a segmented message not complete within 20 s ends the link. */
static void sar_expired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_proxy_link *l = data;

	(void)loop;
	(void)id;
	l->sar_timer = 0;
	go_down(l, -ETIMEDOUT, "Proxy PDU: segmented message not complete within 20 s");
}

/* ---- sending ---- */

/* Cut @msg into Proxy PDUs of @type and write each to Data In. */
static int write_msg(struct mp_proxy_link *l, uint8_t type, const uint8_t *msg, size_t len)
{
	uint8_t pdu[MP_PROXY_ATT_VALUE_MAX];
	struct mp_proxy_seg seg;
	ssize_t n;
	int err;

	if (!l->gatt_ready || !l->conn)
		return -ENOTCONN;
	err = mp_proxy_seg_init(&seg, type, msg, len, mp_gatt_client_mtu(l->client));
	if (err)
		return err;
	while ((n = mp_proxy_seg_next(&seg, pdu, sizeof(pdu))) > 0) {
		err = mp_gatt_client_write(l->client, pdu, (size_t)n);
		if (err)
			return err;
	}
	return (int)n;
}

int mp_proxy_link_send(struct mp_proxy_link *l, const uint8_t *pdu, size_t len)
{
	if (!l->ready)
		return -ENOTCONN;
	if (!pdu || len < MP_MESH_MESSAGE_MIN || len > MP_MESH_MESSAGE_MAX)
		return -EMSGSIZE;
	return write_msg(l, MP_PROXY_NETWORK_PDU, pdu, len);
}

/* Seal and send @m; what its Filter Status should say goes to the queue
 * when @e is not NULL. */
static int send_cfg(struct mp_proxy_link *l, const struct mp_proxy_cfg_msg *m,
		    const struct expect *e)
{
	uint8_t pdu[MP_NET_PDU_MAX];
	uint32_t seq;
	ssize_t n;
	int err;

	if (!l->gatt_ready || !l->conn)
		return -ENOTCONN;
	err = l->cfg.cb->seq(l->cfg.user, l->filter[0], &seq);
	if (err)
		return err;
	n = mp_proxy_cfg_seal(&mp_subnet_tx_keys(l->cfg.subnet)->flood, l->cfg.iv_index,
			      l->filter[0], seq, m, pdu, sizeof(pdu));
	if (n < 0)
		return (int)n;
	err = write_msg(l, MP_PROXY_CONFIGURATION, pdu, (size_t)n);
	if (err)
		return err;
	if (e && l->exp_count < EXPECT_MAX)
		l->expect[(l->exp_head + l->exp_count++) % EXPECT_MAX] = *e;
	return 0;
}

/* What a message changes in the list we asked for (6.7): the Filter Status
 * that answers it should say the result. */
static void expect_of(struct mp_proxy_link *l, const struct mp_proxy_cfg_msg *m, struct expect *e)
{
	switch (m->opcode) {
	case MP_PROXY_CFG_SET_FILTER_TYPE:
		/* cleared; the node may add our SRC on its own (6.6) */
		l->listed = 0;
		e->min = 0;
		e->max = 1;
		return;
	case MP_PROXY_CFG_ADD_ADDRS:
		l->listed = (uint16_t)(l->listed + m->naddrs);
		break;
	case MP_PROXY_CFG_REMOVE_ADDRS:
		l->listed = (uint16_t)(l->listed > m->naddrs ? l->listed - m->naddrs : 0);
		break;
	default:
		break;
	}
	e->min = e->max = l->listed;
}

int mp_proxy_link_send_cfg(struct mp_proxy_link *l, const struct mp_proxy_cfg_msg *m)
{
	struct expect e;
	uint16_t listed = l->listed;
	bool answered;
	int err;

	if (!m)
		return -EINVAL;
	answered = m->opcode <= MP_PROXY_CFG_REMOVE_ADDRS;
	expect_of(l, m, &e);
	err = send_cfg(l, m, answered ? &e : NULL);
	if (err)
		l->listed = listed;
	return err;
}

/* The filter (6.6): an accept list of our addresses, five per Add. */
static int setup_filter(struct mp_proxy_link *l)
{
	struct mp_proxy_cfg_msg m = { .opcode = MP_PROXY_CFG_SET_FILTER_TYPE,
				      .filter_type = MP_PROXY_FILTER_ACCEPT };
	size_t i = 0, k;
	int err = mp_proxy_link_send_cfg(l, &m);

	while (!err && i < l->cfg.nfilter) {
		memset(&m, 0, sizeof(m));
		m.opcode = MP_PROXY_CFG_ADD_ADDRS;
		for (k = 0; k < MP_PROXY_CFG_ADDRS_MAX && i < l->cfg.nfilter; k++)
			m.addrs[m.naddrs++] = l->filter[i++];
		err = mp_proxy_link_send_cfg(l, &m);
	}
	return err;
}

/* ---- receiving ---- */

static void rx_cfg(struct mp_proxy_link *l, const uint8_t *pdu, size_t len)
{
	struct mp_proxy_cfg_msg m;
	struct expect e = { l->listed, l->listed };
	bool agrees;

	if (mp_proxy_cfg_open(l->cfg.subnet, 1, l->cfg.iv_index, pdu, len, NULL, &m) != 0) {
		l->stats.cfg_dropped++;
		return;
	}
	if (m.opcode != MP_PROXY_CFG_FILTER_STATUS) {
		if (l->cfg.cb->cfg_rx)
			l->cfg.cb->cfg_rx(l->cfg.user, &m);
		return;
	}
	/* the answer to the oldest message not answered yet; an unsolicited
	 * one should say the list as it is */
	if (l->exp_count) {
		e = l->expect[l->exp_head];
		l->exp_head = (l->exp_head + 1) % EXPECT_MAX;
		l->exp_count--;
	}
	agrees = m.filter_type == MP_PROXY_FILTER_ACCEPT && m.list_size >= e.min &&
		 m.list_size <= e.max;
	l->stats.statuses++;
	l->stats.disagreed += !agrees;
	if (l->cfg.cb->filter_status)
		l->cfg.cb->filter_status(l->cfg.user, &m, agrees);
}

static void client_notify(void *owner, const uint8_t *value, size_t len)
{
	struct mp_proxy_link *l = owner;
	struct mp_proxy_msg msg;
	char why[96];
	int r = mp_proxy_rx_feed(&l->rx, value, len, &msg);

	if (r < 0) {
		/* 6.3.2.2: the proxy client disconnects */
		snprintf(why, sizeof(why), "malformed Proxy PDU: %s", strerror(-r));
		go_down(l, r, why);
		return;
	}
	if (!mp_proxy_rx_in_progress(&l->rx))
		mp_loop_timer_set(l->cfg.loop, &l->sar_timer, 0, NULL, NULL);
	else if (!l->sar_timer)
		mp_loop_timer_set(l->cfg.loop, &l->sar_timer, MP_PROXY_SAR_TIMEOUT_MS, sar_expired,
				  l);
	if (r == 0)
		return;
	switch (msg.type) {
	case MP_PROXY_NETWORK_PDU:
		if (msg.len < MP_MESH_MESSAGE_MIN || msg.len > MP_MESH_MESSAGE_MAX)
			l->stats.other_dropped++;
		else if (l->cfg.cb->net_rx)
			l->cfg.cb->net_rx(l->cfg.user, msg.data, msg.len);
		break;
	case MP_PROXY_MESH_BEACON:
		if (l->cfg.cb->beacon_rx)
			l->cfg.cb->beacon_rx(l->cfg.user, msg.data, msg.len);
		break;
	case MP_PROXY_CONFIGURATION:
		rx_cfg(l, msg.data, msg.len);
		break;
	default:	/* Provisioning PDUs, RFU types: not ours here */
		l->stats.other_dropped++;
		break;
	}
}

/* ---- the GATT client ---- */

static void client_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mp_proxy_link *l = owner;
	int err = l->conn ? l->cfg.radio.ops->conn_send(l->conn, pdu, len) : -ENOTCONN;

	if (err)
		go_down(l, err, "connection: send failed");
}

static void client_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_proxy_link *l = data;

	(void)loop;
	(void)id;
	l->client_timer = 0;
	mp_gatt_client_timeout(l->client);
}

static void client_timer(void *owner, uint32_t delay_ms)
{
	struct mp_proxy_link *l = owner;

	mp_loop_timer_set(l->cfg.loop, &l->client_timer, delay_ms,
			  delay_ms ? client_timer_fired : NULL, l);
}

static void client_ready(void *owner, uint16_t att_mtu)
{
	struct mp_proxy_link *l = owner;
	char why[96];
	int err;

	l->gatt_ready = true;
	err = setup_filter(l);
	if (err) {
		snprintf(why, sizeof(why), "proxy filter: %s", strerror(-err));
		go_down(l, err, why);
		return;
	}
	mp_loop_timer_set(l->cfg.loop, &l->setup_timer, 0, NULL, NULL);
	l->ready = true;
	if (l->cfg.cb->ready)
		l->cfg.cb->ready(l->cfg.user, att_mtu);
}

static void client_failed(void *owner, int err, const char *reason)
{
	go_down(owner, err, reason);
}

static const struct mp_gatt_client_ops client_ops = {
	client_tx, client_timer, client_ready, client_notify, client_failed,
};

/* ---- the connection ---- */

static void conn_connected(void *owner, int err)
{
	struct mp_proxy_link *l = owner;
	char why[96];

	if (!err)
		err = mp_gatt_client_start(l->client);
	if (err) {
		snprintf(why, sizeof(why), "connection: %s", strerror(-err));
		go_down(l, err, why);
	}
}

static void conn_rx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mp_proxy_link *l = owner;

	mp_gatt_client_rx(l->client, pdu, len);	/* failures come through failed() */
}

static void conn_disconnected(void *owner, int err)
{
	go_down(owner, err ? err : -ECONNRESET, "connection: dropped by the node");
}

static const struct mp_radio_conn_cb conn_cb = { conn_connected, conn_rx, conn_disconnected };

/* ---- lifetime ---- */

int mp_proxy_link_open(const struct mp_proxy_link_config *cfg, struct mp_proxy_link **out)
{
	struct mp_gatt_client_config cc = { .uuids = mp_gatt_mesh_proxy, .ops = &client_ops };
	struct mp_proxy_link *l;
	size_t i;
	int err;

	if (!cfg || !out || !cfg->loop || !cfg->subnet || !cfg->cb || !cfg->cb->seq ||
	    !cfg->filter || cfg->nfilter == 0 || cfg->nfilter > MP_PROXY_LINK_FILTER_MAX)
		return -EINVAL;
	for (i = 0; i < cfg->nfilter; i++)
		if (!mp_addr_is_unicast(cfg->filter[i]))
			return -EINVAL;
	if (!cfg->radio.ops || !cfg->radio.ops->connect)
		return -EOPNOTSUPP;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	memcpy(l->filter, cfg->filter, cfg->nfilter * sizeof(l->filter[0]));
	l->cfg.filter = l->filter;
	mp_proxy_rx_init(&l->rx, l->rx_buf, sizeof(l->rx_buf));
	cc.owner = l;
	l->client = mp_gatt_client_new(&cc);
	if (!l->client) {
		free(l);
		return -ENOMEM;
	}
	err = cfg->radio.ops->connect(cfg->radio.ctx, cfg->addr, cfg->addr_type, &conn_cb, l,
				      &l->conn);
	if (err) {
		l->conn = NULL;
		mp_proxy_link_free(l);
		return err;
	}
	l->setup_timer = mp_loop_timer_add(cfg->loop, MP_PROXY_LINK_SETUP_MS, setup_expired, l);
	*out = l;
	return 0;
}

void mp_proxy_link_set_iv_index(struct mp_proxy_link *l, uint32_t iv_index)
{
	l->cfg.iv_index = iv_index;
}

void mp_proxy_link_close(struct mp_proxy_link *l)
{
	go_down(l, 0, NULL);
}

const struct mp_proxy_link_stats *mp_proxy_link_stats(const struct mp_proxy_link *l)
{
	return &l->stats;
}

bool mp_proxy_link_ready(const struct mp_proxy_link *l)
{
	return l->ready;
}

void mp_proxy_link_free(struct mp_proxy_link *l)
{
	if (!l)
		return;
	drop_conn(l);
	if (l->down_timer)
		mp_loop_timer_cancel(l->cfg.loop, l->down_timer);
	mp_gatt_client_free(l->client);
	free(l);
}
