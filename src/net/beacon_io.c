/* Beacons in and out of a provisioned network (see include/net/beacon_io.h). */
#include "net/beacon_io.h"

#include <errno.h>
#include <string.h>

static void count(struct mp_iv *iv, int r)
{
	switch (r) {
	case -EBADMSG: iv->cnt.bcn_bad_auth++; break;
	case -ENOKEY: iv->cnt.bcn_unknown_net++; break;
	case -ENODATA:
	case -EMSGSIZE: iv->cnt.bcn_malformed++; break;
	case -EPROTOTYPE: iv->cnt.bcn_other_type++; break;
	default: break;
	}
}

static void fill(struct mp_beacon_seen *seen, enum mp_beacon_type type, size_t subnet,
		 bool new_key, uint8_t flags, uint32_t iv_index)
{
	seen->type = type;
	seen->subnet = subnet;
	seen->new_key = new_key;
	seen->key_refresh = flags & MP_BEACON_FLAG_KEY_REFRESH;
	seen->iv_update = flags & MP_BEACON_FLAG_IV_UPDATE;
	seen->iv_index = iv_index;
}

int mp_beacon_io_rx(struct mp_iv *iv, const struct mp_subnet *subnets, size_t n,
		    const uint8_t *b, size_t len, int64_t now, struct mp_beacon_seen *seen)
{
	struct mp_iv_beacon ib;
	int r;

	if (!iv || (!subnets && n) || !b || !seen)
		return -EINVAL;
	memset(seen, 0, sizeof(*seen));
	if (!len) {
		count(iv, -ENODATA);
		return -ENODATA;
	}
	if (b[0] == MP_BEACON_SECURE_NETWORK) {
		struct mp_snb_rx rx;

		r = mp_snb_rx(subnets, n, b, len, &rx);
		if (r) {
			count(iv, r);
			return r;
		}
		fill(seen, MP_BEACON_SECURE_NETWORK, rx.subnet, rx.new_key, rx.snb.flags,
		     rx.snb.iv_index);
	} else if (b[0] == MP_BEACON_MESH_PRIVATE) {
		struct mp_private_beacon_rx rx;

		r = mp_private_beacon_rx(subnets, n, b, len, &rx);
		/* A private beacon names no network: one that no key opens
		 * may well be another network's, not a forgery. */
		if (r == -EBADMSG)
			r = -ENOKEY;
		if (r) {
			count(iv, r);
			return r;
		}
		fill(seen, MP_BEACON_MESH_PRIVATE, rx.subnet, rx.new_key, rx.flags, rx.iv_index);
	} else {
		count(iv, -EPROTOTYPE);
		return -EPROTOTYPE;
	}
	seen->net_index = subnets[seen->subnet].index;
	/* Authenticated: now, and only now, the IV machine hears of it. The
	 * primary subnet is the one of NetKey Index 0x000 (3.11.5). */
	ib.iv_index = seen->iv_index;
	ib.iv_update = seen->iv_update;
	ib.key_refresh = seen->key_refresh;
	ib.net_index = seen->net_index;
	ib.primary = seen->net_index == 0;
	seen->verdict = mp_iv_beacon(iv, &ib, now);
	return 0;
}

ssize_t mp_beacon_io_build(const struct mp_subnet *s, const struct mp_iv_state *st,
			   uint8_t *out, size_t cap)
{
	uint8_t flags = 0;

	if (!s || !st)
		return -EINVAL;
	/* 3.10.3: the Key Refresh flag is set in phase 2 (the new key in
	 * use); the IV Update flag in IV Update in Progress. */
	if (s->phase == MP_KR_PHASE2)
		flags |= MP_BEACON_FLAG_KEY_REFRESH;
	if (st->iv_update)
		flags |= MP_BEACON_FLAG_IV_UPDATE;
	return mp_snb_encode(mp_subnet_tx_keys(s), flags, st->iv_index, out, cap);
}

int mp_beacon_tx_init(struct mp_beacon_tx *tx, uint32_t interval_ms,
		      const struct mp_beacon_tx_cb *cb, void *user)
{
	if (!tx || !cb || !cb->send || !cb->timer)
		return -EINVAL;
	memset(tx, 0, sizeof(*tx));
	tx->cb = *cb;
	tx->user = user;
	tx->interval_ms = interval_ms ? interval_ms : MP_BEACON_TX_INTERVAL_MS;
	return 0;
}

void mp_beacon_tx_start(struct mp_beacon_tx *tx)
{
	tx->running = true;
	tx->cb.timer(tx->user, tx->interval_ms);
}

void mp_beacon_tx_stop(struct mp_beacon_tx *tx)
{
	tx->running = false;
	tx->cb.timer(tx->user, 0);
}

size_t mp_beacon_tx_timeout(struct mp_beacon_tx *tx, const struct mp_subnet *subnets, size_t n,
			    const struct mp_iv *iv)
{
	uint8_t b[MP_SNB_LEN];
	size_t i, sent = 0;

	for (i = 0; subnets && iv && i < n; i++) {
		if (mp_beacon_io_build(&subnets[i], mp_iv_get(iv), b, sizeof(b)) != MP_SNB_LEN) {
			tx->failed++;
			continue;
		}
		tx->cb.send(tx->user, i, b, sizeof(b));
		sent++;
	}
	tx->sent += (uint32_t)sent;
	/* The timer last: the owner may stop or restart from send(). */
	if (tx->running)
		tx->cb.timer(tx->user, tx->interval_ms);
	return sent;
}
