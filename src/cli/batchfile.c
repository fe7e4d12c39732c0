/* Batch files as people and spreadsheet programs write them; see
 * src/cli/batchfile.h. */
#include "cli/batchfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"

/* ---- problems ---- */

int mp_cli_batch_add_problem(struct mp_cli_batch *b, unsigned int line, const char *fmt, ...)
{
	struct mp_cli_batch_problem *nb;
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	nb = realloc(b->bad, (b->nbad + 1) * sizeof(*nb));
	if (!nb) {
		b->nomem = true;
		return -ENOMEM;
	}
	b->bad = nb;
	nb[b->nbad].line = line;
	nb[b->nbad].text = strdup(tmp);
	if (!nb[b->nbad].text) {
		b->nomem = true;
		return -ENOMEM;
	}
	b->nbad++;
	return 0;
}

void mp_cli_batch_sort(struct mp_cli_batch *b)
{
	size_t i, j;

	/* Insertion sort: stable, and the problems arrive nearly in order
	 * (the file's, then the keyring's). */
	for (i = 1; i < b->nbad; i++) {
		struct mp_cli_batch_problem p = b->bad[i];

		for (j = i; j > 0 && b->bad[j - 1].line > p.line; j--)
			b->bad[j] = b->bad[j - 1];
		b->bad[j] = p;
	}
}

void mp_cli_batch_free(struct mp_cli_batch_entry *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].columns);
	if (v)
		mp_wipe(v, n * sizeof(*v));	/* static OOB values */
	free(v);
}

void mp_cli_batch_clear(struct mp_cli_batch *b)
{
	size_t i;

	mp_cli_batch_free(b->v, b->n);
	for (i = 0; i < b->nbad; i++)
		free(b->bad[i].text);
	free(b->bad);
	memset(b, 0, sizeof(*b));
}

struct mp_cli_column *mp_cli_columns_dup(const struct mp_cli_column *c, size_t n)
{
	size_t size = n * sizeof(*c), i;
	struct mp_cli_column *d;
	char *s;

	if (!n)
		return NULL;
	for (i = 0; i < n; i++)
		size += strlen(c[i].name) + strlen(c[i].value) + 2;
	d = malloc(size);
	if (!d)
		return NULL;
	s = (char *)(d + n);
	for (i = 0; i < n; i++) {
		size_t ln = strlen(c[i].name) + 1, lv = strlen(c[i].value) + 1;

		d[i].name = memcpy(s, c[i].name, ln);
		s += ln;
		d[i].value = memcpy(s, c[i].value, lv);
		s += lv;
	}
	return d;
}

/* ---- text ---- */

static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int c = *p, n, i, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		p += n + 1;
	}
	return true;
}

static bool is_eol(char c)
{
	return c == '\n' || c == '\r';
}

/* The blanks around a column: spaces, and tabs unless they separate. */
static bool is_pad(char c, char sep)
{
	return c == ' ' || (c == '\t' && sep != '\t');
}

/* ---- reading rows ---- */

struct reader {
	const char *t;
	size_t len, pos;
	unsigned int lineno;		/* the line at pos, 1-based */
	char sep;
	char *buf;			/* a row's columns, each NUL-terminated */
	char *raw;			/* a copy of one line, for the blank-separated form */
};

struct row {
	unsigned int line;		/* where it starts */
	char *f[MP_CLI_BATCH_MAX_COLUMNS];
	int nf;
};

#define BUF_SIZE (MP_CLI_BATCH_RECORD_MAX + MP_CLI_BATCH_MAX_COLUMNS + 2)

/* Step over one line end: CRLF, LF, or a lone CR (older Mac exports). */
static void eat_eol(struct reader *r)
{
	if (r->pos < r->len && r->t[r->pos] == '\r')
		r->pos++;
	else if (r->pos < r->len && r->t[r->pos] == '\n')
		r->pos++;
	else
		return;
	if (r->pos < r->len && r->t[r->pos - 1] == '\r' && r->t[r->pos] == '\n')
		r->pos++;
	r->lineno++;
}

static size_t line_len(const struct reader *r)
{
	size_t e = r->pos;

	while (e < r->len && !is_eol(r->t[e]))
		e++;
	return e - r->pos;
}

