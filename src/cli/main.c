/* meshprov: the command line. Global options, then one of three ways in:
 * a command on the command line (run it and exit), commands from a file or
 * a non-terminal stdin (run them in order), or the interactive shell. All
 * three go through the one command table (cli/commands.h); this file is the
 * one place where results become exit codes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/app.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/complete.h"
#include "cli/privs.h"
#include "cli/redact.h"
#include "cli/shell.h"

/* Exit codes a script can trust (also in meshprov(1)). */
enum {
	EXIT_OK = 0,		/* everything asked for was done */
	EXIT_SOME_FAILED = 1,	/* at least one device failed or was not found */
	EXIT_USAGE = 2,		/* bad command line, command or input file */
	EXIT_RADIO = 3,		/* no controller, no permission, controller lost */
	EXIT_KEYRING = 4,	/* the keyring could not be opened, read or written */
	EXIT_NOTHING = 5,	/* provision --all heard no device to provision */
};

/* The keys live in this process's memory (the NetKey even when the
 * keyring file is encrypted): a crash must not write them into a core
 * file, and other processes of the same user must not read them through
 * ptrace or /proc/PID/mem, which a non-dumpable process refuses. */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fprintf(stderr, "meshprov: warning: cannot turn core dumps off: %s\n",
			strerror(errno));
}

static int exit_code(const struct mp_cli_app *a, enum mp_cli_status st)
{
	switch (st) {
	case MP_CLI_INTERRUPTED:
		/* as a shell reports a command a signal ended: 130 for Ctrl-C */
		return 128 + (a->interrupted ? a->interrupted : SIGINT);
	case MP_CLI_OK:
	case MP_CLI_QUIT:
		return EXIT_OK;
	case MP_CLI_FAILED:
		return EXIT_SOME_FAILED;
	case MP_CLI_USAGE:
		return EXIT_USAGE;
	case MP_CLI_RADIO:
		return EXIT_RADIO;
	case MP_CLI_KEYRING:
		return EXIT_KEYRING;
	case MP_CLI_NOTHING:
		return EXIT_NOTHING;
	}
	return EXIT_SOME_FAILED;
}

/* The global options: getopt, --help, and --dump-commands all read this. */
struct gopt {
	const char *name;
	int key;			/* short option letter, or a code above 255 */
	const char *arg;		/* metavariable, NULL for a flag */
	enum mp_cli_compl compl;
	const char *words;
	const char *help;		/* NULL: hidden */
};

enum {
	OPT_JSON = 256, OPT_SIM, OPT_SIM_OOB, OPT_SIM_LOSS, OPT_SIM_DUP, OPT_SIM_DELAY,
	OPT_SIM_SEED, OPT_PASS_FD, OPT_PASS_FILE, OPT_ASK_PASS, OPT_WAIT_LOCK,
	OPT_OOB_CMD, OPT_KEEP_GOING, OPT_DUMP, OPT_SIM_BEARER, OPT_BEARER, OPT_NO_LE_ON, OPT_COMPLETE,
	OPT_SIM_STRAY,
};

