/* The keyring file, format version 2 (json-c).
 *
 *  {
 *    "meshprov-keyring": 2,
 *    "meshUUID": "<32 hex>", "meshName": "...",
 *    "ivIndex": 0, "ivUpdate": false,
 *    "ivChanged": <UNIX seconds, 0: unknown>,	(version 2)
 *    "seqNext": <first SEQ not reserved>,	(version 2)
 *    "self": "<UUID of the provisioner this keyring is>",
 *    "netKeys": [ { "index": 0, "name": "", "key": "<32 hex>", "phase": 0,
 *                   "oldKey": "<32 hex, phases 1 and 2>", "timestamp": 0 } ],
 *    "appKeys": [ { "index": 0, "name": "", "boundNetKey": 0, "key": "...",
 *                   "oldKey": "..." } ],
 *    "provisioners": [ { "name": "...", "UUID": "...",
 *                        "unicast": [ { "low": "0001", "high": "7FFF" } ],
 *                        "group": [...], "scene": [...] } ],
 *    "nodes": [ { "UUID": "...", "unicastAddress": "0002", "elements": 1,
 *                 "deviceKey": "...", "state": "complete", "netKeys": [0],
 *                 "appKeys": [], "algorithm": "...", "oob": "...",
 *                 "provisioned": <UNIX seconds>, "name": "...",
 *                 "configComplete": false, "excluded": false } ],
 *    "exclusions": [ { "ivIndex": 0, "addresses": [ "0005" ] } ]
 *  }
 *
 * Unknown fields are ignored (later version-2 writers may add some); a
 * version 1 file (without ivChanged and seqNext) is read as version 2 with
 * an unknown IV change time and no SEQ reserved, and saved as version 2; any
 * other version number is refused. Everything is validated before the
 * keyring is used; errors name the field.
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

/* An array field: *arr and its length; an absent optional one is empty. */
static int decode_ranges(json_object *o, const char *ctx, const char *key, struct mp_kr_range *r,
			 uint8_t *n, struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[160];
	size_t i, len;
	int ret = kj_array(o, ctx, key, false, MP_KR_MAX_RANGES, &arr, &len, err);

	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
		ret = kj_elem(arr, i, c, &e, err);
		if (!ret)
			ret = kj_addr(e, c, "low", &r[i].low, err);
		if (!ret)
			ret = kj_addr(e, c, "high", &r[i].high, err);
		if (ret)
			return ret;
	}
	*n = (uint8_t)len;
	return 0;
}

static int decode_key_list(json_object *o, const char *ctx, const char *key, size_t max,
			   uint16_t *list, uint8_t *n, struct mp_keyring_error *err)
{
	json_object *arr, *v;
	char c[160];
	size_t i, j, len;
	int ret = kj_array(o, ctx, key, false, max, &arr, &len, err);

	if (ret)
		return ret;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > MP_KEY_INDEX_MAX) {
			snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, c,
				       "expected a key index (0..4095)");
		}
		list[i] = (uint16_t)json_object_get_int64(v);
		for (j = 0; j < i; j++)
			if (list[j] == list[i]) {
				snprintf(c, sizeof(c), "%s.%s[%zu]", ctx, key, i);
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, c,
					       "key index %u listed twice", list[i]);
			}
	}
	*n = (uint8_t)len;
	return 0;
}

/* The keyring file keeps times as seconds since the epoch. */
static int time_number(json_object *o, const char *ctx, const char *key, int64_t *out,
		       struct mp_keyring_error *err)
{
	return kj_int(o, ctx, key, 0, KR_TIME_MAX, false, out, err);
}

static int decode_provisioners(json_object *root, struct kr_data *d,
			       struct mp_keyring_error *err)
{
	json_object *arr, *e;
	char c[64];
	size_t i, n;
	int r = kj_array(root, "", "provisioners", true, 4096, &arr, &n, err);

	for (i = 0; !r && i < n; i++) {
		struct mp_provisioner *p = kr_prov_add(d);

		if (!p)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		snprintf(c, sizeof(c), "provisioners[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_name(e, c, "name", true, p->name, MP_KR_NAME_MAX, err);
		if (!r)
			r = kj_uuid(e, c, "UUID", true, p->uuid, err);
		if (!r)
			r = decode_ranges(e, c, "unicast", p->unicast, &p->n_unicast, err);
		if (!r)
			r = decode_ranges(e, c, "group", p->group, &p->n_group, err);
		if (!r)
			r = decode_ranges(e, c, "scene", p->scene, &p->n_scene, err);
	}
	return r;
}

static int decode_node(json_object *e, const char *c, struct mp_node *nd, void *arg,
		       struct mp_keyring_error *err)
{
	const char *state;
	int64_t v;
	int r;
	unsigned s;

