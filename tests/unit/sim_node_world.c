/* See sim_node_world.h. */
#include "sim_node_world.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine_harness.h"

struct snw {
	struct eh h;
	bool (*until)(void *user);
	void *user;
};

/* eh_run's predicate takes the harness: one world at a time per process
 * is all the tests need, so the world is found from the harness. */
static bool until_tramp(struct eh *h)
{
	struct snw *w = (struct snw *)((char *)h - offsetof(struct snw, h));

	return w->until(w->user);
}

int snw_new(struct snw **out, uint64_t seed, unsigned int loss_pct)
{
	struct eh_config cfg = { .devices = 1, .seed = seed, .memory_keyring = true };
	struct mp_provision_opts o;
	struct snw *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	err = eh_init(&w->h, &cfg);
	if (err) {
		free(w);
		return err;
	}
	eh_opts(&o);
	err = eh_provision(&w->h, 0, &o);
	if (!err)
		err = eh_run(&w->h, eh_all_final, 120000);
	if (!err && (!w->h.dev[0].provisioned || w->h.dev[0].sim_err != MP_PROV_OK))
		err = -EPROTO;
	/* the link closes, the session ends */
	if (!err)
		err = eh_run(&w->h, eh_no_sessions, 60000);
	if (!err)
		err = mp_sim_radio_set_loss(w->h.radio, loss_pct);
	if (err) {
		snw_free(w);
		return err;
	}
	*out = w;
	return 0;
}

void snw_free(struct snw *w)
{
	if (!w)
		return;
	eh_fini(&w->h);
	free(w);
}

struct mp_loop *snw_loop(struct snw *w)
{
	return w->h.loop;
}

struct mp_engine *snw_engine(struct snw *w)
{
	return w->h.engine;
}

struct mp_sim_radio *snw_radio(struct snw *w)
{
	return w->h.radio;
}

const struct mp_sim_prov_result *snw_result(struct snw *w)
{
	return &w->h.dev[0].sim_res;
}

int snw_run(struct snw *w, bool (*until)(void *user), void *user, uint64_t max_ms)
{
	w->until = until;
	w->user = user;
	return eh_run(&w->h, until_tramp, max_ms);
}

void snw_run_for(struct snw *w, uint64_t ms)
{
	eh_run_for(&w->h, ms);
}
