/* Provisioning PDUs: encoding and validating decoding. See include/prov/pdu.h.
 *
 * One table describes every PDU type: its name, the length of its
 * parameters and a per-type decoder that runs only once the length is right.
 */
#include "prov/pdu.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

#define VARLEN 0xffff	/* parameters of variable length, checked by the decoder */

typedef enum mp_prov_err (*decode_fn)(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu);

struct pdu_desc {
	const char *name;
	uint16_t len;		/* exact parameter length, or VARLEN */
	uint16_t len_alt;	/* a second allowed length (16/32 octet values), or 0 */
	decode_fn decode;
};

static enum mp_prov_err dec_none(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	return MP_PROV_OK;
}

static enum mp_prov_err dec_invite(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	mp_get_u8(r, &pdu->attention);
	return MP_PROV_OK;
}

static enum mp_prov_err dec_caps(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	struct mp_prov_caps *c = &pdu->caps;

	mp_get_u8(r, &c->elements);
	mp_get_be16(r, &c->algorithms);
	mp_get_u8(r, &c->pubkey_type);
	mp_get_u8(r, &c->oob_type);
	mp_get_u8(r, &c->output_size);
	mp_get_be16(r, &c->output_actions);
	mp_get_u8(r, &c->input_size);
	mp_get_be16(r, &c->input_actions);
	return mp_prov_caps_check(c);
}

static enum mp_prov_err dec_start(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	struct mp_prov_start *s = &pdu->start;

	mp_get_u8(r, &s->algorithm);
	mp_get_u8(r, &s->pubkey_oob);
	mp_get_u8(r, &s->auth_method);
	mp_get_u8(r, &s->auth_action);
	mp_get_u8(r, &s->auth_size);
	return mp_prov_start_check(s);
}

static enum mp_prov_err dec_pubkey(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	mp_get_bytes(r, pdu->public_key, 64);
	return MP_PROV_OK;
}

/* Confirmation and Random: 16 octets (CMAC) or 32 (HMAC). Which one is
 * right depends on the algorithm in use, which the state machine checks. */
static enum mp_prov_err dec_value(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	pdu->confirmation.len = (uint8_t)len;
	mp_get_bytes(r, pdu->confirmation.value, len);
	return MP_PROV_OK;
}

static enum mp_prov_err dec_data(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	mp_get_bytes(r, pdu->data.encrypted, sizeof(pdu->data.encrypted));
	mp_get_bytes(r, pdu->data.mic, sizeof(pdu->data.mic));
	return MP_PROV_OK;
}

static enum mp_prov_err dec_failed(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	mp_get_u8(r, &pdu->error);
	/* 0x00 is Prohibited and 0x0A-0xFF are RFU: MshPRT v1.1 Table 5.41 */
	if (pdu->error == 0 || pdu->error > MP_PROV_ERR_INVALID_DATA)
		return MP_PROV_ERR_INVALID_FORMAT;
	return MP_PROV_OK;
}

static enum mp_prov_err dec_record_request(struct mp_reader *r, size_t len,
					   struct mp_prov_pdu *pdu)
{
	mp_get_be16(r, &pdu->record_request.record_id);
	mp_get_be16(r, &pdu->record_request.offset);
	mp_get_be16(r, &pdu->record_request.max_size);
	/* A zero Fragment Maximum Size is Prohibited (MshPRT v1.1 5.4.1.12) */
	return pdu->record_request.max_size ? MP_PROV_OK : MP_PROV_ERR_INVALID_FORMAT;
}

static enum mp_prov_err dec_record_response(struct mp_reader *r, size_t len,
					    struct mp_prov_pdu *pdu)
{
	uint8_t status;

	if (len < 7)
		return MP_PROV_ERR_INVALID_FORMAT;
	mp_get_u8(r, &status);
	pdu->record_response.status = status;
	mp_get_be16(r, &pdu->record_response.record_id);
	mp_get_be16(r, &pdu->record_response.offset);
	mp_get_be16(r, &pdu->record_response.total_len);
	pdu->record_response.data_len = mp_reader_left(r);
	mp_get_ref(r, &pdu->record_response.data, pdu->record_response.data_len);
	if (status > MP_PROV_RECORD_OFFSET_OOB)
		return MP_PROV_ERR_INVALID_FORMAT;
	/* Only a successful response carries data (MshPRT v1.1 5.4.1.13) */
	if (status != MP_PROV_RECORD_SUCCESS && pdu->record_response.data_len)
		return MP_PROV_ERR_INVALID_FORMAT;
	return MP_PROV_OK;
}

