/* The keyring on disk: where it lives, the lock, permissions, reading, and
 * the atomic write (temp file, fsync, backup link, rename, fsync directory).
 *
 * Every file written here holds keys, so nothing is trusted that another
 * user could have put in place (as OpenSSH treats its key directories):
 * the directory must belong to us or root and be writable by nobody else;
 * temporary files get a random name and O_EXCL, so they cannot already
 * exist; the lock file must be a regular file of ours, mode 0600, single
 * link; the keyring is opened without blocking (a FIFO would hang open())
 * and without following links, then checked.
 *
 * The lock is an open file description lock (F_OFD_SETLK) on PATH.lock: it
 * belongs to this open keyring, not to the process, so a second open in the
 * same process conflicts too, and the kernel drops it when the process dies
 * (no stale lock after a crash). The lock file holds the holder's PID for
 * the error message of the next comer (OFD locks do not report a PID). It is
 * never deleted: unlinking a lock file races with a waiter that has it open.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kr_int.h"

/* ---- Where ---------------------------------------------------------------- */

static bool set(const char *s)
{
	return s && *s;
}

int mp_keyring_default_path(const char *cli_path, const char *env_keyring,
			    const char *xdg_data_home, const char *home, char *out, size_t cap)
{
	int n;

	if (!out || !cap)
		return -EINVAL;
	if (set(cli_path))
		n = snprintf(out, cap, "%s", cli_path);
	else if (set(env_keyring))
		n = snprintf(out, cap, "%s", env_keyring);
	else if (set(xdg_data_home) && xdg_data_home[0] == '/')
		/* XDG Base Directory: a relative $XDG_DATA_HOME is invalid, ignored. */
		n = snprintf(out, cap, "%s/meshprov/keyring.json", xdg_data_home);
	else if (set(home))
		n = snprintf(out, cap, "%s/.local/share/meshprov/keyring.json", home);
	else
		return -ENOENT;
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int mp_keyring_default_path_env(const char *cli_path, char *out, size_t cap)
{
	return mp_keyring_default_path(cli_path, getenv("MESHPROV_KEYRING"),
				       getenv("XDG_DATA_HOME"), getenv("HOME"), out, cap);
}

static int split_path(struct mp_keyring *kr, const char *path)
{
	const char *slash = strrchr(path, '/');

	kr->path = strdup(path);
	if (!slash) {
		kr->dir = strdup(".");
		kr->base = strdup(path);
	} else {
		kr->dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
		kr->base = strdup(slash + 1);
	}
	if (!kr->path || !kr->dir || !kr->base)
		return -ENOMEM;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir), *s;
	int r = 0;

	if (!p)
		return -ENOMEM;
	for (s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return r;
}

static char *sibling(const char *base, const char *ext)
{
	size_t n = strlen(base) + strlen(ext) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s", base, ext);
	return s;
}

/* ---- Lock ----------------------------------------------------------------- */

/* As root in another user's directory: who should own what we create. */
static void owner_from(struct mp_keyring *kr, const struct stat *st)
{
	kr->chown_files = geteuid() == 0 && st->st_uid != 0;
	kr->owner_uid = st->st_uid;
	kr->owner_gid = st->st_gid;
}

void kr_give_away(const struct mp_keyring *kr, int fd)
{
	if (kr && kr->chown_files && fchown(fd, kr->owner_uid, kr->owner_gid) < 0) {
		/* best effort: the file is still 0600 and ours */
	}
}

static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	char *end;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 0 || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* The lock file is written (our PID) and truncated: it must be a file we
 * made, not something another user (or a hard link) put there. */
static int check_lock_file(struct mp_keyring *kr, int fd)
{
	uid_t me = geteuid();
	struct stat st;

	if (fstat(fd, &st) < 0)
		return kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL,
			       "cannot stat the lock file %s.lock: %s", kr->path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_IO, NULL,
			       "the lock file %s.lock is not a plain file of its own (%s): "
			       "someone else made it; check, then remove it", kr->path,
			       S_ISREG(st.st_mode) ? "it has other hard links" : "not a regular file");
	if (st.st_uid != me && !(me == 0 && kr->chown_files && st.st_uid == kr->owner_uid))
		return kr_fail(&kr->err, -EACCES, MP_KR_E_OWNER, NULL,
			       "the lock file %s.lock belongs to user %lu, not to you (user %lu): "
			       "someone else made it; check, then remove it", kr->path,
			       (unsigned long)st.st_uid, (unsigned long)me);
	if (st.st_mode & 077)
		return kr_fail(&kr->err, -EACCES, MP_KR_E_MODE, NULL,
			       "the lock file %s.lock can be accessed by group or others (mode "
			       "%04o); meshprov makes it 0600. Check it, then fix it with: "
			       "chmod 600 %s.lock", kr->path, (unsigned)(st.st_mode & 07777),
			       kr->path);
	return 0;
}

