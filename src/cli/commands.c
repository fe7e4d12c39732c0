/* The command table, the dispatcher, help, and the commands that drive the
 * radio: scan, devices, provision, cancel. See src/cli/commands.h. */
#include "config.h"

#include "cli/commands.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/batch.h"
#include "cli/configure.h"
#include "cli/handlers.h"
#include "cli/redact.h"
#include "cli/secret.h"
#include "store/keyring.h"
#include "store/nodes.h"

static enum mp_cli_status cmd_help(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_quit(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_version(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_scan(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_devices(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_provision(struct mp_cli_app *a, const struct mp_cli_args *args);
static enum mp_cli_status cmd_cancel(struct mp_cli_app *a, const struct mp_cli_args *args);

static const struct mp_cli_opt no_opts[] = { { 0 } };

static const struct mp_cli_opt show_keys_opts[] = {
	{ "--show-keys", NULL, MP_COMPL_NONE, NULL, "print the keys (hidden otherwise)" },
	{ 0 },
};

static const struct mp_cli_opt netkey_refresh_opts[] = {
	{ "--force", NULL, MP_COMPL_NONE, NULL,
	  "go on without the nodes that did not answer (listed; they lose the subnet)" },
	{ 0 },
};

static const struct mp_cli_opt scan_opts[] = {
	{ "--duration", "SECONDS", MP_COMPL_NONE, NULL, "scan for this long" },
	{ 0 },
};

static const struct mp_cli_opt provision_opts[] = {
	{ "--all", NULL, MP_COMPL_NONE, NULL, "every unprovisioned device heard" },
	{ "--batch", "FILE", MP_COMPL_FILE, NULL,
	  "the devices listed in FILE: UUID [AUTH [NAME [ADDRESS]]] per line" },
	{ "--auth", "METHOD", MP_COMPL_WORDS, "none output input static:",
	  "none, output, input or static:HEX; static:@FILE or static:- reads the value "
	  "(default: the best the device offers)" },
	{ "--alg", "ALG", MP_COMPL_WORDS, "auto cmac hmac",
	  "auto, cmac or hmac (default: HMAC-SHA256 when offered)" },
	{ "--bearer", "BEARER", MP_COMPL_WORDS, "auto adv gatt",
	  "auto (PB-ADV, or PB-GATT for a device heard only there), adv or gatt" },
	{ "--address", "ADDR", MP_COMPL_NONE, NULL, "unicast address in hex (one device)" },
	{ "--name", "NAME", MP_COMPL_NONE, NULL, "node name to record (one device)" },
	{ "--count", "N", MP_COMPL_NONE, NULL, "with --all: stop after N devices" },
	{ "--idle", "SECONDS", MP_COMPL_NONE, NULL,
	  "with --all: the tray is done after SECONDS with nothing new (default 15)" },
	{ "--require-auth", NULL, MP_COMPL_NONE, NULL,
	  "refuse a device that would get no authentication (No OOB)" },
	{ "--max-elements", "N", MP_COMPL_NONE, NULL,
	  "refuse a device claiming more than N elements (default 32)" },
	{ "--max-failures", "N", MP_COMPL_NONE, NULL,
	  "with --all: stop after N failures in a row (default 5, 0: never)" },
	{ "--max-unconfirmed", "N", MP_COMPL_NONE, NULL,
	  "give no address to more devices once N were left unconfirmed (default 16, 0: no limit)" },
	{ "--netkey", "INDEX", MP_COMPL_NETKEY, NULL, "the NetKey to give (hex, default 0)" },
	{ "--oob-cmd", "CMD", MP_COMPL_FILE, NULL,
	  "helper for Output/Input OOB outside the shell: CMD UUID METHOD ACTION SIZE" },
	{ "--configure", "PROFILE", MP_COMPL_FILE, NULL,
	  "configure each device with PROFILE as soon as it is provisioned" },
	{ 0 },
};

static const struct mp_cli_opt configure_opts[] = {
	{ "--profile", "FILE", MP_COMPL_FILE, NULL, "the profile (meshprov-profile(5))" },
	{ "--all", NULL, MP_COMPL_NONE, NULL, "every node of the keyring" },
	{ "--batch", "FILE", MP_COMPL_FILE, NULL,
	  "the batch file: its columns for the rules (its nodes, given alone)" },
	{ "--check", NULL, MP_COMPL_NONE, NULL,
	  "say what would be sent, change nothing (reads a composition not recorded)" },
	{ "--read", NULL, MP_COMPL_NONE, NULL,
	  "read the nodes' configuration back first instead of trusting the keyring" },
	{ "--report", "FILE", MP_COMPL_FILE, NULL, "write a CSV report, a line per node" },
	{ NULL, NULL, MP_COMPL_NONE, NULL, NULL },
};

/* mp_cli_args.val has a slot per option: the longest table must fit. */
_Static_assert(sizeof(provision_opts) / sizeof(provision_opts[0]) - 1 <= MP_CLI_MAX_OPTS,
	       "provision_opts has more options than MP_CLI_MAX_OPTS");

static const struct mp_cli_opt appkey_opts[] = {
	{ "--netkey", "INDEX", MP_COMPL_NETKEY, NULL, "the NetKey to bind (hex, default 0)" },
	{ "--name", "NAME", MP_COMPL_NONE, NULL, "its name, which profiles use (default: AppKey N)" },
	{ 0 },
};

static const struct mp_cli_opt netkey_opts[] = {
	{ "--name", "NAME", MP_COMPL_NONE, NULL, "its name (default: NetKey N)" },
	{ 0 },
};

static const struct mp_cli_opt model_opts[] = {
	{ "--appkey", "INDEX", MP_COMPL_APPKEY, NULL,
	  "the AppKey to send with (hex; default: the first the node holds)" },
	{ 0 },
};

static const struct mp_cli_opt iv_opts[] = {
	{ "--update", "on|off", MP_COMPL_WORDS, "on off", "the IV Update flag" },
	{ 0 },
};

static const struct mp_cli_opt export_opts[] = {
	{ "--no-device-keys", NULL, MP_COMPL_NONE, NULL, "leave the device keys out (partial)" },
	{ "--station", "NAME", MP_COMPL_NONE, NULL,
	  "the copy that station NAME takes (import --as-station NAME)" },
	{ "--partial", NULL, MP_COMPL_NONE, NULL,
	  "with --station: leave out the other stations' nodes' device keys" },
	{ 0 },
};

static const struct mp_cli_opt import_opts[] = {
	{ "--replace", NULL, MP_COMPL_NONE, NULL, "replace a keyring that has nodes" },
	{ "--adopt", NULL, MP_COMPL_NONE, NULL,
	  "take over the CDB's first provisioner (the other tool stops provisioning)" },
	{ "--as-station", "NAME", MP_COMPL_NONE, NULL,
	  "act as the CDB's station NAME: provision from its ranges only" },
	{ 0 },
};

static const struct mp_cli_opt encrypt_opts[] = {
	{ "--scrypt-cost", "LOG2N", MP_COMPL_WORDS, "15 16 17 18",
	  "scrypt N = 2^LOG2N, 10 to 18 (memory 2^LOG2N KiB; default 17: 128 MiB)" },
	{ 0 },
};

static const struct mp_cli_opt station_size_opts[] = {
	{ "--unicast", "N", MP_COMPL_NONE, NULL,
	  "unicast addresses (add: default 1024; its own address is one of them)" },
	{ "--groups", "N", MP_COMPL_NONE, NULL, "group addresses (add: default 256)" },
	{ "--scenes", "N", MP_COMPL_NONE, NULL, "scene numbers (add: default 256)" },
	{ 0 },
};

static const struct mp_cli_opt group_remove_opts[] = {
	{ "--force", NULL, MP_COMPL_NONE, NULL,
	  "remove it even while nodes' recorded configuration uses it" },
	{ 0 },
};

static const struct mp_cli_opt json_opts[] = {
	{ "--json", NULL, MP_COMPL_NONE, NULL, "one JSON object per line (as the global --json)" },
	{ 0 },
};

static const struct mp_cli_opt merge_opts[] = {
	{ "--dry-run", NULL, MP_COMPL_NONE, NULL, "show what would change; write nothing" },
	{ "--json", NULL, MP_COMPL_NONE, NULL, "one JSON object per line (as the global --json)" },
	{ 0 },
};

/* .compl_args, the last field, is given only where positional words differ
 * (NULL elsewhere): left out, not written NULL in every entry. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct mp_cli_cmd mp_cli_commands[] = {
	{ "help", "[COMMAND]", 0, 2, cmd_help, "show the commands, or one command",
	  MP_COMPL_COMMAND, NULL, no_opts, 0 },
	{ "scan", "[on|off] [SECONDS]", 0, 2, cmd_scan,
	  "look for unprovisioned devices (in scripts: for SECONDS, default 10)",
	  MP_COMPL_WORDS, "on off", scan_opts, MP_CMD_RADIO },
	{ "devices", "", 0, 0, cmd_devices,
	  "list the unprovisioned devices heard: #N, UUID, RSSI, URI hash, bearer, OOB",
	  MP_COMPL_NONE, NULL, no_opts, MP_CMD_RADIO },
	{ "provision", "DEVICE... | --all | --batch FILE [OPTIONS]", 0, -1, cmd_provision,
	  "provision devices (UUID or #N from devices)", MP_COMPL_DEVICE, NULL,
	  provision_opts, MP_CMD_RADIO },
	{ "cancel", "[DEVICE]", 0, 1, cmd_cancel,
	  "cancel provisioning (every device, or one)", MP_COMPL_DEVICE, NULL, no_opts,
	  MP_CMD_SHELL_ONLY | MP_CMD_RADIO },
	{ "nodes", "", 0, 0, mp_cmd_nodes, "list the nodes in the keyring", MP_COMPL_NONE, NULL,
	  show_keys_opts, MP_CMD_KEYRING_READ },
	{ "node show", "ADDR", 1, 1, mp_cmd_node_show, "show a node", MP_COMPL_NODE, NULL,
	  show_keys_opts, 0 },
	{ "node rename", "ADDR NAME", 2, 2, mp_cmd_node_rename,
	  "name a node (\"\" clears the name)", MP_COMPL_NODE, NULL, no_opts, 0,
	  MP_CLI_ARGS(MP_COMPL_NODE) },
	{ "node remove", "ADDR", 1, 1, mp_cmd_node_remove,
	  "forget a node (its addresses are not reused until the IV index moves on by 2)",
	  MP_COMPL_NODE, NULL, no_opts, 0 },
	{ "netkey list", "", 0, 0, mp_cmd_netkey_list, "list the NetKeys", MP_COMPL_NONE, NULL,
	  show_keys_opts, MP_CMD_KEYRING_READ },
	{ "netkey create", "[INDEX]", 0, 1, mp_cmd_netkey_create,
	  "create a random NetKey (default: the lowest free index)", MP_COMPL_NONE, NULL,
	  netkey_opts, 0 },
	{ "netkey import", "INDEX KEY", 2, 2, mp_cmd_netkey_import,
	  "add a NetKey you have (KEY: hex, or @FILE or - to read it)",
	  MP_COMPL_NONE, NULL, netkey_opts, 0 },
	{ "netkey rename", "INDEX NAME", 2, 2, mp_cmd_netkey_rename,
	  "name a NetKey (names are unique)", MP_COMPL_NETKEY, NULL, no_opts, 0 },
	{ "netkey refresh", "[NET_IDX]", 0, 1, mp_cmd_netkey_refresh,
	  "Key Refresh: a new NetKey to every node of the subnet, then phases 2 and 3 "
	  "(default 0)", MP_COMPL_NETKEY, NULL, netkey_refresh_opts, MP_CMD_RADIO },
	{ "netkey delete", "INDEX", 1, 1, mp_cmd_netkey_delete,
	  "delete a NetKey no node or AppKey uses", MP_COMPL_NETKEY, NULL, no_opts, 0 },
	{ "appkey list", "[ADDR]", 0, 1, mp_cmd_cfg_appkey_list,
	  "list the AppKeys, or with ADDR the ones the node has (AppKey Get)", MP_COMPL_NODE,
	  NULL, show_keys_opts, MP_CMD_RADIO },
	{ "appkey add", "ADDR APPIDX", 2, 2, mp_cmd_cfg_appkey_add,
	  "give a node an AppKey from the keyring (AppKey Add)", MP_COMPL_NODE, NULL, no_opts,
	  MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_APPKEY) },
	{ "appkey create", "[INDEX]", 0, 1, mp_cmd_appkey_create,
	  "create a random AppKey (default: the lowest free index)", MP_COMPL_NONE, NULL,
	  appkey_opts, 0 },
	{ "appkey import", "INDEX KEY", 2, 2, mp_cmd_appkey_import,
	  "add an AppKey you have (KEY: hex, or @FILE or - to read it)",
	  MP_COMPL_NONE, NULL, appkey_opts, 0 },
	{ "appkey delete", "INDEX", 1, 1, mp_cmd_appkey_delete, "delete an AppKey",
	  MP_COMPL_APPKEY, NULL, no_opts, 0 },
	{ "appkey rename", "INDEX NAME", 2, 2, mp_cmd_appkey_rename,
	  "name an AppKey (names are unique; profiles use them)", MP_COMPL_APPKEY, NULL,
	  no_opts, 0 },
	{ "iv-index", "[INDEX]", 0, 1, mp_cmd_iv_index,
	  "show the IV index, or record a new one (hex; it never goes back)", MP_COMPL_NONE,
	  NULL, iv_opts, 0 },
	{ "export", "FILE", 1, 1, mp_cmd_export,
	  "write the Mesh Configuration Database (JSON) to FILE", MP_COMPL_FILE, NULL,
	  export_opts, 0 },
	{ "import", "FILE", 1, 1, mp_cmd_import,
	  "replace the network with a Mesh Configuration Database (JSON)", MP_COMPL_FILE,
	  NULL, import_opts, 0 },
	{ "keyring info", "", 0, 0, mp_cmd_keyring_info,
	  "the keyring: path, network, IV index, this provisioner, counts", MP_COMPL_NONE,
	  NULL, no_opts, MP_CMD_KEYRING_READ },
	{ "keyring encrypt", "", 0, 0, mp_cmd_keyring_encrypt,
	  "encrypt the keyring with a new passphrase (--passphrase-fd/-file, or asked)",
	  MP_COMPL_NONE, NULL, encrypt_opts, 0 },
	{ "keyring decrypt", "", 0, 0, mp_cmd_keyring_decrypt,
	  "store the keyring without encryption again", MP_COMPL_NONE, NULL, no_opts, MP_CMD_KEYRING_WRITE },
	{ "station add", "NAME", 1, 1, mp_cmd_station_add,
	  "add a station (another provisioner) with ranges of its own from the free space",
	  MP_COMPL_NONE, NULL, station_size_opts, 0 },
	{ "station list", "", 0, 0, mp_cmd_station_list,
	  "the stations: ranges, how full, when last merged", MP_COMPL_NONE, NULL, json_opts, MP_CMD_KEYRING_READ },
	{ "station grow", "NAME", 1, 1, mp_cmd_station_grow,
	  "give a station more addresses, groups or scenes where the network has room",
	  MP_COMPL_NONE, NULL, station_size_opts, 0 },
	{ "station remove", "NAME", 1, 1, mp_cmd_station_remove,
	  "remove a station: its ranges become free", MP_COMPL_NONE, NULL, no_opts, MP_CMD_KEYRING_WRITE },
	{ "group add", "NAME [ADDR|virtual|LABEL]", 1, 2, mp_cmd_group_add,
	  "add a group: an address of this provisioner's group range (the lowest free one "
	  "by default), or a virtual label", MP_COMPL_NONE, NULL, json_opts, 0 },
	{ "group list", "", 0, 0, mp_cmd_group_list,
	  "the groups: address, virtual label, how many nodes use them", MP_COMPL_NONE, NULL,
	  json_opts, MP_CMD_KEYRING_READ },
	{ "group show", "NAME", 1, 1, mp_cmd_group_show,
	  "a group and the nodes' models that subscribe or publish to it", MP_COMPL_GROUP, NULL,
	  json_opts, MP_CMD_KEYRING_READ },
	{ "group remove", "NAME", 1, 1, mp_cmd_group_remove,
	  "remove a group (refused while a node's recorded configuration uses it)",
	  MP_COMPL_GROUP, NULL, group_remove_opts, MP_CMD_KEYRING_WRITE },
	{ "merge", "FILE...", 1, -1, mp_cmd_merge,
	  "merge stations' exports (CDB) into the keyring; any conflict stops it",
	  MP_COMPL_FILE, NULL, merge_opts, 0 },
	{ "composition", "ADDR", 1, 1, mp_cmd_cfg_composition,
	  "ask a node for its Composition Data page 0: elements and models", MP_COMPL_NODE,
	  NULL, no_opts, MP_CMD_RADIO },
	{ "bind", "ADDR ELEMENT MODEL APPIDX", 4, 4, mp_cmd_cfg_bind,
	  "bind a model to an AppKey (MODEL: hex ID, or CID:ID)", MP_COMPL_NODE, NULL, no_opts,
	  MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL, MP_COMPL_APPKEY) },
	{ "unbind", "ADDR ELEMENT MODEL APPIDX", 4, 4, mp_cmd_cfg_unbind,
	  "unbind a model from an AppKey", MP_COMPL_NODE, NULL, no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL, MP_COMPL_APPKEY) },
	{ "sub add", "ADDR ELEMENT MODEL GROUP", 4, 4, mp_cmd_cfg_sub_add,
	  "subscribe a model to a group (address, virtual label or name)", MP_COMPL_NODE, NULL, no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL, MP_COMPL_GROUP) },
	{ "sub del", "ADDR ELEMENT MODEL GROUP", 4, 4, mp_cmd_cfg_sub_del,
	  "remove a model's subscription to a group address", MP_COMPL_NODE, NULL, no_opts,
	  MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL, MP_COMPL_GROUP) },
	{ "sub list", "ADDR ELEMENT MODEL", 3, 3, mp_cmd_cfg_sub_list,
	  "list a model's subscriptions", MP_COMPL_NODE, NULL, no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL) },
	{ "pub get", "ADDR ELEMENT MODEL", 3, 3, mp_cmd_cfg_pub_get,
	  "show a model's publication", MP_COMPL_NODE, NULL, no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL) },
	{ "pub set", "ADDR ELEMENT MODEL PUBADDR APPIDX [TTL]", 5, 6, mp_cmd_cfg_pub_set,
	  "set a model's publication (TTL default: the node's Default TTL)", MP_COMPL_NODE,
	  NULL, no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_ELEMENT, MP_COMPL_MODEL, MP_COMPL_GROUP,
		      MP_COMPL_APPKEY) },
	{ "ttl", "ADDR [VALUE]", 1, 2, mp_cmd_cfg_ttl,
	  "show or set a node's Default TTL (0, or 2-127)", MP_COMPL_NODE, NULL, no_opts,
	  MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE) },
	{ "relay", "ADDR [on|off]", 1, 2, mp_cmd_cfg_relay, "show or set a node's Relay state",
	  MP_COMPL_NODE, "on off", no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_WORDS) },
	{ "proxy", "ADDR [on|off]", 1, 2, mp_cmd_cfg_proxy,
	  "show or set a node's GATT Proxy state", MP_COMPL_NODE, "on off", no_opts, MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_WORDS) },
	{ "beacon", "ADDR [on|off]", 1, 2, mp_cmd_cfg_beacon,
	  "show or set a node's Secure Network Beacon state", MP_COMPL_NODE, "on off", no_opts,
	  MP_CMD_RADIO,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_WORDS) },
	{ "node reset", "ADDR", 1, 1, mp_cmd_cfg_node_reset,
	  "reset a node to unprovisioned and remove it (addresses excluded as node remove)",
	  MP_COMPL_NODE, NULL, no_opts, MP_CMD_RADIO },
	{ "attention", "ADDR SECONDS", 2, 2, mp_cmd_attention,
	  "make a node show itself for SECONDS (Health Attention Set; 0 stops)", MP_COMPL_NODE,
	  NULL, model_opts, MP_CMD_RADIO | MP_CMD_KEYRING_WRITE,
	  MP_CLI_ARGS(MP_COMPL_NODE) },
	{ "onoff", "ADDR on|off", 2, 2, mp_cmd_onoff,
	  "switch a node's Generic OnOff Server on or off", MP_COMPL_NODE, "on off", model_opts,
	  MP_CMD_RADIO | MP_CMD_KEYRING_WRITE,
	  MP_CLI_ARGS(MP_COMPL_NODE, MP_COMPL_WORDS) },
	{ "configure", "ADDR... | --all | --batch FILE --profile FILE [OPTIONS]", 0, -1,
	  mp_cmd_configure, "bring nodes to a profile: send only what differs, record each "
	  "answer", MP_COMPL_NODE, NULL, configure_opts, MP_CMD_RADIO },
	{ "version", "", 0, 0, cmd_version, "show meshprov's version", MP_COMPL_NONE, NULL,
	  no_opts, 0 },
	{ "quit", "", 0, 0, cmd_quit, "leave the shell (Ctrl-D too)", MP_COMPL_NONE, NULL,
	  no_opts, 0 },
	/* what bluetoothctl, bash and ssh users type to leave */
	{ "exit", "", 0, 0, cmd_quit, "leave the shell, as quit does", MP_COMPL_NONE, NULL,
	  no_opts, 0 },
};
#pragma GCC diagnostic pop

const size_t mp_cli_ncommands = sizeof(mp_cli_commands) / sizeof(mp_cli_commands[0]);

/* ---- lookup and dispatch ---- */

/* Compare the words of @name with @argv; returns how many matched them
 * all (1 or 2), or 0. */
static int name_match(const char *name, int argc, char **argv)
{
	const char *sp = strchr(name, ' ');

	if (!sp)
		return argc >= 1 && strcmp(name, argv[0]) == 0;
	if (argc < 2 || strlen(argv[0]) != (size_t)(sp - name) ||
	    strncmp(name, argv[0], (size_t)(sp - name)) || strcmp(sp + 1, argv[1]))
		return 0;
	return 2;
}

const struct mp_cli_cmd *mp_cli_lookup(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < mp_cli_ncommands; i++) {
		int n = name_match(mp_cli_commands[i].name, argc, argv);

		if (n) {
			*used = n;
			return &mp_cli_commands[i];
		}
	}
	return NULL;
}

bool mp_cli_is_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < mp_cli_ncommands; i++) {
		const char *name = mp_cli_commands[i].name;

		if (strncmp(name, word, n) == 0 && name[n] == ' ')
			return true;
	}
	return false;
}

const struct mp_cli_opt *mp_cli_find_opt(const struct mp_cli_cmd *cmd, const char *name)
{
	const struct mp_cli_opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

const char *mp_cli_arg(const struct mp_cli_args *args, const char *name)
{
	const struct mp_cli_opt *o = mp_cli_find_opt(args->cmd, name);

	return o ? args->val[o - args->cmd->opts] : NULL;
}

void mp_cmd_err(const struct mp_cli_args *args, const char *fmt, ...)
{
	char msg[1024], shown[4 * sizeof(msg) + 32];
	va_list ap;

	/* Messages echo what was typed ("not 'static:...'"), and names from
	 * files: secrets masked, control bytes escaped, cut. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mp_cli_show_line(msg, sizeof(msg), shown, sizeof(shown));
	if (args->out)
		mp_out_error_text(args->out, args->cmd->name, shown);
	else
		fprintf(stderr, "meshprov: %s: %s\n", args->cmd->name, shown);
	mp_wipe(msg, sizeof(msg));
}

static void group_hint(const char *group)
{
	size_t i, n = strlen(group);
	const char *sep = "";

	fprintf(stderr, "  %s takes:", group);
	for (i = 0; i < mp_cli_ncommands; i++) {
		const char *name = mp_cli_commands[i].name;

		if (strncmp(name, group, n) == 0 && name[n] == ' ') {
			fprintf(stderr, "%s %s", sep, name + n + 1);
			sep = ",";
		}
	}
	fputc('\n', stderr);
}

/* What the command's flags say it needs, once its words are right. */
static enum mp_cli_status needs(struct mp_cli_app *a, const struct mp_cli_cmd *cmd)
{
	if (cmd->flags & MP_CMD_KEYRING_WRITE)
		return mp_cli_need_keyring(a);
	if (cmd->flags & MP_CMD_KEYRING_READ)
		return mp_cli_read_keyring(a);
	return MP_CLI_OK;
}

enum mp_cli_status mp_cli_execute(struct mp_cli_app *a, int argc, char **argv)
{
	struct mp_cli_args args = { 0 };
	char *pos[MP_CLI_MAX_WORDS];
	enum mp_cli_status st;
	int used, i;

	if (argc == 0)
		return MP_CLI_OK;
	args.out = &a->out;
	args.cmd = mp_cli_lookup(argc, argv, &used);
	if (!args.cmd) {
		char shown[MP_CLI_SHOW_BUF], msg[MP_CLI_SHOW_BUF + 64];

		if (mp_cli_is_group(argv[0])) {
			if (argc > 1)
				snprintf(msg, sizeof(msg), "%s: unknown subcommand '%s'", argv[0],
					 mp_cli_show(argv[1], shown, sizeof(shown)));
			else
				snprintf(msg, sizeof(msg), "%s: which one?", argv[0]);
			mp_out_error_text(&a->out, NULL, msg);
			group_hint(argv[0]);
		} else {
			snprintf(msg, sizeof(msg), "unknown command '%s'. Try 'help'.",
				 mp_cli_show(argv[0], shown, sizeof(shown)));
			mp_out_error_text(&a->out, NULL, msg);
		}
		return MP_CLI_USAGE;
	}
	if ((args.cmd->flags & MP_CMD_SHELL_ONLY) && a->mode != MP_CLI_SHELL) {
		mp_cmd_err(&args, "only in the shell: nothing runs in the background here");
		return MP_CLI_USAGE;
	}
	args.argv = pos;
	for (i = used; i < argc; i++) {
		const char *w = argv[i], *eq;
		const struct mp_cli_opt *o;
		char name[48];

		if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
			if (args.argc == MP_CLI_MAX_WORDS)
				return MP_CLI_USAGE;
			pos[args.argc++] = argv[i];
			continue;
		}
		eq = strchr(w, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - w) : (int)strlen(w), w);
		o = mp_cli_find_opt(args.cmd, name);
		if (!o) {
			mp_cmd_err(&args, "unknown option '%s'. Try 'help %s'.", name,
				   args.cmd->name);
			return MP_CLI_USAGE;
		}
		if (!o->arg) {
			if (eq) {
				mp_cmd_err(&args, "%s takes no value", name);
				return MP_CLI_USAGE;
			}
			args.val[o - args.cmd->opts] = "";
		} else if (eq) {
			args.val[o - args.cmd->opts] = eq + 1;
		} else if (i + 1 < argc) {
			args.val[o - args.cmd->opts] = argv[++i];
		} else {
			mp_cmd_err(&args, "%s needs a value (%s)", name, o->arg);
			return MP_CLI_USAGE;
		}
	}
	if (args.argc < args.cmd->min_args ||
	    (args.cmd->max_args >= 0 && args.argc > args.cmd->max_args)) {
		char shown[MP_CLI_SHOW_BUF];

		mp_cmd_err(&args, args.argc < args.cmd->min_args ? "missing arguments" :
			   "too many arguments ('%s')", args.argc ?
			   mp_cli_show(args.argv[args.argc - 1], shown, sizeof(shown)) : "");
		fprintf(stderr, "  usage: %s %s\n", args.cmd->name, args.cmd->synopsis);
		return MP_CLI_USAGE;
	}
	st = needs(a, args.cmd);
	return st ? st : args.cmd->handler(a, &args);
}

enum mp_cli_status mp_cli_execute_line(struct mp_cli_app *a, const char *line)
{
	char *argv[MP_CLI_MAX_WORDS], *buf;
	enum mp_cli_status st;
	size_t len = strlen(line) + 1;
	int argc;

	buf = malloc(len);
	if (!buf)
		return MP_CLI_USAGE;
	argc = mp_cli_split(line, buf, len, argv, MP_CLI_MAX_WORDS);
	if (argc < 0) {
		mp_out_error(&a->out, "%s", argc == -EINVAL ? "unterminated quote" :
			     "too many words");
		mp_wipe(buf, len);
		free(buf);
		return MP_CLI_USAGE;
	}
	st = mp_cli_execute(a, argc, argv);
	mp_wipe(buf, len);	/* the words may hold a key */
	free(buf);
	return st;
}

/* ---- help ---- */

static void help_one(FILE *fp, const struct mp_cli_cmd *c, bool full)
{
	const struct mp_cli_opt *o;
	char head[128];

	snprintf(head, sizeof(head), "%s %s", c->name, c->synopsis);
	if (strlen(head) <= 30)
		fprintf(fp, "  %-30s %s\n", head, c->help);
	else
		fprintf(fp, "  %s\n  %-30s %s\n", head, "", c->help);
	if (!full)
		return;
	for (o = c->opts; o && o->name; o++) {
		snprintf(head, sizeof(head), "%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(fp, "      %-26s %s\n", head, o->help);
	}
}

enum mp_cli_status mp_cli_help(FILE *fp, int argc, char **argv)
{
	const struct mp_cli_cmd *c;
	size_t i;
	int used;

	if (argc == 0) {
		fprintf(fp, "Commands (help COMMAND for its options):\n");
		for (i = 0; i < mp_cli_ncommands; i++)
			help_one(fp, &mp_cli_commands[i], false);
		fprintf(fp, "Devices are a UUID (dashes optional) or #N from 'devices'; addresses "
			"and key indexes are hex (0x optional).\n");
		return MP_CLI_OK;
	}
	c = mp_cli_lookup(argc, argv, &used);
	if (c) {
		help_one(fp, c, true);
		return MP_CLI_OK;
	}
	if (mp_cli_is_group(argv[0])) {
		size_t n = strlen(argv[0]);

		for (i = 0; i < mp_cli_ncommands; i++)
			if (strncmp(mp_cli_commands[i].name, argv[0], n) == 0 &&
			    mp_cli_commands[i].name[n] == ' ')
				help_one(fp, &mp_cli_commands[i], true);
		return MP_CLI_OK;
	}
	fprintf(stderr, "meshprov: help: no command '%s'\n", argv[0]);
	return MP_CLI_USAGE;
}

static const char *compl_names[] = {
	[MP_COMPL_NONE] = "none", [MP_COMPL_WORDS] = "words", [MP_COMPL_DEVICE] = "device",
	[MP_COMPL_NODE] = "node", [MP_COMPL_NETKEY] = "netkey", [MP_COMPL_APPKEY] = "appkey",
	[MP_COMPL_GROUP] = "group",
	[MP_COMPL_FILE] = "file", [MP_COMPL_COMMAND] = "command",
	[MP_COMPL_ELEMENT] = "element", [MP_COMPL_MODEL] = "model",
};

const char *mp_cli_compl_name(enum mp_cli_compl kind)
{
	if ((size_t)kind >= sizeof(compl_names) / sizeof(compl_names[0]) || !compl_names[kind])
		return "none";
	return compl_names[kind];
}

int mp_cli_compl_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(compl_names) / sizeof(compl_names[0]); i++)
		if (compl_names[i] && strcmp(compl_names[i], name) == 0)
			return (int)i;
	return -1;
}

