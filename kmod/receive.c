// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the inbound path. A netfilter hook at LOCAL_IN, registered in
 * each network namespace, takes the ESP and AH packets whose SPI, protocol and
 * outer destination belong to a kipsec SA, and those sent to a tunnel's
 * local address with an SPI of no SA (dropped and counted); every other
 * packet goes on to the stack, so XFRM keeps working beside kipsec.
 *
 * Order of checks (RFC 4303 3.4): SA lookup, replay pre-check, ICV and
 * decryption, replay window update, padding and next header, then the
 * proxy ID of the inner packet, then delivery on the tunnel device. AH
 * (RFC 4302 3.4) takes the same steps with its ICV check in place of
 * decryption and no padding.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "ah.h"
#include "esp.h"
#include "sa.h"

/* After the packet filter, so that an INPUT rule can still drop ESP. */
#define KIPSEC_HOOK_PRIORITY	(NF_IP_PRI_FILTER + 1)

/* The tunnel whose local address @dst is, under RCU. */
static struct kipsec_tunnel *kipsec_tunnel_by_local(struct kipsec_net *kn,
						    const struct kipsec_addr *dst)
{
	const struct kipsec_endpoint *ep;
	struct kipsec_tunnel *t;

	list_for_each_entry_rcu(t, &kn->tunnels, list) {
		ep = rcu_dereference(t->endpoint);
		if (!ep || ep->local.family != dst->family)
			continue;
		if (dst->family == AF_INET ? ep->local.ip4 == dst->ip4 :
		    ipv6_addr_equal(&ep->local.ip6, &dst->ip6))
			return t;
	}
	return NULL;
}

static void kipsec_receive_drop(struct sk_buff *skb, struct kipsec_sa *sa,
				enum kipsec_sa_drop why)
{
	kipsec_sa_drop(sa, why);
	DEV_STATS_INC(sa->tunnel->dev, rx_dropped);
	kfree_skb(skb);
	kipsec_sa_put(sa);
}

/* RFC 6040 decapsulation of the ECN field; false: drop the packet. */
static bool kipsec_ecn_decap(struct sk_buff *skb, u8 outer_tos)
{
	u8 inner;

	if (skb->protocol == htons(ETH_P_IP))
		inner = ip_hdr(skb)->tos;
	else
		inner = ipv6_get_dsfield(ipv6_hdr(skb));
	return INET_ECN_decapsulate(skb, outer_tos, inner) < 2;
}

/* The inner packet at skb->data: a whole IPv4 or IPv6 packet, trimmed of
 * any traffic-flow-confidentiality padding behind it.
 */
static bool kipsec_inner_pull(struct sk_buff *skb, u8 nexthdr)
{
	unsigned int len;

	skb_reset_network_header(skb);
	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5)
			return false;
		len = ntohs(iph->tot_len);
		if (len < iph->ihl * 4U)
			return false;
		skb->protocol = htons(ETH_P_IP);
	} else {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			return false;
		if (ipv6_hdr(skb)->version != 6)
			return false;
		len = sizeof(struct ipv6hdr) +
		      ntohs(ipv6_hdr(skb)->payload_len);
		skb->protocol = htons(ETH_P_IPV6);
	}
	if (len > skb->len)
		return false;
	return !pskb_trim(skb, len);
}

