/* The meshprov program's state: options, the loop, the keyring, the radio
 * (a controller or the simulator), the engine, and the provisioning jobs the
 * user asked for. The CLI is the one layer allowed a process-wide object:
 * main() owns one struct mp_cli_app and hands it to everything in cli/.
 *
 * A job is one `provision` command: explicit devices (UUID or #N, each with
 * its options) or every device heard (--all). A device of a job is started
 * when it is in the scan table (now, or when its beacon comes), several at
 * once up to the concurrency limit; the job ends when every device is done,
 * or when its timeout expires (devices never seen fail as "not-found").
 * In the shell jobs run in the background; in scripts and one-shot runs the
 * command waits for its job.
 */
#ifndef MP_CLI_APP_H
#define MP_CLI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/output.h"
#include "cli/passphrase.h"
#include "cli/parse.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "sim/radio.h"

struct mp_keyring;
struct mp_hci_radio;
struct mp_shell;
struct mp_cli_net;
struct mp_oob_prompt;
struct mp_cli_proxy;

/* What a command handler returns; main.c turns it into the exit code. */
enum mp_cli_status {
	MP_CLI_OK = 0,		/* done */
	MP_CLI_FAILED,		/* some device failed, was not found, or was cancelled */
	MP_CLI_USAGE,		/* bad command, arguments or input file */
	MP_CLI_RADIO,		/* no controller, no permission, controller lost */
	MP_CLI_KEYRING,		/* the keyring could not be opened, read or written */
	MP_CLI_QUIT,		/* the shell should end (quit) */
	MP_CLI_INTERRUPTED,	/* Ctrl-C or SIGTERM outside the shell: exit 128 + signal */
	MP_CLI_NOTHING,		/* provision --all heard no device to provision */
};

/* Whether the run may make LE connections (PB-GATT), which the kernel's
 * LE setting decides (cli/le.h): what the radio is opened with. */
enum mp_cli_le_need {
	MP_CLI_LE_NONE = 0,	/* PB-ADV and the advertising bearer only */
	MP_CLI_LE_MAY,		/* --bearer auto, the shell, a script */
	MP_CLI_LE_MUST,		/* --bearer gatt */
};

enum mp_cli_mode {
	MP_CLI_ONESHOT,		/* meshprov COMMAND ARGS */
	MP_CLI_SCRIPT,		/* -f FILE, or commands on a non-terminal stdin */
	MP_CLI_SHELL,		/* the interactive shell */
};

struct mp_cli_opts {
	const char *keyring;
	int index;			/* -1: default controller */
	bool json;
	int verbose;			/* -1: -q; 0: results and progress; 1: -v phases; 2: -vv */
	unsigned int sim;		/* simulated devices; 0: a real controller */
	enum mp_sim_oob sim_oob;
	enum mp_sim_bearer sim_bearer;
	unsigned int sim_loss, sim_dup, sim_delay;
	unsigned int sim_seed;		/* 0: random UUIDs */
	bool sim_stray;			/* --sim-stray: stray Configuration answers (tests) */
	unsigned int concurrency;
	unsigned int timeout_s;		/* 0: the command's default */
	const char *oob_cmd;		/* --oob-cmd before the command: every job's helper */
	const char *file;		/* -f */
	bool keep_going;
	bool complete;			/* --complete KIND [WORD...]: print candidates, exit */
	struct mp_cli_passphrase_src pass;	/* keyring passphrase source */
	bool wait_lock;			/* wait for another meshprov's keyring lock */
	unsigned int wait_lock_s;	/* --wait-lock=SECONDS; 0: as long as it takes */
	bool net_gatt;			/* --bearer gatt: the network through a GATT Proxy */
	bool no_le_on;			/* leave the kernel's LE setting as it is (cli/le.h) */
};

enum mp_cli_target_state {
	MP_TARGET_WAITING,	/* not seen yet, or no free session */
	MP_TARGET_RUNNING,
	MP_TARGET_DONE,
	MP_TARGET_FAILED,
};

struct mp_cli_target {
	unsigned int job;
	struct mp_cli_device_ref ref;	/* by UUID, or #N until seen */
	bool have_uuid;
	struct mp_provision_opts opts;	/* .name is set from name[] when starting */
	char name[MP_CLI_NAME_MAX + 1];
	unsigned int line;		/* batch file line, 0 if none */
	char output[9];			/* Output OOB value from the batch file, or "" */
	struct mp_cli_column *columns;	/* the batch row's extra columns (owned), or NULL */
	size_t ncolumns;
	enum mp_cli_target_state state;
	enum mp_engine_fail reason;	/* FAILED: why */
};

