// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the algorithms of an SA. Every algorithm is a kernel crypto API
 * AEAD transform, so that ESP has one code path: a combined-mode algorithm
 * through its RFC 4106/4309/4543/7634 template, or a cipher and an
 * integrity algorithm through authenc (authencesn with ESN, which moves
 * the high sequence bits behind the payload for the ICV as RFC 4303
 * section 2.2.1 says). Key layouts match XFRM's. AH takes the integrity
 * algorithm alone, as a hash transform (crypto_ahash) keyed with the raw
 * key.
 */
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "crypto.h"
#include "uapi/kipsec.h"

bool kipsec_force_cryptd;
module_param_named(force_cryptd, kipsec_force_cryptd, bool, 0644);
MODULE_PARM_DESC(force_cryptd,
		 "Wrap new SAs' transforms in cryptd (tests asynchronous completion)");
EXPORT_SYMBOL_IF_KUNIT(kipsec_force_cryptd);

struct kipsec_aead_desc {
	const char *tmpl;
	u8 saltlen;
	u8 keylens[3];		/* allowed key sizes without salt, 0 = unused */
	u8 icvlens[3];		/* allowed ICV sizes in bytes; [0] is default */
};

static const struct kipsec_aead_desc kipsec_aead_algs[] = {
	[KIPSEC_AEAD_AES_GCM] = {
		"rfc4106(gcm(aes))", 4, { 16, 24, 32 }, { 16, 12, 8 } },
	[KIPSEC_AEAD_AES_CCM] = {
		"rfc4309(ccm(aes))", 3, { 16, 24, 32 }, { 16, 12, 8 } },
	[KIPSEC_AEAD_CHACHA20_POLY1305] = {
		"rfc7539esp(chacha20,poly1305)", 4, { 32 }, { 16 } },
	[KIPSEC_AEAD_AES_GMAC] = {
		"rfc4543(gcm(aes))", 4, { 16, 24, 32 }, { 16 } },
};

struct kipsec_enc_desc {
	const char *name;
	u8 noncelen;		/* RFC 3686 nonce at the end of the key */
	u8 keylens[3];
	bool iv_random;
};

static const struct kipsec_enc_desc kipsec_enc_algs[] = {
	[KIPSEC_ENC_NULL] = { "ecb(cipher_null)", 0, { 0 }, false },
	[KIPSEC_ENC_DES] = { "cbc(des)", 0, { 8 }, true },
	[KIPSEC_ENC_3DES] = { "cbc(des3_ede)", 0, { 24 }, true },
	[KIPSEC_ENC_AES_CBC] = { "cbc(aes)", 0, { 16, 24, 32 }, true },
	[KIPSEC_ENC_AES_CTR] = { "rfc3686(ctr(aes))", 4, { 16, 24, 32 }, false },
};

struct kipsec_auth_desc {
	const char *name;
	u8 keylen;
	u8 icvlen;
};

static const struct kipsec_auth_desc kipsec_auth_algs[] = {
	[KIPSEC_AUTH_HMAC_MD5_96] = { "hmac(md5)", 16, 12 },
	[KIPSEC_AUTH_HMAC_SHA1_96] = { "hmac(sha1)", 20, 12 },
	[KIPSEC_AUTH_HMAC_SHA256_128] = { "hmac(sha256)", 32, 16 },
	[KIPSEC_AUTH_HMAC_SHA384_192] = { "hmac(sha384)", 48, 24 },
	[KIPSEC_AUTH_HMAC_SHA512_256] = { "hmac(sha512)", 64, 32 },
	[KIPSEC_AUTH_AES_XCBC_96] = { "xcbc(aes)", 16, 12 },
};

bool kipsec_auth_alg_valid(u32 alg)
{
	return alg && alg < ARRAY_SIZE(kipsec_auth_algs);
}

static bool kipsec_len_in(unsigned int len, const u8 *lens, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (lens[i] == len && (len || i == 0))
			return true;
	return false;
}

static struct crypto_aead *kipsec_alloc_aead(const char *name)
{
	char wrapped[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *tfm;
	int n;

	if (!kipsec_force_cryptd)
		return crypto_alloc_aead(name, 0, 0);

	/*
	 * A cryptd instance is registered under the driver name of what it
	 * wraps, so find a synchronous implementation first and wrap that.
	 */
	tfm = crypto_alloc_aead(name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return tfm;
	n = snprintf(wrapped, sizeof(wrapped), "cryptd(%s)",
		     crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm)));
	crypto_free_aead(tfm);
	if (n >= sizeof(wrapped))
		return ERR_PTR(-ENAMETOOLONG);
	return crypto_alloc_aead(wrapped, 0, 0);
}

static struct crypto_ahash *kipsec_alloc_ahash(const char *name)
{
	char wrapped[CRYPTO_MAX_ALG_NAME];
	struct crypto_ahash *tfm;
	int n;

