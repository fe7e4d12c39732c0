/* The advertising bearer for Network PDUs. MshPRT v1.1 3.3.1 (the
 * advertising bearer), 4.2.20 (Network Transmit). */
#include "net_adv.h"

#include <errno.h>
#include <string.h>

#include "net/proxy_adv.h"

void net_adv_init(struct net_adv *n, struct mp_loop *loop, struct mp_radio radio)
{
	unsigned int i;

	memset(n, 0, sizeof(*n));
	n->loop = loop;
	n->radio = radio;
	for (i = 0; i < MP_ENGINE_NET_TX_MAX; i++)
		n->tx[i].owner = n;
}

/* One transmission: one advertisement through the radio, which shares its
 * advertiser fairly between senders (the PB-ADV links' Link IDs, never 0,
 * and this bearer's MP_ENGINE_NET_SENDER), so that network traffic never
 * holds back a provisioning link nor the other way round. */
static int transmit(struct net_adv *n, const uint8_t *ad, size_t len)
{
	return n->radio.ops->advertise(n->radio.ctx, ad, len, MP_ENGINE_NET_SENDER);
}

static void on_repeat(struct mp_loop *loop, int64_t id, void *data)
{
	struct net_adv_tx *t = data;

	(void)loop;
	(void)id;
	t->timer = 0;
	/* A radio that refuses (its queue is full, it is gone) loses this
	 * copy only: the next ones may still go out. */
	transmit(t->owner, t->ad, t->len);
	if (--t->left > 0 &&
	    mp_loop_timer_set(t->owner->loop, &t->timer, t->interval_ms, on_repeat, t) != 0)
		t->left = 0;
}

int net_adv_send(struct net_adv *n, const uint8_t *pdu, size_t len, uint8_t transmit_state)
{
	unsigned int count = MP_ENGINE_NET_TRANSMIT_COUNT(transmit_state);
	struct net_adv_tx *t = NULL;
	uint8_t ad[MP_AD_LEGACY_MAX];
	unsigned int i;
	int k, err;

	if (!pdu)
		return -EINVAL;
	if (len < MP_MESH_MESSAGE_MIN || len > MP_MESH_MESSAGE_MAX)
		return -EMSGSIZE;
	if (count > 0) {
		for (i = 0; i < MP_ENGINE_NET_TX_MAX && !t; i++)
			if (!n->tx[i].timer)
				t = &n->tx[i];
		if (!t)
			return -ENOBUFS;
	}
	k = mp_ad_put(MP_AD_MESH_MESSAGE, pdu, len, ad, sizeof(ad));
	if (k < 0)
		return k;
	err = transmit(n, ad, (size_t)k);
	if (err || !t)
		return err;
	memcpy(t->ad, ad, (size_t)k);
	t->len = (uint8_t)k;
	t->left = (uint8_t)count;
	t->interval_ms = (uint16_t)MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(transmit_state);
	err = mp_loop_timer_set(n->loop, &t->timer, t->interval_ms, on_repeat, t);
	if (err)
		t->left = 0;	/* the first copy is out: that is a send */
	return 0;
}

/* A Mesh Beacon goes out once per call: its owner repeats it on its own
 * interval (MshPRT v1.1 3.10.5), so no Network Transmit repetitions. */
int net_adv_send_beacon(struct net_adv *n, const uint8_t *beacon, size_t len)
{
	uint8_t ad[MP_AD_LEGACY_MAX];
	int k;

	if (!beacon)
		return -EINVAL;
	if (len < 1 || len > MP_AD_LEGACY_MAX - 2)
		return -EMSGSIZE;
	k = mp_ad_put(MP_AD_MESH_BEACON, beacon, len, ad, sizeof(ad));
	if (k < 0)
		return k;
	return transmit(n, ad, (size_t)k);
}

unsigned int net_adv_pending(const struct net_adv *n)
{
	unsigned int i, c = 0;

	for (i = 0; i < MP_ENGINE_NET_TX_MAX; i++)
		c += n->tx[i].timer != 0;
	return c;
}

void net_adv_stop(struct net_adv *n)
{
	unsigned int i;

	for (i = 0; i < MP_ENGINE_NET_TX_MAX; i++) {
		if (n->tx[i].timer)
			mp_loop_timer_cancel(n->loop, n->tx[i].timer);
		n->tx[i].timer = 0;
		n->tx[i].left = 0;
	}
}

/* A Mesh Message carries exactly one Network PDU (3.3.1): a length outside
 * 14..29 cannot be one, and is not offered upward (the next Mesh Message
 * of the report, if any, is). */
int net_adv_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct net_adv *n = user;

	if (ad->len < MP_MESH_MESSAGE_MIN || ad->len > MP_MESH_MESSAGE_MAX)
		return -EBADMSG;
	if (n->rx)
		n->rx(n->rx_user, ad->data, ad->len, r);
	return 0;
}

/* Service Data for 0x1828: the bounded decoder says whether it is one. */
int net_adv_proxy_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct net_adv *n = user;
	struct mp_proxy_adv a;
	int err = mp_proxy_adv_decode(ad->data, ad->len, &a);

	if (err)
		return err;
	if (n->padv)
		n->padv(n->padv_user, &a, r);
	return 0;
}
