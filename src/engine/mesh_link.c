/* The provisioner's network: the mesh stack fed by the keyring, the SEQ
 * allocator, the replay journal and the IV machine, carried by the engine's
 * advertising bearer. See include/engine/mesh_link.h. */
/* net/beacon.h (through beacon_io.h) first: it names the beacon types in an
 * enum that adv/adv.h (through engine.h) also #defines, with the same values;
 * in this order the enum is declared before the macros exist. */
#include "net/beacon_io.h"

#include "engine/mesh_link.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adv/adv.h"
#include "core/loop.h"
#include "crypto/crypto.h"
#include "engine/engine.h"
#include "mesh/stack.h"
#include "net/iv.h"
#include "net/net.h"
#include "store/keyring.h"
#include "store/nodes.h"
#include "store/rpl.h"
#include "store/seq.h"

/* Subnets the link loads from the keyring (and gives the beacon glue). */
#define LINK_SUBNETS 8

struct link_timer {
	struct mp_mesh_link *l;
	unsigned id;
	int64_t slot;
};

struct mp_mesh_link {
	struct mp_engine *engine;
	struct mp_loop *loop;
	struct mp_keyring *kr;
	struct mp_mesh_link_cb cb;
	void *user;
	struct mp_mesh_link_opts opts;
	uint16_t addr;

	struct mp_mesh *mesh;
	struct mp_seq *seq;
	struct mp_rpl *rpl;
	struct mp_iv iv;
	bool iv_ready;
	int64_t iv_timer;

	/* The beacon glue authenticates against these (the stack keeps its
	 * own copies for the network layer). */
	struct mp_subnet subnets[LINK_SUBNETS];
	size_t nsubnets;
	/* Our Secure Network beacons (net/beacon_io.h), on the loop's timer. */
	struct mp_beacon_tx btx;
	int64_t beacon_timer;

	struct link_timer *timers;
	unsigned ntimers;
	int beacon_reg[2];
	bool net_rx;
	mp_mesh_link_tx_fn tx;		/* another bearer, or NULL: advertising */
	void *tx_user;

	struct mp_mesh_link_stats st;
};

static int64_t link_now_s(struct mp_mesh_link *l)
{
	struct timespec ts;

	if (l->opts.now_s)
		return l->opts.now_s(l->user);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* ---- the stack's downward callbacks ---- */

static void op_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	struct mp_mesh_link *l = user;

	(void)net_idx;	/* one Network Transmit state for every subnet */
	if (l->tx) {
		if (l->tx(l->tx_user, pdu, len) < 0)
			l->st.tx_refused++;
		return;
	}
	if (mp_engine_net_send(l->engine, pdu, len, l->opts.net_transmit) < 0)
		l->st.tx_refused++;
}

static void mesh_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct link_timer *t = data;

	(void)loop;
	(void)id;
	t->slot = 0;
	mp_mesh_timeout(t->l->mesh, t->id);
}

static void op_timer(void *user, unsigned id, uint32_t ms)
{
	struct mp_mesh_link *l = user;

	if (id >= l->ntimers)
		return;
	mp_loop_timer_set(l->loop, &l->timers[id].slot, ms, mesh_timer_fired, &l->timers[id]);
}

static int op_seq_next(void *user, uint32_t *seq)
{
	struct mp_mesh_link *l = user;

	return mp_seq_next(l->seq, seq);
}

static int op_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	struct mp_mesh_link *l = user;
	const struct mp_node *n = mp_keyring_node_find(l->kr, addr);

	if (!n || !n->has_dev_key)
		return -ENOENT;
	memcpy(key, n->dev_key, 16);
	return 0;
}

static void op_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct mp_mesh_link *l = user;

	l->cb.deliver(l->user, msg);
}

static void op_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct mp_mesh_link *l = user;

	if (l->cb.done)
		l->cb.done(l->user, dst, seq_auth, err);
}

static void op_rpl_update(void *user, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct mp_mesh_link *l = user;

	if (l->rpl && mp_rpl_record(l->rpl, src, iv_index, seq) < 0)
		l->st.rpl_write_errors++;
}

