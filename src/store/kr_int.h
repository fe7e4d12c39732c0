/* Internals shared by the store/ sources (not installed, not for other layers). */
#ifndef MP_STORE_KR_INT_H
#define MP_STORE_KR_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "core/hex.h"
#include "crypto/crypto.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"
#include "store/scenes.h"

#define KR_MAX_FILE (64u << 20)		/* refuse to read more than 64 MiB */
#define KR_MAX_VALUES (1u << 21)	/* JSON values in a file, counted before parsing */
#define KR_MAX_OBJECTS (1u << 18)	/* JSON objects in a file, likewise */
#define KR_DEFAULT_NAME "meshprov"
/* scrypt N = 2^17 with r = 8: 128 MiB and 0.30 s on the machine it was
 * measured on (2^15: 0.08 s, 2^16: 0.14 s, 2^18: 0.72 s and 256 MiB). */
#define KR_LOG2N_DEFAULT 17
#define KR_LOG2N_MIN 10
#define KR_LOG2N_MAX 18
#define KR_TIME_MAX 253402300799LL	/* 9999-12-31T23:59:59Z: four-digit years */

/* The network as held in memory: what is saved, parsed, imported, swapped. */
struct kr_data {
	char net_name[MP_KR_NAME_MAX + 1];
	uint8_t net_uuid[16];
	uint32_t iv_index;
	bool iv_update;
	int64_t iv_changed;		/* when iv_index or iv_update last changed; 0 unknown */
	/* This provisioner's sequence numbers (the 24-bit SEQ of a Network PDU,
	 * MshPRT v1.1 3.4.4): every SEQ
	 * below seq_next may have been used from its address at the current
	 * transmit IV index; the next reservation starts here. */
	uint32_t seq_next;
	struct mp_netkey *netkeys;	/* sorted by index */
	size_t n_netkeys, cap_netkeys;
	struct mp_appkey *appkeys;	/* sorted by index */
	size_t n_appkeys, cap_appkeys;
	struct mp_provisioner *provs;
	size_t n_provs, cap_provs;
	size_t self;			/* index into provs */
	struct mp_node *nodes;		/* sorted by address */
	size_t n_nodes, cap_nodes;
	struct mp_exclusion *excl;	/* sorted by address */
	size_t n_excl, cap_excl;
	struct mp_group *groups;	/* in the order added */
	size_t n_groups, cap_groups;
	struct mp_scene *scenes;	/* by number (kr_scenes_sort()); each one's addrs owned */
	size_t n_scenes, cap_scenes;
};

/* Encryption at rest: the derived key is kept, the passphrase never. */
struct kr_seal {
	bool on;
	uint8_t log2n, r, p;
	uint8_t salt[16];
	uint8_t key[32];
};

struct mp_keyring {
	struct kr_data *d;
	struct kr_seal seal;
	struct mp_keyring_error err;
	char *path;			/* NULL in memory */
	char *dir;			/* its directory */
	char *base;			/* its file name */
	int dirfd, lockfd;
	/* Running as root on someone else's keyring: the files we create keep
	 * the owner of the keyring (or of its directory), not root. */
	bool chown_files;
	uid_t owner_uid;
	gid_t owner_gid;
	bool created;
	bool rdonly;			/* MP_KEYRING_RDONLY: a shared lock, no save */
	bool unlocked;			/* rdonly on read-only media: read with no lock */
	bool reseal;			/* this save changes the seal: see kr_file_write() */
	unsigned batch;
	bool dirty;
	const struct mp_rng *rng;
	int64_t (*now)(void *ctx);
	void *now_ctx;
	/* Devices left UNCONFIRMED while open, and how many may be
	 * (mp_keyring_set_unconfirmed_max; 0: no limit). */
	uint8_t (*unconf_uuids)[16];
	unsigned n_unconf, max_unconf;
};

