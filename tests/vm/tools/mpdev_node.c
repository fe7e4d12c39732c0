/* mpdev --node SECONDS: after provisioning, the device stays on as a node
 * for that long (or until a Config Node Reset) instead of exiting: the
 * project's simulated node (sim/node.h, the same code as the simulated
 * radio's nodes) on the real controller. Network PDUs come in as Mesh
 * Message AD structures (0x2A) of the scan reports and go out through
 * mp_hci_adv_send(), repeated as the node's Network Transmit state says.
 *
 * With --gatt the node is a GATT Proxy server too (sim/node.h's): the
 * Proxy feature in its composition, its GATT Proxy state on; mpdev_gatt.c
 * advertises the Mesh Proxy Service and carries the connection.
 *
 * Lines on stdout:
 *   NODE READY unicast=0005 elements=N
 *   NODE PROXY CLIENT | NODE PROXY NO CLIENT
 *   NODE ONOFF element=0005 value=1
 *   NODE ATTENTION 5
 *   NODE RESET
 * The run ends (exit 0, status "provisioned", end "node-reset" or
 * "node-time") at the reset or when the time is up.
 */
#include "mpdev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adv/adv.h"
#include "sim/node.h"
#include "sim/node_cfg.h"

struct ntimer {
	struct mpdev *d;
	unsigned int id;
	int64_t handle;
};

/* A Network PDU with repetitions to come. */
struct ntx {
	struct ntx *next;
	struct mpdev *d;
	int64_t timer;
	unsigned int left;
	uint32_t interval_ms;
	size_t len;
	uint8_t ad[MP_AD_LEGACY_MAX];
};

struct mpdev_node {
	struct mp_sim_node *node;
	struct ntimer *t;
	unsigned int nt;
	struct ntx *txs;
	int64_t end_timer;
	int64_t reset_timer;
};

static void air(struct mpdev *d, const uint8_t *ad, size_t len)
{
	int r = mp_hci_adv_send(d->hci, MPDEV_KEY_NODE, ad, len, NULL, NULL);

	if (r < 0)
		mpdev_log(d, "Network PDU not queued: %s", strerror(-r));
}

static void ntx_unlink(struct mpdev_node *ns, struct ntx *t)
{
	for (struct ntx **pp = &ns->txs; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

static void ntx_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct ntx *t = data;

	(void)id;
	air(t->d, t->ad, t->len);
	if (--t->left) {
		t->timer = mp_loop_timer_add(loop, t->interval_ms, ntx_cb, t);
		if (t->timer > 0)
			return;
	}
	ntx_unlink(t->d->nodeside, t);
	free(t);
}

static void n_send(void *user, const uint8_t *pdu, size_t len, uint8_t transmit)
{
	struct mpdev *d = user;
	struct ntx *t;
	uint8_t ad[MP_AD_LEGACY_MAX];
	int n = mp_ad_put(MP_AD_MESH_MESSAGE, pdu, len, ad, sizeof(ad));

	if (n <= 0)
		return;
	air(d, ad, (size_t)n);
	/* count + 1 transmissions, (steps + 1) * 10 ms apart (MshPRT v1.1 4.2.20) */
	if (!(transmit & 0x07) || !(t = calloc(1, sizeof(*t))))
		return;
	t->d = d;
	t->left = transmit & 0x07;
	t->interval_ms = ((transmit >> 3) + 1u) * 10u;
	t->len = (size_t)n;
	memcpy(t->ad, ad, (size_t)n);
	t->timer = mp_loop_timer_add(d->loop, t->interval_ms, ntx_cb, t);
	if (t->timer <= 0) {
		free(t);
		return;
	}
	t->next = d->nodeside->txs;
	d->nodeside->txs = t;
}

static void ntimer_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct ntimer *t = data;

	(void)loop;
	(void)id;
	t->handle = 0;
	if (t->d->nodeside && t->d->nodeside->node)
		mp_sim_node_timeout(t->d->nodeside->node, t->id);
}

static void n_timer(void *user, unsigned id, uint32_t ms)
{
	struct mpdev *d = user;
	struct mpdev_node *ns = d->nodeside;
	struct ntimer *t;

	if (!ns || id >= ns->nt)
		return;
	t = &ns->t[id];
	if (t->handle)
		mp_loop_timer_cancel(d->loop, t->handle);
	t->handle = ms ? mp_loop_timer_add(d->loop, ms, ntimer_cb, t) : 0;
	if (t->handle < 0)
		t->handle = 0;
}

static void n_attention(void *user, uint8_t secs)
{
	mpdev_say(user, "NODE ATTENTION %u", secs);
}

static void n_onoff(void *user, uint16_t elem, uint8_t onoff)
{
	mpdev_say(user, "NODE ONOFF element=%04x value=%u", elem, onoff);
}

