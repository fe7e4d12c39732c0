/* The keyring: the network's keys and addresses, on disk.
 *
 * One JSON file (json-c), versioned by a top-level "meshprov-keyring": 2
 * (a version 1 file is read and saved as version 2; fields added within a
 * version, such as each node's "config" and the "groups" of
 * store/node_config.h and the "scenes" of store/scenes.h, are optional, and a reader ignores fields it does
 * not know, so the number changes only when an older reader would fail),
 * keys as hex strings, optionally sealed in an encrypted envelope (scrypt +
 * AES-256-GCM). While a process has a keyring open it holds an exclusive
 * lock (an OFD lock on PATH.lock, which also records the holder's PID).
 * Every save writes a new PATH.tmp-XXXXXXXXXXXX (random name, O_EXCL, 0600)
 * in the same directory, fsyncs it, keeps the previous version as PATH.bak
 * (a hard link), renames the temporary file over PATH and fsyncs the
 * directory, so that PATH is always either the old or the new complete
 * file. A damaged file is reported, never overwritten. Nothing another user
 * could have planted is used: the directory must be ours or root's and not
 * writable by group or others, the lock file a single-link regular file of
 * ours, mode 0600, and the keyring a regular file (a FIFO is refused at
 * once, not waited on).
 *
 * Addresses: this provisioner allocates unicast blocks inside its own
 * allocated unicast ranges (default 0x0001-0x7FFF). The provisioner itself
 * has a node entry (as BlueZ and nRF Mesh configuration databases do),
 * holding the first address of its range at creation (0x0001 by default),
 * so the first device gets 0x0002.
 *
 * Provisioning flow and crash policy (MshPRT v1.1 5.4.2.5):
 *  1. mp_keyring_node_add_pending() allocates the addresses and records the
 *     node, its device key and state PENDING, and saves before it returns:
 *     only then may the Provisioning Data PDU leave.
 *  2. mp_keyring_node_complete() on Provisioning Complete: state COMPLETE.
 *  3. mp_keyring_node_abort(kr, addr, data_sent): when provisioning failed.
 *     If the Provisioning Data was never sent the device cannot know the
 *     address, so the record is dropped and the address is free at once. If
 *     it was sent, the device may hold the address even though Complete was
 *     lost: the record stays, in state UNCONFIRMED, keeping its address and
 *     device key; it is never reused silently (remove it explicitly, which
 *     excludes its addresses like any removed node). A PENDING record found
 *     after a crash is treated the same way.
 *
 * Removed nodes' addresses go to the exclusion list with the IV index at
 * removal, and are allocated again only once the (stored) IV index has
 * advanced by 2 or more: other nodes' replay protection lists keep the last
 * SeqAuth (IV index and SEQ; "Message replay protection", Mesh Profile 1.0.1
 * 3.8.8) seen from each address, and a new node starting at SEQ 0 would be
 * taken for a replay until its SeqAuth passes the removed node's; two IV
 * index increments guarantee that. This is the rule of the Mesh
 * Configuration Database's networkExclusions (addresses with the IV index at
 * exclusion) as nRF Mesh applies it; the wording of MshPRT itself on reuse
 * could not be consulted when this was written.
 *
 * Locking and fork(): a child forked while a keyring is open shares the
 * open file description, hence the lock, until it execs (the lock file is
 * O_CLOEXEC) or exits; fork before opening when the child must open it.
 *
 * Errors: every call returns 0 or a negative errno, and fills a
 * struct mp_keyring_error with a kind and a complete human message (path,
 * field, fix); mp_keyring_error() returns the last one's message. Keys never
 * appear in error messages; mp_keyring_key_str() shows a key only when asked.
 *
 * The structures returned by the accessors (nodes, keys, provisioners) point
 * into the keyring: they stay valid until the next call that changes it.
 *
 * Not thread-safe: one keyring object per thread.
 */
