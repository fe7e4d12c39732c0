/* The raw HCI transport: packet I/O on the fd, the command queue, event
 * dispatch, the start sequence, and the controller going away.
 *
 * Callbacks into the user run only from the loop's callbacks (fd readable,
 * timers), never from inside an mp_hci_* call: a failed write is reported
 * through a zero-delay timer. Each loop entry point counts itself in
 * hci->depth and checks hci->closed after every callout, so a callback may
 * close the object at any moment; the outermost entry point frees it.
 */
#include "hci_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"

#define DEFAULT_CMD_TIMEOUT_MS	2000
#define DEFAULT_SCAN_INTERVAL	0x0030	/* 30 ms, as Zephyr's mesh scanner */
#define DEFAULT_ADV_INTERVAL_MS	20
#define DEFAULT_ADV_EVENTS	3
#define DEFAULT_ADV_QUEUE_MAX	256
/* One read is one packet: indicator, event header, 255 parameter octets. */
#define RX_MAX			(1 + 2 + 255)
/* Packets handled per wake-up before giving the loop back. */
#define RX_BURST		32

static void free_hci(struct mp_hci *hci)
{
	while (hci->q_head) {
		struct hci_cmd *c = hci->q_head;

		hci->q_head = c->next;
		free(c);
	}
	free(hci->inflight);
	mp__hci_adv_free_all(hci);
	free(hci);
}

void mp__hci_enter(struct mp_hci *hci)
{
	hci->depth++;
}

/* Returns false when the object is gone (closed; freed if outermost). */
bool mp__hci_leave(struct mp_hci *hci)
{
	if (--hci->depth == 0 && hci->closed) {
		free_hci(hci);
		return false;
	}
	return !hci->closed;
}

static void trace(struct mp_hci *hci, bool tx, const uint8_t *pkt, size_t len)
{
	if (hci->ops.trace)
		hci->ops.trace(hci->data, tx, pkt, len);
}

/* ---- the controller going away ---- */

static void stop_io(struct mp_hci *hci)
{
	if (hci->watching) {
		mp_loop_watch_remove(hci->loop, hci->fd);
		hci->watching = false;
	}
	if (hci->cmd_timer > 0)
		mp_loop_timer_cancel(hci->loop, hci->cmd_timer);
	hci->cmd_timer = 0;
	if (hci->gone_timer > 0)
		mp_loop_timer_cancel(hci->loop, hci->gone_timer);
	hci->gone_timer = 0;
	if (hci->adv_timer > 0)
		mp_loop_timer_cancel(hci->loop, hci->adv_timer);
	hci->adv_timer = 0;
}

/* Complete the in-flight and queued commands with @err, one by one. */
static void flush_cmds(struct mp_hci *hci, int err)
{
	while (!hci->closed && (hci->inflight || hci->q_head)) {
		struct hci_cmd *c = hci->inflight;

		if (c) {
			hci->inflight = NULL;
		} else {
			c = hci->q_head;
			hci->q_head = c->next;
			if (!hci->q_head)
				hci->q_tail = NULL;
		}
		if (c->cb)
			c->cb(c->data, err, NULL, 0);
		free(c);
	}
}

/* Report once, then fail everything that was waiting. Called with depth > 0. */
static void hci_gone(struct mp_hci *hci, int err)
{
	if (hci->gone_err || hci->closed)
		return;
	hci->gone_err = err;
	stop_io(hci);
	if (hci->ops.gone)
		hci->ops.gone(hci->data, err);
	if (hci->closed)
		return;
	flush_cmds(hci, err);
	if (hci->closed)
		return;
	mp__hci_adv_flush(hci, err);
}

static void on_gone_timer(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_hci *hci = data;

	hci->gone_timer = 0;
	mp__hci_enter(hci);
	hci_gone(hci, hci->inflight_err ? hci->inflight_err : -EIO);
	mp__hci_leave(hci);
}

/* errno of a failed read or write -> what the controller did. */
static int gone_errno(int e)
{
	switch (e) {
	case 0:		/* end of file */
	case ENODEV:
	case ENXIO:
	case EPIPE:	/* Linux: the device was unregistered (unplugged) */
	case EBADFD:
	case ENOTCONN:
	case ECONNRESET:
		return -ENODEV;
	case ENETDOWN:
		return -ENETDOWN;
	default:
		return -EIO;
	}
}

