/*
 * mpdev: an unprovisioned device of our own on a real controller, for the VM
 * tests. The Provisionee is the project's simulated device (sim/device.h,
 * written apart from the provisioner), carried over PB-ADV (bearer/pbadv.h)
 * by the raw HCI transport (hci/hci.h), as src/sim/radio.c does over a
 * simulated radio. It exists because meshd 5.66 cannot do Output and Input
 * OOB (tests/vm/README.md), and to try PB-GATT on the real kernel.
 *
 *   mpdev --hci N --uuid HEX [--static HEX] [--output ACTIONS [--output-size N]]
 *         [--input ACTIONS [--input-size N]] [--alg cmac,hmac] [--elements N]
 *         [--oob-info HEX] [--oob-file FILE] [--result FILE] [--timeout S]
 *         [--beacon-ms MS] [--le auto|legacy|extended] [--gatt [--gatt-once]
 *         [--no-pbadv] [--gatt-readv MS] [--gatt-fault SPEC]] [--node S] [-v]
 *   mpdev --hci N --gatt-probe ADDR [public|random] [--probe-adv]
 *         [--gatt-provision [--static HEX] [--address ADDR]]
 *         [--le auto|legacy|extended] [--settle MS] [--result FILE] [--timeout S] [-v]
 *
 * The device sends Unprovisioned Device beacons (MshPRT v1.1 3.10.2), answers
 * a Link Open for its UUID and runs the provisioning protocol once: it exits
 * 0 once provisioned (after the provisioner closed the link), 1 when that
 * attempt failed or --timeout passed. A link closed before the end is
 * another chance: the device listens again with a fresh key, as a real
 * device would.
 *
 * Lines on stdout, one per event, for a test to read:
 *   READY hci1 AA:BB:CC:DD:EE:FF uuid=<hex>
 *   LINK OPEN 0x12345678 | LINK CLOSED reason=N remote=0|1
 *   OUTPUT <action> <value>      the device "blinks 7 times", "displays 123456"
 *   INPUT <action> <size>        the device waits for the user's input
 *   INPUT-VALUE <value>          ... and got it
 *   PROVISIONED unicast=0005 ... | FAILED <reason>
 * Output OOB values also go to --oob-file FILE (written whole, by rename);
 * Input OOB values come from FILE when given (polled; consumed), else from
 * a line on stdin. That is the protocol of tests/vm/guest/oob-helper.sh.
 *
 * --result FILE gets one JSON object: status (provisioned, failed, timeout,
 * error, interrupted; ok or failed for the probe), uuid, and once
 * provisioned unicast (4 hex digits), elements, net_key, net_key_index,
 * flags, iv_index, dev_key, algorithm, auth_method, auth_action, auth_size,
 * oob_value, bearer; or reason (the failure code's name when the device sent
 * Provisioning Failed, with code); and end: link-closed (the provisioner
 * closed the link after Complete or Failed, as it should) or no-link-close
 * (it did not within 10 s).
 *
 * --gatt adds connectable advertising of the Mesh Provisioning Service and an
 * ATT server on the controller, --gatt-probe is the client: see mpdev_gatt.c;
 * with --gatt-provision the probe provisions the device over PB-GATT
 * (mpdev_prov.c). --gatt-fault SPEC makes the GATT side misbehave
 * (drop-after:N, no-cccd, cccd-error[:CODE], cccd-silent, big-notify,
 * att-error[:CODE]; see mpdev_gatt.c): the result then has "fault" and
 * "fault_applied", and the device ends (status failed) once the connection
 * the fault was applied on is over.
 *
 * --node S: once provisioned (and the link closed), stay on for S seconds
 * as a node (mpdev_node.c: the simulated node of sim/node.h) instead of
 * exiting at once; without it nothing changes. With --gatt too the node is a
 * GATT Proxy server: its connectable advertising names the Mesh Proxy
 * Service with its Network ID, and a connection serves that service
 * (Proxy PDUs to and from the node; "NODE PROXY CLIENT" / "NO CLIENT").
 *
 * Exit: 0 provisioned (probe: MTU exchanged); 1 failed; 2 usage; 3 the
 * controller could not be used.
 */
#include "mpdev.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/hex.h"
#include "crypto/crypto.h"
#include "crypto/prov_keys.h"
#include "adv/adv.h"

/* The provisioning protocol timeout, on the device's side. MshPRT v1.1 5.4.4 */
#define PROTOCOL_TIMEOUT_MS	60000
/* After Complete or Failed went out: how long the provisioner has to close
 * the link before we stop anyway. */
#define GRACE_MS		10000
#define OOB_POLL_MS		100
#define DEFAULT_BEACON_MS	500
#define DEFAULT_SETTLE_MS	3000
#define DEFAULT_READV_MS	1000

/* ---- output ---- */

