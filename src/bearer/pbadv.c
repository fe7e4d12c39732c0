/* PB-ADV links, both roles. MshPRT v1.1 5.2.1 (PB-ADV), 5.3 (Generic Provisioning). */
#include "bearer/pbadv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* MshPRT v1.1 5.2.1: the provisioner numbers its transactions 0x00..0x7F,
 * the device 0x80..0xFF, each wrapping within its half. */
#define TRANS_PROVISIONER_FIRST 0x00
#define TRANS_DEVICE_FIRST 0x80

struct mp_pbadv {
	enum mp_pbadv_role role;
	enum mp_pbadv_state state;
	uint8_t uuid[MP_GPROV_UUID_LEN];
	const struct mp_pbadv_ops *ops;
	const struct mp_bearer_cb *cb;
	void *user;
	uint32_t retransmit_ms;
	size_t rx_max;		/* longest Provisioning PDU accepted */
	uint32_t link_id;
	bool armed[MP_PBADV_TIMERS];

	/* Our transactions: at most one outstanding (MshPRT v1.1 5.3.2). */
	struct {
		bool busy;		/* sent, not acknowledged yet */
		uint8_t num;		/* its Transaction Number */
		uint8_t next;		/* the number of the next one */
		uint8_t fcs;
		size_t len;
		uint8_t pdu[MP_GPROV_PDU_MAX];
	} tx;

	/* The peer's transactions. */
	struct {
		uint8_t expect;		/* number of the next new transaction */
		bool have_last;
		uint8_t last;		/* last one completed: repeated, it is acked again */
		struct mp_gprov_rx reasm;	/* reassembly of transaction `expect` */
	} rx;

	/* Closing: Link Close repeats, then closed(err, reason, false). */
	struct {
		uint8_t reason;
		int err;
		unsigned left;		/* transmissions still to make */
	} close;
};

static uint8_t next_trans(uint8_t num)
{
	return (uint8_t)((num & 0x80) | ((num + 1) & 0x7f));
}

static void timer_arm(struct mp_pbadv *l, unsigned id, uint32_t ms)
{
	l->armed[id] = true;
	l->ops->timer(l->user, id, ms ? ms : 1);
}

static void timer_cancel(struct mp_pbadv *l, unsigned id)
{
	if (!l->armed[id])
		return;
	l->armed[id] = false;
	l->ops->timer(l->user, id, 0);
}

static uint32_t retransmit_delay(struct mp_pbadv *l)
{
	uint32_t jitter = 0;

	if (l->ops->random)
		jitter = l->ops->random(l->user) % (MP_PBADV_JITTER_MS + 1);
	return l->retransmit_ms + jitter;
}

/* One PB-ADV PDU: Link ID || Transaction Number || GP PDU. MshPRT v1.1 5.2.1 */
static void send_gp(struct mp_pbadv *l, uint8_t num, const uint8_t *gp, size_t len)
{
	uint8_t out[MP_PBADV_PDU_MAX];
	struct mp_writer w;

	mp_writer_init(&w, out, sizeof(out));
	mp_put_be32(&w, l->link_id);
	mp_put_u8(&w, num);
	mp_put_bytes(&w, gp, len);
	if (mp_writer_ok(&w))
		l->ops->tx(l->user, out, w.len);
}

static void send_pdu(struct mp_pbadv *l, uint8_t num, const struct mp_gprov_pdu *pdu)
{
	uint8_t gp[MP_GPROV_MTU];
	ssize_t n = mp_gprov_encode(pdu, gp, sizeof(gp));

	if (n > 0)
		send_gp(l, num, gp, (size_t)n);
}

/* Bearer Control PDUs carry Transaction Number 0 (MshPRT v1.1 5.3.1.4 and
 * the sample data of 8.7.1, 8.7.2, 8.7.14). */
static void send_ctl(struct mp_pbadv *l, uint8_t opcode, uint8_t reason)
{
	struct mp_gprov_pdu pdu = { .type = MP_GPROV_CTL, .opcode = opcode, .reason = reason };

	if (opcode == MP_GPROV_LINK_OPEN) {
		pdu.data = l->uuid;
		pdu.len = sizeof(l->uuid);
	}
	send_pdu(l, 0x00, &pdu);
}

