/* sim: the simulated radio's model of the air, on a fake clock: a fixed
 * latency added to every copy (the time an advertisement takes to be
 * heard), a building of devices of different compositions (lights and
 * switches), each becoming the node its composition says, and what the
 * devices sent, counted by kind. Issue #14. */
#include "engine_tu.h"

#include <errno.h>
#include <string.h>

#include "sim/node.h"
#include "sim/node_cfg.h"

/* ---- latency: the raw radio, a receiver that notes when it hears ---- */

struct air {
	uint64_t now;
	uint64_t heard[8];
	unsigned int n;
	struct mp_sim_radio_sent sent;	/* when the last one was heard */
};

static uint64_t air_clock(void *data)
{
	return ((struct air *)data)->now;
}

static void air_report(void *user, const struct mp_adv_report *r)
{
	struct air *a = user;

	(void)r;
	if (a->n < 8)
		a->heard[a->n++] = a->now;
}

static const struct mp_radio_receiver air_receiver = { air_report, NULL };

/* One device beaconing every 500 ms: when the first @want beacons are heard. */
static void beacons_heard(unsigned int latency_ms, unsigned int delay_ms, struct air *a,
			  unsigned int want)
{
	struct mp_sim_radio_config rc = { 0 };
	struct mp_sim_radio *r = NULL;
	struct mp_loop *loop = NULL;
	struct mp_radio radio;
	uint64_t next;

	memset(a, 0, sizeof(*a));
	a->now = 1000000;
	assert_int_equal(mp_loop_new(&loop), 0);
	mp_loop_set_clock(loop, air_clock, a);
	rc.loop = loop;
	rc.devices = 1;
	rc.seed = 7;
	rc.latency_ms = latency_ms;
	rc.delay_ms = delay_ms;
	assert_int_equal(mp_sim_radio_new(&rc, &r), 0);
	radio = mp_sim_radio_radio(r);
	assert_int_equal(radio.ops->attach(radio.ctx, &air_receiver, a), 0);
	while (a->n < want) {
		mp_loop_run_once(loop, 0);
		assert_int_equal(mp_loop_next_deadline(loop, &next), 0);
		if (next > a->now)
			a->now = next;
	}
	mp_sim_radio_sent(r, &a->sent);
	mp_sim_radio_free(r);
	mp_loop_free(loop);
}

/* Every copy arrives exactly latency_ms later than it would without it;
 * with a jitter on top, never earlier than the latency, never later than
 * latency + jitter. */
static void test_latency(void **state)
{
	struct air none, late, jit;
	unsigned int i;

	(void)state;
	beacons_heard(0, 0, &none, 4);
	/* counted as sent: the four heard, no other kind */
	assert_int_equal(none.sent.beacons, 4);
	assert_int_equal(none.sent.pb_adv + none.sent.network + none.sent.other, 0);
	beacons_heard(30, 0, &late, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(late.heard[i], none.heard[i] + 30);
	assert_int_equal(late.heard[1] - late.heard[0], 500);	/* the beacon interval */
	/* the same seed draws the same first beacon time, then the jitter */
	beacons_heard(30, 20, &jit, 4);
	for (i = 0; i < 4; i++) {
		assert_true(jit.heard[i] >= none.heard[i] + 30);
		assert_true(jit.heard[i] <= none.heard[i] + 50);
	}
}

/* ---- compositions: lights and switches through the engine ---- */

static void comp_light(struct mp_sim_comp *c)
{
	memset(c, 0, sizeof(*c));
	mp_sim_node_default_comp(c, 2);
	c->features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY;
}

static void comp_switch(struct mp_sim_comp *c)
{
	memset(c, 0, sizeof(*c));
	mp_sim_node_default_comp(c, 1);
	c->pid = 2;
	/* the primary element: the Configuration Server, then a Generic OnOff Client */
	c->elements[0].n_models = 2;
	c->elements[0].models[1].id = 0x1001;
}

static void test_comps(void **state)
{
	struct mp_sim_comp comps[2];
	struct eh_config cfg = { .devices = 4, .seed = 11, .memory_keyring = true,
				 .comps = comps, .n_comps = 2 };
	static const struct mp_sim_model onoff_srv = { .id = 0x1000 }, onoff_cli = { .id = 0x1001 };
	struct mp_provision_opts o;
	struct mp_sim_pub pub;
	struct mp_sim_radio_sent sent;
	struct eh *h = calloc(1, sizeof(*h));
	unsigned int i;

	(void)state;
	assert_non_null(h);
	comp_light(&comps[0]);
	comp_switch(&comps[1]);
	assert_int_equal(eh_init(h, &cfg), 0);
	eh_opts(&o);
	for (i = 0; i < 4; i++)
		assert_int_equal(eh_provision(h, i, &o), 0);
	assert_int_equal(eh_run(h, eh_all_final, 600000), 0);
	/* the devices' side of the links is counted (beacons maybe: the
	 * links opened without waiting for them) */
	mp_sim_radio_sent(h->radio, &sent);
	assert_true(sent.pb_adv >= 4 * 5);	/* five transactions each, at least */
	assert_int_equal(sent.network, mp_sim_radio_node_pdus(h->radio));
	assert_int_equal(sent.other, 0);
	for (i = 0; i < 4; i++) {
		struct mp_sim_node *n = mp_sim_radio_node(h->radio, i);
		struct mp_sim_cfg *c;
		uint16_t a;

		assert_true(h->dev[i].provisioned);
		/* the element count announced is the composition's */
		assert_int_equal(h->dev[i].elements, i % 2 ? 1 : 2);
		assert_non_null(n);
		c = mp_sim_node_cfg(n);
		a = mp_sim_node_unicast(n);
		assert_int_equal(a, h->dev[i].address);
		if (i % 2) {
			assert_int_equal(mp_sim_cfg_publication(c, a, &onoff_cli, &pub), 0);
			assert_int_equal(mp_sim_cfg_publication(c, a, &onoff_srv, &pub), -ENOENT);
		} else {
			assert_int_equal(mp_sim_cfg_publication(c, a, &onoff_srv, &pub), 0);
			assert_int_equal(mp_sim_cfg_publication(c, a + 1, &onoff_srv, &pub), 0);
			assert_int_equal(mp_sim_cfg_publication(c, a, &onoff_cli, &pub), -ENOENT);
		}
	}
	eh_fini(h);
	free(h);
}

/* A composition the nodes could not have is refused with the radio. */
static void test_comps_invalid(void **state)
{
	struct mp_sim_comp comps[2];
	struct mp_sim_radio_config rc = { 0 };
	struct mp_sim_radio *r = NULL;
	struct mp_loop *loop = NULL;

	(void)state;
	assert_int_equal(mp_loop_new(&loop), 0);
	comp_light(&comps[0]);
	comp_switch(&comps[1]);
	comps[1].n_elements = 0;
	rc.loop = loop;
	rc.devices = 2;
	rc.comps = comps;
	rc.n_comps = 2;
	assert_int_equal(mp_sim_radio_new(&rc, &r), -EINVAL);
	rc.comps = NULL;
	assert_int_equal(mp_sim_radio_new(&rc, &r), -EINVAL);
	mp_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_comps),
		cmocka_unit_test(test_comps_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
