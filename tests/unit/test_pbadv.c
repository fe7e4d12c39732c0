/* bearer/pbadv: PB-ADV links, provisioner and device, MshPRT v1.1 5.2.1 / 5.3.
 *
 * First byte for byte against the sample data of MshPRT v1.1 8.7 (each side
 * must emit exactly the sample messages), then a provisioner link and a
 * device link back to back over a fake radio (loss, duplication, reordering)
 * with a fake clock: all timers are driven by the test, no sleeping. */
#include "testutil.h"
#include "fake_sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/pbadv.h"
#include "core/buf.h"
#include "prov/pdu.h"

#define PROV 0
#define DEV 1
#define QMAX 8192
#define LOGMAX 1024
#define ITEMS_MAX 16

/* ---------- sample data ---------- */

struct item {
	char name[96];
	int sender;
	uint8_t pdu[MP_GPROV_PDU_MAX];
	size_t len;
	uint8_t num;
	unsigned nmsg;
	uint8_t msg[3][MP_PBADV_PDU_MAX];
	size_t msg_len[3];
	uint8_t ack[MP_PBADV_PDU_MAX];
	size_t ack_len;
};

static struct item items[ITEMS_MAX];
static size_t nitems;
static uint8_t sample_uuid[16];
static uint32_t sample_link_id;
static uint8_t link_open_msg[MP_PBADV_PDU_MAX], link_ack_msg[8], link_close_msg[8];
static size_t link_open_len, link_ack_len, link_close_len;

static int load_vectors(void **state)
{
	struct json_object *v = tu_vectors();
	uint8_t b[4];
	char p[96];
	size_t i, k;

	tu_hex(v, "pdus.device_uuid", sample_uuid, sizeof(sample_uuid));
	tu_hex(v, "pdus.link_id", b, 4);
	sample_link_id = mp_be32(b);
	link_open_len = tu_hex(v, "pdus.bearer_control.0.message", link_open_msg,
			       sizeof(link_open_msg));
	link_ack_len = tu_hex(v, "pdus.bearer_control.1.message", link_ack_msg,
			      sizeof(link_ack_msg));
	link_close_len = tu_hex(v, "pdus.bearer_control.2.message", link_close_msg,
				sizeof(link_close_msg));
	nitems = json_object_array_length(tu_get(v, "pdus.transactions"));
	assert_true(nitems <= ITEMS_MAX);
	for (i = 0; i < nitems; i++) {
		struct item *it = &items[i];

		snprintf(p, sizeof(p), "pdus.transactions.%zu.name", i);
		snprintf(it->name, sizeof(it->name), "%s", tu_str(v, p));
		snprintf(p, sizeof(p), "pdus.transactions.%zu.sender", i);
		it->sender = strcmp(tu_str(v, p), "device") == 0 ? DEV : PROV;
		snprintf(p, sizeof(p), "pdus.transactions.%zu.provisioning_pdu", i);
		it->len = tu_hex(v, p, it->pdu, sizeof(it->pdu));
		snprintf(p, sizeof(p), "pdus.transactions.%zu.transaction", i);
		tu_hex(v, p, &it->num, 1);
		snprintf(p, sizeof(p), "pdus.transactions.%zu.messages", i);
		it->nmsg = (unsigned)json_object_array_length(tu_get(v, p));
		assert_true(it->nmsg <= 3);
		for (k = 0; k < it->nmsg; k++) {
			snprintf(p, sizeof(p), "pdus.transactions.%zu.messages.%zu", i, k);
			it->msg_len[k] = tu_hex(v, p, it->msg[k], sizeof(it->msg[k]));
		}
		snprintf(p, sizeof(p), "pdus.transactions.%zu.ack", i);
		it->ack_len = tu_hex(v, p, it->ack, sizeof(it->ack));
	}
	return 0;
}

/* ---------- the fake world: two links, a radio, a clock ---------- */

struct msg {
	int to;
	size_t len;
	uint8_t b[MP_PBADV_PDU_MAX];
};

struct world;

struct side {
	struct world *w;
	int idx;
	struct mp_pbadv *link;
	uint64_t deadline[MP_PBADV_TIMERS];	/* 0: not armed */
	uint32_t last_delay[MP_PBADV_TIMERS];
	unsigned ntx, nlog;
	struct msg log[LOGMAX];
	struct msg last_tx;
	unsigned opened, delivered, closed, nrx;
	int close_err;
	uint8_t close_reason;
	bool close_remote;
	uint64_t opened_at, closed_at;
	size_t last_rx_len;
	uint8_t last_rx[MP_GPROV_PDU_MAX];
	/* the sample exchange */
	int last_item;		/* index of the last sample PDU received, -1 */
	uint64_t item_at[ITEMS_MAX];
	unsigned sent_items;
	bool free_on_close;
	uint32_t rand_value;
};

struct world {
	uint64_t now;
	struct fake_sched sched;	/* the two sides' timers on now */
	struct side s[2];
	struct msg q[QMAX];
	size_t qhead, qlen;
	/* radio impairments */
	unsigned drop_every, ntx_total;
	unsigned loss_pct;	/* random loss, from a seeded generator */
	uint32_t seed;
	bool drop_from[2];
	bool dup, reorder;
	bool (*drop)(struct world *w, int from, const uint8_t *b, size_t len);
	unsigned drop_count;
	unsigned closes_passed[2];	/* Link Close transmissions not lost */
	/* the sample exchange */
	bool script;
	size_t next_item;
	bool closing;
};

static void enqueue(struct world *w, int to, const uint8_t *b, size_t len)
{
	struct msg *m;

	assert_true(w->qlen < QMAX);
	m = &w->q[(w->qhead + w->qlen++) % QMAX];
	m->to = to;
	m->len = len;
	memcpy(m->b, b, len);
}

static void fake_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct side *s = user;
	struct world *w = s->w;

	assert_true(len >= 6 && len <= MP_PBADV_PDU_MAX);
	s->last_tx.len = len;
	memcpy(s->last_tx.b, pdu, len);
	if (s->nlog < LOGMAX)
		s->log[s->nlog++] = s->last_tx;
	s->ntx++;
	w->ntx_total++;
	if (w->drop_from[s->idx])
		return;
	/* Every Nth transmission of each sender: counted per direction, as
	 * one global count would, for N = 2, drop every answer. */
	if (w->drop_every && s->ntx % w->drop_every == 0)
		return;
	if (w->loss_pct) {
		w->seed = w->seed * 1103515245u + 12345u;
		if ((w->seed >> 16) % 100 < w->loss_pct)
			return;
	}
	if (w->drop && w->drop(w, s->idx, pdu, len)) {
		w->drop_count++;
		return;
	}
	enqueue(w, !s->idx, pdu, len);
	if (pdu[5] == 0x0b)
		w->closes_passed[s->idx]++;
	if (w->dup)
		enqueue(w, !s->idx, pdu, len);
}

