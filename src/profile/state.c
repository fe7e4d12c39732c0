/* A node's configuration as read back, and as changed by the requests it
 * has acknowledged: what the reconciler compares the profile with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "profile_int.h"

void mp_profile_state_init(struct mp_profile_state *st)
{
	memset(st, 0, sizeof(*st));
}

void mp_profile_state_clear(struct mp_profile_state *st)
{
	free(st->models);
	mp_profile_state_init(st);
}

struct mp_profile_model_state *mp_profile_state_model(struct mp_profile_state *st,
						      uint16_t elem_addr,
						      const struct mp_model_id *model, bool create)
{
	struct mp_profile_model_state *m;
	size_t i;

	for (i = 0; i < st->n_models; i++) {
		m = &st->models[i];
		if (m->elem_addr == elem_addr && pr_model_eq(&m->model, model))
			return m;
	}
	if (!create)
		return NULL;
	if (st->n_models == st->cap_models) {
		size_t nc = st->cap_models ? st->cap_models * 2 : 8;

		m = realloc(st->models, nc * sizeof(*m));
		if (!m)
			return NULL;
		st->models = m;
		st->cap_models = nc;
	}
	m = &st->models[st->n_models++];
	memset(m, 0, sizeof(*m));
	m->elem_addr = elem_addr;
	m->model = *model;
	if (!model->vendor)
		m->model.cid = 0;
	return m;
}

int mp_profile_state_fresh(struct mp_profile_state *st, const struct mp_comp0 *comp,
			   uint16_t addr)
{
	struct mp_profile_model_state *m;
	struct mp_model_id id;
	unsigned int e, i;

	mp_profile_state_clear(st);
	st->keys_known = true;
	for (e = 0; e < comp->n_elems; e++) {
		const struct mp_comp_elem *el = &comp->elems[e];

		for (i = 0; i < (unsigned int)el->n_sig + el->n_vnd; i++) {
			if (i < el->n_sig)
				id = (struct mp_model_id){ .id = comp->sig[el->sig_first + i] };
			else
				id = comp->vnd[el->vnd_first + i - el->n_sig];
			if (!(m = mp_profile_state_model(st, (uint16_t)(addr + e), &id, true)))
				return -ENOMEM;
			m->binds_known = m->pub_known = m->subs_known = true;
		}
	}
	return 0;
}

static void list_add(uint16_t *v, uint16_t *n, uint16_t x)
{
	uint16_t i;

	for (i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < MP_CFG_LIST_MAX)
		v[(*n)++] = x;
}

static void list_del(uint16_t *v, uint16_t *n, uint16_t x)
{
	uint16_t i;

	for (i = 0; i < *n; i++)
		if (v[i] == x) {
			memmove(&v[i], &v[i + 1], (size_t)(*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
}

static void list_set(uint16_t *v, uint16_t *n, const struct mp_cfg_msg *m)
{
	uint16_t i;

	*n = 0;
	for (i = 0; i < m->n_list && i < MP_CFG_LIST_MAX; i++)
		list_add(v, n, m->list[i]);
}

static void key_add(struct mp_profile_state *st, uint16_t app_idx, uint16_t net_idx)
{
	uint16_t i;

	for (i = 0; i < st->n_keys; i++)
		if (st->keys[i].app_idx == app_idx)
			return;
	if (st->n_keys < MP_CFG_LIST_MAX)
		st->keys[st->n_keys++] = (struct mp_profile_key){ app_idx, net_idx };
}

static void key_del(struct mp_profile_state *st, uint16_t app_idx)
{
	uint16_t i;

	for (i = 0; i < st->n_keys; i++)
		if (st->keys[i].app_idx == app_idx) {
			memmove(&st->keys[i], &st->keys[i + 1],
				(size_t)(st->n_keys - i - 1) * sizeof(st->keys[0]));
			st->n_keys--;
			return;
		}
}

/* AppKey List answers for one NetKey: the others' keys stay. */
static void key_list(struct mp_profile_state *st, const struct mp_cfg_msg *m)
{
	uint16_t i = 0;

	while (i < st->n_keys) {
		if (st->keys[i].net_idx == m->net_idx)
			key_del(st, st->keys[i].app_idx);
		else
			i++;
	}
	for (i = 0; i < m->n_list; i++)
		key_add(st, m->list[i], m->net_idx);
	st->keys_known = true;
}

