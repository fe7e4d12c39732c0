/* The program's state and the provisioning jobs; see src/cli/app.h. */
#include "config.h"

#include "cli/app.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/configure.h"
#include "cli/oobprompt.h"
#include "cli/le.h"
#include "cli/privs.h"
#include "cli/redact.h"
#include "hci/l2cap.h"
#include "radio/hci_radio.h"
#include "store/keyring.h"
#include "store/nodes.h"

/* ---- jobs and their devices ---- */

struct mp_cli_job *mp_cli_job_get(struct mp_cli_app *a, unsigned int job)
{
	size_t i;

	for (i = 0; i < a->njobs; i++)
		if (a->jobs[i].id == job)
			return &a->jobs[i];
	return NULL;
}

/* Grow @*v (of @n elements of @size) to @cap elements. Targets and jobs
 * hold static OOB values: the old block is wiped before it is freed,
 * which realloc() would not do. 0 or -ENOMEM. */
static int grow_wiped(void **v, size_t n, size_t cap, size_t size)
{
	void *nv = calloc(cap, size);

	if (!nv)
		return -ENOMEM;
	if (*v) {
		memcpy(nv, *v, n * size);
		mp_wipe(*v, n * size);
		free(*v);
	}
	*v = nv;
	return 0;
}

unsigned int mp_cli_job_new(struct mp_cli_app *a, bool all, unsigned int want,
			    const struct mp_provision_opts *all_opts, const char *oob_cmd)
{
	struct mp_cli_job *j;
	char *cmd = NULL;

	if (oob_cmd && !(cmd = strdup(oob_cmd)))
		return 0;
	if (grow_wiped((void **)&a->jobs, a->njobs, a->njobs + 1, sizeof(*j)) < 0) {
		free(cmd);
		return 0;
	}
	j = &a->jobs[a->njobs++];
	memset(j, 0, sizeof(*j));
	j->id = ++a->next_job;
	j->all = all;
	j->want = want;
	if (all_opts)
		j->all_opts = *all_opts;
	j->all_opts.name = NULL;
	j->oob_cmd = cmd;
	return j->id;
}

int mp_cli_target_add(struct mp_cli_app *a, unsigned int job, const struct mp_cli_device_ref *ref,
		      const struct mp_provision_opts *opts, const char *name, unsigned int line)
{
	struct mp_cli_target *t;

	if (a->ntargets == a->cap_targets) {
		size_t cap = a->cap_targets ? a->cap_targets * 2 : 16;

		if (grow_wiped((void **)&a->targets, a->ntargets, cap, sizeof(*t)) < 0)
			return -ENOMEM;
		a->cap_targets = cap;
	}
	t = &a->targets[a->ntargets++];
	memset(t, 0, sizeof(*t));
	t->job = job;
	t->ref = *ref;
	t->have_uuid = !ref->by_index;
	t->opts = *opts;
	t->opts.name = NULL;
	if (name)
		snprintf(t->name, sizeof(t->name), "%s", name);
	t->line = line;
	t->state = MP_TARGET_WAITING;
	return 0;
}

static unsigned int job_running(const struct mp_cli_app *a, unsigned int job)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].job == job && a->targets[i].state == MP_TARGET_RUNNING)
			n++;
	return n;
}

bool mp_cli_job_done(struct mp_cli_app *a, unsigned int job)
{
	struct mp_cli_job *j = mp_cli_job_get(a, job);
	size_t i;

	if (!j || !j->active)
		return true;
	for (i = 0; i < a->ntargets; i++) {
		const struct mp_cli_target *t = &a->targets[i];

		if (t->job == job && (t->state == MP_TARGET_WAITING ||
				      t->state == MP_TARGET_RUNNING))
			return false;
	}
	if (j->all && !j->timed_out && !j->cancelled && !j->stopped && !j->idle_over &&
	    (j->want == 0 || j->provisioned + j->failed < j->want))
		return false;
	return true;
}

static void job_finish(struct mp_cli_app *a, struct mp_cli_job *j)
{
	j->active = false;
	if (j->timer > 0)
		mp_loop_timer_cancel(a->loop, j->timer);
	j->timer = 0;
	mp_loop_timer_set(a->loop, &j->idle_timer, 0, NULL, NULL);
	/* The shell reports a job of several devices when it ends; scripts
	 * print the summary in mp_cli_job_wait(). */
	if (a->mode == MP_CLI_SHELL)
		mp_cli_kr_write_said(a);
	if (a->mode == MP_CLI_SHELL && j->all && j->provisioned + j->failed == 0 && !j->cancelled)
		mp_out_info(&a->out, "provision --all: no device to provision was heard%s",
			    j->nodes_heard ? " (only nodes of this network)" : "");
	if (a->mode == MP_CLI_SHELL && (j->all || j->provisioned + j->failed > 1))
		mp_out_summary(&a->out, j->provisioned, j->failed - j->cancelled_devices,
			       j->cancelled_devices);
}

static void check_job(struct mp_cli_app *a, unsigned int job);

static void job_idle(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_app *a = data;
	size_t i;

	(void)loop;
	for (i = 0; i < a->njobs; i++) {
		struct mp_cli_job *j = &a->jobs[i];

		if (j->idle_timer != id)
			continue;
		j->idle_timer = 0;
		if (job_running(a, j->id))
			return;		/* armed again when it ends */
		j->idle_over = true;
		check_job(a, j->id);
		return;
	}
}

/* --all: (re)start the idle count, when a device of the job starts or ends. */
static void job_idle_arm(struct mp_cli_app *a, struct mp_cli_job *j)
{
	if (j->all && j->active && j->idle_s && !j->idle_over)
		mp_loop_timer_set(a->loop, &j->idle_timer, (uint64_t)j->idle_s * 1000,
				  job_idle, a);
}

/* The progress line of a run outside the shell: devices done of those
 * asked for (--all: of --count, else of none known). */
static void job_progress(struct mp_cli_app *a, struct mp_cli_job *j)
{
	unsigned int total = 0;
	size_t i;

	job_idle_arm(a, j);
	if (a->mode == MP_CLI_SHELL)
		return;
	if (j->all)
		total = j->want;
	else
		for (i = 0; i < a->ntargets; i++)
			if (a->targets[i].job == j->id)
				total++;
	mp_out_progress(&a->out, j->provisioned + j->failed, j->failed, total);
}

