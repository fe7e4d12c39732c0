/* bearer/pbgatt: PB-GATT links, MshPRT v1.1 5.2.2.
 *
 * Two ends wired back to back through a fake GATT connection (an in-order,
 * lossless queue of ATT values each way, as ATT over an LE link is) with a
 * fake clock: the sample data of MshPRT v1.1 8.8 on the wire, Provisioning
 * PDUs of every size at ATT_MTU 23, 69 and 517, the deferred delivered(),
 * re-entrant callbacks, every SAR violation, the 20 s SAR timer, lost
 * connections and failing writes; then a whole provisioning, the
 * provisioner against the simulated device, carried over the pair. */
#include "prov_harness.h"
#include "fake_sched.h"

#include <errno.h>
#include <string.h>

#include "bearer/pbgatt.h"
#include "sim/device.h"

#define PROV 0
#define DEV 1
#define QMAX 4096
#define LOGMAX 4096
#define TXQ 8

/* ---------- sample data ---------- */

static uint8_t sample_pdu[80];
static size_t sample_len;
static uint8_t sample_val[4][32];
static size_t sample_val_len[4];

static int load_vectors(void **state)
{
	struct json_object *v = tu_vectors();
	size_t i;

	sample_len = tu_hex(v, "pdus.pb_gatt_sar.provisioning_pdu", sample_pdu, sizeof(sample_pdu));
	assert_int_equal(json_object_get_int(tu_get(v, "pdus.pb_gatt_sar.att_mtu")), 23);
	for (i = 0; i < 4; i++) {
		char p[64];

		snprintf(p, sizeof(p), "pdus.pb_gatt_sar.att_values.%zu", i);
		sample_val_len[i] = tu_hex(v, p, sample_val[i], sizeof(sample_val[i]));
	}
	return 0;
}

static void pattern(uint8_t *b, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 11 + seed * 29 + 3);
}

/* ---------- the fake connection ---------- */

struct val {
	int to;
	size_t len;
	uint8_t b[MP_PROXY_ATT_VALUE_MAX];
};

struct world;

struct side {
	struct world *w;
	int idx;
	struct mp_pbgatt *link;
	uint64_t deadline[MP_PBGATT_TIMERS];	/* 0: not armed */
	uint32_t last_delay[MP_PBGATT_TIMERS];
	unsigned ntx;
	struct val *log;			/* every ATT value sent */
	int fail_at;				/* the ntx-th tx() fails with fail_err */
	int fail_err;
	unsigned disconnects;
	bool in_send;
	/* upward */
	unsigned opened, delivered, closed, nrx;
	int close_err;
	uint8_t close_reason;
	bool close_remote;
	uint8_t last_rx[MP_PBGATT_PDU_MAX];
	size_t last_rx_len;
	char events[64];			/* 'o' opened, 'd' delivered, 'r' rx, 'c' closed */
	unsigned nev;
	bool free_on_close;
	/* re-entrancy: send these from inside delivered() / rx() */
	unsigned chain_left;
	bool answer_rx;
	/* a session on top: PDUs wait until the link takes them */
	void (*app_rx)(struct side *s, const uint8_t *pdu, size_t len);
	void (*app_opened)(struct side *s);
	uint8_t txq[TXQ][MP_PROV_PDU_MAX + 16];
	size_t txq_len[TXQ];
	unsigned txq_head, txq_count;
	bool busy;
};

struct world {
	uint64_t now;
	struct fake_sched sched;	/* the two sides' timers on now */
	struct side s[2];
	struct val *q;
	size_t qhead, qlen;
	bool drop_pending;	/* someone asked for a disconnection */
	int drop_err;		/* what the other end is told */
};

static void event(struct side *s, char c)
{
	if (s->nev + 1 < sizeof(s->events))
		s->events[s->nev++] = c;
}

static int fake_tx(void *user, const uint8_t *value, size_t len)
{
	struct side *s = user;
	struct world *w = s->w;
	struct val *v;

	/* A Proxy PDU fits the ATT value of the link's ATT_MTU. */
	assert_true(len >= 2 && len <= mp_proxy_pdu_size(mp_pbgatt_mtu(s->link)));
	assert_false(w->drop_pending);
	s->ntx++;
	if (s->fail_at && s->ntx == (unsigned)s->fail_at)
		return s->fail_err;
	if (s->ntx <= LOGMAX) {
		s->log[s->ntx - 1].len = len;
		memcpy(s->log[s->ntx - 1].b, value, len);
	}
	assert_true(w->qlen < QMAX);
	v = &w->q[(w->qhead + w->qlen++) % QMAX];
	v->to = !s->idx;
	v->len = len;
	memcpy(v->b, value, len);
	return 0;
}

static void fake_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct side *s = user;

	assert_true(id < MP_PBGATT_TIMERS);
	fake_sched_arm(&s->w->sched, &s->deadline[id], delay_ms);
	s->last_delay[id] = delay_ms;
}

