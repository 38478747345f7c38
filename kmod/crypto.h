/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: the algorithms of an SA, as kernel crypto API AEAD transforms.
 */
#ifndef _KIPSEC_CRYPTO_H
#define _KIPSEC_CRYPTO_H

#include <linux/types.h>

struct crypto_aead;
struct crypto_ahash;

/*
 * What an SA asks for, as it came over netlink. ESP: either @aead_alg, or
 * @enc_alg with an optional @auth_alg (0 = none). AH (@ah): @auth_alg
 * only. Keys are borrowed.
 */
struct kipsec_alg_params {
	u32 aead_alg;
	u32 enc_alg;
	u32 auth_alg;
	u32 icv_bits;		/* AEAD only; 0 = the algorithm's default */
	const u8 *aead_key;
	const u8 *enc_key;
	const u8 *auth_key;
	unsigned int aead_keylen;
	unsigned int enc_keylen;
	unsigned int auth_keylen;
	bool esn;
	bool ah;
};

/*
 * The transform of an SA and the sizes ESP needs from it.
 *
 * @aead:     ESP: AEAD transform, a combined-mode algorithm, or
 *            authenc/authencesn(integrity, cipher).
 * @ahash:    AH: the integrity algorithm's hash transform.
 * @ivlen:    explicit IV bytes in each packet.
 * @icvlen:   ICV bytes in each packet.
 * @blksize:  the padded payload is a multiple of this (at least 4).
 * @key_bits: the cipher key size without salt or nonce, for display.
 * @iv_random: the IV must be unpredictable (CBC); otherwise it is the
 *            64-bit sequence number, unique for the life of the key.
 */
struct kipsec_crypto {
	struct crypto_aead *aead;
	struct crypto_ahash *ahash;
	u8 ivlen;
	u8 icvlen;
	u8 blksize;
	u16 key_bits;
	bool iv_random;
};

/* Force asynchronous completion by wrapping every transform in cryptd. */
extern bool kipsec_force_cryptd;

/*
 * Allocate and key the transform for @p. On failure, returns a negative
 * errno, *@why says what is wrong and *@attr which KIPSEC_A_SA_* attribute
 * is at fault.
 */
int kipsec_crypto_init(struct kipsec_crypto *c,
		       const struct kipsec_alg_params *p,
		       const char **why, int *attr);
void kipsec_crypto_destroy(struct kipsec_crypto *c);

bool kipsec_auth_alg_valid(u32 alg);

#endif /* _KIPSEC_CRYPTO_H */
