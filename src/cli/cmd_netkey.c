/* netkey refresh: the Key Refresh procedure (MshPRT v1.1 3.11.4) driven by
 * this provisioner over the Configuration Client, for every node of one
 * subnet at once.
 *
 *  Phase 1: a new random NetKey is stored in the keyring beside the old
 *    one (phase 1) BEFORE anything is sent, so that a crash leaves a
 *    keyring from which a re-run resumes with the same new key; then a
 *    Config NetKey Update (4.3.2.9) goes to every node of the subnet in
 *    parallel, with the client's retries; each node that answers Success
 *    is recorded (the CDB's netKeys[].updated), and a re-run skips it.
 *  Phase 2: once every node has the new key (or, with --force, without the
 *    ones that did not take it, listed and reported), the keyring moves to
 *    phase 2 (this provisioner sends with the new key, receives both; its
 *    Secure Network beacons carry the Key Refresh flag under the new key)
 *    and a Config Key Refresh Phase Set, transition 2 (4.3.2.34), goes to
 *    each node. A re-run that finds phase 2 asks each node its phase first
 *    (Key Refresh Phase Get) and sends transition 2 only to those still in
 *    phase 1.
 *  Phase 3: transition 3 to each node (from phase 1 or 2 it revokes the old
 *    key, in phase 0 it changes nothing: a re-run may repeat it), then the
 *    keyring drops the old key (phase 0) and the link follows: the new key
 *    only, beacons without the flag.
 *
 * The procedure is a chain of answers (each step starts when the last
 * answer of the one before arrives), so it runs the same in the shell,
 * where the command returns at once, and in a script or one-shot, where
 * the command runs the loop until it ends. Keys are never printed.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/handlers.h"
#include "cli/net.h"
#include "cli/output.h"
#include "cli/parse.h"
#include "config/client.h"
#include "config/msg.h"
#include "core/loop.h"
#include "crypto/crypto.h"
#include "engine/mesh_link.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

enum kr_step {
	STEP_UPDATE,		/* phase 1: NetKey Update to every node */
	STEP_PHASE2,		/* transition 2 */
	STEP_PHASE3,		/* transition 3 */
	STEP_END,
};

struct kr_run;

struct kr_node {
	struct kr_run *run;
	uint16_t addr;
	bool excluded;		/* left out (--force), or never had the new key */
	bool failed;		/* the running step failed on it */
	char why[64];
};

struct kr_run {
	struct mp_cli_app *a;
	uint16_t net_idx;
	bool force;
	bool resumed_phase2;	/* ask the nodes their phase before transition 2 */
	enum kr_step step;
	size_t n;
	struct kr_node *nodes;
	unsigned pending;
	bool starting;		/* step_start() is submitting: no step_end() yet */
	bool finished;
	enum mp_cli_status result;
};

static const char *step_word(enum kr_step s)
{
	switch (s) {
	case STEP_UPDATE:
		return "update";
	case STEP_PHASE2:
		return "phase2";
	case STEP_PHASE3:
		return "phase3";
	case STEP_END:
		break;
	}
	return "end";
}

static void ev_phase(struct kr_run *run, unsigned phase)
{
	struct mp_out *o = &run->a->out;
	struct json_object *j = mp_out_event(o, MP_EVENT("netkey-refresh-phase"), -1);

	mp_out_event_add(j, "net_index", json_object_new_int(run->net_idx));
	mp_out_event_add(j, "phase", json_object_new_int((int)phase));
	mp_out_event_end(o, j, "netkey %03x      key refresh phase %u", run->net_idx, phase);
}

static void ev_node(struct kr_run *run, uint16_t addr, unsigned phase)
{
	struct mp_out *o = &run->a->out;
	struct json_object *j = mp_out_event(o, MP_EVENT("netkey-refresh-node"), addr);

	mp_out_event_add(j, "net_index", json_object_new_int(run->net_idx));
	mp_out_event_add(j, "phase", json_object_new_int((int)phase));
	mp_out_event_end(o, j, "node %04x        netkey %03x phase %u", addr, run->net_idx, phase);
}

/* ---- the end ---- */

