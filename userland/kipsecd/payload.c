// SPDX-License-Identifier: GPL-2.0
/*
 * ISAKMP message codec: strict decoding of untrusted messages and a
 * builder that links and sizes payloads (see payload.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "payload.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

const char *ike_payload_name(uint8_t type)
{
	switch (type) {
	case IKE_PL_NONE: return "none";
	case IKE_PL_SA: return "SA";
	case IKE_PL_P: return "Proposal";
	case IKE_PL_T: return "Transform";
	case IKE_PL_KE: return "KE";
	case IKE_PL_ID: return "ID";
	case IKE_PL_CERT: return "CERT";
	case IKE_PL_CR: return "CR";
	case IKE_PL_HASH: return "HASH";
	case IKE_PL_SIG: return "SIG";
	case IKE_PL_NONCE: return "Nonce";
	case IKE_PL_N: return "Notification";
	case IKE_PL_D: return "Delete";
	case IKE_PL_VID: return "Vendor ID";
	case IKE_PL_NAT_D: return "NAT-D";
	case IKE_PL_NAT_OA: return "NAT-OA";
	default: return "unknown";
	}
}

uint16_t ike_perr_notify(enum ike_perr e)
{
	switch (e) {
	case IKE_PERR_TRUNCATED:
	case IKE_PERR_MALFORMED:
	case IKE_PERR_TOO_MANY:
		return IKE_N_PAYLOAD_MALFORMED;
	case IKE_PERR_VERSION:
		return IKE_N_INVALID_MAJOR_VERSION;
	case IKE_PERR_PAYLOAD_TYPE:
		return IKE_N_INVALID_PAYLOAD_TYPE;
	case IKE_PERR_DOI:
		return IKE_N_DOI_NOT_SUPPORTED;
	case IKE_PERR_SITUATION:
		return IKE_N_SITUATION_NOT_SUPPORTED;
	case IKE_PERR_PROPOSAL_SYNTAX:
		return IKE_N_BAD_PROPOSAL_SYNTAX;
	case IKE_PERR_ID:
		return IKE_N_INVALID_ID_INFORMATION;
	default:
		return 0;
	}
}

/* The reason for a failure: "<ctx><formatted message>". */
static enum ike_perr fail(char *err, size_t errlen, const char *ctx,
			  enum ike_perr e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum ike_perr fail(char *err, size_t errlen, const char *ctx,
			  enum ike_perr e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return e;
	n = snprintf(err, errlen, "%s", ctx);
	if (n < 0 || (size_t)n >= errlen)
		return e;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return e;
}

enum ike_perr ike_decode_header(const uint8_t *buf, size_t len,
				struct ike_hdr *hdr, char *err, size_t errlen)
{
	if (len < IKE_HDR_LEN)
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_TRUNCATED,
			    "message of %zu bytes is shorter than the %d-byte header",
			    len, IKE_HDR_LEN);
	memcpy(hdr->icookie, buf, IKE_COOKIE_LEN);
	memcpy(hdr->rcookie, buf + 8, IKE_COOKIE_LEN);
	hdr->np = buf[16];
	hdr->version = buf[17];
	hdr->exchange = buf[18];
	hdr->flags = buf[19];
	hdr->msgid = get32(buf + 20);
	hdr->length = get32(buf + 24);
	if (hdr->version >> 4 != IKE_MAJOR_VERSION)
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_VERSION,
			    "major version %u is not 1", hdr->version >> 4);
	if (hdr->length < IKE_HDR_LEN || hdr->length > IKE_MAX_MSG_LEN)
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_MALFORMED,
			    "length %u outside %d..%d", hdr->length, IKE_HDR_LEN,
			    IKE_MAX_MSG_LEN);
	if (hdr->length > len)
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_TRUNCATED,
			    "length %u runs past the %zu bytes received",
			    hdr->length, len);
	if (hdr->length != len)
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_MALFORMED,
			    "length %u but %zu bytes received", hdr->length, len);
	if (hdr->flags & ~(IKE_FLAG_ENC | IKE_FLAG_COMMIT | IKE_FLAG_AUTH_ONLY))
		return fail(err, errlen, "ISAKMP header: ", IKE_PERR_MALFORMED,
			    "unknown flags 0x%02x", hdr->flags);
	return IKE_PERR_OK;
}

