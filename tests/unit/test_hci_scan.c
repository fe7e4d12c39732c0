/* hci/hci_le: the scanning state's transitions that the start-sequence and
 * toggle tests in test_hci.c do not reach: the owner changing its mind in
 * each step of the scanning sequence, a hold or a connection event arriving
 * mid-sequence or mid-toggle, a controller error in each step, and what a
 * close switches off in each state. The test plays the controller. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>

#include "fake_hci.h"
#include "hci/hci.h"

/* LE Connection Complete (legacy, 7.7.65.1), success; Disconnection
 * Complete (7.7.5). Either makes Linux's scan replace ours. */
#define CONN_COMPLETE	"043e 13 01 00 4000 00 00 010001aa0000 2800 0000 2a00 00"
#define DISCONN_COMPLETE "0405 04 00 4000 13"

static int setup(void **state)
{
	struct fake_hci *f = calloc(1, sizeof(*f));

	fake_setup(f, NULL);
	fake_init_legacy(f);
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

/* The restart sequence's three steps, each answered with success. */
static void seq_disable(struct fake_hci *f, uint8_t status)
{
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, status, "");
}

static void seq_params(struct fake_hci *f, uint8_t status)
{
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, status, "");
}

static void seq_enable(struct fake_hci *f, uint8_t status)
{
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, status, "");
}

/* Scanning is ours from the enable of the sequence on, not before. */
static void test_scanning_during_restart(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	assert_false(mp_hci_scanning(f->hci));
	seq_disable(f, 0);
	assert_false(mp_hci_scanning(f->hci));
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	assert_true(mp_hci_scanning(f->hci));
	fake_complete(f, 0x200c, 0, "");
	assert_true(mp_hci_scanning(f->hci));
	fake_expect_none(f);
}

/* Off asked in the disable step: the sequence ends first, then the toggle. */
static void test_owner_off_in_seq_disable(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	fake_expect_cmd(f, 0x200c, "00 00");
	assert_int_equal(mp_hci_scan_enable(f->hci, false), 0);
	fake_expect_none(f);
	fake_complete(f, 0x200c, 0, "");
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	assert_false(mp_hci_scanning(f->hci));
	fake_expect_none(f);
}

