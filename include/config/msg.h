/* Configuration messages (the Configuration Client's side of the codec).
 *
 * MshPRT v1.1 4.3.2: every message of the families the client uses, both
 * directions, from one table: a request is encoded as the client sends it,
 * a Status decoded with every field checked; the reverse directions exist
 * too (the 8.3 samples are checked both ways, and a fuzzer checks that
 * whatever decodes encodes back to the same octets). Multi-octet fields of
 * the Foundation models are little-endian; key indexes are 12 bits, two of
 * them packed into three octets (4.3.1.1, Key indexes).
 *
 * A decoded message is a struct mp_cfg_msg: the opcode and the fields its
 * layout has (the table in msg.c says which; the others stay zero):
 *
 *   Config AppKey Add/Update               net_idx, app_idx, key
 *   Config AppKey Delete                   net_idx, app_idx
 *   Config AppKey Status                   status, net_idx, app_idx
 *   Config AppKey Get                      net_idx
 *   Config AppKey List                     status, net_idx, list (AppKey indexes)
 *   Config NetKey Add/Update               net_idx, key
 *   Config NetKey Delete                   net_idx
 *   Config NetKey Status                   status, net_idx
 *   Config NetKey List                     list (NetKey indexes)
 *   Config Composition Data Get            page
 *   Config Composition Data Status         page, data/data_len (config/comp.h decodes page 0)
 *   Config Beacon, Default TTL, GATT Proxy,
 *     Friend, Network Transmit Set/Status  state (Network Transmit: count 0-2, steps 3-7)
 *   Config Relay Set/Status                state, retransmit
 *   Config Node Identity Get/Set/Status    [status], net_idx, [state]
 *   Config Key Refresh Phase Get/Set/Status [status], net_idx, [state: Transition or Phase]
 *   Config Model Publication Get           elem_addr, model
 *   Config Model Publication Set/Status    [status], elem_addr, pub, model
 *   Config Model Publication Virtual Address Set   elem_addr, pub (pub.label), model
 *   Config Model Subscription Add/Delete/Overwrite elem_addr, addr, model
 *   Config Model Subscription Virtual Address ...  elem_addr, label, model
 *   Config Model Subscription Delete All   elem_addr, model
 *   Config Model Subscription Status       status, elem_addr, addr, model
 *   Config SIG/Vendor Model Subscription Get/List  [status], elem_addr, model, [list: addresses]
 *   Config Model App Bind/Unbind/Status    [status], elem_addr, app_idx, model
 *   Config SIG/Vendor Model App Get/List   [status], elem_addr, model, [list: AppKey indexes]
 *   Config Heartbeat Publication Set/Status [status], hb_pub
 *   Config Heartbeat Subscription Set/Status [status], hb_sub
 *   Config Low Power Node PollTimeout Get/Status   addr, [poll_timeout]
 *   the Gets with no parameters, Config Node Reset and its Status: nothing
 *
 * Errors, the same for every message:
 *   decode: -ENOMSG  not a Configuration message this codec knows;
 *           -EBADMSG truncated (shorter than the layout, a list of a length
 *                    no count of entries has, a model identifier cut short);
 *           -EMSGSIZE longer than the layout (or than 380 octets);
 *           -ERANGE  a field holds a Prohibited or RFU value (RFU bits set,
 *                    a TTL of 1, a state the message cannot carry, an
 *                    address of the wrong kind, ...).
 *   encode: -ENOMSG  unknown opcode; -EINVAL a field the decoder would
 *           refuse (we never send what we would not accept); -EMSGSIZE
 *           beyond 380 octets; -ENOSPC the buffer is too small.
 *
 * A Status's status code is kept as received, RFU values included:
 * mp_cfg_status_name() names it. Keys in a message (AppKey/NetKey Add and
 * Update) are the caller's to wipe (mp_wipe) with the encoded buffer.
 *
 * Pure: no descriptors, clock or globals.
 */
#ifndef MP_CONFIG_MSG_H
#define MP_CONFIG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/match.h"

/* Opcodes of the Configuration messages, named after the spec's messages.
 * MshPRT v1.1 4.3, the summary of the Foundation models' messages. */