static void fake_timer(void *user, unsigned id, uint32_t delay_ms)
{
	struct side *s = user;

	assert_true(id < MP_PBADV_TIMERS);
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

	mp_pbadv_timeout(s->link, id);
}

static uint32_t fake_random(void *user)
{
	struct side *s = user;

	return s->rand_value;
}

static void script_step(struct world *w);

static void cb_opened(void *user)
{
	struct side *s = user;

	s->opened++;
	s->opened_at = s->w->now;
	script_step(s->w);
}

static void cb_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct side *s = user;
	struct world *w = s->w;

	s->nrx++;
	assert_true(len <= sizeof(s->last_rx));
	memcpy(s->last_rx, pdu, len);
	s->last_rx_len = len;
	if (w->script) {
		/* Delivered in order, each exactly once: the next sample PDU
		 * the peer sends is the only acceptable one. */
		size_t k = (size_t)(s->last_item + 1);

		while (k < nitems && items[k].sender == s->idx)
			k++;
		if (k >= nitems)
			fail_msg("side %d: unexpected PDU after the exchange", s->idx);
		if (len != items[k].len || memcmp(pdu, items[k].pdu, len) != 0)
			fail_msg("side %d: expected %s", s->idx, items[k].name);
		s->last_item = (int)k;
		s->item_at[k] = w->now;
	}
	script_step(w);
}

static void cb_delivered(void *user)
{
	struct side *s = user;

	s->delivered++;
	script_step(s->w);
}

static void cb_closed(void *user, int err, uint8_t reason, bool remote)
{
	struct side *s = user;

	s->closed++;
	s->close_err = err;
	s->close_reason = reason;
	s->close_remote = remote;
	s->closed_at = s->w->now;
	if (s->free_on_close) {
		mp_pbadv_free(s->link);
		s->link = NULL;
	}
}

static const struct mp_pbadv_ops fake_ops = { .tx = fake_tx, .timer = fake_timer };
static const struct mp_pbadv_ops fake_ops_random = {
	.tx = fake_tx, .timer = fake_timer, .random = fake_random,
};
static const struct mp_bearer_cb fake_cb = {
	.opened = cb_opened, .rx = cb_rx, .delivered = cb_delivered, .closed = cb_closed,
};

static struct world *world_new_max(size_t rx_max)
{
	struct world *w = calloc(1, sizeof(*w));
	int i;

	assert_non_null(w);
	fake_sched_init(&w->sched, &w->now);
	for (i = 0; i < 2; i++)
		fake_sched_add(&w->sched, w->s[i].deadline, MP_PBADV_TIMERS, &w->s[i], side_live,
			       side_fire);
	for (i = 0; i < 2; i++) {
		struct mp_pbadv_config cfg = {
			.role = i == PROV ? MP_PBADV_PROVISIONER : MP_PBADV_DEVICE,
			.ops = &fake_ops, .cb = &fake_cb, .user = &w->s[i], .rx_max = rx_max,
		};

		memcpy(cfg.uuid, sample_uuid, sizeof(cfg.uuid));
		w->s[i].w = w;
		w->s[i].idx = i;
		w->s[i].last_item = -1;
		w->s[i].link = mp_pbadv_new(&cfg);
		assert_non_null(w->s[i].link);
	}
	return w;
}

static struct world *world_new(void)
{
	return world_new_max(0);
}

static void world_free(struct world *w)
{
	mp_pbadv_free(w->s[PROV].link);
	mp_pbadv_free(w->s[DEV].link);
	free(w);
}

/* Deliver everything in flight (FIFO, or LIFO to reorder). */
static void pump(void *ctx)
{
	struct world *w = ctx;

	while (w->qlen) {
		struct msg m;

		if (w->reorder) {
			m = w->q[(w->qhead + w->qlen - 1) % QMAX];
		} else {
			m = w->q[w->qhead];
			w->qhead = (w->qhead + 1) % QMAX;
		}
		w->qlen--;
		if (w->s[m.to].link)
			mp_pbadv_rx(w->s[m.to].link, m.b, m.len);
	}
}

/* Run the radio and the clock until @done or time @limit (ms). */
static bool run(struct world *w, uint64_t limit, bool (*done)(void *ctx))
{
	return fake_sched_run(&w->sched, limit, pump, done, w);
}

static bool both_closed(void *ctx)
{
	const struct world *w = ctx;

	return w->s[PROV].closed && w->s[DEV].closed;
}

static bool prov_closed(void *ctx)
{
	const struct world *w = ctx;

	return w->s[PROV].closed > 0;
}

static bool dev_closed(void *ctx)
{
	const struct world *w = ctx;

	return w->s[DEV].closed > 0;
}

static bool links_gone(void *ctx)
{
	const struct world *w = ctx;

	return !w->s[PROV].link && !w->s[DEV].link;
}

static bool both_open(void *ctx)
{
	const struct world *w = ctx;

	return w->s[PROV].opened && w->s[DEV].opened;
}

/* The sample exchange of MshPRT v1.1 8.7: each side sends its next sample
 * PDU once it has what precedes it; the provisioner closes at the end. */
static void script_step(struct world *w)
{
	size_t i = w->next_item;
	struct side *s;

	if (!w->script)
		return;
	if (i >= nitems) {
		s = &w->s[PROV];
		if (!w->closing && s->last_item == (int)nitems - 1) {
			w->closing = true;
			assert_int_equal(mp_pbadv_close(s->link, MP_LINK_CLOSE_SUCCESS), 0);
		}
		return;
	}
	s = &w->s[items[i].sender];
	if (!s->link || mp_pbadv_state(s->link) != MP_PBADV_OPEN)
		return;
	if (i > 0) {
		if (items[i - 1].sender == s->idx && s->delivered < s->sent_items)
			return;
		if (items[i - 1].sender != s->idx && s->last_item != (int)i - 1)
			return;
	}
	assert_int_equal(mp_pbadv_send(s->link, items[i].pdu, items[i].len), 0);
	s->sent_items++;
	w->next_item++;
}

/* Open the sample link cleanly and check both ends agree. */
static void open_pair(struct world *w)
{
	assert_int_equal(mp_pbadv_listen(w->s[DEV].link), 0);
	assert_int_equal(mp_pbadv_open(w->s[PROV].link, sample_link_id), 0);
	assert_true(run(w, w->now + 1000, both_open));
	assert_int_equal(mp_pbadv_state(w->s[PROV].link), MP_PBADV_OPEN);
	assert_int_equal(mp_pbadv_state(w->s[DEV].link), MP_PBADV_OPEN);
	assert_int_equal(mp_pbadv_link_id(w->s[DEV].link), sample_link_id);
}

static uint8_t gpcf_of(const uint8_t *b)
{
	return b[5] & 0x03;
}

static unsigned count_ctl(const struct side *s, uint8_t gpc)
{
	unsigned i, n = 0;

	for (i = 0; i < s->nlog; i++)
		if (s->log[i].len >= 6 && s->log[i].b[5] == gpc)
			n++;
	return n;
}

/* ---------- 8.7: byte for byte, both roles ---------- */

