/* bearer/proxy: Proxy PDU segmentation and reassembly, MshPRT v1.1 6.3.
 *
 * Byte for byte against the PB-GATT sample data of MshPRT v1.1 8.8, then
 * round trips of every length at the ATT_MTUs that matter, then every way a
 * sequence of Proxy PDUs can break the SAR rules, each with its own error
 * and each followed by a valid message to show the reassembler recovered. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "bearer/proxy.h"

#define BIG 2048

static uint8_t sample_pdu[80];
static size_t sample_len;
static uint8_t sample_val[4][32];
static size_t sample_val_len[4];
static unsigned sample_mtu;

static int load_vectors(void **state)
{
	struct json_object *v = tu_vectors();
	size_t i;

	sample_len = tu_hex(v, "pdus.pb_gatt_sar.provisioning_pdu", sample_pdu, sizeof(sample_pdu));
	sample_mtu = (unsigned)json_object_get_int(tu_get(v, "pdus.pb_gatt_sar.att_mtu"));
	assert_int_equal(json_object_array_length(tu_get(v, "pdus.pb_gatt_sar.att_values")), 4);
	for (i = 0; i < 4; i++) {
		char p[64];

		snprintf(p, sizeof(p), "pdus.pb_gatt_sar.att_values.%zu", i);
		sample_val_len[i] = tu_hex(v, p, sample_val[i], sizeof(sample_val[i]));
	}
	return 0;
}

/* A message whose octets all differ from their neighbours and ends. */
static void pattern(uint8_t *b, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + seed * 13 + 1);
}

/* ---------- helpers ---------- */

static void rx_new(struct mp_proxy_rx *rx, uint8_t *buf, size_t cap)
{
	assert_int_equal(mp_proxy_rx_init(rx, buf, cap), 0);
	assert_false(mp_proxy_rx_in_progress(rx));
}

static int feed(struct mp_proxy_rx *rx, const uint8_t *v, size_t len, struct mp_proxy_msg *m)
{
	/* Exactly sized heap copies, so ASan sees any overread. */
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, v, len);
	ret = mp_proxy_rx_feed(rx, copy, len, m);
	free(copy);
	return ret;
}

/* Feed hex Proxy PDUs in turn: all but the last must be taken (0, or 1 when
 * one completes a message); return what the last gives. */
static int feed_seq(struct mp_proxy_rx *rx, const char *const *hex, size_t n,
		    struct mp_proxy_msg *m)
{
	uint8_t v[64];
	size_t i, len;

	for (i = 0; i + 1 < n; i++) {
		len = tu_unhex(hex[i], v, sizeof(v));
		assert_in_range(feed(rx, v, len, m), 0, 1);
	}
	len = tu_unhex(hex[n - 1], v, sizeof(v));
	return feed(rx, v, len, m);
}

/* A valid Provisioning message goes through, proving the reassembler idle. */
static void assert_recovers(struct mp_proxy_rx *rx)
{
	static const char *const ok[] = { "4301", "8302", "c303" };
	struct mp_proxy_msg m;

	assert_false(mp_proxy_rx_in_progress(rx));
	assert_int_equal(feed_seq(rx, ok, 3, &m), 1);
	assert_int_equal(m.type, MP_PROXY_PROVISIONING_PDU);
	assert_int_equal(m.len, 3);
	tu_assert_bytes(m.data, (const uint8_t *)"\x01\x02\x03", 3);
	assert_false(mp_proxy_rx_in_progress(rx));
}

