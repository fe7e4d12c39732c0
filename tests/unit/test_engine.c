/* The engine against simulated devices: the whole stack below the CLI wired
 * back to back in one process (DESIGN.md, testing tiers 2 and 3). Real
 * PB-ADV links on both ends, the provisioner state machine against the
 * independently written simulated device, a real keyring file in a
 * temporary directory, the real event loop on a fake clock.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "bearer/pbadv.h"
#include "crypto/prov_keys.h"
#include "engine_harness.h"
#include "engine_tu.h"
#include "store/node_config.h"

/* 1. One device, No OOB: the beacons, the run, what is stored. */
static void test_one_device_no_oob(void **state)
{
	struct eh_config cfg = { .devices = 1, .seed = 1 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	const struct mp_scan_entry *entry;
	struct mp_keyring_error kerr;
	struct mp_provision_opts o;
	const struct mp_node *n;
	uint8_t dev_key[16];
	unsigned int beacons;

	/* The beacon is heard: new once, then refreshed. */
	assert_int_equal(eh_run(h, eh_all_beaconed_twice, 5000), 0);
	assert_int_equal(d->beacons_first, 1);
	assert_true(d->beacons_again >= 1);
	entry = mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), d->uuid);
	assert_non_null(entry);
	assert_int_equal(entry->index, 1);
	assert_true(entry->bearers & MP_SCAN_PB_ADV);
	assert_true(entry->seen >= 2);

	eh_opts(&o);
	o.name = "lamp";
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(mp_engine_sessions(h->engine), 1);
	assert_ptr_equal(mp_engine_find(h->engine, d->uuid), d->session);
	tu_assert_bytes(mp_session_uuid(d->session), d->uuid, 16);

	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	/* The first device gets the address after the provisioner's own. */
	assert_int_equal(d->address, mp_keyring_self_address(h->kr) + 1);
	assert_int_equal(d->elements, 1);
	assert_int_equal(d->algorithm, MP_ALG_HMAC);	/* AUTO: HMAC when offered */
	assert_int_equal(d->auth_method, MP_AUTH_NONE);
	assert_all_phases(d);
	assert_node_consistent(h, d);
	assert_int_equal(mp_sim_radio_provisioned(h->radio), 1);
	n = mp_keyring_node_find_uuid(h->kr, d->uuid);
	assert_string_equal(n->name, "lamp");
	assert_string_equal(n->oob, mp_auth_method_name(MP_AUTH_NONE));
	assert_int_equal(mp_keyring_node_count(h->kr), 2);	/* ours and the device */

	/* The session goes once its Link Close is out; the node stops beaconing. */
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_null(mp_engine_find(h->engine, d->uuid));
	beacons = d->beacons_again;
	eh_run_for(h, 5000);
	assert_int_equal(d->beacons_again, beacons);
	assert_int_equal(d->finals, 1);
	assert_null(mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), d->uuid));

	/* A late beacon of the device just provisioned (a real device may
	 * still have some queued) is not a new device; 30 s later it is. */
	{
		uint8_t ad[21] = { 20, 0x2b, 0x00 };
		struct mp_adv_report r = { .data = ad, .len = sizeof(ad), .rssi = -50 };
		unsigned int first = d->beacons_first;

		memcpy(ad + 3, d->uuid, 16);
		eh_inject_report(h, &r);
		assert_int_equal(d->beacons_first, first);
		assert_null(mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), d->uuid));
		eh_run_for(h, 30000);
		eh_inject_report(h, &r);
		assert_int_equal(d->beacons_first, first + 1);
	}

	/* The node is on disk: close and open the keyring file again. */
	memcpy(dev_key, d->sim_res.device_key, 16);
	eh_free_engine(h);
	mp_keyring_close(h->kr);
	h->kr = NULL;
	assert_int_equal(mp_keyring_open(h->path, NULL, &h->kr, &kerr), 0);
	n = mp_keyring_node_find_uuid(h->kr, d->uuid);
	assert_non_null(n);
	assert_int_equal(n->state, MP_NODE_COMPLETE);
	assert_int_equal(n->addr, d->address);
	tu_assert_bytes(n->dev_key, dev_key, 16);
	harness_free(h);
}

/* 2. Every OOB method of the simulated device with both algorithms forced,
 * the prompts answered as a person would. */
struct oob_case {
	enum mp_sim_oob oob;
	enum mp_alg_choice alg;
	enum mp_auth_method method;
	uint8_t static_len;		/* Static OOB: the length we give (16, or 32 padded) */
};

