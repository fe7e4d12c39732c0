/* hci/l2cap: the ATT channel's socket machinery on AF_UNIX SOCK_SEQPACKET
 * sockets (one message = one PDU, as on an L2CAP fixed channel): PDU
 * boundaries both ways, the send queue, the end of the channel, connect
 * completion and timeout, accepting one connection, closing from callbacks,
 * and the hints. A fake clock drives the timeouts: nothing sleeps. */
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/loop.h"
#include "hci/l2cap.h"

struct fixture {
	struct mp_loop *loop;
	uint64_t now;
	int sp[2];		/* sp[0]: the channel's, sp[1]: the peer's */
	bool sp0_taken;		/* sp[0] belongs to the channel */
	struct mp_l2cap *ch;
	/* what the callbacks saw */
	int connected_calls, connected_err;
	int disc_calls, disc_err;
	int rx_calls;
	uint8_t rx[8][MP_L2CAP_PDU_MAX];
	size_t rx_len[8];
	/* what they do */
	bool close_in_rx, close_in_disc, close_in_connected, send_in_connected;
};

static uint64_t fake_now(void *data)
{
	return ((struct fixture *)data)->now;
}

static void cb_connected(void *data, int err)
{
	struct fixture *f = data;

	f->connected_calls++;
	f->connected_err = err;
	if (f->send_in_connected && !err)
		assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x02\x17\x00", 3), 0);
	if (f->close_in_connected) {
		mp_l2cap_close(f->ch);
		f->ch = NULL;
	}
}

static void cb_rx(void *data, const uint8_t *pdu, size_t len)
{
	struct fixture *f = data;

	if (f->rx_calls < 8) {
		memcpy(f->rx[f->rx_calls], pdu, len);
		f->rx_len[f->rx_calls] = len;
	}
	f->rx_calls++;
	if (f->close_in_rx) {
		mp_l2cap_close(f->ch);
		f->ch = NULL;
	}
}

static void cb_disc(void *data, int err)
{
	struct fixture *f = data;

	f->disc_calls++;
	f->disc_err = err;
	if (f->close_in_disc) {
		mp_l2cap_close(f->ch);
		f->ch = NULL;
	}
}

static const struct mp_l2cap_ops ops = { cb_connected, cb_rx, cb_disc };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(mp_loop_new(&f->loop), 0);
	f->now = 1000;
	mp_loop_set_clock(f->loop, fake_now, f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
				    f->sp), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mp_l2cap_close(f->ch);	/* closes the fd it took */
	if (!f->sp0_taken)
		close(f->sp[0]);
	if (f->sp[1] >= 0)
		close(f->sp[1]);
	mp_loop_free(f->loop);
	free(f);
	return 0;
}

/* The channel on sp[0], already connected. */
static void wrap_connected(struct fixture *f, const struct mp_l2cap_config *cfg)
{
	assert_int_equal(mp_l2cap_new_fd(f->loop, f->sp[0], MP_L2CAP_CONNECTED, cfg, &ops, f,
					 &f->ch), 0);
	f->sp0_taken = true;
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CONNECTED);
}

static void run(struct fixture *f)
{
	while (mp_loop_run_once(f->loop, 0) > 0)
		;
}

/* Advance the fake clock by @ms and run what is due. */
static void advance(struct fixture *f, uint64_t ms)
{
	f->now += ms;
	run(f);
}

static size_t peer_recv(struct fixture *f, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(f->sp[1], buf, cap, MSG_DONTWAIT);

	assert_true(n >= 0);
	return (size_t)n;
}