static void feed_ok(struct side *to, const uint8_t *b, size_t len)
{
	assert_int_equal(mp_pbadv_rx(to->link, b, len), 0);
}

static void test_sample_data_both_roles(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	size_t i, k;

	/* 8.7.1 Link Open, 8.7.2 Link Ack. */
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	assert_int_equal(mp_pbadv_open(p->link, sample_link_id), 0);
	assert_int_equal(p->nlog, 1);
	assert_int_equal(p->log[0].len, link_open_len);
	tu_assert_bytes(p->log[0].b, link_open_msg, link_open_len);
	feed_ok(d, link_open_msg, link_open_len);
	assert_int_equal(d->opened, 1);
	assert_int_equal(d->nlog, 1);
	assert_int_equal(d->log[0].len, link_ack_len);
	tu_assert_bytes(d->log[0].b, link_ack_msg, link_ack_len);
	feed_ok(p, link_ack_msg, link_ack_len);
	assert_int_equal(p->opened, 1);

	/* 8.7.3 .. 8.7.13: the segments each sender emits, the ack each
	 * receiver emits, the PDU each receiver delivers. */
	for (i = 0; i < nitems; i++) {
		struct item *it = &items[i];
		struct side *tx = &w->s[it->sender], *rx = &w->s[!it->sender];
		unsigned before = tx->nlog, rx_before = rx->nlog, delivered = tx->delivered;

		print_message("    %s\n", it->name);
		assert_int_equal(mp_pbadv_send(tx->link, it->pdu, it->len), 0);
		assert_int_equal(tx->nlog - before, it->nmsg);
		for (k = 0; k < it->nmsg; k++) {
			assert_int_equal(tx->log[before + k].len, it->msg_len[k]);
			tu_assert_bytes(tx->log[before + k].b, it->msg[k], it->msg_len[k]);
		}
		for (k = 0; k < it->nmsg; k++)
			feed_ok(rx, it->msg[k], it->msg_len[k]);
		assert_int_equal(rx->nlog - rx_before, 1);
		assert_int_equal(rx->log[rx_before].len, it->ack_len);
		tu_assert_bytes(rx->log[rx_before].b, it->ack, it->ack_len);
		assert_int_equal(rx->last_rx_len, it->len);
		tu_assert_bytes(rx->last_rx, it->pdu, it->len);
		feed_ok(tx, it->ack, it->ack_len);
		assert_int_equal(tx->delivered, delivered + 1);
		/* Transaction timers are cancelled once acknowledged. */
		assert_int_equal(tx->deadline[MP_PBADV_TIMER_GUARD], 0);
		assert_int_equal(tx->deadline[MP_PBADV_TIMER_RETRANSMIT], 0);
	}
	assert_int_equal(p->nrx + d->nrx, nitems);

	/* 8.7.14 Link Close, success: sent 3 times, then reported. */
	assert_int_equal(mp_pbadv_close(p->link, MP_LINK_CLOSE_SUCCESS), 0);
	assert_int_equal(p->last_tx.len, link_close_len);
	tu_assert_bytes(p->last_tx.b, link_close_msg, link_close_len);
	feed_ok(d, link_close_msg, link_close_len);
	assert_int_equal(d->closed, 1);
	assert_int_equal(d->close_err, 0);
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_SUCCESS);
	assert_true(d->close_remote);
	assert_int_equal(p->closed, 0);
	assert_true(run(w, 10000, prov_closed));
	assert_int_equal(count_ctl(p, 0x0b), MP_PBADV_CLOSE_REPEATS);
	tu_assert_bytes(p->last_tx.b, link_close_msg, link_close_len);
	assert_int_equal(p->close_err, 0);
	assert_false(p->close_remote);
	assert_int_equal(p->closed_at, (MP_PBADV_CLOSE_REPEATS - 1) * MP_PBADV_CLOSE_INTERVAL_MS);
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_CLOSED);
	world_free(w);
}

/* ---------- back to back ---------- */

/* Run the whole sample exchange and check its outcome. */
static void exchange(struct world *w)
{
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	int last_from_prov = -1;
	size_t i;

	w->script = true;
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	assert_int_equal(mp_pbadv_open(p->link, sample_link_id), 0);
	if (!run(w, 10 * 60 * 1000, prov_closed))
		fail_msg("not closed: item %zu, states %d %d", w->next_item,
			 mp_pbadv_state(p->link), mp_pbadv_state(d->link));
	run(w, w->now + 1000, NULL);	/* the last Link Close repeats land */
	assert_int_equal(w->next_item, nitems);
	/* Each side got the peer's PDUs in order (checked by cb_rx) up to
	 * the last one. */
	for (i = 0; i < nitems; i++)
		if (items[i].sender == PROV)
			last_from_prov = (int)i;
	assert_int_equal(p->last_item, (int)nitems - 1);
	assert_int_equal(d->last_item, last_from_prov);
	assert_int_equal(p->nrx + d->nrx, nitems);
	assert_int_equal(p->opened, 1);
	assert_int_equal(d->opened, 1);
	assert_int_equal(p->closed, 1);
	assert_int_equal(p->close_err, 0);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_SUCCESS);
	assert_false(p->close_remote);
	if (!w->closes_passed[PROV]) {
		/* All three Link Close were lost: nothing tells the device, and
		 * no bearer timer runs on an idle link. Its provisioning layer
		 * ends the session (MshPRT v1.1 5.4.4 protocol timeout). */
		assert_int_equal(d->closed, 0);
		assert_int_equal(mp_pbadv_state(d->link), MP_PBADV_OPEN);
		return;
	}
	assert_int_equal(d->closed, 1);
	assert_int_equal(d->close_err, 0);
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_SUCCESS);
	assert_true(d->close_remote);
}

static void test_exchange_clean(void **state)
{
	struct world *w = world_new();
	unsigned expect[2] = { 1 + MP_PBADV_CLOSE_REPEATS, 1 };	/* Link Open+Close, Link Ack */
	size_t i;

	exchange(w);
	/* Nothing lost, so nothing retransmitted: every transmission is
	 * accounted for, and no time passed before the close. */
	for (i = 0; i < nitems; i++) {
		expect[items[i].sender] += items[i].nmsg;
		expect[!items[i].sender] += 1;
	}
	assert_int_equal(w->s[PROV].ntx, expect[PROV]);
	assert_int_equal(w->s[DEV].ntx, expect[DEV]);
	assert_int_equal(w->s[DEV].closed_at, 0);
	world_free(w);
}

