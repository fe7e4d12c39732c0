/* The simulated node's Configuration Server: model to AppKey bindings,
 * publication and subscriptions (the Config Model messages of MshPRT v1.1
 * 4.3.2). See include/sim/node_cfg.h and node_cfg.c.
 */
#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "node_cfg_int.h"

/* ---- Model to AppKey bindings: Bind, Unbind, SIG/Vendor Model App Get ---- */

int cfg_h_app_bind(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0, idx;
	struct mp_sim_model id;
	struct model *m = NULL;
	uint8_t st;
	int e;

	mp_get_le16(&x->r, &elem);
	idx = cfg_get_key_idx(x);
	cfg_get_model(x, &id);
	e = cfg_element_of(cfg, elem);
	if (e >= 0)
		m = cfg_find_model(cfg, e, &id);
	if (e < 0)
		st = MP_SIM_CFG_INVALID_ADDRESS;
	else if (!m)
		st = MP_SIM_CFG_INVALID_MODEL;
	else if (!cfg_find_app(cfg, idx))
		st = MP_SIM_CFG_INVALID_APPKEY;
	else if (cfg_devkey_model(&id))
		st = MP_SIM_CFG_CANNOT_BIND;	/* device-key models take no AppKey */
	else {
		size_t b;

		for (b = 0; b < m->n_binds && m->binds[b] != idx; b++)
			;
		st = MP_SIM_CFG_SUCCESS;
		if (x->op == OP_APP_BIND && b == m->n_binds) {
			if (m->n_binds >= cfg->lim.binds_per_model)
				st = MP_SIM_CFG_INSUFFICIENT_RESOURCES;
			else
				m->binds[m->n_binds++] = idx;
		} else if (x->op == OP_APP_UNBIND && b < m->n_binds) {
			memmove(&m->binds[b], &m->binds[b + 1],
				(m->n_binds - b - 1) * sizeof(m->binds[0]));
			m->n_binds--;
			/* A publication with the unbound key stops. 4.4.1 (Model App Unbind) */
			if (m->pub.addr && m->pub.app_idx == idx)
				memset(&m->pub, 0, sizeof(m->pub));
		}
	}
	cfg_put_op(&x->w, OP_APP_STATUS);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, elem);
	mp_put_le16(&x->w, idx);
	cfg_put_model(&x->w, &id);
	return 0;
}

int cfg_h_app_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0;
	struct mp_sim_model id;
	struct model *m = NULL;
	uint8_t st = MP_SIM_CFG_SUCCESS;
	int e;

	x->vendor = x->op == OP_VND_APP_GET;
	mp_get_le16(&x->r, &elem);
	cfg_get_model(x, &id);
	e = cfg_element_of(cfg, elem);
	if (e >= 0)
		m = cfg_find_model(cfg, e, &id);
	if (e < 0)
		st = MP_SIM_CFG_INVALID_ADDRESS;
	else if (!m)
		st = MP_SIM_CFG_INVALID_MODEL;
	cfg_put_op(&x->w, x->vendor ? OP_VND_APP_LIST : OP_APP_LIST);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, elem);
	cfg_put_model(&x->w, &id);
	if (m)
		cfg_put_idx_list(&x->w, m->binds, m->n_binds);
	return 0;
}

/* ---- Publication: Set, Virtual Address Set, Get ---- */

static bool bound(const struct model *m, uint16_t idx)
{
	for (size_t b = 0; b < m->n_binds; b++)
		if (m->binds[b] == idx)
			return true;
	return false;
}

static void pub_status(struct rx *x, uint8_t st, uint16_t elem, const struct mp_sim_pub *p,
		       const struct mp_sim_model *id)
{
	static const struct mp_sim_pub none;

	/* Not Success: the publication fields are zero. */
	if (st != MP_SIM_CFG_SUCCESS || !p)
		p = &none;
	cfg_put_op(&x->w, OP_PUB_STATUS);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, elem);
	mp_put_le16(&x->w, p->addr);
	mp_put_le16(&x->w, (uint16_t)(p->app_idx | (p->cred ? 0x1000 : 0)));
	mp_put_u8(&x->w, p->ttl);
	mp_put_u8(&x->w, p->period);
	mp_put_u8(&x->w, p->retransmit);
	cfg_put_model(&x->w, id);
}

