/* engine: Network PDUs on the advertising bearer (Mesh Message AD 0x2A).
 * Sending with the Network Transmit state (MshPRT v1.1 4.2.20) on the fake
 * clock, beside a PB-ADV link on the same radio; receiving through the
 * engine's AD receiver table, with the length checks. The engine's radio
 * is the harness's tap (engine_harness.h), whose advertise is recorded
 * here with the fake time of each call. */
#include "engine_tu.h"

#include <errno.h>
#include <string.h>

#include "adv/adv.h"

#define LOG_MAX 512

/* Every advertise() the engine made: when, for whom, what. */
static struct {
	unsigned int n;
	uint64_t at[LOG_MAX];
	uint32_t sender[LOG_MAX];
	uint8_t ad[LOG_MAX][31];
	size_t len[LOG_MAX];
	int refuse;		/* the radio's answer to the next calls when not 0 */
} adv_log;

static int (*sim_advertise)(void *ctx, const uint8_t *ad, size_t len, uint32_t sender);

static int log_advertise(void *ctx, const uint8_t *ad, size_t len, uint32_t sender)
{
	struct eh *h = ctx;
	unsigned int i = adv_log.n;

	if (adv_log.refuse)
		return adv_log.refuse;
	assert_true(i < LOG_MAX);
	assert_true(len <= 31);
	adv_log.at[i] = mp_loop_now_ms(h->loop);
	adv_log.sender[i] = sender;
	memcpy(adv_log.ad[i], ad, len);
	adv_log.len[i] = len;
	adv_log.n++;
	return sim_advertise(ctx, ad, len, sender);
}

static struct eh *net_harness_delay(unsigned int devices, unsigned int delay_ms)
{
	struct eh_config cfg = { .devices = devices, .seed = 11, .memory_keyring = true,
				 .delay_ms = delay_ms };
	struct eh *h = harness_new(&cfg);

	memset(&adv_log, 0, sizeof(adv_log));
	sim_advertise = h->tap_ops.advertise;
	h->tap_ops.advertise = log_advertise;	/* the engine's radio ops are these */
	return h;
}

static struct eh *net_harness(unsigned int devices)
{
	return net_harness_delay(devices, 0);
}

/* A Network PDU's worth of octets (the bearer does not look inside). */
static void fill_pdu(uint8_t *pdu, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		pdu[i] = (uint8_t)(seed + i);
}

static void assert_net_ad(unsigned int i, const uint8_t *pdu, size_t len)
{
	assert_int_equal(adv_log.sender[i], MP_ENGINE_NET_SENDER);
	assert_int_equal(adv_log.len[i], len + 2);
	assert_int_equal(adv_log.ad[i][0], len + 1);
	assert_int_equal(adv_log.ad[i][1], MP_AD_MESH_MESSAGE);
	tu_assert_bytes(adv_log.ad[i] + 2, pdu, len);
}

static void test_transmit_state(void **state)
{
	uint8_t t = MP_ENGINE_NET_TRANSMIT(2, 1);

	(void)state;
	/* 4.2.20: count in bits 0-2, interval steps in bits 3-7 */
	assert_int_equal(t, 0x0a);
	assert_int_equal(MP_ENGINE_NET_TRANSMIT_COUNT(t), 2);
	assert_int_equal(MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(t), 20);
	assert_int_equal(MP_ENGINE_NET_TRANSMIT(7, 31), 0xff);
	assert_int_equal(MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(0xff), 320);
	assert_int_equal(MP_ENGINE_NET_TRANSMIT_INTERVAL_MS(0), 10);
}

