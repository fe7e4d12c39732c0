/* Benchmark: a segmented 380-octet access message end to end (an Upper
 * Transport PDU of 384 octets, 32 segments) between two SAR transmitters
 * and receivers back to back (tests/unit/sar_tu.h), on a fake clock, at
 * 0 % and 30 % loss (with 10 % duplicates and up to 40 ms of reordering at
 * 30 %): the Network PDUs sent (segments and acks, lost ones included) and
 * the fake-clock time until the transmitter knew the message was
 * delivered, averaged over many seeds, with the spec's default SAR states
 * and with the largest retransmission counts. Prints figures, asserts
 * nothing about them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sar_tu.h"

#define RUNS 200

static void run(const char *name, unsigned loss, unsigned dup, uint32_t delay,
		const struct mp_sar_tx_params *txp, const struct mp_sar_rx_params *rxp)
{
	static uint8_t upper[MP_SAR_UPPER_MAX];
	struct stu_world *w = calloc(1, sizeof(*w));
	unsigned long pdus = 0, segs = 0, acks = 0, ok = 0;
	uint64_t ms = 0;
	uint32_t s;

	if (!w)
		exit(1);
	for (s = 1; s <= RUNS; s++) {
		struct mp_sar_msg m = { .dst = 0x0002, .akf = true, .aid = 1, .ttl = 4,
					.upper = upper, .len = sizeof(upper) };

		if (!stu_init(w, s, loss, dup, delay, txp, rxp)) {
			fprintf(stderr, "bench_sar: cannot set up\n");
			exit(1);
		}
		m.seq_auth = w->n[0].seq;
		if (mp_sar_tx_send(w->n[0].tx, &m) < 0) {
			fprintf(stderr, "bench_sar: send failed\n");
			exit(1);
		}
		stu_run(w, 1000000);
		pdus += w->pdus;
		segs += w->n[0].segs_sent;
		acks += w->n[1].acks_sent;
		if (w->n[0].done_err == 0 && w->n[1].delivered == 1) {
			ok++;
			ms += w->n[0].done_at;
		}
		stu_fini(w);
	}
	printf("  %-46s %6.1f PDUs (%5.1f segments, %4.1f acks)  %7.0f ms  %3lu/%d delivered\n",
	       name, (double)pdus / RUNS, (double)segs / RUNS, (double)acks / RUNS,
	       ok ? (double)ms / (double)ok : 0.0, ok, RUNS);
	free(w);
}

int main(void)
{
	struct mp_sar_tx_params tp;
	struct mp_sar_rx_params rp;

	printf("bench_sar: 380-octet access message, 32 segments, fake clock, %d seeds each\n",
	       RUNS);
	run("0 % loss, default SAR states", 0, 0, 0, NULL, NULL);
	run("30 % loss, default SAR states", 30, 10, 40, NULL, NULL);
	mp_sar_tx_params_default(&tp);
	tp.unicast_retrans_count = 15;
	tp.unicast_retrans_wo_progress_count = 15;
	mp_sar_rx_params_default(&rp);
	rp.ack_retrans_count = 3;
	run("0 % loss, retransmission counts at maximum", 0, 0, 0, &tp, &rp);
	run("30 % loss, retransmission counts at maximum", 30, 10, 40, &tp, &rp);
	return 0;
}
