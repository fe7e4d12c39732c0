/* meshprov: the command line. One command per run (the interactive shell
 * comes with issue #5): options, the radio (a controller or the simulator),
 * the keyring, the engine and the loop, and the one place where results
 * become exit codes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/output.h"
#include "core/hex.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "engine/hci_radio.h"
#include "sim/radio.h"
#include "store/cdb.h"
#include "store/keyring.h"

/* Exit codes a script can trust (also in meshprov(1)). */
enum {
	EXIT_OK = 0,		/* everything asked for was done */
	EXIT_SOME_FAILED = 1,	/* at least one device failed or was not found */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_RADIO = 3,		/* no controller, no permission, controller lost */
	EXIT_KEYRING = 4,	/* the keyring could not be opened, read or written */
};

struct opts {
	const char *keyring;
	int index;			/* -1: default controller */
	bool json;
	int verbose;
	unsigned int sim;		/* simulated devices; 0: a real controller */
	enum mp_sim_oob sim_oob;
	unsigned int sim_loss, sim_dup, sim_delay;
	unsigned int concurrency;
	unsigned int timeout_s;		/* 0: the command's default */
};

struct app {
	struct opts o;
	struct mp_out out;
	struct mp_loop *loop;
	struct mp_keyring *kr;
	struct mp_sim_radio *sim;
	struct mp_hci_radio *hci;
	int radio_status;		/* 1 until the controller is ready */
	struct mp_engine *engine;
	/* provision */
	bool all;
	uint8_t (*targets)[16];
	unsigned int ntargets;
	struct mp_provision_opts popts;
	unsigned int want;		/* devices to finish before stopping (--all) */
	unsigned int provisioned, failed;
	uint8_t (*attempted)[16];
	unsigned int nattempted;
	bool interrupted;
	bool radio_lost;
	/* in simulation, what each simulated device showed, for the
	 * simulated person to type when asked */
	struct {
		uint8_t uuid[16];
		char text[16];
	} shown[64];
	unsigned int nshown;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: meshprov [OPTIONS] COMMAND [ARGS]\n"
"A Bluetooth Mesh provisioner over a raw HCI socket (PB-ADV).\n"
"\n"
"Commands:\n"
"  scan [--duration S]           list unprovisioned devices heard (default 10 s)\n"
"  provision --all | UUID...     provision every device heard, or the ones named\n"
"      --auth none|static:HEX|output|input   authentication (default: best offered)\n"
"      --alg auto|cmac|hmac      provisioning algorithm (default: HMAC when offered)\n"
"      --name NAME               node name to record (one device)\n"
"      --address ADDR            unicast address (hex; default: allocated)\n"
"      --count N                 with --all: stop after N devices\n"
"  nodes                         list the nodes in the keyring\n"
"  export FILE [--no-device-keys]  write the Mesh Configuration Database JSON\n"
"\n"
"Options:\n"
"  -i, --index N|hciN            controller to use (default: first LE controller up)\n"
"  -k, --keyring PATH            keyring file (default: $MESHPROV_KEYRING, else\n"
"                                $XDG_DATA_HOME/meshprov/keyring.json)\n"
"      --json                    one JSON object per line, for scripts\n"
"      --sim N                   use N simulated devices instead of a controller\n"
"      --sim-oob none|static|output|input   what the simulated devices support\n"
"      --sim-loss PCT, --sim-dup PCT, --sim-delay MS   simulated radio conditions\n"
"  -j, --concurrency N           devices provisioned at once (default 16)\n"
"  -t, --timeout S               give up after S seconds (provision: 120, scan: 10)\n"
"  -v, --verbose                 show each phase (twice: every beacon)\n"
"  -V, --version                 print the version\n"
"  -h, --help                    this help\n"
"\n"
"Exit status: 0 done, 1 some devices failed, 2 usage error, 3 controller or\n"
"permission problem, 4 keyring problem.\n"
"The simulated devices' static OOB value is 00112233445566778899aabbccddeeff.\n");
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int parse_uuid(const char *s, uint8_t uuid[16])
{
	return mp_hex_decode(s, uuid, 16) == 16 ? 0 : -EINVAL;
}

