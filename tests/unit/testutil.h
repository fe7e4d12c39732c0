/* Helpers shared by the cmocka unit tests: the specification's sample data
 * (tests/vectors/mesh-vectors.json, MshPRT v1.1 section 8) and hex. */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <json-c/json.h>

/** The sample-data document, loaded once; fails the test if unreadable. */
struct json_object *tu_vectors(void);

/**
 * Look up a dotted path below @root: "provisioning_cmac.ecdh_secret",
 * "pdus.transactions.3.messages.0" (numbers index arrays). Fails the test
 * when the path does not exist.
 */
struct json_object *tu_get(struct json_object *root, const char *path);

/** The string at @path. */
const char *tu_str(struct json_object *root, const char *path);

/** Decode the hex string at @path into @out; returns its length. */
size_t tu_hex(struct json_object *root, const char *path, uint8_t *out, size_t cap);

/** Decode a hex literal; fails the test on bad hex. */
size_t tu_unhex(const char *hex, uint8_t *out, size_t cap);

/** The same, with spaces allowed between the octets ("8202 01 2a"): the
 *  fields of a message written apart. */
size_t tu_unhex_sp(const char *hex, uint8_t *out, size_t cap);

/** Compare two byte strings and print both in hex on a mismatch. */
#define tu_assert_bytes(a, b, n) _tu_assert_bytes((a), (b), (n), #a, __FILE__, __LINE__)
void _tu_assert_bytes(const uint8_t *a, const uint8_t *b, size_t n, const char *what,
		      const char *file, int line);

#endif
