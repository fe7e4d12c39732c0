/* The simulated radio; see include/sim/radio.h. */
#include "sim/radio.h"
#include "radio_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/pbadv.h"
#include "crypto/crypto.h"
#include "adv/adv.h"

/* Static OOB value of every simulated device: printed by --help so a
 * person can try `--auth static:...` against the simulator. */
static const uint8_t sim_static_oob[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

uint32_t sim_prng_next(struct mp_sim_radio *r)
{
	/* xorshift64*: small, fast, and reproducible from the seed */
	r->prng ^= r->prng >> 12;
	r->prng ^= r->prng << 25;
	r->prng ^= r->prng >> 27;
	return (uint32_t)((r->prng * 0x2545f4914f6cdd1dull) >> 32);
}

uint16_t sim_oob_info(const struct mp_sim_radio *r)
{
	/* A device made with a static value has it printed on itself, where
	 * a person would find it: String (bit 6) and On device (bit 15) of
	 * the OOB Information field. */
	return r->cfg.oob == MP_SIM_OOB_STATIC ? (uint16_t)(1u << 6 | 1u << 15) : 0;
}

static bool chance(struct mp_sim_radio *r, unsigned int pct)
{
	return pct && sim_prng_next(r) % 100 < pct;
}

/* The composition device @i is given, or NULL for the default one. */
static const struct mp_sim_comp *sim_comp_of(const struct mp_sim_radio *r, unsigned int i)
{
	if (r->cfg.n_comps)
		return &r->cfg.comps[i % r->cfg.n_comps];
	return r->cfg.comp;
}

static bool comp_ok(const struct mp_sim_comp *c)
{
	return c->n_elements && c->n_elements <= MP_SIM_CFG_MAX_ELEMENTS;
}

static void deliver_cb(struct mp_loop *loop, int64_t id, void *data);

void sim_post(struct mp_sim_radio *r, int to, int from, uint32_t sender, const uint8_t *ad,
	      size_t len, bool connectable)
{
	unsigned int copies = 1 + chance(r, r->cfg.dup_pct), i;

	if (to < 0 && len >= 2 && ad[1] == MP_AD_MESH_BEACON)
		r->sent.beacons++;
	else if (to < 0 && len >= 2 && ad[1] == MP_AD_PB_ADV)
		r->sent.pb_adv++;
	else if (to < 0 && len >= 2 && ad[1] == MP_AD_MESH_MESSAGE)
		r->sent.network++;
	else if (to < 0)
		r->sent.other++;

	for (i = 0; i < copies; i++) {
		struct delivery *d;
		uint32_t delay;

		if (chance(r, r->cfg.loss_pct))
			continue;
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		d->r = r;
		d->to = to;
		d->from = from;
		d->sender = sender;
		d->len = len;
		d->connectable = connectable;
		memcpy(d->ad, ad, len);
		delay = r->cfg.latency_ms;
		if (r->cfg.delay_ms)
			delay += sim_prng_next(r) % (r->cfg.delay_ms + 1);
		d->timer = mp_loop_timer_add(r->cfg.loop, delay, deliver_cb, d);
		d->next = r->inflight;
		d->prev = NULL;
		if (r->inflight)
			r->inflight->prev = d;
		r->inflight = d;
	}
}

/* O(1): a building has thousands of copies in flight. */
static void unlink_delivery(struct mp_sim_radio *r, struct delivery *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		r->inflight = d->next;
	if (d->next)
		d->next->prev = d->prev;
}

static void deliver_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct delivery *d = data;
	struct mp_sim_radio *r = d->r;

	unlink_delivery(r, d);
	if (d->to < 0 && r->deaf) {
		r->unheard++;
	} else if (d->to < 0) {
		struct mp_adv_report rep = { .data = d->ad, .len = d->len,
					     .rssi = (int8_t)(-40 - d->from % 40) };

		memcpy(rep.addr, r->devs[d->from].addr, 6);
		rep.addr_type = 1;
		rep.connectable = d->connectable;
		if (r->rcv && r->rcv->report)
			r->rcv->report(r->rcv_user, &rep);
	} else if (d->len >= 2 && d->ad[1] == 0x29 && d->ad[0] + 1u <= d->len) {
		/* a PB-ADV PDU for this device's link */
		mp_pbadv_rx(r->devs[d->to].link, d->ad + 2, d->ad[0] - 1u);
	} else if (d->len >= 2 && d->ad[1] == MP_AD_MESH_MESSAGE && d->ad[0] + 1u <= d->len &&
		   r->devs[d->to].node) {
		/* a Network PDU: the node's network layer decides */
		mp_sim_node_rx(r->devs[d->to].node, d->ad + 2, d->ad[0] - 1u);
		sim_proxy_check(&r->devs[d->to]);
	} else if (d->len >= 2 && d->ad[1] == MP_AD_MESH_BEACON && d->ad[0] + 1u <= d->len &&
		   r->devs[d->to].node) {
		/* a mesh beacon: a node follows the Key Refresh flag of one
		 * under its new key (sim/node.h) */
		mp_sim_node_beacon_rx(r->devs[d->to].node, d->ad + 2, d->ad[0] - 1u);
	}
	free(d);
}

