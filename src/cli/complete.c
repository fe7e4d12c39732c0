/* Completion words from the keyring (cli/complete.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/complete.h"
#include "cli/parse.h"
#include "store/node_config.h"
#include "store/nodes.h"

/* SIG model IDs and their names (Bluetooth Assigned Numbers, 4.2 "Model
 * identifiers"): the foundation models of MshPRT v1.1 and the models of
 * MshMDL v1.1, sorted by ID. */
static const struct {
	uint16_t id;
	const char *name;
} sig_models[] = {
	{ 0x0000, "Configuration Server" }, { 0x0001, "Configuration Client" },
	{ 0x0002, "Health Server" }, { 0x0003, "Health Client" },
	{ 0x0004, "Remote Provisioning Server" }, { 0x0005, "Remote Provisioning Client" },
	{ 0x0006, "Directed Forwarding Configuration Server" },
	{ 0x0007, "Directed Forwarding Configuration Client" },
	{ 0x0008, "Bridge Configuration Server" }, { 0x0009, "Bridge Configuration Client" },
	{ 0x000a, "Mesh Private Beacon Server" }, { 0x000b, "Mesh Private Beacon Client" },
	{ 0x000c, "On-Demand Private Proxy Server" }, { 0x000d, "On-Demand Private Proxy Client" },
	{ 0x000e, "SAR Configuration Server" }, { 0x000f, "SAR Configuration Client" },
	{ 0x0010, "Opcodes Aggregator Server" }, { 0x0011, "Opcodes Aggregator Client" },
	{ 0x0012, "Large Composition Data Server" }, { 0x0013, "Large Composition Data Client" },
	{ 0x0014, "Solicitation PDU RPL Configuration Server" },
	{ 0x0015, "Solicitation PDU RPL Configuration Client" },
	{ 0x1000, "Generic OnOff Server" }, { 0x1001, "Generic OnOff Client" },
	{ 0x1002, "Generic Level Server" }, { 0x1003, "Generic Level Client" },
	{ 0x1004, "Generic Default Transition Time Server" },
	{ 0x1005, "Generic Default Transition Time Client" },
	{ 0x1006, "Generic Power OnOff Server" }, { 0x1007, "Generic Power OnOff Setup Server" },
	{ 0x1008, "Generic Power OnOff Client" }, { 0x1009, "Generic Power Level Server" },
	{ 0x100a, "Generic Power Level Setup Server" }, { 0x100b, "Generic Power Level Client" },
	{ 0x100c, "Generic Battery Server" }, { 0x100d, "Generic Battery Client" },
	{ 0x100e, "Generic Location Server" }, { 0x100f, "Generic Location Setup Server" },
	{ 0x1010, "Generic Location Client" }, { 0x1011, "Generic Admin Property Server" },
	{ 0x1012, "Generic Manufacturer Property Server" },
	{ 0x1013, "Generic User Property Server" }, { 0x1014, "Generic Client Property Server" },
	{ 0x1015, "Generic Property Client" },
	{ 0x1100, "Sensor Server" }, { 0x1101, "Sensor Setup Server" }, { 0x1102, "Sensor Client" },
	{ 0x1200, "Time Server" }, { 0x1201, "Time Setup Server" }, { 0x1202, "Time Client" },
	{ 0x1203, "Scene Server" }, { 0x1204, "Scene Setup Server" }, { 0x1205, "Scene Client" },
	{ 0x1206, "Scheduler Server" }, { 0x1207, "Scheduler Setup Server" },
	{ 0x1208, "Scheduler Client" },
	{ 0x1300, "Light Lightness Server" }, { 0x1301, "Light Lightness Setup Server" },
	{ 0x1302, "Light Lightness Client" }, { 0x1303, "Light CTL Server" },
	{ 0x1304, "Light CTL Setup Server" }, { 0x1305, "Light CTL Client" },
	{ 0x1306, "Light CTL Temperature Server" }, { 0x1307, "Light HSL Server" },
	{ 0x1308, "Light HSL Setup Server" }, { 0x1309, "Light HSL Client" },
	{ 0x130a, "Light HSL Hue Server" }, { 0x130b, "Light HSL Saturation Server" },
	{ 0x130c, "Light xyL Server" }, { 0x130d, "Light xyL Setup Server" },
	{ 0x130e, "Light xyL Client" }, { 0x130f, "Light LC Server" },
	{ 0x1310, "Light LC Setup Server" }, { 0x1311, "Light LC Client" },
};

const char *mp_cli_model_name(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(sig_models) / sizeof(sig_models[0]); i++)
		if (sig_models[i].id == id)
			return sig_models[i].name;
	return NULL;
}

/* The node whose address is word 0, with its stored composition; NULL
 * when the word is no node's address or nothing of its elements is known. */
static const struct mp_node_config *node_comp(const struct mp_keyring *kr, int argc, char **argv,
					      const struct mp_node **node)
{
	const struct mp_node_config *cfg;
	uint16_t addr;

	if (argc < 1 || mp_cli_parse_unicast(argv[0], &addr) < 0)
		return NULL;
	*node = mp_keyring_node_find(kr, addr);
	if (!*node || (*node)->is_self)
		return NULL;
	cfg = mp_node_config(kr, (*node)->addr);
	if (!cfg || !cfg->has_comp || !cfg->n_elements)
		return NULL;
	return cfg;
}

