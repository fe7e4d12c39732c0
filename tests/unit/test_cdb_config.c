/* store/node_config: each node's configuration and the groups, in the
 * keyring file and the CDB (MshCDB 1.0.1 2.1.4-2.1.6), and the CDBs other
 * tools write (fixtures written by hand in tests/vectors/cdb/). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

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
static const uint8_t label[16] = { 0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
				   0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1 };

#define ok(kr, call) do {							\
		int r_ = (call);						\
		if (r_)								\
			fail_msg("%s: %d %s", #call, r_, mp_keyring_error(kr));	\
	} while (0)

/* A light of two elements, configured as a profile would leave it. */
static uint16_t configure(struct mp_keyring *kr)
{
	static const struct mp_nc_comp_model m0[] = {
		{ MP_NC_SIG, 0x0000 }, { MP_NC_SIG, 0x1000 }, { 0x0059, 0x000a } };
	static const struct mp_nc_comp_model m1[] = { { MP_NC_SIG, 0x1001 } };
	static const struct mp_nc_comp_element els[] = {
		{ 0x0100, 3, m0 }, { 0x0101, 1, m1 } };
	const struct mp_nc_comp comp = { .cid = 0x0059, .pid = 0x0001, .vid = 0x0002,
					 .crpl = 0x0020,
					 .features = MP_NC_FEAT_RELAY | MP_NC_FEAT_PROXY,
					 .n_elements = 2, .elements = els };
	struct mp_nc_addr g = { .addr = 0xc000 }, v = { .virt = true };
	struct mp_nc_pub pub = { .addr = { .virt = true }, .app_index = 1, .ttl = 5,
				 .period_steps = 3, .period_res_ms = 1000, .credentials = true,
				 .rtx_count = 2, .rtx_interval_ms = 150 };
	struct mp_nc_settings set = {
		.mask = MP_NC_SET_DEFAULT_TTL | MP_NC_SET_NET_TX | MP_NC_SET_RELAY |
			MP_NC_SET_PROXY | MP_NC_SET_BEACON,
		.default_ttl = 5, .net_tx = { 3, 20 }, .relay = MP_NC_ON, .relay_rtx = { 2, 30 },
		.proxy = MP_NC_ON, .beacon = MP_NC_ON };
	const struct mp_group *kitchen, *scene;
	uint8_t uuid[16];
	uint16_t a;

	memcpy(v.label, label, 16);
	memcpy(pub.addr.label, label, 16);
	memset(uuid, 0x5a, 16);
	ok(kr, mp_keyring_appkey_add(kr, 0, 0, NULL));
	ok(kr, mp_keyring_appkey_add(kr, 1, 0, NULL));
	ok(kr, mp_keyring_node_add_pending(kr, uuid, 2, devkey, NULL, &a));
	ok(kr, mp_keyring_node_complete(kr, a));
	ok(kr, mp_keyring_node_set_key(kr, a, true, 0, true));
	ok(kr, mp_keyring_node_set_key(kr, a, true, 1, true));
	ok(kr, mp_node_config_set_composition(kr, a, &comp));
	ok(kr, mp_node_config_bind(kr, a, 0, MP_NC_SIG, 0x1000, 1, true));
	ok(kr, mp_node_config_bind(kr, a, 0, MP_NC_SIG, 0x1000, 0, true));
	ok(kr, mp_node_config_bind(kr, a, 0, 0x0059, 0x000a, 1, true));
	ok(kr, mp_node_config_subscribe(kr, a, 0, MP_NC_SIG, 0x1000, MP_NC_SUB_ADD, &g));
	ok(kr, mp_node_config_subscribe(kr, a, 0, MP_NC_SIG, 0x1000, MP_NC_SUB_ADD, &v));
	ok(kr, mp_node_config_subscribe(kr, a, 1, MP_NC_SIG, 0x1001, MP_NC_SUB_ADD, &g));
	ok(kr, mp_node_config_publish(kr, a, 0, MP_NC_SIG, 0x1000, &pub));
	ok(kr, mp_node_config_set(kr, a, &set));
	ok(kr, mp_node_config_set_updated(kr, a, true, 1, true));
	ok(kr, mp_keyring_node_set_config_complete(kr, a, true));
	ok(kr, mp_keyring_group_add(kr, "Kitchen", NULL, NULL, &kitchen));
	assert_int_equal(kitchen->addr.addr, 0xc000);
	ok(kr, mp_keyring_group_add(kr, "Scene", &v, &g, &scene));
	assert_true(scene->addr.virt);
	assert_int_equal(scene->parent.addr, 0xc000);
	return a;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	if (!p || !out)
		fail_msg("'%s' not in the document", from);
	snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
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

/* What configure() recorded, read through the API. */
static void check_configured(struct mp_keyring *kr, uint16_t a)
{
	const struct mp_node_config *c = mp_node_config(kr, a);
	const struct mp_nc_model *m;
	const struct mp_group *g;

	assert_non_null(c);
	assert_true(c->has_comp);
	assert_int_equal(c->cid, 0x0059);
	assert_int_equal(c->pid, 0x0001);
	assert_int_equal(c->vid, 0x0002);
	assert_int_equal(c->crpl, 0x0020);
	assert_int_equal(c->relay, MP_NC_ON);
	assert_int_equal(c->proxy, MP_NC_ON);
	assert_int_equal(c->friend_, MP_NC_UNSUPPORTED);
	assert_int_equal(c->low_power, MP_NC_UNSUPPORTED);
	assert_int_equal(c->beacon, MP_NC_ON);
	assert_true(c->has_default_ttl);
	assert_int_equal(c->default_ttl, 5);
	assert_int_equal(c->net_tx.count, 3);
	assert_int_equal(c->net_tx.interval_ms, 20);
	assert_int_equal(c->relay_rtx.count, 2);
	assert_int_equal(c->relay_rtx.interval_ms, 30);
	assert_int_equal(c->n_elements, 2);
	assert_int_equal(c->elements[0].location, 0x0100);
	assert_int_equal(c->elements[0].n_models, 3);
	m = mp_node_config_model(c, 0, MP_NC_SIG, 0x1000);
	assert_non_null(m);
	assert_int_equal(m->n_bind, 2);
	assert_int_equal(m->bind[0], 1);
	assert_int_equal(m->bind[1], 0);
	assert_int_equal(m->n_sub, 2);
	assert_int_equal(m->sub[0].addr, 0xc000);
	assert_true(m->sub[1].virt);
	assert_memory_equal(m->sub[1].label, label, 16);
	assert_true(m->sub[1].addr >= 0x8000 && m->sub[1].addr < 0xc000);
	assert_true(m->has_pub);
	assert_true(m->pub.addr.virt);
	assert_int_equal(m->pub.addr.addr, m->sub[1].addr);
	assert_int_equal(m->pub.app_index, 1);
	assert_int_equal(m->pub.period_steps, 3);
	assert_int_equal(m->pub.period_res_ms, 1000);
	assert_true(m->pub.credentials);
	assert_int_equal(m->pub.rtx_count, 2);
	assert_int_equal(m->pub.rtx_interval_ms, 150);
	m = mp_node_config_model(c, 0, 0x0059, 0x000a);
	assert_non_null(m);
	assert_int_equal(m->n_bind, 1);
	assert_non_null(mp_node_config_model(c, 1, MP_NC_SIG, 0x1001));
	assert_null(mp_node_config_model(c, 1, MP_NC_SIG, 0x1000));
	assert_int_equal(c->n_app_updated, 1);
	assert_int_equal(c->app_updated[0], 1);
	assert_int_equal(mp_keyring_group_count(kr), 2);
	g = mp_keyring_group_find_name(kr, "Scene");
	assert_non_null(g);
	assert_memory_equal(g->addr.label, label, 16);
	assert_ptr_equal(mp_keyring_group_find(kr, g->addr.addr), g);
	assert_ptr_equal(mp_keyring_group_find(kr, 0xc000), mp_keyring_group_find_name(kr, "Kitchen"));
}

/* keyring -> CDB -> another keyring: the same configuration, the same
 * file to the byte, and a second export the same as the first. */
static void test_roundtrip(void **state)
{
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	char *cdb, *cdb2, *na, *nb;
	json_object *root, *m;
	uint16_t addr;

	(void)state;
	side_new(&a, 1);
	side_new(&b, 2);
	addr = configure(a.kr);
	check_configured(a.kr, addr);
	cdb = export(a.kr);
	/* The CDB's own shape. */
	root = json_tokener_parse(cdb);
	assert_non_null(root);
	m = tu_get(root, "nodes.1.elements.0.models.1");
	assert_string_equal(json_object_get_string(tu_get(m, "modelId")), "1000");
	assert_int_equal(json_object_get_int(tu_get(m, "bind.0")), 1);
	assert_string_equal(json_object_get_string(tu_get(m, "subscribe.0")), "C000");
	assert_string_equal(json_object_get_string(tu_get(m, "subscribe.1")),
			    "0073E7E4D8B9440FAF8415DF4C56C0E1");
	assert_int_equal(json_object_get_int(tu_get(m, "publish.period.resolution")), 1000);
	assert_string_equal(json_object_get_string(tu_get(root, "nodes.1.elements.0.models.2.modelId")),
			    "0059000A");
	assert_string_equal(json_object_get_string(tu_get(root, "nodes.1.cid")), "0059");
	assert_int_equal(json_object_get_int(tu_get(root, "nodes.1.features.friend")), 2);
	assert_true(json_object_get_boolean(tu_get(root, "nodes.1.appKeys.1.updated")));
	assert_false(json_object_get_boolean(tu_get(root, "nodes.1.appKeys.0.updated")));
	assert_string_equal(json_object_get_string(tu_get(root, "groups.1.parentAddress")), "C000");
	json_object_put(root);

	if (mp_cdb_import(b.kr, cdb, strlen(cdb), &io))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	check_configured(b.kr, addr);
	na = native(a.kr);
	nb = native(b.kr);
	assert_string_equal(na, nb);
	cdb2 = export(b.kr);
	assert_string_equal(cdb, cdb2);
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(cdb2);
	mp_keyring_free_secret(na);
	mp_keyring_free_secret(nb);

	/* A run's progress is the keyring's, never the CDB's. */
	ok(a.kr, mp_node_config_step_done(a.kr, addr, "lights-v1", "appkey-add:0"));
	ok(a.kr, mp_node_config_step_done(a.kr, addr, "lights-v1", "bind:0/1000/0"));
	assert_true(mp_node_config_step_is_done(a.kr, addr, "lights-v1", "bind:0/1000/0"));
	assert_false(mp_node_config_step_is_done(a.kr, addr, "lights-v2", "bind:0/1000/0"));
	na = native(a.kr);
	assert_non_null(strstr(na, "lights-v1"));
	cdb = export(a.kr);
	assert_null(strstr(cdb, "lights-v1"));
	assert_null(strstr(cdb, "steps"));
	/* Another profile starts again. */
	ok(a.kr, mp_node_config_step_done(a.kr, addr, "lights-v2", "x"));
	assert_false(mp_node_config_step_is_done(a.kr, addr, "lights-v1", "appkey-add:0"));
	assert_int_equal(mp_node_config(a.kr, addr)->n_steps, 1);
	ok(a.kr, mp_node_config_steps_clear(a.kr, addr));
	assert_false(mp_node_config_step_is_done(a.kr, addr, "lights-v2", "x"));
	mp_keyring_free_secret(na);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

/* In the keyring file: every change saved, all of it read back. */
static void test_keyring_file(void **state)
{
	struct ktu_fx *f = ktu_fx_new(3);
	struct mp_keyring *kr;
	char *before, *after, *disk;
	uint16_t addr;

	(void)state;
	if (!f)
		abort();
	kr = ktu_open_ok(f);
	addr = configure(kr);
	ok(kr, mp_node_config_step_done(kr, addr, "p", "s1"));
	before = native(kr);
	mp_keyring_close(kr);
	disk = ktu_read(f->path, NULL);
	assert_non_null(strstr(disk, "\"config\""));
	assert_non_null(strstr(disk, "\"groups\""));
	assert_non_null(strstr(disk, "\"meshprov-keyring\": 2"));
	free(disk);
	f->o.flags = 0;
	kr = ktu_open_ok(f);
	check_configured(kr, addr);
	assert_true(mp_node_config_step_is_done(kr, addr, "p", "s1"));
	after = native(kr);
	assert_string_equal(before, after);
	/* A key the node loses and gets again has not been refreshed. */
	ok(kr, mp_keyring_node_set_key(kr, addr, true, 1, false));
	ok(kr, mp_keyring_node_set_key(kr, addr, true, 1, true));
	assert_int_equal(mp_node_config(kr, addr)->n_app_updated, 0);
	ok(kr, mp_node_config_set_updated(kr, addr, true, 1, true));
	/* A key deleted while flagged updated: the file stays readable. */
	ok(kr, mp_keyring_appkey_del(kr, 1));
	mp_keyring_close(kr);
	kr = ktu_open_ok(f);
	assert_int_equal(mp_node_config(kr, addr)->n_app_updated, 0);
	/* Removing a node takes its configuration with it. */
	ok(kr, mp_keyring_node_remove(kr, addr));
	assert_null(mp_node_config(kr, addr));
	mp_keyring_free_secret(before);
	mp_keyring_free_secret(after);
	mp_keyring_close(kr);
	ktu_fx_free(f);
}

/* A keyring written before these fields loads as it did, and gains none
 * of them until something is recorded. */
static void test_old_keyring_loads(void **state)
{
	struct ktu_fx *f = ktu_fx_new(4);
	struct mp_keyring *kr;
	char *s;
	size_t i;

	(void)state;
	if (!f)
		abort();
	kr = ktu_open_ok(f);
	mp_keyring_close(kr);
	s = ktu_read(f->path, NULL);
	assert_null(strstr(s, "\"config\""));
	assert_null(strstr(s, "\"groups\""));
	free(s);
	f->o.flags = 0;
	kr = ktu_open_ok(f);
	for (i = 0; i < mp_keyring_node_count(kr); i++)
		assert_null(mp_keyring_node_at(kr, i)->config);
	assert_int_equal(mp_keyring_group_count(kr), 0);
	/* An empty "config" records nothing, and is not written back. */
	{
		struct mp_keyring *k2 = NULL;
		struct mp_keyring_error err;
		char *doc, *out;

		out = native(kr);
		doc = replace(out, "\"unicastAddress\"", "\"config\": { \"features\": {} }, "
			      "\"unicastAddress\"");
		ok(kr, mp_keyring_parse(doc, strlen(doc), NULL, 0, &k2, &err));
		mp_keyring_free_secret(doc);
		doc = native(k2);
		assert_string_equal(doc, out);
		mp_keyring_free_secret(doc);
		mp_keyring_free_secret(out);
		mp_keyring_close(k2);
	}
	mp_keyring_close(kr);
	ktu_fx_free(f);
}

/* A damaged configuration field: refused, naming the node and the field. */
static void test_corrupt_config_field(void **state)
{
	static const struct {
		const char *from, *to, *field;
	} cases[] = {
		{ "\"modelId\": \"1000\"", "\"modelId\": \"10G0\"",
		  "nodes[1].config.elements[0].models[1].modelId" },
		{ "\"modelId\": \"1000\"", "\"modelId\": \"100\"",
		  "nodes[1].config.elements[0].models[1].modelId" },
		{ "\"bind\": [ 1, 0 ]", "\"bind\": [ 1, 4096 ]",
		  "nodes[1].config.elements[0].models[1].bind[1]" },
		{ "\"bind\": [ 1, 0 ]", "\"bind\": [ 1, 1 ]",
		  "nodes[1].config.elements[0].models[1].bind[1]" },
		{ "\"ttl\": 5", "\"ttl\": 200", "nodes[1].config.elements[0].models[1].publish.ttl" },
		{ "\"resolution\": 1000", "\"resolution\": 5",
		  "nodes[1].config.elements[0].models[1].publish.period.resolution" },
		{ "\"subscribe\": [ \"C000\"", "\"subscribe\": [ \"C00\"",
		  "nodes[1].config.elements[0].models[1].subscribe[0]" },
		{ "\"defaultTTL\": 5", "\"defaultTTL\": 128", "nodes[1].config.defaultTTL" },
		{ "\"cid\": \"0059\"", "\"cid\": 89", "nodes[1].config.cid" },
		{ "\"relay\": 1", "\"relay\": 3", "nodes[1].config.features.relay" },
		{ "\"location\": \"0101\"", "\"location\": \"0101\" }, { \"x\": 1",
		  "nodes[1].config.elements" },
		{ "\"appKeysUpdated\": [ 1 ]", "\"appKeysUpdated\": [ 9 ]",
		  "nodes[1].config.appKeysUpdated[0]" },
		{ "\"address\": \"C000\"", "\"address\": \"0005\"", "groups[0].address" },
	};
	struct side a;
	struct mp_keyring *kr;
	struct mp_keyring_error err;
	char *good, *bad;
	size_t i;

	(void)state;
	side_new(&a, 5);
	configure(a.kr);
	good = native(a.kr);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = replace(good, cases[i].from, cases[i].to);
		kr = NULL;
		if (mp_keyring_parse(bad, strlen(bad), NULL, 0, &kr, &err) != -EBADMSG)
			fail_msg("case %zu (%s) was not refused", i, cases[i].to);
		assert_null(kr);
		if (strcmp(err.field, cases[i].field))
			fail_msg("case %zu: expected field %s, got %s (%s)", i, cases[i].field,
				 err.field, err.msg);
		if (!strncmp(cases[i].field, "nodes[1]", 8) && !strstr(err.msg, "(node 0002)"))
			fail_msg("case %zu: the node's address is not named: %s", i, err.msg);
		free(bad);
	}
	mp_keyring_free_secret(good);
	mp_keyring_close(a.kr);
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

/* Import, then export, import that and export again: the same bytes. */
static struct side import_stable(const char *json, struct side *b)
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
	return c;
}

/* nRF Mesh for Android, CDB 1.0: UUIDs of 32 hex digits, "blacklisted",
 * a publish period in milliseconds, no "scenes". */
static void test_import_nrf_android(void **state)
{
	struct side b, c;
	const struct mp_node_config *cfg;
	const struct mp_nc_model *m;
	const struct mp_group *g;
	char *json = fixture("nrf-android-cdb10.json");

	(void)state;
	c = import_stable(json, &b);
	assert_string_equal(mp_keyring_network_name(b.kr), "Android Home");
	assert_true(mp_keyring_node_find(b.kr, 0x0005)->excluded);
	assert_int_equal(mp_keyring_node_find(b.kr, 0x0006)->elements, 2);
	cfg = mp_node_config(b.kr, 0x0005);
	assert_non_null(cfg);
	assert_int_equal(cfg->cid, 0x0059);
	assert_int_equal(cfg->crpl, 0x0020);
	assert_int_equal(cfg->low_power, MP_NC_UNSUPPORTED);
	assert_int_equal(cfg->friend_, MP_NC_OFF);
	assert_int_equal(cfg->default_ttl, 5);
	assert_string_equal(cfg->elements[1].name, "Element: 0x0006");
	m = mp_node_config_model(cfg, 0, MP_NC_SIG, 0x1000);
	assert_non_null(m);
	assert_int_equal(m->pub.addr.addr, 0xc001);
	assert_int_equal(m->pub.period_steps, 3);	/* 3000 ms */
	assert_int_equal(m->pub.period_res_ms, 1000);
	assert_int_equal(m->pub.rtx_interval_ms, 100);
	assert_true(m->sub[1].virt);
	assert_memory_equal(m->sub[1].label, label, 16);
	m = mp_node_config_model(cfg, 1, 0x0059, 0x000a);
	assert_non_null(m);
	assert_int_equal(m->bind[0], 1);
	/* The phone's own node records its one model too. */
	assert_non_null(mp_node_config_model(mp_node_config(b.kr, 0x0001), 0, MP_NC_SIG, 1));
	assert_int_equal(mp_keyring_group_count(b.kr), 2);
	g = mp_keyring_group_find_name(b.kr, "Scene lights");
	assert_non_null(g);
	assert_true(g->addr.virt);
	assert_int_equal(g->parent.addr, 0xc000);
	assert_ptr_equal(mp_keyring_group_find(b.kr, m ? g->addr.addr : 0), g);
	free(json);
	mp_keyring_close(b.kr);
	mp_keyring_close(c.kr);
}

/* nRF Mesh for iOS: CDB 1.0.1 with RFC 4122 UUIDs, no "groups", "scenes"
 * or "networkExclusions", a key refresh under way ("updated"). */
static void test_import_nrf_ios(void **state)
{
	struct side b, c;
	const struct mp_node_config *cfg;
	const struct mp_nc_model *m;
	char *json = fixture("nrf-ios.json");

	(void)state;
	c = import_stable(json, &b);
	cfg = mp_node_config(b.kr, 0x0010);
	assert_non_null(cfg);
	assert_int_equal(cfg->pid, 0x000a);
	assert_int_equal(cfg->vid, 0x0100);
	assert_int_equal(cfg->beacon, MP_NC_ON);
	assert_int_equal(cfg->default_ttl, 7);
	assert_true(cfg->has_net_tx);
	assert_int_equal(cfg->net_tx.count, 3);
	assert_int_equal(cfg->relay_rtx.interval_ms, 30);
	assert_int_equal(cfg->n_net_updated, 1);
	assert_int_equal(cfg->net_updated[0], 1);
	assert_string_equal(cfg->elements[0].name, "Lamp");
	assert_int_equal(cfg->elements[0].location, 0x0001);
	m = mp_node_config_model(cfg, 0, MP_NC_SIG, 0x1000);
	assert_non_null(m);
	assert_true(m->pub.addr.virt);
	assert_int_equal(m->pub.ttl, MP_NC_TTL_DEFAULT);
	assert_int_equal(m->pub.period_res_ms, 10000);
	assert_true(m->pub.credentials);
	assert_int_equal(mp_keyring_group_count(b.kr), 0);
	free(json);
	mp_keyring_close(b.kr);
	mp_keyring_close(c.kr);
}

/* mesh-cfgclient's export: lower-case hex everywhere (vendor model IDs
 * too), no crpl, only the unsupported features, an element without
 * "models", its resolution 10 for the 10 s step. */
static void test_import_cfgclient(void **state)
{
	struct side b, c;
	const struct mp_node_config *cfg;
	const struct mp_nc_model *m;
	char *json = fixture("cfgclient-export.json");

	(void)state;
	c = import_stable(json, &b);
	cfg = mp_node_config(b.kr, 0x00b0);
	assert_non_null(cfg);
	assert_true(cfg->has_comp);
	assert_int_equal(cfg->cid, 0x05f1);
	assert_int_equal(cfg->crpl, 0);
	assert_int_equal(cfg->relay, MP_NC_UNKNOWN);
	assert_int_equal(cfg->friend_, MP_NC_UNSUPPORTED);
	assert_int_equal(cfg->n_elements, 2);
	assert_int_equal(cfg->elements[1].n_models, 0);
	assert_non_null(mp_node_config_model(cfg, 0, 0x05f1, 0x0001));
	m = mp_node_config_model(cfg, 0, MP_NC_SIG, 0x1000);
	assert_non_null(m);
	assert_int_equal(m->sub[0].addr, 0xc000);
	assert_true(m->sub[1].virt);
	assert_int_equal(m->pub.period_steps, 5);
	assert_int_equal(m->pub.period_res_ms, 10000);
	assert_non_null(mp_keyring_group_find_name(b.kr, "Group_c000"));
	free(json);
	mp_keyring_close(b.kr);
	mp_keyring_close(c.kr);
}

/* Either JSON Schema id, and either case of a vendor model ID. */
static void test_import_schema_ids(void **state)
{
	static const char *const schemas[] = {
		"\"$schema\": \"https://json-schema.org/draft-04/schema#\"",
		"\"$schema\": \"http://json-schema.org/draft-04/schema\"",
	};
	struct side b;
	char *json = fixture("nrf-android-cdb10.json"), *doc, *p;
	const char *from = "\"$schema\": \"http://json-schema.org/draft-04/schema#\"";
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		doc = replace(json, from, schemas[i]);
		p = strstr(doc, "0059000A");
		assert_non_null(p);
		memcpy(p, "0059000a", 8);
		side_new(&b, 2);
		if (mp_cdb_import(b.kr, doc, strlen(doc), NULL))
			fail_msg("import with %s: %s", schemas[i], mp_keyring_error(b.kr));
		assert_non_null(mp_node_config_model(mp_node_config(b.kr, 5), 1, 0x0059, 0x000a));
		mp_keyring_close(b.kr);
		free(doc);
	}
	free(json);
}

