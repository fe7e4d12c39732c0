/* bearer/gprov: Generic Provisioning PDUs against MshPRT v1.1 8.7, and every
 * rule of segmentation and reassembly (MshPRT v1.1 5.3.1, 5.3.2).
 *
 * The sample-data cases are generated from tests/vectors/mesh-vectors.json,
 * one cmocka case per message, named after its spec section. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearer/gprov.h"
#include "core/buf.h"
#include "bearer/pbadv.h"

#define PBADV_HDR 5	/* Link ID + Transaction Number */

/* --- sample data: Bearer Control (8.7.1, 8.7.2, 8.7.14) --- */

static const char *ctl_path(char *buf, size_t cap, int i, const char *field)
{
	snprintf(buf, cap, "pdus.bearer_control.%d.%s", i, field);
	return buf;
}

static void test_bearer_control_vector(void **state)
{
	struct json_object *v = tu_vectors();
	int i = (int)(intptr_t)*state;
	uint8_t msg[64], gp[64], params[32], uuid[16], out[64], txn;
	size_t msg_len, gp_len, params_len, n;
	struct mp_gprov_pdu pdu;
	uint32_t link_id;
	unsigned opcode;
	char p[96];

	msg_len = tu_hex(v, ctl_path(p, sizeof(p), i, "message"), msg, sizeof(msg));
	gp_len = tu_hex(v, ctl_path(p, sizeof(p), i, "generic_provisioning_pdu"), gp, sizeof(gp));
	params_len = tu_hex(v, ctl_path(p, sizeof(p), i, "parameters"), params, sizeof(params));
	tu_hex(v, ctl_path(p, sizeof(p), i, "transaction"), &txn, 1);
	tu_hex(v, ctl_path(p, sizeof(p), i, "opcode"), out, 1);
	opcode = out[0];

	/* The PB-ADV framing: sample Link ID, Transaction Number 0. */
	assert_int_equal(mp_pbadv_pdu_link_id(msg, msg_len, &link_id), 0);
	tu_hex(v, "pdus.link_id", out, 4);
	assert_int_equal(link_id, mp_be32(out));
	assert_int_equal(msg[4], txn);
	assert_int_equal(txn, 0);
	assert_int_equal(msg_len, PBADV_HDR + gp_len);
	tu_assert_bytes(msg + PBADV_HDR, gp, gp_len);

	/* Decode. */
	assert_int_equal(mp_gprov_decode(gp, gp_len, &pdu), 0);
	assert_int_equal(pdu.type, MP_GPROV_CTL);
	assert_int_equal(pdu.opcode, opcode);
	switch (opcode) {
	case MP_GPROV_LINK_OPEN:
		tu_hex(v, "pdus.device_uuid", uuid, sizeof(uuid));
		assert_int_equal(pdu.len, 16);
		tu_assert_bytes(pdu.data, uuid, 16);
		tu_assert_bytes(pdu.data, params, params_len);
		break;
	case MP_GPROV_LINK_ACK:
		assert_int_equal(params_len, 0);
		break;
	case MP_GPROV_LINK_CLOSE:
		assert_int_equal(params_len, 1);
		assert_int_equal(pdu.reason, params[0]);
		assert_int_equal(pdu.reason, MP_LINK_CLOSE_SUCCESS);
		break;
	default:
		fail_msg("unexpected opcode %u", opcode);
	}

	/* Encode back, byte for byte. */
	n = (size_t)mp_gprov_encode(&pdu, out, sizeof(out));
	assert_int_equal(n, gp_len);
	tu_assert_bytes(out, gp, gp_len);
}

/* --- sample data: transactions (8.7.3 .. 8.7.13) --- */

static void path(char *buf, size_t cap, int i, const char *field)
{
	snprintf(buf, cap, "pdus.transactions.%d.%s", i, field);
}

