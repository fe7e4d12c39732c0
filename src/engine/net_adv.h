/* The advertising bearer for Network PDUs, as the engine runs it: Mesh
 * Message AD structures (0x2A, MshPRT v1.1 3.3.1) sent through the radio
 * with the Network Transmit state's repetitions on the loop's clock, and
 * received ones handed to the one network receiver. Embedded in the engine
 * (no allocation); internal to it, the API is mp_engine_net_*
 * (engine/engine.h).
 */
#ifndef MP_ENGINE_NET_ADV_H
#define MP_ENGINE_NET_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adv/adv.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "radio/radio.h"

struct net_adv;

/* One PDU whose transmissions are still running. */
struct net_adv_tx {
	struct net_adv *owner;
	int64_t timer;			/* the next transmission; 0: slot free */
	uint8_t ad[MP_AD_LEGACY_MAX];
	uint8_t len;
	uint8_t left;			/* transmissions still to come */
	uint16_t interval_ms;
};

struct net_adv {
	struct mp_loop *loop;
	struct mp_radio radio;
	mp_engine_net_rx_fn rx;		/* NULL: nobody listens */
	void *rx_user;
	int rx_id;			/* the 0x2A registration, 0: none */
	mp_engine_proxy_adv_fn padv;	/* Mesh Proxy Service advertisements */
	void *padv_user;
	int padv_id;
	struct net_adv_tx tx[MP_ENGINE_NET_TX_MAX];
};

/** Bind @n to @loop and @radio, nothing running, nobody listening. */
void net_adv_init(struct net_adv *n, struct mp_loop *loop, struct mp_radio radio);
/** Send one Network PDU with the Network Transmit state @transmit
 *  (mp_engine_net_send()). */
int net_adv_send(struct net_adv *n, const uint8_t *pdu, size_t len, uint8_t transmit);
/** Send one Mesh Beacon AD (mp_engine_beacon_send()). */
int net_adv_send_beacon(struct net_adv *n, const uint8_t *beacon, size_t len);
/** PDUs whose repetitions are still to come. */
unsigned int net_adv_pending(const struct net_adv *n);
/** Stop every repetition still to come (the radio is gone, the engine is
 *  freed). */
void net_adv_stop(struct net_adv *n);
/** The engine's AD receiver for Mesh Messages (an mp_engine_ad_fn whose
 *  @user is the struct net_adv). */
int net_adv_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad);
/** The engine's AD receiver for Mesh Proxy Service data (an mp_engine_ad_fn
 *  whose @user is the struct net_adv). */
int net_adv_proxy_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad);

#endif
