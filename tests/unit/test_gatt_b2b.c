/* gatt/client against gatt/server, back to back through a fake ATT channel
 * (two in-order queues): discovery at several MTUs, the handles found, the
 * ATT_MTU agreed (min of the two Rx MTUs), data both ways at the largest
 * size the MTU allows; both Mesh services. */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "gatt/client.h"
#include "gatt/server.h"

#define QMAX 64

struct pdu {
	size_t len;
	uint8_t b[MP_ATT_MTU_MAX];
};

struct link {
	struct mp_gatt_client *c;
	struct mp_gatt_server *s;
	struct pdu q[2][QMAX];		/* [0] to the server, [1] to the client */
	size_t n[2];
	unsigned sent[2];
	unsigned nready, nfailed, nnotify, ndata, ncccd, nmtu;
	uint16_t ready_mtu, server_mtu;
	bool cccd;
	char reason[256];
	int err;
	uint8_t got[MP_ATT_MTU_MAX];
	size_t got_len;
};

static void push(struct link *l, int dir, const uint8_t *pdu, size_t len)
{
	assert_true(l->n[dir] < QMAX);
	assert_true(len <= MP_ATT_MTU_MAX);
	memcpy(l->q[dir][l->n[dir]].b, pdu, len);
	l->q[dir][l->n[dir]++].len = len;
	l->sent[dir]++;
}

static void c_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct link *l = owner;

	assert_true(len <= mp_gatt_client_mtu(l->c));
	push(l, 0, pdu, len);
}

static void c_timer(void *owner, uint32_t delay_ms)
{
	(void)owner;
	assert_true(delay_ms == 0 || delay_ms == MP_ATT_TIMEOUT_MS);
}

static void c_ready(void *owner, uint16_t mtu)
{
	struct link *l = owner;

	l->nready++;
	l->ready_mtu = mtu;
}

static void c_notify(void *owner, const uint8_t *value, size_t len)
{
	struct link *l = owner;

	l->nnotify++;
	memcpy(l->got, value, len);
	l->got_len = len;
}

static void c_failed(void *owner, int err, const char *reason)
{
	struct link *l = owner;

	l->nfailed++;
	l->err = err;
	snprintf(l->reason, sizeof(l->reason), "%s", reason);
}

static void s_tx(void *owner, const uint8_t *pdu, size_t len)
{
	struct link *l = owner;

	assert_true(len <= mp_gatt_server_mtu(l->s));
	push(l, 1, pdu, len);
}

static void s_data_in(void *owner, const uint8_t *value, size_t len)
{
	struct link *l = owner;

	l->ndata++;
	memcpy(l->got, value, len);
	l->got_len = len;
}

static void s_cccd(void *owner, bool enabled)
{
	struct link *l = owner;

	l->ncccd++;
	l->cccd = enabled;
}

static void s_mtu(void *owner, uint16_t mtu)
{
	struct link *l = owner;

	l->nmtu++;
	l->server_mtu = mtu;
}

static const struct mp_gatt_client_ops cops = {
	.tx = c_tx, .timer = c_timer, .ready = c_ready, .notify = c_notify, .failed = c_failed,
};
static const struct mp_gatt_server_ops sops = {
	.tx = s_tx, .data_in = s_data_in, .cccd = s_cccd, .mtu = s_mtu,
};

static struct link *link_new(uint16_t client_mtu, uint16_t server_mtu,
			     const struct mp_gatt_service_uuids *cu,
			     const struct mp_gatt_service_uuids *su)
{
	struct link *l = calloc(1, sizeof(*l));
	struct mp_gatt_client_config cc = { .mtu = client_mtu, .ops = &cops };
	struct mp_gatt_server_config sc = { .mtu = server_mtu, .ops = &sops };

	assert_non_null(l);
	cc.owner = sc.owner = l;
	if (cu)
		cc.uuids = *cu;
	if (su)
		sc.uuids = *su;
	l->c = mp_gatt_client_new(&cc);
	l->s = mp_gatt_server_new(&sc);
	assert_non_null(l->c);
	assert_non_null(l->s);
	return l;
}

static void link_free(struct link *l)
{
	mp_gatt_client_free(l->c);
	mp_gatt_server_free(l->s);
	free(l);
}

/* Deliver everything queued, in order, until both directions are quiet. */
static void pump(struct link *l)
{
	unsigned rounds = 0;

	while (l->n[0] || l->n[1]) {
		struct pdu batch[QMAX];
		size_t i, n;
		int dir = l->n[0] ? 0 : 1;

		assert_true(++rounds < 1000);
		n = l->n[dir];
		memcpy(batch, l->q[dir], n * sizeof(batch[0]));
		l->n[dir] = 0;
		for (i = 0; i < n; i++) {
			const uint8_t *b = batch[i].b;

			if (dir == 0)
				assert_int_equal(mp_gatt_server_rx(l->s, b, batch[i].len), 0);
			else
				mp_gatt_client_rx(l->c, batch[i].b, batch[i].len);
		}
	}
}

