/* Fuzz target: the Proxy PDU reassembler (bearer/proxy.h) and a PB-GATT
 * link (bearer/pbgatt.h) fed arbitrary sequences of ATT values.
 *
 * Input: the first octet picks the reassembler's limit (1..256 octets) and
 * the link's ATT_MTU (23 + octet); then records of one length octet and
 * that many octets, each one ATT value fed to both. A record whose length
 * octet has the top bit set is instead an event for the link: bit 0 expires
 * its SAR timer, bit 1 its delivery timer, bit 2 makes it send the record's
 * remaining octets as a Provisioning PDU, bit 3 reports a disconnection;
 * the link is recreated (and made ready) once closed.
 *
 * Invariants (abort on failure):
 *  - the reassembler returns 1, 0 or one of its five errors; a complete
 *    message is 1..limit octets, inside the buffer, equal to the Data of
 *    the values that made it, of the Message Type they carried; after an
 *    error it is idle; "in progress" is exactly "a First was taken and no
 *    Last yet";
 *  - the link delivers only Provisioning PDUs, 1..limit octets; a SAR error
 *    moves it to CLOSING with disconnect() asked; closed() comes once, and
 *    only from mp_pbgatt_disconnected(); every value it sends is a Proxy PDU
 *    of type Provisioning PDU within the ATT_MTU, and the values of one send
 *    reassemble to the PDU sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/pbgatt.h"
#include "bearer/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT_MAX 256

struct fz {
	/* the bare reassembler and a model of it */
	struct mp_proxy_rx rx;
	uint8_t buf[LIMIT_MAX];
	size_t limit;
	uint8_t model[LIMIT_MAX + 512];
	size_t model_len;
	uint8_t model_type;
	bool model_busy;

	/* the link */
	struct mp_pbgatt *link;
	unsigned mtu;
	bool armed[MP_PBGATT_TIMERS];
	bool disconnect_asked, closed, in_disconnected, in_send;
	/* what one send() wrote, reassembled */
	struct mp_proxy_rx echo;
	uint8_t echo_buf[MP_PBGATT_PDU_MAX];
	bool echo_done;
	size_t echo_len;
};

static int fz_tx(void *user, const uint8_t *value, size_t len)
{
	struct fz *f = user;
	struct mp_proxy_msg m;
	int ret;

	if (!f->in_send || len < 2 || len > mp_proxy_pdu_size(f->mtu) ||
	    MP_PROXY_HDR_TYPE(value[0]) != MP_PROXY_PROVISIONING_PDU || f->echo_done)
		abort();
	ret = mp_proxy_rx_feed(&f->echo, value, len, &m);
	if (ret < 0)
		abort();
	if (ret == 1) {
		f->echo_done = true;
		f->echo_len = m.len;
	}
	/* The GATT layer sometimes refuses. */
	return value[len - 1] == 0xee ? -ENOBUFS : 0;
}

static void fz_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct fz *f = user;

	if (id >= MP_PBGATT_TIMERS)
		abort();
	f->armed[id] = delay_ms != 0;
}

static void fz_disconnect(void *user)
{
	struct fz *f = user;

	if (f->closed)
		abort();
	f->disconnect_asked = true;
}

static void fz_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct fz *f = user;

	if (f->closed || len == 0 || len > f->limit)
		abort();
	if (pdu[0] == 0x42 && pdu[len - 1] == 0x42)
		f->armed[0] = f->armed[0];	/* touch both ends for ASan */
}

static void fz_delivered(void *user)
{
	struct fz *f = user;

	if (f->closed || f->in_send)
		abort();
}

static void fz_closed(void *user, int err, uint8_t reason, bool remote)
{
	struct fz *f = user;

	if (f->closed || !f->in_disconnected)
		abort();
	f->closed = true;
}

static const struct mp_pbgatt_ops fz_ops = {
	.tx = fz_tx, .timer = fz_timer, .disconnect = fz_disconnect,
};
static const struct mp_bearer_cb fz_cb = {
	.rx = fz_rx, .delivered = fz_delivered, .closed = fz_closed,
};

static void link_new(struct fz *f)
{
	struct mp_pbgatt_config cfg = {
		.role = MP_PBGATT_DEVICE, .ops = &fz_ops, .cb = &fz_cb, .user = f,
		.rx_max = f->limit,
	};

	f->link = mp_pbgatt_new(&cfg);
	if (!f->link || mp_pbgatt_set_mtu(f->link, f->mtu) || mp_pbgatt_ready(f->link))
		abort();
	memset(f->armed, 0, sizeof(f->armed));
	f->closed = f->disconnect_asked = false;
}