void mpdev_say(struct mpdev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void mpdev_log(struct mpdev *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->verbose)
		return;
	fprintf(stderr, "mpdev: [%.3f] ", (double)mp_loop_now_ms(d->loop) / 1000.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *mpdev_addr_str(const uint8_t *addr, char *buf)
{
	snprintf(buf, 18, "%02X:%02X:%02X:%02X:%02X:%02X", addr[5], addr[4], addr[3], addr[2],
		 addr[1], addr[0]);
	return buf;
}

/* Copy @src into @dst (@cap octets), cut if need be. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void json_str(FILE *f, const char *key, const char *s)
{
	fprintf(f, ",\"%s\":\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_hex(FILE *f, const char *key, const uint8_t *v, size_t len)
{
	char hex[65];

	mp_hex_encode(v, len, hex);
	json_str(f, key, hex);
	mp_wipe(hex, sizeof(hex));
}

static void write_provisioning(struct mpdev *d, FILE *f)
{
	const struct mp_sim_prov_result *r = &d->result;

	if (d->have_result) {
		fprintf(f, ",\"unicast\":\"%04x\",\"elements\":%u", r->unicast, r->elements);
		json_hex(f, "net_key", r->net_key, 16);
		fprintf(f, ",\"net_key_index\":%u,\"flags\":%u,\"iv_index\":%u", r->net_key_index,
			r->flags, r->iv_index);
		json_hex(f, "dev_key", r->device_key, 16);
		json_str(f, "algorithm", r->algorithm == MP_ALG_HMAC ? "hmac" : "cmac");
		json_str(f, "auth_method", mp_auth_method_name(r->auth_method));
	}
	if (d->oob_used) {
		json_str(f, "auth_action", d->oob_output ? mp_output_action_name(d->oob_action) :
			 mp_input_action_name(d->oob_action));
		fprintf(f, ",\"auth_size\":%u", d->oob_size);
		if (d->oob_value[0])
			json_str(f, "oob_value", d->oob_value);
	}
	if (d->bearer_name)
		json_str(f, "bearer", d->bearer_name);
	if (d->end)
		json_str(f, "end", d->end);
	if (d->attempt_done && d->prov_err != MP_PROV_OK)
		fprintf(f, ",\"code\":%u", d->prov_err);
}

static void write_result(struct mpdev *d)
{
	char tmp[4096], uuid[33];
	FILE *f;

	if (!d->result_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->result_path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "mpdev: %s: %s\n", tmp, strerror(errno));
		return;
	}
	fprintf(f, "{\"status\":\"%s\"", d->status);
	if (!d->probe) {
		json_str(f, "uuid", mp_hex_encode(d->uuid, 16, uuid));
		write_provisioning(d, f);
	} else {
		mpdev_probe_json(d, f);
	}
	if (d->gatt)
		fprintf(f, ",\"gatt_connections\":%u,\"att_mtu\":%u", d->gatt_connections,
			d->att_mtu);
	if (d->fault) {
		json_str(f, "fault", d->fault_spec);
		fprintf(f, ",\"fault_applied\":%s", d->fault_applied ? "true" : "false");
	}
	if (d->reason[0])
		json_str(f, "reason", d->reason);
	fputs("}\n", f);
	if (fclose(f) != 0 || rename(tmp, d->result_path) != 0)
		fprintf(stderr, "mpdev: %s: %s\n", d->result_path, strerror(errno));
}

void mpdev_finish(struct mpdev *d, int code, const char *status, const char *reason)
{
	if (d->finished)
		return;
	d->finished = true;
	d->exit_code = code;
	d->status = status;
	if (reason)
		copy_str(d->reason, sizeof(d->reason), reason);
	write_result(d);
	mp_wipe(&d->result, sizeof(d->result));
	mp_loop_quit(d->loop);
}

/* ---- the device's PDUs on the link: one transaction at a time ---- */

static void dev_send(void *user, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = user;
	int r = mp_sendq_send(&d->txq, pdu, len);

	/* (one the bearer refuses is lost without a word, as it always was) */
	if (r == -ENOTCONN || r == -ENOBUFS || r == -EMSGSIZE)
		mpdev_log(d, "PDU 0x%02x dropped (no room)", len ? pdu[0] : 0);
}

/* ---- OOB: the person in front of the device ---- */

static void write_oob_file(struct mpdev *d, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", d->oob_file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0 || rename(tmp, d->oob_file)) {
		fprintf(stderr, "mpdev: %s: %s\n", d->oob_file, strerror(errno));
		return;
	}
}

static void dev_output(void *user, enum mp_output_action action, const char *text)
{
	struct mpdev *d = user;

	d->oob_used = true;
	d->oob_output = true;
	d->oob_action = action;
	d->oob_size = d->caps.output_size;
	copy_str(d->oob_value, sizeof(d->oob_value), text);
	if (d->oob_file)
		write_oob_file(d, text);
	mpdev_say(d, "OUTPUT %s %s", mp_output_action_name(action), text);
}

/* The user typed @text: give it to the device. True when taken. */
static bool input_value(struct mpdev *d, const char *text)
{
	char v[64];
	size_t n;
	int r;

	n = strspn(text, " \t");
	snprintf(v, sizeof(v), "%s", text + n);
	v[strcspn(v, " \t\r\n")] = '\0';
	if (!v[0])
		return false;
	r = mp_sim_device_input(d->dev, v);
	if (r == -EINVAL) {
		mpdev_say(d, "INPUT-REJECTED %s", v);
		return false;
	}
	if (r == 0) {
		copy_str(d->oob_value, sizeof(d->oob_value), v);
		mpdev_say(d, "INPUT-VALUE %s", v);
	}
	return true;	/* taken, or no longer wanted (-EPERM) */
}

static void oob_poll(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;
	char buf[64] = "";
	FILE *f;

	d->oob_poll_timer = 0;
	if (d->finished || mp_sim_device_state(d->dev) != MP_SIM_DEV_WAIT_INPUT)
		return;
	f = fopen(d->oob_file, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		/* consumed, so that a wrong value is not read again */
		if (buf[0])
			unlink(d->oob_file);
		if (input_value(d, buf))
			return;
	}
	d->oob_poll_timer = mp_loop_timer_add(loop, OOB_POLL_MS, oob_poll, d);
}

static void on_stdin(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct mpdev *d = data;
	char c;
	ssize_t n = read(fd, &c, 1);

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		mp_loop_watch_remove(loop, fd);
		d->stdin_open = false;
		return;
	}
	if (c != '\n') {
		if (d->in_len < sizeof(d->in_line) - 1)
			d->in_line[d->in_len++] = c;
		return;
	}
	d->in_line[d->in_len] = '\0';
	d->in_len = 0;
	if (mp_sim_device_state(d->dev) == MP_SIM_DEV_WAIT_INPUT)
		input_value(d, d->in_line);
}

