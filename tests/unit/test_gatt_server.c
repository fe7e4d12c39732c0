/* gatt/server: the device's ATT server, one Mesh service at fixed handles.
 * Every request type of Core v5.4 Vol 3 Part F 3.4 that a GATT client may
 * send, answered byte for byte (requests and expected answers in hex),
 * with the errors and the ATT_MTU bounds; commands, notifications. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "gatt/server.h"

#define TXMAX 16

struct t {
	struct mp_gatt_server *s;
	uint8_t tx[TXMAX][MP_ATT_MTU_MAX];
	size_t txlen[TXMAX];
	unsigned ntx;
	uint8_t data[MP_ATT_MTU_MAX];
	size_t data_len;
	unsigned ndata, ncccd, nmtu;
	bool cccd;
	uint16_t mtu;
	bool free_in_cb;
	bool notify_in_cb;
	int notify_rc;
};

static void t_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct t *t = owner;

	assert_true(t->ntx < TXMAX);
	assert_true(len >= 1 && len <= mp_gatt_server_mtu(t->s));
	memcpy(t->tx[t->ntx], pdu, len);
	t->txlen[t->ntx++] = len;
}

static void t_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct t *t = owner;

	memcpy(t->data, value, len);
	t->data_len = len;
	t->ndata++;
	if (t->notify_in_cb)
		t->notify_rc = mp_gatt_server_notify(t->s, value, len);
	if (t->free_in_cb) {
		mp_gatt_server_free(t->s);
		t->s = NULL;
	}
}

static void t_cccd(void *owner, bool enabled)
{
	struct t *t = owner;

	t->ncccd++;
	t->cccd = enabled;
}

static void t_mtu(void *owner, uint16_t mtu)
{
	struct t *t = owner;

	t->nmtu++;
	t->mtu = mtu;
}

static const struct mp_gatt_server_ops ops = {
	.tx = t_tx, .data_in = t_data_in, .cccd = t_cccd, .mtu = t_mtu,
};

static struct t *t_new(uint16_t mtu, const struct mp_gatt_service_uuids *uuids)
{
	struct t *t = calloc(1, sizeof(*t));
	struct mp_gatt_server_config cfg = { .mtu = mtu, .ops = &ops };

	assert_non_null(t);
	cfg.owner = t;
	if (uuids)
		cfg.uuids = *uuids;
	t->s = mp_gatt_server_new(&cfg);
	assert_non_null(t->s);
	return t;
}

static void t_free(struct t *t)
{
	mp_gatt_server_free(t->s);
	free(t);
}

/* Feed @req (hex); the server must answer exactly @rsp (hex), or nothing
 * when @rsp is NULL. Returns what mp_gatt_server_rx() returned. */
static int xchg(struct t *t, const char *req, const char *rsp)
{
	uint8_t in[600], want[600];
	size_t len = tu_unhex(req, in, sizeof(in)), wlen;
	int rc;

	t->ntx = 0;
	rc = mp_gatt_server_rx(t->s, in, len);
	if (!rsp) {
		if (t->ntx != 0)
			fail_msg("%s: answered %u PDUs, want none", req, t->ntx);
		return rc;
	}
	if (t->ntx != 1)
		fail_msg("%s: answered %u PDUs, want 1", req, t->ntx);
	wlen = tu_unhex(rsp, want, sizeof(want));
	if (t->txlen[0] != wlen)
		fail_msg("%s: answer of %zu octets, want %zu", req, t->txlen[0], wlen);
	tu_assert_bytes(t->tx[0], want, wlen);
	return rc;
}

/* The database of gatt/server.h, Mesh Provisioning. */
#define DECL_IN "040300db2a"
#define DECL_OUT "100500dc2a"
#define BASE128(u) "fb349b5f80000080001000" "00" u "0000"

