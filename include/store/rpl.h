/* The replay protection list, kept across restarts: a journal beside the
 * keyring.
 *
 * Replay protection ("Message replay protection", Mesh Profile 1.0.1 3.8.8) keeps,
 * per source address, the newest SeqAuth (IV index and SEQ) accepted from
 * it; a node that forgets it after a restart accepts every message it had
 * heard again. The list is sized for the whole network: one entry for each
 * of the 32,767 unicast addresses, no "list full". It changes with almost
 * every message received, so it is not in the keyring (which is rewritten
 * whole): it is a sidecar file PATH.rpl beside keyring PATH, appended one
 * record per update.
 *
 * The file (little-endian):
 *   header, 32 octets: magic "MPRPL\r\n\x1a" (8) || version 1 (2) ||
 *     record size 16 (2) || the network's UUID (16) || CRC-32 of the 28
 *     octets before (4)
 *   records, 16 octets each: SRC (2) || 0 (2) || IV index (4) || SEQ (4,
 *     24 bits) || CRC-32 of the 12 octets before (4)
 * A record that fails its check is skipped (counted); a tail shorter than a
 * record, or records that fail their check at the end (a write cut by
 * kill -9 or a power loss), are cut off at open, the rest kept. When the
 * journal has grown past twice the live entries (plus compact_min) it is
 * rewritten with one record per source, atomically under the keyring's
 * temp-file rules (new PATH.rpl.tmp-XXXXXXXXXXXX, fsync, rename, fsync the
 * directory).
 *
 * The file is not secret, but it is handled like the keyring's other files:
 * in the keyring's (checked) directory, opened without following links, a
 * regular single-link file of ours, mode 0600; anything else is refused with
 * a message that says the fix. The keyring's lock covers it: open it only
 * with the keyring open, one list per open keyring.
 *
 * Durability: a record is written (write(2)) before mp_rpl_record() returns,
 * so it survives the process being killed; mp_rpl_sync() makes it survive a
 * power loss too (an fsync per message would cost more than the message).
 */
#ifndef MP_STORE_RPL_H
#define MP_STORE_RPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/keyring.h"

#define MP_RPL_EXT ".rpl"
#define MP_RPL_VERSION 1
#define MP_RPL_HDR_LEN 32
#define MP_RPL_REC_LEN 16
#define MP_RPL_SOURCES 0x7fff		/* unicast addresses 0x0001..0x7fff */
#define MP_RPL_COMPACT_MIN 1024		/* records of slack before a compaction */

struct mp_rpl;

struct mp_rpl_opts {
	bool create;		/* create PATH.rpl when missing (else -ENOENT) */
	uint32_t compact_min;	/* 0: MP_RPL_COMPACT_MIN */
};

/* What the file held and what was done with it. */
struct mp_rpl_stats {
	size_t sources;		/* sources with an entry */
	size_t records;		/* records in the file now */
	size_t bad_records;	/* skipped at open: failed their check */
	size_t torn_bytes;	/* cut off at open: a torn tail */
	size_t compactions;	/* rewrites since open (at open included) */
};

/**
 * Open (with @opts->create, create) the replay list of the open keyring @kr
 * (which must have a file and outlive the list); @opts may be NULL. Loads
 * the newest entry of every source, cuts off a torn tail, compacts when the
 * journal is past its bound. On failure *@out is NULL and @err (may be NULL)
 * says why:
 *   -EINVAL   a NULL argument, a keyring in memory, or PATH.rpl is not a
 *             regular file or has other hard links
 *   -ENOENT   no PATH.rpl and no @opts->create
 *   -ELOOP    PATH.rpl is a symbolic link
 *   -EACCES   PATH.rpl belongs to another user, or group or others may
 *             access it (the message says: chmod 600 PATH.rpl)
 *   -EBADMSG  not a meshprov replay list (wrong magic, err->kind
 *             MP_KR_E_VERSION), an unknown version or record size
 *             (MP_KR_E_VERSION), or a damaged header (MP_KR_E_SYNTAX)
 *   -EXDEV    the replay list of another network (its network UUID is not
 *             the keyring's): the message says to move it away
 *   -EFBIG    larger than any replay list can be
 *   or another -errno of reading or writing.
 */
int mp_rpl_open(struct mp_keyring *kr, const struct mp_rpl_opts *opts, struct mp_rpl **out,
		struct mp_keyring_error *err);

/** Close (no sync beyond what was written). NULL is fine. */
void mp_rpl_close(struct mp_rpl *r);

/**
 * Record that a message from @src (unicast) with @iv_index and @seq (24
 * bits) was accepted: appended to the journal when it is newer than the
 * entry kept (IV index, then SEQ), else nothing is written. Compacts when
 * the journal is past its bound. 0, -EINVAL (not unicast, SEQ above 24
 * bits), or -errno of writing (the entry is kept in memory all the same:
 * the message was accepted).
 */
int mp_rpl_record(struct mp_rpl *r, uint16_t src, uint32_t iv_index, uint32_t seq);

/** mp_rpl_record() in a callback's shape: @user is the struct mp_rpl. */
int mp_rpl_record_cb(void *user, uint16_t src, uint32_t iv_index, uint32_t seq);

/** The entry of @src: true with *@iv_index and *@seq, or false when none. */
bool mp_rpl_get(const struct mp_rpl *r, uint16_t src, uint32_t *iv_index, uint32_t *seq);

/**
 * Give every entry to @seed (the mesh stack's seed function), by source
 * address; returns how many.
 */
size_t mp_rpl_each(const struct mp_rpl *r,
		   void (*seed)(void *user, uint16_t src, uint32_t iv_index, uint32_t seq),
		   void *user);

/** Rewrite the journal with one record per source now. 0 or -errno. */
int mp_rpl_compact(struct mp_rpl *r);

/** fsync the journal. 0 or -errno. */
int mp_rpl_sync(struct mp_rpl *r);

/** What the file held and what was done. */
struct mp_rpl_stats mp_rpl_stats(const struct mp_rpl *r);

/** The last error of @r (kind MP_KR_OK after a success). */
const struct mp_keyring_error *mp_rpl_last_error(const struct mp_rpl *r);

#endif
