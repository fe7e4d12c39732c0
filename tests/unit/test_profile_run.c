/* The profile runner (profile/run.h) against simulated nodes' Configuration
 * Servers (sim/node_cfg.h, written apart from the client), over a fake link
 * at the access level that may drop messages with a seeded generator, on a
 * fake clock (fake_sched.h): no test sleeps.
 *
 * The nodes: node i at 0x0100 + 0x10 * i, two elements: element 0 with the
 * Configuration Server, the Health Server, Generic OnOff and Level Servers;
 * element 1 with a Generic OnOff Server. Relay and Proxy supported.
 * What the nodes end up with is read from the simulated servers, never
 * from what the runner believes.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "config/client.h"
#include "fake_sched.h"
#include "profile/run.h"
#include "sim/node_cfg.h"

#define NET_IDX 0
#define MAX_NODES 8
#define MAX_PLACES 8
#define LINK_MAX 1024
#define ME 0x0001

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
				     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
				     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };

static const struct mp_sim_model onoff = { .id = 0x1000 };
static const struct mp_sim_model level = { .id = 0x1002 };

static const struct mp_sim_comp light = {
	.cid = 0x05f1, .pid = 0x0001, .vid = 0x0002, .crpl = 0x0008,
	.features = MP_SIM_FEAT_RELAY | MP_SIM_FEAT_PROXY,
	.n_elements = 2,
	.elements = {
		{ .loc = 0x0100, .n_models = 4, .models = {
			{ .id = 0x0000 }, { .id = 0x0002 }, { .id = 0x1000 }, { .id = 0x1002 } } },
		{ .loc = 0x0101, .n_models = 1, .models = { { .id = 0x1000 } } },
	},
};

/* The profile of most tests: one AppKey, OnOff and Level bound, subscribed
 * to the kitchen, the primary OnOff publishing to all-lights, settings. */
static const char *const PROFILE =
	"{ \"meshprov-profile\": 1, \"rules\": [ {"
	"  \"name\": \"lights\", \"match\": { \"models\": [\"1000\"] },"
	"  \"appKeys\": [\"building\"],"
	"  \"settings\": { \"defaultTTL\": 7, \"relay\": true, \"proxy\": false },"
	"  \"models\": {"
	"    \"1000\": { \"bind\": [\"building\"], \"subscribe\": [\"kitchen\"] },"
	"    \"1002\": { \"bind\": [\"building\"], \"subscribe\": [\"kitchen\"] } },"
	"  \"elements\": { \"0\": { \"models\": { \"1000\": { \"publish\": {"
	"     \"address\": \"all-lights\", \"appKey\": \"building\", \"ttl\": 5 } } } } } },"
	"  { \"name\": \"nordic boards\", \"match\": { \"cid\": \"0059\" },"
	"    \"settings\": { \"friend\": true } } ] }";

struct pkt {
	bool to_node;
	uint16_t src, dst;
	size_t len;
	uint8_t data[400];
};

struct group {
	char name[64];
	uint16_t addr;
};

struct world {
	uint64_t now;
	struct fake_sched sched;
	uint64_t deadline[MAX_PLACES];
	struct mp_profile_run *run;
	struct mp_profile *profile;
	struct mp_sim_cfg *node[MAX_NODES];
	unsigned int n_nodes;
	struct pkt *link;
	size_t head, tail;
	uint32_t rng;
	unsigned int loss_pct;
	unsigned int tries;		/* the client's, 0: its default */
	unsigned long sent;		/* messages the runner sent */
	struct group groups[16];
	unsigned int n_groups;
	/* the reports, by node index */
	struct mp_profile_run_report rep[MAX_NODES];
	bool ended[MAX_NODES];
	uint64_t done_at[MAX_NODES];
	struct mp_comp0 comp[MAX_NODES];
	struct mp_profile_state state[MAX_NODES];
	unsigned int steps, failed_steps, planned;
	char failures[MAX_NODES][400];
};

static uint16_t node_addr(unsigned int i)
{
	return (uint16_t)(0x0100 + 0x10 * i);
}

