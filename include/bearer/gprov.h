/* Generic Provisioning: the PDUs that carry Provisioning PDUs over PB-ADV.
 *
 * MshPRT v1.1 5.3.1. A Generic Provisioning PDU is one octet of Generic
 * Provisioning Control (GPCF in the two low bits, six bits of field above it)
 * and a payload:
 *   GPCF 0b00 Transaction Start         SegN, TotalLength (be16), FCS, data
 *   GPCF 0b01 Transaction Acknowledgment  Padding (0b000000)
 *   GPCF 0b10 Transaction Continuation  SegmentIndex, data
 *   GPCF 0b11 Provisioning Bearer Control  BearerOpcode, parameters
 * A Provisioning PDU travels in one transaction: segment 0 in the Start PDU,
 * segments 1..SegN in Continuation PDUs, each segment filled to the bearer
 * MTU except the last. The FCS of the whole Provisioning PDU is the CRC-8 of
 * 3GPP TS 27.010 (MshPRT v1.1 5.3.1.1).
 *
 * Everything here is pure: a codec, a segmenter and a reassembler. The
 * PB-ADV link (bearer/pbadv.h) adds transaction numbers, acks and timers.
 */
#ifndef MP_BEARER_GPROV_H
#define MP_BEARER_GPROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The PB-ADV bearer MTU is 24 octets of Generic Provisioning PDU
 * (MshPRT v1.1 5.2.1): 29 octets of AD data minus Length and AD Type (2),
 * Link ID (4) and Transaction Number (1). */
#define MP_GPROV_MTU 24
/* Start: GPC (1) + TotalLength (2) + FCS (1) + up to 20 octets of data. */
#define MP_GPROV_START_DATA_MAX 20
/* Continuation: GPC (1) + up to 23 octets of data. */
#define MP_GPROV_CONT_DATA_MAX 23
/* SegN and SegmentIndex are 6-bit fields. */
#define MP_GPROV_SEG_MAX 63
/*
 * The largest Provisioning PDU one transaction can carry: 20 + 63 * 23 =
 * 1469 octets. This is the format's own limit, enforced here: a
 * Start whose TotalLength needs more than 64 segments is malformed anyway.
 * Most Provisioning PDUs are at most 65 octets (Public Key), but a
 * Provisioning Record Response (MshPRT v1.1 5.4.1.12) carries a fragment of
 * whatever size the Provisioner asked for, so the bearer does not second-
 * guess the provisioning layer, which checks exact lengths per type.
 */
#define MP_GPROV_PDU_MAX (MP_GPROV_START_DATA_MAX + MP_GPROV_SEG_MAX * MP_GPROV_CONT_DATA_MAX)
/*
 * The longest Provisioning PDU of a fixed length: Public Key, 1 + 64 octets
 * (MshPRT v1.1 5.4.1.3; prov/pdu.h's MP_PROV_PDU_MAX, which a test checks it
 * equals). A link that never asks for provisioning records receives nothing
 * longer, so a Start announcing more is malformed: PB-ADV links refuse it by
 * default (mp_pbadv_config.rx_max).
 */
#define MP_GPROV_PROV_PDU_MAX 65

enum mp_gprov_type {
	MP_GPROV_START = 0x0,
	MP_GPROV_ACK = 0x1,
	MP_GPROV_CONT = 0x2,
	MP_GPROV_CTL = 0x3,
};

/* BearerOpcode of Provisioning Bearer Control. MshPRT v1.1 Table 5.9 */
enum mp_gprov_ctl_opcode {
	MP_GPROV_LINK_OPEN = 0x00,
	MP_GPROV_LINK_ACK = 0x01,
	MP_GPROV_LINK_CLOSE = 0x02,
};

#define MP_GPROV_UUID_LEN 16

/* One decoded Generic Provisioning PDU; pointers point into the input. */
struct mp_gprov_pdu {
	enum mp_gprov_type type;
	uint8_t seg;		/* START: SegN; CONT: SegmentIndex */
	uint16_t total_len;	/* START: TotalLength */
	uint8_t fcs;		/* START: FCS */
	uint8_t opcode;		/* CTL: BearerOpcode */
	uint8_t reason;		/* CTL Link Close: Reason */
	const uint8_t *data;	/* START, CONT: segment data; Link Open: Device UUID */
	size_t len;		/* length of data */
};

