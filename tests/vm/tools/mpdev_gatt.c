/*
 * mpdev's GATT side: PB-GATT on the real kernel (MshPRT v1.1 5.2.2, 7.1).
 *
 * Device (--gatt): connectable advertising of the Mesh Provisioning Service
 * on its own advertising set (MPDEV_GATT_ADV_HANDLE; mp_hci's PB-ADV bursts
 * keep set 0) through the extended advertising commands, with a legacy
 * ADV_IND PDU: Flags, the 16-bit Service UUID 0x1827 and its Service Data
 * (Device UUID, OOB Information; MshPRT v1.1 7.1.2.2.1). The ATT channel
 * listens through a kernel L2CAP socket (hci/l2cap.h); each connection gets
 * the project's GATT server (gatt/server.h) and a PB-GATT link
 * (bearer/pbgatt.h) that carries the same simulated device as PB-ADV. After
 * a connection ends, advertising and listening start again (the controller
 * ends a connectable set when it is connected).
 *
 * Lines: GATT ADVERTISING ... | GATT CONNECTED peer=... | ATT MTU n |
 * PB-GATT OPEN | GATT DISCONNECTED err=... | GATT FAULT <spec> <what>
 *
 * --gatt-fault SPEC: a device that misbehaves, for the provisioner's error
 * paths. The GATT server stays the project's, correct one: the faults are
 * made here, on the PDUs going into mp_gatt_server_rx() and coming out of
 * its tx(), and on the notifications PB-GATT asks for.
 *   drop-after:N   after the Nth Write Command to Data In on a connection,
 *                  fall silent at once (nothing more is read or sent, as
 *                  from a device that lost power, so the provisioner's
 *                  phase at the drop does not depend on how fast the
 *                  disconnection goes through) and disconnect (HCI
 *                  Disconnect on the raw socket, Remote User Terminated;
 *                  0: as soon as connected);
 *   no-cccd        Data Out has no Client Characteristic Configuration
 *                  descriptor: requests over a range that holds it see the
 *                  range end before it (the service group ends at 0x0005),
 *                  requests for its handle get Invalid Handle;
 *   cccd-error[:C] the Write Request to the CCCD gets an Error Response with
 *                  code C (hex; default 0x03 Write Not Permitted);
 *   cccd-silent    the Write Request to the CCCD is never answered;
 *   big-notify     the first notification PB-GATT sends (Provisioning
 *                  Capabilities) goes out padded to ATT_MTU - 2 octets of
 *                  value: a PDU one octet longer than ATT_MTU;
 *   att-error[:C]  every discovery request (Find Information, Find By Type
 *                  Value, Read By Type, Read By Group Type) gets an Error
 *                  Response with code C for its starting handle (default
 *                  0x0e Unlikely Error).
 * Once the fault was applied (GATT FAULT ... line) and that connection is
 * over, the device ends: status failed, reason "GATT fault ... applied";
 * the result has "fault" and "fault_applied".
 *
 * Probe (--gatt-probe ADDR TYPE): the client, on a controller that also
 * scans from a raw HCI socket (mp_hci), to find out what the kernel does to
 * that scan when it connects. Phases, each counting the advertising reports
 * the raw socket gets (all, and from ADDR):
 *   before   --settle ms of our scan alone;
 *   link     the kernel connects (its own passive scan for ADDR, then LE
 *            (Extended) Create Connection), then the project's GATT client
 *            runs: MTU exchange, discovery of the Mesh Provisioning
 *            Service, notifications enabled (gatt/client.h); then we close;
 *   after    --settle ms once the connection is closed;
 *   rescan   our scan restarted whole (disable, parameters, enable), then
 *            --settle ms.
 * Lines: PROBE CONNECTING | PROBE CONNECTED | PROBE MTU n | PROBE GATT READY
 * ... | PROBE ... FAILED ... | SCAN before=N/N link=N/N after=N/N
 * rescan=N/N (all/from ADDR) scanning=yes|no. Exit 0 when the GATT client
 * got ready.
 */
#include "mpdev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hex.h"
#include "adv/adv.h"

/* Connectable advertising every 100 ms (units of 0.625 ms). */
#define GATT_ADV_INTERVAL	0x00a0
/* Our scan, as mp_hci sets it: 30 ms interval = window. */
#define SCAN_INTERVAL		0x0030
#define PROBE_ADV_MS		250
/* After the kernel's own scan commands that follow a connection event. */
#define RESCAN_DELAY_MS		300

enum probe_phase { PH_BEFORE, PH_LINK, PH_AFTER, PH_RESCAN, PH_N };
static const char *const phase_names[PH_N] = { "before", "link", "after", "rescan" };

/* ---- HCI commands in a row ---- */

static void chain_next(struct mpdev *d);

static void chain_cb(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mpdev *d = data;
	struct mpdev_chain *c = &d->chain;
	const struct mpdev_cmd *cmd = &c->cmd[c->i];

	c->status[c->i] = status;
	if (status && (!cmd->any_status || status < 0)) {
		c->busy = false;
		c->done(d, status, cmd->opcode);
		return;
	}
	c->i++;
	chain_next(d);
}

static void chain_next(struct mpdev *d)
{
	struct mpdev_chain *c = &d->chain;
	int r;

	if (c->i == c->n) {
		c->busy = false;
		c->done(d, 0, 0);
		return;
	}
	r = mp_hci_send_cmd(d->hci, c->cmd[c->i].opcode, c->cmd[c->i].params, c->cmd[c->i].len,
			    chain_cb, d);
	if (r < 0) {
		c->busy = false;
		c->done(d, r, c->cmd[c->i].opcode);
	}
}

static struct mpdev_cmd *chain_add(struct mpdev_chain *c, uint16_t op, bool any_status,
				   struct mp_writer *w)
{
	struct mpdev_cmd *cmd = &c->cmd[c->n++];

	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = op;
	cmd->any_status = any_status;
	mp_writer_init(w, cmd->params, sizeof(cmd->params));
	return cmd;
}

static int chain_run(struct mpdev *d, void (*done)(struct mpdev *d, int status, uint16_t op))
{
	struct mpdev_chain *c = &d->chain;

	c->busy = true;
	c->i = 0;
	c->done = done;
	chain_next(d);
	return 0;
}

static char *status_str(int status, char *buf, size_t len)
{
	return mp_hci_status_str(status, buf, len);
}

/* Our scan again, whole: whatever parameters the kernel left (its own
 * passive scan may filter on its accept list) are replaced. */
