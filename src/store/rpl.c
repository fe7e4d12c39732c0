/* The replay protection list's journal beside the keyring (see
 * include/store/rpl.h for the file and its rules). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kr_int.h"
#include "store/rpl.h"

static const uint8_t MAGIC[8] = { 'M', 'P', 'R', 'P', 'L', '\r', '\n', 0x1a };

/* The bound on the file: every source's record, then as many again and a
 * margin (a compaction is due long before). */
#define RPL_MAX_FILE (MP_RPL_HDR_LEN + (size_t)MP_RPL_REC_LEN * (1u << 22))

struct rpl_entry {
	uint32_t iv_index;
	uint32_t seq;
	bool valid;
};

struct mp_rpl {
	struct mp_keyring *kr;
	int fd;
	uint32_t compact_min;
	struct mp_rpl_stats st;
	struct mp_keyring_error err;
	struct rpl_entry e[MP_RPL_SOURCES + 1];	/* by address; [0] unused */
};

/* CRC-32 (IEEE 802.3, reflected, as zlib's): a check against torn and
 * damaged records, not against forgery (the file is not secret, and a
 * user who can write it can write the keyring). */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void enc_header(const struct mp_keyring *kr, uint8_t h[MP_RPL_HDR_LEN])
{
	memcpy(h, MAGIC, 8);
	put16(h + 8, MP_RPL_VERSION);
	put16(h + 10, MP_RPL_REC_LEN);
	mp_keyring_network_uuid(kr, h + 12);
	put32(h + 28, crc32_ieee(h, 28));
}

static void enc_record(uint16_t src, uint32_t iv_index, uint32_t seq, uint8_t rec[MP_RPL_REC_LEN])
{
	put16(rec, src);
	put16(rec + 2, 0);
	put32(rec + 4, iv_index);
	put32(rec + 8, seq);
	put32(rec + 12, crc32_ieee(rec, 12));
}

/* A record that passes its check and holds possible values. */
static bool dec_record(const uint8_t *rec, uint16_t *src, uint32_t *iv_index, uint32_t *seq)
{
	if (get32(rec + 12) != crc32_ieee(rec, 12))
		return false;
	*src = get16(rec);
	*iv_index = get32(rec + 4);
	*seq = get32(rec + 8);
	return get16(rec + 2) == 0 && *src >= 1 && *src <= MP_RPL_SOURCES && *seq <= MP_SEQ_MAX;
}

/* SeqAuth order: the IV index, then SEQ (Mesh Profile 1.0.1 3.8.8). */
static bool newer(uint32_t iv_a, uint32_t seq_a, uint32_t iv_b, uint32_t seq_b)
{
	return iv_a > iv_b || (iv_a == iv_b && seq_a > seq_b);
}

static void apply(struct mp_rpl *r, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct rpl_entry *e = &r->e[src];

	if (!e->valid)
		r->st.sources++;
	if (!e->valid || newer(iv_index, seq, e->iv_index, e->seq)) {
		e->iv_index = iv_index;
		e->seq = seq;
	}
	e->valid = true;
}

static const char *path_of(const struct mp_rpl *r)
{
	return mp_keyring_path(r->kr);
}

