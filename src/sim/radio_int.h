/* Inside the simulated radio: what radio.c (advertising, PB-ADV, the
 * devices) and radio_gatt.c (PB-GATT connections) share. */
#ifndef MP_SIM_RADIO_INT_H
#define MP_SIM_RADIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bearer/bearer.h"
#include "bearer/pbadv.h"
#include "bearer/pbgatt.h"
#include "bearer/proxy.h"
#include "bearer/sendq.h"
#include "core/timer_slots.h"
#include "sim/device.h"
#include "sim/node.h"
#include "sim/radio.h"

struct mp_gatt_server;
struct sim_dev;

/* One of a node's timers on the loop. */
struct sim_node_timer {
	struct sim_dev *sd;
	unsigned int id;
	int64_t handle;		/* 0: not armed */
};

/* A Network PDU of a node still to be repeated (Network Transmit). */
struct sim_net_tx {
	struct sim_net_tx *next;
	struct sim_dev *sd;
	int64_t timer;
	unsigned int left;	/* transmissions still to come */
	uint32_t interval_ms;
	size_t len;
	uint8_t ad[31];
};

/* The provisioning protocol timeout, on the device's side. MshPRT v1.1 5.4.4 */
#define SIM_PROTOCOL_TIMEOUT_MS 60000

/* A device's timer slots: its PB-ADV link's, its PB-GATT link's, then the
 * provisioning protocol timeout. */
#define SIM_TIMER_GATT MP_PBADV_TIMERS
#define SIM_TIMER_PROTO (MP_PBADV_TIMERS + MP_PBGATT_TIMERS)
#define SIM_TIMERS (SIM_TIMER_PROTO + 1)

struct sim_dev {
	struct mp_sim_radio *r;
	unsigned int index;
	uint8_t uuid[16];
	uint8_t addr[6];
	struct mp_sim_device *dev;
	bool adv;		/* PB-ADV: beacons, and a link listening */
	bool gatt;		/* PB-GATT: connectable advertising, a GATT server */
	struct mp_pbadv *link;
	struct mp_timer_slots timers;	/* see SIM_TIMERS */
	int64_t beacon_timer;
	struct mp_bearer active;	/* the open link the provisionee speaks over */
	bool has_active;
	/* PB-GATT: one connection at a time */
	struct mp_radio_conn *conn;
	struct mp_gatt_server *srv;
	struct mp_pbgatt *pbg;
	int64_t gatt_adv_timer;
	int64_t gatt_down_timer;
	unsigned int gatt_rx;	/* Data In writes of this connection */
	/* the connection is to the node's GATT Proxy server (radio_proxy.c)
	 * rather than PB-GATT */
	bool proxy_conn;
	struct mp_proxy_rx prx;
	uint8_t prx_buf[64];
	int64_t proxy_sar_timer;
	/* the device's PDUs wait here while the link carries the previous one */
	struct mp_sendq txq;
	bool provisioned;
	unsigned int peer_closes;	/* PB-ADV links the provisioner closed (Link Close heard) */
	/* once provisioned: the node (sim/node.h) and its timers */
	struct mp_sim_node *node;
	struct sim_node_timer *ntimers;
	unsigned int n_ntimers;
	int64_t node_reset_timer;	/* the node was reset: forget it from the loop */
	uint8_t elements;		/* the element count it announced */
};

struct mp_sim_radio {
	struct mp_sim_radio_config cfg;
	struct sim_dev *devs;
	uint64_t prng;
	unsigned long adv_count;
	unsigned long unheard;	/* copies for the provisioner while it did not listen */
	bool deaf;		/* the provisioner's radio does not listen */
	const struct mp_radio_receiver *rcv;	/* who hears the devices, or NULL */
	void *rcv_user;
	unsigned long withdrawn;	/* copies for devices the engine took back (forget) */
	struct delivery *inflight;
	struct mp_radio_conn *conns;	/* PB-GATT connections the engine holds */
	unsigned long gatt_tx;		/* ATT PDUs the engine sent over them */
	struct sim_net_tx *net_tx;	/* the nodes' Network PDUs with repetitions to come */
	unsigned long node_pdus;	/* Network PDUs the nodes sent, repetitions included */
	struct mp_sim_radio_sent sent;	/* what the devices and nodes advertised, by kind */
};

/* A copy of an advertisement on its way. */
struct delivery {
	struct mp_sim_radio *r;
	struct delivery *next, *prev;	/* the radio's copies in flight */
	int64_t timer;
	int to;			/* device index, or -1 for the engine */
	int from;		/* device index when to == -1 */
	uint32_t sender;	/* the engine's sender key when to >= 0 */
	size_t len;
	bool connectable;
	uint8_t ad[31];
};

/* radio.c */
uint32_t sim_prng_next(struct mp_sim_radio *r);
/* The OOB Information the devices advertise in their beacons and PB-GATT
 * service data (each writes it in its own byte order). */
uint16_t sim_oob_info(const struct mp_sim_radio *r);
/* An advertisement on its way: to device @to (from the engine's @sender,
 * which forget() may withdraw), or (@to -1) to the engine from device
 * @from, subject to loss, duplication and delay. */
void sim_post(struct mp_sim_radio *r, int to, int from, uint32_t sender, const uint8_t *ad,
	      size_t len, bool connectable);
/* The device's provisionee speaks over @b from now on (a link opened). */
void sim_dev_bearer_opened(struct sim_dev *sd, struct mp_bearer b);
/* The link it spoke over is gone: start afresh unless provisioned. */
void sim_dev_bearer_closed(struct sim_dev *sd);
void sim_dev_bearer_rx(struct sim_dev *sd, const uint8_t *pdu, size_t len);
void sim_dev_bearer_delivered(struct sim_dev *sd);

/* radio_gatt.c */
int sim_gatt_connect(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		     const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out);
int sim_gatt_send(struct mp_radio_conn *c, const uint8_t *pdu, size_t len);
void sim_gatt_close(struct mp_radio_conn *c);
/* Start advertising PB-GATT (connectable, Mesh Provisioning Service data). */
void sim_gatt_advertise(struct sim_dev *sd);
/* Free the device's GATT side (radio teardown). */
void sim_gatt_dev_free(struct sim_dev *sd);
/* The device's GATT server sends an ATT PDU to the engine (a server op). */
void sim_gatt_srv_tx(void *owner, const uint8_t *pdu, size_t len);
/* The device drops its connection. */
void sim_gatt_dev_drop(struct sim_dev *sd);

/* radio_proxy.c: a provisioned device's GATT Proxy server (sim/node.h) */
/* Serve the Mesh Proxy Service on the new connection sd->conn: 0 or -ENOMEM. */
int sim_proxy_attach(struct sim_dev *sd);
/* The connection is gone: free the server, the node's client is down. */
void sim_proxy_detached(struct sim_dev *sd);
/* The node may have turned its GATT Proxy off (Config GATT Proxy Set 0): a
 * connection to it is let go (after what the node sent). */
void sim_proxy_check(struct sim_dev *sd);
/* The node's ops->proxy_send. */
void sim_proxy_send(void *user, uint8_t type, const uint8_t *msg, size_t len);
/* The connectable advertisement of the Mesh Proxy Service with the Network
 * ID (MshPRT v1.1 7.2.2.2.2) into @ad: its length, or 0 when the node does
 * not serve the proxy now. */
size_t sim_proxy_ad(const struct sim_dev *sd, uint8_t ad[31]);

#endif
