// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of proxy-ID matching (kmod/selector.c).
 *
 * Packets are built byte by byte into real skbs, linear or with their
 * headers spread over page fragments, and go through kipsec_flow_parse().
 * What the parser should find is computed by a model of the builder's
 * layout, and what should match by a reference that compares prefixes bit
 * by bit; both are written here without the module's helpers.
 */
#include <asm/unaligned.h>
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../../kmod/selector.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define UDPLITE	IPPROTO_UDPLITE
#define SCTP	IPPROTO_SCTP
#define DCCP	IPPROTO_DCCP
#define ICMP	IPPROTO_ICMP
#define ICMP6	IPPROTO_ICMPV6
#define GRE	IPPROTO_GRE
#define PMAX	KIPSEC_PORT_MAX

/*
 * IPv6 extension headers the builder puts before the transport header, in
 * this order, with the fragment header (if any) between routing and
 * destination options.
 */
#define X_HOP	BIT(0)
#define X_RT	BIT(1)
#define X_DST	BIT(2)

/* pkt_spec.frag: a first fragment (offset 0, more fragments follow). */
#define FRAG_FIRST	0xffff

enum pkt_bad {
	BAD_NONE,
	BAD_VERSION,		/* version nibble neither 4 nor 6 */
	BAD_IHL,		/* IPv4 header length 16 bytes */
	BAD_TOTLEN,		/* IPv4 total length under the header length */
	BAD_IHL_LONG,		/* IPv4 header length 60, packet shorter */
};

/* A packet to build. */
struct pkt_spec {
	u8 version;
	u8 proto;
	u8 ihl;			/* IPv4 header length in words; 0 for 5 */
	u8 ext;			/* X_*, IPv6 only */
	u8 bad;			/* enum pkt_bad */
	u16 frag;		/* 0, FRAG_FIRST, or a later offset */
	u16 sport;
	u16 dport;
	u16 nhoff;		/* bytes before the IP header */
	u16 cut;		/* bytes missing at the end of the skb */
	u16 short_len;		/* bytes missing from the declared length */
	u16 head;		/* if not 0: bytes in the linear part */
	union kipsec_inaddr src;
	union kipsec_inaddr dst;
};

/* Where the builder put things, for the model. */
struct pkt_layout {
	unsigned int total;	/* bytes built */
	unsigned int len;	/* of the skb: total - cut */
	unsigned int hlen;	/* of the fixed IP header and its options */
	unsigned int declared;	/* IPv4 total length, or 40 + payload length */
	unsigned int thoff;	/* transport header */
	unsigned int n_ext;
	unsigned int ext_off[4];
	u8 ext_type[4];
	u8 ext_next[4];
};

#define PKT_BUF		256
#define PKT_PAYLOAD	8

static unsigned int l4_size(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_SCTP:
		return 12;
	case IPPROTO_DCCP:
		return 16;
	case NEXTHDR_NONE:
		return 0;
	default:
		return 8;
	}
}

static unsigned int build_ext6(u8 *h, u8 type, u8 next, u16 frag)
{
	struct frag_hdr *fh = (struct frag_hdr *)h;

	switch (type) {
	case NEXTHDR_ROUTING:
		/* Type 0, no segment left, one address: 24 bytes. */
		memset(h, 0, 24);
		h[0] = next;
		h[1] = 2;
		return 24;
	case NEXTHDR_FRAGMENT:
		fh->nexthdr = next;
		fh->reserved = 0;
		fh->frag_off = frag == FRAG_FIRST ? htons(IP6_MF) :
			       htons(frag << 3);
		fh->identification = htonl(0x6b697073);
		return 8;
	default:
		/* Hop-by-hop or destination options: one PadN. */
		h[0] = next;
		h[1] = 0;
		h[2] = IPV6_TLV_PADN;
		h[3] = 4;
		memset(h + 4, 0, 4);
		return 8;
	}
}

/*
 * Build @p into @buf. The transport header gets the ports in its first
 * four bytes whatever the protocol, and so does the data of a non-first
 * fragment: a parser that reads ports where there are none would find
 * plausible ones.
 */
static void build_pkt(const struct pkt_spec *p, u8 *buf, struct pkt_layout *l)
{
	unsigned int off = p->nhoff, i, total;
	u8 types[4];

	memset(buf, 0x5a, PKT_BUF);
	memset(l, 0, sizeof(*l));
	if (p->version == 4) {
		struct iphdr *iph = (struct iphdr *)(buf + off);

		l->hlen = (p->ihl ?: 5) * 4;
		memset(iph, IPOPT_NOOP, l->hlen);
		iph->version = 4;
		iph->ihl = l->hlen / 4;
		iph->tos = 0;
		iph->id = htons(7);
		if (p->frag == FRAG_FIRST)
			iph->frag_off = htons(IP_MF);
		else if (p->frag)
			iph->frag_off = htons(p->frag & IP_OFFSET);
		else
			iph->frag_off = htons(IP_DF);
		iph->ttl = 64;
		iph->protocol = p->proto;
		iph->check = 0;
		iph->saddr = p->src.ip4;
		iph->daddr = p->dst.ip4;
		l->thoff = off + l->hlen;
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + off);

		memset(ip6, 0, sizeof(*ip6));
		ip6->version = 6;
		ip6->hop_limit = 64;
		ip6->saddr = p->src.ip6;
		ip6->daddr = p->dst.ip6;
		if (p->ext & X_HOP)
			types[l->n_ext++] = NEXTHDR_HOP;
		if (p->ext & X_RT)
			types[l->n_ext++] = NEXTHDR_ROUTING;
		if (p->frag)
			types[l->n_ext++] = NEXTHDR_FRAGMENT;
		if (p->ext & X_DST)
			types[l->n_ext++] = NEXTHDR_DEST;
		ip6->nexthdr = l->n_ext ? types[0] : p->proto;
		l->hlen = sizeof(*ip6);
		off += sizeof(*ip6);
		for (i = 0; i < l->n_ext; i++) {
			l->ext_off[i] = off;
			l->ext_type[i] = types[i];
			l->ext_next[i] = p->proto;
			if (i + 1 < l->n_ext)
				l->ext_next[i] = types[i + 1];
			off += build_ext6(buf + off, types[i], l->ext_next[i],
					  p->frag);
		}
		l->thoff = off;
	}

	if (l4_size(p->proto) >= 4) {
		put_unaligned_be16(p->sport, buf + l->thoff);
		put_unaligned_be16(p->dport, buf + l->thoff + 2);
	}
	total = l->thoff + l4_size(p->proto) +
		(p->proto == NEXTHDR_NONE ? 0 : PKT_PAYLOAD);
	l->total = total;
	l->len = total - p->cut;
	l->declared = total - p->nhoff - p->short_len;
	if (p->version == 4) {
		struct iphdr *iph = (struct iphdr *)(buf + p->nhoff);

		iph->tot_len = htons(l->declared);
		if (p->bad == BAD_IHL)
			iph->ihl = 4;
		else if (p->bad == BAD_TOTLEN)
			iph->tot_len = htons(l->hlen - 1);
		else if (p->bad == BAD_IHL_LONG)
			iph->ihl = 15;
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + p->nhoff);

		ip6->payload_len = htons(l->declared - sizeof(*ip6));
	}
	if (p->bad == BAD_VERSION)
		buf[p->nhoff] = (p->version == 4 ? 0x50 : 0x70) |
				(buf[p->nhoff] & 0x0f);
}

/*
 * The first @head bytes (all if 0) in the skb's linear part, the rest in
 * two page fragments: five bytes, then the remainder, so that the headers
 * of most packets straddle both boundaries.
 */
static struct sk_buff *make_skb(const u8 *buf, unsigned int len,
				unsigned int head)
{
	unsigned int rest, chunk, i;
	struct sk_buff *skb;

	if (!head || head > len)
		head = len;
	skb = alloc_skb(head, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_put_data(skb, buf, head);
	for (i = 0, rest = len - head; rest; i++, rest -= chunk) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		chunk = i == 0 ? min(rest, 5U) : rest;
		memcpy(page_address(page) + 100, buf + len - rest, chunk);
		skb_add_rx_frag(skb, i, page, 100, chunk, PAGE_SIZE);
	}
	return skb;
}

/* Build @p as an skb and parse it; the skb is gone before any check. */
static int parse_pkt(struct kunit *test, const struct pkt_spec *p,
		     bool outbound, struct kipsec_flow *f,
		     struct pkt_layout *l, bool *linear)
{
	struct sk_buff *skb;
	u8 buf[PKT_BUF];
	int ret;

