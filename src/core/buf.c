/* Bounded byte reader and writer; see include/core/buf.h. */
#include "core/buf.h"

#include <string.h>

void mp_reader_init(struct mp_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->off = 0;
	r->err = false;
}

size_t mp_reader_left(const struct mp_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

bool mp_reader_done(const struct mp_reader *r)
{
	return !r->err && r->off == r->len;
}

const uint8_t *mp_reader_ptr(const struct mp_reader *r)
{
	return r->data + r->off;
}

/* The one place a read is checked: everything else calls take(). */
static const uint8_t *take(struct mp_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

bool mp_get_u8(struct mp_reader *r, uint8_t *out)
{
	const uint8_t *p = take(r, 1);

	*out = p ? p[0] : 0;
	return p != NULL;
}

bool mp_get_be16(struct mp_reader *r, uint16_t *out)
{
	const uint8_t *p = take(r, 2);

	*out = p ? mp_be16(p) : 0;
	return p != NULL;
}

bool mp_get_be32(struct mp_reader *r, uint32_t *out)
{
	const uint8_t *p = take(r, 4);

	*out = p ? mp_be32(p) : 0;
	return p != NULL;
}

bool mp_get_le16(struct mp_reader *r, uint16_t *out)
{
	const uint8_t *p = take(r, 2);

	*out = p ? mp_le16(p) : 0;
	return p != NULL;
}

bool mp_get_le32(struct mp_reader *r, uint32_t *out)
{
	const uint8_t *p = take(r, 4);

	*out = p ? ((uint32_t)mp_le16(p + 2) << 16 | mp_le16(p)) : 0;
	return p != NULL;
}

bool mp_get_bytes(struct mp_reader *r, void *out, size_t n)
{
	const uint8_t *p = take(r, n);

	if (!p) {
		memset(out, 0, n);
		return false;
	}
	memcpy(out, p, n);
	return true;
}

bool mp_get_ref(struct mp_reader *r, const uint8_t **out, size_t n)
{
	*out = take(r, n);
	return *out != NULL;
}

bool mp_skip(struct mp_reader *r, size_t n)
{
	return take(r, n) != NULL;
}

void mp_writer_init(struct mp_writer *w, void *data, size_t cap)
{
	w->data = data;
	w->cap = data ? cap : 0;
	w->len = 0;
	w->err = false;
}

bool mp_writer_ok(const struct mp_writer *w)
{
	return !w->err;
}

static uint8_t *room(struct mp_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->data + w->len;
	w->len += n;
	return p;
}

bool mp_put_u8(struct mp_writer *w, uint8_t v)
{
	uint8_t *p = room(w, 1);

	if (p)
		p[0] = v;
	return p != NULL;
}

bool mp_put_be16(struct mp_writer *w, uint16_t v)
{
	uint8_t *p = room(w, 2);

	if (p)
		mp_store_be16(p, v);
	return p != NULL;
}

bool mp_put_be32(struct mp_writer *w, uint32_t v)
{
	uint8_t *p = room(w, 4);

	if (p)
		mp_store_be32(p, v);
	return p != NULL;
}

bool mp_put_le16(struct mp_writer *w, uint16_t v)
{
	uint8_t *p = room(w, 2);

	if (p)
		mp_store_le16(p, v);
	return p != NULL;
}

bool mp_put_le32(struct mp_writer *w, uint32_t v)
{
	uint8_t *p = room(w, 4);

	if (p) {
		mp_store_le16(p, (uint16_t)v);
		mp_store_le16(p + 2, (uint16_t)(v >> 16));
	}
	return p != NULL;
}

bool mp_put_bytes(struct mp_writer *w, const void *src, size_t n)
{
	uint8_t *p = room(w, n);

	if (p && n)
		memcpy(p, src, n);
	return p != NULL;
}