/* ---- kr_util.c ---- */
int kr_fail(struct mp_keyring_error *err, int code, enum mp_kr_errkind kind, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void kr_err_clear(struct mp_keyring_error *err);
void kr_msgf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int64_t kr_now(const struct mp_keyring *kr);

struct kr_data *kr_data_new(void);
void *kr_append(void **arr, size_t *n, size_t *cap, size_t size);
int kr_reserve(void **arr, size_t n, size_t *cap, size_t size, size_t want);
void kr_data_free(struct kr_data *d);
/* A name is UTF-8 without control characters (C0, DEL, C1): names are
 * printed on terminals. kr_name_problem() says what is wrong (NULL: nothing). */
bool kr_name_ok(const char *s, size_t max, bool allow_empty);
const char *kr_name_problem(const char *s);

struct mp_netkey *kr_netkey_find(struct kr_data *d, uint16_t index);
struct mp_appkey *kr_appkey_find(struct kr_data *d, uint16_t index);
ssize_t kr_node_index(const struct kr_data *d, uint16_t addr);	/* node owning addr */
ssize_t kr_node_index_uuid(const struct kr_data *d, const uint8_t uuid[16]);
struct mp_netkey *kr_netkey_insert(struct kr_data *d, uint16_t index);
struct mp_appkey *kr_appkey_insert(struct kr_data *d, uint16_t index);
struct mp_node *kr_node_insert(struct kr_data *d, uint16_t addr);
/* Copy a whole node record (merge, stations): the one place that knows
 * what a record holds, so that new parts of it travel with it. Deep: @dst
 * gets its own copy of the configuration (its previous one freed; @dst must
 * be a zeroed or valid record); 0 or -ENOMEM (@dst unchanged). */
int kr_node_copy(struct mp_node *dst, const struct mp_node *src);
int kr_node_delete(struct kr_data *d, uint16_t addr);
int kr_excl_add(struct kr_data *d, uint16_t addr, uint32_t iv_index);
void kr_excl_purge(struct kr_data *d);
void kr_excl_normalize(struct kr_data *d);
void kr_self_first(struct kr_data *d);
void kr_default_names(struct kr_data *d);
bool kr_excl_active(const struct kr_data *d, const struct mp_exclusion *e);
struct mp_provisioner *kr_prov_add(struct kr_data *d);
void kr_sort_all(struct kr_data *d);
int kr_check(const struct kr_data *d, bool is_cdb, struct mp_keyring_error *err);
/* "C000-CFFF, D100-D1FF" ("none" for no range) for messages. */
void kr_ranges_str(const struct mp_kr_range *r, unsigned n, char *buf, size_t cap);
/* Whether one of the @n ranges @r holds @v. */
bool kr_in_ranges(const struct mp_kr_range *r, unsigned n, uint16_t v);
int kr_find_block(const struct kr_data *d, const struct mp_provisioner *p, uint8_t elements,
		  uint16_t *addr);
void kr_used_map(const struct kr_data *d, uint8_t *map);	/* 0x8000 bits */

/* Address and time text (hex and UUIDs: core/hex.h). */
bool kr_parse_addr(const char *s, uint16_t *out);
bool kr_parse_time(const char *s, int64_t *out);
void kr_fmt_time(int64_t t, char out[32]);

/* json-c helpers that name the field on failure: "ctx.key". An absent optional
 * field leaves the output as it was, except kj_int, which gives 0. */
int kj_get(json_object *o, const char *ctx, const char *key, enum json_type type, bool required,
	   json_object **out, struct mp_keyring_error *err);
int kj_int(json_object *o, const char *ctx, const char *key, int64_t min, int64_t max,
	   bool required, int64_t *out, struct mp_keyring_error *err);
int kj_bool(json_object *o, const char *ctx, const char *key, bool required, bool *out,
	    struct mp_keyring_error *err);
int kj_str(json_object *o, const char *ctx, const char *key, size_t max, bool required,
	   const char **out, struct mp_keyring_error *err);
int kj_name(json_object *o, const char *ctx, const char *key, bool required, char *out,
	    size_t max, struct mp_keyring_error *err);
int kj_hex(json_object *o, const char *ctx, const char *key, bool required, uint8_t *out,
	   size_t n, bool *present, struct mp_keyring_error *err);
/* An array of at most @max entries (*@arr NULL and *@n 0 when an optional one is absent). */
int kj_array(json_object *o, const char *ctx, const char *key, bool required, size_t max,
	     json_object **arr, size_t *n, struct mp_keyring_error *err);
/* Element @i of @arr, which must be an object; @field names it in errors. */
int kj_elem(json_object *arr, size_t i, const char *field, json_object **out,
	    struct mp_keyring_error *err);
int kj_uuid(json_object *o, const char *ctx, const char *key, bool required, uint8_t out[16],
	    struct mp_keyring_error *err);
int kj_addr(json_object *o, const char *ctx, const char *key, uint16_t *out,
	    struct mp_keyring_error *err);
int kj_addr_value(json_object *v, const char *field, uint16_t *out,
		  struct mp_keyring_error *err);
int kj_parse(const char *data, size_t len, json_object **out, struct mp_keyring_error *err);
void kj_add_str(json_object *o, const char *key, const char *s);
void kj_add_int(json_object *o, const char *key, int64_t v);
void kj_add_bool(json_object *o, const char *key, bool v);
void kj_add_hex(json_object *o, const char *key, const uint8_t *b, size_t n, bool upper);
void kj_add_addr(json_object *o, const char *key, uint16_t a);
void kj_wipe_tree(json_object *o);
char *kj_dump(json_object *o, size_t *len);
void kj_put_wiped(json_object *o);

/* ---- kr_format.c: the native file ---- */
int kr_decode(const char *data, size_t len, const uint8_t *pass, size_t passlen,
	      struct kr_data **out, struct kr_seal *seal, struct mp_keyring_error *err);
int kr_encode(const struct kr_data *d, char **out, size_t *len);
int kr_resolve_self(struct kr_data *d, const uint8_t uuid[16], const char *field,
		    struct mp_keyring_error *err);

/* ---- kr_records.c: one codec per record, for both files ---- */

/* Which file a record is read from or written to. */
struct kr_form {
	bool cdb;	/* a Mesh Configuration Database; else the keyring file */
	bool partial;	/* a partial CDB: device keys may be absent (reading) or
			 * are left out (writing) */
};

/* Decode the records of @root ("netKeys", "appKeys", "provisioners",
 * "nodes", "exclusions" or "networkExclusions") into @d; errors name the
 * field. */
int kr_dec_netkeys(const struct kr_form *f, json_object *root, struct kr_data *d,
		   struct mp_keyring_error *err);
int kr_dec_appkeys(const struct kr_form *f, json_object *root, struct kr_data *d,
		   struct mp_keyring_error *err);
int kr_dec_provisioners(const struct kr_form *f, json_object *root, struct kr_data *d,
			struct mp_keyring_error *err);
int kr_dec_nodes(const struct kr_form *f, json_object *root, struct kr_data *d,
		 struct mp_keyring_error *err);
int kr_dec_exclusions(const struct kr_form *f, json_object *root, struct kr_data *d,
		      struct mp_keyring_error *err);
/* A time: UNIX seconds in the file, a date in a CDB; *@out unchanged when absent. */
int kr_dec_time(const struct kr_form *f, json_object *o, const char *ctx, const char *key,
		int64_t *out, struct mp_keyring_error *err);
/* One record as a new json-c object (keys in it: free with kj_put_wiped()). */
json_object *kr_enc_netkey(const struct kr_form *f, const struct mp_netkey *k);
json_object *kr_enc_appkey(const struct kr_form *f, const struct mp_appkey *k);
json_object *kr_enc_provisioner(const struct kr_form *f, const struct mp_provisioner *p);
json_object *kr_enc_node(const struct kr_form *f, const struct mp_node *n);
json_object *kr_enc_exclusions(const struct kr_form *f, const struct kr_data *d);
/* Add every record array of @d to @root. */
void kr_enc_records(const struct kr_form *f, const struct kr_data *d, json_object *root);

/* ---- cdb.c ---- */
/* A CDB document decoded and checked (as import does, short of choosing
 * this keyring's provisioner); the exporter named in its "meshprov" object
 * when *@have_exporter. */
int kr_cdb_decode(json_object *root, struct kr_data **out, uint8_t exporter[16],
		  bool *have_exporter, struct mp_keyring_error *err);

/* ---- stations.c: the store side of stations ---- */
/* A copy of @d for station @uuid (-ENOENT: no such provisioner); with
 * @partial, the nodes outside its unicast ranges lose their device keys. */
int kr_station_copy(const struct kr_data *d, const uint8_t uuid[16], bool partial,
		    struct kr_data **out, struct mp_keyring_error *err);
/* The index of the provisioner named @name in freshly imported @d, once
 * checked that this keyring may act as it (see mp_cdb_import_opts
 * .as_station); @exporter (NULL: unknown) is the keyring that wrote it. */
int kr_station_adopt(const struct kr_data *d, const char *name, const uint8_t *exporter,
		     size_t *idx, struct mp_keyring_error *err);
/* No two provisioners' ranges of a kind overlap (-EBADMSG naming both). */
int kr_ranges_disjoint(const struct kr_data *d, struct mp_keyring_error *err);

/* ---- kr_nodecfg.c: the records of node configuration and groups (part of
 * the shared codec: kr_records.c calls it for each node) ---- */

/* A node's configuration from @o (a CDB node, or the keyring file node's
 * "config" object) into nd->config (left NULL when @o records nothing). */
int kr_dec_node_config(const struct kr_form *f, json_object *o, const char *ctx,
		       struct mp_node *nd, struct mp_keyring_error *err);
/* A node's "elements" array (the CDB's form in both files), and the other
 * configuration fields of @n into @o. */
json_object *kr_enc_node_elements(const struct kr_form *f, const struct mp_node *n);
void kr_enc_node_config(const struct kr_form *f, const struct mp_node *n, json_object *o);
int kr_dec_groups(const struct kr_form *f, json_object *root, struct kr_data *d,
		  struct mp_keyring_error *err);
json_object *kr_enc_groups(const struct kr_form *f, const struct kr_data *d);
/* The same address: the same label, or the same non-virtual address. */
bool kr_nc_same_addr(const struct mp_nc_addr *a, const struct mp_nc_addr *b);

/* ---- kr_scenes.c: the scene records (part of the shared codec) and the
 * helpers that keep scenes consistent with the nodes ---- */
int kr_dec_scenes(const struct kr_form *f, json_object *root, struct kr_data *d,
		  struct mp_keyring_error *err);
json_object *kr_enc_scenes(const struct kr_form *f, const struct kr_data *d);
/* Every scene address is an element of a node of @d (-EBADMSG naming the
 * field otherwise); any order of the nodes. */
int kr_check_scenes(const struct kr_data *d, struct mp_keyring_error *err);
/* Free the addresses of @n scenes (not the array). */
void kr_scenes_free(struct mp_scene *s, size_t n);
/* @dst's scenes become a deep copy of @src's (@dst's own are not freed);
 * -ENOMEM leaves what was copied, for kr_data_free(). */
int kr_scenes_copy(struct kr_data *dst, const struct kr_data *src);
/* Scenes by number, each one's addresses ascending. */
void kr_scenes_sort(struct kr_data *d);
ssize_t kr_scene_index(const struct kr_data *d, uint16_t number);
/* Add @addr to @s in order (there already: nothing); -ENOMEM. */
int kr_scene_addr_add(struct mp_scene *s, uint16_t addr);
/* Take the addresses @addr..@addr+@elements-1 out of every scene (a node
 * that goes). */
void kr_scenes_drop_block(struct kr_data *d, uint16_t addr, unsigned elements);
/* Take out of every scene the addresses no node of @d (sorted) has. */
void kr_scenes_drop_unheld(struct kr_data *d);

/* ---- node_config.c ---- */
/* A change that could not be made: back to @before (from kr_snapshot();
 * NULL: nothing to go back to); -ENOMEM gets its message. Returns @r. */
int kr_undo(struct mp_keyring *kr, struct kr_data *before, int r);
void kr_nc_free(struct mp_node_config *c);
/* A deep copy (NULL in, NULL out; *@ok false when out of memory). */
struct mp_node_config *kr_nc_clone(const struct mp_node_config *c, bool *ok);
/* A new empty configuration for a node of @elements elements. */
struct mp_node_config *kr_nc_new(uint8_t elements);

/* ---- kr_crypt.c: the encrypted envelope ---- */
bool kr_is_envelope(json_object *root);
int kr_seal_init(struct kr_seal *s, const uint8_t *pass, size_t passlen, uint8_t log2n,
		 const struct mp_rng *rng, struct mp_keyring_error *err);
int kr_seal_open(json_object *root, const uint8_t *pass, size_t passlen, struct kr_seal *s,
		 char **plain, size_t *plain_len, struct mp_keyring_error *err);
int kr_seal_wrap(const struct kr_seal *s, const struct mp_rng *rng, const char *plain,
		 size_t len, char **out, size_t *out_len, struct mp_keyring_error *err);

/* ---- kr_file.c ---- */
int kr_file_open(struct mp_keyring *kr, const char *path, const struct mp_keyring_opts *opts,
		 char **data, size_t *len);
/* Save @data as the keyring: a new temporary file, the backup PATH.bak made
 * a link to the previous file (to the new one when kr->reseal: a change of
 * seal leaves no copy under the old one), rename, fsync the directory. */
int kr_file_write(struct mp_keyring *kr, const char *data, size_t len);
/* Write @path atomically (new temporary file, rename) with mode 0600, in a
 * directory of ours or root's that others cannot write (sticky allowed);
 * refuses to replace anything but a regular file. */
int kr_write_atomic(const char *path, const char *data, size_t len,
		    struct mp_keyring_error *err);
/* Refuse directory @dir (open as @dirfd) for files holding keys when
 * another user owns it (but @also when @also_ok) or group or others can
 * write it (unless sticky and @sticky_ok); the message says the fix. */
int kr_check_dir(int dirfd, const char *dir, bool sticky_ok, uid_t also, bool also_ok,
		 struct mp_keyring_error *err);
/* Keep the keyring file as it is now under PATH.@tag-YYYYMMDDTHHMMSSZ (a
 * hard link: same seal, owner, mode); its path in @out. */
int kr_keep_copy(struct mp_keyring *kr, const char *tag, char *out, size_t cap);
/* "a FIFO", "a directory"...: for messages. */
const char *kr_file_type(mode_t mode);
void kr_file_close(struct mp_keyring *kr);
/* Give a file we created to the keyring's owner (root on another user's
 * keyring); best effort. */
void kr_give_away(const struct mp_keyring *kr, int fd);
/* Replace the keyring's sidecar file BASE@ext atomically under the
 * keyring's temp-file rules (BASE@ext.tmp-XXXXXXXXXXXX, O_EXCL, 0600,
 * fsync, rename, fsync the directory; stale ones are removed at open).
 * 0 or -errno, *@step naming what failed. */
int kr_sidecar_write(struct mp_keyring *kr, const char *ext, const void *data, size_t len,
		     const char **step);
void kr_damaged_msg(struct mp_keyring *kr, const char *path);

/* ---- keyring.c ---- */
int kr_create_data(struct mp_keyring *kr, const struct mp_keyring_opts *opts,
		   struct kr_data **out);
int kr_changed(struct mp_keyring *kr);
/* A deep copy of @d (NULL: out of memory). */
struct kr_data *kr_data_clone(const struct kr_data *d);
/* The IV index a node transmits with: during an IV Update, the one before
 * (MshPRT v1.1 3.11.5). */
static inline uint32_t kr_tx_iv(uint32_t iv_index, bool iv_update)
{
	return iv_update && iv_index ? iv_index - 1 : iv_index;
}
/* Keep a copy of the data to roll back to if the save of a change fails
 * (none inside a batch or in memory); kr_finish() saves (kr_changed()) and
 * rolls back to it on failure, or frees it. */
int kr_snapshot(struct mp_keyring *kr, struct kr_data **before);
int kr_finish(struct mp_keyring *kr, struct kr_data *before);
/* Errors shared by keyring.c and nodes.c. */
int kr_bad_index(struct mp_keyring *kr, uint16_t index);
int kr_no_netkey(struct mp_keyring *kr, uint16_t index);
/* The node owning @addr, or NULL with -ENOENT in kr->err. */
struct mp_node *kr_node_or_fail(struct mp_keyring *kr, uint16_t addr);
/* Remove @v from a key index list, if there. */
void kr_list_remove(uint16_t *list, uint8_t *n, uint16_t v);

#endif
