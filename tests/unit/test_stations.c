/* store/stations: range allocation (pure) and the stations of a keyring. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include "keyring_tu.h"
#include <json-c/json.h>

#include "store/cdb.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"
#include "store/stations.h"

static struct mp_provisioner prov(uint16_t ulo, uint16_t uhi)
{
	struct mp_provisioner p;

	memset(&p, 0, sizeof(p));
	if (ulo) {
		p.unicast[0] = (struct mp_kr_range){ ulo, uhi };
		p.n_unicast = 1;
	}
	return p;
}

static void no_overlap(const struct mp_provisioner *ps, size_t n, enum mp_range_kind k)
{
	size_t i, j;
	unsigned a, b, na, nb;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			const struct mp_kr_range *ra = mp_range_of(&ps[i], k, &na);
			const struct mp_kr_range *rb = mp_range_of(&ps[j], k, &nb);

			for (a = 0; a < na; a++)
				for (b = 0; b < nb; b++) {
					if (i == j && a == b)
						continue;
					if (ra[a].low <= rb[b].high && rb[b].low <= ra[a].high)
						fail_msg("%zu[%u] %04x-%04x overlaps %zu[%u] %04x-%04x",
							 i, a, ra[a].low, ra[a].high, j, b, rb[b].low,
							 rb[b].high);
				}
		}
}

/* An empty network: the first request takes the bottom of the space. */
static void test_alloc_empty(void **state)
{
	struct mp_kr_range r[MP_KR_MAX_RANGES];
	unsigned n = 9;

	(void)state;
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_UNICAST, 0x100, 8, r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].low, 0x0001);
	assert_int_equal(r[0].high, 0x0100);
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_GROUP, 16, 8, r, &n), 0);
	assert_int_equal(r[0].low, 0xc000);
	assert_int_equal(r[0].high, 0xc00f);
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_SCENE, 0xffff, 8, r, &n), 0);
	assert_int_equal(r[0].low, 1);
	assert_int_equal(r[0].high, 0xffff);
	/* more than the kind holds; size 0 */
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_UNICAST, 0x8000, 8, r, &n), -EINVAL);
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_GROUP, 0x3f01, 8, r, &n), -EINVAL);
	assert_int_equal(mp_range_alloc(NULL, 0, MP_RANGE_UNICAST, 0, 8, r, &n), 0);
	assert_int_equal(n, 0);
}

/* Best fit: the smallest gap that holds it, not the first. */
static void test_alloc_best_fit(void **state)
{
	struct mp_provisioner ps[3] = { prov(0x0001, 0x0fff), prov(0x1100, 0x1fff),
					prov(0x2010, 0x7fff) };
	struct mp_kr_range r[MP_KR_MAX_RANGES], g[4];
	unsigned n;

	(void)state;
	/* gaps: 1000-10ff (0x100), 2000-200f (0x10) */
	assert_int_equal(mp_range_free(ps, 3, MP_RANGE_UNICAST, g, 4), 2);
	assert_int_equal(g[0].low, 0x1000);
	assert_int_equal(g[1].high, 0x200f);
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 8, 8, r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].low, 0x2000);	/* first fit would give 0x1000 */
	assert_int_equal(r[0].high, 0x2007);
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x11, 8, r, &n), 0);
	assert_int_equal(r[0].low, 0x1000);
	/* exactly the size of a gap */
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x10, 8, r, &n), 0);
	assert_int_equal(r[0].low, 0x2000);
	assert_int_equal(r[0].high, 0x200f);
}

/* Fragmented free space: split over the largest gaps, in address order. */
static void test_alloc_fragmented(void **state)
{
	struct mp_provisioner ps[3] = { prov(0x0001, 0x0fff), prov(0x1100, 0x1fff),
					prov(0x2010, 0x7fff) };
	struct mp_kr_range r[MP_KR_MAX_RANGES];
	unsigned n;

	(void)state;
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x105, 8, r, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].low, 0x1000);
	assert_int_equal(r[0].high, 0x10ff);
	assert_int_equal(r[1].low, 0x2000);
	assert_int_equal(r[1].high, 0x2004);
	/* one range allowed: enough values, too many pieces */
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x105, 1, r, &n), -E2BIG);
	/* all that is free, then one more: full */
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x110, 8, r, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mp_range_alloc(ps, 3, MP_RANGE_UNICAST, 0x111, 8, r, &n), -ENOSPC);
}

