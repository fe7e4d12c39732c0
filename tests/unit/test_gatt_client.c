/* gatt/client: the provisioner's GATT client against scripted servers.
 *
 * Each script is the exchange on the ATT channel, byte for byte: "C:" lines
 * are what the client must send next, "S:" lines what the server answers.
 * Servers with other services and characteristics around ours, with
 * characteristics split over several responses, 128-bit UUIDs; then every
 * way discovery can fail, the 30 s timeout on a fake timer, requests from
 * the peer, notifications and writes. Core v5.4 Vol 3 Part F, Part G 4. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "gatt/client.h"

#define TXMAX 32

struct w {
	struct mp_gatt_client *c;
	uint8_t tx[TXMAX][MP_ATT_MTU_MAX];
	size_t txlen[TXMAX];
	unsigned ntx, rd;
	bool armed;
	uint32_t delay;
	unsigned ntimer;
	unsigned nready, nnotify, nfailed;
	uint16_t ready_mtu;
	uint8_t value[MP_ATT_MTU_MAX];
	size_t value_len;
	int err;
	char reason[256];
	int last_rc;
	/* what the callbacks do */
	bool free_on_fail, free_on_ready, free_on_notify, write_on_ready;
	int write_rc;
};

static void w_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct w *w = owner;

	assert_true(w->ntx < TXMAX);
	assert_true(len >= 1 && len <= mp_gatt_client_mtu(w->c));
	memcpy(w->tx[w->ntx], pdu, len);
	w->txlen[w->ntx++] = len;
}

static void w_timer(void *owner, uint32_t delay_ms)
{
	struct w *w = owner;

	w->armed = delay_ms != 0;
	w->delay = delay_ms;
	w->ntimer++;
}

static void w_ready(void *owner, uint16_t mtu)
{
	struct w *w = owner;

	assert_int_equal(w->nfailed, 0);
	w->nready++;
	w->ready_mtu = mtu;
	if (w->write_on_ready)
		w->write_rc = mp_gatt_client_write(w->c, (const uint8_t *)"\x03\x00", 2);
	if (w->free_on_ready) {
		mp_gatt_client_free(w->c);
		w->c = NULL;
	}
}

static void w_notify(void *owner, const uint8_t *value, size_t len)
{
	struct w *w = owner;

	assert_int_equal(w->nfailed, 0);
	w->nnotify++;
	memcpy(w->value, value, len);
	w->value_len = len;
	if (w->free_on_notify) {
		mp_gatt_client_free(w->c);
		w->c = NULL;
	}
}

static void w_failed(void *owner, int err, const char *reason)
{
	struct w *w = owner;

	assert_int_equal(w->nfailed, 0);
	assert_true(err < 0);
	w->nfailed++;
	w->err = err;
	snprintf(w->reason, sizeof(w->reason), "%s", reason);
	if (w->free_on_fail) {
		mp_gatt_client_free(w->c);
		w->c = NULL;
	}
}

static const struct mp_gatt_client_ops ops = {
	.tx = w_tx, .timer = w_timer, .ready = w_ready, .notify = w_notify, .failed = w_failed,
};

static struct w *w_new(uint16_t mtu, const struct mp_gatt_service_uuids *uuids)
{
	struct w *w = calloc(1, sizeof(*w));
	struct mp_gatt_client_config cfg = { .mtu = mtu, .ops = &ops };

	assert_non_null(w);
	cfg.owner = w;
	if (uuids)
		cfg.uuids = *uuids;
	w->c = mp_gatt_client_new(&cfg);
	assert_non_null(w->c);
	assert_int_equal(mp_gatt_client_start(w->c), 0);
	return w;
}

static void w_free(struct w *w)
{
	mp_gatt_client_free(w->c);
	free(w);
}

/* The client must have sent exactly @hex next. */
static void expect_tx(struct w *w, const char *hex)
{
	uint8_t want[MP_ATT_MTU_MAX];
	size_t len = tu_unhex(hex, want, sizeof(want));

	if (w->rd >= w->ntx)
		fail_msg("client sent nothing, want C:%s", hex);
	if (w->txlen[w->rd] != len)
		fail_msg("client sent %zu octets, want C:%s", w->txlen[w->rd], hex);
	tu_assert_bytes(w->tx[w->rd], want, len);
	w->rd++;
}