static void skip_line(struct reader *r)
{
	r->pos += line_len(r);
	eat_eol(r);
}

/* The hand-written form: one line, blank-separated, shell quoting. */
static int split_blanks(struct reader *r, struct row *row, char *err, size_t errlen)
{
	size_t l = line_len(r);
	int n;

	row->nf = 0;
	if (memchr(r->t + r->pos, '\0', l)) {
		skip_line(r);
		snprintf(err, errlen, "a NUL byte: this is not a text file");
		return -EINVAL;
	}
	if (l > MP_CLI_BATCH_RECORD_MAX) {
		skip_line(r);
		snprintf(err, errlen, "line too long (more than %d bytes)",
			 MP_CLI_BATCH_RECORD_MAX);
		return -EINVAL;
	}
	memcpy(r->raw, r->t + r->pos, l);
	r->raw[l] = '\0';
	skip_line(r);
	n = mp_cli_split(r->raw, r->buf, BUF_SIZE, row->f, MP_CLI_BATCH_MAX_COLUMNS);
	if (n == -EINVAL) {
		snprintf(err, errlen, "unterminated quote");
		return -EINVAL;
	}
	if (n < 0) {
		snprintf(err, errlen, "more than %d columns", MP_CLI_BATCH_MAX_COLUMNS);
		return -EINVAL;
	}
	row->nf = n;
	return 1;
}

/*
 * Delimited text (RFC 4180): a column that starts with '"' runs to the
 * next lone '"', holding separators, line ends and doubled quotes ("" for
 * one); other columns run to the separator, blanks around them trimmed.
 */
static int split_delimited(struct reader *r, struct row *row, bool *one_line, char *err,
			   size_t errlen)
{
	const char *t = r->t;
	const char sep = r->sep;
	unsigned int qline = 0;
	size_t o = 0;
	bool toolong = false, nul = false, unterminated = false;
	int after_quote = 0, nf = 0;

#define PUT(c)								\
	do {								\
		if (o < MP_CLI_BATCH_RECORD_MAX)			\
			r->buf[o++] = (c);				\
		else							\
			toolong = true;					\
	} while (0)

	for (;;) {
		size_t start = o;

		while (r->pos < r->len && is_pad(t[r->pos], sep))
			r->pos++;
		if (r->pos < r->len && t[r->pos] == '"') {
			qline = r->lineno;
			r->pos++;
			for (;;) {
				char c;

				if (r->pos >= r->len) {
					unterminated = true;
					break;
				}
				c = t[r->pos];
				if (c == '"' && r->pos + 1 < r->len && t[r->pos + 1] == '"') {
					PUT('"');
					r->pos += 2;
				} else if (c == '"') {
					r->pos++;
					break;
				} else if (is_eol(c)) {
					eat_eol(r);
					PUT('\n');
				} else {
					nul |= c == '\0';
					PUT(c);
					r->pos++;
				}
			}
			while (r->pos < r->len && is_pad(t[r->pos], sep))
				r->pos++;
			if (r->pos < r->len && t[r->pos] != sep && !is_eol(t[r->pos])) {
				if (!after_quote)
					after_quote = nf + 1;
				while (r->pos < r->len && t[r->pos] != sep && !is_eol(t[r->pos]))
					r->pos++;
			}
		} else {
			while (r->pos < r->len && t[r->pos] != sep && !is_eol(t[r->pos])) {
				nul |= t[r->pos] == '\0';
				PUT(t[r->pos]);
				r->pos++;
			}
			while (o > start && is_pad(r->buf[o - 1], sep))
				o--;
		}
		if (nf < MP_CLI_BATCH_MAX_COLUMNS) {
			r->buf[o++] = '\0';	/* room kept: BUF_SIZE */
			row->f[nf] = r->buf + start;
		}
		nf++;
		if (r->pos < r->len && t[r->pos] == sep) {
			r->pos++;
			continue;
		}
		*one_line = qline == 0 || r->lineno == row->line;
		eat_eol(r);
		break;
	}
#undef PUT
	row->nf = nf < MP_CLI_BATCH_MAX_COLUMNS ? nf : MP_CLI_BATCH_MAX_COLUMNS;
	if (unterminated)
		snprintf(err, errlen, "unterminated quote (opened on line %u)", qline);
	else if (nul)
		snprintf(err, errlen, "a NUL byte: this is not a text file");
	else if (toolong)
		snprintf(err, errlen, "line too long (more than %d bytes)",
			 MP_CLI_BATCH_RECORD_MAX);
	else if (nf > MP_CLI_BATCH_MAX_COLUMNS)
		snprintf(err, errlen, "more than %d columns", MP_CLI_BATCH_MAX_COLUMNS);
	else if (after_quote)
		snprintf(err, errlen, "column %d: text after the closing quote (a quote inside "
			 "a quoted column is written twice: \"\")", after_quote);
	else
		return 1;
	row->nf = 0;
	return -EINVAL;
}

