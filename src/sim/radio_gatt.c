/* The simulated radio's PB-GATT side: connectable advertising with the
 * Mesh Provisioning Service's data, and connections from the engine to a
 * device's GATT server (gatt/server.h) carrying a PB-GATT link
 * (bearer/pbgatt.h, device role) to the device's provisionee.
 *
 * A connection is a FIFO of events (connected, an ATT PDU either way, a
 * disconnection) delivered one latency apart by one loop timer, so it is
 * reliable and in order like an LE ACL link. The engine's side ends with
 * conn_close(); the device's side of a connection the engine closed, or
 * that the device dropped, is torn down from a zero-delay timer, never
 * inside a call of either side.
 */
#include "radio_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gatt/att.h"
#include "gatt/gatt.h"
#include "gatt/server.h"
#include "adv/adv.h"

#define DEFAULT_LATENCY_MS 8	/* about one connection event */
#define CONNECT_MS 30		/* from the request to Connection Complete */
#define ATT_PDU_MAX 517

enum ev_type { EV_CONNECTED, EV_TO_ENGINE, EV_TO_DEVICE, EV_DISCONNECTED };

struct conn_ev {
	struct conn_ev *next;
	enum ev_type type;
	int err;
	size_t len;
	uint8_t pdu[];
};

struct mp_radio_conn {
	struct mp_sim_radio *r;
	struct mp_radio_conn *next;	/* r->conns */
	struct sim_dev *sd;		/* NULL once the device side is gone */
	const struct mp_radio_conn_cb *cb;
	void *owner;
	struct conn_ev *head, *tail;
	int64_t timer;
	bool up;			/* EV_CONNECTED delivered, no EV_DISCONNECTED yet */
};

static void conn_fire(struct mp_loop *loop, int64_t id, void *data);

static unsigned int latency(const struct mp_sim_radio *r)
{
	return r->cfg.gatt_latency_ms ? r->cfg.gatt_latency_ms : DEFAULT_LATENCY_MS;
}

static void conn_push(struct mp_radio_conn *c, enum ev_type type, int err, const uint8_t *pdu,
		      size_t len, unsigned int delay)
{
	struct conn_ev *ev = calloc(1, sizeof(*ev) + len);

	if (!ev)
		return;		/* out of memory: the simulated link loses it */
	ev->type = type;
	ev->err = err;
	ev->len = len;
	if (len)
		memcpy(ev->pdu, pdu, len);
	if (c->tail)
		c->tail->next = ev;
	else
		c->head = ev;
	c->tail = ev;
	if (!c->timer)
		c->timer = mp_loop_timer_add(c->r->cfg.loop, delay, conn_fire, c);
}

/* ---- the device's side ---- */

static void dev_down_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_dev *sd = data;

	sd->gatt_down_timer = 0;
	if (sd->proxy_conn)
		sim_proxy_detached(sd);
	else if (sd->pbg)
		mp_pbgatt_disconnected(sd->pbg, -ECONNRESET);	/* closed() frees */
}

/* The connection is gone for the device: its link learns it soon. */
static void dev_detach(struct sim_dev *sd)
{
	if (sd->conn)
		sd->conn->sd = NULL;
	sd->conn = NULL;
	if (!sd->gatt_down_timer)
		sd->gatt_down_timer = mp_loop_timer_add(sd->r->cfg.loop, 0, dev_down_fired, sd);
}

void sim_gatt_srv_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct sim_dev *sd = owner;

	if (sd->conn)
		conn_push(sd->conn, EV_TO_ENGINE, 0, pdu, len, latency(sd->r));
}

static void srv_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct sim_dev *sd = owner;

	sd->gatt_rx++;
	if (sd->r->cfg.gatt_drop_after && sd->gatt_rx > sd->r->cfg.gatt_drop_after) {
		/* the device goes away mid-way (tests) */
		if (sd->conn)
			conn_push(sd->conn, EV_DISCONNECTED, -ECONNRESET, NULL, 0,
				  latency(sd->r));
		dev_detach(sd);
		return;
	}
	mp_pbgatt_rx(sd->pbg, value, len);
}

static void srv_cccd(void *owner, bool enabled)
{
	struct sim_dev *sd = owner;

	if (enabled)
		mp_pbgatt_ready(sd->pbg);	/* opened() */
}

static void srv_mtu(void *owner, uint16_t att_mtu)
{
	struct sim_dev *sd = owner;

	mp_pbgatt_set_mtu(sd->pbg, att_mtu);
}

static const struct mp_gatt_server_ops srv_ops = { sim_gatt_srv_tx, srv_data_in, srv_cccd,
						   srv_mtu };