static void check_job(struct mp_cli_app *a, unsigned int job)
{
	struct mp_cli_job *j = mp_cli_job_get(a, job);

	if (j && j->active && mp_cli_job_done(a, job)) {
		/* mp_cli_job_done() says true for an inactive job: check first */
		job_finish(a, j);
		mp_cli_scan_update(a);
	}
}

/* A device of a job failed before or without a session. */
static void target_fail(struct mp_cli_app *a, size_t idx, enum mp_engine_fail reason)
{
	struct mp_cli_target *t = &a->targets[idx];
	struct mp_session_event ev = { .type = MP_SESSION_FAILED, .reason = reason };
	struct mp_cli_job *j = mp_cli_job_get(a, t->job);
	char ref[16];

	t->state = MP_TARGET_FAILED;
	t->reason = reason;
	if (j) {
		j->failed++;
		if (reason == MP_ENGINE_FAIL_CANCELLED)
			j->cancelled_devices++;
	}
	if (t->have_uuid) {
		ev.uuid = t->ref.uuid;
		ev.name = t->name[0] ? t->name : NULL;
		mp_out_session_cols(&a->out, &ev, t->columns, t->ncolumns);
	} else {
		snprintf(ref, sizeof(ref), "#%u", t->ref.index);
		mp_out_failed_ref(&a->out, ref, reason);
	}
	if (j)
		job_progress(a, j);
	check_job(a, t->job);
}

static void target_start(struct mp_cli_app *a, size_t idx)
{
	struct mp_cli_target *t = &a->targets[idx];
	struct mp_provision_opts po = t->opts;
	const struct mp_node *n;
	int err;

	if (!a->engine_has_keyring) {
		target_fail(a, idx, MP_ENGINE_FAIL_KEYRING);
		return;
	}
	n = mp_keyring_node_find_uuid(a->kr, t->ref.uuid);
	if (n && n->state == MP_NODE_COMPLETE) {
		mp_out_error(&a->out, "this device is already node 0x%04x: remove it first "
			     "(node remove %04x) if it was reset", n->addr, n->addr);
		target_fail(a, idx, MP_ENGINE_FAIL_ALREADY_PROVISIONED);
		return;
	}
	po.name = t->name[0] ? t->name : NULL;
	err = mp_engine_provision(a->engine, t->ref.uuid, &po, NULL);
	mp_wipe(po.prov.static_oob, sizeof(po.prov.static_oob));
	if (err == -EBUSY || err == -EHOSTUNREACH)
		return;		/* every session in use, or PB-GATT asked for and not
				 * heard yet: the next advertisement brings it back */
	if (err == -EOPNOTSUPP) {
		mp_out_error(&a->out, "PB-GATT needs LE connections, which this radio cannot make");
		target_fail(a, idx, MP_ENGINE_FAIL_UNSUPPORTED);
		return;
	}
	if (err == -EALREADY) {
		target_fail(a, idx, MP_ENGINE_FAIL_BUSY);
		return;
	}
	if (err) {
		char hint[256];
		bool connect = err == -ECONNREFUSED || err == -EHOSTDOWN || err == -ENETDOWN ||
			       err == -ETIMEDOUT || err == -EACCES || err == -EPERM;

		/* PB-GATT's connection refused at once: on a dual-mode
		 * controller whose LE is off in the kernel (issue 16), the
		 * hint that says how to turn it on, and the reason word of a
		 * connection that failed, never a bare "error" */
		if (connect && a->hci)
			mp_l2cap_hint(err, mp_hci_radio_index(a->hci), hint, sizeof(hint));
		else
			snprintf(hint, sizeof(hint), "%s", strerror(-err));
		mp_out_error(&a->out, "cannot start provisioning: %s", hint);
		target_fail(a, idx, connect ? MP_ENGINE_FAIL_CONNECT_FAILED :
			    MP_ENGINE_FAIL_START_FAILED);
		return;
	}
	t->state = MP_TARGET_RUNNING;
}

static bool targeted(const struct mp_cli_app *a, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].have_uuid && memcmp(a->targets[i].ref.uuid, uuid, 16) == 0)
			return true;
	return false;
}

/* A device is in the scan table: start what waits for it. */
static void device_heard(struct mp_cli_app *a, const struct mp_scan_entry *e)
{
	uint8_t uuid[16];
	size_t i, n = a->ntargets;

	memcpy(uuid, e->uuid, 16);	/* @e may move when the table changes */
	for (i = 0; i < n; i++) {
		struct mp_cli_target *t = &a->targets[i];
		struct mp_cli_job *j = mp_cli_job_get(a, t->job);

		if (t->state != MP_TARGET_WAITING || !j || !j->active)
			continue;
		if (!t->have_uuid && t->ref.index == e->index) {
			memcpy(t->ref.uuid, uuid, 16);
			t->have_uuid = true;
		}
		if (t->have_uuid && memcmp(t->ref.uuid, uuid, 16) == 0)
			target_start(a, i);
	}
	for (i = 0; i < a->njobs; i++) {
		struct mp_cli_job *j = &a->jobs[i];
		const struct mp_node *node;
		struct mp_cli_device_ref ref = { .by_index = false };

		if (!j->active || !j->all || j->cancelled || j->timed_out || j->stopped ||
		    j->idle_over)
			continue;
		if (j->want && j->provisioned + j->failed + job_running(a, j->id) >= j->want)
			continue;
		if (targeted(a, uuid) || !a->engine_has_keyring)
			continue;
		node = mp_keyring_node_find_uuid(a->kr, uuid);
		if (node && node->state == MP_NODE_COMPLETE) {
			j->nodes_heard++;
			continue;	/* a node of ours, heard before its reset */
		}
		if (mp_engine_sessions(a->engine) >= a->o.concurrency)
			continue;
		memcpy(ref.uuid, uuid, 16);
		if (mp_cli_target_add(a, j->id, &ref, &j->all_opts, NULL, 0) < 0)
			continue;
		job_idle_arm(a, j);	/* a new device: the tray is not done */
		target_start(a, a->ntargets - 1);
		break;		/* one job takes the device */
	}
}

