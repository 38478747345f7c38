/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 cryptography (RFC 2409) on OpenSSL 3 EVP: the PRFs, SKEYID and its
 * derivatives for pre-shared keys, the phase 1 encryption key with the
 * Appendix B expansion, IVs and CBC chaining, HASH_I/HASH_R, the Quick Mode
 * and Informational hashes, KEYMAT, message encryption and Diffie-Hellman.
 *
 * Algorithms are named by their IKE attribute values (ike.h): hashes by
 * IKE_HASH_*, ciphers by IKE_ENC_* plus a key length in bits, groups by
 * IKE_GROUP_*. Functions return 0 on success and -1 on failure (an
 * unsupported algorithm, a size out of range, an OpenSSL error). Nothing
 * here logs; secrets are wiped with OPENSSL_cleanse when no longer needed,
 * and callers must wipe the structures they hold (ike_p1_keys_wipe).
 */
#ifndef KIPSECD_IKECRYPTO_H
#define KIPSECD_IKECRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define IKE_MAX_PRF_LEN		64	/* HMAC-SHA-512 */
#define IKE_MAX_BLOCK_LEN	16
#define IKE_MAX_KEY_LEN		32	/* AES-256 */
#define IKE_MAX_DH_LEN		1024	/* MODP 8192 */

/* A byte string that is one part of a PRF or hash input. */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/*
 * Loads OpenSSL's "legacy" (DES-CBC) and "default" providers. Called by the
 * functions that need it; a daemon calls it once at start to fail early.
 * Returns -1 if the default provider cannot be loaded; a missing legacy
 * provider only disables DES-CBC.
 */
int ike_crypto_init(void);

/* Output length of the hash / HMAC PRF, 0 if unsupported. */
size_t ike_hash_len(uint16_t hash);

/* hash(in[0] | in[1] | ...): the plain hash, for IVs. */
int ike_hash(uint16_t hash, const struct ike_chunk *in, size_t n, uint8_t *out);

/* prf(key, in[0] | in[1] | ...) = HMAC-<hash>; out gets ike_hash_len bytes. */
int ike_prf(uint16_t hash, const uint8_t *key, size_t keylen,
	    const struct ike_chunk *in, size_t n, uint8_t *out);

/*
 * Phase 1 cipher: key and block length in bytes for an encryption algorithm
 * and the key length attribute (bits; 0 when absent). AES needs 128, 192 or
 * 256; DES and 3DES take none (or their own length).
 */
int ike_cipher_info(uint16_t enc, unsigned keybits, size_t *key_len,
		    size_t *block_len);

/* The keys of a phase 1 SA. */
struct ike_p1_keys {
	uint16_t hash;
	size_t prf_len;
	uint8_t skeyid[IKE_MAX_PRF_LEN];
	uint8_t skeyid_d[IKE_MAX_PRF_LEN];
	uint8_t skeyid_a[IKE_MAX_PRF_LEN];
	uint8_t skeyid_e[IKE_MAX_PRF_LEN];
	uint8_t enc_key[IKE_MAX_KEY_LEN];
	size_t enc_key_len;
};

/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b). Resets k. */
int ike_skeyid_psk(struct ike_p1_keys *k, uint16_t hash, const uint8_t *psk,
		   size_t psk_len, struct ike_chunk ni_b, struct ike_chunk nr_b);

/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * then the encryption key of key_len bytes (ike_cipher_info): the first
 * bytes of SKEYID_e, or of K1 | K2 | ... when SKEYID_e is too short
 * (RFC 2409 Appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)).
 */
int ike_skeyid_derive(struct ike_p1_keys *k, struct ike_chunk gxy,
		      const uint8_t cky_i[8], const uint8_t cky_r[8],
		      size_t key_len);

void ike_p1_keys_wipe(struct ike_p1_keys *k);

/* An IV, the CBC state of one exchange. */
struct ike_iv {
	uint8_t b[IKE_MAX_BLOCK_LEN];
	size_t len;
};

/* Phase 1: IV = hash(g^xi | g^xr), truncated to the block length. */
int ike_iv_phase1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr,
		  size_t block_len, struct ike_iv *iv);

/*
 * Phase 2 and Informational: IV = hash(last phase 1 IV | M-ID), where the
 * last phase 1 IV is the CBC state after the last phase 1 message (its last
 * ciphertext block); same length as it.
 */
int ike_iv_phase2(uint16_t hash, const struct ike_iv *p1_last, uint32_t msgid,
		  struct ike_iv *iv);

