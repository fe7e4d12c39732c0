/* Fuzz target: a provisioner against a device side that can answer
 * correctly, fed a sequence of device PDUs, some forged by the fuzzer and
 * some computed by this harness so that the Confirmation check passes and
 * the later states (random check, data, complete) are reached.
 *
 * The device side is computed here with the tree's crypto, from a fixed
 * device key pair (the sample private key of MshPRT v1.1 8.17) and the
 * provisioner's own values as it sends them: its Invite, Start, Public Key
 * and Random, the Capabilities it accepted, and the OOB value it used.
 *
 * Input: two configuration octets, then records introduced by a header h.
 *   octet 0: bit 0 static OOB value of 32 octets (else 16); bits 1-3 the
 *            authentication choice (modulo 5; 5 to 7 also mean no static
 *            OOB value given); bits 4-5 the algorithm
 *            choice (modulo 3); bit 6 Public Key OOB (the device's key
 *            given to the provisioner); bit 7 require_auth.
 *   octet 1: bit 0 do not answer Output OOB by itself; bit 1 do not supply
 *            the Provisioning Data by itself; bits 2-3 the unicast address
 *            supplied (1, 0, 0x7fff, 0x0100); bits 4-6 the send callback
 *            fails on that send (0: never); bit 7 max_elements 4 (else the
 *            default).
 *   h < 0x80   a raw PDU of h octets follows (a short last one as it is).
 *   h >= 0x80  an operation h & 0x0f, its PDU (if any) altered by mutation
 *              (h >> 4) & 7; operands follow as needed:
 *     0 Capabilities of profile k (one operand octet, see caps_of());
 *     1 Public Key, the device's; 2 Input Complete;
 *     3 Confirmation, correct for what was exchanged;
 *     4 Random, the device's; 5 Complete; 6 Failed (operand: the code);
 *     7 the protocol timer expires; 8 the caller cancels;
 *     9 mp_prov_oob_enter() with n octets of text (operands n, text);
 *     10 the provisioner's own Confirmation reflected; 11 its Random
 *     reflected; 12 its Public Key reflected;
 *     13 mp_prov_send_data() (again, or when not awaited);
 *     14, 15 a PDU of each type 0x00-0x0a in turn (operand: the type).
 *   mutations: 0 none; 1 xor (operands: index, mask); 2 truncate (operand:
 *   new length modulo the length); 3 append (operand: the octet);
 *   4 change the type (operand); 5-7 none.
 *
 * Invariants (abort() on violation): DONE is reported at most once and
 * nothing is sent after it; the provisioner asks for the Provisioning Data
 * only after the Confirmation and Random this harness computed, both unaltered,
 * and then with the Device Key the device derives too; success comes only
 * after Data was sent and a Complete received; mp_prov_send_data() accepts
 * exactly the addresses with room for every element.
 *
 * The seed corpus (tests/fuzz/corpus/provisioner/) holds whole runs for
 * each method and algorithm, written by tests/fuzz/gen-provisioner-seeds.py.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "prov/auth.h"
#include "prov/pdu.h"
#include "prov/provisioner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MshPRT v1.1 8.17: the device's private key */
static const uint8_t dev_priv[32] = {
	0x52, 0x9a, 0xa0, 0x67, 0x0d, 0x72, 0xcd, 0x64, 0x97, 0x50, 0x2e, 0xd4, 0x73, 0x50, 0x2b, 0x03,
	0x7e, 0x88, 0x03, 0xb5, 0xc6, 0x08, 0x29, 0xa5, 0xa3, 0xca, 0xa2, 0x19, 0x50, 0x55, 0x30, 0xba,
};

/* The device's key pair and the ECDH secret with the provisioner's key,
 * which is the same in every run (the random source is fixed): computed
 * once per process. */
static struct mp_ecc_key *dev_key;
static uint8_t dev_pub[64];
static uint8_t cached_prov_pub[64], cached_ecdh[32];
static bool have_ecdh;

struct fz {
	struct mp_prov *prov;
	struct mp_prov_params prm;
	uint8_t cfg2;
	int done, sent_after_done, sends;
	bool data_needed, data_sent, ok;

	/* what the provisioner sent */
	uint8_t invite_att;
	uint8_t start[5];
	bool have_start;
	uint8_t prov_pub[64];
	bool have_prov_pub;
	uint8_t prov_conf[32], prov_random[32];
	size_t prov_conf_len, prov_random_len;

