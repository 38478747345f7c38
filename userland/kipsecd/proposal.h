/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: Phase 1 (IKE SA) and Phase 2 (Quick Mode) proposals, by name.
 *
 * A proposal is written as a word (aes256-sha256-modp2048,
 * g14-esp-aes256gcm16); this file turns words into pointers to rows of
 * static tables. Each row says both what IKEv1 puts on the wire (RFC 2409
 * Appendix A attribute values, RFC 2407 transform IDs) and what the kernel
 * module takes (enum kipsec_*_alg, key and salt lengths, ICV size), so the
 * daemon needs no other mapping. Rows live for the whole program: compare
 * proposals by pointer.
 *
 * Every parsing function returns 0, or -1 with a message in @err that
 * names the offending word.
 */
#ifndef KIPSECD_PROPOSAL_H
#define KIPSECD_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/kipsec_nl.h"

/* Most proposals one key may offer. */
#define KIPSECD_MAX_P1	8
#define KIPSECD_MAX_P2	4	/* as Juniper's ipsec proposal-set */

/* A proposal's canonical name fits in this. */
#define KIPSECD_PROPOSAL_NAME_MAX 48

/* Diffie-Hellman groups: Phase 1, and Phase 2 PFS. */
enum kipsecd_dh_kind {
	KIPSECD_DH_MODP,	/* RFC 2409, 3526 */
	KIPSECD_DH_ECP,		/* RFC 5903: public value x || y */
	KIPSECD_DH_CURVE25519,	/* RFC 7748 / 8031: public value u */
};

struct kipsecd_dh_group {
	uint16_t id;		/* Group Description attribute, both phases */
	const char *name;	/* modp2048; also accepted as "g14" */
	enum kipsecd_dh_kind kind;
	uint16_t bits;		/* prime or curve size */
	uint16_t pub_len;	/* bytes of the KE payload's public value */
	const char *ossl_name;	/* OpenSSL group name (modp_2048, P-256,
				 * X25519); NULL for groups 1 and 2, which
				 * OpenSSL does not name */
	bool weak;		/* under 2048-bit MODP */
};

/* Phase 1 encryption (IKE attribute 1, Encryption Algorithm). */
struct kipsecd_ike_cipher {
	const char *name;	/* aes256 */
	uint16_t ike_id;	/* 1 DES-CBC, 5 3DES-CBC, 7 AES-CBC */
	uint16_t key_bits;	/* Key Length attribute (14); 0: not sent */
	uint16_t key_len;	/* bytes of cipher key taken from SKEYID_e */
	uint16_t block_len;	/* cipher block and IV size */
	const char *ossl_name;	/* EVP_get_cipherbyname() */
	bool weak;
};

/* Phase 1 hash (IKE attribute 2, Hash Algorithm), also the PRF (HMAC). */
struct kipsecd_ike_hash {
	const char *name;	/* sha256 */
	uint16_t ike_id;	/* 1 MD5, 2 SHA, 4 SHA2-256, 5 SHA2-384, 6 SHA2-512 */
	uint16_t out_len;	/* digest bytes */
	const char *ossl_name;	/* EVP_get_digestbyname() */
	bool weak;
};

/* Phase 1 authentication method (IKE attribute 3): only pre-shared keys. */
#define KIPSECD_IKE_AUTH_PSK	1

struct kipsecd_p1_proposal {
	const struct kipsecd_ike_cipher *enc;
	const struct kipsecd_ike_hash *hash;
	const struct kipsecd_dh_group *group;
};

/*
 * Phase 2 ESP ciphers: a plain cipher (needs an integrity algorithm) or an
 * AEAD (needs none). The kernel key is key_bits / 8 bytes of cipher key
 * and then salt_len bytes of salt, both from KEYMAT in that order
 * (RFC 4106 8.1, RFC 4309 7.1): kernel_key_len bytes in all.
 */
