// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: proxy-ID (traffic selector) matching.
 *
 * A selector is validated once, when an SA is configured: from then on its
 * prefixes have no host bits, so that matching a packet is a masked compare
 * of each address and two range checks, with no allocation. Packets are
 * parsed with skb_header_pointer() only, so that non-linear skbs (GSO,
 * paged frags) are read as they are.
 */
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <kunit/visibility.h>

#include "selector.h"

static void kipsec_inaddr_mask(union kipsec_inaddr *a, u8 family,
			       unsigned int len)
{
	struct in6_addr pfx;
	__be32 ip4;

	switch (family) {
	case AF_INET:
		ip4 = a->ip4 & inet_make_mask(len);
		memset(a, 0, sizeof(*a));
		a->ip4 = ip4;
		break;
	case AF_INET6:
		ipv6_addr_prefix(&pfx, &a->ip6, len);
		a->ip6 = pfx;
		break;
	default:
		memset(a, 0, sizeof(*a));
		break;
	}
}

const char *kipsec_selector_validate(struct kipsec_selector *s,
				     enum kipsec_selector_field *field)
{
	enum kipsec_selector_field bad;
	unsigned int max_len;
	const char *msg;

	switch (s->family) {
	case AF_UNSPEC:
		max_len = 0;
		break;
	case AF_INET:
		max_len = 32;
		break;
	case AF_INET6:
		max_len = 128;
		break;
	default:
		bad = KIPSEC_SELECTOR_FAMILY;
		msg = "proxy ID: unknown address family";
		goto err;
	}

	if (s->local_len > max_len) {
		bad = KIPSEC_SELECTOR_LOCAL_LEN;
		if (max_len)
			msg = "proxy ID: local prefix length is longer than the address";
		else
			msg = "proxy ID: local prefix length without a local address";
		goto err;
	}
	if (s->remote_len > max_len) {
		bad = KIPSEC_SELECTOR_REMOTE_LEN;
		if (max_len)
			msg = "proxy ID: remote prefix length is longer than the address";
		else
			msg = "proxy ID: remote prefix length without a remote address";
		goto err;
	}
	if (s->lport_min > s->lport_max) {
		bad = KIPSEC_SELECTOR_LPORT;
		msg = "proxy ID: local port range ends before it starts";
		goto err;
	}
	if (s->rport_min > s->rport_max) {
		bad = KIPSEC_SELECTOR_RPORT;
		msg = "proxy ID: remote port range ends before it starts";
		goto err;
	}

	kipsec_inaddr_mask(&s->local, s->family, s->local_len);
	kipsec_inaddr_mask(&s->remote, s->family, s->remote_len);
	return NULL;

err:
	if (field)
		*field = bad;
	return msg;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_selector_validate);

static bool kipsec_proto_has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	default:
		return false;
	}
}

/*
 * The two ports at the start of the transport header at @thoff, if
 * f->proto has them and they lie before @end, the end of the packet.
 */
static void kipsec_flow_ports(const struct sk_buff *skb, unsigned int thoff,
			      unsigned int end, bool outbound,
			      struct kipsec_flow *f)
{
	__be16 _ports[2];
	const __be16 *ports;

	if (!kipsec_proto_has_ports(f->proto) || thoff > end ||
	    end - thoff < sizeof(_ports))
		return;
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return;
	f->lport = ntohs(ports[outbound ? 0 : 1]);
	f->rport = ntohs(ports[outbound ? 1 : 0]);
	f->ports = true;
}

static int kipsec_flow_parse4(const struct sk_buff *skb, unsigned int nhoff,
			      bool outbound, struct kipsec_flow *f)
{
	unsigned int hlen, len, avail = skb->len - nhoff;
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->ihl < 5)
		return -EINVAL;
	hlen = iph->ihl * 4;
	len = ntohs(iph->tot_len);
	if (len < hlen || avail < hlen)
		return -EINVAL;

	f->family = AF_INET;
	f->proto = iph->protocol;
	f->local.ip4 = outbound ? iph->saddr : iph->daddr;
	f->remote.ip4 = outbound ? iph->daddr : iph->saddr;
	/* A non-first fragment has no transport header. */
	if (iph->frag_off & htons(IP_OFFSET))
		return 0;
	kipsec_flow_ports(skb, nhoff + hlen, nhoff + min(len, avail), outbound,
			  f);
	return 0;
}

