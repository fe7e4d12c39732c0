/* The provisioner's network: one object per run that owns this
 * provisioner's mesh stack (mesh/stack.h) and wires it to what the tree
 * keeps and carries.
 *
 *  - Keys from the keyring: every subnet (NetKey, both keys during a key
 *    refresh), every AppKey, and the device key of a node looked up in the
 *    keyring's nodes per message (never copied into the stack). Our source
 *    address is the keyring's own provisioner address.
 *  - SEQ from store/seq.h: numbers are handed out only once their block is
 *    saved as reserved in the keyring, so no SEQ is ever sent twice, across
 *    a restart or kill -9 (MshPRT v1.1 3.4.4.4).
 *  - The replay list (3.9.8) seeded at creation from the journal beside the
 *    keyring (store/rpl.h) and journaled on every update; a keyring held in
 *    memory (no file) has no journal, the list lives for the run only.
 *  - The IV index from the keyring, moved only by authenticated beacons
 *    (net/beacon_io.h and the IV machine, net/iv.h) and saved through
 *    mp_keyring_set_iv() before it is used.
 *  - Network PDUs out and in through the engine's advertising bearer
 *    (mp_engine_net_send / mp_engine_net_receive), or out through another
 *    bearer the owner sets (mp_mesh_link_set_tx: a GATT Proxy connection,
 *    engine/proxy_link.h) and in from it (mp_mesh_link_rx); beacons in
 *    through the engine's AD receivers (0x2B, types 0x01 and 0x02).
 *  - Our Secure Network beacons (MshPRT v1.1 3.10.3), one per subnet, in
 *    Mesh Beacon AD structures on the same bearer (mp_engine_beacon_send):
 *    at link start, on a fixed interval (10 s, the shortest 3.10.5 allows,
 *    unless the options say otherwise; this provisioner does not count
 *    other nodes' beacons to stretch it, its runs being short), and at once
 *    whenever what they say changes: the IV index or IV Update flag, a Key
 *    Refresh phase (mp_mesh_link_netkey_sync()). The Key Refresh flag is
 *    set in phase 2, and the key that authenticates them is the one the
 *    subnet sends with (the old one in phase 1, the new one from phase 2,
 *    3.10.3 and 3.11.4).
 *  - Beacons heard under the new key of a subnet in a key refresh move
 *    its phase as they would a node's (3.11.4.2, 3.11.4.3): the Key
 *    Refresh flag set in phase 1 to phase 2, the flag clear in phase 1 or
 *    2 to phase 0 (another station drove or finished the refresh), saved
 *    in the keyring first, then followed, then kr_phase(); why, in
 *    mesh_link.c (kr_follow).
 *  - Timers (the SAR machines', the IV machine's, the beacons') on the
 *    engine's loop.
 *
 * Network Transmit: MP_MESH_LINK_NET_TRANSMIT_DEFAULT, three transmissions
 * 20 ms apart (Count 2, Interval Steps 1, 4.2.20), unless the options say
 * otherwise.
 *
 * Re-entrancy: the callbacks are called from the loop (a PDU heard, a timer)
 * as the last thing of that step; they may send, but not free the link
 * (free it from the loop, HACKING.md strategy 2).
 */
#ifndef MP_ENGINE_MESH_LINK_H
#define MP_ENGINE_MESH_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/loop.h"
#include "mesh/stack.h"

struct mp_engine;
struct mp_keyring;
struct mp_mesh_link;

/* Three transmissions, 20 ms apart: MP_ENGINE_NET_TRANSMIT(2, 1). */
#define MP_MESH_LINK_NET_TRANSMIT_DEFAULT ((uint8_t)((1u << 3) | 2u))

struct mp_mesh_link_cb {
	/** An access message for us (a node's answer). Required. */
	void (*deliver)(void *user, const struct mp_mesh_rx_msg *msg);
	/** A segmented message we sent to @dst ended (mesh/stack.h's done()).
	 *  May be NULL. */
	void (*done)(void *user, uint16_t dst, uint32_t seq_auth, int err);
	/** The IV index state changed (a beacon): already saved. May be NULL. */
	void (*iv_changed)(void *user, uint32_t iv_index, bool iv_update);
	/** A beacon under the new key of subnet @net_idx moved its Key
	 *  Refresh phase to @phase (2, or 0: the refresh finished elsewhere;
	 *  see "Beacons heard" above): already saved in the keyring and
	 *  followed by the link. May be NULL. */
	void (*kr_phase)(void *user, uint16_t net_idx, uint8_t phase);
};

struct mp_mesh_link_opts {
	uint8_t net_transmit;		/* 0: MP_MESH_LINK_NET_TRANSMIT_DEFAULT */
	uint32_t seq_block;		/* SEQs per keyring write; 0: store/seq.h's default */
	/* The IV machine's clock, in seconds (the keyring records the time of
	 * an IV change in seconds since the epoch); NULL: the wall clock. */
	int64_t (*now_s)(void *user);
	const struct mp_sar_tx_params *sar_tx;	/* NULL: the defaults */
	const struct mp_sar_rx_params *sar_rx;	/* NULL: the defaults */
	uint32_t beacon_interval_ms;	/* 0: MP_BEACON_TX_INTERVAL_MS (10 s) */
	bool no_beacons;		/* send no Secure Network beacons */
};