static void rescan(struct mpdev *d, void (*done)(struct mpdev *d, int status, uint16_t op))
{
	struct mpdev_chain *c = &d->chain;
	struct mpdev_cmd *cmd;
	struct mp_writer w;
	bool ext = mp_hci_extended(d->hci);

	c->n = 0;
	memset(c->status, 0, sizeof(c->status));
	cmd = chain_add(c, ext ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE : MP_HCI_OP_LE_SET_SCAN_ENABLE, true, &w);
	mp_put_u8(&w, 0x00);
	mp_put_u8(&w, 0x00);
	if (ext) {
		mp_put_le16(&w, 0);
		mp_put_le16(&w, 0);
	}
	cmd->len = (uint8_t)w.len;
	cmd = chain_add(c, ext ? MP_HCI_OP_LE_SET_EXT_SCAN_PARAMS : MP_HCI_OP_LE_SET_SCAN_PARAMS, true, &w);
	if (ext) {				/* Core v5.4 7.8.64 */
		mp_put_u8(&w, 0x00);		/* own address: public */
		mp_put_u8(&w, 0x00);		/* accept all */
		mp_put_u8(&w, 0x01);		/* LE 1M */
		mp_put_u8(&w, 0x00);		/* passive */
		mp_put_le16(&w, SCAN_INTERVAL);
		mp_put_le16(&w, SCAN_INTERVAL);
	} else {				/* Core v5.4 7.8.10 */
		mp_put_u8(&w, 0x00);		/* passive */
		mp_put_le16(&w, SCAN_INTERVAL);
		mp_put_le16(&w, SCAN_INTERVAL);
		mp_put_u8(&w, 0x00);		/* own address: public */
		mp_put_u8(&w, 0x00);		/* accept all */
	}
	cmd->len = (uint8_t)w.len;
	cmd = chain_add(c, ext ? MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE : MP_HCI_OP_LE_SET_SCAN_ENABLE, true, &w);
	mp_put_u8(&w, 0x01);
	mp_put_u8(&w, 0x00);			/* no duplicate filtering */
	if (ext) {
		mp_put_le16(&w, 0);
		mp_put_le16(&w, 0);
	}
	cmd->len = (uint8_t)w.len;
	chain_run(d, done);
}

/* ==== device: connectable advertising ==== */

static void gatt_listen(struct mpdev *d);

static void readv_cb(struct mp_loop *loop, int64_t id, void *data);
static void adv_start(struct mpdev *d);
static void chain_pending(struct mpdev *d);

static void dev_rescan_done(struct mpdev *d, int status, uint16_t op)
{
	char st[96];

	mpdev_log(d, "scan restarted%s%s", status ? ": " : "",
		  status ? status_str(status, st, sizeof(st)) : "");
	chain_pending(d);
}

/* The kernel switches scanning off when an LE connection completes, in
 * either role, whoever had switched it on, and leaves it off (see
 * hci/l2cap.h): our PB-ADV side would hear nothing more. Start it again,
 * whole, once the connection is up and once it is gone. */
static void dev_rescan(struct mpdev *d)
{
	if (d->finished)
		return;
	if (d->chain.busy) {
		d->rescan_pending = true;
		return;
	}
	rescan(d, dev_rescan_done);
}

static void dev_rescan_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->rescan_timer = 0;
	dev_rescan(d);
}

/* What waited for the chain in flight. */
static void chain_pending(struct mpdev *d)
{
	if (d->chain.busy)
		return;
	if (d->adv_pending) {
		d->adv_pending = false;
		adv_start(d);
	} else if (d->rescan_pending) {
		d->rescan_pending = false;
		dev_rescan(d);
	}
}

static void readv_done(struct mpdev *d, int status, uint16_t op)
{
	char st[96];

	if (status)
		mpdev_log(d, "re-enable 0x%04x: %s", op, status_str(status, st, sizeof(st)));
	chain_pending(d);
}

/* Disable and enable the set again, now and then. btvirt reports another
 * device's extended advertising set to a legacy scanner only when the set
 * gets enabled, never when the scanner starts: a provisioner that starts
 * scanning later would never hear us. Harmless on a real radio. */
static void readv_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;
	struct mpdev_chain *c = &d->chain;
	struct mpdev_cmd *cmd;
	struct mp_writer w;
	int i;

	d->readv_timer = 0;
	if (d->finished)
		return;
	if (d->gatt_adv_on && !c->busy && (!d->att || mp_l2cap_state(d->att) ==
					   MP_L2CAP_LISTENING)) {
		c->n = 0;
		for (i = 0; i < 2; i++) {
			cmd = chain_add(c, MP_HCI_OP_LE_SET_EXT_ADV_ENABLE, i == 0, &w);
			mp_put_u8(&w, (uint8_t)i);
			mp_put_u8(&w, 1);
			mp_put_u8(&w, MPDEV_GATT_ADV_HANDLE);
			mp_put_le16(&w, 0);
			mp_put_u8(&w, 0);
			cmd->len = (uint8_t)w.len;
		}
		chain_run(d, readv_done);
	}
	d->readv_timer = mp_loop_timer_add(loop, d->readv_ms, readv_cb, d);
}

static void adv_done(struct mpdev *d, int status, uint16_t op)
{
	char st[96], addr[18], msg[200];

	if (status) {
		snprintf(msg, sizeof(msg), "connectable advertising: command 0x%04x: %s", op,
			 status_str(status, st, sizeof(st)));
		mpdev_say(d, "GATT ADV FAILED %s", msg);
		mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
		return;
	}
	d->gatt_adv_on = true;
	mpdev_say(d, "GATT ADVERTISING handle=%u addr=%s type=public", MPDEV_GATT_ADV_HANDLE,
		  mpdev_addr_str(mp_hci_bdaddr(d->hci), addr));
	if (d->readv_ms && !d->readv_timer)
		d->readv_timer = mp_loop_timer_add(d->loop, d->readv_ms, readv_cb, d);
	chain_pending(d);
}

/* Flags, 16-bit Service UUIDs, Service Data: 3 + 4 + 22 = 29 octets. */
static size_t proxy_adv_data(struct mpdev *d, uint8_t *out, size_t cap);

