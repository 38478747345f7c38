// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 cryptography on OpenSSL 3 EVP (see ikecrypto.h). Every primitive
 * (HMAC, hashes, CBC, DH, ECDH, X25519) is OpenSSL's; this file only
 * arranges inputs the way RFC 2409 says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>

#include "ikecrypto.h"

static OSSL_PROVIDER *prov_default, *prov_legacy;

int ike_crypto_init(void)
{
	/* Loading one provider explicitly stops the default one loading by
	 * itself, so both are loaded. */
	if (!prov_legacy)
		prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	if (!prov_default)
		prov_default = OSSL_PROVIDER_load(NULL, "default");
	return prov_default ? 0 : -1;
}

static const char *md_name(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_MD5: return "MD5";
	case IKE_HASH_SHA1: return "SHA1";
	case IKE_HASH_SHA2_256: return "SHA2-256";
	case IKE_HASH_SHA2_384: return "SHA2-384";
	case IKE_HASH_SHA2_512: return "SHA2-512";
	default: return NULL;
	}
}

size_t ike_hash_len(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_MD5: return 16;
	case IKE_HASH_SHA1: return 20;
	case IKE_HASH_SHA2_256: return 32;
	case IKE_HASH_SHA2_384: return 48;
	case IKE_HASH_SHA2_512: return 64;
	default: return 0;
	}
}

