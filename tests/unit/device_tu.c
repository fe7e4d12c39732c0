/* Helpers shared by the simulated device's tests (test_device.c,
 * test_device_flows.c): see device_tu.h. */
#include "device_tu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* ---- A scripted random source: each draw must have the documented size ---- */

static int script_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct dtu_script *s = ctx;

	if (s->pos >= s->n)
		fail_msg("unexpected draw of %zu octets from the random source", n);
	if (n != s->len[s->pos])
		fail_msg("draw %d: %zu octets asked, script has %zu", s->pos, n, s->len[s->pos]);
	memcpy(out, s->data[s->pos], n);
	s->pos++;
	return 0;
}

void dtu_script_add(struct dtu_script *s, const uint8_t *b, size_t n)
{
	assert_true(s->n < DTU_SCRIPT_MAX && n <= sizeof(s->data[0]));
	memcpy(s->data[s->n], b, n);
	s->len[s->n++] = n;
}

void dtu_script_add_hex(struct dtu_script *s, const char *hex)
{
	uint8_t b[64];

	dtu_script_add(s, b, tu_unhex(hex, b, sizeof(b)));
}

/* ---- What the device emits ---- */

struct dtu_cap dtu_cap;

static void cb_send(void *user, const uint8_t *pdu, size_t len)
{
	assert_ptr_equal(user, &dtu_cap);
	if (dtu_cap.n >= DTU_MAX_PDUS)
		fail_msg("too many PDUs");
	assert_true(len <= sizeof(dtu_cap.pdu[0]));
	memcpy(dtu_cap.pdu[dtu_cap.n], pdu, len);
	dtu_cap.len[dtu_cap.n++] = len;
}

static void cb_attention(void *user, uint8_t seconds)
{
	if (dtu_cap.n_attention < 8)
		dtu_cap.attention[dtu_cap.n_attention] = seconds;
	dtu_cap.n_attention++;
}

static void cb_output(void *user, enum mp_output_action action, const char *text)
{
	snprintf(dtu_cap.output, sizeof(dtu_cap.output), "%s", text);
	dtu_cap.output_action = action;
	dtu_cap.output_at = dtu_cap.n;
	dtu_cap.n_output++;
}

static void cb_input(void *user, enum mp_input_action action, uint8_t size)
{
	dtu_cap.input_action = action;
	dtu_cap.input_size = size;
	dtu_cap.input_at = dtu_cap.n;
	dtu_cap.n_input++;
	if (dtu_cap.auto_input)
		dtu_cap.auto_input_ret = mp_sim_device_input(dtu_cap.dev, dtu_cap.auto_input);
}

static void cb_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *r)
{
	dtu_cap.done_count++;
	dtu_cap.done_err = err;
	dtu_cap.done_result = r != NULL;
	if (r)
		dtu_cap.result = *r;
	if (dtu_cap.reset_in_done)
		assert_int_equal(mp_sim_device_reset(dtu_cap.dev), 0);
}

void dtu_config_init(struct mp_sim_device_config *cfg, struct dtu_script *s)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(s, 0, sizeof(*s));
	s->rng.bytes = script_bytes;
	s->rng.ctx = s;
	memset(cfg->uuid, 0x5a, sizeof(cfg->uuid));
	cfg->caps.elements = 1;
	cfg->caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
	cfg->rng = NULL;
	cfg->cb.send = cb_send;
	cfg->cb.attention = cb_attention;
	cfg->cb.output_oob = cb_output;
	cfg->cb.input_oob = cb_input;
	cfg->cb.done = cb_done;
	cfg->cb.user = &dtu_cap;
}

struct mp_sim_device *dtu_new_dev(const struct mp_sim_device_config *cfg)
{
	struct mp_sim_device *d = NULL;

	memset(&dtu_cap, 0, sizeof(dtu_cap));
	assert_int_equal(mp_sim_device_new(cfg, &d), 0);
	assert_non_null(d);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_IDLE);
	dtu_cap.dev = d;
	return d;
}

const uint8_t *dtu_last_pdu(void)
{
	assert_true(dtu_cap.n > 0);
	return dtu_cap.pdu[dtu_cap.n - 1];
}

int dtu_rx_hex(struct mp_sim_device *d, const char *hex)
{
	uint8_t b[128];
	size_t n = tu_unhex(hex, b, sizeof(b));

	return mp_sim_device_rx(d, b, n);
}

