/* store/merge: stations' copies merged back into one keyring. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include <json-c/json.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/merge.h"
#include "store/node_config.h"
#include "store/nodes.h"
#include "store/scenes.h"
#include "store/stations.h"

#define MAXST 10

struct kside {
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
	struct mp_keyring *kr;
};

/* A main keyring with @n stations, each taken by a keyring of its own. */
struct net {
	struct kside main;
	struct kside st[MAXST];
	size_t n;
};

static const uint8_t devkey[16] = { 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static void side_new(struct kside *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->o = ktu_opts(&s->rng, &s->rs, &s->clk, seed);
	assert_int_equal(mp_keyring_new(&s->o, &s->kr, NULL), 0);
}

/* noinline: GCC's -Wdangling-pointer takes the caller's use of the result
 * for a use of the local it was returned through. */
static __attribute__((noinline)) char *export(struct mp_keyring *kr, const uint8_t *station)
{
	struct mp_cdb_export_opts eo = { .with_device_keys = true, .station_uuid = station };
	char *json = NULL;

	assert_int_equal(mp_cdb_export(kr, &eo, &json, NULL), 0);
	return json;
}

static void net_new(struct net *w, size_t n)
{
	struct mp_station_req q = { { 0x40, 4, 4 } };
	char name[16];
	size_t i;

	memset(w, 0, sizeof(*w));
	w->n = n;
	side_new(&w->main, 1);
	for (i = 0; i < n; i++) {
		struct mp_cdb_import_opts io = { .as_station = name };
		char *json;
		long si;

		snprintf(name, sizeof(name), "st-%zu", i);
		assert_int_equal(mp_station_add(w->main.kr, name, &q), 0);
		si = mp_station_find(w->main.kr, name);
		json = export(w->main.kr, mp_keyring_provisioner_at(w->main.kr, (size_t)si)->uuid);
		side_new(&w->st[i], 100 + i);
		if (mp_cdb_import(w->st[i].kr, json, strlen(json), &io))
			fail_msg("import: %s", mp_keyring_error(w->st[i].kr));
		mp_keyring_free_secret(json);
	}
}

static void net_free(struct net *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		mp_keyring_close(w->st[i].kr);
	mp_keyring_close(w->main.kr);
}

static uint16_t provision(struct kside *s, uint8_t tag, uint8_t sub, uint8_t elements)
{
	uint8_t uuid[16];
	uint16_t a = 0;

	memset(uuid, tag, sizeof(uuid));
	uuid[15] = sub;
	s->clk.t += 10;
	if (mp_keyring_node_add_pending(s->kr, uuid, elements, devkey, NULL, &a) ||
	    mp_keyring_node_complete(s->kr, a))
		fail_msg("provision: %s", mp_keyring_error(s->kr));
	return a;
}

/* Every station's export, into @docs (free with free_docs). */
static void exports(struct net *w, char **docs, size_t *lens)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		docs[i] = export(w->st[i].kr, NULL);
		lens[i] = strlen(docs[i]);
	}
}

static void free_docs(char **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mp_keyring_free_secret(docs[i]);
}

static int merge(struct mp_keyring *kr, char **docs, size_t *lens, size_t n, bool dry,
		 struct mp_merge_report *rep)
{
	static const char *names[MAXST] = { "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8",
					    "f9" };

	int r = mp_merge(kr, (const char *const *)docs, lens, names, n, dry, rep);
	size_t i;

	for (i = 0; getenv("MERGE_DEBUG") && i < rep->n_conflicts; i++)
		fprintf(stderr, "conflict: %s\n", rep->conflicts[i].what);
	return r;
}

/* The network as a CDB, for comparing merge results (the clock is fixed). */
static char *snapshot(struct mp_keyring *kr)
{
	return export(kr, NULL);
}

static size_t count_changes(const struct mp_merge_report *rep, enum mp_merge_change_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n_changes; i++)
		n += rep->changes[i].kind == k;
	return n;
}

static void no_address_twice(struct mp_keyring *kr)
{
	size_t i;

	for (i = 1; i < mp_keyring_node_count(kr); i++) {
		const struct mp_node *a = mp_keyring_node_at(kr, i - 1), *b = mp_keyring_node_at(kr, i);

		assert_true((uint32_t)a->addr + a->elements <= b->addr);
	}
}

