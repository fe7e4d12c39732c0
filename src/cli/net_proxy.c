/* --bearer gatt: the network through a GATT Proxy connection; see
 * src/cli/net_proxy.h. */
#include "cli/net_proxy.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "core/loop.h"
#include "engine/engine.h"
#include "engine/mesh_link.h"
#include "engine/proxy_link.h"
#include "net/proxy_adv.h"
#include "radio/hci_radio.h"
#include "sim/radio.h"
#include "store/keyring.h"
#include "store/nodes.h"

enum px_state {
	PX_IDLE,	/* not connected, nothing under way (or the last try failed) */
	PX_FINDING,	/* listening for a proxy of the network */
	PX_CONNECTING,	/* one heard: connecting, the GATT setup, the filter */
	PX_UP,		/* Network PDUs go through it */
};

struct mp_cli_proxy {
	struct mp_cli_app *a;
	struct mp_mesh_link *ml;
	enum px_state st;
	struct mp_proxy_link *pl;
	int64_t find_timer, open_timer;
	bool listening;
	/* the proxy chosen */
	uint8_t addr[6];
	uint8_t addr_type;
	size_t subnet;		/* of mp_mesh_link_subnets() */
	uint16_t node;		/* named by its Node Identity; 0: by the Network ID */
	char addr_text[18];
};

static enum mp_cli_status start(struct mp_cli_proxy *p);

static void addr_str(const uint8_t a[6], char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", a[5], a[4], a[3], a[2], a[1], a[0]);
}

static struct mp_radio cli_radio(struct mp_cli_app *a)
{
	if (a->sim)
		return mp_sim_radio_radio(a->sim);
	return mp_hci_radio_radio(a->hci);
}

static void stop_finding(struct mp_cli_proxy *p)
{
	struct mp_cli_app *a = p->a;

	if (p->listening && a->engine)
		mp_engine_proxy_adv_receive(a->engine, NULL, NULL);
	p->listening = false;
	mp_loop_timer_set(a->loop, &p->find_timer, 0, NULL, NULL);
	mp_loop_timer_set(a->loop, &p->open_timer, 0, NULL, NULL);
	mp_cli_scan_update(a);
}

/* ---- the link's callbacks ---- */

static int px_tx(void *user, const uint8_t *pdu, size_t len)
{
	struct mp_cli_proxy *p = user;

	/* nothing goes out on another bearer than the one asked for */
	return p->st == PX_UP && p->pl ? mp_proxy_link_send(p->pl, pdu, len) : -ENOTCONN;
}

static void pl_ready(void *user, uint16_t att_mtu)
{
	struct mp_cli_proxy *p = user;
	struct mp_out *o = &p->a->out;
	struct json_object *j;
	size_t n;
	const struct mp_subnet *s = mp_mesh_link_subnets(p->ml, &n);
	uint16_t net_idx = p->subnet < n ? s[p->subnet].index : 0;

	p->st = PX_UP;
	j = mp_out_event(o, MP_EVENT("proxy-connected"), p->node ? p->node : -1);
	mp_out_event_add(j, "address", json_object_new_string(p->addr_text));
	mp_out_event_add(j, "identity", json_object_new_string(p->node ? "node" : "network"));
	mp_out_event_add(j, "net_index", json_object_new_int(net_idx));
	mp_out_event_add(j, "mtu", json_object_new_int(att_mtu));
	if (p->node)
		mp_out_event_end(o, j, "proxy            connected to %s (node %04x, NetKey %03x)",
				 p->addr_text, p->node, net_idx);
	else
		mp_out_event_end(o, j, "proxy            connected to %s (NetKey %03x)",
				 p->addr_text, net_idx);
}

static void pl_net_rx(void *user, const uint8_t *pdu, size_t len)
{
	struct mp_cli_proxy *p = user;

	mp_mesh_link_rx(p->ml, pdu, len);
}

