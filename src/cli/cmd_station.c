/* Commands on stations (several provisioners of one network): station add,
 * list, grow, remove, and merge; see store/stations.h for the allocation policy. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/handlers.h"
#include "store/keyring.h"
#include "store/merge.h"
#include "store/nodes.h"
#include "store/stations.h"

#define st_fail mp_cmd_keyring_fail

/* --unicast N, --groups N, --scenes N: counts (decimal). */
static enum mp_cli_status req_args(const struct mp_cli_args *args, bool defaults,
				   struct mp_station_req *q)
{
	static const char *const opt[MP_RANGE_KINDS] = { "--unicast", "--groups", "--scenes" };
	static const uint32_t def[MP_RANGE_KINDS] = { MP_STATION_DEFAULT_UNICAST,
						      MP_STATION_DEFAULT_GROUPS,
						      MP_STATION_DEFAULT_SCENES };
	uint16_t lo, hi;
	bool any = false;
	unsigned k;

	for (k = 0; k < MP_RANGE_KINDS; k++) {
		const char *v = mp_cli_arg(args, opt[k]);

		mp_range_bounds(k, &lo, &hi);
		q->size[k] = defaults ? def[k] : 0;
		if (!v)
			continue;
		any = true;
		if (mp_cli_parse_uint(v, (uint32_t)hi - lo + 1, &q->size[k]) < 0) {
			mp_cmd_err(args, "%s takes a number of %s values, 0 to %u", opt[k],
				   mp_range_kind_str(k), (unsigned)(hi - lo + 1));
			return MP_CLI_USAGE;
		}
	}
	if (!defaults && !any) {
		mp_cmd_err(args, "say how much to grow: --unicast N, --groups N or --scenes N");
		return MP_CLI_USAGE;
	}
	return MP_CLI_OK;
}

static void ranges_text(char *buf, size_t cap, const struct mp_provisioner *p,
			enum mp_range_kind k)
{
	unsigned n, i;
	const struct mp_kr_range *r = mp_range_of(p, k, &n);
	size_t len = 0;

	buf[0] = '\0';
	if (!n)
		snprintf(buf, cap, "-");
	for (i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%04x-%04x", i ? "," : "",
					r[i].low, r[i].high);
}

static json_object *ranges_json(const struct mp_provisioner *p, enum mp_range_kind k)
{
	json_object *arr = json_object_new_array();
	unsigned n, i;
	const struct mp_kr_range *r = mp_range_of(p, k, &n);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "low", json_object_new_int(r[i].low));
		json_object_object_add(o, "high", json_object_new_int(r[i].high));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void fmt_when(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "never");
}

