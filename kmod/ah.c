// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: AH (RFC 4302) on one packet, through the SA's hash transform.
 *
 * The ICV is computed over
 *
 *	outer IP header | AH header (ICV zero) | inner packet | [seq hi]
 *
 * with the outer header's mutable fields zeroed (RFC 4302 3.3.3.1) and,
 * with ESN, the high half of the sequence number appended for the
 * computation only (RFC 4302 3.3.3.2.1 and appendix B). The packet is
 * hashed in place from a scatterlist; the digest is written to the
 * per-packet allocation and its first icvlen bytes are the ICV.
 *
 * Padding of the ICV field follows Linux XFRM, the peer that decides
 * interoperability: the AH header is padded to 8 bytes for IPv4 too (the
 * default of ah4 without the "align4" flag), and inbound both 4 and 8 byte
 * alignment are accepted for IPv4. Only the ICV bytes are zeroed for the
 * computation, the padding is hashed as it is, as XFRM does; we send zero
 * padding.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <net/ah.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "ah.h"

/*
 * The per-packet allocation: the hash request (with the transform's
 * context), then this, then the scatterlist.
 * @push:   bytes of outer header pushed in front of the AH header for the
 *          operation (inbound).
 * @tos, @ttl, @frag_off, @check: IPv4 fields restored after an outbound
 *          computation; @flow (version, traffic class, flow label) and
 *          @ttl (hop limit) for IPv6.
 * @seqhi:  the high half of the sequence number, hashed behind the packet.
 * @icv:    the received ICV.
 * @digest: the computed digest.
 */
struct kipsec_ah_tmp {
	unsigned int push;
	__be32 flow;
	__be16 frag_off;
	__sum16 check;
	u8 tos;
	u8 ttl;
	__be32 seqhi;
	u8 icv[HASH_MAX_DIGESTSIZE];
	u8 digest[HASH_MAX_DIGESTSIZE];
	struct scatterlist sg[];
};

static struct kipsec_ah_tmp *kipsec_ah_alloc_tmp(struct crypto_ahash *ahash,
						 int nsg,
						 struct ahash_request **req)
{
	unsigned int off, len;
	void *mem;

	off = sizeof(struct ahash_request) + crypto_ahash_reqsize(ahash);
	off = ALIGN(off, __alignof__(struct kipsec_ah_tmp));
	len = off + sizeof(struct kipsec_ah_tmp) +
	      nsg * sizeof(struct scatterlist);

	mem = kmalloc(len, GFP_ATOMIC);
	if (!mem)
		return NULL;
	*req = mem;
	ahash_request_set_tfm(*req, ahash);
	return mem + off;
}

/* The request is at the start of the allocation. */
static void kipsec_ah_free_tmp(struct sk_buff *skb)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);

	kfree(cb->tmp);
	cb->tmp = NULL;
}

static struct kipsec_ah_tmp *kipsec_ah_tmp_of(struct kipsec_sa *sa,
					      void *mem)
{
	unsigned int off;

	off = sizeof(struct ahash_request) +
	      crypto_ahash_reqsize(sa->crypto.ahash);
	return mem + ALIGN(off, __alignof__(struct kipsec_ah_tmp));
}

/* The header we send: 8-byte aligned, as XFRM does by default, or 4 for
 * IPv4 with KIPSEC_SA_F_AH_ALIGN4 (RFC 4302 2.6; strongSwan's states).
 */
unsigned int kipsec_ah_hlen(const struct kipsec_sa *sa)
{
	unsigned int len = KIPSEC_AH_HLEN + sa->crypto.icvlen;

	if ((sa->flags & KIPSEC_SA_F_AH_ALIGN4) && sa->dst.family == AF_INET)
		return ALIGN(len, 4);
	return ALIGN(len, 8);
}

unsigned int kipsec_ah_overhead(const struct kipsec_sa *sa, unsigned int len)
{
	return kipsec_ah_hlen(sa);
}

unsigned int kipsec_ah_max_inner(const struct kipsec_sa *sa,
				 unsigned int room)
{
	unsigned int hlen = kipsec_ah_hlen(sa);

	return room > hlen ? room - hlen : 0;
}

static int kipsec_ah_zero_options4(struct iphdr *iph)
{
	u8 *opt = (u8 *)(iph + 1);
	int l = iph->ihl * 4 - sizeof(*iph);
	int optlen;

	while (l > 0) {
		switch (opt[0]) {
		case IPOPT_END:
			return 0;
		case IPOPT_NOOP:
			l--;
			opt++;
			continue;
		}
		if (l < 2)
			return -EPROTO;
		optlen = opt[1];
		if (optlen < 2 || optlen > l)
			return -EPROTO;
		/* RFC 4302 appendix A.1: immutable options are kept. */
		switch (opt[0]) {
		case IPOPT_SEC:
		case 0x85:		/* extended security */
		case IPOPT_CIPSO:	/* commercial security */
		case IPOPT_RA:
		case 0x80 | 21:		/* sender directed multi-destination */
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			/* The ICV covers the final destination. */
			if (optlen < 7)
				return -EPROTO;
			memcpy(&iph->daddr, opt + optlen - 4, 4);
			fallthrough;
		default:
			memset(opt, 0, optlen);
		}
		l -= optlen;
		opt += optlen;
	}
	return 0;
}