/* ---- the radio as the engine sees it ---- */

static int radio_attach(void *ctx, const struct mp_radio_receiver *rcv, void *user)
{
	struct mp_sim_radio *r = ctx;

	if (rcv && r->rcv)
		return -EBUSY;
	r->rcv = rcv;
	r->rcv_user = rcv ? user : NULL;
	return 0;
}

static int radio_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	struct mp_sim_radio *r = ctx;
	unsigned int i;

	if (len > 31)
		return -EMSGSIZE;
	r->adv_count++;
	for (i = 0; i < r->cfg.devices; i++)
		sim_post(r, (int)i, -1, sender, ad, len, false);
	return 0;
}

/* Like the controller's queue (hci/hci.h, mp_hci_adv_cancel): what the
 * engine sent for @sender and no device heard yet is not sent at all. */
static void radio_forget(void *ctx, uint32_t sender)
{
	struct mp_sim_radio *r = ctx;
	struct delivery *d = r->inflight, *next;

	for (; d; d = next) {
		next = d->next;
		if (d->to < 0 || d->from >= 0 || d->sender != sender)
			continue;
		unlink_delivery(r, d);
		mp_loop_timer_cancel(r->cfg.loop, d->timer);
		r->withdrawn++;
		free(d);
	}
}

static int radio_scan(void *ctx, bool on)
{
	struct mp_sim_radio *r = ctx;

	r->deaf = !on;
	return 0;
}

static const struct mp_radio_ops radio_ops = {
	.name = "simulator", .attach = radio_attach, .advertise = radio_advertise,
	.forget = radio_forget, .scan = radio_scan, .connect = sim_gatt_connect,
	.conn_send = sim_gatt_send, .conn_close = sim_gatt_close,
};

/* ---- each device: beacon, link, provisionee ---- */

static void beacon_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_dev *sd = data;
	struct mp_sim_radio *r = sd->r;
	/* Unprovisioned Device beacon: AD type 0x2B, beacon type 0x00, UUID,
	 * OOB Information (big-endian). MshPRT v1.1 3.10.2 */
	uint8_t ad[21] = { 20, 0x2b, 0x00 };

	sd->beacon_timer = 0;
	if (sd->provisioned)
		return;
	memcpy(ad + 3, sd->uuid, 16);
	/* big-endian in the beacon (the 8.4.1 sample: ...f4 a040) */
	ad[19] = (uint8_t)(sim_oob_info(r) >> 8);
	ad[20] = (uint8_t)sim_oob_info(r);
	sim_post(r, -1, (int)sd->index, 0, ad, sizeof(ad), false);
	sd->beacon_timer = mp_loop_timer_add(loop, r->cfg.beacon_ms, beacon_cb, sd);
}

static void proto_timer_fired(struct sim_dev *sd);

static void dev_timer_fired(void *owner, unsigned int id)
{
	struct sim_dev *sd = owner;

	if (id < MP_PBADV_TIMERS)
		mp_pbadv_timeout(sd->link, id);
	else if (id < SIM_TIMER_PROTO)
		mp_pbgatt_timeout(sd->pbg, id - SIM_TIMER_GATT);
	else
		proto_timer_fired(sd);
}