static void kipsec_receive_done(struct sk_buff *skb, int err)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	struct kipsec_sa *sa = cb->sa;
	struct kipsec_tunnel *t = sa->tunnel;
	struct net_device *dev = t->dev;
	enum kipsec_replay_verdict verdict;
	u8 outer_tos = cb->tos, nexthdr;
	struct kipsec_flow flow;
	unsigned int len;

	if (unlikely(err)) {
		kipsec_receive_drop(skb, sa, err == -EBADMSG ?
				    KIPSEC_DROP_AUTH : KIPSEC_DROP_OTHER);
		return;
	}

	spin_lock_bh(&sa->lock);
	verdict = kipsec_replay_advance(&sa->replay, cb->seq);
	spin_unlock_bh(&sa->lock);
	if (unlikely(verdict != KIPSEC_REPLAY_OK)) {
		kipsec_receive_drop(skb, sa, verdict == KIPSEC_REPLAY_DUPLICATE ?
				    KIPSEC_DROP_REPLAY : KIPSEC_DROP_WINDOW);
		return;
	}

	if (sa->key.proto == IPPROTO_AH)
		err = kipsec_ah_strip(sa, skb, &nexthdr);
	else
		err = kipsec_esp_strip(sa, skb, &nexthdr);
	if (unlikely(err)) {
		kipsec_receive_drop(skb, sa, KIPSEC_DROP_PAD);
		return;
	}
	if (nexthdr == IPPROTO_NONE) {
		/* RFC 4303 2.6: a dummy packet, to be dropped quietly. */
		consume_skb(skb);
		kipsec_sa_put(sa);
		return;
	}
	if (unlikely(nexthdr != IPPROTO_IPIP && nexthdr != IPPROTO_IPV6)) {
		kipsec_receive_drop(skb, sa, KIPSEC_DROP_PAD);
		return;
	}
	if (unlikely(!kipsec_inner_pull(skb, nexthdr) ||
		     kipsec_flow_parse(skb, 0, false, &flow))) {
		kipsec_receive_drop(skb, sa, KIPSEC_DROP_OTHER);
		return;
	}
	if (unlikely(!kipsec_selector_match(&sa->sel, &flow))) {
		kipsec_receive_drop(skb, sa, KIPSEC_DROP_PROXY_ID);
		return;
	}
	if (unlikely(!kipsec_ecn_decap(skb, outer_tos))) {
		kipsec_receive_drop(skb, sa, KIPSEC_DROP_OTHER);
		return;
	}

	len = skb->len;
	if (unlikely(!kipsec_sa_charge(sa, len))) {
		/* Past a hard limit: the SA is gone for this packet. */
		kipsec_tunnel_drop(t, KIPSEC_TDROP_RX_NO_SA);
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
		kipsec_sa_put(sa);
		return;
	}
	kipsec_sa_count(sa, len);
	skb_scrub_packet(skb, false);
	memset(skb->cb, 0, sizeof(skb->cb));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	dev_sw_netstats_rx_add(dev, len);
	if (unlikely(gro_cells_receive(&t->gro_cells, skb) != NET_RX_SUCCESS))
		DEV_STATS_INC(dev, rx_dropped);
	kipsec_sa_put(sa);
}

/* Is the packet at skb->data long enough for the SA's header and ICV? */
static bool kipsec_receive_len_ok(struct kipsec_sa *sa, struct sk_buff *skb)
{
	const struct kipsec_crypto *c = &sa->crypto;

	if (sa->key.proto == IPPROTO_AH)
		return kipsec_ah_len_ok(sa, skb);
	return skb->len >= KIPSEC_ESP_HLEN + c->ivlen + c->icvlen + 2;
}

/*
 * Takes the packet (ESP or AH header at skb->data, outer header at the
 * network header) and the reference on @sa.
 */
static void kipsec_receive(struct kipsec_sa *sa, struct sk_buff *skb, u8 tos)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	enum kipsec_replay_verdict verdict;
	__be32 seq_lo;
	u64 seq;
	int ret;

	if (unlikely(!kipsec_receive_len_ok(sa, skb))) {
		kipsec_tunnel_drop(sa->tunnel, KIPSEC_TDROP_RX_MALFORMED);
		DEV_STATS_INC(sa->tunnel->dev, rx_dropped);
		kfree_skb(skb);
		kipsec_sa_put(sa);
		return;
	}
	if (sa->key.proto == IPPROTO_AH)
		seq_lo = ((struct ip_auth_hdr *)skb->data)->seq_no;
	else
		seq_lo = ((struct ip_esp_hdr *)skb->data)->seq_no;

	spin_lock_bh(&sa->lock);
	verdict = kipsec_replay_check(&sa->replay, ntohl(seq_lo), &seq);
	spin_unlock_bh(&sa->lock);
	if (verdict != KIPSEC_REPLAY_OK) {
		kipsec_receive_drop(skb, sa, verdict == KIPSEC_REPLAY_DUPLICATE ?
				    KIPSEC_DROP_REPLAY : KIPSEC_DROP_WINDOW);
		return;
	}

	memset(cb, 0, sizeof(*cb));
	cb->sa = sa;
	cb->seq = seq;
	cb->tos = tos;
	if (sa->key.proto == IPPROTO_AH)
		ret = kipsec_ah_input(sa, skb, seq, kipsec_receive_done);
	else
		ret = kipsec_esp_decrypt(sa, skb, seq, kipsec_receive_done);
	if (ret == -EINPROGRESS)
		return;
	kipsec_receive_done(skb, ret);
}