	build_pkt(p, buf, l);
	skb = make_skb(buf, l->len, p->head);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	if (linear)
		*linear = !skb_is_nonlinear(skb);
	ret = kipsec_flow_parse(skb, p->nhoff, outbound, f);
	kfree_skb(skb);
	return ret;
}

static bool model_has_ports(u8 proto)
{
	static const u8 with_ports[] = { TCP, UDP, UDPLITE, SCTP, DCCP };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(with_ports); i++)
		if (proto == with_ports[i])
			return true;
	return false;
}

/* What kipsec_flow_parse() should find in the packet @p built as @l. */
static int model_flow(const struct pkt_spec *p, const struct pkt_layout *l,
		      bool outbound, struct kipsec_flow *f)
{
	bool later = p->frag && p->frag != FRAG_FIRST;
	unsigned int end, i;

	memset(f, 0, sizeof(*f));
	if (p->bad || l->len < p->nhoff + l->hlen)
		return -EINVAL;
	if (p->version == 4 && l->declared < l->hlen)
		return -EINVAL;

	f->family = p->version == 4 ? AF_INET : AF_INET6;
	f->local = outbound ? p->src : p->dst;
	f->remote = outbound ? p->dst : p->src;
	f->proto = p->proto;
	/*
	 * The walk over IPv6 extension headers reads the first two bytes of
	 * each and four of a fragment header, and stops at the fragment
	 * header of a non-first fragment.
	 */
	for (i = 0; i < l->n_ext; i++) {
		bool frag = l->ext_type[i] == NEXTHDR_FRAGMENT;
		bool stop = later && frag;

		if (l->len < l->ext_off[i] + (frag ? 4 : 2)) {
			f->proto = NEXTHDR_NONE;
			return 0;
		}
		if (stop) {
			f->proto = l->ext_next[i];
			return 0;
		}
	}
	if (later || !model_has_ports(f->proto))
		return 0;

	end = p->nhoff + l->declared;
	if (p->version == 6 && l->declared == l->hlen)
		end = l->len;	/* payload length 0 */
	if (end > l->len)
		end = l->len;
	if (l->thoff + 4 <= end) {
		f->ports = true;
		f->lport = outbound ? p->sport : p->dport;
		f->rport = outbound ? p->dport : p->sport;
	}
	return 0;
}

static void flow_info(struct kunit *test, const char *what,
		      const struct kipsec_flow *f)
{
	if (f->family == AF_INET)
		kunit_info(test, "%s: %pI4 -> %pI4 proto %u ports %d %u -> %u",
			   what, &f->local.ip4, &f->remote.ip4, f->proto,
			   f->ports, f->lport, f->rport);
	else
		kunit_info(test, "%s: family %u %pI6c -> %pI6c proto %u ports %d %u -> %u",
			   what, f->family, &f->local.ip6, &f->remote.ip6,
			   f->proto, f->ports, f->lport, f->rport);
}

static void sel_info(struct kunit *test, const char *what,
		     const struct kipsec_selector *s)
{
	kunit_info(test, "%s: family %u %pI6c/%u -> %pI6c/%u proto %u lport %u-%u rport %u-%u",
		   what, s->family, &s->local.ip6, s->local_len, &s->remote.ip6,
		   s->remote_len, s->proto, s->lport_min, s->lport_max,
		   s->rport_min, s->rport_max);
}

static bool flow_eq(const struct kipsec_flow *a, const struct kipsec_flow *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->ports == b->ports && a->lport == b->lport &&
	       a->rport == b->rport &&
	       !memcmp(&a->local, &b->local, sizeof(a->local)) &&
	       !memcmp(&a->remote, &b->remote, sizeof(a->remote));
}

/* Parse @p and compare with the model; returns the parser's result. */
static int check_parse(struct kunit *test, const struct pkt_spec *p,
		       bool outbound, struct kipsec_flow *got)
{
	struct kipsec_flow want;
	struct pkt_layout l;
	int ret, want_ret;

	ret = parse_pkt(test, p, outbound, got, &l, NULL);
	want_ret = model_flow(p, &l, outbound, &want);
	KUNIT_EXPECT_EQ(test, ret, want_ret);
	if (ret || want_ret)
		return ret;
	if (!flow_eq(got, &want)) {
		flow_info(test, "parsed", got);
		flow_info(test, "expected", &want);
		KUNIT_FAIL(test, "v%u proto %u ext %#x frag %#x nhoff %u %s",
			   p->version, p->proto, p->ext, p->frag, p->nhoff,
			   outbound ? "outbound" : "inbound");
		KUNIT_FAIL(test, "cut %u short %u head %u", p->cut,
			   p->short_len, p->head);
	}
	return ret;
}

/* The reference matcher. */
static bool ref_prefix(const union kipsec_inaddr *addr,
		       const union kipsec_inaddr *pfx, unsigned int len)
{
	const u8 *a = (const u8 *)addr, *p = (const u8 *)pfx;
	unsigned int i;

	for (i = 0; i < len; i++) {
		u8 bit = 0x80 >> (i % 8);

		if ((a[i / 8] & bit) != (p[i / 8] & bit))
			return false;
	}
	return true;
}

static bool ref_in(u16 port, u16 lo, u16 hi)
{
	return lo <= port && port <= hi;
}

/* @s need not be validated: bits past the prefix lengths are ignored. */
static bool ref_match(const struct kipsec_selector *s,
		      const struct kipsec_flow *f)
{
	bool any_port = s->lport_min == 0 && s->lport_max == PMAX &&
			s->rport_min == 0 && s->rport_max == PMAX;

	if (s->family != AF_UNSPEC &&
	    (s->family != f->family ||
	     !ref_prefix(&f->local, &s->local, s->local_len) ||
	     !ref_prefix(&f->remote, &s->remote, s->remote_len)))
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (!f->ports)
		return any_port;
	return ref_in(f->lport, s->lport_min, s->lport_max) &&
	       ref_in(f->rport, s->rport_min, s->rport_max);
}

/* The specificity order, as a list of keys compared in turn, lower first. */
#define NAIVE_KEYS	6

static void naive_keys(const struct kipsec_selector *s, u32 *key)
{
	key[0] = s->family == AF_UNSPEC;
	key[1] = 255 - s->remote_len;
	key[2] = 255 - s->local_len;
	key[3] = s->proto == 0;
	key[4] = s->rport_max - s->rport_min;
	key[5] = s->lport_max - s->lport_min;
}

static int naive_cmp(const struct kipsec_selector *a,
		     const struct kipsec_selector *b)
{
	u32 ka[NAIVE_KEYS], kb[NAIVE_KEYS];
	unsigned int i;

	naive_keys(a, ka);
	naive_keys(b, kb);
	for (i = 0; i < NAIVE_KEYS; i++) {
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	}
	return 0;
}

static int cmp_sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Selectors and addresses written as text in the tables. */
struct sel_spec {
	const char *local;	/* "addr/len" or "addr"; both NULL: any */
	const char *remote;
	u8 proto;
	bool narrow;		/* false: any port */
	u16 ports[4];		/* local min, max, remote min, max */
};

#define LPORT(a, b)	.narrow = true, .ports = { a, b, 0, PMAX }
#define RPORT(a, b)	.narrow = true, .ports = { 0, PMAX, a, b }
#define PORTS(a, b, c, d)	.narrow = true, .ports = { a, b, c, d }

static u8 addr_from_str(struct kunit *test, const char *str,
			union kipsec_inaddr *a, const char **end)
{
	memset(a, 0, sizeof(*a));
	if (in4_pton(str, -1, (u8 *)&a->ip4, '/', end))
		return AF_INET;
	if (in6_pton(str, -1, a->ip6.s6_addr, '/', end))
		return AF_INET6;
	KUNIT_FAIL(test, "not an address: %s", str);
	return AF_UNSPEC;
}

static void sel_from_spec(struct kunit *test, const struct sel_spec *sp,
			  struct kipsec_selector *s)
{
	u8 family = AF_UNSPEC, len;
	const char *end;
	unsigned int i;

