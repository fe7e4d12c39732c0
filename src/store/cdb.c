/* Mesh Configuration Database (CDB) JSON export and import; see
 * include/store/cdb.h. Field names and forms follow the Mesh Configuration
 * Database Profile 1.0.1 schema (as written by nRF Mesh), and what BlueZ's
 * mesh-cfgclient reads from its configuration file: nodes by "UUID" in the
 * 8-4-4-4-12 form, "unicastAddress" as 4 hex digits, "netKeys"/"appKeys" of
 * {index, updated}, "elements" of {index, location, models}, key entries
 * with "index"/"phase" and "boundNetKey", a top-level "ivIndex", and
 * "token" for its own bluetooth-meshd node.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"
#include "store/cdb.h"

#define CDB_SCHEMA "http://json-schema.org/draft-04/schema#"
#define CDB_ID "https://www.bluetooth.com/specifications/specs/mesh-cdb-1-0-1-schema.json#"
#define CDB_VERSION "1.0.1"

/* ---- Export ----------------------------------------------------------------- */

static json_object *ranges(const struct mp_kr_range *r, unsigned n, const char *lo,
			   const char *hi)
{
	json_object *arr = json_object_new_array();
	unsigned i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		kj_add_addr(o, lo, r[i].low);
		kj_add_addr(o, hi, r[i].high);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *index_list(const uint16_t *l, unsigned n)
{
	json_object *arr = json_object_new_array();
	unsigned i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		kj_add_int(o, "index", l[i]);
		kj_add_bool(o, "updated", false);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *export_node(const struct mp_node *n, bool keys)
{
	json_object *o = json_object_new_object(), *els = json_object_new_array(), *ext;
	char uuid[37];
	unsigned i;

	mp_uuid_format(n->uuid, uuid, true);
	kj_add_str(o, "UUID", uuid);
	kj_add_addr(o, "unicastAddress", n->addr);
	if (keys && n->has_dev_key)
		kj_add_hex(o, "deviceKey", n->dev_key, 16, true);
	kj_add_str(o, "security", "secure");
	json_object_object_add(o, "netKeys", index_list(n->net_keys, n->n_net_keys));
	kj_add_bool(o, "configComplete", n->config_complete);
	if (n->name[0])
		kj_add_str(o, "name", n->name);
	for (i = 0; i < n->elements; i++) {
		json_object *e = json_object_new_object();

		kj_add_int(e, "index", i);
		kj_add_str(e, "location", "0000");
		json_object_object_add(e, "models", json_object_new_array());
		json_object_array_add(els, e);
	}
	json_object_object_add(o, "elements", els);
	json_object_object_add(o, "appKeys", index_list(n->app_keys, n->n_app_keys));
	kj_add_bool(o, "excluded", n->excluded);
	/* What only meshprov keeps; other tools ignore unknown properties. */
	ext = json_object_new_object();
	kj_add_str(ext, "state", mp_node_state_str(n->state));
	if (n->algorithm[0])
		kj_add_str(ext, "algorithm", n->algorithm);
	if (n->oob[0])
		kj_add_str(ext, "oob", n->oob);
	if (n->provisioned_at)
		kj_add_int(ext, "provisioned", n->provisioned_at);
	json_object_object_add(o, "meshprov", ext);
	return o;
}

static json_object *export_doc(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts)
{
	const struct kr_data *d = kr->d;
	json_object *root = json_object_new_object(), *arr, *arr2;
	bool keys = !opts || opts->with_device_keys, partial = !keys;
	char buf[40];
	size_t i;

	for (i = 0; i < d->n_nodes; i++)
		if (!d->nodes[i].has_dev_key)
			partial = true;
	kj_add_str(root, "$schema", CDB_SCHEMA);
	kj_add_str(root, "id", CDB_ID);
	kj_add_str(root, "version", CDB_VERSION);
	mp_uuid_format(d->net_uuid, buf, true);
	kj_add_str(root, "meshUUID", buf);
	kj_add_str(root, "meshName", d->net_name);
	kr_fmt_time(kr_now(kr), buf);
	kj_add_str(root, "timestamp", buf);
	kj_add_bool(root, "partial", partial);

	arr = json_object_new_array();
	for (i = 0; i < d->n_provs; i++) {
		const struct mp_provisioner *p = &d->provs[i];
		json_object *o = json_object_new_object();

		kj_add_str(o, "provisionerName", p->name);
		mp_uuid_format(p->uuid, buf, true);
		kj_add_str(o, "UUID", buf);
		arr2 = ranges(p->unicast, p->n_unicast, "lowAddress", "highAddress");
		json_object_object_add(o, "allocatedUnicastRange", arr2);
		arr2 = ranges(p->group, p->n_group, "lowAddress", "highAddress");
		json_object_object_add(o, "allocatedGroupRange", arr2);
		arr2 = ranges(p->scene, p->n_scene, "firstScene", "lastScene");
		json_object_object_add(o, "allocatedSceneRange", arr2);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "provisioners", arr);

	arr = json_object_new_array();
	for (i = 0; i < d->n_netkeys; i++) {
		const struct mp_netkey *k = &d->netkeys[i];
		json_object *o = json_object_new_object();

		kj_add_str(o, "name", k->name);
		kj_add_int(o, "index", k->index);
		kj_add_hex(o, "key", k->key, 16, true);
		if (k->phase)
			kj_add_hex(o, "oldKey", k->old_key, 16, true);
		kj_add_int(o, "phase", k->phase);
		kj_add_str(o, "minSecurity", "secure");
		kr_fmt_time(k->timestamp, buf);
		kj_add_str(o, "timestamp", buf);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "netKeys", arr);

	arr = json_object_new_array();
	for (i = 0; i < d->n_appkeys; i++) {
		const struct mp_appkey *k = &d->appkeys[i];
		json_object *o = json_object_new_object();

		kj_add_str(o, "name", k->name);
		kj_add_int(o, "index", k->index);
		kj_add_int(o, "boundNetKey", k->net_index);
		kj_add_hex(o, "key", k->key, 16, true);
		if (k->has_old_key)
			kj_add_hex(o, "oldKey", k->old_key, 16, true);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "appKeys", arr);

	arr = json_object_new_array();
	for (i = 0; i < d->n_nodes; i++)
		json_object_array_add(arr, export_node(&d->nodes[i], keys));
	json_object_object_add(root, "nodes", arr);
	json_object_object_add(root, "groups", json_object_new_array());
	json_object_object_add(root, "scenes", json_object_new_array());
	json_object_object_add(root, "networkExclusions", kr_encode_exclusions(d));
	kj_add_int(root, "ivIndex", d->iv_index);
	kj_add_bool(root, "ivUpdate", d->iv_update);
	if (opts && opts->cfgclient_token)
		kj_add_hex(root, "token", opts->cfgclient_token, 8, false);
	return root;
}

int mp_cdb_export(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts, char **json,
		  size_t *len)
{
	json_object *root;

	if (!kr || !json)
		return -EINVAL;
	kr_err_clear(&kr->err);
	root = export_doc(kr, opts);
	*json = root ? kj_dump(root, len) : NULL;
	kj_put_wiped(root);
	if (!*json)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	return 0;
}

int mp_cdb_export_file(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts,
		       const char *path)
{
	char *json;
	size_t len = 0;
	int r = mp_cdb_export(kr, opts, &json, &len);

	if (r)
		return r;
	r = kr_write_atomic(path, json, len, &kr->err);
	mp_keyring_free_secret(json);
	return r;
}

/* ---- Import ------------------------------------------------------------------ */

static int time_field(json_object *o, const char *ctx, const char *key, int64_t *out,
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

static int imp_ranges(json_object *o, const char *ctx, const char *key, const char *lo,
		      const char *hi, bool required, struct mp_kr_range *r, uint8_t *n,
		      struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[160];
	size_t i, len;
	int ret = kj_array(o, ctx, key, required, MP_KR_MAX_RANGES, &arr, &len, err);

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

static int imp_index_list(json_object *o, const char *ctx, const char *key, bool required,
			  size_t max, uint16_t *list, uint8_t *n, struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[160];
	size_t i, j, len;
	int64_t v;
	int r = kj_array(o, ctx, key, required, max, &arr, &len, err);

	for (i = 0; !r && i < len; i++) {
		snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_int(e, c, "index", 0, MP_KEY_INDEX_MAX, true, &v, err);
		if (r)
			break;
		list[i] = (uint16_t)v;
		for (j = 0; j < i; j++)
			if (list[j] == list[i])
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, c,
					       "key index %u listed twice", list[i]);
	}
	if (!r)
		*n = (uint8_t)len;
	return r;
}

static int imp_provisioners(json_object *root, struct kr_data *d, struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	int r = kj_array(root, "", "provisioners", true, 4096, &arr, &n, err);

	if (!r && n == 0)
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, "provisioners", "no provisioner");
	for (i = 0; !r && i < n; i++) {
		struct mp_provisioner *p = kr_prov_add(d);

		if (!p)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "provisioners[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_name(e, c, "provisionerName", false, p->name, MP_KR_NAME_MAX, err);
		if (!r)
			r = kj_uuid(e, c, "UUID", true, p->uuid, err);
		if (!r)
			r = imp_ranges(e, c, "allocatedUnicastRange", "lowAddress", "highAddress",
				       true, p->unicast, &p->n_unicast, err);
		if (!r)
			r = imp_ranges(e, c, "allocatedGroupRange", "lowAddress", "highAddress",
				       false, p->group, &p->n_group, err);
		if (!r)
			r = imp_ranges(e, c, "allocatedSceneRange", "firstScene", "lastScene",
				       false, p->scene, &p->n_scene, err);
	}
	return r;
}

static int imp_node_ext(json_object *e, const char *c, struct mp_node *nd,
			struct mp_keyring_error *err)
{
	json_object *ext;
	const char *state;
	char ctx[128], f[160];
	int64_t v;
	int r = kj_get(e, c, "meshprov", json_type_object, false, &ext, err);

	nd->state = MP_NODE_COMPLETE;
	if (r || !ext)
		return r;
	snprintf(ctx, sizeof(ctx), "%s.meshprov", c);
	r = kj_str(ext, ctx, "state", 16, false, &state, err);
	if (!r && state) {
		if (!strcmp(state, "pending"))
			nd->state = MP_NODE_PENDING;
		else if (!strcmp(state, "unconfirmed"))
			nd->state = MP_NODE_UNCONFIRMED;
		else if (strcmp(state, "complete")) {
			snprintf(f, sizeof(f), "%s.state", ctx);
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, f, "unknown state \"%s\"",
				       state);
		}
	}
	if (!r)
		r = kj_name(ext, ctx, "algorithm", false, nd->algorithm, MP_KR_TAG_MAX, err);
	if (!r)
		r = kj_name(ext, ctx, "oob", false, nd->oob, MP_KR_TAG_MAX, err);
	if (!r && !(r = kj_int(ext, ctx, "provisioned", 0, KR_TIME_MAX, false, &v, err)))
		nd->provisioned_at = v;
	return r;
}

static int imp_node(json_object *e, const char *c, bool partial, struct mp_node *nd,
		    struct mp_keyring_error *err)
{
	json_object *els, *v;
	char f[160];
	size_t n = 0;
	int r;

	/* Early mesh-cfgclient files spell it "uuid". */
	if (!json_object_object_get_ex(e, "UUID", &v) && json_object_object_get_ex(e, "uuid", &v))
		r = kj_uuid(e, c, "uuid", true, nd->uuid, err);
	else
		r = kj_uuid(e, c, "UUID", true, nd->uuid, err);
	if (!r)
		r = kj_addr(e, c, "unicastAddress", &nd->addr, err);
	if (!r)
		r = kj_hex(e, c, "deviceKey", !partial, nd->dev_key, 16, &nd->has_dev_key, err);
	if (!r)
		r = kj_array(e, c, "elements", true, 255, &els, &n, err);
	if (!r && n == 0) {
		snprintf(f, sizeof(f), "%s.elements", c);
		r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, f, "a node has at least one element");
	}
	nd->elements = (uint8_t)n;
	if (!r)
		r = imp_index_list(e, c, "netKeys", true, MP_NODE_MAX_NETKEYS, nd->net_keys,
				   &nd->n_net_keys, err);
	if (!r)
		r = imp_index_list(e, c, "appKeys", false, MP_NODE_MAX_APPKEYS, nd->app_keys,
				   &nd->n_app_keys, err);
	if (!r)
		r = kj_bool(e, c, "configComplete", false, &nd->config_complete, err);
	if (!r)
		r = kj_bool(e, c, "excluded", false, &nd->excluded, err);
	if (!r)
		r = kj_name(e, c, "name", false, nd->name, MP_KR_NAME_MAX, err);
	if (!r)
		r = imp_node_ext(e, c, nd, err);
	return r;
}

