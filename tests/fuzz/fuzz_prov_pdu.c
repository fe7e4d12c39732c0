/* Fuzz target: the Provisioning PDU decoder. Whatever it accepts must encode
 * back to exactly the same octets (the codec has one meaning per input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prov/pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_prov_pdu pdu;
	uint8_t out[1024];
	int len;

	if (mp_prov_pdu_decode(data, size, &pdu) != MP_PROV_OK)
		return 0;
	len = mp_prov_pdu_encode(&pdu, out, sizeof(out));
	if (size <= sizeof(out) && (len != (int)size || memcmp(out, data, size) != 0))
		abort();
	return 0;
}
