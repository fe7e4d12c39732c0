/* Human and JSON-lines output; see src/cli/output.h. JSON goes through
 * json-c so that every string is escaped correctly. */
#include "cli/output.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/batchfile.h"
#include "cli/parse.h"
#include "core/hex.h"
#include "adv/adv.h"
#include "store/keyring.h"
#include "store/nodes.h"

void mp_out_init(struct mp_out *o, FILE *fp, bool json, int verbose)
{
	const char *nc = getenv("NO_COLOR");

	o->fp = fp;
	o->json = json;
	o->verbose = verbose;
	o->tty = isatty(fileno(fp));
	o->progress_shown = false;
	o->progress_len = 0;
	o->color = !json && o->tty && !(nc && *nc);
}

static const char *c(const struct mp_out *o, const char *code)
{
	return o->color ? code : "";
}

static void begin(struct mp_out *o)
{
	if (o->progress_shown) {
		/* the progress line gives way (blanked, no terminal escape: a
		 * dumb terminal and NO_COLOR see plain text); the next progress
		 * redraws it */
		fprintf(o->fp, "\r%*s\r", o->progress_len, "");
		o->progress_shown = false;
	}
	if (o->hook)
		o->hook(o->hook_data, true);
}

static void end(struct mp_out *o)
{
	fflush(o->fp);
	if (o->hook)
		o->hook(o->hook_data, false);
}

static void emit_json(struct mp_out *o, struct json_object *j)
{
	begin(o);
	/* "/" is legal unescaped in JSON, and paths are easier to grep as written */
	fprintf(o->fp, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	end(o);
	json_object_put(j);
}

static struct json_object *jevent(const char *event, const uint8_t *uuid)
{
	struct json_object *j = json_object_new_object();
	char u[37];

	json_object_object_add(j, "event", json_object_new_string(event));
	if (uuid)
		json_object_object_add(j, "uuid",
				       json_object_new_string(mp_keyring_uuid_str(uuid, u)));
	return j;
}

void mp_out_beacon(struct mp_out *o, const struct mp_scan_entry *e, bool first)
{
	char u[37], oob[256];

	if ((!first && o->verbose < 2) || o->verbose < 0)
		return;
	mp_adv_oob_info_str(e->oob_info, oob, sizeof(oob));
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("beacon"), e->uuid);

		json_object_object_add(j, "index", json_object_new_int((int)e->index));
		json_object_object_add(j, "rssi", json_object_new_int(e->rssi_last));
		json_object_object_add(j, "oob_info", json_object_new_int(e->oob_info));
		json_object_object_add(j, "bearer", json_object_new_string(
			e->bearers & MP_SCAN_PB_GATT ? (e->bearers & MP_SCAN_PB_ADV ? "adv,gatt" :
							 "gatt") : "adv"));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "%s[%s]%s Device #%u %s rssi %d oob %s\n", c(o, "\033[32m"),
		first ? "NEW" : "CHG", c(o, "\033[0m"), e->index, mp_keyring_uuid_str(e->uuid, u),
		e->rssi_last, oob);
	end(o);
}

void mp_out_beacon_changed(struct mp_out *o, const struct mp_scan_entry *e, const char *what)
{
	char u[37], oob[256];

	if (o->json || o->verbose < 0)
		return;
	mp_adv_oob_info_str(e->oob_info, oob, sizeof(oob));
	begin(o);
	fprintf(o->fp, "%s[CHG]%s Device #%u %s %s: bearer %s, oob %s\n", c(o, "\033[33m"),
		c(o, "\033[0m"), e->index, mp_keyring_uuid_str(e->uuid, u), what,
		e->bearers & MP_SCAN_PB_GATT ? (e->bearers & MP_SCAN_PB_ADV ? "adv,gatt" : "gatt") :
		"adv", oob);
	end(o);
}

/* An LE address as people write it (most significant octet first), from
 * HCI's order; " (random)" for a random one. */
static const char *addr_str(const uint8_t a[6], uint8_t type, char *buf, size_t len)
{
	snprintf(buf, len, "%02X:%02X:%02X:%02X:%02X:%02X%s", a[5], a[4], a[3], a[2], a[1], a[0],
		 type ? " (random)" : "");
	return buf;
}