enum mp_cli_compl mp_cli_compl_at(const struct mp_cli_cmd *cmd, int pos)
{
	if (!cmd->compl_args)
		return cmd->compl;
	return pos >= 0 && pos < MP_CLI_MAX_COMPL_ARGS ? cmd->compl_args[pos] : MP_COMPL_NONE;
}

/* .compl_args as names, the trailing nothings cut ([]: "complete" for
 * every word). */
static struct json_object *compl_args_json(const struct mp_cli_cmd *c)
{
	struct json_object *ca = json_object_new_array();
	int n = 0, k;

	for (k = 0; c->compl_args && k < MP_CLI_MAX_COMPL_ARGS; k++)
		if (c->compl_args[k] != MP_COMPL_NONE)
			n = k + 1;
	for (k = 0; k < n; k++)
		json_object_array_add(ca, json_object_new_string(
			mp_cli_compl_name(c->compl_args[k])));
	return ca;
}

struct json_object *mp_cli_commands_json(void)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < mp_cli_ncommands; i++) {
		const struct mp_cli_cmd *c = &mp_cli_commands[i];
		struct json_object *j = json_object_new_object(), *opts = json_object_new_array();
		const struct mp_cli_opt *o;

		json_object_object_add(j, "name", json_object_new_string(c->name));
		json_object_object_add(j, "synopsis", json_object_new_string(c->synopsis));
		json_object_object_add(j, "min_args", json_object_new_int(c->min_args));
		json_object_object_add(j, "max_args", json_object_new_int(c->max_args));
		json_object_object_add(j, "help", json_object_new_string(c->help));
		json_object_object_add(j, "complete", json_object_new_string(mp_cli_compl_name(c->compl)));
		json_object_object_add(j, "words", json_object_new_string(c->words ? c->words : ""));
		json_object_object_add(j, "complete_args", compl_args_json(c));
		json_object_object_add(j, "shell_only",
				       json_object_new_boolean(c->flags & MP_CMD_SHELL_ONLY));
		for (o = c->opts; o && o->name; o++) {
			struct json_object *jo = json_object_new_object();

			json_object_object_add(jo, "name", json_object_new_string(o->name));
			json_object_object_add(jo, "arg", o->arg ? json_object_new_string(o->arg) :
					       NULL);
			json_object_object_add(jo, "complete",
					       json_object_new_string(mp_cli_compl_name(o->compl)));
			json_object_object_add(jo, "words",
					       json_object_new_string(o->words ? o->words : ""));
			json_object_object_add(jo, "help", json_object_new_string(o->help));
			json_object_array_add(opts, jo);
		}
		json_object_object_add(j, "options", opts);
		json_object_array_add(arr, j);
	}
	return arr;
}

