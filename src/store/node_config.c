/* Node configuration and groups in the keyring (see
 * include/store/node_config.h): the records in memory, and every change,
 * saved before the call returns as nodes.c does (snapshot, change, save,
 * roll back if the save fails). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mesh_keys.h"
#include "kr_int.h"

/* ---- The records in memory ------------------------------------------------------ */

static void model_free(struct mp_nc_model *m)
{
	free(m->bind);
	free(m->sub);
	m->bind = NULL;
	m->sub = NULL;
	m->n_bind = m->n_sub = 0;
}

static void element_free(struct mp_nc_element *e)
{
	unsigned i;

	for (i = 0; i < e->n_models; i++)
		model_free(&e->models[i]);
	free(e->models);
	e->models = NULL;
	e->n_models = 0;
}

void kr_nc_free(struct mp_node_config *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->n_elements; i++)
		element_free(&c->elements[i]);
	free(c->elements);
	free(c->steps);
	free(c);
}

struct mp_node_config *kr_nc_new(uint8_t elements)
{
	struct mp_node_config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->relay = c->proxy = c->friend_ = c->low_power = c->beacon = MP_NC_UNKNOWN;
	if (elements) {
		c->elements = calloc(elements, sizeof(*c->elements));
		if (!c->elements) {
			free(c);
			return NULL;
		}
		c->n_elements = elements;
	}
	return c;
}

static void *dup_array(const void *p, size_t n, size_t size, bool *ok)
{
	void *q;

	if (!n)
		return NULL;
	q = malloc(n * size);
	if (!q) {
		*ok = false;
		return NULL;
	}
	memcpy(q, p, n * size);
	return q;
}

struct mp_node_config *kr_nc_clone(const struct mp_node_config *c, bool *ok)
{
	struct mp_node_config *d;
	unsigned i, k;

	if (!c)
		return NULL;
	d = malloc(sizeof(*d));
	if (!d) {
		*ok = false;
		return NULL;
	}
	*d = *c;
	d->steps = dup_array(c->steps, c->n_steps, sizeof(*c->steps), ok);
	d->elements = calloc(c->n_elements + 1, sizeof(*d->elements));
	if (!d->elements) {
		d->n_elements = 0;
		*ok = false;
		return d;
	}
	for (i = 0; i < c->n_elements; i++) {
		const struct mp_nc_element *e = &c->elements[i];
		struct mp_nc_element *f = &d->elements[i];

		*f = *e;
		f->models = calloc(e->n_models + 1, sizeof(*f->models));
		if (!f->models) {
			f->n_models = 0;
			*ok = false;
			continue;
		}
		for (k = 0; k < e->n_models; k++) {
			f->models[k] = e->models[k];
			f->models[k].bind = dup_array(e->models[k].bind, e->models[k].n_bind,
						      sizeof(uint16_t), ok);
			f->models[k].sub = dup_array(e->models[k].sub, e->models[k].n_sub,
						     sizeof(struct mp_nc_addr), ok);
		}
	}
	return d;
}

/* ---- Reading ----------------------------------------------------------------------- */

const struct mp_node_config *mp_node_config(const struct mp_keyring *kr, uint16_t addr)
{
	ssize_t i = kr_node_index(kr->d, addr);

	return i < 0 ? NULL : kr->d->nodes[i].config;
}

static struct mp_nc_model *find_model(const struct mp_node_config *cfg, uint8_t elem,
				      uint16_t company, uint16_t id)
{
	unsigned i;

	if (!cfg || elem >= cfg->n_elements)
		return NULL;
	for (i = 0; i < cfg->elements[elem].n_models; i++)
		if (cfg->elements[elem].models[i].company == company &&
		    cfg->elements[elem].models[i].id == id)
			return &cfg->elements[elem].models[i];
	return NULL;
}

const struct mp_nc_model *mp_node_config_model(const struct mp_node_config *cfg, uint8_t elem,
					       uint16_t company, uint16_t id)
{
	return find_model(cfg, elem, company, id);
}