static const struct mp_mesh_ops link_mesh_ops = {
	.send = op_send,
	.timer = op_timer,
	.seq_next = op_seq_next,
	.dev_key = op_dev_key,
	.deliver = op_deliver,
	.done = op_done,
	.rpl_update = op_rpl_update,
};

/* ---- the IV machine ---- */

/* Save the new state in the keyring first (3.11.5: the IV index is
 * persistent); the stack follows only once it is saved. */
static int iv_persist(void *user, const struct mp_iv_state *s)
{
	struct mp_mesh_link *l = user;
	int err = mp_keyring_set_iv(l->kr, s->iv_index, s->iv_update);

	if (err < 0)
		return err;
	if (l->mesh)
		mp_mesh_set_iv(l->mesh, s->iv_index, s->iv_update);
	return 0;
}

static void iv_seq_reset(void *user, uint32_t tx_iv_index)
{
	struct mp_mesh_link *l = user;

	(void)tx_iv_index;
	if (l->seq)
		mp_seq_reset(l->seq);
}

static void iv_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_mesh_link *l = data;

	(void)loop;
	(void)id;
	l->iv_timer = 0;
	mp_iv_tick(&l->iv, link_now_s(l));
}

static void iv_timer(void *user, uint32_t ms)
{
	struct mp_mesh_link *l = user;

	mp_loop_timer_set(l->loop, &l->iv_timer, ms, iv_timer_fired, l);
}

/* ---- our beacons ---- */

static void beacon_send(void *user, size_t subnet, const uint8_t *beacon, size_t len)
{
	struct mp_mesh_link *l = user;

	(void)subnet;
	if (mp_engine_beacon_send(l->engine, beacon, len) == 0)
		l->st.beacons_sent++;
	else
		l->st.tx_refused++;
}

static void beacon_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_mesh_link *l = data;

	(void)loop;
	(void)id;
	l->beacon_timer = 0;
	mp_beacon_tx_timeout(&l->btx, l->subnets, l->nsubnets, &l->iv);
}

static void beacon_timer(void *user, uint32_t ms)
{
	struct mp_mesh_link *l = user;

	mp_loop_timer_set(l->loop, &l->beacon_timer, ms, beacon_timer_fired, l);
}

static const struct mp_beacon_tx_cb link_beacon_cb = { beacon_send, beacon_timer };

/* Send every subnet's beacon now and start the interval again: at link
 * start and whenever what they say changes (the IV index or the IV
 * Update flag, a Key Refresh phase), so that the network hears it at once
 * rather than one interval later (MshPRT v1.1 3.10.5, 3.11.4, 3.11.5). */
static void beacons_now(struct mp_mesh_link *l)
{
	if (!l->btx.running)
		return;
	mp_beacon_tx_timeout(&l->btx, l->subnets, l->nsubnets, &l->iv);
}

static const struct mp_iv_cb link_iv_cb = {
	.persist = iv_persist,
	.seq_reset = iv_seq_reset,
	.timer = iv_timer,
};

/* SEQ crossed its threshold: ask for an IV Update before it runs out. */
static void seq_high(void *user, uint32_t seq, uint32_t tx_iv_index)
{
	struct mp_mesh_link *l = user;

	(void)seq;
	(void)tx_iv_index;
	if (l->iv_ready)
		mp_iv_seq_high(&l->iv, link_now_s(l));
}

/* ---- what the engine hears ---- */

static void net_heard(void *user, const uint8_t *pdu, size_t len, const struct mp_adv_report *r)
{
	struct mp_mesh_link *l = user;

	(void)r;
	l->st.pdus_heard++;
	mp_mesh_rx(l->mesh, pdu, len);
}