/* ---- handlers ---- */

static enum mp_cli_status cmd_help(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return mp_cli_help(stdout, args->argc, args->argv);
}

static enum mp_cli_status cmd_quit(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	return MP_CLI_QUIT;
}

static enum mp_cli_status cmd_version(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	printf("meshprov %s\n", PACKAGE_VERSION);
	return MP_CLI_OK;
}

static void scan_stop(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_app *a = data;

	a->scan_timer = 0;
	a->scanning = false;
	a->scan_off = true;
	mp_cli_scan_update(a);
	mp_out_info(&a->out, "Discovery stopped");
}

static enum mp_cli_status cmd_scan(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *dur = mp_cli_arg(args, "--duration");
	bool on = true, said_on = false;
	uint32_t secs = 0;
	enum mp_cli_status st;
	int i;

	for (i = 0; i < args->argc; i++) {
		const char *w = args->argv[i];

		if (strcmp(w, "on") == 0 && i == 0) {
			said_on = true;
		} else if (strcmp(w, "off") == 0 && i == 0 && args->argc == 1) {
			on = false;
		} else if (!dur) {
			dur = w;
		} else {
			mp_cmd_err(args, "unexpected '%s' (usage: scan [on|off] [SECONDS])", w);
			return MP_CLI_USAGE;
		}
	}
	if (dur && (mp_cli_parse_uint(dur, 86400, &secs) < 0 || secs == 0)) {
		mp_cmd_err(args, "the duration is a number of seconds, not '%s'", dur);
		return MP_CLI_USAGE;
	}
	if (a->mode == MP_CLI_SHELL) {
		if (a->scan_timer > 0)
			mp_loop_timer_cancel(a->loop, a->scan_timer);
		a->scan_timer = 0;
		if (!on) {
			a->scanning = false;
			a->scan_off = true;
			mp_cli_scan_update(a);
			mp_out_info(&a->out, "Discovery stopped");
			return MP_CLI_OK;
		}
		a->scan_off = false;
		st = mp_cli_need_radio(a);
		if (st)
			return st;
		mp_cli_scan_update(a);
		if (!a->scanning) {
			const struct mp_scan_table *t = mp_cli_scan_table(a);
			size_t k;

			/* heard before the scan was asked for: show them now */
			for (k = 0; t && k < mp_scan_table_count(t); k++)
				mp_out_beacon(&a->out, mp_scan_table_at(t, k), true);
		}
		a->scanning = true;
		if (secs)
			a->scan_timer = mp_loop_timer_add(a->loop, (uint64_t)secs * 1000, scan_stop, a);
		mp_out_info(&a->out, "Discovery started");
		return MP_CLI_OK;
	}
	/* Scripts and one-shot runs: devices heard are shown from a scan on
	 * (a provisioning run alone shows them with -v); `scan` alone or with
	 * a duration listens for that long. */
	a->scanning = on;
	if (!on)
		return MP_CLI_OK;
	st = mp_cli_need_radio(a);
	if (st)
		return st;
	if (said_on && !secs)
		return MP_CLI_OK;
	if (!secs)
		secs = a->o.timeout_s ? a->o.timeout_s : 10;
	if (!mp_cli_run_for(a, secs * 1000))
		return a->radio_lost ? MP_CLI_RADIO : a->interrupted ? MP_CLI_INTERRUPTED :
			MP_CLI_FAILED;
	if (!a->out.json)
		fprintf(a->out.fp, "%zu unprovisioned device(s) heard\n",
			mp_scan_table_count(mp_cli_scan_table(a)));
	return MP_CLI_OK;
}

