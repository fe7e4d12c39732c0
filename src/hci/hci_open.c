/* Opening a real controller: the only code that touches Bluetooth sockets.
 * Kept small; everything above the fd is tested through mp_hci_new_fd(). */
#include "hci_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "hci/mgmt.h"

/* Each management command waits this long at most. Set LE on a powered
 * controller makes the kernel send a few HCI commands first (LE Host
 * Support, advertising data); its own timeout for each is 2 s. */
#define MGMT_TIMEOUT_MS 5000

static bool dev_up(const struct hci_dev_info *di)
{
	return di->flags & (1u << HCI_UP);
}

static bool dev_le(const struct hci_dev_info *di)
{
	return di->features[4] & LMP_LE;	/* LE Supported (Controller), bit 38 */
}

static int dev_info(int ctl, int index, struct hci_dev_info *di)
{
	memset(di, 0, sizeof(*di));
	di->dev_id = (uint16_t)index;
	return ioctl(ctl, HCIGETDEVINFO, di) < 0 ? -errno : 0;
}

static void filter_event(struct hci_filter *flt, unsigned int code)
{
	code &= 63;
	flt->event_mask[code >> 5] |= 1u << (code & 31);
}

/* The first controller that is up and LE-capable; else say why there is none. */
static int default_index(int ctl)
{
	struct hci_dev_list_req *dl;
	struct hci_dev_info di;
	int i, r = -ENODEV;

	dl = calloc(1, sizeof(*dl) + HCI_MAX_DEV * sizeof(struct hci_dev_req));
	if (!dl)
		return -ENOMEM;
	dl->dev_num = HCI_MAX_DEV;
	if (ioctl(ctl, HCIGETDEVLIST, dl) < 0) {
		r = -errno;
		free(dl);
		return r;
	}
	for (i = 0; i < dl->dev_num; i++) {
		if (dev_info(ctl, dl->dev_req[i].dev_id, &di) < 0)
			continue;
		if (!dev_up(&di)) {
			if (r == -ENODEV)
				r = -ENETDOWN;
			continue;
		}
		if (!dev_le(&di)) {
			r = -EOPNOTSUPP;
			continue;
		}
		r = di.dev_id;
		break;
	}
	free(dl);
	return r;
}

/*
 * The kernel's LE setting, before anything is sent (hci/mgmt.h). When the
 * management interface cannot be used, say why in the report and go on as
 * without it: a PB-GATT connection then says what is wrong (l2cap.h).
 */
static int le_setting(int index, const struct mp_hci_config *c)
{
	struct mp_hci_le_report rep = { .checked = true };
	int fd, err;

	err = mp_mgmt_open(c->admin, &fd);
	if (err) {
		rep.err = err;
	} else {
		mp_mgmt_le_ensure(fd, (uint16_t)index, c->le == MP_HCI_LE_ENABLE, MGMT_TIMEOUT_MS,
				  &rep);
		close(fd);
	}
	rep.index = index;
	if (c->le_report)
		*c->le_report = rep;
	return !rep.err && !rep.le_on && c->le_required ? -ENOPROTOOPT : 0;
}

int mp_hci_open(struct mp_loop *loop, int index, const struct mp_hci_config *config,
		const struct mp_hci_ops *ops, void *data, struct mp_hci **out)
{
	struct sockaddr_hci addr;
	struct hci_filter flt;
	struct hci_dev_info di;
	int fd, r;

	*out = NULL;
	fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, BTPROTO_HCI);
	if (fd < 0)
		return -errno;
	if (index < 0) {
		r = default_index(fd);
		if (r < 0)
			goto fail;
		index = r;
	}
	r = dev_info(fd, index, &di);
	if (r < 0)
		goto fail;
	r = !dev_up(&di) ? -ENETDOWN : !dev_le(&di) ? -EOPNOTSUPP : 0;
	if (r == 0 && config && config->le != MP_HCI_LE_LEAVE)
		r = le_setting(index, config);
	if (r < 0)
		goto fail;

	memset(&addr, 0, sizeof(addr));
	addr.hci_family = AF_BLUETOOTH;
	addr.hci_dev = (unsigned short)index;
	addr.hci_channel = HCI_CHANNEL_RAW;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto fail;
	}

	/* Only the events we use. The kernel tests bit (code & 63) of the
	 * 64-bit mask (net/bluetooth/hci_sock.c, HCI_FLT_EVENT_BITS). */
	memset(&flt, 0, sizeof(flt));
	flt.type_mask = 1u << HCI_EVENT_PKT;
	filter_event(&flt, MP_HCI_EVT_CMD_COMPLETE);
	filter_event(&flt, MP_HCI_EVT_CMD_STATUS);
	filter_event(&flt, MP_HCI_EVT_HW_ERROR);
	filter_event(&flt, MP_HCI_EVT_LE_META);
	filter_event(&flt, MP_HCI_EVT_DISCONN_COMPLETE);	/* scanning to restore */
	filter_event(&flt, EVT_LINUX_STACK_INTERNAL);
	/* Without CAP_NET_RAW the kernel silently drops the LE Meta event
	 * from the mask (hci/hci.h, mp_hci_priv). */
	if (config && config->priv)
		config->priv->raise(config->priv->user);
	r = setsockopt(fd, SOL_HCI, HCI_FILTER, &flt, sizeof(flt)) < 0 ? -errno : 0;
	if (config && config->priv)
		config->priv->lower(config->priv->user);
	if (r < 0)
		goto fail;

	r = mp_hci_new_fd(loop, fd, config, ops, data, out);
	if (r < 0)
		goto fail;
	(*out)->index = index;
	return 0;
fail:
	close(fd);
	return r;
}
