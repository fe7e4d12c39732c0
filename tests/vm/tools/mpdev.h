/* mpdev: a provisionee of our own on a real controller, for the VM tests.
 * Shared between mpdev.c (options, the PB-ADV provisionee, OOB, the result)
 * and mpdev_gatt.c (connectable advertising, the ATT channel, the probe). */
#ifndef MPDEV_H
#define MPDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bearer/pbadv.h"
#include "bearer/pbgatt.h"
#include "bearer/proxy.h"
#include "bearer/sendq.h"
#include "gatt/client.h"
#include "gatt/server.h"
#include "core/loop.h"
#include "core/timer_slots.h"
#include "hci/hci.h"
#include "hci/l2cap.h"
#include "prov/auth.h"
#include "prov/pdu.h"
#include "prov/provisioner.h"
#include "sim/device.h"

/* Exit statuses. */
#define MPDEV_EXIT_OK		0
#define MPDEV_EXIT_FAILED	1	/* provisioning failed, timed out, probe failed */
#define MPDEV_EXIT_USAGE	2
#define MPDEV_EXIT_CONTROLLER	3	/* the controller could not be used */

/* Advertising sets with --gatt: connectable advertising, and mp_hci's PB-ADV
 * bursts (mp_hci_config.adv_handle; set 0 without --gatt). */
#define MPDEV_GATT_ADV_HANDLE	1
#define MPDEV_PBADV_ADV_HANDLE	2

/* Senders of mp_hci_adv_send(): PDUs of one sender go in order. */
#define MPDEV_KEY_BEACON	1
#define MPDEV_KEY_LINK		2
#define MPDEV_KEY_NODE		3	/* --node: the node's Network PDUs */

/* --gatt-fault: how the device misbehaves on its GATT side (mpdev_gatt.c),
 * applied around the project's GATT server, which stays correct. */
enum mpdev_fault {
	MPDEV_FAULT_NONE,
	MPDEV_FAULT_DROP_AFTER,		/* disconnect after N Data In writes */
	MPDEV_FAULT_NO_CCCD,		/* Data Out without its CCCD */
	MPDEV_FAULT_CCCD_ERROR,		/* the CCCD write gets an Error Response */
	MPDEV_FAULT_CCCD_SILENT,	/* the CCCD write is never answered */
	MPDEV_FAULT_BIG_NOTIFY,		/* a notification longer than ATT_MTU - 3 */
	MPDEV_FAULT_ATT_ERROR,		/* discovery requests get an Error Response */
};

/* HCI commands sent one after the other (mpdev_gatt.c). */
struct mpdev_cmd {
	uint16_t opcode;
	uint8_t len;
	bool any_status;		/* a refusal does not stop the chain */
	uint8_t params[40];
};

struct mpdev;

struct mpdev_chain {
	struct mpdev_cmd cmd[4];
	unsigned int n, i;
	bool busy;
	int status[4];
	/* @status 0, or the first refusal (HCI code or -errno) and its opcode */
	void (*done)(struct mpdev *d, int status, uint16_t opcode);
};

struct mpdev {
	struct mp_loop *loop;
	struct mp_hci *hci;
	int index;
	bool verbose;

	/* ---- options ---- */
	uint8_t uuid[16];
	struct mp_prov_caps caps;
	uint8_t static_oob[MP_SIM_STATIC_OOB_MAX];
	size_t static_len;
	uint16_t oob_info;		/* beacon and service data OOB Information */
	uint32_t timeout_s;		/* give up after (0: never) */
	uint32_t beacon_ms;		/* Unprovisioned Device beacon interval */
	const char *result_path;
	const char *oob_file;		/* OOB values through a file (else stdout/stdin) */
	bool gatt;			/* also PB-GATT's connectable advertising + ATT */
	bool no_pbadv;			/* no beacons nor PB-ADV link (--gatt only) */
	enum mp_hci_le_mode le_mode;

	/* probe (--gatt-probe): the client side of the ATT channel */
	bool probe;
	uint8_t probe_addr[6];		/* LSB first */
	uint8_t probe_type;		/* MP_L2CAP_ADDR_* */
	bool probe_adv;			/* advertise bursts meanwhile, as meshprov would */
	uint32_t settle_ms;		/* scanning before and after the connection */
	bool gatt_provision;		/* --gatt-provision: provision over PB-GATT */
	uint16_t paddress;		/* its unicast address (0: 0x0100) */
	uint32_t node_s;		/* --node: stay a node this long once provisioned */