static void test_transaction_vector(void **state)
{
	struct json_object *v = tu_vectors(), *msgs;
	int i = (int)(intptr_t)*state;
	uint8_t pdu[MP_GPROV_PDU_MAX], msg[64], ack[16], gp[64], b[4], txn, fcs;
	size_t pdu_len, msg_len, ack_len, k, nmsgs;
	struct mp_gprov_pdu seg, ackp;
	struct mp_gprov_rx *rx = calloc(1, sizeof(*rx));
	char p[96];
	uint16_t total;
	unsigned seg_n;
	int r = 0;

	assert_non_null(rx);
	path(p, sizeof(p), i, "provisioning_pdu");
	pdu_len = tu_hex(v, p, pdu, sizeof(pdu));
	path(p, sizeof(p), i, "fcs");
	tu_hex(v, p, &fcs, 1);
	path(p, sizeof(p), i, "transaction");
	tu_hex(v, p, &txn, 1);
	path(p, sizeof(p), i, "seg_n");
	tu_hex(v, p, b, 1);
	seg_n = b[0];
	path(p, sizeof(p), i, "total_length");
	tu_hex(v, p, b, 2);
	total = mp_be16(b);

	/* FCS, SegN, TotalLength. MshPRT v1.1 5.3.1.1 */
	assert_int_equal(mp_gprov_fcs(pdu, pdu_len), fcs);
	assert_int_equal(mp_gprov_seg_n(pdu_len), seg_n);
	assert_int_equal(total, pdu_len);

	path(p, sizeof(p), i, "messages");
	msgs = tu_get(v, p);
	nmsgs = json_object_array_length(msgs);
	assert_int_equal(nmsgs, seg_n + 1);
	mp_gprov_rx_reset(rx);
	for (k = 0; k < nmsgs; k++) {
		ssize_t n;

		snprintf(p, sizeof(p), "pdus.transactions.%d.messages.%zu", i, k);
		msg_len = tu_hex(v, p, msg, sizeof(msg));
		assert_true(msg_len <= MP_PBADV_PDU_MAX);
		assert_int_equal(msg[4], txn);

		/* Segmentation reproduces the message. */
		n = mp_gprov_segment(pdu, pdu_len, fcs, (unsigned)k, gp, sizeof(gp));
		assert_int_equal(n, msg_len - PBADV_HDR);
		tu_assert_bytes(gp, msg + PBADV_HDR, (size_t)n);

		/* Decoding reads back every field. */
		assert_int_equal(mp_gprov_decode(msg + PBADV_HDR, msg_len - PBADV_HDR, &seg), 0);
		if (k == 0) {
			assert_int_equal(seg.type, MP_GPROV_START);
			assert_int_equal(seg.seg, seg_n);
			assert_int_equal(seg.total_len, total);
			assert_int_equal(seg.fcs, fcs);
		} else {
			assert_int_equal(seg.type, MP_GPROV_CONT);
			assert_int_equal(seg.seg, k);
		}
		/* and encodes back. */
		assert_int_equal(mp_gprov_encode(&seg, gp, sizeof(gp)), msg_len - PBADV_HDR);
		tu_assert_bytes(gp, msg + PBADV_HDR, msg_len - PBADV_HDR);

		r = mp_gprov_rx_add(rx, &seg);
		if (k + 1 < nmsgs)
			assert_int_equal(r, 0);
	}
	/* Reassembly delivers the Provisioning PDU. */
	assert_int_equal(r, pdu_len);
	tu_assert_bytes(rx->buf, pdu, pdu_len);
	assert_int_equal(mp_gprov_segment(pdu, pdu_len, fcs, seg_n + 1, gp, sizeof(gp)), -EINVAL);

	/* The Transaction Acknowledgment. MshPRT v1.1 5.3.1.2 */
	path(p, sizeof(p), i, "ack");
	ack_len = tu_hex(v, p, ack, sizeof(ack));
	assert_int_equal(ack_len, PBADV_HDR + 1);
	assert_int_equal(ack[4], txn);
	assert_int_equal(mp_gprov_decode(ack + PBADV_HDR, 1, &ackp), 0);
	assert_int_equal(ackp.type, MP_GPROV_ACK);
	assert_int_equal(mp_gprov_encode(&ackp, gp, sizeof(gp)), 1);
	assert_int_equal(gp[0], ack[PBADV_HDR]);
	free(rx);
}