	/* what it was fed */
	uint8_t last_rx[128];
	size_t last_rx_len;
	uint8_t caps[11];
	bool conf_valid, random_valid;	/* the last ones fed were ours, unaltered */
	bool fed_complete;

	/* the OOB value both sides use */
	char oob_text[MP_OOB_TEXT_MAX];
	bool oob_numeric, have_oob;
};

static int fz_rand(void *ctx, uint8_t *out, size_t n)
{
	memset(out, 0x5a, n);	/* a valid P-256 scalar, and fixed values */
	return 0;
}

static const struct mp_rng fz_rng = { fz_rand, NULL };

static int fz_send(void *user, const uint8_t *pdu, size_t len)
{
	struct fz *f = user;

	if (f->done)
		f->sent_after_done++;
	f->sends++;
	if (((f->cfg2 >> 4) & 7) == f->sends)
		return -EIO;
	if (len < 1)
		abort();
	switch (pdu[0]) {
	case MP_PROV_INVITE:
		if (len == 2)
			f->invite_att = pdu[1];
		break;
	case MP_PROV_START:
		if (len != 6)
			abort();
		memcpy(f->start, pdu + 1, 5);
		f->have_start = true;
		break;
	case MP_PROV_PUBLIC_KEY:
		if (len != 65)
			abort();
		memcpy(f->prov_pub, pdu + 1, 64);
		f->have_prov_pub = true;
		break;
	case MP_PROV_CONFIRMATION:
		f->prov_conf_len = len - 1 < 32 ? len - 1 : 32;
		memcpy(f->prov_conf, pdu + 1, f->prov_conf_len);
		break;
	case MP_PROV_RANDOM:
		f->prov_random_len = len - 1 < 32 ? len - 1 : 32;
		memcpy(f->prov_random, pdu + 1, f->prov_random_len);
		break;
	case MP_PROV_DATA:
		f->data_sent = true;
		break;
	default:
		abort();	/* a provisioner sends nothing else */
	}
	return 0;
}

static size_t vlen_of(const struct fz *f)
{
	return f->have_start && f->start[0] == MP_ALG_HMAC ? 32 : 16;
}

/* The device's Random: anything but the provisioner's. */
static void dev_random(const struct fz *f, uint8_t *out)
{
	memset(out, 0x33, vlen_of(f));
}

/* The AuthValue the device uses, from the method in Start. */
static void dev_auth(const struct fz *f, uint8_t auth[32])
{
	size_t vlen = vlen_of(f);

	memset(auth, 0, 32);
	switch (f->have_start ? f->start[2] : MP_AUTH_NONE) {
	case MP_AUTH_STATIC:
		memcpy(auth, f->prm.static_oob, f->prm.static_oob_len < vlen ?
		       f->prm.static_oob_len : vlen);
		break;
	case MP_AUTH_OUTPUT:
	case MP_AUTH_INPUT:
		if (f->have_oob)
			mp_oob_auth_value(f->oob_text, f->oob_numeric, auth, vlen);
		break;
	default:
		break;
	}
}

/* The device's session: ConfirmationKey (and, with the provisioner's
 * Random, the session keys). False when the exchange is not far enough. */
static bool dev_keys(struct fz *f, struct mp_prov_keys *k, uint8_t auth[32])
{
	uint8_t inputs[MP_CONF_INPUTS_LEN];
	bool ok;

	if (!f->have_start || !f->have_prov_pub)
		return false;
	if (!have_ecdh || memcmp(cached_prov_pub, f->prov_pub, 64)) {
		if (!mp_ecc_public_valid(f->prov_pub) ||
		    mp_ecdh(dev_key, f->prov_pub, cached_ecdh) < 0)
			abort();	/* the provisioner's key is always valid */
		memcpy(cached_prov_pub, f->prov_pub, 64);
		have_ecdh = true;
	}
	inputs[0] = f->invite_att;
	memcpy(inputs + 1, f->caps, 11);
	memcpy(inputs + 12, f->start, 5);
	memcpy(inputs + 17, f->prov_pub, 64);
	memcpy(inputs + 81, dev_pub, 64);
	dev_auth(f, auth);
	ok = mp_prov_confirmation_key(k, f->start[0] == MP_ALG_HMAC ? MP_ALG_HMAC : MP_ALG_CMAC,
				      inputs, cached_ecdh, auth) == 0;
	return ok;
}

