/* Output for people and for scripts: human lines (colours only on a terminal
 * and never with NO_COLOR) or one JSON object per line (--json). */
#ifndef MP_CLI_OUTPUT_H
#define MP_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/engine.h"

struct mp_out {
	FILE *fp;
	bool json;
	bool color;
	int verbose;
};

/** Set up: JSON or text, colour when @fp is a terminal and NO_COLOR is unset. */
void mp_out_init(struct mp_out *o, FILE *fp, bool json, int verbose);
/** A device heard. */
void mp_out_beacon(struct mp_out *o, const struct mp_scan_entry *e, bool first);
/** A session event. */
void mp_out_session(struct mp_out *o, const struct mp_session_event *ev);
/** A simulated device shows an Output OOB value. */
void mp_out_sim_output(struct mp_out *o, const uint8_t uuid[16], const char *action,
		       const char *text);
/** The final summary of a batch run. */
void mp_out_summary(struct mp_out *o, unsigned int provisioned, unsigned int failed);
/** An informational line (text mode; JSON: {"event":"info"}). */
void mp_out_info(struct mp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