static void job_timeout(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_app *a = data;
	size_t i;

	for (i = 0; i < a->njobs; i++) {
		struct mp_cli_job *j = &a->jobs[i];
		unsigned int job = j->id;
		size_t k;

		if (j->timer != id)
			continue;
		j->timer = 0;
		j->timed_out = true;
		for (k = 0; k < a->ntargets; k++) {
			struct mp_cli_target *t = &a->targets[k];

			if (t->job != job)
				continue;
			if (t->state == MP_TARGET_WAITING) {
				target_fail(a, k, MP_ENGINE_FAIL_NOT_FOUND);
			} else if (t->state == MP_TARGET_RUNNING) {
				struct mp_session *s = mp_engine_find(a->engine, t->ref.uuid);

				if (s)
					mp_session_abort(s, -ETIMEDOUT);	/* "timeout" */
			}
		}
		check_job(a, job);
		return;
	}
}

void mp_cli_job_start(struct mp_cli_app *a, unsigned int job, unsigned int timeout_s)
{
	const struct mp_scan_table *st = mp_cli_scan_table(a);
	struct mp_cli_job *j = mp_cli_job_get(a, job);
	size_t i;

	if (!j)
		return;
	j->active = true;
	j->timer = mp_loop_timer_add(a->loop, (uint64_t)timeout_s * 1000, job_timeout, a);
	job_idle_arm(a, j);
	for (i = 0; st && i < mp_scan_table_count(st); i++) {
		const struct mp_scan_entry *e = mp_scan_table_at(st, i);

		if (e)
			device_heard(a, e);
	}
	check_job(a, job);
	mp_cli_scan_update(a);
}

/*
 * The simulator's clock. A provision --all job outside the shell waiting
 * with nothing in flight (no session, no OOB helper, no device it waits
 * for by name) only waits for time to pass: the simulated devices' beacons
 * and the idle end are timers of this loop. Running that time ahead
 * instead of sleeping ends an empty simulated tray by the same idle rule
 * as a real one, without the simulator saying how many devices it has.
 */
static uint64_t sim_clock(void *data)
{
	const struct mp_cli_app *a = data;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + a->sim_skew_ms;
}

static bool sim_quiet(const struct mp_cli_app *a, unsigned int job)
{
	const struct mp_cli_job *j = mp_cli_job_get((struct mp_cli_app *)a, job);
	size_t i;

	if (!a->sim || !a->sim_clock || !j || !j->all || a->helpers || a->interrupted ||
	    (a->engine && mp_engine_sessions(a->engine)))
		return false;
	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].state == MP_TARGET_WAITING ||
		    a->targets[i].state == MP_TARGET_RUNNING)
			return false;
	return true;
}

static void sim_skip(struct mp_cli_app *a)
{
	uint64_t next, now = mp_loop_now_ms(a->loop);

	if (mp_loop_next_deadline(a->loop, &next) == 0 && next > now)
		a->sim_skew_ms += next - now;
}

enum mp_cli_status mp_cli_job_wait(struct mp_cli_app *a, unsigned int job)
{
	struct mp_cli_job *j;
	unsigned int want, left;
	size_t i;

	while (!mp_cli_job_done(a, job) && !a->radio_lost) {
		int n;

		if (sim_quiet(a, job)) {
			/* nothing outside this process is awaited: look, and if
			 * nothing is ready, let the simulated time run on */
			n = mp_loop_run_once(a->loop, 0);
			if (n == 0)
				sim_skip(a);
		} else {
			n = mp_loop_run_once(a->loop, -1);
		}
		if (n < 0)
			break;
	}
	j = mp_cli_job_get(a, job);
	if (!j)
		return MP_CLI_FAILED;
	want = j->all ? j->want : 0;
	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].job == job && !j->all)
			want++;
	left = want > j->provisioned + j->failed ? want - j->provisioned - j->failed : 0;
	if (j->stopped)
		left = 0;	/* not missing: not tried, and the stop was said */
	if (left && j->all && j->idle_over)
		mp_out_info(&a->out, "--count %u: %u device(s) short, nothing new was heard for %u s "
			    "(--idle SECONDS waits longer)", j->want, left, j->idle_s);
	else if (left)
		mp_out_info(&a->out, "%u device(s) not found or not finished in time", left);
	/* which ones failed, together at the end where a person looks */
	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].job == job && a->targets[i].state == MP_TARGET_FAILED)
			mp_out_failed_item(&a->out, &a->targets[i].ref, a->targets[i].have_uuid,
					   a->targets[i].line, a->targets[i].name,
					   a->targets[i].reason);
	mp_out_summary(&a->out, j->provisioned, j->failed - j->cancelled_devices,
		       j->cancelled_devices);
	if (a->radio_lost)
		return MP_CLI_RADIO;
	if (a->kr_write_failed) {
		mp_cli_kr_write_said(a);
		return MP_CLI_KEYRING;
	}
	if (a->interrupted) {
		mp_out_error(&a->out, "interrupted: %u cancelled", j->cancelled_devices);
		return MP_CLI_INTERRUPTED;
	}
	if (j->all && j->provisioned + j->failed == 0) {
		/* an empty tray is not a success a script could take for one */
		mp_out_error(&a->out, "provision --all: no device to provision was heard%s "
			     "(%s); is the tray powered, in range, and not provisioned?",
			     j->nodes_heard ? ", only nodes of this network" : "",
			     j->idle_over ? "the idle time passed with nothing new, --idle "
			     "SECONDS waits longer" : "the time ran out, -t SECONDS waits longer");
		return MP_CLI_NOTHING;
	}
	return j->failed || left ? MP_CLI_FAILED : MP_CLI_OK;
}

void mp_cli_kr_write_said(struct mp_cli_app *a)
{
	if (!a->kr_write_failed || a->kr_write_said)
		return;
	a->kr_write_said = true;
	mp_out_error(&a->out, "%s", a->kr_write_msg);
	mp_out_error(&a->out, "provisioning stopped at the first keyring write error: what "
		     "the keyring held before is kept; make room and run again (the devices "
		     "done are skipped)");
}