static bool is_gone_errno(int e)
{
	return e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS && e != ENOMEM && e != EPERM &&
	       e != EACCES && e != EBUSY && e != EINVAL && e != EMSGSIZE && e != EOPNOTSUPP;
}

/* ---- commands ---- */

static void on_cmd_timeout(struct mp_loop *loop, int64_t id, void *data);

static int write_cmd(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len)
{
	uint8_t pkt[1 + 3 + 255];	/* indicator, opcode, length, parameters (5.4.1) */
	_Static_assert(sizeof(pkt) == 1 + 3 + sizeof(((struct hci_cmd *)0)->params),
		       "any queued command fits");
	int n = mp_hci_encode_cmd(pkt, sizeof(pkt), opcode, params, len), err;
	ssize_t w;

	if (n < 0)
		return n;
	trace(hci, true, pkt, (size_t)n);
	/* The kernel checks CAP_NET_RAW at each send (hci/hci.h, mp_hci_priv). */
	if (hci->cfg.priv)
		hci->cfg.priv->raise(hci->cfg.priv->user);
	/* send(MSG_NOSIGNAL): a peer that went away must not raise SIGPIPE. */
	do {
		w = send(hci->fd, pkt, (size_t)n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(hci->fd, pkt, (size_t)n);
	} while (w < 0 && errno == EINTR);
	err = w < 0 ? -errno : w == n ? 0 : -EIO;
	if (hci->cfg.priv)
		hci->cfg.priv->lower(hci->cfg.priv->user);
	return err;
}

static void cmd_kick(struct mp_hci *hci)
{
	while (!hci->inflight && hci->q_head && hci->credits && !hci->gone_err && !hci->closed) {
		struct hci_cmd *c = hci->q_head;
		int r;

		hci->q_head = c->next;
		if (!hci->q_head)
			hci->q_tail = NULL;
		c->next = NULL;
		hci->inflight = c;
		hci->credits--;
		r = write_cmd(hci, c->opcode, c->params, c->len);
		hci->inflight_err = r;
		if (r < 0 && is_gone_errno(-r)) {
			/* Not from here: we may be inside an mp_hci_* call. */
			hci->inflight_err = gone_errno(-r);
			if (!hci->gone_timer)
				hci->gone_timer = mp_loop_timer_add(hci->loop, 0, on_gone_timer, hci);
			return;
		}
		/* A failed write completes through the timer, at once. */
		hci->cmd_timer = mp_loop_timer_add(hci->loop, r < 0 ? 0 : hci->cfg.cmd_timeout_ms,
						   on_cmd_timeout, hci);
	}
}

static int queue_cmd(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len,
		     mp_hci_cmd_cb cb, void *data)
{
	struct hci_cmd *c;

	if (hci->closed)
		return -EBADF;
	if (hci->gone_err)
		return hci->gone_err;
	if (len > 255 || (len && !params))
		return len > 255 ? -EMSGSIZE : -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->opcode = opcode;
	c->len = (uint8_t)len;
	if (len)
		memcpy(c->params, params, len);
	c->cb = cb;
	c->data = data;
	if (hci->q_tail)
		hci->q_tail->next = c;
	else
		hci->q_head = c;
	hci->q_tail = c;
	cmd_kick(hci);
	return 0;
}

int mp_hci_send_cmd(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len,
		    mp_hci_cmd_cb cb, void *data)
{
	return queue_cmd(hci, opcode, params, len, cb, data);
}

int mp__hci_queue(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len,
		  mp_hci_cmd_cb cb)
{
	return queue_cmd(hci, opcode, params, len, cb, hci);
}

/* Write a command outside the queue, not waiting for its answer (close). */
bool mp__hci_write_now(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len)
{
	return write_cmd(hci, opcode, params, len) == 0;
}

/* The in-flight command is over: hand its result over, send the next one. */
static void cmd_done(struct mp_hci *hci, int status, const uint8_t *ret, size_t ret_len)
{
	struct hci_cmd *c = hci->inflight;

	hci->inflight = NULL;
	if (hci->cmd_timer > 0)
		mp_loop_timer_cancel(hci->loop, hci->cmd_timer);
	hci->cmd_timer = 0;
	if (c->cb)
		c->cb(c->data, status, ret, ret_len);
	free(c);
	if (!hci->closed)
		cmd_kick(hci);
}

static void on_cmd_timeout(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_hci *hci = data;
	int err = hci->inflight_err ? hci->inflight_err : -ETIMEDOUT;

	hci->cmd_timer = 0;
	if (!hci->inflight)
		return;
	/* A controller that lost a command would never give the credit back. */
	if (!hci->credits)
		hci->credits = 1;
	mp__hci_enter(hci);
	cmd_done(hci, err, NULL, 0);
	mp__hci_leave(hci);
}

/* ---- events ---- */

static void handle_cmd_event(struct mp_hci *hci, const struct mp_hci_event *ev)
{
	/* Core v5.4 Vol 4 Part E 4.4: Num_HCI_Command_Packets is how many
	 * commands the host may send now; opcode 0x0000 only updates it. */
	hci->credits = ev->ncmd;
	if (hci->inflight && ev->opcode && ev->opcode == hci->inflight->opcode)
		cmd_done(hci, ev->status, ev->ret, ev->ret_len);
	else
		cmd_kick(hci);
}

static void handle_reports(struct mp_hci *hci, const struct mp_hci_event *ev)
{
	struct mp_hci_adv_report reps[MP_HCI_MAX_REPORTS];
	int n = mp_hci_parse_adv_reports(ev->subevent, ev->sub, ev->sublen, reps), i;

	if (n <= 0)
		return;
	mp__hci_scan_report_seen(hci);
	for (i = 0; i < n && !hci->closed && !hci->gone_err; i++)
		if (hci->ops.adv_report)
			hci->ops.adv_report(hci->data, &reps[i]);
}

/* Linux tells raw sockets about its devices (net/bluetooth/hci_sock.c). */
static void handle_stack_internal(struct mp_hci *hci, const struct mp_hci_event *ev)
{
	struct mp_reader r;
	uint16_t type, event, dev;

	mp_reader_init(&r, ev->params, ev->plen);
	mp_get_le16(&r, &type);
	mp_get_le16(&r, &event);
	mp_get_le16(&r, &dev);
	if (r.err || type != LINUX_SI_DEVICE || (hci->index >= 0 && dev != hci->index))
		return;
	if (event == LINUX_DEV_DOWN)
		hci_gone(hci, -ENETDOWN);
	else if (event == LINUX_DEV_UNREG)
		hci_gone(hci, -ENODEV);
}

static int handle_packet(struct mp_hci *hci, const uint8_t *pkt, size_t len)
{
	struct mp_hci_event ev;
	int r;

	trace(hci, false, pkt, len);
	r = mp_hci_parse_event(pkt, len, &ev);
	if (r == -ENOMSG)
		return 0;	/* not an event (ACL data...): not ours */
	if (r < 0)
		return r;
	switch (ev.code) {
	case MP_HCI_EVT_CMD_COMPLETE:
	case MP_HCI_EVT_CMD_STATUS:
		handle_cmd_event(hci, &ev);
		break;
	case MP_HCI_EVT_LE_META:
		if (ev.subevent == MP_HCI_LE_CONN_COMPLETE ||
		    ev.subevent == MP_HCI_LE_ENH_CONN_COMPLETE ||
		    ev.subevent == MP_HCI_LE_ENH_CONN_COMPLETE_V2)
			mp__hci_scan_restart(hci);	/* Linux left scanning its way */
		else
			handle_reports(hci, &ev);
		break;
	case MP_HCI_EVT_DISCONN_COMPLETE:
		mp__hci_scan_restart(hci);
		break;
	case MP_HCI_EVT_HW_ERROR:
		/* The kernel resets the controller: our scan and advertising
		 * state is lost with it. */
		hci_gone(hci, -EIO);
		break;
	case EVT_LINUX_STACK_INTERNAL:
		handle_stack_internal(hci, &ev);
		break;
	default:
		break;
	}
	return 0;
}

int mp_hci_process_packet(struct mp_hci *hci, const uint8_t *pkt, size_t len)
{
	int r;

	if (hci->closed || hci->gone_err)
		return 0;
	mp__hci_enter(hci);
	r = handle_packet(hci, pkt, len);
	mp__hci_leave(hci);
	return r;
}

static void on_readable(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct mp_hci *hci = data;
	uint8_t buf[RX_MAX + 1];
	int i;

	mp__hci_enter(hci);
	for (i = 0; i < RX_BURST && !hci->closed && !hci->gone_err; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			hci_gone(hci, gone_errno(n < 0 ? errno : 0));
			break;
		}
		handle_packet(hci, buf, (size_t)n);
	}
	/* An error or hang-up with nothing to read: poll would report it
	 * forever, so it is the end. */
	if (i == 0 && (events & (MP_LOOP_ERROR | MP_LOOP_HUP)) && !hci->closed) {
		int err = 0;
		socklen_t elen = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		hci_gone(hci, gone_errno(err));
	}
	mp__hci_leave(hci);
}