static void dev_link_timer(void *user, unsigned int id, uint32_t delay_ms)
{
	struct sim_dev *sd = user;

	if (id < MP_PBADV_TIMERS)
		mp_timer_slots_set(&sd->timers, id, delay_ms);
}

static void dev_link_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct sim_dev *sd = user;
	uint8_t ad[31];
	int n = mp_ad_put(MP_AD_PB_ADV, pdu, len, ad, sizeof(ad));

	if (n > 0)
		sim_post(sd->r, -1, (int)sd->index, 0, ad, (size_t)n, false);
}

static uint32_t dev_link_random(void *user)
{
	struct sim_dev *sd = user;

	return sim_prng_next(sd->r);
}

static const struct mp_pbadv_ops dev_link_ops = { dev_link_tx, dev_link_timer, dev_link_random };

/* The device's PDUs wait while the link carries the previous one; one
 * that finds no room, or that the link refuses, is lost, as on the air. */
static void dev_send(void *user, const uint8_t *pdu, size_t len)
{
	struct sim_dev *sd = user;

	mp_sendq_send(&sd->txq, pdu, len);
}

static void dev_output(void *user, enum mp_output_action action, const char *text)
{
	struct sim_dev *sd = user;

	if (sd->r->cfg.cb && sd->r->cfg.cb->output)
		sd->r->cfg.cb->output(sd->r->cfg.user, sd->uuid, action, text);
}

static void dev_input(void *user, enum mp_input_action action, uint8_t size)
{
	struct sim_dev *sd = user;

	if (sd->r->cfg.cb && sd->r->cfg.cb->input)
		sd->r->cfg.cb->input(sd->r->cfg.user, sd->uuid, action, size);
}

/* ---- the node a provisioned device becomes ---- */

static void net_tx_unlink(struct mp_sim_radio *r, struct sim_net_tx *t)
{
	struct sim_net_tx **pp;

	for (pp = &r->net_tx; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

/* The node's Network PDU on the air for the engine and, while a GATT Proxy
 * connection is up on either side, for the other nodes: a proxy relays
 * between its client and the other nodes (sim/node.h). Otherwise nodes do
 * not hear each other (none relays), and a large simulation stays linear. */
static void node_air(struct sim_dev *sd, const uint8_t *ad, size_t len)
{
	struct mp_sim_radio *r = sd->r;

	sim_post(r, -1, (int)sd->index, 0, ad, len, false);
	for (unsigned int i = 0; i < r->cfg.devices; i++) {
		struct sim_dev *o = &r->devs[i];

		if (o != sd && o->node && (sd->proxy_conn || o->proxy_conn))
			sim_post(r, (int)i, (int)sd->index, 0, ad, len, false);
	}
}

static void net_tx_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_net_tx *t = data;
	struct mp_sim_radio *r = t->sd->r;

	r->node_pdus++;
	node_air(t->sd, t->ad, t->len);
	if (--t->left) {
		t->timer = mp_loop_timer_add(loop, t->interval_ms, net_tx_cb, t);
		if (t->timer > 0)
			return;
	}
	net_tx_unlink(r, t);
	free(t);
}

/* The node's Network PDU on the air: count + 1 transmissions, (steps + 1)
 * * 10 ms apart (Network Transmit, MshPRT v1.1 4.2.20), on the loop's
 * clock. */
static void node_send(void *user, const uint8_t *pdu, size_t len, uint8_t transmit)
{
	struct sim_dev *sd = user;
	struct mp_sim_radio *r = sd->r;
	struct sim_net_tx *t;
	uint8_t ad[31];
	int n = mp_ad_put(MP_AD_MESH_MESSAGE, pdu, len, ad, sizeof(ad));

	if (n <= 0)
		return;
	r->node_pdus++;
	node_air(sd, ad, (size_t)n);
	if (!(transmit & 0x07))
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;		/* the repetitions are lost, as on a busy radio */
	t->sd = sd;
	t->left = transmit & 0x07;
	t->interval_ms = ((transmit >> 3) + 1u) * 10u;
	t->len = (size_t)n;
	memcpy(t->ad, ad, (size_t)n);
	t->timer = mp_loop_timer_add(r->cfg.loop, t->interval_ms, net_tx_cb, t);
	if (t->timer <= 0) {
		free(t);
		return;
	}
	t->next = r->net_tx;
	r->net_tx = t;
}

static void node_timer_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_node_timer *nt = data;

	nt->handle = 0;
	if (nt->sd->node)
		mp_sim_node_timeout(nt->sd->node, nt->id);
}

