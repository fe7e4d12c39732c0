/* The Configuration Server of a simulated node. See include/sim/node_cfg.h.
 *
 * One table {opcode, length, vendor length, handler} says what a server
 * receives (MshPRT v1.1: the opcodes of 4.3.4, the message layouts of 4.3.2);
 * mp_sim_cfg_rx() checks the opcode and the exact length before any handler
 * runs. A handler reads its parameters through the bounded reader, returns
 * -EBADMSG for a prohibited value before it changes anything, then decides
 * the status, changes the state only on Success, and writes the Status.
 */
#include "sim/node_cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/crypto.h"
#include "node_cfg_int.h"

/* SIG models that are secured with the device key: the foundation models
 * but Health (MshPRT v1.1 4.4, and the models of later foundation
 * specifications in the same range). They take no AppKey, publish and
 * subscribe to nothing. */
bool cfg_devkey_model(const struct mp_sim_model *m)
{
	return !m->vendor && m->id < 0x1000 && m->id != 0x0002 && m->id != 0x0003;
}

static bool same_model(const struct mp_sim_model *a, const struct mp_sim_model *b)
{
	return a->vendor == b->vendor && a->id == b->id && (!a->vendor || a->cid == b->cid);
}

static size_t limit(size_t v, size_t cap)
{
	return v ? v : cap;
}

/* ---- the state ---- */

static struct net_key *find_net(struct mp_sim_cfg *cfg, uint16_t idx)
{
	for (size_t i = 0; i < cfg->n_net; i++)
		if (cfg->net[i].idx == idx)
			return &cfg->net[i];
	return NULL;
}

struct app_key *cfg_find_app(struct mp_sim_cfg *cfg, uint16_t idx)
{
	for (size_t i = 0; i < cfg->n_app; i++)
		if (cfg->app[i].idx == idx)
			return &cfg->app[i];
	return NULL;
}

static struct net_key *insert_net(struct mp_sim_cfg *cfg, uint16_t idx)
{
	size_t i = cfg->n_net;

	while (i > 0 && cfg->net[i - 1].idx > idx) {
		cfg->net[i] = cfg->net[i - 1];
		i--;
	}
	cfg->n_net++;
	memset(&cfg->net[i], 0, sizeof(cfg->net[i]));
	cfg->net[i].idx = idx;
	return &cfg->net[i];
}

static struct app_key *insert_app(struct mp_sim_cfg *cfg, uint16_t idx)
{
	size_t i = cfg->n_app;

	while (i > 0 && cfg->app[i - 1].idx > idx) {
		cfg->app[i] = cfg->app[i - 1];
		i--;
	}
	cfg->n_app++;
	memset(&cfg->app[i], 0, sizeof(cfg->app[i]));
	cfg->app[i].idx = idx;
	return &cfg->app[i];
}

/* Unbind @idx from every model; a publication using it stops. */
static void forget_app_idx(struct mp_sim_cfg *cfg, uint16_t idx)
{
	for (size_t e = 0; e < cfg->comp.n_elements; e++) {
		for (size_t k = 0; k < cfg->comp.elements[e].n_models; k++) {
			struct model *m = &cfg->models[e][k];

			for (size_t b = 0; b < m->n_binds; b++) {
				if (m->binds[b] != idx)
					continue;
				memmove(&m->binds[b], &m->binds[b + 1],
					(m->n_binds - b - 1) * sizeof(m->binds[0]));
				m->n_binds--;
				break;
			}
			if (m->pub.addr && m->pub.app_idx == idx)
				memset(&m->pub, 0, sizeof(m->pub));
		}
	}
}

static void delete_app(struct mp_sim_cfg *cfg, struct app_key *ak)
{
	size_t i = (size_t)(ak - cfg->app);

	forget_app_idx(cfg, ak->idx);
	mp_wipe(ak, sizeof(*ak));
	memmove(&cfg->app[i], &cfg->app[i + 1], (cfg->n_app - i - 1) * sizeof(cfg->app[0]));
	cfg->n_app--;
	mp_wipe(&cfg->app[cfg->n_app], sizeof(cfg->app[0]));
}

static void delete_net(struct mp_sim_cfg *cfg, struct net_key *nk)
{
	size_t i = (size_t)(nk - cfg->net);
	size_t a = 0;

	/* The AppKeys bound to a NetKey go with it. MshPRT v1.1 4.4.1 (NetKey Delete) */
	while (a < cfg->n_app) {
		if (cfg->app[a].net_idx == nk->idx)
			delete_app(cfg, &cfg->app[a]);
		else
			a++;
	}
	mp_wipe(nk, sizeof(*nk));
	memmove(&cfg->net[i], &cfg->net[i + 1], (cfg->n_net - i - 1) * sizeof(cfg->net[0]));
	cfg->n_net--;
	mp_wipe(&cfg->net[cfg->n_net], sizeof(cfg->net[0]));
}

/* The element at @addr, or -1. */
int cfg_element_of(const struct mp_sim_cfg *cfg, uint16_t addr)
{
	if (addr < cfg->unicast || addr - cfg->unicast >= (int)cfg->comp.n_elements)
		return -1;
	return addr - cfg->unicast;
}

struct model *cfg_find_model(struct mp_sim_cfg *cfg, int e, const struct mp_sim_model *id)
{
	for (size_t k = 0; k < cfg->comp.elements[e].n_models; k++)
		if (same_model(&cfg->models[e][k].id, id))
			return &cfg->models[e][k];
	return NULL;
}

/* ---- codec helpers ---- */

void cfg_put_op(struct mp_writer *w, uint32_t op)
{
	/* 1- or 2-octet opcodes, first octet first. MshPRT v1.1 3.7.2 */
	if (op < 0x80)
		mp_put_u8(w, (uint8_t)op);
	else
		mp_put_be16(w, (uint16_t)op);
}

void cfg_get_model(struct rx *x, struct mp_sim_model *m)
{
	memset(m, 0, sizeof(*m));
	m->vendor = x->vendor;
	/* A vendor Model ID is the Company ID then the model's own ID, each
	 * little-endian (MshPRT v1.1 4.3.2, Model identifiers). */
	if (x->vendor)
		mp_get_le16(&x->r, &m->cid);
	mp_get_le16(&x->r, &m->id);
}

