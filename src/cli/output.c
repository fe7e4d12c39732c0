/* Human and JSON-lines output; see include/cli/output.h. JSON goes through
 * json-c so that every string is escaped correctly. */
#include "cli/output.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hci/adv.h"
#include "store/keyring.h"

static const char *phase_names[] = {
	[MP_PHASE_INVITE] = "invite", [MP_PHASE_CAPABILITIES] = "capabilities",
	[MP_PHASE_START] = "start", [MP_PHASE_PUBLIC_KEY] = "public-key",
	[MP_PHASE_AUTH] = "authentication", [MP_PHASE_CONFIRMATION] = "confirmation",
	[MP_PHASE_RANDOM] = "random", [MP_PHASE_DATA] = "data",
	[MP_PHASE_COMPLETE] = "complete",
};

void mp_out_init(struct mp_out *o, FILE *fp, bool json, int verbose)
{
	const char *nc = getenv("NO_COLOR");

	o->fp = fp;
	o->json = json;
	o->verbose = verbose;
	o->color = !json && isatty(fileno(fp)) && !(nc && *nc);
}

static const char *c(const struct mp_out *o, const char *code)
{
	return o->color ? code : "";
}

static void emit_json(struct mp_out *o, struct json_object *j)
{
	fprintf(o->fp, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	fflush(o->fp);
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

	if (!first && o->verbose < 2)
		return;
	mp_oob_info_str(e->oob_info, oob, sizeof(oob));
	if (o->json) {
		struct json_object *j = jevent("beacon", e->uuid);

		json_object_object_add(j, "index", json_object_new_int((int)e->index));
		json_object_object_add(j, "rssi", json_object_new_int(e->rssi_last));
		json_object_object_add(j, "oob_info", json_object_new_int(e->oob_info));
		json_object_object_add(j, "bearer", json_object_new_string(
			e->bearers & MP_SCAN_PB_GATT ? (e->bearers & MP_SCAN_PB_ADV ? "adv,gatt" :
							 "gatt") : "adv"));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "%s[NEW]%s Device #%u %s rssi %d oob %s\n", c(o, "\033[32m"),
		c(o, "\033[0m"), e->index, mp_keyring_uuid_str(e->uuid, u), e->rssi_last, oob);
	fflush(o->fp);
}

static const char *auth_desc(const struct mp_session_event *ev, char *buf, size_t len)
{
	const char *action = ev->auth_method == MP_AUTH_OUTPUT ?
		mp_output_action_name(ev->oob_action) : mp_input_action_name(ev->oob_action);

	snprintf(buf, len, "%s %s, size %u", mp_auth_method_name(ev->auth_method), action,
		 ev->oob_size);
	return buf;
}

void mp_out_session(struct mp_out *o, const struct mp_session_event *ev)
{
	char u[37], desc[64];

	mp_keyring_uuid_str(ev->uuid, u);
	if (o->json) {
		struct json_object *j;

		switch (ev->type) {
		case MP_SESSION_PHASE:
			j = jevent("phase", ev->uuid);
			json_object_object_add(j, "phase", json_object_new_string(
				phase_names[ev->phase]));
			if (ev->phase == MP_PHASE_CAPABILITIES && ev->start) {
				json_object_object_add(j, "algorithm", json_object_new_string(
					ev->start->algorithm ? "hmac-sha256" : "cmac-aes128"));
				json_object_object_add(j, "auth", json_object_new_string(
					mp_auth_method_name(ev->start->auth_method)));
			}
			break;
		case MP_SESSION_OOB_OUTPUT:
		case MP_SESSION_OOB_INPUT:
			j = jevent(ev->type == MP_SESSION_OOB_OUTPUT ? "oob-output" : "oob-input",
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
			j = jevent("provisioned", ev->uuid);
			json_object_object_add(j, "address", json_object_new_int(ev->address));
			json_object_object_add(j, "elements", json_object_new_int(ev->elements));
			if (ev->start) {
				json_object_object_add(j, "algorithm", json_object_new_string(
					ev->start->algorithm ? "hmac-sha256" : "cmac-aes128"));
				json_object_object_add(j, "auth", json_object_new_string(
					mp_auth_method_name(ev->start->auth_method)));
			}
			break;
		case MP_SESSION_FAILED:
		default:
			j = jevent("failed", ev->uuid);
			json_object_object_add(j, "reason", json_object_new_string(ev->reason));
			json_object_object_add(j, "by_device", json_object_new_boolean(ev->by_device));
			break;
		}
		if (ev->name)
			json_object_object_add(j, "name", json_object_new_string(ev->name));
		emit_json(o, j);
		return;
	}
	switch (ev->type) {
	case MP_SESSION_PHASE:
		if (o->verbose < 1)
			return;
		fprintf(o->fp, "  %s: %s\n", u, phase_names[ev->phase]);
		break;
	case MP_SESSION_OOB_OUTPUT:
		fprintf(o->fp, "%s%s: the device shows a value (%s): type it%s\n", c(o, "\033[1m"),
			u, auth_desc(ev, desc, sizeof(desc)), c(o, "\033[0m"));
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
		fprintf(o->fp, "%s[OK]%s %s provisioned: address 0x%04x, %u element%s%s%s\n",
			c(o, "\033[32m"), c(o, "\033[0m"), u, ev->address, ev->elements,
			ev->elements == 1 ? "" : "s", ev->name ? ", name " : "",
			ev->name ? ev->name : "");
		break;
	case MP_SESSION_FAILED:
		fprintf(o->fp, "%s[FAIL]%s %s: %s%s\n", c(o, "\033[31m"), c(o, "\033[0m"), u,
			ev->reason, ev->by_device ? " (reported by the device)" : "");
		break;
	}
	fflush(o->fp);
}

void mp_out_sim_output(struct mp_out *o, const uint8_t uuid[16], const char *action,
		       const char *text)
{
	char u[37];

	if (o->json) {
		struct json_object *j = jevent("sim-output", uuid);

		json_object_object_add(j, "action", json_object_new_string(action));
		json_object_object_add(j, "value", json_object_new_string(text));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "  (simulated device %s %s: %s)\n", mp_keyring_uuid_str(uuid, u),
		strcmp(action, "numeric") == 0 || strcmp(action, "alphanumeric") == 0 ?
		"displays" : action, text);
	fflush(o->fp);
}

void mp_out_summary(struct mp_out *o, unsigned int provisioned, unsigned int failed)
{
	if (o->json) {
		struct json_object *j = jevent("summary", NULL);

		json_object_object_add(j, "provisioned", json_object_new_int((int)provisioned));
		json_object_object_add(j, "failed", json_object_new_int((int)failed));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "%u provisioned, %u failed\n", provisioned, failed);
	fflush(o->fp);
}

void mp_out_info(struct mp_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (o->json) {
		struct json_object *j = jevent("info", NULL);

		json_object_object_add(j, "message", json_object_new_string(buf));
		emit_json(o, j);
		return;
	}
	fprintf(o->fp, "%s\n", buf);
	fflush(o->fp);
}
