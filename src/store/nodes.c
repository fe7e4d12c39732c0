/* The nodes of the keyring: provisioners and their ranges, node records,
 * address allocation, exclusions (see include/store/nodes.h). Every change
 * is saved before the call returns, as in keyring.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"

/* ---- Provisioners ------------------------------------------------------------- */

const struct mp_provisioner *mp_keyring_self(const struct mp_keyring *kr)
{
	return &kr->d->provs[kr->d->self];
}

uint16_t mp_keyring_self_address(const struct mp_keyring *kr)
{
	size_t i;

	for (i = 0; i < kr->d->n_nodes; i++)
		if (kr->d->nodes[i].is_self)
			return kr->d->nodes[i].addr;
	return 0;
}

size_t mp_keyring_provisioner_count(const struct mp_keyring *kr)
{
	return kr->d->n_provs;
}

const struct mp_provisioner *mp_keyring_provisioner_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_provs ? &kr->d->provs[i] : NULL;
}

/* ---- Nodes ------------------------------------------------------------------- */

size_t mp_keyring_node_count(const struct mp_keyring *kr)
{
	return kr->d->n_nodes;
}

const struct mp_node *mp_keyring_node_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_nodes ? &kr->d->nodes[i] : NULL;
}

const struct mp_node *mp_keyring_node_find(const struct mp_keyring *kr, uint16_t addr)
{
	ssize_t i = kr_node_index(kr->d, addr);

	return i < 0 ? NULL : &kr->d->nodes[i];
}

const struct mp_node *mp_keyring_node_find_uuid(const struct mp_keyring *kr,
						const uint8_t uuid[16])
{
	ssize_t i = kr_node_index_uuid(kr->d, uuid);

	return i < 0 ? NULL : &kr->d->nodes[i];
}

static int full(struct mp_keyring *kr, uint8_t elements)
{
	const struct mp_provisioner *p = &kr->d->provs[kr->d->self];
	size_t i, excluded = 0;

	for (i = 0; i < kr->d->n_excl; i++)
		excluded += kr_excl_active(kr->d, &kr->d->excl[i]);
	return kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
		       "no free block of %u consecutive unicast address%s in this provisioner's "
		       "range%s (%04X-%04X%s; %zu nodes, %zu addresses excluded until the IV "
		       "index advances); 'station grow %s --unicast N' gives this station N "
		       "more addresses where the network has room", elements,
		       elements == 1 ? "" : "es", p->n_unicast > 1 ? "s" : "", p->unicast[0].low,
		       p->unicast[0].high, p->n_unicast > 1 ? ", ..." : "", kr->d->n_nodes, excluded,
		       p->name);
}

int mp_keyring_alloc_address(struct mp_keyring *kr, uint8_t elements, uint16_t *addr)
{
	kr_err_clear(&kr->err);
	if (!elements || !addr)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a node has 1 to 255 elements");
	if (kr_find_block(kr->d, &kr->d->provs[kr->d->self], elements, addr))
		return full(kr, elements);
	return 0;
}

/* An explicitly requested block must be ours and free. */
static int check_block(struct mp_keyring *kr, uint16_t addr, uint8_t elements)
{
	const struct mp_provisioner *p = &kr->d->provs[kr->d->self];
	uint32_t end = (uint32_t)addr + elements - 1, a;
	uint8_t map[0x8000 / 8];
	unsigned i;

	for (i = 0; i < p->n_unicast; i++)
		if (addr >= p->unicast[i].low && end <= p->unicast[i].high)
			break;
	if (i == p->n_unicast || addr < MP_UNICAST_MIN || end > MP_UNICAST_MAX)
		return kr_fail(&kr->err, -ERANGE, MP_KR_E_RANGE, NULL,
			       "addresses %04X-%04X are not inside this provisioner's unicast "
			       "range", addr, (unsigned)end);
	kr_used_map(kr->d, map);
	for (a = addr; a <= end; a++)
		if (map[a / 8] & (1u << (a % 8)))
			return kr_fail(&kr->err, -EADDRINUSE, MP_KR_E_ADDR_IN_USE, NULL,
				       "address %04X is %s", (unsigned)a,
				       kr_node_index(kr->d, (uint16_t)a) >= 0
					       ? "used by another node"
					       : "excluded (a removed node had it)");
	return 0;
}

