/* Scripted use: batch files, command files, the --oob-cmd helper; see
 * src/cli/batch.h. */
#include "config.h"

#include "cli/batch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/privs.h"
#include "cli/redact.h"
#include "store/keyring.h"

#define BATCH_MAX (1u << 20)

/* ---- batch files ---- */

void mp_cli_batch_report(struct mp_out *o, const char *path, struct mp_cli_batch *b)
{
	size_t i;

	mp_cli_batch_sort(b);
	for (i = 0; i < b->nbad; i++)
		mp_out_error(o, "%s: line %u: %s", path, b->bad[i].line, b->bad[i].text);
	mp_out_error(o, "provision: nothing was done: fix %s and run again", path);
}

enum mp_cli_status mp_cli_batch_load(struct mp_out *o, const char *path, struct mp_cli_batch *b)
{
	struct stat sb;
	size_t len = 0;
	ssize_t r;
	char *buf;
	int fd, rc;

	memset(b, 0, sizeof(*b));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mp_out_error(o, "provision: cannot read the batch file %s: %s", path,
			     strerror(errno));
		return MP_CLI_USAGE;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > BATCH_MAX) {
		mp_out_error(o, "provision: %s is not a regular file of at most 1 MiB", path);
		close(fd);
		return MP_CLI_USAGE;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return MP_CLI_FAILED;
	}
	while (len < (size_t)sb.st_size && (r = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	rc = mp_cli_batch_read(buf, len, b);
	mp_wipe(buf, len);	/* static OOB values */
	free(buf);
	if (rc < 0) {
		mp_cli_batch_clear(b);
		return MP_CLI_FAILED;
	}
	return MP_CLI_OK;
}

/* ---- the OOB helper ---- */

struct mp_cli_helper {
	struct mp_cli_helper *next;
	struct mp_cli_app *a;
	uint8_t uuid[16];
	bool output;			/* Output OOB: its stdout is the value */
	pid_t pid;
	int fd;				/* its stdout; -1 once closed */
	char buf[128];
	size_t len;
	int64_t reap_timer;
};

static void helper_unlink(struct mp_cli_app *a, struct mp_cli_helper *h)
{
	struct mp_cli_helper **pp;

	for (pp = &a->helpers; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			return;
		}
	}
}

static void helper_close_fd(struct mp_cli_helper *h)
{
	if (h->fd >= 0) {
		mp_loop_watch_remove(h->a->loop, h->fd);
		close(h->fd);
		h->fd = -1;
	}
}

static void helper_free(struct mp_cli_helper *h)
{
	helper_close_fd(h);
	if (h->reap_timer > 0)
		mp_loop_timer_cancel(h->a->loop, h->reap_timer);
	mp_wipe(h->buf, sizeof(h->buf));
	free(h);
}

/* The helper exited with @status: use what it printed. */
static void helper_done(struct mp_cli_helper *h, int status)
{
	struct mp_cli_app *a = h->a;
	char u[37];
	int rc;

	helper_unlink(a, h);
	mp_keyring_uuid_str(h->uuid, u);
	h->buf[h->len] = '\0';
	h->buf[strcspn(h->buf, "\r\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		mp_out_error(&a->out, "%s: the OOB helper failed (%s %d): cancelled", u,
			     WIFEXITED(status) ? "exit status" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto cancel;
	}
	if (!h->output)
		goto out;
	rc = mp_cli_oob_answer(a, h->uuid, h->buf);
	if (rc == -EINVAL) {
		char shown[MP_CLI_SHOW_BUF];

		mp_out_error(&a->out, "%s: the OOB helper printed '%s', which is not what the "
			     "device can show: cancelled", u,
			     mp_cli_show(h->buf, shown, sizeof(shown)));
		goto cancel;
	}
	goto out;
cancel:
	{
		struct mp_cli_device_ref ref = { .by_index = false };

		memcpy(ref.uuid, h->uuid, 16);
		mp_cli_cancel(a, &ref);
	}
out:
	helper_free(h);
}

static void helper_reap(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_helper *h = data;
	int status;
	pid_t r;

	h->reap_timer = 0;
	r = waitpid(h->pid, &status, WNOHANG);
	if (r == 0) {
		/* closed its stdout but still running: look again soon */
		h->reap_timer = mp_loop_timer_add(loop, 50, helper_reap, h);
		return;
	}
	helper_done(h, r < 0 ? 0x7f00 : status);
}

static void helper_read(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct mp_cli_helper *h = data;
	char tmp[256];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n > 0) {
		size_t room = sizeof(h->buf) - 1 - h->len, take = (size_t)n < room ? (size_t)n : room;

		memcpy(h->buf + h->len, tmp, take);
		h->len += take;
		mp_wipe(tmp, sizeof(tmp));
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	helper_close_fd(h);
	helper_reap(loop, 0, h);
}

int mp_cli_helper_start(struct mp_cli_app *a, const char *oob_cmd,
			const struct mp_session_event *ev)
{
	bool output = ev->type == MP_SESSION_OOB_OUTPUT;
	const char *action = output ? mp_output_action_name(ev->oob_action) :
		mp_input_action_name(ev->oob_action);
	struct mp_cli_helper *h;
	char u[37], size[8], *cmd;
	int p[2];
	pid_t pid;

	mp_keyring_uuid_str(ev->uuid, u);
	snprintf(size, sizeof(size), "%u", ev->oob_size);
	h = calloc(1, sizeof(*h));
	cmd = malloc(strlen(oob_cmd) + 8);
	if (!h || !cmd || pipe2(p, O_CLOEXEC) < 0) {
		free(h);
		free(cmd);
		mp_out_error(&a->out, "cannot run the OOB helper: %s", strerror(errno));
		return -errno;
	}
	/* The user's command gets our arguments after its own ("$@"). */
	sprintf(cmd, "%s \"$@\"", oob_cmd);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDONLY);

		/* the loop blocks the signals it reads through signalfd */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		mp_cli_privs_drop_all();	/* the helper inherits no capability */
		if (null >= 0)
			dup2(null, 0);
		dup2(p[1], 1);
		setenv("MESHPROV_UUID", u, 1);
		setenv("MESHPROV_METHOD", output ? "output" : "input", 1);
		setenv("MESHPROV_ACTION", action, 1);
		setenv("MESHPROV_SIZE", size, 1);
		/* The Input OOB value is in the environment only: the
		 * arguments are in /proc/PID/cmdline, which every local user
		 * reads; the environment only its owner. */
		if (ev->oob_value)
			setenv("MESHPROV_VALUE", ev->oob_value, 1);
		execl("/bin/sh", "sh", "-c", cmd, "meshprov-oob", u, output ? "output" : "input",
		      action, size, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		free(h);
		mp_out_error(&a->out, "cannot run the OOB helper: %s", strerror(errno));
		return -EAGAIN;
	}
	h->a = a;
	memcpy(h->uuid, ev->uuid, 16);
	h->output = output;
	h->pid = pid;
	h->fd = p[0];
	if (mp_loop_watch_add(a->loop, h->fd, MP_LOOP_READ, helper_read, h) < 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(h->fd);
		free(h);
		return -ENOMEM;
	}
	h->next = a->helpers;
	a->helpers = h;
	return 0;
}