static enum mp_cli_status cmd_devices(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	mp_out_devices(&a->out, mp_cli_scan_table(a), mp_loop_now_ms(a->loop), a->kr);
	return MP_CLI_OK;
}

/* The options every device of a provision command shares. */
static enum mp_cli_status provision_common(struct mp_cli_app *a, const struct mp_cli_args *args,
					   struct mp_provision_opts *po)
{
	const char *v;
	uint32_t idx;

	memset(po, 0, sizeof(*po));
	po->prov.action = -1;
	v = mp_cli_arg(args, "--auth");
	if (v && strncmp(v, "static:", 7) == 0 && mp_cli_secret_is_ref(v + 7)) {
		/* static:@FILE, static:-: the value where no one else sees it */
		char text[7 + MP_CLI_SECRET_MAX + 1] = "static:";
		int rc = mp_cli_secret_read(v + 7, "static OOB value", text + 7,
					    sizeof(text) - 7);

		if (!rc && (rc = mp_cli_parse_auth(text, &po->prov)) < 0)
			mp_cmd_err(args, "the static OOB value in %s is not 16 or 32 octets in hex",
				   v[7] == '@' ? v + 8 : "the input");
		mp_wipe(text, sizeof(text));
		if (rc < 0)
			return MP_CLI_USAGE;
	} else if (v && mp_cli_parse_auth(v, &po->prov) < 0) {
		mp_cmd_err(args, "--auth takes none, output, input or static:HEX (16 or 32 "
			   "octets; static:@FILE or static:- to read it), not '%s'", v);
		return MP_CLI_USAGE;
	}
	if (mp_cli_arg(args, "--require-auth")) {
		if (po->prov.auth == MP_AUTH_CHOICE_NONE) {
			mp_cmd_err(args, "--require-auth refuses what --auth none asks for: "
				   "give one of them");
			return MP_CLI_USAGE;
		}
		po->prov.require_auth = true;
	}
	v = mp_cli_arg(args, "--max-elements");
	if (v) {
		uint32_t n;

		if (mp_cli_parse_uint(v, 255, &n) < 0 || n == 0) {
			mp_cmd_err(args, "--max-elements takes a number of elements, 1 to 255, "
				   "not '%s'", v);
			return MP_CLI_USAGE;
		}
		po->prov.max_elements = (uint8_t)n;
	}
	v = mp_cli_arg(args, "--alg");
	if (v && mp_cli_parse_alg(v, &po->prov) < 0) {
		mp_cmd_err(args, "--alg takes auto, cmac or hmac, not '%s'", v);
		return MP_CLI_USAGE;
	}
	v = mp_cli_arg(args, "--bearer");
	if (v) {
		if (strcmp(v, "adv") == 0) {
			po->bearer = MP_BEARER_ADV;
		} else if (strcmp(v, "gatt") == 0) {
			po->bearer = MP_BEARER_GATT;
		} else if (strcmp(v, "auto") != 0) {
			mp_cmd_err(args, "--bearer takes auto, adv or gatt, not '%s'", v);
			return MP_CLI_USAGE;
		}
	}
	v = mp_cli_arg(args, "--netkey");
	if (v) {
		if (mp_cli_parse_hex(v, MP_KEY_INDEX_MAX, &idx) < 0) {
			mp_cmd_err(args, "--netkey takes a key index in hex (0-fff), not '%s'", v);
			return MP_CLI_USAGE;
		}
		po->net_key_index = (uint16_t)idx;
	}
	v = mp_cli_arg(args, "--address");
	if (v) {
		uint32_t addr;

		/* an address past the unicast space is checked against this
		 * provisioner's range once the keyring is open, which names it */
		if (mp_cli_parse_hex(v, 0xffff, &addr) < 0 || addr == 0) {
			mp_cmd_err(args, "--address takes a unicast address in hex (0001-7fff), "
				   "not '%s'", v);
			return MP_CLI_USAGE;
		}
		po->address = (uint16_t)addr;
	}
	v = mp_cli_arg(args, "--name");
	if (v && !mp_cli_name_ok(v)) {
		mp_cmd_err(args, "--name takes 1 to %d bytes without control characters",
			   MP_CLI_NAME_MAX);
		return MP_CLI_USAGE;
	}
	/* --oob-cmd is the job's (mp_cli_job_new copies it): a->o is the
	 * program's options, which no command may change. */
	v = mp_cli_arg(args, "--oob-cmd");
	if (v && !*v) {
		mp_cmd_err(args, "--oob-cmd needs a command");
		return MP_CLI_USAGE;
	}
	return MP_CLI_OK;
}

