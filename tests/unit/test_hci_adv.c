/* hci/hci_le: PB-ADV advertising bursts (legacy and extended), fairness
 * between senders, error statuses, and what close switches off. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_hci.h"
#include "hci/hci.h"

/* Legacy parameters at 20 ms (32 x 0.625 ms): ADV_NONCONN_IND, public
 * address, all channels (Core v5.4 Vol 4 Part E 7.8.5). */
#define PARAMS_20MS	"2000 2000 03 00 00 000000000000 07 00"
#define PARAMS_100MS	"a000 a000 03 00 00 000000000000 07 00"

static const uint8_t A1[] = { 0x03, 0xff, 0x0a, 0x01 };
static const uint8_t A2[] = { 0x03, 0xff, 0x0a, 0x02 };
static const uint8_t A3[] = { 0x03, 0xff, 0x0a, 0x03 };
static const uint8_t B1[] = { 0x03, 0xff, 0x0b, 0x01 };
static const uint8_t B2[] = { 0x03, 0xff, 0x0b, 0x02 };

static char done_log[128];

static void on_done(void *data, int status)
{
	char item[32];

	snprintf(item, sizeof(item), "%s:%d ", (const char *)data, status);
	strncat(done_log, item, sizeof(done_log) - strlen(done_log) - 1);
}