/* Feed the client @hex; everything it sent before must have been checked. */
static int feed(struct w *w, const char *hex)
{
	uint8_t pdu[MP_ATT_MTU_MAX + 8];
	size_t len = tu_unhex(hex, pdu, sizeof(pdu));

	if (w->rd != w->ntx)
		fail_msg("before S:%s the client sent %u unchecked PDUs", hex, w->ntx - w->rd);
	w->last_rc = mp_gatt_client_rx(w->c, pdu, len);
	return w->last_rc;
}

/* Run a script of "C:hex" / "S:hex" lines, NULL-terminated. */
static void run(struct w *w, const char *const *lines)
{
	for (; *lines; lines++) {
		if (strncmp(*lines, "C:", 2) == 0)
			expect_tx(w, *lines + 2);
		else if (strncmp(*lines, "S:", 2) == 0)
			feed(w, *lines + 2);
		else
			fail_msg("bad script line %s", *lines);
	}
}

static void expect_quiet(struct w *w)
{
	if (w->rd != w->ntx)
		fail_msg("client sent %u more PDUs", w->ntx - w->rd);
}

static void expect_failed(struct w *w, int err, const char *reason)
{
	expect_quiet(w);
	assert_int_equal(w->nfailed, 1);
	assert_int_equal(w->err, err);
	assert_string_equal(w->reason, reason);
	assert_int_equal(mp_gatt_client_state(w->c), MP_GATT_CLIENT_FAILED);
	assert_string_equal(mp_gatt_client_reason(w->c), reason);
	assert_false(w->armed);
}

/* ---------- scripts ---------- */

#define BASE128(u) "fb349b5f80000080001000" "00" u "0000"
#define VENDOR128 "00112233445566778899aabbccddeeff"

/* The database of gatt/server.h: service 0x0001..0x0006. */
#define MTU517 "C:020502", "S:030502"
#define SVC "C:060100ffff00282718", "S:0701000600"
#define CHARS "C:08010006000328", "S:0907" "0200040300db2a" "0400100500dc2a", \
	"C:08050006000328", "S:010805000a"
#define DESCS "C:0406000600", "S:050106000229"
#define CCCD "C:1206000100", "S:13"

static const char *const simple[] = { MTU517, SVC, CHARS, DESCS, CCCD, NULL };

static void check_simple_handles(const struct mp_gatt_client *c)
{
	const struct mp_gatt_handles *h = mp_gatt_client_handles(c);

	assert_int_equal(h->service_start, 0x0001);
	assert_int_equal(h->service_end, 0x0006);
	assert_int_equal(h->data_in_decl, 0x0002);
	assert_int_equal(h->data_in, 0x0003);
	assert_int_equal(h->data_out_decl, 0x0004);
	assert_int_equal(h->data_out, 0x0005);
	assert_int_equal(h->data_out_end, 0x0006);
	assert_int_equal(h->cccd, 0x0006);
	assert_int_equal(h->data_in_props, MP_GATT_PROP_WRITE_NO_RSP);
	assert_int_equal(h->data_out_props, MP_GATT_PROP_NOTIFY);
}

static void test_simple(void **state)
{
	struct w *w = w_new(0, NULL);

	(void)state;
	assert_true(w->armed);
	assert_int_equal(w->delay, MP_ATT_TIMEOUT_MS);
	run(w, simple);
	expect_quiet(w);
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->ready_mtu, 517);
	assert_int_equal(mp_gatt_client_mtu(w->c), 517);
	assert_int_equal(mp_gatt_client_state(w->c), MP_GATT_CLIENT_READY);
	assert_false(w->armed);
	check_simple_handles(w->c);

	/* Data both ways. */
	assert_int_equal(mp_gatt_client_write(w->c, (const uint8_t *)"\x03\x00", 2), 0);
	expect_tx(w, "5203000300");
	assert_int_equal(feed(w, "1b0500030102"), 0);
	assert_int_equal(w->nnotify, 1);
	assert_int_equal(w->value_len, 3);
	assert_int_equal(w->value[0], 0x03);
	assert_int_equal(w->value[2], 0x02);
	expect_quiet(w);
	assert_int_equal(w->nfailed, 0);
	w_free(w);
}

/* Other services and characteristics around ours; two instances of the
 * service (the first is used); a vendor characteristic with a 128-bit UUID
 * after Data Out (a separate Read By Type response, Part F 3.4.4.2); a
 * User Description before the CCCD; the server's MTU 185. */
