/* hci/hci: the start sequence, commands (errors, timeouts, flow control),
 * reports, the controller going away, close, and the user-facing hints. The
 * test plays the controller on a socketpair with recorded bytes. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_hci.h"
#include "hci/hci.h"

static int setup(void **state)
{
	struct fake_hci *f = calloc(1, sizeof(*f));

	fake_setup(f, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake_hci *f = *state;

	fake_teardown(f);
	free(f);
	return 0;
}

/* Core v5.4 Vol 4 Part E 7.4.6, 7.8.3, 7.8.1, 7.8.11, 7.8.10. */
static void test_start_sequence_legacy(void **state)
{
	struct fake_hci *f = *state;
	static const uint8_t addr[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	uint8_t mask[8];
	uint16_t op;

	fake_expect_cmd(f, 0x1009, "");
	fake_expect_none(f);	/* one command at a time */
	fake_complete(f, 0x1009, 0, "112233445566");
	fake_expect_cmd(f, 0x2003, "");
	fake_complete(f, 0x2003, 0, "0000000000000000");
	/* No optional features: the events every LE host asks for, plus the
	 * two that only answer commands. */
	assert_int_equal(fake_read_cmd(f, &op, mask, sizeof(mask)), 8);
	assert_int_equal(op, 0x2001);
	tu_assert_bytes(mask, (const uint8_t *)"\x9f\x01\0\0\0\0\0\0", 8);
	fake_complete(f, 0x2001, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	/* Passive, 30 ms interval = window, public address, no filter. */
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");	/* no duplicate filtering */
	assert_false(mp_hci_scanning(f->hci));
	fake_complete(f, 0x200c, 0, "");
	assert_int_equal(f->ready_calls, 1);
	assert_int_equal(f->ready_status, 0);
	assert_true(mp_hci_scanning(f->hci));
	assert_false(mp_hci_extended(f->hci));
	tu_assert_bytes(mp_hci_bdaddr(f->hci), addr, 6);
	assert_int_equal(mp_hci_le_features(f->hci), 0);
	assert_int_equal(mp_hci_index(f->hci), -1);
	fake_expect_none(f);
}

/* A controller that refuses legacy commands (extended ones were used since
 * its reset, Core v5.4 Vol 4 Part E 3.1.1) and supports extended advertising:
 * scanning moves to the extended commands. */
static void test_auto_falls_back_to_extended(void **state)
{
	struct fake_hci *f = *state;
	uint8_t mask[8];
	uint16_t op;

	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0, "112233445566");
	fake_expect_cmd(f, 0x2003, "");
	fake_complete(f, 0x2003, 0, "0011000000000000");	/* LE 2M PHY, Ext. Advertising */
	assert_int_equal(fake_read_cmd(f, &op, mask, sizeof(mask)), 8);
	/* + Enhanced Connection Complete, PHY Update Complete, Extended
	 * Advertising Report, Scan Timeout, Advertising Set Terminated. */
	tu_assert_bytes(mask, (const uint8_t *)"\x9f\x1b\x03\0\0\0\0\0", 8);
	fake_complete(f, 0x2001, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0x0c, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0x0c, "");
	fake_expect_cmd(f, 0x2042, "00 00 0000 0000");
	fake_complete(f, 0x2042, 0x0c, "");
	/* Core v5.4 7.8.64: public, accept all, LE 1M: passive, 30 ms / 30 ms. */
	fake_expect_cmd(f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(f, 0x2041, 0, "");
	fake_expect_cmd(f, 0x2042, "01 00 0000 0000");
	fake_complete(f, 0x2042, 0, "");
	assert_int_equal(f->ready_calls, 1);
	assert_int_equal(f->ready_status, 0);
	assert_true(mp_hci_extended(f->hci));
	assert_true(mp_hci_scanning(f->hci));
}

static void test_forced_legacy_reports_disallowed(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .mode = MP_HCI_LE_LEGACY };
	char buf[128];

	fake_setup(&f, &cfg);
	fake_init_common(&f, 1u << 12);
	fake_expect_cmd(&f, 0x200c, "00 00");
	fake_complete(&f, 0x200c, 0, "");
	fake_expect_cmd(&f, 0x200b, "00 3000 3000 00 00");
	fake_complete(&f, 0x200b, 0x0c, "");
	assert_int_equal(f.ready_calls, 1);
	assert_int_equal(f.ready_status, MP_HCI_ERR_DISALLOWED);
	assert_string_equal(mp_hci_status_str(f.ready_status, buf, sizeof(buf)),
			    "Command Disallowed (0x0c)");
	assert_false(mp_hci_scanning(f.hci));
	/* Nothing can be advertised after a failed start. */
	assert_int_equal(mp_hci_adv_send(f.hci, 1, (const uint8_t *)"\x02\x01\x06", 3, NULL, NULL),
			 -EIO);
	fake_expect_none(&f);
	fake_teardown(&f);
}

/* The owner's capability hook brackets every command written (issue 12:
 * CAP_NET_RAW is checked at each send, and held for nothing else). */
struct priv_count {
	int raised, lowered, depth, max_depth;
};

static void priv_raise(void *user)
{
	struct priv_count *p = user;

	p->raised++;
	if (++p->depth > p->max_depth)
		p->max_depth = p->depth;
}

static void priv_lower(void *user)
{
	struct priv_count *p = user;

	p->lowered++;
	p->depth--;
}

static void test_priv_brackets_each_command(void **state)
{
	struct priv_count pc = { 0 };
	const struct mp_hci_priv priv = { priv_raise, priv_lower, &pc };
	struct mp_hci_config cfg = { .mode = MP_HCI_LE_LEGACY, .priv = &priv };
	struct fake_hci f;
	int before;

	fake_setup(&f, &cfg);
	fake_init_common(&f, 1u << 12);
	before = pc.raised;
	assert_true(before > 0);
	fake_expect_cmd(&f, 0x200c, "00 00");
	assert_int_equal(pc.raised, before);	/* queued, not yet written */
	fake_complete(&f, 0x200c, 0, "");
	assert_int_equal(pc.raised, before + 1);	/* the next one written */
	fake_expect_cmd(&f, 0x200b, "00 3000 3000 00 00");
	fake_complete(&f, 0x200b, 0, "");
	fake_expect_cmd(&f, 0x200c, "01 00");
	fake_complete(&f, 0x200c, 0, "");
	assert_int_equal(f.ready_calls, 1);
	assert_int_equal(f.ready_status, 0);
	/* one raise per command, each lowered at once, never nested */
	assert_int_equal(pc.raised, before + 2);
	assert_int_equal(pc.lowered, pc.raised);
	assert_int_equal(pc.depth, 0);
	assert_int_equal(pc.max_depth, 1);
	fake_expect_none(&f);
	fake_teardown(&f);
}

static void test_forced_extended_needs_the_feature(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .mode = MP_HCI_LE_EXTENDED };

	fake_setup(&f, &cfg);
	fake_init_common(&f, 0);
	assert_int_equal(f.ready_status, -EOPNOTSUPP);
	fake_teardown(&f);
}

