/* Generic OnOff messages; see include/models/onoff.h. MshMDL v1.1 3.2.1. */
#include "models/onoff.h"

#include <errno.h>

#include "access/msg.h"

static bool onoff_ok(uint8_t v)
{
	return v == MP_ONOFF_OFF || v == MP_ONOFF_ON;
}

/* A Set's Transition Time: 0x3f steps is "unknown", which no state can be
 * set to (3.1.3). */
static bool transition_ok(uint8_t t)
{
	return (t & 0x3f) != MP_TRANSITION_UNKNOWN;
}

static bool is_set(uint32_t op)
{
	return op == MP_ONOFF_OP_SET || op == MP_ONOFF_OP_SET_UNACK;
}

int mp_onoff_decode(const uint8_t *data, size_t len, struct mp_onoff_msg *m)
{
	struct mp_access_msg am;
	const uint8_t *p;

	if (!data || !m)
		return -EINVAL;
	if (mp_access_msg_decode(data, len, &am))
		return -ENOMSG;
	p = am.params;
	*m = (struct mp_onoff_msg){ .opcode = am.opcode };
	switch (am.opcode) {
	case MP_ONOFF_OP_GET:
		return am.len ? -EMSGSIZE : 0;
	case MP_ONOFF_OP_SET:
	case MP_ONOFF_OP_SET_UNACK:
		/* OnOff, TID, [Transition Time, Delay] */
		if (am.len < 2 || am.len == 3)
			return -EBADMSG;
		if (am.len > 4)
			return -EMSGSIZE;
		m->onoff = p[0];
		m->tid = p[1];
		if (am.len == 4) {
			m->has_transition = true;
			m->transition = p[2];
			m->delay = p[3];
		}
		if (!onoff_ok(m->onoff) || (m->has_transition && !transition_ok(m->transition)))
			return -ERANGE;
		return 0;
	case MP_ONOFF_OP_STATUS:
		/* Present OnOff, [Target OnOff, Remaining Time] */
		if (am.len < 1 || am.len == 2)
			return -EBADMSG;
		if (am.len > 3)
			return -EMSGSIZE;
		m->onoff = p[0];
		if (am.len == 3) {
			m->has_transition = true;
			m->target = p[1];
			m->transition = p[2];
		}
		if (!onoff_ok(m->onoff) || (m->has_transition && !onoff_ok(m->target)))
			return -ERANGE;
		return 0;
	default:
		return -ENOMSG;
	}
}

int mp_onoff_encode(const struct mp_onoff_msg *m, uint8_t *out, size_t cap)
{
	uint8_t p[4];
	size_t n = 0;
	int len;

	if (!m || !out)
		return -EINVAL;
	if (m->opcode == MP_ONOFF_OP_GET) {
		n = 0;
	} else if (is_set(m->opcode)) {
		if (!onoff_ok(m->onoff) || (m->has_transition && !transition_ok(m->transition)))
			return -ERANGE;
		p[n++] = m->onoff;
		p[n++] = m->tid;
		if (m->has_transition) {
			p[n++] = m->transition;
			p[n++] = m->delay;
		}
	} else if (m->opcode == MP_ONOFF_OP_STATUS) {
		if (!onoff_ok(m->onoff) || (m->has_transition && !onoff_ok(m->target)))
			return -ERANGE;
		p[n++] = m->onoff;
		if (m->has_transition) {
			p[n++] = m->target;
			p[n++] = m->transition;
		}
	} else {
		return -ENOMSG;
	}
	len = mp_access_msg_encode(m->opcode, p, n, out, cap);
	return len == -ENOSPC || len >= 0 ? len : -EINVAL;
}

int mp_onoff_expect(const struct mp_onoff_msg *req, uint16_t dst, struct mp_access_expect *e)
{
	if (!req || !e)
		return -EINVAL;
	if (req->opcode != MP_ONOFF_OP_GET && req->opcode != MP_ONOFF_OP_SET)
		return -ENOMSG;
	if (dst == 0 || dst >= 0x8000)
		return -EINVAL;
	/* A Status of 1 or 3 octets: nothing in it repeats the request. */
	*e = (struct mp_access_expect){ .src = dst, .opcode = MP_ONOFF_OP_STATUS };
	return 0;
}

const char *mp_onoff_op_name(uint32_t opcode)
{
	switch (opcode) {
	case MP_ONOFF_OP_GET: return "Generic OnOff Get";
	case MP_ONOFF_OP_SET: return "Generic OnOff Set";
	case MP_ONOFF_OP_SET_UNACK: return "Generic OnOff Set Unacknowledged";
	case MP_ONOFF_OP_STATUS: return "Generic OnOff Status";
	default: return NULL;
	}
}

/* The step of each resolution, in ms. */
static const uint32_t step_ms[4] = { 100, 1000, 10000, 600000 };

int mp_transition_from_ms(uint32_t ms, uint8_t *out)
{
	unsigned int res;

	if (!out)
		return -EINVAL;
	for (res = 0; res < 4; res++) {
		uint64_t steps = ((uint64_t)ms + step_ms[res] / 2) / step_ms[res];

		if (steps <= 0x3e) {
			*out = MP_TRANSITION(steps, res);
			return 0;
		}
	}
	return -ERANGE;
}

uint32_t mp_transition_ms(uint8_t t)
{
	if ((t & 0x3f) == MP_TRANSITION_UNKNOWN)
		return UINT32_MAX;
	return (t & 0x3f) * step_ms[t >> 6];
}