/* The Key Refresh flag of an authenticated beacon (MshPRT v1.1 3.11.4.2,
 * 3.11.4.3; 3.10.3). This provisioner drives its own refreshes over the
 * Configuration Client and the keyring holds the phase, but it is also a
 * node of each subnet, bound by the same rules, and a beacon under the new
 * key can only come from a node that has that key: one that another
 * station (a copy of this network's keyring, issue #15) moved on. So the
 * link follows it as a node would:
 *   - phase 1, new key, flag set: that station is in phase 2; we go to
 *     phase 2 (send with the new key);
 *   - phase 1 or 2, new key, flag clear: that station finished the refresh
 *     (the nodes in phase 0 beacon under the new key without the flag);
 *     the old key is revoked here too (phase 0), so our beacons stop
 *     saying phase 2 to a network that left it, and the old key is wiped
 *     from the keyring rather than kept as valid. A refresh of our own that
 *     is waiting for transition 3 answers loses nothing: the nodes still
 *     in phase 1 or 2 receive the new key.
 * A beacon under the old key says nothing (the nodes not yet in phase 2
 * send it). The phase is saved in the keyring first, and the stack follows
 * only once it is (the rule of the IV index, 3.11.5); the owner hears of it
 * through kr_phase(). */
static void kr_follow(struct mp_mesh_link *l, const struct mp_beacon_seen *seen)
{
	const struct mp_netkey *k;
	uint8_t to;

	if (!seen->new_key)
		return;
	k = mp_keyring_netkey(l->kr, seen->net_index);
	if (!k)
		return;
	if (seen->key_refresh && k->phase == MP_KR_PHASE_1)
		to = MP_KR_PHASE_2;
	else if (!seen->key_refresh &&
		 (k->phase == MP_KR_PHASE_1 || k->phase == MP_KR_PHASE_2))
		to = MP_KR_PHASE_NORMAL;
	else
		return;
	if (mp_keyring_netkey_set_phase(l->kr, seen->net_index, to) < 0) {
		l->st.kr_write_errors++;
		return;
	}
	l->st.kr_phase_by_beacon++;
	/* the same key (the keyring's new one): only the phase moves */
	if (mp_mesh_link_netkey_sync(l, seen->net_index) < 0)
		l->st.kr_write_errors++;
	if (l->cb.kr_phase)
		l->cb.kr_phase(l->user, seen->net_index, to);
}

static int beacon_heard(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	struct mp_mesh_link *l = user;
	const struct mp_iv_state *before = mp_iv_get(&l->iv);
	uint32_t iv_index = before->iv_index;
	bool iv_update = before->iv_update;
	struct mp_beacon_seen seen;
	int err;

	(void)r;
	l->st.beacons_heard++;
	err = mp_beacon_io_rx(&l->iv, l->subnets, l->nsubnets, ad->data, ad->len, link_now_s(l),
			      &seen);
	if (err < 0)
		return 0;	/* counted by the IV machine; nobody else wants it */
	kr_follow(l, &seen);
	if (mp_iv_get(&l->iv)->iv_index == iv_index && mp_iv_get(&l->iv)->iv_update == iv_update)
		return 0;
	beacons_now(l);
	if (l->cb.iv_changed)
		l->cb.iv_changed(l->user, mp_iv_get(&l->iv)->iv_index,
				 mp_iv_get(&l->iv)->iv_update);
	return 0;
}

/* ---- keys ---- */

/* @s (not set up yet) as the keyring's NetKey @k says: during a key
 * refresh the keyring's key is the new one and old_key the current one
 * (store/keyring.h); phase 1 sends with the old, phase 2 with the new, both
 * received (MshPRT v1.1 3.11.4.1). */
static int subnet_of(struct mp_subnet *s, const struct mp_netkey *k)
{
	bool refresh = k->phase == MP_KR_PHASE_1 || k->phase == MP_KR_PHASE_2;
	int err = mp_subnet_init(s, k->index, refresh ? k->old_key : k->key);

	if (!err && refresh)
		err = mp_subnet_kr_start(s, k->key);
	if (!err && k->phase == MP_KR_PHASE_2)
		err = mp_subnet_kr_use_new(s);
	return err;
}

/* The stack's subnet @ms brought from its phase to the keyring's @k, one
 * allowed step at a time; a phase that went back (a keyring replaced under
 * us) or another key is reloaded whole by the caller (-ESTALE). */
