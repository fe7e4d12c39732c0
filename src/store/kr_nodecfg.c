/* The records of node configuration and groups, for both files (part of
 * the shared record codec of kr_records.c; see include/store/node_config.h).
 *
 * One shape, the CDB's (MshCDB 1.0.1 2.1.4 and 2.1.5): in a CDB the fields
 * are the node's own ("cid", "features", "elements", "defaultTTL", ...); in
 * the keyring file the same fields sit in the node's "config" object, whose
 * "elements" is the CDB's array (the file's node keeps its element count in
 * its own "elements"). Where the files differ: the "updated" flags of a
 * node's keys are in the CDB's key lists and in the file's
 * "netKeysUpdated"/"appKeysUpdated"; the progress of a configuration run
 * ("steps") is the file's only.
 *
 * What other writers do, and is read here:
 *   - model IDs of 4 hex digits (SIG) or 8 (vendor: company, then model),
 *     in either case (mesh-cfgclient writes lower case, nRF Mesh upper);
 *   - a publication "period" as the CDB 1.0.1 object {numberOfSteps,
 *     resolution} or as milliseconds (CDB 1.0, older nRF Mesh exports); a
 *     resolution of 10 is mesh-cfgclient's spelling of the 10 s step;
 *   - "features" with only some of its four members (mesh-cfgclient writes
 *     the unsupported ones), elements without "models", "name" or "index";
 *   - nodes without any of it: a node with placeholder elements only
 *     records nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mesh_keys.h"
#include "kr_int.h"

static int bad(struct mp_keyring_error *err, enum mp_kr_errkind kind, const char *ctx,
	       const char *key, const char *what)
{
	char field[192];

	kr_msgf(field, sizeof(field), "%s%s%s", ctx, *ctx && *key ? "." : "", key);
	return kr_fail(err, -EBADMSG, kind, field, "%s", what);
}

/* A 4-hex-digit value ("cid", "location"); *@present when there. */
static int dec_hex16(json_object *o, const char *ctx, const char *key, uint16_t *out,
		     bool *present, struct mp_keyring_error *err)
{
	uint8_t b[2];
	const char *s;
	int r = kj_str(o, ctx, key, 8, false, &s, err);

	if (present)
		*present = false;
	if (r || !s)
		return r;
	if (!mp_hex_decode_exact(s, strlen(s), b, 2))
		return bad(err, MP_KR_E_VALUE, ctx, key, "expected 4 hexadecimal digits");
	*out = (uint16_t)(b[0] << 8 | b[1]);
	if (present)
		*present = true;
	return 0;
}

/* An address of 4 hex digits, or a virtual label of 32 (MshCDB: "address",
 * "subscribe", "parentAddress"). @group_only: a group address or a label. */
static int dec_addr_value(json_object *v, const char *field, bool group_only,
			  struct mp_nc_addr *a, struct mp_keyring_error *err)
{
	const char *s;
	size_t n;
	uint8_t b[2];

	memset(a, 0, sizeof(*a));
	if (!json_object_is_type(v, json_type_string))
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, field, "expected a string");
	s = json_object_get_string(v);
	n = strlen(s);
	if (n == 32 && mp_hex_decode_exact(s, n, a->label, 16)) {
		a->virt = true;
		if (mp_virtual_address(a->label, &a->addr))
			return kr_fail(err, -EIO, MP_KR_E_CRYPTO, field, "AES-CMAC failed");
		return 0;
	}
	if (n != 4 || !mp_hex_decode_exact(s, n, b, 2))
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "expected an address of 4 hexadecimal digits or a virtual "
			       "label of 32");
	a->addr = (uint16_t)(b[0] << 8 | b[1]);
	if (group_only && a->addr < 0xc000)
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, field,
			       "%04X is not a group address (C000-FFFF) or a virtual label",
			       a->addr);
	return 0;
}

static void add_nc_addr(json_object *o, const char *key, const struct mp_nc_addr *a)
{
	if (a->virt)
		kj_add_hex(o, key, a->label, 16, true);
	else
		kj_add_addr(o, key, a->addr);
}

static json_object *nc_addr_json(const struct mp_nc_addr *a)
{
	char s[33];

	if (a->virt)
		mp_hex_encode_upper(a->label, 16, s);
	else
		snprintf(s, sizeof(s), "%04X", a->addr);
	return json_object_new_string(s);
}

