/* One codec per record of the store: NetKeys, AppKeys, provisioners and
 * their ranges, nodes (and their key lists), exclusions. The keyring file
 * (kr_format.c) and the Mesh Configuration Database (cdb.c) read their
 * records here, and write them here; where the two files differ (field
 * names, the shape of a node's elements and key lists, where meshprov's own
 * node fields go, dates or UNIX seconds, device keys that a partial CDB
 * leaves out) the difference is a parameter, struct kr_form, never a
 * second codec.
 *
 *                    keyring file              CDB (MshCDB 1.0.1)
 *   provisioner      name, unicast/group/      provisionerName, allocated*Range,
 *                    scene {low, high}         {lowAddress, highAddress} and
 *                                              {firstScene, lastScene}
 *   node elements    a count                   [ {index, location, models} ]
 *   node key lists   [ index ]                 [ {index, updated} ]
 *   node extras      state, algorithm, oob,    the same under "meshprov"
 *                    provisioned, inline       (state: complete when absent)
 *   netKey time      UNIX seconds              a date and time
 *   node config      in "config", the CDB's    the node's own fields
 *                    fields (kr_nodecfg.c)
 *   groups, scenes   the same in both (kr_nodecfg.c, kr_scenes.c)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"

static const char *const state_names[] = {
	[MP_NODE_PENDING] = "pending",
	[MP_NODE_UNCONFIRMED] = "unconfirmed",
	[MP_NODE_COMPLETE] = "complete",
};

const char *mp_node_state_str(enum mp_node_state state)
{
	if ((unsigned)state <= MP_NODE_COMPLETE)
		return state_names[state];
	return "?";
}

/* ---- Field forms ----------------------------------------------------------------- */

/* The keyring file keeps times as seconds since the epoch. */
static int time_number(json_object *o, const char *ctx, const char *key, int64_t *out,
		       struct mp_keyring_error *err)
{
	return kj_int(o, ctx, key, 0, KR_TIME_MAX, false, out, err);
}

/* A CDB keeps them as dates (RFC 3339). */
static int time_date(json_object *o, const char *ctx, const char *key, int64_t *out,
		     struct mp_keyring_error *err)
{
	const char *s;
	char field[160];
	int r = kj_str(o, ctx, key, 64, false, &s, err);

	if (r || !s)
		return r;
	if (!kr_parse_time(s, out)) {
		snprintf(field, sizeof(field), "%s%s%s", ctx, *ctx ? "." : "", key);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "expected a date and time such as 2024-01-31T12:00:00Z");
	}
	return 0;
}

int kr_dec_time(const struct kr_form *f, json_object *o, const char *ctx, const char *key,
		int64_t *out, struct mp_keyring_error *err)
{
	return f->cdb ? time_date(o, ctx, key, out, err) : time_number(o, ctx, key, out, err);
}

/* ---- Keys ------------------------------------------------------------------------- */

int kr_dec_netkeys(const struct kr_form *f, json_object *root, struct kr_data *d,
		   struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	int64_t v;
	int r = kj_array(root, "", "netKeys", true, MP_KEY_INDEX_MAX + 1, &arr, &n, err);

	for (i = 0; !r && i < n; i++) {
		struct mp_netkey *k = kr_append((void **)&d->netkeys, &d->n_netkeys,
						&d->cap_netkeys, sizeof(*k));

		if (!k)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "netKeys[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r && !(r = kj_int(e, c, "index", 0, MP_KEY_INDEX_MAX, true, &v, err)))
			k->index = (uint16_t)v;
		if (!r)
			r = kj_hex(e, c, "key", true, k->key, 16, NULL, err);
		/* the keyring file always says; a CDB may leave phase 0 out */
		if (!r && !(r = kj_int(e, c, "phase", 0, 2, !f->cdb, &v, err)))
			k->phase = (uint8_t)v;
		/* the old key matters during a Key Refresh only */
		if (!r)
			r = kj_hex(e, c, "oldKey", k->phase != 0, k->old_key, 16, NULL, err);
		if (!r && !k->phase)
			mp_wipe(k->old_key, 16);
		if (!r)
			r = kj_name(e, c, "name", false, k->name, MP_KR_NAME_MAX, err);
		if (!r)
			r = kr_dec_time(f, e, c, "timestamp", &k->timestamp, err);
	}
	return r;
}