static void test_groups(void **state)
{
	struct side a;
	struct mp_keyring *kr;
	const struct mp_group *g;
	struct mp_nc_addr x = { .addr = 0xd000 }, y = { .addr = 0xc005 }, v = { .virt = true };
	struct mp_nc_addr nope = { .addr = 0xc0ff };
	char *json;

	(void)state;
	side_new(&a, 6);
	kr = a.kr;
	/* Outside the range: refused, the range named. */
	assert_int_equal(mp_keyring_group_add(kr, "far", &x, NULL, NULL), -ERANGE);
	assert_non_null(strstr(mp_keyring_error(kr), "C000-CFFF"));
	ok(kr, mp_keyring_group_add(kr, "five", &y, NULL, &g));
	assert_int_equal(g->addr.addr, 0xc005);
	ok(kr, mp_keyring_group_add(kr, "first", NULL, NULL, &g));
	assert_int_equal(g->addr.addr, 0xc000);
	/* Duplicates by name and by address. */
	assert_int_equal(mp_keyring_group_add(kr, "five", NULL, NULL, NULL), -EEXIST);
	assert_int_equal(mp_keyring_last_error(kr)->kind, MP_KR_E_EXISTS);
	assert_int_equal(mp_keyring_group_add(kr, "again", &y, NULL, NULL), -EEXIST);
	assert_non_null(strstr(mp_keyring_error(kr), "five"));
	/* A random label; the same label twice is refused. */
	ok(kr, mp_keyring_group_add(kr, "virtual", &v, &y, &g));
	assert_true(g->addr.virt);
	assert_true(g->addr.addr >= 0x8000 && g->addr.addr < 0xc000);
	memcpy(v.label, g->addr.label, 16);
	assert_int_equal(mp_keyring_group_add(kr, "virtual2", &v, NULL, NULL), -EEXIST);
	/* A parent that is no group. */
	assert_int_equal(mp_keyring_group_add(kr, "orphan", NULL, &nope, NULL), -ENOENT);
	assert_int_equal(mp_keyring_group_add(kr, "", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(mp_keyring_group_count(kr), 3);
	/* The lowest free address next. */
	ok(kr, mp_keyring_group_add(kr, "second", NULL, NULL, &g));
	assert_int_equal(g->addr.addr, 0xc001);
	/* Removing a parent leaves its children without one. */
	ok(kr, mp_keyring_group_remove(kr, "five"));
	assert_null(mp_keyring_group_find_name(kr, "five"));
	assert_int_equal(mp_keyring_group_find_name(kr, "virtual")->parent.addr, 0);
	assert_int_equal(mp_keyring_group_remove(kr, "five"), -ENOENT);
	mp_keyring_close(kr);

	/* A full range says so, naming it. */
	json = fixture("nrf-android-cdb10.json");
	side_new(&a, 7);
	kr = a.kr;
	{
		struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
		char *doc = replace(json, "\"highAddress\": \"CC9A\"", "\"highAddress\": \"C001\"");

		ok(kr, mp_cdb_import(kr, doc, strlen(doc), &io));
		free(doc);
	}
	ok(kr, mp_keyring_group_add(kr, "last", NULL, NULL, &g));
	assert_int_equal(g->addr.addr, 0xc001);
	assert_int_equal(mp_keyring_group_add(kr, "more", NULL, NULL, NULL), -ENOSPC);
	assert_non_null(strstr(mp_keyring_error(kr), "C000-C001"));
	free(json);
	mp_keyring_close(kr);
}

/* What the API refuses, before anything changes. */
static void test_api_refusals(void **state)
{
	static const struct mp_nc_comp_model one[] = { { MP_NC_SIG, 0x1000 } };
	static const struct mp_nc_comp_model twice[] = { { MP_NC_SIG, 0x1000 },
							 { MP_NC_SIG, 0x1000 } };
	static const struct mp_nc_comp_element el1[] = { { 0, 1, one } };
	static const struct mp_nc_comp_element el2[] = { { 0, 2, twice } };
	struct side a;
	struct mp_keyring *kr;
	struct mp_nc_addr uni = { .addr = 0x0005 };
	struct mp_nc_comp comp = { .n_elements = 1, .elements = el1 };
	struct mp_nc_settings s = { .mask = MP_NC_SET_DEFAULT_TTL, .default_ttl = 1 };
	struct mp_nc_pub pub = { .addr = { .addr = 0xc000 }, .period_res_ms = 100,
				 .rtx_interval_ms = 55 };
	char *before, *after;
	uint16_t addr;

	(void)state;
	side_new(&a, 8);
	kr = a.kr;
	addr = configure(kr);
	before = native(kr);
	assert_int_equal(mp_node_config_set_composition(kr, addr, &comp), -EINVAL);
	assert_non_null(strstr(mp_keyring_error(kr), "lists 1 elements; the node has 2"));
	comp.elements = el2;
	assert_int_equal(mp_node_config_set_composition(kr, 0x0100, &comp), -ENOENT);
	assert_int_equal(mp_node_config_bind(kr, addr, 1, MP_NC_SIG, 0x1000, 0, true), -ENOENT);
	assert_non_null(strstr(mp_keyring_error(kr), "element 1 has no model 1000"));
	assert_int_equal(mp_node_config_bind(kr, addr, 2, MP_NC_SIG, 0x1000, 0, true), -EINVAL);
	assert_int_equal(mp_node_config_bind(kr, addr, 0, MP_NC_SIG, 0x1000, 9, true), -ENOENT);
	assert_int_equal(mp_node_config_subscribe(kr, addr, 0, MP_NC_SIG, 0x1000, MP_NC_SUB_ADD,
						  &uni), -EINVAL);
	assert_int_equal(mp_node_config_publish(kr, addr, 0, MP_NC_SIG, 0x1000, &pub), -EINVAL);
	assert_int_equal(mp_node_config_set(kr, addr, &s), -EINVAL);
	assert_int_equal(mp_node_config_set_updated(kr, addr, false, 5, true), -ENOENT);
	assert_int_equal(mp_node_config_step_done(kr, addr, "p", "bad\nstep"), -EINVAL);
	after = native(kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(after);

	/* The changes that are allowed. */
	ok(kr, mp_node_config_subscribe(kr, addr, 0, MP_NC_SIG, 0x1000, MP_NC_SUB_OVERWRITE,
					&pub.addr));
	assert_int_equal(mp_node_config_model(mp_node_config(kr, addr), 0, MP_NC_SIG, 0x1000)->n_sub,
			 1);
	ok(kr, mp_node_config_subscribe(kr, addr, 0, MP_NC_SIG, 0x1000, MP_NC_SUB_DELETE,
					&pub.addr));
	ok(kr, mp_node_config_subscribe(kr, addr, 1, MP_NC_SIG, 0x1001, MP_NC_SUB_DELETE_ALL,
					NULL));
	ok(kr, mp_node_config_bind(kr, addr, 0, MP_NC_SIG, 0x1000, 1, false));
	ok(kr, mp_node_config_publish(kr, addr, 0, MP_NC_SIG, 0x1000, NULL));
	{
		const struct mp_nc_model *m =
			mp_node_config_model(mp_node_config(kr, addr), 0, MP_NC_SIG, 0x1000);

		assert_int_equal(m->n_sub, 0);
		assert_int_equal(m->n_bind, 1);
		assert_int_equal(m->bind[0], 0);
		assert_false(m->has_pub);
	}
	/* A new composition keeps what is known of the models still there. */
	comp.n_elements = 2;
	{
		static const struct mp_nc_comp_model m0[] = { { 0x0059, 0x000a } };
		static const struct mp_nc_comp_element els[] = { { 7, 1, m0 }, { 8, 0, NULL } };

		comp.elements = els;
		comp.features = MP_NC_FEAT_FRIEND;
		ok(kr, mp_node_config_set_composition(kr, addr, &comp));
	}
	assert_int_equal(mp_node_config_model(mp_node_config(kr, addr), 0, 0x0059, 0x000a)->n_bind,
			 1);
	assert_null(mp_node_config_model(mp_node_config(kr, addr), 0, MP_NC_SIG, 0x1000));
	assert_int_equal(mp_node_config(kr, addr)->relay, MP_NC_UNSUPPORTED);
	assert_int_equal(mp_node_config(kr, addr)->friend_, MP_NC_UNKNOWN);
	mp_keyring_free_secret(before);
	mp_keyring_close(kr);
}

/* Without a recorded composition, a model is recorded as it is first used. */
static void test_no_composition(void **state)
{
	struct side a;
	struct mp_keyring *kr;
	uint8_t uuid[16];
	uint16_t addr;

	(void)state;
	side_new(&a, 9);
	kr = a.kr;
	memset(uuid, 0x77, 16);
	ok(kr, mp_keyring_appkey_add(kr, 0, 0, NULL));
	ok(kr, mp_keyring_node_add_pending(kr, uuid, 3, devkey, NULL, &addr));
	assert_null(mp_node_config(kr, addr));
	ok(kr, mp_node_config_bind(kr, addr, 2, MP_NC_SIG, 0x1300, 0, true));
	assert_int_equal(mp_node_config(kr, addr)->n_elements, 3);
	assert_false(mp_node_config(kr, addr)->has_comp);
	assert_int_equal(mp_node_config_model(mp_node_config(kr, addr), 2, MP_NC_SIG, 0x1300)->bind[0],
			 0);
	mp_keyring_close(kr);
}

/* AppKeys come and go while flagged updated: the flags of keys gone are
 * dropped, never piled up past the room there is. */
static void test_updated_flags_bounded(void **state)
{
	struct side a;
	struct mp_keyring *kr;
	uint8_t uuid[16];
	uint16_t addr, k;

	(void)state;
	side_new(&a, 10);
	kr = a.kr;
	memset(uuid, 0x66, 16);
	ok(kr, mp_keyring_node_add_pending(kr, uuid, 1, devkey, NULL, &addr));
	for (k = 10; k < 10 + 2 * MP_NODE_MAX_APPKEYS; k++) {
		ok(kr, mp_keyring_appkey_add(kr, k, 0, NULL));
		ok(kr, mp_keyring_node_set_key(kr, addr, true, k, true));
		ok(kr, mp_node_config_set_updated(kr, addr, true, k, true));
		ok(kr, mp_keyring_appkey_del(kr, k));
	}
	assert_int_equal(mp_node_config(kr, addr)->n_app_updated, 1);
	mp_keyring_close(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_keyring_file),
		cmocka_unit_test(test_old_keyring_loads),
		cmocka_unit_test(test_corrupt_config_field),
		cmocka_unit_test(test_import_nrf_android),
		cmocka_unit_test(test_import_nrf_ios),
		cmocka_unit_test(test_import_cfgclient),
		cmocka_unit_test(test_import_schema_ids),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_api_refusals),
		cmocka_unit_test(test_no_composition),
		cmocka_unit_test(test_updated_flags_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