struct mp_cli_job {
	unsigned int id;
	bool active;
	bool all;			/* every unprovisioned device heard */
	unsigned int want;		/* --all: devices to finish (0: until the timeout) */
	struct mp_provision_opts all_opts;
	char *oob_cmd;			/* this command's --oob-cmd (owned), or NULL */
	unsigned int provisioned, failed;
	unsigned int cancelled_devices;	/* of failed: cancelled (Ctrl-C, cancel) */
	bool timed_out, cancelled;
	int64_t timer;
	/* --all: stop taking devices after this many failures in a row (0:
	 * never), so that a run cannot be kept failing for ever by devices
	 * that keep answering and failing (issue 12). */
	unsigned int max_failures, failures_in_row;
	bool stopped;
	/* --all: the tray is done once idle_s seconds pass with no device of
	 * the job running and no new one heard (a real controller cannot
	 * know how many devices are in range; the simulator follows the same
	 * rule). idle_timer is armed when a device starts or ends. */
	unsigned int idle_s;
	int64_t idle_timer;
	bool idle_over;
	unsigned int nodes_heard;	/* --all: devices heard that are our nodes already */
};

/* provision --all stops after this many failures in a row by default. */
#define MP_CLI_DEFAULT_MAX_FAILURES 5
/* provision --all ends after this many seconds with nothing new by default:
 * three intervals of a device sending its Unprovisioned Device beacon every
 * 5 s (Zephyr's default), so that one missed beacon does not end a tray. */
#define MP_CLI_DEFAULT_IDLE_S 15

struct mp_cli_helper;

struct mp_cli_app {
	struct mp_cli_opts o;
	enum mp_cli_mode mode;
	struct mp_out out;
	struct mp_loop *loop;
	struct mp_keyring *kr;
	struct mp_sim_radio *sim;
	struct mp_hci_radio *hci;
	int radio_status;		/* 1 while the controller starts */
	enum mp_cli_le_need le_need;	/* set before the radio opens (cli/le.h) */
	struct mp_engine *engine;
	bool engine_has_keyring;
	struct mp_cli_net *net;		/* the mesh network and Configuration Client, or NULL */
	void *kr_run;			/* a netkey refresh in progress (cmd_netkey.c), or NULL */
	struct mp_cli_proxy *proxy;	/* --bearer gatt: its GATT Proxy (net_proxy.h), or NULL */
	struct mp_shell *shell;		/* in the shell */
	/* the OOB questions put to a person: the shell's, or outside it on a
	 * terminal the program's own (cli/oobprompt.h); NULL: nobody to ask */
	struct mp_oob_prompt *oob;
	bool scanning;			/* scan on: show devices as they are heard */
	bool scan_off;			/* shell: the user switched discovery off */
	int64_t scan_timer;
	struct mp_cli_target *targets;
	size_t ntargets, cap_targets;
	struct mp_cli_job *jobs;
	size_t njobs;
	unsigned int next_job;
	struct mp_cli_helper *helpers;	/* --oob-cmd processes running */
	int interrupted;		/* Ctrl-C or SIGTERM outside the shell: the signal; 0 */
	/* --sim outside the shell: the loop's clock runs ahead by this much
	 * while a provision --all job waits with nothing in flight, so that
	 * the idle end costs no wall-clock time (see mp_cli_job_wait()) */
	uint64_t sim_skew_ms;
	bool sim_clock;
	/* the first keyring write error (a full disk): the run stops, exit 4 */
	bool kr_write_failed, kr_write_said;
	char kr_write_msg[2048];
	char kr_detail[256];
	bool radio_lost;
	/* provision --configure: told of each device as it is provisioned
	 * (src/cli/cmd_configure.c, src/cli/configure.h); NULL: none */
	void (*provisioned)(struct mp_cli_app *a, const struct mp_session_event *ev,
			    const struct mp_cli_target *t);
	void *configure;
	/* what a scan showed of each device, for [CHG] lines (beacon_shown()) */
	struct {
		uint8_t uuid[16];
		unsigned int bearers;
		uint16_t oob_info;
		bool has_uri;
		uint8_t uri[4];
	} seen[256];
	unsigned int nseen;
};

