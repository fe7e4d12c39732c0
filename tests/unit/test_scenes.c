/* store/scenes: the network's scenes in the keyring file and the CDB
 * (MshCDB 1.0.1 2.1.7), nRF Mesh's exports of them, what is refused, the
 * addresses of removed nodes, and scene ranges of stations. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include <json-c/json.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/nodes.h"
#include "store/scenes.h"
#include "store/stations.h"

struct side {
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
	struct mp_keyring *kr;
};

static void side_new(struct side *s, uint64_t seed)
{
	s->o = ktu_opts(&s->rng, &s->rs, &s->clk, seed);
	assert_int_equal(mp_keyring_new(&s->o, &s->kr, NULL), 0);
}

static const uint8_t devkey[16] = { 0xd0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

#define ok(kr, call) do {							\
		int r_ = (call);						\
		if (r_)								\
			fail_msg("%s: %d %s", #call, r_, mp_keyring_error(kr));	\
	} while (0)

static uint16_t provision(struct mp_keyring *kr, uint8_t tag, uint8_t elements)
{
	uint8_t uuid[16];
	uint16_t a;

	memset(uuid, tag, 16);
	ok(kr, mp_keyring_node_add_pending(kr, uuid, elements, devkey, NULL, &a));
	ok(kr, mp_keyring_node_complete(kr, a));
	return a;
}

static char *export(struct mp_keyring *kr)
{
	struct mp_cdb_export_opts o = { .with_device_keys = true };
	char *json;

	if (mp_cdb_export(kr, &o, &json, NULL))
		fail_msg("export: %s", mp_keyring_error(kr));
	return json;
}

static char *native(struct mp_keyring *kr)
{
	char *s;

	assert_int_equal(mp_keyring_serialize(kr, &s, NULL), 0);
	return s;
}

/* @s with the first @from replaced by @to (malloc'd). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) + strlen(to) + 1;
	char *out = malloc(n);

	if (!p || !out)
		fail_msg("'%s' not in the document", from);
	snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

static char *fixture(const char *name)
{
	char path[512];
	char *s;

	snprintf(path, sizeof(path), "%s/cdb/%s", MP_CDB_FIXTURES, name);
	s = ktu_read(path, NULL);
	if (!s)
		fail_msg("cannot read %s", path);
	return s;
}

/* A light of 2 elements (0002) and a lamp (0004), two scenes. */
static void scenes(struct mp_keyring *kr, uint16_t *light, uint16_t *lamp)
{
	uint16_t n;

	*light = provision(kr, 0x11, 2);
	*lamp = provision(kr, 0x22, 1);
	ok(kr, mp_keyring_scene_add(kr, "Evening", 0, &n));
	assert_int_equal(n, 0x0001);
	ok(kr, mp_keyring_scene_add(kr, "Reading", 0x000a, NULL));
	ok(kr, mp_keyring_scene_store(kr, 0x000a, *lamp, true));
	ok(kr, mp_keyring_scene_store(kr, 0x000a, *light, true));
	ok(kr, mp_keyring_scene_store(kr, 0x0001, *light + 1, true));
	ok(kr, mp_keyring_scene_store(kr, 0x0001, *light + 1, true));	/* already so */
}

/* keyring -> CDB -> keyring -> CDB: the same bytes, the CDB's shape, and
 * the same keyring file. */
