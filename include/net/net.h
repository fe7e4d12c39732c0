/* The network layer of Bluetooth Mesh as a pure codec. MshPRT v1.1 3.4.
 *
 * A Network PDU (3.4.4) is
 *   IVI (1 bit) | NID (7) || CTL (1) | TTL (7) || SEQ (24) || SRC (16) ||
 *   DST (16) || TransportPDU (1..16 octets, 1..12 when CTL = 1) ||
 *   NetMIC (32 bits, 64 when CTL = 1)
 * where DST || TransportPDU is encrypted and NetMIC computed with AES-CCM
 * under the EncryptionKey and the network nonce (3.9.7.2), then CTL, TTL,
 * SEQ and SRC are obfuscated with the PrivacyKey (3.9.7.3). So a Network
 * PDU is 14 to 29 octets long (18 to 29 with CTL = 1).
 *
 * Proxy configuration messages (6.5) are Network PDUs too, under the proxy
 * nonce, with CTL 1, TTL 0 and DST the unassigned address: the same codec
 * with kind MP_NET_PROXY_CONFIG.
 *
 * Nothing here touches a file descriptor, a clock or a global: keys, the IV
 * index and bytes come in as arguments, bytes and decoded fields go out
 * through them. The network message cache is storage the caller provides.
 *
 * TTL (3.4.4.3): 0 = not relayed and will not be relayed; 1 = may have been
 * relayed, will not be relayed; 2..126 = may have been relayed, can be
 * relayed; 127 = not relayed, can be relayed. meshprov does not relay
 * (the issue: "meshprov is a provisioner: it does not relay"), so on
 * reception every TTL 0..127 is delivered and none is retransmitted; a
 * relay would retransmit only TTL >= 2, with TTL - 1 (3.4.6, Relay
 * feature; Receiving a Network PDU), which
 * mp_net_relay_ttl() states for the simulated node. The rule that 1 is not
 * a Default TTL (4.2.7) belongs to whoever picks the TTL of an originated
 * message, not to this codec, which encodes any 0..127.
 */
#ifndef MP_NET_NET_H
#define MP_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto/mesh_keys.h"

#define MP_NET_HDR_LEN 9		/* IVI|NID, CTL|TTL, SEQ, SRC, DST */
#define MP_NET_PDU_MIN 14		/* header, 1 octet of TransportPDU, 32-bit NetMIC */
#define MP_NET_PDU_MAX 29		/* header, 16 octets, 32 bits (or 12 and 64) */
#define MP_NET_TRANSPORT_MAX 16		/* TransportPDU of an access message (CTL 0) */
#define MP_NET_TRANSPORT_MAX_CTL 12	/* TransportPDU of a control message (CTL 1) */
#define MP_NET_TTL_MAX 0x7f
#define MP_NET_SEQ_MAX 0xffffff

/* Address ranges. MshPRT v1.1 3.4.2 */
#define MP_ADDR_UNASSIGNED 0x0000
static inline bool mp_addr_is_unicast(uint16_t a)
{
	return a != 0 && a < 0x8000;
}
static inline bool mp_addr_is_virtual(uint16_t a)
{
	return (a & 0xc000) == 0x8000;
}
static inline bool mp_addr_is_group(uint16_t a)
{
	return (a & 0xc000) == 0xc000;
}

/* Which nonce secures the PDU, and which header rules apply. */
enum mp_net_kind {
	MP_NET_NETWORK = 0,	/* network nonce; DST not unassigned (3.4.4.7) */
	MP_NET_PROXY_CONFIG = 1,	/* proxy nonce; CTL 1, TTL 0, DST unassigned (6.5) */
};

/* The clear header fields of a Network PDU. */
struct mp_net_hdr {
	bool ctl;		/* 1: transport control message, 64-bit NetMIC */
	uint8_t ttl;		/* 0..127 */
	uint32_t seq;		/* 24 bits */
	uint16_t src;		/* a unicast address */
	uint16_t dst;
};