/* ---- engine callbacks ---- */

static bool attempted(struct app *a, const uint8_t uuid[16])
{
	unsigned int i;

	for (i = 0; i < a->nattempted; i++)
		if (memcmp(a->attempted[i], uuid, 16) == 0)
			return true;
	return false;
}

static bool is_target(struct app *a, const uint8_t uuid[16])
{
	unsigned int i;

	if (a->all)
		return true;
	for (i = 0; i < a->ntargets; i++)
		if (memcmp(a->targets[i], uuid, 16) == 0)
			return true;
	return false;
}

static void check_done(struct app *a)
{
	if (a->want && a->provisioned + a->failed >= a->want &&
	    mp_engine_sessions(a->engine) == 0)
		mp_loop_quit(a->loop);
}

static void on_beacon(void *user, const struct mp_scan_entry *e, bool first)
{
	struct app *a = user;
	int err;

	mp_out_beacon(&a->out, e, first);
	if (!a->targets && !a->all)
		return;		/* scanning only */
	if (!is_target(a, e->uuid) || attempted(a, e->uuid))
		return;
	if (a->want && a->provisioned + a->failed + mp_engine_sessions(a->engine) >= a->want)
		return;
	if (mp_keyring_node_find_uuid(a->kr, e->uuid) && a->all)
		return;		/* already a node of ours: heard before its reset */
	err = mp_engine_provision(a->engine, e->uuid, &a->popts, NULL);
	if (err == -EBUSY)
		return;		/* full: the next beacon brings it back */
	memcpy(a->attempted[a->nattempted++], e->uuid, 16);
	if (err) {
		struct mp_session_event ev = { .type = MP_SESSION_FAILED, .uuid = e->uuid,
					       .errnum = err, .reason = "error" };

		mp_out_session(&a->out, &ev);
		a->failed++;
		check_done(a);
	}
}

static void on_session(void *user, struct mp_session *s, const struct mp_session_event *ev)
{
	struct app *a = user;

	mp_out_session(&a->out, ev);
	switch (ev->type) {
	case MP_SESSION_OOB_INPUT:
		/* In simulation the simulated person types what we show. */
		if (a->sim)
			mp_sim_radio_input(a->sim, ev->uuid, ev->oob_value);
		break;
	case MP_SESSION_OOB_OUTPUT:
		/* ... and types what the simulated device showed. */
		if (a->sim) {
			unsigned int i;

			for (i = 0; i < a->nshown; i++)
				if (memcmp(a->shown[i].uuid, ev->uuid, 16) == 0)
					mp_session_oob(s, a->shown[i].text);
		}
		break;
	case MP_SESSION_PROVISIONED:
		a->provisioned++;
		break;
	case MP_SESSION_FAILED:
		a->failed++;
		break;
	default:
		break;
	}
}

static void on_reaped_check(struct mp_loop *loop, int64_t id, void *data)
{
	check_done(data);
	if (!mp_loop_timer_pending(loop, id))
		mp_loop_timer_add(loop, 100, on_reaped_check, data);
}

static const struct mp_engine_cb engine_cb = { on_beacon, on_session };

/* ---- the simulated radio ---- */

static void sim_report(void *user, const struct mp_adv_report *r)
{
	struct app *a = user;

	mp_engine_adv_report(a->engine, r);
}

static void sim_output(void *user, const uint8_t uuid[16], enum mp_output_action action,
		       const char *text)
{
	struct app *a = user;
	unsigned int i;

	mp_out_sim_output(&a->out, uuid, mp_output_action_name(action), text);
	/* The simulated person reads the device, to type it when asked. */
	for (i = 0; i < a->nshown; i++)
		if (memcmp(a->shown[i].uuid, uuid, 16) == 0)
			break;
	if (i == sizeof(a->shown) / sizeof(a->shown[0]))
		return;
	memcpy(a->shown[i].uuid, uuid, 16);
	snprintf(a->shown[i].text, sizeof(a->shown[i].text), "%s", text);
	if (i == a->nshown)
		a->nshown++;
}