/* --- FCS --- */

static void test_fcs_is_complemented_crc8_rohc(void **state)
{
	/* 3GPP TS 27.010's CRC register is CRC-8/ROHC (poly 0x07 reflected,
	 * init 0xFF, check 0xD0 for "123456789"); the FCS sent is its ones'
	 * complement. A non-reflected or non-complemented CRC fails here. */
	assert_int_equal(mp_gprov_fcs((const uint8_t *)"123456789", 9), 0xff - 0xd0);
	assert_int_equal(mp_gprov_fcs(NULL, 0), 0x00);
}

/* --- segmentation arithmetic --- */

static void test_seg_n_boundaries(void **state)
{
	assert_int_equal(mp_gprov_seg_n(1), 0);
	assert_int_equal(mp_gprov_seg_n(20), 0);
	assert_int_equal(mp_gprov_seg_n(21), 1);
	assert_int_equal(mp_gprov_seg_n(43), 1);
	assert_int_equal(mp_gprov_seg_n(44), 2);
	assert_int_equal(mp_gprov_seg_n(65), 2);
	assert_int_equal(mp_gprov_seg_n(MP_GPROV_PDU_MAX), 63);
	assert_int_equal(MP_GPROV_PDU_MAX, 1469);
	assert_int_equal(mp_gprov_seg_n(MP_GPROV_PDU_MAX + 1), 0);
	assert_int_equal(mp_gprov_seg_n(0), 0);
}

/* Segment @pdu and feed all segments in @order (indices) to @rx. */
static int feed(struct mp_gprov_rx *rx, const uint8_t *pdu, size_t len, const unsigned *order,
		size_t n)
{
	uint8_t gp[MP_GPROV_MTU];
	struct mp_gprov_pdu seg;
	uint8_t fcs = mp_gprov_fcs(pdu, len);
	int r = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		ssize_t gl = mp_gprov_segment(pdu, len, fcs, order[i], gp, sizeof(gp));

		assert_true(gl > 0 && gl <= MP_GPROV_MTU);
		assert_int_equal(mp_gprov_decode(gp, (size_t)gl, &seg), 0);
		r = mp_gprov_rx_add(rx, &seg);
	}
	return r;
}

static void test_largest_pdu_round_trip_any_order(void **state)
{
	struct mp_gprov_rx *rx = calloc(1, sizeof(*rx));
	uint8_t *pdu = malloc(MP_GPROV_PDU_MAX);
	unsigned order[64];
	size_t i;

	assert_non_null(rx);
	assert_non_null(pdu);
	for (i = 0; i < MP_GPROV_PDU_MAX; i++)
		pdu[i] = (uint8_t)(i * 7 + 3);
	/* Reverse order: 63 Continuations before the Start. */
	for (i = 0; i < 64; i++)
		order[i] = (unsigned)(63 - i);
	mp_gprov_rx_reset(rx);
	assert_int_equal(feed(rx, pdu, MP_GPROV_PDU_MAX, order, 64), MP_GPROV_PDU_MAX);
	tu_assert_bytes(rx->buf, pdu, MP_GPROV_PDU_MAX);
	/* Complete: anything more is a duplicate. */
	assert_int_equal(feed(rx, pdu, MP_GPROV_PDU_MAX, order, 1), -EALREADY);
	/* Interleaved order with duplicates. */
	for (i = 0; i < 64; i++)
		order[i] = (unsigned)((i * 37) % 64);
	mp_gprov_rx_reset(rx);
	assert_int_equal(feed(rx, pdu, MP_GPROV_PDU_MAX, order, 32), 0);
	assert_int_equal(feed(rx, pdu, MP_GPROV_PDU_MAX, order, 1), -EALREADY);
	assert_int_equal(feed(rx, pdu, MP_GPROV_PDU_MAX, order + 32, 32), MP_GPROV_PDU_MAX);
	tu_assert_bytes(rx->buf, pdu, MP_GPROV_PDU_MAX);
	free(pdu);
	free(rx);
}