static void test_roundtrip(void **state)
{
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	const struct mp_scene *s;
	char *cdb, *cdb2, *na, *nb;
	json_object *root;
	uint16_t light, lamp;

	(void)state;
	side_new(&a, 1);
	side_new(&b, 2);
	scenes(a.kr, &light, &lamp);
	assert_int_equal(mp_keyring_scene_count(a.kr), 2);
	s = mp_keyring_scene_find(a.kr, 0x000a);
	assert_non_null(s);
	assert_string_equal(s->name, "Reading");
	assert_int_equal(s->n_addrs, 2);
	assert_int_equal(s->addrs[0], light);	/* in address order */
	assert_int_equal(s->addrs[1], lamp);
	cdb = export(a.kr);
	root = json_tokener_parse(cdb);
	assert_non_null(root);
	assert_string_equal(json_object_get_string(tu_get(root, "scenes.0.name")), "Evening");
	assert_string_equal(json_object_get_string(tu_get(root, "scenes.0.number")), "0001");
	assert_string_equal(json_object_get_string(tu_get(root, "scenes.0.addresses.0")), "0003");
	assert_string_equal(json_object_get_string(tu_get(root, "scenes.1.number")), "000A");
	assert_int_equal(json_object_array_length(tu_get(root, "scenes.1.addresses")), 2);
	json_object_put(root);
	if (mp_cdb_import(b.kr, cdb, strlen(cdb), &io))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	assert_int_equal(mp_keyring_scene_count(b.kr), 2);
	assert_int_equal(mp_keyring_scene_at(b.kr, 0)->addrs[0], light + 1);
	cdb2 = export(b.kr);
	assert_string_equal(cdb, cdb2);
	na = native(a.kr);
	nb = native(b.kr);
	assert_string_equal(na, nb);
	assert_non_null(strstr(na, "\"scenes\""));
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(cdb2);
	mp_keyring_free_secret(na);
	mp_keyring_free_secret(nb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

/* In the keyring file: saved, read back, format version 2 still; a
 * keyring without scenes writes no "scenes". */
static void test_keyring_file(void **state)
{
	struct ktu_fx *f = ktu_fx_new(3);
	struct mp_keyring *kr;
	char *before, *after, *disk;
	uint16_t light, lamp;

	(void)state;
	if (!f)
		abort();
	kr = ktu_open_ok(f);
	before = native(kr);
	assert_null(strstr(before, "\"scenes\""));
	mp_keyring_free_secret(before);
	scenes(kr, &light, &lamp);
	before = native(kr);
	mp_keyring_close(kr);
	disk = ktu_read(f->path, NULL);
	assert_non_null(strstr(disk, "\"scenes\""));
	assert_non_null(strstr(disk, "\"meshprov-keyring\": 2"));
	free(disk);
	f->o.flags = 0;
	kr = ktu_open_ok(f);
	after = native(kr);
	assert_string_equal(before, after);
	assert_int_equal(mp_keyring_scene_find(kr, 0x0001)->addrs[0], light + 1);
	mp_keyring_free_secret(before);
	mp_keyring_free_secret(after);
	mp_keyring_close(kr);
	ktu_fx_free(f);
}

/* Import, export, import that, export: the same bytes; the keyring. */
static void import_stable(const char *json, struct side *b)
{
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	struct side c;
	char *e1, *e2;

	side_new(b, 2);
	if (mp_cdb_import(b->kr, json, strlen(json), &io))
		fail_msg("import: %s", mp_keyring_error(b->kr));
	side_new(&c, 3);
	e1 = export(b->kr);
	if (mp_cdb_import(c.kr, e1, strlen(e1), &io))
		fail_msg("re-import: %s", mp_keyring_error(c.kr));
	e2 = export(c.kr);
	assert_string_equal(e1, e2);
	mp_keyring_free_secret(e1);
	mp_keyring_free_secret(e2);
	mp_keyring_close(c.kr);
}

/* nRF Mesh for Android: "name", "addresses", "number" in that order, the
 * scenes and their addresses in no particular order, one stored nowhere. */
static void test_import_nrf_android(void **state)
{
	struct side b;
	const struct mp_scene *s;
	uint32_t used, total;
	char *json = fixture("nrf-android-scenes.json");

	(void)state;
	import_stable(json, &b);
	assert_int_equal(mp_keyring_scene_count(b.kr), 3);
	s = mp_keyring_scene_at(b.kr, 0);
	assert_int_equal(s->number, 0x0001);
	assert_string_equal(s->name, "Evening");
	assert_int_equal(s->n_addrs, 3);
	assert_int_equal(s->addrs[0], 0x0002);
	assert_int_equal(s->addrs[2], 0x0004);
	s = mp_keyring_scene_at(b.kr, 1);
	assert_int_equal(s->number, 0x000a);
	assert_int_equal(s->n_addrs, 2);
	assert_int_equal(s->addrs[0], 0x0002);
	assert_int_equal(s->addrs[1], 0x0004);
	s = mp_keyring_scene_find(b.kr, 0x3333);
	assert_non_null(s);
	assert_string_equal(s->name, "nRF Scene");
	assert_int_equal(s->n_addrs, 0);
	/* the phone's scene range, three of its numbers used */
	mp_station_scene_usage(b.kr, mp_keyring_self(b.kr), &used, &total);
	assert_int_equal(used, 3);
	assert_int_equal(total, 0x3333);
	free(json);
	mp_keyring_close(b.kr);
}

/* nRF Mesh for iOS 3.0 betas ("scene" for "number"), older Android (an
 * integer), a scene without "addresses", and none at all (mesh-cfgclient). */
static void test_import_variants(void **state)
{
	static const struct {
		const char *from, *to;
		uint16_t number;
		unsigned n_addrs;
	} cases[] = {
		{ "\"number\": \"000A\"", "\"scene\": \"000A\"", 0x000a, 2 },
		{ "\"number\": \"000A\"", "\"number\": 10", 0x000a, 2 },
		{ "\"addresses\": [ \"0004\", \"0002\" ], ", "", 0x000a, 0 },
	};
	char *json = fixture("nrf-android-scenes.json"), *doc;
	struct side b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mp_scene *s;

		doc = replace(json, cases[i].from, cases[i].to);
		import_stable(doc, &b);
		s = mp_keyring_scene_find(b.kr, cases[i].number);
		if (!s)
			fail_msg("case %zu: no scene %04X", i, cases[i].number);
		assert_string_equal(s->name, "Reading");
		assert_int_equal(s->n_addrs, cases[i].n_addrs);
		mp_keyring_close(b.kr);
		free(doc);
	}
	/* no "scenes", or an empty one */
	{
		const char *p = strstr(json, "\"scenes\"");
		const char *q = strstr(json, "\"networkExclusions\"");
		size_t n = (size_t)(p - json);
		char *none = calloc(1, strlen(json) + 1);

		memcpy(none, json, n);
		strcpy(none + n, q);
		import_stable(none, &b);
		assert_int_equal(mp_keyring_scene_count(b.kr), 0);
		mp_keyring_close(b.kr);
		strcpy(none + n, "\"scenes\": [], ");
		strcat(none, q);
		import_stable(none, &b);
		assert_int_equal(mp_keyring_scene_count(b.kr), 0);
		mp_keyring_close(b.kr);
		free(none);
	}
	free(json);
}

/* What is refused, the field named, nothing imported; the keyring file
 * likewise. */
static void test_refusals(void **state)
{
	static const struct {
		const char *from, *to, *field;
	} cases[] = {
		{ "\"number\": \"0001\"", "\"number\": \"0000\"", "scenes[1].number" },
		{ "\"number\": \"0001\"", "\"number\": 0", "scenes[1].number" },
		{ "\"number\": \"0001\"", "\"number\": \"000a\"", "scenes[1].number" },	/* twice */
		{ "\"number\": \"0001\"", "\"number\": \"01\"", "scenes[1].number" },
		{ "\"number\": \"0001\"", "\"number\": 65536", "scenes[1].number" },
		{ "\"number\": \"0001\"", "\"numbr\": \"0001\"", "scenes[1].number" },
		{ "[ \"0002\", \"0003\", \"0004\" ]", "[ \"0002\", \"8003\" ]",
		  "scenes[1].addresses[1]" },
		{ "[ \"0002\", \"0003\", \"0004\" ]", "[ \"0000\" ]", "scenes[1].addresses[0]" },
		{ "[ \"0002\", \"0003\", \"0004\" ]", "[ \"0002\", \"0002\" ]",
		  "scenes[1].addresses[1]" },
		{ "[ \"0002\", \"0003\", \"0004\" ]", "[ \"0002\", \"0009\" ]",
		  "scenes[1].addresses[1]" },	/* no node has 0009 */
		{ "[ \"0002\", \"0003\", \"0004\" ]", "[ 2 ]", "scenes[1].addresses[0]" },
		{ "\"name\": \"Evening\", ", "", "scenes[1].name" },
		{ "\"name\": \"Evening\"", "\"name\": \"Eve\\u0007\"", "scenes[1].name" },
	};
	char *json = fixture("nrf-android-scenes.json"), *doc;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT | MP_CDB_REPLACE };
	const struct mp_keyring_error *err;
	struct side b;
	size_t i;

	(void)state;
	side_new(&b, 7);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = replace(json, cases[i].from, cases[i].to);
		if (mp_cdb_import(b.kr, doc, strlen(doc), &io) != -EBADMSG)
			fail_msg("case %zu (%s) was not refused", i, cases[i].to);
		err = mp_keyring_last_error(b.kr);
		if (strcmp(err->field, cases[i].field))
			fail_msg("case %zu: expected field %s, got %s (%s)", i, cases[i].field,
				 err->field, err->msg);
		assert_int_equal(mp_keyring_scene_count(b.kr), 0);
		free(doc);
	}
	free(json);
	/* the keyring file: a scene naming an element no node has */
	{
		struct mp_keyring *kr = NULL;
		struct mp_keyring_error e;
		uint16_t light, lamp;
		char *good, *bad;

		scenes(b.kr, &light, &lamp);
		good = native(b.kr);
		bad = replace(good, "\"0003\"", "\"0007\"");
		assert_int_equal(mp_keyring_parse(bad, strlen(bad), NULL, 0, &kr, &e), -EBADMSG);
		assert_null(kr);
		assert_string_equal(e.field, "scenes[0].addresses[0]");
		free(bad);
		assert_int_equal(mp_keyring_parse(good, strlen(good), NULL, 0, &kr, &e), 0);
		assert_int_equal(mp_keyring_scene_count(kr), 2);
		mp_keyring_close(kr);
		mp_keyring_free_secret(good);
	}
	mp_keyring_close(b.kr);
}