static int exclude_node(struct kr_data *d, const struct mp_node *n)
{
	unsigned k;

	for (k = 0; k < n->elements; k++)
		if (kr_excl_add(d, (uint16_t)(n->addr + k), d->iv_index))
			return -ENOMEM;
	return 0;
}

static int bad_tag(struct mp_keyring *kr, const char *what)
{
	return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
		       "the %s is too long or has control characters", what);
}

void mp_keyring_set_unconfirmed_max(struct mp_keyring *kr, unsigned int max)
{
	kr->max_unconf = max;
}

static bool unconf_seen(const struct mp_keyring *kr, const uint8_t uuid[16])
{
	unsigned i;

	for (i = 0; i < kr->n_unconf; i++)
		if (!memcmp(kr->unconf_uuids[i], uuid, 16))
			return true;
	return false;
}

/* Remember a device left UNCONFIRMED in this run (once per UUID). */
static int unconf_note(struct mp_keyring *kr, const uint8_t uuid[16])
{
	uint8_t (*u)[16];

	if (unconf_seen(kr, uuid))
		return 0;
	u = realloc(kr->unconf_uuids, (kr->n_unconf + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	kr->unconf_uuids = u;
	memcpy(u[kr->n_unconf++], uuid, 16);
	return 0;
}

/* Whether a retried device's block can start where its old one did: the
 * old record is ignored (it is being replaced), everything else counts. */
static bool old_block_fits(struct mp_keyring *kr, size_t old, uint8_t elements)
{
	struct mp_node *n = &kr->d->nodes[old];
	uint8_t was = n->elements;
	bool ok;

	n->elements = 0;	/* kr_used_map() then leaves its addresses free */
	ok = check_block(kr, n->addr, elements) == 0;
	n->elements = was;
	kr_err_clear(&kr->err);
	return ok;
}

/* Drop @old, the same device's record of an attempt that never completed.
 * Its addresses outside [@keep, @keep + @elements) are excluded, like a
 * removed node's; those inside go to the new record. */
static int replace_old(struct kr_data *d, size_t old, uint16_t keep, uint8_t elements)
{
	struct mp_node stale = d->nodes[old];
	unsigned k;
	int r = 0;

	for (k = 0; k < stale.elements && !r; k++) {
		uint32_t a = (uint32_t)stale.addr + k;

		if (a < keep || a >= (uint32_t)keep + elements)
			r = kr_excl_add(d, (uint16_t)a, d->iv_index) ? -ENOMEM : 0;
	}
	if (!r)
		r = kr_node_delete(d, stale.addr);
	mp_wipe(&stale, sizeof(stale));
	return r;
}

int mp_keyring_node_add_pending(struct mp_keyring *kr, const uint8_t uuid[16], uint8_t elements,
				const uint8_t dev_key[16], const struct mp_node_prov_info *info,
				uint16_t *addr_out)
{
	static const struct mp_node_prov_info none;
	struct kr_data *before;
	struct mp_node *n;
	uint16_t addr;
	bool reuse = false;
	ssize_t old;
	int r;

	kr_err_clear(&kr->err);
	if (!info)
		info = &none;
	if (!uuid || !dev_key || !addr_out || !elements)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a node needs a UUID, a device key and 1 to 255 elements");
	if (!kr_name_ok(info->algorithm, MP_KR_TAG_MAX, true))
		return bad_tag(kr, "algorithm");
	if (!kr_name_ok(info->oob, MP_KR_TAG_MAX, true))
		return bad_tag(kr, "OOB method");
	if (!kr_name_ok(info->name, MP_KR_NAME_MAX, true))
		return bad_tag(kr, "node name");
	if (!kr_netkey_find(kr->d, info->net_index))
		return kr_no_netkey(kr, info->net_index);
	if (!memcmp(uuid, kr->d->provs[kr->d->self].uuid, 16))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "that UUID is this provisioner's own");
	old = kr_node_index_uuid(kr->d, uuid);
	if (old >= 0 && kr->d->nodes[old].state == MP_NODE_COMPLETE)
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "this device UUID is already node %04X; remove that node first "
			       "if the device was reset", kr->d->nodes[old].addr);
	/* Each device left unconfirmed keeps its block for good: bounded per
	 * run, a retry of one of them excepted (it takes its block back). */
	if (old < 0 && kr->max_unconf && kr->n_unconf >= kr->max_unconf &&
	    !unconf_seen(kr, uuid))
		return kr_fail(&kr->err, -EDQUOT, MP_KR_E_FULL, NULL,
			       "%u devices were left unconfirmed in this run (they took addresses "
			       "and never completed): no more are given addresses; see `nodes` "
			       "and remove them (`node remove`) once they are reset",
			       kr->n_unconf);
	/* A retry takes back its own block where the new one fits. */
	if (old >= 0 && (!info->addr || info->addr == kr->d->nodes[old].addr) &&
	    old_block_fits(kr, (size_t)old, elements)) {
		reuse = true;
		addr = kr->d->nodes[old].addr;
		r = 0;
	} else if (info->addr) {
		/* Otherwise the old record's addresses stay unusable (they
		 * become excluded), so allocating before removing it gives
		 * the same block. */
		r = check_block(kr, info->addr, elements);
		addr = info->addr;
	} else {
		r = kr_find_block(kr->d, &kr->d->provs[kr->d->self], elements, &addr);
		if (r)
			r = full(kr, elements);
	}
	if (r)
		return r;
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	if (old >= 0)
		r = replace_old(kr->d, (size_t)old, reuse ? addr : 0, reuse ? elements : 0);
	n = r ? NULL : kr_node_insert(kr->d, addr);
	if (!n) {
		if (before) {
			kr_data_free(kr->d);
			kr->d = before;
		}
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	memcpy(n->uuid, uuid, 16);
	n->elements = elements;
	memcpy(n->dev_key, dev_key, 16);
	n->has_dev_key = true;
	n->state = MP_NODE_PENDING;
	n->n_net_keys = 1;
	n->net_keys[0] = info->net_index;
	snprintf(n->algorithm, sizeof(n->algorithm), "%s", info->algorithm ? info->algorithm : "");
	snprintf(n->oob, sizeof(n->oob), "%s", info->oob ? info->oob : "");
	snprintf(n->name, sizeof(n->name), "%s", info->name ? info->name : "");
	n->provisioned_at = kr_now(kr);
	n->modified_at = n->provisioned_at;
	r = kr_finish(kr, before);
	if (!r)
		*addr_out = addr;
	return r;
}

struct mp_node *kr_node_or_fail(struct mp_keyring *kr, uint16_t addr)
{
	ssize_t i = kr_node_index(kr->d, addr);

	if (i < 0) {
		kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			"there is no node at address %04X", addr);
		return NULL;
	}
	return &kr->d->nodes[i];
}