static void send_ack(struct mp_pbadv *l, uint8_t num)
{
	struct mp_gprov_pdu pdu = { .type = MP_GPROV_ACK };

	send_pdu(l, num, &pdu);
}

static void send_segments(struct mp_pbadv *l)
{
	unsigned i, seg_n = mp_gprov_seg_n(l->tx.len);
	uint8_t gp[MP_GPROV_MTU];

	for (i = 0; i <= seg_n; i++) {
		ssize_t n = mp_gprov_segment(l->tx.pdu, l->tx.len, l->tx.fcs, i, gp, sizeof(gp));

		if (n > 0)
			send_gp(l, l->tx.num, gp, (size_t)n);
	}
}

/* Fresh transaction state for a new link. */
static void link_reset(struct mp_pbadv *l, uint32_t link_id)
{
	bool prov = l->role == MP_PBADV_PROVISIONER;

	l->link_id = link_id;
	l->tx.busy = false;
	l->tx.len = 0;
	l->tx.next = prov ? TRANS_PROVISIONER_FIRST : TRANS_DEVICE_FIRST;
	l->rx.expect = prov ? TRANS_DEVICE_FIRST : TRANS_PROVISIONER_FIRST;
	l->rx.have_last = false;
	mp_gprov_rx_reset(&l->rx.reasm);
}

/* Report the end of the link; the owner may free @l in the callback. */
static void finish(struct mp_pbadv *l, int err, uint8_t reason, bool remote)
{
	timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
	timer_cancel(l, MP_PBADV_TIMER_GUARD);
	l->tx.busy = false;
	l->state = MP_PBADV_CLOSED;
	if (l->cb && l->cb->closed)
		l->cb->closed(l->user, err, reason, remote);
}

static void start_close(struct mp_pbadv *l, uint8_t reason, int err)
{
	timer_cancel(l, MP_PBADV_TIMER_GUARD);
	l->tx.busy = false;
	l->state = MP_PBADV_CLOSING;
	l->close.reason = reason;
	l->close.err = err;
	l->close.left = MP_PBADV_CLOSE_REPEATS - 1;
	timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, MP_PBADV_CLOSE_INTERVAL_MS);
	send_ctl(l, MP_GPROV_LINK_CLOSE, reason);
}

/* Our transaction was acknowledged: stop its timers. */
static void tx_acked(struct mp_pbadv *l)
{
	timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
	timer_cancel(l, MP_PBADV_TIMER_GUARD);
	l->tx.busy = false;
}

static void report_opened(struct mp_pbadv *l)
{
	if (l->cb && l->cb->opened)
		l->cb->opened(l->user);
}

static void report_delivered(struct mp_pbadv *l)
{
	if (l->cb && l->cb->delivered)
		l->cb->delivered(l->user);
}

struct mp_pbadv *mp_pbadv_new(const struct mp_pbadv_config *cfg)
{
	struct mp_pbadv *l;

	if (!cfg || !cfg->ops || !cfg->ops->tx || !cfg->ops->timer ||
	    (cfg->role != MP_PBADV_PROVISIONER && cfg->role != MP_PBADV_DEVICE) ||
	    cfg->rx_max > MP_GPROV_PDU_MAX) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->role = cfg->role;
	l->state = MP_PBADV_IDLE;
	memcpy(l->uuid, cfg->uuid, sizeof(l->uuid));
	l->ops = cfg->ops;
	l->cb = cfg->cb;
	l->user = cfg->user;
	l->retransmit_ms = cfg->retransmit_ms ? cfg->retransmit_ms : MP_PBADV_RETRANSMIT_MS;
	l->rx_max = cfg->rx_max ? cfg->rx_max : MP_GPROV_PROV_PDU_MAX;
	link_reset(l, 0);
	return l;
}

void mp_pbadv_free(struct mp_pbadv *l)
{
	if (!l)
		return;
	timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
	timer_cancel(l, MP_PBADV_TIMER_GUARD);
	free(l);
}