void mp_out_scan_notice(struct mp_out *o, unsigned int notice, const struct mp_scan_entry *e,
			const struct mp_scan_sighting *s)
{
	char u[37], from[32], other[32];

	addr_str(s->addr, s->addr_type, from, sizeof(from));
	if (notice & MP_SCAN_NOTICE_FLOOD)
		mp_out_error(o, "warning: %s advertises more than %d new devices a minute; its "
			     "further ones are ignored for now", from, MP_SCAN_NEW_PER_ADDR);
	if (!e)
		return;
	mp_keyring_uuid_str(e->uuid, u);
	if (notice & MP_SCAN_NOTICE_OTHER_ADDR)
		mp_out_error(o, "warning: device #%u %s is advertised from %s as well as from %s: "
			     "another device may be using its UUID", e->index, u, from,
			     addr_str(e->first_addr, e->first_addr_type, other, sizeof(other)));
	if (notice & MP_SCAN_NOTICE_GATT_KEPT)
		mp_out_error(o, "warning: %s claims device #%u %s for PB-GATT; connections still go "
			     "to %s, where it is heard", from, e->index, u,
			     addr_str(e->gatt_addr, e->gatt_addr_type, other, sizeof(other)));
	if (notice & MP_SCAN_NOTICE_GATT_MOVED)
		mp_out_error(o, "warning: device #%u %s: PB-GATT connections now go to %s (its "
			     "previous address fell silent)", e->index, u, from);
}

/* One algorithm naming in every event and line: the short names of the
 * provisioning algorithms (MshPRT v1.1 5.4.1.2), from either the engine's
 * number or the tag the keyring keeps ("P256-HMAC-SHA256"). */
static const char *alg_name(uint8_t alg)
{
	return alg ? "hmac-sha256" : "cmac-aes128";
}

static const char *alg_tag_name(const char *tag)
{
	if (strstr(tag, "HMAC") || strstr(tag, "hmac"))
		return "hmac-sha256";
	if (strstr(tag, "CMAC") || strstr(tag, "cmac"))
		return "cmac-aes128";
	return tag;
}

static const char *auth_desc(const struct mp_session_event *ev, char *buf, size_t len)
{
	const char *action = ev->auth_method == MP_AUTH_OUTPUT ?
		mp_output_action_name(ev->oob_action) : mp_input_action_name(ev->oob_action);

	snprintf(buf, len, "%s %s, size %u", mp_auth_method_name(ev->auth_method), action,
		 ev->oob_size);
	return buf;
}

static void add_columns(struct json_object *j, const struct mp_cli_column *cols, size_t n)
{
	struct json_object *c;
	size_t i;

	if (!n)
		return;
	c = json_object_new_object();
	for (i = 0; i < n; i++)
		json_object_object_add(c, cols[i].name, json_object_new_string(cols[i].value));
	json_object_object_add(j, "columns", c);
}

void mp_out_session(struct mp_out *o, const struct mp_session_event *ev)
{
	mp_out_session_cols(o, ev, NULL, 0);
}

