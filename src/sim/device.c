/* The simulated unprovisioned device: the Provisionee side of the
 * provisioning protocol. See include/sim/device.h.
 *
 * One table says which PDU types the device accepts in which state and
 * which handler takes them; mp_sim_device_rx() validates the padding, type,
 * state and then the length and values (through the shared codec) before any
 * handler runs. A handler computes everything it needs and returns a failure
 * code before it sends anything; once it commits to a new state it sends, and
 * after every callback it checks that the device was not moved on by a
 * re-entrant call before doing more.
 */
#include "sim/device.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crypto/prov_keys.h"

#define BIT(n) (1u << (n))
#define VALUE_MAX 32		/* Random, AuthValue, Confirmation: 16 or 32 octets */

/* Offsets in ConfirmationInputs. MshPRT v1.1 5.4.2.4.1 */
#define IN_INVITE 0
#define IN_CAPS 1
#define IN_START 12
#define IN_PUB_PROV 17
#define IN_PUB_DEV 81

struct mp_sim_device {
	struct mp_sim_device_cb cb;
	const struct mp_rng *rng;
	uint8_t uuid[16];
	struct mp_prov_caps caps;
	uint8_t static_oob[MP_SIM_STATIC_OOB_MAX];
	size_t static_oob_len;
	struct mp_sim_record *records;
	size_t n_records;
	uint8_t *record_data;

	enum mp_sim_device_state state;
	enum mp_prov_err error;
	unsigned int epoch;		/* bumped on every state change */
	bool attention_on;

	struct mp_ecc_key *oob_key;	/* fixed key, with Public Key OOB */
	uint8_t oob_pub[64];
	struct mp_ecc_key *key;		/* this attempt's key, deleted after ECDH */
	uint8_t key_pub[64];
	const struct mp_ecc_key *active;	/* the key of this exchange */
	uint8_t active_pub[64];

	struct mp_prov_start start;
	enum mp_prov_alg alg;
	size_t alg_len;
	uint8_t inputs[MP_CONF_INPUTS_LEN];	/* ConfirmationInputs */
	uint8_t ecdh[MP_ECDH_SECRET_LEN];	/* secret */
	uint8_t auth[VALUE_MAX];		/* AuthValue, secret */
	uint8_t random_dev[VALUE_MAX];		/* secret until sent */
	uint8_t conf_dev[VALUE_MAX];
	uint8_t conf_prov[VALUE_MAX];
	struct mp_prov_keys keys;		/* secret */
	struct mp_sim_prov_result result;	/* a COMPLETE node's keys */
};

static void set_state(struct mp_sim_device *dev, enum mp_sim_device_state state)
{
	dev->state = state;
	dev->epoch++;
}

/* Send one PDU. True when the device is still where it was, i.e. no
 * re-entrant call from the callback moved it on, so the caller may go on. */
static bool send_pdu(struct mp_sim_device *dev, const uint8_t *pdu, size_t len)
{
	unsigned int epoch = dev->epoch;

	dev->cb.send(dev->cb.user, pdu, len);
	return dev->epoch == epoch;
}

static bool send_encoded(struct mp_sim_device *dev, const struct mp_prov_pdu *pdu)
{
	uint8_t buf[MP_PROV_PDU_MAX];
	int n = mp_prov_pdu_encode(pdu, buf, sizeof(buf));

	/* Our own PDUs are built from values already checked; an encoding
	 * failure is a bug, not something to put on air. */
	if (n < 0)
		abort();
	return send_pdu(dev, buf, (size_t)n);
}

static void wipe_session(struct mp_sim_device *dev)
{
	mp_wipe(dev->ecdh, sizeof(dev->ecdh));
	mp_wipe(dev->auth, sizeof(dev->auth));
	mp_wipe(dev->random_dev, sizeof(dev->random_dev));
	mp_prov_keys_wipe(&dev->keys);
	memset(dev->conf_dev, 0, sizeof(dev->conf_dev));
	memset(dev->conf_prov, 0, sizeof(dev->conf_prov));
}

static void drop_key(struct mp_sim_device *dev)
{
	mp_ecc_key_free(dev->key);
	dev->key = NULL;
	dev->active = NULL;
}

/* MshPRT v1.1 5.4.4: send Provisioning Failed, delete what was received,
 * and ignore everything until the bearer closes (reset). */
static void fail(struct mp_sim_device *dev, enum mp_prov_err err)
{
	uint8_t pdu[2] = { MP_PROV_FAILED, (uint8_t)err };

	wipe_session(dev);
	drop_key(dev);
	dev->error = err;
	set_state(dev, MP_SIM_DEV_FAILED);
	if (send_pdu(dev, pdu, sizeof(pdu)) && dev->cb.done)
		dev->cb.done(dev->cb.user, err, NULL);
}