void dtu_assert_failed(struct mp_sim_device *d, int ret, enum mp_prov_err code)
{
	const uint8_t want[2] = { MP_PROV_FAILED, (uint8_t)code };
	uint8_t any[2] = { MP_PROV_INVITE, 0 };
	int sent;

	assert_int_equal(ret, code);
	assert_int_equal(dtu_cap.len[dtu_cap.n - 1], 2);
	tu_assert_bytes(dtu_last_pdu(), want, 2);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_FAILED);
	assert_int_equal(mp_sim_device_error(d), code);
	assert_int_equal(dtu_cap.done_count, 1);
	assert_int_equal(dtu_cap.done_err, code);
	assert_false(dtu_cap.done_result);
	sent = dtu_cap.n;
	assert_int_equal(mp_sim_device_rx(d, any, sizeof(any)), -ESHUTDOWN);
	assert_int_equal(mp_sim_device_input(d, "1"), -EPERM);
	assert_int_equal(dtu_cap.n, sent);
	assert_int_equal(dtu_cap.done_count, 1);
}

/* ---- The specification's sample runs ---- */

size_t dtu_vhex(const char *sample, const char *field, uint8_t *out, size_t cap_)
{
	char path[128];

	snprintf(path, sizeof(path), "%s.%s", sample, field);
	return tu_hex(tu_vectors(), path, out, cap_);
}

static size_t vpdu(uint8_t *out, size_t cap_, uint8_t type, const char *sample, const char *f1,
		   const char *f2)
{
	size_t n = 1;

	out[0] = type;
	if (f1)
		n += dtu_vhex(sample, f1, out + n, cap_ - n);
	if (f2)
		n += dtu_vhex(sample, f2, out + n, cap_ - n);
	return n;
}

void dtu_load_sample(struct dtu_sample *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	assert_int_equal(vpdu(s->invite, 2, 0x00, name, "invite_pdu_value", NULL), 2);
	assert_int_equal(vpdu(s->caps, 12, 0x01, name, "capabilities_pdu_value", NULL), 12);
	assert_int_equal(vpdu(s->start, 6, 0x02, name, "start_pdu_value", NULL), 6);
	assert_int_equal(vpdu(s->ppub, 65, 0x03, name, "provisioner_public_key_x",
			      "provisioner_public_key_y"), 65);
	assert_int_equal(vpdu(s->dpub, 65, 0x03, name, "device_public_key_x",
			      "device_public_key_y"), 65);
	s->alen = dtu_vhex(name, "random_device", s->rand_dev, sizeof(s->rand_dev));
	assert_int_equal(vpdu(s->pconf, 33, 0x05, name, "confirmation_provisioner", NULL),
			 1 + s->alen);
	assert_int_equal(vpdu(s->dconf, 33, 0x05, name, "confirmation_device", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->prand, 33, 0x06, name, "random_provisioner", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->drand, 33, 0x06, name, "random_device", NULL), 1 + s->alen);
	assert_int_equal(vpdu(s->data, 34, 0x07, name, "encrypted_provisioning_data",
			      "provisioning_data_mic"), 34);
	assert_int_equal(dtu_vhex(name, "device_private_key", s->dev_priv, 32), 32);
	assert_int_equal(dtu_vhex(name, "auth_value", s->auth, 32), s->alen);
	dtu_vhex(name, "net_key", s->net_key, 16);
	dtu_vhex(name, "device_key", s->device_key, 16);
	dtu_vhex(name, "net_key_index", s->index, 2);
	dtu_vhex(name, "flags", s->flags, 1);
	dtu_vhex(name, "iv_index", s->iv, 4);
	dtu_vhex(name, "unicast_address", s->addr, 2);
}

size_t dtu_pdu_len(const uint8_t *pdu, const struct dtu_sample *s)
{
	switch (pdu[0]) {
	case MP_PROV_INVITE: return 2;
	case MP_PROV_CAPABILITIES: return 12;
	case MP_PROV_START: return 6;
	case MP_PROV_PUBLIC_KEY: return 65;
	case MP_PROV_DATA: return 34;
	default: return 1 + s->alen;
	}
}

