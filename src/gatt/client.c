/* The provisioner's GATT client: discovery of a Mesh service, subscription
 * to its Data Out, then Data In writes and Data Out notifications.
 * Core v5.4 Vol 3 Part F (ATT), Part G 4 (procedures); MshPRT v1.1 7.1. */
#include "gatt/client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define REASON_MAX 192

struct mp_gatt_client {
	struct mp_gatt_service_uuids uuids;
	const struct mp_gatt_client_ops *ops;
	void *owner;
	enum mp_gatt_client_state state;
	enum mp_gatt_client_state failed_in;	/* the step that failed */
	uint16_t our_mtu;	/* Client Rx MTU */
	uint16_t mtu;		/* ATT_MTU */
	bool mtu_set;		/* an exchange (ours or the peer's) fixed ATT_MTU */
	bool timer_armed;
	/* The outstanding request (Core v5.4 Vol 3 Part F 3.3.2: one at a
	 * time) and, for discovery, the handle range it asked about. */
	uint8_t req;
	uint16_t req_start, req_end;
	struct mp_gatt_handles h;
	char reason[REASON_MAX];
};

static const char *const state_names[] = {
	[MP_GATT_CLIENT_IDLE] = "idle",
	[MP_GATT_CLIENT_MTU] = "MTU exchange",
	[MP_GATT_CLIENT_SERVICE] = "service discovery",
	[MP_GATT_CLIENT_CHARS] = "characteristic discovery",
	[MP_GATT_CLIENT_DESCS] = "descriptor discovery",
	[MP_GATT_CLIENT_CCCD] = "enabling notifications",
	[MP_GATT_CLIENT_READY] = "data exchange",	/* ready: Data In and Out run */
	[MP_GATT_CLIENT_FAILED] = "failed",
};

const char *mp_gatt_client_state_name(enum mp_gatt_client_state state)
{
	if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[state];
}

static bool uuids_valid(const struct mp_gatt_service_uuids *u)
{
	bool none = !u->service && !u->data_in && !u->data_out;
	bool all = u->service && u->data_in && u->data_out;

	return none || all;
}

struct mp_gatt_client *mp_gatt_client_new(const struct mp_gatt_client_config *cfg)
{
	struct mp_gatt_client *c;

	if (!cfg || !cfg->ops || !cfg->ops->tx || !cfg->ops->timer || !uuids_valid(&cfg->uuids) ||
	    (cfg->mtu && (cfg->mtu < MP_ATT_MTU_DEFAULT || cfg->mtu > MP_ATT_MTU_MAX))) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->uuids = cfg->uuids.service ? cfg->uuids : mp_gatt_mesh_prov;
	c->ops = cfg->ops;
	c->owner = cfg->owner;
	c->state = MP_GATT_CLIENT_IDLE;
	c->our_mtu = cfg->mtu ? cfg->mtu : MP_ATT_MTU_MAX;
	c->mtu = MP_ATT_MTU_DEFAULT;
	return c;
}

static void timer_cancel(struct mp_gatt_client *c)
{
	if (!c->timer_armed)
		return;
	c->timer_armed = false;
	c->ops->timer(c->owner, 0);
}

void mp_gatt_client_free(struct mp_gatt_client *c)
{
	if (!c)
		return;
	timer_cancel(c);
	free(c);
}

/* A readable name for a UUID of ours: "Mesh Provisioning Data In (0x2adb)". */
static void uuid_label(char *out, size_t cap, uint16_t uuid)
{
	const char *name = mp_gatt_uuid_name(uuid);

	if (name)
		snprintf(out, cap, "%s (0x%04x)", name, uuid);
	else
		snprintf(out, cap, "0x%04x", uuid);
}

/* Give up: report failed() as the last action (the owner may free @c). */
static int fail(struct mp_gatt_client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct mp_gatt_client *c, int err, const char *fmt, ...)
{
	char reason[REASON_MAX];
	size_t n;
	va_list ap;

	timer_cancel(c);
	c->failed_in = c->state;
	c->state = MP_GATT_CLIENT_FAILED;
	c->req = 0;
	n = (size_t)snprintf(c->reason, sizeof(c->reason), "%s: ",
			     mp_gatt_client_state_name(c->failed_in));
	if (n < sizeof(c->reason)) {
		va_start(ap, fmt);
		vsnprintf(c->reason + n, sizeof(c->reason) - n, fmt, ap);
		va_end(ap);
	}
	/* A copy, so that it outlives the client should failed() free it. */
	memcpy(reason, c->reason, sizeof(reason));
	if (c->ops->failed)
		c->ops->failed(c->owner, err, reason);
	return 0;
}