static void test_exchange_with_loss(void **state)
{
	/* Not 3: the 3-segment Public Keys would lose the same segment in
	 * every round, forever (no per-segment acks in Generic Provisioning);
	 * that is the loss model's period, not the link's; random loss below
	 * covers such rates. */
	static const unsigned every[] = { 2, 4, 5, 7, 11 };
	unsigned pct, seed;
	size_t i;

	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		struct world *w = world_new();

		print_message("    dropping every %u-th transmission\n", every[i]);
		w->drop_every = every[i];
		exchange(w);
		/* Transmissions were lost, and retransmissions made up for
		 * it well within the timers. */
		assert_true(w->ntx_total >= 2 * every[i]);
		assert_true(w->now < MP_PBADV_TRANSACTION_TIMEOUT_MS);
		world_free(w);
	}
	for (pct = 10; pct <= 40; pct += 10) {
		for (seed = 1; seed <= 8; seed++) {
			struct world *w = world_new();

			w->loss_pct = pct;
			w->seed = seed;
			print_message("    %u%% random loss, seed %u\n", pct, seed);
			exchange(w);
			world_free(w);
		}
	}
}

static void test_exchange_with_duplication_and_reordering(void **state)
{
	static const struct {
		bool dup, reorder;
		unsigned drop_every;
	} cases[] = {
		{ true, false, 0 }, { false, true, 0 }, { true, true, 0 },
		{ true, true, 3 }, { false, true, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct world *w = world_new();

		w->dup = cases[i].dup;
		w->reorder = cases[i].reorder;
		w->drop_every = cases[i].drop_every;
		exchange(w);
		world_free(w);
	}
}

/* Drop the first transmission of segment 1 of 8.7.6 (Public Key). */
static bool drop_pubkey_seg1_once(struct world *w, int from, const uint8_t *b, size_t len)
{
	const struct item *it = &items[3];

	return w->drop_count == 0 && len == it->msg_len[1] && memcmp(b, it->msg[1], len) == 0;
}

static void test_missing_segment_is_retransmitted(void **state)
{
	struct world *w = world_new(), *clean = world_new();

	assert_int_equal(items[3].nmsg, 3);
	w->drop = drop_pubkey_seg1_once;
	exchange(w);
	exchange(clean);
	assert_int_equal(w->drop_count, 1);
	/* Delivered after one retransmission interval, not before... */
	assert_int_equal(w->s[DEV].item_at[3], MP_PBADV_RETRANSMIT_MS);
	/* ...by one more round of all three segments, and nothing else. */
	assert_int_equal(w->s[PROV].ntx, clean->s[PROV].ntx + 3);
	/* Segment 0 of that round is a duplicate within the transaction
	 * (ignored), segment 1 completes it (ack), segment 2 repeats a
	 * completed transaction (acked again). */
	assert_int_equal(w->s[DEV].ntx, clean->s[DEV].ntx + 1);
	assert_int_equal(w->s[DEV].nrx, clean->s[DEV].nrx);
	world_free(w);
	world_free(clean);
}

/* Drop the device's first Transaction Ack of 8.7.3 (Invite). */
static bool drop_invite_ack(struct world *w, int from, const uint8_t *b, size_t len)
{
	return w->drop_count == 0 && from == DEV && len == items[0].ack_len &&
	       memcmp(b, items[0].ack, len) == 0;
}

static void test_peer_response_acknowledges_implicitly(void **state)
{
	struct world *w = world_new(), *clean = world_new();

	w->drop = drop_invite_ack;
	exchange(w);
	exchange(clean);
	assert_int_equal(w->drop_count, 1);
	/* Capabilities told the provisioner its Invite arrived: no
	 * retransmission, no delay. */
	assert_int_equal(w->s[PROV].ntx, clean->s[PROV].ntx);
	assert_int_equal(w->s[PROV].item_at[1], 0);
	assert_int_equal(w->s[PROV].delivered, clean->s[PROV].delivered);
	world_free(w);
	world_free(clean);
}

static void test_bad_fcs_is_neither_acked_nor_delivered(void **state)
{
	struct world *w = world_new();
	struct side *d = &w->s[DEV];
	uint8_t bad[MP_PBADV_PDU_MAX];
	size_t len = items[0].msg_len[0];
	unsigned ntx;

	open_pair(w);
	ntx = d->ntx;
	/* 8.7.3 Invite with its payload changed but its FCS kept. */
	memcpy(bad, items[0].msg[0], len);
	bad[len - 1] ^= 0x01;
	assert_int_equal(mp_pbadv_rx(d->link, bad, len), -EBADMSG);
	assert_int_equal(mp_pbadv_rx(d->link, bad, len), -EBADMSG);
	assert_int_equal(d->ntx, ntx);
	assert_int_equal(d->nrx, 0);
	/* A corrupted FCS octet is the same. */
	memcpy(bad, items[0].msg[0], len);
	bad[8] ^= 0x80;
	assert_int_equal(mp_pbadv_rx(d->link, bad, len), -EBADMSG);
	assert_int_equal(d->ntx, ntx);
	/* The retransmission in good order is acked and delivered once. */
	feed_ok(d, items[0].msg[0], len);
	assert_int_equal(d->ntx, ntx + 1);
	tu_assert_bytes(d->last_tx.b, items[0].ack, items[0].ack_len);
	assert_int_equal(d->nrx, 1);
	/* A duplicate of it is acked again but not delivered again. */
	assert_int_equal(mp_pbadv_rx(d->link, items[0].msg[0], len), -EALREADY);
	assert_int_equal(d->ntx, ntx + 2);
	tu_assert_bytes(d->last_tx.b, items[0].ack, items[0].ack_len);
	assert_int_equal(d->nrx, 1);
	world_free(w);
}

/* ---------- timers ---------- */

static void test_link_open_gives_up_after_60s(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV];
	unsigned opens;

	w->drop_from[PROV] = true;
	assert_int_equal(mp_pbadv_listen(w->s[DEV].link), 0);
	assert_int_equal(mp_pbadv_open(p->link, sample_link_id), 0);
	assert_false(run(w, MP_PBADV_LINK_TIMEOUT_MS - 1, prov_closed));
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_OPENING);
	assert_true(run(w, MP_PBADV_LINK_TIMEOUT_MS + 5000, prov_closed));
	assert_int_equal(p->closed_at, MP_PBADV_LINK_TIMEOUT_MS +
			 (MP_PBADV_CLOSE_REPEATS - 1) * MP_PBADV_CLOSE_INTERVAL_MS);
	assert_int_equal(p->close_err, -ETIMEDOUT);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_false(p->close_remote);
	assert_int_equal(p->opened, 0);
	/* Link Open was repeated every interval for the 60 s. */
	opens = count_ctl(p, 0x03);
	assert_true(opens >= MP_PBADV_LINK_TIMEOUT_MS / MP_PBADV_RETRANSMIT_MS);
	assert_true(opens <= MP_PBADV_LINK_TIMEOUT_MS / MP_PBADV_RETRANSMIT_MS + 1);
	assert_int_equal(count_ctl(p, 0x07), 0);
	assert_int_equal(count_ctl(p, 0x0b), MP_PBADV_CLOSE_REPEATS);
	assert_int_equal(p->last_tx.b[6], MP_LINK_CLOSE_TIMEOUT);
	/* Nothing is armed any more. */
	assert_int_equal(p->deadline[0] | p->deadline[1], 0);
	world_free(w);
}

