/* Decoded Configuration messages into the keyring's records (see
 * src/cli/nodecfg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/nodecfg.h"
#include "store/node_config.h"
#include "store/nodes.h"

int mp_cli_record_comp0(struct mp_keyring *kr, uint16_t addr, const struct mp_comp0 *c)
{
	struct mp_nc_comp_element els[MP_COMP0_MAX_ELEMS];
	struct mp_nc_comp_model *models;
	struct mp_nc_comp comp = { .cid = c->cid, .pid = c->pid, .vid = c->vid, .crpl = c->crpl };
	unsigned e, k, m = 0;
	int r;

	if (c->n_elems > MP_COMP0_MAX_ELEMS || c->n_elems > 255)
		return -EINVAL;
	/* The features' bits are the same in both (MshPRT v1.1 4.2.2.1). */
	if (c->features & MP_CFG_FEAT_RELAY)
		comp.features |= MP_NC_FEAT_RELAY;
	if (c->features & MP_CFG_FEAT_PROXY)
		comp.features |= MP_NC_FEAT_PROXY;
	if (c->features & MP_CFG_FEAT_FRIEND)
		comp.features |= MP_NC_FEAT_FRIEND;
	if (c->features & MP_CFG_FEAT_LOW_POWER)
		comp.features |= MP_NC_FEAT_LPN;
	models = calloc((size_t)c->n_sig + c->n_vnd + 1, sizeof(*models));
	if (!models)
		return -ENOMEM;
	for (e = 0; e < c->n_elems; e++) {
		const struct mp_comp_elem *ce = &c->elems[e];

		els[e].location = ce->loc;
		els[e].models = &models[m];
		els[e].n_models = (uint16_t)(ce->n_sig + ce->n_vnd);
		for (k = 0; k < ce->n_sig; k++, m++) {
			models[m].company = MP_NC_SIG;
			models[m].id = c->sig[ce->sig_first + k];
		}
		for (k = 0; k < ce->n_vnd; k++, m++) {
			models[m].company = c->vnd[ce->vnd_first + k].cid;
			models[m].id = c->vnd[ce->vnd_first + k].id;
		}
	}
	comp.n_elements = (uint8_t)c->n_elems;
	comp.elements = els;
	r = mp_node_config_set_composition(kr, addr, &comp);
	free(models);
	return r;
}

/* The element index of @elem_addr on the node at @node; -EINVAL outside it. */
static int elem_index(const struct mp_keyring *kr, uint16_t node, uint16_t elem_addr)
{
	const struct mp_node *n = mp_keyring_node_find(kr, node);

	if (!n || elem_addr < n->addr || elem_addr >= (uint32_t)n->addr + n->elements)
		return -EINVAL;
	return elem_addr - n->addr;
}

static uint16_t company_of(const struct mp_model_id *m)
{
	return m->vendor ? m->cid : MP_NC_SIG;
}

/* A Config On/Off state (0 off, 1 on, 2 not supported) as the keyring's. */
static uint8_t nc_state(uint8_t v)
{
	return v == MP_CFG_ENABLED ? MP_NC_ON : v == MP_CFG_DISABLED ? MP_NC_OFF :
	       MP_NC_UNSUPPORTED;
}

static struct mp_nc_transmit nc_xmit(uint8_t v)
{
	struct mp_nc_transmit t = {
		.count = (uint8_t)(MP_CFG_XMIT_COUNT(v) + 1),
		.interval_ms = (uint16_t)((MP_CFG_XMIT_STEPS(v) + 1) * 10),
	};

	return t;
}

static int record_comp(struct mp_keyring *kr, uint16_t node, const struct mp_cfg_msg *st)
{
	struct mp_comp0 *c;
	int r;

	if (st->page != 0)
		return 0;	/* other pages are shown, not kept */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	r = mp_comp0_decode(st->data, st->data_len, c);
	if (r == 0)
		r = mp_cli_record_comp0(kr, node, c);
	free(c);
	return r;
}