/* The checks of the keyring's own files, for PATH.rpl (open as @fd). */
static int check_file(struct mp_rpl *r, int fd)
{
	const struct mp_keyring *kr = r->kr;
	const char *p = path_of(r);
	uid_t me = geteuid();
	struct stat st;

	if (fstat(fd, &st) < 0)
		return kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot stat %s%s: %s", p,
			       MP_RPL_EXT, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kr_fail(&r->err, -EINVAL, MP_KR_E_IO, NULL,
			       "the replay list %s%s is not a regular file (%s): someone else "
			       "made it; check, then remove it", p, MP_RPL_EXT,
			       kr_file_type(st.st_mode));
	if (st.st_nlink != 1)
		return kr_fail(&r->err, -EINVAL, MP_KR_E_IO, NULL,
			       "the replay list %s%s has other hard links: someone else made "
			       "it; check, then remove it", p, MP_RPL_EXT);
	if (st.st_uid != me && !(kr->chown_files && st.st_uid == kr->owner_uid))
		return kr_fail(&r->err, -EACCES, MP_KR_E_OWNER, NULL,
			       "the replay list %s%s belongs to user %lu, not to you (user %lu): "
			       "someone else made it; check, then remove it", p, MP_RPL_EXT,
			       (unsigned long)st.st_uid, (unsigned long)me);
	if (st.st_mode & 077)
		return kr_fail(&r->err, -EACCES, MP_KR_E_MODE, NULL,
			       "the replay list %s%s can be accessed by group or others (mode "
			       "%04o); meshprov makes it 0600. Check it, then fix it with: "
			       "chmod 600 %s%s", p, MP_RPL_EXT, (unsigned)(st.st_mode & 07777),
			       p, MP_RPL_EXT);
	if ((uint64_t)st.st_size > RPL_MAX_FILE)
		return kr_fail(&r->err, -EFBIG, MP_KR_E_SYNTAX, NULL,
			       "%s%s is too large (%lld bytes) to be a replay list; move it "
			       "away", p, MP_RPL_EXT, (long long)st.st_size);
	return 0;
}