static int subnet_follow(struct mp_mesh *m, struct mp_subnet *ms, const struct mp_netkey *k)
{
	bool refresh = k->phase == MP_KR_PHASE_1 || k->phase == MP_KR_PHASE_2;
	int err = 0;

	if (ms->phase == MP_KR_NORMAL && refresh) {
		if (!mp_ct_equal(ms->key[0].net_key, k->old_key, 16))
			return -ESTALE;
		err = mp_subnet_kr_start(ms, k->key);
	} else if (ms->phase != MP_KR_NORMAL) {
		if (!mp_ct_equal(ms->key[1].net_key, k->key, 16))
			return -ESTALE;
		if (!refresh)
			err = m ? mp_mesh_kr_finish(m, k->index) : mp_subnet_kr_finish(ms);
		else if (ms->phase == MP_KR_PHASE2 && k->phase == MP_KR_PHASE_1)
			return -ESTALE;
	} else if (!mp_ct_equal(ms->key[0].net_key, k->key, 16)) {
		return -ESTALE;
	}
	if (!err && k->phase == MP_KR_PHASE_2 && ms->phase == MP_KR_PHASE1)
		err = mp_subnet_kr_use_new(ms);
	return err;
}

static int load_subnets(struct mp_mesh_link *l)
{
	size_t i, n = mp_keyring_netkey_count(l->kr);
	int err;

	for (i = 0; i < n && l->nsubnets < LINK_SUBNETS; i++) {
		const struct mp_netkey *k = mp_keyring_netkey_at(l->kr, i);
		struct mp_subnet *s = &l->subnets[l->nsubnets];
		struct mp_subnet *ms;
		bool refresh = k->phase == MP_KR_PHASE_1 || k->phase == MP_KR_PHASE_2;

		err = subnet_of(s, k);
		if (err < 0)
			return err;
		l->nsubnets++;
		err = mp_mesh_subnet_add(l->mesh, k->index, refresh ? k->old_key : k->key);
		if (err < 0)
			return err;
		if (refresh) {
			ms = mp_mesh_subnet(l->mesh, k->index);
			if (!ms)
				return -ENOENT;
			err = mp_subnet_kr_start(ms, k->key);
			if (!err && k->phase == MP_KR_PHASE_2)
				err = mp_subnet_kr_use_new(ms);
			if (err < 0)
				return err;
		}
	}
	return l->nsubnets ? 0 : -EINVAL;
}

int mp_mesh_link_app_key_load(struct mp_mesh_link *l, uint16_t app_idx)
{
	const struct mp_appkey *a;
	int err;

	if (!l)
		return -EINVAL;
	a = mp_keyring_appkey(l->kr, app_idx);
	if (!a)
		return -ENOENT;
	err = mp_mesh_app_key_add(l->mesh, a->index, a->net_index,
				  a->has_old_key ? a->old_key : a->key);
	if (err == -EEXIST)
		return 0;
	if (!err && a->has_old_key)
		err = mp_mesh_app_key_update(l->mesh, a->index, a->key);
	return err;
}

static int load_app_keys(struct mp_mesh_link *l)
{
	size_t i, n = mp_keyring_appkey_count(l->kr);
	int err;

	for (i = 0; i < n; i++) {
		const struct mp_appkey *a = mp_keyring_appkey_at(l->kr, i);

		err = mp_mesh_link_app_key_load(l, a->index);
		/* An AppKey bound to a subnet we did not load is not ours to use. */
		if (err < 0 && err != -ENOENT)
			return err;
	}
	return 0;
}

static void seed_one(void *user, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct mp_mesh_link *l = user;

	mp_mesh_rpl_seed(l->mesh, src, iv_index, seq);
}

/* ---- life ---- */

