/* Fuzz target: a provisioner PB-ADV link and a device PB-ADV link
 * (bearer/pbadv.h) fed arbitrary PB-ADV PDUs, timer expiries and calls.
 *
 * Input: records of one op octet, one length octet, and that many octets:
 *   op 0/1  feed the octets to the provisioner / device as a received PDU
 *   op 2/3  expire the provisioner's / device's timer (id = length & 1)
 *   op 4/5  the provisioner / device sends the octets as a Provisioning PDU
 *   op 6/7  the provisioner / device closes (reason = length)
 *   op 8    deliver what both links transmitted to each other (a radio)
 *   op 9    open the provisioner again / make the device listen again
 * Both links start as in MshPRT v1.1 8.7: the provisioner opening Link ID
 * 0x23af5850, the device listening with the sample UUID.
 * Invariants (abort on failure): every PDU a link transmits is a
 * well-formed PB-ADV PDU of its own Link ID; delivered PDUs are 1..
 * MP_GPROV_PDU_MAX octets; closed() comes at most once per link use and
 * nothing follows it until the link is reused; timers are armed only with
 * a known id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/pbadv.h"
#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 64

static const uint8_t sample_uuid[16] = {
	0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
	0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4,
};
#define SAMPLE_LINK_ID 0x23af5850u

struct fz;

struct end {
	struct fz *f;
	int idx;
	struct mp_pbadv *link;
	bool armed[MP_PBADV_TIMERS];
	bool closed;
};

struct fz {
	struct end e[2];
	uint8_t q[QMAX][MP_PBADV_PDU_MAX];
	size_t qlen[QMAX];
	int qto[QMAX];
	size_t n;
};

static void fz_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct end *e = user;
	struct fz *f = e->f;
	struct mp_gprov_pdu gp;
	uint32_t id;

	if (e->closed || len < 6 || len > MP_PBADV_PDU_MAX ||
	    mp_pbadv_pdu_link_id(pdu, len, &id) != 0 || id != mp_pbadv_link_id(e->link) ||
	    mp_gprov_decode(pdu + 5, len - 5, &gp) != 0)
		abort();
	if (f->n < QMAX) {
		memcpy(f->q[f->n], pdu, len);
		f->qlen[f->n] = len;
		f->qto[f->n] = !e->idx;
		f->n++;
	}
}

static void fz_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct end *e = user;

	if (id >= MP_PBADV_TIMERS)
		abort();
	e->armed[id] = delay_ms != 0;
}

static void fz_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct end *e = user;

	if (e->closed || len == 0 || len > MP_GPROV_PDU_MAX)
		abort();
	/* Touch every octet so ASan sees an overread. */
	if (pdu[0] == 0x42 && pdu[len - 1] == 0x42)
		e->armed[0] = e->armed[0];
}

static void fz_closed(void *user, int err, uint8_t reason, bool remote)
{
	struct end *e = user;

	if (e->closed)
		abort();
	e->closed = true;
}

static void fz_opened(void *user)
{
	struct end *e = user;

	if (e->closed)
		abort();
}

static const struct mp_pbadv_ops fz_ops = { .tx = fz_tx, .timer = fz_timer };
static const struct mp_bearer_cb fz_cb = {
	.opened = fz_opened, .rx = fz_rx, .closed = fz_closed,
};

static void pump(struct fz *f)
{
	size_t i, n = f->n;
	struct {
		uint8_t b[MP_PBADV_PDU_MAX];
		size_t len;
		int to;
	} batch[QMAX];

	for (i = 0; i < n; i++) {
		memcpy(batch[i].b, f->q[i], f->qlen[i]);
		batch[i].len = f->qlen[i];
		batch[i].to = f->qto[i];
	}
	f->n = 0;
	for (i = 0; i < n; i++)
		mp_pbadv_rx(f->e[batch[i].to].link, batch[i].b, batch[i].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = calloc(1, sizeof(*f));
	size_t off = 0;
	int i;

	if (!f)
		return 0;
	for (i = 0; i < 2; i++) {
		struct mp_pbadv_config cfg = {
			.role = i ? MP_PBADV_DEVICE : MP_PBADV_PROVISIONER,
			.ops = &fz_ops, .cb = &fz_cb, .user = &f->e[i],
		};

		memcpy(cfg.uuid, sample_uuid, sizeof(cfg.uuid));
		f->e[i].f = f;
		f->e[i].idx = i;
		f->e[i].link = mp_pbadv_new(&cfg);
		if (!f->e[i].link)
			abort();
	}
	mp_pbadv_open(f->e[0].link, SAMPLE_LINK_ID);
	mp_pbadv_listen(f->e[1].link);

	while (off + 2 <= size) {
		uint8_t op = data[off];
		size_t len = data[off + 1];
		const uint8_t *arg = data + off + 2;
		struct end *e = &f->e[op & 1];

		off += 2;
		if (len > size - off)
			len = size - off;
		switch (op % 10) {
		case 0:
		case 1:
			mp_pbadv_rx(e->link, arg, len);
			break;
		case 2:
		case 3:
			/* The owner only fires armed timers; stale ones too, sometimes. */
			if (e->armed[len & 1] || (len & 2)) {
				e->armed[len & 1] = false;
				mp_pbadv_timeout(e->link, len & 1);
			}
			break;
		case 4:
		case 5:
			mp_pbadv_send(e->link, arg, len);
			break;
		case 6:
		case 7:
			mp_pbadv_close(e->link, (uint8_t)len);
			break;
		case 8:
			pump(f);
			break;
		case 9:
			for (i = 0; i < 2; i++) {
				enum mp_pbadv_state st = mp_pbadv_state(f->e[i].link);

				if (st != MP_PBADV_CLOSED && st != MP_PBADV_IDLE)
					continue;
				f->e[i].closed = false;
				if (i == 0)
					mp_pbadv_open(f->e[0].link, SAMPLE_LINK_ID + (uint32_t)len);
				else
					mp_pbadv_listen(f->e[1].link);
			}
			break;
		}
		off += len;
	}
	mp_pbadv_free(f->e[0].link);
	mp_pbadv_free(f->e[1].link);
	free(f);
	return 0;
}
