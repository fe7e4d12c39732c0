/* The engine's PB-GATT link: connection + GATT client + PB-GATT bearer;
 * see gatt_link.h.
 *
 * The end of the link always takes the same path: the connection is
 * dropped at once (so nothing more arrives), and the bearer is told from a
 * zero-delay timer (mp_pbgatt_disconnected), which reports closed() to the
 * owner as its last action. Nothing here calls the owner from inside one
 * of the owner's calls.
 */
#include "gatt_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/pbgatt.h"
#include "core/timer_slots.h"
#include "gatt/client.h"
#include "prov/pdu.h"

struct gatt_link {
	struct gatt_link_config cfg;
	struct mp_radio_conn *conn;
	struct mp_gatt_client *client;
	struct mp_pbgatt *pb;
	struct mp_timer_slots timers;	/* the bearer's, then the GATT client's */
	int64_t setup_timer;
	int64_t down_timer;
	int down_err;
	bool down;		/* the end is decided; down_timer reports it */
	enum mp_engine_fail reason;	/* see gatt_link_reason(), when failed */
	bool failed;
	char why[160];
};

/* The link's timer slots: the PB-GATT bearer's, then the GATT client's. */
#define TIMER_CLIENT MP_PBGATT_TIMERS
#define LINK_TIMERS (MP_PBGATT_TIMERS + 1)

/* ---- the end ---- */

static void drop_conn(struct gatt_link *l)
{
	if (l->conn)
		l->cfg.radio.ops->conn_close(l->conn);
	l->conn = NULL;
	mp_timer_slots_set(&l->timers, TIMER_CLIENT, 0);
	mp_loop_timer_set(l->cfg.loop, &l->setup_timer, 0, NULL, NULL);
}

static void down_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct gatt_link *l = data;

	l->down_timer = 0;
	/* closed() is the bearer's last action; the owner may free us in it */
	mp_pbgatt_disconnected(l->pb, l->down_err);
}

/* The connection is over (@err 0: because we asked). */
static void go_down(struct gatt_link *l, int err)
{
	drop_conn(l);
	if (l->down)
		return;
	l->down = true;
	l->down_err = err;
	l->down_timer = mp_loop_timer_add(l->cfg.loop, 0, down_fired, l);
}

static void setup_expired(struct mp_loop *loop, int64_t id, void *data)
{
	struct gatt_link *l = data;

	l->setup_timer = 0;
	l->reason = MP_ENGINE_FAIL_TIMEOUT;
	l->failed = true;
	if (!l->why[0])
		snprintf(l->why, sizeof(l->why), "%s: no answer within %u s",
			 mp_gatt_client_state(l->client) == MP_GATT_CLIENT_IDLE ? "connection" :
			 mp_gatt_client_step(l->client), GATT_LINK_SETUP_MS / 1000);
	go_down(l, -ETIMEDOUT);
}

/* ---- the connection ---- */

static void conn_connected(void *owner, int err)
{
	struct gatt_link *l = owner;

	if (!err)
		err = mp_gatt_client_start(l->client);
	if (err) {
		l->reason = err == -ETIMEDOUT ? MP_ENGINE_FAIL_TIMEOUT : MP_ENGINE_FAIL_CONNECT_FAILED;
		l->failed = true;
		snprintf(l->why, sizeof(l->why), "connection: %s", strerror(-err));
		go_down(l, err);
	}
}

static void conn_rx(void *owner, const uint8_t *pdu, size_t len)
{
	struct gatt_link *l = owner;

	mp_gatt_client_rx(l->client, pdu, len);	/* failures come through failed() */
}

static void conn_disconnected(void *owner, int err)
{
	struct gatt_link *l = owner;

	go_down(l, err ? err : -ECONNRESET);
}

static const struct mp_radio_conn_cb conn_cb = { conn_connected, conn_rx, conn_disconnected };

/* ---- the GATT client ---- */

static void client_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct gatt_link *l = owner;
	int err = l->conn ? l->cfg.radio.ops->conn_send(l->conn, pdu, len) : -ENOTCONN;

	if (err)
		go_down(l, err);
}

static void client_timer(void *owner, uint32_t delay_ms)
{
	struct gatt_link *l = owner;

	mp_timer_slots_set(&l->timers, TIMER_CLIENT, delay_ms);
}

static void client_ready(void *owner, uint16_t att_mtu)
{
	struct gatt_link *l = owner;

	mp_loop_timer_set(l->cfg.loop, &l->setup_timer, 0, NULL, NULL);
	mp_pbgatt_set_mtu(l->pb, att_mtu);
	mp_pbgatt_ready(l->pb);		/* opened() */
}

static void client_notify(void *owner, const uint8_t *value, size_t len)
{
	struct gatt_link *l = owner;

	mp_pbgatt_rx(l->pb, value, len);
}

static void client_failed(void *owner, int err, const char *reason)
{
	struct gatt_link *l = owner;

	l->reason = err == -ETIMEDOUT ? MP_ENGINE_FAIL_TIMEOUT : MP_ENGINE_FAIL_GATT_ERROR;
	l->failed = true;
	snprintf(l->why, sizeof(l->why), "%s", reason);
	go_down(l, err);
}