int mp_mesh_link_new(struct mp_engine *e, struct mp_loop *loop, struct mp_keyring *kr,
		     const struct mp_mesh_link_opts *opts, const struct mp_mesh_link_cb *cb,
		     void *user, struct mp_mesh_link **out)
{
	static const uint8_t snb[1] = { 0x01 }, mpb[1] = { 0x02 };
	struct mp_mesh_config mc = { 0 };
	struct mp_seq_opts so = { 0 };
	struct mp_iv_state ivs;
	struct mp_mesh_link *l;
	unsigned i;
	int err;

	if (out)
		*out = NULL;
	if (!e || !loop || !kr || !cb || !cb->deliver || !out)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->engine = e;
	l->loop = loop;
	l->kr = kr;
	l->cb = *cb;
	l->user = user;
	if (opts)
		l->opts = *opts;
	if (!l->opts.net_transmit)
		l->opts.net_transmit = MP_MESH_LINK_NET_TRANSMIT_DEFAULT;
	l->beacon_reg[0] = l->beacon_reg[1] = -1;
	l->addr = mp_keyring_self_address(kr);
	if (!l->addr || l->addr > 0x7fff) {
		err = -EINVAL;
		goto fail;
	}

	so.block = l->opts.seq_block;
	so.high = seq_high;
	so.user = l;
	err = mp_seq_new(kr, &so, &l->seq);
	if (err < 0)
		goto fail;

	mc.ops = &link_mesh_ops;
	mc.user = l;
	mc.addr = l->addr;
	mc.elements = 1;
	mc.subnets = LINK_SUBNETS;
	mc.app_keys = 64;
	mc.sar_tx = l->opts.sar_tx;
	mc.sar_rx = l->opts.sar_rx;
	l->mesh = mp_mesh_new(&mc);
	if (!l->mesh) {
		err = -errno;
		goto fail;
	}
	l->ntimers = mp_mesh_timer_count(l->mesh);
	l->timers = calloc(l->ntimers ? l->ntimers : 1, sizeof(*l->timers));
	if (!l->timers) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < l->ntimers; i++) {
		l->timers[i].l = l;
		l->timers[i].id = i;
	}

	err = load_subnets(l);
	if (!err)
		err = load_app_keys(l);
	if (err < 0)
		goto fail;

	/* The IV index as saved; the keyring does not keep the time of the
	 * last recovery, so the time of the last change stands for it (the
	 * safe reading, net/iv.h). */
	memset(&ivs, 0, sizeof(ivs));
	ivs.iv_index = mp_keyring_iv_index(kr);
	ivs.iv_update = mp_keyring_iv_update(kr);
	ivs.changed = mp_keyring_iv_changed(kr);
	if (!ivs.changed)
		ivs.changed = link_now_s(l);
	ivs.last_recovery = ivs.changed;
	err = mp_iv_init(&l->iv, &ivs, mp_keyring_netkey(kr, 0) != NULL, &link_iv_cb, l);
	if (!err)
		err = mp_mesh_set_iv(l->mesh, ivs.iv_index, ivs.iv_update);
	if (err < 0)
		goto fail;
	l->iv_ready = true;
	mp_iv_tick(&l->iv, link_now_s(l));

	/* The replay journal beside a keyring file; a keyring in memory
	 * has none (its path is ""): the list lives for the run. */
	if (mp_keyring_path(kr) && mp_keyring_path(kr)[0]) {
		struct mp_rpl_opts ro = { .create = true };

		err = mp_rpl_open(kr, &ro, &l->rpl, NULL);
		if (err < 0)
			goto fail;
		mp_rpl_each(l->rpl, seed_one, l);
	}

	err = mp_engine_net_receive(e, net_heard, l);
	if (err < 0)
		goto fail;
	l->net_rx = true;
	err = mp_engine_ad_register(e, MP_AD_MESH_BEACON, snb, 1, beacon_heard, l);
	if (err < 0)
		goto fail;
	l->beacon_reg[0] = err;
	err = mp_engine_ad_register(e, MP_AD_MESH_BEACON, mpb, 1, beacon_heard, l);
	if (err < 0)
		goto fail;
	l->beacon_reg[1] = err;
	/* Our beacons: the first ones now, then on the interval. */
	err = mp_beacon_tx_init(&l->btx, l->opts.beacon_interval_ms, &link_beacon_cb, l);
	if (err < 0)
		goto fail;
	if (!l->opts.no_beacons) {
		mp_beacon_tx_start(&l->btx);
		beacons_now(l);
	}
	*out = l;
	return 0;
