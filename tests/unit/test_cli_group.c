/* cli/group: a group name accepted wherever a destination address is
 * (issue #14), resolved against the keyring's groups. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/group.h"
#include "crypto/mesh_keys.h"
#include "keyring_tu.h"

static void test_addr_or_group(void **state)
{
	/* a Label UUID and its virtual address (MshPRT v1.1 3.4.2.3; the value
	 * nRF Mesh's sample CDB stores for it: tests/vectors/cdb) */
	static const uint8_t label[16] = { 0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
					   0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1 };
	struct mp_rng rng;
	struct ktu_rng rs;
	struct ktu_clock clk;
	struct mp_keyring_opts o = ktu_opts(&rng, &rs, &clk, 1);
	struct mp_keyring *kr;
	struct mp_nc_addr a, want;
	const struct mp_group *g;

	(void)state;
	assert_int_equal(mp_keyring_new(&o, &kr, NULL), 0);
	memset(&want, 0, sizeof(want));
	want.addr = 0xc005;
	assert_int_equal(mp_keyring_group_add(kr, "hall", &want, NULL, NULL), 0);
	memset(&want, 0, sizeof(want));
	want.virt = true;
	memcpy(want.label, label, 16);
	assert_int_equal(mp_keyring_group_add(kr, "scene", &want, NULL, &g), 0);
	assert_true(g->addr.virt);

	/* addresses in hex, as everywhere */
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "0x0005", &a), 0);
	assert_int_equal(a.addr, 0x0005);
	assert_false(a.virt);
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "c010", &a), 0);
	assert_int_equal(a.addr, 0xc010);
	/* a group by name: its address */
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "hall", &a), 0);
	assert_int_equal(a.addr, 0xc005);
	assert_false(a.virt);
	/* a virtual group by name: its label and the label's address */
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "scene", &a), 0);
	assert_true(a.virt);
	assert_memory_equal(a.label, label, 16);
	assert_int_equal(a.addr, 0xb529);
	/* a Label UUID typed out */
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "0073E7E4-D8B9-440F-AF84-15DF4C56C0E1",
						    &a), 0);
	assert_true(a.virt);
	assert_int_equal(a.addr, 0xb529);
	/* no such group; the unassigned address; no keyring: no names */
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "kitchen", &a), -ENOENT);
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "0000", &a), -ENOENT);
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "10000", &a), -ENOENT);
	assert_int_equal(mp_cli_parse_addr_or_group(NULL, "hall", &a), -ENOENT);
	assert_int_equal(mp_cli_parse_addr_or_group(kr, NULL, &a), -EINVAL);
	/* a group whose name is also an address: the address wins */
	memset(&want, 0, sizeof(want));
	want.addr = 0xc007;
	assert_int_equal(mp_keyring_group_add(kr, "c001", &want, NULL, NULL), 0);
	assert_int_equal(mp_cli_parse_addr_or_group(kr, "c001", &a), 0);
	assert_int_equal(a.addr, 0xc001);
	mp_keyring_close(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_or_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
