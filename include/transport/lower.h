/* The lower transport layer's PDUs, a pure codec. MshPRT v1.1 3.5.2.
 *
 * The first octet of a Lower Transport PDU says whether it is segmented
 * (SEG, its top bit); what follows depends on CTL, which the network layer
 * carried:
 *
 *   access,  unsegmented  0 | AKF | AID(6)  || UpperTransportAccessPDU (5..15)
 *   access,  segmented    1 | AKF | AID(6)  || SZMIC | SeqZero(13) | SegO(5) |
 *                                              SegN(5) || Segment (1..12)
 *   control, unsegmented  0 | Opcode(7)     || Parameters (0..11)
 *   control, segmented    1 | Opcode(7)     || RFU | SeqZero(13) | SegO(5) |
 *                                              SegN(5) || Segment (1..8)
 *
 * The Segment Acknowledgment (3.5.2.3.1) is the unsegmented control message
 * of opcode 0x00 whose 6 octets of parameters are
 *   OBO | SeqZero(13) | RFU(2) || BlockAck(32).
 *
 * This file is the codec only: segmentation, reassembly and the SAR timers
 * (3.5.3) come on top of it. Nothing here touches a file descriptor, a
 * clock or a global.
 *
 * Decoding errors: -ENODATA for a PDU shorter than its format (including a
 * segment with no octet, or an unsegmented access PDU under 6 octets: an
 * UpperTransportAccessPDU is at least one octet and a 32-bit TransMIC),
 * -EMSGSIZE for a longer one, -EPROTO for a field the format forbids (SegO
 * above SegN; an AID other than 0 with AKF 0; an RFU bit set in a segmented
 * control header, which is "reserved for future use" and so not something
 * this version can read), -EINVAL for a NULL argument.
 */
#ifndef MP_TRANSPORT_LOWER_H
#define MP_TRANSPORT_LOWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MP_LOWER_UNSEG_ACCESS_MIN 5	/* UpperTransportAccessPDU octets */
#define MP_LOWER_UNSEG_ACCESS_MAX 15
#define MP_LOWER_UNSEG_CTL_MAX 11	/* control parameters */
#define MP_LOWER_SEG_ACCESS_MAX 12	/* octets per segment */
#define MP_LOWER_SEG_CTL_MAX 8
#define MP_LOWER_SEG_HDR_LEN 4
#define MP_LOWER_SEGS_MAX 32		/* SegN is 5 bits */
#define MP_LOWER_SEQ_ZERO_MASK 0x1fff

/* Transport control opcodes of the lower transport. MshPRT v1.1 3.6.5.1 */
#define MP_CTL_SEG_ACK 0x00

/* One Lower Transport PDU's fields. */
struct mp_lower_pdu {
	bool ctl;		/* from the network layer */
	bool seg;
	bool akf;		/* access: application key (1) or device key (0) */
	uint8_t aid;		/* access: 6 bits, 0 when AKF is 0 */
	uint8_t opcode;		/* control: 7 bits */
	bool szmic;		/* segmented access: 64-bit TransMIC */
	uint16_t seq_zero;	/* segmented: 13 bits */
	uint8_t seg_o;		/* segmented: 5 bits */
	uint8_t seg_n;		/* segmented: 5 bits */
	/* the UpperTransportAccessPDU (unsegmented access), the control
	 * parameters (unsegmented control) or the segment (segmented) */
	const uint8_t *payload;
	size_t payload_len;
};

/**
 * Decode a Lower Transport PDU that the network layer delivered with @ctl.
 * out->payload points into @pdu.
 */
int mp_lower_decode(bool ctl, const uint8_t *pdu, size_t len, struct mp_lower_pdu *out);

/**
 * Encode @p into @out: the header then the payload. Returns the length, or
 * -EINVAL for a field out of range (AID over 6 bits, or not 0 with AKF 0;
 * opcode over 7 bits; SeqZero over 13 bits; SegO or SegN over 5 bits, SegO
 * above SegN; SZMIC on a control PDU), -EMSGSIZE for a payload the format
 * cannot carry, -ENOSPC when @cap is too small.
 */
ssize_t mp_lower_encode(const struct mp_lower_pdu *p, uint8_t *out, size_t cap);

/**
 * The SEQ of the first segment of a segmented message (the low 24 bits of
 * its SeqAuth), from a segment's @seq and its @seq_zero: the largest value
 * not above @seq whose low 13 bits are @seq_zero (3.5.3, SeqAuth). -ERANGE
 * when there is none (@seq is too small), -EINVAL when @seq_zero has more
 * than 13 bits.
 */
int mp_lower_seq_origin(uint32_t seq, uint16_t seq_zero, uint32_t *origin);

/**
 * How many segments an Upper Transport PDU of @len octets takes: 12 octets
 * per access segment, 8 per control segment (3.5.2.2, 3.5.2.4). 0 when
 * @len is 0 or more than 32 segments hold.
 */
unsigned mp_lower_seg_count(bool ctl, size_t len);

/**
 * Segment @seg_o of the Upper Transport PDU @upper (@len octets): fills
 * @p's SegO, SegN and payload (pointing into @upper); the caller has set
 * CTL, AKF/AID or the opcode, SZMIC and SeqZero. Every segment is full but
 * the last (3.5.3, segmentation). -EINVAL when @seg_o is past the last
 * segment or @len cannot be segmented.
 */
int mp_lower_segment(struct mp_lower_pdu *p, const uint8_t *upper, size_t len, unsigned seg_o);

/* A Segment Acknowledgment's parameters. MshPRT v1.1 3.5.2.3.1 */
struct mp_seg_ack {
	bool obo;		/* sent by a friend on behalf of a Low Power node */
	uint16_t seq_zero;	/* 13 bits */
	uint32_t block_ack;	/* bit n: segment n received */
};

#define MP_SEG_ACK_LEN 6

/** Decode the 6 octets of parameters of a Segment Acknowledgment. An RFU
 *  bit set is -EPROTO; other lengths -ENODATA / -EMSGSIZE. */
int mp_seg_ack_decode(const uint8_t *params, size_t len, struct mp_seg_ack *out);
/** Encode the parameters; 6, or -EINVAL (SeqZero over 13 bits), -ENOSPC. */
ssize_t mp_seg_ack_encode(const struct mp_seg_ack *a, uint8_t *out, size_t cap);

#endif