static void test_start_fails_on_error_status(void **state)
{
	struct fake_hci *f = *state;

	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0x01, "");
	assert_int_equal(f->ready_calls, 1);
	assert_int_equal(f->ready_status, MP_HCI_ERR_UNKNOWN_COMMAND);
	fake_expect_none(f);
}

static void test_start_fails_on_short_answer(void **state)
{
	struct fake_hci *f = *state;

	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0, "1122");	/* 2 of 6 address octets */
	assert_int_equal(f->ready_status, -EBADMSG);
}

/* ---- user commands ---- */

struct cmd_result {
	int calls;
	int status;
	uint8_t ret[16];
	size_t ret_len;
};

static void on_cmd(void *data, int status, const uint8_t *ret, size_t len)
{
	struct cmd_result *r = data;

	r->calls++;
	r->status = status;
	r->ret_len = len;
	if (len)
		memcpy(r->ret, ret, len < sizeof(r->ret) ? len : sizeof(r->ret));
}

static void test_command_error_is_named(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 }, b = { 0 };
	char buf[96];

	fake_init_legacy(f);
	assert_int_equal(mp_hci_send_cmd(f->hci, 0x2005, "\xc0\x01\x02\x03\x04\x05", 6, on_cmd, &a),
			 0);
	assert_int_equal(mp_hci_send_cmd(f->hci, 0x2018, NULL, 0, on_cmd, &b), 0);
	fake_expect_cmd(f, 0x2005, "c0 0102030405");
	fake_expect_none(f);
	fake_complete(f, 0x2005, MP_HCI_ERR_INVALID_PARAMS, "");
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.status, 0x12);
	assert_string_equal(mp_hci_status_str(a.status, buf, sizeof(buf)),
			    "Invalid HCI Command Parameters (0x12)");
	/* The next one goes out only now; Command Status answers it. */
	fake_expect_cmd(f, 0x2018, "");
	fake_cmd_status(f, 0x2018, MP_HCI_ERR_UNKNOWN_COMMAND);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.status, 0x01);
	assert_string_equal(mp_hci_strerror((uint8_t)b.status), "Unknown HCI Command");
}