int kr_dec_appkeys(const struct kr_form *f, json_object *root, struct kr_data *d,
		   struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	int64_t v;
	int r = kj_array(root, "", "appKeys", true, MP_KEY_INDEX_MAX + 1, &arr, &n, err);

	(void)f;	/* the same fields in both */
	for (i = 0; !r && i < n; i++) {
		struct mp_appkey *k = kr_append((void **)&d->appkeys, &d->n_appkeys,
						&d->cap_appkeys, sizeof(*k));

		if (!k)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "appKeys[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r && !(r = kj_int(e, c, "index", 0, MP_KEY_INDEX_MAX, true, &v, err)))
			k->index = (uint16_t)v;
		if (!r && !(r = kj_int(e, c, "boundNetKey", 0, MP_KEY_INDEX_MAX, true, &v, err)))
			k->net_index = (uint16_t)v;
		if (!r)
			r = kj_hex(e, c, "key", true, k->key, 16, NULL, err);
		if (!r)
			r = kj_hex(e, c, "oldKey", false, k->old_key, 16, &k->has_old_key, err);
		if (!r)
			r = kj_name(e, c, "name", false, k->name, MP_KR_NAME_MAX, err);
	}
	return r;
}

/* ---- Provisioners ------------------------------------------------------------------ */

/* The names of a kind of range in each file. */
struct range_names {
	const char *file, *cdb;		/* the array */
	const char *lo, *hi;		/* the CDB's bounds (the file's: low, high) */
	bool cdb_required;
};

static const struct range_names unicast_names = {
	"unicast", "allocatedUnicastRange", "lowAddress", "highAddress", true };
static const struct range_names group_names = {
	"group", "allocatedGroupRange", "lowAddress", "highAddress", false };
static const struct range_names scene_names = {
	"scene", "allocatedSceneRange", "firstScene", "lastScene", false };

static int dec_ranges(const struct kr_form *f, json_object *o, const char *ctx,
		      const struct range_names *nm, struct mp_kr_range *r, uint8_t *n,
		      struct mp_keyring_error *err)
{
	const char *key = f->cdb ? nm->cdb : nm->file;
	const char *lo = f->cdb ? nm->lo : "low", *hi = f->cdb ? nm->hi : "high";
	json_object *arr, *e;
	char c[160];
	size_t i, len;
	int ret = kj_array(o, ctx, key, f->cdb && nm->cdb_required, MP_KR_MAX_RANGES, &arr,
			   &len, err);

	for (i = 0; !ret && i < len; i++) {
		snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
		ret = kj_elem(arr, i, c, &e, err);
		if (!ret)
			ret = kj_addr(e, c, lo, &r[i].low, err);
		if (!ret)
			ret = kj_addr(e, c, hi, &r[i].high, err);
	}
	if (!ret)
		*n = (uint8_t)len;
	return ret;
}

/* When a provisioner's ranges last changed: "rangesChanged", in a CDB in
 * the provisioner's "meshprov" object (other tools ignore it). */
static int dec_prov_extras(const struct kr_form *f, json_object *e, const char *c,
			   struct mp_provisioner *p, struct mp_keyring_error *err)
{
	json_object *o = e;
	char ctx[96];
	int64_t v = 0;
	int r;