static void node_timer(void *user, unsigned id, uint32_t ms)
{
	struct sim_dev *sd = user;
	struct sim_node_timer *nt;

	if (id >= sd->n_ntimers)
		return;
	nt = &sd->ntimers[id];
	if (nt->handle)
		mp_loop_timer_cancel(sd->r->cfg.loop, nt->handle);
	nt->handle = ms ? mp_loop_timer_add(sd->r->cfg.loop, ms, node_timer_cb, nt) : 0;
	if (nt->handle < 0)
		nt->handle = 0;
}

static void node_free(struct sim_dev *sd)
{
	struct mp_loop *loop = sd->r->cfg.loop;

	for (unsigned int i = 0; i < sd->n_ntimers; i++)
		if (sd->ntimers[i].handle)
			mp_loop_timer_cancel(loop, sd->ntimers[i].handle);
	/* the node's own cancellations find no slot any more: nothing left */
	sd->n_ntimers = 0;
	mp_sim_node_free(sd->node);
	sd->node = NULL;
	free(sd->ntimers);
	sd->ntimers = NULL;
	if (sd->node_reset_timer)
		mp_loop_timer_cancel(loop, sd->node_reset_timer);
	sd->node_reset_timer = 0;
}

/* After its Node Reset Status went out the node forgets its keys and
 * addresses and is an unprovisioned device again (MshPRT v1.1 3.10.7):
 * beacons, and a fresh provisioning may come. From the loop, never inside
 * the node's own call (HACKING.md strategy 2). */
static void node_reset_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_dev *sd = data;

	sd->node_reset_timer = 0;
	if (sd->proxy_conn)
		sim_gatt_dev_drop(sd);	/* no node, no proxy: its client is let go */
	node_free(sd);
	sd->provisioned = false;
	if (sd->has_active)
		return;		/* the link's close starts the next attempt */
	mp_sim_device_reset(sd->dev);
	if (sd->adv) {
		mp_pbadv_listen(sd->link);
		if (!sd->beacon_timer)
			sd->beacon_timer = mp_loop_timer_add(loop, 0, beacon_cb, sd);
	}
	if (sd->gatt)
		sim_gatt_advertise(sd);
}

static void node_reset(void *user)
{
	struct sim_dev *sd = user;

	if (!sd->node_reset_timer)
		sd->node_reset_timer = mp_loop_timer_add(sd->r->cfg.loop, 0, node_reset_cb, sd);
}

static const struct mp_sim_node_ops node_ops = {
	.send = node_send, .timer = node_timer, .reset = node_reset, .proxy_send = sim_proxy_send,
};

