/* ATT PDUs: names, kinds, strict decoding and encoding. Core v5.4 Vol 3 Part F. */
#include "gatt/att.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "gatt/gatt.h"

const struct mp_gatt_service_uuids mp_gatt_mesh_prov = {
	.service = MP_GATT_UUID_MESH_PROV,
	.data_in = MP_GATT_UUID_MESH_PROV_DATA_IN,
	.data_out = MP_GATT_UUID_MESH_PROV_DATA_OUT,
};

const struct mp_gatt_service_uuids mp_gatt_mesh_proxy = {
	.service = MP_GATT_UUID_MESH_PROXY,
	.data_in = MP_GATT_UUID_MESH_PROXY_DATA_IN,
	.data_out = MP_GATT_UUID_MESH_PROXY_DATA_OUT,
};

const char *mp_gatt_uuid_name(uint16_t uuid)
{
	switch (uuid) {
	case MP_GATT_UUID_PRIMARY_SERVICE: return "Primary Service";
	case MP_GATT_UUID_SECONDARY_SERVICE: return "Secondary Service";
	case MP_GATT_UUID_INCLUDE: return "Include";
	case MP_GATT_UUID_CHARACTERISTIC: return "Characteristic";
	case MP_GATT_UUID_CCCD: return "Client Characteristic Configuration";
	case MP_GATT_UUID_MESH_PROV: return "Mesh Provisioning Service";
	case MP_GATT_UUID_MESH_PROV_DATA_IN: return "Mesh Provisioning Data In";
	case MP_GATT_UUID_MESH_PROV_DATA_OUT: return "Mesh Provisioning Data Out";
	case MP_GATT_UUID_MESH_PROXY: return "Mesh Proxy Service";
	case MP_GATT_UUID_MESH_PROXY_DATA_IN: return "Mesh Proxy Data In";
	case MP_GATT_UUID_MESH_PROXY_DATA_OUT: return "Mesh Proxy Data Out";
	}
	return NULL;
}

/* Core v5.4 Vol 3 Part F 3.4.1.1, Table 3.4; Core Specification Supplement
 * Part B 1.2 for 0xFC..0xFF. */
const char *mp_att_strerror(uint8_t err)
{
	switch (err) {
	case MP_ATT_ERR_INVALID_HANDLE: return "Invalid Handle";
	case MP_ATT_ERR_READ_NOT_PERMITTED: return "Read Not Permitted";
	case MP_ATT_ERR_WRITE_NOT_PERMITTED: return "Write Not Permitted";
	case MP_ATT_ERR_INVALID_PDU: return "Invalid PDU";
	case MP_ATT_ERR_AUTHENTICATION: return "Insufficient Authentication";
	case MP_ATT_ERR_REQUEST_NOT_SUPPORTED: return "Request Not Supported";
	case MP_ATT_ERR_INVALID_OFFSET: return "Invalid Offset";
	case MP_ATT_ERR_AUTHORIZATION: return "Insufficient Authorization";
	case MP_ATT_ERR_PREPARE_QUEUE_FULL: return "Prepare Queue Full";
	case MP_ATT_ERR_ATTRIBUTE_NOT_FOUND: return "Attribute Not Found";
	case MP_ATT_ERR_ATTRIBUTE_NOT_LONG: return "Attribute Not Long";
	case MP_ATT_ERR_ENC_KEY_SIZE: return "Encryption Key Size Too Short";
	case MP_ATT_ERR_INVALID_VALUE_LEN: return "Invalid Attribute Value Length";
	case MP_ATT_ERR_UNLIKELY: return "Unlikely Error";
	case MP_ATT_ERR_ENCRYPTION: return "Insufficient Encryption";
	case MP_ATT_ERR_UNSUPPORTED_GROUP_TYPE: return "Unsupported Group Type";
	case MP_ATT_ERR_INSUFFICIENT_RESOURCES: return "Insufficient Resources";
	case MP_ATT_ERR_DB_OUT_OF_SYNC: return "Database Out Of Sync";
	case MP_ATT_ERR_VALUE_NOT_ALLOWED: return "Value Not Allowed";
	case MP_ATT_ERR_WRITE_REQUEST_REJECTED: return "Write Request Rejected";
	case MP_ATT_ERR_CCCD_IMPROPERLY_CONFIGURED:
		return "Client Characteristic Configuration Descriptor Improperly Configured";
	case MP_ATT_ERR_PROCEDURE_IN_PROGRESS: return "Procedure Already in Progress";
	case MP_ATT_ERR_OUT_OF_RANGE: return "Out of Range";
	}
	if (err >= 0x80 && err <= 0x9f)
		return "Application Error";
	return "Reserved";
}