void mp_out_session_cols(struct mp_out *o, const struct mp_session_event *ev,
			 const struct mp_cli_column *cols, size_t ncols)
{
	char u[37], desc[64];

	mp_keyring_uuid_str(ev->uuid, u);
	/* -q: what went wrong, what a person must do (OOB), and in JSON each
	 * device's result (a script's record of the run) */
	if (o->verbose < 0 && (ev->type == MP_SESSION_PHASE ||
			       (ev->type == MP_SESSION_PROVISIONED && !o->json)))
		return;
	/* the phases are for -v: a device's result line says how it went */
	if (!o->json && o->verbose < 1 && ev->type == MP_SESSION_PHASE)
		return;
	if (o->json) {
		struct json_object *j;

		switch (ev->type) {
		case MP_SESSION_PHASE:
			j = jevent(MP_EVENT("phase"), ev->uuid);
			json_object_object_add(j, "phase", json_object_new_string(
				mp_prov_phase_name(ev->phase)));
			if (ev->phase == MP_PHASE_CAPABILITIES && ev->start) {
				json_object_object_add(j, "algorithm", json_object_new_string(
					alg_name(ev->start->algorithm)));
				json_object_object_add(j, "auth", json_object_new_string(
					mp_auth_method_name(ev->start->auth_method)));
			}
			break;
		case MP_SESSION_OOB_OUTPUT:
		case MP_SESSION_OOB_INPUT:
			j = jevent(ev->type == MP_SESSION_OOB_OUTPUT ? MP_EVENT("oob-output") :
				   MP_EVENT("oob-input"),
				   ev->uuid);
			json_object_object_add(j, "action", json_object_new_string(
				ev->auth_method == MP_AUTH_OUTPUT ?
				mp_output_action_name(ev->oob_action) :
				mp_input_action_name(ev->oob_action)));
			json_object_object_add(j, "size", json_object_new_int(ev->oob_size));
			if (ev->oob_value)
				json_object_object_add(j, "value",
						       json_object_new_string(ev->oob_value));
			break;
		case MP_SESSION_PROVISIONED:
			j = jevent(MP_EVENT("provisioned"), ev->uuid);
			json_object_object_add(j, "address", json_object_new_int(ev->address));
			json_object_object_add(j, "bearer", json_object_new_string(
				ev->bearer == MP_BEARER_GATT ? "gatt" : "adv"));
			json_object_object_add(j, "elements", json_object_new_int(ev->elements));
			if (ev->start) {
				json_object_object_add(j, "algorithm", json_object_new_string(
					alg_name(ev->start->algorithm)));
				json_object_object_add(j, "auth", json_object_new_string(
					mp_auth_method_name(ev->start->auth_method)));
			}
			break;
		case MP_SESSION_FAILED:
		default:
			j = jevent(MP_EVENT("failed"), ev->uuid);
			json_object_object_add(j, "reason", json_object_new_string(
				mp_engine_fail_name(ev->reason)));
			json_object_object_add(j, "by_device", json_object_new_boolean(ev->by_device));
			if (ev->bearer)
				json_object_object_add(j, "bearer", json_object_new_string(
					ev->bearer == MP_BEARER_GATT ? "gatt" : "adv"));
			if (ev->detail)
				json_object_object_add(j, "detail",
						       json_object_new_string(ev->detail));
			if (ev->unconfirmed) {
				json_object_object_add(j, "address",
						       json_object_new_int(ev->address));
				json_object_object_add(j, "elements",
						       json_object_new_int(ev->elements));
				json_object_object_add(j, "state",
						       json_object_new_string("unconfirmed"));
			}
			break;
		}
		if (ev->name)
			json_object_object_add(j, "name", json_object_new_string(ev->name));
		if (ev->type == MP_SESSION_PROVISIONED || ev->type == MP_SESSION_FAILED)
			add_columns(j, cols, ncols);
		emit_json(o, j);
		return;
	}
	begin(o);
	switch (ev->type) {
	case MP_SESSION_PHASE:
		fprintf(o->fp, "  %s: %s\n", u, mp_prov_phase_name(ev->phase));
		break;
	case MP_SESSION_OOB_OUTPUT:
		fprintf(o->fp, "%s%s: the device %s a value (%s): type it%s\n", c(o, "\033[1m"),
			u, ev->oob_action == MP_OUTPUT_NUMERIC ||
			ev->oob_action == MP_OUTPUT_ALPHANUMERIC ? "displays" : "shows",
			auth_desc(ev, desc, sizeof(desc)), c(o, "\033[0m"));
		break;
	case MP_SESSION_OOB_INPUT:
		if (ev->oob_action == MP_INPUT_PUSH || ev->oob_action == MP_INPUT_TWIST)
			fprintf(o->fp, "%s%s: %s the device %s times%s\n", c(o, "\033[1m"), u,
				mp_input_action_name(ev->oob_action), ev->oob_value,
				c(o, "\033[0m"));
		else
			fprintf(o->fp, "%s%s: enter %s on the device%s\n", c(o, "\033[1m"), u,
				ev->oob_value, c(o, "\033[0m"));
		break;
	case MP_SESSION_PROVISIONED:
		/* The method used, always: No OOB is a choice the user should
		 * see was made (issue 12). */
		fprintf(o->fp, "%s[OK]%s %s provisioned: address 0x%04x, %u element%s%s%s, over %s, "
			"auth %s\n",
			c(o, "\033[32m"), c(o, "\033[0m"), u, ev->address, ev->elements,
			ev->elements == 1 ? "" : "s", ev->name ? ", name " : "",
			ev->name ? ev->name : "", ev->bearer == MP_BEARER_GATT ? "PB-GATT" : "PB-ADV",
			ev->start ? mp_auth_method_name(ev->start->auth_method) : "?");
		break;
	case MP_SESSION_FAILED:
		fprintf(o->fp, "%s[FAIL]%s %s: %s%s%s%s\n", c(o, "\033[31m"), c(o, "\033[0m"), u,
			mp_engine_fail_name(ev->reason), ev->by_device ? " (reported by the device)" : "",
			ev->detail ? ": " : "", ev->detail ? ev->detail : "");
		if (ev->unconfirmed)
			fprintf(o->fp, "       its Provisioning Data went out: it may use address 0x%04x "
				"(%u element%s), kept in the keyring as unconfirmed (see nodes)\n",
				ev->address, ev->elements, ev->elements == 1 ? "" : "s");
		break;
	}
	end(o);
}