static void test_crowded_server(void **state)
{
	static const char *const script[] = {
		"C:020502", "S:03b900",
		"C:060100ffff00282718", "S:07" "10002000" "30003800",
		"C:08100020000328",
		"S:0907" "1100021200002a" "1300041400db2a" "1500101600dc2a",
		"C:08160020000328", "S:0915" "1900021a00" VENDOR128,
		"C:081a0020000328", "S:01081a000a",
		"C:0417001800", "S:0501" "17000129" "18000229",
		"C:1218000100", "S:13",
		NULL,
	};
	struct w *w = w_new(0, NULL);
	const struct mp_gatt_handles *h = mp_gatt_client_handles(w->c);

	(void)state;
	run(w, script);
	expect_quiet(w);
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->ready_mtu, 185);
	assert_int_equal(h->service_start, 0x0010);
	assert_int_equal(h->service_end, 0x0020);
	assert_int_equal(h->data_in_decl, 0x0013);
	assert_int_equal(h->data_in, 0x0014);
	assert_int_equal(h->data_out_decl, 0x0015);
	assert_int_equal(h->data_out, 0x0016);
	assert_int_equal(h->data_out_end, 0x0018);
	assert_int_equal(h->cccd, 0x0018);

	assert_int_equal(mp_gatt_client_write(w->c, (const uint8_t *)"hello", 5), 0);
	expect_tx(w, "521400" "68656c6c6f");
	assert_int_equal(feed(w, "1b16000102"), 0);
	assert_int_equal(w->nnotify, 1);
	/* Notifications of other attributes are not ours. */
	assert_int_equal(feed(w, "1b140001"), -ENOENT);
	assert_int_equal(feed(w, "1b120001"), -ENOENT);
	assert_int_equal(w->nnotify, 1);
	w_free(w);
}

/* ATT_MTU 23 (no exchange): one characteristic per response, Data In with
 * a 128-bit UUID of the Base, descriptors one per response. */
static void test_split_responses(void **state)
{
	static const char *const script[] = {
		"C:060100ffff00282718", "S:0701000800",
		"C:08010008000328", "S:0915" "0200040300" BASE128("db2a"),
		"C:08030008000328", "S:0907" "0400100500dc2a",
		"C:08050008000328", "S:010805000a",
		"C:0406000800", "S:0501" "06000129",
		"C:0407000800", "S:0501" "07000229",
		"C:1207000100", "S:13",
		NULL,
	};
	struct w *w = w_new(23, NULL);
	const struct mp_gatt_handles *h = mp_gatt_client_handles(w->c);

	(void)state;
	run(w, script);
	expect_quiet(w);
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->ready_mtu, 23);
	assert_int_equal(h->data_in, 0x0003);
	assert_int_equal(h->data_out, 0x0005);
	assert_int_equal(h->data_out_end, 0x0008);
	assert_int_equal(h->cccd, 0x0007);
	w_free(w);
}

/* Data Out first: its descriptors end before Data In's declaration. A
 * server answering MTU 23. */
static void test_data_out_first(void **state)
{
	static const char *const script[] = {
		"C:020502", "S:031700",
		"C:060100ffff00282718", "S:0701000900",
		"C:08010009000328", "S:0907" "0200100300dc2a" "0500040600db2a",
		"C:08060009000328", "S:010806000a",
		"C:0404000400", "S:0501" "04000229",
		"C:1204000100", "S:13",
		NULL,
	};
	struct w *w = w_new(0, NULL);

	(void)state;
	run(w, script);
	expect_quiet(w);
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->ready_mtu, 23);
	assert_int_equal(mp_gatt_client_handles(w->c)->data_out_end, 0x0004);
	assert_int_equal(mp_gatt_client_handles(w->c)->data_in, 0x0006);
	w_free(w);
}

/* A Server Rx MTU below the default leaves ATT_MTU at 23 (Core v5.4 Vol 3
 * Part F 3.4.2.2); any three UUIDs work, and are named in hex. */
static void test_odd_server(void **state)
{
	static const struct mp_gatt_service_uuids custom = { 0xfff0, 0xfff1, 0xfff2 };
	struct w *w = w_new(0, NULL);

	(void)state;
	run(w, (const char *const[]){ "C:020502", "S:031000", SVC, CHARS, DESCS, CCCD, NULL });
	assert_int_equal(w->ready_mtu, 23);
	w_free(w);

	w = w_new(0, &custom);
	run(w, (const char *const[]){ "C:020502", "S:030502", "C:060100ffff0028f0ff",
		"S:0701000600", "C:08010006000328", "S:0907" "0200040300f1ff" "0400100500dc2a",
		"C:08050006000328", "S:010805000a", NULL });
	expect_failed(w, -ENOENT, "characteristic discovery: no 0xfff2 in service 0x0001..0x0006");
	w_free(w);
}