/*
 * The next row: 1 (row->nf 0 for a blank or comment line), 0 at the end,
 * -EINVAL with @err (the row is skipped). @blank_fallback: a line without
 * the file's separator is read blank-separated, as hand-written files mix
 * the two forms.
 */
static int next_row(struct reader *r, struct row *row, bool blank_fallback, char *err,
		    size_t errlen)
{
	size_t p = r->pos, mark;
	unsigned int mark_line;
	bool one_line = true;
	int rc, i;

	row->nf = 0;
	row->line = r->lineno;
	if (r->pos >= r->len)
		return 0;
	while (p < r->len && (r->t[p] == ' ' || r->t[p] == '\t'))
		p++;
	if (p >= r->len || is_eol(r->t[p]) || r->t[p] == '#') {
		skip_line(r);		/* blank, or a comment */
		return 1;
	}
	if (r->sep == ' ')
		return split_blanks(r, row, err, errlen);
	mark = r->pos;
	mark_line = r->lineno;
	rc = split_delimited(r, row, &one_line, err, errlen);
	if (rc == 1 && row->nf == 1 && one_line && blank_fallback) {
		for (i = 0; row->f[0][i]; i++)
			if (row->f[0][i] == ' ' || row->f[0][i] == '\t')
				break;
		if (row->f[0][i]) {
			r->pos = mark;
			r->lineno = mark_line;
			return split_blanks(r, row, err, errlen);
		}
	}
	return rc;
}

/*
 * The file's separator, from the first line that holds one outside
 * quotes: the most frequent of tab, ';' and ','; a tie goes to the tab,
 * then ';' (a ';' file's names may hold unquoted commas; a tab is never
 * typed inside a cell). ' ' when no line holds any: the blank-separated form.
 */
static char detect_sep(const char *t, size_t len)
{
	size_t p = 0;

	while (p < len) {
		unsigned int tabs = 0, semis = 0, commas = 0;
		bool quoted = false;

		while (p < len && (t[p] == ' ' || t[p] == '\t'))
			p++;
		if (p < len && t[p] == '#') {
			while (p < len && !is_eol(t[p]))
				p++;
		}
		for (; p < len && !is_eol(t[p]); p++) {
			if (t[p] == '"')
				quoted = !quoted;
			else if (quoted)
				continue;
			else if (t[p] == '\t')
				tabs++;
			else if (t[p] == ';')
				semis++;
			else if (t[p] == ',')
				commas++;
		}
		while (p < len && is_eol(t[p]))
			p++;
		if (tabs && tabs >= semis && tabs >= commas)
			return '\t';
		if (semis && semis >= commas)
			return ';';
		if (commas)
			return ',';
	}
	return ' ';
}

/* ---- columns ---- */

enum role {
	COL_UNNAMED,		/* an empty header cell: must stay empty */
	COL_UUID,
	COL_AUTH,
	COL_NAME,
	COL_ADDRESS,
	COL_EXTRA,
};

static const char *const role_word[] = { "", "uuid", "auth", "name", "address", "" };