static void run_oob_case(const struct oob_case *c)
{
	struct eh_config cfg = { .devices = 1, .oob = c->oob, .seed = 2,
				 .auto_output = true, .auto_input = true };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;

	eh_opts(&o);
	o.prov.alg = c->alg;
	if (c->oob == MP_SIM_OOB_STATIC) {
		/* The value as the device holds it (16 octets), or that value
		 * zero-padded to 32: with HMAC both give the same AuthValue
		 * (Binary data, MshPRT v1.1 5.4.2.4.1). */
		o.prov.auth = MP_AUTH_CHOICE_STATIC;
		memcpy(o.prov.static_oob, mp_sim_radio_static_oob(), 16);
		o.prov.static_oob_len = c->static_len;
	}
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	if (!d->provisioned)
		fail_msg("oob %d alg %d: failed, %s", c->oob, c->alg, d->reason);
	assert_int_equal(d->algorithm, c->alg == MP_ALG_FORCE_HMAC ? MP_ALG_HMAC : MP_ALG_CMAC);
	assert_int_equal(d->auth_method, c->method);
	assert_all_phases(d);
	assert_node_consistent(h, d);
	assert_string_equal(mp_keyring_node_find_uuid(h->kr, d->uuid)->oob,
			    mp_auth_method_name(c->method));
	assert_non_null(strstr(mp_keyring_node_find_uuid(h->kr, d->uuid)->algorithm,
			       c->alg == MP_ALG_FORCE_HMAC ? "HMAC" : "CMAC"));
	if (c->oob == MP_SIM_OOB_OUTPUT)
		assert_int_equal(strlen(d->shown), 6);
	if (c->oob == MP_SIM_OOB_INPUT)
		assert_in_range(strlen(d->oob_value), 1, 4);	/* a number below 10^4 */
	harness_free(h);
}

/* Issue 12: with the default --auth, a device offering Static OOB with no
 * value given is refused before Start (auth-needed, with what to do), not
 * provisioned with No OOB; the same device with its value is; a device
 * offering nothing but No OOB is refused only under require_auth. */
static void test_no_silent_downgrade(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_STATIC, .seed = 5 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;
	unsigned int i;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_false(d->provisioned);
	assert_int_equal(d->errnum, -ENOKEY);
	assert_string_equal(d->reason, "auth-needed");
	assert_non_null(strstr(d->detail, "--auth static:HEX"));
	assert_non_null(strstr(d->detail, "--auth none"));
	for (i = 0; i < d->nphases; i++)
		assert_true(d->phases[i] < MP_PHASE_START);
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));
	harness_free(h);

	/* No OOB only: provisioned by default, "none" recorded and reported. */
	cfg.oob = MP_SIM_OOB_NONE;
	h = harness_new(&cfg);
	d = &h->dev[0];
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(d->provisioned);
	assert_int_equal(d->auth_method, MP_AUTH_NONE);
	harness_free(h);

	/* ...and refused when authentication is required. */
	h = harness_new(&cfg);
	d = &h->dev[0];
	eh_opts(&o);
	o.prov.require_auth = true;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_string_equal(d->reason, "auth-required");
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));
	harness_free(h);
}

/* Issue 12: a device claiming more elements than allowed is refused before
 * Start, and takes no address. The simulator's second device has 2. */
static bool dev1_final(struct eh *h)
{
	return h->dev[1].finals > 0;
}

static void test_too_many_elements(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 5 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[1];
	struct mp_provision_opts o;
	size_t nodes = mp_keyring_node_count(h->kr);
	unsigned int i;

	eh_opts(&o);
	o.prov.max_elements = 1;
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, dev1_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_int_equal(d->errnum, -E2BIG);
	assert_string_equal(d->reason, "too-many-elements");
	assert_non_null(strstr(d->detail, "claims 2 elements"));
	for (i = 0; i < d->nphases; i++)
		assert_true(d->phases[i] < MP_PHASE_START);
	assert_int_equal(mp_keyring_node_count(h->kr), nodes);
	/* Within the limit: provisioned. */
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	o.prov.max_elements = 2;
	d->finals = 0;
	d->failed = false;
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, dev1_final, QUICK_MS), 0);
	assert_true(d->provisioned);
	assert_int_equal(d->elements, 2);
	harness_free(h);
}