	kipsec_selector_set_any(s);
	for (i = 0; i < 2; i++) {
		const char *str = i ? sp->remote : sp->local;
		union kipsec_inaddr *a = i ? &s->remote : &s->local;
		u8 f;

		if (!str)
			continue;
		f = addr_from_str(test, str, a, &end);
		KUNIT_ASSERT_NE(test, f, AF_UNSPEC);
		KUNIT_ASSERT_TRUE(test, family == AF_UNSPEC || family == f);
		family = f;
		len = f == AF_INET ? 32 : 128;
		if (*end == '/')
			KUNIT_ASSERT_EQ(test, kstrtou8(end + 1, 10, &len), 0);
		if (i)
			s->remote_len = len;
		else
			s->local_len = len;
	}
	s->family = family;
	s->proto = sp->proto;
	if (sp->narrow) {
		s->lport_min = sp->ports[0];
		s->lport_max = sp->ports[1];
		s->rport_min = sp->ports[2];
		s->rport_max = sp->ports[3];
	}
	KUNIT_ASSERT_NULL(test, kipsec_selector_validate(s, NULL));
}

/* The match table. */
enum { MISS, MATCH, INVAL };
enum { PORTS_ANY, PORTS_YES, PORTS_NO };

struct match_case {
	const char *name;
	struct sel_spec sel;
	const char *src;	/* on the wire */
	const char *dst;
	struct pkt_spec pkt;
	bool inbound;
	u8 want;
	u8 ports;		/* PORTS_ANY: not checked */
};

#define SEL(l, r, ...)	.sel = { .local = l, .remote = r, __VA_ARGS__ }
#define ANYSEL		.sel = { .local = NULL }
#define PKT(s, d, pr, sp, dp, ...)					\
	.src = s, .dst = d,						\
	.pkt = { .proto = pr, .sport = sp, .dport = dp, __VA_ARGS__ }

