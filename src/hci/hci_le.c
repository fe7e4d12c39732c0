/* LE scanning and PB-ADV advertising bursts on the raw HCI transport. */
#include "hci_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* Advertising intervals below 100 ms for non-connectable advertising came
 * with Bluetooth 5.0; older controllers answer Invalid HCI Command Parameters
 * (Core v4.2 Vol 6 Part B 4.4.2.2). */
#define ADV_INTERVAL_COMPAT_MS	100
/* advDelay adds 0..10 ms to each advertising event (Core v5.4 Vol 6 Part B 4.4.2.2.1). */
#define ADV_DELAY_MAX_MS	10

/* ---- scanning ---- */

/* The scanning sequence (disable, parameters, enable) ended: at start it
 * ends the start sequence; run again later (mp__hci_scan_restart) it only
 * leaves scan_on telling the truth, and applies what is wanted now. */
static void scan_seq_done(struct mp_hci *hci, int status)
{
	if (status)
		hci->scan_on = false;
	hci->scan_busy = false;
	if (!hci->ready_sent) {
		mp__hci_init_done(hci, status);
		return;
	}
	if (hci->scan_restart_pending)
		mp__hci_scan_restart(hci);
	else
		mp__hci_scan_apply(hci);
}

static void queue_or_fail(struct mp_hci *hci, uint16_t op, const void *p, size_t len,
			  mp_hci_cmd_cb cb)
{
	int r = mp__hci_queue(hci, op, p, len, cb);

	if (r < 0)
		scan_seq_done(hci, r);
}

static void scan_enable_done(void *data, int status, const uint8_t *ret, size_t len)
{
	scan_seq_done(data, status);
}

/* Core v5.4 Vol 4 Part E 7.8.65: one PHY (LE 1M), passive, interval = window. */
static void ext_scan_params_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	const uint8_t en[6] = { 0x01, 0x00 /* no duplicate filtering */, 0, 0, 0, 0 };

	if (status) {
		scan_seq_done(hci, status);
		return;
	}
	hci->scan_on = true;
	hci->scan_params_set = true;
	queue_or_fail(hci, MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE, en, sizeof(en), scan_enable_done);
}

static void ext_scan_disabled(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	uint8_t p[8];
	struct mp_writer w;

	/* Disabling what is not enabled may be refused (BlueZ's emulator
	 * does): only a local failure matters here. */
	if (status < 0) {
		scan_seq_done(hci, status);
		return;
	}
	mp_writer_init(&w, p, sizeof(p));
	mp_put_u8(&w, 0x00);			/* own address: public */
	mp_put_u8(&w, 0x00);			/* accept all advertisements */
	mp_put_u8(&w, 0x01);			/* Scanning_PHYs: LE 1M */
	mp_put_u8(&w, 0x00);			/* passive */
	mp_put_le16(&w, hci->cfg.scan_interval);
	mp_put_le16(&w, hci->cfg.scan_interval);	/* window = interval: full duty */
	queue_or_fail(hci, MP_HCI_OP_LE_SET_EXT_SCAN_PARAMS, p, w.len, ext_scan_params_done);
}

static void ext_scan_begin(struct mp_hci *hci)
{
	const uint8_t dis[6] = { 0 };

	hci->extended = true;
	queue_or_fail(hci, MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE, dis, sizeof(dis), ext_scan_disabled);
}

static void legacy_scan_params_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	const uint8_t en[2] = { 0x01, 0x00 /* no duplicate filtering */ };

	/* Refused because extended commands were used since the controller's
	 * reset (Core v5.4 Vol 4 Part E 3.1.1), or not known at all. */
	if ((status == MP_HCI_ERR_DISALLOWED || status == MP_HCI_ERR_UNKNOWN_COMMAND) &&
	    hci->cfg.mode == MP_HCI_LE_AUTO && (hci->le_features & LE_FEAT_EXT_ADV)) {
		ext_scan_begin(hci);
		return;
	}
	if (status) {
		scan_seq_done(hci, status);
		return;
	}
	hci->scan_on = true;
	hci->scan_params_set = true;
	queue_or_fail(hci, MP_HCI_OP_LE_SET_SCAN_ENABLE, en, sizeof(en), scan_enable_done);
}