/* Element, then model, for Publication and Subscription messages: a
 * device-key model has neither, and each family names that its own way
 * (@devkey_status). */
static uint8_t model_target(struct mp_sim_cfg *cfg, uint16_t elem, const struct mp_sim_model *id,
			    uint8_t devkey_status, struct model **out)
{
	int e = cfg_element_of(cfg, elem);

	*out = NULL;
	if (e < 0)
		return MP_SIM_CFG_INVALID_ADDRESS;
	*out = cfg_find_model(cfg, e, id);
	if (!*out)
		return MP_SIM_CFG_INVALID_MODEL;
	if (cfg_devkey_model(id))
		return devkey_status;
	return MP_SIM_CFG_SUCCESS;
}

static uint8_t pub_target(struct mp_sim_cfg *cfg, uint16_t elem, const struct mp_sim_model *id,
			  struct model **out)
{
	return model_target(cfg, elem, id, MP_SIM_CFG_INVALID_PUBLISH, out);
}

int cfg_h_pub_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0;
	struct mp_sim_model id;
	struct model *m;
	uint8_t st;

	mp_get_le16(&x->r, &elem);
	cfg_get_model(x, &id);
	st = pub_target(cfg, elem, &id, &m);
	pub_status(x, st, elem, m ? &m->pub : NULL, &id);
	return 0;
}

int cfg_h_pub_set(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0, addr = 0, w16 = 0;
	const uint8_t *label = NULL;
	struct mp_sim_pub p;
	struct mp_sim_model id;
	struct model *m;
	uint8_t st;
	int err;

	memset(&p, 0, sizeof(p));
	mp_get_le16(&x->r, &elem);
	if (x->op == OP_PUB_VIRT_SET)
		mp_get_ref(&x->r, &label, 16);
	else
		mp_get_le16(&x->r, &addr);
	mp_get_le16(&x->r, &w16);
	mp_get_u8(&x->r, &p.ttl);
	mp_get_u8(&x->r, &p.period);
	mp_get_u8(&x->r, &p.retransmit);
	cfg_get_model(x, &id);
	/* Prohibited: a PublishTTL of 0x80..0xfe (Model Publication, 4.2); a
	 * virtual address without its Label UUID (the Virtual Address Set
	 * carries it). */
	if (p.ttl >= 0x80 && p.ttl != 0xff)
		return -EBADMSG;
	if (label) {
		err = mp_sim_virtual_addr(label, &addr);
		if (err)
			return err;
		p.virt = true;
		memcpy(p.label, label, 16);
	} else if (is_virtual(addr)) {
		return -EBADMSG;
	}
	p.addr = addr;
	p.app_idx = w16 & KEY_IDX_MASK;
	p.cred = w16 & 0x1000;		/* bits 13-15 RFU */

	st = pub_target(cfg, elem, &id, &m);
	/* Friendship credentials: a Low Power node's only (4.2). */
	if (st == MP_SIM_CFG_SUCCESS && p.cred && !(cfg->comp.features & MP_SIM_FEAT_LPN))
		st = MP_SIM_CFG_FEATURE_NOT_SUPPORTED;
	if (st == MP_SIM_CFG_SUCCESS && !p.addr) {
		/* The unassigned address disables publication and clears
		 * every parameter (4.2). */
		memset(&m->pub, 0, sizeof(m->pub));
	} else if (st == MP_SIM_CFG_SUCCESS) {
		/* The key published with is one the model is bound to (4.2). */
		if (!cfg_find_app(cfg, p.app_idx) || !bound(m, p.app_idx))
			st = MP_SIM_CFG_INVALID_APPKEY;
		else
			m->pub = p;
	}
	pub_status(x, st, elem, m ? &m->pub : NULL, &id);
	return 0;
}

/* ---- Subscriptions: Add, Delete, Overwrite, Delete All (and Virtual), Get ---- */

static uint8_t sub_target(struct mp_sim_cfg *cfg, uint16_t elem, const struct mp_sim_model *id,
			  struct model **out)
{
	return model_target(cfg, elem, id, MP_SIM_CFG_NOT_SUBSCRIBE_MODEL, out);
}

