/* The provisioner state machine; see include/prov/provisioner.h.
 *
 * One explicit state; a table of {PDU type, states it is expected in,
 * handler} that validates every received PDU before any handler runs; short
 * handlers. Events are emitted last in each path, because the caller may call
 * back into the object (or free it after DONE) from its event callback.
 */
#include "prov/provisioner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "prov/auth.h"

enum state {
	ST_IDLE,
	ST_WAIT_CAPS,		/* Invite sent */
	ST_WAIT_PUBKEY,		/* Start and our Public Key sent */
	ST_WAIT_OOB_OUTPUT,	/* the user must tell what the device shows */
	ST_WAIT_INPUT_DONE,	/* the user enters our value on the device */
	ST_WAIT_CONFIRM,	/* our Confirmation sent */
	ST_WAIT_RANDOM,		/* our Random sent */
	ST_WAIT_DATA_ARGS,	/* the caller must supply the Provisioning Data */
	ST_WAIT_COMPLETE,	/* Data sent */
	ST_DONE,
};

#define BIT(s) (1u << (s))

struct mp_prov {
	enum state state;
	struct mp_prov_params params;
	const struct mp_prov_ops *ops;
	void *user;

	struct mp_prov_caps caps;
	bool have_caps;
	struct mp_prov_start start;
	size_t vlen;				/* 16 or 32, from the algorithm */
	struct mp_ecc_key *key;
	uint8_t conf_inputs[MP_CONF_INPUTS_LEN];
	uint8_t ecdh[MP_ECDH_SECRET_LEN];
	uint8_t auth[32];
	char oob_text[MP_OOB_TEXT_MAX];
	uint8_t random[32];
	uint8_t confirmation[32];		/* ours */
	uint8_t dev_confirmation[32];
	struct mp_prov_keys keys;
};

/* Offsets of the parts of ConfirmationInputs. MshPRT v1.1 5.4.2.4.1 */
#define CI_INVITE 0
#define CI_CAPS 1
#define CI_START 12
#define CI_PUB_PROV 17
#define CI_PUB_DEV 81

static void wipe_secrets(struct mp_prov *p)
{
	mp_ecc_key_free(p->key);
	p->key = NULL;
	mp_wipe(p->ecdh, sizeof(p->ecdh));
	mp_wipe(p->auth, sizeof(p->auth));
	mp_wipe(p->oob_text, sizeof(p->oob_text));
	mp_wipe(p->random, sizeof(p->random));
	mp_prov_keys_wipe(&p->keys);
}

/* End the procedure: report DONE once, with every secret already wiped. */
static void finish(struct mp_prov *p, enum mp_prov_err err, int errnum, bool by_device)
{
	struct mp_prov_event ev = { .type = MP_PROV_EV_DONE, .err = err, .errnum = errnum,
				    .by_device = by_device };
	uint8_t device_key[16];

	if (p->state == ST_DONE)
		return;
	p->state = ST_DONE;
	p->ops->timer(p->user, 0);
	if (err == MP_PROV_OK && errnum == 0) {
		memcpy(device_key, p->keys.device_key, sizeof(device_key));
		ev.device_key = device_key;
	}
	wipe_secrets(p);
	p->ops->event(p->user, &ev);
	mp_wipe(device_key, sizeof(device_key));
}

static void fail(struct mp_prov *p, enum mp_prov_err err)
{
	finish(p, err, 0, false);
}

static void emit(struct mp_prov *p, struct mp_prov_event *ev)
{
	p->ops->event(p->user, ev);
}

static void phase(struct mp_prov *p, enum mp_prov_phase ph)
{
	struct mp_prov_event ev = { .type = MP_PROV_EV_PHASE, .phase = ph };

	emit(p, &ev);
}

/* Encode and send; on failure the procedure ends and false is returned. */
static bool send_pdu(struct mp_prov *p, const struct mp_prov_pdu *pdu)
{
	uint8_t buf[MP_PROV_PDU_MAX];
	int len, err;

	len = mp_prov_pdu_encode(pdu, buf, sizeof(buf));
	if (len < 0) {
		finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, len, false);
		return false;
	}
	err = p->ops->send(p->user, buf, (size_t)len);
	if (err < 0) {
		finish(p, MP_PROV_OK, err, false);
		return false;
	}
	/* Progress restarts the protocol timer (MshPRT v1.1 5.4.4), unless
	 * the peer's answer, delivered from within send(), already ended it. */
	if (p->state == ST_DONE)
		return false;
	p->ops->timer(p->user, MP_PROV_TIMEOUT_MS);
	return true;
}

