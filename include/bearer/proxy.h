/* Proxy PDUs: the segmentation and reassembly that PB-GATT (and the Mesh
 * Proxy Service) run over an ATT channel. MshPRT v1.1 6.3.1, 6.3.2; 5.2.2.
 *
 * A Proxy PDU is one octet SAR (2 bits, most significant) | Message Type
 * (6 bits), then the Data: a whole message (SAR Complete) or one segment of
 * it (First, Continuation, Last). Each Proxy PDU is one ATT value (a Write
 * Without Response or a Handle Value Notification), so it is at most
 * ATT_MTU - 3 octets long; and at most 512, the longest attribute value
 * (Core v5.4 Vol 3 Part F 3.2.9), which only matters above ATT_MTU 515.
 *
 * Both halves are pure and allocate nothing:
 *  - struct mp_proxy_seg cuts a message into Proxy PDUs, one per call, each
 *    filled to the segment size except the last (MshPRT v1.1 6.3.2.1);
 *  - struct mp_proxy_rx puts received Proxy PDUs back together in a buffer
 *    the caller provides, whose size is the longest message accepted.
 *
 * What the reassembler enforces (MshPRT v1.1 6.3.2.2), each with its own
 * error so that the owner can log it; after any error the reassembler is
 * idle again and the next valid message is accepted:
 *  - -EBADMSG     an empty ATT value, or a Complete or First segment with no
 *                 Data (a message is never empty: nothing could be sent in it);
 *  - -ENOMSG      a Continuation or Last segment with no message in progress;
 *  - -EALREADY    a Complete or First segment while a message is in progress;
 *  - -EPROTOTYPE  a Continuation or Last segment of another Message Type than
 *                 the First segment of the message in progress;
 *  - -EMSGSIZE    a message longer than the buffer.
 * The specification has the receiver drop the connection on any of those
 * (6.3.2.2); that is the owner's decision, it is only reported here.
 * What it deliberately accepts: a First or Continuation segment shorter than
 * the segment size (the sender's duty to fill them, 6.3.2.1, cannot be
 * checked by a receiver that does not know which ATT_MTU the sender used),
 * a Continuation or Last segment with no Data (it adds nothing), any value
 * longer than ATT_MTU - 3 (the ATT layer below bounds those), and every
 * Message Type, RFU ones included: what to do with a type is the user's
 * business (PB-GATT ignores all but Provisioning PDUs).
 *
 * The Proxy SAR timer (20 s for a whole segmented message, 6.3.2.2) is the
 * owner's: mp_proxy_rx_in_progress() says when to run it.
 */
#ifndef MP_BEARER_PROXY_H
#define MP_BEARER_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* SAR field. MshPRT v1.1 6.3.1, Table 6.2 */
enum mp_proxy_sar {
	MP_PROXY_SAR_COMPLETE = 0x0,
	MP_PROXY_SAR_FIRST = 0x1,
	MP_PROXY_SAR_CONT = 0x2,
	MP_PROXY_SAR_LAST = 0x3,
};

/* Message Type field. MshPRT v1.1 6.3.1, Table 6.3; 0x04..0x3F RFU. */
enum mp_proxy_type {
	MP_PROXY_NETWORK_PDU = 0x00,
	MP_PROXY_MESH_BEACON = 0x01,
	MP_PROXY_CONFIGURATION = 0x02,
	MP_PROXY_PROVISIONING_PDU = 0x03,
};

#define MP_PROXY_TYPE_MASK 0x3f

/* The header octet, and its two fields. */
#define MP_PROXY_HDR(sar, type) ((uint8_t)(((sar) & 0x3) << 6 | ((type) & MP_PROXY_TYPE_MASK)))
#define MP_PROXY_HDR_SAR(hdr) ((uint8_t)(hdr) >> 6)
#define MP_PROXY_HDR_TYPE(hdr) ((uint8_t)(hdr) & MP_PROXY_TYPE_MASK)

