/* The process's capabilities (issue 12, Privileges).
 *
 * meshprov is given what it needs as a file capability (the README:
 * `setcap cap_net_raw+p`) or inherits it as an ambient capability. What the
 * radio needs, measured on Linux 6.1 (tests/vm/scenarios/privs-caps.sh):
 * CAP_NET_RAW for the HCI commands (LE ones are all outside the kernel's
 * unprivileged list: EPERM at each send) and for an event filter that lets
 * the LE Meta event through (masked without it); nothing for the raw socket,
 * its bind to a controller, reading controller information or the L2CAP LE
 * connection (PB-GATT); CAP_NET_ADMIN to bring a controller up, which
 * meshprov does not do, and to change the kernel's settings of it through
 * the management interface: meshprov turns the LE setting on when it is
 * off and PB-GATT may be used (issue 16, cli/le.h), if it was given
 * CAP_NET_ADMIN (`setcap cap_net_raw,cap_net_admin+p`); else it says how.
 *
 * So: at start every capability leaves the effective, inheritable and
 * ambient sets; once the command is known, the permitted set keeps
 * CAP_NET_RAW (and CAP_NET_ADMIN, where given and not --no-le-on) for what
 * opens the radio and nothing otherwise (and the bounding set is emptied
 * when CAP_SETPCAP allows it). CAP_NET_RAW is raised into the effective
 * set only around each HCI command written and the event filter set
 * (hci/hci.h, struct mp_hci_priv), CAP_NET_ADMIN only around the bind() of
 * the management socket, and each is lowered after: while meshprov waits,
 * its effective set is empty. Once the controller is taken, CAP_NET_ADMIN
 * leaves the permitted set too. A helper (--oob-cmd) starts with no
 * capability at all.
 *
 * Run as root (euid 0), meshprov leaves its capabilities alone: root's file
 * access rests on them (a keyring in another user's directory), and the
 * least privilege is the setcap way.
 *
 * Raw capget/capset and prctl, not libcap: six fixed operations on two
 * 32-bit words per set do not need a library and its dependency.
 */
#ifndef MP_CLI_PRIVS_H
#define MP_CLI_PRIVS_H

#include "cli/app.h"
#include "hci/hci.h"

/**
 * First thing in main(): empty the effective, inheritable and ambient
 * sets, keeping the permitted one until the command is known. Nothing as
 * root. Failures are ignored: the process then has less, never more.
 */
void mp_cli_privs_start(void);

/**
 * Once the mode and the command are known: keep CAP_NET_RAW in the
 * permitted set when @a will open a controller (a one-shot command flagged
 * MP_CMD_RADIO, the shell, or a script; not with --sim), else nothing.
 * @argc/@argv: the one-shot command's words.
 */
void mp_cli_privs_settle(const struct mp_cli_app *a, int argc, char **argv);

/**
 * The hook that raises CAP_NET_RAW around the kernel calls that check it,
 * for struct mp_hci_config; NULL as root (nothing to raise).
 */
const struct mp_hci_priv *mp_cli_privs_hci(void);

/**
 * The hook that raises CAP_NET_ADMIN (when permitted) around the bind() of
 * the management socket, for struct mp_hci_config's admin; NULL as root.
 */
const struct mp_hci_priv *mp_cli_privs_admin(void);

/**
 * The controller is taken: CAP_NET_ADMIN leaves the permitted set for good
 * (it was kept only to turn the LE setting on when the radio opens).
 * Nothing as root.
 */
void mp_cli_privs_admin_done(void);

/**
 * In a forked child before exec (the --oob-cmd helper): every set emptied,
 * ambient cleared. Nothing as root. Async-signal-safe (system calls only).
 */
void mp_cli_privs_drop_all(void);

#endif
