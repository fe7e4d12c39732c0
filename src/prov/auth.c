/* OOB values and AuthValues; see include/prov/auth.h. */
#include "prov/auth.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool mp_output_is_numeric(unsigned int action)
{
	return action != MP_OUTPUT_ALPHANUMERIC;
}

bool mp_input_is_numeric(unsigned int action)
{
	return action != MP_INPUT_ALPHANUMERIC;
}

int mp_oob_parse(const char *text, bool numeric, uint8_t size, char out[MP_OOB_TEXT_MAX])
{
	size_t n = 0;

	if (size == 0 || size > MP_OOB_SIZE_MAX)
		return -EINVAL;
	while (isspace((unsigned char)*text))
		text++;
	for (; *text && !isspace((unsigned char)*text); text++) {
		char c = (char)toupper((unsigned char)*text);

		if (numeric ? !isdigit((unsigned char)c) : !strchr(alnum, c))
			return -EINVAL;
		if (n == size)
			return -EINVAL;
		out[n++] = c;
	}
	while (isspace((unsigned char)*text))
		text++;
	/* A number may be shorter than the size (leading zeros are not shown);
	 * a string is always exactly size characters. MshPRT v1.1 5.4.2.4 */
	if (*text || n == 0 || (!numeric && n != size))
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

int mp_oob_random(const struct mp_rng *rng, bool numeric, uint8_t size,
		  char out[MP_OOB_TEXT_MAX])
{
	uint8_t i;
	int err;

	if (size == 0 || size > MP_OOB_SIZE_MAX)
		return -EINVAL;
	if (numeric) {
		uint32_t max = 1, v;

		for (i = 0; i < size; i++)
			max *= 10;
		/* Uniform in [1, max - 1]: reject draws from the incomplete
		 * last bucket of the 32-bit range. */
		do {
			uint8_t b[4];

			err = mp_rng_bytes(rng, b, sizeof(b));
			if (err)
				return err;
			v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		} while (v >= UINT32_MAX - UINT32_MAX % (max - 1));
		v = 1 + v % (max - 1);
		/* digits, most significant first, no leading zeros */
		{
			char rev[MP_OOB_TEXT_MAX];
			size_t n = 0;

			for (; v; v /= 10)
				rev[n++] = (char)('0' + v % 10);
			for (i = 0; i < n; i++)
				out[i] = rev[n - 1 - i];
			out[n] = '\0';
		}
		return 0;
	}
	for (i = 0; i < size; i++) {
		uint8_t b;

		do {
			err = mp_rng_bytes(rng, &b, 1);
			if (err)
				return err;
		} while (b >= 252);	/* 252 = 7 * 36: keep the draw unbiased */
		out[i] = alnum[b % 36];
	}
	out[size] = '\0';
	return 0;
}

void mp_oob_auth_value(const char *text, bool numeric, uint8_t *auth, size_t len)
{
	memset(auth, 0, len);
	if (numeric) {
		uint32_t v = 0;

		for (; *text; text++)
			v = v * 10 + (uint32_t)(*text - '0');
		auth[len - 4] = (uint8_t)(v >> 24);
		auth[len - 3] = (uint8_t)(v >> 16);
		auth[len - 2] = (uint8_t)(v >> 8);
		auth[len - 1] = (uint8_t)v;
	} else {
		memcpy(auth, text, strlen(text));
	}
}