bool mp_node_config_step_is_done(const struct mp_keyring *kr, uint16_t addr,
				 const char *profile, const char *step)
{
	const struct mp_node_config *c = mp_node_config(kr, addr);
	size_t i;

	if (!c || !profile || !step || strcmp(c->profile, profile))
		return false;
	for (i = 0; i < c->n_steps; i++)
		if (!strcmp(c->steps[i], step))
			return true;
	return false;
}

/* ---- Changing ---------------------------------------------------------------------- */

/* Start a change of node @addr: the node, and a copy to roll back to. */
static struct mp_node *begin(struct mp_keyring *kr, uint16_t addr, struct kr_data **before,
			     int *r)
{
	struct mp_node *n;

	kr_err_clear(&kr->err);
	*before = NULL;
	n = kr_node_or_fail(kr, addr);
	if (!n) {
		*r = -ENOENT;
		return NULL;
	}
	*r = kr_snapshot(kr, before);
	if (*r)
		return NULL;
	/* merge takes a node's record from the copy that changed it last */
	n->modified_at = kr_now(kr);
	return n;
}

int kr_undo(struct mp_keyring *kr, struct kr_data *before, int r)
{
	if (before) {
		kr_data_free(kr->d);
		kr->d = before;
	}
	if (r == -ENOMEM)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	return r;
}

/* The node's configuration, made when there is none. Its elements are the
 * node's: an element array recorded shorter (none yet) is completed. */
static struct mp_node_config *cfg_of(struct mp_node *n)
{
	struct mp_node_config *c = n->config;
	struct mp_nc_element *e;

	if (!c) {
		c = n->config = kr_nc_new(n->elements);
		return c;
	}
	if (c->n_elements < n->elements) {
		e = realloc(c->elements, n->elements * sizeof(*e));
		if (!e)
			return NULL;
		memset(e + c->n_elements, 0, (n->elements - c->n_elements) * sizeof(*e));
		c->elements = e;
		c->n_elements = n->elements;
	}
	return c;
}

static const char *model_str(uint16_t company, uint16_t id, char buf[12])
{
	if (company == MP_NC_SIG)
		snprintf(buf, 12, "%04X", id);
	else
		snprintf(buf, 12, "%04X%04X", company, id);
	return buf;
}

/* Check what a model change names, before anything changes. */
static int check_model(struct mp_keyring *kr, const struct mp_node *n, uint8_t elem,
		       uint16_t company, uint16_t id)
{
	char m[12];

	if (elem >= n->elements)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "node %04X has %u element%s: there is no element %u", n->addr,
			       n->elements, n->elements == 1 ? "" : "s", elem);
	if (n->config && n->config->has_comp && !find_model(n->config, elem, company, id))
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "node %04X element %u has no model %s in its recorded "
			       "composition", n->addr, elem, model_str(company, id, m));
	return 0;
}

/* The model to change (added to the element when no composition says
 * which models there are); NULL when out of memory. */
static struct mp_nc_model *model_of(struct mp_node *n, uint8_t elem, uint16_t company,
				    uint16_t id)
{
	struct mp_node_config *c = cfg_of(n);
	struct mp_nc_element *e;
	struct mp_nc_model *m;

	if (!c)
		return NULL;
	m = find_model(c, elem, company, id);
	if (m)
		return m;
	e = &c->elements[elem];
	m = realloc(e->models, (e->n_models + 1u) * sizeof(*m));
	if (!m)
		return NULL;
	e->models = m;
	m = &e->models[e->n_models++];
	memset(m, 0, sizeof(*m));
	m->company = company;
	m->id = id;
	return m;
}

