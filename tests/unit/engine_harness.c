/* The engine wired to the simulated radio; see engine_harness.h. */
#include "engine_harness.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Rounds of the loop one eh_run() may take: far above what any test needs
 * (a provisioning takes a few dozen rounds), low enough to stop a livelock
 * of zero-delay timers in well under a second. */
#define EH_MAX_ROUNDS 5000000ul

static uint64_t eh_clock(void *data)
{
	const struct eh *h = data;

	return h->now;
}

struct eh_dev *eh_dev(struct eh *h, const uint8_t uuid[16])
{
	unsigned int i;

	for (i = 0; i < h->ndev; i++)
		if (memcmp(h->dev[i].uuid, uuid, 16) == 0)
			return &h->dev[i];
	return NULL;
}

void eh_forget(struct eh *h, unsigned int i)
{
	struct eh_dev *d = &h->dev[i];
	uint8_t uuid[16];

	memcpy(uuid, d->uuid, 16);
	memset(d, 0, sizeof(*d));
	memcpy(d->uuid, uuid, 16);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- the engine's side ---- */

static void on_beacon(void *user, const struct mp_scan_entry *entry, bool first)
{
	struct eh *h = user;
	struct eh_dev *d = eh_dev(h, entry->uuid);

	if (!d) {
		h->unknown_events++;
		return;
	}
	if (first)
		d->beacons_first++;
	else
		d->beacons_again++;
}

static void try_type_input(struct eh *h, struct eh_dev *d)
{
	if (h->cfg.auto_input && d->oob_input_shown && d->input_wanted) {
		d->input_wanted = false;
		mp_sim_radio_input(h->radio, d->uuid, d->oob_value);
	}
}

static void try_answer_output(struct eh *h, struct eh_dev *d)
{
	if (h->cfg.auto_output && d->oob_output_asked && d->shown[0] && d->session) {
		d->oob_output_asked = false;
		mp_session_oob(d->session, d->shown);
	}
}

static void on_session(void *user, struct mp_session *s, const struct mp_session_event *ev)
{
	struct eh *h = user;
	struct eh_dev *d = eh_dev(h, ev->uuid);

	if (!d || mp_session_uuid(s) != ev->uuid) {
		h->unknown_events++;
		return;
	}
	switch (ev->type) {
	case MP_SESSION_PHASE:
		if (d->nphases < EH_MAX_PHASES)
			d->phases[d->nphases++] = ev->phase;
		break;
	case MP_SESSION_OOB_OUTPUT:
		d->oob_output_asked = true;
		break;
	case MP_SESSION_OOB_INPUT:
		d->oob_input_shown = true;
		copy_str(d->oob_value, sizeof(d->oob_value), ev->oob_value);
		break;
	case MP_SESSION_PROVISIONED:
		d->provisioned = true;
		d->finals++;
		d->final_ms = h->now;
		d->address = ev->address;
		d->elements = ev->elements;
		if (ev->start) {
			d->algorithm = ev->start->algorithm;
			d->auth_method = ev->start->auth_method;
		}
		d->session = NULL;	/* reaped soon: never touch it again */
		break;
	case MP_SESSION_FAILED:
		d->failed = true;
		d->finals++;
		d->final_ms = h->now;
		d->err = ev->err;
		d->errnum = ev->errnum;
		d->by_device = ev->by_device;
		copy_str(d->reason, sizeof(d->reason), mp_engine_fail_name(ev->reason));
		copy_str(d->detail, sizeof(d->detail), ev->detail);
		d->unconfirmed = ev->unconfirmed;
		if (ev->unconfirmed)
			d->address = ev->address;
		d->session = NULL;
		break;
	}
	if (h->on_session)
		h->on_session(h, d, ev);
	try_answer_output(h, d);
	try_type_input(h, d);
}

static void on_scan_notice(void *user, unsigned int notice, const struct mp_scan_entry *entry,
			   const struct mp_scan_sighting *s)
{
	struct eh *h = user;

	h->scan_notices++;
	h->scan_notice_bits |= notice;
}

static const struct mp_engine_cb engine_cb = { on_beacon, on_session, on_scan_notice };

/* ---- the devices' side ---- */

static double ts_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* ---- the tap between the engine and the simulated radio ---- */

/* What the simulated radio hears goes to the engine's receiver. */
static void tap_report(void *user, const struct mp_adv_report *r)
{
	struct eh *h = user;
	struct timespec t0, t1;
	double radio;

	if (!h->rcv || !h->rcv->report)
		return;
	if (!h->cfg.measure_cpu) {
		h->rcv->report(h->rcv_user, r);
		return;
	}
	/* The provisioner's side of the work happens here: its state machine
	 * and crypto run on what it receives. What the simulated radio does
	 * with what the engine sends from here is not the provisioner's. */
	radio = h->radio_tx_cpu_ms;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	h->rcv->report(h->rcv_user, r);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	h->engine_rx_cpu_ms += ts_ms(&t0, &t1) - (h->radio_tx_cpu_ms - radio);
}

static const struct mp_radio_receiver tap_receiver = { tap_report, NULL };

void eh_inject_report(struct eh *h, const struct mp_adv_report *r)
{
	if (h->rcv && h->rcv->report)
		h->rcv->report(h->rcv_user, r);
}

void eh_radio_lost(struct eh *h, int err)
{
	if (h->rcv && h->rcv->lost)
		h->rcv->lost(h->rcv_user, err);
}

static int tap_attach(void *ctx, const struct mp_radio_receiver *rcv, void *user)
{
	struct eh *h = ctx;

	if (rcv && h->rcv)
		return -EBUSY;
	h->rcv = rcv;
	h->rcv_user = rcv ? user : NULL;
	return 0;
}

static int tap_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	struct eh *h = ctx;
	struct timespec t0, t1;
	int err;

	if (!h->cfg.measure_cpu)
		return h->sim.ops->advertise(h->sim.ctx, ad, len, sender);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	err = h->sim.ops->advertise(h->sim.ctx, ad, len, sender);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	h->radio_tx_cpu_ms += ts_ms(&t0, &t1);
	return err;
}

