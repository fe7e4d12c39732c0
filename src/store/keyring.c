/* The keyring: open/create, save, and every change, each saved before the
 * call returns (see include/store/keyring.h for the policy). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "kr_int.h"

#define DEFAULT_GROUP_LOW 0xc000
#define DEFAULT_GROUP_HIGH 0xcfff
#define DEFAULT_SCENE_LOW 0x0001
#define DEFAULT_SCENE_HIGH 0x0fff

static struct mp_keyring *kr_alloc(const struct mp_keyring_opts *opts)
{
	struct mp_keyring *kr = calloc(1, sizeof(*kr));

	if (!kr)
		return NULL;
	kr->dirfd = -1;
	kr->lockfd = -1;
	kr->max_unconf = MP_KEYRING_DEFAULT_UNCONFIRMED_MAX;
	if (opts) {
		kr->rdonly = (opts->flags & MP_KEYRING_RDONLY) != 0;
		kr->rng = opts->rng;
		kr->now = opts->now;
		kr->now_ctx = opts->now_ctx;
	}
	return kr;
}

static void kr_free(struct mp_keyring *kr)
{
	kr_file_close(kr);
	kr_data_free(kr->d);
	free(kr->path);
	free(kr->dir);
	free(kr->base);
	free(kr->unconf_uuids);
	mp_wipe(kr, sizeof(*kr));
	free(kr);
}

struct kr_data *kr_data_clone(const struct kr_data *d)
{
	struct kr_data *c = kr_data_new();
	bool ok = true;
	size_t i;

	if (!c)
		return NULL;
	*c = *d;
	c->n_nodes = 0;		/* until their configurations are copied */
	c->groups = NULL;
	c->scenes = NULL;
	c->n_scenes = c->cap_scenes = 0;
	c->netkeys = calloc(d->cap_netkeys + 1, sizeof(*d->netkeys));
	c->appkeys = calloc(d->cap_appkeys + 1, sizeof(*d->appkeys));
	c->provs = calloc(d->cap_provs + 1, sizeof(*d->provs));
	c->nodes = calloc(d->cap_nodes + 1, sizeof(*d->nodes));
	c->excl = calloc(d->cap_excl + 1, sizeof(*d->excl));
	if (!c->netkeys || !c->appkeys || !c->provs || !c->nodes || !c->excl) {
		kr_data_free(c);
		return NULL;
	}
	/* memcpy() wants valid pointers even for 0 bytes; empty arrays are NULL */
	if (d->n_netkeys)
		memcpy(c->netkeys, d->netkeys, d->n_netkeys * sizeof(*d->netkeys));
	if (d->n_appkeys)
		memcpy(c->appkeys, d->appkeys, d->n_appkeys * sizeof(*d->appkeys));
	if (d->n_provs)
		memcpy(c->provs, d->provs, d->n_provs * sizeof(*d->provs));
	if (d->n_nodes)
		memcpy(c->nodes, d->nodes, d->n_nodes * sizeof(*d->nodes));
	if (d->n_excl)
		memcpy(c->excl, d->excl, d->n_excl * sizeof(*d->excl));
	for (i = 0; i < d->n_nodes; i++)
		c->nodes[i].config = kr_nc_clone(d->nodes[i].config, &ok);
	c->n_nodes = d->n_nodes;
	c->groups = calloc(d->cap_groups + 1, sizeof(*d->groups));
	if (!ok || !c->groups) {
		kr_data_free(c);
		return NULL;
	}
	if (d->n_groups)
		memcpy(c->groups, d->groups, d->n_groups * sizeof(*d->groups));
	if (kr_scenes_copy(c, d)) {
		kr_data_free(c);
		return NULL;
	}
	return c;
}