int mp_pbadv_open(struct mp_pbadv *l, uint32_t link_id)
{
	if (l->role != MP_PBADV_PROVISIONER)
		return -EINVAL;
	if (l->state != MP_PBADV_IDLE && l->state != MP_PBADV_CLOSED)
		return -EBUSY;
	link_reset(l, link_id);
	l->state = MP_PBADV_OPENING;
	/* MshPRT v1.1 5.3.2: Link Open is repeated until Link Ack, for at most
	 * the 60 s of the link establishment timer. */
	timer_arm(l, MP_PBADV_TIMER_GUARD, MP_PBADV_LINK_TIMEOUT_MS);
	timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, retransmit_delay(l));
	send_ctl(l, MP_GPROV_LINK_OPEN, 0);
	return 0;
}

int mp_pbadv_listen(struct mp_pbadv *l)
{
	if (l->role != MP_PBADV_DEVICE)
		return -EINVAL;
	if (l->state != MP_PBADV_IDLE && l->state != MP_PBADV_CLOSED)
		return -EBUSY;
	link_reset(l, 0);
	l->state = MP_PBADV_LISTENING;
	return 0;
}

int mp_pbadv_send(struct mp_pbadv *l, const uint8_t *pdu, size_t len)
{
	if (l->state != MP_PBADV_OPEN)
		return -ENOTCONN;
	if (!pdu)
		return -EINVAL;
	if (len == 0 || len > MP_GPROV_PDU_MAX)
		return -EMSGSIZE;
	if (l->tx.busy)
		return -EBUSY;
	memmove(l->tx.pdu, pdu, len);
	l->tx.len = len;
	l->tx.fcs = mp_gprov_fcs(l->tx.pdu, len);
	l->tx.num = l->tx.next;
	l->tx.next = next_trans(l->tx.next);
	l->tx.busy = true;
	/* MshPRT v1.1 5.3.2: retransmit until acknowledged; give up when the
	 * 30 s transaction timer expires. */
	timer_arm(l, MP_PBADV_TIMER_GUARD, MP_PBADV_TRANSACTION_TIMEOUT_MS);
	timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, retransmit_delay(l));
	send_segments(l);
	return 0;
}

int mp_pbadv_close(struct mp_pbadv *l, uint8_t reason)
{
	switch (l->state) {
	case MP_PBADV_LISTENING:
		l->state = MP_PBADV_IDLE;
		return 0;
	case MP_PBADV_OPENING:
	case MP_PBADV_OPEN:
		timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
		start_close(l, reason, 0);
		return 0;
	case MP_PBADV_CLOSING:
		return -EALREADY;
	case MP_PBADV_IDLE:
	case MP_PBADV_CLOSED:
		break;
	}
	return -ENOTCONN;
}

/* Device, listening: only a Link Open for our UUID matters. MshPRT v1.1 5.3.2 */
static int rx_listening(struct mp_pbadv *l, uint32_t link_id, const struct mp_gprov_pdu *gp)
{
	if (gp->type != MP_GPROV_CTL || gp->opcode != MP_GPROV_LINK_OPEN)
		return -ENOTCONN;
	if (memcmp(gp->data, l->uuid, sizeof(l->uuid)) != 0)
		return -ENOENT;
	link_reset(l, link_id);
	l->state = MP_PBADV_OPEN;
	send_ctl(l, MP_GPROV_LINK_ACK, 0);
	report_opened(l);
	return 0;
}

/* Provisioner, Link Open sent: waiting for Link Ack. */
static int rx_opening(struct mp_pbadv *l, const struct mp_gprov_pdu *gp)
{
	if (gp->type != MP_GPROV_CTL)
		return -ENOTCONN;
	if (gp->opcode == MP_GPROV_LINK_ACK) {
		timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
		timer_cancel(l, MP_PBADV_TIMER_GUARD);
		l->state = MP_PBADV_OPEN;
		report_opened(l);
		return 0;
	}
	if (gp->opcode == MP_GPROV_LINK_CLOSE) {
		finish(l, 0, gp->reason, true);
		return 0;
	}
	return -EPROTO;
}

