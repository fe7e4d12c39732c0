/* A recording harness around the provisioner state machine, shared by its
 * unit tests: captures every PDU sent, every event and the timer, and can
 * answer DATA_NEEDED and OOB prompts automatically. */
#ifndef MP_TEST_PROV_HARNESS_H
#define MP_TEST_PROV_HARNESS_H

#include "testutil.h"

#include "prov/provisioner.h"

#define H_MAX_PDUS 16
#define H_MAX_EVENTS 32

/* A random source that replays scripted bytes, then fails (-EIO), so a
 * test knows exactly what was drawn. */
struct scripted_rng {
	uint8_t buf[256];
	size_t len, off;
	struct mp_rng rng;
};
void scripted_rng_init(struct scripted_rng *s);
void scripted_rng_push(struct scripted_rng *s, const uint8_t *data, size_t n);
void scripted_rng_push_hex(struct scripted_rng *s, const char *hex);

struct harness {
	struct mp_prov *prov;
	uint8_t pdu[H_MAX_PDUS][80];
	size_t pdu_len[H_MAX_PDUS];
	int npdu;
	enum mp_prov_event_type ev[H_MAX_EVENTS];
	enum mp_prov_phase phases[H_MAX_EVENTS];
	int nev, nphase;
	uint32_t timer_ms;
	int send_error;			/* returned by send when non-zero */
	/* answers */
	bool auto_data;
	struct mp_prov_data data;
	const char *oob_answer;		/* given to mp_prov_oob_enter on OOB_OUTPUT */
	/* results */
	struct mp_prov_start start;
	uint8_t oob_action, oob_size;
	char oob_value[16];
	bool data_needed;
	uint8_t device_key[16];
	bool done;
	enum mp_prov_err err;
	int errnum;
	bool by_device;
	/* forwarding to a peer (back-to-back tests) */
	void (*forward)(void *peer, const uint8_t *pdu, size_t len);
	void *peer;
};

extern const struct mp_prov_ops harness_ops;

/** Create the provisioner with @params, recording into @h. */
void harness_init(struct harness *h, const struct mp_prov_params *params);
void harness_free(struct harness *h);
/** Feed a device PDU given in hex. */
void harness_rx_hex(struct harness *h, const char *hex);
/** True if event @t was seen. */
bool harness_saw(const struct harness *h, enum mp_prov_event_type t);
/** Sample Provisioning Data of MshPRT v1.1 8.7.12 (address 0x0b0c). */
void harness_sample_data(struct mp_prov_data *d);

#endif
