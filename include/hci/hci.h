/* The raw HCI transport: one Bluetooth controller through an
 * AF_BLUETOOTH / BTPROTO_HCI socket on the raw channel, driven by the loop.
 *
 * What it does:
 *  - commands, one in flight at a time behind a queue, matched to their
 *    Command Complete / Command Status by opcode, with a timeout, and the
 *    controller's Num_HCI_Command_Packets respected;
 *  - at start: Read BD_ADDR, LE Read Local Supported Features, LE Set Event
 *    Mask, then passive LE scanning at full duty cycle without duplicate
 *    filtering; advertising reports (legacy 0x02 and extended 0x0D) go to a
 *    callback;
 *  - PB-ADV transmission: each queued AD payload is sent as a short burst of
 *    non-connectable advertising (set data, enable, a few advertising events,
 *    disable), senders served round robin; scanning keeps running;
 *  - LE connections the kernel makes (PB-GATT) change scanning: Linux
 *    switches our scan off, scans its own way for the peer, and leaves
 *    scanning off. On every LE Connection Complete and Disconnection
 *    Complete the scanning sequence runs again, when scanning is wanted;
 *  - on close: advertising and the scan we started are switched off.
 *
 * Legacy or extended commands: a controller refuses to mix the two families
 * (Core v5.4 Vol 4 Part E 3.1.1: Command Disallowed), and the kernel may have
 * used the extended family since the controller's reset. So by default
 * (MP_HCI_LE_AUTO) the legacy commands are tried first (they are what BlueZ's
 * btvirt and older controllers know); when the controller refuses them and
 * supports LE Extended Advertising, scanning and advertising both switch to
 * the extended commands (advertising then uses a legacy ADV_NONCONN_IND PDU
 * through an advertising set, so receivers see the same thing).
 *
 * Status values: the callbacks get an int that is 0 on success, a positive
 * HCI error code (Core v5.4 Vol 1 Part F) from the controller, or a negative
 * errno for local failures (-ETIMEDOUT: no answer; -ENODEV, -ENETDOWN, -EIO:
 * the controller went away; -ECANCELED). mp_hci_status_str() names both.
 *
 * Callbacks (trace excepted) run from the loop only, never from inside an
 * mp_hci_* call, and may call anything here, mp_hci_close() included.
 *
 * Tests and fuzzers build a struct mp_hci on any fd (a socketpair whose other
 * end plays the controller) with mp_hci_new_fd(); only mp_hci_open() touches
 * Bluetooth sockets.
 */
#ifndef MP_HCI_HCI_H
#define MP_HCI_HCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"

struct mp_hci;

/* HCI packet indicators (Core v5.4 Vol 4 Part A 2) and a few event codes. */
#define MP_HCI_COMMAND_PKT	0x01
#define MP_HCI_EVENT_PKT	0x04
#define MP_HCI_EVT_CMD_COMPLETE	0x0e
#define MP_HCI_EVT_CMD_STATUS	0x0f
#define MP_HCI_EVT_HW_ERROR	0x10
#define MP_HCI_EVT_LE_META	0x3e
#define MP_HCI_LE_ADV_REPORT	0x02
#define MP_HCI_LE_EXT_ADV_REPORT 0x0d
#define MP_HCI_EVT_DISCONN_COMPLETE 0x05
#define MP_HCI_LE_CONN_COMPLETE	0x01
#define MP_HCI_LE_ENH_CONN_COMPLETE 0x0a
#define MP_HCI_LE_ENH_CONN_COMPLETE_V2 0x29

#define MP_HCI_OPCODE(ogf, ocf)	((uint16_t)(((ogf) << 10) | (ocf)))