int ike_hash(uint16_t hash, const struct ike_chunk *in, size_t n, uint8_t *out)
{
	const char *name = md_name(hash);
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	int ok = 0;

	if (!name || ike_crypto_init())
		return -1;
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	if (md && ctx && EVP_DigestInit_ex(ctx, md, NULL)) {
		ok = 1;
		for (size_t i = 0; ok && i < n; i++)
			ok = EVP_DigestUpdate(ctx, in[i].p, in[i].len);
		ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	}
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

int ike_prf(uint16_t hash, const uint8_t *key, size_t keylen,
	    const struct ike_chunk *in, size_t n, uint8_t *out)
{
	const char *name = md_name(hash);
	size_t outlen = ike_hash_len(hash), got = 0;
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	OSSL_PARAM params[2];
	int ok = 0;

	if (!name || ike_crypto_init())
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		ctx = EVP_MAC_CTX_new(mac);
	if (ctx && EVP_MAC_init(ctx, key, keylen, params)) {
		ok = 1;
		for (size_t i = 0; ok && i < n; i++)
			ok = EVP_MAC_update(ctx, in[i].p, in[i].len);
		ok = ok && EVP_MAC_final(ctx, out, &got, outlen) && got == outlen;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

int ike_cipher_info(uint16_t enc, unsigned keybits, size_t *key_len,
		    size_t *block_len)
{
	switch (enc) {
	case IKE_ENC_DES_CBC:
		if (keybits && keybits != 64)
			return -1;
		*key_len = 8;
		*block_len = 8;
		return 0;
	case IKE_ENC_3DES_CBC:
		if (keybits && keybits != 192)
			return -1;
		*key_len = 24;
		*block_len = 8;
		return 0;
	case IKE_ENC_AES_CBC:
		if (keybits != 128 && keybits != 192 && keybits != 256)
			return -1;
		*key_len = keybits / 8;
		*block_len = 16;
		return 0;
	default:
		return -1;
	}
}

static const char *cipher_name(uint16_t enc, size_t key_len)
{
	switch (enc) {
	case IKE_ENC_DES_CBC:
		return key_len == 8 ? "DES-CBC" : NULL;
	case IKE_ENC_3DES_CBC:
		return key_len == 24 ? "DES-EDE3-CBC" : NULL;
	case IKE_ENC_AES_CBC:
		return key_len == 16 ? "AES-128-CBC" :
		       key_len == 24 ? "AES-192-CBC" :
		       key_len == 32 ? "AES-256-CBC" : NULL;
	default:
		return NULL;
	}
}

static int prf1(const struct ike_p1_keys *k, const uint8_t *key,
		const struct ike_chunk *in, size_t n, uint8_t *out)
{
	return ike_prf(k->hash, key, k->prf_len, in, n, out);
}

void ike_p1_keys_wipe(struct ike_p1_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int ike_skeyid_psk(struct ike_p1_keys *k, uint16_t hash, const uint8_t *psk,
		   size_t psk_len, struct ike_chunk ni_b, struct ike_chunk nr_b)
{
	struct ike_chunk in[] = { ni_b, nr_b };

	ike_p1_keys_wipe(k);
	k->hash = hash;
	k->prf_len = ike_hash_len(hash);
	if (!k->prf_len || !psk_len)
		return -1;
	return ike_prf(hash, psk, psk_len, in, 2, k->skeyid);
}

int ike_skeyid_derive(struct ike_p1_keys *k, struct ike_chunk gxy,
		      const uint8_t cky_i[8], const uint8_t cky_r[8],
		      size_t key_len)
{
	static const uint8_t b0 = 0, b1 = 1, b2 = 2;
	struct ike_chunk ci = { cky_i, 8 }, cr = { cky_r, 8 };
	struct ike_chunk in_d[] = { gxy, ci, cr, { &b0, 1 } };
	struct ike_chunk in_a[] = { { k->skeyid_d, k->prf_len }, gxy, ci, cr, { &b1, 1 } };
	struct ike_chunk in_e[] = { { k->skeyid_a, k->prf_len }, gxy, ci, cr, { &b2, 1 } };
	uint8_t ka[IKE_MAX_KEY_LEN + IKE_MAX_PRF_LEN];
	size_t have;

	if (!k->prf_len || key_len > IKE_MAX_KEY_LEN)
		return -1;
	if (prf1(k, k->skeyid, in_d, 4, k->skeyid_d) ||
	    prf1(k, k->skeyid, in_a, 5, k->skeyid_a) ||
	    prf1(k, k->skeyid, in_e, 5, k->skeyid_e))
		return -1;
	k->enc_key_len = key_len;
	if (k->prf_len >= key_len) {
		memcpy(k->enc_key, k->skeyid_e, key_len);
		return 0;
	}
	/* RFC 2409 Appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0),
	 * Kn = prf(SKEYID_e, Kn-1). */
	struct ike_chunk zero = { &b0, 1 };

	if (prf1(k, k->skeyid_e, &zero, 1, ka))
		return -1;
	for (have = k->prf_len; have < key_len; have += k->prf_len) {
		struct ike_chunk prev = { ka + have - k->prf_len, k->prf_len };

		if (prf1(k, k->skeyid_e, &prev, 1, ka + have)) {
			OPENSSL_cleanse(ka, sizeof(ka));
			return -1;
		}
	}
	memcpy(k->enc_key, ka, key_len);
	OPENSSL_cleanse(ka, sizeof(ka));
	return 0;
}

int ike_iv_phase1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr,
		  size_t block_len, struct ike_iv *iv)
{
	struct ike_chunk in[] = { gxi, gxr };
	uint8_t h[IKE_MAX_PRF_LEN];

	if (!block_len || block_len > IKE_MAX_BLOCK_LEN ||
	    ike_hash_len(hash) < block_len || ike_hash(hash, in, 2, h))
		return -1;
	memcpy(iv->b, h, block_len);
	iv->len = block_len;
	return 0;
}

int ike_iv_phase2(uint16_t hash, const struct ike_iv *p1_last, uint32_t msgid,
		  struct ike_iv *iv)
{
	uint8_t mid[4] = { msgid >> 24, msgid >> 16, msgid >> 8, msgid };
	struct ike_chunk in[] = { { p1_last->b, p1_last->len }, { mid, 4 } };
	uint8_t h[IKE_MAX_PRF_LEN];
	size_t bl = p1_last->len;

	if (!bl || bl > IKE_MAX_BLOCK_LEN || ike_hash_len(hash) < bl ||
	    ike_hash(hash, in, 2, h))
		return -1;
	memcpy(iv->b, h, bl);
	iv->len = bl;
	return 0;
}

size_t ike_pad_len(size_t len, size_t block_len)
{
	return block_len ? (block_len - len % block_len) % block_len : 0;
}

static int cbc(int enc_dir, uint16_t enc, const uint8_t *key, size_t key_len,
	       struct ike_iv *iv, uint8_t *buf, size_t len)
{
	const char *name = cipher_name(enc, key_len);
	uint8_t next[IKE_MAX_BLOCK_LEN];
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *c = NULL;
	int outl = 0, fin = 0, ok = 0;

	if (!name || ike_crypto_init())
		return -1;
	c = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!c || (size_t)EVP_CIPHER_get_block_size(c) != iv->len ||
	    (size_t)EVP_CIPHER_get_iv_length(c) != iv->len ||
	    !len || len % iv->len || len > INT32_MAX)
		goto out;
	/* the next IV is the last ciphertext block, before or after */
	if (!enc_dir)
		memcpy(next, buf + len - iv->len, iv->len);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_CipherInit_ex2(ctx, c, key, iv->b, enc_dir, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, buf + outl, &fin) ||
	    (size_t)(outl + fin) != len)
		goto out;
	if (enc_dir)
		memcpy(next, buf + len - iv->len, iv->len);
	memcpy(iv->b, next, iv->len);
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? 0 : -1;
}

int ike_encrypt(uint16_t enc, const uint8_t *key, size_t key_len,
		struct ike_iv *iv, uint8_t *buf, size_t len)
{
	return cbc(1, enc, key, key_len, iv, buf, len);
}

int ike_decrypt(uint16_t enc, const uint8_t *key, size_t key_len,
		struct ike_iv *iv, uint8_t *buf, size_t len)
{
	return cbc(0, enc, key, key_len, iv, buf, len);
}

int ike_hash_i(const struct ike_p1_keys *k, struct ike_chunk gxi,
	       struct ike_chunk gxr, const uint8_t cky_i[8],
	       const uint8_t cky_r[8], struct ike_chunk sai_b,
	       struct ike_chunk idii_b, uint8_t *out)
{
	struct ike_chunk in[] = { gxi, gxr, { cky_i, 8 }, { cky_r, 8 }, sai_b, idii_b };

	return prf1(k, k->skeyid, in, 6, out);
}

int ike_hash_r(const struct ike_p1_keys *k, struct ike_chunk gxi,
	       struct ike_chunk gxr, const uint8_t cky_i[8],
	       const uint8_t cky_r[8], struct ike_chunk sai_b,
	       struct ike_chunk idir_b, uint8_t *out)
{
	struct ike_chunk in[] = { gxr, gxi, { cky_r, 8 }, { cky_i, 8 }, sai_b, idir_b };

	return prf1(k, k->skeyid, in, 6, out);
}

#define MSGID_BYTES(m) { (uint8_t)((m) >> 24), (uint8_t)((m) >> 16), \
			 (uint8_t)((m) >> 8), (uint8_t)(m) }