static void tap_forget(void *ctx, uint32_t sender)
{
	struct eh *h = ctx;

	h->sim.ops->forget(h->sim.ctx, sender);
}

static int tap_scan(void *ctx, bool on)
{
	struct eh *h = ctx;

	return h->sim.ops->scan(h->sim.ctx, on);
}

/* Connections are the simulator's: only connect needs its ctx. */
static int tap_connect(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		       const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out)
{
	struct eh *h = ctx;

	return h->sim.ops->connect(h->sim.ctx, addr, addr_type, cb, owner, out);
}

static void sim_output(void *user, const uint8_t uuid[16], enum mp_output_action action,
		       const char *text)
{
	struct eh *h = user;
	struct eh_dev *d = eh_dev(h, uuid);

	if (!d) {
		h->unknown_events++;
		return;
	}
	copy_str(d->shown, sizeof(d->shown), text);
	try_answer_output(h, d);
}

static void sim_input(void *user, const uint8_t uuid[16], enum mp_input_action action,
		      uint8_t size)
{
	struct eh *h = user;
	struct eh_dev *d = eh_dev(h, uuid);

	if (!d) {
		h->unknown_events++;
		return;
	}
	d->input_wanted = true;
	try_type_input(h, d);
}

static void sim_done(void *user, const uint8_t uuid[16], enum mp_prov_err err,
		     const struct mp_sim_prov_result *res)
{
	struct eh *h = user;
	struct eh_dev *d = eh_dev(h, uuid);

	if (!d) {
		h->unknown_events++;
		return;
	}
	d->sim_done++;
	d->sim_err = err;
	if (err == MP_PROV_OK && res)
		d->sim_res = *res;
}

static const struct mp_sim_radio_cb sim_cb = { sim_output, sim_input, sim_done };

/* ---- set-up ---- */

