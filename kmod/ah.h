/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: AH (RFC 4302) in tunnel mode on one packet: the AH header, and
 * the ICV over the outer IP header (mutable fields zeroed), the AH header
 * and the inner packet, with the high half of an extended sequence number
 * appended for the computation only.
 */
#ifndef _KIPSEC_AH_H
#define _KIPSEC_AH_H

#include <linux/skbuff.h>

#include "esp.h"
#include "sa.h"

#define KIPSEC_AH_HLEN		12	/* next header .. sequence number */

/*
 * The length of the AH header with its ICV, padded as Linux XFRM pads it:
 * to 8 bytes for both IPv4 (XFRM's default without "align4"; RFC 4302 2.6
 * asks for 4, and 8 is a multiple of it) and IPv6.
 */
unsigned int kipsec_ah_hlen(const struct kipsec_sa *sa);
/* The bytes AH adds in front of an inner packet (outer header excluded). */
unsigned int kipsec_ah_overhead(const struct kipsec_sa *sa, unsigned int len);
/* The largest inner packet that fits @room bytes of AH packet. */
unsigned int kipsec_ah_max_inner(const struct kipsec_sa *sa,
				 unsigned int room);

/*
 * Is the AH header at skb->data (pulled into the linear part by this) of
 * a length the SA takes?
 */
bool kipsec_ah_len_ok(struct kipsec_sa *sa, struct sk_buff *skb);

/*
 * Push the AH header in front of the inner packet at skb->data: next
 * header @nexthdr, the low half of @seq, ICV and padding zero. Sets the
 * transport header to it. Returns -ENOBUFS if the head has no room.
 */
int kipsec_ah_push(struct kipsec_sa *sa, struct sk_buff *skb, u8 nexthdr,
		   u64 seq);

/*
 * Compute the ICV of the AH packet at skb->data, which starts with the
 * outer IP header (no options, no extension headers) followed by the AH
 * header pushed by kipsec_ah_push(), and write it into the AH header. The
 * mutable fields are zeroed for the computation and restored; the IPv4
 * header checksum is left to the sender. Returns 0 or a negative errno
 * when done, or -EINPROGRESS, after which @done is called with the result.
 * On error the caller still owns and frees the packet.
 */
int kipsec_ah_output(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		     kipsec_esp_done_t done);

/*
 * Verify the ICV of the AH packet at skb->data, whose outer IP header is
 * at the network header; @seq is the full sequence number. The outer
 * header's mutable fields are zeroed in place (the header is about to be
 * taken off). Returns 0, -EBADMSG when the ICV does not verify, -EPROTO for
 * a packet AH cannot check (an IPv6 routing header, bad IPv4 options or
 * IPv6 options), -EINVAL for a bad AH length, another negative errno, or
 * -EINPROGRESS as for kipsec_ah_output().
 */
int kipsec_ah_input(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		    kipsec_esp_done_t done);

/* After kipsec_ah_input(): take the AH header off, leaving the inner
 * packet at skb->data and its protocol in *@nexthdr.
 */
int kipsec_ah_strip(struct kipsec_sa *sa, struct sk_buff *skb, u8 *nexthdr);

/*
 * Zero the mutable fields of the IP header at @nh (RFC 4302 3.3.3.1),
 * which spans the @len bytes up to the AH header: IPv4 TOS, flags and
 * fragment offset, TTL, checksum and mutable options; IPv6 traffic class,
 * flow label, hop limit and the data of hop-by-hop and destination options
 * that may change en route. Returns -EPROTO for a routing header or a
 * malformed option, which the ICV cannot be computed over.
 */
int kipsec_ah_zero_mutable(u8 *nh, unsigned int len, u8 family);

#endif /* _KIPSEC_AH_H */