static const struct gopt gopts[] = {
	{ "index", 'i', "N|hciN", MP_COMPL_NONE, NULL,
	  "controller to use (default: the first LE controller that is up)" },
	{ "keyring", 'k', "PATH", MP_COMPL_FILE, NULL,
	  "keyring file (default: $MESHPROV_KEYRING, else $XDG_DATA_HOME/meshprov/keyring.json)" },
	{ "file", 'f', "FILE", MP_COMPL_FILE, NULL,
	  "run the commands in FILE ('-': stdin), stopping at the first failure" },
	{ "keep-going", OPT_KEEP_GOING, NULL, MP_COMPL_NONE, NULL,
	  "with -f or a script on stdin: go on after a failed command" },
	{ "passphrase-fd", OPT_PASS_FD, "N", MP_COMPL_NONE, NULL,
	  "read the keyring passphrase from file descriptor N" },
	{ "passphrase-file", OPT_PASS_FILE, "FILE", MP_COMPL_FILE, NULL,
	  "read the keyring passphrase from FILE" },
	{ "ask-passphrase", OPT_ASK_PASS, NULL, MP_COMPL_NONE, NULL,
	  "ask for the keyring passphrase on the terminal" },
	{ "wait-lock", OPT_WAIT_LOCK, NULL, MP_COMPL_NONE, NULL,
	  "wait while another meshprov holds the keyring, instead of failing "
	  "(--wait-lock=SECONDS: at most that long)" },
	{ "no-le-on", OPT_NO_LE_ON, NULL, MP_COMPL_NONE, NULL,
	  "leave the kernel's LE setting of the controller as it is (PB-GATT needs it on)" },
	{ "json", OPT_JSON, NULL, MP_COMPL_NONE, NULL, "one JSON object per line, for scripts" },
	{ "oob-cmd", OPT_OOB_CMD, "CMD", MP_COMPL_FILE, NULL,
	  "helper for Output/Input OOB outside the shell: CMD UUID METHOD ACTION SIZE" },
	{ "bearer", OPT_BEARER, "BEARER", MP_COMPL_WORDS, "adv gatt",
	  "how the configuration commands reach the nodes: adv (default) or gatt "
	  "(through a GATT Proxy node of the network)" },
	{ "sim", OPT_SIM, "N", MP_COMPL_NONE, NULL,
	  "use N simulated devices instead of a controller" },
	{ "sim-oob", OPT_SIM_OOB, "METHOD", MP_COMPL_WORDS, "none static output input",
	  "what the simulated devices support: none, static, output or input" },
	{ "sim-bearer", OPT_SIM_BEARER, "BEARER", MP_COMPL_WORDS, "adv gatt both mixed",
	  "what the simulated devices offer: adv, gatt, both or mixed (half each)" },
	{ "sim-loss", OPT_SIM_LOSS, "PCT", MP_COMPL_NONE, NULL, "simulated radio: loss in percent" },
	{ "sim-dup", OPT_SIM_DUP, "PCT", MP_COMPL_NONE, NULL,
	  "simulated radio: duplicates in percent" },
	{ "sim-delay", OPT_SIM_DELAY, "MS", MP_COMPL_NONE, NULL,
	  "simulated radio: random delay up to MS milliseconds" },
	{ "sim-seed", OPT_SIM_SEED, "N", MP_COMPL_NONE, NULL,
	  "simulator: reproducible radio and device UUIDs from seed N" },
	{ "sim-stray", OPT_SIM_STRAY, NULL, MP_COMPL_NONE, NULL,
	  "simulator, for tests: nodes send each Configuration Status twice, then one not asked for" },
	{ "concurrency", 'j', "N", MP_COMPL_NONE, NULL, "devices provisioned at once (default 16)" },
	{ "timeout", 't', "S", MP_COMPL_NONE, NULL,
	  "give up after S seconds (provision: 120, scan: 10)" },
	{ "verbose", 'v', NULL, MP_COMPL_NONE, NULL, "show each phase (twice: every beacon)" },
	{ "quiet", 'q', NULL, MP_COMPL_NONE, NULL, "print only failures, errors and the summary" },
	{ "version", 'V', NULL, MP_COMPL_NONE, NULL, "print the version" },
	{ "help", 'h', NULL, MP_COMPL_NONE, NULL, "this help" },
	{ "dump-commands", OPT_DUMP, NULL, MP_COMPL_NONE, NULL, NULL },
	/* --complete KIND [WORD...]: the generated completions' callback */
	{ "complete", OPT_COMPLETE, NULL, MP_COMPL_NONE, NULL, NULL },
};

#define NGOPTS (sizeof(gopts) / sizeof(gopts[0]))