static void emit(struct mp_cli_app *a, json_object *j)
{
	fprintf(a->out.fp, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(a->out.fp);
	json_object_put(j);
}

static void out_station(struct mp_cli_app *a, bool json, const struct mp_provisioner *p,
			bool self)
{
	char u[37], ur[160], gr[160], sr[160], when[32];
	uint32_t used, total, gused, gtotal, sused, stotal;
	uint16_t addr = mp_station_address(a->kr, p);

	mp_station_unicast_usage(a->kr, p, &used, &total);
	mp_station_group_usage(a->kr, p, &gused, &gtotal);
	mp_station_scene_usage(a->kr, p, &sused, &stotal);
	fmt_when(p->merged_at, when);
	if (json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string("station"));
		json_object_object_add(j, "name", json_object_new_string(p->name));
		json_object_object_add(j, "uuid",
				       json_object_new_string(mp_keyring_uuid_str(p->uuid, u)));
		json_object_object_add(j, "self", json_object_new_boolean(self));
		json_object_object_add(j, "address", json_object_new_int(addr));
		json_object_object_add(j, "unicast", ranges_json(p, MP_RANGE_UNICAST));
		json_object_object_add(j, "groups", ranges_json(p, MP_RANGE_GROUP));
		json_object_object_add(j, "scenes", ranges_json(p, MP_RANGE_SCENE));
		json_object_object_add(j, "unicast_used", json_object_new_int64(used));
		json_object_object_add(j, "unicast_total", json_object_new_int64(total));
		json_object_object_add(j, "group_used", json_object_new_int64(gused));
		json_object_object_add(j, "group_total", json_object_new_int64(gtotal));
		json_object_object_add(j, "scene_used", json_object_new_int64(sused));
		json_object_object_add(j, "scene_total", json_object_new_int64(stotal));
		json_object_object_add(j, "last_merged", json_object_new_int64(p->merged_at));
		emit(a, j);
		return;
	}
	ranges_text(ur, sizeof(ur), p, MP_RANGE_UNICAST);
	ranges_text(gr, sizeof(gr), p, MP_RANGE_GROUP);
	ranges_text(sr, sizeof(sr), p, MP_RANGE_SCENE);
	fprintf(a->out.fp, "%s%s\n", p->name, self ? " (this keyring)" : "");
	if (addr)
		fprintf(a->out.fp, "  address   0x%04x\n", addr);
	else
		fprintf(a->out.fp, "  address   -\n");
	fprintf(a->out.fp, "  unicast   %s  (%u of %u used, %u%%)\n", ur, used, total,
		total ? (unsigned)((uint64_t)used * 100 / total) : 0);
	fprintf(a->out.fp, "  groups    %s  (%u of %u used, %u%%)\n", gr, gused, gtotal,
		gtotal ? (unsigned)((uint64_t)gused * 100 / gtotal) : 0);
	fprintf(a->out.fp, "  scenes    %s  (%u of %u used, %u%%)\n", sr, sused, stotal,
		stotal ? (unsigned)((uint64_t)sused * 100 / stotal) : 0);
	fprintf(a->out.fp, "  merged    %s\n", self ? "-" : when);
}

/* station list: MP_CMD_KEYRING_READ */
enum mp_cli_status mp_cmd_station_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	bool json = a->out.json || mp_cli_arg(args, "--json");
	size_t i;

	for (i = 0; i < mp_keyring_provisioner_count(a->kr); i++)
		out_station(a, json, mp_keyring_provisioner_at(a->kr, i), i == 0);
	return MP_CLI_OK;
}

static enum mp_cli_status show_one(struct mp_cli_app *a, const char *name, const char *what)
{
	long i = mp_station_find(a->kr, name);

	if (!a->out.json)
		mp_out_info(&a->out, "station %s %s", name, what);
	if (i >= 0)
		out_station(a, a->out.json, mp_keyring_provisioner_at(a->kr, (size_t)i), i == 0);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_station_add(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_station_req q;
	enum mp_cli_status st = req_args(args, true, &q);
	int rc;

	if (st || (st = mp_cli_need_keyring(a)))
		return st;
	rc = mp_station_add(a->kr, args->argv[0], &q);
	if (rc == -EINVAL) {
		st_fail(a, args, rc);
		return MP_CLI_USAGE;
	}
	if (rc < 0)
		return st_fail(a, args, rc);
	return show_one(a, args->argv[0], "added");
}

enum mp_cli_status mp_cmd_station_grow(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_station_req q;
	enum mp_cli_status st = req_args(args, false, &q);
	int rc;

	if (st || (st = mp_cli_need_keyring(a)))
		return st;
	rc = mp_station_grow(a->kr, args->argv[0], &q);
	if (rc < 0)
		return st_fail(a, args, rc);
	return show_one(a, args->argv[0], "grown");
}

/* station remove: MP_CMD_KEYRING_WRITE */
enum mp_cli_status mp_cmd_station_remove(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	int rc;

	rc = mp_station_remove(a->kr, args->argv[0]);
	if (rc < 0)
		return st_fail(a, args, rc);
	if (a->out.json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string("station-removed"));
		json_object_object_add(j, "name", json_object_new_string(args->argv[0]));
		emit(a, j);
	} else {
		mp_out_info(&a->out, "station %s removed: its ranges are free, its address is "
			    "excluded until the IV index advances by 2", args->argv[0]);
	}
	return MP_CLI_OK;
}