/* Fill sp[0]'s way to the peer until a send would block. */
static void fill(int fd)
{
	uint8_t junk[512] = { 0 };

	while (send(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void drain(int fd)
{
	uint8_t buf[2048];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* ---- PDUs both ways ---- */

/* Core v5.4 Vol 3 Part F 3.4.2.1: ATT_EXCHANGE_MTU_REQ, then RSP. */
static void test_send_keeps_pdu_boundaries(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64];

	wrap_connected(f, NULL);
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x02\x05\x02", 3), 0);
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x03\x17\x00", 3), 0);
	assert_int_equal(mp_l2cap_pending(f->ch), 0);
	assert_int_equal(peer_recv(f, buf, sizeof(buf)), 3);
	tu_assert_bytes(buf, (const uint8_t *)"\x02\x05\x02", 3);
	assert_int_equal(peer_recv(f, buf, sizeof(buf)), 3);
	tu_assert_bytes(buf, (const uint8_t *)"\x03\x17\x00", 3);
	assert_int_equal(f->connected_calls, 0);	/* given connected: no callback */
}

static void test_rx_one_callback_per_pdu(void **state)
{
	struct fixture *f = *state;
	uint8_t big[MP_L2CAP_PDU_MAX];

	wrap_connected(f, NULL);
	memset(big, 0xa5, sizeof(big));
	assert_int_equal(send(f->sp[1], "\x02\x05\x02", 3, 0), 3);
	assert_int_equal(send(f->sp[1], "\x1b\x03\x00\x01", 4, 0), 4);
	assert_int_equal(send(f->sp[1], big, sizeof(big), 0), (ssize_t)sizeof(big));
	run(f);
	assert_int_equal(f->rx_calls, 3);
	assert_int_equal(f->rx_len[0], 3);
	tu_assert_bytes(f->rx[0], (const uint8_t *)"\x02\x05\x02", 3);
	assert_int_equal(f->rx_len[1], 4);
	tu_assert_bytes(f->rx[1], (const uint8_t *)"\x1b\x03\x00\x01", 4);
	assert_int_equal(f->rx_len[2], sizeof(big));
	tu_assert_bytes(f->rx[2], big, sizeof(big));
	assert_int_equal(f->disc_calls, 0);
}

/* Longer than any ATT_MTU: dropped, and the next PDU still arrives. */
static void test_rx_drops_oversized(void **state)
{
	struct fixture *f = *state;
	uint8_t huge[MP_L2CAP_PDU_MAX + 1] = { 0x52 };

	wrap_connected(f, NULL);
	assert_int_equal(send(f->sp[1], huge, sizeof(huge), 0), (ssize_t)sizeof(huge));
	assert_int_equal(send(f->sp[1], "\x0a\x01\x00", 3, 0), 3);
	run(f);
	assert_int_equal(f->rx_calls, 1);
	tu_assert_bytes(f->rx[0], (const uint8_t *)"\x0a\x01\x00", 3);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CONNECTED);
}

static void test_send_argument_checks(void **state)
{
	struct fixture *f = *state;
	uint8_t big[MP_L2CAP_PDU_MAX + 1] = { 0 };

	wrap_connected(f, NULL);
	assert_int_equal(mp_l2cap_send(f->ch, NULL, 3), -EINVAL);
	assert_int_equal(mp_l2cap_send(f->ch, big, 0), -EINVAL);
	assert_int_equal(mp_l2cap_send(NULL, big, 1), -EINVAL);
	assert_int_equal(mp_l2cap_send(f->ch, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(mp_l2cap_send(f->ch, big, MP_L2CAP_PDU_MAX), 0);
}

static void test_new_fd_argument_checks(void **state)
{
	struct fixture *f = *state;
	struct mp_l2cap *other = NULL;

	assert_int_equal(mp_l2cap_new_fd(NULL, f->sp[0], MP_L2CAP_CONNECTED, NULL, &ops, f,
					 &other), -EINVAL);
	assert_int_equal(mp_l2cap_new_fd(f->loop, -1, MP_L2CAP_CONNECTED, NULL, &ops, f,
					 &other), -EINVAL);
	assert_int_equal(mp_l2cap_new_fd(f->loop, f->sp[0], MP_L2CAP_CLOSED, NULL, &ops, f,
					 &other), -EINVAL);
	assert_int_equal(mp_l2cap_new_fd(f->loop, f->sp[0], MP_L2CAP_CONNECTED, NULL, NULL, f,
					 &other), -EINVAL);
	wrap_connected(f, NULL);
	/* the same fd twice: the loop refuses the second watch */
	assert_int_equal(mp_l2cap_new_fd(f->loop, f->sp[0], MP_L2CAP_CONNECTED, NULL, &ops, f,
					 &other), -EEXIST);
	assert_null(other);
}

/* A full socket: PDUs wait in order, the queue has a bound, and everything
 * goes out as the peer reads. */
static void test_send_queue_drains_in_order(void **state)
{
	struct fixture *f = *state;
	struct mp_l2cap_config cfg = { .queue_max = 4 };
	uint8_t pdu[200], buf[600];
	unsigned int sent = 0, got = 0, i;
	int r;

	wrap_connected(f, &cfg);
	memset(pdu, 0, sizeof(pdu));
	/* numbered PDUs until four are queued */
	for (;;) {
		pdu[0] = 0x52;
		pdu[1] = (uint8_t)sent;
		pdu[2] = (uint8_t)(sent >> 8);
		r = mp_l2cap_send(f->ch, pdu, sizeof(pdu));
		if (r == -ENOBUFS)
			break;
		assert_int_equal(r, 0);
		sent++;
		assert_true(sent < 100000);
	}
	assert_int_equal(mp_l2cap_pending(f->ch), 4);
	/* the peer reads; the loop writes the queue as room appears */
	for (i = 0; i < 100000 && got < sent; i++) {
		ssize_t n = recv(f->sp[1], buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			assert_true(errno == EAGAIN);
			run(f);
			continue;
		}
		assert_int_equal(n, sizeof(pdu));
		assert_int_equal(buf[1] | buf[2] << 8, got & 0xffff);
		got++;
		run(f);
	}
	assert_int_equal(got, sent);
	assert_int_equal(mp_l2cap_pending(f->ch), 0);
	/* and a send goes straight out again */
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x01", 1), 0);
	assert_int_equal(mp_l2cap_pending(f->ch), 0);
}

/* ---- the end ---- */

static void test_peer_close_disconnects_once(void **state)
{
	struct fixture *f = *state;

	wrap_connected(f, NULL);
	assert_int_equal(send(f->sp[1], "\x02\x05\x02", 3, 0), 3);
	close(f->sp[1]);
	f->sp[1] = -1;
	run(f);
	/* what was sent before the close still arrives, then the end */
	assert_int_equal(f->rx_calls, 1);
	assert_int_equal(f->disc_calls, 1);
	assert_int_equal(f->disc_err, -ECONNRESET);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CLOSED);
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x01", 1), -ENOTCONN);
	run(f);
	assert_int_equal(f->disc_calls, 1);
}

/* A send that finds the peer gone returns the error; disconnected() comes
 * from the loop, not from inside the send. */
static void test_send_to_closed_peer(void **state)
{
	struct fixture *f = *state;

	wrap_connected(f, NULL);
	close(f->sp[1]);
	f->sp[1] = -1;
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x02\x05\x02", 3), -EPIPE);
	assert_int_equal(f->disc_calls, 0);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CLOSED);
	run(f);
	assert_int_equal(f->disc_calls, 1);
	assert_int_equal(f->disc_err, -EPIPE);
	run(f);
	assert_int_equal(f->disc_calls, 1);
}

static void test_close_from_rx(void **state)
{
	struct fixture *f = *state;

	wrap_connected(f, NULL);
	f->close_in_rx = true;
	assert_int_equal(send(f->sp[1], "\x02\x05\x02", 3, 0), 3);
	assert_int_equal(send(f->sp[1], "\x02\x05\x02", 3, 0), 3);
	run(f);
	assert_int_equal(f->rx_calls, 1);	/* nothing after the close */
	assert_null(f->ch);
	assert_int_equal(f->disc_calls, 0);
	/* our end is closed (with the second PDU unread: a reset) */
	assert_int_equal(recv(f->sp[1], (uint8_t[4]){ 0 }, 4, MSG_DONTWAIT), -1);
	assert_int_equal(errno, ECONNRESET);
}

static void test_close_from_disconnected(void **state)
{
	struct fixture *f = *state;

	wrap_connected(f, NULL);
	f->close_in_disc = true;
	close(f->sp[1]);
	f->sp[1] = -1;
	run(f);
	assert_int_equal(f->disc_calls, 1);
	assert_null(f->ch);
}

/* Closed between a failed send and the deferred callback: no callback. */
static void test_close_cancels_deferred_disconnect(void **state)
{
	struct fixture *f = *state;

	wrap_connected(f, NULL);
	close(f->sp[1]);
	f->sp[1] = -1;
	assert_true(mp_l2cap_send(f->ch, (const uint8_t *)"\x01", 1) < 0);
	mp_l2cap_close(f->ch);
	f->ch = NULL;
	run(f);
	assert_int_equal(f->disc_calls, 0);
	mp_l2cap_close(NULL);
}

/* ---- connecting ---- */

static void wrap_connecting(struct fixture *f, uint32_t timeout_ms)
{
	struct mp_l2cap_config cfg = { .timeout_ms = timeout_ms };

	fill(f->sp[0]);		/* not writable: the "connect" is not done */
	assert_int_equal(mp_l2cap_new_fd(f->loop, f->sp[0], MP_L2CAP_CONNECTING, &cfg, &ops, f,
					 &f->ch), 0);
	f->sp0_taken = true;
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CONNECTING);
}

static void test_connect_completes_when_writable(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8], addr[6], type;

	wrap_connecting(f, 5000);
	f->send_in_connected = true;
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x01", 1), -ENOTCONN);
	run(f);
	assert_int_equal(f->connected_calls, 0);
	drain(f->sp[1]);
	run(f);
	assert_int_equal(f->connected_calls, 1);
	assert_int_equal(f->connected_err, 0);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CONNECTED);
	/* a socketpair has no Bluetooth peer address */
	assert_int_equal(mp_l2cap_peer(f->ch, addr, &type), -EAFNOSUPPORT);
	/* what connected() sent is on its way, and the timeout is gone */
	assert_int_equal(peer_recv(f, buf, sizeof(buf)), 3);
	tu_assert_bytes(buf, (const uint8_t *)"\x02\x17\x00", 3);
	advance(f, 10000);
	assert_int_equal(f->connected_calls, 1);
	assert_int_equal(f->disc_calls, 0);
	assert_int_equal(send(f->sp[1], "\x03\x05\x02", 3, 0), 3);
	run(f);
	assert_int_equal(f->rx_calls, 1);
}