static void node_start(struct sim_dev *sd, const struct mp_sim_prov_result *res)
{
	struct mp_sim_radio *r = sd->r;
	struct mp_sim_comp comp;
	/* sim/node.h's default states, and the GATT Proxy on where supported */
	struct mp_sim_cfg_params states = { .beacon = 1, .net_transmit = 1u << 3 | 2u,
					    .proxy = 1 };
	struct mp_sim_node_params np = { .prov = res, .comp = &comp,
					 .states = r->cfg.node_states ? r->cfg.node_states : &states,
					 .stray = r->cfg.stray,
					 .ops = &node_ops, .user = sd };
	struct mp_sim_node *node;

	if (sd->node)
		node_free(sd);
	if (sim_comp_of(r, sd->index)) {
		comp = *sim_comp_of(r, sd->index);
	} else {
		mp_sim_node_default_comp(&comp, sd->elements);
		/* a device that offers PB-GATT is a GATT Proxy server once a
		 * node (MshPRT v1.1 7.2), as most such devices are */
		if (sd->gatt)
			comp.features |= MP_SIM_FEAT_PROXY;
	}
	/* timers before the node: it may arm one while it starts */
	sd->n_ntimers = 0;
	if (mp_sim_node_new(&np, &node) < 0)
		return;		/* a device that cannot be a node stays silent */
	sd->ntimers = calloc(mp_sim_node_timer_count(node), sizeof(*sd->ntimers));
	if (!sd->ntimers) {
		mp_sim_node_free(node);
		return;
	}
	sd->n_ntimers = mp_sim_node_timer_count(node);
	for (unsigned int i = 0; i < sd->n_ntimers; i++) {
		sd->ntimers[i].sd = sd;
		sd->ntimers[i].id = i;
	}
	sd->node = node;
}

static void dev_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *res)
{
	struct sim_dev *sd = user;

	if (err == MP_PROV_OK) {
		sd->provisioned = true;
		node_start(sd, res);
	}
	if (sd->r->cfg.cb && sd->r->cfg.cb->done)
		sd->r->cfg.cb->done(sd->r->cfg.user, sd->uuid, err, res);
}

static void proto_timer_fired(struct sim_dev *sd)
{
	/* No progress for 60 s: the device gives up and closes the link, so
	 * that it listens again even if the provisioner vanished without a
	 * Link Close. MshPRT v1.1 5.4.4 */
	if (sd->has_active)
		mp_bearer_close(&sd->active, MP_LINK_CLOSE_TIMEOUT);
}

static void proto_timer_set(struct sim_dev *sd, bool arm)
{
	mp_timer_slots_set(&sd->timers, SIM_TIMER_PROTO, arm ? SIM_PROTOCOL_TIMEOUT_MS : 0);
}

/* ---- the provisionee on whichever link is open ---- */

void sim_dev_bearer_opened(struct sim_dev *sd, struct mp_bearer b)
{
	sd->active = b;
	sd->has_active = true;
	mp_sendq_attach(&sd->txq, b);
	proto_timer_set(sd, true);
}

void sim_dev_bearer_rx(struct sim_dev *sd, const uint8_t *pdu, size_t len)
{
	proto_timer_set(sd, true);
	mp_sim_device_rx(sd->dev, pdu, len);
}

void sim_dev_bearer_delivered(struct sim_dev *sd)
{
	mp_sendq_delivered(&sd->txq);	/* a refused PDU is lost */
}

void sim_dev_bearer_closed(struct sim_dev *sd)
{
	sd->has_active = false;
	mp_sendq_close(&sd->txq);
	proto_timer_set(sd, false);
	if (sd->provisioned) {
		sim_gatt_advertise(sd);		/* the Mesh Proxy Service, if served */
		return;
	}
	/* Not provisioned: a fresh attempt may come, with fresh keys. */
	mp_sim_device_reset(sd->dev);
	if (sd->adv)
		mp_pbadv_listen(sd->link);
	if (sd->gatt)
		sim_gatt_advertise(sd);
}

static void dev_link_opened(void *owner)
{
	struct sim_dev *sd = owner;

	sim_dev_bearer_opened(sd, mp_pbadv_bearer(sd->link));
}

static void dev_link_rx(void *owner, const uint8_t *pdu, size_t len)
{
	sim_dev_bearer_rx(owner, pdu, len);
}

static void dev_link_delivered(void *owner)
{
	sim_dev_bearer_delivered(owner);
}

static void dev_link_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct sim_dev *sd = owner;

	if (remote)
		sd->peer_closes++;
	sim_dev_bearer_closed(sd);
}

static const struct mp_bearer_cb dev_link_cb = {
	dev_link_opened, dev_link_rx, dev_link_delivered, dev_link_closed,
};

