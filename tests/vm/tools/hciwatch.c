/*
 * hciwatch: a raw-HCI observer for the VM tests. Passive LE scan on one
 * controller; prints one line per advertising report (legacy and extended),
 * decodes the mesh AD types, and ends with a summary of what it counted, so a
 * test can tell "the device beacons with this UUID" or "this provisioner sent
 * N PB-ADV PDUs".
 *
 *   hciwatch [-i N] [-t SECS] [-m] [-q] [-a ADDR] [-n COUNT] [-u UUID]
 *
 *   -i N      controller hciN (default 0); brought up if it is down
 *   -t SECS   stop after SECS seconds (default 10; 0: only at a signal)
 *   -m        only reports carrying a mesh AD structure: 0x29 PB-ADV,
 *             0x2A Mesh Message, 0x2B Mesh Beacon (MshPRT v1.1 3.3.1)
 *   -a ADDR   only reports from this advertiser (AA:BB:CC:DD:EE:FF)
 *   -q        no report lines, only the summary
 *   -n COUNT  stop after COUNT matching reports
 *   -u UUID   stop at the first Unprovisioned Device beacon with this UUID
 *             (32 hex digits, dashes allowed)
 *
 * Report line (key=value, for grep):
 *   t=1.234 addr=AA:.. kind=legacy|ext evt=0x0003 rssi=-60 ad=<hex>
 *     [mesh=unprov-beacon uuid=<hex> oob=<hex>] [mesh=net-beacon]
 *     [mesh=pb-adv link=<hex> trans=<hex> gpcf=start|ack|cont|open|link-ack|close]
 *     [mesh=msg]
 * Summary (last line, always):
 *   hciwatch: reports=N pb-adv=N msg=N unprov-beacon=N net-beacon=N
 * Exit: 0 done (target reached, time up or SIGINT/SIGTERM without a target);
 * 1 -n/-u target not reached; 2 usage; 3 HCI error.
 *
 * Scan start/stop use the legacy LE commands: btvirt and the kernel accept
 * them, and the kernel's own extended advertising still reaches us as LE
 * Extended Advertising Reports, which are decoded too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

/* HCI, Core v5.3 Vol 4 Part E */
#define EV_CMD_COMPLETE		0x0e
#define EV_LE_META		0x3e
#define LE_ADV_REPORT		0x02	/* 7.7.65.2 */
#define LE_EXT_ADV_REPORT	0x0d	/* 7.7.65.13 */
#define OP_LE_SET_SCAN_PARAMS	0x200b	/* 7.8.10 */
#define OP_LE_SET_SCAN_ENABLE	0x200c	/* 7.8.11 */

/* Mesh AD types and beacon types, MshPRT v1.1 3.3.1 and 3.10 */
#define AD_PB_ADV		0x29
#define AD_MESH_MSG		0x2a
#define AD_MESH_BEACON		0x2b
#define BEACON_UNPROV		0x00
#define BEACON_SECURE_NET	0x01

struct opts {
	int dev;
	int secs;
	bool mesh_only;
	bool have_addr;
	uint8_t addr[6];	/* as printed: most significant byte first */
	long want;		/* -n, or -1 */
	bool have_uuid;
	uint8_t uuid[16];
};

struct counts {
	long reports, pb_adv, msg, unprov, net;
};

static volatile sig_atomic_t stop_signal;
static struct timespec t_start;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double elapsed(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t_start.tv_sec) + (t.tv_nsec - t_start.tv_nsec) / 1e9;
}

/* A bounded cursor over one received event: every read checks the length
 * first and a short read poisons the cursor (the project's reader, in small). */
struct cur {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct cur *c, size_t n)
{
	const uint8_t *q = c->p;