static void run_free(struct kr_run *run)
{
	if (run->a->kr_run == run)
		run->a->kr_run = NULL;
	free(run->nodes);
	free(run);
}

/* The procedure is over (done, or stopped with @st); in the shell nobody
 * waits for it: free it now. */
static void finish(struct kr_run *run, enum mp_cli_status st)
{
	run->finished = true;
	run->result = st;
	if (run->a->mode == MP_CLI_SHELL)
		run_free(run);
}

static void fail_keyring(struct kr_run *run, const char *what)
{
	mp_out_error(&run->a->out, "netkey %03x: %s: %s", run->net_idx, what,
		     mp_keyring_error(run->a->kr));
	finish(run, MP_CLI_KEYRING);
}

/* Whether the keyring records node @addr as having the new NetKey
 * @net_idx (the CDB's netKeys[].updated). */
static bool has_new_key(const struct mp_keyring *kr, uint16_t addr, uint16_t net_idx)
{
	const struct mp_node_config *c = mp_node_config(kr, addr);
	size_t j;

	for (j = 0; c && j < c->n_net_updated; j++)
		if (c->net_updated[j] == net_idx)
			return true;
	return false;
}

/* Node @nd is left out: the CDB's nodes[].excluded says so to whoever
 * reads the keyring next (`nodes`, an export), and a later refresh of
 * this subnet does not wait for it (collect_nodes()). */
static void set_excluded(struct kr_run *run, struct kr_node *nd)
{
	nd->excluded = true;
	if (mp_keyring_node_set_excluded(run->a->kr, nd->addr, true) < 0)
		mp_out_error(&run->a->out, "node %04x: cannot record it as excluded: %s",
			     nd->addr, mp_keyring_error(run->a->kr));
}

/* ---- the steps ---- */

static void step_start(struct kr_run *run);

static void node_answer(struct mp_cli_app *a, void *user, const struct mp_cfg_client_result *r);

static int submit(struct kr_run *run, struct kr_node *nd, const struct mp_cfg_msg *m)
{
	struct mp_cfg_client_req req = { .dst = nd->addr, .net_idx = run->net_idx, .msg = m };
	int64_t id;

	run->pending++;
	id = mp_cli_net_submit(run->a, &req, node_answer, nd);
	if (id < 0) {
		run->pending--;
		nd->failed = true;
		snprintf(nd->why, sizeof(nd->why), "not queued: %s", strerror((int)-id));
		return (int)id;
	}
	return 0;
}

/* Every answer of the step is in: report the nodes it failed on, then go
 * on (all well, or --force: those nodes are left out) or stop, leaving the
 * keyring in its phase for a re-run to resume. */