/* ---- the choice of algorithm and authentication ---- */

static int choose_alg(const struct mp_prov_caps *caps, const struct mp_prov_params *prm)
{
	bool cmac = caps->algorithms & MP_ALG_BIT_CMAC, hmac = caps->algorithms & MP_ALG_BIT_HMAC;

	switch (prm->alg) {
	case MP_ALG_FORCE_CMAC:
		return cmac ? MP_ALG_CMAC : -ENOTSUP;
	case MP_ALG_FORCE_HMAC:
		return hmac ? MP_ALG_HMAC : -ENOTSUP;
	case MP_ALG_AUTO:
		break;
	}
	return hmac ? MP_ALG_HMAC : MP_ALG_CMAC;
}

/* Output actions in order of preference: what a person can read back most
 * reliably and with the most entropy first. */
static const uint8_t output_pref[] = {
	MP_OUTPUT_NUMERIC, MP_OUTPUT_ALPHANUMERIC, MP_OUTPUT_BLINK, MP_OUTPUT_BEEP,
	MP_OUTPUT_VIBRATE,
};
static const uint8_t input_pref[] = {
	MP_INPUT_NUMERIC, MP_INPUT_ALPHANUMERIC, MP_INPUT_PUSH, MP_INPUT_TWIST,
};

static int pick_action(uint16_t mask, const uint8_t *pref, size_t n, int forced)
{
	size_t i;

	if (forced >= 0)
		return forced < 16 && (mask & (1u << forced)) ? forced : -ENOTSUP;
	for (i = 0; i < n; i++)
		if (mask & (1u << pref[i]))
			return pref[i];
	return -ENOTSUP;
}

static int choose_auth(const struct mp_prov_caps *caps, const struct mp_prov_params *prm,
		       size_t vlen, struct mp_prov_start *s)
{
	bool has_static = (caps->oob_type & MP_OOB_TYPE_STATIC) && prm->static_oob_len;
	bool only_oob = caps->oob_type & MP_OOB_TYPE_ONLY_OOB;
	int a;

	s->auth_action = 0;
	s->auth_size = 0;
	switch (prm->auth) {
	case MP_AUTH_CHOICE_NONE:
		if (only_oob)
			return -ENOTSUP;
		if (prm->require_auth)
			return -EACCES;
		s->auth_method = MP_AUTH_NONE;
		return 0;
	case MP_AUTH_CHOICE_STATIC:
		if (!has_static)
			return -ENOTSUP;
		s->auth_method = MP_AUTH_STATIC;
		return 0;
	case MP_AUTH_CHOICE_OUTPUT:
	case MP_AUTH_CHOICE_INPUT:
	case MP_AUTH_CHOICE_AUTO:
		break;
	}
	if (prm->auth == MP_AUTH_CHOICE_AUTO && has_static) {
		s->auth_method = MP_AUTH_STATIC;
		return 0;
	}
	if (prm->auth != MP_AUTH_CHOICE_INPUT && caps->output_size) {
		a = pick_action(caps->output_actions, output_pref, sizeof(output_pref),
				prm->auth == MP_AUTH_CHOICE_OUTPUT ? prm->action : -1);
		if (a >= 0) {
			s->auth_method = MP_AUTH_OUTPUT;
			s->auth_action = (uint8_t)a;
			s->auth_size = caps->output_size;
			return 0;
		}
	}
	if (prm->auth != MP_AUTH_CHOICE_OUTPUT && caps->input_size) {
		a = pick_action(caps->input_actions, input_pref, sizeof(input_pref),
				prm->auth == MP_AUTH_CHOICE_INPUT ? prm->action : -1);
		if (a >= 0) {
			s->auth_method = MP_AUTH_INPUT;
			s->auth_action = (uint8_t)a;
			s->auth_size = caps->input_size;
			return 0;
		}
	}
	/* Only No OOB is left. A device that offers Static OOB can be
	 * authenticated, with its value: without one, say so rather than
	 * fall back silently (Capabilities are unauthenticated, so this is
	 * also what an impostor answering "no OOB" would get). */
	if (prm->auth == MP_AUTH_CHOICE_AUTO && (caps->oob_type & MP_OOB_TYPE_STATIC))
		return -ENOKEY;
	if (prm->auth != MP_AUTH_CHOICE_AUTO || only_oob)
		return -ENOTSUP;
	if (prm->require_auth)
		return -EACCES;
	s->auth_method = MP_AUTH_NONE;
	return 0;
}

