/* The interactive shell; see src/cli/shell.h.
 *
 * readline runs in callback mode: the loop watches stdin and feeds
 * rl_callback_read_char(), so beacons, timers and sessions keep running
 * while a person types. Readline's callbacks take no context pointer, hence
 * the one static pointer to the shell (the CLI is the one layer allowed a
 * process-wide object).
 */
#include "config.h"

#include "cli/shell.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli/commands.h"
#include "cli/complete.h"
#include "cli/configure.h"
#include "cli/oobprompt.h"
#include "cli/redact.h"
#include "store/keyring.h"
#include "store/node_config.h"
#include "store/nodes.h"

#define PROMPT "meshprov> "

struct mp_shell {
	struct mp_cli_app *a;
	bool done;
	bool in_handler;		/* running a command: print straight away */
	struct mp_rl_line line;		/* taken off the screen around output */
	struct mp_oob_prompt *oob;	/* the OOB questions (a->oob) */
	char prompt[256];
	char history[4096];
	bool have_history;
	bool told_quit;
	bool installed;			/* readline's handler */
	/* completion candidates */
	char **cands;
	size_t ncands, cap_cands;
};

static struct mp_shell *the_shell;

/* ---- the line being typed, around asynchronous output ---- */

static void out_hook(void *data, bool begin)
{
	struct mp_shell *sh = data;

	if (sh->in_handler || !sh->installed)
		return;
	mp_rl_line_hide(&sh->line, begin, sh->prompt);
}

/* ---- prompts ---- */

static void update_prompt(struct mp_shell *sh)
{
	if (mp_oob_prompt_pending(sh->oob))
		mp_oob_prompt_text(sh->oob, sh->prompt, sizeof(sh->prompt));
	else
		snprintf(sh->prompt, sizeof(sh->prompt), "%s", PROMPT);
	rl_set_prompt(sh->prompt);
	if (!sh->in_handler && !sh->line.hidden && sh->installed)
		rl_forced_update_display();
}

/* The question on the prompt changed: what was typed for the one before
 * (an answer for another device) never goes to the next one, nor to the
 * shell as a command once the questions are over. */
static void oob_changed(void *data, bool head_changed)
{
	struct mp_shell *sh = data;

	if (head_changed && sh->installed)
		mp_rl_line_drop(&sh->line);
	update_prompt(sh);
}

/* ---- lines ---- */

static void on_line(char *line)
{
	struct mp_shell *sh = the_shell;
	enum mp_cli_status st;

	if (!line) {
		/* Ctrl-D */
		printf("\n");
		sh->done = true;
		rl_callback_handler_remove();
		sh->installed = false;
		return;
	}
	sh->in_handler = true;
	if (mp_oob_prompt_pending(sh->oob)) {
		/* an answer: never a command, never in the history */
		mp_oob_prompt_answer(sh->oob, line, stdout);
	} else {
		const char *p = line + strspn(line, " \t");
		HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) :
			NULL;

		/* A line with key material (static:HEX, netkey/appkey import
		 * KEY) stays out of the history file, which is not encrypted
		 * even when the keyring is. */
		if (*p && (!last || strcmp(last->line, line)) && !mp_cli_line_has_secret(line))
			add_history(line);
		st = mp_cli_execute_line(sh->a, line);
		if (st == MP_CLI_QUIT) {
			sh->done = true;
			rl_callback_handler_remove();
			sh->installed = false;
		}
	}
	fflush(stdout);
	/* readline shows the prompt itself once this returns */
	update_prompt(sh);
	sh->in_handler = false;
	mp_wipe(line, strlen(line));	/* a key typed (the history has its own copy only
					 * of lines without one) */
	free(line);
}

static void on_stdin(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct mp_shell *sh = data;

	if (events & MP_LOOP_READ)
		rl_callback_read_char();
	else if (events & (MP_LOOP_HUP | MP_LOOP_ERROR))
		sh->done = true;
}

