/* Fuzz target: the keyring reader (mp_keyring_parse), from bytes in memory.
 * Invariants: a rejected input gets an error kind and a message; an
 * accepted one serializes, parses back and serializes to the same text, and
 * allocation hands out only free addresses. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/keyring.h"
#include "store/nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_keyring_error err;
	struct mp_keyring *kr = NULL, *back = NULL;
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	uint16_t addr = 0, got = 0;
	static const uint8_t key[16];
	uint8_t uuid[16];
	int r;

	r = mp_keyring_parse(data, size, NULL, 0, &kr, &err);
	if (r) {
		if (kr || err.code != r || err.kind == MP_KR_OK || !err.msg[0])
			abort();
		return 0;
	}
	if (mp_keyring_serialize(kr, &a, &alen))
		abort();
	if (mp_keyring_parse(a, alen, NULL, 0, &back, &err))
		abort();
	if (mp_keyring_serialize(back, &b, &blen) || alen != blen || memcmp(a, b, alen))
		abort();
	r = mp_keyring_alloc_address(kr, (uint8_t)(1 + size % 4), &addr);
	if (!r) {
		if (mp_keyring_node_find(kr, addr) || mp_keyring_is_excluded(kr, addr))
			abort();
		memset(uuid, 0xee, sizeof(uuid));
		uuid[0] = (uint8_t)size;
		if (!mp_keyring_node_find_uuid(kr, uuid) &&
		    memcmp(uuid, mp_keyring_self(kr)->uuid, 16) &&
		    (mp_keyring_node_add_pending(kr, uuid, (uint8_t)(1 + size % 4), key, NULL,
						 &got) == 0) != (got == addr))
			abort();
	} else if (r != -ENOSPC) {
		abort();
	}
	mp_keyring_free_secret(a);
	mp_keyring_free_secret(b);
	mp_keyring_close(back);
	mp_keyring_close(kr);
	return 0;
}