/** FCS of @len octets: 3GPP TS 27.010 CRC-8 (x^8+x^2+x+1, reflected, init
 * 0xFF, ones' complement). MshPRT v1.1 5.3.1.1. */
uint8_t mp_gprov_fcs(const uint8_t *data, size_t len);

/** SegN (last segment number) of a Provisioning PDU of @len octets
 * (1..MP_GPROV_PDU_MAX); 0 for longer or empty input. */
unsigned mp_gprov_seg_n(size_t len);

/**
 * Decode a Generic Provisioning PDU of @len octets into @out (which points
 * into @gp). Every check that needs no context is made here: a Start with a
 * TotalLength of 0, a SegN that is not the one TotalLength needs, or data
 * not exactly min(TotalLength, 20) octets; a Continuation with SegmentIndex
 * 0, or with no data or more than 23 octets; an Ack with non-zero padding or
 * trailing octets; a Link Open without exactly 16 octets of UUID, a Link Ack
 * with parameters, a Link Close without exactly one Reason octet.
 * Returns 0, -EPROTO for a malformed PDU, -EOPNOTSUPP for an RFU BearerOpcode.
 */
int mp_gprov_decode(const uint8_t *gp, size_t len, struct mp_gprov_pdu *out);

/**
 * Encode @pdu (as mp_gprov_decode() would return it) into @out. Link Open
 * takes its UUID from data/len (16 octets). Returns the length, -EINVAL for
 * fields that do not fit their width or an inconsistent PDU, -ENOSPC when
 * @cap is too small.
 */
ssize_t mp_gprov_encode(const struct mp_gprov_pdu *pdu, uint8_t *out, size_t cap);

/**
 * Encode segment @index of the Provisioning PDU @pdu (@len octets) as a
 * Start (index 0, with FCS @fcs) or Continuation PDU into @out.
 * Returns the length, -EINVAL for a bad @len or an index above SegN,
 * -ENOSPC when @cap is too small (MP_GPROV_MTU always fits).
 */
ssize_t mp_gprov_segment(const uint8_t *pdu, size_t len, uint8_t fcs, unsigned index,
			 uint8_t *out, size_t cap);

/*
 * Reassembly of one transaction. Segments may come in any order and any
 * number of times; Continuations that arrive before the Start are kept and
 * checked against it when it comes. Embed it and reset it per transaction.
 */
struct mp_gprov_rx {
	uint64_t have;		/* bit i: segment i is stored */
	bool started;		/* the Start was seen: seg_n, total_len, fcs valid */
	bool complete;		/* delivered; further segments are duplicates */
	uint8_t seg_n;
	uint16_t total_len;
	uint8_t fcs;
	uint8_t seg_len[MP_GPROV_SEG_MAX + 1];
	uint8_t buf[MP_GPROV_PDU_MAX];
};

/** Forget any partial transaction. */
void mp_gprov_rx_reset(struct mp_gprov_rx *rx);

/**
 * Add a decoded Start or Continuation (@seg from mp_gprov_decode()).
 * Returns:
 *   > 0          the transaction is complete and its FCS correct: the
 *                Provisioning PDU is rx->buf, this many octets;
 *   0            stored, more segments are needed;
 *   -EALREADY    a duplicate segment (or the transaction was complete): ignored;
 *   -EPROTO      the segment contradicts the Start (index above SegN, wrong
 *                length, a Start with other SegN/TotalLength/FCS): ignored,
 *                the rest of the transaction is kept;
 *   -EBADMSG     all segments are in but the FCS does not match: the whole
 *                transaction is discarded (rx is reset) and must not be acked;
 *   -EINVAL      @seg is not a Start or Continuation.
 */
int mp_gprov_rx_add(struct mp_gprov_rx *rx, const struct mp_gprov_pdu *seg);

#endif