static void on_sigint(struct mp_loop *loop, int signo, void *data)
{
	struct mp_shell *sh = data;
	struct mp_cli_app *a = sh->a;

	if (mp_oob_prompt_pending(sh->oob)) {
		/* Ctrl-C at a question cancels that device only; what was
		 * typed goes with the question (oob_changed()) */
		out_hook(sh, true);
		mp_oob_prompt_interrupt(sh->oob, stdout);
		out_hook(sh, false);
		return;
	}
	if (mp_cli_busy(a) || a->configure) {
		/* Ctrl-C cancels provisioning, closing the links, and stops
		 * a configure run (it resumes when run again). */
		if (mp_cli_busy(a)) {
			mp_out_info(&a->out, "^C: cancelling provisioning");
			mp_cli_cancel(a, NULL);
		}
		if (mp_cli_configure_stop(a))
			mp_out_info(&a->out, "^C: stopping the configure run");
		return;
	}
	/* Nothing runs: drop the line being typed, as a shell does. */
	rl_replace_line("", 0);
	printf("^C\n");
	if (!sh->told_quit) {
		printf("(quit or Ctrl-D leaves meshprov)\n");
		sh->told_quit = true;
	}
	rl_on_new_line();
	rl_redisplay();
}

static void on_sigterm(struct mp_loop *loop, int signo, void *data)
{
	struct mp_shell *sh = data;

	sh->done = true;
}

static void on_sigwinch(struct mp_loop *loop, int signo, void *data)
{
	rl_resize_terminal();
}

/* ---- completion ---- */

static void cand_clear(struct mp_shell *sh)
{
	size_t i;

	for (i = 0; i < sh->ncands; i++)
		free(sh->cands[i]);
	sh->ncands = 0;
}

static void cand_add(struct mp_shell *sh, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sh->ncands; i++)
		if (strlen(sh->cands[i]) == len && strncmp(sh->cands[i], s, len) == 0)
			return;
	if (sh->ncands == sh->cap_cands) {
		size_t cap = sh->cap_cands ? sh->cap_cands * 2 : 64;
		char **c = realloc(sh->cands, cap * sizeof(*c));

		if (!c)
			return;
		sh->cands = c;
		sh->cap_cands = cap;
	}
	sh->cands[sh->ncands] = strndup(s, len);
	if (sh->cands[sh->ncands])
		sh->ncands++;
}

static void cand_words(struct mp_shell *sh, const char *words)
{
	while (words && *words) {
		size_t n = strcspn(words, " ");

		cand_add(sh, words, n);
		words += n + (words[n] == ' ');
	}
}

