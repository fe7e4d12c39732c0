/* Fuzz target: the provisioner's GATT client (gatt/client.h), started, then
 * fed an arbitrary stream of ATT PDUs, timer expiries and writes.
 *
 * Input: one config octet (bit 0: the Mesh Proxy Service instead of Mesh
 * Provisioning; bits 1-2: our Client Rx MTU 517, 23, 69 or 185), then
 * records of one op octet, one length octet and that many octets:
 *   op % 4 == 0  feed the octets to the client as a received ATT PDU
 *   op % 4 == 1  the timer expires (if armed; a stale expiry when length is odd)
 *   op % 4 == 2  write the octets to Data In
 *   op % 4 == 3  feed the octets prefixed with the opcode of the response
 *               awaited (or with opcode (length & 0x1f) + 1 when none is): a
 *               shortcut into the deeper states
 * Invariants (abort on failure): every PDU the client sends decodes
 * cleanly and fits ATT_MTU; at most one request is outstanding; the timer
 * is armed only for 30 s; ready() and failed() come at most once, nothing
 * follows failed(), notify() only after ready() and within ATT_MTU - 3;
 * writes succeed only when ready; the handles reported at ready() are
 * consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatt/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct mp_gatt_client *c;
	bool outstanding;	/* a request of the client's awaits a response */
	bool armed, ready, failed;
	uint8_t last_req;
};

static void fz_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct fz *f = owner;
	struct mp_att_pdu p;

	if (f->failed || len == 0 || len > mp_gatt_client_mtu(f->c) ||
	    mp_att_decode(pdu, len, &p) != 0)
		abort();
	switch (mp_att_opcode_kind(pdu[0])) {
	case MP_ATT_KIND_REQUEST:
		/* Core v5.4 Vol 3 Part F 3.3.2: one at a time. */
		if (f->outstanding || f->ready)
			abort();
		f->outstanding = true;
		f->last_req = pdu[0];
		break;
	case MP_ATT_KIND_COMMAND:
		if (!f->ready || pdu[0] != MP_ATT_WRITE_CMD)
			abort();
		break;
	case MP_ATT_KIND_RESPONSE:
	case MP_ATT_KIND_CONFIRMATION:
		break;
	case MP_ATT_KIND_NOTIFICATION:
	case MP_ATT_KIND_INDICATION:
		abort();
	}
}

static void fz_timer(void *owner, uint32_t delay_ms)
{
	struct fz *f = owner;

	if (delay_ms != 0 && delay_ms != MP_ATT_TIMEOUT_MS)
		abort();
	f->armed = delay_ms != 0;
}

static void check_handles(const struct mp_gatt_handles *h)
{
	if (h->service_start == 0 || h->service_start > h->service_end ||
	    h->data_in_decl <= h->service_start || h->data_in <= h->data_in_decl ||
	    h->data_in > h->service_end ||
	    h->data_out_decl <= h->service_start || h->data_out <= h->data_out_decl ||
	    h->data_out > h->service_end ||
	    h->cccd <= h->data_out || h->cccd > h->data_out_end ||
	    h->data_out_end > h->service_end ||
	    !(h->data_in_props & MP_GATT_PROP_WRITE_NO_RSP) ||
	    !(h->data_out_props & MP_GATT_PROP_NOTIFY))
		abort();
}

static void fz_ready(void *owner, uint16_t mtu)
{
	struct fz *f = owner;

	if (f->ready || f->failed || f->armed || mtu < MP_ATT_MTU_DEFAULT ||
	    mtu > MP_ATT_MTU_MAX || mtu != mp_gatt_client_mtu(f->c))
		abort();
	check_handles(mp_gatt_client_handles(f->c));
	f->ready = true;
	f->outstanding = false;
}

static void fz_notify(void *owner, const uint8_t *value, size_t len)
{
	struct fz *f = owner;

	if (!f->ready || f->failed || len > (size_t)mp_gatt_client_mtu(f->c) - 3)
		abort();
	/* Touch every octet so ASan sees an overread. */
	if (len && value[0] == 0x42 && value[len - 1] == 0x42)
		f->armed = f->armed;
}

static void fz_failed(void *owner, int err, const char *reason)
{
	struct fz *f = owner;
	const char *step = mp_gatt_client_step(f->c);

	if (f->failed || err >= 0 || !reason || strncmp(reason, step, strlen(step)) != 0 ||
	    f->armed || mp_gatt_client_state(f->c) != MP_GATT_CLIENT_FAILED)
		abort();
	f->failed = true;
	f->outstanding = false;
}

static const struct mp_gatt_client_ops fz_ops = {
	.tx = fz_tx, .timer = fz_timer, .ready = fz_ready, .notify = fz_notify,
	.failed = fz_failed,
};

static void feed(struct fz *f, const uint8_t *pdu, size_t len)
{
	/* Any response ends the outstanding request: it is taken or fatal. */
	if (len && mp_att_opcode_kind(pdu[0]) == MP_ATT_KIND_RESPONSE)
		f->outstanding = false;
	mp_gatt_client_rx(f->c, pdu, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t mtus[] = { 0, 23, 69, 185 };
	struct mp_gatt_client_config cfg = { .ops = &fz_ops };
	struct fz f = { 0 };
	size_t off = 1;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		cfg.uuids = mp_gatt_mesh_proxy;
	cfg.mtu = mtus[(data[0] >> 1) & 3];
	cfg.owner = &f;
	f.c = mp_gatt_client_new(&cfg);
	if (!f.c)
		abort();
	if (mp_gatt_client_start(f.c) != 0)
		abort();

	while (off + 2 <= size) {
		uint8_t op = data[off], buf[MP_ATT_MTU_MAX + 2];
		size_t len = data[off + 1];
		const uint8_t *arg = data + off + 2;
		int rc;

		off += 2;
		if (len > size - off)
			len = size - off;
		switch (op % 4) {
		case 0:
			feed(&f, arg, len);
			break;
		case 1:
			if (f.armed || (len & 1)) {
				bool was = f.armed;

				f.armed = false;
				mp_gatt_client_timeout(f.c);
				if (was && !f.failed)
					abort();
			}
			break;
		case 2:
			rc = mp_gatt_client_write(f.c, arg, len);
			if ((rc == 0) != (f.ready && !f.failed && len >= 1 &&
					  len <= (size_t)mp_gatt_client_mtu(f.c) - 3))
				abort();
			break;
		case 3:
			buf[0] = f.outstanding ? mp_att_response_opcode(f.last_req) :
						 (uint8_t)((len & 0x1f) + 1);
			memcpy(buf + 1, arg, len);
			feed(&f, buf, len + 1);
			break;
		}
		off += len;
	}
	mp_gatt_client_free(f.c);
	return 0;
}