static void test_transaction_gives_up_after_30s(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint64_t t0;
	unsigned i, starts = 0;

	open_pair(w);
	w->now = t0 = 1000;
	w->drop_from[PROV] = true;
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), 0);
	assert_int_equal(p->last_delay[MP_PBADV_TIMER_GUARD], MP_PBADV_TRANSACTION_TIMEOUT_MS);
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), -EBUSY);
	assert_false(run(w, t0 + MP_PBADV_TRANSACTION_TIMEOUT_MS - 1, prov_closed));
	assert_true(run(w, t0 + MP_PBADV_TRANSACTION_TIMEOUT_MS + 5000, prov_closed));
	assert_int_equal(p->closed_at, t0 + MP_PBADV_TRANSACTION_TIMEOUT_MS +
			 (MP_PBADV_CLOSE_REPEATS - 1) * MP_PBADV_CLOSE_INTERVAL_MS);
	assert_int_equal(p->close_err, -ETIMEDOUT);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_false(p->close_remote);
	assert_int_equal(p->delivered, 0);
	for (i = 0; i < p->nlog; i++)
		if (p->log[i].len == items[0].msg_len[0] &&
		    memcmp(p->log[i].b, items[0].msg[0], items[0].msg_len[0]) == 0)
			starts++;
	assert_true(starts >= MP_PBADV_TRANSACTION_TIMEOUT_MS / MP_PBADV_RETRANSMIT_MS);
	assert_true(starts <= MP_PBADV_TRANSACTION_TIMEOUT_MS / MP_PBADV_RETRANSMIT_MS + 1);
	/* The device heard nothing and is still open. */
	assert_int_equal(d->closed, 0);
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), -ENOTCONN);
	world_free(w);
}

/* The device's transactions never arrive, its bearer control does. */
static bool drop_device_transactions(struct world *w, int from, const uint8_t *b, size_t len)
{
	return from == DEV && (gpcf_of(b) == MP_GPROV_START || gpcf_of(b) == MP_GPROV_CONT);
}

static void test_device_transaction_timeout_closes_peer(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];

	open_pair(w);
	w->drop = drop_device_transactions;
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), 0);
	pump(w);
	assert_int_equal(p->delivered, 1);
	assert_int_equal(mp_pbadv_send(d->link, items[1].pdu, items[1].len), 0);
	assert_true(run(w, 60000, both_closed));
	assert_int_equal(d->close_err, -ETIMEDOUT);
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_false(d->close_remote);
	/* The provisioner hears the device's Link Close (Timeout). */
	assert_int_equal(p->close_err, 0);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_TIMEOUT);
	assert_true(p->close_remote);
	assert_int_equal(p->closed_at, MP_PBADV_TRANSACTION_TIMEOUT_MS);
	world_free(w);
}

static void test_retransmit_jitter_from_random(void **state)
{
	struct mp_pbadv_config cfg = { .role = MP_PBADV_PROVISIONER, .ops = &fake_ops_random,
				       .cb = &fake_cb };
	struct world *w = world_new();
	struct side *p = &w->s[PROV];

	mp_pbadv_free(p->link);
	cfg.user = p;
	p->link = mp_pbadv_new(&cfg);
	assert_non_null(p->link);
	p->rand_value = 37;
	assert_int_equal(mp_pbadv_open(p->link, 1), 0);
	assert_int_equal(p->last_delay[MP_PBADV_TIMER_RETRANSMIT], MP_PBADV_RETRANSMIT_MS + 37);
	assert_int_equal(p->last_delay[MP_PBADV_TIMER_GUARD], MP_PBADV_LINK_TIMEOUT_MS);
	p->rand_value = 0xffffffffu;	/* jitter stays below MP_PBADV_JITTER_MS + 1 */
	w->now = p->deadline[MP_PBADV_TIMER_RETRANSMIT];
	mp_pbadv_timeout(p->link, MP_PBADV_TIMER_RETRANSMIT);
	assert_int_equal(count_ctl(p, 0x03), 2);
	assert_true(p->last_delay[MP_PBADV_TIMER_RETRANSMIT] >= MP_PBADV_RETRANSMIT_MS);
	assert_true(p->last_delay[MP_PBADV_TIMER_RETRANSMIT] <=
		    MP_PBADV_RETRANSMIT_MS + MP_PBADV_JITTER_MS);
	/* A configured interval replaces the default. */
	mp_pbadv_free(p->link);
	cfg.retransmit_ms = 200;
	cfg.ops = &fake_ops;
	p->link = mp_pbadv_new(&cfg);
	assert_int_equal(mp_pbadv_open(p->link, 1), 0);
	assert_int_equal(p->last_delay[MP_PBADV_TIMER_RETRANSMIT], 200);
	world_free(w);
}

static void test_stale_timeouts_are_ignored(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	unsigned ntx;

	open_pair(w);
	ntx = p->ntx + d->ntx;
	/* Nothing is armed on an idle open link. */
	mp_pbadv_timeout(p->link, MP_PBADV_TIMER_GUARD);
	mp_pbadv_timeout(p->link, MP_PBADV_TIMER_RETRANSMIT);
	mp_pbadv_timeout(d->link, MP_PBADV_TIMER_GUARD);
	mp_pbadv_timeout(p->link, 7);
	assert_int_equal(p->ntx + d->ntx, ntx);
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_OPEN);
	/* An expiry that races with the ack (cancelled, delivered late). */
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), 0);
	pump(w);
	assert_int_equal(p->delivered, 1);
	ntx = p->ntx;
	mp_pbadv_timeout(p->link, MP_PBADV_TIMER_RETRANSMIT);
	mp_pbadv_timeout(p->link, MP_PBADV_TIMER_GUARD);
	assert_int_equal(p->ntx, ntx);
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_OPEN);
	world_free(w);
}

/* ---------- Link Close, Link IDs, malformed input ---------- */

static void test_peer_link_close_is_reported(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	static const uint8_t close_fail[] = { 0x23, 0xaf, 0x58, 0x50, 0x00, 0x0b, 0x02 };

	open_pair(w);
	assert_int_equal(mp_pbadv_close(d->link, MP_LINK_CLOSE_FAIL), 0);
	assert_int_equal(mp_pbadv_close(d->link, MP_LINK_CLOSE_FAIL), -EALREADY);
	assert_int_equal(mp_pbadv_send(d->link, items[1].pdu, items[1].len), -ENOTCONN);
	pump(w);
	assert_int_equal(p->closed, 1);
	assert_int_equal(p->close_err, 0);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_FAIL);
	assert_true(p->close_remote);
	assert_int_equal(d->closed, 0);
	assert_true(run(w, 5000, dev_closed));
	assert_int_equal(d->close_reason, MP_LINK_CLOSE_FAIL);
	assert_false(d->close_remote);
	assert_int_equal(p->closed, 1);	/* the repeats change nothing */

	/* A Link Close while the provisioner waits for Link Ack. */
	assert_int_equal(mp_pbadv_open(p->link, sample_link_id), 0);
	assert_int_equal(mp_pbadv_rx(p->link, close_fail, sizeof(close_fail)), 0);
	assert_int_equal(p->closed, 2);
	assert_true(p->close_remote);
	assert_int_equal(p->close_reason, MP_LINK_CLOSE_FAIL);
	assert_int_equal(p->deadline[0] | p->deadline[1], 0);
	/* Unrecognized reasons are reported as received. */
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	assert_int_equal(mp_pbadv_rx(d->link, link_open_msg, link_open_len), 0);
	assert_int_equal(mp_pbadv_rx(d->link, (const uint8_t *)"\x23\xaf\x58\x50\x00\x0b\x99", 7),
			 0);
	assert_int_equal(d->close_reason, 0x99);
	assert_true(d->close_remote);
	world_free(w);
}