static void test_oob_methods_both_algorithms(void **state)
{
	static const struct oob_case cases[] = {
		{ MP_SIM_OOB_NONE, MP_ALG_FORCE_CMAC, MP_AUTH_NONE, 0 },
		{ MP_SIM_OOB_NONE, MP_ALG_FORCE_HMAC, MP_AUTH_NONE, 0 },
		{ MP_SIM_OOB_STATIC, MP_ALG_FORCE_CMAC, MP_AUTH_STATIC, 16 },
		{ MP_SIM_OOB_STATIC, MP_ALG_FORCE_HMAC, MP_AUTH_STATIC, 16 },
		/* the same AuthValue given already padded to 32 octets */
		{ MP_SIM_OOB_STATIC, MP_ALG_FORCE_HMAC, MP_AUTH_STATIC, 32 },
		{ MP_SIM_OOB_OUTPUT, MP_ALG_FORCE_CMAC, MP_AUTH_OUTPUT, 0 },
		{ MP_SIM_OOB_OUTPUT, MP_ALG_FORCE_HMAC, MP_AUTH_OUTPUT, 0 },
		{ MP_SIM_OOB_INPUT, MP_ALG_FORCE_CMAC, MP_AUTH_INPUT, 0 },
		{ MP_SIM_OOB_INPUT, MP_ALG_FORCE_HMAC, MP_AUTH_INPUT, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_oob_case(&cases[i]);
}

/* Static OOB with the sim's 16-octet value and no algorithm forced: the
 * value does not steer the choice (HMAC, which the device offers), both
 * sides zero-pad it to 32 octets (Binary data, MshPRT v1.1 5.4.2.4.1). */
static void test_static_oob_auto_pads_for_hmac(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_STATIC, .seed = 3 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;

	eh_opts(&o);
	memcpy(o.prov.static_oob, mp_sim_radio_static_oob(), 16);
	o.prov.static_oob_len = 16;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_int_equal(d->auth_method, MP_AUTH_STATIC);
	assert_int_equal(d->algorithm, MP_ALG_HMAC);
	assert_node_consistent(h, d);
	harness_free(h);
}

static bool dev0_output_asked(struct eh *h)
{
	return h->dev[0].oob_output_asked || h->dev[0].finals;
}

/* Output OOB by hand: malformed answers are refused and asked again. */
static void test_output_oob_by_hand(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_OUTPUT, .seed = 4 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;
	struct mp_session *s;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	s = d->session;
	assert_int_equal(mp_session_oob(s, "123456"), -EALREADY);	/* not asked yet */
	assert_int_equal(eh_run(h, dev0_output_asked, QUICK_MS), 0);
	assert_true(d->oob_output_asked);
	assert_int_equal(strlen(d->shown), 6);		/* the device displays 6 digits */
	assert_int_equal(mp_session_oob(s, "12a456"), -EINVAL);
	assert_int_equal(mp_session_oob(s, "1234567"), -EINVAL);	/* 7 digits > size 6 */
	assert_int_equal(mp_session_oob(s, ""), -EINVAL);
	assert_int_equal(d->finals, 0);
	assert_int_equal(mp_session_oob(s, d->shown), 0);
	assert_int_equal(mp_session_oob(s, d->shown), -EALREADY);	/* answered */
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_int_equal(d->auth_method, MP_AUTH_OUTPUT);
	assert_node_consistent(h, d);
	harness_free(h);
}

static bool dev0_input_ready(struct eh *h)
{
	return (h->dev[0].oob_input_shown && h->dev[0].input_wanted) || h->dev[0].finals;
}

/* Input OOB by hand: the engine shows a value, the person types it. */
static void test_input_oob_by_hand(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_INPUT, .seed = 5 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;
	size_t i;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_input_ready, QUICK_MS), 0);
	assert_int_equal(d->finals, 0);
	/* The device takes 4 digits: a number below 10^4, shown as is. */
	assert_in_range(strlen(d->oob_value), 1, 4);
	for (i = 0; i < strlen(d->oob_value); i++)
		assert_true(d->oob_value[i] >= '0' && d->oob_value[i] <= '9');
	/* Nothing happens until the value is typed. */
	eh_run_for(h, 2000);
	assert_int_equal(d->finals, 0);
	assert_int_equal(mp_sim_radio_input(h->radio, d->uuid, d->oob_value), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_int_equal(d->auth_method, MP_AUTH_INPUT);
	assert_node_consistent(h, d);
	harness_free(h);
}

/* 3. A wrong OOB value: the device finds the provisioner's confirmation
 * wrong (it checks first, on our Random) and sends Provisioning Failed with
 * Confirmation Failed (MshPRT v1.1 5.4.2.4, Table 5.41). The Provisioning
 * Data was never reached, so the keyring holds nothing for the device: no
 * record, no address used, nothing excluded. */
static void assert_confirmation_failed(struct eh *h, struct eh_dev *d)
{
	assert_true(d->failed);
	assert_false(d->provisioned);
	assert_int_equal(d->finals, 1);
	assert_true(d->by_device);
	assert_int_equal(d->err, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_int_equal(d->errnum, 0);
	assert_string_equal(d->reason, "confirmation-failed");
	assert_int_equal(d->sim_done, 1);
	assert_int_equal(d->sim_err, MP_PROV_ERR_CONFIRMATION_FAILED);
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));
	assert_int_equal(mp_keyring_node_count(h->kr), 1);
	assert_int_equal(mp_keyring_exclusion_count(h->kr), 0);
	assert_int_equal(mp_sim_radio_provisioned(h->radio), 0);
}

static void test_wrong_static_oob(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_STATIC, .seed = 6 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;
	size_t p;

	eh_opts(&o);
	o.prov.auth = MP_AUTH_CHOICE_STATIC;
	o.prov.alg = MP_ALG_FORCE_CMAC;
	memcpy(o.prov.static_oob, mp_sim_radio_static_oob(), 16);
	o.prov.static_oob[15] ^= 0x01;
	o.prov.static_oob_len = 16;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_confirmation_failed(h, d);
	for (p = 0; p < d->nphases; p++)
		assert_true(d->phases[p] < MP_PHASE_DATA);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);

	/* The device listens again after our Link Close: the right value works,
	 * and the first free address is still the first one. */
	eh_forget(h, 0);
	o.prov.static_oob[15] ^= 0x01;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_node_consistent(h, d);
	assert_int_equal(d->address, mp_keyring_self_address(h->kr) + 1);
	harness_free(h);
}

