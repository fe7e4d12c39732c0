/* Stations: range allocation and the provisioner entries of other stations;
 * see include/store/stations.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"
#include "store/stations.h"

/* ---- Ranges (pure) ------------------------------------------------------------ */

void mp_range_bounds(enum mp_range_kind kind, uint16_t *lo, uint16_t *hi)
{
	switch (kind) {
	case MP_RANGE_GROUP:
		*lo = 0xc000;
		*hi = 0xfeff;
		return;
	case MP_RANGE_SCENE:
		*lo = 0x0001;
		*hi = 0xffff;
		return;
	case MP_RANGE_UNICAST:
		break;
	}
	*lo = MP_UNICAST_MIN;
	*hi = MP_UNICAST_MAX;
}

const char *mp_range_kind_str(enum mp_range_kind kind)
{
	return kind == MP_RANGE_GROUP ? "group" : kind == MP_RANGE_SCENE ? "scene" : "unicast";
}

static struct mp_kr_range *range_of_mut(struct mp_provisioner *p, enum mp_range_kind kind,
					uint8_t **n)
{
	switch (kind) {
	case MP_RANGE_GROUP:
		*n = &p->n_group;
		return p->group;
	case MP_RANGE_SCENE:
		*n = &p->n_scene;
		return p->scene;
	case MP_RANGE_UNICAST:
		break;
	}
	*n = &p->n_unicast;
	return p->unicast;
}

const struct mp_kr_range *mp_range_of(const struct mp_provisioner *p, enum mp_range_kind kind,
				      unsigned *n)
{
	uint8_t *cnt;
	/* read only: the cast lets one switch serve both */
	const struct mp_kr_range *r = range_of_mut((struct mp_provisioner *)p, kind, &cnt);

	*n = *cnt;
	return r;
}

uint32_t mp_range_total(const struct mp_provisioner *p, enum mp_range_kind kind)
{
	unsigned n, i;
	const struct mp_kr_range *r = mp_range_of(p, kind, &n);
	uint32_t t = 0;

	for (i = 0; i < n; i++)
		if (r[i].high >= r[i].low)
			t += (uint32_t)r[i].high - r[i].low + 1;
	return t;
}

#define BIT(map, a) ((map)[(a) / 8] & (1u << ((a) % 8)))
#define SETBIT(map, a) ((map)[(a) / 8] |= (uint8_t)(1u << ((a) % 8)))

/* Every value of @kind that some provisioner's range covers (0x10000 bits). */
static void covered_map(const struct mp_provisioner *provs, size_t n, enum mp_range_kind kind,
			uint8_t *map)
{
	size_t i;
	unsigned k, cnt;
	uint32_t a;

	memset(map, 0, 0x10000 / 8);
	for (i = 0; i < n; i++) {
		const struct mp_kr_range *r = mp_range_of(&provs[i], kind, &cnt);

		for (k = 0; k < cnt; k++)
			for (a = r[k].low; a <= r[k].high; a++)
				SETBIT(map, a);
	}
}

/* The gaps of @map within the kind's bounds, into @out (up to @cap); the count. */
static size_t map_gaps(const uint8_t *map, enum mp_range_kind kind, struct mp_kr_range *out,
		       size_t cap)
{
	uint16_t lo, hi;
	uint32_t a, start = 0;
	size_t n = 0;
	bool in = false;

	mp_range_bounds(kind, &lo, &hi);
	for (a = lo; a <= (uint32_t)hi + 1; a++) {
		bool freev = a <= hi && !BIT(map, a);

		if (freev && !in) {
			start = a;
			in = true;
		} else if (!freev && in) {
			if (n < cap)
				out[n] = (struct mp_kr_range){ (uint16_t)start, (uint16_t)(a - 1) };
			n++;
			in = false;
		}
	}
	return n;
}

size_t mp_range_free(const struct mp_provisioner *provs, size_t n, enum mp_range_kind kind,
		     struct mp_kr_range *out, size_t cap)
{
	uint8_t map[0x10000 / 8];

	covered_map(provs, n, kind, map);
	return map_gaps(map, kind, out, cap);
}

static uint32_t span(const struct mp_kr_range *r)
{
	return (uint32_t)r->high - r->low + 1;
}

