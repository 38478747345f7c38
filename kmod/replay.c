// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: anti-replay window.
 *
 * One bitmap implementation serves every window size and both 32-bit and
 * extended (64-bit) sequence numbers. The bitmap is a ring indexed by the
 * low bits of the full sequence number (RFC 6479): moving the window clears
 * the words it enters instead of shifting the whole map, so the cost of a
 * packet does not grow with the window size.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "replay.h"

/*
 * With anti-replay off, ESN still needs the high bits of every packet. They
 * are inferred as the value closest to the highest sequence number seen.
 */
#define KIPSEC_REPLAY_ESN_SPAN_OFF	BIT(31)

int kipsec_replay_init(struct kipsec_replay *r, u32 window, bool esn,
		       gfp_t gfp)
{
	memset(r, 0, sizeof(*r));
	r->esn = esn;
	if (!window)
		return 0;
	if (window < KIPSEC_REPLAY_WINDOW_MIN ||
	    window > KIPSEC_REPLAY_WINDOW_MAX)
		return -EINVAL;

	r->window = window;
	r->ring_bits = roundup_pow_of_two(window + BITS_PER_LONG);
	r->bitmap = bitmap_zalloc(r->ring_bits, gfp);
	if (!r->bitmap)
		return -ENOMEM;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_replay_init);

void kipsec_replay_destroy(struct kipsec_replay *r)
{
	bitmap_free(r->bitmap);
	r->bitmap = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_replay_destroy);

/*
 * RFC 4303 Appendix A2.2: the high half of a sequence number from its low
 * half, the top of the window (Th:Tl) and the window size W. Returns false
 * when the packet would belong before sequence number 0.
 */
static bool kipsec_replay_infer(const struct kipsec_replay *r, u32 seq_lo,
				u64 *seq)
{
	u32 w = r->window ?: KIPSEC_REPLAY_ESN_SPAN_OFF;
	u32 tl = lower_32_bits(r->top);
	u32 th = upper_32_bits(r->top);
	u32 bottom = tl - w + 1;	/* modulo 2^32 */

	if (!r->esn) {
		*seq = seq_lo;
		return true;
	}

	if (tl >= w - 1) {
		/* The window lies within one subspace of 2^32. */
		if (seq_lo < bottom)
			th++;
	} else if (seq_lo >= bottom) {
		/* The window spans two subspaces; this is the lower one. */
		if (!th)
			return false;
		th--;
	}
	*seq = (u64)th << 32 | seq_lo;
	return true;
}

static enum kipsec_replay_verdict
kipsec_replay_lookup(const struct kipsec_replay *r, u64 seq)
{
	if (!r->window)
		return KIPSEC_REPLAY_OK;
	/* A sender's first packet is number 1 (RFC 4303 section 3.3.3). */
	if (!seq)
		return KIPSEC_REPLAY_TOO_OLD;
	if (seq > r->top)
		return KIPSEC_REPLAY_OK;
	if (r->top - seq >= r->window)
		return KIPSEC_REPLAY_TOO_OLD;
	if (test_bit(seq & (r->ring_bits - 1), r->bitmap))
		return KIPSEC_REPLAY_DUPLICATE;
	return KIPSEC_REPLAY_OK;
}

enum kipsec_replay_verdict kipsec_replay_check(const struct kipsec_replay *r,
					       u32 seq_lo, u64 *seq)
{
	if (!kipsec_replay_infer(r, seq_lo, seq))
		return KIPSEC_REPLAY_TOO_OLD;
	return kipsec_replay_lookup(r, *seq);
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_replay_check);

/* Clear the ring's words that sequence numbers (@from, @to] enter. */
static void kipsec_replay_clear(struct kipsec_replay *r, u64 from, u64 to)
{
	u64 first = (from / BITS_PER_LONG + 1) * BITS_PER_LONG;
	u64 end = round_up(to + 1, BITS_PER_LONG);
	unsigned int start, len;

	if (end - first >= r->ring_bits) {
		bitmap_zero(r->bitmap, r->ring_bits);
		return;
	}
	if (first >= end)
		return;

	start = first & (r->ring_bits - 1);
	len = end - first;
	if (start + len > r->ring_bits) {
		bitmap_clear(r->bitmap, start, r->ring_bits - start);
		len -= r->ring_bits - start;
		start = 0;
	}
	bitmap_clear(r->bitmap, start, len);
}

enum kipsec_replay_verdict kipsec_replay_advance(struct kipsec_replay *r,
						 u64 seq)
{
	enum kipsec_replay_verdict v = kipsec_replay_lookup(r, seq);

	if (v != KIPSEC_REPLAY_OK)
		return v;
	if (r->window) {
		if (seq > r->top)
			kipsec_replay_clear(r, r->top, seq);
		__set_bit(seq & (r->ring_bits - 1), r->bitmap);
	}
	if (seq > r->top)
		r->top = seq;
	return KIPSEC_REPLAY_OK;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_replay_advance);

/*
 * Carry the state of @from over to @to, a window just initialized for the
 * SA that replaces @from's. When the ring sizes differ, every sequence
 * number up to the top counts as received: the window may drop a late
 * packet, but it never accepts one twice.
 */
void kipsec_replay_inherit(struct kipsec_replay *to,
			   const struct kipsec_replay *from)
{
	to->top = from->top;
	if (!to->window)
		return;
	if (from->window && to->ring_bits == from->ring_bits)
		bitmap_copy(to->bitmap, from->bitmap, to->ring_bits);
	else
		bitmap_fill(to->bitmap, to->ring_bits);
}
