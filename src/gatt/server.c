/* A minimal ATT server exposing one Mesh service (the device side of
 * PB-GATT). Core v5.4 Vol 3 Part F 3.4, Part G 3 and 4; MshPRT v1.1 7.1. */
#include "gatt/server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* Attribute permissions of the fixed database (gatt/server.h). */
#define PERM_READ 0x01
#define PERM_WRITE 0x02		/* Write Request */
#define PERM_WRITE_CMD 0x04	/* Write Command */

#define NATTR MP_GATT_SERVER_LAST

struct attr {
	uint16_t handle;
	uint16_t type;		/* every type here is a 16-bit UUID */
	uint8_t perm;
	uint8_t len;		/* value length (readable attributes) */
	uint8_t value[5];
};

struct mp_gatt_server {
	const struct mp_gatt_server_ops *ops;
	void *owner;
	uint16_t our_mtu;	/* Server Rx MTU */
	uint16_t mtu;		/* ATT_MTU */
	bool mtu_set;
	uint16_t ccc;		/* the CCCD's value as last written */
	struct attr db[NATTR];
};

/* Core v5.4 Vol 3 Part G 3.1 (service declaration), 3.3.1 (characteristic
 * declaration), 3.3.3.3 (CCCD); MshPRT v1.1 7.1.2.2 (properties). */
static void build_db(struct mp_gatt_server *s, const struct mp_gatt_service_uuids *u)
{
	struct attr *a = s->db;

	a[0] = (struct attr){ MP_GATT_SERVER_SERVICE, MP_GATT_UUID_PRIMARY_SERVICE, PERM_READ, 2,
			      { 0 } };
	mp_store_le16(a[0].value, u->service);

	a[1] = (struct attr){ MP_GATT_SERVER_DATA_IN_DECL, MP_GATT_UUID_CHARACTERISTIC, PERM_READ,
			      5, { MP_GATT_PROP_WRITE_NO_RSP } };
	mp_store_le16(a[1].value + 1, MP_GATT_SERVER_DATA_IN);
	mp_store_le16(a[1].value + 3, u->data_in);

	a[2] = (struct attr){ MP_GATT_SERVER_DATA_IN, u->data_in, PERM_WRITE_CMD, 0, { 0 } };

	a[3] = (struct attr){ MP_GATT_SERVER_DATA_OUT_DECL, MP_GATT_UUID_CHARACTERISTIC,
			      PERM_READ, 5, { MP_GATT_PROP_NOTIFY } };
	mp_store_le16(a[3].value + 1, MP_GATT_SERVER_DATA_OUT);
	mp_store_le16(a[3].value + 3, u->data_out);

	a[4] = (struct attr){ MP_GATT_SERVER_DATA_OUT, u->data_out, 0, 0, { 0 } };

	a[5] = (struct attr){ MP_GATT_SERVER_CCCD, MP_GATT_UUID_CCCD, PERM_READ | PERM_WRITE, 2,
			      { 0 } };
}

static bool uuids_valid(const struct mp_gatt_service_uuids *u)
{
	bool none = !u->service && !u->data_in && !u->data_out;
	bool all = u->service && u->data_in && u->data_out;

	return none || all;
}

struct mp_gatt_server *mp_gatt_server_new(const struct mp_gatt_server_config *cfg)
{
	struct mp_gatt_server *s;

	if (!cfg || !cfg->ops || !cfg->ops->tx || !uuids_valid(&cfg->uuids) ||
	    (cfg->mtu && (cfg->mtu < MP_ATT_MTU_DEFAULT || cfg->mtu > MP_ATT_MTU_MAX))) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = cfg->ops;
	s->owner = cfg->owner;
	s->our_mtu = cfg->mtu ? cfg->mtu : MP_ATT_MTU_MAX;
	s->mtu = MP_ATT_MTU_DEFAULT;
	build_db(s, cfg->uuids.service ? &cfg->uuids : &mp_gatt_mesh_prov);
	return s;
}

void mp_gatt_server_free(struct mp_gatt_server *s)
{
	free(s);
}

static struct attr *find_attr(struct mp_gatt_server *s, uint16_t handle)
{
	if (handle < 1 || handle > NATTR)
		return NULL;
	return &s->db[handle - 1];
}

/* The first attribute index at or after @start; NATTR when none. */
static size_t first_at(uint16_t start)
{
	return start <= NATTR ? (size_t)start - 1 : NATTR;
}

/* The value a read returns; the CCCD's is kept in s->ccc. */
static const uint8_t *attr_value(struct mp_gatt_server *s, struct attr *a)
{
	if (a->type == MP_GATT_UUID_CCCD)
		mp_store_le16(a->value, s->ccc);
	return a->value;
}