int mp_node_config_set_composition(struct mp_keyring *kr, uint16_t addr,
				   const struct mp_nc_comp *comp)
{
	static const uint16_t bits[] = { MP_NC_FEAT_RELAY, MP_NC_FEAT_PROXY, MP_NC_FEAT_FRIEND,
					 MP_NC_FEAT_LPN };
	struct mp_nc_element *els;
	struct mp_node_config *c;
	struct kr_data *before;
	struct mp_node *n;
	unsigned i, j, k;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (!comp || (comp->n_elements && !comp->elements))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL, "no composition given");
	if (comp->n_elements != n->elements)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "the composition of node %04X lists %u elements; the node has %u",
			       addr, comp->n_elements, n->elements);
	for (i = 0; i < comp->n_elements; i++) {
		const struct mp_nc_comp_element *ce = &comp->elements[i];
		char m[12];

		if (ce->n_models > MP_NC_MAX_MODELS || (ce->n_models && !ce->models))
			return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
				       "element %u: at most %d models", i, MP_NC_MAX_MODELS);
		for (j = 0; j < ce->n_models; j++)
			for (k = 0; k < j; k++)
				if (ce->models[k].company == ce->models[j].company &&
				    ce->models[k].id == ce->models[j].id)
					return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
						       "element %u lists model %s twice", i,
						       model_str(ce->models[j].company,
								 ce->models[j].id, m));
	}
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	c = cfg_of(n);
	/* Everything allocated first, so that a failure changes nothing (a
	 * keyring in memory or in a batch has no copy to roll back to). */
	els = c ? calloc(comp->n_elements + 1u, sizeof(*els)) : NULL;
	for (i = 0; els && i < comp->n_elements; i++) {
		els[i].models = calloc(comp->elements[i].n_models + 1u, sizeof(*els[i].models));
		if (!els[i].models)
			break;
	}
	if (!els || i < comp->n_elements) {
		for (j = 0; els && j < i; j++)
			free(els[j].models);
		free(els);
		return kr_undo(kr, before, -ENOMEM);
	}
	for (i = 0; i < comp->n_elements; i++) {
		const struct mp_nc_comp_element *ce = &comp->elements[i];

		els[i].location = ce->location;
		memcpy(els[i].name, c->elements[i].name, sizeof(els[i].name));
		els[i].n_models = ce->n_models;
		for (j = 0; j < ce->n_models; j++) {
			struct mp_nc_model *old = find_model(c, (uint8_t)i, ce->models[j].company,
							     ce->models[j].id);

			if (old) {
				/* the model's recorded state moves to the new record */
				els[i].models[j] = *old;
				old->bind = NULL;
				old->sub = NULL;
				old->n_bind = old->n_sub = 0;
			} else {
				els[i].models[j].company = ce->models[j].company;
				els[i].models[j].id = ce->models[j].id;
			}
		}
	}
	for (i = 0; i < c->n_elements; i++)
		element_free(&c->elements[i]);
	free(c->elements);
	c->elements = els;
	c->n_elements = comp->n_elements;
	c->has_comp = true;
	c->cid = comp->cid;
	c->pid = comp->pid;
	c->vid = comp->vid;
	c->crpl = comp->crpl;
	{
		uint8_t *st[] = { &c->relay, &c->proxy, &c->friend_, &c->low_power };

		for (i = 0; i < 4; i++)
			if (!(comp->features & bits[i]))
				*st[i] = MP_NC_UNSUPPORTED;
			else if (*st[i] == MP_NC_UNSUPPORTED)
				*st[i] = MP_NC_UNKNOWN;
	}
	return kr_finish(kr, before);
}

int mp_node_config_bind(struct mp_keyring *kr, uint16_t addr, uint8_t elem, uint16_t company,
			uint16_t id, uint16_t app_index, bool bind)
{
	struct kr_data *before;
	struct mp_nc_model *m;
	struct mp_node *n;
	uint16_t *b;
	unsigned i;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	r = check_model(kr, n, elem, company, id);
	if (r)
		return r;
	if (bind && !kr_appkey_find(kr->d, app_index))
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "there is no AppKey of index %u in the keyring", app_index);
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	m = model_of(n, elem, company, id);
	if (!m)
		return kr_undo(kr, before, -ENOMEM);
	for (i = 0; i < m->n_bind && m->bind[i] != app_index; i++)
		;
	if (bind && i == m->n_bind) {
		b = realloc(m->bind, (m->n_bind + 1u) * sizeof(*b));
		if (!b)
			return kr_undo(kr, before, -ENOMEM);
		m->bind = b;
		m->bind[m->n_bind++] = app_index;
	} else if (!bind && i < m->n_bind) {
		memmove(&m->bind[i], &m->bind[i + 1], (m->n_bind - i - 1u) * sizeof(*m->bind));
		m->n_bind--;
	}
	return kr_finish(kr, before);
}