static void pl_filter_status(void *user, const struct mp_proxy_cfg_msg *st, bool agrees)
{
	struct mp_cli_proxy *p = user;

	if (!agrees && p->a->out.verbose > 0)
		fprintf(stderr, "proxy: %s: Filter Status type %u, %u addresses, not what was "
			"asked\n", p->addr_text, st->filter_type, st->list_size);
}

static void pl_closed(void *user, int err, const char *why)
{
	struct mp_cli_proxy *p = user;
	struct mp_out *o = &p->a->out;
	struct json_object *j;
	char reason[200];

	/* @why is the link's: copied before the link is freed */
	snprintf(reason, sizeof(reason), "%s", why ? why : err ? strerror(-err) : "closed");
	mp_proxy_link_free(p->pl);	/* allowed from closed() */
	p->pl = NULL;
	if (p->st == PX_UP) {
		j = mp_out_event(o, MP_EVENT("proxy-disconnected"), p->node ? p->node : -1);
		mp_out_event_add(j, "address", json_object_new_string(p->addr_text));
		mp_out_event_add(j, "reason", json_object_new_string(reason));
		mp_out_event_end(o, j, "proxy            disconnected from %s: %s", p->addr_text,
				 reason);
		p->st = PX_IDLE;
		/* dropped under us: look for a proxy again at once, so that
		 * the requests under way get through on their next try */
		if (err && start(p) == MP_CLI_OK && o->verbose >= 0)
			mp_out_error(o, "GATT proxy %s: the connection was lost (%s); looking "
				     "for a proxy again", p->addr_text, reason);
		return;
	}
	mp_out_error(o, "GATT proxy %s: cannot connect: %s", p->addr_text, reason);
	p->st = PX_IDLE;
}

static int pl_seq(void *user, uint16_t src, uint32_t *seq)
{
	struct mp_cli_proxy *p = user;

	(void)src;	/* our one address: the link's */
	return mp_mesh_link_seq_next(p->ml, seq);
}

static const struct mp_proxy_link_cb pl_cb = {
	.ready = pl_ready, .net_rx = pl_net_rx, .filter_status = pl_filter_status,
	.closed = pl_closed, .seq = pl_seq,
};

/* ---- finding it ---- */

/* -t SECONDS, else MP_CLI_PROXY_FIND_S. */
static unsigned int find_s(const struct mp_cli_app *a)
{
	return a->o.timeout_s ? a->o.timeout_s : MP_CLI_PROXY_FIND_S;
}

static void find_expired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_proxy *p = data;

	(void)loop;
	(void)id;
	p->find_timer = 0;
	stop_finding(p);
	p->st = PX_IDLE;
	mp_out_error(&p->a->out, "no GATT proxy of this network heard within %u s (a node "
		     "with the Proxy feature in range, its GATT Proxy state on: see 'proxy')",
		     find_s(p->a));
}

/* From the loop, not inside the engine's report callback. */
static void open_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_cli_proxy *p = data;
	struct mp_proxy_link_config c = { .loop = loop, .cb = &pl_cb, .user = p };
	uint16_t self = mp_mesh_link_addr(p->ml);
	size_t n;
	int err;

	(void)id;
	p->open_timer = 0;
	stop_finding(p);
	c.radio = cli_radio(p->a);
	memcpy(c.addr, p->addr, 6);
	c.addr_type = p->addr_type;
	c.subnet = mp_mesh_link_subnets(p->ml, &n) + p->subnet;
	mp_mesh_link_iv(p->ml, &c.iv_index, NULL);
	c.filter = &self;
	c.nfilter = 1;
	err = mp_proxy_link_open(&c, &p->pl);
	if (err < 0) {
		p->pl = NULL;
		p->st = PX_IDLE;
		mp_out_error(&p->a->out, "GATT proxy %s: cannot connect: %s", p->addr_text,
			     strerror(-err));
	}
}

