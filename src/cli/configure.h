/* provision --configure (src/cli/cmd_configure.c): each device configured
 * with a profile as soon as it is provisioned, in the same run, while the
 * next devices are provisioned (issue #14).
 */
#ifndef MP_CLI_CONFIGURE_H
#define MP_CLI_CONFIGURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/app.h"
#include "cli/batchfile.h"
#include "cli/commands.h"

/**
 * Before a provisioning job starts: read and check the profile @path
 * against the keyring (its errors named, nothing done), bring the network
 * up and hook the job's provisioned devices (a->provisioned). MP_CLI_OK,
 * or the status to end the command with.
 */
enum mp_cli_status mp_cli_configure_begin(struct mp_cli_app *a, const struct mp_cli_args *args,
					  const char *path);

/**
 * Configure the node at @addr too (a device of the batch file already
 * provisioned by an earlier run): its batch row's @cols.
 */
void mp_cli_configure_node(struct mp_cli_app *a, uint16_t addr,
			   const struct mp_cli_column *cols, size_t ncols);

/**
 * After the job: wait until every node handed over is configured (or the
 * run is interrupted), print the summary, unhook, free. Returns the worse
 * of @prov (the job's status) and the configuration's.
 */
enum mp_cli_status mp_cli_configure_end(struct mp_cli_app *a, enum mp_cli_status prov);

/**
 * The shell's Ctrl-C: end the configure run going on in the background
 * now, its nodes left as they are (each answer received is recorded in the
 * keyring already, so the next configure resumes); its summary and report
 * say "interrupted". False when no run goes on.
 */
bool mp_cli_configure_stop(struct mp_cli_app *a);

/** Stop a configure run going on in the shell (when the program ends),
 *  its nodes left as they are; nothing running is fine. */
void mp_cli_configure_free(struct mp_cli_app *a);

#endif
