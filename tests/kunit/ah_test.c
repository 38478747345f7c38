// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of AH (kmod/ah.c):
 *
 * - the mutable fields RFC 4302 3.3.3.1 zeroes, on hand-built headers:
 *   IPv4 TOS, flags and fragment offset, TTL, checksum, mutable options
 *   (record route, timestamp, loose source route with its final
 *   destination) zeroed and immutable ones (router alert, security) kept;
 *   IPv6 traffic class, flow label and hop limit, hop-by-hop and
 *   destination options whose type has the change-en-route bit (0x20)
 *   zeroed in their data, the others kept; a routing header and malformed
 *   options refused;
 * - the ICV kipsec_ah_output() writes, for every integrity algorithm,
 *   outer IPv4 and IPv6, with and without ESN, against an HMAC (or XCBC)
 *   computed here through the shash API over a canonical byte string
 *   built by hand: mutable fields zero, ICV zero, and the high half of
 *   the sequence number appended with ESN; the AH header's layout;
 * - round trips through kipsec_ah_input() and kipsec_ah_strip(), and a
 *   flipped bit anywhere: accepted in a mutable field, refused elsewhere;
 *   the wrong high half of an extended sequence number refused;
 * - inbound packets with IPv4 options and IPv6 hop-by-hop options, whose
 *   mutable parts may change and whose immutable parts may not;
 * - asynchronous completion (the transform wrapped in cryptd).
 */
#include <asm/unaligned.h>
#include <crypto/hash.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../../kmod/ah.h"
#include "../../kmod/crypto.h"
#include "../../kmod/sa.h"
#include "../../kmod/uapi/kipsec.h"

#define AH_HEADROOM	160
#define AH_TIMEOUT_MS	20000
#define AH_INNER_LEN	100
#define AH_SPI		0x12345678

/* --- mutable fields ------------------------------------------------------ */

struct zero_case {
	const char *desc;
	u8 family;
	int ret;
	unsigned int len;
	u8 in[64];
	u8 out[64];	/* when ret is 0 */
};