static void dev_input(void *user, enum mp_input_action action, uint8_t size)
{
	struct mpdev *d = user;

	d->oob_used = true;
	d->oob_output = false;
	d->oob_action = action;
	d->oob_size = size;
	mpdev_say(d, "INPUT %s %u", mp_input_action_name(action), size);
	if (d->oob_file) {
		mp_loop_timer_set(d->loop, &d->oob_poll_timer, 1, oob_poll, d);
	} else if (!d->stdin_open) {
		mpdev_say(d, "INPUT-UNAVAILABLE (no --oob-file, stdin closed)");
	}
}

/* ---- the end of an attempt ---- */

static void grace_over(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->grace_timer = 0;
	if (d->nodeside)
		return;		/* a node now (--node): mpdev_node.c ends the run */
	if (!d->end) {
		d->end = "no-link-close";
		mpdev_say(d, "END the provisioner did not close the link within %u s",
			  GRACE_MS / 1000);
	}
	if (d->prov_err == MP_PROV_OK && d->node_s && d->have_result && !d->nodeside &&
	    !d->finished && mpdev_node_start(d) == 0)
		return;		/* mpdev_node.c ends the run */
	if (d->prov_err == MP_PROV_OK)
		mpdev_finish(d, MPDEV_EXIT_OK, "provisioned", NULL);
	else
		mpdev_finish(d, MPDEV_EXIT_FAILED, "failed", mp_prov_err_id(d->prov_err));
}

static void dev_done(void *user, enum mp_prov_err err, const struct mp_sim_prov_result *res)
{
	struct mpdev *d = user;
	char key[33];

	d->attempt_done = true;
	d->prov_err = err;
	if (err == MP_PROV_OK && res) {
		d->result = *res;
		d->have_result = true;
		mpdev_say(d, "PROVISIONED unicast=%04x elements=%u iv_index=%u net_key_index=%03x "
			  "net_key=%s", res->unicast, res->elements, res->iv_index,
			  res->net_key_index, mp_hex_encode(res->net_key, 16, key));
		mp_wipe(key, sizeof(key));
	} else {
		mpdev_say(d, "FAILED %s", mp_prov_err_id(err));
	}
	/* Complete or Failed still has to reach the provisioner, which then
	 * closes the link (dev_link_closed ends the run). */
	mp_loop_timer_set(d->loop, &d->grace_timer, GRACE_MS, grace_over, d);
}

/* ---- the PB-ADV link ---- */

static void link_timer_fired(void *owner, unsigned int id)
{
	struct mpdev *d = owner;

	mp_pbadv_timeout(d->link, id);
}

static void link_timer(void *user, unsigned int id, uint32_t delay_ms)
{
	struct mpdev *d = user;

	mp_timer_slots_set(&d->link_slots, id, delay_ms);
}

