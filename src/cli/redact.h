/* User text in messages: what a person or a script typed is echoed back
 * in errors ("'...' failed", "not '...'"), and it may hold secrets (a
 * static OOB value, an imported key), control bytes that drive the
 * terminal, or a megabyte of junk. Everything echoed goes through here:
 * secrets masked, control bytes and what is not UTF-8 escaped (\xNN), long
 * text cut. Pure functions, so that unit tests cover every case.
 */
#ifndef MP_CLI_REDACT_H
#define MP_CLI_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define MP_CLI_SHOW_MAX 160	/* bytes of user text a message shows */
#define MP_CLI_SHOW_BUF 768	/* room for MP_CLI_SHOW_MAX bytes, escaped, and the cut mark */
#define MP_CLI_MASK "****"	/* what stands for a secret */

/**
 * @s (@len bytes, may hold NULs), fit for a terminal: bytes below 0x20,
 * DEL, C1 controls (U+0080..U+009F) and bytes that are not UTF-8 written
 * as \xNN; after @max bytes of @s, cut with "... (N bytes)". @out (at least
 * 4 * @max + 32 bytes) gets the text; returns @out.
 */
const char *mp_cli_show_n(const char *s, size_t len, size_t max, char *out, size_t outlen);

/** As mp_cli_show_n() for a string, with MP_CLI_SHOW_MAX (@out: MP_CLI_SHOW_BUF). */
const char *mp_cli_show(const char *s, char *out, size_t outlen);

/**
 * The command line @line for a message: as mp_cli_show_n() after masking
 * the secrets it carries: the value of any "static:VALUE" (but not
 * "static:-" or "static:@FILE", which only say where the value is), and
 * the KEY of "netkey import" and "appkey import" (but not "-" or "@FILE").
 * Works on lines that do not split (an unterminated quote): words are
 * runs of non-blanks. Returns @out.
 */
const char *mp_cli_show_line(const char *line, size_t max, char *out, size_t outlen);

/** True when mp_cli_show_line() would mask something in @line (for the history). */
bool mp_cli_line_has_secret(const char *line);

#endif
