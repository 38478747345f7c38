/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: proxy IDs (traffic selectors, RFC 4301 section 4.4.1.1) of SAs,
 * and the selector-relevant fields of inner packets.
 *
 * Both are seen from the tunnel's point of view, whatever the direction:
 * "local" is the inner source of outbound packets and the inner destination
 * of inbound ones, "remote" the other end.
 *
 * Ports are those of TCP, UDP, UDP-Lite, SCTP and DCCP. Every other protocol
 * (ICMP and ICMPv6 included: their type and code are not taken for ports,
 * unlike RFC 4301 section 4.4.1.3), non-first fragments, and packets cut
 * short before their ports, have no ports: a selector matches them only if
 * both of its port ranges are the whole 0-65535.
 */
#ifndef _KIPSEC_SELECTOR_H
#define _KIPSEC_SELECTOR_H

#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/types.h>

struct sk_buff;

#define KIPSEC_PORT_MAX	65535

union kipsec_inaddr {
	__be32 ip4;
	struct in6_addr ip6;
};

/**
 * struct kipsec_selector - the proxy ID of an SA
 * @family:     AF_INET or AF_INET6, for both prefixes; AF_UNSPEC for any
 *              address of either family (both prefix lengths are then 0).
 * @proto:      IP protocol (after IPv6 extension headers); 0 for any.
 * @local_len:  prefix length of @local.
 * @remote_len: prefix length of @remote.
 * @local:      local prefix. Bits past @local_len, and for AF_INET the
 *              bytes of the union past @local.ip4, are zero once
 *              kipsec_selector_validate() accepted the selector.
 * @remote:     remote prefix, likewise.
 * @lport_min:  local port range, host order, inclusive.
 * @lport_max:  end of the local port range.
 * @rport_min:  remote port range, host order, inclusive.
 * @rport_max:  end of the remote port range.
 *
 * Fill it from the request (or with kipsec_selector_set_any() for the
 * default), then have kipsec_selector_validate() check and mask it before
 * any other function of this file sees it.
 */
struct kipsec_selector {
	u8 family;
	u8 proto;
	u8 local_len;
	u8 remote_len;
	union kipsec_inaddr local;
	union kipsec_inaddr remote;
	u16 lport_min;
	u16 lport_max;
	u16 rport_min;
	u16 rport_max;
};

/**
 * struct kipsec_flow - the selector-relevant fields of one inner packet
 * @family: AF_INET or AF_INET6.
 * @proto:  IP protocol: for IPv6 the header after the extension headers;
 *          for an IPv6 non-first fragment the next header of its fragment
 *          header; NEXTHDR_NONE when the chain of extension headers ends
 *          without one or is cut short.
 * @local:  local address (the unused bytes of the union are zero).
 * @remote: remote address.
 * @lport:  local port, host order; 0 unless @ports.
 * @rport:  remote port, host order; 0 unless @ports.
 * @ports:  the packet has ports: TCP, UDP, UDP-Lite, SCTP or DCCP, not a
 *          non-first fragment, and long enough to hold them.
 */
struct kipsec_flow {
	u8 family;
	u8 proto;
	bool ports;
	union kipsec_inaddr local;
	union kipsec_inaddr remote;
	u16 lport;
	u16 rport;
};

/* The part of a selector that kipsec_selector_validate() rejected. */
enum kipsec_selector_field {
	KIPSEC_SELECTOR_FAMILY,
	KIPSEC_SELECTOR_LOCAL_LEN,
	KIPSEC_SELECTOR_REMOTE_LEN,
	KIPSEC_SELECTOR_LPORT,
	KIPSEC_SELECTOR_RPORT,
};

/* The default proxy ID: any address, any protocol, any port. */
static inline void kipsec_selector_set_any(struct kipsec_selector *s)
{
	memset(s, 0, sizeof(*s));
	s->family = AF_UNSPEC;
	s->lport_max = KIPSEC_PORT_MAX;
	s->rport_max = KIPSEC_PORT_MAX;
}

