// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the outbound path. A packet routed into a tunnel picks the most
 * specific outbound SA whose proxy ID takes it, is segmented if it is a
 * GSO packet, encrypted, and sent to the peer in a new outer header.
 *
 * ESP gets its outer header after encryption. AH's ICV covers the outer
 * header, so AH builds it first (with its IPv4 identification chosen
 * here, as iptunnel_xmit() would) and sends it as built.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dst_cache.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip6_tunnel.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include "ah.h"
#include "esp.h"
#include "sa.h"

static struct dst_entry *kipsec_route4(struct kipsec_tunnel *t,
				       const struct kipsec_sa *sa)
{
	struct net_device *dev = t->dev;
	struct flowi4 fl4;
	struct rtable *rt;
	__be32 saddr;

	rt = dst_cache_get_ip4(&t->dst_cache, &saddr);
	if (rt)
		return &rt->dst;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = sa->dst.ip4;
	fl4.saddr = sa->src.ip4;
	fl4.flowi4_proto = sa->key.proto;
	rt = ip_route_output_key(dev_net(dev), &fl4);
	if (IS_ERR(rt))
		return ERR_CAST(rt);
	if (rt->dst.dev == dev) {
		/* The outer packet would come back into the tunnel. */
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip4(&t->dst_cache, &rt->dst, fl4.saddr);
	return &rt->dst;
}

static struct dst_entry *kipsec_route6(struct kipsec_tunnel *t,
				       const struct kipsec_sa *sa)
{
	struct net_device *dev = t->dev;
	struct dst_entry *dst;
	struct in6_addr saddr;
	struct flowi6 fl6;

	dst = dst_cache_get_ip6(&t->dst_cache, &saddr);
	if (dst)
		return dst;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = sa->dst.ip6;
	fl6.saddr = sa->src.ip6;
	fl6.flowi6_proto = sa->key.proto;
	dst = ipv6_stub->ipv6_dst_lookup_flow(dev_net(dev), NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	if (dst->dev == dev) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip6(&t->dst_cache, dst, &fl6.saddr);
	return dst;
}

static void kipsec_send_error(struct kipsec_tunnel *t, struct sk_buff *skb)
{
	kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_ERRORS);
	DEV_STATS_INC(t->dev, tx_errors);
	kfree_skb(skb);
}

/*
 * AH: push the outer header in front of the AH header at skb->data, with
 * every field final but the IPv4 checksum (ip_local_out() sets it).
 */
static void kipsec_send_push_outer(struct kipsec_sa *sa, struct sk_buff *skb,
				   struct dst_entry *dst, u8 tos, bool df)
{
	if (sa->dst.family == AF_INET) {
		struct iphdr *iph;

		skb_push(skb, sizeof(*iph));
		skb_reset_network_header(skb);
		iph = ip_hdr(skb);
		iph->version = 4;
		iph->ihl = sizeof(*iph) >> 2;
		iph->tos = tos;
		iph->tot_len = htons(skb->len);
		iph->frag_off = df && !ip_mtu_locked(dst) ? htons(IP_DF) : 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = IPPROTO_AH;
		iph->check = 0;
		iph->saddr = sa->src.ip4;
		iph->daddr = sa->dst.ip4;
		__ip_select_ident(dev_net(dst->dev), iph, 1);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h;

		skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6h = ipv6_hdr(skb);
		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->nexthdr = IPPROTO_AH;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->src.ip6;
		ip6h->daddr = sa->dst.ip6;
		skb->protocol = htons(ETH_P_IPV6);
	}
}

/* AH: send the packet as kipsec_send_push_outer() built it. */
static void kipsec_send_built(struct kipsec_sa *sa, struct sk_buff *skb,
			      bool df)
{
	struct net_device *dev = sa->tunnel->dev;

	if (sa->dst.family == AF_INET) {
		/* As iptunnel_xmit(): the device counts the AH packet. */
		int pkt_len = skb->len - skb_transport_offset(skb);
		struct net *net = dev_net(skb_dst(skb)->dev);
		int err;

		skb_clear_hash_if_not_l4(skb);
		err = ip_local_out(net, NULL, skb);
		if (unlikely(net_xmit_eval(err)))
			pkt_len = 0;
		iptunnel_xmit_stats(dev, pkt_len);
	} else {
		skb->ignore_df = !df;
		ip6tunnel_xmit(NULL, skb, dev);
	}
}

/* After encryption: the outer header, and out. */
static void kipsec_send_finish(struct sk_buff *skb)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_sa *sa = cb->sa;
	struct kipsec_tunnel *t = sa->tunnel;
	struct net_device *dev = t->dev;
	struct dst_entry *dst = skb_dst(skb);
	unsigned int inner_len = cb->inner_len;
	u8 tos = INET_ECN_encapsulate(cb->tos & ~INET_ECN_MASK, cb->tos);
	bool df = cb->df;

	kipsec_sa_count(sa, inner_len);
	skb->dev = dev;
	memset(skb->cb, 0, sizeof(skb->cb));
	if (sa->key.proto == IPPROTO_AH) {
		kipsec_send_built(sa, skb, df);
		kipsec_sa_put(sa);
		return;
	}
	skb_reset_transport_header(skb);
	/* The tunnel's byte counters count the ESP packet. */
	skb_reset_inner_network_header(skb);

	if (sa->dst.family == AF_INET) {
		/* iptunnel_xmit takes over the reference on the route. */
		dst_hold(dst);
		iptunnel_xmit(NULL, (struct rtable *)dst, skb, sa->src.ip4,
			      sa->dst.ip4, IPPROTO_ESP, tos,
			      ip4_dst_hoplimit(dst), df ? htons(IP_DF) : 0,
			      false);
	} else {
		struct ipv6hdr *ip6h;

		skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6h = ipv6_hdr(skb);
		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->nexthdr = IPPROTO_ESP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->src.ip6;
		ip6h->daddr = sa->dst.ip6;
		skb->protocol = htons(ETH_P_IPV6);
		/* An inner IPv4 packet without DF may be fragmented: the outer
		 * IPv6 packet is then fragmented here, at its source.
		 */
		skb->ignore_df = !df;
		ip6tunnel_xmit(NULL, skb, dev);
	}
	kipsec_sa_put(sa);
}

