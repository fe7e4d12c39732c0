/* hci/hci_event: event decoding, advertising reports (legacy and extended,
 * several per event, every truncation rejected), command encoding. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "hci/hci.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	char clean[1024];
	size_t j = 0;

	for (; *hex && j + 1 < sizeof(clean); hex++)
		if (*hex != ' ')
			clean[j++] = *hex;
	clean[j] = '\0';
	return tu_unhex(clean, out, cap);
}

static void test_command_complete(void **state)
{
	struct mp_hci_event ev;
	uint8_t pkt[64];
	size_t n = unhex("040e 0a 01 0910 00 112233445566", pkt, sizeof(pkt));

	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, MP_HCI_EVT_CMD_COMPLETE);
	assert_int_equal(ev.ncmd, 1);
	assert_int_equal(ev.opcode, 0x1009);
	assert_int_equal(ev.status, 0);
	assert_int_equal(ev.ret_len, 6);
	tu_assert_bytes(ev.ret, pkt + 7, 6);

	/* No return parameters at all: no status to report. */
	n = unhex("040e 03 01 0000", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.opcode, 0);
	assert_int_equal(ev.status, -EBADMSG);
	/* Too short for Num_HCI_Command_Packets and the opcode. */
	n = unhex("040e 02 01 00", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
}

static void test_command_status(void **state)
{
	struct mp_hci_event ev;
	uint8_t pkt[16];
	size_t n = unhex("040f 04 0c 01 0d20", pkt, sizeof(pkt));

	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, MP_HCI_EVT_CMD_STATUS);
	assert_int_equal(ev.status, 0x0c);
	assert_int_equal(ev.ncmd, 1);
	assert_int_equal(ev.opcode, 0x200d);
	n = unhex("040f 05 0c 01 0d20 00", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
	n = unhex("040f 03 0c 01 0d", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
}

static void test_event_framing(void **state)
{
	struct mp_hci_event ev;
	uint8_t pkt[16] = { 0 };
	size_t n;

	assert_int_equal(mp_hci_parse_event(pkt, 0, &ev), -EBADMSG);
	n = unhex("02 0100 0000", pkt, sizeof(pkt));	/* ACL data */
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -ENOMSG);
	n = unhex("04 10", pkt, sizeof(pkt));		/* no length */
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
	n = unhex("04 10 02 00", pkt, sizeof(pkt));	/* says 2, has 1 */
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
	n = unhex("04 10 01 00 00", pkt, sizeof(pkt));	/* says 1, has 2 */
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
	n = unhex("04 10 01 00", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, MP_HCI_EVT_HW_ERROR);
	assert_int_equal(ev.plen, 1);
	n = unhex("04 3e 00", pkt, sizeof(pkt));	/* LE Meta without subevent */
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), -EBADMSG);
	n = unhex("04 3e 01 02", pkt, sizeof(pkt));
	assert_int_equal(mp_hci_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.subevent, 2);
	assert_int_equal(ev.sublen, 0);
}

/* Two legacy reports in one event (Core v5.4 Vol 4 Part E 7.7.65.2). */
static const char legacy2[] =
	"02"
	"03 01 aabbccddeeff 15 142b0070cf7c9732a345b691494810d2e9cbf4a040 c4"
	"00 00 112233445566 03 020106 7f";

static void test_legacy_reports(void **state)
{
	struct mp_hci_adv_report r[MP_HCI_MAX_REPORTS];
	uint8_t p[128];
	size_t n = unhex(legacy2, p, sizeof(p));

	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), 2);
	assert_int_equal(r[0].event_type, 3);
	assert_int_equal(r[0].props, MP_HCI_ADV_LEGACY_PDU);	/* ADV_NONCONN_IND */
	assert_int_equal(r[0].addr_type, 1);
	tu_assert_bytes(r[0].addr, (const uint8_t *)"\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_int_equal(r[0].data_len, 21);
	assert_ptr_equal(r[0].data, p + 10);	/* points into the input */
	assert_int_equal(r[0].rssi, -60);
	assert_true(r[0].complete);
	assert_int_equal(r[1].props, MP_HCI_ADV_LEGACY_PDU | MP_HCI_ADV_CONNECTABLE |
					     MP_HCI_ADV_SCANNABLE);	/* ADV_IND */
	assert_int_equal(r[1].rssi, MP_HCI_RSSI_NONE);
	assert_int_equal(r[1].data_len, 3);
}

/* Every truncation of a valid event, and one octet too many, is refused. */
static void test_legacy_reports_truncated(void **state)
{
	struct mp_hci_adv_report r[MP_HCI_MAX_REPORTS];
	uint8_t p[128];
	size_t n = unhex(legacy2, p, sizeof(p)), cut;

	for (cut = 0; cut < n; cut++)
		assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, cut, r),
				 -EBADMSG);
	p[n] = 0;
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n + 1, r), -EBADMSG);
}