	/* ---- the PB-ADV provisionee ---- */
	struct mp_sim_device *dev;
	struct mp_pbadv *link;
	struct mp_timer_slots link_slots;	/* the PB-ADV link's timers */
	int64_t beacon_timer;
	int64_t proto_timer;		/* the device's protocol timeout */
	int64_t grace_timer;		/* after done(): wait for Link Close */
	int64_t deadline_timer;		/* --timeout */
	int64_t oob_poll_timer;		/* --oob-file: waiting for the Input OOB value */
	bool beacon_queued;
	struct mp_sendq txq;		/* the device's PDUs, one at a time on cur */
	struct mp_bearer cur;		/* the bearer the device is talking on (ops NULL: none) */

	/* what happened */
	bool attempt_done;		/* the device sent Complete or Failed */
	enum mp_prov_err prov_err;
	bool have_result;
	struct mp_sim_prov_result result;
	bool oob_used;
	bool oob_output;		/* else input */
	unsigned int oob_action;
	uint8_t oob_size;
	char oob_value[MP_OOB_TEXT_MAX];
	bool stdin_open;
	char in_line[64];
	size_t in_len;
	const char *bearer_name;	/* "pb-adv" or "pb-gatt" */
	const char *end;		/* how the attempt ended: "link-closed", "no-link-close" */

	/* ---- GATT (mpdev_gatt.c) ---- */
	struct mp_l2cap *att;
	struct mp_gatt_server *server;	/* device: one per connection */
	struct mp_pbgatt *pbgatt;
	struct mp_timer_slots gatt_slots;	/* pbgatt's, then the probe client's */
	int64_t drop_timer;		/* pbgatt asked to disconnect */
	struct mp_gatt_client *client;	/* probe */
	char gatt_reason[256];
	bool gatt_adv_on;
	uint16_t att_mtu;
	unsigned int gatt_connections;
	bool gatt_once;			/* --gatt-once: end after the first ATT connection */
	uint32_t readv_ms;		/* --gatt-readv: re-enable the set this often (0: never) */
	int64_t readv_timer;
	bool adv_pending;		/* adv_start() waits for the chain in flight */
	bool rescan_pending;		/* so does a restart of our scan */
	int64_t rescan_timer;
	struct mpdev_chain chain;

	/* --gatt-fault */
	enum mpdev_fault fault;
	unsigned int fault_arg;		/* drop-after's N, or an ATT error code */
	const char *fault_spec;		/* as given */
	bool fault_applied;		/* it happened (on some connection) */
	unsigned int fault_writes;	/* Data In writes on this connection */
	bool fault_silent;		/* drop-after reached: hears and says nothing */
	int conn_handle;		/* our LE connection's HCI handle (-1: none known) */
	int64_t fault_timer;

	/* probe: the PB-GATT provisioner (mpdev_prov.c) */
	struct mp_prov *prov;
	struct mp_pbgatt *ppb;
	struct mp_timer_slots probe_slots;	/* ppb's, then the provisioner's */
	int64_t pdrop_timer;
	struct mp_sendq ptxq;		/* the provisioner's PDUs, one at a time on ppb */
	bool prov_ok;
	struct mp_prov_data pdata;
	uint8_t pdev_key[16];
	uint8_t palg;

	/* probe state */
	unsigned int phase;		/* enum in mpdev_gatt.c */
	unsigned long reports[4], reports_target[4];
	int64_t probe_timer;
	int64_t probe_adv_timer;
	int probe_err;
	uint16_t probe_mtu;

	/* ---- --node (mpdev_node.c) ---- */
	struct mpdev_node *nodeside;
	/* with --gatt the node is a GATT Proxy server: the connectable
	 * advertising names the Mesh Proxy Service, a connection serves it */
	bool proxy;
	struct mp_proxy_rx prx;
	uint8_t prx_buf[64];

	/* ---- the end ---- */
	bool finished;
	int exit_code;
	const char *status;		/* the result's "status" */
	char reason[512];
};