/* A subscription or publication address as given: a label's virtual
 * address is computed here. */
static int check_addr(struct mp_keyring *kr, const struct mp_nc_addr *in, bool sub,
		      struct mp_nc_addr *out)
{
	*out = *in;
	if (in->virt) {
		if (mp_virtual_address(in->label, &out->addr))
			return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "AES-CMAC failed");
		return 0;
	}
	memset(out->label, 0, sizeof(out->label));
	if (sub && in->addr < 0xc000)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "%04X is not a group address (C000-FFFF) or a virtual label: a "
			       "model subscribes to groups", in->addr);
	if (!sub && in->addr >= 0x8000 && in->addr < 0xc000)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "%04X is a virtual address: give its label", in->addr);
	return 0;
}

int mp_node_config_subscribe(struct mp_keyring *kr, uint16_t addr, uint8_t elem,
			     uint16_t company, uint16_t id, enum mp_nc_sub_op op,
			     const struct mp_nc_addr *a)
{
	struct mp_nc_addr x = { 0 };
	struct kr_data *before;
	struct mp_nc_model *m;
	struct mp_nc_addr *s;
	struct mp_node *n;
	unsigned i;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if ((unsigned)op > MP_NC_SUB_DELETE_ALL || (op != MP_NC_SUB_DELETE_ALL && !a))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a subscription change needs an address");
	r = check_model(kr, n, elem, company, id);
	if (!r && op != MP_NC_SUB_DELETE_ALL)
		r = check_addr(kr, a, true, &x);
	if (r)
		return r;
	m = find_model(n->config, elem, company, id);
	if (op == MP_NC_SUB_ADD && m && m->n_sub >= MP_NC_MAX_SUBS)
		return kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
			       "node %04X: the keyring records %d subscriptions of a model at "
			       "most", addr, MP_NC_MAX_SUBS);
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	m = model_of(n, elem, company, id);
	if (!m)
		return kr_undo(kr, before, -ENOMEM);
	for (i = 0; i < m->n_sub; i++)
		if (op != MP_NC_SUB_DELETE_ALL && kr_nc_same_addr(&m->sub[i], &x))
			break;
	switch (op) {
	case MP_NC_SUB_OVERWRITE:
		m->n_sub = 0;
		i = 0;
		/* fall through */
	case MP_NC_SUB_ADD:
		if (i < m->n_sub)
			break;
		s = realloc(m->sub, (m->n_sub + 1u) * sizeof(*s));
		if (!s)
			return kr_undo(kr, before, -ENOMEM);
		m->sub = s;
		m->sub[m->n_sub++] = x;
		break;
	case MP_NC_SUB_DELETE:
		if (i == m->n_sub)
			break;
		memmove(&m->sub[i], &m->sub[i + 1], (m->n_sub - i - 1u) * sizeof(*m->sub));
		m->n_sub--;
		break;
	case MP_NC_SUB_DELETE_ALL:
		m->n_sub = 0;
		break;
	}
	return kr_finish(kr, before);
}

int mp_node_config_publish(struct mp_keyring *kr, uint16_t addr, uint8_t elem, uint16_t company,
			   uint16_t id, const struct mp_nc_pub *pub)
{
	struct mp_nc_pub p;
	struct kr_data *before;
	struct mp_nc_model *m;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	r = check_model(kr, n, elem, company, id);
	if (r)
		return r;
	if (pub) {
		p = *pub;
		r = check_addr(kr, &pub->addr, false, &p.addr);
		if (r)
			return r;
		if (p.app_index > MP_KEY_INDEX_MAX || (p.ttl > 127 && p.ttl != MP_NC_TTL_DEFAULT) ||
		    p.period_steps > 63 ||
		    (p.period_res_ms != 100 && p.period_res_ms != 1000 &&
		     p.period_res_ms != 10000 && p.period_res_ms != 600000) ||
		    p.rtx_count > 7 || p.rtx_interval_ms < 50 || p.rtx_interval_ms > 1600 ||
		    p.rtx_interval_ms % 50)
			return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
				       "a publication out of range (AppKey index 0..4095, TTL "
				       "0..127 or 255, period steps 0..63 of 100, 1000, 10000 or "
				       "600000 ms, retransmissions 0..7 every 50..1600 ms by 50)");
	}
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	m = model_of(n, elem, company, id);
	if (!m)
		return kr_undo(kr, before, -ENOMEM);
	/* The unassigned address disables publishing (MshPRT v1.1 4.2.3.1). */
	m->has_pub = pub && (p.addr.virt || p.addr.addr);
	if (m->has_pub)
		m->pub = p;
	else
		memset(&m->pub, 0, sizeof(m->pub));
	return kr_finish(kr, before);
}