	if (!kipsec_force_cryptd)
		return crypto_alloc_ahash(name, 0, 0);

	/* As for AEAD: wrap a synchronous implementation in cryptd. */
	tfm = crypto_alloc_ahash(name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return tfm;
	n = snprintf(wrapped, sizeof(wrapped), "cryptd(%s)",
		     crypto_tfm_alg_driver_name(crypto_ahash_tfm(tfm)));
	crypto_free_ahash(tfm);
	if (n >= sizeof(wrapped))
		return ERR_PTR(-ENAMETOOLONG);
	return crypto_alloc_ahash(wrapped, 0, 0);
}

/* AH: the integrity algorithm alone, its ICV the truncated digest. */
static int kipsec_crypto_init_ahash(struct kipsec_crypto *c,
				    const struct kipsec_alg_params *p,
				    const char **why, int *attr)
{
	const struct kipsec_auth_desc *a;
	int ret;

	if (!kipsec_auth_alg_valid(p->auth_alg)) {
		*why = "unknown integrity algorithm";
		*attr = KIPSEC_A_SA_AUTH_ALG;
		return -EINVAL;
	}
	a = &kipsec_auth_algs[p->auth_alg];
	if (p->auth_keylen != a->keylen) {
		*why = "key length does not fit the integrity algorithm";
		*attr = KIPSEC_A_SA_AUTH_KEY;
		return -EINVAL;
	}
	c->ahash = kipsec_alloc_ahash(a->name);
	if (IS_ERR(c->ahash)) {
		ret = PTR_ERR(c->ahash);
		c->ahash = NULL;
		*why = "the kernel has no implementation of the integrity algorithm";
		*attr = KIPSEC_A_SA_AUTH_ALG;
		return ret;
	}
	if (crypto_ahash_digestsize(c->ahash) < a->icvlen) {
		ret = -EINVAL;
		*why = "the integrity algorithm's digest is shorter than its ICV";
		*attr = KIPSEC_A_SA_AUTH_ALG;
		goto err;
	}
	ret = crypto_ahash_setkey(c->ahash, p->auth_key, p->auth_keylen);
	if (ret) {
		*why = "the integrity algorithm refused the key";
		*attr = KIPSEC_A_SA_AUTH_KEY;
		goto err;
	}
	c->icvlen = a->icvlen;
	c->blksize = 4;
	return 0;

err:
	crypto_free_ahash(c->ahash);
	c->ahash = NULL;
	return ret;
}

static int kipsec_crypto_init_aead(struct kipsec_crypto *c,
				   const struct kipsec_alg_params *p,
				   const char **why, int *attr)
{
	const struct kipsec_aead_desc *d = &kipsec_aead_algs[p->aead_alg];
	unsigned int keylen = p->aead_keylen - d->saltlen;
	unsigned int icvlen = d->icvlens[0];
	int ret;

	if (p->aead_keylen < d->saltlen ||
	    !kipsec_len_in(keylen, d->keylens, ARRAY_SIZE(d->keylens))) {
		*why = "key length does not fit the AEAD algorithm";
		*attr = KIPSEC_A_SA_AEAD_KEY;
		return -EINVAL;
	}
	if (p->icv_bits) {
		icvlen = p->icv_bits / 8;
		if (p->icv_bits % 8 ||
		    !kipsec_len_in(icvlen, d->icvlens, ARRAY_SIZE(d->icvlens))) {
			*why = "ICV length not supported by the AEAD algorithm";
			*attr = KIPSEC_A_SA_ICV_BITS;
			return -EINVAL;
		}
	}

	c->aead = kipsec_alloc_aead(d->tmpl);
	if (IS_ERR(c->aead)) {
		ret = PTR_ERR(c->aead);
		c->aead = NULL;
		*why = "the kernel has no implementation of the AEAD algorithm";
		*attr = KIPSEC_A_SA_AEAD_ALG;
		return ret;
	}
	ret = crypto_aead_setkey(c->aead, p->aead_key, p->aead_keylen);
	if (ret) {
		*why = "the AEAD algorithm refused the key";
		*attr = KIPSEC_A_SA_AEAD_KEY;
		goto err;
	}
	ret = crypto_aead_setauthsize(c->aead, icvlen);
	if (ret) {
		*why = "the AEAD algorithm refused the ICV length";
		*attr = KIPSEC_A_SA_ICV_BITS;
		goto err;
	}
	c->key_bits = keylen * 8;
	c->iv_random = false;
	return 0;

err:
	crypto_free_aead(c->aead);
	c->aead = NULL;
	return ret;
}

static int kipsec_crypto_init_authenc(struct kipsec_crypto *c,
				      const struct kipsec_alg_params *p,
				      const char **why, int *attr)
{
	const struct kipsec_enc_desc *e = &kipsec_enc_algs[p->enc_alg];
	const struct kipsec_auth_desc *a = NULL;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_authenc_key_param *param;
	unsigned int keylen, authkeylen = 0;
	struct rtattr *rta;
	u8 *key, *k;
	int ret;

	keylen = p->enc_keylen - e->noncelen;
	if (p->enc_keylen < e->noncelen ||
	    !kipsec_len_in(keylen, e->keylens, ARRAY_SIZE(e->keylens))) {
		*why = "key length does not fit the cipher";
		*attr = KIPSEC_A_SA_ENC_KEY;
		return -EINVAL;
	}
	if (p->auth_alg) {
		a = &kipsec_auth_algs[p->auth_alg];
		authkeylen = a->keylen;
		if (p->auth_keylen != a->keylen) {
			*why = "key length does not fit the integrity algorithm";
			*attr = KIPSEC_A_SA_AUTH_KEY;
			return -EINVAL;
		}
	}

	if (snprintf(name, sizeof(name), "%s(%s,%s)",
		     p->esn ? "authencesn" : "authenc",
		     a ? a->name : "digest_null", e->name) >= sizeof(name))
		return -ENAMETOOLONG;
	c->aead = kipsec_alloc_aead(name);
	if (IS_ERR(c->aead)) {
		ret = PTR_ERR(c->aead);
		c->aead = NULL;
		*why = "the kernel has no implementation of the algorithms";
		*attr = a ? KIPSEC_A_SA_AUTH_ALG : KIPSEC_A_SA_ENC_ALG;
		return ret;
	}

	/* The authenc key: an rtattr with the cipher key length, the
	 * integrity key, then the cipher key.
	 */
	key = kmalloc(RTA_SPACE(sizeof(*param)) + authkeylen + p->enc_keylen,
		      GFP_KERNEL);
	if (!key) {
		ret = -ENOMEM;
		goto err;
	}
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(p->enc_keylen);
	k = key + RTA_SPACE(sizeof(*param));
	if (authkeylen)
		memcpy(k, p->auth_key, authkeylen);
	if (p->enc_keylen)
		memcpy(k + authkeylen, p->enc_key, p->enc_keylen);
	ret = crypto_aead_setkey(c->aead, key, k + authkeylen +
				 p->enc_keylen - key);
	kfree_sensitive(key);
	if (ret) {
		*why = "the algorithms refused the key";
		*attr = KIPSEC_A_SA_ENC_KEY;
		goto err;
	}
	ret = crypto_aead_setauthsize(c->aead, a ? a->icvlen : 0);
	if (ret) {
		*why = "the integrity algorithm refused its ICV length";
		*attr = KIPSEC_A_SA_AUTH_ALG;
		goto err;
	}
	c->key_bits = keylen * 8;
	c->iv_random = e->iv_random;
	return 0;

err:
	crypto_free_aead(c->aead);
	c->aead = NULL;
	return ret;
}

int kipsec_crypto_init(struct kipsec_crypto *c,
		       const struct kipsec_alg_params *p,
		       const char **why, int *attr)
{
	unsigned int blksize;
	int ret;

	memset(c, 0, sizeof(*c));
	if (p->ah)
		return kipsec_crypto_init_ahash(c, p, why, attr);
	if (p->aead_alg) {
		if (p->aead_alg >= ARRAY_SIZE(kipsec_aead_algs)) {
			*why = "unknown AEAD algorithm";
			*attr = KIPSEC_A_SA_AEAD_ALG;
			return -EINVAL;
		}
		ret = kipsec_crypto_init_aead(c, p, why, attr);
	} else {
		if (!p->enc_alg || p->enc_alg >= ARRAY_SIZE(kipsec_enc_algs)) {
			*why = "unknown cipher";
			*attr = KIPSEC_A_SA_ENC_ALG;
			return -EINVAL;
		}
		if (p->auth_alg && !kipsec_auth_alg_valid(p->auth_alg)) {
			*why = "unknown integrity algorithm";
			*attr = KIPSEC_A_SA_AUTH_ALG;
			return -EINVAL;
		}
		/* RFC 4303 section 3.2: not both NULL. */
		if (p->enc_alg == KIPSEC_ENC_NULL && !p->auth_alg) {
			*why = "null encryption needs an integrity algorithm";
			*attr = KIPSEC_A_SA_ENC_ALG;
			return -EINVAL;
		}
		ret = kipsec_crypto_init_authenc(c, p, why, attr);
	}
	if (ret)
		return ret;

	c->ivlen = crypto_aead_ivsize(c->aead);
	c->icvlen = crypto_aead_authsize(c->aead);
	blksize = max(crypto_aead_blocksize(c->aead), 4U);
	c->blksize = ALIGN(blksize, 4);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_crypto_init);

void kipsec_crypto_destroy(struct kipsec_crypto *c)
{
	crypto_free_aead(c->aead);
	c->aead = NULL;
	crypto_free_ahash(c->ahash);
	c->ahash = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_crypto_destroy);