static void make_uuid(struct mp_keyring *kr, uint8_t uuid[16], int *r)
{
	if (*r)
		return;
	*r = mp_rng_bytes(kr->rng, uuid, 16);
	/* RFC 4122 version 4 (random) */
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

int kr_create_data(struct mp_keyring *kr, const struct mp_keyring_opts *opts,
		   struct kr_data **out)
{
	const char *net = opts && opts->network_name ? opts->network_name : KR_DEFAULT_NAME;
	const char *pname = opts && opts->provisioner_name ? opts->provisioner_name
							   : KR_DEFAULT_NAME;
	uint16_t lo = MP_UNICAST_MIN, hi = MP_UNICAST_MAX;
	struct mp_provisioner *p;
	struct mp_netkey *k;
	struct mp_node *n;
	struct kr_data *d;
	int r = 0;

	*out = NULL;
	if (opts && (opts->unicast_low || opts->unicast_high)) {
		lo = opts->unicast_low;
		hi = opts->unicast_high;
	}
	if (lo < MP_UNICAST_MIN || hi > MP_UNICAST_MAX || lo > hi)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "unicast range %04X-%04X is not within 0001-7FFF", lo, hi);
	if (!kr_name_ok(net, MP_KR_NAME_MAX, false) || !kr_name_ok(pname, MP_KR_NAME_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "names must be 1 to %d bytes without control characters",
			       MP_KR_NAME_MAX);
	d = kr_data_new();
	if (!d)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	snprintf(d->net_name, sizeof(d->net_name), "%s", net);
	make_uuid(kr, d->net_uuid, &r);
	d->iv_changed = kr_now(kr);

	k = kr_netkey_insert(d, 0);
	p = kr_prov_add(d);
	if (!k || !p) {
		kr_data_free(d);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	if (!r)
		r = mp_rng_bytes(kr->rng, k->key, 16);
	k->timestamp = kr_now(kr);
	snprintf(k->name, sizeof(k->name), "NetKey 0");

	snprintf(p->name, sizeof(p->name), "%s", pname);
	make_uuid(kr, p->uuid, &r);
	p->n_unicast = p->n_group = p->n_scene = 1;
	p->unicast[0] = (struct mp_kr_range){ lo, hi };
	p->group[0] = (struct mp_kr_range){ DEFAULT_GROUP_LOW, DEFAULT_GROUP_HIGH };
	p->scene[0] = (struct mp_kr_range){ DEFAULT_SCENE_LOW, DEFAULT_SCENE_HIGH };
	d->self = 0;

	/* The provisioner's own node takes the first address of its range. */
	n = kr_node_insert(d, lo);
	if (!n) {
		kr_data_free(d);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	memcpy(n->uuid, p->uuid, 16);
	n->elements = 1;
	n->has_dev_key = true;
	if (!r)
		r = mp_rng_bytes(kr->rng, n->dev_key, 16);
	n->is_self = true;
	n->config_complete = true;
	n->state = MP_NODE_COMPLETE;
	n->n_net_keys = 1;
	n->net_keys[0] = 0;
	n->provisioned_at = kr_now(kr);
	if (r) {
		kr_data_free(d);
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	}
	*out = d;
	return 0;
}

static int kr_save_now(struct mp_keyring *kr)
{
	char *plain = NULL, *sealed = NULL;
	size_t plen = 0, slen = 0;
	int r;

	if (!kr->path)
		return 0;	/* a keyring in memory */
	r = kr_encode(kr->d, &plain, &plen);
	if (r)
		return kr_fail(&kr->err, r, MP_KR_E_NOMEM, NULL, "out of memory");
	if (kr->seal.on) {
		r = kr_seal_wrap(&kr->seal, kr->rng, plain, plen, &sealed, &slen, &kr->err);
		mp_keyring_free_secret(plain);
		if (r)
			return r;
		r = kr_file_write(kr, sealed, slen);
		free(sealed);
	} else {
		r = kr_file_write(kr, plain, plen);
		mp_keyring_free_secret(plain);
	}
	if (!r)
		kr->dirty = false;
	return r;
}

int kr_changed(struct mp_keyring *kr)
{
	if (kr->batch) {
		kr->dirty = true;
		return 0;
	}
	return kr_save_now(kr);
}

/* Keep a copy to roll back to when the save fails (outside batches only:
 * inside one, nothing is saved, and each call validates before changing). */
int kr_snapshot(struct mp_keyring *kr, struct kr_data **before)
{
	*before = NULL;
	if (kr->batch || !kr->path)
		return 0;
	*before = kr_data_clone(kr->d);
	if (!*before)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	return 0;
}

int kr_finish(struct mp_keyring *kr, struct kr_data *before)
{
	int r = kr_changed(kr);

	if (r && before) {
		kr_data_free(kr->d);
		kr->d = before;
	} else {
		kr_data_free(before);
	}
	return r;
}

static void prefix_msg(struct mp_keyring *kr, const char *path)
{
	char detail[sizeof(kr->err.msg)];

	snprintf(detail, sizeof(detail), "%s", kr->err.msg);
	kr_msgf(kr->err.msg, sizeof(kr->err.msg), "keyring %s: %s", path, detail);
}

bool mp_keyring_unlocked(const struct mp_keyring *kr)
{
	return kr && kr->unlocked;
}

int mp_keyring_open(const char *path, const struct mp_keyring_opts *opts,
		    struct mp_keyring **out, struct mp_keyring_error *err)
{
	struct mp_keyring *kr;
	char *data = NULL;
	size_t len = 0;
	int r;

	if (out)
		*out = NULL;
	kr_err_clear(err);
	if (!out)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "no place for the keyring");
	kr = kr_alloc(opts);
	if (!kr)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = kr_file_open(kr, path, opts, &data, &len);
	if (r == -ENOENT && kr->lockfd >= 0 && opts && (opts->flags & MP_KEYRING_CREATE)) {
		kr_err_clear(&kr->err);
		r = kr_create_data(kr, opts, &kr->d);
		if (!r && opts->passphrase)
			r = kr_seal_init(&kr->seal, opts->passphrase, opts->passphrase_len,
					 opts->scrypt_log2n, kr->rng, &kr->err);
		if (!r)
			r = kr_save_now(kr);
		kr->created = !r;
	} else if (!r) {
		r = kr_decode(data, len, opts ? opts->passphrase : NULL,
			      opts ? opts->passphrase_len : 0, &kr->d, &kr->seal, &kr->err);
		if (r == -EBADMSG)
			kr_damaged_msg(kr, path);
		else if (r)
			prefix_msg(kr, path);
	}
	if (data) {
		mp_wipe(data, len);
		free(data);
	}
	if (r) {
		if (err)
			*err = kr->err;
		kr_free(kr);
		return r;
	}
	kr_err_clear(&kr->err);
	*out = kr;
	return 0;
}

int mp_keyring_parse(const void *data, size_t len, const uint8_t *passphrase,
		     size_t passphrase_len, struct mp_keyring **out,
		     struct mp_keyring_error *err)
{
	struct mp_keyring_opts o = { .passphrase = passphrase, .passphrase_len = passphrase_len };

	return mp_keyring_parse_opts(data, len, &o, out, err);
}

int mp_keyring_parse_opts(const void *data, size_t len, const struct mp_keyring_opts *opts,
			  struct mp_keyring **out, struct mp_keyring_error *err)
{
	struct mp_keyring_opts none = { 0 };
	struct mp_keyring *kr;
	int r;

	kr_err_clear(err);
	if (!out || (!data && len))
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "bad arguments");
	*out = NULL;
	if (!opts)
		opts = &none;
	/* only the sources: a parsed keyring is never read-only nor created */
	none.rng = opts->rng;
	none.now = opts->now;
	none.now_ctx = opts->now_ctx;
	kr = kr_alloc(&none);
	if (!kr)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = kr_decode(data ? data : "", len, opts->passphrase, opts->passphrase_len, &kr->d,
		      &kr->seal, &kr->err);
	if (r) {
		if (err)
			*err = kr->err;
		kr_free(kr);
		return r;
	}
	*out = kr;
	return 0;
}

int mp_keyring_new(const struct mp_keyring_opts *opts, struct mp_keyring **out,
		   struct mp_keyring_error *err)
{
	struct mp_keyring *kr;
	int r;

	kr_err_clear(err);
	if (!out)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "bad arguments");
	*out = NULL;
	kr = kr_alloc(opts);
	if (!kr)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = kr_create_data(kr, opts, &kr->d);
	if (r) {
		if (err)
			*err = kr->err;
		kr_free(kr);
		return r;
	}
	*out = kr;
	return 0;
}

