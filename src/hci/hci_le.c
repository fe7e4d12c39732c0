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

/* Command parameter lengths (Core v5.4 Vol 4 Part E): LE Set Scan
 * Parameters (7.8.10); LE Set Extended Scan Parameters with one PHY
 * (7.8.64: 3 octets, then 5 per PHY); LE Set [Extended] Scan Enable
 * (7.8.11, 7.8.65). */
#define SCAN_PARAMS_LEN		7
#define SCAN_EXT_PARAMS_LEN	(3 + 5)
#define SCAN_ENABLE_LEN		2
#define SCAN_EXT_ENABLE_LEN	6
_Static_assert(SCAN_PARAMS_LEN <= SCAN_EXT_PARAMS_LEN, "one buffer holds both parameter blocks");
_Static_assert(SCAN_ENABLE_LEN <= SCAN_EXT_ENABLE_LEN, "one buffer holds both enable blocks");

/* LE Set Advertising Parameters (7.8.5): intervals 2 + 2, type, own and
 * peer address types, peer address 6, channel map, filter. LE Set Extended
 * Advertising Parameters (7.8.53): handle, properties 2, intervals 3 + 3,
 * channel map, own and peer address types, peer address 6, filter, TX
 * power, primary PHY, secondary max skip, secondary PHY, SID, scan request
 * notifications. LE Set Advertising Data (7.8.7): length and always 31
 * octets. LE Set Extended Advertising Data (7.8.54): handle, operation,
 * fragment preference, length, then the data. LE Set [Extended]
 * Advertising Enable (7.8.9, 7.8.56 with one set: enable, number of sets,
 * handle, duration 2, maximum events). */
#define ADV_PARAMS_LEN		(2 + 2 + 1 + 1 + 1 + 6 + 1 + 1)
#define EXT_ADV_PARAMS_LEN	(1 + 2 + 3 + 3 + 1 + 1 + 1 + 6 + 1 + 1 + 1 + 1 + 1 + 1 + 1)
#define ADV_DATA_LEN		(1 + 31)
#define EXT_ADV_DATA_HDR	4
#define EXT_ADV_ENABLE_LEN	(1 + 1 + 1 + 2 + 1)
_Static_assert(ADV_PARAMS_LEN == 15 && EXT_ADV_PARAMS_LEN == 25, "advertising parameters");
_Static_assert(ADV_DATA_LEN <= EXT_ADV_DATA_HDR + sizeof(((struct adv_pdu *)0)->ad),
	       "one buffer holds both data blocks");
_Static_assert(EXT_ADV_ENABLE_LEN == 6, "advertising enable, one set");

/* ---- scanning ----
 *
 * Our scanning is one state (enum scan_state, hci_internal.h) and a few
 * facts beside it: what the owner wants (scan_want), whether connections are
 * being made through the kernel (scan_held), a restart owed for when the
 * state settles (scan_restart_owed), somebody else's scan seen before ours
 * (scan_foreign), and the command family of the sequence being run
 * (scan_seq_ext; hci->extended is the family found to work). One command of
 * ours is in flight at a time, in the states marked (>); its Command
 * Complete (or Command Status) is the only way out of them.
 *
 *   UNTOUCHED --start (after LE Set Event Mask, 7.8.1)--> SEQ_DISABLE
 *     (never with no_scan; forced extended mode without LE Extended
 *     Advertising: OFF, -EOPNOTSUPP). Auto and legacy mode begin every run
 *     of the sequence with the legacy commands.
 *
 *   SEQ_DISABLE (>) LE Set [Extended] Scan Enable, off (7.8.11 / 7.8.65)
 *     complete, any controller status --> SEQ_PARAMS
 *     local failure                   --> OFF  (seq end, error)
 *   SEQ_PARAMS (>) LE Set [Extended] Scan Parameters (7.8.10 / 7.8.64)
 *     success --> SEQ_ENABLE
 *     legacy refused (Command Disallowed, Unknown Command), auto mode,
 *       extended advertising supported --> SEQ_DISABLE, extended family
 *     error   --> OFF  (seq end, error)
 *   SEQ_ENABLE (>) LE Set [Extended] Scan Enable, on
 *     success --> ON   (seq end)
 *     error   --> OFF  (seq end, error)
 *
 *   ON  --owner wants off--> TURNING_OFF (>) Scan Enable, off
 *     success --> OFF;  error --> ON (left as it was, no retry)
 *   OFF --owner wants on --> TURNING_ON (>) Scan Enable, on
 *     success --> ON;   error --> OFF
 *   OFF_LOST --owner wants on--> SEQ_DISABLE (Linux's parameters are in
 *     the controller: the enable alone would scan its way)
 *
 *   ON, OFF, OFF_LOST: LE [Enhanced] Connection Complete (7.7.65.1/.10/.35),
 *   Disconnection Complete (7.7.5) or mp_hci_scan_refresh():
 *     held                --> same state, restart owed
 *     wanted              --> SEQ_DISABLE
 *     not wanted          --> OFF_LOST
 *   the same in a (>) state: restart owed.
 *
 * Leaving a (>) state ("settle"): the first start reports ready instead;
 * else an owed restart runs (unless held), else the state moves toward what
 * the owner wants (after a refused toggle, it stays). The end of a hold runs
 * an owed restart; a hold does not stop the owner's toggles. The
 * controller going away completes the command in flight with a local
 * failure and freezes the state. Scanning is ours (mp_hci_scanning, switched off on close)
 * in SEQ_ENABLE, ON and TURNING_OFF. */