static size_t service_adv_data(struct mpdev *d, uint8_t *out, size_t cap)
{
	uint8_t flags = 0x06;	/* LE General Discoverable, BR/EDR Not Supported */
	uint8_t uuids[2] = { MP_UUID16_MESH_PROV & 0xff, MP_UUID16_MESH_PROV >> 8 };
	uint8_t sd[20];
	size_t off = 0;
	int n;

	/* Service Data: the service UUID (LE), Device UUID, OOB Information.
	 * OOB Information is written least significant octet first, as in
	 * the specification's sample (MshPRT v1.1 8.5.1) and as
	 * mp_adv_prov_service_decode() reads it. */
	if (d->proxy)
		return proxy_adv_data(d, out, cap);
	mp_store_le16(sd, MP_UUID16_MESH_PROV);
	memcpy(sd + 2, d->uuid, 16);
	mp_store_le16(sd + 18, d->oob_info);
	n = mp_ad_put(MP_AD_FLAGS, &flags, 1, out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	n = mp_ad_put(MP_AD_UUID16_ALL, uuids, 2, out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	n = mp_ad_put(MP_AD_SERVICE_DATA16, sd, sizeof(sd), out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	return off;
}

/* A node's: Flags, the Mesh Proxy Service UUID, its Service Data with the
 * Network ID (MshPRT v1.1 7.2.2.2.2). */
static size_t proxy_adv_data(struct mpdev *d, uint8_t *out, size_t cap)
{
	uint8_t flags = 0x06;
	uint8_t uuids[2] = { 0x28, 0x18 };
	uint8_t sd[11] = { 0x28, 0x18, 0x00 };
	size_t off = 0;
	int n;

	if (mpdev_node_network_id(d, sd + 3) < 0)
		return 0;
	n = mp_ad_put(MP_AD_FLAGS, &flags, 1, out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	n = mp_ad_put(MP_AD_UUID16_ALL, uuids, 2, out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	n = mp_ad_put(MP_AD_SERVICE_DATA16, sd, sizeof(sd), out + off, cap - off);
	off += n > 0 ? (size_t)n : 0;
	return off;
}

static void adv_start(struct mpdev *d)
{
	struct mpdev_chain *c = &d->chain;
	struct mpdev_cmd *cmd;
	struct mp_writer w;
	uint8_t ad[MP_AD_LEGACY_MAX];
	size_t adlen;

	if (d->finished)
		return;
	if (c->busy) {
		d->adv_pending = true;	/* after the re-enable in flight */
		return;
	}
	c->n = 0;
	/* Off first: parameters cannot change while the set advertises.
	 * Core v5.4 7.8.56; refused when it is off, which is fine. */
	cmd = chain_add(c, MP_HCI_OP_LE_SET_EXT_ADV_ENABLE, true, &w);
	mp_put_u8(&w, 0x00);
	mp_put_u8(&w, 1);
	mp_put_u8(&w, MPDEV_GATT_ADV_HANDLE);
	mp_put_le16(&w, 0);
	mp_put_u8(&w, 0);
	cmd->len = (uint8_t)w.len;
	/* Core v5.4 7.8.53: legacy ADV_IND (connectable, scannable). */
	cmd = chain_add(c, MP_HCI_OP_LE_SET_EXT_ADV_PARAMS, false, &w);
	mp_hci_put_ext_adv_params(&w, MPDEV_GATT_ADV_HANDLE, MP_HCI_ADV_PROP_CONNECTABLE |
				  MP_HCI_ADV_PROP_SCANNABLE | MP_HCI_ADV_PROP_LEGACY,
				  GATT_ADV_INTERVAL, MPDEV_GATT_ADV_HANDLE);
	cmd->len = (uint8_t)w.len;
	/* Core v5.4 7.8.54 */
	adlen = service_adv_data(d, ad, sizeof(ad));
	cmd = chain_add(c, MP_HCI_OP_LE_SET_EXT_ADV_DATA, false, &w);
	mp_put_u8(&w, MPDEV_GATT_ADV_HANDLE);
	mp_put_u8(&w, 0x03);			/* complete data */
	mp_put_u8(&w, 0x01);			/* do not fragment */
	mp_put_u8(&w, (uint8_t)adlen);
	mp_put_bytes(&w, ad, adlen);
	cmd->len = (uint8_t)w.len;
	/* Core v5.4 7.8.56: until a connection ends it */
	cmd = chain_add(c, MP_HCI_OP_LE_SET_EXT_ADV_ENABLE, false, &w);
	mp_put_u8(&w, 0x01);
	mp_put_u8(&w, 1);
	mp_put_u8(&w, MPDEV_GATT_ADV_HANDLE);
	mp_put_le16(&w, 0);			/* no duration */
	mp_put_u8(&w, 0);			/* no event limit */
	cmd->len = (uint8_t)w.len;
	chain_run(d, adv_done);
}

/* ==== device: --gatt-fault ==== */

#define HCI_REMOTE_USER_TERMINATED	0x13
/* LE Meta subevents (Core v5.4 Vol 4 Part E 7.7.65.1, 7.7.65.10) */
#define LE_CONN_COMPLETE		0x01
#define LE_ENH_CONN_COMPLETE		0x0a
#define ROLE_PERIPHERAL			0x01

static const struct {
	const char *name;
	enum mpdev_fault fault;
	bool arg;		/* takes ":N" */
	unsigned int def;	/* its default */
} faults[] = {
	{ "drop-after", MPDEV_FAULT_DROP_AFTER, true, 0 },
	{ "no-cccd", MPDEV_FAULT_NO_CCCD, false, 0 },
	{ "cccd-error", MPDEV_FAULT_CCCD_ERROR, true, MP_ATT_ERR_WRITE_NOT_PERMITTED },
	{ "cccd-silent", MPDEV_FAULT_CCCD_SILENT, false, 0 },
	{ "big-notify", MPDEV_FAULT_BIG_NOTIFY, false, 0 },
	{ "att-error", MPDEV_FAULT_ATT_ERROR, true, MP_ATT_ERR_UNLIKELY },
};

int mpdev_fault_parse(struct mpdev *d, const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long v;
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strlen(faults[i].name) != n || strncmp(spec, faults[i].name, n))
			continue;
		d->fault = faults[i].fault;
		d->fault_arg = faults[i].def;
		d->fault_spec = spec;
		if (!colon)
			/* drop-after needs its N */
			return faults[i].fault == MPDEV_FAULT_DROP_AFTER ? -EINVAL : 0;
		if (!faults[i].arg || !colon[1])
			return -EINVAL;
		errno = 0;
		v = strtoul(colon + 1, &end, faults[i].fault == MPDEV_FAULT_DROP_AFTER ? 10 : 16);
		if (errno || *end || v > (faults[i].fault == MPDEV_FAULT_DROP_AFTER ? 1000 : 0xff) ||
		    (faults[i].fault != MPDEV_FAULT_DROP_AFTER && v == 0))
			return -EINVAL;
		d->fault_arg = (unsigned int)v;
		return 0;
	}
	return -EINVAL;
}

static void fault_say(struct mpdev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fault_say(struct mpdev *d, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	d->fault_applied = true;
	mpdev_say(d, "GATT FAULT %s %s", d->fault_spec, what);
}

/* Our connection's handle, from the controller's events: the raw socket
 * sees them too (mp_hci's filter has LE Meta and Disconnection Complete). */
void mpdev_gatt_trace(void *data, bool tx, const uint8_t *pkt, size_t len)
{
	struct mpdev *d = data;

	if (tx || len < 3 || pkt[0] != 0x04)		/* an HCI event */
		return;
	if (pkt[1] == MP_HCI_EVT_LE_META && len >= 8 &&
	    (pkt[3] == LE_CONN_COMPLETE || pkt[3] == LE_ENH_CONN_COMPLETE) && pkt[4] == 0 &&
	    pkt[7] == ROLE_PERIPHERAL)
		d->conn_handle = mp_le16(pkt + 5) & 0x0fff;
	else if (pkt[1] == MP_HCI_EVT_DISCONN_COMPLETE && len >= 6 && pkt[3] == 0 &&
		 (int)(mp_le16(pkt + 4) & 0x0fff) == d->conn_handle)
		d->conn_handle = -1;
}

static void conn_end(struct mpdev *d, int err);

static void drop_sent(void *data, int status, const uint8_t *ret, size_t len)
{
	struct mpdev *d = data;
	char st[96];

	if (!status)
		return;		/* Disconnection Complete; then the socket's error */
	mpdev_say(d, "GATT FAULT HCI Disconnect refused (%s): closing the socket instead",
		  status_str(status, st, sizeof(st)));
	if (d->att)
		conn_end(d, 0);
}

/* drop-after: the connection goes, as from a device that lost power. */
static void fault_drop(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;
	uint8_t p[3];

	d->fault_timer = 0;
	if (!d->att)
		return;
	if (d->conn_handle < 0) {
		fault_say(d, "disconnecting after %u Data In writes (socket closed: "
			      "handle unknown)", d->fault_writes);
		conn_end(d, 0);
		return;
	}
	fault_say(d, "disconnecting handle %d after %u Data In writes", d->conn_handle,
		      d->fault_writes);
	mp_store_le16(p, (uint16_t)d->conn_handle);
	p[2] = HCI_REMOTE_USER_TERMINATED;
	if (mp_hci_send_cmd(d->hci, MP_HCI_OP_DISCONNECT, p, sizeof(p), drop_sent, d) < 0)
		conn_end(d, 0);
}

static void srv_send(struct mpdev *d, const uint8_t *pdu, size_t len)
{
	int r;

	if (d->fault_silent)
		return;
	r = d->att ? mp_l2cap_send(d->att, pdu, len) : -ENOTCONN;
	if (r < 0)
		mpdev_say(d, "ATT PDU 0x%02x (%zu octets) not sent: %s", pdu[0], len,
			  strerror(-r));
}

static void send_att_error(struct mpdev *d, uint8_t req, uint16_t handle, uint8_t code)
{
	uint8_t out[8];
	ssize_t n = mp_att_encode_error(out, sizeof(out), req, handle, code);

	if (n > 0)
		srv_send(d, out, (size_t)n);
}

static bool is_discovery(uint8_t op)
{
	return op == MP_ATT_FIND_INFO_REQ || op == MP_ATT_FIND_BY_TYPE_REQ ||
	       op == MP_ATT_READ_BY_TYPE_REQ || op == MP_ATT_READ_BY_GROUP_REQ;
}

/* A PDU from the client, before the server sees it: true when the fault
 * took it (answered or dropped here); @pdu may be rewritten (@len is
 * MP_L2CAP_PDU_MAX at most). */
static bool fault_rx(struct mpdev *d, uint8_t *pdu, size_t len)
{
	uint8_t op = pdu[0];
	uint16_t h = len >= 3 ? mp_le16(pdu + 1) : 0;

	switch (d->fault) {
	case MPDEV_FAULT_ATT_ERROR:
		if (!is_discovery(op) || len < 5)
			return false;
		fault_say(d, "Error Response 0x%02x to request 0x%02x for handle 0x%04x",
			      d->fault_arg, op, h);
		send_att_error(d, op, h, (uint8_t)d->fault_arg);
		return true;
	case MPDEV_FAULT_CCCD_ERROR:
	case MPDEV_FAULT_CCCD_SILENT:
		if (op != MP_ATT_WRITE_REQ || h != MP_GATT_SERVER_CCCD)
			return false;
		if (d->fault == MPDEV_FAULT_CCCD_SILENT) {
			fault_say(d, "the CCCD write is not answered");
			return true;
		}
		fault_say(d, "Error Response 0x%02x to the CCCD write", d->fault_arg);
		send_att_error(d, op, h, (uint8_t)d->fault_arg);
		return true;
	case MPDEV_FAULT_NO_CCCD:
		if (is_discovery(op) && len >= 5) {
			uint16_t end = mp_le16(pdu + 3);

			if (h > end || h == 0 || end < MP_GATT_SERVER_CCCD)
				return false;	/* the server's own answer */
			if (h >= MP_GATT_SERVER_CCCD) {
				fault_say(d, "no CCCD: Attribute Not Found for 0x%04x..0x%04x",
					      h, end);
				send_att_error(d, op, h, MP_ATT_ERR_ATTRIBUTE_NOT_FOUND);
				return true;
			}
			/* the range ends before the CCCD */
			mp_store_le16(pdu + 3, MP_GATT_SERVER_CCCD - 1);
			return false;
		}
		if ((op == MP_ATT_READ_REQ || op == MP_ATT_READ_BLOB_REQ ||
		     op == MP_ATT_WRITE_REQ || op == MP_ATT_WRITE_CMD) &&
		    h == MP_GATT_SERVER_CCCD) {
			fault_say(d, "no CCCD: request 0x%02x for it", op);
			if (op != MP_ATT_WRITE_CMD)
				send_att_error(d, op, h, MP_ATT_ERR_INVALID_HANDLE);
			return true;
		}
		return false;
	case MPDEV_FAULT_NONE:
	case MPDEV_FAULT_DROP_AFTER:
	case MPDEV_FAULT_BIG_NOTIFY:
		break;
	}
	return false;
}

/* After the server served a PDU: drop-after counts the Data In writes. */
static void fault_after_rx(struct mpdev *d, const uint8_t *pdu, size_t len)
{
	if (d->fault != MPDEV_FAULT_DROP_AFTER || pdu[0] != MP_ATT_WRITE_CMD || len < 4 ||
	    mp_le16(pdu + 1) != MP_GATT_SERVER_DATA_IN)
		return;
	if (++d->fault_writes != d->fault_arg)
		return;
	d->fault_silent = true;
	mp_loop_timer_set(d->loop, &d->fault_timer, 1, fault_drop, d);
}

/* no-cccd: the service group, in the server's discovery responses, ends
 * before the CCCD. */
static void fault_tx(struct mpdev *d, uint8_t *pdu, size_t len)
{
	size_t i, entry;

	if (d->fault != MPDEV_FAULT_NO_CCCD)
		return;
	if (pdu[0] == MP_ATT_FIND_BY_TYPE_RSP) {
		i = 1;
		entry = 4;
	} else if (pdu[0] == MP_ATT_READ_BY_GROUP_RSP && len >= 2 && pdu[1] >= 4) {
		i = 2;
		entry = pdu[1];
	} else {
		return;
	}
	/* each entry: found handle, group end handle, (value) */
	for (; i + entry <= len; i += entry) {
		if (mp_le16(pdu + i + 2) != MP_GATT_SERVER_CCCD)
			continue;
		mp_store_le16(pdu + i + 2, MP_GATT_SERVER_CCCD - 1);
		fault_say(d, "no CCCD: the service group ends at 0x%04x",
			      MP_GATT_SERVER_CCCD - 1);
	}
}

/* big-notify: @value as a Handle Value Notification on Data Out, padded
 * with zeros to one octet more than ATT_MTU allows (Core v5.4 Vol 3 Part F
 * 3.4.7.1: at most ATT_MTU - 3 octets of value). */
static void fault_big_notify(struct mpdev *d, const uint8_t *value, size_t len)
{
	uint8_t pdu[MP_ATT_MTU_MAX + 1] = { MP_ATT_NOTIFY };
	size_t total = (size_t)d->att_mtu + 1;

	if (len > total - 3)
		len = total - 3;
	mp_store_le16(pdu + 1, MP_GATT_SERVER_DATA_OUT);
	memcpy(pdu + 3, value, len);
	fault_say(d, "notification of %zu octets (%zu of value) at ATT_MTU %u", total,
		      total - 3, d->att_mtu);
	srv_send(d, pdu, total);
}

/* ==== device: one ATT connection, GATT server, PB-GATT link ==== */

static void drop_now(struct mp_loop *loop, int64_t id, void *data);

static void srv_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = owner;
	uint8_t buf[MP_L2CAP_PDU_MAX];

	if (d->fault != MPDEV_FAULT_NO_CCCD || len > sizeof(buf)) {
		srv_send(d, pdu, len);
		return;
	}
	memcpy(buf, pdu, len);
	fault_tx(d, buf, len);
	srv_send(d, buf, len);
}

static void srv_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct mpdev *d = owner;
	struct mp_proxy_msg msg;
	int r;

	if (d->proxy && !d->pbgatt) {
		r = mp_proxy_rx_feed(&d->prx, value, len, &msg);
		if (r < 0) {
			/* MshPRT v1.1 6.3.2.2: the connection ends */
			mpdev_say(d, "PROXY MALFORMED PDU (%s): disconnecting", strerror(-r));
			mp_loop_timer_set(d->loop, &d->drop_timer, 1, drop_now, d);
		} else if (r == 1) {
			mpdev_node_proxy_rx(d, msg.type, msg.data, msg.len);
		}
		return;
	}
	if (d->pbgatt)
		mp_pbgatt_rx(d->pbgatt, value, len);
}

static void srv_cccd(void *owner, bool enabled)
{
	struct mpdev *d = owner;

	mpdev_say(d, "GATT NOTIFY %s", enabled ? "on" : "off");
	if (d->proxy && !d->pbgatt) {
		mpdev_node_proxy_connected(d, enabled);
		return;
	}
	/* MshPRT v1.1 5.2.2: the link is usable once Data Out notifies. */
	if (enabled && d->pbgatt && mp_pbgatt_state(d->pbgatt) == MP_PBGATT_WAITING)
		mp_pbgatt_ready(d->pbgatt);
}

static void srv_mtu(void *owner, uint16_t mtu)
{
	struct mpdev *d = owner;

	d->att_mtu = mtu;
	if (d->pbgatt)
		mp_pbgatt_set_mtu(d->pbgatt, mtu);
	mpdev_say(d, "ATT MTU %u", mtu);
}

static const struct mp_gatt_server_ops srv_ops = { srv_tx, srv_data_in, srv_cccd, srv_mtu };

static int pg_tx(void *user, const uint8_t *value, size_t len)
{
	struct mpdev *d = user;

	if (!d->server)
		return -ENOTCONN;
	if (d->fault == MPDEV_FAULT_BIG_NOTIFY && !d->fault_applied && d->att_mtu &&
	    mp_gatt_server_notifying(d->server)) {
		fault_big_notify(d, value, len);
		return 0;
	}
	return mp_gatt_server_notify(d->server, value, len);
}

/* The GATT side's timer slots: the device's PB-GATT link's, then the
 * probe's GATT client's. */
#define GATT_TIMER_CLIENT MP_PBGATT_TIMERS
#define GATT_TIMERS (MP_PBGATT_TIMERS + 1)

static void gatt_timer_fired(void *owner, unsigned int id)
{
	struct mpdev *d = owner;

	if (id == GATT_TIMER_CLIENT) {
		if (d->client)
			mp_gatt_client_timeout(d->client);
	} else if (d->pbgatt) {
		mp_pbgatt_timeout(d->pbgatt, id);
	}
}

void mpdev_gatt_init(struct mpdev *d)
{
	mp_timer_slots_init(&d->gatt_slots, d->loop, GATT_TIMERS, gatt_timer_fired, d);
}

static void pg_timer(void *user, unsigned int id, uint32_t delay_ms)
{
	struct mpdev *d = user;

	if (id < MP_PBGATT_TIMERS)
		mp_timer_slots_set(&d->gatt_slots, id, delay_ms);
}

static void drop_now(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->drop_timer = 0;
	mpdev_say(d, "GATT DISCONNECTING (PB-GATT closed the link)");
	conn_end(d, 0);
}

static void pg_disconnect(void *user)
{
	struct mpdev *d = user;

	/* never from inside this call: see bearer/pbgatt.h */
	mp_loop_timer_set(d->loop, &d->drop_timer, 1, drop_now, d);
}

static const struct mp_pbgatt_ops pg_ops = { pg_tx, pg_timer, pg_disconnect };

static void pg_opened(void *owner)
{
	struct mpdev *d = owner;

	mpdev_say(d, "PB-GATT OPEN");
	mpdev_bearer_opened(d, "pb-gatt", mp_pbgatt_bearer(d->pbgatt));
}

static void pg_rx(void *owner, const uint8_t *pdu, size_t len)
{
	mpdev_bearer_rx(owner, pdu, len);
}

static void pg_delivered(void *owner)
{
	mpdev_bearer_delivered(owner);
}

static void pg_closed(void *owner, int err, uint8_t reason, bool remote)
{
	struct mpdev *d = owner;
	struct mp_pbgatt *link = d->pbgatt;

	mpdev_say(d, "PB-GATT CLOSED err=%d reason=%u remote=%d", err, reason, remote);
	d->pbgatt = NULL;
	mpdev_bearer_closed(d, link);
	mp_pbgatt_free(link);	/* allowed from closed() */
}

static const struct mp_bearer_cb pg_cb = { pg_opened, pg_rx, pg_delivered, pg_closed };

/* The connection is over (@err as from mp_l2cap, 0 when we dropped it). */
static void conn_end(struct mpdev *d, int err)
{
	mp_l2cap_close(d->att);
	d->att = NULL;
	mp_loop_timer_set(d->loop, &d->drop_timer, 0, drop_now, d);
	mp_loop_timer_set(d->loop, &d->fault_timer, 0, fault_drop, d);
	mp_gatt_server_free(d->server);
	d->server = NULL;
	if (d->proxy && !d->pbgatt)
		mpdev_node_proxy_connected(d, false);
	/* A peer that just disconnected is a normal end for PB-GATT. */
	if (d->pbgatt)
		mp_pbgatt_disconnected(d->pbgatt, err == -ECONNRESET ? 0 : err);
	if (d->finished)
		return;
	if (d->fault_applied) {
		char why[160];

		snprintf(why, sizeof(why), "GATT fault %s applied", d->fault_spec);
		mpdev_say(d, "FAILED %s", why);
		mpdev_finish(d, MPDEV_EXIT_FAILED, "failed", why);
		return;
	}
	if (d->gatt_once) {
		if (d->att_mtu)
			mpdev_finish(d, MPDEV_EXIT_OK, "gatt-ok", NULL);
		else
			mpdev_finish(d, MPDEV_EXIT_FAILED, "failed", "no ATT MTU exchange");
		return;
	}
	gatt_listen(d);
	mp_loop_timer_set(d->loop, &d->rescan_timer, RESCAN_DELAY_MS, dev_rescan_cb, d);
}

static void att_connected(void *data, int err)
{
	struct mpdev *d = data;
	struct mp_gatt_server_config sc = { .ops = &srv_ops };
	struct mp_pbgatt_config pc = { .role = MP_PBGATT_DEVICE, .ops = &pg_ops, .cb = &pg_cb };
	char msg[200], addr[18] = "?";
	uint8_t peer[6], type = 0;

	if (err) {
		mp_l2cap_hint(err, d->index, msg, sizeof(msg));
		mpdev_say(d, "GATT LISTEN FAILED %s", msg);
		mp_l2cap_close(d->att);
		d->att = NULL;
		mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
		return;
	}
	/* The controller ended the connectable set (LE Advertising Set
	 * Terminated); it is made again after this connection. */
	d->gatt_adv_on = false;
	d->gatt_connections++;
	d->att_mtu = 0;
	if (mp_l2cap_peer(d->att, peer, &type) == 0)
		mpdev_addr_str(peer, addr);
	mpdev_say(d, "GATT CONNECTED peer=%s type=%s", addr,
		  type == MP_L2CAP_ADDR_RANDOM ? "random" : "public");
	sc.owner = d;
	pc.user = d;
	if (d->proxy) {
		/* a node: the Mesh Proxy Service, no PB-GATT */
		sc.uuids = mp_gatt_mesh_proxy;
		mp_proxy_rx_init(&d->prx, d->prx_buf, sizeof(d->prx_buf));
	}
	d->server = mp_gatt_server_new(&sc);
	d->pbgatt = d->proxy ? NULL : mp_pbgatt_new(&pc);
	if (!d->server || (!d->proxy && !d->pbgatt)) {
		mpdev_finish(d, MPDEV_EXIT_FAILED, "error", "out of memory");
		return;
	}
	mp_loop_timer_set(d->loop, &d->rescan_timer, RESCAN_DELAY_MS, dev_rescan_cb, d);
	d->fault_writes = 0;
	d->fault_silent = false;
	if (d->fault == MPDEV_FAULT_DROP_AFTER && d->fault_arg == 0)
		mp_loop_timer_set(d->loop, &d->fault_timer, 1, fault_drop, d);
}

static void att_rx(void *data, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = data;
	uint8_t buf[MP_L2CAP_PDU_MAX];

	if (!d->server || !len || d->fault_silent)
		return;
	if (d->fault == MPDEV_FAULT_NONE || len > sizeof(buf)) {
		mp_gatt_server_rx(d->server, pdu, len);
		return;
	}
	memcpy(buf, pdu, len);
	if (fault_rx(d, buf, len))
		return;
	mp_gatt_server_rx(d->server, buf, len);
	fault_after_rx(d, buf, len);
}

static void att_disconnected(void *data, int err)
{
	struct mpdev *d = data;
	char msg[200];

	mpdev_say(d, "GATT DISCONNECTED err=%d (%s)", err,
		  mp_l2cap_hint(err, d->index, msg, sizeof(msg)));
	conn_end(d, err);
}

static const struct mp_l2cap_ops att_srv_ops = { att_connected, att_rx, att_disconnected };

static void gatt_listen(struct mpdev *d)
{
	struct mp_l2cap_config cfg = { .index = d->index };
	char msg[200];
	int r;

	if (d->finished || (d->attempt_done && !d->proxy))
		return;
	r = mp_l2cap_listen(d->loop, &cfg, &att_srv_ops, d, &d->att);
	if (r < 0) {
		mp_l2cap_hint(r, d->index, msg, sizeof(msg));
		mpdev_say(d, "GATT LISTEN FAILED %s", msg);
		mpdev_finish(d, MPDEV_EXIT_CONTROLLER, "error", msg);
		return;
	}
	adv_start(d);
}

void mpdev_gatt_proxy_start(struct mpdev *d)
{
	if (!d->att)
		gatt_listen(d);		/* not listening any more */
	else if (!d->server)
		adv_start(d);		/* listening: advertise the proxy instead */
	/* else a connection (PB-GATT's) is up: conn_end listens again */
}

void mpdev_gatt_proxy_send(void *user, uint8_t type, const uint8_t *msg, size_t len)
{
	struct mpdev *d = user;
	uint8_t pdu[MP_PROXY_ATT_VALUE_MAX];
	struct mp_proxy_seg seg;
	ssize_t n;

	if (!d->proxy || !d->server || d->pbgatt || !mp_gatt_server_notifying(d->server) ||
	    mp_proxy_seg_init(&seg, type, msg, len, mp_gatt_server_mtu(d->server)) < 0)
		return;
	while ((n = mp_proxy_seg_next(&seg, pdu, sizeof(pdu))) > 0)
		if (mp_gatt_server_notify(d->server, pdu, (size_t)n) < 0)
			return;
}

int mpdev_gatt_start(struct mpdev *d)
{
	gatt_listen(d);
	return 0;
}

/* Written and waited for: the loop no longer runs when this is called. */
static void sync_done(void *data, int status, const uint8_t *ret, size_t len)
{
	*(bool *)data = true;
}

static void send_sync(struct mpdev *d, uint16_t op, const uint8_t *p, size_t len)
{
	bool done = false;
	int i;

	if (mp_hci_send_cmd(d->hci, op, p, len, sync_done, &done) < 0)
		return;
	for (i = 0; i < 100 && !done; i++)
		mp_loop_run_once(d->loop, 20);
}

void mpdev_gatt_stop(struct mpdev *d)
{
	const uint8_t off[6] = { 0x00, 1, MPDEV_GATT_ADV_HANDLE, 0, 0, 0 };
	const uint8_t handle = MPDEV_GATT_ADV_HANDLE;
	unsigned int i;

	mp_l2cap_close(d->att);
	d->att = NULL;
	mp_gatt_server_free(d->server);
	d->server = NULL;
	mp_pbgatt_free(d->pbgatt);
	d->pbgatt = NULL;
	mp_gatt_client_free(d->client);
	d->client = NULL;
	for (i = 0; i < MP_PBGATT_TIMERS; i++)
		mp_timer_slots_set(&d->gatt_slots, i, 0);
	mp_loop_timer_set(d->loop, &d->readv_timer, 0, readv_cb, d);
	mp_loop_timer_set(d->loop, &d->rescan_timer, 0, dev_rescan_cb, d);
	mp_loop_timer_set(d->loop, &d->fault_timer, 0, fault_drop, d);
	if (d->hci && d->gatt && !d->chain.busy) {
		/* leave the controller as we found it: set 1 off and gone */
		send_sync(d, MP_HCI_OP_LE_SET_EXT_ADV_ENABLE, off, sizeof(off));
		send_sync(d, MP_HCI_OP_LE_REMOVE_ADV_SET, &handle, 1);
	}
}

/* ==== probe: the client, and what happens to our scan ==== */

static void probe_phase(struct mpdev *d, enum probe_phase ph);

static void cl_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = owner;
	int r = d->att ? mp_l2cap_send(d->att, pdu, len) : -ENOTCONN;

	if (r < 0)
		mpdev_log(d, "ATT PDU 0x%02x not sent: %s", pdu[0], strerror(-r));
}

static void cl_timer(void *owner, uint32_t delay_ms)
{
	struct mpdev *d = owner;

	mp_timer_slots_set(&d->gatt_slots, GATT_TIMER_CLIENT, delay_ms);
}

/* The link phase is over: close the channel, watch our scan. */
void mpdev_probe_link_over(struct mpdev *d)
{
	if (d->phase != PH_LINK)
		return;
	mp_l2cap_close(d->att);
	d->att = NULL;
	mp_timer_slots_set(&d->gatt_slots, GATT_TIMER_CLIENT, 0);
	probe_phase(d, PH_AFTER);
}

static void cl_ready(void *owner, uint16_t att_mtu)
{
	struct mpdev *d = owner;
	const struct mp_gatt_handles *h = mp_gatt_client_handles(d->client);

	d->probe_mtu = att_mtu;
	mpdev_say(d, "PROBE MTU %u", att_mtu);
	mpdev_say(d, "PROBE GATT READY service=0x%04x-0x%04x data_in=0x%04x data_out=0x%04x "
		  "cccd=0x%04x", h->service_start, h->service_end, h->data_in, h->data_out,
		  h->cccd);
	if (d->gatt_provision) {
		int r = mpdev_gprov_start(d, att_mtu);

		if (r < 0) {
			snprintf(d->gatt_reason, sizeof(d->gatt_reason), "PB-GATT: %s",
				 strerror(-r));
			mpdev_probe_link_over(d);
		}
		return;
	}
	mpdev_probe_link_over(d);
}

static void cl_notify(void *owner, const uint8_t *value, size_t len)
{
	mpdev_gprov_notify(owner, value, len);
}

static void cl_failed(void *owner, int err, const char *reason)
{
	struct mpdev *d = owner;

	d->probe_err = err;
	snprintf(d->gatt_reason, sizeof(d->gatt_reason), "%s", reason);
	mpdev_say(d, "PROBE GATT FAILED %s", reason);
	mpdev_probe_link_over(d);
}

static const struct mp_gatt_client_ops cl_ops = {
	cl_tx, cl_timer, cl_ready, cl_notify, cl_failed,
};

static void probe_connected(void *data, int err)
{
	struct mpdev *d = data;
	struct mp_gatt_client_config cc = { .ops = &cl_ops };
	char msg[200];

	if (err) {
		d->probe_err = err;
		mp_l2cap_hint(err, d->index, msg, sizeof(msg));
		snprintf(d->gatt_reason, sizeof(d->gatt_reason), "connect: %s", msg);
		mpdev_say(d, "PROBE CONNECT FAILED err=%d %s", err, msg);
		mpdev_probe_link_over(d);
		return;
	}
	mpdev_say(d, "PROBE CONNECTED");
	cc.owner = d;
	d->client = mp_gatt_client_new(&cc);
	if (!d->client || mp_gatt_client_start(d->client) < 0) {
		d->probe_err = -ENOMEM;
		mpdev_probe_link_over(d);
	}
}

static void probe_rx(void *data, const uint8_t *pdu, size_t len)
{
	struct mpdev *d = data;

	if (d->client)
		mp_gatt_client_rx(d->client, pdu, len);
}

static void probe_disconnected(void *data, int err)
{
	struct mpdev *d = data;
	char msg[200];

	d->probe_err = err;
	mp_l2cap_hint(err, d->index, msg, sizeof(msg));
	snprintf(d->gatt_reason, sizeof(d->gatt_reason), "disconnected: %s", msg);
	mpdev_say(d, "PROBE DISCONNECTED err=%d %s", err, msg);
	if (d->ppb && mp_pbgatt_state(d->ppb) != MP_PBGATT_CLOSED)
		mp_pbgatt_disconnected(d->ppb, err == -ECONNRESET ? 0 : err);	/* -> link over */
	mpdev_probe_link_over(d);
}

static const struct mp_l2cap_ops probe_ops = {
	probe_connected, probe_rx, probe_disconnected,
};

static void probe_connect(struct mpdev *d)
{
	/* the default timeout: above the kernel's own (20 s), whose error says more */
	struct mp_l2cap_config cfg = { .index = d->index, .peer_type = d->probe_type };
	char addr[18], msg[200];
	int r;

	memcpy(cfg.peer, d->probe_addr, 6);
	mpdev_say(d, "PROBE CONNECTING %s %s", mpdev_addr_str(d->probe_addr, addr),
		  d->probe_type == MP_L2CAP_ADDR_RANDOM ? "random" : "public");
	r = mp_l2cap_connect(d->loop, &cfg, &probe_ops, d, &d->att);
	if (r < 0) {
		d->probe_err = r;
		mp_l2cap_hint(r, d->index, msg, sizeof(msg));
		snprintf(d->gatt_reason, sizeof(d->gatt_reason), "connect: %s", msg);
		mpdev_say(d, "PROBE CONNECT FAILED err=%d %s", r, msg);
		probe_phase(d, PH_AFTER);
	}
}

static void probe_summary(struct mpdev *d)
{
	mpdev_say(d, "SCAN before=%lu/%lu link=%lu/%lu after=%lu/%lu rescan=%lu/%lu "
		  "scanning=%s", d->reports[PH_BEFORE], d->reports_target[PH_BEFORE],
		  d->reports[PH_LINK], d->reports_target[PH_LINK], d->reports[PH_AFTER],
		  d->reports_target[PH_AFTER], d->reports[PH_RESCAN],
		  d->reports_target[PH_RESCAN], mp_hci_scanning(d->hci) ? "yes" : "no");
}

static void probe_rescan_done(struct mpdev *d, int status, uint16_t op)
{
	char st[96];
	unsigned int i;

	for (i = 0; i < d->chain.n; i++)
		mpdev_say(d, "RESCAN 0x%04x %s", d->chain.cmd[i].opcode,
			  i <= d->chain.i ? status_str(d->chain.status[i], st, sizeof(st)) :
			  "not sent");
	probe_phase(d, PH_RESCAN);
}

static void probe_timer_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;

	d->probe_timer = 0;
	switch ((enum probe_phase)d->phase) {
	case PH_BEFORE:
		probe_phase(d, PH_LINK);
		break;
	case PH_AFTER:
		probe_summary(d);
		rescan(d, probe_rescan_done);
		break;
	case PH_RESCAN:
		probe_summary(d);
		if (d->probe_mtu && (!d->gatt_provision || d->prov_ok))
			mpdev_finish(d, MPDEV_EXIT_OK, "ok", NULL);
		else
			mpdev_finish(d, MPDEV_EXIT_FAILED, "failed", d->gatt_reason);
		break;
	case PH_LINK:
	case PH_N:
		break;
	}
}