/* Core v5.4 Vol 4 Part E 7.8.10. */
static void legacy_scan_disabled(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	uint8_t p[7];
	struct mp_writer w;

	if (status < 0) {
		scan_seq_done(hci, status);
		return;
	}
	mp_writer_init(&w, p, sizeof(p));
	mp_put_u8(&w, 0x00);			/* passive */
	mp_put_le16(&w, hci->cfg.scan_interval);
	mp_put_le16(&w, hci->cfg.scan_interval);	/* window = interval: full duty */
	mp_put_u8(&w, 0x00);			/* own address: public */
	mp_put_u8(&w, 0x00);			/* accept all advertisements */
	queue_or_fail(hci, MP_HCI_OP_LE_SET_SCAN_PARAMS, p, w.len, legacy_scan_params_done);
}

void mp__hci_scan_start(struct mp_hci *hci)
{
	const uint8_t dis[2] = { 0x00, 0x00 };

	hci->scan_cmd_sent = true;
	hci->scan_busy = true;
	if (hci->cfg.mode == MP_HCI_LE_EXTENDED) {
		if (!(hci->le_features & LE_FEAT_EXT_ADV)) {
			scan_seq_done(hci, -EOPNOTSUPP);
			return;
		}
		ext_scan_begin(hci);
		return;
	}
	queue_or_fail(hci, MP_HCI_OP_LE_SET_SCAN_ENABLE, dis, sizeof(dis), legacy_scan_disabled);
}

/* ---- scanning on and off after start ---- */

/* Somebody changed the controller's scanning under us. Linux does when it
 * makes an LE connection (a PB-GATT link): it switches our scan off, scans
 * with its own parameters and an accept list, and leaves scanning off once
 * connected. Enabling alone would keep its parameters, so the whole
 * sequence runs again, as at start. */
void mp__hci_scan_restart(struct mp_hci *hci)
{
	if (!hci->scan_params_set || !hci->ready_sent || hci->init_status || hci->gone_err)
		return;
	if (hci->scan_busy || hci->scan_held) {
		hci->scan_restart_pending = true;
		return;
	}
	hci->scan_restart_pending = false;
	hci->scan_on = false;	/* whatever it is now, it is not ours */
	if (hci->scan_want)
		mp__hci_scan_start(hci);
	else
		hci->scan_params_lost = true;	/* for when it is wanted again */
}

static void scan_toggle_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	bool sent = !hci->scan_on;

	hci->scan_busy = false;
	if (!status)
		hci->scan_on = sent;	/* else left as it was; mp_hci_scanning() tells */
	if (hci->scan_restart_pending)
		mp__hci_scan_restart(hci);
	else if (!status)
		mp__hci_scan_apply(hci);	/* asked again meanwhile */
}

/* Bring the controller to what the owner wants. The parameters written at
 * start stay in the controller, so the enable command alone switches. One
 * toggle is in flight at a time; a change of mind meanwhile is applied when
 * it completes. */
void mp__hci_scan_apply(struct mp_hci *hci)
{
	uint8_t p[6] = { 0 };

	if (hci->scan_busy || !hci->ready_sent || hci->init_status || hci->gone_err ||
	    !hci->scan_params_set || hci->scan_want == hci->scan_on)
		return;
	if (hci->scan_want && hci->scan_params_lost) {
		hci->scan_params_lost = false;
		mp__hci_scan_start(hci);
		return;
	}
	p[0] = hci->scan_want;		/* Enable; no duplicate filtering; no period */
	if (mp__hci_queue(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE : MP_HCI_OP_LE_SET_SCAN_ENABLE,
			  p, hci->extended ? 6 : 2, scan_toggle_done) == 0)
		hci->scan_busy = true;
}

/* ---- the PDU queue: senders take turns ---- */

static struct adv_pdu *rr_pop(struct mp_hci *hci)
{
	struct adv_sender *s = hci->s_head;
	struct adv_pdu *p;

