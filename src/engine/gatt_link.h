/* A PB-GATT link as the engine's sessions use it: one connection from the
 * radio, the GATT client that finds the Mesh Provisioning Service on it,
 * and the PB-GATT bearer over that client, presented as one struct
 * mp_bearer whose callbacks are the session's.
 *
 *   radio connect ─connected→ client: MTU, discovery, CCCD ─ready→
 *   bearer opened → provisioning PDUs as Proxy PDUs (Data In writes,
 *   Data Out notifications) → close: disconnect → closed()
 *
 * Every way it can end is reported once, through the owner's closed():
 * the connection could not be made or dropped, the GATT client failed
 * (gatt_link_why() then names the step and the ATT error), the bearer
 * gave up (malformed segments, SAR timeout), or the owner closed it.
 * Internal to the engine.
 */
#ifndef MP_ENGINE_GATT_LINK_H
#define MP_ENGINE_GATT_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "bearer/bearer.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "radio/radio.h"

/* How long an LE connection and the GATT discovery on it may take before
 * the link gives up (-ETIMEDOUT). Connections to a device advertising
 * every 100 ms normally complete within a second; the margin is for busy
 * radios. The provisioning protocol's own 60 s timer runs on top. */
#define GATT_LINK_SETUP_MS 20000

struct gatt_link;

struct gatt_link_config {
	struct mp_loop *loop;
	struct mp_radio radio;			/* must have connect */
	uint8_t addr[6];			/* where the device advertises PB-GATT */
	uint8_t addr_type;
	const struct mp_bearer_cb *cb;		/* the owner's */
	void *owner;
};

/** Start connecting. 0 and the link, or -errno (no connection support:
 *  -EOPNOTSUPP; the radio's refusal). */
int gatt_link_open(const struct gatt_link_config *cfg, struct gatt_link **out);
/** The link as a bearer (send, close). */
struct mp_bearer gatt_link_bearer(struct gatt_link *l);
/** What went wrong, for people ("service discovery: ..."), or NULL. */
const char *gatt_link_why(const struct gatt_link *l);
/** What went wrong, for scripts: true and @reason MP_ENGINE_FAIL_CONNECT_FAILED
 *  (no connection), _GATT_ERROR (the device's GATT side) or _TIMEOUT (no
 *  answer); false, @reason untouched, when the link ended otherwise
 *  (closed by us, or by the device). */
bool gatt_link_reason(const struct gatt_link *l, enum mp_engine_fail *reason);
/** Free, dropping the connection without any callback. NULL is fine. */
void gatt_link_free(struct gatt_link *l);

#endif
