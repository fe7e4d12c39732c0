/* cmocka helpers for the simulated device's tests (test_device.c,
 * test_device_flows.c): a scripted random source, the capture of everything
 * the device emits through its callbacks, the spec's sample runs (MshPRT v1.1
 * 8.17.1, 8.17.2) loaded and replayed PDU by PDU, and a small provisioner
 * written on the crypto API, independent of src/prov/provisioner.c, for the
 * flows the samples do not cover. Every helper fails the running test on a
 * mismatch. */
#ifndef MP_TEST_DEVICE_TU_H
#define MP_TEST_DEVICE_TU_H

#include "testutil.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "prov/pdu.h"
#include "sim/device.h"

/* ---- A scripted random source: each draw must have the documented size ---- */

#define DTU_SCRIPT_MAX 8

struct dtu_script {
	uint8_t data[DTU_SCRIPT_MAX][64];
	size_t len[DTU_SCRIPT_MAX];
	int n, pos;
	struct mp_rng rng;	/* draws from this script */
};

/** Append a draw of @n octets (at most 64) to the script. */
void dtu_script_add(struct dtu_script *s, const uint8_t *b, size_t n);

/** Append a draw given in hex. */
void dtu_script_add_hex(struct dtu_script *s, const char *hex);

/* ---- What the device emits ---- */

#define DTU_MAX_PDUS 24

/* Everything the device reported through its callbacks since dtu_new_dev(). */
struct dtu_cap {
	uint8_t pdu[DTU_MAX_PDUS][8 + MP_SIM_RECORD_FRAG_MAX];
	size_t len[DTU_MAX_PDUS];
	int n;
	int attention[8];
	int n_attention;
	char output[16];
	int output_action, n_output, output_at;
	int input_action, input_size, n_input, input_at;
	const char *auto_input;		/* typed from within input_oob */
	int auto_input_ret;
	bool reset_in_done;
	int done_count;
	enum mp_prov_err done_err;
	bool done_result;
	struct mp_sim_prov_result result;
	struct mp_sim_device *dev;
};

/** The capture of the device under test (one at a time). */
extern struct dtu_cap dtu_cap;

/**
 * A configuration whose callbacks fill dtu_cap: UUID 5a.., one element, both
 * algorithms, no OOB and the system random source. @s is cleared and its
 * rng wired to it; set cfg->rng = &s->rng to use it.
 */
void dtu_config_init(struct mp_sim_device_config *cfg, struct dtu_script *s);

/** Clear dtu_cap and create a device from @cfg (which must succeed). */
struct mp_sim_device *dtu_new_dev(const struct mp_sim_device_config *cfg);

/** The last PDU the device sent (there must be one). */
const uint8_t *dtu_last_pdu(void);

/** Feed the device one PDU given in hex; returns what mp_sim_device_rx() did. */
int dtu_rx_hex(struct mp_sim_device *d, const char *hex);

/**
 * The device failed with @code (and @ret, the result of the call that made
 * it fail, is @code): its last PDU is exactly Failed(code), it reported it
 * once, and it ignores everything that follows.
 */
void dtu_assert_failed(struct mp_sim_device *d, int ret, enum mp_prov_err code);

/* ---- The specification's sample runs ---- */

/* One sample run: every PDU with its type octet, and the secrets behind it. */
struct dtu_sample {
	const char *name;
	uint8_t invite[2], caps[12], start[6], ppub[65], dpub[65];
	uint8_t pconf[33], dconf[33], prand[33], drand[33], data[34];
	size_t alen;
	uint8_t dev_priv[32], rand_dev[32], auth[32];
	uint8_t net_key[16], device_key[16];
	uint8_t index[2], flags[1], iv[4], addr[2];
};

/** Decode the sample data's hex field @sample.@field into @out; its length. */
size_t dtu_vhex(const char *sample, const char *field, uint8_t *out, size_t cap_);

/** Load the sample run @name ("provisioning_cmac", "provisioning_hmac"). */
void dtu_load_sample(struct dtu_sample *s, const char *name);

/** The length of the sample's PDU @pdu, from its type. */
size_t dtu_pdu_len(const uint8_t *pdu, const struct dtu_sample *s);

/**
 * The device of a sample: its capabilities decoded from the sample's
 * Capabilities PDU, the static OOB value when the sample uses one, and a
 * random source yielding the sample's private key (@keys times: creation and
 * resets) then its Random.
 */
struct mp_sim_device *dtu_sample_device_keys(const struct dtu_sample *s, struct dtu_script *sc,
					     int keys);

/** dtu_sample_device_keys() with one key: no reset. */
struct mp_sim_device *dtu_sample_device(const struct dtu_sample *s, struct dtu_script *sc);

/** Feed the sample's provisioner PDUs until the device reaches @target. */
void dtu_drive(struct mp_sim_device *d, const struct dtu_sample *s,
	       enum mp_sim_device_state target);

/* ---- A provisioner for flows the samples do not cover ---- */

/* Its key is the 8.17.1 provisioner's; its Random is fresh. */
struct dtu_prov {
	struct mp_ecc_key *key;
	uint8_t pub[64], dev_pub[64];
	uint8_t inputs[MP_CONF_INPUTS_LEN];
	enum mp_prov_alg alg;
	size_t alen;
	uint8_t auth[32], ecdh[32], rand[32], conf[32], dev_conf[32];
	struct mp_prov_keys k;
};

/** Start a provisioner (AuthValue all zero until set). */
void dtu_prov_init(struct dtu_prov *tp);

/** Free its key and wipe its session keys. */
void dtu_prov_free(struct dtu_prov *tp);

/** Invite, check the Capabilities, then send the Start PDU @start (hex). */
void dtu_prov_invite_start(struct dtu_prov *tp, struct mp_sim_device *d, const char *start);

/**
 * Send our Public Key; take the device's from its reply or, with @oob, from
 * the device directly (checking it did not send one). Computes the ECDH secret.
 */
void dtu_prov_pubkeys(struct dtu_prov *tp, struct mp_sim_device *d, bool oob);

/** Send our Confirmation (with tp->auth) and keep the device's. */
void dtu_prov_confirm(struct dtu_prov *tp, struct mp_sim_device *d);

/**
 * Send our Random; returns the device's error if it failed, else checks the
 * device's Random against its Confirmation and derives the session keys.
 */
int dtu_prov_random(struct dtu_prov *tp, struct mp_sim_device *d);

/** Send the Provisioning Data (a fixed NetKey); returns mp_sim_device_rx(). */
int dtu_prov_data(struct dtu_prov *tp, struct mp_sim_device *d, uint16_t index, uint8_t flags,
		  uint32_t iv, uint16_t addr);

/** Random and Data, then check Complete and every field of the result. */
void dtu_prov_complete(struct dtu_prov *tp, struct mp_sim_device *d);

/** AuthValue of a number or a string, written here apart from the device. */
void dtu_prov_auth_text(struct dtu_prov *tp, const char *text, bool alnum);

#endif
