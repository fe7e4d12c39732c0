/* The provisioner's network of a run (src/cli/cmd_config.c), shared by the
 * commands that talk to nodes: the single-request Configuration commands
 * own it; others (configure) borrow its link and hear the device-key
 * answers first.
 */
#ifndef MP_CLI_NET_H
#define MP_CLI_NET_H

#include <stdbool.h>

#include "cli/app.h"
#include "mesh/stack.h"

struct mp_mesh_link;

/** The keyring, the radio and the network up (made once per run); the
 *  failures explained. */
enum mp_cli_status mp_cli_net_up(struct mp_cli_app *a);

/** The network's link (mesh_link.h), once mp_cli_net_up() succeeded; else NULL. */
struct mp_mesh_link *mp_cli_net_link(struct mp_cli_app *a);

/**
 * Give every message for us to @tap first (@tap NULL: nobody): it returns
 * true when it took the message, which then goes no further. One tap at a
 * time; the command that set it clears it before it returns.
 */
void mp_cli_net_tap(struct mp_cli_app *a, bool (*tap)(void *user, const struct mp_mesh_rx_msg *m),
		    void *user);

#endif
