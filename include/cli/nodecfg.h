/* What the Configuration Client learns, recorded in the keyring: the
 * conversions from config/'s decoded messages to store/'s records (store/
 * may not include config/, mk/layers.txt, so the CLI converts).
 */
#ifndef MP_CLI_NODECFG_H
#define MP_CLI_NODECFG_H

#include <stdint.h>

#include "config/comp.h"
#include "store/keyring.h"

/**
 * Record Composition Data page 0 @c (config/comp.h) as node @addr's
 * composition (mp_node_config_set_composition()); the keyring's errors:
 * -ENOENT no such node, -EINVAL an element count other than the node's,
 * -ENOMEM, or those of saving. Saves.
 */
int mp_cli_record_comp0(struct mp_keyring *kr, uint16_t addr, const struct mp_comp0 *c);

#endif
