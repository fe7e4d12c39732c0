/* Secrets masked, control bytes escaped, long text cut; see
 * src/cli/redact.h. */
#include "config.h"

#include "cli/redact.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

/* The length of the valid UTF-8 sequence at @p (@n bytes left) that is not
 * a C1 control, or 0. RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF. */
static size_t utf8_ok(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 && p[0] != 0x7f ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* mp_cli_show_n(), saying "... (@total bytes)" when anything is left out
 * (@cut: something already was). */
static const char *show(const char *s, size_t len, size_t max, size_t total, bool cut, char *out,
			size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;

	if (!outlen)
		return out;
	while (i < len && i < max) {
		size_t k = utf8_ok(p + i, len - i);

		if (k && i + k > max)
			break;
		if (k) {
			if (o + k >= outlen)
				break;
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			if (o + 4 >= outlen)
				break;
			snprintf(out + o, outlen - o, "\\x%02x", p[i]);
			o += 4;
			i++;
		}
	}
	out[o] = '\0';
	if (i < len || cut)
		snprintf(out + o, outlen - o, "... (%zu bytes)", total);
	return out;
}

const char *mp_cli_show_n(const char *s, size_t len, size_t max, char *out, size_t outlen)
{
	return show(s, len, max, len, false, out, outlen);
}

const char *mp_cli_show(const char *s, char *out, size_t outlen)
{
	return mp_cli_show_n(s, strlen(s), MP_CLI_SHOW_MAX, out, outlen);
}

/* A word that says where a secret is, not the secret. */
static bool is_ref(const char *w, size_t n)
{
	return (n == 1 && w[0] == '-') || (n >= 1 && w[0] == '@');
}

/* A metavariable in a message ("static:HEX", "static:FILE"): capitals, one
 * of them at least not a hex digit, so it cannot be a value. */
static bool is_placeholder(const char *w, size_t n)
{
	bool nonhex = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i] < 'A' || w[i] > 'Z')
			return false;
		if (w[i] > 'F')
			nonhex = true;
	}
	return nonhex;
}

/* Quotes and punctuation that close a word ("not 'static:...'."): kept
 * after the mask. */
static size_t closing(const char *w, size_t n)
{
	size_t k = 0;

	while (k < n && strchr("'\".,;)", w[n - 1 - k]))
		k++;
	return k;
}

static bool word_is(const char *w, size_t n, const char *what)
{
	return n == strlen(what) && memcmp(w, what, n) == 0;
}

/* Copy @line (@len bytes) to @out (NULL: only count) with its secrets
 * masked; returns how many were. @out needs 4 * @len + 1 bytes. */
static size_t redact(const char *line, size_t len, char *out)
{
	size_t i = 0, o = 0, masked = 0, nword = 0, npos = 0;
	bool import = false, skip_value = false;
	const char *w0 = NULL;
	size_t n0 = 0;

	while (i < len) {
		size_t start = i, n, rest = 0;
		const char *w, *st;
		bool hide = false;

		if (line[i] == ' ' || line[i] == '\t') {
			if (out)
				out[o++] = line[i];
			i++;
			continue;
		}
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		w = line + start;
		n = i - start;
		if (nword == 0) {
			w0 = w;
			n0 = n;
		} else if (nword == 1) {
			import = (word_is(w0, n0, "netkey") || word_is(w0, n0, "appkey")) &&
				 word_is(w, n, "import");
		} else if (import) {
			/* INDEX KEY, with options anywhere: the second
			 * positional word on is the key */
			if (skip_value)
				skip_value = false;
			else if (n > 2 && w[0] == '-' && w[1] == '-')
				skip_value = !memchr(w, '=', n);
			else if (++npos >= 2 && !is_ref(w, n))
				hide = true;
		}
		nword++;
		st = memmem(w, n, "static:", 7);
		if (hide) {
			if (out) {
				memcpy(out + o, MP_CLI_MASK, 4);
				o += 4;
			}
			masked++;
		} else if (st && (rest = (size_t)(w + n - st - 7) - closing(st + 7,
				(size_t)(w + n - st - 7))) > 0 && !is_ref(st + 7, rest) &&
			   !is_placeholder(st + 7, rest)) {
			size_t keep = (size_t)(st + 7 - w), tail = n - keep - rest;

			if (out) {
				memcpy(out + o, w, keep);
				memcpy(out + o + keep, MP_CLI_MASK, 4);
				memcpy(out + o + keep + 4, w + n - tail, tail);
				o += keep + 4 + tail;
			}
			masked++;
		} else if (out) {
			memcpy(out + o, w, n);
			o += n;
		}
	}
	if (out)
		out[o] = '\0';
	return masked;
}

/* Lines longer than this are cut before masking: a message shows far less,
 * and a secret cut in the middle is still masked (by its prefix, or by its
 * place on the line). */
#define REDACT_MAX 4096

const char *mp_cli_show_line(const char *line, size_t max, char *out, size_t outlen)
{
	size_t len = strlen(line), take = len < REDACT_MAX ? len : REDACT_MAX;
	char *tmp = malloc(4 * take + 1);
	size_t tlen;

	if (!tmp) {
		snprintf(out, outlen, "(%zu bytes)", len);
		return out;
	}
	redact(line, take, tmp);
	tlen = strlen(tmp);
	show(tmp, tlen, max, len, len > take, out, outlen);
	mp_wipe(tmp, tlen);
	free(tmp);
	return out;
}

bool mp_cli_line_has_secret(const char *line)
{
	return redact(line, strlen(line), NULL) != 0;
}