#ifndef MP_STORE_KEYRING_H
#define MP_STORE_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto/crypto.h"

#define MP_KEYRING_FORMAT_VERSION 2	/* what is written */
#define MP_KEYRING_FORMAT_OLDEST 1	/* the oldest version read (and migrated) */
#define MP_KR_NAME_MAX 64	/* bytes of a network, node, key or provisioner name */
#define MP_KR_TAG_MAX 31	/* bytes of an algorithm or OOB method tag */
#define MP_KR_MAX_RANGES 8	/* ranges of each kind per provisioner */
#define MP_NODE_MAX_NETKEYS 16
#define MP_NODE_MAX_APPKEYS 32
#define MP_KEY_INDEX_MAX 0x0fff	/* 12-bit key indexes, MshPRT v1.1 4.3.1.1 */
#define MP_UNICAST_MIN 0x0001
#define MP_UNICAST_MAX 0x7fff	/* MshPRT v1.1 3.4.2.2 */

/* What went wrong, for callers that act on it (the message says it all). */
enum mp_kr_errkind {
	MP_KR_OK = 0,
	MP_KR_E_ARG,		/* -EINVAL: a bad argument */
	MP_KR_E_NOMEM,		/* -ENOMEM */
	MP_KR_E_IO,		/* -errno: read, write, fsync, rename or mkdir failed */
	MP_KR_E_NOTFOUND,	/* -ENOENT: no keyring file (and no MP_KEYRING_CREATE) */
	MP_KR_E_SYMLINK,	/* -ELOOP: the keyring path is a symbolic link */
	MP_KR_E_LOCKED,		/* -EBUSY: another process holds it; see holder_pid */
	MP_KR_E_MODE,		/* -EACCES: group or others may access the file */
	MP_KR_E_OWNER,		/* -EACCES: the file belongs to another user */
	MP_KR_E_SYNTAX,		/* -EBADMSG: not JSON, or truncated; see offset */
	MP_KR_E_VERSION,	/* -EBADMSG: not a keyring, or an unknown format version */
	MP_KR_E_FIELD,		/* -EBADMSG: a field is missing or has the wrong type */
	MP_KR_E_VALUE,		/* -EBADMSG: bad hex, a value out of range */
	MP_KR_E_DUPLICATE,	/* -EBADMSG: an address, index or UUID used twice */
	MP_KR_E_REFERENCE,	/* -EBADMSG: refers to a key or provisioner that is not there */
	MP_KR_E_NEED_PASSPHRASE, /* -ENOKEY: the file is encrypted, no passphrase given */
	MP_KR_E_PASSPHRASE,	/* -EKEYREJECTED: wrong passphrase, or the file was altered */
	MP_KR_E_FULL,		/* -ENOSPC: no free block of addresses; -EDQUOT: too
				 * many devices left unconfirmed this run */
	MP_KR_E_RANGE,		/* -ERANGE: a requested address is outside our ranges */
	MP_KR_E_ADDR_IN_USE,	/* -EADDRINUSE: a requested address is used or excluded */
	MP_KR_E_NO_SUCH,	/* -ENOENT: no such node, key or entry */
	MP_KR_E_EXISTS,		/* -EEXIST: already there */
	MP_KR_E_STATE,		/* -EINVAL/-EALREADY/-EPERM: not allowed in this state */
	MP_KR_E_IN_USE,		/* -EBUSY: a key still used by nodes or AppKeys */
	MP_KR_E_CRYPTO,		/* -EIO: OpenSSL failed */
};

struct mp_keyring_error {
	int code;			/* the negative errno that was returned; 0 if none */
	enum mp_kr_errkind kind;
	pid_t holder_pid;		/* MP_KR_E_LOCKED: the holder's PID, 0 if unknown */
	size_t offset;			/* MP_KR_E_SYNTAX: byte offset of the error */
	char field[128];		/* the bad field, as "nodes[3].deviceKey"; "" if none */
	char msg[2048];			/* one human paragraph: what, where, how to fix */
};