unsigned int mp_cli_cancel(struct mp_cli_app *a, const struct mp_cli_device_ref *ref)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < a->ntargets; i++) {
		struct mp_cli_target *t = &a->targets[i];

		if (ref) {
			if (ref->by_index && !(t->ref.by_index && t->ref.index == ref->index)) {
				const struct mp_scan_entry *e = a->engine ? mp_scan_table_find_index(
					mp_engine_scan_table(a->engine), ref->index) : NULL;

				if (!e || !t->have_uuid || memcmp(e->uuid, t->ref.uuid, 16))
					continue;
			}
			if (!ref->by_index && (!t->have_uuid || memcmp(t->ref.uuid, ref->uuid, 16)))
				continue;
		}
		if (t->state == MP_TARGET_WAITING) {
			n++;
			target_fail(a, i, MP_ENGINE_FAIL_CANCELLED);
		} else if (t->state == MP_TARGET_RUNNING) {
			struct mp_session *s = mp_engine_find(a->engine, t->ref.uuid);

			n++;
			if (s)
				mp_session_cancel(s);	/* FAILED follows, now */
		}
	}
	if (!ref) {
		for (i = 0; i < a->njobs; i++) {
			if (a->jobs[i].active && a->jobs[i].all) {
				a->jobs[i].cancelled = true;
				n++;
				check_job(a, a->jobs[i].id);
			}
		}
	}
	return n;
}

void mp_cli_scan_update(struct mp_cli_app *a)
{
	if (a->engine)
		mp_engine_set_discovery(a->engine, a->mode != MP_CLI_SHELL || !a->scan_off ||
					mp_cli_busy(a) > 0);
}

unsigned int mp_cli_busy(const struct mp_cli_app *a)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].state == MP_TARGET_WAITING ||
		    a->targets[i].state == MP_TARGET_RUNNING)
			n++;
	for (i = 0; i < a->njobs; i++)
		if (a->jobs[i].active && a->jobs[i].all)
			n++;
	return n;
}

int mp_cli_oob_answer(struct mp_cli_app *a, const uint8_t uuid[16], const char *text)
{
	struct mp_session *s = a->engine ? mp_engine_find(a->engine, uuid) : NULL;

	return s ? mp_session_oob(s, text) : -ENOENT;
}

const struct mp_scan_table *mp_cli_scan_table(const struct mp_cli_app *a)
{
	return a->engine ? mp_engine_scan_table(a->engine) : NULL;
}

static void run_for_done(struct mp_loop *loop, int64_t id, void *data)
{
	bool *done = data;

	*done = true;
}

bool mp_cli_run_for(struct mp_cli_app *a, unsigned int ms)
{
	bool done = false;
	int64_t id = mp_loop_timer_add(a->loop, ms, run_for_done, &done);

	while (!done && !a->interrupted && !a->radio_lost)
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	if (!done && id > 0)
		mp_loop_timer_cancel(a->loop, id);
	return done;
}

/* ---- engine callbacks ---- */

/*
 * A scan shows a device once as [NEW]; a device shown before is [CHG]
 * when what it advertises changed (its bearers, its OOB information, its
 * URI hash), or when it comes back after it had left the table, as
 * bluetoothctl does, never [NEW] again nor a line per beacon.
 */
static void beacon_shown(struct mp_cli_app *a, const struct mp_scan_entry *e, bool first)
{
	const char *what = NULL;
	unsigned int i;

	for (i = 0; i < a->nseen; i++)
		if (memcmp(a->seen[i].uuid, e->uuid, 16) == 0)
			break;
	if (i == a->nseen) {
		if (a->nseen < sizeof(a->seen) / sizeof(a->seen[0]))
			a->nseen++;
		else
			i = a->nseen - 1;	/* full: the last slot is reused */
		mp_out_beacon(&a->out, e, true);
	} else if (a->seen[i].bearers != e->bearers) {
		what = "bearer changed";
	} else if (a->seen[i].oob_info != e->oob_info) {
		what = "OOB information changed";
	} else if (a->seen[i].has_uri != e->has_uri_hash ||
		   memcmp(a->seen[i].uri, e->uri_hash, 4) != 0) {
		what = "URI hash changed";
	} else if (first) {
		what = "heard again";
	}
	if (what)
		mp_out_beacon_changed(&a->out, e, what);
	memcpy(a->seen[i].uuid, e->uuid, 16);
	a->seen[i].bearers = e->bearers;
	a->seen[i].oob_info = e->oob_info;
	a->seen[i].has_uri = e->has_uri_hash;
	memcpy(a->seen[i].uri, e->uri_hash, 4);
}

static void on_beacon(void *user, const struct mp_scan_entry *e, bool first)
{
	struct mp_cli_app *a = user;

	/* a scan shows what it hears; a provisioning run only with -v (its
	 * result lines name the devices) or as JSON events */
	if (a->scanning && !a->out.json && a->out.verbose < 2)
		beacon_shown(a, e, first);
	else if (a->scanning || (a->mode != MP_CLI_SHELL && (a->out.json || a->out.verbose > 0)))
		mp_out_beacon(&a->out, e, first);
	device_heard(a, e);
}

static size_t find_running(const struct mp_cli_app *a, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < a->ntargets; i++)
		if (a->targets[i].state == MP_TARGET_RUNNING &&
		    memcmp(a->targets[i].ref.uuid, uuid, 16) == 0)
			return i;
	return (size_t)-1;
}

const char *mp_cli_oob_cmd(const struct mp_cli_app *a, const uint8_t uuid[16])
{
	size_t idx = find_running(a, uuid);
	const struct mp_cli_job *j = NULL;
	size_t i;

	for (i = 0; idx != (size_t)-1 && i < a->njobs; i++)
		if (a->jobs[i].id == a->targets[idx].job)
			j = &a->jobs[i];
	return j && j->oob_cmd ? j->oob_cmd : a->o.oob_cmd;
}

/* Put the question of @ev to the person (the shell's prompt, or the
 * terminal's outside it); too many at once: that device is cancelled. */