static void test_proxy_service(void **state)
{
	static const char *const script[] = {
		"C:024500", "S:034500",
		"C:060100ffff00282818", "S:0701000600",
		"C:08010006000328", "S:0907" "0200040300dd2a" "0400100500de2a",
		"C:08050006000328", "S:010805000a",
		DESCS, CCCD, NULL,
	};
	struct w *w = w_new(69, &mp_gatt_mesh_proxy);

	(void)state;
	run(w, script);
	expect_quiet(w);
	assert_int_equal(w->ready_mtu, 69);
	/* The Mesh Provisioning characteristics are not the Proxy's. */
	w_free(w);

	w = w_new(69, &mp_gatt_mesh_proxy);
	run(w, (const char *const[]){ "C:024500", "S:034500",
		"C:060100ffff00282818", "S:0701000600",
		"C:08010006000328", "S:0907" "0200040300db2a" "0400100500dc2a",
		"C:08050006000328", "S:010805000a", NULL });
	expect_failed(w, -ENOENT, "characteristic discovery: no Mesh Proxy Data In (0x2add) "
		      "in service 0x0001..0x0006");
	w_free(w);
}

/* ---------- errors, step by step ---------- */

/* Run @prefix then feed @reply; the client must fail with @err, @reason. */
static void fails_with(const char *const *prefix, const char *reply, int err, const char *reason)
{
	struct w *w = w_new(0, NULL);

	run(w, prefix);
	if (reply)
		feed(w, reply);
	expect_failed(w, err, reason);
	/* Dead: nothing more is sent or reported. */
	assert_int_equal(feed(w, "030502"), -ENOTCONN);
	assert_int_equal(feed(w, "0a0100"), -ENOTCONN);
	assert_int_equal(mp_gatt_client_write(w->c, (const uint8_t *)"x", 1), -ENOTCONN);
	mp_gatt_client_timeout(w->c);
	expect_quiet(w);
	assert_int_equal(w->nfailed, 1);
	w_free(w);
}

static const char *const p_mtu[] = { "C:020502", NULL };
static const char *const p_svc[] = { MTU517, "C:060100ffff00282718", NULL };
static const char *const p_chars[] = { MTU517, SVC, "C:08010006000328", NULL };
static const char *const p_descs[] = { MTU517, SVC, CHARS, "C:0406000600", NULL };
static const char *const p_cccd[] = { MTU517, SVC, CHARS, DESCS, "C:1206000100", NULL };

static void test_error_responses(void **state)
{
	(void)state;
	/* Exchange MTU is optional for a server: Request Not Supported keeps 23. */
	{
		struct w *w = w_new(0, NULL);

		run(w, (const char *const[]){ "C:020502", "S:0102000006", SVC, CHARS, DESCS,
			CCCD, NULL });
		expect_quiet(w);
		assert_int_equal(w->ready_mtu, 23);
		w_free(w);
	}
	fails_with(p_mtu, "010200000e", -EPROTO, "MTU exchange: Unlikely Error (0x0e)");
	fails_with(p_svc, "010601000a", -ENOENT,
		   "service discovery: Attribute Not Found (0x0a): no service "
		   "Mesh Provisioning Service (0x1827)");
	fails_with(p_svc, "0106010005", -EACCES,
		   "service discovery: Insufficient Authentication (0x05) for handle 0x0001");
	fails_with(p_svc, "0106000085", -EPROTO, "service discovery: Application Error (0x85)");
	fails_with(p_chars, "0108010008", -EACCES,
		   "characteristic discovery: Insufficient Authorization (0x08) for handle 0x0001");
	fails_with(p_descs, "010406000e", -EPROTO,
		   "descriptor discovery: Unlikely Error (0x0e) for handle 0x0006");
	fails_with(p_cccd, "0112060003", -EACCES,
		   "enabling notifications: Write Not Permitted (0x03) for handle 0x0006");
	fails_with(p_cccd, "011206000a", -ENOENT,
		   "enabling notifications: Attribute Not Found (0x0a) for handle 0x0006");
}

