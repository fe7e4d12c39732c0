/* Generic OnOff messages, the client's side (Generic OnOff Client).
 *
 * MshMDL v1.1 3.2.1 (Generic OnOff messages):
 *
 *   Generic OnOff Get                0x82 0x01  (no parameters)
 *   Generic OnOff Set                0x82 0x02  OnOff (1), TID (1),
 *   Generic OnOff Set Unacknowledged 0x82 0x03    [Transition Time (1), Delay (1)]
 *   Generic OnOff Status             0x82 0x04  Present OnOff (1),
 *                                                 [Target OnOff (1), Remaining Time (1)]
 *
 * The bracketed fields come together or not at all (a Set of 3 octets, a
 * Status of 2, is malformed). OnOff values are 0x00 Off and 0x01 On,
 * 0x02-0xff Prohibited. TID tells a new transaction from a retransmission
 * of the last one (the server takes messages with the same TID, source and
 * destination within 6 seconds as one: the Generic OnOff Server's
 * behaviour, 3.4.1.2): the client takes a new
 * TID for each new Set and keeps it when it sends the same Set again.
 *
 * Transition Time and Remaining Time have the Generic Default Transition
 * Time format (3.1.3): number of steps in bits 0-5 (0x00-0x3e; 0x3f
 * "unknown"), step resolution in bits 6-7 (100 ms, 1 s, 10 s, 10 min).
 * A Set may not carry 0x3f steps (the state cannot be set to "unknown"):
 * refused with -ERANGE both ways; a Status may report it. Delay is in 5 ms
 * steps, every value allowed.
 *
 * Errors: decode -ENOMSG (not one of these opcodes), -EBADMSG (truncated,
 * or an optional pair cut in half), -EMSGSIZE (longer than the layout),
 * -ERANGE (a Prohibited value); encode -ENOMSG, -ERANGE (a value the
 * decoder would refuse: we never send what we would not accept), -ENOSPC.
 *
 * Pure: no descriptors, clock or globals.
 */
#ifndef MP_MODELS_ONOFF_H
#define MP_MODELS_ONOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/match.h"

#define MP_ONOFF_OP_GET 0x8201
#define MP_ONOFF_OP_SET 0x8202
#define MP_ONOFF_OP_SET_UNACK 0x8203
#define MP_ONOFF_OP_STATUS 0x8204

/* The Generic OnOff Server and Client models (MshMDL v1.1, the summary of
 * models). */
#define MP_ONOFF_SERVER_MODEL 0x1000
#define MP_ONOFF_CLIENT_MODEL 0x1001

#define MP_ONOFF_OFF 0x00
#define MP_ONOFF_ON 0x01

/* Transition Time: @steps (0-0x3e) of resolution @res (0: 100 ms, 1: 1 s,
 * 2: 10 s, 3: 10 min). MshMDL v1.1 3.1.3 */
#define MP_TRANSITION(steps, res) ((uint8_t)(((res) & 0x03) << 6 | ((steps) & 0x3f)))
#define MP_TRANSITION_UNKNOWN 0x3f	/* the steps of an unknown time */

struct mp_onoff_msg {
	uint32_t opcode;	/* MP_ONOFF_OP_* */
	uint8_t onoff;		/* Set: the target; Status: Present OnOff */
	uint8_t tid;		/* Set */
	/* Set: Transition Time and Delay present; Status: Target OnOff and
	 * Remaining Time present */
	bool has_transition;
	uint8_t transition;	/* Set: Transition Time; Status: Remaining Time */
	uint8_t delay;		/* Set: in 5 ms steps */
	uint8_t target;		/* Status: Target OnOff */
};

/** Decode the access message @data (opcode and parameters) into @m.
 *  Returns 0 or an error listed at the top of this header. */
int mp_onoff_decode(const uint8_t *data, size_t len, struct mp_onoff_msg *m);

/** Encode @m (opcode and parameters) into @out. Returns the length or an
 *  error listed at the top of this header. */
int mp_onoff_encode(const struct mp_onoff_msg *m, uint8_t *out, size_t cap);

/**
 * Describe in @e the answer the element at @dst gives to the request @req
 * (a Get or a Set: a Generic OnOff Status from @dst). Returns 0, -ENOMSG
 * for a message that has no answer (Set Unacknowledged, a Status), -EINVAL
 * for a @dst that is not unicast.
 */
int mp_onoff_expect(const struct mp_onoff_msg *req, uint16_t dst, struct mp_access_expect *e);

/** The spec's name of a Generic OnOff opcode, or NULL. */
const char *mp_onoff_op_name(uint32_t opcode);

/**
 * A duration as a Transition Time: the finest resolution that holds @ms in
 * 0x3e steps, rounded to the nearest step. Returns 0 and *@out, or -ERANGE
 * beyond 0x3e * 10 min.
 */
int mp_transition_from_ms(uint32_t ms, uint8_t *out);

/** A Transition Time in ms; UINT32_MAX for an unknown one (0x3f steps). */
uint32_t mp_transition_ms(uint8_t t);

#endif