static void test_connect_times_out(void **state)
{
	struct fixture *f = *state;
	uint8_t addr[6], type;

	wrap_connecting(f, 5000);
	assert_int_equal(mp_l2cap_peer(f->ch, addr, &type), -ENOTCONN);
	advance(f, 4999);
	assert_int_equal(f->connected_calls, 0);
	advance(f, 1);
	assert_int_equal(f->connected_calls, 1);
	assert_int_equal(f->connected_err, -ETIMEDOUT);
	assert_int_equal(f->disc_calls, 0);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CLOSED);
	/* no I/O any more, even when it would be writable now */
	drain(f->sp[1]);
	run(f);
	assert_int_equal(f->connected_calls, 1);
}

/* No timeout given: the default, not forever. */
static void test_connect_default_timeout(void **state)
{
	struct fixture *f = *state;

	wrap_connecting(f, 0);
	advance(f, MP_L2CAP_CONNECT_TIMEOUT_MS - 1);
	assert_int_equal(f->connected_calls, 0);
	advance(f, 1);
	assert_int_equal(f->connected_err, -ETIMEDOUT);
}

static void test_close_from_connected(void **state)
{
	struct fixture *f = *state;

	wrap_connecting(f, 5000);
	f->close_in_connected = true;
	advance(f, 5000);
	assert_int_equal(f->connected_calls, 1);
	assert_null(f->ch);
}

