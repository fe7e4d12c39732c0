/* Groups by name (issue #14): a group name accepted wherever a destination
 * address is, resolved against the keyring's groups (store/node_config.h).
 */
#ifndef MP_CLI_GROUP_H
#define MP_CLI_GROUP_H

#include "store/keyring.h"
#include "store/node_config.h"

/**
 * A destination typed by the user: an address in hex (0001-ffff, with or
 * without "0x"), a Label UUID (32 hex digits, dashes allowed: a virtual
 * address, MshPRT v1.1 3.4.2.3), or the name of one of @kr's groups (its
 * group address, or its virtual label). The address syntax wins over a
 * group whose name is also one (a group named "c001" is reached by
 * address only). @kr may be NULL (no names). Into *@out.
 * 0; -ENOENT when @text is no address and no group of @kr; -EINVAL when
 * @text is NULL or the label's virtual address cannot be computed.
 */
int mp_cli_parse_addr_or_group(const struct mp_keyring *kr, const char *text,
			       struct mp_nc_addr *out);

#endif