static void test_other_link_ids_and_uuids_are_ignored(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t b[MP_PBADV_PDU_MAX];
	size_t len;
	uint32_t id;
	unsigned ntx;

	/* Listening: a Link Open for another device. */
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	memcpy(b, link_open_msg, link_open_len);
	b[link_open_len - 1] ^= 1;
	assert_int_equal(mp_pbadv_rx(d->link, b, link_open_len), -ENOENT);
	assert_int_equal(mp_pbadv_rx(d->link, items[0].msg[0], items[0].msg_len[0]), -ENOTCONN);
	assert_int_equal(d->ntx, 0);
	assert_int_equal(mp_pbadv_state(d->link), MP_PBADV_LISTENING);
	assert_int_equal(mp_pbadv_close(d->link, 0), 0);

	open_pair(w);
	ntx = d->ntx;
	/* A Link Open of the same link again: our Link Ack was lost. */
	assert_int_equal(mp_pbadv_rx(d->link, link_open_msg, link_open_len), -EALREADY);
	assert_int_equal(d->ntx, ntx + 1);
	tu_assert_bytes(d->last_tx.b, link_ack_msg, link_ack_len);
	assert_int_equal(d->opened, 1);
	/* A Link Open from another provisioner (other Link ID): ignored. */
	memcpy(b, link_open_msg, link_open_len);
	b[3] ^= 0x01;
	assert_int_equal(mp_pbadv_rx(d->link, b, link_open_len), -ENOENT);
	assert_int_equal(d->ntx, ntx + 1);
	/* A transaction and a Link Close for another Link ID: ignored. */
	len = items[0].msg_len[0];
	memcpy(b, items[0].msg[0], len);
	b[0] ^= 0x80;
	assert_int_equal(mp_pbadv_rx(d->link, b, len), -ENOENT);
	memcpy(b, link_close_msg, link_close_len);
	b[2] ^= 0x10;
	assert_int_equal(mp_pbadv_rx(d->link, b, link_close_len), -ENOENT);
	assert_int_equal(mp_pbadv_rx(p->link, b, link_close_len), -ENOENT);
	assert_int_equal(d->ntx, ntx + 1);
	assert_int_equal(d->nrx + d->closed + p->closed, 0);
	assert_int_equal(mp_pbadv_state(d->link), MP_PBADV_OPEN);

	/* Routing by Link ID. */
	assert_int_equal(mp_pbadv_pdu_link_id(b, link_close_len, &id), 0);
	assert_int_equal(id, sample_link_id ^ 0x00001000u);
	assert_int_equal(mp_pbadv_pdu_link_id(b, 5, &id), -EPROTO);
	assert_int_equal(mp_pbadv_link_id(p->link), sample_link_id);
	world_free(w);
}

struct bad_pdu {
	const char *what;
	const char *hex;
	int err;
};

static void test_malformed_pdus_are_rejected(void **state)
{
	static const struct bad_pdu bad[] = {
		{ "only a Link ID", "23af5850", -EPROTO },
		{ "no Generic Provisioning PDU", "23af585000", -EPROTO },
		{ "Ack with padding", "23af58500005", -EPROTO },
		{ "RFU bearer opcode", "23af5850000f", -EOPNOTSUPP },
		{ "truncated Start", "23af5850000000", -EPROTO },
		{ "Start, SegN above what TotalLength needs",
		  "23af5850000c0041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa", -EPROTO },
		{ "Start, SegN 63 with 65 octets",
		  "23af585000fc0041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa", -EPROTO },
		{ "Start, TotalLength 0", "23af5850000000001400", -EPROTO },
		{ "Start, one octet short", "23af58500000000214 00", -EPROTO },
		{ "Start, one octet long", "23af58500000000214 000000", -EPROTO },
		{ "Continuation with SegmentIndex 0", "23af58500002aa", -EPROTO },
		{ "Continuation, 24 octets", "23af585000 06 000102030405060708090a0b0c0d0e0f1011121314151617",
		  -EPROTO },
		{ "Continuation of an unexpected transaction", "23af58500506aa", -EPROTO },
		{ "Start of an unexpected transaction", "23af5850010000021400 00", -EPROTO },
		{ "Link Open with a short UUID", "23af58500003 70cf7c9732a345b691494810d2e9cb",
		  -EPROTO },
		{ "Link Close without reason", "23af5850000b", -EPROTO },
	};
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t b[64];
	size_t i;

	open_pair(w);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char hex[160];
		size_t j, k = 0, n;
		int side;

		for (j = 0; bad[i].hex[j]; j++)
			if (bad[i].hex[j] != ' ')
				hex[k++] = bad[i].hex[j];
		hex[k] = '\0';
		n = tu_unhex(hex, b, sizeof(b));
		for (side = 0; side < 2; side++) {
			struct side *s = &w->s[side];
			unsigned ntx = s->ntx;
			int err = mp_pbadv_rx(s->link, b, n), want = bad[i].err;

			/* A provisioner expects 0x80 first: 0x01 and 0x05
			 * are out of sequence for it too. */
			if (err != want)
				fail_msg("%s to %s: %d, expected %d", bad[i].what,
					 side == PROV ? "provisioner" : "device", err, want);
			assert_int_equal(s->ntx, ntx);
		}
	}
	/* Role confusion: each side receiving what only it sends. */
	assert_int_equal(mp_pbadv_rx(d->link, link_ack_msg, link_ack_len), -EPROTO);
	assert_int_equal(mp_pbadv_rx(p->link, link_open_msg, link_open_len), -EPROTO);
	assert_int_equal(mp_pbadv_rx(d->link, items[1].msg[0], items[1].msg_len[0]), -EPROTO);
	assert_int_equal(mp_pbadv_rx(p->link, items[0].msg[0], items[0].msg_len[0]), -EPROTO);
	/* An ack for nothing outstanding. */
	assert_int_equal(mp_pbadv_rx(p->link, items[0].ack, items[0].ack_len), -EALREADY);
	assert_int_equal(p->nrx + d->nrx + p->delivered + d->delivered, 0);
	assert_int_equal(p->closed + d->closed, 0);
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_OPEN);
	assert_int_equal(mp_pbadv_state(d->link), MP_PBADV_OPEN);

	/* Continuation before its Start, which turns out not to have one:
	 * dropped when the Start comes, the transaction still completes. */
	assert_int_equal(mp_pbadv_rx(d->link, (const uint8_t *)"\x23\xaf\x58\x50\x00\x06\xaa", 7),
			 0);
	assert_int_equal(d->nrx, 0);
	assert_int_equal(d->ntx, 1);
	feed_ok(d, items[0].msg[0], items[0].msg_len[0]);
	assert_int_equal(d->nrx, 1);
	tu_assert_bytes(d->last_rx, items[0].pdu, items[0].len);
	world_free(w);
}

