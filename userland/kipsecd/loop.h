/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: a single-threaded event loop on epoll.
 *
 * File descriptors, one-shot and periodic timers (millisecond resolution,
 * a min-heap behind one timerfd on CLOCK_MONOTONIC) and signals (signalfd).
 * Everything runs on the loop's thread from loop_run(); callbacks may add,
 * re-arm and cancel timers and fds, their own included.
 */
#ifndef KIPSECD_LOOP_H
#define KIPSECD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(struct loop *l, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t, void *arg);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *arg);
/* Milliseconds on a monotonic clock. */
typedef uint64_t (*loop_clock_fn)(void *arg);

struct loop *loop_new(void);
/* Frees every timer and forgets every fd (it does not close them). */
void loop_free(struct loop *l);

/* Watch @fd for EPOLLIN/EPOLLOUT/... (@events). One callback per fd. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb,
		void *arg);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
/* Stop watching @fd; safe inside any callback, @fd's own included. */
int loop_del_fd(struct loop *l, int fd);

/*
 * A timer that fires after @delay_ms, then every @period_ms if that is
 * not 0. Timers due at the same time fire in the order they were armed.
 * Returns NULL if out of memory.
 */
struct loop_timer *loop_timer_add(struct loop *l, uint64_t delay_ms,
				  uint64_t period_ms, loop_timer_cb cb,
				  void *arg);
/*
 * Arm @t again, whether it is pending, has fired (a one-shot timer stays
 * allocated until cancelled) or is running its callback right now.
 */
void loop_timer_rearm(struct loop *l, struct loop_timer *t, uint64_t delay_ms,
		      uint64_t period_ms);
/* Stop @t if pending; it stays allocated and can be re-armed. */
void loop_timer_stop(struct loop *l, struct loop_timer *t);
/* Stop and free @t; safe inside any callback, @t's own included. NULL ok. */
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
bool loop_timer_pending(const struct loop_timer *t);
/* Milliseconds until @t fires, 0 if due or not pending. */
uint64_t loop_timer_remaining(struct loop *l, const struct loop_timer *t);

/*
 * Deliver @signo through the loop: it is blocked for the whole process
 * (call this before starting threads or children that must see it) and
 * read from a signalfd. Calling it again for a signal replaces the
 * callback.
 */
int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg);

/* Run until loop_stop(); returns 0, or -errno if epoll fails. */
int loop_run(struct loop *l);
/* Wait at most @timeout_ms (-1: forever) for one round of events. */
int loop_run_once(struct loop *l, int timeout_ms);
void loop_stop(struct loop *l);

uint64_t loop_now_ms(struct loop *l);

/* For tests: replace the clock, and fire the timers that are due now. */
void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg);
void loop_run_timers(struct loop *l);

#endif
