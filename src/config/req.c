/* The Configuration Client's requests, one builder per message of MshPRT
 * v1.1 4.3.2; see include/config/client.h. */
#include "config/client.h"

#include <string.h>

static void init(struct mp_cfg_msg *m, uint32_t opcode)
{
	memset(m, 0, sizeof(*m));
	m->opcode = opcode;
}

void mp_cfg_req_composition_get(struct mp_cfg_msg *m, uint8_t page)
{
	init(m, MP_CFG_OP_COMPOSITION_DATA_GET);
	m->page = page;
}

static void appkey(struct mp_cfg_msg *m, uint32_t op, uint16_t net_idx, uint16_t app_idx,
		   const uint8_t *key)
{
	init(m, op);
	m->net_idx = net_idx;
	m->app_idx = app_idx;
	if (key)
		memcpy(m->key, key, 16);
}

void mp_cfg_req_appkey_add(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx,
			   const uint8_t key[16])
{
	appkey(m, MP_CFG_OP_APPKEY_ADD, net_idx, app_idx, key);
}

void mp_cfg_req_appkey_update(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx,
			      const uint8_t key[16])
{
	appkey(m, MP_CFG_OP_APPKEY_UPDATE, net_idx, app_idx, key);
}

void mp_cfg_req_appkey_delete(struct mp_cfg_msg *m, uint16_t net_idx, uint16_t app_idx)
{
	appkey(m, MP_CFG_OP_APPKEY_DELETE, net_idx, app_idx, NULL);
}

void mp_cfg_req_appkey_get(struct mp_cfg_msg *m, uint16_t net_idx)
{
	init(m, MP_CFG_OP_APPKEY_GET);
	m->net_idx = net_idx;
}

static void netkey(struct mp_cfg_msg *m, uint32_t op, uint16_t net_idx, const uint8_t *key)
{
	init(m, op);
	m->net_idx = net_idx;
	if (key)
		memcpy(m->key, key, 16);
}

void mp_cfg_req_netkey_add(struct mp_cfg_msg *m, uint16_t net_idx, const uint8_t key[16])
{
	netkey(m, MP_CFG_OP_NETKEY_ADD, net_idx, key);
}

void mp_cfg_req_netkey_update(struct mp_cfg_msg *m, uint16_t net_idx, const uint8_t key[16])
{
	netkey(m, MP_CFG_OP_NETKEY_UPDATE, net_idx, key);
}

void mp_cfg_req_netkey_delete(struct mp_cfg_msg *m, uint16_t net_idx)
{
	netkey(m, MP_CFG_OP_NETKEY_DELETE, net_idx, NULL);
}

void mp_cfg_req_netkey_get(struct mp_cfg_msg *m)
{
	init(m, MP_CFG_OP_NETKEY_GET);
}

static void elem_model(struct mp_cfg_msg *m, uint32_t op, uint16_t elem_addr,
		       const struct mp_model_id *model)
{
	init(m, op);
	m->elem_addr = elem_addr;
	if (model)
		m->model = *model;
}

void mp_cfg_req_model_app(struct mp_cfg_msg *m, bool bind, uint16_t elem_addr, uint16_t app_idx,
			  const struct mp_model_id *model)
{
	elem_model(m, bind ? MP_CFG_OP_MODEL_APP_BIND : MP_CFG_OP_MODEL_APP_UNBIND, elem_addr,
		   model);
	m->app_idx = app_idx;
}

void mp_cfg_req_model_app_get(struct mp_cfg_msg *m, uint16_t elem_addr,
			      const struct mp_model_id *model)
{
	elem_model(m, model && model->vendor ? MP_CFG_OP_VENDOR_MODEL_APP_GET :
		   MP_CFG_OP_SIG_MODEL_APP_GET, elem_addr, model);
}

void mp_cfg_req_pub_get(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_model_id *model)
{
	elem_model(m, MP_CFG_OP_MODEL_PUBLICATION_GET, elem_addr, model);
}

void mp_cfg_req_pub_set(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_cfg_pub *pub,
			const uint8_t *label, const struct mp_model_id *model)
{
	elem_model(m, label ? MP_CFG_OP_MODEL_PUBLICATION_VIRTUAL_ADDRESS_SET :
		   MP_CFG_OP_MODEL_PUBLICATION_SET, elem_addr, model);
	if (pub)
		m->pub = *pub;
	if (label) {
		m->pub.addr = 0;
		memcpy(m->pub.label, label, 16);
	}
}

