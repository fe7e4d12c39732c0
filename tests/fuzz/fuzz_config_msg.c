/* Fuzz target: the Configuration message decoders (every Status, and the
 * requests), the access message split under them, and Composition Data
 * page 0. The first input octet picks the decoder; whatever decodes must
 * encode back to exactly the same octets (one meaning per input), and
 * an answer's expectation must be well formed for every request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/msg.h"
#include "config/comp.h"
#include "config/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void config_msg(const uint8_t *data, size_t size)
{
	static struct mp_cfg_msg msg;
	struct mp_access_expect e;
	uint8_t out[MP_ACCESS_MSG_MAX];
	int len;

	if (mp_cfg_decode(data, size, &msg) != 0)
		return;
	len = mp_cfg_encode(&msg, out, sizeof(out));
	if (len != (int)size || memcmp(out, data, size) != 0)
		abort();
	if (!mp_cfg_is_status(msg.opcode) && mp_cfg_expect(&msg, 0x0001, &e) != 0)
		abort();
}

static void comp0(const uint8_t *data, size_t size)
{
	static struct mp_comp0 c;
	uint8_t out[MP_COMP0_MAX_LEN];
	unsigned int i, j;
	int len;

	if (mp_comp0_decode(data, size, &c) != 0)
		return;
	len = mp_comp0_encode(&c, out, sizeof(out));
	if (len != (int)size || memcmp(out, data, size) != 0)
		abort();
	/* every model decoded is found on its element */
	for (i = 0; i < c.n_elems; i++) {
		const struct mp_comp_elem *e = &c.elems[i];

		for (j = 0; j < e->n_sig; j++) {
			struct mp_model_id m = { .id = c.sig[e->sig_first + j] };

			if (!mp_comp0_has_model(&c, i, &m))
				abort();
		}
		for (j = 0; j < e->n_vnd; j++)
			if (!mp_comp0_has_model(&c, i, &c.vnd[e->vnd_first + j]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_access_msg am;

	if (!size)
		return 0;
	switch (data[0] & 1) {
	case 0:
		if (mp_access_msg_decode(data + 1, size - 1, &am) == 0 &&
		    am.params + am.len != data + size)
			abort();
		config_msg(data + 1, size - 1);
		break;
	default:
		comp0(data + 1, size - 1);
		break;
	}
	return 0;
}