static void link_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = user;
	uint8_t ad[MP_AD_LEGACY_MAX];
	int n = mp_ad_put(MP_AD_PB_ADV, pdu, len, ad, sizeof(ad)), r;

	if (n <= 0)
		return;
	r = mp_hci_adv_send(d->hci, MPDEV_KEY_LINK, ad, (size_t)n, NULL, NULL);
	if (r < 0)
		mpdev_log(d, "PB-ADV PDU not queued: %s", strerror(-r));
}

static uint32_t link_random(void *user)
{
	uint32_t v = 0;

	mp_random((uint8_t *)&v, sizeof(v));
	return v;
}

static const struct mp_pbadv_ops link_ops = { link_tx, link_timer, link_random };

static void proto_timer_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->proto_timer = 0;
	/* No progress for 60 s: give up and close, so that the device listens
	 * again even if the provisioner vanished. MshPRT v1.1 5.4.4 */
	mpdev_say(d, "LINK TIMEOUT");
	if (d->cur.ops)
		mp_bearer_close(&d->cur, MP_LINK_CLOSE_TIMEOUT);
}

static void proto_timer_set(struct mpdev *d, bool arm)
{
	mp_loop_timer_set(d->loop, &d->proto_timer, arm ? PROTOCOL_TIMEOUT_MS : 0,
			  proto_timer_fired, d);
}

void mpdev_bearer_opened(struct mpdev *d, const char *name, struct mp_bearer b)
{
	if (d->cur.ops) {
		/* The device is busy on the other bearer: one at a time. */
		mpdev_say(d, "%s OPEN refused: busy on %s", name, d->bearer_name);
		mp_bearer_close(&b, MP_LINK_CLOSE_FAIL);
		return;
	}
	d->cur = b;
	mp_sendq_attach(&d->txq, b);
	d->bearer_name = name;
	proto_timer_set(d, true);
}

void mpdev_bearer_rx(struct mpdev *d, const uint8_t *pdu, size_t len)
{
	mpdev_log(d, "rx %s (%zu octets)", mp_prov_pdu_name(pdu[0] & 0x3f), len);
	proto_timer_set(d, true);
	mp_sim_device_rx(d->dev, pdu, len);
}

void mpdev_bearer_delivered(struct mpdev *d)
{
	mp_sendq_delivered(&d->txq);	/* a refused PDU is lost */
}

bool mpdev_bearer_closed(struct mpdev *d, void *link)
{
	if (d->cur.link != link)
		return d->finished;	/* not the one the device was using */
	d->cur.ops = NULL;
	d->cur.link = NULL;
	mp_sendq_close(&d->txq);
	proto_timer_set(d, false);
	if (d->attempt_done) {
		d->end = "link-closed";
		mp_loop_timer_set(d->loop, &d->grace_timer, 0, grace_over, d);
		grace_over(d->loop, 0, d);
		return true;
	}
	/* Not provisioned: a fresh attempt may come, with a fresh key. */
	mp_sim_device_reset(d->dev);
	return false;
}

static void link_opened(void *owner)
{
	struct mpdev *d = owner;

	mpdev_say(d, "LINK OPEN 0x%08x", mp_pbadv_link_id(d->link));
	mpdev_bearer_opened(d, "pb-adv", mp_pbadv_bearer(d->link));
}

static void link_rx(void *owner, const uint8_t *pdu, size_t len)
{
	mpdev_bearer_rx(owner, pdu, len);
}

static void link_delivered(void *owner)
{
	mpdev_bearer_delivered(owner);
}

static void link_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct mpdev *d = owner;

	mpdev_say(d, "LINK CLOSED reason=%u remote=%d%s", reason, remote,
		  err == -ETIMEDOUT ? " (timeout)" : "");
	if (!mpdev_bearer_closed(d, d->link))
		mp_pbadv_listen(d->link);
}

static const struct mp_bearer_cb link_cb = {
	link_opened, link_rx, link_delivered, link_closed,
};

/* ---- beacons ---- */

static void beacon_sent(void *data, int status)
{
	struct mpdev *d = data;

	d->beacon_queued = false;
	if (status)
		mpdev_log(d, "beacon burst: status %d", status);
}

static void beacon_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;
	/* Unprovisioned Device beacon: AD type 0x2B, beacon type 0x00, UUID,
	 * OOB Information (big-endian). MshPRT v1.1 3.10.2 */
	uint8_t ad[21] = { 20, MP_AD_MESH_BEACON, MP_BEACON_UNPROVISIONED };

	d->beacon_timer = 0;
	if (d->finished || d->attempt_done)
		return;
	/* Quiet while a link is open: the air is the link's. */
	if (mp_pbadv_state(d->link) == MP_PBADV_LISTENING && !d->beacon_queued) {
		memcpy(ad + 3, d->uuid, 16);
		ad[19] = (uint8_t)(d->oob_info >> 8);
		ad[20] = (uint8_t)d->oob_info;
		if (mp_hci_adv_send(d->hci, MPDEV_KEY_BEACON, ad, sizeof(ad), beacon_sent, d) == 0)
			d->beacon_queued = true;
	}
	d->beacon_timer = mp_loop_timer_add(loop, d->beacon_ms, beacon_cb, d);
}