/* ---- the start sequence ---- */

void mp__hci_init_done(struct mp_hci *hci, int status)
{
	if (hci->ready_sent)
		return;
	hci->ready_sent = true;
	hci->init_status = status;
	if (hci->ops.ready)
		hci->ops.ready(hci->data, status);
	if (hci->closed)
		return;
	if (status)
		mp__hci_adv_flush(hci, status);	/* what was queued cannot go out */
	else {
		mp__hci_scan_apply(hci);
		mp__hci_adv_kick(hci);
	}
}

/* The LE event mask the Linux host derives from the same features, so that
 * the kernel's own LE functions keep working after we leave (there is no
 * command to read the mask back and restore it). Core v5.4 Vol 4 Part E 7.8.1. */
static uint64_t le_event_mask(uint64_t f)
{
	uint64_t m = 0x1f;	/* Connection Complete .. Long Term Key Request */

	if (f & LE_FEAT_CONN_PARAM_REQ)
		m |= 1ull << 5;
	if (f & LE_FEAT_DATA_LEN_EXT)
		m |= 1ull << 6;
	m |= 1ull << 7 | 1ull << 8;	/* P-256 key / DHKey: only on request */
	if (f & (LE_FEAT_LL_PRIVACY | LE_FEAT_EXT_ADV))
		m |= 1ull << 9;		/* Enhanced Connection Complete */
	if (f & LE_FEAT_LL_PRIVACY)
		m |= 1ull << 10;	/* Directed Advertising Report */
	if (f & (LE_FEAT_2M_PHY | LE_FEAT_CODED_PHY))
		m |= 1ull << 11;	/* PHY Update Complete */
	if (f & LE_FEAT_EXT_ADV)	/* Ext. Advertising Report, Scan Timeout, Set Terminated */
		m |= 1ull << 12 | 1ull << 16 | 1ull << 17;
	if (f & LE_FEAT_CSA2)
		m |= 1ull << 19;	/* Channel Selection Algorithm */
	return m;
}