	snprintf(ctx, sizeof(ctx), "%s", c);
	if (f->cdb) {
		if (!json_object_object_get_ex(e, "meshprov", &o))
			return 0;
		if (!json_object_is_type(o, json_type_object))
			return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, NULL, "%s.meshprov: not an object",
				       c);
		snprintf(ctx, sizeof(ctx), "%s.meshprov", c);
	}
	r = kj_int(o, ctx, "rangesChanged", 0, KR_TIME_MAX, false, &v, err);
	if (!r)
		p->ranges_at = v;
	if (!r)
		r = kj_int(o, ctx, "rangesRevision", 0, UINT32_MAX, false, &v, err);
	if (!r)
		p->ranges_rev = (uint32_t)v;
	return r;
}

int kr_dec_provisioners(const struct kr_form *f, json_object *root, struct kr_data *d,
			struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	int r = kj_array(root, "", "provisioners", true, 4096, &arr, &n, err);

	if (!r && n == 0 && f->cdb)
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, "provisioners", "no provisioner");
	for (i = 0; !r && i < n; i++) {
		struct mp_provisioner *p = kr_prov_add(d);

		if (!p)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "provisioners[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_name(e, c, f->cdb ? "provisionerName" : "name", !f->cdb, p->name,
				    MP_KR_NAME_MAX, err);
		if (!r)
			r = kj_uuid(e, c, "UUID", true, p->uuid, err);
		if (!r)
			r = dec_ranges(f, e, c, &unicast_names, p->unicast, &p->n_unicast, err);
		if (!r)
			r = dec_ranges(f, e, c, &group_names, p->group, &p->n_group, err);
		if (!r)
			r = dec_ranges(f, e, c, &scene_names, p->scene, &p->n_scene, err);
		if (!r && !f->cdb)
			r = kr_dec_time(f, e, c, "lastMerged", &p->merged_at, err);
		if (!r)
			r = dec_prov_extras(f, e, c, p, err);
	}
	return r;
}

/* ---- Nodes ------------------------------------------------------------------------- */

/* A node's NetKey or AppKey list: [ index ] in the file, [ {index, updated} ]
 * in a CDB. */
static int dec_key_list(const struct kr_form *f, json_object *o, const char *ctx,
			const char *key, bool required, size_t max, uint16_t *list, uint8_t *n,
			struct mp_keyring_error *err)
{
	json_object *arr, *v;
	char c[160];
	size_t i, j, len;
	int64_t x;
	int r = kj_array(o, ctx, key, required, max, &arr, &len, err);

	for (i = 0; !r && i < len; i++) {
		snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
		if (f->cdb) {
			r = kj_elem(arr, i, c, &v, err);
			if (!r)
				r = kj_int(v, c, "index", 0, MP_KEY_INDEX_MAX, true, &x, err);
			if (r)
				break;
		} else {
			v = json_object_array_get_idx(arr, i);
			if (!json_object_is_type(v, json_type_int) ||
			    json_object_get_int64(v) < 0 ||
			    json_object_get_int64(v) > MP_KEY_INDEX_MAX)
				return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, c,
					       "expected a key index (0..4095)");
			x = json_object_get_int64(v);
		}
		list[i] = (uint16_t)x;
		for (j = 0; j < i; j++)
			if (list[j] == list[i])
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, c,
					       "key index %u listed twice", list[i]);
	}
	if (!r)
		*n = (uint8_t)len;
	return r;
}

/* A node's elements: a count in the file, the CDB's array of elements. */
static int dec_elements(const struct kr_form *f, json_object *e, const char *c,
			struct mp_node *nd, struct mp_keyring_error *err)
{
	json_object *els;
	char fld[160];
	size_t n = 0;
	int64_t v;
	int r;

	if (!f->cdb) {
		r = kj_int(e, c, "elements", 1, 255, true, &v, err);
		if (!r)
			nd->elements = (uint8_t)v;
		return r;
	}
	r = kj_array(e, c, "elements", true, 255, &els, &n, err);
	if (!r && n == 0) {
		snprintf(fld, sizeof(fld), "%s.elements", c);
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld, "a node has at least one element");
	}
	nd->elements = (uint8_t)n;
	return r;
}