/* The scheduler's view of a side. */
static bool side_live(void *owner)
{
	return ((struct side *)owner)->link != NULL;
}

static void side_fire(void *owner, unsigned int id)
{
	struct side *s = owner;

	mp_pbgatt_timeout(s->link, id);
}

static void fake_disconnect(void *user)
{
	struct side *s = user;

	s->disconnects++;
	s->w->drop_pending = true;
	s->w->drop_err = 0;	/* the peer sees a normal disconnection */
}

static void kick(struct side *s);

static void cb_opened(void *user)
{
	struct side *s = user;

	s->opened++;
	event(s, 'o');
	if (s->app_opened)
		s->app_opened(s);
}

static void cb_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct side *s = user;

	s->nrx++;
	event(s, 'r');
	assert_true(len >= 1 && len <= sizeof(s->last_rx));
	memcpy(s->last_rx, pdu, len);
	s->last_rx_len = len;
	if (s->answer_rx) {
		s->answer_rx = false;
		assert_int_equal(mp_pbgatt_send(s->link, pdu, len), 0);
	}
	if (s->app_rx)
		s->app_rx(s, pdu, len);
}

static void cb_delivered(void *user)
{
	struct side *s = user;
	uint8_t pdu[3] = { 0x01, 0x02, 0x03 };

	/* Never from inside send(): the session would lose it. */
	assert_false(s->in_send);
	s->delivered++;
	event(s, 'd');
	s->busy = false;
	if (s->chain_left) {
		s->chain_left--;
		pdu[0] = (uint8_t)s->chain_left;
		s->in_send = true;
		assert_int_equal(mp_pbgatt_send(s->link, pdu, sizeof(pdu)), 0);
		s->in_send = false;
	}
	kick(s);
}

static void cb_closed(void *user, int err, uint8_t reason, bool remote)
{
	struct side *s = user;

	s->closed++;
	event(s, 'c');
	s->close_err = err;
	s->close_reason = reason;
	s->close_remote = remote;
	if (s->free_on_close) {
		mp_pbgatt_free(s->link);
		s->link = NULL;
	}
}

static const struct mp_pbgatt_ops fake_ops = {
	.tx = fake_tx, .timer = fake_timer, .disconnect = fake_disconnect,
};
static const struct mp_bearer_cb fake_cb = {
	.opened = cb_opened, .rx = cb_rx, .delivered = cb_delivered, .closed = cb_closed,
};

static struct world *world_new_max(size_t rx_max)
{
	struct world *w = calloc(1, sizeof(*w));
	int i;

	assert_non_null(w);
	w->q = calloc(QMAX, sizeof(*w->q));
	assert_non_null(w->q);
	fake_sched_init(&w->sched, &w->now);
	for (i = 0; i < 2; i++)
		fake_sched_add(&w->sched, w->s[i].deadline, MP_PBGATT_TIMERS, &w->s[i], side_live,
			       side_fire);
	for (i = 0; i < 2; i++) {
		struct mp_pbgatt_config cfg = {
			.role = i == PROV ? MP_PBGATT_PROVISIONER : MP_PBGATT_DEVICE,
			.ops = &fake_ops, .cb = &fake_cb, .user = &w->s[i], .rx_max = rx_max,
		};

		w->s[i].w = w;
		w->s[i].idx = i;
		w->s[i].log = calloc(LOGMAX, sizeof(struct val));
		assert_non_null(w->s[i].log);
		w->s[i].link = mp_pbgatt_new(&cfg);
		assert_non_null(w->s[i].link);
		assert_int_equal(mp_pbgatt_state(w->s[i].link), MP_PBGATT_WAITING);
		assert_int_equal(mp_pbgatt_role(w->s[i].link), cfg.role);
		assert_int_equal(mp_pbgatt_mtu(w->s[i].link), 23);
	}
	return w;
}

static struct world *world_new(void)
{
	return world_new_max(0);
}

static void world_free(struct world *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		mp_pbgatt_free(w->s[i].link);
		free(w->s[i].log);
	}
	free(w->q);
	free(w);
}

/* Connected, MTU exchanged, notifications enabled: both ends open. */
static void connect_pair(struct world *w, unsigned mtu)
{
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(mp_pbgatt_set_mtu(w->s[i].link, mtu), 0);
		assert_int_equal(mp_pbgatt_ready(w->s[i].link), 0);
		assert_int_equal(w->s[i].opened, 1);
		assert_int_equal(mp_pbgatt_state(w->s[i].link), MP_PBGATT_OPEN);
	}
}

/* Deliver the ATT values in flight, in order; then a requested
 * disconnection reaches both ends (values still in flight are lost). */