/* --- decoder negative cases: MshPRT v1.1 5.3.1 --- */

struct bad_gp {
	const char *what;
	const char *hex;
	int err;
};

static void test_decode_rejects_malformed(void **state)
{
	static const struct bad_gp bad[] = {
		{ "empty", "", -EPROTO },
		{ "Start, truncated header", "0000", -EPROTO },
		{ "Start, no FCS", "000002", -EPROTO },
		{ "Start, no data", "00000214", -EPROTO },
		{ "Start, TotalLength 0", "0000001400", -EPROTO },
		{ "Start, data shorter than TotalLength", "0000031400 00", -EPROTO },
		{ "Start, data longer than TotalLength", "000002140000 00", -EPROTO },
		{ "Start, SegN 1 for 2 octets", "040002140000", -EPROTO },
		{ "Start, SegN 0 for 21 octets",
		  "00001514000102030405060708090a0b0c0d0e0f10111213", -EPROTO },
		{ "Start, SegN 3 for 65 octets (needs 2)",
		  "0c0041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa", -EPROTO },
		{ "Start, first segment short of 20",
		  "080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8", -EPROTO },
		{ "Start, TotalLength beyond 64 segments",
		  "fcffffd1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa", -EPROTO },
		{ "Ack, non-zero padding", "05", -EPROTO },
		{ "Ack, padding all ones", "fd", -EPROTO },
		{ "Ack, trailing octet", "0100", -EPROTO },
		{ "Continuation, SegmentIndex 0", "02aa", -EPROTO },
		{ "Continuation, no data", "06", -EPROTO },
		{ "Continuation, 24 octets",
		  "06000102030405060708090a0b0c0d0e0f1011121314151617", -EPROTO },
		{ "Link Open, 15 octets of UUID", "0370cf7c9732a345b691494810d2e9cb", -EPROTO },
		{ "Link Open, 17 octets", "0370cf7c9732a345b691494810d2e9cbf400", -EPROTO },
		{ "Link Ack with a parameter", "0700", -EPROTO },
		{ "Link Close without Reason", "0b", -EPROTO },
		{ "Link Close, two octets", "0b0000", -EPROTO },
		{ "Bearer opcode 0x03 (RFU)", "0f", -EOPNOTSUPP },
		{ "Bearer opcode 0x3F (RFU)", "ff", -EOPNOTSUPP },
	};
	struct mp_gprov_pdu pdu;
	uint8_t gp[64];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char hex[160];
		size_t j, k = 0;

		for (j = 0; bad[i].hex[j]; j++)
			if (bad[i].hex[j] != ' ')
				hex[k++] = bad[i].hex[j];
		hex[k] = '\0';
		n = tu_unhex(hex, gp, sizeof(gp));
		if (mp_gprov_decode(gp, n, &pdu) != bad[i].err)
			fail_msg("%s: expected %d", bad[i].what, bad[i].err);
	}
	/* A well-formed sibling of each group is accepted (the table is not
	 * failing for an unrelated reason). */
	assert_int_equal(mp_gprov_decode((const uint8_t *)"\x00\x00\x02\x14\x00\x00", 6, &pdu), 0);
	assert_int_equal(mp_gprov_decode((const uint8_t *)"\x01", 1, &pdu), 0);
	assert_int_equal(mp_gprov_decode((const uint8_t *)"\x06\xaa", 2, &pdu), 0);
	assert_int_equal(mp_gprov_decode((const uint8_t *)"\x0b\x02", 2, &pdu), 0);
	assert_int_equal(pdu.reason, MP_LINK_CLOSE_FAIL);
	assert_int_equal(mp_gprov_decode((const uint8_t *)"\x0b\x77", 2, &pdu), 0);
}