/* The end of the group @a opens: the service spans the whole database. */
static uint16_t group_end(const struct attr *a)
{
	return a->type == MP_GATT_UUID_PRIMARY_SERVICE ? MP_GATT_SERVER_LAST : a->handle;
}

static void send_pdu(struct mp_gatt_server *s, const struct mp_att_pdu *p)
{
	uint8_t out[MP_ATT_MTU_MAX];
	ssize_t n = mp_att_encode(p, out, s->mtu);

	if (n > 0)
		s->ops->tx(s->owner, out, (size_t)n);
}

static int send_error(struct mp_gatt_server *s, uint8_t req, uint16_t handle, uint8_t code)
{
	uint8_t out[8];
	ssize_t n = mp_att_encode_error(out, sizeof(out), req, handle, code);

	if (n > 0)
		s->ops->tx(s->owner, out, (size_t)n);
	return 0;
}

/* A list response of the entries in @w: Attribute Not Found for @start when
 * there is none. */
static int send_list(struct mp_gatt_server *s, uint8_t req, uint16_t start, uint8_t format,
		     size_t entry, const struct mp_writer *w)
{
	struct mp_att_pdu p = {
		.opcode = mp_att_response_opcode(req),
		.list = { .format = format, .entry = entry, .data = w->data },
	};

	if (!entry || w->len == 0)
		return send_error(s, req, start, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
	p.list.count = w->len / entry;
	send_pdu(s, &p);
	return 0;
}

/* ---------- requests ---------- */

static int on_mtu(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	struct mp_att_pdu rsp = { .opcode = MP_ATT_MTU_RSP, .mtu = { s->our_mtu } };
	uint16_t theirs = req->mtu.mtu;

	/* Core v5.4 Vol 3 Part F 3.4.2.2: the response goes out at the old
	 * ATT_MTU; then ATT_MTU is the minimum of the two Rx MTUs, or stays
	 * the default if the client's is below it. A client sends this once
	 * (3.4.2.1); a repeat is answered but changes nothing. */
	send_pdu(s, &rsp);
	if (s->mtu_set)
		return 0;
	s->mtu_set = true;
	if (theirs < MP_ATT_MTU_DEFAULT)
		theirs = MP_ATT_MTU_DEFAULT;
	s->mtu = theirs < s->our_mtu ? theirs : s->our_mtu;
	if (s->ops->mtu)
		s->ops->mtu(s->owner, s->mtu);
	return 0;
}

/* Core v5.4 Vol 3 Part F 3.4.3.1: handles and types in the range, all of
 * one UUID size (ours are all 16-bit: format 0x01). */
static int on_find_info(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	uint8_t buf[MP_ATT_MTU_MAX];
	struct mp_writer w;
	size_t i;

	mp_writer_init(&w, buf, (size_t)s->mtu - 2);
	for (i = first_at(req->range.start); i < NATTR && s->db[i].handle <= req->range.end; i++) {
		if (w.cap - w.len < 4)
			break;
		mp_put_le16(&w, s->db[i].handle);
		mp_put_le16(&w, s->db[i].type);
	}
	return send_list(s, req->opcode, req->range.start, 1, 4, &w);
}

/* The value of @a equals @value: byte for byte, except that a UUID-valued
 * attribute (a service declaration) also matches its 128-bit form. */
static bool value_matches(struct mp_gatt_server *s, struct attr *a, const uint8_t *value,
			  size_t len)
{
	struct mp_att_uuid want, have;

	if (!(a->perm & PERM_READ))
		return false;
	if (a->type == MP_GATT_UUID_PRIMARY_SERVICE && len == 16) {
		want.len = 16;
		memcpy(want.val, value, 16);
		mp_att_uuid16(&have, mp_le16(a->value));
		return mp_att_uuid_equal(&want, &have);
	}
	return len == a->len && memcmp(attr_value(s, a), value, len) == 0;
}

/* Core v5.4 Vol 3 Part F 3.4.3.3; Part G 4.4.2 (primary service by UUID). */
static int on_find_by_type(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	uint8_t buf[MP_ATT_MTU_MAX];
	struct mp_writer w;
	size_t i;

	mp_writer_init(&w, buf, (size_t)s->mtu - 1);
	for (i = first_at(req->find.start); i < NATTR && s->db[i].handle <= req->find.end; i++) {
		struct attr *a = &s->db[i];

		if (a->type != req->find.type ||
		    !value_matches(s, a, req->find.value, req->find.len))
			continue;
		if (w.cap - w.len < 4)
			break;
		mp_put_le16(&w, a->handle);
		mp_put_le16(&w, group_end(a));
	}
	return send_list(s, req->opcode, req->find.start, 0, 4, &w);
}

/* Core v5.4 Vol 3 Part F 3.4.4.1: the readable attributes of the type in
 * the range, as many as fit, all with values of the first one's length;
 * an unreadable first match is an error for its handle. */
static int on_read_by_type(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	uint8_t buf[MP_ATT_MTU_MAX];
	struct mp_writer w;
	size_t i, entry = 0;

	mp_writer_init(&w, buf, (size_t)s->mtu - 2);
	for (i = first_at(req->by_type.start); i < NATTR && s->db[i].handle <= req->by_type.end;
	     i++) {
		struct attr *a = &s->db[i];

		if (!mp_att_uuid_is(&req->by_type.type, a->type))
			continue;
		if (!(a->perm & PERM_READ)) {
			if (entry)
				break;
			return send_error(s, req->opcode, a->handle,
					  MP_ATT_ERR_READ_NOT_PERMITTED);
		}
		if (!entry)
			entry = 2 + (size_t)a->len;
		else if (2 + (size_t)a->len != entry)
			break;
		if (w.cap - w.len < entry)
			break;
		mp_put_le16(&w, a->handle);
		mp_put_bytes(&w, attr_value(s, a), a->len);
	}
	return send_list(s, req->opcode, req->by_type.start, 0, entry, &w);
}

/* Core v5.4 Vol 3 Part F 3.4.4.9; Part G 4.4.1: only the service
 * declarations group attributes. */
static int on_read_by_group(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	uint8_t buf[MP_ATT_MTU_MAX];
	struct mp_writer w;
	size_t i, entry = 0;

	if (!mp_att_uuid_is(&req->by_type.type, MP_GATT_UUID_PRIMARY_SERVICE) &&
	    !mp_att_uuid_is(&req->by_type.type, MP_GATT_UUID_SECONDARY_SERVICE))
		return send_error(s, req->opcode, req->by_type.start,
				  MP_ATT_ERR_UNSUPPORTED_GROUP_TYPE);
	mp_writer_init(&w, buf, (size_t)s->mtu - 2);
	for (i = first_at(req->by_type.start); i < NATTR && s->db[i].handle <= req->by_type.end;
	     i++) {
		struct attr *a = &s->db[i];

		if (!mp_att_uuid_is(&req->by_type.type, a->type))
			continue;
		if (!entry)
			entry = 4 + (size_t)a->len;
		else if (4 + (size_t)a->len != entry)
			break;
		if (w.cap - w.len < entry)
			break;
		mp_put_le16(&w, a->handle);
		mp_put_le16(&w, group_end(a));
		mp_put_bytes(&w, attr_value(s, a), a->len);
	}
	return send_list(s, req->opcode, req->by_type.start, 0, entry, &w);
}

/* Core v5.4 Vol 3 Part F 3.4.4.3 (Read), 3.4.4.5 (Read Blob). */
static int on_read(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	struct attr *a = find_attr(s, req->read.handle);
	struct mp_att_pdu rsp = { .opcode = mp_att_response_opcode(req->opcode) };
	size_t len;

	if (!a)
		return send_error(s, req->opcode, req->read.handle, MP_ATT_ERR_INVALID_HANDLE);
	if (!(a->perm & PERM_READ))
		return send_error(s, req->opcode, a->handle, MP_ATT_ERR_READ_NOT_PERMITTED);
	if (req->read.offset > a->len)
		return send_error(s, req->opcode, a->handle, MP_ATT_ERR_INVALID_OFFSET);
	len = (size_t)a->len - req->read.offset;
	if (len > (size_t)s->mtu - 1)
		len = (size_t)s->mtu - 1;
	rsp.value.value = attr_value(s, a) + req->read.offset;
	rsp.value.len = len;
	send_pdu(s, &rsp);
	return 0;
}

/* Core v5.4 Vol 3 Part F 3.4.5.1; Part G 3.3.3.3: only the CCCD is written
 * with a Write Request. */
static int on_write(struct mp_gatt_server *s, const struct mp_att_pdu *req)
{
	struct attr *a = find_attr(s, req->hv.handle);
	struct mp_att_pdu rsp = { .opcode = MP_ATT_WRITE_RSP };
	uint16_t v;

	if (!a)
		return send_error(s, req->opcode, req->hv.handle, MP_ATT_ERR_INVALID_HANDLE);
	if (!(a->perm & PERM_WRITE))
		return send_error(s, req->opcode, a->handle, MP_ATT_ERR_WRITE_NOT_PERMITTED);
	if (req->hv.len != 2)
		return send_error(s, req->opcode, a->handle, MP_ATT_ERR_INVALID_VALUE_LEN);
	v = mp_le16(req->hv.value);
	/* Data Out has no Indicate property (MshPRT v1.1 7.1.2.2.2). */
	if (v & MP_GATT_CCC_INDICATE)
		return send_error(s, req->opcode, a->handle, MP_ATT_ERR_VALUE_NOT_ALLOWED);
	s->ccc = v;
	send_pdu(s, &rsp);
	if (s->ops->cccd)
		s->ops->cccd(s->owner, v & MP_GATT_CCC_NOTIFY);
	return 0;
}

static int on_request(struct mp_gatt_server *s, const uint8_t *pdu, size_t len)
{
	struct mp_att_pdu p;
	uint8_t op = pdu[0];
	int err;

	if (len > s->mtu)
		return send_error(s, op, 0, MP_ATT_ERR_INVALID_PDU), -EMSGSIZE;
	err = mp_att_decode(pdu, len, &p);
	if (err == -EBADMSG)
		return send_error(s, op, 0, MP_ATT_ERR_INVALID_PDU);
	if (err == -EOPNOTSUPP)
		return send_error(s, op, 0, MP_ATT_ERR_REQUEST_NOT_SUPPORTED);
	if (err == -ERANGE) {
		/* A range from 0 or reversed, or handle 0: Invalid Handle for
		 * the starting handle (Core v5.4 Vol 3 Part F 3.4.3.1 etc.). */
		uint16_t h = op == MP_ATT_FIND_INFO_REQ ? p.range.start :
			     op == MP_ATT_FIND_BY_TYPE_REQ ? p.find.start :
			     op == MP_ATT_READ_REQ || op == MP_ATT_READ_BLOB_REQ ? p.read.handle :
			     op == MP_ATT_WRITE_REQ ? p.hv.handle : p.by_type.start;

		return send_error(s, op, h, MP_ATT_ERR_INVALID_HANDLE);
	}
	switch (op) {
	case MP_ATT_MTU_REQ:
		return on_mtu(s, &p);
	case MP_ATT_FIND_INFO_REQ:
		return on_find_info(s, &p);
	case MP_ATT_FIND_BY_TYPE_REQ:
		return on_find_by_type(s, &p);
	case MP_ATT_READ_BY_TYPE_REQ:
		return on_read_by_type(s, &p);
	case MP_ATT_READ_BY_GROUP_REQ:
		return on_read_by_group(s, &p);
	case MP_ATT_READ_REQ:
	case MP_ATT_READ_BLOB_REQ:
		return on_read(s, &p);
	case MP_ATT_WRITE_REQ:
		return on_write(s, &p);
	}
	return send_error(s, op, 0, MP_ATT_ERR_REQUEST_NOT_SUPPORTED);
}

/* Core v5.4 Vol 3 Part F 3.4.5.3: a Write Command is never answered. */
static int on_command(struct mp_gatt_server *s, const uint8_t *pdu, size_t len)
{
	struct mp_att_pdu p;

	if (pdu[0] != MP_ATT_WRITE_CMD)
		return -EOPNOTSUPP;
	if (len > s->mtu)
		return -EMSGSIZE;
	if (mp_att_decode(pdu, len, &p) == -EBADMSG)
		return -EBADMSG;
	if (p.hv.handle != MP_GATT_SERVER_DATA_IN || p.hv.len == 0)
		return -ENOENT;
	if (s->ops->data_in)
		s->ops->data_in(s->owner, p.hv.value, p.hv.len);
	return 0;
}

int mp_gatt_server_rx(struct mp_gatt_server *s, const uint8_t *pdu, size_t len)
{
	if (!pdu || len == 0)
		return -EBADMSG;
	switch (mp_att_opcode_kind(pdu[0])) {
	case MP_ATT_KIND_REQUEST:
		return on_request(s, pdu, len);
	case MP_ATT_KIND_COMMAND:
		return on_command(s, pdu, len);
	case MP_ATT_KIND_RESPONSE:
	case MP_ATT_KIND_NOTIFICATION:
	case MP_ATT_KIND_INDICATION:
	case MP_ATT_KIND_CONFIRMATION:
		break;
	}
	return -EPROTO;
}

int mp_gatt_server_notify(struct mp_gatt_server *s, const uint8_t *value, size_t len)
{
	struct mp_att_pdu p = {
		.opcode = MP_ATT_NOTIFY,
		.hv = { .handle = MP_GATT_SERVER_DATA_OUT, .value = value, .len = len },
	};

	/* Core v5.4 Vol 3 Part G 3.3.3.3: only once the client asked. */
	if (!(s->ccc & MP_GATT_CCC_NOTIFY))
		return -ENOTCONN;
	if (!value)
		return -EINVAL;
	if (len == 0 || len > (size_t)s->mtu - 3)
		return -EMSGSIZE;
	send_pdu(s, &p);
	return 0;
}

uint16_t mp_gatt_server_mtu(const struct mp_gatt_server *s)
{
	return s->mtu;
}

bool mp_gatt_server_notifying(const struct mp_gatt_server *s)
{
	return s->ccc & MP_GATT_CCC_NOTIFY;
}