static void init_event_mask_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	if (status) {
		mp__hci_init_done(hci, status);
		return;
	}
	if (hci->cfg.no_scan)
		mp__hci_init_done(hci, 0);
	else
		mp__hci_scan_start(hci);
}

static void init_features_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;
	uint8_t mask[8];
	struct mp_reader r;
	uint32_t lo, hi;
	int i;

	if (status) {
		mp__hci_init_done(hci, status);
		return;
	}
	mp_reader_init(&r, ret, len);
	mp_get_le32(&r, &lo);
	mp_get_le32(&r, &hi);
	if (r.err) {
		mp__hci_init_done(hci, -EBADMSG);
		return;
	}
	hci->le_features = (uint64_t)hi << 32 | lo;
	for (i = 0; i < 8; i++)
		mask[i] = (uint8_t)(le_event_mask(hci->le_features) >> (8 * i));
	if (mp__hci_queue(hci, MP_HCI_OP_LE_SET_EVENT_MASK, mask, sizeof(mask), init_event_mask_done))
		mp__hci_init_done(hci, -ENOMEM);
}

static void init_bdaddr_done(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mp_hci *hci = data;

	if (status) {
		mp__hci_init_done(hci, status);
		return;
	}
	if (len < 6) {
		mp__hci_init_done(hci, -EBADMSG);
		return;
	}
	memcpy(hci->bdaddr, ret, 6);
	if (mp__hci_queue(hci, MP_HCI_OP_LE_READ_FEATURES, NULL, 0, init_features_done))
		mp__hci_init_done(hci, -ENOMEM);
}