/* ---- merge ---- */

#define MERGE_FILE_MAX (16u << 20)

/* The verb of a change in the --dry-run list: "would add node 0005 ...". */
static const char *change_verb(enum mp_merge_change_kind k)
{
	switch (k) {
	case MP_MERGE_NODE_ADDED:
	case MP_MERGE_GROUP_ADDED:
	case MP_MERGE_SCENE_ADDED:
	case MP_MERGE_STATION_ADDED:
	case MP_MERGE_KEY_ADDED:
		return "add";
	case MP_MERGE_NODE_UPDATED:
	case MP_MERGE_SCENE_CHANGED:
		return "update";
	case MP_MERGE_NODE_DROPPED:
		return "drop";
	case MP_MERGE_EXCLUSION_ADDED:
		return "exclude";
	case MP_MERGE_STATION_CHANGED:
		return "change";
	case MP_MERGE_IV_INDEX:
		break;
	}
	return "move";
}

static void out_merge(struct mp_cli_app *a, bool json, bool dry, const struct mp_merge_report *r,
		      const char *const *names, size_t n, int rc)
{
	char ivb[16] = "";
	size_t i, k;

	for (i = 0; i < r->n_conflicts; i++) {
		const struct mp_merge_conflict *c = &r->conflicts[i];

		if (json) {
			json_object *j = json_object_new_object(), *f = json_object_new_array();

			json_object_object_add(j, "event", json_object_new_string("merge-conflict"));
			json_object_object_add(j, "kind", json_object_new_string(
						       mp_merge_conflict_str(c->kind)));
			json_object_object_add(j, "detail", json_object_new_string(c->what));
			for (k = 0; k < 2; k++)
				if (c->src[k] && c->src[k] <= n && (k == 0 || c->src[1] != c->src[0]))
					json_object_array_add(f, json_object_new_string(
								      names[c->src[k] - 1]));
			json_object_object_add(j, "files", f);
			emit(a, j);
		} else {
			fprintf(a->out.fp, "conflict (%s): %s\n", mp_merge_conflict_str(c->kind),
				c->what);
		}
	}
	if (rc)
		return;
	/* --dry-run: each change, then the counts */
	for (i = 0; dry && i < r->n_changes; i++) {
		const struct mp_merge_change *c = &r->changes[i];

		if (json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "event", json_object_new_string("merge-change"));
			json_object_object_add(j, "kind", json_object_new_string(
						       mp_merge_change_str(c->kind)));
			json_object_object_add(j, "address", json_object_new_int(c->addr));
			json_object_object_add(j, "detail", json_object_new_string(c->what));
			emit(a, j);
		} else {
			fprintf(a->out.fp, "would %s %s\n", change_verb(c->kind), c->what);
		}
	}
	if (json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string(dry ? "merge-dry-run" :
									    "merged"));
		json_object_object_add(j, "files", json_object_new_int64((int64_t)n));
		json_object_object_add(j, "nodes_added", json_object_new_int64(
					       (int64_t)r->nodes_added));
		json_object_object_add(j, "nodes_updated", json_object_new_int64(
					       (int64_t)r->nodes_updated));
		json_object_object_add(j, "nodes_dropped", json_object_new_int64(
					       (int64_t)r->nodes_dropped));
		json_object_object_add(j, "exclusions_added", json_object_new_int64(
					       (int64_t)r->exclusions_added));
		json_object_object_add(j, "stations_added", json_object_new_int64(
					       (int64_t)r->stations_added));
		json_object_object_add(j, "stations_changed", json_object_new_int64(
					       (int64_t)r->stations_changed));
		json_object_object_add(j, "keys_added", json_object_new_int64(
					       (int64_t)r->keys_added));
		json_object_object_add(j, "groups", json_object_new_int64((int64_t)r->groups));
		json_object_object_add(j, "groups_added", json_object_new_int64(
					       (int64_t)r->groups_added));
		json_object_object_add(j, "scenes", json_object_new_int64((int64_t)r->scenes));
		json_object_object_add(j, "scenes_added", json_object_new_int64(
					       (int64_t)r->scenes_added));
		json_object_object_add(j, "scenes_changed", json_object_new_int64(
					       (int64_t)r->scenes_changed));
		json_object_object_add(j, "iv_index_before", json_object_new_int64(r->iv_before));
		json_object_object_add(j, "iv_index", json_object_new_int64(r->iv_after));
		json_object_object_add(j, "nodes", json_object_new_int64(
					       (int64_t)mp_keyring_node_count(a->kr)));
		emit(a, j);
		return;
	}
	if (r->iv_after != r->iv_before)
		snprintf(ivb, sizeof(ivb), "%08x -> ", r->iv_before);
	mp_out_info(&a->out, "%s %zu file(s): %zu node(s) added, %zu updated, %zu dropped "
		    "(removed elsewhere), %zu group(s) added, %zu scene(s) added, %zu updated, "
		    "%zu exclusion(s), %zu station(s) added, %zu changed, %zu key(s) added, IV "
		    "index %s%08x%s",
		    dry ? "would merge" : "merged", n, r->nodes_added, r->nodes_updated,
		    r->nodes_dropped, r->groups_added, r->scenes_added, r->scenes_changed,
		    r->exclusions_added, r->stations_added,
		    r->stations_changed, r->keys_added, ivb, r->iv_after,
		    dry ? "; nothing was written" : "");
}

