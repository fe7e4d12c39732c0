/* The Configuration Client's request machine; see include/config/client.h.
 * MshPRT v1.1 3.7.3 (acknowledged messages), 4.3.2 (the messages). */
#include "config/client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access/match.h"
#include "access/msg.h"

/* One request, from submit to done(): in its node's queue, then in flight
 * in a place, then on the list of completions to report. */
struct req {
	struct req *next;
	uint32_t id;
	uint16_t dst, net_idx;
	uint32_t opcode;
	unsigned int flags;
	uint32_t after;		/* the request this one depends on, or 0 */
	bool doomed;		/* to be skipped: what it depends on failed */
	struct mp_cfg_client_timing timing;	/* resolved: every field set */
	struct mp_access_expect expect;
	void *ctx;
	/* how it ended, once on the completion list */
	int err;
	unsigned int tries;
	const struct mp_cfg_msg *answer;
	size_t len;
	uint8_t bytes[];	/* the encoded request: may hold a key */
};

/* A node with requests not yet ended. */
struct node {
	struct node *next;	/* every node, in the order they came */
	uint16_t addr;
	int place;		/* its place while in flight, -1 while waiting */
	struct req *head, *tail;
	size_t queued;
};

/* A place: one node in flight, its outstanding request and timer. The
 * answer is kept here until done() has seen it: the place gets its next
 * request only after the completions are reported. */
struct place {
	struct node *node;	/* NULL: free */
	struct req *req;	/* outstanding; NULL between two requests */
	uint32_t match_id;
	unsigned int tries;
	uint32_t wait_ms;
	bool armed;
	struct mp_cfg_msg answer;
	uint8_t raw[MP_ACCESS_MSG_MAX];
};

#define RECENT_ANSWERS 32

struct mp_cfg_client {
	struct mp_cfg_client_ops ops;
	void *user;
	struct mp_cfg_client_timing timing, seg_timing;
	size_t max_queued, n_reqs;
	uint32_t next_id;
	unsigned int n_places;
	struct place *places;
	struct mp_access_pending *pending;
	struct mp_access_matcher matcher;
	struct node *nodes;
	struct req *done_head, *done_tail;	/* completions to report, in order */
	bool flushing;
	struct mp_cfg_client_stats stats;
	/* The last answers taken (source and content, hashed), to tell a late
	 * duplicate from a stray answer in the counters. */
	uint64_t recent[RECENT_ANSWERS];
	unsigned int n_recent;
};

/* config/ may not use crypto/'s mp_wipe (mk/layers.txt): the same idea,
 * writes through a volatile pointer the compiler may not drop. */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

static void free_req(struct req *r)
{
	if (!r)
		return;
	wipe(r->bytes, r->len);
	free(r);
}

/* Fill @t's zero fields from @base. */
static void timing_merge(struct mp_cfg_client_timing *t, const struct mp_cfg_client_timing *base)
{
	if (!t->timeout_ms)
		t->timeout_ms = base->timeout_ms;
	if (!t->factor_pct)
		t->factor_pct = base->factor_pct;
	if (!t->max_ms)
		t->max_ms = base->max_ms;
	if (!t->tries)
		t->tries = base->tries;
}

static bool timing_ok(const struct mp_cfg_client_timing *t)
{
	return !t || !t->factor_pct || t->factor_pct >= 100;
}

bool mp_cfg_client_segmented(uint32_t opcode)
{
	switch (opcode) {
	case MP_CFG_OP_COMPOSITION_DATA_GET:
	case MP_CFG_OP_APPKEY_ADD:
	case MP_CFG_OP_APPKEY_UPDATE:
	case MP_CFG_OP_APPKEY_GET:
	case MP_CFG_OP_NETKEY_ADD:
	case MP_CFG_OP_NETKEY_UPDATE:
	case MP_CFG_OP_NETKEY_GET:
	case MP_CFG_OP_MODEL_PUBLICATION_GET:
	case MP_CFG_OP_MODEL_PUBLICATION_SET:
	case MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE:
	case MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE:
	case MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET:
	case MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET:
	case MP_CFG_OP_SIG_MODEL_APP_GET:
	case MP_CFG_OP_VENDOR_MODEL_APP_GET:
		return true;
	default:
		return false;
	}
}