static void pump(void *ctx)
{
	struct world *w = ctx;

	for (;;) {
		while (w->qlen && !w->drop_pending) {
			struct val *v = &w->q[w->qhead];
			struct side *to = &w->s[v->to];

			w->qhead = (w->qhead + 1) % QMAX;
			w->qlen--;
			if (to->link)
				mp_pbgatt_rx(to->link, v->b, v->len);
		}
		if (!w->drop_pending)
			return;
		w->drop_pending = false;
		w->qlen = 0;
		/* The end that asked hears of its own disconnection, the other
		 * of the peer's. */
		if (w->s[PROV].link)
			mp_pbgatt_disconnected(w->s[PROV].link, w->drop_err);
		if (w->s[DEV].link)
			mp_pbgatt_disconnected(w->s[DEV].link, w->drop_err);
	}
}

/* Run the connection and the clock until @done or time @limit (ms). */
static bool run(struct world *w, uint64_t limit, bool (*done)(void *ctx))
{
	return fake_sched_run(&w->sched, limit, pump, done, w);
}

static bool both_closed(void *ctx)
{
	const struct world *w = ctx;

	return w->s[PROV].closed && w->s[DEV].closed;
}

static void send_ok(struct side *s, const uint8_t *pdu, size_t len)
{
	s->in_send = true;
	assert_int_equal(mp_pbgatt_send(s->link, pdu, len), 0);
	s->in_send = false;
}

/* Feed one ATT value given in hex to @s, as the peer's. */
static int feed_hex(struct side *s, const char *hex)
{
	uint8_t v[64];
	size_t n = tu_unhex(hex, v, sizeof(v));

	return mp_pbgatt_rx(s->link, v, n);
}

/* ---------- 8.8 on the wire ---------- */

static void test_sample_data_on_the_wire(void **state)
{
	int dir;

	for (dir = 0; dir < 2; dir++) {
		struct world *w = world_new();
		struct side *tx = &w->s[dir], *rx = &w->s[!dir];
		size_t k;

		connect_pair(w, 23);
		send_ok(tx, sample_pdu, sample_len);
		assert_int_equal(tx->ntx, 4);
		for (k = 0; k < 4; k++) {
			assert_int_equal(tx->log[k].len, sample_val_len[k]);
			tu_assert_bytes(tx->log[k].b, sample_val[k], sample_val_len[k]);
		}
		assert_int_equal(tx->delivered, 0);
		pump(w);
		assert_int_equal(rx->nrx, 1);
		assert_int_equal(rx->last_rx_len, sample_len);
		tu_assert_bytes(rx->last_rx, sample_pdu, sample_len);
		/* The SAR timer ran from the First segment to the Last. */
		assert_int_equal(rx->last_delay[MP_PBGATT_TIMER_SAR], 0);
		assert_int_equal(rx->deadline[MP_PBGATT_TIMER_SAR], 0);
		run(w, w->now + 10, NULL);
		assert_int_equal(tx->delivered, 1);
		world_free(w);
	}
}

/* ---------- every size, every ATT_MTU ---------- */

static bool none_busy(void *ctx)
{
	const struct world *w = ctx;

	return !w->s[PROV].busy && !w->s[DEV].busy;
}

static void exchange_sizes(unsigned mtu, size_t from, size_t to, size_t step)
{
	struct world *w = world_new();
	uint8_t pdu[MP_PBGATT_PDU_MAX];
	size_t len;

	connect_pair(w, mtu);
	for (len = from; len <= to; len += step) {
		struct side *tx = &w->s[len % 2], *rx = &w->s[!(len % 2)];
		unsigned ntx = tx->ntx, nrx = rx->nrx, delivered = tx->delivered;

		pattern(pdu, len, (unsigned)len + mtu);
		send_ok(tx, pdu, len);
		tx->busy = true;
		assert_int_equal(tx->ntx - ntx, mp_proxy_seg_count(len, mtu));
		assert_int_equal(tx->delivered, delivered);
		assert_int_equal(tx->last_delay[MP_PBGATT_TIMER_DELIVER], MP_PBGATT_DEFER_MS);
		assert_int_equal(mp_pbgatt_send(tx->link, pdu, len), -EBUSY);
		assert_true(run(w, w->now + 100, none_busy));
		assert_int_equal(tx->delivered, delivered + 1);
		assert_int_equal(rx->nrx, nrx + 1);
		assert_int_equal(rx->last_rx_len, len);
		tu_assert_bytes(rx->last_rx, pdu, len);
	}
	assert_int_equal(mp_pbgatt_state(w->s[PROV].link), MP_PBGATT_OPEN);
	assert_int_equal(mp_pbgatt_state(w->s[DEV].link), MP_PBGATT_OPEN);
	assert_int_equal(w->s[PROV].disconnects + w->s[DEV].disconnects, 0);
	world_free(w);
}

