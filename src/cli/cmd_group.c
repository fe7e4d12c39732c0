/* Groups by name (issue #14): group add, list, show, remove. The groups
 * live in the keyring (store/node_config.h, CDB "groups"); which nodes use
 * one is read from the nodes' recorded configuration (subscriptions and
 * publications), never asked of the nodes. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "cli/group.h"
#include "cli/handlers.h"
#include "cli/parse.h"
#include "core/hex.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

static bool same_addr(const struct mp_nc_addr *x, const struct mp_nc_addr *y)
{
	if (x->virt != y->virt)
		return false;
	return x->virt ? !memcmp(x->label, y->label, 16) : x->addr == y->addr;
}

/* The first model of node @n whose recorded configuration subscribes or
 * publishes to @g: true, with its element and model in *@elem, *@m. */
static bool node_uses(const struct mp_keyring *kr, const struct mp_node *n,
		      const struct mp_group *g, unsigned *elem, const struct mp_nc_model **m)
{
	const struct mp_node_config *cfg = mp_node_config(kr, n->addr);
	unsigned e, i, s;

	if (!cfg)
		return false;
	for (e = 0; e < cfg->n_elements; e++) {
		const struct mp_nc_element *el = &cfg->elements[e];

		for (i = 0; i < el->n_models; i++) {
			const struct mp_nc_model *md = &el->models[i];
			bool hit = md->has_pub && same_addr(&md->pub.addr, &g->addr);

			for (s = 0; !hit && s < md->n_sub; s++)
				hit = same_addr(&md->sub[s], &g->addr);
			if (hit) {
				*elem = e;
				*m = md;
				return true;
			}
		}
	}
	return false;
}

static unsigned users(const struct mp_keyring *kr, const struct mp_group *g)
{
	const struct mp_nc_model *m;
	unsigned e, count = 0;
	size_t i;

	for (i = 0; i < mp_keyring_node_count(kr); i++)
		count += node_uses(kr, mp_keyring_node_at(kr, i), g, &e, &m);
	return count;
}

static void model_str(const struct mp_nc_model *m, char out[16])
{
	if (m->company == MP_NC_SIG)
		snprintf(out, 16, "%04x", m->id);
	else
		snprintf(out, 16, "%04x:%04x", m->company, m->id);
}

static void emit(struct mp_cli_app *a, json_object *j)
{
	fprintf(a->out.fp, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(a->out.fp);
	json_object_put(j);
}

static void out_group(struct mp_cli_app *a, bool json, const struct mp_group *g)
{
	char label[33] = "-";
	unsigned n = users(a->kr, g);

	if (g->addr.virt)
		mp_hex_encode(g->addr.label, 16, label);
	if (json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string(MP_EVENT("group")));
		json_object_object_add(j, "name", json_object_new_string(g->name));
		json_object_object_add(j, "address", json_object_new_int(g->addr.addr));
		json_object_object_add(j, "virtual_label",
				       g->addr.virt ? json_object_new_string(label) : NULL);
		json_object_object_add(j, "nodes", json_object_new_int((int)n));
		emit(a, j);
		return;
	}
	fprintf(a->out.fp, "%-20s %04x  %-32s  %u node%s\n", g->name, g->addr.addr, label, n,
		n == 1 ? "" : "s");
}

static const struct mp_group *group_arg(struct mp_cli_app *a, const struct mp_cli_args *args,
					const char *name)
{
	const struct mp_group *g = mp_keyring_group_find_name(a->kr, name);

	if (!g)
		mp_cmd_err(args, "no group named '%s' (see group list)", name);
	return g;
}