static int pbg_tx(void *user, const uint8_t *value, size_t len)
{
	struct sim_dev *sd = user;

	return sd->conn ? mp_gatt_server_notify(sd->srv, value, len) : -ENOTCONN;
}

static void pbg_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct sim_dev *sd = user;

	if (id < MP_PBGATT_TIMERS)
		mp_timer_slots_set(&sd->timers, SIM_TIMER_GATT + id, delay_ms);
}

void sim_gatt_dev_drop(struct sim_dev *sd)
{
	if (sd->conn)
		conn_push(sd->conn, EV_DISCONNECTED, -ECONNRESET, NULL, 0, latency(sd->r));
	dev_detach(sd);
}

/* The device's link gives up (or is done): the device disconnects. */
static void pbg_disconnect(void *user)
{
	sim_gatt_dev_drop(user);
}

static const struct mp_pbgatt_ops pbg_ops = { pbg_tx, pbg_timer, pbg_disconnect };

static void free_gatt_side(struct sim_dev *sd)
{
	unsigned int i;

	for (i = 0; i < MP_PBGATT_TIMERS; i++)
		mp_timer_slots_set(&sd->timers, SIM_TIMER_GATT + i, 0);
	mp_pbgatt_free(sd->pbg);
	sd->pbg = NULL;
	mp_gatt_server_free(sd->srv);
	sd->srv = NULL;
}

static void pbg_opened(void *owner)
{
	struct sim_dev *sd = owner;

	sim_dev_bearer_opened(sd, mp_pbgatt_bearer(sd->pbg));
}

static void pbg_rx(void *owner, const uint8_t *pdu, size_t len)
{
	sim_dev_bearer_rx(owner, pdu, len);
}

static void pbg_delivered(void *owner)
{
	sim_dev_bearer_delivered(owner);
}

static void pbg_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct sim_dev *sd = owner;
	bool was_active = sd->has_active;

	free_gatt_side(sd);	/* the bearer allows it from closed() */
	if (was_active) {
		sim_dev_bearer_closed(sd);	/* advertises again unless provisioned */
	} else if (!sd->provisioned) {
		mp_sim_device_reset(sd->dev);
		sim_gatt_advertise(sd);
	}
}

static const struct mp_bearer_cb pbg_cb = { pbg_opened, pbg_rx, pbg_delivered, pbg_closed };

/* ---- advertising ---- */

static void gatt_adv_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_dev *sd = data;
	struct mp_sim_radio *r = sd->r;
	/* Flags (LE General Discoverable, BR/EDR not supported), Complete
	 * List of 16-bit Service UUIDs, Service Data: the Mesh Provisioning
	 * Service with Device UUID and OOB Information. MshPRT v1.1 7.1.2.2.1 */
	uint8_t ad[31] = { 2, 0x01, 0x06, 3, 0x03, 0x27, 0x18, 21, 0x16, 0x27, 0x18 };
	size_t len = 29;

	sd->gatt_adv_timer = 0;
	if (sd->conn || sd->has_active)
		return;		/* not connectable while busy */
	if (sd->provisioned) {
		/* a node advertises the Mesh Proxy Service while it serves it
		 * (its GATT Proxy state may come on again later) */
		len = sim_proxy_ad(sd, ad);
		if (!len) {
			sd->gatt_adv_timer = mp_loop_timer_add(loop, r->cfg.beacon_ms,
							       gatt_adv_fired, sd);
			return;
		}
	} else {
		memcpy(ad + 11, sd->uuid, 16);
		/* little-endian in the service data (the 8.5.1 sample: ...f4 2040) */
		ad[27] = (uint8_t)sim_oob_info(r);
		ad[28] = (uint8_t)(sim_oob_info(r) >> 8);
	}
	sim_post(r, -1, (int)sd->index, 0, ad, len, true);
	sd->gatt_adv_timer = mp_loop_timer_add(loop, r->cfg.beacon_ms, gatt_adv_fired, sd);
}

void sim_gatt_advertise(struct sim_dev *sd)
{
	if (!sd->gatt || sd->gatt_adv_timer)
		return;
	sd->gatt_adv_timer = mp_loop_timer_add(sd->r->cfg.loop,
					       sim_prng_next(sd->r) % sd->r->cfg.beacon_ms,
					       gatt_adv_fired, sd);
}

/* ---- the engine's side ---- */

