/* Decoded Configuration messages into the keyring's records (see
 * include/cli/nodecfg.h). */
#include <errno.h>
#include <stdlib.h>

#include "cli/nodecfg.h"
#include "store/node_config.h"

int mp_cli_record_comp0(struct mp_keyring *kr, uint16_t addr, const struct mp_comp0 *c)
{
	struct mp_nc_comp_element els[MP_COMP0_MAX_ELEMS];
	struct mp_nc_comp_model *models;
	struct mp_nc_comp comp = { .cid = c->cid, .pid = c->pid, .vid = c->vid, .crpl = c->crpl };
	unsigned e, k, m = 0;
	int r;

	if (c->n_elems > MP_COMP0_MAX_ELEMS || c->n_elems > 255)
		return -EINVAL;
	/* The features' bits are the same in both (MshPRT v1.1 4.2.2.1). */
	if (c->features & MP_CFG_FEAT_RELAY)
		comp.features |= MP_NC_FEAT_RELAY;
	if (c->features & MP_CFG_FEAT_PROXY)
		comp.features |= MP_NC_FEAT_PROXY;
	if (c->features & MP_CFG_FEAT_FRIEND)
		comp.features |= MP_NC_FEAT_FRIEND;
	if (c->features & MP_CFG_FEAT_LOW_POWER)
		comp.features |= MP_NC_FEAT_LPN;
	models = calloc((size_t)c->n_sig + c->n_vnd + 1, sizeof(*models));
	if (!models)
		return -ENOMEM;
	for (e = 0; e < c->n_elems; e++) {
		const struct mp_comp_elem *ce = &c->elems[e];

		els[e].location = ce->loc;
		els[e].models = &models[m];
		els[e].n_models = (uint16_t)(ce->n_sig + ce->n_vnd);
		for (k = 0; k < ce->n_sig; k++, m++) {
			models[m].company = MP_NC_SIG;
			models[m].id = c->sig[ce->sig_first + k];
		}
		for (k = 0; k < ce->n_vnd; k++, m++) {
			models[m].company = c->vnd[ce->vnd_first + k].cid;
			models[m].id = c->vnd[ce->vnd_first + k].id;
		}
	}
	comp.n_elements = (uint8_t)c->n_elems;
	comp.elements = els;
	r = mp_node_config_set_composition(kr, addr, &comp);
	free(models);
	return r;
}