/* A wrong Output OOB answer (well-formed, but not what the device showed). */
static void wrong_output(struct eh *h, struct eh_dev *d, const struct mp_session_event *ev)
{
	char bad[16];

	if (ev->type != MP_SESSION_OOB_OUTPUT)
		return;
	snprintf(bad, sizeof(bad), "%s", d->shown);
	bad[0] = bad[0] == '9' ? '1' : (char)(bad[0] + 1);
	assert_int_equal(mp_session_oob(d->session, bad), 0);
}

static void test_wrong_output_oob(void **state)
{
	struct eh_config cfg = { .devices = 1, .oob = MP_SIM_OOB_OUTPUT, .seed = 7 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;

	h->on_session = wrong_output;
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_confirmation_failed(h, &h->dev[0]);
	harness_free(h);
}

/* 4 and 5: many devices at once, on a clean or a bad radio. */
static void run_many(const struct eh_config *cfg, uint64_t max_ms)
{
	struct eh *h = harness_new(cfg);
	struct mp_provision_opts o;
	unsigned int i, j;
	int r;

	eh_opts(&o);
	for (i = 0; i < h->ndev; i++)
		assert_int_equal(eh_provision(h, i, &o), 0);
	assert_int_equal(mp_engine_sessions(h->engine), h->ndev);
	r = eh_run(h, eh_all_final, max_ms);
	for (i = 0; i < h->ndev; i++) {
		struct eh_dev *d = &h->dev[i];

		if (!d->provisioned)
			fail_msg("device %u: %s after %llu ms (run: %d)", i,
				 d->failed ? d->reason : "unfinished",
				 (unsigned long long)(h->now - d->started_ms), r);
		/* The simulated devices have 1, 2, 3, 1, ... elements. */
		assert_int_equal(d->elements, 1 + i % 3);
		assert_all_phases(d);
		assert_node_consistent(h, d);
		assert_true(d->address > mp_keyring_self_address(h->kr));
		assert_true(d->address + d->elements - 1 <= MP_UNICAST_MAX);
		for (j = 0; j < i; j++) {
			const struct eh_dev *o2 = &h->dev[j];

			/* [a, a + n) and [b, b + m) do not overlap */
			assert_true(d->address + d->elements <= o2->address ||
				    o2->address + o2->elements <= d->address);
		}
	}
	assert_int_equal(r, 0);
	assert_int_equal(mp_sim_radio_provisioned(h->radio), h->ndev);
	/* On a perfect radio we send the protocol minimum: with HMAC (chosen
	 * when the device offers it) Link Open, 11 segments, 5 acks and the
	 * first Link Close = 18 per device (see bench/bench_engine.c), no
	 * retransmission. On a bad radio retransmissions must show. */
	if (!cfg->loss_pct && !cfg->delay_ms && !cfg->dup_pct)
		assert_int_equal(mp_sim_radio_adv_count(h->radio), 18ul * h->ndev);
	else if (cfg->loss_pct)
		assert_true(mp_sim_radio_adv_count(h->radio) > 19ul * h->ndev);
	assert_int_equal(mp_keyring_node_count(h->kr), h->ndev + 1);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	/* Every device heard its link closed by us, not by its own timeout,
	 * even where the radio held the Link Close copies past the end of
	 * the session (each copy may be lost on a lossy radio). */
	eh_run_for(h, 1000);
	for (i = 0; !cfg->loss_pct && i < h->ndev; i++)
		assert_int_equal(mp_sim_radio_peer_closes(h->radio, i), 1);
	assert_int_equal(mp_sim_radio_withdrawn(h->radio), 0);
	harness_free(h);
}

static void test_sixteen_devices(void **state)
{
	struct eh_config cfg = { .devices = 16, .max_sessions = 16, .seed = 8 };

	run_many(&cfg, QUICK_MS);
}

static void test_sixteen_devices_lossy_radio(void **state)
{
	/* 30 % of copies lost, 10 % duplicated, up to 40 ms of delay (which
	 * also reorders). A transaction gets ~60 retransmission rounds in its
	 * 30 s, so every provisioning gets through; ten simulated minutes is a
	 * generous bound. Several seeds, since the links' jitter and keys come
	 * from OpenSSL and differ at every run anyway. */
	static const uint64_t seeds[] = { 9, 10, 11 };
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct eh_config cfg = { .devices = 16, .max_sessions = 16, .loss_pct = 30,
					 .dup_pct = 10, .delay_ms = 40, .seed = seeds[i] };

		run_many(&cfg, 600000);
	}
}

/* Every copy duplicated half the time and delayed up to 300 ms, so that
 * segments, acks and whole transactions arrive twice and out of order. */
static void test_sixteen_devices_duplicating_radio(void **state)
{
	struct eh_config cfg = { .devices = 16, .max_sessions = 16, .dup_pct = 50,
				 .delay_ms = 300, .seed = 18 };

	run_many(&cfg, 600000);
}

/* 6. Nothing gets through: each session fails by itself with "timeout",
 * when the link establishment timer expires (MshPRT v1.1 5.3.2), after its
 * Link Close repeats. */