int mp_att_error_errno(uint8_t err)
{
	switch (err) {
	case MP_ATT_ERR_ATTRIBUTE_NOT_FOUND:
	case MP_ATT_ERR_INVALID_HANDLE:
		return -ENOENT;
	case MP_ATT_ERR_READ_NOT_PERMITTED:
	case MP_ATT_ERR_WRITE_NOT_PERMITTED:
	case MP_ATT_ERR_AUTHENTICATION:
	case MP_ATT_ERR_AUTHORIZATION:
	case MP_ATT_ERR_ENC_KEY_SIZE:
	case MP_ATT_ERR_ENCRYPTION:
		return -EACCES;
	case MP_ATT_ERR_REQUEST_NOT_SUPPORTED:
	case MP_ATT_ERR_UNSUPPORTED_GROUP_TYPE:
		return -EOPNOTSUPP;
	case MP_ATT_ERR_INSUFFICIENT_RESOURCES:
	case MP_ATT_ERR_PREPARE_QUEUE_FULL:
		return -ENOMEM;
	}
	return -EPROTO;
}

static const struct {
	uint8_t opcode;
	uint8_t kind;		/* enum mp_att_kind */
	uint8_t rsp;		/* requests: the response opcode */
	const char *name;
} opcodes[] = {
	{ MP_ATT_ERROR_RSP, MP_ATT_KIND_RESPONSE, 0, "Error Response" },
	{ MP_ATT_MTU_REQ, MP_ATT_KIND_REQUEST, MP_ATT_MTU_RSP, "Exchange MTU Request" },
	{ MP_ATT_MTU_RSP, MP_ATT_KIND_RESPONSE, 0, "Exchange MTU Response" },
	{ MP_ATT_FIND_INFO_REQ, MP_ATT_KIND_REQUEST, MP_ATT_FIND_INFO_RSP,
	  "Find Information Request" },
	{ MP_ATT_FIND_INFO_RSP, MP_ATT_KIND_RESPONSE, 0, "Find Information Response" },
	{ MP_ATT_FIND_BY_TYPE_REQ, MP_ATT_KIND_REQUEST, MP_ATT_FIND_BY_TYPE_RSP,
	  "Find By Type Value Request" },
	{ MP_ATT_FIND_BY_TYPE_RSP, MP_ATT_KIND_RESPONSE, 0, "Find By Type Value Response" },
	{ MP_ATT_READ_BY_TYPE_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_BY_TYPE_RSP,
	  "Read By Type Request" },
	{ MP_ATT_READ_BY_TYPE_RSP, MP_ATT_KIND_RESPONSE, 0, "Read By Type Response" },
	{ MP_ATT_READ_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_RSP, "Read Request" },
	{ MP_ATT_READ_RSP, MP_ATT_KIND_RESPONSE, 0, "Read Response" },
	{ MP_ATT_READ_BLOB_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_BLOB_RSP, "Read Blob Request" },
	{ MP_ATT_READ_BLOB_RSP, MP_ATT_KIND_RESPONSE, 0, "Read Blob Response" },
	{ MP_ATT_READ_MULT_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_MULT_RSP,
	  "Read Multiple Request" },
	{ MP_ATT_READ_MULT_RSP, MP_ATT_KIND_RESPONSE, 0, "Read Multiple Response" },
	{ MP_ATT_READ_BY_GROUP_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_BY_GROUP_RSP,
	  "Read By Group Type Request" },
	{ MP_ATT_READ_BY_GROUP_RSP, MP_ATT_KIND_RESPONSE, 0, "Read By Group Type Response" },
	{ MP_ATT_WRITE_REQ, MP_ATT_KIND_REQUEST, MP_ATT_WRITE_RSP, "Write Request" },
	{ MP_ATT_WRITE_RSP, MP_ATT_KIND_RESPONSE, 0, "Write Response" },
	{ MP_ATT_PREP_WRITE_REQ, MP_ATT_KIND_REQUEST, MP_ATT_PREP_WRITE_RSP,
	  "Prepare Write Request" },
	{ MP_ATT_PREP_WRITE_RSP, MP_ATT_KIND_RESPONSE, 0, "Prepare Write Response" },
	{ MP_ATT_EXEC_WRITE_REQ, MP_ATT_KIND_REQUEST, MP_ATT_EXEC_WRITE_RSP,
	  "Execute Write Request" },
	{ MP_ATT_EXEC_WRITE_RSP, MP_ATT_KIND_RESPONSE, 0, "Execute Write Response" },
	{ MP_ATT_NOTIFY, MP_ATT_KIND_NOTIFICATION, 0, "Handle Value Notification" },
	{ MP_ATT_INDICATE, MP_ATT_KIND_INDICATION, 0, "Handle Value Indication" },
	{ MP_ATT_CONFIRM, MP_ATT_KIND_CONFIRMATION, 0, "Handle Value Confirmation" },
	{ MP_ATT_READ_MULT_VAR_REQ, MP_ATT_KIND_REQUEST, MP_ATT_READ_MULT_VAR_RSP,
	  "Read Multiple Variable Request" },
	{ MP_ATT_READ_MULT_VAR_RSP, MP_ATT_KIND_RESPONSE, 0, "Read Multiple Variable Response" },
	{ MP_ATT_MULT_NOTIFY, MP_ATT_KIND_NOTIFICATION, 0,
	  "Multiple Handle Value Notification" },
	{ MP_ATT_WRITE_CMD, MP_ATT_KIND_COMMAND, 0, "Write Command" },
	{ MP_ATT_SIGNED_WRITE_CMD, MP_ATT_KIND_COMMAND, 0, "Signed Write Command" },
};