	if (!s)
		return NULL;
	/* The last sender served may be back at the front because its queue
	 * ran dry while its PDU was on the air: others go first. */
	if (hci->has_last_key && s->key == hci->last_key && s->next) {
		hci->s_head = s->next;
		s->next = NULL;
		hci->s_tail->next = s;
		hci->s_tail = s;
		s = hci->s_head;
	}
	hci->last_key = s->key;
	hci->has_last_key = true;
	p = s->head;
	s->head = p->next;
	if (!s->head)
		s->tail = NULL;
	p->next = NULL;
	/* The sender leaves the front: to the back if it has more, else away. */
	hci->s_head = s->next;
	if (!hci->s_head)
		hci->s_tail = NULL;
	s->next = NULL;
	if (s->head) {
		if (hci->s_tail)
			hci->s_tail->next = s;
		else
			hci->s_head = s;
		hci->s_tail = s;
	} else {
		free(s);
	}
	return p;
}

int mp_hci_adv_send(struct mp_hci *hci, uint32_t key, const uint8_t *ad, size_t len,
		    mp_hci_adv_done_cb done, void *data)
{
	struct adv_sender *s;
	struct adv_pdu *p;

	if (hci->closed)
		return -EBADF;
	if (hci->gone_err)
		return hci->gone_err;
	if (hci->ready_sent && hci->init_status)
		return -EIO;
	if (!ad || len == 0 || len > sizeof(p->ad))
		return -EINVAL;
	for (s = hci->s_head; s && s->key != key; s = s->next)
		;
	/* A retransmission of a PDU of this sender that has not been on the
	 * air yet adds nothing but airtime: with several links sharing the
	 * advertiser, their 500 ms retransmissions would otherwise pile up
	 * faster than bursts go out, and the queue (and every link's round
	 * trip) would grow without end. */
	if (s && !done) {
		for (p = s->head; p; p = p->next)
			if (!p->done && p->len == len && memcmp(p->ad, ad, len) == 0)
				return 0;
	}
	if (hci->adv_count >= hci->cfg.adv_queue_max)
		return -ENOBUFS;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			free(p);
			return -ENOMEM;
		}
		s->key = key;
		if (hci->s_tail)
			hci->s_tail->next = s;
		else
			hci->s_head = s;
		hci->s_tail = s;
	}
	p->key = key;
	p->len = (uint8_t)len;
	memcpy(p->ad, ad, len);
	p->done = done;
	p->data = data;
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	hci->adv_count++;
	mp__hci_adv_kick(hci);
	return 0;
}

