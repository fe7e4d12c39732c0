/* The GATT Proxy bearer, client side: a connection to a node's Mesh Proxy
 * Service over which Network PDUs travel as Proxy PDUs (MshPRT v1.1 6,
 * 7.2), with the proxy filter set up so that the node's answers come back.
 *
 *   radio connect ─connected→ GATT client (gatt/client.h, service 0x1828,
 *   Data In 0x2ADD, Data Out 0x2ADE): MTU, discovery, notifications on
 *   ─→ proxy filter: Set Filter Type (accept list), then Add Addresses
 *   with our unicast addresses, five per message (6.7), sent ─→ ready()
 *   ─→ Network PDUs both ways (Proxy PDU type 0x00), Proxy Configuration
 *   messages both ways (0x02), Mesh Beacons from the node (0x01)
 *
 * Proxy PDUs are cut and put back together by bearer/proxy.h at the
 * connection's ATT_MTU. Proxy Configuration messages are Network PDUs under
 * the proxy nonce (net/proxy_cfg.h), sealed with the subnet's keys, the IV
 * index and a SEQ the owner hands out (cb->seq: the SEQ of the address is
 * the owner's, shared with everything else it sends from that address,
 * MshPRT v1.1 3.4.4.5), from the first filter address.
 *
 * Every Filter Status the node sends is reported with whether it agrees with
 * what we asked: an accept list holding exactly the addresses added so far
 * (after the Set Filter Type, none or the one SRC the node may have added
 * on its own, 6.6). One that disagrees does not end the link: the owner
 * decides.
 *
 * What ends the link, reported once through closed() (the link's last
 * action: the owner may free it there): the connection could not be made
 * or dropped, the GATT client failed (no Mesh Proxy Service: -ENOENT), the
 * setup took longer than MP_PROXY_LINK_SETUP_MS (-ETIMEDOUT), a malformed
 * Proxy PDU (bearer/proxy.h's errors: the proxy client disconnects,
 * 6.3.2.2), a segmented message not complete within 20 s (-ETIMEDOUT),
 * mp_proxy_link_close() (0). A Proxy Configuration message that does not
 * authenticate or decode is dropped and counted, as is a Proxy PDU of a
 * type we do not take.
 *
 * Re-entrancy: deferred to the loop (HACKING.md, strategy 2): nothing is
 * reported from inside one of the owner's calls. The callbacks may call
 * anything of the link but mp_proxy_link_free(); closed() may free it.
 */
#ifndef MP_ENGINE_PROXY_LINK_H
#define MP_ENGINE_PROXY_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "net/net.h"
#include "net/proxy_cfg.h"
#include "radio/radio.h"

/* How long connecting and the GATT setup may take; ready() comes once the
 * filter messages are sent, their Filter Status answers later. */
#define MP_PROXY_LINK_SETUP_MS 20000
/* Addresses the filter is set up with at most. */
#define MP_PROXY_LINK_FILTER_MAX 32

struct mp_proxy_link;

struct mp_proxy_link_cb {
	/** Connected, the service found, notifications on and the filter
	 *  set up sent: Network PDUs may go. @att_mtu is the connection's. */
	void (*ready)(void *user, uint16_t att_mtu);
	/** A Network PDU from the node (not authenticated: the network layer
	 *  decides); valid during the call. */
	void (*net_rx)(void *user, const uint8_t *pdu, size_t len);
	/** A Mesh Beacon from the node (its Beacon Type first). May be NULL. */
	void (*beacon_rx)(void *user, const uint8_t *beacon, size_t len);
	/** A Filter Status (@st), and whether it @agrees with what was asked.
	 *  May be NULL. */
	void (*filter_status)(void *user, const struct mp_proxy_cfg_msg *st, bool agrees);
	/** Another authenticated Proxy Configuration message from the node
	 *  (the Directed Proxy ones). May be NULL. */
	void (*cfg_rx)(void *user, const struct mp_proxy_cfg_msg *m);
	/** The link is over: @err 0 when closed by mp_proxy_link_close(),
	 *  else why; @why says it for people ("service discovery: ...",
	 *  "malformed Proxy PDU: ..."), or NULL. The link's last action. */
	void (*closed)(void *user, int err, const char *why);
	/** Required: the SEQ to send the next message from @src with
	 *  (24 bits, never used before). 0 or -errno (then that message is
	 *  not sent). */
	int (*seq)(void *user, uint16_t src, uint32_t *seq);
};

struct mp_proxy_link_config {
	struct mp_loop *loop;
	struct mp_radio radio;			/* must have connect */
	uint8_t addr[6];			/* where the node advertises the service */
	uint8_t addr_type;
	const struct mp_subnet *subnet;		/* the keys; the owner's, kept alive */
	uint32_t iv_index;
	const uint16_t *filter;			/* our unicast addresses (copied), 1.. */
	size_t nfilter;				/* .. MP_PROXY_LINK_FILTER_MAX */
	const struct mp_proxy_link_cb *cb;
	void *user;
};

/* What a link dropped, for -v. */
struct mp_proxy_link_stats {
	unsigned int cfg_dropped;	/* Proxy Configuration not authenticated or decoded */
	unsigned int other_dropped;	/* Proxy PDUs of a type we do not take */
	unsigned int statuses, disagreed;
};

/**
 * Start connecting. 0 and the link in *@out, or -EINVAL (no subnet, no
 * seq callback, no or too many filter addresses, one not unicast),
 * -EOPNOTSUPP (a radio without connections), -ENOMEM, or the radio's
 * refusal.
 */
int mp_proxy_link_open(const struct mp_proxy_link_config *cfg, struct mp_proxy_link **out);

/**
 * Send the Network PDU @pdu (14..29 octets) to the node. 0, -ENOTCONN
 * before ready() or after the end, -EMSGSIZE, or the GATT client's error.
 */
int mp_proxy_link_send(struct mp_proxy_link *l, const uint8_t *pdu, size_t len);

/**
 * Seal @m as a Proxy Configuration message (a SEQ from cb->seq) and send it.
 * Returns 0, -ENOTCONN before the GATT setup is done or after the end,
 * mp_proxy_cfg_seal()'s errors, cb->seq()'s.
 */
int mp_proxy_link_send_cfg(struct mp_proxy_link *l, const struct mp_proxy_cfg_msg *m);

/** The IV index changed (an IV Update): seal and open with @iv_index from now. */
void mp_proxy_link_set_iv_index(struct mp_proxy_link *l, uint32_t iv_index);

/** End the link: closed() with 0 follows from the loop. */
void mp_proxy_link_close(struct mp_proxy_link *l);

/** What was dropped so far. */
const struct mp_proxy_link_stats *mp_proxy_link_stats(const struct mp_proxy_link *l);

/** True between ready() and the end. */
bool mp_proxy_link_ready(const struct mp_proxy_link *l);

/** Free, dropping the connection without any callback. NULL is fine. */
void mp_proxy_link_free(struct mp_proxy_link *l);

#endif
