/* Helpers of the mesh-network tests (test_mesh_keys, test_net, test_beacon):
 * a growing table of cmocka cases, one per sample-data entry and named
 * after its section, and small readers of the sample data's hex integers.
 * Header-only: each test program includes it once.
 */
#ifndef MP_NET_TU_H
#define MP_NET_TU_H

#include "testutil.h"

#include "crypto/mesh_keys.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct CMUnitTest *ntu_tests;
static char **ntu_names;
static size_t ntu_n, ntu_cap;

/* Add a case; @name is copied. */
static inline void ntu_add(const char *name, CMUnitTestFunction fn, void *arg)
{
	size_t len = strlen(name) + 1;

	if (ntu_n == ntu_cap) {
		ntu_cap = ntu_cap ? 2 * ntu_cap : 64;
		ntu_tests = realloc(ntu_tests, ntu_cap * sizeof(*ntu_tests));
		ntu_names = realloc(ntu_names, ntu_cap * sizeof(*ntu_names));
		if (!ntu_tests || !ntu_names)
			abort();
	}
	ntu_names[ntu_n] = malloc(len);
	if (!ntu_names[ntu_n])
		abort();
	memcpy(ntu_names[ntu_n], name, len);
	ntu_tests[ntu_n] = (struct CMUnitTest){ .name = ntu_names[ntu_n], .test_func = fn,
						.initial_state = arg };
	ntu_n++;
}

/* A case for @fn per entry of the sample-data array at @path, named
 * "@path: <its name>". */
static inline void ntu_add_array(const char *path, CMUnitTestFunction fn)
{
	struct json_object *arr = tu_get(tu_vectors(), path);
	char name[160];
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		snprintf(name, sizeof(name), "%s: %s", path, tu_str(v, "name"));
		ntu_add(name, fn, v);
	}
}

/* Run the table as group @group and free it. */
static inline int ntu_run(const char *group)
{
	int ret = _cmocka_run_group_tests(group, ntu_tests, ntu_n, NULL, NULL);
	size_t i;

	for (i = 0; i < ntu_n; i++)
		free(ntu_names[i]);
	free(ntu_names);
	free(ntu_tests);
	return ret;
}

static inline bool ntu_has(struct json_object *v, const char *key)
{
	return json_object_object_get_ex(v, key, NULL);
}

/* The hex string at @path as an unsigned integer (up to 4 octets; an odd
 * digit count, as in SeqZero "9ab", is read with a leading 0). */
static inline uint32_t ntu_int(struct json_object *v, const char *path)
{
	const char *s = tu_str(v, path);
	char *end;
	unsigned long n;

	if (strlen(s) == 0 || strlen(s) > 8)
		fail_msg("'%s' is not a hex integer: %s", path, s);
	n = strtoul(s, &end, 16);
	if (*end)
		fail_msg("'%s' is not a hex integer: %s", path, s);
	return (uint32_t)n;
}

/* A message's network credentials from its NetKey: managed flooding, or
 * friendship with the entry's four friendship values. */
static inline void ntu_message_cred(struct json_object *m, struct mp_net_cred *c)
{
	uint8_t key[16];

	tu_hex(m, "net_key", key, sizeof(key));
	if (strcmp(tu_str(m, "credentials"), "friendship") == 0) {
		uint16_t lpn = (uint16_t)ntu_int(m, "friendship.lpn_address");
		uint16_t fnd = (uint16_t)ntu_int(m, "friendship.friend_address");
		uint16_t lpn_ctr = (uint16_t)ntu_int(m, "friendship.lpn_counter");
		uint16_t fnd_ctr = (uint16_t)ntu_int(m, "friendship.friend_counter");

		assert_int_equal(mp_net_cred_friendship(key, lpn, fnd, lpn_ctr, fnd_ctr, c), 0);
	} else {
		assert_int_equal(mp_net_cred_flooding(key, c), 0);
	}
}

/* The messages entry "8.3.@n". */
static inline struct json_object *ntu_message(unsigned n)
{
	struct json_object *m;
	char key[16];

	snprintf(key, sizeof(key), "8.3.%u", n);
	if (!json_object_object_get_ex(tu_get(tu_vectors(), "messages"), key, &m))
		fail_msg("sample data has no messages.%s", key);
	return m;
}

/* Every "8.3.N" entry of the messages group, in order, for @fn. */
static inline void ntu_add_messages(const char *prefix, CMUnitTestFunction fn)
{
	char name[160];
	unsigned i;

	for (i = 1; i <= 24; i++) {
		struct json_object *m = ntu_message(i);

		snprintf(name, sizeof(name), "%s: %s", prefix, tu_str(m, "name"));
		ntu_add(name, fn, m);
	}
}

#endif
