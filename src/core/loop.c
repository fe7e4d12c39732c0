/* The event loop: poll() over a list of watches, a binary min-heap of
 * one-shot timers ordered by (deadline, id), and a signalfd. See
 * include/core/loop.h for the contract.
 *
 * Re-entrancy is handled the way ell and iwd do it: a watch removed during
 * dispatch is only marked dead and freed once the dispatch round is over, so
 * the round's snapshot of watches never points at freed memory; timers are
 * popped off the top of the heap one at a time (copied out before their
 * callback runs), so a callback may cancel or add any timer without
 * invalidating anything the loop holds.
 *
 * The heap: ids only grow, so (deadline, id) orders timers exactly as a
 * list sorted by deadline with each new timer after the equal ones would;
 * adding and taking the earliest are O(log n), which a simulation with
 * thousands of advertisements in flight needs (a sorted list made each
 * insertion a walk through all of them); cancelling finds the id by a scan
 * of the array.
 */
#include "core/loop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

struct watch {
	int fd;
	uint32_t events;
	mp_loop_fd_cb cb;
	void *data;
	bool dead;		/* removed during dispatch; freed after it */
	struct watch *next;
};

struct timer {
	int64_t id;
	uint64_t deadline;
	mp_loop_timer_cb cb;
	void *data;
};

struct sig_handler {
	mp_loop_signal_cb cb;
	void *data;
	bool active;
	bool blocked_by_us;	/* we blocked it, so we unblock it */
};

/* Linux signals, real-time ones included, are 1..64. */
#define MP_LOOP_NSIG 65

struct mp_loop {
	struct watch *watches;
	size_t nwatches;	/* live (not dead) watches */
	bool sweep;		/* dead watches to free */
	struct timer *timers;	/* a min-heap by (deadline, id), ntimers long */
	size_t ntimers, tcap;
	int64_t last_timer_id;
	mp_loop_clock_fn clock;
	void *clock_data;
	bool quit;
	bool dispatching;

	/* Scratch arrays for poll(), grown as needed. */
	struct pollfd *pfds;
	struct watch **pw;
	size_t pcap;

	int sigfd;
	sigset_t sigmask;
	struct sig_handler sig[MP_LOOP_NSIG];
	size_t nsignals;
};