static int opcode_index(uint8_t opcode)
{
	size_t i;

	for (i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++)
		if (opcodes[i].opcode == opcode)
			return (int)i;
	return -1;
}

const char *mp_att_opcode_name(uint8_t opcode)
{
	int i = opcode_index(opcode);

	return i < 0 ? "Unknown" : opcodes[i].name;
}

enum mp_att_kind mp_att_opcode_kind(uint8_t opcode)
{
	int i = opcode_index(opcode);

	if (i >= 0)
		return (enum mp_att_kind)opcodes[i].kind;
	/* Core v5.4 Vol 3 Part F 3.4.9: unknown commands are ignored, other
	 * unknown PDUs answered as unsupported requests. */
	return opcode & MP_ATT_CMD_FLAG ? MP_ATT_KIND_COMMAND : MP_ATT_KIND_REQUEST;
}

uint8_t mp_att_response_opcode(uint8_t req_opcode)
{
	int i = opcode_index(req_opcode);

	return i < 0 ? 0 : opcodes[i].rsp;
}

/* ---------- UUIDs ---------- */

/* The Bluetooth Base UUID 00000000-0000-1000-8000-00805F9B34FB,
 * little-endian; a 16-bit UUID goes in octets 12 and 13. */
static const uint8_t base_uuid[16] = {
	0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

void mp_att_uuid16(struct mp_att_uuid *u, uint16_t v)
{
	memset(u, 0, sizeof(*u));
	u->len = 2;
	mp_store_le16(u->val, v);
}

/* @u in its 128-bit form; false for a length other than 2 or 16. */
static bool uuid128(const struct mp_att_uuid *u, uint8_t out[16])
{
	if (u->len == 16) {
		memcpy(out, u->val, 16);
		return true;
	}
	if (u->len != 2)
		return false;
	memcpy(out, base_uuid, 16);
	out[12] = u->val[0];
	out[13] = u->val[1];
	return true;
}

bool mp_att_uuid_equal(const struct mp_att_uuid *a, const struct mp_att_uuid *b)
{
	uint8_t x[16], y[16];

	return uuid128(a, x) && uuid128(b, y) && memcmp(x, y, 16) == 0;
}

bool mp_att_uuid_is(const struct mp_att_uuid *u, uint16_t v)
{
	struct mp_att_uuid w;

	mp_att_uuid16(&w, v);
	return mp_att_uuid_equal(u, &w);
}

static bool get_uuid(struct mp_reader *r, struct mp_att_uuid *u, size_t len)
{
	memset(u, 0, sizeof(*u));
	u->len = (uint8_t)len;
	return mp_get_bytes(r, u->val, len);
}

/* ---------- decoding ---------- */

static bool bad_range(uint16_t start, uint16_t end)
{
	/* Core v5.4 Vol 3 Part F 3.4.3.1 and the other range requests. */
	return start == 0 || start > end;
}

/* A list response: @r is past the opcode (and length or format octet);
 * the rest must be whole entries of @entry octets, at least one. */
static int get_list(struct mp_reader *r, struct mp_att_pdu *out, size_t entry)
{
	size_t left = mp_reader_left(r);

	if (r->err || entry == 0 || left == 0 || left % entry != 0)
		return -EBADMSG;
	out->list.entry = entry;
	out->list.count = left / entry;
	out->list.data = mp_reader_ptr(r);
	return 0;
}

/*
 * The handles of a list in ascending order, none 0, and for group lists
 * each group end at or above its handle and below the next handle.
 * Core v5.4 Vol 3 Part F 3.4.3.2, 3.4.3.4, 3.4.4.2, 3.4.4.10.
 */
static int check_list_handles(const struct mp_att_pdu *p, bool grouped)
{
	uint32_t prev = 0;
	size_t i;

	for (i = 0; i < p->list.count; i++) {
		const uint8_t *e = p->list.data + i * p->list.entry;
		uint16_t h = mp_le16(e), end = grouped ? mp_le16(e + 2) : h;

		if (h == 0 || h <= prev || end < h)
			return -EBADMSG;
		prev = end;
	}
	return 0;
}

static int decode_list_rsp(struct mp_reader *r, struct mp_att_pdu *out)
{
	uint8_t octet = 0;
	size_t entry = 0;
	bool grouped = false;
	int err;

	switch (out->opcode) {
	case MP_ATT_FIND_INFO_RSP:
		mp_get_u8(r, &octet);
		/* Core v5.4 Vol 3 Part F 3.4.3.2: format 0x01 16-bit UUIDs,
		 * 0x02 128-bit UUIDs. */
		if (octet == 1)
			entry = 2 + 2;
		else if (octet == 2)
			entry = 2 + 16;
		out->list.format = octet;
		break;
	case MP_ATT_FIND_BY_TYPE_RSP:
		entry = 4;
		grouped = true;
		break;
	case MP_ATT_READ_BY_TYPE_RSP:
		/* 3.4.4.2: Length is the size of one handle-value pair. */
		mp_get_u8(r, &octet);
		entry = octet >= 2 ? octet : 0;
		break;
	case MP_ATT_READ_BY_GROUP_RSP:
		/* 3.4.4.10: handle, end group handle, value. */
		mp_get_u8(r, &octet);
		entry = octet >= 4 ? octet : 0;
		grouped = true;
		break;
	}
	err = get_list(r, out, entry);
	return err ? err : check_list_handles(out, grouped);
}

static int decode_body(struct mp_reader *r, struct mp_att_pdu *out)
{
	size_t left;

	switch (out->opcode) {
	case MP_ATT_ERROR_RSP:
		mp_get_u8(r, &out->err.req_opcode);
		mp_get_le16(r, &out->err.handle);
		mp_get_u8(r, &out->err.code);
		return mp_reader_done(r) ? 0 : -EBADMSG;
	case MP_ATT_MTU_REQ:
	case MP_ATT_MTU_RSP:
		mp_get_le16(r, &out->mtu.mtu);
		return mp_reader_done(r) ? 0 : -EBADMSG;
	case MP_ATT_FIND_INFO_REQ:
		mp_get_le16(r, &out->range.start);
		mp_get_le16(r, &out->range.end);
		if (!mp_reader_done(r))
			return -EBADMSG;
		return bad_range(out->range.start, out->range.end) ? -ERANGE : 0;
	case MP_ATT_FIND_BY_TYPE_REQ:
		mp_get_le16(r, &out->find.start);
		mp_get_le16(r, &out->find.end);
		mp_get_le16(r, &out->find.type);
		if (r->err)
			return -EBADMSG;
		out->find.len = mp_reader_left(r);
		out->find.value = mp_reader_ptr(r);
		return bad_range(out->find.start, out->find.end) ? -ERANGE : 0;
	case MP_ATT_READ_BY_TYPE_REQ:
	case MP_ATT_READ_BY_GROUP_REQ:
		mp_get_le16(r, &out->by_type.start);
		mp_get_le16(r, &out->by_type.end);
		left = mp_reader_left(r);
		/* 3.4.4.1, 3.4.4.9: a 2 or 16 octet UUID, nothing else. */
		if (r->err || (left != 2 && left != 16))
			return -EBADMSG;
		get_uuid(r, &out->by_type.type, left);
		return bad_range(out->by_type.start, out->by_type.end) ? -ERANGE : 0;
	case MP_ATT_READ_REQ:
	case MP_ATT_READ_BLOB_REQ:
		mp_get_le16(r, &out->read.handle);
		if (out->opcode == MP_ATT_READ_BLOB_REQ)
			mp_get_le16(r, &out->read.offset);
		if (!mp_reader_done(r))
			return -EBADMSG;
		return out->read.handle == 0 ? -ERANGE : 0;
	case MP_ATT_WRITE_REQ:
	case MP_ATT_WRITE_CMD:
	case MP_ATT_NOTIFY:
	case MP_ATT_INDICATE:
		mp_get_le16(r, &out->hv.handle);
		if (r->err)
			return -EBADMSG;
		out->hv.len = mp_reader_left(r);
		out->hv.value = mp_reader_ptr(r);
		return out->hv.handle == 0 ? -ERANGE : 0;
	case MP_ATT_READ_RSP:
	case MP_ATT_READ_BLOB_RSP:
		out->value.len = mp_reader_left(r);
		out->value.value = mp_reader_ptr(r);
		return 0;
	case MP_ATT_FIND_INFO_RSP:
	case MP_ATT_FIND_BY_TYPE_RSP:
	case MP_ATT_READ_BY_TYPE_RSP:
	case MP_ATT_READ_BY_GROUP_RSP:
		return decode_list_rsp(r, out);
	case MP_ATT_WRITE_RSP:
	case MP_ATT_CONFIRM:
		return mp_reader_done(r) ? 0 : -EBADMSG;
	}
	return -EOPNOTSUPP;
}

int mp_att_decode(const uint8_t *pdu, size_t len, struct mp_att_pdu *out)
{
	struct mp_reader r;

	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, pdu, len);
	if (!mp_get_u8(&r, &out->opcode))
		return -EBADMSG;
	return decode_body(&r, out);
}