void mp_out_sim_output(struct mp_out *o, const uint8_t uuid[16], const char *action,
		       const char *text)
{
	char u[37];

	/* what a simulated device's display shows: the person at the OOB
	 * question reads it there (there is no simulated person typing it
	 * back, issue 16), so it is shown even with -q */
	if (o->json && o->verbose < 0)
		return;
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("sim-output"), uuid);

		json_object_object_add(j, "action", json_object_new_string(action));
		json_object_object_add(j, "value", json_object_new_string(text));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "  (simulated device %s %s: %s)\n", mp_keyring_uuid_str(uuid, u),
		strcmp(action, "numeric") == 0 || strcmp(action, "alphanumeric") == 0 ?
		"displays" : action, text);
	end(o);
}

void mp_out_failed_item(struct mp_out *o, const struct mp_cli_device_ref *ref, bool have_uuid,
			unsigned int line, const char *name, enum mp_engine_fail reason)
{
	char u[37], at[32] = "";

	if (o->json)
		return;
	if (have_uuid)
		mp_keyring_uuid_str(ref->uuid, u);
	else
		snprintf(u, sizeof(u), "#%u", ref->index);
	if (line)
		snprintf(at, sizeof(at), " (line %u)", line);
	begin(o);
	fprintf(o->fp, "failed: %s%s%s%s: %s\n", u, at, name && name[0] ? ", name " : "",
		name && name[0] ? name : "", mp_engine_fail_name(reason));
	end(o);
}

void mp_out_summary(struct mp_out *o, unsigned int provisioned, unsigned int failed,
		    unsigned int cancelled)
{
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("summary"), NULL);

		json_object_object_add(j, "provisioned", json_object_new_int((int)provisioned));
		json_object_object_add(j, "failed", json_object_new_int((int)failed));
		json_object_object_add(j, "cancelled", json_object_new_int((int)cancelled));
		emit_json(o, j);
		return;
	}
	begin(o);
	if (cancelled)
		fprintf(o->fp, "%u provisioned, %u failed, %u cancelled\n", provisioned, failed,
			cancelled);
	else
		fprintf(o->fp, "%u provisioned, %u failed\n", provisioned, failed);
	end(o);
}

void mp_out_progress(struct mp_out *o, unsigned int done, unsigned int failed,
		     unsigned int total)
{
	char line[96];
	int n;

	if (o->json || o->verbose < 0 || o->hook)
		return;
	n = total ? snprintf(line, sizeof(line), "%u/%u done", done, total) :
		    snprintf(line, sizeof(line), "%u done", done);
	if (failed && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ", %u failed", failed);
	if (o->tty) {
		n = (int)strlen(line);
		fprintf(o->fp, "\r%-*s", o->progress_shown && o->progress_len > n ?
			o->progress_len : n, line);
		o->progress_len = n > o->progress_len || !o->progress_shown ? n : o->progress_len;
		o->progress_shown = true;
	} else {
		fprintf(o->fp, "%s\n", line);
	}
	fflush(o->fp);
}

void mp_out_info(struct mp_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (o->verbose < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("info"), NULL);

		json_object_object_add(j, "message", json_object_new_string(buf));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "%s\n", buf);
	end(o);
}

void mp_out_failed_ref(struct mp_out *o, const char *ref, enum mp_engine_fail reason)
{
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("failed"), NULL);

		json_object_object_add(j, "device", json_object_new_string(ref));
		json_object_object_add(j, "reason", json_object_new_string(
			mp_engine_fail_name(reason)));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "%s[FAIL]%s %s: %s\n", c(o, "\033[31m"), c(o, "\033[0m"), ref,
		mp_engine_fail_name(reason));
	end(o);
}

void mp_out_skipped(struct mp_out *o, const uint8_t uuid[16], unsigned int line,
		    const struct mp_node *node, const struct mp_cli_column *cols, size_t ncols)
{
	char u[37];

	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("skipped"), uuid);

		json_object_object_add(j, "line", json_object_new_int((int)line));
		json_object_object_add(j, "reason", json_object_new_string(
			mp_engine_fail_name(MP_ENGINE_FAIL_ALREADY_PROVISIONED)));
		json_object_object_add(j, "address", json_object_new_int(node->addr));
		if (node->name[0])
			json_object_object_add(j, "name", json_object_new_string(node->name));
		add_columns(j, cols, ncols);
		emit_json(o, j);
		return;
	}
	if (o->verbose < 1)
		return;
	begin(o);
	fprintf(o->fp, "[SKIP] %s: line %u: already node 0x%04x%s%s\n",
		mp_keyring_uuid_str(uuid, u), line, node->addr, node->name[0] ? ", name " : "",
		node->name);
	end(o);
}