bool kr_nc_same_addr(const struct mp_nc_addr *a, const struct mp_nc_addr *b)
{
	return a->virt == b->virt && (a->virt ? !memcmp(a->label, b->label, 16)
					     : a->addr == b->addr);
}

/* ---- Decoding ---------------------------------------------------------------------- */

/* {count, interval} of "networkTransmit"/"relayRetransmit"/"retransmit". */
static int dec_transmit(json_object *o, const char *ctx, const char *key, int64_t cmin,
			int64_t cmax, int64_t imin, int64_t imax, bool *has, uint8_t *count,
			uint16_t *interval, struct mp_keyring_error *err)
{
	json_object *t;
	char c[192];
	int64_t v;
	int r = kj_get(o, ctx, key, json_type_object, false, &t, err);

	if (has)
		*has = false;
	if (r || !t)
		return r;
	kr_msgf(c, sizeof(c), "%s%s%s", ctx, *ctx ? "." : "", key);
	if (!(r = kj_int(t, c, "count", cmin, cmax, true, &v, err)))
		*count = (uint8_t)v;
	if (!r && !(r = kj_int(t, c, "interval", imin, imax, true, &v, err)))
		*interval = (uint16_t)v;
	if (!r && has)
		*has = true;
	return r;
}

static int dec_period(json_object *p, const char *c, struct mp_nc_pub *pub,
		      struct mp_keyring_error *err)
{
	json_object *v;
	char fld[192];
	int64_t x;
	int r;

	pub->period_steps = 0;
	pub->period_res_ms = 100;
	if (!json_object_object_get_ex(p, "period", &v))
		return 0;
	kr_msgf(fld, sizeof(fld), "%s.period", c);
	if (json_object_is_type(v, json_type_int)) {
		/* CDB 1.0: milliseconds; the coarsest resolution that is exact */
		static const uint32_t res[] = { 600000, 10000, 1000, 100 };
		unsigned i;

		x = json_object_get_int64(v);
		for (i = 0; x > 0 && i < 4; i++)
			if (x % res[i] == 0 && x / res[i] <= 63) {
				pub->period_steps = (uint8_t)(x / res[i]);
				pub->period_res_ms = res[i];
				return 0;
			}
		if (x == 0)
			return 0;
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
			       "%lld ms is no publish period (steps 0..63 of 100 ms, 1 s, 10 s "
			       "or 10 min)", (long long)x);
	}
	r = kj_get(p, c, "period", json_type_object, true, &v, err);
	if (!r && !(r = kj_int(v, fld, "numberOfSteps", 0, 63, true, &x, err)))
		pub->period_steps = (uint8_t)x;
	if (!r && !(r = kj_int(v, fld, "resolution", 10, 600000, true, &x, err))) {
		if (x == 10)
			x = 10000;	/* mesh-cfgclient's spelling of the 10 s step */
		if (x != 100 && x != 1000 && x != 10000 && x != 600000)
			return bad(err, MP_KR_E_VALUE, fld, "resolution",
				   "expected 100, 1000, 10000 or 600000 (ms)");
		pub->period_res_ms = (uint32_t)x;
	}
	return r;
}

static int dec_publish(json_object *m, const char *c, struct mp_nc_model *md,
		       struct mp_keyring_error *err)
{
	json_object *p, *v;
	struct mp_nc_pub *pub = &md->pub;
	char ctx[192];
	int64_t x;
	int r = kj_get(m, c, "publish", json_type_object, false, &p, err);

	if (r || !p)
		return r;
	kr_msgf(ctx, sizeof(ctx), "%s.publish", c);
	memset(pub, 0, sizeof(*pub));
	r = kj_get(p, ctx, "address", json_type_string, true, &v, err);
	if (!r) {
		char fld[224];

		kr_msgf(fld, sizeof(fld), "%s.address", ctx);
		r = dec_addr_value(v, fld, false, &pub->addr, err);
	}
	if (!r && !(r = kj_int(p, ctx, "index", 0, MP_KEY_INDEX_MAX, true, &x, err)))
		pub->app_index = (uint16_t)x;
	if (!r && !(r = kj_int(p, ctx, "ttl", 0, 255, true, &x, err))) {
		if (x > 127 && x != MP_NC_TTL_DEFAULT)
			return bad(err, MP_KR_E_VALUE, ctx, "ttl", "expected 0..127 or 255");
		pub->ttl = (uint8_t)x;
	}
	if (!r)
		r = dec_period(p, ctx, pub, err);
	if (!r && !(r = kj_int(p, ctx, "credentials", 0, 1, false, &x, err)))
		pub->credentials = x == 1;
	pub->rtx_interval_ms = 50;
	if (!r)
		r = dec_transmit(p, ctx, "retransmit", 0, 7, 50, 1600, NULL, &pub->rtx_count,
				 &pub->rtx_interval_ms, err);
	if (!r)
		md->has_pub = true;
	return r;
}