/* Ranges of size 1, and a space cut into many single holes. */
static void test_alloc_size_one(void **state)
{
	struct mp_provisioner ps[MP_KR_MAX_RANGES + 1];
	struct mp_kr_range r[MP_KR_MAX_RANGES];
	unsigned n, i;

	(void)state;
	memset(ps, 0, sizeof(ps));
	/* holes at 0x0010, 0x0020, ..., 0x0090; everything else taken */
	ps[0] = prov(0x0001, 0x000f);
	for (i = 1; i < 9; i++)
		ps[i] = prov((uint16_t)(i * 0x10 + 1), (uint16_t)(i * 0x10 + 0xf));
	ps[8].unicast[0].high = 0x7fff;
	assert_int_equal(mp_range_free(ps, 9, MP_RANGE_UNICAST, r, 0), 8);
	assert_int_equal(mp_range_alloc(ps, 9, MP_RANGE_UNICAST, 1, 8, r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].low, 0x0010);
	assert_int_equal(r[0].high, 0x0010);
	assert_int_equal(mp_range_alloc(ps, 9, MP_RANGE_UNICAST, 8, 8, r, &n), 0);
	assert_int_equal(n, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(r[i].low, (i + 1) * 0x10);
	assert_int_equal(mp_range_alloc(ps, 9, MP_RANGE_UNICAST, 8, 7, r, &n), -E2BIG);
	assert_int_equal(mp_range_alloc(ps, 9, MP_RANGE_UNICAST, 9, 8, r, &n), -ENOSPC);
}

/* Growth: the free space touching the range first, then a new range. */
static void test_grow(void **state)
{
	struct mp_provisioner ps[3] = { prov(0x0001, 0x00ff), prov(0x0200, 0x02ff),
					prov(0x0400, 0x7fff) };
	struct mp_provisioner out;

	(void)state;
	assert_int_equal(mp_range_grow(ps, 3, 1, MP_RANGE_UNICAST, 0x80, &out), 0);
	assert_int_equal(out.n_unicast, 1);
	assert_int_equal(out.unicast[0].low, 0x0200);
	assert_int_equal(out.unicast[0].high, 0x037f);
	/* above is full (0x100), then below (0x100), then nothing: 0x201 fails */
	assert_int_equal(mp_range_grow(ps, 3, 1, MP_RANGE_UNICAST, 0x200, &out), 0);
	assert_int_equal(out.unicast[0].low, 0x0100);
	assert_int_equal(out.unicast[0].high, 0x03ff);
	out.unicast[0].low = 0x1234;	/* untouched on failure */
	assert_int_equal(mp_range_grow(ps, 3, 1, MP_RANGE_UNICAST, 0x201, &out), -ENOSPC);
	assert_int_equal(out.unicast[0].low, 0x1234);
	/* a kind it holds none of: a new range */
	assert_int_equal(mp_range_grow(ps, 3, 1, MP_RANGE_GROUP, 4, &out), 0);
	assert_int_equal(out.n_group, 1);
	assert_int_equal(out.group[0].low, 0xc000);
	assert_int_equal(out.group[0].high, 0xc003);
	ps[1] = out;
	no_overlap(ps, 3, MP_RANGE_UNICAST);
	no_overlap(ps, 3, MP_RANGE_GROUP);
}

/* A range not touching free space grows with a second range. */
static void test_grow_new_range(void **state)
{
	struct mp_provisioner ps[2] = { prov(0x0001, 0x00ff), prov(0x0100, 0x0fff) };
	struct mp_provisioner out;

	(void)state;
	ps[0].unicast[1] = (struct mp_kr_range){ 0x1000, 0x10ff };
	ps[0].n_unicast = 2;
	assert_int_equal(mp_range_grow(ps, 2, 1, MP_RANGE_UNICAST, 0x10, &out), 0);
	assert_int_equal(out.n_unicast, 2);
	assert_int_equal(out.unicast[1].low, 0x1100);
	assert_int_equal(out.unicast[1].high, 0x110f);
}

static void test_release_top(void **state)
{
	struct mp_provisioner p = prov(0x0001, 0x7fff), out;
	uint8_t used[0x10000 / 8];

	(void)state;
	memset(used, 0, sizeof(used));
	used[0x7f00 / 8] |= 1;	/* 0x7f00 is used */
	assert_int_equal(mp_range_release_top(&p, MP_RANGE_UNICAST, 0xff, used, &out), 0);
	assert_int_equal(out.unicast[0].high, 0x7f00);
	assert_int_equal(mp_range_release_top(&p, MP_RANGE_UNICAST, 0x100, used, &out), -ENOSPC);
}

/* ---- stations of a keyring ---- */

struct kfx {
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
	struct mp_keyring *kr;
};

static int kfx_setup(void **state)
{
	struct kfx *f = calloc(1, sizeof(*f));

	f->o = ktu_opts(&f->rng, &f->rs, &f->clk, 7);
	assert_int_equal(mp_keyring_new(&f->o, &f->kr, NULL), 0);
	*state = f;
	return 0;
}

static int kfx_teardown(void **state)
{
	struct kfx *f = *state;

	mp_keyring_close(f->kr);
	free(f);
	return 0;
}

static struct mp_station_req req(uint32_t u, uint32_t g, uint32_t s)
{
	struct mp_station_req q = { { u, g, s } };

	return q;
}

static void all_disjoint(struct mp_keyring *kr)
{
	size_t n = mp_keyring_provisioner_count(kr), i;
	struct mp_provisioner *ps = calloc(n, sizeof(*ps));

	for (i = 0; i < n; i++)
		ps[i] = *mp_keyring_provisioner_at(kr, i);
	no_overlap(ps, n, MP_RANGE_UNICAST);
	no_overlap(ps, n, MP_RANGE_GROUP);
	no_overlap(ps, n, MP_RANGE_SCENE);
	free(ps);
}

static void test_station_add(void **state)
{
	struct kfx *f = *state;
	struct mp_station_req q = req(0x100, 16, 16);
	const struct mp_provisioner *self, *p;
	uint16_t addr;
	long i;

	/* a new keyring holds every unicast address: its unused top gives way */
	assert_int_equal(mp_station_add(f->kr, "line-2", &q), 0);
	i = mp_station_find(f->kr, "line-2");
	assert_int_equal(i, 1);
	p = mp_keyring_provisioner_at(f->kr, 1);
	self = mp_keyring_self(f->kr);
	assert_int_equal(p->n_unicast, 1);
	assert_int_equal(p->unicast[0].low, 0x7f00);
	assert_int_equal(p->unicast[0].high, 0x7fff);
	assert_int_equal(self->unicast[0].high, 0x7eff);
	assert_int_equal(mp_range_total(p, MP_RANGE_GROUP), 16);
	assert_int_equal(mp_range_total(p, MP_RANGE_SCENE), 16);
	/* its own address: in its range, a node of its UUID */
	addr = mp_station_address(f->kr, p);
	assert_int_equal(addr, 0x7f00);
	assert_non_null(mp_keyring_node_find(f->kr, addr));
	assert_false(mp_keyring_node_find(f->kr, addr)->is_self);
	assert_int_equal(mp_station_add(f->kr, "line-3", &q), 0);
	all_disjoint(f->kr);
	assert_int_equal(mp_station_address(f->kr, mp_keyring_provisioner_at(f->kr, 2)), 0x7e00);
	/* names are unique; a station needs a unicast address */
	assert_int_equal(mp_station_add(f->kr, "line-2", &q), -EEXIST);
	q = req(0, 1, 1);
	assert_int_equal(mp_station_add(f->kr, "line-4", &q), -EINVAL);
	assert_int_equal(mp_station_add(f->kr, "", &q), -EINVAL);
}

/* This keyring's used addresses are never given away: a full network says so. */
static void test_station_full(void **state)
{
	struct kfx *f = *state;
	struct mp_station_req q = req(0x7ffe, 0, 0);

	/* everything but the provisioner's own 0x0001 */
	assert_int_equal(mp_station_add(f->kr, "big", &q), 0);
	assert_int_equal(mp_keyring_self(f->kr)->unicast[0].high, 0x0001);
	q = req(1, 0, 0);
	assert_int_equal(mp_station_add(f->kr, "small", &q), -ENOSPC);
	assert_non_null(strstr(mp_keyring_error(f->kr), "only 0 unicast values are free"));
	assert_int_equal(mp_keyring_provisioner_count(f->kr), 2);
	/* removed: its ranges are free again, its own address excluded */
	assert_int_equal(mp_station_remove(f->kr, "big"), 0);
	assert_true(mp_keyring_is_excluded(f->kr, 0x0002));
	q = req(0x20, 0, 0);
	assert_int_equal(mp_station_add(f->kr, "small", &q), 0);
	/* 0x0002 is excluded: its own address is the next one */
	assert_int_equal(mp_station_address(f->kr, mp_keyring_provisioner_at(f->kr, 1)), 0x0003);
	all_disjoint(f->kr);
}

static void test_station_grow_remove(void **state)
{
	struct kfx *f = *state;
	struct mp_station_req q = req(0x10, 0, 0);
	const struct mp_provisioner *p;
	uint16_t addr;

	assert_int_equal(mp_station_add(f->kr, "a", &q), 0);
	assert_int_equal(mp_station_add(f->kr, "b", &q), 0);
	q = req(0x10, 4, 0);
	assert_int_equal(mp_station_grow(f->kr, "b", &q), 0);
	p = mp_keyring_provisioner_at(f->kr, (size_t)mp_station_find(f->kr, "b"));
	assert_int_equal(mp_range_total(p, MP_RANGE_UNICAST), 0x20);
	assert_int_equal(mp_range_total(p, MP_RANGE_GROUP), 0x4 + 0);
	all_disjoint(f->kr);
	assert_int_equal(mp_station_grow(f->kr, "nope", &q), -ENOENT);
	/* this keyring's own cannot be removed; another one can */
	assert_int_equal(mp_station_remove(f->kr, mp_keyring_self(f->kr)->name), -EPERM);
	p = mp_keyring_provisioner_at(f->kr, (size_t)mp_station_find(f->kr, "a"));
	addr = mp_station_address(f->kr, p);
	assert_int_equal(mp_station_remove(f->kr, "a"), 0);
	assert_int_equal(mp_station_find(f->kr, "a"), -1);
	assert_null(mp_keyring_node_find(f->kr, addr));
	assert_true(mp_keyring_is_excluded(f->kr, addr));
	assert_int_equal(mp_keyring_provisioner_count(f->kr), 2);
}

/* Provisioning allocates from this keyring's own range only. */
static void test_alloc_stays_in_own_range(void **state)
{
	struct kfx *f = *state;
	struct mp_station_req q = req(0x7ffe, 0, 0);
	uint8_t uuid[16] = { 9 }, key[16] = { 3 };
	uint16_t a;

	assert_int_equal(mp_station_add(f->kr, "all", &q), 0);
	assert_int_equal(mp_keyring_self(f->kr)->unicast[0].high, 0x0001);
	assert_int_equal(mp_keyring_node_add_pending(f->kr, uuid, 1, key, NULL, &a), -ENOSPC);
	assert_non_null(strstr(mp_keyring_error(f->kr), "station grow"));
}

/* ---- a station's copy: export --station, import --as-station ---- */

static const struct mp_provisioner *station(struct mp_keyring *kr, const char *name)
{
	long i = mp_station_find(kr, name);

	assert_true(i >= 0);
	return mp_keyring_provisioner_at(kr, (size_t)i);
}

static char *export_for(struct mp_keyring *kr, const char *name, bool partial)
{
	struct mp_cdb_export_opts eo = { .with_device_keys = true,
					 .station_uuid = station(kr, name)->uuid,
					 .station_partial = partial };
	char *json = NULL;

	assert_int_equal(mp_cdb_export(kr, &eo, &json, NULL), 0);
	return json;
}

/* A fresh keyring (another laptop) taking station @name's copy. */
static int take(struct kfx *g, uint64_t seed, const char *json, const char *name)
{
	struct mp_cdb_import_opts io = { .as_station = name };

	g->o = ktu_opts(&g->rng, &g->rs, &g->clk, seed);
	assert_int_equal(mp_keyring_new(&g->o, &g->kr, NULL), 0);
	return mp_cdb_import(g->kr, json, strlen(json), &io);
}

static const uint8_t devkey[16] = { 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static uint16_t provision(struct mp_keyring *kr, uint8_t tag, uint8_t elements)
{
	uint8_t uuid[16];
	uint16_t a = 0;

	memset(uuid, tag, sizeof(uuid));
	if (mp_keyring_node_add_pending(kr, uuid, elements, devkey, NULL, &a) ||
	    mp_keyring_node_complete(kr, a))
		fail_msg("provision: %s", mp_keyring_error(kr));
	return a;
}

static void test_station_copy_round_trip(void **state)
{
	struct kfx *f = *state, g[2];
	struct mp_station_req q = req(0x40, 4, 4);
	const char *names[2] = { "line-a", "line-b" };
	uint8_t net[16], net2[16];
	unsigned s;

	provision(f->kr, 0x11, 2);
	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	assert_int_equal(mp_station_add(f->kr, "line-b", &q), 0);
	for (s = 0; s < 2; s++) {
		const struct mp_provisioner *p = station(f->kr, names[s]), *me;
		char *json = export_for(f->kr, names[s], false);
		uint16_t a;

		memset(&g[s], 0, sizeof(g[s]));
		assert_int_equal(take(&g[s], 100 + s, json, names[s]), 0);
		mp_keyring_free_secret(json);
		me = mp_keyring_self(g[s].kr);
		/* it is that station: its name, UUID, ranges and address */
		assert_string_equal(me->name, names[s]);
		assert_memory_equal(me->uuid, p->uuid, 16);
		assert_memory_equal(me->unicast, p->unicast, sizeof(p->unicast));
		assert_int_equal(mp_keyring_self_address(g[s].kr), mp_station_address(f->kr, p));
		assert_int_equal(mp_keyring_seq_next(g[s].kr), 0);
		mp_keyring_network_uuid(f->kr, net);
		mp_keyring_network_uuid(g[s].kr, net2);
		assert_memory_equal(net, net2, 16);
		assert_memory_equal(mp_keyring_netkey_at(g[s].kr, 0)->key,
				    mp_keyring_netkey_at(f->kr, 0)->key, 16);
		/* every node, with device keys */
		assert_int_equal(mp_keyring_node_count(g[s].kr), mp_keyring_node_count(f->kr));
		assert_true(mp_keyring_node_find(g[s].kr, 0x0002)->has_dev_key);
		/* it allocates from its own range only */
		a = provision(g[s].kr, (uint8_t)(0x20 + s), 1);
		assert_true(a >= p->unicast[0].low && a <= p->unicast[0].high);
		mp_keyring_close(g[s].kr);
	}
}

static void test_station_copy_partial(void **state)
{
	struct kfx *f = *state, g;
	struct mp_station_req q = req(0x40, 0, 0);
	json_object *root, *v;
	char *json;

	provision(f->kr, 0x11, 1);
	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	json = export_for(f->kr, "line-a", true);
	root = json_tokener_parse(json);
	assert_true(json_object_object_get_ex(root, "partial", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(root);
	memset(&g, 0, sizeof(g));
	assert_int_equal(take(&g, 9, json, "line-a"), 0);
	mp_keyring_free_secret(json);
	/* the other station's nodes without their device keys; its own with */
	assert_false(mp_keyring_node_find(g.kr, 0x0002)->has_dev_key);
	assert_false(mp_keyring_node_find(g.kr, 0x0001)->has_dev_key);
	assert_true(mp_keyring_node_find(g.kr, mp_keyring_self_address(g.kr))->has_dev_key);
	mp_keyring_close(g.kr);
}

static void test_station_copy_refusals(void **state)
{
	struct kfx *f = *state, g;
	struct mp_station_req q = req(0x40, 0, 0);
	char *json, *p;
	const char *selfname;

	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	selfname = mp_keyring_self(f->kr)->name;
	json = export_for(f->kr, "line-a", false);
	/* the exporter's own station: two keyrings would be one provisioner */
	memset(&g, 0, sizeof(g));
	assert_int_equal(take(&g, 9, json, selfname), -EPERM);
	assert_non_null(strstr(mp_keyring_error(g.kr), "exported by station"));
	assert_int_equal(mp_keyring_node_count(g.kr), 1);	/* nothing changed */
	mp_keyring_close(g.kr);
	assert_int_equal(take(&g, 9, json, "line-z"), -ENOENT);
	mp_keyring_close(g.kr);
	/* line-a's own address moved into the other station's range */
	p = strstr(json, "\"unicastAddress\"");
	while (p && strncmp(strchr(p + 16, '"') + 1, "7FC0", 4))
		p = strstr(p + 1, "\"unicastAddress\"");
	assert_non_null(p);
	memcpy(strchr(p + 16, '"') + 1, "0005", 4);
	assert_int_equal(take(&g, 9, json, "line-a"), -EPERM);
	assert_non_null(strstr(mp_keyring_error(g.kr), "is in station"));
	mp_keyring_close(g.kr);
	mp_keyring_free_secret(json);
}

/* A CDB whose provisioners' ranges overlap is refused, both named. */
static void test_import_overlap_refused(void **state)
{
	struct kfx *f = *state, g;
	struct mp_station_req q = req(0x40, 0, 0);
	struct mp_cdb_export_opts eo = { .with_device_keys = true };
	struct mp_cdb_import_opts io = { 0 };
	char *json = NULL, *p;

	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	assert_int_equal(mp_cdb_export(f->kr, &eo, &json, NULL), 0);
	/* line-a 7FC0-7FFF becomes 7EC0-7FFF: over meshprov's 0001-7FBF */
	p = strstr(json, "\"lowAddress\"");
	while (p && strncmp(strchr(p + 12, '"') + 1, "7FC0", 4))
		p = strstr(p + 1, "\"lowAddress\"");
	assert_non_null(p);
	memcpy(strchr(p + 12, '"') + 1, "7EC0", 4);
	memset(&g, 0, sizeof(g));
	g.o = ktu_opts(&g.rng, &g.rs, &g.clk, 3);
	assert_int_equal(mp_keyring_new(&g.o, &g.kr, NULL), 0);
	assert_int_equal(mp_cdb_import(g.kr, json, strlen(json), &io), -EBADMSG);
	assert_non_null(strstr(mp_keyring_error(g.kr), "overlaps"));
	assert_non_null(strstr(mp_keyring_error(g.kr), "'line-a'"));
	mp_keyring_close(g.kr);
	mp_keyring_free_secret(json);
}

/* A station's copy carries the groups (export --station, import
 * --as-station, partial or not), and the station allocates groups from its
 * own group range only: never the whole group space, never another's. */
static void test_station_copy_groups(void **state)
{
	struct kfx *f = *state, g;
	struct mp_station_req q = req(0x40, 2, 0);
	struct mp_nc_addr virt = { .virt = true }, par = { .addr = 0xc000 }, in = { 0 };
	const struct mp_provisioner *p;
	const struct mp_group *gr, *mine;
	uint32_t used, total;
	char *json;
	unsigned partial;

	assert_int_equal(mp_keyring_group_add(f->kr, "hall", NULL, NULL, &gr), 0);
	assert_int_equal(gr->addr.addr, 0xc000);
	assert_int_equal(mp_keyring_group_add(f->kr, "scene", &virt, &par, NULL), 0);
	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	p = station(f->kr, "line-a");
	assert_int_equal(p->n_group, 1);
	mp_station_group_usage(f->kr, mp_keyring_self(f->kr), &used, &total);
	assert_int_equal(used, 1);	/* hall; the virtual one has no range */
	for (partial = 0; partial < 2; partial++) {
		json = export_for(f->kr, "line-a", partial);
		memset(&g, 0, sizeof(g));
		assert_int_equal(take(&g, 40 + partial, json, "line-a"), 0);
		mp_keyring_free_secret(json);
		assert_int_equal(mp_keyring_group_count(g.kr), 2);
		gr = mp_keyring_group_find_name(g.kr, "hall");
		assert_true(gr && !gr->addr.virt && gr->addr.addr == 0xc000);
		gr = mp_keyring_group_find_name(g.kr, "scene");
		assert_non_null(gr);
		assert_true(gr->addr.virt);
		assert_memory_equal(gr->addr.label,
				    mp_keyring_group_find_name(f->kr, "scene")->addr.label, 16);
		assert_int_equal(gr->parent.addr, 0xc000);
		/* its groups come from its own range (taken from the free group
		 * space above C000-CFFF), not from the lowest free address */
		assert_int_equal(mp_keyring_group_add(g.kr, "a1", NULL, NULL, &mine), 0);
		assert_int_equal(mine->addr.addr, p->group[0].low);
		assert_int_equal(mp_keyring_group_add(g.kr, "a2", NULL, NULL, &mine), 0);
		assert_int_equal(mine->addr.addr, p->group[0].high);
		mp_station_group_usage(g.kr, mp_keyring_self(g.kr), &used, &total);
		assert_int_equal(used, 2);
		assert_int_equal(total, 2);
		/* full: said, with the range named */
		assert_int_equal(mp_keyring_group_add(g.kr, "a3", NULL, NULL, NULL), -ENOSPC);
		assert_non_null(strstr(mp_keyring_error(g.kr), "group range"));
		/* an address of the first station's range is not this one's */
		in.addr = 0xc005;
		assert_int_equal(mp_keyring_group_add(g.kr, "far", &in, NULL, NULL), -ERANGE);
		assert_non_null(strstr(mp_keyring_error(g.kr), "outside"));
		mp_keyring_close(g.kr);
	}
}

/* A station's groups are carved from the unused top of this keyring's
 * group range: an address a group of ours has is never given away. */
static void test_station_groups_give_way(void **state)
{
	struct kfx *f = *state;
	struct mp_station_req q = req(0x40, 0xfeff - 0xd000 + 1, 0);
	struct mp_nc_addr top = { .addr = 0xcfff };
	const struct mp_provisioner *self;

	/* the free group space (D000-FEFF) all taken */
	assert_int_equal(mp_station_add(f->kr, "big", &q), 0);
	q = req(0x40, 4, 0);
	assert_int_equal(mp_keyring_group_add(f->kr, "top", &top, NULL, NULL), 0);
	/* the top is ours: the range of the new station cannot come from it */
	assert_int_not_equal(mp_station_add(f->kr, "line-a", &q), 0);
	assert_int_equal(mp_station_find(f->kr, "line-a"), -1);
	self = mp_keyring_self(f->kr);
	assert_int_equal(self->group[self->n_group - 1].high, 0xcfff);
	assert_int_equal(mp_keyring_group_remove(f->kr, "top"), 0);
	assert_int_equal(mp_station_add(f->kr, "line-a", &q), 0);
	all_disjoint(f->kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_empty),
		cmocka_unit_test(test_alloc_best_fit),
		cmocka_unit_test(test_alloc_fragmented),
		cmocka_unit_test(test_alloc_size_one),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_grow_new_range),
		cmocka_unit_test(test_release_top),
		cmocka_unit_test_setup_teardown(test_station_add, kfx_setup, kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_full, kfx_setup, kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_grow_remove, kfx_setup, kfx_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_stays_in_own_range, kfx_setup,
						kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_copy_round_trip, kfx_setup,
						kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_copy_partial, kfx_setup, kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_copy_refusals, kfx_setup,
						kfx_teardown),
		cmocka_unit_test_setup_teardown(test_import_overlap_refused, kfx_setup,
						kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_copy_groups, kfx_setup, kfx_teardown),
		cmocka_unit_test_setup_teardown(test_station_groups_give_way, kfx_setup,
						kfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