static void oob_ask(struct mp_cli_app *a, struct mp_session *s, const struct mp_session_event *ev)
{
	size_t idx = find_running(a, ev->uuid);

	if (mp_oob_prompt_ask(a->oob, ev, ev->name,
			      idx != (size_t)-1 ? a->targets[idx].line : 0) < 0) {
		mp_out_error(&a->out, "%u OOB questions wait already: this device is cancelled",
			     MP_OOB_PROMPT_MAX);
		mp_session_cancel(s);
	}
}

/*
 * Output OOB: someone must read the device. A value from the batch file;
 * in the shell, the person at its prompt; else the --oob-cmd helper; else,
 * on a terminal, the person there. With none of them the device is refused
 * (-ENOKEY: auth-needed), as on hardware: the simulator has no person of
 * its own to type what its devices show (issue 16).
 */
static void oob_output(struct mp_cli_app *a, struct mp_session *s,
		       const struct mp_session_event *ev)
{
	size_t idx = find_running(a, ev->uuid);
	const char *cmd = mp_cli_oob_cmd(a, ev->uuid);

	/* A value known in advance, from the batch file. */
	if (idx != (size_t)-1 && a->targets[idx].output[0]) {
		const struct mp_cli_target *t = &a->targets[idx];

		if (mp_session_oob(s, t->output) < 0) {
			mp_out_error(&a->out, "line %u: the device shows %s of %u %s; '%s' "
				     "cannot be that", t->line,
				     ev->oob_numeric ? "a number" : "a word", ev->oob_size,
				     ev->oob_numeric ? "digit(s)" : "character(s)", t->output);
			mp_session_cancel(s);
		}
		return;
	}
	if (a->oob && (a->shell || !cmd)) {
		oob_ask(a, s, ev);
		return;
	}
	if (cmd) {
		if (mp_cli_helper_start(a, cmd, ev) < 0)
			mp_session_cancel(s);
		return;
	}
	mp_out_error(&a->out, "Output OOB needs a person to read the device, and stdin is not "
		     "a terminal: run it on one (or in the shell), or give --oob-cmd to name a "
		     "helper that reads it");
	mp_session_abort(s, -ENOKEY);
}

/* provision --all: devices that keep failing must not keep the run going
 * (and taking addresses) for ever. The sessions already running finish. */
static void count_in_row(struct mp_cli_app *a, struct mp_cli_job *j, bool ok,
			 enum mp_engine_fail reason)
{
	if (ok) {
		j->failures_in_row = 0;
		return;
	}
	/* a device the user cancelled says nothing about the tray */
	if (reason == MP_ENGINE_FAIL_CANCELLED)
		return;
	if (!j->all || j->stopped || !j->max_failures ||
	    ++j->failures_in_row < j->max_failures)
		return;
	j->stopped = true;
	mp_out_error(&a->out, "provision --all: stopped after %u failures in a row (the last: "
		     "%s); --max-failures N changes the limit, 0 never stops",
		     j->failures_in_row, mp_engine_fail_name(reason));
}

/* The first keyring write error stops the run: deferred to the loop, as
 * the cancels would re-enter the engine from its own callback. */
static void kr_write_stop(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_app *a = data;

	(void)loop;
	(void)id;
	mp_cli_cancel(a, NULL);
}

/*
 * A session that failed because the keyring could not be written (a full
 * disk, a quota, an I/O error: issue 16) is reported as what it is, not as
 * the engine's "no-address" (ENOSPC), "too-many-unconfirmed" (EDQUOT) or
 * bare "keyring"; the first one stops the run, with the OS's words and the
 * file, and the exit status 4. What was stored before stays: every save
 * replaces the file whole or not at all (kr_file_write()).
 */
static const struct mp_session_event *kr_write_failure(struct mp_cli_app *a,
							const struct mp_session_event *ev,
							struct mp_session_event *fixed)
{
	const struct mp_keyring_error *e = a->kr ? mp_keyring_last_error(a->kr) : NULL;
	bool saved_reason;

	if (ev->type != MP_SESSION_FAILED || !e || e->kind != MP_KR_E_IO)
		return ev;
	saved_reason = ev->reason == MP_ENGINE_FAIL_KEYRING ||
		       ev->reason == MP_ENGINE_FAIL_NO_ADDRESS ||
		       ev->reason == MP_ENGINE_FAIL_TOO_MANY_UNCONFIRMED;
	*fixed = *ev;
	if (saved_reason) {
		fixed->reason = MP_ENGINE_FAIL_KEYRING_WRITE;
		if (ev->reason == MP_ENGINE_FAIL_KEYRING && ev->unconfirmed)
			snprintf(a->kr_detail, sizeof(a->kr_detail), "the device was provisioned "
				 "as 0x%04x (%u element%s), but the keyring could not record it "
				 "complete: it stays there as pending, at that address",
				 ev->address, ev->elements, ev->elements == 1 ? "" : "s");
		else
			snprintf(a->kr_detail, sizeof(a->kr_detail), "the keyring could not record "
				 "the address this device was to get: no Provisioning Data was "
				 "sent, it is still unprovisioned");
		fixed->detail = a->kr_detail;
		fixed->unconfirmed = false;
	}
	if (!a->kr_write_failed) {
		a->kr_write_failed = true;
		snprintf(a->kr_write_msg, sizeof(a->kr_write_msg), "%s", e->msg);
		mp_loop_timer_add(a->loop, 0, kr_write_stop, a);
	}
	return fixed;
}

