/* The scene records, for both files (part of the shared record codec of
 * kr_records.c; see include/store/scenes.h), and the helpers that keep
 * scenes consistent with the nodes: copies, order, and the addresses of
 * nodes that go.
 *
 * One shape, the CDB's (MshCDB 1.0.1 2.1.7), at the top of either file:
 *   "scenes": [ { "name": "Evening", "number": "0001",
 *                 "addresses": [ "0002", "0005" ] } ]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kr_int.h"

/* ---- Memory ------------------------------------------------------------------------ */

void kr_scenes_free(struct mp_scene *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		free(s[i].addrs);
		s[i].addrs = NULL;
		s[i].n_addrs = 0;
	}
}

int kr_scenes_copy(struct kr_data *dst, const struct kr_data *src)
{
	size_t i;

	dst->scenes = calloc(src->n_scenes + 1, sizeof(*dst->scenes));
	dst->n_scenes = 0;
	dst->cap_scenes = src->n_scenes + 1;
	if (!dst->scenes)
		return -ENOMEM;
	for (i = 0; i < src->n_scenes; i++) {
		struct mp_scene *s = &dst->scenes[i];

		*s = src->scenes[i];
		s->addrs = NULL;
		if (s->n_addrs) {
			s->addrs = malloc(s->n_addrs * sizeof(*s->addrs));
			if (!s->addrs) {
				s->n_addrs = 0;
				dst->n_scenes = i + 1;
				return -ENOMEM;
			}
			memcpy(s->addrs, src->scenes[i].addrs, s->n_addrs * sizeof(*s->addrs));
		}
		dst->n_scenes = i + 1;
	}
	return 0;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_scene(const void *a, const void *b)
{
	return cmp_u16(&((const struct mp_scene *)a)->number, &((const struct mp_scene *)b)->number);
}

void kr_scenes_sort(struct kr_data *d)
{
	size_t i;

	if (d->n_scenes)
		qsort(d->scenes, d->n_scenes, sizeof(*d->scenes), cmp_scene);
	for (i = 0; i < d->n_scenes; i++)
		if (d->scenes[i].n_addrs)
			qsort(d->scenes[i].addrs, d->scenes[i].n_addrs, sizeof(uint16_t), cmp_u16);
}

ssize_t kr_scene_index(const struct kr_data *d, uint16_t number)
{
	size_t i;

	for (i = 0; i < d->n_scenes; i++)
		if (d->scenes[i].number == number)
			return (ssize_t)i;
	return -1;
}

int kr_scene_addr_add(struct mp_scene *s, uint16_t addr)
{
	uint16_t *a;
	size_t pos = 0;

	while (pos < s->n_addrs && s->addrs[pos] < addr)
		pos++;
	if (pos < s->n_addrs && s->addrs[pos] == addr)
		return 0;
	if (s->n_addrs >= MP_UNICAST_MAX)
		return -ENOSPC;
	a = realloc(s->addrs, (s->n_addrs + 1u) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memmove(a + pos + 1, a + pos, (s->n_addrs - pos) * sizeof(*a));
	a[pos] = addr;
	s->addrs = a;
	s->n_addrs++;
	return 0;
}

/* Keep the addresses of @s for which @keep() is true. */
static void filter(struct mp_scene *s, bool (*keep)(const void *ctx, uint16_t a),
		   const void *ctx)
{
	size_t i, k = 0;

	for (i = 0; i < s->n_addrs; i++)
		if (keep(ctx, s->addrs[i]))
			s->addrs[k++] = s->addrs[i];
	s->n_addrs = (uint16_t)k;
}

struct block {
	uint16_t addr;
	unsigned elements;
};

static bool outside_block(const void *ctx, uint16_t a)
{
	const struct block *b = ctx;

	return a < b->addr || (uint32_t)a >= (uint32_t)b->addr + b->elements;
}

void kr_scenes_drop_block(struct kr_data *d, uint16_t addr, unsigned elements)
{
	struct block b = { addr, elements };
	size_t i;

	for (i = 0; i < d->n_scenes; i++)
		filter(&d->scenes[i], outside_block, &b);
}

static bool node_has(const void *ctx, uint16_t a)
{
	return kr_node_index(ctx, a) >= 0;
}

void kr_scenes_drop_unheld(struct kr_data *d)
{
	size_t i;

	for (i = 0; i < d->n_scenes; i++)
		filter(&d->scenes[i], node_has, d);
}

/* ---- The records (MshCDB 1.0.1 2.1.7): the same in both files ------------------------ */

/* "number" (or "scene", nRF Mesh for iOS 3.0 betas): 4 hex digits, or an
 * integer (older nRF Mesh for Android). */
static int dec_number(json_object *e, const char *c, uint16_t *out,
		      struct mp_keyring_error *err)
{
	const char *key = json_object_object_get_ex(e, "number", NULL) ? "number" : "scene";
	json_object *v;
	char fld[96];
	uint8_t b[2];
	int64_t x = -1;

	kr_msgf(fld, sizeof(fld), "%s.number", c);
	if (!json_object_object_get_ex(e, key, &v))
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, fld, "missing");
	if (json_object_is_type(v, json_type_int)) {
		x = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (strlen(s) == 4 && mp_hex_decode_exact(s, 4, b, 2))
			x = b[0] << 8 | b[1];
		else
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
				       "expected a scene number of 4 hexadecimal digits");
	} else {
		return kr_fail(err, -EBADMSG, MP_KR_E_FIELD, fld, "expected a string");
	}
	if (x < MP_SCENE_MIN || x > MP_SCENE_MAX)
		return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
			       "%s is no scene number (0001-FFFF; 0000 is \"no scene\", "
			       "MshMDL v1.1 5.1.3.1)", json_object_get_string(v));
	*out = (uint16_t)x;
	return 0;
}