/* ---- the controller ---- */

static int provisionee_start(struct mpdev *d)
{
	struct mp_sim_device_config dc = { 0 };
	struct mp_pbadv_config lc = { .role = MP_PBADV_DEVICE, .ops = &link_ops,
				      .cb = &link_cb, .user = d };
	int r;

	memcpy(dc.uuid, d->uuid, 16);
	dc.caps = d->caps;
	if (d->static_len) {
		dc.static_oob = d->static_oob;
		dc.static_oob_len = d->static_len;
	}
	dc.cb.send = dev_send;
	dc.cb.output_oob = dev_output;
	dc.cb.input_oob = dev_input;
	dc.cb.done = dev_done;
	dc.cb.user = d;
	r = mp_sim_device_new(&dc, &d->dev);
	if (r)
		return r;
	if (d->no_pbadv)
		return 0;
	memcpy(lc.uuid, d->uuid, 16);
	d->link = mp_pbadv_new(&lc);
	if (!d->link)
		return -errno;
	r = mp_pbadv_listen(d->link);
	if (r)
		return r;
	d->beacon_timer = mp_loop_timer_add(d->loop, 0, beacon_cb, d);
	return d->beacon_timer < 0 ? -ENOMEM : 0;
}

static void h_ready(void *data, int status)
{
	struct mpdev *d = data;
	char msg[512], addr[18], uuid[33];
	int r;

	if (status) {
		mp_hci_hint(status, d->index, NULL, msg, sizeof(msg));
		fprintf(stderr, "mpdev: hci%d: %s\n", d->index, msg);
		mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
		return;
	}
	mpdev_say(d, "READY hci%d %s %s uuid=%s", d->index,
		  mpdev_addr_str(mp_hci_bdaddr(d->hci), addr),
		  mp_hci_extended(d->hci) ? "extended" : "legacy",
		  mp_hex_encode(d->uuid, 16, uuid));
	if (d->probe) {
		r = mpdev_probe_start(d);
		if (r < 0)
			mpdev_finish(d, MPDEV_EXIT_FAILED, "failed", strerror(-r));
		return;
	}
	r = provisionee_start(d);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot start the device: %s", strerror(-r));
		mpdev_finish(d, MPDEV_EXIT_FAILED, "error", msg);
		return;
	}
	if (d->gatt) {
		r = mpdev_gatt_start(d);
		if (r < 0) {
			mp_l2cap_hint(r, d->index, msg, sizeof(msg));
			mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
		}
	}
}

static void h_report(void *data, const struct mp_hci_adv_report *r)
{
	struct mpdev *d = data;
	struct mp_ad_iter it;
	struct mp_ad ad;

	if (d->finished)
		return;
	if (d->probe) {
		mpdev_probe_report(d, r);
		return;
	}
	if (!r->complete)
		return;
	if (d->nodeside) {
		mp_ad_iter_init(&it, r->data, r->data_len);
		while (mp_ad_next(&it, &ad) == 1)
			if (ad.type == MP_AD_MESH_MESSAGE)
				mpdev_node_rx(d, ad.data, ad.len);
		return;
	}
	if (!d->link)
		return;
	mp_ad_iter_init(&it, r->data, r->data_len);
	while (mp_ad_next(&it, &ad) == 1)
		if (ad.type == MP_AD_PB_ADV)
			mp_pbadv_rx(d->link, ad.data, ad.len);
}

static void h_gone(void *data, int err)
{
	struct mpdev *d = data;
	char msg[512];

	mp_hci_hint(err, d->index, NULL, msg, sizeof(msg));
	fprintf(stderr, "mpdev: hci%d: %s\n", d->index, msg);
	mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
}

static const struct mp_hci_ops hci_ops = { h_ready, h_report, h_gone, NULL };
/* --gatt-fault drop-after needs the connection's handle */
static const struct mp_hci_ops hci_ops_trace = { h_ready, h_report, h_gone, mpdev_gatt_trace };

static void on_deadline(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->deadline_timer = 0;
	mpdev_say(d, "TIMEOUT");
	mpdev_finish(d, MPDEV_EXIT_FAILED, "timeout", "no result within --timeout");
}

static void on_signal(struct mp_loop *loop, int signo, void *data)
{
	mpdev_finish(data, MPDEV_EXIT_FAILED, "interrupted", strsignal(signo));
}

/* ---- options ---- */

