/* PB-GATT links, both roles. MshPRT v1.1 5.2.2 (PB-GATT), 6.3 (Proxy PDUs). */
#include "bearer/pbgatt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mp_pbgatt {
	enum mp_pbgatt_role role;
	enum mp_pbgatt_state state;
	const struct mp_pbgatt_ops *ops;
	const struct mp_bearer_cb *cb;
	void *user;
	unsigned att_mtu;
	bool armed[MP_PBGATT_TIMERS];
	unsigned ignored;

	/* The PDU of the last send(): written out, delivered() pending. */
	bool tx_busy;

	/* Why we are closing, for closed() once disconnected. */
	struct {
		int err;
		uint8_t reason;
	} close;

	struct mp_proxy_rx rx;
	uint8_t rx_buf[MP_PBGATT_PDU_MAX];
};

static void timer_arm(struct mp_pbgatt *l, unsigned id, uint32_t ms)
{
	l->armed[id] = true;
	l->ops->timer(l->user, id, ms ? ms : MP_PBGATT_DEFER_MS);
}

static void timer_cancel(struct mp_pbgatt *l, unsigned id)
{
	if (!l->armed[id])
		return;
	l->armed[id] = false;
	l->ops->timer(l->user, id, 0);
}

/* Leave OPEN (or WAITING) for good: ask for the disconnection and remember
 * what closed() will say once it is done. Nothing is reported here, so this
 * is safe anywhere, the session's own calls included. */
static void start_close(struct mp_pbgatt *l, int err, uint8_t reason)
{
	timer_cancel(l, MP_PBGATT_TIMER_SAR);
	timer_cancel(l, MP_PBGATT_TIMER_DELIVER);
	mp_proxy_rx_reset(&l->rx);
	l->tx_busy = false;
	l->close.err = err;
	l->close.reason = reason;
	l->state = MP_PBGATT_CLOSING;
	l->ops->disconnect(l->user);
}

/* Report the end of the link; the owner may free @l in the callback. */
static void finish(struct mp_pbgatt *l, int err, uint8_t reason, bool remote)
{
	timer_cancel(l, MP_PBGATT_TIMER_SAR);
	timer_cancel(l, MP_PBGATT_TIMER_DELIVER);
	mp_proxy_rx_reset(&l->rx);
	l->tx_busy = false;
	l->state = MP_PBGATT_CLOSED;
	if (l->cb && l->cb->closed)
		l->cb->closed(l->user, err, reason, remote);
}

/* Our PDU is through: clear the way for the next one, then tell. */
static void report_delivered(struct mp_pbgatt *l)
{
	timer_cancel(l, MP_PBGATT_TIMER_DELIVER);
	l->tx_busy = false;
	if (l->cb && l->cb->delivered)
		l->cb->delivered(l->user);
}

struct mp_pbgatt *mp_pbgatt_new(const struct mp_pbgatt_config *cfg)
{
	struct mp_pbgatt *l;

	if (!cfg || !cfg->ops || !cfg->ops->tx || !cfg->ops->timer || !cfg->ops->disconnect ||
	    (cfg->role != MP_PBGATT_PROVISIONER && cfg->role != MP_PBGATT_DEVICE) ||
	    cfg->rx_max > MP_PBGATT_PDU_MAX) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->role = cfg->role;
	l->state = MP_PBGATT_WAITING;
	l->ops = cfg->ops;
	l->cb = cfg->cb;
	l->user = cfg->user;
	l->att_mtu = MP_PROXY_ATT_MTU_MIN;
	mp_proxy_rx_init(&l->rx, l->rx_buf, cfg->rx_max ? cfg->rx_max : MP_PBGATT_PDU_MAX);
	return l;
}

void mp_pbgatt_free(struct mp_pbgatt *l)
{
	if (!l)
		return;
	timer_cancel(l, MP_PBGATT_TIMER_SAR);
	timer_cancel(l, MP_PBGATT_TIMER_DELIVER);
	free(l);
}

int mp_pbgatt_set_mtu(struct mp_pbgatt *l, unsigned att_mtu)
{
	if (att_mtu < MP_PROXY_ATT_MTU_MIN)
		return -EINVAL;
	l->att_mtu = att_mtu;
	return 0;
}

unsigned mp_pbgatt_mtu(const struct mp_pbgatt *l)
{
	return l->att_mtu;
}

int mp_pbgatt_ready(struct mp_pbgatt *l)
{
	switch (l->state) {
	case MP_PBGATT_WAITING:
		l->state = MP_PBGATT_OPEN;
		if (l->cb && l->cb->opened)
			l->cb->opened(l->user);
		return 0;
	case MP_PBGATT_OPEN:
		return -EALREADY;
	case MP_PBGATT_CLOSING:
	case MP_PBGATT_CLOSED:
		break;
	}
	return -ENOTCONN;
}