void mp_att_info_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
		       struct mp_att_uuid *type)
{
	const uint8_t *e = p->list.data + i * p->list.entry;

	*handle = mp_le16(e);
	memset(type, 0, sizeof(*type));
	type->len = (uint8_t)(p->list.entry - 2);
	memcpy(type->val, e + 2, type->len);
}

void mp_att_handles_entry(const struct mp_att_pdu *p, size_t i, uint16_t *found,
			  uint16_t *group_end)
{
	const uint8_t *e = p->list.data + i * p->list.entry;

	*found = mp_le16(e);
	*group_end = mp_le16(e + 2);
}

void mp_att_data_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
		       const uint8_t **value, size_t *len)
{
	const uint8_t *e = p->list.data + i * p->list.entry;

	*handle = mp_le16(e);
	*value = e + 2;
	*len = p->list.entry - 2;
}

void mp_att_group_entry(const struct mp_att_pdu *p, size_t i, uint16_t *handle,
			uint16_t *group_end, const uint8_t **value, size_t *len)
{
	const uint8_t *e = p->list.data + i * p->list.entry;

	*handle = mp_le16(e);
	*group_end = mp_le16(e + 2);
	*value = e + 4;
	*len = p->list.entry - 4;
}

int mp_att_decode_char_decl(const uint8_t *value, size_t len, struct mp_gatt_char_decl *out)
{
	struct mp_reader r;

	memset(out, 0, sizeof(*out));
	/* Core v5.4 Vol 3 Part G 3.3.1: properties, value handle, and a 16 or
	 * 128-bit UUID. */
	if (len != 5 && len != 19)
		return -EBADMSG;
	mp_reader_init(&r, value, len);
	mp_get_u8(&r, &out->props);
	mp_get_le16(&r, &out->value_handle);
	get_uuid(&r, &out->uuid, len - 3);
	if (!mp_reader_done(&r) || out->value_handle == 0)
		return -EBADMSG;
	return 0;
}