/* ---- listening: one connection accepted ---- */

static int listener(struct sockaddr_un *sa, socklen_t *salen)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	static unsigned int seq;

	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* abstract name: nothing on the file system */
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			     (size_t)snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
					      "mp-test-l2cap-%d-%u", (int)getpid(), seq++));
	assert_int_equal(bind(fd, (struct sockaddr *)sa, *salen), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_listen_accepts_one(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa;
	socklen_t salen;
	int lfd = listener(&sa, &salen), c, c2;
	uint8_t buf[8];

	assert_int_equal(mp_l2cap_new_fd(f->loop, lfd, MP_L2CAP_LISTENING, NULL, &ops, f,
					 &f->ch), 0);
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x01", 1), -ENOTCONN);
	run(f);
	assert_int_equal(f->connected_calls, 0);
	c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, salen), 0);
	run(f);
	assert_int_equal(f->connected_calls, 1);
	assert_int_equal(f->connected_err, 0);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_CONNECTED);
	/* both ways over the accepted socket */
	assert_int_equal(send(c, "\x02\x05\x02", 3, 0), 3);
	run(f);
	assert_int_equal(f->rx_calls, 1);
	tu_assert_bytes(f->rx[0], (const uint8_t *)"\x02\x05\x02", 3);
	assert_int_equal(mp_l2cap_send(f->ch, (const uint8_t *)"\x03\x17\x00", 3), 0);
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 3);
	tu_assert_bytes(buf, (const uint8_t *)"\x03\x17\x00", 3);
	/* the listening socket is gone: nobody takes a second connection */
	c2 = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, salen), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(c2);
	/* and the accepted one ends like any other */
	close(c);
	run(f);
	assert_int_equal(f->disc_calls, 1);
	assert_int_equal(f->disc_err, -ECONNRESET);
}