static void send_pdu(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint8_t out[MP_ATT_MTU_MAX];
	ssize_t n = mp_att_encode(p, out, c->mtu);

	if (n > 0)
		c->ops->tx(c->owner, out, (size_t)n);
}

/* Send request @p in step @state and start its 30 s transaction timer
 * (Core v5.4 Vol 3 Part F 3.3.3). */
static int send_request(struct mp_gatt_client *c, enum mp_gatt_client_state state,
			const struct mp_att_pdu *p)
{
	c->state = state;
	c->req = p->opcode;
	c->timer_armed = true;
	c->ops->timer(c->owner, MP_ATT_TIMEOUT_MS);
	send_pdu(c, p);
	return 0;
}

static int discover_service(struct mp_gatt_client *c)
{
	uint8_t value[2];
	struct mp_att_pdu p = {
		.opcode = MP_ATT_FIND_BY_TYPE_REQ,
		.find = {
			.start = 0x0001, .end = 0xffff, .type = MP_GATT_UUID_PRIMARY_SERVICE,
			.value = value, .len = sizeof(value),
		},
	};

	/* Core v5.4 Vol 3 Part G 4.4.2: Discover Primary Service by Service
	 * UUID, over the whole handle range. */
	mp_store_le16(value, c->uuids.service);
	c->req_start = p.find.start;
	c->req_end = p.find.end;
	return send_request(c, MP_GATT_CLIENT_SERVICE, &p);
}

static int chars_done(struct mp_gatt_client *c);

static int discover_chars(struct mp_gatt_client *c, uint32_t start)
{
	struct mp_att_pdu p = {
		.opcode = MP_ATT_READ_BY_TYPE_REQ,
		.by_type = { .start = (uint16_t)start, .end = c->h.service_end },
	};

	if (start > c->h.service_end)
		return chars_done(c);
	/* Core v5.4 Vol 3 Part G 4.6.1: Discover All Characteristics of a
	 * Service, Read By Type of 0x2803 over the service's range. */
	mp_att_uuid16(&p.by_type.type, MP_GATT_UUID_CHARACTERISTIC);
	c->req_start = (uint16_t)start;
	c->req_end = c->h.service_end;
	return send_request(c, MP_GATT_CLIENT_CHARS, &p);
}

static int no_cccd(struct mp_gatt_client *c)
{
	char out[64];

	uuid_label(out, sizeof(out), c->uuids.data_out);
	return fail(c, -ENOENT,
		    "no Client Characteristic Configuration (0x2902) for %s in 0x%04x..0x%04x",
		    out, c->h.data_out, c->h.data_out_end);
}

static int discover_descs(struct mp_gatt_client *c, uint32_t start)
{
	struct mp_att_pdu p = {
		.opcode = MP_ATT_FIND_INFO_REQ,
		.range = { .start = (uint16_t)start, .end = c->h.data_out_end },
	};

	c->state = MP_GATT_CLIENT_DESCS;
	if (start > c->h.data_out_end)
		return no_cccd(c);
	/* Core v5.4 Vol 3 Part G 4.7.1: Discover All Characteristic
	 * Descriptors, from after the value to the end of the characteristic. */
	c->req_start = (uint16_t)start;
	c->req_end = c->h.data_out_end;
	return send_request(c, MP_GATT_CLIENT_DESCS, &p);
}

static int write_cccd(struct mp_gatt_client *c)
{
	static const uint8_t enable[2] = { MP_GATT_CCC_NOTIFY, 0x00 };
	struct mp_att_pdu p = {
		.opcode = MP_ATT_WRITE_REQ,
		.hv = { .handle = c->h.cccd, .value = enable, .len = sizeof(enable) },
	};

	/* MshPRT v1.1 7.1.3.1 / Core v5.4 Vol 3 Part G 4.12.3: enable
	 * notifications of Data Out with a Write Request. */
	return send_request(c, MP_GATT_CLIENT_CCCD, &p);
}

static int become_ready(struct mp_gatt_client *c)
{
	timer_cancel(c);
	c->state = MP_GATT_CLIENT_READY;
	if (c->ops->ready)
		c->ops->ready(c->owner, c->mtu);
	return 0;
}