/* The header words known, compared without case, blanks, '_', '-' or '.'. */
static const struct {
	const char *word;
	enum role role;
} known[] = {
	{ "uuid", COL_UUID }, { "deviceuuid", COL_UUID }, { "devuuid", COL_UUID },
	{ "auth", COL_AUTH }, { "authentication", COL_AUTH }, { "oob", COL_AUTH },
	{ "staticoob", COL_AUTH },
	{ "name", COL_NAME }, { "nodename", COL_NAME }, { "devicename", COL_NAME },
	{ "address", COL_ADDRESS }, { "addr", COL_ADDRESS }, { "unicast", COL_ADDRESS },
	{ "unicastaddress", COL_ADDRESS },
};

static enum role known_role(const char *s)
{
	char w[32];
	size_t n = 0, i;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '_' || *s == '-' || *s == '.')
			continue;
		if (n + 1 >= sizeof(w))
			return COL_EXTRA;
		w[n++] = (char)tolower((unsigned char)*s);
	}
	w[n] = '\0';
	if (!n)
		return COL_UNNAMED;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(w, known[i].word) == 0)
			return known[i].role;
	return COL_EXTRA;
}

/* How the columns of the rows are read: by position (no header), or as
 * the header row says. */
struct layout {
	int ncols;				/* 0: no header */
	enum role role[MP_CLI_BATCH_MAX_COLUMNS];
	char *extra[MP_CLI_BATCH_MAX_COLUMNS];	/* names of COL_EXTRA columns */
	size_t nextra;
};

static void layout_free(struct layout *L)
{
	size_t i;

	for (i = 0; i < L->nextra; i++)
		free(L->extra[i]);
	L->nextra = 0;
}

static bool looks_like_header(const struct row *row)
{
	uint8_t uuid[16];
	int i;

	if (mp_cli_parse_uuid(row->f[0], uuid) == 0)
		return false;
	for (i = 0; i < row->nf; i++) {
		enum role r = known_role(row->f[i]);

		if (r != COL_EXTRA && r != COL_UNNAMED)
			return true;
	}
	return false;
}

/* Read the header row into @L; false with the problems recorded when it
 * cannot say how to read the rows. */
static bool read_header(struct mp_cli_batch *b, struct layout *L, const struct row *row)
{
	int first[COL_EXTRA] = { 0 };
	bool ok = true;
	int i, k;

	L->ncols = row->nf;
	for (i = 0; i < row->nf; i++) {
		const char *w = row->f[i];
		enum role r = known_role(w);

		L->role[i] = r;
		if (r != COL_EXTRA && r != COL_UNNAMED) {
			if (first[r]) {
				mp_cli_batch_add_problem(b, row->line, "column %d: '%.40s' names "
							 "the %s column again (column %d)", i + 1,
							 w, role_word[r], first[r]);
				ok = false;
			}
			first[r] = i + 1;
			continue;
		}
		if (r == COL_UNNAMED)
			continue;
		if (!utf8_ok(w) || strlen(w) > MP_CLI_BATCH_COLNAME_MAX || !mp_cli_name_ok(w)) {
			mp_cli_batch_add_problem(b, row->line, "column %d: a column name is 1 to %d "
						 "bytes of UTF-8 text", i + 1,
						 MP_CLI_BATCH_COLNAME_MAX);
			ok = false;
			continue;
		}
		for (k = 0; k < i; k++) {
			if (L->role[k] == COL_EXTRA && strcasecmp(row->f[k], w) == 0) {
				mp_cli_batch_add_problem(b, row->line, "column %d: '%s' names "
							 "column %d again", i + 1, w, k + 1);
				ok = false;
				break;
			}
		}
		L->extra[L->nextra] = strdup(w);
		if (!L->extra[L->nextra]) {
			b->nomem = true;
			return false;
		}
		L->nextra++;
	}
	if (!first[COL_UUID]) {
		mp_cli_batch_add_problem(b, row->line, "the header row names no uuid column "
					 "(the columns are named uuid, auth, name, address, or "
					 "anything else for a column carried with the device)");
		ok = false;
	}
	return ok;
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

	if (strcmp(s, "required") == 0) {
		/* The best method the device offers, as by default, but never
		 * No OOB (issue 12): per device what --require-auth says for all. */
		e->auth = MP_AUTH_CHOICE_AUTO;
		e->require_auth = true;
		return 0;
	}
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
		r = mp_cli_parse_auth(word, &p);
		mp_wipe(word, sizeof(word));
		if (r == 0)
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

/* The extra columns of a row as one block: the header's names, the row's values. */
static int take_columns(const struct layout *L, const struct row *row,
			struct mp_cli_batch_entry *e)
{
	struct mp_cli_column c[MP_CLI_BATCH_MAX_COLUMNS];
	size_t k = 0;
	int i;

	if (!L->nextra)
		return 0;
	for (i = 0; i < L->ncols; i++)
		if (L->role[i] == COL_EXTRA) {
			c[k].name = L->extra[k];
			c[k].value = (char *)(i < row->nf ? row->f[i] : "");
			k++;
		}
	e->columns = mp_cli_columns_dup(c, k);
	if (!e->columns)
		return -ENOMEM;
	e->ncolumns = k;
	return 0;
}

/* A hex value of digits only (a UUID, a static OOB value) that a
 * spreadsheet took for a number and exported as 1.12233E+31. */
static const char *number_hint(const char *s)
{
	const char *p = s;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == s)
		return "";
	if (*p == '.' || *p == ',')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p != 'e' && *p != 'E')
		return "";
	p++;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return "";
	while (isdigit((unsigned char)*p))
		p++;
	return *p ? "" : "; the spreadsheet took it for a number: format that column as "
		"text and type it again";
}

