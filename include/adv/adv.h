/* Advertising data: AD structures, and the mesh things carried in them.
 *
 * Advertising data (Core Supplement Part A 1) is a sequence of AD structures
 * [Length][AD Type][Length-1 octets of data]; a zero Length ends the
 * significant part (the rest is padding). Mesh uses three AD types of its own
 * (MshPRT v1.1 3.3.1): PB-ADV 0x29, Mesh Message 0x2A and Mesh Beacon 0x2B,
 * and a device that supports PB-GATT advertises the Mesh Provisioning Service
 * (UUID 0x1827) with Service Data (MshPRT v1.1 7.1.2.2.1).
 *
 * Everything here decodes received bytes through the bounded reader and
 * never reads outside [data, data + len). Pointers handed out point into the
 * caller's buffer.
 */
#ifndef MP_ADV_ADV_H
#define MP_ADV_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* AD types (Bluetooth Assigned Numbers, "Common Data Types"). */
#define MP_AD_FLAGS		0x01
#define MP_AD_UUID16_SOME	0x02
#define MP_AD_UUID16_ALL	0x03
#define MP_AD_NAME_SHORT	0x08
#define MP_AD_NAME_COMPLETE	0x09
#define MP_AD_SERVICE_DATA16	0x16
#define MP_AD_URI		0x24
#define MP_AD_PB_ADV		0x29
#define MP_AD_MESH_MESSAGE	0x2a
#define MP_AD_MESH_BEACON	0x2b

/* Mesh beacon types (MshPRT v1.1 3.10, Assigned Numbers). */
#define MP_BEACON_UNPROVISIONED	0x00
#define MP_BEACON_SECURE_NET	0x01
#define MP_BEACON_PRIVATE	0x02

/** 16-bit UUID of the Mesh Provisioning Service. */
#define MP_UUID16_MESH_PROV	0x1827

/** Legacy advertising data is at most 31 octets (Core v5.4 Vol 6 Part B 2.3.1). */
#define MP_AD_LEGACY_MAX	31

/** PB-ADV: Link ID 4 + Transaction Number 1 + Generic Provisioning PDU 1..24
 *  (MshPRT v1.1 5.2.1). */
#define MP_PBADV_MIN		6
#define MP_PBADV_MAX		29

/** Mesh Message: one Network PDU, 14..29 octets (MshPRT v1.1 3.3.1, 3.4.4):
 *  header 9, TransportPDU 1..16, NetMIC 4 (or 12 and 8 with CTL 1). */
#define MP_MESH_MESSAGE_MIN	14
#define MP_MESH_MESSAGE_MAX	29

/* ---- AD structure iterator ---- */

struct mp_ad_iter {
	struct mp_reader r;
};

