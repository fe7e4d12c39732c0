/* Parsing what people type: words of a command line, UUIDs, hex numbers the
 * way BlueZ users write them, authentication choices (batch files are
 * cli/batchfile.h). Pure functions (no I/O), so that unit tests cover every
 * case.
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

#endif