static int node_index(uint16_t addr)
{
	return (addr - 0x0100) / 0x10;
}

static uint32_t rnd(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

static void link_push(struct world *w, bool to_node, uint16_t src, uint16_t dst,
		      const uint8_t *data, size_t len)
{
	struct pkt *p;

	assert_true(w->tail < LINK_MAX);
	assert_true(len <= sizeof(p->data));
	p = &w->link[w->tail++];
	p->to_node = to_node;
	p->src = src;
	p->dst = dst;
	p->len = len;
	memcpy(p->data, data, len);
}

/* ---- the lookup: AppKey "building" is index 0 on NetKey 0; groups from a
 * table the run may add to ---- */

static int lk_appkey(void *user, const char *name, int index, uint16_t *app_idx,
		     uint16_t *net_idx)
{
	(void)user;
	if ((name && strcmp(name, "building")) || (!name && index != 0))
		return -ENOENT;
	*app_idx = 0;
	*net_idx = NET_IDX;
	return 0;
}

static int lk_group(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt)
{
	struct world *w = user;
	unsigned int i;

	(void)label;
	*virt = false;
	for (i = 0; i < w->n_groups; i++)
		if (!strcmp(w->groups[i].name, name)) {
			*addr = w->groups[i].addr;
			return 0;
		}
	return -ENOENT;
}

static int lk_virt(void *user, const uint8_t label[16], uint16_t *addr)
{
	(void)user;
	return mp_sim_virtual_addr(label, addr);
}

static void add_group(struct world *w, const char *name, uint16_t addr)
{
	assert_true(w->n_groups < 16);
	snprintf(w->groups[w->n_groups].name, sizeof(w->groups[0].name), "%s", name);
	w->groups[w->n_groups++].addr = addr;
}

/* ---- the runner's callbacks ---- */

static int cb_send(void *user, uint16_t dst, uint16_t net_idx, const uint8_t *msg, size_t len)
{
	struct world *w = user;

	assert_int_equal(net_idx, NET_IDX);
	w->sent++;
	link_push(w, true, ME, dst, msg, len);
	return 0;
}

static void cb_timer(void *user, unsigned int id, uint32_t ms)
{
	struct world *w = user;

	assert_true(id < MAX_PLACES);
	fake_sched_arm(&w->sched, &w->deadline[id], ms);
}

static int cb_appkey(void *user, uint16_t app_idx, uint8_t key[16])
{
	(void)user;
	if (app_idx != 0)
		return -ENOENT;
	memcpy(key, app_key, 16);
	return 0;
}

static int cb_group(void *user, const char *name)
{
	struct world *w = user;

	add_group(w, name, (uint16_t)(0xc100 + w->n_groups));
	return 0;
}

static void cb_step(void *user, const struct mp_profile_run_step *s)
{
	struct world *w = user;
	int i = node_index(s->node);

	w->steps++;
	if (!s->ok && !s->read) {
		char text[160];

		w->failed_steps++;
		mp_profile_run_step_text(s->op, s->read, text, sizeof(text));
		if (!w->failures[i][0])
			snprintf(w->failures[i], sizeof(w->failures[i]), "%s: %s", text,
				 s->status_name);
	}
}

static void cb_plan(void *user, uint16_t node, void *ctx, const struct mp_profile_plan *plan)
{
	struct world *w = user;

	(void)node;
	(void)ctx;
	w->planned += (unsigned int)plan->n_ops;
}

static void cb_done(void *user, const struct mp_profile_run_report *r)
{
	struct world *w = user;
	int i = node_index(r->node);

	assert_true(i >= 0 && i < MAX_NODES);
	assert_false(w->ended[i]);
	w->ended[i] = true;
	w->rep[i] = *r;
	if (r->comp)
		w->comp[i] = *r->comp;
	w->done_at[i] = w->now;
	/* what the run learned, kept for a second run */
	test_free(w->state[i].models);
	w->state[i] = *r->state;
	w->state[i].models = test_calloc(r->state->n_models + 1, sizeof(*r->state->models));
	memcpy(w->state[i].models, r->state->models,
	       r->state->n_models * sizeof(*r->state->models));
	w->state[i].cap_models = r->state->n_models;
}

static const struct mp_profile_run_cb cbs = {
	.send = cb_send, .timer = cb_timer, .appkey = cb_appkey, .group = cb_group,
	.step = cb_step, .plan = cb_plan, .node_done = cb_done,
};

static void fire(void *owner, unsigned int id)
{
	struct world *w = owner;

	mp_profile_run_timeout(w->run, id);
}

static void pump(void *ctx)
{
	struct world *w = ctx;

	while (w->head < w->tail) {
		struct pkt p = w->link[w->head++];

		if (w->loss_pct && rnd(w) % 100 < w->loss_pct)
			continue;
		if (p.to_node) {
			uint8_t out[400];
			size_t out_len = 0;
			int i = node_index(p.dst);

			if (i < 0 || i >= (int)w->n_nodes || !w->node[i])
				continue;
			if (mp_sim_cfg_rx(w->node[i], p.src, NET_IDX, p.data, p.len, out,
					  sizeof(out), &out_len) == 0 && out_len)
				link_push(w, false, p.dst, p.src, out, out_len);
		} else {
			mp_profile_run_rx(w->run, p.src, true, p.data, p.len);
		}
	}
	w->head = w->tail = 0;
}

static bool all_done(void *ctx)
{
	struct world *w = ctx;

	return mp_profile_run_pending(w->run) == 0;
}

static struct world *world_new(unsigned int nodes, size_t subs_per_model)
{
	struct world *w = test_calloc(1, sizeof(*w));
	unsigned int i;

	w->link = test_calloc(LINK_MAX, sizeof(*w->link));
	w->rng = 0x2545f491;
	fake_sched_init(&w->sched, &w->now);
	fake_sched_add(&w->sched, w->deadline, MAX_PLACES, w, NULL, fire);
	add_group(w, "kitchen", 0xc010);
	add_group(w, "all-lights", 0xc0ff);
	for (i = 0; i < nodes; i++) {
		struct mp_sim_cfg_params p = {
			.comp = &light, .unicast = node_addr(i), .net_key_index = NET_IDX,
			.limits = { .subs_per_model = subs_per_model },
			.beacon = 1, .relay = 0, .proxy = 1,
		};

		memcpy(p.net_key, net_key, 16);
		assert_int_equal(mp_sim_cfg_new(&p, &w->node[i]), 0);
		mp_profile_state_init(&w->state[i]);
	}
	w->n_nodes = nodes;
	return w;
}

static void world_parse(struct world *w, const char *text)
{
	const struct mp_profile_lookup lk = { lk_appkey, lk_group, lk_virt, w };
	struct mp_profile_error err;

	mp_profile_free(w->profile);
	w->profile = NULL;
	if (mp_profile_parse(text, strlen(text), "t.json", &lk, &w->profile, &err))
		fail_msg("parse: %s", err.msg);
}

/* A new runner (the earlier one freed, its reports forgotten). */
static void runner(struct world *w, unsigned int flags)
{
	const struct mp_profile_lookup lk = { lk_appkey, lk_group, lk_virt, w };
	struct mp_cfg_client_timing t = { .tries = w->tries };
	struct mp_profile_run_config cfg = {
		.profile = w->profile, .lookup = &lk, .cb = &cbs, .user = w, .flags = flags,
		.max_inflight = 4, .timing = &t, .seg_timing = &t,
	};

	mp_profile_run_free(w->run);
	memset(w->deadline, 0, sizeof(w->deadline));
	memset(w->ended, 0, sizeof(w->ended));
	memset(w->failures, 0, sizeof(w->failures));
	w->steps = w->failed_steps = w->planned = 0;
	w->sent = 0;
	w->run = mp_profile_run_new(&cfg);
	assert_non_null(w->run);
}

/* Add node @i: nothing known (@known false), or what the last run learned. */
static void add(struct world *w, unsigned int i, bool known)
{
	struct mp_profile_run_node n = { .addr = node_addr(i), .net_idx = NET_IDX, .fresh = true };

	if (known) {
		n.comp = &w->comp[i];
		n.state = &w->state[i];
		n.fresh = false;
	}
	assert_int_equal(mp_profile_run_add(w->run, &n), 0);
}

static void run(struct world *w)
{
	assert_true(fake_sched_run(&w->sched, w->now + 3600 * 1000, pump, all_done, w));
}

static void world_free(struct world *w)
{
	unsigned int i;

	mp_profile_run_free(w->run);
	mp_profile_free(w->profile);
	for (i = 0; i < w->n_nodes; i++) {
		mp_sim_cfg_free(w->node[i]);
		test_free(w->state[i].models);
	}
	test_free(w->link);
	test_free(w);
}

/* Node @i has what PROFILE says, as its own server tells. */
static void assert_configured(struct world *w, unsigned int i)
{
	const uint16_t a = node_addr(i), e1 = (uint16_t)(a + 1);
	struct mp_sim_pub pub;
	uint8_t key[16];

	assert_int_equal(mp_sim_cfg_app_key(w->node[i], 0, key, NULL, NULL), 0);
	assert_memory_equal(key, app_key, 16);
	assert_true(mp_sim_cfg_bound(w->node[i], a, &onoff, 0));
	assert_true(mp_sim_cfg_bound(w->node[i], a, &level, 0));
	assert_true(mp_sim_cfg_bound(w->node[i], e1, &onoff, 0));
	assert_true(mp_sim_cfg_subscribed(w->node[i], a, &onoff, 0xc010));
	assert_true(mp_sim_cfg_subscribed(w->node[i], a, &level, 0xc010));
	assert_true(mp_sim_cfg_subscribed(w->node[i], e1, &onoff, 0xc010));
	assert_int_equal(mp_sim_cfg_publication(w->node[i], a, &onoff, &pub), 0);
	assert_int_equal(pub.addr, 0xc0ff);
	assert_int_equal(pub.ttl, 5);
	assert_int_equal(mp_sim_cfg_publication(w->node[i], e1, &onoff, &pub), 0);
	assert_int_equal(pub.addr, 0);
	assert_int_equal(mp_sim_cfg_default_ttl(w->node[i]), 7);
}

/* Applied to three nodes knowing nothing of them: each is configured; the
 * rule for Nordic boards matched none. Applied again with what the first
 * run learned: nothing is sent at all. Applied again reading everything
 * back (nothing assumed): only Gets, no request that changes a node. */
static void test_twice(void **state)
{
	struct world *w = world_new(3, 0);
	const struct mp_profile_run_stats *st;
	unsigned int i;

	(void)state;
	world_parse(w, PROFILE);
	runner(w, 0);
	for (i = 0; i < 3; i++)
		add(w, i, false);
	run(w);
	st = mp_profile_run_stats(w->run);
	assert_int_equal(st->configured, 3);
	assert_int_equal(st->steps_failed, 0);
	assert_int_equal(st->reads, 3);		/* the Composition Data of each */
	for (i = 0; i < 3; i++) {
		assert_true(w->ended[i]);
		assert_int_equal(w->rep[i].result, MP_PROFILE_RUN_CONFIGURED);
		assert_int_equal(w->rep[i].left, 0);
		assert_true(w->rep[i].matched[0]);
		assert_false(w->rep[i].matched[1]);
		assert_configured(w, i);
	}
	assert_int_equal(mp_profile_run_rule_matches(w->run, 0), 3);
	assert_int_equal(mp_profile_run_rule_matches(w->run, 1), 0);

	runner(w, 0);
	for (i = 0; i < 3; i++)
		add(w, i, true);
	run(w);
	st = mp_profile_run_stats(w->run);
	assert_int_equal(st->configured, 3);
	assert_int_equal(st->writes, 0);
	assert_int_equal(st->reads, 0);
	assert_int_equal(w->sent, 0);

	/* Read back: what the nodes hold is what the profile says. */
	runner(w, MP_PROFILE_RUN_READ);
	for (i = 0; i < 3; i++) {
		struct mp_profile_run_node n = { .addr = node_addr(i), .net_idx = NET_IDX };

		assert_int_equal(mp_profile_run_add(w->run, &n), 0);
	}
	run(w);
	st = mp_profile_run_stats(w->run);
	assert_int_equal(st->configured, 3);
	assert_int_equal(st->writes, 0);
	assert_true(st->reads > 3);
	world_free(w);
}

/* One node holds one subscription per model: its second subscription is
 * refused with Insufficient Resources, named; the rest of its profile goes
 * on, and it ends "partly" with what is left; the others are configured. */
static void test_insufficient(void **state)
{
	struct world *w = world_new(2, 0);
	const char *two_groups =
		"{ \"meshprov-profile\": 1, \"rules\": [ { \"appKeys\": [0],"
		"  \"settings\": { \"defaultTTL\": 9 },"
		"  \"models\": { \"1000\": { \"bind\": [0], \"subscribe\": [\"kitchen\", \"all-lights\"] } } } ] }";
	struct mp_sim_cfg_params p = {
		.comp = &light, .unicast = node_addr(1), .net_key_index = NET_IDX,
		.limits = { .subs_per_model = 1 },
	};

	(void)state;
	mp_sim_cfg_free(w->node[1]);
	memcpy(p.net_key, net_key, 16);
	assert_int_equal(mp_sim_cfg_new(&p, &w->node[1]), 0);
	world_parse(w, two_groups);
	runner(w, 0);
	add(w, 0, false);
	add(w, 1, false);
	run(w);
	assert_int_equal(w->rep[0].result, MP_PROFILE_RUN_CONFIGURED);
	assert_int_equal(w->rep[1].result, MP_PROFILE_RUN_PARTLY);
	/* one per model instance with OnOff (two elements) */
	assert_int_equal(w->rep[1].steps_failed, 2);
	assert_int_equal(w->rep[1].left, 2);
	assert_string_equal(w->rep[1].first_status, "Insufficient Resources");
	assert_non_null(strstr(w->rep[1].first_failure, "Subscription Add"));
	assert_non_null(strstr(w->failures[1], "Insufficient Resources"));
	/* the rest went on: bound, the first group, the Default TTL */
	assert_true(mp_sim_cfg_bound(w->node[1], node_addr(1), &onoff, 0));
	assert_true(mp_sim_cfg_subscribed(w->node[1], node_addr(1), &onoff, 0xc010));
	assert_false(mp_sim_cfg_subscribed(w->node[1], node_addr(1), &onoff, 0xc0ff));
	assert_int_equal(mp_sim_cfg_default_ttl(w->node[1]), 9);
	assert_true(mp_sim_cfg_subscribed(w->node[0], node_addr(0), &onoff, 0xc0ff));
	world_free(w);
}

/* A node that stops answering after its composition was read: its first
 * request is tried every time, then the node is given up (the rest
 * skipped, not waited for one by one), a clear failure; the others are
 * configured meanwhile. */
static void test_silent(void **state)
{
	struct world *w = world_new(3, 0);
	const struct mp_cfg_client_stats *cs;
	unsigned int i;
	uint64_t t0;

	(void)state;
	world_parse(w, PROFILE);
	/* first learn the compositions */
	runner(w, MP_PROFILE_RUN_CHECK);
	for (i = 0; i < 3; i++)
		add(w, i, false);
	run(w);
	assert_int_equal(mp_profile_run_stats(w->run)->writes, 0);
	assert_int_equal(mp_profile_run_stats(w->run)->differs, 3);
	assert_true(w->planned > 0);

	assert_int_equal(mp_sim_cfg_mute(w->node[1], 0xffffffff), 0);
	runner(w, 0);
	t0 = w->now;
	for (i = 0; i < 3; i++)
		add(w, i, true);
	run(w);
	cs = mp_profile_run_client_stats(w->run);
	assert_int_equal(w->rep[0].result, MP_PROFILE_RUN_CONFIGURED);
	assert_int_equal(w->rep[2].result, MP_PROFILE_RUN_CONFIGURED);
	assert_int_equal(w->rep[1].result, MP_PROFILE_RUN_FAILED);
	assert_non_null(strstr(w->rep[1].why, "stopped answering"));
	assert_string_equal(w->rep[1].first_status, "timeout");
	assert_int_equal(cs->timed_out, 1);
	assert_int_equal(cs->retries, MP_CFG_CLIENT_TRIES - 1);
	assert_int_equal(w->rep[1].steps_failed, w->rep[1].left);
	assert_configured(w, 0);
	assert_configured(w, 2);
	/* the failure came after one request's retries (27.5 s), not after
	 * each step's */
	assert_true(w->done_at[1] - t0 < 40 * 1000);
	world_free(w);
}

/* 30 % of the messages lost each way: every node still ends configured,
 * as its own server says. */
static void test_loss(void **state)
{
	struct world *w = world_new(6, 0);
	const struct mp_cfg_client_stats *cs;
	unsigned int i;

	(void)state;
	world_parse(w, PROFILE);
	/* 30 % each way: a try is answered about half the time; with 12 tries
	 * a request goes unanswered about once in 3,000 */
	w->tries = 12;
	runner(w, 0);
	w->loss_pct = 30;
	for (i = 0; i < 6; i++)
		add(w, i, false);
	run(w);
	cs = mp_profile_run_client_stats(w->run);
	assert_true(cs->retries > 0);
	for (i = 0; i < 6; i++) {
		if (w->rep[i].result != MP_PROFILE_RUN_CONFIGURED)
			fail_msg("node %u: %s (%s; %s)", i,
				 mp_profile_run_result_name(w->rep[i].result), w->rep[i].why,
				 w->rep[i].first_failure);
		assert_configured(w, i);
	}
	world_free(w);
}

/* Groups named through a batch column are handed to the caller to create
 * before any request uses them; with CHECK none is created and nothing but
 * the composition read is sent. A node no rule matches is said so. */
static void test_groups_and_check(void **state)
{
	struct world *w = world_new(2, 0);
	const struct mp_profile_column room[] = { { "room", "3.14" } };
	const char *rooms =
		"{ \"meshprov-profile\": 1, \"groups\": [\"room-${room}\"], \"rules\": [ {"
		"  \"match\": { \"column\": { \"room\": \"*\" } }, \"appKeys\": [0],"
		"  \"models\": { \"1000\": { \"bind\": [0], \"subscribe\": [\"room-${room}\"] } } } ] }";
	struct mp_profile_run_node n = { .addr = node_addr(0), .net_idx = NET_IDX, .fresh = true,
					 .columns = room, .n_columns = 1 };
	struct mp_profile_run_node other = { .addr = node_addr(1), .net_idx = NET_IDX,
					     .fresh = true };

	(void)state;
	world_parse(w, rooms);
	runner(w, MP_PROFILE_RUN_CHECK);
	assert_int_equal(mp_profile_run_add(w->run, &n), 0);
	assert_int_equal(mp_profile_run_add(w->run, &other), 0);
	run(w);
	assert_int_equal(w->n_groups, 2);	/* none created */
	assert_int_equal(w->rep[0].result, MP_PROFILE_RUN_DIFFERS);
	assert_int_equal(w->rep[1].result, MP_PROFILE_RUN_NO_RULE);
	assert_int_equal(mp_profile_run_stats(w->run)->writes, 0);
	assert_int_equal(w->sent, 2);		/* the two Composition Data Gets */
	assert_int_equal(mp_sim_cfg_app_key_count(w->node[0]), 0);

	runner(w, 0);
	assert_int_equal(mp_profile_run_add(w->run, &n), 0);
	run(w);
	assert_int_equal(w->rep[0].result, MP_PROFILE_RUN_CONFIGURED);
	assert_int_equal(w->n_groups, 3);
	assert_string_equal(w->groups[2].name, "room-3.14");
	assert_true(mp_sim_cfg_subscribed(w->node[0], node_addr(0), &onoff, w->groups[2].addr));
	assert_int_equal(mp_profile_run_stats(w->run)->groups_created, 1);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_insufficient),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_groups_and_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