/** One AD structure: its type and data (Length - 1 octets, may be 0). */
struct mp_ad {
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

/**
 * Write one AD structure (Length, @type, @data) into @out. Returns its
 * length, or -EMSGSIZE when it does not fit in @cap or in one legacy
 * advertisement (31 octets).
 */
int mp_ad_put(uint8_t type, const uint8_t *data, size_t len, uint8_t *out, size_t cap);

/** Start iterating the AD structures of @data (the advertising data of one report). */
void mp_ad_iter_init(struct mp_ad_iter *it, const uint8_t *data, size_t len);

/**
 * Get the next AD structure into *@ad. Returns 1 when one was read, 0 at the
 * end (the data is exhausted or a zero Length octet ends it), -EBADMSG when
 * a Length runs past the end of the data. The iterator stays at the error.
 */
int mp_ad_next(struct mp_ad_iter *it, struct mp_ad *ad);

/* ---- mesh payloads ---- */

/** An Unprovisioned Device beacon (MshPRT v1.1 3.10.2). */
struct mp_unprov_beacon {
	uint8_t uuid[16];
	uint16_t oob_info;	/* big-endian on the air */
	bool has_uri_hash;
	uint8_t uri_hash[4];
};

/**
 * Decode the data of a Mesh Beacon AD structure (starting with the Beacon
 * Type octet) as an Unprovisioned Device beacon: Beacon Type 0x00, Device
 * UUID 16, OOB Information 2 (big-endian), optional URI Hash 4. Returns 0,
 * -ENOMSG for another beacon type (Secure Network, Mesh Private), -EBADMSG
 * for any length other than 19 or 23.
 */
int mp_adv_beacon_decode_unprov(const uint8_t *data, size_t len, struct mp_unprov_beacon *out);

/** A PB-ADV PDU (MshPRT v1.1 5.2.1). */
struct mp_pbadv_pdu {
	uint32_t link_id;
	uint8_t trans_num;
	const uint8_t *gpdu;	/* Generic Provisioning PDU, into the input */
	size_t gpdu_len;
};

/**
 * Decode the data of a PB-ADV AD structure: Link ID (4, big-endian),
 * Transaction Number (1), Generic Provisioning PDU (1..24). Returns 0 or
 * -EBADMSG when shorter than 6 or longer than 29 octets.
 */
int mp_adv_pbadv_decode(const uint8_t *data, size_t len, struct mp_pbadv_pdu *out);

/** The Mesh Provisioning Service data of a connectable advertisement. */
struct mp_prov_service {
	uint8_t uuid[16];
	uint16_t oob_info;
};

/**
 * Decode the data of a Service Data - 16-bit UUID AD structure (the UUID,
 * little-endian, then the service data) as Mesh Provisioning Service data:
 * Device UUID 16, OOB Information 2 (MshPRT v1.1 7.1.2.2.1). Returns 0,
 * -ENOMSG for another service UUID, -EBADMSG when shorter than 20 octets.
 * Longer data is accepted (the extra octets are ignored), as other
 * provisioners do.
 *
 * Byte order of OOB Information: the specification's sample (8.5.1,
 * tests/vectors beacons.provisioning_service_adv_data) carries 0x4020 as
 * "20 40", i.e. little-endian, unlike the beacon; this follows the sample.
 * Some stacks (Zephyr, ESP-IDF) write it big-endian here, so prefer the
 * beacon's value when a device sends both (the scan table does).
 */
int mp_adv_prov_service_decode(const uint8_t *data, size_t len, struct mp_prov_service *out);

/** What one advertising payload says about mesh provisioning. */
struct mp_adv_info {
	bool has_unprov_beacon;
	struct mp_unprov_beacon beacon;
	bool has_other_beacon;		/* a Mesh Beacon of another type */
	uint8_t other_beacon_type;
	bool has_pbadv;
	struct mp_pbadv_pdu pbadv;
	bool has_prov_service;		/* Service Data for UUID 0x1827 */
	struct mp_prov_service service;
	bool lists_prov_service;	/* 0x1827 in a 16-bit Service UUID list */
	bool has_mesh_message;
	const uint8_t *uri;		/* URI AD (0x24) data, or NULL */
	size_t uri_len;
};

/**
 * Walk all AD structures of one advertising payload and decode the mesh
 * ones into *@out (which is cleared first). A mesh AD structure that does
 * not decode (a bad length) is ignored, as a receiver must; only AD
 * structures that run past the end make the whole payload invalid. Returns
 * 0 or -EBADMSG (then *@out is cleared).
 */
int mp_adv_parse(const uint8_t *data, size_t len, struct mp_adv_info *out);

/* ---- OOB Information (MshPRT v1.1 3.9.2 Table 3.5; Assigned Numbers) ---- */

enum {
	MP_OOB_OTHER = 1u << 0,
	MP_OOB_URI = 1u << 1,
	MP_OOB_2D_CODE = 1u << 2,
	MP_OOB_BAR_CODE = 1u << 3,
	MP_OOB_NFC = 1u << 4,
	MP_OOB_NUMBER = 1u << 5,
	MP_OOB_STRING = 1u << 6,
	MP_OOB_CERTIFICATE = 1u << 7,
	MP_OOB_RECORDS = 1u << 8,
	/* bits 9 and 10 are reserved for future use */
	MP_OOB_ON_BOX = 1u << 11,
	MP_OOB_INSIDE_BOX = 1u << 12,
	MP_OOB_ON_PAPER = 1u << 13,
	MP_OOB_INSIDE_MANUAL = 1u << 14,
	MP_OOB_ON_DEVICE = 1u << 15,
};

/** The name of OOB Information bit @bit (0..15), or NULL for a reserved bit. */
const char *mp_adv_oob_info_bit_name(unsigned int bit);

/**
 * Format the bits of @oob as names joined by ", " ("Number, Inside manual"),
 * reserved bits as "RFU bit N", 0 as "none". Names that do not fit @len are
 * left out whole (always terminated when @len > 0). Returns @buf. 256 octets
 * always suffice.
 */
char *mp_adv_oob_info_str(uint16_t oob, char *buf, size_t len);

#endif