static void one(struct mp_profile_setting *s, const struct mp_cfg_msg *m, bool relay)
{
	s->known = true;
	s->value = m->state;
	if (relay)
		s->retransmit = m->retransmit;
}

/* The model states, from a request acknowledged or a Status with a list. */
static int apply_model(struct mp_profile_state *st, const struct mp_cfg_msg *m, uint16_t virt)
{
	struct mp_profile_model_state *ms;

	if (m->status != MP_CFG_SUCCESS)
		return 0;	/* a failure teaches nothing */
	ms = mp_profile_state_model(st, m->elem_addr, &m->model, true);
	if (!ms)
		return -ENOMEM;
	switch (m->opcode) {
	case MP_CFG_OP_MODEL_APP_BIND:
		list_add(ms->binds, &ms->n_binds, m->app_idx);
		break;
	case MP_CFG_OP_MODEL_APP_UNBIND:
		list_del(ms->binds, &ms->n_binds, m->app_idx);
		break;
	case MP_CFG_OP_SIG_MODEL_APP_LIST:
	case MP_CFG_OP_VENDOR_MODEL_APP_LIST:
		list_set(ms->binds, &ms->n_binds, m);
		ms->binds_known = true;
		break;
	case MP_CFG_OP_MODEL_PUBLICATION_SET:
	case MP_CFG_OP_MODEL_PUBLICATION_STATUS:
		ms->pub = m->pub;
		ms->pub_known = true;
		break;
	case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
		ms->pub = m->pub;
		ms->pub.addr = virt;
		ms->pub_known = true;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_ADD:
		list_add(ms->subs, &ms->n_subs, m->addr);
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
		list_add(ms->subs, &ms->n_subs, virt);
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE:
		list_del(ms->subs, &ms->n_subs, m->addr);
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
		list_del(ms->subs, &ms->n_subs, virt);
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
		ms->n_subs = 0;
		list_add(ms->subs, &ms->n_subs,
			 m->opcode == MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE ? m->addr : virt);
		ms->subs_known = true;
		break;
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL:
		ms->n_subs = 0;
		ms->subs_known = true;
		break;
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST:
		list_set(ms->subs, &ms->n_subs, m);
		ms->subs_known = true;
		break;
	}
	return 0;
}

int mp_profile_state_apply(struct mp_profile_state *st, const struct mp_cfg_msg *m,
			   uint16_t virt)
{
	switch (m->opcode) {
	case MP_CFG_OP_APPKEY_ADD:
		key_add(st, m->app_idx, m->net_idx);
		return 0;
	case MP_CFG_OP_APPKEY_DELETE:
		key_del(st, m->app_idx);
		return 0;
	case MP_CFG_OP_APPKEY_LIST:
		if (m->status == MP_CFG_SUCCESS)
			key_list(st, m);
		return 0;
	case MP_CFG_OP_DEFAULT_TTL_SET:
	case MP_CFG_OP_DEFAULT_TTL_STATUS:
		one(&st->ttl, m, false);
		return 0;
	case MP_CFG_OP_RELAY_SET:
	case MP_CFG_OP_RELAY_STATUS:
		one(&st->relay, m, true);
		return 0;
	case MP_CFG_OP_GATT_PROXY_SET:
	case MP_CFG_OP_GATT_PROXY_STATUS:
		one(&st->proxy, m, false);
		return 0;
	case MP_CFG_OP_FRIEND_SET:
	case MP_CFG_OP_FRIEND_STATUS:
		one(&st->friend, m, false);
		return 0;
	case MP_CFG_OP_BEACON_SET:
	case MP_CFG_OP_BEACON_STATUS:
		one(&st->beacon, m, false);
		return 0;
	case MP_CFG_OP_NETWORK_TRANSMIT_SET:
	case MP_CFG_OP_NETWORK_TRANSMIT_STATUS:
		one(&st->net_transmit, m, false);
		return 0;
	case MP_CFG_OP_MODEL_APP_BIND:
	case MP_CFG_OP_MODEL_APP_UNBIND:
	case MP_CFG_OP_SIG_MODEL_APP_LIST:
	case MP_CFG_OP_VENDOR_MODEL_APP_LIST:
	case MP_CFG_OP_MODEL_PUBLICATION_SET:
	case MP_CFG_OP_MODEL_PUBLICATION_STATUS:
	case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL:
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST:
		return apply_model(st, m, virt);
	default:
		return -ENOMSG;
	}
}

