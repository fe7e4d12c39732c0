/* Secrets given so that no one else sees them. A key or a static OOB value
 * on the command line is in /proc/PID/cmdline for every local user to
 * read, and in the shell's history; instead of the value, a command takes
 * where it is: "@FILE" (the file's first line; /dev/fd/N and a pipe work
 * too) or "-" (asked with echo off on a terminal; otherwise one line of
 * stdin, which in a script read from stdin is the script's next line).
 */
#ifndef MP_CLI_SECRET_H
#define MP_CLI_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define MP_CLI_SECRET_MAX 256	/* bytes of a secret's text, more than any hex key */

/** True when @spec says where a secret is ("-" or "@FILE") rather than being it. */
bool mp_cli_secret_is_ref(const char *spec);

/**
 * Read the secret @spec names ("-" or "@FILE") into @out (@outlen bytes,
 * NUL-terminated, at most MP_CLI_SECRET_MAX), without its line end and
 * trailing blanks; @what names it in the prompt and in messages ("NetKey").
 * The caller wipes @out. Returns 0, or -errno with a message on stderr
 * (-ENODATA: empty, -E2BIG: longer than a line of @outlen - 1 bytes).
 */
int mp_cli_secret_read(const char *spec, const char *what, char *out, size_t outlen);

#endif
