/* Access layer: opcodes of every size and their reserved forms, the split of
 * an access message, opcode tables that check lengths before a handler
 * runs, and responses matched to their requests. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "access/match.h"
#include "access/msg.h"

/* MshPRT v1.1 3.7.3.1: each size, both directions, from the 8.3 samples
 * where they have one (8.3.6 AppKey Add 00, 8.3.16 AppKey Status 8003,
 * 8.3.21 vendor opcode 0x15 of company 0x000a). */
static void test_opcode_sizes(void **state)
{
	static const struct {
		uint32_t op;
		const char *hex;
	} cases[] = {
		{ 0x00, "00" }, { 0x7e, "7e" }, { 0x8003, "8003" }, { 0x8000, "8000" },
		{ 0xbfff, "bfff" }, { MP_OP_VENDOR(0x15, 0x000a), "d50a00" },
		{ MP_OP_VENDOR(0x00, 0x0059), "c05900" }, { MP_OP_VENDOR(0x3f, 0xffff), "ffffff" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t want[3], out[3];
		size_t n = tu_unhex(cases[i].hex, want, sizeof(want));
		uint32_t op;

		assert_int_equal(mp_access_opcode_len(cases[i].op), n);
		assert_int_equal(mp_access_opcode_encode(cases[i].op, out, sizeof(out)), (int)n);
		tu_assert_bytes(out, want, n);
		assert_int_equal(mp_access_opcode_decode(want, n, &op), (int)n);
		assert_int_equal(op, cases[i].op);
		assert_int_equal(mp_access_opcode_is_vendor(op), n == 3);
	}
	assert_int_equal(MP_OP_VENDOR(0x15, 0x000a), 0xd5000a);
	assert_int_equal(mp_access_opcode_cid(0xd5000a), 0x000a);
}

/* 0x7f is RFU; values between the three ranges are not opcodes. */
static void test_opcode_reserved(void **state)
{
	static const uint32_t bad[] = { 0x7f, 0x80, 0xff, 0x7fff, 0xc000, 0xbfffff, 0x1000000,
					0xffffffff };
	uint8_t out[3], b;
	uint32_t op;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mp_access_opcode_len(bad[i]), 0);
		assert_int_equal(mp_access_opcode_encode(bad[i], out, sizeof(out)), -EINVAL);
		assert_int_equal(mp_access_msg_encode(bad[i], NULL, 0, out, sizeof(out)), -EINVAL);
	}
	b = 0x7f;
	assert_int_equal(mp_access_opcode_decode(&b, 1, &op), -ERANGE);
	/* truncated: a first octet announcing more than there is */
	assert_int_equal(mp_access_opcode_decode(out, 0, &op), -EBADMSG);
	b = 0x80;
	assert_int_equal(mp_access_opcode_decode(&b, 1, &op), -EBADMSG);
	out[0] = 0xd5;
	out[1] = 0x0a;
	assert_int_equal(mp_access_opcode_decode(out, 2, &op), -EBADMSG);
	assert_int_equal(mp_access_opcode_encode(0x8003, out, 1), -ENOSPC);
}

/* 8.3.6's access message splits into AppKey Add and 19 octets; the split
 * encodes back; the 380-octet bound holds both ways. */
static void test_msg_split(void **state)
{
	uint8_t in[MP_ACCESS_MSG_MAX + 1], out[MP_ACCESS_MSG_MAX + 1];
	struct json_object *m = NULL;
	struct mp_access_msg msg;
	size_t n;

	(void)state;
	/* the section numbers have dots: no dotted path reaches them */
	assert_true(json_object_object_get_ex(tu_get(tu_vectors(), "messages"), "8.3.6", &m));
	n = tu_hex(m, "access.access_message", in, sizeof(in));
	assert_int_equal(mp_access_msg_decode(in, n, &msg), 0);
	assert_int_equal(msg.opcode, 0x00);
	assert_int_equal(msg.len, 19);
	assert_ptr_equal(msg.params, in + 1);
	assert_int_equal(mp_access_msg_encode(msg.opcode, msg.params, msg.len, out, sizeof(out)),
			 (int)n);
	tu_assert_bytes(out, in, n);

	memset(in, 0, sizeof(in));
	in[0] = 0x80;
	assert_int_equal(mp_access_msg_decode(in, MP_ACCESS_MSG_MAX, &msg), 0);
	assert_int_equal(msg.len, MP_ACCESS_MSG_MAX - 2);
	assert_int_equal(mp_access_msg_decode(in, MP_ACCESS_MSG_MAX + 1, &msg), -EMSGSIZE);
	assert_int_equal(mp_access_msg_encode(0x8003, in, MP_ACCESS_MSG_MAX - 1, out, sizeof(out)),
			 -EMSGSIZE);
	assert_int_equal(mp_access_msg_encode(0x8003, in, 4, out, 5), -ENOSPC);
	assert_int_equal(mp_access_msg_decode(in, 0, &msg), -EBADMSG);
}