static void step_end(struct kr_run *run)
{
	struct mp_cli_app *a = run->a;
	struct mp_out *o = &a->out;
	unsigned failed = 0;
	size_t i;

	for (i = 0; i < run->n; i++) {
		struct kr_node *nd = &run->nodes[i];
		struct json_object *j;

		if (!nd->failed)
			continue;
		failed++;
		j = mp_out_event(o, MP_EVENT("netkey-refresh-failed"), nd->addr);
		mp_out_event_add(j, "net_index", json_object_new_int(run->net_idx));
		mp_out_event_add(j, "step", json_object_new_string(step_word(run->step)));
		mp_out_event_add(j, "reason", json_object_new_string(nd->why));
		mp_out_event_end(o, j, "node %04x        netkey %03x %s failed: %s", nd->addr,
				 run->net_idx, step_word(run->step), nd->why);
	}
	if (failed && !run->force) {
		mp_out_error(o, "netkey %03x: key refresh stopped in phase %u: %u node%s did not "
			     "answer Success; run 'netkey refresh %x' again to resume, or add "
			     "--force to go on without them (they lose the subnet)", run->net_idx,
			     run->step == STEP_UPDATE ? 1u : 2u, failed, failed == 1 ? "" : "s",
			     run->net_idx);
		finish(run, MP_CLI_FAILED);
		return;
	}
	for (i = 0; i < run->n; i++) {
		struct kr_node *nd = &run->nodes[i];
		struct json_object *j;

		if (!nd->failed)
			continue;
		nd->failed = false;
		/* Only a node without the new key is left out: one that has it
		 * and missed transition 2 still gets transition 3, which
		 * revokes the old key from phase 1 too (4.2.14). */
		if (run->step != STEP_UPDATE)
			continue;
		nd->excluded = true;
		j = mp_out_event(o, MP_EVENT("netkey-refresh-excluded"), nd->addr);
		mp_out_event_add(j, "net_index", json_object_new_int(run->net_idx));
		mp_out_event_end(o, j, "node %04x        left out of the refresh of netkey %03x "
				 "(--force)", nd->addr, run->net_idx);
		mp_node_config_set_updated(a->kr, nd->addr, false, run->net_idx, false);
		set_excluded(run, nd);
	}
	switch (run->step) {
	case STEP_UPDATE:
		/* Phase 2: send with the new key, beacons with the flag (3.11.4.2) */
		/* (unless a beacon under the new key of another station's
		 * refresh moved the keyring on already, engine/mesh_link.h:
		 * the nodes that have the new key go on with transitions 2
		 * and 3 all the same; in phase 3, likewise, a node we took
		 * through transition 3 may have said phase 0 first) */
		if (mp_keyring_netkey(a->kr, run->net_idx)->phase == MP_KR_PHASE_1 &&
		    mp_keyring_netkey_set_phase(a->kr, run->net_idx, MP_KR_PHASE_2) < 0) {
			fail_keyring(run, "cannot record phase 2");
			return;
		}
		mp_mesh_link_netkey_sync(mp_cli_net_link(a), run->net_idx);
		ev_phase(run, 2);
		run->step = STEP_PHASE2;
		break;
	case STEP_PHASE2:
		run->step = STEP_PHASE3;
		break;
	case STEP_PHASE3: {
		/* Phase 3 done: the old key revoked, the new one only (3.11.4.3) */
		struct json_object *j, *arr;
		unsigned nodes = 0;

		mp_keyring_begin(a->kr);
		for (i = 0; i < run->n; i++)
			mp_node_config_set_updated(a->kr, run->nodes[i].addr, false, run->net_idx,
						   false);
		if (mp_keyring_netkey(a->kr, run->net_idx)->phase != MP_KR_PHASE_NORMAL)
			mp_keyring_netkey_set_phase(a->kr, run->net_idx, MP_KR_PHASE_NORMAL);
		if (mp_keyring_commit(a->kr) < 0) {
			fail_keyring(run, "cannot record the end of the key refresh");
			return;
		}
		mp_mesh_link_netkey_sync(mp_cli_net_link(a), run->net_idx);
		ev_phase(run, 0);
		j = mp_out_event(o, MP_EVENT("netkey-refreshed"), -1);
		arr = j ? json_object_new_array() : NULL;
		for (i = 0; i < run->n; i++) {
			if (!run->nodes[i].excluded)
				nodes++;
			else if (arr)
				json_object_array_add(arr, json_object_new_int(run->nodes[i].addr));
		}
		mp_out_event_add(j, "net_index", json_object_new_int(run->net_idx));
		mp_out_event_add(j, "nodes", json_object_new_int((int)nodes));
		if (arr)
			mp_out_event_add(j, "excluded", arr);
		mp_out_event_end(o, j, "netkey %03x      refreshed: %u node%s, %u left out",
				 run->net_idx, nodes, nodes == 1 ? "" : "s",
				 (unsigned)(run->n - nodes));
		run->step = STEP_END;
		finish(run, MP_CLI_OK);
		return;
	}
	case STEP_END:
		return;
	}
	step_start(run);
}

static void step_start(struct kr_run *run)
{
	struct mp_cli_app *a = run->a;
	const struct mp_netkey *k = mp_keyring_netkey(a->kr, run->net_idx);
	struct mp_cfg_msg m;
	size_t i;

	run->starting = true;
	for (i = 0; i < run->n; i++) {
		struct kr_node *nd = &run->nodes[i];

		if (nd->excluded)
			continue;
		switch (run->step) {
		case STEP_UPDATE:
			/* a node recorded as having it already (a resumed run) */
			if (has_new_key(a->kr, nd->addr, run->net_idx))
				continue;
			mp_cfg_req_netkey_update(&m, run->net_idx, k->key);
			break;
		case STEP_PHASE2:
			if (run->resumed_phase2)
				mp_cfg_req_krp_get(&m, run->net_idx);
			else
				mp_cfg_req_krp_set(&m, run->net_idx, 2);
			break;
		case STEP_PHASE3:
			mp_cfg_req_krp_set(&m, run->net_idx, 3);
			break;
		case STEP_END:
			run->starting = false;
			return;
		}
		submit(run, nd, &m);
		mp_wipe(&m, sizeof(m));
	}
	run->starting = false;
	if (!run->pending)
		step_end(run);
}