enum mp_cfg_op {
	MP_CFG_OP_APPKEY_ADD = 0x00,
	MP_CFG_OP_APPKEY_UPDATE = 0x01,
	MP_CFG_OP_COMPOSITION_DATA_STATUS = 0x02,
	MP_CFG_OP_MODEL_PUBLICATION_SET = 0x03,
	MP_CFG_OP_HEARTBEAT_PUBLICATION_STATUS = 0x06,
	MP_CFG_OP_APPKEY_DELETE = 0x8000,
	MP_CFG_OP_APPKEY_GET = 0x8001,
	MP_CFG_OP_APPKEY_LIST = 0x8002,
	MP_CFG_OP_APPKEY_STATUS = 0x8003,
	MP_CFG_OP_COMPOSITION_DATA_GET = 0x8008,
	MP_CFG_OP_BEACON_GET = 0x8009,
	MP_CFG_OP_BEACON_SET = 0x800a,
	MP_CFG_OP_BEACON_STATUS = 0x800b,
	MP_CFG_OP_DEFAULT_TTL_GET = 0x800c,
	MP_CFG_OP_DEFAULT_TTL_SET = 0x800d,
	MP_CFG_OP_DEFAULT_TTL_STATUS = 0x800e,
	MP_CFG_OP_FRIEND_GET = 0x800f,
	MP_CFG_OP_FRIEND_SET = 0x8010,
	MP_CFG_OP_FRIEND_STATUS = 0x8011,
	MP_CFG_OP_GATT_PROXY_GET = 0x8012,
	MP_CFG_OP_GATT_PROXY_SET = 0x8013,
	MP_CFG_OP_GATT_PROXY_STATUS = 0x8014,
	MP_CFG_OP_KEY_REFRESH_PHASE_GET = 0x8015,
	MP_CFG_OP_KEY_REFRESH_PHASE_SET = 0x8016,
	MP_CFG_OP_KEY_REFRESH_PHASE_STATUS = 0x8017,
	MP_CFG_OP_MODEL_PUBLICATION_GET = 0x8018,
	MP_CFG_OP_MODEL_PUBLICATION_STATUS = 0x8019,
	MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET = 0x801a,
	MP_CFG_OP_MODEL_SUBSCRIPTION_ADD = 0x801b,
	MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE = 0x801c,
	MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL = 0x801d,
	MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE = 0x801e,
	MP_CFG_OP_MODEL_SUBSCRIPTION_STATUS = 0x801f,
	MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD = 0x8020,
	MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE = 0x8021,
	MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE = 0x8022,
	MP_CFG_OP_NETWORK_TRANSMIT_GET = 0x8023,
	MP_CFG_OP_NETWORK_TRANSMIT_SET = 0x8024,
	MP_CFG_OP_NETWORK_TRANSMIT_STATUS = 0x8025,
	MP_CFG_OP_RELAY_GET = 0x8026,
	MP_CFG_OP_RELAY_SET = 0x8027,
	MP_CFG_OP_RELAY_STATUS = 0x8028,
	MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET = 0x8029,
	MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_LIST = 0x802a,
	MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET = 0x802b,
	MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_LIST = 0x802c,
	MP_CFG_OP_LOW_POWER_NODE_POLLTIMEOUT_GET = 0x802d,
	MP_CFG_OP_LOW_POWER_NODE_POLLTIMEOUT_STATUS = 0x802e,
	MP_CFG_OP_HEARTBEAT_PUBLICATION_GET = 0x8038,
	MP_CFG_OP_HEARTBEAT_PUBLICATION_SET = 0x8039,
	MP_CFG_OP_HEARTBEAT_SUBSCRIPTION_GET = 0x803a,
	MP_CFG_OP_HEARTBEAT_SUBSCRIPTION_SET = 0x803b,
	MP_CFG_OP_HEARTBEAT_SUBSCRIPTION_STATUS = 0x803c,
	MP_CFG_OP_MODEL_APP_BIND = 0x803d,
	MP_CFG_OP_MODEL_APP_STATUS = 0x803e,
	MP_CFG_OP_MODEL_APP_UNBIND = 0x803f,
	MP_CFG_OP_NETKEY_ADD = 0x8040,
	MP_CFG_OP_NETKEY_DELETE = 0x8041,
	MP_CFG_OP_NETKEY_GET = 0x8042,
	MP_CFG_OP_NETKEY_LIST = 0x8043,
	MP_CFG_OP_NETKEY_STATUS = 0x8044,
	MP_CFG_OP_NETKEY_UPDATE = 0x8045,
	MP_CFG_OP_NODE_IDENTITY_GET = 0x8046,
	MP_CFG_OP_NODE_IDENTITY_SET = 0x8047,
	MP_CFG_OP_NODE_IDENTITY_STATUS = 0x8048,
	MP_CFG_OP_NODE_RESET = 0x8049,
	MP_CFG_OP_NODE_RESET_STATUS = 0x804a,
	MP_CFG_OP_SIG_MODEL_APP_GET = 0x804b,
	MP_CFG_OP_SIG_MODEL_APP_LIST = 0x804c,
	MP_CFG_OP_VENDOR_MODEL_APP_GET = 0x804d,
	MP_CFG_OP_VENDOR_MODEL_APP_LIST = 0x804e,
};