int mp_pbgatt_send(struct mp_pbgatt *l, const uint8_t *pdu, size_t len)
{
	uint8_t value[MP_PROXY_ATT_VALUE_MAX];
	struct mp_proxy_seg seg;
	ssize_t n;
	int err;

	if (l->state != MP_PBGATT_OPEN)
		return -ENOTCONN;
	if (!pdu)
		return -EINVAL;
	if (len == 0 || len > MP_PBGATT_PDU_MAX)
		return -EMSGSIZE;
	if (l->tx_busy)
		return -EBUSY;
	/* MshPRT v1.1 5.2.2: each Provisioning PDU is one Proxy PDU message
	 * of type Provisioning PDU, segmented to the ATT_MTU. */
	err = mp_proxy_seg_init(&seg, MP_PROXY_PROVISIONING_PDU, pdu, len, l->att_mtu);
	if (err)
		return err;
	while ((n = mp_proxy_seg_next(&seg, value, sizeof(value))) > 0) {
		err = l->ops->tx(l->user, value, (size_t)n);
		if (err) {
			/*
			 * The GATT layer refused a value: whatever part of the
			 * message went out, the peer is now mid-message or
			 * missing one, and PB-GATT has no retransmission to
			 * repair it. Give the link up.
			 */
			err = err < 0 ? err : -EIO;
			start_close(l, err, MP_LINK_CLOSE_FAIL);
			return err;
		}
	}
	if (n < 0)
		return (int)n;
	/* Delivered once the reliable ATT channel has it; reported from the
	 * loop, never from inside send() (the session marks itself busy only
	 * after send() returns). */
	l->tx_busy = true;
	timer_arm(l, MP_PBGATT_TIMER_DELIVER, MP_PBGATT_DEFER_MS);
	return 0;
}

int mp_pbgatt_close(struct mp_pbgatt *l, uint8_t reason)
{
	switch (l->state) {
	case MP_PBGATT_WAITING:
	case MP_PBGATT_OPEN:
		start_close(l, 0, reason);
		return 0;
	case MP_PBGATT_CLOSING:
		return -EALREADY;
	case MP_PBGATT_CLOSED:
		break;
	}
	return -ENOTCONN;
}

int mp_pbgatt_rx(struct mp_pbgatt *l, const uint8_t *value, size_t len)
{
	struct mp_proxy_msg msg;
	bool was_busy;
	int ret;

	if (l->state != MP_PBGATT_OPEN)
		return -ENOTCONN;
	was_busy = mp_proxy_rx_in_progress(&l->rx);
	ret = mp_proxy_rx_feed(&l->rx, value, len, &msg);
	if (ret < 0) {
		/* MshPRT v1.1 6.3.2.2: a SAR violation drops the connection. */
		start_close(l, ret, MP_LINK_CLOSE_FAIL);
		return ret;
	}
	if (ret == 0) {
		/* MshPRT v1.1 6.3.2.2: 20 s for the whole segmented message,
		 * from its First segment. */
		if (!was_busy)
			timer_arm(l, MP_PBGATT_TIMER_SAR, MP_PROXY_SAR_TIMEOUT_MS);
		return 0;
	}
	timer_cancel(l, MP_PBGATT_TIMER_SAR);
	if (msg.type != MP_PROXY_PROVISIONING_PDU) {
		/* Not for this service: ignored, but the SAR rules held. */
		l->ignored++;
		return -EOPNOTSUPP;
	}
	if (l->tx_busy) {
		/*
		 * Provisioning is strictly request/response (MshPRT v1.1 5.4):
		 * the peer sent this after it had our last PDU, so report that
		 * first, and the session sees events in their true order.
		 */
		report_delivered(l);
		if (l->state != MP_PBGATT_OPEN)
			return 0;
	}
	if (l->cb && l->cb->rx)
		l->cb->rx(l->user, msg.data, msg.len);
	return 0;
}

void mp_pbgatt_timeout(struct mp_pbgatt *l, unsigned id)
{
	if (id >= MP_PBGATT_TIMERS || !l->armed[id])
		return;
	l->armed[id] = false;
	if (l->state != MP_PBGATT_OPEN)
		return;
	if (id == MP_PBGATT_TIMER_DELIVER) {
		if (l->tx_busy)
			report_delivered(l);
		return;
	}
	/* MshPRT v1.1 6.3.2.2: the SAR transfer timed out; drop the
	 * connection. */
	if (mp_proxy_rx_in_progress(&l->rx))
		start_close(l, -ETIMEDOUT, MP_LINK_CLOSE_TIMEOUT);
}

int mp_pbgatt_disconnected(struct mp_pbgatt *l, int err)
{
	uint8_t reason;

	switch (l->state) {
	case MP_PBGATT_CLOSING:
		finish(l, l->close.err, l->close.reason, false);
		return 0;
	case MP_PBGATT_WAITING:
	case MP_PBGATT_OPEN:
		if (err == 0)
			reason = MP_LINK_CLOSE_SUCCESS;
		else if (err == -ETIMEDOUT)
			reason = MP_LINK_CLOSE_TIMEOUT;
		else
			reason = MP_LINK_CLOSE_FAIL;
		finish(l, err, reason, true);
		return 0;
	case MP_PBGATT_CLOSED:
		break;
	}
	return -ENOTCONN;
}

enum mp_pbgatt_state mp_pbgatt_state(const struct mp_pbgatt *l)
{
	return l->state;
}

enum mp_pbgatt_role mp_pbgatt_role(const struct mp_pbgatt *l)
{
	return l->role;
}

unsigned mp_pbgatt_ignored(const struct mp_pbgatt *l)
{
	return l->ignored;
}

static int bearer_send(void *link, const uint8_t *pdu, size_t len)
{
	return mp_pbgatt_send(link, pdu, len);
}

static int bearer_close(void *link, uint8_t reason)
{
	return mp_pbgatt_close(link, reason);
}

static const struct mp_bearer_ops pbgatt_bearer_ops = {
	.name = "PB-GATT",
	.send = bearer_send,
	.close = bearer_close,
};

struct mp_bearer mp_pbgatt_bearer(struct mp_pbgatt *l)
{
	return (struct mp_bearer){ .ops = &pbgatt_bearer_ops, .link = l };
}
