// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd engine: the pieces of diagnostics. Proposals are written as the
 * words of kipsecd.conf(5) (aes256-sha256-modp2048, g14-esp-aes256-sha256)
 * whatever side they come from, so our value and the peer's can be compared
 * by eye; proxy IDs as "LOCAL <-> REMOTE" seen from here. The sentences
 * themselves are the D_* formats in engine_int.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

static void cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const char *notify_name(uint16_t type, char *buf, size_t len)
{
	static const struct { uint16_t t; const char *n; } names[] = {
		{ IKE_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
		{ IKE_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
		{ IKE_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
		{ IKE_N_INVALID_COOKIE, "INVALID-COOKIE" },
		{ IKE_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
		{ IKE_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
		{ IKE_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
		{ IKE_N_INVALID_FLAGS, "INVALID-FLAGS" },
		{ IKE_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
		{ IKE_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
		{ IKE_N_INVALID_SPI, "INVALID-SPI" },
		{ IKE_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
		{ IKE_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
		{ IKE_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
		{ IKE_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
		{ IKE_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
		{ IKE_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
		{ IKE_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
		{ IKE_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
		{ IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
		{ IKE_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
		{ IKE_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
		{ IKE_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
		{ IKE_N_CONNECTED, "CONNECTED" },
		{ IKE_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
		{ IKE_N_REPLAY_STATUS, "REPLAY-STATUS" },
		{ IKE_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
		{ IKE_N_R_U_THERE, "R-U-THERE" },
		{ IKE_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type) {
			snprintf(buf, len, "%s", names[i].n);
			return buf;
		}
	snprintf(buf, len, "notification %u", type);
	return buf;
}

void diag_p1_transform(const struct ike_transform *tr, char *buf, size_t len)
{
	uint64_t enc = 0, bits = 0, hash = 0, auth = 0, group = 0, v;
	const struct kipsecd_ike_cipher *c;
	const struct kipsecd_ike_hash *h;
	const struct kipsecd_dh_group *g;

	for (unsigned i = 0; i < tr->nattrs; i++) {
		if (!ike_attr_u64(&tr->attrs[i], &v))
			continue;
		switch (tr->attrs[i].type) {
		case IKE_ATTR_ENC_ALG: enc = v; break;
		case IKE_ATTR_KEY_LENGTH: bits = v; break;
		case IKE_ATTR_HASH_ALG: hash = v; break;
		case IKE_ATTR_AUTH_METHOD: auth = v; break;
		case IKE_ATTR_GROUP_DESC: group = v; break;
		}
	}
	c = enc <= 0xffff && bits <= 0xffff ?
	    kipsecd_ike_cipher_by_id((uint16_t)enc, (uint16_t)bits) : NULL;
	h = hash <= 0xffff ? kipsecd_ike_hash_by_id((uint16_t)hash) : NULL;
	g = group <= 0xffff ? kipsecd_dh_group_by_id((uint16_t)group) : NULL;
	buf[0] = 0;
	if (c)
		cat(buf, len, "%s", c->name);
	else if (bits)
		cat(buf, len, "enc%llu/%llu", (unsigned long long)enc, (unsigned long long)bits);
	else
		cat(buf, len, "enc%llu", (unsigned long long)enc);
	if (h)
		cat(buf, len, "-%s", h->name);
	else
		cat(buf, len, "-hash%llu", (unsigned long long)hash);
	if (g)
		cat(buf, len, "-%s", g->name);
	else
		cat(buf, len, "-group%llu", (unsigned long long)group);
	if (auth != IKE_AUTH_PSK)
		cat(buf, len, " (auth method %llu, not psk)", (unsigned long long)auth);
}

void diag_p1_offer(const struct ike_sa_pl *sa, char *buf, size_t len)
{
	char one[96];
	bool any = false;

	buf[0] = 0;
	for (unsigned i = 0; i < sa->nprops; i++) {
		if (sa->props[i].proto != IKE_PROTO_ISAKMP)
			continue;
		for (unsigned j = 0; j < sa->props[i].ntrans; j++) {
			diag_p1_transform(&sa->props[i].trans[j], one, sizeof(one));
			cat(buf, len, "%s%s", any ? ", " : "", one);
			any = true;
		}
	}
	if (!any)
		cat(buf, len, "nothing for ISAKMP");
}

void diag_p1_ours(const struct kipsecd_tunnel *t, char *buf, size_t len)
{
	char one[KIPSECD_PROPOSAL_NAME_MAX];

	buf[0] = 0;
	for (size_t i = 0; i < t->n_ike; i++)
		cat(buf, len, "%s%s", i ? ", " : "", kipsecd_p1_name(&t->ike[i], one, sizeof(one)));
}

static void p2_word(const struct p2_offer *o, char *buf, size_t len)
{
	const struct kipsecd_esp_cipher *c;
	const struct kipsecd_p2_auth *a;

	buf[0] = 0;
	if (o->group)
		cat(buf, len, "g%u", o->group);
	else
		cat(buf, len, "nopfs");
	if (o->proto == IKE_PROTO_AH) {
		a = kipsecd_p2_auth_by_ah(o->transform);
		if (a)
			cat(buf, len, "-ah-%s", a->name);
		else
			cat(buf, len, "-ah-transform%u", o->transform);
	} else if (o->proto == IKE_PROTO_ESP) {
		c = kipsecd_esp_cipher_by_id(o->transform, o->keybits);
		if (c)
			cat(buf, len, "-esp-%s", c->name);
		else if (o->keybits)
			cat(buf, len, "-esp-transform%u/%u", o->transform, o->keybits);
		else
			cat(buf, len, "-esp-transform%u", o->transform);
		if (o->auth) {
			a = kipsecd_p2_auth_by_alg(o->auth);
			if (a)
				cat(buf, len, "-%s", a->name);
			else
				cat(buf, len, "-auth%u", o->auth);
		}
	} else {
		cat(buf, len, "-protocol%u", o->proto);
	}
	if (o->encap != IPSEC_ENCAP_TUNNEL)
		cat(buf, len, o->encap == IPSEC_ENCAP_TRANSPORT ? " transport mode" :
			      " encapsulation %u", o->encap);
	if (o->esn)
		cat(buf, len, " esn");
	if (o->other)
		cat(buf, len, " (unknown attributes)");
}

void diag_p2_proposal(const struct ike_proposal *p, char *buf, size_t len)
{
	struct p2_offer o;
	char one[96];

	buf[0] = 0;
	for (unsigned j = 0; j < p->ntrans; j++) {
		p2_offer_parse(p->proto, &p->trans[j], &o);
		p2_word(&o, one, sizeof(one));
		cat(buf, len, "%s%s", j ? ", " : "", one);
	}
}

void diag_p2_offer(const struct ike_sa_pl *sa, char *buf, size_t len)
{
	char one[256];

	buf[0] = 0;
	for (unsigned i = 0; i < sa->nprops; i++) {
		diag_p2_proposal(&sa->props[i], one, sizeof(one));
		cat(buf, len, "%s%s", i ? ", " : "", one);
	}
	if (!sa->nprops)
		cat(buf, len, "nothing");
}

void diag_p2_ours(const struct kipsecd_tunnel *t, char *buf, size_t len)
{
	char one[KIPSECD_PROPOSAL_NAME_MAX];

	buf[0] = 0;
	for (size_t i = 0; i < t->n_ipsec; i++)
		cat(buf, len, "%s%s", i ? ", " : "", kipsecd_p2_name(&t->ipsec[i], one, sizeof(one)));
}

const char *proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_GRE: return "gre";
	case IPPROTO_ICMPV6: return "ipv6-icmp";
	case IPPROTO_SCTP: return "sctp";
	}
	return NULL;
}

static int prefix_len(const uint8_t *mask, size_t n)
{
	int bits = 0;
	size_t i = 0;

	for (; i < n && mask[i] == 0xff; i++)
		bits += 8;
	if (i < n) {
		uint8_t m = mask[i];

		while (m & 0x80) {
			bits++;
			m = (uint8_t)(m << 1);
		}
		if (m)
			return -1;
		for (i++; i < n; i++)
			if (mask[i])
				return -1;
	}
	return bits;
}

static void id_str(const struct ike_id *id, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = id->family == 4 ? AF_INET : AF_INET6;
	size_t n = id->family == 4 ? 4 : 16;
	const char *pn;
	int pl;

	buf[0] = 0;
	if (!id->family) {
		char tmp[300];

		cat(buf, len, "%s", diag_p1_id(id, tmp, sizeof(tmp)));
		return;
	}
	inet_ntop(af, id->addr, a, sizeof(a));
	inet_ntop(af, id->addr2, b, sizeof(b));
	switch (id->type) {
	case IKE_ID_IPV4_ADDR_SUBNET:
	case IKE_ID_IPV6_ADDR_SUBNET:
		pl = prefix_len(id->addr2, n);
		if (pl >= 0)
			cat(buf, len, "%s/%d", a, pl);
		else
			cat(buf, len, "%s/%s", a, b);
		break;
	case IKE_ID_IPV4_ADDR_RANGE:
	case IKE_ID_IPV6_ADDR_RANGE:
		cat(buf, len, "%s-%s", a, b);
		break;
	default:
		cat(buf, len, "%s", a);
	}
	if (id->proto || id->port) {
		pn = proto_name(id->proto);
		if (!id->proto)
			cat(buf, len, "[any");
		else if (pn)
			cat(buf, len, "[%s", pn);
		else
			cat(buf, len, "[proto %u", id->proto);
		if (id->port)
			cat(buf, len, "/%u", id->port);
		cat(buf, len, "]");
	}
}

void diag_id_pair(const struct ike_id *local, const struct ike_id *remote,
		  char *buf, size_t len)
{
	char l[128], r[128];

	id_str(local, l, sizeof(l));
	id_str(remote, r, sizeof(r));
	snprintf(buf, len, "%s <-> %s", l, r);
}

void diag_proxy(const struct kipsecd_tunnel *t, size_t pidx, char *buf, size_t len)
{
	struct ike_id l, r;

	proxy_to_ids(t, pidx, true, &l, &r);
	diag_id_pair(&l, &r, buf, len);
}

void diag_proxies(const struct kipsecd_tunnel *t, char *buf, size_t len)
{
	char one[300];

	buf[0] = 0;
	for (size_t i = 0; i < t->n_proxy_ids; i++) {
		diag_proxy(t, i, one, sizeof(one));
		cat(buf, len, "%s%s", i ? ", " : "", one);
	}
}

const char *diag_p1_id(const struct ike_id *id, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], txt[260];
	size_t n = id->len < 255 ? id->len : 255;

	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		inet_ntop(id->family == 4 ? AF_INET : AF_INET6, id->addr, a, sizeof(a));
		snprintf(buf, len, "%s", a);
		return buf;
	case IKE_ID_FQDN:
	case IKE_ID_USER_FQDN:
		/* hostile text: printable ASCII only */
		for (size_t i = 0; i < n; i++)
			txt[i] = id->data[i] >= 0x20 && id->data[i] < 0x7f ? (char)id->data[i] : '?';
		txt[n] = 0;
		snprintf(buf, len, "%s:%s", id->type == IKE_ID_FQDN ? "fqdn" : "user-fqdn", txt);
		return buf;
	}
	snprintf(buf, len, "ID type %u", id->type);
	return buf;
}
