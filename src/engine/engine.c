/* The engine: provisioning sessions over PB-ADV or PB-GATT; see
 * include/engine/engine.h.
 *
 * A session is three objects wired together: a link (a PB-ADV link, or a
 * PB-GATT link: connection, GATT client and bearer, src/engine/gatt_link.c),
 * a
 * provisioner state machine, and the loop timers both ask for. The wiring
 * rules that keep it safe:
 *  - the provisioner may emit several PDUs in a row (Start, Public Key) but
 *    a PB-ADV link carries one transaction at a time, so PDUs wait in a
 *    small queue until the previous one is delivered;
 *  - the node is recorded in the keyring, with its device key, before the
 *    Provisioning Data leaves; marked complete on Provisioning Complete;
 *  - nothing is freed inside a callback: a finished session is reaped from
 *    a zero-delay loop timer.
 */
#include "engine/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adv/adv.h"
#include "bearer/pbadv.h"
#include "bearer/sendq.h"
#include "core/timer_slots.h"
#include "gatt/gatt.h"
#include "gatt_link.h"
#include "net_adv.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

#define TXQ_LEN 4
/* A session's timer slots: the PB-ADV link's, then the provisioner's. */
#define TIMER_PROV MP_PBADV_TIMERS
#define SESSION_TIMERS (MP_PBADV_TIMERS + 1)
_Static_assert(MP_PROV_PDU_MAX <= MP_SENDQ_PDU_MAX, "a Provisioning PDU fits the send queue");
#define MP_ENGINE_SCAN_CAPACITY 1024
/* A device just provisioned may still send a few Unprovisioned Device
 * beacons (queued in its controller, or before it applies its new state):
 * those are not a new device. */
#define RECENT_MAX 32
#define RECENT_MS 30000

struct mp_session {
	struct mp_engine *e;
	struct mp_session *next;
	uint8_t uuid[16];
	char *name;
	struct mp_provision_opts opts;
	bool refresh_key;		/* given the new NetKey of a key refresh */

	struct mp_bearer bearer;	/* the link, whichever it is */
	struct mp_pbadv *link;		/* PB-ADV, or NULL */
	struct gatt_link *gatt;		/* PB-GATT, or NULL */
	struct mp_prov *prov;
	struct mp_timer_slots timers;	/* the link's (PB-ADV) and the provisioner's */
	int64_t reap_timer;
	struct mp_sendq txq;		/* the provisioner's PDUs, one at a time on the link */

	uint16_t address;
	uint8_t elements;
	bool recorded;		/* a pending node is in the keyring */
	bool data_sent;
	bool finished;		/* the provisioner reported DONE */
	enum mp_prov_phase phase;	/* the last one reached, when has_phase */
	bool has_phase;
	char detail[160];
	bool link_closed;
	uint64_t started_ms;	/* the loop's clock when the session began */
	/* waiting on a person (or a helper) for Output or Input OOB, since
	 * oob_since_ms: a timeout then names that wait, not the device */
	enum { OOB_WAIT_NONE, OOB_WAIT_OUTPUT, OOB_WAIT_INPUT } oob_wait;
	uint64_t oob_since_ms;
};

/* One entry of the receive table (mp_engine_ad_register); free when !fn. */
struct ad_receiver {
	mp_engine_ad_fn fn;
	void *user;
	uint8_t type;
	uint8_t prefix[MP_ENGINE_AD_PREFIX_MAX];
	uint8_t prefix_len;
};

struct mp_engine {
	struct mp_engine_config cfg;
	struct ad_receiver rx[MP_ENGINE_AD_RECEIVERS];
	struct mp_session *sessions;
	unsigned int nsessions;
	bool discovery;		/* the user wants to hear devices */
	bool listening;		/* what the radio was asked last */
	struct mp_scan_table *scan;
	struct {
		uint8_t uuid[16];
		uint64_t at_ms;
	} recent[RECENT_MAX];
	unsigned int nrecent;
	struct net_adv net;	/* Network PDUs on the advertising bearer */
};

/* ---- events to the user ---- */

static void emit(struct mp_session *s, struct mp_session_event *ev)
{
	ev->uuid = s->uuid;
	ev->name = s->name;
	ev->bearer = s->gatt ? MP_BEARER_GATT : MP_BEARER_ADV;
	if (s->e->cfg.cb && s->e->cfg.cb->session)
		s->e->cfg.cb->session(s->e->cfg.user, s, ev);
}

/* The failure reason from the three vocabularies below it (HACKING.md):
 * the specification's code, else the session's errno. */