static void test_every_size_at_mtu_23_69_517(void **state)
{
	static const unsigned mtus[] = { 23, 69, 517 };
	size_t i;

	for (i = 0; i < 3; i++) {
		exchange_sizes(mtus[i], 1, 66, 1);
		/* Record Responses may be longer than a Public Key. */
		exchange_sizes(mtus[i], 67, MP_PBGATT_PDU_MAX, 47);
		exchange_sizes(mtus[i], MP_PBGATT_PDU_MAX, MP_PBGATT_PDU_MAX, 1);
	}
}

/* ---------- delivered(): deferred, ordered, re-entrant ---------- */

static void test_delivered_is_deferred_and_reentrant(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	const uint8_t pdu[] = { 0x00, 0x05 };

	connect_pair(w, 23);
	/* The session sends the next PDU from inside delivered(), 5 times. */
	p->chain_left = 5;
	send_ok(p, pdu, sizeof(pdu));
	assert_int_equal(p->delivered, 0);
	assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], w->now + MP_PBGATT_DEFER_MS);
	run(w, w->now + 1000, NULL);
	assert_int_equal(p->delivered, 6);
	assert_int_equal(d->nrx, 6);
	assert_int_equal(d->last_rx[0], 0);
	assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], 0);
	/* A stale expiry of the deferral timer reports nothing twice. */
	mp_pbgatt_timeout(p->link, MP_PBGATT_TIMER_DELIVER);
	assert_int_equal(p->delivered, 6);
	world_free(w);
}

static void test_answer_reports_delivered_first(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];

	connect_pair(w, 23);
	/* The device answers from inside rx(), before the provisioner's
	 * deferred delivered() fired: the answer reports it first. */
	d->answer_rx = true;
	send_ok(p, sample_pdu, sample_len);
	pump(w);
	assert_int_equal(d->nrx, 1);
	assert_int_equal(p->nrx, 1);
	assert_int_equal(p->delivered, 1);
	assert_string_equal(p->events, "odr");
	assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], 0);
	tu_assert_bytes(p->last_rx, sample_pdu, sample_len);
	run(w, w->now + 100, NULL);
	assert_int_equal(p->delivered, 1);
	assert_int_equal(d->delivered, 1);
	assert_string_equal(d->events, "ord");
	world_free(w);
}

/* ---------- closing ---------- */

static void test_close_then_free_from_closed(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];

	connect_pair(w, 69);
	send_ok(p, sample_pdu, sample_len);
	/* The session closes with its PDU outstanding: abandoned. */
	assert_int_equal(mp_pbgatt_close(p->link, MP_LINK_CLOSE_SUCCESS), 0);
	assert_int_equal(mp_pbgatt_state(p->link), MP_PBGATT_CLOSING);
	assert_int_equal(p->disconnects, 1);
	assert_int_equal(p->closed, 0);
	assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], 0);
	assert_int_equal(mp_pbgatt_close(p->link, MP_LINK_CLOSE_FAIL), -EALREADY);
	assert_int_equal(mp_pbgatt_send(p->link, sample_pdu, sample_len), -ENOTCONN);
	assert_int_equal(feed_hex(p, "0301"), -ENOTCONN);
	assert_int_equal(mp_pbgatt_ready(p->link), -ENOTCONN);
	/* Both owners free their link from inside closed() (ASan checks). */
	p->free_on_close = d->free_on_close = true;
	pump(w);
	assert_null(p->link);
	assert_null(d->link);
	assert_int_equal(p->closed, 1);
	assert_int_equal(p->close_err, 0);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_SUCCESS);
	assert_false(p->close_remote);
	assert_int_equal(p->delivered, 0);
	assert_int_equal(d->closed, 1);
	assert_int_equal(d->close_err, 0);
	assert_true(d->close_remote);
	assert_int_equal(d->nrx, 0);	/* in flight when the connection went */
	world_free(w);
}

struct bad_seq {
	const char *what;
	const char *val[3];
	size_t n;
	int err;
};