void mp_out_error_text(struct mp_out *o, const char *cmd, const char *msg)
{
	const char *text = msg;
	bool warning = strncmp(msg, "warning: ", 9) == 0;

	/* With --json the error is an event on stdout as well, so that a
	 * script reading one stream sees why a run ended; stderr keeps the
	 * words for the person watching. */
	if (o->json) {
		struct json_object *j = jevent(warning ? MP_EVENT("warning") : MP_EVENT("error"), NULL);

		if (cmd)
			json_object_object_add(j, "command", json_object_new_string(cmd));
		json_object_object_add(j, "message", json_object_new_string(warning ? msg + 9 :
									       msg));
		emit_json(o, j);
	}
	begin(o);
	fflush(o->fp);
	if (cmd)
		fprintf(stderr, "meshprov: %s: %s\n", cmd, text);
	else
		fprintf(stderr, "meshprov: %s\n", text);
	fflush(stderr);
	end(o);
}

void mp_out_error(struct mp_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mp_out_error_text(o, NULL, buf);
}

static const char *bearer_str(unsigned int bearers)
{
	if ((bearers & MP_SCAN_PB_ADV) && (bearers & MP_SCAN_PB_GATT))
		return "adv,gatt";
	return bearers & MP_SCAN_PB_GATT ? "gatt" : "adv";
}

void mp_out_devices(struct mp_out *o, const struct mp_scan_table *t, uint64_t now_ms,
		    const struct mp_keyring *kr)
{
	size_t i, n = t ? mp_scan_table_count(t) : 0;

	if (!o->json && n == 0) {
		fprintf(o->fp, "No unprovisioned device heard (try: scan on)\n");
		return;
	}
	if (!o->json)
		fprintf(o->fp, "%-4s %-36s %5s  %-8s %-8s %-9s %s\n", "#", "UUID", "RSSI", "URI",
			"BEARER", "SEEN", "OOB INFORMATION");
	for (i = 0; i < n; i++) {
		const struct mp_scan_entry *e = mp_scan_table_at(t, i);
		const struct mp_node *node;
		char u[37], oob[256], uri[9] = "-", rssi[8] = "-", seen[32];
		uint64_t ago;

		if (!e)
			break;
		mp_keyring_uuid_str(e->uuid, u);
		mp_adv_oob_info_str(e->oob_info, oob, sizeof(oob));
		if (e->has_uri_hash)
			mp_hex_encode(e->uri_hash, 4, uri);
		if (e->rssi_last != MP_SCAN_RSSI_NONE)
			snprintf(rssi, sizeof(rssi), "%d", e->rssi_last);
		ago = now_ms > e->last_seen_ms ? (now_ms - e->last_seen_ms) / 1000 : 0;
		snprintf(seen, sizeof(seen), "%llus ago", (unsigned long long)ago);
		node = kr ? mp_keyring_node_find_uuid(kr, e->uuid) : NULL;
		if (o->json) {
			struct json_object *j = jevent(MP_EVENT("device"), e->uuid);

			json_object_object_add(j, "index", json_object_new_int((int)e->index));
			if (e->rssi_last != MP_SCAN_RSSI_NONE)
				json_object_object_add(j, "rssi", json_object_new_int(e->rssi_last));
			json_object_object_add(j, "oob_info", json_object_new_int(e->oob_info));
			json_object_object_add(j, "oob", json_object_new_string(oob));
			if (e->has_uri_hash)
				json_object_object_add(j, "uri_hash", json_object_new_string(uri));
			json_object_object_add(j, "bearer",
					       json_object_new_string(bearer_str(e->bearers)));
			json_object_object_add(j, "last_seen_s", json_object_new_int64((int64_t)ago));
			if (node)
				json_object_object_add(j, "node", json_object_new_int(node->addr));
			emit_json(o, j);
			continue;
		}
		fprintf(o->fp, "#%-3u %s %5s  %-8s %-8s %-9s %s", e->index, u, rssi, uri,
			bearer_str(e->bearers), seen, oob);
		if (node)
			fprintf(o->fp, "  (node 0x%04x)", node->addr);
		fputc('\n', o->fp);
	}
	fflush(o->fp);
}