int mp_gatt_client_start(struct mp_gatt_client *c)
{
	struct mp_att_pdu p = { .opcode = MP_ATT_MTU_REQ, .mtu = { .mtu = c->our_mtu } };

	if (c->state != MP_GATT_CLIENT_IDLE)
		return -EALREADY;
	/* Core v5.4 Vol 3 Part G 4.3.1: Exchange MTU, once, first; pointless
	 * when we offer no more than the default. */
	if (c->our_mtu == MP_ATT_MTU_DEFAULT)
		return discover_service(c);
	return send_request(c, MP_GATT_CLIENT_MTU, &p);
}

/* ---------- responses ---------- */

static int on_mtu(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint16_t theirs = p->mtu.mtu;

	/* Core v5.4 Vol 3 Part F 3.4.2.2: a Server Rx MTU below the default
	 * leaves ATT_MTU at the default; else it is the minimum of the two. */
	if (theirs < MP_ATT_MTU_DEFAULT)
		theirs = MP_ATT_MTU_DEFAULT;
	if (!c->mtu_set) {
		c->mtu = theirs < c->our_mtu ? theirs : c->our_mtu;
		c->mtu_set = true;
	}
	return discover_service(c);
}

static int on_service(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint16_t found, end;

	/* The first instance of the service (the handles are ascending; the
	 * decoder checked found <= end and found != 0). */
	mp_att_handles_entry(p, 0, &found, &end);
	c->h.service_start = found;
	c->h.service_end = end;
	/* Part G 4.6.1: from the service's starting handle to its end. */
	return discover_chars(c, found);
}

static int check_props(struct mp_gatt_client *c, uint16_t uuid, uint16_t handle, uint8_t props,
		       uint8_t need, const char *what)
{
	char out[64];

	if (props & need)
		return 0;
	uuid_label(out, sizeof(out), uuid);
	fail(c, -EOPNOTSUPP, "%s at 0x%04x lacks %s (properties 0x%02x)", out, handle, what,
	     props);
	return -1;
}

static int chars_done(struct mp_gatt_client *c)
{
	char out[64];

	c->state = MP_GATT_CLIENT_CHARS;
	if (!c->h.data_in_decl || !c->h.data_out_decl) {
		uuid_label(out, sizeof(out), c->h.data_in_decl ? c->uuids.data_out :
				c->uuids.data_in);
		return fail(c, -ENOENT, "no %s in service 0x%04x..0x%04x", out,
			    c->h.service_start, c->h.service_end);
	}
	/* MshPRT v1.1 7.1.2.2.1 / 7.1.2.2.2: Data In is written without
	 * response, Data Out notified. */
	if (check_props(c, c->uuids.data_in, c->h.data_in, c->h.data_in_props,
			MP_GATT_PROP_WRITE_NO_RSP, "Write Without Response") ||
	    check_props(c, c->uuids.data_out, c->h.data_out, c->h.data_out_props,
			MP_GATT_PROP_NOTIFY, "Notify"))
		return 0;
	if (!c->h.data_out_end)
		c->h.data_out_end = c->h.service_end;
	return discover_descs(c, (uint32_t)c->h.data_out + 1);
}

static int on_chars(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint16_t handle = 0;
	size_t i;

	for (i = 0; i < p->list.count; i++) {
		struct mp_gatt_char_decl d;
		const uint8_t *value;
		size_t len;

		mp_att_data_entry(p, i, &handle, &value, &len);
		if (mp_att_decode_char_decl(value, len, &d) != 0)
			return fail(c, -EBADMSG, "malformed characteristic declaration at 0x%04x",
				    handle);
		if (handle < c->req_start || handle > c->req_end)
			return fail(c, -EBADMSG,
				    "declaration 0x%04x outside the range asked, 0x%04x..0x%04x",
				    handle, c->req_start, c->req_end);
		/* Core v5.4 Vol 3 Part G 3.1: the service declaration is the
		 * service's first attribute, no characteristic's. */
		if (handle == c->h.service_start)
			return fail(c, -EBADMSG,
				    "declaration 0x%04x is the service declaration's handle", handle);
		/* Part G 3.3.1: the value follows its declaration, inside the
		 * service. */
		if (d.value_handle <= handle || d.value_handle > c->h.service_end)
			return fail(c, -EBADMSG, "declaration 0x%04x points at value 0x%04x, "
				    "outside 0x%04x..0x%04x", handle, d.value_handle, handle + 1,
				    c->h.service_end);
		/* Data Out's descriptors end where the next characteristic starts. */
		if (c->h.data_out_decl && !c->h.data_out_end && handle > c->h.data_out_decl)
			c->h.data_out_end = (uint16_t)(handle - 1);
		if (!c->h.data_in_decl && mp_att_uuid_is(&d.uuid, c->uuids.data_in)) {
			c->h.data_in_decl = handle;
			c->h.data_in = d.value_handle;
			c->h.data_in_props = d.props;
		} else if (!c->h.data_out_decl && mp_att_uuid_is(&d.uuid, c->uuids.data_out)) {
			c->h.data_out_decl = handle;
			c->h.data_out = d.value_handle;
			c->h.data_out_props = d.props;
		}
	}
	/* Part G 4.6.1: go on after the last declaration until the range is
	 * exhausted. */
	return discover_chars(c, (uint32_t)handle + 1);
}

