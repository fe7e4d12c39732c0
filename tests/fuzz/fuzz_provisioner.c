/* Fuzz target: a provisioner fed an arbitrary sequence of device PDUs.
 *
 * The input is a series of records: one length octet, then that many octets
 * of PDU. The provisioner must never crash, must report DONE at most once,
 * and must send nothing after DONE. The key pair is fixed (a scripted
 * random source) so that runs are reproducible.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov/provisioner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct mp_prov *prov;
	int done;
	int sent_after_done;
};

static int fz_rand(void *ctx, uint8_t *out, size_t n)
{
	memset(out, 0x5a, n);	/* a valid P-256 scalar, and fixed values */
	return 0;
}

static int fz_send(void *user, const uint8_t *pdu, size_t len)
{
	struct fz *f = user;

	if (f->done)
		f->sent_after_done++;
	return 0;
}

static void fz_event(void *user, const struct mp_prov_event *ev)
{
	struct fz *f = user;
	struct mp_prov_data d = { .unicast = 1, .iv_index = 1 };

	switch (ev->type) {
	case MP_PROV_EV_DONE:
		f->done++;
		break;
	case MP_PROV_EV_DATA_NEEDED:
		mp_prov_send_data(f->prov, &d);
		break;
	case MP_PROV_EV_OOB_OUTPUT:
		mp_prov_oob_enter(f->prov, "1");
		break;
	default:
		break;
	}
}

static void fz_timer(void *user, uint32_t ms)
{
}

static const struct mp_prov_ops fz_ops = { fz_send, fz_event, fz_timer };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mp_rng rng = { fz_rand, NULL };
	struct mp_prov_params prm = { .action = -1, .rng = &rng, .static_oob_len = 16 };
	struct fz f = { 0 };
	size_t off = 0;

	if (size > 0 && (data[0] & 1))
		prm.static_oob_len = 32;
	f.prov = mp_prov_new(&prm, &fz_ops, &f);
	if (!f.prov)
		abort();
	mp_prov_start(f.prov);
	while (off < size) {
		size_t n = data[off++];

		if (n > size - off)
			n = size - off;
		mp_prov_rx(f.prov, data + off, n);
		off += n;
	}
	if (f.done > 1 || f.sent_after_done)
		abort();
	mp_prov_free(f.prov);
	return 0;
}