/* Everything derived from one NetKey. MshPRT v1.1 3.9.6.3 */
struct mp_net_keys {
	uint8_t net_key[16];
	struct mp_net_cred flood;	/* NID, EncryptionKey, PrivacyKey: k2(NetKey, 0x00) */
	uint8_t network_id[8];		/* k3 */
	uint8_t identity_key[16];
	uint8_t beacon_key[16];
	uint8_t private_beacon_key[16];
};

/** Derive every key of @net_key into @k. On failure @k is wiped. */
int mp_net_keys_derive(struct mp_net_keys *k, const uint8_t net_key[16]);
/** Wipe @k. */
void mp_net_keys_wipe(struct mp_net_keys *k);

/* Key Refresh phases of a subnet (MshPRT v1.1, Key Refresh procedure); phase 3 is the
 * transition back to normal, so it is never a resting state here. */
enum mp_subnet_phase {
	MP_KR_NORMAL = 0,
	MP_KR_PHASE1 = 1,	/* new key distributed: send with the old, receive both */
	MP_KR_PHASE2 = 2,	/* new key in use: send with the new, receive both */
};

/* A subnet: one NetKey index and its keys, two of them during a key refresh. */
struct mp_subnet {
	uint16_t index;			/* NetKey Index, 12 bits */
	enum mp_subnet_phase phase;
	struct mp_net_keys key[2];	/* [0] the current (old) key, [1] the new one */
};

/** Set up @s with NetKey @net_key at @index (12 bits), phase normal. */
int mp_subnet_init(struct mp_subnet *s, uint16_t index, const uint8_t net_key[16]);
/** Key refresh phase 1: @new_key received beside the current one. -EBUSY
 *  unless the subnet is in phase normal. */
int mp_subnet_kr_start(struct mp_subnet *s, const uint8_t new_key[16]);
/** Key refresh phase 2: send with the new key. -EBUSY unless in phase 1. */
int mp_subnet_kr_use_new(struct mp_subnet *s);
/** Key refresh phase 3 then normal: the new key replaces the old, which is
 *  wiped. -EBUSY when no key refresh is in progress. */
int mp_subnet_kr_finish(struct mp_subnet *s);
/** The keys a node sends with: the new key in phase 2, else the current one. */
const struct mp_net_keys *mp_subnet_tx_keys(const struct mp_subnet *s);
/** Wipe every key of @s. */
void mp_subnet_wipe(struct mp_subnet *s);

/**
 * The IV index a received PDU with @ivi was sent under: @iv_index when @ivi
 * is its least significant bit, else @iv_index - 1 (3.4.4.1, and the
 * IV Update procedure).
 * @iv_index is the node's current IV index (the higher one during an IV
 * update). -ERANGE when that would be below 0.
 */
int mp_net_rx_iv_index(uint32_t iv_index, bool ivi, uint32_t *out);

/**
 * Encode and secure a Network PDU: encrypt DST || @transport and compute the
 * NetMIC with @cred's EncryptionKey, then obfuscate with its PrivacyKey;
 * IVI is the low bit of @iv_index, the IV index the PDU is sent with.
 * Returns the PDU's length (14..29), or -EINVAL for a NULL argument or a
 * header field out of range (TTL > 127, SEQ > 24 bits, SRC not unicast, DST
 * unassigned for MP_NET_NETWORK; for MP_NET_PROXY_CONFIG CTL must be 1, TTL
 * 0 and DST unassigned), -EMSGSIZE for a @transport of 0 octets or longer
 * than 16 (12 with CTL 1), -ENOSPC when @cap is too small, -EIO when
 * OpenSSL fails.
 */
ssize_t mp_net_encode(const struct mp_net_cred *cred, uint32_t iv_index, enum mp_net_kind kind,
		      const struct mp_net_hdr *hdr, const uint8_t *transport, size_t len,
		      uint8_t *out, size_t cap);

/* A decoded, authenticated Network PDU. */
struct mp_net_rx {
	struct mp_net_hdr hdr;
	uint32_t iv_index;		/* the IV index it was authenticated under */
	size_t subnet;			/* mp_net_decode: which entry of the subnets */
	bool new_key;			/* mp_net_decode: under the new key of a key refresh */
	uint8_t transport[MP_NET_TRANSPORT_MAX];
	size_t transport_len;
};