static int record_sub(struct mp_keyring *kr, uint16_t node, uint32_t req,
		      const struct mp_cfg_msg *st, int elem, const uint8_t *label)
{
	struct mp_nc_addr a = { .addr = st->addr };
	enum mp_nc_sub_op op;

	switch (req) {
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
		if (!label)
			return 0;	/* the Status carries only the label's hash */
		a.virt = true;
		memcpy(a.label, label, sizeof(a.label));
		op = req == MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD ? MP_NC_SUB_ADD :
		     req == MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE ? MP_NC_SUB_DELETE :
		     MP_NC_SUB_OVERWRITE;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_ADD:
		op = MP_NC_SUB_ADD;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE:
		op = MP_NC_SUB_DELETE;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE:
		op = MP_NC_SUB_OVERWRITE;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL:
		op = MP_NC_SUB_DELETE_ALL;
		break;
	default:
		return 0;
	}
	return mp_node_config_subscribe(kr, node, (uint8_t)elem, company_of(&st->model),
					st->model.id, op, &a);
}

static int record_pub(struct mp_keyring *kr, uint16_t node, const struct mp_cfg_msg *st, int elem,
		      const uint8_t *label)
{
	static const uint32_t res_ms[4] = { 100, 1000, 10000, 600000 };
	struct mp_nc_pub p = {
		.addr = { .addr = st->pub.addr },
		.app_index = st->pub.app_idx,
		.ttl = st->pub.ttl,
		.period_steps = (uint8_t)(st->pub.period & 0x3f),
		.period_res_ms = res_ms[st->pub.period >> 6],
		.credentials = st->pub.cred,
		.rtx_count = MP_CFG_XMIT_COUNT(st->pub.retransmit),
		.rtx_interval_ms = (uint16_t)((MP_CFG_XMIT_STEPS(st->pub.retransmit) + 1) * 50),
	};

	if (label) {
		p.addr.virt = true;
		memcpy(p.addr.label, label, sizeof(p.addr.label));
	}
	return mp_node_config_publish(kr, node, (uint8_t)elem, company_of(&st->model),
				      st->model.id, st->pub.addr ? &p : NULL);
}

static bool in_list(const struct mp_cfg_msg *st, uint16_t v)
{
	unsigned i;

	for (i = 0; i < st->n_list; i++)
		if (st->list[i] == v)
			return true;
	return false;
}

static bool node_holds_appkey(const struct mp_keyring *kr, uint16_t node, uint16_t idx)
{
	const struct mp_node *n = mp_keyring_node_find(kr, node);
	unsigned i;

	for (i = 0; n && i < n->n_app_keys; i++)
		if (n->app_keys[i] == idx)
			return true;
	return false;
}

/* An AppKey Status answering Success to an Add (the node holds the key) or
 * a Delete (it no longer does); the node's word, so a keyring that already
 * says so is not an error (a run that recorded it before a kill -9). */
static int record_appkey(struct mp_keyring *kr, uint16_t node, uint16_t idx, bool add)
{
	if (!mp_keyring_node_find(kr, node) || node_holds_appkey(kr, node, idx) != add)
		return mp_keyring_node_set_key(kr, node, true, idx, add);
	return 0;
}

/*
 * A List answered with Success is the node's whole state of that kind
 * (MshPRT v1.1 4.3.2.8 AppKey List, 4.3.2.50/4.3.2.52 Model App List,
 * 4.3.2.27/4.3.2.29 Model Subscription List): it replaces what the keyring
 * records, the node being the authority. Entries the keyring cannot hold
 * (an AppKey it does not have, a virtual address whose Label UUID it does
 * not know: the list carries only the hash) are left out. Each list is
 * recorded in one batch, so one save.
 */
