/* Output for people and for scripts: human lines (colours only on a terminal
 * and never with NO_COLOR) or one JSON object per line (--json). */
#ifndef MP_CLI_OUTPUT_H
#define MP_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/engine.h"

struct json_object;

struct mp_keyring;
struct mp_node;
struct mp_netkey;
struct mp_appkey;
struct mp_cli_column;
struct mp_cli_device_ref;

/*
 * The name of a JSON event, as meshprov(1) lists it under JSON OUTPUT: every
 * event name in the code is written through this mark, and
 * tests/integration/docs.sh checks the two lists are the same.
 */
#define MP_EVENT(name) name

struct mp_out {
	FILE *fp;
	bool json;
	bool color;
	bool tty;		/* @fp is a terminal: the progress line is redrawn in place */
	bool progress_shown;	/* a progress line without its newline is on the terminal */
	int progress_len;	/* its width, blanked when another line comes */
	/*
	 * -1 (-q): only what failed, errors and the summary; 0: also each
	 * device's result and a progress line; 1 (-v): every phase; 2: every
	 * beacon. JSON is not quietened by 0 or raised by -v (a script wants
	 * every event), only -q leaves the phases, beacons and info out.
	 */
	int verbose;
	/* Called around every asynchronous line (begin true, then false): the
	 * shell hides its prompt and the line being typed, then redraws them. */
	void (*hook)(void *data, bool begin);
	void *hook_data;
};

/** Set up: JSON or text, colour when @fp is a terminal and NO_COLOR is unset. */
void mp_out_init(struct mp_out *o, FILE *fp, bool json, int verbose);
/** A device heard. */
void mp_out_beacon(struct mp_out *o, const struct mp_scan_entry *e, bool first);
/**
 * A device already shown whose advertising changed (@what: "bearer
 * changed", "OOB information changed", "seen again", ...): a [CHG] line, as
 * bluetoothctl prints one; text only (the JSON beacon event is the first).
 */
void mp_out_beacon_changed(struct mp_out *o, const struct mp_scan_entry *e, const char *what);
/** Warnings (on stderr) for what the scan table noticed about sighting @s
 *  of the device @e (NULL: refused); MP_SCAN_NOTICE_* bits in @notice. */
void mp_out_scan_notice(struct mp_out *o, unsigned int notice, const struct mp_scan_entry *e,
			const struct mp_scan_sighting *s);
/** A session event. */
void mp_out_session(struct mp_out *o, const struct mp_session_event *ev);
/**
 * A session event of a device from a batch file: the same, with the extra
 * columns of its row as a JSON "columns" object on provisioned and failed.
 */
void mp_out_session_cols(struct mp_out *o, const struct mp_session_event *ev,
			 const struct mp_cli_column *cols, size_t ncols);
/**
 * A device of a batch file left alone, already @node: a JSON "skipped"
 * event; in text only with -v (the caller says how many).
 */
void mp_out_skipped(struct mp_out *o, const uint8_t uuid[16], unsigned int line,
		    const struct mp_node *node, const struct mp_cli_column *cols, size_t ncols);
/** A simulated device shows an Output OOB value. */
void mp_out_sim_output(struct mp_out *o, const uint8_t uuid[16], const char *action,
		       const char *text);
/**
 * One line of the list of failed devices a run prints before its summary
 * (text only: with --json each failed event is the record): "#N" or the
 * UUID from @ref (@have_uuid), the batch line (0: none), the name, the reason.
 */
void mp_out_failed_item(struct mp_out *o, const struct mp_cli_device_ref *ref, bool have_uuid,
			unsigned int line, const char *name, enum mp_engine_fail reason);
/** The final summary of a batch run. */
void mp_out_summary(struct mp_out *o, unsigned int provisioned, unsigned int failed,
		    unsigned int cancelled);
/** A device of a job failed before it was heard (@ref: "#N"). */
void mp_out_failed_ref(struct mp_out *o, const char *ref, enum mp_engine_fail reason);
/**
 * An error on stderr ("meshprov: ..."), and with --json an "error" event on
 * stdout too ("warning" when the text begins "warning: ").
 */
void mp_out_error(struct mp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** The same with the text made: @cmd (NULL: none) names the command it is about. */
void mp_out_error_text(struct mp_out *o, const char *cmd, const char *msg);
/** The keyring's summary: one record ("keyring" event). */
void mp_out_keyring(struct mp_out *o, const struct mp_keyring *kr);
/** The IV index and the IV Update flag ("iv-index" event). */
void mp_out_iv(struct mp_out *o, uint32_t iv, bool update);
/** A NetKey or AppKey (@app) created or deleted: "netkey-created" and so on;
 * @name (NULL: none) is its name, said when it is created. */
void mp_out_key_changed(struct mp_out *o, bool app, bool created, uint16_t index,
			const char *name);
/** A NetKey or AppKey (@app) renamed to @name: "netkey-renamed", "appkey-renamed". */
void mp_out_key_renamed(struct mp_out *o, bool app, uint16_t index, const char *name);
/** A node renamed (to @name) or @removed: "node-renamed", "node-removed". */
void mp_out_node_changed(struct mp_out *o, bool removed, uint16_t addr, const char *name);
/** The scan table: #N, UUID, RSSI, OOB information, URI hash, bearer, last seen. */
void mp_out_devices(struct mp_out *o, const struct mp_scan_table *t, uint64_t now_ms,
		    const struct mp_keyring *kr);
/** One node: a list line, or with @detail every field; keys only with @show_keys. */
void mp_out_node(struct mp_out *o, const struct mp_node *n, bool detail, bool show_keys);
/** One NetKey or AppKey; keys only with @show_keys. */
void mp_out_netkey(struct mp_out *o, const struct mp_netkey *k, bool show_keys);
void mp_out_appkey(struct mp_out *o, const struct mp_appkey *k, bool show_keys);
/** A result as a "key: value" line, or {"event":@event,"@key":value} in JSON. */
/*
 * An event with fields of its own, in both forms: mp_out_event() starts the
 * JSON object (NULL in text mode; "node": @node when @node >= 0),
 * mp_out_event_add() adds a field (a no-op that frees @v in text mode), and
 * mp_out_event_end() writes it, or in text mode the line @fmt.
 */
struct json_object *mp_out_event(struct mp_out *o, const char *event, int node);
void mp_out_event_add(struct json_object *j, const char *key, struct json_object *v);
void mp_out_event_end(struct mp_out *o, struct json_object *j, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void mp_out_kv(struct mp_out *o, const char *event, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/**
 * How far a run is: @done of @total devices (0: not known), @failed of
 * them. On a terminal one line rewritten in place ("3/16 done, 1 failed"),
 * cleared by the next line printed; not on a terminal a plain line each
 * time. Nothing with --json, -q or in the shell (@hook set).
 */
void mp_out_progress(struct mp_out *o, unsigned int done, unsigned int failed,
		     unsigned int total);
/** An informational line (text mode; JSON: {"event":"info"}); none with -q. */
void mp_out_info(struct mp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
