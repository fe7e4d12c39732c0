/* hci/mgmt: the Management interface's codec (BlueZ doc/mgmt-api.txt,
 * "Packet Structures", Read Controller Information, Set Low Energy), every
 * short or malformed reply refused, and the synchronous call and the LE
 * check on a socketpair whose other end plays the kernel. The replies are
 * queued before each call, so nothing waits. */
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hci/mgmt.h"

static void test_encode_cmd(void **state)
{
	uint8_t out[16];

	(void)state;
	/* Set Low Energy (0x000D) for hci1, parameter 0x01 */
	assert_int_equal(mp_mgmt_encode_cmd(out, sizeof(out), MP_MGMT_OP_SET_LE, 1, "\x01", 1),
			 7);
	tu_assert_bytes(out, (const uint8_t *)"\x0d\x00\x01\x00\x01\x00\x01", 7);
	/* Read Controller Information (0x0004) for hci0: no parameters */
	assert_int_equal(mp_mgmt_encode_cmd(out, sizeof(out), MP_MGMT_OP_READ_INFO, 0, NULL, 0),
			 6);
	tu_assert_bytes(out, (const uint8_t *)"\x04\x00\x00\x00\x00\x00", 6);
	assert_int_equal(mp_mgmt_encode_cmd(out, 6, MP_MGMT_OP_SET_LE, 0, "\x01", 1), -EMSGSIZE);
	assert_int_equal(mp_mgmt_encode_cmd(out, 5, MP_MGMT_OP_READ_INFO, 0, NULL, 0), -EMSGSIZE);
}

static void test_parse_event(void **state)
{
	struct mp_mgmt_event ev;
	uint8_t pkt[64];
	size_t n;

	(void)state;
	/* Command Complete of Set LE on hci0: settings 0x00000281 */
	n = tu_unhex_spaced("0100 0000 0700 0d00 00 81020000", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, MP_MGMT_EV_CMD_COMPLETE);
	assert_int_equal(ev.index, 0);
	assert_int_equal(ev.opcode, MP_MGMT_OP_SET_LE);
	assert_int_equal(ev.status, 0);
	assert_int_equal(ev.ret_len, 4);
	tu_assert_bytes(ev.ret, pkt + 9, 4);

	/* Command Status: Permission Denied, on hci2 */
	n = tu_unhex_spaced("0200 0200 0300 0d00 14", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, MP_MGMT_EV_CMD_STATUS);
	assert_int_equal(ev.index, 2);
	assert_int_equal(ev.status, MP_MGMT_PERMISSION_DENIED);
	assert_null(ev.ret);

	/* New Settings (0x0006): another event, header fields only */
	n = tu_unhex_spaced("0600 0000 0400 81020000", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), 0);
	assert_int_equal(ev.code, 0x0006);
	assert_int_equal(ev.plen, 4);

	/* malformed: short header, length mismatch both ways, a Command
	 * Complete without its status, a Command Status with more */
	n = tu_unhex_spaced("0100 0000 07", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), -EBADMSG);
	n = tu_unhex_spaced("0100 0000 0800 0d00 00 81020000", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), -EBADMSG);
	n = tu_unhex_spaced("0100 0000 0600 0d00 00 81020000", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), -EBADMSG);
	n = tu_unhex_spaced("0100 0000 0200 0d00", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), -EBADMSG);
	n = tu_unhex_spaced("0200 0000 0400 0d00 0000", pkt, sizeof(pkt));
	assert_int_equal(mp_mgmt_parse_event(pkt, n, &ev), -EBADMSG);
	assert_int_equal(mp_mgmt_parse_event(pkt, 0, &ev), -EBADMSG);
}