static unsigned int kipsec_hook(struct sk_buff *skb, struct kipsec_addr *dst,
				unsigned int off, u8 proto, u8 tos,
				struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);
	struct kipsec_tunnel *t;
	struct kipsec_sa *sa;
	__be32 spi;

	if (proto == IPPROTO_AH) {
		if (!pskb_may_pull(skb, off + KIPSEC_AH_HLEN))
			return NF_ACCEPT;
		spi = ((struct ip_auth_hdr *)(skb->data + off))->spi;
	} else {
		if (!pskb_may_pull(skb, off + KIPSEC_ESP_HLEN))
			return NF_ACCEPT;
		spi = ((struct ip_esp_hdr *)(skb->data + off))->spi;
	}

	sa = kipsec_sa_lookup(kn, spi, proto, KIPSEC_DIR_IN, dst);
	if (!sa || !kipsec_sa_hold(sa)) {
		t = kipsec_tunnel_by_local(kn, dst);
		if (!t)
			return NF_ACCEPT;
		kipsec_tunnel_drop(t, KIPSEC_TDROP_RX_NO_SA);
		DEV_STATS_INC(t->dev, rx_dropped);
		return NF_DROP;
	}

	__skb_pull(skb, off);
	skb_reset_transport_header(skb);
	kipsec_receive(sa, skb, tos);
	return NF_STOLEN;
}

static unsigned int kipsec_hook4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct kipsec_addr dst;

	if (iph->protocol != IPPROTO_ESP && iph->protocol != IPPROTO_AH)
		return NF_ACCEPT;
	dst.family = AF_INET;
	dst.ip4 = iph->daddr;
	return kipsec_hook(skb, &dst, skb_network_offset(skb) + ip_hdrlen(skb),
			   iph->protocol, iph->tos, state->net);
}

static unsigned int kipsec_hook6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int off = skb_network_offset(skb) + sizeof(*ip6h);
	u8 proto = ip6h->nexthdr;
	struct kipsec_addr dst;
	int flags = 0;

	/* Walks of the extension headers, and none in the usual case: AH
	 * first (the ESP walk would skip an AH header), then ESP.
	 * Fragments are reassembled after this hook: kipsec_esp6_rcv()
	 * takes ESP then; IPv6-fragmented AH is not taken.
	 */
	if (proto != IPPROTO_ESP && proto != IPPROTO_AH) {
		off = 0;
		proto = IPPROTO_AH;
		if (ipv6_find_hdr(skb, &off, IPPROTO_AH, NULL, &flags) < 0) {
			off = 0;
			flags = 0;
			proto = IPPROTO_ESP;
			if (ipv6_find_hdr(skb, &off, IPPROTO_ESP, NULL,
					  &flags) < 0)
				return NF_ACCEPT;
		}
		if (flags & IP6_FH_F_FRAG)
			return NF_ACCEPT;
	}
	ip6h = ipv6_hdr(skb);
	dst.family = AF_INET6;
	dst.ip6 = ip6h->daddr;
	return kipsec_hook(skb, &dst, off, proto, ipv6_get_dsfield(ip6h),
			   state->net);
}

static const struct nf_hook_ops kipsec_nf_ops[] = {
	{
		.hook = kipsec_hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = KIPSEC_HOOK_PRIORITY,
	},
	{
		.hook = kipsec_hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = KIPSEC_HOOK_PRIORITY,
	},
};

#if IS_ENABLED(CONFIG_XFRM)
/*
 * ICMP errors about ESP packets we sent arrive at the ESP protocol's error
 * handlers. "Fragmentation needed" / "packet too big" for an outbound SA
 * of ours lowers the path MTU of the outer route; the send path takes its
 * MTU from that route (through the tunnel's dst_cache, which the update
 * invalidates), so the next DF packet too big for the path gets ICMP
 * back to its sender. Other errors, and ESP that is not ours, go on to
 * XFRM's handlers.
 */