enum mp_cli_status mp_cmd_group_add(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *name = args->argv[0];
	const struct mp_group *g;
	struct mp_nc_addr addr, *ap = NULL;
	enum mp_cli_status st;
	uint32_t v;
	int rc;

	if (!mp_cli_name_ok(name)) {
		mp_cmd_err(args, "a group name is 1 to %d bytes, no control characters",
			   MP_CLI_NAME_MAX);
		return MP_CLI_USAGE;
	}
	memset(&addr, 0, sizeof(addr));
	if (args->argc > 1) {
		const char *s = args->argv[1];

		ap = &addr;
		if (!strcmp(s, "virtual")) {
			addr.virt = true;	/* label all zero: the keyring draws one */
		} else if (mp_cli_parse_uuid(s, addr.label) == 0) {
			addr.virt = true;
		} else if (mp_cli_parse_hex(s, 0xffff, &v) == 0 && v >= 0xc000 && v < 0xff00) {
			addr.addr = (uint16_t)v;
		} else {
			mp_cmd_err(args, "'%s' is not a group address (c000-feff), 'virtual' or a "
				   "Label UUID (32 hex digits)", s);
			return MP_CLI_USAGE;
		}
	}
	if ((st = mp_cli_need_keyring(a)))
		return st;
	rc = mp_keyring_group_add(a->kr, name, ap, NULL, &g);
	if (rc < 0) {
		st = mp_cmd_keyring_fail(a, args, rc);
		/* the groups of this station's own range (store/stations.h) */
		if (rc == -ERANGE || rc == -ENOSPC)
			mp_cmd_err(args, "this station's group range is its own; give it more "
				   "group addresses with 'station grow %s --groups N'",
				   mp_keyring_self(a->kr)->name);
		return st;
	}
	if (!a->out.json)
		mp_out_info(&a->out, "group %s added", name);
	out_group(a, a->out.json || mp_cli_arg(args, "--json"), g);
	return MP_CLI_OK;
}

/* group list: MP_CMD_KEYRING_READ */
enum mp_cli_status mp_cmd_group_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	bool json = a->out.json || mp_cli_arg(args, "--json");
	size_t i, n;

	n = mp_keyring_group_count(a->kr);
	if (!n && !json)
		fprintf(a->out.fp, "no groups\n");
	for (i = 0; i < n; i++)
		out_group(a, json, mp_keyring_group_at(a->kr, i));
	return MP_CLI_OK;
}

/* group show: MP_CMD_KEYRING_READ */
enum mp_cli_status mp_cmd_group_show(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	bool json = a->out.json || mp_cli_arg(args, "--json");
	const struct mp_nc_model *m;
	const struct mp_group *g;
	char ms[16];
	unsigned e;
	size_t i;

	if (!(g = group_arg(a, args, args->argv[0])))
		return MP_CLI_FAILED;
	out_group(a, json, g);
	if (json)
		return MP_CLI_OK;
	for (i = 0; i < mp_keyring_node_count(a->kr); i++) {
		const struct mp_node *n = mp_keyring_node_at(a->kr, i);

		if (!node_uses(a->kr, n, g, &e, &m))
			continue;
		model_str(m, ms);
		fprintf(a->out.fp, "  node %04x%s%s  element %u model %s\n", n->addr,
			n->name[0] ? " " : "", n->name, e, ms);
	}
	return MP_CLI_OK;
}

/* group remove: MP_CMD_KEYRING_WRITE */
enum mp_cli_status mp_cmd_group_remove(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const struct mp_nc_model *m;
	const struct mp_group *g;
	char ms[16];
	unsigned e;
	size_t i;
	int rc;

	if (!(g = group_arg(a, args, args->argv[0])))
		return MP_CLI_FAILED;
	for (i = 0; !mp_cli_arg(args, "--force") && i < mp_keyring_node_count(a->kr); i++) {
		const struct mp_node *n = mp_keyring_node_at(a->kr, i);

		if (!node_uses(a->kr, n, g, &e, &m))
			continue;
		model_str(m, ms);
		mp_cmd_err(args, "group %s is used by node %04x element %u model %s; "
			   "change that node's configuration first, or --force", g->name, n->addr,
			   e, ms);
		return MP_CLI_FAILED;
	}
	rc = mp_keyring_group_remove(a->kr, args->argv[0]);
	if (rc < 0)
		return mp_cmd_keyring_fail(a, args, rc);
	if (!a->out.json)
		mp_out_info(&a->out, "group %s removed", args->argv[0]);
	return MP_CLI_OK;
}