struct mp_cfg_client *mp_cfg_client_new(const struct mp_cfg_client_config *cfg)
{
	static const struct mp_cfg_client_timing def = {
		MP_CFG_CLIENT_TIMEOUT_MS, MP_CFG_CLIENT_FACTOR_PCT, MP_CFG_CLIENT_MAX_TIMEOUT_MS,
		MP_CFG_CLIENT_TRIES,
	};
	struct mp_cfg_client *c;
	unsigned int n;

	if (!cfg || !cfg->ops || !cfg->ops->send || !cfg->ops->timer || !cfg->ops->done ||
	    cfg->max_inflight > MP_CFG_CLIENT_INFLIGHT_MAX || !timing_ok(cfg->timing) ||
	    !timing_ok(cfg->seg_timing)) {
		errno = EINVAL;
		return NULL;
	}
	n = cfg->max_inflight ? cfg->max_inflight : MP_CFG_CLIENT_INFLIGHT;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->places = calloc(n, sizeof(*c->places));
	c->pending = calloc(n, sizeof(*c->pending));
	if (!c->places || !c->pending) {
		free(c->places);
		free(c->pending);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->ops = *cfg->ops;
	c->user = cfg->user;
	c->n_places = n;
	c->max_queued = cfg->max_queued ? cfg->max_queued : MP_CFG_CLIENT_QUEUE;
	if (cfg->timing)
		c->timing = *cfg->timing;
	timing_merge(&c->timing, &def);
	c->seg_timing = cfg->seg_timing ? *cfg->seg_timing : c->timing;
	if (!cfg->seg_timing || !cfg->seg_timing->timeout_ms)
		c->seg_timing.timeout_ms = MP_CFG_CLIENT_SEG_TIMEOUT_MS;
	timing_merge(&c->seg_timing, &c->timing);
	mp_access_matcher_init(&c->matcher, c->pending, n);
	return c;
}

static void free_list(struct req *r)
{
	while (r) {
		struct req *next = r->next;

		free_req(r);
		r = next;
	}
}

void mp_cfg_client_free(struct mp_cfg_client *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; i < c->n_places; i++) {
		if (c->places[i].armed)
			c->ops.timer(c->user, i, 0);
		free_req(c->places[i].req);
	}
	while (c->nodes) {
		struct node *n = c->nodes;

		c->nodes = n->next;
		free_list(n->head);
		free(n);
	}
	free_list(c->done_head);
	free(c->places);
	free(c->pending);
	free(c);
}

static struct node *find_node(const struct mp_cfg_client *c, uint16_t addr)
{
	struct node *n;

	for (n = c->nodes; n; n = n->next)
		if (n->addr == addr)
			return n;
	return NULL;
}

static void unlink_node(struct mp_cfg_client *c, struct node *node)
{
	struct node **pp;

	for (pp = &c->nodes; *pp; pp = &(*pp)->next)
		if (*pp == node) {
			*pp = node->next;
			free(node);
			return;
		}
}

static struct req *pop(struct node *n)
{
	struct req *r = n->head;

	if (r) {
		n->head = r->next;
		if (!n->head)
			n->tail = NULL;
		r->next = NULL;
		n->queued--;
	}
	return r;
}

/* Put @r on the completion list; it no longer counts as pending. */
static void push_done(struct mp_cfg_client *c, struct req *r, int err, unsigned int tries,
		      const struct mp_cfg_msg *answer)
{
	r->err = err;
	r->tries = tries;
	r->answer = answer;
	r->next = NULL;
	if (c->done_tail)
		c->done_tail->next = r;
	else
		c->done_head = r;
	c->done_tail = r;
	c->n_reqs--;
}

/* End every queued request of @n with -ECANCELED; returns how many. */
static int drain(struct mp_cfg_client *c, struct node *n, unsigned long *counter)
{
	struct req *r;
	int k = 0;

	while ((r = pop(n))) {
		push_done(c, r, -ECANCELED, 0, NULL);
		(*counter)++;
		k++;
	}
	return k;
}

/* Request @id of @n failed: skip, in queue order, the queued requests that
 * come after it, and those that come after a skipped one. */
