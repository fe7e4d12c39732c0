/* The kernel's LE setting of the controller meshprov takes (issue 16).
 *
 * PB-GATT needs LE connections, which Linux refuses on a dual-mode
 * controller whose LE setting is off (a dongle brought up with `hciconfig
 * hci0 up` while bluetoothd is stopped: bluetoothd is what turns it on).
 * So before anything is sent, a run that may use PB-GATT reads the setting
 * through the management interface (hci/mgmt.h) and, when it is off, turns
 * it on as bluetoothd would and says so. Nothing is restored at the end:
 * bluetoothd, which would own the setting, is stopped, and LE on is what
 * the user needs from the controller (it changes nothing for BR/EDR).
 *
 * With --no-le-on, or without CAP_NET_ADMIN (the kernel then refuses Set
 * Low Energy), the setting stays as it is: a run that needs PB-GATT
 * (--bearer gatt) stops before scanning, naming `btmgmt --index N le on`
 * (exit 3); one that only may (--bearer auto, the shell) goes on, and says
 * so with -v. Where the management interface cannot be used at all, -v says
 * so and the run goes on as without the check.
 */
#ifndef MP_CLI_LE_H
#define MP_CLI_LE_H

#include <stdbool.h>

#include "cli/app.h"
#include "hci/hci.h"

/**
 * Set @cfg's le, le_required, admin and le_report (= @rep) for @a's run:
 * a->le_need (the shell and scripts at least MP_CLI_LE_MAY), --no-le-on.
 */
void mp_cli_le_config(const struct mp_cli_app *a, struct mp_hci_config *cfg,
		      struct mp_hci_le_report *rep);

/**
 * After the radio was opened with @rep (mp_hci_radio_open()'s result
 * @err): say what was found and done, once. Returns true when @err is the
 * LE setting's refusal (-ENOPROTOOPT), which is then said in full (the
 * caller returns MP_CLI_RADIO).
 */
bool mp_cli_le_said(struct mp_cli_app *a, int err, const struct mp_hci_le_report *rep);

#endif