static int dev_init(struct mp_sim_radio *r, struct sim_dev *sd, unsigned int i)
{
	struct mp_sim_device_config dc = { 0 };
	struct mp_pbadv_config lc = { .role = MP_PBADV_DEVICE, .ops = &dev_link_ops,
				      .cb = &dev_link_cb, .user = sd };
	int err;

	sd->r = r;
	sd->index = i;
	mp_timer_slots_init(&sd->timers, r->cfg.loop, SIM_TIMERS, dev_timer_fired, sd);
	mp_sendq_init(&sd->txq, 2);
	if (r->cfg.seed) {
		/* Reproducible UUIDs (version 4 layout) for scripts and tests. */
		for (unsigned int b = 0; b < 16; b += 4) {
			uint32_t v = sim_prng_next(r);

			memcpy(sd->uuid + b, &v, 4);
		}
		sd->uuid[6] = (uint8_t)((sd->uuid[6] & 0x0f) | 0x40);
		sd->uuid[8] = (uint8_t)((sd->uuid[8] & 0x3f) | 0x80);
	} else {
		err = mp_random(sd->uuid, sizeof(sd->uuid));
		if (err)
			return err;
	}
	err = mp_random(sd->addr, sizeof(sd->addr));
	if (err)
		return err;
	sd->addr[5] |= 0xc0;	/* a static random address */
	memcpy(dc.uuid, sd->uuid, 16);
	/* some multi-element devices, unless the options give a composition */
	sd->elements = sim_comp_of(r, i) ? (uint8_t)sim_comp_of(r, i)->n_elements :
					   (uint8_t)(1 + i % 3);
	dc.caps.elements = sd->elements;
	dc.caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
	switch (r->cfg.oob) {
	case MP_SIM_OOB_NONE:
		break;
	case MP_SIM_OOB_STATIC:
		dc.caps.oob_type = MP_OOB_TYPE_STATIC;
		dc.static_oob = sim_static_oob;
		dc.static_oob_len = sizeof(sim_static_oob);
		break;
	case MP_SIM_OOB_OUTPUT:
		dc.caps.output_size = 6;
		dc.caps.output_actions = 1u << MP_OUTPUT_NUMERIC;
		break;
	case MP_SIM_OOB_INPUT:
		dc.caps.input_size = 4;
		dc.caps.input_actions = 1u << MP_INPUT_NUMERIC;
		break;
	}
	dc.cb.send = dev_send;
	dc.cb.output_oob = dev_output;
	dc.cb.input_oob = dev_input;
	dc.cb.done = dev_done;
	dc.cb.user = sd;
	err = mp_sim_device_new(&dc, &sd->dev);
	if (err)
		return err;
	memcpy(lc.uuid, sd->uuid, 16);
	sd->link = mp_pbadv_new(&lc);
	if (!sd->link)
		return -ENOMEM;
	switch (r->cfg.bearers) {
	case MP_SIM_BEARER_ADV:
		sd->adv = true;
		break;
	case MP_SIM_BEARER_GATT:
		sd->gatt = true;
		break;
	case MP_SIM_BEARER_BOTH:
		sd->adv = sd->gatt = true;
		break;
	case MP_SIM_BEARER_MIXED:
		sd->adv = i % 2 == 0;
		sd->gatt = !sd->adv;
		break;
	}
	if (sd->adv) {
		err = mp_pbadv_listen(sd->link);
		if (err)
			return err;
		/* First beacons spread over the interval, like devices powered
		 * on at different moments. */
		sd->beacon_timer = mp_loop_timer_add(r->cfg.loop,
						     sim_prng_next(r) % r->cfg.beacon_ms,
						     beacon_cb, sd);
	}
	if (sd->gatt)
		sim_gatt_advertise(sd);
	return 0;
}