/* Key indexes as people read them ("000,001"; "none"), and as a JSON array
 * of numbers (empty when there is none). */
static void keys_list(char *buf, size_t len, const uint16_t *idx, unsigned int n)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%03x", i ? "," : "", idx[i]);
	if (n == 0)
		snprintf(buf, len, "none");
}

static struct json_object *keys_array(const uint16_t *idx, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int(idx[i]));
	return a;
}

void mp_out_node(struct mp_out *o, const struct mp_node *n, bool detail, bool show_keys)
{
	char u[37], k[MP_KEY_STR_LEN], nk[128], ak[256];
	const char *key = n->has_dev_key ? mp_keyring_key_str(n->dev_key, show_keys, k) : "-";

	mp_keyring_uuid_str(n->uuid, u);
	keys_list(nk, sizeof(nk), n->net_keys, n->n_net_keys);
	keys_list(ak, sizeof(ak), n->app_keys, n->n_app_keys);
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("node"), n->uuid);

		json_object_object_add(j, "address", json_object_new_int(n->addr));
		json_object_object_add(j, "elements", json_object_new_int(n->elements));
		json_object_object_add(j, "state",
				       json_object_new_string(mp_node_state_str(n->state)));
		json_object_object_add(j, "self", json_object_new_boolean(n->is_self));
		if (n->excluded)	/* left out of a key refresh (the CDB's) */
			json_object_object_add(j, "excluded", json_object_new_boolean(true));
		if (n->name[0])
			json_object_object_add(j, "name", json_object_new_string(n->name));
		if (detail) {
			if (n->algorithm[0])
				json_object_object_add(j, "algorithm", json_object_new_string(
					alg_tag_name(n->algorithm)));
			if (n->oob[0])
				json_object_object_add(j, "auth", json_object_new_string(n->oob));
			json_object_object_add(j, "netkeys",
					       keys_array(n->net_keys, n->n_net_keys));
			json_object_object_add(j, "appkeys",
					       keys_array(n->app_keys, n->n_app_keys));
			json_object_object_add(j, "provisioned_at",
					       json_object_new_int64(n->provisioned_at));
		}
		if (show_keys && n->has_dev_key)
			json_object_object_add(j, "device_key", json_object_new_string(key));
		emit_json(o, j);
		return;
	}
	if (!detail) {
		fprintf(o->fp, "0x%04x  %3u  %-11s  %s  %s\n", n->addr, n->elements,
			n->excluded ? "excluded" : mp_node_state_str(n->state), u,
			n->is_self ? "(this provisioner)" : n->name);
		if (show_keys && n->has_dev_key)
			fprintf(o->fp, "        device key %s\n", key);
		return;
	}
	fprintf(o->fp, "Node 0x%04x%s\n", n->addr, n->is_self ? " (this provisioner)" : "");
	fprintf(o->fp, "  Name:        %s\n", n->name[0] ? n->name : "-");
	fprintf(o->fp, "  UUID:        %s\n", u);
	fprintf(o->fp, "  Elements:    %u (0x%04x-0x%04x)\n", n->elements, n->addr,
		n->addr + (n->elements ? n->elements - 1 : 0));
	fprintf(o->fp, "  State:       %s%s\n", mp_node_state_str(n->state),
		n->excluded ? ", excluded (left out of a key refresh)" : "");
	fprintf(o->fp, "  Algorithm:   %s\n", n->algorithm[0] ? alg_tag_name(n->algorithm) : "-");
	fprintf(o->fp, "  Auth:        %s\n", n->oob[0] ? n->oob : "-");
	fprintf(o->fp, "  NetKeys:     %s\n", nk);
	fprintf(o->fp, "  AppKeys:     %s\n", ak);
	fprintf(o->fp, "  Device key:  %s\n", key);
	fflush(o->fp);
}

void mp_out_netkey(struct mp_out *o, const struct mp_netkey *k, bool show_keys)
{
	char buf[MP_KEY_STR_LEN], old[MP_KEY_STR_LEN];
	const char *key = mp_keyring_key_str(k->key, show_keys, buf);

	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("netkey"), NULL);

		json_object_object_add(j, "index", json_object_new_int(k->index));
		json_object_object_add(j, "key_refresh_phase", json_object_new_int(k->phase));
		if (k->name[0])
			json_object_object_add(j, "name", json_object_new_string(k->name));
		if (show_keys)
			json_object_object_add(j, "key", json_object_new_string(key));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "NetKey 0x%03x  phase %u  %s%s%s  \"%s\"\n", k->index, k->phase, key,
		k->phase ? "  old " : "", k->phase ? mp_keyring_key_str(k->old_key, show_keys, old) :
		"", k->name);
}

