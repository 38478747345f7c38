// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the anti-replay window (kmod/replay.c).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../../kmod/replay.h"

#define OK	KIPSEC_REPLAY_OK
#define DUP	KIPSEC_REPLAY_DUPLICATE
#define OLD	KIPSEC_REPLAY_TOO_OLD
#define FORGED	true	/* the packet fails its ICV: the window must not move */

struct replay_step {
	u32 seq_lo;			/* on the wire */
	enum kipsec_replay_verdict verdict;
	u64 seq;			/* expected full number, when OK */
	bool forged;
};

struct replay_case {
	const char *name;
	u32 window;
	bool esn;
	u64 start;			/* authenticated before the steps, if any */
	unsigned int n;
	struct replay_step steps[12];
};

#define STEPS(...)							\
	.steps = { __VA_ARGS__ },					\
	.n = sizeof((struct replay_step[]){ __VA_ARGS__ }) /		\
	     sizeof(struct replay_step)

static const struct replay_case replay_cases[] = {
	{ .name = "seq 0 is never accepted",
	  .window = 64, .esn = false, .start = 0,
	  STEPS({ 0, OLD }, { 1, OK, 1 }, { 0, OLD }, { 2, OK, 2 }) },
	{ .name = "duplicates", .window = 64, .esn = false, .start = 0,
	  STEPS({ 1, OK, 1 }, { 1, DUP }, { 3, OK, 3 }, { 2, OK, 2 },
		{ 1, DUP }, { 2, DUP }, { 3, DUP }) },
	{ .name = "left edge of the window",
	  .window = 64, .esn = false, .start = 100,
	  STEPS({ 37, OK, 37 }, { 36, OLD }, { 37, DUP }, { 100, DUP },
		{ 101, OK, 101 }, { 38, OK, 38 }, { 37, OLD }) },
	{ .name = "forged packets do not move the window",
	  .window = 64, .esn = false, .start = 100,
	  STEPS({ 200, OK, 200, FORGED }, { 37, OK, 37 }, { 200, OK, 200 },
		{ 137, OK, 137 }, { 136, OLD }) },
	{ .name = "far jump ahead", .window = 64, .esn = false, .start = 1,
	  STEPS({ 1000000, OK, 1000000 }, { 999937, OK, 999937 },
		{ 999936, OLD }, { 2, OLD }, { 0xffffffff, OK, 0xffffffff },
		{ 0xffffffc0, OK, 0xffffffc0 }, { 0xffffffbf, OLD }) },
	{ .name = "a jump by the ring size leaves no stale bits",
	  .window = 64, .esn = false, .start = 0,
	  STEPS({ 60, OK, 60 }, { 61, OK, 61 }, { 62, OK, 62 }, { 63, OK, 63 },
		{ 64, OK, 64 }, { 192, OK, 192 }, { 188, OK, 188 },
		{ 189, OK, 189 }, { 190, OK, 190 }, { 191, OK, 191 },
		{ 129, OK, 129 }, { 128, OLD }) },
	{ .name = "a jump into the next word",
	  .window = 64, .esn = false, .start = 0,
	  STEPS({ 1, OK, 1 }, { 70, OK, 70 }, { 7, OK, 7 }, { 6, OLD },
		{ 69, OK, 69 }, { 70, DUP }, { 7, DUP }) },
	{ .name = "no wrap without ESN",
	  .window = 64, .esn = false, .start = 0xfffffff0,
	  STEPS({ 0xffffffff, OK, 0xffffffff }, { 1, OLD }, { 0, OLD }) },
	{ .name = "ESN: wrap of the low 32 bits",
	  .window = 64, .esn = true, .start = 0xfffffff0,
	  STEPS({ 0xfffffff5, OK, 0xfffffff5 }, { 3, OK, 0x100000003 },
		{ 0xfffffff8, OK, 0xfffffff8 }, { 0xfffffff5, DUP },
		{ 0, OK, 0x100000000 }, { 0xffffffc4, OK, 0xffffffc4 },
		{ 0xffffffc3, OK, 0x1ffffffc3, FORGED }, { 0xffffffc4, DUP },
		{ 3, DUP }) },
	{ .name = "ESN: window within one subspace",
	  .window = 64, .esn = true, .start = 0x500000100,
	  STEPS({ 0xc1, OK, 0x5000000c1 }, { 0xc0, OK, 0x6000000c0, FORGED },
		{ 0x101, OK, 0x500000101 },
		/* Left of the window now: taken for the next subspace. */
		{ 0xc1, OK, 0x6000000c1, FORGED }) },
	{ .name = "ESN: nothing before sequence 0",
	  .window = 64, .esn = true, .start = 0,
	  STEPS({ 0xffffffff, OLD }, { 0, OLD }, { 1, OK, 1 },
		{ 0xffffffc2, OLD }, { 2, OK, 2 }) },
	{ .name = "ESN: low half 0 is valid after the wrap",
	  .window = 64, .esn = true, .start = 0xffffffff,
	  STEPS({ 0, OK, 0x100000000 }, { 0, DUP }, { 0xffffffff, DUP }) },
	{ .name = "anti-replay off", .window = 0, .esn = false, .start = 0,
	  STEPS({ 5, OK, 5 }, { 5, OK, 5 }, { 0, OK, 0 }, { 1, OK, 1 }) },
	{ .name = "anti-replay off with ESN",
	  .window = 0, .esn = true, .start = 0xfffffff0,
	  STEPS({ 2, OK, 0x100000002 }, { 0xfffffff0, OK, 0xfffffff0 },
		{ 2, OK, 0x100000002 }) },
};