static void usage(FILE *fp)
{
	char head[64];
	size_t i;

	fprintf(fp, "Usage: meshprov [OPTIONS] [COMMAND [ARGS]]\n"
		"A Bluetooth Mesh provisioner over a raw HCI socket (PB-ADV) and GATT (PB-GATT).\n"
		"Without a command: the interactive shell on a terminal, else the commands\n"
		"read from stdin.\n\nOptions:\n");
	for (i = 0; i < NGOPTS; i++) {
		const struct gopt *g = &gopts[i];

		if (!g->help)
			continue;
		snprintf(head, sizeof(head), "%c%c%s--%s%s%s", g->key < 256 ? '-' : ' ',
			 g->key < 256 ? g->key : ' ', g->key < 256 ? ", " : "  ", g->name,
			 g->arg ? " " : "", g->arg ? g->arg : "");
		fprintf(fp, "  %-26s %s\n", head, g->help);
	}
	fputc('\n', fp);
	mp_cli_help(fp, 0, NULL);
	fprintf(fp, "\nExit status: 0 done, 1 some devices failed, 2 usage error, 3 controller or\n"
		"permission problem, 4 keyring problem. See meshprov(1).\n"
		"The simulated devices' static OOB value is 00112233445566778899aabbccddeeff.\n");
}