/* Count 2, interval 20 ms: three advertisements, at t0, t0+20, t0+40. */
static void test_count_and_interval(void **state)
{
	struct eh *h = net_harness(1);
	uint8_t pdu[29];
	uint64_t t0 = mp_loop_now_ms(h->loop);
	unsigned int i;

	(void)state;
	fill_pdu(pdu, 20, 0x40);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 20, MP_ENGINE_NET_TRANSMIT(2, 1)), 0);
	/* the first at once, the others on the clock */
	assert_int_equal(adv_log.n, 1);
	assert_int_equal(mp_engine_net_pending(h->engine), 1);
	eh_run_for(h, 1000);
	assert_int_equal(adv_log.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(adv_log.at[i], t0 + 20 * i);
		assert_net_ad(i, pdu, 20);
	}
	assert_int_equal(mp_engine_net_pending(h->engine), 0);

	/* count 0: once; count 7, 31 steps: eight, 320 ms apart */
	memset(&adv_log, 0, sizeof(adv_log));
	t0 = mp_loop_now_ms(h->loop);
	fill_pdu(pdu, 14, 1);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, MP_ENGINE_NET_TRANSMIT(0, 5)), 0);
	assert_int_equal(mp_engine_net_pending(h->engine), 0);
	fill_pdu(pdu, 29, 2);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 29, 0xff), 0);
	eh_run_for(h, 5000);
	assert_int_equal(adv_log.n, 9);
	fill_pdu(pdu, 14, 1);
	assert_net_ad(0, pdu, 14);
	fill_pdu(pdu, 29, 2);
	for (i = 1; i < 9; i++) {
		assert_int_equal(adv_log.at[i], t0 + 320 * (i - 1));
		assert_net_ad(i, pdu, 29);
	}
	harness_free(h);
}

/* Two PDUs' repetitions interleave on the clock, each on its own interval. */
static void test_two_pdus_overlap(void **state)
{
	struct eh *h = net_harness(1);
	uint8_t a[14], b[14];
	uint64_t t0 = mp_loop_now_ms(h->loop);

	(void)state;
	fill_pdu(a, sizeof(a), 0xa0);
	fill_pdu(b, sizeof(b), 0xb0);
	assert_int_equal(mp_engine_net_send(h->engine, a, 14, MP_ENGINE_NET_TRANSMIT(1, 4)), 0);
	assert_int_equal(mp_engine_net_send(h->engine, b, 14, MP_ENGINE_NET_TRANSMIT(2, 1)), 0);
	assert_int_equal(mp_engine_net_pending(h->engine), 2);
	eh_run_for(h, 1000);
	/* a@0 b@0 b@20 b@40 a@50 */
	assert_int_equal(adv_log.n, 5);
	assert_net_ad(0, a, 14);
	assert_net_ad(1, b, 14);
	assert_net_ad(2, b, 14);
	assert_int_equal(adv_log.at[2], t0 + 20);
	assert_net_ad(3, b, 14);
	assert_int_equal(adv_log.at[3], t0 + 40);
	assert_net_ad(4, a, 14);
	assert_int_equal(adv_log.at[4], t0 + 50);
	harness_free(h);
}

static void test_send_bad(void **state)
{
	struct eh *h = net_harness(1);
	uint8_t pdu[40];
	unsigned int i;

	(void)state;
	fill_pdu(pdu, sizeof(pdu), 0);
	assert_int_equal(mp_engine_net_send(h->engine, NULL, 14, 0), -EINVAL);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 13, 0), -EMSGSIZE);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 30, 0), -EMSGSIZE);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 0, 0), -EMSGSIZE);
	assert_int_equal(adv_log.n, 0);

	/* as many with repetitions running as there are slots, then no more;
	 * a PDU sent once needs no slot */
	for (i = 0; i < MP_ENGINE_NET_TX_MAX; i++)
		assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, 0x01), 0);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, 0x01), -ENOBUFS);
	assert_int_equal(adv_log.n, MP_ENGINE_NET_TX_MAX);
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, 0x00), 0);
	assert_int_equal(adv_log.n, MP_ENGINE_NET_TX_MAX + 1);
	eh_run_for(h, 100);
	assert_int_equal(adv_log.n, 2 * MP_ENGINE_NET_TX_MAX + 1);
	assert_int_equal(mp_engine_net_pending(h->engine), 0);

	/* the radio refuses the first transmission: the error, no repetition */
	adv_log.refuse = -ENOBUFS;
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, 0x07), -ENOBUFS);
	assert_int_equal(mp_engine_net_pending(h->engine), 0);
	/* ... or a repetition: that copy only is lost */
	adv_log.refuse = 0;
	memset(&adv_log, 0, sizeof(adv_log));
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, MP_ENGINE_NET_TRANSMIT(2, 0)), 0);
	adv_log.refuse = -ENOBUFS;
	eh_run_for(h, 10);
	adv_log.refuse = 0;
	eh_run_for(h, 100);
	assert_int_equal(adv_log.n, 2);
	assert_int_equal(adv_log.at[1] - adv_log.at[0], 20);

	/* the radio is lost: what was to come is dropped */
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, MP_ENGINE_NET_TRANSMIT(3, 0)), 0);
	assert_int_equal(mp_engine_net_pending(h->engine), 1);
	eh_radio_lost(h, -ENODEV);
	assert_int_equal(mp_engine_net_pending(h->engine), 0);
	eh_run_for(h, 100);
	assert_int_equal(adv_log.n, 3);
	/* and freeing the engine with repetitions to come leaves no timer */
	assert_int_equal(mp_engine_net_send(h->engine, pdu, 14, MP_ENGINE_NET_TRANSMIT(3, 0)), 0);
	eh_free_engine(h);
	eh_run_for(h, 100);
	assert_int_equal(adv_log.n, 4);
	harness_free(h);
}