int ike_qm_hash1(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk rest, uint8_t *out)
{
	uint8_t mid[4] = MSGID_BYTES(msgid);
	struct ike_chunk in[] = { { mid, 4 }, rest };

	return prf1(k, k->skeyid_a, in, 2, out);
}

int ike_qm_hash2(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out)
{
	uint8_t mid[4] = MSGID_BYTES(msgid);
	struct ike_chunk in[] = { { mid, 4 }, ni_b, rest };

	return prf1(k, k->skeyid_a, in, 3, out);
}

int ike_qm_hash3(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out)
{
	static const uint8_t zero;
	uint8_t mid[4] = MSGID_BYTES(msgid);
	struct ike_chunk in[] = { { &zero, 1 }, { mid, 4 }, ni_b, nr_b };

	return prf1(k, k->skeyid_a, in, 4, out);
}

int ike_keymat(const struct ike_p1_keys *k, struct ike_chunk gqm,
	       uint8_t protocol, const uint8_t spi[4], struct ike_chunk ni_b,
	       struct ike_chunk nr_b, uint8_t *out, size_t len)
{
	uint8_t block[IKE_MAX_PRF_LEN];
	struct ike_chunk in[] = { { block, 0 }, gqm, { &protocol, 1 }, { spi, 4 },
				  ni_b, nr_b };
	size_t done = 0;

	if (!k->prf_len || len > 16 * IKE_MAX_PRF_LEN)
		return -1;
	while (done < len) {
		size_t n = len - done < k->prf_len ? len - done : k->prf_len;

		/* Kn-1 is the previous block, empty for K1 */
		if (prf1(k, k->skeyid_d, in, 6, block)) {
			OPENSSL_cleanse(block, sizeof(block));
			return -1;
		}
		memcpy(out + done, block, n);
		in[0].len = k->prf_len;
		done += n;
	}
	OPENSSL_cleanse(block, sizeof(block));
	return 0;
}