static bool transmit_ok(const struct mp_nc_transmit *t)
{
	return t->count >= 1 && t->count <= 8 && t->interval_ms >= 10 && t->interval_ms <= 320 &&
	       t->interval_ms % 10 == 0;
}

int mp_node_config_set(struct mp_keyring *kr, uint16_t addr, const struct mp_nc_settings *s)
{
	struct mp_node_config *c;
	struct kr_data *before;
	struct mp_node *n;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	if (!s || ((s->mask & MP_NC_SET_DEFAULT_TTL) && (s->default_ttl == 1 || s->default_ttl > 127)))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a Default TTL is 0 or 2..127 (MshPRT v1.1 4.2.7)");
	if (((s->mask & MP_NC_SET_NET_TX) && !transmit_ok(&s->net_tx)) ||
	    ((s->mask & MP_NC_SET_RELAY) && !transmit_ok(&s->relay_rtx)))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "transmissions are 1..8, every 10..320 ms by 10");
	if (((s->mask & MP_NC_SET_RELAY) && s->relay > MP_NC_UNSUPPORTED) ||
	    ((s->mask & MP_NC_SET_PROXY) && s->proxy > MP_NC_UNSUPPORTED) ||
	    ((s->mask & MP_NC_SET_FRIEND) && s->friend_ > MP_NC_UNSUPPORTED) ||
	    ((s->mask & MP_NC_SET_LOW_POWER) && s->low_power > MP_NC_UNSUPPORTED) ||
	    ((s->mask & MP_NC_SET_BEACON) && s->beacon > MP_NC_ON))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a feature state is 0 (off), 1 (on) or 2 (unsupported)");
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	c = cfg_of(n);
	if (!c)
		return kr_undo(kr, before, -ENOMEM);
	if (s->mask & MP_NC_SET_DEFAULT_TTL) {
		c->has_default_ttl = true;
		c->default_ttl = s->default_ttl;
	}
	if (s->mask & MP_NC_SET_NET_TX) {
		c->has_net_tx = true;
		c->net_tx = s->net_tx;
	}
	if (s->mask & MP_NC_SET_RELAY) {
		c->relay = s->relay;
		c->has_relay_rtx = true;
		c->relay_rtx = s->relay_rtx;
	}
	if (s->mask & MP_NC_SET_PROXY)
		c->proxy = s->proxy;
	if (s->mask & MP_NC_SET_FRIEND)
		c->friend_ = s->friend_;
	if (s->mask & MP_NC_SET_LOW_POWER)
		c->low_power = s->low_power;
	if (s->mask & MP_NC_SET_BEACON)
		c->beacon = s->beacon;
	return kr_finish(kr, before);
}

