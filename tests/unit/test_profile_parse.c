/* Profiles: the parser. Every kind of bad input refused with a message that
 * names the file and the line:column (not JSON) or the field's JSON path;
 * the examples under examples/ parse; each form the format allows reads as
 * it should. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "profile_tu.h"

#define HEAD "{\"meshprov-profile\": 1, "

struct bad {
	const char *text;
	int r;
	const char *path;	/* the field's path, or NULL for a syntax error */
	unsigned int line, col;	/* for a syntax error */
	const char *says;	/* a piece of the message */
};

static const struct bad bad[] = {
	/* not JSON: line:column where the tokener stopped */
	{ "{\n  \"meshprov-profile\": 1,\n  \"rules\": [ }\n", -EBADMSG, NULL, 3, 14, NULL },
	{ "{\"meshprov-profile\": 1,\n\"rules\": [", -EBADMSG, NULL, 2, 11, "ends before" },
	{ "", -EBADMSG, NULL, 1, 1, "ends before" },
	{ HEAD "\"rules\": []}\n}", -EBADMSG, NULL, 2, 1, NULL },
	{ "// a comment\n" HEAD "\"rules\": []}", -EBADMSG, NULL, 1, 1, NULL },
	{ HEAD "\"rules\": [],}", -EBADMSG, NULL, 1, 37, NULL },
	{ HEAD "\"rules\": [\0]}", -EBADMSG, NULL, 1, 35, "NUL" },
	{ "[]", -EINVAL, "", 0, 0, "expected a JSON object" },
	/* the top level */
	{ "{\"rules\": []}", -EINVAL, "meshprov-profile", 0, 0, "missing" },
	{ "{\"meshprov-profile\": 2, \"rules\": []}", -EINVAL, "meshprov-profile", 0, 0,
	  "out of range" },
	{ HEAD "\"rule\": []}", -EINVAL, "rule", 0, 0, "unknown key \"rule\"" },
	{ HEAD "\"groups\": []}", -EINVAL, "rules", 0, 0, "missing" },
	{ HEAD "\"rules\": {}}", -EINVAL, "rules", 0, 0, "expected an array" },
	{ HEAD "\"groups\": [\"c001\"], \"rules\": []}", -EINVAL, "groups[0]", 0, 0,
	  "an address" },
	{ HEAD "\"groups\": [\"room-${room\"], \"rules\": []}", -EINVAL, "groups[0]", 0, 0,
	  "not closed" },
	/* unknown keys, at every depth */
	{ HEAD "\"rules\": [{\"mach\": {}}]}", -EINVAL, "rules[0].mach", 0, 0,
	  "unknown key \"mach\"" },
	{ HEAD "\"rules\": [{\"match\": {\"colum\": {}}}]}", -EINVAL, "rules[0].match.colum", 0, 0,
	  "unknown key" },
	{ HEAD "\"rules\": [{\"settings\": {\"defaultTtl\": 5}}]}", -EINVAL,
	  "rules[0].settings.defaultTtl", 0, 0, "unknown key" },
	{ HEAD "\"rules\": [{}, {}, {\"models\": {\"1000\": {\"subscibe\": []}}}]}", -EINVAL,
	  "rules[2].models[\"1000\"].subscibe", 0, 0, "unknown key \"subscibe\"" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"adress\": \"c000\"}}}}]}",
	  -EINVAL, "rules[0].models[\"1001\"].publish.adress", 0, 0, "unknown key" },
	/* model IDs in the wrong form */
	{ HEAD "\"rules\": [{\"models\": {\"100\": {}}}]}", -EINVAL, "rules[0].models[\"100\"]",
	  0, 0, "model ID \"100\"" },
	{ HEAD "\"rules\": [{\"models\": {\"0x1000\": {}}}]}", -EINVAL,
	  "rules[0].models[\"0x1000\"]", 0, 0, "model ID" },
	{ HEAD "\"rules\": [{\"models\": {\"0059-0001\": {}}}]}", -EINVAL,
	  "rules[0].models[\"0059-0001\"]", 0, 0, "model ID" },
	{ HEAD "\"rules\": [{\"match\": {\"models\": [\"1000\", \"onoff\"]}}]}", -EINVAL,
	  "rules[0].match.models[1]", 0, 0, "model ID \"onoff\"" },
	/* values out of range or of the wrong type */
	{ HEAD "\"rules\": [{\"settings\": {\"defaultTTL\": 200}}]}", -EINVAL,
	  "rules[0].settings.defaultTTL", 0, 0, "200 is out of range (0-127)" },
	{ HEAD "\"rules\": [{\"settings\": {\"defaultTTL\": 1}}]}", -EINVAL,
	  "rules[0].settings.defaultTTL", 0, 0, "not a Default TTL" },
	{ HEAD "\"rules\": [{\"settings\": {\"relay\": 1}}]}", -EINVAL,
	  "rules[0].settings.relay", 0, 0, "expected true or false" },
	{ HEAD "\"rules\": [{\"settings\": {\"networkTransmit\": {\"count\": 9, \"interval\": 10}}}]}",
	  -EINVAL, "rules[0].settings.networkTransmit.count", 0, 0, "out of range (1-8)" },
	{ HEAD "\"rules\": [{\"settings\": {\"networkTransmit\": {\"count\": 2, \"interval\": 15}}}]}",
	  -EINVAL, "rules[0].settings.networkTransmit.interval", 0, 0, "not a multiple of 10" },
	{ HEAD "\"rules\": [{\"settings\": {\"networkTransmit\": {\"count\": 2}}}]}",
	  -EINVAL, "rules[0].settings.networkTransmit.interval", 0, 0, "missing" },
	{ HEAD "\"rules\": [{\"settings\": {\"relayRetransmit\": {\"count\": 2, \"interval\": 20}}}]}",
	  -EINVAL, "rules[0].settings.relayRetransmit", 0, 0, "without \"relay\": true" },
	{ HEAD "\"rules\": [{\"match\": {\"cid\": \"59\"}}]}", -EINVAL, "rules[0].match.cid", 0, 0,
	  "4 hex digits" },
	{ HEAD "\"rules\": [{\"match\": {\"pid\": 65536}}]}", -EINVAL, "rules[0].match.pid", 0, 0,
	  "out of range" },
	{ HEAD "\"rules\": [{\"match\": {\"uuid\": [\"a0b1\"]}}]}", -EINVAL, "rules[0].match.uuid[0]",
	  0, 0, "expected a UUID" },
	{ HEAD "\"rules\": [{\"match\": {\"column\": {\"room\": 3}}}]}", -EINVAL,
	  "rules[0].match.column[\"room\"]", 0, 0, "expected a pattern" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"c000\", "
	  "\"appKey\": 0, \"ttl\": 128}}}}]}", -EINVAL, "rules[0].models[\"1001\"].publish.ttl", 0, 0,
	  "out of range" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"c000\", "
	  "\"appKey\": 0, \"period\": 6500}}}}]}", -EINVAL,
	  "rules[0].models[\"1001\"].publish.period", 0, 0, "6500 ms" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"c000\", "
	  "\"appKey\": 0, \"retransmit\": {\"count\": 1, \"interval\": 60}}}}}]}", -EINVAL,
	  "rules[0].models[\"1001\"].publish.retransmit.interval", 0, 0, "multiple of 50" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"c000\", "
	  "\"appKey\": 0, \"credentials\": \"master\"}}}}]}", -EINVAL,
	  "rules[0].models[\"1001\"].publish.credentials", 0, 0, "\"flooding\" or \"friendship\"" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"c000\"}}}}]}",
	  -EINVAL, "rules[0].models[\"1001\"].publish.appKey", 0, 0, "missing" },
	{ HEAD "\"rules\": [{\"models\": {\"1000\": {\"subscribe\": [\"0001\"]}}}]}", -EINVAL,
	  "rules[0].models[\"1000\"].subscribe[0]", 0, 0, "a subscription is to a group" },
	{ HEAD "\"rules\": [{\"models\": {\"1000\": {\"subscribe\": [\"8001\"]}}}]}", -EINVAL,
	  "rules[0].models[\"1000\"].subscribe[0]", 0, 0, "virtual address" },
	{ HEAD "\"rules\": [{\"models\": {\"1000\": {\"subscribe\": \"c000\"}}}]}", -EINVAL,
	  "rules[0].models[\"1000\"].subscribe", 0, 0, "expected an array" },
	{ HEAD "\"rules\": [{\"appKeys\": [true]}]}", -EINVAL, "rules[0].appKeys[0]", 0, 0,
	  "AppKey name or index" },
	{ HEAD "\"rules\": [{\"appKeys\": [4096]}]}", -EINVAL, "rules[0].appKeys[0]", 0, 0,
	  "out of range" },
	{ HEAD "\"rules\": [{\"name\": \"\"}]}", -EINVAL, "rules[0].name", 0, 0, "1-255" },
	{ HEAD "\"rules\": [{\"name\": \"a\\u0000b\"}]}", -EINVAL, "rules[0].name", 0, 0, "1-255" },
	{ HEAD "\"rules\": [{\"elements\": {\"primary\": {}}}]}", -EINVAL,
	  "rules[0].elements[\"primary\"]", 0, 0, "expected an element index" },
	{ HEAD "\"rules\": [{\"elements\": {\"256\": {}}}]}", -EINVAL,
	  "rules[0].elements[\"256\"]", 0, 0, "0-255" },
	{ HEAD "\"rules\": [{\"elements\": {\"1\": {\"model\": {}}}}]}", -EINVAL,
	  "rules[0].elements[\"1\"].model", 0, 0, "unknown key \"model\"" },
	{ HEAD "\"rules\": [{\"elements\": {\"1\": {\"models\": {\"10000\": {}}}}}]}", -EINVAL,
	  "rules[0].elements[\"1\"].models[\"10000\"]", 0, 0, "model ID" },
	/* names the caller's lookup does not know */
	{ HEAD "\"rules\": [{\"appKeys\": [\"building\", \"bulding\"]}]}", -ENOENT,
	  "rules[0].appKeys[1]", 0, 0, "no AppKey \"bulding\"" },
	{ HEAD "\"rules\": [{\"appKeys\": [7]}]}", -ENOENT, "rules[0].appKeys[0]", 0, 0,
	  "no AppKey of index 7" },
	{ HEAD "\"rules\": [{\"models\": {\"1000\": {\"bind\": [\"nope\"]}}}]}", -ENOENT,
	  "rules[0].models[\"1000\"].bind[0]", 0, 0, "no AppKey \"nope\"" },
	{ HEAD "\"rules\": [{}, {}, {\"models\": {\"1000\": {\"subscribe\": [\"kitchn\"]}}}]}",
	  -ENOENT, "rules[2].models[\"1000\"].subscribe[0]", 0, 0, "no group \"kitchn\"" },
	{ HEAD "\"rules\": [{\"models\": {\"1000\": {\"subscribe\": [\"room-${room}\"]}}}]}",
	  -ENOENT, "rules[0].models[\"1000\"].subscribe[0]", 0, 0, "not listed in \"groups\"" },
	{ HEAD "\"rules\": [{\"models\": {\"1001\": {\"publish\": {\"address\": \"hall\", "
	  "\"appKey\": 0}}}}]}", -ENOENT, "rules[0].models[\"1001\"].publish.address", 0, 0,
	  "no group \"hall\"" },
};

