/* The interactive shell: GNU readline's callback interface on the one event
 * loop, history in $XDG_STATE_HOME/meshprov/history, completion from the
 * command table and from what the program knows (devices heard, nodes,
 * keys), events printed above the prompt without disturbing the line being
 * typed, OOB questions on the prompt (cli/oobprompt.h: a->oob), Ctrl-C
 * cancelling provisioning, Ctrl-D leaving.
 */
#ifndef MP_CLI_SHELL_H
#define MP_CLI_SHELL_H

#include <stddef.h>
#include <stdint.h>

#include "cli/app.h"

struct mp_shell;

/** Run the shell on the terminal until quit, Ctrl-D or SIGTERM. */
enum mp_cli_status mp_shell_run(struct mp_cli_app *a);

/**
 * The history file: $XDG_STATE_HOME/meshprov/history when XDG_STATE_HOME is
 * an absolute path, else $HOME/.local/state/meshprov/history. 0, or -ENOENT
 * (neither set), -ENAMETOOLONG.
 */
int mp_shell_history_path(const char *xdg_state_home, const char *home, char *out, size_t cap);

#endif
