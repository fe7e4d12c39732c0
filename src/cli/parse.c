/* Parsing what people type; see include/cli/parse.h. */
#include "cli/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "crypto/crypto.h"

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

/* ---- batch files ---- */

static void msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Split a CSV line on commas, trimming blanks and an optional pair of
 * double quotes around each column. */
static int split_csv(const char *line, char *buf, size_t buflen, char **argv, int max)
{
	size_t o = 0;
	int argc = 0;
	const char *p = line;

	if (buflen < strlen(line) + 1)
		return -E2BIG;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
			p++;
			n -= 2;
		}
		if (argc == max)
			return -E2BIG;
		argv[argc++] = buf + o;
		memcpy(buf + o, p, n);
		o += n;
		buf[o++] = '\0';
		if (!end)
			break;
		p = end + 1;
	}
	return argc;
}

static bool absent(const char *col)
{
	return col[0] == '\0' || strcmp(col, "-") == 0;
}

/* A batch file's AUTH column: mp_cli_parse_auth()'s words, a bare static
 * OOB value, or "output:VALUE". */
static int batch_auth(const char *s, struct mp_cli_batch_entry *e)
{
	struct mp_prov_params p = { 0 };
	char word[80];
	size_t i, len;
	int r;

	if (strncmp(s, "output:", 7) == 0) {
		s += 7;
		len = strlen(s);
		if (len < 1 || len >= sizeof(e->output))
			return -EINVAL;
		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)s[i]))
				return -EINVAL;
		memcpy(e->output, s, len + 1);
		e->auth = MP_AUTH_CHOICE_OUTPUT;
		return 0;
	}
	if (isxdigit((unsigned char)s[0]) && strlen(s) < sizeof(word) - 7) {
		snprintf(word, sizeof(word), "static:%s", s);	/* a bare value */
		if (mp_cli_parse_auth(word, &p) == 0)
			goto done;
	}
	r = mp_cli_parse_auth(s, &p);
	if (r < 0)
		return r;
done:
	e->auth = p.auth;
	memcpy(e->static_oob, p.static_oob, p.static_oob_len);
	e->static_len = p.static_oob_len;
	mp_wipe(p.static_oob, sizeof(p.static_oob));
	return 0;
}

int mp_cli_batch_parse_line(const char *line, struct mp_cli_batch_entry *e, char *err,
			    size_t errlen)
{
	char buf[1024], *col[8];
	const char *p = line;
	int n;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (strlen(line) >= sizeof(buf)) {
		msg(err, errlen, "line too long");
		return -EINVAL;
	}
	if (strchr(line, ','))
		n = split_csv(line, buf, sizeof(buf), col, 8);
	else
		n = mp_cli_split(line, buf, sizeof(buf), col, 8);
	if (n == -EINVAL) {
		msg(err, errlen, "unterminated quote");
		return -EINVAL;
	}
	if (n < 1 || n > 4) {
		msg(err, errlen, "expected UUID [AUTH [NAME [ADDRESS]]], found %s columns",
		    n < 0 ? "too many" : n == 0 ? "no" : n == 5 ? "5" : "more than 4");
		return -EINVAL;
	}
	memset(e, 0, sizeof(*e));
	if (mp_cli_parse_uuid(col[0], e->uuid) < 0) {
		msg(err, errlen, "'%.40s' is not a device UUID (32 hex digits, dashes allowed)",
		    col[0]);
		return -EINVAL;
	}
	if (n > 1 && !absent(col[1]) && batch_auth(col[1], e) < 0) {
		msg(err, errlen, "column 2: '%.40s' is not an authentication: a static OOB "
		    "value (32 or 64 hex digits), none, input, output or output:VALUE (1 to 8 "
		    "digits or letters), or '-' for the --auth default", col[1]);
		return -EINVAL;
	}
	if (n > 2 && !absent(col[2])) {
		if (!mp_cli_name_ok(col[2])) {
			msg(err, errlen, "column 3: a name is 1 to %d bytes without control "
			    "characters", MP_CLI_NAME_MAX);
			return -EINVAL;
		}
		snprintf(e->name, sizeof(e->name), "%s", col[2]);
	}
	if (n > 3 && !absent(col[3])) {
		if (mp_cli_parse_unicast(col[3], &e->address) < 0) {
			msg(err, errlen, "column 4: '%.20s' is not a unicast address (hex, "
			    "0001-7fff)", col[3]);
			return -EINVAL;
		}
	}
	return 1;
}

struct errbuf {
	char *s;
	size_t len, cap;
	bool nomem;
};

static void errbuf_add(struct errbuf *b, unsigned int line, const char *text)
{
	char tmp[1200];
	int n = snprintf(tmp, sizeof(tmp), "line %u: %s\n", line, text);

	if (n < 0 || b->nomem)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->nomem = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, tmp, (size_t)n + 1);
	b->len += (size_t)n;
}

int mp_cli_batch_parse(const char *text, size_t len, struct mp_cli_batch_entry **out,
		       char **errors)
{
	struct mp_cli_batch_entry *v = NULL, e;
	struct errbuf eb = { 0 };
	size_t n = 0, cap = 0, pos = 0, i;
	unsigned int lineno = 0;
	char line[1100], err[256];

	*out = NULL;
	*errors = NULL;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int rc;

		lineno++;
		if (memchr(text + pos, '\0', l)) {
			errbuf_add(&eb, lineno, "a NUL byte: this is not a text file");
			pos += l + 1;
			continue;
		}
		if (l >= sizeof(line)) {
			errbuf_add(&eb, lineno, "line too long");
			pos += l + 1;
			continue;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		if (l && line[l - 1] == '\r')
			line[l - 1] = '\0';	/* files from elsewhere */
		pos += l + 1;
		rc = mp_cli_batch_parse_line(line, &e, err, sizeof(err));
		if (rc < 0) {
			errbuf_add(&eb, lineno, err);
			continue;
		}
		if (rc == 0)
			continue;
		e.line = lineno;
		for (i = 0; i < n; i++) {
			if (memcmp(v[i].uuid, e.uuid, 16) == 0) {
				snprintf(err, sizeof(err), "this UUID is already on line %u",
					 v[i].line);
				errbuf_add(&eb, lineno, err);
				break;
			}
			if (e.address && v[i].address == e.address) {
				snprintf(err, sizeof(err), "address 0x%04x is already on line %u",
					 e.address, v[i].line);
				errbuf_add(&eb, lineno, err);
				break;
			}
		}
		if (i < n)
			continue;
		if (n == cap) {
			struct mp_cli_batch_entry *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				eb.nomem = true;
				break;
			}
			v = nv;
		}
		v[n++] = e;
	}
	if (!eb.nomem && !eb.s && n == 0)
		errbuf_add(&eb, lineno ? lineno : 1, "no device in the file");
	if (eb.nomem) {
		free(v);
		free(eb.s);
		return -ENOMEM;
	}
	if (eb.s) {
		free(v);
		*errors = eb.s;
		return -EINVAL;
	}
	*out = v;
	return (int)n;
}