int mp_prov_choose(const struct mp_prov_caps *caps, const struct mp_prov_params *prm,
		   struct mp_prov_start *s)
{
	int alg = choose_alg(caps, prm);

	if (alg < 0)
		return alg;
	memset(s, 0, sizeof(*s));
	s->algorithm = (uint8_t)alg;
	if (prm->pubkey_oob) {
		if (!(caps->pubkey_type & MP_PUBKEY_TYPE_OOB))
			return -ENOTSUP;
		s->pubkey_oob = 1;
	}
	return choose_auth(caps, prm, mp_prov_alg_len(alg), s);
}

/* ---- the steps ---- */

/* Both public keys are known: check the device's, compute ECDH. The checks
 * are those of the 2020 provisioning vulnerabilities (CVE-2020-26559,
 * -26560): a key off the curve, or our own key echoed back, ends it with
 * Invalid Format, as MshPRT v1.1 5.4.2.3 asks of the receiver of such a key. */
static bool derive_secret(struct mp_prov *p, const uint8_t dev_pub[64])
{
	if (!mp_ecc_public_valid(dev_pub) ||
	    mp_ct_equal(dev_pub, p->conf_inputs + CI_PUB_PROV, 64)) {
		fail(p, MP_PROV_ERR_INVALID_FORMAT);
		return false;
	}
	memcpy(p->conf_inputs + CI_PUB_DEV, dev_pub, 64);
	if (mp_ecdh(p->key, dev_pub, p->ecdh) < 0) {
		fail(p, MP_PROV_ERR_UNEXPECTED_ERROR);
		return false;
	}
	mp_ecc_key_free(p->key);	/* the private key is no longer needed */
	p->key = NULL;
	return true;
}

static void send_confirmation(struct mp_prov *p)
{
	struct mp_prov_pdu pdu = { .type = MP_PROV_CONFIRMATION };
	int err;

	/* A fresh Random for every attempt. MshPRT v1.1 5.4.2.4 */
	err = mp_rng_bytes(p->params.rng, p->random, p->vlen);
	if (!err)
		err = mp_prov_confirmation_key(&p->keys, p->start.algorithm, p->conf_inputs,
					       p->ecdh, p->auth);
	if (!err)
		err = mp_prov_confirmation(&p->keys, p->random, p->auth, p->confirmation);
	if (err) {
		finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, err, false);
		return;
	}
	memcpy(pdu.confirmation.value, p->confirmation, p->vlen);
	pdu.confirmation.len = (uint8_t)p->vlen;
	p->state = ST_WAIT_CONFIRM;
	if (send_pdu(p, &pdu))
		phase(p, MP_PHASE_CONFIRMATION);
}

/* Public keys exchanged: authenticate as chosen in Start. */
static void authenticate(struct mp_prov *p)
{
	struct mp_prov_event ev = { .type = MP_PROV_EV_PHASE, .phase = MP_PHASE_AUTH };
	bool numeric;
	int err;

	memset(p->auth, 0, sizeof(p->auth));
	switch (p->start.auth_method) {
	case MP_AUTH_NONE:
		break;
	case MP_AUTH_STATIC:
		/* Static OOB data is Binary: zero-padded to the AuthValue's
		 * length, or trimmed to it. MshPRT v1.1 5.4.2.4.1 */
		memcpy(p->auth, p->params.static_oob,
		       p->params.static_oob_len < p->vlen ? p->params.static_oob_len : p->vlen);
		break;
	case MP_AUTH_OUTPUT:
		p->state = ST_WAIT_OOB_OUTPUT;
		ev.type = MP_PROV_EV_OOB_OUTPUT;
		ev.oob.action = p->start.auth_action;
		ev.oob.size = p->start.auth_size;
		emit(p, &ev);
		return;
	case MP_AUTH_INPUT:
		numeric = mp_input_is_numeric(p->start.auth_action);
		err = mp_oob_random(p->params.rng, numeric, p->start.auth_size, p->oob_text);
		if (err) {
			finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, err, false);
			return;
		}
		mp_oob_auth_value(p->oob_text, numeric, p->auth, p->vlen);
		p->state = ST_WAIT_INPUT_DONE;
		ev.type = MP_PROV_EV_OOB_INPUT;
		ev.oob.action = p->start.auth_action;
		ev.oob.size = p->start.auth_size;
		ev.oob.value = p->oob_text;
		emit(p, &ev);
		return;
	}
	send_confirmation(p);
}

