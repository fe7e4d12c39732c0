/* Responses matched to requests; see include/access/match.h. */
#include "access/match.h"

#include <errno.h>
#include <string.h>

#include "access/msg.h"

int mp_access_expect_field(struct mp_access_expect *e, uint16_t offset, const uint8_t *value,
			   size_t len)
{
	struct mp_access_field *f;

	if (!len || len > MP_ACCESS_EXPECT_FIELD_MAX || e->n_fields >= MP_ACCESS_EXPECT_FIELDS)
		return -EINVAL;
	f = &e->fields[e->n_fields++];
	f->offset = offset;
	f->len = (uint8_t)len;
	memcpy(f->value, value, len);
	return 0;
}

bool mp_access_expect_matches(const struct mp_access_expect *e, uint16_t src, uint32_t opcode,
			      const uint8_t *params, size_t len)
{
	size_t i;

	if (src != e->src || opcode != e->opcode || (e->len && len != e->len))
		return false;
	for (i = 0; i < e->n_fields; i++) {
		const struct mp_access_field *f = &e->fields[i];

		if ((size_t)f->offset + f->len > len ||
		    memcmp(params + f->offset, f->value, f->len) != 0)
			return false;
	}
	return true;
}

void mp_access_matcher_init(struct mp_access_matcher *m, struct mp_access_pending *slots,
			    size_t n)
{
	memset(m, 0, sizeof(*m));
	m->slots = slots;
	m->n_slots = n;
	m->next_id = 1;
	memset(slots, 0, n * sizeof(*slots));
}

static bool expect_valid(const struct mp_access_expect *e)
{
	size_t i;

	/* The answer comes from one element: a unicast address. MshPRT v1.1 3.4.2 */
	if (!e->src || e->src >= 0x8000 || !mp_access_opcode_len(e->opcode) ||
	    e->n_fields > MP_ACCESS_EXPECT_FIELDS || e->len > MP_ACCESS_MSG_MAX)
		return false;
	for (i = 0; i < e->n_fields; i++)
		if (!e->fields[i].len || e->fields[i].len > MP_ACCESS_EXPECT_FIELD_MAX)
			return false;
	return true;
}

/* Two requests whose answers would look alike. */
static bool same_expect(const struct mp_access_expect *a, const struct mp_access_expect *b)
{
	size_t i;

	if (a->src != b->src || a->opcode != b->opcode || a->len != b->len ||
	    a->n_fields != b->n_fields)
		return false;
	for (i = 0; i < a->n_fields; i++)
		if (a->fields[i].offset != b->fields[i].offset ||
		    a->fields[i].len != b->fields[i].len ||
		    memcmp(a->fields[i].value, b->fields[i].value, a->fields[i].len) != 0)
			return false;
	return true;
}

int64_t mp_access_matcher_add(struct mp_access_matcher *m, const struct mp_access_expect *e)
{
	struct mp_access_pending *free_slot = NULL;
	size_t i;

	if (!expect_valid(e))
		return -EINVAL;
	for (i = 0; i < m->n_slots; i++) {
		struct mp_access_pending *p = &m->slots[i];

		if (!p->used) {
			if (!free_slot)
				free_slot = p;
			continue;
		}
		if (same_expect(&p->expect, e))
			return -EBUSY;
	}
	if (!free_slot)
		return -ENOBUFS;
	free_slot->used = true;
	free_slot->id = m->next_id++;
	if (!m->next_id)	/* 0 is never an id */
		m->next_id = 1;
	free_slot->expect = *e;
	return free_slot->id;
}

int mp_access_matcher_cancel(struct mp_access_matcher *m, uint32_t id)
{
	size_t i;

	for (i = 0; i < m->n_slots; i++) {
		if (m->slots[i].used && m->slots[i].id == id) {
			memset(&m->slots[i], 0, sizeof(m->slots[i]));
			return 0;
		}
	}
	return -ENOENT;
}

int64_t mp_access_matcher_rx(struct mp_access_matcher *m, uint16_t src, uint32_t opcode,
			     const uint8_t *params, size_t len)
{
	struct mp_access_pending *best = NULL;
	uint32_t id;
	size_t i;

	/* Where two requests would take the same answer (one compares fewer
	 * fields), the older one gets it: answers come in order. */
	for (i = 0; i < m->n_slots; i++) {
		struct mp_access_pending *p = &m->slots[i];

		if (p->used && mp_access_expect_matches(&p->expect, src, opcode, params, len) &&
		    (!best || p->id < best->id))
			best = p;
	}
	if (!best) {
		m->unmatched++;
		return -ENOENT;
	}
	id = best->id;
	memset(best, 0, sizeof(*best));
	return id;
}

size_t mp_access_matcher_pending(const struct mp_access_matcher *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->n_slots; i++)
		n += m->slots[i].used;
	return n;
}