/* mpdev.c */
void mpdev_say(struct mpdev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mpdev_log(struct mpdev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * The end: write the result file (if asked; "status": @status, "reason":
 * @reason when not NULL) and leave the loop with exit status @code. Only the
 * first call counts.
 */
void mpdev_finish(struct mpdev *d, int code, const char *status, const char *reason);
/** "AA:BB:CC:DD:EE:FF" of a 6-octet LSB-first address; @buf 18 octets. */
char *mpdev_addr_str(const uint8_t *addr, char *buf);
/* The device's bearers (PB-ADV in mpdev.c, PB-GATT in mpdev_gatt.c) report here. */
void mpdev_bearer_opened(struct mpdev *d, const char *name, struct mp_bearer b);
void mpdev_bearer_rx(struct mpdev *d, const uint8_t *pdu, size_t len);
void mpdev_bearer_delivered(struct mpdev *d);
/** Bearer @link closed; true when that ended the run (the attempt was over). */
bool mpdev_bearer_closed(struct mpdev *d, void *link);
/** Write the probe's results into the result file (after "status"). */
void mpdev_probe_json(struct mpdev *d, FILE *f);

/* mpdev_gatt.c */
/** Bind the GATT side's timer slots to d->loop (once, before anything runs). */
void mpdev_gatt_init(struct mpdev *d);
/** Device side: connectable advertising on MPDEV_GATT_ADV_HANDLE, ATT listening. */
int mpdev_gatt_start(struct mpdev *d);
void mpdev_gatt_stop(struct mpdev *d);
/** Parse --gatt-fault SPEC into @d; -EINVAL when it is not one. */
int mpdev_fault_parse(struct mpdev *d, const char *spec);
/** Every HCI packet of the raw socket (mp_hci_ops.trace): our connection's handle. */
void mpdev_gatt_trace(void *data, bool tx, const uint8_t *pkt, size_t len);
/** The probe: scanning, then a connection and an MTU exchange, then scanning. */
int mpdev_probe_start(struct mpdev *d);
/** An advertising report while probing. */
void mpdev_probe_report(struct mpdev *d, const struct mp_hci_adv_report *r);
/** The probe's connection is over (closed here; idempotent): watch our scan. */
void mpdev_probe_link_over(struct mpdev *d);
/** The node serves the Mesh Proxy Service from now on (d->proxy set):
 *  advertise it, listen (now, or once the connection up has ended). */
void mpdev_gatt_proxy_start(struct mpdev *d);
/** The node's proxy_send: a message of Proxy PDU type @type to the client. */
void mpdev_gatt_proxy_send(void *user, uint8_t type, const uint8_t *msg, size_t len);

/* mpdev_node.c: --node */
/** The provisioned device becomes a node (d->result) for d->node_s seconds;
 *  0 or -errno (then the run ends as without --node). */
int mpdev_node_start(struct mpdev *d);
/** A Network PDU heard (a Mesh Message AD structure's data). */
void mpdev_node_rx(struct mpdev *d, const uint8_t *pdu, size_t len);
/** Free the node side (idempotent). */
void mpdev_node_free(struct mpdev *d);
/** The proxy's client connected (@up, notifications on) or went. */
void mpdev_node_proxy_connected(struct mpdev *d, bool up);
/** A whole Proxy message from the client (mp_sim_node_proxy_rx). */
void mpdev_node_proxy_rx(struct mpdev *d, uint8_t type, const uint8_t *msg, size_t len);
/** The node's Network ID (for the advertisement): 0 or -ENOENT. */
int mpdev_node_network_id(struct mpdev *d, uint8_t id[8]);

/* mpdev_prov.c: --gatt-provision */
/** Bind the probe provisioner's timer slots and queue (once, before anything runs). */
void mpdev_gprov_init(struct mpdev *d);
/** The GATT client is ready at @att_mtu: open PB-GATT and provision. */
int mpdev_gprov_start(struct mpdev *d, uint16_t att_mtu);
/** A notification of Data Out. */
void mpdev_gprov_notify(struct mpdev *d, const uint8_t *value, size_t len);
void mpdev_gprov_free(struct mpdev *d);
/** What the provisioner gave and derived, into the result file. */
void mpdev_gprov_json(struct mpdev *d, FILE *f);

#endif