static int record_appkey_list(struct mp_keyring *kr, uint16_t node, const struct mp_cfg_msg *st)
{
	size_t i, n = mp_keyring_appkey_count(kr);
	int r = 0, rc;

	if (!mp_keyring_node_find(kr, node))
		return mp_keyring_node_set_key(kr, node, true, st->net_idx, false);	/* -ENOENT */
	mp_keyring_begin(kr);
	for (i = 0; i < n && r == 0; i++) {
		const struct mp_appkey *k = mp_keyring_appkey_at(kr, i);

		/* the list names the keys bound to that NetKey only */
		if (k->net_index == st->net_idx)
			r = record_appkey(kr, node, k->index, in_list(st, k->index));
	}
	rc = mp_keyring_commit(kr);
	return r ? r : rc;
}

static int record_app_list(struct mp_keyring *kr, uint16_t node, const struct mp_cfg_msg *st,
			   int elem)
{
	uint16_t company = company_of(&st->model), *had = NULL;
	const struct mp_node_config *cfg = mp_node_config(kr, node);
	const struct mp_nc_model *m = cfg ? mp_node_config_model(cfg, (uint8_t)elem, company,
								  st->model.id) : NULL;
	unsigned i, n_had = m ? m->n_bind : 0;
	int r = 0, rc;

	if (n_had) {
		had = malloc(n_had * sizeof(*had));
		if (!had)
			return -ENOMEM;
		memcpy(had, m->bind, n_had * sizeof(*had));
	}
	mp_keyring_begin(kr);
	for (i = 0; i < n_had && r == 0; i++)
		if (!in_list(st, had[i]))
			r = mp_node_config_bind(kr, node, (uint8_t)elem, company, st->model.id,
						had[i], false);
	for (i = 0; i < st->n_list && r == 0; i++)
		if (mp_keyring_appkey(kr, st->list[i]))
			r = mp_node_config_bind(kr, node, (uint8_t)elem, company, st->model.id,
						st->list[i], true);
	rc = mp_keyring_commit(kr);
	free(had);
	return r ? r : rc;
}

/* The Label UUID of virtual address @va: the one the model was recorded
 * with (@had), else a group's; NULL if unknown. */
static const uint8_t *label_of(const struct mp_keyring *kr, const struct mp_nc_addr *had,
			       unsigned n_had, uint16_t va)
{
	const struct mp_group *g;
	unsigned i;

	for (i = 0; i < n_had; i++)
		if (had[i].virt && had[i].addr == va)
			return had[i].label;
	g = mp_keyring_group_find(kr, va);
	return g && g->addr.virt ? g->addr.label : NULL;
}

static int record_sub_list(struct mp_keyring *kr, uint16_t node, const struct mp_cfg_msg *st,
			   int elem)
{
	uint16_t company = company_of(&st->model);
	const struct mp_node_config *cfg = mp_node_config(kr, node);
	const struct mp_nc_model *m = cfg ? mp_node_config_model(cfg, (uint8_t)elem, company,
								  st->model.id) : NULL;
	struct mp_nc_addr *had = NULL, a;
	unsigned i, n_had = m ? m->n_sub : 0;
	int r, rc;

	if (n_had) {
		had = malloc(n_had * sizeof(*had));
		if (!had)
			return -ENOMEM;
		memcpy(had, m->sub, n_had * sizeof(*had));
	}
	mp_keyring_begin(kr);
	r = mp_node_config_subscribe(kr, node, (uint8_t)elem, company, st->model.id,
				     MP_NC_SUB_DELETE_ALL, NULL);
	for (i = 0; i < st->n_list && r == 0; i++) {
		const uint8_t *label = NULL;

		memset(&a, 0, sizeof(a));
		a.addr = st->list[i];
		/* a virtual address, 10xx xxxx xxxx xxxx (MshPRT v1.1 3.4.2.3) */
		if ((a.addr & 0xc000) == 0x8000) {
			label = label_of(kr, had, n_had, a.addr);
			if (!label)
				continue;
			a.virt = true;
			memcpy(a.label, label, sizeof(a.label));
		}
		r = mp_node_config_subscribe(kr, node, (uint8_t)elem, company, st->model.id,
					     MP_NC_SUB_ADD, &a);
	}
	rc = mp_keyring_commit(kr);
	free(had);
	return r ? r : rc;
}

