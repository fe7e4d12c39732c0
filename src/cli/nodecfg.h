/* What the Configuration Client learns, recorded in the keyring: the
 * conversions from config/'s decoded messages to store/'s records (store/
 * may not include config/, mk/layers.txt, so the CLI converts).
 */
#ifndef MP_CLI_NODECFG_H
#define MP_CLI_NODECFG_H

#include <stdint.h>

#include "config/comp.h"
#include "config/msg.h"
#include "store/keyring.h"

/**
 * Record Composition Data page 0 @c (config/comp.h) as node @addr's
 * composition (mp_node_config_set_composition()); the keyring's errors:
 * -ENOENT no such node, -EINVAL an element count other than the node's,
 * -ENOMEM, or those of saving. Saves.
 */
int mp_cli_record_comp0(struct mp_keyring *kr, uint16_t addr, const struct mp_comp0 *c);

/**
 * Record in the keyring what a node's answer @st to request @req (its
 * opcode) says of node @node's configuration: its composition (page 0),
 * an AppKey it holds (Add) or no longer holds (Delete), a binding, a
 * subscription change, a publication, Default TTL, Relay, GATT Proxy,
 * Friend, Secure Network Beacon, Network Transmit. A List (AppKey List,
 * SIG/Vendor Model App List, SIG/Vendor Model Subscription List) replaces
 * what is recorded of that NetKey's AppKeys or that model: the node is the
 * authority (entries the keyring cannot hold, an AppKey it does not have or
 * a virtual address whose Label UUID it does not know, are left out). A Status
 * other than Success, and answers the keyring keeps nothing of, record
 * nothing (0). A virtual subscription or publication is recorded with
 * @label, the request's Label UUID (its Status carries only the label's
 * hash: with @label NULL nothing is recorded of it). The keyring's errors
 * otherwise. Saves.
 */
int mp_cli_record_answer(struct mp_keyring *kr, uint16_t node, uint32_t req,
			 const struct mp_cfg_msg *st, const uint8_t *label);

#endif