static int on_descs(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint16_t handle = 0;
	size_t i;

	for (i = 0; i < p->list.count; i++) {
		struct mp_att_uuid type;

		mp_att_info_entry(p, i, &handle, &type);
		if (handle < c->req_start || handle > c->req_end)
			return fail(c, -EBADMSG,
				    "descriptor 0x%04x outside the range asked, 0x%04x..0x%04x",
				    handle, c->req_start, c->req_end);
		if (mp_att_uuid_is(&type, MP_GATT_UUID_CCCD)) {
			c->h.cccd = handle;
			return write_cccd(c);
		}
	}
	return discover_descs(c, (uint32_t)handle + 1);
}

/* An Error Response to the outstanding request. */
static int on_error(struct mp_gatt_client *c, const struct mp_att_pdu *p)
{
	uint8_t code = p->err.code;
	char out[64];

	if (code == MP_ATT_ERR_ATTRIBUTE_NOT_FOUND) {
		switch (c->state) {
		case MP_GATT_CLIENT_SERVICE:
			uuid_label(out, sizeof(out), c->uuids.service);
			return fail(c, -ENOENT, "%s (0x%02x): no service %s",
				    mp_att_strerror(code), code, out);
		case MP_GATT_CLIENT_CHARS:
			/* Part G 4.6.1: the end of the characteristics. */
			return chars_done(c);
		case MP_GATT_CLIENT_DESCS:
			return no_cccd(c);
		case MP_GATT_CLIENT_IDLE: case MP_GATT_CLIENT_MTU: case MP_GATT_CLIENT_CCCD:
		case MP_GATT_CLIENT_READY: case MP_GATT_CLIENT_FAILED:
			/* nothing is searched for: an error like any other, below */
			break;
		}
	}
	/* Part G 4.3.1: a server need not support Exchange MTU; ATT_MTU stays
	 * at the default. */
	if (c->state == MP_GATT_CLIENT_MTU && code == MP_ATT_ERR_REQUEST_NOT_SUPPORTED)
		return discover_service(c);
	if (p->err.handle)
		return fail(c, mp_att_error_errno(code), "%s (0x%02x) for handle 0x%04x",
			    mp_att_strerror(code), code, p->err.handle);
	return fail(c, mp_att_error_errno(code), "%s (0x%02x)", mp_att_strerror(code), code);
}

static int on_response(struct mp_gatt_client *c, const uint8_t *pdu, size_t len)
{
	uint8_t op = pdu[0], req = c->req;
	struct mp_att_pdu p;
	int err;

	if (!req)
		return fail(c, -EPROTO, "unexpected %s (0x%02x) with no request outstanding",
			    mp_att_opcode_name(op), op);
	err = mp_att_decode(pdu, len, &p);
	if (op == MP_ATT_ERROR_RSP && !err && p.err.req_opcode != req)
		return fail(c, -EPROTO, "Error Response to %s (0x%02x) while %s is outstanding",
			    mp_att_opcode_name(p.err.req_opcode), p.err.req_opcode,
			    mp_att_opcode_name(req));
	if (op != MP_ATT_ERROR_RSP && op != mp_att_response_opcode(req))
		return fail(c, -EPROTO, "unexpected %s (0x%02x) to %s", mp_att_opcode_name(op),
			    op, mp_att_opcode_name(req));
	if (err)
		return fail(c, -EBADMSG, "malformed %s (%zu octets)", mp_att_opcode_name(op), len);
	c->req = 0;
	if (op == MP_ATT_ERROR_RSP)
		return on_error(c, &p);
	switch (c->state) {
	case MP_GATT_CLIENT_MTU:
		return on_mtu(c, &p);
	case MP_GATT_CLIENT_SERVICE:
		return on_service(c, &p);
	case MP_GATT_CLIENT_CHARS:
		return on_chars(c, &p);
	case MP_GATT_CLIENT_DESCS:
		return on_descs(c, &p);
	case MP_GATT_CLIENT_CCCD:
		return become_ready(c);
	case MP_GATT_CLIENT_IDLE: case MP_GATT_CLIENT_READY: case MP_GATT_CLIENT_FAILED:
		/* no request of ours is outstanding in these: unexpected, below */
		break;
	}
	return fail(c, -EPROTO, "unexpected %s", mp_att_opcode_name(op));
}