/* kj_nodes() decoder; @arg points to "partial" */
static int imp_node_cb(json_object *e, const char *c, struct mp_node *nd, void *arg,
		       struct mp_keyring_error *err)
{
	return imp_node(e, c, *(const bool *)arg, nd, err);
}

static int imp_header(json_object *root, struct kr_data *d, bool *partial, bool *have_iv,
		      struct mp_keyring_error *err)
{
	json_object *v;
	const char *s;
	int64_t iv = 0, when;
	size_t n;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, NULL,
			       "not a Mesh Configuration Database (the top level is not an "
			       "object)");
	if (json_object_object_get_ex(root, "meshprov-keyring", &v))
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, NULL,
			       "this is a meshprov keyring, not a CDB export");
	/* A mesh-cfgclient configuration file has no $schema/version. */
	r = kj_str(root, "", "version", 32, false, &s, err);
	if (!r && s && strncmp(s, "1.", 2))
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, "version",
			       "CDB version \"%s\" is not supported (1.x is)", s);
	if (!r)
		r = kj_str(root, "", "$schema", 256, false, &s, err);
	if (!r)
		r = kj_uuid(root, "", "meshUUID", true, d->net_uuid, err);
	if (!r)
		r = kj_name(root, "", "meshName", false, d->net_name, MP_KR_NAME_MAX, err);
	if (!r && !d->net_name[0])
		snprintf(d->net_name, sizeof(d->net_name), "mesh");
	if (!r)
		r = kj_bool(root, "", "partial", false, partial, err);
	*have_iv = json_object_object_get_ex(root, "ivIndex", &v);
	if (!r)
		r = kj_int(root, "", "ivIndex", 0, UINT32_MAX, false, &iv, err);
	d->iv_index = (uint32_t)iv;
	if (!r)
		r = kj_bool(root, "", "ivUpdate", false, &d->iv_update, err);
	if (!r)
		r = time_field(root, "", "timestamp", &when, err);
	/* Checked, not kept: no more than there are group addresses
	 * (C000-FEFF, MshPRT v1.1 3.4.2.4) and scene numbers (0001-FFFF). */
	if (!r)
		r = kj_array(root, "", "groups", false, 0xff00 - 0xc000, &v, &n, err);
	if (!r)
		r = kj_array(root, "", "scenes", false, 0xffff, &v, &n, err);
	return r;
}

