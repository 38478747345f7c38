// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the event loop.
 *
 * Timers live in a binary min-heap ordered by (deadline, arming sequence);
 * one timerfd set to the earliest deadline wakes epoll. A round of timers
 * fires only those due when the round started and armed before it, so a
 * callback that re-arms itself for "now" cannot starve the fds.
 *
 * Fds removed during a round of epoll events are freed after the round:
 * a later event of the same round for that fd is then ignored.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define MAX_EVENTS 32
#define NSIG_MAX 65

struct loop_fd {
	int fd;
	bool dead;
	loop_fd_cb cb;
	void *arg;
	struct loop_fd *next;
};

struct loop_timer {
	uint64_t deadline, period;
	uint64_t seq;
	size_t index;		/* in the heap, or NOT_QUEUED */
	bool running;		/* its callback runs now */
	bool cancelled;		/* free it when the callback returns */
	loop_timer_cb cb;
	void *arg;
};

#define NOT_QUEUED ((size_t)-1)

struct loop {
	int epfd;
	bool stop;
	struct loop_fd *fds;

	int tfd;
	struct loop_timer **heap;
	size_t n_heap, cap_heap;
	uint64_t next_seq;
	uint64_t armed_for;	/* deadline the timerfd is set to, 0: none */

	int sfd;
	sigset_t sigmask;
	struct {
		loop_signal_cb cb;
		void *arg;
	} sig[NSIG_MAX];

	loop_clock_fn clock;
	void *clock_arg;
};

/* Markers of our own fds in epoll_event.data.ptr. */
static char timer_marker, signal_marker;

static uint64_t monotonic_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t loop_now_ms(struct loop *l)
{
	return l->clock(l->clock_arg);
}

void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg)
{
	l->clock = fn ? fn : monotonic_ms;
	l->clock_arg = arg;
}

struct loop *loop_new(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->sfd = -1;
	l->clock = monotonic_ms;
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->tfd < 0)
		goto fail;
	ev.data.ptr = &timer_marker;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev))
		goto fail;
	return l;
fail:
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	free(l);
	return NULL;
}

static void reap_fds(struct loop *l)
{
	struct loop_fd **pp = &l->fds, *f;

	while ((f = *pp)) {
		if (f->dead) {
			*pp = f->next;
			free(f);
		} else {
			pp = &f->next;
		}
	}
}

void loop_free(struct loop *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_heap; i++)
		free(l->heap[i]);
	free(l->heap);
	while (l->fds) {
		struct loop_fd *f = l->fds;

		l->fds = f->next;
		free(f);
	}
	close(l->epfd);
	close(l->tfd);
	if (l->sfd >= 0)
		close(l->sfd);
	free(l);
}

/* fds */

static struct loop_fd *find_fd(struct loop *l, int fd)
{
	struct loop_fd *f;

	for (f = l->fds; f; f = f->next)
		if (f->fd == fd && !f->dead)
			return f;
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb,
		void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *f;

	if (find_fd(l, fd))
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = fd;
	f->cb = cb;
	f->arg = arg;
	ev.data.ptr = f;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = errno;

		free(f);
		return -err;
	}
	f->next = l->fds;
	l->fds = f;
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd *f = find_fd(l, fd);

	if (!f)
		return -ENOENT;
	ev.data.ptr = f;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

int loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *f = find_fd(l, fd);

	if (!f)
		return -ENOENT;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->dead = true;		/* freed after the round */
	return 0;
}

/* timers: the heap */

static bool before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->index = i;
}

static void sift_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void sift_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->n_heap)
			break;
		if (c + 1 < l->n_heap && before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->index;
	struct loop_timer *last;

	if (i == NOT_QUEUED)
		return;
	t->index = NOT_QUEUED;
	last = l->heap[--l->n_heap];
	if (last == t)
		return;
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->index);
}

static int heap_insert(struct loop *l, struct loop_timer *t)
{
	if (l->n_heap == l->cap_heap) {
		size_t cap = l->cap_heap ? 2 * l->cap_heap : 16;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap_heap = cap;
	}
	heap_set(l, l->n_heap++, t);
	sift_up(l, t->index);
	return 0;
}

/* timers: the API */

static void arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms,
		uint64_t period_ms)
{
	heap_remove(l, t);
	t->deadline = loop_now_ms(l) + delay_ms;
	t->period = period_ms;
	t->seq = l->next_seq++;
	/* Cannot fail: the heap has room for every timer ever added. */
	heap_insert(l, t);
}