/* Opcodes (Core v5.4 Vol 4 Part E 7.1, 7.4, 7.8). */
#define MP_HCI_OP_DISCONNECT		MP_HCI_OPCODE(0x01, 0x0006)
#define MP_HCI_OP_READ_BD_ADDR		MP_HCI_OPCODE(0x04, 0x0009)
#define MP_HCI_OP_LE_SET_EVENT_MASK	MP_HCI_OPCODE(0x08, 0x0001)
#define MP_HCI_OP_LE_READ_FEATURES	MP_HCI_OPCODE(0x08, 0x0003)
#define MP_HCI_OP_LE_SET_ADV_PARAMS	MP_HCI_OPCODE(0x08, 0x0006)
#define MP_HCI_OP_LE_SET_ADV_DATA	MP_HCI_OPCODE(0x08, 0x0008)
#define MP_HCI_OP_LE_SET_ADV_ENABLE	MP_HCI_OPCODE(0x08, 0x000a)
#define MP_HCI_OP_LE_SET_SCAN_PARAMS	MP_HCI_OPCODE(0x08, 0x000b)
#define MP_HCI_OP_LE_SET_SCAN_ENABLE	MP_HCI_OPCODE(0x08, 0x000c)
#define MP_HCI_OP_LE_SET_EXT_ADV_PARAMS MP_HCI_OPCODE(0x08, 0x0036)
#define MP_HCI_OP_LE_SET_EXT_ADV_DATA	MP_HCI_OPCODE(0x08, 0x0037)
#define MP_HCI_OP_LE_SET_EXT_ADV_ENABLE MP_HCI_OPCODE(0x08, 0x0039)
#define MP_HCI_OP_LE_REMOVE_ADV_SET	MP_HCI_OPCODE(0x08, 0x003c)
#define MP_HCI_OP_LE_SET_EXT_SCAN_PARAMS MP_HCI_OPCODE(0x08, 0x0041)
#define MP_HCI_OP_LE_SET_EXT_SCAN_ENABLE MP_HCI_OPCODE(0x08, 0x0042)

/* HCI error codes used by name in the code (full table: mp_hci_strerror). */
#define MP_HCI_ERR_UNKNOWN_COMMAND	0x01
#define MP_HCI_ERR_DISALLOWED		0x0c
#define MP_HCI_ERR_INVALID_PARAMS	0x12
#define MP_HCI_ERR_UNKNOWN_ADV_ID	0x42

enum mp_hci_le_mode {
	MP_HCI_LE_AUTO = 0,	/* legacy, or extended if legacy is refused */
	MP_HCI_LE_LEGACY,
	MP_HCI_LE_EXTENDED,
};

/*
 * A capability around the kernel calls that check it (issue 12, Privileges).
 * Linux lets a raw HCI socket send, without CAP_NET_RAW, only the few
 * commands of its unprivileged list (net/bluetooth/hci_sock.c,
 * hci_sec_filter; no LE command is on it: EPERM at each send), and masks the
 * LE Meta event out of the filter of a caller without it. The owner (the
 * CLI, which decides what the process may hold) raises CAP_NET_RAW into
 * its effective set in raise() and lowers it in lower(); they bracket every
 * command written and the event filter set, nothing else. Measured on the
 * real kernel: tests/vm/scenarios/privs-caps.sh.
 */
struct mp_hci_priv {
	void (*raise)(void *user);
	void (*lower)(void *user);
	void *user;
};

/*
 * The kernel's LE setting of the controller (hci/mgmt.h; issue 16): LE
 * connections (PB-GATT, the GATT Proxy bearer) are refused without it;
 * scanning and advertising on the raw channel are not. mp_hci_open() reads
 * it, when asked, before the first packet is sent.
 */
enum mp_hci_le_policy {
	MP_HCI_LE_LEAVE = 0,	/* neither read nor change it (PB-ADV does not need it) */
	MP_HCI_LE_CHECK,	/* read it, change nothing */
	MP_HCI_LE_ENABLE,	/* read it, and turn it on when off (needs CAP_NET_ADMIN) */
};

/* What mp_hci_open() found and did about the LE setting. */
struct mp_hci_le_report {
	bool checked;		/* the policy asked for it */
	int index;		/* the controller checked (hciN) */
	int err;		/* 0: read; else -errno: the management interface could not
				 * be used (no control channel, an old kernel: nothing
				 * known, nothing changed) */
	uint8_t status;		/* err == -EPROTO: Read Controller Information's mgmt status */
	bool was_on;		/* on when read */
	bool le_on;		/* on now */
	bool turned_on;		/* this open turned it on (Set Low Energy) */
	uint8_t set_status;	/* Set LE was sent and refused: its mgmt status (0x14:
				 * Permission Denied, no CAP_NET_ADMIN), else 0 */
	int set_err;		/* Set LE was sent and got no answer: -errno, else 0 */
};