static int setup_scan(void **state)
{
	struct fake_hci *f = calloc(1, sizeof(*f));

	fake_setup(f, NULL);
	fake_init_legacy(f);
	done_log[0] = '\0';
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

/* Legacy data: the length, then 31 octets zero padded (Core v5.4 7.8.7). */
static void expect_legacy_data(struct fake_hci *f, const uint8_t *ad, size_t len)
{
	char hex[80];
	size_t i;

	snprintf(hex, sizeof(hex), "%02zx", len);
	for (i = 0; i < 31; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", i < len ? ad[i] : 0);
	fake_expect_cmd(f, 0x2008, hex);
}

/* One burst after the parameters: data, enable, 3 events of 20 + 10 ms, disable. */
static void run_legacy_burst(struct fake_hci *f, const uint8_t *ad, size_t len)
{
	expect_legacy_data(f, ad, len);
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	fake_expect_none(f);
	fake_advance(f, 89);
	fake_expect_none(f);
	fake_advance(f, 1);
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, 0, "");
}

static void test_one_burst(void **state)
{
	struct fake_hci *f = *state;

	assert_int_equal(mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1"), 0);
	assert_int_equal(mp_hci_adv_pending(f->hci), 1);
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	run_legacy_burst(f, A1, sizeof(A1));
	assert_string_equal(done_log, "A1:0 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
	/* Scanning was never touched meanwhile: it keeps running. */
	assert_true(mp_hci_scanning(f->hci));
	fake_expect_none(f);
}

/* Two links: their PDUs take turns, each link's in order; the parameters are
 * set once. */
static void test_two_links_interleave(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 0xa, A1, sizeof(A1), on_done, (void *)"A1");
	mp_hci_adv_send(f->hci, 0xa, A2, sizeof(A2), on_done, (void *)"A2");
	mp_hci_adv_send(f->hci, 0xa, A3, sizeof(A3), on_done, (void *)"A3");
	mp_hci_adv_send(f->hci, 0xb, B1, sizeof(B1), on_done, (void *)"B1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	run_legacy_burst(f, A1, sizeof(A1));
	/* B2 arrives while B1 waits: still behind A2 in the rotation. */
	mp_hci_adv_send(f->hci, 0xb, B2, sizeof(B2), on_done, (void *)"B2");
	run_legacy_burst(f, B1, sizeof(B1));
	run_legacy_burst(f, A2, sizeof(A2));
	run_legacy_burst(f, B2, sizeof(B2));
	run_legacy_burst(f, A3, sizeof(A3));
	assert_string_equal(done_log, "A1:0 B1:0 A2:0 B2:0 A3:0 ");
	fake_expect_none(f);
}

/* Network PDUs (the engine's Mesh Messages go out under sender 0,
 * MP_ENGINE_NET_SENDER, engine/engine.h) beside a PB-ADV link: however many
 * Network PDUs wait, the link's PDU goes out next in turn; a repetition of
 * a Network PDU that has not been on the air yet is not queued twice. */
static const uint8_t N1[] = { 0x03, 0x2a, 0x0e, 0x01 };
static const uint8_t N2[] = { 0x03, 0x2a, 0x0e, 0x02 };
static const uint8_t N3[] = { 0x03, 0x2a, 0x0e, 0x03 };

static void test_network_beside_link(void **state)
{
	struct fake_hci *f = *state;

	assert_int_equal(mp_hci_adv_send(f->hci, 0, N1, sizeof(N1), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0, N2, sizeof(N2), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0, N3, sizeof(N3), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0, N2, sizeof(N2), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0x1234, B1, sizeof(B1), on_done, (void *)"B1"),
			 0);
	assert_int_equal(mp_hci_adv_pending(f->hci), 4);
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	run_legacy_burst(f, N1, sizeof(N1));
	run_legacy_burst(f, B1, sizeof(B1));
	run_legacy_burst(f, N2, sizeof(N2));
	/* N1 was on the air: its repetition is queued again */
	assert_int_equal(mp_hci_adv_send(f->hci, 0, N1, sizeof(N1), NULL, NULL), 0);
	run_legacy_burst(f, N3, sizeof(N3));
	run_legacy_burst(f, N1, sizeof(N1));
	assert_string_equal(done_log, "B1:0 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
	fake_expect_none(f);
}

/* A link's retransmission of a PDU still waiting is not queued again (no
 * @done: what the engine does); once it is on the air, it is. */
static void test_waiting_retransmission_not_queued_twice(void **state)
{
	struct fake_hci *f = *state;

	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A1, sizeof(A1), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A2, sizeof(A2), NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A2, sizeof(A2), NULL, NULL), 0);
	/* another sender's equal bytes are its own */
	assert_int_equal(mp_hci_adv_send(f->hci, 0xb, A2, sizeof(A2), NULL, NULL), 0);
	/* with a completion wanted, every copy counts */
	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A3, sizeof(A3), on_done, (void *)"A3"), 0);
	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A3, sizeof(A3), on_done, (void *)"A3"), 0);
	assert_int_equal(mp_hci_adv_pending(f->hci), 5);
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	run_legacy_burst(f, A1, sizeof(A1));
	/* A1 is on the air no more: its retransmission is queued */
	assert_int_equal(mp_hci_adv_send(f->hci, 0xa, A1, sizeof(A1), NULL, NULL), 0);
	run_legacy_burst(f, A2, sizeof(A2));		/* link a */
	run_legacy_burst(f, A2, sizeof(A2));		/* link b */
	run_legacy_burst(f, A3, sizeof(A3));
	run_legacy_burst(f, A3, sizeof(A3));
	run_legacy_burst(f, A1, sizeof(A1));
	assert_string_equal(done_log, "A3:0 A3:0 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
	fake_expect_none(f);
}

static void test_pdu_queued_before_ready_waits(void **state)
{
	struct fake_hci f;

	done_log[0] = '\0';
	fake_setup(&f, NULL);
	assert_int_equal(mp_hci_adv_send(f.hci, 1, A1, sizeof(A1), on_done, (void *)"A1"), 0);
	fake_init_common(&f, 0);	/* asserts nothing else was sent meanwhile */
	fake_expect_cmd(&f, 0x200c, "00 00");
	fake_complete(&f, 0x200c, 0, "");
	fake_expect_cmd(&f, 0x200b, "00 3000 3000 00 00");
	fake_complete(&f, 0x200b, 0, "");
	fake_expect_cmd(&f, 0x200c, "01 00");
	fake_expect_none(&f);
	fake_complete(&f, 0x200c, 0, "");
	/* Ready: now the burst starts. */
	fake_expect_cmd(&f, 0x2006, PARAMS_20MS);
	fake_teardown(&f);
}