static void merge_n(size_t n, size_t per)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[MAXST], *before, *after;
	size_t lens[MAXST], i, k, base;

	net_new(&w, n);
	for (i = 0; i < n; i++) {
		char gname[16];

		for (k = 0; k < per; k++)
			provision(&w.st[i], (uint8_t)(0x10 + i), (uint8_t)k, (uint8_t)(1 + k % 3));
		/* a group of its own, from its own group range */
		snprintf(gname, sizeof(gname), "g-%zu", i);
		assert_int_equal(mp_keyring_group_add(w.st[i].kr, gname, NULL, NULL, NULL), 0);
	}
	provision(&w.main, 0x01, 0, 2);
	base = mp_keyring_node_count(w.main.kr);
	exports(&w, docs, lens);
	/* dry run: the report, nothing written */
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, n, true, &rep), 0);
	assert_int_equal(rep.nodes_added, n * per);
	assert_int_equal(rep.groups_added, n);
	assert_int_equal(rep.n_conflicts, 0);
	/* the list: each node and group, once */
	assert_int_equal(count_changes(&rep, MP_MERGE_NODE_ADDED), n * per);
	assert_int_equal(count_changes(&rep, MP_MERGE_GROUP_ADDED), n);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	/* the merge: every node, no address twice, the device keys */
	assert_int_equal(merge(w.main.kr, docs, lens, n, false, &rep), 0);
	mp_merge_report_free(&rep);
	assert_int_equal(mp_keyring_node_count(w.main.kr), base + n * per);
	assert_int_equal(mp_keyring_group_count(w.main.kr), n);
	for (i = 0; i < n; i++) {
		char gname[16];
		const struct mp_group *g;

		snprintf(gname, sizeof(gname), "g-%zu", i);
		g = mp_keyring_group_find_name(w.main.kr, gname);
		assert_non_null(g);
		/* at the address the station gave it: its range's first */
		assert_int_equal(g->addr.addr,
				 mp_keyring_provisioner_at(w.main.kr, i + 1)->group[0].low);
	}
	no_address_twice(w.main.kr);
	for (i = 0; i < mp_keyring_node_count(w.main.kr); i++)
		assert_true(mp_keyring_node_at(w.main.kr, i)->has_dev_key);
	for (i = 1; i <= n; i++)
		assert_true(mp_keyring_provisioner_at(w.main.kr, i)->merged_at > 0);
	/* again, in reverse order: nothing changes */
	before = snapshot(w.main.kr);
	for (i = 0; i < n / 2; i++) {
		char *t = docs[i];
		size_t l = lens[i];

		docs[i] = docs[n - 1 - i];
		lens[i] = lens[n - 1 - i];
		docs[n - 1 - i] = t;
		lens[n - 1 - i] = l;
	}
	assert_int_equal(merge(w.main.kr, docs, lens, n, false, &rep), 0);
	assert_int_equal(rep.nodes_added + rep.nodes_updated + rep.nodes_dropped, 0);
	assert_int_equal(rep.groups_added + rep.exclusions_added + rep.keys_added, 0);
	assert_int_equal(rep.n_changes, 0);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	free_docs(docs, n);
	net_free(&w);
}

static void test_merge_2(void **state)
{
	(void)state;
	merge_n(2, 3);
}

static void test_merge_3(void **state)
{
	(void)state;
	merge_n(3, 4);
}

static void test_merge_10(void **state)
{
	(void)state;
	merge_n(10, 5);
}

/* Any order of the files, into copies of one keyring: the same network. */
static void test_merge_order(void **state)
{
	static const size_t perm[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					   { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct net w;
	struct mp_merge_report rep;
	char *docs[3], *pdocs[3], *start, *first = NULL, *got;
	size_t lens[3], plens[3], p, i;
	struct mp_keyring *kr;
	uint16_t shared;

	(void)state;
	net_new(&w, 3);
	for (i = 0; i < 3; i++)
		provision(&w.st[i], (uint8_t)(0x20 + i), 0, 1);
	/* one device that both station 0 and station 1 know, renamed by
	 * each, later by station 1: its record comes from station 1 whatever
	 * the order */
	shared = provision(&w.main, 0x2f, 0, 1);
	for (i = 0; i < 2; i++) {
		char name[8];
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE, .as_station = name };
		char *j;

		snprintf(name, sizeof(name), "st-%zu", i);
		j = export(w.main.kr, mp_keyring_provisioner_at(w.main.kr, i + 1)->uuid);
		if (mp_cdb_import(w.st[i].kr, j, strlen(j), &io))
			fail_msg("import: %s", mp_keyring_error(w.st[i].kr));
		mp_keyring_free_secret(j);
		w.st[i].clk.t += 100 * (i + 1);
		assert_int_equal(mp_keyring_node_rename(w.st[i].kr, shared, i ? "later" : "earlier"),
				 0);
	}
	/* each station's groups, a virtual one too */
	for (i = 0; i < 3; i++) {
		struct mp_nc_addr virt = { .virt = true };
		char gname[16];

		snprintf(gname, sizeof(gname), "g-%zu", i);
		assert_int_equal(mp_keyring_group_add(w.st[i].kr, gname, NULL, NULL, NULL), 0);
		snprintf(gname, sizeof(gname), "v-%zu", i);
		assert_int_equal(mp_keyring_group_add(w.st[i].kr, gname, &virt, NULL, NULL), 0);
	}
	exports(&w, docs, lens);
	start = snapshot(w.main.kr);
	for (p = 0; p < 6; p++) {
		struct mp_keyring_error err;

		for (i = 0; i < 3; i++) {
			pdocs[i] = docs[perm[p][i]];
			plens[i] = lens[perm[p][i]];
		}
		kr = NULL;
		/* a fresh copy of the main keyring: its own serialization */
		{
			char *ser = NULL;

			assert_int_equal(mp_keyring_serialize(w.main.kr, &ser, NULL), 0);
			assert_int_equal(mp_keyring_parse_opts(ser, strlen(ser), &w.main.o, &kr, &err), 0);
			mp_keyring_free_secret(ser);
		}
		if (merge(kr, pdocs, plens, 3, false, &rep))
			fail_msg("merge: %s", mp_keyring_error(kr));
		mp_merge_report_free(&rep);
		assert_string_equal(mp_keyring_node_find(kr, shared)->name, "later");
		assert_int_equal(mp_keyring_group_count(kr), 6);
		got = snapshot(kr);
		if (!first)
			first = got;
		else {
			assert_string_equal(first, got);
			mp_keyring_free_secret(got);
		}
		mp_keyring_close(kr);
	}
	mp_keyring_free_secret(first);
	mp_keyring_free_secret(start);
	free_docs(docs, 3);
	net_free(&w);
}

/* @doc with one group, as a new malloc'd string. */
static char *with_group(const char *doc, const char *name, const char *addr)
{
	json_object *root = json_tokener_parse(doc), *arr = json_object_new_array();
	json_object *g = json_object_new_object();
	char *out;

	assert_non_null(root);
	json_object_object_add(g, "name", json_object_new_string(name));
	json_object_object_add(g, "address", json_object_new_string(addr));
	json_object_array_add(arr, g);
	json_object_object_add(root, "groups", arr);
	out = strdup(json_object_to_json_string(root));
	json_object_put(root);
	return out;
}

static bool has_conflict(const struct mp_merge_report *rep, enum mp_merge_conflict_kind k)
{
	size_t i;

	for (i = 0; i < rep->n_conflicts; i++)
		if (rep->conflicts[i].kind == k)
			return true;
	return false;
}

/* Every conflict kind at once: all reported, nothing written. */
static void test_merge_conflicts(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[2], *before, *after, *p, hexaddr[8];
	size_t lens[2];
	uint16_t a0, a1;
	char *grp0, *grp1;

	(void)state;
	net_new(&w, 2);
	a0 = provision(&w.st[0], 0x30, 0, 1);
	a1 = provision(&w.st[1], 0x31, 0, 1);
	exports(&w, docs, lens);
	/* address: station 1's device at station 0's device's address */
	snprintf(hexaddr, sizeof(hexaddr), "\"%04X\"", a1);
	p = strstr(docs[1], "\"unicastAddress\"");
	while (p && strncmp(strchr(p + 16, '"'), hexaddr, 6))
		p = strstr(p + 1, "\"unicastAddress\"");
	assert_non_null(p);
	snprintf(hexaddr, sizeof(hexaddr), "%04X", a0);
	memcpy(strchr(p + 16, '"') + 1, hexaddr, 4);
	/* device key: the first node of file 0 (the main keyring's own), with
	 * another key */
	p = strstr(docs[0], "\"deviceKey\"");
	assert_non_null(p);
	p = strchr(p + 11, '"') + 1;
	*p = *p == '0' ? '1' : '0';
	/* groups: one name, two addresses */
	grp0 = with_group(docs[0], "hall", "C001");
	grp1 = with_group(docs[1], "hall", "C002");
	mp_keyring_free_secret(docs[0]);
	mp_keyring_free_secret(docs[1]);
	docs[0] = grp0;
	docs[1] = grp1;
	lens[0] = strlen(grp0);
	lens[1] = strlen(grp1);
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), -ENOTUNIQ);
	assert_true(has_conflict(&rep, MP_MERGE_ADDRESS));
	assert_true(has_conflict(&rep, MP_MERGE_DEVKEY));
	assert_true(has_conflict(&rep, MP_MERGE_GROUP));
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	free(docs[0]);
	free(docs[1]);
	net_free(&w);
}