static void usage(void)
{
	fputs("usage: mpdev --hci N --uuid HEX [--static HEX]\n"
	      "             [--output ACTIONS [--output-size N]]\n"
	      "             [--input ACTIONS [--input-size N]] [--alg cmac,hmac] [--elements N]\n"
	      "             [--oob-info HEX] [--oob-file FILE] [--result FILE] [--timeout S]\n"
	      "             [--beacon-ms MS] [--le auto|legacy|extended]\n"
	      "             [--gatt [--gatt-once] [--no-pbadv] [--gatt-readv MS]\n"
	      "                     [--gatt-fault SPEC]] [--node S] [-v]\n"
	      "       mpdev --hci N --gatt-probe ADDR [public|random] [--probe-adv]\n"
	      "             [--gatt-provision [--static HEX] [--address ADDR]]\n"
	      "             [--le auto|legacy|extended] [--settle MS] [--result FILE]\n"
	      "             [--timeout S] [-v]\n"
	      "output actions: blink,beep,vibrate,numeric,alphanumeric;\n"
	      "input actions: push,twist,numeric,alphanumeric\n"
	      "GATT faults: drop-after:N, no-cccd, cccd-error[:CODE], cccd-silent, big-notify,\n"
	      "             att-error[:CODE] (CODE: an ATT error code, hex)\n", stderr);
	exit(MPDEV_EXIT_USAGE);
}

static void bad(const char *what, const char *arg)
{
	fprintf(stderr, "mpdev: bad %s: %s\n", what, arg);
	usage();
}

static unsigned long num(const char *what, const char *arg, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || v > max)
		bad(what, arg);
	return v;
}

/* "blink,numeric" against the names of one action table: a bit mask. */
static uint16_t actions(const char *what, const char *arg, const char *(*name)(unsigned int),
			unsigned int n)
{
	char buf[128], *save = NULL, *w;
	uint16_t mask = 0;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n && strcasecmp(w, name(i)); i++)
			;
		if (i == n)
			bad(what, w);
		mask |= (uint16_t)(1u << i);
	}
	if (!mask)
		bad(what, arg);
	return mask;
}

/* Default size: 1 for counting actions only, else 6 digits or characters. */
static uint8_t default_size(uint16_t mask, uint16_t counting)
{
	return (mask & ~counting) ? 6 : 1;
}