static enum mp_prov_err crypto_err(int ret)
{
	return ret == -ENOMEM ? MP_PROV_ERR_OUT_OF_RESOURCES : MP_PROV_ERR_UNEXPECTED_ERROR;
}

static int new_key(struct mp_sim_device *dev)
{
	int ret;

	drop_key(dev);
	ret = mp_ecc_key_generate(dev->rng, &dev->key);
	if (ret)
		return ret;
	mp_ecc_key_public(dev->key, dev->key_pub);
	return 0;
}

/* ---- Records: MshPRT v1.1 5.4.2.6, only before the Invite ---- */

static const struct mp_sim_record *find_record(const struct mp_sim_device *dev, uint16_t id)
{
	size_t i;

	for (i = 0; i < dev->n_records; i++)
		if (dev->records[i].id == id)
			return &dev->records[i];
	return NULL;
}

static enum mp_prov_err rx_records_get(struct mp_sim_device *dev, const uint8_t *raw,
				       size_t len, const struct mp_prov_pdu *p)
{
	uint8_t ids[2 * MP_SIM_RECORDS_MAX];
	struct mp_prov_pdu out = { .type = MP_PROV_RECORDS_LIST };
	size_t i;

	/* Provisioning Extensions: all bits RFU (Table 5.46), so 0 */
	for (i = 0; i < dev->n_records; i++)
		mp_store_be16(&ids[2 * i], dev->records[i].id);
	out.records_list.ids = ids;
	out.records_list.count = dev->n_records;
	send_encoded(dev, &out);
	return MP_PROV_OK;
}

static enum mp_prov_err rx_record_request(struct mp_sim_device *dev, const uint8_t *raw,
					  size_t len, const struct mp_prov_pdu *p)
{
	uint8_t buf[8 + MP_SIM_RECORD_FRAG_MAX];
	const struct mp_sim_record *rec = find_record(dev, p->record_request.record_id);
	struct mp_prov_pdu out = { .type = MP_PROV_RECORD_RESPONSE };
	size_t frag;
	int n;

	out.record_response.record_id = p->record_request.record_id;
	out.record_response.offset = p->record_request.offset;
	/* Table 5.50 validation conditions; a failed one is a status, not a
	 * provisioning failure */
	if (!rec) {
		out.record_response.status = MP_PROV_RECORD_NOT_PRESENT;
		out.record_response.total_len = 0;
	} else if (p->record_request.offset >= rec->len) {
		out.record_response.status = MP_PROV_RECORD_OFFSET_OOB;
		out.record_response.total_len = (uint16_t)rec->len;
	} else {
		frag = rec->len - p->record_request.offset;
		if (frag > p->record_request.max_size)
			frag = p->record_request.max_size;
		/* "may be shorter ... if the Provisionee cannot create a
		 * message of the requested size" (5.4.1.12) */
		if (frag > MP_SIM_RECORD_FRAG_MAX)
			frag = MP_SIM_RECORD_FRAG_MAX;
		out.record_response.status = MP_PROV_RECORD_SUCCESS;
		out.record_response.total_len = (uint16_t)rec->len;
		out.record_response.data = rec->data + p->record_request.offset;
		out.record_response.data_len = frag;
	}
	n = mp_prov_pdu_encode(&out, buf, sizeof(buf));
	if (n < 0)
		abort();
	send_pdu(dev, buf, (size_t)n);
	return MP_PROV_OK;
}

/* ---- Invitation: MshPRT v1.1 5.4.2.2 ---- */

static enum mp_prov_err rx_invite(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				  const struct mp_prov_pdu *p)
{
	struct mp_prov_pdu out = { .type = MP_PROV_CAPABILITIES, .caps = dev->caps };
	uint8_t buf[MP_PROV_PDU_MAX];
	int n = mp_prov_pdu_encode(&out, buf, sizeof(buf));

	if (n != 1 + 11)
		abort();
	dev->inputs[IN_INVITE] = p->attention;
	memcpy(&dev->inputs[IN_CAPS], buf + 1, 11);
	set_state(dev, MP_SIM_DEV_CAPS_SENT);
	dev->attention_on = p->attention != 0;
	if (dev->cb.attention) {
		unsigned int epoch = dev->epoch;

		dev->cb.attention(dev->cb.user, p->attention);
		if (dev->epoch != epoch)
			return MP_PROV_OK;
	}
	send_pdu(dev, buf, (size_t)n);
	return MP_PROV_OK;
}