struct mp_sim_device *dtu_sample_device_keys(const struct dtu_sample *s, struct dtu_script *sc,
					     int keys)
{
	struct mp_sim_device_config cfg;
	struct mp_prov_pdu p;

	dtu_config_init(&cfg, sc);
	assert_int_equal(mp_prov_pdu_decode(s->caps, sizeof(s->caps), &p), MP_PROV_OK);
	cfg.caps = p.caps;
	if (cfg.caps.oob_type & MP_OOB_TYPE_STATIC) {
		cfg.static_oob = s->auth;
		cfg.static_oob_len = s->alen;
	}
	while (keys-- > 0)
		dtu_script_add(sc, s->dev_priv, 32);
	dtu_script_add(sc, s->rand_dev, s->alen);
	cfg.rng = &sc->rng;
	return dtu_new_dev(&cfg);
}

struct mp_sim_device *dtu_sample_device(const struct dtu_sample *s, struct dtu_script *sc)
{
	return dtu_sample_device_keys(s, sc, 1);
}

void dtu_drive(struct mp_sim_device *d, const struct dtu_sample *s, enum mp_sim_device_state target)
{
	const uint8_t *seq[] = { s->invite, s->start, s->ppub, s->pconf, s->prand, s->data };
	size_t i;

	for (i = 0; i < 6 && mp_sim_device_state(d) != target; i++)
		assert_int_equal(mp_sim_device_rx(d, seq[i], dtu_pdu_len(seq[i], s)), 0);
	assert_int_equal(mp_sim_device_state(d), target);
}

/* ---- A provisioner for flows the samples do not cover ---- */

void dtu_prov_init(struct dtu_prov *tp)
{
	uint8_t priv[32];

	memset(tp, 0, sizeof(*tp));
	dtu_vhex("provisioning_cmac", "provisioner_private_key", priv, sizeof(priv));
	assert_int_equal(mp_ecc_key_from_private(priv, &tp->key), 0);
	mp_ecc_key_public(tp->key, tp->pub);
}

void dtu_prov_free(struct dtu_prov *tp)
{
	mp_ecc_key_free(tp->key);
	mp_prov_keys_wipe(&tp->k);
}

void dtu_prov_invite_start(struct dtu_prov *tp, struct mp_sim_device *d, const char *start)
{
	uint8_t st[6];

	assert_int_equal(dtu_rx_hex(d, "0000"), 0);
	assert_int_equal(dtu_cap.len[dtu_cap.n - 1], 12);
	assert_int_equal(dtu_last_pdu()[0], MP_PROV_CAPABILITIES);
	tp->inputs[0] = 0;
	memcpy(&tp->inputs[1], dtu_last_pdu() + 1, 11);
	assert_int_equal(tu_unhex(start, st, sizeof(st)), 6);
	assert_int_equal(mp_sim_device_rx(d, st, 6), 0);
	memcpy(&tp->inputs[12], st + 1, 5);
	tp->alg = st[1] ? MP_ALG_HMAC : MP_ALG_CMAC;
	tp->alen = mp_prov_alg_len(tp->alg);
}

void dtu_prov_pubkeys(struct dtu_prov *tp, struct mp_sim_device *d, bool oob)
{
	uint8_t pdu[65] = { MP_PROV_PUBLIC_KEY };
	int before = dtu_cap.n;

	memcpy(pdu + 1, tp->pub, 64);
	assert_int_equal(mp_sim_device_rx(d, pdu, 65), 0);
	if (oob) {
		/* no Public Key from the device: the caller has it OOB */
		assert_true(dtu_cap.n == before || dtu_cap.pdu[before][0] != MP_PROV_PUBLIC_KEY);
		mp_sim_device_public_key(d, tp->dev_pub);
	} else {
		assert_true(dtu_cap.n > before);
		assert_int_equal(dtu_cap.len[before], 65);
		assert_int_equal(dtu_cap.pdu[before][0], MP_PROV_PUBLIC_KEY);
		memcpy(tp->dev_pub, dtu_cap.pdu[before] + 1, 64);
	}
	memcpy(&tp->inputs[17], tp->pub, 64);
	memcpy(&tp->inputs[81], tp->dev_pub, 64);
	assert_int_equal(mp_ecdh(tp->key, tp->dev_pub, tp->ecdh), 0);
}

