/* Keyring passphrases: from a file descriptor, a file or the terminal (with
 * echo off), never from the command line, where other users could read it
 * in /proc. */
#ifndef MP_CLI_PASSPHRASE_H
#define MP_CLI_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mp_cli_passphrase_src {
	int fd;				/* --passphrase-fd; -1: none */
	const char *file;		/* --passphrase-file; NULL: none */
	bool ask;			/* --ask-passphrase: the terminal */
};

#define MP_PASSPHRASE_MAX 1024
/* Tries a person at the terminal gets for a keyring's passphrase. */
#define MP_CLI_PASSPHRASE_TRIES 3

/** True when some source is configured. */
bool mp_cli_passphrase_given(const struct mp_cli_passphrase_src *src);

/**
 * Read a passphrase from @src (the terminal when @tty is set and no other
 * source is, asking with @prompt; twice when @confirm). One trailing newline
 * is dropped. *@out is malloc'd: wipe and free it with mp_cli_passphrase_free.
 * Returns 0, or -errno with a message on stderr: -ENODATA when empty,
 * -EINVAL when the two entries differ, -ENOTTY when there is no source.
 */
int mp_cli_passphrase_read(const struct mp_cli_passphrase_src *src, bool tty, bool confirm,
			   const char *prompt, uint8_t **out, size_t *len);

/**
 * Ask on the terminal (/dev/tty) with @prompt, echo off, for one line into
 * @buf (MP_PASSPHRASE_MAX bytes, not NUL-terminated). Returns its length
 * without the line end, or -errno (-ENOTTY: no terminal).
 */
ssize_t mp_cli_ask_hidden(const char *prompt, uint8_t *buf);

/** Wipe and free a passphrase from mp_cli_passphrase_read(). NULL is fine. */
void mp_cli_passphrase_free(uint8_t *p);

#endif
