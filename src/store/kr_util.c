/* Keyring internals: errors, the in-memory network, its consistency checks,
 * address maps, strict text forms, and json-c helpers that name fields. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "kr_int.h"

/* ---- Errors ---------------------------------------------------------------- */

int kr_fail(struct mp_keyring_error *err, int code, enum mp_kr_errkind kind, const char *field,
	    const char *fmt, ...)
{
	char detail[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	err->code = code;
	err->kind = kind;
	err->holder_pid = 0;
	err->offset = 0;
	kr_msgf(err->field, sizeof(err->field), "%s", field ? field : "");
	if (field && *field)
		kr_msgf(err->msg, sizeof(err->msg), "%s: %s", field, detail);
	else
		kr_msgf(err->msg, sizeof(err->msg), "%s", detail);
	return code;
}

void kr_msgf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
}

void kr_err_clear(struct mp_keyring_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->kind = MP_KR_OK;
	err->holder_pid = 0;
	err->offset = 0;
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

int64_t kr_now(const struct mp_keyring *kr)
{
	if (kr->now)
		return kr->now(kr->now_ctx);
	return (int64_t)time(NULL);
}

const char *kr_name_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		unsigned n, i;

		if (*p < 0x80) {
			/* C0 controls and DEL: a name is printed on terminals */
			if (*p < 0x20 || *p == 0x7f)
				return "contains a control character";
			p++;
			continue;
		}
		/* UTF-8 (RFC 3629): the shortest form, no surrogates, up to U+10FFFF */
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return "is not valid UTF-8";
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return "is not valid UTF-8";
		/* C1 controls (U+0080..U+009F): terminals act on them too */
		if (cp >= 0x80 && cp <= 0x9f)
			return "contains a control character";
		p += n + 1;
	}
	return NULL;
}

bool kr_name_ok(const char *s, size_t max, bool allow_empty)
{
	size_t n;

	if (!s)
		return allow_empty;
	n = strlen(s);
	if (n > max || (n == 0 && !allow_empty))
		return false;
	return !kr_name_problem(s);
}

/* ---- The in-memory network --------------------------------------------------- */

static int cmp_excl(const void *a, const void *b);

struct kr_data *kr_data_new(void)
{
	return calloc(1, sizeof(struct kr_data));
}

void kr_data_free(struct kr_data *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_nodes; i++)
		kr_nc_free(d->nodes[i].config);
	kr_scenes_free(d->scenes, d->n_scenes);
	free(d->scenes);
	free(d->groups);
	mp_wipe(d->netkeys, d->cap_netkeys * sizeof(*d->netkeys));
	mp_wipe(d->appkeys, d->cap_appkeys * sizeof(*d->appkeys));
	mp_wipe(d->nodes, d->cap_nodes * sizeof(*d->nodes));
	free(d->netkeys);
	free(d->appkeys);
	free(d->nodes);
	free(d->provs);
	free(d->excl);
	mp_wipe(d, sizeof(*d));
	free(d);
}

/* Grow an array without leaving copies of keys behind in freed memory
 * (realloc may move the block and free the old one as it is). */