/* Segment @len octets, check every Proxy PDU's size and SAR, reassemble. */
static void round_trip(uint8_t type, size_t len, unsigned mtu, size_t cap)
{
	uint8_t msg[BIG], buf[BIG], out[MP_PROXY_ATT_VALUE_MAX + 8];
	size_t size = mp_proxy_pdu_size(mtu), count = mp_proxy_seg_count(len, mtu), k = 0;
	struct mp_proxy_seg it;
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m = { 0 };
	ssize_t n;
	int ret = -1;

	assert_true(len <= BIG && cap <= BIG);
	pattern(msg, len, (unsigned)(len + mtu));
	rx_new(&rx, buf, cap);
	assert_int_equal(mp_proxy_seg_init(&it, type, msg, len, mtu), 0);
	while ((n = mp_proxy_seg_next(&it, out, sizeof(out))) > 0) {
		uint8_t sar = MP_PROXY_HDR_SAR(out[0]);
		bool last = k + 1 == count;

		assert_true((size_t)n <= size && (size_t)n <= mtu - 3);
		assert_int_equal(MP_PROXY_HDR_TYPE(out[0]), type);
		if (count == 1)
			assert_int_equal(sar, MP_PROXY_SAR_COMPLETE);
		else if (k == 0)
			assert_int_equal(sar, MP_PROXY_SAR_FIRST);
		else
			assert_int_equal(sar, last ? MP_PROXY_SAR_LAST : MP_PROXY_SAR_CONT);
		/* MshPRT v1.1 6.3.2.1: every segment filled but the last. */
		if (!last)
			assert_int_equal(n, size);
		ret = feed(&rx, out, (size_t)n, &m);
		assert_int_equal(ret, last ? 1 : 0);
		assert_int_equal(mp_proxy_rx_in_progress(&rx), !last);
		k++;
	}
	assert_int_equal(n, 0);
	assert_int_equal(k, count);
	assert_int_equal(mp_proxy_seg_next(&it, out, sizeof(out)), 0);
	assert_int_equal(ret, 1);
	assert_int_equal(m.type, type);
	assert_int_equal(m.len, len);
	assert_ptr_equal(m.data, buf);
	tu_assert_bytes(m.data, msg, len);
}

/* ---------- 8.8 ---------- */

static void test_sample_data_segmentation(void **state)
{
	uint8_t out[64];
	struct mp_proxy_seg it;
	ssize_t n;
	size_t k;

	assert_int_equal(sample_mtu, 23);
	assert_int_equal(sample_len, 65);
	assert_int_equal(mp_proxy_seg_count(sample_len, sample_mtu), 4);
	assert_int_equal(mp_proxy_seg_init(&it, MP_PROXY_PROVISIONING_PDU, sample_pdu, sample_len,
					   sample_mtu), 0);
	for (k = 0; k < 4; k++) {
		n = mp_proxy_seg_next(&it, out, sizeof(out));
		assert_int_equal(n, sample_val_len[k]);
		tu_assert_bytes(out, sample_val[k], sample_val_len[k]);
	}
	assert_int_equal(mp_proxy_seg_next(&it, out, sizeof(out)), 0);
}

static void test_sample_data_reassembly(void **state)
{
	uint8_t buf[66];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;
	size_t k;

	rx_new(&rx, buf, sizeof(buf));
	for (k = 0; k < 3; k++) {
		assert_int_equal(feed(&rx, sample_val[k], sample_val_len[k], &m), 0);
		assert_true(mp_proxy_rx_in_progress(&rx));
	}
	assert_int_equal(feed(&rx, sample_val[3], sample_val_len[3], &m), 1);
	assert_false(mp_proxy_rx_in_progress(&rx));
	assert_int_equal(m.type, MP_PROXY_PROVISIONING_PDU);
	assert_int_equal(m.len, sample_len);
	tu_assert_bytes(m.data, sample_pdu, sample_len);

	/* Exactly 65 octets of room is enough; 64 is not. */
	rx_new(&rx, buf, 65);
	for (k = 0; k < 3; k++)
		assert_int_equal(feed(&rx, sample_val[k], sample_val_len[k], &m), 0);
	assert_int_equal(feed(&rx, sample_val[3], sample_val_len[3], &m), 1);
	rx_new(&rx, buf, 64);
	for (k = 0; k < 3; k++)
		assert_int_equal(feed(&rx, sample_val[k], sample_val_len[k], &m), 0);
	assert_int_equal(feed(&rx, sample_val[3], sample_val_len[3], &m), -EMSGSIZE);
	assert_false(mp_proxy_rx_in_progress(&rx));
}