/* Open PATH.rpl (no links followed, no blocking on a FIFO) and check it. */
static int open_file(struct mp_rpl *r, int *out)
{
	char name[4096];
	const char *p = path_of(r);
	int fd, rc;

	*out = -1;
	snprintf(name, sizeof(name), "%s%s", r->kr->base, MP_RPL_EXT);
	fd = openat(r->kr->dirfd, name,
		    O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return kr_fail(&r->err, -ENOENT, MP_KR_E_NOTFOUND, NULL,
				       "no replay list at %s%s", p, MP_RPL_EXT);
		if (errno == ELOOP)
			return kr_fail(&r->err, -ELOOP, MP_KR_E_SYMLINK, NULL,
				       "the replay list %s%s is a symbolic link; it is replaced "
				       "when compacted, so it must be a plain file: remove the "
				       "link", p, MP_RPL_EXT);
		return kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot open %s%s: %s", p,
			       MP_RPL_EXT, strerror(errno));
	}
	rc = check_file(r, fd);
	if (!rc && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		rc = kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot use %s%s: %s", p,
			     MP_RPL_EXT, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/* The whole journal as it should be: the header, one record per source. */
static int write_compact(struct mp_rpl *r)
{
	size_t n = MP_RPL_HDR_LEN + (size_t)r->st.sources * MP_RPL_REC_LEN, off;
	const char *step = "";
	uint8_t *buf = malloc(n);
	unsigned a;
	int rc, fd;

	if (!buf)
		return kr_fail(&r->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	enc_header(r->kr, buf);
	off = MP_RPL_HDR_LEN;
	for (a = 1; a <= MP_RPL_SOURCES; a++)
		if (r->e[a].valid) {
			enc_record((uint16_t)a, r->e[a].iv_index, r->e[a].seq, buf + off);
			off += MP_RPL_REC_LEN;
		}
	rc = kr_sidecar_write(r->kr, MP_RPL_EXT, buf, off, &step);
	free(buf);
	if (rc)
		return kr_fail(&r->err, rc, MP_KR_E_IO, NULL,
			       "cannot write the replay list %s%s (%s: %s); the previous one "
			       "is unchanged", path_of(r), MP_RPL_EXT, step, strerror(-rc));
	rc = open_file(r, &fd);
	if (rc)
		return rc;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = fd;
	r->st.records = r->st.sources;
	r->st.compactions++;
	return 0;
}

static bool past_bound(const struct mp_rpl *r)
{
	return r->st.records >= 2 * r->st.sources + r->compact_min;
}

static int load(struct mp_rpl *r)
{
	const char *p = path_of(r);
	struct stat st;
	uint8_t *buf;
	size_t got = 0, n, i, good_end;
	uint8_t h[MP_RPL_HDR_LEN];
	int rc = 0;

	if (fstat(r->fd, &st) < 0)
		return kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot stat %s%s: %s", p,
			       MP_RPL_EXT, strerror(errno));
	n = (size_t)st.st_size;
	buf = malloc(n ? n : 1);
	if (!buf)
		return kr_fail(&r->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	while (got < n) {
		ssize_t k = pread(r->fd, buf + got, n - got, (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot read %s%s: %s",
				     p, MP_RPL_EXT, strerror(errno));
			goto out;
		}
		if (!k)
			break;
		got += (size_t)k;
	}
	n = got;
	/* The header is written whole (the file is created by a rename), so a
	 * short or unknown one is not ours, or damaged: refused, untouched. */
	if (n < 8 || memcmp(buf, MAGIC, 8)) {
		rc = kr_fail(&r->err, -EBADMSG, MP_KR_E_VERSION, NULL,
			     "%s%s is not a meshprov replay list (its first octets are not "
			     "the replay list's magic); it was left untouched: move it away "
			     "(the replay list starts empty then)", p, MP_RPL_EXT);
		goto out;
	}
	if (n < MP_RPL_HDR_LEN || get32(buf + 28) != crc32_ieee(buf, 28)) {
		rc = kr_fail(&r->err, -EBADMSG, MP_KR_E_SYNTAX, NULL,
			     "the replay list %s%s has a damaged header; it was left "
			     "untouched: move it away (the replay list starts empty then)",
			     p, MP_RPL_EXT);
		goto out;
	}
	if (get16(buf + 8) != MP_RPL_VERSION || get16(buf + 10) != MP_RPL_REC_LEN) {
		rc = kr_fail(&r->err, -EBADMSG, MP_KR_E_VERSION, NULL,
			     "the replay list %s%s has format version %u (records of %u "
			     "octets); this meshprov reads version %u: use the meshprov that "
			     "wrote it, or move it away", p, MP_RPL_EXT, get16(buf + 8),
			     get16(buf + 10), MP_RPL_VERSION);
		goto out;
	}
	mp_keyring_network_uuid(r->kr, h);
	if (memcmp(buf + 12, h, 16)) {
		rc = kr_fail(&r->err, -EXDEV, MP_KR_E_REFERENCE, NULL,
			     "the replay list %s%s belongs to another network than keyring "
			     "%s (its network UUID differs): was the keyring replaced? Move "
			     "the replay list away (it starts empty then)", p, MP_RPL_EXT, p);
		goto out;
	}
	good_end = MP_RPL_HDR_LEN;
	for (i = MP_RPL_HDR_LEN; i + MP_RPL_REC_LEN <= n; i += MP_RPL_REC_LEN) {
		uint32_t iv, seq;
		uint16_t src;

		if (!dec_record(buf + i, &src, &iv, &seq)) {
			r->st.bad_records++;
			continue;
		}
		apply(r, src, iv, seq);
		r->st.records++;
		good_end = i + MP_RPL_REC_LEN;
	}
	/* Records that fail their check at the end were being written when
	 * the writer died: not bad records, a torn tail, cut off with any
	 * partial record so that the next append starts on a boundary. */
	for (i = good_end; i + MP_RPL_REC_LEN <= n; i += MP_RPL_REC_LEN)
		r->st.bad_records--;
	if (good_end < n) {
		r->st.torn_bytes = n - good_end;
		if (ftruncate(r->fd, (off_t)good_end) < 0) {
			rc = kr_fail(&r->err, -errno, MP_KR_E_IO, NULL,
				     "cannot cut the torn end off %s%s: %s", p, MP_RPL_EXT,
				     strerror(errno));
			goto out;
		}
	}
	/* The records counted are the good ones; skipped ones still take
	 * room until the next compaction. */
	r->st.records += r->st.bad_records;
out:
	free(buf);
	return rc;
}

int mp_rpl_open(struct mp_keyring *kr, const struct mp_rpl_opts *opts, struct mp_rpl **out,
		struct mp_keyring_error *err)
{
	struct mp_rpl *r;
	int rc;

	if (err)
		kr_err_clear(err);
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!kr || !kr->path || kr->dirfd < 0) {
		if (err)
			kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL,
				"a replay list needs a keyring file (this keyring is in memory)");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (err)
			kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		return -ENOMEM;
	}
	r->kr = kr;
	r->fd = -1;
	r->compact_min = opts && opts->compact_min ? opts->compact_min : MP_RPL_COMPACT_MIN;
	rc = open_file(r, &r->fd);
	if (rc == -ENOENT && opts && opts->create) {
		/* A new list: a header alone, written by a rename, so the file
		 * never exists without a whole header. */
		kr_err_clear(&r->err);
		rc = write_compact(r);
		if (!rc)
			r->st.compactions = 0;
	} else if (!rc) {
		rc = load(r);
		if (!rc && past_bound(r))
			rc = write_compact(r);
	}
	if (rc) {
		if (err)
			*err = r->err;
		mp_rpl_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void mp_rpl_close(struct mp_rpl *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

int mp_rpl_record(struct mp_rpl *r, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	struct rpl_entry *e;
	uint8_t rec[MP_RPL_REC_LEN];
	ssize_t k;

	kr_err_clear(&r->err);
	if (src < 1 || src > MP_RPL_SOURCES || seq > MP_SEQ_MAX)
		return kr_fail(&r->err, -EINVAL, MP_KR_E_ARG, NULL,
			       "a replay list entry is of a unicast address and a 24-bit SEQ");
	e = &r->e[src];
	if (e->valid && !newer(iv_index, seq, e->iv_index, e->seq))
		return 0;
	apply(r, src, iv_index, seq);
	enc_record(src, iv_index, seq, rec);
	/* One write(2) of one record (O_APPEND): a kill leaves it whole or not
	 * at all; a power loss may leave part of it, cut off at the next open. */
	do
		k = write(r->fd, rec, sizeof(rec));
	while (k < 0 && errno == EINTR);
	if (k != (ssize_t)sizeof(rec)) {
		int e2 = k < 0 ? errno : EIO;

		/* A short write left part of a record: cut it off, so the next
		 * record starts on a boundary (the open would cut it too). */
		if (k > 0) {
			struct stat st;

			if (fstat(r->fd, &st) == 0 && ftruncate(r->fd, st.st_size - k) < 0) {
			}
		}
		return kr_fail(&r->err, -e2, MP_KR_E_IO, NULL,
			       "cannot append to the replay list %s%s: %s", path_of(r),
			       MP_RPL_EXT, strerror(e2));
	}
	r->st.records++;
	if (past_bound(r))
		return write_compact(r);
	return 0;
}

int mp_rpl_record_cb(void *user, uint16_t src, uint32_t iv_index, uint32_t seq)
{
	return user ? mp_rpl_record(user, src, iv_index, seq) : -EINVAL;
}

bool mp_rpl_get(const struct mp_rpl *r, uint16_t src, uint32_t *iv_index, uint32_t *seq)
{
	if (src < 1 || src > MP_RPL_SOURCES || !r->e[src].valid)
		return false;
	*iv_index = r->e[src].iv_index;
	*seq = r->e[src].seq;
	return true;
}

size_t mp_rpl_each(const struct mp_rpl *r,
		   void (*seed)(void *user, uint16_t src, uint32_t iv_index, uint32_t seq),
		   void *user)
{
	size_t n = 0;
	unsigned a;

	for (a = 1; a <= MP_RPL_SOURCES; a++)
		if (r->e[a].valid) {
			if (seed)
				seed(user, (uint16_t)a, r->e[a].iv_index, r->e[a].seq);
			n++;
		}
	return n;
}

int mp_rpl_compact(struct mp_rpl *r)
{
	kr_err_clear(&r->err);
	return write_compact(r);
}

int mp_rpl_sync(struct mp_rpl *r)
{
	kr_err_clear(&r->err);
	if (fsync(r->fd) < 0)
		return kr_fail(&r->err, -errno, MP_KR_E_IO, NULL, "cannot sync %s%s: %s",
			       path_of(r), MP_RPL_EXT, strerror(errno));
	return 0;
}

struct mp_rpl_stats mp_rpl_stats(const struct mp_rpl *r)
{
	return r->st;
}

const struct mp_keyring_error *mp_rpl_last_error(const struct mp_rpl *r)
{
	return &r->err;
}