static void check_handles(const struct mp_gatt_client *c)
{
	const struct mp_gatt_handles *h = mp_gatt_client_handles(c);

	assert_int_equal(h->service_start, MP_GATT_SERVER_SERVICE);
	assert_int_equal(h->service_end, MP_GATT_SERVER_LAST);
	assert_int_equal(h->data_in_decl, MP_GATT_SERVER_DATA_IN_DECL);
	assert_int_equal(h->data_in, MP_GATT_SERVER_DATA_IN);
	assert_int_equal(h->data_out_decl, MP_GATT_SERVER_DATA_OUT_DECL);
	assert_int_equal(h->data_out, MP_GATT_SERVER_DATA_OUT);
	assert_int_equal(h->data_out_end, MP_GATT_SERVER_LAST);
	assert_int_equal(h->cccd, MP_GATT_SERVER_CCCD);
}

/* Values of the largest size both ways, then one octet too many. */
static void check_data(struct link *l, uint16_t mtu)
{
	uint8_t v[MP_ATT_MTU_MAX];
	size_t i, max = (size_t)mtu - 3;

	for (i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)(i * 7 + mtu);
	assert_int_equal(mp_gatt_client_write(l->c, v, max), 0);
	pump(l);
	assert_int_equal(l->ndata, 1);
	assert_int_equal(l->got_len, max);
	tu_assert_bytes(l->got, v, max);

	v[0] ^= 0xff;
	assert_int_equal(mp_gatt_server_notify(l->s, v, max), 0);
	pump(l);
	assert_int_equal(l->nnotify, 1);
	assert_int_equal(l->got_len, max);
	tu_assert_bytes(l->got, v, max);

	assert_int_equal(mp_gatt_client_write(l->c, v, max + 1), -EMSGSIZE);
	assert_int_equal(mp_gatt_server_notify(l->s, v, max + 1), -EMSGSIZE);

	/* A few small round trips, as a provisioning exchange would make. */
	for (i = 0; i < 8; i++) {
		uint8_t b = (uint8_t)i;

		assert_int_equal(mp_gatt_client_write(l->c, &b, 1), 0);
		pump(l);
		assert_int_equal(l->got[0], b);
		b ^= 0x80;
		assert_int_equal(mp_gatt_server_notify(l->s, &b, 1), 0);
		pump(l);
		assert_int_equal(l->got[0], b);
	}
	assert_int_equal(l->ndata, 9);
	assert_int_equal(l->nnotify, 9);
}

static void run_mtu(uint16_t client_mtu, uint16_t server_mtu, uint16_t want)
{
	struct link *l = link_new(client_mtu, server_mtu, NULL, NULL);

	assert_int_equal(mp_gatt_client_start(l->c), 0);
	pump(l);
	if (l->nfailed)
		fail_msg("client %u / server %u: %s", client_mtu, server_mtu, l->reason);
	assert_int_equal(l->nready, 1);
	assert_int_equal(l->ready_mtu, want);
	assert_int_equal(mp_gatt_client_mtu(l->c), want);
	assert_int_equal(mp_gatt_server_mtu(l->s), want);
	/* The exchange is skipped when the client offers only 23. */
	assert_int_equal(l->nmtu, client_mtu == 23 ? 0 : 1);
	/* MTU, service, characteristics (2: the last ends at 0x0004, so a
	 * second request finds nothing), descriptors, CCCD. */
	assert_int_equal(l->sent[0], client_mtu == 23 ? 5 : 6);
	assert_int_equal(l->sent[1], l->sent[0]);
	assert_int_equal(l->ncccd, 1);
	assert_true(l->cccd);
	assert_true(mp_gatt_server_notifying(l->s));
	check_handles(l->c);
	check_data(l, want);
	assert_int_equal(l->nfailed, 0);
	link_free(l);
}

static void test_mtu_23(void **state)
{
	(void)state;
	run_mtu(0, 23, 23);
	run_mtu(23, 517, 23);
	run_mtu(23, 23, 23);
}

static void test_mtu_69(void **state)
{
	(void)state;
	run_mtu(0, 69, 69);
	run_mtu(69, 100, 69);
	run_mtu(100, 69, 69);
}

static void test_mtu_517(void **state)
{
	(void)state;
	run_mtu(0, 0, 517);
	run_mtu(517, 517, 517);
	run_mtu(0, 247, 247);
}

static void test_proxy(void **state)
{
	struct link *l = link_new(0, 0, &mp_gatt_mesh_proxy, &mp_gatt_mesh_proxy);

	(void)state;
	assert_int_equal(mp_gatt_client_start(l->c), 0);
	pump(l);
	assert_int_equal(l->nready, 1);
	check_handles(l->c);
	check_data(l, 517);
	link_free(l);
}

/* A client looking for the Proxy Service on a Provisioning server. */
static void test_wrong_service(void **state)
{
	struct link *l = link_new(0, 0, &mp_gatt_mesh_proxy, NULL);

	(void)state;
	assert_int_equal(mp_gatt_client_start(l->c), 0);
	pump(l);
	assert_int_equal(l->nready, 0);
	assert_int_equal(l->nfailed, 1);
	assert_int_equal(l->err, -ENOENT);
	assert_string_equal(l->reason, "service discovery: Attribute Not Found (0x0a): "
			    "no service Mesh Proxy Service (0x1828)");
	assert_false(mp_gatt_server_notifying(l->s));
	link_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtu_23),
		cmocka_unit_test(test_mtu_69),
		cmocka_unit_test(test_mtu_517),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_wrong_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