int mp_keyring_serialize(struct mp_keyring *kr, char **out, size_t *len)
{
	size_t n = 0;
	int r;

	if (!kr || !out)
		return -EINVAL;
	kr_err_clear(&kr->err);
	r = kr_encode(kr->d, out, &n);
	if (r)
		return kr_fail(&kr->err, r, MP_KR_E_NOMEM, NULL, "out of memory");
	if (len)
		*len = n;
	return 0;
}

void mp_keyring_free_secret(char *s)
{
	if (!s)
		return;
	mp_wipe(s, strlen(s));
	free(s);
}

int mp_keyring_save(struct mp_keyring *kr)
{
	if (!kr)
		return -EINVAL;
	kr_err_clear(&kr->err);
	return kr_save_now(kr);
}

void mp_keyring_close(struct mp_keyring *kr)
{
	if (kr)
		kr_free(kr);
}

void mp_keyring_begin(struct mp_keyring *kr)
{
	kr->batch++;
}

int mp_keyring_commit(struct mp_keyring *kr)
{
	kr_err_clear(&kr->err);
	if (kr->batch && --kr->batch)
		return 0;
	return kr->dirty ? kr_save_now(kr) : 0;
}

const struct mp_keyring_error *mp_keyring_last_error(const struct mp_keyring *kr)
{
	return &kr->err;
}

