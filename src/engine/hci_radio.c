/* The engine's radio on a real controller; see include/engine/hci_radio.h. */
#include "engine/hci_radio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hci/hci.h"

struct mp_hci_radio {
	struct mp_hci *hci;
	int index;
	const struct mp_hci_radio_cb *cb;
	void *user;
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
	if (r->cb->report)
		r->cb->report(r->user, &rep);
}

static void h_gone(void *data, int err)
{
	struct mp_hci_radio *r = data;

	if (r->cb->gone)
		r->cb->gone(r->user, err);
}

static const struct mp_hci_ops hci_ops = { h_ready, h_report, h_gone, NULL };

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

static const struct mp_radio_ops radio_ops = {
	.name = "hci", .advertise = r_advertise, .forget = r_forget, .scan = r_scan,
};

int mp_hci_radio_open(struct mp_loop *loop, int index, const struct mp_hci_radio_cb *cb,
		      void *user, struct mp_hci_radio **out, char *msg, size_t msglen)
{
	struct mp_hci_config cfg = { 0 };
	struct mp_hci_radio *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	r->cb = cb;
	r->user = user;
	err = mp_hci_open(loop, index, &cfg, &hci_ops, r, &r->hci);
	if (err) {
		mp_hci_hint(err, index, NULL, msg, msglen);
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

int mp_hci_radio_index(const struct mp_hci_radio *r)
{
	return r->index;
}

char *mp_hci_radio_hint(const struct mp_hci_radio *r, int status, char *msg, size_t msglen)
{
	return mp_hci_hint(status, r->index, NULL, msg, msglen);
}