/* The smallest ATT_MTU of LE (Core v5.4 Vol 3 Part F 3.2.8), the default
 * until an Exchange MTU; the largest value length ATT can carry. */
#define MP_PROXY_ATT_MTU_MIN 23
#define MP_PROXY_ATT_VALUE_MAX 512
/* The SAR transfer timeout. MshPRT v1.1 6.3.2.2 */
#define MP_PROXY_SAR_TIMEOUT_MS 20000

/**
 * The longest Proxy PDU (header included) one ATT value carries at
 * @att_mtu: min(@att_mtu - 3, 512). 0 for an @att_mtu under 23.
 */
size_t mp_proxy_pdu_size(unsigned att_mtu);

/** How many Proxy PDUs a message of @len octets takes at @att_mtu (0 for
 * an empty message or an ATT_MTU under 23). */
size_t mp_proxy_seg_count(size_t len, unsigned att_mtu);

/* A message being cut into Proxy PDUs; see mp_proxy_seg_init(). */
struct mp_proxy_seg {
	const uint8_t *msg;
	size_t len;
	size_t off;		/* octets of msg already emitted */
	size_t data_max;	/* Data octets per Proxy PDU */
	uint8_t type;
	bool started;
};

/**
 * Start cutting @msg (@len octets, kept by reference until the last
 * segment) of Message Type @type into Proxy PDUs for @att_mtu.
 * Returns 0, -EINVAL for a @type above 0x3F, an @att_mtu under 23 or a NULL
 * @msg, -EMSGSIZE for an empty message.
 */
int mp_proxy_seg_init(struct mp_proxy_seg *it, uint8_t type, const uint8_t *msg, size_t len,
		      unsigned att_mtu);

/**
 * Write the next Proxy PDU into @out: a Complete one when the message fits,
 * else First, Continuation..., Last, each filled but the last. Returns its
 * length, 0 once the whole message was emitted, -ENOSPC (and nothing is
 * consumed) when @cap is too small for it: mp_proxy_pdu_size(att_mtu)
 * always fits.
 */
ssize_t mp_proxy_seg_next(struct mp_proxy_seg *it, uint8_t *out, size_t cap);

/* A reassembler; caller-allocated, see mp_proxy_rx_init(). */
struct mp_proxy_rx {
	uint8_t *buf;
	size_t cap;		/* the longest message accepted */
	size_t len;		/* octets of the message in progress */
	uint8_t type;		/* its Message Type */
	bool busy;		/* a First segment was accepted, no Last yet */
};

/* A complete message, as mp_proxy_rx_feed() returns it. */
struct mp_proxy_msg {
	uint8_t type;		/* enum mp_proxy_type, or an RFU value */
	const uint8_t *data;	/* in the reassembler's buffer */
	size_t len;		/* 1 .. cap */
};

/**
 * Make @rx an idle reassembler of messages up to @cap octets, kept in @buf
 * (which must outlive it). Returns 0, or -EINVAL for a NULL @buf or a @cap
 * of 0.
 */
int mp_proxy_rx_init(struct mp_proxy_rx *rx, uint8_t *buf, size_t cap);

/** Drop any message in progress (say, when the SAR timer expired). */
void mp_proxy_rx_reset(struct mp_proxy_rx *rx);

/** True between an accepted First segment and the end of its message. */
bool mp_proxy_rx_in_progress(const struct mp_proxy_rx *rx);

/**
 * Feed one received ATT value, a Proxy PDU (@len octets; nothing is trusted
 * from it). Returns 1 with a complete message in @msg (its data valid until
 * the next feed or reset), 0 when the segment was taken and more must
 * follow, or one of the negative errors listed at the top of this file,
 * with the message in progress dropped and @rx idle.
 */
int mp_proxy_rx_feed(struct mp_proxy_rx *rx, const uint8_t *value, size_t len,
		     struct mp_proxy_msg *msg);

#endif