static const struct match_case match_cases[] = {
	/* IPv4 prefixes and the point of view. */
	{ "v4 /24 /16 outbound", SEL("10.1.2.0/24", "192.168.0.0/16"),
	  PKT("10.1.2.3", "192.168.7.7", TCP, 1000, 80), .want = MATCH,
	  .ports = PORTS_YES },
	{ "v4 /24 local outside", SEL("10.1.2.0/24", "192.168.0.0/16"),
	  PKT("10.1.3.3", "192.168.7.7", TCP, 1000, 80), .want = MISS },
	{ "v4 /16 remote outside", SEL("10.1.2.0/24", "192.168.0.0/16"),
	  PKT("10.1.2.3", "192.169.7.7", TCP, 1000, 80), .want = MISS },
	{ "v4 inbound: local is the destination",
	  SEL("10.1.2.0/24", "192.168.0.0/16"),
	  PKT("192.168.7.7", "10.1.2.3", TCP, 80, 1000), .inbound = true,
	  .want = MATCH },
	{ "v4 inbound with outbound addresses",
	  SEL("10.1.2.0/24", "192.168.0.0/16"),
	  PKT("10.1.2.3", "192.168.7.7", TCP, 1000, 80), .inbound = true,
	  .want = MISS },
	{ "v4 /32 exact", SEL("10.0.0.1/32", "10.0.0.2"),
	  PKT("10.0.0.1", "10.0.0.2", UDP, 500, 500), .want = MATCH },
	{ "v4 /32 next address", SEL("10.0.0.1/32", "10.0.0.2/32"),
	  PKT("10.0.0.1", "10.0.0.3", UDP, 500, 500), .want = MISS },
	{ "v4 /31 upper half", SEL("10.0.0.2/31", "0.0.0.0/0"),
	  PKT("10.0.0.3", "8.8.8.8", UDP, 53, 53), .want = MATCH },
	{ "v4 /31 next pair", SEL("10.0.0.2/31", "0.0.0.0/0"),
	  PKT("10.0.0.4", "8.8.8.8", UDP, 53, 53), .want = MISS },
	{ "v4 /31 lower pair", SEL("10.0.0.2/31", "0.0.0.0/0"),
	  PKT("10.0.0.1", "8.8.8.8", UDP, 53, 53), .want = MISS },
	{ "v4 /1 high half", SEL("0.0.0.0/0", "128.0.0.0/1"),
	  PKT("1.1.1.1", "200.1.1.1", TCP, 1, 2), .want = MATCH },
	{ "v4 /1 low half", SEL("0.0.0.0/0", "128.0.0.0/1"),
	  PKT("1.1.1.1", "127.255.255.255", TCP, 1, 2), .want = MISS },
	{ "v4 /0 /0", SEL("0.0.0.0/0", "0.0.0.0/0"),
	  PKT("255.255.255.255", "0.0.0.0", GRE, 0, 0), .want = MATCH,
	  .ports = PORTS_NO },
	{ "v4 /0 does not match IPv6", SEL("0.0.0.0/0", "0.0.0.0/0"),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1, 2), .want = MISS },
	{ "v6 /0 does not match IPv4", SEL("::/0", "::/0"),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2), .want = MISS },
	{ "any family, IPv4", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2), .want = MATCH },
	{ "any family, IPv6", ANYSEL,
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1, 2), .want = MATCH },

	/* IPv6 prefixes. */
	{ "v6 /64 /48", SEL("2001:db8:1:2::/64", "2001:db8:ff::/48"),
	  PKT("2001:db8:1:2::99", "2001:db8:ff:3::1", TCP, 40000, 443),
	  .want = MATCH },
	{ "v6 /64 next subnet", SEL("2001:db8:1:2::/64", "2001:db8:ff::/48"),
	  PKT("2001:db8:1:3::99", "2001:db8:ff:3::1", TCP, 40000, 443),
	  .want = MISS },
	{ "v6 /64 inbound", SEL("2001:db8:1:2::/64", "2001:db8:ff::/48"),
	  PKT("2001:db8:ff:3::1", "2001:db8:1:2::99", TCP, 443, 40000),
	  .inbound = true, .want = MATCH },
	{ "v6 /128 exact", SEL("2001:db8::1", "2001:db8::2/128"),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1, 2), .want = MATCH },
	{ "v6 /128 last bit", SEL("2001:db8::1", "2001:db8::2/128"),
	  PKT("2001:db8::1", "2001:db8::3", UDP, 1, 2), .want = MISS },
	{ "v6 /127 pair", SEL("2001:db8::2/127", "::/0"),
	  PKT("2001:db8::3", "2001:db8::99", UDP, 1, 2), .want = MATCH },
	{ "v6 /127 next pair", SEL("2001:db8::2/127", "::/0"),
	  PKT("2001:db8::4", "2001:db8::99", UDP, 1, 2), .want = MISS },
	{ "v6 /1", SEL("::/0", "8000::/1"),
	  PKT("::1", "fe80::1", ICMP6, 0, 0), .want = MATCH },
	{ "v6 /1 other half", SEL("::/0", "8000::/1"),
	  PKT("::1", "7fff::1", ICMP6, 0, 0), .want = MISS },

	/* Protocol and ports. */
	{ "proto TCP, TCP packet", SEL("0.0.0.0/0", "0.0.0.0/0", .proto = TCP),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2), .want = MATCH },
	{ "proto TCP, UDP packet", SEL("0.0.0.0/0", "0.0.0.0/0", .proto = TCP),
	  PKT("10.0.0.1", "10.0.0.2", UDP, 1, 2), .want = MISS },
	{ "one remote port", SEL("10.0.0.0/8", "10.0.0.0/8", .proto = TCP,
				 RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 33000, 80), .want = MATCH },
	{ "one remote port, +1", SEL("10.0.0.0/8", "10.0.0.0/8", .proto = TCP,
				     RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 33000, 81), .want = MISS },
	{ "one remote port, -1", SEL("10.0.0.0/8", "10.0.0.0/8", .proto = TCP,
				     RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 33000, 79), .want = MISS },
	{ "one remote port, swapped", SEL("10.0.0.0/8", "10.0.0.0/8",
					  RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 80, 33000), .want = MISS },
	{ "local range, min", SEL("::/0", "::/0", LPORT(1024, PMAX)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1024, 53), .want = MATCH },
	{ "local range, min - 1", SEL("::/0", "::/0", LPORT(1024, PMAX)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1023, 53), .want = MISS },
	{ "local range, max", SEL("::/0", "::/0", LPORT(1024, PMAX)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, PMAX, 53), .want = MATCH },
	{ "port 0 at the low edge", SEL(NULL, NULL, RPORT(0, 10)),
	  PKT("10.0.0.1", "10.0.0.2", UDP, 7, 0), .want = MATCH },
	{ "both ranges", SEL(NULL, NULL, PORTS(5000, 5100, 5060, 5061)),
	  PKT("10.0.0.1", "10.0.0.2", SCTP, 5100, 5061), .want = MATCH },
	{ "both ranges, local outside", SEL(NULL, NULL,
					    PORTS(5000, 5100, 5060, 5061)),
	  PKT("10.0.0.1", "10.0.0.2", SCTP, 5101, 5061), .want = MISS },
	{ "local port inbound", SEL("10.0.0.0/24", "0.0.0.0/0", LPORT(22, 22)),
	  PKT("172.16.0.9", "10.0.0.5", TCP, 50000, 22), .inbound = true,
	  .want = MATCH },
	{ "local port outbound reply", SEL("10.0.0.0/24", "0.0.0.0/0",
					   LPORT(22, 22)),
	  PKT("10.0.0.5", "172.16.0.9", TCP, 22, 50000), .want = MATCH },
	{ "local port outbound request", SEL("10.0.0.0/24", "0.0.0.0/0",
					     LPORT(22, 22)),
	  PKT("10.0.0.5", "172.16.0.9", TCP, 50000, 22), .want = MISS },
	{ "UDP-Lite ports", SEL(NULL, NULL, .proto = UDPLITE, RPORT(9, 9)),
	  PKT("2001:db8::1", "2001:db8::2", UDPLITE, 1, 9), .want = MATCH,
	  .ports = PORTS_YES },
	{ "DCCP ports", SEL(NULL, NULL, RPORT(5004, 5004)),
	  PKT("10.0.0.1", "10.0.0.2", DCCP, 1, 5004), .want = MATCH,
	  .ports = PORTS_YES },
	{ "GRE, narrowed ports", SEL(NULL, NULL, RPORT(0, 1023)),
	  PKT("10.0.0.1", "10.0.0.2", GRE, 0, 0), .want = MISS,
	  .ports = PORTS_NO },

	/* ICMP has no ports. */
	{ "ICMP, any port", SEL("10.0.0.0/8", "10.0.0.0/8", .proto = ICMP),
	  PKT("10.0.0.1", "10.0.0.2", ICMP, 0x0800, 0), .want = MATCH,
	  .ports = PORTS_NO },
	{ "ICMP, narrowed remote port", SEL("10.0.0.0/8", "10.0.0.0/8",
					    RPORT(0, 0)),
	  PKT("10.0.0.1", "10.0.0.2", ICMP, 0x0800, 0), .want = MISS },
	{ "ICMPv6, narrowed local port", SEL("::/0", "::/0", .proto = ICMP6,
					     LPORT(0x8000, 0x80ff)),
	  PKT("2001:db8::1", "2001:db8::2", ICMP6, 0x8000, 0), .want = MISS },
	{ "ICMPv6, any port", SEL("::/0", "::/0", .proto = ICMP6),
	  PKT("2001:db8::1", "2001:db8::2", ICMP6, 0x8000, 0), .want = MATCH },

	/* IPv4 fragments and options. */
	{ "v4 later fragment, any port", SEL(NULL, NULL, .proto = TCP),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .frag = 185),
	  .want = MATCH, .ports = PORTS_NO },
	{ "v4 later fragment, narrowed", SEL(NULL, NULL, RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .frag = 185),
	  .want = MISS, .ports = PORTS_NO },
	{ "v4 first fragment, narrowed", SEL(NULL, NULL, RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .frag = FRAG_FIRST),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v4 options (ihl 7)", SEL(NULL, NULL, RPORT(22, 22)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 22, .ihl = 7),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v4 options (ihl 15)", SEL(NULL, NULL, LPORT(1000, 1000)),
	  PKT("10.0.0.1", "10.0.0.2", UDP, 1000, 22, .ihl = 15),
	  .want = MATCH, .ports = PORTS_YES },

	/* IPv6 extension headers. */
	{ "v6 hop-by-hop, TCP", SEL("::/0", "::/0", .proto = TCP,
				   RPORT(443, 443)),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 443, .ext = X_HOP),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v6 hop, routing, dest, UDP", SEL(NULL, NULL, .proto = UDP,
					    RPORT(53, 53)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1000, 53,
	      .ext = X_HOP | X_RT | X_DST),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v6 routing, wrong port", SEL(NULL, NULL, .proto = UDP,
					RPORT(53, 53)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 53, 54, .ext = X_RT),
	  .want = MISS },
	{ "v6 first fragment, TCP", SEL(NULL, NULL, .proto = TCP,
					RPORT(80, 80)),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80, .frag = FRAG_FIRST),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v6 later fragment, narrowed", SEL(NULL, NULL, .proto = TCP,
					     RPORT(80, 80)),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80, .frag = 100),
	  .want = MISS, .ports = PORTS_NO },
	{ "v6 later fragment, proto TCP", SEL(NULL, NULL, .proto = TCP),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80, .frag = 100,
	      .ext = X_HOP),
	  .want = MATCH, .ports = PORTS_NO },
	{ "v6 No Next Header", SEL("::/0", "::/0"),
	  PKT("2001:db8::1", "2001:db8::2", NEXTHDR_NONE, 0, 0, .ext = X_HOP),
	  .want = MATCH, .ports = PORTS_NO },

	/* Truncated packets: no ports. */
	{ "v4 TCP cut after 3 bytes", SEL(NULL, NULL),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .cut = 20 + 5),
	  .want = MATCH, .ports = PORTS_NO },
	{ "v4 TCP cut after 3 bytes, narrowed", SEL(NULL, NULL, RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .cut = 20 + 5),
	  .want = MISS, .ports = PORTS_NO },
	{ "v4 TCP cut after 4 bytes", SEL(NULL, NULL, RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .cut = 16 + 8),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v4 total length ends before ports", SEL(NULL, NULL, RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .short_len = 20 + 6),
	  .want = MISS, .ports = PORTS_NO },
	{ "v6 payload length ends before ports", SEL(NULL, NULL,
						     RPORT(80, 80)),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1000, 80, .short_len = 13),
	  .want = MISS, .ports = PORTS_NO },
	{ "v6 cut in the hop-by-hop header", SEL(NULL, NULL),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80, .ext = X_HOP,
	      .cut = 20 + 8 + 7),
	  .want = MATCH, .ports = PORTS_NO },
	{ "v6 cut in the hop-by-hop header, TCP", SEL(NULL, NULL,
						      .proto = TCP),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80, .ext = X_HOP,
	      .cut = 20 + 8 + 7),
	  .want = MISS, .ports = PORTS_NO },

	/* Not an IP header. */
	{ "bad version", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2, .bad = BAD_VERSION),
	  .want = INVAL },
	{ "v6 bad version", ANYSEL,
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1, 2, .bad = BAD_VERSION),
	  .want = INVAL },
	{ "ihl 4", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2, .bad = BAD_IHL),
	  .want = INVAL },
	{ "ihl past the end", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", UDP, 1, 2, .bad = BAD_IHL_LONG),
	  .want = INVAL },
	{ "total length under ihl", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2, .bad = BAD_TOTLEN),
	  .want = INVAL },
	{ "v4 header cut", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1, 2, .cut = 20 + 8 + 1),
	  .want = INVAL },
	{ "v4 options cut", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", ICMP, 1, 2, .ihl = 6,
	      .cut = 8 + 8 + 1),
	  .want = INVAL },
	{ "v6 header cut", ANYSEL,
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1, 2, .cut = 8 + 8 + 1),
	  .want = INVAL },
	{ "nothing at nhoff", ANYSEL,
	  PKT("10.0.0.1", "10.0.0.2", UDP, 1, 2, .nhoff = 14,
	      .cut = 20 + 8 + 8),
	  .want = INVAL },

	/* Offsets and paged data. */
	{ "v4 behind 14 bytes", SEL("10.0.0.0/8", "10.0.0.0/8", RPORT(80, 80)),
	  PKT("10.0.0.1", "10.0.0.2", TCP, 1000, 80, .nhoff = 14),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v4 paged from byte 10", SEL("10.0.0.0/8", "10.1.0.0/16",
				       RPORT(80, 80)),
	  PKT("10.0.0.1", "10.1.0.2", TCP, 1000, 80, .head = 10),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v4 ports paged across frags", SEL(NULL, NULL, PORTS(1000, 1000,
								80, 80)),
	  PKT("10.0.0.1", "10.1.0.2", UDP, 1000, 80, .nhoff = 8, .head = 29),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v6 paged inside extension headers",
	  SEL("2001:db8::/32", "2001:db8::/32", .proto = TCP, RPORT(80, 80)),
	  PKT("2001:db8::1", "2001:db8::2", TCP, 1000, 80,
	      .ext = X_HOP | X_RT, .nhoff = 4, .head = 49),
	  .want = MATCH, .ports = PORTS_YES },
	{ "v6 later fragment, dest opts first",
	  SEL(NULL, NULL, .proto = UDP),
	  PKT("2001:db8::1", "2001:db8::2", UDP, 1000, 80, .frag = 8,
	      .ext = X_DST, .head = 41),
	  .want = MISS, .ports = PORTS_NO },
};

