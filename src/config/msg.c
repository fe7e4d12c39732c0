/* Configuration messages, both directions, from one table; see
 * include/config/msg.h. MshPRT v1.1 4.3.2. */
#include "config/msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "access/msg.h"
#include "config/comp.h"
#include "core/buf.h"

/* The parameter layouts (after the opcode), one per shape of message;
 * ST_ means the layout starts with a Status octet. */
enum layout {
	L_EMPTY,
	L_PAGE,			/* Page */
	L_COMP_STATUS,		/* Page, Data */
	L_STATE,		/* one-octet state */
	L_RELAY,		/* Relay, RelayRetransmit */
	L_KEYS_KEY,		/* NetKeyIndexAndAppKeyIndex (3), AppKey (16) */
	L_KEYS,			/* NetKeyIndexAndAppKeyIndex */
	L_ST_KEYS,
	L_NET,			/* NetKeyIndex (2) */
	L_NET_KEY,		/* NetKeyIndex, NetKey (16) */
	L_ST_NET,
	L_ST_NET_APPS,		/* Status, NetKeyIndex, AppKeyIndexes (packed) */
	L_NETS,			/* NetKeyIndexes (packed) */
	L_NET_STATE,		/* NetKeyIndex, state */
	L_ST_NET_STATE,
	L_ELEM_MODEL,		/* ElementAddress, ModelIdentifier */
	L_ELEM_ADDR_MODEL,	/* ElementAddress, Address, ModelIdentifier */
	L_ELEM_LABEL_MODEL,	/* ElementAddress, Label, ModelIdentifier */
	L_ST_ELEM_ADDR_MODEL,
	L_ST_ELEM_MODEL_ADDRS,	/* Status, ElementAddress, ModelIdentifier, Addresses */
	L_ELEM_APP_MODEL,	/* ElementAddress, AppKeyIndex, ModelIdentifier */
	L_ST_ELEM_APP_MODEL,
	L_ST_ELEM_MODEL_APPS,	/* Status, ElementAddress, ModelIdentifier, AppKeyIndexes */
	L_PUB_SET,		/* ElementAddress, PublishAddress, AppKeyIndex|CredentialFlag,
				 * PublishTTL, PublishPeriod, PublishRetransmit, ModelIdentifier */
	L_PUB_VA_SET,		/* the same with a Label UUID for PublishAddress */
	L_ST_PUB,
	L_HB_PUB,		/* Destination, CountLog, PeriodLog, TTL, Features, NetKeyIndex */
	L_ST_HB_PUB,
	L_HB_SUB,		/* Source, Destination, PeriodLog */
	L_ST_HB_SUB,		/* Status, Source, Destination, PeriodLog, CountLog, MinHops, MaxHops */
	L_ADDR,			/* LPNAddress */
	L_LPN_STATUS,		/* LPNAddress, PollTimeout (3) */
};

/* What a one-octet state may hold (MshPRT v1.1 4.2 and 4.3.2). */
enum vkind {
	V_ANY,			/* Network Transmit: every value means something */
	V_BOOL,			/* 0x00 or 0x01: a Set, or the Beacon state */
	V_TRI,			/* and 0x02 Not Supported: a Status */
	V_TTL,			/* Default TTL: 0x00, 0x02-0x7f */
	V_TRANSITION,		/* Key Refresh Phase Set: 0x02, 0x03 */
	V_PHASE,		/* Key Refresh Phase Status: 0x00-0x02 */
};

/* Size of a model identifier: by opcode, or the rest of the message. */
enum mkind { M_END, M_SIG, M_VND };

struct desc {
	uint32_t op;
	uint32_t resp;		/* the answer's opcode; 0: this is an answer */
	const char *name;
	uint8_t layout;
	uint8_t vkind;
	uint8_t model;
};