/* Decoding state for one message. */
struct dec {
	struct ike_msg *msg;
	char *err;
	size_t errlen;
	char ctx[96];	/* "SA payload: proposal 1: transform 2: " */
};

/*
 * Whether an attribute type may appear more than once: only the life type
 * and duration, which come in pairs for seconds and kilobytes (RFC 2409
 * Appendix A, RFC 2407 4.5). Their numbers depend on the phase.
 */
static bool may_repeat(uint8_t proto, uint16_t type)
{
	if (proto == IKE_PROTO_ISAKMP)
		return type == IKE_ATTR_LIFE_TYPE || type == IKE_ATTR_LIFE_DURATION;
	return type == IPSEC_ATTR_LIFE_TYPE || type == IPSEC_ATTR_LIFE_DURATION;
}

/* Attributes filling p/rem exactly; where says what holds them, proto
 * whose attributes they are. */
static enum ike_perr attr_list(struct dec *d, struct ike_attr *out, unsigned max,
			       unsigned *count, const uint8_t *p, size_t rem,
			       const char *where, uint8_t proto)
{
	unsigned i = 0;

	*count = 0;
	while (rem > 0) {
		struct ike_attr *a;
		uint16_t type, v;

		i++;
		if (rem < 4)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "attribute %u: header needs 4 bytes (%zu left)",
				    i, rem);
		if (*count >= max)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_TOO_MANY,
				    "attribute %u: more than %u attributes", i, max);
		type = get16(p);
		v = get16(p + 2);
		a = &out[*count];
		memset(a, 0, sizeof(*a));
		a->type = type & IKE_ATTR_TYPE_MASK;
		a->tv = type & IKE_ATTR_FORM_TV;
		p += 4;
		rem -= 4;
		if (!a->type)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "attribute %u: type 0 is reserved", i);
		if (a->tv) {
			a->num = v;
		} else {
			if (v > rem)
				return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
					    "attribute %u: attribute length %u runs past the %s (%zu bytes left)",
					    i, v, where, rem);
			a->len = v;
			a->data = p;
			if (v <= 8)
				for (unsigned k = 0; k < v; k++)
					a->num = a->num << 8 | p[k];
			p += v;
			rem -= v;
		}
		for (unsigned k = 0; k < *count && !may_repeat(proto, a->type); k++)
			if (out[k].type == a->type)
				return fail(d->err, d->errlen, d->ctx,
					    IKE_PERR_PROPOSAL_SYNTAX,
					    "attribute %u: type %u repeats attribute %u",
					    i, a->type, k + 1);
		(*count)++;
	}
	return IKE_PERR_OK;
}

static enum ike_perr decode_attrs(struct dec *d, struct ike_transform *t,
				  uint8_t proto, const uint8_t *p, size_t rem)
{
	struct ike_msg *m = d->msg;
	enum ike_perr e;

	t->attrs = &m->attrs[m->nattrs];
	e = attr_list(d, t->attrs, IKE_MAX_ATTRS - m->nattrs, &t->nattrs, p, rem,
		      "transform", proto);
	if (e == IKE_PERR_TOO_MANY)
		fail(d->err, d->errlen, d->ctx, e,
		     "more than %d attributes in the message", IKE_MAX_ATTRS);
	m->nattrs += t->nattrs;
	return e;
}

enum ike_perr ike_decode_attr_list(const uint8_t *buf, size_t len,
				   uint8_t proto, struct ike_attr *out,
				   unsigned max, unsigned *n, const char *what,
				   char *err, size_t errlen)
{
	struct dec d = { .err = err, .errlen = errlen };

	snprintf(d.ctx, sizeof(d.ctx), "%s: ", what);
	return attr_list(&d, out, max, n, buf, len, "data", proto);
}

