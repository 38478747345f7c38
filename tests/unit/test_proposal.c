// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kipsecd's proposal words and their wire and kernel values
 * (userland/kipsecd/proposal.c). The expected values are written out here
 * again from the RFCs and kmod/uapi/kipsec.h, not taken from the tables.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsecd/proposal.h"

static char err[512];

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Groups */

static const struct {
	const char *name, *gname;
	uint16_t id, pub_len;
	enum kipsecd_dh_kind kind;
	bool weak;
} want_groups[] = {
	{ "modp768", "g1", 1, 96, KIPSECD_DH_MODP, true },
	{ "modp1024", "g2", 2, 128, KIPSECD_DH_MODP, true },
	{ "modp1536", "g5", 5, 192, KIPSECD_DH_MODP, true },
	{ "modp2048", "g14", 14, 256, KIPSECD_DH_MODP, false },
	{ "modp3072", "g15", 15, 384, KIPSECD_DH_MODP, false },
	{ "modp4096", "g16", 16, 512, KIPSECD_DH_MODP, false },
	{ "ecp256", "g19", 19, 64, KIPSECD_DH_ECP, false },
	{ "ecp384", "g20", 20, 96, KIPSECD_DH_ECP, false },
	{ "ecp521", "g21", 21, 132, KIPSECD_DH_ECP, false },
	{ "curve25519", "g31", 31, 32, KIPSECD_DH_CURVE25519, false },
};

static void test_groups(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(want_groups); i++) {
		const struct kipsecd_dh_group *g =
			kipsecd_dh_group_by_name(want_groups[i].name);

		assert_non_null(g);
		assert_ptr_equal(kipsecd_dh_group_by_name(want_groups[i].gname), g);
		assert_ptr_equal(kipsecd_dh_group_by_id(want_groups[i].id), g);
		assert_int_equal(g->id, want_groups[i].id);
		assert_int_equal(g->pub_len, want_groups[i].pub_len);
		assert_int_equal(g->kind, want_groups[i].kind);
		assert_int_equal(g->weak, want_groups[i].weak);
		assert_string_equal(g->name, want_groups[i].name);
	}
	assert_null(kipsecd_dh_group_at(ARRAY_SIZE(want_groups)));
	assert_null(kipsecd_dh_group_by_id(3));
	assert_null(kipsecd_dh_group_by_name("g3"));
	assert_null(kipsecd_dh_group_by_name("modp8192"));
	assert_null(kipsecd_dh_group_by_name("14"));
}

/* Phase 1 */

static const struct {
	const char *name;
	uint16_t id, key_bits, key_len, block_len;
} want_p1_enc[] = {
	{ "des", 1, 0, 8, 8 },
	{ "3des", 5, 0, 24, 8 },
	{ "aes128", 7, 128, 16, 16 },
	{ "aes192", 7, 192, 24, 16 },
	{ "aes256", 7, 256, 32, 16 },
};

static const struct {
	const char *name;
	uint16_t id, out_len;
} want_p1_hash[] = {
	{ "md5", 1, 16 },
	{ "sha1", 2, 20 },
	{ "sha256", 4, 32 },
	{ "sha384", 5, 48 },
	{ "sha512", 6, 64 },
};

