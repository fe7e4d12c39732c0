/* The profile file: JSON text to struct mp_profile, every field checked and
 * every error named by file and line:column (not JSON) or by the field's
 * JSON path (a value that is). The format is in profile/profile.h and
 * meshprov-profile(5). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/hex.h"
#include "profile_int.h"

/* A profile is a page of text; this bounds what one parse may allocate. */
#define PR_TEXT_MAX (4u << 20)
#define PR_NAME_MAX 255	/* a group or rule name, a glob */

struct pctx {
	const char *file;
	const struct mp_profile_lookup *lk;
	struct mp_profile *p;
	struct mp_profile_error *err;
	char path[PR_PATH_MAX];
};

static int fail(struct pctx *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct pctx *c, int r, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	if (!c->err)
		return r;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	c->err->line = c->err->col = 0;
	snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
	snprintf(c->err->msg, sizeof(c->err->msg), "%s: %s%s%s", c->file, c->path,
		 c->path[0] ? ": " : "", what);
	return r;
}

/* Append to the path; returns its length before, for pop(). */
static size_t push(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t push(struct pctx *c, const char *fmt, ...)
{
	size_t n = strlen(c->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path + n, sizeof(c->path) - n, fmt, ap);
	va_end(ap);
	return n;
}

static void pop(struct pctx *c, size_t n)
{
	c->path[n] = '\0';
}

/* ".key" at the top level is "key". */
static size_t push_key(struct pctx *c, const char *key)
{
	return push(c, c->path[0] ? ".%s" : "%s", key);
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
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

static int expect(struct pctx *c, json_object *v, enum json_type t, const char *what)
{
	if (v && json_object_is_type(v, t))
		return 0;
	return fail(c, -EINVAL, "expected %s, found %s", what, type_name(v));
}

/* Typos are caught: an object takes only the keys it knows. */
static int check_keys(struct pctx *c, json_object *o, const char *const *known, const char *list)
{
	json_object_object_foreach(o, key, val) {
		const char *const *k;
		size_t n;

		(void)val;
		for (k = known; *k && strcmp(*k, key); k++)
			;
		if (*k)
			continue;
		n = push_key(c, key);
		fail(c, -EINVAL, "unknown key \"%s\" (known here: %s)", key, list);
		pop(c, n);
		return -EINVAL;
	}
	return 0;
}

/* json-c tells a key given as null from an absent one by the return value. */
static bool member(json_object *o, const char *key, json_object **v)
{
	*v = NULL;
	return json_object_object_get_ex(o, key, v);
}

static int get_int(struct pctx *c, json_object *v, int64_t min, int64_t max, int64_t *out)
{
	int64_t x;

	if (expect(c, v, json_type_int, "an integer"))
		return -EINVAL;
	x = json_object_get_int64(v);
	if (x < min || x > max)
		return fail(c, -EINVAL, "%s is out of range (%lld-%lld)", json_object_get_string(v),
			    (long long)min, (long long)max);
	*out = x;
	return 0;
}

static int get_bool(struct pctx *c, json_object *v, int *out)
{
	if (expect(c, v, json_type_boolean, "true or false"))
		return -EINVAL;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

static int get_str(struct pctx *c, json_object *v, const char **out)
{
	const char *s;

	if (expect(c, v, json_type_string, "a string"))
		return -EINVAL;
	s = json_object_get_string(v);
	if (!*s || strlen(s) > PR_NAME_MAX || (size_t)json_object_get_string_len(v) != strlen(s))
		return fail(c, -EINVAL, "expected a name of 1-%d characters", PR_NAME_MAX);
	*out = s;
	return 0;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static uint16_t hex16(const char *s)
{
	char b[5];

	memcpy(b, s, 4);
	b[4] = '\0';
	return (uint16_t)strtoul(b, NULL, 16);
}

/* A model ID: "1000" (SIG, 4 hex digits), "0059:abcd" or "0059abcd"
 * (vendor: company identifier then model number, as the Mesh Configuration
 * Database writes it). */
static int model_id(struct pctx *c, const char *s, struct mp_model_id *id)
{
	size_t n = strlen(s);

	memset(id, 0, sizeof(*id));
	if (n == 4 && all_hex(s, 4)) {
		id->id = hex16(s);
		return 0;
	}
	if ((n == 8 && all_hex(s, 8)) || (n == 9 && s[4] == ':' && all_hex(s, 4) &&
					  all_hex(s + 5, 4))) {
		id->vendor = true;
		id->cid = hex16(s);
		id->id = hex16(s + n - 4);
		return 0;
	}
	return fail(c, -EINVAL, "model ID \"%s\": expected 4 hex digits (a SIG model, \"1000\") "
		    "or a company and model number (a vendor model, \"0059:abcd\" or \"0059abcd\")", s);
}

/* cid, pid, vid: an integer or 4 hex digits. */
static int get_u16(struct pctx *c, json_object *v, int *out)
{
	int64_t x;

	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (strlen(s) != 4 || !all_hex(s, 4))
			return fail(c, -EINVAL, "\"%s\": expected 4 hex digits or an integer", s);
		*out = hex16(s);
		return 0;
	}
	if (get_int(c, v, 0, 0xffff, &x))
		return -EINVAL;
	*out = (int)x;
	return 0;
}

/* ${column} well formed: a closed brace around a non-empty name. */
static int check_subst(struct pctx *c, const char *s)
{
	const char *p = s, *e;

	while ((p = strstr(p, "${"))) {
		e = strchr(p + 2, '}');
		if (!e || e == p + 2)
			return fail(c, -EINVAL, "\"%s\": a ${COLUMN} is not closed or names nothing", s);
		p = e + 1;
	}
	return 0;
}

static bool declared(const struct mp_profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_groups; i++)
		if (!strcmp(p->groups[i], name))
			return true;
	return false;
}

/* An AppKey by name or index, through the caller's lookup. */
static int appkey(struct pctx *c, json_object *v, struct mp_profile_key *k)
{
	const struct mp_profile_lookup *lk = c->lk;
	int64_t idx;
	const char *name;

	memset(k, 0, sizeof(*k));
	if (json_object_is_type(v, json_type_string)) {
		if (get_str(c, v, &name))
			return -EINVAL;
		if (!lk || !lk->appkey || lk->appkey(lk->user, name, -1, &k->app_idx, &k->net_idx))
			return fail(c, -ENOENT, "no AppKey \"%s\" in the keyring", name);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return fail(c, -EINVAL, "expected an AppKey name or index, found %s", type_name(v));
	if (get_int(c, v, 0, 0xfff, &idx))
		return -EINVAL;
	if (!lk || !lk->appkey) {
		k->app_idx = (uint16_t)idx;
		return 0;
	}
	if (lk->appkey(lk->user, NULL, (int)idx, &k->app_idx, &k->net_idx))
		return fail(c, -ENOENT, "no AppKey of index %lld in the keyring", (long long)idx);
	return 0;
}

/* An address as "publish" or "subscribe" write it (profile/profile.h). */
static int address(struct pctx *c, json_object *v, bool sub, struct pr_addr *a)
{
	const struct mp_profile_lookup *lk = c->lk;
	const char *s;
	uint8_t label[16];
	bool virt;
	uint16_t addr;

	memset(a, 0, sizeof(*a));
	snprintf(a->path, sizeof(a->path), "%s", c->path);
	if (get_str(c, v, &s))
		return -EINVAL;
	if (strlen(s) == 4 && all_hex(s, 4)) {
		a->kind = PR_ADDR;
		a->addr = hex16(s);
		/* MshPRT v1.1 3.4.2: 8000-bfff are virtual addresses, written
		 * here as their Label UUID; a subscription is to a group. */
		if (a->addr >= 0x8000 && a->addr < 0xc000)
			return fail(c, -EINVAL, "%s is a virtual address: write its Label UUID", s);
		if (sub && a->addr < 0xc000)
			return fail(c, -EINVAL, "%s: a subscription is to a group address (c000-ffff), "
				    "a group name or a Label UUID", s);
		return 0;
	}
	if (!mp_uuid_parse(s, a->label)) {
		a->kind = PR_LABEL;
		return 0;
	}
	a->kind = PR_GROUP;
	if (check_subst(c, s))
		return -EINVAL;
	a->name = strdup(s);
	if (!a->name)
		return fail(c, -ENOMEM, "out of memory");
	if (declared(c->p, s))
		return 0;
	if (strstr(s, "${"))
		return fail(c, -ENOENT, "group \"%s\" names a column but is not listed in \"groups\"", s);
	if (!lk || !lk->group || lk->group(lk->user, s, &addr, label, &virt))
		return fail(c, -ENOENT, "no group \"%s\" (neither in the keyring nor in \"groups\")", s);
	return 0;
}

/* {"count": C, "interval": MS} into MP_CFG_XMIT(): count C-@cbias in
 * @cmin-@cmax, interval a multiple of @step in @step-32*@step. */
static int xmit(struct pctx *c, json_object *v, int64_t cmin, int64_t cmax, int cbias, int step,
		int *out)
{
	static const char *const known[] = { "count", "interval", NULL };
	json_object *f;
	int64_t count, ms;
	size_t n;

	if (expect(c, v, json_type_object, "an object {\"count\", \"interval\"}") ||
	    check_keys(c, v, known, "count, interval"))
		return -EINVAL;
	n = push_key(c, "count");
	if (!member(v, "count", &f))
		return fail(c, -EINVAL, "missing");
	if (get_int(c, f, cmin, cmax, &count))
		return -EINVAL;
	pop(c, n);
	n = push_key(c, "interval");
	if (!member(v, "interval", &f))
		return fail(c, -EINVAL, "missing");
	if (get_int(c, f, step, 32 * step, &ms))
		return -EINVAL;
	if (ms % step)
		return fail(c, -EINVAL, "%lld ms is not a multiple of %d ms", (long long)ms, step);
	pop(c, n);
	*out = MP_CFG_XMIT(count - cbias, ms / step - 1);
	return 0;
}

/* A Publish Period in milliseconds: the finest step resolution that holds
 * it in 6 bits. MshPRT v1.1 4.2, Model Publication (Publish Period). */
static int period(struct pctx *c, json_object *v, uint8_t *out)
{
	static const int64_t res[] = { 100, 1000, 10000, 600000 };
	int64_t ms;
	unsigned int i;

	if (get_int(c, v, 0, 63 * res[3], &ms))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if (ms % res[i] == 0 && ms / res[i] <= 63) {
			*out = MP_CFG_PERIOD(ms / res[i], i);
			return 0;
		}
	return fail(c, -EINVAL, "%lld ms is no whole number (at most 63) of steps of 100 ms, 1 s, "
		    "10 s or 10 min", (long long)ms);
}

static int publish(struct pctx *c, json_object *v, struct pr_pub *pub)
{
	static const char *const known[] = { "address", "appKey", "ttl", "period", "retransmit",
					     "credentials", NULL };
	json_object *f;
	int64_t x;
	int xm, r;
	size_t n;

	memset(pub, 0, sizeof(*pub));
	pub->set = true;
	pub->ttl = MP_CFG_TTL_DEFAULT;
	if (!v)	/* null: publication off */
		return 0;
	if (expect(c, v, json_type_object, "an object or null") ||
	    check_keys(c, v, known, "address, appKey, ttl, period, retransmit, credentials"))
		return -EINVAL;
	n = push_key(c, "address");
	if (!member(v, "address", &f))
		return fail(c, -EINVAL, "missing");
	if ((r = address(c, f, false, &pub->addr)))
		return r;
	pop(c, n);
	if (pub->addr.kind == PR_ADDR && !pub->addr.addr)
		return 0;	/* unassigned: off, the rest does not matter */
	n = push_key(c, "appKey");
	if (!member(v, "appKey", &f))
		return fail(c, -EINVAL, "missing (the key to publish with)");
	if ((r = appkey(c, f, &pub->key)))
		return r;
	pop(c, n);
	if (member(v, "ttl", &f)) {
		n = push_key(c, "ttl");
		if (json_object_is_type(f, json_type_string) &&
		    !strcmp(json_object_get_string(f), "default")) {
			pub->ttl = MP_CFG_TTL_DEFAULT;
		} else {
			if (get_int(c, f, 0, 0x7f, &x))
				return -EINVAL;
			pub->ttl = (uint8_t)x;
		}
		pop(c, n);
	}
	if (member(v, "period", &f)) {
		n = push_key(c, "period");
		if (period(c, f, &pub->period))
			return -EINVAL;
		pop(c, n);
	}
	if (member(v, "retransmit", &f)) {
		/* Publish Retransmit Count 0-7 (retransmissions), interval
		 * (steps + 1) * 50 ms. 4.2, Model Publication */
		n = push_key(c, "retransmit");
		if (xmit(c, f, 0, 7, 0, 50, &xm))
			return -EINVAL;
		pub->retransmit = (uint8_t)xm;
		pop(c, n);
	}
	if (member(v, "credentials", &f)) {
		const char *s = json_object_get_string(f);

		n = push_key(c, "credentials");
		if (expect(c, f, json_type_string, "\"flooding\" or \"friendship\""))
			return -EINVAL;
		if (strcmp(s, "flooding") && strcmp(s, "friendship"))
			return fail(c, -EINVAL, "\"%s\": expected \"flooding\" or \"friendship\"", s);
		pub->cred = !strcmp(s, "friendship");
		pop(c, n);
	}
	return 0;
}

static int keys_list(struct pctx *c, json_object *v, struct mp_profile_key **out, size_t *nout)
{
	size_t i, j, n, len;
	struct mp_profile_key k;

	if (expect(c, v, json_type_array, "an array of AppKey names or indexes"))
		return -EINVAL;
	len = json_object_array_length(v);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return fail(c, -ENOMEM, "out of memory");
	for (i = 0; i < len; i++) {
		int r;

		n = push(c, "[%zu]", i);
		r = appkey(c, json_object_array_get_idx(v, i), &k);
		if (r)
			return r;
		pop(c, n);
		for (j = 0; j < *nout && (*out)[j].app_idx != k.app_idx; j++)
			;
		if (j == *nout)
			(*out)[(*nout)++] = k;
	}
	return 0;
}

static int model(struct pctx *c, const char *key, json_object *v, struct pr_model *m)
{
	static const char *const known[] = { "bind", "publish", "subscribe", NULL };
	json_object *f;
	size_t i, n, len;
	int r;

	if (model_id(c, key, &m->id))
		return -EINVAL;
	if (expect(c, v, json_type_object, "an object") ||
	    check_keys(c, v, known, "bind, publish, subscribe"))
		return -EINVAL;
	if (member(v, "bind", &f)) {
		n = push_key(c, "bind");
		m->has_bind = true;
		r = keys_list(c, f, &m->binds, &m->n_binds);
		if (r)
			return r;
		pop(c, n);
	}
	if (member(v, "publish", &f)) {
		n = push_key(c, "publish");
		r = publish(c, f, &m->pub);
		if (r)
			return r;
		pop(c, n);
	}
	if (member(v, "subscribe", &f)) {
		n = push_key(c, "subscribe");
		m->has_sub = true;
		if (expect(c, f, json_type_array, "an array of addresses, group names, Label UUIDs"))
			return -EINVAL;
		len = json_object_array_length(f);
		m->subs = calloc(len ? len : 1, sizeof(*m->subs));
		if (!m->subs)
			return fail(c, -ENOMEM, "out of memory");
		for (i = 0; i < len; i++) {
			size_t k = push(c, "[%zu]", i);

			r = address(c, json_object_array_get_idx(f, i), true, &m->subs[i]);
			m->n_subs = i + 1;	/* freed with the rule, even half-made */
			if (r)
				return r;
			pop(c, k);
		}
		pop(c, n);
	}
	return 0;
}

static int settings(struct pctx *c, json_object *v, struct pr_settings *s)
{
	static const char *const known[] = { "defaultTTL", "relay", "relayRetransmit", "proxy",
					     "friend", "secureNetworkBeacon", "networkTransmit",
					     NULL };
	struct { const char *key; int *out; } bools[] = {
		{ "relay", NULL }, { "proxy", NULL }, { "friend", NULL },
		{ "secureNetworkBeacon", NULL },
	};
	json_object *f;
	int64_t x;
	size_t i, n;

	if (expect(c, v, json_type_object, "an object") ||
	    check_keys(c, v, known, "defaultTTL, relay, relayRetransmit, proxy, friend, "
		       "secureNetworkBeacon, networkTransmit"))
		return -EINVAL;
	if (member(v, "defaultTTL", &f)) {
		n = push_key(c, "defaultTTL");
		if (get_int(c, f, 0, 0x7f, &x))
			return -EINVAL;
		if (x == 1)	/* MshPRT v1.1 4.2, Default TTL: 0x01 Prohibited */
			return fail(c, -EINVAL, "1 is not a Default TTL (0 or 2-127)");
		s->ttl = (int)x;
		pop(c, n);
	}
	/* Relay and Network Transmit count the transmissions, 1-8, as the
	 * Mesh Configuration Database does; the state holds one less.
	 * Interval (steps + 1) * 10 ms. 4.2, Network Transmit, Relay */
	n = push_key(c, "relayRetransmit");
	if (member(v, "relayRetransmit", &f) && xmit(c, f, 1, 8, 1, 10, &s->relay_xmit))
		return -EINVAL;
	pop(c, n);
	n = push_key(c, "networkTransmit");
	if (member(v, "networkTransmit", &f) && xmit(c, f, 1, 8, 1, 10, &s->net_xmit))
		return -EINVAL;
	pop(c, n);
	bools[0].out = &s->relay;
	bools[1].out = &s->proxy;
	bools[2].out = &s->friend;
	bools[3].out = &s->beacon;
	for (i = 0; i < 4; i++) {
		n = push_key(c, bools[i].key);
		if (member(v, bools[i].key, &f) && get_bool(c, f, bools[i].out))
			return -EINVAL;
		pop(c, n);
	}
	/* Relay Set carries both: a retransmission pattern goes with relaying. */
	if (s->relay_xmit >= 0 && s->relay != 1) {
		push_key(c, "relayRetransmit");
		return fail(c, -EINVAL, "given without \"relay\": true");
	}
	return 0;
}

static int match(struct pctx *c, json_object *v, struct pr_rule *rule)
{
	static const char *const known[] = { "cid", "pid", "vid", "models", "uuid", "name",
					     "column", NULL };
	json_object *f;
	size_t i, n, k, len;
	const char *s;

	if (expect(c, v, json_type_object, "an object") ||
	    check_keys(c, v, known, "cid, pid, vid, models, uuid, name, column"))
		return -EINVAL;
	n = push_key(c, "cid");
	if (member(v, "cid", &f) && get_u16(c, f, &rule->cid))
		return -EINVAL;
	pop(c, n);
	n = push_key(c, "pid");
	if (member(v, "pid", &f) && get_u16(c, f, &rule->pid))
		return -EINVAL;
	pop(c, n);
	n = push_key(c, "vid");
	if (member(v, "vid", &f) && get_u16(c, f, &rule->vid))
		return -EINVAL;
	pop(c, n);
	if (member(v, "models", &f)) {
		n = push_key(c, "models");
		if (expect(c, f, json_type_array, "an array of model IDs"))
			return -EINVAL;
		len = json_object_array_length(f);
		rule->models = calloc(len ? len : 1, sizeof(*rule->models));
		if (!rule->models)
			return fail(c, -ENOMEM, "out of memory");
		for (i = 0; i < len; i++) {
			k = push(c, "[%zu]", i);
			if (get_str(c, json_object_array_get_idx(f, i), &s) ||
			    model_id(c, s, &rule->models[i]))
				return -EINVAL;
			rule->n_models++;
			pop(c, k);
		}
		pop(c, n);
	}
	if (member(v, "uuid", &f)) {
		json_object *one = f;

		n = push_key(c, "uuid");
		len = 1;
		if (json_object_is_type(f, json_type_array))
			len = json_object_array_length(f);
		else if (!json_object_is_type(f, json_type_string))
			return fail(c, -EINVAL, "expected a UUID or an array of UUIDs, found %s",
				    type_name(f));
		rule->uuids = calloc(len ? len : 1, sizeof(*rule->uuids));
		if (!rule->uuids)
			return fail(c, -ENOMEM, "out of memory");
		for (i = 0; i < len; i++) {
			k = strlen(c->path);
			if (json_object_is_type(f, json_type_array)) {
				k = push(c, "[%zu]", i);
				one = json_object_array_get_idx(f, i);
			}
			if (expect(c, one, json_type_string, "a UUID"))
				return -EINVAL;
			if (mp_uuid_parse(json_object_get_string(one), rule->uuids[i]))
				return fail(c, -EINVAL, "\"%s\": expected a UUID (32 hex digits or "
					    "8-4-4-4-12)", json_object_get_string(one));
			rule->n_uuids++;
			pop(c, k);
		}
		pop(c, n);
	}
	if (member(v, "name", &f)) {
		n = push_key(c, "name");
		if (get_str(c, f, &s))
			return -EINVAL;
		rule->name_glob = strdup(s);
		if (!rule->name_glob)
			return fail(c, -ENOMEM, "out of memory");
		pop(c, n);
	}
	if (member(v, "column", &f)) {
		n = push_key(c, "column");
		if (expect(c, f, json_type_object, "an object {\"COLUMN\": \"GLOB\"}"))
			return -EINVAL;
		rule->cols = calloc((size_t)json_object_object_length(f) + 1, sizeof(*rule->cols));
		if (!rule->cols)
			return fail(c, -ENOMEM, "out of memory");
		json_object_object_foreach(f, col, glob) {
			k = push(c, "[\"%s\"]", col);
			if (expect(c, glob, json_type_string, "a pattern (\"*\": any value)"))
				return -EINVAL;
			rule->cols[rule->n_cols].name = strdup(col);
			rule->cols[rule->n_cols].glob = strdup(json_object_get_string(glob));
			rule->n_cols++;
			if (!rule->cols[rule->n_cols - 1].name || !rule->cols[rule->n_cols - 1].glob)
				return fail(c, -ENOMEM, "out of memory");
			pop(c, k);
		}
		pop(c, n);
	}
	return 0;
}

/* "models": {"MODEL-ID": {...}} of the rule (@elem -1) or of one element. */
static int models(struct pctx *c, json_object *f, int elem, struct pr_rule *r)
{
	struct pr_model *nv;
	int e;

	if (expect(c, f, json_type_object, "an object {\"MODEL-ID\": {...}}"))
		return -EINVAL;
	nv = realloc(r->mods, (r->n_mods + (size_t)json_object_object_length(f) + 1) * sizeof(*nv));
	if (!nv)
		return fail(c, -ENOMEM, "out of memory");
	r->mods = nv;
	json_object_object_foreach(f, key, val) {
		size_t k = push(c, "[\"%s\"]", key);
		struct pr_model *m = &r->mods[r->n_mods++];

		memset(m, 0, sizeof(*m));
		m->elem = elem;
		if ((e = model(c, key, val, m)))
			return e;
		pop(c, k);
	}
	return 0;
}

/* "elements": {"INDEX": {"models": {...}}}: what one element's models get,
 * after (so over) what the rule gives every element. */
static int elements(struct pctx *c, json_object *f, struct pr_rule *r)
{
	static const char *const known[] = { "models", NULL };
	json_object *m;
	char *end;
	long idx;
	int e;

	if (expect(c, f, json_type_object, "an object {\"ELEMENT-INDEX\": {...}}"))
		return -EINVAL;
	json_object_object_foreach(f, key, val) {
		size_t k = push(c, "[\"%s\"]", key), n;

		errno = 0;
		idx = strtol(key, &end, 10);
		if (!*key || *end || !isdigit((unsigned char)*key) || idx > 255 || errno)
			return fail(c, -EINVAL, "\"%s\": expected an element index, 0-255 (0: the "
				    "primary element)", key);
		if (expect(c, val, json_type_object, "an object {\"models\": {...}}") ||
		    check_keys(c, val, known, "models"))
			return -EINVAL;
		if (member(val, "models", &m)) {
			n = push_key(c, "models");
			if ((e = models(c, m, (int)idx, r)))
				return e;
			pop(c, n);
		}
		pop(c, k);
	}
	return 0;
}

static int rule(struct pctx *c, json_object *v, size_t idx, struct pr_rule *r)
{
	static const char *const known[] = { "name", "match", "settings", "appKeys", "models",
					     "elements", NULL };
	json_object *f;
	const char *s;
	size_t n;
	int e;

	r->cid = r->pid = r->vid = -1;
	r->set = (struct pr_settings){ -1, -1, -1, -1, -1, -1, -1 };
	if (expect(c, v, json_type_object, "an object") ||
	    check_keys(c, v, known, "name, match, settings, appKeys, models, elements"))
		return -EINVAL;
	if (member(v, "name", &f)) {
		n = push_key(c, "name");
		if (get_str(c, f, &s))
			return -EINVAL;
		pop(c, n);
		r->name = strdup(s);
	} else {
		if (asprintf(&r->name, "rules[%zu]", idx) < 0)
			r->name = NULL;
	}
	if (!r->name)
		return fail(c, -ENOMEM, "out of memory");
	if (member(v, "match", &f)) {
		n = push_key(c, "match");
		if ((e = match(c, f, r)))
			return e;
		pop(c, n);
	}
	if (member(v, "settings", &f)) {
		n = push_key(c, "settings");
		if ((e = settings(c, f, &r->set)))
			return e;
		pop(c, n);
	}
	if (member(v, "appKeys", &f)) {
		n = push_key(c, "appKeys");
		if ((e = keys_list(c, f, &r->keys, &r->n_keys)))
			return e;
		pop(c, n);
	}
	if (member(v, "models", &f)) {
		n = push_key(c, "models");
		if ((e = models(c, f, -1, r)))
			return e;
		pop(c, n);
	}
	if (member(v, "elements", &f)) {
		n = push_key(c, "elements");
		if ((e = elements(c, f, r)))
			return e;
		pop(c, n);
	}
	return 0;
}

static void free_addr(struct pr_addr *a)
{
	free(a->name);
}

static void free_rule(struct pr_rule *r)
{
	size_t i, j;

	free(r->name);
	free(r->models);
	free(r->uuids);
	free(r->name_glob);
	for (i = 0; i < r->n_cols; i++) {
		free(r->cols[i].name);
		free(r->cols[i].glob);
	}
	free(r->cols);
	free(r->keys);
	for (i = 0; i < r->n_mods; i++) {
		free(r->mods[i].binds);
		free_addr(&r->mods[i].pub.addr);
		for (j = 0; j < r->mods[i].n_subs; j++)
			free_addr(&r->mods[i].subs[j]);
		free(r->mods[i].subs);
	}
	free(r->mods);
}

void mp_profile_free(struct mp_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_rules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->n_groups; i++)
		free(p->groups[i]);
	free(p->groups);
	free(p);
}

static int top(struct pctx *c, json_object *root)
{
	static const char *const known[] = { "meshprov-profile", "description", "groups",
					     "rules", NULL };
	struct mp_profile *p = c->p;
	json_object *f;
	int64_t ver;
	size_t i, n, len;
	const char *s;
	int e;

	if (expect(c, root, json_type_object, "a JSON object") ||
	    check_keys(c, root, known, "meshprov-profile, description, groups, rules"))
		return -EINVAL;
	n = push_key(c, "meshprov-profile");
	if (!member(root, "meshprov-profile", &f))
		return fail(c, -EINVAL, "missing (the format version: %d)", MP_PROFILE_VERSION);
	if (get_int(c, f, MP_PROFILE_VERSION, MP_PROFILE_VERSION, &ver))
		return -EINVAL;
	pop(c, n);
	n = push_key(c, "description");
	if (member(root, "description", &f) && expect(c, f, json_type_string, "a string"))
		return -EINVAL;
	pop(c, n);
	if (member(root, "groups", &f)) {
		n = push_key(c, "groups");
		if (expect(c, f, json_type_array, "an array of group names"))
			return -EINVAL;
		len = json_object_array_length(f);
		p->groups = calloc(len ? len : 1, sizeof(*p->groups));
		if (!p->groups)
			return fail(c, -ENOMEM, "out of memory");
		for (i = 0; i < len; i++) {
			size_t k = push(c, "[%zu]", i);
			uint8_t label[16];

			if (get_str(c, json_object_array_get_idx(f, i), &s) || check_subst(c, s))
				return -EINVAL;
			if ((strlen(s) == 4 && all_hex(s, 4)) || !mp_uuid_parse(s, label))
				return fail(c, -EINVAL, "\"%s\" is an address, not a group name", s);
			if (!(p->groups[p->n_groups] = strdup(s)))
				return fail(c, -ENOMEM, "out of memory");
			p->n_groups++;
			pop(c, k);
		}
		pop(c, n);
	}
	n = push_key(c, "rules");
	if (!member(root, "rules", &f))
		return fail(c, -EINVAL, "missing (the list of rules)");
	if (expect(c, f, json_type_array, "an array of rules"))
		return -EINVAL;
	len = json_object_array_length(f);
	p->rules = calloc(len ? len : 1, sizeof(*p->rules));
	if (!p->rules)
		return fail(c, -ENOMEM, "out of memory");
	for (i = 0; i < len; i++) {
		size_t k = push(c, "[%zu]", i);

		p->n_rules = i + 1;
		if ((e = rule(c, json_object_array_get_idx(f, i), i, &p->rules[i])))
			return e;
		pop(c, k);
	}
	pop(c, n);
	return 0;
}

/* Where the tokener stopped, as line:column (1-based, columns in bytes). */
static void syntax(struct pctx *c, const char *text, size_t off, const char *what)
{
	unsigned int line = 1, col = 1;
	size_t i;

	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (!c->err)
		return;
	c->err->line = line;
	c->err->col = col;
	c->err->path[0] = '\0';
	snprintf(c->err->msg, sizeof(c->err->msg), "%s:%u:%u: not JSON: %s", c->file, line, col,
		 what);
}

int mp_profile_parse(const char *text, size_t len, const char *file,
		     const struct mp_profile_lookup *lk, struct mp_profile **out,
		     struct mp_profile_error *err)
{
	struct pctx c = { .file = file ? file : "profile", .lk = lk, .err = err };
	struct json_tokener *tok;
	enum json_tokener_error je;
	json_object *root;
	size_t end, i;
	int r;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!text)
		return -EINVAL;
	if (len > PR_TEXT_MAX)
		return fail(&c, -EMSGSIZE, "longer than %u bytes", PR_TEXT_MAX);
	if ((end = strnlen(text, len)) < len) {
		syntax(&c, text, end, "a NUL byte (not a text file)");
		return -EBADMSG;
	}
	tok = json_tokener_new();
	if (!tok)
		return fail(&c, -ENOMEM, "out of memory");
	/* RFC 8259 JSON: no comments, no single quotes, no trailing commas. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (je == json_tokener_continue || (je == json_tokener_success && !root && !len)) {
		syntax(&c, text, len, "the file ends before the JSON does");
		return -EBADMSG;
	}
	if (je != json_tokener_success) {
		syntax(&c, text, end > len ? len : end, json_tokener_error_desc(je));
		return -EBADMSG;
	}
	for (i = end; i < len; i++)
		if (!isspace((unsigned char)text[i])) {
			json_object_put(root);
			syntax(&c, text, i, "text after the end of the JSON object");
			return -EBADMSG;
		}
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p) {
		json_object_put(root);
		return fail(&c, -ENOMEM, "out of memory");
	}
	r = top(&c, root);
	json_object_put(root);
	if (r) {
		mp_profile_free(c.p);
		return r;
	}
	*out = c.p;
	return 0;
}

size_t mp_profile_rule_count(const struct mp_profile *p)
{
	return p ? p->n_rules : 0;
}

const char *mp_profile_rule_name(const struct mp_profile *p, size_t i)
{
	return p && i < p->n_rules ? p->rules[i].name : NULL;
}
