/* Fuzz target: HCI event decoding, and a live struct mp_hci fed a whole
 * conversation. The input is a sequence of chunks [length][packet]; each
 * packet goes through the pure decoders (with bounds checks on everything
 * they point at), then into an mp_hci on a socketpair whose start sequence
 * and advertising bursts run against it, the clock moving 100 ms a chunk so
 * that timeouts fire too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "adv/adv.h"
#include "hci/hci.h"

static uint64_t fuzz_now;

static uint64_t fuzz_clock(void *data)
{
	(void)data;
	return fuzz_now;
}

static void inside(const uint8_t *p, size_t n, const uint8_t *lo, size_t len)
{
	if (n && (!p || p < lo || p + n > lo + len))
		abort();
}

static void check_report(const struct mp_hci_adv_report *r)
{
	struct mp_adv_info info;

	if (r->data_len && !r->data)
		abort();
	if (!(r->props & MP_HCI_ADV_EXT_REPORT) && r->data_len > 31)
		abort();
	if (mp_adv_parse(r->data, r->data_len, &info) == 0) {
		inside(info.uri, info.uri_len, r->data, r->data_len);
		inside(info.pbadv.gpdu, info.pbadv.gpdu_len, r->data, r->data_len);
	}
}

static void check_packet(const uint8_t *p, size_t n)
{
	struct mp_hci_adv_report reps[MP_HCI_MAX_REPORTS];
	struct mp_hci_event ev;
	int k, i;

	if (mp_hci_parse_event(p, n, &ev) != 0)
		return;
	inside(ev.params, ev.plen, p, n);
	inside(ev.ret, ev.ret_len, p, n);
	inside(ev.sub, ev.sublen, p, n);
	if (ev.code != MP_HCI_EVT_LE_META)
		return;
	k = mp_hci_parse_adv_reports(ev.subevent, ev.sub, ev.sublen, reps);
	if (k > MP_HCI_MAX_REPORTS)
		abort();
	for (i = 0; i < k; i++) {
		inside(reps[i].data, reps[i].data_len, ev.sub, ev.sublen);
		check_report(&reps[i]);
	}
}

static void on_ready(void *data, int status)
{
	(void)data;
	(void)status;
}

static void on_report(void *data, const struct mp_hci_adv_report *r)
{
	(void)data;
	check_report(r);
}

static void on_gone(void *data, int err)
{
	int *gone = data;

	if (err >= 0 || (*gone)++)
		abort();	/* reported once, as an errno */
}

static void on_done(void *data, int status)
{
	(void)data;
	(void)status;
}

static void drain(int fd)
{
	uint8_t buf[512];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mp_hci_ops ops = {
		.ready = on_ready, .adv_report = on_report, .gone = on_gone,
	};
	static const uint8_t ad[] = { 0x03, 0xff, 0x01, 0x02 };
	struct mp_loop *loop;
	struct mp_hci *hci;
	size_t off = 0;
	int sv[2], gone = 0;

	check_packet(data, size);

	if (mp_loop_new(&loop))
		return 0;
	fuzz_now = 0;
	mp_loop_set_clock(loop, fuzz_clock, NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv)) {
		mp_loop_free(loop);
		return 0;
	}
	if (mp_hci_new_fd(loop, sv[1], NULL, &ops, &gone, &hci)) {
		close(sv[0]);
		close(sv[1]);
		mp_loop_free(loop);
		return 0;
	}
	mp_hci_adv_send(hci, 1, ad, sizeof(ad), on_done, NULL);
	mp_hci_adv_send(hci, 2, ad, sizeof(ad), on_done, NULL);
	mp_hci_adv_send(hci, 1, ad, sizeof(ad), on_done, NULL);
	while (off < size) {
		size_t len = data[off++];

		if (len > size - off)
			len = size - off;
		check_packet(data + off, len);
		mp_hci_process_packet(hci, data + off, len);
		off += len;
		drain(sv[0]);
		fuzz_now += 100;
		mp_loop_run_once(loop, 0);
		drain(sv[0]);
	}
	mp_hci_close(hci);
	close(sv[0]);
	mp_loop_free(loop);
	return 0;
}