struct kipsecd_esp_cipher {
	const char *name;	/* aes128, aes256gcm16 */
	uint8_t transform;	/* RFC 2407 4.4.4 ESP transform ID */
	uint16_t ike_key_bits;	/* Key Length attribute (6); 0: not sent */
	bool aead;
	uint32_t kernel_alg;	/* enum kipsec_aead_alg if aead, else kipsec_enc_alg */
	uint16_t key_bits;	/* cipher key */
	uint8_t salt_len;
	uint16_t kernel_key_len; /* key_bits / 8 + salt_len */
	uint16_t icv_bits;	/* AEAD: KIPSEC_A_SA_ICV_BITS; else 0 */
	bool weak;
};

/* Phase 2 integrity: ESP's Authentication Algorithm attribute (5) and AH. */
struct kipsecd_p2_auth {
	const char *name;	/* md5, sha, sha256, sha384, sha512 */
	uint16_t auth_alg;	/* attribute value: 1 HMAC-MD5, 2 HMAC-SHA, 5-7 SHA2 */
	uint8_t ah_transform;	/* RFC 2407 4.4.3 AH transform ID */
	uint32_t kernel_alg;	/* enum kipsec_auth_alg */
	uint16_t key_len;	/* bytes of KEYMAT, KIPSEC_A_SA_AUTH_KEY */
	uint16_t icv_bits;	/* truncated MAC on the wire */
	bool weak;
};

/* IPsec DOI protocol IDs (RFC 2407 4.4.1), as in the SA payload. */
#define KIPSECD_PROTO_IPSEC_AH	2
#define KIPSECD_PROTO_IPSEC_ESP	3

struct kipsecd_p2_proposal {
	uint8_t proto;				/* IPPROTO_ESP or IPPROTO_AH */
	const struct kipsecd_dh_group *pfs;	/* NULL: nopfs */
	const struct kipsecd_esp_cipher *enc;	/* ESP only */
	const struct kipsecd_p2_auth *auth;	/* NULL for an AEAD */
};

/* Lookups by name (as in proposal words) and by wire value. */
const struct kipsecd_dh_group *kipsecd_dh_group_by_name(const char *name);
const struct kipsecd_dh_group *kipsecd_dh_group_by_id(uint16_t id);
const struct kipsecd_ike_cipher *kipsecd_ike_cipher_by_name(const char *name);
/* @key_bits: the Key Length attribute, 0 if absent. */
const struct kipsecd_ike_cipher *kipsecd_ike_cipher_by_id(uint16_t id,
							  uint16_t key_bits);
const struct kipsecd_ike_hash *kipsecd_ike_hash_by_name(const char *name);
const struct kipsecd_ike_hash *kipsecd_ike_hash_by_id(uint16_t id);
const struct kipsecd_esp_cipher *kipsecd_esp_cipher_by_name(const char *name);
const struct kipsecd_esp_cipher *kipsecd_esp_cipher_by_id(uint8_t transform,
							  uint16_t key_bits);
const struct kipsecd_p2_auth *kipsecd_p2_auth_by_name(const char *name);
const struct kipsecd_p2_auth *kipsecd_p2_auth_by_alg(uint16_t auth_alg);
const struct kipsecd_p2_auth *kipsecd_p2_auth_by_ah(uint8_t ah_transform);

/* Table walks, for tests and listings: the i-th row, NULL past the end. */
const struct kipsecd_dh_group *kipsecd_dh_group_at(size_t i);
const struct kipsecd_ike_cipher *kipsecd_ike_cipher_at(size_t i);
const struct kipsecd_ike_hash *kipsecd_ike_hash_at(size_t i);
const struct kipsecd_esp_cipher *kipsecd_esp_cipher_at(size_t i);
const struct kipsecd_p2_auth *kipsecd_p2_auth_at(size_t i);

