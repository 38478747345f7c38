/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: the anti-replay window of an inbound SA (RFC 4303 section 3.4.3,
 * RFC 4302 section 3.4.3, Appendix A of RFC 4303 for ESN).
 */
#ifndef _KIPSEC_REPLAY_H
#define _KIPSEC_REPLAY_H

#include <linux/types.h>

#define KIPSEC_REPLAY_WINDOW_MIN	32
#define KIPSEC_REPLAY_WINDOW_MAX	16384
#define KIPSEC_REPLAY_WINDOW_DEFAULT	64

enum kipsec_replay_verdict {
	KIPSEC_REPLAY_OK,
	/* Inside the window and received before. */
	KIPSEC_REPLAY_DUPLICATE,
	/* Left of the window, or sequence number 0. */
	KIPSEC_REPLAY_TOO_OLD,
};

/*
 * @top:       highest sequence number that passed its integrity check;
 *             0 before the first one.
 * @window:    window size in packets; 0 when anti-replay is off.
 * @ring_bits: size of @bitmap, a power of two of at least
 *             @window + BITS_PER_LONG, so that a word can be cleared whole
 *             when the window moves into it. Bit (seq % ring_bits) stands
 *             for seq. 0 when anti-replay is off.
 * @esn:       64-bit extended sequence numbers; only the low 32 bits are
 *             on the wire and the high ones are inferred.
 *
 * The caller serializes calls on one window (the SA's lock).
 */
struct kipsec_replay {
	u64 top;
	u32 window;
	u32 ring_bits;
	bool esn;
	unsigned long *bitmap;
};

int kipsec_replay_init(struct kipsec_replay *r, u32 window, bool esn,
		       gfp_t gfp);
void kipsec_replay_destroy(struct kipsec_replay *r);

/*
 * Before decryption: infer the full sequence number of a packet from the
 * 32 bits on the wire, into *@seq, and tell whether the window accepts it.
 * It changes nothing: the window moves only in kipsec_replay_advance().
 */
enum kipsec_replay_verdict kipsec_replay_check(const struct kipsec_replay *r,
					       u32 seq_lo, u64 *seq);

/*
 * After the packet's ICV verified: record @seq (as inferred by
 * kipsec_replay_check()) and move the window. Checks again, since another
 * copy of the packet may have been recorded in between; on a verdict other
 * than KIPSEC_REPLAY_OK nothing changes.
 */
enum kipsec_replay_verdict kipsec_replay_advance(struct kipsec_replay *r,
						 u64 seq);

void kipsec_replay_inherit(struct kipsec_replay *to,
			   const struct kipsec_replay *from);

#endif /* _KIPSEC_REPLAY_H */
