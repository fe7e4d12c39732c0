/* json-c helpers for the keyring reader and the CDB importer: typed getters
 * that name the field on failure ("nodes[3].deviceKey"), the parser with a
 * line/column message, builders, and wiping of json-c trees that held keys. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"

/* ---- json-c helpers ----------------------------------------------------------- */

static void fieldname(char *buf, size_t cap, const char *ctx, const char *key)
{
	if (ctx && *ctx)
		snprintf(buf, cap, "%s.%s", ctx, key);
	else
		snprintf(buf, cap, "%s", key);
}

static const char *type_name(enum json_type t)
{
	switch (t) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

int kj_get(json_object *o, const char *ctx, const char *key, enum json_type type, bool required,
	   json_object **out, struct mp_keyring_error *err)
{
	char field[128];
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return 0;
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "missing");
	}
	if (!json_object_is_type(v, type)) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "expected %s, found %s",
			       type_name(type), type_name(json_object_get_type(v)));
	}
	*out = v;
	return 0;
}

int kj_int(json_object *o, const char *ctx, const char *key, int64_t min, int64_t max,
	   bool required, int64_t *out, struct mp_keyring_error *err)
{
	json_object *v;
	char field[128];
	int64_t x;
	int r = kj_get(o, ctx, key, json_type_int, required, &v, err);

	*out = 0;	/* an absent optional number reads as 0 */
	if (r || !v)
		return r;
	x = json_object_get_int64(v);
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) != (uint64_t)x)) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "%s is out of range (%lld..%lld)", json_object_get_string(v),
			       (long long)min, (long long)max);
	}
	*out = x;
	return 0;
}

int kj_bool(json_object *o, const char *ctx, const char *key, bool required, bool *out,
	    struct mp_keyring_error *err)
{
	json_object *v;
	int r = kj_get(o, ctx, key, json_type_boolean, required, &v, err);

	if (!r && v)
		*out = json_object_get_boolean(v);
	return r;
}

int kj_str(json_object *o, const char *ctx, const char *key, size_t max, bool required,
	   const char **out, struct mp_keyring_error *err)
{
	json_object *v;
	char field[128];
	const char *s;
	size_t len;
	int r = kj_get(o, ctx, key, json_type_string, required, &v, err);

	*out = NULL;
	if (r || !v)
		return r;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len > max || strlen(s) != len) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       len > max ? "longer than %zu bytes" : "contains a NUL character",
			       max);
	}
	*out = s;
	return 0;
}

int kj_name(json_object *o, const char *ctx, const char *key, bool required, char *out,
	    size_t max, struct mp_keyring_error *err)
{
	const char *s;
	char field[128];
	int r = kj_str(o, ctx, key, max, required, &s, err);

	if (r || !s)
		return r;
	if (kr_name_problem(s)) {
		/* Refused rather than escaped: names go to terminals, logs and
		 * other tools as they are. */
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field, "%s", kr_name_problem(s));
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int kj_hex(json_object *o, const char *ctx, const char *key, bool required, uint8_t *out,
	   size_t n, bool *present, struct mp_keyring_error *err)
{
	const char *s;
	char field[128];
	int r = kj_str(o, ctx, key, 2 * n + 64, required, &s, err);

	if (present)
		*present = false;
	if (r || !s)
		return r;
	if (!mp_hex_decode_exact(s, strlen(s), out, n)) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "expected %zu hexadecimal digits", 2 * n);
	}
	if (present)
		*present = true;
	return 0;
}

int kj_uuid(json_object *o, const char *ctx, const char *key, bool required, uint8_t out[16],
	    struct mp_keyring_error *err)
{
	const char *s;
	char field[128];
	int r = kj_str(o, ctx, key, 64, required, &s, err);

	if (r || !s)
		return r;
	if (mp_uuid_parse(s, out)) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "expected a UUID (32 hexadecimal digits, dashes allowed)");
	}
	return 0;
}

int kj_addr_value(json_object *v, const char *field, uint16_t *out,
		  struct mp_keyring_error *err)
{
	if (!json_object_is_type(v, json_type_string))
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "expected a string, found %s",
			       type_name(json_object_get_type(v)));
	if ((size_t)json_object_get_string_len(v) != 4 ||
	    !kr_parse_addr(json_object_get_string(v), out))
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "expected an address of 4 hexadecimal digits");
	return 0;
}

int kj_addr(json_object *o, const char *ctx, const char *key, uint16_t *out,
	    struct mp_keyring_error *err)
{
	json_object *v;
	char field[128];

	if (!json_object_object_get_ex(o, key, &v)) {
		fieldname(field, sizeof(field), ctx, key);
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "missing");
	}
	fieldname(field, sizeof(field), ctx, key);
	return kj_addr_value(v, field, out, err);
}

