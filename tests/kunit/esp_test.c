// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of ESP (kmod/esp.c) through kipsec_esp_encrypt(),
 * kipsec_esp_decrypt() and kipsec_esp_strip():
 *
 * - published ESP packets, encrypted and decrypted byte for byte:
 *   RFC 3602 section 4, cases #5 to #8 (AES-CBC-128 without integrity,
 *   transport and tunnel mode); RFC 7634 appendix A (ChaCha20-Poly1305);
 *   the 17 cases of draft-mcgrew-gcm-test-01 section 4 ("Test Cases for
 *   the use of GCM and GMAC in IPsec ESP": RFC 4106 AES-GCM with 128-,
 *   192- and 256-bit keys, 32-bit and extended sequence numbers, and one
 *   RFC 4543 AES-GMAC packet), synchronously and through cryptd;
 * - single-bit tampering anywhere in a packet, and the wrong high half of
 *   an extended sequence number, fail with -EBADMSG;
 * - a round trip through every algorithm, key size and ICV size of the
 *   uapi, with and without ESN, for inner packets of 0 to 300 bytes that
 *   take every padding length;
 * - asynchronous completion (every transform wrapped in cryptd);
 * - packets in page fragments and frag lists;
 * - the errors of malformed input.
 *
 * Every vector's plaintext is kept as its source prints it: the inner
 * data, then padding, pad length and next header. Each of them pads with
 * 1, 2, 3, ... to the length kipsec_esp_encrypt() pads to (4-byte
 * alignment for the counter-mode AEADs, the AES block for CBC), so the
 * whole encrypted packet must come out as published once the vector's IV
 * is passed as the explicit @iv of kipsec_esp_encrypt().
 */
#include <asm/unaligned.h>
#include <crypto/aead.h>
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../../kmod/crypto.h"
#include "../../kmod/esp.h"
#include "../../kmod/sa.h"
#include "../../kmod/uapi/kipsec.h"

#define ESP_HEADROOM	64	/* ESP header, IV and ESN high half fit */
#define ESP_TIMEOUT_MS	20000	/* for an asynchronous completion */
#define ESP_MAX_INNER	300	/* inner packets of up to 300 bytes */

/*
 * An SA under test, with what its asynchronous completions report and the
 * one packet the test is working on. It is a KUnit resource: freed, with
 * its transform and packet, when the test ends however it ends.
 */
struct esp_tsa {
	struct kipsec_sa sa;
	struct completion done;
	int err;		/* as the done callback got it */
	unsigned int ndone;	/* done callbacks */
	unsigned int nasync;	/* operations that returned -EINPROGRESS */
	bool in_flight;		/* a completion never came: leak, not free */
	struct sk_buff *skb;
};

static int esp_tsa_init(struct kunit_resource *res, void *context)
{
	struct esp_tsa *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	init_completion(&t->done);
	res->data = t;
	return 0;
}

static void esp_tsa_free(struct kunit_resource *res)
{
	struct esp_tsa *t = res->data;

	/* The transform may still write to the packet and the request. */
	if (t->in_flight)
		return;
	kfree_skb(t->skb);
	kipsec_crypto_destroy(&t->sa.crypto);
	kfree(t);
}

/* The done callback: the skb's control block leads back to the test SA. */
static void esp_done(struct sk_buff *skb, int err)
{
	struct esp_tsa *t = container_of(kipsec_skb_cb(skb)->sa,
					 struct esp_tsa, sa);

	t->err = err;
	t->ndone++;
	complete(&t->done);
}

/* An algorithm as the uapi names it; keys are made up. */
struct esp_alg {
	u32 aead;
	u32 enc;
	u32 auth;
	u8 keylen;		/* AEAD or cipher key, with salt or nonce */
	u8 icv_bits;		/* AEAD only; 0 for the default */
};

static const char *const esp_aead_names[] = {
	[KIPSEC_AEAD_AES_GCM] = "aes-gcm",
	[KIPSEC_AEAD_AES_CCM] = "aes-ccm",
	[KIPSEC_AEAD_CHACHA20_POLY1305] = "chacha20-poly1305",
	[KIPSEC_AEAD_AES_GMAC] = "aes-gmac",
};

static const char *const esp_enc_names[] = {
	[KIPSEC_ENC_NULL] = "null",
	[KIPSEC_ENC_DES] = "des-cbc",
	[KIPSEC_ENC_3DES] = "3des-cbc",
	[KIPSEC_ENC_AES_CBC] = "aes-cbc",
	[KIPSEC_ENC_AES_CTR] = "aes-ctr",
};

/* Integrity algorithms: name, key and ICV bytes (RFC 2403/2404/4868/3566). */
static const struct {
	const char *name;
	u8 keylen;
	u8 icvlen;
} esp_auths[] = {
	[0] = { "no integrity", 0, 0 },
	[KIPSEC_AUTH_HMAC_MD5_96] = { "hmac-md5-96", 16, 12 },
	[KIPSEC_AUTH_HMAC_SHA1_96] = { "hmac-sha1-96", 20, 12 },
	[KIPSEC_AUTH_HMAC_SHA256_128] = { "hmac-sha256-128", 32, 16 },
	[KIPSEC_AUTH_HMAC_SHA384_192] = { "hmac-sha384-192", 48, 24 },
	[KIPSEC_AUTH_HMAC_SHA512_256] = { "hmac-sha512-256", 64, 32 },
	[KIPSEC_AUTH_AES_XCBC_96] = { "aes-xcbc-96", 16, 12 },
};

/* Salt (RFC 4106/4543/7634, 4 bytes; RFC 4309, 3) or nonce (RFC 3686). */
static unsigned int esp_saltlen(const struct esp_alg *a)
{
	if (a->aead == KIPSEC_AEAD_AES_CCM)
		return 3;
	if (a->aead || a->enc == KIPSEC_ENC_AES_CTR)
		return 4;
	return 0;
}

static void esp_alg_desc(const struct esp_alg *a, char *desc)
{
	unsigned int bits = (a->keylen - esp_saltlen(a)) * 8;

	if (a->aead)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s-%u icv %u",
			 esp_aead_names[a->aead], bits,
			 a->icv_bits ?: 128);
	else if (a->enc == KIPSEC_ENC_NULL)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "null %s",
			 esp_auths[a->auth].name);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s-%u %s",
			 esp_enc_names[a->enc], bits, esp_auths[a->auth].name);
}

/*
 * What ESP must get from the algorithm, from the RFCs rather than from
 * the transform: explicit IV bytes, ICV bytes, and the alignment of the
 * padded payload (the cipher block, at least 4 bytes; RFC 4303 2.4).
 */
static void esp_alg_sizes(const struct esp_alg *a, unsigned int *ivlen,
			  unsigned int *icvlen, unsigned int *blksize)
{
	if (a->aead) {
		*ivlen = 8;
		*icvlen = a->icv_bits ? a->icv_bits / 8 : 16;
		*blksize = 4;
		return;
	}
	*icvlen = esp_auths[a->auth].icvlen;
	switch (a->enc) {
	case KIPSEC_ENC_DES:
	case KIPSEC_ENC_3DES:
		*ivlen = 8;
		*blksize = 8;
		break;
	case KIPSEC_ENC_AES_CBC:
		*ivlen = 16;
		*blksize = 16;
		break;
	case KIPSEC_ENC_AES_CTR:
		*ivlen = 8;
		*blksize = 4;
		break;
	default:
		*ivlen = 0;
		*blksize = 4;
		break;
	}
}

/*
 * A test SA for @a, keyed with @key (NULL: a made-up key), its transform
 * wrapped in cryptd if @async.
 */
static struct esp_tsa *esp_tsa_new(struct kunit *test, const struct esp_alg *a,
				   const u8 *key, u32 spi, bool esn, bool async)
{
	struct kipsec_alg_params p = {
		.aead_alg = a->aead,
		.enc_alg = a->enc,
		.auth_alg = a->auth,
		.icv_bits = a->icv_bits,
		.esn = esn,
	};
	char desc[KUNIT_PARAM_DESC_SIZE];
	const char *why = "";
	u8 ekey[40], akey[64];
	struct esp_tsa *t;
	bool saved;
	int attr = 0, ret;
	unsigned int i;

	t = kunit_alloc_resource(test, esp_tsa_init, esp_tsa_free, GFP_KERNEL,
				 NULL);
	KUNIT_ASSERT_NOT_NULL(test, t);

	for (i = 0; i < sizeof(ekey); i++)
		ekey[i] = 0x5a ^ (i * 29 + 7);
	for (i = 0; i < sizeof(akey); i++)
		akey[i] = 0xa5 ^ (i * 13 + 1);
	if (a->aead) {
		p.aead_key = key ?: ekey;
		p.aead_keylen = a->keylen;
	} else {
		p.enc_key = key ?: ekey;
		p.enc_keylen = a->keylen;
		p.auth_key = akey;
		p.auth_keylen = esp_auths[a->auth].keylen;
	}
	t->sa.key.spi = htonl(spi);
	t->sa.flags = esn ? KIPSEC_SA_F_ESN : 0;

	/* The flag is read when the transform is allocated, and only then. */
	saved = kipsec_force_cryptd;
	kipsec_force_cryptd = async;
	ret = kipsec_crypto_init(&t->sa.crypto, &p, &why, &attr);
	kipsec_force_cryptd = saved;

	esp_alg_desc(a, desc);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s%s: %s (attribute %d)", desc,
			    esn ? " esn" : "", why, attr);
	return t;
}