/* ---------- round trips ---------- */

static void test_round_trip_provisioning_sizes(void **state)
{
	static const unsigned mtus[] = { 23, 69, 517 };
	size_t i, len;

	for (i = 0; i < 3; i++)
		for (len = 1; len <= 66; len++)
			round_trip(MP_PROXY_PROVISIONING_PDU, len, mtus[i], 66);
	/* At ATT_MTU 69 one Proxy PDU holds a 65-octet Public Key PDU. */
	assert_int_equal(mp_proxy_seg_count(65, 69), 1);
	assert_int_equal(mp_proxy_seg_count(66, 69), 2);
	assert_int_equal(mp_proxy_seg_count(19, 23), 1);
	assert_int_equal(mp_proxy_seg_count(20, 23), 2);
}

static void test_round_trip_long_messages(void **state)
{
	static const unsigned mtus[] = { 23, 24, 69, 100, 247, 515, 516, 517, 1024, 65535 };
	size_t i, len;
	uint8_t type;

	for (i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		for (len = 1; len <= BIG; len += (len < 600 ? 1 : 37))
			round_trip(MP_PROXY_NETWORK_PDU, len, mtus[i], BIG);
		round_trip(MP_PROXY_CONFIGURATION, BIG, mtus[i], BIG);
	}
	/* Every Message Type, RFU ones included, is carried as is. */
	for (type = 0; type <= MP_PROXY_TYPE_MASK; type++)
		round_trip(type, 100, 23, BIG);
}

static void test_segment_size(void **state)
{
	assert_int_equal(mp_proxy_pdu_size(0), 0);
	assert_int_equal(mp_proxy_pdu_size(22), 0);
	assert_int_equal(mp_proxy_pdu_size(23), 20);
	assert_int_equal(mp_proxy_pdu_size(69), 66);
	assert_int_equal(mp_proxy_pdu_size(515), 512);
	/* No attribute value is longer than 512 octets. */
	assert_int_equal(mp_proxy_pdu_size(516), 512);
	assert_int_equal(mp_proxy_pdu_size(517), 512);
	assert_int_equal(mp_proxy_pdu_size(65535), 512);
	assert_int_equal(mp_proxy_seg_count(0, 23), 0);
	assert_int_equal(mp_proxy_seg_count(5, 22), 0);
	assert_int_equal(mp_proxy_seg_count(511, 517), 1);
	assert_int_equal(mp_proxy_seg_count(512, 517), 2);
	assert_int_equal(MP_PROXY_HDR(MP_PROXY_SAR_FIRST, MP_PROXY_PROVISIONING_PDU), 0x43);
	assert_int_equal(MP_PROXY_HDR(MP_PROXY_SAR_CONT, MP_PROXY_PROVISIONING_PDU), 0x83);
	assert_int_equal(MP_PROXY_HDR(MP_PROXY_SAR_LAST, MP_PROXY_PROVISIONING_PDU), 0xc3);
	assert_int_equal(MP_PROXY_HDR(MP_PROXY_SAR_COMPLETE, MP_PROXY_MESH_BEACON), 0x01);
	assert_int_equal(MP_PROXY_HDR_SAR(0xc3), MP_PROXY_SAR_LAST);
	assert_int_equal(MP_PROXY_HDR_TYPE(0xc3), MP_PROXY_PROVISIONING_PDU);
	assert_int_equal(MP_PROXY_HDR_TYPE(0x7f), 0x3f);
}