/* The bare reassembler against the model. */
static void check_rx(struct fz *f, const uint8_t *v, size_t len)
{
	struct mp_proxy_msg m;
	uint8_t sar = len ? MP_PROXY_HDR_SAR(v[0]) : 0, type = len ? MP_PROXY_HDR_TYPE(v[0]) : 0;
	bool starts = sar == MP_PROXY_SAR_COMPLETE || sar == MP_PROXY_SAR_FIRST;
	int ret = mp_proxy_rx_feed(&f->rx, v, len, &m);

	if (ret < 0) {
		if (ret != -EBADMSG && ret != -ENOMSG && ret != -EALREADY &&
		    ret != -EPROTOTYPE && ret != -EMSGSIZE)
			abort();
		if (mp_proxy_rx_in_progress(&f->rx))
			abort();
		f->model_busy = false;
		return;
	}
	/* Only a well-formed value gets here: check it against the model. */
	if (len == 0 || starts == f->model_busy || (!starts && type != f->model_type))
		abort();
	if (starts) {
		f->model_len = 0;
		f->model_type = type;
	}
	memcpy(f->model + f->model_len, v + 1, len - 1);
	f->model_len += len - 1;
	f->model_busy = sar == MP_PROXY_SAR_FIRST || sar == MP_PROXY_SAR_CONT;
	if (f->model_len > f->limit || f->model_busy != mp_proxy_rx_in_progress(&f->rx))
		abort();
	if (ret == 1) {
		if (f->model_busy || m.len != f->model_len || m.len == 0 || m.type != type ||
		    m.type != f->model_type || m.data != f->buf ||
		    memcmp(m.data, f->model, m.len) != 0)
			abort();
	} else if (ret != 0 || !f->model_busy) {
		abort();
	}
}

static void link_event(struct fz *f, uint8_t ev, const uint8_t *arg, size_t len)
{
	enum mp_pbgatt_state st = mp_pbgatt_state(f->link);
	int ret;

	if ((ev & 1) && f->armed[MP_PBGATT_TIMER_SAR]) {
		f->armed[MP_PBGATT_TIMER_SAR] = false;
		mp_pbgatt_timeout(f->link, MP_PBGATT_TIMER_SAR);
	}
	if ((ev & 2) && (f->armed[MP_PBGATT_TIMER_DELIVER] || (ev & 0x10))) {
		f->armed[MP_PBGATT_TIMER_DELIVER] = false;
		mp_pbgatt_timeout(f->link, MP_PBGATT_TIMER_DELIVER);
	}
	if (ev & 4) {
		mp_proxy_rx_init(&f->echo, f->echo_buf, sizeof(f->echo_buf));
		f->echo_done = false;
		f->in_send = true;
		ret = mp_pbgatt_send(f->link, arg, len);
		f->in_send = false;
		if (ret == 0 && (!f->echo_done || f->echo_len != len ||
				 memcmp(f->echo_buf, arg, len) != 0))
			abort();
		if (ret == -ENOBUFS && mp_pbgatt_state(f->link) != MP_PBGATT_CLOSING)
			abort();
	}
	if (ev & 8) {
		f->in_disconnected = true;
		ret = mp_pbgatt_disconnected(f->link, -(int)(ev & 0x70));
		f->in_disconnected = false;
		if ((ret == 0) != (st != MP_PBGATT_CLOSED) || !f->closed)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f;
	size_t off = 1;

	if (size < 1)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return 0;
	f->limit = (size_t)(data[0] % LIMIT_MAX) + 1;
	f->mtu = MP_PROXY_ATT_MTU_MIN + data[0];
	if (mp_proxy_rx_init(&f->rx, f->buf, f->limit))
		abort();
	link_new(f);

	while (off < size) {
		uint8_t hdr = data[off++];
		size_t len = hdr & 0x7f;
		int ret;

		if (len > size - off)
			len = size - off;
		if (hdr & 0x80) {
			if (len == 0)
				continue;
			link_event(f, data[off], data + off + 1, len - 1);
		} else {
			enum mp_pbgatt_state before = mp_pbgatt_state(f->link);

			check_rx(f, data + off, len);
			ret = mp_pbgatt_rx(f->link, data + off, len);
			if (before != MP_PBGATT_OPEN && ret != -ENOTCONN)
				abort();
			if (ret < 0 && ret != -ENOTCONN && ret != -EOPNOTSUPP &&
			    (mp_pbgatt_state(f->link) != MP_PBGATT_CLOSING || !f->disconnect_asked))
				abort();
		}
		off += len;
		if (f->closed) {
			mp_pbgatt_free(f->link);
			link_new(f);
		}
	}
	mp_pbgatt_free(f->link);
	free(f);
	return 0;
}
