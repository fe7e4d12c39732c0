/* Health Attention messages, the client's side of the Health model.
 *
 * MshPRT v1.1 4.3.3 (Health messages): the Attention Timer state (4.2) is
 * read and set with Health Attention Get, Set and Set Unacknowledged, and
 * reported with Health Attention Status. Attention is one octet: 0x00 off,
 * 0x01-0xff the seconds the element keeps attracting attention (it
 * blinks, beeps: the installer sees which node it is). Every value means
 * something; the only checks are the opcodes and the lengths.
 *
 *   Health Attention Get                0x80 0x04  (no parameters)
 *   Health Attention Set                0x80 0x05  Attention (1)
 *   Health Attention Set Unacknowledged 0x80 0x06  Attention (1)
 *   Health Attention Status             0x80 0x07  Attention (1)
 *
 * The messages go to a Health Server secured with an AppKey bound to it.
 *
 * Errors: decode -ENOMSG (not one of these opcodes, or no opcode at all),
 * -EBADMSG (shorter than its layout), -EMSGSIZE (longer); encode -ENOMSG
 * (an opcode not of this codec), -ENOSPC (@cap too small).
 *
 * Pure: no descriptors, clock or globals.
 */
#ifndef MP_MODELS_HEALTH_H
#define MP_MODELS_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "access/match.h"

#define MP_HEALTH_OP_ATTENTION_GET 0x8004
#define MP_HEALTH_OP_ATTENTION_SET 0x8005
#define MP_HEALTH_OP_ATTENTION_SET_UNACK 0x8006
#define MP_HEALTH_OP_ATTENTION_STATUS 0x8007

/* The Health Server model (for bindings and Composition Data). */
#define MP_HEALTH_SERVER_MODEL 0x0002

struct mp_health_attention {
	uint32_t opcode;	/* MP_HEALTH_OP_ATTENTION_* */
	uint8_t attention;	/* seconds; 0 off (not in a Get) */
};

/** Decode the access message @data (opcode and parameters) into @m.
 *  Returns 0 or an error listed at the top of this header. */
int mp_health_attention_decode(const uint8_t *data, size_t len, struct mp_health_attention *m);

/** Encode @m (opcode and parameters) into @out. Returns the length or an
 *  error listed at the top of this header. */
int mp_health_attention_encode(const struct mp_health_attention *m, uint8_t *out, size_t cap);

/**
 * Describe in @e the answer the element at @dst gives to the request @req
 * (a Get or a Set: an Attention Status from @dst, one octet). Returns 0,
 * -ENOMSG for a request that has no answer (Set Unacknowledged, a Status),
 * -EINVAL for a @dst that is not unicast.
 */
int mp_health_attention_expect(const struct mp_health_attention *req, uint16_t dst,
			       struct mp_access_expect *e);

/** The spec's name of a Health Attention opcode, or NULL. */
const char *mp_health_op_name(uint32_t opcode);

#endif