/* ---- Start: MshPRT v1.1 5.4.1.3, 5.4.2.3 ---- */

static enum mp_prov_err rx_start(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				 const struct mp_prov_pdu *p)
{
	const struct mp_prov_start *s = &p->start;
	int ret;

	/* The codec has refused RFU and prohibited values. What remains is
	 * whether we offered what the provisioner picked: choosing something
	 * the Capabilities did not advertise puts an argument outside the
	 * expected values (Table 5.41, Invalid Format). */
	if (!mp_prov_start_allowed(&dev->caps, s))
		return MP_PROV_ERR_INVALID_FORMAT;
	/* 5.4.2.3: with "Only OOB authenticated provisioning" the CMAC
	 * algorithm shall fail even if a (non-conforming) device offered it;
	 * No OOB is already refused by mp_prov_start_allowed(). */
	if (dev->caps.oob_type & MP_OOB_TYPE_ONLY_OOB && s->algorithm == MP_ALG_CMAC)
		return MP_PROV_ERR_INVALID_FORMAT;

	if (dev->oob_key && s->pubkey_oob) {
		dev->active = dev->oob_key;
		memcpy(dev->active_pub, dev->oob_pub, 64);
	} else {
		/* An in-band exchange uses a key pair of its own (5.4.2.3); a
		 * device whose long-term key is the OOB one makes one now. */
		if (dev->oob_key) {
			ret = new_key(dev);
			if (ret)
				return crypto_err(ret);
		}
		if (!dev->key)
			return MP_PROV_ERR_UNEXPECTED_ERROR;
		dev->active = dev->key;
		memcpy(dev->active_pub, dev->key_pub, 64);
	}
	dev->start = *s;
	dev->alg = s->algorithm == 0 ? MP_ALG_CMAC : MP_ALG_HMAC;
	dev->alg_len = mp_prov_alg_len(dev->alg);
	memcpy(&dev->inputs[IN_START], raw + 1, 5);
	set_state(dev, MP_SIM_DEV_STARTED);
	/* "Upon receiving the Provisioning Start PDU ... the Provisionee shall
	 * set the Attention Timers present on the device to 0x00" */
	dev->attention_on = false;
	if (dev->cb.attention)
		dev->cb.attention(dev->cb.user, 0);
	return MP_PROV_OK;
}

/* ---- Authentication values: MshPRT v1.1 5.4.2.4.1 ---- */

static uint64_t pow10_u64(unsigned int n)
{
	uint64_t v = 1;

	while (n--)
		v *= 10;
	return v;
}

/* Numeric data type: the number as an unsigned big-endian integer of the
 * AuthValue's size. */
static void auth_numeric(uint8_t *auth, size_t alen, uint64_t v)
{
	size_t i;

	memset(auth, 0, alen);
	for (i = 0; i < 8; i++)
		auth[alen - 1 - i] = (uint8_t)(v >> (8 * i));
}

/* Alphanumeric: the ASCII codes, zero-padded. */
static void auth_alnum(uint8_t *auth, size_t alen, const char *text, size_t n)
{
	memset(auth, 0, alen);
	memcpy(auth, text, n);
}

/* @v in decimal, zero-padded to @width digits; @v < 10^MP_OOB_SIZE_MAX. */
static void fmt_decimal(char out[MP_OOB_SIZE_MAX + 1], uint64_t v, unsigned int width)
{
	char tmp[MP_OOB_SIZE_MAX];
	unsigned int n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(tmp));
	while (n < width && n < sizeof(tmp))
		tmp[n++] = '0';
	while (n)
		out[i++] = tmp[--n];
	out[i] = '\0';
}

static const char alnum_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Output OOB, 5.4.2.4.3: Blink/Beep/Vibrate output a random integer between
 * 1 and 10^size - 1; Output Numeric displays size digits; Output
 * Alphanumeric size digits and uppercase letters. */
