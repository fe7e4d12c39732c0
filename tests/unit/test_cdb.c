/* store/cdb: Mesh Configuration Database export and import. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/nodes.h"

struct side {
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
	struct mp_keyring *kr;
};

static void side_new(struct side *s, uint64_t seed, uint16_t lo, uint16_t hi)
{
	s->o = ktu_opts(&s->rng, &s->rs, &s->clk, seed);
	s->o.unicast_low = lo;
	s->o.unicast_high = hi;
	assert_int_equal(mp_keyring_new(&s->o, &s->kr, NULL), 0);
}

static uint8_t *uuid_n(unsigned n)
{
	static uint8_t u[16];

	memset(u, 0xcd, sizeof(u));
	u[15] = (uint8_t)n;
	return u;
}

static const uint8_t devkey[16] = { 0xd0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static uint16_t add(struct mp_keyring *kr, unsigned n, uint8_t elements,
		    const struct mp_node_prov_info *info)
{
	uint16_t a = 0;

	if (mp_keyring_node_add_pending(kr, uuid_n(n), elements, devkey, info, &a))
		fail_msg("add: %s", mp_keyring_error(kr));
	return a;
}

static void populate(struct mp_keyring *kr)
{
	struct mp_node_prov_info info = { .algorithm = "P256-CMAC-AES128", .oob = "output",
					  .name = "desk" };
	uint16_t a;

	assert_int_equal(mp_keyring_set_network_name(kr, "Office"), 0);
	assert_int_equal(mp_keyring_set_iv(kr, 9, false), 0);
	assert_int_equal(mp_keyring_netkey_add(kr, 3, NULL), 0);
	assert_int_equal(mp_keyring_netkey_refresh(kr, 3, NULL), 0);
	assert_int_equal(mp_keyring_netkey_set_phase(kr, 3, 2), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 0, 0, NULL), 0);
	assert_int_equal(mp_keyring_appkey_add(kr, 7, 3, NULL), 0);
	a = add(kr, 1, 4, &info);
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_node_set_key(kr, a, true, 7, true), 0);
	assert_int_equal(mp_keyring_node_set_key(kr, a, false, 3, true), 0);
	assert_int_equal(mp_keyring_node_set_config_complete(kr, a, true), 0);
	add(kr, 2, 1, NULL);			/* pending */
	a = add(kr, 3, 2, NULL);
	assert_int_equal(mp_keyring_node_abort(kr, a, true), 0);
	a = add(kr, 4, 1, NULL);
	assert_int_equal(mp_keyring_node_complete(kr, a), 0);
	assert_int_equal(mp_keyring_node_remove(kr, a), 0);
	add(kr, 5, 1, NULL);
	assert_int_equal(mp_keyring_node_complete(kr, a + 1), 0);
}

