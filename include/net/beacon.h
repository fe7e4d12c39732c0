/* Mesh beacons of a provisioned network, pure codecs. MshPRT v1.1 3.10.
 *
 * A beacon is the payload of a Mesh Beacon AD structure (AD type 0x2B),
 * without the AD length and type; its first octet is the Beacon Type
 * (3.10.1).
 *
 * Secure Network beacon (3.10.3), 22 octets:
 *   0x01 || Flags (1) || Network ID (8) || IV Index (4) || Authentication Value (8)
 * Flags: bit 0 Key Refresh, bit 1 IV Update, bits 2..7 RFU. The
 * Authentication Value is the first 8 octets of
 * AES-CMAC_BeaconKey(Flags || Network ID || IV Index) (3.10.3, its
 * authentication).
 *
 * Mesh Private beacon (3.10.4), 27 octets:
 *   0x02 || Random (13) || Obfuscated Private Beacon Data (5) || Authentication Tag (8)
 * The Private Beacon Data is Flags || IV Index; obfuscation and tag are those
 * of AES-CCM under the PrivateBeaconKey with the Random as the nonce and an
 * 8-octet MIC (3.10.4 spells out its blocks: B0 = 0x19 || Random
 * || 0x0005, C0/C1 = 0x01 || Random || counter), so both directions are
 * implemented and authenticated here.
 *
 * Decoding errors: -EBADMSG for a wrong authentication value or tag,
 * -EPROTOTYPE for another Beacon Type, -ENODATA for a beacon shorter than
 * its type's length, -EMSGSIZE for a longer one (the AD structure bounds
 * the length, so extra octets are a malformed beacon, not padding), -ENOKEY
 * when no subnet's Network ID matches (Secure Network beacon), -EINVAL for
 * a NULL argument, -EIO when OpenSSL fails.
 */
#ifndef MP_NET_BEACON_H
#define MP_NET_BEACON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net.h"

/* Beacon Type. MshPRT v1.1 3.10.1 */
enum mp_beacon_type {
	MP_BEACON_UNPROVISIONED = 0x00,
	MP_BEACON_SECURE_NETWORK = 0x01,
	MP_BEACON_MESH_PRIVATE = 0x02,
};

#define MP_SNB_LEN 22
#define MP_PRIVATE_BEACON_LEN 27
#define MP_PRIVATE_RANDOM_LEN 13

/* Flags. MshPRT v1.1 3.10.3 */
#define MP_BEACON_FLAG_KEY_REFRESH 0x01
#define MP_BEACON_FLAG_IV_UPDATE 0x02

/* A Secure Network beacon's fields. */
struct mp_snb {
	uint8_t flags;
	uint8_t network_id[8];
	uint32_t iv_index;
	uint8_t auth[8];
};

/**
 * Encode a Secure Network beacon with @flags, @iv_index and the Network ID
 * and BeaconKey of @keys (a subnet's mp_subnet_tx_keys()). Returns 22, or
 * -EINVAL, -ENOSPC (@cap < 22), -EIO.
 */
ssize_t mp_snb_encode(const struct mp_net_keys *keys, uint8_t flags, uint32_t iv_index,
		      uint8_t *out, size_t cap);

/** Parse a Secure Network beacon (length and type only; not authenticated). */
int mp_snb_parse(const uint8_t *b, size_t len, struct mp_snb *out);

/** Check @snb's Authentication Value under @beacon_key: 0 or -EBADMSG. */
int mp_snb_authenticate(const struct mp_snb *snb, const uint8_t beacon_key[16]);

/* An authenticated Secure Network beacon and whose it is. */
struct mp_snb_rx {
	struct mp_snb snb;
	size_t subnet;		/* which entry of the subnets */
	bool new_key;		/* under the new key of a key refresh */
};

/**
 * Parse @b, find the subnet key whose Network ID it carries (both keys of a
 * subnet during a key refresh) and authenticate it with that key's
 * BeaconKey. What the flags and the IV index then mean (IV update, key
 * refresh) is the owner's decision (the IV Update and Key Refresh
 * procedures).
 */
int mp_snb_rx(const struct mp_subnet *subnets, size_t n, const uint8_t *b, size_t len,
	      struct mp_snb_rx *rx);

/* A Mesh Private beacon's fields. */
struct mp_private_beacon {
	uint8_t random[MP_PRIVATE_RANDOM_LEN];
	uint8_t obfuscated[5];
	uint8_t tag[8];
};

/**
 * Encode a Mesh Private beacon with @flags and @iv_index under
 * @private_beacon_key, with the 13-octet @random (a fresh one per beacon:
 * the caller draws it). Returns 27, or -EINVAL, -ENOSPC, -EIO.
 */
ssize_t mp_private_beacon_encode(const uint8_t private_beacon_key[16],
				 const uint8_t random[MP_PRIVATE_RANDOM_LEN], uint8_t flags,
				 uint32_t iv_index, uint8_t *out, size_t cap);

/** Parse a Mesh Private beacon (length and type only). */
int mp_private_beacon_parse(const uint8_t *b, size_t len, struct mp_private_beacon *out);

/** Authenticate and deobfuscate @pb under @private_beacon_key: the flags
 *  and IV index, or -EBADMSG. */
int mp_private_beacon_open(const struct mp_private_beacon *pb,
			   const uint8_t private_beacon_key[16], uint8_t *flags,
			   uint32_t *iv_index);

/* An authenticated Mesh Private beacon and whose it is. */
struct mp_private_beacon_rx {
	uint8_t flags;
	uint32_t iv_index;
	size_t subnet;
	bool new_key;
};

/**
 * Parse @b and try the PrivateBeaconKey of every subnet key (a private
 * beacon does not say its network) until one authenticates; -EBADMSG when
 * none does.
 */
int mp_private_beacon_rx(const struct mp_subnet *subnets, size_t n, const uint8_t *b, size_t len,
			 struct mp_private_beacon_rx *rx);

#endif
