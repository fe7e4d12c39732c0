/* Mesh Configuration Database (CDB) JSON export and import; see
 * include/store/cdb.h. Field names and forms follow the Mesh Configuration
 * Database Profile 1.0.1 schema (as written by nRF Mesh), and what BlueZ's
 * mesh-cfgclient reads from its configuration file: nodes by "UUID" in the
 * 8-4-4-4-12 form, "unicastAddress" as 4 hex digits, "netKeys"/"appKeys" of
 * {index, updated}, "elements" of {index, location, models}, key entries
 * with "index"/"phase" and "boundNetKey", a top-level "ivIndex", and
 * "token" for its own bluetooth-meshd node. The records themselves are read
 * and written by kr_records.c, with the keyring file.
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

static const struct kr_form cdb_form = { .cdb = true };

/* ---- Export ----------------------------------------------------------------- */

static json_object *export_doc(struct mp_keyring *kr, const struct kr_data *d,
			       const struct mp_cdb_export_opts *opts)
{
	json_object *root = json_object_new_object();
	bool keys = !opts || opts->with_device_keys, partial = !keys;
	struct kr_form form = { .cdb = true, .partial = !keys };
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

	kr_enc_records(&form, d, root);
	kj_add_int(root, "ivIndex", d->iv_index);
	kj_add_bool(root, "ivUpdate", d->iv_update);
	if (opts && opts->cfgclient_token)
		kj_add_hex(root, "token", opts->cfgclient_token, 8, false);
	/* Who wrote it (merge marks that station merged; a station's copy is
	 * never taken as its exporter), and for which station. */
	if (!opts || !opts->cfgclient_token) {
		json_object *m = json_object_new_object();

		if (opts && opts->station_uuid) {
			mp_uuid_format(opts->station_uuid, buf, true);
			kj_add_str(m, "station", buf);
		}
		mp_uuid_format(d->provs[d->self].uuid, buf, true);
		kj_add_str(m, "exporter", buf);
		json_object_object_add(root, "meshprov", m);
	}
	return root;
}

int mp_cdb_export(struct mp_keyring *kr, const struct mp_cdb_export_opts *opts, char **json,
		  size_t *len)
{
	struct kr_data *d = NULL;
	json_object *root;
	int r;

	if (!kr || !json)
		return -EINVAL;
	kr_err_clear(&kr->err);
	if (opts && opts->station_uuid) {
		r = kr_station_copy(kr->d, opts->station_uuid, opts->station_partial, &d,
				    &kr->err);
		if (r)
			return r;
	}
	root = export_doc(kr, d ? d : kr->d, opts);
	*json = root ? kj_dump(root, len) : NULL;
	kj_put_wiped(root);
	kr_data_free(d);
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

static int imp_header(json_object *root, struct kr_data *d, bool *partial, bool *have_iv,
		      struct mp_keyring_error *err)
{
	json_object *v;
	const char *s;
	int64_t iv = 0, when;
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
		r = kr_dec_time(&cdb_form, root, "", "timestamp", &when, err);
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
		       const struct mp_cdb_import_opts *opts, const uint8_t *st_exporter,
		       bool *fresh_seq, struct mp_keyring_error *err)
{
	const struct mp_provisioner *me = &kr->d->provs[kr->d->self];
	struct mp_node *n;
	size_t i;
	ssize_t ni;
	uint16_t addr;
	int r;

	if (opts && opts->as_station) {
		r = kr_station_adopt(d, opts->as_station, st_exporter, &i, err);
		if (r)
			return r;
		if (memcmp(d->provs[i].uuid, me->uuid, 16))
			*fresh_seq = true;
		goto found;
	}
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
found:
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

/* The top-level "meshprov" object of a station's copy: who exported it. */
static int imp_station(json_object *root, uint8_t exporter[16], bool *have,
		       struct mp_keyring_error *err)
{
	json_object *m;

	*have = false;
	if (!json_object_object_get_ex(root, "meshprov", &m))
		return 0;
	if (!json_object_is_type(m, json_type_object))
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, "meshprov", "not an object");
	if (!json_object_object_get_ex(m, "exporter", NULL))
		return 0;
	*have = true;
	return kj_uuid(m, "meshprov", "exporter", true, exporter, err);
}

int kr_cdb_decode(json_object *root, struct kr_data **out, uint8_t exporter[16],
		  bool *have_exporter, struct mp_keyring_error *err)
{
	struct kr_data *d = kr_data_new();
	struct kr_form form = { .cdb = true };
	bool partial = false, have_iv = false;
	size_t i;
	int r;

	*out = NULL;
	*have_exporter = false;
	if (!d)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = imp_header(root, d, &partial, &have_iv, err);
	if (!r)
		r = imp_station(root, exporter, have_exporter, err);
	form.partial = partial;
	if (!r)
		r = kr_dec_netkeys(&form, root, d, err);
	if (!r)
		r = kr_dec_appkeys(&form, root, d, err);
	if (!r)
		r = kr_dec_provisioners(&form, root, d, err);
	if (!r)
		r = kr_dec_nodes(&form, root, d, err);
	if (!r)
		r = kr_dec_exclusions(&form, root, d, err);
	if (!r)
		r = kr_dec_groups(&form, root, d, err);
	if (!r)
		r = kr_dec_scenes(&form, root, d, err);
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
	if (!r)
		r = kr_ranges_disjoint(d, err);
	if (r) {
		kr_data_free(d);
		return r;
	}
	kr_sort_all(d);
	*out = d;
	return 0;
}

static int import_doc(struct mp_keyring *kr, json_object *root,
		      const struct mp_cdb_import_opts *opts, struct kr_data **out,
		      bool *fresh_seq)
{
	uint8_t exporter[16];
	bool have_exporter = false;
	struct kr_data *d;
	int r = kr_cdb_decode(root, &d, exporter, &have_exporter, &kr->err);

	*out = NULL;
	if (r)
		return r;
	r = choose_self(kr, d, opts, have_exporter ? exporter : NULL, fresh_seq, &kr->err);
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
	bool fresh_seq = false;
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
		r = import_doc(kr, root, opts, &d, &fresh_seq);
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
	 * address): never less, only wasted. A keyring that becomes a station
	 * it was not starts at 0: that station's address has never sent. */
	d->seq_next = fresh_seq ? 0 : kr->d->seq_next;
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
