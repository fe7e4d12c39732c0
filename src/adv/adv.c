/* Advertising data: the AD structure iterator and the mesh decoders. */
#include "adv/adv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The fixed layouts the decoders below count in literals. */
_Static_assert(MP_AD_LEGACY_MAX == 31, "legacy advertising data (Core v5.4 Vol 6 Part B 2.3.1)");
_Static_assert(MP_PBADV_MIN == 4 + 1 + 1, "Link ID, Transaction Number, 1-octet PDU (MshPRT 5.2.1)");
_Static_assert(MP_PBADV_MAX == 4 + 1 + 24, "Link ID, Transaction Number, 24-octet PDU (MshPRT 5.2.1)");
_Static_assert(1 + 1 + MP_MESH_MESSAGE_MAX == MP_AD_LEGACY_MAX,
	       "a Network PDU fills one legacy advertisement (MshPRT 3.3.1)");
_Static_assert(1 + 1 + MP_PBADV_MAX == MP_AD_LEGACY_MAX,
	       "Length and AD Type around the largest PB-ADV PDU fill a legacy advertisement");
_Static_assert(1 + sizeof(((struct mp_unprov_beacon *)0)->uuid) + 2 == 19,
	       "Unprovisioned Device beacon: type, UUID, OOB Information (MshPRT 3.10.2)");
_Static_assert(19 + sizeof(((struct mp_unprov_beacon *)0)->uri_hash) == 23,
	       "... then the URI Hash");
_Static_assert(2 + sizeof(((struct mp_prov_service *)0)->uuid) + 2 == 20,
	       "Service Data: UUID16, Device UUID, OOB Information (MshPRT 7.1.2.2.1)");

int mp_ad_put(uint8_t type, const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	if (len + 2 > cap || len + 2 > 31)
		return -EMSGSIZE;
	out[0] = (uint8_t)(len + 1);
	out[1] = type;
	memcpy(out + 2, data, len);
	return (int)(len + 2);
}

void mp_ad_iter_init(struct mp_ad_iter *it, const uint8_t *data, size_t len)
{
	mp_reader_init(&it->r, data, len);
}

int mp_ad_next(struct mp_ad_iter *it, struct mp_ad *ad)
{
	uint8_t len;

	memset(ad, 0, sizeof(*ad));
	if (it->r.err)
		return -EBADMSG;
	if (mp_reader_left(&it->r) == 0)
		return 0;
	mp_get_u8(&it->r, &len);
	/* Core Supplement Part A 1: a zero Length ends the significant part;
	 * what follows is padding and is not looked at. */
	if (len == 0) {
		mp_skip(&it->r, mp_reader_left(&it->r));
		return 0;
	}
	if (!mp_get_u8(&it->r, &ad->type) || !mp_get_ref(&it->r, &ad->data, (size_t)len - 1)) {
		memset(ad, 0, sizeof(*ad));
		it->r.err = true;
		return -EBADMSG;
	}
	ad->len = (size_t)len - 1;
	return 1;
}

/* MshPRT v1.1 3.10.2: the URI Hash is present exactly when the beacon is 4
 * octets longer; any other length is malformed. */
int mp_adv_beacon_decode_unprov(const uint8_t *data, size_t len, struct mp_unprov_beacon *out)
{
	struct mp_reader r;
	uint8_t type;

	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, data, len);
	if (!mp_get_u8(&r, &type))
		return -EBADMSG;
	if (type != MP_BEACON_UNPROVISIONED)
		return -ENOMSG;
	if (len != 19 && len != 23)
		return -EBADMSG;
	mp_get_bytes(&r, out->uuid, sizeof(out->uuid));
	mp_get_be16(&r, &out->oob_info);
	if (mp_reader_left(&r)) {
		out->has_uri_hash = true;
		mp_get_bytes(&r, out->uri_hash, sizeof(out->uri_hash));
	}
	if (!mp_reader_done(&r)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	return 0;
}