static int dec_model(json_object *m, const char *c, struct mp_nc_model *md,
		     struct mp_keyring_error *err)
{
	json_object *arr;
	const char *s;
	char fld[224];
	uint8_t b[4];
	size_t i, j, n;
	int r = kj_str(m, c, "modelId", 8, true, &s, err);

	if (r)
		return r;
	if (strlen(s) == 4 && mp_hex_decode_exact(s, 4, b, 2)) {
		md->company = MP_NC_SIG;
		md->id = (uint16_t)(b[0] << 8 | b[1]);
	} else if (strlen(s) == 8 && mp_hex_decode_exact(s, 8, b, 4)) {
		md->company = (uint16_t)(b[0] << 8 | b[1]);
		md->id = (uint16_t)(b[2] << 8 | b[3]);
	} else {
		return bad(err, MP_KR_E_VALUE, c, "modelId",
			   "expected 4 hexadecimal digits (a SIG model) or 8 (a vendor "
			   "model: company, then model)");
	}
	r = kj_array(m, c, "bind", false, MP_KEY_INDEX_MAX + 1, &arr, &n, err);
	if (!r && n && !(md->bind = calloc(n, sizeof(*md->bind))))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		kr_msgf(fld, sizeof(fld), "%s.bind[%zu]", c, i);
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > MP_KEY_INDEX_MAX)
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
				       "expected an AppKey index (0..4095)");
		md->bind[i] = (uint16_t)json_object_get_int64(v);
		for (j = 0; j < i; j++)
			if (md->bind[j] == md->bind[i])
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, fld,
					       "AppKey %u bound twice", md->bind[i]);
		md->n_bind = (uint16_t)(i + 1);
	}
	if (!r)
		r = kj_array(m, c, "subscribe", false, MP_NC_MAX_SUBS, &arr, &n, err);
	if (!r && n && !(md->sub = calloc(n, sizeof(*md->sub))))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		kr_msgf(fld, sizeof(fld), "%s.subscribe[%zu]", c, i);
		r = dec_addr_value(json_object_array_get_idx(arr, i), fld, false, &md->sub[i],
				   err);
		for (j = 0; !r && j < i; j++)
			if (kr_nc_same_addr(&md->sub[j], &md->sub[i]))
				return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, fld,
					       "subscribed twice");
		if (!r)
			md->n_sub = (uint16_t)(i + 1);
	}
	if (!r)
		r = dec_publish(m, c, md, err);
	return r;
}

static int dec_element(json_object *e, const char *c, size_t idx, struct mp_nc_element *el,
		       bool *something, struct mp_keyring_error *err)
{
	json_object *arr, *m;
	char mc[192];
	size_t i, j, n;
	int64_t v;
	int r;

	if (json_object_object_get_ex(e, "index", &m)) {
		r = kj_int(e, c, "index", 0, 254, true, &v, err);
		if (r)
			return r;
		if ((size_t)v != idx)
			return bad(err, MP_KR_E_VALUE, c, "index",
				   "elements are listed in index order from 0");
	}
	r = dec_hex16(e, c, "location", &el->location, NULL, err);
	if (!r)
		r = kj_name(e, c, "name", false, el->name, MP_KR_NAME_MAX, err);
	if (!r)
		r = kj_array(e, c, "models", false, MP_NC_MAX_MODELS, &arr, &n, err);
	if (r)
		return r;
	if (n && !(el->models = calloc(n, sizeof(*el->models))))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		kr_msgf(mc, sizeof(mc), "%s.models[%zu]", c, i);
		el->n_models = (uint16_t)(i + 1);
		r = kj_elem(arr, i, mc, &m, err);
		if (!r)
			r = dec_model(m, mc, &el->models[i], err);
		for (j = 0; !r && j < i; j++)
			if (el->models[j].company == el->models[i].company &&
			    el->models[j].id == el->models[i].id)
				return bad(err, MP_KR_E_DUPLICATE, mc, "modelId",
					   "the element lists this model twice");
	}
	if (el->location || el->name[0] || el->n_models)
		*something = true;
	return r;
}