static void test_legacy_report_limits(void **state)
{
	struct mp_hci_adv_report r[MP_HCI_MAX_REPORTS];
	uint8_t p[64];
	size_t n;

	/* Legacy data longer than 31 octets. */
	memset(p, 0, sizeof(p));
	n = unhex("01 00 00 112233445566 20", p, sizeof(p));
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n + 32 + 1, r),
			 -EBADMSG);
	/* Zero reports, or more than an event can carry. */
	n = unhex("00", p, sizeof(p));
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), -EBADMSG);
	n = unhex("1a", p, sizeof(p));
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), -EBADMSG);
	/* Report count larger than what follows. */
	n = unhex("02 03 00 112233445566 00 c4", p, sizeof(p));
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), -EBADMSG);
	/* Empty data is fine. */
	n = unhex("01 03 00 112233445566 00 c4", p, sizeof(p));
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), 1);
	assert_int_equal(r[0].data_len, 0);
	/* Another subevent. */
	assert_int_equal(mp_hci_parse_adv_reports(0x01, p, n, r), -ENOMSG);
}

/* Two extended reports (Core v5.4 Vol 4 Part E 7.7.65.13): a legacy
 * ADV_NONCONN_IND through an extended scanner, and a connectable extended
 * advertisement whose data is incomplete. */
static const char ext2[] =
	"02"
	"1000 01 aabbccddeeff 01 00 ff 7f b5 0000 00 000000000000 15"
	"142b0070cf7c9732a345b691494810d2e9cbf4a040"
	"2100 00 112233445566 01 02 03 04 a6 0000 00 000000000000 03 020106";

static void test_extended_reports(void **state)
{
	struct mp_hci_adv_report r[MP_HCI_MAX_REPORTS];
	uint8_t p[128];
	size_t n = unhex(ext2, p, sizeof(p)), cut;

	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_EXT_ADV_REPORT, p, n, r), 2);
	assert_int_equal(r[0].event_type, 0x0010);
	assert_int_equal(r[0].props, MP_HCI_ADV_EXT_REPORT | MP_HCI_ADV_LEGACY_PDU);
	tu_assert_bytes(r[0].addr, (const uint8_t *)"\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_int_equal(r[0].addr_type, 1);
	assert_int_equal(r[0].rssi, -75);
	assert_int_equal(r[0].data_len, 21);
	assert_int_equal(r[0].data[1], 0x2b);
	assert_true(r[0].complete);
	assert_int_equal(r[1].props, MP_HCI_ADV_EXT_REPORT | MP_HCI_ADV_CONNECTABLE);
	assert_false(r[1].complete);	/* Data_Status 01: more to come */
	assert_int_equal(r[1].rssi, -90);
	assert_int_equal(r[1].data_len, 3);

	for (cut = 0; cut < n; cut++)
		assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_EXT_ADV_REPORT, p, cut, r),
				 -EBADMSG);
	p[n] = 0;
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_EXT_ADV_REPORT, p, n + 1, r),
			 -EBADMSG);
	/* The same bytes as a legacy event do not add up. */
	assert_int_equal(mp_hci_parse_adv_reports(MP_HCI_LE_ADV_REPORT, p, n, r), -EBADMSG);
}

static void test_encode_cmd(void **state)
{
	uint8_t out[300];
	uint8_t params[255] = { 0 };

	assert_int_equal(mp_hci_encode_cmd(out, sizeof(out), 0x200c, "\x01\x00", 2), 6);
	tu_assert_bytes(out, (const uint8_t *)"\x01\x0c\x20\x02\x01\x00", 6);
	assert_int_equal(mp_hci_encode_cmd(out, sizeof(out), 0x1009, NULL, 0), 4);
	tu_assert_bytes(out, (const uint8_t *)"\x01\x09\x10\x00", 4);
	assert_int_equal(mp_hci_encode_cmd(out, sizeof(out), 0x2008, params, 255), 259);
	assert_int_equal(mp_hci_encode_cmd(out, sizeof(out), 0x2008, params, 256), -EMSGSIZE);
	assert_int_equal(mp_hci_encode_cmd(out, 5, 0x200c, "\x01\x00", 2), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_complete),
		cmocka_unit_test(test_command_status),
		cmocka_unit_test(test_event_framing),
		cmocka_unit_test(test_legacy_reports),
		cmocka_unit_test(test_legacy_reports_truncated),
		cmocka_unit_test(test_legacy_report_limits),
		cmocka_unit_test(test_extended_reports),
		cmocka_unit_test(test_encode_cmd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
