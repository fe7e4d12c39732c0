/* The engine over PB-GATT against simulated devices: discovery of the Mesh
 * Provisioning Service advertisement, the bearer choice, whole provisionings
 * through connection + GATT client + PB-GATT on the engine's side and GATT
 * server + PB-GATT on the device's, PB-ADV and PB-GATT sessions at once,
 * and a device that disconnects mid-way. Fake clock, as test_engine.c.
 */
#include "engine_tu.h"

#include <errno.h>
#include <string.h>

#include "crypto/prov_keys.h"

static bool all_beaconed(struct eh *h)
{
	unsigned int i;

	for (i = 0; i < h->ndev; i++)
		if (!h->dev[i].beacons_first)
			return false;
	return true;
}

/* A device that only advertises PB-GATT: in the table as such, with the
 * address to connect to; provisioned over PB-GATT without any advertising
 * from our side; every method, both algorithms. */
struct gatt_case {
	enum mp_sim_oob oob;
	enum mp_alg_choice alg;
	enum mp_auth_method method;
};

static void run_gatt_case(const struct gatt_case *c)
{
	struct eh_config cfg = { .devices = 1, .oob = c->oob, .seed = 31,
				 .bearers = MP_SIM_BEARER_GATT,
				 .auto_output = true, .auto_input = true };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	const struct mp_scan_entry *entry;
	struct mp_provision_opts o;

	assert_int_equal(eh_run(h, all_beaconed, 5000), 0);
	entry = mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), d->uuid);
	assert_non_null(entry);
	assert_int_equal(entry->bearers, MP_SCAN_PB_GATT);
	assert_int_equal(entry->gatt_addr_type, 1);

	eh_opts(&o);
	o.prov.alg = c->alg;
	if (c->oob == MP_SIM_OOB_STATIC) {
		o.prov.auth = MP_AUTH_CHOICE_STATIC;
		memcpy(o.prov.static_oob, mp_sim_radio_static_oob(), 16);
		o.prov.static_oob_len = 16;
	}
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	if (!d->provisioned)
		fail_msg("oob %d alg %d: failed, %s", c->oob, c->alg, d->reason);
	assert_int_equal(d->auth_method, c->method);
	assert_int_equal(d->algorithm, c->alg == MP_ALG_FORCE_HMAC ? MP_ALG_HMAC : MP_ALG_CMAC);
	assert_all_phases(d);
	assert_node_consistent(h, d);
	/* Not one advertisement from the provisioner: it all went over GATT. */
	assert_int_equal(mp_sim_radio_adv_count(h->radio), 0);
	/* The connection is closed after Provisioning Complete. */
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	harness_free(h);
}

static void test_gatt_every_method(void **state)
{
	static const struct gatt_case cases[] = {
		{ MP_SIM_OOB_NONE, MP_ALG_FORCE_CMAC, MP_AUTH_NONE },
		{ MP_SIM_OOB_NONE, MP_ALG_FORCE_HMAC, MP_AUTH_NONE },
		{ MP_SIM_OOB_STATIC, MP_ALG_FORCE_CMAC, MP_AUTH_STATIC },
		{ MP_SIM_OOB_STATIC, MP_ALG_FORCE_HMAC, MP_AUTH_STATIC },
		{ MP_SIM_OOB_OUTPUT, MP_ALG_FORCE_HMAC, MP_AUTH_OUTPUT },
		{ MP_SIM_OOB_INPUT, MP_ALG_FORCE_CMAC, MP_AUTH_INPUT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_gatt_case(&cases[i]);
}

/* A device offering both: one table entry with both bearers; PB-ADV unless
 * PB-GATT is asked for. */
static void test_both_bearers_choice(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 32, .bearers = MP_SIM_BEARER_BOTH };
	struct eh *h = harness_new(&cfg);
	const struct mp_scan_entry *entry;
	struct mp_provision_opts o;
	unsigned long adv;

	assert_int_equal(eh_run(h, eh_all_beaconed_twice, 5000), 0);
	assert_int_equal(mp_scan_table_count(mp_engine_scan_table(h->engine)), 2);
	entry = mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), h->dev[0].uuid);
	assert_int_equal(entry->bearers, MP_SCAN_PB_ADV | MP_SCAN_PB_GATT);

	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);		/* auto: PB-ADV */
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_node_consistent(h, &h->dev[0]);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);	/* Link Close too */
	adv = mp_sim_radio_adv_count(h->radio);
	assert_true(adv >= 18);		/* the PB-ADV minimum for HMAC */

	o.bearer = MP_BEARER_GATT;
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_node_consistent(h, &h->dev[1]);
	assert_int_equal(mp_sim_radio_adv_count(h->radio), adv);	/* none more */
	harness_free(h);
}