static int parse_addr(const char *s, uint8_t out[6])
{
	uint8_t be[6];
	int i;

	if (strlen(s) != 17 || mp_hex_decode(s, be, sizeof(be)) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		out[i] = be[5 - i];
	return 0;
}

enum {
	OPT_STATIC = 256, OPT_OUTPUT, OPT_OUTPUT_SIZE, OPT_INPUT, OPT_INPUT_SIZE, OPT_ALG,
	OPT_ELEMENTS, OPT_OOB_INFO, OPT_OOB_FILE, OPT_RESULT, OPT_BEACON_MS, OPT_LE, OPT_GATT,
	OPT_GATT_ONCE, OPT_NO_PBADV, OPT_PROBE, OPT_PROBE_ADV, OPT_SETTLE, OPT_GATT_PROVISION,
	OPT_ADDRESS, OPT_GATT_READV, OPT_GATT_FAULT, OPT_NODE,
};

static const struct option long_opts[] = {
	{ "hci", required_argument, NULL, 'i' },
	{ "uuid", required_argument, NULL, 'u' },
	{ "static", required_argument, NULL, OPT_STATIC },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "output-size", required_argument, NULL, OPT_OUTPUT_SIZE },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "input-size", required_argument, NULL, OPT_INPUT_SIZE },
	{ "alg", required_argument, NULL, OPT_ALG },
	{ "elements", required_argument, NULL, OPT_ELEMENTS },
	{ "oob-info", required_argument, NULL, OPT_OOB_INFO },
	{ "oob-file", required_argument, NULL, OPT_OOB_FILE },
	{ "result", required_argument, NULL, OPT_RESULT },
	{ "timeout", required_argument, NULL, 't' },
	{ "beacon-ms", required_argument, NULL, OPT_BEACON_MS },
	{ "le", required_argument, NULL, OPT_LE },
	{ "gatt", no_argument, NULL, OPT_GATT },
	{ "gatt-once", no_argument, NULL, OPT_GATT_ONCE },
	{ "gatt-readv", required_argument, NULL, OPT_GATT_READV },
	{ "gatt-fault", required_argument, NULL, OPT_GATT_FAULT },
	{ "no-pbadv", no_argument, NULL, OPT_NO_PBADV },
	{ "gatt-probe", required_argument, NULL, OPT_PROBE },
	{ "probe-adv", no_argument, NULL, OPT_PROBE_ADV },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "gatt-provision", no_argument, NULL, OPT_GATT_PROVISION },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_options(struct mpdev *d, int argc, char **argv)
{
	bool has_uuid = false, out_size = false, in_size = false, le_given = false;
	const char *a;
	ssize_t n;
	int c;

	d->index = 0;
	d->caps.elements = 1;
	d->caps.algorithms = MP_ALG_BIT_CMAC | MP_ALG_BIT_HMAC;
	d->beacon_ms = DEFAULT_BEACON_MS;
	d->settle_ms = DEFAULT_SETTLE_MS;
	d->readv_ms = DEFAULT_READV_MS;
	while ((c = getopt_long(argc, argv, "i:u:t:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			a = strncmp(optarg, "hci", 3) ? optarg : optarg + 3;
			d->index = (int)num("controller", a, 255);
			break;
		case 'u':
			if (mp_hex_decode(optarg, d->uuid, 16) != 16)
				bad("UUID (32 hex digits)", optarg);
			has_uuid = true;
			break;
		case OPT_STATIC:
			n = mp_hex_decode(optarg, d->static_oob, sizeof(d->static_oob));
			if (n <= 0)
				bad("static OOB (1 to 32 octets of hex)", optarg);
			d->static_len = (size_t)n;
			d->caps.oob_type |= MP_OOB_TYPE_STATIC;
			break;
		case OPT_OUTPUT:
			d->caps.output_actions = actions("output action", optarg,
							 mp_output_action_name, MP_OUTPUT_ACTIONS);
			break;
		case OPT_OUTPUT_SIZE:
			d->caps.output_size = (uint8_t)num("output size", optarg, MP_OOB_SIZE_MAX);
			out_size = true;
			break;
		case OPT_INPUT:
			d->caps.input_actions = actions("input action", optarg,
							mp_input_action_name, MP_INPUT_ACTIONS);
			break;
		case OPT_INPUT_SIZE:
			d->caps.input_size = (uint8_t)num("input size", optarg, MP_OOB_SIZE_MAX);
			in_size = true;
			break;
		case OPT_ALG:
			d->caps.algorithms = 0;
			if (strstr(optarg, "cmac"))
				d->caps.algorithms |= MP_ALG_BIT_CMAC;
			if (strstr(optarg, "hmac"))
				d->caps.algorithms |= MP_ALG_BIT_HMAC;
			if (!d->caps.algorithms)
				bad("algorithm list", optarg);
			break;
		case OPT_ELEMENTS:
			d->caps.elements = (uint8_t)num("element count", optarg, 255);
			break;
		case OPT_OOB_INFO:
			d->oob_info = (uint16_t)num("OOB information", optarg, 0xffff);
			break;
		case OPT_OOB_FILE:
			d->oob_file = optarg;
			break;
		case OPT_RESULT:
			d->result_path = optarg;
			break;
		case 't':
			d->timeout_s = (uint32_t)num("timeout", optarg, 86400);
			break;
		case OPT_BEACON_MS:
			d->beacon_ms = (uint32_t)num("beacon interval", optarg, 60000);
			if (d->beacon_ms < 20)
				bad("beacon interval (20 ms at least)", optarg);
			break;
		case OPT_LE:
			le_given = true;
			if (!strcmp(optarg, "auto"))
				d->le_mode = MP_HCI_LE_AUTO;
			else if (!strcmp(optarg, "legacy"))
				d->le_mode = MP_HCI_LE_LEGACY;
			else if (!strcmp(optarg, "extended"))
				d->le_mode = MP_HCI_LE_EXTENDED;
			else
				bad("--le", optarg);
			break;
		case OPT_GATT:
			d->gatt = true;
			break;
		case OPT_GATT_ONCE:
			d->gatt_once = true;
			break;
		case OPT_GATT_READV:
			d->readv_ms = (uint32_t)num("re-enable interval", optarg, 600000);
			break;
		case OPT_NO_PBADV:
			d->no_pbadv = true;
			break;
		case OPT_GATT_FAULT:
			if (mpdev_fault_parse(d, optarg) < 0)
				bad("GATT fault", optarg);
			break;
		case OPT_PROBE:
			d->probe = true;
			if (parse_addr(optarg, d->probe_addr))
				bad("address (AA:BB:CC:DD:EE:FF)", optarg);
			break;
		case OPT_PROBE_ADV:
			d->probe_adv = true;
			break;
		case OPT_GATT_PROVISION:
			d->gatt_provision = true;
			break;
		case OPT_NODE:
			d->node_s = (uint32_t)num("node time", optarg, 86400);
			break;
		case OPT_ADDRESS:
			d->paddress = (uint16_t)num("unicast address", optarg, 0x7fff);
			if (!d->paddress)
				bad("unicast address", optarg);
			break;
		case OPT_SETTLE:
			d->settle_ms = (uint32_t)num("settle time", optarg, 600000);
			break;
		case 'v':
			d->verbose = true;
			break;
		default:
			usage();
		}
	}
	/* --gatt-probe ADDR [public|random] */
	if (d->probe && optind < argc) {
		if (!strcmp(argv[optind], "random"))
			d->probe_type = MP_L2CAP_ADDR_RANDOM;
		else if (strcmp(argv[optind], "public"))
			bad("address type (public or random)", argv[optind]);
		optind++;
	}
	if (optind < argc)
		bad("argument", argv[optind]);
	if (d->probe) {
		if (d->gatt || has_uuid)
			bad("combination", "--gatt-probe is the client: no --gatt nor --uuid");
		if (d->static_len > 16 && d->static_len != 32)
			bad("static OOB for the provisioner", "16 or 32 octets");
		/* a UUID for the dummy beacons of --probe-adv */
		mp_random(d->uuid, sizeof(d->uuid));
		return;
	}
	if (!has_uuid)
		bad("command line", "--uuid is required");
	if (d->gatt_provision || d->paddress)
		bad("combination", "--gatt-provision and --address go with --gatt-probe");
	if (d->caps.output_actions && !out_size)
		d->caps.output_size = default_size(d->caps.output_actions, 0x07);
	if (d->caps.input_actions && !in_size)
		d->caps.input_size = default_size(d->caps.input_actions, 0x03);
	if ((d->caps.output_size && !d->caps.output_actions) ||
	    (d->caps.input_size && !d->caps.input_actions))
		bad("command line", "a size without actions");
	if (mp_prov_caps_check(&d->caps) != MP_PROV_OK)
		bad("capabilities", "rejected by mp_prov_caps_check");
	if (d->no_pbadv && !d->gatt)
		bad("command line", "--no-pbadv leaves no bearer without --gatt");
	if (d->fault && !d->gatt)
		bad("command line", "--gatt-fault needs --gatt");
	/* Everything on one controller in one command family: the connectable
	 * set is made with the extended commands (btvirt connects the kernel's
	 * LE Extended Create Connection only to such a set). */
	if (d->gatt && !le_given)
		d->le_mode = MP_HCI_LE_EXTENDED;
}

int main(int argc, char **argv)
{
	struct mpdev d = { .exit_code = MPDEV_EXIT_FAILED, .conn_handle = -1 };
	struct mp_hci_config cfg = { 0 };
	char msg[512];
	int r;

	parse_options(&d, argc, argv);
	if (mp_loop_new(&d.loop) < 0) {
		fprintf(stderr, "mpdev: out of memory\n");
		return MPDEV_EXIT_FAILED;
	}
	d.status = "error";
	mp_timer_slots_init(&d.link_slots, d.loop, MP_PBADV_TIMERS, link_timer_fired, &d);
	mp_sendq_init(&d.txq, 4);
	mpdev_gatt_init(&d);
	mpdev_gprov_init(&d);
	mp_loop_signal_add(d.loop, SIGINT, on_signal, &d);
	mp_loop_signal_add(d.loop, SIGTERM, on_signal, &d);
	if (d.oob_file)
		unlink(d.oob_file);	/* a value left from an earlier run is not ours */
	if (!d.probe && !d.oob_file) {
		int fl = fcntl(0, F_GETFL);

		if (fl >= 0 && fcntl(0, F_SETFL, fl | O_NONBLOCK) == 0 &&
		    mp_loop_watch_add(d.loop, 0, MP_LOOP_READ, on_stdin, &d) == 0)
			d.stdin_open = true;
	}
	if (d.timeout_s)
		d.deadline_timer = mp_loop_timer_add(d.loop, (uint64_t)d.timeout_s * 1000,
						     on_deadline, &d);
	cfg.mode = d.le_mode;
	/* The kernel treats advertising set 0 as its own instance 0 (after
	 * LE Set Extended Advertising Parameters for it, it may rewrite its
	 * data): with --gatt, keep the PB-ADV bursts off it too. */
	cfg.adv_handle = d.gatt ? MPDEV_PBADV_ADV_HANDLE : 0;
	r = mp_hci_open(d.loop, d.index, &cfg, d.fault ? &hci_ops_trace : &hci_ops, &d, &d.hci);
	if (r < 0) {
		mp_hci_hint(r, d.index, NULL, msg, sizeof(msg));
		fprintf(stderr, "mpdev: hci%d: %s\n", d.index, msg);
		mpdev_finish(&d, MPDEV_EXIT_CONTROLLER, "error", msg);
	} else {
		mp_loop_run(d.loop);
	}

	mpdev_node_free(&d);
	mpdev_gprov_free(&d);
	mpdev_gatt_stop(&d);
	mp_pbadv_free(d.link);
	mp_sim_device_free(d.dev);
	mp_hci_close(d.hci);
	mp_timer_slots_cancel_all(&d.link_slots);
	mp_sendq_close(&d.txq);
	mp_loop_free(d.loop);
	return d.exit_code;
}
