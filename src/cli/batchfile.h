/* Batch files as people and spreadsheet programs write them: what a file
 * says, parsed without I/O so that unit tests and a fuzz target cover every
 * case. Reading the file, checking it against the keyring and running it
 * are cli/batch.h and the provision command.
 *
 * Accepted: blank-separated columns with shell quoting (the hand-written
 * form), and delimited text as spreadsheets export it: RFC 4180 quoting
 * (separators, line ends and doubled quotes inside "..."), a UTF-8 byte
 * order mark (Excel's "CSV UTF-8"), CRLF, LF or CR line ends, and the
 * separator found in the file: a tab (TSV), ';' (CSV in locales whose
 * decimal mark is a comma) or ','. The first row may be a header naming
 * the columns (uuid, auth, name, address and their usual spellings) in any
 * order; any other column it names is carried with each device.
 */
#ifndef MP_CLI_BATCHFILE_H
#define MP_CLI_BATCHFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/parse.h"

#define MP_CLI_BATCH_MAX_COLUMNS 32	/* columns of a row */
#define MP_CLI_BATCH_RECORD_MAX 8192	/* bytes of a row (several lines when quoted) */
#define MP_CLI_BATCH_VALUE_MAX 255	/* bytes of an extra column's value */
#define MP_CLI_BATCH_COLNAME_MAX 64	/* bytes of an extra column's header word */

/** A column the header row names beyond the known ones: its word, this row's value. */
struct mp_cli_column {
	char *name;
	char *value;
};

/* One device of a batch file. */
struct mp_cli_batch_entry {
	unsigned int line;		/* 1-based line number in the file */
	uint8_t uuid[16];
	uint8_t static_oob[32];
	uint8_t static_len;		/* with auth STATIC */
	enum mp_auth_choice auth;	/* AUTO: not given (use --auth) */
	bool require_auth;		/* "required": the best method, never No OOB */
	char output[9];			/* Output OOB value known in advance, or "" */
	char name[MP_CLI_NAME_MAX + 1];	/* "" if none */
	uint16_t address;		/* 0: allocate */
	/* The extra columns in file order, "" for an empty cell: one block
	 * (names and values inside it), NULL when the file has none. */
	struct mp_cli_column *columns;
	size_t ncolumns;
};

/** A bad line: its number and what is wrong with it. */
struct mp_cli_batch_problem {
	unsigned int line;
	char *text;
};

/** A batch file, read: its good rows and its problems. */
struct mp_cli_batch {
	struct mp_cli_batch_entry *v;	/* the rows that parsed, in file order */
	size_t n;
	struct mp_cli_batch_problem *bad;
	size_t nbad;
	char sep;			/* '\t', ';', ',' or ' ' (blank-separated) */
	unsigned int header_line;	/* the header row's line, 0 if none */
	bool nomem;			/* an allocation failed: the result is incomplete */
};

/**
 * Read a whole batch file held in @text (@len bytes; NULs and text that is
 * not UTF-8 where a name is expected are problems) into @b (zeroed here;
 * release with mp_cli_batch_clear()). Every bad row is recorded as a
 * problem with its line number, the reading goes on: bad columns, a UUID
 * or an address given twice (naming the first line too), a header that
 * names no UUID column, no device at all. Returns 0, or -ENOMEM (@b->nomem
 * is set; clear it all the same).
 */
int mp_cli_batch_read(const char *text, size_t len, struct mp_cli_batch *b);

/** Record a problem on @line (kept in line order by mp_cli_batch_sort()). 0 or -ENOMEM. */
int mp_cli_batch_add_problem(struct mp_cli_batch *b, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Sort the problems by line number, keeping the order of those of one line. */
void mp_cli_batch_sort(struct mp_cli_batch *b);

/** Free and wipe (static OOB values) everything @b holds; @b is zeroed. */
void mp_cli_batch_clear(struct mp_cli_batch *b);

/** Free and wipe an array of @n entries (their columns too). */
void mp_cli_batch_free(struct mp_cli_batch_entry *v, size_t n);

/** One malloc'd block holding a copy of @n columns, or NULL (@n 0, or no memory). */
struct mp_cli_column *mp_cli_columns_dup(const struct mp_cli_column *c, size_t n);

/**
 * Parse one line of a file without a header row: "UUID [AUTH [NAME
 * [ADDRESS]]]", the columns separated by blanks (quotes allowed, as in the
 * shell) or by the tab, ';' or ',' the line holds; an empty column or "-"
 * means not given. AUTH is a static OOB value in hex (as "static:HEX" too),
 * "none", "input", "output" (the value then comes from --oob-cmd or a
 * person), or "output:VALUE" (what the device will show, known in advance:
 * 1 to 8 digits or letters). Blank lines and lines starting with '#' are
 * skipped. Returns 1 with *@e filled (no columns), 0 for a line to skip,
 * -EINVAL with a message in @err.
 */
int mp_cli_batch_parse_line(const char *line, struct mp_cli_batch_entry *e, char *err,
			    size_t errlen);

/**
 * mp_cli_batch_read() for callers that want all or nothing: the number of
 * entries with the array in *@out (mp_cli_batch_free() it), or -EINVAL
 * with every problem as "line N: problem\n" in a malloc'd *@errors (*@out
 * NULL), or -ENOMEM.
 */
int mp_cli_batch_parse(const char *text, size_t len, struct mp_cli_batch_entry **out,
		       char **errors);

#endif
