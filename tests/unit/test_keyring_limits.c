/* store/keyring and store/cdb: untrusted files (issue #12): the scrypt
 * costs a file may ask for, entry counts bounded by what the formats can
 * mean, a file of tiny entries refused before json-c builds a tree of it,
 * and names with control characters or invalid UTF-8. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <errno.h>

#include "keyring_tu.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/nodes.h"

struct fx {
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o;
	struct mp_keyring *kr;
	char *plain;	/* the keyring, serialized */
	char *cdb;	/* and exported */
};

static const uint8_t devkey[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mp_node_prov_info info = { .name = "NODE_NAME" };
	uint8_t uuid[16];
	uint16_t addr;

	assert_non_null(f);
	f->o = ktu_opts(&f->rng, &f->rs, &f->clk, 3);
	f->o.network_name = "NET_NAME";
	f->o.provisioner_name = "PROV_NAME";
	assert_int_equal(mp_keyring_new(&f->o, &f->kr, NULL), 0);
	memset(uuid, 0x77, sizeof(uuid));
	assert_int_equal(mp_keyring_node_add_pending(f->kr, uuid, 2, devkey, &info, &addr), 0);
	assert_int_equal(mp_keyring_serialize(f->kr, &f->plain, NULL), 0);
	assert_int_equal(mp_cdb_export(f->kr, NULL, &f->cdb, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mp_keyring_close(f->kr);
	mp_keyring_free_secret(f->plain);
	mp_keyring_free_secret(f->cdb);
	free(f);
	return 0;
}

/* @s with the first @from replaced by @to. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(p);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

static void expect_keyring_refused(const char *json, size_t len, const char *field,
				   const char *words)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL;
	int r = mp_keyring_parse(json, len, NULL, 0, &kr, &err);

	if (r != -EBADMSG)
		fail_msg("accepted (%d %s); expected %s: %s", r, err.msg, field ? field : "-",
			 words);
	assert_null(kr);
	if (field && strcmp(err.field, field))
		fail_msg("expected field %s, got \"%s\": %s", field, err.field, err.msg);
	if (!strstr(err.msg, words))
		fail_msg("no \"%s\" in: %s", words, err.msg);
}

static void expect_cdb_refused(struct fx *f, const char *json, const char *field,
			       const char *words)
{
	struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };
	int r = mp_cdb_import(f->kr, json, strlen(json), &io);

	if (r != -EBADMSG)
		fail_msg("accepted (%d %s); expected %s", r, mp_keyring_error(f->kr), field);
	if (strcmp(mp_keyring_last_error(f->kr)->field, field))
		fail_msg("expected field %s, got \"%s\": %s", field,
			 mp_keyring_last_error(f->kr)->field, mp_keyring_error(f->kr));
	if (!strstr(mp_keyring_error(f->kr), words))
		fail_msg("no \"%s\" in: %s", words, mp_keyring_error(f->kr));
}

/* ---- scrypt costs -------------------------------------------------------------------------- */

/* A keyring sealed with scrypt N = 2^@log2n (0: the default), as written. */
static char *sealed(struct fx *f, uint8_t log2n)
{
	static const uint8_t pass[] = "pass";
	char *dir = ktu_tmpdir(), *path, *s;
	struct mp_keyring_opts o = f->o;
	struct mp_keyring *kr;

	assert_non_null(dir);
	path = ktu_path(dir, "k.json");
	o.passphrase = pass;
	o.passphrase_len = sizeof(pass) - 1;
	o.scrypt_log2n = log2n;
	assert_int_equal(mp_keyring_open(path, &o, &kr, NULL), 0);
	mp_keyring_close(kr);
	s = ktu_read(path, NULL);
	assert_non_null(s);
	free(path);
	ktu_rmtree(dir);
	return s;
}

static void test_scrypt_costs(void **state)
{
	struct fx *f = *state;
	char *env = sealed(f, 10), *bad, *def;

	/* only r = 8 and p = 1, as meshprov writes them; log2N up to 18: each
	 * refused before any scrypt work, the field named */
	bad = replace(env, "\"r\": 8", "\"r\": 16");
	expect_keyring_refused(bad, strlen(bad), "kdf.r", "scrypt r is 8");
	free(bad);
	bad = replace(env, "\"p\": 1", "\"p\": 16");
	expect_keyring_refused(bad, strlen(bad), "kdf.p", "scrypt p is 1");
	free(bad);
	bad = replace(env, "\"log2N\": 10", "\"log2N\": 19");
	expect_keyring_refused(bad, strlen(bad), "kdf.log2N", "out of range");
	free(bad);
	bad = replace(env, "\"log2N\": 10", "\"log2N\": 9");
	expect_keyring_refused(bad, strlen(bad), "kdf.log2N", "out of range");
	free(bad);
	free(env);

	/* the default cost is 2^17 */
	def = sealed(f, 0);
	assert_non_null(strstr(def, "\"log2N\": 17"));
	free(def);
}

/* ---- Entry counts ------------------------------------------------------------------------------ */

static char *big_array(const char *prefix, const char *elem, size_t n, const char *suffix)
{
	size_t el = strlen(elem), cap = strlen(prefix) + n * (el + 1) + strlen(suffix) + 1, i;
	char *s = malloc(cap), *p = s;

	assert_non_null(s);
	p += sprintf(p, "%s", prefix);
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, elem, el);
		p += el;
	}
	sprintf(p, "%s", suffix);
	return s;
}