/*
 * Decoding errors, each its own so that the owner can count and log them:
 *  -EMSGSIZE       longer than 29 octets;
 *  -ENODATA        shorter than a Network PDU can be: under 14 octets, or
 *                  under 18 when the deobfuscated CTL is 1;
 *  -ERANGE         IVI names IV index - 1 while the IV index is 0;
 *  -ENOKEY         no key's NID is the PDU's NID;
 *  -EBADMSG        a key's NID matched but its NetMIC did not authenticate;
 *  -EADDRNOTAVAIL  authenticated, but SRC is not a unicast address, or DST
 *                  is unassigned (MP_NET_NETWORK) or not unassigned
 *                  (MP_NET_PROXY_CONFIG);
 *  -EPROTO         authenticated proxy configuration with CTL 0 or TTL not 0;
 *  -EINVAL         a NULL argument.
 * On any error @rx holds nothing of the PDU (it is wiped).
 */

/**
 * Decode @pdu under one set of credentials @cred (a subnet's key, or
 * friendship credentials). @iv_index is the node's current IV index (see
 * mp_net_rx_iv_index). rx->subnet and rx->new_key are set to 0 and false.
 */
int mp_net_decode_cred(const struct mp_net_cred *cred, uint32_t iv_index, enum mp_net_kind kind,
		       const uint8_t *pdu, size_t len, struct mp_net_rx *rx);

/**
 * Decode @pdu under the managed flooding credentials of @n subnets: every
 * key whose NID is the PDU's is tried (both keys of a subnet during a key
 * refresh, and several subnets whose NIDs collide) until one authenticates.
 * When none does, the error is that of the first key whose NID matched;
 * but a PDU a key authenticated and whose fields are refused gets that
 * error (-EADDRNOTAVAIL, -EPROTO) at once.
 */
int mp_net_decode(const struct mp_subnet *subnets, size_t n, uint32_t iv_index,
		  enum mp_net_kind kind, const uint8_t *pdu, size_t len, struct mp_net_rx *rx);

/** Whether a relay would retransmit a PDU received with @ttl (2..127), and
 *  the TTL it would use (@ttl - 1). MshPRT v1.1 3.4.4.3, 3.4.6. */
bool mp_net_relay_ttl(uint8_t ttl, uint8_t *out);

/*
 * The network message cache (MshPRT v1.1 3.4.6, Network message cache):
 * the PDUs recently seen, so that a PDU heard again (a retransmission by its
 * source's Network Transmit, a relay's copy, a friend's copy) is dropped
 * before the layers above see it.
 * A message is known by its IV index, SRC and SEQ: a source never sends two
 * PDUs with the same SEQ under one IV index. Entries go out oldest first;
 * the storage is the caller's, so nothing is allocated per message. Look-up
 * is a scan, O(capacity): a few hundred entries cost well under a
 * microsecond, less than the AES that authenticated the PDU.
 */
struct mp_net_cache_entry {
	uint32_t iv_index;
	uint32_t seq;
	uint16_t src;
};

struct mp_net_cache {
	struct mp_net_cache_entry *e;
	size_t cap;
	size_t len;	/* entries in use */
	size_t next;	/* where the next entry goes (the oldest when full) */
};

/** Start an empty cache of @cap entries at @storage (at least 2: the spec's
 *  minimum). */
int mp_net_cache_init(struct mp_net_cache *c, struct mp_net_cache_entry *storage, size_t cap);
/** True when the message is in the cache. */
bool mp_net_cache_has(const struct mp_net_cache *c, uint32_t iv_index, uint16_t src,
		      uint32_t seq);
/** Add a message unless it is there: 0 when added, -EALREADY when it was
 *  already there (the PDU is to be dropped). */
int mp_net_cache_add(struct mp_net_cache *c, uint32_t iv_index, uint16_t src, uint32_t seq);
/** Forget every entry. */
void mp_net_cache_clear(struct mp_net_cache *c);

#endif
