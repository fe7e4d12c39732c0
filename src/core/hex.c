/* Hexadecimal text <-> bytes; see include/core/hex.h. */
#include "core/hex.h"

#include <errno.h>
#include <string.h>

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t mp_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	for (; *hex; hex++) {
		int v;

		if (*hex == '-' || *hex == ':')
			continue;
		v = nibble(*hex);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -ENOSPC;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	return (ssize_t)n;
}

bool mp_hex_decode_exact(const char *s, size_t slen, uint8_t *out, size_t n)
{
	size_t i;

	if (slen != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static char *encode(const uint8_t *data, size_t len, char *out, const char digits[16])
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xf];
	}
	out[2 * len] = '\0';
	return out;
}

char *mp_hex_encode(const uint8_t *data, size_t len, char *out)
{
	return encode(data, len, out, "0123456789abcdef");
}

char *mp_hex_encode_upper(const uint8_t *data, size_t len, char *out)
{
	return encode(data, len, out, "0123456789ABCDEF");
}

/* Where RFC 4122's text form has its dashes. */
static bool uuid_dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int mp_uuid_parse(const char *s, uint8_t out[16])
{
	char compact[32];
	size_t len = strlen(s), i, j;

	if (len == 32)
		return mp_hex_decode_exact(s, 32, out, 16) ? 0 : -EINVAL;
	if (len != 36)
		return -EINVAL;
	for (i = j = 0; i < 36; i++) {
		if (uuid_dash_at(i) != (s[i] == '-'))
			return -EINVAL;
		if (!uuid_dash_at(i))
			compact[j++] = s[i];
	}
	return mp_hex_decode_exact(compact, 32, out, 16) ? 0 : -EINVAL;
}

char *mp_uuid_format(const uint8_t uuid[16], char out[MP_UUID_STR_SIZE], bool dashes)
{
	char hex[33];
	size_t i, j;

	mp_hex_encode(uuid, 16, hex);
	if (!dashes)
		return memcpy(out, hex, 33);
	for (i = j = 0; i < 36; i++)
		out[i] = uuid_dash_at(i) ? '-' : hex[j++];
	out[36] = '\0';
	return out;
}
