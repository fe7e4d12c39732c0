/* Commands on the keyring: nodes, NetKeys and AppKeys, the IV index, the
 * Mesh Configuration Database, keyring information. Keys are printed only
 * with --show-keys. Addresses and indexes are hex, as in BlueZ's tools. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/handlers.h"
#include "cli/secret.h"
#include "store/cdb.h"
#include "store/keyring.h"
#include "store/nodes.h"
#include "store/stations.h"

static enum mp_cli_status kr_fail(struct mp_cli_app *a, const struct mp_cli_args *args, int rc)
{
	const struct mp_keyring_error *e = mp_keyring_last_error(a->kr);

	mp_cmd_err(args, "%s", e->msg[0] ? e->msg : strerror(-rc));
	/* A refusal (no such key, in use, bad value) is the user's to fix;
	 * a file that cannot be written is a keyring problem. */
	switch (e->kind) {
	case MP_KR_E_IO:
	case MP_KR_E_NOMEM:
	case MP_KR_E_CRYPTO:
	case MP_KR_E_LOCKED:
		return MP_CLI_KEYRING;
	case MP_KR_OK:		/* no kind recorded: report it as a refusal */
	case MP_KR_E_ARG:
	case MP_KR_E_NOTFOUND:
	case MP_KR_E_SYMLINK:
	case MP_KR_E_MODE:
	case MP_KR_E_OWNER:
	case MP_KR_E_SYNTAX:
	case MP_KR_E_VERSION:
	case MP_KR_E_FIELD:
	case MP_KR_E_VALUE:
	case MP_KR_E_DUPLICATE:
	case MP_KR_E_REFERENCE:
	case MP_KR_E_NEED_PASSPHRASE:
	case MP_KR_E_PASSPHRASE:
	case MP_KR_E_FULL:
	case MP_KR_E_RANGE:
	case MP_KR_E_ADDR_IN_USE:
	case MP_KR_E_NO_SUCH:
	case MP_KR_E_EXISTS:
	case MP_KR_E_STATE:
	case MP_KR_E_IN_USE:
		break;
	}
	return MP_CLI_FAILED;
}

enum mp_cli_status mp_cmd_keyring_fail(struct mp_cli_app *a, const struct mp_cli_args *args,
				       int rc)
{
	return kr_fail(a, args, rc);
}

static bool show_keys(const struct mp_cli_args *args)
{
	return mp_cli_arg(args, "--show-keys") != NULL;
}

/* A node address typed by the user, which must be a node of ours: the node,
 * or NULL with *@st saying why (a malformed address is a usage error). */
static const struct mp_node *node_arg(struct mp_cli_app *a, const struct mp_cli_args *args,
				      const char *s, bool reading, enum mp_cli_status *st)
{
	const struct mp_node *n;
	uint16_t addr;

	*st = MP_CLI_USAGE;
	if (mp_cli_parse_unicast(s, &addr) < 0) {
		mp_cmd_err(args, "'%s' is not a unicast address (hex, 0001-7fff)", s);
		return NULL;
	}
	*st = reading ? mp_cli_read_keyring(a) : mp_cli_need_keyring(a);
	if (*st)
		return NULL;
	n = mp_keyring_node_find(a->kr, addr);
	if (!n) {
		mp_cmd_err(args, "no node has address 0x%04x ('nodes' lists them)", addr);
		*st = MP_CLI_FAILED;
	}
	return n;
}