/* What only meshprov keeps of a node: inline in the file, under "meshprov"
 * in a CDB (where other tools ignore it; a node without it is complete). */
static int dec_node_extras(const struct kr_form *f, json_object *e, const char *c,
			   struct mp_node *nd, struct mp_keyring_error *err)
{
	json_object *o = e;
	const char *state = NULL;
	char ctx[128], fld[160];
	int64_t v;
	unsigned s;
	int r = 0;

	snprintf(ctx, sizeof(ctx), "%s", c);
	nd->state = MP_NODE_COMPLETE;
	if (f->cdb) {
		r = kj_get(e, c, "meshprov", json_type_object, false, &o, err);
		if (r || !o)
			return r;
		snprintf(ctx, sizeof(ctx), "%s.meshprov", c);
	}
	r = kj_str(o, ctx, "state", 16, !f->cdb, &state, err);
	if (!r && state) {
		for (s = 0; s <= MP_NODE_COMPLETE; s++)
			if (!strcmp(state, state_names[s]))
				break;
		if (s > MP_NODE_COMPLETE) {
			snprintf(fld, sizeof(fld), "%s.state", ctx);
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
				       "unknown state: expected \"pending\", \"unconfirmed\" or "
				       "\"complete\"");
		}
		nd->state = (enum mp_node_state)s;
	}
	if (!r)
		r = kj_name(o, ctx, "algorithm", false, nd->algorithm, MP_KR_TAG_MAX, err);
	if (!r)
		r = kj_name(o, ctx, "oob", false, nd->oob, MP_KR_TAG_MAX, err);
	if (!r && !(r = kj_int(o, ctx, "provisioned", 0, KR_TIME_MAX, false, &v, err)))
		nd->provisioned_at = v;
	if (!r && !(r = kj_int(o, ctx, "modified", 0, KR_TIME_MAX, false, &v, err)))
		nd->modified_at = v;
	return r;
}

static int dec_node(const struct kr_form *f, json_object *e, const char *c, struct mp_node *nd,
		    struct mp_keyring_error *err)
{
	json_object *v;
	int r;

	/* Early mesh-cfgclient files spell it "uuid". */
	if (f->cdb && !json_object_object_get_ex(e, "UUID", &v) &&
	    json_object_object_get_ex(e, "uuid", &v))
		r = kj_uuid(e, c, "uuid", true, nd->uuid, err);
	else
		r = kj_uuid(e, c, "UUID", true, nd->uuid, err);
	if (!r)
		r = kj_addr(e, c, "unicastAddress", &nd->addr, err);
	if (!r)
		r = dec_elements(f, e, c, nd, err);
	if (!r)
		r = kj_hex(e, c, "deviceKey", f->cdb && !f->partial, nd->dev_key, 16,
			   &nd->has_dev_key, err);
	if (!r)
		r = dec_key_list(f, e, c, "netKeys", f->cdb, MP_NODE_MAX_NETKEYS, nd->net_keys,
				 &nd->n_net_keys, err);
	if (!r)
		r = dec_key_list(f, e, c, "appKeys", false, MP_NODE_MAX_APPKEYS, nd->app_keys,
				 &nd->n_app_keys, err);
	if (!r)
		r = kj_name(e, c, "name", false, nd->name, MP_KR_NAME_MAX, err);
	if (!r)
		r = kj_bool(e, c, "configComplete", false, &nd->config_complete, err);
	/* CDB 1.0 (and nRF Mesh exports of its time) said "blacklisted". */
	if (!r && f->cdb && !json_object_object_get_ex(e, "excluded", &v) &&
	    json_object_object_get_ex(e, "blacklisted", &v))
		r = kj_bool(e, c, "blacklisted", false, &nd->excluded, err);
	else if (!r)
		r = kj_bool(e, c, "excluded", false, &nd->excluded, err);
	if (!r)
		r = dec_node_extras(f, e, c, nd, err);
	if (!r) {
		r = kr_dec_node_config(f, e, c, nd, err);
		/* a configuration field names its node by address too */
		if (r == -EBADMSG && err)
			kr_msgf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
				" (node %04X)", nd->addr);
	}
	return r;
}