enum mp_cli_status mp_cmd_merge(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	bool json = a->out.json || mp_cli_arg(args, "--json");
	bool dry = mp_cli_arg(args, "--dry-run") != NULL;
	size_t n = (size_t)args->argc, i, j;
	struct mp_merge_report rep;
	enum mp_cli_status st = MP_CLI_OK;
	char **docs = calloc(n + 1, sizeof(*docs));
	size_t *lens = calloc(n + 1, sizeof(*lens));
	struct stat *sb = calloc(n + 1, sizeof(*sb)), ksb;
	int rc;

	memset(&rep, 0, sizeof(rep));
	if (!docs || !lens || !sb) {
		mp_cmd_err(args, "out of memory");
		st = MP_CLI_FAILED;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = mp_cmd_read_file(args, args->argv[i], MERGE_FILE_MAX, &docs[i], &lens[i],
				      &sb[i]);
		if (rc < 0) {
			st = rc == -ENOMEM ? MP_CLI_FAILED : MP_CLI_USAGE;
			goto out;
		}
		for (j = 0; j < i; j++)
			if (sb[j].st_dev == sb[i].st_dev && sb[j].st_ino == sb[i].st_ino) {
				mp_cmd_err(args, "%s and %s are the same file: give each copy "
					   "once; nothing was merged", args->argv[j], args->argv[i]);
				st = MP_CLI_USAGE;
				goto out;
			}
	}
	st = mp_cli_need_keyring(a);
	if (st)
		goto out;
	for (i = 0; i < n; i++)
		if (mp_keyring_path(a->kr)[0] && stat(mp_keyring_path(a->kr), &ksb) == 0 &&
		    ksb.st_dev == sb[i].st_dev && ksb.st_ino == sb[i].st_ino) {
			mp_cmd_err(args, "%s is this keyring itself: a keyring is not merged into "
				   "itself (merge the stations' exports); nothing was merged",
				   args->argv[i]);
			st = MP_CLI_USAGE;
			goto out;
		}
	rc = mp_merge(a->kr, (const char *const *)docs, lens, (const char *const *)args->argv, n,
		      dry, &rep);
	out_merge(a, json, dry, &rep, (const char *const *)args->argv, n, rc);
	if (rc < 0)
		st = st_fail(a, args, rc);
out:
	for (i = 0; docs && i < n; i++)
		if (docs[i]) {
			mp_wipe(docs[i], lens[i]);
			free(docs[i]);
		}
	free(docs);
	free(lens);
	free(sb);
	mp_merge_report_free(&rep);
	return st;
}