int mp_sim_radio_new(const struct mp_sim_radio_config *cfg, struct mp_sim_radio **out)
{
	struct mp_sim_radio *r;
	unsigned int i;
	int err;

	if (!cfg->loop || cfg->loss_pct > 100 || cfg->dup_pct > 100 || cfg->devices > 1000 ||
	    (cfg->n_comps && !cfg->comps) || (cfg->comp && !comp_ok(cfg->comp)))
		return -EINVAL;
	for (i = 0; i < cfg->n_comps; i++)
		if (!comp_ok(&cfg->comps[i]))
			return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->cfg = *cfg;
	if (!r->cfg.beacon_ms)
		r->cfg.beacon_ms = 500;
	r->prng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
	r->devs = calloc(cfg->devices ? cfg->devices : 1, sizeof(*r->devs));
	if (!r->devs) {
		free(r);
		return -ENOMEM;
	}
	for (i = 0; i < cfg->devices; i++) {
		err = dev_init(r, &r->devs[i], i);
		if (err) {
			r->cfg.devices = i + 1;
			mp_sim_radio_free(r);
			return err;
		}
	}
	*out = r;
	return 0;
}

void mp_sim_radio_free(struct mp_sim_radio *r)
{
	unsigned int i;

	if (!r)
		return;
	/* the engine frees its connections first; whatever is left goes */
	while (r->conns)
		sim_gatt_close(r->conns);
	while (r->net_tx) {
		struct sim_net_tx *t = r->net_tx;

		r->net_tx = t->next;
		mp_loop_timer_cancel(r->cfg.loop, t->timer);
		free(t);
	}
	while (r->inflight) {
		struct delivery *d = r->inflight;

		r->inflight = d->next;
		mp_loop_timer_cancel(r->cfg.loop, d->timer);
		free(d);
	}
	for (i = 0; i < r->cfg.devices; i++) {
		struct sim_dev *sd = &r->devs[i];

		mp_timer_slots_cancel_all(&sd->timers);
		if (sd->r)
			node_free(sd);
		if (sd->beacon_timer)
			mp_loop_timer_cancel(r->cfg.loop, sd->beacon_timer);
		mp_sendq_close(&sd->txq);
		sim_gatt_dev_free(sd);
		mp_pbadv_free(sd->link);
		mp_sim_device_free(sd->dev);
	}
	free(r->devs);
	free(r);
}

struct mp_radio mp_sim_radio_radio(struct mp_sim_radio *r)
{
	struct mp_radio radio = { &radio_ops, r };

	return radio;
}

const uint8_t *mp_sim_radio_uuid(const struct mp_sim_radio *r, unsigned int i)
{
	return i < r->cfg.devices ? r->devs[i].uuid : NULL;
}

const uint8_t *mp_sim_radio_static_oob(void)
{
	return sim_static_oob;
}

int mp_sim_radio_input(struct mp_sim_radio *r, const uint8_t uuid[16], const char *text)
{
	unsigned int i;

	for (i = 0; i < r->cfg.devices; i++)
		if (memcmp(r->devs[i].uuid, uuid, 16) == 0)
			return mp_sim_device_input(r->devs[i].dev, text);
	return -ENOENT;
}

unsigned long mp_sim_radio_unheard(const struct mp_sim_radio *r)
{
	return r->unheard;
}

unsigned long mp_sim_radio_withdrawn(const struct mp_sim_radio *r)
{
	return r->withdrawn;
}

unsigned int mp_sim_radio_peer_closes(const struct mp_sim_radio *r, unsigned int i)
{
	return i < r->cfg.devices ? r->devs[i].peer_closes : 0;
}

unsigned long mp_sim_radio_adv_count(const struct mp_sim_radio *r)
{
	return r->adv_count;
}

struct mp_sim_node *mp_sim_radio_node(struct mp_sim_radio *r, unsigned int i)
{
	return i < r->cfg.devices ? r->devs[i].node : NULL;
}

unsigned long mp_sim_radio_node_pdus(const struct mp_sim_radio *r)
{
	return r->node_pdus;
}

void mp_sim_radio_sent(const struct mp_sim_radio *r, struct mp_sim_radio_sent *out)
{
	*out = r->sent;
}

int mp_sim_radio_set_loss(struct mp_sim_radio *r, unsigned int loss_pct)
{
	if (loss_pct > 100)
		return -EINVAL;
	r->cfg.loss_pct = loss_pct;
	return 0;
}

unsigned int mp_sim_radio_provisioned(const struct mp_sim_radio *r)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->cfg.devices; i++)
		n += r->devs[i].provisioned;
	return n;
}