static void conn_fire(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_radio_conn *c = data;
	struct conn_ev *ev = c->head;

	c->timer = 0;
	if (!ev)
		return;
	c->head = ev->next;
	if (!c->head)
		c->tail = NULL;
	/* the next one, one latency later (arm first: a callback may close) */
	if (c->head)
		c->timer = mp_loop_timer_add(loop, latency(c->r), conn_fire, c);
	switch (ev->type) {
	case EV_CONNECTED:
		c->up = ev->err == 0;
		if (c->cb->connected)
			c->cb->connected(c->owner, ev->err);
		break;
	case EV_TO_ENGINE:
		if (c->up && c->cb->rx)
			c->cb->rx(c->owner, ev->pdu, ev->len);
		break;
	case EV_TO_DEVICE:
		if (c->sd && c->sd->srv)
			mp_gatt_server_rx(c->sd->srv, ev->pdu, ev->len);
		break;
	case EV_DISCONNECTED:
		if (c->up) {
			c->up = false;
			if (c->cb->disconnected)
				c->cb->disconnected(c->owner, ev->err);
		}
		break;
	}
	free(ev);
}

static struct sim_dev *find_dev(struct mp_sim_radio *r, const uint8_t addr[6])
{
	unsigned int i;

	for (i = 0; i < r->cfg.devices; i++)
		if (memcmp(r->devs[i].addr, addr, 6) == 0)
			return &r->devs[i];
	return NULL;
}

int sim_gatt_connect(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		     const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out)
{
	struct mp_sim_radio *r = ctx;
	struct sim_dev *sd = find_dev(r, addr);
	struct mp_radio_conn *c = calloc(1, sizeof(*c));
	struct mp_gatt_server_config sc = { .ops = &srv_ops };
	struct mp_pbgatt_config pc = { .role = MP_PBGATT_DEVICE, .ops = &pbg_ops, .cb = &pbg_cb };
	int err = 0;

	if (!c)
		return -ENOMEM;
	c->r = r;
	c->cb = cb;
	c->owner = owner;
	/* A device that is not there, or not connectable now (provisioned,
	 * busy with another link), never answers the connection request:
	 * Linux then reports a timeout. Say so sooner here. */
	if (sd && sd->gatt && addr_type == 1 && !sd->conn && !sd->has_active && !sd->pbg &&
	    !sd->srv && sd->provisioned && sd->node && mp_sim_node_proxy_on(sd->node)) {
		/* a node serving the Mesh Proxy Service */
		sd->conn = c;
		c->sd = sd;
		if (sim_proxy_attach(sd) < 0) {
			sd->conn = NULL;
			free(c);
			return -ENOMEM;
		}
	} else if (!sd || !sd->gatt || addr_type != 1 || sd->conn || sd->has_active ||
		   sd->provisioned || sd->pbg || sd->srv) {
		err = -ETIMEDOUT;
	} else {
		sc.owner = sd;
		pc.user = sd;
		sd->srv = mp_gatt_server_new(&sc);
		sd->pbg = mp_pbgatt_new(&pc);
		if (!sd->srv || !sd->pbg) {
			free_gatt_side(sd);
			free(c);
			return -ENOMEM;
		}
		sd->conn = c;
		sd->gatt_rx = 0;
		c->sd = sd;
	}
	c->next = r->conns;
	r->conns = c;
	conn_push(c, EV_CONNECTED, err, NULL, 0, err ? CONNECT_MS * 10 : CONNECT_MS);
	*out = c;
	return 0;
}

int sim_gatt_send(struct mp_radio_conn *c, const uint8_t *pdu, size_t len)
{
	if (!c->up)
		return -ENOTCONN;
	if (!len || len > ATT_PDU_MAX)
		return -EMSGSIZE;
	c->r->gatt_tx++;
	conn_push(c, EV_TO_DEVICE, 0, pdu, len, latency(c->r));
	return 0;
}

void sim_gatt_close(struct mp_radio_conn *c)
{
	struct mp_radio_conn **pp;

	if (!c)
		return;
	for (pp = &c->r->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->sd)
		dev_detach(c->sd);	/* the device sees the link drop */
	if (c->timer)
		mp_loop_timer_cancel(c->r->cfg.loop, c->timer);
	while (c->head) {
		struct conn_ev *ev = c->head;

		c->head = ev->next;
		free(ev);
	}
	free(c);
}

void sim_gatt_dev_free(struct sim_dev *sd)
{
	struct mp_sim_radio *r = sd->r;

	if (sd->conn)
		sd->conn->sd = NULL;	/* the engine's side stays until conn_close */
	sd->conn = NULL;
	if (sd->gatt_adv_timer)
		mp_loop_timer_cancel(r->cfg.loop, sd->gatt_adv_timer);
	if (sd->gatt_down_timer)
		mp_loop_timer_cancel(r->cfg.loop, sd->gatt_down_timer);
	if (sd->proxy_sar_timer)
		mp_loop_timer_cancel(r->cfg.loop, sd->proxy_sar_timer);
	free_gatt_side(sd);
}

unsigned long mp_sim_radio_gatt_count(const struct mp_sim_radio *r)
{
	return r->gatt_tx;
}
