/* Composition Data page 0; see include/config/comp.h. MshPRT v1.1 4.2 */
#include "config/comp.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

static bool same_model(const struct mp_model_id *a, const struct mp_model_id *b)
{
	return a->vendor == b->vendor && a->id == b->id && (!a->vendor || a->cid == b->cid);
}

/* An element's models, each once. */
static bool models_unique(const struct mp_comp0 *c, const struct mp_comp_elem *e)
{
	unsigned int i, j;

	for (i = 0; i < e->n_sig; i++)
		for (j = 0; j < i; j++)
			if (c->sig[e->sig_first + i] == c->sig[e->sig_first + j])
				return false;
	for (i = 0; i < e->n_vnd; i++)
		for (j = 0; j < i; j++)
			if (same_model(&c->vnd[e->vnd_first + i], &c->vnd[e->vnd_first + j]))
				return false;
	return true;
}

int mp_comp0_decode(const uint8_t *data, size_t len, struct mp_comp0 *out)
{
	struct mp_comp0 scratch;
	struct mp_comp0 *c = out ? out : &scratch;
	struct mp_reader r;

	memset(c, 0, sizeof(*c));
	if (len > MP_COMP0_MAX_LEN)
		return -EMSGSIZE;
	mp_reader_init(&r, data, len);
	mp_get_le16(&r, &c->cid);
	mp_get_le16(&r, &c->pid);
	mp_get_le16(&r, &c->vid);
	mp_get_le16(&r, &c->crpl);
	mp_get_le16(&r, &c->features);
	if (r.err)
		return -EBADMSG;
	/* At least the primary element. */
	if (!mp_reader_left(&r))
		return -EBADMSG;
	while (mp_reader_left(&r)) {
		struct mp_comp_elem *e;
		unsigned int i;

		/* The length bound keeps every count below its array's size;
		 * checked again so that no input can write past them. */
		if (c->n_elems >= MP_COMP0_MAX_ELEMS)
			return -EMSGSIZE;
		e = &c->elems[c->n_elems];
		mp_get_le16(&r, &e->loc);
		mp_get_u8(&r, &e->n_sig);
		mp_get_u8(&r, &e->n_vnd);
		if (r.err || mp_reader_left(&r) < (size_t)e->n_sig * 2 + (size_t)e->n_vnd * 4)
			return -EBADMSG;
		if (c->n_sig + e->n_sig > MP_COMP0_MAX_SIG || c->n_vnd + e->n_vnd > MP_COMP0_MAX_VND)
			return -EMSGSIZE;
		e->sig_first = c->n_sig;
		e->vnd_first = c->n_vnd;
		for (i = 0; i < e->n_sig; i++)
			mp_get_le16(&r, &c->sig[c->n_sig++]);
		for (i = 0; i < e->n_vnd; i++) {
			struct mp_model_id *m = &c->vnd[c->n_vnd++];

			m->vendor = true;
			mp_get_le16(&r, &m->cid);
			mp_get_le16(&r, &m->id);
		}
		c->n_elems++;
		if (!models_unique(c, e))
			return -ERANGE;
	}
	return 0;
}

int mp_comp0_encode(const struct mp_comp0 *c, uint8_t *out, size_t cap)
{
	struct mp_writer w;
	unsigned int i, j;

	if (!c->n_elems || c->n_elems > MP_COMP0_MAX_ELEMS || c->n_sig > MP_COMP0_MAX_SIG ||
	    c->n_vnd > MP_COMP0_MAX_VND)
		return -EINVAL;
	mp_writer_init(&w, out, cap);
	mp_put_le16(&w, c->cid);
	mp_put_le16(&w, c->pid);
	mp_put_le16(&w, c->vid);
	mp_put_le16(&w, c->crpl);
	mp_put_le16(&w, c->features);
	for (i = 0; i < c->n_elems; i++) {
		const struct mp_comp_elem *e = &c->elems[i];

		if ((unsigned int)e->sig_first + e->n_sig > c->n_sig ||
		    (unsigned int)e->vnd_first + e->n_vnd > c->n_vnd || !models_unique(c, e))
			return -EINVAL;
		mp_put_le16(&w, e->loc);
		mp_put_u8(&w, e->n_sig);
		mp_put_u8(&w, e->n_vnd);
		for (j = 0; j < e->n_sig; j++)
			mp_put_le16(&w, c->sig[e->sig_first + j]);
		for (j = 0; j < e->n_vnd; j++) {
			mp_put_le16(&w, c->vnd[e->vnd_first + j].cid);
			mp_put_le16(&w, c->vnd[e->vnd_first + j].id);
		}
	}
	if (!mp_writer_ok(&w))
		return -ENOSPC;
	if (w.len > MP_COMP0_MAX_LEN)
		return -EINVAL;
	return (int)w.len;
}

bool mp_comp0_has_model(const struct mp_comp0 *c, unsigned int elem,
			const struct mp_model_id *model)
{
	const struct mp_comp_elem *e;
	unsigned int i;

	if (elem >= c->n_elems)
		return false;
	e = &c->elems[elem];
	if (!model->vendor) {
		for (i = 0; i < e->n_sig; i++)
			if (c->sig[e->sig_first + i] == model->id)
				return true;
		return false;
	}
	for (i = 0; i < e->n_vnd; i++)
		if (same_model(&c->vnd[e->vnd_first + i], model))
			return true;
	return false;
}