static enum mp_engine_fail reason_of(enum mp_prov_err err, int errnum)
{
	switch (errnum) {
	case 0:
		break;
	case -ETIMEDOUT:
		return MP_ENGINE_FAIL_TIMEOUT;
	case -ECANCELED:
		return MP_ENGINE_FAIL_CANCELLED;
	case -ENOTSUP:
		return MP_ENGINE_FAIL_UNSUPPORTED;
	case -ENOSPC:
		return MP_ENGINE_FAIL_NO_ADDRESS;
	case -ENOKEY:
		return MP_ENGINE_FAIL_AUTH_NEEDED;
	case -EACCES:
		return MP_ENGINE_FAIL_AUTH_REQUIRED;
	case -E2BIG:
		return MP_ENGINE_FAIL_TOO_MANY_ELEMENTS;
	case -EDQUOT:
		return MP_ENGINE_FAIL_TOO_MANY_UNCONFIRMED;
	case -ENXIO:
		return MP_ENGINE_FAIL_NO_NETKEY;
	case -ECONNRESET:
		return MP_ENGINE_FAIL_LINK_CLOSED;
	case -ENODEV:
	case -EIO:
		return MP_ENGINE_FAIL_RADIO_LOST;
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -EHOSTDOWN:
		return MP_ENGINE_FAIL_CONNECT_FAILED;
	case -EPROTO:
	case -ENOENT:
		return MP_ENGINE_FAIL_GATT_ERROR;
	default:
		if (!err)
			return MP_ENGINE_FAIL_ERROR;
		break;
	}
	/* the codes the decoder lets through are 0x01-0x09 (Table 5.41) */
	return err >= MP_PROV_ERR_INVALID_PDU && err <= MP_PROV_ERR_INVALID_DATA ?
		(enum mp_engine_fail)err : MP_ENGINE_FAIL_ERROR;
}

/* ---- lifetime ---- */

/* The radio listens while discovery is on or a session runs. */
static void update_listening(struct mp_engine *e)
{
	bool on = e->discovery || e->nsessions > 0;

	if (on == e->listening || !e->cfg.radio.ops->scan)
		return;
	if (e->cfg.radio.ops->scan(e->cfg.radio.ctx, on) == 0)
		e->listening = on;
}

void mp_engine_set_discovery(struct mp_engine *e, bool on)
{
	e->discovery = on;
	update_listening(e);
}

bool mp_engine_listening(const struct mp_engine *e)
{
	return e->listening;
}

static void reap_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_session *s = data, **pp;

	for (pp = &s->e->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->e->nsessions--;
	update_listening(s->e);
	mp_timer_slots_cancel_all(&s->timers);
	mp_sendq_close(&s->txq);
	/* A link that closed has its Link Close copies waiting for the air:
	 * they must go out after the session (the device would otherwise
	 * keep its end open until its own timeout). Only a link cut short,
	 * as the engine goes, takes back what it had queued. */
	if (s->link && mp_pbadv_state(s->link) != MP_PBADV_CLOSED)
		s->e->cfg.radio.ops->forget(s->e->cfg.radio.ctx, mp_pbadv_link_id(s->link));
	mp_pbadv_free(s->link);
	gatt_link_free(s->gatt);
	mp_prov_free(s->prov);
	free(s->name);
	mp_wipe(&s->opts.prov, sizeof(s->opts.prov));	/* the static OOB value */
	free(s);
}

/* Free the session once both halves are done: the provisioner reported
 * DONE and the link is closed. */
static void maybe_reap(struct mp_session *s)
{
	if (s->finished && s->link_closed && !s->reap_timer)
		s->reap_timer = mp_loop_timer_add(s->e->cfg.loop, 0, reap_cb, s);
}

/* ---- the link's timers and transmissions ---- */

static void session_timer_fired(void *owner, unsigned int id)
{
	struct mp_session *s = owner;

	if (id == TIMER_PROV)
		mp_prov_timeout(s->prov);
	else
		mp_pbadv_timeout(s->link, id);
}

static void link_timer(void *user, unsigned int id, uint32_t delay_ms)
{
	struct mp_session *s = user;

	if (id < MP_PBADV_TIMERS)
		mp_timer_slots_set(&s->timers, id, delay_ms);
}

static void link_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct mp_session *s = user;
	uint8_t ad[31];
	/* One AD structure of type <<PB-ADV>> (0x29). MshPRT v1.1 5.2.1 */
	int n = mp_ad_put(MP_AD_PB_ADV, pdu, len, ad, sizeof(ad));

	if (n > 0)
		s->e->cfg.radio.ops->advertise(s->e->cfg.radio.ctx, ad, (size_t)n,
					       mp_pbadv_link_id(s->link));
}

static uint32_t link_random(void *user)
{
	struct mp_session *s = user;
	uint32_t v = 0;

	mp_rng_bytes(s->e->cfg.rng, (uint8_t *)&v, sizeof(v));
	return v;
}

static const struct mp_pbadv_ops link_ops = { link_tx, link_timer, link_random };

/* ---- the provisioner's PDUs through the one-at-a-time link ---- */