int kr_reserve(void **arr, size_t n, size_t *cap, size_t size, size_t want)
{
	size_t ncap;
	void *p;

	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < want)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	p = calloc(ncap, size);
	if (!p)
		return -ENOMEM;
	if (*arr) {
		memcpy(p, *arr, n * size);
		mp_wipe(*arr, *cap * size);
		free(*arr);
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

void *kr_append(void **arr, size_t *n, size_t *cap, size_t size)
{
	uint8_t *p;

	if (kr_reserve(arr, *n, cap, size, *n + 1))
		return NULL;
	p = (uint8_t *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

/* Insert a zeroed element at position @pos. */
static void *kr_insert_at(void **arr, size_t *n, size_t *cap, size_t size, size_t pos)
{
	uint8_t *p;

	if (kr_reserve(arr, *n, cap, size, *n + 1))
		return NULL;
	p = (uint8_t *)*arr;
	memmove(p + (pos + 1) * size, p + pos * size, (*n - pos) * size);
	memset(p + pos * size, 0, size);
	(*n)++;
	return p + pos * size;
}

static void kr_delete_at(void *arr, size_t *n, size_t size, size_t pos)
{
	uint8_t *p = arr;

	memmove(p + pos * size, p + (pos + 1) * size, (*n - pos - 1) * size);
	(*n)--;
	mp_wipe(p + *n * size, size);
}

struct mp_netkey *kr_netkey_find(struct kr_data *d, uint16_t index)
{
	size_t i;

	for (i = 0; i < d->n_netkeys; i++)
		if (d->netkeys[i].index == index)
			return &d->netkeys[i];
	return NULL;
}

struct mp_appkey *kr_appkey_find(struct kr_data *d, uint16_t index)
{
	size_t i;

	for (i = 0; i < d->n_appkeys; i++)
		if (d->appkeys[i].index == index)
			return &d->appkeys[i];
	return NULL;
}

struct mp_netkey *kr_netkey_insert(struct kr_data *d, uint16_t index)
{
	size_t pos = 0;
	struct mp_netkey *k;

	while (pos < d->n_netkeys && d->netkeys[pos].index < index)
		pos++;
	k = kr_insert_at((void **)&d->netkeys, &d->n_netkeys, &d->cap_netkeys, sizeof(*k), pos);
	if (k)
		k->index = index;
	return k;
}

struct mp_appkey *kr_appkey_insert(struct kr_data *d, uint16_t index)
{
	size_t pos = 0;
	struct mp_appkey *k;

	while (pos < d->n_appkeys && d->appkeys[pos].index < index)
		pos++;
	k = kr_insert_at((void **)&d->appkeys, &d->n_appkeys, &d->cap_appkeys, sizeof(*k), pos);
	if (k)
		k->index = index;
	return k;
}

/* First node whose address is greater than @addr. */
static size_t kr_node_upper(const struct kr_data *d, uint16_t addr)
{
	size_t lo = 0, hi = d->n_nodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->nodes[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t kr_node_index(const struct kr_data *d, uint16_t addr)
{
	size_t up = kr_node_upper(d, addr);
	const struct mp_node *n;

	if (up == 0)
		return -1;
	n = &d->nodes[up - 1];
	if ((uint32_t)addr < (uint32_t)n->addr + n->elements)
		return (ssize_t)(up - 1);
	return -1;
}

ssize_t kr_node_index_uuid(const struct kr_data *d, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < d->n_nodes; i++)
		if (memcmp(d->nodes[i].uuid, uuid, 16) == 0)
			return (ssize_t)i;
	return -1;
}

struct mp_node *kr_node_insert(struct kr_data *d, uint16_t addr)
{
	struct mp_node *n;

	n = kr_insert_at((void **)&d->nodes, &d->n_nodes, &d->cap_nodes, sizeof(*n),
			 kr_node_upper(d, addr));
	if (n)
		n->addr = addr;
	return n;
}

int kr_node_copy(struct mp_node *dst, const struct mp_node *src)
{
	struct mp_node_config *c;
	bool ok = true;

	if (dst == src)
		return 0;
	c = kr_nc_clone(src->config, &ok);
	if (!ok)
		return -ENOMEM;
	kr_nc_free(dst->config);
	*dst = *src;
	dst->config = c;
	return 0;
}

int kr_node_delete(struct kr_data *d, uint16_t addr)
{
	ssize_t i = kr_node_index(d, addr);

	if (i < 0)
		return -ENOENT;
	kr_nc_free(d->nodes[i].config);
	d->nodes[i].config = NULL;
	/* its elements no longer hold any scene (store/scenes.h) */
	kr_scenes_drop_block(d, d->nodes[i].addr, d->nodes[i].elements);
	kr_delete_at(d->nodes, &d->n_nodes, sizeof(*d->nodes), (size_t)i);
	return 0;
}

bool kr_excl_active(const struct kr_data *d, const struct mp_exclusion *e)
{
	/* Free again once the IV index advanced by 2 since the removal: see
	 * the header comment of include/store/keyring.h (SeqAuth and replay
	 * protection, Mesh Profile 1.0.1 3.8.8). */
	return (uint64_t)d->iv_index < (uint64_t)e->iv_index + 2;
}

int kr_excl_add(struct kr_data *d, uint16_t addr, uint32_t iv_index)
{
	size_t pos = 0;
	struct mp_exclusion *e;

	while (pos < d->n_excl && d->excl[pos].addr < addr)
		pos++;
	if (pos < d->n_excl && d->excl[pos].addr == addr) {
		if (d->excl[pos].iv_index < iv_index)
			d->excl[pos].iv_index = iv_index;
		return 0;
	}
	e = kr_insert_at((void **)&d->excl, &d->n_excl, &d->cap_excl, sizeof(*e), pos);
	if (!e)
		return -ENOMEM;
	e->addr = addr;
	e->iv_index = iv_index;
	return 0;
}

/* Sort, merge an address listed twice (keeping the later IV index), drop
 * what is free again: files from other tools may carry all three. */
void kr_excl_normalize(struct kr_data *d)
{
	size_t i, j;

	if (d->n_excl)
		qsort(d->excl, d->n_excl, sizeof(*d->excl), cmp_excl);
	for (i = j = 0; i < d->n_excl; i++) {
		if (j && d->excl[j - 1].addr == d->excl[i].addr) {
			if (d->excl[j - 1].iv_index < d->excl[i].iv_index)
				d->excl[j - 1].iv_index = d->excl[i].iv_index;
			continue;
		}
		d->excl[j++] = d->excl[i];
	}
	d->n_excl = j;
	kr_excl_purge(d);
}

void kr_excl_purge(struct kr_data *d)
{
	size_t i, j;

	for (i = j = 0; i < d->n_excl; i++)
		if (kr_excl_active(d, &d->excl[i]))
			d->excl[j++] = d->excl[i];
	d->n_excl = j;
}

struct mp_provisioner *kr_prov_add(struct kr_data *d)
{
	return kr_append((void **)&d->provs, &d->n_provs, &d->cap_provs, sizeof(*d->provs));
}

static int cmp_netkey(const void *a, const void *b)
{
	const struct mp_netkey *x = a, *y = b;

	return (int)x->index - (int)y->index;
}

static int cmp_appkey(const void *a, const void *b)
{
	const struct mp_appkey *x = a, *y = b;

	return (int)x->index - (int)y->index;
}

static int cmp_node(const void *a, const void *b)
{
	return (int)((const struct mp_node *)a)->addr - (int)((const struct mp_node *)b)->addr;
}

static int cmp_excl(const void *a, const void *b)
{
	return (int)((const struct mp_exclusion *)a)->addr -
	       (int)((const struct mp_exclusion *)b)->addr;
}

void kr_sort_all(struct kr_data *d)
{
	if (d->n_netkeys)
		qsort(d->netkeys, d->n_netkeys, sizeof(*d->netkeys), cmp_netkey);
	if (d->n_appkeys)
		qsort(d->appkeys, d->n_appkeys, sizeof(*d->appkeys), cmp_appkey);
	if (d->n_nodes)
		qsort(d->nodes, d->n_nodes, sizeof(*d->nodes), cmp_node);
	if (d->n_excl)
		qsort(d->excl, d->n_excl, sizeof(*d->excl), cmp_excl);
	kr_scenes_sort(d);
}

/* ---- Consistency ------------------------------------------------------------ */

struct span {
	uint16_t lo, hi;
	size_t i;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->lo != y->lo)
		return (int)x->lo - (int)y->lo;
	return x->i < y->i ? -1 : 1;
}

static int check_ranges(const struct mp_provisioner *p, size_t pi, struct mp_keyring_error *err)
{
	static const char *const kind[] = { "unicast", "group", "scene" };
	const struct mp_kr_range *r[3] = { p->unicast, p->group, p->scene };
	const unsigned n[3] = { p->n_unicast, p->n_group, p->n_scene };
	const uint16_t lo[3] = { MP_UNICAST_MIN, 0xc000, 0x0001 };
	const uint16_t hi[3] = { MP_UNICAST_MAX, 0xfeff, 0xffff };
	char field[64];
	unsigned k, i, j;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < n[k]; i++) {
			snprintf(field, sizeof(field), "provisioners[%zu].%s[%u]", pi, kind[k], i);
			if (r[k][i].low > r[k][i].high || r[k][i].low < lo[k] ||
			    r[k][i].high > hi[k])
				return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
					       "range %04X-%04X is not a valid %s range "
					       "(%04X-%04X)",
					       r[k][i].low, r[k][i].high, kind[k], lo[k], hi[k]);
			for (j = 0; j < i; j++)
				if (r[k][i].low <= r[k][j].high && r[k][j].low <= r[k][i].high)
					return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
						       "range overlaps range %u", j);
		}
	}
	return 0;
}

