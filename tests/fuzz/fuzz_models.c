/* Fuzz target: the Health Attention and Generic OnOff decoders (models/).
 * Whatever decodes must encode back to exactly the same octets (one
 * meaning per input), and a request's expected answer must be well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/msg.h"
#include "models/health.h"
#include "models/onoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[MP_ACCESS_MSG_MAX];
	struct mp_health_attention h;
	struct mp_onoff_msg o;
	struct mp_access_expect e;
	int len;

	if (mp_health_attention_decode(data, size, &h) == 0) {
		len = mp_health_attention_encode(&h, out, sizeof(out));
		if (len != (int)size || memcmp(out, data, size) != 0)
			abort();
		if ((h.opcode == MP_HEALTH_OP_ATTENTION_GET || h.opcode == MP_HEALTH_OP_ATTENTION_SET) &&
		    mp_health_attention_expect(&h, 0x0001, &e) != 0)
			abort();
	}
	if (mp_onoff_decode(data, size, &o) == 0) {
		len = mp_onoff_encode(&o, out, sizeof(out));
		if (len != (int)size || memcmp(out, data, size) != 0)
			abort();
		if ((o.opcode == MP_ONOFF_OP_GET || o.opcode == MP_ONOFF_OP_SET) &&
		    mp_onoff_expect(&o, 0x0001, &e) != 0)
			abort();
	}
	return 0;
}