static void test_command_return_parameters(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 };

	fake_init_legacy(f);
	assert_int_equal(mp_hci_send_cmd(f->hci, 0x2018, NULL, 0, on_cmd, &a), 0);
	fake_expect_cmd(f, 0x2018, "");
	fake_complete(f, 0x2018, 0, "0102030405060708");
	assert_int_equal(a.status, 0);
	assert_int_equal(a.ret_len, 8);
	tu_assert_bytes(a.ret, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(mp_hci_send_cmd(f->hci, 0x2018, NULL, 256, on_cmd, &a), -EMSGSIZE);
}

static void test_command_timeout(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 }, b = { 0 };
	char buf[64];

	fake_init_legacy(f);
	mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a);
	mp_hci_send_cmd(f->hci, 0x1001, NULL, 0, on_cmd, &b);
	fake_expect_cmd(f, 0x0c03, "");
	fake_advance(f, 1999);
	assert_int_equal(a.calls, 0);
	fake_expect_none(f);
	fake_advance(f, 1);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.status, -ETIMEDOUT);
	mp_hci_status_str(a.status, buf, sizeof(buf));
	assert_string_equal(buf, "Connection timed out");
	/* The queue moves on. A late answer to the first is not taken for
	 * the second's. */
	fake_expect_cmd(f, 0x1001, "");
	fake_complete(f, 0x0c03, 0, "");
	assert_int_equal(b.calls, 0);
	fake_complete(f, 0x1001, 0, "0c");
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.status, 0);
}

static void test_timeout_is_configurable(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .cmd_timeout_ms = 100, .no_scan = true };

	fake_setup(&f, &cfg);
	fake_expect_cmd(&f, 0x1009, "");
	fake_advance(&f, 99);
	assert_int_equal(f.ready_calls, 0);
	fake_advance(&f, 1);
	assert_int_equal(f.ready_calls, 1);
	assert_int_equal(f.ready_status, -ETIMEDOUT);
	fake_teardown(&f);
}

/* Core v5.4 Vol 4 Part E 4.4: no command while Num_HCI_Command_Packets is 0;
 * a Command Complete with opcode 0x0000 gives credit back. */
