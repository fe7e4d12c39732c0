/* Secrets from a file, a prompt or stdin; see src/cli/secret.h. */
#include "config.h"

#include "cli/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/passphrase.h"
#include "crypto/crypto.h"

bool mp_cli_secret_is_ref(const char *spec)
{
	return strcmp(spec, "-") == 0 || (spec[0] == '@' && spec[1]);
}

/* The first line of @fd: at most @cap - 1 bytes before its end. */
static int read_line_fd(int fd, char *out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, out + n, 1);	/* a line, not more: a pipe may go on */

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || out[n] == '\n')
			break;
		if (++n == cap)
			return -E2BIG;
	}
	out[n] = '\0';
	return 0;
}

static int read_file(const char *path, char *out, size_t cap)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || S_ISDIR(sb.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	rc = read_line_fd(fd, out, cap);
	close(fd);
	return rc;
}

static int read_stdin(const char *what, char *out, size_t cap)
{
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	int rc = 0;

	if (isatty(STDIN_FILENO)) {
		uint8_t *buf = malloc(MP_PASSPHRASE_MAX);
		char prompt[64];

		if (!buf)
			return -ENOMEM;
		snprintf(prompt, sizeof(prompt), "%s (hex, not shown): ", what);
		n = mp_cli_ask_hidden(prompt, buf);
		if (n >= 0 && (size_t)n >= cap)
			rc = -E2BIG;
		else if (n >= 0)
			memcpy(out, buf, (size_t)n), out[n] = '\0';
		else
			rc = (int)n;
		mp_cli_passphrase_free(buf);
		return rc;
	}
	/* Through stdio: a script read from stdin shares its buffer. */
	n = getline(&line, &lcap, stdin);
	if (n < 0) {
		rc = ferror(stdin) ? -EIO : -ENODATA;
	} else {
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((size_t)n >= cap)
			rc = -E2BIG;
		else
			memcpy(out, line, (size_t)n + 1);
	}
	if (line)
		mp_wipe(line, lcap);
	free(line);
	return rc;
}

int mp_cli_secret_read(const char *spec, const char *what, char *out, size_t outlen)
{
	size_t cap = outlen < MP_CLI_SECRET_MAX + 1 ? outlen : MP_CLI_SECRET_MAX + 1;
	size_t n;
	int rc;

	if (cap < 2)
		return -EINVAL;
	rc = spec[0] == '@' ? read_file(spec + 1, out, cap) : read_stdin(what, out, cap);
	if (!rc) {
		n = strlen(out);
		while (n && strchr(" \t\r", out[n - 1]))
			out[--n] = '\0';
		if (!n)
			rc = -ENODATA;
	}
	if (rc == -ENODATA)
		fprintf(stderr, "meshprov: no %s in %s\n", what,
			spec[0] == '@' ? spec + 1 : "the input");
	else if (rc == -E2BIG)
		fprintf(stderr, "meshprov: the %s in %s is too long\n", what,
			spec[0] == '@' ? spec + 1 : "the input");
	else if (rc)
		fprintf(stderr, "meshprov: cannot read the %s from %s: %s\n", what,
			spec[0] == '@' ? spec + 1 : "the terminal", strerror(-rc));
	if (rc)
		mp_wipe(out, cap);
	return rc;
}