static bool scan_busy(const struct mp_hci *hci)
{
	switch (hci->scan_state) {
	case SCAN_SEQ_DISABLE:
	case SCAN_SEQ_PARAMS:
	case SCAN_SEQ_ENABLE:
	case SCAN_TURNING_ON:
	case SCAN_TURNING_OFF:
		return true;
	case SCAN_UNTOUCHED:
	case SCAN_OFF:
	case SCAN_OFF_LOST:
	case SCAN_ON:
		break;
	}
	return false;
}

bool mp__hci_scan_is_on(const struct mp_hci *hci)
{
	return hci->scan_state == SCAN_SEQ_ENABLE || hci->scan_state == SCAN_ON ||
	       hci->scan_state == SCAN_TURNING_OFF;
}

/* Set up after a successful start (scanning was not left out by no_scan):
 * the only time toggles and restarts apply. */
static bool scan_usable(const struct mp_hci *hci)
{
	return hci->scan_state != SCAN_UNTOUCHED && hci->ready_sent && !hci->init_status &&
	       !hci->gone_err;
}

static void scan_cmd_done(void *data, int status, const uint8_t *ret, size_t len);

/* LE Set [Extended] Scan Enable: @on, no duplicate filtering, no period. */
static int queue_enable(struct mp_hci *hci, bool ext, bool on)
{
	uint8_t p[SCAN_EXT_ENABLE_LEN] = { 0 };

	p[0] = on;
	return mp__hci_queue(hci, ext ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE : MP_HCI_OP_LE_SET_SCAN_ENABLE,
			     p, ext ? SCAN_EXT_ENABLE_LEN : SCAN_ENABLE_LEN, scan_cmd_done);
}

/* Core v5.4 Vol 4 Part E 7.8.10 (legacy) and 7.8.64 (extended, one PHY:
 * LE 1M): passive, interval = window (full duty), public address, accept
 * all advertisements. */
static int queue_params(struct mp_hci *hci)
{
	uint8_t p[SCAN_EXT_PARAMS_LEN];
	struct mp_writer w;

	mp_writer_init(&w, p, sizeof(p));
	if (!hci->scan_seq_ext) {
		mp_put_u8(&w, 0x00);			/* passive */
		mp_put_le16(&w, hci->cfg.scan_interval);
		mp_put_le16(&w, hci->cfg.scan_interval);	/* window = interval */
		mp_put_u8(&w, 0x00);			/* own address: public */
		mp_put_u8(&w, 0x00);			/* accept all advertisements */
		return mp__hci_queue(hci, MP_HCI_OP_LE_SET_SCAN_PARAMS, p, w.len, scan_cmd_done);
	}
	mp_put_u8(&w, 0x00);			/* own address: public */
	mp_put_u8(&w, 0x00);			/* accept all advertisements */
	mp_put_u8(&w, 0x01);			/* Scanning_PHYs: LE 1M */
	mp_put_u8(&w, 0x00);			/* passive */
	mp_put_le16(&w, hci->cfg.scan_interval);
	mp_put_le16(&w, hci->cfg.scan_interval);	/* window = interval */
	return mp__hci_queue(hci, MP_HCI_OP_LE_SET_EXT_SCAN_PARAMS, p, w.len, scan_cmd_done);
}