static const struct zero_case zero_cases[] = {
	{
		"IPv4, no options", AF_INET, 0, 20,
		{ 0x45, 0xb9, 0x00, 0x80, 0x12, 0x34, 0x40, 0x01, 0x3d, 0x33,
		  0xbe, 0xef, 192, 0, 2, 1, 192, 0, 2, 2 },
		{ 0x45, 0x00, 0x00, 0x80, 0x12, 0x34, 0x00, 0x00, 0x00, 0x33,
		  0x00, 0x00, 192, 0, 2, 1, 192, 0, 2, 2 },
	},
	{
		/* NOP, router alert (kept), record route (zeroed), security
		 * (kept), end of list.
		 */
		"IPv4, router alert, record route, security", AF_INET, 0, 40,
		{ 0x4a, 0x10, 0x00, 0x80, 0x12, 0x34, 0x20, 0x10, 0x40, 0x33,
		  0xbe, 0xef, 10, 0, 0, 1, 10, 0, 0, 2,
		  0x01, 0x94, 0x04, 0x00, 0x00, 0x07, 0x07, 0x08, 1, 2,
		  3, 4, 0x82, 0x04, 0xaa, 0xbb, 0x00, 0x00, 0x00, 0x00 },
		{ 0x4a, 0x00, 0x00, 0x80, 0x12, 0x34, 0x00, 0x00, 0x00, 0x33,
		  0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
		  0x01, 0x94, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0,
		  0, 0, 0x82, 0x04, 0xaa, 0xbb, 0x00, 0x00, 0x00, 0x00 },
	},
	{
		/* Loose source route: zeroed, the final destination taken
		 * into the header; then a timestamp, zeroed.
		 */
		"IPv4, loose source route and timestamp", AF_INET, 0, 36,
		{ 0x49, 0x00, 0x00, 0x80, 0x12, 0x34, 0x00, 0x00, 0x40, 0x33,
		  0xbe, 0xef, 10, 0, 0, 1, 10, 0, 0, 2,
		  0x83, 0x07, 0x04, 10, 9, 9, 9, 0x01, 0x44, 0x08,
		  0x05, 0x00, 1, 2, 3, 4 },
		{ 0x49, 0x00, 0x00, 0x80, 0x12, 0x34, 0x00, 0x00, 0x00, 0x33,
		  0x00, 0x00, 10, 0, 0, 1, 10, 9, 9, 9,
		  0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0,
		  0, 0, 0, 0, 0, 0 },
	},
	{
		"IPv4, option longer than the header", AF_INET, -EPROTO, 24,
		{ 0x46, 0x00, 0x00, 0x80, 0x12, 0x34, 0x00, 0x00, 0x40, 0x33,
		  0xbe, 0xef, 10, 0, 0, 1, 10, 0, 0, 2,
		  0x07, 0x08, 0x04, 0x00 },
	},
	{
		"IPv6, no extension headers", AF_INET6, 0, 40,
		{ 0x6b, 0x9a, 0xbc, 0xde, 0x00, 0x80, 51, 0x3d,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 51, 0x00,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	},
	{
		/* Hop-by-hop: option 0x23 (change en route) zeroed, router
		 * alert (0x05) kept, PadN kept.
		 */
		"IPv6, hop-by-hop options with and without the change bit",
		AF_INET6, 0, 56,
		{ 0x60, 0x00, 0x00, 0x01, 0x00, 0x80, 0, 0x40,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 1, 0x23, 0x04, 0xa1, 0xa2, 0xa3, 0xa4,
		  0x05, 0x02, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00 },
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 0, 0x00,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 1, 0x23, 0x04, 0x00, 0x00, 0x00, 0x00,
		  0x05, 0x02, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00 },
	},
	{
		/* Destination options: 0x3e changes en route, 0x1e does not;
		 * a Pad1.
		 */
		"IPv6, destination options", AF_INET6, 0, 48,
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 60, 0x40,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 0, 0x3e, 0x01, 0x77, 0x1e, 0x00, 0x00 },
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 60, 0x00,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 0, 0x3e, 0x01, 0x00, 0x1e, 0x00, 0x00 },
	},
	{
		"IPv6, routing header: refused", AF_INET6, -EPROTO, 48,
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 43, 0x40,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 0, 0, 0, 0, 0, 0, 0 },
	},
	{
		"IPv6, option longer than its header", AF_INET6, -EPROTO, 48,
		{ 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 0, 0x40,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		  51, 0, 0x23, 0x09, 0, 0, 0, 0 },
	},
};

static void zero_case_desc(const struct zero_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zero_cases, zero_cases, zero_case_desc);

static void ah_zero_mutable_table(struct kunit *test)
{
	const struct zero_case *c = test->param_value;
	u8 buf[64];

	memcpy(buf, c->in, sizeof(buf));
	KUNIT_ASSERT_EQ(test, kipsec_ah_zero_mutable(buf, c->len, c->family),
			c->ret);
	if (!c->ret)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, c->out, c->len), 0,
				    "got %*ph", c->len, buf);
}

/* --- a test SA ----------------------------------------------------------- */

struct ah_alg {
	u32 id;
	const char *name;	/* uapi */
	const char *hash;	/* crypto API */
	u8 keylen;
	u8 icvlen;
};

static const struct ah_alg ah_algs[] = {
	{ KIPSEC_AUTH_HMAC_MD5_96, "hmac-md5-96", "hmac(md5)", 16, 12 },
	{ KIPSEC_AUTH_HMAC_SHA1_96, "hmac-sha1-96", "hmac(sha1)", 20, 12 },
	{ KIPSEC_AUTH_HMAC_SHA256_128, "hmac-sha256-128", "hmac(sha256)",
	  32, 16 },
	{ KIPSEC_AUTH_HMAC_SHA384_192, "hmac-sha384-192", "hmac(sha384)",
	  48, 24 },
	{ KIPSEC_AUTH_HMAC_SHA512_256, "hmac-sha512-256", "hmac(sha512)",
	  64, 32 },
	{ KIPSEC_AUTH_AES_XCBC_96, "aes-xcbc-96", "xcbc(aes)", 16, 12 },
};