/* The largest run of addresses in [lo, hi] that no bit of @map covers. */
static bool largest_gap(const uint8_t *map, uint32_t lo, uint32_t hi, struct mp_kr_range *out)
{
	uint32_t a, start = 0, best = 0, run = 0;

	for (a = lo; a <= hi; a++) {
		if (map[a / 8] & (1u << (a % 8))) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			start = a;
		if (run > best) {
			best = run;
			out->low = (uint16_t)start;
			out->high = (uint16_t)a;
		}
	}
	return best > 0;
}

static void mark(uint8_t *map, uint32_t lo, uint32_t hi)
{
	uint32_t a;

	for (a = lo; a <= hi && a <= 0xffff; a++)
		map[a / 8] |= (uint8_t)(1u << (a % 8));
}

/* Join the network as a new provisioner, with ranges nobody else holds. */
static int add_self_provisioner(struct kr_data *d, const struct mp_provisioner *me,
				struct mp_keyring_error *err)
{
	uint8_t map[0x10000 / 8];
	struct mp_provisioner *p;
	size_t i;
	unsigned k;

	memset(map, 0, sizeof(map));
	kr_used_map(d, map);
	for (i = 0; i < d->n_provs; i++)
		for (k = 0; k < d->provs[i].n_unicast; k++)
			mark(map, d->provs[i].unicast[k].low, d->provs[i].unicast[k].high);
	p = kr_prov_add(d);
	if (!p)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	snprintf(p->name, sizeof(p->name), "%s", me->name);
	memcpy(p->uuid, me->uuid, 16);
	if (!largest_gap(map, MP_UNICAST_MIN, MP_UNICAST_MAX, &p->unicast[0]))
		return kr_fail(err, -ENOSPC, MP_KR_E_FULL, "provisioners",
			       "no unicast address is left outside the other provisioners' "
			       "ranges for this provisioner");
	p->n_unicast = 1;
	memset(map, 0, sizeof(map));
	for (i = 0; i + 1 < d->n_provs; i++)
		for (k = 0; k < d->provs[i].n_group; k++)
			mark(map, d->provs[i].group[k].low, d->provs[i].group[k].high);
	p->n_group = largest_gap(map, 0xc000, 0xfeff, &p->group[0]);
	memset(map, 0, sizeof(map));
	for (i = 0; i + 1 < d->n_provs; i++)
		for (k = 0; k < d->provs[i].n_scene; k++)
			mark(map, d->provs[i].scene[k].low, d->provs[i].scene[k].high);
	p->n_scene = largest_gap(map, 0x0001, 0xffff, &p->scene[0]);
	d->self = d->n_provs - 1;
	return 0;
}