static void test_bad(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		struct mp_profile_error err;
		struct mp_profile *p = (struct mp_profile *)1;
		char want[256];
		size_t len = strlen(b->text);
		int r;

		if (b->says && !strcmp(b->says, "NUL"))
			len += 3;	/* the text goes on past its NUL: "\0]}" */
		r = mp_profile_parse(b->text, len, "t.json", &tu_lookup, &p, &err);
		if (r != b->r || p)
			fail_msg("case %zu: %d, wanted %d (%s)", i, r, b->r, err.msg);
		if (b->path) {
			if (strcmp(err.path, b->path))
				fail_msg("case %zu: path '%s', wanted '%s'", i, err.path, b->path);
			snprintf(want, sizeof(want), "t.json: %s%s", b->path, *b->path ? ": " : "");
		} else {
			if (err.line != b->line || err.col != b->col)
				fail_msg("case %zu: at %u:%u, wanted %u:%u (%s)", i, err.line, err.col,
					 b->line, b->col, err.msg);
			snprintf(want, sizeof(want), "t.json:%u:%u: not JSON", b->line, b->col);
		}
		if (strncmp(err.msg, want, strlen(want)))
			fail_msg("case %zu: message '%s' does not start '%s'", i, err.msg, want);
		if (b->says && !strstr(err.msg, b->says))
			fail_msg("case %zu: message '%s' does not say '%s'", i, err.msg, b->says);
	}
}