static void probe_phase(struct mpdev *d, enum probe_phase ph)
{
	d->phase = ph;
	mpdev_log(d, "phase %s", phase_names[ph]);
	switch (ph) {
	case PH_BEFORE:
	case PH_AFTER:
	case PH_RESCAN:
		mp_loop_timer_set(d->loop, &d->probe_timer, d->settle_ms ? d->settle_ms : 1,
				  probe_timer_cb, d);
		break;
	case PH_LINK:
		probe_connect(d);
		break;
	case PH_N:
		break;
	}
}

static void probe_adv_sent(void *data, int status)
{
	struct mpdev *d = data;

	d->beacon_queued = false;
}

/* --probe-adv: an Unprovisioned Device beacon burst now and then, so that
 * the controller advertises on and off while the kernel connects, as it
 * does while meshprov runs PB-ADV links. */
static void probe_adv_cb(struct mp_loop *loop, int64_t id, void *data)
{
	struct mpdev *d = data;
	uint8_t ad[21] = { 20, MP_AD_MESH_BEACON, MP_BEACON_UNPROVISIONED };

	d->probe_adv_timer = 0;
	if (d->finished)
		return;
	memcpy(ad + 3, d->uuid, 16);
	if (!d->beacon_queued &&
	    mp_hci_adv_send(d->hci, MPDEV_KEY_BEACON, ad, sizeof(ad), probe_adv_sent, d) == 0)
		d->beacon_queued = true;
	d->probe_adv_timer = mp_loop_timer_add(loop, PROBE_ADV_MS, probe_adv_cb, d);
}