/* Largest first; the lower address first among equals. */
static int cmp_gap_size(const void *a, const void *b)
{
	const struct mp_kr_range *x = a, *y = b;

	if (span(x) != span(y))
		return span(x) > span(y) ? -1 : 1;
	return x->low < y->low ? -1 : x->low > y->low;
}

static int cmp_range_addr(const void *a, const void *b)
{
	const struct mp_kr_range *x = a, *y = b;

	return x->low < y->low ? -1 : x->low > y->low;
}

/* Allocate from the gaps of @map (see mp_range_alloc()). */
static int alloc_from_map(const uint8_t *map, enum mp_range_kind kind, uint32_t size,
			  unsigned max_ranges, struct mp_kr_range *out, unsigned *n_out)
{
	struct mp_kr_range *g;
	size_t n, i, best = SIZE_MAX;
	uint32_t total = 0, left;
	unsigned k = 0;
	uint16_t lo, hi;

	mp_range_bounds(kind, &lo, &hi);
	*n_out = 0;
	if (!max_ranges || size > (uint32_t)hi - lo + 1)
		return -EINVAL;
	if (!size)
		return 0;
	n = map_gaps(map, kind, NULL, 0);
	g = calloc(n + 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	map_gaps(map, kind, g, n);
	/* Best fit: the smallest gap that holds it whole (gaps are in
	 * address order, so the first of equals is the lowest). */
	for (i = 0; i < n; i++) {
		total += span(&g[i]);
		if (span(&g[i]) >= size && (best == SIZE_MAX || span(&g[i]) < span(&g[best])))
			best = i;
	}
	if (best != SIZE_MAX) {
		out[0] = (struct mp_kr_range){ g[best].low, (uint16_t)(g[best].low + size - 1) };
		*n_out = 1;
		free(g);
		return 0;
	}
	if (total < size) {
		free(g);
		return -ENOSPC;
	}
	/* Split over the largest gaps: the fewest ranges. */
	qsort(g, n, sizeof(*g), cmp_gap_size);
	for (left = size, i = 0; left && i < n; i++) {
		uint32_t take = span(&g[i]) < left ? span(&g[i]) : left;

		if (k == max_ranges) {
			free(g);
			return -E2BIG;
		}
		out[k++] = (struct mp_kr_range){ g[i].low, (uint16_t)(g[i].low + take - 1) };
		left -= take;
	}
	free(g);
	qsort(out, k, sizeof(*out), cmp_range_addr);
	*n_out = k;
	return 0;
}

int mp_range_alloc(const struct mp_provisioner *provs, size_t n, enum mp_range_kind kind,
		   uint32_t size, unsigned max_ranges, struct mp_kr_range *out,
		   unsigned *n_out)
{
	uint8_t map[0x10000 / 8];

	covered_map(provs, n, kind, map);
	return alloc_from_map(map, kind, size, max_ranges, out, n_out);
}

/* Sort ranges by address and join those that touch. */
static void normalize(struct mp_kr_range *r, uint8_t *n)
{
	unsigned i, k = 0;

	if (!*n)
		return;
	qsort(r, *n, sizeof(*r), cmp_range_addr);
	for (i = 1; i < *n; i++) {
		if ((uint32_t)r[k].high + 1 >= r[i].low) {
			if (r[i].high > r[k].high)
				r[k].high = r[i].high;
		} else {
			r[++k] = r[i];
		}
	}
	*n = (uint8_t)(k + 1);
}

int mp_range_grow(const struct mp_provisioner *provs, size_t n, size_t which,
		  enum mp_range_kind kind, uint32_t size, struct mp_provisioner *out)
{
	uint8_t map[0x10000 / 8];
	struct mp_provisioner p;
	struct mp_kr_range *r, more[MP_KR_MAX_RANGES];
	uint8_t *cnt;
	uint32_t need = size, a;
	uint16_t lo, hi;
	unsigned i, got = 0;
	int ret;

	if (which >= n)
		return -EINVAL;
	mp_range_bounds(kind, &lo, &hi);
	if (size > (uint32_t)hi - lo + 1)
		return -EINVAL;
	p = provs[which];
	r = range_of_mut(&p, kind, &cnt);
	covered_map(provs, n, kind, map);
	/* The free space touching the ranges: above, then below. */
	for (i = 0; need && i < *cnt; i++) {
		for (a = (uint32_t)r[i].high + 1; need && a <= hi && !BIT(map, a); a++, need--) {
			SETBIT(map, a);
			r[i].high = (uint16_t)a;
		}
		for (a = r[i].low; need && a > lo && !BIT(map, a - 1); a--, need--) {
			SETBIT(map, a - 1);
			r[i].low = (uint16_t)(a - 1);
		}
	}
	if (need) {
		if (*cnt >= MP_KR_MAX_RANGES)
			return -E2BIG;
		ret = alloc_from_map(map, kind, need, MP_KR_MAX_RANGES - *cnt, more, &got);
		if (ret)
			return ret;
		for (i = 0; i < got; i++)
			r[(*cnt)++] = more[i];
	}
	normalize(r, cnt);
	*out = p;
	return 0;
}

int mp_range_release_top(const struct mp_provisioner *p, enum mp_range_kind kind, uint32_t size,
			 const uint8_t *used, struct mp_provisioner *out)
{
	struct mp_provisioner c = *p;
	struct mp_kr_range *r;
	uint8_t *cnt;
	uint32_t need = size;

	r = range_of_mut(&c, kind, &cnt);
	normalize(r, cnt);
	while (need && *cnt) {
		struct mp_kr_range *t = &r[*cnt - 1];

		if (used && BIT(used, t->high))
			return -ENOSPC;
		need--;
		if (t->high == t->low)
			(*cnt)--;
		else
			t->high--;
	}
	if (need)
		return -ENOSPC;
	*out = c;
	return 0;
}

/* ---- Stations of a keyring -------------------------------------------------------- */

long mp_station_find(const struct mp_keyring *kr, const char *name)
{
	size_t i;

	for (i = 0; name && i < mp_keyring_provisioner_count(kr); i++)
		if (!strcmp(mp_keyring_provisioner_at(kr, i)->name, name))
			return (long)i;
	return -1;
}

uint16_t mp_station_address(const struct mp_keyring *kr, const struct mp_provisioner *p)
{
	const struct mp_node *n = mp_keyring_node_find_uuid(kr, p->uuid);

	return n ? n->addr : 0;
}

void mp_station_unicast_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			      uint32_t *used, uint32_t *total)
{
	uint8_t map[0x8000 / 8];
	unsigned k;
	uint32_t a;

	kr_used_map(kr->d, map);
	*used = 0;
	for (k = 0; k < p->n_unicast; k++)
		for (a = p->unicast[k].low; a <= p->unicast[k].high && a < 0x8000; a++)
			if (BIT(map, a))
				(*used)++;
	*total = mp_range_total(p, MP_RANGE_UNICAST);
}