struct mp_hci_config {
	enum mp_hci_le_mode mode;
	uint32_t cmd_timeout_ms;	/* 0: 2000 */
	uint16_t scan_interval;		/* units of 0.625 ms, window = interval; 0: 0x0030 (30 ms) */
	uint16_t adv_interval_ms;	/* 0: 20 (the minimum, Core v5.4 Vol 6 Part B 4.4.2.2) */
	uint16_t adv_events;		/* advertising events per burst; 0: 3 */
	uint16_t adv_queue_max;		/* pending PDUs at most; 0: 256 */
	uint8_t adv_handle;		/* advertising set in extended mode; 0 by default */
	bool no_scan;			/* do not start scanning (tests, advertise-only) */
	const struct mp_hci_priv *priv;	/* NULL: the process's capabilities as they are;
					 * else it must outlive the object */
	/* The LE setting (mp_hci_open() only; mp_hci_new_fd() ignores it). */
	enum mp_hci_le_policy le;
	bool le_required;		/* LE still off after the policy: -ENOPROTOOPT */
	const struct mp_hci_priv *admin;	/* raises CAP_NET_ADMIN around the control
					 * socket's bind(); NULL: as they are */
	struct mp_hci_le_report *le_report;	/* filled when le != LEAVE; may be NULL */
};

/* Properties of an advertising report, whatever its kind. */
enum {
	MP_HCI_ADV_CONNECTABLE = 1u << 0,
	MP_HCI_ADV_SCANNABLE = 1u << 1,
	MP_HCI_ADV_DIRECTED = 1u << 2,
	MP_HCI_ADV_SCAN_RSP = 1u << 3,
	MP_HCI_ADV_LEGACY_PDU = 1u << 4,	/* a legacy PDU (always so in 0x02 reports) */
	MP_HCI_ADV_EXT_REPORT = 1u << 5,	/* came in an LE Extended Advertising Report */
};

/** Address types of reports. */
#define MP_HCI_ADDR_PUBLIC	0x00
#define MP_HCI_ADDR_RANDOM	0x01
#define MP_HCI_ADDR_ANONYMOUS	0xff

/** RSSI "not available". */
#define MP_HCI_RSSI_NONE	127

/** One advertising report, from either report event. */
struct mp_hci_adv_report {
	uint8_t addr[6];	/* LSB first, as in HCI */
	uint8_t addr_type;
	uint16_t event_type;	/* as received: legacy 0..4, or the extended bit field */
	uint32_t props;		/* MP_HCI_ADV_* */
	bool complete;		/* false for a fragment of extended data (Data_Status != 0) */
	int8_t rssi;		/* dBm, or MP_HCI_RSSI_NONE */
	const uint8_t *data;	/* advertising data, valid during the callback */
	size_t data_len;
};

struct mp_hci_ops {
	/** The start sequence finished: scanning runs (status 0) or it failed. Once. */
	void (*ready)(void *data, int status);
	/** An advertising report. */
	void (*adv_report)(void *data, const struct mp_hci_adv_report *r);
	/**
	 * The controller went away (dongle unplugged: -ENODEV; brought down:
	 * -ENETDOWN; hardware error or I/O failure: -EIO). Called once; every
	 * pending command and PDU then completes with the same error.
	 */
	void (*gone)(void *data, int err);
	/** Optional: every packet sent (@tx) or received, with its indicator
	 *  octet. For logging only: it must not call any mp_hci_* function. */
	void (*trace)(void *data, bool tx, const uint8_t *pkt, size_t len);
};

/** Completion of a command: @status as described above; @ret/@ret_len are
 *  the Return Parameters after the status octet (Command Complete only). */
typedef void (*mp_hci_cmd_cb)(void *data, int status, const uint8_t *ret, size_t ret_len);

/** Completion of a PB-ADV PDU: 0 once its burst is over, or the status that
 *  stopped it. */
typedef void (*mp_hci_adv_done_cb)(void *data, int status);

/* ---- lifecycle ---- */

/**
 * Open controller @index (-1: the first one that is up and LE-capable) on
 * the raw channel, and start (see mp_hci_ops.ready). @config may be NULL.
 * Returns 0 or a negative errno that mp_hci_hint() explains:
 * -ENODEV (no such controller), -ENETDOWN (it is down), -EPERM/-EACCES (no
 * CAP_NET_RAW), -EBUSY (another program holds it exclusively),
 * -EOPNOTSUPP (not LE-capable), -EAFNOSUPPORT (no Bluetooth in the kernel),
 * -ENOPROTOOPT (@config->le_required and LE is off in the kernel after
 * @config->le: nothing was sent; @config->le_report says why it stayed off).
 * With @config->le, the LE setting is read (and changed) through the
 * management interface first; when that interface cannot be used the open
 * goes on as without it (le_report->err says why).
 */
