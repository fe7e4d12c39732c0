/* The mesh stack: net/ and transport/ composed (include/mesh/stack.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mesh_keys.h"
#include "mesh/stack.h"
#include "net/net.h"
#include "transport/lower.h"
#include "transport/sar.h"
#include "transport/upper.h"

#define RPL_SIZE 0x8000		/* indexed by unicast address 0x0001..0x7fff */
#define SEQ_AUTH_WINDOW 8192	/* a segment's SEQ is below SeqAuth + 8192 (3.5.3) */

/* Replay list entry flags. */
#define RPL_SEQ 0x01		/* seq holds the last unsegmented SEQ */
#define RPL_SEQ_AUTH 0x02	/* seq_auth holds the last segmented SeqAuth */

/* One source's replay protection, and where its last segment came from (for
 * the Segment Acknowledgments the SAR receiver sends back to it). */
struct rpl_entry {
	uint32_t iv;
	uint32_t seq;
	uint32_t seq_auth;
	uint16_t seg_net_idx;
	uint8_t seg_ttl;
	uint8_t flags;
};

struct app_key {
	bool used;
	bool has_new;
	uint16_t app_idx;
	uint16_t net_idx;
	uint8_t aid[2];
	uint8_t key[2][16];	/* [0] current (old), [1] new during a key refresh */
};

struct sub {
	bool used;
	bool virt;
	uint16_t addr;
	uint8_t label[16];
};

/* A segmented message out: what the SAR transmitter does not know. */
struct txm {
	bool used;
	uint16_t dst;
	uint16_t src;
	uint16_t net_idx;
	uint32_t seq_auth;
};

struct mp_mesh {
	struct mp_mesh_ops ops;
	void *user;
	uint16_t addr, elements;
	uint8_t default_ttl;
	uint32_t iv_index;
	bool iv_update;

	struct mp_subnet *subnets;
	size_t n_subnets, cap_subnets;
	struct app_key *apps;
	size_t cap_apps;
	struct sub *subs;
	size_t cap_subs;
	struct mp_net_cache_entry *cache_e;
	struct mp_net_cache cache;
	struct rpl_entry *rpl;

	struct mp_sar_tx *tx;
	struct mp_sar_rx *rx;
	unsigned tx_slots, rx_slots;
	struct txm *txm;
	/* the SEQ taken for SeqAuth, used by the first segment's send() */
	bool first_seq_pending;
	uint32_t first_seq;

	struct mp_mesh_stats st;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static bool own(const struct mp_mesh *m, uint16_t a)
{
	return a >= m->addr && a - m->addr < m->elements;
}

static uint32_t tx_iv(const struct mp_mesh *m)
{
	return m->iv_update ? m->iv_index - 1 : m->iv_index;
}

static struct mp_subnet *subnet_find(const struct mp_mesh *m, uint16_t net_idx)
{
	size_t i;

	for (i = 0; i < m->n_subnets; i++)
		if (m->subnets[i].index == net_idx)
			return &m->subnets[i];
	return NULL;
}

static struct app_key *app_find(const struct mp_mesh *m, uint16_t app_idx)
{
	size_t i;

	for (i = 0; i < m->cap_apps; i++)
		if (m->apps[i].used && m->apps[i].app_idx == app_idx)
			return &m->apps[i];
	return NULL;
}

static struct sub *sub_find(const struct mp_mesh *m, uint16_t addr, const uint8_t *label)
{
	size_t i;

	for (i = 0; i < m->cap_subs; i++) {
		const struct sub *s = &m->subs[i];

		if (!s->used || s->addr != addr)
			continue;
		if (label && (!s->virt || memcmp(s->label, label, 16)))
			continue;
		return &m->subs[i];
	}
	return NULL;
}

static struct txm *txm_find(const struct mp_mesh *m, uint16_t dst)
{
	unsigned i;