static int prov_send(void *user, const uint8_t *pdu, size_t len)
{
	struct mp_session *s = user;
	int err;

	if (s->link_closed)
		return 0;	/* nothing can be sent any more; the end is coming */
	err = mp_sendq_send(&s->txq, pdu, len);
	if (err == -ENOBUFS || err == -EMSGSIZE)
		return -ENOBUFS;
	if (err)
		mp_prov_cancel(s->prov, err);	/* the link refused it */
	return 0;
}

static void prov_timer(void *user, uint32_t delay_ms)
{
	struct mp_session *s = user;

	mp_timer_slots_set(&s->timers, TIMER_PROV, delay_ms);
}

static const char *alg_tag(uint8_t alg)
{
	/* short tags (the keyring keeps at most MP_KR_TAG_MAX octets) naming
	 * BTM_ECDH_P256_HMAC_SHA256_AES_CCM and BTM_ECDH_P256_CMAC_AES128_AES_CCM */
	return alg == MP_ALG_HMAC ? "P256-HMAC-SHA256" : "P256-CMAC-AES128";
}

/* The device is authenticated: record the node, then send its data. */
static void on_data_needed(struct mp_session *s, const struct mp_prov_event *ev)
{
	struct mp_keyring *kr = s->e->cfg.keyring;
	const struct mp_prov_start *st = mp_prov_chosen(s->prov);
	struct mp_node_prov_info info = {
		.addr = s->opts.address,
		.net_index = s->opts.net_key_index,
		.algorithm = alg_tag(st->algorithm),
		.oob = mp_auth_method_name(st->auth_method),
		.name = s->name,
	};
	const struct mp_netkey *nk = mp_keyring_netkey(kr, s->opts.net_key_index);
	struct mp_prov_data d = { 0 };
	int err;

	s->elements = ev->caps->elements;
	if (!nk) {
		mp_prov_cancel(s->prov, -ENXIO);	/* -ENOKEY is auth-needed */
		return;
	}
	err = mp_keyring_node_add_pending(kr, s->uuid, s->elements, ev->device_key, &info,
					  &s->address);
	if (err) {
		mp_prov_cancel(s->prov, err);
		return;
	}
	s->recorded = true;
	/* In phase 1 of a key refresh the network still sends with the old
	 * key (MshPRT v1.1 3.11.4.1) and the Provisioning Data cannot say
	 * phase 1 (its Key Refresh flag is phase 0 or 2, 5.4.2.5): the old
	 * key, and netkey refresh sends the new one like to any node. Given
	 * the new one, the node would beacon under it without the flag, which
	 * says the refresh is over (mesh_link.c, kr_follow). In phase 2 the
	 * new key, with the flag. */
	memcpy(d.net_key, nk->phase == MP_KR_PHASE_1 ? nk->old_key : nk->key, 16);
	d.key_index = s->opts.net_key_index;
	s->refresh_key = nk->phase == MP_KR_PHASE_2;
	/* Flags: Key Refresh when the NetKey is in phase 2, IV Update when in
	 * progress. MshPRT v1.1 5.4.2.5, Table 5.37 */
	d.flags = (uint8_t)((nk->phase == 2 ? 0x01 : 0) | (mp_keyring_iv_update(kr) ? 0x02 : 0));
	d.iv_index = mp_keyring_iv_index(kr);
	d.unicast = s->address;
	s->data_sent = true;
	err = mp_prov_send_data(s->prov, &d);
	mp_wipe(d.net_key, sizeof(d.net_key));
	if (err)
		mp_prov_cancel(s->prov, err);
}

/* A PB-GATT session that failed below the protocol: the link says what
 * happened (and where); a connection the device dropped says when. */
static void gatt_failure(struct mp_session *s, const struct mp_prov_event *ev,
			 struct mp_session_event *out)
{
	if (ev->err != MP_PROV_OK)
		return;		/* the protocol's own failure: its name says it */
	if (gatt_link_reason(s->gatt, &out->reason)) {
		out->detail = gatt_link_why(s->gatt);
	} else if (ev->errnum == -ECONNRESET || ev->errnum == -EPIPE ||
		   ev->errnum == -ENOTCONN || ev->errnum == -ECONNABORTED ||
		   ev->errnum == -ESHUTDOWN || ev->errnum == -EHOSTDOWN) {
		/* which of these the kernel says depends on what we were doing
		 * (reading, writing) when the link went: to the user it is one */
		out->reason = MP_ENGINE_FAIL_LINK_CLOSED;
		snprintf(s->detail, sizeof(s->detail), "the device dropped the connection %s %s",
			 s->has_phase ? "after" : "before",
			 s->has_phase ? mp_prov_phase_name(s->phase) : "the invitation");
		out->detail = s->detail;
	}
}