static void test_invalid_interval_falls_back_to_100ms(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, MP_HCI_ERR_INVALID_PARAMS, "");
	fake_expect_cmd(f, 0x2006, PARAMS_100MS);
	fake_complete(f, 0x2006, 0, "");
	expect_legacy_data(f, A1, sizeof(A1));
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	fake_advance(f, 329);	/* 3 x (100 + 10) */
	fake_expect_none(f);
	fake_advance(f, 1);
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, 0, "");
	assert_string_equal(done_log, "A1:0 ");
}

/* Somebody left advertising on: switch it off once and retry. */
static void test_disallowed_params_disable_and_retry(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, MP_HCI_ERR_DISALLOWED, "");
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, 0, "");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, MP_HCI_ERR_DISALLOWED, "");	/* only once */
	assert_string_equal(done_log, "A1:12 ");
	fake_expect_none(f);
}

/* The switch-off before the retry: a refusal from the controller goes on
 * with the parameters; the controller going away fails the PDU. */
static void test_disallowed_params_disable_refused_or_gone(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, MP_HCI_ERR_DISALLOWED, "");
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, MP_HCI_ERR_DISALLOWED, "");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	run_legacy_burst(f, A1, sizeof(A1));
	assert_string_equal(done_log, "A1:0 ");
	fake_expect_none(f);
}

static void test_gone_in_disable_before_retry(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, MP_HCI_ERR_DISALLOWED, "");
	fake_expect_cmd(f, 0x200a, "00");
	fake_send(f, "0410 01 00");
	assert_string_equal(done_log, "A1:-5 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
	fake_expect_none(f);
}

static void test_error_statuses_fail_the_pdu(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	mp_hci_adv_send(f->hci, 1, A2, sizeof(A2), on_done, (void *)"A2");
	mp_hci_adv_send(f->hci, 1, A3, sizeof(A3), on_done, (void *)"A3");
	mp_hci_adv_send(f->hci, 1, B1, sizeof(B1), on_done, (void *)"B1");
	/* Parameters: Memory Capacity Exceeded. */
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0x07, "");
	/* The next PDU tries the parameters again; then its data fails. */
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	expect_legacy_data(f, A2, sizeof(A2));
	fake_complete(f, 0x2008, MP_HCI_ERR_INVALID_PARAMS, "");
	/* Enable fails: no burst, no disable. */
	expect_legacy_data(f, A3, sizeof(A3));
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, MP_HCI_ERR_DISALLOWED, "");
	/* Disable refused as "already off" (btvirt): the PDU still went out. */
	expect_legacy_data(f, B1, sizeof(B1));
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	fake_advance(f, 90);
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, MP_HCI_ERR_DISALLOWED, "");
	assert_string_equal(done_log, "A1:7 A2:18 A3:12 B1:0 ");
	/* Nothing left on: close has nothing to switch off but the scan. */
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);
}

static void test_command_timeout_fails_the_pdu(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_advance(f, 2000);
	assert_string_equal(done_log, "A1:-110 ");
}