/* Every ENC-HASH-GROUP combination, by both group spellings. */
static void test_p1_every_combination(void **state)
{
	size_t e, h, g;

	(void)state;
	for (e = 0; e < ARRAY_SIZE(want_p1_enc); e++)
		for (h = 0; h < ARRAY_SIZE(want_p1_hash); h++)
			for (g = 0; g < ARRAY_SIZE(want_groups); g++) {
				struct kipsecd_p1_proposal p, q;
				char word[64], gword[64], name[KIPSECD_PROPOSAL_NAME_MAX];

				snprintf(word, sizeof(word), "%s-%s-%s", want_p1_enc[e].name,
					 want_p1_hash[h].name, want_groups[g].name);
				snprintf(gword, sizeof(gword), "%s-%s-%s", want_p1_enc[e].name,
					 want_p1_hash[h].name, want_groups[g].gname);
				assert_int_equal(kipsecd_p1_parse(word, &p, err, sizeof(err)), 0);
				assert_int_equal(kipsecd_p1_parse(gword, &q, err, sizeof(err)), 0);
				assert_true(kipsecd_p1_equal(&p, &q));
				assert_string_equal(kipsecd_p1_name(&q, name, sizeof(name)), word);
				assert_int_equal(p.enc->ike_id, want_p1_enc[e].id);
				assert_int_equal(p.enc->key_bits, want_p1_enc[e].key_bits);
				assert_int_equal(p.enc->key_len, want_p1_enc[e].key_len);
				assert_int_equal(p.enc->block_len, want_p1_enc[e].block_len);
				assert_ptr_equal(kipsecd_ike_cipher_by_id(want_p1_enc[e].id,
									  want_p1_enc[e].key_bits),
						 p.enc);
				assert_int_equal(p.hash->ike_id, want_p1_hash[h].id);
				assert_int_equal(p.hash->out_len, want_p1_hash[h].out_len);
				assert_ptr_equal(kipsecd_ike_hash_by_id(want_p1_hash[h].id), p.hash);
				assert_int_equal(p.group->id, want_groups[g].id);
				assert_int_equal(kipsecd_p1_weak(&p),
						 e == 0 || h == 0 || want_groups[g].weak);
			}
	assert_null(kipsecd_ike_cipher_at(ARRAY_SIZE(want_p1_enc)));
	assert_null(kipsecd_ike_hash_at(ARRAY_SIZE(want_p1_hash)));
	assert_null(kipsecd_ike_cipher_by_id(7, 0));
	assert_null(kipsecd_ike_cipher_by_id(7, 512));
	assert_null(kipsecd_ike_hash_by_id(3));
}

static void test_p1_sha_alias(void **state)
{
	struct kipsecd_p1_proposal p;
	char name[KIPSECD_PROPOSAL_NAME_MAX];

	(void)state;
	assert_int_equal(kipsecd_p1_parse("aes128-sha-g2", &p, err, sizeof(err)), 0);
	assert_string_equal(kipsecd_p1_name(&p, name, sizeof(name)), "aes128-sha1-modp1024");
}