/* Why a device was refused before Start, for people: what to do about it. */
static const char *refusal_detail(struct mp_session *s, int errnum)
{
	const struct mp_prov_caps *caps = mp_prov_caps(s->prov);
	unsigned int max = s->opts.prov.max_elements ? s->opts.prov.max_elements :
			   MP_PROV_DEFAULT_MAX_ELEMENTS;

	switch (errnum) {
	case -ENOKEY:
		if (s->oob_wait == OOB_WAIT_OUTPUT)
			/* refused by the caller at the question: nobody to read it */
			return "it displays a value to read back (Output OOB), and nobody is "
			       "there to read it: run on a terminal, give --oob-cmd, or choose "
			       "--auth none or input";
		return "it offers Static OOB: give its value with --auth static:HEX (or the "
		       "batch file's AUTH column), or --auth none to accept no authentication";
	case -EACCES:
		return "it offers no authentication meshprov can use, and authentication is "
		       "required (--require-auth, or AUTH 'required')";
	case -E2BIG:
		snprintf(s->detail, sizeof(s->detail),
			 "it claims %u elements, more than the %u allowed (--max-elements)",
			 caps ? caps->elements : 0, max);
		return s->detail;
	case -EDQUOT:
		return "this run already left too many devices unconfirmed (they took addresses "
		       "and never completed): see `nodes`, remove them with `node remove`";
	}
	return NULL;
}

static void on_done(struct mp_session *s, const struct mp_prov_event *ev)
{
	struct mp_session_event out = { 0 };
	bool ok = ev->err == MP_PROV_OK && ev->errnum == 0;
	int err = 0;

	s->finished = true;
	if (s->recorded) {
		if (ok)
			err = mp_keyring_node_complete(s->e->cfg.keyring, s->address);
		/* In phase 2 the node was given the new key (above): it has
		 * it without a NetKey Update, and netkey refresh must know
		 * (the CDB's netKeys[].updated), or a resumed refresh leaves
		 * it out. */
		if (ok && !err && s->refresh_key)
			mp_node_config_set_updated(s->e->cfg.keyring, s->address, false,
						   s->opts.net_key_index, true);
		else if (!ok)
			mp_keyring_node_abort(s->e->cfg.keyring, s->address, s->data_sent);
	}
	if (ok && !err) {
		/* A node now: no longer an unprovisioned device. */
		struct mp_engine *e = s->e;
		unsigned int slot = e->nrecent++ % RECENT_MAX;

		mp_scan_table_remove(e->scan, s->uuid);
		memcpy(e->recent[slot].uuid, s->uuid, 16);
		e->recent[slot].at_ms = mp_loop_now_ms(e->cfg.loop);
		out.type = MP_SESSION_PROVISIONED;
		out.address = s->address;
		out.elements = s->elements;
		out.start = mp_prov_chosen(s->prov);
	} else {
		out.type = MP_SESSION_FAILED;
		out.err = ev->err;
		out.errnum = ok ? err : ev->errnum;
		out.by_device = ev->by_device;
		out.reason = ok ? MP_ENGINE_FAIL_KEYRING : reason_of(ev->err, ev->errnum);
		/* What failed below the protocol names itself first: an ATT
		 * error's errno (Write Not Permitted is -EACCES) must not read
		 * as one of the provisioner's own refusals. Those come only
		 * once the device's Capabilities are in. */
		if (!ok && s->gatt)
			gatt_failure(s, ev, &out);
		if (!ok && ev->err == MP_PROV_OK && !out.detail && mp_prov_caps(s->prov))
			out.detail = refusal_detail(s, ev->errnum);
		if (!ok && ev->errnum == -ETIMEDOUT && !out.detail && s->oob_wait != OOB_WAIT_NONE) {
			/* the person was awaited, not the device (issue 16) */
			unsigned long long secs = (mp_loop_now_ms(s->e->cfg.loop) -
						   s->oob_since_ms) / 1000;

			if (s->oob_wait == OOB_WAIT_OUTPUT)
				snprintf(s->detail, sizeof(s->detail), "no answer to the Output OOB "
					 "question (what the device displays) in %llu s", secs);
			else
				snprintf(s->detail, sizeof(s->detail), "the Input OOB value shown was "
					 "not entered on the device (no Input Complete) in %llu s",
					 secs);
			out.detail = s->detail;
		}
		if (!ok && ev->errnum == -ETIMEDOUT && !out.detail) {
			/* a timeout says where it stopped and after how long: the
			 * protocol's own (MshPRT v1.1 5.4.4, 60 s without an
			 * answer) or the run's -t */
			snprintf(s->detail, sizeof(s->detail), "no answer %s %s, %llu s after it began",
				 s->has_phase ? "after" : "to",
				 s->has_phase ? mp_prov_phase_name(s->phase) : "the invitation",
				 (unsigned long long)((mp_loop_now_ms(s->e->cfg.loop) -
						       s->started_ms) / 1000));
			out.detail = s->detail;
		}
		/* MshPRT v1.1 5.4.2.5: once the Data is out the device may use the
		 * address whatever came after; say so, with the address */
		if (s->recorded && s->data_sent) {
			out.unconfirmed = true;
			out.address = s->address;
			out.elements = s->elements;
		}
	}
	if (!s->link_closed)
		mp_bearer_close(&s->bearer, ok ? MP_LINK_CLOSE_SUCCESS : MP_LINK_CLOSE_FAIL);
	emit(s, &out);
	maybe_reap(s);
}