void mp_hci_adv_cancel(struct mp_hci *hci, uint32_t key)
{
	struct adv_sender **pp = &hci->s_head, *prev = NULL;

	if (hci->cur && hci->cur->key == key)
		hci->cur->cancelled = true;
	while (*pp) {
		struct adv_sender *s = *pp;

		if (s->key != key) {
			prev = s;
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		if (hci->s_tail == s)
			hci->s_tail = prev;
		while (s->head) {
			struct adv_pdu *p = s->head;

			s->head = p->next;
			free(p);
			hci->adv_count--;
		}
		free(s);
		break;
	}
}

size_t mp_hci_adv_pending(const struct mp_hci *hci)
{
	return hci->adv_count;
}

/* ---- bursts ---- */

static void adv_params_done(void *data, int status, const uint8_t *ret, size_t len);

/* The burst of the current PDU is over: report, and go on with the next. */
static void adv_finish(struct mp_hci *hci, int status)
{
	struct adv_pdu *p = hci->cur;

	hci->cur = NULL;
	hci->adv_state = ADV_IDLE;
	hci->adv_count--;
	if (p && !p->cancelled && p->done)
		p->done(p->data, status);
	free(p);
	if (!hci->closed)
		mp__hci_adv_kick(hci);
}

static void adv_queue(struct mp_hci *hci, uint16_t op, const void *params, size_t len,
		      mp_hci_cmd_cb cb)
{
	int r = mp__hci_queue(hci, op, params, len, cb);

	/* Only a local failure (no memory, controller gone) gets here; the
	 * gone path completes the PDU itself. */
	if (r < 0 && !hci->gone_err)
		adv_finish(hci, r);
}

static size_t enable_params(struct mp_hci *hci, bool on, uint8_t *p)
{
	if (!hci->extended) {
		p[0] = on;				/* Core v5.4 7.8.9 */
		return 1;
	}
	p[0] = on;					/* Core v5.4 7.8.56 */
	p[1] = 1;					/* one set */
	p[2] = hci->cfg.adv_handle;
	p[3] = p[4] = 0;				/* no duration */
	p[5] = 0;					/* no event limit */
	return 6;
}

bool mp_hci_put_ext_adv_params(struct mp_writer *w, uint8_t handle, uint16_t props,
			       uint32_t units, uint8_t sid)
{
	mp_put_u8(w, handle);
	mp_put_le16(w, props);
	mp_put_le16(w, (uint16_t)units);	/* primary interval min, 3 octets */
	mp_put_u8(w, (uint8_t)(units >> 16));
	mp_put_le16(w, (uint16_t)units);	/* max */
	mp_put_u8(w, (uint8_t)(units >> 16));
	mp_put_u8(w, 0x07);			/* all three channels */
	mp_put_u8(w, 0x00);			/* own address: public */
	mp_put_u8(w, 0x00);			/* peer address type */
	mp_put_bytes(w, "\0\0\0\0\0\0", 6);	/* peer address */
	mp_put_u8(w, 0x00);			/* no filter */
	mp_put_u8(w, 0x7f);			/* no TX power preference */
	mp_put_u8(w, 0x01);			/* primary PHY: LE 1M */
	mp_put_u8(w, 0x00);			/* secondary max skip */
	mp_put_u8(w, 0x01);			/* secondary PHY: LE 1M */
	mp_put_u8(w, sid);			/* advertising SID */
	return mp_put_u8(w, 0x00);		/* no scan request notifications */
}

static void send_params(struct mp_hci *hci)
{
	/* Advertising intervals are in units of 0.625 ms. */
	uint32_t units = (uint32_t)hci->adv_interval_ms * 8 / 5;
	uint8_t p[25];
	struct mp_writer w;

	mp_writer_init(&w, p, sizeof(p));
	if (!hci->extended) {			/* Core v5.4 7.8.5 */
		mp_put_le16(&w, (uint16_t)units);
		mp_put_le16(&w, (uint16_t)units);
		mp_put_u8(&w, 0x03);		/* ADV_NONCONN_IND */
		mp_put_u8(&w, 0x00);		/* own address: public */
		mp_put_u8(&w, 0x00);		/* peer address type */
		mp_put_bytes(&w, "\0\0\0\0\0\0", 6);	/* peer address */
		mp_put_u8(&w, 0x07);		/* all three channels */
		mp_put_u8(&w, 0x00);		/* no filter */
		adv_queue(hci, MP_HCI_OP_LE_SET_ADV_PARAMS, p, w.len, adv_params_done);
		return;
	}
	/* a set sending legacy ADV_NONCONN_IND PDUs */
	mp_hci_put_ext_adv_params(&w, hci->cfg.adv_handle, MP_HCI_ADV_PROP_LEGACY, units, 0);
	adv_queue(hci, MP_HCI_OP_LE_SET_EXT_ADV_PARAMS, p, w.len, adv_params_done);
}

static void on_burst_over(struct mp_loop *loop, int64_t id, void *data);

static void adv_enable_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	if (status) {
		hci->adv_on = false;
		adv_finish(hci, status);
		return;
	}
	/* Each enable is a new burst: BlueZ's emulator (btvirt) only
	 * delivers a report when advertising gets enabled. */
	hci->adv_state = ADV_ON;
	hci->adv_timer = mp_loop_timer_add(hci->loop, (uint64_t)hci->cfg.adv_events *
					   (hci->adv_interval_ms + ADV_DELAY_MAX_MS),
					   on_burst_over, hci);
	if (hci->adv_timer < 0) {
		hci->adv_timer = 0;
		on_burst_over(hci->loop, 0, hci);
	}
}

static void adv_data_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	uint8_t p[6];

	if (status) {
		adv_finish(hci, status);
		return;
	}
	hci->adv_on = true;
	adv_queue(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
		  enable_params(hci, true, p), adv_enable_done);
}

static void send_data(struct mp_hci *hci)
{
	const struct adv_pdu *pdu = hci->cur;
	uint8_t p[4 + 31];

	if (!hci->extended) {
		/* Core v5.4 7.8.7: always 31 data octets, zero padded. */
		memset(p, 0, 32);
		p[0] = pdu->len;
		memcpy(p + 1, pdu->ad, pdu->len);
		adv_queue(hci, MP_HCI_OP_LE_SET_ADV_DATA, p, 32, adv_data_done);
		return;
	}
	p[0] = hci->cfg.adv_handle;		/* Core v5.4 7.8.54 */
	p[1] = 0x03;				/* complete data */
	p[2] = 0x01;				/* do not fragment */
	p[3] = pdu->len;
	memcpy(p + 4, pdu->ad, pdu->len);
	adv_queue(hci, MP_HCI_OP_LE_SET_EXT_ADV_DATA, p, 4u + pdu->len, adv_data_done);
}

