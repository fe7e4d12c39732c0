/* Fuzz target: the Mesh Configuration Database importer (mp_cdb_import),
 * from bytes in memory, into a keyring in memory. Invariants: a rejected
 * document leaves the keyring as it was and says why; an accepted one
 * exports and imports again into the same keyring, to the byte. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/cdb.h"
#include "store/keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int counter_bytes(void *ctx, uint8_t *out, size_t n)
{
	uint32_t *c = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(++*c * 2654435761u >> 24);
	return 0;
}

static int64_t fixed_now(void *ctx)
{
	(void)ctx;
	return 1700000000;
}

static struct mp_keyring *fresh(uint32_t *counter, struct mp_rng *rng)
{
	struct mp_keyring_error err;
	struct mp_keyring_opts o;
	struct mp_keyring *kr = NULL;

	memset(&o, 0, sizeof(o));
	*counter = 0;
	rng->bytes = counter_bytes;
	rng->ctx = counter;
	o.rng = rng;
	o.now = fixed_now;
	if (mp_keyring_new(&o, &kr, &err)) {
		fprintf(stderr, "fuzz_cdb: %s\n", err.msg);
		abort();
	}
	return kr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_cdb_import_opts io = { .flags = MP_CDB_ADOPT | MP_CDB_REPLACE };
	struct mp_rng rng1, rng2;
	uint32_t c1, c2;
	struct mp_keyring *kr = fresh(&c1, &rng1), *kr2;
	char *before, *after, *cdb, *n1, *n2;
	size_t cdblen;
	int r;

	if (mp_keyring_serialize(kr, &before, NULL))
		abort();
	if (size % 2)
		io.flags &= ~MP_CDB_ADOPT;	/* also join as a new provisioner */
	r = mp_cdb_import(kr, (const char *)data, size, &io);
	if (r) {
		const struct mp_keyring_error *e = mp_keyring_last_error(kr);

		if (e->code != r || e->kind == MP_KR_OK || !e->msg[0])
			abort();
		if (mp_keyring_serialize(kr, &after, NULL) || strcmp(before, after))
			abort();
		mp_keyring_free_secret(after);
		mp_keyring_free_secret(before);
		mp_keyring_close(kr);
		return 0;
	}
	mp_keyring_free_secret(before);
	if (mp_cdb_export(kr, NULL, &cdb, &cdblen))
		abort();
	kr2 = fresh(&c2, &rng2);
	io.flags = MP_CDB_ADOPT;
	if (mp_cdb_import(kr2, cdb, cdblen, &io))
		abort();
	if (mp_keyring_serialize(kr, &n1, NULL) || mp_keyring_serialize(kr2, &n2, NULL))
		abort();
	if (strcmp(n1, n2))
		abort();
	mp_keyring_free_secret(n1);
	mp_keyring_free_secret(n2);
	mp_keyring_free_secret(cdb);
	mp_keyring_close(kr2);
	mp_keyring_close(kr);
	return 0;
}