static void test_config(void **state)
{
	struct mp_gatt_server_config cfg = { .ops = &ops };
	struct mp_gatt_server_ops no_tx = { .data_in = t_data_in };

	(void)state;
	assert_null(mp_gatt_server_new(NULL));
	assert_int_equal(errno, EINVAL);
	cfg.mtu = 22;
	assert_null(mp_gatt_server_new(&cfg));
	cfg.mtu = 518;
	assert_null(mp_gatt_server_new(&cfg));
	cfg.mtu = 0;
	cfg.uuids.service = 0x1827;
	assert_null(mp_gatt_server_new(&cfg));
	cfg.uuids.service = 0;
	cfg.ops = &no_tx;
	assert_null(mp_gatt_server_new(&cfg));
	mp_gatt_server_free(NULL);
}

static void test_mtu_exchange(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	assert_int_equal(mp_gatt_server_mtu(t->s), 23);
	/* Our Server Rx MTU is 517; ATT_MTU = min(client's, ours). */
	assert_int_equal(xchg(t, "02f700", "030502"), 0);
	assert_int_equal(mp_gatt_server_mtu(t->s), 247);
	assert_int_equal(t->nmtu, 1);
	assert_int_equal(t->mtu, 247);
	/* Answered again, but only the first exchange counts. */
	assert_int_equal(xchg(t, "022000", "030502"), 0);
	assert_int_equal(mp_gatt_server_mtu(t->s), 247);
	assert_int_equal(t->nmtu, 1);
	t_free(t);

	/* A configured Server Rx MTU; a client's MTU below 23 keeps 23. */
	t = t_new(69, NULL);
	assert_int_equal(xchg(t, "020502", "034500"), 0);
	assert_int_equal(mp_gatt_server_mtu(t->s), 69);
	t_free(t);
	t = t_new(0, NULL);
	assert_int_equal(xchg(t, "021000", "030502"), 0);
	assert_int_equal(mp_gatt_server_mtu(t->s), 23);
	assert_int_equal(xchg(t, "0205", "0102000004"), 0);
	t_free(t);
}

static void test_read_by_group_type(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	/* Discover All Primary Services, Core v5.4 Vol 3 Part G 4.4.1. */
	xchg(t, "100100ffff0028", "11060100060027" "18");
	xchg(t, "100700ffff0028", "011007000a");
	xchg(t, "100100ffff" BASE128("0028"), "11060100060027" "18");
	xchg(t, "1001000100" "0028", "11060100060027" "18");
	xchg(t, "1002000600" "0028", "011002000a");
	/* No secondary services; other group types are not groups. */
	xchg(t, "100100ffff0128", "011001000a");
	xchg(t, "100100ffff0328", "0110010010");
	xchg(t, "100100ffff" "00112233445566778899aabbccddeeff", "0110010010");
	/* Bad ranges and PDUs. */
	xchg(t, "100000ffff0028", "0110000001");
	xchg(t, "1005000100" "0028", "0110050001");
	xchg(t, "100100ffff002800", "0110000004");
	t_free(t);
}

static void test_find_by_type_value(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	/* Discover Primary Service by Service UUID, Part G 4.4.2. */
	xchg(t, "060100ffff00282718", "0701000600");
	xchg(t, "060100ffff0028" BASE128("2718"), "0701000600");
	xchg(t, "060100ffff00282818", "010601000a");
	xchg(t, "060200ffff00282718", "010602000a");
	xchg(t, "060100ffff0028", "010601000a");
	/* A non-grouping attribute: its end group handle is itself. */
	xchg(t, "060100ffff0328" DECL_OUT, "0704000400");
	xchg(t, "060100ffff02290000", "0706000600");
	/* Unreadable values match nothing. */
	xchg(t, "060100ffffdb2a", "010601000a");
	xchg(t, "060000ffff00282718", "0106000001");
	xchg(t, "060100ffff00", "0106000004");
	t_free(t);
}

