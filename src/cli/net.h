/* The provisioner's network and Configuration Client as the CLI runs them
 * (src/cli/cmd_config.c), for commands in other files that drive their own
 * procedure over it (cmd_netkey.c's Key Refresh): one network per run,
 * made on first use, its answers handed to the command that asked.
 */
#ifndef MP_CLI_NET_H
#define MP_CLI_NET_H

#include <stdint.h>

#include "cli/app.h"
#include "config/client.h"

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

#endif