static void test_segments_contradicting_their_start(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t pdu[30], gp[MP_GPROV_MTU], b[MP_PBADV_PDU_MAX] = { 0 };
	size_t i;
	ssize_t n;

	open_pair(w);
	for (i = 0; i < sizeof(pdu); i++)
		pdu[i] = (uint8_t)(i + 1);
	/* The Start of a 2-segment PDU, then bad continuations. */
	n = mp_gprov_segment(pdu, sizeof(pdu), mp_gprov_fcs(pdu, sizeof(pdu)), 0, gp, sizeof(gp));
	assert_true(n > 0);
	mp_store_be32(b, sample_link_id);
	b[4] = 0x00;
	memcpy(b + 5, gp, (size_t)n);
	feed_ok(d, b, 5 + (size_t)n);
	b[5] = 0x0a;	/* SegmentIndex 2 > SegN 1 */
	memcpy(b + 6, pdu + 20, 10);
	assert_int_equal(mp_pbadv_rx(d->link, b, 16), -EPROTO);
	b[5] = 0x06;	/* SegmentIndex 1, 9 octets instead of 10 */
	assert_int_equal(mp_pbadv_rx(d->link, b, 15), -EPROTO);
	assert_int_equal(mp_pbadv_rx(d->link, b, 17), -EPROTO);
	assert_int_equal(d->nrx, 0);
	assert_int_equal(d->ntx, 1);	/* only the Link Ack so far */
	feed_ok(d, b, 16);
	assert_int_equal(d->nrx, 1);
	assert_int_equal(d->last_rx_len, sizeof(pdu));
	tu_assert_bytes(d->last_rx, pdu, sizeof(pdu));
	assert_int_equal(p->nrx, 0);
	world_free(w);
}

/* ---------- transaction numbers, API, lifetime ---------- */

static void test_transaction_numbers_wrap_per_role(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	const uint8_t pdu[] = { 0x00, 0x05 };
	unsigned k;

	open_pair(w);
	for (k = 0; k < 300; k++) {
		struct side *tx = k % 2 ? d : p, *rx = k % 2 ? p : d;
		unsigned nth = k / 2;
		uint8_t want = (uint8_t)((tx == d ? 0x80 : 0x00) | (nth % 128));

		assert_int_equal(mp_pbadv_send(tx->link, pdu, sizeof(pdu)), 0);
		assert_int_equal(tx->last_tx.b[4], want);
		pump(w);
		assert_int_equal(tx->delivered, nth + 1);
		assert_int_equal(rx->nrx, nth + 1);
		assert_int_equal(rx->last_tx.b[4], want);	/* the ack */
	}
	world_free(w);
}

/* Feed the provisioner every segment of a transaction @num carrying @pdu
 * (@len octets, up to the format's 1469) on the link, as a forger in radio
 * range would: it knows the Link ID from the air. Returns the first error. */
static int forge_transaction(struct side *p, uint8_t num, const uint8_t *pdu, size_t len,
			     unsigned first, unsigned last)
{
	uint8_t gp[MP_GPROV_MTU], b[MP_PBADV_PDU_MAX];
	struct mp_writer wr;
	unsigned i;
	int ret = 0, r;

	for (i = first; i <= last && i <= mp_gprov_seg_n(len); i++) {
		ssize_t n = mp_gprov_segment(pdu, len, mp_gprov_fcs(pdu, len), i, gp, sizeof(gp));

		assert_true(n > 0);
		mp_writer_init(&wr, b, sizeof(b));
		mp_put_be32(&wr, mp_pbadv_link_id(p->link));
		mp_put_u8(&wr, num);
		mp_put_bytes(&wr, gp, (size_t)n);
		assert_true(mp_writer_ok(&wr));
		r = mp_pbadv_rx(p->link, b, wr.len);
		if (r && !ret)
			ret = r;
	}
	return ret;
}

/*
 * Issue 12: a forged Transaction Start announcing more than any Provisioning
 * PDU (here the format's whole 1469 octets, with every Continuation and a
 * correct FCS) was buffered, acknowledged and delivered, and the junk ended
 * the provisioning. It is dropped unacknowledged, and the device's own
 * transaction of the same number that follows goes through.
 */
static void test_oversized_transaction_is_dropped(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	static uint8_t junk[MP_GPROV_PDU_MAX];
	const struct item *pk = &items[4];	/* 8.7.7: the device's Public Key */
	unsigned ntx;

	/* The default limit is the longest Provisioning PDU the codec knows. */
	assert_int_equal(MP_GPROV_PROV_PDU_MAX, MP_PROV_PDU_MAX);
	assert_int_equal(pk->sender, DEV);
	assert_int_equal(pk->len, MP_PROV_PDU_MAX);
	memset(junk, 0x5a, sizeof(junk));
	junk[0] = 0x03;
	open_pair(w);
	ntx = p->ntx;
	/* The whole forged transaction: the Start, then every Continuation
	 * (indices a 65-octet PDU has not, and those it has). */
	assert_int_equal(forge_transaction(p, 0x80, junk, sizeof(junk), 0, 0), -EMSGSIZE);
	assert_int_equal(forge_transaction(p, 0x80, junk, sizeof(junk), 3, MP_GPROV_SEG_MAX),
			 -EMSGSIZE);
	assert_int_equal(forge_transaction(p, 0x80, junk, sizeof(junk), 1, 2), 0);
	/* Not acknowledged, not delivered. */
	assert_int_equal(p->ntx, ntx);
	assert_int_equal(p->nrx, 0);
	/* One octet over the limit is refused the same way... */
	assert_int_equal(forge_transaction(p, 0x80, junk, MP_PROV_PDU_MAX + 1, 0, 0), -EMSGSIZE);
	assert_int_equal(p->ntx, ntx);

	/* ...and the device's own PDU goes through, as transaction 0x80.
	 * Forged Continuations of the right size stored before it cost one
	 * retransmission round (the FCS catches them), no more. */
	assert_int_equal(mp_pbadv_send(d->link, pk->pdu, pk->len), 0);
	assert_true(run(w, w->now + MP_PBADV_TRANSACTION_TIMEOUT_MS - 1000, NULL));
	assert_int_equal(p->nrx, 1);
	assert_int_equal(p->last_rx_len, pk->len);
	tu_assert_bytes(p->last_rx, pk->pdu, pk->len);
	assert_int_equal(d->delivered, 1);
	assert_int_equal(d->closed, 0);
	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_OPEN);

	/* A link that asks for records takes a longer PDU as before. */
	world_free(w);
	w = world_new_max(MP_GPROV_PDU_MAX);
	p = &w->s[PROV];
	open_pair(w);
	ntx = p->ntx;
	assert_int_equal(forge_transaction(p, 0x80, junk, sizeof(junk), 0, MP_GPROV_SEG_MAX), 0);
	assert_int_equal(p->nrx, 1);
	assert_int_equal(p->last_rx_len, sizeof(junk));
	assert_int_equal(p->ntx, ntx + 1);
	world_free(w);
}

