#include "prov_harness.h"

#include <errno.h>
#include <string.h>

static int scripted_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct scripted_rng *s = ctx;

	if (n > s->len - s->off)
		return -EIO;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	return 0;
}

void scripted_rng_init(struct scripted_rng *s)
{
	memset(s, 0, sizeof(*s));
	s->rng.bytes = scripted_bytes;
	s->rng.ctx = s;
}

void scripted_rng_push(struct scripted_rng *s, const uint8_t *data, size_t n)
{
	assert_true(n <= sizeof(s->buf) - s->len);
	memcpy(s->buf + s->len, data, n);
	s->len += n;
}

void scripted_rng_push_hex(struct scripted_rng *s, const char *hex)
{
	uint8_t tmp[128];
	size_t n = tu_unhex(hex, tmp, sizeof(tmp));

	scripted_rng_push(s, tmp, n);
}

static int h_send(void *user, const uint8_t *pdu, size_t len)
{
	struct harness *h = user;

	if (h->send_error)
		return h->send_error;
	assert_true(h->npdu < H_MAX_PDUS);
	assert_true(len <= sizeof(h->pdu[0]));
	memcpy(h->pdu[h->npdu], pdu, len);
	h->pdu_len[h->npdu++] = len;
	if (h->forward)
		h->forward(h->peer, pdu, len);
	return 0;
}

static void h_event(void *user, const struct mp_prov_event *ev)
{
	struct harness *h = user;

	assert_true(h->nev < H_MAX_EVENTS);
	assert_false(h->done);		/* nothing after DONE */
	h->ev[h->nev++] = ev->type;
	switch (ev->type) {
	case MP_PROV_EV_PHASE:
		h->phases[h->nphase++] = ev->phase;
		break;
	case MP_PROV_EV_CAPABILITIES:
		h->start = *ev->start;
		break;
	case MP_PROV_EV_OOB_OUTPUT:
		h->oob_action = ev->oob.action;
		h->oob_size = ev->oob.size;
		if (h->oob_answer)
			assert_int_equal(mp_prov_oob_enter(h->prov, h->oob_answer), 0);
		break;
	case MP_PROV_EV_OOB_INPUT:
		h->oob_action = ev->oob.action;
		h->oob_size = ev->oob.size;
		snprintf(h->oob_value, sizeof(h->oob_value), "%s", ev->oob.value);
		break;
	case MP_PROV_EV_DATA_NEEDED:
		h->data_needed = true;
		memcpy(h->device_key, ev->device_key, 16);
		if (h->auto_data)
			assert_int_equal(mp_prov_send_data(h->prov, &h->data), 0);
		break;
	case MP_PROV_EV_DONE:
		h->done = true;
		h->err = ev->err;
		h->errnum = ev->errnum;
		h->by_device = ev->by_device;
		if (ev->device_key)
			assert_memory_equal(ev->device_key, h->device_key, 16);
		break;
	}
}

static void h_timer(void *user, uint32_t ms)
{
	struct harness *h = user;

	h->timer_ms = ms;
}

const struct mp_prov_ops harness_ops = { h_send, h_event, h_timer };

void harness_init(struct harness *h, const struct mp_prov_params *params)
{
	memset(h, 0, sizeof(*h));
	h->auto_data = true;
	harness_sample_data(&h->data);
	h->prov = mp_prov_new(params, &harness_ops, h);
	assert_non_null(h->prov);
}

void harness_free(struct harness *h)
{
	mp_prov_free(h->prov);
	h->prov = NULL;
}

void harness_rx_hex(struct harness *h, const char *hex)
{
	uint8_t buf[128];
	size_t n = tu_unhex(hex, buf, sizeof(buf));

	mp_prov_rx(h->prov, buf, n);
}

bool harness_saw(const struct harness *h, enum mp_prov_event_type t)
{
	int i;

	for (i = 0; i < h->nev; i++)
		if (h->ev[i] == t)
			return true;
	return false;
}

void harness_sample_data(struct mp_prov_data *d)
{
	struct json_object *v = tu_vectors();

	memset(d, 0, sizeof(*d));
	tu_hex(v, "provisioning_cmac.net_key", d->net_key, 16);
	d->key_index = 0x0567;
	d->flags = 0;
	d->iv_index = 0x01020304;
	d->unicast = 0x0b0c;
}