/* ---------- the peer as a client: we have no attributes ---------- */

static void send_error(struct mp_gatt_client *c, uint8_t req, uint16_t handle, uint8_t code)
{
	uint8_t out[8];
	ssize_t n = mp_att_encode_error(out, sizeof(out), req, handle, code);

	if (n > 0)
		c->ops->tx(c->owner, out, (size_t)n);
}

/* Core v5.4 Vol 3 Part F 3.4: what a server with an empty database says. */
static int answer_request(struct mp_gatt_client *c, const uint8_t *pdu, size_t len)
{
	struct mp_att_pdu p;
	uint8_t op = pdu[0];
	int err = mp_att_decode(pdu, len, &p);

	if (err == -EBADMSG) {
		send_error(c, op, 0, MP_ATT_ERR_INVALID_PDU);
		return 0;
	}
	switch (err ? 0 : op) {
	case MP_ATT_MTU_REQ: {
		struct mp_att_pdu rsp = { .opcode = MP_ATT_MTU_RSP, .mtu = { c->our_mtu } };
		uint16_t theirs = p.mtu.mtu < MP_ATT_MTU_DEFAULT ? MP_ATT_MTU_DEFAULT : p.mtu.mtu;

		/* The response goes out at the old ATT_MTU. */
		send_pdu(c, &rsp);
		if (!c->mtu_set) {
			c->mtu = theirs < c->our_mtu ? theirs : c->our_mtu;
			c->mtu_set = true;
		}
		return 0;
	}
	case MP_ATT_FIND_INFO_REQ:
		send_error(c, op, p.range.start, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
		return 0;
	case MP_ATT_FIND_BY_TYPE_REQ:
		send_error(c, op, p.find.start, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
		return 0;
	case MP_ATT_READ_BY_TYPE_REQ:
		send_error(c, op, p.by_type.start, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
		return 0;
	case MP_ATT_READ_BY_GROUP_REQ:
		if (!mp_att_uuid_is(&p.by_type.type, MP_GATT_UUID_PRIMARY_SERVICE) &&
		    !mp_att_uuid_is(&p.by_type.type, MP_GATT_UUID_SECONDARY_SERVICE))
			send_error(c, op, p.by_type.start, MP_ATT_ERR_UNSUPPORTED_GROUP_TYPE);
		else
			send_error(c, op, p.by_type.start, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
		return 0;
	case MP_ATT_READ_REQ:
	case MP_ATT_READ_BLOB_REQ:
		send_error(c, op, p.read.handle, MP_ATT_ERR_INVALID_HANDLE);
		return 0;
	case MP_ATT_WRITE_REQ:
		send_error(c, op, p.hv.handle, MP_ATT_ERR_INVALID_HANDLE);
		return 0;
	}
	if (err == -ERANGE) {
		/* A range starting at 0 or ending before it starts, handle 0. */
		uint16_t h = op == MP_ATT_FIND_INFO_REQ ? p.range.start :
			     op == MP_ATT_FIND_BY_TYPE_REQ ? p.find.start :
			     op == MP_ATT_READ_REQ || op == MP_ATT_READ_BLOB_REQ ? p.read.handle :
			     op == MP_ATT_WRITE_REQ ? p.hv.handle : p.by_type.start;

		send_error(c, op, h, MP_ATT_ERR_INVALID_HANDLE);
		return 0;
	}
	send_error(c, op, 0, MP_ATT_ERR_REQUEST_NOT_SUPPORTED);
	return 0;
}

/* ---------- entry points ---------- */

static int on_notify(struct mp_gatt_client *c, const uint8_t *pdu, size_t len)
{
	struct mp_att_pdu p;

	if (mp_att_decode(pdu, len, &p) != 0)
		return fail(c, -EBADMSG, "malformed Handle Value Notification (%zu octets)", len);
	if (c->state != MP_GATT_CLIENT_READY || p.hv.handle != c->h.data_out)
		return -ENOENT;
	if (c->ops->notify)
		c->ops->notify(c->owner, p.hv.value, p.hv.len);
	return 0;
}

static int on_indicate(struct mp_gatt_client *c, const uint8_t *pdu, size_t len)
{
	struct mp_att_pdu p, cfm = { .opcode = MP_ATT_CONFIRM };

	if (mp_att_decode(pdu, len, &p) != 0)
		return fail(c, -EBADMSG, "malformed Handle Value Indication (%zu octets)", len);
	/* Core v5.4 Vol 3 Part F 3.4.7.2: every indication is confirmed; none
	 * of ours is subscribed, so the value is dropped. */
	send_pdu(c, &cfm);
	return -ENOENT;
}

int mp_gatt_client_rx(struct mp_gatt_client *c, const uint8_t *pdu, size_t len)
{
	if (c->state == MP_GATT_CLIENT_IDLE || c->state == MP_GATT_CLIENT_FAILED)
		return -ENOTCONN;
	if (!pdu || len == 0)
		return fail(c, -EBADMSG, "empty PDU");
	/* Core v5.4 Vol 3 Part F 3.2.8: nothing longer than ATT_MTU is sent. */
	if (len > c->mtu) {
		if (pdu[0] == MP_ATT_NOTIFY)
			return fail(c, -EMSGSIZE,
				    "Handle Value Notification of %zu octets exceeds ATT_MTU %u",
				    len, c->mtu);
		return fail(c, -EBADMSG, "%s (0x%02x) of %zu octets exceeds ATT_MTU %u",
			    mp_att_opcode_name(pdu[0]), pdu[0], len, c->mtu);
	}
	switch (mp_att_opcode_kind(pdu[0])) {
	case MP_ATT_KIND_RESPONSE:
		return on_response(c, pdu, len);
	case MP_ATT_KIND_REQUEST:
		return answer_request(c, pdu, len);
	case MP_ATT_KIND_NOTIFICATION:
		/* Multiple Handle Value Notifications need a feature we never
		 * enabled (Core v5.4 Vol 3 Part G 7.2). */
		if (pdu[0] != MP_ATT_NOTIFY)
			return -EOPNOTSUPP;
		return on_notify(c, pdu, len);
	case MP_ATT_KIND_INDICATION:
		return on_indicate(c, pdu, len);
	case MP_ATT_KIND_COMMAND:
	case MP_ATT_KIND_CONFIRMATION:
		break;
	}
	/* Commands are never answered (3.4.9); we send no indication, so a
	 * confirmation answers nothing. */
	return -EOPNOTSUPP;
}

void mp_gatt_client_timeout(struct mp_gatt_client *c)
{
	if (!c->timer_armed)
		return;
	c->timer_armed = false;
	if (!c->req)
		return;
	/* Core v5.4 Vol 3 Part F 3.3.3: the transaction failed, and nothing
	 * more may be sent on this bearer. */
	fail(c, -ETIMEDOUT, "no answer to %s within %u s", mp_att_opcode_name(c->req),
	     MP_ATT_TIMEOUT_MS / 1000);
}

int mp_gatt_client_write(struct mp_gatt_client *c, const uint8_t *value, size_t len)
{
	struct mp_att_pdu p = {
		.opcode = MP_ATT_WRITE_CMD,
		.hv = { .handle = c->h.data_in, .value = value, .len = len },
	};

	if (c->state != MP_GATT_CLIENT_READY)
		return -ENOTCONN;
	if (!value)
		return -EINVAL;
	/* Core v5.4 Vol 3 Part F 3.4.5.3: opcode and handle leave ATT_MTU - 3. */
	if (len == 0 || len > (size_t)c->mtu - 3)
		return -EMSGSIZE;
	send_pdu(c, &p);
	return 0;
}

enum mp_gatt_client_state mp_gatt_client_state(const struct mp_gatt_client *c)
{
	return c->state;
}

const char *mp_gatt_client_step(const struct mp_gatt_client *c)
{
	return mp_gatt_client_state_name(c->state == MP_GATT_CLIENT_FAILED ? c->failed_in :
					 c->state);
}

const char *mp_gatt_client_reason(const struct mp_gatt_client *c)
{
	return c->reason;
}

uint16_t mp_gatt_client_mtu(const struct mp_gatt_client *c)
{
	return c->mtu;
}

const struct mp_gatt_handles *mp_gatt_client_handles(const struct mp_gatt_client *c)
{
	return &c->h;
}