static void test_read_by_type(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	/* Discover All Characteristics of a Service, Part G 4.6.1. */
	xchg(t, "080100ffff0328", "0907" "0200" DECL_IN "0400" DECL_OUT);
	xchg(t, "0802000600" "0328", "0907" "0200" DECL_IN "0400" DECL_OUT);
	xchg(t, "0803000600" "0328", "0907" "0400" DECL_OUT);
	xchg(t, "0802000300" "0328", "0907" "0200" DECL_IN);
	xchg(t, "0805000600" "0328", "010805000a");
	xchg(t, "080100ffff" BASE128("0328"), "0907" "0200" DECL_IN "0400" DECL_OUT);
	/* Read Using Characteristic UUID, Part G 4.8.2. */
	xchg(t, "080100ffff0229", "090406000000");
	xchg(t, "080100ffff0028", "090401002718");
	xchg(t, "080100ffffdb2a", "0108030002");
	xchg(t, "080100ffffdc2a", "0108050002");
	xchg(t, "080100ffff0228", "010801000a");
	xchg(t, "080100ffff0129", "010801000a");
	/* Bad ranges and PDUs. */
	xchg(t, "080000ffff0328", "0108000001");
	xchg(t, "0806000500" "0328", "0108060001");
	xchg(t, "080100ffff03", "0108000004");
	t_free(t);
}

static void test_find_information(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	/* Discover All Characteristic Descriptors, Part G 4.7.1: at ATT_MTU
	 * 23 five entries fit (2 + 5 * 4 octets), the sixth needs another. */
	xchg(t, "040100ffff",
	     "0501" "01000028" "02000328" "0300db2a" "04000328" "0500dc2a");
	xchg(t, "040600ffff", "0501" "06000229");
	xchg(t, "0406000600", "0501" "06000229");
	xchg(t, "040700ffff", "010407000a");
	xchg(t, "0403000400", "0501" "0300db2a" "04000328");
	xchg(t, "040000ffff", "0104000001");
	xchg(t, "0407000600", "0104070001");
	xchg(t, "04010006", "0104000004");
	/* ATT_MTU 26 is exactly enough for all six at once, 25 is not. */
	xchg(t, "021a00", "030502");
	xchg(t, "040100ffff",
	     "0501" "01000028" "02000328" "0300db2a" "04000328" "0500dc2a" "06000229");
	t_free(t);
	t = t_new(0, NULL);
	xchg(t, "021900", "030502");
	xchg(t, "040100ffff",
	     "0501" "01000028" "02000328" "0300db2a" "04000328" "0500dc2a");
	t_free(t);
}

static void test_read(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	xchg(t, "0a0100", "0b2718");
	xchg(t, "0a0200", "0b" DECL_IN);
	xchg(t, "0a0400", "0b" DECL_OUT);
	xchg(t, "0a0600", "0b0000");
	xchg(t, "0a0300", "010a030002");
	xchg(t, "0a0500", "010a050002");
	xchg(t, "0a0700", "010a070001");
	xchg(t, "0a0000", "010a000001");
	xchg(t, "0affff", "010affff01");
	xchg(t, "0a01", "010a000004");
	/* Read Blob (Read Long Characteristic Values, Part G 4.8.3). */
	xchg(t, "0c02000000", "0d" DECL_IN);
	xchg(t, "0c02000200", "0d00db2a");
	xchg(t, "0c02000500", "0d");
	xchg(t, "0c02000600", "010c020007");
	xchg(t, "0c03000000", "010c030002");
	xchg(t, "0c07000000", "010c070001");
	xchg(t, "0c0200", "010c000004");
	/* The CCCD reads back what was written. */
	xchg(t, "1206000100", "13");
	xchg(t, "0a0600", "0b0100");
	t_free(t);
}

