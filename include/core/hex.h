/* Hexadecimal text <-> bytes, and UUIDs as text: the one implementation the
 * keyring, the CDB and the command line share. */
#ifndef MP_CORE_HEX_H
#define MP_CORE_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * Decode hex text into at most @cap bytes. Accepts upper or lower case and
 * ignores '-' and ':' separators (UUIDs, addresses); an optional "0x" prefix.
 * Returns the number of bytes written, or -EINVAL for a non-hex character or
 * an odd digit count, -ENOSPC when the value is longer than @cap.
 */
ssize_t mp_hex_decode(const char *hex, uint8_t *out, size_t cap);

/**
 * Decode exactly @n bytes from the @slen characters at @s, which must be
 * exactly 2*@n hex digits (either case): no prefix, no separators. For
 * fields of a fixed size in files (keys, addresses). True on success; @out
 * may be partly written on failure.
 */
bool mp_hex_decode_exact(const char *s, size_t slen, uint8_t *out, size_t n);

/** Encode @len bytes as lowercase hex into @out (2*len+1 bytes); returns out. */
char *mp_hex_encode(const uint8_t *data, size_t len, char *out);

/** As mp_hex_encode(), in upper case (the Mesh Configuration Database's keys). */
char *mp_hex_encode_upper(const uint8_t *data, size_t len, char *out);

/* A UUID as text: 36 characters and the NUL. */
#define MP_UUID_STR_SIZE 37

/**
 * Parse a UUID written as 32 hex digits or in RFC 4122's 8-4-4-4-12 form
 * (either case); nothing else. 0, or -EINVAL.
 */
int mp_uuid_parse(const char *s, uint8_t out[16]);

/**
 * Write @uuid in lowercase, in the 8-4-4-4-12 form (@dashes) or as 32 hex
 * digits, into @out (MP_UUID_STR_SIZE); returns out.
 */
char *mp_uuid_format(const uint8_t uuid[16], char out[MP_UUID_STR_SIZE], bool dashes);

#endif
