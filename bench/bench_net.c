/* CPU time per Network PDU (CLOCK_PROCESS_CPUTIME_ID; each operation repeated
 * until it has used at least MIN_CPU_SECONDS): encrypt + obfuscate, and
 * deobfuscate + decrypt with 1 and with 16 subnets, the PDU's key last (so
 * the NID lookup walks them all), and with 16 subnets whose NIDs are all
 * the PDU's (the worst case: 15 failed authentications first); beacons.
 * Prints figures, asserts nothing about them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/beacon.h"
#include "net/net.h"

#define MIN_CPU_SECONDS 0.25
#define SUBNETS 16

struct bench_ctx {
	struct mp_subnet subnets[SUBNETS];
	struct mp_subnet colliding[SUBNETS];
	struct mp_net_hdr hdr;
	uint8_t transport[16];
	size_t transport_len;
	uint8_t pdu[MP_NET_PDU_MAX];
	size_t len;
	uint8_t snb[MP_SNB_LEN];
	struct mp_net_rx rx;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench_net: %s failed: %s\n", what, strerror(-ret));
		exit(1);
	}
}

static void run(const char *name, int (*op)(struct bench_ctx *), struct bench_ctx *c)
{
	unsigned long n = 8, i;
	double t0, dt;

	check(op(c), name);
	for (;;) {
		t0 = cpu_now();
		for (i = 0; i < n; i++)
			check(op(c), name);
		dt = cpu_now() - t0;
		if (dt >= MIN_CPU_SECONDS)
			break;
		n *= 2;
	}
	printf("  %-58s %10.2f us/op  (%lu ops)\n", name, dt * 1e6 / (double)n, n);
}

/* The last subnet's key sends. */
static const struct mp_net_cred *tx_cred(struct bench_ctx *c)
{
	return &mp_subnet_tx_keys(&c->subnets[SUBNETS - 1])->flood;
}

static int op_encode(struct bench_ctx *c)
{
	ssize_t n = mp_net_encode(tx_cred(c), 0x12345678, MP_NET_NETWORK, &c->hdr, c->transport,
				  c->transport_len, c->pdu, sizeof(c->pdu));

	return n < 0 ? (int)n : 0;
}

static int op_decode_1(struct bench_ctx *c)
{
	return mp_net_decode(&c->subnets[SUBNETS - 1], 1, 0x12345678, MP_NET_NETWORK, c->pdu,
			     c->len, &c->rx);
}

static int op_decode_16(struct bench_ctx *c)
{
	return mp_net_decode(c->subnets, SUBNETS, 0x12345678, MP_NET_NETWORK, c->pdu, c->len,
			     &c->rx);
}

static int op_decode_16_colliding(struct bench_ctx *c)
{
	return mp_net_decode(c->colliding, SUBNETS, 0x12345678, MP_NET_NETWORK, c->pdu, c->len,
			     &c->rx);
}

static int op_snb_encode(struct bench_ctx *c)
{
	ssize_t n = mp_snb_encode(mp_subnet_tx_keys(&c->subnets[SUBNETS - 1]), 0, 0x12345678,
				  c->snb, sizeof(c->snb));

	return n < 0 ? (int)n : 0;
}

static int op_snb_rx_16(struct bench_ctx *c)
{
	struct mp_snb_rx rx;

	return mp_snb_rx(c->subnets, SUBNETS, c->snb, sizeof(c->snb), &rx);
}

int main(void)
{
	struct bench_ctx *c = calloc(1, sizeof(*c));
	uint8_t key[16];
	unsigned i;

	if (!c)
		return 1;
	for (i = 0; i < SUBNETS; i++) {
		memset(key, (int)i + 1, sizeof(key));
		check(mp_subnet_init(&c->subnets[i], (uint16_t)i, key), "subnet");
	}
	c->hdr = (struct mp_net_hdr){ .ttl = 4, .seq = 0x3129ab, .src = 0x0003, .dst = 0x1201 };
	c->transport_len = 16;
	memset(c->transport, 0x5a, c->transport_len);
	check(op_encode(c), "encode");
	c->len = MP_NET_PDU_MAX;
	/* the same keys behind the sender's NID, then the sender's */
	for (i = 0; i < SUBNETS; i++) {
		c->colliding[i] = c->subnets[i];
		c->colliding[i].key[0].flood.nid = tx_cred(c)->nid;
	}
	check(op_snb_encode(c), "beacon");

	printf("network layer, %u-octet Network PDU (16-octet TransportPDU):\n", MP_NET_PDU_MAX);
	run("encrypt + obfuscate", op_encode, c);
	run("deobfuscate + decrypt, 1 subnet", op_decode_1, c);
	run("deobfuscate + decrypt, 16 subnets (NID lookup)", op_decode_16, c);
	run("deobfuscate + decrypt, 16 subnets, one NID (15 fail first)",
	    op_decode_16_colliding, c);
	printf("beacons:\n");
	run("Secure Network beacon encode", op_snb_encode, c);
	run("Secure Network beacon receive, 16 subnets", op_snb_rx_16, c);
	for (i = 0; i < SUBNETS; i++) {
		mp_subnet_wipe(&c->subnets[i]);
		mp_subnet_wipe(&c->colliding[i]);
	}
	free(c);
	return 0;
}
