/* core/buf and core/hex: bounds are enforced and errors are sticky. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "core/hex.h"

static void test_reader_reads_in_order(void **state)
{
	const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	struct mp_reader r;
	uint8_t u8, rest[2];
	uint16_t u16;
	uint32_t u32;

	mp_reader_init(&r, in, sizeof(in));
	assert_true(mp_get_u8(&r, &u8));
	assert_int_equal(u8, 0x01);
	assert_true(mp_get_be16(&r, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(mp_get_le32(&r, &u32));
	assert_int_equal(u32, 0x07060504);
	assert_int_equal(mp_reader_left(&r), 2);
	assert_false(mp_reader_done(&r));
	assert_true(mp_get_bytes(&r, rest, 2));
	assert_int_equal(rest[1], 0x09);
	assert_true(mp_reader_done(&r));
}

static void test_reader_short_read_is_sticky(void **state)
{
	const uint8_t in[] = { 0xaa, 0xbb, 0xcc };
	struct mp_reader r;
	uint32_t u32 = 0xdeadbeef;
	uint8_t u8;

	mp_reader_init(&r, in, sizeof(in));
	assert_false(mp_get_be32(&r, &u32));
	assert_int_equal(u32, 0);
	/* After a failure nothing more can be read, even what would fit. */
	assert_false(mp_get_u8(&r, &u8));
	assert_false(mp_reader_done(&r));
	assert_int_equal(mp_reader_left(&r), 0);
}

static void test_reader_huge_length_does_not_wrap(void **state)
{
	const uint8_t in[4] = { 0 };
	struct mp_reader r;

	mp_reader_init(&r, in, sizeof(in));
	assert_true(mp_skip(&r, 2));
	assert_false(mp_skip(&r, SIZE_MAX));
	assert_true(r.err);
}

static void test_writer_overflow_is_sticky(void **state)
{
	uint8_t out[3];
	struct mp_writer w;

	mp_writer_init(&w, out, sizeof(out));
	assert_true(mp_put_be16(&w, 0x1234));
	assert_false(mp_put_be16(&w, 0x5678));
	assert_false(mp_put_u8(&w, 0x9a));
	assert_false(mp_writer_ok(&w));
	assert_int_equal(w.len, 2);
	assert_int_equal(out[0], 0x12);
	assert_int_equal(out[1], 0x34);
}

static void test_hex_round_trip_and_errors(void **state)
{
	uint8_t out[16];
	char text[33];

	assert_int_equal(mp_hex_decode("70cf7c97-32a3-45b6-9149-4810d2e9cbf4", out, 16), 16);
	assert_string_equal(mp_hex_encode(out, 16, text), "70cf7c9732a345b691494810d2e9cbf4");
	assert_int_equal(mp_hex_decode("0x0B0C", out, 16), 2);
	assert_int_equal(out[0], 0x0b);
	assert_int_equal(mp_hex_decode("abc", out, 16), -EINVAL);
	assert_int_equal(mp_hex_decode("zz", out, 16), -EINVAL);
	assert_int_equal(mp_hex_decode("001122", out, 2), -ENOSPC);
	assert_int_equal(mp_hex_decode("", out, 2), 0);
}

static void test_hex_exact_and_upper(void **state)
{
	uint8_t out[4];
	char text[9];

	assert_true(mp_hex_decode_exact("0aB1", 4, out, 2));
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(out[1], 0xb1);
	assert_string_equal(mp_hex_encode_upper(out, 2, text), "0AB1");
	/* exactly 2n digits: no prefix, no separators, no short or long text */
	assert_false(mp_hex_decode_exact("0x0a", 4, out, 2));
	assert_false(mp_hex_decode_exact("0a-b", 4, out, 2));
	assert_false(mp_hex_decode_exact("0ab", 3, out, 2));
	assert_false(mp_hex_decode_exact("0ab1ff", 6, out, 2));
	assert_false(mp_hex_decode_exact("0ag1", 4, out, 2));
}

static void test_uuid_text(void **state)
{
	static const uint8_t want[16] = { 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
					  0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4 };
	uint8_t out[16];
	char text[MP_UUID_STR_SIZE];

	assert_int_equal(mp_uuid_parse("70cf7c97-32a3-45b6-9149-4810d2e9cbf4", out), 0);
	assert_memory_equal(out, want, 16);
	memset(out, 0, sizeof(out));
	assert_int_equal(mp_uuid_parse("70CF7C9732A345B691494810D2E9CBF4", out), 0);
	assert_memory_equal(out, want, 16);
	assert_string_equal(mp_uuid_format(want, text, true), "70cf7c97-32a3-45b6-9149-4810d2e9cbf4");
	assert_string_equal(mp_uuid_format(want, text, false), "70cf7c9732a345b691494810d2e9cbf4");
	/* dashes only where RFC 4122 puts them, and only all four */
	assert_int_equal(mp_uuid_parse("70cf7c9-732a3-45b6-9149-4810d2e9cbf4", out), -EINVAL);
	assert_int_equal(mp_uuid_parse("70cf7c97-32a3-45b6-9149_4810d2e9cbf4", out), -EINVAL);
	assert_int_equal(mp_uuid_parse("70cf7c97-32a3-45b6-91494-810d2e9cbf4", out), -EINVAL);
	assert_int_equal(mp_uuid_parse("70cf7c9732a345b691494810d2e9cbf", out), -EINVAL);
	assert_int_equal(mp_uuid_parse("0x70cf7c9732a345b691494810d2e9cb", out), -EINVAL);
	assert_int_equal(mp_uuid_parse("", out), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_reads_in_order),
		cmocka_unit_test(test_reader_short_read_is_sticky),
		cmocka_unit_test(test_reader_huge_length_does_not_wrap),
		cmocka_unit_test(test_writer_overflow_is_sticky),
		cmocka_unit_test(test_hex_round_trip_and_errors),
		cmocka_unit_test(test_hex_exact_and_upper),
		cmocka_unit_test(test_uuid_text),
	};

	return cmocka_run_group_tests_name("core/buf", tests, NULL, NULL);
}