int mp_keyring_node_complete(struct mp_keyring *kr, uint16_t addr)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (n->state == MP_NODE_COMPLETE)
		return kr_fail(&kr->err, -EALREADY, MP_KR_E_STATE, NULL,
			       "node %04X is already complete", n->addr);
	/* kr_snapshot() copies: kr->d and n stay valid */
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	n->state = MP_NODE_COMPLETE;
	n->provisioned_at = kr_now(kr);
	n->modified_at = n->provisioned_at;
	return kr_finish(kr, before);
}

int mp_keyring_node_abort(struct mp_keyring *kr, uint16_t addr, bool data_sent)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (n->state != MP_NODE_PENDING)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_STATE, NULL,
			       "node %04X is %s, not pending: remove it instead", n->addr,
			       mp_node_state_str(n->state));
	/* Counted for the per-run bound whether or not the save succeeds:
	 * the device may hold the addresses either way. */
	if (data_sent && unconf_note(kr, n->uuid))
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	if (data_sent) {
		n->state = MP_NODE_UNCONFIRMED;	/* the device may hold the address */
		n->modified_at = kr_now(kr);
	}
	else
		kr_node_delete(kr->d, n->addr);	/* it never learnt it: free at once */
	return kr_finish(kr, before);
}

int mp_keyring_node_rename(struct mp_keyring *kr, uint16_t addr, const char *name)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	if (!kr_name_ok(name, MP_KR_NAME_MAX, true))
		return bad_tag(kr, "node name");
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	snprintf(n->name, sizeof(n->name), "%s", name ? name : "");
	n->modified_at = kr_now(kr);
	return kr_finish(kr, before);
}

