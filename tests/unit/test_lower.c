/* transport/lower.h: the Lower Transport PDU codec.
 *
 * Table-driven over the sample data's `messages` group (MshPRT v1.1 8.3.1 to
 * 8.3.24), one case per message named after its section: each Network PDU's
 * lower transport PDU is decoded to the sample's header fields (SEG, AKF/AID
 * or opcode, SZMIC, SeqZero, SegO, SegN) and payload (the upper transport
 * PDU, or the segment), and encoded from them back to the same bytes; the
 * Segment Acknowledgments (8.3.7, 8.3.9) down to OBO, SeqZero and BlockAck.
 * Then the malformed ones, each with its error.
 */
#include "net_tu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport/lower.h"

static void round_trip(const struct mp_lower_pdu *p, const uint8_t *exp, size_t len)
{
	uint8_t out[32];

	memset(out, 0xee, sizeof(out));
	assert_int_equal(mp_lower_encode(p, out, sizeof(out)), (ssize_t)len);
	tu_assert_bytes(out, exp, len);
	assert_int_equal(mp_lower_encode(p, out, len - 1), -ENOSPC);
}

/* MshPRT v1.1 8.3.x, both directions. */
static void test_message(void **state)
{
	struct json_object *m = *state, *pdus = tu_get(m, "network_pdus");
	bool ctl = ntu_int(m, "ctl") != 0;
	bool network_only = strcmp(tu_str(m, "type"), "network_only") == 0;
	size_t i;

	for (i = 0; i < json_object_array_length(pdus); i++) {
		struct json_object *p = json_object_array_get_idx(pdus, i);
		struct mp_lower_pdu d;
		uint8_t pdu[32], hdr[4], payload[32];
		size_t len, hlen, plen;

		if (network_only) {
			/* the forwarded PDU: it decodes and re-encodes as it is */
			len = tu_hex(p, "transport_pdu", pdu, sizeof(pdu));
			assert_int_equal(mp_lower_decode(ctl, pdu, len, &d), 0);
			round_trip(&d, pdu, len);
			continue;
		}
		len = tu_hex(p, "lower_transport_pdu", pdu, sizeof(pdu));
		hlen = tu_hex(p, "header", hdr, sizeof(hdr));
		assert_int_equal(mp_lower_decode(ctl, pdu, len, &d), 0);
		tu_assert_bytes(pdu, hdr, hlen);
		assert_int_equal(d.ctl, ctl);
		assert_int_equal(d.seg, ntu_int(p, "seg"));
		assert_int_equal(hlen, d.seg ? MP_LOWER_SEG_HDR_LEN : 1);
		if (ctl) {
			assert_int_equal(d.opcode, ntu_int(p, "opcode"));
		} else {
			assert_int_equal(d.akf, ntu_int(p, "akf"));
			assert_int_equal(d.aid, ntu_int(p, "aid"));
		}
		if (d.seg) {
			uint32_t origin = 0;

			assert_int_equal(d.szmic, ntu_int(p, "szmic"));
			assert_int_equal(d.seq_zero, ntu_int(p, "seq_zero"));
			assert_int_equal(d.seg_o, ntu_int(p, "seg_o"));
			assert_int_equal(d.seg_n, ntu_int(p, "seg_n"));
			plen = tu_hex(p, "segment", payload, sizeof(payload));
			/* the segment is the upper transport PDU cut where the
			 * segmenter cuts it */
			{
				uint8_t upper[400];
				size_t ulen = tu_hex(m, "upper_transport_pdu", upper, sizeof(upper));
				struct mp_lower_pdu s = { .ctl = ctl, .akf = d.akf, .aid = d.aid,
							  .opcode = d.opcode, .szmic = d.szmic,
							  .seq_zero = d.seq_zero };

				assert_int_equal(mp_lower_seg_count(ctl, ulen), d.seg_n + 1);
				assert_int_equal(mp_lower_segment(&s, upper, ulen, d.seg_o), 0);
				assert_int_equal(s.payload_len, plen);
				tu_assert_bytes(s.payload, payload, plen);
				round_trip(&s, pdu, len);
			}
			/* SeqAuth: the first segment's SEQ, from any segment's */
			assert_int_equal(mp_lower_seq_origin(ntu_int(p, "seq"), d.seq_zero, &origin), 0);
			assert_int_equal(origin, ntu_int(m, "seq"));
		} else {
			plen = tu_hex(m, "upper_transport_pdu", payload, sizeof(payload));
		}
		assert_int_equal(d.payload_len, plen);
		assert_ptr_equal(d.payload, pdu + hlen);
		tu_assert_bytes(d.payload, payload, plen);
		round_trip(&d, pdu, len);

		if (ctl && d.opcode == MP_CTL_SEG_ACK) {
			struct mp_seg_ack a;
			uint8_t out[MP_SEG_ACK_LEN];

			assert_int_equal(mp_seg_ack_decode(d.payload, d.payload_len, &a), 0);
			assert_int_equal(a.obo, ntu_int(m, "control.parameters.obo"));
			assert_int_equal(a.seq_zero, ntu_int(m, "control.parameters.seq_zero"));
			assert_int_equal(a.block_ack, ntu_int(m, "control.parameters.block_ack"));
			/* it acknowledges 8.3.6 */
			assert_int_equal(a.seq_zero, ntu_int(ntu_message(6), "network_pdus.1.seq_zero"));
			assert_int_equal(mp_seg_ack_encode(&a, out, sizeof(out)), MP_SEG_ACK_LEN);
			tu_assert_bytes(out, d.payload, MP_SEG_ACK_LEN);
		}
	}
}