const char *mp_keyring_error(const struct mp_keyring *kr)
{
	return kr->err.msg;
}

const char *mp_keyring_path(const struct mp_keyring *kr)
{
	return kr->path ? kr->path : "";
}

bool mp_keyring_was_created(const struct mp_keyring *kr)
{
	return kr->created;
}

bool mp_keyring_is_encrypted(const struct mp_keyring *kr)
{
	return kr->seal.on;
}

int mp_keyring_set_passphrase(struct mp_keyring *kr, const uint8_t *passphrase, size_t len,
			      uint8_t log2n)
{
	struct kr_seal old = kr->seal, fresh;
	int r;

	kr_err_clear(&kr->err);
	memset(&fresh, 0, sizeof(fresh));
	if (passphrase) {
		r = kr_seal_init(&fresh, passphrase, len, log2n, kr->rng, &kr->err);
		if (r)
			return r;
	}
	kr->seal = fresh;
	kr->reseal = true;	/* no backup may keep the old seal */
	r = kr_save_now(kr);
	kr->reseal = false;
	if (r)
		kr->seal = old;
	mp_wipe(&old, sizeof(old));
	mp_wipe(&fresh, sizeof(fresh));
	return r;
}

/* ---- Network, IV index ------------------------------------------------------- */

const char *mp_keyring_network_name(const struct mp_keyring *kr)
{
	return kr->d->net_name;
}

void mp_keyring_network_uuid(const struct mp_keyring *kr, uint8_t uuid[16])
{
	memcpy(uuid, kr->d->net_uuid, 16);
}

