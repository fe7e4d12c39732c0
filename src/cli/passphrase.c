/* Keyring passphrases; see src/cli/passphrase.h. */
#include "cli/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/crypto.h"

bool mp_cli_passphrase_given(const struct mp_cli_passphrase_src *src)
{
	return src->fd >= 0 || src->file || src->ask;
}

/* Read up to MP_PASSPHRASE_MAX bytes (one line for a terminal). */
static ssize_t read_all(int fd, uint8_t *buf, bool line)
{
	size_t n = 0;

	while (n < MP_PASSPHRASE_MAX) {
		ssize_t r = read(fd, buf + n, line ? 1 : MP_PASSPHRASE_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (line && buf[n - 1] == '\n')
			break;
	}
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	return (ssize_t)n;
}

ssize_t mp_cli_ask_hidden(const char *prompt, uint8_t *buf)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -ENOTTY;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return -ENOTTY;
	}
	/* Echo off before the prompt shows: what is typed once it is visible
	 * is never echoed, nor discarded by the flush (which only drops what
	 * was typed before it). */
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0 || write(fd, prompt, strlen(prompt)) < 0) {
		tcsetattr(fd, TCSANOW, &old);
		close(fd);
		return -ENOTTY;
	}
	n = read_all(fd, buf, true);
	tcsetattr(fd, TCSANOW, &old);
	if (write(fd, "\n", 1) < 0)
		n = n < 0 ? n : -EIO;
	close(fd);
	return n;
}

int mp_cli_passphrase_read(const struct mp_cli_passphrase_src *src, bool tty, bool confirm,
			   const char *prompt, uint8_t **out, size_t *len)
{
	uint8_t *buf = malloc(MP_PASSPHRASE_MAX), *again = NULL;
	ssize_t n = -ENOTTY;
	int fd;

	if (!buf)
		return -ENOMEM;
	if (src->fd >= 0) {
		n = read_all(src->fd, buf, false);
	} else if (src->file) {
		fd = open(src->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			n = -errno;
			fprintf(stderr, "meshprov: passphrase file %s: %s\n", src->file, strerror(errno));
			free(buf);
			return (int)n;
		}
		n = read_all(fd, buf, false);
		close(fd);
	} else if (src->ask || tty) {
		n = mp_cli_ask_hidden(prompt, buf);
		if (n >= 0 && confirm) {
			again = malloc(MP_PASSPHRASE_MAX);
			ssize_t m = again ? mp_cli_ask_hidden("Again: ", again) : -ENOMEM;

			if (m >= 0 && (m != n || memcmp(again, buf, (size_t)n) != 0)) {
				fprintf(stderr, "meshprov: the two passphrases differ\n");
				n = -EINVAL;
			} else if (m < 0) {
				n = m;
			}
			if (again)
				mp_cli_passphrase_free(again);
		}
	}
	if (n == 0) {
		fprintf(stderr, "meshprov: the passphrase is empty\n");
		n = -ENODATA;
	} else if (n == -ENOTTY) {
		fprintf(stderr, "meshprov: a passphrase is needed: give --passphrase-fd N, "
			"--passphrase-file FILE or --ask-passphrase\n");
	} else if (n < 0 && n != -EINVAL) {
		fprintf(stderr, "meshprov: cannot read the passphrase: %s\n", strerror((int)-n));
	}
	if (n < 0) {
		mp_cli_passphrase_free(buf);
		return (int)n;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

void mp_cli_passphrase_free(uint8_t *p)
{
	if (!p)
		return;
	mp_wipe(p, MP_PASSPHRASE_MAX);	/* the whole buffer: a newline may follow */
	free(p);
}