static void p1_fails(const char *word, const char *msg)
{
	struct kipsecd_p1_proposal p;

	err[0] = '\0';
	assert_int_equal(kipsecd_p1_parse(word, &p, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static void test_p1_errors(void **state)
{
	(void)state;
	p1_fails("aes256-sha256",
		 "'aes256-sha256' is not a Phase 1 proposal ENCRYPTION-HASH-GROUP, e.g. aes256-sha256-modp2048");
	p1_fails("aes256-sha256-modp2048-x",
		 "'aes256-sha256-modp2048-x' is not a Phase 1 proposal ENCRYPTION-HASH-GROUP, e.g. aes256-sha256-modp2048");
	p1_fails("aes512-sha256-modp2048",
		 "'aes512-sha256-modp2048': 'aes512' is not a Phase 1 encryption algorithm (des, 3des, aes128, aes192, aes256)");
	p1_fails("aes128gcm16-sha256-modp2048",
		 "'aes128gcm16-sha256-modp2048': 'aes128gcm16' is not a Phase 1 encryption algorithm (des, 3des, aes128, aes192, aes256)");
	p1_fails("aes256-sha7-modp2048",
		 "'aes256-sha7-modp2048': 'sha7' is not a Phase 1 hash (md5, sha1, sha256, sha384, sha512)");
	p1_fails("aes256-sha256-modp8192",
		 "'aes256-sha256-modp8192': 'modp8192' is not a Diffie-Hellman group (modp768, modp1024, modp1536, modp2048, modp3072, modp4096, ecp256, ecp384, ecp521, curve25519, or g1, g2, g5, g14, g15, g16, g19, g20, g21, g31)");
	p1_fails("aes256-sha256-g3",
		 "'aes256-sha256-g3': 'g3' is not a Diffie-Hellman group (modp768, modp1024, modp1536, modp2048, modp3072, modp4096, ecp256, ecp384, ecp521, curve25519, or g1, g2, g5, g14, g15, g16, g19, g20, g21, g31)");
	p1_fails("AES256-sha256-modp2048",
		 "'AES256-sha256-modp2048': 'AES256' is not a Phase 1 encryption algorithm (des, 3des, aes128, aes192, aes256)");
}

static void p1_list_fails(const char *value, const char *msg)
{
	struct kipsecd_p1_proposal p[KIPSECD_MAX_P1];
	size_t n;

	err[0] = '\0';
	assert_int_equal(kipsecd_p1_parse_list(value, p, &n, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static void test_p1_list(void **state)
{
	struct kipsecd_p1_proposal p[KIPSECD_MAX_P1];
	char name[KIPSECD_PROPOSAL_NAME_MAX];
	size_t n;

	(void)state;
	assert_int_equal(kipsecd_p1_parse_list("aes256-sha256-modp2048 ,aes128-sha1-modp1024",
					       p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(kipsecd_p1_name(&p[0], name, sizeof(name)), "aes256-sha256-modp2048");
	assert_string_equal(kipsecd_p1_name(&p[1], name, sizeof(name)), "aes128-sha1-modp1024");

	assert_int_equal(kipsecd_p1_parse_list(
		"des-md5-g1, des-sha1-g1, 3des-md5-g2, 3des-sha1-g2, aes128-sha1-g5, aes192-sha256-g14, aes256-sha384-g20, aes256-sha512-g31",
		p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 8);

	p1_list_fails("des-md5-g1, des-sha1-g1, 3des-md5-g2, 3des-sha1-g2, aes128-sha1-g5, aes192-sha256-g14, aes256-sha384-g20, aes256-sha512-g31, aes128-sha256-g19",
		      "'aes128-sha256-g19' is one proposal too many: at most 8 may be offered");
	p1_list_fails("aes128-sha-g14, aes128-sha1-modp2048",
		      "'aes128-sha1-modp2048' is offered twice (as 'aes128-sha1-modp2048')");
	p1_list_fails("aes128-sha1-modp2048, g14-esp-aes128-sha",
		      "'g14-esp-aes128-sha' is not a Phase 1 proposal ENCRYPTION-HASH-GROUP, e.g. aes256-sha256-modp2048");
	p1_list_fails("aes128-sha1-modp2048,,aes256-sha1-modp2048",
		      "an empty item in the list 'aes128-sha1-modp2048,,aes256-sha1-modp2048'");
	p1_list_fails("", "an empty item in the list ''");
}

/* Phase 2 */

static const struct {
	const char *name;
	uint8_t transform;
	uint16_t ike_key_bits;
	bool aead;
	uint32_t kernel_alg;
	uint16_t kernel_key_len;
	uint16_t icv_bits;
	bool weak;
} want_esp[] = {
	{ "des", 2, 0, false, KIPSEC_ENC_DES, 8, 0, true },
	{ "3des", 3, 0, false, KIPSEC_ENC_3DES, 24, 0, false },
	{ "aes128", 12, 128, false, KIPSEC_ENC_AES_CBC, 16, 0, false },
	{ "aes192", 12, 192, false, KIPSEC_ENC_AES_CBC, 24, 0, false },
	{ "aes256", 12, 256, false, KIPSEC_ENC_AES_CBC, 32, 0, false },
	{ "null", 11, 0, false, KIPSEC_ENC_NULL, 0, 0, true },
	{ "aes128gcm8", 18, 128, true, KIPSEC_AEAD_AES_GCM, 20, 64, false },
	{ "aes128gcm12", 19, 128, true, KIPSEC_AEAD_AES_GCM, 20, 96, false },
	{ "aes128gcm16", 20, 128, true, KIPSEC_AEAD_AES_GCM, 20, 128, false },
	{ "aes192gcm8", 18, 192, true, KIPSEC_AEAD_AES_GCM, 28, 64, false },
	{ "aes192gcm12", 19, 192, true, KIPSEC_AEAD_AES_GCM, 28, 96, false },
	{ "aes192gcm16", 20, 192, true, KIPSEC_AEAD_AES_GCM, 28, 128, false },
	{ "aes256gcm8", 18, 256, true, KIPSEC_AEAD_AES_GCM, 36, 64, false },
	{ "aes256gcm12", 19, 256, true, KIPSEC_AEAD_AES_GCM, 36, 96, false },
	{ "aes256gcm16", 20, 256, true, KIPSEC_AEAD_AES_GCM, 36, 128, false },
	{ "aes128ccm8", 14, 128, true, KIPSEC_AEAD_AES_CCM, 19, 64, false },
	{ "aes128ccm12", 15, 128, true, KIPSEC_AEAD_AES_CCM, 19, 96, false },
	{ "aes128ccm16", 16, 128, true, KIPSEC_AEAD_AES_CCM, 19, 128, false },
	{ "aes192ccm8", 14, 192, true, KIPSEC_AEAD_AES_CCM, 27, 64, false },
	{ "aes192ccm12", 15, 192, true, KIPSEC_AEAD_AES_CCM, 27, 96, false },
	{ "aes192ccm16", 16, 192, true, KIPSEC_AEAD_AES_CCM, 27, 128, false },
	{ "aes256ccm8", 14, 256, true, KIPSEC_AEAD_AES_CCM, 35, 64, false },
	{ "aes256ccm12", 15, 256, true, KIPSEC_AEAD_AES_CCM, 35, 96, false },
	{ "aes256ccm16", 16, 256, true, KIPSEC_AEAD_AES_CCM, 35, 128, false },
};

static const struct {
	const char *name;
	uint16_t auth_alg;
	uint8_t ah_transform;
	uint32_t kernel_alg;
	uint16_t key_len, icv_bits;
	bool weak;
} want_auth[] = {
	{ "md5", 1, 2, KIPSEC_AUTH_HMAC_MD5_96, 16, 96, true },
	{ "sha", 2, 3, KIPSEC_AUTH_HMAC_SHA1_96, 20, 96, false },
	{ "sha256", 5, 5, KIPSEC_AUTH_HMAC_SHA256_128, 32, 128, false },
	{ "sha384", 6, 6, KIPSEC_AUTH_HMAC_SHA384_192, 48, 192, false },
	{ "sha512", 7, 7, KIPSEC_AUTH_HMAC_SHA512_256, 64, 256, false },
};

static const char *const pfs_words[] = {
	"nopfs", "g1", "g2", "g5", "g14", "g15", "g16", "g19", "g20", "g21", "g31"
};

static void check_p2(const char *word, const char *canon)
{
	struct kipsecd_p2_proposal p;
	char name[KIPSECD_PROPOSAL_NAME_MAX];

	err[0] = '\0';
	if (kipsecd_p2_parse(word, &p, err, sizeof(err)))
		fail_msg("'%s' refused: %s", word, err);
	assert_string_equal(kipsecd_p2_name(&p, name, sizeof(name)), canon);
}

/* ESP: every PFS choice with every cipher, and every integrity algorithm
 * with the plain ones; the SA payload values and the kernel's. */
static void test_p2_esp_every_combination(void **state)
{
	size_t f, c, a;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(pfs_words); f++)
		for (c = 0; c < ARRAY_SIZE(want_esp); c++)
			for (a = 0; a < ARRAY_SIZE(want_auth); a++) {
				struct kipsecd_p2_proposal p;
				struct kipsec_sa_info sa;
				uint16_t enc_len, auth_len;
				char word[64];

				if (want_esp[c].aead && a)
					continue;
				if (want_esp[c].aead)
					snprintf(word, sizeof(word), "%s-esp-%s",
						 pfs_words[f], want_esp[c].name);
				else
					snprintf(word, sizeof(word), "%s-esp-%s-%s",
						 pfs_words[f], want_esp[c].name,
						 want_auth[a].name);
				check_p2(word, word);
				assert_int_equal(kipsecd_p2_parse(word, &p, err, sizeof(err)), 0);
				assert_int_equal(p.proto, IPPROTO_ESP);
				if (f)
					assert_ptr_equal(p.pfs,
							 kipsecd_dh_group_by_name(pfs_words[f]));
				else
					assert_null(p.pfs);
				assert_int_equal(kipsecd_p2_doi_proto(&p), 3);
				assert_int_equal(kipsecd_p2_transform(&p), want_esp[c].transform);
				assert_int_equal(p.enc->ike_key_bits, want_esp[c].ike_key_bits);
				assert_ptr_equal(kipsecd_esp_cipher_by_id(want_esp[c].transform,
									  want_esp[c].ike_key_bits),
						 p.enc);
				memset(&sa, 0xff, sizeof(sa));
				kipsecd_p2_to_sa(&p, &sa, &enc_len, &auth_len);
				assert_int_equal(sa.proto, IPPROTO_ESP);
				assert_int_equal(enc_len, want_esp[c].kernel_key_len);
				if (want_esp[c].aead) {
					assert_null(p.auth);
					assert_int_equal(sa.aead_alg, want_esp[c].kernel_alg);
					assert_int_equal(sa.icv_bits, want_esp[c].icv_bits);
					assert_int_equal(sa.enc_alg, 0);
					assert_int_equal(sa.auth_alg, 0);
					assert_int_equal(auth_len, 0);
					assert_int_equal(kipsecd_p2_keymat_len(&p),
							 want_esp[c].kernel_key_len);
				} else {
					assert_int_equal(sa.aead_alg, 0);
					assert_int_equal(sa.icv_bits, 0);
					assert_int_equal(sa.enc_alg, want_esp[c].kernel_alg);
					assert_int_equal(sa.auth_alg, want_auth[a].kernel_alg);
					assert_int_equal(auth_len, want_auth[a].key_len);
					assert_int_equal(p.auth->auth_alg, want_auth[a].auth_alg);
					assert_int_equal(p.auth->icv_bits, want_auth[a].icv_bits);
					assert_int_equal(kipsecd_p2_keymat_len(&p),
							 want_esp[c].kernel_key_len +
							 want_auth[a].key_len);
				}
				assert_int_equal(kipsecd_p2_weak(&p),
						 want_esp[c].weak ||
						 (!want_esp[c].aead && want_auth[a].weak) ||
						 (f && f <= 3));
			}
	assert_null(kipsecd_esp_cipher_at(ARRAY_SIZE(want_esp)));
	assert_null(kipsecd_esp_cipher_by_id(12, 0));
	assert_null(kipsecd_esp_cipher_by_id(20, 0));
}

static void test_p2_ah_every_combination(void **state)
{
	size_t f, a;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(pfs_words); f++)
		for (a = 0; a < ARRAY_SIZE(want_auth); a++) {
			struct kipsecd_p2_proposal p;
			struct kipsec_sa_info sa;
			uint16_t enc_len, auth_len;
			char word[64];

			snprintf(word, sizeof(word), "%s-ah-%s", pfs_words[f],
				 want_auth[a].name);
			check_p2(word, word);
			assert_int_equal(kipsecd_p2_parse(word, &p, err, sizeof(err)), 0);
			assert_int_equal(p.proto, IPPROTO_AH);
			assert_null(p.enc);
			assert_int_equal(kipsecd_p2_doi_proto(&p), 2);
			assert_int_equal(kipsecd_p2_transform(&p), want_auth[a].ah_transform);
			assert_ptr_equal(kipsecd_p2_auth_by_ah(want_auth[a].ah_transform), p.auth);
			assert_ptr_equal(kipsecd_p2_auth_by_alg(want_auth[a].auth_alg), p.auth);
			assert_int_equal(p.auth->auth_alg, want_auth[a].auth_alg);
			memset(&sa, 0xff, sizeof(sa));
			kipsecd_p2_to_sa(&p, &sa, &enc_len, &auth_len);
			assert_int_equal(sa.proto, IPPROTO_AH);
			assert_int_equal(sa.aead_alg, 0);
			assert_int_equal(sa.enc_alg, 0);
			assert_int_equal(sa.icv_bits, 0);
			assert_int_equal(sa.auth_alg, want_auth[a].kernel_alg);
			assert_int_equal(enc_len, 0);
			assert_int_equal(auth_len, want_auth[a].key_len);
			assert_int_equal(kipsecd_p2_keymat_len(&p), want_auth[a].key_len);
			if (f)
				assert_int_equal(p.pfs->id,
						 kipsecd_dh_group_by_name(pfs_words[f])->id);
			else
				assert_null(p.pfs);
		}
	assert_null(kipsecd_p2_auth_at(ARRAY_SIZE(want_auth)));
	assert_null(kipsecd_p2_auth_by_ah(4));
	assert_null(kipsecd_p2_auth_by_alg(3));
}

static void test_p2_aliases(void **state)
{
	(void)state;
	check_p2("g2-esp-3des-sha1", "g2-esp-3des-sha");
	check_p2("nopfs-ah-sha1", "nopfs-ah-sha");
	check_p2("g14-esp-aes256gcm16", "g14-esp-aes256gcm16");
	check_p2("g31-esp-aes128ccm8", "g31-esp-aes128ccm8");
	check_p2("nopfs-ah-sha256", "nopfs-ah-sha256");
}

static void p2_fails(const char *word, const char *msg)
{
	struct kipsecd_p2_proposal p;

	err[0] = '\0';
	assert_int_equal(kipsecd_p2_parse(word, &p, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static void test_p2_errors(void **state)
{
	(void)state;
	p2_fails("standard", "'standard' is a set of proposals, not one proposal");
	p2_fails("esp-aes128-sha",
		 "'esp-aes128-sha': 'esp' is not nopfs or a PFS group g1, g2, g5, g14, g15, g16, g19, g20, g21, g31");
	p2_fails("g2-esp",
		 "'g2-esp' is not a Phase 2 proposal {nopfs|gN}-{esp|ah}-..., e.g. g14-esp-aes128-sha256, or a set (standard, compatible, basic)");
	p2_fails("g2-esp-aes128-sha-x",
		 "'g2-esp-aes128-sha-x' is not a Phase 2 proposal {nopfs|gN}-{esp|ah}-..., e.g. g14-esp-aes128-sha256, or a set (standard, compatible, basic)");
	p2_fails("g3-esp-aes128-sha",
		 "'g3-esp-aes128-sha': 'g3' is not nopfs or a PFS group g1, g2, g5, g14, g15, g16, g19, g20, g21, g31");
	p2_fails("modp2048-esp-aes128-sha",
		 "'modp2048-esp-aes128-sha': 'modp2048' is not nopfs or a PFS group g1, g2, g5, g14, g15, g16, g19, g20, g21, g31");
	p2_fails("pfs-esp-aes128-sha",
		 "'pfs-esp-aes128-sha': 'pfs' is not nopfs or a PFS group g1, g2, g5, g14, g15, g16, g19, g20, g21, g31");
	p2_fails("g2-ipcomp-deflate",
		 "'g2-ipcomp-deflate': 'ipcomp' is not esp or ah");
	p2_fails("g2-esp-aes512-sha",
		 "'g2-esp-aes512-sha': 'aes512' is not an ESP cipher (des, 3des, aes128, aes192, aes256, null, or aes{128,192,256}{gcm,ccm}{8,12,16})");
	p2_fails("g2-esp-aes128gcm",
		 "'g2-esp-aes128gcm': 'aes128gcm' is not an ESP cipher (des, 3des, aes128, aes192, aes256, null, or aes{128,192,256}{gcm,ccm}{8,12,16})");
	p2_fails("g2-esp-aes128gcm4",
		 "'g2-esp-aes128gcm4': 'aes128gcm4' is not an ESP cipher (des, 3des, aes128, aes192, aes256, null, or aes{128,192,256}{gcm,ccm}{8,12,16})");
	p2_fails("g2-esp-aes128",
		 "'g2-esp-aes128': 'aes128' needs an integrity algorithm: {nopfs|gN}-esp-aes128-AUTH");
	p2_fails("g2-esp-null",
		 "'g2-esp-null': 'null' needs an integrity algorithm: {nopfs|gN}-esp-null-AUTH");
	p2_fails("g2-esp-aes128-sha2",
		 "'g2-esp-aes128-sha2': 'sha2' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)");
	p2_fails("g2-esp-aes128-xcbc",
		 "'g2-esp-aes128-xcbc': 'xcbc' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)");
	p2_fails("g14-esp-aes256gcm16-sha256",
		 "'g14-esp-aes256gcm16-sha256': 'aes256gcm16' is a combined-mode cipher and takes no integrity algorithm ('sha256')");
	p2_fails("nopfs-ah-aes128-sha",
		 "'nopfs-ah-aes128-sha': AH takes one integrity algorithm: {nopfs|gN}-ah-AUTH");
	p2_fails("nopfs-ah-sha3",
		 "'nopfs-ah-sha3': 'sha3' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)");
	p2_fails("", "'' is not a Phase 2 proposal {nopfs|gN}-{esp|ah}-..., e.g. g14-esp-aes128-sha256, or a set (standard, compatible, basic)");
}

static void check_list(const char *value, const char *const *want)
{
	struct kipsecd_p2_proposal p[KIPSECD_MAX_P2];
	char name[KIPSECD_PROPOSAL_NAME_MAX];
	size_t n, i;

	err[0] = '\0';
	if (kipsecd_p2_parse_list(value, p, &n, err, sizeof(err)))
		fail_msg("'%s' refused: %s", value, err);
	for (i = 0; want[i]; i++) {
		assert_true(i < n);
		assert_string_equal(kipsecd_p2_name(&p[i], name, sizeof(name)), want[i]);
	}
	assert_int_equal(n, i);
}

static void test_p2_sets(void **state)
{
	static const char *const standard[] = {
		"g2-esp-3des-sha", "g2-esp-aes128-sha", NULL
	};
	static const char *const compatible[] = {
		"nopfs-esp-3des-sha", "nopfs-esp-3des-md5", "nopfs-esp-des-sha",
		"nopfs-esp-des-md5", NULL
	};
	static const char *const basic[] = {
		"nopfs-esp-des-sha", "nopfs-esp-des-md5", NULL
	};
	static const char *const mixed[] = {
		"g2-esp-aes256-sha256", "g2-esp-3des-sha", "g2-esp-aes128-sha",
		"g2-ah-sha", NULL
	};
	static const char *const mixed2[] = {
		"nopfs-esp-aes128gcm16", "nopfs-esp-des-sha", "nopfs-esp-des-md5", NULL
	};
	size_t i;

	(void)state;
	check_list("standard", standard);
	check_list("compatible", compatible);
	check_list("basic", basic);
	check_list("g2-esp-aes256-sha256, standard, g2-ah-sha1", mixed);
	check_list("nopfs-esp-aes128gcm16,basic", mixed2);
	for (i = 0; standard[i]; i++)
		assert_string_equal(kipsecd_p2_set("standard")[i], standard[i]);
	assert_null(kipsecd_p2_set("standard")[i]);
	assert_null(kipsecd_p2_set("Standard"));
}

static void p2_list_fails(const char *value, const char *msg)
{
	struct kipsecd_p2_proposal p[KIPSECD_MAX_P2];
	size_t n;

	err[0] = '\0';
	assert_int_equal(kipsecd_p2_parse_list(value, p, &n, err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static void test_p2_list_errors(void **state)
{
	(void)state;
	p2_list_fails("compatible, nopfs-esp-aes128-sha",
		      "'nopfs-esp-aes128-sha' is one proposal too many: at most 4 may be offered");
	p2_list_fails("standard, g2-esp-aes128-sha256, g2-esp-aes256-sha256, g2-ah-sha",
		      "'g2-ah-sha' is one proposal too many: at most 4 may be offered");
	p2_list_fails("compatible, basic", "'basic' offers 'nopfs-esp-des-sha' twice");
	p2_list_fails("g2-esp-3des-sha1, standard", "'standard' offers 'g2-esp-3des-sha' twice");
	p2_list_fails("g14-ah-sha256, g14-ah-sha256", "'g14-ah-sha256' is offered twice");
	p2_list_fails("standard, compatible",
		      "'g2-esp-3des-sha' and 'nopfs-esp-3des-sha' differ in PFS; Quick Mode carries one key exchange, so every proposal must use the same group or nopfs");
	p2_list_fails("g14-esp-aes128gcm16, g19-esp-aes128gcm16",
		      "'g14-esp-aes128gcm16' and 'g19-esp-aes128gcm16' differ in PFS; Quick Mode carries one key exchange, so every proposal must use the same group or nopfs");
	p2_list_fails("standard, g2-esp-aes128-sha7",
		      "'g2-esp-aes128-sha7': 'sha7' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)");
	p2_list_fails("standard,", "an empty item in the list 'standard,'");
	p2_list_fails("superfast",
		      "'superfast' is not a Phase 2 proposal {nopfs|gN}-{esp|ah}-..., e.g. g14-esp-aes128-sha256, or a set (standard, compatible, basic)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_p1_every_combination),
		cmocka_unit_test(test_p1_sha_alias),
		cmocka_unit_test(test_p1_errors),
		cmocka_unit_test(test_p1_list),
		cmocka_unit_test(test_p2_esp_every_combination),
		cmocka_unit_test(test_p2_ah_every_combination),
		cmocka_unit_test(test_p2_aliases),
		cmocka_unit_test(test_p2_errors),
		cmocka_unit_test(test_p2_sets),
		cmocka_unit_test(test_p2_list_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
