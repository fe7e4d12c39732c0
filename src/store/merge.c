/* Merge of stations' copies into one keyring; see include/store/merge.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kr_int.h"
#include "store/merge.h"
#include "store/stations.h"

const char *mp_merge_conflict_str(enum mp_merge_conflict_kind kind)
{
	switch (kind) {
	case MP_MERGE_ADDRESS:
		return "address";
	case MP_MERGE_DEVKEY:
		return "device-key";
	case MP_MERGE_RANGE:
		return "range";
	case MP_MERGE_GROUP:
		return "group";
	case MP_MERGE_SCENE:
		return "scene";
	case MP_MERGE_KEY:
		break;
	}
	return "key";
}

const char *mp_merge_change_str(enum mp_merge_change_kind kind)
{
	switch (kind) {
	case MP_MERGE_NODE_ADDED:
		return "node-added";
	case MP_MERGE_NODE_UPDATED:
		return "node-updated";
	case MP_MERGE_NODE_DROPPED:
		return "node-dropped";
	case MP_MERGE_GROUP_ADDED:
		return "group-added";
	case MP_MERGE_SCENE_ADDED:
		return "scene-added";
	case MP_MERGE_SCENE_CHANGED:
		return "scene-changed";
	case MP_MERGE_EXCLUSION_ADDED:
		return "exclusion-added";
	case MP_MERGE_STATION_ADDED:
		return "station-added";
	case MP_MERGE_STATION_CHANGED:
		return "station-changed";
	case MP_MERGE_KEY_ADDED:
		return "key-added";
	case MP_MERGE_IV_INDEX:
		break;
	}
	return "iv-index";
}

void mp_merge_report_free(struct mp_merge_report *rep)
{
	if (!rep)
		return;
	free(rep->conflicts);
	rep->conflicts = NULL;
	rep->n_conflicts = 0;
	free(rep->changes);
	rep->changes = NULL;
	rep->n_changes = 0;
}

/* One copy: this keyring (0) or a file. */
struct msrc {
	struct kr_data *d;		/* owned for files */
	const char *name;
	uint8_t exporter[16];
	bool has_exporter;
};

struct mstate {
	struct mp_keyring *kr;
	struct msrc *s;
	size_t n;			/* sources, this keyring included */
	struct mp_merge_report *rep;
	bool nomem;
};

