/*
 * faildisk: an LD_PRELOAD shim for tests/integration/cli.sh that makes the
 * disk "full" for the keyring: once FAILDISK_AFTER writes to keyring
 * temporary files (names holding ".tmp-") succeeded, every further write()
 * and fsync() to one fails with FAILDISK_ERRNO (default ENOSPC). No root
 * and no small tmpfs needed. FAILDISK_LOG=1 lists the writes on stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int seen;

static int is_keyring_temp(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, ".tmp-") != NULL;
}

static int full(int fd, int count)
{
	const char *after = getenv("FAILDISK_AFTER"), *e = getenv("FAILDISK_ERRNO");

	if (!after || !is_keyring_temp(fd))
		return 0;
	if (count)
		seen++;
	if (getenv("FAILDISK_LOG"))
		fprintf(stderr, "faildisk: %s #%d on fd %d\n", count ? "write" : "fsync", seen, fd);
	if (seen <= atoi(after))
		return 0;
	errno = e ? atoi(e) : ENOSPC;
	return 1;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (full(fd, 1))
		return -1;
	return real(fd, buf, len);
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (full(fd, 0))
		return -1;
	return real(fd);
}