static int dec_addresses(json_object *e, const char *c, struct mp_scene *s,
			 struct mp_keyring_error *err)
{
	uint8_t seen[0x8000 / 8];
	json_object *arr;
	char fld[112];
	size_t i, n;
	int r = kj_array(e, c, "addresses", false, MP_UNICAST_MAX, &arr, &n, err);

	if (r || !n)
		return r;
	s->addrs = calloc(n, sizeof(*s->addrs));
	if (!s->addrs)
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		uint16_t a;

		kr_msgf(fld, sizeof(fld), "%s.addresses[%zu]", c, i);
		r = kj_addr_value(json_object_array_get_idx(arr, i), fld, &a, err);
		if (r)
			return r;
		if (a < MP_UNICAST_MIN || a > MP_UNICAST_MAX)
			return kr_fail(err, -EBADMSG, MP_KR_E_VALUE, fld,
				       "%04X is not a unicast address (0001-7FFF): a scene is "
				       "stored by elements", a);
		if (seen[a / 8] & (1u << (a % 8)))
			return kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, fld,
				       "address %04X is listed twice", a);
		seen[a / 8] |= (uint8_t)(1u << (a % 8));
		s->addrs[i] = a;
		s->n_addrs = (uint16_t)(i + 1);
	}
	return 0;
}

int kr_dec_scenes(const struct kr_form *f, json_object *root, struct kr_data *d,
		  struct mp_keyring_error *err)
{
	uint8_t seen[0x10000 / 8];
	json_object *arr, *e;
	char c[64], fld[96];
	size_t i, j, n;
	/* no more than there are scene numbers */
	int r = kj_array(root, "", "scenes", false, MP_SCENE_MAX, &arr, &n, err);

	(void)f;
	if (r || !n)
		return r;
	memset(seen, 0, sizeof(seen));
	if (kr_reserve((void **)&d->scenes, d->n_scenes, &d->cap_scenes, sizeof(*d->scenes), n))
		return kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	for (i = 0; !r && i < n; i++) {
		struct mp_scene *s = &d->scenes[d->n_scenes++];

		memset(s, 0, sizeof(*s));
		kr_msgf(c, sizeof(c), "scenes[%zu]", i);
		r = kj_elem(arr, i, c, &e, err);
		if (!r)
			r = kj_name(e, c, "name", true, s->name, MP_KR_NAME_MAX, err);
		if (!r)
			r = dec_number(e, c, &s->number, err);
		/* a bitmap, not pairs: 65,535 scenes stay fast */
		if (!r && (seen[s->number / 8] & (1u << (s->number % 8)))) {
			for (j = 0; d->scenes[j].number != s->number; j++)
				;
			kr_msgf(fld, sizeof(fld), "%s.number", c);
			r = kr_fail(err, -EBADMSG, MP_KR_E_DUPLICATE, fld,
				    "scene %04X is also scenes[%zu]", s->number, j);
		}
		if (!r)
			seen[s->number / 8] |= (uint8_t)(1u << (s->number % 8));
		if (!r)
			r = dec_addresses(e, c, s, err);
	}
	return r;
}

int kr_check_scenes(const struct kr_data *d, struct mp_keyring_error *err)
{
	uint8_t held[0x8000 / 8];
	char fld[96];
	size_t i;
	unsigned k;

	memset(held, 0, sizeof(held));
	for (i = 0; i < d->n_nodes; i++)
		for (k = 0; k < d->nodes[i].elements; k++) {
			uint32_t a = (uint32_t)d->nodes[i].addr + k;

			if (a < 0x8000)
				held[a / 8] |= (uint8_t)(1u << (a % 8));
		}
	for (i = 0; i < d->n_scenes; i++)
		for (k = 0; k < d->scenes[i].n_addrs; k++) {
			uint16_t a = d->scenes[i].addrs[k];

			if (held[a / 8] & (1u << (a % 8)))
				continue;
			kr_msgf(fld, sizeof(fld), "scenes[%zu].addresses[%u]", i, k);
			return kr_fail(err, -EBADMSG, MP_KR_E_REFERENCE, fld,
				       "%04X is no element of a node in nodes (a scene is stored "
				       "by the elements of the network's nodes)", a);
		}
	return 0;
}

json_object *kr_enc_scenes(const struct kr_form *f, const struct kr_data *d)
{
	json_object *arr = json_object_new_array();
	size_t i;
	unsigned k;

	(void)f;
	for (i = 0; i < d->n_scenes; i++) {
		const struct mp_scene *s = &d->scenes[i];
		json_object *o = json_object_new_object(), *addrs = json_object_new_array();
		char num[8];

		kj_add_str(o, "name", s->name);
		snprintf(num, sizeof(num), "%04X", s->number);
		kj_add_str(o, "number", num);
		for (k = 0; k < s->n_addrs; k++) {
			char a[8];

			snprintf(a, sizeof(a), "%04X", s->addrs[k]);
			json_object_array_add(addrs, json_object_new_string(a));
		}
		json_object_object_add(o, "addresses", addrs);
		json_object_array_add(arr, o);
	}
	return arr;
}