static void heard(void *user, const struct mp_proxy_adv *adv, const struct mp_adv_report *r)
{
	struct mp_cli_proxy *p = user;
	struct mp_keyring *kr = p->a->kr;
	struct mp_proxy_adv_match m;
	uint16_t *addrs = NULL;
	size_t n, naddrs = 0, i;
	const struct mp_subnet *s;
	int err;

	if (p->st != PX_FINDING || p->open_timer || !r->connectable)
		return;
	s = mp_mesh_link_subnets(p->ml, &n);
	if (adv->type == MP_PROXY_ID_NODE || adv->type == MP_PROXY_ID_PRIVATE_NODE) {
		naddrs = mp_keyring_node_count(kr);
		addrs = calloc(naddrs ? naddrs : 1, sizeof(*addrs));
		if (!addrs)
			return;
		for (i = 0; i < naddrs; i++)
			addrs[i] = mp_keyring_node_at(kr, i)->addr;
	}
	err = mp_proxy_adv_identify(adv, s, n, addrs, naddrs, &m);
	free(addrs);
	if (err < 0)
		return;		/* another network's, or a node we do not know */
	memcpy(p->addr, r->addr, 6);
	p->addr_type = r->addr_type;
	p->subnet = m.subnet;
	p->node = m.addr;
	addr_str(p->addr, p->addr_text);
	p->st = PX_CONNECTING;
	p->open_timer = mp_loop_timer_add(p->a->loop, 0, open_fired, p);
}

static enum mp_cli_status start(struct mp_cli_proxy *p)
{
	struct mp_cli_app *a = p->a;
	int err = mp_engine_proxy_adv_receive(a->engine, heard, p);

	if (err < 0) {
		mp_out_error(&a->out, "cannot listen for GATT proxies: %s", strerror(-err));
		return MP_CLI_FAILED;
	}
	p->listening = true;
	p->st = PX_FINDING;
	mp_engine_set_discovery(a->engine, true);
	p->find_timer = mp_loop_timer_add(a->loop, find_s(a) * 1000, find_expired, p);
	if (a->out.verbose > 0)
		fprintf(stderr, "proxy: listening for a GATT proxy of the network\n");
	return MP_CLI_OK;
}

enum mp_cli_status mp_cli_proxy_need(struct mp_cli_app *a, struct mp_mesh_link *ml)
{
	struct mp_cli_proxy *p = a->proxy;
	enum mp_cli_status st;

	if (!a->o.net_gatt)
		return MP_CLI_OK;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return MP_CLI_FAILED;
		p->a = a;
		a->proxy = p;
	}
	p->ml = ml;
	/* from now on nothing goes on the advertising bearer, also while
	 * the connection is being made (the requests wait for it) */
	mp_mesh_link_set_tx(ml, px_tx, p);
	if (p->st == PX_UP)
		return MP_CLI_OK;
	if (p->st == PX_IDLE) {
		st = start(p);
		if (st)
			return st;
	}
	if (a->mode == MP_CLI_SHELL)
		return MP_CLI_OK;	/* the requests wait through their retries */
	while ((p->st == PX_FINDING || p->st == PX_CONNECTING) && !a->radio_lost &&
	       !a->interrupted)
		if (mp_loop_run_once(a->loop, -1) < 0)
			break;
	if (a->radio_lost)
		return MP_CLI_RADIO;
	if (a->interrupted)
		return MP_CLI_INTERRUPTED;
	return p->st == PX_UP ? MP_CLI_OK : MP_CLI_FAILED;
}

bool mp_cli_proxy_up(const struct mp_cli_app *a)
{
	return a->proxy && a->proxy->st == PX_UP;
}

void mp_cli_proxy_free(struct mp_cli_app *a)
{
	struct mp_cli_proxy *p = a->proxy;

	if (!p)
		return;
	stop_finding(p);
	if (p->ml)
		mp_mesh_link_set_tx(p->ml, NULL, NULL);
	mp_proxy_link_free(p->pl);
	free(p);
	a->proxy = NULL;
}