void mp_station_group_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			    uint32_t *used, uint32_t *total)
{
	size_t i;
	unsigned k;

	*used = 0;
	for (i = 0; i < kr->d->n_groups; i++) {
		const struct mp_group *g = &kr->d->groups[i];

		for (k = 0; !g->addr.virt && k < p->n_group; k++)
			if (g->addr.addr >= p->group[k].low && g->addr.addr <= p->group[k].high) {
				(*used)++;
				break;
			}
	}
	*total = mp_range_total(p, MP_RANGE_GROUP);
}

void mp_station_scene_usage(const struct mp_keyring *kr, const struct mp_provisioner *p,
			    uint32_t *used, uint32_t *total)
{
	size_t i;
	unsigned k;

	*used = 0;
	for (i = 0; i < kr->d->n_scenes; i++)
		for (k = 0; k < p->n_scene; k++)
			if (kr->d->scenes[i].number >= p->scene[k].low &&
			    kr->d->scenes[i].number <= p->scene[k].high) {
				(*used)++;
				break;
			}
	*total = mp_range_total(p, MP_RANGE_SCENE);
}

/* Swap in @c as the keyring's data and save; on failure the old data stays. */
static int commit_data(struct mp_keyring *kr, struct kr_data *c)
{
	struct kr_data *old = kr->d;
	int r;

	kr->d = c;
	r = kr_changed(kr);
	if (r) {
		kr->d = old;
		kr_data_free(c);
		return r;
	}
	kr_data_free(old);
	return 0;
}