/* Two stations claiming one range: a station's copy with a grown range
 * over another's (the CDB itself is consistent). */
static void test_merge_range_conflict(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	struct mp_station_req q = { { 0, 0x10, 0 } };
	char *docs[2];
	size_t lens[2];

	(void)state;
	net_new(&w, 2);
	/* each laptop grows its own copy's station 0 and 1 group ranges
	 * independently into the same free space */
	assert_int_equal(mp_station_grow(w.st[0].kr, "st-0", &q), 0);
	assert_int_equal(mp_station_grow(w.st[1].kr, "st-1", &q), 0);
	exports(&w, docs, lens);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), -ENOTUNIQ);
	assert_true(has_conflict(&rep, MP_MERGE_RANGE));
	assert_non_null(strstr(rep.conflicts[0].what, "overlaps"));
	mp_merge_report_free(&rep);
	free_docs(docs, 2);
	net_free(&w);
}

/* Bad input: damaged, foreign (meshUUID, NetKey): a clear error, nothing written. */
static void test_merge_bad_input(void **state)
{
	struct net w;
	struct kside other;
	struct mp_merge_report rep;
	char *docs[1], *before, *after, bad[] = "{\"meshUUID\": 1";
	size_t lens[1];

	(void)state;
	net_new(&w, 1);
	provision(&w.st[0], 0x40, 0, 1);
	before = snapshot(w.main.kr);
	docs[0] = bad;
	lens[0] = strlen(bad);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EBADMSG);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "f0"));
	mp_merge_report_free(&rep);
	side_new(&other, 77);
	docs[0] = export(other.kr, NULL);
	lens[0] = strlen(docs[0]);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EXDEV);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "another network"));
	mp_merge_report_free(&rep);
	mp_keyring_free_secret(docs[0]);
	/* the same meshUUID, another NetKey */
	docs[0] = export(w.st[0].kr, NULL);
	lens[0] = strlen(docs[0]);
	{
		char *p = strstr(docs[0], "\"netKeys\"");

		assert_non_null(p);
		p = strstr(p, "\"key\"");
		assert_non_null(p);
		p = strchr(p + 5, '"') + 1;
		*p = *p == 'a' ? 'b' : 'a';
	}
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EXDEV);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "NetKey"));
	mp_merge_report_free(&rep);
	mp_keyring_free_secret(docs[0]);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	mp_keyring_close(other.kr);
	net_free(&w);
}