static void test_cancel(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 0xa, A1, sizeof(A1), on_done, (void *)"A1");
	mp_hci_adv_send(f->hci, 0xa, A2, sizeof(A2), on_done, (void *)"A2");
	mp_hci_adv_send(f->hci, 0xb, B1, sizeof(B1), on_done, (void *)"B1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	expect_legacy_data(f, A1, sizeof(A1));
	/* Link A closes while A1 is being set up: A1 finishes silently, A2 is
	 * dropped, B1 goes next. */
	mp_hci_adv_cancel(f->hci, 0xa);
	assert_int_equal(mp_hci_adv_pending(f->hci), 2);
	mp_hci_adv_cancel(f->hci, 0x77);	/* unknown: nothing */
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	fake_advance(f, 90);
	fake_expect_cmd(f, 0x200a, "00");
	fake_complete(f, 0x200a, 0, "");
	run_legacy_burst(f, B1, sizeof(B1));
	assert_string_equal(done_log, "B1:0 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
}

static void test_bad_arguments_and_full_queue(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .adv_queue_max = 2, .no_scan = true };
	uint8_t big[32] = { 0 };

	fake_setup(&f, &cfg);
	assert_int_equal(mp_hci_adv_send(f.hci, 1, big, 32, NULL, NULL), -EINVAL);
	assert_int_equal(mp_hci_adv_send(f.hci, 1, big, 0, NULL, NULL), -EINVAL);
	assert_int_equal(mp_hci_adv_send(f.hci, 1, NULL, 3, NULL, NULL), -EINVAL);
	assert_int_equal(mp_hci_adv_send(f.hci, 1, big, 31, NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f.hci, 2, big, 31, NULL, NULL), 0);
	assert_int_equal(mp_hci_adv_send(f.hci, 3, big, 31, NULL, NULL), -ENOBUFS);
	fake_teardown(&f);
}

static void test_gone_fails_every_pdu(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 0xa, A1, sizeof(A1), on_done, (void *)"A1");
	mp_hci_adv_send(f->hci, 0xb, B1, sizeof(B1), on_done, (void *)"B1");
	mp_hci_adv_send(f->hci, 0xa, A2, sizeof(A2), on_done, (void *)"A2");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	expect_legacy_data(f, A1, sizeof(A1));
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	fake_send(f, "0410 01 00");	/* hardware error while on the air */
	assert_int_equal(f->gone_calls, 1);
	assert_string_equal(done_log, "A1:-5 B1:-5 A2:-5 ");
	assert_int_equal(mp_hci_adv_pending(f->hci), 0);
	fake_advance(f, 1000);	/* the burst timer is gone too */
	fake_expect_none(f);
}

static void test_close_while_advertising(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0, "");
	expect_legacy_data(f, A1, sizeof(A1));
	fake_complete(f, 0x2008, 0, "");
	fake_expect_cmd(f, 0x200a, "01");
	fake_complete(f, 0x200a, 0, "");
	mp_hci_close(f->hci);	/* Ctrl-C in the middle of a burst */
	f->hci = NULL;
	fake_expect_cmd(f, 0x200a, "00");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);
	fake_advance(f, 1000);
	assert_string_equal(done_log, "");
}

static void on_done_close(void *data, int status)
{
	struct fake_hci *f = data;

	mp_hci_close(f->hci);
	f->hci = NULL;
	strcat(done_log, "closed ");
}

static void test_close_from_done_callback(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_adv_send(f->hci, 1, A1, sizeof(A1), on_done_close, f);
	mp_hci_adv_send(f->hci, 1, A2, sizeof(A2), on_done, (void *)"A2");
	fake_expect_cmd(f, 0x2006, PARAMS_20MS);
	fake_complete(f, 0x2006, 0x07, "");
	assert_string_equal(done_log, "closed ");
	assert_null(f->hci);
	fake_expect_cmd(f, 0x200c, "00 00");	/* the scan, nothing else */
	fake_expect_none(f);
}

/* Extended mode: an advertising set sending legacy ADV_NONCONN_IND PDUs,
 * since the controller refuses to mix command families. */