/* One algorithm, outer family, ESN and completion mode. */
struct ah_param {
	const struct ah_alg *alg;
	u8 family;
	bool esn;
	bool async;
	bool align4;
};

static struct ah_param ah_params[ARRAY_SIZE(ah_algs) * 8];

static const void *ah_params_gen(const void *prev, char *desc)
{
	const struct ah_param *p = prev ? (const struct ah_param *)prev + 1 :
				   ah_params;
	unsigned int i;

	if (!prev) {
		for (i = 0; i < ARRAY_SIZE(ah_params); i++) {
			ah_params[i].alg = &ah_algs[i / 8];
			ah_params[i].family = i & 1 ? AF_INET6 : AF_INET;
			ah_params[i].esn = i & 2;
			ah_params[i].align4 = i & 4;
		}
	}
	if (p >= ah_params + ARRAY_SIZE(ah_params))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, outer IPv%d, esn %s%s",
		 p->alg->name, p->family == AF_INET ? 4 : 6,
		 p->esn ? "on" : "off", p->align4 ? ", align 4" : "");
	return p;
}

/* A few for asynchronous completion. */
static const struct ah_param ah_async_params[] = {
	{ &ah_algs[2], AF_INET, false, true },
	{ &ah_algs[1], AF_INET6, true, true },
	{ &ah_algs[5], AF_INET, true, true },
};

static void ah_async_desc(const struct ah_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, outer IPv%d, esn %s, cryptd",
		 p->alg->name, p->family == AF_INET ? 4 : 6,
		 p->esn ? "on" : "off");
}

KUNIT_ARRAY_PARAM(ah_async, ah_async_params, ah_async_desc);

struct ah_tsa {
	struct kipsec_sa sa;
	struct completion done;
	int err;
	unsigned int ndone;
	unsigned int nasync;
	bool in_flight;
	struct sk_buff *skb;
	u8 key[64];
};

static int ah_tsa_init(struct kunit_resource *res, void *context)
{
	struct ah_tsa *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	init_completion(&t->done);
	res->data = t;
	return 0;
}

static void ah_tsa_free(struct kunit_resource *res)
{
	struct ah_tsa *t = res->data;

	if (t->in_flight)
		return;
	kfree_skb(t->skb);
	kipsec_crypto_destroy(&t->sa.crypto);
	kfree(t);
}

static void ah_done(struct sk_buff *skb, int err)
{
	struct ah_tsa *t = container_of(kipsec_skb_cb(skb)->sa,
					struct ah_tsa, sa);

	t->err = err;
	t->ndone++;
	complete(&t->done);
}

static struct ah_tsa *ah_tsa_new(struct kunit *test, const struct ah_param *p)
{
	struct kipsec_alg_params ap = {
		.auth_alg = p->alg->id,
		.auth_keylen = p->alg->keylen,
		.esn = p->esn,
		.ah = true,
	};
	const char *why = "";
	struct ah_tsa *t;
	int attr = 0, ret;
	unsigned int i;
	bool saved;

	t = kunit_alloc_resource(test, ah_tsa_init, ah_tsa_free, GFP_KERNEL,
				 NULL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < sizeof(t->key); i++)
		t->key[i] = 0xa5 ^ (i * 13 + 1);
	ap.auth_key = t->key;
	t->sa.key.spi = htonl(AH_SPI);
	t->sa.key.proto = IPPROTO_AH;
	t->sa.flags = p->esn ? KIPSEC_SA_F_ESN : 0;
	if (p->align4)
		t->sa.flags |= KIPSEC_SA_F_AH_ALIGN4;
	t->sa.dst.family = p->family;

	saved = kipsec_force_cryptd;
	kipsec_force_cryptd = p->async;
	ret = kipsec_crypto_init(&t->sa.crypto, &ap, &why, &attr);
	kipsec_force_cryptd = saved;
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s: %s (attribute %d)",
			    p->alg->name, why, attr);
	KUNIT_ASSERT_EQ(test, t->sa.crypto.icvlen, p->alg->icvlen);
	return t;
}