static void test_segmenter_misuse(void **state)
{
	const uint8_t msg[40] = { 1, 2, 3 };
	uint8_t out[32];
	struct mp_proxy_seg it;

	assert_int_equal(mp_proxy_seg_init(&it, 0x40, msg, 3, 23), -EINVAL);
	assert_int_equal(mp_proxy_seg_init(&it, 0x03, msg, 3, 22), -EINVAL);
	assert_int_equal(mp_proxy_seg_init(&it, 0x03, NULL, 3, 23), -EINVAL);
	assert_int_equal(mp_proxy_seg_init(&it, 0x03, msg, 0, 23), -EMSGSIZE);
	/* A failed init leaves an iterator that emits nothing. */
	assert_int_equal(mp_proxy_seg_next(&it, out, sizeof(out)), 0);

	/* Too small an output buffer consumes nothing. */
	assert_int_equal(mp_proxy_seg_init(&it, 0x03, msg, sizeof(msg), 23), 0);
	assert_int_equal(mp_proxy_seg_next(&it, out, 19), -ENOSPC);
	assert_int_equal(mp_proxy_seg_next(&it, out, 20), 20);
	assert_int_equal(out[0], 0x43);
	assert_int_equal(mp_proxy_seg_next(&it, out, 20), 20);
	assert_int_equal(out[0], 0x83);
	assert_int_equal(mp_proxy_seg_next(&it, out, 2), -ENOSPC);
	assert_int_equal(mp_proxy_seg_next(&it, out, 3), 3);
	assert_int_equal(out[0], 0xc3);
	assert_int_equal(mp_proxy_seg_next(&it, out, 3), 0);
}

/* ---------- malformed sequences ---------- */

struct bad_case {
	const char *what;
	const char *seq[4];
	size_t n;
	int err;
};

static void test_sar_violations(void **state)
{
	static const struct bad_case cases[] = {
		{ "empty ATT value", { "" }, 1, -EBADMSG },
		{ "Complete with no Data", { "03" }, 1, -EBADMSG },
		{ "First with no Data", { "43" }, 1, -EBADMSG },
		{ "Continuation with no First", { "8301" }, 1, -ENOMSG },
		{ "Last with no First", { "c301" }, 1, -ENOMSG },
		{ "Last after a finished message", { "4301", "c302", "c303" }, 3, -ENOMSG },
		{ "Continuation after a Complete", { "0301", "8302" }, 2, -ENOMSG },
		{ "First while in progress", { "4301", "4302" }, 2, -EALREADY },
		{ "Complete while in progress", { "4301", "8302", "0303" }, 3, -EALREADY },
		{ "empty First while in progress", { "4301", "43" }, 2, -EALREADY },
		{ "empty value while in progress", { "4301", "" }, 2, -EBADMSG },
		{ "type change on Continuation", { "4301", "8002" }, 2, -EPROTOTYPE },
		{ "type change on Last", { "4301", "8302", "c202" }, 3, -EPROTOTYPE },
		{ "RFU type change on Last", { "7f01", "fe02" }, 2, -EPROTOTYPE },
	};
	uint8_t buf[66];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;
	size_t i;

	rx_new(&rx, buf, sizeof(buf));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("    %s\n", cases[i].what);
		assert_int_equal(feed_seq(&rx, cases[i].seq, cases[i].n, &m), cases[i].err);
		assert_recovers(&rx);
	}
}

static void test_rfu_type_sequences_are_sar_checked(void **state)
{
	static const char *const ok[] = { "7f01", "bf02", "ff03" };
	static const char *const bad[] = { "7f01", "bf02", "fe03" };
	uint8_t buf[8];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;

	rx_new(&rx, buf, sizeof(buf));
	assert_int_equal(feed_seq(&rx, ok, 3, &m), 1);
	assert_int_equal(m.type, 0x3f);
	assert_int_equal(m.len, 3);
	assert_int_equal(feed_seq(&rx, bad, 3, &m), -EPROTOTYPE);
	assert_recovers(&rx);
}

