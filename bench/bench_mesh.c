/* Benchmark: a 380-octet access message end to end through two mesh stacks
 * (include/mesh/stack.h), a provisioner and a node, on the fake radio of
 * tests/unit/mesh_tu.h: the whole path (upper transport encryption, the SAR
 * transmitter, network encryption and obfuscation, NID lookup, the replay
 * list, reassembly, Segment Acknowledgments with their own SEQs, decryption)
 * at 0 % and 30 % loss (with 10 % duplicates and up to 40 ms of reordering
 * at 30 %). Prints the Network PDUs sent (lost ones included) and the
 * fake-clock time until the sender's done(), averaged over many seeds, with
 * the spec's default SAR states and with the largest retransmission counts.
 * Figures only, nothing asserted about them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mesh_tu.h"

#define RUNS 200

static void run(const char *name, unsigned loss, unsigned dup, uint32_t delay,
		const struct mp_sar_tx_params *txp)
{
	static uint8_t payload[MP_MESH_ACCESS_MAX];
	static const uint8_t dev[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
					 0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
	struct mp_mesh_config c = { .sar_tx = txp };
	struct mtu_world *w = calloc(1, sizeof(*w));
	unsigned long pdus = 0, ok = 0, acks = 0;
	uint64_t ms = 0;
	uint32_t s;

	if (!w)
		exit(1);
	for (s = 1; s <= RUNS; s++) {
		struct mtu_node *p, *n;
		struct mp_mesh_tx tx = { .src = 0x0001, .dst = 0x0100, .net_idx = 0,
					 .key = MP_MESH_KEY_DEV, .ttl = 4, .payload = payload,
					 .len = sizeof(payload) };

		mtu_init(w, s, loss, dup, delay);
		p = mtu_add(w, 0x0001, 1, &c, 0x12345678, false);
		n = p ? mtu_add(w, 0x0100, 1, &c, 0x12345678, false) : NULL;
		if (!n) {
			fprintf(stderr, "bench_mesh: cannot set up\n");
			exit(1);
		}
		mtu_dev_add(p, 0x0100, 0x0100, dev);
		mtu_dev_add(n, 0x0100, 0x0100, dev);
		if (mp_mesh_send_access(p->m, &tx, NULL) != 1) {
			fprintf(stderr, "bench_mesh: send failed\n");
			exit(1);
		}
		mtu_run(w, 10000000);
		pdus += w->pdus;
		acks += mp_mesh_stats(n->m)->tx_acks;
		if (p->done_err == 0 && n->delivered == 1) {
			ok++;
			ms += p->done_at;
		}
		mtu_fini(w);
	}
	printf("  %-46s %6.1f PDUs (%4.1f acks)  %7.0f ms  %3lu/%d delivered\n", name,
	       (double)pdus / RUNS, (double)acks / RUNS, ok ? (double)ms / (double)ok : 0.0, ok,
	       RUNS);
	free(w);
}

int main(void)
{
	struct mp_sar_tx_params tp;

	printf("bench_mesh: 380-octet access message through two mesh stacks, fake clock, "
	       "%d seeds each\n", RUNS);
	run("0 % loss, default SAR states", 0, 0, 0, NULL);
	run("30 % loss, default SAR states", 30, 10, 40, NULL);
	mp_sar_tx_params_default(&tp);
	tp.unicast_retrans_count = 15;
	tp.unicast_retrans_wo_progress_count = 15;
	run("0 % loss, retransmission counts at maximum", 0, 0, 0, &tp);
	run("30 % loss, retransmission counts at maximum", 30, 10, 40, &tp);
	return 0;
}
