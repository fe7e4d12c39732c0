/* gatt/att: ATT PDU decoding (strict), encoding, names and kinds.
 * Core v5.4 Vol 3 Part F.
 *
 * A table of PDUs in hex with the result the decoder must give; each PDU
 * that decodes is encoded again and must come out byte for byte. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "gatt/att.h"
#include "gatt/gatt.h"

struct vec {
	const char *hex;
	int rc;
};

/* A 128-bit UUID of the Bluetooth Base: 0x2803 in its long form. */
#define CHAR128 "fb349b5f80000080001000000328" "0000"
/* A vendor UUID, not of the Base. */
#define VENDOR128 "00112233445566778899aabbccddeeff"

static const struct vec vecs[] = {
	/* Error Response: 5 octets exactly. */
	{ "010801000a", 0 },
	{ "010801000a00", -EBADMSG },
	{ "0108010a", -EBADMSG },
	/* Exchange MTU Request / Response: 3 octets. */
	{ "020502", 0 },
	{ "031700", 0 },
	{ "0205", -EBADMSG },
	{ "02050200", -EBADMSG },
	/* Find Information Request: 5 octets, a valid range. */
	{ "040100ffff", 0 },
	{ "0406000600", 0 },
	{ "040000ffff", -ERANGE },
	{ "0407000600", -ERANGE },
	{ "04010006", -EBADMSG },
	{ "040100ffff00", -EBADMSG },
	/* Find Information Response: format 1 or 2, whole entries, at
	 * least one, handles ascending and not 0. */
	{ "0501010000280200032803000329", 0 },
	{ "05020100" VENDOR128, 0 },
	{ "0503010000280200", -EBADMSG },
	{ "050101000028020003", -EBADMSG },
	{ "0501", -EBADMSG },
	{ "05", -EBADMSG },
	{ "050201000028", -EBADMSG },
	{ "05010200002801000028", -EBADMSG },
	{ "05010200002802000028", -EBADMSG },
	{ "05010000002801000028", -EBADMSG },
	/* Find By Type Value Request: 7 octets and a value of any length. */
	{ "060100ffff00282718", 0 },
	{ "060100ffff0028", 0 },
	{ "060100ffff00", -EBADMSG },
	{ "060000ffff00282718", -ERANGE },
	{ "06ffff010000282718", -ERANGE },
	/* Find By Type Value Response: (found, group end) pairs. */
	{ "0701000600", 0 },
	{ "07010006000700ffff", 0 },
	{ "0706000100", -EBADMSG },
	{ "07010006000500ffff", -EBADMSG },
	{ "07010006000600ffff", -EBADMSG },
	{ "0700000600", -EBADMSG },
	{ "07010006", -EBADMSG },
	{ "07", -EBADMSG },
	/* Read By Type Request: a 2 or 16 octet UUID. */
	{ "080100ffff0328", 0 },
	{ "080100ffff" CHAR128, 0 },
	{ "080100ffff032800", -EBADMSG },
	{ "080100ffff03", -EBADMSG },
	{ "080100ffff", -EBADMSG },
	{ "0805000100" "0328", -ERANGE },
	{ "080000ffff" "0328", -ERANGE },
	/* Read By Type Response: the length octet divides the list. */
	{ "0907020004030" "0db2a0400100500dc2a", 0 },
	{ "09020100" "0200", 0 },
	{ "0907020004030" "0db2a04", -EBADMSG },
	{ "09010200", -EBADMSG },
	{ "0900", -EBADMSG },
	{ "0907", -EBADMSG },
	{ "09", -EBADMSG },
	{ "0907040010050" "0dc2a0200040300db2a", -EBADMSG },
	{ "0907000004030" "0db2a", -EBADMSG },
	/* Read Request: 3 octets, handle not 0. */
	{ "0a0300", 0 },
	{ "0a0000", -ERANGE },
	{ "0a03", -EBADMSG },
	{ "0a030000", -EBADMSG },
	/* Read / Read Blob Response: any value. */
	{ "0b", 0 },
	{ "0b2718", 0 },
	{ "0d00db2a", 0 },
	/* Read Blob Request: 5 octets. */
	{ "0c03000100", 0 },
	{ "0c0300", -EBADMSG },
	{ "0c00000100", -ERANGE },
	/* Read By Group Type Request. */
	{ "100100ffff0028", 0 },
	{ "100100ffff" "fb349b5f8000008000100000002800" "00", 0 },
	{ "100100ffff00", -EBADMSG },
	{ "1002000100" "0028", -ERANGE },
	/* Read By Group Type Response: handle, end, value; groups ascending. */
	{ "110601000600" "2718", 0 },
	{ "110601000600" "2718" "07000900" "0a18", 0 },
	{ "11030100060027", -EBADMSG },
	{ "110606000100" "2718", -EBADMSG },
	{ "110601000600" "2718" "05000900" "0a18", -EBADMSG },
	{ "110601000600" "27", -EBADMSG },
	{ "1106", -EBADMSG },
	/* Write Request / Command, notification, indication: handle + value. */
	{ "1206000100", 0 },
	{ "120600", 0 },
	{ "1206", -EBADMSG },
	{ "1200000100", -ERANGE },
	{ "13", 0 },
	{ "1300", -EBADMSG },
	{ "1b050001020304", 0 },
	{ "1b0500", 0 },
	{ "1b05", -EBADMSG },
	{ "1b000001", -ERANGE },
	{ "1d050001", 0 },
	{ "1e", 0 },
	{ "1e00", -EBADMSG },
	{ "5203000102", 0 },
	{ "52", -EBADMSG },
	/* Not decoded here. */
	{ "0e01000200", -EOPNOTSUPP },
	{ "160600000001", -EOPNOTSUPP },
	{ "1801", -EOPNOTSUPP },
	{ "d20300" "01" "000000000000000000000000", -EOPNOTSUPP },
	{ "ff", -EOPNOTSUPP },
	{ "3f", -EOPNOTSUPP },
	{ "", -EBADMSG },
};