static void test_total_loss_times_out(void **state)
{
	struct eh_config cfg = { .devices = 4, .max_sessions = 16, .loss_pct = 100, .seed = 12 };
	struct eh *h = harness_new(&cfg);
	const uint64_t close_ms = (MP_PBADV_CLOSE_REPEATS - 1) * MP_PBADV_CLOSE_INTERVAL_MS;
	struct mp_provision_opts o;
	unsigned int i;

	eh_opts(&o);
	for (i = 0; i < h->ndev; i++) {
		assert_int_equal(eh_provision(h, i, &o), 0);
		eh_run_for(h, 1000);	/* staggered starts */
	}
	assert_int_equal(eh_run(h, eh_all_final, 2 * MP_PBADV_LINK_TIMEOUT_MS), 0);
	for (i = 0; i < h->ndev; i++) {
		struct eh_dev *d = &h->dev[i];
		uint64_t took = d->final_ms - d->started_ms;

		assert_true(d->failed);
		assert_int_equal(d->finals, 1);
		assert_string_equal(d->reason, "timeout");
		assert_int_equal(d->errnum, -ETIMEDOUT);
		assert_false(d->by_device);
		assert_true(took >= MP_PBADV_LINK_TIMEOUT_MS);
		assert_true(took <= MP_PBADV_LINK_TIMEOUT_MS + close_ms);
		assert_int_equal(d->nphases, 0);	/* the link never opened */
		{
			/* issue 16: where it stopped and after how long */
			char want[96];

			snprintf(want, sizeof(want), "no answer to the invitation, %llu s after "
				 "it began", (unsigned long long)(took / 1000));
			assert_string_equal(d->detail, want);
		}
		assert_int_equal(d->beacons_first, 0);	/* nothing was heard */
		assert_int_equal(d->sim_done, 0);
	}
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_int_equal(mp_keyring_node_count(h->kr), 1);
	harness_free(h);
}

/* 7. Cancel, radio lost, engine freed mid-way. */
/* Our Confirmation is out, the device's not yet in. */
static bool dev0_waits_confirmation(struct eh *h)
{
	const struct eh_dev *d = &h->dev[0];

	return (d->nphases && d->phases[d->nphases - 1] == MP_PHASE_CONFIRMATION) || d->finals;
}

static void test_cancel(void **state)
{
	struct eh_config cfg = { .devices = 1, .seed = 13 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_waits_confirmation, QUICK_MS), 0);
	assert_int_equal(d->finals, 0);
	mp_session_cancel(d->session);
	/* reported at once */
	assert_true(d->failed);
	assert_int_equal(d->finals, 1);
	assert_string_equal(d->reason, "cancelled");
	assert_int_equal(d->errnum, -ECANCELED);
	assert_false(d->by_device);
	/* the session lives on until its Link Close is out, then goes */
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_int_equal(d->finals, 1);
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));
	assert_int_equal(mp_keyring_node_count(h->kr), 1);
	assert_int_equal(mp_sim_radio_provisioned(h->radio), 0);

	/* The device got our Link Close and listens again: a new attempt of
	 * the same UUID is accepted and succeeds. */
	eh_forget(h, 0);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_node_consistent(h, d);
	harness_free(h);
}

/* Cancelled from the user's callback right after the Provisioning Data went
 * out: the device may hold the address, so the keyring keeps the node as
 * UNCONFIRMED with its address and device key (store/keyring.h policy). */
static void cancel_after_data(struct eh *h, struct eh_dev *d, const struct mp_session_event *ev)
{
	const struct mp_node *n;

	if (ev->type != MP_SESSION_PHASE || ev->phase != MP_PHASE_DATA)
		return;
	/* The node was recorded, with its device key, before the Data left. */
	n = mp_keyring_node_find_uuid(h->kr, d->uuid);
	assert_non_null(n);
	assert_int_equal(n->state, MP_NODE_PENDING);
	assert_true(n->has_dev_key);
	mp_session_cancel(d->session);
}

static void test_cancel_after_data_keeps_unconfirmed(void **state)
{
	struct eh_config cfg = { .devices = 1, .seed = 14 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;
	const struct mp_node *n;

	h->on_session = cancel_after_data;
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_string_equal(d->reason, "cancelled");
	n = mp_keyring_node_find_uuid(h->kr, d->uuid);
	assert_non_null(n);
	assert_int_equal(n->state, MP_NODE_UNCONFIRMED);
	assert_true(n->has_dev_key);
	/* Issue 16: the failed event says so, with the address kept */
	assert_true(d->unconfirmed);
	assert_int_equal(d->address, n->addr);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	/* And indeed: the Data reached the device, which took the address. */
	eh_run_for(h, 1000);
	assert_int_equal(d->sim_done, 1);
	assert_int_equal(d->sim_err, MP_PROV_OK);
	assert_int_equal(d->sim_res.unicast, n->addr);
	tu_assert_bytes(d->sim_res.device_key, n->dev_key, 16);
	assert_int_equal(d->finals, 1);
	harness_free(h);
}

/* Issue 12: devices left unconfirmed are bounded per run. With room for one,
 * a second device that authenticates is refused before its Data (the
 * keyring gives it no address), with a reason that says why. */
static void cancel_dev0_after_data(struct eh *h, struct eh_dev *d,
				   const struct mp_session_event *ev)
{
	if (d == &h->dev[0])
		cancel_after_data(h, d, ev);
}

static void test_unconfirmed_bound_per_run(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 14 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d0 = &h->dev[0], *d1 = &h->dev[1];
	struct mp_provision_opts o;

	mp_keyring_set_unconfirmed_max(h->kr, 1);
	h->on_session = cancel_dev0_after_data;
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_int_equal(mp_keyring_node_find_uuid(h->kr, d0->uuid)->state, MP_NODE_UNCONFIRMED);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, dev1_final, QUICK_MS), 0);
	assert_true(d1->failed);
	assert_int_equal(d1->errnum, -EDQUOT);
	assert_string_equal(d1->reason, "too-many-unconfirmed");
	assert_non_null(strstr(d1->detail, "node remove"));
	assert_null(mp_keyring_node_find_uuid(h->kr, d1->uuid));
	harness_free(h);
}