static void scan_settle(struct mp_hci *hci, int status);

/* Enter the (>) state @s of the sequence: its command goes out. */
static void seq_step(struct mp_hci *hci, enum scan_state s)
{
	int r;

	hci->scan_state = s;
	if (s == SCAN_SEQ_PARAMS)
		r = queue_params(hci);
	else
		r = queue_enable(hci, hci->scan_seq_ext, s == SCAN_SEQ_ENABLE);
	if (r < 0) {
		hci->scan_state = SCAN_OFF;
		scan_settle(hci, r);
	}
}

/* The extended family from now on: scanning and advertising. */
static void seq_begin_ext(struct mp_hci *hci)
{
	hci->extended = true;
	hci->scan_seq_ext = true;
	seq_step(hci, SCAN_SEQ_DISABLE);
}

/* The scanning sequence (disable, parameters, enable): at start, and run
 * again when somebody else scanned their way. Auto and legacy mode begin
 * with the legacy commands, each time. */
void mp__hci_scan_start(struct mp_hci *hci)
{
	if (hci->cfg.mode == MP_HCI_LE_EXTENDED) {
		if (!(hci->le_features & LE_FEAT_EXT_ADV)) {
			hci->scan_state = SCAN_OFF;
			scan_settle(hci, -EOPNOTSUPP);
			return;
		}
		seq_begin_ext(hci);
		return;
	}
	hci->scan_seq_ext = false;
	seq_step(hci, SCAN_SEQ_DISABLE);
}

/* The transition function of the (>) states: the command of @hci's state
 * completed with @status (an HCI error code, or a negative errno for a
 * local failure or a controller gone). */
static void scan_cmd_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	switch (hci->scan_state) {
	case SCAN_SEQ_DISABLE:
		/* Disabling what is not enabled may be refused (BlueZ's
		 * emulator does): only a local failure matters here. */
		if (status < 0)
			break;
		seq_step(hci, SCAN_SEQ_PARAMS);
		return;
	case SCAN_SEQ_PARAMS:
		/* Refused because extended commands were used since the
		 * controller's reset (Core v5.4 Vol 4 Part E 3.1.1), or not
		 * known at all. */
		if (!hci->scan_seq_ext &&
		    (status == MP_HCI_ERR_DISALLOWED || status == MP_HCI_ERR_UNKNOWN_COMMAND) &&
		    hci->cfg.mode == MP_HCI_LE_AUTO && (hci->le_features & LE_FEAT_EXT_ADV)) {
			seq_begin_ext(hci);
			return;
		}
		if (status)
			break;
		seq_step(hci, SCAN_SEQ_ENABLE);
		return;
	case SCAN_SEQ_ENABLE:
		hci->scan_state = status ? SCAN_OFF : SCAN_ON;
		scan_settle(hci, status);
		return;
	case SCAN_TURNING_ON:
	case SCAN_TURNING_OFF:
		/* Refused: left as it was; mp_hci_scanning() tells. */
		if (hci->scan_state == SCAN_TURNING_ON)
			hci->scan_state = status ? SCAN_OFF : SCAN_ON;
		else
			hci->scan_state = status ? SCAN_ON : SCAN_OFF;
		if (status && !hci->scan_restart_owed)
			return;		/* no retry loop */
		scan_settle(hci, 0);
		return;
	case SCAN_UNTOUCHED:
	case SCAN_OFF:
	case SCAN_OFF_LOST:
	case SCAN_ON:
		return;		/* none of ours is in flight: cannot happen */
	}
	/* the sequence failed */
	hci->scan_state = SCAN_OFF;
	scan_settle(hci, status);
}

/* A (>) state was left for ON or OFF: the first sequence ends the start
 * sequence; later, what was asked meanwhile is applied. */