fail:
	mp_mesh_link_free(l);
	return err;
}

void mp_mesh_link_free(struct mp_mesh_link *l)
{
	unsigned i;
	size_t s;

	if (!l)
		return;
	if (l->net_rx)
		mp_engine_net_receive(l->engine, NULL, NULL);
	for (i = 0; i < 2; i++)
		if (l->beacon_reg[i] > 0)
			mp_engine_ad_unregister(l->engine, l->beacon_reg[i]);
	/* The stack first: freeing it cancels its timers through timer(),
	 * which writes their slots in l->timers (a segmented message being
	 * received when the program ends). */
	mp_mesh_free(l->mesh);
	l->mesh = NULL;
	if (l->timers)
		for (i = 0; i < l->ntimers; i++)
			if (l->timers[i].slot)
				mp_loop_timer_cancel(l->loop, l->timers[i].slot);
	if (l->iv_timer)
		mp_loop_timer_cancel(l->loop, l->iv_timer);
	if (l->beacon_timer)
		mp_loop_timer_cancel(l->loop, l->beacon_timer);
	free(l->timers);
	mp_seq_free(l->seq);
	mp_rpl_close(l->rpl);
	for (s = 0; s < l->nsubnets; s++)
		mp_subnet_wipe(&l->subnets[s]);
	mp_wipe(l, sizeof(*l));
	free(l);
}

uint16_t mp_mesh_link_addr(const struct mp_mesh_link *l)
{
	return l ? l->addr : 0;
}

int mp_mesh_link_send(struct mp_mesh_link *l, uint16_t dst, uint16_t net_idx, uint16_t key,
		      const uint8_t *payload, size_t len)
{
	struct mp_mesh_tx tx = {
		.src = l ? l->addr : 0,
		.dst = dst,
		.net_idx = net_idx,
		.key = key,
		.ttl = MP_MESH_TTL_DEFAULT,
		.payload = payload,
		.len = len,
	};

	if (!l || !payload)
		return -EINVAL;
	return mp_mesh_send_access(l->mesh, &tx, NULL);
}

int mp_mesh_link_netkey_sync(struct mp_mesh_link *l, uint16_t net_idx)
{
	const struct mp_netkey *k;
	struct mp_subnet *s = NULL, *ms;
	size_t i;
	int err;

	if (!l)
		return -EINVAL;
	k = mp_keyring_netkey(l->kr, net_idx);
	for (i = 0; i < l->nsubnets && !s; i++)
		if (l->subnets[i].index == net_idx)
			s = &l->subnets[i];
	ms = mp_mesh_subnet(l->mesh, net_idx);
	if (!k || !s || !ms)
		return -ENOENT;
	err = subnet_follow(l->mesh, ms, k);
	if (err == -ESTALE) {
		/* reload it whole: the AppKeys bound to it go with it */
		mp_mesh_subnet_del(l->mesh, net_idx);
		err = mp_mesh_subnet_add(l->mesh, net_idx,
					 k->phase ? k->old_key : k->key);
		ms = err ? NULL : mp_mesh_subnet(l->mesh, net_idx);
		if (ms)
			err = subnet_follow(l->mesh, ms, k);
		if (!err)
			err = load_app_keys(l);
	}
	if (err < 0)
		return err;
	mp_subnet_wipe(s);
	err = subnet_of(s, k);
	if (err < 0)
		return err;
	beacons_now(l);
	return 0;
}

struct mp_mesh *mp_mesh_link_stack(struct mp_mesh_link *l)
{
	return l ? l->mesh : NULL;
}

void mp_mesh_link_iv(const struct mp_mesh_link *l, uint32_t *iv_index, bool *iv_update)
{
	const struct mp_iv_state *s = mp_iv_get(&l->iv);

	if (iv_index)
		*iv_index = s->iv_index;
	if (iv_update)
		*iv_update = s->iv_update;
}

