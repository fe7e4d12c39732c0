/*
 * mpdev --gatt-probe ... --gatt-provision: once the GATT client is ready,
 * provision the device over PB-GATT with the project's own pieces (the
 * provisioner state machine prov/provisioner.h on a PB-GATT link
 * bearer/pbgatt.h in the provisioner role, over the GATT client and the
 * kernel's L2CAP ATT channel), so that PB-GATT runs end to end on the real
 * kernel before meshprov's engine drives it. No OOB, or Static OOB with
 * --static. The NetKey is random, the IV index 0, the address --address
 * (default 0x0100).
 *
 * Lines: PROBE PB-GATT OPEN | PROBE PROVISIONED unicast=... | PROBE
 * PROVISIONING FAILED ... The result file gets net_key, dev_key, unicast,
 * iv_index, net_key_index and algorithm, to compare with the device's.
 */
#include "mpdev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "crypto/crypto.h"
#include "prov/provisioner.h"

/* The probe's timer slots: the PB-GATT link's, then the provisioner's. */
#define PROBE_TIMER_PROV MP_PBGATT_TIMERS
#define PROBE_TIMERS (MP_PBGATT_TIMERS + 1)

/* mp_prov sends Start and Public Key back to back; the link takes one at a
 * time: queue. */
static int prov_send(void *user, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = user;
	int r = mp_sendq_send(&d->ptxq, pdu, len);

	if (r == -ENOBUFS || r == -EMSGSIZE)
		return -ENOBUFS;
	if (r)
		mp_prov_cancel(d->prov, r);	/* the link refused it */
	return 0;
}

static void prov_done(struct mpdev *d, const struct mp_prov_event *ev)
{
	char key[33];

	if (ev->err == MP_PROV_OK && ev->errnum == 0) {
		d->prov_ok = true;
		mpdev_say(d, "PROBE PROVISIONED unicast=%04x net_key=%s", d->pdata.unicast,
			  mp_hex_encode(d->pdata.net_key, 16, key));
	} else {
		snprintf(d->gatt_reason, sizeof(d->gatt_reason), "provisioning: %s%s (%d)",
			 mp_prov_err_id(ev->err), ev->by_device ? " (by the device)" : "",
			 ev->errnum);
		mpdev_say(d, "PROBE PROVISIONING FAILED %s", d->gatt_reason);
	}
	mp_wipe(key, sizeof(key));
	/* PB-GATT has no Link Close: the link ends with the connection. */
	if (d->ppb)
		mp_pbgatt_close(d->ppb, d->prov_ok ? MP_LINK_CLOSE_SUCCESS : MP_LINK_CLOSE_FAIL);
}

static void prov_event(void *user, const struct mp_prov_event *ev)
{
	struct mpdev *d = user;

	switch (ev->type) {
	case MP_PROV_EV_CAPABILITIES:
		d->palg = ev->start->algorithm;
		mpdev_say(d, "PROBE CAPABILITIES elements=%u method=%s", ev->caps->elements,
			  mp_auth_method_name(ev->start->auth_method));
		break;
	case MP_PROV_EV_DATA_NEEDED:
		memcpy(d->pdev_key, ev->device_key, 16);
		if (mp_prov_send_data(d->prov, &d->pdata) < 0)
			mp_prov_cancel(d->prov, -EINVAL);
		break;
	case MP_PROV_EV_DONE:
		prov_done(d, ev);
		break;
	case MP_PROV_EV_OOB_OUTPUT:
	case MP_PROV_EV_OOB_INPUT:
		mp_prov_cancel(d->prov, -ENOTSUP);	/* nobody to ask here */
		break;
	case MP_PROV_EV_PHASE:
		break;
	}
}

static void prov_timer(void *user, uint32_t delay_ms)
{
	struct mpdev *d = user;

	mp_timer_slots_set(&d->probe_slots, PROBE_TIMER_PROV, delay_ms);
}

static const struct mp_prov_ops prov_ops = { prov_send, prov_event, prov_timer };

/* ---- the PB-GATT link, provisioner role ---- */

static int ppb_tx(void *user, const uint8_t *value, size_t len)
{
	struct mpdev *d = user;

	return d->client ? mp_gatt_client_write(d->client, value, len) : -ENOTCONN;
}

static void probe_timer_fired(void *owner, unsigned int id)
{
	struct mpdev *d = owner;

	if (id == PROBE_TIMER_PROV)
		mp_prov_timeout(d->prov);
	else if (d->ppb)
		mp_pbgatt_timeout(d->ppb, id);
}

static void ppb_timer(void *user, unsigned int id, uint32_t delay_ms)
{
	struct mpdev *d = user;

	if (id < MP_PBGATT_TIMERS)
		mp_timer_slots_set(&d->probe_slots, id, delay_ms);
}

static void ppb_drop(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->pdrop_timer = 0;
	/* the connection first, then the link learns it is gone */
	mpdev_probe_link_over(d);
	if (d->ppb)
		mp_pbgatt_disconnected(d->ppb, 0);
}