/* Status codes. MshPRT v1.1 4.3, the summary of status codes; 0x16-0xff RFU. */
enum mp_cfg_status {
	MP_CFG_SUCCESS = 0x00,
	MP_CFG_INVALID_ADDRESS = 0x01,
	MP_CFG_INVALID_MODEL = 0x02,
	MP_CFG_INVALID_APPKEY_INDEX = 0x03,
	MP_CFG_INVALID_NETKEY_INDEX = 0x04,
	MP_CFG_INSUFFICIENT_RESOURCES = 0x05,
	MP_CFG_KEY_INDEX_ALREADY_STORED = 0x06,
	MP_CFG_INVALID_PUBLISH_PARAMETERS = 0x07,
	MP_CFG_NOT_A_SUBSCRIBE_MODEL = 0x08,
	MP_CFG_STORAGE_FAILURE = 0x09,
	MP_CFG_FEATURE_NOT_SUPPORTED = 0x0a,
	MP_CFG_CANNOT_UPDATE = 0x0b,
	MP_CFG_CANNOT_REMOVE = 0x0c,
	MP_CFG_CANNOT_BIND = 0x0d,
	MP_CFG_TEMPORARILY_UNABLE_TO_CHANGE_STATE = 0x0e,
	MP_CFG_CANNOT_SET = 0x0f,
	MP_CFG_UNSPECIFIED_ERROR = 0x10,
	MP_CFG_INVALID_BINDING = 0x11,
	MP_CFG_INVALID_PATH_ENTRY = 0x12,
	MP_CFG_CANNOT_GET = 0x13,
	MP_CFG_OBSOLETE_INFORMATION = 0x14,
	MP_CFG_INVALID_BEARER = 0x15,
};

/** The spec's name of a status code ("Invalid Model"), or NULL for an RFU one. */
const char *mp_cfg_status_name(unsigned int status);
/**
 * Write the name of @status into @buf, an RFU code as "RFU status 0x42":
 * shown as such, never as another. Returns what snprintf returns.
 */
int mp_cfg_status_text(unsigned int status, char *buf, size_t n);
/** The spec's name of a Configuration message ("Config AppKey Add"), or NULL. */
const char *mp_cfg_op_name(uint32_t opcode);

/* A model identifier: a SIG model (16 bits, 2 octets on air) or a vendor
 * model (company identifier then model number, 4 octets on air). 4.3.1 */
struct mp_model_id {
	bool vendor;
	uint16_t cid;		/* vendor models only */
	uint16_t id;
};

/* Bits of Network Transmit, Relay Retransmit and Publish Retransmit:
 * count in bits 0-2, interval steps in bits 3-7. MshPRT v1.1 4.2 (states) */
#define MP_CFG_XMIT(count, steps) ((uint8_t)(((steps) & 0x1f) << 3 | ((count) & 0x07)))
#define MP_CFG_XMIT_COUNT(v) ((v) & 0x07)
#define MP_CFG_XMIT_STEPS(v) ((v) >> 3)
/* Publish Period: number of steps in bits 0-5, step resolution in 6-7
 * (0: 100 ms, 1: 1 s, 2: 10 s, 3: 10 min). 4.2, Model Publication */
#define MP_CFG_PERIOD(steps, res) ((uint8_t)(((res) & 0x03) << 6 | ((steps) & 0x3f)))
/* Publish TTL 0xff: use the node's Default TTL. 4.2, Model Publication */
#define MP_CFG_TTL_DEFAULT 0xff

/* Model publication. 4.2, Model Publication */
struct mp_cfg_pub {
	uint16_t addr;		/* Publish Address; the virtual address's hash in a Status */
	uint8_t label[16];	/* Label UUID: Virtual Address Set only */
	uint16_t app_idx;	/* 12 bits */
	bool cred;		/* Publish Friendship Credentials Flag */
	uint8_t ttl;		/* 0x00-0x7f, or MP_CFG_TTL_DEFAULT */
	uint8_t period;		/* MP_CFG_PERIOD() */
	uint8_t retransmit;	/* MP_CFG_XMIT() */
};