/* A node removed at one station is dropped; a partial copy loses no key;
 * the highest IV index wins. */
static void test_merge_removal_iv_partial(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[2];
	size_t lens[2];
	uint16_t a;
	uint8_t uuid[16];

	(void)state;
	net_new(&w, 2);
	a = provision(&w.main, 0x50, 0, 1);
	memcpy(uuid, mp_keyring_node_find(w.main.kr, a)->uuid, 16);
	/* station 0 (taken before the node existed) learns it, removes it */
	{
		char *j = export(w.main.kr, NULL);
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };

		assert_int_equal(mp_cdb_import(w.st[0].kr, j, strlen(j), &io), 0);
		mp_keyring_free_secret(j);
	}
	assert_int_equal(mp_keyring_node_remove(w.st[0].kr, a), 0);
	assert_int_equal(mp_keyring_set_iv(w.st[1].kr, 1, false), 0);
	{
		struct mp_cdb_export_opts eo = { .with_device_keys = false };

		assert_int_equal(mp_cdb_export(w.st[1].kr, &eo, &docs[1], NULL), 0);
		lens[1] = strlen(docs[1]);
	}
	docs[0] = export(w.st[0].kr, NULL);
	lens[0] = strlen(docs[0]);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	assert_int_equal(rep.nodes_dropped, 1);
	mp_merge_report_free(&rep);
	assert_null(mp_keyring_node_find_uuid(w.main.kr, uuid));
	assert_true(mp_keyring_is_excluded(w.main.kr, a));
	assert_int_equal(mp_keyring_iv_index(w.main.kr), 1);
	assert_true(mp_keyring_self_address(w.main.kr) &&
		    mp_keyring_node_find(w.main.kr, mp_keyring_self_address(w.main.kr))->has_dev_key);
	free_docs(docs, 2);
	net_free(&w);
}

/* One device provisioned again by another station (after a factory reset):
 * the later record is kept, the earlier address excluded (the device may
 * have sent from it); one group address with two names is a conflict. */
static void test_merge_reprovisioned_and_group_names(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[2], *g0, *g1;
	size_t lens[2];
	uint16_t a, b;
	uint8_t uuid[16];

	(void)state;
	net_new(&w, 2);
	a = provision(&w.st[0], 0x60, 0, 2);
	w.st[1].clk.t += 1000;
	b = provision(&w.st[1], 0x60, 0, 2);
	assert_int_not_equal(a, b);
	memcpy(uuid, mp_keyring_node_find(w.st[1].kr, b)->uuid, 16);
	exports(&w, docs, lens);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	mp_merge_report_free(&rep);
	assert_int_equal(mp_keyring_node_find_uuid(w.main.kr, uuid)->addr, b);
	assert_null(mp_keyring_node_find(w.main.kr, a));
	assert_true(mp_keyring_is_excluded(w.main.kr, a));
	assert_true(mp_keyring_is_excluded(w.main.kr, (uint16_t)(a + 1)));
	g0 = with_group(docs[0], "hall", "C001");
	g1 = with_group(docs[1], "stairs", "C001");
	free_docs(docs, 2);
	docs[0] = g0;
	docs[1] = g1;
	lens[0] = strlen(g0);
	lens[1] = strlen(g1);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, true, &rep), -ENOTUNIQ);
	assert_int_equal(rep.n_conflicts, 1);
	assert_true(has_conflict(&rep, MP_MERGE_GROUP));
	assert_non_null(strstr(rep.conflicts[0].what, "group C001 is 'hall' in f0 and 'stairs' in f1"));
	mp_merge_report_free(&rep);
	free(g0);
	free(g1);
	net_free(&w);
}

/* A node's configuration travels with its record, from the copy that
 * changed it last: station 0 provisions and configures, station 1 learns
 * the node and changes its Default TTL later; the merge keeps the later one
 * (and owns its copy: the sources are freed before the keyring is read). */
static void test_merge_node_config(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	struct mp_nc_settings set = { .mask = MP_NC_SET_DEFAULT_TTL, .default_ttl = 7 };
	const struct mp_node_config *c;
	char *docs[2];
	size_t lens[2];
	uint16_t a;

	(void)state;
	net_new(&w, 2);
	a = provision(&w.st[0], 0x60, 0, 2);
	assert_int_equal(mp_node_config_set(w.st[0].kr, a, &set), 0);
	exports(&w, docs, lens);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), 0);
	mp_merge_report_free(&rep);
	free_docs(docs, 2);
	{
		char *j = export(w.main.kr, NULL);
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };

		assert_int_equal(mp_cdb_import(w.st[1].kr, j, strlen(j), &io), 0);
		mp_keyring_free_secret(j);
	}
	c = mp_node_config(w.st[1].kr, a);
	assert_true(c && c->has_default_ttl && c->default_ttl == 7);
	w.st[1].clk.t += 100;
	set.default_ttl = 9;
	assert_int_equal(mp_node_config_set(w.st[1].kr, a, &set), 0);
	exports(&w, docs, lens);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	mp_merge_report_free(&rep);
	free_docs(docs, 2);
	c = mp_node_config(w.main.kr, a);
	assert_non_null(c);
	assert_true(c->has_default_ttl);
	assert_int_equal(c->default_ttl, 9);
	net_free(&w);
}