/* Make @skb the test's packet, freeing the one before. */
static void esp_set_skb(struct esp_tsa *t, struct sk_buff *skb)
{
	kfree_skb(t->skb);
	t->skb = skb;
	if (skb)
		kipsec_skb_cb(skb)->sa = &t->sa;
}

/* A linear packet of @len bytes of @data, with ESP_HEADROOM in front. */
static struct sk_buff *esp_skb(struct kunit *test, struct esp_tsa *t,
			       const u8 *data, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(ESP_HEADROOM + len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, ESP_HEADROOM);
	skb_put_data(skb, data, len);
	esp_set_skb(t, skb);
	return skb;
}

/*
 * The result of an operation that returned @ret: an immediate one, or the
 * one the done callback delivers after -EINPROGRESS.
 */
static int esp_wait(struct kunit *test, struct esp_tsa *t, int ret)
{
	unsigned long left;

	if (ret != -EINPROGRESS)
		return ret;
	t->nasync++;
	t->in_flight = true;
	left = wait_for_completion_timeout(&t->done,
					   msecs_to_jiffies(ESP_TIMEOUT_MS));
	KUNIT_ASSERT_NE_MSG(test, left, 0UL, "no completion after %u ms",
			    ESP_TIMEOUT_MS);
	t->in_flight = false;
	return t->err;
}

static int esp_encrypt(struct kunit *test, struct esp_tsa *t, u8 nexthdr,
		       u64 seq, const u8 *iv)
{
	reinit_completion(&t->done);
	return esp_wait(test, t, kipsec_esp_encrypt(&t->sa, t->skb, nexthdr,
						    seq, iv, esp_done));
}

static int esp_decrypt(struct kunit *test, struct esp_tsa *t, u64 seq)
{
	reinit_completion(&t->done);
	return esp_wait(test, t, kipsec_esp_decrypt(&t->sa, t->skb, seq,
						    esp_done));
}

