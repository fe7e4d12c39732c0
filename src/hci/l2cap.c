/* An LE ATT channel over a kernel L2CAP socket; see include/hci/l2cap.h.
 *
 * Everything above the fd (connect completion, accept, PDU I/O, the send
 * queue, timeouts, the end) works on any SOCK_SEQPACKET socket and is unit
 * tested on socketpairs; only l2cap_open() touches Bluetooth sockets.
 *
 * Re-entrancy, as in hci.c: each loop entry point counts itself in
 * ch->depth, every callback is followed by a check of ch->closed, and the
 * outermost entry point frees a channel closed from inside a callback.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4 */
#endif
#include "hci/l2cap.h"
#include "hci_internal.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>

/* PDUs handled per wake-up before giving the loop back. */
#define RX_BURST 16

struct tx_pdu {
	struct tx_pdu *next;
	size_t len;
	uint8_t data[];
};

struct mp_l2cap {
	struct mp_loop *loop;
	int fd;
	enum mp_l2cap_state state;
	struct mp_l2cap_ops ops;
	void *data;
	uint32_t timeout_ms;
	size_t queue_max;
	struct tx_pdu *q_head, *q_tail;
	size_t q_len;
	int64_t timer;		/* connect or listen timeout */
	int64_t fail_timer;	/* disconnected() after a send found the socket broken */
	int fail_err;
	bool watching;
	bool has_peer;
	uint8_t peer[6];
	uint8_t peer_type;
	unsigned int depth;
	bool closed;
};

static void free_ch(struct mp_l2cap *ch)
{
	while (ch->q_head) {
		struct tx_pdu *p = ch->q_head;

		ch->q_head = p->next;
		free(p);
	}
	if (ch->fd >= 0)
		close(ch->fd);
	free(ch);
}

static void enter(struct mp_l2cap *ch)
{
	ch->depth++;
}

/* Returns false when the channel was closed (and freed if outermost). */
static bool leave(struct mp_l2cap *ch)
{
	if (--ch->depth == 0 && ch->closed) {
		free_ch(ch);
		return false;
	}
	return !ch->closed;
}

static void cancel_timer(struct mp_l2cap *ch, int64_t *t)
{
	if (*t > 0)
		mp_loop_timer_cancel(ch->loop, *t);
	*t = 0;
}

static void stop_io(struct mp_l2cap *ch)
{
	if (ch->watching)
		mp_loop_watch_remove(ch->loop, ch->fd);
	ch->watching = false;
	cancel_timer(ch, &ch->timer);
}

static uint32_t wanted_events(const struct mp_l2cap *ch)
{
	switch (ch->state) {
	case MP_L2CAP_CONNECTING:
		return MP_LOOP_WRITE;
	case MP_L2CAP_LISTENING:
		return MP_LOOP_READ;
	case MP_L2CAP_CONNECTED:
		return MP_LOOP_READ | (ch->q_head ? MP_LOOP_WRITE : 0);
	case MP_L2CAP_CLOSED:
		break;
	}
	return 0;
}