void cfg_put_model(struct mp_writer *w, const struct mp_sim_model *m)
{
	if (m->vendor)
		mp_put_le16(w, m->cid);
	mp_put_le16(w, m->id);
}

/* Two key indexes in 3 octets: the first in the low 12 bits.
 * MshPRT v1.1 4.3.1.1 */
static void put_idx_pair(struct mp_writer *w, uint16_t a, uint16_t b)
{
	uint32_t v = (uint32_t)(a & KEY_IDX_MASK) | (uint32_t)(b & KEY_IDX_MASK) << 12;

	mp_put_le16(w, (uint16_t)v);
	mp_put_u8(w, (uint8_t)(v >> 16));
}

static void get_idx_pair(struct rx *x, uint16_t *a, uint16_t *b)
{
	uint16_t lo = 0;
	uint8_t hi = 0;
	uint32_t v;

	mp_get_le16(&x->r, &lo);
	mp_get_u8(&x->r, &hi);
	v = (uint32_t)lo | (uint32_t)hi << 16;
	*a = v & KEY_IDX_MASK;
	*b = (uint16_t)(v >> 12);
}

/* A list of key indexes: pairs packed in 3 octets, an odd last one in 2. */
void cfg_put_idx_list(struct mp_writer *w, const uint16_t *idx, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		put_idx_pair(w, idx[i], idx[i + 1]);
	if (i < n)
		mp_put_le16(w, idx[i]);
}

/* A 2-octet key index (checked to fit 12 bits before the handler runs). */
uint16_t cfg_get_key_idx(struct rx *x)
{
	uint16_t v = 0;

	mp_get_le16(&x->r, &v);
	return v;
}

/* ---- Composition Data Get and Status (4.3.2) ---- */

static int h_comp_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint8_t page = 0;

	mp_get_u8(&x->r, &page);
	/* Only page 0 here: asked for any page (0xff the highest), the node
	 * answers with the largest page it has not above it: 0. 4.4.1 */
	cfg_put_op(&x->w, OP_COMP_STATUS);
	mp_put_u8(&x->w, 0);
	mp_put_bytes(&x->w, cfg->page0, cfg->page0_len);
	return 0;
}

/* ---- the one-octet node states: Beacon, Default TTL, GATT Proxy, Friend,
 * Network Transmit: Get, Set and Status of each (4.3.2) ---- */

static int h_beacon(struct mp_sim_cfg *cfg, struct rx *x)
{
	if (x->op == OP_BEACON_SET) {
		uint8_t v = 0;

		mp_get_u8(&x->r, &v);
		if (v > 1)
			return -EBADMSG;	/* 0x02..0xff prohibited (Secure Network Beacon, 4.2) */
		cfg->beacon = v;
	}
	cfg_put_op(&x->w, OP_BEACON_STATUS);
	mp_put_u8(&x->w, cfg->beacon);
	return 0;
}

static int h_ttl(struct mp_sim_cfg *cfg, struct rx *x)
{
	if (x->op == OP_TTL_SET) {
		uint8_t v = 0;

		mp_get_u8(&x->r, &v);
		if (v == 1 || v >= 0x80)
			return -EBADMSG;	/* prohibited (Default TTL, 4.2) */
		cfg->ttl = v;
	}
	cfg_put_op(&x->w, OP_TTL_STATUS);
	mp_put_u8(&x->w, cfg->ttl);
	return 0;
}

/* GATT Proxy and Friend (states of 4.2): 0 or 1 when supported; a Set
 * of a feature the node does not support changes nothing and the Status
 * says 0x02. 4.4.1 */
static int h_feature(struct mp_sim_cfg *cfg, struct rx *x)
{
	bool proxy = x->op == OP_PROXY_GET || x->op == OP_PROXY_SET;
	uint8_t *state = proxy ? &cfg->proxy : &cfg->friend_state;

	if (x->op == OP_PROXY_SET || x->op == OP_FRIEND_SET) {
		uint8_t v = 0;

		mp_get_u8(&x->r, &v);
		if (v > 1)
			return -EBADMSG;
		if (*state != 0x02)
			*state = v;
	}
	cfg_put_op(&x->w, proxy ? OP_PROXY_STATUS : OP_FRIEND_STATUS);
	mp_put_u8(&x->w, *state);
	return 0;
}

static int h_net_tx(struct mp_sim_cfg *cfg, struct rx *x)
{
	if (x->op == OP_NET_TX_SET)
		mp_get_u8(&x->r, &cfg->net_tx);	/* count 3 bits, steps 5 bits: all allowed */
	cfg_put_op(&x->w, OP_NET_TX_STATUS);
	mp_put_u8(&x->w, cfg->net_tx);
	return 0;
}

/* Relay and Relay Retransmit (4.3.2: Config Relay Get, Set, Status). */
static int h_relay(struct mp_sim_cfg *cfg, struct rx *x)
{
	if (x->op == OP_RELAY_SET) {
		uint8_t v = 0, rtx = 0;

		mp_get_u8(&x->r, &v);
		mp_get_u8(&x->r, &rtx);
		if (v > 1)
			return -EBADMSG;	/* the Relay state, 4.2 */
		if (cfg->relay != 0x02) {
			cfg->relay = v;
			cfg->relay_rtx = rtx;
		}
	}
	cfg_put_op(&x->w, OP_RELAY_STATUS);
	mp_put_u8(&x->w, cfg->relay);
	mp_put_u8(&x->w, cfg->relay_rtx);
	return 0;
}

/* ---- NetKeys: Config NetKey Add, Update, Delete, Get (4.3.2) ---- */

static void netkey_status(struct rx *x, uint8_t st, uint16_t idx)
{
	cfg_put_op(&x->w, OP_NETKEY_STATUS);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, idx);
}

static bool keys_exhausted(const struct mp_sim_cfg *cfg)
{
	return cfg->keys_added >= cfg->fail_after;
}