/* ---- PB-ADV and network traffic on one radio ---- */

static struct {
	struct eh *h;
	int64_t timer;
	unsigned int sent;
	uint8_t pdu[20];
} chatter;

/* A network PDU with two repetitions every 30 ms, as a busy node would. */
static void chatter_tick(struct mp_loop *loop, int64_t id, void *data)
{
	(void)id;
	(void)data;
	chatter.timer = 0;
	chatter.pdu[0] = (uint8_t)chatter.sent;
	if (mp_engine_net_send(chatter.h->engine, chatter.pdu, sizeof(chatter.pdu),
			       MP_ENGINE_NET_TRANSMIT(2, 0)) == 0)
		chatter.sent++;
	mp_loop_timer_set(loop, &chatter.timer, 30, chatter_tick, NULL);
}

static void test_interleave_with_pbadv(void **state)
{
	/* every advertisement takes 20 ms to arrive: the link takes a while */
	struct eh *h = net_harness_delay(1, 20);
	struct mp_provision_opts o;
	unsigned int i, net = 0, link = 0, switches = 0;

	(void)state;
	memset(&chatter, 0, sizeof(chatter));
	chatter.h = h;
	fill_pdu(chatter.pdu, sizeof(chatter.pdu), 0x10);
	eh_opts(&o);
	assert_int_equal(eh_provision(h, 0, &o), 0);
	chatter_tick(h->loop, 0, NULL);
	assert_int_equal(eh_run(h, dev0_final, QUICK_MS), 0);
	mp_loop_timer_cancel(h->loop, chatter.timer);
	assert_node_consistent_key(h, &h->dev[0], 0, 0);

	for (i = 0; i < adv_log.n; i++) {
		if (adv_log.sender[i] == MP_ENGINE_NET_SENDER) {
			net++;
			assert_int_equal(adv_log.ad[i][1], MP_AD_MESH_MESSAGE);
		} else {
			link++;
			assert_int_equal(adv_log.ad[i][1], MP_AD_PB_ADV);
		}
		if (i && (adv_log.sender[i] == MP_ENGINE_NET_SENDER) !=
			     (adv_log.sender[i - 1] == MP_ENGINE_NET_SENDER))
			switches++;
	}
	assert_true(chatter.sent > 3);
	assert_true(link > 3);
	/* each network PDU had its transmissions, but the last two's may be
	 * still to come */
	assert_true(net >= 3 * (chatter.sent - 2) && net <= 3 * chatter.sent);
	/* the two kinds took turns throughout, not one after the other */
	assert_true(switches >= 6);
	harness_free(h);
}

/* ---- receiving ---- */

static struct {
	unsigned int calls;
	uint8_t pdu[40];
	size_t len;
	int8_t rssi;
	uint8_t addr0;
	struct eh *h;
	bool send_back, detach;
} got;

static void on_net(void *user, const uint8_t *pdu, size_t len, const struct mp_adv_report *r)
{
	assert_ptr_equal(user, &got);
	got.calls++;
	assert_true(len <= sizeof(got.pdu));
	memcpy(got.pdu, pdu, len);
	got.len = len;
	got.rssi = r->rssi;
	got.addr0 = r->addr[0];
	if (got.send_back)	/* may send from inside */
		assert_int_equal(mp_engine_net_send(got.h->engine, pdu, len, 0), 0);
	if (got.detach)		/* and stop listening */
		assert_int_equal(mp_engine_net_receive(got.h->engine, NULL, NULL), 0);
}

static void inject(struct eh *h, const uint8_t *ad, size_t len)
{
	struct mp_adv_report r = { .data = ad, .len = len, .rssi = -61, .addr_type = 1 };

	r.addr[0] = 0x5a;
	eh_inject_report(h, &r);
}