static void skip_dependents(struct mp_cfg_client *c, struct node *n, uint32_t id)
{
	struct req **pp = &n->head, *r, *q, *doomed = NULL, **dtail = &doomed;

	for (r = n->head; r; r = r->next) {
		r->doomed = r->after == id;
		for (q = n->head; !r->doomed && q != r; q = q->next)
			r->doomed = q->doomed && r->after == q->id;
	}
	/* out of the queue, then reported (the queue stays consistent) */
	while ((r = *pp)) {
		if (!r->doomed) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		n->queued--;
		r->next = NULL;
		*dtail = r;
		dtail = &r->next;
	}
	n->tail = NULL;
	for (r = n->head; r; r = r->next)
		n->tail = r;
	while ((r = doomed)) {
		doomed = r->next;
		push_done(c, r, -ECANCELED, 0, NULL);
		c->stats.skipped++;
	}
}

/* The outstanding request of place @i ends with @err (0: @answer). */
static void complete(struct mp_cfg_client *c, unsigned int i, int err,
		     const struct mp_cfg_msg *answer)
{
	struct place *p = &c->places[i];
	struct req *r = p->req;
	bool failed = err || answer->status != MP_CFG_SUCCESS;

	p->req = NULL;
	if (p->armed) {
		p->armed = false;
		c->ops.timer(c->user, i, 0);
	}
	if (err && p->match_id)
		mp_access_matcher_cancel(&c->matcher, p->match_id);
	p->match_id = 0;
	if (!err) {
		c->stats.answered++;
		if (answer->status != MP_CFG_SUCCESS)
			c->stats.failed_status++;
	} else if (err == -ETIMEDOUT) {
		c->stats.timed_out++;
	} else {
		c->stats.cancelled++;
	}
	push_done(c, r, err, p->tries, answer);
	/* A failed step the later ones depend on: they are not sent (a
	 * cancel ends them itself, as cancelled). */
	if (!failed || err == -ECANCELED)
		return;
	if (r->flags & MP_CFG_REQ_STOP_ON_FAIL)
		drain(c, p->node, &c->stats.skipped);
	else
		skip_dependents(c, p->node, r->id);
}

/* Send the outstanding request of place @i (again) and arm its timer: the
 * first wait, then each one the last times the factor, up to the maximum. */
static void transmit(struct mp_cfg_client *c, unsigned int i)
{
	struct place *p = &c->places[i];
	const struct req *r = p->req;
	uint64_t w;

	if (!p->tries) {
		w = r->timing.timeout_ms;
	} else {
		w = (uint64_t)p->wait_ms * r->timing.factor_pct / 100;
		if (w > r->timing.max_ms)
			w = r->timing.max_ms;
		c->stats.retries++;
	}
	if (!w)
		w = 1;
	p->wait_ms = (uint32_t)w;
	p->tries++;
	c->stats.sent++;
	if (c->ops.send(c->user, r->dst, r->net_idx, true, r->bytes, r->len) < 0)
		c->stats.send_errors++;
	p->armed = true;
	c->ops.timer(c->user, i, p->wait_ms);
}

static void start(struct mp_cfg_client *c, unsigned int i, struct req *r)
{
	struct place *p = &c->places[i];
	int64_t id = mp_access_matcher_add(&c->matcher, &r->expect);

	p->req = r;
	p->tries = 0;
	p->wait_ms = 0;
	/* Cannot fail: one place per node, one expectation per place, and
	 * every expectation names its node as the source. Should it, no
	 * answer is taken and the request times out. */
	p->match_id = id > 0 ? (uint32_t)id : 0;
	transmit(c, i);
}

/* Give each place in use its node's next request (or free it when the
 * node has none), then the free places to the nodes that wait, oldest
 * first. */
static void kick(struct mp_cfg_client *c)
{
	struct node *n;
	unsigned int i;

	for (i = 0; i < c->n_places; i++) {
		struct place *p = &c->places[i];

		if (!p->node || p->req)
			continue;
		if (p->node->head) {
			start(c, i, pop(p->node));
		} else {
			unlink_node(c, p->node);
			p->node = NULL;
		}
	}
	n = c->nodes;
	for (i = 0; i < c->n_places; i++) {
		struct place *p = &c->places[i];

		if (p->node)
			continue;
		while (n && (n->place >= 0 || !n->head))
			n = n->next;
		if (!n)
			break;
		n->place = (int)i;
		p->node = n;
		start(c, i, pop(n));
	}
}