static enum mp_prov_err dec_records_list(struct mp_reader *r, size_t len, struct mp_prov_pdu *pdu)
{
	if (len < 2 || (len - 2) % 2)
		return MP_PROV_ERR_INVALID_FORMAT;
	mp_get_be16(r, &pdu->records_list.extensions);
	pdu->records_list.count = mp_reader_left(r) / 2;
	mp_get_ref(r, &pdu->records_list.ids, mp_reader_left(r));
	return MP_PROV_OK;
}

static const struct pdu_desc pdu_table[MP_PROV_PDU_TYPES] = {
	[MP_PROV_INVITE] = { "Invite", 1, 0, dec_invite },
	[MP_PROV_CAPABILITIES] = { "Capabilities", 11, 0, dec_caps },
	[MP_PROV_START] = { "Start", 5, 0, dec_start },
	[MP_PROV_PUBLIC_KEY] = { "Public Key", 64, 0, dec_pubkey },
	[MP_PROV_INPUT_COMPLETE] = { "Input Complete", 0, 0, dec_none },
	[MP_PROV_CONFIRMATION] = { "Confirmation", 16, 32, dec_value },
	[MP_PROV_RANDOM] = { "Random", 16, 32, dec_value },
	[MP_PROV_DATA] = { "Data", 33, 0, dec_data },
	[MP_PROV_COMPLETE] = { "Complete", 0, 0, dec_none },
	[MP_PROV_FAILED] = { "Failed", 1, 0, dec_failed },
	[MP_PROV_RECORD_REQUEST] = { "Record Request", 6, 0, dec_record_request },
	[MP_PROV_RECORD_RESPONSE] = { "Record Response", VARLEN, 0, dec_record_response },
	[MP_PROV_RECORDS_GET] = { "Records Get", 0, 0, dec_none },
	[MP_PROV_RECORDS_LIST] = { "Records List", VARLEN, 0, dec_records_list },
};

enum mp_prov_err mp_prov_caps_check(const struct mp_prov_caps *c)
{
	/* MshPRT v1.1 5.4.1.2 and Tables 5.18-5.25: zero elements, unknown
	 * bits and sizes above 8 are outside the allowed values. A size of 0
	 * means "not supported" whatever the action bits say, so a device that
	 * leaves stale action bits is not refused for it. */
	if (c->elements == 0)
		return MP_PROV_ERR_INVALID_FORMAT;
	if (c->algorithms & ~MP_ALG_BITS_KNOWN || !(c->algorithms & MP_ALG_BITS_KNOWN))
		return MP_PROV_ERR_INVALID_FORMAT;
	if (c->pubkey_type & ~MP_PUBKEY_TYPE_OOB)
		return MP_PROV_ERR_INVALID_FORMAT;
	if (c->oob_type & ~(MP_OOB_TYPE_STATIC | MP_OOB_TYPE_ONLY_OOB))
		return MP_PROV_ERR_INVALID_FORMAT;
	if (c->output_size > MP_OOB_SIZE_MAX || c->input_size > MP_OOB_SIZE_MAX)
		return MP_PROV_ERR_INVALID_FORMAT;
	if (c->output_actions & ~((1u << MP_OUTPUT_ACTIONS) - 1) ||
	    c->input_actions & ~((1u << MP_INPUT_ACTIONS) - 1))
		return MP_PROV_ERR_INVALID_FORMAT;
	return MP_PROV_OK;
}

enum mp_prov_err mp_prov_start_check(const struct mp_prov_start *s)
{
	/* MshPRT v1.1 5.4.1.3 and Tables 5.26-5.30 */
	if (s->algorithm > 0x01 || s->pubkey_oob > 0x01)
		return MP_PROV_ERR_INVALID_FORMAT;
	switch (s->auth_method) {
	case MP_AUTH_NONE:
	case MP_AUTH_STATIC:
		if (s->auth_action != 0 || s->auth_size != 0)
			return MP_PROV_ERR_INVALID_FORMAT;
		break;
	case MP_AUTH_OUTPUT:
		if (s->auth_action >= MP_OUTPUT_ACTIONS)
			return MP_PROV_ERR_INVALID_FORMAT;
		if (s->auth_size == 0 || s->auth_size > MP_OOB_SIZE_MAX)
			return MP_PROV_ERR_INVALID_FORMAT;
		break;
	case MP_AUTH_INPUT:
		if (s->auth_action >= MP_INPUT_ACTIONS)
			return MP_PROV_ERR_INVALID_FORMAT;
		if (s->auth_size == 0 || s->auth_size > MP_OOB_SIZE_MAX)
			return MP_PROV_ERR_INVALID_FORMAT;
		break;
	default:
		return MP_PROV_ERR_INVALID_FORMAT;
	}
	return MP_PROV_OK;
}