static void prov_event(void *user, const struct mp_prov_event *ev)
{
	struct mp_session *s = user;
	struct mp_session_event out = { 0 };

	switch (ev->type) {
	case MP_PROV_EV_PHASE:
		s->phase = ev->phase;
		s->has_phase = true;
		s->oob_wait = OOB_WAIT_NONE;	/* answered: the protocol goes on */
		out.type = MP_SESSION_PHASE;
		out.phase = ev->phase;
		out.start = mp_prov_chosen(s->prov);
		emit(s, &out);
		break;
	case MP_PROV_EV_CAPABILITIES:
		out.type = MP_SESSION_PHASE;
		out.phase = MP_PHASE_CAPABILITIES;
		out.start = ev->start;
		out.elements = ev->caps->elements;
		emit(s, &out);
		break;
	case MP_PROV_EV_OOB_OUTPUT:
	case MP_PROV_EV_OOB_INPUT:
		out.type = ev->type == MP_PROV_EV_OOB_OUTPUT ? MP_SESSION_OOB_OUTPUT :
							       MP_SESSION_OOB_INPUT;
		out.auth_method = ev->type == MP_PROV_EV_OOB_OUTPUT ? MP_AUTH_OUTPUT : MP_AUTH_INPUT;
		out.oob_action = ev->oob.action;
		out.oob_size = ev->oob.size;
		out.oob_numeric = ev->type == MP_PROV_EV_OOB_OUTPUT ?
			ev->oob.action != MP_OUTPUT_ALPHANUMERIC :
			ev->oob.action != MP_INPUT_ALPHANUMERIC;
		out.oob_value = ev->oob.value;
		s->oob_wait = ev->type == MP_PROV_EV_OOB_OUTPUT ? OOB_WAIT_OUTPUT : OOB_WAIT_INPUT;
		s->oob_since_ms = mp_loop_now_ms(s->e->cfg.loop);
		emit(s, &out);
		break;
	case MP_PROV_EV_DATA_NEEDED:
		on_data_needed(s, ev);
		break;
	case MP_PROV_EV_DONE:
		on_done(s, ev);
		break;
	}
}

static const struct mp_prov_ops prov_ops = { prov_send, prov_event, prov_timer };

/* ---- the link's upward callbacks ---- */

static void link_opened(void *owner)
{
	struct mp_session *s = owner;
	int err = mp_prov_start(s->prov);

	if (err)
		mp_prov_cancel(s->prov, err);
}

static void link_rx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mp_session *s = owner;

	mp_prov_rx(s->prov, pdu, len);
}

static void link_delivered(void *owner)
{
	struct mp_session *s = owner;

	int err = mp_sendq_delivered(&s->txq);

	if (err)
		mp_prov_cancel(s->prov, err);
}

static void link_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct mp_session *s = owner;

	s->link_closed = true;
	mp_sendq_close(&s->txq);
	if (!s->finished) {
		/* The link went away under a running procedure: the device
		 * closed it, or it could not be kept up. */
		mp_prov_cancel(s->prov, err ? err : (remote ? -ECONNRESET : -ECANCELED));
	}
	maybe_reap(s);
}

static const struct mp_bearer_cb link_cb = {
	link_opened, link_rx, link_delivered, link_closed,
};

/* ---- what the radio hears ---- */

int mp_engine_ad_register(struct mp_engine *e, uint8_t ad_type, const uint8_t *prefix,
			  size_t prefix_len, mp_engine_ad_fn fn, void *user)
{
	unsigned int i;

	if (!fn || prefix_len > MP_ENGINE_AD_PREFIX_MAX || (prefix_len && !prefix))
		return -EINVAL;
	for (i = 0; i < MP_ENGINE_AD_RECEIVERS; i++) {
		struct ad_receiver *x = &e->rx[i];

		if (x->fn)
			continue;
		x->fn = fn;
		x->user = user;
		x->type = ad_type;
		x->prefix_len = (uint8_t)prefix_len;
		if (prefix_len)
			memcpy(x->prefix, prefix, prefix_len);
		return (int)i + 1;
	}
	return -ENOSPC;
}

int mp_engine_ad_unregister(struct mp_engine *e, int id)
{
	if (id < 1 || id > MP_ENGINE_AD_RECEIVERS || !e->rx[id - 1].fn)
		return -ENOENT;
	memset(&e->rx[id - 1], 0, sizeof(e->rx[id - 1]));
	return 0;
}