static void test_flow_control(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 }, b = { 0 };

	fake_init_legacy(f);
	mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a);
	mp_hci_send_cmd(f->hci, 0x1001, NULL, 0, on_cmd, &b);
	fake_expect_cmd(f, 0x0c03, "");
	fake_send(f, "040e04 00 030c 00");	/* complete, but no credit */
	assert_int_equal(a.calls, 1);
	fake_expect_none(f);
	/* Somebody else's command (the kernel's) completing changes nothing. */
	fake_send(f, "040e04 00 140c 00");
	fake_expect_none(f);
	fake_send(f, "040e03 01 0000");		/* NOP: one credit */
	fake_expect_cmd(f, 0x1001, "");
	fake_complete(f, 0x1001, 0, "");
	assert_int_equal(b.calls, 1);
}

static void test_unrelated_and_malformed_events_are_ignored(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 };

	fake_init_legacy(f);
	mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a);
	fake_expect_cmd(f, 0x0c03, "");
	fake_send(f, "040e04 01 0310 00");	/* a Complete for another opcode */
	fake_send(f, "040e05 01 030c 00");	/* length says 5, 4 follow */
	fake_send(f, "0405 04 00 4000 13");	/* Disconnection Complete: not ours */
	fake_send(f, "02 0100 0000");		/* ACL data */
	assert_int_equal(a.calls, 0);
	assert_int_equal(f->gone_calls, 0);
	assert_int_equal(mp_hci_process_packet(f->hci, (const uint8_t *)"\x04\x0e\x05\x01", 4),
			 -EBADMSG);
	fake_complete(f, 0x0c03, 0, "");
	assert_int_equal(a.calls, 1);
}

/* ---- reports ---- */

static void test_reports_are_delivered(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	/* Two reports in one event: a mesh beacon and a scan response. */
	fake_send(f, "043e 2e 02 02"
		     "03 01 aabbccddeeff 15 142b0070cf7c9732a345b691494810d2e9cbf4a040 c4"
		     "04 00 112233445566 03 020106 b0");
	assert_int_equal(f->nreports, 2);
	assert_int_equal(f->reports[0].event_type, 3);
	assert_int_equal(f->reports[0].addr_type, MP_HCI_ADDR_RANDOM);
	tu_assert_bytes(f->reports[0].addr, (const uint8_t *)"\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_int_equal(f->reports[0].rssi, -60);
	assert_int_equal(f->reports[0].data_len, 21);
	assert_int_equal(f->reports[0].data[1], 0x2b);
	assert_int_equal(f->reports[1].props, MP_HCI_ADV_SCAN_RSP | MP_HCI_ADV_LEGACY_PDU);
	assert_int_equal(f->reports[1].rssi, -80);
	/* A truncated event gives nothing, not a half. */
	fake_send(f, "043e 1a 02 02"
		     "03 01 aabbccddeeff 03 020106 c4"
		     "04 00 112233445566 03 0201");
	assert_int_equal(f->nreports, 2);
}

static void test_close_from_ready_callback(void **state)
{
	struct fake_hci *f = *state;

	f->close_in_ready = true;
	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0x03, "");
	assert_int_equal(f->ready_calls, 1);
	assert_null(f->hci);	/* closed and freed; ASan checks the rest */
	fake_run(f);
}

/* ---- the controller going away ---- */

static void test_gone_on_eof_reported_once(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 }, b = { 0 };

	fake_init_legacy(f);
	mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a);
	mp_hci_send_cmd(f->hci, 0x1001, NULL, 0, on_cmd, &b);
	close(f->ctrl);		/* the dongle is pulled out */
	f->ctrl = -1;
	fake_run(f);
	assert_int_equal(f->gone_calls, 1);
	assert_int_equal(f->gone_err, -ENODEV);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.status, -ENODEV);
	assert_int_equal(b.status, -ENODEV);
	assert_int_equal(mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a), -ENODEV);
	assert_int_equal(mp_hci_adv_send(f->hci, 1, (const uint8_t *)"\x02\x01\x06", 3, NULL, NULL),
			 -ENODEV);
	assert_false(mp_hci_scanning(f->hci));
	fake_advance(f, 10000);
	assert_int_equal(f->gone_calls, 1);
	assert_int_equal(a.calls, 1);
}