/* What json-c would build, counted before it builds it: every value but the
 * first follows a '[', ':' or ',' outside strings (':' and ',' both count a
 * member of an object: an upper bound), and every object opens with '{'. An
 * object costs json-c ~800 bytes, a number ~64: a 64 MiB file of "{}," or
 * "0," would become gigabytes. The limits hold a keyring or CDB of 0x7FFF
 * nodes of the usual shape; nothing legitimate comes near them. */
static int prescan(const char *data, size_t len, struct mp_keyring_error *err)
{
	size_t values = 1, objects = 0, i;

	for (i = 0; i < len; i++) {
		switch (data[i]) {
		case '"':
			for (i++; i < len && data[i] != '"'; i++)
				if (data[i] == '\\')
					i++;
			break;
		case '{':
			objects++;
			break;
		case '[':
		case ':':
		case ',':
			values++;
			break;
		default:
			break;
		}
	}
	if (values > KR_MAX_VALUES || objects > KR_MAX_OBJECTS)
		return kr_fail(err, -EBADMSG, MP_KR_E_SYNTAX, NULL,
			       "too many entries to be a keyring or a configuration database "
			       "(%zu values, %zu objects; at most %u and %u): refused before "
			       "reading it", values, objects, KR_MAX_VALUES, KR_MAX_OBJECTS);
	return 0;
}

int kj_parse(const char *data, size_t len, json_object **out, struct mp_keyring_error *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *root;
	size_t off, line = 1, col = 1, i;

	*out = NULL;
	if (len > KR_MAX_FILE)
		return kr_fail(err, -EBADMSG, MP_KR_E_SYNTAX, NULL, "too large (%zu bytes)", len);
	if (prescan(data, len, err))
		return -EBADMSG;
	tok = json_tokener_new();
	if (!tok)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	root = json_tokener_parse_ex(tok, data, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root && off < len) {
		/* Anything but white space after the document is damage too. */
		for (i = off; i < len && isspace((unsigned char)data[i]); i++)
			;
		if (i < len) {
			off = i;
			json_object_put(root);
			root = NULL;
			jerr = json_tokener_error_parse_unexpected;
		}
	}
	if (!root) {
		const char *what = jerr == json_tokener_continue || jerr == json_tokener_success
					   ? "the file ends too early (truncated)"
					   : json_tokener_error_desc(jerr);

		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			off = len;
		for (i = 0; i < off && i < len; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		kr_fail(err, -EBADMSG, MP_KR_E_SYNTAX, NULL,
			"not valid JSON at line %zu, column %zu (byte %zu): %s", line, col, off,
			what);
		if (err)
			err->offset = off;
		return -EBADMSG;
	}
	*out = root;
	return 0;
}

void kj_add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

void kj_add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void kj_add_bool(json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

void kj_add_hex(json_object *o, const char *key, const uint8_t *b, size_t n, bool upper)
{
	char hex[65];

	if (upper)
		mp_hex_encode_upper(b, n, hex);
	else
		mp_hex_encode(b, n, hex);
	kj_add_str(o, key, hex);
	mp_wipe(hex, sizeof(hex));
}

void kj_add_addr(json_object *o, const char *key, uint16_t a)
{
	char s[8];

	snprintf(s, sizeof(s), "%04X", a);
	kj_add_str(o, key, s);
}

/* json-c frees strings without wiping them: overwrite every string of the
 * tree (keys in hex) before it is freed. Best effort: the tokener's scratch
 * buffer is beyond reach. */
void kj_wipe_tree(json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		mp_wipe((char *)json_object_get_string(o), (size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			kj_wipe_tree(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			kj_wipe_tree(v);
		}
		break;
	}
	case json_type_null:	/* no string inside */
	case json_type_boolean:
	case json_type_double:
	case json_type_int:
		break;
	}
}

void kj_put_wiped(json_object *o)
{
	if (!o)
		return;
	kj_wipe_tree(o);
	json_object_put(o);
}

char *kj_dump(json_object *o, size_t *len)
{
	const char *s;
	size_t n = 0;
	char *out;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s)
		return NULL;
	out = malloc(n + 2);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = '\0';
		if (len)
			*len = n + 1;
	}
	mp_wipe((char *)s, n);
	return out;
}

int kj_array(json_object *o, const char *ctx, const char *key, bool required, size_t max,
	     json_object **arr, size_t *n, struct mp_keyring_error *err)
{
	char field[128];
	int r = kj_get(o, ctx, key, json_type_array, required, arr, err);

	*n = 0;
	if (r || !*arr)
		return r;
	*n = json_object_array_length(*arr);
	if (*n > max) {
		snprintf(field, sizeof(field), "%s%s%s", ctx, *ctx ? "." : "", key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field, "more than %zu entries", max);
	}
	return 0;
}

int kj_elem(json_object *arr, size_t i, const char *field, json_object **out,
	    struct mp_keyring_error *err)
{
	*out = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(*out, json_type_object))
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "expected an object");
	return 0;
}
