/* The Bluetooth Management interface: codec and a synchronous call; see
 * include/hci/mgmt.h. Layouts: BlueZ doc/mgmt-api.txt. */
#include "hci/mgmt.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "core/buf.h"

#ifndef HCI_CHANNEL_CONTROL
#define HCI_CHANNEL_CONTROL 3
#endif

int mp_mgmt_encode_cmd(uint8_t *out, size_t cap, uint16_t op, uint16_t index,
		       const void *params, size_t len)
{
	struct mp_writer w;

	if (len > 0xffff)
		return -EMSGSIZE;
	mp_writer_init(&w, out, cap);
	mp_put_le16(&w, op);
	mp_put_le16(&w, index);
	mp_put_le16(&w, (uint16_t)len);
	if (len)
		mp_put_bytes(&w, params, len);
	if (!mp_writer_ok(&w))
		return -EMSGSIZE;
	return (int)(MP_MGMT_HDR_LEN + len);
}

int mp_mgmt_parse_event(const uint8_t *pkt, size_t len, struct mp_mgmt_event *ev)
{
	struct mp_reader r, pr;
	uint16_t plen;

	memset(ev, 0, sizeof(*ev));
	mp_reader_init(&r, pkt, len);
	if (!mp_get_le16(&r, &ev->code) || !mp_get_le16(&r, &ev->index) ||
	    !mp_get_le16(&r, &plen) || mp_reader_left(&r) != plen)
		return -EBADMSG;
	ev->params = mp_reader_ptr(&r);
	ev->plen = plen;
	if (ev->code != MP_MGMT_EV_CMD_COMPLETE && ev->code != MP_MGMT_EV_CMD_STATUS)
		return 0;
	mp_reader_init(&pr, ev->params, ev->plen);
	if (!mp_get_le16(&pr, &ev->opcode) || !mp_get_u8(&pr, &ev->status))
		return -EBADMSG;
	if (ev->code == MP_MGMT_EV_CMD_STATUS)
		return mp_reader_done(&pr) ? 0 : -EBADMSG;
	ev->ret = mp_reader_ptr(&pr);
	ev->ret_len = mp_reader_left(&pr);
	return 0;
}

int mp_mgmt_parse_info(const uint8_t *p, size_t len, struct mp_mgmt_info *info)
{
	struct mp_reader r;

	memset(info, 0, sizeof(*info));
	if (len < MP_MGMT_INFO_LEN)
		return -EBADMSG;
	mp_reader_init(&r, p, len);
	if (!mp_get_bytes(&r, info->addr, 6) || !mp_get_u8(&r, &info->version) ||
	    !mp_get_le16(&r, &info->manufacturer) || !mp_get_le32(&r, &info->supported) ||
	    !mp_get_le32(&r, &info->current))
		return -EBADMSG;
	return 0;
}

int mp_mgmt_parse_settings(const uint8_t *p, size_t len, uint32_t *settings)
{
	struct mp_reader r;

	mp_reader_init(&r, p, len);
	return mp_get_le32(&r, settings) ? 0 : -EBADMSG;
}