int mp_cli_record_answer(struct mp_keyring *kr, uint16_t node, uint32_t req,
			 const struct mp_cfg_msg *st, const uint8_t *label)
{
	struct mp_nc_settings s = { 0 };
	int elem;

	if (st->status)
		return 0;	/* a refusal changes nothing on the node */
	switch (st->opcode) {
	case MP_CFG_OP_COMPOSITION_DATA_STATUS:
		return record_comp(kr, node, st);
	case MP_CFG_OP_APPKEY_STATUS:
		/* the node holds the key (Add), or no longer does (Delete) */
		if (req != MP_CFG_OP_APPKEY_ADD && req != MP_CFG_OP_APPKEY_DELETE)
			return 0;
		return record_appkey(kr, node, st->app_idx, req == MP_CFG_OP_APPKEY_ADD);
	case MP_CFG_OP_APPKEY_LIST:
		return record_appkey_list(kr, node, st);
	case MP_CFG_OP_SIG_MODEL_APP_LIST:
	case MP_CFG_OP_VENDOR_MODEL_APP_LIST:
		elem = elem_index(kr, node, st->elem_addr);
		return elem < 0 ? elem : record_app_list(kr, node, st, elem);
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST:
		elem = elem_index(kr, node, st->elem_addr);
		return elem < 0 ? elem : record_sub_list(kr, node, st, elem);
	case MP_CFG_OP_MODEL_APP_STATUS:
		elem = elem_index(kr, node, st->elem_addr);
		if (elem < 0)
			return elem;
		return mp_node_config_bind(kr, node, (uint8_t)elem, company_of(&st->model),
					   st->model.id, st->app_idx,
					   req == MP_CFG_OP_MODEL_APP_BIND);
	case MP_CFG_OP_MODEL_SUBSCRIPTION_STATUS:
		elem = elem_index(kr, node, st->elem_addr);
		return elem < 0 ? elem : record_sub(kr, node, req, st, elem, label);
	case MP_CFG_OP_MODEL_PUBLICATION_STATUS:
		/* a virtual publication's label is the request's */
		if (req == MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET && !label)
			return 0;
		elem = elem_index(kr, node, st->elem_addr);
		return elem < 0 ? elem : record_pub(kr, node, st, elem,
						    req == MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET ?
						    label : NULL);
	case MP_CFG_OP_DEFAULT_TTL_STATUS:
		s.mask = MP_NC_SET_DEFAULT_TTL;
		s.default_ttl = st->state;
		break;
	case MP_CFG_OP_RELAY_STATUS:
		s.mask = MP_NC_SET_RELAY;
		s.relay = nc_state(st->state);
		s.relay_rtx = nc_xmit(st->retransmit);
		break;
	case MP_CFG_OP_GATT_PROXY_STATUS:
		s.mask = MP_NC_SET_PROXY;
		s.proxy = nc_state(st->state);
		break;
	case MP_CFG_OP_FRIEND_STATUS:
		s.mask = MP_NC_SET_FRIEND;
		s.friend_ = nc_state(st->state);
		break;
	case MP_CFG_OP_BEACON_STATUS:
		s.mask = MP_NC_SET_BEACON;
		s.beacon = st->state ? MP_NC_ON : MP_NC_OFF;
		break;
	case MP_CFG_OP_NETWORK_TRANSMIT_STATUS:
		s.mask = MP_NC_SET_NET_TX;
		s.net_tx = nc_xmit(st->state);
		break;
	default:
		return 0;	/* nothing the keyring keeps */
	}
	return mp_node_config_set(kr, node, &s);
}