static int wf_ready_status, wf_ready_calls, wf_gone_calls, wf_gone_err;

static void wf_ready(void *data, int status)
{
	wf_ready_calls++;
	wf_ready_status = status;
}

static void wf_gone(void *data, int err)
{
	wf_gone_calls++;
	wf_gone_err = err;
}

static void test_gone_on_write_failure(void **state)
{
	static const struct mp_hci_ops ops = { .ready = wf_ready, .gone = wf_gone };
	struct mp_loop *loop;
	struct mp_hci *hci;
	int sv[2];

	/* The peer is gone before the first command is even written: no
	 * SIGPIPE, and the failure comes from the loop, not from new_fd(). */
	assert_int_equal(mp_loop_new(&loop), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(mp_hci_new_fd(loop, sv[1], NULL, &ops, NULL, &hci), 0);
	assert_int_equal(wf_gone_calls, 0);
	assert_int_equal(mp_loop_run_once(loop, 0) > 0, 1);
	mp_loop_run_once(loop, 0);
	assert_int_equal(wf_gone_calls, 1);
	assert_int_equal(wf_gone_err, -ENODEV);
	assert_int_equal(wf_ready_calls, 1);
	assert_int_equal(wf_ready_status, -ENODEV);
	mp_hci_close(hci);
	mp_loop_free(loop);
}

static void test_gone_on_hardware_error(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	fake_send(f, "0410 01 00");
	assert_int_equal(f->gone_calls, 1);
	assert_int_equal(f->gone_err, -EIO);
	fake_send(f, "0410 01 00");
	assert_int_equal(f->gone_calls, 1);
	/* Gone: close does not write anything any more. */
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_none(f);
}

static void test_gone_on_linux_device_down(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	/* Linux's stack-internal event: device event, HCI_DEV_DOWN, hci0. */
	fake_send(f, "04fd 06 0100 0400 0000");
	assert_int_equal(f->gone_calls, 1);
	assert_int_equal(f->gone_err, -ENETDOWN);
}

static void test_close_from_gone_callback(void **state)
{
	struct fake_hci *f = *state;
	struct cmd_result a = { 0 };

	fake_init_legacy(f);
	mp_hci_send_cmd(f->hci, 0x0c03, NULL, 0, on_cmd, &a);
	f->close_in_gone = true;
	fake_send(f, "04fd 06 0100 0200 0000");		/* HCI_DEV_UNREG */
	assert_int_equal(f->gone_calls, 1);
	assert_int_equal(f->gone_err, -ENODEV);
	assert_null(f->hci);
	assert_int_equal(a.calls, 0);	/* closed first: no more callbacks */
}

/* ---- scanning off and on after start ---- */

static void test_scan_off_and_on_legacy(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	assert_int_equal(mp_hci_scan_enable(f->hci, true), 0);	/* already on */
	fake_expect_none(f);
	assert_int_equal(mp_hci_scan_enable(f->hci, false), 0);
	fake_expect_cmd(f, 0x200c, "00 00");
	assert_true(mp_hci_scanning(f->hci));	/* until the controller says so */
	fake_complete(f, 0x200c, 0, "");
	assert_false(mp_hci_scanning(f->hci));
	/* Parameters stay in the controller: the enable command alone. */
	assert_int_equal(mp_hci_scan_enable(f->hci, true), 0);
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	assert_true(mp_hci_scanning(f->hci));
	fake_expect_none(f);
}

static void test_scan_change_of_mind_while_in_flight(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	mp_hci_scan_enable(f->hci, false);
	mp_hci_scan_enable(f->hci, true);
	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);		/* one toggle at a time */
	fake_complete(f, 0x200c, 0, "");
	fake_expect_none(f);		/* off is what is wanted last */
	assert_false(mp_hci_scanning(f->hci));

	mp_hci_scan_enable(f->hci, true);
	fake_expect_cmd(f, 0x200c, "01 00");
	mp_hci_scan_enable(f->hci, false);
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");	/* then the last wish */
	fake_complete(f, 0x200c, 0, "");
	assert_false(mp_hci_scanning(f->hci));
	/* Closing does not switch off what is already off. */
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_none(f);
}