/* @doc's first node of address @from (hex "XXXX"), as a json-c object of @root. */
static json_object *node_at(json_object *root, const char *from)
{
	json_object *nodes, *n, *a;
	size_t i;

	assert_true(json_object_object_get_ex(root, "nodes", &nodes));
	for (i = 0; i < json_object_array_length(nodes); i++) {
		n = json_object_array_get_idx(nodes, i);
		if (json_object_object_get_ex(n, "unicastAddress", &a) &&
		    !strcasecmp(json_object_get_string(a), from))
			return n;
	}
	fail_msg("no node %s", from);
	return NULL;
}

/* @doc edited: node @from moved to @to (NULL: not), the node @devkey_of
 * (NULL: none) given another device key; malloc'd. */
static char *edited(char *doc, const char *from, const char *to, const char *devkey_of)
{
	json_object *root = json_tokener_parse(doc);
	char *out;

	assert_non_null(root);
	if (to)
		json_object_object_add(node_at(root, from), "unicastAddress",
				       json_object_new_string(to));
	if (devkey_of)
		json_object_object_add(node_at(root, devkey_of), "deviceKey",
				       json_object_new_string("0123456789ABCDEF0123456789ABCDEF"));
	out = strdup(json_object_to_json_string(root));
	json_object_put(root);
	mp_keyring_free_secret(doc);
	return out;
}

static size_t count_conflicts(const struct mp_merge_report *rep, enum mp_merge_conflict_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n_conflicts; i++)
		n += rep->conflicts[i].kind == k;
	return n;
}

/* @n station files with every kind of conflict spread over them: each is
 * reported, nothing is written, and the files in the reverse order give
 * the same conflicts. */
static void merge_conflicts_n(size_t n)
{
	static const uint8_t k1[16] = { 1 }, k2[16] = { 2 };
	struct mp_station_req grow = { { 0, 0x10, 0 } };
	struct net w;
	struct mp_merge_report rep, rev;
	char *docs[MAXST], *rdocs[MAXST], *before, *after, from[8], to[8], self[8], name[16];
	size_t lens[MAXST], rlens[MAXST], i, k;
	uint16_t a0, alast;

	net_new(&w, n);
	for (i = 0; i < n; i++)
		provision(&w.st[i], (uint8_t)(0x70 + i), 0, 1);
	a0 = 0;
	/* key: AppKey 005 made at two stations apart */
	assert_int_equal(mp_keyring_appkey_add(w.st[0].kr, 5, 0, k1), 0);
	assert_int_equal(mp_keyring_appkey_add(w.st[n - 1].kr, 5, 0, k2), 0);
	/* group: one name, two addresses (each from its own range) */
	assert_int_equal(mp_keyring_group_add(w.st[0].kr, "lights", NULL, NULL, NULL), 0);
	assert_int_equal(mp_keyring_group_add(w.st[n - 1].kr, "lights", NULL, NULL, NULL), 0);
	/* range: two copies grow into the same free group space */
	snprintf(name, sizeof(name), "st-%zu", n - 2);
	assert_int_equal(mp_station_grow(w.st[n - 2].kr, name, &grow), 0);
	snprintf(name, sizeof(name), "st-%zu", n - 1);
	assert_int_equal(mp_station_grow(w.st[n - 1].kr, name, &grow), 0);
	exports(&w, docs, lens);
	/* address: the last station's device at the first station's
	 * device's address; device key: the main keyring's own node with
	 * another key in the last file */
	for (i = 0; i < mp_keyring_node_count(w.st[0].kr); i++)
		if (mp_keyring_node_at(w.st[0].kr, i)->uuid[0] == 0x70)
			a0 = mp_keyring_node_at(w.st[0].kr, i)->addr;
	for (alast = 0, i = 0; i < mp_keyring_node_count(w.st[n - 1].kr); i++)
		if (mp_keyring_node_at(w.st[n - 1].kr, i)->uuid[0] == 0x70 + n - 1)
			alast = mp_keyring_node_at(w.st[n - 1].kr, i)->addr;
	assert_true(a0 && alast);
	snprintf(from, sizeof(from), "%04X", alast);
	snprintf(to, sizeof(to), "%04X", a0);
	snprintf(self, sizeof(self), "%04X", mp_keyring_self_address(w.main.kr));
	docs[n - 1] = edited(docs[n - 1], from, to, self);
	lens[n - 1] = strlen(docs[n - 1]);
	before = snapshot(w.main.kr);
	for (k = 0; k < 2; k++) {
		assert_int_equal(merge(w.main.kr, docs, lens, n, k == 1, &rep), -ENOTUNIQ);
		assert_int_equal(count_conflicts(&rep, MP_MERGE_ADDRESS), 1);
		assert_int_equal(count_conflicts(&rep, MP_MERGE_DEVKEY), 1);
		assert_true(count_conflicts(&rep, MP_MERGE_RANGE) >= 1);
		assert_int_equal(count_conflicts(&rep, MP_MERGE_GROUP), 1);
		assert_int_equal(count_conflicts(&rep, MP_MERGE_KEY), 1);
		assert_int_equal(rep.n_changes, 0);
		assert_non_null(strstr(mp_keyring_error(w.main.kr), "nothing was merged"));
		if (k == 0)
			mp_merge_report_free(&rep);
	}
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	/* the other order: the same conflicts */
	for (i = 0; i < n; i++) {
		rdocs[i] = docs[n - 1 - i];
		rlens[i] = lens[n - 1 - i];
	}
	assert_int_equal(merge(w.main.kr, rdocs, rlens, n, false, &rev), -ENOTUNIQ);
	assert_int_equal(rev.n_conflicts, rep.n_conflicts);
	for (i = 0; i < rep.n_conflicts; i++)
		assert_int_equal(rev.conflicts[i].kind, rep.conflicts[i].kind);
	mp_merge_report_free(&rev);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	free_docs(docs, n);
	net_free(&w);
}