/* ---- received PDUs ---- */

typedef void (*rx_fn)(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
		      size_t len);

static void rx_caps(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
		    size_t len)
{
	struct mp_prov_event ev = { .type = MP_PROV_EV_CAPABILITIES };
	struct mp_prov_pdu out = { .type = MP_PROV_START };
	struct mp_prov_pdu pub = { .type = MP_PROV_PUBLIC_KEY };
	uint8_t start_pdu[6];
	int err;

	p->caps = pdu->caps;
	p->have_caps = true;
	memcpy(p->conf_inputs + CI_CAPS, raw + 1, 11);
	/* Each element takes an address, kept even if the device never
	 * completes: a bound on what one device may take (issue 12). */
	if (p->caps.elements > (p->params.max_elements ? p->params.max_elements :
				MP_PROV_DEFAULT_MAX_ELEMENTS)) {
		finish(p, MP_PROV_OK, -E2BIG, false);
		return;
	}
	err = mp_prov_choose(&p->caps, &p->params, &p->start);
	if (err) {
		finish(p, MP_PROV_OK, err, false);
		return;
	}
	p->vlen = mp_prov_alg_len(p->start.algorithm);
	out.start = p->start;
	if (mp_prov_pdu_encode(&out, start_pdu, sizeof(start_pdu)) != sizeof(start_pdu)) {
		finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, -EINVAL, false);
		return;
	}
	memcpy(p->conf_inputs + CI_START, start_pdu + 1, 5);

	ev.caps = &p->caps;
	ev.start = &p->start;
	emit(p, &ev);
	if (p->state == ST_DONE)
		return;

	p->state = ST_WAIT_PUBKEY;
	if (!send_pdu(p, &out))
		return;
	phase(p, MP_PHASE_START);
	mp_ecc_key_public(p->key, pub.public_key);
	memcpy(p->conf_inputs + CI_PUB_PROV, pub.public_key, 64);
	if (!send_pdu(p, &pub))
		return;
	if (p->start.pubkey_oob) {
		/* The device does not send its key: we have it out of band. */
		if (!derive_secret(p, p->params.device_public_key))
			return;
		phase(p, MP_PHASE_PUBLIC_KEY);
		authenticate(p);
	}
}

static void rx_pubkey(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
		      size_t len)
{
	if (p->start.pubkey_oob) {
		fail(p, MP_PROV_ERR_UNEXPECTED_PDU);
		return;
	}
	if (!derive_secret(p, pdu->public_key))
		return;
	phase(p, MP_PHASE_PUBLIC_KEY);
	authenticate(p);
}

static void rx_input_complete(struct mp_prov *p, const struct mp_prov_pdu *pdu,
			      const uint8_t *raw, size_t len)
{
	send_confirmation(p);
}

static void rx_confirmation(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
			    size_t len)
{
	struct mp_prov_pdu out = { .type = MP_PROV_RANDOM };

	if (pdu->confirmation.len != p->vlen) {
		fail(p, MP_PROV_ERR_INVALID_FORMAT);
		return;
	}
	/* A device that reflects our own Confirmation is an attacker who
	 * could then brute-force the AuthValue from our Random (CVE-2020-26560):
	 * Invalid Format, as MshPRT v1.1 5.4.2.4.2 says. */
	if (mp_ct_equal(pdu->confirmation.value, p->confirmation, p->vlen)) {
		fail(p, MP_PROV_ERR_INVALID_FORMAT);
		return;
	}
	memcpy(p->dev_confirmation, pdu->confirmation.value, p->vlen);
	memcpy(out.random.value, p->random, p->vlen);
	out.random.len = (uint8_t)p->vlen;
	p->state = ST_WAIT_RANDOM;
	if (send_pdu(p, &out))
		phase(p, MP_PHASE_RANDOM);
}