static int h_netkey_add(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx = cfg_get_key_idx(x);
	const uint8_t *key = NULL;
	struct net_key *nk;
	uint8_t st;

	mp_get_ref(&x->r, &key, 16);
	nk = find_net(cfg, idx);
	if (nk) {
		/* The same key again is Success: adding it twice ends in the
		 * same state. 4.4.1 (NetKey Add) */
		st = mp_ct_equal(nk->key, key, 16) ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_KEY_INDEX_STORED;
	} else if (cfg->n_net >= cfg->lim.net_keys || keys_exhausted(cfg)) {
		st = MP_SIM_CFG_INSUFFICIENT_RESOURCES;
	} else {
		nk = insert_net(cfg, idx);
		memcpy(nk->key, key, 16);
		nk->identity = cfg->proxy == 0x02 ? 0x02 : 0x00;
		cfg->keys_added++;
		st = MP_SIM_CFG_SUCCESS;
	}
	netkey_status(x, st, idx);
	return 0;
}

static int h_netkey_update(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx = cfg_get_key_idx(x);
	const uint8_t *key = NULL;
	struct net_key *nk;
	uint8_t st;

	mp_get_ref(&x->r, &key, 16);
	nk = find_net(cfg, idx);
	if (!nk) {
		st = MP_SIM_CFG_INVALID_NETKEY;
	} else if (nk->phase == 0) {
		/* The update starts the Key Refresh procedure: Phase 1 (the Key Refresh procedure). */
		memcpy(nk->new_key, key, 16);
		nk->phase = 1;
		st = MP_SIM_CFG_SUCCESS;
	} else if (nk->phase == 1) {
		st = mp_ct_equal(nk->new_key, key, 16) ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_KEY_INDEX_STORED;
	} else {
		st = MP_SIM_CFG_CANNOT_UPDATE;
	}
	netkey_status(x, st, idx);
	return 0;
}

static int h_netkey_delete(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx = cfg_get_key_idx(x);
	struct net_key *nk = find_net(cfg, idx);
	uint8_t st = MP_SIM_CFG_SUCCESS;

	/* Deleting an absent key is Success; the key the message came under,
	 * and the last one, cannot go. 4.4.1 (NetKey Delete) */
	if (idx == x->net_idx || (nk && cfg->n_net == 1))
		st = MP_SIM_CFG_CANNOT_REMOVE;
	else if (nk)
		delete_net(cfg, nk);
	netkey_status(x, st, idx);
	return 0;
}

static int h_netkey_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx[MP_SIM_CFG_MAX_NET_KEYS];

	for (size_t i = 0; i < cfg->n_net; i++)
		idx[i] = cfg->net[i].idx;
	cfg_put_op(&x->w, OP_NETKEY_LIST);
	cfg_put_idx_list(&x->w, idx, cfg->n_net);
	return 0;
}

/* ---- AppKeys: Config AppKey Add, Update, Delete, Get (4.3.2) ---- */

static void appkey_status(struct rx *x, uint8_t st, uint16_t net, uint16_t app)
{
	cfg_put_op(&x->w, OP_APPKEY_STATUS);
	mp_put_u8(&x->w, st);
	put_idx_pair(&x->w, net, app);
}

static int h_appkey_add(struct mp_sim_cfg *cfg, struct rx *x)
{
	const uint8_t *key = NULL;
	struct app_key *ak;
	uint16_t net, app;
	uint8_t st;

	get_idx_pair(x, &net, &app);
	mp_get_ref(&x->r, &key, 16);
	ak = cfg_find_app(cfg, app);
	if (!find_net(cfg, net)) {
		st = MP_SIM_CFG_INVALID_NETKEY;
	} else if (ak) {
		/* Same key under the same NetKey: Success, the state is what the
		 * first Add made it; the index under another NetKey: Invalid
		 * Binding; another key: Key Index Already Stored. 4.4.1 */
		if (ak->net_idx != net)
			st = MP_SIM_CFG_INVALID_BINDING;
		else
			st = mp_ct_equal(ak->key, key, 16) ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_KEY_INDEX_STORED;
	} else if (cfg->n_app >= cfg->lim.app_keys || keys_exhausted(cfg)) {
		st = MP_SIM_CFG_INSUFFICIENT_RESOURCES;
	} else {
		ak = insert_app(cfg, app);
		ak->net_idx = net;
		memcpy(ak->key, key, 16);
		cfg->keys_added++;
		st = MP_SIM_CFG_SUCCESS;
	}
	appkey_status(x, st, net, app);
	return 0;
}

static int h_appkey_update(struct mp_sim_cfg *cfg, struct rx *x)
{
	const uint8_t *key = NULL;
	struct net_key *nk;
	struct app_key *ak;
	uint16_t net, app;
	uint8_t st;

	get_idx_pair(x, &net, &app);
	mp_get_ref(&x->r, &key, 16);
	nk = find_net(cfg, net);
	ak = cfg_find_app(cfg, app);
	if (!nk)
		st = MP_SIM_CFG_INVALID_NETKEY;
	else if (!ak)
		st = MP_SIM_CFG_INVALID_APPKEY;
	else if (ak->net_idx != net)
		st = MP_SIM_CFG_INVALID_BINDING;
	else if (nk->phase != 1)
		st = MP_SIM_CFG_CANNOT_UPDATE;	/* AppKeys change in Phase 1 only (Key Refresh procedure) */
	else if (ak->updated)
		st = mp_ct_equal(ak->new_key, key, 16) ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_KEY_INDEX_STORED;
	else {
		memcpy(ak->new_key, key, 16);
		ak->updated = true;
		st = MP_SIM_CFG_SUCCESS;
	}
	appkey_status(x, st, net, app);
	return 0;
}

static int h_appkey_delete(struct mp_sim_cfg *cfg, struct rx *x)
{
	struct app_key *ak;
	uint16_t net, app;
	uint8_t st = MP_SIM_CFG_SUCCESS;

	get_idx_pair(x, &net, &app);
	ak = cfg_find_app(cfg, app);
	if (!find_net(cfg, net))
		st = MP_SIM_CFG_INVALID_NETKEY;
	else if (ak && ak->net_idx != net)
		st = MP_SIM_CFG_INVALID_BINDING;
	else if (ak)
		delete_app(cfg, ak);	/* an absent one: Success all the same */
	appkey_status(x, st, net, app);
	return 0;
}

