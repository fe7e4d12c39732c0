/* Fuzz target: a node's mesh stack (include/mesh/stack.h) fed Network PDUs
 * and timer expiries: the network decoder, the cache, the destination
 * filter, the replay list, the lower transport, the SAR receiver and
 * transmitter, the upper transport and the key and label look-ups together.
 *
 * The node is 1201 (2 elements) with the 8.3 NetKey (index 456), AppKey
 * (123) and its device key, IV index 12345678, subscribed to group c105 and
 * the two 8.3 virtual labels (b529, 9736); it knows no other device key.
 *
 * Input: operations until the input ends:
 *  - 0x80 | id: timer id (mod the stack's count) expires, if armed;
 *  - 0x40 | n: a PDU secured here under the 8.3 NetKey, so that the layers
 *    above the network see it: one flags octet (bit 0 CTL; bits 1-2 SRC of
 *    0003, 1234, 2345, 1201; bits 3-5 DST of 1201, 1202, ffff, c105, b529,
 *    9736, 0003, c000; bit 6 the IV index - 1), TTL, SEQ (3 octets, big
 *    endian), then n & 0x1f octets of Lower Transport PDU;
 *  - n (below 0x40): n octets of raw Network PDU.
 * A delivered message whose first octet is odd is answered at once from
 * inside deliver() (the re-entrancy of HACKING.md strategy 1): back to its
 * source under the same key, 1 or 20 octets (unsegmented, segmented).
 *
 * Invariants (abort on failure):
 *  - every mp_mesh_rx return is 0 or an error stack.h lists;
 *  - a delivered message is 1..380 octets, to one of the node's elements,
 *    ffff, c105 or a subscribed virtual address with its label, never from
 *    one of its own elements; a virtual DST has its label;
 *  - a Network PDU sent is 14..29 octets, under subnet 456;
 *  - timers are asked for by id below the stack's count only;
 *  - every PDU fed is counted: handled (a delivery, a segment taken, an
 *    acknowledgment) or dropped for a reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/mesh_keys.h"
#include "mesh/stack.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TIMERS 64

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
				     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
				     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
				     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t label1[16] = { 0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
				    0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1 };
static const uint8_t label2[16] = { 0xf4, 0xa0, 0x02, 0xc7, 0xfb, 0x1e, 0x4c, 0xa0,
				    0xa4, 0x69, 0xa0, 0x21, 0xde, 0x0d, 0xb8, 0x75 };

#define IV 0x12345678

struct fz {
	struct mp_mesh *m;
	bool armed[TIMERS];
	unsigned timers;
	uint32_t seq;
};

static void f_send(void *user, uint16_t net_idx, const uint8_t *pdu, size_t len)
{
	(void)user;
	if (net_idx != 0x456 || len < MP_NET_PDU_MIN || len > MP_NET_PDU_MAX || !pdu)
		abort();
}

static void f_timer(void *user, unsigned id, uint32_t ms)
{
	struct fz *f = user;

	if (id >= f->timers || id >= TIMERS)
		abort();
	f->armed[id] = ms != 0;
}

static int f_seq(void *user, uint32_t *seq)
{
	struct fz *f = user;

	*seq = f->seq++;
	return 0;
}

static int f_dev_key(void *user, uint16_t addr, uint8_t key[16])
{
	(void)user;
	if (addr != 0x1201 && addr != 0x1202)
		return -ENOENT;
	memcpy(key, dev_key, 16);
	return 0;
}

static void f_deliver(void *user, const struct mp_mesh_rx_msg *msg)
{
	struct fz *f = user;
	uint8_t reply[20] = { 0 };
	volatile uint8_t x = 0;
	size_t i;

	if (msg->len == 0 || msg->len > MP_MESH_ACCESS_MAX || msg->src == 0x1201 ||
	    msg->src == 0x1202 || msg->net_idx != 0x456)
		abort();
	if (msg->dst != 0x1201 && msg->dst != 0x1202 && msg->dst != 0xffff && msg->dst != 0xc105 &&
	    !(msg->label && (msg->dst == 0xb529 || msg->dst == 0x9736)))
		abort();
	if ((msg->label != NULL) != ((msg->dst & 0xc000) == 0x8000))
		abort();
	for (i = 0; i < msg->len; i++)
		x ^= msg->payload[i];
	(void)x;
	if (msg->payload[0] & 1) {
		struct mp_mesh_tx tx = {
			.src = 0x1201, .dst = msg->src, .net_idx = 0x456, .key = msg->key,
			.ttl = MP_MESH_TTL_DEFAULT, .payload = reply,
			.len = (msg->payload[0] & 2) ? 20 : 1,
		};
		int r = mp_mesh_send_access(f->m, &tx, NULL);

		if (r != 0 && r != 1 && r != -EBUSY && r != -ENOBUFS && r != -ENOENT)
			abort();
	}
}

static void f_control(void *user, const struct mp_mesh_ctl_msg *msg)
{
	(void)user;
	if (msg->len > MP_MESH_CTL_MAX || msg->opcode == 0 || msg->opcode > 0x7f)
		abort();
}

static void f_done(void *user, uint16_t dst, uint32_t seq_auth, int err)
{
	(void)user;
	(void)seq_auth;
	if (!mp_addr_is_unicast(dst) ||
	    (err != 0 && err != -ETIMEDOUT && err != -ECONNREFUSED && err != -ECANCELED))
		abort();
}

static const struct mp_mesh_ops ops = {
	.send = f_send, .timer = f_timer, .seq_next = f_seq, .dev_key = f_dev_key,
	.deliver = f_deliver, .control = f_control, .done = f_done,
};

static bool known(int r)
{
	switch (r) {
	case 0: case -EMSGSIZE: case -ENODATA: case -ERANGE: case -ENOKEY: case -EBADMSG:
	case -EADDRNOTAVAIL: case -EALREADY: case -ELOOP: case -ENOENT: case -EPROTO:
	case -ESTALE: case -ENOBUFS: case -EACCES: case -EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}

/* Every PDU fed is handled (a delivery, a segment, an ack) or one drop. */
static unsigned long accounted(const struct mp_mesh_stats *s)
{
	return s->delivered + s->ctl_delivered + s->acks_in + s->segments_in +
	       s->drop_oversized + s->drop_truncated + s->drop_iv + s->drop_unknown_nid +
	       s->drop_net_mic + s->drop_bad_header + s->drop_cached + s->drop_own_src +
	       s->drop_not_for_us + s->drop_malformed + s->drop_replay + s->drop_seg_duplicate +
	       s->drop_seg_stale + s->drop_seg_contradicts + s->drop_seg_busy +
	       s->drop_ack_unmatched + s->drop_ctl_unhandled + s->drop_no_key +
	       s->drop_trans_mic + s->drop_no_label;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t srcs[4] = { 0x0003, 0x1234, 0x2345, 0x1201 };
	static const uint16_t dsts[8] = { 0x1201, 0x1202, 0xffff, 0xc105,
					  0xb529, 0x9736, 0x0003, 0xc000 };
	struct fz f = { .seq = 0x100 };
	struct mp_mesh_config c = { .ops = &ops, .user = &f, .addr = 0x1201, .elements = 2,
				    .tx_slots = 4, .rx_slots = 4, .cache = 16 };
	struct mp_net_cred cred;
	const struct mp_mesh_stats *st;
	unsigned long fed = 0, before;
	size_t i = 0;

	f.m = mp_mesh_new(&c);
	if (!f.m)
		abort();
	f.timers = mp_mesh_timer_count(f.m);
	if (mp_mesh_set_iv(f.m, IV, false) || mp_mesh_subnet_add(f.m, 0x456, net_key) ||
	    mp_mesh_app_key_add(f.m, 0x123, 0x456, app_key) || mp_mesh_subscribe(f.m, 0xc105) ||
	    mp_mesh_subscribe_virtual(f.m, label1) || mp_mesh_subscribe_virtual(f.m, label2) ||
	    mp_net_cred_flooding(net_key, &cred))
		abort();
	st = mp_mesh_stats(f.m);
	while (i < size) {
		uint8_t op = data[i++];
		uint8_t pdu[64];
		size_t len;
		int r;

		if (op & 0x80) {
			unsigned id = (op & 0x7f) % f.timers;

			if (f.armed[id]) {
				f.armed[id] = false;
				mp_mesh_timeout(f.m, id);
			}
			continue;
		}
		if (op & 0x40) {
			struct mp_net_hdr h;
			uint8_t fl;
			ssize_t n;

			len = op & 0x1f;
			if (size - i < 5 + len)
				break;
			fl = data[i];
			h = (struct mp_net_hdr){
				.ctl = fl & 1, .src = srcs[(fl >> 1) & 3], .dst = dsts[(fl >> 3) & 7],
				.ttl = data[i + 1] & 0x7f,
				.seq = (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 8 |
				       data[i + 4],
			};
			n = mp_net_encode(&cred, (fl & 0x40) ? IV - 1 : IV, MP_NET_NETWORK, &h,
					  data + i + 5, len, pdu, sizeof(pdu));
			i += 5 + len;
			if (n < 0)
				continue;
			len = (size_t)n;
		} else {
			len = op;
			if (size - i < len)
				len = size - i;
			memcpy(pdu, data + i, len);
			i += len;
		}
		before = accounted(st);
		r = mp_mesh_rx(f.m, pdu, len);
		fed++;
		if (!known(r))
			abort();
		/* a delivery may carry a segment or an ack with it: at least
		 * one count per PDU, and no drop counted twice */
		if (accounted(st) < before + 1 || st->rx_pdus != fed)
			abort();
	}
	mp_mesh_free(f.m);
	return 0;
}