/* Read Controller Information's return parameters: @current settings. */
static void info_params(uint8_t *p, uint32_t supported, uint32_t current)
{
	memset(p, 0, MP_MGMT_INFO_LEN);
	memcpy(p, "\x66\x55\x44\x33\x22\x11", 6);
	p[6] = 0x09;				/* Bluetooth 5.0 */
	p[7] = 0x3f, p[8] = 0x00;		/* manufacturer 0x003f */
	p[9] = (uint8_t)supported, p[10] = (uint8_t)(supported >> 8);
	p[11] = (uint8_t)(supported >> 16), p[12] = (uint8_t)(supported >> 24);
	p[13] = (uint8_t)current, p[14] = (uint8_t)(current >> 8);
	p[15] = (uint8_t)(current >> 16), p[16] = (uint8_t)(current >> 24);
	memcpy(p + 20, "meshprov-test", 13);	/* Name */
}

static void test_parse_info(void **state)
{
	uint8_t p[MP_MGMT_INFO_LEN + 8];
	struct mp_mgmt_info info;
	uint32_t settings;

	(void)state;
	info_params(p, 0x0001ffff, 0x00000081);	/* powered, BR/EDR; LE off */
	assert_int_equal(mp_mgmt_parse_info(p, MP_MGMT_INFO_LEN, &info), 0);
	tu_assert_bytes(info.addr, (const uint8_t *)"\x66\x55\x44\x33\x22\x11", 6);
	assert_int_equal(info.version, 9);
	assert_int_equal(info.manufacturer, 0x003f);
	assert_int_equal(info.supported, 0x0001ffff);
	assert_int_equal(info.current, 0x81);
	assert_false(info.current & MP_MGMT_SETTING_LE);
	/* what a later kernel would append is ignored */
	assert_int_equal(mp_mgmt_parse_info(p, sizeof(p), &info), 0);
	/* one octet short: refused, even though the settings are there */
	assert_int_equal(mp_mgmt_parse_info(p, MP_MGMT_INFO_LEN - 1, &info), -EBADMSG);
	assert_int_equal(mp_mgmt_parse_info(p, 0, &info), -EBADMSG);

	assert_int_equal(mp_mgmt_parse_settings((const uint8_t *)"\x81\x02\x00\x00", 4,
						&settings), 0);
	assert_int_equal(settings, 0x281);
	assert_true(settings & MP_MGMT_SETTING_LE);
	assert_int_equal(mp_mgmt_parse_settings((const uint8_t *)"\x81\x02\x00", 3, &settings),
			 -EBADMSG);
}

static void test_strstatus(void **state)
{
	(void)state;
	assert_string_equal(mp_mgmt_strstatus(0), "Success");
	assert_string_equal(mp_mgmt_strstatus(MP_MGMT_BUSY), "Busy");
	assert_string_equal(mp_mgmt_strstatus(MP_MGMT_INVALID_INDEX), "Invalid Index");
	assert_string_equal(mp_mgmt_strstatus(MP_MGMT_PERMISSION_DENIED), "Permission Denied");
	assert_string_equal(mp_mgmt_strstatus(0x15), "unknown status");
}

/* The kernel's side of a socketpair: queue event @code for @op on @index. */
static void kernel_reply(int fd, uint16_t code, uint16_t index, uint16_t op, uint8_t status,
			 const uint8_t *ret, size_t len)
{
	uint8_t pkt[MP_MGMT_HDR_LEN + 3 + MP_MGMT_INFO_LEN];
	size_t plen = code == MP_MGMT_EV_CMD_COMPLETE || code == MP_MGMT_EV_CMD_STATUS ?
		3 + len : len;

	assert_true(MP_MGMT_HDR_LEN + plen <= sizeof(pkt));
	pkt[0] = (uint8_t)code, pkt[1] = (uint8_t)(code >> 8);
	pkt[2] = (uint8_t)index, pkt[3] = (uint8_t)(index >> 8);
	pkt[4] = (uint8_t)plen, pkt[5] = (uint8_t)(plen >> 8);
	if (plen != len) {
		pkt[6] = (uint8_t)op, pkt[7] = (uint8_t)(op >> 8);
		pkt[8] = status;
		if (len)
			memcpy(pkt + 9, ret, len);
	} else if (len) {
		memcpy(pkt + 6, ret, len);
	}
	assert_int_equal(send(fd, pkt, MP_MGMT_HDR_LEN + plen, 0), (ssize_t)(MP_MGMT_HDR_LEN + plen));
}