static enum ike_perr decode_transforms(struct dec *d, struct ike_proposal *pr,
				       unsigned declared, const uint8_t *p,
				       size_t rem, size_t ctxlen)
{
	struct ike_msg *m = d->msg;
	unsigned i = 0;
	uint8_t np = IKE_PL_T;
	enum ike_perr e;

	pr->trans = &m->trans[m->ntrans];
	pr->ntrans = 0;
	while (rem > 0) {
		struct ike_transform *t;
		uint16_t tlen;

		i++;
		d->ctx[ctxlen] = '\0';
		if (np != IKE_PL_T)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "%zu bytes after the last transform", rem);
		if (rem < 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_TRUNCATED,
				    "transform %u: header needs 8 bytes (%zu left)",
				    i, rem);
		np = p[0];
		tlen = get16(p + 2);
		if (np != IKE_PL_T && np != IKE_PL_NONE)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "transform %u: next payload %u is not a transform",
				    i, np);
		if (p[1])
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "transform %u: reserved byte is 0x%02x", i, p[1]);
		if (tlen < 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "transform %u: length %u is less than its 8-byte header",
				    i, tlen);
		if (tlen > rem)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "transform %u: length %u runs past the proposal (%zu bytes left)",
				    i, tlen, rem);
		if (m->ntrans >= IKE_MAX_TRANSFORMS)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_TOO_MANY,
				    "transform %u: more than %d transforms in the message",
				    i, IKE_MAX_TRANSFORMS);
		if (p[6] || p[7])
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "transform %u: reserved field is 0x%02x%02x", i,
				    p[6], p[7]);
		t = &m->trans[m->ntrans++];
		pr->ntrans++;
		t->num = p[4];
		t->id = p[5];
		t->raw = p;
		t->raw_len = tlen;
		snprintf(d->ctx + ctxlen, sizeof(d->ctx) - ctxlen, "transform %u: ", i);
		e = decode_attrs(d, t, pr->proto, p + 8, tlen - 8u);
		if (e)
			return e;
		p += tlen;
		rem -= tlen;
	}
	d->ctx[ctxlen] = '\0';
	if (np != IKE_PL_NONE)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
			    "transform %u says another transform follows, none does",
			    i);
	if (pr->ntrans != declared)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
			    "%u transforms declared, %u present", declared,
			    pr->ntrans);
	return IKE_PERR_OK;
}

static enum ike_perr decode_sa(struct dec *d, struct ike_sa_pl *sa,
			       const uint8_t *p, size_t rem)
{
	struct ike_msg *m = d->msg;
	unsigned i = 0;
	uint8_t np = IKE_PL_P;
	int last_num = -1;
	enum ike_perr e;

	if (rem < 8)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
			    "body of %zu bytes is shorter than DOI and situation (8)",
			    rem);
	sa->doi = get32(p);
	sa->situation = get32(p + 4);
	if (sa->doi != IKE_DOI_IPSEC)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_DOI,
			    "DOI %u is not IPsec (1)", sa->doi);
	if (sa->situation != IKE_SIT_IDENTITY_ONLY)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_SITUATION,
			    "situation 0x%x is not identity only (1)",
			    sa->situation);
	p += 8;
	rem -= 8;
	if (!rem)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
			    "no proposal");
	sa->props = &m->props[m->nprops];
	sa->nprops = 0;
	size_t base = strlen(d->ctx);

	while (rem > 0) {
		struct ike_proposal *pr;
		uint16_t plen;
		uint8_t spi_len;

		i++;
		d->ctx[base] = '\0';
		if (np != IKE_PL_P)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "%zu bytes after the last proposal", rem);
		if (rem < 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_TRUNCATED,
				    "proposal %u: header needs 8 bytes (%zu left)",
				    i, rem);
		np = p[0];
		plen = get16(p + 2);
		spi_len = p[6];
		if (np != IKE_PL_P && np != IKE_PL_NONE)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "proposal %u: next payload %u is not a proposal",
				    i, np);
		if (p[1])
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "proposal %u: reserved byte is 0x%02x", i, p[1]);
		if (plen > rem)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "proposal %u: length %u runs past the SA payload (%zu bytes left)",
				    i, plen, rem);
		if (spi_len > IKE_MAX_SPI_LEN)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "proposal %u: SPI size %u is over %d", i, spi_len,
				    IKE_MAX_SPI_LEN);
		if (plen < 8u + spi_len)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "proposal %u: length %u is less than its header and %u-byte SPI",
				    i, plen, spi_len);
		if ((int)p[4] < last_num)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "proposal %u: number %u after number %d",
				    i, p[4], last_num);
		if (!p[7])
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
				    "proposal %u: no transform", i);
		if (m->nprops >= IKE_MAX_PROPOSALS)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_TOO_MANY,
				    "proposal %u: more than %d proposals in the message",
				    i, IKE_MAX_PROPOSALS);
		last_num = p[4];
		pr = &m->props[m->nprops++];
		sa->nprops++;
		memset(pr, 0, sizeof(*pr));
		pr->num = p[4];
		pr->proto = p[5];
		pr->spi_len = spi_len;
		memcpy(pr->spi, p + 8, spi_len);
		snprintf(d->ctx + base, sizeof(d->ctx) - base, "proposal %u: ", i);
		e = decode_transforms(d, pr, p[7], p + 8 + spi_len,
				      plen - 8u - spi_len, strlen(d->ctx));
		if (e)
			return e;
		p += plen;
		rem -= plen;
	}
	d->ctx[base] = '\0';
	if (np != IKE_PL_NONE)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_PROPOSAL_SYNTAX,
			    "proposal %u says another proposal follows, none does",
			    i);
	return IKE_PERR_OK;
}

