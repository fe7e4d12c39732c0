#include "testutil.h"

#include "fake_hci.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/hex.h"

static uint64_t fake_now(void *data)
{
	return ((struct fake_hci *)data)->now;
}

static void on_ready(void *data, int status)
{
	struct fake_hci *f = data;

	f->ready_calls++;
	f->ready_status = status;
	if (f->close_in_ready) {
		mp_hci_close(f->hci);
		f->hci = NULL;
	}
}

static void on_report(void *data, const struct mp_hci_adv_report *r)
{
	struct fake_hci *f = data;

	if (f->nreports >= FAKE_MAX_REPORTS)
		fail_msg("too many reports");
	f->reports[f->nreports] = *r;
	memcpy(f->report_data[f->nreports], r->data, r->data_len);
	f->reports[f->nreports].data = f->report_data[f->nreports];
	f->nreports++;
}

static void on_gone(void *data, int err)
{
	struct fake_hci *f = data;

	f->gone_calls++;
	f->gone_err = err;
	if (f->close_in_gone) {
		mp_hci_close(f->hci);
		f->hci = NULL;
	}
}

static const struct mp_hci_ops fake_ops = {
	.ready = on_ready,
	.adv_report = on_report,
	.gone = on_gone,
};

void fake_setup(struct fake_hci *f, const struct mp_hci_config *cfg)
{
	int sv[2];

	memset(f, 0, sizeof(*f));
	assert_int_equal(mp_loop_new(&f->loop), 0);
	f->now = 1000;
	mp_loop_set_clock(f->loop, fake_now, f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
			 0);
	f->ctrl = sv[0];
	assert_int_equal(mp_hci_new_fd(f->loop, sv[1], cfg, &fake_ops, f, &f->hci), 0);
}

void fake_teardown(struct fake_hci *f)
{
	mp_hci_close(f->hci);
	f->hci = NULL;
	if (f->ctrl >= 0)
		close(f->ctrl);
	mp_loop_free(f->loop);
}

void fake_run(struct fake_hci *f)
{
	int i;

	for (i = 0; i < 100; i++)
		if (mp_loop_run_once(f->loop, 0) <= 0)
			return;
	fail_msg("the loop never settles");
}

void fake_advance(struct fake_hci *f, uint64_t ms)
{
	f->now += ms;
	fake_run(f);
}

int fake_read_cmd(struct fake_hci *f, uint16_t *opcode, uint8_t *params, size_t cap)
{
	uint8_t pkt[300];
	ssize_t n = recv(f->ctrl, pkt, sizeof(pkt), MSG_DONTWAIT);

	if (n <= 0)
		return -1;	/* nothing, or the host closed its end */
	assert_true(n >= 4);
	assert_int_equal(pkt[0], MP_HCI_COMMAND_PKT);
	assert_int_equal(pkt[3], n - 4);
	assert_true((size_t)(n - 4) <= cap);
	*opcode = (uint16_t)(pkt[1] | pkt[2] << 8);
	memcpy(params, pkt + 4, (size_t)n - 4);
	return (int)(n - 4);
}

void _fake_expect_cmd(struct fake_hci *f, uint16_t opcode, const char *hex, const char *file,
		      int line)
{
	uint8_t got[300], want[300];
	uint16_t op;
	int n = fake_read_cmd(f, &op, got, sizeof(got));
	size_t wn = tu_unhex_spaced(hex, want, sizeof(want));

	if (n < 0) {
		print_error("expected command 0x%04x, got none\n", opcode);
		_fail(file, line);
	}
	if (op != opcode) {
		print_error("expected command 0x%04x, got 0x%04x\n", opcode, op);
		_fail(file, line);
	}
	if ((size_t)n != wn) {
		print_error("command 0x%04x: %d parameter octets, expected %zu\n", op, n, wn);
		_fail(file, line);
	}
	_tu_assert_bytes(got, want, wn, "command parameters", file, line);
}

void _fake_expect_none(struct fake_hci *f, const char *file, int line)
{
	uint8_t got[300];
	uint16_t op;

	if (fake_read_cmd(f, &op, got, sizeof(got)) >= 0) {
		print_error("unexpected command 0x%04x\n", op);
		_fail(file, line);
	}
}

void fake_send(struct fake_hci *f, const char *hex)
{
	uint8_t pkt[300];
	size_t n = tu_unhex_spaced(hex, pkt, sizeof(pkt));

	assert_int_equal(send(f->ctrl, pkt, n, 0), (ssize_t)n);
	fake_run(f);
}

void fake_complete(struct fake_hci *f, uint16_t opcode, uint8_t status, const char *ret)
{
	char hex[700];
	size_t rlen = strlen(ret) / 2;

	snprintf(hex, sizeof(hex), "040e%02zx01%02x%02x%02x%s", 4 + rlen, opcode & 0xff,
		 opcode >> 8, status, ret);
	fake_send(f, hex);
}

void fake_cmd_status(struct fake_hci *f, uint16_t opcode, uint8_t status)
{
	char hex[32];

	snprintf(hex, sizeof(hex), "040f04%02x01%02x%02x", status, opcode & 0xff, opcode >> 8);
	fake_send(f, hex);
}

void fake_init_common(struct fake_hci *f, uint64_t features)
{
	char feat[17];
	int i;

	fake_expect_cmd(f, 0x1009, "");
	fake_complete(f, 0x1009, 0, "112233445566");
	fake_expect_cmd(f, 0x2003, "");
	for (i = 0; i < 8; i++)
		snprintf(feat + 2 * i, 3, "%02x", (unsigned int)(features >> (8 * i)) & 0xff);
	fake_complete(f, 0x2003, 0, feat);
	{
		uint16_t op;
		uint8_t p[16];

		assert_int_equal(fake_read_cmd(f, &op, p, sizeof(p)), 8);
		assert_int_equal(op, 0x2001);
		/* LE Advertising Report is always among the events asked for. */
		assert_true(p[0] & 0x02);
	}
	fake_complete(f, 0x2001, 0, "");
}

void fake_init_legacy(struct fake_hci *f)
{
	fake_init_common(f, 0);
	fake_expect_cmd(f, 0x200c, "00 00");
	fake_complete(f, 0x200c, 0x0c, "");	/* was not scanning: btvirt refuses */
	fake_expect_cmd(f, 0x200b, "00 3000 3000 00 00");
	fake_complete(f, 0x200b, 0, "");
	fake_expect_cmd(f, 0x200c, "01 00");
	assert_int_equal(f->ready_calls, 0);
	fake_complete(f, 0x200c, 0, "");
	assert_int_equal(f->ready_calls, 1);
	assert_int_equal(f->ready_status, 0);
	fake_expect_none(f);
}
