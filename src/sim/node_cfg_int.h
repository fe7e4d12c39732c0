/* Inside the simulated node's Configuration Server: what node_cfg.c (the
 * state, the node and key messages, dispatch) and node_cfg_model.c (model
 * bindings, publication and subscriptions) share. */
#ifndef MP_SIM_NODE_CFG_INT_H
#define MP_SIM_NODE_CFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "sim/node_cfg.h"

#define ACCESS_MAX 380		/* an access message at most (3.7.2) */
#define KEY_IDX_MASK 0x0fff
#define ALL_NODES 0xffff

/* Opcodes. MshPRT v1.1 4.3.4 */
enum {
	OP_APPKEY_ADD = 0x00,
	OP_APPKEY_UPDATE = 0x01,
	OP_COMP_STATUS = 0x02,
	OP_PUB_SET = 0x03,
	OP_HB_PUB_STATUS = 0x06,
	OP_APPKEY_DELETE = 0x8000,
	OP_APPKEY_GET = 0x8001,
	OP_APPKEY_LIST = 0x8002,
	OP_APPKEY_STATUS = 0x8003,
	OP_COMP_GET = 0x8008,
	OP_BEACON_GET = 0x8009,
	OP_BEACON_SET = 0x800a,
	OP_BEACON_STATUS = 0x800b,
	OP_TTL_GET = 0x800c,
	OP_TTL_SET = 0x800d,
	OP_TTL_STATUS = 0x800e,
	OP_FRIEND_GET = 0x800f,
	OP_FRIEND_SET = 0x8010,
	OP_FRIEND_STATUS = 0x8011,
	OP_PROXY_GET = 0x8012,
	OP_PROXY_SET = 0x8013,
	OP_PROXY_STATUS = 0x8014,
	OP_KRP_GET = 0x8015,
	OP_KRP_SET = 0x8016,
	OP_KRP_STATUS = 0x8017,
	OP_PUB_GET = 0x8018,
	OP_PUB_STATUS = 0x8019,
	OP_PUB_VIRT_SET = 0x801a,
	OP_SUB_ADD = 0x801b,
	OP_SUB_DELETE = 0x801c,
	OP_SUB_DELETE_ALL = 0x801d,
	OP_SUB_OVERWRITE = 0x801e,
	OP_SUB_STATUS = 0x801f,
	OP_SUB_VIRT_ADD = 0x8020,
	OP_SUB_VIRT_DELETE = 0x8021,
	OP_SUB_VIRT_OVERWRITE = 0x8022,
	OP_NET_TX_GET = 0x8023,
	OP_NET_TX_SET = 0x8024,
	OP_NET_TX_STATUS = 0x8025,
	OP_RELAY_GET = 0x8026,
	OP_RELAY_SET = 0x8027,
	OP_RELAY_STATUS = 0x8028,
	OP_SUB_GET = 0x8029,
	OP_SUB_LIST = 0x802a,
	OP_VND_SUB_GET = 0x802b,
	OP_VND_SUB_LIST = 0x802c,
	OP_LPN_TIMEOUT_GET = 0x802d,
	OP_LPN_TIMEOUT_STATUS = 0x802e,
	OP_HB_PUB_GET = 0x8038,
	OP_HB_PUB_SET = 0x8039,
	OP_HB_SUB_GET = 0x803a,
	OP_HB_SUB_SET = 0x803b,
	OP_HB_SUB_STATUS = 0x803c,
	OP_APP_BIND = 0x803d,
	OP_APP_STATUS = 0x803e,
	OP_APP_UNBIND = 0x803f,
	OP_NETKEY_ADD = 0x8040,
	OP_NETKEY_DELETE = 0x8041,
	OP_NETKEY_GET = 0x8042,
	OP_NETKEY_LIST = 0x8043,
	OP_NETKEY_STATUS = 0x8044,
	OP_NETKEY_UPDATE = 0x8045,
	OP_IDENTITY_GET = 0x8046,
	OP_IDENTITY_SET = 0x8047,
	OP_IDENTITY_STATUS = 0x8048,
	OP_NODE_RESET = 0x8049,
	OP_NODE_RESET_STATUS = 0x804a,
	OP_APP_GET = 0x804b,
	OP_APP_LIST = 0x804c,
	OP_VND_APP_GET = 0x804d,
	OP_VND_APP_LIST = 0x804e,
};

