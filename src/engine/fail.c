/* The names of the failure reasons (include/engine/engine.h, enum
 * mp_engine_fail): the specification's codes by prov/'s table, the rest
 * by this one. The words are what scripts match on: never rename one. */
#include "engine/engine.h"

#include "prov/pdu.h"

_Static_assert((int)MP_ENGINE_FAIL_INVALID_DATA == (int)MP_PROV_ERR_INVALID_DATA &&
	       MP_ENGINE_FAIL_INVALID_DATA + 1 == MP_ENGINE_FAIL_TIMEOUT,
	       "the specification's codes come first, as they are");

static const char *const names[MP_ENGINE_FAILS] = {
	[MP_ENGINE_FAIL_ERROR] = "error",
	[MP_ENGINE_FAIL_TIMEOUT] = "timeout",
	[MP_ENGINE_FAIL_CANCELLED] = "cancelled",
	[MP_ENGINE_FAIL_UNSUPPORTED] = "unsupported",
	[MP_ENGINE_FAIL_NO_ADDRESS] = "no-address",
	[MP_ENGINE_FAIL_AUTH_NEEDED] = "auth-needed",
	[MP_ENGINE_FAIL_AUTH_REQUIRED] = "auth-required",
	[MP_ENGINE_FAIL_TOO_MANY_ELEMENTS] = "too-many-elements",
	[MP_ENGINE_FAIL_TOO_MANY_UNCONFIRMED] = "too-many-unconfirmed",
	[MP_ENGINE_FAIL_NO_NETKEY] = "no-netkey",
	[MP_ENGINE_FAIL_LINK_CLOSED] = "link-closed",
	[MP_ENGINE_FAIL_RADIO_LOST] = "radio-lost",
	[MP_ENGINE_FAIL_CONNECT_FAILED] = "connect-failed",
	[MP_ENGINE_FAIL_GATT_ERROR] = "gatt-error",
	[MP_ENGINE_FAIL_KEYRING] = "keyring",
	[MP_ENGINE_FAIL_NOT_FOUND] = "not-found",
	[MP_ENGINE_FAIL_ALREADY_PROVISIONED] = "already-provisioned",
	[MP_ENGINE_FAIL_BUSY] = "busy",
	[MP_ENGINE_FAIL_START_FAILED] = "start-failed",
	[MP_ENGINE_FAIL_KEYRING_WRITE] = "keyring-write",
};

const char *mp_engine_fail_name(enum mp_engine_fail f)
{
	if ((unsigned int)f >= MP_ENGINE_FAILS)
		return names[MP_ENGINE_FAIL_ERROR];
	if (f >= MP_ENGINE_FAIL_INVALID_PDU && f <= MP_ENGINE_FAIL_INVALID_DATA)
		return mp_prov_err_id((unsigned int)f);
	return names[f];
}