static int dec_features(json_object *o, const char *ctx, struct mp_node_config *cfg,
			bool *something, struct mp_keyring_error *err)
{
	static const char *const names[] = { "relay", "proxy", "friend", "lowPower" };
	uint8_t *dst[] = { &cfg->relay, &cfg->proxy, &cfg->friend_, &cfg->low_power };
	json_object *f;
	char c[192];
	int64_t v;
	unsigned i;
	int r = kj_get(o, ctx, "features", json_type_object, false, &f, err);

	for (i = 0; i < 4; i++)
		*dst[i] = MP_NC_UNKNOWN;
	if (r || !f)
		return r;
	kr_msgf(c, sizeof(c), "%s%sfeatures", ctx, *ctx ? "." : "");
	for (i = 0; !r && i < 4; i++) {
		if (!json_object_object_get_ex(f, names[i], NULL))
			continue;
		if (!(r = kj_int(f, c, names[i], 0, 2, true, &v, err))) {
			*dst[i] = (uint8_t)v;
			*something = true;
		}
	}
	return r;
}

/* The "updated" flags: of the CDB's key lists, or the file's lists of
 * updated indexes. Only keys the node holds count. */
static int dec_updated(const struct kr_form *f, json_object *o, const char *ctx, bool app,
		       const struct mp_node *nd, struct mp_node_config *cfg, bool *something,
		       struct mp_keyring_error *err)
{
	const char *key = f->cdb ? (app ? "appKeys" : "netKeys")
				 : (app ? "appKeysUpdated" : "netKeysUpdated");
	const uint16_t *held = app ? nd->app_keys : nd->net_keys;
	unsigned n_held = app ? nd->n_app_keys : nd->n_net_keys;
	uint16_t *out = app ? cfg->app_updated : cfg->net_updated;
	uint8_t *n_out = app ? &cfg->n_app_updated : &cfg->n_net_updated;
	json_object *arr, *v;
	char fld[192];
	size_t i, n;
	unsigned k;
	bool up;
	int r = kj_array(o, ctx, key, false, app ? MP_NODE_MAX_APPKEYS : MP_NODE_MAX_NETKEYS, &arr,
			 &n, err);

	for (i = 0; !r && i < n; i++) {
		int64_t x;

		kr_msgf(fld, sizeof(fld), "%s%s%s[%zu]", ctx, *ctx ? "." : "", key, i);
		v = json_object_array_get_idx(arr, i);
		up = true;
		if (f->cdb) {
			/* the index was read with the node's key list */
			x = 0;
			if (json_object_is_type(v, json_type_object)) {
				json_object *ix;

				up = false;
				r = kj_bool(v, fld, "updated", false, &up, err);
				if (json_object_object_get_ex(v, "index", &ix))
					x = json_object_get_int64(ix);
			}
		} else {
			if (!json_object_is_type(v, json_type_int))
				return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
					       "expected a key index");
			x = json_object_get_int64(v);
		}
		if (r || !up)
			continue;
		for (k = 0; k < n_held && held[k] != x; k++)
			;
		if (k == n_held) {
			if (f->cdb)
				continue;
			return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, fld,
				       "the node does not hold key %lld", (long long)x);
		}
		for (k = 0; k < *n_out && out[k] != x; k++)
			;
		if (k == *n_out)
			out[(*n_out)++] = (uint16_t)x;
		*something = true;
	}
	return r;
}