/* A Mesh Message AD of @n octets of PDU into @ad; its length. */
static size_t msg_ad(uint8_t *ad, size_t n, uint8_t seed)
{
	ad[0] = (uint8_t)(n + 1);
	ad[1] = MP_AD_MESH_MESSAGE;
	fill_pdu(ad + 2, n, seed);
	return n + 2;
}

static void test_receive(void **state)
{
	struct eh *h = net_harness(1);
	uint8_t ad[96];
	size_t len;

	(void)state;
	memset(&got, 0, sizeof(got));
	got.h = h;
	/* nobody listening: nothing */
	len = msg_ad(ad, 14, 0x20);
	inject(h, ad, len);
	assert_int_equal(mp_engine_net_receive(h->engine, on_net, &got), 0);

	/* the shortest and the longest Network PDU, with the RSSI */
	inject(h, ad, len);
	assert_int_equal(got.calls, 1);
	assert_int_equal(got.len, 14);
	tu_assert_bytes(got.pdu, ad + 2, 14);
	assert_int_equal(got.rssi, -61);
	assert_int_equal(got.addr0, 0x5a);
	len = msg_ad(ad, 29, 0x30);
	inject(h, ad, len);
	assert_int_equal(got.calls, 2);
	assert_int_equal(got.len, 29);
	tu_assert_bytes(got.pdu, ad + 2, 29);

	/* too short, too long (an extended advertisement could carry it): no */
	len = msg_ad(ad, 13, 0x40);
	inject(h, ad, len);
	len = msg_ad(ad, 30, 0x40);
	inject(h, ad, len);
	len = msg_ad(ad, 0, 0x40);
	inject(h, ad, len);
	assert_int_equal(got.calls, 2);
	/* an AD structure that runs past the report: the report is dropped */
	len = msg_ad(ad, 20, 0x40);
	inject(h, ad, len - 1);
	assert_int_equal(got.calls, 2);

	/* an oversized one, then a good one: the good one is taken; of two
	 * good ones, the first only (a PDU per advertisement) */
	len = msg_ad(ad, 30, 0x50);
	len += msg_ad(ad + len, 15, 0x60);
	len += msg_ad(ad + len, 16, 0x70);
	inject(h, ad, len);
	assert_int_equal(got.calls, 3);
	assert_int_equal(got.len, 15);
	assert_int_equal(got.pdu[0], 0x60);

	/* sending from the receiver; then detaching from it */
	memset(&adv_log, 0, sizeof(adv_log));
	got.send_back = got.detach = true;
	len = msg_ad(ad, 18, 0x80);
	inject(h, ad, len);
	assert_int_equal(got.calls, 4);
	assert_int_equal(adv_log.n, 1);
	tu_assert_bytes(adv_log.ad[0], ad, len);
	inject(h, ad, len);
	assert_int_equal(got.calls, 4);

	/* attached again; a second receiver replaces the first */
	got.send_back = got.detach = false;
	assert_int_equal(mp_engine_net_receive(h->engine, on_net, &got), 0);
	assert_int_equal(mp_engine_net_receive(h->engine, on_net, &got), 0);
	inject(h, ad, len);
	assert_int_equal(got.calls, 5);
	harness_free(h);
}

/* The receiver takes a place in the engine's AD table: none left, -ENOSPC. */
static int dummy_rx(void *user, const struct mp_adv_report *r, const struct mp_ad *ad)
{
	(void)user;
	(void)r;
	(void)ad;
	return 0;
}

static void test_receive_table_full(void **state)
{
	struct eh *h = net_harness(1);
	const uint8_t type = 0x99;

	(void)state;
	while (mp_engine_ad_register(h->engine, type, NULL, 0, dummy_rx, NULL) > 0)
		;
	assert_int_equal(mp_engine_net_receive(h->engine, on_net, &got), -ENOSPC);
	assert_int_equal(mp_engine_net_receive(h->engine, NULL, NULL), 0);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transmit_state),
		cmocka_unit_test_teardown(test_count_and_interval, teardown),
		cmocka_unit_test_teardown(test_two_pdus_overlap, teardown),
		cmocka_unit_test_teardown(test_send_bad, teardown),
		cmocka_unit_test_teardown(test_interleave_with_pbadv, teardown),
		cmocka_unit_test_teardown(test_receive, teardown),
		cmocka_unit_test_teardown(test_receive_table_full, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