static void test_scan_refused_toggle_leaves_state(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, MP_HCI_ERR_DISALLOWED, "");
	assert_true(mp_hci_scanning(f->hci));
	fake_expect_none(f);		/* no retry loop */
}

static void test_scan_off_before_ready_then_extended(void **state)
{
	struct fake_hci *f = *state;

	/* Asked before the start sequence ends: applied right after it. */
	assert_int_equal(mp_hci_scan_enable(f->hci, false), 0);
	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0, "112233445566");
	fake_expect_cmd(f, 0x2003, "");
	fake_complete(f, 0x2003, 0, "0011000000000000");
	fake_expect_cmd(f, 0x2001, "9f1b030000000000");
	fake_complete(f, 0x2001, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0x0c, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0x0c, "");
	fake_expect_cmd(f, 0x2042, "00 00 0000 0000");
	fake_complete(f, 0x2042, 0x0c, "");
	fake_expect_cmd(f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(f, 0x2041, 0, "");
	fake_expect_cmd(f, 0x2042, "01 00 0000 0000");
	fake_complete(f, 0x2042, 0, "");
	assert_int_equal(f->ready_status, 0);
	/* The extended command, six octets. */
	fake_expect_cmd(f, 0x2042, "00 00 0000 0000");
	fake_complete(f, 0x2042, 0, "");
	assert_false(mp_hci_scanning(f->hci));
	mp_hci_scan_enable(f->hci, true);
	fake_expect_cmd(f, 0x2042, "01 00 0000 0000");
	fake_complete(f, 0x2042, 0, "");
	assert_true(mp_hci_scanning(f->hci));
}

static void test_scan_on_without_scan_config(void **state)
{
	struct mp_hci_config cfg = { .no_scan = true };
	struct fake_hci f;

	fake_setup(&f, &cfg);
	assert_int_equal(mp_hci_scan_enable(f.hci, true), -EINVAL);
	assert_int_equal(mp_hci_scan_enable(f.hci, false), 0);
	fake_teardown(&f);
}

/* Linux makes an LE connection (PB-GATT): it turns our scan off and scans
 * its own way; on Connection Complete and on Disconnection Complete the
 * whole scanning sequence runs again. */
static void test_scan_restored_after_connection_events(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	/* LE Enhanced Connection Complete (subevent 0x0a), success. */
	fake_send(f, "043e 1f 0a 00 4000 00 00 010001aa0000 000000000000 000000000000 "
		  "2800 0000 2a00 00");
	fake_expect_cmd(f, 0x200c, "00 00");
	assert_false(mp_hci_scanning(f->hci));
	fake_complete(f, 0x200c, 0x0c, "");	/* already off: Command Disallowed */
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");	/* accept all again */
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	assert_true(mp_hci_scanning(f->hci));
	fake_expect_none(f);
	assert_int_equal(f->ready_calls, 1);	/* no second ready */

	/* Disconnection Complete: again. A legacy LE Connection Complete
	 * (0x01) arriving meanwhile is folded into the one restart. */
	fake_send(f, "0405 04 00 4000 13");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_send(f, "043e 13 01 02 4000 00 00 010001aa0000 2800 0000 2a00 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");	/* the pending restart */
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* While our connections are being made, scanning is the kernel's: the
 * restart waits for the hold to end. */
static void test_scan_restart_waits_for_hold(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	mp_hci_scan_hold(f->hci, true);
	fake_send(f, "043e 13 01 00 4000 00 00 010001aa0000 2800 0000 2a00 00");
	mp_hci_scan_refresh(f->hci);
	fake_expect_none(f);
	mp_hci_scan_hold(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_none(f);		/* once, for both */
	assert_true(mp_hci_scanning(f->hci));
	/* a hold with nothing asked meanwhile ends quietly */
	mp_hci_scan_hold(f->hci, true);
	mp_hci_scan_hold(f->hci, false);
	fake_expect_none(f);
}

static void test_scan_not_restored_when_off(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	fake_send(f, "0405 04 00 4000 13");
	fake_expect_none(f);		/* the user wants it off */
	/* ... and switched on again: the whole sequence, not the enable alone */
	mp_hci_scan_enable(f->hci, true);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, 0, "");
	assert_true(mp_hci_scanning(f->hci));
}

/* ---- close ---- */

static void test_close_switches_scanning_off(void **state)
{
	struct fake_hci *f = *state;

	fake_init_legacy(f);
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);
}

