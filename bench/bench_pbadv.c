/* Benchmark: PB-ADV links back to back, no radio, no loss.
 *
 * Prints how many complete link lifetimes (Link Open, the eleven
 * Provisioning PDUs of MshPRT v1.1 8.7 by size, Link Close) and how many
 * 65-octet transactions (3 segments + ack) the bearer layer handles per
 * second of CPU. Figures only; nothing is asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bearer/pbadv.h"

#define QMAX 256

struct bench;

struct end {
	struct bench *b;
	int idx;
	struct mp_pbadv *link;
	bool armed[MP_PBADV_TIMERS];
	unsigned rx, delivered;
	bool open, closed;
};

struct bench {
	struct end e[2];
	uint8_t q[QMAX][MP_PBADV_PDU_MAX];
	size_t qlen[QMAX];
	int qto[QMAX];
	size_t head, n;
};

static void b_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct end *e = user;
	struct bench *b = e->b;
	size_t slot;

	if (b->n == QMAX)
		return;
	slot = (b->head + b->n++) % QMAX;
	memcpy(b->q[slot], pdu, len);
	b->qlen[slot] = len;
	b->qto[slot] = !e->idx;
}

static void b_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct end *e = user;

	e->armed[id] = delay_ms != 0;
}

static void b_opened(void *user)
{
	((struct end *)user)->open = true;
}

static void b_rx(void *user, const uint8_t *pdu, size_t len)
{
	((struct end *)user)->rx++;
}

static void b_delivered(void *user)
{
	((struct end *)user)->delivered++;
}

static void b_closed(void *user, int err, uint8_t reason, bool remote)
{
	((struct end *)user)->closed = true;
}

static const struct mp_pbadv_ops ops = { .tx = b_tx, .timer = b_timer };
static const struct mp_bearer_cb cb = {
	.opened = b_opened, .rx = b_rx, .delivered = b_delivered, .closed = b_closed,
};

static void pump(struct bench *b)
{
	while (b->n) {
		size_t slot = b->head;

		b->head = (b->head + 1) % QMAX;
		b->n--;
		mp_pbadv_rx(b->e[b->qto[slot]].link, b->q[slot], b->qlen[slot]);
	}
}

static void setup(struct bench *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < 2; i++) {
		struct mp_pbadv_config cfg = {
			.role = i ? MP_PBADV_DEVICE : MP_PBADV_PROVISIONER,
			.ops = &ops, .cb = &cb, .user = &b->e[i],
		};

		b->e[i].b = b;
		b->e[i].idx = i;
		b->e[i].link = mp_pbadv_new(&cfg);
		if (!b->e[i].link)
			exit(1);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	/* Sizes of the sample exchange, MshPRT v1.1 8.7.3 .. 8.7.13. */
	static const struct { int from; size_t len; } pdus[] = {
		{ 0, 2 }, { 1, 12 }, { 0, 6 }, { 0, 65 }, { 1, 65 }, { 0, 17 },
		{ 1, 17 }, { 0, 17 }, { 1, 17 }, { 0, 34 }, { 1, 1 },
	};
	uint8_t pdu[MP_GPROV_PDU_MAX];
	struct bench *b = malloc(sizeof(*b));
	unsigned i, k, links = 20000, txns = 200000;
	double t;

	if (!b)
		return 1;
	memset(pdu, 0x5a, sizeof(pdu));
	setup(b);
	t = now();
	for (i = 0; i < links; i++) {
		mp_pbadv_listen(b->e[1].link);
		mp_pbadv_open(b->e[0].link, 0x23af5850u + i);
		pump(b);
		for (k = 0; k < sizeof(pdus) / sizeof(pdus[0]); k++) {
			mp_pbadv_send(b->e[pdus[k].from].link, pdu, pdus[k].len);
			pump(b);
		}
		mp_pbadv_close(b->e[0].link, MP_LINK_CLOSE_SUCCESS);
		pump(b);
		for (k = 0; k < MP_PBADV_CLOSE_REPEATS; k++)
			mp_pbadv_timeout(b->e[0].link, MP_PBADV_TIMER_RETRANSMIT);
		pump(b);
	}
	t = now() - t;
	printf("bench_pbadv: %u link lifetimes (8.7 exchange) in %.3f s: %.0f links/s, "
	       "%.2f us/link\n", links, t, links / t, t * 1e6 / links);
	mp_pbadv_free(b->e[0].link);
	mp_pbadv_free(b->e[1].link);

	setup(b);
	mp_pbadv_listen(b->e[1].link);
	mp_pbadv_open(b->e[0].link, 1);
	pump(b);
	t = now();
	for (i = 0; i < txns; i++) {
		mp_pbadv_send(b->e[0].link, pdu, 65);
		pump(b);
	}
	t = now() - t;
	printf("bench_pbadv: %u 65-octet transactions in %.3f s: %.0f /s (%u delivered)\n", txns,
	       t, txns / t, b->e[1].rx);
	mp_pbadv_free(b->e[0].link);
	mp_pbadv_free(b->e[1].link);
	free(b);
	return 0;
}
