/* The Health Attention and Generic OnOff codecs (models/), byte for byte
 * against messages written by hand from the layouts of MshPRT v1.1 4.3.3
 * and MshMDL v1.1 3.2.1 (opcodes 0x8004-0x8007 and 0x8201-0x8204). */
#include <errno.h>
#include <string.h>

#include "models/health.h"
#include "models/onoff.h"
#include "testutil.h"

/* @m encodes to @hex, and @hex decodes back to @m. */
#define health_both(m, hex) _health_both((m), (hex), __FILE__, __LINE__)
static void _health_both(const struct mp_health_attention *m, const char *hex, const char *file,
			 int line)
{
	uint8_t want[32], out[32];
	size_t n = tu_unhex_spaced(hex, want, sizeof(want));
	struct mp_health_attention d;

	assert_int_equal(mp_health_attention_encode(m, out, sizeof(out)), (int)n);
	_tu_assert_bytes(out, want, n, hex, file, line);
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(mp_health_attention_decode(want, n, &d), 0);
	assert_int_equal(d.opcode, m->opcode);
	assert_int_equal(d.attention, m->attention);
}

static void test_health_attention(void **state)
{
	struct mp_health_attention m = { .opcode = MP_HEALTH_OP_ATTENTION_GET };

	(void)state;
	health_both(&m, "8004");
	m = (struct mp_health_attention){ MP_HEALTH_OP_ATTENTION_SET, 5 };
	health_both(&m, "8005 05");
	m = (struct mp_health_attention){ MP_HEALTH_OP_ATTENTION_SET, 0 };
	health_both(&m, "8005 00");	/* off */
	m = (struct mp_health_attention){ MP_HEALTH_OP_ATTENTION_SET_UNACK, 0xff };
	health_both(&m, "8006 ff");
	m = (struct mp_health_attention){ MP_HEALTH_OP_ATTENTION_STATUS, 0x1e };
	health_both(&m, "8007 1e");
	assert_string_equal(mp_health_op_name(0x8006), "Health Attention Set Unacknowledged");
	assert_null(mp_health_op_name(0x8008));
}

static void test_health_bad(void **state)
{
	struct mp_health_attention m = { .opcode = 0x8008, .attention = 1 };
	uint8_t b[8] = { 0x80, 0x05, 0x05, 0x00 }, out[8];
	struct mp_access_expect e;

	(void)state;
	assert_int_equal(mp_health_attention_decode(b, 2, &m), -EBADMSG);	/* no Attention */
	assert_int_equal(mp_health_attention_decode(b, 4, &m), -EMSGSIZE);
	b[1] = 0x04;
	assert_int_equal(mp_health_attention_decode(b, 3, &m), -EMSGSIZE);	/* a Get with one */
	b[1] = 0x08;	/* Config Composition Data Get: not Health */
	assert_int_equal(mp_health_attention_decode(b, 3, &m), -ENOMSG);
	b[0] = 0x04;	/* Health Current Status: not an Attention message */
	assert_int_equal(mp_health_attention_decode(b, 1, &m), -ENOMSG);
	assert_int_equal(mp_health_attention_decode(b, 0, &m), -ENOMSG);
	m.opcode = 0x8008;
	assert_int_equal(mp_health_attention_encode(&m, out, sizeof(out)), -ENOMSG);
	m.opcode = MP_HEALTH_OP_ATTENTION_SET;
	assert_int_equal(mp_health_attention_encode(&m, out, 2), -ENOSPC);

	assert_int_equal(mp_health_attention_expect(&m, 0x1201, &e), 0);
	assert_int_equal(e.src, 0x1201);
	assert_int_equal(e.opcode, MP_HEALTH_OP_ATTENTION_STATUS);
	assert_int_equal(e.len, 1);
	b[0] = 0x05;
	assert_true(mp_access_expect_matches(&e, 0x1201, MP_HEALTH_OP_ATTENTION_STATUS, b, 1));
	assert_false(mp_access_expect_matches(&e, 0x1202, MP_HEALTH_OP_ATTENTION_STATUS, b, 1));
	m.opcode = MP_HEALTH_OP_ATTENTION_GET;
	assert_int_equal(mp_health_attention_expect(&m, 0x1201, &e), 0);
	m.opcode = MP_HEALTH_OP_ATTENTION_SET_UNACK;
	assert_int_equal(mp_health_attention_expect(&m, 0x1201, &e), -ENOMSG);
	m.opcode = MP_HEALTH_OP_ATTENTION_SET;
	assert_int_equal(mp_health_attention_expect(&m, 0xc000, &e), -EINVAL);
}