static int lock_keyring(struct mp_keyring *kr, bool wait)
{
	struct flock fl;
	char *name = sibling(kr->base, ".lock"), pid[24];
	int fd, r, n;

	if (!name)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	/* O_NONBLOCK: a FIFO planted there must not hang the open. */
	fd = openat(kr->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		    0600);
	if (fd < 0 && kr->rdonly && (errno == EROFS || errno == EACCES || errno == EPERM)) {
		/* Reading on media we cannot write: the lock file as it is,
		 * for a shared lock; none there, none can be made, and no
		 * writer can change the keyring either: read without one. */
		fd = openat(kr->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0 && (errno == ENOENT || errno == EACCES || errno == EPERM ||
			       errno == EROFS)) {
			free(name);
			kr->unlocked = true;
			return 0;
		}
	}
	free(name);
	if (fd < 0)
		return kr_fail(&kr->err, -errno, errno == ELOOP ? MP_KR_E_SYMLINK : MP_KR_E_IO,
			       NULL, "cannot create the lock file %s.lock: %s%s", kr->path,
			       strerror(errno), errno == ELOOP ? " (it is a symbolic link: "
			       "remove it)" : "");
	/* A shared lock never writes the file: only a writer's is checked */
	r = kr->rdonly ? 0 : check_lock_file(kr, fd);
	if (r) {
		close(fd);
		return r;
	}
	if (!kr->rdonly)
		kr_give_away(kr, fd);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = kr->rdonly ? F_RDLCK : F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* Waiting ends with EINTR on a signal: the caller's way to give up. */
	r = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	if (r < 0) {
		int e = errno;

		if (e == EAGAIN || e == EACCES) {
			pid_t holder = read_holder(fd);

			close(fd);
			if (holder)
				kr_fail(&kr->err, -EBUSY, MP_KR_E_LOCKED, NULL,
					"keyring %s is in use by another meshprov process "
					"(PID %ld); let it finish or stop it, then try again",
					kr->path, (long)holder);
			else
				kr_fail(&kr->err, -EBUSY, MP_KR_E_LOCKED, NULL,
					"keyring %s is in use by another meshprov process "
					"(PID unknown); let it finish, then try again", kr->path);
			kr->err.holder_pid = holder;
			return -EBUSY;
		}
		close(fd);
		return kr_fail(&kr->err, -e, e == EINTR ? MP_KR_E_LOCKED : MP_KR_E_IO, NULL,
			       "cannot lock keyring %s: %s", kr->path, strerror(e));
	}
	kr->lockfd = fd;
	if (kr->rdonly)
		return 0;	/* a reader: the PID there stays a writer's */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The PID is only a courtesy for the next comer's message. */
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
	}
	kr->lockfd = fd;
	return 0;
}

/* ---- The directory ------------------------------------------------------------ */