static void test_missing_attributes(void **state)
{
	(void)state;
	/* No characteristics at all. */
	fails_with(p_chars, "010801000a", -ENOENT,
		   "characteristic discovery: no Mesh Provisioning Data In (0x2adb) "
		   "in service 0x0001..0x0006");
	/* A service with no room for any. */
	fails_with((const char *const[]){ MTU517, "C:060100ffff00282718", "S:0701000100",
		   "C:08010001000328", NULL }, "010801000a",
		   -ENOENT, "characteristic discovery: no Mesh Provisioning Data In (0x2adb) "
		   "in service 0x0001..0x0001");
	/* Data In only. */
	fails_with((const char *const[]){ MTU517, SVC, "C:08010006000328",
		   "S:0907" "0200040300db2a", "C:08030006000328", NULL }, "010803000a", -ENOENT,
		   "characteristic discovery: no Mesh Provisioning Data Out (0x2adc) "
		   "in service 0x0001..0x0006");
	/* Data Out only, with others. */
	fails_with((const char *const[]){ MTU517, SVC, "C:08010006000328",
		   "S:0907" "0200020300002a" "0400100500dc2a", "C:08050006000328", NULL },
		   "010805000a", -ENOENT,
		   "characteristic discovery: no Mesh Provisioning Data In (0x2adb) "
		   "in service 0x0001..0x0006");
	/* No CCCD: Attribute Not Found, or other descriptors only. */
	fails_with(p_descs, "010406000a", -ENOENT,
		   "descriptor discovery: no Client Characteristic Configuration (0x2902) for "
		   "Mesh Provisioning Data Out (0x2adc) in 0x0005..0x0006");
	fails_with(p_descs, "050106000129", -ENOENT,
		   "descriptor discovery: no Client Characteristic Configuration (0x2902) for "
		   "Mesh Provisioning Data Out (0x2adc) in 0x0005..0x0006");
	/* Data Out's value is the service's last handle: no room for one. */
	fails_with((const char *const[]){ MTU517, "C:060100ffff00282718", "S:0701000500",
		   "C:08010005000328", "S:0907" "0200040300db2a" "0400100500dc2a",
		   "C:08050005000328", NULL }, "010805000a", -ENOENT,
		   "descriptor discovery: no Client Characteristic Configuration (0x2902) for "
		   "Mesh Provisioning Data Out (0x2adc) in 0x0005..0x0005");
}

static void test_wrong_properties(void **state)
{
	(void)state;
	/* Data In writable with Write Request only; Data Out indicating. */
	fails_with((const char *const[]){ MTU517, SVC, "C:08010006000328",
		   "S:0907" "0200080300db2a" "0400100500dc2a", "C:08050006000328", NULL },
		   "010805000a", -EOPNOTSUPP,
		   "characteristic discovery: Mesh Provisioning Data In (0x2adb) at 0x0003 lacks "
		   "Write Without Response (properties 0x08)");
	fails_with((const char *const[]){ MTU517, SVC, "C:08010006000328",
		   "S:0907" "02000c0300db2a" "0400200500dc2a", "C:08050006000328", NULL },
		   "010805000a", -EOPNOTSUPP,
		   "characteristic discovery: Mesh Provisioning Data Out (0x2adc) at 0x0005 lacks "
		   "Notify (properties 0x20)");
}

static void test_mismatched(void **state)
{
	(void)state;
	fails_with(p_svc, "0907" "0200040300db2a", -EPROTO,
		   "service discovery: unexpected Read By Type Response (0x09) to "
		   "Find By Type Value Request");
	fails_with(p_svc, "010801000a", -EPROTO,
		   "service discovery: Error Response to Read By Type Request (0x08) while "
		   "Find By Type Value Request is outstanding");
	fails_with(p_mtu, "0f", -EPROTO,
		   "MTU exchange: unexpected Read Multiple Response (0x0f) to "
		   "Exchange MTU Request");
	fails_with(p_cccd, "0b0100", -EPROTO,
		   "enabling notifications: unexpected Read Response (0x0b) to Write Request");
	/* A response after ready answers nothing. */
	fails_with(simple, "13", -EPROTO,
		   "data exchange: unexpected Write Response (0x13) with no request outstanding");
	fails_with(simple, "0103010001", -EPROTO,
		   "data exchange: unexpected Error Response (0x01) with no request outstanding");
}