static void test_merge_conflicts_2(void **state)
{
	(void)state;
	merge_conflicts_n(2);
}

static void test_merge_conflicts_3(void **state)
{
	(void)state;
	merge_conflicts_n(3);
}

static void test_merge_conflicts_10(void **state)
{
	(void)state;
	merge_conflicts_n(10);
}

/* @doc with its "groups" replaced by @groups (JSON text); malloc'd. */
static char *with_groups(char *doc, const char *groups)
{
	json_object *root = json_tokener_parse(doc);
	char *out;

	assert_non_null(root);
	json_object_object_add(root, "groups", json_tokener_parse(groups));
	out = strdup(json_object_to_json_string(root));
	json_object_put(root);
	mp_keyring_free_secret(doc);
	return out;
}

/* Groups united: the same group in two copies is one; one group with two
 * parents is a conflict, with --dry-run too; nothing written. */
static void test_merge_group_parents(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[2], *before, *after;
	size_t lens[2];
	const struct mp_group *g;

	(void)state;
	net_new(&w, 2);
	exports(&w, docs, lens);
	docs[0] = with_groups(docs[0], "[{\"name\": \"hall\", \"address\": \"C000\"},"
				       " {\"name\": \"lamp\", \"address\": \"C001\","
				       " \"parentAddress\": \"C000\"}]");
	docs[1] = with_groups(docs[1], "[{\"name\": \"lamp\", \"address\": \"C001\","
				       " \"parentAddress\": \"0000\"},"
				       " {\"name\": \"hall\", \"address\": \"C000\"}]");
	lens[0] = strlen(docs[0]);
	lens[1] = strlen(docs[1]);
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, true, &rep), -ENOTUNIQ);
	assert_int_equal(rep.n_conflicts, 1);
	assert_int_equal(rep.conflicts[0].kind, MP_MERGE_GROUP);
	assert_non_null(strstr(rep.conflicts[0].what, "'lamp' has parent"));
	assert_non_null(strstr(rep.conflicts[0].what, "C000 in f0"));
	assert_non_null(strstr(rep.conflicts[0].what, "none in f1"));
	mp_merge_report_free(&rep);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), -ENOTUNIQ);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	/* the same parent in both: one hall, one lamp under it */
	docs[1] = with_groups(docs[1], "[{\"name\": \"lamp\", \"address\": \"C001\","
				       " \"parentAddress\": \"C000\"}]");
	lens[1] = strlen(docs[1]);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	assert_int_equal(rep.groups_added, 2);
	assert_int_equal(rep.groups, 2);
	mp_merge_report_free(&rep);
	assert_int_equal(mp_keyring_group_count(w.main.kr), 2);
	/* the new ones in address order, whatever order the files had them in */
	assert_string_equal(mp_keyring_group_at(w.main.kr, 0)->name, "hall");
	g = mp_keyring_group_find_name(w.main.kr, "lamp");
	assert_true(g && g->addr.addr == 0xc001 && g->parent.addr == 0xc000);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	assert_int_equal(rep.groups_added, 0);
	mp_merge_report_free(&rep);
	/* this keyring's own group against a copy's: a name with two addresses */
	docs[1] = with_groups(docs[1], "[{\"name\": \"hall\", \"address\": \"C00A\"}]");
	lens[1] = strlen(docs[1]);
	assert_int_equal(merge(w.main.kr, docs + 1, lens + 1, 1, true, &rep), -ENOTUNIQ);
	assert_non_null(strstr(rep.conflicts[0].what, "'hall' is C000 in this keyring and C00A in f0"));
	mp_merge_report_free(&rep);
	free_docs(docs, 2);
	net_free(&w);
}

/* --dry-run: the counts and the list of what would change, nothing written. */
static void test_merge_dry_run_list(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[1], *before, *after;
	size_t lens[1], i;
	uint16_t a, gone;

	(void)state;
	net_new(&w, 1);
	gone = provision(&w.main, 0x55, 0, 1);
	{
		char *j = export(w.main.kr, NULL);
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };

		assert_int_equal(mp_cdb_import(w.st[0].kr, j, strlen(j), &io), 0);
		mp_keyring_free_secret(j);
	}
	a = provision(&w.st[0], 0x56, 0, 2);
	assert_int_equal(mp_keyring_node_remove(w.st[0].kr, gone), 0);
	assert_int_equal(mp_keyring_group_add(w.st[0].kr, "hall", NULL, NULL, NULL), 0);
	/* one step: the removed node's exclusion still holds (two free it) */
	assert_int_equal(mp_keyring_set_iv(w.st[0].kr, 1, false), 0);
	exports(&w, docs, lens);
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, true, &rep), 0);
	assert_int_equal(rep.nodes_added, 1);
	assert_int_equal(rep.nodes_dropped, 1);
	assert_int_equal(rep.groups_added, 1);
	assert_true(rep.exclusions_added >= 1);
	assert_int_equal(rep.iv_before, 0);
	assert_int_equal(rep.iv_after, 1);
	assert_int_equal(count_changes(&rep, MP_MERGE_NODE_ADDED), 1);
	assert_int_equal(count_changes(&rep, MP_MERGE_NODE_DROPPED), 1);
	assert_int_equal(count_changes(&rep, MP_MERGE_GROUP_ADDED), 1);
	assert_int_equal(count_changes(&rep, MP_MERGE_EXCLUSION_ADDED), rep.exclusions_added);
	assert_int_equal(count_changes(&rep, MP_MERGE_IV_INDEX), 1);
	/* sorted by kind, then address */
	for (i = 1; i < rep.n_changes; i++)
		assert_true(rep.changes[i - 1].kind < rep.changes[i].kind ||
			    (rep.changes[i - 1].kind == rep.changes[i].kind &&
			     rep.changes[i - 1].addr <= rep.changes[i].addr));
	for (i = 0; i < rep.n_changes; i++)
		if (rep.changes[i].kind == MP_MERGE_NODE_ADDED)
			assert_int_equal(rep.changes[i].addr, a);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	free_docs(docs, 1);
	net_free(&w);
}