static void on_session(void *user, struct mp_session *s, const struct mp_session_event *ev)
{
	struct mp_cli_app *a = user;
	size_t idx = find_running(a, ev->uuid);
	struct mp_session_event fixed;
	const char *cmd;

	ev = kr_write_failure(a, ev, &fixed);
	/* progress per phase too; a batch row's extra columns with the result */
	mp_out_session_cols(&a->out, ev, idx != (size_t)-1 ? a->targets[idx].columns : NULL,
			    idx != (size_t)-1 ? a->targets[idx].ncolumns : 0);
	switch (ev->type) {
	case MP_SESSION_OOB_OUTPUT:
		oob_output(a, s, ev);
		return;
	case MP_SESSION_OOB_INPUT:
		/* In simulation the simulated person enters on the simulated
		 * device what we show. */
		if (a->sim)
			mp_sim_radio_input(a->sim, ev->uuid, ev->oob_value);
		cmd = mp_cli_oob_cmd(a, ev->uuid);
		if (cmd && !a->shell) {
			if (mp_cli_helper_start(a, cmd, ev) < 0)
				mp_session_cancel(s);
		} else if (a->oob) {
			oob_ask(a, s, ev);	/* the value stays on the prompt */
		}
		return;
	case MP_SESSION_PROVISIONED:
	case MP_SESSION_FAILED:
		break;
	case MP_SESSION_PHASE:	/* progress only: printed above */
		return;
	}
	mp_oob_prompt_forget(a->oob, ev->uuid);
	mp_cli_helper_forget(a, ev->uuid, ev->type == MP_SESSION_PROVISIONED);
	idx = find_running(a, ev->uuid);
	if (idx != (size_t)-1) {
		struct mp_cli_target *t = &a->targets[idx];
		struct mp_cli_job *j = mp_cli_job_get(a, t->job);
		bool ok = ev->type == MP_SESSION_PROVISIONED;

		t->state = ok ? MP_TARGET_DONE : MP_TARGET_FAILED;
		if (!ok)
			t->reason = ev->reason;
		if (j) {
			if (ok)
				j->provisioned++;
			else
				j->failed++;
			if (!ok && ev->errnum == -ECANCELED)
				j->cancelled_devices++;
			job_progress(a, j);
			count_in_row(a, j, ok, ev->reason);
		}
		if (ok && a->provisioned)
			a->provisioned(a, ev, t);
		check_job(a, t->job);
	}
}

static void on_scan_notice(void *user, unsigned int notice, const struct mp_scan_entry *e,
			   const struct mp_scan_sighting *s)
{
	struct mp_cli_app *a = user;

	mp_out_scan_notice(&a->out, notice, e, s);
}

static const struct mp_engine_cb engine_cb = { on_beacon, on_session, on_scan_notice };

/* ---- the simulated radio (its devices' advertisements go to the engine) ---- */

static void sim_output(void *user, const uint8_t uuid[16], enum mp_output_action action,
		       const char *text)
{
	struct mp_cli_app *a = user;

	/* the simulated device's display: for the person to read (there is
	 * no simulated person typing it back, issue 16) */
	mp_out_sim_output(&a->out, uuid, mp_output_action_name(action), text);
}

static const struct mp_sim_radio_cb sim_cb = { sim_output, NULL, NULL };

/* ---- the controller (its reports go to the engine) ---- */

static void hci_ready(void *user, int status)
{
	struct mp_cli_app *a = user;

	a->radio_status = status;
}

static void hci_gone(void *user, int err)
{
	struct mp_cli_app *a = user;
	char msg[1024];

	a->radio_status = err;
	mp_hci_radio_hint(a->hci, err, msg, sizeof(msg));
	mp_out_error(&a->out, "the controller went away: %s", msg);
	a->radio_lost = true;
	/* the engine hears it next, from the radio: its sessions fail */
}

static const struct mp_hci_radio_cb hci_cb = { hci_ready, hci_gone };

/* ---- setup ----
 *
 * The CLI runs the loop with mp_loop_run_once() only, testing its own
 * conditions, and never calls mp_loop_quit(): a quit request would stay
 * pending and make every later round skip its callbacks. */

/* Who holds the keyring's lock, for a person: the PID the lock file
 * records and that process's command line (secrets masked), or "". */
static void lock_holder(pid_t pid, char *out, size_t len)
{
	char proc[64], line[512], shown[MP_CLI_SHOW_BUF], *prog, *args;
	ssize_t n = -1;
	size_t i, plen;
	bool cut = false;
	int fd;

	out[0] = '\0';
	if (pid <= 0)
		return;
	snprintf(proc, sizeof(proc), "/proc/%ld/cmdline", (long)pid);
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(out, len, "PID %ld", (long)pid);
		return;
	}
	while (n > 0 && line[n - 1] == '\0')
		n--;
	line[n] = '\0';
	/* the program's name without its directory, then its arguments; a
	 * long line keeps its end, where the command is */
	prog = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;	/* in argv[0] */
	plen = strlen(prog);
	args = line + strlen(line);
	for (i = 0; i < (size_t)n; i++)
		if (line[i] == '\0')
			line[i] = ' ';
	if (strlen(args) > 100) {
		args += strlen(args) - 100;
		while (*args && *args != ' ')
			args++;
		cut = true;
	}
	snprintf(out, len, "PID %ld: %.*s%s%s", (long)pid, (int)plen, prog, cut ? " ..." : "",
		 mp_cli_show_line(args, 120, shown, sizeof(shown)));
}

static void holder_said(struct mp_cli_app *a, const char *path,
			const struct mp_keyring_error *err)
{
	char who[MP_CLI_SHOW_BUF + 32];

	lock_holder(err->holder_pid, who, sizeof(who));
	mp_out_error(&a->out, "keyring %s is in use by another meshprov (%s); let it finish, "
		     "or wait for it with --wait-lock (--wait-lock=SECONDS for at most that "
		     "long)", path, who[0] ? who : "PID unknown: a reader, or it did not say");
}

/*
 * mp_keyring_open(), waiting while another meshprov holds the lock when
 * --wait-lock asks: never blocked in fcntl(), which a signal delivered
 * through the loop's signalfd would not interrupt; the lock is tried again
 * every quarter second from the loop, so Ctrl-C and SIGTERM stop the wait
 * (-EINTR), and --wait-lock=SECONDS bounds it (-EBUSY, said).
 */