static void test_listen_timeout(void **state)
{
	struct fixture *f = *state;
	struct mp_l2cap_config cfg = { .timeout_ms = 30000 };
	struct sockaddr_un sa;
	socklen_t salen;
	int lfd = listener(&sa, &salen);

	assert_int_equal(mp_l2cap_new_fd(f->loop, lfd, MP_L2CAP_LISTENING, &cfg, &ops, f,
					 &f->ch), 0);
	advance(f, 29999);
	assert_int_equal(f->connected_calls, 0);
	advance(f, 1);
	assert_int_equal(f->connected_calls, 1);
	assert_int_equal(f->connected_err, -ETIMEDOUT);
}

/* Listening without a timeout waits as long as it takes. */
static void test_listen_without_timeout(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa;
	socklen_t salen;
	int lfd = listener(&sa, &salen);

	assert_int_equal(mp_l2cap_new_fd(f->loop, lfd, MP_L2CAP_LISTENING, NULL, &ops, f,
					 &f->ch), 0);
	advance(f, 24 * 3600 * 1000ull);
	assert_int_equal(f->connected_calls, 0);
	assert_int_equal(mp_l2cap_state(f->ch), MP_L2CAP_LISTENING);
}

/* ---- Bluetooth entry points: what is checked before any socket ---- */

static void test_connect_rejects_bad_address_type(void **state)
{
	struct fixture *f = *state;
	struct mp_l2cap_config cfg = { .index = -1, .peer_type = 2 };
	struct mp_l2cap *ch = NULL;

	assert_int_equal(mp_l2cap_connect(f->loop, &cfg, &ops, f, &ch), -EINVAL);
	assert_int_equal(mp_l2cap_connect(f->loop, NULL, &ops, f, &ch), -EINVAL);
	assert_int_equal(mp_l2cap_listen(f->loop, &cfg, NULL, f, &ch), -EINVAL);
	assert_null(ch);
}

/* ---- hints ---- */

static void test_hints_name_the_fix(void **state)
{
	char buf[256];

	assert_non_null(strstr(mp_l2cap_hint(-ETIMEDOUT, 0, buf, sizeof(buf)), "advertising"));
	assert_non_null(strstr(mp_l2cap_hint(-ENETDOWN, 1, buf, sizeof(buf)),
			       "hciconfig hci1 up"));
	assert_non_null(strstr(mp_l2cap_hint(-ENODEV, 7, buf, sizeof(buf)), "hci7"));
	assert_non_null(strstr(mp_l2cap_hint(-EADDRINUSE, 0, buf, sizeof(buf)), "bluetoothd"));
	assert_non_null(strstr(mp_l2cap_hint(-EAFNOSUPPORT, -1, buf, sizeof(buf)), "modprobe"));
	assert_non_null(strstr(mp_l2cap_hint(-ECONNRESET, 0, buf, sizeof(buf)), "closed"));
	assert_non_null(strstr(mp_l2cap_hint(-EBUSY, 2, buf, sizeof(buf)), "hci2"));
	/* a dual-mode controller without bluetoothd: LE is off in the kernel */
	assert_non_null(strstr(mp_l2cap_hint(-ECONNREFUSED, 3, buf, sizeof(buf)),
			       "btmgmt --index 3 le on"));
	/* anything else: the system's words */
	assert_string_equal(mp_l2cap_hint(-EMLINK, 0, buf, sizeof(buf)), strerror(EMLINK));
	/* a small buffer is still terminated */
	mp_l2cap_hint(-ETIMEDOUT, 0, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_send_keeps_pdu_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_one_callback_per_pdu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_drops_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_argument_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_fd_argument_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_queue_drains_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_close_disconnects_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_to_closed_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_disconnected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_cancels_deferred_disconnect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_completes_when_writable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connect_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_default_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_from_connected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_accepts_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_without_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_rejects_bad_address_type, setup,
						teardown),
		cmocka_unit_test(test_hints_name_the_fix),
	};

	return cmocka_run_group_tests_name("hci/l2cap", tests, NULL, NULL);
}
