/* Shared between the files of the HCI transport (not installed). */
#ifndef MP_HCI_INTERNAL_H
#define MP_HCI_INTERNAL_H

#include "hci/hci.h"


/* LE features (Core v5.4 Vol 6 Part B 4.6). */
#define LE_FEAT_CONN_PARAM_REQ	(1ull << 1)
#define LE_FEAT_DATA_LEN_EXT	(1ull << 5)
#define LE_FEAT_LL_PRIVACY	(1ull << 6)
#define LE_FEAT_2M_PHY		(1ull << 8)
#define LE_FEAT_CODED_PHY	(1ull << 11)
#define LE_FEAT_EXT_ADV		(1ull << 12)
#define LE_FEAT_CSA2		(1ull << 14)

/* Linux's own events on raw sockets (EVT_STACK_INTERNAL / EVT_SI_DEVICE). */
#define EVT_LINUX_STACK_INTERNAL 0xfd
#define LINUX_SI_DEVICE		0x0001
#define LINUX_DEV_UNREG		2
#define LINUX_DEV_DOWN		4

struct hci_cmd {
	struct hci_cmd *next;
	uint16_t opcode;
	uint8_t len;
	uint8_t params[255];
	mp_hci_cmd_cb cb;
	void *data;
};

struct adv_pdu {
	struct adv_pdu *next;
	uint32_t key;
	uint8_t len;
	uint8_t ad[31];
	mp_hci_adv_done_cb done;
	void *data;
	bool cancelled;
};

/* A sender with PDUs waiting; senders form a round-robin queue. */
struct adv_sender {
	struct adv_sender *next;
	uint32_t key;
	struct adv_pdu *head, *tail;
};

/* Our LE scanning (hci_le.c has the transitions). In the states marked
 * (>), one scanning command of ours is in flight. */
enum scan_state {
	SCAN_UNTOUCHED,		/* no scanning command sent yet (or no_scan) */
	SCAN_SEQ_DISABLE,	/* (>) the sequence: scan enable, off */
	SCAN_SEQ_PARAMS,	/* (>) the sequence: our scan parameters */
	SCAN_SEQ_ENABLE,	/* (>) the sequence: scan enable, on */
	SCAN_ON,		/* scanning with our parameters */
	SCAN_OFF,		/* off; our parameters are in the controller */
	SCAN_OFF_LOST,		/* off; somebody scanned their way since */
	SCAN_TURNING_ON,	/* (>) scan enable, on, alone */
	SCAN_TURNING_OFF,	/* (>) scan enable, off */
};

/* One PDU's advertising burst (hci_le.c has the transitions). */
enum adv_state {
	ADV_IDLE,
	ADV_PARAMS,	/* advertising parameters */
	ADV_PRE_DISABLE,	/* advertising enable, off: somebody left it on */
	ADV_DATA,	/* advertising data */
	ADV_ENABLE,	/* advertising enable, on */
	ADV_ON,		/* advertising; the burst timer runs */
	ADV_DISABLE,	/* advertising enable, off: the burst is over */
};

struct mp_hci {
	struct mp_loop *loop;
	int fd;
	int index;
	struct mp_hci_config cfg;
	struct mp_hci_ops ops;
	void *data;

	/* Lifetime: entry points from the loop count themselves in depth; a
	 * close from inside a callback only marks the object, and the
	 * outermost entry point frees it on the way out. */
	int depth;
	bool closed;
	bool watching;
	int gone_err;		/* != 0 once the controller went away */
	int64_t gone_timer;	/* deferred report of a failure seen in a write */

	/* Commands */
	struct hci_cmd *q_head, *q_tail;
	struct hci_cmd *inflight;
	int inflight_err;	/* the write failed: complete with this */
	uint8_t credits;	/* Num_HCI_Command_Packets */
	int64_t cmd_timer;

	/* What the controller said at start */
	uint8_t bdaddr[6];
	uint64_t le_features;
	bool ready_sent;
	int init_status;

	/* Scanning: the state and the facts beside it (hci_le.c draws the
	 * transitions) */
	bool extended;		/* extended scan and advertising commands */
	enum scan_state scan_state;
	bool scan_seq_ext;	/* the sequence being run uses the extended commands */
	bool scan_want;		/* what the owner asked for (mp_hci_scan_enable) */
	bool scan_held;		/* connections being made: leave scanning to Linux */
	bool scan_restart_owed;	/* somebody scanned their way: restart once settled */
	bool scan_foreign;	/* reports arrived before we touched scanning:
				 * somebody else scans, and keeps scanning after us */

	/* Advertising */
	struct adv_sender *s_head, *s_tail;
	size_t adv_count;	/* queued + on the air */
	struct adv_pdu *cur;
	uint32_t last_key;	/* the sender served last */
	bool has_last_key;
	enum adv_state adv_state;
	bool adv_params_ok;
	bool adv_retried;	/* the Command Disallowed retry was used */
	bool adv_on;		/* we enabled advertising */
	bool adv_set_created;	/* extended: our advertising set exists */
	uint16_t adv_interval_ms;
	int64_t adv_timer;
};

/* hci_err.c: "hciN", or "the controller" for a negative @index */
/* Core v5.4 Vol 4 Part E 5.4.1: Parameter_Total_Length is one octet; the
 * legacy advertising data a PDU carries is 31 octets (7.8.7); BD_ADDR is 6. */
_Static_assert(sizeof(((struct hci_cmd *)0)->params) == 255, "HCI command parameters");
_Static_assert(sizeof(((struct adv_pdu *)0)->ad) == 31, "legacy advertising data");
_Static_assert(sizeof(((struct mp_hci *)0)->bdaddr) == 6, "BD_ADDR");

/* hci_err.c: "hciN", or "the controller" for a negative @index */
void mp__hci_dev_name(int index, char *buf, size_t len);

/* hci.c */
void mp__hci_enter(struct mp_hci *hci);
bool mp__hci_leave(struct mp_hci *hci);
int mp__hci_queue(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len,
		  mp_hci_cmd_cb cb);
bool mp__hci_write_now(struct mp_hci *hci, uint16_t opcode, const void *params, size_t len);
void mp__hci_init_done(struct mp_hci *hci, int status);

/* hci_le.c */
void mp__hci_scan_start(struct mp_hci *hci);
void mp__hci_scan_apply(struct mp_hci *hci);
void mp__hci_scan_restart(struct mp_hci *hci);
void mp__hci_scan_hold(struct mp_hci *hci, bool hold);
void mp__hci_scan_report_seen(struct mp_hci *hci);
bool mp__hci_scan_is_on(const struct mp_hci *hci);
void mp__hci_adv_kick(struct mp_hci *hci);
void mp__hci_adv_flush(struct mp_hci *hci, int err);
void mp__hci_adv_free_all(struct mp_hci *hci);
void mp__hci_restore(struct mp_hci *hci);

#endif