/* Flags of struct mp_keyring_opts. */
#define MP_KEYRING_CREATE 0x1	/* create the file (and its directory, 0700) if missing */
#define MP_KEYRING_WAIT 0x2	/* block until the lock is free (-EINTR on a signal) */
/* Open for reading only (listing, export): a missing file is -ENOENT
 * (MP_KR_E_NOTFOUND) before anything is created; the lock is a shared one,
 * and on read-only media (the lock file can be neither created nor opened)
 * the file is read without a lock (mp_keyring_unlocked()); nothing is
 * cleaned up beside it, and every save fails with -EROFS. Not with CREATE. */
#define MP_KEYRING_RDONLY 0x4

struct mp_keyring_opts {
	unsigned flags;
	/* Passphrase bytes (not a C string; may hold NUL); NULL: none. Needed to
	 * open an encrypted keyring; when creating, a passphrase makes the new
	 * file encrypted. Opening a plain keyring with a passphrase keeps it
	 * plain (use mp_keyring_set_passphrase()). The library keeps a derived
	 * key, never the passphrase. */
	const uint8_t *passphrase;
	size_t passphrase_len;
	/* Creation only: */
	const char *network_name;	/* NULL: "meshprov" */
	const char *provisioner_name;	/* NULL: "meshprov" */
	uint16_t unicast_low, unicast_high; /* this provisioner's range; 0,0: 0x0001-0x7fff */
	uint8_t scrypt_log2n;		/* scrypt cost N = 2^log2n (10..18); 0: 17 */
	/* Sources, injectable for tests; NULL: RAND_bytes and time(). */
	const struct mp_rng *rng;
	int64_t (*now)(void *ctx);	/* seconds since the UNIX epoch */
	void *now_ctx;
};

/* A key refresh phase (MshPRT v1.1 3.11.4). */
enum mp_kr_phase { MP_KR_PHASE_NORMAL = 0, MP_KR_PHASE_1 = 1, MP_KR_PHASE_2 = 2 };

struct mp_netkey {
	uint16_t index;
	uint8_t key[16];
	uint8_t old_key[16];		/* valid in phases 1 and 2 */
	uint8_t phase;			/* enum mp_kr_phase */
	int64_t timestamp;		/* last change of phase (CDB "timestamp") */
	char name[MP_KR_NAME_MAX + 1];
};

struct mp_appkey {
	uint16_t index;
	uint16_t net_index;		/* the bound NetKey */
	uint8_t key[16];
	uint8_t old_key[16];		/* valid when has_old_key */
	bool has_old_key;
	char name[MP_KR_NAME_MAX + 1];
};

struct mp_keyring;

/* ---- Location ---------------------------------------------------------- */

/**
 * The keyring path, from explicit values (pure, for tests): @cli_path (the
 * --keyring option) if set, else @env_keyring ($MESHPROV_KEYRING), else
 * @xdg_data_home/meshprov/keyring.json when $XDG_DATA_HOME is an absolute
 * path, else @home/.local/share/meshprov/keyring.json. NULL or "" means
 * unset. Returns 0, -ENOENT when nothing applies (no HOME), -ENAMETOOLONG
 * when @cap is too small.
 */
int mp_keyring_default_path(const char *cli_path, const char *env_keyring,
			    const char *xdg_data_home, const char *home, char *out, size_t cap);

/** The same, reading MESHPROV_KEYRING, XDG_DATA_HOME and HOME with getenv(). */
int mp_keyring_default_path_env(const char *cli_path, char *out, size_t cap);

/* ---- Open, save, close -------------------------------------------------- */

