/* A simulated radio with N simulated unprovisioned devices behind it.
 *
 * It implements the radio interface (radio/radio.h): advertisements the
 * engine sends reach every simulated device, and what the devices send
 * (Unprovisioned Device beacons, PB-ADV PDUs) reaches the attached receiver
 * (the engine) as advertising reports, each copy independently lost, duplicated and delayed
 * as configured; random delays also reorder. Each device is the provisionee
 * of sim/device.h behind a PB-ADV link of its own (bearer/pbadv.h, device
 * role), or behind PB-GATT: a connectable advertisement with the Mesh
 * Provisioning Service's data, and on connection a GATT server
 * (gatt/server.h) carrying a PB-GATT link (bearer/pbgatt.h, device role).
 * Connections are reliable and in order, each ATT PDU one latency away.
 * A device that completed provisioning becomes a node (sim/node.h): it
 * hears the Mesh Messages (AD type 0x2A) the engine advertises and
 * advertises its own, each repeated as its Network Transmit state says on
 * the loop's clock, through the same loss, duplication and delay; after a
 * Config Node Reset it forgets everything and is an unprovisioned device
 * again (beacons, a fresh provisioning). A node whose device offers PB-GATT
 * is also a GATT Proxy server (the Proxy feature in its default
 * composition, its GATT Proxy state on): it advertises the Mesh Proxy
 * Service with its Network ID, connectable, and takes one connection at a
 * time over which Proxy PDUs carry its own traffic and, while a proxy
 * connection is up, what it relays between its client and the other nodes
 * (which then hear each other; otherwise nodes only hear the engine). Randomness of the radio comes from a seeded generator, so that a
 * test run is reproducible; the devices' keys come from OpenSSL.
 */
#ifndef MP_SIM_RADIO_H
#define MP_SIM_RADIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "radio/radio.h"
#include "prov/pdu.h"
#include "sim/device.h"

/* sim/node.h and sim/node_cfg.h: not included here, so that a user of the
 * radio does not get mesh/stack.h (whose net/net.h clashes with
 * store/keyring.h over enum mp_kr_phase). */
struct mp_sim_node;
struct mp_sim_comp;
struct mp_sim_cfg_params;

enum mp_sim_oob {
	MP_SIM_OOB_NONE,	/* No OOB only */
	MP_SIM_OOB_STATIC,	/* Static OOB available (value: mp_sim_radio_static_oob) */
	MP_SIM_OOB_OUTPUT,	/* displays a 6-digit number */
	MP_SIM_OOB_INPUT,	/* takes a 4-digit number */
};

/* What the simulated devices tell their owner (a person would see it).
 * Their advertisements go to the radio's receiver (radio/radio.h). */
struct mp_sim_radio_cb {
	/** A device shows an Output OOB value (a person would read it). May be NULL. */
	void (*output)(void *user, const uint8_t uuid[16], enum mp_output_action action,
		       const char *text);
	/** A device waits for Input OOB (answer: mp_sim_radio_input). May be NULL. */
	void (*input)(void *user, const uint8_t uuid[16], enum mp_input_action action,
		      uint8_t size);
	/** A device finished an attempt (provisioned, or failed with @err). May be NULL. */
	void (*done)(void *user, const uint8_t uuid[16], enum mp_prov_err err,
		     const struct mp_sim_prov_result *result);
};

/* The bearers the simulated devices offer. */
enum mp_sim_bearer {
	MP_SIM_BEARER_ADV = 0,	/* PB-ADV: Unprovisioned Device beacons */
	MP_SIM_BEARER_GATT,	/* PB-GATT: connectable Mesh Provisioning Service adverts */
	MP_SIM_BEARER_BOTH,	/* both, from each device */
	MP_SIM_BEARER_MIXED,	/* even devices PB-ADV, odd ones PB-GATT */
};