/* Whether the keyring is there yet: a batch file with bad lines is checked
 * against an existing keyring, and does not create one. */
static bool keyring_present(const struct mp_cli_app *a)
{
	char path[4096];
	struct stat sb;

	if (a->kr)
		return true;
	return mp_keyring_default_path_env(a->o.keyring, path, sizeof(path)) == 0 &&
		stat(path, &sb) == 0;
}

/* Whether @addr is in this provisioner's unicast ranges; else @why gets
 * them (" 0x0001-0x7fff", or "s 0x0001-0x00ff, 0x0200-0x02ff"). */
static bool in_unicast_range(const struct mp_cli_app *a, uint16_t addr, char *why, size_t len)
{
	const struct mp_provisioner *p = mp_keyring_self(a->kr);
	size_t off;
	unsigned int i;

	if (!p || !p->n_unicast) {
		snprintf(why, len, " 0x0001-0x7fff");
		return addr >= 0x0001 && addr <= 0x7fff;
	}
	for (i = 0; i < p->n_unicast; i++)
		if (addr >= p->unicast[i].low && addr <= p->unicast[i].high && addr <= 0x7fff)
			return true;
	off = (size_t)snprintf(why, len, "%s", p->n_unicast > 1 ? "s" : "");
	for (i = 0; i < p->n_unicast && off < len; i++)
		off += (size_t)snprintf(why + off, len - off, "%s 0x%04x-0x%04x", i ? "," : "",
					p->unicast[i].low, p->unicast[i].high);
	return false;
}

