/* An LE ATT channel over a kernel L2CAP socket, driven by the loop.
 *
 * PB-GATT (MshPRT v1.1 5.2.2) runs over the Attribute Protocol, and ATT over
 * LE runs on the L2CAP fixed channel 0x0004 (Core v5.4 Vol 3 Part A 2.1).
 * Linux gives that channel as an AF_BLUETOOTH / SOCK_SEQPACKET / BTPROTO_L2CAP
 * socket bound with l2_cid 4: one read or write is one ATT PDU, and the
 * kernel creates the LE link underneath (and drops it about 2 s after the
 * last socket on it is closed).
 *
 * What the kernel does (Linux 6.1, seen with btmon in the VM tests):
 *  - it makes LE connections only on a controller whose LE support it has
 *    enabled (mgmt Set Low Energy: bluetoothd sends it; a dual-mode
 *    controller brought up with `hciconfig up` alone does not have it, and
 *    connect() fails with ECONNREFUSED);
 *  - to connect it runs its own scan: scanning off (whoever had switched it
 *    on), the peer into the accept list, its own scan parameters (filter
 *    policy: accept list only; the extended commands when the controller
 *    has them, whatever family a raw socket used), scanning on; at the
 *    peer's report, scanning off and LE Extended Create Connection;
 *  - then it leaves scanning off. A raw HCI socket that was scanning gets
 *    no report until it starts its scan again, parameters included (only
 *    enabling would keep the kernel's accept-list filter).
 *
 * One struct mp_l2cap is one channel in one of three roles:
 *  - connect: mp_l2cap_connect() starts a non-blocking connect; connected()
 *    reports the outcome (or -ETIMEDOUT after the configured time);
 *  - listen: mp_l2cap_listen() waits for the first incoming connection on
 *    the ATT channel of the controller, accepts it and stops listening;
 *    connected() reports it;
 *  - an fd of the caller's (mp_l2cap_new_fd): a SOCK_SEQPACKET socket
 *    already connected, connecting or listening, e.g. one end of a
 *    socketpair(AF_UNIX, SOCK_SEQPACKET): unit tests cover everything but
 *    the socket() and bind() calls without Bluetooth.
 * Once connected, mp_l2cap_send() writes one PDU (queued while the socket
 * is full), rx() gets each PDU received, and disconnected() reports the end.
 *
 * Callbacks run from the loop only, never from inside an mp_l2cap_* call, and
 * may call anything here, mp_l2cap_close() included.
 *
 * Addresses are 6 octets, least significant first (as in HCI and in
 * advertising reports); address types are those of advertising reports:
 * MP_L2CAP_ADDR_PUBLIC (0x00) or MP_L2CAP_ADDR_RANDOM (0x01).
 */
#ifndef MP_HCI_L2CAP_H
#define MP_HCI_L2CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"

/** The LE L2CAP fixed channel of the Attribute Protocol (Core v5.4 Vol 3 Part A 2.1). */
#define MP_L2CAP_CID_ATT	0x0004

/** LE address types, as in HCI advertising reports (Core v5.4 Vol 4 Part E 7.7.65.2). */
#define MP_L2CAP_ADDR_PUBLIC	0x00
#define MP_L2CAP_ADDR_RANDOM	0x01

/** Largest PDU sent or received: ATT_MTU is at most 517 (Core v5.4 Vol 3 Part F 3.2.8). */
#define MP_L2CAP_PDU_MAX	1024

/** Default connect timeout: above the kernel's own LE connection timeout (20 s). */
#define MP_L2CAP_CONNECT_TIMEOUT_MS	25000
/** Default number of PDUs mp_l2cap_send() may queue while the socket is full. */
#define MP_L2CAP_QUEUE_MAX	64

enum mp_l2cap_state {
	MP_L2CAP_CONNECTING,	/* connect in progress */
	MP_L2CAP_LISTENING,	/* waiting for the first incoming connection */
	MP_L2CAP_CONNECTED,
	MP_L2CAP_CLOSED,	/* connect failed, or disconnected: only close() is left */
};

struct mp_l2cap;

struct mp_l2cap_ops {
	/**
	 * The connect or the wait for an incoming connection ended: 0 when the
	 * channel is up, else a negative errno (mp_l2cap_hint() explains it)
	 * and the channel is CLOSED. Once; never for an fd given as connected.
	 */
	void (*connected)(void *data, int err);
	/** One ATT PDU from the peer; @pdu is valid during the call only. */
	void (*rx)(void *data, const uint8_t *pdu, size_t len);
	/**
	 * The channel went down after it was up: the socket's error
	 * (-ETIMEDOUT: supervision timeout; -ECONNABORTED, -EHOSTDOWN...), or
	 * -ECONNRESET when the peer ended it without one (the link was closed,
	 * the other end of a socketpair was closed). Once; then CLOSED.
	 */
	void (*disconnected)(void *data, int err);
};