static void replay_case_desc(const struct replay_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(replay_cases, replay_cases, replay_case_desc);

static void replay_init_or_fail(struct kunit *test, struct kipsec_replay *r,
				u32 window, bool esn)
{
	KUNIT_ASSERT_EQ(test, kipsec_replay_init(r, window, esn, GFP_KERNEL), 0);
}

static void replay_table(struct kunit *test)
{
	const struct replay_case *c = test->param_value;
	struct kipsec_replay r;
	unsigned int i;
	u64 seq;

	replay_init_or_fail(test, &r, c->window, c->esn);
	if (c->start)
		KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, c->start), OK);

	for (i = 0; i < c->n; i++) {
		const struct replay_step *s = &c->steps[i];
		enum kipsec_replay_verdict v;

		v = kipsec_replay_check(&r, s->seq_lo, &seq);
		KUNIT_EXPECT_EQ_MSG(test, v, s->verdict, "step %u: seq_lo %#x",
				    i, s->seq_lo);
		if (v != OK || s->verdict != OK)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, seq, s->seq, "step %u: seq_lo %#x",
				    i, s->seq_lo);
		if (!s->forged)
			KUNIT_EXPECT_EQ_MSG(test, kipsec_replay_advance(&r, seq),
					    OK, "step %u", i);
	}
	kipsec_replay_destroy(&r);
}

static const u32 replay_sizes[] = {
	32, 33, 63, 64, 65, 100, 128, 1000, 1024, 4096, 4097,
	KIPSEC_REPLAY_WINDOW_MAX,
};

static void replay_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "window %u", *size);
}

KUNIT_ARRAY_PARAM(replay_sizes, replay_sizes, replay_size_desc);

/*
 * A number just left of the window: too old without ESN; with ESN the
 * inference of RFC 4303 A2.2 takes it for the next subspace, where its ICV
 * will not verify.
 */
static void expect_left_of_window(struct kunit *test,
				  const struct kipsec_replay *r, u64 s)
{
	u64 seq;

	if (!r->esn) {
		KUNIT_EXPECT_EQ_MSG(test, kipsec_replay_check(r, (u32)s, &seq),
				    OLD, "seq %#llx top %#llx", s, r->top);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, kipsec_replay_check(r, (u32)s, &seq), OK,
			    "seq %#llx top %#llx", s, r->top);
	KUNIT_EXPECT_EQ(test, seq, s + (1ULL << 32));
}