int kr_check_dir(int dirfd, const char *dir, bool sticky_ok, uid_t also, bool also_ok,
		 struct mp_keyring_error *err)
{
	uid_t me = geteuid();
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return kr_fail(err, -errno, MP_KR_E_IO, NULL, "cannot stat directory %s: %s", dir,
			       strerror(errno));
	/* OpenSSH's rule for the directories of its keys: ours or root's.
	 * Root working on another user's keyring (@also) accepts that user's. */
	if (st.st_uid != me && st.st_uid != 0 && !(also_ok && st.st_uid == also))
		return kr_fail(err, -EACCES, MP_KR_E_OWNER, NULL,
			       "directory %s belongs to user %lu, not to you (user %lu) or root: "
			       "that user could read or replace the keys written there. Use a "
			       "directory of yours, or if it is yours, fix it with: chown %lu %s",
			       dir, (unsigned long)st.st_uid, (unsigned long)me,
			       (unsigned long)me, dir);
	/* Writable by others: they could plant or swap files next to ours. A
	 * sticky directory (/tmp) stops them renaming or removing our files;
	 * that is enough for a one-shot export, not for a keyring that is
	 * reopened, locked and rewritten. */
	if ((st.st_mode & 022) && !(sticky_ok && (st.st_mode & S_ISVTX)))
		return kr_fail(err, -EACCES, MP_KR_E_MODE, NULL,
			       "directory %s can be written by group or others (mode %04o): "
			       "another user could read or replace the keys written there. Fix "
			       "it with: chmod go-w %s", dir, (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

/* Remove temporary files a killed writer left (BASE.tmp-XXXXXXXXXXXX):
 * they may hold keys, under an older seal. Called with the lock held, so
 * no other writer has one open. Only regular files of ours. */
static void remove_stale_temps(struct mp_keyring *kr)
{
	size_t blen = strlen(kr->base);
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd = dup(kr->dirfd);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		const char *n = e->d_name;

		if (strncmp(n, kr->base, blen) || (strncmp(n + blen, ".tmp-", 5) &&
						   strncmp(n + blen, ".bak.tmp-", 9) &&
						   strncmp(n + blen, ".rpl.tmp-", 9)))
			continue;
		if (fstatat(kr->dirfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_uid == geteuid() || (kr->chown_files && st.st_uid == kr->owner_uid)))
			unlinkat(kr->dirfd, n, 0);
	}
	closedir(d);
}

/* ---- Open and read ---------------------------------------------------------- */

const char *kr_file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFLNK: return "a symbolic link";
	}
	return "not a regular file";
}

static int check_perms(struct mp_keyring *kr, const struct stat *st)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_IO, NULL,
			       "keyring %s is not a regular file (%s): give the path of a "
			       "keyring file", kr->path, kr_file_type(st->st_mode));
	if (st->st_uid != me && me != 0)
		return kr_fail(&kr->err, -EACCES, MP_KR_E_OWNER, NULL,
			       "keyring %s belongs to user %lu, not to you (user %lu): "
			       "refusing to use another user's keys. If it is yours, fix it "
			       "with: chown %lu %s", kr->path, (unsigned long)st->st_uid,
			       (unsigned long)me, (unsigned long)me, kr->path);
	if (st->st_mode & 077)
		return kr_fail(&kr->err, -EACCES, MP_KR_E_MODE, NULL,
			       "keyring %s can be accessed by group or others (mode %04o): "
			       "its keys must be private. Fix it with: chmod 600 %s",
			       kr->path, (unsigned)(st->st_mode & 07777), kr->path);
	return 0;
}