static void test_close_leaves_somebody_elses_scan_on(void **state)
{
	struct fake_hci *f = *state;

	/* A report before we touched scanning: somebody else was scanning. */
	fake_send(f, "043e 0c 02 01 03 00 112233445566 00 c4");
	assert_int_equal(f->nreports, 1);
	fake_init_legacy(f);
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_none(f);
}

/* ---- hints ---- */

static char proc_dir[64];

static void make_proc(void)
{
	static const struct {
		const char *pid, *comm;
	} procs[] = { { "42", "bluetooth-meshd\n" }, { "7", "bash\n" }, { "301", "bluetoothd\n" },
		      { "self", "bluetoothd\n" } };
	char path[256];
	size_t i;

	snprintf(proc_dir, sizeof(proc_dir), "/tmp/mp-proc-XXXXXX");
	assert_non_null(mkdtemp(proc_dir));
	for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s", proc_dir, procs[i].pid);
		assert_int_equal(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/%s/comm", proc_dir, procs[i].pid);
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(procs[i].comm, fp);
		fclose(fp);
	}
}

static void remove_proc(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_dir);
	assert_int_equal(system(cmd), 0);
}

static void test_find_holders(void **state)
{
	struct mp_hci_holder h[4];
	int n, i, mesh = -1, bluez = -1;

	make_proc();
	n = mp_hci_find_holders(proc_dir, h, 4);
	assert_int_equal(n, 2);	/* "self" is not a pid, bash is not a holder */
	for (i = 0; i < n; i++) {
		if (!strcmp(h[i].name, "bluetooth-meshd"))
			mesh = h[i].pid;
		if (!strcmp(h[i].name, "bluetoothd"))
			bluez = h[i].pid;
	}
	assert_int_equal(mesh, 42);
	assert_int_equal(bluez, 301);
	assert_int_equal(mp_hci_find_holders(proc_dir, h, 1), 2);	/* counts all */
	assert_int_equal(mp_hci_find_holders("/nonexistent", h, 4), 0);
	remove_proc();
}