/* Pick this keyring's provisioner and its node (see mp_cdb_import()). */
static int choose_self(struct mp_keyring *kr, struct kr_data *d,
		       const struct mp_cdb_import_opts *opts, struct mp_keyring_error *err)
{
	const struct mp_provisioner *me = &kr->d->provs[kr->d->self];
	struct mp_node *n;
	size_t i;
	ssize_t ni;
	uint16_t addr;
	int r;

	for (i = 0; i < d->n_provs; i++)
		if (!memcmp(d->provs[i].uuid, me->uuid, 16))
			break;
	if (i == d->n_provs && opts && (opts->flags & MP_CDB_ADOPT)) {
		for (i = 0; opts->adopt_uuid && i < d->n_provs; i++)
			if (!memcmp(d->provs[i].uuid, opts->adopt_uuid, 16))
				break;
		if (!opts->adopt_uuid)
			i = 0;
		if (i == d->n_provs)
			return kr_fail(err, -ENOENT, MP_KR_E_NO_SUCH, "provisioners",
				       "no provisioner has the UUID to adopt");
	}
	if (i < d->n_provs) {
		d->self = i;
	} else {
		r = add_self_provisioner(d, me, err);
		if (r)
			return r;
	}
	kr_self_first(d);
	ni = kr_node_index_uuid(d, d->provs[0].uuid);
	if (ni >= 0) {
		d->nodes[ni].is_self = true;
		d->nodes[ni].state = MP_NODE_COMPLETE;
		return 0;
	}
	if (kr_find_block(d, &d->provs[0], 1, &addr))
		return kr_fail(err, -ENOSPC, MP_KR_E_FULL, "provisioners",
			       "no free address for this provisioner's own node in its range");
	n = kr_node_insert(d, addr);
	if (!n)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	memcpy(n->uuid, d->provs[0].uuid, 16);
	n->elements = 1;
	n->has_dev_key = true;
	if (mp_rng_bytes(kr->rng, n->dev_key, 16))
		return kr_fail(err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	n->is_self = true;
	n->config_complete = true;
	n->state = MP_NODE_COMPLETE;
	n->n_net_keys = 1;
	n->net_keys[0] = d->netkeys[0].index;
	n->provisioned_at = kr_now(kr);
	return 0;
}

static int import_doc(struct mp_keyring *kr, json_object *root,
		      const struct mp_cdb_import_opts *opts, struct kr_data **out)
{
	struct mp_keyring_error *err = &kr->err;
	struct kr_data *d = kr_data_new();
	bool partial = false, have_iv = false;
	size_t i;
	int r;

	*out = NULL;
	if (!d)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = imp_header(root, d, &partial, &have_iv, err);
	if (!r)
		r = kj_netkeys(root, d, false, time_field, err);
	if (!r)
		r = kj_appkeys(root, d, err);
	if (!r)
		r = imp_provisioners(root, d, err);
	if (!r)
		r = kj_nodes(root, d, imp_node_cb, &partial, err);
	if (!r)
		r = kr_decode_exclusions(root, "networkExclusions", d, err);
	/* The CDB has no IV index (nRF Mesh exports none): the network's is at
	 * least the latest one an address was excluded at. */
	for (i = 0; !r && !have_iv && i < d->n_excl; i++)
		if (d->excl[i].iv_index > d->iv_index)
			d->iv_index = d->excl[i].iv_index;
	if (!r) {
		kr_excl_normalize(d);
		kr_default_names(d);
		r = kr_check(d, true, err);
	}
	if (!r) {
		kr_sort_all(d);
		r = choose_self(kr, d, opts, err);
	}
	if (r) {
		kr_data_free(d);
		return r;
	}
	*out = d;
	return 0;
}

int mp_cdb_import(struct mp_keyring *kr, const char *json, size_t len,
		  const struct mp_cdb_import_opts *opts)
{
	struct kr_data *d, *old;
	json_object *root;
	char detail[sizeof(kr->err.msg)];
	size_t others;
	int r;

	if (!kr || (!json && len))
		return -EINVAL;
	kr_err_clear(&kr->err);
	others = kr->d->n_nodes - (mp_keyring_self_address(kr) ? 1 : 0);
	if (others && !(opts && (opts->flags & MP_CDB_REPLACE)))
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "the keyring already holds %zu node%s: importing would replace "
			       "them (ask for replacement explicitly)", others,
			       others == 1 ? "" : "s");
	r = kj_parse(json ? json : "", len, &root, &kr->err);
	if (!r) {
		r = import_doc(kr, root, opts, &d);
		kj_put_wiped(root);
	}
	if (r) {
		if (r == -EBADMSG) {
			snprintf(detail, sizeof(detail), "%s", kr->err.msg);
			kr_msgf(kr->err.msg, sizeof(kr->err.msg),
				 "CDB import: %s; nothing was changed", detail);
		}
		return r;
	}
	if (opts && opts->backup_path && opts->backup_cap)
		opts->backup_path[0] = '\0';
	if (kr->path && (!kr->created || others)) {
		/* What is replaced stays recoverable, under its own seal. */
		r = kr_keep_copy(kr, "replaced", opts ? opts->backup_path : NULL,
				 opts ? opts->backup_cap : 0);
		if (r) {
			kr_data_free(d);
			return r;
		}
	}
	/* A CDB has no SEQ and no IV Update clock. This provisioner's numbers
	 * stay reserved across an import (a replaced network may keep its
	 * address): never less, only wasted. */
	d->seq_next = kr->d->seq_next;
	d->iv_changed = d->iv_index == kr->d->iv_index && d->iv_update == kr->d->iv_update
				? kr->d->iv_changed : kr_now(kr);
	old = kr->d;
	kr->d = d;
	r = kr_changed(kr);
	if (r) {
		kr->d = old;
		kr_data_free(d);
		return r;
	}
	kr_data_free(old);
	return 0;
}