/* Fill a whole window of @w below @top and check both of its edges. */
static void replay_window_edges(struct kunit *test, u32 w, bool esn, u64 top)
{
	struct kipsec_replay r;
	u64 seq, s;

	replay_init_or_fail(test, &r, w, esn);
	KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, top), OK);

	expect_left_of_window(test, &r, top - w);
	for (s = top - w + 1; s < top; s++) {
		KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, (u32)s, &seq), OK);
		KUNIT_ASSERT_EQ(test, seq, s);
		KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, seq), OK);
	}
	for (s = top - w + 1; s <= top; s++)
		KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, (u32)s, &seq), DUP);

	/* One step right: the old left edge falls out. */
	KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, (u32)(top + 1), &seq), OK);
	KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, seq), OK);
	expect_left_of_window(test, &r, top - w + 1);
	KUNIT_EXPECT_EQ(test, kipsec_replay_check(&r, (u32)(top - w + 2), &seq),
			DUP);

	/* A jump of exactly one window: all of it is new again. */
	KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, top + 1 + w), OK);
	for (s = top + 2; s < top + 1 + w; s++)
		KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, (u32)s, &seq), OK);
	expect_left_of_window(test, &r, top + 1);
	kipsec_replay_destroy(&r);
}

static void replay_each_size(struct kunit *test)
{
	u32 w = *(const u32 *)test->param_value;

	replay_window_edges(test, w, false, 10ULL * w + 7);
	/* With ESN, a window that straddles the wrap of the low 32 bits. */
	replay_window_edges(test, w, true, (1ULL << 32) + w / 2);
	replay_window_edges(test, w, true, (5ULL << 32) + 3ULL * w);
}

static void replay_bad_sizes(struct kunit *test)
{
	struct kipsec_replay r;

	KUNIT_EXPECT_EQ(test, kipsec_replay_init(&r, 1, false, GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kipsec_replay_init(&r, KIPSEC_REPLAY_WINDOW_MIN - 1,
						 false, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipsec_replay_init(&r, KIPSEC_REPLAY_WINDOW_MAX + 1,
						 true, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kipsec_replay_init(&r, 0, true, GFP_KERNEL), 0);
	kipsec_replay_destroy(&r);
}

/* Two copies of a packet pass the check; only the first one is recorded. */
static void replay_race_between_check_and_advance(struct kunit *test)
{
	struct kipsec_replay r;
	u64 a, b;

	replay_init_or_fail(test, &r, 64, false);
	KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, 5, &a), OK);
	KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, 5, &b), OK);
	KUNIT_EXPECT_EQ(test, kipsec_replay_advance(&r, a), OK);
	KUNIT_EXPECT_EQ(test, kipsec_replay_advance(&r, b), DUP);

	/* The window moved past a checked packet before it was recorded. */
	KUNIT_ASSERT_EQ(test, kipsec_replay_check(&r, 3, &a), OK);
	KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, 200), OK);
	KUNIT_EXPECT_EQ(test, kipsec_replay_advance(&r, a), OLD);
	KUNIT_EXPECT_EQ(test, r.top, 200ULL);
	kipsec_replay_destroy(&r);
}

/*
 * The naive model: every sequence number in a range, and the RFC's
 * definition of the window written as directly as possible.
 */
#define MODEL_RANGE	BIT(22)
#define MODEL_STEPS	20000

struct replay_model {
	u64 base;		/* the lowest number the generator produces */
	u64 top;
	u32 window;
	bool esn;
	u8 *seen;		/* seen[n - base] */
};

/* The number congruent to @seq_lo modulo 2^32 in [top - W + 1, top - W + 2^32]. */
static bool model_infer(const struct replay_model *m, u32 seq_lo, u64 *seq)
{
	s64 w = m->window ?: (s64)BIT_ULL(31);
	s64 low = (s64)m->top - w + 1;
	s64 x;

	if (!m->esn) {
		*seq = seq_lo;
		return true;
	}
	for (x = (low & ~0xffffffffLL) | seq_lo; x < low; x += 1LL << 32)
		;
	if (x >= low + (1LL << 32))
		x -= 1LL << 32;
	if (x < 0)
		return false;
	*seq = x;
	return true;
}

static enum kipsec_replay_verdict model_verdict(const struct replay_model *m,
						u64 seq)
{
	if (!m->window)
		return OK;
	if (seq == 0)
		return OLD;
	if (seq > m->top)
		return OK;
	if (m->top - seq >= m->window)
		return OLD;
	return m->seen[seq - m->base] ? DUP : OK;
}