int mp_keyring_node_remove(struct mp_keyring *kr, uint16_t addr)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (n->is_self)
		return kr_fail(&kr->err, -EPERM, MP_KR_E_STATE, NULL,
			       "node %04X is this provisioner itself", n->addr);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	r = exclude_node(kr->d, n);
	if (r) {
		if (before) {
			kr_data_free(kr->d);
			kr->d = before;
		}
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	kr_node_delete(kr->d, n->addr);
	return kr_finish(kr, before);
}

int mp_keyring_node_set_key(struct mp_keyring *kr, uint16_t addr, bool app, uint16_t index,
			    bool add)
{
	struct kr_data *before;
	struct mp_node *n;
	uint16_t *list;
	uint8_t *cnt;
	unsigned i, max = app ? MP_NODE_MAX_APPKEYS : MP_NODE_MAX_NETKEYS;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (add && !(app ? (void *)kr_appkey_find(kr->d, index)
			 : (void *)kr_netkey_find(kr->d, index)))
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "there is no %s of index %u in the keyring",
			       app ? "AppKey" : "NetKey", index);
	list = app ? n->app_keys : n->net_keys;
	cnt = app ? &n->n_app_keys : &n->n_net_keys;
	for (i = 0; i < *cnt && list[i] != index; i++)
		;
	if (add && i < *cnt)
		return kr_fail(&kr->err, -EALREADY, MP_KR_E_STATE, NULL,
			       "node %04X already holds that key", n->addr);
	if (!add && i == *cnt)
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "node %04X does not hold that key", n->addr);
	if (add && *cnt >= max)
		return kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
			       "node %04X holds the most keys the keyring records (%u)", n->addr,
			       max);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	if (add)
		list[(*cnt)++] = index;
	else
		kr_list_remove(list, cnt, index);
	n->modified_at = kr_now(kr);
	/* a key added or removed again has not received a refreshed value */
	if (n->config && app)
		kr_list_remove(n->config->app_updated, &n->config->n_app_updated, index);
	else if (n->config)
		kr_list_remove(n->config->net_updated, &n->config->n_net_updated, index);
	return kr_finish(kr, before);
}

int mp_keyring_node_set_config_complete(struct mp_keyring *kr, uint16_t addr, bool done)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	n->config_complete = done;
	n->modified_at = kr_now(kr);
	return kr_finish(kr, before);
}

int mp_keyring_node_set_excluded(struct mp_keyring *kr, uint16_t addr, bool excluded)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (n->excluded == excluded)
		return 0;	/* no write for nothing */
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	n->excluded = excluded;
	n->modified_at = kr_now(kr);
	return kr_finish(kr, before);
}

/* ---- Exclusions ---------------------------------------------------------------- */

size_t mp_keyring_exclusion_count(const struct mp_keyring *kr)
{
	return kr->d->n_excl;
}

const struct mp_exclusion *mp_keyring_exclusion_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_excl ? &kr->d->excl[i] : NULL;
}

bool mp_keyring_is_excluded(const struct mp_keyring *kr, uint16_t addr)
{
	size_t i;

	for (i = 0; i < kr->d->n_excl; i++)
		if (kr->d->excl[i].addr == addr)
			return kr_excl_active(kr->d, &kr->d->excl[i]);
	return false;
}