static enum ike_perr decode_id(struct dec *d, struct ike_id *id,
			       const uint8_t *p, size_t rem)
{
	size_t want = 0;

	memset(id, 0, sizeof(*id));
	if (rem < 4)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
			    "body of %zu bytes is shorter than type, protocol and port (4)",
			    rem);
	id->type = p[0];
	id->proto = p[1];
	id->port = get16(p + 2);
	id->data = p + 4;
	id->len = rem - 4;
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		want = 4;
		break;
	case IKE_ID_IPV4_ADDR_SUBNET:
	case IKE_ID_IPV4_ADDR_RANGE:
		want = 8;
		break;
	case IKE_ID_IPV6_ADDR:
		want = 16;
		break;
	case IKE_ID_IPV6_ADDR_SUBNET:
	case IKE_ID_IPV6_ADDR_RANGE:
		want = 32;
		break;
	case IKE_ID_FQDN:
	case IKE_ID_USER_FQDN:
		if (id->len < 1 || id->len > 255)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_ID,
				    "%s of %zu bytes outside 1..255",
				    id->type == IKE_ID_FQDN ? "FQDN" : "USER_FQDN",
				    id->len);
		if (memchr(id->data, 0, id->len))
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_ID,
				    "%s contains a NUL byte",
				    id->type == IKE_ID_FQDN ? "FQDN" : "USER_FQDN");
		return IKE_PERR_OK;
	case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN:
	case IKE_ID_KEY_ID:
		if (!id->len)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_ID,
				    "type %u with no data", id->type);
		return IKE_PERR_OK;
	default:
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_ID,
			    "unknown ID type %u", id->type);
	}
	if (id->len != want)
		return fail(d->err, d->errlen, d->ctx, IKE_PERR_ID,
			    "ID type %u needs %zu bytes of data, has %zu",
			    id->type, want, id->len);
	id->family = want == 4 || want == 8 ? 4 : 6;
	size_t alen = id->family == 4 ? 4 : 16;

	memcpy(id->addr, id->data, alen);
	if (want == 2 * alen)
		memcpy(id->addr2, id->data + alen, alen);
	return IKE_PERR_OK;
}

static enum ike_perr decode_payload(struct dec *d, struct ike_payload *pl)
{
	const uint8_t *p = pl->body;
	size_t rem = pl->body_len;