int mp_node_config_set_updated(struct mp_keyring *kr, uint16_t addr, bool app, uint16_t index,
			       bool updated)
{
	struct mp_node_config *c;
	struct kr_data *before;
	struct mp_node *n;
	uint16_t *l;
	uint8_t *cnt;
	unsigned i;
	int r;

	kr_err_clear(&kr->err);
	n = kr_node_or_fail(kr, addr);
	if (!n)
		return -ENOENT;
	l = app ? n->app_keys : n->net_keys;
	cnt = app ? &n->n_app_keys : &n->n_net_keys;
	for (i = 0; i < *cnt && l[i] != index; i++)
		;
	if (i == *cnt)
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "node %04X does not hold %s %u", addr, app ? "AppKey" : "NetKey",
			       index);
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	c = cfg_of(n);
	if (!c)
		return kr_undo(kr, before, -ENOMEM);
	{
		const uint16_t *held = app ? n->app_keys : n->net_keys;
		unsigned h, n_held = app ? n->n_app_keys : n->n_net_keys, k, w;

		l = app ? c->app_updated : c->net_updated;
		cnt = app ? &c->n_app_updated : &c->n_net_updated;
		/* keep the flags of keys the node holds, this one's last: then
		 * there is one per held key at most, and room */
		for (k = w = 0; k < *cnt; k++) {
			for (h = 0; h < n_held && held[h] != l[k]; h++)
				;
			if (h < n_held && l[k] != index)
				l[w++] = l[k];
		}
		*cnt = (uint8_t)w;
		if (updated)
			l[(*cnt)++] = index;
	}
	return kr_finish(kr, before);
}

int mp_node_config_step_done(struct mp_keyring *kr, uint16_t addr, const char *profile,
			     const char *step)
{
	struct mp_node_config *c;
	struct kr_data *before;
	struct mp_node *n;
	char (*s)[MP_NC_STEP_MAX + 1];
	int r;

	kr_err_clear(&kr->err);
	if (!kr_name_ok(profile, MP_NC_STEP_MAX, false) || !kr_name_ok(step, MP_NC_STEP_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a profile or step name is 1 to %d bytes without control "
			       "characters", MP_NC_STEP_MAX);
	if (mp_node_config_step_is_done(kr, addr, profile, step))
		return 0;
	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	c = cfg_of(n);
	if (!c)
		return kr_undo(kr, before, -ENOMEM);
	if (strcmp(c->profile, profile)) {
		snprintf(c->profile, sizeof(c->profile), "%s", profile);
		c->n_steps = 0;
	}
	if (c->n_steps >= MP_NC_MAX_STEPS)
		return kr_undo(kr, before,
			    kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
				    "node %04X: %d steps recorded already", addr,
				    MP_NC_MAX_STEPS));
	s = realloc(c->steps, (c->n_steps + 1) * sizeof(*s));
	if (!s)
		return kr_undo(kr, before, -ENOMEM);
	c->steps = s;
	snprintf(c->steps[c->n_steps++], sizeof(*s), "%s", step);
	return kr_finish(kr, before);
}

int mp_node_config_steps_clear(struct mp_keyring *kr, uint16_t addr)
{
	struct kr_data *before;
	struct mp_node *n;
	int r;

	n = begin(kr, addr, &before, &r);
	if (!n)
		return r;
	if (n->config) {
		n->config->profile[0] = '\0';
		n->config->n_steps = 0;
	}
	return kr_finish(kr, before);
}

/* ---- Groups ----------------------------------------------------------------------- */

size_t mp_keyring_group_count(const struct mp_keyring *kr)
{
	return kr->d->n_groups;
}

const struct mp_group *mp_keyring_group_at(const struct mp_keyring *kr, size_t i)
{
	return i < kr->d->n_groups ? &kr->d->groups[i] : NULL;
}

const struct mp_group *mp_keyring_group_find_name(const struct mp_keyring *kr, const char *name)
{
	size_t i;

	for (i = 0; name && i < kr->d->n_groups; i++)
		if (!strcmp(kr->d->groups[i].name, name))
			return &kr->d->groups[i];
	return NULL;
}

const struct mp_group *mp_keyring_group_find(const struct mp_keyring *kr, uint16_t addr)
{
	size_t i;

	for (i = 0; i < kr->d->n_groups; i++)
		if (kr->d->groups[i].addr.addr == addr)
			return &kr->d->groups[i];
	return NULL;
}

static const struct mp_group *group_of_addr(const struct kr_data *d, const struct mp_nc_addr *a)
{
	size_t i;

	for (i = 0; i < d->n_groups; i++)
		if (kr_nc_same_addr(&d->groups[i].addr, a))
			return &d->groups[i];
	return NULL;
}