int mpdev_probe_start(struct mpdev *d)
{
	if (d->probe_adv)
		d->probe_adv_timer = mp_loop_timer_add(d->loop, 0, probe_adv_cb, d);
	probe_phase(d, PH_BEFORE);
	return 0;
}

void mpdev_probe_report(struct mpdev *d, const struct mp_hci_adv_report *r)
{
	if (d->phase >= PH_N)
		return;
	d->reports[d->phase]++;
	if (!memcmp(r->addr, d->probe_addr, 6))
		d->reports_target[d->phase]++;
}

void mpdev_probe_json(struct mpdev *d, FILE *f)
{
	unsigned int i;

	fprintf(f, ",\"mtu\":%u,\"error\":%d", d->probe_mtu, d->probe_err);
	mpdev_gprov_json(d, f);
	for (i = 0; i < PH_N; i++)
		fprintf(f, ",\"reports_%s\":%lu,\"target_%s\":%lu", phase_names[i], d->reports[i],
			phase_names[i], d->reports_target[i]);
	if (d->gatt_reason[0]) {
		fputs(",\"gatt_reason\":\"", f);
		for (i = 0; d->gatt_reason[i]; i++)
			if (d->gatt_reason[i] != '"' && d->gatt_reason[i] != '\\')
				fputc(d->gatt_reason[i], f);
		fputc('"', f);
	}
}