int ike_keymat_lengths(uint8_t protocol, uint8_t transform, unsigned keybits,
		       uint16_t auth, size_t *enc_len, size_t *integ_len)
{
	bool aes_bits = keybits == 128 || keybits == 192 || keybits == 256;
	bool aead = false;

	*enc_len = 0;
	*integ_len = 0;
	if (protocol == IKE_PROTO_ESP) {
		switch (transform) {
		case IKE_ESP_DES:
			*enc_len = 8;
			break;
		case IKE_ESP_3DES:
			*enc_len = 24;
			break;
		case IKE_ESP_NULL:
			break;
		case IKE_ESP_AES_CBC:
			if (!aes_bits)
				return -1;
			*enc_len = keybits / 8;
			break;
		case IKE_ESP_AES_CTR:
			if (!aes_bits)
				return -1;
			*enc_len = keybits / 8 + 4;
			break;
		case IKE_ESP_AES_CCM_8:
		case IKE_ESP_AES_CCM_12:
		case IKE_ESP_AES_CCM_16:
			if (!aes_bits)
				return -1;
			*enc_len = keybits / 8 + 3;
			aead = true;
			break;
		case IKE_ESP_AES_GCM_8:
		case IKE_ESP_AES_GCM_12:
		case IKE_ESP_AES_GCM_16:
		case IKE_ESP_NULL_AUTH_AES_GMAC:
			if (!aes_bits)
				return -1;
			*enc_len = keybits / 8 + 4;
			aead = true;
			break;
		default:
			return -1;
		}
		if (aead && auth)
			return -1;
	} else if (protocol == IKE_PROTO_AH) {
		static const uint16_t ah_auth[] = {
			[IKE_AH_MD5] = IPSEC_AUTH_HMAC_MD5,
			[IKE_AH_SHA] = IPSEC_AUTH_HMAC_SHA1,
			[IKE_AH_SHA2_256] = IPSEC_AUTH_HMAC_SHA2_256,
			[IKE_AH_SHA2_384] = IPSEC_AUTH_HMAC_SHA2_384,
			[IKE_AH_SHA2_512] = IPSEC_AUTH_HMAC_SHA2_512,
		};

		if (!auth && transform < sizeof(ah_auth) / sizeof(ah_auth[0]))
			auth = ah_auth[transform];
		if (!auth)
			return -1;
	} else {
		return -1;
	}
	switch (auth) {
	case 0:
		break;
	case IPSEC_AUTH_HMAC_MD5:
	case IPSEC_AUTH_AES_XCBC_MAC:
		*integ_len = 16;
		break;
	case IPSEC_AUTH_HMAC_SHA1:
		*integ_len = 20;
		break;
	case IPSEC_AUTH_HMAC_SHA2_256:
		*integ_len = 32;
		break;
	case IPSEC_AUTH_HMAC_SHA2_384:
		*integ_len = 48;
		break;
	case IPSEC_AUTH_HMAC_SHA2_512:
		*integ_len = 64;
		break;
	case IPSEC_AUTH_AES_128_GMAC:
		*integ_len = 16 + 4;
		break;
	case IPSEC_AUTH_AES_192_GMAC:
		*integ_len = 24 + 4;
		break;
	case IPSEC_AUTH_AES_256_GMAC:
		*integ_len = 32 + 4;
		break;
	default:
		return -1;
	}
	return 0;
}

void ike_keymat_split(const uint8_t *keymat, size_t enc_len, size_t integ_len,
		      const uint8_t **enc, const uint8_t **integ)
{
	*enc = enc_len ? keymat : NULL;
	*integ = integ_len ? keymat + enc_len : NULL;
}

/* Diffie-Hellman. */

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	size_t len;		/* prime or field size in bytes */
	const char *name;	/* OpenSSL group name; NULL: explicit prime */
	BIGNUM *(*prime)(BIGNUM *);
	int nid;
};

static const struct dh_group groups[] = {
	{ IKE_GROUP_MODP_768, DH_MODP, 96, NULL, BN_get_rfc2409_prime_768, 0 },
	{ IKE_GROUP_MODP_1024, DH_MODP, 128, NULL, BN_get_rfc2409_prime_1024, 0 },
	{ IKE_GROUP_MODP_1536, DH_MODP, 192, "modp_1536", NULL, 0 },
	{ IKE_GROUP_MODP_2048, DH_MODP, 256, "modp_2048", NULL, 0 },
	{ IKE_GROUP_MODP_3072, DH_MODP, 384, "modp_3072", NULL, 0 },
	{ IKE_GROUP_MODP_4096, DH_MODP, 512, "modp_4096", NULL, 0 },
	{ IKE_GROUP_MODP_6144, DH_MODP, 768, "modp_6144", NULL, 0 },
	{ IKE_GROUP_MODP_8192, DH_MODP, 1024, "modp_8192", NULL, 0 },
	{ IKE_GROUP_ECP_256, DH_ECP, 32, "P-256", NULL, NID_X9_62_prime256v1 },
	{ IKE_GROUP_ECP_384, DH_ECP, 48, "P-384", NULL, NID_secp384r1 },
	{ IKE_GROUP_ECP_521, DH_ECP, 66, "P-521", NULL, NID_secp521r1 },
	{ IKE_GROUP_CURVE25519, DH_X25519, 32, "X25519", NULL, 0 },
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *key;
	BIGNUM *p;		/* MODP: the prime, for checking peers */
};