static void conflict(struct mstate *m, enum mp_merge_conflict_kind kind, size_t a, size_t b,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void conflict(struct mstate *m, enum mp_merge_conflict_kind kind, size_t a, size_t b,
		     const char *fmt, ...)
{
	struct mp_merge_report *r = m->rep;
	struct mp_merge_conflict *c, *nc;
	va_list ap;

	nc = realloc(r->conflicts, (r->n_conflicts + 1) * sizeof(*nc));
	if (!nc) {
		m->nomem = true;
		return;
	}
	r->conflicts = nc;
	c = &nc[r->n_conflicts++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->src[0] = a < b ? a : b;
	c->src[1] = a < b ? b : a;
	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
}

static void change(struct mstate *m, enum mp_merge_change_kind kind, uint16_t addr,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void change(struct mstate *m, enum mp_merge_change_kind kind, uint16_t addr,
		   const char *fmt, ...)
{
	struct mp_merge_report *r = m->rep;
	struct mp_merge_change *c, *nc;
	va_list ap;

	nc = realloc(r->changes, (r->n_changes + 1) * sizeof(*nc));
	if (!nc) {
		m->nomem = true;
		return;
	}
	r->changes = nc;
	c = &nc[r->n_changes++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->addr = addr;
	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
}

/* ---- Reading the copies ---------------------------------------------------------- */

static int read_one(struct mstate *m, size_t i, const char *doc, size_t len)
{
	struct mp_keyring_error *err = &m->kr->err;
	struct msrc *s = &m->s[i];
	const struct kr_data *base = m->s[0].d;
	const struct mp_netkey *k0 = &base->netkeys[0], *k;
	json_object *root;
	char a[40], b[40], detail[sizeof(err->msg)];
	int r = kj_parse(doc ? doc : "", len, &root, err);

	if (!r) {
		r = kr_cdb_decode(root, &s->d, s->exporter, &s->has_exporter, err);
		kj_put_wiped(root);
	}
	if (r) {
		snprintf(detail, sizeof(detail), "%s", err->msg);
		kr_msgf(err->msg, sizeof(err->msg), "%s: %s; nothing was merged", s->name, detail);
		return r == -ENOMEM ? r : -EBADMSG;
	}
	/* This keyring's own export (or a station's copy made here): nothing
	 * to bring back, and most likely the wrong file. */
	if (s->has_exporter && !memcmp(s->exporter, base->provs[base->self].uuid, 16))
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL,
			       "%s was exported by this keyring itself (station '%s'): a keyring "
			       "is not merged into itself (merge the other stations' exports); "
			       "nothing was merged", s->name, base->provs[base->self].name);
	if (memcmp(s->d->net_uuid, base->net_uuid, 16)) {
		mp_uuid_format(s->d->net_uuid, a, true);
		mp_uuid_format(base->net_uuid, b, true);
		return kr_fail(err, -EXDEV, MP_KR_E_VALUE, "meshUUID",
			       "%s is a copy of another network (meshUUID %s, this keyring's is "
			       "%s); nothing was merged", s->name, a, b);
	}
	/* The same network has the same primary NetKey (or is refreshing it). */
	k = kr_netkey_find(s->d, k0->index);
	if (!k || (CRYPTO_memcmp(k->key, k0->key, 16) &&
		   !(k->phase && !CRYPTO_memcmp(k->old_key, k0->key, 16)) &&
		   !(k0->phase && !CRYPTO_memcmp(k->key, k0->old_key, 16))))
		return kr_fail(err, -EXDEV, MP_KR_E_VALUE, "netKeys",
			       "%s has another NetKey %03X than this keyring: not a copy of this "
			       "network; nothing was merged", s->name, k0->index);
	return 0;
}

/* ---- Keys, IV index, exclusions, stations ------------------------------------------ */

/* The first copy before @i that has key @index (a NetKey, else an AppKey):
 * the one the key of copy @i conflicts with, named in the report. */
static size_t key_src(struct mstate *m, size_t i, uint16_t index, bool net)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (net ? !!kr_netkey_find(m->s[j].d, index) : !!kr_appkey_find(m->s[j].d, index))
			return j;
	return 0;
}

static void merge_keys(struct mstate *m, struct kr_data *out)
{
	size_t i, j;

	for (i = 1; i < m->n; i++) {
		const struct kr_data *d = m->s[i].d;

		for (j = 0; j < d->n_netkeys; j++) {
			const struct mp_netkey *k = &d->netkeys[j];
			struct mp_netkey *o = kr_netkey_find(out, k->index);

			if (!o) {
				o = kr_netkey_insert(out, k->index);
				if (!o) {
					m->nomem = true;
					return;
				}
				*o = *k;
				m->rep->keys_added++;
				change(m, MP_MERGE_KEY_ADDED, 0, "NetKey %03X", k->index);
			} else if (CRYPTO_memcmp(o->key, k->key, 16) &&
				   CRYPTO_memcmp(o->old_key, k->key, 16) &&
				   CRYPTO_memcmp(o->key, k->old_key, 16)) {
				conflict(m, MP_MERGE_KEY, key_src(m, i, k->index, true), i,
					 "NetKey %03X is one key in %s and another in %s", k->index,
					 m->s[key_src(m, i, k->index, true)].name, m->s[i].name);
			} else if (k->phase > o->phase ||
				   (k->phase == MP_KR_PHASE_NORMAL && o->phase &&
				    !CRYPTO_memcmp(o->key, k->key, 16) && k->timestamp > o->timestamp)) {
				*o = *k;	/* further on in a key refresh */
			}
		}
		for (j = 0; j < d->n_appkeys; j++) {
			const struct mp_appkey *k = &d->appkeys[j];
			struct mp_appkey *o = kr_appkey_find(out, k->index);

			if (!o) {
				o = kr_appkey_insert(out, k->index);
				if (!o) {
					m->nomem = true;
					return;
				}
				*o = *k;
				m->rep->keys_added++;
				change(m, MP_MERGE_KEY_ADDED, 0, "AppKey %03X", k->index);
			} else if (CRYPTO_memcmp(o->key, k->key, 16) &&
				   !(o->has_old_key && !CRYPTO_memcmp(o->old_key, k->key, 16)) &&
				   !(k->has_old_key && !CRYPTO_memcmp(k->old_key, o->key, 16))) {
				conflict(m, MP_MERGE_KEY, key_src(m, i, k->index, false), i,
					 "AppKey %03X is one key in %s and another in %s", k->index,
					 m->s[key_src(m, i, k->index, false)].name, m->s[i].name);
			}
		}
	}
}

static void merge_iv_excl(struct mstate *m, struct kr_data *out)
{
	size_t i, j;

	for (i = 1; i < m->n; i++) {
		const struct kr_data *d = m->s[i].d;

		if (d->iv_index > out->iv_index) {
			out->iv_index = d->iv_index;
			out->iv_update = d->iv_update;
		} else if (d->iv_index == out->iv_index && d->iv_update) {
			out->iv_update = true;
		}
	}
	for (i = 1; i < m->n; i++)
		for (j = 0; j < m->s[i].d->n_excl; j++) {
			const struct mp_exclusion *e = &m->s[i].d->excl[j];

			/* counted once the result is whole (excl_iv_changes()) */
			if (kr_excl_add(out, e->addr, e->iv_index))
				m->nomem = true;
		}
}

/* The exclusions of the result this keyring did not have, and the IV index. */
static void excl_iv_changes(struct mstate *m, const struct kr_data *out)
{
	const struct kr_data *base = m->s[0].d;
	size_t i;

	for (i = 0; i < out->n_excl; i++)
		if (kr_excl_active(out, &out->excl[i]) &&
		    !mp_keyring_is_excluded(m->kr, out->excl[i].addr)) {
			m->rep->exclusions_added++;
			change(m, MP_MERGE_EXCLUSION_ADDED, out->excl[i].addr,
			       "address %04X (IV index %08X)", out->excl[i].addr,
			       out->excl[i].iv_index);
		}
	if (out->iv_index != base->iv_index || out->iv_update != base->iv_update)
		change(m, MP_MERGE_IV_INDEX, 0, "IV index %08X%s -> %08X%s", base->iv_index,
		       base->iv_update ? " (IV Update)" : "", out->iv_index,
		       out->iv_update ? " (IV Update)" : "");
}

/* The later ranges of a station: changed more often (its ranges change in
 * one keyring at a time), later, then fixed rules. */
static bool later_ranges(const struct mp_provisioner *a, const struct mp_provisioner *b)
{
	int c;

	if (a->ranges_rev != b->ranges_rev)
		return a->ranges_rev > b->ranges_rev;
	if (a->ranges_at != b->ranges_at)
		return a->ranges_at > b->ranges_at;
	c = memcmp(a->unicast, b->unicast, sizeof(a->unicast));
	if (!c)
		c = memcmp(a->group, b->group, sizeof(a->group));
	if (!c)
		c = memcmp(a->scene, b->scene, sizeof(a->scene));
	if (!c)
		c = strcmp(a->name, b->name);
	return c > 0;
}

static bool same_ranges(const struct mp_provisioner *a, const struct mp_provisioner *b)
{
	return a->n_unicast == b->n_unicast && a->n_group == b->n_group &&
	       a->n_scene == b->n_scene &&
	       !memcmp(a->unicast, b->unicast, a->n_unicast * sizeof(a->unicast[0])) &&
	       !memcmp(a->group, b->group, a->n_group * sizeof(a->group[0])) &&
	       !memcmp(a->scene, b->scene, a->n_scene * sizeof(a->scene[0]));
}

/* The first copy holding station @p with these ranges. */
static size_t prov_src(const struct mstate *m, const struct mp_provisioner *p)
{
	size_t i, j;

	for (i = 0; i < m->n; i++)
		for (j = 0; j < m->s[i].d->n_provs; j++)
			if (!memcmp(m->s[i].d->provs[j].uuid, p->uuid, 16) &&
			    same_ranges(&m->s[i].d->provs[j], p))
				return i;
	return 0;
}

static void merge_stations(struct mstate *m, struct kr_data *out)
{
	const struct kr_data *base = m->s[0].d;
	size_t i, j, a, b;
	unsigned k, x, y, na, nb;

	for (i = 1; i < m->n; i++) {
		const struct kr_data *d = m->s[i].d;

		for (j = 0; j < d->n_provs; j++) {
			const struct mp_provisioner *p = &d->provs[j];
			struct mp_provisioner *o = NULL;

			for (a = 0; a < out->n_provs; a++)
				if (!memcmp(out->provs[a].uuid, p->uuid, 16))
					o = &out->provs[a];
			if (!o) {
				o = kr_prov_add(out);
				if (!o) {
					m->nomem = true;
					return;
				}
				*o = *p;
				o->merged_at = 0;
			} else if (later_ranges(p, o)) {
				int64_t merged = o->merged_at;

				*o = *p;
				o->merged_at = merged;
			}
		}
	}
	for (a = 0; a < out->n_provs; a++) {
		for (b = 0; b < base->n_provs; b++)
			if (!memcmp(base->provs[b].uuid, out->provs[a].uuid, 16))
				break;
		if (b == base->n_provs) {
			m->rep->stations_added++;
			change(m, MP_MERGE_STATION_ADDED, 0, "station '%s'", out->provs[a].name);
		} else if (!same_ranges(&base->provs[b], &out->provs[a])) {
			m->rep->stations_changed++;
			change(m, MP_MERGE_STATION_CHANGED, 0, "station '%s': its ranges",
			       out->provs[a].name);
		}
	}
	/* Two stations claiming one range: every pair, each kind, with the
	 * copies their ranges come from. */
	for (k = 0; k < MP_RANGE_KINDS; k++)
		for (a = 0; a < out->n_provs; a++)
			for (b = a + 1; b < out->n_provs; b++) {
				const struct mp_kr_range *ra = mp_range_of(&out->provs[a], k, &na);
				const struct mp_kr_range *rb = mp_range_of(&out->provs[b], k, &nb);

				for (x = 0; x < na; x++)
					for (y = 0; y < nb; y++)
						if (ra[x].low <= rb[y].high && rb[y].low <= ra[x].high)
							conflict(m, MP_MERGE_RANGE,
								 prov_src(m, &out->provs[a]),
								 prov_src(m, &out->provs[b]),
								 "%s range %04X-%04X of station '%s' "
								 "(%s) overlaps %04X-%04X of station "
								 "'%s' (%s)",
								 mp_range_kind_str(k), ra[x].low,
								 ra[x].high, out->provs[a].name,
								 m->s[prov_src(m, &out->provs[a])].name,
								 rb[y].low, rb[y].high,
								 out->provs[b].name,
								 m->s[prov_src(m, &out->provs[b])].name);
			}
}

/* ---- Nodes -------------------------------------------------------------------------- */

struct mnode {
	const struct mp_node *n;
	size_t src;
	size_t kept;		/* the kept record of its UUID (index into the result) */
};

static int64_t changed_at(const struct mp_node *n)
{
	return n->modified_at ? n->modified_at : n->provisioned_at;
}

/* The same UUID together; the record to keep first: changed last, then
 * fixed rules (never the order of the files) on a tie. */
static int cmp_mnode(const void *pa, const void *pb)
{
	const struct mp_node *a = ((const struct mnode *)pa)->n, *b = ((const struct mnode *)pb)->n;
	int c = memcmp(a->uuid, b->uuid, 16);

	if (c)
		return c;
	if (changed_at(a) != changed_at(b))
		return changed_at(a) > changed_at(b) ? -1 : 1;
	if (a->state != b->state)
		return a->state > b->state ? -1 : 1;
	if (a->has_dev_key != b->has_dev_key)
		return a->has_dev_key ? -1 : 1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->elements != b->elements)
		return a->elements < b->elements ? -1 : 1;
	c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->n_app_keys != b->n_app_keys)
		return a->n_app_keys > b->n_app_keys ? -1 : 1;
	if (a->n_net_keys != b->n_net_keys)
		return a->n_net_keys > b->n_net_keys ? -1 : 1;
	c = memcmp(a->app_keys, b->app_keys, a->n_app_keys * sizeof(a->app_keys[0]));
	if (c)
		return c;
	c = memcmp(a->net_keys, b->net_keys, a->n_net_keys * sizeof(a->net_keys[0]));
	if (c)
		return c;
	if (a->config_complete != b->config_complete)
		return a->config_complete ? -1 : 1;
	return 0;
}