/**
 * kipsec_selector_validate() - check a proxy ID and bring it to canonical form
 * @s:     the selector, as filled from a request.
 * @field: if not NULL, set to the part at fault when the selector is refused.
 *
 * Refuses an unknown family, a prefix length longer than the family's
 * addresses (any length but 0 with AF_UNSPEC), and a port range that ends
 * before it starts. Otherwise clears the host bits of both prefixes, and the
 * bytes of the address unions that their family does not use, so that
 * kipsec_selector_equal() may compare selectors whole.
 *
 * Return: NULL when @s is valid, or a static message for the netlink
 * extended ack. It is not a literal, so it cannot go through
 * NL_SET_ERR_MSG(): set extack->_msg to it, and point NL_SET_BAD_ATTR() at
 * the attribute that carried @field.
 */
const char *kipsec_selector_validate(struct kipsec_selector *s,
				     enum kipsec_selector_field *field);

/**
 * kipsec_flow_parse() - read the selector-relevant fields of an inner packet
 * @skb:      the packet; its data need not be linear.
 * @nhoff:    offset of the inner IPv4 or IPv6 header from skb->data.
 * @outbound: the point of view: true for a packet about to be sent into the
 *            tunnel (local is its source), false for one that came out of it
 *            (local is its destination).
 * @f:        the result.
 *
 * The version nibble tells IPv4 from IPv6. IPv6 extension headers are
 * skipped up to the upper-layer header. Ports are read only within the
 * packet's own length (IPv4 total length, IPv6 payload length, unless that
 * is 0 as in jumbograms and big GSO packets) and within the skb.
 *
 * Return: 0, or -EINVAL if there is no valid IPv4 or IPv6 header at @nhoff:
 * a wrong version, an IPv4 header length under 20 bytes or over the total
 * length, or a header longer than what the skb holds. A packet cut short
 * after its IP header is not an error: it only lacks ports, or for IPv6
 * cut inside its extension headers, its protocol (NEXTHDR_NONE).
 */
int kipsec_flow_parse(const struct sk_buff *skb, unsigned int nhoff,
		      bool outbound, struct kipsec_flow *f);

/**
 * kipsec_selector_match() - whether a packet falls within a proxy ID
 * @s: a validated selector.
 * @f: the packet, parsed from the same point of view.
 *
 * The family must be equal unless @s has AF_UNSPEC; both addresses within
 * their prefixes; the protocol equal unless @s has 0; the ports within both
 * ranges, and a packet without ports matches only full ranges. Per-packet
 * cost: a few compares, no allocation.
 *
 * Return: true if @f matches @s.
 */
bool kipsec_selector_match(const struct kipsec_selector *s,
			   const struct kipsec_flow *f);

/**
 * kipsec_selector_cmp() - order two proxy IDs by specificity
 * @a: a validated selector.
 * @b: another one.
 *
 * The keys, the first difference deciding:
 *
 * 1. a selector of one family comes before AF_UNSPEC;
 * 2. the longer remote prefix first (the remote address is the packet's
 *    destination on the way out: the most specific route wins, as in a
 *    routing table);
 * 3. the longer local prefix first;
 * 4. a given protocol before any protocol;
 * 5. the narrower remote port range first (fewer ports);
 * 6. the narrower local port range first.
 *
 * Prefix lengths compare as numbers even across families, so that the order
 * is total; it matters only between selectors that can match the same
 * packet. Selectors equal in all six keys compare equal even if they
 * differ (other addresses, another protocol), and keep the order in which
 * they were inserted into a list sorted stably.
 *
 * Return: < 0 if @a is more specific than @b, > 0 if less, 0 if neither, so
 * that an ascending sort puts the most specific selector first and the
 * first match in such a list is the most specific match.
 */
int kipsec_selector_cmp(const struct kipsec_selector *a,
			const struct kipsec_selector *b);

/**
 * kipsec_selector_equal() - whether two validated proxy IDs are the same
 * @a: a validated selector.
 * @b: another one.
 *
 * Return: true if every field is equal.
 */
bool kipsec_selector_equal(const struct kipsec_selector *a,
			   const struct kipsec_selector *b);

#endif /* _KIPSEC_SELECTOR_H */