/**
 * Lock and load the keyring at @path; with MP_KEYRING_CREATE, create it if it
 * does not exist (mode 0600, directories 0700): a fresh random network UUID,
 * NetKey index 0 (random), IV index 0, this provisioner with a random UUID,
 * its range and its own node. @opts may be NULL. On failure *@out is NULL
 * and @err (may be NULL) tells why:
 *   -EBUSY   another process holds the lock (err->holder_pid)
 *   -ENOENT  no keyring there and no MP_KEYRING_CREATE
 *   -EACCES  group/other permission bits, or another owner, of the file,
 *            its lock file or its directory (writable by group or others,
 *            or owned by another user than us or root); the message
 *            carries the fix ("chmod 600 PATH", "chmod go-w DIR"). Root may
 *            open a keyring owned by another user, in that user's
 *            directory (the files it writes keep that owner), never one
 *            group/others can access.
 *   -EINVAL  the path (or its lock file) is not a regular file
 *   -ELOOP   the path is a symbolic link (saves replace the file)
 *   -EBADMSG damaged, truncated or unknown-version file: the file is left
 *            untouched and the message names the field and the backup
 *            PATH.bak when there is one
 *   -ENOKEY / -EKEYREJECTED  encrypted, no passphrase / wrong passphrase
 *   other negative errnos for I/O failures.
 */
int mp_keyring_open(const char *path, const struct mp_keyring_opts *opts,
		    struct mp_keyring **out, struct mp_keyring_error *err);

/**
 * Parse a keyring from memory (the reader behind mp_keyring_open, for tools
 * and fuzzing). The result has no file and no lock: saves do nothing. The
 * passphrase may be NULL. Same errors as mp_keyring_open for the content.
 */
int mp_keyring_parse(const void *data, size_t len, const uint8_t *passphrase,
		     size_t passphrase_len, struct mp_keyring **out,
		     struct mp_keyring_error *err);

/**
 * mp_keyring_parse() with @opts (NULL: none): its passphrase, and its
 * sources (rng, now), so that a keyring read from memory in a test runs on
 * the test's clock like the ones it made (every timestamp a merge or an
 * export writes comes from now()). The creation fields are not used.
 */
int mp_keyring_parse_opts(const void *data, size_t len, const struct mp_keyring_opts *opts,
			  struct mp_keyring **out, struct mp_keyring_error *err);

/** A fresh keyring in memory only (as created by MP_KEYRING_CREATE). */
int mp_keyring_new(const struct mp_keyring_opts *opts, struct mp_keyring **out,
		   struct mp_keyring_error *err);

/**
 * The keyring as plain JSON (never encrypted, keys included): a
 * NUL-terminated malloc'd string in *@out, its length in *@len (may be NULL).
 * Free it with mp_keyring_free_secret().
 */
int mp_keyring_serialize(struct mp_keyring *kr, char **out, size_t *len);

/** Wipe and free a string from mp_keyring_serialize() or mp_cdb_export(). */
void mp_keyring_free_secret(char *s);

/**
 * Write the keyring now (temp file, fsync, backup, rename, fsync dir).
 * Mutating calls save by themselves; this is for after a batch or to retry.
 */
int mp_keyring_save(struct mp_keyring *kr);

/** Close: release the lock, wipe and free. NULL is fine. Does not save. */
void mp_keyring_close(struct mp_keyring *kr);

/**
 * Group changes: between begin and commit, mutating calls change memory only;
 * commit saves once. Batches nest; the outermost commit saves. Nothing in a
 * batch is durable before commit (do not send Provisioning Data in one).
 */
void mp_keyring_begin(struct mp_keyring *kr);
int mp_keyring_commit(struct mp_keyring *kr);

/**
 * True when @kr was opened MP_KEYRING_RDONLY on read-only media and read
 * without a lock: another process could have been changing it.
 */
bool mp_keyring_unlocked(const struct mp_keyring *kr);
/** The last error of @kr (kind MP_KR_OK and "" after a success). */
const struct mp_keyring_error *mp_keyring_last_error(const struct mp_keyring *kr);
/** The last error's message ("" after a success). */
const char *mp_keyring_error(const struct mp_keyring *kr);