/*
 * Whether unicast address @addr asked for the device @uuid (NULL: not known
 * yet) cannot be given, in words naming its owner (@why): a node's element
 * (this provisioner's own included), or an address excluded since a node
 * was removed. The device's own unfinished record is not in the way: a
 * retry takes its block back (mp_keyring_node_add_pending()).
 */
static bool address_refused(struct mp_cli_app *a, const uint8_t *uuid, uint16_t addr,
			    char *why, size_t len)
{
	const struct mp_node *node = mp_keyring_node_find(a->kr, addr);

	if (node && uuid && memcmp(node->uuid, uuid, 16) == 0)
		return false;
	if (node) {
		snprintf(why, len, "address 0x%04x is used by a node (%s0x%04x, %u element%s%s%s%s%s)",
			 addr, node->is_self ? "this provisioner, " : "", node->addr,
			 node->elements, node->elements == 1 ? "" : "s",
			 node->name[0] ? ", name " : "", node->name,
			 node->state != MP_NODE_COMPLETE ? ", " : "",
			 node->state != MP_NODE_COMPLETE ? mp_node_state_str(node->state) : "");
		return true;
	}
	if (mp_keyring_is_excluded(a->kr, addr)) {
		snprintf(why, len, "address 0x%04x is excluded (a removed node had it)", addr);
		return true;
	}
	return false;
}