/** Set up the loop (and SIGINT/SIGTERM for scripts). 0 or -errno. */
int mp_cli_app_init(struct mp_cli_app *a);
/** Cancel what runs, close the radio and the keyring, free everything. */
void mp_cli_app_free(struct mp_cli_app *a);

/** Stop the mesh network and the Configuration Client (src/cli/cmd_config.c);
 *  with -v print their counters first. */
void mp_cli_net_free(struct mp_cli_app *a);
/** Open the keyring (creating it) if not open yet; explains failures on stderr. */
enum mp_cli_status mp_cli_need_keyring(struct mp_cli_app *a);
/**
 * For a command that only reads the keyring: as mp_cli_need_keyring(), but
 * a missing keyring is an error (naming the path and how a network is
 * created), never created; in one-shot mode the keyring is opened for
 * reading only (MP_KEYRING_RDONLY: a shared lock, none on read-only media).
 */
enum mp_cli_status mp_cli_read_keyring(struct mp_cli_app *a);
/** Open the radio and start the engine if not done yet; explains failures. */
enum mp_cli_status mp_cli_need_radio(struct mp_cli_app *a);

/**
 * A new job; returns its id (> 0), or 0 when out of memory. @oob_cmd is
 * the command's own --oob-cmd (NULL: the program's): the job keeps a copy,
 * so that nothing of one command's line outlives it or reaches the next.
 */
unsigned int mp_cli_job_new(struct mp_cli_app *a, bool all, unsigned int want,
			    const struct mp_provision_opts *all_opts, const char *oob_cmd);
/** Add a device to job @job. 0 or -ENOMEM. */
int mp_cli_target_add(struct mp_cli_app *a, unsigned int job, const struct mp_cli_device_ref *ref,
		      const struct mp_provision_opts *opts, const char *name, unsigned int line);
/** Start the job: its devices already heard start now; its timeout is armed. */
void mp_cli_job_start(struct mp_cli_app *a, unsigned int job, unsigned int timeout_s);
/** The job (NULL once forgotten). */
struct mp_cli_job *mp_cli_job_get(struct mp_cli_app *a, unsigned int job);
/** True when every device of the job is done, failed, or the job timed out. */
bool mp_cli_job_done(struct mp_cli_app *a, unsigned int job);
/**
 * Scripts and one-shot runs: run the loop until the job is done (or
 * interrupted), print its summary. MP_CLI_OK when every device was
 * provisioned, MP_CLI_FAILED otherwise, MP_CLI_RADIO when the controller
 * went away, MP_CLI_INTERRUPTED after Ctrl-C or SIGTERM, MP_CLI_NOTHING
 * when provision --all ended (idle or timeout) without hearing any device
 * to provision.
 */
enum mp_cli_status mp_cli_job_wait(struct mp_cli_app *a, unsigned int job);

/** After a keyring write error stopped the run: say it (once), with the OS's words. */
void mp_cli_kr_write_said(struct mp_cli_app *a);

/**
 * Cancel provisioning: the device @ref (NULL: everything), running or
 * waiting. Returns how many devices were cancelled.
 */
unsigned int mp_cli_cancel(struct mp_cli_app *a, const struct mp_cli_device_ref *ref);
/**
 * Tell the engine whether to listen: always outside the shell; in the
 * shell unless the user switched scanning off and nothing waits for a
 * device (running sessions are always heard, see mp_engine_set_discovery).
 */
void mp_cli_scan_update(struct mp_cli_app *a);

/** Devices running or waiting, over every job. */
unsigned int mp_cli_busy(const struct mp_cli_app *a);

/**
 * The OOB helper for the device @uuid being provisioned: its job's
 * --oob-cmd, else the program's, else NULL.
 */
const char *mp_cli_oob_cmd(const struct mp_cli_app *a, const uint8_t uuid[16]);

/** Output OOB: the user's answer for device @uuid; as mp_session_oob(), -ENOENT. */
int mp_cli_oob_answer(struct mp_cli_app *a, const uint8_t uuid[16], const char *text);

/** The scan table, or NULL before the radio is up. */
const struct mp_scan_table *mp_cli_scan_table(const struct mp_cli_app *a);

/** Run the loop for @ms milliseconds (scripts: `scan on 5`); false if interrupted. */
bool mp_cli_run_for(struct mp_cli_app *a, unsigned int ms);

#endif
