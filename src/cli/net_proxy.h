/* --bearer gatt: the configuration commands reach the nodes through a GATT
 * Proxy connection (engine/proxy_link.h) instead of the advertising bearer.
 *
 * The proxy is found by listening for Mesh Proxy Service advertisements
 * (MshPRT v1.1 7.2.2.2): a Network ID of one of the keyring's NetKeys, or a
 * Node Identity of one of its nodes; the first one heard is connected to,
 * its proxy filter set up as an accept list of our address (6.6, 6.7), and
 * the provisioner's network (engine/mesh_link.h) sends every Network PDU
 * through it and takes what comes back. Reported as the events
 * "proxy-connected" and "proxy-disconnected". While the connection is down
 * nothing is sent (the requests fail with "no answer" rather than going
 * out on another bearer than the one asked for); the next command
 * connects again.
 *
 * Outside the shell connecting waits (the loop runs) until the connection
 * is up or failed; in the shell it goes on in the background and the
 * requests of the command wait for it through the Configuration Client's
 * retries. Nothing is run from inside a loop callback (HACKING.md).
 */
#ifndef MP_CLI_NET_PROXY_H
#define MP_CLI_NET_PROXY_H

#include <stdbool.h>

#include "cli/app.h"

struct mp_mesh_link;

/* How long a proxy of the network is listened for, unless -t says. */
#define MP_CLI_PROXY_FIND_S 10

/**
 * With --bearer gatt, have the network @ml go through a GATT Proxy
 * connection: nothing to do when it is up; else find one and connect
 * (outside the shell: wait for it). MP_CLI_OK (also without --bearer gatt),
 * MP_CLI_FAILED with the reason said (no proxy heard, the connection could
 * not be made or set up), MP_CLI_RADIO, MP_CLI_INTERRUPTED.
 */
enum mp_cli_status mp_cli_proxy_need(struct mp_cli_app *a, struct mp_mesh_link *ml);

/** True while a GATT Proxy connection carries the network. */
bool mp_cli_proxy_up(const struct mp_cli_app *a);

/** Close the connection (no event) and free; before the network is freed. */
void mp_cli_proxy_free(struct mp_cli_app *a);

#endif