static void match_case_desc(const struct match_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(match_cases, match_cases, match_case_desc);

static void selector_match_table(struct kunit *test)
{
	const struct match_case *c = test->param_value;
	struct kipsec_flow want, got;
	struct kipsec_selector s;
	struct pkt_layout l;
	struct pkt_spec p;
	int ret, want_ret;
	bool linear;

	sel_from_spec(test, &c->sel, &s);
	p = c->pkt;
	p.version = 6;
	if (addr_from_str(test, c->src, &p.src, NULL) == AF_INET)
		p.version = 4;
	KUNIT_ASSERT_EQ(test, addr_from_str(test, c->dst, &p.dst, NULL),
			p.version == 4 ? AF_INET : AF_INET6);

	ret = parse_pkt(test, &p, !c->inbound, &got, &l, &linear);
	KUNIT_EXPECT_EQ(test, linear, !p.head);
	want_ret = model_flow(&p, &l, !c->inbound, &want);
	KUNIT_EXPECT_EQ(test, want_ret, c->want == INVAL ? -EINVAL : 0);
	KUNIT_ASSERT_EQ(test, ret, c->want == INVAL ? -EINVAL : 0);
	if (ret)
		return;
	if (!flow_eq(&got, &want)) {
		flow_info(test, "parsed", &got);
		flow_info(test, "expected", &want);
		KUNIT_FAIL(test, "the parser and the model disagree");
	}
	if (c->ports != PORTS_ANY)
		KUNIT_EXPECT_EQ(test, got.ports, c->ports == PORTS_YES);
	KUNIT_EXPECT_EQ(test, kipsec_selector_match(&s, &got),
			c->want == MATCH);
	KUNIT_EXPECT_EQ(test, ref_match(&s, &got), c->want == MATCH);
}

/* The order of specificity. */
struct cmp_case {
	const char *name;
	struct sel_spec a;
	struct sel_spec b;
	int want;		/* sign of cmp(a, b) */
};

static const struct cmp_case cmp_cases[] = {
	{ "v4 /0 before any family", { "0.0.0.0/0", "0.0.0.0/0" },
	  { NULL, NULL, TCP, PORTS(1, 1, 1, 1) }, -1 },
	{ "any family after v6 /0", { NULL, NULL }, { "::/0", "::/0" }, 1 },
	{ "longer remote first", { "10.0.0.0/8", "10.1.2.0/24" },
	  { "10.0.0.0/8", "10.1.0.0/16" }, -1 },
	{ "remote before local", { "10.1.2.3/32", "10.1.0.0/16" },
	  { "0.0.0.0/0", "10.1.2.0/24" }, 1 },
	{ "longer local first", { "10.1.2.3/32", "10.1.0.0/16" },
	  { "10.1.2.0/24", "10.1.0.0/16" }, -1 },
	{ "v6 /128 local", { "2001:db8::1", "::/0" },
	  { "2001:db8::/127", "::/0" }, -1 },
	{ "a protocol before any", { "10.0.0.0/8", "10.0.0.0/8", TCP },
	  { "10.0.0.0/8", "10.0.0.0/8" }, -1 },
	{ "protocol before ports", { "10.0.0.0/8", "10.0.0.0/8", 0,
				     PORTS(1, 1, 1, 1) },
	  { "10.0.0.0/8", "10.0.0.0/8", UDP }, 1 },
	{ "prefix before protocol", { "10.0.0.0/8", "10.0.0.0/8", TCP,
				      PORTS(1, 1, 1, 1) },
	  { "10.0.0.0/8", "10.0.0.0/9" }, 1 },
	{ "one remote port before a range", { NULL, NULL, TCP, RPORT(80, 80) },
	  { NULL, NULL, TCP, RPORT(0, 1023) }, -1 },
	{ "remote ports before local ports", { NULL, NULL, 0, RPORT(80, 80) },
	  { NULL, NULL, 0, PORTS(1000, 1000, 0, 1023) }, -1 },
	{ "narrower local range", { NULL, NULL, 0, LPORT(1, 2) },
	  { NULL, NULL, 0, LPORT(1, 3) }, -1 },
	{ "one port 65535 before any", { NULL, NULL, 0, LPORT(PMAX, PMAX) },
	  { NULL, NULL }, -1 },
	{ "same width, other ports", { NULL, NULL, 0, RPORT(10, 20) },
	  { NULL, NULL, 0, RPORT(30, 40) }, 0 },
	{ "identical", { "10.0.0.0/8", "10.0.0.0/8", TCP, RPORT(22, 22) },
	  { "10.0.0.0/8", "10.0.0.0/8", TCP, RPORT(22, 22) }, 0 },
	{ "TCP and UDP tie", { "10.0.0.0/8", "10.0.0.0/8", TCP },
	  { "10.0.0.0/8", "10.0.0.0/8", UDP }, 0 },
	{ "other addresses tie", { "10.0.0.0/8", "10.0.0.0/8" },
	  { "11.0.0.0/8", "12.0.0.0/8" }, 0 },
	{ "families with equal lengths tie", { "10.0.0.0/24", "10.0.0.0/24" },
	  { "2001:db8::/24", "2001:db8::/24" }, 0 },
	{ "lengths across families", { "::/0", "2001:db8::/64" },
	  { "0.0.0.0/0", "10.0.0.1/32" }, -1 },
};

static void cmp_case_desc(const struct cmp_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cmp_cases, cmp_cases, cmp_case_desc);

static void selector_cmp_table(struct kunit *test)
{
	const struct cmp_case *c = test->param_value;
	struct kipsec_selector a, b;

	sel_from_spec(test, &c->a, &a);
	sel_from_spec(test, &c->b, &b);
	KUNIT_EXPECT_EQ(test, cmp_sign(kipsec_selector_cmp(&a, &b)), c->want);
	KUNIT_EXPECT_EQ(test, cmp_sign(kipsec_selector_cmp(&b, &a)), -c->want);
	KUNIT_EXPECT_EQ(test, kipsec_selector_cmp(&a, &a), 0);
	KUNIT_EXPECT_EQ(test, naive_cmp(&a, &b), c->want);
}

/* Validation. */
struct validate_case {
	const char *name;
	u8 family;
	const char *local;	/* plain addresses; NULL: zero */
	const char *remote;
	u8 local_len;
	u8 remote_len;
	u16 ports[4];		/* all 0: 0-65535 both */
	bool junk;		/* fill the bytes the family leaves unused */
	int field;		/* -1: valid */
	const char *want_local;	/* after masking; NULL: zero */
	const char *want_remote;
};

#define VALID	-1

static const struct validate_case validate_cases[] = {
	{ "v4 host bits masked", AF_INET, "10.1.2.3", "192.168.255.1", 24, 16,
	  .field = VALID, .want_local = "10.1.2.0",
	  .want_remote = "192.168.0.0" },
	{ "v4 /32 kept", AF_INET, "10.1.2.3", "10.1.2.4", 32, 32,
	  .field = VALID, .want_local = "10.1.2.3", .want_remote = "10.1.2.4" },
	{ "v4 /31 /1", AF_INET, "10.0.0.3", "255.255.255.255", 31, 1,
	  .field = VALID, .want_local = "10.0.0.2",
	  .want_remote = "128.0.0.0" },
	{ "v4 /0 cleared", AF_INET, "255.255.255.255", "1.2.3.4", 0, 0,
	  .field = VALID, .want_local = "0.0.0.0", .want_remote = "0.0.0.0" },
	{ "v4 unused bytes cleared", AF_INET, "10.1.2.3", "10.1.2.3", 8, 32,
	  .junk = true, .field = VALID, .want_local = "10.0.0.0",
	  .want_remote = "10.1.2.3" },
	{ "v6 /64 /127", AF_INET6, "2001:db8:1:2:3:4:5:6", "2001:db8::3", 64,
	  127, .field = VALID, .want_local = "2001:db8:1:2::",
	  .want_remote = "2001:db8::2" },
	{ "v6 /1 /128", AF_INET6, "ffff::", "2001:db8::ffff", 1, 128,
	  .field = VALID, .want_local = "8000::",
	  .want_remote = "2001:db8::ffff" },
	{ "v6 /65", AF_INET6, "2001:db8:0:0:ffff::", "::", 65, 0,
	  .field = VALID, .want_local = "2001:db8:0:0:8000::",
	  .want_remote = "::" },
	{ "any family clears addresses", AF_UNSPEC, NULL, NULL, 0, 0,
	  .junk = true, .field = VALID },
	{ "one port ranges", AF_UNSPEC, NULL, NULL, 0, 0,
	  .ports = { PMAX, PMAX, 0, 0 }, .field = VALID },
	{ "v4 local /33", AF_INET, "10.0.0.0", "10.0.0.0", 33, 8,
	  .field = KIPSEC_SELECTOR_LOCAL_LEN },
	{ "v4 remote /33", AF_INET, "10.0.0.0", "10.0.0.0", 8, 33,
	  .field = KIPSEC_SELECTOR_REMOTE_LEN },
	{ "v4 remote /128", AF_INET, "10.0.0.0", "10.0.0.0", 8, 128,
	  .field = KIPSEC_SELECTOR_REMOTE_LEN },
	{ "v6 local /129", AF_INET6, "::", "::", 129, 0,
	  .field = KIPSEC_SELECTOR_LOCAL_LEN },
	{ "v6 remote /255", AF_INET6, "::", "::", 0, 255,
	  .field = KIPSEC_SELECTOR_REMOTE_LEN },
	{ "a length without a family", AF_UNSPEC, NULL, NULL, 0, 8,
	  .field = KIPSEC_SELECTOR_REMOTE_LEN },
	{ "unknown family", 99, NULL, NULL, 0, 0,
	  .field = KIPSEC_SELECTOR_FAMILY },
	{ "local ports reversed", AF_INET, "10.0.0.0", "10.0.0.0", 8, 8,
	  .ports = { 100, 99, 0, PMAX }, .field = KIPSEC_SELECTOR_LPORT },
	{ "remote ports reversed", AF_INET6, "::", "::", 0, 0,
	  .ports = { 0, PMAX, PMAX, 0 }, .field = KIPSEC_SELECTOR_RPORT },
};

static void validate_case_desc(const struct validate_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(validate_cases, validate_cases, validate_case_desc);

static void plain_addr(struct kunit *test, u8 family, const char *str,
		       union kipsec_inaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (!str)
		return;
	if (family == AF_INET)
		KUNIT_ASSERT_TRUE(test, in4_pton(str, -1, (u8 *)&a->ip4, -1,
						 NULL));
	else
		KUNIT_ASSERT_TRUE(test, in6_pton(str, -1, a->ip6.s6_addr, -1,
						 NULL));
}

static void selector_validate_table(struct kunit *test)
{
	const struct validate_case *c = test->param_value;
	enum kipsec_selector_field field;
	union kipsec_inaddr want_local, want_remote;
	struct kipsec_selector s, copy;
	const char *msg;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	s.family = c->family;
	s.local_len = c->local_len;
	s.remote_len = c->remote_len;
	plain_addr(test, c->family, c->local, &s.local);
	plain_addr(test, c->family, c->remote, &s.remote);
	if (c->junk) {
		for (i = c->family == AF_INET ? 4 : 0; i < 16; i++) {
			s.local.ip6.s6_addr[i] = 0xff;
			s.remote.ip6.s6_addr[i] = 0xee;
		}
	}
	s.lport_min = c->ports[0];
	s.lport_max = c->ports[1];
	s.rport_min = c->ports[2];
	s.rport_max = c->ports[3];
	if (!c->ports[0] && !c->ports[1] && !c->ports[2] && !c->ports[3]) {
		s.lport_max = PMAX;
		s.rport_max = PMAX;
	}
	copy = s;

	/* Preset to another value than the one expected. */
	field = c->field == KIPSEC_SELECTOR_FAMILY ? KIPSEC_SELECTOR_RPORT :
						     KIPSEC_SELECTOR_FAMILY;
	msg = kipsec_selector_validate(&s, &field);
	if (c->field != VALID) {
		KUNIT_EXPECT_NOT_NULL(test, msg);
		KUNIT_EXPECT_EQ(test, (int)field, c->field);
		if (msg)
			kunit_info(test, "%s", msg);
		/* Passing no field pointer is allowed. */
		KUNIT_EXPECT_PTR_EQ(test, kipsec_selector_validate(&copy, NULL),
				    msg);
		return;
	}
	KUNIT_EXPECT_NULL(test, msg);
	plain_addr(test, c->family, c->want_local, &want_local);
	plain_addr(test, c->family, c->want_remote, &want_remote);
	KUNIT_EXPECT_EQ(test, memcmp(&s.local, &want_local, sizeof(want_local)),
			0);
	KUNIT_EXPECT_EQ(test,
			memcmp(&s.remote, &want_remote, sizeof(want_remote)),
			0);
	KUNIT_EXPECT_EQ(test, s.family, c->family);
	KUNIT_EXPECT_EQ(test, s.local_len, c->local_len);
	KUNIT_EXPECT_EQ(test, s.remote_len, c->remote_len);
	KUNIT_EXPECT_EQ(test, s.lport_min, copy.lport_min);
	KUNIT_EXPECT_EQ(test, s.rport_max, copy.rport_max);

	/* Canonical: validating again changes nothing. */
	copy = s;
	KUNIT_EXPECT_NULL(test, kipsec_selector_validate(&copy, NULL));
	KUNIT_EXPECT_TRUE(test, kipsec_selector_equal(&s, &copy));
}

/* The default selector matches everything, ports or not. */
static void selector_any(struct kunit *test)
{
	struct kipsec_selector s, t;
	struct kipsec_flow f = { .family = AF_INET6, .proto = ICMP6 };

	kipsec_selector_set_any(&s);
	t = s;
	KUNIT_EXPECT_NULL(test, kipsec_selector_validate(&t, NULL));
	KUNIT_EXPECT_TRUE(test, kipsec_selector_equal(&s, &t));
	KUNIT_EXPECT_TRUE(test, kipsec_selector_match(&s, &f));
	f.family = AF_INET;
	f.proto = TCP;
	f.ports = true;
	f.lport = PMAX;
	KUNIT_EXPECT_TRUE(test, kipsec_selector_match(&s, &f));
	t.rport_max--;
	KUNIT_EXPECT_FALSE(test, kipsec_selector_equal(&s, &t));
	KUNIT_EXPECT_TRUE(test, kipsec_selector_match(&t, &f));
	f.ports = false;
	KUNIT_EXPECT_FALSE(test, kipsec_selector_match(&t, &f));
	/* A family this code does not know matches nothing. */
	s.family = 99;
	KUNIT_EXPECT_FALSE(test, kipsec_selector_match(&s, &f));
}

/* Randomized tests; the seed is printed so that a failure reproduces. */
#define SEL_SEED	0x6b69707365634cULL

static u32 rnd(struct rnd_state *r, u32 n)
{
	return prandom_u32_state(r) % n;
}

static const u8 rand_protos[] = {
	TCP, UDP, UDPLITE, SCTP, DCCP, ICMP, ICMP6, GRE, IPPROTO_ESP,
};

static void rand_range(struct rnd_state *r, u16 *min, u16 *max)
{
	u16 a = rnd(r, PMAX + 1), b = rnd(r, PMAX + 1);

	switch (rnd(r, 8)) {
	case 0:
	case 1:
	case 2:
		*min = 0;
		*max = PMAX;
		break;
	case 3:
		*min = rnd(r, 2) ? a : (rnd(r, 2) ? 0 : PMAX);
		*max = *min;
		break;
	case 4:
		*min = 0;
		*max = a;
		break;
	case 5:
		*min = a;
		*max = PMAX;
		break;
	case 6:
		*min = a;
		*max = a > PMAX - 2 ? PMAX : a + rnd(r, 3);
		break;
	default:
		*min = min(a, b);
		*max = max(a, b);
		break;
	}
}

/* One of @lens (@n of them), or any length up to @max. */
static u8 rand_len(struct rnd_state *r, const u8 *lens, unsigned int n,
		   unsigned int max)
{
	return rnd(r, 2) ? lens[rnd(r, n)] : rnd(r, max + 1);
}

/*
 * A random selector, not yet validated: any bytes in the addresses, lengths
 * picked at the edges of bytes and words most of the time.
 */
static void rand_selector(struct rnd_state *r, struct kipsec_selector *s)
{
	static const u8 v4_lens[] = { 0, 1, 7, 8, 9, 16, 23, 24, 25, 31, 32 };
	static const u8 v6_lens[] = { 0, 1, 8, 31, 32, 48, 63, 64, 65, 96,
				      127, 128 };

	memset(s, 0, sizeof(*s));
	switch (rnd(r, 8)) {
	case 0:
		s->family = AF_UNSPEC;
		break;
	case 1:
	case 2:
	case 3:
		s->family = AF_INET;
		s->local_len = rand_len(r, v4_lens, ARRAY_SIZE(v4_lens), 32);
		s->remote_len = rand_len(r, v4_lens, ARRAY_SIZE(v4_lens), 32);
		break;
	default:
		s->family = AF_INET6;
		s->local_len = rand_len(r, v6_lens, ARRAY_SIZE(v6_lens), 128);
		s->remote_len = rand_len(r, v6_lens, ARRAY_SIZE(v6_lens), 128);
		break;
	}
	prandom_bytes_state(r, &s->local, sizeof(s->local));
	prandom_bytes_state(r, &s->remote, sizeof(s->remote));
	s->proto = rnd(r, 3) ? 0 : rand_protos[rnd(r, ARRAY_SIZE(rand_protos))];
	rand_range(r, &s->lport_min, &s->lport_max);
	rand_range(r, &s->rport_min, &s->rport_max);
}

/*
 * An address of @family in the prefix @pfx/@len with random host bits, or
 * now and then just outside it (one bit of the prefix flipped).
 */
static void rand_addr_in(struct rnd_state *r, u8 family,
			 const union kipsec_inaddr *pfx, unsigned int len,
			 union kipsec_inaddr *a)
{
	const u8 *p = (const u8 *)pfx;
	u8 *b = (u8 *)a;
	unsigned int i;

	memset(a, 0, sizeof(*a));
	prandom_bytes_state(r, a, family == AF_INET ? 4 : 16);
	for (i = 0; i < len; i++) {
		u8 bit = 0x80 >> (i % 8);

		b[i / 8] = (b[i / 8] & ~bit) | (p[i / 8] & bit);
	}
	if (len && !rnd(r, 4)) {
		i = rnd(r, len);
		b[i / 8] ^= 0x80 >> (i % 8);
	}
}

/* A port at or next to an edge of @min-@max, inside it, or anywhere. */
static u16 rand_port_near(struct rnd_state *r, u16 min, u16 max)
{
	switch (rnd(r, 6)) {
	case 0:
		return min;
	case 1:
		return min - 1;
	case 2:
		return max;
	case 3:
		return max + 1;
	case 4:
		return min + rnd(r, max - min + 1);
	default:
		return rnd(r, PMAX + 1);
	}
}

/* A flow biased towards @s (raw or validated), so that matches happen. */
static void rand_flow(struct rnd_state *r, const struct kipsec_selector *s,
		      struct kipsec_flow *f)
{
	bool near;

	memset(f, 0, sizeof(*f));
	f->family = s->family;
	if (s->family == AF_UNSPEC || !rnd(r, 16))
		f->family = rnd(r, 2) ? AF_INET : AF_INET6;
	near = f->family == s->family;
	rand_addr_in(r, f->family, &s->local, near ? s->local_len : 0,
		     &f->local);
	rand_addr_in(r, f->family, &s->remote, near ? s->remote_len : 0,
		     &f->remote);
	f->proto = s->proto && rnd(r, 4) ? s->proto :
		   rand_protos[rnd(r, ARRAY_SIZE(rand_protos))];
	f->ports = model_has_ports(f->proto) && rnd(r, 8);
	if (f->ports) {
		f->lport = rand_port_near(r, s->lport_min, s->lport_max);
		f->rport = rand_port_near(r, s->rport_min, s->rport_max);
	}
}

/* Change one field of a validated selector (it stays canonical). */
static void change_one_field(struct rnd_state *r, struct kipsec_selector *s)
{
	switch (rnd(r, 10)) {
	case 0:
		s->family = s->family == AF_INET ? AF_INET6 : AF_INET;
		break;
	case 1:
		s->proto ^= 1 << rnd(r, 8);
		break;
	case 2:
		s->local_len ^= 1;
		break;
	case 3:
		s->remote_len ^= 2;
		break;
	case 4:
		s->local.ip6.s6_addr[rnd(r, 16)] ^= 1 << rnd(r, 8);
		break;
	case 5:
		s->remote.ip6.s6_addr[rnd(r, 16)] ^= 1 << rnd(r, 8);
		break;
	case 6:
		s->lport_min ^= 1 << rnd(r, 16);
		break;
	case 7:
		s->lport_max ^= 1 << rnd(r, 16);
		break;
	case 8:
		s->rport_min ^= 1 << rnd(r, 16);
		break;
	default:
		s->rport_max ^= 1 << rnd(r, 16);
		break;
	}
}

#define MATCH_ROUNDS	10000
#define MATCH_FLOWS	4

static void selector_random_match(struct kunit *test)
{
	unsigned int i, j, hits = 0, total = MATCH_ROUNDS * MATCH_FLOWS;
	struct rnd_state r;

	kunit_info(test, "seed %#llx", SEL_SEED);
	prandom_seed_state(&r, SEL_SEED);
	for (i = 0; i < MATCH_ROUNDS; i++) {
		struct kipsec_selector raw, s, t;
		struct kipsec_flow f;
		bool got, want, same;

		rand_selector(&r, &raw);
		s = raw;
		KUNIT_ASSERT_NULL_MSG(test, kipsec_selector_validate(&s, NULL),
				      "round %u", i);

		/*
		 * Other host bits give the same selector (unless a bit of
		 * the prefix flipped too); any other change, another one.
		 */
		t = raw;
		rand_addr_in(&r, t.family, &raw.local, t.local_len, &t.local);
		rand_addr_in(&r, t.family, &raw.remote, t.remote_len,
			     &t.remote);
		same = ref_prefix(&t.local, &raw.local, t.local_len) &&
		       ref_prefix(&t.remote, &raw.remote, t.remote_len);
		KUNIT_ASSERT_NULL(test, kipsec_selector_validate(&t, NULL));
		KUNIT_ASSERT_EQ_MSG(test, kipsec_selector_equal(&s, &t), same,
				    "round %u", i);
		t = s;
		change_one_field(&r, &t);
		KUNIT_ASSERT_FALSE_MSG(test, kipsec_selector_equal(&s, &t),
				       "round %u", i);

		for (j = 0; j < MATCH_FLOWS; j++) {
			rand_flow(&r, &raw, &f);
			want = ref_match(&raw, &f);
			got = kipsec_selector_match(&s, &f);
			if (got != want) {
				sel_info(test, "selector", &s);
				flow_info(test, "flow", &f);
				KUNIT_FAIL(test, "round %u flow %u: match %d",
					   i, j, got);
				return;
			}
			hits += got;
		}
	}
	kunit_info(test, "%u of %u flows matched", hits, total);
	KUNIT_EXPECT_GT(test, hits, total / 8);
	KUNIT_EXPECT_LT(test, hits, total - total / 8);
}

#define PARSE_ROUNDS	3000

/* Random packets, built and parsed, against the model. */
static void selector_random_parse(struct kunit *test)
{
	static const u8 v6_protos[] = {
		TCP, UDP, UDPLITE, SCTP, DCCP, ICMP6, GRE, NEXTHDR_NONE,
	};
	static const u16 nhoffs[] = { 0, 0, 14, 40 };
	unsigned int i, ports = 0, invalid = 0, paged = 0;
	struct rnd_state r;

	kunit_info(test, "seed %#llx", SEL_SEED + 1);
	prandom_seed_state(&r, SEL_SEED + 1);
	for (i = 0; i < PARSE_ROUNDS; i++) {
		struct pkt_spec p = { };
		struct kipsec_flow f;
		struct pkt_layout l;
		u8 buf[PKT_BUF];
		unsigned int room;

		p.version = rnd(&r, 2) ? 4 : 6;
		if (p.version == 4) {
			prandom_bytes_state(&r, &p.src.ip4, 4);
			prandom_bytes_state(&r, &p.dst.ip4, 4);
			p.proto = rand_protos[rnd(&r, ARRAY_SIZE(rand_protos))];
			p.ihl = 5 + (rnd(&r, 4) ? 0 : rnd(&r, 11));
		} else {
			prandom_bytes_state(&r, &p.src.ip6, 16);
			prandom_bytes_state(&r, &p.dst.ip6, 16);
			p.proto = v6_protos[rnd(&r, ARRAY_SIZE(v6_protos))];
			p.ext = rnd(&r, 8);
		}
		p.sport = rnd(&r, 4) ? rnd(&r, PMAX + 1) : PMAX * rnd(&r, 2);
		p.dport = rnd(&r, 4) ? rnd(&r, PMAX + 1) : PMAX * rnd(&r, 2);
		if (!rnd(&r, 4))
			p.frag = rnd(&r, 2) ? FRAG_FIRST : 1 + rnd(&r, 8191);
		p.nhoff = nhoffs[rnd(&r, ARRAY_SIZE(nhoffs))];

		/* Sizes known, cut the packet or its declared length. */
		build_pkt(&p, buf, &l);
		if (!rnd(&r, 4))
			p.cut = rnd(&r, l.total + 1);
		room = l.total - p.nhoff - (p.version == 6 ? l.hlen : 0);
		if (!rnd(&r, 6))
			p.short_len = rnd(&r, room + 1);
		if (l.total > p.cut && rnd(&r, 3))
			p.head = 1 + rnd(&r, l.total - p.cut);
		if (p.head && p.head < l.total - p.cut)
			paged++;

		if (check_parse(test, &p, rnd(&r, 2), &f))
			invalid++;
		else
			ports += f.ports;
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "round %u", i);
			return;
		}
	}
	kunit_info(test, "%u packets: %u with ports, %u invalid, %u paged",
		   PARSE_ROUNDS, ports, invalid, paged);
	KUNIT_EXPECT_GT(test, ports, PARSE_ROUNDS / 4U);
	KUNIT_EXPECT_GT(test, invalid, PARSE_ROUNDS / 50U);
	KUNIT_EXPECT_GT(test, paged, PARSE_ROUNDS / 4U);
}