static int open_waiting(struct mp_cli_app *a, const char *path,
			const struct mp_keyring_opts *ko, struct mp_keyring_error *err)
{
	uint64_t start = 0;
	bool said = false;
	int rc;

	for (;;) {
		char who[MP_CLI_SHOW_BUF + 32];

		rc = mp_keyring_open(path, ko, &a->kr, err);
		if (rc != -EBUSY || err->kind != MP_KR_E_LOCKED || !a->o.wait_lock)
			return rc;
		if (!said) {
			lock_holder(err->holder_pid, who, sizeof(who));
			start = mp_loop_now_ms(a->loop);
			if (a->o.wait_lock_s)
				mp_out_info(&a->out, "keyring %s is in use by %s: waiting for it, at "
					    "most %u s (Ctrl-C stops)", path,
					    who[0] ? who : "another meshprov", a->o.wait_lock_s);
			else
				mp_out_info(&a->out, "keyring %s is in use by %s: waiting for it "
					    "(Ctrl-C stops)", path, who[0] ? who : "another meshprov");
			said = true;
		}
		if (a->o.wait_lock_s &&
		    mp_loop_now_ms(a->loop) - start >= (uint64_t)a->o.wait_lock_s * 1000) {
			lock_holder(err->holder_pid, who, sizeof(who));
			mp_out_error(&a->out, "keyring %s is still in use by %s after %u s "
				     "(--wait-lock=%u); giving up", path,
				     who[0] ? who : "another meshprov", a->o.wait_lock_s,
				     a->o.wait_lock_s);
			err->kind = MP_KR_E_IO;		/* said: not again as LOCKED */
			return -ETIMEDOUT;
		}
		mp_loop_run_once(a->loop, 250);
		if (a->interrupted) {
			mp_out_error(&a->out, "interrupted while waiting for the keyring's lock");
			return -EINTR;
		}
	}
}

static enum mp_cli_status open_keyring(struct mp_cli_app *a, bool reading)
{
	/* Issue 16: a command that only reads never creates a keyring (a
	 * mistyped path would be a new, empty network); one-shot, it reads
	 * with a shared lock, and on read-only media with none. A script or
	 * the shell opens for writing: a later command may need to. */
	struct mp_keyring_opts ko = {
		.flags = !reading ? MP_KEYRING_CREATE :
			 a->mode == MP_CLI_ONESHOT ? MP_KEYRING_RDONLY : 0,
	};
	struct mp_keyring_error err = { 0 };
	uint8_t *pass = NULL;
	size_t plen = 0;
	char path[4096];
	unsigned int tries = 0;
	bool typed = false;
	int rc;

	if (a->kr)
		return MP_CLI_OK;
	rc = mp_keyring_default_path_env(a->o.keyring, path, sizeof(path));
	if (rc < 0) {
		mp_out_error(&a->out, "cannot find a place for the keyring: set --keyring, "
			     "MESHPROV_KEYRING or HOME");
		return MP_CLI_KEYRING;
	}
	if (mp_cli_passphrase_given(&a->o.pass)) {
		if (mp_cli_passphrase_read(&a->o.pass, false, false, "Keyring passphrase: ",
					   &pass, &plen) < 0)
			return MP_CLI_KEYRING;
		ko.passphrase = pass;
		ko.passphrase_len = plen;
		/* --ask-passphrase alone: the person typed it */
		typed = a->o.pass.ask && a->o.pass.fd < 0 && !a->o.pass.file;
		tries = 1;
	}
	rc = open_waiting(a, path, &ko, &err);
	/* Encrypted, and a person is there to ask (again, after a typing
	 * mistake): three tries in all, as sudo and ssh give. A passphrase
	 * from a descriptor or a file is not asked again. */
	while (((rc == -ENOKEY && !pass) || (rc == -EKEYREJECTED && typed)) &&
	       tries < MP_CLI_PASSPHRASE_TRIES && isatty(STDIN_FILENO)) {
		if (rc == -EKEYREJECTED)
			fprintf(stderr, "meshprov: wrong passphrase, try again.\n");
		mp_cli_passphrase_free(pass);
		pass = NULL;
		if (mp_cli_passphrase_read(&a->o.pass, true, false, "Keyring passphrase: ", &pass,
					   &plen) < 0)
			return MP_CLI_KEYRING;
		ko.passphrase = pass;
		ko.passphrase_len = plen;
		typed = true;
		tries++;
		rc = open_waiting(a, path, &ko, &err);
	}
	mp_cli_passphrase_free(pass);
	if (rc == -EINTR)
		return MP_CLI_INTERRUPTED;	/* said in open_waiting() */
	if (rc == -ETIMEDOUT)
		return MP_CLI_KEYRING;		/* said in open_waiting() */
	if (rc == -EBUSY && err.kind == MP_KR_E_LOCKED) {
		holder_said(a, path, &err);
		return MP_CLI_KEYRING;
	}
	if (rc == -ENOENT && reading && err.kind == MP_KR_E_NOTFOUND) {
		mp_out_error(&a->out, "%s: nothing to read (is the path right? --keyring, "
			     "MESHPROV_KEYRING)", err.msg);
		fprintf(stderr, "  A keyring is created by the first command that changes "
			"it: provision makes a new network (with a fresh NetKey), import FILE "
			"takes an existing one (meshprov --keyring %s import FILE).\n", path);
		return MP_CLI_KEYRING;
	}
	if (rc < 0) {
		mp_out_error(&a->out, "%s", err.msg[0] ? err.msg : strerror(-rc));
		if (rc == -ENOKEY)
			fprintf(stderr, "  Give the passphrase with --passphrase-fd N, "
				"--passphrase-file FILE or --ask-passphrase.\n");
		return MP_CLI_KEYRING;
	}
	if (mp_keyring_was_created(a->kr))
		mp_out_info(&a->out, "created a new keyring (network with a fresh NetKey) at %s",
			    path);
	if (mp_keyring_unlocked(a->kr))
		mp_out_info(&a->out, "read %s without a lock: its directory is read-only "
			    "(no lock file can be made there)", path);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cli_need_keyring(struct mp_cli_app *a)
{
	return open_keyring(a, false);
}

enum mp_cli_status mp_cli_read_keyring(struct mp_cli_app *a)
{
	return open_keyring(a, true);
}

static enum mp_cli_status open_radio(struct mp_cli_app *a, struct mp_radio *radio)
{
	struct mp_hci_config hc = { 0 };
	struct mp_hci_le_report le;
	char msg[1024];
	int err;