static void ppb_disconnect(void *user)
{
	struct mpdev *d = user;

	mp_loop_timer_set(d->loop, &d->pdrop_timer, 1, ppb_drop, d);
}

static const struct mp_pbgatt_ops ppb_ops = { ppb_tx, ppb_timer, ppb_disconnect };

static void ppb_opened(void *owner)
{
	struct mpdev *d = owner;
	struct mp_prov_params pp = { .action = -1 };
	int r;

	mpdev_say(d, "PROBE PB-GATT OPEN");
	if (d->static_len) {
		pp.auth = MP_AUTH_CHOICE_STATIC;
		memcpy(pp.static_oob, d->static_oob, d->static_len);
		pp.static_oob_len = d->static_len <= 16 ? 16 : 32;
	} else {
		pp.auth = MP_AUTH_CHOICE_NONE;
	}
	d->prov = mp_prov_new(&pp, &prov_ops, d);
	mp_wipe(&pp, sizeof(pp));
	r = d->prov ? mp_prov_start(d->prov) : -ENOMEM;
	if (r < 0) {
		snprintf(d->gatt_reason, sizeof(d->gatt_reason), "provisioning: %s", strerror(-r));
		mp_pbgatt_close(d->ppb, MP_LINK_CLOSE_FAIL);
	}
}

static void ppb_rx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = owner;

	if (d->prov)
		mp_prov_rx(d->prov, pdu, len);
}

static void ppb_delivered(void *owner)
{
	struct mpdev *d = owner;

	int r = mp_sendq_delivered(&d->ptxq);

	if (r)
		mp_prov_cancel(d->prov, r);	/* the link refused the next */
}

static void ppb_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct mpdev *d = owner;

	mpdev_say(d, "PROBE PB-GATT CLOSED err=%d reason=%u remote=%d", err, reason, remote);
	if (d->prov && !mp_prov_finished(d->prov))
		mp_prov_cancel(d->prov, err ? err : -ECONNRESET);
	mp_sendq_close(&d->ptxq);
	/* the link is freed by mpdev_gprov_free(), outside its callbacks */
	mpdev_probe_link_over(d);
}

static const struct mp_bearer_cb ppb_cb = { ppb_opened, ppb_rx, ppb_delivered, ppb_closed };

int mpdev_gprov_start(struct mpdev *d, uint16_t att_mtu)
{
	struct mp_pbgatt_config pc = { .role = MP_PBGATT_PROVISIONER, .ops = &ppb_ops,
				       .cb = &ppb_cb, .user = d };
	int r;

	r = mp_random(d->pdata.net_key, sizeof(d->pdata.net_key));
	if (r < 0)
		return r;
	d->pdata.unicast = d->paddress ? d->paddress : 0x0100;
	d->ppb = mp_pbgatt_new(&pc);
	if (!d->ppb)
		return -ENOMEM;
	mp_sendq_attach(&d->ptxq, mp_pbgatt_bearer(d->ppb));
	mp_pbgatt_set_mtu(d->ppb, att_mtu);
	/* the client enabled Data Out notifications: the link is usable */
	return mp_pbgatt_ready(d->ppb);
}

void mpdev_gprov_notify(struct mpdev *d, const uint8_t *value, size_t len)
{
	if (d->ppb)
		mp_pbgatt_rx(d->ppb, value, len);
}

void mpdev_gprov_init(struct mpdev *d)
{
	mp_timer_slots_init(&d->probe_slots, d->loop, PROBE_TIMERS, probe_timer_fired, d);
	mp_sendq_init(&d->ptxq, 4);
}

void mpdev_gprov_free(struct mpdev *d)
{
	mp_prov_free(d->prov);
	d->prov = NULL;
	mp_sendq_close(&d->ptxq);
	mp_pbgatt_free(d->ppb);
	d->ppb = NULL;
	mp_timer_slots_cancel_all(&d->probe_slots);
	mp_loop_timer_set(d->loop, &d->pdrop_timer, 0, ppb_drop, d);
	mp_wipe(&d->pdata, sizeof(d->pdata));
	mp_wipe(d->pdev_key, sizeof(d->pdev_key));
}

void mpdev_gprov_json(struct mpdev *d, FILE *f)
{
	char hex[33];

	if (!d->prov_ok)
		return;
	fprintf(f, ",\"unicast\":\"%04x\",\"net_key\":\"%s\"", d->pdata.unicast,
		mp_hex_encode(d->pdata.net_key, 16, hex));
	fprintf(f, ",\"dev_key\":\"%s\",\"iv_index\":%u,\"net_key_index\":%u,\"algorithm\":\"%s\"",
		mp_hex_encode(d->pdev_key, 16, hex), d->pdata.iv_index, d->pdata.key_index,
		d->palg == 1 ? "hmac" : "cmac");
	mp_wipe(hex, sizeof(hex));
}