static void test_sar_violations_close_with_distinct_errors(void **state)
{
	static const struct bad_seq cases[] = {
		{ "empty value", { "" }, 1, -EBADMSG },
		{ "Complete without data", { "03" }, 1, -EBADMSG },
		{ "Continuation without First", { "8301" }, 1, -ENOMSG },
		{ "Last without First", { "c301" }, 1, -ENOMSG },
		{ "First while in progress", { "4301", "4301" }, 2, -EALREADY },
		{ "Complete while in progress", { "4301", "0301" }, 2, -EALREADY },
		{ "type change", { "4301", "c001" }, 2, -EPROTOTYPE },
		{ "too long", { "43000102030405060708090a0b0c0d0e0f1011", "c300010203" }, 2,
		  -EMSGSIZE },
	};
	/* One error per kind of violation, none a timeout or a lost link. */
	static const int kinds[] = { -EBADMSG, -ENOMSG, -EALREADY, -EPROTOTYPE, -EMSGSIZE,
				     -ETIMEDOUT, -ECONNRESET };
	size_t i, k;

	for (i = 0; i < 7; i++)
		for (k = i + 1; k < 7; k++)
			assert_int_not_equal(kinds[i], kinds[k]);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world *w = world_new_max(20);
		struct side *p = &w->s[PROV], *d = &w->s[DEV];

		print_message("    %s\n", cases[i].what);
		connect_pair(w, 23);
		for (k = 0; k + 1 < cases[i].n; k++)
			assert_int_equal(feed_hex(d, cases[i].val[k]), 0);
		assert_int_equal(feed_hex(d, cases[i].val[k]), cases[i].err);
		assert_int_equal(mp_pbgatt_state(d->link), MP_PBGATT_CLOSING);
		assert_int_equal(d->disconnects, 1);
		assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);
		/* Nothing more is taken while closing. */
		assert_int_equal(feed_hex(d, "0301"), -ENOTCONN);
		run(w, w->now + 100, both_closed);
		assert_int_equal(d->nrx, 0);
		assert_int_equal(d->close_err, cases[i].err);
		assert_int_equal(d->close_reason, MP_LINK_CLOSE_FAIL);
		assert_false(d->close_remote);
		assert_int_equal(p->close_err, 0);
		assert_true(p->close_remote);
		world_free(w);
	}
}

static void test_other_message_types_are_ignored(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	const uint8_t pdu[] = { 0x00, 0x05 };

	connect_pair(w, 23);
	assert_int_equal(feed_hex(d, "0001020304"), -EOPNOTSUPP);	/* Network PDU */
	assert_int_equal(feed_hex(d, "01aa"), -EOPNOTSUPP);		/* Mesh Beacon */
	assert_int_equal(feed_hex(d, "4201"), 0);			/* Proxy Configuration, */
	assert_int_not_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);
	assert_int_equal(feed_hex(d, "c202"), -EOPNOTSUPP);		/* segmented */
	assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);
	assert_int_equal(feed_hex(d, "3f00"), -EOPNOTSUPP);		/* RFU */
	assert_int_equal(mp_pbgatt_ignored(d->link), 4);
	assert_int_equal(d->nrx, 0);
	assert_int_equal(mp_pbgatt_state(d->link), MP_PBGATT_OPEN);
	/* ...and Provisioning PDUs still flow, delivered is still deferred. */
	send_ok(p, pdu, sizeof(pdu));
	assert_int_equal(feed_hex(d, "03000102"), 0);
	assert_int_equal(d->nrx, 1);
	run(w, w->now + 10, NULL);
	assert_int_equal(d->nrx, 2);
	assert_int_equal(p->delivered, 1);
	assert_int_equal(d->disconnects, 0);
	world_free(w);
}

/* ---------- timers and lost connections ---------- */

static void test_sar_timer_20s(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint64_t t0;

	connect_pair(w, 23);
	/* Completed in time: the timer is cancelled. */
	w->now = 1000;
	assert_int_equal(feed_hex(d, "4301"), 0);
	assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], 1000 + MP_PROXY_SAR_TIMEOUT_MS);
	w->now = 1000 + MP_PROXY_SAR_TIMEOUT_MS - 1;
	assert_int_equal(feed_hex(d, "c302"), 0);
	assert_int_equal(d->nrx, 1);
	assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);

	/* 20 s for the whole message from its First segment: Continuations
	 * do not restart it. */
	t0 = w->now = 50000;
	assert_int_equal(feed_hex(d, "4301"), 0);
	w->now = t0 + 15000;
	assert_int_equal(feed_hex(d, "8302"), 0);
	assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], t0 + MP_PROXY_SAR_TIMEOUT_MS);
	run(w, t0 + MP_PROXY_SAR_TIMEOUT_MS - 1, NULL);
	assert_int_equal(mp_pbgatt_state(d->link), MP_PBGATT_OPEN);
	assert_true(run(w, t0 + 60000, both_closed));
	assert_int_equal(d->disconnects, 1);
	assert_int_equal(d->close_err, -ETIMEDOUT);
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_false(d->close_remote);
	assert_int_equal(d->nrx, 1);
	assert_true(p->close_remote);
	world_free(w);
}