static int make_output(struct mp_sim_device *dev, char text[MP_OOB_SIZE_MAX + 1])
{
	uint8_t rnd[2 * MP_OOB_SIZE_MAX];
	unsigned int size = dev->start.auth_size;
	uint64_t v, range = pow10_u64(size);
	unsigned int i;
	int ret;

	if (dev->start.auth_action == MP_OUTPUT_ALPHANUMERIC) {
		ret = mp_rng_bytes(dev->rng, rnd, 2 * size);
		if (ret)
			return ret;
		/* 65536 mod 36 = 16: a bias below 0.03%, fine for a simulator */
		for (i = 0; i < size; i++)
			text[i] = alnum_chars[mp_be16(&rnd[2 * i]) % 36];
		text[size] = '\0';
		auth_alnum(dev->auth, dev->alg_len, text, size);
	} else {
		ret = mp_rng_bytes(dev->rng, rnd, 8);
		if (ret)
			return ret;
		v = (uint64_t)mp_be32(rnd) << 32 | mp_be32(rnd + 4);
		if (dev->start.auth_action == MP_OUTPUT_NUMERIC) {
			v %= range;
			fmt_decimal(text, v, size);
		} else {
			v = 1 + v % (range - 1);
			fmt_decimal(text, v, 0);
		}
		auth_numeric(dev->auth, dev->alg_len, v);
	}
	mp_wipe(rnd, sizeof(rnd));
	return 0;
}

/* ---- Public keys: MshPRT v1.1 5.4.2.3 ---- */

static enum mp_prov_err rx_public_key(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				      const struct mp_prov_pdu *p)
{
	char text[MP_OOB_SIZE_MAX + 1] = "";
	enum mp_sim_device_state next = MP_SIM_DEV_WAIT_CONFIRM;
	unsigned int epoch;
	int ret;

	/* "When the Provisionee receives an invalid public key or a public
	 * key that is equal to the Provisionee public key, then provisioning
	 * shall fail ... and should indicate the Invalid Format Error Code"
	 * (MshPRT v1.1 5.4.2.3). Public values: memcmp is fine. */
	if (!mp_ecc_public_valid(p->public_key) || !memcmp(p->public_key, dev->active_pub, 64))
		return MP_PROV_ERR_INVALID_FORMAT;
	if (!dev->active)
		return MP_PROV_ERR_UNEXPECTED_ERROR;
	ret = mp_ecdh(dev->active, p->public_key, dev->ecdh);
	if (ret == -EINVAL)
		return MP_PROV_ERR_INVALID_FORMAT;
	if (ret)
		return crypto_err(ret);
	memcpy(&dev->inputs[IN_PUB_PROV], p->public_key, 64);
	memcpy(&dev->inputs[IN_PUB_DEV], dev->active_pub, 64);

	switch (dev->start.auth_method) {
	case MP_AUTH_NONE:
		/* Numeric, value 0 (5.4.2.4.1) */
		memset(dev->auth, 0, sizeof(dev->auth));
		break;
	case MP_AUTH_STATIC:
		/* Binary: copied, zero-padded or trimmed to the AuthValue size
		 * (5.4.2.4.1), so a 16-octet value works with HMAC too */
		memset(dev->auth, 0, sizeof(dev->auth));
		memcpy(dev->auth, dev->static_oob,
		       dev->static_oob_len < dev->alg_len ? dev->static_oob_len : dev->alg_len);
		break;
	case MP_AUTH_OUTPUT:
		ret = make_output(dev, text);
		if (ret)
			return crypto_err(ret);
		break;
	case MP_AUTH_INPUT:
		next = MP_SIM_DEV_WAIT_INPUT;
		break;
	}

	/* "After the ECDHSecret is computed, the Provisioner and the
	 * Provisionee shall delete its private-public key pair that was
	 * generated in this step." The OOB key is not generated here: kept. */
	drop_key(dev);
	set_state(dev, next);
	epoch = dev->epoch;

	/* Output first, so that a caller wired back to back finds the value
	 * already shown when the provisioner asks for it on our public key. */
	if (dev->start.auth_method == MP_AUTH_OUTPUT && dev->cb.output_oob) {
		dev->cb.output_oob(dev->cb.user, (enum mp_output_action)dev->start.auth_action, text);
		mp_wipe(text, sizeof(text));
		if (dev->epoch != epoch)
			return MP_PROV_OK;
	}
	mp_wipe(text, sizeof(text));
	if (!dev->start.pubkey_oob) {
		struct mp_prov_pdu out = { .type = MP_PROV_PUBLIC_KEY };

		memcpy(out.public_key, dev->active_pub, 64);
		if (!send_encoded(dev, &out))
			return MP_PROV_OK;
	}
	/* Input only after our public key: Input Complete must follow it. */
	if (next == MP_SIM_DEV_WAIT_INPUT && dev->cb.input_oob)
		dev->cb.input_oob(dev->cb.user, (enum mp_input_action)dev->start.auth_action,
				  dev->start.auth_size);
	return MP_PROV_OK;
}

/* ---- Input OOB: MshPRT v1.1 5.4.2.4.4 ---- */

