/* The simulated radio's GATT Proxy side: a provisioned device whose node
 * serves the Mesh Proxy Service (sim/node.h) advertises it, connectable,
 * with its Network ID (MshPRT v1.1 7.2.2.2.2), and takes one connection at
 * a time over the same simulated connections as PB-GATT (radio_gatt.c): a
 * GATT server with the Mesh Proxy Service's UUIDs (0x1828, Data In 0x2ADD,
 * Data Out 0x2ADE), Proxy PDUs both ways cut and put back together by
 * bearer/proxy.h at the connection's ATT_MTU, the whole messages given to
 * the node and taken from it.
 *
 * A malformed Proxy PDU, or a segmented message not complete within 20 s,
 * ends the connection (6.3.2.2): the server disconnects.
 */
#include "radio_int.h"

#include <errno.h>
#include <string.h>

#include "adv/adv.h"
#include "gatt/gatt.h"
#include "gatt/server.h"
#include "sim/node.h"

static void sar_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct sim_dev *sd = data;

	(void)loop;
	(void)id;
	sd->proxy_sar_timer = 0;
	sim_gatt_dev_drop(sd);
}

static void sar_timer(struct sim_dev *sd)
{
	struct mp_loop *loop = sd->r->cfg.loop;

	if (!mp_proxy_rx_in_progress(&sd->prx)) {
		mp_loop_timer_set(loop, &sd->proxy_sar_timer, 0, NULL, NULL);
	} else if (!sd->proxy_sar_timer) {
		mp_loop_timer_set(loop, &sd->proxy_sar_timer, MP_PROXY_SAR_TIMEOUT_MS, sar_fired,
				  sd);
	}
}

static void px_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct sim_dev *sd = owner;
	struct mp_proxy_msg msg;
	int r;

	if (!sd->conn)
		return;
	r = mp_proxy_rx_feed(&sd->prx, value, len, &msg);
	if (r < 0) {
		/* 6.3.2.2: a malformed Proxy PDU ends the connection */
		sim_gatt_dev_drop(sd);
		return;
	}
	sar_timer(sd);
	if (r == 1 && sd->node) {
		mp_sim_node_proxy_rx(sd->node, msg.type, msg.data, msg.len);
		sim_proxy_check(sd);
	}
}

void sim_proxy_check(struct sim_dev *sd)
{
	/* no Mesh Proxy Service with the state off (MshPRT v1.1 4.2.12): its
	 * client goes; the advertising stops (gatt_adv_fired) */
	if (sd->proxy_conn && sd->conn && (!sd->node || !mp_sim_node_proxy_on(sd->node)))
		sim_gatt_dev_drop(sd);
}

static void px_cccd(void *owner, bool enabled)
{
	struct sim_dev *sd = owner;

	if (sd->node)
		mp_sim_node_proxy_connected(sd->node, enabled);
}

static const struct mp_gatt_server_ops px_srv_ops = { sim_gatt_srv_tx, px_data_in, px_cccd, NULL };

int sim_proxy_attach(struct sim_dev *sd)
{
	struct mp_gatt_server_config sc = { .ops = &px_srv_ops, .owner = sd };

	sc.uuids = mp_gatt_mesh_proxy;
	sd->srv = mp_gatt_server_new(&sc);
	if (!sd->srv)
		return -ENOMEM;
	sd->proxy_conn = true;
	mp_proxy_rx_init(&sd->prx, sd->prx_buf, sizeof(sd->prx_buf));
	return 0;
}

void sim_proxy_detached(struct sim_dev *sd)
{
	mp_loop_timer_set(sd->r->cfg.loop, &sd->proxy_sar_timer, 0, NULL, NULL);
	mp_gatt_server_free(sd->srv);
	sd->srv = NULL;
	sd->proxy_conn = false;
	if (sd->node)
		mp_sim_node_proxy_connected(sd->node, false);
	sim_gatt_advertise(sd);		/* connectable again */
}

void sim_proxy_send(void *user, uint8_t type, const uint8_t *msg, size_t len)
{
	struct sim_dev *sd = user;
	uint8_t pdu[MP_PROXY_ATT_VALUE_MAX];
	struct mp_proxy_seg seg;
	ssize_t n;

	if (!sd->conn || !sd->proxy_conn || !sd->srv || !mp_gatt_server_notifying(sd->srv) ||
	    mp_proxy_seg_init(&seg, type, msg, len, mp_gatt_server_mtu(sd->srv)) < 0)
		return;
	while ((n = mp_proxy_seg_next(&seg, pdu, sizeof(pdu))) > 0)
		if (mp_gatt_server_notify(sd->srv, pdu, (size_t)n) < 0)
			return;
}

size_t sim_proxy_ad(const struct sim_dev *sd, uint8_t ad[31])
{
	/* Flags, Complete List of 16-bit Service UUIDs (0x1828), Service Data:
	 * the Mesh Proxy Service, Identification Type Network ID (0x00), the
	 * Network ID. MshPRT v1.1 7.2.2.2.1, 7.2.2.2.2 */
	static const uint8_t head[] = { 2, 0x01, 0x06, 3, 0x03, 0x28, 0x18, 12, 0x16, 0x28, 0x18,
					0x00 };

	if (!sd->node || !mp_sim_node_proxy_on(sd->node))
		return 0;
	memcpy(ad, head, sizeof(head));
	if (mp_sim_node_proxy_network_id(sd->node, ad + sizeof(head)) < 0)
		return 0;
	return sizeof(head) + 8;
}
