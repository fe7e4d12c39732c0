/* cli/nodecfg: decoded Configuration answers recorded in the keyring. */
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

/* A List answered with Success replaces what the keyring records (the
 * node is the authority): the AppKeys of that NetKey, a model's bindings,
 * its subscriptions (SIG and vendor); a List with another status, nothing. */
static void test_record_lists(void **state)
{
	static const uint8_t devkey[16];
	static const uint8_t label[16] = { 0xaa, 0xbb };
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o = ktu_opts(&rng, &rs, &clk, 1);
	struct mp_keyring *kr;
	struct mp_cfg_msg *st = calloc(1, sizeof(*st));
	const struct mp_node *n;
	const struct mp_node_config *cfg;
	const struct mp_nc_model *m;
	struct mp_nc_addr a = { .addr = 0xc001 };
	uint8_t uuid[16] = { 3 };
	uint16_t addr, va;

	(void)state;
	assert_non_null(st);
	assert_int_equal(mp_keyring_new(&o, &kr, NULL), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 0, 0, NULL), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 1, 0, NULL), 0);
	assert_int_equal(mp_keyring_node_add_pending(kr, uuid, 2, devkey, NULL, &addr), 0);

	/* The keyring says AppKey 0; the node says 1 (and 7, unknown here). */
	assert_int_equal(mp_keyring_node_set_key(kr, addr, true, 0, true), 0);
	st->opcode = MP_CFG_OP_APPKEY_LIST;
	st->status = MP_CFG_INVALID_NETKEY_INDEX;
	st->n_list = 2;
	st->list[0] = 1;
	st->list[1] = 7;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_GET, st, NULL), 0);
	n = mp_keyring_node_find(kr, addr);
	assert_int_equal(n->n_app_keys, 1);
	assert_int_equal(n->app_keys[0], 0);
	st->status = MP_CFG_SUCCESS;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_GET, st, NULL), 0);
	n = mp_keyring_node_find(kr, addr);
	assert_int_equal(n->n_app_keys, 1);
	assert_int_equal(n->app_keys[0], 1);
	/* An AppKey Add answered Success for a key already recorded: no error. */
	st->opcode = MP_CFG_OP_APPKEY_STATUS;
	st->app_idx = 1;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_APPKEY_ADD, st, NULL), 0);

	/* Bindings of Generic OnOff Server on the second element: recorded 0,
	 * the node lists 1. */
	assert_int_equal(mp_node_config_bind(kr, addr, 1, MP_NC_SIG, 0x1000, 0, true), 0);
	memset(st, 0, sizeof(*st));
	st->opcode = MP_CFG_OP_SIG_MODEL_APP_LIST;
	st->elem_addr = (uint16_t)(addr + 1);
	st->model.id = 0x1000;
	st->n_list = 1;
	st->list[0] = 1;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_SIG_MODEL_APP_GET, st, NULL), 0);
	cfg = mp_node_config(kr, addr);
	m = mp_node_config_model(cfg, 1, MP_NC_SIG, 0x1000);
	assert_non_null(m);
	assert_int_equal(m->n_bind, 1);
	assert_int_equal(m->bind[0], 1);
	/* A vendor model's list, empty: no binding left. */
	assert_int_equal(mp_node_config_bind(kr, addr, 0, 0x0059, 0x000a, 0, true), 0);
	memset(st, 0, sizeof(*st));
	st->opcode = MP_CFG_OP_VENDOR_MODEL_APP_LIST;
	st->elem_addr = addr;
	st->model.vendor = true;
	st->model.cid = 0x0059;
	st->model.id = 0x000a;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_VENDOR_MODEL_APP_GET, st,
					      NULL), 0);
	m = mp_node_config_model(mp_node_config(kr, addr), 0, 0x0059, 0x000a);
	assert_non_null(m);
	assert_int_equal(m->n_bind, 0);

	/* Subscriptions: recorded C001 and a virtual label; the node lists
	 * C002 and that label's virtual address (its hash only: the label
	 * recorded is kept) and a virtual address unknown here (left out). */
	assert_int_equal(mp_node_config_subscribe(kr, addr, 1, MP_NC_SIG, 0x1000, MP_NC_SUB_ADD,
						  &a), 0);
	a.virt = true;
	memcpy(a.label, label, sizeof(a.label));
	assert_int_equal(mp_node_config_subscribe(kr, addr, 1, MP_NC_SIG, 0x1000, MP_NC_SUB_ADD,
						  &a), 0);
	m = mp_node_config_model(mp_node_config(kr, addr), 1, MP_NC_SIG, 0x1000);
	assert_int_equal(m->n_sub, 2);
	va = m->sub[1].addr;	/* the label's hash, as the store computed it */
	memset(st, 0, sizeof(*st));
	st->opcode = MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST;
	st->elem_addr = (uint16_t)(addr + 1);
	st->model.id = 0x1000;
	st->n_list = 3;
	st->list[0] = 0xc002;
	st->list[1] = va;
	st->list[2] = va == 0x8999 ? 0x899a : 0x8999;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET, st,
					      NULL), 0);
	m = mp_node_config_model(mp_node_config(kr, addr), 1, MP_NC_SIG, 0x1000);
	assert_int_equal(m->n_sub, 2);
	assert_int_equal(m->sub[0].addr, 0xc002);
	assert_false(m->sub[0].virt);
	assert_int_equal(m->sub[1].addr, va);
	assert_true(m->sub[1].virt);
	assert_memory_equal(m->sub[1].label, label, sizeof(label));
	/* The vendor model's: C003. */
	memset(st, 0, sizeof(*st));
	st->opcode = MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST;
	st->elem_addr = addr;
	st->model.vendor = true;
	st->model.cid = 0x0059;
	st->model.id = 0x000a;
	st->n_list = 1;
	st->list[0] = 0xc003;
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET,
					      st, NULL), 0);
	m = mp_node_config_model(mp_node_config(kr, addr), 0, 0x0059, 0x000a);
	assert_int_equal(m->n_sub, 1);
	assert_int_equal(m->sub[0].addr, 0xc003);
	/* A List from outside the node's elements is refused. */
	st->elem_addr = (uint16_t)(addr + 2);
	assert_int_equal(mp_cli_record_answer(kr, addr, MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET,
					      st, NULL), -EINVAL);
	mp_keyring_close(kr);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_comp0),
		cmocka_unit_test(test_record_appkey),
		cmocka_unit_test(test_record_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