static void test_decode_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint8_t pdu[64], again[64];
		struct mp_att_pdu p;
		size_t len = tu_unhex(vecs[i].hex, pdu, sizeof(pdu));
		ssize_t n;
		int rc = mp_att_decode(pdu, len, &p);

		if (rc != vecs[i].rc)
			fail_msg("%s: decode %d, want %d", vecs[i].hex, rc, vecs[i].rc);
		if (rc != 0 && rc != -ERANGE)
			continue;
		/* What decodes encodes back to the same octets. */
		n = mp_att_encode(&p, again, sizeof(again));
		if (n != (ssize_t)len)
			fail_msg("%s: encode %zd, want %zu", vecs[i].hex, n, len);
		tu_assert_bytes(again, pdu, len);
	}
}

static void test_decode_fields(void **state)
{
	uint8_t pdu[64];
	struct mp_att_pdu p;
	size_t len;

	(void)state;
	len = tu_unhex("010801000a", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.opcode, MP_ATT_ERROR_RSP);
	assert_int_equal(p.err.req_opcode, MP_ATT_READ_BY_TYPE_REQ);
	assert_int_equal(p.err.handle, 0x0001);
	assert_int_equal(p.err.code, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);

	len = tu_unhex("020502", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.mtu.mtu, 517);

	len = tu_unhex("060100ffff00282718", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.find.start, 1);
	assert_int_equal(p.find.end, 0xffff);
	assert_int_equal(p.find.type, MP_GATT_UUID_PRIMARY_SERVICE);
	assert_int_equal(p.find.len, 2);
	assert_ptr_equal(p.find.value, pdu + 7);

	len = tu_unhex("080200ffff" CHAR128, pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.by_type.start, 2);
	assert_int_equal(p.by_type.type.len, 16);
	assert_true(mp_att_uuid_is(&p.by_type.type, MP_GATT_UUID_CHARACTERISTIC));

	len = tu_unhex("0c03000100", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.read.handle, 3);
	assert_int_equal(p.read.offset, 1);

	/* -ERANGE still fills the fields a server needs for its answer. */
	len = tu_unhex("0407000600", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), -ERANGE);
	assert_int_equal(p.range.start, 7);
	assert_int_equal(p.range.end, 6);

	len = tu_unhex("1b0500a1a2", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.hv.handle, 5);
	assert_int_equal(p.hv.len, 2);
	assert_int_equal(p.hv.value[1], 0xa2);

	len = tu_unhex("16", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), -EOPNOTSUPP);
	assert_int_equal(p.opcode, MP_ATT_PREP_WRITE_REQ);
}