/* Heartbeat publication. 4.2, Heartbeat Publication */
struct mp_cfg_hb_pub {
	uint16_t dst;		/* unassigned, unicast or group */
	uint8_t count_log;	/* 0x00-0x11, 0xff */
	uint8_t period_log;	/* 0x00-0x11 */
	uint8_t ttl;		/* 0x00-0x7f */
	uint16_t features;	/* MP_CFG_FEAT_* bits */
	uint16_t net_idx;
};

/* Heartbeat subscription. 4.2, Heartbeat Subscription (count_log, min_hops,
 * max_hops: in the Status only) */
struct mp_cfg_hb_sub {
	uint16_t src;		/* unassigned or unicast */
	uint16_t dst;		/* unassigned, unicast or group */
	uint8_t period_log;	/* 0x00-0x11 */
	uint8_t count_log;	/* 0x00-0x10, 0xff */
	uint8_t min_hops;	/* 0x00-0x7f */
	uint8_t max_hops;	/* 0x00-0x7f */
};

/* Features bits (Heartbeat Publication Features, Composition Data page 0). */
#define MP_CFG_FEAT_RELAY 0x0001
#define MP_CFG_FEAT_PROXY 0x0002
#define MP_CFG_FEAT_FRIEND 0x0004
#define MP_CFG_FEAT_LOW_POWER 0x0008
#define MP_CFG_FEAT_KNOWN 0x000f

/* Values of the one-octet states (Relay, GATT Proxy, Friend, Node Identity). */
#define MP_CFG_DISABLED 0x00
#define MP_CFG_ENABLED 0x01
#define MP_CFG_NOT_SUPPORTED 0x02	/* in a Status: Relay, GATT Proxy, Friend, Node Identity */

/* Entries a list may carry: 380 octets hold at most 252 packed indexes. */
#define MP_CFG_LIST_MAX 256

struct mp_cfg_msg {
	uint32_t opcode;
	uint8_t status;		/* enum mp_cfg_status, or RFU as received */
	uint8_t state;		/* one-octet state (Beacon, Default TTL, ..., Transition, Phase) */
	uint8_t retransmit;	/* Relay Retransmit: MP_CFG_XMIT() */
	uint8_t page;		/* Composition Data page */
	uint16_t net_idx;	/* 12 bits */
	uint16_t app_idx;	/* 12 bits */
	uint8_t key[16];	/* NetKey or AppKey: a secret */
	uint16_t elem_addr;	/* unicast address of the element */
	uint16_t addr;		/* subscription address (its hash for a virtual one in a
				 * Status), LPN address */
	uint8_t label[16];	/* Label UUID of a virtual subscription */
	struct mp_model_id model;
	struct mp_cfg_pub pub;
	struct mp_cfg_hb_pub hb_pub;
	struct mp_cfg_hb_sub hb_sub;
	uint32_t poll_timeout;	/* 24 bits, units of 100 ms */
	uint16_t n_list;
	uint16_t list[MP_CFG_LIST_MAX];	/* key indexes or addresses */
	const uint8_t *data;	/* Composition Data: points into the decoded buffer */
	size_t data_len;
};

/**
 * Decode the access message @data (opcode and parameters) into @msg.
 * Returns 0 or an error listed at the top of this header.
 */
int mp_cfg_decode(const uint8_t *data, size_t len, struct mp_cfg_msg *msg);

/**
 * Encode @msg (opcode and parameters) into @out. Returns the length or an
 * error listed at the top of this header.
 */
int mp_cfg_encode(const struct mp_cfg_msg *msg, uint8_t *out, size_t cap);

/** True when @opcode is a Status or List (an answer), false for a request. */
bool mp_cfg_is_status(uint32_t opcode);

/**
 * Describe in @e the answer a node at @dst must give to the request @req:
 * the response opcode, and the fields that tell this request's answer from
 * another one's (NetKeyIndex/AppKeyIndex, element address and model
 * identifier, LPN address), for access/match.h. Returns 0, -ENOMSG when
 * @req is not a request of this codec, -EINVAL for a @dst that is not
 * unicast.
 */
int mp_cfg_expect(const struct mp_cfg_msg *req, uint16_t dst, struct mp_access_expect *e);

/* Two 12-bit key indexes in three octets: 4.3.1.1, Key indexes. */
/** Pack @a (the first index) and @b into @out[3]. */
void mp_cfg_pack_idx2(uint16_t a, uint16_t b, uint8_t out[3]);
/** Unpack three octets into two indexes. */
void mp_cfg_unpack_idx2(const uint8_t in[3], uint16_t *a, uint16_t *b);

#endif