static int no_space(struct mp_keyring *kr, int r, const struct kr_data *d,
		    enum mp_range_kind kind, uint32_t size)
{
	struct mp_kr_range g[1];
	size_t gaps = mp_range_free(d->provs, d->n_provs, kind, g, 0);
	uint32_t free_total = 0;
	size_t i;
	struct mp_kr_range *all = calloc(gaps + 1, sizeof(*all));

	if (all) {
		mp_range_free(d->provs, d->n_provs, kind, all, gaps);
		for (i = 0; i < gaps; i++)
			free_total += span(&all[i]);
		free(all);
	}
	if (r == -EINVAL)
		return kr_fail(&kr->err, r, MP_KR_E_ARG, NULL,
			       "%u %s values is more than the whole %s space", size,
			       mp_range_kind_str(kind), mp_range_kind_str(kind));
	if (r == -E2BIG)
		return kr_fail(&kr->err, r, MP_KR_E_FULL, NULL,
			       "%u %s values are free, but only in %zu pieces: a station holds at "
			       "most %d ranges of a kind (ask for fewer)", free_total,
			       mp_range_kind_str(kind), gaps, MP_KR_MAX_RANGES);
	if (r == -ENOSPC)
		return kr_fail(&kr->err, r, MP_KR_E_FULL, NULL,
			       "only %u %s values are free outside the stations' ranges, %u "
			       "asked for ('station remove' frees a station's ranges)", free_total,
			       mp_range_kind_str(kind), size);
	return kr_fail(&kr->err, r, MP_KR_E_NOMEM, NULL, "out of memory");
}

/* Make room for @size values of @kind by taking them off the unused top of
 * this keyring's own ranges (d->self), unless @which is itself. */
static int give_way(struct kr_data *d, size_t which, enum mp_range_kind kind, uint32_t size)
{
	uint8_t used[0x10000 / 8];
	size_t i;

	if (which == d->self)
		return -ENOSPC;
	memset(used, 0, sizeof(used));
	if (kind == MP_RANGE_UNICAST)
		kr_used_map(d, used);
	/* our groups keep their addresses: a group's address in another
	 * station's range could be given to a second group there */
	for (i = 0; kind == MP_RANGE_GROUP && i < d->n_groups; i++)
		if (!d->groups[i].addr.virt)
			used[d->groups[i].addr.addr / 8] |=
				(uint8_t)(1u << (d->groups[i].addr.addr % 8));
	/* and our scenes their numbers, likewise */
	for (i = 0; kind == MP_RANGE_SCENE && i < d->n_scenes; i++)
		used[d->scenes[i].number / 8] |= (uint8_t)(1u << (d->scenes[i].number % 8));
	return mp_range_release_top(&d->provs[d->self], kind, size, used, &d->provs[d->self]);
}

/* Grow provisioner @which of @c by @req, giving way from our own ranges. */
static int grow_all(struct mp_keyring *kr, struct kr_data *c, size_t which,
		    const struct mp_station_req *req)
{
	unsigned k;
	int r;

	for (k = 0; k < MP_RANGE_KINDS; k++) {
		if (!req->size[k])
			continue;
		r = mp_range_grow(c->provs, c->n_provs, which, k, req->size[k], &c->provs[which]);
		if ((r == -ENOSPC || r == -E2BIG) && !give_way(c, which, k, req->size[k])) {
			c->provs[c->self].ranges_at = kr_now(kr);
			c->provs[c->self].ranges_rev++;
			r = mp_range_grow(c->provs, c->n_provs, which, k, req->size[k],
					  &c->provs[which]);
		}
		if (r)
			return no_space(kr, r, c, k, req->size[k]);
		c->provs[which].ranges_at = kr_now(kr);
		c->provs[which].ranges_rev++;
	}
	return 0;
}