int kr_file_open(struct mp_keyring *kr, const char *path, const struct mp_keyring_opts *opts,
		 char **data, size_t *len)
{
	bool create = opts && (opts->flags & MP_KEYRING_CREATE);
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, r;

	*data = NULL;
	*len = 0;
	if (!path || !*path)
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_ARG, NULL, "no keyring path given");
	if (split_path(kr, path))
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	if (!*kr->base)
		return kr_fail(&kr->err, -EISDIR, MP_KR_E_ARG, NULL,
			       "keyring path %s names a directory", path);
	if (create) {
		r = mkdir_p(kr->dir);
		if (r)
			return kr_fail(&kr->err, r, MP_KR_E_IO, NULL,
				       "cannot create the keyring directory %s: %s", kr->dir,
				       strerror(-r));
	}
	kr->dirfd = open(kr->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kr->dirfd < 0) {
		if (errno == ENOENT)
			return kr_fail(&kr->err, -ENOENT, MP_KR_E_NOTFOUND, NULL,
				       "no keyring at %s (directory %s does not exist)", path,
				       kr->dir);
		return kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL, "cannot open directory %s: %s",
			       kr->dir, strerror(errno));
	}
	if (fstat(kr->dirfd, &st) == 0)
		owner_from(kr, &st);
	{
		/* Root may work in another user's directory on that user's
		 * keyring (or create one for them): the files stay theirs. */
		struct stat fst;
		bool theirs = fstatat(kr->dirfd, kr->base, &fst, AT_SYMLINK_NOFOLLOW) < 0
				      ? errno == ENOENT : fst.st_uid == st.st_uid;

		r = kr_check_dir(kr->dirfd, kr->dir, false, st.st_uid,
				 geteuid() == 0 && theirs, &kr->err);
		if (r)
			return r;
	}
	if (!create) {
		struct stat kst;

		/* not creating: a missing keyring is said before anything is
		 * made beside it (the lock file) */
		if (fstatat(kr->dirfd, kr->base, &kst, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno == ENOENT)
			return kr_fail(&kr->err, -ENOENT, MP_KR_E_NOTFOUND, NULL,
				       "no keyring at %s", path);
	}
	r = lock_keyring(kr, opts && (opts->flags & MP_KEYRING_WAIT));
	if (r)
		return r;
	if (!kr->rdonly)
		remove_stale_temps(kr);

	/* O_NONBLOCK: a FIFO at the path would block open() (and the user
	 * with it) before the regular-file check below could refuse it. */
	fd = openat(kr->dirfd, kr->base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return kr_fail(&kr->err, -ENOENT, MP_KR_E_NOTFOUND, NULL,
				       "no keyring at %s", path);
		if (errno == ELOOP)
			return kr_fail(&kr->err, -ELOOP, MP_KR_E_SYMLINK, NULL,
				       "keyring %s is a symbolic link; every save replaces the "
				       "file, so give the path of the real file", path);
		return kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL, "cannot open keyring %s: %s",
			       path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		r = kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL, "cannot stat keyring %s: %s",
			    path, strerror(errno));
		close(fd);
		return r;
	}
	r = check_perms(kr, &st);
	if (!r && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		r = kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL, "cannot read keyring %s: %s",
			    path, strerror(errno));
	if (r) {
		close(fd);
		return r;
	}
	owner_from(kr, &st);
	if ((uint64_t)st.st_size > KR_MAX_FILE) {
		close(fd);
		return kr_fail(&kr->err, -EFBIG, MP_KR_E_SYNTAX, NULL,
			       "keyring %s is too large (%lld bytes) to be a keyring", path,
			       (long long)st.st_size);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL,
				    "cannot read keyring %s: %s", path, strerror(errno));
			mp_wipe(buf, got);
			free(buf);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