	r = kj_uuid(e, c, "UUID", true, nd->uuid, err);
	if (!r)
		r = kj_addr(e, c, "unicastAddress", &nd->addr, err);
	if (!r && !(r = kj_int(e, c, "elements", 1, 255, true, &v, err)))
		nd->elements = (uint8_t)v;
	if (!r)
		r = kj_hex(e, c, "deviceKey", false, nd->dev_key, 16, &nd->has_dev_key, err);
	if (!r)
		r = kj_str(e, c, "state", 16, true, &state, err);
	if (r)
		return r;
	for (s = 0; s <= MP_NODE_COMPLETE; s++)
		if (!strcmp(state, state_names[s]))
			break;
	if (s > MP_NODE_COMPLETE) {
		char f[160];

		snprintf(f, sizeof(f), "%s.state", c);
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, f,
			       "expected \"pending\", \"unconfirmed\" or \"complete\"");
	}
	nd->state = (enum mp_node_state)s;
	r = decode_key_list(e, c, "netKeys", MP_NODE_MAX_NETKEYS, nd->net_keys, &nd->n_net_keys,
			    err);
	if (!r)
		r = decode_key_list(e, c, "appKeys", MP_NODE_MAX_APPKEYS, nd->app_keys,
				    &nd->n_app_keys, err);
	if (!r)
		r = kj_name(e, c, "algorithm", false, nd->algorithm, MP_KR_TAG_MAX, err);
	if (!r)
		r = kj_name(e, c, "oob", false, nd->oob, MP_KR_TAG_MAX, err);
	if (!r && !(r = kj_int(e, c, "provisioned", 0, KR_TIME_MAX, false, &v, err)))
		nd->provisioned_at = v;
	if (!r)
		r = kj_name(e, c, "name", false, nd->name, MP_KR_NAME_MAX, err);
	if (!r)
		r = kj_bool(e, c, "configComplete", false, &nd->config_complete, err);
	if (!r)
		r = kj_bool(e, c, "excluded", false, &nd->excluded, err);
	return r;
}

/* Exclusion lists, in both formats: [ { "ivIndex": N, "addresses": [..] } ]. */
int kr_decode_exclusions(json_object *root, const char *key, struct kr_data *d,
			 struct mp_keyring_error *err)
{
	json_object *arr, *e, *addrs;
	char c[96], f[128];
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

			snprintf(f, sizeof(f), "%s.addresses[%zu]", c, j);
			x = kr_append((void **)&d->excl, &d->n_excl, &d->cap_excl, sizeof(*x));
			if (!x)
				return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
			r = kj_addr_value(json_object_array_get_idx(addrs, j), f, &x->addr, err);
			x->iv_index = (uint32_t)iv;
		}
	}
	return r;
}

static int check_version(json_object *root, int *version, struct mp_keyring_error *err)
{
	json_object *v;

	if (!json_object_is_type(root, json_type_object))
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, NULL,
			       "not a meshprov keyring (the top level is not a JSON object)");
	if (!json_object_object_get_ex(root, "meshprov-keyring", &v)) {
		if (json_object_object_get_ex(root, "$schema", &v) ||
		    json_object_object_get_ex(root, "partial", &v) ||
		    json_object_object_get_ex(root, "token", &v))
			return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, NULL,
				       "this is a Mesh Configuration Database (CDB) file, not a "
				       "meshprov keyring; import it instead");
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, "meshprov-keyring",
			       "missing: this is not a meshprov keyring");
	}
	if (!json_object_is_type(v, json_type_int))
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, "meshprov-keyring",
			       "the format version is not an integer");
	if (json_object_get_int64(v) < MP_KEYRING_FORMAT_OLDEST ||
	    json_object_get_int64(v) > MP_KEYRING_FORMAT_VERSION)
		return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, "meshprov-keyring",
			       "format version %s is unknown to this meshprov, which reads "
			       "versions %d to %d (was it written by a newer meshprov?)",
			       json_object_get_string(v), MP_KEYRING_FORMAT_OLDEST,
			       MP_KEYRING_FORMAT_VERSION);
	*version = (int)json_object_get_int64(v);
	return 0;
}

/* Mark this provisioner and its node; both must exist. */
int kr_resolve_self(struct kr_data *d, const uint8_t uuid[16], const char *field,
		    struct mp_keyring_error *err)
{
	size_t i;
	ssize_t n;