/** The file path ("" for a keyring in memory). */
const char *mp_keyring_path(const struct mp_keyring *kr);
/** True when mp_keyring_open created the file. */
bool mp_keyring_was_created(const struct mp_keyring *kr);
/** True when the keyring is stored encrypted. */
bool mp_keyring_is_encrypted(const struct mp_keyring *kr);

/**
 * Encrypt the keyring at rest with a new passphrase (fresh salt), or store
 * it plain again when @passphrase is NULL; saves. @log2n as in the options.
 * PATH.bak becomes the new file too: no copy under the previous seal (in
 * clear, or under the old passphrase) is left beside the keyring.
 */
int mp_keyring_set_passphrase(struct mp_keyring *kr, const uint8_t *passphrase, size_t len,
			      uint8_t log2n);

/* ---- Network, IV index, sequence numbers ---------------------------- */

/** The network name. */
const char *mp_keyring_network_name(const struct mp_keyring *kr);
/** The network (mesh) UUID. */
void mp_keyring_network_uuid(const struct mp_keyring *kr, uint8_t uuid[16]);
/** Rename the network (1..MP_KR_NAME_MAX bytes, no control characters); saves. */
int mp_keyring_set_network_name(struct mp_keyring *kr, const char *name);

/** The current IV index. */
uint32_t mp_keyring_iv_index(const struct mp_keyring *kr);
/** The IV Update flag (MshPRT v1.1 3.11.5). */
bool mp_keyring_iv_update(const struct mp_keyring *kr);
/**
 * Record a new IV index and IV Update flag; the index never goes back
 * (-EINVAL). Exclusions that become free are dropped; a change records its
 * time (mp_keyring_iv_changed()), and a new transmit IV index starts the
 * sequence numbers at 0 again. Saves.
 */
int mp_keyring_set_iv(struct mp_keyring *kr, uint32_t iv_index, bool iv_update);
/**
 * When the IV index or the IV Update flag last changed (seconds since the
 * epoch; 0 when unknown: a keyring from before version 2 or a CDB), the
 * IV Update procedure's clock (96 hours in a state, MshPRT v1.1 3.11.5).
 */
int64_t mp_keyring_iv_changed(const struct mp_keyring *kr);

/* ---- Sequence numbers ------------------------------------------------------ */

#define MP_SEQ_MAX 0xffffff	/* SEQ is 24 bits (MshPRT v1.1 3.4.4) */

/**
 * Reserve @count (1..MP_SEQ_MAX + 1) sequence numbers for this
 * provisioner's unicast address: *@first and the @count - 1 after it are
 * the caller's, never handed out again at this transmit IV index. The
 * reservation is SAVED before the call returns, so a process that crashes
 * after using some of them never reuses one (it loses the rest of its
 * block instead): reserve ahead, a block at a time. The transmit IV index
 * (the IV index, or the one before it while an IV Update is in progress)
 * changing starts the numbers again at 0 (mp_keyring_set_iv()).
 *   -EINVAL  @count is 0 or too large, or @first is NULL
 *   -ERANGE  fewer than @count numbers are left: an IV Update is due
 *   -EBUSY   inside mp_keyring_begin()/commit(): the reservation could not
 *            be saved before returning
 *   or the errors of saving (nothing is reserved then).
 */
int mp_keyring_seq_reserve(struct mp_keyring *kr, uint32_t count, uint32_t *first);
/** The first sequence number not reserved yet (0 on a new transmit IV index). */
uint32_t mp_keyring_seq_next(const struct mp_keyring *kr);

/* ---- Keys ---------------------------------------------------------------- */