static int rx_ctl_open(struct mp_pbadv *l, const struct mp_gprov_pdu *gp)
{
	switch (gp->opcode) {
	case MP_GPROV_LINK_OPEN:
		if (l->role != MP_PBADV_DEVICE)
			return -EPROTO;
		if (memcmp(gp->data, l->uuid, sizeof(l->uuid)) != 0)
			return -ENOENT;
		/* Our Link Ack was lost: the provisioner repeats Link Open. */
		send_ctl(l, MP_GPROV_LINK_ACK, 0);
		return -EALREADY;
	case MP_GPROV_LINK_ACK:
		return l->role == MP_PBADV_PROVISIONER ? -EALREADY : -EPROTO;
	case MP_GPROV_LINK_CLOSE:
		finish(l, 0, gp->reason, true);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* A segment of the peer's transaction @num. MshPRT v1.1 5.3.2 */
static int rx_segment(struct mp_pbadv *l, uint8_t num, const struct mp_gprov_pdu *gp)
{
	int n;

	if (l->rx.have_last && num == l->rx.last) {
		/* Our ack was lost and the peer retransmits: ack again, but do
		 * not deliver twice. */
		send_ack(l, num);
		return -EALREADY;
	}
	if (num != l->rx.expect)
		return -EPROTO;
	/* Longer than any PDU we take: malformed, so neither stored nor
	 * acknowledged (MshPRT v1.1 5.3.2 acknowledges only a complete valid
	 * transaction). Dropping it before the reassembly keeps that free for
	 * the peer's own transaction of the same number, which a forger in
	 * radio range could otherwise shut out. */
	if ((gp->type == MP_GPROV_START && gp->total_len > l->rx_max) ||
	    (gp->type == MP_GPROV_CONT && gp->seg > mp_gprov_seg_n(l->rx_max)))
		return -EMSGSIZE;
	n = mp_gprov_rx_add(&l->rx.reasm, gp);
	if (n <= 0)
		return n;
	l->rx.last = num;
	l->rx.have_last = true;
	l->rx.expect = next_trans(num);
	/* The reassembly is reset, the buffer keeps the PDU for the callback. */
	mp_gprov_rx_reset(&l->rx.reasm);
	send_ack(l, num);
	if (l->tx.busy) {
		/*
		 * Provisioning is strictly request/response (MshPRT v1.1 5.4):
		 * the peer starts a new transaction only once it has our last
		 * PDU. So a complete new transaction acknowledges ours even if
		 * its Transaction Ack was lost, and the session can answer it
		 * at once instead of waiting for the next retransmission round.
		 */
		tx_acked(l);
		report_delivered(l);
		if (l->state != MP_PBADV_OPEN)
			return 0;
	}
	if (l->cb && l->cb->rx)
		l->cb->rx(l->user, l->rx.reasm.buf, (size_t)n);
	return 0;
}

static int rx_open(struct mp_pbadv *l, uint8_t num, const struct mp_gprov_pdu *gp)
{
	switch (gp->type) {
	case MP_GPROV_CTL:
		return rx_ctl_open(l, gp);
	case MP_GPROV_ACK:
		if (!l->tx.busy || num != l->tx.num)
			return -EALREADY;
		tx_acked(l);
		report_delivered(l);
		return 0;
	case MP_GPROV_START:
	case MP_GPROV_CONT:
		return rx_segment(l, num, gp);
	}
	return -EPROTO;
}

static int rx(struct mp_pbadv *l, uint32_t link_id, uint8_t num, const uint8_t *gpdu,
	      size_t len)
{
	struct mp_gprov_pdu gp;
	int err;

	switch (l->state) {
	case MP_PBADV_LISTENING:
		err = mp_gprov_decode(gpdu, len, &gp);
		return err ? err : rx_listening(l, link_id, &gp);
	case MP_PBADV_OPENING:
	case MP_PBADV_OPEN:
		if (link_id != l->link_id)
			return -ENOENT;
		err = mp_gprov_decode(gpdu, len, &gp);
		if (err)
			return err;
		if (l->state == MP_PBADV_OPENING)
			return rx_opening(l, &gp);
		return rx_open(l, num, &gp);
	case MP_PBADV_IDLE:
	case MP_PBADV_CLOSING:
	case MP_PBADV_CLOSED:
		break;
	}
	return -ENOTCONN;
}

int mp_pbadv_rx(struct mp_pbadv *l, const uint8_t *pdu, size_t len)
{
	struct mp_reader r;
	uint32_t link_id;
	uint8_t num;

	mp_reader_init(&r, pdu, len);
	mp_get_be32(&r, &link_id);
	mp_get_u8(&r, &num);
	if (r.err)
		return -EPROTO;
	return rx(l, link_id, num, mp_reader_ptr(&r), mp_reader_left(&r));
}

int mp_pbadv_rx_pdu(struct mp_pbadv *l, const struct mp_pbadv_pdu *pdu)
{
	return rx(l, pdu->link_id, pdu->trans_num, pdu->gpdu, pdu->gpdu_len);
}

static void retransmit(struct mp_pbadv *l)
{
	switch (l->state) {
	case MP_PBADV_OPENING:
		timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, retransmit_delay(l));
		send_ctl(l, MP_GPROV_LINK_OPEN, 0);
		break;
	case MP_PBADV_OPEN:
		if (!l->tx.busy)
			break;
		timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, retransmit_delay(l));
		send_segments(l);
		break;
	case MP_PBADV_CLOSING:
		send_ctl(l, MP_GPROV_LINK_CLOSE, l->close.reason);
		if (l->close.left > 0)
			l->close.left--;
		if (l->close.left == 0)
			finish(l, l->close.err, l->close.reason, false);
		else
			timer_arm(l, MP_PBADV_TIMER_RETRANSMIT, MP_PBADV_CLOSE_INTERVAL_MS);
		break;
	case MP_PBADV_IDLE:
	case MP_PBADV_LISTENING:
	case MP_PBADV_CLOSED:
		break;
	}
}