static void ah_set_skb(struct ah_tsa *t, struct sk_buff *skb)
{
	kfree_skb(t->skb);
	t->skb = skb;
	if (skb)
		kipsec_skb_cb(skb)->sa = &t->sa;
}

static int ah_wait(struct kunit *test, struct ah_tsa *t, int ret)
{
	unsigned long left;

	if (ret != -EINPROGRESS)
		return ret;
	t->nasync++;
	t->in_flight = true;
	left = wait_for_completion_timeout(&t->done,
					   msecs_to_jiffies(AH_TIMEOUT_MS));
	KUNIT_ASSERT_NE_MSG(test, left, 0UL, "no completion after %u ms",
			    AH_TIMEOUT_MS);
	t->in_flight = false;
	return t->err;
}

static unsigned int ah_outer_len(u8 family)
{
	return family == AF_INET ? sizeof(struct iphdr) :
				   sizeof(struct ipv6hdr);
}

static u8 ah_inner_byte(unsigned int i)
{
	return i * 7 + 3;
}

/*
 * An outbound packet with sequence number @seq: the inner packet, the AH
 * header, an outer header whose mutable fields are not zero; then
 * kipsec_ah_output(). skb->data is the outer header.
 */
static int ah_output(struct kunit *test, struct ah_tsa *t, u8 family, u64 seq)
{
	struct sk_buff *skb = alloc_skb(AH_HEADROOM + AH_INNER_LEN, GFP_KERNEL);
	unsigned int i;
	u8 *inner;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, AH_HEADROOM);
	inner = skb_put(skb, AH_INNER_LEN);
	for (i = 0; i < AH_INNER_LEN; i++)
		inner[i] = ah_inner_byte(i);
	ah_set_skb(t, skb);
	KUNIT_ASSERT_EQ(test, kipsec_ah_push(&t->sa, skb, family == AF_INET ?
					     IPPROTO_IPIP : IPPROTO_IPV6, seq),
			0);
	if (family == AF_INET) {
		struct iphdr *iph = skb_push(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->tos = 0xb9;
		iph->tot_len = htons(skb->len);
		iph->id = htons(0x4242);
		iph->frag_off = htons(IP_DF);
		iph->ttl = 61;
		iph->protocol = IPPROTO_AH;
		iph->check = htons(0xbeef);
		iph->saddr = htonl(0xc0000201);
		iph->daddr = htonl(0xc0000202);
	} else {
		struct ipv6hdr *ip6h = skb_push(skb, sizeof(*ip6h));

		ip6_flow_hdr(ip6h, 0xb9, htonl(0xabcde));
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
		ip6h->nexthdr = IPPROTO_AH;
		ip6h->hop_limit = 61;
		ipv6_addr_set(&ip6h->saddr, htonl(0x20010db8), 0, 0, htonl(1));
		ipv6_addr_set(&ip6h->daddr, htonl(0x20010db8), 0, 0, htonl(2));
	}
	skb_reset_network_header(skb);
	reinit_completion(&t->done);
	return ah_wait(test, t, kipsec_ah_output(&t->sa, skb, seq, ah_done));
}

/* Verify the packet at t->skb (outer header at skb->data). */
static int ah_input(struct kunit *test, struct ah_tsa *t, unsigned int outer,
		    u64 seq)
{
	struct sk_buff *skb = t->skb;

	skb_reset_network_header(skb);
	__skb_pull(skb, outer);
	reinit_completion(&t->done);
	return ah_wait(test, t, kipsec_ah_input(&t->sa, skb, seq, ah_done));
}

/* The reference ICV through the shash API, over @len bytes of @data and,
 * with @esn, the high half of @seq.
 */
