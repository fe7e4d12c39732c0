/* The Configuration Server of a simulated node (MshPRT v1.1 4.3.2, 4.4.1).
 *
 * A pure object: the configuration state of one node (Composition Data page
 * 0, NetKeys, AppKeys, model bindings, publication, subscriptions, the node
 * states of 4.2) and the server's handler for the Config messages the upper
 * transport delivers with the device key. One access message (opcode and
 * parameters) goes in, at most one Status comes out, as 4.4.1 says the
 * server answers, with every error status. No I/O, no clock, no globals:
 * heartbeats are neither sent nor counted down here, and the periods and
 * counts of the heartbeat states keep what was set.
 *
 * Written apart from the Configuration Client (config/, access/) so that
 * the two check each other: this file decodes what a server receives with
 * its own reader, from the message layouts of 4.3.2.
 *
 * Judgement calls where the specification leaves room (each also commented
 * where it is made):
 *   - a value the specification prohibits (a Default TTL of 1, a Beacon
 *     state of 2, a PublishTTL of 0x80..0xFE, a Key Refresh transition of
 *     1, a virtual address in a 16-bit address field, an ElementAddress
 *     that is not unicast, a 2-octet key index above 0xfff...) makes the
 *     message "not understood" (3.7.3): it is ignored, no Status; the RFU
 *     bits of the Publish AppKeyIndex field and of the heartbeat Features
 *     are ignored, not the message;
 *   - a subscription address that is unassigned, unicast or the all-nodes
 *     address is answered with Invalid Address (a virtual one in the 16-bit
 *     field is prohibited: ignored);
 *   - AppKey Add of an index stored under another NetKey is answered
 *     Invalid Binding (the 1.1 code), with another key Key Index Already
 *     Stored;
 *   - a publication's AppKey must be bound to the model (Invalid AppKey
 *     Index otherwise), so a client binds before it publishes;
 *   - a Key Refresh Phase Set that the state table of 4.2 does not allow
 *     (transition 2 in Phase 0) is not understood either; transition 3 in
 *     Phase 0 is allowed and changes nothing;
 *   - deleting an AppKey, or unbinding it from a model, also disables a
 *     publication that uses it;
 *   - the virtual address of a Label UUID is computed here (AES-CMAC through
 *     crypto/, 3.4.2.3), never taken from the caller.
 */
#ifndef MP_SIM_NODE_CFG_H
#define MP_SIM_NODE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capacities of the object; the limits a node advertises are configured
 * below these (struct mp_sim_cfg_limits). */
#define MP_SIM_CFG_MAX_ELEMENTS 8
#define MP_SIM_CFG_MAX_MODELS 16	/* SIG + vendor, per element */
#define MP_SIM_CFG_MAX_NET_KEYS 16
#define MP_SIM_CFG_MAX_APP_KEYS 32
#define MP_SIM_CFG_MAX_SUBS 16		/* per model */
#define MP_SIM_CFG_MAX_BINDS 16		/* per model */
#define MP_SIM_CFG_MAX_MUTED 8

/* Config status codes. MshPRT v1.1 4.3.5 */
enum mp_sim_cfg_status {
	MP_SIM_CFG_SUCCESS = 0x00,
	MP_SIM_CFG_INVALID_ADDRESS = 0x01,
	MP_SIM_CFG_INVALID_MODEL = 0x02,
	MP_SIM_CFG_INVALID_APPKEY = 0x03,
	MP_SIM_CFG_INVALID_NETKEY = 0x04,
	MP_SIM_CFG_INSUFFICIENT_RESOURCES = 0x05,
	MP_SIM_CFG_KEY_INDEX_STORED = 0x06,
	MP_SIM_CFG_INVALID_PUBLISH = 0x07,
	MP_SIM_CFG_NOT_SUBSCRIBE_MODEL = 0x08,
	MP_SIM_CFG_STORAGE_FAILURE = 0x09,
	MP_SIM_CFG_FEATURE_NOT_SUPPORTED = 0x0a,
	MP_SIM_CFG_CANNOT_UPDATE = 0x0b,
	MP_SIM_CFG_CANNOT_REMOVE = 0x0c,
	MP_SIM_CFG_CANNOT_BIND = 0x0d,
	MP_SIM_CFG_TEMP_UNABLE = 0x0e,
	MP_SIM_CFG_CANNOT_SET = 0x0f,
	MP_SIM_CFG_UNSPECIFIED = 0x10,
	MP_SIM_CFG_INVALID_BINDING = 0x11,
};

/* Composition Data page 0 Features bits. MshPRT v1.1 4.2 */
#define MP_SIM_FEAT_RELAY 0x0001
#define MP_SIM_FEAT_PROXY 0x0002
#define MP_SIM_FEAT_FRIEND 0x0004
#define MP_SIM_FEAT_LPN 0x0008