/* The counters shown with -v. */
struct mp_mesh_link_stats {
	unsigned long pdus_heard;	/* Mesh Messages the engine gave us */
	unsigned long proxy_pdus_heard;	/* Network PDUs from a GATT Proxy (mp_mesh_link_rx) */
	unsigned long tx_refused;	/* Network PDUs the bearer refused */
	unsigned long beacons_heard;	/* beacons offered (before authentication) */
	unsigned long beacons_sent;	/* our Secure Network beacons given to the radio */
	unsigned long rpl_write_errors;	/* journal records that could not be written */
	unsigned long kr_phase_by_beacon; /* Key Refresh phases moved by a beacon heard */
	unsigned long kr_write_errors;	/* ... that the keyring could not record */
	uint64_t seq_reservations;	/* keyring writes of SEQ blocks */
	uint32_t seq_held;		/* SEQs reserved, not yet used */
};

/**
 * Create the link on engine @e (its loop @loop and keyring @kr, which must
 * outlive the link): load the keys, the IV index, the replay journal
 * (created when missing), and start hearing Mesh Messages and beacons.
 * @opts may be NULL. Returns 0, or -EINVAL (a NULL argument, a keyring
 * without a NetKey or own address), -ENOMEM, -ENOSPC (the engine's AD
 * receivers are full), the replay journal's error (store/rpl.h), or the
 * stack's key errors.
 */
int mp_mesh_link_new(struct mp_engine *e, struct mp_loop *loop, struct mp_keyring *kr,
		     const struct mp_mesh_link_opts *opts, const struct mp_mesh_link_cb *cb,
		     void *user, struct mp_mesh_link **out);

/** Stop hearing, cancel the timers, close the journal, wipe and free. NULL
 *  is fine. Not from a callback. */
void mp_mesh_link_free(struct mp_mesh_link *l);

/** This provisioner's unicast address (the source of what it sends). */
uint16_t mp_mesh_link_addr(const struct mp_mesh_link *l);

/**
 * Send the access message @payload (@len octets) from our address to @dst
 * under subnet @net_idx with @key (an AppKey index or MP_MESH_KEY_DEV) and
 * the Default TTL: mp_mesh_send_access()'s 0 (sent), 1 (segmented, done()
 * follows) or its errors.
 */
int mp_mesh_link_send(struct mp_mesh_link *l, uint16_t dst, uint16_t net_idx, uint16_t key,
		      const uint8_t *payload, size_t len);

/**
 * The keyring's AppKey @app_idx was added (or is wanted) and the stack
 * does not have it yet: load it. 0 (also when it is loaded already),
 * -ENOENT (not in the keyring), the stack's errors.
 */
int mp_mesh_link_app_key_load(struct mp_mesh_link *l, uint16_t app_idx);

/**
 * The keyring's NetKey @net_idx changed its Key Refresh phase (or its key):
 * bring the link's subnet to it (phase 1: the new key received beside the
 * old, sent with the old; phase 2: sent with the new; phase 0 after a
 * refresh: the new key only, the old wiped, MshPRT v1.1 3.11.4) and send
 * the subnet's beacons at once with the new state (the Key Refresh flag in
 * phase 2, under the new key). Call it after each mp_keyring_netkey_refresh()
 * and mp_keyring_netkey_set_phase(). 0, -ENOENT (not in the keyring, or a
 * NetKey the link did not load), -EINVAL, or the stack's key errors.
 */
int mp_mesh_link_netkey_sync(struct mp_mesh_link *l, uint16_t net_idx);

/** The stack, for what this header does not wrap (subscriptions, the
 *  Default TTL, its counters). */
struct mp_mesh *mp_mesh_link_stack(struct mp_mesh_link *l);

/** The IV state now (the IV machine's). */
void mp_mesh_link_iv(const struct mp_mesh_link *l, uint32_t *iv_index, bool *iv_update);

/** The link's counters. */
struct mp_mesh_link_stats mp_mesh_link_stats(const struct mp_mesh_link *l);

/* ---- another bearer: the GATT Proxy (engine/proxy_link.h) ---- */

/** Where Network PDUs go instead of the advertising bearer: @send returns
 *  0 or -errno (a refusal is counted as net-tx-refused). */
typedef int (*mp_mesh_link_tx_fn)(void *user, const uint8_t *pdu, size_t len);

/** Send every Network PDU through @send from now on (NULL: the advertising
 *  bearer again). What is heard on the advertising bearer is still taken. */
void mp_mesh_link_set_tx(struct mp_mesh_link *l, mp_mesh_link_tx_fn send, void *user);

/** A Network PDU heard on another bearer (a GATT Proxy connection): given
 *  to the stack as one heard on the air. */
void mp_mesh_link_rx(struct mp_mesh_link *l, const uint8_t *pdu, size_t len);

/** The next SEQ from our address, for what is sent beside the stack
 *  (Proxy Configuration messages share the address's SEQ, MshPRT v1.1
 *  3.4.4.5). 0 or store/seq.h's errors. */
int mp_mesh_link_seq_next(struct mp_mesh_link *l, uint32_t *seq);

/** The subnets the link loaded (both keys during a key refresh), valid
 *  while the link lives; their number in *@n. */
const struct mp_subnet *mp_mesh_link_subnets(const struct mp_mesh_link *l, size_t *n);

/** Print every counter (the link's, the stack's drops, the IV machine's),
 *  one "name value" per line with @prefix, to @f: what -v shows. */
void mp_mesh_link_print_stats(const struct mp_mesh_link *l, FILE *f, const char *prefix);

#endif