/* Options whose type has the change-en-route bit (0x20) get zero data. */
static int kipsec_ah_zero_options6(u8 *opt, unsigned int len)
{
	unsigned int off = 2, optlen;

	while (off < len) {
		if (opt[off] == IPV6_TLV_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EPROTO;
		optlen = opt[off + 1] + 2;
		if (off + optlen > len)
			return -EPROTO;
		if (opt[off] & 0x20)
			memset(opt + off + 2, 0, opt[off + 1]);
		off += optlen;
	}
	return 0;
}

static int kipsec_ah_zero_mutable4(struct iphdr *iph, unsigned int len)
{
	if (len < sizeof(*iph) || iph->ihl * 4U != len)
		return -EPROTO;
	iph->tos = 0;
	iph->frag_off = 0;
	iph->ttl = 0;
	iph->check = 0;
	return kipsec_ah_zero_options4(iph);
}

static int kipsec_ah_zero_mutable6(u8 *nh, unsigned int len)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)nh;
	unsigned int off = sizeof(*ip6h), hlen;
	u8 next;
	int ret;

	if (len < sizeof(*ip6h))
		return -EPROTO;
	next = ip6h->nexthdr;
	ip6h->priority = 0;
	memset(ip6h->flow_lbl, 0, sizeof(ip6h->flow_lbl));
	ip6h->hop_limit = 0;

	while (off < len) {
		struct ipv6_opt_hdr *oh = (struct ipv6_opt_hdr *)(nh + off);

		if (off + sizeof(*oh) > len)
			return -EPROTO;
		hlen = ipv6_optlen(oh);
		if (off + hlen > len)
			return -EPROTO;
		/* A routing header (or anything but options) in front of
		 * AH is not supported: see Documentation/design.md.
		 */
		if (next != NEXTHDR_HOP && next != NEXTHDR_DEST)
			return -EPROTO;
		ret = kipsec_ah_zero_options6(nh + off, hlen);
		if (ret)
			return ret;
		next = oh->nexthdr;
		off += hlen;
	}
	if (off != len || next != IPPROTO_AH)
		return -EPROTO;
	return 0;
}

int kipsec_ah_zero_mutable(u8 *nh, unsigned int len, u8 family)
{
	if (family == AF_INET)
		return kipsec_ah_zero_mutable4((struct iphdr *)nh, len);
	return kipsec_ah_zero_mutable6(nh, len);
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_zero_mutable);

int kipsec_ah_push(struct kipsec_sa *sa, struct sk_buff *skb, u8 nexthdr,
		   u64 seq)
{
	unsigned int hlen = kipsec_ah_hlen(sa);
	struct ip_auth_hdr *ah;

	if (skb_headroom(skb) < hlen)
		return -ENOBUFS;
	ah = (struct ip_auth_hdr *)__skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(ah, 0, hlen);
	ah->nexthdr = nexthdr;
	ah->hdrlen = hlen / 4 - 2;
	ah->spi = sa->key.spi;
	ah->seq_no = htonl(lower_32_bits(seq));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_push);

/* Hash the packet from skb->data, and the high half with ESN. */
static int kipsec_ah_hash(struct kipsec_sa *sa, struct sk_buff *skb,
			  struct ahash_request *req, struct kipsec_ah_tmp *tmp,
			  int nsg, u64 seq, crypto_completion_t complete)
{
	unsigned int extra = kipsec_sa_esn(sa) ? 4 : 0;
	int n;

	sg_init_table(tmp->sg, nsg);
	n = skb_to_sgvec_nomark(skb, tmp->sg, 0, skb->len);
	if (unlikely(n < 0))
		return n;
	if (extra) {
		tmp->seqhi = htonl(upper_32_bits(seq));
		sg_set_buf(&tmp->sg[n], &tmp->seqhi, extra);
		n++;
	}
	sg_mark_end(&tmp->sg[n - 1]);

	ahash_request_set_callback(req, 0, complete, skb);
	ahash_request_set_crypt(req, tmp->sg, tmp->digest, skb->len + extra);
	return crypto_ahash_digest(req);
}

static void kipsec_ah_output_finish(struct sk_buff *skb)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_sa *sa = cb->sa;
	struct kipsec_ah_tmp *tmp = kipsec_ah_tmp_of(sa, cb->tmp);
	struct ip_auth_hdr *ah = ip_auth_hdr(skb);

	memcpy(ah->auth_data, tmp->digest, sa->crypto.icvlen);
	if (cb->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tos = tmp->tos;
		iph->frag_off = tmp->frag_off;
		iph->ttl = tmp->ttl;
		iph->check = tmp->check;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		*(__be32 *)ip6h = tmp->flow;
		ip6h->hop_limit = tmp->ttl;
	}
	kipsec_ah_free_tmp(skb);
}