/* A model of an element: SIG (16-bit ID) or vendor (Company ID + ID). */
struct mp_sim_model {
	bool vendor;
	uint16_t cid;		/* vendor models only */
	uint16_t id;
};

struct mp_sim_element {
	uint16_t loc;		/* GATT Bluetooth Namespace Descriptor */
	size_t n_models;
	/* in any order: page 0 lists the SIG ones first, then the vendor ones */
	struct mp_sim_model models[MP_SIM_CFG_MAX_MODELS];
};

/* Composition Data page 0. MshPRT v1.1 4.2 */
struct mp_sim_comp {
	uint16_t cid, pid, vid, crpl;
	uint16_t features;	/* MP_SIM_FEAT_*: a feature not here is Not Supported */
	size_t n_elements;
	struct mp_sim_element elements[MP_SIM_CFG_MAX_ELEMENTS];
};

/* What the node can hold: Insufficient Resources past these. 0 means the
 * capacity (MP_SIM_CFG_MAX_*). */
struct mp_sim_cfg_limits {
	size_t net_keys, app_keys, subs_per_model, binds_per_model;
};

/* A new node, as provisioning leaves it (MshPRT v1.1 5.4.2.5): one NetKey,
 * its unicast address; and its initial node states. */
struct mp_sim_cfg_params {
	const struct mp_sim_comp *comp;	/* element 0 must hold the Configuration Server (SIG 0x0000) */
	uint16_t unicast;		/* primary element; the others follow */
	uint16_t net_key_index;
	uint8_t net_key[16];
	struct mp_sim_cfg_limits limits;
	uint8_t default_ttl;		/* 0 means 5 */
	uint8_t beacon;			/* 0 or 1 */
	uint8_t net_transmit;		/* Network Transmit state */
	/* Initial Relay, GATT Proxy and Friend states for supported features
	 * (0 or 1); unsupported ones read 0x02. */
	uint8_t relay, relay_retransmit, proxy, friend_state;
};

/* A model's publication, as set. MshPRT v1.1 4.2 */
struct mp_sim_pub {
	uint16_t addr;		/* 0: publication disabled */
	bool virt;
	uint8_t label[16];	/* when virt */
	uint16_t app_idx;
	bool cred;
	uint8_t ttl, period, retransmit;
};

struct mp_sim_cfg;

/**
 * Create a node's configuration state from @p (copied). Returns 0 and
 * *@out, or -EINVAL (no element, too many, element 0 without the
 * Configuration Server, a limit above its capacity, a unicast address that
 * is not one for every element, a key index over 0xfff), -EMSGSIZE (page 0
 * does not fit an access message), -ENOMEM.
 */
int mp_sim_cfg_new(const struct mp_sim_cfg_params *p, struct mp_sim_cfg **out);
/** Free, wiping the keys. NULL is fine. */
void mp_sim_cfg_free(struct mp_sim_cfg *cfg);

/**
 * Handle one Config message received with the device key from @src under
 * the NetKey of index @net_idx (that key cannot be deleted by it): the
 * access message @msg (opcode and parameters, 3.7.2). On 0, the Status to
 * send back to @src is in @out (*@out_len octets, opcode included), or
 * *@out_len is 0 when the node stays silent on purpose (a muted opcode,
 * see mp_sim_cfg_mute()). Otherwise nothing is to be sent and the state is
 * unchanged:
 *   -EBADMSG    not understood (3.7.3): wrong length, a prohibited value;
 *   -ENOENT     not a message a Configuration Server receives;
 *   -ESHUTDOWN  the node has been reset (Config Node Reset);
 *   -EMSGSIZE   @cap is too small for the Status (the state may have changed);
 *   -EIO        crypto/ failed to compute a virtual address (nothing changed);
 *   -EINVAL     NULL arguments.
 * @src is not checked (the upper transport authenticated the device key).
 * After a Node Reset Status the owner sends it and then forgets the node.
 */