/* Rewrite the parser's message into the one a person needs. */
void kr_damaged_msg(struct mp_keyring *kr, const char *path)
{
	char detail[sizeof(kr->err.msg)], *bak;
	struct stat st;
	bool have_bak = false;

	snprintf(detail, sizeof(detail), "%s", kr->err.msg);
	bak = sibling(kr->base ? kr->base : "", ".bak");
	if (bak && kr->dirfd >= 0 && fstatat(kr->dirfd, bak, &st, AT_SYMLINK_NOFOLLOW) == 0)
		have_bak = S_ISREG(st.st_mode);
	free(bak);
	if (have_bak)
		kr_msgf(kr->err.msg, sizeof(kr->err.msg),
			 "cannot use keyring %s: %s. The file was left untouched. The previous "
			 "version is kept in %s.bak: check it (meshprov --keyring %s.bak), then "
			 "restore it with: mv %s %s.damaged && cp -p %s.bak %s",
			 path, detail, path, path, path, path, path, path);
	else
		kr_msgf(kr->err.msg, sizeof(kr->err.msg),
			 "cannot use keyring %s: %s. The file was left untouched; there is no "
			 "backup (%s.bak)", path, detail, path);
}

/* ---- Write ---------------------------------------------------------------- */

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A fresh name beside @base: BASE@tag-XXXXXXXXXXXX, 48 random bits. */
static int temp_name(const char *base, const char *tag, char **out)
{
	uint8_t rnd[6];
	char hex[13];
	size_t n = strlen(base) + strlen(tag) + sizeof(hex) + 1;

	*out = NULL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	mp_hex_encode(rnd, sizeof(rnd), hex);
	*out = malloc(n);
	if (!*out)
		return -ENOMEM;
	snprintf(*out, n, "%s%s%s", base, tag, hex);
	return 0;
}

/* Create a temporary file beside @base that cannot have existed before
 * (random name, O_EXCL, no links followed) and check it is ours: a file
 * another user planted would let them read the keys written into it. */