static const struct mp_sim_radio_cb sim_cb = { sim_report, sim_output, NULL, NULL };

/* ---- the controller ---- */

static void hci_ready(void *user, int status)
{
	struct app *a = user;

	a->radio_status = status;
}

static void hci_report(void *user, const struct mp_adv_report *r)
{
	struct app *a = user;

	if (a->engine)
		mp_engine_adv_report(a->engine, r);
}

static void hci_gone(void *user, int err)
{
	struct app *a = user;
	char msg[1024];

	a->radio_status = err;
	mp_hci_radio_hint(a->hci, err, msg, sizeof(msg));
	fprintf(stderr, "meshprov: the controller went away: %s\n", msg);
	if (a->engine)
		mp_engine_radio_lost(a->engine, err);
	a->radio_lost = true;
	mp_loop_quit(a->loop);
}

static const struct mp_hci_radio_cb hci_cb = { hci_ready, hci_report, hci_gone };

/* ---- setup ---- */

static int open_keyring(struct app *a)
{
	struct mp_keyring_opts ko = { .flags = MP_KEYRING_CREATE };
	struct mp_keyring_error err = { 0 };
	char path[4096];
	int rc;

	rc = mp_keyring_default_path_env(a->o.keyring, path, sizeof(path));
	if (rc < 0) {
		fprintf(stderr, "meshprov: cannot find a place for the keyring: set --keyring, "
			"MESHPROV_KEYRING or HOME\n");
		return EXIT_KEYRING;
	}
	rc = mp_keyring_open(path, &ko, &a->kr, &err);
	if (rc < 0) {
		fprintf(stderr, "meshprov: %s\n", err.msg[0] ? err.msg : strerror(-rc));
		return EXIT_KEYRING;
	}
	if (mp_keyring_was_created(a->kr))
		mp_out_info(&a->out, "created a new keyring (network with a fresh NetKey) at %s",
			    path);
	return 0;
}

static int open_radio(struct app *a, struct mp_radio *radio)
{
	if (a->o.sim) {
		struct mp_sim_radio_config sc = {
			.loop = a->loop, .devices = a->o.sim, .oob = a->o.sim_oob,
			.loss_pct = a->o.sim_loss, .dup_pct = a->o.sim_dup,
			.delay_ms = a->o.sim_delay, .cb = &sim_cb, .user = a,
		};
		int err = mp_sim_radio_new(&sc, &a->sim);

		if (err) {
			fprintf(stderr, "meshprov: cannot start the simulator: %s\n", strerror(-err));
			return EXIT_USAGE;
		}
		*radio = mp_sim_radio_radio(a->sim);
		return 0;
	}
	{
		char msg[1024];
		int err = mp_hci_radio_open(a->loop, a->o.index, &hci_cb, a, &a->hci, msg,
					    sizeof(msg));

		if (err) {
			fprintf(stderr, "meshprov: %s\n", msg);
			if ((err == -ENODEV || err == -EAFNOSUPPORT) && a->o.index < 0)
				fprintf(stderr, "  To try meshprov without hardware, use simulated "
					"devices: meshprov --sim 4 provision --all\n");
			return EXIT_RADIO;
		}
		a->radio_status = 1;
		/* Wait for the controller's start sequence (scan on). */
		while (a->radio_status == 1 && !a->interrupted)
			mp_loop_run_once(a->loop, 1000);
		if (a->radio_status != 0) {
			mp_hci_radio_hint(a->hci, a->radio_status, msg, sizeof(msg));
			fprintf(stderr, "meshprov: hci%d: %s\n", mp_hci_radio_index(a->hci), msg);
			return EXIT_RADIO;
		}
		*radio = mp_hci_radio_radio(a->hci);
		return 0;
	}
}

static void on_signal(struct mp_loop *loop, int signo, void *data)
{
	struct app *a = data;

	a->interrupted = true;
	mp_loop_quit(loop);
}