int mp_sim_device_input(struct mp_sim_device *dev, const char *text)
{
	uint8_t auth[VALUE_MAX];
	char up[MP_OOB_SIZE_MAX + 1];
	uint8_t pdu[1] = { MP_PROV_INPUT_COMPLETE };
	size_t n, i, size;
	uint64_t v = 0;

	if (!dev || !text)
		return -EINVAL;
	if (dev->state != MP_SIM_DEV_WAIT_INPUT)
		return -EPERM;
	size = dev->start.auth_size;
	n = strnlen(text, size + 1);
	if (n == 0 || n > size)
		return -EINVAL;
	if (dev->start.auth_action == MP_INPUT_ALPHANUMERIC) {
		for (i = 0; i < n; i++) {
			char c = text[i];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
				mp_wipe(up, sizeof(up));
				return -EINVAL;
			}
			up[i] = c;
		}
		auth_alnum(auth, dev->alg_len, up, n);
		mp_wipe(up, sizeof(up));
	} else {
		for (i = 0; i < n; i++) {
			if (text[i] < '0' || text[i] > '9')
				return -EINVAL;
			v = v * 10 + (uint64_t)(text[i] - '0');
		}
		/* Push and Twist count 1 to 10^size - 1 actions */
		if (v == 0 && dev->start.auth_action != MP_INPUT_NUMERIC)
			return -EINVAL;
		auth_numeric(auth, dev->alg_len, v);
	}
	memcpy(dev->auth, auth, dev->alg_len);
	mp_wipe(auth, sizeof(auth));
	set_state(dev, MP_SIM_DEV_WAIT_CONFIRM);
	send_pdu(dev, pdu, sizeof(pdu));
	return 0;
}

/* ---- Confirmation and random: MshPRT v1.1 5.4.2.4.2 ---- */

static enum mp_prov_err rx_confirmation(struct mp_sim_device *dev, const uint8_t *raw,
					size_t len, const struct mp_prov_pdu *p)
{
	struct mp_prov_pdu out = { .type = MP_PROV_CONFIRMATION };
	int ret;

	/* 16 octets for CMAC, 32 for HMAC (5.4.1.6): the other length is a
	 * PDU "different than expected" */
	if (p->confirmation.len != dev->alg_len)
		return MP_PROV_ERR_INVALID_FORMAT;
	ret = mp_prov_confirmation_key(&dev->keys, dev->alg, dev->inputs, dev->ecdh, dev->auth);
	if (!ret)
		ret = mp_rng_bytes(dev->rng, dev->random_dev, dev->alg_len);
	if (!ret)
		ret = mp_prov_confirmation(&dev->keys, dev->random_dev, dev->auth, dev->conf_dev);
	if (ret)
		return crypto_err(ret);
	/* Step 2: "If the values are equal, the provisioning protocol shall
	 * fail ... and should indicate the Invalid Format Error Code" - a
	 * reflected confirmation (CVE-2020-26560 family). */
	if (mp_ct_equal(p->confirmation.value, dev->conf_dev, dev->alg_len))
		return MP_PROV_ERR_INVALID_FORMAT;
	memcpy(dev->conf_prov, p->confirmation.value, dev->alg_len);
	set_state(dev, MP_SIM_DEV_WAIT_RANDOM);
	memcpy(out.confirmation.value, dev->conf_dev, dev->alg_len);
	out.confirmation.len = (uint8_t)dev->alg_len;
	send_encoded(dev, &out);
	return MP_PROV_OK;
}

static enum mp_prov_err rx_random(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				  const struct mp_prov_pdu *p)
{
	struct mp_prov_pdu out = { .type = MP_PROV_RANDOM };
	uint8_t expect[VALUE_MAX];
	bool ok;
	int ret;

	if (p->random.len != dev->alg_len)
		return MP_PROV_ERR_INVALID_FORMAT;
	/* Our own Random sent back. With a matching confirmation this could
	 * only pass if the provisioner's confirmation equalled ours, which
	 * rx_confirmation refused; checked on its own all the same. */
	if (mp_ct_equal(p->random.value, dev->random_dev, dev->alg_len))
		return MP_PROV_ERR_CONFIRMATION_FAILED;
	ret = mp_prov_confirmation(&dev->keys, p->random.value, dev->auth, expect);
	if (ret)
		return crypto_err(ret);
	/* Step 4: "should indicate the Confirmation Failed Error Code" */
	ok = mp_ct_equal(expect, dev->conf_prov, dev->alg_len);
	mp_wipe(expect, sizeof(expect));
	if (!ok)
		return MP_PROV_ERR_CONFIRMATION_FAILED;
	ret = mp_prov_session_keys(&dev->keys, p->random.value, dev->random_dev, dev->ecdh);
	if (ret)
		return crypto_err(ret);
	/* The ECDH secret and the AuthValue have served their purpose. */
	mp_wipe(dev->ecdh, sizeof(dev->ecdh));
	mp_wipe(dev->auth, sizeof(dev->auth));
	set_state(dev, MP_SIM_DEV_WAIT_DATA);
	memcpy(out.random.value, dev->random_dev, dev->alg_len);
	out.random.len = (uint8_t)dev->alg_len;
	mp_wipe(dev->random_dev, sizeof(dev->random_dev));
	send_encoded(dev, &out);
	mp_wipe(&out, sizeof(out));
	return MP_PROV_OK;
}