static void dump_commands(void)
{
	static const char *compl[] = {
		[MP_COMPL_NONE] = "none", [MP_COMPL_WORDS] = "words", [MP_COMPL_FILE] = "file",
	};
	struct json_object *top = json_object_new_object(), *g = json_object_new_array();
	size_t i;

	for (i = 0; i < NGOPTS; i++) {
		struct json_object *j;
		char s[3] = { '-', (char)gopts[i].key, 0 };

		if (!gopts[i].help)
			continue;
		j = json_object_new_object();
		json_object_object_add(j, "name", json_object_new_string(gopts[i].name));
		json_object_object_add(j, "short", json_object_new_string(gopts[i].key < 256 ? s : ""));
		json_object_object_add(j, "arg", gopts[i].arg ? json_object_new_string(gopts[i].arg) :
				       NULL);
		json_object_object_add(j, "complete", json_object_new_string(compl[gopts[i].compl]));
		json_object_object_add(j, "words",
				       json_object_new_string(gopts[i].words ? gopts[i].words : ""));
		json_object_object_add(j, "help", json_object_new_string(gopts[i].help));
		json_object_array_add(g, j);
	}
	json_object_object_add(top, "globals", g);
	json_object_object_add(top, "commands", mp_cli_commands_json());
	printf("%s\n", json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

static int parse_num(const char *s, unsigned int max, unsigned int *out)
{
	uint32_t v;

	if (mp_cli_parse_uint(s, max, &v) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Options into @a; returns -1 to go on, else the exit code. */
static int parse_options(struct mp_cli_app *a, int argc, char **argv)
{
	struct option longopts[NGOPTS + 1];
	const char *sim_opt = NULL;	/* the first --sim-* option given */
	char shortopts[64] = "+";
	size_t i, s = 1;
	unsigned int v;
	int c;

	for (i = 0; i < NGOPTS; i++) {
		longopts[i] = (struct option){ gopts[i].name, gopts[i].arg ? required_argument :
					       no_argument, NULL, gopts[i].key };
		if (gopts[i].key == OPT_WAIT_LOCK)	/* --wait-lock[=SECONDS] */
			longopts[i].has_arg = optional_argument;
		if (gopts[i].key < 256) {
			shortopts[s++] = (char)gopts[i].key;
			if (gopts[i].arg)
				shortopts[s++] = ':';
		}
	}
	memset(&longopts[NGOPTS], 0, sizeof(longopts[0]));
	shortopts[s] = '\0';
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (!sim_opt && (c == OPT_SIM_OOB || c == OPT_SIM_BEARER || c == OPT_SIM_LOSS ||
				 c == OPT_SIM_DUP || c == OPT_SIM_DELAY || c == OPT_SIM_SEED ||
				 c == OPT_SIM_STRAY)) {
			for (i = 0; gopts[i].key != c; i++)
				;
			sim_opt = gopts[i].name;
		}
		switch (c) {
		case 'i':
			if (parse_num(strncmp(optarg, "hci", 3) ? optarg : optarg + 3, 1023, &v) < 0)
				goto bad;
			a->o.index = (int)v;
			break;
		case 'k':
			a->o.keyring = optarg;
			break;
		case 'f':
			a->o.file = optarg;
			break;
		case OPT_KEEP_GOING:
			a->o.keep_going = true;
			break;
		case OPT_NO_LE_ON:
			a->o.no_le_on = true;
			break;
		case OPT_JSON:
			a->o.json = true;
			break;
		case OPT_OOB_CMD:
			if (!*optarg)
				goto bad;
			a->o.oob_cmd = optarg;
			break;
		case OPT_SIM:
			if (parse_num(optarg, 1000, &a->o.sim) < 0 || a->o.sim == 0)
				goto bad;
			break;
		case OPT_BEARER:
			if (strcmp(optarg, "adv") == 0)
				a->o.net_gatt = false;
			else if (strcmp(optarg, "gatt") == 0)
				a->o.net_gatt = true;
			else
				goto bad;
			break;
		case OPT_SIM_BEARER:
			if (strcmp(optarg, "adv") == 0)
				a->o.sim_bearer = MP_SIM_BEARER_ADV;
			else if (strcmp(optarg, "gatt") == 0)
				a->o.sim_bearer = MP_SIM_BEARER_GATT;
			else if (strcmp(optarg, "both") == 0)
				a->o.sim_bearer = MP_SIM_BEARER_BOTH;
			else if (strcmp(optarg, "mixed") == 0)
				a->o.sim_bearer = MP_SIM_BEARER_MIXED;
			else
				goto bad;
			break;
		case OPT_SIM_OOB:
			if (strcmp(optarg, "none") == 0)
				a->o.sim_oob = MP_SIM_OOB_NONE;
			else if (strcmp(optarg, "static") == 0)
				a->o.sim_oob = MP_SIM_OOB_STATIC;
			else if (strcmp(optarg, "output") == 0)
				a->o.sim_oob = MP_SIM_OOB_OUTPUT;
			else if (strcmp(optarg, "input") == 0)
				a->o.sim_oob = MP_SIM_OOB_INPUT;
			else
				goto bad;
			break;
		case OPT_SIM_LOSS:
			if (parse_num(optarg, 100, &a->o.sim_loss) < 0)
				goto bad;
			break;
		case OPT_SIM_DUP:
			if (parse_num(optarg, 100, &a->o.sim_dup) < 0)
				goto bad;
			break;
		case OPT_SIM_DELAY:
			if (parse_num(optarg, 60000, &a->o.sim_delay) < 0)
				goto bad;
			break;
		case OPT_PASS_FD: {
			unsigned int fd;

			if (parse_num(optarg, 1023, &fd) < 0)
				goto bad;
			a->o.pass.fd = (int)fd;
			break;
		}
		case OPT_PASS_FILE:
			a->o.pass.file = optarg;
			break;
		case OPT_ASK_PASS:
			a->o.pass.ask = true;
			break;
		case OPT_WAIT_LOCK:
			a->o.wait_lock = true;
			if (optarg && (parse_num(optarg, 86400, &a->o.wait_lock_s) < 0 ||
				       !a->o.wait_lock_s))
				goto bad;
			break;
		case OPT_SIM_SEED:
			if (parse_num(optarg, 0xffffffffu, &a->o.sim_seed) < 0)
				goto bad;
			break;
		case 'j':
			if (parse_num(optarg, 64, &a->o.concurrency) < 0 || a->o.concurrency == 0)
				goto bad;
			break;
		case 't':
			if (parse_num(optarg, 86400, &a->o.timeout_s) < 0 || a->o.timeout_s == 0)
				goto bad;
			break;
		case 'v':
			a->o.verbose = a->o.verbose < 0 ? 1 : a->o.verbose + 1;
			break;
		case 'q':
			a->o.verbose = -1;
			break;
		case 'V':
			printf("meshprov %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_DUMP:
			dump_commands();
			return EXIT_OK;
		case OPT_SIM_STRAY:
			a->o.sim_stray = true;
			break;
		case OPT_COMPLETE:
			a->o.complete = true;
			break;
		default:
			fprintf(stderr, "Try 'meshprov --help'.\n");
			return EXIT_USAGE;
		}
	}
	/* A --sim-* option alone would be ignored on a real controller, and a
	 * script believed to run on simulated devices would not. */
	if (sim_opt && !a->o.sim) {
		fprintf(stderr, "meshprov: --%s describes simulated devices: give --sim N too\n",
			sim_opt);
		return EXIT_USAGE;
	}
	return -1;
bad:
	for (i = 0; i < NGOPTS && gopts[i].key != c; i++)
		;
	{
		char shown[MP_CLI_SHOW_BUF];

		fprintf(stderr, "meshprov: invalid value '%s' for option --%s. Try 'meshprov "
			"--help'.\n", mp_cli_show(optarg, shown, sizeof(shown)),
			i < NGOPTS ? gopts[i].name : "?");
	}
	return EXIT_USAGE;
}

static enum mp_cli_status run_file(struct mp_cli_app *a)
{
	enum mp_cli_status st;
	FILE *fp = stdin;

	if (a->o.file && strcmp(a->o.file, "-") != 0) {
		fp = fopen(a->o.file, "re");
		if (!fp) {
			fprintf(stderr, "meshprov: cannot read %s: %s\n", a->o.file, strerror(errno));
			return MP_CLI_USAGE;
		}
	}
	st = mp_cli_script_run(a, fp, fp == stdin ? "stdin" : a->o.file);
	if (fp != stdin)
		fclose(fp);
	return st;
}

int main(int argc, char **argv)
{
	struct mp_cli_app a = { .o = { .index = -1, .concurrency = MP_ENGINE_DEFAULT_SESSIONS,
				       .pass = { .fd = -1 } } };
	enum mp_cli_status st;
	int rc;

	no_core_dumps();	/* first: before any key is read */
	mp_cli_privs_start();	/* nothing effective until a kernel call needs it */
	rc = parse_options(&a, argc, argv);
	if (rc >= 0)
		return rc;
	if (a.o.complete)	/* reads the keyring only: no radio, no privileges */
		return mp_cli_complete_main(a.o.keyring, argc - optind, argv + optind);
	if (a.o.file && optind < argc) {
		fprintf(stderr, "meshprov: give -f FILE or a command, not both\n");
		return EXIT_USAGE;
	}
	if (optind < argc)
		a.mode = MP_CLI_ONESHOT;
	else if (!a.o.file && isatty(STDIN_FILENO))
		a.mode = MP_CLI_SHELL;
	else
		a.mode = MP_CLI_SCRIPT;
	mp_cli_privs_settle(&a, argc - optind, argv + optind);
	mp_out_init(&a.out, stdout, a.o.json, a.o.verbose);
	if (mp_cli_app_init(&a) < 0) {
		fprintf(stderr, "meshprov: out of memory\n");
		return EXIT_SOME_FAILED;
	}
	st = MP_CLI_USAGE;	/* every mode is set below; the compiler cannot see it */
	switch (a.mode) {
	case MP_CLI_ONESHOT:
		st = mp_cli_execute(&a, argc - optind, argv + optind);
		break;
	case MP_CLI_SHELL:
		st = mp_shell_run(&a);
		break;
	case MP_CLI_SCRIPT:
		st = run_file(&a);
		break;
	}
	mp_cli_app_free(&a);
	rc = exit_code(&a, st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("meshprov: stdout");
		return rc ? rc : EXIT_SOME_FAILED;
	}
	return rc;
}