static bool all_started_past_start(struct eh *h)
{
	unsigned int i;

	for (i = 0; i < h->ndev; i++)
		if (h->dev[i].started && h->dev[i].nphases < 3)
			return false;
	return true;
}

static void test_radio_lost(void **state)
{
	struct eh_config cfg = { .devices = 4, .seed = 15 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	unsigned long advs;
	unsigned int i;

	eh_opts(&o);
	for (i = 0; i < h->ndev; i++)
		assert_int_equal(eh_provision(h, i, &o), 0);
	assert_int_equal(eh_run(h, all_started_past_start, QUICK_MS), 0);
	for (i = 0; i < h->ndev; i++)
		assert_int_equal(h->dev[i].finals, 0);
	eh_radio_lost(h, -ENODEV);
	for (i = 0; i < h->ndev; i++) {
		struct eh_dev *d = &h->dev[i];

		assert_true(d->failed);
		assert_int_equal(d->finals, 1);
		assert_int_equal(d->errnum, -ENODEV);
		assert_string_equal(d->reason, "radio-lost");
	}
	/* Reaped at the next round; nothing more goes out on the lost radio. */
	advs = mp_sim_radio_adv_count(h->radio);
	eh_run_for(h, 0);
	assert_int_equal(mp_engine_sessions(h->engine), 0);
	eh_run_for(h, 2 * MP_PBADV_LINK_TIMEOUT_MS);
	assert_int_equal(mp_sim_radio_adv_count(h->radio), advs);
	assert_int_equal(mp_keyring_node_count(h->kr), 1);
	for (i = 0; i < h->ndev; i++)
		assert_int_equal(h->dev[i].finals, 1);

	/* The radio is back (a new engine). The devices, left mid-way without
	 * a Link Close, gave up by themselves (the provisioning protocol
	 * timeout, MshPRT v1.1 5.4.4) and can be provisioned again. */
	eh_free_engine(h);
	assert_int_equal(eh_engine_new(h), 0);
	for (i = 0; i < h->ndev; i++) {
		eh_forget(h, i);
		assert_int_equal(eh_provision(h, i, &o), 0);
	}
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	for (i = 0; i < h->ndev; i++)
		assert_node_consistent(h, &h->dev[i]);
	harness_free(h);
}

static void test_free_engine_mid_way(void **state)
{
	struct eh_config cfg = { .devices = 3, .oob = MP_SIM_OOB_OUTPUT, .seed = 16 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	unsigned int i;

	/* One waits for Output OOB, one is early, one is done but closing. */
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_output_asked, QUICK_MS), 0);
	assert_int_equal(mp_session_oob(h->dev[0].session, h->dev[0].shown), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(h->dev[0].provisioned);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_provision(h, 2, &o), 0);
	assert_int_equal(eh_run(h, all_started_past_start, QUICK_MS), 0);
	assert_int_equal(mp_engine_sessions(h->engine), 3);

	eh_free_engine(h);
	assert_int_equal(h->dev[0].finals, 1);
	assert_true(h->dev[0].provisioned);
	for (i = 1; i < 3; i++) {
		assert_int_equal(h->dev[i].finals, 1);
		assert_string_equal(h->dev[i].reason, "cancelled");
	}
	/* No timer of the engine is left behind (ASan would see it fire). */
	eh_run_for(h, 2 * MP_PBADV_LINK_TIMEOUT_MS);
	assert_int_equal(mp_keyring_node_count(h->kr), 2);
	harness_free(h);
}

/* During a key refresh (MshPRT v1.1 3.11.4, 5.4.2.5): in phase 1 a device
 * is given the old key, the one the network still sends with (the Data's
 * Key Refresh flag cannot say phase 1), and is not recorded as having the
 * new one; in phase 2 it is given the new key with the Key Refresh flag,
 * and recorded as having it (the CDB's netKeys[].updated), so that a
 * resumed netkey refresh does not leave it out. */