static void node_answer(struct mp_cli_app *a, void *user, const struct mp_cfg_client_result *r)
{
	struct kr_node *nd = user;
	struct kr_run *run = nd->run;
	const struct mp_cfg_msg *st = r->status;

	run->pending--;
	if (r->err) {
		nd->failed = true;
		snprintf(nd->why, sizeof(nd->why), "%s",
			 r->err == -ETIMEDOUT ? "no answer" : strerror(-r->err));
	} else if (st->status) {
		nd->failed = true;
		snprintf(nd->why, sizeof(nd->why), "%s (%u)",
			 r->status_name ? r->status_name : "RFU", st->status);
	} else if (r->opcode == MP_CFG_OP_NETKEY_UPDATE) {
		if (mp_node_config_set_updated(a->kr, nd->addr, false, run->net_idx, true) < 0) {
			nd->failed = true;
			snprintf(nd->why, sizeof(nd->why), "not recorded in the keyring");
		} else {
			ev_node(run, nd->addr, 1);
		}
	} else if (r->opcode == MP_CFG_OP_KEY_REFRESH_PHASE_GET && st->state == 1) {
		/* a resumed phase 2: this one still waits for transition 2 */
		struct mp_cfg_msg m;

		mp_cfg_req_krp_set(&m, run->net_idx, 2);
		if (submit(run, nd, &m) == 0)
			return;
	} else if (r->opcode == MP_CFG_OP_KEY_REFRESH_PHASE_GET && st->state == 0 &&
		   run->step == STEP_PHASE2) {
		/* it has been through transition 3 already (a crash after it) */
		ev_node(run, nd->addr, 0);
	} else {
		ev_node(run, nd->addr, st->state);
	}
	if (!run->pending && !run->finished && !run->starting)
		step_end(run);
}

void mp_cmd_netkey_refresh_drop(struct mp_cli_app *a)
{
	struct kr_run *run = a->kr_run;

	if (!run)
		return;
	/* Its requests went with the client (no answer comes any more);
	 * the keyring keeps the phase reached, for a re-run to resume. The
	 * shell's command returned at once: say it here (a script's said it
	 * when it was interrupted). */
	if (!run->finished && a->mode == MP_CLI_SHELL)
		mp_out_error(&a->out, "netkey %03x: key refresh stopped; run 'netkey refresh %x' "
			     "again to resume", run->net_idx, run->net_idx);
	run_free(run);
}

/* ---- the command ---- */

/* The nodes of subnet @net_idx: provisioned, with a device key, not us. */
static int collect_nodes(struct kr_run *run)
{
	struct mp_keyring *kr = run->a->kr;
	size_t i, j, cnt = mp_keyring_node_count(kr);

	run->nodes = calloc(cnt ? cnt : 1, sizeof(*run->nodes));
	if (!run->nodes)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		const struct mp_node *n = mp_keyring_node_at(kr, i);

		/* nor one an earlier refresh left out: the CDB's excluded
		 * marks a node on its way out, left out of every key
		 * distribution */
		if (n->is_self || !n->has_dev_key || n->state != MP_NODE_COMPLETE || n->excluded)
			continue;
		for (j = 0; j < n->n_net_keys && n->net_keys[j] != run->net_idx; j++)
			;
		if (j == n->n_net_keys)
			continue;
		run->nodes[run->n].run = run;
		run->nodes[run->n++].addr = n->addr;
	}
	return 0;
}

/* Which nodes a resumed run left out before: in phase 2, those the keyring
 * does not record as having the new key (a node provisioned during the
 * refresh is recorded with it, engine.c). */
