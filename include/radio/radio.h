/* The radio under the engine: what sends advertisements, makes PB-GATT's
 * connections, and delivers the advertising reports it hears to the one
 * receiver that attached itself (the engine). Two implementations: the
 * controller through a raw HCI socket (radio/hci_radio.c) and the simulated
 * radio (sim/radio.c). Whoever creates a radio hands it to the engine and
 * never sees its reports: they go straight to the receiver.
 */
#ifndef MP_RADIO_RADIO_H
#define MP_RADIO_RADIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One advertising report as heard. @data is the AD structures (valid during
 * the call only). */
struct mp_adv_report {
	const uint8_t *data;
	size_t len;
	int8_t rssi;			/* dBm; 127 when unknown */
	uint8_t addr[6];		/* little-endian, as HCI gives it */
	uint8_t addr_type;		/* 0 public, 1 random */
	bool connectable;
};

struct mp_radio_conn;

/* What the radio delivers to its receiver. Callbacks come from the loop,
 * never from inside an mp_radio_ops call. */
struct mp_radio_receiver {
	/** One advertising report, whole (a radio reassembles or drops
	 *  fragments of extended advertising data). */
	void (*report)(void *user, const struct mp_adv_report *r);
	/** The radio is gone (-ENODEV unplugged, -ENETDOWN down, -EIO): no
	 *  report follows, and what was sent or connected is lost. May be
	 *  NULL. */
	void (*lost)(void *user, int err);
};

/* What a connection (PB-GATT's LE link, ATT fixed channel) tells its owner.
 * Callbacks come from the loop, never from inside an mp_radio_ops call. */
struct mp_radio_conn_cb {
	/** Connected (@err 0), or the connection could not be made (then
	 *  nothing follows; the owner still calls conn_close()). */
	void (*connected)(void *owner, int err);
	/** One ATT PDU from the peer (valid during the call only). */
	void (*rx)(void *owner, const uint8_t *pdu, size_t len);
	/** The connection dropped (@err: -ECONNRESET by the peer, -ETIMEDOUT
	 *  supervision timeout, -ENODEV the controller is gone, ...); nothing
	 *  follows; the owner still calls conn_close(). */
	void (*disconnected)(void *owner, int err);
};

struct mp_radio_ops {
	const char *name;
	/**
	 * Deliver what the radio hears to @rcv (with @user) from now on, or
	 * to nobody (@rcv NULL: reports are dropped). One receiver at a
	 * time: -EBUSY while another is attached. 0 or -errno.
	 */
	int (*attach)(void *ctx, const struct mp_radio_receiver *rcv, void *user);
	/**
	 * Advertise @len octets of AD structures (at most 31) as one
	 * non-connectable burst. @sender (the link's Link ID) groups the PDUs
	 * of one link so that several links are interleaved fairly. 0 once
	 * queued, or -errno.
	 */
	int (*advertise)(void *ctx, const uint8_t *ad, size_t len, uint32_t sender);
	/**
	 * Drop whatever of @sender is still queued: its link was cut short.
	 * Not called for a link that closed, whose Link Close copies must
	 * still go out.
	 */
	void (*forget)(void *ctx, uint32_t sender);
	/**
	 * Listen (deliver advertising reports) or not. Optional: NULL for a
	 * radio that always listens. Radios start listening. 0 or -errno.
	 */
	int (*scan)(void *ctx, bool on);
	/**
	 * Connect to the device advertising from @addr (LSB first) of LE
	 * address type @addr_type (0 public, 1 random) for ATT: 0 and the
	 * connection in *@out, then cb->connected() later; or -errno now.
	 * Optional: NULL for a radio without connections (no PB-GATT).
	 */
	int (*connect)(void *ctx, const uint8_t addr[6], uint8_t addr_type,
		       const struct mp_radio_conn_cb *cb, void *owner, struct mp_radio_conn **out);
	/** Send one ATT PDU on a connected connection. 0 or -errno. */
	int (*conn_send)(struct mp_radio_conn *c, const uint8_t *pdu, size_t len);
	/** Disconnect (or give up connecting) and free; no callback follows. */
	void (*conn_close)(struct mp_radio_conn *c);
};

struct mp_radio {
	const struct mp_radio_ops *ops;
	void *ctx;
};

#endif