/*
 * One Phase 1 proposal: ENC-HASH-GROUP, e.g. aes256-sha256-modp2048.
 * ENC: des, 3des, aes128, aes192, aes256. HASH: md5, sha1 (or sha),
 * sha256, sha384, sha512. GROUP: modp768, modp1024, modp1536, modp2048,
 * modp3072, modp4096, ecp256, ecp384, ecp521, curve25519, or gN for the
 * group number N (g14 = modp2048).
 */
int kipsecd_p1_parse(const char *word, struct kipsecd_p1_proposal *p,
		     char *err, size_t errlen);

/*
 * A comma-separated list of Phase 1 proposals (white space around the
 * commas is ignored), at most KIPSECD_MAX_P1, none twice.
 */
int kipsecd_p1_parse_list(const char *value, struct kipsecd_p1_proposal *out,
			  size_t *n, char *err, size_t errlen);

/*
 * One Phase 2 proposal, in Juniper's naming:
 *   {nopfs|gN}-esp-CIPHER-AUTH   CIPHER: des, 3des, aes128, aes192, aes256, null
 *   {nopfs|gN}-esp-AEAD          AEAD: aes{128,192,256}{gcm,ccm}{8,12,16}
 *   {nopfs|gN}-ah-AUTH
 * AUTH: md5, sha (or sha1), sha256, sha384, sha512. gN: any Phase 1 group.
 */
int kipsecd_p2_parse(const char *word, struct kipsecd_p2_proposal *p,
		     char *err, size_t errlen);

/*
 * A comma-separated list of Phase 2 proposals and predefined sets
 * (standard, compatible, basic), expanded in order: at most
 * KIPSECD_MAX_P2 proposals in all, none twice, and one PFS choice for all
 * of them (Quick Mode carries at most one key exchange payload).
 */
int kipsecd_p2_parse_list(const char *value, struct kipsecd_p2_proposal *out,
			  size_t *n, char *err, size_t errlen);

/* A predefined Phase 2 set: its proposal words, NULL-terminated; NULL if
 * @name is not one. */
const char *const *kipsecd_p2_set(const char *name);

/* Canonical names: aes256-sha256-modp2048, g14-esp-aes256gcm16. */
const char *kipsecd_p1_name(const struct kipsecd_p1_proposal *p, char *buf,
			    size_t len);
const char *kipsecd_p2_name(const struct kipsecd_p2_proposal *p, char *buf,
			    size_t len);
bool kipsecd_p1_equal(const struct kipsecd_p1_proposal *a,
		      const struct kipsecd_p1_proposal *b);
bool kipsecd_p2_equal(const struct kipsecd_p2_proposal *a,
		      const struct kipsecd_p2_proposal *b);
/* Whether a proposal uses an algorithm or group marked weak. */
bool kipsecd_p1_weak(const struct kipsecd_p1_proposal *p);
bool kipsecd_p2_weak(const struct kipsecd_p2_proposal *p);

/* The IPsec DOI protocol ID of @p's SA payload proposal. */
uint8_t kipsecd_p2_doi_proto(const struct kipsecd_p2_proposal *p);
/* The transform ID of @p's transform: ESP's cipher, or AH's algorithm. */
uint8_t kipsecd_p2_transform(const struct kipsecd_p2_proposal *p);
/* Bytes of KEYMAT per direction: cipher key (+ salt), then integrity key. */
size_t kipsecd_p2_keymat_len(const struct kipsecd_p2_proposal *p);

/*
 * Fill @sa's proto and algorithm fields (aead_alg + icv_bits, or enc_alg
 * and auth_alg) for @p; the lengths of the keys the kernel wants go to
 * @enc_len (AEAD or cipher key, salt included) and @auth_len.
 */
void kipsecd_p2_to_sa(const struct kipsecd_p2_proposal *p,
		      struct kipsec_sa_info *sa, uint16_t *enc_len,
		      uint16_t *auth_len);

#endif