/* ---- lifecycle ---- */

int mp_hci_new_fd(struct mp_loop *loop, int fd, const struct mp_hci_config *config,
		  const struct mp_hci_ops *ops, void *data, struct mp_hci **out)
{
	struct mp_hci *hci;
	int r;

	*out = NULL;
	if (!loop || fd < 0 || !ops)
		return -EINVAL;
	hci = calloc(1, sizeof(*hci));
	if (!hci)
		return -ENOMEM;
	hci->loop = loop;
	hci->fd = fd;
	hci->index = -1;
	hci->ops = *ops;
	hci->data = data;
	if (config)
		hci->cfg = *config;
	if (!hci->cfg.cmd_timeout_ms)
		hci->cfg.cmd_timeout_ms = DEFAULT_CMD_TIMEOUT_MS;
	if (!hci->cfg.scan_interval)
		hci->cfg.scan_interval = DEFAULT_SCAN_INTERVAL;
	hci->scan_want = !hci->cfg.no_scan;
	if (!hci->cfg.adv_interval_ms)
		hci->cfg.adv_interval_ms = DEFAULT_ADV_INTERVAL_MS;
	if (!hci->cfg.adv_events)
		hci->cfg.adv_events = DEFAULT_ADV_EVENTS;
	if (!hci->cfg.adv_queue_max)
		hci->cfg.adv_queue_max = DEFAULT_ADV_QUEUE_MAX;
	hci->adv_interval_ms = hci->cfg.adv_interval_ms;
	hci->credits = 1;	/* Core v5.4 Vol 4 Part E 4.4: one until told otherwise */
	r = mp_loop_watch_add(loop, fd, MP_LOOP_READ, on_readable, hci);
	if (r < 0) {
		free(hci);
		return r;
	}
	hci->watching = true;
	r = mp__hci_queue(hci, MP_HCI_OP_READ_BD_ADDR, NULL, 0, init_bdaddr_done);
	if (r < 0) {
		mp_loop_watch_remove(loop, fd);
		free(hci);
		return r;
	}
	*out = hci;
	return 0;
}

void mp_hci_close(struct mp_hci *hci)
{
	if (!hci || hci->closed)
		return;
	if (!hci->gone_err)
		mp__hci_restore(hci);
	stop_io(hci);
	close(hci->fd);
	hci->fd = -1;
	hci->closed = true;
	if (hci->depth == 0)
		free_hci(hci);
}

int mp_hci_index(const struct mp_hci *hci)
{
	return hci->index;
}

const uint8_t *mp_hci_bdaddr(const struct mp_hci *hci)
{
	return hci->bdaddr;
}

uint64_t mp_hci_le_features(const struct mp_hci *hci)
{
	return hci->le_features;
}

bool mp_hci_extended(const struct mp_hci *hci)
{
	return hci->extended;
}

int mp_hci_scan_enable(struct mp_hci *hci, bool on)
{
	if (hci->gone_err)
		return hci->gone_err;
	if (on && hci->cfg.no_scan)
		return -EINVAL;
	hci->scan_want = on;
	mp__hci_scan_apply(hci);
	return 0;
}

void mp_hci_scan_refresh(struct mp_hci *hci)
{
	mp__hci_scan_restart(hci);
}

void mp_hci_scan_hold(struct mp_hci *hci, bool hold)
{
	mp__hci_scan_hold(hci, hold);
}

bool mp_hci_scanning(const struct mp_hci *hci)
{
	return mp__hci_scan_is_on(hci) && hci->ready_sent && !hci->init_status && !hci->gone_err;
}