static int h_appkey_get(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t net = cfg_get_key_idx(x), idx[MP_SIM_CFG_MAX_APP_KEYS];
	size_t n = 0;

	cfg_put_op(&x->w, OP_APPKEY_LIST);
	if (!find_net(cfg, net)) {
		mp_put_u8(&x->w, MP_SIM_CFG_INVALID_NETKEY);
		mp_put_le16(&x->w, net);
		return 0;
	}
	for (size_t i = 0; i < cfg->n_app; i++)
		if (cfg->app[i].net_idx == net)
			idx[n++] = cfg->app[i].idx;
	mp_put_u8(&x->w, MP_SIM_CFG_SUCCESS);
	mp_put_le16(&x->w, net);
	cfg_put_idx_list(&x->w, idx, n);
	return 0;
}

/* ---- Node Identity, Key Refresh Phase (4.3.2) ---- */

static int h_identity(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx = cfg_get_key_idx(x);
	struct net_key *nk = find_net(cfg, idx);
	uint8_t v = 0;

	if (x->op == OP_IDENTITY_SET) {
		mp_get_u8(&x->r, &v);
		if (v > 1)
			return -EBADMSG;	/* the Node Identity state, 4.2 */
		if (nk && nk->identity != 0x02)
			nk->identity = v;
	}
	cfg_put_op(&x->w, OP_IDENTITY_STATUS);
	mp_put_u8(&x->w, nk ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_INVALID_NETKEY);
	mp_put_le16(&x->w, idx);
	mp_put_u8(&x->w, nk ? nk->identity : 0);
	return 0;
}

static void finish_refresh(struct mp_sim_cfg *cfg, struct net_key *nk)
{
	/* Revoking the old keys: the new ones become the only ones, Phase 0 (Key Refresh procedure). */
	memcpy(nk->key, nk->new_key, 16);
	mp_wipe(nk->new_key, 16);
	nk->phase = 0;
	for (size_t i = 0; i < cfg->n_app; i++) {
		struct app_key *ak = &cfg->app[i];

		if (ak->net_idx != nk->idx || !ak->updated)
			continue;
		memcpy(ak->key, ak->new_key, 16);
		mp_wipe(ak->new_key, 16);
		ak->updated = false;
	}
}

static int h_krp(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t idx = cfg_get_key_idx(x);
	struct net_key *nk = find_net(cfg, idx);

	if (x->op == OP_KRP_SET) {
		uint8_t t = 0;

		mp_get_u8(&x->r, &t);
		if (t != 2 && t != 3)
			return -EBADMSG;	/* only transitions 2 and 3 exist (Key Refresh Phase, 4.2) */
		/* The transitions of the Key Refresh Phase state (4.2): from Phase 1, 2 moves to Phase 2
		 * and 3 revokes the old keys; from Phase 2, 3 revokes; the
		 * phase a node is in (2 in Phase 2, 3 in Phase 0) changes
		 * nothing. Phase 0 with 2 is no transition the table allows:
		 * not understood. */
		if (nk && nk->phase == 0 && t == 2)
			return -EBADMSG;
		if (nk && nk->phase == 1 && t == 2)
			nk->phase = 2;
		else if (nk && nk->phase != 0 && t == 3)
			finish_refresh(cfg, nk);
	}
	cfg_put_op(&x->w, OP_KRP_STATUS);
	mp_put_u8(&x->w, nk ? MP_SIM_CFG_SUCCESS : MP_SIM_CFG_INVALID_NETKEY);
	mp_put_le16(&x->w, idx);
	mp_put_u8(&x->w, nk ? nk->phase : 0);
	return 0;
}

int mp_sim_cfg_kr_beacon(struct mp_sim_cfg *cfg, uint16_t idx, bool key_refresh)
{
	struct net_key *nk = cfg ? find_net(cfg, idx) : NULL;

	if (!nk)
		return -ENOENT;
	/* The same two moves as transitions 2 and 3 of Key Refresh Phase
	 * Set (h_krp), made by a beacon under the new key (MshPRT v1.1
	 * 3.11.4.2, 3.11.4.3): the flag set in Phase 1 moves to Phase 2, the
	 * flag clear in Phase 1 or 2 revokes the old keys. */
	if (key_refresh && nk->phase == 1) {
		nk->phase = 2;
		return 1;
	}
	if (!key_refresh && nk->phase != 0) {
		finish_refresh(cfg, nk);
		return 1;
	}
	return 0;
}

/* ---- Heartbeat Publication and Subscription (4.3.2) ---- */

static void hb_pub_status(struct rx *x, uint8_t st, uint16_t dst, uint8_t cl, uint8_t pl,
			  uint8_t ttl, uint16_t feat, uint16_t net)
{
	cfg_put_op(&x->w, OP_HB_PUB_STATUS);
	mp_put_u8(&x->w, st);
	mp_put_le16(&x->w, dst);
	mp_put_u8(&x->w, cl);
	mp_put_u8(&x->w, pl);
	mp_put_u8(&x->w, ttl);
	mp_put_le16(&x->w, feat);
	mp_put_le16(&x->w, net);
}