static void kipsec_send_done(struct sk_buff *skb, int err)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_sa *sa = cb->sa;

	if (unlikely(err)) {
		kipsec_sa_drop(sa, KIPSEC_DROP_OTHER);
		kipsec_send_error(sa->tunnel, skb);
		kipsec_sa_put(sa);
		return;
	}
	kipsec_send_finish(skb);
}

/* Tell the sender of a packet that is too big for the tunnel. */
static void kipsec_send_too_big(struct sk_buff *skb, unsigned int mtu)
{
	skb_dst_update_pmtu_no_confirm(skb, mtu);
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
	else
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
}

/*
 * One packet, not GSO, with a reference on @sa and the outer route in
 * @dst (not held). Consumes the packet and the SA reference.
 */
static void kipsec_send_one(struct kipsec_sa *sa, struct sk_buff *skb,
			    struct dst_entry *dst, unsigned int mtu)
{
	struct kipsec_tunnel *t = sa->tunnel;
	unsigned int headroom, tailroom;
	struct kipsec_skb_cb *cb;
	int nhead, ntail;
	u8 nexthdr, tos;
	bool df;
	s64 old;
	int ret;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		nexthdr = IPPROTO_IPIP;
		tos = iph->tos;
		df = iph->frag_off & htons(IP_DF);
	} else {
		nexthdr = IPPROTO_IPV6;
		tos = ipv6_get_dsfield(ipv6_hdr(skb));
		df = true;
	}
	if (skb->len > mtu && df) {
		kipsec_send_too_big(skb, mtu);
		DEV_STATS_INC(t->dev, tx_dropped);
		goto drop;
	}

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto error;

	old = atomic64_fetch_add_unless(&sa->oseq, 1, sa->oseq_max);
	if (unlikely((u64)old >= sa->oseq_max - 1))
		kipsec_event_seq_overflow(sa);
	if (unlikely((u64)old == sa->oseq_max)) {
		kipsec_sa_drop(sa, KIPSEC_DROP_SEQ);
		DEV_STATS_INC(t->dev, tx_dropped);
		goto drop;
	}
	if (unlikely(!kipsec_sa_charge(sa, skb->len))) {
		/* Past a hard limit: the SA is gone for this packet. */
		kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_NO_SA);
		DEV_STATS_INC(t->dev, tx_dropped);
		goto drop;
	}

	/* One copy at most, for both ends, and none when the sender left
	 * the room the device asks for (needed_headroom/tailroom).
	 */
	headroom = LL_RESERVED_SPACE(dst->dev) + dst->header_len +
		   sizeof(struct ipv6hdr);
	if (sa->key.proto == IPPROTO_AH) {
		headroom += kipsec_ah_hlen(sa);
		tailroom = 0;
	} else {
		headroom += KIPSEC_ESP_HLEN + 4 + sa->crypto.ivlen;
		tailroom = sa->crypto.blksize + 1 + sa->crypto.icvlen;
	}
	nhead = max_t(int, headroom - skb_headroom(skb), 0);
	ntail = skb_is_nonlinear(skb) ? 0 :
		max_t(int, tailroom - skb_tailroom(skb), 0);
	if ((nhead || ntail || skb_header_cloned(skb)) &&
	    pskb_expand_head(skb, nhead ? nhead + 16 : 0, ntail ? ntail + 16 : 0,
			     GFP_ATOMIC))
		goto error;

	skb_scrub_packet(skb, false);
	dst_hold(dst);
	skb_dst_set(skb, dst);

	cb = kipsec_skb_cb(skb);
	cb->sa = sa;
	cb->inner_len = skb->len;
	cb->tos = tos;
	/* The outer header takes DF from an inner IPv4 packet; an inner
	 * IPv6 packet was checked against the path MTU above.
	 */
	cb->df = df;

	if (sa->key.proto == IPPROTO_AH) {
		/* The ICV covers the outer header: it goes on first. */
		tos = INET_ECN_encapsulate(tos & ~INET_ECN_MASK, tos);
		ret = kipsec_ah_push(sa, skb, nexthdr, (u64)old + 1);
		if (!ret) {
			kipsec_send_push_outer(sa, skb, dst, tos, df);
			ret = kipsec_ah_output(sa, skb, (u64)old + 1,
					       kipsec_send_done);
		}
	} else {
		ret = kipsec_esp_encrypt(sa, skb, nexthdr, (u64)old + 1, NULL,
					 kipsec_send_done);
	}
	if (ret == -EINPROGRESS)
		return;
	if (unlikely(ret)) {
		kipsec_sa_drop(sa, KIPSEC_DROP_OTHER);
		goto error;
	}
	kipsec_send_finish(skb);
	return;