struct calls {
	int n;
	uint32_t last;
	size_t len;
	uint16_t src;
};

static int h_a(void *user, const struct mp_access_rx *rx, const uint8_t *p, size_t len)
{
	struct calls *c = user;

	(void)p;
	c->n++;
	c->last = 0x8003;
	c->len = len;
	c->src = rx->src;
	return 7;
}

static int h_b(void *user, const struct mp_access_rx *rx, const uint8_t *p, size_t len)
{
	struct calls *c = user;

	(void)rx;
	(void)p;
	c->n++;
	c->last = 0xd5000a;
	c->len = len;
	return 0;
}

static const struct mp_access_op table[] = {
	{ 0x8003, 4, 4, h_a },
	{ MP_OP_VENDOR(0x15, 0x000a), 0, 10, h_b },
};

/* A handler runs only with a length its row allows; unknown opcodes are
 * -ENOENT, wrong lengths -EBADMSG, and no handler sees either. */
static void test_table_dispatch(void **state)
{
	struct mp_access_rx rx = { .src = 0x1201, .dst = 0x0003, .dev_key = true };
	struct calls c = { 0 };
	uint8_t st[] = { 0x80, 0x03, 0x00, 0x56, 0x34, 0x12, 0x00 };
	uint8_t vnd[] = { 0xd5, 0x0a, 0x00, 'H', 'e', 'l', 'l', 'o' };
	uint8_t other_cid[] = { 0xd5, 0x0b, 0x00 };

	(void)state;
	assert_int_equal(mp_access_table_check(table, 2), 0);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, st, sizeof(st)), -EBADMSG);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, st, sizeof(st) - 2), -EBADMSG);
	assert_int_equal(c.n, 0);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, st, sizeof(st) - 1), 7);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len, 4);
	assert_int_equal(c.src, 0x1201);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, vnd, sizeof(vnd)), 0);
	assert_int_equal(c.last, 0xd5000a);
	assert_int_equal(c.len, 5);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, other_cid, 3), -ENOENT);
	assert_int_equal(mp_access_dispatch(table, 2, &c, &rx, (const uint8_t *)"\x7f", 1),
			 -ERANGE);
	assert_int_equal(c.n, 2);
}

static void test_table_check(void **state)
{
	struct mp_access_op t[2] = { { 0x8003, 4, 4, h_a }, { 0x8003, 0, 1, h_b } };

	(void)state;
	assert_int_equal(mp_access_table_check(t, 2), -EINVAL);	/* twice */
	t[1].opcode = 0x7f;
	assert_int_equal(mp_access_table_check(t, 2), -EINVAL);	/* RFU */
	t[1].opcode = 0x01;
	t[1].min_len = 2;
	assert_int_equal(mp_access_table_check(t, 2), -EINVAL);	/* min > max */
	t[1].min_len = 0;
	t[1].max_len = MP_ACCESS_MSG_MAX;
	assert_int_equal(mp_access_table_check(t, 2), -EINVAL);	/* beyond 380 with the opcode */
	t[1].max_len = MP_ACCESS_MSG_MAX - 1;
	assert_int_equal(mp_access_table_check(t, 2), 0);
	t[1].handler = NULL;
	assert_int_equal(mp_access_table_check(t, 2), -EINVAL);
}

