/* The mesh beacons of a provisioned network, in and out: what connects the
 * beacon codecs (net/beacon.h) to the subnets (net/net.h) and the IV index
 * machine (net/iv.h). Pure: bytes, the time and the subnets come in as
 * arguments; beacons go out and timers are asked for through callbacks.
 *
 * Receiving (MshPRT v1.1 3.10): a Secure Network beacon (3.10.3) is matched
 * to a subnet by its Network ID (both keys of a subnet in a key refresh) and
 * authenticated with that key's BeaconKey; a Mesh Private beacon (3.10.4) is
 * authenticated and deobfuscated with the PrivateBeaconKey of each subnet
 * key in turn. Only then are its IV index and flags believed: they go to the
 * IV machine (with whether the subnet is the primary one, NetKey Index 0,
 * 3.11.5), and the Key Refresh flag, with the subnet and whether the new
 * key authenticated it, goes back to the caller, whose Key Refresh
 * procedure (3.11.4) acts on it. A beacon that does not authenticate, that
 * no subnet knows, or that is malformed, is dropped and counted in the IV
 * machine's counters: it never changes any state.
 *
 * Sending: our Secure Network beacon of every subnet, on an interval (the
 * timer is the caller's): the flags are the subnet's Key Refresh phase (1
 * in phase 2, 3.10.3) and the IV Update state, the IV index the current one
 * (the incremented one during an IV Update, 3.11.5), under the key the
 * subnet sends with (the new one in phase 2).
 */
#ifndef MP_NET_BEACON_IO_H
#define MP_NET_BEACON_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/beacon.h"
#include "net/iv.h"
#include "net/net.h"

/* What an authenticated beacon said, and what the IV machine did with it. */
struct mp_beacon_seen {
	enum mp_beacon_type type;	/* MP_BEACON_SECURE_NETWORK or _MESH_PRIVATE */
	size_t subnet;			/* which entry of the subnets */
	uint16_t net_index;		/* its NetKey Index */
	bool new_key;			/* authenticated by the new key of a key refresh */
	bool key_refresh;		/* the Key Refresh flag */
	bool iv_update;			/* the IV Update flag */
	uint32_t iv_index;
	enum mp_iv_verdict verdict;
};

/**
 * A beacon @b (the Mesh Beacon AD structure's payload, from its Beacon
 * Type on) heard at @now (seconds, the IV machine's clock): authenticate
 * it against @subnets and feed the IV machine @iv. 0 with *@seen filled
 * when it authenticated (the IV machine's verdict in seen->verdict, which
 * may be a drop), else the error, counted in iv->cnt:
 *   -EBADMSG     a Secure Network beacon whose Network ID matched and
 *                whose authentication value did not (bcn_bad_auth)
 *   -ENOKEY      no subnet's Network ID, or no subnet's PrivateBeaconKey
 *                authenticates a Mesh Private beacon (bcn_unknown_net: a
 *                private beacon does not say whose it is)
 *   -ENODATA, -EMSGSIZE  shorter or longer than its type (bcn_malformed)
 *   -EPROTOTYPE  an unprovisioned device beacon or an unknown type
 *                (bcn_other_type)
 *   -EINVAL      a NULL argument; -EIO when OpenSSL failed.
 */
int mp_beacon_io_rx(struct mp_iv *iv, const struct mp_subnet *subnets, size_t n,
		    const uint8_t *b, size_t len, int64_t now, struct mp_beacon_seen *seen);

/**
 * Our Secure Network beacon for subnet @s in IV state @st: flags from the
 * subnet's phase and st->iv_update, IV index st->iv_index, under
 * mp_subnet_tx_keys(@s). Returns 22, or the errors of mp_snb_encode().
 */
ssize_t mp_beacon_io_build(const struct mp_subnet *s, const struct mp_iv_state *st,
			   uint8_t *out, size_t cap);

/* The sender's callbacks. */
struct mp_beacon_tx_cb {
	/* Send @beacon (@len octets, to go in a Mesh Beacon AD structure)
	 * of the @subnet-th subnet. Required. */
	void (*send)(void *user, size_t subnet, const uint8_t *beacon, size_t len);
	/* Call mp_beacon_tx_timeout() in @ms milliseconds (0 cancels). Required. */
	void (*timer)(void *user, uint32_t ms);
};

/* The default interval: 10 seconds, the Secure Network beacon's shortest
 * interval (3.10.3, Secure Network beacon behavior). */
#define MP_BEACON_TX_INTERVAL_MS 10000u

struct mp_beacon_tx {
	struct mp_beacon_tx_cb cb;
	void *user;
	uint32_t interval_ms;
	bool running;
	uint32_t sent;		/* beacons sent */
	uint32_t failed;	/* beacons that could not be built */
};

/** Set up @tx with @interval_ms (0: MP_BEACON_TX_INTERVAL_MS); stopped.
 *  -EINVAL for a NULL argument or callback. */
int mp_beacon_tx_init(struct mp_beacon_tx *tx, uint32_t interval_ms,
		      const struct mp_beacon_tx_cb *cb, void *user);

/** Start: asks for the timer in one interval (send at once with
 *  mp_beacon_tx_timeout() if wanted). */
void mp_beacon_tx_start(struct mp_beacon_tx *tx);

/** Stop: cancels the timer. */
void mp_beacon_tx_stop(struct mp_beacon_tx *tx);

/**
 * The interval is over (or send now): send the beacon of each of the @n
 * @subnets in @iv's state, then ask for the timer again when running.
 * Returns how many were sent.
 */
size_t mp_beacon_tx_timeout(struct mp_beacon_tx *tx, const struct mp_subnet *subnets, size_t n,
			    const struct mp_iv *iv);

#endif