static void test_extended_burst_and_close(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .mode = MP_HCI_LE_EXTENDED, .adv_handle = 2 };

	done_log[0] = '\0';
	fake_setup(&f, &cfg);
	fake_init_common(&f, 1u << 12);
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	fake_expect_cmd(&f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(&f, 0x2041, 0, "");
	fake_expect_cmd(&f, 0x2042, "01 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	assert_int_equal(f.ready_status, 0);

	mp_hci_adv_send(f.hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	/* Core v5.4 7.8.53: handle, properties 0x0010, 20 ms (3 octets each),
	 * channels, own/peer address, filter, TX power, PHYs, SID, notify. */
	fake_expect_cmd(&f, 0x2036, "02 1000 200000 200000 07 00 00 000000000000 00 7f 01 00 01 00 00");
	fake_complete(&f, 0x2036, 0, "05");	/* selected TX power */
	/* 7.8.54: handle, complete, no fragmentation, length, data. */
	fake_expect_cmd(&f, 0x2037, "02 03 01 04 03ff0a01");
	fake_complete(&f, 0x2037, 0, "");
	/* 7.8.56: enable, one set: handle, no duration, no event limit. */
	fake_expect_cmd(&f, 0x2039, "01 01 02 0000 00");
	fake_complete(&f, 0x2039, 0, "");
	fake_advance(&f, 90);
	fake_expect_cmd(&f, 0x2039, "00 01 02 0000 00");
	fake_complete(&f, 0x2039, 0, "");
	assert_string_equal(done_log, "A1:0 ");

	/* Close removes the set and stops the scan. */
	mp_hci_close(f.hci);
	f.hci = NULL;
	fake_expect_cmd(&f, 0x203c, "02");
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_expect_none(&f);
	fake_teardown(&f);
}

static void test_configurable_burst(void **state)
{
	struct fake_hci f;
	struct mp_hci_config cfg = { .adv_interval_ms = 30, .adv_events = 5, .no_scan = true };

	done_log[0] = '\0';
	fake_setup(&f, &cfg);
	fake_init_common(&f, 0);
	assert_int_equal(f.ready_status, 0);
	assert_false(mp_hci_scanning(f.hci));
	mp_hci_adv_send(f.hci, 1, A1, sizeof(A1), on_done, (void *)"A1");
	fake_expect_cmd(&f, 0x2006, "3000 3000 03 00 00 000000000000 07 00");	/* 48 x 0.625 */
	fake_complete(&f, 0x2006, 0, "");
	expect_legacy_data(&f, A1, sizeof(A1));
	fake_complete(&f, 0x2008, 0, "");
	fake_expect_cmd(&f, 0x200a, "01");
	fake_complete(&f, 0x200a, 0, "");
	fake_advance(&f, 199);		/* 5 x (30 + 10) */
	fake_expect_none(&f);
	fake_advance(&f, 1);
	fake_expect_cmd(&f, 0x200a, "00");
	fake_complete(&f, 0x200a, 0, "");
	assert_string_equal(done_log, "A1:0 ");
	mp_hci_close(f.hci);
	f.hci = NULL;
	fake_expect_none(&f);	/* never scanned, nothing left on */
	fake_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_burst, setup_scan, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_retransmission_not_queued_twice, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_links_interleave, setup_scan, teardown),
		cmocka_unit_test_setup_teardown(test_network_beside_link, setup_scan, teardown),
		cmocka_unit_test(test_pdu_queued_before_ready_waits),
		cmocka_unit_test_setup_teardown(test_invalid_interval_falls_back_to_100ms, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_disallowed_params_disable_and_retry, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_disallowed_params_disable_refused_or_gone, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_gone_in_disable_before_retry, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_error_statuses_fail_the_pdu, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_command_timeout_fails_the_pdu, setup_scan,
						teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup_scan, teardown),
		cmocka_unit_test(test_bad_arguments_and_full_queue),
		cmocka_unit_test_setup_teardown(test_gone_fails_every_pdu, setup_scan, teardown),
		cmocka_unit_test_setup_teardown(test_close_while_advertising, setup_scan, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_done_callback, setup_scan, teardown),
		cmocka_unit_test(test_extended_burst_and_close),
		cmocka_unit_test(test_configurable_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
