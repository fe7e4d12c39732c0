#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

struct json_object *tu_vectors(void)
{
	static struct json_object *doc;

	if (!doc) {
		doc = json_object_from_file(MP_VECTORS_PATH);
		if (!doc)
			fail_msg("cannot read %s: %s", MP_VECTORS_PATH, json_util_get_last_err());
	}
	return doc;
}

struct json_object *tu_get(struct json_object *root, const char *path)
{
	char buf[256], *save = NULL, *tok;
	struct json_object *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		struct json_object *next = NULL;

		if (json_object_is_type(cur, json_type_array)) {
			char *end;
			long i = strtol(tok, &end, 10);

			if (*end == '\0' && i >= 0 && (size_t)i < json_object_array_length(cur))
				next = json_object_array_get_idx(cur, (size_t)i);
		} else if (json_object_is_type(cur, json_type_object)) {
			json_object_object_get_ex(cur, tok, &next);
		}
		if (!next)
			fail_msg("sample data has no '%s' (at '%s')", path, tok);
		cur = next;
	}
	return cur;
}

const char *tu_str(struct json_object *root, const char *path)
{
	struct json_object *o = tu_get(root, path);

	if (!json_object_is_type(o, json_type_string))
		fail_msg("sample data '%s' is not a string", path);
	return json_object_get_string(o);
}

size_t tu_unhex(const char *hex, uint8_t *out, size_t cap)
{
	ssize_t n = mp_hex_decode(hex, out, cap);

	if (n < 0)
		fail_msg("bad hex or too long (%zu max): %s", cap, hex);
	return (size_t)n;
}

size_t tu_unhex_spaced(const char *hex, uint8_t *out, size_t cap)
{
	char buf[2 * 400 + 1];
	size_t n = 0;

	for (; *hex; hex++) {
		if (*hex == ' ')
			continue;
		if (n + 1 >= sizeof(buf))
			fail_msg("hex literal too long: %s", hex);
		buf[n++] = *hex;
	}
	buf[n] = 0;
	return n ? tu_unhex(buf, out, cap) : 0;
}

size_t tu_hex(struct json_object *root, const char *path, uint8_t *out, size_t cap)
{
	return tu_unhex(tu_str(root, path), out, cap);
}

void _tu_assert_bytes(const uint8_t *a, const uint8_t *b, size_t n, const char *what,
		      const char *file, int line)
{
	if (memcmp(a, b, n) != 0) {
		char *ha = malloc(2 * n + 1), *hb = malloc(2 * n + 1);

		if (ha && hb)
			print_error("%s differs:\n  got      %s\n  expected %s\n", what,
				    mp_hex_encode(a, n, ha), mp_hex_encode(b, n, hb));
		free(ha);
		free(hb);
		_fail(file, line);
	}
}