static void ah_ref_icv(struct kunit *test, struct ah_tsa *t,
		       const struct ah_alg *alg, const u8 *data,
		       unsigned int len, bool esn, u64 seq, u8 *out)
{
	struct crypto_shash *tfm = crypto_alloc_shash(alg->hash, 0, 0);
	__be32 hi = htonl(upper_32_bits(seq));
	u8 digest[HASH_MAX_DIGESTSIZE];
	int ret;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	ret = crypto_shash_setkey(tfm, t->key, alg->keylen);
	if (!ret) {
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, data, len) ?:
		      (esn ? crypto_shash_update(desc, (u8 *)&hi, 4) : 0) ?:
		      crypto_shash_final(desc, digest);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	KUNIT_ASSERT_EQ(test, ret, 0);
	memcpy(out, digest, alg->icvlen);
}

/* The header length RFC 4302 2.6 asks for: 8-byte aligned, or 4 for IPv4
 * when the SA says so (the flag means nothing over IPv6).
 */
static unsigned int ah_ref_hlen(const struct ah_param *p)
{
	unsigned int len = 12 + p->alg->icvlen;

	return p->align4 && p->family == AF_INET ? ALIGN(len, 4) :
						   ALIGN(len, 8);
}

/*
 * kipsec_ah_output() against the reference: the AH header's layout, the
 * outer header left as it was, and the ICV over the canonical packet
 * built here by hand.
 */
static void ah_check_output(struct kunit *test, struct ah_tsa *t,
			    const struct ah_param *p, u64 seq)
{
	unsigned int outer = ah_outer_len(p->family);
	unsigned int hlen = ah_ref_hlen(p);
	struct sk_buff *skb = t->skb;
	u8 *pkt, *canon, icv[32];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, skb->len, outer + hlen + AH_INNER_LEN);
	pkt = skb->data;

	/* The outer header as built: mutable fields restored. */
	if (p->family == AF_INET) {
		KUNIT_EXPECT_EQ(test, pkt[1], 0xb9);
		KUNIT_EXPECT_EQ(test, pkt[6], 0x40);
		KUNIT_EXPECT_EQ(test, pkt[8], 61);
		KUNIT_EXPECT_EQ(test, pkt[10], 0xbe);
		KUNIT_EXPECT_EQ(test, pkt[11], 0xef);
	} else {
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(pkt), 0x6b9abcde);
		KUNIT_EXPECT_EQ(test, pkt[7], 61);
	}
	/* AH: next header, (len / 4) - 2, reserved, SPI, low half, ICV,
	 * zero padding to 8 bytes (or 4).
	 */
	KUNIT_EXPECT_EQ(test, pkt[outer], p->family == AF_INET ? IPPROTO_IPIP :
			IPPROTO_IPV6);
	KUNIT_EXPECT_EQ(test, pkt[outer + 1], hlen / 4 - 2);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(pkt + outer + 2), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(pkt + outer + 4), AH_SPI);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(pkt + outer + 8),
			lower_32_bits(seq));
	for (i = 12 + p->alg->icvlen; i < hlen; i++)
		KUNIT_EXPECT_EQ(test, pkt[outer + i], 0);
	for (i = 0; i < AH_INNER_LEN; i++)
		KUNIT_EXPECT_EQ(test, pkt[outer + hlen + i], ah_inner_byte(i));

	canon = kunit_kzalloc(test, skb->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, canon);
	memcpy(canon, pkt, skb->len);
	if (p->family == AF_INET) {
		canon[1] = 0;			/* TOS */
		memset(canon + 6, 0, 2);	/* flags, fragment offset */
		canon[8] = 0;			/* TTL */
		memset(canon + 10, 0, 2);	/* checksum */
	} else {
		/* version 6, traffic class and flow label 0 */
		put_unaligned_be32(0x60000000, canon);
		canon[7] = 0;			/* hop limit */
	}
	memset(canon + outer + 12, 0, p->alg->icvlen);
	ah_ref_icv(test, t, p->alg, canon, skb->len, p->esn, seq, icv);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(pkt + outer + 12, icv,
					 p->alg->icvlen), 0,
			    "ICV %*ph, expected %*ph", p->alg->icvlen,
			    pkt + outer + 12, p->alg->icvlen, icv);
}

static bool ah_mutable(u8 family, unsigned int i)
{
	if (family == AF_INET)
		return i == 1 || i == 6 || i == 7 || i == 8 || i == 10 ||
		       i == 11;
	return (i >= 1 && i <= 3) || i == 7;
}