/* Off and on again in the parameters step: nothing more to do. */
static void test_owner_off_on_in_seq_params(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	mp_hci_scan_enable(f->hci, false);
	mp_hci_scan_enable(f->hci, true);
	fake_complete(f, 0x200b, 0, "");
	seq_enable(f, 0);
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* Off asked in the enable step. */
static void test_owner_off_in_seq_enable(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	seq_params(f, 0);
	fake_expect_cmd(f, 0x200c, "01 00");
	mp_hci_scan_enable(f->hci, false);
	fake_complete(f, 0x200c, 0, "");
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	fake_expect_none(f);
	assert_false(mp_hci_scanning(f->hci));
}

/* A hold begins mid-sequence and a connection completes: the owed restart
 * waits for the end of the hold, then runs once. */
static void test_hold_mid_sequence(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	mp_hci_scan_hold(f->hci, true);
	fake_send(f, CONN_COMPLETE);
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_none(f);		/* held */
	assert_true(mp_hci_scanning(f->hci));
	mp_hci_scan_hold(f->hci, false);
	seq_disable(f, 0);
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_none(f);
}

/* A hold does not stop the owner's toggles. */
static void test_toggle_while_held(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_hold(f->hci, true);
	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	assert_false(mp_hci_scanning(f->hci));
	mp_hci_scan_hold(f->hci, false);
	fake_expect_none(f);
}

/* A connection completes while a toggle is in flight: the restart runs
 * after it, the full sequence when scanning is wanted... */
static void test_restart_owed_by_toggle_on(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	mp_hci_scan_enable(f->hci, true);
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_send(f, CONN_COMPLETE);
	fake_complete(f, 0x200c, 0, "");
	seq_disable(f, 0);
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* ... even when the toggle was refused ... */
static void test_restart_owed_by_refused_toggle(void **state)
{
	struct fake_hci *f = *state;

	fake_expect_none(f);
	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	mp_hci_scan_enable(f->hci, true);
	fake_send(f, DISCONN_COMPLETE);
	fake_complete(f, 0x200c, MP_HCI_ERR_DISALLOWED, "");
	seq_disable(f, 0);
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* ... and nothing when it is not wanted, until it is: then the sequence,
 * not the enable alone (Linux's parameters are in the controller). */
static void test_restart_owed_by_toggle_off(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_send(f, DISCONN_COMPLETE);
	fake_complete(f, 0x200c, 0, "");
	fake_expect_none(f);
	assert_false(mp_hci_scanning(f->hci));
	mp_hci_scan_refresh(f->hci);	/* still not wanted */
	fake_expect_none(f);
	mp_hci_scan_enable(f->hci, true);
	seq_disable(f, 0);
	seq_params(f, 0);
	seq_enable(f, 0);
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* A refused enable toggle leaves scanning off, with no retry loop. */
static void test_refused_toggle_on(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0, "");
	mp_hci_scan_enable(f->hci, true);
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, MP_HCI_ERR_DISALLOWED, "");
	assert_false(mp_hci_scanning(f->hci));
	fake_expect_none(f);
	mp_hci_close(f->hci);		/* nothing of ours to switch off */
	f->hci = NULL;
	fake_expect_none(f);
}

/* Parameters refused in the restart: the sequence ends with scanning off,
 * and what is wanted is then tried with the enable alone, once. */
static void test_restart_params_refused(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	seq_params(f, MP_HCI_ERR_INVALID_PARAMS);
	fake_expect_cmd(f, 0x200c, "01 00");
	fake_complete(f, 0x200c, MP_HCI_ERR_DISALLOWED, "");
	fake_expect_none(f);
	assert_false(mp_hci_scanning(f->hci));
	assert_int_equal(f->ready_calls, 1);
}

/* Enable refused in the restart: the same. */
static void test_restart_enable_refused(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	seq_params(f, 0);
	seq_enable(f, MP_HCI_ERR_DISALLOWED);
	assert_false(mp_hci_scanning(f->hci));
	seq_enable(f, 0);
	fake_expect_none(f);
	assert_true(mp_hci_scanning(f->hci));
}

/* At start an error in the enable step fails the start. */
static void test_start_enable_refused(void **state)
{
	struct fake_hci f;

	fake_setup(&f, NULL);
	fake_init_common(&f, 0);
	seq_disable(&f, 0);
	seq_params(&f, 0);
	seq_enable(&f, MP_HCI_ERR_DISALLOWED);
	assert_int_equal(f.ready_calls, 1);
	assert_int_equal(f.ready_status, MP_HCI_ERR_DISALLOWED);
	assert_false(mp_hci_scanning(f.hci));
	assert_int_equal(mp_hci_scan_enable(f.hci, true), 0);
	mp_hci_scan_refresh(f.hci);
	fake_send(&f, DISCONN_COMPLETE);
	fake_expect_none(&f);		/* a failed start stays failed */
	fake_teardown(&f);
}

/* The controller goes away mid-sequence: scanning is not ours, nothing
 * more is sent, and the close switches nothing off. */
static void test_gone_mid_sequence(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_send(f, "04 10 01 00");	/* Hardware Error */
	assert_int_equal(f->gone_calls, 1);
	assert_false(mp_hci_scanning(f->hci));
	assert_int_equal(mp_hci_scan_enable(f->hci, true), -EIO);
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_none(f);
}

/* ... in the disable step, or in a toggle: the same. */
static void test_gone_in_seq_disable(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_send(f, "04 10 01 00");
	assert_int_equal(f->gone_calls, 1);
	assert_false(mp_hci_scanning(f->hci));
	mp_hci_scan_refresh(f->hci);
	mp_hci_scan_hold(f->hci, false);
	fake_expect_none(f);
}

static void test_gone_in_toggle(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_send(f, DISCONN_COMPLETE);	/* a restart owed, never run */
	fake_send(f, "04 10 01 00");
	assert_int_equal(f->gone_calls, 1);
	assert_false(mp_hci_scanning(f->hci));
	fake_expect_none(f);
}

/* What a close switches off: our scan once its enable is out, not before. */
static void test_close_mid_sequence(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_none(f);
}

static void test_close_in_seq_enable(void **state)
{
	struct fake_hci *f = *state;

	fake_send(f, DISCONN_COMPLETE);
	seq_disable(f, 0);
	seq_params(f, 0);
	fake_expect_cmd(f, 0x200c, "01 00");
	mp_hci_close(f->hci);
	f->hci = NULL;
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);
}

static void test_close_in_toggle_off(void **state)
{
	struct fake_hci *f = *state;

	mp_hci_scan_enable(f->hci, false);
	fake_expect_cmd(f, 0x200c, "00 00");
	mp_hci_close(f->hci);		/* the controller has not said yet */
	f->hci = NULL;
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_expect_none(f);
}

/* In auto mode after the fall back to the extended commands, a restart
 * begins with the legacy commands again and falls back again; the owner's
 * toggles use the extended command at once. */
static void test_restart_after_fallback(void **state)
{
	struct fake_hci f;

	fake_setup(&f, NULL);
	fake_init_common(&f, 1u << 12);
	seq_disable(&f, 0x0c);
	seq_params(&f, 0x0c);
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_complete(&f, 0x2042, 0x0c, "");
	fake_expect_cmd(&f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(&f, 0x2041, 0, "");
	fake_expect_cmd(&f, 0x2042, "01 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	assert_int_equal(f.ready_status, 0);

	fake_send(&f, DISCONN_COMPLETE);
	seq_disable(&f, 0x0c);
	seq_params(&f, MP_HCI_ERR_UNKNOWN_COMMAND);
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	fake_expect_cmd(&f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(&f, 0x2041, 0, "");
	fake_expect_cmd(&f, 0x2042, "01 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	assert_true(mp_hci_scanning(f.hci));
	fake_expect_none(&f);

	mp_hci_scan_enable(f.hci, false);
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	assert_false(mp_hci_scanning(f.hci));
	fake_teardown(&f);
}

/* Forced extended mode: refused parameters do not fall back. */
static void test_extended_params_refused(void **state)
{
	struct mp_hci_config cfg = { .mode = MP_HCI_LE_EXTENDED };
	struct fake_hci f;

	fake_setup(&f, &cfg);
	fake_init_common(&f, 1u << 12);
	fake_expect_cmd(&f, 0x2042, "00 00 0000 0000");
	fake_complete(&f, 0x2042, 0, "");
	fake_expect_cmd(&f, 0x2041, "00 00 01 00 3000 3000");
	fake_complete(&f, 0x2041, MP_HCI_ERR_DISALLOWED, "");
	assert_int_equal(f.ready_calls, 1);
	assert_int_equal(f.ready_status, MP_HCI_ERR_DISALLOWED);
	fake_expect_none(&f);
	fake_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scanning_during_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_off_in_seq_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_off_on_in_seq_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_off_in_seq_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_mid_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toggle_while_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_owed_by_toggle_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_owed_by_refused_toggle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_owed_by_toggle_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_toggle_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_params_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_enable_refused, setup, teardown),
		cmocka_unit_test(test_start_enable_refused),
		cmocka_unit_test_setup_teardown(test_gone_mid_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_in_seq_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_in_toggle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_mid_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_in_seq_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_in_toggle_off, setup, teardown),
		cmocka_unit_test(test_restart_after_fallback),
		cmocka_unit_test(test_extended_params_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