struct uuid_ref {
	uint8_t uuid[16];
	size_t i;
};

static int cmp_uuid_ref(const void *a, const void *b)
{
	const struct uuid_ref *x = a, *y = b;
	int c = memcmp(x->uuid, y->uuid, 16);

	if (c)
		return c;
	return x->i < y->i ? -1 : 1;
}

/* Device UUIDs are unique (sorted, so 10,000 nodes stay fast). */
static int check_uuids(const struct kr_data *d, const char *nodes, struct mp_keyring_error *err)
{
	struct uuid_ref *u;
	char field[96];
	size_t i;

	if (d->n_nodes < 2)
		return 0;
	u = calloc(d->n_nodes, sizeof(*u));
	if (!u)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; i < d->n_nodes; i++) {
		memcpy(u[i].uuid, d->nodes[i].uuid, 16);
		u[i].i = i;
	}
	qsort(u, d->n_nodes, sizeof(*u), cmp_uuid_ref);
	for (i = 1; i < d->n_nodes; i++)
		if (!memcmp(u[i - 1].uuid, u[i].uuid, 16)) {
			size_t late = u[i].i, early = u[i - 1].i;

			free(u);
			snprintf(field, sizeof(field), "%s[%zu].UUID", nodes, late);
			return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
				       "same device UUID as %s[%zu]", nodes, early);
		}
	free(u);
	return 0;
}

