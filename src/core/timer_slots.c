/* Timer slots: see core/timer_slots.h. */
#include "core/timer_slots.h"

#include <errno.h>
#include <stddef.h>

void mp_timer_slots_init(struct mp_timer_slots *ts, struct mp_loop *loop, unsigned int n,
			 mp_timer_slots_cb cb, void *owner)
{
	unsigned int i;

	ts->loop = loop;
	ts->cb = cb;
	ts->owner = owner;
	ts->n = n < MP_TIMER_SLOTS_MAX ? n : MP_TIMER_SLOTS_MAX;
	for (i = 0; i < MP_TIMER_SLOTS_MAX; i++) {
		ts->slot[i].set = ts;
		ts->slot[i].timer = 0;
	}
}

static void slot_fired(struct mp_loop *loop, int64_t id, void *data)
{
	struct mp_timer_slot *s = data;
	struct mp_timer_slots *ts = s->set;

	s->timer = 0;
	ts->cb(ts->owner, (unsigned int)(s - ts->slot));
}

int mp_timer_slots_set(struct mp_timer_slots *ts, unsigned int id, uint32_t ms)
{
	if (id >= ts->n)
		return -EINVAL;
	return mp_loop_timer_set(ts->loop, &ts->slot[id].timer, ms, slot_fired, &ts->slot[id]);
}

bool mp_timer_slots_pending(const struct mp_timer_slots *ts, unsigned int id)
{
	return id < ts->n && ts->slot[id].timer != 0;
}

void mp_timer_slots_cancel_all(struct mp_timer_slots *ts)
{
	unsigned int i;

	for (i = 0; i < ts->n; i++) {
		if (ts->slot[i].timer)
			mp_loop_timer_cancel(ts->loop, ts->slot[i].timer);
		ts->slot[i].timer = 0;
	}
}