bool mp_prov_start_allowed(const struct mp_prov_caps *c, const struct mp_prov_start *s)
{
	if (mp_prov_start_check(s) != MP_PROV_OK)
		return false;
	if (!(c->algorithms & (1u << s->algorithm)))
		return false;
	if (s->pubkey_oob && !(c->pubkey_type & MP_PUBKEY_TYPE_OOB))
		return false;
	switch (s->auth_method) {
	case MP_AUTH_NONE:
		/* "Only OOB authenticated provisioning supported" forbids No OOB */
		return !(c->oob_type & MP_OOB_TYPE_ONLY_OOB);
	case MP_AUTH_STATIC:
		return c->oob_type & MP_OOB_TYPE_STATIC;
	case MP_AUTH_OUTPUT:
		return (c->output_actions & (1u << s->auth_action)) && s->auth_size <= c->output_size;
	case MP_AUTH_INPUT:
		return (c->input_actions & (1u << s->auth_action)) && s->auth_size <= c->input_size;
	}
	return false;
}

enum mp_prov_err mp_prov_pdu_decode(const uint8_t *buf, size_t len, struct mp_prov_pdu *pdu)
{
	const struct pdu_desc *d;
	struct mp_reader r;
	enum mp_prov_err err;
	size_t plen;
	uint8_t first;

	memset(pdu, 0, sizeof(*pdu));
	mp_reader_init(&r, buf, len);
	if (!mp_get_u8(&r, &first))
		return MP_PROV_ERR_INVALID_PDU;
	/* MshPRT v1.1 5.4.1: Padding shall be 0b00; types 0x0E-0x3F are RFU */
	if (first & 0xc0 || first >= MP_PROV_PDU_TYPES)
		return MP_PROV_ERR_INVALID_PDU;
	pdu->type = first;
	d = &pdu_table[first];
	plen = mp_reader_left(&r);
	if (d->len != VARLEN && plen != d->len && (!d->len_alt || plen != d->len_alt))
		return MP_PROV_ERR_INVALID_FORMAT;
	err = d->decode(&r, plen, pdu);
	if (err == MP_PROV_OK && !mp_reader_done(&r))
		return MP_PROV_ERR_INVALID_FORMAT;	/* cannot happen: lengths checked */
	return err;
}

