/* The keyring file, format version 2 (json-c).
 *
 *  {
 *    "meshprov-keyring": 2,
 *    "meshUUID": "<32 hex>", "meshName": "...",
 *    "ivIndex": 0, "ivUpdate": false,
 *    "ivChanged": <UNIX seconds, 0: unknown>,	(version 2)
 *    "seqNext": <first SEQ not reserved>,	(version 2)
 *    "self": "<UUID of the provisioner this keyring is>",
 *    "provisioners": [ { "name": "...", "UUID": "...",
 *                        "unicast": [ { "low": "0001", "high": "7FFF" } ],
 *                        "group": [...], "scene": [...] } ],
 *    "netKeys": [ { "index": 0, "name": "", "key": "<32 hex>", "phase": 0,
 *                   "oldKey": "<32 hex, phases 1 and 2>", "timestamp": 0 } ],
 *    "appKeys": [ { "index": 0, "name": "", "boundNetKey": 0, "key": "...",
 *                   "oldKey": "..." } ],
 *    "nodes": [ { "UUID": "...", "unicastAddress": "0002", "elements": 1,
 *                 "deviceKey": "...", "state": "complete", "netKeys": [0],
 *                 "appKeys": [], "algorithm": "...", "oob": "...",
 *                 "provisioned": <UNIX seconds>, "name": "...",
 *                 "configComplete": false, "excluded": false } ],
 *    "exclusions": [ { "ivIndex": 0, "addresses": [ "0005" ] } ],
 *    "groups": [ { "name": "...", "address": "C000", "parentAddress": "0000" } ],
 *    "scenes": [ { "name": "...", "number": "0001", "addresses": [ "0002" ] } ]
 *  }
 *
 * A node may have a "config" object: what is known of its configuration,
 * in the CDB's shape ("cid", "pid", "vid", "crpl", "features", "elements"
 * [ { index, location, name, models [ { modelId, bind, subscribe,
 * publish } ] } ], "defaultTTL", "networkTransmit", "relayRetransmit",
 * "secureNetworkBeacon"), "netKeysUpdated"/"appKeysUpdated" (key indexes)
 * and "steps" { "profile", "done": [ names ] }; see store/node_config.h.
 * "config", "groups" and "scenes" (store/scenes.h) were added within
 * version 2, as its rule allows (older version-2 readers ignore them, and
 * drop them when they save).
 *
 * The records are read and written by kr_records.c, which the CDB shares.
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

static const struct kr_form file_form = { .cdb = false };

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
		r = kr_dec_netkeys(&file_form, root, d, err);
	if (!r)
		r = kr_dec_appkeys(&file_form, root, d, err);
	if (!r)
		r = kr_dec_provisioners(&file_form, root, d, err);
	if (!r)
		r = kr_dec_nodes(&file_form, root, d, err);
	if (!r)
		r = kr_dec_exclusions(&file_form, root, d, err);
	if (!r)
		r = kr_dec_groups(&file_form, root, d, err);
	if (!r)
		r = kr_dec_scenes(&file_form, root, d, err);
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