static bool ad_matches(const struct ad_receiver *x, const struct mp_ad *ad)
{
	return ad->type == x->type && ad->len >= x->prefix_len &&
	       memcmp(ad->data, x->prefix, x->prefix_len) == 0;
}

/* The radio's report: each receiver, in registration order, gets the first
 * AD structure of its kind that it takes. The table is read afresh at every
 * step, so that a receiver may change it. */
static void on_report(void *user, const struct mp_adv_report *r)
{
	struct mp_engine *e = user;
	struct mp_ad_iter it;
	struct mp_ad ad;
	unsigned int i;
	int k;

	/* Core Supplement Part A 1: a payload whose AD structures run past
	 * its end is malformed as a whole; nothing of it is used. */
	mp_ad_iter_init(&it, r->data, r->len);
	while ((k = mp_ad_next(&it, &ad)) > 0)
		;
	if (k < 0)
		return;
	for (i = 0; i < MP_ENGINE_AD_RECEIVERS; i++) {
		mp_ad_iter_init(&it, r->data, r->len);
		while (e->rx[i].fn && mp_ad_next(&it, &ad) > 0)
			if (ad_matches(&e->rx[i], &ad) && e->rx[i].fn(e->rx[i].user, r, &ad) == 0)
				break;
	}
}

/* PB-ADV (MshPRT v1.1 5.2.1): the header is decoded once, here, and the
 * link of that Link ID gets the decoded PDU. */
static int rx_pbadv(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct mp_engine *e = user;
	struct mp_pbadv_pdu p;
	struct mp_session *s;
	int err = mp_adv_pbadv_decode(ad->data, ad->len, &p);

	if (err)
		return err;
	for (s = e->sessions; s; s = s->next) {
		if (!s->link_closed && s->link && mp_pbadv_link_id(s->link) == p.link_id) {
			mp_pbadv_rx_pdu(s->link, &p);
			break;
		}
	}
	return 0;
}

/* An unprovisioned device heard (mp_scan_sighting_from_ad): into the scan
 * table, unless it is a device provisioned a moment ago. */
static int rx_sighting(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct mp_engine *e = user;
	struct mp_scan_sighting sg;
	const struct mp_scan_entry *entry = NULL;
	uint64_t now = mp_loop_now_ms(e->cfg.loop);
	unsigned int i;
	int first = mp_scan_sighting_from_ad(r, ad, &sg);

	if (first < 0)
		return first;
	for (i = 0; i < RECENT_MAX && i < e->nrecent; i++)
		if (memcmp(e->recent[i].uuid, sg.uuid, 16) == 0 &&
		    now - e->recent[i].at_ms < RECENT_MS)
			return 0;
	first = mp_scan_table_update(e->scan, &sg, &entry);
	if (mp_scan_table_notice(e->scan) && e->cfg.cb && e->cfg.cb->scan_notice)
		e->cfg.cb->scan_notice(e->cfg.user, mp_scan_table_notice(e->scan), entry, &sg);
	if (first >= 0 && entry && e->cfg.cb && e->cfg.cb->beacon)
		e->cfg.cb->beacon(e->cfg.user, entry, first == 1);
	return 0;
}

/* The engine's own receivers, first in the table: PB-ADV, then the
 * Unprovisioned Device beacon (Mesh Beacon, Beacon Type 0x00, MshPRT v1.1
 * 3.10.2), then Mesh Provisioning Service data (Service Data for UUID
 * 0x1827, little-endian, MshPRT v1.1 7.1.2.2.1). */
static int own_receivers(struct mp_engine *e)
{
	static const uint8_t unprov[] = { MP_BEACON_UNPROVISIONED };
	static const uint8_t prov_service[] = { MP_UUID16_MESH_PROV & 0xff,
						MP_UUID16_MESH_PROV >> 8 };
	int err;

	err = mp_engine_ad_register(e, MP_AD_PB_ADV, NULL, 0, rx_pbadv, e);
	if (err > 0)
		err = mp_engine_ad_register(e, MP_AD_MESH_BEACON, unprov, sizeof(unprov),
					    rx_sighting, e);
	if (err > 0)
		err = mp_engine_ad_register(e, MP_AD_SERVICE_DATA16, prov_service,
					    sizeof(prov_service), rx_sighting, e);
	return err < 0 ? err : 0;
}

/* ---- Network PDUs on the advertising bearer (net_adv.c) ---- */

int mp_engine_net_receive(struct mp_engine *e, mp_engine_net_rx_fn fn, void *user)
{
	int id;

	if (fn && !e->net.rx_id) {
		id = mp_engine_ad_register(e, MP_AD_MESH_MESSAGE, NULL, 0, net_adv_rx, &e->net);
		if (id < 0)
			return id;
		e->net.rx_id = id;
	} else if (!fn && e->net.rx_id) {
		mp_engine_ad_unregister(e, e->net.rx_id);
		e->net.rx_id = 0;
	}
	e->net.rx = fn;
	e->net.rx_user = fn ? user : NULL;
	return 0;
}