error:
	kipsec_send_error(t, skb);
	kipsec_sa_put(sa);
	return;
drop:
	kfree_skb(skb);
	kipsec_sa_put(sa);
}

static bool kipsec_inner_valid(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	case htons(ETH_P_IPV6):
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	}
	return false;
}

netdev_tx_t kipsec_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct kipsec_tunnel *t = netdev_priv(dev);
	struct sk_buff *segs, *next;
	struct kipsec_flow flow;
	struct dst_entry *dst;
	struct kipsec_sa *sa;
	unsigned int mtu;

	if (!kipsec_inner_valid(skb) ||
	    kipsec_flow_parse(skb, skb_network_offset(skb), true, &flow)) {
		DEV_STATS_INC(dev, tx_dropped);
		kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_ERRORS);
		goto free;
	}

	sa = kipsec_sa_lookup_out(t, &flow);
	if (!sa || !kipsec_sa_hold(sa)) {
		DEV_STATS_INC(dev, tx_dropped);
		kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_NO_SA);
		kipsec_acquire(t, &flow);
		goto free;
	}

	dst = sa->dst.family == AF_INET ? kipsec_route4(t, sa) :
					  kipsec_route6(t, sa);
	if (IS_ERR(dst)) {
		DEV_STATS_INC(dev, tx_carrier_errors);
		kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_ERRORS);
		kipsec_sa_put(sa);
		goto free;
	}
	mtu = dst_mtu(dst) - (sa->dst.family == AF_INET ?
			      sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	mtu = sa->key.proto == IPPROTO_AH ? kipsec_ah_max_inner(sa, mtu) :
					    kipsec_esp_max_inner(sa, mtu);

	if (!skb_is_gso(skb)) {
		skb_mark_not_on_list(skb);
		kipsec_send_one(sa, skb, dst, mtu);
		goto out;
	}

	if (!skb_gso_validate_network_len(skb, mtu)) {
		kipsec_send_too_big(skb, mtu);
		DEV_STATS_INC(dev, tx_dropped);
		kipsec_sa_put(sa);
		goto free_dst;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kipsec_tunnel_drop(t, KIPSEC_TDROP_TX_ERRORS);
		DEV_STATS_INC(dev, tx_errors);
		kipsec_sa_put(sa);
		goto free_dst;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (next && !kipsec_sa_hold(sa)) {
			kfree_skb_list(skb);
			break;
		}
		kipsec_send_one(sa, skb, dst, mtu);
	}
out:
	dst_release(dst);
	return NETDEV_TX_OK;

free_dst:
	dst_release(dst);
free:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
