/* The handlers of the command table (src/cli/commands.h), by file:
 * src/cli/commands.c (the table, help, scanning, provisioning) and
 * src/cli/cmd_keyring.c (nodes, keys, IV index, CDB, keyring). Each returns
 * a status; main.c alone turns statuses into exit codes.
 */
#ifndef MP_CLI_HANDLERS_H
#define MP_CLI_HANDLERS_H

#include "cli/commands.h"

enum mp_cli_status mp_cmd_nodes(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_node_show(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_node_rename(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_node_remove(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_netkey_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_netkey_create(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_netkey_import(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_netkey_delete(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_netkey_rename(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_appkey_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_appkey_create(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_appkey_import(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_appkey_delete(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_appkey_rename(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_iv_index(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_export(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_import(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_keyring_info(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_keyring_encrypt(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_keyring_decrypt(struct mp_cli_app *a, const struct mp_cli_args *args);
struct stat;

/**
 * Read @path whole into *@out (malloc'd, NUL-terminated, length *@len): a
 * regular file of at most @max bytes (a FIFO is refused, not waited on).
 * 0, or with the reason reported -EINVAL (the file: not there, not a
 * regular file, too long) or -ENOMEM.
 */
int mp_cmd_read_file(const struct mp_cli_args *args, const char *path, size_t max, char **out,
		     size_t *len, struct stat *sb);

/** A keyring call failed with @rc: its message reported, the status for it. */
enum mp_cli_status mp_cmd_keyring_fail(struct mp_cli_app *a, const struct mp_cli_args *args,
				       int rc);

/* src/cli/cmd_station.c: several stations of one network */
enum mp_cli_status mp_cmd_station_add(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_station_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_station_grow(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_station_remove(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_merge(struct mp_cli_app *a, const struct mp_cli_args *args);

/* src/cli/cmd_group.c: groups by name (issue #14) */
enum mp_cli_status mp_cmd_group_add(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_group_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_group_show(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_group_remove(struct mp_cli_app *a, const struct mp_cli_args *args);

/* src/cli/cmd_config.c: the Configuration Client commands (issue #14). */
enum mp_cli_status mp_cmd_cfg_composition(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_appkey_add(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_appkey_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_bind(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_unbind(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_sub_add(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_sub_del(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_sub_list(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_pub_get(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_pub_set(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_ttl(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_relay(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_proxy(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_beacon(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_cfg_node_reset(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_attention(struct mp_cli_app *a, const struct mp_cli_args *args);
enum mp_cli_status mp_cmd_onoff(struct mp_cli_app *a, const struct mp_cli_args *args);

/* src/cli/cmd_netkey.c: the Key Refresh procedure (issues #13, #14) */
enum mp_cli_status mp_cmd_netkey_refresh(struct mp_cli_app *a, const struct mp_cli_args *args);
/** The network (its Configuration Client) is going: free the refresh in
 *  progress, if any (its requests are gone; the keyring keeps its phase),
 *  saying how to resume. From mp_cli_net_free(), after the client is freed. */
void mp_cmd_netkey_refresh_drop(struct mp_cli_app *a);

/* src/cli/cmd_configure.c: a profile applied to nodes (issue #14). */
enum mp_cli_status mp_cmd_configure(struct mp_cli_app *a, const struct mp_cli_args *args);

/** "meshprov: CMD: message" on stderr. */
void mp_cmd_err(const struct mp_cli_args *args, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