/* Element word 1 as the configuration commands read it (an index below
 * the node's element count, else an address of the node): its index, or
 * -1. */
static int elem_index(const struct mp_node *nd, const struct mp_node_config *cfg,
		      const char *s)
{
	uint32_t v;

	if (mp_cli_parse_hex(s, 0x7fff, &v) < 0)
		return -1;
	if (v >= nd->elements) {
		if (v < nd->addr)
			return -1;
		v -= nd->addr;
	}
	return v < cfg->n_elements && v < nd->elements ? (int)v : -1;
}

static void elements(const struct mp_node *nd, const struct mp_node_config *cfg,
		     mp_cli_cand_fn fn, void *data)
{
	char word[8], desc[MP_KR_NAME_MAX + 32];
	unsigned int i;

	for (i = 0; i < cfg->n_elements && i < nd->elements; i++) {
		const struct mp_nc_element *e = &cfg->elements[i];

		snprintf(word, sizeof(word), "0x%04x", (unsigned int)(nd->addr + i));
		snprintf(desc, sizeof(desc), "element %u%s%s%s, %u models", i,
			 e->name[0] ? " (" : "", e->name, e->name[0] ? ")" : "", e->n_models);
		fn(word, desc, data);
	}
}

static void models(const struct mp_nc_element *e, mp_cli_cand_fn fn, void *data)
{
	char word[16];
	unsigned int i;

	for (i = 0; i < e->n_models; i++) {
		const struct mp_nc_model *m = &e->models[i];
		const char *name = NULL;

		if (m->company == MP_NC_SIG) {
			snprintf(word, sizeof(word), "%04x", m->id);
			name = mp_cli_model_name(m->id);
		} else {
			snprintf(word, sizeof(word), "%04x:%04x", m->company, m->id);
		}
		fn(word, name ? name : m->company == MP_NC_SIG ? "SIG model" : "vendor model",
		   data);
	}
}

void mp_cli_complete_keyring(const struct mp_keyring *kr, enum mp_cli_compl kind, int argc,
			     char **argv, mp_cli_cand_fn fn, void *data)
{
	const struct mp_node_config *cfg;
	const struct mp_node *nd = NULL;
	char word[16];
	size_t i;
	int e;

	if (!kr)
		return;
	switch (kind) {
	case MP_COMPL_NODE:
		for (i = 0; i < mp_keyring_node_count(kr); i++) {
			const struct mp_node *n = mp_keyring_node_at(kr, i);

			if (n->is_self)
				continue;
			snprintf(word, sizeof(word), "0x%04x", n->addr);
			fn(word, n->name, data);
		}
		break;
	case MP_COMPL_NETKEY:
		for (i = 0; i < mp_keyring_netkey_count(kr); i++) {
			snprintf(word, sizeof(word), "0x%03x", mp_keyring_netkey_at(kr, i)->index);
			fn(word, "", data);
		}
		break;
	case MP_COMPL_APPKEY:
		for (i = 0; i < mp_keyring_appkey_count(kr); i++) {
			const struct mp_appkey *k = mp_keyring_appkey_at(kr, i);

			snprintf(word, sizeof(word), "0x%03x", k->index);
			fn(word, k->name, data);
		}
		break;
	case MP_COMPL_GROUP:
		for (i = 0; i < mp_keyring_group_count(kr); i++) {
			const char *name = mp_keyring_group_at(kr, i)->name;

			fn(name, "", data);
		}
		break;
	case MP_COMPL_ELEMENT:
		cfg = node_comp(kr, argc, argv, &nd);
		if (cfg)
			elements(nd, cfg, fn, data);
		break;
	case MP_COMPL_MODEL:
		cfg = node_comp(kr, argc, argv, &nd);
		e = cfg && argc >= 2 ? elem_index(nd, cfg, argv[1]) : -1;
		if (e >= 0)
			models(&cfg->elements[e], fn, data);
		break;
	case MP_COMPL_NONE:
	case MP_COMPL_WORDS:
	case MP_COMPL_DEVICE:
	case MP_COMPL_FILE:
	case MP_COMPL_COMMAND:
		break;	/* not the keyring's */
	}
}

/* One line a candidate: a word or description holding a tab or a newline
 * (a user's name can) would break the format, so it is left out. */
static void print_cand(const char *word, const char *desc, void *data)
{
	(void)data;
	if (strpbrk(word, "\t\n") || strpbrk(desc, "\t\n"))
		return;
	printf("%s\t%s\n", word, desc);
}

int mp_cli_complete_main(const char *keyring, int argc, char **argv)
{
	struct mp_keyring_opts ko = { .flags = MP_KEYRING_RDONLY };
	struct mp_keyring *kr = NULL;
	char path[4096];
	int kind;

	if (argc < 1)
		return 0;
	kind = mp_cli_compl_by_name(argv[0]);
	if (kind < 0 || mp_keyring_default_path_env(keyring, path, sizeof(path)) < 0)
		return 0;
	/* No passphrase and no wait: an encrypted or busy keyring completes
	 * nothing, silently. */
	if (mp_keyring_open(path, &ko, &kr, NULL) < 0)
		return 0;
	mp_cli_complete_keyring(kr, (enum mp_cli_compl)kind, argc - 1, argv + 1, print_cand, NULL);
	mp_keyring_close(kr);
	return 0;
}