static void rx_random(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
		      size_t len)
{
	struct mp_prov_event ev = { .type = MP_PROV_EV_DATA_NEEDED };
	uint8_t expect[32];
	bool ok;
	int err;

	if (pdu->random.len != p->vlen) {
		fail(p, MP_PROV_ERR_INVALID_FORMAT);
		return;
	}
	if (mp_ct_equal(pdu->random.value, p->random, p->vlen)) {
		fail(p, MP_PROV_ERR_CONFIRMATION_FAILED);	/* reflected Random */
		return;
	}
	err = mp_prov_confirmation(&p->keys, pdu->random.value, p->auth, expect);
	ok = !err && mp_ct_equal(expect, p->dev_confirmation, p->vlen);
	mp_wipe(expect, sizeof(expect));
	if (!ok) {
		fail(p, MP_PROV_ERR_CONFIRMATION_FAILED);
		return;
	}
	err = mp_prov_session_keys(&p->keys, p->random, pdu->random.value, p->ecdh);
	if (err) {
		finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, err, false);
		return;
	}
	mp_wipe(p->ecdh, sizeof(p->ecdh));
	mp_wipe(p->auth, sizeof(p->auth));
	p->state = ST_WAIT_DATA_ARGS;
	ev.caps = &p->caps;
	ev.device_key = p->keys.device_key;
	emit(p, &ev);
}

static void rx_complete(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
			size_t len)
{
	phase(p, MP_PHASE_COMPLETE);
	if (p->state != ST_DONE)
		finish(p, MP_PROV_OK, 0, false);
}

static void rx_failed(struct mp_prov *p, const struct mp_prov_pdu *pdu, const uint8_t *raw,
		      size_t len)
{
	finish(p, pdu->error, 0, true);
}

/* What the device may send, and when. MshPRT v1.1 5.4.2; anything else is
 * an Unexpected PDU (5.4.4). Provisioning Failed is accepted at any time. */
static const struct {
	rx_fn fn;
	uint32_t states;
} rx_table[MP_PROV_PDU_TYPES] = {
	[MP_PROV_CAPABILITIES] = { rx_caps, BIT(ST_WAIT_CAPS) },
	[MP_PROV_PUBLIC_KEY] = { rx_pubkey, BIT(ST_WAIT_PUBKEY) },
	[MP_PROV_INPUT_COMPLETE] = { rx_input_complete, BIT(ST_WAIT_INPUT_DONE) },
	[MP_PROV_CONFIRMATION] = { rx_confirmation, BIT(ST_WAIT_CONFIRM) },
	[MP_PROV_RANDOM] = { rx_random, BIT(ST_WAIT_RANDOM) },
	[MP_PROV_COMPLETE] = { rx_complete, BIT(ST_WAIT_COMPLETE) },
	[MP_PROV_FAILED] = { rx_failed, ~(BIT(ST_IDLE) | BIT(ST_DONE)) },
};

void mp_prov_rx(struct mp_prov *p, const uint8_t *raw, size_t len)
{
	struct mp_prov_pdu pdu;
	enum mp_prov_err err;

	if (p->state == ST_DONE || p->state == ST_IDLE)
		return;
	err = mp_prov_pdu_decode(raw, len, &pdu);
	if (err != MP_PROV_OK) {
		fail(p, err);
		return;
	}
	if (!rx_table[pdu.type].fn || !(rx_table[pdu.type].states & BIT(p->state))) {
		fail(p, MP_PROV_ERR_UNEXPECTED_PDU);
		return;
	}
	p->ops->timer(p->user, MP_PROV_TIMEOUT_MS);
	rx_table[pdu.type].fn(p, &pdu, raw, len);
}

/* ---- the caller's side ---- */

struct mp_prov *mp_prov_new(const struct mp_prov_params *params, const struct mp_prov_ops *ops,
			    void *user)
{
	struct mp_prov *p;

	if (params->static_oob_len != 0 && params->static_oob_len != 16 &&
	    params->static_oob_len != 32) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->params = *params;
	p->ops = ops;
	p->user = user;
	return p;
}