struct mp_mesh_link_stats mp_mesh_link_stats(const struct mp_mesh_link *l)
{
	struct mp_mesh_link_stats st = l->st;

	st.seq_reservations = mp_seq_reservations(l->seq);
	st.seq_held = mp_seq_held(l->seq);
	return st;
}

void mp_mesh_link_print_stats(const struct mp_mesh_link *l, FILE *f, const char *prefix)
{
	struct mp_mesh_link_stats st = mp_mesh_link_stats(l);
	const struct mp_mesh_stats *m = mp_mesh_stats(l->mesh);
	const struct mp_iv_counters *c = &l->iv.cnt;

	if (!prefix)
		prefix = "";
#define P(name, v) fprintf(f, "%s%s %lu\n", prefix, name, (unsigned long)(v))
	P("net-pdus-heard", st.pdus_heard);
	P("net-tx-refused", st.tx_refused);
	P("proxy-pdus-heard", st.proxy_pdus_heard);
	P("beacons-heard", st.beacons_heard);
	P("beacons-sent", st.beacons_sent);
	P("rpl-write-errors", st.rpl_write_errors);
	P("kr-phase-by-beacon", st.kr_phase_by_beacon);
	P("kr-write-errors", st.kr_write_errors);
	P("seq-reservations", st.seq_reservations);
	P("seq-held", st.seq_held);
	P("rx-pdus", m->rx_pdus);
	P("delivered", m->delivered);
	P("tx-pdus", m->tx_pdus);
	P("tx-seq-failed", m->tx_seq_failed);
	P("drop-oversized", m->drop_oversized);
	P("drop-truncated", m->drop_truncated);
	P("drop-iv", m->drop_iv);
	P("drop-unknown-nid", m->drop_unknown_nid);
	P("drop-net-mic", m->drop_net_mic);
	P("drop-bad-header", m->drop_bad_header);
	P("drop-cached", m->drop_cached);
	P("drop-own-src", m->drop_own_src);
	P("drop-not-for-us", m->drop_not_for_us);
	P("drop-malformed", m->drop_malformed);
	P("drop-replay", m->drop_replay);
	P("drop-seg-duplicate", m->drop_seg_duplicate);
	P("drop-seg-stale", m->drop_seg_stale);
	P("drop-seg-contradicts", m->drop_seg_contradicts);
	P("drop-seg-busy", m->drop_seg_busy);
	P("drop-ack-unmatched", m->drop_ack_unmatched);
	P("drop-ctl-unhandled", m->drop_ctl_unhandled);
	P("drop-no-label", m->drop_no_label);
	P("segments-in", m->segments_in);
	P("acks-in", m->acks_in);
	P("tx-acks", m->tx_acks);
	P("drop-no-key", m->drop_no_key);
	P("drop-trans-mic", m->drop_trans_mic);
	P("iv-beacons", c->beacons);
	P("iv-drop-old", c->drop_old);
	P("iv-drop-too-far", c->drop_too_far);
	P("iv-drop-recovery-too-soon", c->drop_recovery_too_soon);
	P("iv-updates-done", c->updates_done);
	P("iv-recoveries", c->recoveries);
	P("beacon-bad-auth", c->bcn_bad_auth);
	P("beacon-unknown-net", c->bcn_unknown_net);
#undef P
}

void mp_mesh_link_set_tx(struct mp_mesh_link *l, mp_mesh_link_tx_fn send, void *user)
{
	l->tx = send;
	l->tx_user = send ? user : NULL;
}

void mp_mesh_link_rx(struct mp_mesh_link *l, const uint8_t *pdu, size_t len)
{
	l->st.proxy_pdus_heard++;
	mp_mesh_rx(l->mesh, pdu, len);
}

int mp_mesh_link_seq_next(struct mp_mesh_link *l, uint32_t *seq)
{
	return mp_seq_next(l->seq, seq);
}

const struct mp_subnet *mp_mesh_link_subnets(const struct mp_mesh_link *l, size_t *n)
{
	*n = l->nsubnets;
	return l->subnets;
}