int mp_adv_pbadv_decode(const uint8_t *data, size_t len, struct mp_pbadv_pdu *out)
{
	struct mp_reader r;

	memset(out, 0, sizeof(*out));
	if (len < MP_PBADV_MIN || len > MP_PBADV_MAX)
		return -EBADMSG;
	mp_reader_init(&r, data, len);
	mp_get_be32(&r, &out->link_id);
	mp_get_u8(&r, &out->trans_num);
	out->gpdu_len = mp_reader_left(&r);
	mp_get_ref(&r, &out->gpdu, out->gpdu_len);
	if (!mp_reader_done(&r)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	return 0;
}

int mp_adv_prov_service_decode(const uint8_t *data, size_t len, struct mp_prov_service *out)
{
	struct mp_reader r;
	uint16_t uuid16;

	memset(out, 0, sizeof(*out));
	mp_reader_init(&r, data, len);
	if (!mp_get_le16(&r, &uuid16))
		return -EBADMSG;
	if (uuid16 != MP_UUID16_MESH_PROV)
		return -ENOMSG;
	/* Little-endian, as in the specification's sample 8.5.1: see adv.h. */
	if (!mp_get_bytes(&r, out->uuid, sizeof(out->uuid)) || !mp_get_le16(&r, &out->oob_info)) {
		memset(out, 0, sizeof(*out));
		return -EBADMSG;
	}
	return 0;
}

static bool uuid16_list_has(const struct mp_ad *ad, uint16_t uuid)
{
	struct mp_reader r;
	uint16_t u;

	mp_reader_init(&r, ad->data, ad->len);
	while (mp_get_le16(&r, &u))
		if (u == uuid)
			return true;
	return false;
}

static void parse_one(const struct mp_ad *ad, struct mp_adv_info *out)
{
	switch (ad->type) {
	case MP_AD_MESH_BEACON:
		if (ad->len && ad->data[0] != MP_BEACON_UNPROVISIONED) {
			out->has_other_beacon = true;
			out->other_beacon_type = ad->data[0];
		} else if (!out->has_unprov_beacon &&
			   mp_adv_beacon_decode_unprov(ad->data, ad->len, &out->beacon) == 0) {
			out->has_unprov_beacon = true;
		}
		break;
	case MP_AD_PB_ADV:
		if (!out->has_pbadv && mp_adv_pbadv_decode(ad->data, ad->len, &out->pbadv) == 0)
			out->has_pbadv = true;
		break;
	case MP_AD_MESH_MESSAGE:
		out->has_mesh_message = true;
		break;
	case MP_AD_SERVICE_DATA16:
		if (!out->has_prov_service &&
		    mp_adv_prov_service_decode(ad->data, ad->len, &out->service) == 0)
			out->has_prov_service = true;
		break;
	case MP_AD_UUID16_ALL:
	case MP_AD_UUID16_SOME:
		if (uuid16_list_has(ad, MP_UUID16_MESH_PROV))
			out->lists_prov_service = true;
		break;
	case MP_AD_URI:
		if (!out->uri) {
			out->uri = ad->data;
			out->uri_len = ad->len;
		}
		break;
	default:
		break;
	}
}

int mp_adv_parse(const uint8_t *data, size_t len, struct mp_adv_info *out)
{
	struct mp_ad_iter it;
	struct mp_ad ad;
	int r;

	memset(out, 0, sizeof(*out));
	mp_ad_iter_init(&it, data, len);
	while ((r = mp_ad_next(&it, &ad)) > 0)
		parse_one(&ad, out);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	return 0;
}

static const char *const oob_names[16] = {
	[0] = "Other",
	[1] = "Electronic / URI",
	[2] = "2D machine-readable code",
	[3] = "Bar code",
	[4] = "NFC",
	[5] = "Number",
	[6] = "String",
	[7] = "Certificate-based provisioning",
	[8] = "Provisioning records",
	[11] = "On box",
	[12] = "Inside box",
	[13] = "On piece of paper",
	[14] = "Inside manual",
	[15] = "On device",
};

const char *mp_adv_oob_info_bit_name(unsigned int bit)
{
	return bit < 16 ? oob_names[bit] : NULL;
}

char *mp_adv_oob_info_str(uint16_t oob, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int bit;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!oob) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (bit = 0; bit < 16; bit++) {
		char rfu[16];
		const char *name;
		int n;

		if (!(oob & (1u << bit)))
			continue;
		name = oob_names[bit];
		if (!name) {
			snprintf(rfu, sizeof(rfu), "RFU bit %u", bit);
			name = rfu;
		}
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0';	/* whole names only */
			break;
		}
		off += (size_t)n;
	}
	return buf;
}