static void test_disconnect_mid_message(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];

	connect_pair(w, 23);
	send_ok(p, sample_pdu, sample_len);
	/* Only the First segment arrives; then the link layer gives up. */
	w->qhead = 0;
	assert_int_equal(mp_pbgatt_rx(d->link, w->q[0].b, w->q[0].len), 0);
	assert_int_not_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);
	w->qlen = 0;
	assert_int_equal(mp_pbgatt_disconnected(d->link, -ETIMEDOUT), 0);
	assert_int_equal(mp_pbgatt_disconnected(p->link, -ETIMEDOUT), 0);
	assert_int_equal(d->closed, 1);
	assert_int_equal(d->close_err, -ETIMEDOUT);
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_true(d->close_remote);
	assert_int_equal(d->deadline[MP_PBGATT_TIMER_SAR], 0);
	assert_int_equal(d->nrx, 0);
	/* The provisioner's PDU was written but never reported delivered. */
	assert_int_equal(p->closed, 1);
	assert_int_equal(p->delivered, 0);
	assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], 0);
	assert_string_equal(p->events, "oc");
	/* Nothing after closed(), whatever comes. */
	assert_int_equal(mp_pbgatt_disconnected(p->link, 0), -ENOTCONN);
	mp_pbgatt_timeout(p->link, MP_PBGATT_TIMER_DELIVER);
	assert_int_equal(feed_hex(p, "0301"), -ENOTCONN);
	assert_int_equal(mp_pbgatt_close(p->link, 0), -ENOTCONN);
	assert_int_equal(p->closed, 1);
	assert_int_equal(p->delivered, 0);

	/* Other drops: a normal one by the peer, any other error. */
	world_free(w);
	w = world_new();
	connect_pair(w, 23);
	assert_int_equal(mp_pbgatt_disconnected(w->s[PROV].link, 0), 0);
	assert_int_equal(w->s[PROV].close_err, 0);
	assert_int_equal(w->s[PROV].close_reason, MP_LINK_CLOSE_SUCCESS);
	assert_true(w->s[PROV].close_remote);
	assert_int_equal(mp_pbgatt_disconnected(w->s[DEV].link, -ECONNABORTED), 0);
	assert_int_equal(w->s[DEV].close_err, -ECONNABORTED);
	assert_int_equal(w->s[DEV].close_reason, MP_LINK_CLOSE_FAIL);
	world_free(w);
}