#define onoff_both(m, hex) _onoff_both((m), (hex), __FILE__, __LINE__)
static void _onoff_both(const struct mp_onoff_msg *m, const char *hex, const char *file, int line)
{
	uint8_t want[32], out[32];
	size_t n = tu_unhex_spaced(hex, want, sizeof(want));
	struct mp_onoff_msg d;

	assert_int_equal(mp_onoff_encode(m, out, sizeof(out)), (int)n);
	_tu_assert_bytes(out, want, n, hex, file, line);
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(mp_onoff_decode(want, n, &d), 0);
	assert_int_equal(d.opcode, m->opcode);
	assert_int_equal(d.onoff, m->onoff);
	assert_int_equal(d.tid, m->tid);
	assert_int_equal(d.has_transition, m->has_transition);
	assert_int_equal(d.transition, m->transition);
	assert_int_equal(d.delay, m->delay);
	assert_int_equal(d.target, m->target);
}

static void test_onoff(void **state)
{
	struct mp_onoff_msg m = { .opcode = MP_ONOFF_OP_GET };

	(void)state;
	onoff_both(&m, "8201");
	/* On, TID 0x2a, no transition */
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET, .onoff = 1, .tid = 0x2a };
	onoff_both(&m, "8202 01 2a");
	/* Off, TID 0xff, 5 steps of 1 s (0x45), delay 20 x 5 ms */
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET, .onoff = 0, .tid = 0xff,
				   .has_transition = true, .transition = MP_TRANSITION(5, 1),
				   .delay = 20 };
	onoff_both(&m, "8202 00 ff 45 14");
	m.opcode = MP_ONOFF_OP_SET_UNACK;
	onoff_both(&m, "8203 00 ff 45 14");
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET_UNACK, .onoff = 1, .tid = 0 };
	onoff_both(&m, "8203 01 00");
	/* a transition of 0 ms, immediate */
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET, .onoff = 1, .tid = 7,
				   .has_transition = true };
	onoff_both(&m, "8202 01 07 00 00");
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_STATUS, .onoff = 1 };
	onoff_both(&m, "8204 01");
	/* Off, going On, 3 steps of 10 s left (0x83) */
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_STATUS, .onoff = 0,
				   .has_transition = true, .target = 1,
				   .transition = MP_TRANSITION(3, 2) };
	onoff_both(&m, "8204 00 01 83");
	/* a Status may report an unknown remaining time */
	m.transition = MP_TRANSITION(MP_TRANSITION_UNKNOWN, 0);
	onoff_both(&m, "8204 00 01 3f");
	assert_string_equal(mp_onoff_op_name(MP_ONOFF_OP_STATUS), "Generic OnOff Status");
	assert_null(mp_onoff_op_name(0x8205));
}

/* Decode @hex: expect @err. */
#define onoff_refused(hex, err) _onoff_refused((hex), (err), __FILE__, __LINE__)
static void _onoff_refused(const char *hex, int err, const char *file, int line)
{
	uint8_t b[32];
	size_t n = tu_unhex_spaced(hex, b, sizeof(b));
	struct mp_onoff_msg d;
	int got = mp_onoff_decode(b, n, &d);

	if (got != err)
		print_error("%s:%d: %s: %d, %d expected\n", file, line, hex, got, err);
	assert_int_equal(got, err);
}