/* Checks across records, run on freshly parsed data in file order (so that
 * messages can point at the N-th entry of the file), before sorting. */
int kr_check(const struct kr_data *d, bool is_cdb, struct mp_keyring_error *err)
{
	const char *nodes = "nodes", *excl = is_cdb ? "networkExclusions" : "exclusions";
	uint8_t seen[(MP_KEY_INDEX_MAX + 1) / 8];
	struct span *sp;
	char field[96];
	size_t i, j;
	int r;

	if (d->n_netkeys == 0)
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, "netKeys", "there is no NetKey");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < d->n_netkeys; i++) {
		uint16_t x = d->netkeys[i].index;

		snprintf(field, sizeof(field), "netKeys[%zu].index", i);
		if (seen[x / 8] & (1u << (x % 8)))
			return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
				       "NetKey index %u appears twice", x);
		seen[x / 8] |= (uint8_t)(1u << (x % 8));
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < d->n_appkeys; i++) {
		uint16_t x = d->appkeys[i].index;

		snprintf(field, sizeof(field), "appKeys[%zu].index", i);
		if (seen[x / 8] & (1u << (x % 8)))
			return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
				       "AppKey index %u appears twice", x);
		seen[x / 8] |= (uint8_t)(1u << (x % 8));
		if (!kr_netkey_find((struct kr_data *)d, d->appkeys[i].net_index)) {
			snprintf(field, sizeof(field), "appKeys[%zu].boundNetKey", i);
			return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, field,
				       "bound to NetKey %u, which is not in netKeys",
				       d->appkeys[i].net_index);
		}
	}
	if (d->n_provs == 0)
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, "provisioners", "no provisioner");
	for (i = 0; i < d->n_provs; i++) {
		r = check_ranges(&d->provs[i], i, err);
		if (r)
			return r;
		for (j = 0; j < i; j++)
			if (!memcmp(d->provs[i].uuid, d->provs[j].uuid, 16)) {
				snprintf(field, sizeof(field), "provisioners[%zu].UUID", i);
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
					       "same UUID as provisioners[%zu]", j);
			}
	}

	for (i = 0; i < d->n_nodes; i++) {
		const struct mp_node *n = &d->nodes[i];
		unsigned k;

		snprintf(field, sizeof(field), "%s[%zu]", nodes, i);
		if (n->addr < MP_UNICAST_MIN || n->elements == 0 ||
		    (uint32_t)n->addr + n->elements - 1 > MP_UNICAST_MAX)
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
				       "addresses %04X+%u are not all unicast addresses", n->addr,
				       n->elements);
		for (k = 0; k < n->n_net_keys; k++)
			if (!kr_netkey_find((struct kr_data *)d, n->net_keys[k])) {
				snprintf(field, sizeof(field), "%s[%zu].netKeys[%u]", nodes, i, k);
				return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, field,
					       "NetKey %u is not in netKeys", n->net_keys[k]);
			}
		for (k = 0; k < n->n_app_keys; k++)
			if (!kr_appkey_find((struct kr_data *)d, n->app_keys[k])) {
				snprintf(field, sizeof(field), "%s[%zu].appKeys[%u]", nodes, i, k);
				return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, field,
					       "AppKey %u is not in appKeys", n->app_keys[k]);
			}
	}

	/* Overlapping address blocks, nodes and exclusions together. */
	sp = calloc(d->n_nodes + d->n_excl + 1, sizeof(*sp));
	if (!sp)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; i < d->n_nodes; i++) {
		sp[i].lo = d->nodes[i].addr;
		sp[i].hi = (uint16_t)(d->nodes[i].addr + d->nodes[i].elements - 1);
		sp[i].i = i;
	}
	for (j = 0; j < d->n_excl; j++) {
		if (d->excl[j].addr < MP_UNICAST_MIN || d->excl[j].addr > MP_UNICAST_MAX) {
			free(sp);
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, excl,
				       "address %04X is not a unicast address", d->excl[j].addr);
		}
		sp[i + j].lo = sp[i + j].hi = d->excl[j].addr;
		sp[i + j].i = d->n_nodes + j;
	}
	qsort(sp, d->n_nodes + d->n_excl, sizeof(*sp), cmp_span);
	for (i = 1, j = 0; i < d->n_nodes + d->n_excl; i++) {
		/* sp[j] reaches furthest among the spans before i */
		const struct span *a = &sp[j], *b = &sp[i];
		size_t late = a->i > b->i ? a->i : b->i, early = a->i > b->i ? b->i : a->i;

		if (b->lo > a->hi) {
			j = i;
			continue;
		}
		if (late < d->n_nodes) {
			snprintf(field, sizeof(field), "%s[%zu].unicastAddress", nodes, late);
			kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, field,
				"address %04X is also used by %s[%zu]", b->lo, nodes, early);
		} else if (early < d->n_nodes) {
			kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, excl,
				"address %04X is excluded but used by %s[%zu]", b->lo, nodes,
				early);
		} else {
			kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, excl,
				"address %04X is excluded twice", b->lo);
		}
		free(sp);
		return -EBADMSG;
	}
	free(sp);

	r = check_uuids(d, nodes, err);
	return r ? r : kr_check_scenes(d, err);
}

