/* A group name wherever a destination address is accepted (issue #14). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cli/group.h"
#include "cli/parse.h"
#include "crypto/mesh_keys.h"

int mp_cli_parse_addr_or_group(const struct mp_keyring *kr, const char *text,
			       struct mp_nc_addr *out)
{
	const struct mp_group *g;
	uint32_t v;

	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* 0000 is the unassigned address: never a destination (MshPRT v1.1 3.4.2.1) */
	if (mp_cli_parse_hex(text, 0xffff, &v) == 0 && v) {
		out->addr = (uint16_t)v;
		return 0;
	}
	if (mp_cli_parse_uuid(text, out->label) == 0) {
		out->virt = true;
		return mp_virtual_address(out->label, &out->addr) < 0 ? -EINVAL : 0;
	}
	g = kr ? mp_keyring_group_find_name(kr, text) : NULL;
	if (!g)
		return -ENOENT;
	*out = g->addr;
	return 0;
}