static void test_write_request(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	assert_false(mp_gatt_server_notifying(t->s));
	xchg(t, "1206000100", "13");
	assert_true(mp_gatt_server_notifying(t->s));
	assert_int_equal(t->ncccd, 1);
	assert_true(t->cccd);
	xchg(t, "1206000100", "13");
	assert_int_equal(t->ncccd, 2);
	xchg(t, "1206000000", "13");
	assert_false(mp_gatt_server_notifying(t->s));
	assert_int_equal(t->ncccd, 3);
	assert_false(t->cccd);
	/* Data Out does not indicate; a CCCD is 2 octets. */
	xchg(t, "1206000200", "0112060013");
	xchg(t, "1206000300", "0112060013");
	xchg(t, "120600010000", "011206000d");
	xchg(t, "12060001", "011206000d");
	xchg(t, "120600", "011206000d");
	assert_int_equal(t->ncccd, 3);
	/* Everything else is not writable with a Write Request. */
	xchg(t, "1203000102", "0112030003");
	xchg(t, "1201000102", "0112010003");
	xchg(t, "1205000102", "0112050003");
	xchg(t, "1207000102", "0112070001");
	xchg(t, "1200000102", "0112000001");
	xchg(t, "1206", "0112000004");
	assert_int_equal(t->ndata, 0);
	t_free(t);
}

static void test_write_command(void **state)
{
	struct t *t = t_new(0, NULL);
	uint8_t big[24];

	(void)state;
	assert_int_equal(xchg(t, "520300a1a2a3", NULL), 0);
	assert_int_equal(t->ndata, 1);
	assert_int_equal(t->data_len, 3);
	assert_int_equal(t->data[2], 0xa3);
	/* Commands are never answered, whatever is wrong with them. */
	assert_int_equal(xchg(t, "520600a1", NULL), -ENOENT);
	assert_int_equal(xchg(t, "520300", NULL), -ENOENT);
	assert_int_equal(xchg(t, "520000a1", NULL), -ENOENT);
	assert_int_equal(xchg(t, "5203", NULL), -EBADMSG);
	assert_int_equal(xchg(t, "d20300a1000000000000000000000000", NULL), -EOPNOTSUPP);
	assert_int_equal(xchg(t, "7f0300", NULL), -EOPNOTSUPP);
	assert_int_equal(t->ndata, 1);
	/* The largest at ATT_MTU 23 is 20 octets; 21 is too long. */
	memset(big, 0x5a, sizeof(big));
	big[0] = MP_ATT_WRITE_CMD;
	big[1] = 0x03;
	big[2] = 0x00;
	assert_int_equal(mp_gatt_server_rx(t->s, big, 23), 0);
	assert_int_equal(t->data_len, 20);
	t->ntx = 0;
	assert_int_equal(mp_gatt_server_rx(t->s, big, 24), -EMSGSIZE);
	assert_int_equal(t->ntx, 0);
	assert_int_equal(t->ndata, 2);
	t_free(t);
}

static void test_unsupported(void **state)
{
	struct t *t = t_new(0, NULL);
	uint8_t big[24] = { MP_ATT_WRITE_REQ, 0x06, 0x00 };

	(void)state;
	/* Optional requests: Request Not Supported, handle 0 (Part F 3.4.9). */
	xchg(t, "0e01000200", "010e000006");
	xchg(t, "2001000200", "0120000006");
	xchg(t, "160600000001", "0116000006");
	xchg(t, "1801", "0118000006");
	xchg(t, "3f", "013f000006");
	xchg(t, "00", "0100000006");
	xchg(t, "8001", "0180000006");
	/* A server sends no requests or indications: nothing answers them. */
	assert_int_equal(xchg(t, "0103010001", NULL), -EPROTO);
	assert_int_equal(xchg(t, "030502", NULL), -EPROTO);
	assert_int_equal(xchg(t, "13", NULL), -EPROTO);
	assert_int_equal(xchg(t, "1e", NULL), -EPROTO);
	assert_int_equal(xchg(t, "1b0100aa", NULL), -EPROTO);
	assert_int_equal(xchg(t, "1d0100aa", NULL), -EPROTO);
	assert_int_equal(mp_gatt_server_rx(t->s, big, 0), -EBADMSG);
	assert_int_equal(mp_gatt_server_rx(t->s, NULL, 3), -EBADMSG);
	/* Longer than ATT_MTU: Invalid PDU. */
	t->ntx = 0;
	assert_int_equal(mp_gatt_server_rx(t->s, big, 24), -EMSGSIZE);
	assert_int_equal(t->ntx, 1);
	assert_int_equal(t->txlen[0], 5);
	assert_int_equal(t->tx[0][4], MP_ATT_ERR_INVALID_PDU);
	t_free(t);
}

