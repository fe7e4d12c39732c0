/* The radio on a real controller: the raw HCI transport (hci/hci.h) and
 * the kernel's L2CAP LE connections (hci/l2cap.h) behind struct mp_radio.
 * Advertising reports go to the radio's receiver (the engine), not to the
 * owner, who hears about the controller itself: ready, gone. */
#ifndef MP_RADIO_HCI_RADIO_H
#define MP_RADIO_HCI_RADIO_H

#include <stddef.h>

#include "core/loop.h"
#include "radio/radio.h"

struct mp_hci_radio_cb {
	/** Scanning runs (0), or the controller could not be set up (HCI status or -errno). */
	void (*ready)(void *user, int status);
	/** The controller went away (-ENODEV unplugged, -ENETDOWN down, -EIO);
	 *  the receiver's lost() follows. */
	void (*gone)(void *user, int err);
};

struct mp_hci_radio;
struct mp_hci_config;

/**
 * Open controller @index (-1: the first LE controller that is up). On
 * failure returns -errno and writes a message that names the fix into
 * @msg (no such controller, down, no permission, held by bluetoothd or
 * bluetooth-meshd, LE off in the kernel). @cfg (NULL: defaults) is given
 * to mp_hci_open(): its priv raises the capability the kernel checks
 * around the calls that need it and must outlive @out; its le, admin and
 * le_report deal with the kernel's LE setting (hci/hci.h).
 */
int mp_hci_radio_open(struct mp_loop *loop, int index, const struct mp_hci_config *cfg,
		      const struct mp_hci_radio_cb *cb, void *user, struct mp_hci_radio **out,
		      char *msg, size_t msglen);
/** Switch scanning and advertising off, restore the controller, free. NULL is fine. */
void mp_hci_radio_close(struct mp_hci_radio *r);
/** The radio as the engine sees it. */
struct mp_radio mp_hci_radio_radio(struct mp_hci_radio *r);
/** Advertising PDUs queued or on the air. */
size_t mp_hci_radio_pending(const struct mp_hci_radio *r);
/** The controller's index (hciN). */
int mp_hci_radio_index(const struct mp_hci_radio *r);
/** Turn an HCI status or -errno from ready() into a message with its fix. */
char *mp_hci_radio_hint(const struct mp_hci_radio *r, int status, char *msg, size_t msglen);

#endif