static int cmp_node_addr(const void *pa, const void *pb)
{
	const struct mp_node *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Whether a node of @res (sorted by address) holds @a: the last node
 * starting at or below it. */
static bool held(const struct mp_node *res, size_t n, uint16_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (res[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < (uint32_t)res[lo - 1].addr + res[lo - 1].elements;
}

/* The first copy holding node @n (its UUID) at its address. */
static size_t node_src(const struct mstate *m, const struct mp_node *n)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		ssize_t x = kr_node_index_uuid(m->s[i].d, n->uuid);

		if (x >= 0 && m->s[i].d->nodes[x].addr == n->addr)
			return i;
	}
	return 0;
}

static void merge_nodes(struct mstate *m, struct kr_data *out)
{
	const struct kr_data *base = m->s[0].d;
	const uint8_t *self = out->provs[out->self].uuid;
	struct mnode *all;
	struct mp_node *res;
	size_t total = 0, i, j, g, n_res = 0;
	char u[40];

	for (i = 0; i < m->n; i++)
		total += m->s[i].d->n_nodes;
	all = calloc(total + 1, sizeof(*all));
	res = calloc(total + 1, sizeof(*res));
	if (!all || !res) {
		free(all);
		free(res);
		m->nomem = true;
		return;
	}
	for (total = 0, i = 0; i < m->n; i++)
		for (j = 0; j < m->s[i].d->n_nodes; j++)
			all[total++] = (struct mnode){ &m->s[i].d->nodes[j], i, SIZE_MAX };
	qsort(all, total, sizeof(*all), cmp_mnode);
	for (g = 0; g < total; g = j) {
		const struct mnode *best = &all[g];
		struct mp_node *r = &res[n_res];
		ssize_t bi;
		size_t x;

		if (kr_node_copy(r, best->n)) {
			m->nomem = true;
			break;
		}
		for (j = g + 1; j < total && !memcmp(all[j].n->uuid, best->n->uuid, 16); j++) {
			const struct mp_node *o = all[j].n;

			if (o->has_dev_key && r->has_dev_key &&
			    CRYPTO_memcmp(o->dev_key, r->dev_key, 16))
				conflict(m, MP_MERGE_DEVKEY, best->src, all[j].src,
					 "device %s has one device key in %s and another in %s",
					 mp_uuid_format(r->uuid, u, true) ? u : "",
					 m->s[best->src].name, m->s[all[j].src].name);
			if (o->has_dev_key && !r->has_dev_key) {
				memcpy(r->dev_key, o->dev_key, 16);
				r->has_dev_key = true;
			}
		}
		r->is_self = !memcmp(r->uuid, self, 16);
		bi = kr_node_index_uuid(base, r->uuid);
		/* Removed in some copy (its address excluded there): dropped. */
		for (x = 0; !r->is_self && x < out->n_excl; x++)
			if (out->excl[x].addr == r->addr && kr_excl_active(out, &out->excl[x]))
				break;
		mp_uuid_format(r->uuid, u, true);
		if (!r->is_self && x < out->n_excl) {
			if (bi >= 0) {
				m->rep->nodes_dropped++;
				change(m, MP_MERGE_NODE_DROPPED, base->nodes[bi].addr,
				       "node %04X %s%s%s (removed in another copy)",
				       base->nodes[bi].addr, u, r->name[0] ? " " : "", r->name);
			}
			continue;
		}
		if (bi < 0) {
			m->rep->nodes_added++;
			change(m, MP_MERGE_NODE_ADDED, r->addr, "node %04X %s%s%s (%u element%s)",
			       r->addr, u, r->name[0] ? " " : "", r->name, r->elements,
			       r->elements == 1 ? "" : "s");
		} else if (changed_at(&base->nodes[bi]) != changed_at(r) ||
			   base->nodes[bi].addr != r->addr ||
			   base->nodes[bi].has_dev_key != r->has_dev_key) {
			m->rep->nodes_updated++;
			change(m, MP_MERGE_NODE_UPDATED, r->addr, "node %04X %s%s%s%s", r->addr, u,
			       r->name[0] ? " " : "", r->name,
			       base->nodes[bi].addr != r->addr ? " (at a new address)" : "");
		}
		for (x = g; x < j; x++)
			all[x].kept = n_res;
		n_res++;
	}
	/* An older record of a kept node at other addresses: the device may
	 * have sent from them, they are excluded (unless a kept node has
	 * them: then the address check below reports it). */
	for (i = 0, g = 0; g < total; g++)
		if (all[g].kept != SIZE_MAX && res[all[g].kept].addr != all[g].n->addr)
			all[i++] = all[g];
	qsort(res, n_res, sizeof(*res), cmp_node_addr);
	for (g = 0; g < i; g++) {
		const struct mp_node *o = all[g].n;
		unsigned e;

		for (e = 0; e < o->elements; e++)
			if (!held(res, n_res, (uint16_t)(o->addr + e)) &&
			    kr_excl_add(out, (uint16_t)(o->addr + e), out->iv_index))
				m->nomem = true;
	}
	free(all);
	/* One address, two UUIDs: the copies each record comes from named. */
	for (i = 0; i + 1 < n_res; i++)
		for (j = i + 1; j < n_res && res[j].addr < (uint32_t)res[i].addr + res[i].elements;
		     j++) {
			size_t si = node_src(m, &res[i]), sj = node_src(m, &res[j]);
			char u2[40];

			mp_uuid_format(res[i].uuid, u, true);
			mp_uuid_format(res[j].uuid, u2, true);
			conflict(m, MP_MERGE_ADDRESS, si, sj,
				 "address %04X is device %s's (%04X+%u, in %s) and device %s's "
				 "(%04X+%u, in %s)", res[j].addr, u, res[i].addr, res[i].elements,
				 m->s[si].name, u2, res[j].addr, res[j].elements, m->s[sj].name);
		}
	for (i = 0; i < out->n_nodes; i++) {
		kr_nc_free(out->nodes[i].config);
		out->nodes[i].config = NULL;
	}
	out->n_nodes = 0;
	for (i = 0; !m->nomem && i < n_res; i++) {
		struct mp_node *dst = kr_node_insert(out, res[i].addr);

		if (!dst || kr_node_copy(dst, &res[i])) {
			m->nomem = true;
			break;
		}
	}
	for (i = 0; i < total + 1; i++)
		kr_nc_free(res[i].config);
	mp_wipe(res, (total + 1) * sizeof(*res));
	free(res);
}

/* ---- Groups ---------------------------------------------------------------------------- */

/* A group of one copy. */
struct mgroup {
	const struct mp_group *g;
	size_t src;
};

/* Addresses in a fixed order: group addresses before virtual ones, then by
 * address, then by label. */
static int cmp_nc_addr(const struct mp_nc_addr *a, const struct mp_nc_addr *b)
{
	if (a->virt != b->virt)
		return a->virt ? 1 : -1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->virt ? memcmp(a->label, b->label, 16) : 0;
}

static int cmp_group_name(const void *pa, const void *pb)
{
	const struct mp_group *a = ((const struct mgroup *)pa)->g;
	const struct mp_group *b = ((const struct mgroup *)pb)->g;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = cmp_nc_addr(&a->addr, &b->addr);
	if (!c)
		c = cmp_nc_addr(&a->parent, &b->parent);
	if (!c && ((const struct mgroup *)pa)->src != ((const struct mgroup *)pb)->src)
		c = ((const struct mgroup *)pa)->src < ((const struct mgroup *)pb)->src ? -1 : 1;
	return c;
}

static int cmp_group_addr(const void *pa, const void *pb)
{
	const struct mp_group *a = ((const struct mgroup *)pa)->g;
	const struct mp_group *b = ((const struct mgroup *)pb)->g;
	int c = cmp_nc_addr(&a->addr, &b->addr);

	if (!c)
		c = strcmp(a->name, b->name);
	if (!c && ((const struct mgroup *)pa)->src != ((const struct mgroup *)pb)->src)
		c = ((const struct mgroup *)pa)->src < ((const struct mgroup *)pb)->src ? -1 : 1;
	return c;
}

/* "C001", "virtual 8F3A", "none" for messages. */
static const char *addr_text(const struct mp_nc_addr *a, char buf[16])
{
	if (a->virt)
		snprintf(buf, 16, "virtual %04X", a->addr);
	else if (!a->addr)
		snprintf(buf, 16, "none");
	else
		snprintf(buf, 16, "%04X", a->addr);
	return buf;
}

/* Groups united by name and address: one name with two addresses, one
 * address with two names, one group with two parents are conflicts; every
 * other group of any copy is in the result. */
static void merge_groups(struct mstate *m, struct kr_data *out)
{
	const struct kr_data *base = m->s[0].d;
	struct mgroup *all;
	size_t total = 0, i, j, n = 0;
	char x[16], y[16];

	for (i = 0; i < m->n; i++)
		total += m->s[i].d->n_groups;
	if (!total)
		return;
	all = calloc(total, sizeof(*all));
	if (!all) {
		m->nomem = true;
		return;
	}
	for (i = 0; i < m->n; i++)
		for (j = 0; j < m->s[i].d->n_groups; j++)
			all[n++] = (struct mgroup){ &m->s[i].d->groups[j], i };
	qsort(all, n, sizeof(*all), cmp_group_name);
	for (i = 1; i < n; i++) {
		const struct mp_group *a = all[i - 1].g, *b = all[i].g;

		if (strcmp(a->name, b->name))
			continue;
		if (!kr_nc_same_addr(&a->addr, &b->addr))
			conflict(m, MP_MERGE_GROUP, all[i - 1].src, all[i].src,
				 "group '%s' is %s in %s and %s in %s", a->name,
				 addr_text(&a->addr, x), m->s[all[i - 1].src].name,
				 addr_text(&b->addr, y), m->s[all[i].src].name);
		else if (!kr_nc_same_addr(&a->parent, &b->parent))
			conflict(m, MP_MERGE_GROUP, all[i - 1].src, all[i].src,
				 "group '%s' has parent %s in %s and %s in %s", a->name,
				 addr_text(&a->parent, x), m->s[all[i - 1].src].name,
				 addr_text(&b->parent, y), m->s[all[i].src].name);
	}
	qsort(all, n, sizeof(*all), cmp_group_addr);
	for (i = 1; i < n; i++) {
		const struct mp_group *a = all[i - 1].g, *b = all[i].g;

		if (kr_nc_same_addr(&a->addr, &b->addr) && strcmp(a->name, b->name))
			conflict(m, MP_MERGE_GROUP, all[i - 1].src, all[i].src,
				 "group %s is '%s' in %s and '%s' in %s",
				 addr_text(&a->addr, x), a->name, m->s[all[i - 1].src].name,
				 b->name, m->s[all[i].src].name);
	}
	/* The new ones, in address order, after this keyring's own. */
	for (i = 0; i < n; i++) {
		const struct mp_group *g = all[i].g;
		struct mp_group *o;

		if (i && !strcmp(g->name, all[i - 1].g->name) &&
		    kr_nc_same_addr(&g->addr, &all[i - 1].g->addr))
			continue;
		for (j = 0; j < base->n_groups; j++)
			if (!strcmp(base->groups[j].name, g->name))
				break;
		if (j < base->n_groups)
			continue;
		o = kr_append((void **)&out->groups, &out->n_groups, &out->cap_groups,
			      sizeof(*o));
		if (!o) {
			m->nomem = true;
			break;
		}
		*o = *g;
		m->rep->groups_added++;
		change(m, MP_MERGE_GROUP_ADDED, g->addr.addr, "group '%s' %s", g->name,
		       addr_text(&g->addr, x));
	}
	m->rep->groups = out->n_groups;
	free(all);
}

/* ---- Scenes ---------------------------------------------------------------------------- */

/* A scene of one copy. */
struct mscene {
	const struct mp_scene *s;
	size_t src;
};

static int cmp_mscene(const void *pa, const void *pb)
{
	const struct mscene *a = pa, *b = pb;
	int c;

	if (a->s->number != b->s->number)
		return a->s->number < b->s->number ? -1 : 1;
	c = strcmp(a->s->name, b->s->name);
	if (!c && a->src != b->src)
		c = a->src < b->src ? -1 : 1;
	return c;
}

/* Scenes united by number: one number with two names is a conflict; the
 * addresses of every copy's scene are united, then those of nodes the
 * result lacks leave (merge_nodes() made the result's nodes). */
static void merge_scenes(struct mstate *m, struct kr_data *out)
{
	const struct kr_data *base = m->s[0].d;
	struct mscene *all;
	size_t total = 0, i, j, n = 0;

	for (i = 0; i < m->n; i++)
		total += m->s[i].d->n_scenes;
	all = calloc(total + 1, sizeof(*all));
	if (!all) {
		m->nomem = true;
		return;
	}
	for (i = 0; i < m->n; i++)
		for (j = 0; j < m->s[i].d->n_scenes; j++)
			all[n++] = (struct mscene){ &m->s[i].d->scenes[j], i };
	if (n)
		qsort(all, n, sizeof(*all), cmp_mscene);
	for (i = 1; i < n; i++) {
		const struct mp_scene *a = all[i - 1].s, *b = all[i].s;

		if (a->number == b->number && strcmp(a->name, b->name))
			conflict(m, MP_MERGE_SCENE, all[i - 1].src, all[i].src,
				 "scene %04X is '%s' in %s and '%s' in %s", a->number, a->name,
				 m->s[all[i - 1].src].name, b->name, m->s[all[i].src].name);
	}
	for (i = 0; !m->nomem && i < n; i++) {
		const struct mp_scene *s = all[i].s;
		ssize_t x = kr_scene_index(out, s->number);
		struct mp_scene *o;
		unsigned k;

		if (x < 0) {
			o = kr_append((void **)&out->scenes, &out->n_scenes, &out->cap_scenes,
				      sizeof(*o));
			if (!o) {
				m->nomem = true;
				break;
			}
			snprintf(o->name, sizeof(o->name), "%s", s->name);
			o->number = s->number;
		} else {
			o = &out->scenes[x];
		}
		for (k = 0; k < s->n_addrs; k++)
			if (kr_scene_addr_add(o, s->addrs[k]))
				m->nomem = true;
	}
	free(all);
	kr_scenes_drop_unheld(out);
	kr_scenes_sort(out);
	for (i = 0; i < out->n_scenes; i++) {
		const struct mp_scene *o = &out->scenes[i];
		ssize_t bi = kr_scene_index(base, o->number);
		unsigned k, more = 0;

		if (bi < 0) {
			m->rep->scenes_added++;
			change(m, MP_MERGE_SCENE_ADDED, o->number, "scene %04X '%s' (%u element%s)",
			       o->number, o->name, o->n_addrs, o->n_addrs == 1 ? "" : "s");
			continue;
		}
		for (k = 0; k < o->n_addrs; k++) {
			const struct mp_scene *b = &base->scenes[bi];
			unsigned y;

			for (y = 0; y < b->n_addrs && b->addrs[y] != o->addrs[k]; y++)
				;
			more += y == b->n_addrs;
		}
		if (more) {
			m->rep->scenes_changed++;
			change(m, MP_MERGE_SCENE_CHANGED, o->number,
			       "scene %04X '%s': stored by %u more element%s", o->number, o->name,
			       more, more == 1 ? "" : "s");
		}
	}
	m->rep->scenes = out->n_scenes;
}

/* Conflicts in a fixed order (kind, then text): the report does not depend
 * on the order of the files either. */
static int cmp_conflict(const void *pa, const void *pb)
{
	const struct mp_merge_conflict *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->what, b->what);
}