static int name_check(struct mp_keyring *kr, const char *name)
{
	if (!name || !kr_name_ok(name, MP_KR_NAME_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a station name is 1 to %d bytes without control characters",
			       MP_KR_NAME_MAX);
	return 0;
}

int mp_station_add(struct mp_keyring *kr, const char *name, const struct mp_station_req *req)
{
	struct mp_provisioner *p;
	struct mp_node *node;
	struct kr_data *c;
	uint16_t addr;
	int r;

	if (!kr || !req)
		return -EINVAL;
	kr_err_clear(&kr->err);
	r = name_check(kr, name);
	if (r)
		return r;
	if (mp_station_find(kr, name) >= 0)
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "there is already a station '%s' ('station list')", name);
	if (!req->size[MP_RANGE_UNICAST])
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a station needs at least one unicast address (its own)");
	c = kr_data_clone(kr->d);
	if (!c)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	p = kr_prov_add(c);
	if (!p) {
		kr_data_free(c);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (mp_rng_bytes(kr->rng, p->uuid, 16)) {
		kr_data_free(c);
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	}
	p->uuid[6] = (uint8_t)((p->uuid[6] & 0x0f) | 0x40);	/* RFC 4122 version 4 */
	p->uuid[8] = (uint8_t)((p->uuid[8] & 0x3f) | 0x80);
	r = grow_all(kr, c, c->n_provs - 1, req);
	p = &c->provs[c->n_provs - 1];
	if (!r && kr_find_block(c, p, 1, &addr))
		r = kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
			    "no address of the new range is free for the station's own node");
	if (r) {
		kr_data_free(c);
		return r;
	}
	node = kr_node_insert(c, addr);
	if (!node) {
		kr_data_free(c);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	/* The station's own node: its address is taken in every copy. Its
	 * device key is made here and goes with the station's copy. */
	memcpy(node->uuid, p->uuid, 16);
	node->elements = 1;
	node->has_dev_key = true;
	node->config_complete = true;
	node->state = MP_NODE_COMPLETE;
	node->n_net_keys = 1;
	node->net_keys[0] = c->netkeys[0].index;
	node->provisioned_at = kr_now(kr);
	snprintf(node->name, sizeof(node->name), "%s", name);
	if (mp_rng_bytes(kr->rng, node->dev_key, 16)) {
		kr_data_free(c);
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	}
	return commit_data(kr, c);
}

static long station_arg(struct mp_keyring *kr, const char *name)
{
	long i = mp_station_find(kr, name);

	if (i < 0)
		kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			"no station is named '%s' ('station list' shows them)", name ? name : "");
	return i;
}

int mp_station_grow(struct mp_keyring *kr, const char *name, const struct mp_station_req *req)
{
	struct kr_data *c;
	long i;
	int r;

	if (!kr || !req)
		return -EINVAL;
	kr_err_clear(&kr->err);
	i = station_arg(kr, name);
	if (i < 0)
		return -ENOENT;
	c = kr_data_clone(kr->d);
	if (!c)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = grow_all(kr, c, (size_t)i, req);
	if (r) {
		kr_data_free(c);
		return r;
	}
	return commit_data(kr, c);
}

int mp_station_remove(struct mp_keyring *kr, const char *name)
{
	struct kr_data *c;
	ssize_t ni;
	long i;
	unsigned k;

	if (!kr)
		return -EINVAL;
	kr_err_clear(&kr->err);
	i = station_arg(kr, name);
	if (i < 0)
		return -ENOENT;
	if ((size_t)i == kr->d->self)
		return kr_fail(&kr->err, -EPERM, MP_KR_E_STATE, NULL,
			       "'%s' is this keyring's own station", name);
	c = kr_data_clone(kr->d);
	if (!c)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	ni = kr_node_index_uuid(c, c->provs[i].uuid);
	if (ni >= 0) {
		/* It may have sent from that address: nodes keep its SeqAuth. */
		uint16_t a = c->nodes[ni].addr;
		unsigned el = c->nodes[ni].elements;

		kr_node_delete(c, a);
		for (k = 0; k < el; k++)
			if (kr_excl_add(c, (uint16_t)(a + k), c->iv_index)) {
				kr_data_free(c);
				return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL,
					       "out of memory");
			}
	}
	memmove(&c->provs[i], &c->provs[i + 1], (c->n_provs - (size_t)i - 1) * sizeof(*c->provs));
	c->n_provs--;
	if (c->self > (size_t)i)
		c->self--;
	return commit_data(kr, c);
}

/* ---- Store internals: a station's copy, acting as a station ------------------------ */

static bool in_ranges(const struct mp_provisioner *p, uint16_t addr)
{
	unsigned k;

	for (k = 0; k < p->n_unicast; k++)
		if (addr >= p->unicast[k].low && addr <= p->unicast[k].high)
			return true;
	return false;
}