static void reset_over(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	(void)loop;
	(void)id;
	d->nodeside->reset_timer = 0;
	d->end = "node-reset";
	mpdev_finish(d, MPDEV_EXIT_OK, "provisioned", NULL);
}

static void n_reset(void *user)
{
	struct mpdev *d = user;

	mpdev_say(d, "NODE RESET");
	/* let the Node Reset Status's repetitions go out first */
	mp_loop_timer_set(d->loop, &d->nodeside->reset_timer, 500, reset_over, d);
}

static const struct mp_sim_node_ops node_ops = {
	.send = n_send, .timer = n_timer, .attention = n_attention, .onoff = n_onoff,
	.reset = n_reset, .proxy_send = mpdev_gatt_proxy_send,
};

static void time_over(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	(void)loop;
	(void)id;
	d->nodeside->end_timer = 0;
	d->end = "node-time";
	mpdev_finish(d, MPDEV_EXIT_OK, "provisioned", NULL);
}

int mpdev_node_start(struct mpdev *d)
{
	struct mp_sim_node_params np = { .prov = &d->result, .ops = &node_ops, .user = d };
	/* sim/node.h's default states, the GATT Proxy on */
	struct mp_sim_cfg_params states = { .beacon = 1, .net_transmit = 1u << 3 | 2u,
					    .proxy = 1 };
	struct mpdev_node *ns = calloc(1, sizeof(*ns));
	struct mp_sim_comp comp;
	int err;

	if (!ns)
		return -ENOMEM;
	d->nodeside = ns;
	if (d->gatt) {
		/* with --gatt the node is a GATT Proxy server too (MshPRT v1.1 7.2),
		 * as the simulated radio's nodes are */
		mp_sim_node_default_comp(&comp, d->result.elements);
		comp.features |= MP_SIM_FEAT_PROXY;
		np.comp = &comp;
		np.states = &states;
	}
	err = mp_sim_node_new(&np, &ns->node);
	if (!err) {
		ns->nt = mp_sim_node_timer_count(ns->node);
		ns->t = calloc(ns->nt, sizeof(*ns->t));
		if (!ns->t)
			err = -ENOMEM;
	}
	if (err) {
		mpdev_node_free(d);
		return err;
	}
	for (unsigned int i = 0; i < ns->nt; i++) {
		ns->t[i].d = d;
		ns->t[i].id = i;
	}
	/* --timeout was for the provisioning, which is over */
	if (d->deadline_timer)
		mp_loop_timer_cancel(d->loop, d->deadline_timer);
	d->deadline_timer = 0;
	mp_loop_timer_set(d->loop, &ns->end_timer, (uint64_t)d->node_s * 1000, time_over, d);
	mpdev_say(d, "NODE READY unicast=%04x elements=%u", d->result.unicast,
		  d->result.elements);
	if (mp_sim_node_proxy_on(ns->node)) {
		d->proxy = true;
		mpdev_gatt_proxy_start(d);
	}
	return 0;
}

void mpdev_node_proxy_connected(struct mpdev *d, bool up)
{
	if (d->nodeside && d->nodeside->node)
		mp_sim_node_proxy_connected(d->nodeside->node, up);
	mpdev_say(d, "NODE PROXY %s", up ? "CLIENT" : "NO CLIENT");
}

void mpdev_node_proxy_rx(struct mpdev *d, uint8_t type, const uint8_t *msg, size_t len)
{
	int r;

	if (!d->nodeside || !d->nodeside->node)
		return;
	r = mp_sim_node_proxy_rx(d->nodeside->node, type, msg, len);
	if (r < 0)
		mpdev_log(d, "proxy message type %u (%zu octets) not taken: %s", type, len,
			  strerror(-r));
}

int mpdev_node_network_id(struct mpdev *d, uint8_t id[8])
{
	if (!d->nodeside || !d->nodeside->node)
		return -ENOENT;
	return mp_sim_node_proxy_network_id(d->nodeside->node, id);
}

void mpdev_node_rx(struct mpdev *d, const uint8_t *pdu, size_t len)
{
	if (d->nodeside && d->nodeside->node)
		mp_sim_node_rx(d->nodeside->node, pdu, len);
}

void mpdev_node_free(struct mpdev *d)
{
	struct mpdev_node *ns = d->nodeside;

	if (!ns)
		return;
	for (unsigned int i = 0; i < ns->nt; i++)
		if (ns->t[i].handle)
			mp_loop_timer_cancel(d->loop, ns->t[i].handle);
	ns->nt = 0;
	mp_sim_node_free(ns->node);
	free(ns->t);
	while (ns->txs) {
		struct ntx *t = ns->txs;

		ns->txs = t->next;
		mp_loop_timer_cancel(d->loop, t->timer);
		free(t);
	}
	if (ns->end_timer)
		mp_loop_timer_cancel(d->loop, ns->end_timer);
	if (ns->reset_timer)
		mp_loop_timer_cancel(d->loop, ns->reset_timer);
	free(ns);
	d->nodeside = NULL;
}