static void test_data_during_key_refresh(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 23 };
	struct eh *h = harness_new(&cfg);
	const struct mp_node_config *c;
	struct mp_provision_opts o;
	const struct mp_node *n;
	uint8_t old_key[16];

	(void)state;
	memcpy(old_key, mp_keyring_netkey(h->kr, 0)->key, 16);
	assert_int_equal(mp_keyring_netkey_refresh(h->kr, 0, NULL), 0);
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(h->dev[0].provisioned);
	tu_assert_bytes(h->dev[0].sim_res.net_key, old_key, 16);
	assert_int_equal(h->dev[0].sim_res.flags, 0);
	c = mp_node_config(h->kr, h->dev[0].address);
	assert_true(!c || c->n_net_updated == 0);

	assert_int_equal(mp_keyring_netkey_set_phase(h->kr, 0, 2), 0);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, dev1_final, QUICK_MS), 0);
	assert_true(h->dev[1].provisioned);
	tu_assert_bytes(h->dev[1].sim_res.net_key, mp_keyring_netkey(h->kr, 0)->key, 16);
	assert_int_equal(h->dev[1].sim_res.flags, 0x01);
	n = mp_keyring_node_find(h->kr, h->dev[1].address);
	assert_non_null(n);
	c = mp_node_config(h->kr, n->addr);
	assert_non_null(c);
	assert_int_equal(c->n_net_updated, 1);
	assert_int_equal(c->net_updated[0], 0);
	harness_free(h);
}

/* What the keyring says goes into the Provisioning Data: another NetKey,
 * the IV index and the IV Update flag (MshPRT v1.1 5.4.2.5), an address the
 * user chose. */
static void test_data_from_keyring(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 19 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;

	assert_int_equal(mp_keyring_netkey_add(h->kr, 3, NULL), 0);
	assert_int_equal(mp_keyring_set_iv(h->kr, 0x12345, true), 0);
	eh_opts(&o);
	o.net_key_index = 3;
	o.address = 0x0100;
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_int_equal(h->dev[0].address, 0x0100);
	assert_int_equal(h->dev[0].sim_res.iv_index, 0x12345);
	assert_node_consistent_key(h, &h->dev[0], 3, 0x02);

	/* A NetKey that is not there is refused up front, before the device
	 * does any work. */
	o.net_key_index = 7;
	o.address = 0;
	assert_int_equal(mp_engine_provision(h->engine, h->dev[1].uuid, &o, NULL), -EINVAL);
	assert_int_equal(mp_engine_sessions(h->engine), 1);	/* dev 0 closing */
	harness_free(h);
}

/* No room left in our unicast range: the device is told nothing (the
 * Provisioning Data never leaves), the session fails with "no-address" and
 * the keyring is unchanged. Our range 0x0001-0x0003 holds ourselves
 * (0x0001) and device 0 (1 element); device 1 has 2 elements. */
static void test_no_address_left(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 20, .unicast_high = 0x0003 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[1];
	struct mp_provision_opts o;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_node_consistent(h, &h->dev[0]);
	assert_int_equal(h->dev[0].address, 0x0002);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_string_equal(d->reason, "no-address");
	assert_int_equal(d->errnum, -ENOSPC);
	assert_false(d->by_device);
	assert_int_equal(d->nphases, 6);	/* up to Random: no Data */
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));
	assert_int_equal(mp_keyring_node_count(h->kr), 2);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_int_equal(d->sim_done, 0);	/* the device never finished */
	harness_free(h);
}

/* 8. Limits: max_sessions, the same device twice, no keyring. */
static void test_busy_and_already(void **state)
{
	struct eh_config cfg = { .devices = 3, .max_sessions = 2, .seed = 17 };
	struct eh *h = harness_new(&cfg);
	struct mp_engine_config ec = { .loop = h->loop };
	struct mp_provision_opts o;
	struct mp_engine *e2;
	struct mp_session *s = NULL;

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(mp_engine_provision(h->engine, h->dev[0].uuid, &o, &s), -EALREADY);
	assert_null(s);		/* untouched on failure */
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(mp_engine_provision(h->engine, h->dev[2].uuid, &o, NULL), -EBUSY);
	assert_int_equal(mp_engine_provision(h->engine, h->dev[1].uuid, &o, NULL), -EALREADY);
	assert_int_equal(mp_engine_sessions(h->engine), 2);
	assert_null(mp_engine_find(h->engine, h->dev[2].uuid));

	/* The refusals disturbed nothing. */
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_node_consistent(h, &h->dev[0]);
	assert_node_consistent(h, &h->dev[1]);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_int_equal(eh_provision(h, 2, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_node_consistent(h, &h->dev[2]);

	/* Without a keyring the engine scans but cannot provision. It takes
	 * the radio's place of the harness's engine (one receiver per radio). */
	eh_free_engine(h);
	ec.radio.ops = &h->tap_ops;
	ec.radio.ctx = h;
	assert_int_equal(mp_engine_new(&ec, &e2), 0);
	assert_int_equal(mp_engine_provision(e2, h->dev[0].uuid, &o, NULL), -EINVAL);
	assert_int_equal(mp_engine_sessions(e2), 0);
	mp_engine_free(e2);
	harness_free(h);
}

/* Discovery off: the radio stops listening, except while a session needs
 * the device's answers. */
static void test_discovery_off_listens_only_for_sessions(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 23 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	unsigned long unheard, again;

	mp_engine_set_discovery(h->engine, false);
	assert_false(mp_engine_listening(h->engine));
	eh_run_for(h, 3000);
	assert_int_equal(h->dev[0].beacons_first + h->dev[1].beacons_first, 0);
	assert_int_equal(mp_scan_table_count(mp_engine_scan_table(h->engine)), 0);
	assert_true(mp_sim_radio_unheard(h->radio) >= 4);	/* beacons every 500 ms */

	/* A session listens for its device, whatever discovery says. */
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_true(mp_engine_listening(h->engine));
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(h->dev[0].provisioned);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_false(mp_engine_listening(h->engine));

	/* Deaf again: device 1 is not refreshed any more. */
	again = h->dev[1].beacons_first + h->dev[1].beacons_again;
	unheard = mp_sim_radio_unheard(h->radio);
	eh_run_for(h, 3000);
	assert_int_equal(h->dev[1].beacons_first + h->dev[1].beacons_again, again);
	assert_true(mp_sim_radio_unheard(h->radio) > unheard);

	mp_engine_set_discovery(h->engine, true);
	assert_true(mp_engine_listening(h->engine));
	eh_run_for(h, 3000);
	assert_true(h->dev[1].beacons_first + h->dev[1].beacons_again > again);
	harness_free(h);
}

/* The engine's random source (engine/engine.h): Link IDs and the links'
 * retransmission jitter are drawn from it. A seeded source makes a lossy
 * run repeat itself to the millisecond; the Link ID on the air is the
 * first four octets drawn. */
struct seeded {
	uint64_t x;
	uint8_t first[4];
	unsigned long drawn;
};

static int seeded_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct seeded *r = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		r->x ^= r->x << 13;
		r->x ^= r->x >> 7;
		r->x ^= r->x << 17;
		out[i] = (uint8_t)r->x;
		if (r->drawn < 4)
			r->first[r->drawn] = out[i];
		r->drawn++;
	}
	return 0;
}