/* The ICV for every algorithm, family and ESN setting, and round trips. */
static void ah_icv_and_round_trip(struct kunit *test)
{
	const struct ah_param *p = test->param_value;
	unsigned int outer = ah_outer_len(p->family);
	u64 seq = p->esn ? 0x1234567800000005ULL : 5;
	struct ah_tsa *t = ah_tsa_new(test, p);
	u8 nexthdr;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq), 0);
	ah_check_output(test, t, p, seq);

	KUNIT_ASSERT_EQ(test, ah_input(test, t, outer, seq), 0);
	KUNIT_ASSERT_EQ(test, kipsec_ah_strip(&t->sa, t->skb, &nexthdr), 0);
	KUNIT_EXPECT_EQ(test, nexthdr, p->family == AF_INET ? IPPROTO_IPIP :
			IPPROTO_IPV6);
	KUNIT_ASSERT_EQ(test, t->skb->len, AH_INNER_LEN);
	for (i = 0; i < AH_INNER_LEN; i++)
		KUNIT_EXPECT_EQ(test, t->skb->data[i], ah_inner_byte(i));

	/* Another ICV from another sequence number. */
	KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq + 1), 0);
	ah_check_output(test, t, p, seq + 1);

	/* With ESN the high half is in the ICV: one more is wrong. */
	if (p->esn) {
		KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq), 0);
		KUNIT_EXPECT_EQ(test, ah_input(test, t, outer,
					       seq + (1ULL << 32)), -EBADMSG);
		KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq), 0);
		KUNIT_EXPECT_EQ(test, ah_input(test, t, outer, seq), 0);
	}
	KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	/* Through cryptd every operation completes in the callback. */
	if (p->async)
		KUNIT_EXPECT_GT(test, t->nasync, 0U);
}

/* The same through cryptd: asynchronous completion. */
static void ah_async_round_trip(struct kunit *test)
{
	ah_icv_and_round_trip(test);
}

/* One flipped bit anywhere: fine in a mutable field, refused elsewhere. */
static void ah_tamper(struct kunit *test)
{
	const struct ah_param *p = test->param_value;
	unsigned int outer = ah_outer_len(p->family);
	struct ah_tsa *t = ah_tsa_new(test, p);
	unsigned int i, len;
	u64 seq = 9;
	int ret;

	KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq), 0);
	len = t->skb->len;
	for (i = 0; i < len; i++) {
		KUNIT_ASSERT_EQ(test, ah_output(test, t, p->family, seq), 0);
		t->skb->data[i] ^= i == 0 && p->family == AF_INET ? 0x01 :
				    0x10;
		ret = ah_input(test, t, outer, seq);
		if (ah_mutable(p->family, i))
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "byte %u", i);
		else if (i >= outer + 2)
			KUNIT_EXPECT_EQ_MSG(test, ret, -EBADMSG, "byte %u", i);
		else
			KUNIT_EXPECT_NE_MSG(test, ret, 0, "byte %u", i);
	}
	KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	KUNIT_EXPECT_GT(test, t->nasync, 0U);
}

/*
 * Inbound packets built by hand with options in the outer header: the
 * ICV over the canonical form, then a mutable part changed (accepted) or
 * an immutable one (refused).
 */
static const u8 ah_opts_v4[] = {
	0x47, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x40, 51,
	0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
	/* record route (mutable), router alert (immutable) */
	0x07, 0x03, 0x04, 0x94, 0x04, 0x00, 0x00, 0x00,
};

static const u8 ah_opts_v6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	/* hop-by-hop: 0x23 changes en route, router alert does not */
	51, 1, 0x23, 0x04, 0xa1, 0xa2, 0xa3, 0xa4,
	0x05, 0x02, 0x00, 0x01, 0x01, 0x02, 0x00, 0x00,
};