static int create_temp(const struct mp_keyring *kr, int dirfd, const char *base, char **name)
{
	struct stat st;
	unsigned tries;
	int fd = -1, r;

	for (tries = 0; tries < 16; tries++) {
		r = temp_name(base, ".tmp-", name);
		if (r)
			return r;
		fd = openat(dirfd, *name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			break;
		free(*name);
		*name = NULL;
	}
	if (fd < 0) {
		r = -errno;
		free(*name);
		*name = NULL;
		return r ? r : -EEXIST;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		close(fd);
		unlinkat(dirfd, *name, 0);
		free(*name);
		*name = NULL;
		return -EPERM;
	}
	kr_give_away(kr, fd);
	return fd;
}

/* Write a new temporary file in @dirfd completely and durably, mode 0600;
 * its name in *@tmp. */
static int write_temp(const struct mp_keyring *kr, int dirfd, const char *base, char **tmp,
		      const char *data, size_t len, const char **step)
{
	int fd, r;

	*step = "create the temporary file";
	fd = create_temp(kr, dirfd, base, tmp);
	if (fd < 0)
		return fd;
	*step = "write";
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (!r)
		r = write_all(fd, data, len);
	if (!r) {
		*step = "fsync";
		r = fsync(fd) < 0 ? -errno : 0;
	}
	if (close(fd) < 0 && !r) {
		*step = "close";
		r = -errno;
	}
	if (r) {
		unlinkat(dirfd, *tmp, 0);
		free(*tmp);
		*tmp = NULL;
	}
	return r;
}

/* Make @bak a hard link to @src (both in @dirfd), through a fresh name
 * and a rename, so that @bak is always a complete file. */
static int link_backup(int dirfd, const char *src, const char *base, const char *bak)
{
	char *tmp = NULL;
	unsigned tries;
	int r = -EEXIST;

	for (tries = 0; tries < 16 && r == -EEXIST; tries++) {
		free(tmp);
		r = temp_name(base, ".bak.tmp-", &tmp);
		if (r)
			return r;
		r = linkat(dirfd, src, dirfd, tmp, 0) < 0 ? -errno : 0;
	}
	if (!r) {
		if (renameat(dirfd, tmp, dirfd, bak) < 0)
			r = -errno;
		/* rename() of two links to one file does nothing: @bak was
		 * already @src (the backup after a change of seal). The
		 * extra name goes (ENOENT when the rename moved it). */
		unlinkat(dirfd, tmp, 0);
	}
	free(tmp);
	return r;
}

int kr_file_write(struct mp_keyring *kr, const char *data, size_t len)
{
	char *tmp = NULL, *bak = sibling(kr->base, ".bak");
	const char *step = "";
	int r;

	if (kr->rdonly) {
		free(bak);
		return kr_fail(&kr->err, -EROFS, MP_KR_E_ARG, NULL,
			       "keyring %s was opened for reading only", kr->path);
	}
	if (!bak) {
		r = kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	r = write_temp(kr, kr->dirfd, kr->base, &tmp, data, len, &step);
	if (r)
		goto fail;
	if (kr->reseal) {
		/* A change of seal (encrypt, decrypt, new passphrase): the
		 * backup must not keep the previous seal's copy (the keys in
		 * clear, or under the old passphrase). It becomes the new file
		 * itself, before the keyring is replaced: from then on no copy
		 * under the old seal is left but the keyring until the rename. */
		step = "replace the backup";
		r = link_backup(kr->dirfd, tmp, kr->base, bak);
		if (r && r != -EPERM && r != -ENOTSUP && r != -EXDEV) {
			unlinkat(kr->dirfd, tmp, 0);
			goto fail;
		}
		if (r && unlinkat(kr->dirfd, bak, 0) < 0 && errno != ENOENT) {
			r = -errno;
			unlinkat(kr->dirfd, tmp, 0);
			goto fail;
		}
	} else {
		/* Keep the previous good version: a hard link, so that PATH
		 * itself is never without a complete file. Without link
		 * support, no backup. */
		link_backup(kr->dirfd, kr->base, kr->base, bak);
	}
	step = "rename the temporary file";
	if (renameat(kr->dirfd, tmp, kr->dirfd, kr->base) < 0) {
		r = -errno;
		unlinkat(kr->dirfd, tmp, 0);
		goto fail;
	}
	step = "fsync the directory";
	if (fsync(kr->dirfd) < 0) {
		r = -errno;
		kr_fail(&kr->err, r, MP_KR_E_IO, NULL,
			"keyring %s was written but its directory could not be synced (%s): "
			"the change may not survive a power loss", kr->path, strerror(-r));
		goto out;
	}
	r = 0;
	goto out;
fail:
	kr_fail(&kr->err, r, MP_KR_E_IO, NULL,
		"cannot save keyring %s (%s: %s); the keyring on disk was not changed",
		kr->path, step, strerror(-r));
out:
	free(tmp);
	free(bak);
	return r;
}

int kr_keep_copy(struct mp_keyring *kr, const char *tag, char *out, size_t cap)
{
	char stamp[32], *name = NULL;
	struct tm tm;
	time_t t = (time_t)kr_now(kr);
	unsigned i;
	int r = -EEXIST;

	if (!kr->path || kr->dirfd < 0)
		return -ENOENT;
	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 1; i < 100 && r == -EEXIST; i++) {
		size_t n = strlen(kr->base) + strlen(tag) + strlen(stamp) + 16;

		free(name);
		name = malloc(n);
		if (!name)
			return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		if (i == 1)
			snprintf(name, n, "%s.%s-%s", kr->base, tag, stamp);
		else
			snprintf(name, n, "%s.%s-%s-%u", kr->base, tag, stamp, i);
		/* A hard link to the keyring as it is: the same bytes, seal,
		 * owner and mode 0600; the next save replaces PATH, not it. */
		r = linkat(kr->dirfd, kr->base, kr->dirfd, name, 0) < 0 ? -errno : 0;
	}
	if (!r && fsync(kr->dirfd) < 0)
		r = -errno;
	if (r) {
		free(name);
		return kr_fail(&kr->err, r, MP_KR_E_IO, NULL,
			       "cannot keep a copy of keyring %s before replacing it (%s); "
			       "nothing was changed", kr->path, strerror(-r));
	}
	if (out && cap && !strcmp(kr->dir, "."))
		snprintf(out, cap, "%s", name);
	else if (out && cap)
		snprintf(out, cap, "%s/%s", strcmp(kr->dir, "/") ? kr->dir : "", name);
	free(name);
	return 0;
}

int kr_write_atomic(const char *path, const char *data, size_t len,
		    struct mp_keyring_error *err)
{
	struct mp_keyring tmpkr;
	struct stat st;
	char *tmp = NULL;
	const char *step = "";
	int r;

	memset(&tmpkr, 0, sizeof(tmpkr));
	tmpkr.dirfd = -1;
	if (!path || !*path)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "no path given");
	if (split_path(&tmpkr, path)) {
		r = kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (!*tmpkr.base) {
		r = kr_fail(err, -EISDIR, MP_KR_E_ARG, NULL, "%s names a directory", path);
		goto out;
	}
	tmpkr.dirfd = open(tmpkr.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpkr.dirfd < 0) {
		r = kr_fail(err, -errno, MP_KR_E_IO, NULL, "cannot open directory %s: %s",
			    tmpkr.dir, strerror(errno));
		goto out;
	}
	r = kr_check_dir(tmpkr.dirfd, tmpkr.dir, true, 0, false, err);
	if (r)
		goto out;
	/* The file is replaced by a rename: a device node, FIFO, socket or
	 * link there would be replaced by a file of keys (as root,
	 * /dev/stdout became one). Only a regular file is replaced. */
	if (fstatat(tmpkr.dirfd, tmpkr.base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode)) {
		r = kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL,
			    "%s is %s, not a regular file: refusing to replace it with the "
			    "export (give the path of a new or regular file, or - for the "
			    "standard output)", path, kr_file_type(st.st_mode));
		goto out;
	}
	r = write_temp(NULL, tmpkr.dirfd, tmpkr.base, &tmp, data, len, &step);
	if (!r && renameat(tmpkr.dirfd, tmp, tmpkr.dirfd, tmpkr.base) < 0) {
		r = -errno;
		step = "rename";
		unlinkat(tmpkr.dirfd, tmp, 0);
	}
	if (!r && fsync(tmpkr.dirfd) < 0) {
		r = -errno;
		step = "fsync the directory";
	}
	if (r)
		kr_fail(err, r, MP_KR_E_IO, NULL, "cannot write %s (%s: %s)", path, step,
			strerror(-r));
out:
	if (tmpkr.dirfd >= 0)
		close(tmpkr.dirfd);
	free(tmp);
	free(tmpkr.path);
	free(tmpkr.dir);
	free(tmpkr.base);
	return r;
}