static void test_malformed(void **state)
{
	uint8_t long_pdu[24] = { MP_ATT_FIND_BY_TYPE_RSP, 0x01, 0x00, 0x06, 0x00 };
	struct w *w;

	(void)state;
	fails_with(p_svc, "07010006", -EBADMSG,
		   "service discovery: malformed Find By Type Value Response (4 octets)");
	fails_with(p_svc, "0706000100", -EBADMSG,
		   "service discovery: malformed Find By Type Value Response (5 octets)");
	fails_with(p_mtu, "0305", -EBADMSG, "MTU exchange: malformed Exchange MTU Response "
		   "(2 octets)");
	fails_with(p_svc, "0106010a", -EBADMSG,
		   "service discovery: malformed Error Response (4 octets)");
	fails_with(p_chars, "0906" "0200040300db", -EBADMSG,
		   "characteristic discovery: malformed characteristic declaration at 0x0002");
	fails_with(p_chars, "0907" "0200040300db2a" "04", -EBADMSG,
		   "characteristic discovery: malformed Read By Type Response (10 octets)");
	fails_with(p_chars, "0907" "0900040a00db2a", -EBADMSG,
		   "characteristic discovery: declaration 0x0009 outside the range asked, "
		   "0x0001..0x0006");
	fails_with((const char *const[]){ MTU517, SVC, "C:08010006000328",
		   "S:0907" "0200040300db2a", "C:08030006000328", NULL },
		   "0907" "0200040300db2a", -EBADMSG, "characteristic discovery: declaration 0x0002 outside the range asked, "
		   "0x0003..0x0006");
	fails_with(p_chars, "0907" "0100040300db2a", -EBADMSG,
		   "characteristic discovery: declaration 0x0001 is the service declaration's "
		   "handle");
	fails_with(p_chars, "0907" "0200040900db2a", -EBADMSG,
		   "characteristic discovery: declaration 0x0002 points at value 0x0009, "
		   "outside 0x0003..0x0006");
	fails_with(p_chars, "0907" "0200040200db2a", -EBADMSG,
		   "characteristic discovery: declaration 0x0002 points at value 0x0002, "
		   "outside 0x0003..0x0006");
	fails_with(p_descs, "0501" "09000229", -EBADMSG,
		   "descriptor discovery: descriptor 0x0009 outside the range asked, "
		   "0x0006..0x0006");
	fails_with(p_descs, "0503" "06000229", -EBADMSG,
		   "descriptor discovery: malformed Find Information Response (6 octets)");
	fails_with(p_cccd, "1300", -EBADMSG,
		   "enabling notifications: malformed Write Response (2 octets)");
	fails_with(p_svc, "", -EBADMSG, "service discovery: empty PDU");
	fails_with(simple, "1b05", -EBADMSG,
		   "data exchange: malformed Handle Value Notification (2 octets)");
	fails_with(simple, "1d0000aa", -EBADMSG,
		   "data exchange: malformed Handle Value Indication (4 octets)");

	/* Longer than ATT_MTU (23 before the exchange). */
	w = w_new(23, NULL);
	expect_tx(w, "060100ffff00282718");
	assert_int_equal(mp_gatt_client_rx(w->c, long_pdu, sizeof(long_pdu)), 0);
	expect_failed(w, -EBADMSG, "service discovery: Find By Type Value Response (0x07) of "
		      "24 octets exceeds ATT_MTU 23");
	w_free(w);
}

static void test_timeout(void **state)
{
	static const char *const *const prefixes[] = { p_mtu, p_svc, p_chars, p_descs, p_cccd };
	/* Requests sent up to the step: characteristic discovery takes two. */
	static const unsigned arms[] = { 1, 2, 3, 5, 6 };
	static const char *const reasons[] = {
		"MTU exchange: no answer to Exchange MTU Request within 30 s",
		"service discovery: no answer to Find By Type Value Request within 30 s",
		"characteristic discovery: no answer to Read By Type Request within 30 s",
		"descriptor discovery: no answer to Find Information Request within 30 s",
		"enabling notifications: no answer to Write Request within 30 s",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		struct w *w = w_new(0, NULL);

		run(w, prefixes[i]);
		/* Each request (re)arms the 30 s transaction timer. */
		assert_true(w->armed);
		assert_int_equal(w->delay, 30000);
		assert_int_equal(w->ntimer, arms[i]);
		w->armed = false;
		mp_gatt_client_timeout(w->c);
		expect_failed(w, -ETIMEDOUT, reasons[i]);
		assert_string_equal(mp_gatt_client_step(w->c),
				    mp_gatt_client_state_name((enum mp_gatt_client_state)(i + 1)));
		w_free(w);
	}

	/* Ready cancels the timer; a stale expiry afterwards changes nothing. */
	{
		struct w *w = w_new(0, NULL);

		run(w, simple);
		assert_false(w->armed);
		assert_int_equal(w->delay, 0);
		mp_gatt_client_timeout(w->c);
		assert_int_equal(mp_gatt_client_state(w->c), MP_GATT_CLIENT_READY);
		assert_int_equal(w->nfailed, 0);
		w_free(w);
	}
}