static void test_notify(void **state)
{
	struct t *t = t_new(0, NULL);
	uint8_t v[520];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)i;
	assert_int_equal(mp_gatt_server_notify(t->s, v, 1), -ENOTCONN);
	xchg(t, "1206000100", "13");
	t->ntx = 0;
	assert_int_equal(mp_gatt_server_notify(t->s, v, 20), 0);
	assert_int_equal(t->ntx, 1);
	assert_int_equal(t->txlen[0], 23);
	assert_int_equal(t->tx[0][0], MP_ATT_NOTIFY);
	assert_int_equal(t->tx[0][1], 0x05);
	assert_int_equal(t->tx[0][2], 0x00);
	tu_assert_bytes(t->tx[0] + 3, v, 20);
	assert_int_equal(mp_gatt_server_notify(t->s, v, 21), -EMSGSIZE);
	assert_int_equal(mp_gatt_server_notify(t->s, v, 0), -EMSGSIZE);
	assert_int_equal(mp_gatt_server_notify(t->s, NULL, 3), -EINVAL);
	/* After an exchange to 517: up to 514 octets. */
	xchg(t, "020502", "030502");
	t->ntx = 0;
	assert_int_equal(mp_gatt_server_notify(t->s, v, 514), 0);
	assert_int_equal(t->txlen[0], 517);
	tu_assert_bytes(t->tx[0] + 3, v, 514);
	assert_int_equal(mp_gatt_server_notify(t->s, v, 515), -EMSGSIZE);
	/* Disabled again: no more notifications. */
	xchg(t, "1206000000", "13");
	assert_int_equal(mp_gatt_server_notify(t->s, v, 1), -ENOTCONN);
	t_free(t);
}

static void test_proxy_service(void **state)
{
	struct t *t = t_new(0, &mp_gatt_mesh_proxy);

	(void)state;
	xchg(t, "100100ffff0028", "11060100060028" "18");
	xchg(t, "060100ffff00282818", "0701000600");
	xchg(t, "060100ffff00282718", "010601000a");
	xchg(t, "080100ffff0328", "0907" "0200" "040300dd2a" "0400" "100500de2a");
	xchg(t, "040100ffff",
	     "0501" "01000028" "02000328" "0300dd2a" "04000328" "0500de2a");
	t_free(t);
}

/* The callbacks may notify and free the server. */
static void test_reentrancy(void **state)
{
	struct t *t = t_new(0, NULL);

	(void)state;
	xchg(t, "1206000100", "13");
	t->notify_in_cb = true;
	t->ntx = 0;
	assert_int_equal(mp_gatt_server_rx(t->s, (const uint8_t *)"\x52\x03\x00\x61\x62", 5), 0);
	assert_int_equal(t->notify_rc, 0);
	assert_int_equal(t->ntx, 1);
	assert_int_equal(t->txlen[0], 5);
	t->free_in_cb = true;
	assert_int_equal(mp_gatt_server_rx(t->s, (const uint8_t *)"\x52\x03\x00\x61", 4), 0);
	assert_null(t->s);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_mtu_exchange),
		cmocka_unit_test(test_read_by_group_type),
		cmocka_unit_test(test_find_by_type_value),
		cmocka_unit_test(test_read_by_type),
		cmocka_unit_test(test_find_information),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write_request),
		cmocka_unit_test(test_write_command),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_proxy_service),
		cmocka_unit_test(test_reentrancy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