const char *mp_mgmt_strstatus(uint8_t status)
{
	static const char *const names[] = {
		"Success", "Unknown Command", "Not Connected", "Failed", "Connect Failed",
		"Authentication Failed", "Not Paired", "No Resources", "Timeout",
		"Already Connected", "Busy", "Rejected", "Not Supported", "Invalid Parameters",
		"Disconnected", "Not Powered", "Cancelled", "Invalid Index", "RFKilled",
		"Already Paired", "Permission Denied",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

int mp_mgmt_open(const struct mp_hci_priv *admin, int *fd)
{
	struct sockaddr_hci addr;
	int s, r;

	*fd = -1;
	s = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, BTPROTO_HCI);
	if (s < 0)
		return -errno;
	memset(&addr, 0, sizeof(addr));
	addr.hci_family = AF_BLUETOOTH;
	addr.hci_dev = MP_MGMT_INDEX_NONE;	/* HCI_DEV_NONE: the channel is not per controller */
	addr.hci_channel = HCI_CHANNEL_CONTROL;
	/* The kernel makes the socket trusted (commands that change
	 * settings allowed) when CAP_NET_ADMIN is effective at bind(). */
	if (admin)
		admin->raise(admin->user);
	r = bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ? -errno : 0;
	if (admin)
		admin->lower(admin->user);
	if (r < 0) {
		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int mp_mgmt_call(int fd, uint16_t op, uint16_t index, const void *params, size_t len,
		 int timeout_ms, uint8_t *status, uint8_t *ret, size_t ret_cap, size_t *ret_len)
{
	/* Replies to our two commands are short; a longer event (up to a
	 * header and 65535 octets) is cut, MSG_TRUNC gives its real length,
	 * and it is skipped: it is not ours. */
	uint8_t buf[1024];
	uint8_t cmd[MP_MGMT_HDR_LEN + 64];
	uint64_t end = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct mp_mgmt_event ev;
	int n;

	*status = 0;
	if (ret_len)
		*ret_len = 0;
	n = mp_mgmt_encode_cmd(cmd, sizeof(cmd), op, index, params, len);
	if (n < 0)
		return n;
	/* Only a negative return is a failure: when the kernel answers a
	 * command with a Command Status at once (Permission Denied, Unknown
	 * Command), send() returns 0 (Linux 6.1 net/bluetooth/hci_sock.c,
	 * hci_mgmt_cmd()), and the status is read as any other reply. */
	if (send(fd, cmd, (size_t)n, MSG_NOSIGNAL) < 0)
		return -errno;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t got;
		int r;

		r = poll(&p, 1, now >= end ? 0 : (int)(end - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -ECONNRESET;
		if ((size_t)got > sizeof(buf))
			continue;
		if (mp_mgmt_parse_event(buf, (size_t)got, &ev) < 0)
			return -EBADMSG;
		if ((ev.code != MP_MGMT_EV_CMD_COMPLETE && ev.code != MP_MGMT_EV_CMD_STATUS) ||
		    ev.opcode != op || ev.index != index)
			continue;	/* an event for everyone, or another reply */
		*status = ev.status;
		if (ev.ret && ret_len) {
			*ret_len = ev.ret_len;
			if (ret)
				memcpy(ret, ev.ret, ev.ret_len < ret_cap ? ev.ret_len : ret_cap);
		}
		return 0;
	}
}

int mp_mgmt_le_ensure(int fd, uint16_t index, bool turn_on, int timeout_ms,
		      struct mp_hci_le_report *r)
{
	uint8_t ret[MP_MGMT_INFO_LEN], on = 0x01, status;
	struct mp_mgmt_info info;
	uint32_t settings;
	size_t n;
	int err;

	memset(r, 0, sizeof(*r));
	r->checked = true;
	r->index = index;
	err = mp_mgmt_call(fd, MP_MGMT_OP_READ_INFO, index, NULL, 0, timeout_ms, &status, ret,
			   sizeof(ret), &n);
	if (!err && status) {
		r->status = status;
		err = -EPROTO;
	}
	/* a Command Complete that does not hold the whole information */
	if (!err && (n > sizeof(ret) || mp_mgmt_parse_info(ret, n, &info) < 0))
		err = -EBADMSG;
	if (err) {
		r->err = err;
		return err;
	}
	r->was_on = r->le_on = info.current & MP_MGMT_SETTING_LE;
	if (r->le_on || !turn_on)
		return 0;
	err = mp_mgmt_call(fd, MP_MGMT_OP_SET_LE, index, &on, 1, timeout_ms, &status, ret,
			   sizeof(ret), &n);
	if (err) {
		r->set_err = err;
		return 0;
	}
	if (status) {
		r->set_status = status;
		return 0;
	}
	/* Success carries the settings as they are now: believe them. */
	if (n > sizeof(ret) || mp_mgmt_parse_settings(ret, n, &settings) < 0) {
		r->set_err = -EBADMSG;
		return 0;
	}
	r->le_on = settings & MP_MGMT_SETTING_LE;
	r->turned_on = r->le_on;
	return 0;
}