/* Answers go to the request that asked: by source, opcode and fields. */
static void test_matcher(void **state)
{
	struct mp_access_pending slots[3];
	struct mp_access_matcher m;
	struct mp_access_expect a = { .src = 0x1201, .opcode = 0x8003, .len = 4 };
	struct mp_access_expect b = { .src = 0x1201, .opcode = 0x8003, .len = 4 };
	struct mp_access_expect c = { .src = 0x0100, .opcode = 0x8003, .len = 4 };
	uint8_t ia[] = { 0x56, 0x34, 0x12 }, ib[] = { 0x56, 0x44, 0x12 };
	uint8_t sa[] = { 0x00, 0x56, 0x34, 0x12 }, sb[] = { 0x05, 0x56, 0x44, 0x12 };
	int64_t ida, idb, idc;

	(void)state;
	mp_access_matcher_init(&m, slots, 3);
	assert_int_equal(mp_access_expect_field(&a, 1, ia, 3), 0);
	assert_int_equal(mp_access_expect_field(&b, 1, ib, 3), 0);
	assert_int_equal(mp_access_expect_field(&c, 1, ia, 3), 0);
	ida = mp_access_matcher_add(&m, &a);
	idb = mp_access_matcher_add(&m, &b);
	idc = mp_access_matcher_add(&m, &c);
	assert_true(ida > 0 && idb > 0 && idc > 0);
	assert_true(ida != idb && idb != idc);
	assert_int_equal(mp_access_matcher_add(&m, &a), -EBUSY);
	assert_int_equal(mp_access_matcher_pending(&m), 3);

	/* b's answer first: it goes to b, not a (same node, same opcode) */
	assert_int_equal(mp_access_matcher_rx(&m, 0x1201, 0x8003, sb, 4), idb);
	/* again: a duplicate, nobody waits for it any more */
	assert_int_equal(mp_access_matcher_rx(&m, 0x1201, 0x8003, sb, 4), -ENOENT);
	/* from another node, the wrong opcode, a wrong length */
	assert_int_equal(mp_access_matcher_rx(&m, 0x1202, 0x8003, sa, 4), -ENOENT);
	assert_int_equal(mp_access_matcher_rx(&m, 0x1201, 0x8044, sa, 4), -ENOENT);
	assert_int_equal(mp_access_matcher_rx(&m, 0x1201, 0x8003, sa, 3), -ENOENT);
	assert_int_equal(m.unmatched, 4);
	assert_int_equal(mp_access_matcher_rx(&m, 0x1201, 0x8003, sa, 4), ida);
	assert_int_equal(mp_access_matcher_cancel(&m, (uint32_t)idc), 0);
	assert_int_equal(mp_access_matcher_cancel(&m, (uint32_t)idc), -ENOENT);
	assert_int_equal(mp_access_matcher_rx(&m, 0x0100, 0x8003, sa, 4), -ENOENT);
	assert_int_equal(mp_access_matcher_pending(&m), 0);
}

static void test_matcher_limits(void **state)
{
	struct mp_access_pending slots[1];
	struct mp_access_matcher m;
	struct mp_access_expect e = { .src = 0x0002, .opcode = 0x8044 };
	struct mp_access_expect bad = e;
	uint8_t v[5] = { 0 };

	(void)state;
	mp_access_matcher_init(&m, slots, 1);
	assert_int_equal(mp_access_expect_field(&e, 0, v, 5), -EINVAL);
	assert_int_equal(mp_access_expect_field(&e, 0, v, 0), -EINVAL);
	bad.src = 0xc000;	/* a group never answers */
	assert_int_equal(mp_access_matcher_add(&m, &bad), -EINVAL);
	bad.src = 0x0002;
	bad.opcode = 0x7f;
	assert_int_equal(mp_access_matcher_add(&m, &bad), -EINVAL);
	assert_true(mp_access_matcher_add(&m, &e) > 0);
	e.opcode = 0x8043;
	assert_int_equal(mp_access_matcher_add(&m, &e), -ENOBUFS);
	/* a field beyond the received parameters never matches */
	assert_int_equal(mp_access_expect_field(&e, 2, v, 2), 0);
	assert_false(mp_access_expect_matches(&e, 0x0002, 0x8043, v, 3));
	assert_true(mp_access_expect_matches(&e, 0x0002, 0x8043, v, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opcode_sizes),
		cmocka_unit_test(test_opcode_reserved),
		cmocka_unit_test(test_msg_split),
		cmocka_unit_test(test_table_dispatch),
		cmocka_unit_test(test_table_check),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_matcher_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