static void test_message_too_long(void **state)
{
	uint8_t buf[10], v[32];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;

	rx_new(&rx, buf, sizeof(buf));
	/* Complete: 10 fits, 11 does not. */
	v[0] = 0x03;
	pattern(v + 1, 11, 1);
	assert_int_equal(feed(&rx, v, 11, &m), 1);
	assert_int_equal(m.len, 10);
	tu_assert_bytes(m.data, v + 1, 10);
	assert_int_equal(feed(&rx, v, 12, &m), -EMSGSIZE);
	assert_recovers(&rx);
	/* A First already over the limit. */
	v[0] = 0x43;
	assert_int_equal(feed(&rx, v, 12, &m), -EMSGSIZE);
	assert_recovers(&rx);
	/* Growing past it on a Continuation, and on a Last. */
	assert_int_equal(feed(&rx, v, 6, &m), 0);
	v[0] = 0x83;
	assert_int_equal(feed(&rx, v, 5, &m), 0);	/* 9 */
	assert_int_equal(feed(&rx, v, 3, &m), -EMSGSIZE);	/* 11 */
	assert_recovers(&rx);
	v[0] = 0x43;
	assert_int_equal(feed(&rx, v, 10, &m), 0);	/* 9 */
	v[0] = 0xc3;
	assert_int_equal(feed(&rx, v, 3, &m), -EMSGSIZE);
	assert_recovers(&rx);
	/* ...and exactly to it. */
	v[0] = 0x43;
	assert_int_equal(feed(&rx, v, 10, &m), 0);
	v[0] = 0xc3;
	assert_int_equal(feed(&rx, v, 2, &m), 1);
	assert_int_equal(m.len, 10);
}

/* What the receiver accepts although our segmenter never sends it. */
static void test_lenient_where_harmless(void **state)
{
	static const char *const short_first[] = { "4301", "8302", "c30304" };
	static const char *const empty_cont[] = { "430102", "83", "c3" };
	uint8_t buf[66], big[600];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;

	rx_new(&rx, buf, sizeof(buf));
	assert_int_equal(feed_seq(&rx, short_first, 3, &m), 1);
	assert_int_equal(m.len, 4);
	tu_assert_bytes(m.data, (const uint8_t *)"\x01\x02\x03\x04", 4);
	assert_int_equal(feed_seq(&rx, empty_cont, 3, &m), 1);
	assert_int_equal(m.len, 2);
	/* A value longer than any ATT_MTU allows: the ATT layer bounds
	 * those, the reassembler only bounds the message. */
	rx_new(&rx, big, sizeof(big));
	big[0] = 0x00;
	assert_int_equal(feed(&rx, big, 599, &m), 1);
	assert_int_equal(m.len, 598);
	assert_int_equal(m.type, MP_PROXY_NETWORK_PDU);
}

static void test_reset_and_init(void **state)
{
	static const char *const first[] = { "4301" };
	uint8_t buf[4];
	struct mp_proxy_rx rx;
	struct mp_proxy_msg m;

	assert_int_equal(mp_proxy_rx_init(&rx, NULL, 4), -EINVAL);
	assert_int_equal(mp_proxy_rx_init(&rx, buf, 0), -EINVAL);
	rx_new(&rx, buf, sizeof(buf));
	assert_int_equal(feed_seq(&rx, first, 1, &m), 0);
	assert_true(mp_proxy_rx_in_progress(&rx));
	/* The owner's SAR timer expired: drop it, start over. */
	mp_proxy_rx_reset(&rx);
	assert_recovers(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_data_segmentation),
		cmocka_unit_test(test_sample_data_reassembly),
		cmocka_unit_test(test_round_trip_provisioning_sizes),
		cmocka_unit_test(test_round_trip_long_messages),
		cmocka_unit_test(test_segment_size),
		cmocka_unit_test(test_segmenter_misuse),
		cmocka_unit_test(test_sar_violations),
		cmocka_unit_test(test_rfu_type_sequences_are_sar_checked),
		cmocka_unit_test(test_message_too_long),
		cmocka_unit_test(test_lenient_where_harmless),
		cmocka_unit_test(test_reset_and_init),
	};

	return cmocka_run_group_tests_name("bearer/proxy (MshPRT v1.1 6.3, 8.8)", tests,
					   load_vectors, NULL);
}
