/* Authentication values of the provisioning protocol (the provisioner's
 * view): how an OOB value becomes an AuthValue, how a random Input OOB value
 * is drawn, and how a value the user typed is checked. MshPRT v1.1 5.4.2.4.
 */
#ifndef MP_PROV_AUTH_H
#define MP_PROV_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "prov/pdu.h"

/* Longest OOB text: 8 characters (MP_OOB_SIZE_MAX) and a NUL. */
#define MP_OOB_TEXT_MAX (MP_OOB_SIZE_MAX + 1)

/** True when the Output OOB @action outputs a number (blink, beep, vibrate, numeric). */
bool mp_output_is_numeric(unsigned int action);
/** True when the Input OOB @action inputs a number (push, twist, numeric). */
bool mp_input_is_numeric(unsigned int action);

/**
 * Check and normalise what a user typed for a value of @size digits
 * (@numeric) or exactly @size characters from 0-9 A-Z (lower case folded).
 * Leading and trailing blanks are ignored. Writes the canonical text to
 * @out (MP_OOB_TEXT_MAX). Returns 0, or -EINVAL.
 */
int mp_oob_parse(const char *text, bool numeric, uint8_t size, char out[MP_OOB_TEXT_MAX]);

/**
 * Draw a random Input OOB value: a number from 1 to 10^size - 1 for the
 * numeric actions, else @size characters from 0-9 A-Z, without modulo bias.
 */
int mp_oob_random(const struct mp_rng *rng, bool numeric, uint8_t size,
		  char out[MP_OOB_TEXT_MAX]);

/**
 * The AuthValue (@len octets: 16 or 32) of a canonical OOB text: a number
 * as a big-endian integer in the last octets, a string as ASCII in the first
 * octets, the rest zero. MshPRT v1.1 5.4.2.4
 */
void mp_oob_auth_value(const char *text, bool numeric, uint8_t *auth, size_t len);

#endif