int mp_sim_cfg_rx(struct mp_sim_cfg *cfg, uint16_t src, uint16_t net_idx, const uint8_t *msg,
		  size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Misbehaviour, for the client's tests. */

/** Answer Insufficient Resources to every NetKey Add and AppKey Add of a
 *  new key once @n keys have been added by messages (SIZE_MAX: never, the
 *  default). Keys added again with the same value still answer Success. */
void mp_sim_cfg_fail_keys_after(struct mp_sim_cfg *cfg, size_t n);
/** Never answer @opcode (the message is dropped unprocessed: rx returns 0
 *  with *out_len 0); 0xffffffff mutes every opcode. Returns 0, or -ENOSPC
 *  past MP_SIM_CFG_MAX_MUTED opcodes. */
int mp_sim_cfg_mute(struct mp_sim_cfg *cfg, uint32_t opcode);
/** Answer every opcode again. */
void mp_sim_cfg_unmute_all(struct mp_sim_cfg *cfg);

/**
 * A Secure Network (or Mesh Private) beacon authenticated with the NEW key
 * of NetKey @idx carried the Key Refresh flag @key_refresh: the Key Refresh
 * Phase state moves as the beacon says (MshPRT v1.1 3.11.4: in Phase 1 the
 * flag set moves to Phase 2; in Phase 1 or 2 the flag clear revokes the old
 * keys, Phase 0), as transitions 2 and 3 of Key Refresh Phase Set would.
 * The node's other layers call it (a beacon under the old key says nothing
 * of the refresh). Returns 1 when the phase changed, 0 when not, -ENOENT
 * when @idx is not held.
 */
int mp_sim_cfg_kr_beacon(struct mp_sim_cfg *cfg, uint16_t idx, bool key_refresh);

/* Reading the state (for the node's other layers and for tests). */

/** True once a Config Node Reset has been handled. */
bool mp_sim_cfg_is_reset(const struct mp_sim_cfg *cfg);
/** The primary element's address. */
uint16_t mp_sim_cfg_unicast(const struct mp_sim_cfg *cfg);
/** The Default TTL state. */
uint8_t mp_sim_cfg_default_ttl(const struct mp_sim_cfg *cfg);
/** The Network Transmit state (count in bits 0-2, interval steps in 3-7). */
uint8_t mp_sim_cfg_net_transmit(const struct mp_sim_cfg *cfg);
/** The GATT Proxy state: 0 disabled, 1 enabled, 2 not supported (4.2.12). */
uint8_t mp_sim_cfg_gatt_proxy(const struct mp_sim_cfg *cfg);
/** Number of NetKeys / AppKeys held. */
size_t mp_sim_cfg_net_key_count(const struct mp_sim_cfg *cfg);
size_t mp_sim_cfg_app_key_count(const struct mp_sim_cfg *cfg);
/** The NetKey at @idx: @key the one in use (the old one during a key
 *  refresh), @new_key the new one in Phases 1 and 2 (otherwise the same as
 *  @key), and the Key Refresh phase; -ENOENT if not held. Any output may
 *  be NULL. */
int mp_sim_cfg_net_key(const struct mp_sim_cfg *cfg, uint16_t idx, uint8_t key[16],
		       uint8_t new_key[16], uint8_t *phase);
/** The AppKey at @idx: @key the old one, @new_key the one an AppKey Update
 *  gave during a key refresh (otherwise the same as @key), and the NetKey
 *  index it is bound to; -ENOENT if not held. Any output may be NULL. */
int mp_sim_cfg_app_key(const struct mp_sim_cfg *cfg, uint16_t idx, uint8_t key[16],
		       uint8_t new_key[16], uint16_t *net_idx);
/** The indexes of the NetKeys (AppKeys) held, ascending: up to @max into
 *  @out; returns how many there are. */
size_t mp_sim_cfg_net_key_list(const struct mp_sim_cfg *cfg, uint16_t *out, size_t max);
size_t mp_sim_cfg_app_key_list(const struct mp_sim_cfg *cfg, uint16_t *out, size_t max);
/** The Label UUIDs behind the virtual address @addr that some model
 *  subscribes or publishes to (distinct; two labels may share an address,
 *  3.4.2.3): up to @max into @out; returns how many there are. The upper
 *  transport tries each as the additional data of the TransMIC. */
size_t mp_sim_cfg_labels(const struct mp_sim_cfg *cfg, uint16_t addr, uint8_t (*out)[16],
			 size_t max);
/* A subscription some model holds: a group address, or a Label UUID. */
struct mp_sim_sub {
	uint16_t addr;
	bool virt;
	uint8_t label[16];	/* when virt */
};

/** Every distinct subscription of every model of the node (what the
 *  network layer must accept): up to @max into @out; returns how many
 *  there are. */
size_t mp_sim_cfg_sub_list(const struct mp_sim_cfg *cfg, struct mp_sim_sub *out, size_t max);
/** True when the model @m of the element at @elem_addr is bound to AppKey @app_idx. */
bool mp_sim_cfg_bound(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
		      const struct mp_sim_model *m, uint16_t app_idx);
/** True when that model's subscription list holds @addr (a group address or
 *  the virtual address of a label). */
bool mp_sim_cfg_subscribed(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
			   const struct mp_sim_model *m, uint16_t addr);
/** That model's publication; -ENOENT if no such element or model. */
int mp_sim_cfg_publication(const struct mp_sim_cfg *cfg, uint16_t elem_addr,
			   const struct mp_sim_model *m, struct mp_sim_pub *out);

/**
 * The virtual address of a Label UUID: 0b10 followed by the 14 low bits of
 * AES-CMAC with key s1("vtad") over the label (MshPRT v1.1 3.4.2.3).
 * Returns 0 or the error of crypto/.
 */
int mp_sim_virtual_addr(const uint8_t label[16], uint16_t *addr);

#endif
