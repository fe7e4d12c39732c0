/* Benchmark: PB-GATT links back to back, no GATT stack.
 *
 * Prints how many 65-octet Provisioning PDUs (a Public Key) per second of
 * CPU the bearer layer segments, reassembles and reports delivered, at
 * ATT_MTU 23 (4 Proxy PDUs each) and 69 (one). Figures only; nothing is
 * asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bearer/pbgatt.h"

#define QMAX 64
#define ROUNDS 200000

struct bench;

struct end {
	struct bench *b;
	int idx;
	struct mp_pbgatt *link;
	bool armed[MP_PBGATT_TIMERS];
	unsigned rx, delivered;
};

struct bench {
	struct end e[2];
	uint8_t q[QMAX][MP_PROXY_ATT_VALUE_MAX];
	size_t qlen[QMAX];
	int qto[QMAX];
	size_t n;
};

static int b_tx(void *user, const uint8_t *value, size_t len)
{
	struct end *e = user;
	struct bench *b = e->b;

	if (b->n == QMAX)
		return -1;
	memcpy(b->q[b->n], value, len);
	b->qlen[b->n] = len;
	b->qto[b->n++] = !e->idx;
	return 0;
}

static void b_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct end *e = user;

	e->armed[id] = delay_ms != 0;
}

static void b_disconnect(void *user)
{
}

static void b_rx(void *user, const uint8_t *pdu, size_t len)
{
	((struct end *)user)->rx++;
}

static void b_delivered(void *user)
{
	((struct end *)user)->delivered++;
}

static const struct mp_pbgatt_ops b_ops = {
	.tx = b_tx, .timer = b_timer, .disconnect = b_disconnect,
};
static const struct mp_bearer_cb b_cb = { .rx = b_rx, .delivered = b_delivered };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(unsigned mtu)
{
	struct bench *b = calloc(1, sizeof(*b));
	uint8_t pdu[65];
	double t0, dt;
	unsigned i, values = 0;
	size_t k;
	int s;

	if (!b)
		exit(1);
	for (k = 0; k < sizeof(pdu); k++)
		pdu[k] = (uint8_t)(k * 7 + 1);
	pdu[0] = 0x03;
	for (s = 0; s < 2; s++) {
		struct mp_pbgatt_config cfg = {
			.role = s ? MP_PBGATT_DEVICE : MP_PBGATT_PROVISIONER,
			.ops = &b_ops, .cb = &b_cb, .user = &b->e[s],
		};

		b->e[s].b = b;
		b->e[s].idx = s;
		b->e[s].link = mp_pbgatt_new(&cfg);
		if (!b->e[s].link || mp_pbgatt_set_mtu(b->e[s].link, mtu) ||
		    mp_pbgatt_ready(b->e[s].link))
			exit(1);
	}
	t0 = now_s();
	for (i = 0; i < ROUNDS; i++) {
		struct end *tx = &b->e[i & 1], *rx = &b->e[!(i & 1)];

		if (mp_pbgatt_send(tx->link, pdu, sizeof(pdu)))
			exit(1);
		values += (unsigned)b->n;
		for (k = 0; k < b->n; k++)
			mp_pbgatt_rx(rx->link, b->q[k], b->qlen[k]);
		b->n = 0;
		/* The loop's deferred delivery. */
		tx->armed[MP_PBGATT_TIMER_DELIVER] = false;
		mp_pbgatt_timeout(tx->link, MP_PBGATT_TIMER_DELIVER);
	}
	dt = now_s() - t0;
	printf("bench_pbgatt: ATT_MTU %u: %u 65-octet PDUs (%u ATT values) in %.3f s: "
	       "%.0f PDUs/s (%u received, %u delivered)\n", mtu, ROUNDS, values, dt,
	       ROUNDS / dt, b->e[0].rx + b->e[1].rx, b->e[0].delivered + b->e[1].delivered);
	mp_pbgatt_free(b->e[0].link);
	mp_pbgatt_free(b->e[1].link);
	free(b);
}

int main(void)
{
	run(23);
	run(69);
	return 0;
}