static int h_hb_pub(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t dst = 0, feat = 0, net;
	uint8_t cl = 0, pl = 0, ttl = 0;

	if (x->op == OP_HB_PUB_SET) {
		mp_get_le16(&x->r, &dst);
		mp_get_u8(&x->r, &cl);
		mp_get_u8(&x->r, &pl);
		mp_get_u8(&x->r, &ttl);
		mp_get_le16(&x->r, &feat);
		net = cfg_get_key_idx(x);
		/* Prohibited: CountLog 0x12..0xfe, PeriodLog 0x12..0xff, TTL
		 * 0x80..0xff, a virtual Destination (Heartbeat Publication, 4.2). */
		if ((cl >= 0x12 && cl != 0xff) || pl >= 0x12 || ttl >= 0x80 || is_virtual(dst))
			return -EBADMSG;
		feat &= 0x000f;		/* bits 4-15 RFU */
		if (!find_net(cfg, net)) {
			hb_pub_status(x, MP_SIM_CFG_INVALID_NETKEY, dst, cl, pl, ttl, feat, net);
			return 0;
		}
		if (!dst)
			cl = pl = ttl = 0;	/* unassigned: no heartbeats, nothing to count */
		cfg->hb_pub.dst = dst;
		cfg->hb_pub.count_log = cl;
		cfg->hb_pub.period_log = pl;
		cfg->hb_pub.ttl = ttl;
		cfg->hb_pub.features = feat;
		cfg->hb_pub.net_idx = net;
	}
	hb_pub_status(x, MP_SIM_CFG_SUCCESS, cfg->hb_pub.dst, cfg->hb_pub.count_log,
		      cfg->hb_pub.period_log, cfg->hb_pub.ttl, cfg->hb_pub.features,
		      cfg->hb_pub.net_idx);
	return 0;
}

static int h_hb_sub(struct mp_sim_cfg *cfg, struct rx *x)
{
	if (x->op == OP_HB_SUB_SET) {
		uint16_t src = 0, dst = 0;
		uint8_t pl = 0;

		mp_get_le16(&x->r, &src);
		mp_get_le16(&x->r, &dst);
		mp_get_u8(&x->r, &pl);
		/* Source: unassigned or unicast; Destination: unassigned, the
		 * primary element, or a group; PeriodLog up to 0x11 (Heartbeat
		 * Subscription, 4.2). */
		if (pl >= 0x12 || (src && !is_unicast(src)) || is_virtual(dst) ||
		    (is_unicast(dst) && dst != cfg->unicast))
			return -EBADMSG;
		if (!src || !dst) {
			memset(&cfg->hb_sub, 0, sizeof(cfg->hb_sub));
		} else if (!pl && src == cfg->hb_sub.src && dst == cfg->hb_sub.dst) {
			cfg->hb_sub.period_log = 0;	/* stopped; what was gathered stays */
		} else {
			cfg->hb_sub.src = src;
			cfg->hb_sub.dst = dst;
			cfg->hb_sub.period_log = pl;
			cfg->hb_sub.count_log = 0;
			cfg->hb_sub.min_hops = 0x7f;
			cfg->hb_sub.max_hops = 0;
		}
	}
	cfg_put_op(&x->w, OP_HB_SUB_STATUS);
	mp_put_u8(&x->w, MP_SIM_CFG_SUCCESS);
	mp_put_le16(&x->w, cfg->hb_sub.src);
	mp_put_le16(&x->w, cfg->hb_sub.dst);
	mp_put_u8(&x->w, cfg->hb_sub.period_log);
	mp_put_u8(&x->w, cfg->hb_sub.count_log);
	mp_put_u8(&x->w, cfg->hb_sub.min_hops);
	mp_put_u8(&x->w, cfg->hb_sub.max_hops);
	return 0;
}

/* ---- Low Power node PollTimeout, Node Reset (4.3.2) ---- */

static int h_lpn_timeout(struct mp_sim_cfg *cfg, struct rx *x)
{
	uint16_t lpn = 0;

	(void)cfg;
	mp_get_le16(&x->r, &lpn);
	if (!is_unicast(lpn))
		return -EBADMSG;
	/* This node is nobody's Friend: PollTimeout 0. */
	cfg_put_op(&x->w, OP_LPN_TIMEOUT_STATUS);
	mp_put_le16(&x->w, lpn);
	mp_put_le16(&x->w, 0);
	mp_put_u8(&x->w, 0);
	return 0;
}

static int h_node_reset(struct mp_sim_cfg *cfg, struct rx *x)
{
	cfg->reset = true;
	cfg_put_op(&x->w, OP_NODE_RESET_STATUS);
	return 0;
}

/* ---- dispatch ---- */

struct handler {
	uint32_t op;
	uint8_t len;		/* parameters, SIG model or only form */
	uint8_t vlen;		/* parameters with a vendor model, or 0 */
	uint8_t flags;
	uint8_t key_at;		/* KEY_AT: offset of a 2-octet key index */
	int (*fn)(struct mp_sim_cfg *cfg, struct rx *x);
};

#define ELEM 0x01	/* an ElementAddress first */
#define KEY_AT 0x02	/* a 2-octet key index at key_at */

/* What a Configuration Server receives, the exact parameter lengths of
 * 4.3.2, and the fields checked before any handler runs: an
 * ElementAddress must be a unicast address and a 2-octet key index must
 * fit its 12 bits (4.3.1.1), or the message is not understood. */