static const struct dh_group *find_group(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool ike_dh_supported(uint16_t group)
{
	return find_group(group) != NULL;
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = find_group(group);

	return !g ? 0 : g->kind == DH_ECP ? 2 * g->len : g->len;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->len : 0;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

static void dh_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dh_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* MODP: a key (selection: 0 params, else with pub and optionally priv). */
static EVP_PKEY *modp_key(const struct ike_dh *dh, int selection,
			  const BIGNUM *pub, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *g = BN_new();
	int ok;

	ok = bld && g && BN_set_word(g, 2);
	if (ok && dh->g->name)
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     dh->g->name, 0);
	else if (ok)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, dh->p) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g);
	if (ok && pub)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub);
	if (ok && priv)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &key, selection ? selection :
				  EVP_PKEY_KEY_PARAMETERS, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(g);
	return key;
}

static EVP_PKEY *ec_key(const struct dh_group *gr, int selection,
			const uint8_t *pub, size_t pub_len, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	int ok;

	ok = bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						    gr->name, 0) &&
	     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					      pub_len);
	if (ok && priv)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &key, selection, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* ECP: our key from a fixed private value (the public point computed). */
static EVP_PKEY *ec_key_from_priv(const struct dh_group *gr, const BIGNUM *priv)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(gr->nid);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	uint8_t pub[1 + 2 * 66];
	size_t n = 0;
	EVP_PKEY *key = NULL;

	if (pt && EC_POINT_mul(grp, pt, priv, NULL, NULL, NULL))
		n = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
				       sizeof(pub), NULL);
	if (n == 1 + 2 * gr->len)
		key = ec_key(gr, EVP_PKEY_KEYPAIR, pub, n, priv);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return key;
}

static EVP_PKEY *keygen(EVP_PKEY *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	EVP_PKEY *key = NULL;

	if (ctx && EVP_PKEY_keygen_init(ctx) > 0)
		EVP_PKEY_keygen(ctx, &key);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

struct ike_dh *ike_dh_new(uint16_t group, const uint8_t *priv, size_t priv_len)
{
	const struct dh_group *g = find_group(group);
	struct ike_dh *dh;
	BIGNUM *x = NULL;

	if (!g || ike_crypto_init())
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	dh->g = g;
	if (priv && g->kind != DH_X25519) {
		x = BN_secure_new();
		if (!x || !BN_bin2bn(priv, (int)priv_len, x))
			goto fail;
		BN_set_flags(x, BN_FLG_CONSTTIME);
	}
	switch (g->kind) {
	case DH_MODP: {
		EVP_PKEY *params;

		if (g->prime) {
			dh->p = g->prime(NULL);
		} else {
			params = modp_key(dh, 0, NULL, NULL);
			if (params)
				EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P,
						      &dh->p);
			EVP_PKEY_free(params);
		}
		if (!dh->p || (size_t)BN_num_bytes(dh->p) != g->len)
			goto fail;
		if (x) {
			BIGNUM *y = BN_new(), *gen = BN_new();
			BN_CTX *bnctx = BN_CTX_new();

			if (y && gen && bnctx && BN_set_word(gen, 2) &&
			    !BN_is_zero(x) && BN_cmp(x, dh->p) < 0 &&
			    BN_mod_exp(y, gen, x, dh->p, bnctx))
				dh->key = modp_key(dh, EVP_PKEY_KEYPAIR, y, x);
			BN_free(y);
			BN_free(gen);
			BN_CTX_free(bnctx);
		} else {
			params = modp_key(dh, 0, NULL, NULL);
			if (params)
				dh->key = keygen(params);
			EVP_PKEY_free(params);
		}
		break;
	}
	case DH_ECP:
		if (x)
			dh->key = ec_key_from_priv(g, x);
		else
			dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
		break;
	case DH_X25519:
		if (priv)
			dh->key = priv_len == 32 ?
				EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
								priv, 32) : NULL;
		else
			dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		break;
	}
	if (!dh->key)
		goto fail;
	BN_clear_free(x);
	return dh;