static void test_node_count_bounded(void **state)
{
	struct fx *f = *state;
	/* 0x8000 nodes cannot all have a unicast address (0001-7FFF) */
	char *nodes = big_array("\"nodes\": [", "{}", 0x8000, "],\n  \"xnodes\": ["), *doc;

	doc = replace(f->plain, "\"nodes\": [", nodes);
	expect_keyring_refused(doc, strlen(doc), "nodes", "more than 32767");
	free(doc);
	free(nodes);
}

static void test_exclusions_bounded_in_total(void **state)
{
	struct fx *f = *state;
	char *a = malloc(0x4000 * 8 + 1), *b = malloc(0x4001 * 8 + 1), *ex, *doc;
	size_t i, la = 0, lb = 0;

	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < 0x4000; i++)
		la += (size_t)sprintf(a + la, "%s\"%04zX\"", i ? "," : "", 0x0001 + i);
	for (i = 0; i < 0x4000; i++)
		lb += (size_t)sprintf(b + lb, "%s\"%04zX\"", i ? "," : "", 0x4001 + i);
	lb += (size_t)sprintf(b + lb, ",\"0001\"");
	/* each list alone is within 0x7FFF; together they are not */
	ex = malloc(la + lb + 200);
	assert_non_null(ex);
	sprintf(ex, "\"exclusions\": [ { \"ivIndex\": 0, \"addresses\": [%s] }, "
		    "{ \"ivIndex\": 1, \"addresses\": [%s] } ]", a, b);
	doc = replace(f->plain, "\"exclusions\": [ ]", ex);
	expect_keyring_refused(doc, strlen(doc), "exclusions", "32767 addresses excluded in all");
	free(doc);
	free(ex);
	free(a);
	free(b);
}

/* A few MiB of tiny entries under a field the reader ignores: refused
 * before json-c turns it into millions of objects. */
static void test_tiny_entries_refused_before_parsing(void **state)
{
	struct fx *f = *state;
	char *junk, *doc;

	/* an unknown field before "meshUUID": "junk": [0,0,...] */
	junk = big_array("\"junk\": [", "0", 3u << 20, "],\n  \"meshUUID\"");
	doc = replace(f->plain, "\"meshUUID\"", junk);
	expect_keyring_refused(doc, strlen(doc), NULL, "too many entries");
	free(doc);
	free(junk);
	junk = big_array("\"junk\": [", "{}", 300000, "],\n  \"meshUUID\"");
	doc = replace(f->plain, "\"meshUUID\"", junk);
	expect_keyring_refused(doc, strlen(doc), NULL, "too many entries");
	free(doc);
	free(junk);
	/* and as a CDB */
	junk = big_array("\"junk\": [", "[]", 3u << 20, "],\n  \"meshUUID\"");
	doc = replace(f->cdb, "\"meshUUID\"", junk);
	{
		struct mp_cdb_import_opts io = { .flags = MP_CDB_REPLACE };

		assert_int_equal(mp_cdb_import(f->kr, doc, strlen(doc), &io), -EBADMSG);
		assert_non_null(strstr(mp_keyring_error(f->kr), "too many entries"));
	}
	free(doc);
	free(junk);
}

