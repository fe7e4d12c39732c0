/*
 * meshd-io-shim: LD_PRELOAD library for bluetooth-meshd 5.66 run with
 * "--io generic:hciN".
 *
 * Why: generic IO opens an HCI user channel on hciN. The kernel then takes
 * the controller away from mgmt and reports "Index Removed" on the mgmt
 * socket; meshd 5.66 takes that event for a vanished controller, closes its
 * IO, reopens the user channel (which triggers the event again) and never
 * settles. BlueZ 5.67 changed the --io handling; Debian 12 ships 5.66.
 *
 * What: read() on a Bluetooth mgmt socket (HCI_CHANNEL_CONTROL) that returns
 * exactly one Index Removed event (event code 0x0005, no parameters: a bare
 * 6-byte header) is swallowed. Every other read passes through unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHIM_AF_BLUETOOTH	31	/* linux/socket.h */
#define SHIM_BTPROTO_HCI	1
#define SHIM_HCI_CHANNEL_CONTROL 3	/* the mgmt channel */
#define SHIM_MGMT_EV_INDEX_REMOVED 0x0005

struct shim_sockaddr_hci {		/* struct sockaddr_hci, kernel ABI */
	sa_family_t family;
	unsigned short dev;
	unsigned short channel;
};

typedef ssize_t (*read_fn)(int, void *, size_t);

ssize_t read(int fd, void *buf, size_t count);

static int is_mgmt_socket(int fd)
{
	struct shim_sockaddr_hci sa = { 0 };
	socklen_t len = sizeof(int);
	int domain = 0, proto = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != SHIM_AF_BLUETOOTH)
		return 0;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || proto != SHIM_BTPROTO_HCI)
		return 0;
	/* An HCI socket. getsockname() fails (EBADFD) on one bound to no
	 * controller, which is how meshd binds its mgmt socket; a socket bound
	 * to a controller names its channel. */
	len = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return 1;
	return sa.channel == SHIM_HCI_CHANNEL_CONTROL;
}

static int is_index_removed(const uint8_t *p, ssize_t n)
{
	/* mgmt event header: code (le16), controller index (le16), length (le16) */
	return n == 6 && (p[0] | p[1] << 8) == SHIM_MGMT_EV_INDEX_REMOVED && p[4] == 0 && p[5] == 0;
}

ssize_t read(int fd, void *buf, size_t count)
{
	static read_fn real_read;
	ssize_t n;

	if (!real_read)
		real_read = (read_fn)dlsym(RTLD_NEXT, "read");
	for (;;) {
		n = real_read(fd, buf, count);
		if (!is_index_removed(buf, n) || !is_mgmt_socket(fd))
			return n;
		/* Swallowed. A non-blocking caller (meshd's event loop) is told
		 * there is nothing to read; a blocking one waits for the next. */
		if (fcntl(fd, F_GETFL) & O_NONBLOCK) {
			errno = EAGAIN;
			return -1;
		}
	}
}