static void helper_kill(struct mp_cli_app *a, struct mp_cli_helper *h)
{
	helper_unlink(a, h);
	kill(-h->pid, SIGKILL);
	waitpid(h->pid, NULL, 0);
	helper_free(h);
}

void mp_cli_helper_forget(struct mp_cli_app *a, const uint8_t uuid[16], bool success)
{
	struct mp_cli_helper *h = a->helpers, *next;

	for (; h; h = next) {
		next = h->next;
		/* An Input OOB helper shows our value to a person or a robot:
		 * after a success it may finish what it is doing. */
		if (memcmp(h->uuid, uuid, 16) == 0 && (h->output || !success))
			helper_kill(a, h);
	}
}

void mp_cli_helpers_free(struct mp_cli_app *a)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i;

	/* Give helpers still running up to 2 s to end by themselves. */
	for (i = 0; i < 200 && a->helpers; i++) {
		struct mp_cli_helper *h = a->helpers, *next;

		for (; h; h = next) {
			next = h->next;
			if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
				helper_unlink(a, h);
				helper_free(h);
			}
		}
		if (a->helpers)
			nanosleep(&tick, NULL);
	}
	while (a->helpers)
		helper_kill(a, a->helpers);
}

/* ---- command files ---- */

enum mp_cli_status mp_cli_script_run(struct mp_cli_app *a, FILE *fp, const char *name)
{
	enum mp_cli_status first = MP_CLI_OK, st;
	char shown[MP_CLI_SHOW_BUF];
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';	/* written on Windows */
		/* The byte order mark some editors put first (Notepad, Excel). */
		if (lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, (size_t)(n -= 3) + 1);
		/* echoed lines: secrets masked, control bytes escaped, cut */
		if (a->o.verbose > 0 && !a->out.json && line[strspn(line, " \t")])
			fprintf(a->out.fp, "> %s\n",
				mp_cli_show_line(line, MP_CLI_SHOW_MAX, shown, sizeof(shown)));
		st = mp_cli_execute_line(a, line);
		if (st == MP_CLI_QUIT)
			break;
		if (st == MP_CLI_INTERRUPTED || a->interrupted) {
			/* the command said what was cancelled; the rest is not run */
			first = MP_CLI_INTERRUPTED;
			break;
		}
		if (st != MP_CLI_OK) {
			mp_out_error(&a->out, "%s:%u: '%s' failed%s", name, lineno,
				     mp_cli_show_line(line, MP_CLI_SHOW_MAX, shown, sizeof(shown)),
				     a->o.keep_going && !a->interrupted ? "; going on" : "");
			if (first == MP_CLI_OK)
				first = st;
			if (!a->o.keep_going)
				break;
		}
	}
	if (line)
		mp_wipe(line, cap);	/* keys and static OOB values typed */
	free(line);
	return first;
}