	for (i = 0; i < m->tx_slots; i++)
		if (m->txm[i].used && m->txm[i].dst == dst)
			return &m->txm[i];
	return NULL;
}

/* Whether a message to @dst is for us: an own element, the all-nodes
 * address, a subscribed group or virtual address (3.4.2.4; meshprov has no
 * relay, proxy or friend feature, so the other fixed groups are not ours). */
static bool for_us(const struct mp_mesh *m, uint16_t dst)
{
	if (mp_addr_is_unicast(dst))
		return own(m, dst);
	if (dst == 0xffff)
		return true;
	return sub_find(m, dst, NULL) != NULL;
}

/* Encode and send one Network PDU under subnet @s. */
static int net_send(struct mp_mesh *m, const struct mp_subnet *s, bool ctl, uint8_t ttl,
		    uint32_t seq, uint16_t src, uint16_t dst, const uint8_t *transport, size_t len)
{
	const struct mp_net_keys *k = mp_subnet_tx_keys(s);
	struct mp_net_hdr h = { .ctl = ctl, .ttl = ttl, .seq = seq, .src = src, .dst = dst };
	uint8_t out[MP_NET_PDU_MAX];
	ssize_t n;

	n = mp_net_encode(&k->flood, tx_iv(m), MP_NET_NETWORK, &h, transport, len, out,
			  sizeof(out));
	if (n < 0)
		return (int)n;
	m->st.tx_pdus++;
	m->ops.send(m->user, s->index, out, (size_t)n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replay protection (3.9.8)                                           */
/* ------------------------------------------------------------------ */

/* Whether a message from @src under @iv with @seq may pass. @seg: @seq is a
 * SeqAuth; @final: the whole message (after reassembly) rather than one of
 * its segments, which must be above the stored SeqAuth, not just at it. */
static bool rpl_ok(const struct mp_mesh *m, uint16_t src, uint32_t iv, uint32_t seq, bool seg,
		   bool final)
{
	const struct rpl_entry *e = &m->rpl[src & 0x7fff];

	if (!e->flags || iv > e->iv)
		return true;
	if (iv < e->iv)
		return false;
	if (!seg)
		return !(e->flags & RPL_SEQ) || seq > e->seq;
	if (!(e->flags & RPL_SEQ_AUTH))
		return true;
	return final ? seq > e->seq_auth : seq >= e->seq_auth;
}

static void rpl_update(struct mp_mesh *m, uint16_t src, uint32_t iv, uint32_t seq, bool seg)
{
	struct rpl_entry *e = &m->rpl[src & 0x7fff];
	uint32_t top;

	if (!e->flags || iv > e->iv) {
		e->iv = iv;
		e->flags = 0;
		e->seq = e->seq_auth = 0;
	}
	if (seg) {
		e->seq_auth = seq;
		e->flags |= RPL_SEQ_AUTH;
	} else {
		e->seq = seq;
		e->flags |= RPL_SEQ;
	}
	top = e->seq > e->seq_auth ? e->seq : e->seq_auth;
	if (m->ops.rpl_update)
		m->ops.rpl_update(m->user, src, iv, top);
}

int mp_mesh_rpl_seed(struct mp_mesh *m, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct rpl_entry *e;

	if (!m || !mp_addr_is_unicast(src) || seq > MP_NET_SEQ_MAX)
		return -EINVAL;
	e = &m->rpl[src];
	e->iv = iv_index;
	e->seq = e->seq_auth = seq;
	e->flags = RPL_SEQ | RPL_SEQ_AUTH;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The SAR machines' ops                                               */
/* ------------------------------------------------------------------ */

static void sar_tx_send(void *user, const struct mp_sar_tx_pdu *p)
{
	struct mp_mesh *m = user;
	struct txm *t = txm_find(m, p->dst);
	const struct mp_subnet *s;
	uint32_t seq;

	if (!t || t->seq_auth != p->seq_auth || !(s = subnet_find(m, t->net_idx))) {
		m->st.tx_seq_failed++;
		return;
	}
	if (m->first_seq_pending && p->seg_o == 0 && !p->retransmission) {
		/* the first segment carries SeqAuth's own SEQ (3.5.3) */
		seq = m->first_seq;
		m->first_seq_pending = false;
	} else if (m->ops.seq_next(m->user, &seq) < 0 || seq > MP_NET_SEQ_MAX ||
		   ((seq - p->seq_auth) & MP_NET_SEQ_MAX) >= SEQ_AUTH_WINDOW) {
		/* a receiver could not find SeqAuth again: the segment stays
		 * unsent and the retransmissions or the timeout take over */
		m->st.tx_seq_failed++;
		return;
	}
	if (net_send(m, s, p->ctl, p->ttl, seq, t->src, p->dst, p->pdu, p->len) < 0)
		m->st.tx_seq_failed++;
}

static void sar_tx_timer(void *user, unsigned id, uint32_t ms)
{
	struct mp_mesh *m = user;

	m->ops.timer(m->user, id, ms);
}

static void sar_tx_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	struct mp_mesh *m = user;
	struct txm *t = txm_find(m, dst);

	if (t)
		memset(t, 0, sizeof(*t));
	if (m->ops.done)
		m->ops.done(m->user, dst, seq_auth, err);
}

static void sar_rx_ack(void *user, uint16_t src, uint16_t dst, const uint8_t *pdu, size_t len)
{
	struct mp_mesh *m = user;
	const struct rpl_entry *e = &m->rpl[dst & 0x7fff];
	const struct mp_subnet *s = subnet_find(m, e->seg_net_idx);
	uint32_t seq;

	/* back under the subnet the segments came on; TTL 0 when they came
	 * with TTL 0, else the Default TTL (3.5.3.4) */
	if (!s || m->ops.seq_next(m->user, &seq) < 0 || seq > MP_NET_SEQ_MAX) {
		m->st.tx_seq_failed++;
		return;
	}
	if (net_send(m, s, true, e->seg_ttl == 0 ? 0 : m->default_ttl, seq, src, dst, pdu,
		     len) == 0)
		m->st.tx_acks++;
}

static void sar_rx_timer(void *user, unsigned id, uint32_t ms)
{
	struct mp_mesh *m = user;

	m->ops.timer(m->user, m->tx_slots + id, ms);
}

/* ------------------------------------------------------------------ */
/* The upper transport, received                                       */
/* ------------------------------------------------------------------ */

struct up_in {
	uint16_t src, dst, net_idx;
	uint32_t iv, seq;
	bool akf, seg, szmic;
	uint8_t aid, ttl;
	const uint8_t *pdu;
	size_t len;
};

/* Try one key (and label); on success fill @msg and return the length. */
static ssize_t try_key(const uint8_t key[16], const struct up_in *in, const uint8_t *label,
		       uint8_t *out, size_t cap)
{
	struct mp_upper_ctx c = { .akf = in->akf, .aszmic = in->szmic, .seq = in->seq,
				  .src = in->src, .dst = in->dst, .iv_index = in->iv,
				  .label_uuid = label };

	return mp_upper_decrypt(key, &c, in->pdu, in->len, out, cap);
}

/* Try every candidate key of @in under @label; -ENOKEY when there was none
 * to try, -EBADMSG when every one failed. */
static ssize_t try_keys(struct mp_mesh *m, const struct up_in *in, const uint8_t *label,
			uint8_t *out, size_t cap, uint16_t *key_out, uint16_t *dev_addr)
{
	bool tried = false;
	ssize_t n;
	size_t i;

	if (in->akf) {
		for (i = 0; i < m->cap_apps; i++) {
			const struct app_key *a = &m->apps[i];
			int k;

			if (!a->used || a->net_idx != in->net_idx)
				continue;
			for (k = 0; k < (a->has_new ? 2 : 1); k++) {
				if (a->aid[k] != in->aid)
					continue;
				tried = true;
				n = try_key(a->key[k], in, label, out, cap);
				if (n >= 0) {
					*key_out = a->app_idx;
					return n;
				}
			}
		}
	} else {
		/* a provisioner hears its nodes under their keys (SRC), a
		 * node hears its client under its own (DST) */
		const uint16_t who[2] = { in->src, in->dst };
		uint8_t key[16];

		for (i = 0; i < 2; i++) {
			if (!mp_addr_is_unicast(who[i]) || (i == 1 && who[1] == who[0]))
				continue;
			if (m->ops.dev_key(m->user, who[i], key) < 0)
				continue;
			tried = true;
			n = try_key(key, in, label, out, cap);
			mp_wipe(key, sizeof(key));
			if (n >= 0) {
				*key_out = MP_MESH_KEY_DEV;
				*dev_addr = who[i];
				return n;
			}
		}
	}
	return tried ? -EBADMSG : -ENOKEY;
}

static int upper_rx(struct mp_mesh *m, const struct up_in *in)
{
	uint8_t out[MP_UPPER_ACCESS_MAX];
	const uint8_t *label = NULL;
	uint16_t key = 0, dev_addr = 0;
	ssize_t n = -ENOKEY;
	bool any_label = false, any_key = false;

	if (mp_addr_is_virtual(in->dst)) {
		size_t i;

		/* every subscribed label that hashes to DST (3.4.2.3: two
		 * labels may share a virtual address) */
		for (i = 0; i < m->cap_subs; i++) {
			const struct sub *s = &m->subs[i];

			if (!s->used || !s->virt || s->addr != in->dst)
				continue;
			any_label = true;
			n = try_keys(m, in, s->label, out, sizeof(out), &key, &dev_addr);
			if (n != -ENOKEY)
				any_key = true;
			if (n >= 0) {
				label = s->label;
				break;
			}
		}
		if (!any_label) {
			m->st.drop_no_label++;
			return -EACCES;
		}
	} else {
		n = try_keys(m, in, NULL, out, sizeof(out), &key, &dev_addr);
		any_key = n != -ENOKEY;
	}
	if (n < 0) {
		if (any_key)
			m->st.drop_trans_mic++;
		else
			m->st.drop_no_key++;
		return -EACCES;
	}
	/* authenticated: now the replay list may move (3.9.8) */
	if (!rpl_ok(m, in->src, in->iv, in->seq, in->seg, true)) {
		mp_wipe(out, (size_t)n);
		m->st.drop_replay++;
		return -ESTALE;
	}
	rpl_update(m, in->src, in->iv, in->seq, in->seg);
	m->st.delivered++;
	{
		struct mp_mesh_rx_msg msg = {
			.src = in->src, .dst = in->dst, .label = label, .net_idx = in->net_idx,
			.key = key, .dev_key_addr = dev_addr, .ttl = in->ttl, .seg = in->seg,
			.iv_index = in->iv, .seq = in->seq, .payload = out, .len = (size_t)n,
		};

		m->ops.deliver(m->user, &msg);
	}
	mp_wipe(out, (size_t)n);
	return 0;
}

static int control_rx(struct mp_mesh *m, uint16_t src, uint16_t dst, uint16_t net_idx,
		      uint8_t ttl, uint32_t iv, uint32_t seq, bool seg, uint8_t opcode,
		      const uint8_t *params, size_t len)
{
	struct mp_mesh_ctl_msg msg = { .src = src, .dst = dst, .net_idx = net_idx, .ttl = ttl,
				       .opcode = opcode, .params = params, .len = len };

	if (!rpl_ok(m, src, iv, seq, seg, true)) {
		m->st.drop_replay++;
		return -ESTALE;
	}
	if (!m->ops.control) {
		m->st.drop_ctl_unhandled++;
		return -EOPNOTSUPP;
	}
	rpl_update(m, src, iv, seq, seg);
	m->st.ctl_delivered++;
	m->ops.control(m->user, &msg);
	return 0;
}

static void sar_rx_deliver(void *user, const struct mp_sar_rx_msg *msg)
{
	struct mp_mesh *m = user;
	const struct rpl_entry *e = &m->rpl[msg->src & 0x7fff];

	if (msg->ctl) {
		control_rx(m, msg->src, msg->dst, e->seg_net_idx, e->seg_ttl, msg->iv_index,
			   msg->seq_auth, true, msg->opcode, msg->upper, msg->len);
	} else {
		struct up_in in = {
			.src = msg->src, .dst = msg->dst, .net_idx = e->seg_net_idx,
			.iv = msg->iv_index, .seq = msg->seq_auth, .akf = msg->akf, .seg = true,
			.szmic = msg->szmic, .aid = msg->aid, .ttl = e->seg_ttl,
			.pdu = msg->upper, .len = msg->len,
		};

		upper_rx(m, &in);
	}
}

static const struct mp_sar_tx_ops sar_tx_ops = {
	.send = sar_tx_send, .timer = sar_tx_timer, .done = sar_tx_done,
};
static const struct mp_sar_rx_ops sar_rx_ops = {
	.ack = sar_rx_ack, .timer = sar_rx_timer, .deliver = sar_rx_deliver,
};

/* ------------------------------------------------------------------ */
/* Creation and configuration                                          */
/* ------------------------------------------------------------------ */

struct mp_mesh *mp_mesh_new(const struct mp_mesh_config *cfg)
{
	struct mp_mesh *m;
	struct mp_sar_tx_config tc;
	struct mp_sar_rx_config rc;
	const struct mp_mesh_ops *o = cfg ? cfg->ops : NULL;

	if (!o || !o->send || !o->timer || !o->seq_next || !o->dev_key || !o->deliver ||
	    !mp_addr_is_unicast(cfg->addr) || cfg->elements == 0 ||
	    (uint32_t)cfg->addr + cfg->elements - 1 > 0x7fff || cfg->default_ttl == 1 ||
	    cfg->default_ttl > MP_NET_TTL_MAX || cfg->tx_slots > 64 || cfg->rx_slots > 256) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->ops = *o;
	m->user = cfg->user;
	m->addr = cfg->addr;
	m->elements = cfg->elements;
	m->default_ttl = cfg->default_ttl ? cfg->default_ttl : MP_MESH_DEFAULT_TTL;
	m->cap_subnets = cfg->subnets ? cfg->subnets : 4;
	m->cap_apps = cfg->app_keys ? cfg->app_keys : 16;
	m->cap_subs = cfg->subscriptions ? cfg->subscriptions : 16;
	m->tx_slots = cfg->tx_slots ? cfg->tx_slots : 8;
	m->rx_slots = cfg->rx_slots ? cfg->rx_slots : 16;
	m->subnets = calloc(m->cap_subnets, sizeof(*m->subnets));
	m->apps = calloc(m->cap_apps, sizeof(*m->apps));
	m->subs = calloc(m->cap_subs, sizeof(*m->subs));
	m->cache_e = calloc(cfg->cache ? cfg->cache : 128, sizeof(*m->cache_e));
	m->rpl = calloc(RPL_SIZE, sizeof(*m->rpl));
	m->txm = calloc(m->tx_slots, sizeof(*m->txm));
	if (!m->subnets || !m->apps || !m->subs || !m->cache_e || !m->rpl || !m->txm)
		goto nomem;
	if (mp_net_cache_init(&m->cache, m->cache_e, cfg->cache ? cfg->cache : 128) < 0) {
		mp_mesh_free(m);
		errno = EINVAL;
		return NULL;
	}
	tc = (struct mp_sar_tx_config){ .ops = &sar_tx_ops, .user = m, .params = cfg->sar_tx,
					.slots = m->tx_slots };
	rc = (struct mp_sar_rx_config){ .ops = &sar_rx_ops, .user = m, .params = cfg->sar_rx,
					.slots = m->rx_slots };
	m->tx = mp_sar_tx_new(&tc);
	if (!m->tx)
		goto fail;
	m->rx = mp_sar_rx_new(&rc);
	if (!m->rx)
		goto fail;
	return m;
nomem:
	errno = ENOMEM;
fail: {
	int e = errno;

	mp_mesh_free(m);
	errno = e;
	return NULL;
}
}

void mp_mesh_free(struct mp_mesh *m)
{
	size_t i;

	if (!m)
		return;
	mp_sar_tx_free(m->tx);
	mp_sar_rx_free(m->rx);
	if (m->subnets)
		for (i = 0; i < m->n_subnets; i++)
			mp_subnet_wipe(&m->subnets[i]);
	if (m->apps)
		mp_wipe(m->apps, m->cap_apps * sizeof(*m->apps));
	free(m->subnets);
	free(m->apps);
	free(m->subs);
	free(m->cache_e);
	free(m->rpl);
	free(m->txm);
	free(m);
}

unsigned mp_mesh_timer_count(const struct mp_mesh *m)
{
	return m->tx_slots + 2 * m->rx_slots;
}

void mp_mesh_timeout(struct mp_mesh *m, unsigned id)
{
	if (!m)
		return;
	if (id < m->tx_slots)
		mp_sar_tx_timeout(m->tx, id);
	else if (id < mp_mesh_timer_count(m))
		mp_sar_rx_timeout(m->rx, id - m->tx_slots);
}

int mp_mesh_set_iv(struct mp_mesh *m, uint32_t iv_index, bool iv_update)
{
	if (!m || (iv_update && iv_index == 0))
		return -EINVAL;
	m->iv_index = iv_index;
	m->iv_update = iv_update;
	return 0;
}

int mp_mesh_set_default_ttl(struct mp_mesh *m, uint8_t ttl)
{
	if (!m || ttl == 1 || ttl > MP_NET_TTL_MAX)
		return -EINVAL;
	m->default_ttl = ttl;
	return 0;
}

int mp_mesh_subnet_add(struct mp_mesh *m, uint16_t net_idx, const uint8_t net_key[16])
{
	int r;

	if (!m || !net_key || net_idx > 0xfff)
		return -EINVAL;
	if (subnet_find(m, net_idx))
		return -EEXIST;
	if (m->n_subnets == m->cap_subnets)
		return -ENOBUFS;
	r = mp_subnet_init(&m->subnets[m->n_subnets], net_idx, net_key);
	if (r < 0)
		return r;
	m->n_subnets++;
	return 0;
}

struct mp_subnet *mp_mesh_subnet(struct mp_mesh *m, uint16_t net_idx)
{
	return m ? subnet_find(m, net_idx) : NULL;
}

int mp_mesh_kr_finish(struct mp_mesh *m, uint16_t net_idx)
{
	struct mp_subnet *s = m ? subnet_find(m, net_idx) : NULL;
	size_t i;
	int r;

	if (!s)
		return -ENOENT;
	r = mp_subnet_kr_finish(s);
	if (r < 0)
		return r;
	for (i = 0; i < m->cap_apps; i++) {
		struct app_key *a = &m->apps[i];

		if (!a->used || a->net_idx != net_idx || !a->has_new)
			continue;
		memcpy(a->key[0], a->key[1], 16);
		a->aid[0] = a->aid[1];
		mp_wipe(a->key[1], 16);
		a->has_new = false;
	}
	return 0;
}

int mp_mesh_subnet_del(struct mp_mesh *m, uint16_t net_idx)
{
	struct mp_subnet *s = m ? subnet_find(m, net_idx) : NULL;
	size_t i;

	if (!s)
		return -ENOENT;
	for (i = 0; i < m->cap_apps; i++)
		if (m->apps[i].used && m->apps[i].net_idx == net_idx)
			mp_wipe(&m->apps[i], sizeof(m->apps[i]));
	mp_subnet_wipe(s);
	/* keep the array packed: mp_net_decode takes it as it is */
	if (s != &m->subnets[m->n_subnets - 1]) {
		memcpy(s, &m->subnets[m->n_subnets - 1], sizeof(*s));
		mp_wipe(&m->subnets[m->n_subnets - 1], sizeof(*s));
	}
	m->n_subnets--;
	return 0;
}

int mp_mesh_app_key_add(struct mp_mesh *m, uint16_t app_idx, uint16_t net_idx,
			const uint8_t key[16])
{
	struct app_key *a = NULL;
	size_t i;

	if (!m || !key || app_idx > 0xfff)
		return -EINVAL;
	if (app_find(m, app_idx))
		return -EEXIST;
	if (!subnet_find(m, net_idx))
		return -ENOENT;
	for (i = 0; i < m->cap_apps && !a; i++)
		if (!m->apps[i].used)
			a = &m->apps[i];
	if (!a)
		return -ENOBUFS;
	if (mp_k4(key, &a->aid[0]) < 0)
		return -EIO;
	memcpy(a->key[0], key, 16);
	a->app_idx = app_idx;
	a->net_idx = net_idx;
	a->has_new = false;
	a->used = true;
	return 0;
}

int mp_mesh_app_key_update(struct mp_mesh *m, uint16_t app_idx, const uint8_t key[16])
{
	struct app_key *a = m ? app_find(m, app_idx) : NULL;

	if (!a)
		return -ENOENT;
	if (!key)
		return -EINVAL;
	if (mp_k4(key, &a->aid[1]) < 0)
		return -EIO;
	memcpy(a->key[1], key, 16);
	a->has_new = true;
	return 0;
}

int mp_mesh_app_key_del(struct mp_mesh *m, uint16_t app_idx)
{
	struct app_key *a = m ? app_find(m, app_idx) : NULL;

	if (!a)
		return -ENOENT;
	mp_wipe(a, sizeof(*a));
	return 0;
}

static struct sub *sub_free_slot(struct mp_mesh *m)
{
	size_t i;

	for (i = 0; i < m->cap_subs; i++)
		if (!m->subs[i].used)
			return &m->subs[i];
	return NULL;
}

int mp_mesh_subscribe(struct mp_mesh *m, uint16_t addr)
{
	struct sub *s;

	if (!m || !mp_addr_is_group(addr))
		return -EINVAL;
	if (sub_find(m, addr, NULL))
		return 0;
	s = sub_free_slot(m);
	if (!s)
		return -ENOBUFS;
	*s = (struct sub){ .used = true, .addr = addr };
	return 0;
}

int mp_mesh_subscribe_virtual(struct mp_mesh *m, const uint8_t label[16])
{
	struct sub *s;
	uint16_t addr;

	if (!m || !label)
		return -EINVAL;
	if (mp_virtual_address(label, &addr) < 0)
		return -EIO;
	if (sub_find(m, addr, label))
		return 0;
	s = sub_free_slot(m);
	if (!s)
		return -ENOBUFS;
	*s = (struct sub){ .used = true, .virt = true, .addr = addr };
	memcpy(s->label, label, 16);
	return 0;
}

int mp_mesh_unsubscribe(struct mp_mesh *m, uint16_t addr)
{
	struct sub *s = m && mp_addr_is_group(addr) ? sub_find(m, addr, NULL) : NULL;

	if (!s)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	return 0;
}

int mp_mesh_unsubscribe_virtual(struct mp_mesh *m, const uint8_t label[16])
{
	struct sub *s;
	uint16_t addr;

	if (!m || !label || mp_virtual_address(label, &addr) < 0)
		return -ENOENT;
	s = sub_find(m, addr, label);
	if (!s)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	return 0;
}

const struct mp_mesh_stats *mp_mesh_stats(const struct mp_mesh *m)
{
	return &m->st;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */
/* ------------------------------------------------------------------ */

static int net_drop(struct mp_mesh *m, int r)
{
	switch (r) {
	case -EMSGSIZE:
		m->st.drop_oversized++;
		break;
	case -ENODATA:
		m->st.drop_truncated++;
		break;
	case -ERANGE:
		m->st.drop_iv++;
		break;
	case -ENOKEY:
		m->st.drop_unknown_nid++;
		break;
	case -EBADMSG:
		m->st.drop_net_mic++;
		break;
	default:		/* -EADDRNOTAVAIL, -EPROTO */
		m->st.drop_bad_header++;
		r = -EADDRNOTAVAIL;
		break;
	}
	return r;
}

static int segment_rx(struct mp_mesh *m, const struct mp_net_rx *rx, uint16_t net_idx,
		      const struct mp_lower_pdu *lp)
{
	const struct mp_net_hdr *h = &rx->hdr;
	struct mp_sar_seg_in in = { .src = h->src, .dst = h->dst, .iv_index = rx->iv_index,
				    .seq = h->seq, .pdu = lp };
	struct rpl_entry *e = &m->rpl[h->src];
	uint32_t origin;
	int r;

	if (lp->ctl && lp->opcode == MP_CTL_SEG_ACK) {
		/* a Segment Acknowledgment is never segmented (3.5.2.3.1) */
		m->st.drop_malformed++;
		return -EPROTO;
	}
	if (mp_lower_seq_origin(h->seq, lp->seq_zero, &origin) < 0) {
		m->st.drop_seg_contradicts++;
		return -EPROTO;
	}
	if (!rpl_ok(m, h->src, rx->iv_index, origin, true, false)) {
		m->st.drop_replay++;
		return -ESTALE;
	}
	/* where the acknowledgments go back and what TTL the message had */
	e->seg_net_idx = net_idx;
	e->seg_ttl = h->ttl;
	r = mp_sar_rx_segment(m->rx, &in);
	switch (r) {
	case 0:
		m->st.segments_in++;
		return 0;
	case -EALREADY:
		m->st.drop_seg_duplicate++;
		return r;
	case -ESTALE:
		m->st.drop_seg_stale++;
		return r;
	case -ENOBUFS:
		m->st.drop_seg_busy++;
		return r;
	case -EPROTO:
	case -ERANGE:
		m->st.drop_seg_contradicts++;
		return -EPROTO;
	default:
		m->st.drop_malformed++;
		return -EPROTO;
	}
}

static int ack_rx(struct mp_mesh *m, const struct mp_net_rx *rx, const struct mp_lower_pdu *lp)
{
	const struct mp_net_hdr *h = &rx->hdr;
	struct mp_seg_ack a;

	if (!mp_addr_is_unicast(h->dst) || mp_seg_ack_decode(lp->payload, lp->payload_len, &a)) {
		m->st.drop_malformed++;
		return -EPROTO;
	}
	if (!rpl_ok(m, h->src, rx->iv_index, h->seq, false, true)) {
		m->st.drop_replay++;
		return -ESTALE;
	}
	rpl_update(m, h->src, rx->iv_index, h->seq, false);
	if (mp_sar_tx_ack(m->tx, h->src, &a) < 0) {
		m->st.drop_ack_unmatched++;
		return -ENOENT;
	}
	m->st.acks_in++;
	return 0;
}

int mp_mesh_rx(struct mp_mesh *m, const uint8_t *pdu, size_t len)
{
	struct mp_net_rx rx;
	struct mp_lower_pdu lp;
	uint16_t net_idx;
	int r;

	if (!m || !pdu)
		return -EINVAL;
	m->st.rx_pdus++;
	r = mp_net_decode(m->subnets, m->n_subnets, m->iv_index, MP_NET_NETWORK, pdu, len, &rx);
	if (r < 0)
		return net_drop(m, r);
	net_idx = m->subnets[rx.subnet].index;
	if (mp_net_cache_add(&m->cache, rx.iv_index, rx.hdr.src, rx.hdr.seq) < 0) {
		m->st.drop_cached++;
		return -EALREADY;
	}
	if (own(m, rx.hdr.src)) {
		m->st.drop_own_src++;
		return -ELOOP;
	}
	if (!for_us(m, rx.hdr.dst)) {
		m->st.drop_not_for_us++;
		return -ENOENT;
	}
	if (mp_lower_decode(rx.hdr.ctl, rx.transport, rx.transport_len, &lp) < 0) {
		m->st.drop_malformed++;
		return -EPROTO;
	}
	if (lp.seg)
		return segment_rx(m, &rx, net_idx, &lp);
	if (rx.hdr.ctl) {
		if (lp.opcode == MP_CTL_SEG_ACK)
			return ack_rx(m, &rx, &lp);
		return control_rx(m, rx.hdr.src, rx.hdr.dst, net_idx, rx.hdr.ttl, rx.iv_index,
				  rx.hdr.seq, false, lp.opcode, lp.payload, lp.payload_len);
	}
	/* an unsegmented access message: the replay list first, the cheap
	 * refusal before any AES */
	if (!rpl_ok(m, rx.hdr.src, rx.iv_index, rx.hdr.seq, false, true)) {
		m->st.drop_replay++;
		return -ESTALE;
	}
	{
		struct up_in in = {
			.src = rx.hdr.src, .dst = rx.hdr.dst, .net_idx = net_idx,
			.iv = rx.iv_index, .seq = rx.hdr.seq, .akf = lp.akf, .aid = lp.aid,
			.ttl = rx.hdr.ttl, .pdu = lp.payload, .len = lp.payload_len,
		};

		return upper_rx(m, &in);
	}
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

/* Start a segmented message: @msg has everything but seq_auth. */
static int seg_send(struct mp_mesh *m, uint16_t src, uint16_t net_idx, struct mp_sar_msg *msg,
		    uint32_t seq, uint32_t *seq_auth)
{
	struct txm *t = NULL;
	unsigned i;
	int r;

	for (i = 0; i < m->tx_slots && !t; i++)
		if (!m->txm[i].used)
			t = &m->txm[i];
	if (!t)
		return -ENOBUFS;
	*t = (struct txm){ .used = true, .dst = msg->dst, .src = src, .net_idx = net_idx,
			   .seq_auth = seq };
	msg->seq_auth = seq;
	m->first_seq_pending = true;
	m->first_seq = seq;
	r = mp_sar_tx_send(m->tx, msg);
	m->first_seq_pending = false;
	if (r < 0) {
		memset(t, 0, sizeof(*t));
		return r;
	}
	if (seq_auth)
		*seq_auth = seq;
	return 1;
}

/* A free SAR slot and none to @dst: checked before a SEQ is taken. */
static int seg_room(const struct mp_mesh *m, uint16_t dst)
{
	unsigned i;

	if (mp_sar_tx_busy(m->tx, dst))
		return -EBUSY;
	for (i = 0; i < m->tx_slots; i++)
		if (!m->txm[i].used)
			return 0;
	return -ENOBUFS;
}

static int take_seq(struct mp_mesh *m, uint32_t *seq)
{
	int r = m->ops.seq_next(m->user, seq);

	if (r < 0)
		return r;
	return *seq > MP_NET_SEQ_MAX ? -ERANGE : 0;
}

int mp_mesh_send_access(struct mp_mesh *m, const struct mp_mesh_tx *tx, uint32_t *seq_auth)
{
	uint8_t key[16], upper[MP_UPPER_PDU_MAX];
	const struct mp_subnet *s;
	struct mp_upper_ctx c;
	bool akf, seg;
	uint8_t aid = 0, ttl;
	uint32_t seq;
	ssize_t n;
	int r;

	if (!m || !tx || !tx->payload || !own(m, tx->src) || tx->dst == MP_ADDR_UNASSIGNED ||
	    (tx->ttl > MP_NET_TTL_MAX && tx->ttl != MP_MESH_TTL_DEFAULT))
		return -EINVAL;
	if (mp_addr_is_virtual(tx->dst)) {
		uint16_t v;

		if (!tx->label || mp_virtual_address(tx->label, &v) < 0 || v != tx->dst)
			return -EINVAL;
	} else if (tx->label) {
		return -EINVAL;
	}
	if (tx->len == 0 || tx->len > (tx->szmic ? MP_MESH_ACCESS_MAX - 4 : MP_MESH_ACCESS_MAX))
		return -EMSGSIZE;
	s = subnet_find(m, tx->net_idx);
	if (!s)
		return -ENOENT;
	ttl = tx->ttl == MP_MESH_TTL_DEFAULT ? m->default_ttl : tx->ttl;
	seg = tx->szmic || tx->len > MP_MESH_ACCESS_UNSEG_MAX;
	akf = tx->key != MP_MESH_KEY_DEV;
	if (akf) {
		const struct app_key *a = app_find(m, tx->key);
		/* phase 2 sends with the new keys (Key Refresh procedure) */
		int k;

		if (!a || a->net_idx != tx->net_idx)
			return -ENOENT;
		k = a->has_new && s->phase == MP_KR_PHASE2;
		memcpy(key, a->key[k], 16);
		aid = a->aid[k];
	} else if ((!mp_addr_is_unicast(tx->dst) || m->ops.dev_key(m->user, tx->dst, key) < 0) &&
		   m->ops.dev_key(m->user, tx->src, key) < 0) {
		/* the Configuration Server's device key: DST's when we are its
		 * client, our own when we are the server answering */
		return -ENOENT;
	}
	if (seg && (r = seg_room(m, tx->dst)) < 0)
		goto out;
	r = take_seq(m, &seq);
	if (r < 0)
		goto out;
	c = (struct mp_upper_ctx){ .akf = akf, .aszmic = seg && tx->szmic, .seq = seq,
				   .src = tx->src, .dst = tx->dst, .iv_index = tx_iv(m),
				   .label_uuid = tx->label };
	n = mp_upper_encrypt(key, &c, tx->payload, tx->len, upper, sizeof(upper));
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	if (!seg) {
		struct mp_lower_pdu p = { .akf = akf, .aid = aid, .payload = upper,
					  .payload_len = (size_t)n };
		uint8_t lower[1 + MP_LOWER_UNSEG_ACCESS_MAX];
		ssize_t l = mp_lower_encode(&p, lower, sizeof(lower));

		r = l < 0 ? (int)l : net_send(m, s, false, ttl, seq, tx->src, tx->dst, lower,
						(size_t)l);
	} else {
		struct mp_sar_msg msg = { .dst = tx->dst, .akf = akf, .aid = aid,
					  .szmic = tx->szmic, .ttl = ttl, .upper = upper,
					  .len = (size_t)n };

		r = seg_send(m, tx->src, tx->net_idx, &msg, seq, seq_auth);
	}
out:
	mp_wipe(key, sizeof(key));
	return r;
}

int mp_mesh_send_control(struct mp_mesh *m, uint16_t src, uint16_t dst, uint16_t net_idx,
			 uint8_t ttl, uint8_t opcode, const uint8_t *params, size_t len,
			 uint32_t *seq_auth)
{
	const struct mp_subnet *s;
	uint32_t seq;
	int r;

	if (!m || (len && !params) || !own(m, src) || dst == MP_ADDR_UNASSIGNED ||
	    opcode == MP_CTL_SEG_ACK || opcode > 0x7f ||
	    (ttl > MP_NET_TTL_MAX && ttl != MP_MESH_TTL_DEFAULT))
		return -EINVAL;
	if (len > MP_MESH_CTL_MAX)
		return -EMSGSIZE;
	s = subnet_find(m, net_idx);
	if (!s)
		return -ENOENT;
	if (ttl == MP_MESH_TTL_DEFAULT)
		ttl = m->default_ttl;
	if (len <= MP_LOWER_UNSEG_CTL_MAX) {
		struct mp_lower_pdu p = { .ctl = true, .opcode = opcode, .payload = params,
					  .payload_len = len };
		uint8_t lower[1 + MP_LOWER_UNSEG_CTL_MAX];
		ssize_t l = mp_lower_encode(&p, lower, sizeof(lower));

		if (l < 0)
			return (int)l;
		r = take_seq(m, &seq);
		return r < 0 ? r : net_send(m, s, true, ttl, seq, src, dst, lower, (size_t)l);
	}
	r = seg_room(m, dst);
	if (r < 0)
		return r;
	r = take_seq(m, &seq);
	if (r < 0)
		return r;
	{
		struct mp_sar_msg msg = { .dst = dst, .ctl = true, .opcode = opcode, .ttl = ttl,
					  .upper = params, .len = len };

		return seg_send(m, src, net_idx, &msg, seq, seq_auth);
	}
}

int mp_mesh_cancel(struct mp_mesh *m, uint16_t dst)
{
	if (!m)
		return -EINVAL;
	return mp_sar_tx_cancel(m->tx, dst);
}