static void test_list_entries(void **state)
{
	uint8_t pdu[64];
	struct mp_att_pdu p;
	struct mp_att_uuid u;
	const uint8_t *v;
	uint16_t h, end;
	size_t len, vlen;

	(void)state;
	len = tu_unhex("050101000028060002" "29", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.list.format, 1);
	assert_int_equal(p.list.count, 2);
	mp_att_info_entry(&p, 1, &h, &u);
	assert_int_equal(h, 6);
	assert_true(mp_att_uuid_is(&u, MP_GATT_UUID_CCCD));

	len = tu_unhex("0502" "0900" VENDOR128, pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	mp_att_info_entry(&p, 0, &h, &u);
	assert_int_equal(h, 9);
	assert_int_equal(u.len, 16);
	assert_int_equal(u.val[15], 0xff);

	len = tu_unhex("07010006000700ffff", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.list.count, 2);
	mp_att_handles_entry(&p, 1, &h, &end);
	assert_int_equal(h, 7);
	assert_int_equal(end, 0xffff);

	len = tu_unhex("0907020004030" "0db2a0400100500dc2a", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	assert_int_equal(p.list.entry, 7);
	mp_att_data_entry(&p, 1, &h, &v, &vlen);
	assert_int_equal(h, 4);
	assert_int_equal(vlen, 5);
	assert_int_equal(v[0], MP_GATT_PROP_NOTIFY);

	len = tu_unhex("110601000600" "2718" "07000900" "0a18", pdu, sizeof(pdu));
	assert_int_equal(mp_att_decode(pdu, len, &p), 0);
	mp_att_group_entry(&p, 1, &h, &end, &v, &vlen);
	assert_int_equal(h, 7);
	assert_int_equal(end, 9);
	assert_int_equal(vlen, 2);
	assert_int_equal(v[0], 0x0a);
}

static void test_char_decl(void **state)
{
	struct mp_gatt_char_decl d;
	uint8_t v[32];
	size_t len;

	(void)state;
	len = tu_unhex("040300db2a", v, sizeof(v));
	assert_int_equal(mp_att_decode_char_decl(v, len, &d), 0);
	assert_int_equal(d.props, MP_GATT_PROP_WRITE_NO_RSP);
	assert_int_equal(d.value_handle, 3);
	assert_true(mp_att_uuid_is(&d.uuid, MP_GATT_UUID_MESH_PROV_DATA_IN));

	/* The same UUID in its 128-bit form. */
	len = tu_unhex("100500" "fb349b5f8000008000100000dc2a0000", v, sizeof(v));
	assert_int_equal(mp_att_decode_char_decl(v, len, &d), 0);
	assert_int_equal(d.uuid.len, 16);
	assert_true(mp_att_uuid_is(&d.uuid, MP_GATT_UUID_MESH_PROV_DATA_OUT));
	assert_false(mp_att_uuid_is(&d.uuid, MP_GATT_UUID_MESH_PROV_DATA_IN));

	len = tu_unhex("040300db", v, sizeof(v));
	assert_int_equal(mp_att_decode_char_decl(v, len, &d), -EBADMSG);
	len = tu_unhex("040300db2a00", v, sizeof(v));
	assert_int_equal(mp_att_decode_char_decl(v, len, &d), -EBADMSG);
	len = tu_unhex("040000db2a", v, sizeof(v));
	assert_int_equal(mp_att_decode_char_decl(v, len, &d), -EBADMSG);
}

static void test_uuids(void **state)
{
	struct mp_att_uuid a, b;
	uint8_t v[16];

	(void)state;
	mp_att_uuid16(&a, 0x2803);
	assert_int_equal(a.len, 2);
	assert_int_equal(a.val[0], 0x03);
	assert_int_equal(a.val[1], 0x28);
	assert_true(mp_att_uuid_is(&a, 0x2803));
	assert_false(mp_att_uuid_is(&a, 0x2800));

	b.len = 16;
	tu_unhex(CHAR128, b.val, sizeof(b.val));
	assert_true(mp_att_uuid_equal(&a, &b));
	assert_true(mp_att_uuid_equal(&b, &a));
	assert_true(mp_att_uuid_is(&b, 0x2803));

	/* Not of the Base: equal to no 16-bit UUID. */
	tu_unhex(VENDOR128, v, sizeof(v));
	memcpy(b.val, v, 16);
	assert_false(mp_att_uuid_equal(&a, &b));
	assert_true(mp_att_uuid_equal(&b, &b));
	/* A length other than 2 or 16 equals nothing. */
	b.len = 4;
	assert_false(mp_att_uuid_equal(&b, &b));

	assert_string_equal(mp_gatt_uuid_name(0x2adb), "Mesh Provisioning Data In");
	assert_string_equal(mp_gatt_uuid_name(0x2ade), "Mesh Proxy Data Out");
	assert_string_equal(mp_gatt_uuid_name(0x2902), "Client Characteristic Configuration");
	assert_null(mp_gatt_uuid_name(0x1234));
	assert_int_equal(mp_gatt_mesh_prov.service, 0x1827);
	assert_int_equal(mp_gatt_mesh_proxy.data_out, 0x2ade);
}

static void test_names(void **state)
{
	unsigned i;

	(void)state;
	assert_string_equal(mp_att_strerror(0x0a), "Attribute Not Found");
	assert_string_equal(mp_att_strerror(0x01), "Invalid Handle");
	assert_string_equal(mp_att_strerror(0x06), "Request Not Supported");
	assert_string_equal(mp_att_strerror(0x13), "Value Not Allowed");
	assert_string_equal(mp_att_strerror(0x80), "Application Error");
	assert_string_equal(mp_att_strerror(0x9f), "Application Error");
	assert_string_equal(mp_att_strerror(0x00), "Reserved");
	assert_string_equal(mp_att_strerror(0x14), "Reserved");
	assert_string_equal(mp_att_strerror(0xa0), "Reserved");
	assert_string_equal(mp_att_strerror(0xfd),
			    "Client Characteristic Configuration Descriptor Improperly Configured");
	for (i = 0; i < 256; i++)
		assert_non_null(mp_att_strerror((uint8_t)i));

	assert_int_equal(mp_att_error_errno(0x0a), -ENOENT);
	assert_int_equal(mp_att_error_errno(0x05), -EACCES);
	assert_int_equal(mp_att_error_errno(0x0f), -EACCES);
	assert_int_equal(mp_att_error_errno(0x06), -EOPNOTSUPP);
	assert_int_equal(mp_att_error_errno(0x11), -ENOMEM);
	assert_int_equal(mp_att_error_errno(0x0e), -EPROTO);
	assert_int_equal(mp_att_error_errno(0x80), -EPROTO);

	assert_string_equal(mp_att_opcode_name(0x08), "Read By Type Request");
	assert_string_equal(mp_att_opcode_name(0x52), "Write Command");
	assert_string_equal(mp_att_opcode_name(0x1b), "Handle Value Notification");
	assert_string_equal(mp_att_opcode_name(0x3f), "Unknown");
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(mp_att_opcode_kind(0x01), MP_ATT_KIND_RESPONSE);
	assert_int_equal(mp_att_opcode_kind(0x02), MP_ATT_KIND_REQUEST);
	assert_int_equal(mp_att_opcode_kind(0x13), MP_ATT_KIND_RESPONSE);
	assert_int_equal(mp_att_opcode_kind(0x1b), MP_ATT_KIND_NOTIFICATION);
	assert_int_equal(mp_att_opcode_kind(0x23), MP_ATT_KIND_NOTIFICATION);
	assert_int_equal(mp_att_opcode_kind(0x1d), MP_ATT_KIND_INDICATION);
	assert_int_equal(mp_att_opcode_kind(0x1e), MP_ATT_KIND_CONFIRMATION);
	assert_int_equal(mp_att_opcode_kind(0x52), MP_ATT_KIND_COMMAND);
	assert_int_equal(mp_att_opcode_kind(0xd2), MP_ATT_KIND_COMMAND);
	/* Unknown: the Command Flag decides (Core v5.4 Vol 3 Part F 3.4.9). */
	assert_int_equal(mp_att_opcode_kind(0x7f), MP_ATT_KIND_COMMAND);
	assert_int_equal(mp_att_opcode_kind(0xc0), MP_ATT_KIND_COMMAND);
	assert_int_equal(mp_att_opcode_kind(0x3f), MP_ATT_KIND_REQUEST);
	assert_int_equal(mp_att_opcode_kind(0x00), MP_ATT_KIND_REQUEST);
	assert_int_equal(mp_att_opcode_kind(0x80), MP_ATT_KIND_REQUEST);

	assert_int_equal(mp_att_response_opcode(0x02), 0x03);
	assert_int_equal(mp_att_response_opcode(0x06), 0x07);
	assert_int_equal(mp_att_response_opcode(0x10), 0x11);
	assert_int_equal(mp_att_response_opcode(0x12), 0x13);
	assert_int_equal(mp_att_response_opcode(0x20), 0x21);
	assert_int_equal(mp_att_response_opcode(0x52), 0);
	assert_int_equal(mp_att_response_opcode(0x3f), 0);
}

static void test_encode(void **state)
{
	static const uint8_t entries[] = { 0x01, 0x00, 0x00, 0x28, 0x02, 0x00, 0x03, 0x28 };
	uint8_t out[32], want[32];
	struct mp_att_pdu p;
	size_t len;

	(void)state;
	/* Error Response. */
	assert_int_equal(mp_att_encode_error(out, sizeof(out), 0x06, 0x0001, 0x0a), 5);
	len = tu_unhex("010601000a", want, sizeof(want));
	tu_assert_bytes(out, want, len);
	assert_int_equal(mp_att_encode_error(out, 4, 0x06, 0x0001, 0x0a), -EMSGSIZE);

	/* Read By Type Request with a 16-bit UUID. */
	memset(&p, 0, sizeof(p));
	p.opcode = MP_ATT_READ_BY_TYPE_REQ;
	p.by_type.start = 0x0002;
	p.by_type.end = 0x0006;
	mp_att_uuid16(&p.by_type.type, MP_GATT_UUID_CHARACTERISTIC);
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), 7);
	len = tu_unhex("08020006000328", want, sizeof(want));
	tu_assert_bytes(out, want, len);
	assert_int_equal(mp_att_encode(&p, out, 6), -EMSGSIZE);
	p.by_type.type.len = 3;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);

	/* A Find Information Response: the format must fit the entries. */
	memset(&p, 0, sizeof(p));
	p.opcode = MP_ATT_FIND_INFO_RSP;
	p.list.format = 1;
	p.list.entry = 4;
	p.list.count = 2;
	p.list.data = entries;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), 10);
	len = tu_unhex("05010100002802000328", want, sizeof(want));
	tu_assert_bytes(out, want, len);
	assert_int_equal(mp_att_encode(&p, out, 9), -EMSGSIZE);
	p.list.format = 2;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);
	p.list.format = 1;
	p.list.count = 0;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);

	/* A Read By Type Response: the length octet is the entry size. */
	p.opcode = MP_ATT_READ_BY_TYPE_RSP;
	p.list.entry = 4;
	p.list.count = 2;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), 10);
	assert_int_equal(out[1], 4);
	p.list.entry = 1;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);
	p.list.entry = 4;
	p.list.data = NULL;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);

	/* Values need a pointer; unknown opcodes are refused. */
	memset(&p, 0, sizeof(p));
	p.opcode = MP_ATT_WRITE_CMD;
	p.hv.handle = 3;
	p.hv.len = 1;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);
	p.opcode = MP_ATT_READ_MULT_REQ;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), -EINVAL);
	p.opcode = MP_ATT_WRITE_RSP;
	assert_int_equal(mp_att_encode(&p, out, sizeof(out)), 1);
	assert_int_equal(mp_att_encode(&p, out, 0), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_list_entries),
		cmocka_unit_test(test_char_decl),
		cmocka_unit_test(test_uuids),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
