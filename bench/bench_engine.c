/* The engine provisioning 16 simulated devices at once, the whole stack
 * below the CLI in one process on a fake clock (tests/unit/engine_harness.h):
 * CPU time per provisioning, simulated time to finish, and the advertising
 * PDUs the provisioner sent per provisioning against the protocol minimum.
 * Prints figures; asserts nothing about times (it fails only when a
 * provisioning fails).
 *
 * The CPU time is the process's (CLOCK_PROCESS_CPUTIME_ID): it covers both
 * ends of each run, the provisioner and the simulated device, so each side
 * is roughly half of it (each does one ECDH, key generation, the
 * confirmations and the session keys), plus the keyring's saves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bearer/gprov.h"
#include "bearer/pbadv.h"
#include "crypto/prov_keys.h"
#include "engine_harness.h"

#define DEVICES 16

/* Transactions of a PB-ADV link carry at most MP_GPROV_START_DATA_MAX
 * octets in the Transaction Start PDU and MP_GPROV_CONT_DATA_MAX in each
 * Continuation. MshPRT v1.1 5.3.1 */
static unsigned int segments(size_t len)
{
	if (len <= MP_GPROV_START_DATA_MAX)
		return 1;
	return 1 + (unsigned int)((len - MP_GPROV_START_DATA_MAX + MP_GPROV_CONT_DATA_MAX - 1) /
				  MP_GPROV_CONT_DATA_MAX);
}

/* Provisioning PDU sizes, type octet included. MshPRT v1.1 5.4.1 */
#define LEN_INVITE 2
#define LEN_START 6
#define LEN_PUBLIC_KEY 65
#define LEN_DATA 34		/* encrypted data 25 + MIC 8 */
#define DEVICE_TRANSACTIONS 5	/* Capabilities, Public Key, Confirmation, Random, Complete */

/* The fewest PB-ADV PDUs a provisioner can send for one No OOB
 * provisioning: Link Open, every segment of its six transactions, one
 * Transaction Ack per device transaction, one Link Close. */