/* ---------- encoding ---------- */

static bool list_ok(const struct mp_att_pdu *p, size_t min_entry, size_t max_entry)
{
	return p->list.data && p->list.count >= 1 && p->list.entry >= min_entry &&
	       p->list.entry <= max_entry;
}

static int encode_list(const struct mp_att_pdu *p, struct mp_writer *w)
{
	switch (p->opcode) {
	case MP_ATT_FIND_INFO_RSP:
		if (!list_ok(p, 4, 18) || (p->list.format != 1 && p->list.format != 2) ||
		    p->list.entry != (p->list.format == 1 ? 4u : 18u))
			return -EINVAL;
		mp_put_u8(w, p->list.format);
		break;
	case MP_ATT_FIND_BY_TYPE_RSP:
		if (!list_ok(p, 4, 4))
			return -EINVAL;
		break;
	case MP_ATT_READ_BY_TYPE_RSP:
		if (!list_ok(p, 2, 255))
			return -EINVAL;
		mp_put_u8(w, (uint8_t)p->list.entry);
		break;
	case MP_ATT_READ_BY_GROUP_RSP:
		if (!list_ok(p, 4, 255))
			return -EINVAL;
		mp_put_u8(w, (uint8_t)p->list.entry);
		break;
	}
	if (p->list.count > SIZE_MAX / p->list.entry)
		return -EMSGSIZE;
	mp_put_bytes(w, p->list.data, p->list.count * p->list.entry);
	return 0;
}