void mp_prov_free(struct mp_prov *p)
{
	if (!p)
		return;
	wipe_secrets(p);
	mp_wipe(p->params.static_oob, sizeof(p->params.static_oob));
	free(p);
}

int mp_prov_start(struct mp_prov *p)
{
	struct mp_prov_pdu pdu = { .type = MP_PROV_INVITE, .attention = p->params.attention };
	int err;

	if (p->state != ST_IDLE)
		return -EALREADY;
	/* A fresh key pair for every attempt: reusing one across attempts
	 * lets an attacker learn the AuthValue (CVE-2020-26556). */
	err = mp_ecc_key_generate(p->params.rng, &p->key);
	if (err)
		return err;
	p->conf_inputs[CI_INVITE] = p->params.attention;
	p->state = ST_WAIT_CAPS;
	if (send_pdu(p, &pdu))
		phase(p, MP_PHASE_INVITE);
	return 0;
}

void mp_prov_timeout(struct mp_prov *p)
{
	finish(p, MP_PROV_OK, -ETIMEDOUT, false);
}

void mp_prov_cancel(struct mp_prov *p, int errnum)
{
	finish(p, MP_PROV_OK, errnum < 0 ? errnum : -ECANCELED, false);
}

int mp_prov_oob_enter(struct mp_prov *p, const char *text)
{
	bool numeric = mp_output_is_numeric(p->start.auth_action);
	char canon[MP_OOB_TEXT_MAX];

	if (p->state != ST_WAIT_OOB_OUTPUT)
		return -EALREADY;
	if (mp_oob_parse(text, numeric, p->start.auth_size, canon) < 0)
		return -EINVAL;
	mp_oob_auth_value(canon, numeric, p->auth, p->vlen);
	mp_wipe(canon, sizeof(canon));
	send_confirmation(p);
	return 0;
}

int mp_prov_send_data(struct mp_prov *p, const struct mp_prov_data *d)
{
	struct mp_prov_pdu pdu = { .type = MP_PROV_DATA };
	uint8_t plain[MP_PROV_DATA_LEN];
	int err;

	if (p->state != ST_WAIT_DATA_ARGS)
		return -EALREADY;
	/* A unicast address with room for every element: MshPRT v1.1 3.4.2.2 */
	if (d->unicast == 0 || d->unicast + p->caps.elements - 1 > 0x7fff)
		return -EINVAL;
	memcpy(plain, d->net_key, 16);
	mp_store_be16(plain + 16, d->key_index);
	plain[18] = d->flags;
	mp_store_be32(plain + 19, d->iv_index);
	mp_store_be16(plain + 23, d->unicast);
	err = mp_prov_data_encrypt(&p->keys, plain, pdu.data.encrypted, pdu.data.mic);
	mp_wipe(plain, sizeof(plain));
	if (err) {
		finish(p, MP_PROV_ERR_UNEXPECTED_ERROR, err, false);
		return 0;
	}
	p->state = ST_WAIT_COMPLETE;
	if (send_pdu(p, &pdu))
		phase(p, MP_PHASE_DATA);
	return 0;
}

bool mp_prov_finished(const struct mp_prov *p)
{
	return p->state == ST_DONE;
}

const struct mp_prov_start *mp_prov_chosen(const struct mp_prov *p)
{
	return &p->start;
}

const struct mp_prov_caps *mp_prov_caps(const struct mp_prov *p)
{
	return p->have_caps ? &p->caps : NULL;
}

const char *mp_prov_phase_name(enum mp_prov_phase phase)
{
	static const char *const names[] = {
		[MP_PHASE_INVITE] = "invite", [MP_PHASE_CAPABILITIES] = "capabilities",
		[MP_PHASE_START] = "start", [MP_PHASE_PUBLIC_KEY] = "public-key",
		[MP_PHASE_AUTH] = "authentication", [MP_PHASE_CONFIRMATION] = "confirmation",
		[MP_PHASE_RANDOM] = "random", [MP_PHASE_DATA] = "data",
		[MP_PHASE_COMPLETE] = "complete",
	};

	return (unsigned int)phase < sizeof(names) / sizeof(names[0]) && names[phase] ?
	       names[phase] : "unknown";
}
