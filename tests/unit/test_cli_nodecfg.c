/* cli/nodecfg: a decoded Composition Data page 0 recorded in the keyring. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include "cli/nodecfg.h"
#include "config/comp.h"
#include "keyring_tu.h"
#include "store/node_config.h"
#include "store/nodes.h"

static void test_record_comp0(void **state)
{
	/* CID 0059, PID 0001, VID 0002, CRPL 0020, Relay and Proxy; element 0
	 * at 0100 with Configuration Server, Generic OnOff Server and vendor
	 * model 0059:000A, element 1 at 0101 with Generic OnOff Client
	 * (MshPRT v1.1 4.2.2.1, little-endian). */
	static const uint8_t page0[] = {
		0x59, 0x00, 0x01, 0x00, 0x02, 0x00, 0x20, 0x00, 0x03, 0x00,
		0x00, 0x01, 2, 1, 0x00, 0x00, 0x00, 0x10, 0x59, 0x00, 0x0a, 0x00,
		0x01, 0x01, 1, 0, 0x01, 0x10,
	};
	static const uint8_t devkey[16];
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o = ktu_opts(&rng, &rs, &clk, 1);
	struct mp_keyring *kr;
	struct mp_comp0 *c = calloc(1, sizeof(*c));
	const struct mp_node_config *cfg;
	uint8_t uuid[16] = { 1 };
	uint16_t addr;

	(void)state;
	assert_non_null(c);
	assert_int_equal(mp_comp0_decode(page0, sizeof(page0), c), 0);
	assert_int_equal(mp_keyring_new(&o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid, 2, devkey, NULL, &addr), 0);
	assert_int_equal(mp_cli_record_comp0(kr, addr, c), 0);
	cfg = mp_node_config(kr, addr);
	assert_non_null(cfg);
	assert_int_equal(cfg->cid, 0x0059);
	assert_int_equal(cfg->pid, 0x0001);
	assert_int_equal(cfg->vid, 0x0002);
	assert_int_equal(cfg->crpl, 0x0020);
	assert_int_equal(cfg->relay, MP_NC_UNKNOWN);
	assert_int_equal(cfg->friend_, MP_NC_UNSUPPORTED);
	assert_int_equal(cfg->low_power, MP_NC_UNSUPPORTED);
	assert_int_equal(cfg->elements[0].location, 0x0100);
	assert_int_equal(cfg->elements[0].n_models, 3);
	assert_non_null(mp_node_config_model(cfg, 0, MP_NC_SIG, 0x1000));
	assert_non_null(mp_node_config_model(cfg, 0, 0x0059, 0x000a));
	assert_non_null(mp_node_config_model(cfg, 1, MP_NC_SIG, 0x1001));
	/* A node of another element count refuses it. */
	assert_int_equal(mp_cli_record_comp0(kr, mp_keyring_self_address(kr), c), -EINVAL);
	mp_keyring_close(kr);
	free(c);
}

/* An AppKey Status answering Success to an AppKey Add records the key as
 * the node's; to a Delete, as no longer held; a refusal records nothing. */
static void test_record_appkey(void **state)
{
	static const uint8_t devkey[16];
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o = ktu_opts(&rng, &rs, &clk, 1);
	struct mp_keyring *kr;
	struct mp_cfg_msg st = { .opcode = MP_CFG_OP_APPKEY_STATUS, .app_idx = 0 };
	const struct mp_node *n;
	uint8_t uuid[16] = { 2 };
	uint16_t addr, idx;

	(void)state;
	assert_int_equal(mp_keyring_new(&o, &kr, NULL), 0);
	idx = 0;
	assert_int_equal(mp_keyring_appkey_add(kr, idx, 0, NULL), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid, 1, devkey, NULL, &addr), 0);
	st.app_idx = idx;
	st.status = MP_CFG_INSUFFICIENT_RESOURCES;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_ADD, &st, NULL), 0);
	n = mp_keyring_node_find(kr, addr);
	assert_int_equal(n->n_app_keys, 0);
	st.status = MP_CFG_SUCCESS;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_ADD, &st, NULL), 0);
	n = mp_keyring_node_find(kr, addr);
	assert_int_equal(n->n_app_keys, 1);
	assert_int_equal(n->app_keys[0], idx);
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_DELETE, &st, NULL), 0);
	n = mp_keyring_node_find(kr, addr);
	assert_int_equal(n->n_app_keys, 0);
	mp_keyring_close(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_comp0),
		cmocka_unit_test(test_record_appkey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