int mp_engine_proxy_adv_receive(struct mp_engine *e, mp_engine_proxy_adv_fn fn, void *user)
{
	static const uint8_t proxy_service[] = { MP_GATT_UUID_MESH_PROXY & 0xff,
						 MP_GATT_UUID_MESH_PROXY >> 8 };
	int id;

	if (fn && !e->net.padv_id) {
		id = mp_engine_ad_register(e, MP_AD_SERVICE_DATA16, proxy_service,
					   sizeof(proxy_service), net_adv_proxy_rx, &e->net);
		if (id < 0)
			return id;
		e->net.padv_id = id;
	} else if (!fn && e->net.padv_id) {
		mp_engine_ad_unregister(e, e->net.padv_id);
		e->net.padv_id = 0;
	}
	e->net.padv = fn;
	e->net.padv_user = fn ? user : NULL;
	return 0;
}

int mp_engine_net_send(struct mp_engine *e, const uint8_t *pdu, size_t len, uint8_t transmit)
{
	return net_adv_send(&e->net, pdu, len, transmit);
}

int mp_engine_beacon_send(struct mp_engine *e, const uint8_t *beacon, size_t len)
{
	return net_adv_send_beacon(&e->net, beacon, len);
}

unsigned int mp_engine_net_pending(const struct mp_engine *e)
{
	return net_adv_pending(&e->net);
}

/* The radio is gone (dongle unplugged): every session fails with @err. */
static void on_radio_lost(void *user, int err)
{
	struct mp_engine *e = user;
	struct mp_session *s;

	net_adv_stop(&e->net);
	for (s = e->sessions; s; s = s->next) {
		s->link_closed = true;	/* nothing can be sent any more */
		mp_sendq_close(&s->txq);
		if (!s->finished)
			mp_prov_cancel(s->prov, err);
		maybe_reap(s);
	}
}

static const struct mp_radio_receiver radio_receiver = { on_report, on_radio_lost };

/* ---- public API ---- */

/* The scan table's clock is the loop's. */
static uint64_t loop_clock(void *data)
{
	return mp_loop_now_ms(data);
}

int mp_engine_new(const struct mp_engine_config *cfg, struct mp_engine **out)
{
	struct mp_engine *e;
	int err;

	if (!cfg->loop || !cfg->radio.ops || !cfg->radio.ops->attach)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	if (!e->cfg.max_sessions)
		e->cfg.max_sessions = MP_ENGINE_DEFAULT_SESSIONS;
	e->discovery = e->listening = true;	/* radios start listening */
	net_adv_init(&e->net, cfg->loop, cfg->radio);
	err = mp_scan_table_new(MP_ENGINE_SCAN_CAPACITY, loop_clock, cfg->loop, &e->scan);
	if (err)
		goto fail;
	err = own_receivers(e);
	if (err)
		goto fail;
	err = cfg->radio.ops->attach(cfg->radio.ctx, &radio_receiver, e);
	if (err)
		goto fail;
	*out = e;
	return 0;
fail:
	mp_scan_table_free(e->scan);
	free(e);
	return err;
}

void mp_engine_free(struct mp_engine *e)
{
	if (!e)
		return;
	e->cfg.radio.ops->attach(e->cfg.radio.ctx, NULL, NULL);
	net_adv_stop(&e->net);
	while (e->sessions) {
		struct mp_session *s = e->sessions;

		if (!s->finished)
			mp_prov_cancel(s->prov, -ECANCELED);
		if (s->reap_timer)
			mp_loop_timer_cancel(e->cfg.loop, s->reap_timer);
		reap_cb(e->cfg.loop, 0, s);
	}
	mp_scan_table_free(e->scan);
	free(e);
}

const struct mp_scan_table *mp_engine_scan_table(const struct mp_engine *e)
{
	return e->scan;
}

unsigned int mp_engine_sessions(const struct mp_engine *e)
{
	return e->nsessions;
}

struct mp_session *mp_engine_find(struct mp_engine *e, const uint8_t uuid[16])
{
	struct mp_session *s;

	for (s = e->sessions; s; s = s->next)
		if (memcmp(s->uuid, uuid, 16) == 0)
			return s;
	return NULL;
}

/* Which bearer a device gets: PB-ADV when it sends beacons (or was never
 * heard: a Link Open may still reach it), PB-GATT when it only advertises
 * the Mesh Provisioning Service, or as asked. */
static int pick_bearer(struct mp_engine *e, const uint8_t uuid[16],
		       enum mp_bearer_choice want, const struct mp_scan_entry **gatt)
{
	const struct mp_scan_entry *entry = mp_scan_table_find_uuid(e->scan, uuid);
	bool adv = entry && (entry->bearers & MP_SCAN_PB_ADV);
	bool pbg = entry && (entry->bearers & MP_SCAN_PB_GATT);