int mp_prov_pdu_encode(const struct mp_prov_pdu *pdu, uint8_t *buf, size_t cap)
{
	struct mp_writer w;
	const struct mp_prov_caps *c = &pdu->caps;
	const struct mp_prov_start *s = &pdu->start;

	if ((unsigned int)pdu->type >= MP_PROV_PDU_TYPES)
		return -EINVAL;
	mp_writer_init(&w, buf, cap);
	mp_put_u8(&w, (uint8_t)pdu->type);
	switch (pdu->type) {
	case MP_PROV_INVITE:
		mp_put_u8(&w, pdu->attention);
		break;
	case MP_PROV_CAPABILITIES:
		if (mp_prov_caps_check(c) != MP_PROV_OK)
			return -EINVAL;
		mp_put_u8(&w, c->elements);
		mp_put_be16(&w, c->algorithms);
		mp_put_u8(&w, c->pubkey_type);
		mp_put_u8(&w, c->oob_type);
		mp_put_u8(&w, c->output_size);
		mp_put_be16(&w, c->output_actions);
		mp_put_u8(&w, c->input_size);
		mp_put_be16(&w, c->input_actions);
		break;
	case MP_PROV_START:
		if (mp_prov_start_check(s) != MP_PROV_OK)
			return -EINVAL;
		mp_put_u8(&w, s->algorithm);
		mp_put_u8(&w, s->pubkey_oob);
		mp_put_u8(&w, s->auth_method);
		mp_put_u8(&w, s->auth_action);
		mp_put_u8(&w, s->auth_size);
		break;
	case MP_PROV_PUBLIC_KEY:
		mp_put_bytes(&w, pdu->public_key, 64);
		break;
	case MP_PROV_CONFIRMATION:
	case MP_PROV_RANDOM:
		if (pdu->confirmation.len != 16 && pdu->confirmation.len != 32)
			return -EINVAL;
		mp_put_bytes(&w, pdu->confirmation.value, pdu->confirmation.len);
		break;
	case MP_PROV_DATA:
		mp_put_bytes(&w, pdu->data.encrypted, sizeof(pdu->data.encrypted));
		mp_put_bytes(&w, pdu->data.mic, sizeof(pdu->data.mic));
		break;
	case MP_PROV_FAILED:
		if (pdu->error == 0 || pdu->error > MP_PROV_ERR_INVALID_DATA)
			return -EINVAL;
		mp_put_u8(&w, pdu->error);
		break;
	case MP_PROV_RECORD_REQUEST:
		if (!pdu->record_request.max_size)
			return -EINVAL;
		mp_put_be16(&w, pdu->record_request.record_id);
		mp_put_be16(&w, pdu->record_request.offset);
		mp_put_be16(&w, pdu->record_request.max_size);
		break;
	case MP_PROV_RECORD_RESPONSE:
		if (pdu->record_response.status > MP_PROV_RECORD_OFFSET_OOB ||
		    (pdu->record_response.status && pdu->record_response.data_len))
			return -EINVAL;
		mp_put_u8(&w, pdu->record_response.status);
		mp_put_be16(&w, pdu->record_response.record_id);
		mp_put_be16(&w, pdu->record_response.offset);
		mp_put_be16(&w, pdu->record_response.total_len);
		mp_put_bytes(&w, pdu->record_response.data, pdu->record_response.data_len);
		break;
	case MP_PROV_RECORDS_LIST:
		mp_put_be16(&w, pdu->records_list.extensions);
		mp_put_bytes(&w, pdu->records_list.ids, 2 * pdu->records_list.count);
		break;
	case MP_PROV_INPUT_COMPLETE:
	case MP_PROV_COMPLETE:
	case MP_PROV_RECORDS_GET:
	case MP_PROV_PDU_TYPES:
		break;
	}
	return mp_writer_ok(&w) ? (int)w.len : -ENOSPC;
}

const char *mp_prov_pdu_name(unsigned int type)
{
	return type < MP_PROV_PDU_TYPES ? pdu_table[type].name : "RFU";
}

static const struct {
	const char *name;
	const char *id;
} err_names[] = {
	[MP_PROV_OK] = { "Success", "success" },
	[MP_PROV_ERR_INVALID_PDU] = { "Invalid PDU", "invalid-pdu" },
	[MP_PROV_ERR_INVALID_FORMAT] = { "Invalid Format", "invalid-format" },
	[MP_PROV_ERR_UNEXPECTED_PDU] = { "Unexpected PDU", "unexpected-pdu" },
	[MP_PROV_ERR_CONFIRMATION_FAILED] = { "Confirmation Failed", "confirmation-failed" },
	[MP_PROV_ERR_OUT_OF_RESOURCES] = { "Out of Resources", "out-of-resources" },
	[MP_PROV_ERR_DECRYPTION_FAILED] = { "Decryption Failed", "decryption-failed" },
	[MP_PROV_ERR_UNEXPECTED_ERROR] = { "Unexpected Error", "unexpected-error" },
	[MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES] = { "Cannot Assign Addresses",
						  "cannot-assign-addresses" },
	[MP_PROV_ERR_INVALID_DATA] = { "Invalid Data", "invalid-data" },
};

const char *mp_prov_err_name(unsigned int err)
{
	return err < sizeof(err_names) / sizeof(err_names[0]) ? err_names[err].name : "RFU";
}

const char *mp_prov_err_id(unsigned int err)
{
	return err < sizeof(err_names) / sizeof(err_names[0]) ? err_names[err].id : "rfu";
}

const char *mp_output_action_name(unsigned int action)
{
	static const char *const names[MP_OUTPUT_ACTIONS] = {
		"blink", "beep", "vibrate", "numeric", "alphanumeric",
	};

	return action < MP_OUTPUT_ACTIONS ? names[action] : "rfu";
}

const char *mp_input_action_name(unsigned int action)
{
	static const char *const names[MP_INPUT_ACTIONS] = {
		"push", "twist", "numeric", "alphanumeric",
	};

	return action < MP_INPUT_ACTIONS ? names[action] : "rfu";
}

const char *mp_auth_method_name(unsigned int method)
{
	static const char *const names[MP_AUTH_METHODS] = { "none", "static", "output", "input" };

	return method < MP_AUTH_METHODS ? names[method] : "rfu";
}