/* Report the completions, then send what can be sent; again until both
 * are done. What done() causes is queued and handled by this loop after it
 * returns, never inside it. */
static void flush(struct mp_cfg_client *c)
{
	if (c->flushing)
		return;
	c->flushing = true;
	for (;;) {
		struct req *r;

		while ((r = c->done_head)) {
			struct mp_cfg_client_result res = {
				.id = r->id, .ctx = r->ctx, .dst = r->dst, .opcode = r->opcode,
				.err = r->err, .status = r->answer, .tries = r->tries,
			};

			c->done_head = r->next;
			if (!c->done_head)
				c->done_tail = NULL;
			if (r->answer)
				res.status_name = mp_cfg_status_name(r->answer->status);
			c->ops.done(c->user, &res);
			free_req(r);
		}
		kick(c);
		if (!c->done_head)
			break;
	}
	c->flushing = false;
}

/* True when request @id is pending on node @dst (queued or in flight). */
static bool depends_ok(const struct mp_cfg_client *c, uint16_t dst, uint32_t id)
{
	const struct node *n = find_node(c, dst);
	const struct req *r;

	if (!n)
		return false;
	if (n->place >= 0 && c->places[n->place].req && c->places[n->place].req->id == id)
		return true;
	for (r = n->head; r; r = r->next)
		if (r->id == id)
			return true;
	return false;
}