static void update_watch(struct mp_l2cap *ch)
{
	if (ch->watching)
		mp_loop_watch_modify(ch->loop, ch->fd, wanted_events(ch));
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

/* The end: CLOSED, no more I/O, one callback (which may close us). */
static void go_down(struct mp_l2cap *ch, int err)
{
	bool was_up = ch->state == MP_L2CAP_CONNECTED;

	stop_io(ch);
	ch->state = MP_L2CAP_CLOSED;
	if (was_up) {
		if (ch->ops.disconnected)
			ch->ops.disconnected(ch->data, err);
	} else if (ch->ops.connected) {
		ch->ops.connected(ch->data, err);
	}
}

static void on_timeout(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_l2cap *ch = data;

	ch->timer = 0;
	enter(ch);
	go_down(ch, -ETIMEDOUT);
	leave(ch);
}

static void on_fail_timer(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_l2cap *ch = data;

	ch->fail_timer = 0;
	enter(ch);
	if (ch->ops.disconnected)
		ch->ops.disconnected(ch->data, ch->fail_err);
	leave(ch);
}

/* A send found the socket broken: no more I/O now, disconnected() from
 * the loop (never from inside mp_l2cap_send). */
static void fail_later(struct mp_l2cap *ch, int err)
{
	stop_io(ch);
	ch->state = MP_L2CAP_CLOSED;
	ch->fail_err = err;
	ch->fail_timer = mp_loop_timer_add(ch->loop, 0, on_fail_timer, ch);
	if (ch->fail_timer < 0)
		ch->fail_timer = 0;	/* no memory: the owner learns it from send's return */
}

/* Write queued PDUs while the socket takes them. Returns 0 or -errno. */
static int flush_queue(struct mp_l2cap *ch)
{
	while (ch->q_head) {
		struct tx_pdu *p = ch->q_head;
		ssize_t n = send(ch->fd, p->data, p->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		ch->q_head = p->next;
		if (!ch->q_head)
			ch->q_tail = NULL;
		ch->q_len--;
		free(p);
	}
	return 0;
}

static void record_peer(struct mp_l2cap *ch, const struct sockaddr_l2 *sa, socklen_t len)
{
	if (len < (socklen_t)sizeof(*sa) || sa->l2_family != AF_BLUETOOTH)
		return;
	memcpy(ch->peer, &sa->l2_bdaddr, 6);
	ch->peer_type = sa->l2_bdaddr_type == BDADDR_LE_RANDOM ? MP_L2CAP_ADDR_RANDOM :
		MP_L2CAP_ADDR_PUBLIC;
	ch->has_peer = true;
}

static void connect_done(struct mp_l2cap *ch, uint32_t events)
{
	struct sockaddr_l2 sa;
	socklen_t salen = sizeof(sa);
	int err = sock_error(ch->fd);

	/* A hang-up without an error (the other end went away before we
	 * noticed the connect) is still a failed connect. */
	if (!err && !(events & MP_LOOP_WRITE))
		err = -ECONNRESET;
	if (err) {
		go_down(ch, err);
		return;
	}
	cancel_timer(ch, &ch->timer);
	ch->state = MP_L2CAP_CONNECTED;
	memset(&sa, 0, sizeof(sa));
	if (getpeername(ch->fd, (struct sockaddr *)&sa, &salen) == 0)
		record_peer(ch, &sa, salen);
	update_watch(ch);
	if (ch->ops.connected)
		ch->ops.connected(ch->data, 0);
}

static int watch_fd(struct mp_l2cap *ch);

static void accept_one(struct mp_l2cap *ch)
{
	struct sockaddr_l2 sa;
	socklen_t salen = sizeof(sa);
	int nfd, r;

	memset(&sa, 0, sizeof(sa));
	nfd = accept4(ch->fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nfd < 0) {
		/* Not ready after all, or a connection that vanished before we
		 * took it: keep listening. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		go_down(ch, -errno);
		return;
	}
	/* One connection only: the listening socket goes. */
	stop_io(ch);
	close(ch->fd);
	ch->fd = nfd;
	ch->state = MP_L2CAP_CONNECTED;
	record_peer(ch, &sa, salen);
	r = watch_fd(ch);
	if (r < 0) {
		go_down(ch, r);
		return;
	}
	if (ch->ops.connected)
		ch->ops.connected(ch->data, 0);
}

/* Read up to RX_BURST PDUs; the end of the stream or an error ends the channel. */
static void read_pdus(struct mp_l2cap *ch, uint32_t events)
{
	uint8_t buf[MP_L2CAP_PDU_MAX];
	int i;

	for (i = 0; i < RX_BURST && !ch->closed && ch->state == MP_L2CAP_CONNECTED; i++) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(ch->fd, &msg, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* An error or hang-up with nothing to read: poll would
			 * report it forever, so it is the end. */
			if (i == 0 && (events & (MP_LOOP_ERROR | MP_LOOP_HUP))) {
				int err = sock_error(ch->fd);

				go_down(ch, err ? err : -ECONNRESET);
			}
			return;
		}
		if (n < 0) {
			go_down(ch, -errno);
			return;
		}
		if (n == 0) {
			/* End of stream: ATT has no empty PDU. */
			int err = sock_error(ch->fd);

			go_down(ch, err ? err : -ECONNRESET);
			return;
		}
		/* Longer than any ATT_MTU: not ATT, dropped. */
		if (msg.msg_flags & MSG_TRUNC)
			continue;
		if (ch->ops.rx)
			ch->ops.rx(ch->data, buf, (size_t)n);
	}
}

static void on_event(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct mp_l2cap *ch = data;
	int r;

	enter(ch);
	switch (ch->state) {
	case MP_L2CAP_CONNECTING:
		connect_done(ch, events);
		break;
	case MP_L2CAP_LISTENING:
		if (events & (MP_LOOP_ERROR | MP_LOOP_HUP) && !(events & MP_LOOP_READ)) {
			r = sock_error(ch->fd);
			go_down(ch, r ? r : -ECONNRESET);
			break;
		}
		accept_one(ch);
		break;
	case MP_L2CAP_CONNECTED:
		if (events & MP_LOOP_WRITE) {
			r = flush_queue(ch);
			if (r < 0) {
				go_down(ch, r);
				break;
			}
			update_watch(ch);
		}
		if (events & (MP_LOOP_READ | MP_LOOP_ERROR | MP_LOOP_HUP))
			read_pdus(ch, events);
		break;
	case MP_L2CAP_CLOSED:
		break;
	}
	leave(ch);
}

/* Watch ch->fd for what its state needs (the accept path swaps the fd). */
static int watch_fd(struct mp_l2cap *ch)
{
	int r = mp_loop_watch_add(ch->loop, ch->fd, wanted_events(ch), on_event, ch);

	if (r == 0)
		ch->watching = true;
	return r;
}

int mp_l2cap_new_fd(struct mp_loop *loop, int fd, enum mp_l2cap_state state,
		    const struct mp_l2cap_config *cfg, const struct mp_l2cap_ops *ops,
		    void *data, struct mp_l2cap **out)
{
	struct mp_l2cap *ch;
	uint32_t tmo;
	int r;

	if (!loop || fd < 0 || !ops || !out || state == MP_L2CAP_CLOSED)
		return -EINVAL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->loop = loop;
	ch->fd = fd;
	ch->state = state;
	ch->ops = *ops;
	ch->data = data;
	ch->queue_max = cfg && cfg->queue_max ? cfg->queue_max : MP_L2CAP_QUEUE_MAX;
	tmo = cfg ? cfg->timeout_ms : 0;
	if (state == MP_L2CAP_CONNECTING && !tmo)
		tmo = MP_L2CAP_CONNECT_TIMEOUT_MS;
	if (state == MP_L2CAP_CONNECTED)
		tmo = 0;
	r = watch_fd(ch);
	if (r < 0) {
		free(ch);
		return r;
	}
	if (tmo) {
		ch->timer = mp_loop_timer_add(loop, tmo, on_timeout, ch);
		if (ch->timer < 0) {
			mp_loop_watch_remove(loop, fd);
			free(ch);
			return -ENOMEM;
		}
	}
	*out = ch;
	return 0;
}

/* ---- the Bluetooth part ---- */

/* The public address of controller @index, which must be up. */
static int controller_addr(int index, bdaddr_t *out)
{
	struct hci_dev_info di;
	int ctl = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI), r = 0;

	if (ctl < 0)
		return -errno;
	memset(&di, 0, sizeof(di));
	di.dev_id = (uint16_t)index;
	if (ioctl(ctl, HCIGETDEVINFO, &di) < 0)
		r = -errno;
	else if (!(di.flags & (1u << HCI_UP)))
		r = -ENETDOWN;
	else
		bacpy(out, &di.bdaddr);
	close(ctl);
	return r;
}

/* A non-blocking L2CAP socket bound to the ATT channel of the controller. */
static int att_socket(const struct mp_l2cap_config *cfg)
{
	struct sockaddr_l2 sa;
	int fd, r;

	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_cid = htole16(MP_L2CAP_CID_ATT);
	sa.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	if (cfg->index >= 0) {
		r = controller_addr(cfg->index, &sa.l2_bdaddr);
		if (r < 0)
			return r;
	}
	fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, BTPROTO_L2CAP);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int mp_l2cap_connect(struct mp_loop *loop, const struct mp_l2cap_config *cfg,
		     const struct mp_l2cap_ops *ops, void *data, struct mp_l2cap **out)
{
	struct sockaddr_l2 sa;
	int fd, r;

	if (!loop || !cfg || !ops || !out || cfg->peer_type > MP_L2CAP_ADDR_RANDOM)
		return -EINVAL;
	fd = att_socket(cfg);
	if (fd < 0)
		return fd;
	memset(&sa, 0, sizeof(sa));
	sa.l2_family = AF_BLUETOOTH;
	sa.l2_cid = htole16(MP_L2CAP_CID_ATT);
	memcpy(&sa.l2_bdaddr, cfg->peer, 6);
	sa.l2_bdaddr_type = cfg->peer_type == MP_L2CAP_ADDR_RANDOM ? BDADDR_LE_RANDOM :
		BDADDR_LE_PUBLIC;
	/* Done at once or in progress: either way the socket turns writable
	 * and SO_ERROR tells (connect_done). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS &&
	    errno != EAGAIN) {
		r = -errno;
		close(fd);
		return r;
	}
	r = mp_l2cap_new_fd(loop, fd, MP_L2CAP_CONNECTING, cfg, ops, data, out);
	if (r < 0) {
		close(fd);
		return r;
	}
	memcpy((*out)->peer, cfg->peer, 6);
	(*out)->peer_type = cfg->peer_type;
	return 0;
}

int mp_l2cap_listen(struct mp_loop *loop, const struct mp_l2cap_config *cfg,
		    const struct mp_l2cap_ops *ops, void *data, struct mp_l2cap **out)
{
	int fd, r;

	if (!loop || !cfg || !ops || !out)
		return -EINVAL;
	fd = att_socket(cfg);
	if (fd < 0)
		return fd;
	if (listen(fd, 1) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = mp_l2cap_new_fd(loop, fd, MP_L2CAP_LISTENING, cfg, ops, data, out);
	if (r < 0)
		close(fd);
	return r;
}

/* ---- I/O ---- */

int mp_l2cap_send(struct mp_l2cap *ch, const uint8_t *pdu, size_t len)
{
	struct tx_pdu *p;
	ssize_t n;

	if (!ch || !pdu || !len)
		return -EINVAL;
	if (len > MP_L2CAP_PDU_MAX)
		return -EMSGSIZE;
	if (ch->state != MP_L2CAP_CONNECTED)
		return -ENOTCONN;
	while (!ch->q_head) {
		n = send(ch->fd, pdu, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		n = -errno;
		fail_later(ch, (int)n);
		return (int)n;
	}
	if (ch->q_len >= ch->queue_max)
		return -ENOBUFS;
	p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->next = NULL;
	p->len = len;
	memcpy(p->data, pdu, len);
	if (ch->q_tail)
		ch->q_tail->next = p;
	else
		ch->q_head = p;
	ch->q_tail = p;
	ch->q_len++;
	update_watch(ch);
	return 0;
}

size_t mp_l2cap_pending(const struct mp_l2cap *ch)
{
	return ch ? ch->q_len : 0;
}

enum mp_l2cap_state mp_l2cap_state(const struct mp_l2cap *ch)
{
	return ch->state;
}

int mp_l2cap_peer(const struct mp_l2cap *ch, uint8_t addr[6], uint8_t *type)
{
	if (!ch->has_peer)
		return ch->state == MP_L2CAP_CONNECTED ? -EAFNOSUPPORT : -ENOTCONN;
	memcpy(addr, ch->peer, 6);
	*type = ch->peer_type;
	return 0;
}

void mp_l2cap_close(struct mp_l2cap *ch)
{
	if (!ch || ch->closed)
		return;
	stop_io(ch);
	cancel_timer(ch, &ch->fail_timer);
	ch->state = MP_L2CAP_CLOSED;
	ch->closed = true;
	if (ch->depth == 0)
		free_ch(ch);
}

/* ---- what to tell the user ---- */

char *mp_l2cap_hint(int err, int index, char *buf, size_t len)
{
	char dev[16];

	if (!len)
		return buf;
	mp__hci_dev_name(index, dev, sizeof(dev));
	switch (err) {
	case 0:
		snprintf(buf, len, "connected");
		break;
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
	case -ESOCKTNOSUPPORT:
		snprintf(buf, len, "this kernel has no Bluetooth L2CAP sockets: load them with "
			 "`sudo modprobe bluetooth`");
		break;
	case -ENODEV:
		snprintf(buf, len, "there is no controller %s: list them with `hciconfig -a`",
			 dev);
		break;
	case -ENETDOWN:
		snprintf(buf, len, "%s is down: bring it up with `sudo hciconfig %s up`", dev,
			 index >= 0 ? dev : "hci0");
		break;
	case -EADDRINUSE:
		snprintf(buf, len, "the ATT channel of %s is taken by another program "
			 "(bluetoothd's GATT server?): stop it, or use another controller", dev);
		break;
	case -EPERM:
	case -EACCES:
		/* No capability is needed for an LE ATT connection (Linux 6.1,
		 * tests/vm/scenarios/privs-caps.sh): a security policy said no. */
		snprintf(buf, len, "not permitted to use L2CAP sockets on %s (a security "
			 "policy, e.g. SELinux or AppArmor, refused it)", dev);
		break;
	case -ETIMEDOUT:
		snprintf(buf, len, "no connection in time: the device is not advertising "
			 "connectably at that address and type, or is out of range");
		break;
	case -EHOSTUNREACH:
		snprintf(buf, len, "no route to the device from %s: is the controller up and "
			 "LE-capable?", dev);
		break;
	case -EHOSTDOWN:
		snprintf(buf, len, "the device is not reachable (the link could not be "
			 "established)");
		break;
	case -ECONNREFUSED:
		/* The kernel's own answer when LE is not enabled on a dual-mode
		 * controller (bluetoothd enables it; without it, nobody does). */
		snprintf(buf, len, "connection refused: LE may not be enabled on %s (`sudo btmgmt "
			 "--index %d le on`), or the device refused it", dev,
			 index >= 0 ? index : 0);
		break;
	case -ECONNRESET:
		snprintf(buf, len, "the peer closed the connection");
		break;
	case -ECONNABORTED:
		snprintf(buf, len, "the connection was ended on this side (by the kernel or "
			 "another program)");
		break;
	case -EBUSY:
	case -EALREADY:
		snprintf(buf, len, "%s is busy with another LE connection attempt: try again "
			 "when it is over", dev);
		break;
	case -EOPNOTSUPP:
		snprintf(buf, len, "%s cannot make this LE connection (LE not enabled?)", dev);
		break;
	default:
		snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
		break;
	}
	return buf;
}