static void mark_not_updated(struct kr_run *run)
{
	size_t i;

	for (i = 0; i < run->n; i++)
		if (!has_new_key(run->a->kr, run->nodes[i].addr, run->net_idx))
			set_excluded(run, &run->nodes[i]);
}

enum mp_cli_status mp_cmd_netkey_refresh(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const struct mp_netkey *k;
	struct kr_run *run;
	enum mp_cli_status st;
	uint32_t idx = 0;
	size_t i;

	if (args->argc > 0 && mp_cli_parse_hex(args->argv[0], MP_KEY_INDEX_MAX, &idx) < 0) {
		mp_cmd_err(args, "%s: not a NetKey index (hex, 0-fff)", args->argv[0]);
		return MP_CLI_USAGE;
	}
	st = mp_cli_need_keyring(a);
	if (st)
		return st;
	k = mp_keyring_netkey(a->kr, (uint16_t)idx);
	if (!k) {
		mp_cmd_err(args, "there is no NetKey %03x (netkey list)", idx);
		return MP_CLI_USAGE;
	}
	if (a->kr_run) {
		mp_cmd_err(args, "a key refresh is still running");
		return MP_CLI_FAILED;
	}
	/* the radio and the network first: nothing changes if they cannot start */
	st = mp_cli_net_need(a);
	if (st)
		return st;
	run = calloc(1, sizeof(*run));
	if (!run)
		return MP_CLI_FAILED;
	run->a = a;
	run->net_idx = (uint16_t)idx;
	run->force = mp_cli_arg(args, "--force") != NULL;
	if (collect_nodes(run) < 0) {
		run_free(run);
		return MP_CLI_FAILED;
	}
	k = mp_keyring_netkey(a->kr, run->net_idx);
	switch (k->phase) {
	case MP_KR_PHASE_NORMAL:
		/* Phase 1 is saved before the first NetKey Update leaves: a
		 * crash after it resumes with the same new key (3.11.4.1). */
		mp_keyring_begin(a->kr);
		for (i = 0; i < run->n; i++)
			mp_node_config_set_updated(a->kr, run->nodes[i].addr, false, run->net_idx,
						   false);
		mp_keyring_netkey_refresh(a->kr, run->net_idx, NULL);
		if (mp_keyring_commit(a->kr) < 0 ||
		    mp_keyring_netkey(a->kr, run->net_idx)->phase != MP_KR_PHASE_1) {
			mp_out_error(&a->out, "netkey %03x: cannot start the key refresh: %s",
				     run->net_idx, mp_keyring_error(a->kr));
			run_free(run);
			return MP_CLI_KEYRING;
		}
		run->step = STEP_UPDATE;
		ev_phase(run, 1);
		break;
	case MP_KR_PHASE_1:
		run->step = STEP_UPDATE;
		ev_phase(run, 1);
		break;
	case MP_KR_PHASE_2:
	default:
		mark_not_updated(run);
		run->step = STEP_PHASE2;
		run->resumed_phase2 = true;
		ev_phase(run, 2);
		break;
	}
	if (mp_mesh_link_netkey_sync(mp_cli_net_link(a), run->net_idx) < 0) {
		mp_out_error(&a->out, "netkey %03x: the network cannot use the new key",
			     run->net_idx);
		run_free(run);
		return MP_CLI_FAILED;
	}
	a->kr_run = run;
	step_start(run);
	if (a->mode == MP_CLI_SHELL)
		return MP_CLI_OK;	/* the answers drive it from the loop */
	while (!run->finished && !a->radio_lost && !a->interrupted)
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	st = run->finished ? run->result : a->radio_lost ? MP_CLI_RADIO :
	     a->interrupted ? MP_CLI_INTERRUPTED : MP_CLI_FAILED;
	if (!run->finished)
		mp_out_error(&a->out, "netkey %03x: key refresh interrupted; run 'netkey refresh "
			     "%x' again to resume", run->net_idx, run->net_idx);
	/* Requests still queued hold pointers into run: they must not outlive
	 * it. Only an interrupted run leaves any; it is freed with the
	 * network (mp_cmd_netkey_refresh_drop()). */
	if (run->finished)
		run_free(run);
	return st;
}
