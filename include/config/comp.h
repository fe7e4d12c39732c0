/* Composition Data page 0, fully decoded.
 *
 * MshPRT v1.1 4.2, Composition Data Page 0: CID, PID, VID, CRPL and Features (2 octets each,
 * little-endian), then the elements: Loc (2), NumS (1), NumV (1), NumS SIG
 * model identifiers (2 each) and NumV vendor model identifiers (4 each:
 * company identifier, then model number). Other pages are kept raw by
 * config/msg.h.
 *
 * Bounded: a page 0 is taken up to what one Composition Data Status can
 * carry (MP_COMP0_MAX_LEN), so the arrays below always hold it. Pure.
 */
#ifndef MP_CONFIG_COMP_H
#define MP_CONFIG_COMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/msg.h"

/* 380 octets of access message less the 1-octet opcode and the Page. */
#define MP_COMP0_MAX_LEN 378
#define MP_COMP0_HDR_LEN 10
#define MP_COMP0_MAX_ELEMS ((MP_COMP0_MAX_LEN - MP_COMP0_HDR_LEN) / 4)
#define MP_COMP0_MAX_SIG ((MP_COMP0_MAX_LEN - MP_COMP0_HDR_LEN - 4) / 2)
#define MP_COMP0_MAX_VND ((MP_COMP0_MAX_LEN - MP_COMP0_HDR_LEN - 4) / 4)

struct mp_comp_elem {
	uint16_t loc;		/* GATT Bluetooth Namespace Descriptor */
	uint8_t n_sig;
	uint8_t n_vnd;
	uint16_t sig_first;	/* this element's models: sig[sig_first .. + n_sig) */
	uint16_t vnd_first;	/* and vnd[vnd_first .. + n_vnd) */
};

struct mp_comp0 {
	uint16_t cid, pid, vid;
	uint16_t crpl;		/* replay protection list entries */
	uint16_t features;	/* MP_CFG_FEAT_* (RFU bits kept as received) */
	uint16_t n_elems;
	struct mp_comp_elem elems[MP_COMP0_MAX_ELEMS];
	uint16_t n_sig, n_vnd;	/* of all elements */
	uint16_t sig[MP_COMP0_MAX_SIG];
	struct mp_model_id vnd[MP_COMP0_MAX_VND];
};

/**
 * Decode Composition Data page 0 (the data after the Page field) into
 * @out, or only check it when @out is NULL. Returns 0; -EBADMSG when it is
 * truncated (the header, an element, a model list cut short) or has no
 * element; -EMSGSIZE beyond MP_COMP0_MAX_LEN; -ERANGE when an element holds
 * the same model twice (an element holds one instance of a model).
 * Features bits the spec calls RFU are kept, not refused: a node of a later
 * version must stay configurable.
 */
int mp_comp0_decode(const uint8_t *data, size_t len, struct mp_comp0 *out);

/** Encode @c back; the length, -EINVAL (inconsistent counts), -ENOSPC. */
int mp_comp0_encode(const struct mp_comp0 *c, uint8_t *out, size_t cap);

/** True when element @elem (0 = primary) of @c has @model. */
bool mp_comp0_has_model(const struct mp_comp0 *c, unsigned int elem,
			const struct mp_model_id *model);

#endif