/* Asking for a bearer the device was not heard on. */
static void test_gatt_not_offered(void **state)
{
	struct eh_config cfg = { .devices = 1, .seed = 33 };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	uint8_t unknown[16] = { 0x42 };

	assert_int_equal(eh_run(h, all_beaconed, 5000), 0);
	eh_opts(&o);
	o.bearer = MP_BEARER_GATT;
	assert_int_equal(mp_engine_provision(h->engine, h->dev[0].uuid, &o, NULL), -EHOSTUNREACH);
	assert_int_equal(mp_engine_provision(h->engine, unknown, &o, NULL), -EHOSTUNREACH);
	assert_int_equal(mp_engine_sessions(h->engine), 0);
	harness_free(h);
}

/* Sixteen devices, half on each bearer, all at once. */
static void test_mixed_sixteen(void **state)
{
	struct eh_config cfg = { .devices = 16, .seed = 34, .bearers = MP_SIM_BEARER_MIXED };
	struct eh *h = harness_new(&cfg);
	struct mp_provision_opts o;
	unsigned int i, gatt = 0;

	assert_int_equal(eh_run(h, all_beaconed, 5000), 0);
	for (i = 0; i < h->ndev; i++) {
		const struct mp_scan_entry *e =
			mp_scan_table_find_uuid(mp_engine_scan_table(h->engine), h->dev[i].uuid);

		gatt += e->bearers == MP_SCAN_PB_GATT;
	}
	assert_int_equal(gatt, 8);
	eh_opts(&o);
	for (i = 0; i < h->ndev; i++)
		assert_int_equal(eh_provision(h, i, &o), 0);
	assert_int_equal(mp_engine_sessions(h->engine), 16);
	assert_int_equal(eh_run(h, eh_all_final, 60000), 0);
	for (i = 0; i < h->ndev; i++)
		assert_node_consistent(h, &h->dev[i]);
	assert_int_equal(mp_keyring_node_count(h->kr), 17);	/* and ourselves */
	harness_free(h);
}

/* A PB-GATT device that disconnects mid-way: that provisioning fails with
 * a clear reason and stores nothing; a PB-ADV session beside it is not
 * disturbed. */
static void test_gatt_device_disconnects(void **state)
{
	struct eh_config cfg = { .devices = 2, .seed = 35, .bearers = MP_SIM_BEARER_MIXED,
				 .gatt_drop_after = 2 };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *adv = &h->dev[0], *pbg = &h->dev[1];
	struct mp_provision_opts o;

	assert_int_equal(eh_run(h, all_beaconed, 5000), 0);
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_provision(h, 1, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, QUICK_MS), 0);
	assert_true(pbg->failed);
	assert_int_equal(pbg->finals, 1);
	assert_string_equal(pbg->reason, "link-closed");
	assert_int_equal(pbg->errnum, -ECONNRESET);
	/* two Data In writes (Invite, Start) got through: dropped after Start */
	assert_string_equal(pbg->detail, "the device dropped the connection after start");
	assert_null(mp_keyring_node_find_uuid(h->kr, pbg->uuid));
	assert_node_consistent(h, adv);
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	harness_free(h);
}

/* Cancelled while connecting: the attempt is dropped, nothing stored, and
 * the device can be provisioned afterwards. */
static void test_gatt_cancel_while_connecting(void **state)
{
	struct eh_config cfg = { .devices = 1, .seed = 36, .bearers = MP_SIM_BEARER_GATT };
	struct eh *h = harness_new(&cfg);
	struct eh_dev *d = &h->dev[0];
	struct mp_provision_opts o;

	assert_int_equal(eh_run(h, all_beaconed, 5000), 0);
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	mp_session_cancel(d->session);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_true(d->failed);
	assert_string_equal(d->reason, "cancelled");
	assert_false(d->unconfirmed);	/* nothing went out: nothing held */
	assert_int_equal(eh_run(h, eh_no_sessions, QUICK_MS), 0);
	assert_null(mp_keyring_node_find_uuid(h->kr, d->uuid));

	eh_forget(h, 0);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	assert_node_consistent(h, d);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_gatt_every_method, teardown),
		cmocka_unit_test_teardown(test_both_bearers_choice, teardown),
		cmocka_unit_test_teardown(test_gatt_not_offered, teardown),
		cmocka_unit_test_teardown(test_mixed_sixteen, teardown),
		cmocka_unit_test_teardown(test_gatt_device_disconnects, teardown),
		cmocka_unit_test_teardown(test_gatt_cancel_while_connecting, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