static void test_encode_rejects_bad_fields(void **state)
{
	struct mp_gprov_pdu pdu = { .type = MP_GPROV_CONT, .seg = 64, .len = 1,
				    .data = (const uint8_t *)"x" };
	uint8_t out[MP_GPROV_MTU];

	assert_int_equal(mp_gprov_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu.seg = 1;
	pdu.len = 24;
	assert_int_equal(mp_gprov_encode(&pdu, out, sizeof(out)), -EINVAL);
	pdu.len = 1;
	assert_int_equal(mp_gprov_encode(&pdu, out, 1), -ENOSPC);
	assert_int_equal(mp_gprov_encode(&pdu, out, 2), 2);
	pdu = (struct mp_gprov_pdu){ .type = MP_GPROV_CTL, .opcode = MP_GPROV_LINK_OPEN, .len = 3,
				     .data = out };
	assert_int_equal(mp_gprov_encode(&pdu, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_gprov_segment(out, 0, 0, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_gprov_segment(out, MP_GPROV_PDU_MAX + 1, 0, 0, out, sizeof(out)),
			 -EINVAL);
}

/* --- reassembly rules: MshPRT v1.1 5.3.2 --- */

static struct mp_gprov_pdu make_seg(enum mp_gprov_type type, unsigned seg, uint16_t total,
				    uint8_t fcs, const uint8_t *data, size_t len)
{
	return (struct mp_gprov_pdu){ .type = type, .seg = (uint8_t)seg, .total_len = total,
				      .fcs = fcs, .data = data, .len = len };
}

static void test_reassembly_checks_each_segment(void **state)
{
	struct mp_gprov_rx *rx = calloc(1, sizeof(*rx));
	uint8_t pdu[50], junk[MP_GPROV_CONT_DATA_MAX] = { 0 }, fcs;
	struct mp_gprov_pdu s;
	size_t i;

	assert_non_null(rx);
	for (i = 0; i < sizeof(pdu); i++)
		pdu[i] = (uint8_t)i;
	fcs = mp_gprov_fcs(pdu, sizeof(pdu));	/* 50 octets: 20 + 23 + 7, SegN 2 */
	mp_gprov_rx_reset(rx);

	/* Continuations before the Start: a plausible one is kept, one that
	 * will turn out too long for the last segment is dropped then. */
	s = make_seg(MP_GPROV_CONT, 1, 0, 0, pdu + 20, 23);
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EALREADY);
	s = make_seg(MP_GPROV_CONT, 2, 0, 0, junk, 8);
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);
	s = make_seg(MP_GPROV_CONT, 5, 0, 0, pdu, 23);	/* beyond SegN, seen later */
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);

	s = make_seg(MP_GPROV_START, 2, sizeof(pdu), fcs, pdu, 20);
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);	/* segment 2 was dropped */
	assert_false(rx->have & (1u << 5));
	assert_false(rx->have & (1u << 2));

	/* The same Start again: duplicate. A different one: conflict. */
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EALREADY);
	s.fcs ^= 1;
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	s = make_seg(MP_GPROV_START, 2, sizeof(pdu) + 1, fcs, pdu, 20);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	/* A Start contradicting its own TotalLength (built by hand). */
	s = make_seg(MP_GPROV_START, 1, sizeof(pdu), fcs, pdu, 20);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);

	/* Index above SegN, wrong lengths. */
	s = make_seg(MP_GPROV_CONT, 3, 0, 0, pdu, 7);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	s = make_seg(MP_GPROV_CONT, 2, 0, 0, pdu + 43, 6);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	s = make_seg(MP_GPROV_CONT, 2, 0, 0, junk, 23);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	s = make_seg(MP_GPROV_CONT, 0, 0, 0, pdu, 20);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EPROTO);
	s = make_seg(MP_GPROV_ACK, 0, 0, 0, NULL, 0);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EINVAL);

	/* The right last segment completes it. */
	s = make_seg(MP_GPROV_CONT, 2, 0, 0, pdu + 43, 7);
	assert_int_equal(mp_gprov_rx_add(rx, &s), (int)sizeof(pdu));
	tu_assert_bytes(rx->buf, pdu, sizeof(pdu));
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EALREADY);
	free(rx);
}