int mp_keyring_set_network_name(struct mp_keyring *kr, const char *name)
{
	struct kr_data *before;
	int r;

	kr_err_clear(&kr->err);
	if (!kr_name_ok(name, MP_KR_NAME_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a network name is 1 to %d bytes without control characters",
			       MP_KR_NAME_MAX);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	snprintf(kr->d->net_name, sizeof(kr->d->net_name), "%s", name);
	return kr_finish(kr, before);
}

uint32_t mp_keyring_iv_index(const struct mp_keyring *kr)
{
	return kr->d->iv_index;
}

bool mp_keyring_iv_update(const struct mp_keyring *kr)
{
	return kr->d->iv_update;
}

int mp_keyring_set_iv(struct mp_keyring *kr, uint32_t iv_index, bool iv_update)
{
	struct kr_data *before;
	int r;

	kr_err_clear(&kr->err);
	if (iv_index < kr->d->iv_index)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "the IV index never goes back (from %u to %u; MshPRT v1.1 "
			       "3.11.5)", kr->d->iv_index, iv_index);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	/* SeqAuth is the transmit IV index with SEQ: a new one makes every
	 * SEQ new again (MshPRT v1.1 3.11.5, 3.4.4). */
	if (kr_tx_iv(iv_index, iv_update) != kr_tx_iv(kr->d->iv_index, kr->d->iv_update))
		kr->d->seq_next = 0;
	if (iv_index != kr->d->iv_index || iv_update != kr->d->iv_update)
		kr->d->iv_changed = kr_now(kr);
	kr->d->iv_index = iv_index;
	kr->d->iv_update = iv_update;
	kr_excl_purge(kr->d);
	return kr_finish(kr, before);
}

int64_t mp_keyring_iv_changed(const struct mp_keyring *kr)
{
	return kr->d->iv_changed;
}

/* ---- Sequence numbers ---------------------------------------------------------- */

uint32_t mp_keyring_seq_next(const struct mp_keyring *kr)
{
	return kr->d->seq_next;
}

int mp_keyring_seq_reserve(struct mp_keyring *kr, uint32_t count, uint32_t *first)
{
	uint32_t next = kr->d->seq_next;
	int r;

	kr_err_clear(&kr->err);
	if (!first || count == 0 || count > MP_SEQ_MAX + 1u)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a reservation is of 1 to %u sequence numbers", MP_SEQ_MAX + 1u);
	if (kr->batch)
		return kr_fail(&kr->err, -EBUSY, MP_KR_E_STATE, NULL,
			       "sequence numbers cannot be reserved inside a batch of changes: "
			       "they must be saved before they are used");
	if (count > MP_SEQ_MAX + 1u - next)
		return kr_fail(&kr->err, -ERANGE, MP_KR_E_FULL, NULL,
			       "only %u sequence numbers are left at IV index %u: an IV Update "
			       "is due (MshPRT v1.1 3.11.5)", MP_SEQ_MAX + 1u - next,
			       kr->d->iv_index);
	kr->d->seq_next = next + count;
	r = kr_changed(kr);
	if (r) {
		/* Not saved: not reserved (a later save may still write it, which
		 * only wastes numbers). */
		kr->d->seq_next = next;
		return r;
	}
	*first = next;
	return 0;
}

/* ---- Keys --------------------------------------------------------------------- */

size_t mp_keyring_netkey_count(const struct mp_keyring *kr)
{
	return kr->d->n_netkeys;
}

const struct mp_netkey *mp_keyring_netkey_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_netkeys ? &kr->d->netkeys[i] : NULL;
}

const struct mp_netkey *mp_keyring_netkey(const struct mp_keyring *kr, uint16_t index)
{
	return kr_netkey_find(kr->d, index);
}

int kr_bad_index(struct mp_keyring *kr, uint16_t index)
{
	return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
		       "key index %u is out of range (0..4095)", index);
}

/* The NetKey (current or, during a key refresh, old) whose value is @key,
 * or NULL. Two subnets with one key would be one subnet to every node:
 * same NID, same network keys, each other's messages. */
static const struct mp_netkey *netkey_with_value(const struct kr_data *d, const uint8_t key[16])
{
	size_t i;

	for (i = 0; i < d->n_netkeys; i++)
		if (mp_ct_equal(d->netkeys[i].key, key, 16) ||
		    (d->netkeys[i].phase != MP_KR_PHASE_NORMAL &&
		     mp_ct_equal(d->netkeys[i].old_key, key, 16)))
			return &d->netkeys[i];
	return NULL;
}

static int netkey_value_taken(struct mp_keyring *kr, const struct mp_netkey *k)
{
	return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
		       "that key is already NetKey %u's: two subnets cannot share a key",
		       k->index);
}