static char *cand_gen(const char *text, int state)
{
	static size_t i, len;
	struct mp_shell *sh = the_shell;

	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (i < sh->ncands) {
		const char *c = sh->cands[i++];

		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

static void cand_one(const char *word, const char *desc, void *data)
{
	(void)desc;	/* readline lists words only */
	cand_add(data, word, strlen(word));
}

/* Candidates of a kind; false for file names (readline's own). @pc
 * positional words @pv come before the one completed (ELEMENT and MODEL
 * read the node and the element from them). */
static bool cand_kind(struct mp_shell *sh, enum mp_cli_compl kind, const char *words, int pc,
		      char **pv)
{
	struct mp_cli_app *a = sh->a;
	const struct mp_scan_table *t = mp_cli_scan_table(a);
	char buf[48];
	size_t i;

	switch (kind) {
	case MP_COMPL_FILE:
		return false;
	case MP_COMPL_WORDS:
		cand_words(sh, words);
		break;
	case MP_COMPL_DEVICE:
		for (i = 0; t && i < mp_scan_table_count(t); i++) {
			const struct mp_scan_entry *e = mp_scan_table_at(t, i);

			cand_add(sh, mp_keyring_uuid_str(e->uuid, buf), 36);
			snprintf(buf, sizeof(buf), "#%u", e->index);
			cand_add(sh, buf, strlen(buf));
		}
		break;
	case MP_COMPL_NODE:
	case MP_COMPL_NETKEY:
	case MP_COMPL_APPKEY:
	case MP_COMPL_GROUP:
	case MP_COMPL_ELEMENT:
	case MP_COMPL_MODEL:
		mp_cli_complete_keyring(a->kr, kind, pc, pv, cand_one, sh);
		break;
	case MP_COMPL_COMMAND:
		for (i = 0; i < mp_cli_ncommands; i++) {
			const char *name = mp_cli_commands[i].name;

			cand_add(sh, name, strcspn(name, " "));
		}
		break;
	case MP_COMPL_NONE:
		break;
	}
	return true;
}

/* The positional words among @n words @w after a command's name: the
 * options and the values of those that take one left out. Their count. */
static int positional(const struct mp_cli_cmd *cmd, int n, char **w, char **pv)
{
	int i, pc = 0;

	for (i = 0; i < n; i++) {
		const struct mp_cli_opt *o = w[i][0] == '-' ? mp_cli_find_opt(cmd, w[i]) : NULL;

		if (o) {
			i += o->arg != NULL;
			continue;
		}
		pv[pc++] = w[i];
	}
	return pc;
}

static char **complete(const char *text, int start, int end)
{
	struct mp_shell *sh = the_shell;
	char *head, *buf, *w[MP_CLI_MAX_WORDS];
	const struct mp_cli_cmd *cmd;
	int nw, used = 0;
	size_t i;

	rl_attempted_completion_over = 1;
	cand_clear(sh);
	if (mp_oob_prompt_pending(sh->oob))
		return NULL;	/* an OOB value: nothing to complete */
	head = strndup(rl_line_buffer, (size_t)start);
	buf = head ? malloc((size_t)start + 1) : NULL;
	nw = buf ? mp_cli_split(head, buf, (size_t)start + 1, w, MP_CLI_MAX_WORDS) : -1;
	if (nw < 0)
		goto none;
	cmd = nw ? mp_cli_lookup(nw, w, &used) : NULL;
	if (nw == 0) {
		cand_kind(sh, MP_COMPL_COMMAND, NULL, 0, NULL);
	} else if (!cmd && nw == 1 && mp_cli_is_group(w[0])) {
		size_t n = strlen(w[0]);

		for (i = 0; i < mp_cli_ncommands; i++) {
			const char *name = mp_cli_commands[i].name;

			if (strncmp(name, w[0], n) == 0 && name[n] == ' ')
				cand_add(sh, name + n + 1, strlen(name + n + 1));
		}
	} else if (cmd) {
		const struct mp_cli_opt *o = nw > used ? mp_cli_find_opt(cmd, w[nw - 1]) : NULL;

		if (o && o->arg) {
			if (!cand_kind(sh, o->compl, o->words, 0, NULL))
				goto files;
		} else if (text[0] == '-') {
			for (o = cmd->opts; o && o->name; o++)
				cand_add(sh, o->name, strlen(o->name));
		} else if (cmd->compl == MP_COMPL_COMMAND && nw == 2 && mp_cli_is_group(w[1])) {
			size_t n = strlen(w[1]);

			for (i = 0; i < mp_cli_ncommands; i++) {
				const char *name = mp_cli_commands[i].name;

				if (strncmp(name, w[1], n) == 0 && name[n] == ' ')
					cand_add(sh, name + n + 1, strlen(name + n + 1));
			}
		} else {
			char *pv[MP_CLI_MAX_WORDS];
			int pc = positional(cmd, nw - used, w + used, pv);

			if (!cand_kind(sh, mp_cli_compl_at(cmd, pc), cmd->words, pc, pv))
				goto files;
		}
	}
	free(head);
	free(buf);
	return rl_completion_matches(text, cand_gen);
files:
	rl_attempted_completion_over = 0;	/* readline completes file names */
none:
	free(head);
	free(buf);
	return NULL;
}

/* ---- history ---- */

int mp_shell_history_path(const char *xdg_state_home, const char *home, char *out, size_t cap)
{
	int n;

	if (xdg_state_home && xdg_state_home[0] == '/')
		n = snprintf(out, cap, "%s/meshprov/history", xdg_state_home);
	else if (home && home[0])
		n = snprintf(out, cap, "%s/.local/state/meshprov/history", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* mkdir -p the directory of @path, 0700. */
static void make_dirs(const char *path)
{
	char dir[4096], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
}

static void history_open(struct mp_shell *sh)
{
	using_history();
	stifle_history(1000);
	if (mp_shell_history_path(getenv("XDG_STATE_HOME"), getenv("HOME"), sh->history,
				  sizeof(sh->history)) < 0)
		return;
	sh->have_history = true;
	read_history(sh->history);
}

static void history_save(struct mp_shell *sh)
{
	mode_t old;

	if (!sh->have_history)
		return;
	make_dirs(sh->history);
	old = umask(077);
	if (write_history(sh->history) != 0)
		fprintf(stderr, "meshprov: cannot save the history in %s\n", sh->history);
	umask(old);
}

/* ---- run ---- */

enum mp_cli_status mp_shell_run(struct mp_cli_app *a)
{
	struct mp_shell sh = { .a = a };
	struct mp_oob_prompt_host host = { oob_changed, &sh };
	enum mp_cli_status st;

	sh.oob = mp_oob_prompt_new(a, &host);
	if (!sh.oob) {
		fprintf(stderr, "meshprov: out of memory\n");
		return MP_CLI_FAILED;
	}
	the_shell = &sh;
	a->shell = &sh;
	a->oob = sh.oob;
	a->out.hook = out_hook;
	a->out.hook_data = &sh;
	printf("meshprov %s: a Bluetooth Mesh provisioner. 'help' lists the commands, TAB "
	       "completes, Ctrl-D leaves.\n", PACKAGE_VERSION);
	/* The keyring and the radio now, so that completion and 'devices' have
	 * something; the shell still runs without them (say, to fix a keyring). */
	if (mp_cli_need_keyring(a) == MP_CLI_OK)
		mp_cli_need_radio(a);
	else
		printf("(the keyring could not be opened: key and node commands will say why)\n");
	st = MP_CLI_OK;
	rl_catch_signals = 0;		/* the loop reads signals through signalfd */
	rl_catch_sigwinch = 0;
	rl_readline_name = "meshprov";
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"'";
	history_open(&sh);
	mp_loop_signal_add(a->loop, SIGINT, on_sigint, &sh);
	mp_loop_signal_add(a->loop, SIGTERM, on_sigterm, &sh);
	mp_loop_signal_add(a->loop, SIGHUP, on_sigterm, &sh);
	mp_loop_signal_add(a->loop, SIGWINCH, on_sigwinch, &sh);
	mp_loop_watch_add(a->loop, STDIN_FILENO, MP_LOOP_READ, on_stdin, &sh);
	snprintf(sh.prompt, sizeof(sh.prompt), "%s", PROMPT);
	rl_callback_handler_install(sh.prompt, on_line);
	sh.installed = true;
	while (!sh.done)
		if (mp_loop_run_once(a->loop, -1) < 0 && errno != EINTR)
			break;
	if (sh.installed)
		rl_callback_handler_remove();
	sh.installed = false;
	mp_loop_watch_remove(a->loop, STDIN_FILENO);
	history_save(&sh);
	/* Leave cleanly: what still runs is cancelled, its links closed. */
	sh.in_handler = true;
	if (mp_cli_busy(a))
		mp_cli_cancel(a, NULL);
	a->out.hook = NULL;
	a->shell = NULL;
	a->oob = NULL;
	mp_oob_prompt_free(sh.oob);
	cand_clear(&sh);
	free(sh.cands);
	free(sh.line.saved_line);
	the_shell = NULL;
	return st;
}