int kr_sidecar_write(struct mp_keyring *kr, const char *ext, const void *data, size_t len,
		     const char **step)
{
	char *name = sibling(kr->base, ext), *tmp = NULL;
	int r;

	if (!name)
		return -ENOMEM;
	/* The keyring's own rules: a fresh temporary file beside it (random
	 * name, O_EXCL, 0600, ours), fsync, rename, fsync the directory. */
	r = write_temp(kr, kr->dirfd, name, &tmp, data, len, step);
	if (!r && renameat(kr->dirfd, tmp, kr->dirfd, name) < 0) {
		r = -errno;
		*step = "rename the temporary file";
		unlinkat(kr->dirfd, tmp, 0);
	}
	if (!r && fsync(kr->dirfd) < 0) {
		r = -errno;
		*step = "fsync the directory";
	}
	free(tmp);
	free(name);
	return r;
}

void kr_file_close(struct mp_keyring *kr)
{
	if (kr->lockfd >= 0) {
		/* Clear our PID before the lock goes (closing drops it). */
		if (!kr->rdonly && ftruncate(kr->lockfd, 0) < 0) {
		}
		close(kr->lockfd);
		kr->lockfd = -1;
	}
	if (kr->dirfd >= 0) {
		close(kr->dirfd);
		kr->dirfd = -1;
	}
}