static int encode_body(const struct mp_att_pdu *p, struct mp_writer *w)
{
	switch (p->opcode) {
	case MP_ATT_ERROR_RSP:
		mp_put_u8(w, p->err.req_opcode);
		mp_put_le16(w, p->err.handle);
		mp_put_u8(w, p->err.code);
		return 0;
	case MP_ATT_MTU_REQ:
	case MP_ATT_MTU_RSP:
		mp_put_le16(w, p->mtu.mtu);
		return 0;
	case MP_ATT_FIND_INFO_REQ:
		mp_put_le16(w, p->range.start);
		mp_put_le16(w, p->range.end);
		return 0;
	case MP_ATT_FIND_BY_TYPE_REQ:
		if (p->find.len && !p->find.value)
			return -EINVAL;
		mp_put_le16(w, p->find.start);
		mp_put_le16(w, p->find.end);
		mp_put_le16(w, p->find.type);
		mp_put_bytes(w, p->find.value, p->find.len);
		return 0;
	case MP_ATT_READ_BY_TYPE_REQ:
	case MP_ATT_READ_BY_GROUP_REQ:
		if (p->by_type.type.len != 2 && p->by_type.type.len != 16)
			return -EINVAL;
		mp_put_le16(w, p->by_type.start);
		mp_put_le16(w, p->by_type.end);
		mp_put_bytes(w, p->by_type.type.val, p->by_type.type.len);
		return 0;
	case MP_ATT_READ_REQ:
		mp_put_le16(w, p->read.handle);
		return 0;
	case MP_ATT_READ_BLOB_REQ:
		mp_put_le16(w, p->read.handle);
		mp_put_le16(w, p->read.offset);
		return 0;
	case MP_ATT_WRITE_REQ:
	case MP_ATT_WRITE_CMD:
	case MP_ATT_NOTIFY:
	case MP_ATT_INDICATE:
		if (p->hv.len && !p->hv.value)
			return -EINVAL;
		mp_put_le16(w, p->hv.handle);
		mp_put_bytes(w, p->hv.value, p->hv.len);
		return 0;
	case MP_ATT_READ_RSP:
	case MP_ATT_READ_BLOB_RSP:
		if (p->value.len && !p->value.value)
			return -EINVAL;
		mp_put_bytes(w, p->value.value, p->value.len);
		return 0;
	case MP_ATT_FIND_INFO_RSP:
	case MP_ATT_FIND_BY_TYPE_RSP:
	case MP_ATT_READ_BY_TYPE_RSP:
	case MP_ATT_READ_BY_GROUP_RSP:
		return encode_list(p, w);
	case MP_ATT_WRITE_RSP:
	case MP_ATT_CONFIRM:
		return 0;
	}
	return -EINVAL;
}

ssize_t mp_att_encode(const struct mp_att_pdu *p, uint8_t *out, size_t cap)
{
	struct mp_writer w;
	int err;

	mp_writer_init(&w, out, cap);
	mp_put_u8(&w, p->opcode);
	err = encode_body(p, &w);
	if (err)
		return err;
	return mp_writer_ok(&w) ? (ssize_t)w.len : -EMSGSIZE;
}

ssize_t mp_att_encode_error(uint8_t *out, size_t cap, uint8_t req_opcode, uint16_t handle,
			    uint8_t code)
{
	struct mp_att_pdu p = {
		.opcode = MP_ATT_ERROR_RSP,
		.err = { .req_opcode = req_opcode, .handle = handle, .code = code },
	};

	return mp_att_encode(&p, out, cap);
}