int mp_hci_open(struct mp_loop *loop, int index, const struct mp_hci_config *config,
		const struct mp_hci_ops *ops, void *data, struct mp_hci **out);

/**
 * Use @fd (a connected packet socket that speaks HCI packets with their
 * indicator octet) as the controller, and start. On success the fd becomes
 * the object's and is closed by mp_hci_close(); on failure it is left to the
 * caller. Returns 0, -EINVAL, -EEXIST (fd already watched), -ENOMEM.
 */
int mp_hci_new_fd(struct mp_loop *loop, int fd, const struct mp_hci_config *config,
		  const struct mp_hci_ops *ops, void *data, struct mp_hci **out);

/**
 * Switch off what this object switched on (advertising, its advertising set,
 * scanning unless somebody was already scanning when it started), close the
 * fd and free. The commands are written without waiting for their answers
 * (the kernel queues them for the controller). No callback is called from
 * here; pending commands and PDUs are dropped. Safe from any callback; NULL
 * is accepted.
 */
void mp_hci_close(struct mp_hci *hci);

/* ---- what the controller told us at start ---- */

/** Controller index, or -1 for an object made with mp_hci_new_fd(). */
int mp_hci_index(const struct mp_hci *hci);
/** The public address (LSB first); zero until Read BD_ADDR completed. */
const uint8_t *mp_hci_bdaddr(const struct mp_hci *hci);
/** The LE features bit mask (Core v5.4 Vol 6 Part B 4.6). */
uint64_t mp_hci_le_features(const struct mp_hci *hci);
/** True when scanning and advertising use the extended commands. */
bool mp_hci_extended(const struct mp_hci *hci);
/** True while scanning is enabled (by us). */
bool mp_hci_scanning(const struct mp_hci *hci);

/**
 * Switch scanning on or off after start: what the owner wants, applied as
 * soon as the start sequence is over and no other toggle is in flight (a
 * change of mind meanwhile wins). Only the enable command is sent: the
 * parameters written at start stay. PB-ADV advertising is not affected, but
 * a link gets no answer while scanning is off. A toggle the controller
 * refuses leaves scanning as it was (see mp_hci_scanning()). Returns 0,
 * -EINVAL to switch on an object made with no_scan, or the error the
 * controller went away with.
 */
int mp_hci_scan_enable(struct mp_hci *hci, bool on);

/**
 * Somebody else changed scanning (an LE connection attempt through the
 * kernel that ended without a Connection Complete): run the scanning
 * sequence again if scanning is wanted. Connection and Disconnection
 * Complete events do this by themselves.
 */
void mp_hci_scan_refresh(struct mp_hci *hci);

/**
 * While LE connections are being made through the kernel (@hold true),
 * leave scanning to it: Linux scans for the peers it must connect to, with
 * its own filter, and setting scanning up again in the middle of that can
 * stall its next connection. Restarts asked meanwhile (Connection Complete
 * events, refreshes) run when the hold ends.
 */
void mp_hci_scan_hold(struct mp_hci *hci, bool hold);

/* ---- commands ---- */

/**
 * Queue command @opcode with @len (0..255) parameter octets. @cb (may be
 * NULL) gets its completion. Returns 0, -EMSGSIZE, -ENOMEM, or the error the
 * controller went away with.
 */
int mp_hci_send_cmd(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len,
		    mp_hci_cmd_cb cb, void *data);

/* Advertising_Event_Properties (Core v5.4 Vol 4 Part E 7.8.53). */
#define MP_HCI_ADV_PROP_CONNECTABLE	0x0001
#define MP_HCI_ADV_PROP_SCANNABLE	0x0002
#define MP_HCI_ADV_PROP_LEGACY		0x0010

struct mp_writer;
/**
 * Write the parameters of LE Set Extended Advertising Parameters (Core v5.4
 * Vol 4 Part E 7.8.53) to @w: set @handle, event properties @props, primary
 * interval @units (0.625 ms) for min and max, all three channels, public
 * own address, no filter, no TX power preference, LE 1M, SID @sid. False
 * when @w ran out of room.
 */
bool mp_hci_put_ext_adv_params(struct mp_writer *w, uint8_t handle, uint16_t props,
			       uint32_t units, uint8_t sid);

/* ---- PB-ADV advertising ---- */

