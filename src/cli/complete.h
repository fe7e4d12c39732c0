/* Completion words that come from the keyring: node addresses, key
 * indexes, group names, and the element addresses and model IDs of a
 * node's stored composition (recorded by `composition ADDR`). The shell's
 * TAB and the generated bash/zsh completions (through the hidden
 * `meshprov --complete KIND [WORD...]`) read the same words from here.
 *
 * Completion only reads: it never opens the radio, never creates a
 * keyring, never asks for a passphrase, and says nothing when the keyring
 * cannot be read (a person pressing TAB wants words or nothing, not an
 * error in the middle of the line).
 */
#ifndef MP_CLI_COMPLETE_H
#define MP_CLI_COMPLETE_H

#include <stdint.h>

#include "cli/commands.h"
#include "store/keyring.h"

/* One candidate: the word, and what it is ("" when nothing is known). */
typedef void (*mp_cli_cand_fn)(const char *word, const char *desc, void *data);

/**
 * The candidates of @kind (MP_COMPL_NODE, NETKEY, APPKEY, GROUP, ELEMENT,
 * MODEL; other kinds give none) from @kr, given the command's positional
 * words before the one being completed (@argc words in @argv: ELEMENT
 * reads the node from word 0, MODEL the element from word 1). A node
 * without stored composition has no elements or models to offer. @kr may
 * be NULL (no candidates).
 */
void mp_cli_complete_keyring(const struct mp_keyring *kr, enum mp_cli_compl kind, int argc,
			     char **argv, mp_cli_cand_fn fn, void *data);

/**
 * The name of SIG model @id (Mesh Model and Mesh Protocol foundation
 * models, from the Assigned Numbers), or NULL when this table has none.
 */
const char *mp_cli_model_name(uint16_t id);

/**
 * `meshprov [--keyring PATH] --complete KIND [WORD...]`: print the
 * candidates of the kind named KIND (mp_cli_compl_name()), one a line as
 * "WORD<TAB>DESCRIPTION", from the keyring at @keyring (NULL: the default
 * path), opened read-only without a passphrase. Always 0: nothing printed
 * when the keyring cannot be read or KIND is unknown.
 */
int mp_cli_complete_main(const char *keyring, int argc, char **argv);

#endif