static void test_onoff_bad(void **state)
{
	struct mp_onoff_msg m = { .opcode = MP_ONOFF_OP_SET, .onoff = 2 };
	struct mp_access_expect e;
	uint8_t out[16], st[1] = { 1 };

	(void)state;
	onoff_refused("8201 00", -EMSGSIZE);
	onoff_refused("8202", -EBADMSG);
	onoff_refused("8202 01", -EBADMSG);		/* no TID */
	onoff_refused("8202 01 2a 45", -EBADMSG);	/* Transition Time without Delay */
	onoff_refused("8202 01 2a 45 00 00", -EMSGSIZE);
	onoff_refused("8202 02 2a", -ERANGE);		/* OnOff 0x02: Prohibited */
	onoff_refused("8203 ff 2a", -ERANGE);
	onoff_refused("8202 01 2a 3f 00", -ERANGE);	/* unknown steps in a Set */
	onoff_refused("8203 01 2a ff 00", -ERANGE);
	onoff_refused("8204", -EBADMSG);
	onoff_refused("8204 01 00", -EBADMSG);		/* Target without Remaining Time */
	onoff_refused("8204 01 00 05 00", -EMSGSIZE);
	onoff_refused("8204 02", -ERANGE);
	onoff_refused("8204 01 02 05", -ERANGE);	/* Target OnOff 0x02 */
	onoff_refused("8205 01", -ENOMSG);
	onoff_refused("8007 01", -ENOMSG);
	onoff_refused("", -ENOMSG);

	/* nothing sent that would be refused */
	assert_int_equal(mp_onoff_encode(&m, out, sizeof(out)), -ERANGE);
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET, .onoff = 1, .has_transition = true,
				   .transition = 0x7f };
	assert_int_equal(mp_onoff_encode(&m, out, sizeof(out)), -ERANGE);
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_STATUS, .onoff = 1, .has_transition = true,
				   .target = 3 };
	assert_int_equal(mp_onoff_encode(&m, out, sizeof(out)), -ERANGE);
	m = (struct mp_onoff_msg){ .opcode = 0x8205 };
	assert_int_equal(mp_onoff_encode(&m, out, sizeof(out)), -ENOMSG);
	m = (struct mp_onoff_msg){ .opcode = MP_ONOFF_OP_SET, .onoff = 1 };
	assert_int_equal(mp_onoff_encode(&m, out, 3), -ENOSPC);

	assert_int_equal(mp_onoff_expect(&m, 0x0042, &e), 0);
	assert_int_equal(e.opcode, MP_ONOFF_OP_STATUS);
	assert_true(mp_access_expect_matches(&e, 0x0042, MP_ONOFF_OP_STATUS, st, 1));
	assert_false(mp_access_expect_matches(&e, 0x0043, MP_ONOFF_OP_STATUS, st, 1));
	assert_false(mp_access_expect_matches(&e, 0x0042, MP_HEALTH_OP_ATTENTION_STATUS, st, 1));
	m.opcode = MP_ONOFF_OP_SET_UNACK;
	assert_int_equal(mp_onoff_expect(&m, 0x0042, &e), -ENOMSG);
	m.opcode = MP_ONOFF_OP_GET;
	assert_int_equal(mp_onoff_expect(&m, 0xffff, &e), -EINVAL);
}

static void test_transition_time(void **state)
{
	uint8_t t = 0;

	(void)state;
	assert_int_equal(mp_transition_from_ms(0, &t), 0);
	assert_int_equal(t, 0x00);
	assert_int_equal(mp_transition_from_ms(500, &t), 0);
	assert_int_equal(t, 0x05);		/* 5 x 100 ms */
	assert_int_equal(mp_transition_from_ms(6200, &t), 0);
	assert_int_equal(t, 0x3e);
	assert_int_equal(mp_transition_from_ms(10000, &t), 0);
	assert_int_equal(t, 0x4a);		/* 10 x 1 s */
	assert_int_equal(mp_transition_from_ms(120000, &t), 0);
	assert_int_equal(t, 0x8c);		/* 12 x 10 s */
	assert_int_equal(mp_transition_from_ms(3600000, &t), 0);
	assert_int_equal(t, 0xc6);		/* 6 x 10 min */
	assert_int_equal(mp_transition_from_ms(62u * 600000u, &t), 0);
	assert_int_equal(t, 0xfe);
	assert_int_equal(mp_transition_from_ms(63u * 600000u, &t), -ERANGE);
	assert_int_equal(mp_transition_ms(0x4a), 10000);
	assert_int_equal(mp_transition_ms(0xc6), 3600000);
	assert_int_equal(mp_transition_ms(0x3f), UINT32_MAX);
	assert_int_equal(mp_transition_ms(0xff), UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_attention),
		cmocka_unit_test(test_health_bad),
		cmocka_unit_test(test_onoff),
		cmocka_unit_test(test_onoff_bad),
		cmocka_unit_test(test_transition_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