/* ---- Provisioning data: MshPRT v1.1 5.4.2.5 ---- */

#define UNICAST_MAX 0x7fff
#define KEY_INDEX_MAX 0x0fff	/* key indexes are 12 bits (MshPRT 4.3.1.1) */
#define FLAGS_KNOWN 0x03	/* Key Refresh, IV Update; bits 2-7 RFU (Table 5.48) */

static enum mp_prov_err check_data(const struct mp_sim_device *dev,
				   const struct mp_sim_prov_result *r)
{
	/* 5.4.4: "When the Provisionee receives a message with ... a bit set
	 * to 1 within a bitfield indicated as Reserved for Future Use, the
	 * provisioning protocol shall fail". Values the device cannot accept
	 * in the Data block are Invalid Data (Table 5.41). */
	if (r->flags & ~FLAGS_KNOWN)
		return MP_PROV_ERR_INVALID_DATA;
	if (r->net_key_index > KEY_INDEX_MAX)
		return MP_PROV_ERR_INVALID_DATA;
	/* The Unicast Address "shall contain the Unicast Address of the
	 * primary element": 0x0000 is unassigned, 0x8000 and above are
	 * virtual and group addresses (MshPRT 3.4.2). */
	if (r->unicast == 0 || r->unicast > UNICAST_MAX)
		return MP_PROV_ERR_INVALID_DATA;
	/* "If the address assigning cannot be successfully completed, the
	 * Provisionee shall ... respond with a Provisioning Failed PDU with
	 * the Error Code parameter set to Cannot Assign Addresses": a range
	 * for all elements running past the last unicast address. */
	if ((uint32_t)r->unicast + dev->caps.elements - 1 > UNICAST_MAX)
		return MP_PROV_ERR_CANNOT_ASSIGN_ADDRESSES;
	return MP_PROV_OK;
}

static enum mp_prov_err rx_data(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				const struct mp_prov_pdu *p)
{
	uint8_t plain[MP_PROV_DATA_LEN];
	struct mp_sim_prov_result r = { 0 };
	uint8_t pdu[1] = { MP_PROV_COMPLETE };
	struct mp_reader rd;
	enum mp_prov_err err;
	int ret;

	ret = mp_prov_data_decrypt(&dev->keys, p->data.encrypted, p->data.mic, plain);
	if (ret == -EBADMSG)
		return MP_PROV_ERR_DECRYPTION_FAILED;
	if (ret)
		return crypto_err(ret);
	/* Table 5.47: NetKey 16, Key Index 2, Flags 1, IV Index 4, Address 2 */
	mp_reader_init(&rd, plain, sizeof(plain));
	mp_get_bytes(&rd, r.net_key, sizeof(r.net_key));
	mp_get_be16(&rd, &r.net_key_index);
	mp_get_u8(&rd, &r.flags);
	mp_get_be32(&rd, &r.iv_index);
	mp_get_be16(&rd, &r.unicast);
	mp_wipe(plain, sizeof(plain));
	err = mp_reader_done(&rd) ? check_data(dev, &r) : MP_PROV_ERR_UNEXPECTED_ERROR;
	if (err) {
		mp_wipe(&r, sizeof(r));
		return err;
	}
	r.elements = dev->caps.elements;
	r.algorithm = (uint8_t)dev->alg;
	r.auth_method = dev->start.auth_method;
	memcpy(r.device_key, dev->keys.device_key, sizeof(r.device_key));
	dev->result = r;
	mp_wipe(&r, sizeof(r));
	wipe_session(dev);
	set_state(dev, MP_SIM_DEV_COMPLETE);
	if (send_pdu(dev, pdu, sizeof(pdu)) && dev->cb.done) {
		/* Hand over a copy, wiped after, so that a reset from within
		 * the callback cannot pull the data from under it. */
		r = dev->result;
		dev->cb.done(dev->cb.user, MP_PROV_OK, &r);
		mp_wipe(&r, sizeof(r));
	}
	return MP_PROV_OK;
}