int kr_dec_nodes(const struct kr_form *f, json_object *root, struct kr_data *d,
		 struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	/* one unicast address at least each: MshPRT v1.1 3.4.2.2 */
	int r = kj_array(root, "", "nodes", true, MP_UNICAST_MAX, &arr, &n, err);

	if (!r && kr_reserve((void **)&d->nodes, d->n_nodes, &d->cap_nodes, sizeof(*d->nodes), n))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		struct mp_node *nd = kr_append((void **)&d->nodes, &d->n_nodes, &d->cap_nodes,
					       sizeof(*nd));

		if (!nd)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "nodes[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = dec_node(f, e, c, nd, err);
	}
	return r;
}

/* ---- Exclusions ---------------------------------------------------------------------- */

static const char *excl_key(const struct kr_form *f)
{
	return f->cdb ? "networkExclusions" : "exclusions";
}

/* [ { "ivIndex": N, "addresses": [..] } ] in both files. */
int kr_dec_exclusions(const struct kr_form *f, json_object *root, struct kr_data *d,
		      struct mp_keyring_error *err)
{
	const char *key = excl_key(f);
	json_object *arr, *e, *addrs;
	char c[96], fld[128];
	size_t i, j, n, na;
	int64_t iv;
	size_t total = 0;
	/* Only unicast addresses are excluded: 0x7FFF at most, all groups
	 * together (MshCDB 2.1.5; MshPRT v1.1 3.4.2.2). */
	int r = kj_array(root, "", key, false, MP_UNICAST_MAX, &arr, &n, err);

	for (i = 0; !r && i < n; i++) {
		snprintf(c, sizeof(c), "%s[%zu]", key, i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_int(e, c, "ivIndex", 0, UINT32_MAX, true, &iv, err);
		if (!r)
			r = kj_array(e, c, "addresses", true, MP_UNICAST_MAX, &addrs, &na, err);
		if (!r && (total += na) > MP_UNICAST_MAX)
			r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, key,
				    "more than %d addresses excluded in all (only unicast "
				    "addresses are)", MP_UNICAST_MAX);
		for (j = 0; !r && j < na; j++) {
			struct mp_exclusion *x;

			snprintf(fld, sizeof(fld), "%s.addresses[%zu]", c, j);
			x = kr_append((void **)&d->excl, &d->n_excl, &d->cap_excl, sizeof(*x));
			if (!x)
				return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
			r = kj_addr_value(json_object_array_get_idx(addrs, j), fld, &x->addr, err);
			x->iv_index = (uint32_t)iv;
		}
	}
	return r;
}

/* ==== Encoding ==================================================================== */

static void add_hex(const struct kr_form *f, json_object *o, const char *key, const uint8_t *b,
		    size_t n)
{
	kj_add_hex(o, key, b, n, f->cdb);	/* a CDB's keys are in upper case */
}

static void add_uuid(const struct kr_form *f, json_object *o, const char *key,
		     const uint8_t uuid[16])
{
	char s[MP_UUID_STR_SIZE];

	kj_add_str(o, key, mp_uuid_format(uuid, s, f->cdb));	/* RFC 4122 form in a CDB */
}

static void add_time(const struct kr_form *f, json_object *o, const char *key, int64_t t)
{
	char s[32];

	if (!f->cdb) {
		kj_add_int(o, key, t);
		return;
	}
	kr_fmt_time(t, s);
	kj_add_str(o, key, s);
}