void dtu_prov_confirm(struct dtu_prov *tp, struct mp_sim_device *d)
{
	uint8_t pdu[33] = { MP_PROV_CONFIRMATION };
	int before = dtu_cap.n;

	assert_int_equal(mp_prov_confirmation_key(&tp->k, tp->alg, tp->inputs, tp->ecdh, tp->auth),
			 0);
	assert_int_equal(mp_random(tp->rand, tp->alen), 0);
	assert_int_equal(mp_prov_confirmation(&tp->k, tp->rand, tp->auth, tp->conf), 0);
	memcpy(pdu + 1, tp->conf, tp->alen);
	assert_int_equal(mp_sim_device_rx(d, pdu, 1 + tp->alen), 0);
	assert_int_equal(dtu_cap.n, before + 1);
	assert_int_equal(dtu_cap.len[before], 1 + tp->alen);
	assert_int_equal(dtu_cap.pdu[before][0], MP_PROV_CONFIRMATION);
	memcpy(tp->dev_conf, dtu_cap.pdu[before] + 1, tp->alen);
}

int dtu_prov_random(struct dtu_prov *tp, struct mp_sim_device *d)
{
	uint8_t pdu[33] = { MP_PROV_RANDOM }, expect[32];
	int ret;

	memcpy(pdu + 1, tp->rand, tp->alen);
	ret = mp_sim_device_rx(d, pdu, 1 + tp->alen);
	if (ret)
		return ret;
	assert_int_equal(dtu_cap.len[dtu_cap.n - 1], 1 + tp->alen);
	assert_int_equal(dtu_last_pdu()[0], MP_PROV_RANDOM);
	/* the device's confirmation used the same AuthValue as ours */
	assert_int_equal(mp_prov_confirmation(&tp->k, dtu_last_pdu() + 1, tp->auth, expect), 0);
	tu_assert_bytes(expect, tp->dev_conf, tp->alen);
	assert_int_equal(mp_prov_session_keys(&tp->k, tp->rand, dtu_last_pdu() + 1, tp->ecdh), 0);
	return 0;
}

static const uint8_t prov_net_key[16] = {
	0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18, 0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6,
};

int dtu_prov_data(struct dtu_prov *tp, struct mp_sim_device *d, uint16_t index, uint8_t flags,
		  uint32_t iv, uint16_t addr)
{
	uint8_t plain[25], pdu[34] = { MP_PROV_DATA };

	memcpy(plain, prov_net_key, 16);
	mp_store_be16(plain + 16, index);
	plain[18] = flags;
	mp_store_be32(plain + 19, iv);
	mp_store_be16(plain + 23, addr);
	assert_int_equal(mp_prov_data_encrypt(&tp->k, plain, pdu + 1, pdu + 26), 0);
	return mp_sim_device_rx(d, pdu, sizeof(pdu));
}

void dtu_prov_complete(struct dtu_prov *tp, struct mp_sim_device *d)
{
	assert_int_equal(dtu_prov_random(tp, d), 0);
	assert_int_equal(dtu_prov_data(tp, d, 0x0abc, 0x03, 0x12345678, 0x1234), 0);
	assert_int_equal(dtu_cap.len[dtu_cap.n - 1], 1);
	assert_int_equal(dtu_last_pdu()[0], MP_PROV_COMPLETE);
	assert_int_equal(mp_sim_device_state(d), MP_SIM_DEV_COMPLETE);
	assert_int_equal(dtu_cap.done_count, 1);
	assert_int_equal(dtu_cap.done_err, MP_PROV_OK);
	tu_assert_bytes(dtu_cap.result.net_key, prov_net_key, 16);
	assert_int_equal(dtu_cap.result.net_key_index, 0x0abc);
	assert_int_equal(dtu_cap.result.flags, 0x03);
	assert_int_equal(dtu_cap.result.iv_index, 0x12345678);
	assert_int_equal(dtu_cap.result.unicast, 0x1234);
	assert_int_equal(dtu_cap.result.algorithm, tp->alg);
	tu_assert_bytes(dtu_cap.result.device_key, tp->k.device_key, 16);
}

void dtu_prov_auth_text(struct dtu_prov *tp, const char *text, bool alnum)
{
	unsigned long long v;
	int i;

	memset(tp->auth, 0, sizeof(tp->auth));
	if (alnum) {
		memcpy(tp->auth, text, strlen(text));
		return;
	}
	v = strtoull(text, NULL, 10);
	for (i = 0; i < 8; i++)
		tp->auth[tp->alen - 1 - (size_t)i] = (uint8_t)(v >> (8 * i));
}