/* ---- Dispatch ---- */

typedef enum mp_prov_err (*rx_fn)(struct mp_sim_device *dev, const uint8_t *raw, size_t len,
				  const struct mp_prov_pdu *pdu);

/* Which PDUs the device accepts, in which states. The types not listed
 * (Capabilities, Input Complete, Complete, Failed, Record Response, Records
 * List) are sent by a Provisionee, never to it: always Unexpected PDU. */
static const struct {
	uint16_t states;
	rx_fn handler;
} rx_table[MP_PROV_PDU_TYPES] = {
	[MP_PROV_INVITE] = { BIT(MP_SIM_DEV_IDLE), rx_invite },
	[MP_PROV_START] = { BIT(MP_SIM_DEV_CAPS_SENT), rx_start },
	[MP_PROV_PUBLIC_KEY] = { BIT(MP_SIM_DEV_STARTED), rx_public_key },
	[MP_PROV_CONFIRMATION] = { BIT(MP_SIM_DEV_WAIT_CONFIRM), rx_confirmation },
	[MP_PROV_RANDOM] = { BIT(MP_SIM_DEV_WAIT_RANDOM), rx_random },
	[MP_PROV_DATA] = { BIT(MP_SIM_DEV_WAIT_DATA), rx_data },
	/* 5.4.2.6.1, 5.4.2.6.2: before the Invite only; after it, Tables 5.49
	 * and 5.51 make them Unexpected PDU */
	[MP_PROV_RECORD_REQUEST] = { BIT(MP_SIM_DEV_IDLE), rx_record_request },
	[MP_PROV_RECORDS_GET] = { BIT(MP_SIM_DEV_IDLE), rx_records_get },
};

int mp_sim_device_rx(struct mp_sim_device *dev, const uint8_t *pdu, size_t len)
{
	struct mp_prov_pdu p;
	enum mp_prov_err err;
	unsigned int type;

	if (!dev || (!pdu && len))
		return -EINVAL;
	if (dev->state == MP_SIM_DEV_COMPLETE || dev->state == MP_SIM_DEV_FAILED)
		return -ESHUTDOWN;
	/* MshPRT v1.1 5.4.1: Padding 0b00, Type 0x00-0x0D; an empty PDU has
	 * no type to recognise either (Table 5.41, Invalid PDU) */
	if (len == 0 || pdu[0] & 0xc0 || pdu[0] >= MP_PROV_PDU_TYPES) {
		err = MP_PROV_ERR_INVALID_PDU;
	} else {
		type = pdu[0];
		if (!(rx_table[type].states & BIT(dev->state)))
			err = MP_PROV_ERR_UNEXPECTED_PDU;
		else
			err = mp_prov_pdu_decode(pdu, len, &p);
		if (err == MP_PROV_OK)
			err = rx_table[type].handler(dev, pdu, len, &p);
	}
	if (err != MP_PROV_OK) {
		fail(dev, err);
		return (int)err;
	}
	return 0;
}

/* ---- Life cycle ---- */

static int check_config(const struct mp_sim_device_config *cfg)
{
	size_t i, j;

	if (!cfg->cb.send)
		return -EINVAL;
	if (mp_prov_caps_check(&cfg->caps) != MP_PROV_OK)
		return -EINVAL;
	if (cfg->static_oob_len > MP_SIM_STATIC_OOB_MAX || (cfg->static_oob_len && !cfg->static_oob))
		return -EINVAL;
	if (cfg->caps.oob_type & MP_OOB_TYPE_STATIC && cfg->static_oob_len == 0)
		return -EINVAL;
	if (cfg->n_records > MP_SIM_RECORDS_MAX || (cfg->n_records && !cfg->records))
		return -EINVAL;
	for (i = 0; i < cfg->n_records; i++) {
		if (cfg->records[i].len > UINT16_MAX || (cfg->records[i].len && !cfg->records[i].data))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (cfg->records[j].id == cfg->records[i].id)
				return -EINVAL;
	}
	return 0;
}