static void replay_random_run(struct kunit *test, u32 w, bool esn, u64 seed)
{
	struct replay_model m = { .window = w, .esn = esn };
	u32 span = (w ?: 64) * 2;
	struct rnd_state rnd;
	struct kipsec_replay r;
	unsigned int i;

	/*
	 * Start like an SA already in use; with ESN, far enough below the
	 * wrap of the low 32 bits that the walk crosses it about a quarter
	 * of the way through.
	 */
	m.top = esn ? (1ULL << 32) - 50ULL * span : 4ULL * span;
	m.base = m.top - 4ULL * span + 1;
	m.seen = vzalloc(MODEL_RANGE);
	KUNIT_ASSERT_NOT_NULL(test, m.seen);
	replay_init_or_fail(test, &r, w, esn);
	prandom_seed_state(&rnd, seed);
	KUNIT_ASSERT_EQ(test, kipsec_replay_advance(&r, m.top), OK);
	m.seen[m.top - m.base] = 1;

	for (i = 0; i < MODEL_STEPS; i++) {
		u32 roll = prandom_u32_state(&rnd);
		enum kipsec_replay_verdict want, got;
		u64 truth, want_seq, got_seq;
		bool ok_infer;
		s64 delta;

		/*
		 * Mostly inside or just below the window, a few steps ahead,
		 * now and then far ahead; some packets fail their ICV.
		 */
		if (roll % 500 == 0)
			delta = prandom_u32_state(&rnd) % (2 * span);
		else
			delta = (s64)(prandom_u32_state(&rnd) %
				      (span + span / 8)) - span;
		if ((s64)(m.top + delta) < (s64)m.base)
			delta = 0;
		truth = m.top + delta;
		if (truth - m.base >= MODEL_RANGE)
			break;	/* the walk reached the end of the model */

		ok_infer = model_infer(&m, (u32)truth, &want_seq);
		want = ok_infer ? model_verdict(&m, want_seq) : OLD;
		got = kipsec_replay_check(&r, (u32)truth, &got_seq);
		KUNIT_ASSERT_EQ_MSG(test, got, want, "step %u: seq %#llx top %#llx",
				    i, truth, m.top);
		if (got != OK)
			continue;
		KUNIT_ASSERT_EQ_MSG(test, got_seq, want_seq, "step %u", i);

		/*
		 * Only the sender's real number authenticates: with ESN a
		 * wrong guess of the high bits fails the ICV.
		 */
		if (got_seq != truth || roll % 97 == 0)
			continue;
		KUNIT_ASSERT_EQ_MSG(test, kipsec_replay_advance(&r, got_seq), OK,
				    "step %u", i);
		m.seen[got_seq - m.base] = 1;
		if (got_seq > m.top)
			m.top = got_seq;
		KUNIT_ASSERT_EQ(test, r.top, m.top);
	}
	KUNIT_EXPECT_GT(test, i, MODEL_STEPS / 4U);
	if (esn)
		KUNIT_EXPECT_GT(test, m.top, 1ULL << 32);
	kipsec_replay_destroy(&r);
	vfree(m.seen);
}

static void replay_random_against_model(struct kunit *test)
{
	u32 w = *(const u32 *)test->param_value;

	replay_random_run(test, w, false, 0x6b697073ULL ^ w);
	replay_random_run(test, w, true, 0x65736e00ULL ^ w);
}

static void replay_random_off(struct kunit *test)
{
	replay_random_run(test, 0, true, 0x6f6666);
}

static struct kunit_case replay_test_cases[] = {
	KUNIT_CASE_PARAM(replay_table, replay_cases_gen_params),
	KUNIT_CASE_PARAM(replay_each_size, replay_sizes_gen_params),
	KUNIT_CASE(replay_bad_sizes),
	KUNIT_CASE(replay_race_between_check_and_advance),
	KUNIT_CASE_PARAM(replay_random_against_model, replay_sizes_gen_params),
	KUNIT_CASE(replay_random_off),
	{}
};

static struct kunit_suite replay_test_suite = {
	.name = "kipsec_replay",
	.test_cases = replay_test_cases,
};

kunit_test_suite(replay_test_suite);
