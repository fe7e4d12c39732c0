/* A simulated node: what a simulated device becomes once provisioned.
 *
 * The mesh stack (mesh/stack.h) in the node role, with the node's own
 * elements, its device key and the subnet of its Provisioning Data, bridged
 * to its Configuration Server (sim/node_cfg.h) and to two small servers
 * written from the specification, not from the client's codecs in models/,
 * so that each side checks the other:
 *   - the Health Server's Attention Timer state (MshMDL v1.1 3.1.3.4
 *     Attention Get / Set / Set Unacknowledged, answered with Attention
 *     Status); the timer counts down once a second;
 *   - the Generic OnOff Server (MshMDL v1.1 3.2.1): Get, Set, Set
 *     Unacknowledged, answered with a Status of the Present OnOff; no
 *     transitions (instantaneous: no Transition Time or Delay is honoured,
 *     and the Status carries no Target State), and a Set repeated with the
 *     same TID from the same source within 6 s is not applied again.
 *
 * A Config message received with the device key goes to mp_sim_cfg_rx()
 * and its Status back to the sender with the device key. What the server
 * changed is then applied to the stack: NetKeys and AppKeys added or
 * deleted, the subscriptions of every model (groups and Label UUIDs), the
 * Default TTL; the Network Transmit state goes with every PDU sent. After
 * a Node Reset Status has gone out the node answers nothing any more and
 * tells its owner through reset(), which should forget it (the device
 * model of sim/: a reset node leaves the network).
 *
 * Access messages under an AppKey go to the models of the element they
 * are addressed to (unicast), or to every element with a model subscribed
 * to the group or virtual address (all elements for the all-nodes
 * address), and only to a model bound to that AppKey. Answers go from the
 * element, to the message's source, under the same AppKey and subnet.
 *
 * Pure in the tree's pattern: Network PDUs in through mp_sim_node_rx(), out
 * through ops->send(); a timer is asked for with ops->timer(user, id, ms)
 * (0 cancels) and its expiry fed back through mp_sim_node_timeout(). The
 * SEQ is the node's own, counted from 0 (a simulated node forgets nothing
 * while it exists and starts afresh when provisioned again).
 *
 * Re-entrancy (HACKING.md strategy 1): the callbacks are downward (send,
 * timer) or the last action (attention, onoff, reset); none may free the
 * node (mp_sim_node_free: not from a callback).
 */
#ifndef MP_SIM_NODE_H
#define MP_SIM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh/stack.h"
#include "sim/device.h"
#include "sim/node_cfg.h"

/* Model identifiers of the node's servers. MshPRT v1.1 4.4, MshMDL v1.1 7.3 */
#define MP_SIM_MODEL_CFG_SRV 0x0000
#define MP_SIM_MODEL_HEALTH_SRV 0x0002
#define MP_SIM_MODEL_ONOFF_SRV 0x1000

struct mp_sim_node_ops {
	/** Send the Network PDU @pdu (@len octets) with the node's Network
	 *  Transmit state @transmit (count in bits 0-2, steps in 3-7: count + 1
	 *  transmissions, (steps + 1) * 10 ms apart). Required. */
	void (*send)(void *user, const uint8_t *pdu, size_t len, uint8_t transmit);
	/** Arm timer @id (0..mp_sim_node_timer_count() - 1) @ms from now; 0
	 *  cancels. Required. */
	void (*timer)(void *user, unsigned id, uint32_t ms);
	/** The Attention Timer of the node changed to @seconds (0: off). May be NULL. */
	void (*attention)(void *user, uint8_t seconds);
	/** The Generic OnOff state of the element at @elem_addr became @onoff. May be NULL. */
	void (*onoff)(void *user, uint16_t elem_addr, uint8_t onoff);
	/** The node was reset (its Node Reset Status sent); the owner forgets it,
	 *  not from within this call. May be NULL. */
	void (*reset)(void *user);
	/** The GATT Proxy server's way to its Proxy Client: send the message
	 *  @msg (@len octets) of Proxy PDU Message Type @type (bearer/proxy.h:
	 *  a Network PDU, a Proxy Configuration message) over the connection;
	 *  the owner cuts it into Proxy PDUs. Downward. May be NULL: the node
	 *  is no proxy server. */
	void (*proxy_send)(void *user, uint8_t type, const uint8_t *msg, size_t len);
};

struct mp_sim_node_params {
	/* The Provisioning Data and device key the device ended with. Copied. */
	const struct mp_sim_prov_result *prov;
	/* The composition (copied); NULL: mp_sim_node_default_comp() with the
	 * provisioned element count. Its
	 * element count must be the one the device announced in its
	 * capabilities (prov->elements). */
	const struct mp_sim_comp *comp;
	/* The initial node states and limits of the Configuration Server
	 * (comp, unicast and the NetKey are taken from above); NULL: defaults
	 * (Default TTL 5, beacon on, Network Transmit three transmissions
	 * 20 ms apart). */
	const struct mp_sim_cfg_params *states;
	/* Tests of the client's counters (issue #14): after each Status of
	 * its Configuration Server the node sends it again (a late
	 * duplicate, under a new sequence number) and a Config Default TTL
	 * Status nobody asked for. */
	bool stray;
	const struct mp_sim_node_ops *ops;
	void *user;
};

struct mp_sim_node;

/** The default composition of @elements elements (1..MP_SIM_CFG_MAX_ELEMENTS;
 *  cut to that range): the primary one (location 0) with the Configuration
 *  Server, the Health Server and the Generic OnOff Server, each other one
 *  (location = its index) with a Generic OnOff Server; no features, CID
 *  0x05F1 (Linux Foundation), PID 1, VID 1, CRPL 32. */