static uint64_t monotonic_ms(void *data)
{
	struct timespec ts;

	(void)data;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int mp_loop_new(struct mp_loop **out)
{
	struct mp_loop *loop = calloc(1, sizeof(*loop));

	*out = NULL;
	if (!loop)
		return -ENOMEM;
	loop->clock = monotonic_ms;
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	*out = loop;
	return 0;
}

void mp_loop_set_clock(struct mp_loop *loop, mp_loop_clock_fn fn, void *data)
{
	loop->clock = fn ? fn : monotonic_ms;
	loop->clock_data = fn ? data : NULL;
}

uint64_t mp_loop_now_ms(const struct mp_loop *loop)
{
	return loop->clock(loop->clock_data);
}

/* ---- watches ---- */

static struct watch *watch_find(const struct mp_loop *loop, int fd)
{
	struct watch *w;

	for (w = loop->watches; w; w = w->next)
		if (!w->dead && w->fd == fd)
			return w;
	return NULL;
}

int mp_loop_watch_add(struct mp_loop *loop, int fd, uint32_t events, mp_loop_fd_cb cb,
		      void *data)
{
	struct watch *w;

	if (fd < 0)
		return -EBADF;
	if (watch_find(loop, fd))
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->data = data;
	w->next = loop->watches;
	loop->watches = w;
	loop->nwatches++;
	return 0;
}

int mp_loop_watch_modify(struct mp_loop *loop, int fd, uint32_t events)
{
	struct watch *w = watch_find(loop, fd);

	if (!w)
		return -ENOENT;
	w->events = events;
	return 0;
}

static void sweep_watches(struct mp_loop *loop)
{
	struct watch **pp = &loop->watches;

	while (*pp) {
		struct watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
	loop->sweep = false;
}

int mp_loop_watch_remove(struct mp_loop *loop, int fd)
{
	struct watch *w = watch_find(loop, fd);

	if (!w)
		return -ENOENT;
	w->dead = true;
	loop->nwatches--;
	loop->sweep = true;
	if (!loop->dispatching)
		sweep_watches(loop);
	return 0;
}

/* ---- timers ---- */

static bool timer_before(const struct timer *a, const struct timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->id < b->id);
}

static void heap_up(struct timer *h, size_t i)
{
	struct timer t = h[i];

	while (i > 0 && timer_before(&t, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = t;
}

static void heap_down(struct timer *h, size_t n, size_t i)
{
	struct timer t = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && timer_before(&h[c + 1], &h[c]))
			c++;
		if (!timer_before(&h[c], &t))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = t;
}

/* Take the timer at @i out of the heap. */
static void heap_remove(struct mp_loop *loop, size_t i)
{
	struct timer *h = loop->timers;

	loop->ntimers--;
	if (i == loop->ntimers)
		return;
	h[i] = h[loop->ntimers];
	if (i > 0 && timer_before(&h[i], &h[(i - 1) / 2]))
		heap_up(h, i);
	else
		heap_down(h, loop->ntimers, i);
}

int64_t mp_loop_timer_add(struct mp_loop *loop, uint64_t delay_ms, mp_loop_timer_cb cb,
			  void *data)
{
	uint64_t now = mp_loop_now_ms(loop);
	struct timer *t;

	if (loop->ntimers == loop->tcap) {
		size_t cap = loop->tcap ? 2 * loop->tcap : 16;
		struct timer *h = realloc(loop->timers, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		loop->timers = h;
		loop->tcap = cap;
	}
	t = &loop->timers[loop->ntimers];
	t->id = ++loop->last_timer_id;
	t->deadline = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
	t->cb = cb;
	t->data = data;
	/* The new id is the largest, so it goes after every equal deadline. */
	heap_up(loop->timers, loop->ntimers++);
	return loop->last_timer_id;
}

int mp_loop_timer_cancel(struct mp_loop *loop, int64_t id)
{
	size_t i;

	for (i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i].id == id) {
			heap_remove(loop, i);
			return 0;
		}
	}
	return -ENOENT;
}

bool mp_loop_timer_pending(const struct mp_loop *loop, int64_t id)
{
	size_t i;

	for (i = 0; i < loop->ntimers; i++)
		if (loop->timers[i].id == id)
			return true;
	return false;
}

int mp_loop_timer_set(struct mp_loop *loop, int64_t *slot, uint64_t delay_ms,
		      mp_loop_timer_cb cb, void *data)
{
	int64_t id;

	if (*slot)
		mp_loop_timer_cancel(loop, *slot);
	*slot = 0;
	if (!delay_ms)
		return 0;
	id = mp_loop_timer_add(loop, delay_ms, cb, data);
	if (id < 0)
		return (int)id;
	*slot = id;
	return 0;
}

int mp_loop_next_deadline(const struct mp_loop *loop, uint64_t *deadline_ms)
{
	/* The top of the heap is the earliest. */
	if (!loop->ntimers)
		return -ENOENT;
	*deadline_ms = loop->timers[0].deadline;
	return 0;
}

/* ---- signals ---- */

static void signal_read(struct mp_loop *loop, int fd, uint32_t events, void *data)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)data;
	/* One signal per round keeps "quit" effective between two signals. */
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo < MP_LOOP_NSIG && loop->sig[si.ssi_signo].active) {
		struct sig_handler *h = &loop->sig[si.ssi_signo];

		h->cb(loop, (int)si.ssi_signo, h->data);
	}
}

int mp_loop_signal_add(struct mp_loop *loop, int signo, mp_loop_signal_cb cb, void *data)
{
	sigset_t one, old, mask;
	int fd, r;

	if (signo <= 0 || signo >= MP_LOOP_NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	if (loop->sig[signo].active)
		return -EEXIST;
	mask = loop->sigmask;
	sigaddset(&mask, signo);
	fd = signalfd(loop->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		r = mp_loop_watch_add(loop, fd, MP_LOOP_READ, signal_read, NULL);
		if (r < 0) {
			close(fd);
			return r;
		}
		loop->sigfd = fd;
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	sigprocmask(SIG_BLOCK, &one, &old);
	loop->sigmask = mask;
	loop->sig[signo] = (struct sig_handler){
		.cb = cb, .data = data, .active = true,
		.blocked_by_us = !sigismember(&old, signo),
	};
	loop->nsignals++;
	return 0;
}

int mp_loop_signal_remove(struct mp_loop *loop, int signo)
{
	struct timespec zero = { 0, 0 };
	sigset_t one;

	if (signo <= 0 || signo >= MP_LOOP_NSIG || !loop->sig[signo].active)
		return -ENOENT;
	sigdelset(&loop->sigmask, signo);
	signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sig[signo].blocked_by_us) {
		sigemptyset(&one);
		sigaddset(&one, signo);
		/* Consume a pending instance, or unblocking would deliver it
		 * with its default action (SIGINT would kill the process). */
		while (sigtimedwait(&one, NULL, &zero) == signo)
			;
		sigprocmask(SIG_UNBLOCK, &one, NULL);
	}
	memset(&loop->sig[signo], 0, sizeof(loop->sig[signo]));
	loop->nsignals--;
	if (!loop->nsignals) {
		/* Nothing left to read: do not keep mp_loop_run() waiting on it. */
		mp_loop_watch_remove(loop, loop->sigfd);
		close(loop->sigfd);
		loop->sigfd = -1;
	}
	return 0;
}

void mp_loop_free(struct mp_loop *loop)
{
	int s;

	if (!loop)
		return;
	for (s = 1; s < MP_LOOP_NSIG; s++)
		if (loop->sig[s].active)
			mp_loop_signal_remove(loop, s);
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	free(loop->timers);
	while (loop->watches) {
		struct watch *w = loop->watches;

		loop->watches = w->next;
		free(w);
	}
	free(loop->pfds);
	free(loop->pw);
	free(loop);
}

/* ---- dispatch ---- */

static int poll_timeout(const struct mp_loop *loop, int timeout_ms)
{
	uint64_t now, wait;

	if (!loop->ntimers)
		return timeout_ms;
	now = mp_loop_now_ms(loop);
	wait = loop->timers[0].deadline > now ? loop->timers[0].deadline - now : 0;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < wait)
		return timeout_ms;
	return wait > INT_MAX ? INT_MAX : (int)wait;
}