struct mp_l2cap_config {
	/* Controller hciN whose address the socket is bound to; -1: any (the
	 * kernel picks a route). Not used by mp_l2cap_new_fd(). */
	int index;
	/* Connect: the peer, LSB first, and its address type. */
	uint8_t peer[6];
	uint8_t peer_type;
	/* Connect: give up after this long (0: MP_L2CAP_CONNECT_TIMEOUT_MS).
	 * Listen: stop waiting after this long (0: no limit). */
	uint32_t timeout_ms;
	/* PDUs queued at most while the socket is full (0: MP_L2CAP_QUEUE_MAX). */
	uint16_t queue_max;
};

/**
 * Connect to the ATT channel of @cfg->peer from controller @cfg->index.
 * Returns 0 (connected() follows) or a negative errno from the socket calls:
 * -ENODEV (no such controller), -ENETDOWN (it is down), -EADDRINUSE (the
 * ATT channel of that controller is taken, by bluetoothd for one),
 * -EAFNOSUPPORT (no Bluetooth in the kernel), -EINVAL (bad address type),
 * -EHOSTUNREACH, -EBUSY (another LE connection attempt in progress),
 * -ECONNREFUSED (LE not enabled in the kernel for that controller: a
 * dual-mode controller needs mgmt's Set Low Energy, which bluetoothd sends
 * and a bare `hciconfig up` does not)...
 */
int mp_l2cap_connect(struct mp_loop *loop, const struct mp_l2cap_config *cfg,
		     const struct mp_l2cap_ops *ops, void *data, struct mp_l2cap **out);

/**
 * Listen on the ATT channel of controller @cfg->index (LE public address)
 * and accept the first connection (connected() then; the listening socket
 * is closed). Returns 0 or a negative errno as mp_l2cap_connect().
 */
int mp_l2cap_listen(struct mp_loop *loop, const struct mp_l2cap_config *cfg,
		    const struct mp_l2cap_ops *ops, void *data, struct mp_l2cap **out);

/**
 * Wrap @fd, a non-blocking SOCK_SEQPACKET socket in @state: CONNECTED
 * (ready for I/O), CONNECTING (a connect() returned EINPROGRESS: it is done
 * when the socket becomes writable, with its SO_ERROR) or LISTENING
 * (listen() was called). @cfg may be NULL (defaults; only timeout_ms and
 * queue_max are used). On success the fd is the object's and mp_l2cap_close()
 * closes it; on failure it is left to the caller. Returns 0, -EINVAL,
 * -EEXIST (fd already watched), -ENOMEM.
 */
int mp_l2cap_new_fd(struct mp_loop *loop, int fd, enum mp_l2cap_state state,
		    const struct mp_l2cap_config *cfg, const struct mp_l2cap_ops *ops,
		    void *data, struct mp_l2cap **out);

/**
 * Send one PDU (1..MP_L2CAP_PDU_MAX octets; copied). Written at once when
 * the socket takes it, else queued and written as it drains, in order.
 * Returns 0, -ENOTCONN unless CONNECTED, -EINVAL (NULL or empty), -EMSGSIZE,
 * -ENOBUFS (queue full), or the socket's error when the channel turns out
 * to be broken (disconnected() then follows from the loop).
 */
int mp_l2cap_send(struct mp_l2cap *ch, const uint8_t *pdu, size_t len);

/** PDUs queued and not yet written to the socket. */
size_t mp_l2cap_pending(const struct mp_l2cap *ch);

/** The channel's state. */
enum mp_l2cap_state mp_l2cap_state(const struct mp_l2cap *ch);

/**
 * The peer of a Bluetooth channel once connected or accepted: its address
 * (LSB first) and type. Returns 0, -ENOTCONN before that, -EAFNOSUPPORT for
 * an fd that is not a Bluetooth socket.
 */
int mp_l2cap_peer(const struct mp_l2cap *ch, uint8_t addr[6], uint8_t *type);

/**
 * Close the socket without waiting (the kernel tears the link down when
 * nothing else uses it) and free. No callback is called from here. Safe
 * from any callback; NULL is accepted.
 */
void mp_l2cap_close(struct mp_l2cap *ch);

/**
 * Explain @err (from mp_l2cap_connect/listen, connected or disconnected) to
 * a person, with what to check. @index names the controller (-1: unknown).
 * Returns @buf.
 */
char *mp_l2cap_hint(int err, int index, char *buf, size_t len);

#endif