/* Every format's length limits, on decode and encode. */
static void test_lengths(void **state)
{
	static const uint8_t z[40];
	struct mp_lower_pdu d;
	uint8_t pdu[40], out[40];
	size_t n;

	memset(pdu, 0, sizeof(pdu));
	assert_int_equal(mp_lower_decode(false, pdu, 0, &d), -ENODATA);
	assert_int_equal(mp_lower_decode(true, pdu, 0, &d), -ENODATA);
	/* unsegmented access: 5..15 octets after the header */
	pdu[0] = 0x66;
	for (n = 1; n <= 17; n++) {
		int want = n < 6 ? -ENODATA : n > 16 ? -EMSGSIZE : 0;

		assert_int_equal(mp_lower_decode(false, pdu, n, &d), want);
		if (want)
			assert_memory_equal(&d, z, sizeof(d));
	}
	/* unsegmented control: 0..11 */
	pdu[0] = 0x0a;
	assert_int_equal(mp_lower_decode(true, pdu, 1, &d), 0);
	assert_int_equal(d.payload_len, 0);
	assert_int_equal(mp_lower_decode(true, pdu, 12, &d), 0);
	assert_int_equal(mp_lower_decode(true, pdu, 13, &d), -EMSGSIZE);
	/* segmented access: 4-octet header, then 1..12 */
	pdu[0] = 0x80;
	for (n = 1; n <= 5; n++)
		assert_int_equal(mp_lower_decode(false, pdu, n, &d), n < 5 ? -ENODATA : 0);
	assert_int_equal(mp_lower_decode(false, pdu, 16, &d), 0);
	assert_int_equal(mp_lower_decode(false, pdu, 17, &d), -EMSGSIZE);
	/* segmented control: 1..8 */
	assert_int_equal(mp_lower_decode(true, pdu, 12, &d), 0);
	assert_int_equal(mp_lower_decode(true, pdu, 13, &d), -EMSGSIZE);
	assert_int_equal(mp_lower_decode(true, pdu, 4, &d), -ENODATA);

	/* and the encoder */
	d = (struct mp_lower_pdu){ .payload = z, .payload_len = 4 };
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 16;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 15;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 16);
	d.ctl = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 0;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 1);
	d.seg = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 9;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 8;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 12);
	d.ctl = false;
	d.payload_len = 13;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EMSGSIZE);
	d.payload_len = 12;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 16);
}

