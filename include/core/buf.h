/* Bounded byte reader and writer.
 *
 * Every decoder in meshprov reads received bytes through struct mp_reader:
 * each get checks the remaining length first and consumes what it reads, and
 * a failed read latches an error so that a decoder may read a whole PDU and
 * check once at the end. Nothing ever overlays a struct on received bytes.
 * Multi-octet fields of Bluetooth Mesh provisioning are big-endian; HCI is
 * little-endian, so both are offered.
 */
#ifndef MP_CORE_BUF_H
#define MP_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mp_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	bool err;	/* a read went past the end; sticky */
};

/** Start reading @len bytes at @data. */
void mp_reader_init(struct mp_reader *r, const void *data, size_t len);
/** Bytes not read yet (0 after an error). */
size_t mp_reader_left(const struct mp_reader *r);
/** True when every byte was read and no read failed. */
bool mp_reader_done(const struct mp_reader *r);
/** Pointer to the unread bytes (may be at the end). */
const uint8_t *mp_reader_ptr(const struct mp_reader *r);

/* Each get returns true and consumes on success; on a short buffer it sets
 * r->err, leaves *out zeroed, and returns false. */
bool mp_get_u8(struct mp_reader *r, uint8_t *out);
bool mp_get_be16(struct mp_reader *r, uint16_t *out);
bool mp_get_be32(struct mp_reader *r, uint32_t *out);
bool mp_get_le16(struct mp_reader *r, uint16_t *out);
bool mp_get_le32(struct mp_reader *r, uint32_t *out);
bool mp_get_bytes(struct mp_reader *r, void *out, size_t n);
/** Point *out at the next @n bytes without copying, and consume them. */
bool mp_get_ref(struct mp_reader *r, const uint8_t **out, size_t n);
bool mp_skip(struct mp_reader *r, size_t n);

struct mp_writer {
	uint8_t *data;
	size_t cap;
	size_t len;
	bool err;	/* a write did not fit; sticky */
};

/** Start writing into @cap bytes at @data. */
void mp_writer_init(struct mp_writer *w, void *data, size_t cap);
/** True when every write fitted. */
bool mp_writer_ok(const struct mp_writer *w);

bool mp_put_u8(struct mp_writer *w, uint8_t v);
bool mp_put_be16(struct mp_writer *w, uint16_t v);
bool mp_put_be32(struct mp_writer *w, uint32_t v);
bool mp_put_le16(struct mp_writer *w, uint16_t v);
bool mp_put_le32(struct mp_writer *w, uint32_t v);
bool mp_put_bytes(struct mp_writer *w, const void *src, size_t n);

/** Big-endian and little-endian loads and stores on raw memory. */
static inline uint16_t mp_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t mp_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t mp_le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}
static inline void mp_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void mp_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void mp_store_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

#endif