static int dec_steps(json_object *o, const char *ctx, struct mp_node_config *cfg,
		     bool *something, struct mp_keyring_error *err)
{
	json_object *st, *arr;
	char c[192], fld[224];
	size_t i, n;
	int r = kj_get(o, ctx, "steps", json_type_object, false, &st, err);

	if (r || !st)
		return r;
	kr_msgf(c, sizeof(c), "%s.steps", ctx);
	r = kj_name(st, c, "profile", true, cfg->profile, MP_NC_STEP_MAX, err);
	if (!r && !cfg->profile[0])
		r = bad(err, MP_KR_E_VALUE, c, "profile", "empty");
	if (!r)
		r = kj_array(st, c, "done", true, MP_NC_MAX_STEPS, &arr, &n, err);
	if (!r && n && !(cfg->steps = calloc(n, sizeof(*cfg->steps))))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *s = json_object_get_string(v);

		kr_msgf(fld, sizeof(fld), "%s.done[%zu]", c, i);
		if (!json_object_is_type(v, json_type_string) || !kr_name_ok(s, MP_NC_STEP_MAX, false))
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
				       "expected a step name (1 to %d printable bytes)",
				       MP_NC_STEP_MAX);
		memcpy(cfg->steps[i], s, strlen(s) + 1);
		cfg->n_steps = i + 1;
	}
	*something = true;
	return r;
}

int kr_dec_node_config(const struct kr_form *f, json_object *node, const char *ctx,
		       struct mp_node *nd, struct mp_keyring_error *err)
{
	struct mp_node_config *cfg;
	json_object *o = node, *els;
	char c[160], ec[192];
	bool something = false, has_cid = false;
	size_t i, n;
	int r = 0;

	nd->config = NULL;
	kr_msgf(c, sizeof(c), "%s", ctx);
	if (!f->cdb) {
		r = kj_get(node, ctx, "config", json_type_object, false, &o, err);
		if (r || !o)
			return r;
		kr_msgf(c, sizeof(c), "%s.config", ctx);
	}
	cfg = kr_nc_new(0);
	if (!cfg)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	nd->config = cfg;
	r = dec_hex16(o, c, "cid", &cfg->cid, &has_cid, err);
	if (!r)
		r = dec_hex16(o, c, "pid", &cfg->pid, NULL, err);
	if (!r)
		r = dec_hex16(o, c, "vid", &cfg->vid, NULL, err);
	if (!r)
		r = dec_hex16(o, c, "crpl", &cfg->crpl, NULL, err);
	cfg->has_comp = has_cid;
	something = has_cid;
	if (!r)
		r = dec_features(o, c, cfg, &something, err);
	if (!r)
		r = kj_array(o, c, "elements", false, 255, &els, &n, err);
	if (!r && els && n != nd->elements)
		r = bad(err, MP_KR_E_VALUE, c, "elements",
			"lists another number of elements than the node has");
	if (!r && n && !(cfg->elements = calloc(n, sizeof(*cfg->elements))))
		r = kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		json_object *e;

		kr_msgf(ec, sizeof(ec), "%s%selements[%zu]", c, *c ? "." : "", i);
		cfg->n_elements = (uint8_t)(i + 1);
		r = kj_elem(els, i, ec, &e, err);
		if (!r)
			r = dec_element(e, ec, i, &cfg->elements[i], &something, err);
	}
	if (!r && json_object_object_get_ex(o, "defaultTTL", NULL)) {
		int64_t v;

		if (!(r = kj_int(o, c, "defaultTTL", 0, 127, true, &v, err))) {
			cfg->default_ttl = (uint8_t)v;
			cfg->has_default_ttl = something = true;
		}
	}
	if (!r)
		r = dec_transmit(o, c, "networkTransmit", 1, 8, 10, 320, &cfg->has_net_tx,
				 &cfg->net_tx.count, &cfg->net_tx.interval_ms, err);
	if (!r)
		r = dec_transmit(o, c, "relayRetransmit", 1, 8, 10, 320, &cfg->has_relay_rtx,
				 &cfg->relay_rtx.count, &cfg->relay_rtx.interval_ms, err);
	something = something || cfg->has_net_tx || cfg->has_relay_rtx;
	cfg->beacon = MP_NC_UNKNOWN;
	if (!r && json_object_object_get_ex(o, "secureNetworkBeacon", NULL)) {
		bool b = false;

		if (!(r = kj_bool(o, c, "secureNetworkBeacon", true, &b, err))) {
			cfg->beacon = b ? MP_NC_ON : MP_NC_OFF;
			something = true;
		}
	}
	if (!r)
		r = dec_updated(f, o, c, false, nd, cfg, &something, err);
	if (!r)
		r = dec_updated(f, o, c, true, nd, cfg, &something, err);
	if (!r && !f->cdb)
		r = dec_steps(o, c, cfg, &something, err);
	if (r || !something) {
		kr_nc_free(cfg);
		nd->config = NULL;
	}
	return r;
}