/*
 * Check a batch against the keyring before anything is written, adding the
 * problems to the file's: a requested address must be free; a device that
 * is already a node must be the node its row asks for, and is then skipped
 * (@skip), so that a tray run again after a partial failure goes on with
 * the rest, as make or rsync would.
 */
static void batch_check(struct mp_cli_app *a, struct mp_cli_batch *b, bool *skip)
{
	char why[256];
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct mp_cli_batch_entry *e = &b->v[i];
		const struct mp_node *node = mp_keyring_node_find_uuid(a->kr, e->uuid);

		if (node && node->state == MP_NODE_COMPLETE) {
			if (e->address && e->address != node->addr)
				mp_cli_batch_add_problem(b, e->line, "this device is already node "
							 "0x%04x, not 0x%04x as asked (node remove "
							 "%04x first if it was reset)", node->addr,
							 e->address, node->addr);
			else if (e->name[0] && strcmp(e->name, node->name) != 0)
				mp_cli_batch_add_problem(b, e->line, "this device is already node "
							 "0x%04x named '%s', not '%s' as asked (node "
							 "rename %04x NAME, or node remove %04x first "
							 "if it was reset)", node->addr, node->name,
							 e->name, node->addr, node->addr);
			else
				skip[i] = true;
			continue;
		}
		if (e->address && address_refused(a, e->uuid, e->address, why, sizeof(why)))
			mp_cli_batch_add_problem(b, e->line, "%s", why);
	}
}

/*
 * The batch path once the keyring was opened (@st says how that went): the
 * keyring's problems join the file's and all are reported at once, in line
 * order; else the rows already done are said. *@skip marks them, *@left
 * counts the others.
 */
static enum mp_cli_status batch_verdict(struct mp_cli_app *a, const char *file,
					struct mp_cli_batch *b, enum mp_cli_status st,
					bool **skip, size_t *left)
{
	size_t i, n = 0;

	*left = b->n;
	*skip = calloc(b->n ? b->n : 1, sizeof(**skip));
	if (!*skip)
		return MP_CLI_FAILED;
	if (!st)
		batch_check(a, b, *skip);
	if (b->nomem)
		return MP_CLI_FAILED;
	if (b->nbad) {
		mp_cli_batch_report(&a->out, file, b);
		return MP_CLI_USAGE;
	}
	if (st)
		return st;
	for (i = 0; i < b->n; i++) {
		if (!(*skip)[i])
			continue;
		mp_out_skipped(&a->out, b->v[i].uuid, b->v[i].line,
			       mp_keyring_node_find_uuid(a->kr, b->v[i].uuid), b->v[i].columns,
			       b->v[i].ncolumns);
		n++;
	}
	*left = b->n - n;
	if (n == b->n) {
		mp_out_info(&a->out, "all %zu device%s of %s %s already provisioned: nothing to do",
			    n, n == 1 ? "" : "s", file, n == 1 ? "is" : "are");
		mp_out_summary(&a->out, 0, 0, 0);
	} else if (n) {
		mp_out_info(&a->out, "skipped %zu device%s of %s already provisioned%s; %zu to go",
			    n, n == 1 ? "" : "s", file,
			    a->out.verbose > 0 || a->out.json ? "" : " (-v lists them)", *left);
	}
	return MP_CLI_OK;
}

/*
 * --auth output (or a batch line's AUTH output without its value) asks a
 * person to read each device back: in the shell, on a terminal, or through
 * --oob-cmd. With none of them the command is refused before any radio
 * traffic (issue 16). With --auth auto the device decides; its question is
 * refused when it comes (app.c, oob_output()).
 */
static bool output_oob_answerable(struct mp_cli_app *a, const struct mp_cli_args *args,
				  const struct mp_provision_opts *po,
				  const struct mp_cli_batch *bf, const bool *skip)
{
	unsigned int line = 0;
	size_t i;

	if (a->oob || a->o.oob_cmd || mp_cli_arg(args, "--oob-cmd"))
		return true;
	for (i = 0; i < bf->n && !line; i++)
		if (!(skip && skip[i]) && !bf->v[i].output[0] &&
		    (bf->v[i].auth == MP_AUTH_CHOICE_OUTPUT ||
		     (bf->v[i].auth == MP_AUTH_CHOICE_AUTO && po->prov.auth == MP_AUTH_CHOICE_OUTPUT)))
			line = bf->v[i].line;
	if (!line && (bf->n || po->prov.auth != MP_AUTH_CHOICE_OUTPUT))
		return true;
	if (line)
		mp_cmd_err(args, "line %u asks for Output OOB: someone must read each device back, "
			   "and stdin is not a terminal; give --oob-cmd HELPER, the value in the "
			   "AUTH column (output:VALUE), or run it on a terminal; nothing was sent",
			   line);
	else
		mp_cmd_err(args, "--auth output: someone must read each device back, and stdin "
			   "is not a terminal; give --oob-cmd HELPER or run it on a terminal (or in "
			   "the shell); nothing was sent");
	return false;
}