/* A keyring's own export (or a station's copy made from it) merged into
 * it: refused, nothing written; so are a CDB that is no CDB, a truncated
 * one and one with a damaged group. */
static void test_merge_into_itself_and_damaged(void **state)
{
	struct net w;
	struct mp_merge_report rep;
	char *docs[2], *before, *after, notcdb[] = "{\"hello\": [1, 2]}";
	size_t lens[2];

	(void)state;
	net_new(&w, 1);
	before = snapshot(w.main.kr);
	docs[0] = export(w.main.kr, NULL);
	lens[0] = strlen(docs[0]);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EINVAL);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "exported by this keyring itself"));
	mp_merge_report_free(&rep);
	mp_keyring_free_secret(docs[0]);
	docs[0] = export(w.main.kr, mp_keyring_provisioner_at(w.main.kr, 1)->uuid);
	lens[0] = strlen(docs[0]);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, true, &rep), -EINVAL);
	mp_merge_report_free(&rep);
	mp_keyring_free_secret(docs[0]);
	/* not a CDB at all */
	docs[0] = notcdb;
	lens[0] = strlen(notcdb);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EBADMSG);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "f0"));
	mp_merge_report_free(&rep);
	/* a good one, then a truncated one: nothing of the first is merged */
	provision(&w.st[0], 0x57, 0, 1);
	exports(&w, docs, lens);
	docs[1] = strdup(docs[0]);
	lens[1] = lens[0] / 2;
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), -EBADMSG);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "f1"));
	mp_merge_report_free(&rep);
	free(docs[1]);
	/* a group whose address is no address */
	docs[0] = with_groups(docs[0], "[{\"name\": \"hall\", \"address\": \"C0ZZ\"}]");
	lens[0] = strlen(docs[0]);
	assert_int_equal(merge(w.main.kr, docs, lens, 1, false, &rep), -EBADMSG);
	assert_non_null(strstr(mp_keyring_error(w.main.kr), "groups[0]"));
	mp_merge_report_free(&rep);
	mp_keyring_free_secret(docs[0]);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	net_free(&w);
}

/* @doc with the first @from replaced by @to, as a new malloc'd string
 * (@doc freed). */
static char *doc_replace(char *doc, const char *from, const char *to)
{
	const char *p = strstr(doc, from);
	size_t n = strlen(doc) + strlen(to) + 1;
	char *out = malloc(n);

	if (!p || !out)
		fail_msg("'%s' not in the document", from);
	snprintf(out, n, "%.*s%s%s", (int)(p - doc), doc, to, p + strlen(from));
	mp_keyring_free_secret(doc);
	return out;
}

/* Scenes united by number, their elements too, in any order, twice the
 * same; a node removed in a copy leaves them; one number with two names
 * is a conflict, with --dry-run too, and nothing is written. */