json_object *kr_enc_netkey(const struct kr_form *f, const struct mp_netkey *k)
{
	json_object *o = json_object_new_object();

	kj_add_str(o, "name", k->name);
	kj_add_int(o, "index", k->index);
	add_hex(f, o, "key", k->key, 16);
	if (k->phase)
		add_hex(f, o, "oldKey", k->old_key, 16);
	kj_add_int(o, "phase", k->phase);
	if (f->cdb)
		kj_add_str(o, "minSecurity", "secure");
	add_time(f, o, "timestamp", k->timestamp);
	return o;
}

json_object *kr_enc_appkey(const struct kr_form *f, const struct mp_appkey *k)
{
	json_object *o = json_object_new_object();

	kj_add_str(o, "name", k->name);
	kj_add_int(o, "index", k->index);
	kj_add_int(o, "boundNetKey", k->net_index);
	add_hex(f, o, "key", k->key, 16);
	if (k->has_old_key)
		add_hex(f, o, "oldKey", k->old_key, 16);
	return o;
}

static json_object *enc_ranges(const struct kr_form *f, const struct range_names *nm,
			       const struct mp_kr_range *r, unsigned n)
{
	json_object *arr = json_object_new_array();
	unsigned i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		kj_add_addr(o, f->cdb ? nm->lo : "low", r[i].low);
		kj_add_addr(o, f->cdb ? nm->hi : "high", r[i].high);
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *kr_enc_provisioner(const struct kr_form *f, const struct mp_provisioner *p)
{
	json_object *o = json_object_new_object();

	kj_add_str(o, f->cdb ? "provisionerName" : "name", p->name);
	add_uuid(f, o, "UUID", p->uuid);
	json_object_object_add(o, f->cdb ? unicast_names.cdb : unicast_names.file,
			       enc_ranges(f, &unicast_names, p->unicast, p->n_unicast));
	json_object_object_add(o, f->cdb ? group_names.cdb : group_names.file,
			       enc_ranges(f, &group_names, p->group, p->n_group));
	json_object_object_add(o, f->cdb ? scene_names.cdb : scene_names.file,
			       enc_ranges(f, &scene_names, p->scene, p->n_scene));
	if (!f->cdb && p->merged_at)
		kj_add_int(o, "lastMerged", p->merged_at);
	if (p->ranges_at || p->ranges_rev) {
		json_object *ext = o;

		if (f->cdb) {
			ext = json_object_new_object();
			json_object_object_add(o, "meshprov", ext);
		}
		kj_add_int(ext, "rangesChanged", p->ranges_at);
		kj_add_int(ext, "rangesRevision", p->ranges_rev);
	}
	return o;
}

static bool key_updated(const struct mp_node *n, bool app, uint16_t index)
{
	const struct mp_node_config *c = n->config;
	unsigned i, cnt = !c ? 0 : app ? c->n_app_updated : c->n_net_updated;

	for (i = 0; i < cnt; i++)
		if ((app ? c->app_updated : c->net_updated)[i] == index)
			return true;
	return false;
}

static json_object *enc_key_list(const struct kr_form *f, const struct mp_node *nd, bool app)
{
	json_object *arr = json_object_new_array();
	const uint16_t *l = app ? nd->app_keys : nd->net_keys;
	unsigned i, n = app ? nd->n_app_keys : nd->n_net_keys;

	for (i = 0; i < n; i++) {
		json_object *o;

		if (!f->cdb) {
			json_object_array_add(arr, json_object_new_int(l[i]));
			continue;
		}
		o = json_object_new_object();
		kj_add_int(o, "index", l[i]);
		kj_add_bool(o, "updated", key_updated(nd, app, l[i]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *enc_elements(const struct kr_form *f, const struct mp_node *n)
{
	if (!f->cdb)
		return json_object_new_int(n->elements);
	return kr_enc_node_elements(f, n);
}

/* The keyring file writes what is not the default; a CDB writes every
 * field other tools may require. */
json_object *kr_enc_node(const struct kr_form *f, const struct mp_node *n)
{
	json_object *o = json_object_new_object(), *ext = o;

	add_uuid(f, o, "UUID", n->uuid);
	kj_add_addr(o, "unicastAddress", n->addr);
	if (n->has_dev_key && !f->partial)
		add_hex(f, o, "deviceKey", n->dev_key, 16);
	if (f->cdb)
		kj_add_str(o, "security", "secure");
	json_object_object_add(o, "netKeys", enc_key_list(f, n, false));
	if (n->config_complete || f->cdb)
		kj_add_bool(o, "configComplete", n->config_complete);
	if (n->name[0])
		kj_add_str(o, "name", n->name);
	json_object_object_add(o, "elements", enc_elements(f, n));
	if (n->n_app_keys || f->cdb)
		json_object_object_add(o, "appKeys", enc_key_list(f, n, true));
	if (n->excluded || f->cdb)
		kj_add_bool(o, "excluded", n->excluded);
	kr_enc_node_config(f, n, o);
	/* What only meshprov keeps: in a CDB under its own name, which other
	 * tools ignore as an unknown property. */
	if (f->cdb)
		ext = json_object_new_object();
	kj_add_str(ext, "state", mp_node_state_str(n->state));
	if (n->algorithm[0])
		kj_add_str(ext, "algorithm", n->algorithm);
	if (n->oob[0])
		kj_add_str(ext, "oob", n->oob);
	if (n->provisioned_at)
		kj_add_int(ext, "provisioned", n->provisioned_at);
	if (n->modified_at)
		kj_add_int(ext, "modified", n->modified_at);
	if (ext != o)
		json_object_object_add(o, "meshprov", ext);
	return o;
}

/* Exclusions grouped by IV index, both files. */
json_object *kr_enc_exclusions(const struct kr_form *f, const struct kr_data *d)
{
	json_object *arr = json_object_new_array();
	bool *done = calloc(d->n_excl + 1, sizeof(bool));
	size_t i, j;

	(void)f;	/* the same in both */
	for (i = 0; done && i < d->n_excl; i++) {
		json_object *o, *addrs;

		if (done[i] || !kr_excl_active(d, &d->excl[i]))
			continue;
		o = json_object_new_object();
		addrs = json_object_new_array();
		kj_add_int(o, "ivIndex", d->excl[i].iv_index);
		for (j = i; j < d->n_excl; j++) {
			char a[8];

			if (done[j] || d->excl[j].iv_index != d->excl[i].iv_index)
				continue;
			done[j] = true;
			snprintf(a, sizeof(a), "%04X", d->excl[j].addr);
			json_object_array_add(addrs, json_object_new_string(a));
		}
		json_object_object_add(o, "addresses", addrs);
		json_object_array_add(arr, o);
	}
	free(done);
	return arr;
}

/* Every record of @d into @root, in the one order of both files. */
void kr_enc_records(const struct kr_form *f, const struct kr_data *d, json_object *root)
{
	json_object *arr;
	size_t i;

	arr = json_object_new_array();
	for (i = 0; i < d->n_provs; i++)
		json_object_array_add(arr, kr_enc_provisioner(f, &d->provs[i]));
	json_object_object_add(root, "provisioners", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->n_netkeys; i++)
		json_object_array_add(arr, kr_enc_netkey(f, &d->netkeys[i]));
	json_object_object_add(root, "netKeys", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->n_appkeys; i++)
		json_object_array_add(arr, kr_enc_appkey(f, &d->appkeys[i]));
	json_object_object_add(root, "appKeys", arr);
	arr = json_object_new_array();
	for (i = 0; i < d->n_nodes; i++)
		json_object_array_add(arr, kr_enc_node(f, &d->nodes[i]));
	json_object_object_add(root, "nodes", arr);
	if (f->cdb || d->n_groups)
		json_object_object_add(root, "groups", kr_enc_groups(f, d));
	if (f->cdb || d->n_scenes)
		json_object_object_add(root, "scenes", kr_enc_scenes(f, d));
	json_object_object_add(root, excl_key(f), kr_enc_exclusions(f, d));
}