static void scan_settle(struct mp_hci *hci, int status)
{
	if (!hci->ready_sent) {
		mp__hci_init_done(hci, status);
		return;
	}
	if (hci->scan_restart_owed)
		mp__hci_scan_restart(hci);
	else
		mp__hci_scan_apply(hci);
}

/* ---- scanning on and off after start ---- */

/* Somebody changed the controller's scanning under us. Linux does when it
 * makes an LE connection (a PB-GATT link): it switches our scan off, scans
 * with its own parameters and an accept list, and leaves scanning off once
 * connected. Enabling alone would keep its parameters, so the whole
 * sequence runs again, as at start. */
void mp__hci_scan_restart(struct mp_hci *hci)
{
	if (!scan_usable(hci))
		return;
	if (scan_busy(hci) || hci->scan_held) {
		hci->scan_restart_owed = true;
		return;
	}
	hci->scan_restart_owed = false;
	/* whatever it is now, it is not ours */
	if (hci->scan_want)
		mp__hci_scan_start(hci);
	else
		hci->scan_state = SCAN_OFF_LOST;	/* for when it is wanted again */
}

/* Bring the controller to what the owner wants. The parameters written by
 * the sequence stay in the controller, so the enable command alone
 * switches, unless somebody scanned their way meanwhile. One command is in
 * flight at a time; a change of mind meanwhile is applied when it
 * completes. */
void mp__hci_scan_apply(struct mp_hci *hci)
{
	bool on;

	if (!scan_usable(hci) || scan_busy(hci) || hci->scan_want == mp__hci_scan_is_on(hci))
		return;
	if (hci->scan_state == SCAN_OFF_LOST) {	/* and wanted */
		mp__hci_scan_start(hci);
		return;
	}
	on = hci->scan_want;
	if (queue_enable(hci, hci->extended, on) == 0)
		hci->scan_state = on ? SCAN_TURNING_ON : SCAN_TURNING_OFF;
}

void mp__hci_scan_hold(struct mp_hci *hci, bool hold)
{
	hci->scan_held = hold;
	if (!hold && hci->scan_restart_owed && !scan_busy(hci))
		mp__hci_scan_restart(hci);
}

void mp__hci_scan_report_seen(struct mp_hci *hci)
{
	if (hci->scan_state == SCAN_UNTOUCHED)
		hci->scan_foreign = true;
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

/* ---- bursts ----
 *
 * One PDU is on its way at a time (hci->cur), through enum adv_state; in
 * every state but IDLE and ON one command of the burst is queued or in
 * flight, and its Command Complete moves on. Beside the state: our
 * parameters are in the controller (adv_params_ok: later bursts start at
 * DATA), the Command Disallowed retry was used (adv_retried, once per
 * object), the controller may be advertising for us (adv_on, switched off
 * on close) and, extended, our advertising set exists (adv_set_created,
 * removed on close).
 *
 *   IDLE --a PDU queued, ready--> PARAMS, or DATA once the parameters are in
 *   PARAMS  LE Set [Extended] Advertising Parameters (7.8.5 / 7.8.53)
 *     success --> DATA
 *     Command Disallowed, first time --> PRE_DISABLE (somebody advertises)
 *     Invalid Parameters below 100 ms --> PARAMS at 100 ms
 *     error --> IDLE, the PDU fails
 *   PRE_DISABLE  LE Set [Extended] Advertising Enable, off (7.8.9 / 7.8.56)
 *     any controller status --> PARAMS;  local failure --> IDLE, fails
 *   DATA    LE Set [Extended] Advertising Data (7.8.7 / 7.8.54)
 *     success --> ENABLE;  error --> IDLE, fails
 *   ENABLE  LE Set [Extended] Advertising Enable, on
 *     success --> ON, the burst timer runs;  error --> IDLE, fails
 *   ON --the burst timer--> DISABLE  Advertising Enable, off
 *     any status --> IDLE, the PDU was sent (a local failure fails it)
 *
 * IDLE goes on with the next sender's PDU at once. */

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

/* Enter the step @s of the burst: its command goes out. */
static void adv_queue(struct mp_hci *hci, enum adv_state s, uint16_t op, const void *params,
		      size_t len, mp_hci_cmd_cb cb)
{
	int r;

	hci->adv_state = s;
	r = mp__hci_queue(hci, op, params, len, cb);

	/* Only a local failure (no memory, controller gone) gets here; the
	 * gone path completes the PDU itself. */
	if (r < 0 && !hci->gone_err)
		adv_finish(hci, r);
}

/* @p holds EXT_ADV_ENABLE_LEN octets. */
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
	uint8_t p[EXT_ADV_PARAMS_LEN];
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
		adv_queue(hci, ADV_PARAMS, MP_HCI_OP_LE_SET_ADV_PARAMS, p, w.len, adv_params_done);
		return;
	}
	/* a set sending legacy ADV_NONCONN_IND PDUs */
	mp_hci_put_ext_adv_params(&w, hci->cfg.adv_handle, MP_HCI_ADV_PROP_LEGACY, units, 0);
	adv_queue(hci, ADV_PARAMS, MP_HCI_OP_LE_SET_EXT_ADV_PARAMS, p, w.len, adv_params_done);
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
	uint8_t p[EXT_ADV_ENABLE_LEN];

	if (status) {
		adv_finish(hci, status);
		return;
	}
	hci->adv_on = true;
	adv_queue(hci, ADV_ENABLE,
		  hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
		  enable_params(hci, true, p), adv_enable_done);
}