static void kipsec_ah_output_done(struct crypto_async_request *base, int err)
{
	struct sk_buff *skb = base->data;

	if (err == -EINPROGRESS)
		return;
	kipsec_ah_output_finish(skb);
	kipsec_skb_cb(skb)->done(skb, err);
}

int kipsec_ah_output(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		     kipsec_esp_done_t done)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_ah_tmp *tmp;
	struct ahash_request *req;
	struct sk_buff *trailer;
	int nfrags, ret;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	cb->tmp = NULL;
	tmp = kipsec_ah_alloc_tmp(sa->crypto.ahash, nfrags + 1, &req);
	if (!tmp)
		return -ENOMEM;
	cb->tmp = req;
	cb->sa = sa;
	cb->done = done;

	if (ip_hdr(skb)->version == 4) {
		struct iphdr *iph = ip_hdr(skb);

		cb->family = AF_INET;
		tmp->tos = iph->tos;
		tmp->frag_off = iph->frag_off;
		tmp->ttl = iph->ttl;
		tmp->check = iph->check;
		iph->tos = 0;
		iph->frag_off = 0;
		iph->ttl = 0;
		iph->check = 0;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		cb->family = AF_INET6;
		tmp->flow = *(__be32 *)ip6h;
		tmp->ttl = ip6h->hop_limit;
		*(__be32 *)ip6h = htonl(0x60000000);
		ip6h->hop_limit = 0;
	}

	ret = kipsec_ah_hash(sa, skb, req, tmp, nfrags + 1, seq,
			     kipsec_ah_output_done);
	if (ret == -EINPROGRESS)
		return ret;
	if (ret) {
		kipsec_ah_free_tmp(skb);
		return ret;
	}
	kipsec_ah_output_finish(skb);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_output);

static int kipsec_ah_input_finish(struct sk_buff *skb, int err)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_sa *sa = cb->sa;
	struct kipsec_ah_tmp *tmp = kipsec_ah_tmp_of(sa, cb->tmp);

	__skb_pull(skb, tmp->push);
	if (!err && crypto_memneq(tmp->digest, tmp->icv, sa->crypto.icvlen))
		err = -EBADMSG;
	kipsec_ah_free_tmp(skb);
	return err;
}

static void kipsec_ah_input_done(struct crypto_async_request *base, int err)
{
	struct sk_buff *skb = base->data;

	if (err == -EINPROGRESS)
		return;
	err = kipsec_ah_input_finish(skb, err);
	kipsec_skb_cb(skb)->done(skb, err);
}

/* The AH lengths we accept: XFRM's 8-byte alignment, and for IPv4 the 4
 * bytes of RFC 4302 2.6.
 */
static bool kipsec_ah_hlen_ok(struct kipsec_sa *sa, unsigned int hlen)
{
	unsigned int icvlen = sa->crypto.icvlen;

	return hlen == ALIGN(KIPSEC_AH_HLEN + icvlen, 8) ||
	       (sa->dst.family == AF_INET &&
		hlen == ALIGN(KIPSEC_AH_HLEN + icvlen, 4));
}

bool kipsec_ah_len_ok(struct kipsec_sa *sa, struct sk_buff *skb)
{
	unsigned int hlen;

	if (!pskb_may_pull(skb, KIPSEC_AH_HLEN))
		return false;
	hlen = (((struct ip_auth_hdr *)skb->data)->hdrlen + 2) * 4;
	return kipsec_ah_hlen_ok(sa, hlen) && pskb_may_pull(skb, hlen);
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_len_ok);

int kipsec_ah_input(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		    kipsec_esp_done_t done)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_ah_tmp *tmp;
	unsigned int push;
	struct ahash_request *req;
	struct ip_auth_hdr *ah;
	struct sk_buff *trailer;
	int nfrags, ret;

	if (!kipsec_ah_len_ok(sa, skb))
		return -EINVAL;
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;

	push = skb->data - skb_network_header(skb);
	ret = kipsec_ah_zero_mutable(skb_network_header(skb), push,
				     sa->dst.family);
	if (ret)
		return ret;

	tmp = kipsec_ah_alloc_tmp(sa->crypto.ahash, nfrags + 1, &req);
	if (!tmp)
		return -ENOMEM;
	cb->tmp = req;
	cb->sa = sa;
	cb->done = done;
	tmp->push = push;

	ah = (struct ip_auth_hdr *)skb->data;
	memcpy(tmp->icv, ah->auth_data, sa->crypto.icvlen);
	memset(ah->auth_data, 0, sa->crypto.icvlen);

	__skb_push(skb, push);
	ret = kipsec_ah_hash(sa, skb, req, tmp, nfrags + 1, seq,
			     kipsec_ah_input_done);
	if (ret == -EINPROGRESS)
		return ret;
	return kipsec_ah_input_finish(skb, ret);
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_input);

int kipsec_ah_strip(struct kipsec_sa *sa, struct sk_buff *skb, u8 *nexthdr)
{
	const struct ip_auth_hdr *ah = (struct ip_auth_hdr *)skb->data;
	unsigned int hlen = (ah->hdrlen + 2) * 4;

	*nexthdr = ah->nexthdr;
	__skb_pull(skb, hlen);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_ah_strip);