static void on_timeout(struct mp_loop *loop, int64_t id, void *data)
{
	mp_loop_quit(loop);
}

static int setup(struct app *a, bool need_keyring)
{
	struct mp_engine_config ec = { 0 };
	int rc;

	if (mp_loop_new(&a->loop) < 0)
		return EXIT_RADIO;
	mp_loop_signal_add(a->loop, SIGINT, on_signal, a);
	mp_loop_signal_add(a->loop, SIGTERM, on_signal, a);
	if (need_keyring) {
		rc = open_keyring(a);
		if (rc)
			return rc;
	}
	rc = open_radio(a, &ec.radio);
	if (rc)
		return rc;
	ec.loop = a->loop;
	ec.keyring = a->kr;
	ec.max_sessions = a->o.concurrency;
	ec.cb = &engine_cb;
	ec.user = a;
	rc = mp_engine_new(&ec, &a->engine);
	if (rc) {
		fprintf(stderr, "meshprov: %s\n", strerror(-rc));
		return EXIT_RADIO;
	}
	return 0;
}

static void teardown(struct app *a)
{
	mp_engine_free(a->engine);
	mp_sim_radio_free(a->sim);
	mp_hci_radio_close(a->hci);
	mp_keyring_close(a->kr);
	mp_loop_free(a->loop);
	free(a->targets);
	free(a->attempted);
}

/* ---- commands ---- */