/* A row into @e: 1, 0 (nothing in it), -EINVAL with @err, -ENOMEM. */
static int fill_entry(const struct layout *L, const struct row *row,
		      struct mp_cli_batch_entry *e, char *err, size_t errlen)
{
	int col[COL_EXTRA] = { 0 }, i, last = 0;
	const char *s;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < row->nf; i++)
		if (row->f[i][0])
			last = i + 1;
	if (!last)
		return 0;	/* a row of empty cells: spreadsheets write them */
	if (!L->ncols) {
		if (last > 4) {
			snprintf(err, errlen, "expected UUID [AUTH [NAME [ADDRESS]]], found %d "
				 "columns (a header row can name more)", last);
			return -EINVAL;
		}
		for (i = 0; i < row->nf && i < 4; i++)
			col[COL_UUID + i] = i + 1;
	} else {
		for (i = 0; i < row->nf; i++) {
			if (i < L->ncols && L->role[i] != COL_UNNAMED) {
				if (L->role[i] != COL_EXTRA)
					col[L->role[i]] = i + 1;
				continue;
			}
			if (row->f[i][0]) {
				snprintf(err, errlen, "column %d: a value in a column the header "
					 "row does not name", i + 1);
				return -EINVAL;
			}
		}
	}
	s = col[COL_UUID] ? row->f[col[COL_UUID] - 1] : "";
	if (mp_cli_parse_uuid(s, e->uuid) < 0) {
		if (col[COL_UUID] > 1)
			snprintf(err, errlen, "column %d: '%.40s' is not a device UUID (32 hex "
				 "digits, dashes allowed)%s", col[COL_UUID], s, number_hint(s));
		else
			snprintf(err, errlen, "'%.40s' is not a device UUID (32 hex digits, "
				 "dashes allowed)%s", s, number_hint(s));
		return -EINVAL;
	}
	s = col[COL_AUTH] ? row->f[col[COL_AUTH] - 1] : "";
	if (!absent(s) && batch_auth(s, e) < 0) {
		snprintf(err, errlen, "column %d: '%.40s' is not an authentication: a static OOB "
			 "value (32 or 64 hex digits), none, input, output, output:VALUE (1 to 8 "
			 "digits or letters), required (any method but No OOB), or '-' for the "
			 "--auth default%s", col[COL_AUTH], s,
			 number_hint(s));
		goto bad;
	}
	s = col[COL_NAME] ? row->f[col[COL_NAME] - 1] : "";
	if (!absent(s)) {
		if (!utf8_ok(s)) {
			snprintf(err, errlen, "column %d: the name is not UTF-8 text (save the file "
				 "as \"CSV UTF-8\" or UTF-8 text)", col[COL_NAME]);
			goto bad;
		}
		if (!mp_cli_name_ok(s)) {
			snprintf(err, errlen, "column %d: a name is 1 to %d bytes without control "
				 "characters", col[COL_NAME], MP_CLI_NAME_MAX);
			goto bad;
		}
		snprintf(e->name, sizeof(e->name), "%s", s);
	}
	s = col[COL_ADDRESS] ? row->f[col[COL_ADDRESS] - 1] : "";
	if (!absent(s) && mp_cli_parse_unicast(s, &e->address) < 0) {
		snprintf(err, errlen, "column %d: '%.20s' is not a unicast address (hex, "
			 "0001-7fff)", col[COL_ADDRESS], s);
		goto bad;
	}
	for (i = 0; i < L->ncols && i < row->nf; i++) {
		if (L->role[i] != COL_EXTRA)
			continue;
		if (!utf8_ok(row->f[i])) {
			snprintf(err, errlen, "column %d: not UTF-8 text (save the file as \"CSV "
				 "UTF-8\" or UTF-8 text)", i + 1);
			goto bad;
		}
		if (strlen(row->f[i]) > MP_CLI_BATCH_VALUE_MAX) {
			snprintf(err, errlen, "column %d: more than %d bytes", i + 1,
				 MP_CLI_BATCH_VALUE_MAX);
			goto bad;
		}
	}
	if (take_columns(L, row, e) < 0) {
		mp_wipe(e, sizeof(*e));
		return -ENOMEM;
	}
	return 1;