static const struct handler handlers[] = {
	{ OP_APPKEY_ADD, 19, 0, 0, 0, h_appkey_add },
	{ OP_APPKEY_UPDATE, 19, 0, 0, 0, h_appkey_update },
	{ OP_PUB_SET, 11, 13, ELEM, 0, cfg_h_pub_set },
	{ OP_APPKEY_DELETE, 3, 0, 0, 0, h_appkey_delete },
	{ OP_APPKEY_GET, 2, 0, KEY_AT, 0, h_appkey_get },
	{ OP_COMP_GET, 1, 0, 0, 0, h_comp_get },
	{ OP_BEACON_GET, 0, 0, 0, 0, h_beacon },
	{ OP_BEACON_SET, 1, 0, 0, 0, h_beacon },
	{ OP_TTL_GET, 0, 0, 0, 0, h_ttl },
	{ OP_TTL_SET, 1, 0, 0, 0, h_ttl },
	{ OP_FRIEND_GET, 0, 0, 0, 0, h_feature },
	{ OP_FRIEND_SET, 1, 0, 0, 0, h_feature },
	{ OP_PROXY_GET, 0, 0, 0, 0, h_feature },
	{ OP_PROXY_SET, 1, 0, 0, 0, h_feature },
	{ OP_KRP_GET, 2, 0, KEY_AT, 0, h_krp },
	{ OP_KRP_SET, 3, 0, KEY_AT, 0, h_krp },
	{ OP_PUB_GET, 4, 6, ELEM, 0, cfg_h_pub_get },
	{ OP_PUB_VIRT_SET, 25, 27, ELEM, 0, cfg_h_pub_set },
	{ OP_SUB_ADD, 6, 8, ELEM, 0, cfg_h_sub },
	{ OP_SUB_DELETE, 6, 8, ELEM, 0, cfg_h_sub },
	{ OP_SUB_DELETE_ALL, 4, 6, ELEM, 0, cfg_h_sub_delete_all },
	{ OP_SUB_OVERWRITE, 6, 8, ELEM, 0, cfg_h_sub },
	{ OP_SUB_VIRT_ADD, 20, 22, ELEM, 0, cfg_h_sub },
	{ OP_SUB_VIRT_DELETE, 20, 22, ELEM, 0, cfg_h_sub },
	{ OP_SUB_VIRT_OVERWRITE, 20, 22, ELEM, 0, cfg_h_sub },
	{ OP_NET_TX_GET, 0, 0, 0, 0, h_net_tx },
	{ OP_NET_TX_SET, 1, 0, 0, 0, h_net_tx },
	{ OP_RELAY_GET, 0, 0, 0, 0, h_relay },
	{ OP_RELAY_SET, 2, 0, 0, 0, h_relay },
	{ OP_SUB_GET, 4, 0, ELEM, 0, cfg_h_sub_get },
	{ OP_VND_SUB_GET, 6, 0, ELEM, 0, cfg_h_sub_get },
	{ OP_LPN_TIMEOUT_GET, 2, 0, 0, 0, h_lpn_timeout },
	{ OP_HB_PUB_GET, 0, 0, 0, 0, h_hb_pub },
	{ OP_HB_PUB_SET, 9, 0, KEY_AT, 7, h_hb_pub },
	{ OP_HB_SUB_GET, 0, 0, 0, 0, h_hb_sub },
	{ OP_HB_SUB_SET, 5, 0, 0, 0, h_hb_sub },
	{ OP_APP_BIND, 6, 8, ELEM|KEY_AT, 2, cfg_h_app_bind },
	{ OP_APP_UNBIND, 6, 8, ELEM|KEY_AT, 2, cfg_h_app_bind },
	{ OP_NETKEY_ADD, 18, 0, KEY_AT, 0, h_netkey_add },
	{ OP_NETKEY_DELETE, 2, 0, KEY_AT, 0, h_netkey_delete },
	{ OP_NETKEY_GET, 0, 0, 0, 0, h_netkey_get },
	{ OP_NETKEY_UPDATE, 18, 0, KEY_AT, 0, h_netkey_update },
	{ OP_IDENTITY_GET, 2, 0, KEY_AT, 0, h_identity },
	{ OP_IDENTITY_SET, 3, 0, KEY_AT, 0, h_identity },
	{ OP_NODE_RESET, 0, 0, 0, 0, h_node_reset },
	{ OP_APP_GET, 4, 0, ELEM, 0, cfg_h_app_get },
	{ OP_VND_APP_GET, 6, 0, ELEM, 0, cfg_h_app_get },
};

static bool muted(const struct mp_sim_cfg *cfg, uint32_t op)
{
	if (cfg->mute_all)
		return true;
	for (size_t i = 0; i < cfg->n_muted; i++)
		if (cfg->muted[i] == op)
			return true;
	return false;
}

int mp_sim_cfg_rx(struct mp_sim_cfg *cfg, uint16_t src, uint16_t net_idx, const uint8_t *msg,
		  size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	const struct handler *h = NULL;
	struct rx x;
	size_t plen;
	uint32_t op;
	int err;

	(void)src;
	if (!cfg || (!msg && len) || !out_len || (!out && cap))
		return -EINVAL;
	*out_len = 0;
	if (cfg->reset)
		return -ESHUTDOWN;
	if (!len)
		return -EBADMSG;
	/* The opcode: 0x7f is RFU; 2 octets start 10, 3 (vendor) 11 (3.7.2) */
	if (msg[0] == 0x7f)
		return -EBADMSG;
	if (msg[0] < 0x80) {
		op = msg[0];
		plen = len - 1;
	} else if ((msg[0] & 0xc0) == 0x80) {
		if (len < 2)
			return -EBADMSG;
		op = mp_be16(msg);
		plen = len - 2;
	} else {
		return -ENOENT;	/* vendor opcodes are no Config message */
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].op == op)
			h = &handlers[i];
	if (!h)
		return -ENOENT;
	if (muted(cfg, op))
		return 0;
	if (plen != h->len && (!h->vlen || plen != h->vlen))
		return -EBADMSG;

	if ((h->flags & ELEM) && !is_unicast(mp_le16(msg + (len - plen))))
		return -EBADMSG;
	if ((h->flags & KEY_AT) && mp_le16(msg + (len - plen) + h->key_at) > KEY_IDX_MASK)
		return -EBADMSG;

	memset(&x, 0, sizeof(x));
	x.op = op;
	x.net_idx = net_idx;
	x.vendor = h->vlen && plen == h->vlen;
	mp_reader_init(&x.r, msg + (len - plen), plen);
	mp_writer_init(&x.w, out, cap);
	err = h->fn(cfg, &x);
	if (err)
		return err;
	if (!mp_writer_ok(&x.w))
		return -EMSGSIZE;
	*out_len = x.w.len;
	return 0;
}

/* ---- creation, misbehaviour, reading ---- */