int mp_keyring_group_add(struct mp_keyring *kr, const char *name, const struct mp_nc_addr *addr,
			 const struct mp_nc_addr *parent, const struct mp_group **out)
{
	static const uint8_t zero[16];
	const struct mp_provisioner *p = &kr->d->provs[kr->d->self];
	const struct mp_group *other;
	struct mp_nc_addr a = { 0 }, par = { 0 };
	struct kr_data *before;
	struct mp_group *g;
	char ranges[160];
	uint32_t x;
	unsigned i;
	int r;

	kr_err_clear(&kr->err);
	if (!kr_name_ok(name, MP_KR_NAME_MAX, false))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a group name is 1 to %d bytes without control characters",
			       MP_KR_NAME_MAX);
	if (mp_keyring_group_find_name(kr, name))
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "there is a group named \"%s\" already", name);
	kr_ranges_str(p->group, p->n_group, ranges, sizeof(ranges));
	if (!addr) {
		for (i = 0; i < p->n_group && !a.addr; i++)
			for (x = p->group[i].low; x <= p->group[i].high && !a.addr; x++) {
				struct mp_nc_addr t = { .addr = (uint16_t)x };

				if (!group_of_addr(kr->d, &t))
					a.addr = (uint16_t)x;
			}
		if (!a.addr)
			return kr_fail(&kr->err, -ENOSPC, MP_KR_E_FULL, NULL,
				       "no free group address in this provisioner's group "
				       "range%s (%s)", p->n_group == 1 ? "" : "s", ranges);
	} else if (addr->virt) {
		a = *addr;
		if (!memcmp(a.label, zero, 16) && mp_rng_bytes(kr->rng, a.label, 16))
			return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "no random bytes");
		if (mp_virtual_address(a.label, &a.addr))
			return kr_fail(&kr->err, -EIO, MP_KR_E_CRYPTO, NULL, "AES-CMAC failed");
	} else {
		a = *addr;
		memset(a.label, 0, sizeof(a.label));
		if (!kr_in_ranges(p->group, p->n_group, a.addr))
			return kr_fail(&kr->err, -ERANGE, MP_KR_E_RANGE, NULL,
				       "group address %04X is outside this provisioner's group "
				       "range%s (%s)", a.addr, p->n_group == 1 ? "" : "s",
				       ranges);
	}
	other = group_of_addr(kr->d, &a);
	if (other)
		return kr_fail(&kr->err, -EEXIST, MP_KR_E_EXISTS, NULL,
			       "group \"%s\" has that address already", other->name);
	if (parent && (parent->virt || parent->addr)) {
		other = group_of_addr(kr->d, parent);
		if (!other)
			return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
				       "the parent is no group of the network");
		par = other->addr;
	}
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	g = kr_append((void **)&kr->d->groups, &kr->d->n_groups, &kr->d->cap_groups, sizeof(*g));
	if (!g)
		return kr_undo(kr, before, -ENOMEM);
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->addr = a;
	g->parent = par;
	r = kr_finish(kr, before);
	if (!r && out)
		*out = &kr->d->groups[kr->d->n_groups - 1];
	return r;
}

int mp_keyring_group_remove(struct mp_keyring *kr, const char *name)
{
	const struct mp_group *g;
	struct kr_data *before;
	struct mp_nc_addr gone;
	size_t i, k;
	int r;

	kr_err_clear(&kr->err);
	g = mp_keyring_group_find_name(kr, name);
	if (!g)
		return kr_fail(&kr->err, -ENOENT, MP_KR_E_NO_SUCH, NULL,
			       "there is no group named \"%s\"", name ? name : "");
	i = (size_t)(g - kr->d->groups);
	r = kr_snapshot(kr, &before);
	if (r)
		return r;
	gone = kr->d->groups[i].addr;
	memmove(&kr->d->groups[i], &kr->d->groups[i + 1],
		(kr->d->n_groups - i - 1) * sizeof(*kr->d->groups));
	kr->d->n_groups--;
	/* its children have no parent any more */
	for (k = 0; k < kr->d->n_groups; k++)
		if (kr_nc_same_addr(&kr->d->groups[k].parent, &gone))
			memset(&kr->d->groups[k].parent, 0, sizeof(gone));
	return kr_finish(kr, before);
}