static int kipsec_flow_parse6(const struct sk_buff *skb, unsigned int nhoff,
			      bool outbound, struct kipsec_flow *f)
{
	unsigned int len, avail = skb->len - nhoff;
	const struct ipv6hdr *ip6;
	struct ipv6hdr _ip6;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	ip6 = skb_header_pointer(skb, nhoff, sizeof(_ip6), &_ip6);
	if (!ip6)
		return -EINVAL;
	/* A payload length of 0: a jumbogram, or a big GSO packet. */
	len = sizeof(*ip6) + ntohs(ip6->payload_len);
	if (!ip6->payload_len || len > avail)
		len = avail;

	f->family = AF_INET6;
	f->local.ip6 = outbound ? ip6->saddr : ip6->daddr;
	f->remote.ip6 = outbound ? ip6->daddr : ip6->saddr;

	nexthdr = ip6->nexthdr;
	thoff = ipv6_skip_exthdr(skb, nhoff + sizeof(*ip6), &nexthdr,
				 &frag_off);
	if (thoff < 0) {
		/* No Next Header, or extension headers cut short. */
		f->proto = NEXTHDR_NONE;
		return 0;
	}
	if (frag_off & htons(IP6_OFFSET)) {
		/*
		 * A non-first fragment: ipv6_skip_exthdr() stopped at its
		 * fragment header (at @thoff), whose next header is the first
		 * one of the fragmentable part.
		 */
		const u8 *next;
		u8 _next;

		next = skb_header_pointer(skb, thoff +
					  offsetof(struct frag_hdr, nexthdr),
					  sizeof(_next), &_next);
		f->proto = next ? *next : NEXTHDR_NONE;
		return 0;
	}
	f->proto = nexthdr;
	kipsec_flow_ports(skb, thoff, nhoff + len, outbound, f);
	return 0;
}

int kipsec_flow_parse(const struct sk_buff *skb, unsigned int nhoff,
		      bool outbound, struct kipsec_flow *f)
{
	const u8 *version;
	u8 _version;

	memset(f, 0, sizeof(*f));
	if (nhoff >= skb->len)
		return -EINVAL;
	version = skb_header_pointer(skb, nhoff, sizeof(_version), &_version);
	if (!version)
		return -EINVAL;
	switch (*version >> 4) {
	case 4:
		return kipsec_flow_parse4(skb, nhoff, outbound, f);
	case 6:
		return kipsec_flow_parse6(skb, nhoff, outbound, f);
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_flow_parse);

static bool kipsec_ip4_in_prefix(__be32 addr, __be32 pfx, unsigned int len)
{
	return !((addr ^ pfx) & inet_make_mask(len));
}

bool kipsec_selector_match(const struct kipsec_selector *s,
			   const struct kipsec_flow *f)
{
	if (s->proto && s->proto != f->proto)
		return false;

	switch (s->family) {
	case AF_UNSPEC:
		break;
	case AF_INET:
		if (f->family != AF_INET ||
		    !kipsec_ip4_in_prefix(f->local.ip4, s->local.ip4,
					  s->local_len) ||
		    !kipsec_ip4_in_prefix(f->remote.ip4, s->remote.ip4,
					  s->remote_len))
			return false;
		break;
	case AF_INET6:
		if (f->family != AF_INET6 ||
		    !ipv6_prefix_equal(&f->local.ip6, &s->local.ip6,
				       s->local_len) ||
		    !ipv6_prefix_equal(&f->remote.ip6, &s->remote.ip6,
				       s->remote_len))
			return false;
		break;
	default:
		return false;
	}

	if (!f->ports)
		return !s->lport_min && s->lport_max == KIPSEC_PORT_MAX &&
		       !s->rport_min && s->rport_max == KIPSEC_PORT_MAX;
	return f->lport >= s->lport_min && f->lport <= s->lport_max &&
	       f->rport >= s->rport_min && f->rport <= s->rport_max;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_selector_match);

int kipsec_selector_cmp(const struct kipsec_selector *a,
			const struct kipsec_selector *b)
{
	bool a_any = a->family == AF_UNSPEC, b_any = b->family == AF_UNSPEC;
	int a_width, b_width;

	if (a_any != b_any)
		return a_any ? 1 : -1;
	if (a->remote_len != b->remote_len)
		return b->remote_len - a->remote_len;
	if (a->local_len != b->local_len)
		return b->local_len - a->local_len;
	if (!a->proto != !b->proto)
		return a->proto ? -1 : 1;

	a_width = a->rport_max - a->rport_min;
	b_width = b->rport_max - b->rport_min;
	if (a_width != b_width)
		return a_width - b_width;
	a_width = a->lport_max - a->lport_min;
	b_width = b->lport_max - b->lport_min;
	return a_width - b_width;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_selector_cmp);

bool kipsec_selector_equal(const struct kipsec_selector *a,
			   const struct kipsec_selector *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->local_len == b->local_len &&
	       a->remote_len == b->remote_len &&
	       ipv6_addr_equal(&a->local.ip6, &b->local.ip6) &&
	       ipv6_addr_equal(&a->remote.ip6, &b->remote.ip6) &&
	       a->lport_min == b->lport_min && a->lport_max == b->lport_max &&
	       a->rport_min == b->rport_min && a->rport_max == b->rport_max;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_selector_equal);