/* Fields the formats forbid. */
static void test_fields(void **state)
{
	static const uint8_t z[12];
	struct mp_lower_pdu d;
	uint8_t pdu[16] = { 0x80, 0x00, 0x00, 0x00, 0xaa }, out[20];

	/* an AID with the device key */
	pdu[0] = 0x01;
	assert_int_equal(mp_lower_decode(false, pdu, 6, &d), -EPROTO);
	assert_int_equal(mp_lower_decode(true, pdu, 6, &d), 0);
	pdu[0] = 0x41;
	assert_int_equal(mp_lower_decode(false, pdu, 6, &d), 0);
	assert_int_equal(d.aid, 1);
	pdu[0] = 0x80;
	/* SegO above SegN */
	pdu[3] = 0x20;	/* SegO 1, SegN 0 */
	assert_int_equal(mp_lower_decode(false, pdu, 5, &d), -EPROTO);
	pdu[3] = 0x21;	/* SegO 1, SegN 1 */
	assert_int_equal(mp_lower_decode(false, pdu, 5, &d), 0);
	assert_int_equal(d.seg_o, 1);
	assert_int_equal(d.seg_n, 1);
	pdu[2] = 0x03;
	pdu[3] = 0xff;	/* SegO 31, SegN 31 */
	assert_int_equal(mp_lower_decode(false, pdu, 5, &d), 0);
	assert_int_equal(d.seg_o, 31);
	assert_int_equal(d.seg_n, 31);
	assert_int_equal(d.seq_zero, 0);
	/* SZMIC on access; the same bit is RFU on control */
	pdu[1] = 0x80;
	assert_int_equal(mp_lower_decode(false, pdu, 5, &d), 0);
	assert_true(d.szmic);
	assert_int_equal(mp_lower_decode(true, pdu, 5, &d), -EPROTO);
	pdu[1] = 0x7f;
	pdu[2] = 0xfc;
	assert_int_equal(mp_lower_decode(true, pdu, 5, &d), 0);
	assert_false(d.szmic);
	assert_int_equal(d.seq_zero, 0x1fff);

	/* encoder: every field range */
	d = (struct mp_lower_pdu){ .akf = true, .aid = 0x40, .payload = z, .payload_len = 5 };
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.aid = 0x3f;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 6);
	assert_int_equal(out[0], 0x7f);
	d.akf = false;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.aid = 0;
	d.szmic = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.seg = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 9);
	d.seq_zero = 0x2000;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.seq_zero = 0x1fff;
	d.seg_o = 2;
	d.seg_n = 1;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.seg_n = 32;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.seg_n = 31;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 9);
	d.ctl = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);	/* SZMIC */
	d.szmic = false;
	d.opcode = 0x80;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	d.opcode = 0x7f;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), 9);
	d.akf = true;
	assert_int_equal(mp_lower_encode(&d, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_lower_encode(NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(mp_lower_decode(false, NULL, 5, &d), -EINVAL);
}

/* SeqAuth's SEQ from SeqZero, across the 13-bit wrap and at the bottom. */
static void test_seq_origin(void **state)
{
	uint32_t o = 0;

	assert_int_equal(mp_lower_seq_origin(0x3129ac, 0x09ab, &o), 0);
	assert_int_equal(o, 0x3129ab);
	assert_int_equal(mp_lower_seq_origin(0x3129ab, 0x09ab, &o), 0);
	assert_int_equal(o, 0x3129ab);
	assert_int_equal(mp_lower_seq_origin(0x002001, 0x1fff, &o), 0);	/* across a wrap */
	assert_int_equal(o, 0x001fff);
	assert_int_equal(mp_lower_seq_origin(0x000005, 0x0010, &o), -ERANGE);
	assert_int_equal(mp_lower_seq_origin(0x000005, 0x2000, &o), -EINVAL);
	assert_int_equal(mp_lower_seq_origin(0xffffff, 0x1fff, &o), 0);
	assert_int_equal(o, 0xffffff);
}

/* Segmentation: 12 octets per access segment, 8 per control one, up to 32. */
static void test_segment(void **state)
{
	static const uint8_t up[400];
	struct mp_lower_pdu p = { 0 };

	assert_int_equal(mp_lower_seg_count(false, 0), 0);
	assert_int_equal(mp_lower_seg_count(false, 1), 1);
	assert_int_equal(mp_lower_seg_count(false, 12), 1);
	assert_int_equal(mp_lower_seg_count(false, 13), 2);
	assert_int_equal(mp_lower_seg_count(false, 384), 32);
	assert_int_equal(mp_lower_seg_count(false, 385), 0);
	assert_int_equal(mp_lower_seg_count(true, 256), 32);
	assert_int_equal(mp_lower_seg_count(true, 257), 0);
	assert_int_equal(mp_lower_segment(&p, up, 384, 31), 0);
	assert_int_equal(p.seg_n, 31);
	assert_int_equal(p.payload_len, 12);
	assert_ptr_equal(p.payload, up + 372);
	assert_int_equal(mp_lower_segment(&p, up, 384, 32), -EINVAL);
	assert_int_equal(mp_lower_segment(&p, up, 385, 0), -EINVAL);
	assert_int_equal(mp_lower_segment(&p, up, 25, 2), 0);
	assert_int_equal(p.payload_len, 1);
	p.ctl = true;
	assert_int_equal(mp_lower_segment(&p, up, 17, 2), 0);
	assert_int_equal(p.seg_n, 2);
	assert_int_equal(p.payload_len, 1);
	assert_ptr_equal(p.payload, up + 16);
	assert_int_equal(mp_lower_segment(NULL, up, 17, 0), -EINVAL);
}

/* The Segment Acknowledgment's lengths and RFU bits. */
static void test_seg_ack(void **state)
{
	uint8_t p[8] = { 0xa6, 0xac, 0x00, 0x00, 0x00, 0x02 }, out[8];
	struct mp_seg_ack a;

	assert_int_equal(mp_seg_ack_decode(p, 5, &a), -ENODATA);
	assert_int_equal(mp_seg_ack_decode(p, 7, &a), -EMSGSIZE);
	assert_int_equal(mp_seg_ack_decode(p, 6, &a), 0);
	p[1] |= 0x01;
	assert_int_equal(mp_seg_ack_decode(p, 6, &a), -EPROTO);
	assert_false(a.obo);
	assert_int_equal(a.seq_zero, 0);
	a = (struct mp_seg_ack){ .obo = false, .seq_zero = 0x1fff, .block_ack = 0xffffffff };
	assert_int_equal(mp_seg_ack_encode(&a, out, sizeof(out)), 6);
	assert_int_equal(out[0], 0x7f);
	assert_int_equal(out[1], 0xfc);
	assert_int_equal(mp_seg_ack_encode(&a, out, 5), -ENOSPC);
	a.seq_zero = 0x2000;
	assert_int_equal(mp_seg_ack_encode(&a, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	ntu_add_messages("messages", test_message);
#define ADD(fn) ntu_add(#fn, fn, NULL)
	ADD(test_lengths);
	ADD(test_fields);
	ADD(test_seq_origin);
	ADD(test_segment);
	ADD(test_seg_ack);
#undef ADD
	return ntu_run("lower");
}