void mp_out_appkey(struct mp_out *o, const struct mp_appkey *k, bool show_keys)
{
	char buf[MP_KEY_STR_LEN];
	const char *key = mp_keyring_key_str(k->key, show_keys, buf);

	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("appkey"), NULL);

		json_object_object_add(j, "index", json_object_new_int(k->index));
		json_object_object_add(j, "netkey", json_object_new_int(k->net_index));
		if (k->name[0])
			json_object_object_add(j, "name", json_object_new_string(k->name));
		if (show_keys)
			json_object_object_add(j, "key", json_object_new_string(key));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "AppKey 0x%03x  bound to NetKey 0x%03x  %s  \"%s\"\n", k->index,
		k->net_index, key, k->name);
}

struct json_object *mp_out_event(struct mp_out *o, const char *event, int node)
{
	struct json_object *j;

	if (!o->json)
		return NULL;
	j = jevent(event, NULL);
	if (node >= 0)
		json_object_object_add(j, "node", json_object_new_int(node));
	return j;
}

void mp_out_event_add(struct json_object *j, const char *key, struct json_object *v)
{
	if (j)
		json_object_object_add(j, key, v);
	else
		json_object_put(v);
}

void mp_out_event_end(struct mp_out *o, struct json_object *j, const char *fmt, ...)
{
	va_list ap;

	if (j) {
		emit_json(o, j);
		return;
	}
	if (o->json)
		return;
	begin(o);
	va_start(ap, fmt);
	vfprintf(o->fp, fmt, ap);
	va_end(ap);
	fputc('\n', o->fp);
	end(o);
}

void mp_out_kv(struct mp_out *o, const char *event, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (o->json) {
		struct json_object *j = jevent(event, NULL);

		json_object_object_add(j, key, json_object_new_string(buf));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "%-16s %s\n", key, buf);
	fflush(o->fp);
}

void mp_out_keyring(struct mp_out *o, const struct mp_keyring *kr)
{
	const struct mp_provisioner *p = mp_keyring_self(kr);
	char u[37], pu[37], ranges[256];
	size_t off = 0;
	uint8_t uuid[16];
	unsigned int i;

	mp_keyring_network_uuid(kr, uuid);
	mp_keyring_uuid_str(uuid, u);
	mp_keyring_uuid_str(p->uuid, pu);
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("keyring"), NULL), *r = json_object_new_array();

		json_object_object_add(j, "path", json_object_new_string(mp_keyring_path(kr)));
		json_object_object_add(j, "format", json_object_new_int(MP_KEYRING_FORMAT_VERSION));
		json_object_object_add(j, "encrypted",
				       json_object_new_boolean(mp_keyring_is_encrypted(kr)));
		json_object_object_add(j, "network",
				       json_object_new_string(mp_keyring_network_name(kr)));
		json_object_object_add(j, "mesh_uuid", json_object_new_string(u));
		json_object_object_add(j, "iv_index",
				       json_object_new_int64(mp_keyring_iv_index(kr)));
		json_object_object_add(j, "iv_update",
				       json_object_new_boolean(mp_keyring_iv_update(kr)));
		json_object_object_add(j, "provisioner", json_object_new_string(p->name));
		json_object_object_add(j, "provisioner_uuid", json_object_new_string(pu));
		json_object_object_add(j, "address",
				       json_object_new_int(mp_keyring_self_address(kr)));
		for (i = 0; i < p->n_unicast; i++) {
			struct json_object *pair = json_object_new_array();

			json_object_array_add(pair, json_object_new_int(p->unicast[i].low));
			json_object_array_add(pair, json_object_new_int(p->unicast[i].high));
			json_object_array_add(r, pair);
		}
		json_object_object_add(j, "unicast_ranges", r);
		json_object_object_add(j, "nodes",
				       json_object_new_int64((int64_t)mp_keyring_node_count(kr)));
		json_object_object_add(j, "netkeys",
				       json_object_new_int64((int64_t)mp_keyring_netkey_count(kr)));
		json_object_object_add(j, "appkeys",
				       json_object_new_int64((int64_t)mp_keyring_appkey_count(kr)));
		json_object_object_add(j, "excluded", json_object_new_int64(
			(int64_t)mp_keyring_exclusion_count(kr)));
		emit_json(o, j);
		return;
	}
	ranges[0] = '\0';
	for (i = 0; i < p->n_unicast && off < sizeof(ranges); i++)
		off += (size_t)snprintf(ranges + off, sizeof(ranges) - off, "%s0x%04x-0x%04x",
					i ? ", " : "", p->unicast[i].low, p->unicast[i].high);
	fprintf(o->fp, "%-16s %s\n", "path", mp_keyring_path(kr));
	fprintf(o->fp, "%-16s meshprov-keyring %d%s\n", "format", MP_KEYRING_FORMAT_VERSION,
		mp_keyring_is_encrypted(kr) ? ", encrypted" : "");
	fprintf(o->fp, "%-16s %s\n", "network", mp_keyring_network_name(kr));
	fprintf(o->fp, "%-16s %s\n", "mesh_uuid", u);
	fprintf(o->fp, "%-16s 0x%08x%s\n", "iv_index", mp_keyring_iv_index(kr),
		mp_keyring_iv_update(kr) ? " (IV Update in progress)" : "");
	fprintf(o->fp, "%-16s %s, %s, address 0x%04x\n", "provisioner", p->name, pu,
		mp_keyring_self_address(kr));
	fprintf(o->fp, "%-16s %s\n", "unicast_ranges", ranges);
	fprintf(o->fp, "%-16s %zu\n", "nodes", mp_keyring_node_count(kr));
	fprintf(o->fp, "%-16s %zu\n", "netkeys", mp_keyring_netkey_count(kr));
	fprintf(o->fp, "%-16s %zu\n", "appkeys", mp_keyring_appkey_count(kr));
	fprintf(o->fp, "%-16s %zu\n", "excluded", mp_keyring_exclusion_count(kr));
	fflush(o->fp);
}