static void remove_dir(const char *dir)
{
	char p[512];
	struct dirent *de;
	DIR *dh = opendir(dir);

	if (!dh)
		return;
	while ((de = readdir(dh))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(dh);
	rmdir(dir);
}

int eh_init(struct eh *h, const struct eh_config *cfg)
{
	struct mp_keyring_opts ko = { .flags = MP_KEYRING_CREATE };
	struct mp_keyring_error kerr;
	struct mp_sim_radio_config rc = { 0 };
	unsigned int i;
	int err;

	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
	if (cfg->devices > EH_MAX_DEVICES)
		return -EINVAL;
	if (cfg->unicast_high) {
		ko.unicast_low = MP_UNICAST_MIN;
		ko.unicast_high = cfg->unicast_high;
	}
	h->now = 1000000;	/* any origin: nothing may assume 0 */
	err = mp_loop_new(&h->loop);
	if (err)
		return err;
	mp_loop_set_clock(h->loop, eh_clock, h);

	if (cfg->memory_keyring) {
		err = mp_keyring_new(&ko, &h->kr, &kerr);
	} else {
		snprintf(h->dir, sizeof(h->dir), "/tmp/mp-engine-test-XXXXXX");
		if (!mkdtemp(h->dir)) {
			err = -errno;
			h->dir[0] = '\0';
			goto fail;
		}
		snprintf(h->path, sizeof(h->path), "%s/keyring.json", h->dir);
		err = mp_keyring_open(h->path, &ko, &h->kr, &kerr);
	}
	if (err) {
		fprintf(stderr, "engine harness: keyring: %s\n", kerr.msg);
		goto fail;
	}

	rc.loop = h->loop;
	rc.devices = cfg->devices;
	rc.oob = cfg->oob;
	rc.loss_pct = cfg->loss_pct;
	rc.dup_pct = cfg->dup_pct;
	rc.delay_ms = cfg->delay_ms;
	rc.latency_ms = cfg->latency_ms;
	rc.comps = cfg->comps;
	rc.n_comps = cfg->n_comps;
	rc.seed = cfg->seed;
	rc.bearers = cfg->bearers;
	rc.gatt_drop_after = cfg->gatt_drop_after;
	rc.cb = &sim_cb;
	rc.user = h;
	err = mp_sim_radio_new(&rc, &h->radio);
	if (err) {
		fprintf(stderr, "engine harness: sim radio: %s\n", strerror(-err));
		goto fail;
	}
	h->ndev = cfg->devices;
	for (i = 0; i < h->ndev; i++)
		memcpy(h->dev[i].uuid, mp_sim_radio_uuid(h->radio, i), 16);
	h->sim = mp_sim_radio_radio(h->radio);
	h->tap_ops = *h->sim.ops;	/* conn_send and conn_close as they are */
	h->tap_ops.attach = tap_attach;
	h->tap_ops.advertise = tap_advertise;
	h->tap_ops.forget = tap_forget;
	h->tap_ops.scan = tap_scan;
	h->tap_ops.connect = h->sim.ops->connect ? tap_connect : NULL;
	err = h->sim.ops->attach(h->sim.ctx, &tap_receiver, h);
	if (err)
		goto fail;

	err = eh_engine_new(h);
	if (err) {
		fprintf(stderr, "engine harness: engine: %s\n", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	eh_fini(h);
	return err;
}

int eh_engine_new(struct eh *h)
{
	struct mp_engine_config ec = { 0 };

	if (h->engine)
		return -EEXIST;
	ec.loop = h->loop;
	ec.radio.ops = &h->tap_ops;
	ec.radio.ctx = h;
	ec.keyring = h->kr;
	ec.max_sessions = h->cfg.max_sessions;
	ec.rng = h->cfg.rng;
	ec.cb = &engine_cb;
	ec.user = h;
	return mp_engine_new(&ec, &h->engine);
}

void eh_free_engine(struct eh *h)
{
	struct mp_engine *e = h->engine;

	/* Freeing aborts sessions, whose FAILED events come back here: keep
	 * the pointer valid for them, then forget it. */
	mp_engine_free(e);
	h->engine = NULL;
}

void eh_fini(struct eh *h)
{
	eh_free_engine(h);
	mp_sim_radio_free(h->radio);
	h->radio = NULL;
	mp_keyring_close(h->kr);
	h->kr = NULL;
	mp_loop_free(h->loop);
	h->loop = NULL;
	if (h->dir[0])
		remove_dir(h->dir);
	h->dir[0] = '\0';
}

/* ---- running ---- */

int eh_run(struct eh *h, bool (*until)(struct eh *h), uint64_t max_ms)
{
	uint64_t end = h->now + max_ms, next;
	unsigned long rounds;

	for (rounds = 0; rounds < EH_MAX_ROUNDS; rounds++) {
		mp_loop_run_once(h->loop, 0);
		h->iterations++;
		if (until && until(h))
			return 0;
		if (h->now >= end)
			return -ETIMEDOUT;
		if (mp_loop_next_deadline(h->loop, &next) < 0)
			return -EDEADLK;
		/* Jump to the next deadline; stop at the end of the allowed time
		 * after one last round for what is due exactly then. */
		if (next > h->now)
			h->now = next < end ? next : end;
	}
	return -ELOOP;
}

void eh_run_for(struct eh *h, uint64_t ms)
{
	uint64_t end = h->now + ms;

	/* -ETIMEDOUT once @ms passed; -EDEADLK when nothing is armed any more,
	 * then the clock still moves to the end. */
	if (eh_run(h, NULL, ms) == -EDEADLK)
		h->now = end;
}

void eh_opts(struct mp_provision_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->prov.action = -1;
}

int eh_provision(struct eh *h, unsigned int i, const struct mp_provision_opts *o)
{
	struct eh_dev *d = &h->dev[i];
	struct mp_session *s = NULL;
	int err;

	err = mp_engine_provision(h->engine, d->uuid, o, &s);
	if (err)
		return err;
	d->started = true;
	d->session = s;
	d->started_ms = h->now;
	return 0;
}

bool eh_all_final(struct eh *h)
{
	unsigned int i;

	for (i = 0; i < h->ndev; i++)
		if (h->dev[i].started && !h->dev[i].finals)
			return false;
	return true;
}

bool eh_all_beaconed_twice(struct eh *h)
{
	unsigned int i;

	for (i = 0; i < h->ndev; i++)
		if (!h->dev[i].beacons_first || !h->dev[i].beacons_again)
			return false;
	return true;
}

bool eh_no_sessions(struct eh *h)
{
	return mp_engine_sessions(h->engine) == 0;
}