static void test_fcs_mismatch_discards_transaction(void **state)
{
	struct mp_gprov_rx *rx = calloc(1, sizeof(*rx));
	const unsigned order[] = { 0, 1, 2 };
	uint8_t pdu[65], bad[65];
	struct mp_gprov_pdu s;
	size_t i;

	assert_non_null(rx);
	for (i = 0; i < sizeof(pdu); i++)
		pdu[i] = (uint8_t)(0xa5 ^ i);
	memcpy(bad, pdu, sizeof(pdu));
	bad[30] ^= 0x40;
	mp_gprov_rx_reset(rx);
	/* Start and Continuation 2 right, Continuation 1 corrupted in flight. */
	s = make_seg(MP_GPROV_START, 2, 65, mp_gprov_fcs(pdu, 65), pdu, 20);
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);
	s = make_seg(MP_GPROV_CONT, 2, 0, 0, pdu + 43, 22);
	assert_int_equal(mp_gprov_rx_add(rx, &s), 0);
	s = make_seg(MP_GPROV_CONT, 1, 0, 0, bad + 20, 23);
	assert_int_equal(mp_gprov_rx_add(rx, &s), -EBADMSG);
	/* Discarded entirely: nothing is stored any more. */
	assert_false(rx->started);
	assert_int_equal(rx->have, 0);
	/* The retransmission reassembles cleanly. */
	assert_int_equal(feed(rx, pdu, sizeof(pdu), order, 3), 65);
	tu_assert_bytes(rx->buf, pdu, sizeof(pdu));
	free(rx);
}

/* --- the runner: vector cases named after their spec sections --- */

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_fcs_is_complemented_crc8_rohc),
		cmocka_unit_test(test_seg_n_boundaries),
		cmocka_unit_test(test_largest_pdu_round_trip_any_order),
		cmocka_unit_test(test_decode_rejects_malformed),
		cmocka_unit_test(test_encode_rejects_bad_fields),
		cmocka_unit_test(test_reassembly_checks_each_segment),
		cmocka_unit_test(test_fcs_mismatch_discards_transaction),
	};
	struct json_object *v = tu_vectors();
	size_t nctl = json_object_array_length(tu_get(v, "pdus.bearer_control"));
	size_t ntx = json_object_array_length(tu_get(v, "pdus.transactions"));
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n = 0, i;
	struct CMUnitTest *tests = calloc(nctl + ntx + nfixed, sizeof(*tests));
	char (*names)[128] = calloc(nctl + ntx, sizeof(*names));
	int rc;

	if (!tests || !names)
		return 1;
	for (i = 0; i < nctl; i++, n++) {
		char p[64];

		snprintf(p, sizeof(p), "pdus.bearer_control.%zu.name", i);
		snprintf(names[n], sizeof(names[n]), "%s", tu_str(v, p));
		tests[n] = (struct CMUnitTest){ names[n], test_bearer_control_vector, NULL, NULL,
						(void *)(intptr_t)i };
	}
	for (i = 0; i < ntx; i++, n++) {
		char p[64];

		snprintf(p, sizeof(p), "pdus.transactions.%zu.name", i);
		snprintf(names[n], sizeof(names[n]), "%s", tu_str(v, p));
		tests[n] = (struct CMUnitTest){ names[n], test_transaction_vector, NULL, NULL,
						(void *)(intptr_t)i };
	}
	for (i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	rc = _cmocka_run_group_tests("bearer/gprov", tests, n, NULL, NULL);
	free(names);
	free(tests);
	return rc;
}