static int cmd_scan(struct app *a, int argc, char **argv)
{
	unsigned int secs = a->o.timeout_s ? a->o.timeout_s : 10;
	int rc, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
			if (parse_uint(argv[++i], 86400, &secs) < 0) {
				fprintf(stderr, "meshprov: scan: --duration takes seconds\n");
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "meshprov: scan: unexpected '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	rc = setup(a, false);
	if (rc)
		return rc;
	mp_loop_timer_add(a->loop, (uint64_t)secs * 1000, on_timeout, a);
	mp_loop_run(a->loop);
	if (!a->out.json)
		fprintf(a->out.fp, "%zu unprovisioned device(s) heard\n",
			mp_scan_table_count(mp_engine_scan_table(a->engine)));
	return EXIT_OK;
}

static int parse_auth(const char *s, struct mp_prov_params *p)
{
	if (strcmp(s, "none") == 0) {
		p->auth = MP_AUTH_CHOICE_NONE;
	} else if (strcmp(s, "output") == 0) {
		p->auth = MP_AUTH_CHOICE_OUTPUT;
	} else if (strcmp(s, "input") == 0) {
		p->auth = MP_AUTH_CHOICE_INPUT;
	} else if (strncmp(s, "static:", 7) == 0) {
		ssize_t n = mp_hex_decode(s + 7, p->static_oob, sizeof(p->static_oob));

		if (n != 16 && n != 32)
			return -EINVAL;
		p->static_oob_len = (uint8_t)n;
		p->auth = MP_AUTH_CHOICE_STATIC;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int cmd_provision(struct app *a, int argc, char **argv)
{
	unsigned int secs = a->o.timeout_s ? a->o.timeout_s : 120, count = 0, v;
	struct mp_prov_params *p = &a->popts.prov;
	int rc, i;

	p->action = -1;
	a->targets = calloc((size_t)argc, 16);
	a->attempted = calloc(4096, 16);
	if (!a->targets || !a->attempted)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(arg, "--all") == 0) {
			a->all = true;
		} else if (strcmp(arg, "--auth") == 0 && val) {
			if (parse_auth(val, p) < 0) {
				fprintf(stderr, "meshprov: provision: --auth takes none, output, input "
					"or static:HEX (16 or 32 octets), not '%s'\n", val);
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(arg, "--alg") == 0 && val) {
			if (strcmp(val, "auto") == 0)
				p->alg = MP_ALG_AUTO;
			else if (strcmp(val, "cmac") == 0)
				p->alg = MP_ALG_FORCE_CMAC;
			else if (strcmp(val, "hmac") == 0)
				p->alg = MP_ALG_FORCE_HMAC;
			else {
				fprintf(stderr, "meshprov: provision: --alg takes auto, cmac or hmac\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(arg, "--name") == 0 && val) {
			a->popts.name = val;
			i++;
		} else if (strcmp(arg, "--address") == 0 && val) {
			char buf[16];

			snprintf(buf, sizeof(buf), "%s%s", strncmp(val, "0x", 2) ? "0x" : "", val);
			if (parse_uint(buf, 0x7fff, &v) < 0 || v == 0) {
				fprintf(stderr, "meshprov: provision: --address takes a unicast address "
					"in hex (0001-7fff), not '%s'\n", val);
				return EXIT_USAGE;
			}
			a->popts.address = (uint16_t)v;
			i++;
		} else if (strcmp(arg, "--count") == 0 && val) {
			if (parse_uint(val, 100000, &count) < 0 || count == 0) {
				fprintf(stderr, "meshprov: provision: --count takes a positive number\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (arg[0] != '-') {
			if (parse_uuid(arg, a->targets[a->ntargets]) < 0) {
				fprintf(stderr, "meshprov: provision: '%s' is not a device UUID "
					"(32 hex digits, dashes allowed)\n", arg);
				return EXIT_USAGE;
			}
			a->ntargets++;
		} else {
			fprintf(stderr, "meshprov: provision: unknown or incomplete option '%s'\n", arg);
			return EXIT_USAGE;
		}
	}
	if (a->all == (a->ntargets > 0)) {
		fprintf(stderr, "meshprov: provision: give --all or device UUIDs (not both)\n");
		return EXIT_USAGE;
	}
	if ((a->popts.name || a->popts.address) && a->ntargets != 1) {
		fprintf(stderr, "meshprov: provision: --name and --address are for one device\n");
		return EXIT_USAGE;
	}
	a->want = a->all ? (count ? count : a->o.sim) : a->ntargets;
	rc = setup(a, true);
	if (rc)
		return rc;
	mp_loop_timer_add(a->loop, (uint64_t)secs * 1000, on_timeout, a);
	mp_loop_timer_add(a->loop, 100, on_reaped_check, a);
	mp_loop_run(a->loop);
	if (a->interrupted || mp_engine_sessions(a->engine)) {
		/* Ctrl-C or the timeout: running sessions fail (cancelled) and
		 * their pending keyring records are settled. */
		mp_engine_free(a->engine);
		a->engine = NULL;
	}
	if (a->want > a->provisioned + a->failed)
		mp_out_info(&a->out, "%u device(s) not found or not finished in time",
			    a->want - a->provisioned - a->failed);
	mp_out_summary(&a->out, a->provisioned, a->failed);
	if (a->radio_lost)
		return EXIT_RADIO;
	if (a->interrupted)
		return EXIT_SOME_FAILED;
	return a->failed || a->provisioned < a->want ? EXIT_SOME_FAILED : EXIT_OK;
}

static int cmd_nodes(struct app *a, int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "meshprov: nodes: unexpected '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	rc = open_keyring(a);
	if (rc)
		return rc;
	for (i = 0; i < mp_keyring_node_count(a->kr); i++) {
		const struct mp_node *n = mp_keyring_node_at(a->kr, i);
		char u[37];

		mp_keyring_uuid_str(n->uuid, u);
		if (a->out.json) {
			fprintf(a->out.fp, "{\"event\":\"node\",\"uuid\":\"%s\",\"address\":%u,"
				"\"elements\":%u,\"state\":\"%s\",\"self\":%s}\n", u, n->addr,
				n->elements, mp_node_state_str(n->state),
				n->is_self ? "true" : "false");
		} else {
			fprintf(a->out.fp, "0x%04x  %u  %-10s  %s%s%s\n", n->addr, n->elements,
				mp_node_state_str(n->state), u, n->is_self ? "  (this provisioner)" : "",
				n->name[0] ? "" : "");
		}
	}
	return EXIT_OK;
}

static int cmd_export(struct app *a, int argc, char **argv)
{
	struct mp_cdb_export_opts eo = { .with_device_keys = true };
	const char *file = NULL;
	int rc, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-device-keys") == 0)
			eo.with_device_keys = false;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			fprintf(stderr, "meshprov: export: unexpected '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!file) {
		fprintf(stderr, "meshprov: export: name the file to write\n");
		return EXIT_USAGE;
	}
	rc = open_keyring(a);
	if (rc)
		return rc;
	rc = mp_cdb_export_file(a->kr, &eo, file);
	if (rc < 0) {
		fprintf(stderr, "meshprov: export: %s: %s\n", file, mp_keyring_last_error(a->kr)->msg);
		return EXIT_KEYRING;
	}
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(struct app *a, int argc, char **argv);
} commands[] = {
	{ "scan", cmd_scan },
	{ "provision", cmd_provision },
	{ "nodes", cmd_nodes },
	{ "export", cmd_export },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "index", required_argument, NULL, 'i' },
		{ "keyring", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'J' },
		{ "sim", required_argument, NULL, 'S' },
		{ "sim-oob", required_argument, NULL, 'O' },
		{ "sim-loss", required_argument, NULL, 'L' },
		{ "sim-dup", required_argument, NULL, 'D' },
		{ "sim-delay", required_argument, NULL, 'Y' },
		{ "concurrency", required_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app a = { .o = { .index = -1, .concurrency = MP_ENGINE_DEFAULT_SESSIONS } };
	unsigned int v;
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+i:k:j:t:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_uint(strncmp(optarg, "hci", 3) ? optarg : optarg + 3, 1023, &v) < 0)
				goto bad;
			a.o.index = (int)v;
			break;
		case 'k':
			a.o.keyring = optarg;
			break;
		case 'J':
			a.o.json = true;
			break;
		case 'S':
			if (parse_uint(optarg, 1000, &a.o.sim) < 0 || a.o.sim == 0)
				goto bad;
			break;
		case 'O':
			if (strcmp(optarg, "none") == 0)
				a.o.sim_oob = MP_SIM_OOB_NONE;
			else if (strcmp(optarg, "static") == 0)
				a.o.sim_oob = MP_SIM_OOB_STATIC;
			else if (strcmp(optarg, "output") == 0)
				a.o.sim_oob = MP_SIM_OOB_OUTPUT;
			else if (strcmp(optarg, "input") == 0)
				a.o.sim_oob = MP_SIM_OOB_INPUT;
			else
				goto bad;
			break;
		case 'L':
			if (parse_uint(optarg, 100, &a.o.sim_loss) < 0)
				goto bad;
			break;
		case 'D':
			if (parse_uint(optarg, 100, &a.o.sim_dup) < 0)
				goto bad;
			break;
		case 'Y':
			if (parse_uint(optarg, 60000, &a.o.sim_delay) < 0)
				goto bad;
			break;
		case 'j':
			if (parse_uint(optarg, 64, &a.o.concurrency) < 0 || a.o.concurrency == 0)
				goto bad;
			break;
		case 't':
			if (parse_uint(optarg, 86400, &a.o.timeout_s) < 0 || a.o.timeout_s == 0)
				goto bad;
			break;
		case 'v':
			a.o.verbose++;
			break;
		case 'V':
			printf("meshprov %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'meshprov --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	mp_out_init(&a.out, stdout, a.o.json, a.o.verbose);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			rc = commands[i].fn(&a, argc - optind, argv + optind);
			teardown(&a);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				perror("meshprov: stdout");
				return rc ? rc : EXIT_USAGE;
			}
			return rc;
		}
	}
	fprintf(stderr, "meshprov: unknown command '%s'. Try 'meshprov --help'.\n", argv[optind]);
	return EXIT_USAGE;
bad:
	fprintf(stderr, "meshprov: invalid value '%s' for option '%s'. Try 'meshprov --help'.\n",
		optarg, argv[optind - 1]);
	return EXIT_USAGE;
}