static void test_tx_failure_closes(void **state)
{
	static const struct { int at, err; } cases[] = {
		{ 1, -ENOBUFS }, { 3, -ENOTCONN }, { 4, -ENOBUFS }, { 2, 5 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world *w = world_new();
		struct side *p = &w->s[PROV], *d = &w->s[DEV];
		int want = cases[i].err < 0 ? cases[i].err : -EIO;

		connect_pair(w, 23);
		p->fail_at = cases[i].at;
		p->fail_err = cases[i].err;
		p->in_send = true;
		assert_int_equal(mp_pbgatt_send(p->link, sample_pdu, sample_len), want);
		p->in_send = false;
		/* No more writes after the failing one. */
		assert_int_equal(p->ntx, cases[i].at);
		assert_int_equal(mp_pbgatt_state(p->link), MP_PBGATT_CLOSING);
		assert_int_equal(p->disconnects, 1);
		assert_int_equal(p->deadline[MP_PBGATT_TIMER_DELIVER], 0);
		assert_int_equal(mp_pbgatt_send(p->link, sample_pdu, sample_len), -ENOTCONN);
		assert_true(run(w, w->now + 100, both_closed));
		assert_int_equal(p->delivered, 0);
		assert_int_equal(p->close_err, want);
		assert_int_equal(p->close_reason, MP_LINK_CLOSE_FAIL);
		assert_false(p->close_remote);
		assert_int_equal(d->nrx, 0);
		assert_true(d->close_remote);
		world_free(w);
	}
}

/* ---------- the API ---------- */

static void test_api_misuse(void **state)
{
	struct mp_pbgatt_ops no_disconnect = { .tx = fake_tx, .timer = fake_timer };
	struct mp_pbgatt_config cfg = { .role = MP_PBGATT_PROVISIONER, .ops = &no_disconnect };
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t big[MP_PBGATT_PDU_MAX + 1] = { 0 };
	struct mp_bearer b;

	errno = 0;
	assert_null(mp_pbgatt_new(&cfg));
	assert_int_equal(errno, EINVAL);
	assert_null(mp_pbgatt_new(NULL));
	cfg.ops = &fake_ops;
	cfg.role = (enum mp_pbgatt_role)7;
	assert_null(mp_pbgatt_new(&cfg));
	cfg.role = MP_PBGATT_DEVICE;
	cfg.rx_max = MP_PBGATT_PDU_MAX + 1;
	assert_null(mp_pbgatt_new(&cfg));
	mp_pbgatt_free(NULL);

	/* Before the GATT layer is ready. */
	assert_int_equal(mp_pbgatt_send(p->link, big, 1), -ENOTCONN);
	assert_int_equal(feed_hex(p, "0301"), -ENOTCONN);
	assert_int_equal(mp_pbgatt_set_mtu(p->link, 22), -EINVAL);
	assert_int_equal(mp_pbgatt_mtu(p->link), 23);
	mp_pbgatt_timeout(p->link, MP_PBGATT_TIMER_SAR);
	mp_pbgatt_timeout(p->link, 99);
	assert_int_equal(p->ntx + p->disconnects + p->closed, 0);

	connect_pair(w, 23);
	assert_int_equal(mp_pbgatt_ready(p->link), -EALREADY);
	assert_int_equal(p->opened, 1);
	assert_int_equal(mp_pbgatt_send(p->link, big, 0), -EMSGSIZE);
	assert_int_equal(mp_pbgatt_send(p->link, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(mp_pbgatt_send(p->link, NULL, 3), -EINVAL);
	assert_int_equal(p->ntx, 0);
	/* A stale SAR expiry with nothing in progress closes nothing. */
	mp_pbgatt_timeout(d->link, MP_PBGATT_TIMER_SAR);
	assert_int_equal(mp_pbgatt_state(d->link), MP_PBGATT_OPEN);

	/* The bearer interface. */
	b = mp_pbgatt_bearer(d->link);
	assert_string_equal(b.ops->name, "PB-GATT");
	assert_ptr_equal(b.link, d->link);
	d->in_send = true;
	assert_int_equal(mp_bearer_send(&b, sample_pdu, sample_len), 0);
	d->in_send = false;
	assert_int_equal(mp_bearer_send(&b, sample_pdu, sample_len), -EBUSY);
	run(w, w->now + 10, NULL);
	assert_int_equal(d->delivered, 1);
	tu_assert_bytes(p->last_rx, sample_pdu, sample_len);
	assert_int_equal(mp_bearer_close(&b, MP_LINK_CLOSE_FAIL), 0);
	assert_true(run(w, w->now + 10, both_closed));
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_FAIL);
	assert_false(d->close_remote);
	assert_int_equal(mp_bearer_close(&b, MP_LINK_CLOSE_FAIL), -ENOTCONN);
	world_free(w);

	/* Closing before the GATT layer was ready. */
	w = world_new();
	assert_int_equal(mp_pbgatt_close(w->s[DEV].link, MP_LINK_CLOSE_FAIL), 0);
	assert_int_equal(mp_pbgatt_ready(w->s[DEV].link), -ENOTCONN);
	pump(w);
	assert_int_equal(w->s[DEV].closed, 1);
	assert_int_equal(w->s[DEV].opened, 0);
	assert_false(w->s[DEV].close_remote);
	assert_int_equal(w->s[PROV].closed, 1);
	assert_true(w->s[PROV].close_remote);
	world_free(w);
}

static void test_rx_max(void **state)
{
	struct world *w = world_new_max(65);
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t pdu[66];

	connect_pair(w, 23);
	pattern(pdu, sizeof(pdu), 1);
	send_ok(p, pdu, 65);
	run(w, w->now + 10, NULL);
	assert_int_equal(d->nrx, 1);
	/* We may send what the peer does not accept: it drops us. */
	send_ok(p, pdu, 66);
	assert_true(run(w, w->now + 10, both_closed));
	assert_int_equal(d->nrx, 1);
	assert_int_equal(d->close_err, -EMSGSIZE);
	assert_true(p->close_remote);
	world_free(w);
}

/* ---------- a whole provisioning over PB-GATT ---------- */

struct prov_run {
	struct world *w;
	struct harness h;
	struct mp_sim_device *dev;
	bool dev_done;
	enum mp_prov_err dev_err;
	struct mp_sim_prov_result res;
};

static struct prov_run *the_run;

/* The session's queue: the provisioner emits PDUs in bursts (Start and
 * Public Key), the link takes one at a time; like the engine's. */
static void kick(struct side *s)
{
	int err;

	if (s->busy || !s->txq_count || !s->link || mp_pbgatt_state(s->link) != MP_PBGATT_OPEN)
		return;
	s->in_send = true;
	err = mp_pbgatt_send(s->link, s->txq[s->txq_head], s->txq_len[s->txq_head]);
	s->in_send = false;
	assert_int_equal(err, 0);
	s->busy = true;
	s->txq_head = (s->txq_head + 1) % TXQ;
	s->txq_count--;
}

static void app_send(struct side *s, const uint8_t *pdu, size_t len)
{
	unsigned slot = (s->txq_head + s->txq_count) % TXQ;

	assert_true(s->txq_count < TXQ && len <= sizeof(s->txq[0]));
	memcpy(s->txq[slot], pdu, len);
	s->txq_len[slot] = len;
	s->txq_count++;
	kick(s);
}

static void prov_forward(void *peer, const uint8_t *pdu, size_t len)
{
	app_send(peer, pdu, len);
}

static void dev_send(void *user, const uint8_t *pdu, size_t len)
{
	struct prov_run *r = user;

	app_send(&r->w->s[DEV], pdu, len);
}

static void dev_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *res)
{
	struct prov_run *r = user;

	r->dev_done = true;
	r->dev_err = err;
	if (res)
		r->res = *res;
}

static void prov_app_opened(struct side *s)
{
	assert_int_equal(mp_prov_start(the_run->h.prov), 0);
}

static void prov_app_rx(struct side *s, const uint8_t *pdu, size_t len)
{
	mp_prov_rx(the_run->h.prov, pdu, len);
}

static void dev_app_rx(struct side *s, const uint8_t *pdu, size_t len)
{
	mp_sim_device_rx(the_run->dev, pdu, len);
}

static bool provisioned(void *ctx)
{
	return the_run->h.done && the_run->dev_done;
}

static void provision_over_pbgatt(unsigned mtu, uint8_t alg)
{
	struct prov_run r = { 0 };
	struct mp_sim_device_config dc = { .caps = { .elements = 2, .algorithms = 3 } };
	struct mp_prov_params prm = { .action = -1 };
	struct side *p, *d;

	the_run = &r;
	r.w = world_new();
	p = &r.w->s[PROV];
	d = &r.w->s[DEV];
	dc.cb.send = dev_send;
	dc.cb.done = dev_done;
	dc.cb.user = &r;
	memset(dc.uuid, 0x22, 16);
	assert_int_equal(mp_sim_device_new(&dc, &r.dev), 0);
	prm.alg = alg == MP_ALG_HMAC ? MP_ALG_FORCE_HMAC : MP_ALG_FORCE_CMAC;
	harness_init(&r.h, &prm);
	r.h.forward = prov_forward;
	r.h.peer = p;
	p->app_opened = prov_app_opened;
	p->app_rx = prov_app_rx;
	d->app_rx = dev_app_rx;

	/* The device's server sees the CCCD written, then the client's
	 * side is ready and the provisioner starts. */
	assert_int_equal(mp_pbgatt_set_mtu(d->link, mtu), 0);
	assert_int_equal(mp_pbgatt_ready(d->link), 0);
	assert_int_equal(mp_pbgatt_set_mtu(p->link, mtu), 0);
	assert_int_equal(mp_pbgatt_ready(p->link), 0);
	assert_true(run(r.w, 60000, provisioned));

	assert_int_equal(r.h.err, MP_PROV_OK);
	assert_int_equal(r.h.errnum, 0);
	assert_int_equal(r.dev_err, MP_PROV_OK);
	tu_assert_bytes(r.res.device_key, r.h.device_key, 16);
	tu_assert_bytes(r.res.net_key, r.h.data.net_key, 16);
	assert_int_equal(r.res.unicast, r.h.data.unicast);
	assert_int_equal(r.res.algorithm, alg);
	/* Invite, Start, Public Key, Confirmation, Random, Data; and the
	 * device's Capabilities, Public Key, Confirmation, Random, Complete. */
	assert_int_equal(r.h.npdu, 6);
	assert_int_equal(p->delivered, 6);
	assert_int_equal(d->nrx, 6);
	assert_int_equal(p->nrx, 5);
	assert_int_equal(mp_pbgatt_ignored(p->link) + mp_pbgatt_ignored(d->link), 0);
	if (mtu == 23)
		assert_true(p->ntx > 6);	/* the Public Key was segmented */
	else
		assert_int_equal(p->ntx, 6);

	/* The provisioner drops the connection at the end. */
	assert_int_equal(mp_pbgatt_close(p->link, MP_LINK_CLOSE_SUCCESS), 0);
	assert_true(run(r.w, r.w->now + 100, both_closed));
	assert_int_equal(p->close_err, 0);
	assert_false(p->close_remote);
	assert_true(d->close_remote);

	harness_free(&r.h);
	mp_sim_device_free(r.dev);
	world_free(r.w);
	the_run = NULL;
}

static void test_full_provisioning(void **state)
{
	static const unsigned mtus[] = { 23, 69, 517 };
	size_t i;

	for (i = 0; i < 3; i++) {
		provision_over_pbgatt(mtus[i], MP_ALG_CMAC);
		provision_over_pbgatt(mtus[i], MP_ALG_HMAC);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_data_on_the_wire),
		cmocka_unit_test(test_every_size_at_mtu_23_69_517),
		cmocka_unit_test(test_delivered_is_deferred_and_reentrant),
		cmocka_unit_test(test_answer_reports_delivered_first),
		cmocka_unit_test(test_close_then_free_from_closed),
		cmocka_unit_test(test_sar_violations_close_with_distinct_errors),
		cmocka_unit_test(test_other_message_types_are_ignored),
		cmocka_unit_test(test_sar_timer_20s),
		cmocka_unit_test(test_disconnect_mid_message),
		cmocka_unit_test(test_tx_failure_closes),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_rx_max),
		cmocka_unit_test(test_full_provisioning),
	};

	return cmocka_run_group_tests_name("bearer/pbgatt (MshPRT v1.1 5.2.2, 6.3, 8.8)", tests,
					   load_vectors, NULL);
}