/**
 * Queue advertising data @ad (1..31 octets: whole AD structures, e.g. a
 * PB-ADV one) for a burst, on behalf of sender @key (say a link): PDUs of one
 * sender go in order, senders take turns. @done (may be NULL) gets the
 * result. Without @done, a PDU equal to one of the same sender still
 * waiting (not on the air yet) is not queued twice (0 is returned).
 * Returns 0, -EINVAL (bad length), -ENOBUFS (queue full), -EIO (the start
 * sequence failed), or the error the controller went away with.
 */
int mp_hci_adv_send(struct mp_hci *hci, uint32_t key, const uint8_t *ad, size_t len,
		    mp_hci_adv_done_cb done, void *data);

/**
 * Drop the PDUs of sender @key that are not on the air yet; their @done is
 * not called. A burst already running finishes, without calling its @done.
 */
void mp_hci_adv_cancel(struct mp_hci *hci, uint32_t key);

/** PDUs waiting or on the air. */
size_t mp_hci_adv_pending(const struct mp_hci *hci);

/* ---- for tests and fuzzing ---- */

/**
 * Handle one received packet (indicator octet first) as if read from the fd.
 * Returns 0 or -EBADMSG for a malformed packet (which is otherwise ignored).
 */
int mp_hci_process_packet(struct mp_hci *hci, const uint8_t *pkt, size_t len);

/* ---- decoding (pure) ---- */

/** A received event packet. */
struct mp_hci_event {
	uint8_t code;
	const uint8_t *params;
	size_t plen;
	/* Command Complete and Command Status */
	uint8_t ncmd;		/* Num_HCI_Command_Packets */
	uint16_t opcode;
	int status;		/* Command Status's status; Complete's first return octet, or
				 * -EBADMSG when it has none */
	const uint8_t *ret;	/* Command Complete: return parameters after the status */
	size_t ret_len;
	/* LE Meta */
	uint8_t subevent;
	const uint8_t *sub;	/* the subevent's parameters */
	size_t sublen;
};

/**
 * Decode an event packet [0x04][code][length][params]: the length must match
 * exactly, and Command Complete, Command Status, LE Meta must be long enough
 * for their fixed fields. Returns 0, -ENOMSG for a packet that is not an
 * event, -EBADMSG when malformed.
 */
int mp_hci_parse_event(const uint8_t *pkt, size_t len, struct mp_hci_event *ev);

/** Most reports one event can carry (Num_Reports is 0x01..0x19, Core v5.4 7.7.65.2). */
#define MP_HCI_MAX_REPORTS 25

/**
 * Decode the parameters of an LE Advertising Report (@subevent 0x02) or LE
 * Extended Advertising Report (0x0D) into @out (MP_HCI_MAX_REPORTS entries).
 * The whole event is checked before anything is returned: every report must
 * fit, legacy data be at most 31 octets, and nothing may follow the last
 * report. Returns the number of reports, or -EBADMSG, or -ENOMSG for another
 * subevent.
 */
int mp_hci_parse_adv_reports(uint8_t subevent, const uint8_t *params, size_t len,
			     struct mp_hci_adv_report *out);

/**
 * Encode a command packet [0x01][opcode LE][length][params] into @out.
 * Returns its length, or -EMSGSIZE when @len > 255 or it does not fit @cap.
 */
int mp_hci_encode_cmd(uint8_t *out, size_t cap, uint16_t opcode, const void *params,
		      size_t len);

/* ---- errors, and what to tell the user ---- */

/** The specification's name of HCI error code @code ("Command Disallowed"). */
const char *mp_hci_strerror(uint8_t code);

/**
 * Name a status value: "Command Disallowed (0x0c)" for an HCI code, the
 * strerror() text for a negative errno, "Success" for 0. Returns @buf.
 */
char *mp_hci_status_str(int status, char *buf, size_t len);

/** A program that may hold the controller. */
struct mp_hci_holder {
	int pid;
	char name[16];	/* "bluetoothd" or "bluetooth-meshd" */
};

/**
 * List the running bluetoothd and bluetooth-meshd processes, reading
 * @proc_root (NULL: "/proc") /<pid>/comm. Returns how many were found (at
 * most @max are stored).
 */
int mp_hci_find_holders(const char *proc_root, struct mp_hci_holder *out, size_t max);

/**
 * Explain @status (from mp_hci_open(), ready or gone) to a person, with the
 * fix: which command to run, or which program to stop (looked up under
 * @proc_root, NULL: "/proc"). @index is the controller (-1: unknown).
 * Returns @buf.
 */
char *mp_hci_hint(int status, int index, const char *proc_root, char *buf, size_t len);

#endif