/*
 * Key names are unique among the keyring's NetKeys, and among its AppKeys:
 * a profile names an AppKey ("bind": ["building"]), so two of one name would
 * make it pick one at random. The key of @index itself may keep its name.
 */
static int key_name_check(struct mp_keyring *kr, bool app, uint16_t index, const char *name)
{
	const char *what = app ? "AppKey" : "NetKey";
	size_t i, n = app ? kr->d->n_appkeys : kr->d->n_netkeys;

	if (!kr_name_ok(name, MP_KR_NAME_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a key name is 1 to %d bytes of UTF-8 without control characters",
			       MP_KR_NAME_MAX);
	for (i = 0; i < n; i++) {
		uint16_t other = app ? kr->d->appkeys[i].index : kr->d->netkeys[i].index;
		const char *on = app ? kr->d->appkeys[i].name : kr->d->netkeys[i].name;

		if (other != index && !strcmp(on, name))
			return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
				       "%s 0x%03x is already named '%s'", what, other, name);
	}
	return 0;
}

/* The name of a new key not named by its caller: "AppKey N", unless a
 * key was renamed so; then "AppKey N (2)", and so on. */
static void key_default_name(struct mp_keyring *kr, bool app, uint16_t index, char *out,
			     size_t outlen)
{
	const char *what = app ? "AppKey" : "NetKey";
	unsigned k;

	snprintf(out, outlen, "%s %u", what, index);
	for (k = 2; key_name_check(kr, app, index, out) && k < 5000; k++)
		snprintf(out, outlen, "%s %u (%u)", what, index, k);
	kr_err_clear(&kr->err);
}

static int key_rename(struct mp_keyring *kr, bool app, uint16_t index, const char *name)
{
	struct kr_data *before;
	char *dst;
	int r;

	kr_err_clear(&kr->err);
	if (app ? !kr_appkey_find(kr->d, index) : !kr_netkey_find(kr->d, index))
		return app ? kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
				     "there is no AppKey of index %u in the keyring", index) :
			     kr_no_netkey(kr, index);
	r = key_name_check(kr, app, index, name);
	if (r)
		return r;
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	dst = app ? kr_appkey_find(kr->d, index)->name : kr_netkey_find(kr->d, index)->name;
	snprintf(dst, MP_KR_NAME_MAX + 1, "%s", name);
	return kr_finish(kr, before);
}

int mp_keyring_netkey_rename(struct mp_keyring *kr, uint16_t index, const char *name)
{
	return key_rename(kr, false, index, name);
}

int mp_keyring_appkey_rename(struct mp_keyring *kr, uint16_t index, const char *name)
{
	return key_rename(kr, true, index, name);
}

int mp_keyring_netkey_add(struct mp_keyring *kr, uint16_t index, const uint8_t key[16])
{
	return mp_keyring_netkey_add_named(kr, index, key, NULL);
}

int mp_keyring_netkey_add_named(struct mp_keyring *kr, uint16_t index, const uint8_t key[16],
				const char *name)
{
	char dflt[MP_KR_NAME_MAX + 1];
	const struct mp_netkey *same;
	struct kr_data *before;
	struct mp_netkey *k;
	uint8_t fresh[16];
	int r;

	kr_err_clear(&kr->err);
	if (index > MP_KEY_INDEX_MAX)
		return kr_bad_index(kr, index);
	if (kr_netkey_find(kr->d, index))
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "NetKey index %u is already in the keyring", index);
	same = key ? netkey_with_value(kr->d, key) : NULL;
	if (same)
		return netkey_value_taken(kr, same);
	if (name && (r = key_name_check(kr, false, index, name)))
		return r;
	if (!name)
		key_default_name(kr, false, index, dflt, sizeof(dflt));
	if (!key && mp_rng_bytes(kr->rng, fresh, 16))
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_netkey_insert(kr->d, index);
	if (!k) {
		kr_data_free(before);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	snprintf(k->name, sizeof(k->name), "%s", name ? name : dflt);
	memcpy(k->key, key ? key : fresh, 16);
	k->timestamp = kr_now(kr);
	mp_wipe(fresh, sizeof(fresh));
	return kr_finish(kr, before);
}

