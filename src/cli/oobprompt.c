/* The OOB questions put to a person; see src/cli/oobprompt.h.
 *
 * The queue is plain data; who shows it (the shell's prompt, or the
 * terminal prompt of a one-shot run below) is told through the host's
 * changed() callback. The terminal prompt uses readline's callback
 * interface on the one loop, as the shell does, installed only while a
 * question is pending so that a run with nothing to ask leaves the
 * terminal alone. Readline's callbacks take no context pointer, hence the
 * one static pointer (the CLI is the layer allowed process-wide state).
 */
#include "config.h"

#include "cli/oobprompt.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <readline/readline.h>

#include "cli/app.h"
#include "crypto/crypto.h"
#include "prov/auth.h"
#include "prov/pdu.h"
#include "store/keyring.h"

struct oob_q {
	uint8_t uuid[16];
	bool input;			/* Input OOB: a value shown, nothing to type here */
	uint8_t action, size;
	bool numeric;
	char value[MP_OOB_TEXT_MAX];	/* Input OOB: what to enter on the device */
	char name[MP_CLI_NAME_MAX + 1];
	unsigned int line;
};

struct mp_oob_prompt {
	struct mp_cli_app *a;
	struct mp_oob_prompt_host host;
	struct oob_q q[MP_OOB_PROMPT_MAX];
	size_t n;
};

struct mp_oob_prompt *mp_oob_prompt_new(struct mp_cli_app *a,
					const struct mp_oob_prompt_host *host)
{
	struct mp_oob_prompt *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->a = a;
	p->host = *host;
	return p;
}

void mp_oob_prompt_free(struct mp_oob_prompt *p)
{
	if (!p)
		return;
	mp_wipe(p->q, sizeof(p->q));	/* Input OOB values */
	free(p);
}

static void changed(struct mp_oob_prompt *p, bool head)
{
	if (p->host.changed)
		p->host.changed(p->host.data, head);
}

int mp_oob_prompt_ask(struct mp_oob_prompt *p, const struct mp_session_event *ev,
		      const char *name, unsigned int line)
{
	struct oob_q *q;

	if (p->n == MP_OOB_PROMPT_MAX)
		return -ENOSPC;
	q = &p->q[p->n++];
	memset(q, 0, sizeof(*q));
	memcpy(q->uuid, ev->uuid, 16);
	q->input = ev->type == MP_SESSION_OOB_INPUT;
	q->action = ev->oob_action;
	q->size = ev->oob_size;
	q->numeric = ev->oob_numeric;
	if (q->input && ev->oob_value)
		snprintf(q->value, sizeof(q->value), "%s", ev->oob_value);
	if (name)
		snprintf(q->name, sizeof(q->name), "%s", name);
	q->line = line;
	changed(p, p->n == 1);
	return 0;
}

void mp_oob_prompt_forget(struct mp_oob_prompt *p, const uint8_t uuid[16])
{
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		if (memcmp(p->q[i].uuid, uuid, 16) != 0)
			continue;
		memmove(&p->q[i], &p->q[i + 1], (p->n - i - 1) * sizeof(p->q[0]));
		p->n--;
		mp_wipe(&p->q[p->n], sizeof(p->q[0]));
		changed(p, i == 0);
		return;
	}
}

size_t mp_oob_prompt_pending(const struct mp_oob_prompt *p)
{
	return p ? p->n : 0;
}

/* The device as the question names it: the UUID's first 8 digits (the
 * full one is on the event line above), the node name, the batch line. */