/* A node removed (node remove, node reset) leaves every scene; the file
 * stays readable. */
static void test_node_removed(void **state)
{
	struct ktu_fx *f = ktu_fx_new(5);
	struct mp_keyring *kr;
	const struct mp_scene *s;
	uint16_t light, lamp;

	(void)state;
	if (!f)
		abort();
	kr = ktu_open_ok(f);
	scenes(kr, &light, &lamp);
	ok(kr, mp_keyring_node_remove(kr, light));
	s = mp_keyring_scene_find(kr, 0x0001);
	assert_int_equal(s->n_addrs, 0);
	s = mp_keyring_scene_find(kr, 0x000a);
	assert_int_equal(s->n_addrs, 1);
	assert_int_equal(s->addrs[0], lamp);
	mp_keyring_close(kr);
	f->o.flags = 0;
	kr = ktu_open_ok(f);
	assert_int_equal(mp_keyring_scene_find(kr, 0x000a)->n_addrs, 1);
	assert_int_equal(mp_keyring_scene_find(kr, 0x0001)->n_addrs, 0);
	mp_keyring_close(kr);
	ktu_fx_free(f);
}

/* The calls: numbers from this provisioner's ranges, refusals. */
static void test_api(void **state)
{
	struct side a;
	struct mp_keyring *kr;
	uint16_t light, lamp, n;

	(void)state;
	side_new(&a, 9);
	kr = a.kr;
	scenes(kr, &light, &lamp);
	ok(kr, mp_keyring_scene_add(kr, "", 0, &n));
	assert_int_equal(n, 0x0002);		/* the lowest free one */
	assert_int_equal(mp_keyring_scene_add(kr, "again", 0x000a, NULL), -EEXIST);
	assert_int_equal(mp_keyring_scene_add(kr, "far", 0xf000, NULL), -ERANGE);
	assert_non_null(strstr(mp_keyring_error(kr), "0001-0FFF"));
	assert_int_equal(mp_keyring_scene_add(kr, "bad\n", 0, NULL), -EINVAL);
	assert_int_equal(mp_keyring_scene_store(kr, 0x0003, lamp, true), -ENOENT);
	assert_int_equal(mp_keyring_scene_store(kr, 0x0002, 0x0100, true), -ENOENT);
	ok(kr, mp_keyring_scene_store(kr, 0x000a, lamp, false));
	ok(kr, mp_keyring_scene_store(kr, 0x000a, lamp, false));
	assert_int_equal(mp_keyring_scene_find(kr, 0x000a)->n_addrs, 1);
	ok(kr, mp_keyring_scene_remove(kr, 0x0001));
	assert_null(mp_keyring_scene_find(kr, 0x0001));
	assert_int_equal(mp_keyring_scene_remove(kr, 0x0001), -ENOENT);
	assert_int_equal(mp_keyring_scene_count(kr), 2);
	assert_int_equal(mp_keyring_scene_at(kr, 0)->number, 0x0002);
	assert_null(mp_keyring_scene_at(kr, 2));
	mp_keyring_close(kr);
}