int64_t mp_cfg_client_submit(struct mp_cfg_client *c, const struct mp_cfg_client_req *rq)
{
	uint8_t buf[MP_ACCESS_MSG_MAX];
	struct mp_access_expect e;
	struct node *n;
	struct req *r;
	int len, err;

	if (!c || !rq || !rq->msg || !timing_ok(rq->timing))
		return -EINVAL;
	if (rq->dst == 0 || rq->dst >= 0x8000)
		return -EINVAL;
	if (mp_cfg_is_status(rq->msg->opcode))
		return -ENOMSG;
	err = mp_cfg_expect(rq->msg, rq->dst, &e);
	if (err)
		return err;
	len = mp_cfg_encode(rq->msg, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (rq->after && !depends_ok(c, rq->dst, rq->after))
		return -ENOENT;
	if (c->n_reqs >= c->max_queued) {
		wipe(buf, sizeof(buf));
		return -ENOBUFS;
	}
	r = calloc(1, sizeof(*r) + (size_t)len);
	n = find_node(c, rq->dst);
	if (!n && r) {
		n = calloc(1, sizeof(*n));
		if (n) {
			struct node **pp = &c->nodes;

			n->addr = rq->dst;
			n->place = -1;
			/* at the end: the nodes are served in the order they came */
			while (*pp)
				pp = &(*pp)->next;
			*pp = n;
		}
	}
	if (!r || !n) {
		free(r);
		wipe(buf, sizeof(buf));
		return -ENOMEM;
	}
	if (!++c->next_id)
		c->next_id = 1;
	r->id = c->next_id;
	r->dst = rq->dst;
	r->net_idx = rq->net_idx;
	r->opcode = rq->msg->opcode;
	r->flags = rq->flags;
	r->after = rq->after;
	r->ctx = rq->ctx;
	r->expect = e;
	if (rq->timing)
		r->timing = *rq->timing;
	timing_merge(&r->timing,
		     mp_cfg_client_segmented(r->opcode) ? &c->seg_timing : &c->timing);
	r->len = (size_t)len;
	memcpy(r->bytes, buf, (size_t)len);
	wipe(buf, sizeof(buf));
	if (n->tail)
		n->tail->next = r;
	else
		n->head = r;
	n->tail = r;
	n->queued++;
	c->n_reqs++;
	c->stats.submitted++;
	flush(c);
	return r->id;
}

/* FNV-1a over the source and the message: an answer's fingerprint. Only
 * the counters read it: a collision miscounts, it never matches. */
static uint64_t answer_hash(uint16_t src, const uint8_t *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	h = (h ^ (src & 0xff)) * 0x100000001b3ull;
	h = (h ^ (src >> 8)) * 0x100000001b3ull;
	for (i = 0; i < len; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

/* An answer no request took: counted by what it most likely is. */
static void count_unmatched(struct mp_cfg_client *c, uint16_t src, const uint8_t *data,
			    size_t len)
{
	uint64_t h = answer_hash(src, data, len);
	unsigned int i;

	c->stats.unmatched++;
	for (i = 0; i < c->n_recent && i < RECENT_ANSWERS; i++)
		if (c->recent[i] == h) {
			c->stats.unmatched_late++;
			return;
		}
	for (i = 0; i < c->n_places; i++)
		if (c->places[i].req && c->places[i].node && c->places[i].node->addr == src) {
			c->stats.unmatched_other++;
			return;
		}
	c->stats.unmatched_src++;
}

int mp_cfg_client_rx(struct mp_cfg_client *c, uint16_t src, bool dev_key, const uint8_t *data,
		     size_t len)
{
	struct mp_access_msg am;
	struct mp_cfg_msg m;
	struct place *p = NULL;
	int64_t id;
	unsigned int i;

	if (!c || !data)
		return -EINVAL;
	/* Configuration messages are secured with the device key (4.3): an
	 * answer under an AppKey is no Configuration Server's. */
	if (!dev_key) {
		c->stats.not_dev_key++;
		return -EACCES;
	}
	if (mp_access_msg_decode(data, len, &am) || !mp_cfg_is_status(am.opcode)) {
		c->stats.malformed++;
		return -EBADMSG;
	}
	/* Decoded before it is matched, so that a malformed answer never
	 * takes the place of the right one still to come. */
	if (mp_cfg_decode(data, len, &m)) {
		c->stats.malformed++;
		return -EBADMSG;
	}
	id = mp_access_matcher_rx(&c->matcher, src, am.opcode, am.params, am.len);
	if (id < 0) {
		count_unmatched(c, src, data, len);
		return -ENOENT;
	}
	for (i = 0; i < c->n_places; i++)
		if (c->places[i].req && c->places[i].match_id == (uint32_t)id) {
			p = &c->places[i];
			break;
		}
	if (!p) {
		count_unmatched(c, src, data, len);
		return -ENOENT;
	}
	c->recent[c->n_recent++ % RECENT_ANSWERS] = answer_hash(src, data, len);
	memcpy(p->raw, data, len);
	memset(&p->answer, 0, sizeof(p->answer));
	mp_cfg_decode(p->raw, len, &p->answer);	/* decoded above: cannot fail */
	p->match_id = 0;
	complete(c, i, 0, &p->answer);
	flush(c);
	return 0;
}

void mp_cfg_client_timeout(struct mp_cfg_client *c, unsigned int id)
{
	struct place *p;

	if (!c || id >= c->n_places)
		return;
	p = &c->places[id];
	if (!p->req || !p->armed)
		return;
	p->armed = false;
	if (p->tries < p->req->timing.tries)
		transmit(c, id);
	else
		complete(c, id, -ETIMEDOUT, NULL);
	flush(c);
}

int mp_cfg_client_cancel_node(struct mp_cfg_client *c, uint16_t dst)
{
	struct node *n;
	int k = 0;

	if (!c)
		return -EINVAL;
	n = find_node(c, dst);
	if (!n)
		return -ENOENT;
	if (n->place >= 0 && c->places[n->place].req) {
		complete(c, (unsigned int)n->place, -ECANCELED, NULL);
		k++;
	}
	k += drain(c, n, &c->stats.cancelled);
	if (n->place < 0)
		unlink_node(c, n);	/* waiting: no place to free it later */
	if (!k)
		return -ENOENT;
	flush(c);
	return k;
}

size_t mp_cfg_client_pending(const struct mp_cfg_client *c, uint16_t dst)
{
	const struct node *n;
	size_t k;

	if (!c)
		return 0;
	if (!dst)
		return c->n_reqs;
	n = find_node(c, dst);
	if (!n)
		return 0;
	k = n->queued;
	if (n->place >= 0 && c->places[n->place].req)
		k++;
	return k;
}

const struct mp_cfg_client_stats *mp_cfg_client_stats(const struct mp_cfg_client *c)
{
	return &c->stats;
}
