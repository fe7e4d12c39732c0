/* The radio on a real controller; see include/radio/hci_radio.h. */
#include "radio/hci_radio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hci/hci.h"
#include "hci/l2cap.h"

struct mp_hci_radio {
	struct mp_loop *loop;
	unsigned int connecting;	/* connections not yet up or failed */
	struct mp_hci *hci;
	int index;
	const struct mp_hci_radio_cb *cb;
	void *user;
	const struct mp_radio_receiver *rcv;	/* the engine, or NULL */
	void *rcv_user;
};

static void h_ready(void *data, int status)
{
	struct mp_hci_radio *r = data;

	if (r->cb->ready)
		r->cb->ready(r->user, status);
}

static void h_report(void *data, const struct mp_hci_adv_report *hr)
{
	struct mp_hci_radio *r = data;
	struct mp_adv_report rep = {
		.data = hr->data, .len = hr->data_len, .rssi = hr->rssi,
		.addr_type = hr->addr_type,
		.connectable = (hr->props & MP_HCI_ADV_CONNECTABLE) != 0,
	};

	if (!hr->complete)
		return;		/* a fragment of extended data: mesh PDUs fit in one */
	memcpy(rep.addr, hr->addr, 6);
	if (r->rcv && r->rcv->report)
		r->rcv->report(r->rcv_user, &rep);
}

/* The owner first (it says what happened), then the receiver (its
 * sessions fail). */
static void h_gone(void *data, int err)
{
	struct mp_hci_radio *r = data;

	if (r->cb->gone)
		r->cb->gone(r->user, err);
	if (r->rcv && r->rcv->lost)
		r->rcv->lost(r->rcv_user, err);
}

static const struct mp_hci_ops hci_ops = { h_ready, h_report, h_gone, NULL };

static int r_attach(void *ctx, const struct mp_radio_receiver *rcv, void *user)
{
	struct mp_hci_radio *r = ctx;

	if (rcv && r->rcv)
		return -EBUSY;
	r->rcv = rcv;
	r->rcv_user = rcv ? user : NULL;
	return 0;
}

static int r_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	struct mp_hci_radio *r = ctx;

	return mp_hci_adv_send(r->hci, sender, ad, len, NULL, NULL);
}

static void r_forget(void *ctx, uint32_t sender)
{
	struct mp_hci_radio *r = ctx;

	if (r->hci)
		mp_hci_adv_cancel(r->hci, sender);
}

static int r_scan(void *ctx, bool on)
{
	struct mp_hci_radio *r = ctx;

	return r->hci ? mp_hci_scan_enable(r->hci, on) : -ENODEV;
}

/* ---- PB-GATT connections: the kernel's LE connection and an L2CAP
 * socket on the ATT channel (hci/l2cap.h) ---- */

struct mp_radio_conn {
	struct mp_hci_radio *r;
	bool connecting;
	struct mp_l2cap *ch;
	const struct mp_radio_conn_cb *cb;
	void *owner;
};

/* The kernel scans for the peers while connections are being made: ours
 * waits until none is (hci/hci.h, mp_hci_scan_hold). */
static void connecting_done(struct mp_radio_conn *c)
{
	struct mp_hci_radio *r = c->r;

	if (!c->connecting)
		return;
	c->connecting = false;
	if (--r->connecting == 0 && r->hci)
		mp_hci_scan_hold(r->hci, false);
}

static void c_connected(void *data, int err)
{
	struct mp_radio_conn *c = data;

	connecting_done(c);
	/* A failed attempt may leave Linux's scan for the peer behind, with
	 * no Connection Complete to tell the transport (hci/hci.h). */
	if (err && c->r->hci)
		mp_hci_scan_refresh(c->r->hci);
	if (c->cb->connected)
		c->cb->connected(c->owner, err);
}

static void c_rx(void *data, const uint8_t *pdu, size_t len)
{
	struct mp_radio_conn *c = data;

	if (c->cb->rx)
		c->cb->rx(c->owner, pdu, len);
}

static void c_disconnected(void *data, int err)
{
	struct mp_radio_conn *c = data;

	if (c->cb->disconnected)
		c->cb->disconnected(c->owner, err);
}

static const struct mp_l2cap_ops l2cap_ops = { c_connected, c_rx, c_disconnected };

static int r_connect(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		     const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out)
{
	struct mp_hci_radio *r = ctx;
	struct mp_l2cap_config lc = { .index = r->index, .peer_type = addr_type };
	struct mp_radio_conn *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->r = r;
	c->cb = cb;
	c->owner = owner;
	memcpy(lc.peer, addr, 6);
	err = mp_l2cap_connect(r->loop, &lc, &l2cap_ops, c, &c->ch);
	if (err) {
		free(c);
		return err;
	}
	c->connecting = true;
	if (r->connecting++ == 0 && r->hci)
		mp_hci_scan_hold(r->hci, true);
	*out = c;
	return 0;
}

static int r_conn_send(struct mp_radio_conn *c, const uint8_t *pdu, size_t len)
{
	return mp_l2cap_send(c->ch, pdu, len);
}

static void r_conn_close(struct mp_radio_conn *c)
{
	if (!c)
		return;
	connecting_done(c);	/* an attempt given up */
	mp_l2cap_close(c->ch);
	free(c);
}

static const struct mp_radio_ops radio_ops = {
	.name = "hci", .attach = r_attach, .advertise = r_advertise, .forget = r_forget,
	.scan = r_scan, .connect = r_connect, .conn_send = r_conn_send, .conn_close = r_conn_close,
};

int mp_hci_radio_open(struct mp_loop *loop, int index, const struct mp_hci_config *config,
		      const struct mp_hci_radio_cb *cb, void *user, struct mp_hci_radio **out,
		      char *msg, size_t msglen)
{
	struct mp_hci_config cfg = { 0 };
	struct mp_hci_radio *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	if (config)
		cfg = *config;
	r->loop = loop;
	r->cb = cb;
	r->user = user;
	err = mp_hci_open(loop, index, &cfg, &hci_ops, r, &r->hci);
	if (err) {
		/* the controller taken, when known (the LE setting is read
		 * once the default one was found) */
		mp_hci_hint(err, err == -ENOPROTOOPT && cfg.le_report ? cfg.le_report->index :
			    index, NULL, msg, msglen);
		free(r);
		return err;
	}
	r->index = mp_hci_index(r->hci);
	*out = r;
	return 0;
}

void mp_hci_radio_close(struct mp_hci_radio *r)
{
	if (!r)
		return;
	mp_hci_close(r->hci);
	free(r);
}

struct mp_radio mp_hci_radio_radio(struct mp_hci_radio *r)
{
	struct mp_radio radio = { &radio_ops, r };

	return radio;
}

size_t mp_hci_radio_pending(const struct mp_hci_radio *r)
{
	return r->hci ? mp_hci_adv_pending(r->hci) : 0;
}

int mp_hci_radio_index(const struct mp_hci_radio *r)
{
	return r->index;
}

char *mp_hci_radio_hint(const struct mp_hci_radio *r, int status, char *msg, size_t msglen)
{
	return mp_hci_hint(status, r->index, NULL, msg, msglen);
}