/* The next command the kernel's side received. */
static size_t kernel_read(int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);

	assert_true(n >= 0);
	return (size_t)n;
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

static void test_call(void **state)
{
	uint8_t ret[8], buf[64], status;
	size_t n;
	int sv[2];

	(void)state;
	pair(sv);
	/* an event for everyone, a reply for another controller and one to
	 * another command come first: skipped */
	kernel_reply(sv[1], 0x0006, 0, 0, 0, (const uint8_t *)"\x81\x00\x00\x00", 4);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 1, MP_MGMT_OP_SET_LE, 0,
		     (const uint8_t *)"\x00\x00\x00\x00", 4);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_STATUS, 0, 0x0005, MP_MGMT_BUSY, NULL, 0);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_SET_LE, 0,
		     (const uint8_t *)"\x81\x02\x00\x00", 4);
	assert_int_equal(mp_mgmt_call(sv[0], MP_MGMT_OP_SET_LE, 0, "\x01", 1, 0, &status, ret,
				      sizeof(ret), &n), 0);
	assert_int_equal(status, 0);
	assert_int_equal(n, 4);
	tu_assert_bytes(ret, (const uint8_t *)"\x81\x02\x00\x00", 4);
	n = kernel_read(sv[1], buf, sizeof(buf));
	assert_int_equal(n, 7);
	tu_assert_bytes(buf, (const uint8_t *)"\x0d\x00\x00\x00\x01\x00\x01", 7);

	/* a Command Status: its status, no return parameters */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_STATUS, 0, MP_MGMT_OP_SET_LE,
		     MP_MGMT_PERMISSION_DENIED, NULL, 0);
	assert_int_equal(mp_mgmt_call(sv[0], MP_MGMT_OP_SET_LE, 0, "\x01", 1, 0, &status, ret,
				      sizeof(ret), &n), 0);
	assert_int_equal(status, MP_MGMT_PERMISSION_DENIED);
	assert_int_equal(n, 0);

	/* nothing comes within the time given (0 ms: at once) */
	assert_int_equal(mp_mgmt_call(sv[0], MP_MGMT_OP_READ_INFO, 0, NULL, 0, 0, &status, ret,
				      sizeof(ret), &n), -ETIMEDOUT);

	/* a malformed packet on the channel: said, not skipped */
	assert_int_equal(send(sv[1], "\x01\x00\x00\x00\x09\x00\x04\x00", 8, 0), 8);
	assert_int_equal(mp_mgmt_call(sv[0], MP_MGMT_OP_READ_INFO, 0, NULL, 0, 0, &status, ret,
				      sizeof(ret), &n), -EBADMSG);

	/* the kernel's side gone */
	close(sv[1]);
	assert_int_equal(mp_mgmt_call(sv[0], MP_MGMT_OP_READ_INFO, 0, NULL, 0, 0, &status, ret,
				      sizeof(ret), &n) < 0, 1);
	close(sv[0]);
}

static void test_le_already_on(void **state)
{
	uint8_t info[MP_MGMT_INFO_LEN], buf[64];
	struct mp_hci_le_report r;
	int sv[2];

	(void)state;
	pair(sv);
	info_params(info, 0x0001ffff, 0x00000281);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 3, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 3, true, 0, &r), 0);
	assert_true(r.checked);
	assert_int_equal(r.index, 3);
	assert_int_equal(r.err, 0);
	assert_true(r.was_on);
	assert_true(r.le_on);
	assert_false(r.turned_on);
	/* only Read Controller Information was sent */
	assert_int_equal(kernel_read(sv[1], buf, sizeof(buf)), 6);
	tu_assert_bytes(buf, (const uint8_t *)"\x04\x00\x03\x00\x00\x00", 6);
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(sv[0]);
	close(sv[1]);
}