	if (c->bad || c->left < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return q;
}

static int take_u8(struct cur *c)
{
	const uint8_t *q = take(c, 1);

	return q ? *q : -1;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses exactly n bytes of hex, skipping the separators in skip. */
static int parse_hex(const char *s, const char *skip, uint8_t *out, size_t n)
{
	size_t i = 0;
	int hi = -1;

	for (; *s; s++) {
		int d;

		if (strchr(skip, *s))
			continue;
		d = hex_digit(*s);
		if (d < 0 || i >= n)
			return -1;
		if (hi < 0) {
			hi = d;
		} else {
			out[i++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	return i == n && hi < 0 ? 0 : -1;
}

/* Report output: everything goes through these two, silent under -q. */
static bool quiet;

__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void out_hex(const uint8_t *p, size_t n)
{
	while (n--)
		out("%02x", *p++);
}

/* Sends one HCI command and waits (at most 2 s) for its Command Complete;
 * returns the status byte, or -1 with errno set. */
static int hci_cmd(int fd, uint16_t op, const void *param, uint8_t plen)
{
	uint8_t pkt[3 + 255 + 1], ev[HCI_MAX_EVENT_SIZE + 1];
	double deadline = elapsed() + 2.0;

	pkt[0] = HCI_COMMAND_PKT;
	pkt[1] = op & 0xff;
	pkt[2] = op >> 8;
	pkt[3] = plen;
	memcpy(pkt + 4, param, plen);
	if (write(fd, pkt, 4u + plen) < 0)
		return -1;
	while (elapsed() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, ev, sizeof(ev));
		if (n < 0)
			return -1;
		/* Command Complete: type, code, len, ncmd, opcode (le16), status */
		if (n >= 7 && ev[0] == HCI_EVENT_PKT && ev[1] == EV_CMD_COMPLETE &&
		    (ev[4] | ev[5] << 8) == op)
			return ev[6];
	}
	errno = ETIMEDOUT;
	return -1;
}

static int open_controller(int dev)
{
	struct sockaddr_hci sa = { .hci_family = AF_BLUETOOTH, .hci_dev = (unsigned short)dev,
				   .hci_channel = HCI_CHANNEL_RAW };
	struct hci_filter f = { 0 };
	int fd;

	fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0) {
		fprintf(stderr, "hciwatch: socket(AF_BLUETOOTH): %s\n", strerror(errno));
		return -1;
	}
	/* Up the controller first; EALREADY means it is up already. */
	if (ioctl(fd, HCIDEVUP, dev) < 0 && errno != EALREADY) {
		fprintf(stderr, "hciwatch: cannot bring hci%d up: %s\n", dev, strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "hciwatch: bind hci%d: %s\n", dev, strerror(errno));
		close(fd);
		return -1;
	}
	/* Events only: Command Complete and LE Meta. */
	f.type_mask = 1u << HCI_EVENT_PKT;
	f.event_mask[EV_CMD_COMPLETE >> 5] |= 1u << (EV_CMD_COMPLETE & 31);
	f.event_mask[EV_LE_META >> 5] |= 1u << (EV_LE_META & 31);
	if (setsockopt(fd, SOL_HCI, HCI_FILTER, &f, sizeof(f)) < 0) {
		fprintf(stderr, "hciwatch: HCI_FILTER: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int scan_enable(int fd, int dev, bool on)
{
	/* passive, interval = window = 10 ms: hear everything btvirt sends */
	static const uint8_t params[7] = { 0x00, 0x10, 0x00, 0x10, 0x00, 0x00, 0x00 };
	uint8_t en[2] = { on, 0x00 /* report duplicates: we count PDUs */ };
	int st;

	if (!on)
		return hci_cmd(fd, OP_LE_SET_SCAN_ENABLE, en, sizeof(en));
	hci_cmd(fd, OP_LE_SET_SCAN_ENABLE, (uint8_t[2]){ 0, 0 }, 2);	/* may not be scanning */
	st = hci_cmd(fd, OP_LE_SET_SCAN_PARAMS, params, sizeof(params));
	if (st == 0)
		st = hci_cmd(fd, OP_LE_SET_SCAN_ENABLE, en, sizeof(en));
	if (st != 0) {
		if (st < 0)
			fprintf(stderr, "hciwatch: hci%d scan start: %s\n", dev, strerror(errno));
		else
			fprintf(stderr, "hciwatch: hci%d scan start: HCI status 0x%02x\n", dev, st);
		return -1;
	}
	return 0;
}

/* Decodes one mesh AD structure's payload (after the type byte). Returns true
 * when it is the Unprovisioned Device beacon the caller waits for. */
static bool print_mesh_ad(int type, const uint8_t *d, size_t n, const struct opts *o,
			  struct counts *c)
{
	static const char *const gpcf_name[4] = { "start", "ack", "cont", "ctl" };
	static const char *const ctl_name[3] = { "open", "link-ack", "close" };

	switch (type) {
	case AD_PB_ADV:		/* link id (4), transaction (1), Generic Prov PDU: 5.2.1 */
		c->pb_adv++;
		if (n < 6) {
			out(" mesh=pb-adv short");
			return false;
		}
		out(" mesh=pb-adv link=");
		out_hex(d, 4);
		out(" trans=%02x gpcf=", d[4]);
		if ((d[5] & 3) == 3 && (d[5] >> 2) < 3)
			out("%s", ctl_name[d[5] >> 2]);
		else
			out("%s", gpcf_name[d[5] & 3]);
		return false;
	case AD_MESH_MSG:
		c->msg++;
		out(" mesh=msg");
		return false;
	case AD_MESH_BEACON:	/* 3.10.2: type 0, UUID (16), OOB info (2), [URI hash] */
		if (n >= 19 && d[0] == BEACON_UNPROV) {
			c->unprov++;
			out(" mesh=unprov-beacon uuid=");
			out_hex(d + 1, 16);
			out(" oob=");
			out_hex(d + 17, 2);
			return o->have_uuid && memcmp(d + 1, o->uuid, 16) == 0;
		}
		if (n >= 1 && d[0] == BEACON_SECURE_NET)
			c->net++;
		out(" mesh=%s", n >= 1 && d[0] == BEACON_SECURE_NET ? "net-beacon" : "beacon");
		return false;
	}
	return false;
}

/* One advertising report: filter, print, count. Returns true when the -u
 * target was seen. */
static bool report(const char *kind, unsigned int evt, const uint8_t *addr, int rssi,
		   const uint8_t *ad, size_t len, const struct opts *o, struct counts *c)
{
	bool mesh = false, hit = false;
	struct cur walk = { .p = ad, .left = len };
	int i;

	/* AD structures: length, type, data (Core Supplement Part A 1) */
	while (walk.left > 0) {
		int l = take_u8(&walk);
		const uint8_t *s;

		if (l <= 0)
			break;
		s = take(&walk, (size_t)l);
		if (!s)
			break;
		if (s[0] >= AD_PB_ADV && s[0] <= AD_MESH_BEACON)
			mesh = true;
	}
	if (o->mesh_only && !mesh)
		return false;
	if (o->have_addr) {
		for (i = 0; i < 6; i++)
			if (addr[5 - i] != o->addr[i])
				return false;
	}
	c->reports++;
	out("t=%.3f addr=", elapsed());
	for (i = 5; i >= 0; i--)
		out("%02X%s", addr[i], i ? ":" : "");
	out(" kind=%s evt=0x%04x rssi=%d ad=", kind, evt, rssi);
	out_hex(ad, len);
	walk = (struct cur){ .p = ad, .left = len };
	while (walk.left > 0) {
		int l = take_u8(&walk);
		const uint8_t *s;

		if (l <= 0)
			break;
		s = take(&walk, (size_t)l);
		if (!s)
			break;
		if (s[0] < AD_PB_ADV || s[0] > AD_MESH_BEACON)
			continue;
		hit |= print_mesh_ad(s[0], s + 1, (size_t)l - 1, o, c);
	}
	if (walk.bad)
		out(" malformed");
	out("\n");
	return hit;
}

/* Walks an LE Meta event's advertising reports. */
static bool le_meta(const uint8_t *ev, size_t n, const struct opts *o, struct counts *c)
{
	struct cur cur = { .p = ev, .left = n };
	int sub = take_u8(&cur), num = take_u8(&cur);
	bool hit = false;

	if (num < 0)
		return false;
	for (int r = 0; r < num && !cur.bad; r++) {
		const uint8_t *h, *ad;
		int len, rssi;

		if (sub == LE_ADV_REPORT) {
			/* type (1), addr type (1), addr (6), len (1), data, rssi (1) */
			h = take(&cur, 9);
			if (!h)
				break;
			len = h[8];
			ad = take(&cur, (size_t)len);
			rssi = take_u8(&cur);
			if (!ad || rssi < 0)
				break;
			hit |= report("legacy", h[0], h + 2, (int8_t)rssi, ad, (size_t)len, o, c);
		} else if (sub == LE_EXT_ADV_REPORT) {
			/* type (2), addr type (1), addr (6), phys (2), sid (1),
			 * tx power (1), rssi (1), interval (2), direct addr type (1),
			 * direct addr (6), len (1), data */
			h = take(&cur, 24);
			if (!h)
				break;
			len = h[23];
			ad = take(&cur, (size_t)len);
			if (!ad)
				break;
			hit |= report("ext", (unsigned int)(h[0] | h[1] << 8), h + 3, (int8_t)h[13],
				      ad, (size_t)len, o, c);
		} else {
			break;
		}
	}
	return hit;
}

static void usage(void)
{
	fprintf(stderr, "usage: hciwatch [-i N] [-t SECS] [-m] [-q] [-a ADDR] [-n COUNT] "
			"[-u UUID]\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	char *end;
	int ch;

	*o = (struct opts){ .secs = 10, .want = -1 };
	while ((ch = getopt(argc, argv, "i:t:mqa:n:u:")) != -1) {
		switch (ch) {
		case 'i':
			o->dev = (int)strtol(optarg + (strncmp(optarg, "hci", 3) ? 0 : 3), &end, 10);
			if (*end || o->dev < 0)
				usage();
			break;
		case 't':
			o->secs = (int)strtol(optarg, &end, 10);
			if (*end || o->secs < 0)
				usage();
			break;
		case 'm':
			o->mesh_only = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'a':
			if (parse_hex(optarg, ":", o->addr, 6) < 0)
				usage();
			o->have_addr = true;
			break;
		case 'n':
			o->want = strtol(optarg, &end, 10);
			if (*end || o->want < 1)
				usage();
			break;
		case 'u':
			if (parse_hex(optarg, "-", o->uuid, 16) < 0)
				usage();
			o->have_uuid = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	uint8_t ev[HCI_MAX_EVENT_SIZE + 1];
	struct counts c = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct opts o;
	bool reached = false;
	int fd;

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = open_controller(o.dev);
	if (fd < 0 || scan_enable(fd, o.dev, true) < 0)
		return 3;
	fprintf(stderr, "hciwatch: scanning on hci%d\n", o.dev);

	while (!stop_signal && !reached && (o.secs == 0 || elapsed() < o.secs)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* the controller went away under us: say so, keep the summary */
			fprintf(stderr, "hciwatch: hci%d: %s\n", o.dev, strerror(errno));
			break;
		}
		/* type, code, length, payload */
		if (n < 3 || ev[0] != HCI_EVENT_PKT || ev[1] != EV_LE_META || ev[2] + 3 > n)
			continue;
		if (le_meta(ev + 3, ev[2], &o, &c) && o.have_uuid)
			reached = true;
		if (o.want > 0 && c.reports >= o.want)
			reached = true;
	}
	scan_enable(fd, o.dev, false);
	close(fd);
	printf("hciwatch: reports=%ld pb-adv=%ld msg=%ld unprov-beacon=%ld net-beacon=%ld\n",
	       c.reports, c.pb_adv, c.msg, c.unprov, c.net);
	if ((o.have_uuid || o.want > 0) && !reached)
		return 1;
	return 0;
}