/* ---- Encoding ---------------------------------------------------------------------- */

static void add_hex16(json_object *o, const char *key, uint16_t v)
{
	kj_add_addr(o, key, v);		/* four upper-case digits */
}

static json_object *enc_transmit(unsigned count, unsigned interval)
{
	json_object *t = json_object_new_object();

	kj_add_int(t, "count", count);
	kj_add_int(t, "interval", interval);
	return t;
}

static json_object *enc_model(const struct mp_nc_model *m)
{
	json_object *o = json_object_new_object(), *arr;
	char id[12];
	unsigned i;

	if (m->company == MP_NC_SIG)
		snprintf(id, sizeof(id), "%04X", m->id);
	else
		snprintf(id, sizeof(id), "%04X%04X", m->company, m->id);
	kj_add_str(o, "modelId", id);
	arr = json_object_new_array();
	for (i = 0; i < m->n_bind; i++)
		json_object_array_add(arr, json_object_new_int(m->bind[i]));
	json_object_object_add(o, "bind", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->n_sub; i++)
		json_object_array_add(arr, nc_addr_json(&m->sub[i]));
	json_object_object_add(o, "subscribe", arr);
	if (m->has_pub) {
		json_object *p = json_object_new_object(), *per = json_object_new_object();

		add_nc_addr(p, "address", &m->pub.addr);
		kj_add_int(p, "index", m->pub.app_index);
		kj_add_int(p, "ttl", m->pub.ttl);
		kj_add_int(per, "numberOfSteps", m->pub.period_steps);
		kj_add_int(per, "resolution", m->pub.period_res_ms);
		json_object_object_add(p, "period", per);
		kj_add_int(p, "credentials", m->pub.credentials);
		json_object_object_add(p, "retransmit",
				       enc_transmit(m->pub.rtx_count, m->pub.rtx_interval_ms));
		json_object_object_add(o, "publish", p);
	}
	return o;
}

json_object *kr_enc_node_elements(const struct kr_form *f, const struct mp_node *n)
{
	const struct mp_node_config *cfg = n->config;
	json_object *els = json_object_new_array();
	unsigned i, k;

	(void)f;	/* the same in both files */
	for (i = 0; i < n->elements; i++) {
		const struct mp_nc_element *el = cfg && i < cfg->n_elements ? &cfg->elements[i]
									     : NULL;
		json_object *e = json_object_new_object(), *models = json_object_new_array();

		if (el && el->name[0])
			kj_add_str(e, "name", el->name);
		kj_add_int(e, "index", i);
		add_hex16(e, "location", el ? el->location : 0);
		for (k = 0; el && k < el->n_models; k++)
			json_object_array_add(models, enc_model(&el->models[k]));
		json_object_object_add(e, "models", models);
		json_object_array_add(els, e);
	}
	return els;
}

/* The updated keys the node still holds (a key deleted since leaves its
 * flag behind: not written, so the file never names a key it lacks). */
static void enc_updated(json_object *o, const char *key, const uint16_t *l, unsigned n,
			const uint16_t *held, unsigned n_held)
{
	json_object *arr = NULL;
	unsigned i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < n_held && held[k] != l[i]; k++)
			;
		if (k == n_held)
			continue;
		if (!arr)
			arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_int(l[i]));
	}
	if (arr)
		json_object_object_add(o, key, arr);
}

/* The configuration fields of @n into @o: the CDB node itself, or the file
 * node, which gets them in its "config" object. The CDB's key lists carry
 * "updated" themselves (kr_records.c). */
