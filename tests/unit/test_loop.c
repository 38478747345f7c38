// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kipsecd's event loop (userland/kipsecd/loop.c): timer
 * order, cancellation and re-arming from inside callbacks on a fake clock,
 * then real fds, a real timerfd and a real signal.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../userland/kipsecd/loop.h"

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/* What fired, in order: the id of each timer. */
static int fired[64];
static size_t n_fired;

struct tctx {
	int id;
	struct loop_timer *self;
	struct loop_timer *other;	/* to cancel or re-arm */
	int action;
	int count;
};

enum { NOTHING, CANCEL_SELF, CANCEL_OTHER, REARM_SELF, STOP_SELF,
	ADD_NOW };

static void on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tctx *c = arg;

	assert_ptr_equal(t, c->self);
	assert_true(n_fired < 64);
	fired[n_fired++] = c->id;
	c->count++;
	switch (c->action) {
	case CANCEL_SELF:
		loop_timer_cancel(l, t);
		c->self = NULL;
		break;
	case CANCEL_OTHER:
		loop_timer_cancel(l, c->other);
		c->other = NULL;
		break;
	case REARM_SELF:
		if (c->count < 3)
			loop_timer_rearm(l, t, 5, 0);
		break;
	case STOP_SELF:
		loop_timer_stop(l, t);
		break;
	case ADD_NOW:
		/* Armed for "now" from a callback: not in this round. */
		c->other = loop_timer_add(l, 0, 0, on_timer, c + 1);
		(c + 1)->self = c->other;
		c->action = NOTHING;
		break;
	}
}

static struct loop *new_fake_loop(void)
{
	struct loop *l = loop_new();

	assert_non_null(l);
	fake_now = 1000;
	n_fired = 0;
	loop_set_clock(l, fake_clock, NULL);
	return l;
}

static struct loop_timer *add(struct loop *l, struct tctx *c, uint64_t delay,
			      uint64_t period)
{
	c->self = loop_timer_add(l, delay, period, on_timer, c);
	assert_non_null(c->self);
	return c->self;
}

static void test_order(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx c[6] = { { .id = 0 }, { .id = 1 }, { .id = 2 },
			     { .id = 3 }, { .id = 4 }, { .id = 5 } };

	(void)state;
	add(l, &c[0], 30, 0);
	add(l, &c[1], 10, 0);
	add(l, &c[2], 20, 0);
	add(l, &c[3], 10, 0);	/* same deadline as 1: after it */
	add(l, &c[4], 0, 0);
	add(l, &c[5], 25, 0);

	loop_run_timers(l);
	assert_int_equal(n_fired, 1);
	assert_int_equal(fired[0], 4);
	fake_now += 9;
	loop_run_timers(l);
	assert_int_equal(n_fired, 1);
	fake_now += 1;
	loop_run_timers(l);
	assert_int_equal(n_fired, 3);
	fake_now += 100;
	loop_run_timers(l);
	assert_int_equal(n_fired, 6);
	assert_memory_equal(fired, ((int[]){ 4, 1, 3, 2, 5, 0 }),
			    6 * sizeof(int));
	/* One-shot timers stay allocated, not pending, until cancelled. */
	for (int i = 0; i < 6; i++) {
		assert_false(loop_timer_pending(c[i].self));
		loop_timer_cancel(l, c[i].self);
	}
	loop_free(l);
}

static void test_periodic(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx p = { .id = 7 };

	(void)state;
	add(l, &p, 10, 10);
	fake_now += 10;
	loop_run_timers(l);
	assert_int_equal(p.count, 1);
	assert_int_equal(loop_timer_remaining(l, p.self), 10);
	fake_now += 10;
	loop_run_timers(l);
	assert_int_equal(p.count, 2);
	/* Late by 35 ms: fires once, then keeps a 10 ms period from now. */
	fake_now += 45;
	loop_run_timers(l);
	assert_int_equal(p.count, 3);
	assert_int_equal(loop_timer_remaining(l, p.self), 10);
	loop_timer_cancel(l, p.self);
	fake_now += 100;
	loop_run_timers(l);
	assert_int_equal(p.count, 3);
	loop_free(l);
}

static void test_cancel_self(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx p = { .id = 1, .action = CANCEL_SELF };
	struct tctx q = { .id = 2 };

	(void)state;
	add(l, &p, 5, 5);	/* periodic, cancels itself on the first tick */
	add(l, &q, 5, 0);
	fake_now += 50;
	loop_run_timers(l);
	assert_int_equal(p.count, 1);
	assert_int_equal(q.count, 1);
	assert_null(p.self);
	fake_now += 50;
	loop_run_timers(l);
	assert_int_equal(p.count, 1);
	loop_timer_cancel(l, q.self);
	loop_free(l);
}