void mp_out_iv(struct mp_out *o, uint32_t iv, bool update)
{
	if (o->json) {
		struct json_object *j = jevent(MP_EVENT("iv-index"), NULL);

		json_object_object_add(j, "iv_index", json_object_new_int64(iv));
		json_object_object_add(j, "iv_update", json_object_new_boolean(update));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "%-16s 0x%08x%s\n", "iv_index", iv,
		update ? " (IV Update in progress)" : "");
	fflush(o->fp);
}

void mp_out_key_changed(struct mp_out *o, bool app, bool created, uint16_t index,
			const char *name)
{
	const char *what = created ? "created" : "deleted";

	if (o->json) {
		struct json_object *j = jevent(app ? (created ? MP_EVENT("appkey-created") :
						       MP_EVENT("appkey-deleted")) :
					       (created ? MP_EVENT("netkey-created") :
							  MP_EVENT("netkey-deleted")), NULL);

		json_object_object_add(j, "index", json_object_new_int(index));
		if (name)
			json_object_object_add(j, "name", json_object_new_string(name));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "%s 0x%03x %s", app ? "AppKey" : "NetKey", index, what);
	if (name)
		fprintf(o->fp, ": \"%s\"", name);
	fputc('\n', o->fp);
	end(o);
}

void mp_out_key_renamed(struct mp_out *o, bool app, uint16_t index, const char *name)
{
	if (o->json) {
		struct json_object *j = jevent(app ? MP_EVENT("appkey-renamed") :
					       MP_EVENT("netkey-renamed"), NULL);

		json_object_object_add(j, "index", json_object_new_int(index));
		json_object_object_add(j, "name", json_object_new_string(name));
		emit_json(o, j);
		return;
	}
	begin(o);
	fprintf(o->fp, "%s 0x%03x renamed \"%s\"\n", app ? "AppKey" : "NetKey", index, name);
	end(o);
}

void mp_out_node_changed(struct mp_out *o, bool removed, uint16_t addr, const char *name)
{
	if (o->json) {
		struct json_object *j = jevent(removed ? MP_EVENT("node-removed") :
					       MP_EVENT("node-renamed"), NULL);

		json_object_object_add(j, "address", json_object_new_int(addr));
		if (name)
			json_object_object_add(j, "name", json_object_new_string(name));
		emit_json(o, j);
		return;
	}
	begin(o);
	if (removed)
		fprintf(o->fp, "node 0x%04x removed; its addresses are excluded until the IV index "
			"has moved on by 2\n", addr);
	else if (name && name[0])
		fprintf(o->fp, "node 0x%04x renamed: %s\n", addr, name);
	else
		fprintf(o->fp, "node 0x%04x renamed: no name\n", addr);
	end(o);
}