void kr_enc_node_config(const struct kr_form *f, const struct mp_node *n, json_object *o)
{
	static const char *const names[] = { "relay", "proxy", "friend", "lowPower" };
	const struct mp_node_config *c = n->config;
	json_object *dst = o;
	unsigned i;

	if (!c)
		return;
	if (!f->cdb)
		dst = json_object_new_object();
	if (c->has_comp) {
		add_hex16(dst, "cid", c->cid);
		add_hex16(dst, "pid", c->pid);
		add_hex16(dst, "vid", c->vid);
		add_hex16(dst, "crpl", c->crpl);
	}
	{
		const uint8_t v[] = { c->relay, c->proxy, c->friend_, c->low_power };
		json_object *feat = NULL;

		for (i = 0; i < 4; i++) {
			if (v[i] == MP_NC_UNKNOWN)
				continue;
			if (!feat)
				feat = json_object_new_object();
			kj_add_int(feat, names[i], v[i]);
		}
		if (feat)
			json_object_object_add(dst, "features", feat);
	}
	if (c->has_default_ttl)
		kj_add_int(dst, "defaultTTL", c->default_ttl);
	if (c->has_net_tx)
		json_object_object_add(dst, "networkTransmit",
				       enc_transmit(c->net_tx.count, c->net_tx.interval_ms));
	if (c->has_relay_rtx)
		json_object_object_add(dst, "relayRetransmit",
				       enc_transmit(c->relay_rtx.count, c->relay_rtx.interval_ms));
	if (c->beacon != MP_NC_UNKNOWN)
		kj_add_bool(dst, "secureNetworkBeacon", c->beacon == MP_NC_ON);
	if (f->cdb)
		return;
	if (c->n_elements)
		json_object_object_add(dst, "elements", kr_enc_node_elements(f, n));
	enc_updated(dst, "netKeysUpdated", c->net_updated, c->n_net_updated, n->net_keys,
		    n->n_net_keys);
	enc_updated(dst, "appKeysUpdated", c->app_updated, c->n_app_updated, n->app_keys,
		    n->n_app_keys);
	if (c->profile[0]) {
		json_object *st = json_object_new_object(), *arr = json_object_new_array();
		size_t k;

		kj_add_str(st, "profile", c->profile);
		for (k = 0; k < c->n_steps; k++)
			json_object_array_add(arr, json_object_new_string(c->steps[k]));
		json_object_object_add(st, "done", arr);
		json_object_object_add(dst, "steps", st);
	}
	/* nothing written, nothing read back: no "config" */
	if (json_object_object_length(dst))
		json_object_object_add(o, "config", dst);
	else
		json_object_put(dst);
}

/* ---- Groups (MshCDB 1.0.1 2.1.6): the same in both files ------------------------ */

int kr_dec_groups(const struct kr_form *f, json_object *root, struct kr_data *d,
		  struct mp_keyring_error *err)
{
	json_object *arr, *e, *v;
	char c[64], fld[96];
	size_t i, j, n;
	/* no more than there are group addresses (C000-FEFF, MshPRT v1.1 3.4.2.4) */
	int r = kj_array(root, "", "groups", false, 0xff00 - 0xc000, &arr, &n, err);

	(void)f;
	for (i = 0; !r && i < n; i++) {
		struct mp_group *g = kr_append((void **)&d->groups, &d->n_groups, &d->cap_groups,
					       sizeof(*g));

		if (!g)
			return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		kr_msgf(c, sizeof(c), "groups[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_name(e, c, "name", true, g->name, MP_KR_NAME_MAX, err);
		if (!r)
			r = kj_get(e, c, "address", json_type_string, true, &v, err);
		if (!r) {
			kr_msgf(fld, sizeof(fld), "%s.address", c);
			r = dec_addr_value(v, fld, true, &g->addr, err);
		}
		if (!r && json_object_object_get_ex(e, "parentAddress", &v)) {
			kr_msgf(fld, sizeof(fld), "%s.parentAddress", c);
			r = dec_addr_value(v, fld, false, &g->parent, err);
			if (!r && !g->parent.virt && g->parent.addr && g->parent.addr < 0xc000)
				r = kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
					    "expected a group address, a virtual label or 0000");
		}
		for (j = 0; !r && j < i; j++)
			if (kr_nc_same_addr(&d->groups[j].addr, &g->addr)) {
				kr_msgf(fld, sizeof(fld), "%s.address", c);
				r = kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, fld,
					    "same address as groups[%zu]", j);
			}
	}
	return r;
}

json_object *kr_enc_groups(const struct kr_form *f, const struct kr_data *d)
{
	json_object *arr = json_object_new_array();
	size_t i;

	(void)f;
	for (i = 0; i < d->n_groups; i++) {
		json_object *o = json_object_new_object();

		kj_add_str(o, "name", d->groups[i].name);
		add_nc_addr(o, "address", &d->groups[i].addr);
		add_nc_addr(o, "parentAddress", &d->groups[i].parent);
		json_object_array_add(arr, o);
	}
	return arr;
}