/** How many NetKeys the network has (at least 1). */
size_t mp_keyring_netkey_count(const struct mp_keyring *kr);
/** The @i-th NetKey in index order, NULL past the end. */
const struct mp_netkey *mp_keyring_netkey_at(const struct mp_keyring *kr, size_t i);
/** The NetKey of key index @index, or NULL. */
const struct mp_netkey *mp_keyring_netkey(const struct mp_keyring *kr, uint16_t index);
/** Add a NetKey (@key NULL: random); -EEXIST if the index is taken. Saves. */
int mp_keyring_netkey_add(struct mp_keyring *kr, uint16_t index, const uint8_t key[16]);
/**
 * mp_keyring_netkey_add() with a name: 1..MP_KR_NAME_MAX bytes of UTF-8
 * without control characters (-EINVAL), not another NetKey's (-EEXIST, the
 * error naming that key's index); NULL: "NetKey N". Saves.
 */
int mp_keyring_netkey_add_named(struct mp_keyring *kr, uint16_t index, const uint8_t key[16],
				const char *name);
/** Rename a NetKey (a name as for mp_keyring_netkey_add_named(); -ENOENT). Saves. */
int mp_keyring_netkey_rename(struct mp_keyring *kr, uint16_t index, const char *name);
/** Delete a NetKey; -EBUSY while an AppKey is bound to it or a node holds it. Saves. */
int mp_keyring_netkey_del(struct mp_keyring *kr, uint16_t index);
/**
 * Key refresh: phase 0 -> 1, the current key becomes the old key and @new_key
 * (NULL: random) the key. Saves.
 */
int mp_keyring_netkey_refresh(struct mp_keyring *kr, uint16_t index, const uint8_t new_key[16]);
/**
 * Key refresh phase transitions 1 -> 2 and 1/2 -> 0 (0 wipes the old key,
 * finishing the refresh). Saves.
 */
int mp_keyring_netkey_set_phase(struct mp_keyring *kr, uint16_t index, uint8_t phase);

/** How many AppKeys. */
size_t mp_keyring_appkey_count(const struct mp_keyring *kr);
/** The @i-th AppKey in index order, NULL past the end. */
const struct mp_appkey *mp_keyring_appkey_at(const struct mp_keyring *kr, size_t i);
/** The AppKey of index @index, or NULL. */
const struct mp_appkey *mp_keyring_appkey(const struct mp_keyring *kr, uint16_t index);
/** Add an AppKey bound to NetKey @net_index (@key NULL: random). Saves. */
int mp_keyring_appkey_add(struct mp_keyring *kr, uint16_t index, uint16_t net_index,
			  const uint8_t key[16]);
/**
 * mp_keyring_appkey_add() with a name: 1..MP_KR_NAME_MAX bytes of UTF-8
 * without control characters (-EINVAL), not another AppKey's (-EEXIST, the
 * error naming that key's index); NULL: "AppKey N". Profiles refer to
 * AppKeys by name. Saves.
 */
int mp_keyring_appkey_add_named(struct mp_keyring *kr, uint16_t index, uint16_t net_index,
				const uint8_t key[16], const char *name);
/** Rename an AppKey (a name as for mp_keyring_appkey_add_named(); -ENOENT). Saves. */
int mp_keyring_appkey_rename(struct mp_keyring *kr, uint16_t index, const char *name);
/** Delete an AppKey (nodes' lists of it are updated). Saves. */
int mp_keyring_appkey_del(struct mp_keyring *kr, uint16_t index);

/* ---- Display ------------------------------------------------------------- */

#define MP_KEY_STR_LEN 33

/**
 * A key for display: 32 lowercase hex digits into @buf when @show, else the
 * placeholder "(hidden)" (not written into @buf). Returns the string.
 */
const char *mp_keyring_key_str(const uint8_t key[16], bool show, char buf[MP_KEY_STR_LEN]);
/** A UUID as 8-4-4-4-12 lowercase hex into @buf (37 bytes); returns @buf. */
char *mp_keyring_uuid_str(const uint8_t uuid[16], char buf[37]);

#endif