/* nodes: MP_CMD_KEYRING_READ, the keyring is open */
enum mp_cli_status mp_cmd_nodes(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	size_t i;

	if (!a->out.json)
		fprintf(a->out.fp, "%-6s  %3s  %-11s  %-36s  %s\n", "ADDR", "EL", "STATE", "UUID",
			"NAME");
	for (i = 0; i < mp_keyring_node_count(a->kr); i++)
		mp_out_node(&a->out, mp_keyring_node_at(a->kr, i), false, show_keys(args));
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_node_show(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	enum mp_cli_status st;
	const struct mp_node *n = node_arg(a, args, args->argv[0], true, &st);

	if (!n)
		return st;
	mp_out_node(&a->out, n, true, show_keys(args));
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_node_rename(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *name = args->argv[1];
	const struct mp_node *n;
	enum mp_cli_status st;
	int rc;

	if (name[0] && !mp_cli_name_ok(name)) {
		mp_cmd_err(args, "a name is 1 to %d bytes without control characters",
			   MP_CLI_NAME_MAX);
		return MP_CLI_USAGE;
	}
	n = node_arg(a, args, args->argv[0], false, &st);
	if (!n)
		return st;
	rc = mp_keyring_node_rename(a->kr, n->addr, name);
	if (rc < 0)
		return kr_fail(a, args, rc);
	mp_out_node_changed(&a->out, false, n->addr, name);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_node_remove(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	enum mp_cli_status st;
	const struct mp_node *n = node_arg(a, args, args->argv[0], false, &st);
	uint16_t addr;
	int rc;

	if (!n)
		return st;
	if (n->is_self) {
		mp_cmd_err(args, "0x%04x is this provisioner", n->addr);
		return MP_CLI_FAILED;
	}
	addr = n->addr;
	rc = mp_keyring_node_remove(a->kr, addr);
	if (rc < 0)
		return kr_fail(a, args, rc);
	mp_out_node_changed(&a->out, true, addr, NULL);
	return MP_CLI_OK;
}

/* ---- keys ---- */

static enum mp_cli_status key_index_arg(const struct mp_cli_args *args, const char *s,
					uint16_t *out)
{
	uint32_t v;

	/* MshPRT v1.1 4.3.1.1: key indexes are 12 bits */
	if (mp_cli_parse_hex(s, MP_KEY_INDEX_MAX, &v) < 0) {
		mp_cmd_err(args, "'%s' is not a key index (hex, 000-fff)", s);
		return MP_CLI_USAGE;
	}
	*out = (uint16_t)v;
	return MP_CLI_OK;
}

/* KEY: hex, or where it is (@FILE, -), to keep it off the command line. */
static enum mp_cli_status key_arg(const struct mp_cli_args *args, const char *s, bool app,
				  uint8_t key[16])
{
	char text[MP_CLI_SECRET_MAX + 1];
	int rc;

	if (!mp_cli_secret_is_ref(s)) {
		rc = mp_cli_parse_key(s, key);
	} else {
		rc = mp_cli_secret_read(s, app ? "AppKey" : "NetKey", text, sizeof(text));
		if (rc < 0)
			return MP_CLI_USAGE;
		rc = mp_cli_parse_key(text, key);
		mp_wipe(text, sizeof(text));
	}
	if (rc < 0) {
		mp_cmd_err(args, "a key is 16 octets in hex (32 digits)");
		return MP_CLI_USAGE;
	}
	return MP_CLI_OK;
}

/* netkey list: MP_CMD_KEYRING_READ */
enum mp_cli_status mp_cmd_netkey_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	size_t i;

	for (i = 0; i < mp_keyring_netkey_count(a->kr); i++)
		mp_out_netkey(&a->out, mp_keyring_netkey_at(a->kr, i), show_keys(args));
	return MP_CLI_OK;
}

/* NetKeys and AppKeys are added and deleted alike; @app says which. */
static bool key_exists(const struct mp_keyring *kr, bool app, uint16_t idx)
{
	return app ? mp_keyring_appkey(kr, idx) != NULL : mp_keyring_netkey(kr, idx) != NULL;
}

static enum mp_cli_status key_add(struct mp_cli_app *a, const struct mp_cli_args *args, bool app,
				  const char *idx_s, const char *key_s)
{
	const char *net_s = app ? mp_cli_arg(args, "--netkey") : NULL;
	const char *name = mp_cli_arg(args, "--name");
	enum mp_cli_status st;
	uint16_t idx = 0, net = 0;
	uint8_t key[16];
	int rc;

	if (idx_s && (st = key_index_arg(args, idx_s, &idx)))
		return st;
	if (net_s && (st = key_index_arg(args, net_s, &net)))
		return st;
	if (key_s && (st = key_arg(args, key_s, app, key)))
		return st;
	st = mp_cli_need_keyring(a);
	if (st)
		goto out;
	if (!idx_s)	/* the lowest free index */
		for (idx = 0; idx < MP_KEY_INDEX_MAX && key_exists(a->kr, app, idx); idx++)
			;
	rc = app ? mp_keyring_appkey_add_named(a->kr, idx, net, key_s ? key : NULL, name) :
		   mp_keyring_netkey_add_named(a->kr, idx, key_s ? key : NULL, name);
	st = rc < 0 ? kr_fail(a, args, rc) : MP_CLI_OK;
	if (!st)
		mp_out_key_changed(&a->out, app, true, idx,
				   app ? mp_keyring_appkey(a->kr, idx)->name :
					 mp_keyring_netkey(a->kr, idx)->name);
out:
	mp_wipe(key, sizeof(key));
	return st;
}

static enum mp_cli_status key_delete(struct mp_cli_app *a, const struct mp_cli_args *args,
				     bool app)
{
	enum mp_cli_status st;
	uint16_t idx;
	int rc;

	if ((st = key_index_arg(args, args->argv[0], &idx)) || (st = mp_cli_need_keyring(a)))
		return st;
	rc = app ? mp_keyring_appkey_del(a->kr, idx) : mp_keyring_netkey_del(a->kr, idx);
	if (rc < 0)
		return kr_fail(a, args, rc);
	mp_out_key_changed(&a->out, app, false, idx, NULL);
	return MP_CLI_OK;
}

/* netkey|appkey rename INDEX NAME: profiles name AppKeys ("bind": ["building"]). */
static enum mp_cli_status key_rename(struct mp_cli_app *a, const struct mp_cli_args *args,
				     bool app)
{
	enum mp_cli_status st;
	uint16_t idx;
	int rc;

	if ((st = key_index_arg(args, args->argv[0], &idx)) || (st = mp_cli_need_keyring(a)))
		return st;
	rc = app ? mp_keyring_appkey_rename(a->kr, idx, args->argv[1]) :
		   mp_keyring_netkey_rename(a->kr, idx, args->argv[1]);
	if (rc < 0)
		return kr_fail(a, args, rc);
	mp_out_key_renamed(&a->out, app, idx, args->argv[1]);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_netkey_rename(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_rename(a, args, false);
}

enum mp_cli_status mp_cmd_appkey_rename(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_rename(a, args, true);
}

enum mp_cli_status mp_cmd_netkey_create(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_add(a, args, false, args->argc ? args->argv[0] : NULL, NULL);
}

enum mp_cli_status mp_cmd_netkey_import(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_add(a, args, false, args->argv[0], args->argv[1]);
}

enum mp_cli_status mp_cmd_netkey_delete(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_delete(a, args, false);
}

enum mp_cli_status mp_cmd_appkey_list(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	enum mp_cli_status st = mp_cli_read_keyring(a);
	size_t i;

	if (st)
		return st;
	if (!mp_keyring_appkey_count(a->kr) && !a->out.json)
		fprintf(a->out.fp, "No AppKeys (appkey create adds one)\n");
	for (i = 0; i < mp_keyring_appkey_count(a->kr); i++)
		mp_out_appkey(&a->out, mp_keyring_appkey_at(a->kr, i), show_keys(args));
	return MP_CLI_OK;
}

enum mp_cli_status mp_cmd_appkey_create(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_add(a, args, true, args->argc ? args->argv[0] : NULL, NULL);
}

enum mp_cli_status mp_cmd_appkey_import(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_add(a, args, true, args->argv[0], args->argv[1]);
}

enum mp_cli_status mp_cmd_appkey_delete(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return key_delete(a, args, true);
}

/* ---- IV index ---- */

enum mp_cli_status mp_cmd_iv_index(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *upd = mp_cli_arg(args, "--update");
	enum mp_cli_status st;
	uint32_t iv = 0;
	bool update;
	int rc;

	if (args->argc && mp_cli_parse_hex(args->argv[0], UINT32_MAX, &iv) < 0) {
		mp_cmd_err(args, "'%s' is not an IV index (hex, 32 bits)", args->argv[0]);
		return MP_CLI_USAGE;
	}
	if (upd && strcmp(upd, "on") && strcmp(upd, "off")) {
		mp_cmd_err(args, "--update takes on or off");
		return MP_CLI_USAGE;
	}
	st = args->argc || upd ? mp_cli_need_keyring(a) : mp_cli_read_keyring(a);
	if (st)
		return st;
	if (args->argc || upd) {
		if (!args->argc)
			iv = mp_keyring_iv_index(a->kr);
		update = upd ? strcmp(upd, "on") == 0 : mp_keyring_iv_update(a->kr);
		/* MshPRT v1.1 3.11.5: the IV index never goes back */
		rc = mp_keyring_set_iv(a->kr, iv, update);
		if (rc < 0)
			return kr_fail(a, args, rc);
	}
	mp_out_iv(&a->out, mp_keyring_iv_index(a->kr), mp_keyring_iv_update(a->kr));
	return MP_CLI_OK;
}

/* ---- the Mesh Configuration Database ---- */

enum mp_cli_status mp_cmd_export(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cdb_export_opts eo = {
		.with_device_keys = !mp_cli_arg(args, "--no-device-keys"),
	};
	const char *path = args->argv[0];
	const char *station = mp_cli_arg(args, "--station");
	enum mp_cli_status st;
	char *json = NULL;
	size_t len = 0;
	long si;
	int rc;

	if (mp_cli_arg(args, "--partial") && !station) {
		mp_cmd_err(args, "--partial is for a station's copy: give --station NAME");
		return MP_CLI_USAGE;
	}
	st = mp_cli_read_keyring(a);
	if (st)
		return st;
	if (station) {
		/* src/cli/cmd_station.c's stations: the copy one of them takes */
		si = mp_station_find(a->kr, station);
		if (si < 0) {
			mp_cmd_err(args, "no station is named '%s' ('station list' shows them)",
				   station);
			return MP_CLI_FAILED;
		}
		if (si == 0) {
			mp_cmd_err(args, "'%s' is this keyring's own station: export --station is "
				   "for another one ('station add' makes it)", station);
			return MP_CLI_FAILED;
		}
		eo.station_uuid = mp_keyring_provisioner_at(a->kr, (size_t)si)->uuid;
		eo.station_partial = mp_cli_arg(args, "--partial") != NULL;
	}
	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout")) {
		/* The standard output, written to: never replaced by a file. */
		rc = mp_cdb_export(a->kr, &eo, &json, &len);
		if (rc < 0)
			return kr_fail(a, args, rc);
		fflush(a->out.fp);
		if (fwrite(json, 1, len, stdout) != len || fflush(stdout) != 0) {
			mp_cmd_err(args, "cannot write the export to the standard output: %s",
				   strerror(errno));
			st = MP_CLI_FAILED;
		}
		mp_keyring_free_secret(json);
		return st;
	}
	rc = mp_cdb_export_file(a->kr, &eo, path);
	if (rc < 0) {
		mp_cmd_err(args, "%s: %s", path, mp_keyring_last_error(a->kr)->msg[0] ?
			   mp_keyring_last_error(a->kr)->msg : strerror(-rc));
		/* a target that is not a regular file is the user's to change */
		return mp_keyring_last_error(a->kr)->kind == MP_KR_E_ARG ? MP_CLI_USAGE
									 : MP_CLI_KEYRING;
	}
	if (a->out.json)
		mp_out_kv(&a->out, MP_EVENT("exported"), "path", "%s", path);
	else
		mp_out_info(&a->out, "exported the network (%zu node(s)%s) to %s",
			    mp_keyring_node_count(a->kr), eo.with_device_keys ? "" :
			    ", without device keys", path);
	return MP_CLI_OK;
}

#define CDB_MAX (16u << 20)

int mp_cmd_read_file(const struct mp_cli_args *args, const char *path, size_t max, char **out,
		     size_t *len, struct stat *sb)
{
	char *buf;
	size_t n = 0;
	ssize_t r;
	int fd;

	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO would block open() before the check below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || (size_t)sb->st_size > max ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		mp_cmd_err(args, "%s: %s", path, fd < 0 ? strerror(errno) :
			   "not a regular file of at most 16 MiB");
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)sb->st_size + 1);
	while (buf && n < (size_t)sb->st_size) {
		r = read(fd, buf + n, (size_t)sb->st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		mp_cmd_err(args, "out of memory");
		return -ENOMEM;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

enum mp_cli_status mp_cmd_import(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cdb_import_opts io = { 0 };
	const char *path = args->argv[0];
	char kept[4096];
	enum mp_cli_status st;
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = mp_cmd_read_file(args, path, CDB_MAX, &buf, &len, &sb);
	if (rc < 0)
		return rc == -ENOMEM ? MP_CLI_FAILED : MP_CLI_USAGE;
	if (mp_cli_arg(args, "--replace"))
		io.flags |= MP_CDB_REPLACE;
	if (mp_cli_arg(args, "--adopt"))
		io.flags |= MP_CDB_ADOPT;
	io.as_station = mp_cli_arg(args, "--as-station");
	io.backup_path = kept;
	io.backup_cap = sizeof(kept);
	kept[0] = '\0';
	st = mp_cli_need_keyring(a);
	if (!st) {
		rc = mp_cdb_import(a->kr, buf, len, &io);
		if (rc == -EEXIST) {
			mp_cmd_err(args, "the keyring already has nodes: --replace to replace them");
			st = MP_CLI_FAILED;
		} else if (rc < 0) {
			st = kr_fail(a, args, rc);
			if (rc == -EBADMSG)
				st = MP_CLI_USAGE;
			/* every address taken by the CDB's provisioners: the way
			 * out is to become one of them */
			if (rc == -ENOSPC && !(io.flags & MP_CDB_ADOPT))
				mp_out_error(&a->out, "import --adopt %s takes over its first "
					     "provisioner (and that tool must stop provisioning)",
					     path);
		} else {
			mp_out_info(&a->out, "imported %s: %zu node(s), %zu NetKey(s), %zu AppKey(s)",
				    path, mp_keyring_node_count(a->kr),
				    mp_keyring_netkey_count(a->kr), mp_keyring_appkey_count(a->kr));
			if (kept[0] && a->out.json)
				mp_out_kv(&a->out, MP_EVENT("keyring-replaced"), "backup", "%s", kept);
			else if (kept[0])
				mp_out_info(&a->out, "the keyring it replaced is kept in %s", kept);
		}
	}
	mp_wipe(buf, len);
	free(buf);
	return st;
}

/* keyring info: MP_CMD_KEYRING_READ */
enum mp_cli_status mp_cmd_keyring_info(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	(void)args;
	mp_out_keyring(&a->out, a->kr);
	return MP_CLI_OK;
}

/* keyring encrypt / decrypt: the new passphrase comes from the same sources
 * as the one that opens it (asked twice on a terminal). */
enum mp_cli_status mp_cmd_keyring_encrypt(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *cost = mp_cli_arg(args, "--scrypt-cost");
	enum mp_cli_status st;
	uint8_t *pass = NULL;
	uint32_t log2n = 0;
	size_t len = 0;
	int rc;

	if (cost && (mp_cli_parse_uint(cost, 18, &log2n) < 0 || log2n < 10)) {
		mp_cmd_err(args, "--scrypt-cost takes 10 to 18 (scrypt N = 2^LOG2N)");
		return MP_CLI_USAGE;
	}
	st = mp_cli_need_keyring(a);
	if (st)
		return st;
	if (mp_cli_passphrase_read(&a->o.pass, isatty(STDIN_FILENO), true,
				   "New keyring passphrase: ", &pass, &len) < 0)
		return MP_CLI_FAILED;
	rc = mp_keyring_set_passphrase(a->kr, pass, len, (uint8_t)log2n);
	mp_cli_passphrase_free(pass);
	if (rc < 0) {
		mp_out_error(&a->out, "%s", mp_keyring_error(a->kr));
		return MP_CLI_KEYRING;
	}
	mp_out_info(&a->out, "the keyring is now encrypted (scrypt + AES-256-GCM): %s",
		    mp_keyring_path(a->kr));
	return MP_CLI_OK;
}

/* keyring decrypt: MP_CMD_KEYRING_WRITE */
enum mp_cli_status mp_cmd_keyring_decrypt(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	if (mp_keyring_set_passphrase(a->kr, NULL, 0, 0) < 0) {
		mp_out_error(&a->out, "%s", mp_keyring_error(a->kr));
		return MP_CLI_KEYRING;
	}
	mp_out_info(&a->out, "the keyring is now stored without encryption (still mode 0600): %s",
		    mp_keyring_path(a->kr));
	return MP_CLI_OK;
}