static void ah_input_options_one(struct kunit *test, u8 family,
				 const u8 *hdr, unsigned int hdrlen,
				 unsigned int mut, unsigned int immut)
{
	struct ah_param p = { &ah_algs[2], family, false, false };
	struct ah_tsa *t = ah_tsa_new(test, &p);
	unsigned int hlen = ALIGN(12 + p.alg->icvlen, 8);
	unsigned int len = hdrlen + hlen + AH_INNER_LEN, i, round;
	u8 *canon, icv[32];

	canon = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, canon);
	memcpy(canon, hdr, hdrlen);
	if (family == AF_INET)
		put_unaligned_be16(len, canon + 2);
	else
		put_unaligned_be16(len - 40, canon + 4);
	canon[hdrlen] = family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	canon[hdrlen + 1] = hlen / 4 - 2;
	put_unaligned_be32(AH_SPI, canon + hdrlen + 4);
	put_unaligned_be32(3, canon + hdrlen + 8);
	for (i = 0; i < AH_INNER_LEN; i++)
		canon[hdrlen + hlen + i] = ah_inner_byte(i);
	/* The canonical form: the mutable parts of @hdr are zero. */
	KUNIT_ASSERT_EQ(test, kipsec_ah_zero_mutable(canon, hdrlen, family),
			0);
	ah_ref_icv(test, t, p.alg, canon, len, false, 3, icv);

	for (round = 0; round < 3; round++) {
		struct sk_buff *skb = alloc_skb(AH_HEADROOM + len, GFP_KERNEL);
		u8 *pkt;

		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_reserve(skb, AH_HEADROOM);
		pkt = skb_put_data(skb, canon, len);
		ah_set_skb(t, skb);
		/* As sent: the mutable fields as @hdr has them. */
		memcpy(pkt, hdr, hdrlen);
		if (family == AF_INET)
			put_unaligned_be16(len, pkt + 2);
		else
			put_unaligned_be16(len - 40, pkt + 4);
		memcpy(pkt + hdrlen + 12, icv, p.alg->icvlen);
		if (round == 1)
			pkt[mut] ^= 0x55;
		if (round == 2)
			pkt[immut] ^= 0x01;
		KUNIT_EXPECT_EQ_MSG(test, ah_input(test, t, hdrlen, 3),
				    round == 2 ? -EBADMSG : 0, "round %u",
				    round);
	}
}

static void ah_input_options(struct kunit *test)
{
	/* IPv4: a record-route byte may change, the router alert not. */
	ah_input_options_one(test, AF_INET, ah_opts_v4, sizeof(ah_opts_v4),
			     22, 25);
	/* IPv6: the 0x23 option's data may change, the router alert's not. */
	ah_input_options_one(test, AF_INET6, ah_opts_v6, sizeof(ah_opts_v6),
			     45, 51);
}

/* Lengths: the AH header's length field must fit the SA's ICV. */
static void ah_bad_length(struct kunit *test)
{
	struct ah_param p = { &ah_algs[2], AF_INET6, false, false };
	struct ah_tsa *t = ah_tsa_new(test, &p);

	KUNIT_ASSERT_EQ(test, ah_output(test, t, AF_INET6, 1), 0);
	/* 28 bytes (4-byte alignment): refused over IPv6. */
	t->skb->data[40 + 1] = 28 / 4 - 2;
	KUNIT_EXPECT_EQ(test, ah_input(test, t, 40, 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, ah_output(test, t, AF_INET6, 1), 0);
	t->skb->data[40 + 1] = 200;
	KUNIT_EXPECT_EQ(test, ah_input(test, t, 40, 1), -EINVAL);
}

static struct kunit_case ah_test_cases[] = {
	KUNIT_CASE_PARAM(ah_zero_mutable_table, zero_cases_gen_params),
	KUNIT_CASE_PARAM(ah_icv_and_round_trip, ah_params_gen),
	KUNIT_CASE_PARAM(ah_async_round_trip, ah_async_gen_params),
	KUNIT_CASE_PARAM(ah_tamper, ah_async_gen_params),
	KUNIT_CASE(ah_input_options),
	KUNIT_CASE(ah_bad_length),
	{}
};

static struct kunit_suite ah_test_suite = {
	.name = "kipsec_ah",
	.test_cases = ah_test_cases,
};

kunit_test_suite(ah_test_suite);