static int model_text(const struct mp_model_id *id, char *buf, size_t n)
{
	if (id->vendor)
		return snprintf(buf, n, "%04x:%04x", id->cid, id->id);
	return snprintf(buf, n, "%04x", id->id);
}

static void addr_text(const struct mp_profile_op *op, uint16_t addr, const uint8_t *label,
		      char *buf, size_t n)
{
	char u[MP_UUID_STR_SIZE];

	if (op->unresolved)
		snprintf(buf, n, "group %s (to be created)", op->group);
	else if (label)
		snprintf(buf, n, "virtual %s%s%s", mp_uuid_format(label, u, true),
			 op->group ? " group " : "", op->group ? op->group : "");
	else if (op->group)
		snprintf(buf, n, "%04x (group %s)", addr, op->group);
	else
		snprintf(buf, n, "%04x", addr);
}

int mp_profile_op_text(const struct mp_profile_op *op, char *buf, size_t n)
{
	const struct mp_cfg_msg *m = &op->msg;
	const char *name = mp_cfg_op_name(m->opcode);
	char mod[16], a[96], ttl[12];
	bool virt = m->opcode == MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET ||
		    m->opcode == MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD ||
		    m->opcode == MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE ||
		    m->opcode == MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE;

	if (!name)
		name = "?";
	model_text(&m->model, mod, sizeof(mod));
	switch (m->opcode) {
	case MP_CFG_OP_APPKEY_ADD:
		return snprintf(buf, n, "%s: AppKey %u on NetKey %u", name, m->app_idx, m->net_idx);
	case MP_CFG_OP_MODEL_APP_BIND:
	case MP_CFG_OP_MODEL_APP_UNBIND:
		return snprintf(buf, n, "%s: element %04x model %s, AppKey %u", name, m->elem_addr,
				mod, m->app_idx);
	case MP_CFG_OP_MODEL_PUBLICATION_SET:
	case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
		if (!virt && !op->unresolved && !m->pub.addr)
			return snprintf(buf, n, "%s: element %04x model %s, publication off", name,
					m->elem_addr, mod);
		addr_text(op, m->pub.addr, virt ? m->pub.label : NULL, a, sizeof(a));
		if (m->pub.ttl == MP_CFG_TTL_DEFAULT)
			snprintf(ttl, sizeof(ttl), "default");
		else
			snprintf(ttl, sizeof(ttl), "%u", m->pub.ttl);
		return snprintf(buf, n, "%s: element %04x model %s, to %s with AppKey %u, TTL %s, "
				"period %02x, retransmit %02x%s", name, m->elem_addr, mod, a,
				m->pub.app_idx, ttl, m->pub.period, m->pub.retransmit,
				m->pub.cred ? ", friendship credentials" : "");
	case MP_CFG_OP_MODEL_SUBSCRIPTION_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
		addr_text(op, m->addr, virt ? m->label : NULL, a, sizeof(a));
		return snprintf(buf, n, "%s: element %04x model %s, %s", name, m->elem_addr, mod, a);
	case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL:
		return snprintf(buf, n, "%s: element %04x model %s", name, m->elem_addr, mod);
	case MP_CFG_OP_DEFAULT_TTL_SET:
		return snprintf(buf, n, "%s: %u", name, m->state);
	case MP_CFG_OP_RELAY_SET:
		return snprintf(buf, n, "%s: %s, %u transmissions every %u ms", name,
				m->state ? "on" : "off", MP_CFG_XMIT_COUNT(m->retransmit) + 1,
				(MP_CFG_XMIT_STEPS(m->retransmit) + 1) * 10);
	case MP_CFG_OP_NETWORK_TRANSMIT_SET:
		return snprintf(buf, n, "%s: %u transmissions every %u ms", name,
				MP_CFG_XMIT_COUNT(m->state) + 1, (MP_CFG_XMIT_STEPS(m->state) + 1) * 10);
	default:
		return snprintf(buf, n, "%s: %s", name, m->state ? "on" : "off");
	}
}