void mp_sim_node_default_comp(struct mp_sim_comp *out, unsigned elements);

/**
 * Make the node. Returns 0 and *@out, or -EINVAL (a required op missing,
 * no Provisioning Data, a composition the Configuration Server refuses, an
 * element count not the provisioned one), -ENOMEM, or the stack's error
 * adding the subnet (-EIO).
 */
int mp_sim_node_new(const struct mp_sim_node_params *p, struct mp_sim_node **out);
/** Cancel its timers, wipe its keys and free. NULL is fine. Not from a callback. */
void mp_sim_node_free(struct mp_sim_node *n);

/** How many timer ids the node uses. */
unsigned mp_sim_node_timer_count(const struct mp_sim_node *n);
/** Timer @id expired. */
void mp_sim_node_timeout(struct mp_sim_node *n, unsigned id);

/** A Network PDU heard. Returns mp_mesh_rx()'s value, or -ESHUTDOWN once
 *  the node has been reset (it hears nothing any more). */
int mp_sim_node_rx(struct mp_sim_node *n, const uint8_t *pdu, size_t len);

/**
 * A Mesh Beacon heard (@b: the AD structure's payload, from its Beacon
 * Type on). A Secure Network or Mesh Private beacon authenticated under
 * the new key of one of the node's subnets in a key refresh moves its Key
 * Refresh phase as the Key Refresh flag says (MshPRT v1.1 3.11.4:
 * flag set in Phase 1 -> Phase 2, flag clear in Phase 1 or 2 -> Phase 0,
 * mp_sim_cfg_kr_beacon()), and the stack follows. The IV index and the IV
 * Update flag are not acted on (the simulated node keeps the IV index it
 * was provisioned with). Returns 1 when the phase changed, 0 for an
 * authenticated beacon that changed nothing, -ENOKEY when no subnet's key
 * opens it, -EBADMSG when its authentication fails, -ENODATA/-EMSGSIZE
 * when malformed, -EPROTOTYPE for another beacon type, -ESHUTDOWN once
 * reset, -EINVAL for a NULL argument.
 */
int mp_sim_node_beacon_rx(struct mp_sim_node *n, const uint8_t *b, size_t len);

/** True once a Config Node Reset has been handled. */
bool mp_sim_node_is_reset(const struct mp_sim_node *n);
/** The primary element's address. */
uint16_t mp_sim_node_unicast(const struct mp_sim_node *n);
/** The Generic OnOff state of the element at @elem_addr (0 when it has none). */
uint8_t mp_sim_node_onoff(const struct mp_sim_node *n, uint16_t elem_addr);
/** The Attention Timer, in seconds left. */
uint8_t mp_sim_node_attention(const struct mp_sim_node *n);
/** The Configuration Server (its state, and its misbehaviour switches). */
struct mp_sim_cfg *mp_sim_node_cfg(struct mp_sim_node *n);
/*
 * The GATT Proxy server (MshPRT v1.1 6.4 - 6.7, 7.2), for a node whose
 * owner gave ops->proxy_send and whose GATT Proxy state is enabled. The
 * owner carries the connection (the Mesh Proxy Service, the Proxy PDUs'
 * SAR); the node keeps the proxy filter of the one Proxy Client and
 * answers its Proxy Configuration messages with a Filter Status. What
 * flows:
 *  - a Network PDU from the client goes to the node's own stack, and is
 *    relayed on the advertising bearer (ops->send, TTL - 1, 3.4.6.3) when
 *    it is for another node; its SRC joins an accept list (6.6);
 *  - a Network PDU the node sends, or hears on the advertising bearer for
 *    another node (once: a cache drops the repetitions), goes to the client
 *    when the filter lets its DST through (6.6).
 * The filter starts, at each connection, as an empty accept list (6.6).
 */

/** True when the node serves the Mesh Proxy Service now: ops->proxy_send
 *  given and the GATT Proxy state enabled (4.2.12). */
bool mp_sim_node_proxy_on(const struct mp_sim_node *n);

/** The Network ID of the node's first subnet (k3 of the key it sends
 *  with), for its advertisement (7.2.2.2.2). 0, or -ENOENT (no subnet). */
int mp_sim_node_proxy_network_id(const struct mp_sim_node *n, uint8_t id[8]);

/** A Proxy Client connected (@up, its notifications on) or went away: the
 *  filter starts afresh (an empty accept list), and nothing goes to the
 *  client while it is not up. */
void mp_sim_node_proxy_connected(struct mp_sim_node *n, bool up);

/**
 * A whole message from the Proxy Client (@type a Proxy PDU Message Type,
 * reassembled by the owner). Returns 0 when taken, -ENOTCONN while no
 * client is up, -ESHUTDOWN once the node was reset, -EPROTONOSUPPORT for a
 * type a Proxy Server does not take from its client (beacons, provisioning
 * PDUs, RFU ones), mp_mesh_rx()'s errors for a Network PDU nobody takes,
 * mp_proxy_cfg_open()'s for a Proxy Configuration message that does not
 * authenticate or decode (ignored, 6.7).
 */
int mp_sim_node_proxy_rx(struct mp_sim_node *n, uint8_t type, const uint8_t *msg, size_t len);

/** The proxy filter now: its type (net/proxy_cfg.h) and its addresses in
 *  @addrs (up to @max); returns how many the list holds. */
size_t mp_sim_node_proxy_filter(const struct mp_sim_node *n, uint8_t *type, uint16_t *addrs,
				size_t max);

/** The node's stack counters. */
const struct mp_mesh_stats *mp_sim_node_stats(const struct mp_sim_node *n);

#endif
