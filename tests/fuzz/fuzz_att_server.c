/* Fuzz target: the device's GATT server (gatt/server.h) fed an arbitrary
 * stream of ATT PDUs and notifications to send.
 *
 * Input: one config octet (bit 0: the Mesh Proxy Service instead of Mesh
 * Provisioning; bits 1-2: our Server Rx MTU 517, 23, 69 or 185), then
 * records of one op octet, one length octet and that many octets:
 *   op % 2 == 0  feed the octets to the server as a received ATT PDU
 *   op % 2 == 1  notify the octets on Data Out
 * Invariants (abort on failure): each request gets exactly one answer, its
 * response or an Error Response naming it; nothing else is answered;
 * everything sent decodes cleanly and fits ATT_MTU; list responses stay
 * inside the range asked and the database (0x0001..0x0006); data_in() only
 * for a Write Command to Data In, with its value; cccd() only for an
 * accepted Write Request; a notification goes out only when enabled. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gatt/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct mp_gatt_server *s;
	unsigned ntx, ndata, ncccd;
	uint8_t last[MP_ATT_MTU_MAX];
	size_t last_len;
	const uint8_t *in;	/* the PDU being fed */
	size_t in_len;
};

static void fz_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct fz *f = owner;
	struct mp_att_pdu p;

	if (len == 0 || len > mp_gatt_server_mtu(f->s) || mp_att_decode(pdu, len, &p) != 0)
		abort();
	memcpy(f->last, pdu, len);
	f->last_len = len;
	f->ntx++;
}

static void fz_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct fz *f = owner;

	if (!f->in || f->in[0] != MP_ATT_WRITE_CMD || f->in_len < 4 || len != f->in_len - 3 ||
	    f->in[1] != MP_GATT_SERVER_DATA_IN || f->in[2] != 0 || value != f->in + 3)
		abort();
	f->ndata++;
}

static void fz_cccd(void *owner, bool enabled)
{
	struct fz *f = owner;

	if (!f->in || f->in[0] != MP_ATT_WRITE_REQ || f->in_len != 5 ||
	    f->in[1] != MP_GATT_SERVER_CCCD || f->in[2] != 0 ||
	    enabled != mp_gatt_server_notifying(f->s))
		abort();
	f->ncccd++;
}

static const struct mp_gatt_server_ops fz_ops = {
	.tx = fz_tx, .data_in = fz_data_in, .cccd = fz_cccd,
};

/* The answer to request @req: its response or an Error Response for it;
 * a list stays inside the range the request asked about. */
static void check_answer(const uint8_t *req, size_t req_len, const uint8_t *rsp, size_t len)
{
	struct mp_att_pdu q, p;
	uint16_t start = 1, end = 0xffff, h, e;
	const uint8_t *v;
	size_t i, vlen;
	struct mp_att_uuid u;

	if (mp_att_decode(rsp, len, &p) != 0)
		abort();
	if (p.opcode == MP_ATT_ERROR_RSP) {
		if (p.err.req_opcode != req[0] || p.err.code == 0)
			abort();
		return;
	}
	if (p.opcode != mp_att_response_opcode(req[0]) || mp_att_decode(req, req_len, &q) != 0)
		abort();
	switch (q.opcode) {
	case MP_ATT_FIND_INFO_REQ:
		start = q.range.start;
		end = q.range.end;
		break;
	case MP_ATT_FIND_BY_TYPE_REQ:
		start = q.find.start;
		end = q.find.end;
		break;
	case MP_ATT_READ_BY_TYPE_REQ:
	case MP_ATT_READ_BY_GROUP_REQ:
		start = q.by_type.start;
		end = q.by_type.end;
		break;
	}
	if (end > MP_GATT_SERVER_LAST)
		end = MP_GATT_SERVER_LAST;
	for (i = 0; i < (p.opcode == MP_ATT_FIND_INFO_RSP || p.opcode == MP_ATT_FIND_BY_TYPE_RSP ||
			 p.opcode == MP_ATT_READ_BY_TYPE_RSP ||
			 p.opcode == MP_ATT_READ_BY_GROUP_RSP ? p.list.count : 0); i++) {
		switch (p.opcode) {
		case MP_ATT_FIND_INFO_RSP:
			mp_att_info_entry(&p, i, &h, &u);
			break;
		case MP_ATT_FIND_BY_TYPE_RSP:
			mp_att_handles_entry(&p, i, &h, &e);
			break;
		case MP_ATT_READ_BY_TYPE_RSP:
			mp_att_data_entry(&p, i, &h, &v, &vlen);
			break;
		default:
			mp_att_group_entry(&p, i, &h, &e, &v, &vlen);
			break;
		}
		if (h < start || h > end)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t mtus[] = { 0, 23, 69, 185 };
	struct mp_gatt_server_config cfg = { .ops = &fz_ops };
	struct fz f = { 0 };
	size_t off = 1;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		cfg.uuids = mp_gatt_mesh_proxy;
	cfg.mtu = mtus[(data[0] >> 1) & 3];
	cfg.owner = &f;
	f.s = mp_gatt_server_new(&cfg);
	if (!f.s)
		abort();

	while (off + 2 <= size) {
		uint8_t op = data[off];
		size_t len = data[off + 1];
		const uint8_t *arg = data + off + 2;
		unsigned before = f.ntx, cccd = f.ncccd;
		uint16_t mtu = mp_gatt_server_mtu(f.s);
		int rc;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (op % 2 == 0) {
			f.in = arg;
			f.in_len = len;
			rc = mp_gatt_server_rx(f.s, arg, len);
			f.in = NULL;
			if (len && mp_att_opcode_kind(arg[0]) == MP_ATT_KIND_REQUEST) {
				if (f.ntx != before + 1 || (rc != 0 && rc != -EMSGSIZE))
					abort();
				check_answer(arg, len, f.last, f.last_len);
			} else if (f.ntx != before) {
				abort();
			}
			if (f.ncccd != cccd && (f.last_len != 1 || f.last[0] != MP_ATT_WRITE_RSP))
				abort();
		} else {
			rc = mp_gatt_server_notify(f.s, arg, len);
			if ((rc == 0) != (mp_gatt_server_notifying(f.s) && len >= 1 &&
					  len <= (size_t)mtu - 3))
				abort();
			if (rc == 0 && (f.ntx != before + 1 || f.last_len != len + 3 ||
					f.last[0] != MP_ATT_NOTIFY ||
					f.last[1] != MP_GATT_SERVER_DATA_OUT ||
					memcmp(f.last + 3, arg, len) != 0))
				abort();
		}
		off += len;
	}
	mp_gatt_server_free(f.s);
	return 0;
}