int kr_no_netkey(struct mp_keyring *kr, uint16_t index)
{
	return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
		       "there is no NetKey of index %u in the keyring", index);
}

int mp_keyring_netkey_del(struct mp_keyring *kr, uint16_t index)
{
	struct kr_data *d = kr->d, *before;
	struct mp_netkey *k = kr_netkey_find(d, index);
	size_t i;
	int r;

	kr_err_clear(&kr->err);
	if (!k)
		return kr_no_netkey(kr, index);
	if (d->n_netkeys == 1)
		return kr_fail(&kr->err, -EPERM, MP_KR_E_STATE, NULL,
			       "NetKey %u is the only NetKey of the network", index);
	for (i = 0; i < d->n_appkeys; i++)
		if (d->appkeys[i].net_index == index)
			return kr_fail(&kr->err, -EBUSY, MP_KR_E_IN_USE, NULL,
				       "AppKey %u is bound to NetKey %u", d->appkeys[i].index,
				       index);
	for (i = 0; i < d->n_nodes; i++) {
		unsigned j;

		for (j = 0; j < d->nodes[i].n_net_keys; j++)
			if (d->nodes[i].net_keys[j] == index)
				return kr_fail(&kr->err, -EBUSY, MP_KR_E_IN_USE, NULL,
					       "node %04X holds NetKey %u", d->nodes[i].addr,
					       index);
	}
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_netkey_find(kr->d, index);
	i = (size_t)(k - kr->d->netkeys);
	mp_wipe(k, sizeof(*k));
	memmove(k, k + 1, (kr->d->n_netkeys - i - 1) * sizeof(*k));
	kr->d->n_netkeys--;
	mp_wipe(&kr->d->netkeys[kr->d->n_netkeys], sizeof(*k));
	return kr_finish(kr, before);
}

int mp_keyring_netkey_refresh(struct mp_keyring *kr, uint16_t index, const uint8_t new_key[16])
{
	const struct mp_netkey *same;
	struct kr_data *before;
	struct mp_netkey *k = kr_netkey_find(kr->d, index);
	uint8_t fresh[16];
	int r;

	kr_err_clear(&kr->err);
	if (!k)
		return kr_no_netkey(kr, index);
	if (k->phase != MP_KR_PHASE_NORMAL)
		return kr_fail(&kr->err, -EALREADY, MP_KR_E_STATE, NULL,
			       "NetKey %u is already in key refresh phase %u", index, k->phase);
	same = new_key ? netkey_with_value(kr->d, new_key) : NULL;
	if (same)
		return netkey_value_taken(kr, same);
	if (!new_key && mp_rng_bytes(kr->rng, fresh, 16))
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_netkey_find(kr->d, index);
	memcpy(k->old_key, k->key, 16);
	memcpy(k->key, new_key ? new_key : fresh, 16);
	k->phase = MP_KR_PHASE_1;
	k->timestamp = kr_now(kr);
	mp_wipe(fresh, sizeof(fresh));
	return kr_finish(kr, before);
}

int mp_keyring_netkey_set_phase(struct mp_keyring *kr, uint16_t index, uint8_t phase)
{
	struct kr_data *before;
	struct mp_netkey *k = kr_netkey_find(kr->d, index);
	size_t i;
	int r;

	kr_err_clear(&kr->err);
	if (!k)
		return kr_no_netkey(kr, index);
	if (phase == 3)
		phase = MP_KR_PHASE_NORMAL;	/* MshPRT v1.1 3.11.4.4: revoke, back to normal */
	if (phase == k->phase)
		return kr_fail(&kr->err, -EALREADY, MP_KR_E_STATE, NULL,
			       "NetKey %u is already in phase %u", index, phase);
	if (!(k->phase == 1 && phase == 2) && !(k->phase && phase == 0))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_STATE, NULL,
			       "NetKey %u cannot go from key refresh phase %u to %u", index,
			       k->phase, phase);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_netkey_find(kr->d, index);
	k->phase = phase;
	k->timestamp = kr_now(kr);
	if (phase == MP_KR_PHASE_NORMAL) {
		mp_wipe(k->old_key, 16);
		for (i = 0; i < kr->d->n_appkeys; i++)
			if (kr->d->appkeys[i].net_index == index) {
				mp_wipe(kr->d->appkeys[i].old_key, 16);
				kr->d->appkeys[i].has_old_key = false;
			}
	}
	return kr_finish(kr, before);
}