struct mp_sim_radio_config {
	struct mp_loop *loop;
	unsigned int devices;		/* how many simulated devices */
	enum mp_sim_oob oob;
	unsigned int loss_pct;		/* 0-100: each copy lost with this chance */
	unsigned int dup_pct;		/* 0-100: each copy delivered twice */
	unsigned int delay_ms;		/* each copy delayed uniformly in [0, delay_ms] */
	unsigned int latency_ms;	/* and by this much more: the time an advertisement
					 * takes to be heard (advertising event, scan
					 * window), the same for every copy; 0: none */
	unsigned int beacon_ms;		/* beacon interval; 0: 500 ms */
	enum mp_sim_bearer bearers;
	unsigned int gatt_latency_ms;	/* one way over a connection; 0: 8 ms */
	unsigned int gatt_drop_after;	/* a device drops its connection after this
					 * many Data In writes (tests); 0: never */
	uint64_t seed;			/* PRNG seed for loss/dup/delay and, when
					 * non-zero, the device UUIDs; 0: fixed
					 * default seed, random UUIDs */
	/* The nodes: every device's composition (its element count is what
	 * the device announces in its capabilities); NULL: device i has
	 * 1 + i % 3 elements, the primary one with the Configuration, Health
	 * and Generic OnOff Servers, the others a Generic OnOff Server each. */
	const struct mp_sim_comp *comp;
	/* Or, when n_comps is not 0 (comp is then ignored), device i is
	 * comps[i % n_comps]: a building of lights and switches. Like comp,
	 * the array must outlive the radio. */
	const struct mp_sim_comp *comps;
	unsigned int n_comps;
	/* Their initial node states and limits (sim/node_cfg.h; comp, unicast
	 * and the NetKey come from the above and the provisioning); NULL:
	 * sim/node.h's defaults. */
	const struct mp_sim_cfg_params *node_states;
	bool stray;			/* the nodes send stray Configuration answers
					 * (struct mp_sim_node_params .stray; tests) */
	const struct mp_sim_radio_cb *cb;
	void *user;
};

struct mp_sim_radio;

/** Create the radio and its devices (each with a fresh random UUID). 0 or -errno. */
int mp_sim_radio_new(const struct mp_sim_radio_config *cfg, struct mp_sim_radio **out);
void mp_sim_radio_free(struct mp_sim_radio *r);
/** The radio as the engine sees it. */
struct mp_radio mp_sim_radio_radio(struct mp_sim_radio *r);
/** Device @i's UUID (i < devices). */
const uint8_t *mp_sim_radio_uuid(const struct mp_sim_radio *r, unsigned int i);
/** The static OOB value every simulated device holds (16 octets). */
const uint8_t *mp_sim_radio_static_oob(void);
/** Input OOB: the simulated person types @text on the device @uuid. */
int mp_sim_radio_input(struct mp_sim_radio *r, const uint8_t uuid[16], const char *text);
/** Advertising PDUs the provisioner side sent so far (for benchmarks). */
unsigned long mp_sim_radio_adv_count(const struct mp_sim_radio *r);
/** ATT PDUs the provisioner side sent over PB-GATT connections (for benchmarks). */
unsigned long mp_sim_radio_gatt_count(const struct mp_sim_radio *r);
/** Advertisements of the devices that the provisioner did not hear because
 *  its radio was not listening (struct mp_radio_ops.scan). */
unsigned long mp_sim_radio_unheard(const struct mp_sim_radio *r);
/** Copies of the provisioner's advertisements that struct mp_radio_ops.forget
 *  took back before a device heard them. */
unsigned long mp_sim_radio_withdrawn(const struct mp_sim_radio *r);
/** PB-ADV links to device @i that the provisioner closed (the device heard
 *  its Link Close) rather than the device's own timeout. */
unsigned int mp_sim_radio_peer_closes(const struct mp_sim_radio *r, unsigned int i);
/** Device @i's node, or NULL while it is not provisioned (or @i is out of
 *  range). Valid until the node is reset or the radio freed. */
struct mp_sim_node *mp_sim_radio_node(struct mp_sim_radio *r, unsigned int i);
/** Network PDUs the nodes sent on the air, each repetition counted. */
unsigned long mp_sim_radio_node_pdus(const struct mp_sim_radio *r);

/* What the simulated devices and nodes put on the air, by kind of their
 * first AD structure, before any loss (for benchmarks). */
struct mp_sim_radio_sent {
	unsigned long beacons;	/* Unprovisioned Device beacons */
	unsigned long pb_adv;	/* the devices' PB-ADV PDUs */
	unsigned long network;	/* the nodes' Network PDUs, each repetition counted */
	unsigned long other;	/* PB-GATT's connectable advertisements */
};

/** What the devices and nodes sent so far. */
void mp_sim_radio_sent(const struct mp_sim_radio *r, struct mp_sim_radio_sent *out);
/** Change the loss of every copy from now on (0-100; e.g. a lossless
 *  provisioning, then a lossy mesh). -EINVAL above 100. */
int mp_sim_radio_set_loss(struct mp_sim_radio *r, unsigned int loss_pct);
/** How many devices are provisioned. */
unsigned int mp_sim_radio_provisioned(const struct mp_sim_radio *r);

#endif