	switch (pl->type) {
	case IKE_PL_SA:
		return decode_sa(d, &pl->u.sa, p, rem);
	case IKE_PL_ID:
		return decode_id(d, &pl->u.id, p, rem);
	case IKE_PL_KE:
		if (rem < 1 || rem > IKE_MAX_KE_LEN)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "key exchange data of %zu bytes outside 1..%d",
				    rem, IKE_MAX_KE_LEN);
		break;
	case IKE_PL_HASH:
		if (rem < 1 || rem > IKE_MAX_HASH_LEN)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "hash data of %zu bytes outside 1..%d",
				    rem, IKE_MAX_HASH_LEN);
		break;
	case IKE_PL_NONCE:
		if (rem < IKE_NONCE_MIN || rem > IKE_NONCE_MAX)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "nonce of %zu bytes outside %d..%d", rem,
				    IKE_NONCE_MIN, IKE_NONCE_MAX);
		break;
	case IKE_PL_VID:
		if (rem < 1)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "empty vendor ID");
		break;
	case IKE_PL_CERT:
	case IKE_PL_CR:
	case IKE_PL_SIG:
	case IKE_PL_NAT_D:
	case IKE_PL_NAT_OA:
		break;
	case IKE_PL_N: {
		struct ike_notify *n = &pl->u.n;

		if (rem < 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "body of %zu bytes is shorter than its 8-byte header",
				    rem);
		n->doi = get32(p);
		n->proto = p[4];
		n->spi_len = p[5];
		n->type = get16(p + 6);
		if (n->spi_len > IKE_MAX_SPI_LEN)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "SPI size %u is over %d", n->spi_len,
				    IKE_MAX_SPI_LEN);
		if (n->spi_len > rem - 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "SPI size %u runs past the payload (%zu bytes left)",
				    n->spi_len, rem - 8);
		n->spi = p + 8;
		n->data = p + 8 + n->spi_len;
		n->data_len = rem - 8 - n->spi_len;
		return IKE_PERR_OK;
	}
	case IKE_PL_D: {
		struct ike_delete *dl = &pl->u.d;

		if (rem < 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "body of %zu bytes is shorter than its 8-byte header",
				    rem);
		dl->doi = get32(p);
		dl->proto = p[4];
		dl->spi_len = p[5];
		dl->nspis = get16(p + 6);
		dl->spis = p + 8;
		if (!dl->spi_len || dl->spi_len > IKE_MAX_SPI_LEN)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "SPI size %u outside 1..%d", dl->spi_len,
				    IKE_MAX_SPI_LEN);
		if (!dl->nspis || dl->nspis > IKE_MAX_DELETE_SPIS)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "number of SPIs %u outside 1..%d", dl->nspis,
				    IKE_MAX_DELETE_SPIS);
		if ((size_t)dl->nspis * dl->spi_len != rem - 8)
			return fail(d->err, d->errlen, d->ctx, IKE_PERR_MALFORMED,
				    "%u SPIs of %u bytes do not fill the %zu bytes left",
				    dl->nspis, dl->spi_len, rem - 8);
		return IKE_PERR_OK;
	}
	default:
		return fail(d->err, d->errlen, "", IKE_PERR_PAYLOAD_TYPE,
			    "unknown payload type %u", pl->type);
	}
	pl->u.data.data = p;
	pl->u.data.len = rem;
	return IKE_PERR_OK;
}

