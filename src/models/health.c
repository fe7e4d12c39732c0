/* Health Attention messages; see include/models/health.h. MshPRT v1.1 4.3.3. */
#include "models/health.h"

#include <errno.h>
#include <stdbool.h>

#include "access/msg.h"

static bool is_attention(uint32_t op)
{
	return op >= MP_HEALTH_OP_ATTENTION_GET && op <= MP_HEALTH_OP_ATTENTION_STATUS;
}

/* Parameters of each: none for the Get, Attention for the others. */
static size_t param_len(uint32_t op)
{
	return op == MP_HEALTH_OP_ATTENTION_GET ? 0 : 1;
}

int mp_health_attention_decode(const uint8_t *data, size_t len, struct mp_health_attention *m)
{
	struct mp_access_msg am;
	size_t want;

	if (!data || !m)
		return -EINVAL;
	if (mp_access_msg_decode(data, len, &am) || !is_attention(am.opcode))
		return -ENOMSG;
	want = param_len(am.opcode);
	if (am.len < want)
		return -EBADMSG;
	if (am.len > want)
		return -EMSGSIZE;
	m->opcode = am.opcode;
	m->attention = want ? am.params[0] : 0;
	return 0;
}

int mp_health_attention_encode(const struct mp_health_attention *m, uint8_t *out, size_t cap)
{
	int n;

	if (!m || !out)
		return -EINVAL;
	if (!is_attention(m->opcode))
		return -ENOMSG;
	n = mp_access_msg_encode(m->opcode, &m->attention, param_len(m->opcode), out, cap);
	return n == -ENOSPC || n >= 0 ? n : -EINVAL;
}

int mp_health_attention_expect(const struct mp_health_attention *req, uint16_t dst,
			       struct mp_access_expect *e)
{
	if (!req || !e)
		return -EINVAL;
	if (req->opcode != MP_HEALTH_OP_ATTENTION_GET && req->opcode != MP_HEALTH_OP_ATTENTION_SET)
		return -ENOMSG;
	if (dst == 0 || dst >= 0x8000)
		return -EINVAL;
	*e = (struct mp_access_expect){
		.src = dst, .opcode = MP_HEALTH_OP_ATTENTION_STATUS, .len = 1,
	};
	return 0;
}

const char *mp_health_op_name(uint32_t opcode)
{
	switch (opcode) {
	case MP_HEALTH_OP_ATTENTION_GET: return "Health Attention Get";
	case MP_HEALTH_OP_ATTENTION_SET: return "Health Attention Set";
	case MP_HEALTH_OP_ATTENTION_SET_UNACK: return "Health Attention Set Unacknowledged";
	case MP_HEALTH_OP_ATTENTION_STATUS: return "Health Attention Status";
	default: return NULL;
	}
}
