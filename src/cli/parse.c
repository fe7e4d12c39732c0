/* Parsing what people type; see src/cli/parse.h. */
#include "cli/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

int mp_cli_split(const char *line, char *buf, size_t buflen, char **argv, int max)
{
	const char *p = line;
	size_t o = 0;
	int argc = 0;

	if (buflen < strlen(line) + 1)
		return -E2BIG;
	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (*p == '#' && !isdigit((unsigned char)p[1]))
			break;		/* a comment */
		if (argc == max)
			return -E2BIG;
		argv[argc++] = buf + o;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote) {
					quote = 0;
					continue;
				}
				if (quote == '"' && *p == '\\' && p[1])
					p++;
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
				continue;
			} else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				break;
			} else if (*p == '\\' && p[1]) {
				p++;
			}
			buf[o++] = *p;
		}
		if (quote)
			return -EINVAL;
		buf[o++] = '\0';
	}
	return argc;
}

int mp_cli_parse_uuid(const char *s, uint8_t uuid[16])
{
	uint8_t tmp[16];

	/* mp_hex_decode also takes "0x" and ':', which a UUID never has */
	if (strncmp(s, "0x", 2) == 0 || strchr(s, ':') || strlen(s) > 36 + 4)
		return -EINVAL;
	if (mp_hex_decode(s, tmp, sizeof(tmp)) != 16)
		return -EINVAL;
	memcpy(uuid, tmp, 16);
	return 0;
}

int mp_cli_parse_hex(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)s[0]) || strlen(s) > 8)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int mp_cli_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int mp_cli_parse_unicast(const char *s, uint16_t *out)
{
	uint32_t v;

	/* MshPRT v1.1 3.4.2.2: unicast addresses are 0x0001-0x7fff */
	if (mp_cli_parse_hex(s, 0x7fff, &v) < 0 || v == 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int mp_cli_parse_device(const char *s, struct mp_cli_device_ref *ref)
{
	uint32_t n;

	memset(ref, 0, sizeof(*ref));
	if (s[0] == '#') {
		if (mp_cli_parse_uint(s + 1, 0xffffff, &n) < 0 || n == 0)
			return -EINVAL;
		ref->by_index = true;
		ref->index = n;
		return 0;
	}
	return mp_cli_parse_uuid(s, ref->uuid);
}

int mp_cli_parse_auth(const char *s, struct mp_prov_params *p)
{
	if (strcmp(s, "none") == 0) {
		p->auth = MP_AUTH_CHOICE_NONE;
	} else if (strcmp(s, "output") == 0) {
		p->auth = MP_AUTH_CHOICE_OUTPUT;
	} else if (strcmp(s, "input") == 0) {
		p->auth = MP_AUTH_CHOICE_INPUT;
	} else if (strncmp(s, "static:", 7) == 0) {
		uint8_t v[32];
		ssize_t n = mp_hex_decode(s + 7, v, sizeof(v));

		/* 16 octets for CMAC, 32 for HMAC-SHA256; MshPRT v1.1 5.4.2.4 */
		if (n != 16 && n != 32) {
			mp_wipe(v, sizeof(v));
			return -EINVAL;
		}
		memcpy(p->static_oob, v, (size_t)n);
		mp_wipe(v, sizeof(v));
		p->static_oob_len = (uint8_t)n;
		p->auth = MP_AUTH_CHOICE_STATIC;
	} else {
		return -EINVAL;
	}
	return 0;
}

int mp_cli_parse_alg(const char *s, struct mp_prov_params *p)
{
	if (strcmp(s, "auto") == 0)
		p->alg = MP_ALG_AUTO;
	else if (strcmp(s, "cmac") == 0)
		p->alg = MP_ALG_FORCE_CMAC;
	else if (strcmp(s, "hmac") == 0)
		p->alg = MP_ALG_FORCE_HMAC;
	else
		return -EINVAL;
	return 0;
}

int mp_cli_parse_key(const char *s, uint8_t key[16])
{
	uint8_t tmp[16];

	if (strncmp(s, "0x", 2) == 0)
		s += 2;
	if (strlen(s) != 32 || mp_hex_decode(s, tmp, sizeof(tmp)) != 16)
		return -EINVAL;
	memcpy(key, tmp, 16);
	return 0;
}

bool mp_cli_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > MP_CLI_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (iscntrl((unsigned char)s[i]))
			return false;
	return true;
}