static char *export(struct mp_keyring *kr, bool keys)
{
	struct mp_cdb_export_opts o = { .with_device_keys = keys };
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

static void test_roundtrip_adopt(void **state)
{
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	char *cdb, *cdb2, *na, *nb;

	side_new(&a, 1, 0, 0);
	side_new(&b, 2, 0, 0);
	populate(a.kr);
	cdb = export(a.kr, true);
	if (mp_cdb_import(b.kr, cdb, strlen(cdb), &io))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	/* The same network, to the byte: keys, nodes, states, IV, exclusions. */
	na = native(a.kr);
	nb = native(b.kr);
	assert_string_equal(na, nb);
	cdb2 = export(b.kr, true);
	assert_string_equal(cdb, cdb2);
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(cdb2);
	mp_keyring_free_secret(na);
	mp_keyring_free_secret(nb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

static void test_roundtrip_into_itself(void **state)
{
	struct side a;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };
	char *cdb, *before, *after;

	side_new(&a, 1, 0, 0);
	populate(a.kr);
	before = native(a.kr);
	cdb = export(a.kr, true);
	/* Without MP_CDB_REPLACE a keyring with nodes is not replaced. */
	assert_int_equal(mp_cdb_import(a.kr, cdb, strlen(cdb), NULL), -EEXIST);
	assert_int_equal(mp_keyring_last_error(a.kr)->kind, MP_KR_E_EXISTS);
	/* Its own provisioner UUID is found: it stays itself. */
	assert_int_equal(mp_cdb_import(a.kr, cdb, strlen(cdb), &io), 0);
	after = native(a.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(before);
	mp_keyring_free_secret(after);
	mp_keyring_close(a.kr);
}

static void test_join_as_new_provisioner(void **state)
{
	struct side a, b;
	const struct mp_provisioner *p;
	uint8_t a_uuid[16];
	uint16_t addr;
	char *cdb;

	side_new(&a, 1, 0x0001, 0x0fff);
	side_new(&b, 2, 0, 0);
	populate(a.kr);
	memcpy(a_uuid, mp_keyring_self(a.kr)->uuid, 16);
	cdb = export(a.kr, true);
	assert_int_equal(mp_cdb_import(b.kr, cdb, strlen(cdb), NULL), 0);
	assert_int_equal(mp_keyring_provisioner_count(b.kr), 2);
	p = mp_keyring_self(b.kr);
	assert_memory_not_equal(p->uuid, a_uuid, 16);
	assert_int_equal(p->n_unicast, 1);
	assert_int_equal(p->unicast[0].low, 0x1000);
	assert_int_equal(p->unicast[0].high, 0x7fff);
	/* No group range overlaps the other provisioner's. */
	assert_int_equal(p->n_group, 1);
	assert_true(p->group[0].low > 0xcfff);
	assert_memory_equal(mp_keyring_provisioner_at(b.kr, 1)->uuid, a_uuid, 16);
	assert_int_equal(mp_keyring_self_address(b.kr), 0x1000);
	assert_int_equal(mp_keyring_node_count(b.kr), mp_keyring_node_count(a.kr) + 1);
	assert_int_equal(mp_keyring_alloc_address(b.kr, 1, &addr), 0);
	assert_int_equal(addr, 0x1001);
	/* A's pending and unconfirmed nodes keep their addresses in B too. */
	assert_int_equal(mp_keyring_node_find_uuid(b.kr, uuid_n(2))->state, MP_NODE_PENDING);
	assert_int_equal(mp_keyring_node_find_uuid(b.kr, uuid_n(3))->state, MP_NODE_UNCONFIRMED);
	assert_int_equal(mp_keyring_iv_index(b.kr), 9);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);

	/* With the whole unicast space held, there is no room to join. */
	side_new(&a, 1, 0, 0);
	side_new(&b, 2, 0, 0);
	cdb = export(a.kr, true);
	assert_int_equal(mp_cdb_import(b.kr, cdb, strlen(cdb), NULL), -ENOSPC);
	assert_int_equal(mp_keyring_provisioner_count(b.kr), 1);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

static char *corpus(const char *name)
{
	char path[512];
	char *s;

	snprintf(path, sizeof(path), "%s/cdb/%s", MP_CORPUS_DIR, name);
	s = ktu_read(path, NULL);
	if (!s)
		fail_msg("cannot read %s", path);
	return s;
}

static void test_import_nrf_sample(void **state)
{
	struct side b;
	const struct mp_netkey *nk;
	const struct mp_appkey *ak;
	const struct mp_node *n;
	uint8_t key[16], uuid[16];
	char *json = corpus("nrf-sample.json");

	side_new(&b, 2, 0, 0);
	if (mp_cdb_import(b.kr, json, strlen(json), NULL))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	assert_string_equal(mp_keyring_network_name(b.kr), "Test Lab");
	mp_keyring_network_uuid(b.kr, uuid);
	tu_unhex("6F1C9B2A0E4D4B7A9C3E2A5D8F7B1C40", key, 16);
	assert_memory_equal(uuid, key, 16);
	assert_int_equal(mp_keyring_netkey_count(b.kr), 2);
	nk = mp_keyring_netkey(b.kr, 1);
	assert_non_null(nk);
	assert_int_equal(nk->phase, 1);
	tu_unhex("0953FA93E7CAAC9638F58820220A398E", key, 16);
	assert_memory_equal(nk->key, key, 16);
	tu_unhex("8B84EEDEC100067D670971DD2AA700CF", key, 16);
	assert_memory_equal(nk->old_key, key, 16);
	assert_string_equal(nk->name, "Guest");
	assert_int_equal(nk->timestamp, 1709633400);	/* 2024-03-05T10:10:00Z */
	assert_int_equal(mp_keyring_netkey(b.kr, 0)->timestamp, 1709629200); /* +01:00 */
	ak = mp_keyring_appkey(b.kr, 1);
	assert_non_null(ak);
	assert_int_equal(ak->net_index, 1);
	assert_true(ak->has_old_key);
	/* Exclusions came with their IV index, which sets the network's. */
	assert_int_equal(mp_keyring_iv_index(b.kr), 3);
	assert_true(mp_keyring_is_excluded(b.kr, 0x0010));
	assert_true(mp_keyring_is_excluded(b.kr, 0x0011));
	/* The light: two elements, two NetKeys, an AppKey, complete. */
	n = mp_keyring_node_find(b.kr, 0x0003);
	assert_non_null(n);
	assert_int_equal(n->addr, 0x0002);
	assert_int_equal(n->elements, 2);
	assert_int_equal(n->n_net_keys, 2);
	assert_int_equal(n->n_app_keys, 1);
	assert_true(n->config_complete);
	assert_int_equal(n->state, MP_NODE_COMPLETE);
	assert_string_equal(n->name, "Ceiling light");
	tu_unhex("9D6DD0E96EB25DC19A40ED9914F8F03F", key, 16);
	assert_memory_equal(n->dev_key, key, 16);
	/* The phone's own node is there, not ours: we joined with a free range. */
	assert_false(mp_keyring_node_find(b.kr, 0x0001)->is_self);
	assert_int_equal(mp_keyring_self(b.kr)->unicast[0].low, 0x199b);
	assert_int_equal(mp_keyring_self_address(b.kr), 0x199b);
	assert_int_equal(mp_keyring_self(b.kr)->group[0].low, 0xcc9b);
	assert_int_equal(mp_keyring_self(b.kr)->scene[0].low, 0x3334);
	free(json);
	mp_keyring_close(b.kr);
}

static char *replace(const char *s, const char *from, const char *to);

/* A node left out of a key refresh (mp_keyring_node_set_excluded): the
 * flag goes out as the CDB's "excluded" and comes back on import, in the
 * keyring file too, and can be cleared. */
static void test_excluded_roundtrip(void **state)
{
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	char *cdb, *na, *nb;
	uint16_t n1, n2;

	(void)state;
	side_new(&a, 1, 0, 0);
	side_new(&b, 2, 0, 0);
	n1 = add(a.kr, 1, 1, NULL);
	assert_int_equal(mp_keyring_node_complete(a.kr, n1), 0);
	n2 = add(a.kr, 2, 1, NULL);
	assert_int_equal(mp_keyring_node_complete(a.kr, n2), 0);
	assert_int_equal(mp_keyring_node_set_excluded(a.kr, n2, true), 0);
	assert_int_equal(mp_keyring_node_set_excluded(a.kr, n2, true), 0);
	assert_int_equal(mp_keyring_node_set_excluded(a.kr, 0x7000, true), -ENOENT);
	assert_true(mp_keyring_node_find(a.kr, n2)->excluded);
	assert_false(mp_keyring_node_find(a.kr, n1)->excluded);
	/* its address is not one of the exclusion list's (a removed node's) */
	assert_false(mp_keyring_is_excluded(a.kr, n2));
	cdb = export(a.kr, true);
	assert_non_null(strstr(cdb, "\"excluded\": true"));
	if (mp_cdb_import(b.kr, cdb, strlen(cdb), &io))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	assert_true(mp_keyring_node_find(b.kr, n2)->excluded);
	assert_false(mp_keyring_node_find(b.kr, n1)->excluded);
	/* the keyring file says it the same way */
	na = native(a.kr);
	nb = native(b.kr);
	assert_string_equal(na, nb);
	assert_non_null(strstr(na, "\"excluded\": true"));
	mp_keyring_free_secret(na);
	/* added back: cleared */
	assert_int_equal(mp_keyring_node_set_excluded(a.kr, n2, false), 0);
	assert_false(mp_keyring_node_find(a.kr, n2)->excluded);
	na = native(a.kr);
	assert_null(strstr(na, "\"excluded\": true"));
	mp_keyring_free_secret(na);
	mp_keyring_free_secret(nb);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}


/* A CDB 1.0 export says "blacklisted" where 1.0.1 says "excluded". */
static void test_import_blacklisted(void **state)
{
	struct side b;
	char *json = corpus("nrf-sample.json"), *old;

	(void)state;
	old = replace(json, "\"excluded\":false}],\"groups\"", "\"blacklisted\":true}],\"groups\"");
	side_new(&b, 2, 0, 0);
	if (mp_cdb_import(b.kr, old, strlen(old), NULL))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	assert_true(mp_keyring_node_find(b.kr, 0x0002)->excluded);
	assert_false(mp_keyring_node_find(b.kr, 0x0001)->excluded);
	free(old);
	free(json);
	mp_keyring_close(b.kr);
}

static void test_import_bluez_export(void **state)
{
	struct side b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	const struct mp_node *n;
	uint8_t key[16];
	uint16_t addr;
	char *json = corpus("bluez-export.json");

	side_new(&b, 2, 0, 0);
	if (mp_cdb_import(b.kr, json, strlen(json), &io))
		fail_msg("import: %s", mp_keyring_error(b.kr));
	n = mp_keyring_node_find(b.kr, 0x00ab);
	assert_non_null(n);
	assert_int_equal(n->addr, 0x00aa);
	assert_int_equal(n->elements, 2);
	tu_unhex("56e0f7b1b2d8a1c4e3f2a9b8c7d6e5f4", key, 16);
	assert_memory_equal(n->dev_key, key, 16);
	/* Adopted mesh-cfgclient's provisioner; its node did not exist, so one
	 * was made at the first free address of its range. */
	assert_string_equal(mp_keyring_self(b.kr)->name, "BlueZ mesh-cfgclient");
	assert_int_equal(mp_keyring_self_address(b.kr), 0x00ac);
	assert_int_equal(mp_keyring_alloc_address(b.kr, 1, &addr), 0);
	assert_int_equal(addr, 0x00ad);
	free(json);
	mp_keyring_close(b.kr);
}

/* mesh-cfgclient's own configuration file keeps no keys (bluetooth-meshd
 * has them): not importable, and the message says which field. */
static void test_cfgclient_config_without_keys(void **state)
{
	static const char cfg[] =
		"{ \"token\": \"1a2b3c4d5e6f7081\", \"meshUUID\": "
		"\"b1f3a6c2-55e0-4e37-8d2a-6c1f0e9b7a31\", \"nodes\": [], \"provisioners\": "
		"[ { \"provisionerName\": \"x\", "
		"\"UUID\": \"d3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a\", "
		"\"allocatedUnicastRange\": [ { \"lowAddress\": \"00aa\", "
		"\"highAddress\": \"7fff\" } ]"
		" } ], \"netKeys\": [ { \"index\": 0, \"phase\": 0 } ], \"appKeys\": [], "
		"\"ivIndex\": 5 }";
	struct side b;
	char *before, *after;

	side_new(&b, 2, 0, 0);
	before = native(b.kr);
	assert_int_equal(mp_cdb_import(b.kr, cfg, strlen(cfg), NULL), -EBADMSG);
	assert_string_equal(mp_keyring_last_error(b.kr)->field, "netKeys[0].key");
	assert_non_null(strstr(mp_keyring_error(b.kr), "nothing was changed"));
	after = native(b.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(before);
	mp_keyring_free_secret(after);
	mp_keyring_close(b.kr);
}

static void test_export_without_device_keys(void **state)
{
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	char *cdb, *cdb2, hex[33];
	size_t i;

	side_new(&a, 1, 0, 0);
	side_new(&b, 2, 0, 0);
	populate(a.kr);
	cdb = export(a.kr, false);
	assert_null(strstr(cdb, "deviceKey"));
	assert_non_null(strstr(cdb, "\"partial\": true"));
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", devkey[i]);
	assert_null(strstr(cdb, hex));
	assert_int_equal(mp_cdb_import(b.kr, cdb, strlen(cdb), &io), 0);
	assert_false(mp_keyring_node_find_uuid(b.kr, uuid_n(1))->has_dev_key);
	cdb2 = export(b.kr, true);
	assert_non_null(strstr(cdb2, "\"partial\": true"));
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(cdb2);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

/* What mesh-cfgclient -c FILE needs (BlueZ tools/mesh/mesh-db.c): the token
 * of its meshd node, ivIndex, netKeys index+phase, appKeys
 * boundNetKey+index, nodes with a 36-character UUID, a 4-digit
 * unicastAddress, elements with index and models, netKeys with index, and
 * the first provisioner's first allocatedUnicastRange. */
static void test_export_for_cfgclient(void **state)
{
	static const uint8_t token[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct mp_cdb_export_opts o = { .with_device_keys = true, .cfgclient_token = token };
	struct side a;
	json_object *root, *v, *n;
	char *cdb;
	char uuid[37];

	side_new(&a, 1, 0x0001, 0x00ff);
	populate(a.kr);
	assert_int_equal(mp_cdb_export(a.kr, &o, &cdb, NULL), 0);
	root = json_tokener_parse(cdb);
	assert_non_null(root);
	assert_string_equal(json_object_get_string(tu_get(root, "token")), "0102030405060708");
	assert_int_equal(json_object_get_int(tu_get(root, "ivIndex")), 9);
	assert_string_equal(json_object_get_string(tu_get(root, "version")), "1.0.1");
	assert_int_equal(json_object_get_int(tu_get(root, "netKeys.1.phase")), 2);
	assert_true(json_object_is_type(tu_get(root, "netKeys.1.oldKey"), json_type_string));
	assert_int_equal(json_object_get_int(tu_get(root, "appKeys.1.boundNetKey")), 3);
	v = tu_get(root, "provisioners.0.allocatedUnicastRange.0");
	assert_string_equal(json_object_get_string(tu_get(v, "lowAddress")), "0001");
	assert_string_equal(json_object_get_string(tu_get(v, "highAddress")), "00FF");
	n = tu_get(root, "nodes.1");
	assert_int_equal(json_object_get_string_len(tu_get(n, "UUID")), 36);
	mp_keyring_uuid_str(uuid_n(1), uuid);
	assert_string_equal(json_object_get_string(tu_get(n, "UUID")), uuid);
	assert_string_equal(json_object_get_string(tu_get(n, "unicastAddress")), "0002");
	assert_int_equal(json_object_array_length(tu_get(n, "elements")), 4);
	assert_int_equal(json_object_get_int(tu_get(n, "elements.3.index")), 3);
	assert_true(json_object_is_type(tu_get(n, "elements.3.models"), json_type_array));
	assert_int_equal(json_object_get_int(tu_get(n, "netKeys.0.index")), 0);
	assert_false(json_object_get_boolean(tu_get(n, "netKeys.0.updated")));
	assert_int_equal(json_object_get_int(tu_get(n, "appKeys.0.index")), 7);
	assert_string_equal(json_object_get_string(tu_get(n, "name")), "desk");
	assert_string_equal(json_object_get_string(tu_get(n, "meshprov.oob")), "output");
	v = tu_get(root, "networkExclusions.0");
	assert_int_equal(json_object_get_int(tu_get(v, "ivIndex")), 9);
	assert_true(json_object_is_type(tu_get(root, "groups"), json_type_array));
	assert_true(json_object_is_type(tu_get(root, "scenes"), json_type_array));
	json_object_put(root);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
}

static void test_export_file(void **state)
{
	struct side a;
	struct stat st;
	char *dir = ktu_tmpdir(), *path, *cdb, *file;

	path = ktu_path(dir, "net.json");
	side_new(&a, 1, 0, 0);
	populate(a.kr);
	assert_int_equal(mp_cdb_export_file(a.kr, NULL, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	cdb = export(a.kr, true);
	file = ktu_read(path, NULL);
	assert_string_equal(cdb, file);
	free(file);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(a.kr);
	free(path);
	ktu_rmtree(dir);
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

static void test_invalid_documents(void **state)
{
	static const struct {
		const char *from, *to;
		int code;
		enum mp_kr_errkind kind;
		const char *field;
	} cases[] = {
		{ "\"meshUUID\"", "\"meshUUIDx\"", -EBADMSG, MP_KR_E_FIELD, "meshUUID" },
		{ "\"version\": \"1.0.1\"", "\"version\": \"2.0.0\"", -EBADMSG, MP_KR_E_VERSION,
		  "version" },
		{ "\"netKeys\": [", "\"netKeys\": {}, \"x\": [", -EBADMSG, MP_KR_E_FIELD,
		  "netKeys" },
		{ "\"key\": \"", "\"key\": \"Z", -EBADMSG, MP_KR_E_VALUE, "netKeys[0].key" },
		{ "\"index\": 0,\n      \"key\"", "\"index\": 4096,\n      \"key\"", -EBADMSG,
		  MP_KR_E_VALUE, "netKeys[0].index" },
		{ "\"phase\": 2", "\"phase\": 5", -EBADMSG, MP_KR_E_VALUE, "netKeys[1].phase" },
		{ "\"boundNetKey\": 3", "\"boundNetKey\": 4", -EBADMSG, MP_KR_E_REFERENCE,
		  "appKeys[1].boundNetKey" },
		{ "\"unicastAddress\": \"0002\"", "\"unicastAddress\": \"0001\"", -EBADMSG,
		  MP_KR_E_DUPLICATE, "nodes[1].unicastAddress" },
		{ "\"unicastAddress\": \"0002\"", "\"unicastAddress\": \"C002\"", -EBADMSG,
		  MP_KR_E_VALUE, "nodes[1]" },
		{ "\"unicastAddress\": \"0002\"", "\"unicastAddress\": \"2\"", -EBADMSG,
		  MP_KR_E_VALUE, "nodes[1].unicastAddress" },
		{ "\"deviceKey\": \"", "\"deviceKey\": \"00", -EBADMSG, MP_KR_E_VALUE,
		  "nodes[0].deviceKey" },
		{ "\"elements\": [", "\"elements\": [], \"x\": [", -EBADMSG, MP_KR_E_VALUE,
		  "nodes[0].elements" },
		{ "\"configComplete\": true", "\"configComplete\": 1", -EBADMSG, MP_KR_E_FIELD,
		  "nodes[0].configComplete" },
		{ "\"state\": \"pending\"", "\"state\": \"maybe\"", -EBADMSG, MP_KR_E_VALUE,
		  "nodes[2].meshprov.state" },
		{ "\"lowAddress\": \"0001\"", "\"lowAddress\": \"8001\"", -EBADMSG, MP_KR_E_VALUE,
		  "provisioners[0].unicast[0]" },
		{ "\"timestamp\": \"2023", "\"timestamp\": \"yesterday 2023", -EBADMSG,
		  MP_KR_E_VALUE, "timestamp" },
		{ "\"groups\": [", "\"groups\": 1, \"x\": [", -EBADMSG, MP_KR_E_FIELD, "groups" },
		{ "\"addresses\": [", "\"addresses\": [ 5,", -EBADMSG, MP_KR_E_FIELD,
		  "networkExclusions[0].addresses[0]" },
		{ "\"provisioners\": [", "\"provisioners\": [ ], \"x\": [", -EBADMSG, MP_KR_E_FIELD,
		  "provisioners" },
	};
	struct side a, b;
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT };
	char *cdb, *bad, *before, *after;
	size_t i;

	side_new(&a, 1, 0, 0);
	side_new(&b, 2, 0, 0);
	populate(a.kr);
	cdb = export(a.kr, true);
	before = native(b.kr);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mp_keyring_error *e = mp_keyring_last_error(b.kr);
		int r;

		bad = replace(cdb, cases[i].from, cases[i].to);
		r = mp_cdb_import(b.kr, bad, strlen(bad), &io);
		if (r != cases[i].code || e->kind != cases[i].kind ||
		    (strcmp(e->field, cases[i].field) && strncmp(e->field, cases[i].field,
							      strlen(cases[i].field))))
			fail_msg("case %zu: got %d kind %d field '%s': %s", i, r, e->kind, e->field,
				 e->msg);
		free(bad);
	}
	assert_int_equal(mp_cdb_import(b.kr, "{", 1, &io), -EBADMSG);
	assert_int_equal(mp_keyring_last_error(b.kr)->kind, MP_KR_E_SYNTAX);
	assert_int_equal(mp_cdb_import(b.kr, "[]", 2, &io), -EBADMSG);
	after = native(b.kr);
	assert_string_equal(before, after);
	mp_keyring_free_secret(cdb);
	mp_keyring_free_secret(before);
	mp_keyring_free_secret(after);
	mp_keyring_close(a.kr);
	mp_keyring_close(b.kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_adopt),
		cmocka_unit_test(test_roundtrip_into_itself),
		cmocka_unit_test(test_join_as_new_provisioner),
		cmocka_unit_test(test_import_nrf_sample),
		cmocka_unit_test(test_import_blacklisted),
		cmocka_unit_test(test_excluded_roundtrip),
		cmocka_unit_test(test_import_bluez_export),
		cmocka_unit_test(test_cfgclient_config_without_keys),
		cmocka_unit_test(test_export_without_device_keys),
		cmocka_unit_test(test_export_for_cfgclient),
		cmocka_unit_test(test_export_file),
		cmocka_unit_test(test_invalid_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