void mp_pbadv_timeout(struct mp_pbadv *l, unsigned id)
{
	if (id >= MP_PBADV_TIMERS || !l->armed[id])
		return;
	l->armed[id] = false;
	if (id == MP_PBADV_TIMER_RETRANSMIT) {
		retransmit(l);
		return;
	}
	/* MshPRT v1.1 5.3.2: when the link establishment timer or the
	 * transaction timer expires, give up and close the link with reason
	 * Timeout. */
	if (l->state == MP_PBADV_OPENING || (l->state == MP_PBADV_OPEN && l->tx.busy)) {
		timer_cancel(l, MP_PBADV_TIMER_RETRANSMIT);
		start_close(l, MP_LINK_CLOSE_TIMEOUT, -ETIMEDOUT);
	}
}

uint32_t mp_pbadv_link_id(const struct mp_pbadv *l)
{
	return l->link_id;
}

enum mp_pbadv_state mp_pbadv_state(const struct mp_pbadv *l)
{
	return l->state;
}

static int bearer_send(void *link, const uint8_t *pdu, size_t len)
{
	return mp_pbadv_send(link, pdu, len);
}

static int bearer_close(void *link, uint8_t reason)
{
	return mp_pbadv_close(link, reason);
}

static const struct mp_bearer_ops pbadv_bearer_ops = {
	.name = "PB-ADV",
	.send = bearer_send,
	.close = bearer_close,
};

struct mp_bearer mp_pbadv_bearer(struct mp_pbadv *l)
{
	return (struct mp_bearer){ .ops = &pbadv_bearer_ops, .link = l };
}

int mp_pbadv_pdu_link_id(const uint8_t *pdu, size_t len, uint32_t *link_id)
{
	struct mp_reader r;

	*link_id = 0;
	mp_reader_init(&r, pdu, len);
	mp_get_be32(&r, link_id);
	if (len < 6 || r.err)
		return -EPROTO;
	return 0;
}
