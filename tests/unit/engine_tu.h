/* cmocka helpers for the tests that run the engine against simulated
 * devices (test_engine.c, test_engine_gatt.c): one harness per test, freed
 * by teardown() when an assertion ended the test early, and the checks
 * that both sides and the keyring agree. */
#ifndef MP_TEST_ENGINE_TU_H
#define MP_TEST_ENGINE_TU_H

#include "testutil.h"

#include <stdlib.h>

#include "engine_harness.h"

/* Enough simulated time for a lossless provisioning, Link Close included. */
#define QUICK_MS 10000

/* The harness of the running test, freed by teardown() when an assertion
 * ended the test early (so that no temporary directory is left behind). */
static struct eh *current;

static inline struct eh *harness_new(const struct eh_config *cfg)
{
	struct eh *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	assert_int_equal(eh_init(h, cfg), 0);
	current = h;
	return h;
}

static inline void harness_free(struct eh *h)
{
	current = NULL;
	eh_fini(h);
	assert_int_equal(h->unknown_events, 0);
	free(h);
}

static inline int teardown(void **state)
{
	if (current) {
		eh_fini(current);
		free(current);
		current = NULL;
	}
	return 0;
}

/* Everything both sides and the keyring say about a provisioned device
 * agrees: the address and element count, the NetKey, its index, the IV
 * index, the flags and the device key (derived on each side separately). */
static inline void assert_node_consistent_key(struct eh *h, struct eh_dev *d, uint16_t net_index,
				       uint8_t flags)
{
	const struct mp_netkey *nk = mp_keyring_netkey(h->kr, net_index);
	const struct mp_node *n = mp_keyring_node_find_uuid(h->kr, d->uuid);

	assert_true(d->provisioned);
	assert_false(d->failed);
	assert_int_equal(d->finals, 1);
	assert_int_equal(d->sim_done, 1);
	assert_int_equal(d->sim_err, MP_PROV_OK);

	assert_non_null(n);
	assert_non_null(nk);
	assert_int_equal(n->state, MP_NODE_COMPLETE);
	assert_int_equal(n->addr, d->address);
	assert_int_equal(n->elements, d->elements);
	assert_true(n->has_dev_key);
	tu_assert_bytes(n->dev_key, d->sim_res.device_key, 16);

	assert_int_equal(d->sim_res.unicast, d->address);
	assert_int_equal(d->sim_res.elements, d->elements);
	assert_int_equal(d->sim_res.net_key_index, net_index);
	tu_assert_bytes(d->sim_res.net_key, nk->key, 16);
	assert_int_equal(d->sim_res.iv_index, mp_keyring_iv_index(h->kr));
	assert_int_equal(d->sim_res.flags, flags);
	assert_int_equal(d->sim_res.algorithm, d->algorithm);
	assert_int_equal(d->sim_res.auth_method, d->auth_method);
}

static inline void assert_node_consistent(struct eh *h, struct eh_dev *d)
{
	assert_node_consistent_key(h, d, 0, 0);
}

static const enum mp_prov_phase all_phases[] = {
	MP_PHASE_INVITE, MP_PHASE_CAPABILITIES, MP_PHASE_START, MP_PHASE_PUBLIC_KEY,
	MP_PHASE_CONFIRMATION, MP_PHASE_RANDOM, MP_PHASE_DATA, MP_PHASE_COMPLETE,
};

static inline void assert_all_phases(const struct eh_dev *d)
{
	size_t i;

	assert_int_equal(d->nphases, sizeof(all_phases) / sizeof(all_phases[0]));
	for (i = 0; i < d->nphases; i++)
		assert_int_equal(d->phases[i], all_phases[i]);
}

static inline bool dev0_final(struct eh *h)
{
	return h->dev[0].finals > 0;
}

#endif