bad:
	mp_wipe(e, sizeof(*e));
	return -EINVAL;
}

/* ---- files ---- */

static int add_entry(struct mp_cli_batch *b, struct mp_cli_batch_entry *e, size_t *cap)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (memcmp(b->v[i].uuid, e->uuid, 16) == 0)
			return mp_cli_batch_add_problem(b, e->line, "this UUID is already on "
							"line %u", b->v[i].line);
		if (e->address && b->v[i].address == e->address)
			return mp_cli_batch_add_problem(b, e->line, "address 0x%04x is already "
							"on line %u", e->address, b->v[i].line);
	}
	if (b->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct mp_cli_batch_entry *nv = malloc(ncap * sizeof(*nv));

		if (!nv) {
			b->nomem = true;
			return -ENOMEM;
		}
		/* not realloc: the old block holds static OOB values to wipe */
		if (b->n)
			memcpy(nv, b->v, b->n * sizeof(*nv));
		if (b->v)
			mp_wipe(b->v, b->n * sizeof(*nv));
		free(b->v);
		b->v = nv;
		*cap = ncap;
	}
	b->v[b->n++] = *e;
	e->columns = NULL;	/* the array owns them now */
	return 0;
}

int mp_cli_batch_read(const char *text, size_t len, struct mp_cli_batch *b)
{
	struct reader r = { .t = text, .len = len, .lineno = 1 };
	struct layout L = { 0 };
	struct mp_cli_batch_entry e;
	struct row row;
	bool first = true;
	size_t cap = 0;
	char err[512];
	int rc;

	memset(b, 0, sizeof(*b));
	if (len >= 2 && (((uint8_t)text[0] == 0xff && (uint8_t)text[1] == 0xfe) ||
			 ((uint8_t)text[0] == 0xfe && (uint8_t)text[1] == 0xff))) {
		/* Excel's "Unicode Text" */
		b->sep = ' ';
		mp_cli_batch_add_problem(b, 1, "UTF-16 text: save the file as \"CSV UTF-8\" or "
					 "as UTF-8 text");
		return b->nomem ? -ENOMEM : 0;
	}
	/* The byte order mark that Excel's "CSV UTF-8" always writes. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	r.sep = detect_sep(text + r.pos, len - r.pos);
	/* "sep=;" on the first line: the separator named, as Excel reads it */
	if (len - r.pos >= 5 && strncmp(text + r.pos, "sep=", 4) == 0 &&
	    (len - r.pos == 5 || is_eol(text[r.pos + 5])) && strchr(",;\t|", text[r.pos + 4]) &&
	    text[r.pos + 4] != '\0') {
		r.sep = text[r.pos + 4];
		skip_line(&r);
	}
	b->sep = r.sep;
	r.buf = malloc(BUF_SIZE);
	r.raw = malloc(MP_CLI_BATCH_RECORD_MAX + 1);
	if (!r.buf || !r.raw) {
		b->nomem = true;
		goto out;
	}
	while (!b->nomem) {
		rc = next_row(&r, &row, L.ncols == 0, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc < 0) {
			mp_cli_batch_add_problem(b, row.line, "%s", err);
			first = false;
			continue;
		}
		if (row.nf == 0)
			continue;
		if (first) {
			int i;

			for (i = 0; i < row.nf && !row.f[i][0]; i++)
				;
			if (i == row.nf)
				continue;	/* empty cells only */
			first = false;
			if (looks_like_header(&row)) {
				b->header_line = row.line;
				if (!read_header(b, &L, &row))
					break;	/* the rows cannot be read without it */
				continue;
			}
		}
		rc = fill_entry(&L, &row, &e, err, sizeof(err));
		if (rc == -ENOMEM) {
			b->nomem = true;
			break;
		}
		if (rc < 0) {
			mp_cli_batch_add_problem(b, row.line, "%s", err);
			continue;
		}
		if (rc == 0)
			continue;
		e.line = row.line;
		add_entry(b, &e, &cap);
		free(e.columns);
		mp_wipe(&e, sizeof(e));
	}
	if (!b->nomem && !b->nbad && b->n == 0)
		mp_cli_batch_add_problem(b, r.lineno > 1 ? r.lineno - 1 : 1,
					 "no device in the file");
out:
	layout_free(&L);
	if (r.buf)
		mp_wipe(r.buf, BUF_SIZE);
	if (r.raw)
		mp_wipe(r.raw, MP_CLI_BATCH_RECORD_MAX + 1);
	free(r.buf);
	free(r.raw);
	return b->nomem ? -ENOMEM : 0;
}

