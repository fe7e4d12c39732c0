/* The keyring on disk: where it lives, the lock, permissions, reading, and
 * the atomic write (temp file, fsync, backup link, rename, fsync directory).
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
#include <sys/stat.h>
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

static void give_away(const struct mp_keyring *kr, int fd)
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

static int lock_keyring(struct mp_keyring *kr, bool wait)
{
	struct flock fl;
	char *name = sibling(kr->base, ".lock"), pid[24];
	int fd, r, n;

	if (!name)
		return kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
	fd = openat(kr->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(name);
	if (fd < 0)
		return kr_fail(&kr->err, -errno, MP_KR_E_IO, NULL,
			       "cannot create the lock file %s.lock: %s", kr->path,
			       strerror(errno));
	give_away(kr, fd);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
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
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The PID is only a courtesy for the next comer's message. */
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
	}
	kr->lockfd = fd;
	return 0;
}

/* ---- Open and read ---------------------------------------------------------- */

static int check_perms(struct mp_keyring *kr, const struct stat *st)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode))
		return kr_fail(&kr->err, -EINVAL, MP_KR_E_IO, NULL,
			       "keyring %s is not a regular file", kr->path);
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
	r = lock_keyring(kr, opts && (opts->flags & MP_KEYRING_WAIT));
	if (r)
		return r;

	fd = openat(kr->dirfd, kr->base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
			kr_wipe(buf, got);
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

/* Write @tmp in @dirfd completely and durably, mode 0600. */
static int write_temp(const struct mp_keyring *kr, int dirfd, const char *tmp,
		      const char *data, size_t len, const char **step)
{
	int fd, r;

	*step = "create the temporary file";
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	give_away(kr, fd);
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
	if (r)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int kr_file_write(struct mp_keyring *kr, const char *data, size_t len)
{
	char *tmp = sibling(kr->base, ".tmp"), *bak = sibling(kr->base, ".bak");
	char *baktmp = sibling(kr->base, ".bak.tmp");
	const char *step = "";
	int r;

	if (!tmp || !bak || !baktmp) {
		r = kr_fail(&kr->err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	r = write_temp(kr, kr->dirfd, tmp, data, len, &step);
	if (r)
		goto fail;
	/* Keep the previous good version: a hard link, so that PATH itself is
	 * never without a complete file. Without link support, no backup. */
	unlinkat(kr->dirfd, baktmp, 0);
	if (linkat(kr->dirfd, kr->base, kr->dirfd, baktmp, 0) == 0 &&
	    renameat(kr->dirfd, baktmp, kr->dirfd, bak) < 0)
		unlinkat(kr->dirfd, baktmp, 0);
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
	free(baktmp);
	return r;
}

int kr_write_atomic(const char *path, const char *data, size_t len,
		    struct mp_keyring_error *err)
{
	struct mp_keyring tmpkr;
	char *tmp = NULL;
	const char *step = "";
	int r;

	memset(&tmpkr, 0, sizeof(tmpkr));
	tmpkr.dirfd = -1;
	if (!path || !*path)
		return kr_fail(err, -EINVAL, MP_KR_E_ARG, NULL, "no path given");
	if (split_path(&tmpkr, path) || !(tmp = sibling(tmpkr.base, ".tmp"))) {
		r = kr_fail(err, -ENOMEM, MP_KR_E_NOMEM, NULL, "out of memory");
		goto out;
	}
	tmpkr.dirfd = open(tmpkr.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpkr.dirfd < 0) {
		r = kr_fail(err, -errno, MP_KR_E_IO, NULL, "cannot open directory %s: %s",
			    tmpkr.dir, strerror(errno));
		goto out;
	}
	r = write_temp(NULL, tmpkr.dirfd, tmp, data, len, &step);
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

void kr_file_close(struct mp_keyring *kr)
{
	if (kr->lockfd >= 0) {
		/* Clear our PID before the lock goes (closing drops it). */
		if (ftruncate(kr->lockfd, 0) < 0) {
		}
		close(kr->lockfd);
		kr->lockfd = -1;
	}
	if (kr->dirfd >= 0) {
		close(kr->dirfd);
		kr->dirfd = -1;
	}
}
