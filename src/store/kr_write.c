/* The keyring file's writer (format in kr_format.c): the records as
 * kr_records.c encodes them for both files, printed one field of the top
 * level a line and one record a line, which keeps the file readable and
 * diff-friendly. The buffer holds keys: it is wiped whenever it moves and
 * by mp_keyring_free_secret(); json-c's copies are wiped as they are made.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_grow(struct sb *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = malloc(cap);
	if (!p) {
		b->oom = true;
		return;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		mp_wipe(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
}

static void put(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct sb *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct sb *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A JSON string: quotes, backslashes and control characters escaped; other
 * bytes as they are (json-c reads them back unchanged). */
static void str(struct sb *b, const char *s)
{
	const char *run = s;

	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		put(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			put(b, esc, 2);
		} else {
			putf(b, "\\u%04x", c);
		}
		run = s + 1;
	}
	put(b, run, (size_t)(s - run));
	put(b, "\"", 1);
}

/* @v on one line, as json-c's "spaced" printer would write it; printed
 * here, without json-c's per-object buffers (no copy of a key left in
 * json-c's memory), wiping each string as it goes (one walk of the tree,
 * not two: half the time of a save on 10,000 nodes). */
static void value(struct sb *b, json_object *v)
{
	size_t i, n;
	bool first = true;

	switch (json_object_get_type(v)) {
	case json_type_string:
		/* printed once, then wiped: the tree is dropped next (keys in hex) */
		str(b, json_object_get_string(v));
		mp_wipe((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_int:
		putf(b, "%" PRId64, json_object_get_int64(v));
		break;
	case json_type_boolean:
		puts_(b, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_array:
		n = json_object_array_length(v);
		puts_(b, "[");
		for (i = 0; i < n; i++) {
			puts_(b, i ? ", " : " ");
			value(b, json_object_array_get_idx(v, i));
		}
		puts_(b, " ]");
		break;
	case json_type_object: {
		puts_(b, "{");
		json_object_object_foreach(v, key, e) {
			puts_(b, first ? " " : ", ");
			first = false;
			str(b, key);
			puts_(b, ": ");
			value(b, e);
		}
		puts_(b, " }");
		break;
	}
	case json_type_null:
	case json_type_double:
		/* the encoders make neither */
		puts_(b, "null");
		break;
	}
}

/* The top level one field a line, and an array of records one record a line. */
static void print(struct sb *b, json_object *root)
{
	bool first = true;

	puts_(b, "{");
	json_object_object_foreach(root, key, v) {
		size_t i, n;

		putf(b, "%s\n  \"%s\": ", first ? "" : ",", key);
		first = false;
		if (!json_object_is_type(v, json_type_array) ||
		    !(n = json_object_array_length(v)) ||
		    !json_object_is_type(json_object_array_get_idx(v, 0), json_type_object)) {
			value(b, v);
			continue;
		}
		puts_(b, "[");
		for (i = 0; i < n; i++) {
			puts_(b, i ? ",\n    " : "\n    ");
			value(b, json_object_array_get_idx(v, i));
		}
		puts_(b, "\n  ]");
	}
	puts_(b, "\n}\n");
}

int kr_encode(const struct kr_data *d, char **out, size_t *len)
{
	static const struct kr_form file = { .cdb = false };
	struct sb b = { 0 };
	json_object *root = json_object_new_object();
	char u[MP_UUID_STR_SIZE];

	*out = NULL;
	if (!root)
		return -ENOMEM;
	kj_add_int(root, "meshprov-keyring", MP_KEYRING_FORMAT_VERSION);
	kj_add_str(root, "meshUUID", mp_uuid_format(d->net_uuid, u, false));
	kj_add_str(root, "meshName", d->net_name);
	kj_add_int(root, "ivIndex", d->iv_index);
	kj_add_bool(root, "ivUpdate", d->iv_update);
	kj_add_int(root, "ivChanged", d->iv_changed);
	kj_add_int(root, "seqNext", d->seq_next);
	kj_add_str(root, "self", mp_uuid_format(d->provs[d->self].uuid, u, false));
	kr_enc_records(&file, d, root);
	/* About 300 bytes a node: one allocation for the usual case. */
	sb_grow(&b, 4096 + d->n_nodes * 320);
	print(&b, root);
	json_object_put(root);	/* every string wiped as it was printed */
	if (b.oom) {
		if (b.p) {
			mp_wipe(b.p, b.cap);
			free(b.p);
		}
		return -ENOMEM;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return 0;
}