int mp_cli_batch_parse_line(const char *line, struct mp_cli_batch_entry *e, char *err,
			    size_t errlen)
{
	struct reader r = { .t = line, .len = strlen(line), .lineno = 1 };
	struct layout L = { 0 };
	struct row row;
	int rc;

	memset(e, 0, sizeof(*e));
	r.sep = detect_sep(line, r.len);
	r.buf = malloc(BUF_SIZE);
	r.raw = malloc(MP_CLI_BATCH_RECORD_MAX + 1);
	rc = -ENOMEM;
	if (r.buf && r.raw) {
		rc = next_row(&r, &row, true, err, errlen);
		if (rc == 1)
			rc = row.nf ? fill_entry(&L, &row, e, err, errlen) : 0;
		if (rc == 1)
			e->line = 1;
	}
	if (r.buf)
		mp_wipe(r.buf, BUF_SIZE);
	if (r.raw)
		mp_wipe(r.raw, MP_CLI_BATCH_RECORD_MAX + 1);
	free(r.buf);
	free(r.raw);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc == -ENOMEM ? -EINVAL : rc;
}

int mp_cli_batch_parse(const char *text, size_t len, struct mp_cli_batch_entry **out,
		       char **errors)
{
	struct mp_cli_batch b;
	size_t i, size = 1, o = 0;
	int n;

	*out = NULL;
	*errors = NULL;
	if (mp_cli_batch_read(text, len, &b) < 0) {
		mp_cli_batch_clear(&b);
		return -ENOMEM;
	}
	if (!b.nbad) {
		*out = b.v;
		n = (int)b.n;
		b.v = NULL;
		b.n = 0;
		mp_cli_batch_clear(&b);
		return n;
	}
	mp_cli_batch_sort(&b);
	for (i = 0; i < b.nbad; i++)
		size += strlen(b.bad[i].text) + 32;
	*errors = malloc(size);
	if (!*errors) {
		mp_cli_batch_clear(&b);
		return -ENOMEM;
	}
	for (i = 0; i < b.nbad; i++)
		o += (size_t)snprintf(*errors + o, size - o, "line %u: %s\n", b.bad[i].line,
				      b.bad[i].text);
	(*errors)[o] = '\0';
	mp_cli_batch_clear(&b);
	return -EINVAL;
}