#define D(op, resp, name, layout, v, m) \
	{ MP_CFG_OP_##op, resp, name, layout, v, m }
#define R(op) MP_CFG_OP_##op

static const struct desc descs[] = {
	D(APPKEY_ADD, R(APPKEY_STATUS), "Config AppKey Add", L_KEYS_KEY, V_ANY, M_END),
	D(APPKEY_UPDATE, R(APPKEY_STATUS), "Config AppKey Update", L_KEYS_KEY, V_ANY, M_END),
	D(APPKEY_DELETE, R(APPKEY_STATUS), "Config AppKey Delete", L_KEYS, V_ANY, M_END),
	D(APPKEY_STATUS, 0, "Config AppKey Status", L_ST_KEYS, V_ANY, M_END),
	D(APPKEY_GET, R(APPKEY_LIST), "Config AppKey Get", L_NET, V_ANY, M_END),
	D(APPKEY_LIST, 0, "Config AppKey List", L_ST_NET_APPS, V_ANY, M_END),
	D(NETKEY_ADD, R(NETKEY_STATUS), "Config NetKey Add", L_NET_KEY, V_ANY, M_END),
	D(NETKEY_UPDATE, R(NETKEY_STATUS), "Config NetKey Update", L_NET_KEY, V_ANY, M_END),
	D(NETKEY_DELETE, R(NETKEY_STATUS), "Config NetKey Delete", L_NET, V_ANY, M_END),
	D(NETKEY_STATUS, 0, "Config NetKey Status", L_ST_NET, V_ANY, M_END),
	D(NETKEY_GET, R(NETKEY_LIST), "Config NetKey Get", L_EMPTY, V_ANY, M_END),
	D(NETKEY_LIST, 0, "Config NetKey List", L_NETS, V_ANY, M_END),
	D(COMPOSITION_DATA_GET, R(COMPOSITION_DATA_STATUS), "Config Composition Data Get",
	  L_PAGE, V_ANY, M_END),
	D(COMPOSITION_DATA_STATUS, 0, "Config Composition Data Status", L_COMP_STATUS, V_ANY,
	  M_END),
	D(BEACON_GET, R(BEACON_STATUS), "Config Beacon Get", L_EMPTY, V_ANY, M_END),
	D(BEACON_SET, R(BEACON_STATUS), "Config Beacon Set", L_STATE, V_BOOL, M_END),
	D(BEACON_STATUS, 0, "Config Beacon Status", L_STATE, V_BOOL, M_END),
	D(DEFAULT_TTL_GET, R(DEFAULT_TTL_STATUS), "Config Default TTL Get", L_EMPTY, V_ANY, M_END),
	D(DEFAULT_TTL_SET, R(DEFAULT_TTL_STATUS), "Config Default TTL Set", L_STATE, V_TTL, M_END),
	D(DEFAULT_TTL_STATUS, 0, "Config Default TTL Status", L_STATE, V_TTL, M_END),
	D(FRIEND_GET, R(FRIEND_STATUS), "Config Friend Get", L_EMPTY, V_ANY, M_END),
	D(FRIEND_SET, R(FRIEND_STATUS), "Config Friend Set", L_STATE, V_BOOL, M_END),
	D(FRIEND_STATUS, 0, "Config Friend Status", L_STATE, V_TRI, M_END),
	D(GATT_PROXY_GET, R(GATT_PROXY_STATUS), "Config GATT Proxy Get", L_EMPTY, V_ANY, M_END),
	D(GATT_PROXY_SET, R(GATT_PROXY_STATUS), "Config GATT Proxy Set", L_STATE, V_BOOL, M_END),
	D(GATT_PROXY_STATUS, 0, "Config GATT Proxy Status", L_STATE, V_TRI, M_END),
	D(RELAY_GET, R(RELAY_STATUS), "Config Relay Get", L_EMPTY, V_ANY, M_END),
	D(RELAY_SET, R(RELAY_STATUS), "Config Relay Set", L_RELAY, V_BOOL, M_END),
	D(RELAY_STATUS, 0, "Config Relay Status", L_RELAY, V_TRI, M_END),
	D(NETWORK_TRANSMIT_GET, R(NETWORK_TRANSMIT_STATUS), "Config Network Transmit Get", L_EMPTY,
	  V_ANY, M_END),
	D(NETWORK_TRANSMIT_SET, R(NETWORK_TRANSMIT_STATUS), "Config Network Transmit Set", L_STATE,
	  V_ANY, M_END),
	D(NETWORK_TRANSMIT_STATUS, 0, "Config Network Transmit Status", L_STATE, V_ANY, M_END),
	D(NODE_IDENTITY_GET, R(NODE_IDENTITY_STATUS), "Config Node Identity Get", L_NET, V_ANY,
	  M_END),
	D(NODE_IDENTITY_SET, R(NODE_IDENTITY_STATUS), "Config Node Identity Set", L_NET_STATE,
	  V_BOOL, M_END),
	D(NODE_IDENTITY_STATUS, 0, "Config Node Identity Status", L_ST_NET_STATE, V_TRI, M_END),
	D(KEY_REFRESH_PHASE_GET, R(KEY_REFRESH_PHASE_STATUS), "Config Key Refresh Phase Get", L_NET,
	  V_ANY, M_END),
	D(KEY_REFRESH_PHASE_SET, R(KEY_REFRESH_PHASE_STATUS), "Config Key Refresh Phase Set",
	  L_NET_STATE, V_TRANSITION, M_END),
	D(KEY_REFRESH_PHASE_STATUS, 0, "Config Key Refresh Phase Status", L_ST_NET_STATE, V_PHASE,
	  M_END),
	D(MODEL_PUBLICATION_GET, R(MODEL_PUBLICATION_STATUS), "Config Model Publication Get",
	  L_ELEM_MODEL, V_ANY, M_END),
	D(MODEL_PUBLICATION_SET, R(MODEL_PUBLICATION_STATUS), "Config Model Publication Set",
	  L_PUB_SET, V_ANY, M_END),
	D(MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET, R(MODEL_PUBLICATION_STATUS),
	  "Config Model Publication Virtual Address Set", L_PUB_VA_SET, V_ANY, M_END),
	D(MODEL_PUBLICATION_STATUS, 0, "Config Model Publication Status", L_ST_PUB, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_ADD, R(MODEL_SUBSCRIPTION_STATUS), "Config Model Subscription Add",
	  L_ELEM_ADDR_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_DELETE, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Delete", L_ELEM_ADDR_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_OVERWRITE, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Overwrite", L_ELEM_ADDR_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_DELETE_ALL, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Delete All", L_ELEM_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Virtual Address Add", L_ELEM_LABEL_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Virtual Address Delete", L_ELEM_LABEL_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE, R(MODEL_SUBSCRIPTION_STATUS),
	  "Config Model Subscription Virtual Address Overwrite", L_ELEM_LABEL_MODEL, V_ANY, M_END),
	D(MODEL_SUBSCRIPTION_STATUS, 0, "Config Model Subscription Status", L_ST_ELEM_ADDR_MODEL,
	  V_ANY, M_END),
	D(SIG_MODEL_SUBSCRIPTION_GET, R(SIG_MODEL_SUBSCRIPTION_LIST),
	  "Config SIG Model Subscription Get", L_ELEM_MODEL, V_ANY, M_SIG),
	D(SIG_MODEL_SUBSCRIPTION_LIST, 0, "Config SIG Model Subscription List",
	  L_ST_ELEM_MODEL_ADDRS, V_ANY, M_SIG),
	D(VENDOR_MODEL_SUBSCRIPTION_GET, R(VENDOR_MODEL_SUBSCRIPTION_LIST),
	  "Config Vendor Model Subscription Get", L_ELEM_MODEL, V_ANY, M_VND),
	D(VENDOR_MODEL_SUBSCRIPTION_LIST, 0, "Config Vendor Model Subscription List",
	  L_ST_ELEM_MODEL_ADDRS, V_ANY, M_VND),
	D(LOW_POWER_NODE_POLLTIMEOUT_GET, R(LOW_POWER_NODE_POLLTIMEOUT_STATUS),
	  "Config Low Power Node PollTimeout Get", L_ADDR, V_ANY, M_END),
	D(LOW_POWER_NODE_POLLTIMEOUT_STATUS, 0, "Config Low Power Node PollTimeout Status",
	  L_LPN_STATUS, V_ANY, M_END),
	D(HEARTBEAT_PUBLICATION_GET, R(HEARTBEAT_PUBLICATION_STATUS),
	  "Config Heartbeat Publication Get", L_EMPTY, V_ANY, M_END),
	D(HEARTBEAT_PUBLICATION_SET, R(HEARTBEAT_PUBLICATION_STATUS),
	  "Config Heartbeat Publication Set", L_HB_PUB, V_ANY, M_END),
	D(HEARTBEAT_PUBLICATION_STATUS, 0, "Config Heartbeat Publication Status", L_ST_HB_PUB,
	  V_ANY, M_END),
	D(HEARTBEAT_SUBSCRIPTION_GET, R(HEARTBEAT_SUBSCRIPTION_STATUS),
	  "Config Heartbeat Subscription Get", L_EMPTY, V_ANY, M_END),
	D(HEARTBEAT_SUBSCRIPTION_SET, R(HEARTBEAT_SUBSCRIPTION_STATUS),
	  "Config Heartbeat Subscription Set", L_HB_SUB, V_ANY, M_END),
	D(HEARTBEAT_SUBSCRIPTION_STATUS, 0, "Config Heartbeat Subscription Status", L_ST_HB_SUB,
	  V_ANY, M_END),
	D(MODEL_APP_BIND, R(MODEL_APP_STATUS), "Config Model App Bind", L_ELEM_APP_MODEL, V_ANY,
	  M_END),
	D(MODEL_APP_UNBIND, R(MODEL_APP_STATUS), "Config Model App Unbind", L_ELEM_APP_MODEL, V_ANY,
	  M_END),
	D(MODEL_APP_STATUS, 0, "Config Model App Status", L_ST_ELEM_APP_MODEL, V_ANY, M_END),
	D(SIG_MODEL_APP_GET, R(SIG_MODEL_APP_LIST), "Config SIG Model App Get", L_ELEM_MODEL, V_ANY,
	  M_SIG),
	D(SIG_MODEL_APP_LIST, 0, "Config SIG Model App List", L_ST_ELEM_MODEL_APPS, V_ANY, M_SIG),
	D(VENDOR_MODEL_APP_GET, R(VENDOR_MODEL_APP_LIST), "Config Vendor Model App Get",
	  L_ELEM_MODEL, V_ANY, M_VND),
	D(VENDOR_MODEL_APP_LIST, 0, "Config Vendor Model App List", L_ST_ELEM_MODEL_APPS, V_ANY,
	  M_VND),
	D(NODE_RESET, R(NODE_RESET_STATUS), "Config Node Reset", L_EMPTY, V_ANY, M_END),
	D(NODE_RESET_STATUS, 0, "Config Node Reset Status", L_EMPTY, V_ANY, M_END),
};

static const struct desc *find(uint32_t op)
{
	size_t i;

	for (i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (descs[i].op == op)
			return &descs[i];
	return NULL;
}

/* MshPRT v1.1 4.3, the summary of status codes. */
static const char *const status_names[] = {
	"Success",
	"Invalid Address",
	"Invalid Model",
	"Invalid AppKey Index",
	"Invalid NetKey Index",
	"Insufficient Resources",
	"Key Index Already Stored",
	"Invalid Publish Parameters",
	"Not a Subscribe Model",
	"Storage Failure",
	"Feature Not Supported",
	"Cannot Update",
	"Cannot Remove",
	"Cannot Bind",
	"Temporarily Unable to Change State",
	"Cannot Set",
	"Unspecified Error",
	"Invalid Binding",
	"Invalid Path Entry",
	"Cannot Get",
	"Obsolete Information",
	"Invalid Bearer",
};

const char *mp_cfg_status_name(unsigned int status)
{
	return status < sizeof(status_names) / sizeof(status_names[0]) ? status_names[status]
									: NULL;
}

int mp_cfg_status_text(unsigned int status, char *buf, size_t n)
{
	const char *name = mp_cfg_status_name(status);

	if (name)
		return snprintf(buf, n, "%s", name);
	return snprintf(buf, n, "RFU status 0x%02x", status & 0xff);
}

const char *mp_cfg_op_name(uint32_t opcode)
{
	const struct desc *d = find(opcode);

	return d ? d->name : NULL;
}

bool mp_cfg_is_status(uint32_t opcode)
{
	const struct desc *d = find(opcode);

	return d && !d->resp;
}

/* Key indexes: 12 bits; two of them in three octets, the first in the low
 * 12 bits of the little-endian 24-bit value (8.3.6: 0x456 and 0x123 are
 * 56 34 12). MshPRT v1.1 4.3.1.1 */
void mp_cfg_pack_idx2(uint16_t a, uint16_t b, uint8_t out[3])
{
	uint32_t v = (uint32_t)(a & 0xfff) | (uint32_t)(b & 0xfff) << 12;

	out[0] = (uint8_t)v;
	out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)(v >> 16);
}

void mp_cfg_unpack_idx2(const uint8_t in[3], uint16_t *a, uint16_t *b)
{
	uint32_t v = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16;

	*a = (uint16_t)(v & 0xfff);
	*b = (uint16_t)(v >> 12);
}

/* Addresses. MshPRT v1.1 3.4.2 */
static bool is_unicast(uint16_t a)
{
	return a && a < 0x8000;
}

static bool is_virtual(uint16_t a)
{
	return a >= 0x8000 && a < 0xc000;
}

static bool is_group(uint16_t a)
{
	return a >= 0xc000;
}

static bool has_status(enum layout l)
{
	switch (l) {
	case L_ST_KEYS: case L_ST_NET: case L_ST_NET_APPS: case L_ST_NET_STATE:
	case L_ST_ELEM_ADDR_MODEL: case L_ST_ELEM_MODEL_ADDRS: case L_ST_ELEM_APP_MODEL:
	case L_ST_ELEM_MODEL_APPS: case L_ST_PUB: case L_ST_HB_PUB: case L_ST_HB_SUB:
		return true;
	case L_EMPTY: case L_PAGE: case L_COMP_STATUS: case L_STATE: case L_RELAY:
	case L_KEYS_KEY: case L_KEYS: case L_NET: case L_NET_KEY: case L_NETS:
	case L_NET_STATE: case L_ELEM_MODEL: case L_ELEM_ADDR_MODEL: case L_ELEM_LABEL_MODEL:
	case L_ELEM_APP_MODEL: case L_PUB_SET: case L_PUB_VA_SET: case L_HB_PUB: case L_HB_SUB:
	case L_ADDR: case L_LPN_STATUS:
		return false;
	}
	return false;		/* only the table's layouts reach here, all listed above */
}

static bool has_elem(enum layout l)
{
	switch (l) {
	case L_ELEM_MODEL: case L_ELEM_ADDR_MODEL: case L_ELEM_LABEL_MODEL:
	case L_ST_ELEM_ADDR_MODEL: case L_ST_ELEM_MODEL_ADDRS: case L_ELEM_APP_MODEL:
	case L_ST_ELEM_APP_MODEL: case L_ST_ELEM_MODEL_APPS: case L_PUB_SET: case L_PUB_VA_SET:
	case L_ST_PUB:
		return true;
	case L_EMPTY: case L_PAGE: case L_COMP_STATUS: case L_STATE: case L_RELAY:
	case L_KEYS_KEY: case L_KEYS: case L_ST_KEYS: case L_NET: case L_NET_KEY: case L_ST_NET:
	case L_ST_NET_APPS: case L_NETS: case L_NET_STATE: case L_ST_NET_STATE: case L_HB_PUB:
	case L_ST_HB_PUB: case L_HB_SUB: case L_ST_HB_SUB: case L_ADDR: case L_LPN_STATUS:
		return false;
	}
	return false;		/* only the table's layouts reach here, all listed above */
}

static bool state_ok(enum vkind v, uint8_t s)
{
	switch (v) {
	case V_BOOL:
		return s <= 0x01;
	case V_TRI:
		return s <= 0x02;
	case V_TTL:		/* 1 is Prohibited, 0x80-0xff too (Default TTL) */
		return s != 0x01 && s <= 0x7f;
	case V_TRANSITION:	/* Key Refresh Phase Set: only the transitions 2 and 3 */
		return s == 0x02 || s == 0x03;
	case V_PHASE:
		return s <= 0x02;
	case V_ANY:		/* Network Transmit: every value means something */
		return true;
	}
	return true;		/* only the table's kinds reach here, all listed above */
}

/* Every value a message's fields may hold; false for a Prohibited or RFU
 * one. The decoder answers -ERANGE, the encoder -EINVAL. */
static bool fields_ok(const struct desc *d, const struct mp_cfg_msg *m)
{
	const struct mp_cfg_hb_pub *hp = &m->hb_pub;
	const struct mp_cfg_hb_sub *hs = &m->hb_sub;
	size_t i;

	if (m->net_idx > 0xfff || m->app_idx > 0xfff)
		return false;
	if (has_elem(d->layout) && !is_unicast(m->elem_addr))
		return false;
	if ((d->model == M_SIG && m->model.vendor) || (d->model == M_VND && !m->model.vendor))
		return false;
	if (m->n_list > MP_CFG_LIST_MAX)
		return false;
	switch (d->layout) {
	case L_STATE: case L_RELAY: case L_NET_STATE: case L_ST_NET_STATE:
		return state_ok(d->vkind, m->state);
	case L_NETS: case L_ST_NET_APPS: case L_ST_ELEM_MODEL_APPS:
		for (i = 0; i < m->n_list; i++)
			if (m->list[i] > 0xfff)
				return false;
		return true;
	case L_ELEM_ADDR_MODEL:
		/* Not unassigned, unicast or virtual (Subscription Add) */
		return is_group(m->addr);
	case L_PUB_SET: case L_PUB_VA_SET: case L_ST_PUB:
		/* A virtual address goes with its Label UUID (Virtual Address
		 * Set); a Status shows its hash. */
		if (d->layout == L_PUB_SET && is_virtual(m->pub.addr))
			return false;
		if (d->layout == L_PUB_VA_SET && m->pub.addr)
			return false;	/* the hash is the node's to compute */
		/* Publish TTL: 0x80-0xfe Prohibited. */
		return m->pub.app_idx <= 0xfff && (m->pub.ttl <= 0x7f || m->pub.ttl == 0xff);
	case L_HB_PUB: case L_ST_HB_PUB:
		/* Heartbeat Publication: Destination not virtual; CountLog 0x12-0xfe and
		 * PeriodLog 0x12-0xff Prohibited; TTL 0x80-0xff Prohibited;
		 * Features bits 4-15 RFU; NetKeyIndex 12 bits. */
		return !is_virtual(hp->dst) && (hp->count_log <= 0x11 || hp->count_log == 0xff) &&
		       hp->period_log <= 0x11 && hp->ttl <= 0x7f && !(hp->features & ~MP_CFG_FEAT_KNOWN) &&
		       hp->net_idx <= 0xfff;
	case L_HB_SUB: case L_ST_HB_SUB:
		/* Heartbeat Subscription: Source unassigned or unicast, Destination not
		 * virtual, PeriodLog 0x00-0x11; in the Status CountLog
		 * 0x00-0x10 or 0xff and hops 0x00-0x7f. */
		if ((hs->src && !is_unicast(hs->src)) || is_virtual(hs->dst) || hs->period_log > 0x11)
			return false;
		if (d->layout == L_HB_SUB)
			return !hs->count_log && !hs->min_hops && !hs->max_hops;
		return (hs->count_log <= 0x10 || hs->count_log == 0xff) && hs->min_hops <= 0x7f &&
		       hs->max_hops <= 0x7f;
	case L_ADDR:
		return is_unicast(m->addr);
	case L_LPN_STATUS:
		/* PollTimeout 0x000001-0x000009 and above 0x34bbff Prohibited. */
		return is_unicast(m->addr) &&
		       (m->poll_timeout == 0 ||
			(m->poll_timeout >= 0x00000a && m->poll_timeout <= 0x34bbff));
	case L_COMP_STATUS:
		if (m->data_len > MP_ACCESS_MSG_MAX || (m->data_len && !m->data))
			return false;
		return true;
	default:
		return true;
	}
}

/* A 12-bit key index in two octets: the top 4 bits are RFU. 4.3.1.1, Key indexes */
static int get_idx(struct mp_reader *r, uint16_t *idx)
{
	mp_get_le16(r, idx);
	return *idx > 0xfff ? -ERANGE : 0;
}

static int get_model(struct mp_reader *r, enum mkind k, struct mp_model_id *m)
{
	size_t left = mp_reader_left(r);

	if (k == M_END) {
		if (r->err || left < 2 || left == 3)
			return -EBADMSG;
		if (left > 4)
			return -EMSGSIZE;
		k = left == 2 ? M_SIG : M_VND;
	}
	m->vendor = k == M_VND;
	if (m->vendor)
		mp_get_le16(r, &m->cid);
	mp_get_le16(r, &m->id);
	return 0;
}

/* The packed key indexes that end a message. 4.3.1.1, Key indexes */
static int get_idx_list(struct mp_reader *r, struct mp_cfg_msg *m)
{
	size_t left = mp_reader_left(r);

	if (r->err || left % 3 == 1)
		return -EBADMSG;
	while (mp_reader_left(r) >= 3) {
		const uint8_t *p;

		mp_get_ref(r, &p, 3);
		mp_cfg_unpack_idx2(p, &m->list[m->n_list], &m->list[m->n_list + 1]);
		m->n_list += 2;
	}
	if (mp_reader_left(r) == 2) {
		int err = get_idx(r, &m->list[m->n_list]);

		if (err)
			return err;
		m->n_list++;
	}
	return 0;
}

static int get_addr_list(struct mp_reader *r, struct mp_cfg_msg *m)
{
	if (r->err || mp_reader_left(r) % 2)
		return -EBADMSG;
	while (mp_reader_left(r))
		mp_get_le16(r, &m->list[m->n_list++]);
	return 0;
}

static uint32_t get_le24(struct mp_reader *r)
{
	uint8_t b[3];

	mp_get_bytes(r, b, 3);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
}

/* PublishAppKeyIndex (12 bits), CredentialFlag (1), RFU (3), in Config
 * Model Publication Set and Status. */
static int get_pub_params(struct mp_reader *r, struct mp_cfg_pub *p)
{
	uint16_t v;

	mp_get_le16(r, &v);
	mp_get_u8(r, &p->ttl);
	mp_get_u8(r, &p->period);
	mp_get_u8(r, &p->retransmit);
	p->app_idx = v & 0xfff;
	p->cred = v & 0x1000;
	return v & 0xe000 ? -ERANGE : 0;
}

/* Read the parameters of layout @d into @m. The fixed part first: once it
 * is read, a short reader is a truncated message; then whatever ends the
 * message (model identifier, list), and nothing may be left over. */
static int get_params(const struct desc *d, struct mp_reader *r, struct mp_cfg_msg *m)
{
	int rfu = 0, err = 0;

	if (has_status(d->layout))
		mp_get_u8(r, &m->status);
	switch (d->layout) {
	case L_EMPTY:
		break;
	case L_PAGE:
		mp_get_u8(r, &m->page);
		break;
	case L_COMP_STATUS:
		mp_get_u8(r, &m->page);
		m->data_len = mp_reader_left(r);
		mp_get_ref(r, &m->data, m->data_len);
		break;
	case L_STATE:
		mp_get_u8(r, &m->state);
		break;
	case L_RELAY:
		mp_get_u8(r, &m->state);
		mp_get_u8(r, &m->retransmit);
		break;
	case L_KEYS_KEY: case L_KEYS: case L_ST_KEYS: {
		const uint8_t *p;

		if (mp_get_ref(r, &p, 3))
			mp_cfg_unpack_idx2(p, &m->net_idx, &m->app_idx);
		if (d->layout == L_KEYS_KEY)
			mp_get_bytes(r, m->key, 16);
		break;
	}
	case L_NET: case L_NET_KEY: case L_ST_NET: case L_ST_NET_APPS: case L_NET_STATE:
	case L_ST_NET_STATE:
		rfu |= get_idx(r, &m->net_idx);
		if (d->layout == L_NET_KEY)
			mp_get_bytes(r, m->key, 16);
		if (d->layout == L_NET_STATE || d->layout == L_ST_NET_STATE)
			mp_get_u8(r, &m->state);
		if (d->layout == L_ST_NET_APPS)
			err = get_idx_list(r, m);
		break;
	case L_NETS:
		err = get_idx_list(r, m);
		break;
	case L_ELEM_MODEL: case L_ELEM_ADDR_MODEL: case L_ELEM_LABEL_MODEL:
	case L_ST_ELEM_ADDR_MODEL: case L_ELEM_APP_MODEL: case L_ST_ELEM_APP_MODEL:
		mp_get_le16(r, &m->elem_addr);
		if (d->layout == L_ELEM_ADDR_MODEL || d->layout == L_ST_ELEM_ADDR_MODEL)
			mp_get_le16(r, &m->addr);
		if (d->layout == L_ELEM_LABEL_MODEL)
			mp_get_bytes(r, m->label, 16);
		if (d->layout == L_ELEM_APP_MODEL || d->layout == L_ST_ELEM_APP_MODEL)
			rfu |= get_idx(r, &m->app_idx);
		err = get_model(r, d->model, &m->model);
		break;
	case L_ST_ELEM_MODEL_ADDRS: case L_ST_ELEM_MODEL_APPS:
		mp_get_le16(r, &m->elem_addr);
		err = get_model(r, d->model, &m->model);
		if (!err)
			err = d->layout == L_ST_ELEM_MODEL_ADDRS ? get_addr_list(r, m)
								   : get_idx_list(r, m);
		break;
	case L_PUB_SET: case L_PUB_VA_SET: case L_ST_PUB:
		mp_get_le16(r, &m->elem_addr);
		if (d->layout == L_PUB_VA_SET)
			mp_get_bytes(r, m->pub.label, 16);
		else
			mp_get_le16(r, &m->pub.addr);
		rfu |= get_pub_params(r, &m->pub);
		err = get_model(r, d->model, &m->model);
		break;
	case L_HB_PUB: case L_ST_HB_PUB:
		mp_get_le16(r, &m->hb_pub.dst);
		mp_get_u8(r, &m->hb_pub.count_log);
		mp_get_u8(r, &m->hb_pub.period_log);
		mp_get_u8(r, &m->hb_pub.ttl);
		mp_get_le16(r, &m->hb_pub.features);
		rfu |= get_idx(r, &m->hb_pub.net_idx);
		break;
	case L_HB_SUB: case L_ST_HB_SUB:
		mp_get_le16(r, &m->hb_sub.src);
		mp_get_le16(r, &m->hb_sub.dst);
		mp_get_u8(r, &m->hb_sub.period_log);
		if (d->layout == L_ST_HB_SUB) {
			mp_get_u8(r, &m->hb_sub.count_log);
			mp_get_u8(r, &m->hb_sub.min_hops);
			mp_get_u8(r, &m->hb_sub.max_hops);
		}
		break;
	case L_ADDR: case L_LPN_STATUS:
		mp_get_le16(r, &m->addr);
		if (d->layout == L_LPN_STATUS)
			m->poll_timeout = get_le24(r);
		break;
	}
	if (err)
		return err;
	if (r->err)
		return -EBADMSG;
	if (mp_reader_left(r))
		return -EMSGSIZE;
	return rfu ? -ERANGE : 0;
}

/* Keys pass through here; no crypto/ below us for OPENSSL_cleanse. */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

int mp_cfg_decode(const uint8_t *data, size_t len, struct mp_cfg_msg *msg)
{
	struct mp_access_msg am;
	struct mp_reader r;
	const struct desc *d;
	int err;

	memset(msg, 0, sizeof(*msg));
	err = mp_access_msg_decode(data, len, &am);
	if (err)
		return err;
	d = find(am.opcode);
	if (!d)
		return -ENOMSG;
	msg->opcode = am.opcode;
	mp_reader_init(&r, am.params, am.len);
	err = get_params(d, &r, msg);
	if (!err && !fields_ok(d, msg))
		err = -ERANGE;
	/* Page 0 is decoded by its own codec; a Status carrying one it
	 * refuses is refused with its reason. */
	if (!err && d->layout == L_COMP_STATUS && msg->page == 0)
		err = mp_comp0_decode(msg->data, msg->data_len, NULL);
	if (err)
		wipe(msg->key, sizeof(msg->key));	/* never half a key left behind */
	return err;
}

static void put_le24(struct mp_writer *w, uint32_t v)
{
	mp_put_u8(w, (uint8_t)v);
	mp_put_u8(w, (uint8_t)(v >> 8));
	mp_put_u8(w, (uint8_t)(v >> 16));
}

static void put_model(struct mp_writer *w, const struct mp_model_id *m)
{
	if (m->vendor)
		mp_put_le16(w, m->cid);
	mp_put_le16(w, m->id);
}

static void put_idx_list(struct mp_writer *w, const struct mp_cfg_msg *m)
{
	uint16_t i;

	for (i = 0; i + 1 < m->n_list; i += 2) {
		uint8_t p[3];

		mp_cfg_pack_idx2(m->list[i], m->list[i + 1], p);
		mp_put_bytes(w, p, 3);
	}
	if (i < m->n_list)
		mp_put_le16(w, m->list[i]);
}

static void put_params(const struct desc *d, struct mp_writer *w, const struct mp_cfg_msg *m)
{
	uint16_t i;

	if (has_status(d->layout))
		mp_put_u8(w, m->status);
	switch (d->layout) {
	case L_EMPTY:
		break;
	case L_PAGE:
		mp_put_u8(w, m->page);
		break;
	case L_COMP_STATUS:
		mp_put_u8(w, m->page);
		if (m->data_len)
			mp_put_bytes(w, m->data, m->data_len);
		break;
	case L_STATE:
		mp_put_u8(w, m->state);
		break;
	case L_RELAY:
		mp_put_u8(w, m->state);
		mp_put_u8(w, m->retransmit);
		break;
	case L_KEYS_KEY: case L_KEYS: case L_ST_KEYS: {
		uint8_t p[3];

		mp_cfg_pack_idx2(m->net_idx, m->app_idx, p);
		mp_put_bytes(w, p, 3);
		if (d->layout == L_KEYS_KEY)
			mp_put_bytes(w, m->key, 16);
		break;
	}
	case L_NET: case L_NET_KEY: case L_ST_NET: case L_ST_NET_APPS: case L_NET_STATE:
	case L_ST_NET_STATE:
		mp_put_le16(w, m->net_idx);
		if (d->layout == L_NET_KEY)
			mp_put_bytes(w, m->key, 16);
		if (d->layout == L_NET_STATE || d->layout == L_ST_NET_STATE)
			mp_put_u8(w, m->state);
		if (d->layout == L_ST_NET_APPS)
			put_idx_list(w, m);
		break;
	case L_NETS:
		put_idx_list(w, m);
		break;
	case L_ELEM_MODEL: case L_ELEM_ADDR_MODEL: case L_ELEM_LABEL_MODEL:
	case L_ST_ELEM_ADDR_MODEL: case L_ELEM_APP_MODEL: case L_ST_ELEM_APP_MODEL:
		mp_put_le16(w, m->elem_addr);
		if (d->layout == L_ELEM_ADDR_MODEL || d->layout == L_ST_ELEM_ADDR_MODEL)
			mp_put_le16(w, m->addr);
		if (d->layout == L_ELEM_LABEL_MODEL)
			mp_put_bytes(w, m->label, 16);
		if (d->layout == L_ELEM_APP_MODEL || d->layout == L_ST_ELEM_APP_MODEL)
			mp_put_le16(w, m->app_idx);
		put_model(w, &m->model);
		break;
	case L_ST_ELEM_MODEL_ADDRS: case L_ST_ELEM_MODEL_APPS:
		mp_put_le16(w, m->elem_addr);
		put_model(w, &m->model);
		if (d->layout == L_ST_ELEM_MODEL_APPS)
			put_idx_list(w, m);
		else
			for (i = 0; i < m->n_list; i++)
				mp_put_le16(w, m->list[i]);
		break;
	case L_PUB_SET: case L_PUB_VA_SET: case L_ST_PUB:
		mp_put_le16(w, m->elem_addr);
		if (d->layout == L_PUB_VA_SET)
			mp_put_bytes(w, m->pub.label, 16);
		else
			mp_put_le16(w, m->pub.addr);
		mp_put_le16(w, (uint16_t)(m->pub.app_idx | (m->pub.cred ? 0x1000 : 0)));
		mp_put_u8(w, m->pub.ttl);
		mp_put_u8(w, m->pub.period);
		mp_put_u8(w, m->pub.retransmit);
		put_model(w, &m->model);
		break;
	case L_HB_PUB: case L_ST_HB_PUB:
		mp_put_le16(w, m->hb_pub.dst);
		mp_put_u8(w, m->hb_pub.count_log);
		mp_put_u8(w, m->hb_pub.period_log);
		mp_put_u8(w, m->hb_pub.ttl);
		mp_put_le16(w, m->hb_pub.features);
		mp_put_le16(w, m->hb_pub.net_idx);
		break;
	case L_HB_SUB: case L_ST_HB_SUB:
		mp_put_le16(w, m->hb_sub.src);
		mp_put_le16(w, m->hb_sub.dst);
		mp_put_u8(w, m->hb_sub.period_log);
		if (d->layout == L_ST_HB_SUB) {
			mp_put_u8(w, m->hb_sub.count_log);
			mp_put_u8(w, m->hb_sub.min_hops);
			mp_put_u8(w, m->hb_sub.max_hops);
		}
		break;
	case L_ADDR: case L_LPN_STATUS:
		mp_put_le16(w, m->addr);
		if (d->layout == L_LPN_STATUS)
			put_le24(w, m->poll_timeout);
		break;
	}
}

int mp_cfg_encode(const struct mp_cfg_msg *msg, uint8_t *out, size_t cap)
{
	/* Room for the longest list, so that "too long" is told from "too
	 * small a buffer". */
	uint8_t tmp[3 + 8 + 2 * MP_CFG_LIST_MAX + MP_ACCESS_MSG_MAX];
	const struct desc *d = find(msg->opcode);
	struct mp_writer w;
	int n, ret;

	if (!d)
		return -ENOMSG;
	if (!fields_ok(d, msg))
		return -EINVAL;
	if (d->layout == L_COMP_STATUS && msg->page == 0 &&
	    mp_comp0_decode(msg->data, msg->data_len, NULL))
		return -EINVAL;
	n = mp_access_opcode_encode(msg->opcode, tmp, sizeof(tmp));
	mp_writer_init(&w, tmp + n, sizeof(tmp) - (size_t)n);
	put_params(d, &w, msg);
	if (!mp_writer_ok(&w) || w.len + (size_t)n > MP_ACCESS_MSG_MAX)
		ret = -EMSGSIZE;
	else if (w.len + (size_t)n > cap)
		ret = -ENOSPC;
	else {
		ret = (int)w.len + n;
		memcpy(out, tmp, (size_t)ret);
	}
	wipe(tmp, sizeof(tmp));
	return ret;
}

/* Offsets in the answers' parameters. MshPRT v1.1 4.3.2 */
static void expect_model(struct mp_access_expect *e, uint16_t offset,
			 const struct mp_model_id *m)
{
	uint8_t b[4];
	size_t n = 0;

	if (m->vendor) {
		mp_store_le16(b, m->cid);
		n = 2;
	}
	mp_store_le16(b + n, m->id);
	mp_access_expect_field(e, offset, b, n + 2);
}

int mp_cfg_expect(const struct mp_cfg_msg *req, uint16_t dst, struct mp_access_expect *e)
{
	const struct desc *d = find(req->opcode);
	uint8_t b[4];
	size_t mlen = req->model.vendor ? 4 : 2;

	memset(e, 0, sizeof(*e));
	if (!d || !d->resp)
		return -ENOMSG;
	if (!is_unicast(dst))
		return -EINVAL;
	e->src = dst;
	e->opcode = d->resp;
	switch (d->layout) {
	case L_KEYS_KEY: case L_KEYS:
		/* AppKey Status: Status, NetKeyIndexAndAppKeyIndex */
		mp_cfg_pack_idx2(req->net_idx, req->app_idx, b);
		mp_access_expect_field(e, 1, b, 3);
		break;
	case L_NET: case L_NET_KEY: case L_NET_STATE:
		/* AppKey List, NetKey Status, Node Identity Status, Key
		 * Refresh Phase Status: Status, NetKeyIndex, ... */
		mp_store_le16(b, req->net_idx);
		mp_access_expect_field(e, 1, b, 2);
		break;
	case L_ELEM_MODEL: case L_ELEM_ADDR_MODEL: case L_ELEM_LABEL_MODEL: case L_PUB_SET:
	case L_PUB_VA_SET: case L_ELEM_APP_MODEL:
		mp_store_le16(b, req->elem_addr);
		mp_access_expect_field(e, 1, b, 2);
		if (d->resp == MP_CFG_OP_MODEL_PUBLICATION_STATUS) {
			/* Status, Element, PublishAddress, AppKeyIndex, TTL,
			 * Period, Retransmit (10 octets), Model */
			expect_model(e, 10, &req->model);
			e->len = (uint16_t)(10 + mlen);
		} else if (d->resp == MP_CFG_OP_MODEL_SUBSCRIPTION_STATUS) {
			expect_model(e, 5, &req->model);	/* after the Address */
			e->len = (uint16_t)(5 + mlen);
		} else if (d->resp == MP_CFG_OP_MODEL_APP_STATUS) {
			mp_store_le16(b, req->app_idx);
			mp_access_expect_field(e, 3, b, 2);
			expect_model(e, 5, &req->model);
			e->len = (uint16_t)(5 + mlen);
		} else {
			/* the SIG/Vendor Model Subscription and App Lists */
			expect_model(e, 3, &req->model);
		}
		break;
	case L_ADDR:
		/* Low Power Node PollTimeout Status: LPNAddress, PollTimeout */
		mp_store_le16(b, req->addr);
		mp_access_expect_field(e, 0, b, 2);
		e->len = 5;
		break;
	default:
		/* One state per node: the opcode says it all. Composition
		 * Data Status may carry another page than asked. */
		break;
	}
	return 0;
}
