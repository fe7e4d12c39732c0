/* Hexadecimal text <-> bytes. */
#ifndef MP_CORE_HEX_H
#define MP_CORE_HEX_H

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

/** Encode @len bytes as lowercase hex into @out (2*len+1 bytes); returns out. */
char *mp_hex_encode(const uint8_t *data, size_t len, char *out);

#endif
