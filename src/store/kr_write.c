/* The native keyring writer (format in kr_format.c).
 *
 * Written directly rather than through json-c's printer: one record per
 * line keeps the file readable and diff-friendly, and a 10,000-node keyring
 * writes in a few milliseconds instead of building 150,000 json-c objects.
 * Reading stays with json-c. The buffer holds keys: it is wiped whenever it
 * moves and by mp_keyring_free_secret().
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

static void key_str(struct sb *b, const char *name, const char *val, bool comma)
{
	put(b, "\"", 1);
	puts_(b, name);
	put(b, "\": ", 3);
	str(b, val);
	if (comma)
		put(b, ", ", 2);
}

static void key_hex(struct sb *b, const char *name, const uint8_t *v, size_t n)
{
	char hex[65];

	mp_hex_encode(v, n, hex);
	putf(b, "\"%s\": \"", name);
	put(b, hex, 2 * n);
	put(b, "\", ", 3);
	mp_wipe(hex, sizeof(hex));
}

static void key_uuid(struct sb *b, const char *name, const uint8_t uuid[16])
{
	char u[37];

	mp_uuid_format(uuid, u, false);
	putf(b, "\"%s\": \"%s\"", name, u);
}

static void ranges(struct sb *b, const char *name, const struct mp_kr_range *r, unsigned n)
{
	unsigned i;

	putf(b, "\"%s\": [", name);
	for (i = 0; i < n; i++)
		putf(b, "%s { \"low\": \"%04X\", \"high\": \"%04X\" }", i ? "," : "", r[i].low,
		     r[i].high);
	puts_(b, " ]");
}

static void list(struct sb *b, const char *name, const uint16_t *l, unsigned n)
{
	unsigned i;

	putf(b, ", \"%s\": [", name);
	for (i = 0; i < n; i++)
		putf(b, "%s %u", i ? "," : "", l[i]);
	puts_(b, " ]");
}

static void node(struct sb *b, const struct mp_node *n)
{
	puts_(b, "    { ");
	key_uuid(b, "UUID", n->uuid);
	putf(b, ", \"unicastAddress\": \"%04X\", \"elements\": %u, ", n->addr, n->elements);
	if (n->has_dev_key)
		key_hex(b, "deviceKey", n->dev_key, 16);
	putf(b, "\"state\": \"%s\"", mp_node_state_str(n->state));
	list(b, "netKeys", n->net_keys, n->n_net_keys);
	if (n->n_app_keys)
		list(b, "appKeys", n->app_keys, n->n_app_keys);
	if (n->algorithm[0]) {
		puts_(b, ", ");
		key_str(b, "algorithm", n->algorithm, false);
	}
	if (n->oob[0]) {
		puts_(b, ", ");
		key_str(b, "oob", n->oob, false);
	}
	if (n->provisioned_at)
		putf(b, ", \"provisioned\": %" PRId64, n->provisioned_at);
	if (n->name[0]) {
		puts_(b, ", ");
		key_str(b, "name", n->name, false);
	}
	if (n->config_complete)
		puts_(b, ", \"configComplete\": true");
	if (n->excluded)
		puts_(b, ", \"excluded\": true");
	puts_(b, " }");
}

static void exclusions(struct sb *b, const struct kr_data *d)
{
	bool *done = calloc(d->n_excl + 1, sizeof(bool));
	bool first = true;
	size_t i, j;

	if (!done) {
		b->oom = true;
		return;
	}
	puts_(b, "  \"exclusions\": [");
	for (i = 0; i < d->n_excl; i++) {
		bool one = true;

		if (done[i] || !kr_excl_active(d, &d->excl[i]))
			continue;
		putf(b, "%s\n    { \"ivIndex\": %" PRIu32 ", \"addresses\": [", first ? "" : ",",
		     d->excl[i].iv_index);
		first = false;
		for (j = i; j < d->n_excl; j++) {
			if (done[j] || d->excl[j].iv_index != d->excl[i].iv_index)
				continue;
			done[j] = true;
			putf(b, "%s \"%04X\"", one ? "" : ",", d->excl[j].addr);
			one = false;
		}
		puts_(b, " ] }");
	}
	puts_(b, first ? " ]\n" : "\n  ]\n");
	free(done);
}

int kr_encode(const struct kr_data *d, char **out, size_t *len)
{
	struct sb b = { 0 };
	size_t i;

	*out = NULL;
	/* About 300 bytes a node: one allocation for the usual case. */
	sb_grow(&b, 4096 + d->n_nodes * 320);
	putf(&b, "{\n  \"meshprov-keyring\": %d,\n  ", MP_KEYRING_FORMAT_VERSION);
	key_uuid(&b, "meshUUID", d->net_uuid);
	puts_(&b, ",\n  ");
	key_str(&b, "meshName", d->net_name, false);
	putf(&b, ",\n  \"ivIndex\": %" PRIu32 ",\n  \"ivUpdate\": %s,\n  ", d->iv_index,
	     d->iv_update ? "true" : "false");
	putf(&b, "\"ivChanged\": %" PRId64 ",\n  \"seqNext\": %" PRIu32 ",\n  ", d->iv_changed,
	     d->seq_next);
	key_uuid(&b, "self", d->provs[d->self].uuid);

	puts_(&b, ",\n  \"netKeys\": [");
	for (i = 0; i < d->n_netkeys; i++) {
		const struct mp_netkey *k = &d->netkeys[i];

		putf(&b, "%s\n    { \"index\": %u, ", i ? "," : "", k->index);
		key_str(&b, "name", k->name, true);
		key_hex(&b, "key", k->key, 16);
		putf(&b, "\"phase\": %u, ", k->phase);
		if (k->phase)
			key_hex(&b, "oldKey", k->old_key, 16);
		putf(&b, "\"timestamp\": %" PRId64 " }", k->timestamp);
	}
	puts_(&b, d->n_netkeys ? "\n  ],\n" : " ],\n");

	puts_(&b, "  \"appKeys\": [");
	for (i = 0; i < d->n_appkeys; i++) {
		const struct mp_appkey *k = &d->appkeys[i];

		putf(&b, "%s\n    { \"index\": %u, ", i ? "," : "", k->index);
		key_str(&b, "name", k->name, true);
		putf(&b, "\"boundNetKey\": %u, ", k->net_index);
		if (k->has_old_key)
			key_hex(&b, "oldKey", k->old_key, 16);
		key_hex(&b, "key", k->key, 16);
		b.len -= 2;	/* the last ", " */
		puts_(&b, " }");
	}
	puts_(&b, d->n_appkeys ? "\n  ],\n" : " ],\n");

	puts_(&b, "  \"provisioners\": [");
	for (i = 0; i < d->n_provs; i++) {
		const struct mp_provisioner *p = &d->provs[i];

		puts_(&b, i ? ",\n    { " : "\n    { ");
		key_str(&b, "name", p->name, true);
		key_uuid(&b, "UUID", p->uuid);
		puts_(&b, ",\n      ");
		ranges(&b, "unicast", p->unicast, p->n_unicast);
		puts_(&b, ", ");
		ranges(&b, "group", p->group, p->n_group);
		puts_(&b, ", ");
		ranges(&b, "scene", p->scene, p->n_scene);
		puts_(&b, " }");
	}
	puts_(&b, "\n  ],\n  \"nodes\": [");
	for (i = 0; i < d->n_nodes; i++) {
		puts_(&b, i ? ",\n" : "\n");
		node(&b, &d->nodes[i]);
	}
	puts_(&b, d->n_nodes ? "\n  ],\n" : " ],\n");
	exclusions(&b, d);
	puts_(&b, "}\n");
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
