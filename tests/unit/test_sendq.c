/* bearer/sendq: one PDU outstanding on the bearer, the rest queued in
 * order, on a fake bearer that records what it is given. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "bearer/sendq.h"

struct fake {
	struct mp_sendq *q;
	int refuse;		/* the error send() returns, 0: accept */
	bool busy;		/* one outstanding, as a real bearer */
	bool deliver_inline;	/* report delivered() from inside send() */
	unsigned int nsent;
	uint8_t sent[16];	/* the first octet of each PDU sent */
	size_t sent_len[16];
};

static int fake_send(void *link, const uint8_t *pdu, size_t len)
{
	struct fake *f = link;

	if (f->refuse)
		return f->refuse;
	if (f->busy)
		return -EBUSY;
	assert_true(f->nsent < 16);
	f->sent[f->nsent] = pdu[0];
	f->sent_len[f->nsent++] = len;
	f->busy = true;
	if (f->deliver_inline) {
		f->busy = false;
		assert_int_equal(mp_sendq_delivered(f->q), 0);
	}
	return 0;
}

static int fake_close(void *link, uint8_t reason)
{
	return 0;
}

static const struct mp_bearer_ops fake_ops = { "fake", fake_send, fake_close };

/* The bearer acknowledged its PDU. */
static int deliver(struct fake *f)
{
	f->busy = false;
	return mp_sendq_delivered(f->q);
}

static void setup_q(struct mp_sendq *q, struct fake *f, unsigned int cap)
{
	struct mp_bearer b = { &fake_ops, f };

	memset(f, 0, sizeof(*f));
	f->q = q;
	mp_sendq_init(q, cap);
	mp_sendq_attach(q, b);
}

static int send1(struct mp_sendq *q, uint8_t tag, size_t len)
{
	uint8_t pdu[MP_SENDQ_PDU_MAX] = { tag };

	return mp_sendq_send(q, pdu, len);
}

static void test_one_outstanding_in_order(void **state)
{
	struct mp_sendq q;
	struct fake f;

	(void)state;
	setup_q(&q, &f, 4);
	assert_int_equal(send1(&q, 0x02, 12), 0);	/* Start: goes at once */
	assert_int_equal(send1(&q, 0x03, 65), 0);	/* Public Key: waits */
	assert_int_equal(f.nsent, 1);
	assert_int_equal(deliver(&f), 0);
	assert_int_equal(f.nsent, 2);
	assert_int_equal(f.sent[1], 0x03);
	assert_int_equal(f.sent_len[1], 65);
	assert_int_equal(deliver(&f), 0);
	assert_int_equal(f.nsent, 2);			/* nothing left */
	assert_int_equal(send1(&q, 0x05, 17), 0);	/* idle: goes at once */
	assert_int_equal(f.nsent, 3);
	assert_int_equal(f.sent[2], 0x05);
}

static void test_bounded(void **state)
{
	struct mp_sendq q;
	struct fake f;
	unsigned int i;

	(void)state;
	setup_q(&q, &f, 2);
	assert_int_equal(send1(&q, 1, 1), 0);		/* outstanding */
	assert_int_equal(send1(&q, 2, 1), 0);
	assert_int_equal(send1(&q, 3, 1), 0);
	assert_int_equal(send1(&q, 4, 1), -ENOBUFS);	/* two waiting: full */
	assert_int_equal(send1(&q, 5, 0), -EMSGSIZE);
	assert_int_equal(send1(&q, 5, MP_SENDQ_PDU_MAX + 1), -EMSGSIZE);
	for (i = 0; i < 3; i++)
		assert_int_equal(deliver(&f), 0);
	assert_int_equal(f.nsent, 3);
	assert_memory_equal(f.sent, ((uint8_t[]){ 1, 2, 3 }), 3);
	/* the capacity is cut to what the struct holds */
	mp_sendq_init(&q, 99);
	assert_int_equal(q.cap, MP_SENDQ_MAX);
}

static void test_refused_is_dropped(void **state)
{
	struct mp_sendq q;
	struct fake f;

	(void)state;
	setup_q(&q, &f, 4);
	f.refuse = -ENOTCONN;
	assert_int_equal(send1(&q, 1, 1), -ENOTCONN);
	f.refuse = 0;
	assert_int_equal(send1(&q, 2, 1), 0);		/* the refused one is gone */
	assert_int_equal(f.nsent, 1);
	assert_int_equal(f.sent[0], 2);
	/* refused on delivered(): that PDU is dropped, the next waits */
	assert_int_equal(send1(&q, 3, 1), 0);
	assert_int_equal(send1(&q, 4, 1), 0);
	f.refuse = -EMSGSIZE;
	assert_int_equal(deliver(&f), -EMSGSIZE);
	f.refuse = 0;
	assert_int_equal(f.nsent, 1);
	assert_int_equal(deliver(&f), 0);
	assert_int_equal(f.nsent, 2);
	assert_int_equal(f.sent[1], 4);
}

static void test_close_drops_and_wipes(void **state)
{
	static const uint8_t zero[sizeof(((struct mp_sendq *)0)->pdu)];
	struct mp_sendq q;
	struct fake f;

	(void)state;
	setup_q(&q, &f, 4);
	assert_int_equal(send1(&q, 0xaa, 65), 0);
	assert_int_equal(send1(&q, 0xbb, 65), 0);
	assert_int_equal(send1(&q, 0xcc, 65), 0);
	mp_sendq_close(&q);
	assert_false(mp_sendq_attached(&q));
	assert_memory_equal(q.pdu, zero, sizeof(zero));
	assert_int_equal(q.count, 0);
	assert_int_equal(send1(&q, 0xdd, 1), -ENOTCONN);
	assert_int_equal(mp_sendq_delivered(&q), 0);	/* late: nothing */
	/* attached again: a fresh link, nothing outstanding on it */
	f.busy = false;
	mp_sendq_attach(&q, (struct mp_bearer){ &fake_ops, &f });
	assert_int_equal(send1(&q, 0xee, 1), 0);
	assert_int_equal(f.nsent, 2);
	assert_int_equal(f.sent[1], 0xee);
}

static void test_detached_refuses(void **state)
{
	struct mp_sendq q;

	(void)state;
	mp_sendq_init(&q, 4);
	assert_false(mp_sendq_attached(&q));
	assert_int_equal(send1(&q, 1, 1), -ENOTCONN);
	assert_int_equal(q.count, 0);
}

/* A bearer that reports delivered() from inside send() gets each PDU
 * once, in order. */
static void test_delivered_from_inside_send(void **state)
{
	struct mp_sendq q;
	struct fake f;

	(void)state;
	setup_q(&q, &f, 4);
	assert_int_equal(send1(&q, 1, 1), 0);
	f.deliver_inline = true;
	assert_int_equal(send1(&q, 2, 1), 0);
	assert_int_equal(send1(&q, 3, 1), 0);
	assert_int_equal(f.nsent, 1);
	assert_int_equal(deliver(&f), 0);	/* 2 goes, delivered at once, then 3 */
	assert_int_equal(f.nsent, 3);
	assert_memory_equal(f.sent, ((uint8_t[]){ 1, 2, 3 }), 3);
	assert_int_equal(q.count, 0);
	assert_false(q.busy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_outstanding_in_order),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_refused_is_dropped),
		cmocka_unit_test(test_close_drops_and_wipes),
		cmocka_unit_test(test_detached_refuses),
		cmocka_unit_test(test_delivered_from_inside_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