static bool kipsec_esp_is_ours(struct sk_buff *skb, __be32 spi,
			       const struct kipsec_addr *dst)
{
	return kipsec_sa_lookup(kipsec_net(dev_net(skb->dev)), spi,
				IPPROTO_ESP, KIPSEC_DIR_OUT, dst);
}

static int kipsec_esp4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct ip_esp_hdr *esph = (void *)(skb->data + (iph->ihl << 2));
	struct kipsec_addr dst = { .family = AF_INET, .ip4 = iph->daddr };

	if (icmp_hdr(skb)->type != ICMP_DEST_UNREACH ||
	    icmp_hdr(skb)->code != ICMP_FRAG_NEEDED ||
	    !kipsec_esp_is_ours(skb, esph->spi, &dst))
		return -ENOENT;
	ipv4_update_pmtu(skb, dev_net(skb->dev), info, 0, IPPROTO_ESP);
	return 0;
}

static int kipsec_esp4_rcv(struct sk_buff *skb)
{
	/* The LOCAL_IN hook took every packet of ours already. */
	return -EINVAL;
}

static int kipsec_esp4_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return -EINVAL;
}

static int kipsec_esp_cb(struct sk_buff *skb, int err)
{
	return 1;
}

static struct xfrm4_protocol kipsec_esp4_protocol = {
	.handler = kipsec_esp4_rcv,
	.input_handler = kipsec_esp4_input,
	.cb_handler = kipsec_esp_cb,
	.err_handler = kipsec_esp4_err,
	.priority = 200,
};

/*
 * IPv6 reassembles after LOCAL_IN, so a fragmented ESP packet passes the
 * hook in pieces and arrives whole at the IPv6 ESP protocol handler. The
 * xfrm6 protocol chain lets kipsec look at it before XFRM does; -EINVAL
 * hands a packet that is not kipsec's to the next handler. IPv4 has
 * reassembled before LOCAL_IN, so the hook sees whole packets.
 */
static int kipsec_esp6_rcv(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct kipsec_addr dst = { .family = AF_INET6, .ip6 = ip6h->daddr };

	switch (kipsec_hook(skb, &dst, 0, IPPROTO_ESP, ipv6_get_dsfield(ip6h),
			    dev_net(skb->dev))) {
	case NF_STOLEN:
		return 0;
	case NF_DROP:
		kfree_skb(skb);
		return 0;
	default:
		return -EINVAL;
	}
}

static int kipsec_esp6_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			     int encap_type)
{
	return -EINVAL;
}

static int kipsec_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	const struct ip_esp_hdr *esph = (void *)(skb->data + offset);
	struct kipsec_addr dst = { .family = AF_INET6, .ip6 = ip6h->daddr };
	struct net *net = dev_net(skb->dev);

	if (type != ICMPV6_PKT_TOOBIG ||
	    !kipsec_esp_is_ours(skb, esph->spi, &dst))
		return -ENOENT;
	ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	return 0;
}

static struct xfrm6_protocol kipsec_esp6_protocol = {
	.handler = kipsec_esp6_rcv,
	.input_handler = kipsec_esp6_input,
	.cb_handler = kipsec_esp_cb,
	.err_handler = kipsec_esp6_err,
	/* Before XFRM's ESP (0), vti6 (100) and xfrm interfaces (10). */
	.priority = 200,
};

int kipsec_receive_init(void)
{
	int ret;

	ret = xfrm4_protocol_register(&kipsec_esp4_protocol, IPPROTO_ESP);
	if (ret)
		return ret;
	ret = xfrm6_protocol_register(&kipsec_esp6_protocol, IPPROTO_ESP);
	if (ret)
		goto err_esp4;
	return 0;

err_esp4:
	xfrm4_protocol_deregister(&kipsec_esp4_protocol, IPPROTO_ESP);
	return ret;
}

void kipsec_receive_uninit(void)
{
	xfrm6_protocol_deregister(&kipsec_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&kipsec_esp4_protocol, IPPROTO_ESP);
}
#else
int kipsec_receive_init(void)
{
	return 0;
}

void kipsec_receive_uninit(void)
{
}
#endif

int kipsec_receive_net_init(struct net *net)
{
	return nf_register_net_hooks(net, kipsec_nf_ops,
				     ARRAY_SIZE(kipsec_nf_ops));
}

void kipsec_receive_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, kipsec_nf_ops, ARRAY_SIZE(kipsec_nf_ops));
}