enum ike_perr ike_decode(const uint8_t *buf, size_t len, struct ike_msg *msg,
			 char *err, size_t errlen)
{
	struct dec d = { .msg = msg, .err = err, .errlen = errlen };
	enum ike_perr e;
	size_t off = IKE_HDR_LEN;
	uint8_t np, prev = IKE_PL_NONE;

	if (err && errlen)
		err[0] = '\0';
	msg->npayloads = msg->nprops = msg->ntrans = msg->nattrs = 0;
	msg->raw = buf;
	msg->raw_len = len;
	msg->pad_len = 0;
	e = ike_decode_header(buf, len, &msg->hdr, err, errlen);
	if (e)
		return e;
	np = msg->hdr.np;
	while (np != IKE_PL_NONE) {
		struct ike_payload *pl;
		size_t rem = len - off;
		uint16_t plen;

		snprintf(d.ctx, sizeof(d.ctx), "%s payload: ", ike_payload_name(np));
		if (np == IKE_PL_P || np == IKE_PL_T ||
		    !strcmp(ike_payload_name(np), "unknown"))
			return fail(err, errlen, "", IKE_PERR_PAYLOAD_TYPE,
				    "payload type %u after the %s %s", np,
				    prev ? ike_payload_name(prev) : "ISAKMP",
				    prev ? "payload" : "header");
		if (msg->npayloads >= IKE_MAX_PAYLOADS)
			return fail(err, errlen, d.ctx, IKE_PERR_TOO_MANY,
				    "more than %d payloads in the message",
				    IKE_MAX_PAYLOADS);
		if (rem < IKE_GENERIC_HDR_LEN)
			return fail(err, errlen, d.ctx, IKE_PERR_TRUNCATED,
				    "generic header needs 4 bytes (%zu left in the message)",
				    rem);
		plen = get16(buf + off + 2);
		if (buf[off + 1])
			return fail(err, errlen, d.ctx, IKE_PERR_MALFORMED,
				    "reserved byte is 0x%02x", buf[off + 1]);
		if (plen < IKE_GENERIC_HDR_LEN)
			return fail(err, errlen, d.ctx, IKE_PERR_MALFORMED,
				    "length %u is less than the 4-byte generic header",
				    plen);
		if (plen > rem)
			return fail(err, errlen, d.ctx, IKE_PERR_TRUNCATED,
				    "length %u runs past the message (%zu bytes left)",
				    plen, rem);
		pl = &msg->pl[msg->npayloads];
		memset(pl, 0, sizeof(*pl));
		pl->type = np;
		pl->offset = off;
		pl->raw = buf + off;
		pl->raw_len = plen;
		pl->body = buf + off + IKE_GENERIC_HDR_LEN;
		pl->body_len = plen - IKE_GENERIC_HDR_LEN;
		e = decode_payload(&d, pl);
		if (e)
			return e;
		msg->npayloads++;
		prev = np;
		np = buf[off];
		off += plen;
	}
	if (off < len) {
		if (!(msg->hdr.flags & IKE_FLAG_ENC))
			return fail(err, errlen, "", IKE_PERR_MALFORMED,
				    "%zu bytes after the last payload (%s) of an unencrypted message",
				    len - off, prev ? ike_payload_name(prev) : "none");
		msg->pad_len = len - off;
	}
	return IKE_PERR_OK;
}

const struct ike_payload *ike_msg_find(const struct ike_msg *msg, uint8_t type,
				       unsigned nth)
{
	for (unsigned i = 0; i < msg->npayloads; i++)
		if (msg->pl[i].type == type && nth-- == 0)
			return &msg->pl[i];
	return NULL;
}

const struct ike_attr *ike_attr_find(const struct ike_transform *t, uint16_t type)
{
	for (unsigned i = 0; i < t->nattrs; i++)
		if (t->attrs[i].type == type)
			return &t->attrs[i];
	return NULL;
}

bool ike_attr_u64(const struct ike_attr *a, uint64_t *v)
{
	if (!a->tv && a->len > 8)
		return false;
	*v = a->num;
	return true;
}

struct ike_attr ike_attr_basic(uint16_t type, uint16_t value)
{
	return (struct ike_attr){ .type = type, .tv = true, .num = value };
}

struct ike_attr ike_attr_var(uint16_t type, uint64_t value)
{
	return (struct ike_attr){ .type = type, .len = value >> 32 ? 8 : 4,
				  .num = value };
}

struct ike_attr ike_attr_auto(uint16_t type, uint64_t value)
{
	return value <= 0xffff ? ike_attr_basic(type, (uint16_t)value) :
				 ike_attr_var(type, value);
}

/* Builder. */