	for (i = 0; i < d->n_provs; i++)
		if (!memcmp(d->provs[i].uuid, uuid, 16))
			break;
	if (i == d->n_provs)
		return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, field,
			       "names no provisioner in provisioners");
	d->self = i;
	kr_self_first(d);
	n = kr_node_index_uuid(d, uuid);
	if (n < 0)
		return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, "nodes",
			       "no node for this provisioner (UUID of \"%s\")", field);
	d->nodes[n].is_self = true;
	d->nodes[n].state = MP_NODE_COMPLETE;
	return 0;
}

static int decode_plain(json_object *root, struct kr_data **out, struct mp_keyring_error *err)
{
	struct kr_data *d;
	uint8_t self[16];
	int64_t v = 0;
	int r, version = 0;

	*out = NULL;
	r = check_version(root, &version, err);
	if (r)
		return r;
	d = kr_data_new();
	if (!d)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = kj_uuid(root, "", "meshUUID", true, d->net_uuid, err);
	if (!r)
		r = kj_name(root, "", "meshName", true, d->net_name, MP_KR_NAME_MAX, err);
	if (!r && !(r = kj_int(root, "", "ivIndex", 0, UINT32_MAX, true, &v, err)))
		d->iv_index = (uint32_t)v;
	if (!r)
		r = kj_bool(root, "", "ivUpdate", false, &d->iv_update, err);
	/* Version 2 added the IV Update clock and the SEQ reservation; a
	 * version 1 file has neither (unknown time, nothing reserved) and is
	 * saved as version 2. */
	if (!r && !(r = kj_int(root, "", "ivChanged", 0, KR_TIME_MAX, version >= 2, &v, err)))
		d->iv_changed = v;
	if (!r && !(r = kj_int(root, "", "seqNext", 0, MP_SEQ_MAX + 1LL, version >= 2, &v, err)))
		d->seq_next = (uint32_t)v;
	if (!r)
		r = kj_uuid(root, "", "self", true, self, err);
	if (!r)
		r = kj_netkeys(root, d, true, time_number, err);
	if (!r)
		r = kj_appkeys(root, d, err);
	if (!r)
		r = decode_provisioners(root, d, err);
	if (!r)
		r = kj_nodes(root, d, decode_node, NULL, err);
	if (!r)
		r = kr_decode_exclusions(root, "exclusions", d, err);
	if (!r) {
		kr_excl_normalize(d);
		kr_default_names(d);
		r = kr_check(d, false, err);
	}
	if (!r)
		r = kr_resolve_self(d, self, "self", err);
	if (r) {
		kr_data_free(d);
		return r;
	}
	kr_sort_all(d);
	*out = d;
	return 0;
}

int kr_decode(const char *data, size_t len, const uint8_t *pass, size_t passlen,
	      struct kr_data **out, struct kr_seal *seal, struct mp_keyring_error *err)
{
	json_object *root;
	char *plain = NULL;
	size_t plain_len = 0;
	int r;

	*out = NULL;
	r = kj_parse(data, len, &root, err);
	if (r)
		return r;
	if (kr_is_envelope(root)) {
		r = kr_seal_open(root, pass, passlen, seal, &plain, &plain_len, err);
		kj_put_wiped(root);
		if (r)
			return r;
		r = kj_parse(plain, plain_len, &root, err);
		mp_wipe(plain, plain_len);
		free(plain);
		if (r) {
			/* Authenticated but not JSON: written so by a broken writer. */
			return r;
		}
		if (kr_is_envelope(root)) {
			kj_put_wiped(root);
			return kr_fail(err, -EBADMSG, MP_KR_E_VERSION, NULL,
				       "an encrypted keyring inside an encrypted keyring");
		}
	} else if (seal) {
		seal->on = false;
	}
	r = decode_plain(root, out, err);
	kj_put_wiped(root);
	return r;
}

/* ---- Encoding (the native writer is in kr_write.c) ---- */

/* Exclusions grouped by IV index, both formats. */
json_object *kr_encode_exclusions(const struct kr_data *d)
{
	json_object *arr = json_object_new_array();
	bool *done = calloc(d->n_excl + 1, sizeof(bool));
	size_t i, j;

	for (i = 0; done && i < d->n_excl; i++) {
		json_object *o, *addrs;
		char a[8];

		if (done[i] || !kr_excl_active(d, &d->excl[i]))
			continue;
		o = json_object_new_object();
		addrs = json_object_new_array();
		kj_add_int(o, "ivIndex", d->excl[i].iv_index);
		for (j = i; j < d->n_excl; j++) {
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
