/* The Mesh Proxy Service advertisement: the service data a node that runs
 * the GATT Proxy server advertises, and how a Proxy Client tells which
 * network or which node it is. MshPRT v1.1 7.2.2.2.
 *
 * The data of a Service Data - 16-bit UUID AD structure (0x16) for the Mesh
 * Proxy Service is the UUID 0x1828 (little-endian, "28 18") then the
 * Identification Type and its parameters (7.2.2.2.1-7.2.2.2.5):
 *
 *   0x00 Network ID             NetworkID (8)                  k3(NetKey)
 *   0x01 Node Identity          Hash (8) || Random (8)
 *        Hash = e(IdentityKey, Padding (6 x 0x00) || Random || Address)[8..15]
 *   0x02 Private Network Identity  Hash (8) || Random (8)
 *        Hash = e(IdentityKey, NetworkID || Random)[8..15]
 *   0x03 Private Node Identity  Hash (8) || Random (8)
 *        Hash = e(IdentityKey, Padding (5 x 0x00) || 0x03 || Random || Address)[8..15]
 *   0x04..0xFF RFU
 *
 * The Address is the node's primary element's unicast address, big-endian.
 * Recognising a node from a Node Identity (or a private one) means trying
 * every address one knows under every IdentityKey: there is no way back
 * from the hash.
 *
 * Nothing here touches a file descriptor, a clock or a global.
 */
#ifndef MP_NET_PROXY_ADV_H
#define MP_NET_PROXY_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net.h"

/** 16-bit UUID of the Mesh Proxy Service. */
#define MP_UUID16_MESH_PROXY 0x1828

/* Identification Types. MshPRT v1.1 7.2.2.2.1, Table 7.5 */
enum mp_proxy_id_type {
	MP_PROXY_ID_NETWORK = 0x00,
	MP_PROXY_ID_NODE = 0x01,
	MP_PROXY_ID_PRIVATE_NETWORK = 0x02,
	MP_PROXY_ID_PRIVATE_NODE = 0x03,
};

#define MP_PROXY_HASH_LEN 8
#define MP_PROXY_RANDOM_LEN 8
/* The service data (UUID included): 2 + 1 + 8 with a Network ID, 2 + 1 + 16
 * with the others. */
#define MP_PROXY_ADV_NETWORK_LEN 11
#define MP_PROXY_ADV_IDENTITY_LEN 19

/* One Mesh Proxy Service advertisement, decoded. */
struct mp_proxy_adv {
	uint8_t type;				/* enum mp_proxy_id_type */
	uint8_t network_id[8];			/* MP_PROXY_ID_NETWORK */
	uint8_t hash[MP_PROXY_HASH_LEN];	/* the other three */
	uint8_t random[MP_PROXY_RANDOM_LEN];
};

/**
 * Decode the data of a Service Data - 16-bit UUID AD structure (the UUID
 * first, little-endian) as Mesh Proxy Service data. Returns 0, -ENOMSG for
 * another service UUID or an RFU Identification Type, -EBADMSG for a length
 * that is not the type's (11 octets for a Network ID, 19 for the others),
 * -EINVAL for a NULL argument.
 */
int mp_proxy_adv_decode(const uint8_t *data, size_t len, struct mp_proxy_adv *out);

/**
 * Write @a as Mesh Proxy Service data (UUID first: what goes after the AD
 * type 0x16). Returns its length (11 or 19), -EINVAL for a NULL argument or
 * an RFU type, -ENOSPC when @cap is too small.
 */
ssize_t mp_proxy_adv_encode(const struct mp_proxy_adv *a, uint8_t *out, size_t cap);

/**
 * The hash of identification type @type (MP_PROXY_ID_NODE,
 * MP_PROXY_ID_PRIVATE_NODE: of @addr; MP_PROXY_ID_PRIVATE_NETWORK: of
 * @network_id) under @identity_key with @random. 0, -EINVAL (another type,
 * a NULL argument), -EIO when OpenSSL fails.
 */
int mp_proxy_adv_hash(uint8_t type, const uint8_t identity_key[16], const uint8_t network_id[8],
		      const uint8_t random[MP_PROXY_RANDOM_LEN], uint16_t addr,
		      uint8_t hash[MP_PROXY_HASH_LEN]);

/**
 * Make the advertisement of type @type for the subnet @keys (and node @addr
 * for the node types) with @random (ignored for a Network ID) into @out.
 * 0 or mp_proxy_adv_hash()'s errors.
 */
int mp_proxy_adv_make(uint8_t type, const struct mp_net_keys *keys, uint16_t addr,
		      const uint8_t random[MP_PROXY_RANDOM_LEN], struct mp_proxy_adv *out);

/* Who an advertisement names. */
struct mp_proxy_adv_match {
	size_t subnet;		/* the entry of the subnets */
	bool new_key;		/* under the new key of a key refresh */
	uint16_t addr;		/* node types: the node's address; else 0 */
};

/**
 * Tell which of the @n subnets (both keys during a key refresh), and for
 * the node types which of the @naddrs known node addresses, @a names.
 * Network IDs and hashes are compared in constant time. Returns 0 with
 * @out filled, -ENOENT when no subnet (or no address) matches, -EINVAL for
 * a NULL argument or an RFU type, -EIO when OpenSSL fails. Costs one AES
 * per subnet key and address for the node types.
 */
int mp_proxy_adv_identify(const struct mp_proxy_adv *a, const struct mp_subnet *subnets,
			  size_t n, const uint16_t *addrs, size_t naddrs,
			  struct mp_proxy_adv_match *out);

#endif