static void adv_pre_disabled(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	if (status < 0) {
		adv_finish(hci, status);
		return;
	}
	send_params(hci);
}

static void adv_params_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	uint8_t p[6];

	if (status == MP_HCI_ERR_DISALLOWED && !hci->adv_retried) {
		/* Parameters cannot change while advertising: somebody (the
		 * kernel, an earlier run) left it on. Switch it off, once. */
		hci->adv_retried = true;
		adv_queue(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
			  enable_params(hci, false, p), adv_pre_disabled);
		return;
	}
	if (status == MP_HCI_ERR_INVALID_PARAMS && hci->adv_interval_ms < ADV_INTERVAL_COMPAT_MS) {
		hci->adv_interval_ms = ADV_INTERVAL_COMPAT_MS;
		send_params(hci);
		return;
	}
	if (status) {
		adv_finish(hci, status);
		return;
	}
	hci->adv_params_ok = true;
	if (hci->extended)
		hci->adv_set_created = true;
	send_data(hci);
}

static void adv_disable_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	/* Command Disallowed here means it was already off (btvirt). */
	if (!status || status == MP_HCI_ERR_DISALLOWED)
		hci->adv_on = false;
	/* The PDU was on the air whatever the disable said. */
	adv_finish(hci, status < 0 ? status : 0);
}

static void on_burst_over(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_hci *hci = data;
	uint8_t p[6];

	hci->adv_timer = 0;
	hci->adv_state = ADV_BUSY;
	mp__hci_enter(hci);
	adv_queue(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
		  enable_params(hci, false, p), adv_disable_done);
	mp__hci_leave(hci);
}

void mp__hci_adv_kick(struct mp_hci *hci)
{
	if (hci->adv_state != ADV_IDLE || !hci->ready_sent || hci->init_status ||
	    hci->gone_err || hci->closed)
		return;
	hci->cur = rr_pop(hci);
	if (!hci->cur)
		return;
	hci->adv_state = ADV_BUSY;
	if (!hci->adv_params_ok)
		send_params(hci);
	else
		send_data(hci);
}

/* Fail the PDU on the air and every queued one with @err. */
void mp__hci_adv_flush(struct mp_hci *hci, int err)
{
	/* adv_finish's kick does nothing: the controller is gone or the
	 * start sequence failed. */
	if (hci->cur)
		adv_finish(hci, err);
	while (!hci->closed && hci->s_head) {
		struct adv_pdu *p = rr_pop(hci);

		hci->adv_count--;
		if (!p->cancelled && p->done)
			p->done(p->data, err);
		free(p);
	}
}

void mp__hci_adv_free_all(struct mp_hci *hci)
{
	while (hci->s_head) {
		struct adv_sender *s = hci->s_head;

		hci->s_head = s->next;
		while (s->head) {
			struct adv_pdu *p = s->head;

			s->head = p->next;
			free(p);
		}
		free(s);
	}
	hci->s_tail = NULL;
	free(hci->cur);
	hci->cur = NULL;
}

/* ---- close: switch off what we switched on ---- */

void mp__hci_restore(struct mp_hci *hci)
{
	uint8_t p[6];

	if (hci->adv_on)
		mp__hci_write_now(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE :
				  MP_HCI_OP_LE_SET_ADV_ENABLE, p, enable_params(hci, false, p));
	if (hci->adv_set_created) {
		p[0] = hci->cfg.adv_handle;	/* Core v5.4 7.8.59 */
		mp__hci_write_now(hci, MP_HCI_OP_LE_REMOVE_ADV_SET, p, 1);
	}
	/* Somebody was scanning before we came: leave scanning on (with our
	 * parameters, theirs are lost). */
	if (hci->scan_on && !hci->scan_was_on) {
		memset(p, 0, sizeof(p));
		mp__hci_write_now(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE :
				  MP_HCI_OP_LE_SET_SCAN_ENABLE, p, hci->extended ? 6 : 2);
	}
}
