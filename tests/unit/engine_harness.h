/* The whole stack below the CLI wired back to back in one process, for the
 * engine's tests and benchmark: the provisioner engine, the simulated radio
 * with its devices, a real keyring (in a temporary directory, or in memory)
 * and the real event loop on a fake clock that jumps from one timer
 * deadline to the next, so that nothing waits on the wall clock.
 *
 * The harness records what each side reports per device (engine events,
 * the device's own result) and can answer OOB prompts by itself. Plain C
 * (no cmocka), so that the benchmark can use it too.
 */
#ifndef MP_TEST_ENGINE_HARNESS_H
#define MP_TEST_ENGINE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "engine/engine.h"
#include "sim/radio.h"
#include "store/keyring.h"
#include "store/nodes.h"

#define EH_MAX_DEVICES 32
#define EH_MAX_PHASES 32

struct eh_config {
	unsigned int devices;
	enum mp_sim_oob oob;
	unsigned int loss_pct, dup_pct, delay_ms;
	unsigned int latency_ms;	/* sim/radio.h's */
	const struct mp_sim_comp *comps;	/* sim/radio.h's: device i is comps[i % n_comps] */
	unsigned int n_comps;
	const struct mp_rng *rng;	/* the engine's (engine/engine.h); NULL: OpenSSL */
	uint64_t seed;
	unsigned int max_sessions;	/* 0: the engine's default */
	bool memory_keyring;		/* mp_keyring_new instead of a file */
	uint16_t unicast_high;		/* our range is 0x0001..this; 0: up to 0x7fff */
	bool auto_output;		/* answer OOB_OUTPUT with what the device showed */
	bool auto_input;		/* type the OOB_INPUT value on the device */
	bool measure_cpu;		/* add up the CPU time the engine takes to receive */
	enum mp_sim_bearer bearers;	/* what the simulated devices offer */
	unsigned int gatt_drop_after;	/* devices drop PB-GATT after N writes */
};

/* What happened to one device, from both sides. */
struct eh_dev {
	uint8_t uuid[16];
	/* engine side */
	unsigned int beacons_first, beacons_again;
	bool started;			/* eh_provision succeeded */
	struct mp_session *session;
	enum mp_prov_phase phases[EH_MAX_PHASES];
	unsigned int nphases;
	bool oob_output_asked, oob_input_shown;
	char oob_value[16];		/* OOB_INPUT: what to type on the device */
	bool provisioned, failed;
	unsigned int finals;		/* PROVISIONED + FAILED events: must end at 1 */
	uint16_t address;
	uint8_t elements;
	uint8_t algorithm, auth_method;	/* from the PROVISIONED event's start */
	enum mp_prov_err err;
	int errnum;
	bool by_device;
	char reason[32];
	char detail[160];		/* FAILED: the event's detail, or "" */
	bool unconfirmed;		/* FAILED after the Data went out (address set) */
	uint64_t started_ms, final_ms;
	/* device side */
	char shown[16];			/* the sim's Output OOB text */
	bool input_wanted;
	unsigned int sim_done;
	enum mp_prov_err sim_err;
	struct mp_sim_prov_result sim_res;	/* on sim_err == MP_PROV_OK */
};

struct eh {
	struct eh_config cfg;
	uint64_t now;			/* the fake clock, ms */
	struct mp_loop *loop;
	struct mp_sim_radio *radio;
	struct mp_engine *engine;
	struct mp_keyring *kr;
	char dir[64];			/* temporary directory of the keyring file */
	char path[96];
	unsigned int ndev;
	struct eh_dev dev[EH_MAX_DEVICES];
	unsigned long iterations;	/* loop rounds run so far */
	unsigned int unknown_events;	/* events for a UUID not of the radio */
	unsigned int scan_notices;	/* scan_notice calls, and their bits ORed */
	unsigned int scan_notice_bits;
	/* measure_cpu: CPU time in the engine's report receiver, less what
	 * the simulated radio took in the advertisements sent from there */
	double engine_rx_cpu_ms;
	double radio_tx_cpu_ms;		/* measure_cpu: in the sim radio's advertise */
	/* The engine's radio is a tap in front of the simulated one: it passes
	 * everything through, times it (measure_cpu), and lets a test speak to
	 * the engine as the radio would (eh_inject_report, eh_radio_lost). */
	struct mp_radio sim;		/* the sim radio under the tap */
	struct mp_radio_ops tap_ops;
	const struct mp_radio_receiver *rcv;	/* what the engine attached */
	void *rcv_user;
	/* optional hook, after the harness recorded a session event */
	void (*on_session)(struct eh *h, struct eh_dev *d, const struct mp_session_event *ev);
};

/** Set up everything; 0 or -errno (with a message on stderr). */
int eh_init(struct eh *h, const struct eh_config *cfg);
/** Free the engine (aborting its sessions), the radio, the keyring, the
 *  loop, and remove the temporary directory. */
void eh_fini(struct eh *h);
/** Free just the engine now (eh_fini then skips it). */
void eh_free_engine(struct eh *h);
/** A new engine after eh_free_engine (same radio, keyring and config). */
int eh_engine_new(struct eh *h);

/**
 * Run the loop, jumping the clock to each next timer deadline, until
 * @until(h) is true (checked after every round) or @max_ms of simulated time
 * have passed from now. 0 when @until became true, -ETIMEDOUT when the time
 * ran out, -EDEADLK when no timer is left and @until is still false.
 */
int eh_run(struct eh *h, bool (*until)(struct eh *h), uint64_t max_ms);
/** Run for @ms of simulated time (everything due by then is dispatched). */
void eh_run_for(struct eh *h, uint64_t ms);

/** Deliver @r to the engine as the radio does (its attached receiver). */
void eh_inject_report(struct eh *h, const struct mp_adv_report *r);
/** The radio is lost with @err, as the radio tells the engine. */
void eh_radio_lost(struct eh *h, int err);

/** Forget what was recorded about device @i (for a second attempt). */
void eh_forget(struct eh *h, unsigned int i);
/** The device record of @uuid, or NULL. */
struct eh_dev *eh_dev(struct eh *h, const uint8_t uuid[16]);

/** Default options: No OOB, automatic choices, NetKey 0, address allocated. */
void eh_opts(struct mp_provision_opts *o);
/** mp_engine_provision for device @i, recording the start time. */
int eh_provision(struct eh *h, unsigned int i, const struct mp_provision_opts *o);

/* Predicates for eh_run. */
bool eh_all_final(struct eh *h);	/* every started device provisioned or failed */
bool eh_all_beaconed_twice(struct eh *h);
bool eh_no_sessions(struct eh *h);

#endif