/* ---- Addresses ----------------------------------------------------------------- */

void kr_used_map(const struct kr_data *d, uint8_t *map)
{
	size_t i;
	unsigned k;

	memset(map, 0, 0x8000 / 8);
	map[0] |= 1;	/* 0x0000 is the unassigned address */
	for (i = 0; i < d->n_nodes; i++)
		for (k = 0; k < d->nodes[i].elements; k++) {
			uint32_t a = (uint32_t)d->nodes[i].addr + k;

			if (a < 0x8000)
				map[a / 8] |= (uint8_t)(1u << (a % 8));
		}
	for (i = 0; i < d->n_excl; i++)
		if (kr_excl_active(d, &d->excl[i]) && d->excl[i].addr < 0x8000)
			map[d->excl[i].addr / 8] |= (uint8_t)(1u << (d->excl[i].addr % 8));
}

void kr_ranges_str(const struct mp_kr_range *r, unsigned n, char *buf, size_t cap)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && len + 12 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%04X-%04X", i ? ", " : "",
					r[i].low, r[i].high);
	if (!n)
		snprintf(buf, cap, "none");
}

bool kr_in_ranges(const struct mp_kr_range *r, unsigned n, uint16_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (v >= r[i].low && v <= r[i].high)
			return true;
	return false;
}