static size_t sub_find(const struct model *m, const struct sub *s)
{
	size_t i;

	for (i = 0; i < m->n_subs; i++) {
		const struct sub *t = &m->subs[i];

		if (t->virt == s->virt && t->addr == s->addr &&
		    (!s->virt || !memcmp(t->label, s->label, 16)))
			break;
	}
	return i;
}

static uint8_t sub_apply(struct mp_sim_cfg *cfg, struct model *m, uint32_t op, const struct sub *s)
{
	size_t i = sub_find(m, s);

	switch (op) {
	case OP_SUB_OVERWRITE:
	case OP_SUB_VIRT_OVERWRITE:
		m->n_subs = 0;
		i = 0;
		/* fall through */
	case OP_SUB_ADD:
	case OP_SUB_VIRT_ADD:
		if (i < m->n_subs)
			return MP_SIM_CFG_SUCCESS;	/* already there */
		if (m->n_subs >= cfg->lim.subs_per_model)
			return MP_SIM_CFG_INSUFFICIENT_RESOURCES;
		m->subs[m->n_subs++] = *s;
		return MP_SIM_CFG_SUCCESS;
	default:	/* delete: an absent address is Success */
		if (i < m->n_subs) {
			memmove(&m->subs[i], &m->subs[i + 1], (m->n_subs - i - 1) * sizeof(m->subs[0]));
			m->n_subs--;
		}
		return MP_SIM_CFG_SUCCESS;
	}
}

static void sub_status(struct rx *x, uint8_t st, uint16_t elem, uint16_t addr,
		       const struct mp_sim_model *id)
{
	cfg_put_op(&x->w, OP_SUB_STATUS);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, elem);
	mp_put_le16(&x->w, addr);
	cfg_put_model(&x->w, id);
}

int cfg_h_sub(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0;
	struct mp_sim_model id;
	struct model *m;
	struct sub s;
	uint8_t st;
	int err;

	memset(&s, 0, sizeof(s));
	mp_get_le16(&x->r, &elem);
	if (x->op >= OP_SUB_VIRT_ADD) {
		const uint8_t *label = NULL;

		mp_get_ref(&x->r, &label, 16);
		if (!label)
			return -EBADMSG;
		err = mp_sim_virtual_addr(label, &s.addr);
		if (err)
			return err;
		s.virt = true;
		memcpy(s.label, label, 16);
	} else {
		mp_get_le16(&x->r, &s.addr);
		if (is_virtual(s.addr))
			return -EBADMSG;	/* the Virtual Address messages carry the label */
	}
	cfg_get_model(x, &id);
	st = sub_target(cfg, elem, &id, &m);
	/* A subscription is to a group or virtual address; the all-nodes
	 * address is every model's already (Subscription List, 4.2). */
	if (st == MP_SIM_CFG_SUCCESS && !s.virt && (!is_group(s.addr) || s.addr == ALL_NODES))
		st = MP_SIM_CFG_INVALID_ADDRESS;
	if (st == MP_SIM_CFG_SUCCESS)
		st = sub_apply(cfg, m, x->op, &s);
	sub_status(x, st, elem, s.addr, &id);
	return 0;
}

int cfg_h_sub_delete_all(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0;
	struct mp_sim_model id;
	struct model *m;
	uint8_t st;

	mp_get_le16(&x->r, &elem);
	cfg_get_model(x, &id);
	st = sub_target(cfg, elem, &id, &m);
	if (st == MP_SIM_CFG_SUCCESS)
		m->n_subs = 0;
	sub_status(x, st, elem, 0x0000, &id);	/* Address: unassigned (Delete All) */
	return 0;
}

int cfg_h_sub_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t elem = 0;
	struct mp_sim_model id;
	struct model *m;
	uint8_t st;

	x->vendor = x->op == OP_VND_SUB_GET;
	mp_get_le16(&x->r, &elem);
	cfg_get_model(x, &id);
	st = sub_target(cfg, elem, &id, &m);
	cfg_put_op(&x->w, x->vendor ? OP_VND_SUB_LIST : OP_SUB_LIST);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, elem);
	cfg_put_model(&x->w, &id);
	if (st == MP_SIM_CFG_SUCCESS)
		for (size_t i = 0; i < m->n_subs; i++)
			mp_put_le16(&x->w, m->subs[i].addr);
	return 0;
}