/* Station usage, and a new station's scene range never takes a number one
 * of our scenes has when our range gives way. */
static void test_station_ranges(void **state)
{
	struct mp_station_req big = { { 1, 0, 0x10000 - 0x1000 } }, q = { { 1, 0, 4 } };
	struct side a;
	struct mp_keyring *kr;
	const struct mp_provisioner *p;
	uint32_t used, total;
	long si;

	(void)state;
	side_new(&a, 11);
	kr = a.kr;
	ok(kr, mp_keyring_scene_add(kr, "top", 0x0fff, NULL));
	ok(kr, mp_keyring_scene_add(kr, "low", 0, NULL));
	mp_station_scene_usage(kr, mp_keyring_self(kr), &used, &total);
	assert_int_equal(used, 2);
	assert_int_equal(total, 0x0fff);
	/* every scene number outside our range (1000-FFFF) to one station:
	 * the next one's come off the top of ours, where scene 0FFF is */
	ok(kr, mp_station_add(kr, "big", &big));
	assert_int_equal(mp_station_add(kr, "line-a", &q), -ENOSPC);
	assert_int_equal(mp_station_find(kr, "line-a"), -1);
	assert_non_null(mp_keyring_scene_find(kr, 0x0fff));
	ok(kr, mp_keyring_scene_remove(kr, 0x0fff));
	ok(kr, mp_station_add(kr, "line-a", &q));
	si = mp_station_find(kr, "line-a");
	p = mp_keyring_provisioner_at(kr, (size_t)si);
	mp_station_scene_usage(kr, p, &used, &total);
	assert_int_equal(used, 0);
	assert_int_equal(total, 4);
	assert_int_equal(p->scene[0].low, 0x0ffc);
	mp_station_scene_usage(kr, mp_keyring_self(kr), &used, &total);
	assert_int_equal(used, 1);
	assert_int_equal(total, 0x0fff - 4);
	mp_keyring_close(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_keyring_file),
		cmocka_unit_test(test_import_nrf_android),
		cmocka_unit_test(test_import_variants),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_node_removed),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_station_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