	if (a->sim) {
		*radio = mp_sim_radio_radio(a->sim);
		return MP_CLI_OK;
	}
	if (a->hci) {
		*radio = mp_hci_radio_radio(a->hci);
		return MP_CLI_OK;
	}
	if (a->o.sim) {
		struct mp_sim_radio_config sc = {
			.loop = a->loop, .devices = a->o.sim, .oob = a->o.sim_oob,
			.bearers = a->o.sim_bearer,
			.loss_pct = a->o.sim_loss, .dup_pct = a->o.sim_dup,
			.delay_ms = a->o.sim_delay, .seed = a->o.sim_seed, .cb = &sim_cb,
			.stray = a->o.sim_stray,
			.user = a,
		};

		err = mp_sim_radio_new(&sc, &a->sim);
		if (err) {
			mp_out_error(&a->out, "cannot start the simulator: %s", strerror(-err));
			return MP_CLI_RADIO;
		}
		*radio = mp_sim_radio_radio(a->sim);
		return MP_CLI_OK;
	}
	hc.priv = mp_cli_privs_hci();
	mp_cli_le_config(a, &hc, &le);	/* the kernel's LE setting, for PB-GATT */
	err = mp_hci_radio_open(a->loop, a->o.index, &hc, &hci_cb, a, &a->hci, msg, sizeof(msg));
	if (mp_cli_le_said(a, err, &le))
		return MP_CLI_RADIO;
	if (err) {
		mp_out_error(&a->out, "%s", msg);
		if ((err == -ENODEV || err == -EAFNOSUPPORT) && a->o.index < 0)
			fprintf(stderr, "  To try meshprov without hardware, use simulated "
				"devices: meshprov --sim 4 provision --all\n");
		return MP_CLI_RADIO;
	}
	a->radio_status = 1;
	/* Wait for the controller's start sequence (scan on). */
	while (a->radio_status == 1 && !a->interrupted)
		mp_loop_run_once(a->loop, 1000);
	if (a->radio_status != 0) {
		mp_hci_radio_hint(a->hci, a->radio_status, msg, sizeof(msg));
		mp_out_error(&a->out, "hci%d: %s", mp_hci_radio_index(a->hci), msg);
		mp_hci_radio_close(a->hci);
		a->hci = NULL;
		return MP_CLI_RADIO;
	}
	*radio = mp_hci_radio_radio(a->hci);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cli_need_radio(struct mp_cli_app *a)
{
	struct mp_engine_config ec = { 0 };
	enum mp_cli_status st;
	int rc;

	if (a->radio_lost) {
		mp_out_error(&a->out, "the controller is gone; restart meshprov");
		return MP_CLI_RADIO;
	}
	/* An engine started before the keyring could be opened cannot
	 * provision: start it again with the keyring, if nothing runs. */
	if (a->engine && !a->engine_has_keyring && a->kr && mp_engine_sessions(a->engine) == 0) {
		mp_cli_net_free(a);
		mp_engine_free(a->engine);
		a->engine = NULL;
	}
	if (a->engine)
		return MP_CLI_OK;
	st = open_radio(a, &ec.radio);
	if (st)
		return st;
	ec.loop = a->loop;
	ec.keyring = a->kr;
	ec.max_sessions = a->o.concurrency;
	ec.cb = &engine_cb;
	ec.user = a;
	rc = mp_engine_new(&ec, &a->engine);
	if (rc) {
		mp_out_error(&a->out, "%s", strerror(-rc));
		return MP_CLI_RADIO;
	}
	a->engine_has_keyring = a->kr != NULL;
	mp_cli_scan_update(a);
	return MP_CLI_OK;
}

static void on_signal(struct mp_loop *loop, int signo, void *data)
{
	struct mp_cli_app *a = data;

	/* Ctrl-C at an OOB question cancels that device only, as in the shell */
	if (signo == SIGINT && mp_oob_prompt_tty_sigint(a))
		return;
	a->interrupted = signo;
	mp_cli_cancel(a, NULL);
}

int mp_cli_app_init(struct mp_cli_app *a)
{
	int rc = mp_loop_new(&a->loop);

	if (rc < 0)
		return rc;
	if (a->o.sim && a->mode != MP_CLI_SHELL) {
		mp_loop_set_clock(a->loop, sim_clock, a);
		a->sim_clock = true;
	}
	if (a->mode != MP_CLI_SHELL) {
		mp_loop_signal_add(a->loop, SIGINT, on_signal, a);
		mp_loop_signal_add(a->loop, SIGTERM, on_signal, a);
		/* a person on the terminal answers OOB questions (-ENOTTY: none) */
		if (mp_oob_prompt_tty(a) == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

/* Let what is ending finish before the radio goes: a PB-ADV link sends
 * Link Close three times (the device would otherwise wait for its own
 * timeout), a PB-GATT connection is dropped. Bounded: 2 s at most. */
static void settle(struct mp_cli_app *a)
{
	uint64_t end;

	if (!a->engine || a->radio_lost || !a->loop)
		return;
	end = mp_loop_now_ms(a->loop) + 2000;
	while ((mp_engine_sessions(a->engine) || (a->hci && mp_hci_radio_pending(a->hci))) &&
	       mp_loop_now_ms(a->loop) < end)
		if (mp_loop_run_once(a->loop, 100) < 0)
			break;
}

void mp_cli_app_free(struct mp_cli_app *a)
{
	size_t i;

	mp_oob_prompt_tty_free(a);	/* the terminal as it was, whatever follows */
	settle(a);
	mp_cli_helpers_free(a);
	mp_cli_configure_free(a);
	mp_cli_net_free(a);
	/* Running sessions fail (cancelled) and settle their keyring records. */
	mp_engine_free(a->engine);
	a->engine = NULL;
	mp_sim_radio_free(a->sim);
	a->sim = NULL;
	mp_hci_radio_close(a->hci);
	a->hci = NULL;
	mp_keyring_close(a->kr);
	a->kr = NULL;
	mp_loop_free(a->loop);
	a->loop = NULL;
	for (i = 0; i < a->ntargets; i++)
		free(a->targets[i].columns);
	if (a->targets)
		mp_wipe(a->targets, a->cap_targets * sizeof(*a->targets));	/* static OOB */
	free(a->targets);
	a->targets = NULL;
	for (i = 0; i < a->njobs; i++)
		free(a->jobs[i].oob_cmd);
	if (a->jobs)
		mp_wipe(a->jobs, a->njobs * sizeof(*a->jobs));
	free(a->jobs);
	a->jobs = NULL;
}