static void test_le_turned_on(void **state)
{
	uint8_t info[MP_MGMT_INFO_LEN], buf[64];
	struct mp_hci_le_report r;
	int sv[2];

	(void)state;
	pair(sv);
	info_params(info, 0x0001ffff, 0x00000081);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_SET_LE, 0,
		     (const uint8_t *)"\x81\x02\x00\x00", 4);
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), 0);
	assert_int_equal(r.err, 0);
	assert_false(r.was_on);
	assert_true(r.le_on);
	assert_true(r.turned_on);
	assert_int_equal(r.set_status, 0);
	kernel_read(sv[1], buf, sizeof(buf));
	assert_int_equal(kernel_read(sv[1], buf, sizeof(buf)), 7);
	tu_assert_bytes(buf, (const uint8_t *)"\x0d\x00\x00\x00\x01\x00\x01", 7);
	close(sv[0]);
	close(sv[1]);
}

static void test_le_off_left(void **state)
{
	uint8_t info[MP_MGMT_INFO_LEN], buf[64];
	struct mp_hci_le_report r;
	int sv[2];

	(void)state;
	pair(sv);
	info_params(info, 0x0001ffff, 0x00000081);
	/* not asked to turn it on: read only */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, false, 0, &r), 0);
	assert_false(r.le_on);
	assert_false(r.turned_on);
	kernel_read(sv[1], buf, sizeof(buf));
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);

	/* an untrusted socket (no CAP_NET_ADMIN): Set LE refused */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	kernel_reply(sv[1], MP_MGMT_EV_CMD_STATUS, 0, MP_MGMT_OP_SET_LE,
		     MP_MGMT_PERMISSION_DENIED, NULL, 0);
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), 0);
	assert_int_equal(r.err, 0);
	assert_false(r.le_on);
	assert_false(r.turned_on);
	assert_int_equal(r.set_status, MP_MGMT_PERMISSION_DENIED);

	/* Set LE "succeeds" with a settings word that is short: not believed */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_SET_LE, 0,
		     (const uint8_t *)"\x81\x02", 2);
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), 0);
	assert_false(r.le_on);
	assert_int_equal(r.set_err, -EBADMSG);

	/* Set LE unanswered */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info,
		     sizeof(info));
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), 0);
	assert_false(r.le_on);
	assert_int_equal(r.set_err, -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

static void test_le_unreadable(void **state)
{
	uint8_t info[MP_MGMT_INFO_LEN];
	struct mp_hci_le_report r;
	int sv[2];

	(void)state;
	pair(sv);
	/* Invalid Index: a controller the management interface does not know */
	kernel_reply(sv[1], MP_MGMT_EV_CMD_STATUS, 0, MP_MGMT_OP_READ_INFO,
		     MP_MGMT_INVALID_INDEX, NULL, 0);
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), -EPROTO);
	assert_int_equal(r.err, -EPROTO);
	assert_int_equal(r.status, MP_MGMT_INVALID_INDEX);
	assert_false(r.le_on);

	/* a short Read Controller Information */
	info_params(info, 0x0001ffff, 0x00000281);
	kernel_reply(sv[1], MP_MGMT_EV_CMD_COMPLETE, 0, MP_MGMT_OP_READ_INFO, 0, info, 17);
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), -EBADMSG);
	assert_int_equal(r.err, -EBADMSG);
	assert_false(r.le_on);

	/* no answer */
	assert_int_equal(mp_mgmt_le_ensure(sv[0], 0, true, 0, &r), -ETIMEDOUT);
	assert_int_equal(r.err, -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_cmd),
		cmocka_unit_test(test_parse_event),
		cmocka_unit_test(test_parse_info),
		cmocka_unit_test(test_strstatus),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_le_already_on),
		cmocka_unit_test(test_le_turned_on),
		cmocka_unit_test(test_le_off_left),
		cmocka_unit_test(test_le_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