static void test_cdb_groups_bounded(void **state)
{
	struct fx *f = *state;
	char *groups = big_array("\"groups\": [", "{}", 0x3f01, ", "), *doc;

	doc = replace(f->cdb, "\"groups\": [", groups);
	expect_cdb_refused(f, doc, "groups", "more than 16128");
	free(doc);
	free(groups);
}

/* ---- Names ------------------------------------------------------------------------------------- */

static void test_names_in_keyring(void **state)
{
	static const struct {
		const char *from, *to, *field, *words;
	} cases[] = {
		/* C1: NEL as a JSON escape, and CSI as raw UTF-8 */
		{ "NODE_NAME", "a\\u0085b", "nodes[1].name", "control character" },
		{ "NODE_NAME", "a\xc2\x9b" "31mred", "nodes[1].name", "control character" },
		{ "NODE_NAME", "a\\u001b[2J", "nodes[1].name", "control character" },
		{ "NODE_NAME", "bad\xff", "nodes[1].name", "not valid UTF-8" },
		{ "NODE_NAME", "overlong\xc0\xaf", "nodes[1].name", "not valid UTF-8" },
		{ "NODE_NAME", "surrogate\xed\xa0\x80", "nodes[1].name", "not valid UTF-8" },
		{ "NODE_NAME", "cut\xe2\x98", "nodes[1].name", "not valid UTF-8" },
		{ "NET_NAME", "net\\u009b", "meshName", "control character" },
		{ "PROV_NAME", "prov\x80", "provisioners[0].name", "not valid UTF-8" },
		{ "\"NetKey 0\"", "\"key\\u0090\"", "netKeys[0].name", "control character" },
	};
	struct fx *f = *state;
	struct mp_keyring *kr;
	char *doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = replace(f->plain, cases[i].from, cases[i].to);
		expect_keyring_refused(doc, strlen(doc), cases[i].field, cases[i].words);
		free(doc);
	}
	/* printable UTF-8 is a name like any other */
	doc = replace(f->plain, "NODE_NAME", "K\xc3\xbc" "che \xe2\x98\x95 \xf0\x9f\x92\xa1");
	assert_int_equal(mp_keyring_parse(doc, strlen(doc), NULL, 0, &kr, NULL), 0);
	assert_string_equal(mp_keyring_node_at(kr, 1)->name,
			    "K\xc3\xbc" "che \xe2\x98\x95 \xf0\x9f\x92\xa1");
	mp_keyring_close(kr);
	free(doc);
}

static void test_names_in_cdb(void **state)
{
	struct fx *f = *state;
	char *doc;

	doc = replace(f->cdb, "NODE_NAME", "a\\u0085b");
	expect_cdb_refused(f, doc, "nodes[1].name", "control character");
	free(doc);
	doc = replace(f->cdb, "NODE_NAME", "a\xff");
	expect_cdb_refused(f, doc, "nodes[1].name", "not valid UTF-8");
	free(doc);
	doc = replace(f->cdb, "NET_NAME", "n\xc2\x9b");
	expect_cdb_refused(f, doc, "meshName", "control character");
	free(doc);
	doc = replace(f->cdb, "PROV_NAME", "p\xf5\x80\x80\x80");
	expect_cdb_refused(f, doc, "provisioners[0].provisionerName", "not valid UTF-8");
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scrypt_costs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_count_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclusions_bounded_in_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_entries_refused_before_parsing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cdb_groups_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_in_keyring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_in_cdb, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