static void test_api_misuse(void **state)
{
	struct mp_pbadv_ops no_timer = { .tx = fake_tx };
	struct mp_pbadv_config cfg = { .role = MP_PBADV_PROVISIONER, .ops = &no_timer };
	struct world *w = world_new_max(MP_GPROV_PDU_MAX);
	struct side *p = &w->s[PROV], *d = &w->s[DEV];
	uint8_t big[MP_GPROV_PDU_MAX + 1] = { 0 };
	struct mp_bearer b;

	errno = 0;
	assert_null(mp_pbadv_new(&cfg));
	assert_int_equal(errno, EINVAL);
	assert_null(mp_pbadv_new(NULL));
	cfg.ops = &fake_ops;
	cfg.role = (enum mp_pbadv_role)7;
	assert_null(mp_pbadv_new(&cfg));
	cfg.role = MP_PBADV_PROVISIONER;
	cfg.rx_max = MP_GPROV_PDU_MAX + 1;
	errno = 0;
	assert_null(mp_pbadv_new(&cfg));
	assert_int_equal(errno, EINVAL);
	mp_pbadv_free(NULL);

	assert_int_equal(mp_pbadv_state(p->link), MP_PBADV_IDLE);
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), -ENOTCONN);
	assert_int_equal(mp_pbadv_close(p->link, 0), -ENOTCONN);
	assert_int_equal(mp_pbadv_rx(p->link, link_ack_msg, link_ack_len), -ENOTCONN);
	assert_int_equal(mp_pbadv_open(d->link, 1), -EINVAL);
	assert_int_equal(mp_pbadv_listen(p->link), -EINVAL);
	/* A listening device may stop without a callback. */
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	assert_int_equal(mp_pbadv_listen(d->link), -EBUSY);
	assert_int_equal(mp_pbadv_close(d->link, 0), 0);
	assert_int_equal(mp_pbadv_state(d->link), MP_PBADV_IDLE);
	assert_int_equal(d->closed, 0);

	open_pair(w);
	assert_int_equal(mp_pbadv_open(p->link, 5), -EBUSY);
	assert_int_equal(mp_pbadv_send(p->link, big, 0), -EMSGSIZE);
	assert_int_equal(mp_pbadv_send(p->link, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(mp_pbadv_send(p->link, big, MP_GPROV_PDU_MAX), 0);
	/* 64 segments, all within the MTU. */
	assert_int_equal(p->ntx, 1 + 64);
	assert_int_equal(mp_pbadv_send(p->link, big, 1), -EBUSY);
	pump(w);
	assert_int_equal(d->nrx, 1);
	assert_int_equal(d->last_rx_len, MP_GPROV_PDU_MAX);

	/* The bearer interface. */
	b = mp_pbadv_bearer(d->link);
	assert_string_equal(b.ops->name, "PB-ADV");
	assert_ptr_equal(b.link, d->link);
	assert_int_equal(mp_bearer_send(&b, items[1].pdu, items[1].len), 0);
	pump(w);
	assert_int_equal(d->delivered, 1);
	tu_assert_bytes(p->last_rx, items[1].pdu, items[1].len);
	assert_int_equal(mp_bearer_close(&b, MP_LINK_CLOSE_SUCCESS), 0);
	assert_true(run(w, w->now + 5000, both_closed));
	world_free(w);
}

static void test_free_from_closed_and_reuse(void **state)
{
	struct world *w = world_new();
	struct side *p = &w->s[PROV], *d = &w->s[DEV];

	/* Reuse: after closed(), open and listen again on the same objects;
	 * transaction numbers start over. */
	open_pair(w);
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), 0);
	pump(w);
	assert_int_equal(mp_pbadv_close(p->link, MP_LINK_CLOSE_FAIL), 0);
	assert_true(run(w, w->now + 5000, both_closed));
	assert_int_equal(mp_pbadv_listen(d->link), 0);
	assert_int_equal(mp_pbadv_open(p->link, sample_link_id + 1), 0);
	assert_true(run(w, w->now + 5000, both_open));
	assert_int_equal(p->opened, 2);
	assert_int_equal(mp_pbadv_link_id(d->link), sample_link_id + 1);
	assert_int_equal(mp_pbadv_send(p->link, items[0].pdu, items[0].len), 0);
	assert_int_equal(p->last_tx.b[4], 0x00);
	pump(w);
	assert_int_equal(d->nrx, 2);

	/* Both owners free their link from inside closed() (ASan checks). */
	p->free_on_close = d->free_on_close = true;
	assert_int_equal(mp_pbadv_close(d->link, MP_LINK_CLOSE_SUCCESS), 0);
	assert_true(run(w, w->now + 5000, links_gone));
	assert_int_equal(p->closed, 2);
	assert_int_equal(d->closed, 2);
	assert_null(p->link);
	assert_null(d->link);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_data_both_roles),
		cmocka_unit_test(test_exchange_clean),
		cmocka_unit_test(test_exchange_with_loss),
		cmocka_unit_test(test_exchange_with_duplication_and_reordering),
		cmocka_unit_test(test_missing_segment_is_retransmitted),
		cmocka_unit_test(test_peer_response_acknowledges_implicitly),
		cmocka_unit_test(test_bad_fcs_is_neither_acked_nor_delivered),
		cmocka_unit_test(test_link_open_gives_up_after_60s),
		cmocka_unit_test(test_transaction_gives_up_after_30s),
		cmocka_unit_test(test_device_transaction_timeout_closes_peer),
		cmocka_unit_test(test_retransmit_jitter_from_random),
		cmocka_unit_test(test_stale_timeouts_are_ignored),
		cmocka_unit_test(test_peer_link_close_is_reported),
		cmocka_unit_test(test_other_link_ids_and_uuids_are_ignored),
		cmocka_unit_test(test_malformed_pdus_are_rejected),
		cmocka_unit_test(test_segments_contradicting_their_start),
		cmocka_unit_test(test_transaction_numbers_wrap_per_role),
		cmocka_unit_test(test_oversized_transaction_is_dropped),
		cmocka_unit_test(test_api_misuse),
		cmocka_unit_test(test_free_from_closed_and_reuse),
	};

	return cmocka_run_group_tests_name("bearer/pbadv (MshPRT v1.1 5.2.1, 5.3, 8.7)", tests,
					   load_vectors, NULL);
}