size_t mp_keyring_appkey_count(const struct mp_keyring *kr)
{
	return kr->d->n_appkeys;
}

const struct mp_appkey *mp_keyring_appkey_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_appkeys ? &kr->d->appkeys[i] : NULL;
}

const struct mp_appkey *mp_keyring_appkey(const struct mp_keyring *kr, uint16_t index)
{
	return kr_appkey_find(kr->d, index);
}

int mp_keyring_appkey_add(struct mp_keyring *kr, uint16_t index, uint16_t net_index,
			  const uint8_t key[16])
{
	return mp_keyring_appkey_add_named(kr, index, net_index, key, NULL);
}

int mp_keyring_appkey_add_named(struct mp_keyring *kr, uint16_t index, uint16_t net_index,
				const uint8_t key[16], const char *name)
{
	char dflt[MP_KR_NAME_MAX + 1];
	struct kr_data *before;
	struct mp_appkey *k;
	uint8_t fresh[16];
	int r;

	kr_err_clear(&kr->err);
	if (index > MP_KEY_INDEX_MAX)
		return kr_bad_index(kr, index);
	if (!kr_netkey_find(kr->d, net_index))
		return kr_no_netkey(kr, net_index);
	if (kr_appkey_find(kr->d, index))
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "AppKey index %u is already in the keyring", index);
	if (name && (r = key_name_check(kr, true, index, name)))
		return r;
	if (!name)
		key_default_name(kr, true, index, dflt, sizeof(dflt));
	if (!key && mp_rng_bytes(kr->rng, fresh, 16))
		return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_appkey_insert(kr->d, index);
	if (!k) {
		kr_data_free(before);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	k->net_index = net_index;
	snprintf(k->name, sizeof(k->name), "%s", name ? name : dflt);
	memcpy(k->key, key ? key : fresh, 16);
	mp_wipe(fresh, sizeof(fresh));
	return kr_finish(kr, before);
}

void kr_list_remove(uint16_t *list, uint8_t *n, uint16_t v)
{
	unsigned i, j;

	for (i = j = 0; i < *n; i++)
		if (list[i] != v)
			list[j++] = list[i];
	*n = (uint8_t)j;
}

int mp_keyring_appkey_del(struct mp_keyring *kr, uint16_t index)
{
	struct kr_data *before;
	struct mp_appkey *k;
	size_t i;
	int r;

	kr_err_clear(&kr->err);
	if (!kr_appkey_find(kr->d, index))
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "there is no AppKey of index %u in the keyring", index);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	k = kr_appkey_find(kr->d, index);
	i = (size_t)(k - kr->d->appkeys);
	memmove(k, k + 1, (kr->d->n_appkeys - i - 1) * sizeof(*k));
	kr->d->n_appkeys--;
	mp_wipe(&kr->d->appkeys[kr->d->n_appkeys], sizeof(*k));
	for (i = 0; i < kr->d->n_nodes; i++)
		kr_list_remove(kr->d->nodes[i].app_keys, &kr->d->nodes[i].n_app_keys, index);
	return kr_finish(kr, before);
}

/* ---- Display ---------------------------------------------------------------------- */

const char *mp_keyring_key_str(const uint8_t key[16], bool show, char buf[MP_KEY_STR_LEN])
{
	if (!show || !key || !buf)
		return "(hidden)";
	mp_hex_encode(key, 16, buf);
	return buf;
}

char *mp_keyring_uuid_str(const uint8_t uuid[16], char buf[37])
{
	mp_uuid_format(uuid, buf, true);
	return buf;
}