int mp_sim_device_new(const struct mp_sim_device_config *cfg, struct mp_sim_device **out)
{
	struct mp_sim_device *dev;
	size_t i, total = 0, off = 0;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg)
		return -EINVAL;
	ret = check_config(cfg);
	if (ret)
		return ret;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->cb = cfg->cb;
	dev->rng = cfg->rng;
	memcpy(dev->uuid, cfg->uuid, sizeof(dev->uuid));
	dev->caps = cfg->caps;
	if (cfg->static_oob_len)
		memcpy(dev->static_oob, cfg->static_oob, cfg->static_oob_len);
	dev->static_oob_len = cfg->static_oob_len;

	for (i = 0; i < cfg->n_records; i++)
		total += cfg->records[i].len;
	if (cfg->n_records) {
		dev->records = calloc(cfg->n_records, sizeof(*dev->records));
		dev->record_data = malloc(total ? total : 1);
		if (!dev->records || !dev->record_data) {
			mp_sim_device_free(dev);
			return -ENOMEM;
		}
		for (i = 0; i < cfg->n_records; i++) {
			dev->records[i] = cfg->records[i];
			dev->records[i].data = dev->record_data + off;
			if (cfg->records[i].len)
				memcpy(dev->record_data + off, cfg->records[i].data,
				       cfg->records[i].len);
			off += cfg->records[i].len;
		}
		dev->n_records = cfg->n_records;
	}

	/* Draw 1 (see the header): the OOB key, or the first attempt's key */
	if (cfg->caps.pubkey_type & MP_PUBKEY_TYPE_OOB) {
		ret = mp_ecc_key_generate(dev->rng, &dev->oob_key);
		if (!ret)
			mp_ecc_key_public(dev->oob_key, dev->oob_pub);
	} else {
		ret = new_key(dev);
	}
	if (ret) {
		mp_sim_device_free(dev);
		return ret;
	}
	dev->state = MP_SIM_DEV_IDLE;
	*out = dev;
	return 0;
}

void mp_sim_device_free(struct mp_sim_device *dev)
{
	if (!dev)
		return;
	wipe_session(dev);
	drop_key(dev);
	mp_ecc_key_free(dev->oob_key);
	free(dev->records);
	free(dev->record_data);
	mp_wipe(dev, sizeof(*dev));
	free(dev);
}

int mp_sim_device_reset(struct mp_sim_device *dev)
{
	bool attention;
	int ret;

	if (!dev)
		return -EINVAL;
	attention = dev->attention_on;
	wipe_session(dev);
	mp_wipe(&dev->result, sizeof(dev->result));
	memset(&dev->start, 0, sizeof(dev->start));
	memset(dev->inputs, 0, sizeof(dev->inputs));
	drop_key(dev);
	dev->error = MP_PROV_OK;
	dev->attention_on = false;
	set_state(dev, MP_SIM_DEV_IDLE);
	/* Draw 2: a fresh key pair per attempt, unless it is the OOB key */
	if (!dev->oob_key) {
		ret = new_key(dev);
		if (ret) {
			dev->error = MP_PROV_ERR_UNEXPECTED_ERROR;
			set_state(dev, MP_SIM_DEV_FAILED);
			return ret;
		}
	}
	if (attention && dev->cb.attention)
		dev->cb.attention(dev->cb.user, 0);
	return 0;
}

void mp_sim_device_public_key(const struct mp_sim_device *dev, uint8_t pub[64])
{
	memcpy(pub, dev->oob_key ? dev->oob_pub : dev->key_pub, 64);
}

void mp_sim_device_uuid(const struct mp_sim_device *dev, uint8_t uuid[16])
{
	memcpy(uuid, dev->uuid, 16);
}

const struct mp_prov_caps *mp_sim_device_caps(const struct mp_sim_device *dev)
{
	return &dev->caps;
}

enum mp_sim_device_state mp_sim_device_state(const struct mp_sim_device *dev)
{
	return dev->state;
}

enum mp_prov_err mp_sim_device_error(const struct mp_sim_device *dev)
{
	return dev->error;
}

int mp_sim_device_result(const struct mp_sim_device *dev, struct mp_sim_prov_result *out)
{
	if (dev->state != MP_SIM_DEV_COMPLETE)
		return -ENOENT;
	*out = dev->result;
	return 0;
}

const char *mp_sim_device_state_name(unsigned int state)
{
	static const char *const names[MP_SIM_DEV_STATES] = {
		[MP_SIM_DEV_IDLE] = "idle",
		[MP_SIM_DEV_CAPS_SENT] = "caps-sent",
		[MP_SIM_DEV_STARTED] = "started",
		[MP_SIM_DEV_WAIT_INPUT] = "wait-input",
		[MP_SIM_DEV_WAIT_CONFIRM] = "wait-confirm",
		[MP_SIM_DEV_WAIT_RANDOM] = "wait-random",
		[MP_SIM_DEV_WAIT_DATA] = "wait-data",
		[MP_SIM_DEV_COMPLETE] = "complete",
		[MP_SIM_DEV_FAILED] = "failed",
	};

	return state < MP_SIM_DEV_STATES ? names[state] : "unknown";
}