fail:
	BN_clear_free(x);
	ike_dh_free(dh);
	return NULL;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	BN_free(dh->p);
	free(dh);
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len)
{
	const struct dh_group *g = dh->g;
	size_t n = 0;

	if (len != ike_dh_public_len(g->id))
		return -1;
	switch (g->kind) {
	case DH_MODP: {
		BIGNUM *y = NULL;
		int ok;

		ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		     BN_bn2binpad(y, out, (int)len) == (int)len;
		BN_free(y);
		return ok ? 0 : -1;
	}
	case DH_ECP: {
		uint8_t pt[1 + 2 * 66];

		if (!EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
						     pt, sizeof(pt), &n) ||
		    n != 1 + len || pt[0] != POINT_CONVERSION_UNCOMPRESSED)
			return -1;
		memcpy(out, pt + 1, len);	/* x | y, RFC 5903 */
		return 0;
	}
	case DH_X25519:
		n = len;
		return EVP_PKEY_get_raw_public_key(dh->key, out, &n) && n == len ?
		       0 : -1;
	}
	return -1;
}

static int derive(const struct ike_dh *dh, EVP_PKEY *peer, uint8_t *out,
		  size_t out_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	size_t n = out_len;
	int ok;

	ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	     (dh->g->kind != DH_MODP || EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0) &&
	     EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	     EVP_PKEY_derive(ctx, out, &n) > 0 && n == out_len;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *out, size_t out_len, char *err, size_t errlen)
{
	const struct dh_group *g = dh->g;
	size_t want = ike_dh_public_len(g->id);
	EVP_PKEY *pk = NULL;
	int ret = -1;

	if (out_len != g->len) {
		dh_err(err, errlen, "shared secret buffer of %zu bytes, group %u needs %zu",
		       out_len, g->id, g->len);
		return -1;
	}
	if (peer_len != want) {
		dh_err(err, errlen, "KE data of %zu bytes, group %u needs %zu",
		       peer_len, g->id, want);
		return -1;
	}
	switch (g->kind) {
	case DH_MODP: {
		BIGNUM *y = BN_bin2bn(peer, (int)peer_len, NULL);
		BIGNUM *pm1 = BN_dup(dh->p);

		if (!y || !pm1 || !BN_sub_word(pm1, 1)) {
			dh_err(err, errlen, "out of memory");
		} else if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0) {
			dh_err(err, errlen, "peer public value outside 1 < y < p-1 (group %u)",
			       g->id);
		} else {
			pk = modp_key(dh, EVP_PKEY_PUBLIC_KEY, y, NULL);
			if (!pk)
				dh_err(err, errlen, "peer public value refused by OpenSSL (group %u)",
				       g->id);
		}
		BN_free(y);
		BN_free(pm1);
		break;
	}
	case DH_ECP: {
		uint8_t pt[1 + 2 * 66];

		pt[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(pt + 1, peer, peer_len);
		pk = ec_key(g, EVP_PKEY_PUBLIC_KEY, pt, 1 + peer_len, NULL);
		if (pk) {
			EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);

			if (!c || EVP_PKEY_public_check(c) <= 0) {
				EVP_PKEY_free(pk);
				pk = NULL;
			}
			EVP_PKEY_CTX_free(c);
		}
		if (!pk)
			dh_err(err, errlen, "peer public value is not a point on %s (group %u)",
			       g->name, g->id);
		break;
	}
	case DH_X25519:
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, peer_len);
		if (!pk)
			dh_err(err, errlen, "peer public value refused (group %u)", g->id);
		break;
	}
	if (!pk)
		return -1;
	if (derive(dh, pk, out, out_len)) {
		dh_err(err, errlen, "key agreement failed (group %u)%s", g->id,
		       g->kind == DH_X25519 ? ": low-order peer value?" : "");
		OPENSSL_cleanse(out, out_len);
		goto out;
	}
	if (g->kind == DH_X25519) {
		uint8_t acc = 0;

		/* RFC 8031 2.3: an all-zero result must be refused */
		for (size_t i = 0; i < out_len; i++)
			acc |= out[i];
		if (!acc) {
			dh_err(err, errlen, "all-zero curve25519 shared secret");
			goto out;
		}
	}
	ret = 0;
out:
	EVP_PKEY_free(pk);
	return ret;
}
