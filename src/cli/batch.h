/* Scripted use: batch files of devices, command files, and the --oob-cmd
 * helper that answers Output and Input OOB when no person is at a prompt.
 */
#ifndef MP_CLI_BATCH_H
#define MP_CLI_BATCH_H

#include <stdio.h>

#include "cli/app.h"
#include "cli/batchfile.h"
#include "cli/parse.h"

/**
 * Read the batch file @path (at most 1 MiB) into @b (cli/batchfile.h): its
 * rows and its problems, none printed yet, so that the caller can add the
 * keyring's. MP_CLI_USAGE (said through @o) when the file cannot be read,
 * MP_CLI_FAILED without memory; release @b with mp_cli_batch_clear().
 */
enum mp_cli_status mp_cli_batch_load(struct mp_out *o, const char *path, struct mp_cli_batch *b);

/**
 * Print the problems of @b (mp_out_error(): stderr, and events with --json) in line order, as "FILE: line N:
 * problem", then that nothing was done.
 */
void mp_cli_batch_report(struct mp_out *o, const char *path, struct mp_cli_batch *b);

/**
 * Run the OOB helper @cmd for the OOB event @ev (MP_SESSION_OOB_OUTPUT or
 * MP_SESSION_OOB_INPUT) in the background, as
 *   sh -c 'CMD "$@"' meshprov-oob UUID METHOD ACTION SIZE
 * (also in MESHPROV_UUID, MESHPROV_METHOD, MESHPROV_ACTION, MESHPROV_SIZE);
 * the Input OOB value is in MESHPROV_VALUE only, never an argument, which
 * any local user could read in /proc/PID/cmdline. For Output OOB the first
 * line it prints is the value typed for the device. A helper that fails,
 * prints nothing for Output OOB or takes longer than the protocol allows
 * cancels that device.
 * Returns 0 or -errno (the caller cancels the device).
 */
int mp_cli_helper_start(struct mp_cli_app *a, const char *cmd,
			const struct mp_session_event *ev);
/** The device @uuid is finished: stop its helper, if one runs. */
void mp_cli_helper_forget(struct mp_cli_app *a, const uint8_t uuid[16], bool success);
/** Stop every helper. */
void mp_cli_helpers_free(struct mp_cli_app *a);

/**
 * Run the commands of @fp (named @name in messages) one per line. Stops at
 * the first command that fails, unless --keep-going; Ctrl-C stops too.
 * Returns the status of the failure (the first one with --keep-going), or
 * MP_CLI_OK.
 */
enum mp_cli_status mp_cli_script_run(struct mp_cli_app *a, FILE *fp, const char *name);

#endif