static void test_notifications(void **state)
{
	uint8_t pdu[24] = { MP_ATT_NOTIFY, 0x05, 0x00 };
	struct w *w = w_new(23, NULL);

	(void)state;
	memset(pdu + 3, 0xee, sizeof(pdu) - 3);
	/* Before ready, Data Out is unknown or not subscribed: ignored. */
	run(w, (const char *const[]){ SVC, "C:08010006000328", NULL });
	assert_int_equal(feed(w, "1b050001"), -ENOENT);
	run(w, (const char *const[]){ "S:0907" "0200040300db2a" "0400100500dc2a",
		"C:08050006000328", "S:010805000a", "C:0406000600", NULL });
	assert_int_equal(feed(w, "1b050001"), -ENOENT);
	run(w, (const char *const[]){ "S:050106000229", CCCD, NULL });
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->nnotify, 0);
	/* The largest notification at ATT_MTU 23: 20 octets. */
	assert_int_equal(mp_gatt_client_rx(w->c, pdu, 23), 0);
	assert_int_equal(w->nnotify, 1);
	assert_int_equal(w->value_len, 20);
	/* An empty one is delivered as such. */
	assert_int_equal(feed(w, "1b0500"), 0);
	assert_int_equal(w->value_len, 0);
	/* One octet too long. */
	assert_int_equal(mp_gatt_client_rx(w->c, pdu, 24), 0);
	expect_failed(w, -EMSGSIZE, "data exchange: Handle Value Notification of 24 octets exceeds "
		      "ATT_MTU 23");
	assert_int_equal(w->nnotify, 2);
	w_free(w);
}

static void test_indications_and_commands(void **state)
{
	struct w *w = w_new(0, NULL);

	(void)state;
	run(w, simple);
	/* Confirmed, and dropped. */
	assert_int_equal(feed(w, "1d0500aa"), -ENOENT);
	expect_tx(w, "1e");
	assert_int_equal(feed(w, "1d0900"), -ENOENT);
	expect_tx(w, "1e");
	assert_int_equal(w->nnotify, 0);
	/* Commands and confirmations need nothing. */
	assert_int_equal(feed(w, "520100aa"), -EOPNOTSUPP);
	assert_int_equal(feed(w, "d20100aa000000000000000000000000"), -EOPNOTSUPP);
	assert_int_equal(feed(w, "1e"), -EOPNOTSUPP);
	assert_int_equal(feed(w, "230500010061"), -EOPNOTSUPP);
	expect_quiet(w);
	assert_int_equal(w->nfailed, 0);
	w_free(w);
}

/* The peer, as a client, finds an empty database on our side. */
static void test_peer_requests(void **state)
{
	static const char *const script[] = {
		"C:020502",
		/* The peer's exchange comes first: it fixes ATT_MTU at 23. */
		"S:021700", "C:030502",
		"S:100100ffff0028", "C:011001000a",
		"S:100100ffff0328", "C:0110010010",
		"S:080100ffff0328", "C:010801000a",
		"S:060100ffff00282718", "C:010601000a",
		"S:040100ffff", "C:010401000a",
		"S:040000ffff", "C:0104000001",
		"S:0a0100", "C:010a010001",
		"S:0c01000000", "C:010c010001",
		"S:1201000100", "C:0112010001",
		"S:0e01000200", "C:010e000006",
		"S:3f", "C:013f000006",
		"S:0a01", "C:010a000004",
		"S:0a0000", "C:010a000001",
		"S:0c00000000", "C:010c000001",
		"S:520100aa",
		/* Our own exchange completes; ATT_MTU stays 23. */
		"S:030502",
		SVC, CHARS, DESCS, CCCD, NULL,
	};
	struct w *w = w_new(0, NULL);

	(void)state;
	run(w, script);
	expect_quiet(w);
	assert_int_equal(w->nready, 1);
	assert_int_equal(w->ready_mtu, 23);
	assert_int_equal(w->nfailed, 0);
	w_free(w);
}

static void test_write(void **state)
{
	uint8_t v[520];
	struct w *w = w_new(0, NULL);

	(void)state;
	memset(v, 0x42, sizeof(v));
	assert_int_equal(mp_gatt_client_write(w->c, v, 1), -ENOTCONN);
	run(w, (const char *const[]){ "C:020502", "S:034500", SVC, CHARS, DESCS, CCCD, NULL });
	assert_int_equal(w->ready_mtu, 69);
	assert_int_equal(mp_gatt_client_write(w->c, v, 66), 0);
	assert_int_equal(w->txlen[w->rd], 69);
	assert_int_equal(w->tx[w->rd][0], MP_ATT_WRITE_CMD);
	assert_int_equal(w->tx[w->rd][1], 0x03);
	tu_assert_bytes(w->tx[w->rd] + 3, v, 66);
	w->rd++;
	assert_int_equal(mp_gatt_client_write(w->c, v, 67), -EMSGSIZE);
	assert_int_equal(mp_gatt_client_write(w->c, v, 0), -EMSGSIZE);
	assert_int_equal(mp_gatt_client_write(w->c, NULL, 1), -EINVAL);
	expect_quiet(w);
	w_free(w);
}