static int encode_page0(struct mp_sim_cfg *cfg)
{
	const struct mp_sim_comp *c = &cfg->comp;
	struct mp_writer w;

	/* Composition Data page 0 (MshPRT v1.1 4.2, Composition Data): the header, then per
	 * element its Loc, NumS, NumV, the SIG Model IDs, the vendor ones. */
	mp_writer_init(&w, cfg->page0, sizeof(cfg->page0) - 2);	/* opcode and Page */
	mp_put_le16(&w, c->cid);
	mp_put_le16(&w, c->pid);
	mp_put_le16(&w, c->vid);
	mp_put_le16(&w, c->crpl);
	mp_put_le16(&w, c->features);
	for (size_t e = 0; e < c->n_elements; e++) {
		const struct mp_sim_element *el = &c->elements[e];
		uint8_t ns = 0, nv = 0;

		for (size_t k = 0; k < el->n_models; k++) {
			if (el->models[k].vendor)
				nv++;
			else
				ns++;
		}
		mp_put_le16(&w, el->loc);
		mp_put_u8(&w, ns);
		mp_put_u8(&w, nv);
		for (size_t k = 0; k < el->n_models; k++)
			if (!el->models[k].vendor)
				cfg_put_model(&w, &el->models[k]);
		for (size_t k = 0; k < el->n_models; k++)
			if (el->models[k].vendor)
				cfg_put_model(&w, &el->models[k]);
	}
	if (!mp_writer_ok(&w))
		return -EMSGSIZE;
	cfg->page0_len = w.len;
	return 0;
}

static bool has_cfg_server(const struct mp_sim_element *el)
{
	for (size_t k = 0; k < el->n_models; k++)
		if (!el->models[k].vendor && el->models[k].id == 0x0000)
			return true;
	return false;
}

int mp_sim_cfg_new(const struct mp_sim_cfg_params *p, struct mp_sim_cfg **out)
{
	const struct mp_sim_cfg_limits *l;
	struct mp_sim_cfg *cfg;
	struct net_key *nk;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!p || !p->comp)
		return -EINVAL;
	l = &p->limits;
	if (!p->comp->n_elements || p->comp->n_elements > MP_SIM_CFG_MAX_ELEMENTS ||
	    !has_cfg_server(&p->comp->elements[0]) || !is_unicast(p->unicast) ||
	    p->unicast + p->comp->n_elements - 1 >= 0x8000 || p->net_key_index > KEY_IDX_MASK ||
	    l->net_keys > MP_SIM_CFG_MAX_NET_KEYS || l->app_keys > MP_SIM_CFG_MAX_APP_KEYS ||
	    l->subs_per_model > MP_SIM_CFG_MAX_SUBS || l->binds_per_model > MP_SIM_CFG_MAX_BINDS ||
	    p->beacon > 1 || p->relay > 1 || p->proxy > 1 || p->friend_state > 1 ||
	    p->default_ttl == 1 || p->default_ttl >= 0x80)
		return -EINVAL;
	for (size_t e = 0; e < p->comp->n_elements; e++)
		if (p->comp->elements[e].n_models > MP_SIM_CFG_MAX_MODELS)
			return -EINVAL;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->comp = *p->comp;
	err = encode_page0(cfg);
	if (err) {
		free(cfg);
		return err;
	}
	for (size_t e = 0; e < cfg->comp.n_elements; e++)
		for (size_t k = 0; k < cfg->comp.elements[e].n_models; k++)
			cfg->models[e][k].id = cfg->comp.elements[e].models[k];
	cfg->unicast = p->unicast;
	cfg->lim.net_keys = limit(l->net_keys, MP_SIM_CFG_MAX_NET_KEYS);
	cfg->lim.app_keys = limit(l->app_keys, MP_SIM_CFG_MAX_APP_KEYS);
	cfg->lim.subs_per_model = limit(l->subs_per_model, MP_SIM_CFG_MAX_SUBS);
	cfg->lim.binds_per_model = limit(l->binds_per_model, MP_SIM_CFG_MAX_BINDS);
	cfg->ttl = p->default_ttl ? p->default_ttl : 5;
	cfg->beacon = p->beacon;
	cfg->net_tx = p->net_transmit;
	/* A feature the composition does not list is Not Supported (0x02): Relay, GATT Proxy, Friend (4.2). */
	cfg->relay = cfg->comp.features & MP_SIM_FEAT_RELAY ? p->relay : 0x02;
	cfg->relay_rtx = cfg->comp.features & MP_SIM_FEAT_RELAY ? p->relay_retransmit : 0;
	cfg->proxy = cfg->comp.features & MP_SIM_FEAT_PROXY ? p->proxy : 0x02;
	cfg->friend_state = cfg->comp.features & MP_SIM_FEAT_FRIEND ? p->friend_state : 0x02;
	nk = insert_net(cfg, p->net_key_index);
	memcpy(nk->key, p->net_key, 16);
	nk->identity = cfg->proxy == 0x02 ? 0x02 : 0x00;
	cfg->fail_after = SIZE_MAX;
	*out = cfg;
	return 0;
}

void mp_sim_cfg_free(struct mp_sim_cfg *cfg)
{
	if (!cfg)
		return;
	mp_wipe(cfg, sizeof(*cfg));
	free(cfg);
}

void mp_sim_cfg_fail_keys_after(struct mp_sim_cfg *cfg, size_t n)
{
	cfg->fail_after = n;
	cfg->keys_added = 0;
}

int mp_sim_cfg_mute(struct mp_sim_cfg *cfg, uint32_t opcode)
{
	if (opcode == 0xffffffff) {
		cfg->mute_all = true;
		return 0;
	}
	if (cfg->n_muted >= MP_SIM_CFG_MAX_MUTED)
		return -ENOSPC;
	cfg->muted[cfg->n_muted++] = opcode;
	return 0;
}

void mp_sim_cfg_unmute_all(struct mp_sim_cfg *cfg)
{
	cfg->n_muted = 0;
	cfg->mute_all = false;
}

bool mp_sim_cfg_is_reset(const struct mp_sim_cfg *cfg)
{
	return cfg->reset;
}

uint16_t mp_sim_cfg_unicast(const struct mp_sim_cfg *cfg)
{
	return cfg->unicast;
}

uint8_t mp_sim_cfg_default_ttl(const struct mp_sim_cfg *cfg)
{
	return cfg->ttl;
}

size_t mp_sim_cfg_net_key_count(const struct mp_sim_cfg *cfg)
{
	return cfg->n_net;
}

size_t mp_sim_cfg_app_key_count(const struct mp_sim_cfg *cfg)
{
	return cfg->n_app;
}

