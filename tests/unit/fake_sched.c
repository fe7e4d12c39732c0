/* A fake clock and the timers of pure objects: see fake_sched.h. */
#include "fake_sched.h"

#include <assert.h>
#include <stddef.h>

void fake_sched_init(struct fake_sched *s, uint64_t *now)
{
	s->now = now;
	s->nsets = 0;
}

void fake_sched_add(struct fake_sched *s, uint64_t *deadline, unsigned int count, void *owner,
		    bool (*live)(void *owner), void (*fire)(void *owner, unsigned int id))
{
	struct fake_sched_set *set;

	assert(s->nsets < FAKE_SCHED_SETS);
	set = &s->set[s->nsets++];
	set->deadline = deadline;
	set->count = count;
	set->owner = owner;
	set->live = live;
	set->fire = fire;
}

void fake_sched_arm(const struct fake_sched *s, uint64_t *deadline, uint32_t ms)
{
	*deadline = ms ? *s->now + ms : 0;
}

bool fake_sched_run(struct fake_sched *s, uint64_t limit, void (*pump)(void *ctx),
		    bool (*done)(void *ctx), void *ctx)
{
	for (;;) {
		struct fake_sched_set *first = NULL;
		unsigned int id = 0, i, t;

		pump(ctx);
		if (done && done(ctx))
			return true;
		for (i = 0; i < s->nsets; i++) {
			struct fake_sched_set *set = &s->set[i];

			if (set->live && !set->live(set->owner))
				continue;
			for (t = 0; t < set->count; t++)
				if (set->deadline[t] &&
				    (!first || set->deadline[t] < first->deadline[id])) {
					first = set;
					id = t;
				}
		}
		if (!first || first->deadline[id] > limit) {
			if (*s->now < limit)
				*s->now = limit;
			return done ? done(ctx) : true;
		}
		*s->now = first->deadline[id];
		first->deadline[id] = 0;
		first->fire(first->owner, id);
	}
}