static void test_hints_say_the_fix(void **state)
{
	char buf[512];

	mp_hci_hint(-EPERM, 0, NULL, buf, sizeof(buf));
	/* CAP_NET_RAW is all the radio needs, permitted only (issue 12) */
	assert_non_null(strstr(buf, "sudo setcap cap_net_raw+p $(command -v meshprov)"));
	assert_non_null(strstr(buf, "root"));
	assert_non_null(strstr(mp_hci_hint(-EACCES, 0, NULL, buf, sizeof(buf)), "setcap"));
	mp_hci_hint(-ENETDOWN, 1, NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "hciconfig hci1 up"));
	assert_non_null(strstr(buf, "btmgmt --index 1 power on"));
	assert_non_null(strstr(mp_hci_hint(-ENODEV, 3, NULL, buf, sizeof(buf)), "no controller hci3"));
	assert_non_null(strstr(mp_hci_hint(-ENODEV, -1, NULL, buf, sizeof(buf)), "plug in"));
	assert_non_null(strstr(mp_hci_hint(-EAFNOSUPPORT, -1, NULL, buf, sizeof(buf)), "modprobe"));
	assert_non_null(strstr(mp_hci_hint(-EOPNOTSUPP, 0, NULL, buf, sizeof(buf)), "Low Energy"));
	assert_non_null(strstr(mp_hci_hint(-ETIMEDOUT, 0, NULL, buf, sizeof(buf)), "replug"));
	assert_non_null(strstr(mp_hci_hint(0x07, 0, NULL, buf, sizeof(buf)),
			       "Memory Capacity Exceeded (0x07)"));

	make_proc();
	mp_hci_hint(-EBUSY, 0, proc_dir, buf, sizeof(buf));
	assert_non_null(strstr(buf, "hci0 is busy"));
	assert_non_null(strstr(buf, "bluetooth-meshd (pid 42)"));
	assert_non_null(strstr(buf, "sudo systemctl stop bluetooth-mesh"));
	assert_non_null(strstr(buf, "bluetoothd (pid 301)"));
	assert_non_null(strstr(buf, "sudo systemctl stop bluetooth`"));
	mp_hci_hint(MP_HCI_ERR_DISALLOWED, 0, proc_dir, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Command Disallowed"));
	assert_non_null(strstr(buf, "pid 301"));
	remove_proc();
	/* Nobody to blame: still a way out. */
	mp_hci_hint(-EBUSY, 0, "/nonexistent", buf, sizeof(buf));
	assert_non_null(strstr(buf, "power off"));
	/* Truncation keeps the string terminated. */
	mp_hci_hint(-EPERM, 0, NULL, buf, 10);
	assert_int_equal(strlen(buf), 9);
}

static void test_strerror_table(void **state)
{
	char buf[64];

	assert_string_equal(mp_hci_strerror(0x00), "Success");
	assert_string_equal(mp_hci_strerror(0x0c), "Command Disallowed");
	assert_string_equal(mp_hci_strerror(0x42), "Unknown Advertising Identifier");
	assert_string_equal(mp_hci_strerror(0x2b), "Reserved HCI error code");
	assert_string_equal(mp_hci_strerror(0xff), "Reserved HCI error code");
	assert_string_equal(mp_hci_status_str(0, buf, sizeof(buf)), "Success");
	assert_string_equal(mp_hci_status_str(-ENODEV, buf, sizeof(buf)), "No such device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_sequence_legacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_falls_back_to_extended, setup, teardown),
		cmocka_unit_test(test_forced_legacy_reports_disallowed),
		cmocka_unit_test(test_forced_extended_needs_the_feature),
		cmocka_unit_test(test_priv_brackets_each_command),
		cmocka_unit_test_setup_teardown(test_start_fails_on_error_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_fails_on_short_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_error_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_return_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_timeout, setup, teardown),
		cmocka_unit_test(test_timeout_is_configurable),
		cmocka_unit_test_setup_teardown(test_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrelated_and_malformed_events_are_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_are_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_ready_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_on_eof_reported_once, setup, teardown),
		cmocka_unit_test(test_gone_on_write_failure),
		cmocka_unit_test_setup_teardown(test_gone_on_hardware_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_on_linux_device_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_gone_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_off_and_on_legacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_change_of_mind_while_in_flight, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_refused_toggle_leaves_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_off_before_ready_then_extended, setup,
						teardown),
		cmocka_unit_test(test_scan_on_without_scan_config),
		cmocka_unit_test_setup_teardown(test_scan_restored_after_connection_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scan_not_restored_when_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_restart_waits_for_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_switches_scanning_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_leaves_somebody_elses_scan_on, setup,
						teardown),
		cmocka_unit_test(test_find_holders),
		cmocka_unit_test(test_hints_say_the_fix),
		cmocka_unit_test(test_strerror_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
