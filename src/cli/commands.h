/* The command table: one const table that the shell, one-shot runs
 * (`meshprov COMMAND ARGS`), command files, `help`, the completions and the
 * man page all follow (tests/integration/docs.sh checks that they agree).
 *
 * A command's name has one or two words ("nodes", "node show"). Arguments
 * are positional words and options ("--auth VALUE", "--show-keys"); the
 * dispatcher checks options and the number of positional words against the
 * table before the handler runs, so handlers only check values.
 */
#ifndef MP_CLI_COMMANDS_H
#define MP_CLI_COMMANDS_H

#include <stdio.h>

#include "cli/app.h"

/* What completes a word (the shell's TAB, and the generated completions). */
enum mp_cli_compl {
	MP_COMPL_NONE,
	MP_COMPL_WORDS,		/* one of the space-separated .words */
	MP_COMPL_DEVICE,	/* a UUID or #N from the scan table */
	MP_COMPL_NODE,		/* a node address from the keyring */
	MP_COMPL_NETKEY,	/* a NetKey index */
	MP_COMPL_APPKEY,	/* an AppKey index */
	MP_COMPL_GROUP,		/* a group name from the keyring */
	MP_COMPL_FILE,		/* a file name */
	MP_COMPL_COMMAND,	/* a command name (help) */
	MP_COMPL_ELEMENT,	/* an element address of the node in positional word 1,
				 * from its stored composition (composition ADDR) */
	MP_COMPL_MODEL,		/* a model of the element in word 2, from the stored
				 * composition: SIG "1000", vendor "CCCC:MMMM" */
};

/* Per positional word completion (struct mp_cli_cmd's .compl_args): word
 * N (0-based) completes as the Nth entry; the words past the list, and
 * every entry left out, complete nothing. */
#define MP_CLI_MAX_COMPL_ARGS 8
#define MP_CLI_ARGS(...) ((const enum mp_cli_compl[MP_CLI_MAX_COMPL_ARGS]){ __VA_ARGS__ })

struct mp_cli_opt {
	const char *name;		/* "--auth" */
	const char *arg;		/* metavariable ("METHOD"), NULL for a flag */
	enum mp_cli_compl compl;
	const char *words;		/* for MP_COMPL_WORDS */
	const char *help;
};

#define MP_CLI_MAX_OPTS 24

struct mp_cli_cmd;

struct mp_cli_args {
	const struct mp_cli_cmd *cmd;
	int argc;			/* positional words */
	char **argv;
	const char *val[MP_CLI_MAX_OPTS];	/* per .opts entry: value, "" for a flag, NULL */
	struct mp_out *out;		/* where mp_cmd_err() reports (NULL: stderr only) */
};

/* Flags of a command: what it needs, checked by the dispatcher
 * (mp_cli_execute()) before the handler runs, so that no handler repeats
 * them. A command that checks its arguments' values before it touches the
 * keyring (a malformed one must not open, let alone create, it) opens the
 * keyring itself, after them, and has neither KEYRING flag. */
#define MP_CMD_SHELL_ONLY 0x1	/* makes sense only in the shell (quit, cancel) */
#define MP_CMD_RADIO 0x2	/* opens the controller: keeps CAP_NET_RAW (cli/privs.h) */
#define MP_CMD_KEYRING_READ 0x4	/* reads the keyring: opened first, never created
				 * (mp_cli_read_keyring(): one-shot, read-only) */
#define MP_CMD_KEYRING_WRITE 0x8	/* changes it: opened first, created when missing
					 * (mp_cli_need_keyring()) */

struct mp_cli_cmd {
	const char *name;
	const char *synopsis;		/* the arguments, as help and the man page show them */
	int min_args, max_args;		/* positional words; max -1: any number */
	enum mp_cli_status (*handler)(struct mp_cli_app *a, const struct mp_cli_args *args);
	const char *help;		/* one line */
	enum mp_cli_compl compl;	/* completes positional words */
	const char *words;		/* for MP_COMPL_WORDS */
	const struct mp_cli_opt *opts;	/* terminated by { NULL } */
	unsigned int flags;
	/* What completes each positional word (MP_CLI_ARGS(...)), for a
	 * command whose words differ (bind ADDR ELEMENT MODEL APPIDX); NULL:
	 * .compl completes every one. */
	const enum mp_cli_compl *compl_args;
};

/**
 * What completes positional word @pos (0: the first after the command's
 * name) of @cmd: its .compl_args entry, else .compl.
 */
enum mp_cli_compl mp_cli_compl_at(const struct mp_cli_cmd *cmd, int pos);

/** A completion kind's name, as --dump-commands and --complete write it ("node"). */
const char *mp_cli_compl_name(enum mp_cli_compl kind);

/** The kind named @name, or -1. */
int mp_cli_compl_by_name(const char *name);

/** The table, and its length. */
extern const struct mp_cli_cmd mp_cli_commands[];
extern const size_t mp_cli_ncommands;

/**
 * Find the command named by the first one or two of @argv's @argc words;
 * *@used gets how many words named it. NULL when none does.
 */
const struct mp_cli_cmd *mp_cli_lookup(int argc, char **argv, int *used);

/** True when @word is the first word of two-word commands ("node"). */
bool mp_cli_is_group(const char *word);

/** The option @name of the command being run: its value, "" for a flag, or NULL. */
const char *mp_cli_arg(const struct mp_cli_args *args, const char *name);

/** The option entry @name of @cmd, or NULL. */
const struct mp_cli_opt *mp_cli_find_opt(const struct mp_cli_cmd *cmd, const char *name);

/**
 * Run one command line, already split into words: look it up, check its
 * options and arguments, run its handler. Errors go to stderr.
 */
enum mp_cli_status mp_cli_execute(struct mp_cli_app *a, int argc, char **argv);

/** Split a line and run it (empty lines and comments are MP_CLI_OK). */
enum mp_cli_status mp_cli_execute_line(struct mp_cli_app *a, const char *line);

/** Help: every command, or the one @argv names (@argc words). MP_CLI_USAGE if none. */
enum mp_cli_status mp_cli_help(FILE *fp, int argc, char **argv);

struct json_object;

/** The table as a JSON array (json-c; put it when done), for --dump-commands. */
struct json_object *mp_cli_commands_json(void);

#endif