static int cmp_change(const void *pa, const void *pb)
{
	const struct mp_merge_change *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return strcmp(a->what, b->what);
}

/* ---- The merge -------------------------------------------------------------------------- */

int mp_merge(struct mp_keyring *kr, const char *const *docs, const size_t *lens,
	     const char *const *names, size_t n, bool dry_run, struct mp_merge_report *rep)
{
	struct mstate m;
	struct kr_data *out = NULL, *old;
	size_t i, j;
	int r = 0;

	if (!kr || !rep || (n && (!docs || !lens)))
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	kr_err_clear(&kr->err);
	memset(&m, 0, sizeof(m));
	m.kr = kr;
	m.rep = rep;
	m.n = n + 1;
	m.s = calloc(m.n, sizeof(*m.s));
	if (!m.s)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	m.s[0].d = kr->d;
	m.s[0].name = "this keyring";
	for (i = 1; !r && i < m.n; i++) {
		m.s[i].name = names && names[i - 1] ? names[i - 1] : "a CDB";
		r = read_one(&m, i, docs[i - 1], lens[i - 1]);
	}
	rep->iv_before = kr->d->iv_index;
	if (!r) {
		out = kr_data_clone(kr->d);
		if (!out)
			r = kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	if (!r) {
		merge_keys(&m, out);
		merge_iv_excl(&m, out);
		merge_stations(&m, out);
		merge_nodes(&m, out);
		merge_groups(&m, out);
		merge_scenes(&m, out);
		kr_excl_normalize(out);
		excl_iv_changes(&m, out);
		rep->iv_after = out->iv_index;
		if (m.nomem)
			r = kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	if (!r && rep->n_conflicts) {
		qsort(rep->conflicts, rep->n_conflicts, sizeof(*rep->conflicts), cmp_conflict);
		free(rep->changes);	/* nothing changes */
		rep->changes = NULL;
		rep->n_changes = 0;
		r = kr_fail(&kr->err, -ENOTUNIQ, MP_KR_E_DUPLICATE, NULL,
			    "%zu conflict%s between the copies: nothing was merged (settle each "
			    "in the copy that is wrong, then merge again)", rep->n_conflicts,
			    rep->n_conflicts == 1 ? "" : "s");
	}
	if (!r && rep->n_changes)
		qsort(rep->changes, rep->n_changes, sizeof(*rep->changes), cmp_change);
	if (!r && !dry_run) {
		/* The stations whose own exports came back: merged now. */
		for (i = 1; i < m.n; i++)
			for (j = 0; m.s[i].has_exporter && j < out->n_provs; j++)
				if (j != out->self &&
				    !memcmp(out->provs[j].uuid, m.s[i].exporter, 16))
					out->provs[j].merged_at = kr_now(kr);
		if (out->iv_index != kr->d->iv_index || out->iv_update != kr->d->iv_update)
			out->iv_changed = kr_now(kr);
		old = kr->d;
		kr->d = out;
		r = kr_changed(kr);
		if (r) {
			kr->d = old;
		} else {
			kr_data_free(old);
			out = NULL;
		}
	}
	kr_data_free(out);
	for (i = 1; i < m.n; i++)
		kr_data_free(m.s[i].d);
	free(m.s);
	return r;
}