static int grow_scratch(struct mp_loop *loop, size_t n)
{
	struct pollfd *pfds;
	struct watch **pw;
	size_t cap;

	if (n <= loop->pcap)
		return 0;
	cap = loop->pcap ? loop->pcap : 8;
	while (cap < n)
		cap *= 2;
	pfds = realloc(loop->pfds, cap * sizeof(*pfds));
	if (!pfds)
		return -ENOMEM;
	loop->pfds = pfds;
	pw = realloc(loop->pw, cap * sizeof(*pw));
	if (!pw)
		return -ENOMEM;
	loop->pw = pw;
	loop->pcap = cap;
	return 0;
}

static uint32_t to_loop_events(short revents)
{
	uint32_t ev = 0;

	if (revents & POLLIN)
		ev |= MP_LOOP_READ;
	if (revents & POLLOUT)
		ev |= MP_LOOP_WRITE;
	if (revents & (POLLERR | POLLNVAL))
		ev |= MP_LOOP_ERROR;
	if (revents & POLLHUP)
		ev |= MP_LOOP_HUP;
	return ev;
}

static int dispatch_fds(struct mp_loop *loop, size_t n)
{
	int ran = 0;
	size_t i;

	for (i = 0; i < n && !loop->quit; i++) {
		struct watch *w = loop->pw[i];
		uint32_t ev;

		if (w->dead || !loop->pfds[i].revents)
			continue;
		/* The callback of an earlier watch may have changed what this
		 * one wants: report only what it still asks for. */
		ev = to_loop_events(loop->pfds[i].revents) &
		     (w->events | MP_LOOP_ERROR | MP_LOOP_HUP);
		if (!ev)
			continue;
		w->cb(loop, w->fd, ev, w->data);
		ran++;
		/* A closed fd (POLLNVAL) would be reported forever: drop it. */
		if ((loop->pfds[i].revents & POLLNVAL) && !w->dead)
			mp_loop_watch_remove(loop, w->fd);
	}
	return ran;
}

static int dispatch_timers(struct mp_loop *loop)
{
	int64_t last = loop->last_timer_id;
	uint64_t now = mp_loop_now_ms(loop);
	int ran = 0;

	while (!loop->quit && loop->ntimers && loop->timers[0].deadline <= now &&
	       loop->timers[0].id <= last) {
		struct timer t = loop->timers[0];

		heap_remove(loop, 0);
		t.cb(loop, t.id, t.data);
		ran++;
	}
	return ran;
}

int mp_loop_run_once(struct mp_loop *loop, int timeout_ms)
{
	struct watch *w;
	size_t n = 0;
	int r, ran;

	if (loop->dispatching)
		return -EBUSY;
	r = grow_scratch(loop, loop->nwatches);
	if (r < 0)
		return r;
	for (w = loop->watches; w; w = w->next) {
		if (w->dead)
			continue;
		loop->pw[n] = w;
		loop->pfds[n].fd = w->fd;
		loop->pfds[n].events = (short)(((w->events & MP_LOOP_READ) ? POLLIN : 0) |
					       ((w->events & MP_LOOP_WRITE) ? POLLOUT : 0));
		loop->pfds[n].revents = 0;
		n++;
	}
	r = poll(loop->pfds, n, poll_timeout(loop, timeout_ms));
	if (r < 0 && errno != EINTR)
		return -errno;
	if (r < 0)
		n = 0;

	loop->dispatching = true;
	ran = r > 0 ? dispatch_fds(loop, n) : 0;
	ran += dispatch_timers(loop);
	loop->dispatching = false;
	if (loop->sweep)
		sweep_watches(loop);
	return ran;
}

int mp_loop_run(struct mp_loop *loop)
{
	int r = 0;

	if (loop->dispatching)
		return -EBUSY;
	while (!loop->quit) {
		if (!loop->nwatches && !loop->ntimers) {
			r = -EDEADLK;
			break;
		}
		r = mp_loop_run_once(loop, -1);
		if (r < 0)
			break;
		r = 0;
	}
	loop->quit = false;
	return r;
}

void mp_loop_quit(struct mp_loop *loop)
{
	loop->quit = true;
}