/* The examples shipped under examples/ parse, with the names they use. */
static void test_examples(void **state)
{
	static const char *const names[] = { "rooms.json", "one-appkey.json" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct mp_profile *p = tu_parse_example(names[i]);

		assert_true(mp_profile_rule_count(p) >= 3);
		mp_profile_free(p);
	}
}

/* The example in meshprov-profile(5) is a profile that parses. */
static void test_man_example(void **state)
{
	char path[512], *text = malloc(1 << 16), *start, *end, *w;
	const char *r;
	struct mp_profile *p;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/../man/meshprov-profile.5", MP_EXAMPLES_DIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(text);
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	text[len] = '\0';
	start = strstr(text, "\n.nf\n");
	assert_non_null(start);
	start += 5;
	end = strstr(start, "\n.fi\n");
	assert_non_null(end);
	*end = '\0';
	/* roff's \- is a minus */
	for (r = w = start; *r; r++, w++) {
		if (r[0] == '\\' && r[1] == '-')
			r++;
		*w = *r;
	}
	*w = '\0';
	p = tu_parse(start);
	assert_int_equal(mp_profile_rule_count(p), 3);
	mp_profile_free(p);
	free(text);
}

/* Every form the format allows, and the names of the rules. */
static void test_forms(void **state)
{
	struct mp_profile *p;

	(void)state;
	p = tu_parse(HEAD "\"description\": \"all of it\", \"groups\": [\"g-${x}\"], \"rules\": ["
		     "{\"name\": \"first\", \"match\": {\"cid\": \"0059\", \"pid\": 1, \"vid\": "
		     "\"00ff\", \"models\": [\"1000\", \"0059:0001\", \"00590001\"], "
		     "\"uuid\": \"70cf7c97-32a3-45b6-9149-4810d2e9cbf4\", \"name\": \"hall-*\", "
		     "\"column\": {\"room\": \"3.*\", \"floor\": \"\"}},"
		     " \"settings\": {\"defaultTTL\": 0, \"relay\": true, \"relayRetransmit\": "
		     "{\"count\": 8, \"interval\": 320}, \"proxy\": false, \"friend\": true, "
		     "\"secureNetworkBeacon\": false, \"networkTransmit\": {\"count\": 1, "
		     "\"interval\": 10}}, \"appKeys\": [\"building\", 1, 0],"
		     " \"models\": {\"1000\": {\"bind\": [], \"publish\": null, \"subscribe\": []},"
		     " \"0059:abcd\": {\"publish\": {\"address\": \"0000\"}},"
		     " \"0059abce\": {\"publish\": {\"address\": \"00112233-4455-6677-8899-aabbccddeeff\","
		     " \"appKey\": \"lights\", \"ttl\": \"default\", \"period\": 37800000, \"retransmit\":"
		     " {\"count\": 7, \"interval\": 1600}, \"credentials\": \"friendship\"},"
		     " \"subscribe\": [\"c000\", \"ffff\", \"kitchen\", \"vgroup\", \"g-${x}\","
		     " \"000102030405060708090a0b0c0d0e0f\"]}}},"
		     " {\"match\": {\"uuid\": [\"70cf7c9732a345b691494810d2e9cbf4\"]}}]}");
	assert_int_equal(mp_profile_rule_count(p), 2);
	assert_string_equal(mp_profile_rule_name(p, 0), "first");
	assert_string_equal(mp_profile_rule_name(p, 1), "rules[1]");
	assert_null(mp_profile_rule_name(p, 2));
	mp_profile_free(p);
	mp_profile_free(NULL);
}

/* Without a lookup: an AppKey index is taken as it is; a name is unknown. */
static void test_no_lookup(void **state)
{
	static const char ok[] = HEAD "\"rules\": [{\"appKeys\": [3]}]}";
	static const char named[] = HEAD "\"rules\": [{\"appKeys\": [\"building\"]}]}";
	struct mp_profile_error err;
	struct mp_profile *p;

	(void)state;
	assert_int_equal(mp_profile_parse(ok, strlen(ok), NULL, NULL, &p, &err), 0);
	mp_profile_free(p);
	assert_int_equal(mp_profile_parse(named, strlen(named), "x.json", NULL, &p, NULL), -ENOENT);
	assert_null(p);
	assert_int_equal(mp_profile_parse(named, strlen(named), "x.json", NULL, &p, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "x.json: rules[0].appKeys[0]: no AppKey"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_man_example),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_no_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