int kr_find_block(const struct kr_data *d, const struct mp_provisioner *p, uint8_t elements,
		  uint16_t *addr)
{
	uint8_t map[0x8000 / 8];
	unsigned r;

	if (elements == 0)
		return -EINVAL;
	kr_used_map(d, map);
	for (r = 0; r < p->n_unicast; r++) {
		uint32_t a, run = 0, hi = p->unicast[r].high;

		if (hi > MP_UNICAST_MAX)
			hi = MP_UNICAST_MAX;
		for (a = p->unicast[r].low; a <= hi; a++) {
			if (map[a / 8] & (1u << (a % 8))) {
				run = 0;
				continue;
			}
			if (++run == elements) {
				*addr = (uint16_t)(a - elements + 1);
				return 0;
			}
		}
	}
	return -ENOSPC;
}

/* ---- Text forms ------------------------------------------------------------------ */

bool kr_parse_addr(const char *s, uint16_t *out)
{
	uint8_t b[2];

	if (!mp_hex_decode_exact(s, strlen(s), b, 2))
		return false;
	*out = (uint16_t)(b[0] << 8 | b[1]);
	return true;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* ISO 8601 / RFC 3339 as in CDB files: 2021-08-30T14:00:27+02:00, ...Z,
 * optional fraction of a second (dropped). */
bool kr_parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	struct tm tm;
	time_t t;

	if (strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (!digits(s + 1, 2, &oh))
			return false;
		s += 3;
		if (*s == ':')
			s++;
		if (!digits(s, 2, &om))
			return false;
		s += 2;
	}
	if (*s || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return *out >= 0 && *out <= KR_TIME_MAX;
}

void kr_fmt_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* This provisioner first, the others in their order. */
void kr_self_first(struct kr_data *d)
{
	struct mp_provisioner self;

	if (d->self == 0 || d->self >= d->n_provs)
		return;
	self = d->provs[d->self];
	memmove(&d->provs[1], &d->provs[0], d->self * sizeof(self));
	d->provs[0] = self;
	d->self = 0;
}

/* Keys without a name get the one a new key gets ("NetKey 3"): the CDB
 * requires names, and export then import must not change them. */
void kr_default_names(struct kr_data *d)
{
	size_t i;

	for (i = 0; i < d->n_netkeys; i++)
		if (!d->netkeys[i].name[0])
			snprintf(d->netkeys[i].name, sizeof(d->netkeys[i].name), "NetKey %u",
				 d->netkeys[i].index);
	for (i = 0; i < d->n_appkeys; i++)
		if (!d->appkeys[i].name[0])
			snprintf(d->appkeys[i].name, sizeof(d->appkeys[i].name), "AppKey %u",
				 d->appkeys[i].index);
}