static const struct mp_gatt_client_ops client_ops = {
	client_tx, client_timer, client_ready, client_notify, client_failed,
};

/* ---- the PB-GATT bearer ---- */

static int pb_tx(void *user, const uint8_t *value, size_t len)
{
	struct gatt_link *l = user;

	return l->conn ? mp_gatt_client_write(l->client, value, len) : -ENOTCONN;
}

static void link_timer_fired(void *owner, unsigned int id)
{
	struct gatt_link *l = owner;

	if (id == TIMER_CLIENT)
		mp_gatt_client_timeout(l->client);
	else
		mp_pbgatt_timeout(l->pb, id);
}

static void pb_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct gatt_link *l = user;

	if (id < MP_PBGATT_TIMERS)
		mp_timer_slots_set(&l->timers, id, delay_ms);
}

static void pb_disconnect(void *user)
{
	go_down(user, 0);
}

static const struct mp_pbgatt_ops pb_ops = { pb_tx, pb_timer, pb_disconnect };

/* The bearer's callbacks, passed on to the owner. */
static void fwd_opened(void *user)
{
	struct gatt_link *l = user;

	if (l->cfg.cb->opened)
		l->cfg.cb->opened(l->cfg.owner);
}

static void fwd_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct gatt_link *l = user;

	if (l->cfg.cb->rx)
		l->cfg.cb->rx(l->cfg.owner, pdu, len);
}

static void fwd_delivered(void *user)
{
	struct gatt_link *l = user;

	if (l->cfg.cb->delivered)
		l->cfg.cb->delivered(l->cfg.owner);
}

static void fwd_closed(void *user, int err, uint8_t reason, bool remote)
{
	struct gatt_link *l = user;

	if (l->cfg.cb->closed)
		l->cfg.cb->closed(l->cfg.owner, err, reason, remote);
}

static const struct mp_bearer_cb fwd_cb = { fwd_opened, fwd_rx, fwd_delivered, fwd_closed };

/* ---- lifetime ---- */

int gatt_link_open(const struct gatt_link_config *cfg, struct gatt_link **out)
{
	struct mp_gatt_client_config cc = { .ops = &client_ops };
	/* We never ask for provisioning records, so nothing the device may
	 * send is longer than a Public Key: a longer message is malformed and
	 * ends the link (issue 12), instead of 1469 octets of anything being
	 * buffered and handed to the provisioner. */
	struct mp_pbgatt_config pc = { .role = MP_PBGATT_PROVISIONER, .ops = &pb_ops,
				       .cb = &fwd_cb, .rx_max = MP_PROV_PDU_MAX };
	struct gatt_link *l;
	int err;

	if (!cfg->radio.ops->connect)
		return -EOPNOTSUPP;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	mp_timer_slots_init(&l->timers, cfg->loop, LINK_TIMERS, link_timer_fired, l);
	cc.owner = l;
	pc.user = l;
	l->client = mp_gatt_client_new(&cc);
	l->pb = mp_pbgatt_new(&pc);
	if (!l->client || !l->pb) {
		err = -ENOMEM;
		goto fail;
	}
	err = cfg->radio.ops->connect(cfg->radio.ctx, cfg->addr, cfg->addr_type, &conn_cb, l,
				      &l->conn);
	if (err)
		goto fail;
	l->setup_timer = mp_loop_timer_add(cfg->loop, GATT_LINK_SETUP_MS, setup_expired, l);
	*out = l;
	return 0;
fail:
	l->conn = NULL;
	gatt_link_free(l);
	return err;
}

static int link_send(void *link, const uint8_t *pdu, size_t len)
{
	struct gatt_link *l = link;

	return mp_pbgatt_send(l->pb, pdu, len);
}

static int link_close(void *link, uint8_t reason)
{
	struct gatt_link *l = link;

	/* Also before the bearer is ready: the connection attempt is dropped. */
	return mp_pbgatt_close(l->pb, reason);
}

static const struct mp_bearer_ops link_ops = { "PB-GATT", link_send, link_close };

struct mp_bearer gatt_link_bearer(struct gatt_link *l)
{
	struct mp_bearer b = { &link_ops, l };

	return b;
}

const char *gatt_link_why(const struct gatt_link *l)
{
	return l->why[0] ? l->why : NULL;
}

bool gatt_link_reason(const struct gatt_link *l, enum mp_engine_fail *reason)
{
	if (l->failed)
		*reason = l->reason;
	return l->failed;
}

void gatt_link_free(struct gatt_link *l)
{
	if (!l)
		return;
	drop_conn(l);
	mp_timer_slots_cancel_all(&l->timers);
	if (l->down_timer)
		mp_loop_timer_cancel(l->cfg.loop, l->down_timer);
	mp_gatt_client_free(l->client);
	mp_pbgatt_free(l->pb);
	free(l);
}