/* The Capabilities of profile @k: bits 0-2 the methods, bit 3 HMAC too,
 * bit 4 an OOB public key, bits 5-7 elements - 1. */
static void caps_of(uint8_t k, struct mp_prov_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->elements = (uint8_t)(1 + (k >> 5));
	c->algorithms = MP_ALG_BIT_CMAC | (k & 8 ? MP_ALG_BIT_HMAC : 0);
	c->pubkey_type = k & 16 ? MP_PUBKEY_TYPE_OOB : 0;
	switch (k & 7) {
	case 0:
		break;
	case 1:
		c->oob_type = MP_OOB_TYPE_STATIC;
		break;
	case 2:
		c->output_size = 4;
		c->output_actions = 1u << MP_OUTPUT_NUMERIC;
		break;
	case 3:
		c->output_size = 6;
		c->output_actions = 1u << MP_OUTPUT_ALPHANUMERIC;
		break;
	case 4:
		c->input_size = 3;
		c->input_actions = 1u << MP_INPUT_NUMERIC;
		break;
	case 5:
		c->input_size = 8;
		c->input_actions = 1u << MP_INPUT_ALPHANUMERIC;
		break;
	case 6:
		c->oob_type = MP_OOB_TYPE_ONLY_OOB;
		c->output_size = 2;
		c->output_actions = 1u << MP_OUTPUT_BLINK | 1u << MP_OUTPUT_BEEP;
		c->input_size = 1;
		c->input_actions = 1u << MP_INPUT_PUSH | 1u << MP_INPUT_TWIST;
		break;
	case 7:
		c->oob_type = MP_OOB_TYPE_STATIC | MP_OOB_TYPE_ONLY_OOB;
		c->output_size = 8;
		c->output_actions = 0x1f;
		c->input_size = 8;
		c->input_actions = 0x0f;
		break;
	}
}

static void fz_event(void *user, const struct mp_prov_event *ev)
{
	struct fz *f = user;
	struct mp_prov_data d = { .iv_index = 1 };
	static const uint16_t unicasts[] = { 1, 0, 0x7fff, 0x0100 };
	struct mp_prov_keys k;
	uint8_t auth[32], rnd[32];
	bool room;
	int r;

	switch (ev->type) {
	case MP_PROV_EV_PHASE:
		if (!mp_prov_phase_name(ev->phase)[0])
			abort();
		break;
	case MP_PROV_EV_DONE:
		f->done++;
		if (ev->err == MP_PROV_OK && ev->errnum == 0) {
			if (!f->data_sent || !f->fed_complete || !ev->device_key)
				abort();
			f->ok = true;
		}
		break;
	case MP_PROV_EV_CAPABILITIES:
		/* the Capabilities just fed are those the provisioner took */
		if (f->last_rx_len != 12 || f->last_rx[0] != MP_PROV_CAPABILITIES)
			abort();
		memcpy(f->caps, f->last_rx + 1, 11);
		if (!mp_prov_caps(f->prov) || !ev->start ||
		    memcmp(mp_prov_chosen(f->prov), ev->start, sizeof(*ev->start)))
			abort();
		break;
	case MP_PROV_EV_OOB_OUTPUT:
		f->oob_numeric = mp_output_is_numeric(ev->oob.action);
		if (f->oob_numeric)
			strcpy(f->oob_text, "1");
		else if (ev->oob.size >= 1 && ev->oob.size < MP_OOB_TEXT_MAX) {
			memset(f->oob_text, 'A', ev->oob.size);
			f->oob_text[ev->oob.size] = '\0';
		}
		f->have_oob = true;
		if (!(f->cfg2 & 1) && mp_prov_oob_enter(f->prov, f->oob_text) != 0)
			abort();
		break;
	case MP_PROV_EV_OOB_INPUT:
		if (!ev->oob.value || strlen(ev->oob.value) >= MP_OOB_TEXT_MAX)
			abort();
		strcpy(f->oob_text, ev->oob.value);
		f->oob_numeric = mp_input_is_numeric(ev->oob.action);
		f->have_oob = true;
		break;
	case MP_PROV_EV_DATA_NEEDED:
		/* The random check passed: only with our own two PDUs, and
		 * the Device Key is the device's. MshPRT v1.1 5.4.2.5 */
		if (!f->conf_valid || !f->random_valid || !ev->device_key || !ev->caps)
			abort();
		dev_random(f, rnd);
		if (!dev_keys(f, &k, auth) ||
		    mp_prov_session_keys(&k, f->prov_random, rnd, cached_ecdh) < 0 ||
		    memcmp(k.device_key, ev->device_key, 16))
			abort();
		mp_prov_keys_wipe(&k);
		f->data_needed = true;
		if (f->cfg2 & 2)
			break;
		d.unicast = unicasts[(f->cfg2 >> 2) & 3];
		room = d.unicast && d.unicast + ev->caps->elements - 1 <= 0x7fff;
		r = mp_prov_send_data(f->prov, &d);
		if (room ? r != 0 : r != -EINVAL)
			abort();
		break;
	default:
		break;
	}
}