static void test_lifecycle(void **state)
{
	struct mp_gatt_client_config cfg = { .ops = &ops };
	struct mp_gatt_client_ops no_timer = { .tx = w_tx };
	struct mp_gatt_client *c;
	struct w *w;
	unsigned i;

	(void)state;
	assert_null(mp_gatt_client_new(NULL));
	assert_int_equal(errno, EINVAL);
	cfg.mtu = 22;
	assert_null(mp_gatt_client_new(&cfg));
	cfg.mtu = 518;
	assert_null(mp_gatt_client_new(&cfg));
	cfg.mtu = 0;
	cfg.uuids.data_in = 0x2adb;
	assert_null(mp_gatt_client_new(&cfg));
	cfg.uuids.data_in = 0;
	cfg.ops = &no_timer;
	assert_null(mp_gatt_client_new(&cfg));
	mp_gatt_client_free(NULL);

	/* Idle: nothing is taken in. */
	cfg.ops = &ops;
	c = mp_gatt_client_new(&cfg);
	assert_non_null(c);
	assert_int_equal(mp_gatt_client_state(c), MP_GATT_CLIENT_IDLE);
	assert_string_equal(mp_gatt_client_step(c), "idle");
	assert_string_equal(mp_gatt_client_reason(c), "");
	assert_int_equal(mp_gatt_client_rx(c, (const uint8_t *)"\x03\x05\x02", 3), -ENOTCONN);
	assert_int_equal(mp_gatt_client_mtu(c), 23);
	mp_gatt_client_free(c);

	w = w_new(0, NULL);
	assert_int_equal(mp_gatt_client_start(w->c), -EALREADY);
	assert_string_equal(mp_gatt_client_step(w->c), "MTU exchange");
	w_free(w);

	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_SERVICE), "service discovery");
	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_CHARS),
			    "characteristic discovery");
	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_DESCS),
			    "descriptor discovery");
	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_CCCD),
			    "enabling notifications");
	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_READY), "data exchange");
	assert_string_equal(mp_gatt_client_state_name(MP_GATT_CLIENT_FAILED), "failed");
	assert_string_equal(mp_gatt_client_state_name((enum mp_gatt_client_state)99), "unknown");
	for (i = 0; i <= MP_GATT_CLIENT_FAILED; i++)
		assert_non_null(mp_gatt_client_state_name((enum mp_gatt_client_state)i));
}

/* The upward callbacks may write, and free the client. */
static void test_reentrancy(void **state)
{
	struct w *w;

	(void)state;
	w = w_new(0, NULL);
	w->write_on_ready = true;
	run(w, simple);
	assert_int_equal(w->write_rc, 0);
	expect_tx(w, "5203000300");
	w_free(w);

	w = w_new(0, NULL);
	w->free_on_ready = true;
	run(w, simple);
	assert_null(w->c);
	free(w);

	w = w_new(0, NULL);
	run(w, simple);
	w->free_on_notify = true;
	feed(w, "1b050001");
	assert_null(w->c);
	free(w);

	w = w_new(0, NULL);
	w->free_on_fail = true;
	run(w, p_svc);
	feed(w, "010601000a");
	assert_null(w->c);
	assert_int_equal(w->nfailed, 1);
	free(w);

	w = w_new(0, NULL);
	w->free_on_fail = true;
	mp_gatt_client_timeout(w->c);
	assert_null(w->c);
	assert_int_equal(w->err, -ETIMEDOUT);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_crowded_server),
		cmocka_unit_test(test_split_responses),
		cmocka_unit_test(test_data_out_first),
		cmocka_unit_test(test_proxy_service),
		cmocka_unit_test(test_odd_server),
		cmocka_unit_test(test_error_responses),
		cmocka_unit_test(test_missing_attributes),
		cmocka_unit_test(test_wrong_properties),
		cmocka_unit_test(test_mismatched),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_notifications),
		cmocka_unit_test(test_indications_and_commands),
		cmocka_unit_test(test_peer_requests),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_reentrancy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