int mp_sim_cfg_net_key(const struct mp_sim_cfg *cfg, uint16_t idx, uint8_t key[16],
		       uint8_t new_key[16], uint8_t *phase)
{
	const struct net_key *nk = find_net((struct mp_sim_cfg *)cfg, idx);

	if (!nk)
		return -ENOENT;
	if (key)
		memcpy(key, nk->key, 16);
	if (new_key)
		memcpy(new_key, nk->phase ? nk->new_key : nk->key, 16);
	if (phase)
		*phase = nk->phase;
	return 0;
}

int mp_sim_cfg_app_key(const struct mp_sim_cfg *cfg, uint16_t idx, uint8_t key[16],
		       uint8_t new_key[16], uint16_t *net_idx)
{
	const struct app_key *ak = cfg_find_app((struct mp_sim_cfg *)cfg, idx);

	if (!ak)
		return -ENOENT;
	if (key)
		memcpy(key, ak->key, 16);
	if (new_key)
		memcpy(new_key, ak->updated ? ak->new_key : ak->key, 16);
	if (net_idx)
		*net_idx = ak->net_idx;
	return 0;
}

size_t mp_sim_cfg_net_key_list(const struct mp_sim_cfg *cfg, uint16_t *out, size_t max)
{
	for (size_t i = 0; i < cfg->n_net && i < max; i++)
		out[i] = cfg->net[i].idx;
	return cfg->n_net;
}

size_t mp_sim_cfg_app_key_list(const struct mp_sim_cfg *cfg, uint16_t *out, size_t max)
{
	for (size_t i = 0; i < cfg->n_app && i < max; i++)
		out[i] = cfg->app[i].idx;
	return cfg->n_app;
}

/* Add @label to the @n labels found so far unless it is there already. */
static size_t add_label(const uint8_t *label, uint8_t (*out)[16], size_t max, size_t n,
			const uint8_t (*seen)[16])
{
	for (size_t i = 0; i < n && i < max; i++)
		if (!memcmp(seen[i], label, 16))
			return n;
	if (n < max)
		memcpy(out[n], label, 16);
	return n + 1;
}

size_t mp_sim_cfg_labels(const struct mp_sim_cfg *cfg, uint16_t addr, uint8_t (*out)[16],
			 size_t max)
{
	size_t n = 0;

	for (size_t e = 0; e < cfg->comp.n_elements; e++) {
		for (size_t k = 0; k < cfg->comp.elements[e].n_models; k++) {
			const struct model *m = &cfg->models[e][k];

			for (size_t i = 0; i < m->n_subs; i++)
				if (m->subs[i].virt && m->subs[i].addr == addr)
					n = add_label(m->subs[i].label, out, max, n,
						      (const uint8_t (*)[16])out);
			if (m->pub.virt && m->pub.addr == addr)
				n = add_label(m->pub.label, out, max, n, (const uint8_t (*)[16])out);
		}
	}
	return n;
}

static const struct model *model_at(const struct mp_sim_cfg *cfg, uint16_t elem,
				    const struct mp_sim_model *m)
{
	int e = cfg_element_of(cfg, elem);

	return e < 0 ? NULL : cfg_find_model((struct mp_sim_cfg *)cfg, e, m);
}

uint8_t mp_sim_cfg_gatt_proxy(const struct mp_sim_cfg *cfg)
{
	return cfg->proxy;
}

uint8_t mp_sim_cfg_net_transmit(const struct mp_sim_cfg *cfg)
{
	return cfg->net_tx;
}

bool mp_sim_cfg_bound(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
		      const struct mp_sim_model *m, uint16_t app_idx)
{
	const struct model *mod = model_at(cfg, elem_addr, m);

	for (size_t b = 0; mod && b < mod->n_binds; b++)
		if (mod->binds[b] == app_idx)
			return true;
	return false;
}

bool mp_sim_cfg_subscribed(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
			   const struct mp_sim_model *m, uint16_t addr)
{
	const struct model *mod = model_at(cfg, elem_addr, m);

	for (size_t i = 0; mod && i < mod->n_subs; i++)
		if (mod->subs[i].addr == addr)
			return true;
	return false;
}

size_t mp_sim_cfg_sub_list(const struct mp_sim_cfg *cfg, struct mp_sim_sub *out, size_t max)
{
	size_t n = 0;

	for (size_t e = 0; e < cfg->comp.n_elements; e++) {
		for (size_t k = 0; k < cfg->comp.elements[e].n_models; k++) {
			const struct model *m = &cfg->models[e][k];

			for (size_t i = 0; i < m->n_subs; i++) {
				const struct sub *s = &m->subs[i];
				size_t lim = n < max ? n : max, j;

				/* past @max the count may hold duplicates: enough
				 * for the caller to see it needs more room */
				for (j = 0; j < lim; j++)
					if (out[j].addr == s->addr && out[j].virt == s->virt &&
					    (!s->virt || !memcmp(out[j].label, s->label, 16)))
						break;
				if (j < lim)
					continue;
				if (n < max) {
					out[n].addr = s->addr;
					out[n].virt = s->virt;
					memcpy(out[n].label, s->label, 16);
				}
				n++;
			}
		}
	}
	return n;
}

int mp_sim_cfg_publication(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
			   const struct mp_sim_model *m, struct mp_sim_pub *out)
{
	const struct model *mod = model_at(cfg, elem_addr, m);

	if (!mod)
		return -ENOENT;
	*out = mod->pub;
	return 0;
}

int mp_sim_virtual_addr(const uint8_t label[16], uint16_t *addr)
{
	static const uint8_t vtad[4] = { 'v', 't', 'a', 'd' };
	uint8_t salt[16], mac[16];
	int err;

	/* MshPRT v1.1 3.4.2.3: hash = AES-CMAC_SALT(Label UUID) mod 2^14,
	 * SALT = s1("vtad"); the address is 0b10 || hash. */
	err = mp_s1(vtad, sizeof(vtad), salt);
	if (!err)
		err = mp_aes_cmac(salt, label, 16, mac);
	if (err)
		return err;
	*addr = (uint16_t)(0x8000 | ((mac[14] << 8 | mac[15]) & 0x3fff));
	return 0;
}
