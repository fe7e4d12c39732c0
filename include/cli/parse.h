/* Parsing what people type: words of a command line, UUIDs, hex numbers the
 * way BlueZ users write them, authentication choices, and the lines of a
 * batch file. Pure functions (no I/O), so that unit tests cover every case.
 */
#ifndef MP_CLI_PARSE_H
#define MP_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prov/provisioner.h"

#define MP_CLI_MAX_WORDS 64
#define MP_CLI_NAME_MAX 64	/* bytes of a node name (the keyring's limit) */

/**
 * Split @line into at most @max words: blanks separate words, '...' and
 * "..." quote (backslash escapes inside double quotes and outside quotes),
 * and a '#' that begins a word starts a comment unless a digit follows (so
 * "#3" is a word: a device of the scan table). The words are written into
 * @buf (@buflen at least strlen(line) + 1) and pointed to from @argv.
 * Returns the number of words, -E2BIG for too many words or too small a
 * buffer, -EINVAL for an unterminated quote.
 */
int mp_cli_split(const char *line, char *buf, size_t buflen, char **argv, int max);

/** A Device UUID: 32 hex digits, dashes allowed anywhere. 0 or -EINVAL. */
int mp_cli_parse_uuid(const char *s, uint8_t uuid[16]);

/**
 * A number in hex, with or without "0x" (addresses, key indexes, the IV
 * index: what BlueZ's tools take), at most @max. 0 or -EINVAL.
 */
int mp_cli_parse_hex(const char *s, uint32_t max, uint32_t *out);

/** A decimal number (seconds, counts) at most @max. 0 or -EINVAL. */
int mp_cli_parse_uint(const char *s, uint32_t max, uint32_t *out);

/** A unicast address in hex: 0001..7fff. 0 or -EINVAL. */
int mp_cli_parse_unicast(const char *s, uint16_t *out);

/** A device named by the user: a UUID, or "#N" (N decimal, from 1) of the scan table. */
struct mp_cli_device_ref {
	bool by_index;
	unsigned int index;
	uint8_t uuid[16];
};

/** Parse "#N" or a UUID. 0 or -EINVAL. */
int mp_cli_parse_device(const char *s, struct mp_cli_device_ref *ref);

/**
 * An authentication choice: "none", "output", "input", "static:HEX" (16 or
 * 32 octets) into @p (auth, static_oob, static_oob_len). 0 or -EINVAL.
 */
int mp_cli_parse_auth(const char *s, struct mp_prov_params *p);

/** An algorithm: "auto", "cmac" or "hmac" into @p->alg. 0 or -EINVAL. */
int mp_cli_parse_alg(const char *s, struct mp_prov_params *p);

/** A 16-octet key in hex (32 digits). 0 or -EINVAL. */
int mp_cli_parse_key(const char *s, uint8_t key[16]);

/** A node or key name: 1..MP_CLI_NAME_MAX bytes, no control characters. */
bool mp_cli_name_ok(const char *s);

/* ---- batch files ---- */

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
};

/**
 * Parse one line of a batch file: "UUID [AUTH [NAME [ADDRESS]]]", the
 * columns separated by blanks (quotes allowed, as in the shell) or by
 * commas (a CSV export); an empty column or "-" means not given. AUTH is
 * a static OOB value in hex (as "static:HEX" too), "none", "input",
 * "output" (the value then comes from --oob-cmd or a person), or
 * "output:VALUE" (what the device will show, known in advance: 1 to 8
 * digits or letters). Blank lines and lines starting with '#' are skipped.
 * Returns 1 with *@e filled, 0 for a line to skip, -EINVAL with a message
 * in @err.
 */
int mp_cli_batch_parse_line(const char *line, struct mp_cli_batch_entry *e, char *err,
			    size_t errlen);

/**
 * Parse a whole batch file held in @text (@len bytes; may hold NULs, which
 * are errors). Every bad line is reported, as "line N: problem\n", into a
 * malloc'd *@errors (NULL when none): bad columns, a UUID or an address
 * given twice (naming the first line too), no device at all. Returns the
 * number of entries with the array in *@out (free() it), -EINVAL when any
 * line is bad (*@out NULL), -ENOMEM.
 */
int mp_cli_batch_parse(const char *text, size_t len, struct mp_cli_batch_entry **out,
		       char **errors);

#endif