/* The packet's bytes, in a buffer that lives as long as the test. */
static u8 *esp_bytes(struct kunit *test, const struct sk_buff *skb)
{
	u8 *buf = kunit_kmalloc(test, skb->len + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

/* Whether the packet is @want, and where it is not. */
static bool esp_expect_bytes(struct kunit *test, const struct sk_buff *skb,
			     const u8 *want, unsigned int len, const char *what)
{
	unsigned int i, n;
	u8 *got;

	if (skb->len != len) {
		KUNIT_FAIL(test, "%s: %u bytes, want %u", what, skb->len, len);
		return false;
	}
	got = esp_bytes(test, skb);
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i < len) {
		n = min(len - i, 16U);
		KUNIT_FAIL(test, "%s: byte %u of %u differs\n\twant %*ph\n\tgot  %*ph",
			   what, i, len, n, want + i, n, got + i);
	}
	kunit_kfree(test, got);
	return i == len;
}

/* Decrypt the test's packet and strip it: the inner packet must be @want. */
static bool esp_expect_inner(struct kunit *test, struct esp_tsa *t, u64 seq,
			     const u8 *want, unsigned int len, u8 nexthdr)
{
	u8 got_nexthdr = 0;
	int ret;

	ret = esp_decrypt(test, t, seq);
	if (ret) {
		KUNIT_FAIL(test, "decrypt: %d (inner %u bytes)", ret, len);
		return false;
	}
	ret = kipsec_esp_strip(&t->sa, t->skb, &got_nexthdr);
	if (ret) {
		KUNIT_FAIL(test, "strip: %d (inner %u bytes)", ret, len);
		return false;
	}
	if (got_nexthdr != nexthdr) {
		KUNIT_FAIL(test, "next header %u, want %u (inner %u bytes)",
			   got_nexthdr, nexthdr, len);
		return false;
	}
	return esp_expect_bytes(test, t->skb, want, len, "inner packet");
}

/* A published ESP packet and what it was made from. */
struct esp_kat {
	const char *name;
	u32 aead;
	u32 enc;		/* without integrity */
	u32 spi;
	u64 seq;
	bool esn;
	const u8 *key;		/* with the salt, as XFRM takes it */
	unsigned int keylen;
	const u8 *pt;		/* inner data, padding, pad length, next header */
	unsigned int ptlen;
	const u8 *packet;	/* SPI, sequence number, IV, ciphertext, ICV */
	unsigned int packetlen;
};

#define KAT_DATA(field, array) .field = array, .field##len = sizeof(array) - 1

/*
 * RFC 3602 section 4, cases #5 to #8: ESP packets with AES-CBC-128 and no
 * integrity. Cases #5 and #6 are transport mode (the payload is an ICMP
 * message, next header 1), #7 and #8 tunnel mode (an IPv4 packet, next
 * header 4). The packet is the RFC's "SPI/Seq #", "IV" and "Encrypted
 * Data"; the plaintext its "Pre-encryption Data with padding, pad length
 * and next header".
 */
static const u8 kat_rfc3602_5_key[] =
	"\x90\xd3\x82\xb4\x10\xee\xba\x7a\xd9\x38\xc4\x6c\xec\x1a\x82\xbf";

static const u8 kat_rfc3602_5_pt[] =
	"\x08\x00\x0e\xbd\xa7\x0a\x00\x00\x8e\x9c\x08\x3d\xb9\x5b\x07\x00"
	"\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
	"\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27"
	"\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33\x34\x35\x36\x37"
	"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0e\x01";

static const u8 kat_rfc3602_5_packet[] =
	"\x00\x00\x43\x21\x00\x00\x00\x01\xe9\x6e\x8c\x08\xab\x46\x57\x63"
	"\xfd\x09\x8d\x45\xdd\x3f\xf8\x93\xf6\x63\xc2\x5d\x32\x5c\x18\xc6"
	"\xa9\x45\x3e\x19\x4e\x12\x08\x49\xa4\x87\x0b\x66\xcc\x6b\x99\x65"
	"\x33\x00\x13\xb4\x89\x8d\xc8\x56\xa4\x69\x9e\x52\x3a\x55\xdb\x08"
	"\x0b\x59\xec\x3a\x8e\x4b\x7e\x52\x77\x5b\x07\xd1\xdb\x34\xed\x9c"
	"\x53\x8a\xb5\x0c\x55\x1b\x87\x4a\xa2\x69\xad\xd0\x47\xad\x2d\x59"
	"\x13\xac\x19\xb7\xcf\xba\xd4\xa6";

static const u8 kat_rfc3602_6_key[] =
	"\x90\xd3\x82\xb4\x10\xee\xba\x7a\xd9\x38\xc4\x6c\xec\x1a\x82\xbf";

static const u8 kat_rfc3602_6_pt[] =
	"\x08\x00\xb5\xe8\xa8\x0a\x05\x00\xa6\x9c\x08\x3d\x0b\x66\x0e\x00"
	"\x77\x77\x77\x77\x77\x77\x77\x77\x77\x77\x77\x77\x01\x02\x02\x01";

static const u8 kat_rfc3602_6_packet[] =
	"\x00\x00\x43\x21\x00\x00\x00\x08\x69\xd0\x8d\xf7\xd2\x03\x32\x9d"
	"\xb0\x93\xfc\x49\x24\xe5\xbd\x80\xf5\x19\x95\x88\x1e\xc4\xe0\xc4"
	"\x48\x89\x87\xce\x74\x2e\x81\x09\x68\x9b\xb3\x79\xd2\xd7\x50\xc0"
	"\xd9\x15\xdc\xa3\x46\xa8\x9f\x75";

static const u8 kat_rfc3602_7_key[] =
	"\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef";

static const u8 kat_rfc3602_7_pt[] =
	"\x45\x00\x00\x54\x09\x04\x00\x00\x40\x01\xf9\x88\xc0\xa8\x7b\x03"
	"\xc0\xa8\x7b\xc8\x08\x00\x9f\x76\xa9\x0a\x01\x00\xb4\x9c\x08\x3d"
	"\x02\xa2\x04\x00\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
	"\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23"
	"\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33"
	"\x34\x35\x36\x37\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0a\x04";

static const u8 kat_rfc3602_7_packet[] =
	"\x00\x00\x87\x65\x00\x00\x00\x02\xf4\xe7\x65\x24\x4f\x64\x07\xad"
	"\xf1\x3d\xc1\x38\x0f\x67\x3f\x37\x77\x3b\x52\x41\xa4\xc4\x49\x22"
	"\x5e\x4f\x3c\xe5\xed\x61\x1b\x0c\x23\x7c\xa9\x6c\xf7\x4a\x93\x01"
	"\x3c\x1b\x0e\xa1\xa0\xcf\x70\xf8\xe4\xec\xae\xc7\x8a\xc5\x3a\xad"
	"\x7a\x0f\x02\x2b\x85\x92\x43\xc6\x47\x75\x2e\x94\xa8\x59\x35\x2b"
	"\x8a\x4d\x4d\x2d\xec\xd1\x36\xe5\xc1\x77\xf1\x32\xad\x3f\xbf\xb2"
	"\x20\x1a\xc9\x90\x4c\x74\xee\x0a\x10\x9e\x0c\xa1\xe4\xdf\xe9\xd5"
	"\xa1\x00\xb8\x42\xf1\xc2\x2f\x0d";

static const u8 kat_rfc3602_8_key[] =
	"\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef";

static const u8 kat_rfc3602_8_pt[] =
	"\x45\x00\x00\x44\x09\x0c\x00\x00\x40\x01\xf9\x90\xc0\xa8\x7b\x03"
	"\xc0\xa8\x7b\xc8\x08\x00\xd6\x3c\xaa\x0a\x02\x00\xc6\x9c\x08\x3d"
	"\xa3\xde\x03\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	"\xff\xff\xff\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0a\x04";

static const u8 kat_rfc3602_8_packet[] =
	"\x00\x00\x87\x65\x00\x00\x00\x05\x85\xd4\x72\x24\xb5\xf3\xdd\x5d"
	"\x21\x01\xd4\xea\x8d\xff\xab\x22\x15\xb9\x26\x83\x81\x95\x96\xa8"
	"\x04\x72\x32\xcc\x00\xf7\x04\x8f\xe4\x53\x18\xe1\x1f\x8a\x0f\x62"
	"\xed\xe3\xc3\xfc\x61\x20\x3b\xb5\x0f\x98\x0a\x08\xc9\x84\x3f\xd3"
	"\xa1\xb0\x6d\x5c\x07\xff\x96\x39\xb7\xeb\x7d\xfb\x35\x12\xe5\xde"
	"\x43\x5e\x72\x07\xed\x97\x1e\xf3\xd2\x72\x6d\x9b\x5e\xf6\xaf\xfc"
	"\x6d\x17\xa0\xde\xcb\xb1\x38\x92";

/*
 * RFC 7634 appendix A: a tunnel-mode ChaCha20-Poly1305 ESP packet. The key
 * is the 32-byte key and the 4-byte salt; the packet is the ESP part of
 * the appendix's IPv4 packet (SPI 0x01020304, sequence number 5, IV, then
 * the ciphertext and tag of the ChaCha20-Poly1305 AEAD).
 */
static const u8 kat_rfc7634_key[] =
	"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
	"\xa0\xa1\xa2\xa3";

static const u8 kat_rfc7634_pt[] =
	"\x45\x00\x00\x54\xa6\xf2\x00\x00\x40\x01\xe7\x78\xc6\x33\x64\x05"
	"\xc0\x00\x02\x05\x08\x00\x5b\x7a\x3a\x08\x00\x00\x55\x3b\xec\x10"
	"\x00\x07\x36\x27\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
	"\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23"
	"\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33"
	"\x34\x35\x36\x37\x01\x02\x02\x04";

static const u8 kat_rfc7634_packet[] =
	"\x01\x02\x03\x04\x00\x00\x00\x05\x10\x11\x12\x13\x14\x15\x16\x17"
	"\x24\x03\x94\x28\xb9\x7f\x41\x7e\x3c\x13\x75\x3a\x4f\x05\x08\x7b"
	"\x67\xc3\x52\xe6\xa7\xfa\xb1\xb9\x82\xd4\x66\xef\x40\x7a\xe5\xc6"
	"\x14\xee\x80\x99\xd5\x28\x44\xeb\x61\xaa\x95\xdf\xab\x4c\x02\xf7"
	"\x2a\xa7\x1e\x7c\x4c\x4f\x64\xc9\xbe\xfe\x2f\xac\xc6\x38\xe8\xf3"
	"\xcb\xec\x16\x3f\xac\x46\x9b\x50\x27\x73\xf6\xfb\x94\xe6\x64\xda"
	"\x91\x65\xb8\x28\x29\xf6\x41\xe0\x76\xaa\xa8\x26\x6b\x7f\xb0\xf7"
	"\xb1\x1b\x36\x99\x07\xe1\xad\x43";

/*
 * draft-mcgrew-gcm-test-01 section 4, the 17 test cases in the draft's
 * order: "key" is the draft's key followed by the salt, the first 4 bytes
 * of its nonce (RFC 4106 8.1, RFC 4543 3.2); "pt" is its plaintext and
 * "packet" its complete ESP packet. Where "seq" has 8 octets the SA has
 * ESN: the high half is not in the packet, only in the AAD. Case 15 is
 * AES-GMAC (RFC 4543): its plaintext is empty and the ESP payload is part
 * of the AAD; "pt" here is that payload, in clear in the packet.
 */
static const u8 kat_gcm_1_key[] =
	"\x4c\x80\xcd\xef\xbb\x5d\x10\xda\x90\x6a\xc7\x3c\x36\x13\xa6\x34"
	"\x2e\x44\x3b\x68";

static const u8 kat_gcm_1_pt[] =
	"\x45\x00\x00\x48\x69\x9a\x00\x00\x80\x11\x4d\xb7\xc0\xa8\x01\x02"
	"\xc0\xa8\x01\x01\x0a\x9b\xf1\x56\x38\xd3\x01\x00\x00\x01\x00\x00"
	"\x00\x00\x00\x00\x04\x5f\x73\x69\x70\x04\x5f\x75\x64\x70\x03\x73"
	"\x69\x70\x09\x63\x79\x62\x65\x72\x63\x69\x74\x79\x02\x64\x6b\x00"
	"\x00\x21\x00\x01\x01\x02\x02\x01";

static const u8 kat_gcm_1_packet[] =
	"\x00\x00\x43\x21\x00\x00\x00\x00\x49\x56\xed\x7e\x3b\x24\x4c\xfe"
	"\xfe\xcf\x53\x7e\x72\x9d\x5b\x07\xdc\x30\xdf\x52\x8d\xd2\x2b\x76"
	"\x8d\x1b\x98\x73\x66\x96\xa6\xfd\x34\x85\x09\xfa\x13\xce\xac\x34"
	"\xcf\xa2\x43\x6f\x14\xa3\xf3\xcf\x65\x92\x5b\xf1\xf4\xa1\x3c\x5d"
	"\x15\xb2\x1e\x18\x84\xf5\xff\x62\x47\xae\xab\xb7\x86\xb9\x3b\xce"
	"\x61\xbc\x17\xd7\x68\xfd\x97\x32\x45\x90\x18\x14\x8f\x6c\xbe\x72"
	"\x2f\xd0\x47\x96\x56\x2d\xfd\xb4";

static const u8 kat_gcm_2_key[] =
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08"
	"\xca\xfe\xba\xbe";

static const u8 kat_gcm_2_pt[] =
	"\x45\x00\x00\x3e\x69\x8f\x00\x00\x80\x11\x4d\xcc\xc0\xa8\x01\x02"
	"\xc0\xa8\x01\x01\x0a\x98\x00\x35\x00\x2a\x23\x43\xb2\xd0\x01\x00"
	"\x00\x01\x00\x00\x00\x00\x00\x00\x03\x73\x69\x70\x09\x63\x79\x62"
	"\x65\x72\x63\x69\x74\x79\x02\x64\x6b\x00\x00\x01\x00\x01\x00\x01";

static const u8 kat_gcm_2_packet[] =
	"\x00\x00\xa5\xf8\x00\x00\x00\x0a\xfa\xce\xdb\xad\xde\xca\xf8\x88"
	"\xde\xb2\x2c\xd9\xb0\x7c\x72\xc1\x6e\x3a\x65\xbe\xeb\x8d\xf3\x04"
	"\xa5\xa5\x89\x7d\x33\xae\x53\x0f\x1b\xa7\x6d\x5d\x11\x4d\x2a\x5c"
	"\x3d\xe8\x18\x27\xc1\x0e\x9a\x4f\x51\x33\x0d\x0e\xec\x41\x66\x42"
	"\xcf\xbb\x85\xa5\xb4\x7e\x48\xa4\xec\x3b\x9b\xa9\x5d\x91\x8b\xd1"
	"\x83\xb7\x0d\x3a\xa8\xbc\x6e\xe4\xc3\x09\xe9\xd8\x5a\x41\xad\x4a";

static const u8 kat_gcm_3_key[] =
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\x11\x22\x33\x44";

static const u8 kat_gcm_3_pt[] =
	"\x45\x00\x00\x30\x69\xa6\x40\x00\x80\x06\x26\x90\xc0\xa8\x01\x02"
	"\x93\x89\x15\x5e\x0a\x9e\x00\x8b\x2d\xc5\x7e\xe0\x00\x00\x00\x00"
	"\x70\x02\x40\x00\x20\xbf\x00\x00\x02\x04\x05\xb4\x01\x01\x04\x02"
	"\x01\x02\x02\x01";

static const u8 kat_gcm_3_packet[] =
	"\x4a\x2c\xbf\xe3\x00\x00\x00\x02\x01\x02\x03\x04\x05\x06\x07\x08"
	"\xff\x42\x5c\x9b\x72\x45\x99\xdf\x7a\x3b\xcd\x51\x01\x94\xe0\x0d"
	"\x6a\x78\x10\x7f\x1b\x0b\x1c\xbf\x06\xef\xae\x9d\x65\xa5\xd7\x63"
	"\x74\x8a\x63\x79\x85\x77\x1d\x34\x7f\x05\x45\x65\x9f\x14\xe9\x9d"
	"\xef\x84\x2d\x8e\xb3\x35\xf4\xee\xcf\xdb\xf8\x31\x82\x4b\x4c\x49"
	"\x15\x95\x6c\x96";

static const u8 kat_gcm_4_key[] =
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x00";

static const u8 kat_gcm_4_pt[] =
	"\x45\x00\x00\x3c\x99\xc5\x00\x00\x80\x01\xcb\x7a\x40\x67\x93\x18"
	"\x01\x01\x01\x01\x08\x00\x07\x5c\x02\x00\x44\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x75\x76\x77\x61\x62\x63\x64\x65\x66\x67\x68\x69\x01\x02\x02\x01";

static const u8 kat_gcm_4_packet[] =
	"\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x46\x88\xda\xf2\xf9\x73\xa3\x92\x73\x29\x09\xc3\x31\xd5\x6d\x60"
	"\xf6\x94\xab\xaa\x41\x4b\x5e\x7f\xf5\xfd\xcd\xff\xf5\xe9\xa2\x84"
	"\x45\x64\x76\x49\x27\x19\xff\xb6\x4d\xe7\xd9\xdc\xa1\xe1\xd8\x94"
	"\xbc\x3b\xd5\x78\x73\xed\x4d\x18\x1d\x19\xd4\xd5\xc8\xc1\x8a\xf3"
	"\xf8\x21\xd4\x96\xee\xb0\x96\xe9\x8a\xd2\xb6\x9e\x47\x99\xc7\x1d";

static const u8 kat_gcm_5_key[] =
	"\x3d\xe0\x98\x74\xb3\x88\xe6\x49\x19\x88\xd0\xc3\x60\x7e\xae\x1f"
	"\x57\x69\x0e\x43";

static const u8 kat_gcm_5_pt[] =
	"\x45\x00\x00\x3c\x99\xc3\x00\x00\x80\x01\xcb\x7c\x40\x67\x93\x18"
	"\x01\x01\x01\x01\x08\x00\x08\x5c\x02\x00\x43\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x75\x76\x77\x61\x62\x63\x64\x65\x66\x67\x68\x69\x01\x02\x02\x01";

static const u8 kat_gcm_5_packet[] =
	"\x42\xf6\x7e\x3f\x10\x10\x10\x10\x4e\x28\x00\x00\xa2\xfc\xa1\xa3"
	"\xfb\xa2\xca\xa4\x85\x3c\xf9\xf0\xf2\x2c\xb1\x0d\x86\xdd\x83\xb0"
	"\xfe\xc7\x56\x91\xcf\x1a\x04\xb0\x0d\x11\x38\xec\x9c\x35\x79\x17"
	"\x65\xac\xbd\x87\x01\xad\x79\x84\x5b\xf9\xfe\x3f\xba\x48\x7b\xc9"
	"\x17\x55\xe6\x66\x2b\x4c\x8d\x0d\x1f\x5e\x22\x73\x95\x30\x32\x0a"
	"\xe0\xd7\x31\xcc\x97\x8e\xca\xfa\xea\xe8\x8f\x00\xe8\x0d\x6e\x48";

static const u8 kat_gcm_6_key[] =
	"\x3d\xe0\x98\x74\xb3\x88\xe6\x49\x19\x88\xd0\xc3\x60\x7e\xae\x1f"
	"\x57\x69\x0e\x43";

static const u8 kat_gcm_6_pt[] =
	"\x45\x00\x00\x1c\x42\xa2\x00\x00\x80\x01\x44\x1f\x40\x67\x93\xb6"
	"\xe0\x00\x00\x02\x0a\x00\xf5\xff\x01\x02\x02\x01";

static const u8 kat_gcm_6_packet[] =
	"\x42\xf6\x7e\x3f\x10\x10\x10\x10\x4e\x28\x00\x00\xa2\xfc\xa1\xa3"
	"\xfb\xa2\xca\x84\x5e\x5d\xf9\xf0\xf2\x2c\x3e\x6e\x86\xdd\x83\x1e"
	"\x1f\xc6\x57\x92\xcd\x1a\xf9\x13\x0e\x13\x79\xed\x36\x9f\x07\x1f"
	"\x35\xe0\x34\xbe\x95\xf1\x12\xe4\xe7\xd0\x5d\x35";

static const u8 kat_gcm_7_key[] =
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08"
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\xca\xfe\xba\xbe";

static const u8 kat_gcm_7_pt[] =
	"\x45\x00\x00\x28\xa4\xad\x40\x00\x40\x06\x78\x80\x0a\x01\x03\x8f"
	"\x0a\x01\x06\x12\x80\x23\x06\xb8\xcb\x71\x26\x02\xdd\x6b\xb0\x3e"
	"\x50\x10\x16\xd0\x75\x68\x00\x01";

static const u8 kat_gcm_7_packet[] =
	"\x00\x00\xa5\xf8\x00\x00\x00\x0a\xfa\xce\xdb\xad\xde\xca\xf8\x88"
	"\xa5\xb1\xf8\x06\x60\x29\xae\xa4\x0e\x59\x8b\x81\x22\xde\x02\x42"
	"\x09\x38\xb3\xab\x33\xf8\x28\xe6\x87\xb8\x85\x8b\x5b\xfb\xdb\xd0"
	"\x31\x5b\x27\x45\x21\x44\xcc\x77\x95\x45\x7b\x96\x52\x03\x7f\x53"
	"\x18\x02\x7b\x5b\x4c\xd7\xa6\x36";

static const u8 kat_gcm_8_key[] =
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\xde\xca\xf8\x88";

static const u8 kat_gcm_8_pt[] =
	"\x45\x00\x00\x49\x33\xba\x00\x00\x7f\x11\x91\x06\xc3\xfb\x1d\x10"
	"\xc2\xb1\xd3\x26\xc0\x28\x31\xce\x00\x35\xdd\x7b\x80\x03\x02\xd5"
	"\x00\x00\x4e\x20\x00\x1e\x8c\x18\xd7\x5b\x81\xdc\x91\xba\xa0\x47"
	"\x6b\x91\xb9\x24\xb2\x80\x38\x9d\x92\xc9\x63\xba\xc0\x46\xec\x95"
	"\x9b\x62\x66\xc0\x47\x22\xb1\x49\x23\x01\x01\x01";

static const u8 kat_gcm_8_packet[] =
	"\x00\x00\x01\x00\x00\x00\x00\x01\xca\xfe\xde\xba\xce\xfa\xce\x74"
	"\x18\xa6\xfd\x42\xf7\x2c\xbf\x4a\xb2\xa2\xea\x90\x1f\x73\xd8\x14"
	"\xe3\xe7\xf2\x43\xd9\x54\x12\xe1\xc3\x49\xc1\xd2\xfb\xec\x16\x8f"
	"\x91\x90\xfe\xeb\xaf\x2c\xb0\x19\x84\xe6\x58\x63\x96\x5d\x74\x72"
	"\xb7\x9d\xa3\x45\xe0\xe7\x80\x19\x1f\x0d\x2f\x0e\x0f\x49\x6c\x22"
	"\x6f\x21\x27\xb2\x7d\xb3\x57\x24\xe7\x84\x5d\x68\x65\x1f\x57\xe6"
	"\x5f\x35\x4f\x75\xff\x17\x01\x57\x69\x62\x34\x36";

static const u8 kat_gcm_9_key[] =
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\x73\x61\x6c\x74";

static const u8 kat_gcm_9_pt[] =
	"\x45\x08\x00\x28\x73\x2c\x00\x00\x40\x06\xe9\xf9\x0a\x01\x06\x12"
	"\x0a\x01\x03\x8f\x06\xb8\x80\x23\xdd\x6b\xaf\xbe\xcb\x71\x26\x02"
	"\x50\x10\x1f\x64\x6d\x54\x00\x01";

static const u8 kat_gcm_9_packet[] =
	"\x17\x40\x5e\x67\xdd\x0d\xb9\x9b\x61\x6e\x64\x01\x69\x76\x65\x63"
	"\xf2\xd6\x9e\xcd\xbd\x5a\x0d\x5b\x8d\x5e\xf3\x8b\xad\x4d\xa5\x8d"
	"\x1f\x27\x8f\xde\x98\xef\x67\x54\x9d\x52\x4a\x30\x18\xd9\xa5\x7f"
	"\xf4\xd3\xa3\x1c\xe6\x73\x11\x9e\x45\x16\x26\xc2\x41\x57\x71\xe3"
	"\xb7\xee\xbc\xa6\x14\xc8\x9b\x35";

static const u8 kat_gcm_10_key[] =
	"\x3d\xe0\x98\x74\xb3\x88\xe6\x49\x19\x88\xd0\xc3\x60\x7e\xae\x1f"
	"\x57\x69\x0e\x43";

static const u8 kat_gcm_10_pt[] =
	"\x45\x00\x00\x49\x33\x3e\x00\x00\x7f\x11\x91\x82\xc3\xfb\x1d\x10"
	"\xc2\xb1\xd3\x26\xc0\x28\x31\xce\x00\x35\xcb\x45\x80\x03\x02\x5b"
	"\x00\x00\x01\xe0\x00\x1e\x8c\x18\xd6\x57\x59\xd5\x22\x84\xa0\x35"
	"\x2c\x71\x47\x5c\x88\x80\x39\x1c\x76\x4d\x6e\x5e\xe0\x49\x6b\x32"
	"\x5a\xe2\x70\xc0\x38\x99\x49\x39\x15\x01\x01\x01";

static const u8 kat_gcm_10_packet[] =
	"\x42\xf6\x7e\x3f\x10\x10\x10\x10\x4e\x28\x00\x00\xa2\xfc\xa1\xa3"
	"\xfb\xa2\xca\xd1\x2f\xc1\xf9\xf0\x0d\x3c\xeb\xf3\x05\x41\x0d\xb8"
	"\x3d\x77\x84\xb6\x07\x32\x3d\x22\x0f\x24\xb0\xa9\x7d\x54\x18\x28"
	"\x00\xca\xdb\x0f\x68\xd9\x9e\xf0\xe0\xc0\xc8\x9a\xe9\xbe\xa8\x88"
	"\x4e\x52\xd6\x5b\xc1\xaf\xd0\x74\x0f\x74\x24\x44\x74\x7b\x5b\x39"
	"\xab\x53\x31\x63\xaa\xd4\x55\x0e\xe5\x16\x09\x75\xcd\xb6\x08\xc5"
	"\x76\x91\x89\x60\x97\x63\xb8\xe1\x8c\xaa\x81\xe2";

static const u8 kat_gcm_11_key[] =
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\x73\x61\x6c\x74";

static const u8 kat_gcm_11_pt[] =
	"\x63\x69\x73\x63\x6f\x01\x72\x75\x6c\x65\x73\x01\x74\x68\x65\x01"
	"\x6e\x65\x74\x77\x65\x01\x64\x65\x66\x69\x6e\x65\x01\x74\x68\x65"
	"\x74\x65\x63\x68\x6e\x6f\x6c\x6f\x67\x69\x65\x73\x01\x74\x68\x61"
	"\x74\x77\x69\x6c\x6c\x01\x64\x65\x66\x69\x6e\x65\x74\x6f\x6d\x6f"
	"\x72\x72\x6f\x77\x01\x02\x02\x01";

static const u8 kat_gcm_11_packet[] =
	"\x17\x40\x5e\x67\xdd\x0d\xb9\x9b\x61\x6e\x64\x01\x69\x76\x65\x63"
	"\xd4\xb7\xed\x86\xa1\x77\x7f\x2e\xa1\x3d\x69\x73\xd3\x24\xc6\x9e"
	"\x7b\x43\xf8\x26\xfb\x56\x83\x12\x26\x50\x8b\xeb\xd2\xdc\xeb\x18"
	"\xd0\xa6\xdf\x10\xe5\x48\x7d\xf0\x74\x11\x3e\x14\xc6\x41\x02\x4e"
	"\x3e\x67\x73\xd9\x1a\x62\xee\x42\x9b\x04\x3a\x10\xe3\xef\xe6\xb0"
	"\x12\xa4\x93\x63\x41\x23\x64\xf8\xc0\xca\xc5\x87\xf2\x49\xe5\x6b"
	"\x11\xe2\x4f\x30\xe4\x4c\xcc\x76";

static const u8 kat_gcm_12_key[] =
	"\x7d\x77\x3d\x00\xc1\x44\xc5\x25\xac\x61\x9d\x18\xc8\x4a\x3f\x47"
	"\xd9\x66\x42\x67";

static const u8 kat_gcm_12_pt[] =
	"\x01\x02\x02\x01";

static const u8 kat_gcm_12_packet[] =
	"\x33\x54\x67\xae\xff\xff\xff\xff\x43\x45\x7e\x91\x82\x44\x3b\xc6"
	"\x43\x7f\x86\x6b\xcb\x3f\x69\x9f\xe9\xb0\x82\x2b\xac\x96\x1c\x45"
	"\x04\xbe\xf2\x70";

static const u8 kat_gcm_13_key[] =
	"\xab\xbc\xcd\xde\xf0\x01\x12\x23\x34\x45\x56\x67\x78\x89\x9a\xab"
	"\xde\xca\xf8\x88";

static const u8 kat_gcm_13_pt[] =
	"\x74\x6f\x01\x62\x65\x01\x6f\x72\x01\x6e\x6f\x74\x01\x74\x6f\x01"
	"\x62\x65\x00\x01";

static const u8 kat_gcm_13_packet[] =
	"\x00\x00\x01\x00\x00\x00\x00\x01\xca\xfe\xde\xba\xce\xfa\xce\x74"
	"\x29\xc9\xfc\x69\xa1\x97\xd0\x38\xcc\xdd\x14\xe2\xdd\xfc\xaa\x05"
	"\x43\x33\x21\x64\x41\x25\x03\x52\x43\x03\xed\x3c\x6c\x5f\x28\x38"
	"\x43\xaf\x8c\x3e";

static const u8 kat_gcm_14_key[] =
	"\x6c\x65\x67\x61\x6c\x69\x7a\x65\x6d\x61\x72\x69\x6a\x75\x61\x6e"
	"\x61\x61\x6e\x64\x64\x6f\x69\x74\x62\x65\x66\x6f\x72\x65\x69\x61"
	"\x74\x75\x72\x6e";

static const u8 kat_gcm_14_pt[] =
	"\x45\x00\x00\x30\xda\x3a\x00\x00\x80\x01\xdf\x3b\xc0\xa8\x00\x05"
	"\xc0\xa8\x00\x01\x08\x00\xc6\xcd\x02\x00\x07\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x01\x02\x02\x01";

static const u8 kat_gcm_14_packet[] =
	"\x79\x6b\x69\x63\xff\xff\xff\xff\x33\x30\x21\x69\x67\x65\x74\x6d"
	"\xf9\x7a\xb2\xaa\x35\x6d\x8e\xdc\xe1\x76\x44\xac\x8c\x78\xe2\x5d"
	"\xd2\x4d\xed\xbb\x29\xeb\xf1\xb6\x4a\x27\x4b\x39\xb4\x9c\x3a\x86"
	"\x4c\xd3\xd7\x8c\xa4\xae\x68\xa3\x2b\x42\x45\x8f\xb5\x7d\xbe\x82"
	"\x1d\xcc\x63\xb9\xd0\x93\x7b\xa2\x94\x5f\x66\x93\x68\x66\x1a\x32"
	"\x9f\xb4\xc0\x53";

static const u8 kat_gcm_15_key[] =
	"\x4c\x80\xcd\xef\xbb\x5d\x10\xda\x90\x6a\xc7\x3c\x36\x13\xa6\x34"
	"\x22\x43\x3c\x64";

static const u8 kat_gcm_15_pt[] =
	"\x45\x00\x00\x30\xda\x3a\x00\x00\x80\x01\xdf\x3b\xc0\xa8\x00\x05"
	"\xc0\xa8\x00\x01\x08\x00\xc6\xcd\x02\x00\x07\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x01\x02\x02\x01";

static const u8 kat_gcm_15_packet[] =
	"\x00\x00\x43\x21\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x45\x00\x00\x30\xda\x3a\x00\x00\x80\x01\xdf\x3b\xc0\xa8\x00\x05"
	"\xc0\xa8\x00\x01\x08\x00\xc6\xcd\x02\x00\x07\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x01\x02\x02\x01\xf2\xa9\xa8\x36\xe1\x55\x10\x6a\xa8\xdc\xd6\x18"
	"\xe4\x09\x9a\xaa";

static const u8 kat_gcm_16_key[] =
	"\x3d\xe0\x98\x74\xb3\x88\xe6\x49\x19\x88\xd0\xc3\x60\x7e\xae\x1f"
	"\x57\x69\x0e\x43";

static const u8 kat_gcm_16_pt[] =
	"\x45\x00\x00\x30\xda\x3a\x00\x00\x80\x01\xdf\x3b\xc0\xa8\x00\x05"
	"\xc0\xa8\x00\x01\x08\x00\xc6\xcd\x02\x00\x07\x00\x61\x62\x63\x64"
	"\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74"
	"\x01\x02\x02\x01";

static const u8 kat_gcm_16_packet[] =
	"\x3f\x7e\xf6\x42\x10\x10\x10\x10\x4e\x28\x00\x00\xa2\xfc\xa1\xa3"
	"\xfb\xa2\xca\xa8\xc6\xc5\xf9\xf0\xf2\x2c\xa5\x4a\x06\x12\x10\xad"
	"\x3f\x6e\x57\x91\xcf\x1a\xca\x21\x0d\x11\x7c\xec\x9c\x35\x79\x17"
	"\x65\xac\xbd\x87\x01\xad\x79\x84\x5b\xf9\xfe\x3f\xba\x48\x7b\xc9"
	"\x63\x21\x93\x06\x84\xee\xca\xdb\x56\x91\x25\x46\xe7\xa9\x5c\x97"
	"\x40\xd7\xcb\x05";

static const u8 kat_gcm_17_key[] =
	"\x4c\x80\xcd\xef\xbb\x5d\x10\xda\x90\x6a\xc7\x3c\x36\x13\xa6\x34"
	"\x22\x43\x3c\x64";

static const u8 kat_gcm_17_pt[] =
	"\x08\x00\xc6\xcd\x02\x00\x07\x00\x61\x62\x63\x64\x65\x66\x67\x68"
	"\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74\x01\x02\x02\x01";

static const u8 kat_gcm_17_packet[] =
	"\x00\x00\x43\x21\x00\x00\x00\x07\x48\x55\xec\x7d\x3a\x23\x4b\xfd"
	"\x74\x75\x2e\x8a\xeb\x5d\x87\x3c\xd7\xc0\xf4\xac\xc3\x6c\x4b\xff"
	"\x84\xb7\xd7\xb9\x8f\x0c\xa8\xb6\xac\xda\x68\x94\xbc\x61\x90\x69"
	"\xef\x9c\xbc\x28\xfe\x1b\x56\xa7\xc4\xe0\xd5\x8c\x86\xcd\x2b\xc0";

static const struct esp_kat esp_kats[] = {
	{
		.name = "RFC 3602 case 5 (transport, AES-CBC-128)",
		.enc = KIPSEC_ENC_AES_CBC,
		.spi = 0x00004321, .seq = 0x1,
		KAT_DATA(key, kat_rfc3602_5_key),
		KAT_DATA(pt, kat_rfc3602_5_pt),
		KAT_DATA(packet, kat_rfc3602_5_packet),
	},
	{
		.name = "RFC 3602 case 6 (transport, AES-CBC-128)",
		.enc = KIPSEC_ENC_AES_CBC,
		.spi = 0x00004321, .seq = 0x8,
		KAT_DATA(key, kat_rfc3602_6_key),
		KAT_DATA(pt, kat_rfc3602_6_pt),
		KAT_DATA(packet, kat_rfc3602_6_packet),
	},
	{
		.name = "RFC 3602 case 7 (tunnel, AES-CBC-128)",
		.enc = KIPSEC_ENC_AES_CBC,
		.spi = 0x00008765, .seq = 0x2,
		KAT_DATA(key, kat_rfc3602_7_key),
		KAT_DATA(pt, kat_rfc3602_7_pt),
		KAT_DATA(packet, kat_rfc3602_7_packet),
	},
	{
		.name = "RFC 3602 case 8 (tunnel, AES-CBC-128)",
		.enc = KIPSEC_ENC_AES_CBC,
		.spi = 0x00008765, .seq = 0x5,
		KAT_DATA(key, kat_rfc3602_8_key),
		KAT_DATA(pt, kat_rfc3602_8_pt),
		KAT_DATA(packet, kat_rfc3602_8_packet),
	},
	{
		.name = "RFC 7634 appendix A (ChaCha20-Poly1305)",
		.aead = KIPSEC_AEAD_CHACHA20_POLY1305,
		.spi = 0x01020304, .seq = 0x5,
		KAT_DATA(key, kat_rfc7634_key),
		KAT_DATA(pt, kat_rfc7634_pt),
		KAT_DATA(packet, kat_rfc7634_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #1 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x00004321, .seq = 0x8765432100000000ULL, .esn = true,
		KAT_DATA(key, kat_gcm_1_key),
		KAT_DATA(pt, kat_gcm_1_pt),
		KAT_DATA(packet, kat_gcm_1_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #2 (GCM-128)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x0000a5f8, .seq = 0xa,
		KAT_DATA(key, kat_gcm_2_key),
		KAT_DATA(pt, kat_gcm_2_pt),
		KAT_DATA(packet, kat_gcm_2_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #3 (GCM-256)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x4a2cbfe3, .seq = 0x2,
		KAT_DATA(key, kat_gcm_3_key),
		KAT_DATA(pt, kat_gcm_3_pt),
		KAT_DATA(packet, kat_gcm_3_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #4 (GCM-128, zero key)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x00000000, .seq = 0x1,
		KAT_DATA(key, kat_gcm_4_key),
		KAT_DATA(pt, kat_gcm_4_pt),
		KAT_DATA(packet, kat_gcm_4_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #5 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x42f67e3f, .seq = 0x1010101010101010ULL, .esn = true,
		KAT_DATA(key, kat_gcm_5_key),
		KAT_DATA(pt, kat_gcm_5_pt),
		KAT_DATA(packet, kat_gcm_5_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #6 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x42f67e3f, .seq = 0x1010101010101010ULL, .esn = true,
		KAT_DATA(key, kat_gcm_6_key),
		KAT_DATA(pt, kat_gcm_6_pt),
		KAT_DATA(packet, kat_gcm_6_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #7 (GCM-192)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x0000a5f8, .seq = 0xa,
		KAT_DATA(key, kat_gcm_7_key),
		KAT_DATA(pt, kat_gcm_7_pt),
		KAT_DATA(packet, kat_gcm_7_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #8 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x00000100, .seq = 0x0000000000000001ULL, .esn = true,
		KAT_DATA(key, kat_gcm_8_key),
		KAT_DATA(pt, kat_gcm_8_pt),
		KAT_DATA(packet, kat_gcm_8_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #9 (GCM-256, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x17405e67, .seq = 0x156f3126dd0db99bULL, .esn = true,
		KAT_DATA(key, kat_gcm_9_key),
		KAT_DATA(pt, kat_gcm_9_pt),
		KAT_DATA(packet, kat_gcm_9_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #10 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x42f67e3f, .seq = 0x1010101010101010ULL, .esn = true,
		KAT_DATA(key, kat_gcm_10_key),
		KAT_DATA(pt, kat_gcm_10_pt),
		KAT_DATA(packet, kat_gcm_10_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #11 (GCM-256, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x17405e67, .seq = 0x156f3126dd0db99bULL, .esn = true,
		KAT_DATA(key, kat_gcm_11_key),
		KAT_DATA(pt, kat_gcm_11_pt),
		KAT_DATA(packet, kat_gcm_11_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #12 (GCM-128, empty payload)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x335467ae, .seq = 0xffffffff,
		KAT_DATA(key, kat_gcm_12_key),
		KAT_DATA(pt, kat_gcm_12_pt),
		KAT_DATA(packet, kat_gcm_12_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #13 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x00000100, .seq = 0x0000000000000001ULL, .esn = true,
		KAT_DATA(key, kat_gcm_13_key),
		KAT_DATA(pt, kat_gcm_13_pt),
		KAT_DATA(packet, kat_gcm_13_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #14 (GCM-256, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x796b6963, .seq = 0xffffffffffffffffULL, .esn = true,
		KAT_DATA(key, kat_gcm_14_key),
		KAT_DATA(pt, kat_gcm_14_pt),
		KAT_DATA(packet, kat_gcm_14_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #15 (GMAC-128)",
		.aead = KIPSEC_AEAD_AES_GMAC,
		.spi = 0x00004321, .seq = 0x7,
		KAT_DATA(key, kat_gcm_15_key),
		KAT_DATA(pt, kat_gcm_15_pt),
		KAT_DATA(packet, kat_gcm_15_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #16 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x3f7ef642, .seq = 0x1010101010101010ULL, .esn = true,
		KAT_DATA(key, kat_gcm_16_key),
		KAT_DATA(pt, kat_gcm_16_pt),
		KAT_DATA(packet, kat_gcm_16_packet),
	},
	{
		.name = "draft-mcgrew-gcm-test-01 #17 (GCM-128, ESN)",
		.aead = KIPSEC_AEAD_AES_GCM,
		.spi = 0x00004321, .seq = 0x8765432100000007ULL, .esn = true,
		KAT_DATA(key, kat_gcm_17_key),
		KAT_DATA(pt, kat_gcm_17_pt),
		KAT_DATA(packet, kat_gcm_17_packet),
	},
};

static void esp_kat_desc(const struct esp_kat *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(esp_kats, esp_kats, esp_kat_desc);

/* The transform is cryptd's, which completes every request later. */
static void esp_expect_cryptd(struct kunit *test, struct esp_tsa *t)
{
	const char *driver;

	driver = crypto_tfm_alg_driver_name(crypto_aead_tfm(t->sa.crypto.aead));
	KUNIT_EXPECT_EQ_MSG(test, strncmp(driver, "cryptd(", 7), 0,
			    "driver %s", driver);
}

/*
 * Encrypt the vector's inner data with its IV and compare the whole packet;
 * decrypt the vector's packet and compare the inner data and next header.
 */
static void esp_kat_run(struct kunit *test, bool async)
{
	const struct esp_kat *v = test->param_value;
	struct esp_alg a = {
		.aead = v->aead,
		.enc = v->enc,
		.keylen = v->keylen,
	};
	unsigned int padlen = v->pt[v->ptlen - 2];
	unsigned int inner = v->ptlen - 2 - padlen;
	u8 nexthdr = v->pt[v->ptlen - 1];
	struct esp_tsa *t;

	KUNIT_ASSERT_LE(test, padlen + 2, v->ptlen);
	t = esp_tsa_new(test, &a, v->key, v->spi, v->esn, async);
	if (async)
		esp_expect_cryptd(test, t);
	KUNIT_ASSERT_LE(test, KIPSEC_ESP_HLEN + t->sa.crypto.ivlen,
			v->packetlen);

	esp_skb(test, t, v->pt, inner);
	KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, nexthdr, v->seq,
					  v->packet + KIPSEC_ESP_HLEN), 0);
	esp_expect_bytes(test, t->skb, v->packet, v->packetlen,
			 "encrypted packet");

	esp_skb(test, t, v->packet, v->packetlen);
	esp_expect_inner(test, t, v->seq, v->pt, inner, nexthdr);

	/*
	 * With ESN the high half of the sequence number is authenticated
	 * though not sent: the packet does not verify with another one.
	 */
	if (v->esn) {
		esp_skb(test, t, v->packet, v->packetlen);
		KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, v->seq ^ BIT_ULL(32)),
				-EBADMSG);
	}

	KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	if (async)
		KUNIT_EXPECT_GT(test, t->nasync, 0U);
}

static void esp_kat(struct kunit *test)
{
	esp_kat_run(test, false);
}

/* The same, each transform wrapped in cryptd: results come through @done. */
static void esp_kat_async(struct kunit *test)
{
	esp_kat_run(test, true);
}

/* Integrity algorithms, for the tables below. */
#define I_NONE		0
#define I_MD5		KIPSEC_AUTH_HMAC_MD5_96
#define I_SHA1		KIPSEC_AUTH_HMAC_SHA1_96
#define I_SHA256	KIPSEC_AUTH_HMAC_SHA256_128
#define I_SHA384	KIPSEC_AUTH_HMAC_SHA384_192
#define I_SHA512	KIPSEC_AUTH_HMAC_SHA512_256
#define I_XCBC		KIPSEC_AUTH_AES_XCBC_96

/* An AEAD with a key of @bits and @salt bytes of salt, and its ICV size. */
#define AEAD(alg, bits, salt, icv) \
	{ .aead = KIPSEC_AEAD_##alg, .keylen = (bits) / 8 + (salt), .icv_bits = (icv) }
/* A cipher with a key of @bytes (with the nonce), and an integrity algorithm. */
#define ENC(alg, bytes, integ) \
	{ .enc = KIPSEC_ENC_##alg, .keylen = (bytes), .auth = (integ) }

/*
 * Every algorithm, key size and ICV size of the uapi: each AEAD with each
 * key and ICV size; null encryption with each integrity algorithm; each
 * cipher and key size without integrity or with one or two of them, so
 * that every integrity algorithm also goes with a real cipher. (All the
 * pairs would be three times as slow: each pair is a kernel crypto
 * template instance, twice with authencesn, and instantiating one takes
 * seconds on the emulated test machine.)
 */
static const struct esp_alg esp_all_algs[] = {
	AEAD(AES_GCM, 128, 4, 128), AEAD(AES_GCM, 128, 4, 96), AEAD(AES_GCM, 128, 4, 64),
	AEAD(AES_GCM, 192, 4, 128), AEAD(AES_GCM, 192, 4, 96), AEAD(AES_GCM, 192, 4, 64),
	AEAD(AES_GCM, 256, 4, 128), AEAD(AES_GCM, 256, 4, 96), AEAD(AES_GCM, 256, 4, 64),
	AEAD(AES_CCM, 128, 3, 128), AEAD(AES_CCM, 128, 3, 96), AEAD(AES_CCM, 128, 3, 64),
	AEAD(AES_CCM, 192, 3, 128), AEAD(AES_CCM, 192, 3, 96), AEAD(AES_CCM, 192, 3, 64),
	AEAD(AES_CCM, 256, 3, 128), AEAD(AES_CCM, 256, 3, 96), AEAD(AES_CCM, 256, 3, 64),
	AEAD(CHACHA20_POLY1305, 256, 4, 128),
	AEAD(AES_GMAC, 128, 4, 128), AEAD(AES_GMAC, 192, 4, 128), AEAD(AES_GMAC, 256, 4, 128),
	ENC(NULL, 0, I_MD5), ENC(NULL, 0, I_SHA1), ENC(NULL, 0, I_SHA256),
	ENC(NULL, 0, I_SHA384), ENC(NULL, 0, I_SHA512), ENC(NULL, 0, I_XCBC),
	ENC(DES, 8, I_NONE), ENC(DES, 8, I_SHA1),
	ENC(3DES, 24, I_NONE), ENC(3DES, 24, I_MD5),
	ENC(AES_CBC, 16, I_NONE), ENC(AES_CBC, 16, I_SHA256),
	ENC(AES_CBC, 24, I_SHA384),
	ENC(AES_CBC, 32, I_SHA512), ENC(AES_CBC, 32, I_XCBC),
	ENC(AES_CTR, 20, I_NONE), ENC(AES_CTR, 20, I_XCBC),
	ENC(AES_CTR, 28, I_SHA256),
	ENC(AES_CTR, 36, I_SHA512), ENC(AES_CTR, 36, I_MD5),
};

KUNIT_ARRAY_PARAM(esp_all_algs, esp_all_algs, esp_alg_desc);

/* One of each kind of transform. */
static const struct esp_alg esp_some_algs[] = {
	AEAD(AES_GCM, 128, 4, 128),
	AEAD(AES_CCM, 128, 3, 64),
	AEAD(CHACHA20_POLY1305, 256, 4, 0),
	AEAD(AES_GMAC, 256, 4, 0),
	ENC(AES_CBC, 16, I_SHA256),
	ENC(AES_CTR, 20, I_XCBC),
	ENC(NULL, 0, I_SHA1),
};

KUNIT_ARRAY_PARAM(esp_some_algs, esp_some_algs, esp_alg_desc);

/* Counter modes take the sequence number as IV (RFC 3686, 4106, 4309, ...). */
static bool esp_alg_counter_iv(const struct esp_alg *a)
{
	return a->aead || a->enc == KIPSEC_ENC_AES_CTR;
}

static void esp_expect_sizes(struct kunit *test, struct esp_tsa *t,
			     const struct esp_alg *a)
{
	unsigned int ivlen, icvlen, blksize;

	esp_alg_sizes(a, &ivlen, &icvlen, &blksize);
	KUNIT_EXPECT_EQ(test, t->sa.crypto.ivlen, ivlen);
	KUNIT_EXPECT_EQ(test, t->sa.crypto.icvlen, icvlen);
	KUNIT_EXPECT_EQ(test, t->sa.crypto.blksize, blksize);
	if (ivlen)
		KUNIT_EXPECT_EQ(test, t->sa.crypto.iv_random,
				!esp_alg_counter_iv(a));
}

/*
 * Encrypt @len bytes of @inner with a generated IV, check the packet's
 * size and header, then decrypt and strip it.
 */
static bool esp_round_trip_one(struct kunit *test, struct esp_tsa *t,
			       const struct esp_alg *a, const u8 *inner,
			       unsigned int len, u8 nexthdr, u64 seq)
{
	unsigned int ivlen, icvlen, blksize, want, size;
	u8 hdr[KIPSEC_ESP_HLEN + 16];
	int ret;

	esp_alg_sizes(a, &ivlen, &icvlen, &blksize);
	esp_skb(test, t, inner, len);
	ret = esp_encrypt(test, t, nexthdr, seq, NULL);
	if (ret) {
		KUNIT_FAIL(test, "encrypt: %d (inner %u bytes)", ret, len);
		return false;
	}

	/*
	 * What kipsec_esp_overhead() should add (it is not exported to
	 * KUnit): header, IV, padding to the block with the 2-byte
	 * trailer, ICV.
	 */
	size = t->skb->len;
	want = KIPSEC_ESP_HLEN + ivlen + ALIGN(len + 2, blksize) + icvlen;
	if (size != want) {
		KUNIT_FAIL(test, "inner %u bytes: ESP packet of %u, want %u",
			   len, size, want);
		return false;
	}

	KUNIT_ASSERT_EQ(test, skb_copy_bits(t->skb, 0, hdr,
					    KIPSEC_ESP_HLEN + ivlen), 0);
	if (get_unaligned_be32(hdr) != ntohl(t->sa.key.spi) ||
	    get_unaligned_be32(hdr + 4) != lower_32_bits(seq)) {
		KUNIT_FAIL(test, "inner %u bytes, seq %#llx: header %*ph", len,
			   seq, KIPSEC_ESP_HLEN, hdr);
		return false;
	}
	if (ivlen && esp_alg_counter_iv(a) &&
	    get_unaligned_be64(hdr + KIPSEC_ESP_HLEN) != seq) {
		KUNIT_FAIL(test, "seq %#llx: IV %*ph", seq, ivlen,
			   hdr + KIPSEC_ESP_HLEN);
		return false;
	}
	return esp_expect_inner(test, t, seq, inner, len, nexthdr);
}

static u64 esp_test_seq(bool esn, unsigned int i)
{
	/* With ESN, high halves that are not 0 and low halves that wrap. */
	if (esn)
		return (u64)(i * 3 + 1) << 32 | (u32)(0xffffff80U + i);
	return i + 1;
}

/*
 * Inner packet lengths: 0 to 17 take every padding length of every block
 * size (4, 8 and 16 bytes) and then some; a few longer ones up to 300.
 * (Every length from 0 to 300 would add half a minute on the emulated
 * test machine.)
 */
static const unsigned int esp_round_trip_lens[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	46, 64, 127, 254, 299, ESP_MAX_INNER,
};

static void esp_round_trip(struct kunit *test)
{
	const struct esp_alg *a = test->param_value;
	unsigned int i, len;
	struct esp_tsa *t;
	u8 *inner;
	int esn;

	inner = kunit_kmalloc(test, ESP_MAX_INNER + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inner);
	for (i = 0; i <= ESP_MAX_INNER; i++)
		inner[i] = i * 131 + 17;

	for (esn = 0; esn <= 1; esn++) {
		t = esp_tsa_new(test, a, NULL, 0x1000 + esn, esn, false);
		esp_expect_sizes(test, t, a);
		for (i = 0; i < ARRAY_SIZE(esp_round_trip_lens); i++) {
			len = esp_round_trip_lens[i];
			if (!esp_round_trip_one(test, t, a, inner, len,
						len * 37 + 4,
						esp_test_seq(esn, len)))
				break;
		}
		KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	}
}

static const char *esp_region(const struct esp_tsa *t, unsigned int off,
			      unsigned int len)
{
	if (off < 4)
		return "SPI";
	if (off < KIPSEC_ESP_HLEN)
		return "sequence number";
	if (off < KIPSEC_ESP_HLEN + t->sa.crypto.ivlen)
		return "IV";
	if (off < len - t->sa.crypto.icvlen)
		return "payload";
	return "ICV";
}

/*
 * A single-bit change anywhere in an ESP packet fails its ICV (one bit of
 * every byte, each bit position in turn), and so does the wrong high half
 * of an extended sequence number (every fourth of its bits).
 */
static void esp_tamper(struct kunit *test)
{
	const struct esp_alg *a = test->param_value;
	unsigned int i, len, bad;
	struct esp_tsa *t;
	u8 inner[37], *pkt;
	int esn, ret;
	u64 seq;

	for (i = 0; i < sizeof(inner); i++)
		inner[i] = 0x40 + i;

	for (esn = 0; esn <= 1; esn++) {
		t = esp_tsa_new(test, a, NULL, 0xc0de0000 + esn, esn, false);
		seq = esn ? 0x0000000700000123ULL : 0x123;
		esp_skb(test, t, inner, sizeof(inner));
		KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, IPPROTO_IPIP, seq,
						  NULL), 0);
		len = t->skb->len;
		pkt = esp_bytes(test, t->skb);

		esp_skb(test, t, pkt, len);
		KUNIT_ASSERT_TRUE(test, esp_expect_inner(test, t, seq, inner,
							 sizeof(inner),
							 IPPROTO_IPIP));

		bad = 0;
		for (i = 0; i < len * 8; i += 9) {
			pkt[i / 8] ^= BIT(i % 8);
			esp_skb(test, t, pkt, len);
			pkt[i / 8] ^= BIT(i % 8);
			ret = esp_decrypt(test, t, seq);
			if (ret != -EBADMSG && bad++ < 8)
				KUNIT_FAIL(test, "%s: bit %u of byte %u (%s) flipped: %d",
					   esn ? "ESN" : "no ESN", i % 8, i / 8,
					   esp_region(t, i / 8, len), ret);
		}
		KUNIT_EXPECT_EQ(test, bad, 0U);

		if (esn) {
			for (i = 32; i < 64; i += 4) {
				esp_skb(test, t, pkt, len);
				KUNIT_EXPECT_EQ_MSG(test,
						    esp_decrypt(test, t, seq ^ BIT_ULL(i)),
						    -EBADMSG, "seq bit %u flipped", i);
			}
		} else {
			/* Only the 32 bits on the wire are authenticated. */
			esp_skb(test, t, pkt, len);
			esp_expect_inner(test, t, seq + BIT_ULL(32), inner,
					 sizeof(inner), IPPROTO_IPIP);
		}
		KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	}
}

/* How a packet is spread over an skb. */
struct esp_layout {
	const char *name;
	unsigned int head;	/* bytes in the skb head */
	unsigned int nfrags;	/* then page fragments of @fraglen bytes */
	unsigned int fraglen;
	bool frag_list;		/* the rest on the frag list, else in the
				 * last page fragment
				 */
};

static const struct esp_layout esp_layouts[] = {
	{ "page fragments only", 0, 3, 40, false },
	{ "head and page fragments", 13, 3, 1, false },
	{ "head and frag list", 20, 0, 0, true },
	{ "head, page fragments and frag list", 10, 2, 33, true },
};

#define ESP_FRAG_OFF	100	/* where data starts in a fragment's page */

/* @len bytes of @data, laid out as @l says, as the test's packet. */
static void esp_skb_layout(struct kunit *test, struct esp_tsa *t,
			   const u8 *data, unsigned int len,
			   const struct esp_layout *l)
{
	unsigned int off, n, i;
	struct sk_buff *skb, *frag;
	struct page *page;

	off = min(l->head, len);
	esp_skb(test, t, data, off);
	skb = t->skb;
	for (i = 0; i < l->nfrags && off < len; i++) {
		n = min(l->fraglen, len - off);
		if (i == l->nfrags - 1 && !l->frag_list)
			n = len - off;
		KUNIT_ASSERT_LE(test, ESP_FRAG_OFF + n, PAGE_SIZE);
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page) + ESP_FRAG_OFF, data + off, n);
		skb_add_rx_frag(skb, i, page, ESP_FRAG_OFF, n, PAGE_SIZE);
		off += n;
	}
	if (off == len)
		return;
	KUNIT_ASSERT_TRUE(test, l->frag_list);
	frag = alloc_skb(len - off, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frag);
	skb_put_data(frag, data + off, len - off);
	skb_shinfo(skb)->frag_list = frag;
	skb->len += frag->len;
	skb->data_len += frag->len;
	skb->truesize += frag->truesize;
}

/*
 * Packets in page fragments and frag lists (which skb_cow_data() pulls in
 * or copies): encryption gives the bytes it gives for a linear packet
 * with the same IV, and decryption the same inner packet.
 */
static void esp_nonlinear(struct kunit *test)
{
	static const unsigned int lens[] = { 61, 250 };
	const struct esp_alg *a = test->param_value;
	unsigned int i, j, plen;
	u8 *inner, *ref, iv[16];
	struct esp_tsa *t;
	int esn;
	u64 seq;

	inner = kunit_kmalloc(test, ESP_MAX_INNER, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inner);
	for (i = 0; i < ESP_MAX_INNER; i++)
		inner[i] = i * 7 + 1;
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = 0xe0 + i;

	for (esn = 0; esn <= 1; esn++) {
		t = esp_tsa_new(test, a, NULL, 0x2000 + esn, esn, false);
		for (i = 0; i < ARRAY_SIZE(esp_layouts); i++) {
			const struct esp_layout *l = &esp_layouts[i];

			for (j = 0; j < ARRAY_SIZE(lens); j++) {
				seq = esp_test_seq(esn, i * 2 + j);
				kunit_info(test, "%s, inner %u bytes%s", l->name,
					   lens[j], esn ? ", ESN" : "");

				esp_skb(test, t, inner, lens[j]);
				KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, 4, seq, iv), 0);
				plen = t->skb->len;
				ref = esp_bytes(test, t->skb);

				esp_skb_layout(test, t, inner, lens[j], l);
				KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, 4, seq, iv), 0);
				esp_expect_bytes(test, t->skb, ref, plen,
						 "encrypted packet");
				esp_expect_inner(test, t, seq, inner, lens[j], 4);

				esp_skb_layout(test, t, ref, plen, l);
				esp_expect_inner(test, t, seq, inner, lens[j], 4);
				kunit_kfree(test, ref);
			}
		}
		KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	}
}

/*
 * Every transform wrapped in cryptd: encryption and decryption return
 * -EINPROGRESS and the done callback delivers the result, failures too.
 */
static void esp_async(struct kunit *test)
{
	const struct esp_alg *a = test->param_value;
	unsigned int len, size;
	struct esp_tsa *t;
	u8 inner[40], *pkt;
	int esn;

	for (len = 0; len < sizeof(inner); len++)
		inner[len] = len ^ 0x3c;

	for (esn = 0; esn <= 1; esn++) {
		t = esp_tsa_new(test, a, NULL, 0x3000 + esn, esn, true);
		esp_expect_cryptd(test, t);
		esp_expect_sizes(test, t, a);
		for (len = 0; len <= sizeof(inner); len++)
			if (!esp_round_trip_one(test, t, a, inner, len, 41,
						esp_test_seq(esn, len)))
				break;

		esp_skb(test, t, inner, sizeof(inner));
		KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, 41, 77, NULL), 0);
		size = t->skb->len;
		pkt = esp_bytes(test, t->skb);
		pkt[size - 1] ^= 0x80;
		esp_skb(test, t, pkt, size);
		KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, 77), -EBADMSG);

		KUNIT_EXPECT_GT(test, t->nasync, 0U);
		KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
	}
}

/* What malformed input and too little room get. */
static void esp_bad_input(struct kunit *test)
{
	static const struct esp_alg null_sha1 = ENC(NULL, 0, I_SHA1);
	static const u8 inner[5] = { 1, 2, 3, 4, 5 };
	struct sk_buff *skb;
	struct esp_tsa *t;
	unsigned int len;
	u8 nexthdr, *pkt;

	/* ESN: ESP header and high half, 12 bytes, in front of the packet. */
	t = esp_tsa_new(test, &null_sha1, NULL, 0x777, true, false);
	skb = alloc_skb(ESP_HEADROOM, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, KIPSEC_ESP_HLEN + 3);
	skb_put_data(skb, inner, sizeof(inner));
	esp_set_skb(t, skb);
	KUNIT_EXPECT_EQ(test, esp_encrypt(test, t, 4, 1, NULL), -ENOBUFS);
	esp_expect_bytes(test, t->skb, inner, sizeof(inner),
			 "packet after -ENOBUFS");

	/* SPI, seq, 5 bytes, 1 of padding, pad length, next header, ICV. */
	esp_skb(test, t, inner, sizeof(inner));
	KUNIT_ASSERT_EQ(test, esp_encrypt(test, t, 4, 1, NULL), 0);
	len = t->skb->len;
	KUNIT_ASSERT_EQ(test, len, KIPSEC_ESP_HLEN + 8 + 12);
	pkt = esp_bytes(test, t->skb);

	/* Shorter than header and ICV; no trailer; not whole blocks. */
	esp_skb(test, t, pkt, KIPSEC_ESP_HLEN + 11);
	KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, 1), -EINVAL);
	esp_skb(test, t, pkt, KIPSEC_ESP_HLEN + 1 + 12);
	KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, 1), -EINVAL);
	esp_skb(test, t, pkt, len - 1);
	KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, 1), -EINVAL);

	/* No room in front for the high half of the sequence number. */
	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, pkt, len);
	esp_set_skb(t, skb);
	KUNIT_EXPECT_EQ(test, esp_decrypt(test, t, 1), -EINVAL);

	/*
	 * Padding that is not 1, 2, 3, ... or longer than the payload:
	 * changed after decryption, as a peer could have sent it.
	 */
	esp_skb(test, t, pkt, len);
	KUNIT_ASSERT_EQ(test, esp_decrypt(test, t, 1), 0);
	t->skb->data[KIPSEC_ESP_HLEN + 5] = 2;
	KUNIT_EXPECT_EQ(test, kipsec_esp_strip(&t->sa, t->skb, &nexthdr),
			-EPROTO);
	esp_skb(test, t, pkt, len);
	KUNIT_ASSERT_EQ(test, esp_decrypt(test, t, 1), 0);
	t->skb->data[KIPSEC_ESP_HLEN + 6] = 7;
	KUNIT_EXPECT_EQ(test, kipsec_esp_strip(&t->sa, t->skb, &nexthdr),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, t->ndone, t->nasync);
}

static struct kunit_case esp_test_cases[] = {
	KUNIT_CASE_PARAM(esp_kat, esp_kats_gen_params),
	KUNIT_CASE_PARAM(esp_kat_async, esp_kats_gen_params),
	KUNIT_CASE_PARAM(esp_tamper, esp_some_algs_gen_params),
	KUNIT_CASE_PARAM(esp_round_trip, esp_all_algs_gen_params),
	KUNIT_CASE_PARAM(esp_nonlinear, esp_some_algs_gen_params),
	KUNIT_CASE_PARAM(esp_async, esp_some_algs_gen_params),
	KUNIT_CASE(esp_bad_input),
	{}
};

static struct kunit_suite esp_test_suite = {
	.name = "kipsec_esp",
	.test_cases = esp_test_cases,
};

kunit_test_suite(esp_test_suite);
