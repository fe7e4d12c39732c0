/* The OOB questions put to a person: what a device displays (Output OOB,
 * typed back) and what to enter on a device (Input OOB, shown). Several
 * devices may ask at once; they are queued and put one at a time, each
 * naming its device (UUID, node name, batch line), the next once the first
 * is answered, cancelled, or its device failed (a timeout).
 *
 * The queue is the shell's (its prompt becomes the question) and, in a
 * one-shot or script run whose stdin is a terminal, the program's own: a
 * readline prompt on the terminal that exists only while a question is
 * pending (mp_oob_prompt_tty()). Ctrl-C at a question cancels that device
 * only; what was typed for one device never goes to another, nor to the
 * shell as a command; answers stay out of the history.
 */
#ifndef MP_CLI_OOBPROMPT_H
#define MP_CLI_OOBPROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"

struct mp_cli_app;
struct mp_oob_prompt;

/* Questions pending at once at most; one more is refused (its device cancelled). */
#define MP_OOB_PROMPT_MAX 16

/* Who shows the question. */
struct mp_oob_prompt_host {
	/** The pending questions changed; @head_changed when the question on
	 *  the prompt is another one (or none): what was typed for the old one
	 *  must go. Not called from inside the host's own calls into the queue
	 *  except mp_oob_prompt_answer() and mp_oob_prompt_interrupt(). */
	void (*changed)(void *data, bool head_changed);
	void *data;
};

/** A queue of questions of @a's devices: NULL when out of memory. */
struct mp_oob_prompt *mp_oob_prompt_new(struct mp_cli_app *a,
					const struct mp_oob_prompt_host *host);
/** Free it (and wipe the Input OOB values it holds). NULL is fine. */
void mp_oob_prompt_free(struct mp_oob_prompt *p);

/**
 * Queue the question of event @ev (MP_SESSION_OOB_OUTPUT or _INPUT) of the
 * device named @name (or NULL) of batch line @line (0: none). 0, or -ENOSPC
 * (MP_OOB_PROMPT_MAX pending: the caller cancels that device).
 */
int mp_oob_prompt_ask(struct mp_oob_prompt *p, const struct mp_session_event *ev,
		      const char *name, unsigned int line);
/** The device @uuid is finished (provisioned, failed, cancelled): drop its question. */
void mp_oob_prompt_forget(struct mp_oob_prompt *p, const uint8_t uuid[16]);
/** Questions pending (0: none; NULL is fine). */
size_t mp_oob_prompt_pending(const struct mp_oob_prompt *p);
/** The prompt of the question first in line, into @buf; "" when none. */
const char *mp_oob_prompt_text(const struct mp_oob_prompt *p, char *buf, size_t len);
/** A line typed at the question: the answer (Output OOB), checked; a
 *  wrong one is said on @out and asked again. */
void mp_oob_prompt_answer(struct mp_oob_prompt *p, const char *line, FILE *out);
/** Ctrl-C at the question: cancel its device only, said on @out. false
 *  when no question is pending. */
bool mp_oob_prompt_interrupt(struct mp_oob_prompt *p, FILE *out);

/**
 * Whether a person can be asked outside the shell: stdin is a terminal
 * and not the script being run (-f -).
 */
bool mp_oob_prompt_tty_possible(const struct mp_cli_app *a);
/**
 * Outside the shell, on a terminal: the program's own queue, shown with
 * readline on the terminal while a question is pending (the run's output
 * goes above it), into a->oob. 0, -ENOTTY (not possible), -ENOMEM.
 * Ctrl-D at a question stops answering: the run is interrupted, as by
 * Ctrl-C with no question pending.
 */
int mp_oob_prompt_tty(struct mp_cli_app *a);
/** The terminal prompt's end: the terminal restored, a->oob freed. */
void mp_oob_prompt_tty_free(struct mp_cli_app *a);
/**
 * Ctrl-C outside the shell: when the terminal prompt has a question,
 * cancel that device only and return true; false when there is none (the
 * run is interrupted as before).
 */
bool mp_oob_prompt_tty_sigint(struct mp_cli_app *a);

/* ---- the line being typed, around output (readline's callback mode) ---- */

struct mp_rl_line {
	int hidden;			/* nesting of hide(begin) */
	char *saved_line;
	int saved_point;
};

/**
 * Output is about to be printed (@begin) or was (!@begin): the prompt and
 * the line being typed are taken off the screen, then put back with the
 * prompt @prompt (a question may have come or gone meanwhile). Nests.
 */
void mp_rl_line_hide(struct mp_rl_line *l, bool begin, const char *prompt);
/** What was typed goes (wiped), on the screen or saved by a hide. */
void mp_rl_line_drop(struct mp_rl_line *l);

#endif