static void test_cancel_other(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx a = { .id = 1, .action = CANCEL_OTHER };
	struct tctx b = { .id = 2 };
	struct tctx c = { .id = 3 };

	(void)state;
	add(l, &a, 5, 0);
	add(l, &b, 5, 0);	/* due in the same round, cancelled by a */
	add(l, &c, 6, 0);
	a.other = b.self;
	fake_now += 10;
	loop_run_timers(l);
	assert_int_equal(n_fired, 2);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 3);
	assert_int_equal(b.count, 0);
	loop_timer_cancel(l, a.self);
	loop_timer_cancel(l, c.self);
	loop_free(l);
}

static void test_rearm(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx a = { .id = 1, .action = REARM_SELF };
	struct tctx b = { .id = 2 };

	(void)state;
	add(l, &a, 5, 0);	/* re-arms itself for +5 ms twice */
	add(l, &b, 100, 0);
	for (int i = 0; i < 10; i++) {
		fake_now += 5;
		loop_run_timers(l);
	}
	assert_int_equal(a.count, 3);
	assert_false(loop_timer_pending(a.self));

	/* Re-arming a pending timer moves it; a fired one comes back. */
	loop_timer_rearm(l, b.self, 1, 0);
	fake_now += 1;
	loop_run_timers(l);
	assert_int_equal(b.count, 1);
	loop_timer_rearm(l, a.self, 0, 0);
	loop_run_timers(l);
	assert_int_equal(a.count, 4);
	loop_timer_cancel(l, a.self);
	loop_timer_cancel(l, b.self);
	loop_free(l);
}

static void test_stop_periodic(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx a = { .id = 1, .action = STOP_SELF };

	(void)state;
	add(l, &a, 5, 5);
	fake_now += 5;
	loop_run_timers(l);
	assert_false(loop_timer_pending(a.self));
	fake_now += 50;
	loop_run_timers(l);
	assert_int_equal(a.count, 1);
	loop_timer_cancel(l, a.self);
	loop_free(l);
}

static void test_no_starvation(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx c[2] = { { .id = 1, .action = ADD_NOW }, { .id = 2 } };

	(void)state;
	add(l, &c[0], 0, 0);
	loop_run_timers(l);
	assert_int_equal(n_fired, 1);	/* the new one waits a round */
	loop_run_timers(l);
	assert_int_equal(n_fired, 2);
	assert_int_equal(fired[1], 2);
	loop_timer_cancel(l, c[0].self);
	loop_timer_cancel(l, c[1].self);
	loop_free(l);
}

/* Many timers, random deadlines: they come out sorted. */
static void test_heap(void **state)
{
	struct loop *l = new_fake_loop();
	struct tctx c[64];
	uint64_t last = 0;

	(void)state;
	srand(42);
	for (int i = 0; i < 64; i++) {
		c[i] = (struct tctx){ .id = i };
		add(l, &c[i], (uint64_t)(rand() % 1000), 0);
	}
	/* Cancel every third before it fires. */
	for (int i = 0; i < 64; i += 3) {
		loop_timer_cancel(l, c[i].self);
		c[i].self = NULL;
	}
	for (int t = 0; t <= 1000; t++) {
		size_t before = n_fired;

		loop_run_timers(l);
		for (size_t k = before; k < n_fired; k++) {
			assert_true(fake_now >= last);
			assert_int_not_equal(fired[k] % 3, 0);
			last = fake_now;
		}
		fake_now++;
	}
	assert_int_equal(n_fired, 64 - 22);
	for (int i = 0; i < 64; i++)
		loop_timer_cancel(l, c[i].self);
	loop_free(l);
}

/* The real thing: a pipe, the timerfd and a signal. */

struct real {
	int reads;
	int timers;
	int signals;
	int rfd;
};

static void on_read(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct real *r = arg;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	r->reads++;
	loop_del_fd(l, fd);	/* from inside its own callback */
}

static void on_real_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct real *r = arg;

	(void)t;
	if (++r->timers == 3)
		loop_stop(l);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct real *r = arg;

	(void)l;
	assert_int_equal(signo, SIGUSR1);
	r->signals++;
}

static void test_real(void **state)
{
	struct loop *l = loop_new();
	struct real r = { 0 };
	struct loop_timer *t;
	uint64_t start;
	int p[2];

	(void)state;
	assert_non_null(l);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, on_read, &r), 0);
	assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, on_read, &r), -EEXIST);
	assert_int_equal(loop_add_signal(l, SIGUSR1, on_signal, &r), 0);
	assert_int_equal(write(p[1], "xy", 2), 2);
	raise(SIGUSR1);

	start = loop_now_ms(l);
	t = loop_timer_add(l, 20, 20, on_real_timer, &r);
	assert_non_null(t);
	assert_int_equal(loop_run(l), 0);
	assert_true(loop_now_ms(l) - start >= 60);
	assert_int_equal(r.timers, 3);
	assert_int_equal(r.reads, 1);	/* removed after the first byte */
	assert_int_equal(r.signals, 1);
	loop_timer_cancel(l, t);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_cancel_self),
		cmocka_unit_test(test_cancel_other),
		cmocka_unit_test(test_rearm),
		cmocka_unit_test(test_stop_periodic),
		cmocka_unit_test(test_no_starvation),
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