static void test_merge_scenes(void **state)
{
	static const size_t perm[2][2] = { { 0, 1 }, { 1, 0 } };
	struct net w;
	struct mp_merge_report rep;
	char *docs[2], *pdocs[2], *before, *after, *first = NULL;
	size_t lens[2], plens[2], i, p;
	const struct mp_scene *s;
	uint16_t m, gone, a, b, all, own;

	(void)state;
	net_new(&w, 2);
	m = provision(&w.main, 0x70, 0, 1);
	gone = provision(&w.main, 0x71, 0, 1);
	assert_int_equal(mp_keyring_scene_add(w.main.kr, "all", 0, &all), 0);
	assert_int_equal(mp_keyring_scene_store(w.main.kr, all, m, true), 0);
	assert_int_equal(mp_keyring_scene_store(w.main.kr, all, gone, true), 0);
	for (i = 0; i < 2; i++) {
		char name[8];
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE, .as_station = name };
		char *j;

		snprintf(name, sizeof(name), "st-%zu", i);
		j = export(w.main.kr, mp_keyring_provisioner_at(w.main.kr, i + 1)->uuid);
		if (mp_cdb_import(w.st[i].kr, j, strlen(j), &io))
			fail_msg("import: %s", mp_keyring_error(w.st[i].kr));
		mp_keyring_free_secret(j);
	}
	a = provision(&w.st[0], 0x72, 0, 2);
	b = provision(&w.st[1], 0x73, 0, 1);
	assert_int_equal(mp_keyring_scene_store(w.st[0].kr, all, (uint16_t)(a + 1), true), 0);
	assert_int_equal(mp_keyring_scene_store(w.st[1].kr, all, b, true), 0);
	/* station 0's own scene, from its own scene range */
	assert_int_equal(mp_keyring_scene_add(w.st[0].kr, "st0 evening", 0, &own), 0);
	assert_int_not_equal(own, all);
	assert_int_equal(mp_keyring_scene_store(w.st[0].kr, own, a, true), 0);
	/* station 1 removed a node: it leaves the scene */
	assert_int_equal(mp_keyring_node_remove(w.st[1].kr, gone), 0);
	exports(&w, docs, lens);
	/* dry run: the list, nothing written */
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, true, &rep), 0);
	assert_int_equal(rep.scenes_added, 1);
	assert_int_equal(rep.scenes_changed, 1);
	assert_int_equal(rep.scenes, 2);
	assert_int_equal(count_changes(&rep, MP_MERGE_SCENE_ADDED), 1);
	assert_int_equal(count_changes(&rep, MP_MERGE_SCENE_CHANGED), 1);
	for (i = 0; i < rep.n_changes; i++)
		if (rep.changes[i].kind == MP_MERGE_SCENE_ADDED) {
			assert_int_equal(rep.changes[i].addr, own);
			assert_non_null(strstr(rep.changes[i].what, "'st0 evening' (1 element)"));
		} else if (rep.changes[i].kind == MP_MERGE_SCENE_CHANGED) {
			assert_non_null(strstr(rep.changes[i].what, "2 more elements"));
		}
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	/* either order: the same network */
	for (p = 0; p < 2; p++) {
		struct mp_keyring_error err;
		struct mp_keyring *kr = NULL;
		char *ser = NULL, *got;

		for (i = 0; i < 2; i++) {
			pdocs[i] = docs[perm[p][i]];
			plens[i] = lens[perm[p][i]];
		}
		assert_int_equal(mp_keyring_serialize(w.main.kr, &ser, NULL), 0);
		assert_int_equal(mp_keyring_parse_opts(ser, strlen(ser), &w.main.o, &kr, &err), 0);
		mp_keyring_free_secret(ser);
		if (merge(kr, pdocs, plens, 2, false, &rep))
			fail_msg("merge: %s", mp_keyring_error(kr));
		mp_merge_report_free(&rep);
		got = snapshot(kr);
		if (!first) {
			first = got;
		} else {
			assert_string_equal(first, got);
			mp_keyring_free_secret(got);
		}
		mp_keyring_close(kr);
	}
	mp_keyring_free_secret(first);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	mp_merge_report_free(&rep);
	s = mp_keyring_scene_find(w.main.kr, all);
	assert_non_null(s);
	assert_int_equal(s->n_addrs, 3);	/* m, a + 1, b; not the removed node's */
	for (i = 0; i < 3; i++) {
		const uint16_t want = i == 0 ? m : i == 1 ? (uint16_t)(a + 1) : b;
		unsigned k;

		for (k = 0; k < s->n_addrs && s->addrs[k] != want; k++)
			;
		assert_true(k < s->n_addrs);
		assert_true(k == 0 || s->addrs[k - 1] < s->addrs[k]);	/* in order */
	}
	s = mp_keyring_scene_find(w.main.kr, own);
	assert_true(s && s->n_addrs == 1 && s->addrs[0] == a);
	assert_string_equal(s->name, "st0 evening");
	/* twice: nothing changes */
	before = snapshot(w.main.kr);
	assert_int_equal(merge(w.main.kr, docs, lens, 2, false, &rep), 0);
	assert_int_equal(rep.scenes_added + rep.scenes_changed, 0);
	assert_int_equal(count_changes(&rep, MP_MERGE_SCENE_CHANGED), 0);
	mp_merge_report_free(&rep);
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	/* one number, two names: a conflict naming both copies, nothing written */
	docs[1] = doc_replace(docs[1], "\"name\": \"all\"", "\"name\": \"everything\"");
	lens[1] = strlen(docs[1]);
	before = snapshot(w.main.kr);
	for (i = 0; i < 2; i++) {
		assert_int_equal(merge(w.main.kr, docs, lens, 2, i == 0, &rep), -ENOTUNIQ);
		assert_int_equal(rep.n_conflicts, 1);
		assert_int_equal(rep.conflicts[0].kind, MP_MERGE_SCENE);
		assert_non_null(strstr(rep.conflicts[0].what, "'all' in f0 and 'everything' in f1"));
		assert_string_equal(mp_merge_conflict_str(rep.conflicts[0].kind), "scene");
		assert_int_equal(rep.n_changes, 0);
		mp_merge_report_free(&rep);
	}
	after = snapshot(w.main.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);
	mp_keyring_free_secret(before);
	free_docs(docs, 2);
	net_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_2),
		cmocka_unit_test(test_merge_3),
		cmocka_unit_test(test_merge_10),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_merge_conflicts),
		cmocka_unit_test(test_merge_range_conflict),
		cmocka_unit_test(test_merge_bad_input),
		cmocka_unit_test(test_merge_removal_iv_partial),
		cmocka_unit_test(test_merge_reprovisioned_and_group_names),
		cmocka_unit_test(test_merge_node_config),
		cmocka_unit_test(test_merge_conflicts_2),
		cmocka_unit_test(test_merge_conflicts_3),
		cmocka_unit_test(test_merge_conflicts_10),
		cmocka_unit_test(test_merge_group_parents),
		cmocka_unit_test(test_merge_dry_run_list),
		cmocka_unit_test(test_merge_into_itself_and_damaged),
		cmocka_unit_test(test_merge_scenes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
