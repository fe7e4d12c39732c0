/* Access messages: opcodes and opcode tables; see include/access/msg.h. */
#include "access/msg.h"

#include <errno.h>
#include <string.h>

/* The first octet of a 1-octet opcode that is RFU. MshPRT v1.1 3.7.3.1 */
#define OP_RFU 0x7f

size_t mp_access_opcode_len(uint32_t opcode)
{
	if (opcode < OP_RFU)
		return 1;
	if (opcode >= 0x8000 && opcode <= 0xbfff)
		return 2;
	if (opcode >= 0xc00000 && opcode <= 0xffffff)
		return 3;
	return 0;
}

bool mp_access_opcode_is_vendor(uint32_t opcode)
{
	return mp_access_opcode_len(opcode) == 3;
}

int mp_access_opcode_encode(uint32_t opcode, uint8_t *out, size_t cap)
{
	size_t n = mp_access_opcode_len(opcode);

	if (!n)
		return -EINVAL;
	if (cap < n)
		return -ENOSPC;
	switch (n) {
	case 1:
		out[0] = (uint8_t)opcode;
		break;
	case 2:
		out[0] = (uint8_t)(opcode >> 8);
		out[1] = (uint8_t)opcode;
		break;
	default:
		/* The company identifier is little-endian on air. 3.7.3.1 */
		out[0] = (uint8_t)(opcode >> 16);
		out[1] = (uint8_t)opcode;
		out[2] = (uint8_t)(opcode >> 8);
		break;
	}
	return (int)n;
}

int mp_access_opcode_decode(const uint8_t *data, size_t len, uint32_t *opcode)
{
	*opcode = 0;
	if (!len)
		return -EBADMSG;
	if (data[0] == OP_RFU)
		return -ERANGE;
	if (!(data[0] & 0x80)) {
		*opcode = data[0];
		return 1;
	}
	if (!(data[0] & 0x40)) {
		if (len < 2)
			return -EBADMSG;
		*opcode = MP_OP_2(data[0], data[1]);
		return 2;
	}
	if (len < 3)
		return -EBADMSG;
	*opcode = (uint32_t)data[0] << 16 | (uint32_t)data[2] << 8 | data[1];
	return 3;
}

int mp_access_msg_decode(const uint8_t *data, size_t len, struct mp_access_msg *msg)
{
	int n;

	memset(msg, 0, sizeof(*msg));
	if (len > MP_ACCESS_MSG_MAX)
		return -EMSGSIZE;
	n = mp_access_opcode_decode(data, len, &msg->opcode);
	if (n < 0)
		return n;
	msg->params = data + n;
	msg->len = len - (size_t)n;
	return 0;
}

int mp_access_msg_encode(uint32_t opcode, const uint8_t *params, size_t plen, uint8_t *out,
			 size_t cap)
{
	size_t n = mp_access_opcode_len(opcode);

	if (!n || (plen && !params))
		return -EINVAL;
	if (plen > MP_ACCESS_MSG_MAX - n)
		return -EMSGSIZE;
	if (cap < n + plen)
		return -ENOSPC;
	mp_access_opcode_encode(opcode, out, cap);
	if (plen)
		memcpy(out + n, params, plen);
	return (int)(n + plen);
}

int mp_access_table_check(const struct mp_access_op *table, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t oplen = mp_access_opcode_len(table[i].opcode);

		if (!oplen || !table[i].handler || table[i].min_len > table[i].max_len ||
		    table[i].max_len > MP_ACCESS_MSG_MAX - oplen)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (table[j].opcode == table[i].opcode)
				return -EINVAL;
	}
	return 0;
}

int mp_access_dispatch(const struct mp_access_op *table, size_t n, void *user,
		       const struct mp_access_rx *rx, const uint8_t *data, size_t len)
{
	struct mp_access_msg msg;
	size_t i;
	int err = mp_access_msg_decode(data, len, &msg);

	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (table[i].opcode != msg.opcode)
			continue;
		if (msg.len < table[i].min_len || msg.len > table[i].max_len)
			return -EBADMSG;
		return table[i].handler(user, rx, msg.params, msg.len);
	}
	return -ENOENT;
}