static const char *who(const struct oob_q *q, char *buf, size_t len)
{
	char u[37];
	int n;

	mp_keyring_uuid_str(q->uuid, u);
	u[8] = '\0';
	n = snprintf(buf, len, "%s", u);
	if (q->name[0] && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s", q->name);
	if (q->line && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", line %u", q->line);
	return buf;
}

const char *mp_oob_prompt_text(const struct mp_oob_prompt *p, char *buf, size_t len)
{
	const struct oob_q *q;
	char w[64 + MP_CLI_NAME_MAX], more[48] = "";

	if (!p || !p->n) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	q = &p->q[0];
	who(q, w, sizeof(w));
	if (p->n > 1)
		snprintf(more, sizeof(more), "; %zu more waiting", p->n - 1);
	if (q->input) {
		/* what the person does on the device; nothing is typed here */
		switch (q->action) {
		case MP_INPUT_PUSH:
			snprintf(buf, len, "[OOB] Push the button of %s %s times (Ctrl-C "
				 "cancels%s): ", w, q->value, more);
			break;
		case MP_INPUT_TWIST:
			snprintf(buf, len, "[OOB] Twist the knob of %s %s times (Ctrl-C "
				 "cancels%s): ", w, q->value, more);
			break;
		default:
			snprintf(buf, len, "[OOB] Enter %s on %s (Ctrl-C cancels%s): ", q->value,
				 w, more);
			break;
		}
		return buf;
	}
	switch (q->action) {
	case MP_OUTPUT_BLINK:
		snprintf(buf, len, "[OOB] How many times did %s blink?%s%s%s ", w,
			 *more ? " (" : "", *more ? more + 2 : "", *more ? ")" : "");
		break;
	case MP_OUTPUT_BEEP:
		snprintf(buf, len, "[OOB] How many times did %s beep?%s%s%s ", w,
			 *more ? " (" : "", *more ? more + 2 : "", *more ? ")" : "");
		break;
	case MP_OUTPUT_VIBRATE:
		snprintf(buf, len, "[OOB] How many times did %s vibrate?%s%s%s ", w,
			 *more ? " (" : "", *more ? more + 2 : "", *more ? ")" : "");
		break;
	case MP_OUTPUT_NUMERIC:
		snprintf(buf, len, "[OOB] Number displayed by %s (up to %u digits%s): ", w,
			 q->size, more);
		break;
	default:
		snprintf(buf, len, "[OOB] Text displayed by %s (%u characters%s): ", w, q->size,
			 more);
		break;
	}
	return buf;
}

void mp_oob_prompt_answer(struct mp_oob_prompt *p, const char *line, FILE *out)
{
	struct oob_q q;
	char u[37];
	int rc;

	if (!p->n)
		return;
	q = p->q[0];
	line += strspn(line, " \t");
	if (q.input) {
		fprintf(out, "%s: waiting for the device to take the value (Ctrl-C cancels it)\n",
			mp_keyring_uuid_str(q.uuid, u));
		goto out;
	}
	if (!*line) {
		fprintf(out, "Type what the device shows, or Ctrl-C to cancel it.\n");
		goto out;
	}
	rc = mp_cli_oob_answer(p->a, q.uuid, line);
	if (rc == -EINVAL) {
		if (q.numeric)
			fprintf(out, "'%s' is not a valid value: type a number of at most %u "
				"digit%s (0-9). Try again.\n", line, q.size, q.size == 1 ? "" : "s");
		else
			fprintf(out, "'%s' is not a valid value: type %u characters from 0-9 and "
				"A-Z. Try again.\n", line, q.size);
		goto out;
	}
	if (rc != 0)
		fprintf(out, "%s: no longer waiting for a value\n", mp_keyring_uuid_str(q.uuid, u));
	/* answered (or gone): the next question, if any; the device may have
	 * failed inside the answer already, which forgot it */
	mp_oob_prompt_forget(p, q.uuid);
out:
	mp_wipe(&q, sizeof(q));
}

bool mp_oob_prompt_interrupt(struct mp_oob_prompt *p, FILE *out)
{
	struct mp_cli_device_ref ref = { .by_index = false };
	char u[37];

	if (!p || !p->n)
		return false;
	memcpy(ref.uuid, p->q[0].uuid, 16);
	fprintf(out, "^C: cancelling %s%s\n", mp_keyring_uuid_str(ref.uuid, u),
		p->n > 1 || mp_cli_busy(p->a) > 1 ? " (the others go on)" : "");
	fflush(out);
	/* its FAILED event forgets the question (and shows the next) */
	mp_cli_cancel(p->a, &ref);
	mp_oob_prompt_forget(p, ref.uuid);	/* a device no job knows: gone anyway */
	return true;
}

/* ---- the terminal prompt outside the shell ---- */

struct tty_prompt {
	struct mp_cli_app *a;
	FILE *out;			/* the terminal */
	bool own_out;			/* opened here (/dev/tty) */
	bool installed, in_handler;
	struct mp_rl_line line;
	char prompt[256];
};

static struct tty_prompt *the_tty;

void mp_rl_line_hide(struct mp_rl_line *l, bool begin, const char *prompt)
{
	if (begin) {
		if (l->hidden++)
			return;
		l->saved_point = rl_point;
		l->saved_line = rl_copy_text(0, rl_end);
		rl_save_prompt();
		rl_replace_line("", 0);
		rl_redisplay();
		return;
	}
	if (!l->hidden || --l->hidden)
		return;
	fflush(stdout);
	rl_restore_prompt();
	rl_set_prompt(prompt);	/* a question may have come or gone meanwhile */
	rl_replace_line(l->saved_line ? l->saved_line : "", 0);
	rl_point = l->saved_point;
	free(l->saved_line);
	l->saved_line = NULL;
	rl_forced_update_display();
}

void mp_rl_line_drop(struct mp_rl_line *l)
{
	if (l->saved_line) {
		mp_wipe(l->saved_line, strlen(l->saved_line));
		l->saved_line[0] = '\0';
		l->saved_point = 0;
	}
	mp_wipe(rl_line_buffer, (size_t)rl_end);
	rl_replace_line("", 0);
	rl_point = 0;
}

static void tty_hook(void *data, bool begin)
{
	struct tty_prompt *t = data;

	if (t->in_handler || !t->installed)
		return;
	mp_rl_line_hide(&t->line, begin, t->prompt);
}

static void tty_line(char *line);

static void tty_stdin(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct tty_prompt *t = data;

	(void)loop;
	(void)fd;
	if (events & MP_LOOP_READ) {
		rl_callback_read_char();
	} else if (events & (MP_LOOP_HUP | MP_LOOP_ERROR)) {
		/* the terminal went away: nobody will answer */
		mp_loop_watch_remove(t->a->loop, STDIN_FILENO);
		t->a->interrupted = SIGHUP;
		mp_cli_cancel(t->a, NULL);
	}
}

static void tty_remove(struct tty_prompt *t)
{
	struct mp_cli_app *a = t->a;

	if (!t->installed)
		return;
	if (t->line.hidden) {
		/* off the screen already, for output being printed: the end
		 * of that finds nothing to put back */
		rl_restore_prompt();
		mp_rl_line_drop(&t->line);
		free(t->line.saved_line);
		t->line.saved_line = NULL;
		t->line.hidden = 0;
	} else if (!t->in_handler) {
		/* the question goes away: its line is blanked, the cursor left
		 * at its start for what is printed next */
		mp_rl_line_drop(&t->line);
		rl_set_prompt("");
		rl_redisplay();
	}
	rl_callback_handler_remove();
	t->installed = false;
	mp_loop_watch_remove(a->loop, STDIN_FILENO);
	if (a->out.hook == tty_hook)
		a->out.hook = NULL;
	fflush(t->out);
}

static void tty_install(struct tty_prompt *t)
{
	struct mp_cli_app *a = t->a;

	/* what was typed before there was a question is not its answer */
	tcflush(STDIN_FILENO, TCIFLUSH);
	if (a->out.progress_shown) {
		/* the progress line gives way to the question */
		fprintf(a->out.fp, "\r%*s\r", a->out.progress_len, "");
		fflush(a->out.fp);
		a->out.progress_shown = false;
	}
	rl_instream = stdin;
	rl_outstream = t->out;
	rl_catch_signals = 0;		/* the loop reads signals through signalfd */
	rl_catch_sigwinch = 0;
	rl_readline_name = "meshprov";
	rl_attempted_completion_function = NULL;
	rl_callback_handler_install(t->prompt, tty_line);
	t->installed = true;
	mp_loop_watch_add(a->loop, STDIN_FILENO, MP_LOOP_READ, tty_stdin, t);
	/* the run's output goes above the question, when it is this terminal */
	if (a->out.tty && !a->out.hook) {
		a->out.hook = tty_hook;
		a->out.hook_data = t;
	}
}

static void tty_changed(void *data, bool head_changed)
{
	struct tty_prompt *t = data;
	struct mp_oob_prompt *p = t->a->oob;

	if (!mp_oob_prompt_pending(p)) {
		tty_remove(t);
		return;
	}
	mp_oob_prompt_text(p, t->prompt, sizeof(t->prompt));
	if (!t->installed) {
		tty_install(t);
		return;
	}
	if (head_changed)
		mp_rl_line_drop(&t->line);	/* typed for another device */
	rl_set_prompt(t->prompt);
	if (!t->in_handler && !t->line.hidden)
		rl_forced_update_display();
}

static void tty_line(char *line)
{
	struct tty_prompt *t = the_tty;
	struct mp_cli_app *a = t->a;

	t->in_handler = true;
	if (!line) {
		/* Ctrl-D: no more answers; the run stops as on Ctrl-C */
		fprintf(t->out, "\n");
		a->interrupted = SIGINT;
		mp_cli_cancel(a, NULL);
	} else {
		mp_oob_prompt_answer(a->oob, line, t->out);
		mp_wipe(line, strlen(line));
		free(line);
	}
	fflush(t->out);
	t->in_handler = false;
}

bool mp_oob_prompt_tty_possible(const struct mp_cli_app *a)
{
	/* -f - reads the script from stdin: not a person's answers */
	if (a->o.file && strcmp(a->o.file, "-") == 0)
		return false;
	return isatty(STDIN_FILENO) == 1;
}

int mp_oob_prompt_tty(struct mp_cli_app *a)
{
	struct mp_oob_prompt_host host = { tty_changed, NULL };
	struct tty_prompt *t;

	if (!mp_oob_prompt_tty_possible(a))
		return -ENOTTY;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->a = a;
	/* the question on the terminal: stderr, or stdout, whichever is it
	 * (--json output may be a pipe), else the terminal itself */
	if (isatty(STDERR_FILENO)) {
		t->out = stderr;
	} else if (isatty(STDOUT_FILENO)) {
		t->out = stdout;
	} else {
		t->out = fopen("/dev/tty", "w");
		t->own_out = t->out != NULL;
	}
	host.data = t;
	a->oob = t->out ? mp_oob_prompt_new(a, &host) : NULL;
	if (!a->oob) {
		int err = t->out ? -ENOMEM : -ENOTTY;

		if (t->own_out)
			fclose(t->out);
		free(t);
		return err;
	}
	the_tty = t;
	return 0;
}

bool mp_oob_prompt_tty_sigint(struct mp_cli_app *a)
{
	struct tty_prompt *t = the_tty;
	bool done;

	if (!t || t->a != a || !t->installed || !mp_oob_prompt_pending(a->oob))
		return false;
	mp_rl_line_hide(&t->line, true, t->prompt);
	done = mp_oob_prompt_interrupt(a->oob, t->out);
	mp_rl_line_hide(&t->line, false, t->prompt);	/* nothing when it went */
	return done;
}

void mp_oob_prompt_tty_free(struct mp_cli_app *a)
{
	struct tty_prompt *t = the_tty;

	if (!t || t->a != a)
		return;
	t->in_handler = false;
	tty_remove(t);		/* the terminal as it was */
	mp_oob_prompt_free(a->oob);
	a->oob = NULL;
	free(t->line.saved_line);
	if (t->own_out)
		fclose(t->out);
	free(t);
	the_tty = NULL;
}