struct loop_timer *loop_timer_add(struct loop *l, uint64_t delay_ms,
				  uint64_t period_ms, loop_timer_cb cb,
				  void *arg)
{
	struct loop_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->arg = arg;
	t->index = NOT_QUEUED;
	t->deadline = loop_now_ms(l) + delay_ms;
	t->period = period_ms;
	t->seq = l->next_seq++;
	if (heap_insert(l, t)) {
		free(t);
		return NULL;
	}
	return t;
}

void loop_timer_rearm(struct loop *l, struct loop_timer *t, uint64_t delay_ms,
		      uint64_t period_ms)
{
	if (t->cancelled)
		return;
	arm(l, t, delay_ms, period_ms);
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	heap_remove(l, t);
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t)
		return;
	heap_remove(l, t);
	if (t->running)
		t->cancelled = true;	/* the dispatcher frees it */
	else
		free(t);
}

bool loop_timer_pending(const struct loop_timer *t)
{
	return t->index != NOT_QUEUED;
}

uint64_t loop_timer_remaining(struct loop *l, const struct loop_timer *t)
{
	uint64_t now = loop_now_ms(l);

	if (t->index == NOT_QUEUED || t->deadline <= now)
		return 0;
	return t->deadline - now;
}

void loop_run_timers(struct loop *l)
{
	uint64_t now = loop_now_ms(l);
	uint64_t round = l->next_seq;

	while (l->n_heap && !l->stop) {
		struct loop_timer *t = l->heap[0];

		/* Due, and armed before this round began. */
		if (t->deadline > now || t->seq >= round)
			break;
		heap_remove(l, t);
		if (t->period) {
			/* Keep the cadence; skip ticks missed while busy. */
			t->deadline += t->period;
			if (t->deadline <= now)
				t->deadline = now + t->period;
			t->seq = l->next_seq++;
			heap_insert(l, t);
		}
		t->running = true;
		t->cb(l, t, t->arg);
		t->running = false;
		if (t->cancelled)
			free(t);
	}
}

/* Point the timerfd at the earliest deadline, or disarm it. */
static void arm_timerfd(struct loop *l)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t when = l->n_heap ? l->heap[0]->deadline : 0;

	if (when == l->armed_for)
		return;
	if (when) {
		/* Deadlines are on our clock; the timerfd is relative. */
		uint64_t now = loop_now_ms(l);
		uint64_t d = when > now ? when - now : 0;

		if (d == 0)
			its.it_value.tv_nsec = 1;	/* fire at once */
		its.it_value.tv_sec = d / 1000;
		its.it_value.tv_nsec += (long)(d % 1000) * 1000000;
	}
	timerfd_settime(l->tfd, 0, &its, NULL);
	l->armed_for = when;
}

/* signals */

int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (signo <= 0 || signo >= NSIG_MAX)
		return -EINVAL;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL))
		return -errno;
	fd = signalfd(l->sfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sfd < 0) {
		ev.data.ptr = &signal_marker;
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			int err = errno;

			close(fd);
			return -err;
		}
		l->sfd = fd;
	}
	l->sig[signo].cb = cb;
	l->sig[signo].arg = arg;
	return 0;
}

static void read_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == sizeof(si)) {
		int signo = (int)si.ssi_signo;

		if (signo > 0 && signo < NSIG_MAX && l->sig[signo].cb)
			l->sig[signo].cb(l, signo, l->sig[signo].arg);
	}
}

/* running */

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t expirations;
	int i, n;

	arm_timerfd(l);
	n = epoll_wait(l->epfd, evs, MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n && !l->stop; i++) {
		void *p = evs[i].data.ptr;

		if (p == &timer_marker) {
			if (read(l->tfd, &expirations, sizeof(expirations)) > 0)
				l->armed_for = 0;
			loop_run_timers(l);
		} else if (p == &signal_marker) {
			read_signals(l);
		} else {
			struct loop_fd *f = p;

			if (!f->dead)
				f->cb(l, f->fd, evs[i].events, f->arg);
		}
	}
	reap_fds(l);
	/* A timer's deadline may have passed while fds were served. */
	if (!l->stop && l->n_heap && l->heap[0]->deadline <= loop_now_ms(l))
		loop_run_timers(l);
	return 0;
}

int loop_run(struct loop *l)
{
	int ret = 0;

	l->stop = false;
	while (!l->stop && !ret)
		ret = loop_run_once(l, -1);
	return ret;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