void ike_buf_init(struct ike_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void ike_buf_free(struct ike_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	ike_buf_init(b);
}

static bool buf_reserve(struct ike_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return false;
	if (n > IKE_MAX_MSG_LEN || b->len > IKE_MAX_MSG_LEN - n) {
		b->failed = true;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	p = malloc(cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (b->data) {
		memcpy(p, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool ike_buf_append(struct ike_buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return false;
	if (p)
		memcpy(b->data + b->len, p, n);
	else
		memset(b->data + b->len, 0, n);
	b->len += n;
	return true;
}

static bool app8(struct ike_buf *b, uint8_t v)
{
	return ike_buf_append(b, &v, 1);
}

static bool app16(struct ike_buf *b, uint16_t v)
{
	uint8_t p[2];

	put16(p, v);
	return ike_buf_append(b, p, 2);
}

static bool app32(struct ike_buf *b, uint32_t v)
{
	uint8_t p[4];

	put32(p, v);
	return ike_buf_append(b, p, 4);
}

void ike_build_begin(struct ike_builder *b, const struct ike_hdr *hdr)
{
	ike_buf_init(&b->buf);
	ike_buf_append(&b->buf, hdr->icookie, IKE_COOKIE_LEN);
	ike_buf_append(&b->buf, hdr->rcookie, IKE_COOKIE_LEN);
	app8(&b->buf, IKE_PL_NONE);
	app8(&b->buf, hdr->version ? hdr->version : IKE_VERSION);
	app8(&b->buf, hdr->exchange);
	app8(&b->buf, hdr->flags);
	app32(&b->buf, hdr->msgid);
	app32(&b->buf, 0);
	b->np_off = 16;
}

/* Links a new payload into the chain and writes its generic header. */
static size_t pl_start(struct ike_builder *b, uint8_t type)
{
	size_t off = b->buf.len;

	if (!app8(&b->buf, IKE_PL_NONE) || !app8(&b->buf, 0) ||
	    !app16(&b->buf, 0))
		return (size_t)-1;
	b->buf.data[b->np_off] = type;
	b->np_off = off;
	return off;
}

/* Patches the length of the structure at off; its length field is at +2. */
static size_t patch_len(struct ike_builder *b, size_t off)
{
	size_t n;

	if (b->buf.failed || off == (size_t)-1)
		return (size_t)-1;
	n = b->buf.len - off;
	if (n > 0xffff) {
		b->buf.failed = true;
		return (size_t)-1;
	}
	put16(b->buf.data + off + 2, (uint16_t)n);
	return off;
}

static void build_fail(struct ike_builder *b)
{
	b->buf.failed = true;
}

bool ike_buf_append_attr(struct ike_buf *b, const struct ike_attr *a)
{
	if (!a->type || a->type & IKE_ATTR_FORM_TV ||
	    (a->tv && a->num > 0xffff) || (!a->tv && !a->data && a->len > 8)) {
		b->failed = true;
		return false;
	}
	if (a->tv)
		return app16(b, a->type | IKE_ATTR_FORM_TV) &&
		       app16(b, (uint16_t)a->num);
	if (!app16(b, a->type) || !app16(b, a->len))
		return false;
	if (a->data)
		return ike_buf_append(b, a->data, a->len);
	for (int k = a->len - 1; k >= 0; k--)
		if (!app8(b, (uint8_t)(a->num >> (8 * k))))
			return false;
	return true;
}

static void build_attr(struct ike_builder *b, const struct ike_attr *a)
{
	ike_buf_append_attr(&b->buf, a);
}

size_t ike_build_sa(struct ike_builder *b, const struct ike_sa_pl *sa)
{
	size_t off = pl_start(b, IKE_PL_SA);

	app32(&b->buf, sa->doi);
	app32(&b->buf, sa->situation);
	if (!sa->nprops)
		build_fail(b);
	for (unsigned i = 0; i < sa->nprops; i++) {
		const struct ike_proposal *pr = &sa->props[i];
		size_t poff = b->buf.len;

		if (pr->spi_len > IKE_MAX_SPI_LEN || !pr->ntrans ||
		    pr->ntrans > 255) {
			build_fail(b);
			break;
		}
		app8(&b->buf, i + 1 < sa->nprops ? IKE_PL_P : IKE_PL_NONE);
		app8(&b->buf, 0);
		app16(&b->buf, 0);
		app8(&b->buf, pr->num);
		app8(&b->buf, pr->proto);
		app8(&b->buf, pr->spi_len);
		app8(&b->buf, (uint8_t)pr->ntrans);
		ike_buf_append(&b->buf, pr->spi, pr->spi_len);
		for (unsigned j = 0; j < pr->ntrans; j++) {
			const struct ike_transform *t = &pr->trans[j];
			size_t toff = b->buf.len;

			app8(&b->buf, j + 1 < pr->ntrans ? IKE_PL_T : IKE_PL_NONE);
			app8(&b->buf, 0);
			app16(&b->buf, 0);
			app8(&b->buf, t->num);
			app8(&b->buf, t->id);
			app16(&b->buf, 0);
			for (unsigned k = 0; k < t->nattrs; k++)
				build_attr(b, &t->attrs[k]);
			patch_len(b, toff);
		}
		patch_len(b, poff);
	}
	return patch_len(b, off);
}

size_t ike_build_data(struct ike_builder *b, uint8_t type, const uint8_t *data,
		      size_t len)
{
	size_t off = pl_start(b, type);

	ike_buf_append(&b->buf, data, len);
	return patch_len(b, off);
}

size_t ike_build_id(struct ike_builder *b, const struct ike_id *id)
{
	size_t off = pl_start(b, IKE_PL_ID);

	app8(&b->buf, id->type);
	app8(&b->buf, id->proto);
	app16(&b->buf, id->port);
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		ike_buf_append(&b->buf, id->addr, 4);
		break;
	case IKE_ID_IPV4_ADDR_SUBNET:
	case IKE_ID_IPV4_ADDR_RANGE:
		ike_buf_append(&b->buf, id->addr, 4);
		ike_buf_append(&b->buf, id->addr2, 4);
		break;
	case IKE_ID_IPV6_ADDR:
		ike_buf_append(&b->buf, id->addr, 16);
		break;
	case IKE_ID_IPV6_ADDR_SUBNET:
	case IKE_ID_IPV6_ADDR_RANGE:
		ike_buf_append(&b->buf, id->addr, 16);
		ike_buf_append(&b->buf, id->addr2, 16);
		break;
	default:
		if (!id->len)
			build_fail(b);
		ike_buf_append(&b->buf, id->data, id->len);
		break;
	}
	return patch_len(b, off);
}

size_t ike_build_notify(struct ike_builder *b, const struct ike_notify *n)
{
	size_t off = pl_start(b, IKE_PL_N);

	if (n->spi_len > IKE_MAX_SPI_LEN)
		build_fail(b);
	app32(&b->buf, n->doi);
	app8(&b->buf, n->proto);
	app8(&b->buf, n->spi_len);
	app16(&b->buf, n->type);
	ike_buf_append(&b->buf, n->spi, n->spi_len);
	if (n->data_len)
		ike_buf_append(&b->buf, n->data, n->data_len);
	return patch_len(b, off);
}

size_t ike_build_delete(struct ike_builder *b, const struct ike_delete *d)
{
	size_t off = pl_start(b, IKE_PL_D);

	if (!d->spi_len || d->spi_len > IKE_MAX_SPI_LEN || !d->nspis)
		build_fail(b);
	app32(&b->buf, d->doi);
	app8(&b->buf, d->proto);
	app8(&b->buf, d->spi_len);
	app16(&b->buf, d->nspis);
	ike_buf_append(&b->buf, d->spis, (size_t)d->nspis * d->spi_len);
	return patch_len(b, off);
}

enum ike_perr ike_build_finish(struct ike_builder *b)
{
	if (b->buf.failed)
		return IKE_PERR_INVALID;
	put32(b->buf.data + 24, (uint32_t)b->buf.len);
	return IKE_PERR_OK;
}