static uint32_t seen_link_id;

static int (*sim_advertise)(void *ctx, const uint8_t *ad, size_t len, uint32_t sender);

static int note_link_id(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	/* PB-ADV: Link ID first, big-endian (MshPRT v1.1 5.2.1) */
	if (!seen_link_id && len >= 6 && ad[1] == MP_AD_PB_ADV)
		seen_link_id = (uint32_t)ad[2] << 24 | (uint32_t)ad[3] << 16 |
			       (uint32_t)ad[4] << 8 | ad[5];
	return sim_advertise(ctx, ad, len, sender);
}

static uint64_t seeded_run(struct seeded *r)
{
	struct mp_rng rng = { seeded_bytes, r };
	struct eh_config cfg = { .devices = 2, .seed = 9, .memory_keyring = true,
				 .loss_pct = 30, .delay_ms = 40, .rng = &rng };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	uint64_t t0 = h->now, end;

	seen_link_id = 0;
	sim_advertise = h->tap_ops.advertise;
	h->tap_ops.advertise = note_link_id;
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, 600000), 0);
	assert_true(h->dev[0].provisioned && h->dev[1].provisioned);
	end = h->now - t0;
	harness_free(h);
	return end;
}

static void test_seeded_rng(void **state)
{
	struct seeded a = { .x = 0x1234567887654321ull }, b = a;
	uint32_t id;

	(void)state;
	assert_int_equal(seeded_run(&a), seeded_run(&b));
	assert_int_equal(a.drawn, b.drawn);
	assert_true(a.drawn > 8);	/* two Link IDs and some jitter */
	memcpy(&id, a.first, 4);
	assert_int_equal(seen_link_id, id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_one_device_no_oob, teardown),
		cmocka_unit_test_teardown(test_discovery_off_listens_only_for_sessions, teardown),
		cmocka_unit_test_teardown(test_oob_methods_both_algorithms, teardown),
		cmocka_unit_test_teardown(test_static_oob_auto_pads_for_hmac, teardown),
		cmocka_unit_test_teardown(test_output_oob_by_hand, teardown),
		cmocka_unit_test_teardown(test_input_oob_by_hand, teardown),
		cmocka_unit_test_teardown(test_wrong_static_oob, teardown),
		cmocka_unit_test_teardown(test_wrong_output_oob, teardown),
		cmocka_unit_test_teardown(test_sixteen_devices, teardown),
		cmocka_unit_test_teardown(test_sixteen_devices_lossy_radio, teardown),
		cmocka_unit_test_teardown(test_sixteen_devices_duplicating_radio, teardown),
		cmocka_unit_test_teardown(test_total_loss_times_out, teardown),
		cmocka_unit_test_teardown(test_cancel, teardown),
		cmocka_unit_test_teardown(test_cancel_after_data_keeps_unconfirmed, teardown),
		cmocka_unit_test(test_unconfirmed_bound_per_run),
		cmocka_unit_test_teardown(test_radio_lost, teardown),
		cmocka_unit_test_teardown(test_free_engine_mid_way, teardown),
		cmocka_unit_test_teardown(test_data_from_keyring, teardown),
		cmocka_unit_test_teardown(test_data_during_key_refresh, teardown),
		cmocka_unit_test_teardown(test_no_address_left, teardown),
		cmocka_unit_test_teardown(test_busy_and_already, teardown),
		cmocka_unit_test(test_no_silent_downgrade),
		cmocka_unit_test(test_too_many_elements),
		cmocka_unit_test_teardown(test_seeded_rng, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