static ssize_t prov_index_uuid(const struct kr_data *d, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; i < d->n_provs; i++)
		if (!memcmp(d->provs[i].uuid, uuid, 16))
			return (ssize_t)i;
	return -1;
}

int kr_station_copy(const struct kr_data *d, const uint8_t uuid[16], bool partial,
		    struct kr_data **out, struct mp_keyring_error *err)
{
	ssize_t pi = prov_index_uuid(d, uuid);
	struct kr_data *c;
	size_t i;

	*out = NULL;
	if (pi < 0)
		return kr_fail(err, -ENOENT, MP_KR_E_NO_SUCH, NULL, "no such station");
	c = kr_data_clone(d);
	if (!c)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; partial && i < c->n_nodes; i++) {
		struct mp_node *n = &c->nodes[i];

		/* Another station's node: its device key stays with that station. */
		if (!in_ranges(&c->provs[pi], n->addr) && memcmp(n->uuid, uuid, 16)) {
			mp_wipe(n->dev_key, sizeof(n->dev_key));
			n->has_dev_key = false;
		}
	}
	*out = c;
	return 0;
}

int kr_station_adopt(const struct kr_data *d, const char *name, const uint8_t *exporter,
		     size_t *idx, struct mp_keyring_error *err)
{
	const struct mp_provisioner *p = NULL;
	ssize_t ni;
	size_t i;

	for (i = 0; i < d->n_provs; i++)
		if (!strcmp(d->provs[i].name, name)) {
			p = &d->provs[i];
			break;
		}
	if (!p)
		return kr_fail(err, -ENOENT, MP_KR_E_NO_SUCH, "provisioners",
			       "the CDB has no station named '%s' (its provisioners are the "
			       "stations)", name);
	if (exporter && !memcmp(exporter, p->uuid, 16))
		return kr_fail(err, -EPERM, MP_KR_E_STATE, "provisioners",
			       "the CDB was exported by station '%s' itself: two keyrings acting "
			       "as one station would send from one address with the same "
			       "sequence numbers, and nodes drop the second one's messages as "
			       "replays ('station add' a station of its own)", name);
	*idx = i;
	ni = kr_node_index_uuid(d, p->uuid);
	if (ni < 0)
		return 0;	/* its own node is made in its range */
	for (i = 0; i < d->n_provs; i++) {
		const struct mp_node *n = &d->nodes[ni];
		ssize_t oi;

		if (&d->provs[i] == p)
			continue;
		if (in_ranges(&d->provs[i], n->addr))
			return kr_fail(err, -EPERM, MP_KR_E_ADDR_IN_USE, "provisioners",
				       "station '%s''s address %04X is in station '%s''s range: "
				       "it may be given to a node there", name, n->addr,
				       d->provs[i].name);
		oi = kr_node_index_uuid(d, d->provs[i].uuid);
		if (oi >= 0 && d->nodes[oi].addr == n->addr)
			return kr_fail(err, -EPERM, MP_KR_E_ADDR_IN_USE, "provisioners",
				       "station '%s' uses address %04X too", d->provs[i].name,
				       n->addr);
	}
	return 0;
}

int kr_ranges_disjoint(const struct kr_data *d, struct mp_keyring_error *err)
{
	size_t i, j;
	unsigned k, a, b, na, nb;

	for (k = 0; k < MP_RANGE_KINDS; k++)
		for (i = 0; i < d->n_provs; i++)
			for (j = i + 1; j < d->n_provs; j++) {
				const struct mp_kr_range *ra = mp_range_of(&d->provs[i], k, &na);
				const struct mp_kr_range *rb = mp_range_of(&d->provs[j], k, &nb);

				for (a = 0; a < na; a++)
					for (b = 0; b < nb; b++)
						if (ra[a].low <= rb[b].high &&
						    rb[b].low <= ra[a].high)
							return kr_fail(
								err, -EBADMSG, MP_KR_E_DUPLICATE,
								"provisioners",
								"the %s range %04X-%04X of '%s' overlaps "
								"%04X-%04X of '%s': two stations would "
								"hand out the same addresses",
								mp_range_kind_str(k), ra[a].low,
								ra[a].high, d->provs[i].name, rb[b].low,
								rb[b].high, d->provs[j].name);
			}
	return 0;
}