/* Zero bytes to append so len becomes a multiple of block_len. */
size_t ike_pad_len(size_t len, size_t block_len);

/*
 * CBC in place over len bytes (a multiple of the block length) with the key
 * from ike_skeyid_derive; iv is the exchange's CBC state, replaced by the
 * last ciphertext block (the next message's IV, RFC 2409 Appendix B).
 * A caller that must not advance the state on a message that later fails
 * its HASH check passes a copy.
 */
int ike_encrypt(uint16_t enc, const uint8_t *key, size_t key_len,
		struct ike_iv *iv, uint8_t *buf, size_t len);
int ike_decrypt(uint16_t enc, const uint8_t *key, size_t key_len,
		struct ike_iv *iv, uint8_t *buf, size_t len);

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * sai_b and id_b are payload bodies (without generic headers); out gets
 * prf_len bytes. The same arguments in the same order for both.
 */
int ike_hash_i(const struct ike_p1_keys *k, struct ike_chunk gxi,
	       struct ike_chunk gxr, const uint8_t cky_i[8],
	       const uint8_t cky_r[8], struct ike_chunk sai_b,
	       struct ike_chunk idii_b, uint8_t *out);
int ike_hash_r(const struct ike_p1_keys *k, struct ike_chunk gxi,
	       struct ike_chunk gxr, const uint8_t cky_i[8],
	       const uint8_t cky_r[8], struct ike_chunk sai_b,
	       struct ike_chunk idir_b, uint8_t *out);

/*
 * Quick Mode, with rest = the raw message bytes after the HASH payload:
 * HASH(1) = prf(SKEYID_a, M-ID | rest); also the Informational HASH.
 * HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 * HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int ike_qm_hash1(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk rest, uint8_t *out);
int ike_qm_hash2(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out);
int ike_qm_hash3(const struct ike_p1_keys *k, uint32_t msgid,
		 struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out);

/*
 * KEYMAT for one SA (one direction: the SPI its receiver chose):
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * KEYMAT = K1 | K2 | ... cut to len bytes. gqm.len == 0 without PFS.
 * Split it with ike_keymat_split.
 */
int ike_keymat(const struct ike_p1_keys *k, struct ike_chunk gqm,
	       uint8_t protocol, const uint8_t spi[4], struct ike_chunk ni_b,
	       struct ike_chunk nr_b, uint8_t *out, size_t len);

/*
 * KEYMAT lengths for an ESP or AH SA. The encryption part includes the
 * nonce salt of the counter and AEAD modes (4 bytes for GCM, GMAC and CTR,
 * 3 for CCM), appended after the key as Linux and strongSwan take it. For
 * ESP, transform is IKE_ESP_* with the key length attribute in bits (0 when
 * absent) and auth is IPSEC_AUTH_* (0 for none). For AH, transform is
 * IKE_AH_* and only the integrity part is used. -1 if unknown.
 */
int ike_keymat_lengths(uint8_t protocol, uint8_t transform, unsigned keybits,
		       uint16_t auth, size_t *enc_len, size_t *integ_len);

/* KEYMAT = encryption key [| salt] | integrity key (RFC 2409 5.5 practice). */
void ike_keymat_split(const uint8_t *keymat, size_t enc_len, size_t integ_len,
		      const uint8_t **enc, const uint8_t **integ);

/* Diffie-Hellman. */
struct ike_dh;

bool ike_dh_supported(uint16_t group);
/* KE payload data length: the prime length (MODP), 2 * field (ECP), 32. */
size_t ike_dh_public_len(uint16_t group);
/* Shared secret length: the prime length, the field size, 32. */
size_t ike_dh_secret_len(uint16_t group);

/*
 * A key pair for a group: generated when priv is NULL, else from the given
 * big-endian private value (known-answer tests). NULL on failure.
 */
struct ike_dh *ike_dh_new(uint16_t group, const uint8_t *priv, size_t priv_len);
uint16_t ike_dh_group(const struct ike_dh *dh);

/* Our public value as sent in KE: len must be ike_dh_public_len. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t len);

/*
 * g^xy from the peer's KE data, left-padded to ike_dh_secret_len (out_len
 * must equal it). The peer value is validated first: exact length;
 * 1 < y < p-1 for MODP; a point on the curve for ECP; a non-zero result for
 * curve25519. On failure err says why (no key material in it).
 */
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
		  uint8_t *out, size_t out_len, char *err, size_t errlen);

void ike_dh_free(struct ike_dh *dh);

#endif