/*
 * A tunnel's SAs in one list sorted with kipsec_selector_cmp(): the first
 * that matches must be the most specific match found by brute force with
 * the naive order. Selectors come from a small pool of overlapping prefixes
 * and port ranges, so that most flows match several.
 */
#define ORDER_ROUNDS	200
#define ORDER_SELS	24
#define ORDER_FLOWS	40

static void pool_addr(struct rnd_state *r, u8 family, union kipsec_inaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->ip4 = htonl(0x0a000000 | rnd(r, 2) << 16 | rnd(r, 2) << 8 |
			       rnd(r, 2));
		return;
	}
	a->ip6.s6_addr[0] = 0x20;
	a->ip6.s6_addr[1] = 0x01;
	a->ip6.s6_addr[2] = 0x0d;
	a->ip6.s6_addr[3] = 0xb8;
	a->ip6.s6_addr[5] = rnd(r, 2);
	a->ip6.s6_addr[7] = rnd(r, 2);
	a->ip6.s6_addr[15] = rnd(r, 2);
}

static void pool_selector(struct rnd_state *r, struct kipsec_selector *s)
{
	static const u8 v4_lens[] = { 0, 8, 16, 24, 32 };
	static const u8 v6_lens[] = { 0, 32, 48, 64, 128 };
	static const u16 lranges[][2] = {
		{ 0, PMAX }, { 0, PMAX }, { 1024, PMAX }, { 5000, 5000 },
	};
	static const u16 rranges[][2] = {
		{ 0, PMAX }, { 0, PMAX }, { 0, 1023 }, { 80, 80 }, { 443, 443 },
		{ 1, PMAX },
	};
	static const u8 protos[] = { 0, 0, TCP, UDP };
	unsigned int k;

	kipsec_selector_set_any(s);
	k = rnd(r, 10);
	s->family = !k ? AF_UNSPEC : k < 6 ? AF_INET : AF_INET6;
	if (s->family != AF_UNSPEC) {
		const u8 *lens = s->family == AF_INET ? v4_lens : v6_lens;

		pool_addr(r, s->family, &s->local);
		pool_addr(r, s->family, &s->remote);
		s->local_len = lens[rnd(r, 5)];
		s->remote_len = lens[rnd(r, 5)];
	}
	s->proto = protos[rnd(r, ARRAY_SIZE(protos))];
	k = rnd(r, ARRAY_SIZE(lranges));
	s->lport_min = lranges[k][0];
	s->lport_max = lranges[k][1];
	k = rnd(r, ARRAY_SIZE(rranges));
	s->rport_min = rranges[k][0];
	s->rport_max = rranges[k][1];
}

