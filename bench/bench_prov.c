/* Benchmark: CPU time of one complete provisioning, back to back (the
 * provisioner state machine against the simulated device, no bearer), for
 * both algorithms and a few authentication methods. Prints figures; asserts
 * nothing about time. Issue target: under 1 ms of CPU per provisioning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prov/provisioner.h"
#include "sim/device.h"

struct pair {
	struct mp_prov *prov;
	struct mp_sim_device *dev;
	uint8_t q[8][80];
	size_t qlen[8];
	int to_dev[8];
	unsigned int head, count;
	char shown[16];
	int done, ok;
};

static void push(struct pair *p, int to_dev, const uint8_t *pdu, size_t len)
{
	unsigned int slot = (p->head + p->count) % 8;

	if (p->count == 8 || len > 80)
		abort();
	memcpy(p->q[slot], pdu, len);
	p->qlen[slot] = len;
	p->to_dev[slot] = to_dev;
	p->count++;
}

static int prov_send(void *user, const uint8_t *pdu, size_t len)
{
	push(user, 1, pdu, len);
	return 0;
}

static void prov_event(void *user, const struct mp_prov_event *ev)
{
	struct pair *p = user;
	struct mp_prov_data d = { .net_key = { 1 }, .unicast = 0x0100, .iv_index = 1 };

	switch (ev->type) {
	case MP_PROV_EV_DATA_NEEDED:
		mp_prov_send_data(p->prov, &d);
		break;
	case MP_PROV_EV_OOB_OUTPUT:
		mp_prov_oob_enter(p->prov, p->shown);
		break;
	case MP_PROV_EV_OOB_INPUT:
		mp_sim_device_input(p->dev, ev->oob.value);
		break;
	case MP_PROV_EV_DONE:
		p->done = 1;
		p->ok = ev->err == MP_PROV_OK && ev->errnum == 0;
		break;
	default:
		break;
	}
}

static void prov_timer(void *user, uint32_t ms)
{
}

static const struct mp_prov_ops ops = { prov_send, prov_event, prov_timer };

static void dev_send(void *user, const uint8_t *pdu, size_t len)
{
	push(user, 0, pdu, len);
}

static void dev_output(void *user, enum mp_output_action a, const char *text)
{
	struct pair *p = user;

	snprintf(p->shown, sizeof(p->shown), "%s", text);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int one(const struct mp_prov_caps *caps, const struct mp_prov_params *prm)
{
	struct mp_sim_device_config dc = { .caps = *caps };
	static const uint8_t oob[16] = { 9 };
	struct pair p = { 0 };

	dc.static_oob = oob;
	dc.static_oob_len = sizeof(oob);
	dc.cb.send = dev_send;
	dc.cb.output_oob = dev_output;
	dc.cb.user = &p;
	if (mp_sim_device_new(&dc, &p.dev))
		return -1;
	p.prov = mp_prov_new(prm, &ops, &p);
	if (!p.prov || mp_prov_start(p.prov))
		return -1;
	while (p.count) {
		unsigned int i = p.head;

		p.head = (p.head + 1) % 8;
		p.count--;
		if (p.to_dev[i])
			mp_sim_device_rx(p.dev, p.q[i], p.qlen[i]);
		else
			mp_prov_rx(p.prov, p.q[i], p.qlen[i]);
	}
	mp_prov_free(p.prov);
	mp_sim_device_free(p.dev);
	return p.done && p.ok ? 0 : -1;
}

int main(void)
{
	static const struct {
		const char *name;
		enum mp_auth_choice auth;
		struct mp_prov_caps caps;
	} cases[] = {
		{ "No OOB", MP_AUTH_CHOICE_NONE, { .elements = 1, .algorithms = 3 } },
		{ "Static OOB", MP_AUTH_CHOICE_STATIC,
		  { .elements = 1, .algorithms = 3, .oob_type = MP_OOB_TYPE_STATIC } },
		{ "Output OOB (numeric 6)", MP_AUTH_CHOICE_OUTPUT,
		  { .elements = 1, .algorithms = 3, .output_size = 6, .output_actions = 8 } },
		{ "Input OOB (numeric 4)", MP_AUTH_CHOICE_INPUT,
		  { .elements = 1, .algorithms = 3, .input_size = 4, .input_actions = 4 } },
	};
	const int n = 300;
	size_t c;
	int alg, i;

	printf("bench_prov: CPU per complete provisioning, provisioner + simulated device "
	       "back to back, %d runs each\n", n);
	printf("  %-24s %14s %14s\n", "method", "CMAC (ms)", "HMAC (ms)");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		double ms[2];

		for (alg = 0; alg < 2; alg++) {
			struct mp_prov_params prm = { .action = -1, .auth = cases[c].auth,
						      .static_oob = { 9 }, .static_oob_len = 16 };
			double t0;

			prm.alg = alg ? MP_ALG_FORCE_HMAC : MP_ALG_FORCE_CMAC;
			t0 = cpu_now();
			for (i = 0; i < n; i++) {
				if (one(&cases[c].caps, &prm) < 0) {
					fprintf(stderr, "bench_prov: %s failed\n", cases[c].name);
					return 1;
				}
			}
			ms[alg] = (cpu_now() - t0) * 1000.0 / n;
		}
		printf("  %-24s %14.3f %14.3f\n", cases[c].name, ms[0], ms[1]);
	}
	printf("  (both sides together; the provisioner's share is about half)\n");
	return 0;
}