static enum mp_cli_status cmd_provision(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	const char *batch = mp_cli_arg(args, "--batch"), *count_s = mp_cli_arg(args, "--count");
	const char *maxf_s = mp_cli_arg(args, "--max-failures"), *idle_s = mp_cli_arg(args, "--idle");
	const char *maxu_s = mp_cli_arg(args, "--max-unconfirmed");
	const char *cfg_profile = mp_cli_arg(args, "--configure");
	bool cfg_started = false;
	uint32_t max_failures = MP_CLI_DEFAULT_MAX_FAILURES, max_unconf = 0;
	bool all = mp_cli_arg(args, "--all") != NULL, *skip = NULL;
	struct mp_cli_batch bf = { 0 };
	struct mp_cli_device_ref *refs = NULL;
	struct mp_provision_opts po;
	enum mp_cli_status st;
	size_t left = 0, i;
	uint32_t count = 0, idle = MP_CLI_DEFAULT_IDLE_S;
	unsigned int job;
	char why[256];
	int n;

	st = provision_common(a, args, &po);
	if (st)
		return st;
	if ((all ? 1 : 0) + (batch ? 1 : 0) + (args->argc ? 1 : 0) != 1) {
		mp_cmd_err(args, "give device UUIDs (or #N), --all or --batch FILE (not both)");
		return MP_CLI_USAGE;
	}
	if (count_s && (!all || mp_cli_parse_uint(count_s, 100000, &count) < 0 || count == 0)) {
		mp_cmd_err(args, "--count takes a positive number, with --all");
		return MP_CLI_USAGE;
	}
	if (idle_s && (!all || mp_cli_parse_uint(idle_s, 86400, &idle) < 0 || idle == 0)) {
		mp_cmd_err(args, "--idle takes a number of seconds (1 to 86400), with --all");
		return MP_CLI_USAGE;
	}
	if (maxf_s && (!all || mp_cli_parse_uint(maxf_s, 100000, &max_failures) < 0)) {
		mp_cmd_err(args, "--max-failures takes a number (0: never stop), with --all");
		return MP_CLI_USAGE;
	}
	if (maxu_s && mp_cli_parse_uint(maxu_s, 0x7fff, &max_unconf) < 0) {
		mp_cmd_err(args, "--max-unconfirmed takes a number of devices (0: no limit)");
		return MP_CLI_USAGE;
	}
	if ((po.address || mp_cli_arg(args, "--name")) && args->argc != 1) {
		mp_cmd_err(args, "--name and --address are for one device (a batch file has "
			   "columns for them)");
		return MP_CLI_USAGE;
	}
	if (args->argc) {
		refs = calloc((size_t)args->argc, sizeof(*refs));
		if (!refs)
			return MP_CLI_FAILED;
		for (n = 0; n < args->argc; n++) {
			if (mp_cli_parse_device(args->argv[n], &refs[n]) < 0) {
				mp_cmd_err(args, "'%s' is not a device UUID (32 hex digits, dashes "
					   "allowed) nor #N", args->argv[n]);
				free(refs);
				return MP_CLI_USAGE;
			}
		}
	}
	if (batch) {
		st = mp_cli_batch_load(&a->out, batch, &bf);
		if (st)
			goto out;
	}
	/* Every argument checked: only now touch the keyring and the radio. */
	st = batch && bf.nbad && !keyring_present(a) ? MP_CLI_USAGE : mp_cli_need_keyring(a);
	if (!st && maxu_s)	/* for the rest of this run (the keyring's) */
		mp_keyring_set_unconfirmed_max(a->kr, max_unconf);
	if (!st && !mp_keyring_netkey(a->kr, po.net_key_index)) {
		mp_cmd_err(args, "there is no NetKey 0x%03x (netkey list)", po.net_key_index);
		st = MP_CLI_USAGE;
	}
	/* --address: outside this provisioner's unicast range, named (MshPRT
	 * v1.1 3.4.2.2: unicast is 0x0001-0x7fff; MshCDB: the ranges it may
	 * give), before anything is sent */
	if (!st && po.address && !in_unicast_range(a, po.address, why, sizeof(why))) {
		mp_cmd_err(args, "--address 0x%04x: not in this provisioner's unicast range%s",
			   po.address, why);
		st = MP_CLI_USAGE;
	}
	if (batch) {
		st = batch_verdict(a, batch, &bf, st, &skip, &left);
		if (!st && !left && !cfg_profile)
			goto out;	/* every device done already */
	}
	if (!st && !output_oob_answerable(a, args, &po, &bf, skip))
		st = MP_CLI_USAGE;
	/* the kernel's LE setting is read when the radio opens (cli/le.h) */
	a->le_need = po.bearer == MP_BEARER_GATT ? MP_CLI_LE_MUST :
		po.bearer == MP_BEARER_ADV ? MP_CLI_LE_NONE : MP_CLI_LE_MAY;
	if (!st)
		st = mp_cli_need_radio(a);
	if (!st && a->mode == MP_CLI_SHELL) {
		for (n = 0; n < args->argc; n++) {
			const struct mp_scan_entry *e = refs[n].by_index ?
				mp_scan_table_find_index(mp_cli_scan_table(a), refs[n].index) : NULL;

			if (refs[n].by_index && !e) {
				mp_cmd_err(args, "no device #%u ('devices' lists them)", refs[n].index);
				st = MP_CLI_USAGE;
			} else if (e) {
				refs[n].by_index = false;
				memcpy(refs[n].uuid, e->uuid, 16);
			}
		}
	}
	/* --address: refused now, before any device hears from us, as a
	 * batch file's address column is (issue 16) */
	if (!st && po.address && args->argc == 1 &&
	    address_refused(a, refs[0].by_index ? NULL : refs[0].uuid, po.address, why,
			    sizeof(why))) {
		mp_cmd_err(args, "--address: %s; nothing was sent", why);
		st = MP_CLI_USAGE;	/* as a batch file's taken address: nothing done */
	}
	/* --configure: the profile checked before any device hears from us;
	 * the devices of the batch file provisioned by an earlier run are
	 * configured too (a run cut short resumes) */
	if (!st && cfg_profile) {
		st = mp_cli_configure_begin(a, args, cfg_profile);
		cfg_started = !st;
		for (i = 0; !st && i < bf.n; i++) {
			const struct mp_node *nd = skip && skip[i] ?
				mp_keyring_node_find_uuid(a->kr, bf.v[i].uuid) : NULL;

			if (nd)
				mp_cli_configure_node(a, nd->addr, bf.v[i].columns, bf.v[i].ncolumns);
		}
		if (!st && batch && !left)
			goto out;	/* every device provisioned already */
	}
	if (st)
		goto out;
	/* --all ends on --count, or once the tray is idle: never on what
	 * the simulator knows and a controller cannot (issue 16) */
	job = mp_cli_job_new(a, all, all ? count : 0, &po, mp_cli_arg(args, "--oob-cmd"));
	if (!job) {
		st = MP_CLI_FAILED;
		goto out;
	}
	mp_cli_job_get(a, job)->max_failures = all ? max_failures : 0;
	mp_cli_job_get(a, job)->idle_s = all ? idle : 0;
	for (n = 0; n < args->argc; n++)
		if (mp_cli_target_add(a, job, &refs[n], &po, mp_cli_arg(args, "--name"), 0) < 0)
			st = MP_CLI_FAILED;
	for (i = 0; i < bf.n; i++) {
		struct mp_cli_batch_entry *e = &bf.v[i];
		struct mp_provision_opts eo = po;
		struct mp_cli_device_ref ref = { .by_index = false };
		struct mp_cli_target *t;

		if (skip[i])
			continue;
		memcpy(ref.uuid, e->uuid, 16);
		if (e->auth != MP_AUTH_CHOICE_AUTO)
			eo.prov.auth = e->auth;
		if (e->require_auth)
			eo.prov.require_auth = true;
		if (e->static_len) {
			memcpy(eo.prov.static_oob, e->static_oob, e->static_len);
			eo.prov.static_oob_len = e->static_len;
		}
		eo.address = e->address;
		if (mp_cli_target_add(a, job, &ref, &eo, e->name, e->line) < 0) {
			st = MP_CLI_FAILED;
		} else {
			t = &a->targets[a->ntargets - 1];
			memcpy(t->output, e->output, sizeof(e->output));
			t->columns = e->columns;	/* the target owns them now */
			t->ncolumns = e->ncolumns;
			e->columns = NULL;
		}
		mp_wipe(eo.prov.static_oob, sizeof(eo.prov.static_oob));
	}
	if (st)
		goto out;
	mp_cli_job_start(a, job, a->o.timeout_s ? a->o.timeout_s : 120);
	if (a->mode == MP_CLI_SHELL) {
		if (!mp_cli_job_done(a, job) && (all || batch || args->argc > 1 ||
						  mp_cli_busy(a) > mp_engine_sessions(a->engine)))
			mp_out_info(&a->out, "waiting for the device%s to be heard (cancel stops)",
				    args->argc == 1 ? "" : "s");
		st = MP_CLI_OK;
	} else {
		st = mp_cli_job_wait(a, job);
	}
out:
	if (cfg_started)
		st = mp_cli_configure_end(a, st);
	mp_wipe(po.prov.static_oob, sizeof(po.prov.static_oob));
	mp_cli_batch_clear(&bf);
	free(skip);
	free(refs);
	return st;
}

static enum mp_cli_status cmd_cancel(struct mp_cli_app *a, const struct mp_cli_args *args)
{
	struct mp_cli_device_ref ref;
	unsigned int n;

	if (args->argc && mp_cli_parse_device(args->argv[0], &ref) < 0) {
		mp_cmd_err(args, "'%s' is not a device UUID nor #N", args->argv[0]);
		return MP_CLI_USAGE;
	}
	n = mp_cli_cancel(a, args->argc ? &ref : NULL);
	if (!n) {
		mp_cmd_err(args, "nothing to cancel");
		return MP_CLI_FAILED;
	}
	return MP_CLI_OK;
}