static unsigned int minimum_pdus(enum mp_prov_alg alg, bool print)
{
	size_t vlen = mp_prov_alg_len(alg);
	unsigned int inv = segments(LEN_INVITE), st = segments(LEN_START);
	unsigned int pk = segments(LEN_PUBLIC_KEY), cf = segments(1 + vlen);
	unsigned int rnd = segments(1 + vlen), data = segments(LEN_DATA);
	unsigned int total = 1 + inv + st + pk + cf + rnd + data + DEVICE_TRANSACTIONS + 1;

	if (print)
		printf("  minimum (%s): Link Open 1 + Invite %u + Start %u + Public Key %u + "
		       "Confirmation %u + Random %u + Data %u + acks %u + Link Close 1 = %u\n",
		       alg == MP_ALG_HMAC ? "HMAC" : "CMAC", inv, st, pk, cf, rnd, data,
		       DEVICE_TRANSACTIONS, total);
	return total;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct row {
	const char *name;
	enum mp_alg_choice alg;
	bool memory_keyring;
	unsigned int loss_pct, dup_pct, delay_ms;
	enum mp_sim_bearer bearers;
};

struct result {
	double cpu_ms, engine_ms;	/* per provisioning: all, the provisioner's receive path */
	uint64_t t_final, t_closed;	/* simulated ms from the start */
	unsigned long adv_final, adv_closed;
};

/* One run: 16 devices at once. 0, or -errno / -EPROTO if one failed. */
static int run_once(const struct row *rw, bool measure, struct result *res)
{
	struct eh_config cfg = { .devices = DEVICES, .max_sessions = DEVICES, .seed = 42,
				 .memory_keyring = rw->memory_keyring, .loss_pct = rw->loss_pct,
				 .dup_pct = rw->dup_pct, .delay_ms = rw->delay_ms,
				 .measure_cpu = measure, .bearers = rw->bearers };
	struct mp_provision_opts o;
	uint64_t t0;
	double c0;
	unsigned int i, ok = 0;
	struct eh *h;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	err = eh_init(h, &cfg);
	if (err) {
		free(h);
		return err;
	}
	/* PB-GATT needs the device's advertisement first: where to connect */
	if (rw->bearers == MP_SIM_BEARER_GATT)
		err = eh_run(h, eh_all_beaconed_twice, 10000);
	eh_opts(&o);
	o.prov.alg = rw->alg;
	t0 = h->now;
	c0 = cpu_ms();
	for (i = 0; i < DEVICES && !err; i++)
		err = eh_provision(h, i, &o);
	if (!err)
		err = eh_run(h, eh_all_final, 600000);
	res->cpu_ms = (cpu_ms() - c0) / DEVICES;
	res->engine_ms = h->engine_rx_cpu_ms / DEVICES;
	res->t_final = h->now - t0;
	res->adv_final = mp_sim_radio_adv_count(h->radio) + mp_sim_radio_gatt_count(h->radio);
	if (!err)
		err = eh_run(h, eh_no_sessions, 600000);
	res->t_closed = h->now - t0;
	res->adv_closed = mp_sim_radio_adv_count(h->radio) + mp_sim_radio_gatt_count(h->radio);
	for (i = 0; i < DEVICES; i++)
		ok += h->dev[i].provisioned;
	if (!err && ok != DEVICES)
		err = -EPROTO;
	eh_fini(h);
	free(h);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define RUNS 5

static int run(const struct row *rw)
{
	enum mp_prov_alg alg = rw->alg == MP_ALG_FORCE_HMAC ? MP_ALG_HMAC : MP_ALG_CMAC;
	double cpu[RUNS], eng[RUNS];
	struct result res;
	unsigned int i;
	int err;

	/* The whole, unmeasured; then the provisioner's part, measured (the
	 * measuring costs CPU time of its own). */
	for (i = 0; i < 2 * RUNS; i++) {
		err = run_once(rw, i >= RUNS, &res);
		if (err)
			return err;
		if (i < RUNS)
			cpu[i] = res.cpu_ms;
		else
			eng[i - RUNS] = res.engine_ms;
	}
	qsort(cpu, RUNS, sizeof(cpu[0]), cmp_double);
	qsort(eng, RUNS, sizeof(eng[0]), cmp_double);
	/* Medians of the CPU times; the rest is from the last run. */
	if (rw->bearers == MP_SIM_BEARER_GATT) {
		/* the provisioner's receive path is the connection's, not
		 * the engine's report receiver: only the whole is measured */
		printf("  %-36s %6.3f ms CPU/provisioning                        %5llu ms to done "
		       "(%5llu to closed)  %4.1f ATT PDUs/provisioning (MTU exchange, discovery, "
		       "CCCD, Data In)\n",
		       rw->name, cpu[RUNS / 2], (unsigned long long)res.t_final,
		       (unsigned long long)res.t_closed, (double)res.adv_final / DEVICES);
		return 0;
	}
	printf("  %-36s %6.3f ms CPU/provisioning (provisioner %6.3f)  %5llu ms to done "
	       "(%5llu to closed)  %4.1f PDUs/provisioning (%4.1f with Link Close repeats), "
	       "minimum %u\n",
	       rw->name, cpu[RUNS / 2], eng[RUNS / 2], (unsigned long long)res.t_final,
	       (unsigned long long)res.t_closed, (double)res.adv_final / DEVICES,
	       (double)res.adv_closed / DEVICES, minimum_pdus(alg, false));
	return 0;
}

int main(void)
{
	static const struct row rows[] = {
		{ "CMAC, keyring file", MP_ALG_FORCE_CMAC, false, 0, 0, 0, MP_SIM_BEARER_ADV },
		{ "HMAC, keyring file", MP_ALG_FORCE_HMAC, false, 0, 0, 0, MP_SIM_BEARER_ADV },
		{ "CMAC, keyring in memory", MP_ALG_FORCE_CMAC, true, 0, 0, 0, MP_SIM_BEARER_ADV },
		{ "HMAC, keyring in memory", MP_ALG_FORCE_HMAC, true, 0, 0, 0, MP_SIM_BEARER_ADV },
		{ "HMAC, memory, 30% loss 10% dup 40ms", MP_ALG_FORCE_HMAC, true, 30, 10, 40,
		  MP_SIM_BEARER_ADV },
		{ "CMAC, memory, PB-GATT (8 ms a hop)", MP_ALG_FORCE_CMAC, true, 0, 0, 0,
		  MP_SIM_BEARER_GATT },
		{ "HMAC, memory, PB-GATT (8 ms a hop)", MP_ALG_FORCE_HMAC, true, 0, 0, 0,
		  MP_SIM_BEARER_GATT },
	};
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench_engine: %d simulated devices at once, No OOB, zero-delay radio unless "
	       "said, fake clock\n", DEVICES);
	printf("  CPU/provisioning: the whole process (provisioner, devices, radio, loop), median "
	       "of %d runs;\n  provisioner: CPU inside the engine's report receiver, where its "
	       "state machine, crypto and keyring\n  saves run, less the simulated radio's work on "
	       "what it sends. Link Close goes out %d times by design.\n", RUNS,
	       MP_PBADV_CLOSE_REPEATS);
	minimum_pdus(MP_ALG_CMAC, true);
	minimum_pdus(MP_ALG_HMAC, true);
	/* Warm up OpenSSL (first use of each algorithm loads providers). */
	err = run(&rows[2]);
	if (err) {
		fprintf(stderr, "bench_engine: warm-up: %s\n", strerror(-err));
		return 1;
	}
	printf("  --\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err = run(&rows[i]);
		if (err) {
			fprintf(stderr, "bench_engine: %s: %s\n", rows[i].name, strerror(-err));
			return 1;
		}
	}
	return 0;
}