static void send_data(struct mp_hci *hci)
{
	const struct adv_pdu *pdu = hci->cur;
	uint8_t p[EXT_ADV_DATA_HDR + sizeof(pdu->ad)];

	if (!hci->extended) {
		/* Core v5.4 7.8.7: always 31 data octets, zero padded. */
		memset(p, 0, ADV_DATA_LEN);
		p[0] = pdu->len;
		memcpy(p + 1, pdu->ad, pdu->len);
		adv_queue(hci, ADV_DATA, MP_HCI_OP_LE_SET_ADV_DATA, p, ADV_DATA_LEN, adv_data_done);
		return;
	}
	p[0] = hci->cfg.adv_handle;		/* Core v5.4 7.8.54 */
	p[1] = 0x03;				/* complete data */
	p[2] = 0x01;				/* do not fragment */
	p[3] = pdu->len;
	memcpy(p + EXT_ADV_DATA_HDR, pdu->ad, pdu->len);
	adv_queue(hci, ADV_DATA, MP_HCI_OP_LE_SET_EXT_ADV_DATA, p, EXT_ADV_DATA_HDR + pdu->len,
		  adv_data_done);
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
	uint8_t p[EXT_ADV_ENABLE_LEN];

	if (status == MP_HCI_ERR_DISALLOWED && !hci->adv_retried) {
		/* Parameters cannot change while advertising: somebody (the
		 * kernel, an earlier run) left it on. Switch it off, once. */
		hci->adv_retried = true;
		adv_queue(hci, ADV_PRE_DISABLE,
			  hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
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
	uint8_t p[EXT_ADV_ENABLE_LEN];

	hci->adv_timer = 0;
	mp__hci_enter(hci);
	adv_queue(hci, ADV_DISABLE,
		  hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE : MP_HCI_OP_LE_SET_ADV_ENABLE, p,
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
	uint8_t p[EXT_ADV_ENABLE_LEN];
	_Static_assert(SCAN_EXT_ENABLE_LEN <= sizeof(p), "the scan enable fits too");

	if (hci->adv_on)
		mp__hci_write_now(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_ADV_ENABLE :
				  MP_HCI_OP_LE_SET_ADV_ENABLE, p, enable_params(hci, false, p));
	if (hci->adv_set_created) {
		p[0] = hci->cfg.adv_handle;	/* Core v5.4 7.8.59 */
		mp__hci_write_now(hci, MP_HCI_OP_LE_REMOVE_ADV_SET, p, 1);
	}
	/* Somebody was scanning before we came: leave scanning on (with our
	 * parameters, theirs are lost). */
	if (mp__hci_scan_is_on(hci) && !hci->scan_foreign) {
		memset(p, 0, sizeof(p));
		mp__hci_write_now(hci, hci->extended ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE :
				  MP_HCI_OP_LE_SET_SCAN_ENABLE, p,
				  hci->extended ? SCAN_EXT_ENABLE_LEN : SCAN_ENABLE_LEN);
	}
}