static void fz_timer(void *user, uint32_t ms)
{
}

static const struct mp_prov_ops fz_ops = { fz_send, fz_event, fz_timer };

/* An operand octet, 0 past the end. */
static uint8_t operand(const uint8_t *data, size_t size, size_t *off)
{
	return *off < size ? data[(*off)++] : 0;
}

static void feed(struct fz *f, const uint8_t *pdu, size_t len)
{
	f->last_rx_len = len < sizeof(f->last_rx) ? len : sizeof(f->last_rx);
	memcpy(f->last_rx, pdu, f->last_rx_len);
	if (len >= 1 && pdu[0] == MP_PROV_COMPLETE)
		f->fed_complete = true;
	mp_prov_rx(f->prov, pdu, len);
}

/* One operation of the input; returns false at the end. */
static bool step(struct fz *f, const uint8_t *data, size_t size, size_t *off)
{
	struct mp_prov_pdu pdu = { 0 };
	struct mp_prov_keys k;
	uint8_t buf[128], auth[32], rnd[32], h, op, mut, b, c;
	size_t len = 0, n;
	bool ours = false;
	int r;

	if (*off >= size)
		return false;
	h = data[(*off)++];
	if (h < 0x80) {
		n = h < size - *off ? h : size - *off;
		memcpy(buf, data + *off, n);
		*off += n;
		f->conf_valid = f->conf_valid && !(n && buf[0] == MP_PROV_CONFIRMATION);
		f->random_valid = f->random_valid && !(n && buf[0] == MP_PROV_RANDOM);
		feed(f, buf, n);
		return true;
	}
	op = h & 0x0f;
	mut = (h >> 4) & 7;
	switch (op) {
	case 0:
		pdu.type = MP_PROV_CAPABILITIES;
		caps_of(operand(data, size, off), &pdu.caps);
		break;
	case 1:
		pdu.type = MP_PROV_PUBLIC_KEY;
		memcpy(pdu.public_key, dev_pub, 64);
		break;
	case 2:
		pdu.type = MP_PROV_INPUT_COMPLETE;
		break;
	case 3:
		pdu.type = MP_PROV_CONFIRMATION;
		pdu.confirmation.len = (uint8_t)vlen_of(f);
		dev_random(f, rnd);
		if (dev_keys(f, &k, auth)) {
			if (mp_prov_confirmation(&k, rnd, auth, pdu.confirmation.value) < 0)
				abort();
			ours = true;
		}
		mp_prov_keys_wipe(&k);
		break;
	case 4:
		pdu.type = MP_PROV_RANDOM;
		pdu.random.len = (uint8_t)vlen_of(f);
		dev_random(f, pdu.random.value);
		ours = true;
		break;
	case 5:
		pdu.type = MP_PROV_COMPLETE;
		break;
	case 6:
		pdu.type = MP_PROV_FAILED;
		pdu.error = operand(data, size, off);
		break;
	case 7:
		mp_prov_timeout(f->prov);
		return true;
	case 8:
		mp_prov_cancel(f->prov, -(int)operand(data, size, off));
		return true;
	case 9: {
		char text[32];

		n = operand(data, size, off) % sizeof(text);
		n = n < size - *off ? n : size - *off;
		memcpy(text, data + *off, n);
		text[n] = '\0';
		*off += n;
		r = mp_prov_oob_enter(f->prov, text);
		if (r != 0 && r != -EINVAL && r != -EALREADY)
			abort();
		if (r == 0) {
			/* the provisioner took it: the device "showed" it */
			mp_oob_parse(text, f->oob_numeric, f->have_start ? f->start[4] : 0,
				     f->oob_text);
		}
		return true;
	}
	case 10:
		pdu.type = MP_PROV_CONFIRMATION;
		pdu.confirmation.len = (uint8_t)f->prov_conf_len;
		memcpy(pdu.confirmation.value, f->prov_conf, f->prov_conf_len);
		break;
	case 11:
		pdu.type = MP_PROV_RANDOM;
		pdu.random.len = (uint8_t)f->prov_random_len;
		memcpy(pdu.random.value, f->prov_random, f->prov_random_len);
		break;
	case 12:
		pdu.type = MP_PROV_PUBLIC_KEY;
		memcpy(pdu.public_key, f->prov_pub, 64);
		break;
	case 13: {
		struct mp_prov_data d = { .unicast = 2 };

		r = mp_prov_send_data(f->prov, &d);
		if (r != 0 && r != -EALREADY && r != -EINVAL)
			abort();
		return true;
	}
	default:
		/* a well-formed PDU of any type, even the provisioner's */
		pdu.type = operand(data, size, off) % MP_PROV_PDU_TYPES;
		pdu.confirmation.len = (uint8_t)vlen_of(f);
		pdu.random.len = (uint8_t)vlen_of(f);
		memcpy(pdu.public_key, dev_pub, 64);
		pdu.start.algorithm = MP_ALG_CMAC;
		break;
	}
	r = mp_prov_pdu_encode(&pdu, buf, sizeof(buf));
	if (r < 0) {
		/* e.g. a reflected Confirmation before there is one */
		buf[0] = pdu.type;
		r = 1;
	}
	len = (size_t)r;
	switch (mut) {
	case 1:
		b = operand(data, size, off);
		c = operand(data, size, off);
		buf[b % len] ^= c;
		ours = ours && !c;
		break;
	case 2:
		n = operand(data, size, off) % len;
		ours = ours && n == len;
		len = n;
		break;
	case 3:
		buf[len++] = operand(data, size, off);
		ours = false;
		break;
	case 4:
		b = operand(data, size, off);
		ours = ours && b == buf[0];
		buf[0] = b;
		break;
	default:
		break;
	}
	if (len && buf[0] == MP_PROV_CONFIRMATION)
		f->conf_valid = ours && op == 3;
	if (len && buf[0] == MP_PROV_RANDOM)
		f->random_valid = ours && op == 4;
	feed(f, buf, len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { 0 };
	uint8_t cfg;
	size_t off = 2;

	if (!dev_key) {
		if (mp_ecc_key_from_private(dev_priv, &dev_key) < 0)
			abort();
		mp_ecc_key_public(dev_key, dev_pub);
	}
	cfg = size > 0 ? data[0] : 0;
	f.cfg2 = size > 1 ? data[1] : 0;
	f.prm.action = -1;
	f.prm.rng = &fz_rng;
	f.prm.static_oob_len = ((cfg >> 1) & 7) >= 5 ? 0 : cfg & 1 ? 32 : 16;
	memset(f.prm.static_oob, 0x11, f.prm.static_oob_len);
	f.prm.auth = (enum mp_auth_choice)(((cfg >> 1) & 7) % 5);
	f.prm.alg = (enum mp_alg_choice)(((cfg >> 4) & 3) % 3);
	f.prm.pubkey_oob = cfg & 0x40;
	memcpy(f.prm.device_public_key, dev_pub, 64);
	f.prm.require_auth = cfg & 0x80;
	f.prm.max_elements = f.cfg2 & 0x80 ? 4 : 0;
	f.prov = mp_prov_new(&f.prm, &fz_ops, &f);
	if (!f.prov)
		abort();
	if (mp_prov_start(f.prov) != 0 || mp_prov_start(f.prov) != -EALREADY)
		abort();
	while (step(&f, data, size, &off))
		;
	if (f.done > 1 || f.sent_after_done)
		abort();
	if ((f.ok && !f.data_needed) || mp_prov_finished(f.prov) != (f.done == 1))
		abort();
	mp_prov_free(f.prov);
	return 0;
}