void mp_cfg_req_sub(struct mp_cfg_msg *m, uint32_t opcode, uint16_t elem_addr, uint16_t addr,
		    const uint8_t *label, const struct mp_model_id *model)
{
	/* The Virtual Address variant of each, 4.3.2 */
	if (label) {
		switch (opcode) {
		case MP_CFG_OP_MODEL_SUBSCRIPTION_ADD:
			opcode = MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_ADD;
			break;
		case MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE:
			opcode = MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_DELETE;
			break;
		case MP_CFG_OP_MODEL_SUBSCRIPTION_OVERWRITE:
			opcode = MP_CFG_OP_MODEL_SUBSCRIPTION_VIRTUAL_ADDRESS_OVERWRITE;
			break;
		default:
			break;
		}
	}
	elem_model(m, opcode, elem_addr, model);
	if (label)
		memcpy(m->label, label, 16);
	else
		m->addr = addr;
}

void mp_cfg_req_sub_delete_all(struct mp_cfg_msg *m, uint16_t elem_addr,
			       const struct mp_model_id *model)
{
	elem_model(m, MP_CFG_OP_MODEL_SUBSCRIPTION_DELETE_ALL, elem_addr, model);
}

void mp_cfg_req_sub_get(struct mp_cfg_msg *m, uint16_t elem_addr, const struct mp_model_id *model)
{
	elem_model(m, model && model->vendor ? MP_CFG_OP_VENDOR_MODEL_SUBSCRIPTION_GET :
		   MP_CFG_OP_SIG_MODEL_SUBSCRIPTION_GET, elem_addr, model);
}

void mp_cfg_req_state(struct mp_cfg_msg *m, uint32_t opcode, uint8_t state)
{
	init(m, opcode);
	m->state = state;
}

void mp_cfg_req_relay_get(struct mp_cfg_msg *m)
{
	init(m, MP_CFG_OP_RELAY_GET);
}

void mp_cfg_req_relay_set(struct mp_cfg_msg *m, uint8_t relay, uint8_t retransmit)
{
	init(m, MP_CFG_OP_RELAY_SET);
	m->state = relay;
	m->retransmit = retransmit;
}

void mp_cfg_req_node_identity_get(struct mp_cfg_msg *m, uint16_t net_idx)
{
	init(m, MP_CFG_OP_NODE_IDENTITY_GET);
	m->net_idx = net_idx;
}

void mp_cfg_req_node_identity_set(struct mp_cfg_msg *m, uint16_t net_idx, uint8_t state)
{
	init(m, MP_CFG_OP_NODE_IDENTITY_SET);
	m->net_idx = net_idx;
	m->state = state;
}

void mp_cfg_req_krp_get(struct mp_cfg_msg *m, uint16_t net_idx)
{
	init(m, MP_CFG_OP_KEY_REFRESH_PHASE_GET);
	m->net_idx = net_idx;
}

void mp_cfg_req_krp_set(struct mp_cfg_msg *m, uint16_t net_idx, uint8_t transition)
{
	init(m, MP_CFG_OP_KEY_REFRESH_PHASE_SET);
	m->net_idx = net_idx;
	m->state = transition;
}

void mp_cfg_req_hb_pub_get(struct mp_cfg_msg *m)
{
	init(m, MP_CFG_OP_HEARTBEAT_PUBLICATION_GET);
}

void mp_cfg_req_hb_pub_set(struct mp_cfg_msg *m, const struct mp_cfg_hb_pub *p)
{
	init(m, MP_CFG_OP_HEARTBEAT_PUBLICATION_SET);
	if (p)
		m->hb_pub = *p;
}

void mp_cfg_req_hb_sub_get(struct mp_cfg_msg *m)
{
	init(m, MP_CFG_OP_HEARTBEAT_SUBSCRIPTION_GET);
}

void mp_cfg_req_hb_sub_set(struct mp_cfg_msg *m, uint16_t src, uint16_t dst, uint8_t period_log)
{
	init(m, MP_CFG_OP_HEARTBEAT_SUBSCRIPTION_SET);
	m->hb_sub.src = src;
	m->hb_sub.dst = dst;
	m->hb_sub.period_log = period_log;
}

void mp_cfg_req_lpn_poll_timeout_get(struct mp_cfg_msg *m, uint16_t lpn_addr)
{
	init(m, MP_CFG_OP_LOW_POWER_NODE_POLLTIMEOUT_GET);
	m->addr = lpn_addr;
}

void mp_cfg_req_node_reset(struct mp_cfg_msg *m)
{
	init(m, MP_CFG_OP_NODE_RESET);
}