static void pool_flow(struct rnd_state *r, struct kipsec_flow *f)
{
	static const u16 ports[] = { 0, 22, 80, 443, 1023, 1024, 5000, PMAX };
	static const u8 protos[] = { TCP, TCP, UDP, ICMP, SCTP };

	memset(f, 0, sizeof(*f));
	f->family = rnd(r, 2) ? AF_INET : AF_INET6;
	pool_addr(r, f->family, &f->local);
	pool_addr(r, f->family, &f->remote);
	f->proto = protos[rnd(r, ARRAY_SIZE(protos))];
	f->ports = model_has_ports(f->proto);
	if (f->ports) {
		f->lport = ports[rnd(r, ARRAY_SIZE(ports))];
		f->rport = ports[rnd(r, ARRAY_SIZE(ports))];
	}
}

static void selector_random_most_specific(struct kunit *test)
{
	unsigned int round, i, j, multi = 0, matched = 0;
	struct kipsec_selector *sel;
	const char *msg;
	struct rnd_state r;
	int order[ORDER_SELS];

	sel = kunit_kcalloc(test, ORDER_SELS, sizeof(*sel), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sel);
	kunit_info(test, "seed %#llx", SEL_SEED + 2);
	prandom_seed_state(&r, SEL_SEED + 2);
	for (round = 0; round < ORDER_ROUNDS; round++) {
		for (i = 0; i < ORDER_SELS; i++) {
			pool_selector(&r, &sel[i]);
			msg = kipsec_selector_validate(&sel[i], NULL);
			KUNIT_ASSERT_NULL(test, msg);
		}
		for (i = 0; i < ORDER_SELS; i++) {
			for (j = 0; j < ORDER_SELS; j++) {
				int got = kipsec_selector_cmp(&sel[i], &sel[j]);

				KUNIT_ASSERT_EQ_MSG(test, cmp_sign(got),
						    naive_cmp(&sel[i], &sel[j]),
						    "round %u: %u vs %u",
						    round, i, j);
			}
		}

		/* Insertion sort: stable, as an SA list keeps its order. */
		for (i = 0; i < ORDER_SELS; i++) {
			int k = (int)i - 1, x = i;

			for (; k >= 0 && kipsec_selector_cmp(&sel[order[k]],
							     &sel[x]) > 0; k--)
				order[k + 1] = order[k];
			order[k + 1] = x;
		}
		for (i = 1; i < ORDER_SELS; i++)
			KUNIT_ASSERT_LE(test, naive_cmp(&sel[order[i - 1]],
							&sel[order[i]]), 0);

		for (j = 0; j < ORDER_FLOWS; j++) {
			int first = -1, best = -1, n = 0;
			struct kipsec_flow f;

			if (rnd(&r, 2))
				pool_flow(&r, &f);
			else
				rand_flow(&r, &sel[rnd(&r, ORDER_SELS)], &f);
			for (i = 0; i < ORDER_SELS; i++) {
				if (kipsec_selector_match(&sel[order[i]], &f)) {
					first = order[i];
					break;
				}
			}
			for (i = 0; i < ORDER_SELS; i++) {
				if (!ref_match(&sel[i], &f))
					continue;
				n++;
				if (best < 0 ||
				    naive_cmp(&sel[i], &sel[best]) < 0)
					best = i;
			}
			if (first != best) {
				flow_info(test, "flow", &f);
				if (first >= 0)
					sel_info(test, "first", &sel[first]);
				if (best >= 0)
					sel_info(test, "best", &sel[best]);
				KUNIT_FAIL(test, "round %u flow %u: first %d, best %d",
					   round, j, first, best);
				return;
			}
			matched += n > 0;
			multi += n > 1;
		}
	}
	kunit_info(test, "%u flows: %u matched, %u matched several selectors",
		   ORDER_ROUNDS * ORDER_FLOWS, matched, multi);
	KUNIT_EXPECT_GT(test, multi, ORDER_ROUNDS * ORDER_FLOWS / 10U);
}

static struct kunit_case selector_test_cases[] = {
	KUNIT_CASE_PARAM(selector_match_table, match_cases_gen_params),
	KUNIT_CASE_PARAM(selector_cmp_table, cmp_cases_gen_params),
	KUNIT_CASE_PARAM(selector_validate_table, validate_cases_gen_params),
	KUNIT_CASE(selector_any),
	KUNIT_CASE(selector_random_match),
	KUNIT_CASE(selector_random_parse),
	KUNIT_CASE(selector_random_most_specific),
	{}
};

static struct kunit_suite selector_test_suite = {
	.name = "kipsec_selector",
	.test_cases = selector_test_cases,
};

kunit_test_suite(selector_test_suite);
