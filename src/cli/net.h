/* The provisioner's network of a run (src/cli/cmd_config.c), shared by the
 * commands that talk to nodes: the single-request Configuration commands
 * own it; others borrow it: cmd_netkey.c's Key Refresh submits its own
 * requests through its Configuration Client, and configure borrows its link
 * and hears the device-key answers first. One network per run, made on
 * first use.
 */
#ifndef MP_CLI_NET_H
#define MP_CLI_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/app.h"
#include "config/client.h"
#include "mesh/stack.h"

struct mp_mesh_link;

/** The answer to a request submitted with mp_cli_net_submit(): called
 *  from the loop, instead of the default printing and recording; it may
 *  submit more requests. */
typedef void (*mp_cli_net_done_fn)(struct mp_cli_app *a, void *user,
				   const struct mp_cfg_client_result *r);

/** The keyring, the radio and the network up (made once per run); the
 *  status explains a failure on stderr. */
enum mp_cli_status mp_cli_net_need(struct mp_cli_app *a);

/** The network's link (engine/mesh_link.h); NULL before mp_cli_net_need(). */
struct mp_mesh_link *mp_cli_net_link(struct mp_cli_app *a);

/**
 * Queue request @r to its node through the Configuration Client (its
 * retries and parallelism); its end goes to @fn with @user. Returns the
 * request's id (> 0) or mp_cfg_client_submit()'s error (-EINVAL without
 * a network).
 */
int64_t mp_cli_net_submit(struct mp_cli_app *a, const struct mp_cfg_client_req *r,
			  mp_cli_net_done_fn fn, void *user);

/**
 * Give every message for us to @tap first (@tap NULL: nobody): it returns
 * true when it took the message, which then goes no further. One tap at a
 * time; the command that set it clears it before it returns.
 */
void mp_cli_net_tap(struct mp_cli_app *a, bool (*tap)(void *user, const struct mp_mesh_rx_msg *m),
		    void *user);

#endif