	*gatt = NULL;
	if (want == MP_BEARER_GATT || (want == MP_BEARER_AUTO && pbg && !adv)) {
		if (!pbg)
			return -EHOSTUNREACH;	/* not heard advertising PB-GATT */
		if (!e->cfg.radio.ops->connect)
			return -EOPNOTSUPP;
		*gatt = entry;
	}
	return 0;
}

static int open_adv(struct mp_session *s)
{
	/* rx_max: we ask for no provisioning records, so a transaction longer
	 * than a Public Key is a forgery, dropped unacknowledged (issue 12). */
	struct mp_pbadv_config lc = { .role = MP_PBADV_PROVISIONER, .ops = &link_ops,
				      .cb = &link_cb, .user = s, .rx_max = MP_PROV_PDU_MAX };
	struct mp_session *o;
	uint32_t link_id;
	int err;

	memcpy(lc.uuid, s->uuid, 16);
	s->link = mp_pbadv_new(&lc);
	if (!s->link)
		return -ENOMEM;
	s->bearer = mp_pbadv_bearer(s->link);
	mp_sendq_attach(&s->txq, s->bearer);
	/* A random Link ID, unique among our links. MshPRT v1.1 5.3.2 */
	do {
		err = mp_rng_bytes(s->e->cfg.rng, (uint8_t *)&link_id, sizeof(link_id));
		if (err)
			return err;
		for (o = s->e->sessions; o; o = o->next)
			if (o != s && o->link && mp_pbadv_link_id(o->link) == link_id)
				link_id = 0;
	} while (link_id == 0);
	return mp_pbadv_open(s->link, link_id);
}

static int open_gatt(struct mp_session *s, const struct mp_scan_entry *entry)
{
	struct gatt_link_config gc = { .loop = s->e->cfg.loop, .radio = s->e->cfg.radio,
				       .addr_type = entry->gatt_addr_type, .cb = &link_cb,
				       .owner = s };
	int err;

	memcpy(gc.addr, entry->gatt_addr, 6);
	err = gatt_link_open(&gc, &s->gatt);
	if (!err) {
		s->bearer = gatt_link_bearer(s->gatt);
		mp_sendq_attach(&s->txq, s->bearer);
	}
	return err;
}

int mp_engine_provision(struct mp_engine *e, const uint8_t uuid[16],
			const struct mp_provision_opts *opts, struct mp_session **out)
{
	const struct mp_scan_entry *gatt;
	struct mp_session *s;
	int err;

	/* A NetKey that is not there is a bad option: say so now, not after
	 * the device did the whole exchange (on_data_needed checks again). */
	if (!e->cfg.keyring || !mp_keyring_netkey(e->cfg.keyring, opts->net_key_index))
		return -EINVAL;
	if (mp_engine_find(e, uuid))
		return -EALREADY;
	if (e->nsessions >= e->cfg.max_sessions)
		return -EBUSY;
	err = pick_bearer(e, uuid, opts->bearer, &gatt);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->e = e;
	mp_timer_slots_init(&s->timers, e->cfg.loop, SESSION_TIMERS, session_timer_fired, s);
	mp_sendq_init(&s->txq, TXQ_LEN);
	s->started_ms = mp_loop_now_ms(e->cfg.loop);
	memcpy(s->uuid, uuid, 16);
	s->opts = *opts;
	if (opts->name && !(s->name = strdup(opts->name)))
		goto nomem;
	s->opts.name = s->name;
	s->prov = mp_prov_new(&s->opts.prov, &prov_ops, s);
	if (!s->prov) {
		err = errno == EINVAL ? -EINVAL : -ENOMEM;
		goto fail;
	}
	s->next = e->sessions;
	e->sessions = s;
	e->nsessions++;
	update_listening(e);	/* a PB-ADV link's answers must be heard */
	err = gatt ? open_gatt(s, gatt) : open_adv(s);
	if (err) {
		e->sessions = s->next;
		e->nsessions--;
		update_listening(e);
		goto fail;
	}
	if (out)
		*out = s;
	return 0;
nomem:
	err = -ENOMEM;
fail:
	mp_timer_slots_cancel_all(&s->timers);
	mp_pbadv_free(s->link);
	gatt_link_free(s->gatt);
	mp_prov_free(s->prov);
	free(s->name);
	mp_wipe(&s->opts.prov, sizeof(s->opts.prov));	/* the static OOB value */
	free(s);
	return err;
}

int mp_session_oob(struct mp_session *s, const char *text)
{
	return mp_prov_oob_enter(s->prov, text);
}

void mp_session_cancel(struct mp_session *s)
{
	mp_prov_cancel(s->prov, -ECANCELED);
}

void mp_session_abort(struct mp_session *s, int errnum)
{
	mp_prov_cancel(s->prov, errnum < 0 ? errnum : -ECANCELED);
}

const uint8_t *mp_session_uuid(const struct mp_session *s)
{
	return s->uuid;
}