struct sub {
	uint16_t addr;
	bool virt;
	uint8_t label[16];
};

struct model {
	struct mp_sim_model id;
	uint16_t binds[MP_SIM_CFG_MAX_BINDS];
	size_t n_binds;
	struct sub subs[MP_SIM_CFG_MAX_SUBS];
	size_t n_subs;
	struct mp_sim_pub pub;
};

struct net_key {
	uint16_t idx;
	uint8_t key[16];
	uint8_t new_key[16];	/* phases 1 and 2 */
	uint8_t phase;		/* Key Refresh Phase: 0, 1 or 2 */
	uint8_t identity;	/* Node Identity state */
};

struct app_key {
	uint16_t idx;
	uint16_t net_idx;
	uint8_t key[16];
	uint8_t new_key[16];
	bool updated;
};

struct mp_sim_cfg {
	struct mp_sim_comp comp;
	uint8_t page0[ACCESS_MAX];
	size_t page0_len;
	struct model models[MP_SIM_CFG_MAX_ELEMENTS][MP_SIM_CFG_MAX_MODELS];
	uint16_t unicast;
	struct mp_sim_cfg_limits lim;

	struct net_key net[MP_SIM_CFG_MAX_NET_KEYS];	/* sorted by index */
	size_t n_net;
	struct app_key app[MP_SIM_CFG_MAX_APP_KEYS];	/* sorted by index */
	size_t n_app;

	uint8_t ttl, beacon, relay, relay_rtx, proxy, friend_state, net_tx;
	struct {
		uint16_t dst, features, net_idx;
		uint8_t count_log, period_log, ttl;
	} hb_pub;
	struct {
		uint16_t src, dst;
		uint8_t period_log, count_log, min_hops, max_hops;
	} hb_sub;

	size_t keys_added, fail_after;
	uint32_t muted[MP_SIM_CFG_MAX_MUTED];
	size_t n_muted;
	bool mute_all;
	bool reset;
};

/* What one handler works with. */
struct rx {
	struct mp_reader r;
	struct mp_writer w;
	bool vendor;		/* the model identifier is 4 octets */
	uint32_t op;
	uint16_t net_idx;	/* the NetKey the message came under */
};

static inline bool is_unicast(uint16_t a) { return a && a < 0x8000; }
static inline bool is_virtual(uint16_t a) { return (a & 0xc000) == 0x8000; }
static inline bool is_group(uint16_t a) { return (a & 0xc000) == 0xc000; }

/* Helpers of node_cfg.c. */
bool cfg_devkey_model(const struct mp_sim_model *m);
struct app_key *cfg_find_app(struct mp_sim_cfg *cfg, uint16_t idx);
/** The element at @addr, or -1. */
int cfg_element_of(const struct mp_sim_cfg *cfg, uint16_t addr);
struct model *cfg_find_model(struct mp_sim_cfg *cfg, int e, const struct mp_sim_model *id);
void cfg_put_op(struct mp_writer *w, uint32_t op);
void cfg_get_model(struct rx *x, struct mp_sim_model *m);
void cfg_put_model(struct mp_writer *w, const struct mp_sim_model *m);
void cfg_put_idx_list(struct mp_writer *w, const uint16_t *idx, size_t n);
uint16_t cfg_get_key_idx(struct rx *x);

/* Handlers of node_cfg_model.c: 0 with the Status written, or -EBADMSG. */
int cfg_h_app_bind(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_app_get(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_pub_get(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_pub_set(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_sub(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_sub_delete_all(struct mp_sim_cfg *cfg, struct rx *x);
int cfg_h_sub_get(struct mp_sim_cfg *cfg, struct rx *x);

#endif
