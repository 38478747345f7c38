// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the IKEv1 cryptography (userland/kipsecd/ikecrypto.c)
 * against known answers computed independently by
 * tests/vectors/ikev1_vectors.py (Python hmac/hashlib, pow(), cryptography).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "../../userland/kipsecd/ikecrypto.h"
#include "../../userland/kipsecd/payload.h"
#include "../vectors/ikev1_vectors.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CH(kb) ((struct ike_chunk){ (kb).p, (kb).len })

static void check_bytes(const char *what, const char *name, const uint8_t *got,
			size_t got_len, struct kat_bytes want)
{
	if (got_len != want.len)
		fail_msg("%s %s: %zu bytes, want %zu", name, what, got_len, want.len);
	if (memcmp(got, want.p, want.len)) {
		char hex[2 * 64 + 1] = "";

		for (size_t i = 0; i < got_len && i < 64; i++)
			sprintf(hex + 2 * i, "%02x", got[i]);
		fail_msg("%s %s differs from the known answer (got %s...)", name,
			 what, hex);
	}
}

static void test_dh_known_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(kat_dh); i++) {
		const struct kat_dh *v = &kat_dh[i];
		uint8_t pub[IKE_MAX_DH_LEN], sec[IKE_MAX_DH_LEN];
		size_t plen = ike_dh_public_len(v->group);
		size_t slen = ike_dh_secret_len(v->group);
		char name[32], err[128];
		struct ike_dh *a, *b;

		snprintf(name, sizeof(name), "group %u", v->group);
		assert_true(ike_dh_supported(v->group));
		a = ike_dh_new(v->group, v->priv_a.p, v->priv_a.len);
		b = ike_dh_new(v->group, v->priv_b.p, v->priv_b.len);
		if (!a || !b)
			fail_msg("%s: key from a fixed private value", name);
		assert_int_equal(ike_dh_group(a), v->group);
		assert_int_equal(ike_dh_public(a, pub, plen), 0);
		check_bytes("public a", name, pub, plen, v->pub_a);
		assert_int_equal(ike_dh_public(b, pub, plen), 0);
		check_bytes("public b", name, pub, plen, v->pub_b);
		if (ike_dh_shared(a, v->pub_b.p, v->pub_b.len, sec, slen, err, sizeof(err)))
			fail_msg("%s: %s", name, err);
		check_bytes("shared secret (a)", name, sec, slen, v->shared);
		if (ike_dh_shared(b, v->pub_a.p, v->pub_a.len, sec, slen, err, sizeof(err)))
			fail_msg("%s: %s", name, err);
		check_bytes("shared secret (b)", name, sec, slen, v->shared);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* Generated key pairs agree with each other in every group. */
static void test_dh_generated(void **state)
{
	static const uint16_t groups[] = { 1, 2, 5, 14, 15, 19, 20, 21, 31 };

	(void)state;
	for (size_t i = 0; i < NELEM(groups); i++) {
		uint16_t g = groups[i];
		size_t plen = ike_dh_public_len(g), slen = ike_dh_secret_len(g);
		uint8_t pa[IKE_MAX_DH_LEN], pb[IKE_MAX_DH_LEN];
		uint8_t sa[IKE_MAX_DH_LEN], sb[IKE_MAX_DH_LEN];
		struct ike_dh *a = ike_dh_new(g, NULL, 0), *b = ike_dh_new(g, NULL, 0);
		char err[128];

		if (!a || !b)
			fail_msg("group %u: no key pair generated", g);
		assert_int_equal(ike_dh_public(a, pa, plen), 0);
		assert_int_equal(ike_dh_public(b, pb, plen), 0);
		assert_int_equal(ike_dh_public(a, pa, plen - 1), -1);
		if (ike_dh_shared(a, pb, plen, sa, slen, err, sizeof(err)) ||
		    ike_dh_shared(b, pa, plen, sb, slen, err, sizeof(err)))
			fail_msg("group %u: %s", g, err);
		assert_memory_equal(sa, sb, slen);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	assert_false(ike_dh_supported(3));
	assert_null(ike_dh_new(3, NULL, 0));
	assert_int_equal(ike_dh_public_len(19), 64);
	assert_int_equal(ike_dh_secret_len(21), 66);
	assert_int_equal(ike_dh_public_len(21), 132);
	assert_int_equal(ike_dh_public_len(16), 512);
}

static void expect_refused(struct ike_dh *dh, const uint8_t *peer, size_t len,
			   const char *why)
{
	uint8_t sec[IKE_MAX_DH_LEN];
	char err[128] = "";

	if (!ike_dh_shared(dh, peer, len, sec, ike_dh_secret_len(ike_dh_group(dh)),
			   err, sizeof(err)))
		fail_msg("group %u: %s accepted", ike_dh_group(dh), why);
	assert_true(strlen(err) > 0);
}

static void test_dh_invalid_peers(void **state)
{
	uint8_t v[IKE_MAX_DH_LEN];
	struct ike_dh *dh;
	BIGNUM *p;

	(void)state;
	/* MODP 1024: 0, 1, p-1, p, all ones, a short value */
	dh = ike_dh_new(IKE_GROUP_MODP_1024, NULL, 0);
	assert_non_null(dh);
	memset(v, 0, 128);
	expect_refused(dh, v, 128, "y = 0");
	v[127] = 1;
	expect_refused(dh, v, 128, "y = 1");
	p = BN_get_rfc2409_prime_1024(NULL);
	BN_bn2binpad(p, v, 128);
	expect_refused(dh, v, 128, "y = p");
	BN_sub_word(p, 1);
	BN_bn2binpad(p, v, 128);
	expect_refused(dh, v, 128, "y = p-1");
	BN_sub_word(p, 1);
	BN_bn2binpad(p, v, 128);
	{
		uint8_t sec[128];
		char err[128];

		assert_int_equal(ike_dh_shared(dh, v, 128, sec, 128, err, sizeof(err)), 0);
	}
	BN_free(p);
	memset(v, 0xff, 128);
	expect_refused(dh, v, 128, "y > p");
	expect_refused(dh, v, 127, "a 127-byte value");
	ike_dh_free(dh);

	/* P-256: a point off the curve, the zero "point", wrong length */
	dh = ike_dh_new(IKE_GROUP_ECP_256, kat_dh[8].priv_a.p, kat_dh[8].priv_a.len);
	assert_non_null(dh);
	assert_int_equal(kat_dh[8].group, IKE_GROUP_ECP_256);
	memcpy(v, kat_dh[8].pub_b.p, 64);
	v[63] ^= 1;
	expect_refused(dh, v, 64, "a point off the curve");
	memset(v, 0, 64);
	expect_refused(dh, v, 64, "the zero point");
	expect_refused(dh, kat_dh[8].pub_b.p, 65, "65 bytes");
	ike_dh_free(dh);

	/* curve25519: low-order points give an all-zero secret */
	dh = ike_dh_new(IKE_GROUP_CURVE25519, NULL, 0);
	assert_non_null(dh);
	memset(v, 0, 32);
	expect_refused(dh, v, 32, "u = 0");
	v[0] = 1;
	expect_refused(dh, v, 32, "u = 1");
	expect_refused(dh, v, 31, "31 bytes");
	ike_dh_free(dh);
}

static void test_phase1_known_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(kat_p1); i++) {
		const struct kat_p1 *v = &kat_p1[i];
		struct ike_p1_keys k;
		struct ike_iv iv, iv2;
		uint8_t out[IKE_MAX_PRF_LEN], buf[256], sec[IKE_MAX_DH_LEN];
		size_t key_len, block_len, n = ike_hash_len(v->hash);
		struct ike_dh *dh;
		char err[128];

		assert_int_equal(ike_cipher_info(v->enc, v->keybits, &key_len, &block_len), 0);

		/* the DH values the case was built on */
		dh = ike_dh_new(v->group, v->xi.p, v->xi.len);
		assert_non_null(dh);
		assert_int_equal(ike_dh_public(dh, buf, v->gxi.len), 0);
		check_bytes("g^xi", v->name, buf, v->gxi.len, v->gxi);
		if (ike_dh_shared(dh, v->gxr.p, v->gxr.len, sec, v->gxy.len, err,
				  sizeof(err)))
			fail_msg("%s: %s", v->name, err);
		check_bytes("g^xy", v->name, sec, v->gxy.len, v->gxy);
		ike_dh_free(dh);

		/* SKEYID and the keys */
		assert_int_equal(ike_skeyid_psk(&k, v->hash, v->psk.p, v->psk.len,
						CH(v->ni), CH(v->nr)), 0);
		check_bytes("SKEYID", v->name, k.skeyid, k.prf_len, v->skeyid);
		assert_int_equal(ike_skeyid_derive(&k, CH(v->gxy), v->cky_i.p,
						   v->cky_r.p, key_len), 0);
		check_bytes("SKEYID_d", v->name, k.skeyid_d, n, v->skeyid_d);
		check_bytes("SKEYID_a", v->name, k.skeyid_a, n, v->skeyid_a);
		check_bytes("SKEYID_e", v->name, k.skeyid_e, n, v->skeyid_e);
		check_bytes("encryption key", v->name, k.enc_key, k.enc_key_len,
			    v->enc_key);

		/* HASH_I, HASH_R */
		assert_int_equal(ike_hash_i(&k, CH(v->gxi), CH(v->gxr), v->cky_i.p,
					    v->cky_r.p, CH(v->sai_b), CH(v->idii_b),
					    out), 0);
		check_bytes("HASH_I", v->name, out, n, v->hash_i);
		assert_int_equal(ike_hash_r(&k, CH(v->gxi), CH(v->gxr), v->cky_i.p,
					    v->cky_r.p, CH(v->sai_b), CH(v->idir_b),
					    out), 0);
		check_bytes("HASH_R", v->name, out, n, v->hash_r);

		/* phase 1 IV and CBC chaining over messages 5 and 6 */
		assert_int_equal(ike_iv_phase1(v->hash, CH(v->gxi), CH(v->gxr),
					       block_len, &iv), 0);
		check_bytes("phase 1 IV", v->name, iv.b, iv.len, v->iv1);
		memcpy(buf, v->msg5.p, v->msg5.len);
		assert_int_equal(ike_encrypt(v->enc, k.enc_key, k.enc_key_len, &iv,
					     buf, v->msg5.len), 0);
		check_bytes("message 5 ciphertext", v->name, buf, v->msg5.len, v->ct5);
		memcpy(buf, v->msg6.p, v->msg6.len);
		assert_int_equal(ike_encrypt(v->enc, k.enc_key, k.enc_key_len, &iv,
					     buf, v->msg6.len), 0);
		check_bytes("message 6 ciphertext", v->name, buf, v->msg6.len, v->ct6);
		check_bytes("last phase 1 IV", v->name, iv.b, iv.len, v->p1_last_iv);

		/* the receiving side: decrypt both, same IV afterwards */
		assert_int_equal(ike_iv_phase1(v->hash, CH(v->gxi), CH(v->gxr),
					       block_len, &iv2), 0);
		memcpy(buf, v->ct5.p, v->ct5.len);
		assert_int_equal(ike_decrypt(v->enc, k.enc_key, k.enc_key_len, &iv2,
					     buf, v->ct5.len), 0);
		check_bytes("message 5 plaintext", v->name, buf, v->ct5.len, v->msg5);
		memcpy(buf, v->ct6.p, v->ct6.len);
		assert_int_equal(ike_decrypt(v->enc, k.enc_key, k.enc_key_len, &iv2,
					     buf, v->ct6.len), 0);
		check_bytes("message 6 plaintext", v->name, buf, v->ct6.len, v->msg6);
		check_bytes("receiver's last phase 1 IV", v->name, iv2.b, iv2.len,
			    v->p1_last_iv);

		/* phase 2 IV and a Quick Mode message encrypted with it */
		assert_int_equal(ike_iv_phase2(v->hash, &iv, v->msgid, &iv2), 0);
		check_bytes("phase 2 IV", v->name, iv2.b, iv2.len, v->iv2);
		memcpy(buf, v->qm1.p, v->qm1.len);
		assert_int_equal(ike_encrypt(v->enc, k.enc_key, k.enc_key_len, &iv2,
					     buf, v->qm1.len), 0);
		check_bytes("Quick Mode 1 ciphertext", v->name, buf, v->qm1.len, v->qm1_ct);

		/* Quick Mode and Informational hashes */
		assert_int_equal(ike_qm_hash1(&k, v->msgid, CH(v->rest1), out), 0);
		check_bytes("HASH(1)", v->name, out, n, v->hash1);
		assert_int_equal(ike_qm_hash2(&k, v->msgid, CH(v->ni2), CH(v->rest2),
					      out), 0);
		check_bytes("HASH(2)", v->name, out, n, v->hash2);
		assert_int_equal(ike_qm_hash3(&k, v->msgid, CH(v->ni2), CH(v->nr2),
					      out), 0);
		check_bytes("HASH(3)", v->name, out, n, v->hash3);
		assert_int_equal(ike_qm_hash1(&k, v->msgid, CH(v->info), out), 0);
		check_bytes("Informational HASH", v->name, out, n, v->info_hash);

		/* KEYMAT without and with PFS */
		size_t enc_len, integ_len;
		const uint8_t *ek, *ik;

		assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, v->esp_transform,
						    v->esp_keybits, v->esp_auth,
						    &enc_len, &integ_len), 0);
		assert_int_equal(enc_len, v->enc_len);
		assert_int_equal(integ_len, v->integ_len);
		assert_int_equal(ike_keymat(&k, (struct ike_chunk){ NULL, 0 },
					    IKE_PROTO_ESP, v->spi.p, CH(v->ni2),
					    CH(v->nr2), buf, enc_len + integ_len), 0);
		check_bytes("KEYMAT", v->name, buf, enc_len + integ_len, v->keymat);
		ike_keymat_split(buf, enc_len, integ_len, &ek, &ik);
		assert_ptr_equal(ek, buf);
		if (integ_len)
			assert_ptr_equal(ik, buf + enc_len);
		else
			assert_null(ik);
		assert_int_equal(ike_keymat(&k, CH(v->gqm), IKE_PROTO_ESP, v->spi.p,
					    CH(v->ni2), CH(v->nr2), buf,
					    enc_len + integ_len), 0);
		check_bytes("KEYMAT with PFS", v->name, buf, enc_len + integ_len,
			    v->keymat_pfs);
		ike_p1_keys_wipe(&k);
		assert_int_equal(k.prf_len, 0);
	}
}

/*
 * The codec and the crypto together, as the daemon will use them: Quick
 * Mode message 1 built with a HASH(1) placeholder, hashed over the bytes
 * after the HASH payload, padded, encrypted with the phase 2 IV; then
 * decrypted, decoded and its HASH(1) verified by the receiver.
 */
static void test_quick_mode_1_flow(void **state)
{
	const struct kat_p1 *v = &kat_p1[1];
	struct ike_attr attrs[] = {
		ike_attr_basic(IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL),
		ike_attr_basic(IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA1),
		ike_attr_basic(IPSEC_ATTR_KEY_LENGTH, 128),
	};
	struct ike_transform t = { .num = 1, .id = IKE_ESP_AES_CBC, .nattrs = 3,
				   .attrs = attrs };
	struct ike_proposal p = { .num = 1, .proto = IKE_PROTO_ESP, .spi_len = 4,
				  .spi = { 0xc1, 0, 0, 0x2a }, .ntrans = 1, .trans = &t };
	struct ike_sa_pl sa = { .doi = 1, .situation = 1, .nprops = 1, .props = &p };
	struct ike_id ci = { .type = IKE_ID_IPV4_ADDR_SUBNET, .family = 4,
			     .addr = { 10, 1, 0, 0 }, .addr2 = { 255, 255, 0, 0 } };
	struct ike_id cr = { .type = IKE_ID_IPV4_ADDR_SUBNET, .family = 4,
			     .addr = { 10, 2, 0, 0 }, .addr2 = { 255, 255, 0, 0 } };
	struct ike_hdr h = { .exchange = IKE_XCHG_QUICK, .flags = IKE_FLAG_ENC,
			     .msgid = v->msgid };
	struct ike_p1_keys k;
	struct ike_iv iv, iv_rx;
	struct ike_builder b;
	struct ike_msg *m = malloc(sizeof(*m));
	uint8_t want[IKE_MAX_PRF_LEN];
	const struct ike_payload *hp;
	size_t key_len, bl, hoff, soff, n;
	char err[256];

	(void)state;
	assert_non_null(m);
	memcpy(h.icookie, v->cky_i.p, 8);
	memcpy(h.rcookie, v->cky_r.p, 8);
	assert_int_equal(ike_cipher_info(v->enc, v->keybits, &key_len, &bl), 0);
	assert_int_equal(ike_skeyid_psk(&k, v->hash, v->psk.p, v->psk.len, CH(v->ni),
					CH(v->nr)), 0);
	assert_int_equal(ike_skeyid_derive(&k, CH(v->gxy), v->cky_i.p, v->cky_r.p,
					   key_len), 0);
	iv.len = v->p1_last_iv.len;
	memcpy(iv.b, v->p1_last_iv.p, iv.len);
	assert_int_equal(ike_iv_phase2(v->hash, &iv, v->msgid, &iv), 0);
	iv_rx = iv;

	/* sender */
	ike_build_begin(&b, &h);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, k.prf_len);
	soff = ike_build_sa(&b, &sa);
	ike_build_data(&b, IKE_PL_NONCE, v->ni2.p, v->ni2.len);
	ike_build_id(&b, &ci);
	ike_build_id(&b, &cr);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(soff, hoff + 4 + k.prf_len);
	assert_int_equal(ike_qm_hash1(&k, v->msgid,
				      (struct ike_chunk){ b.buf.data + soff,
							  b.buf.len - soff },
				      b.buf.data + hoff + 4), 0);
	n = ike_pad_len(b.buf.len - IKE_HDR_LEN, bl);
	assert_true(ike_buf_append(&b.buf, NULL, n));
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(ike_encrypt(v->enc, k.enc_key, k.enc_key_len, &iv,
				     b.buf.data + IKE_HDR_LEN, b.buf.len - IKE_HDR_LEN), 0);

	/* receiver */
	assert_int_equal(ike_decode_header(b.buf.data, b.buf.len, &h, err,
					   sizeof(err)), IKE_PERR_OK);
	assert_int_equal(h.msgid, v->msgid);
	assert_true(h.flags & IKE_FLAG_ENC);
	assert_int_equal(ike_decrypt(v->enc, k.enc_key, k.enc_key_len, &iv_rx,
				     b.buf.data + IKE_HDR_LEN, b.buf.len - IKE_HDR_LEN), 0);
	assert_memory_equal(iv_rx.b, iv.b, iv.len);
	if (ike_decode(b.buf.data, b.buf.len, m, err, sizeof(err)))
		fail_msg("decoding the decrypted message: %s", err);
	assert_int_equal(m->pad_len, n);
	assert_int_equal(m->npayloads, 5);
	hp = &m->pl[0];
	assert_int_equal(hp->type, IKE_PL_HASH);
	size_t rest = hp->offset + hp->raw_len;

	assert_int_equal(ike_qm_hash1(&k, m->hdr.msgid,
				      (struct ike_chunk){ m->raw + rest,
							  m->raw_len - m->pad_len - rest },
				      want), 0);
	assert_int_equal(hp->u.data.len, k.prf_len);
	assert_memory_equal(hp->u.data.data, want, k.prf_len);
	assert_int_equal(ike_msg_find(m, IKE_PL_SA, 0)->u.sa.props[0].spi[3], 0x2a);
	assert_int_equal(ike_msg_find(m, IKE_PL_ID, 1)->u.id.addr[1], 2);
	ike_p1_keys_wipe(&k);
	ike_buf_free(&b.buf);
	free(m);
}

static void test_sizes_and_refusals(void **state)
{
	size_t kl, bl, el, il;
	struct ike_iv iv = { .len = 16 };
	uint8_t key[32] = { 0 }, buf[48] = { 0 };

	(void)state;
	assert_int_equal(ike_cipher_info(IKE_ENC_AES_CBC, 0, &kl, &bl), -1);
	assert_int_equal(ike_cipher_info(IKE_ENC_AES_CBC, 512, &kl, &bl), -1);
	assert_int_equal(ike_cipher_info(IKE_ENC_BLOWFISH_CBC, 0, &kl, &bl), -1);
	assert_int_equal(ike_cipher_info(IKE_ENC_3DES_CBC, 0, &kl, &bl), 0);
	assert_int_equal(kl, 24);
	assert_int_equal(bl, 8);
	assert_int_equal(ike_hash_len(IKE_HASH_TIGER), 0);
	assert_int_equal(ike_pad_len(28 + 20, 16), 0);
	assert_int_equal(ike_pad_len(28 + 21, 16), 15);
	assert_int_equal(ike_pad_len(9, 8), 7);
	/* CBC wants whole blocks */
	assert_int_equal(ike_encrypt(IKE_ENC_AES_CBC, key, 32, &iv, buf, 40), -1);
	assert_int_equal(ike_encrypt(IKE_ENC_AES_CBC, key, 32, &iv, buf, 0), -1);
	assert_int_equal(ike_encrypt(IKE_ENC_AES_CBC, key, 32, &iv, buf, 48), 0);
	iv.len = 8;
	assert_int_equal(ike_encrypt(IKE_ENC_AES_CBC, key, 32, &iv, buf, 48), -1);
	/* KEYMAT lengths: salts after the AEAD keys, AH from the transform */
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 256, 0,
					    &el, &il), 0);
	assert_int_equal(el, 36);
	assert_int_equal(il, 0);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, IKE_ESP_AES_CCM_8, 192, 0,
					    &el, &il), 0);
	assert_int_equal(el, 27);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, IKE_ESP_AES_GCM_16, 256,
					    IPSEC_AUTH_HMAC_SHA1, &el, &il), -1);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, IKE_ESP_AES_CBC, 0,
					    IPSEC_AUTH_HMAC_SHA1, &el, &il), -1);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_ESP, IKE_ESP_NULL, 0,
					    IPSEC_AUTH_HMAC_SHA2_512, &el, &il), 0);
	assert_int_equal(el, 0);
	assert_int_equal(il, 64);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_AH, IKE_AH_SHA2_256, 0, 0,
					    &el, &il), 0);
	assert_int_equal(el, 0);
	assert_int_equal(il, 32);
	assert_int_equal(ike_keymat_lengths(IKE_PROTO_AH, IKE_AH_DES, 0, 0, &el, &il), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dh_known_answers),
		cmocka_unit_test(test_dh_generated),
		cmocka_unit_test(test_dh_invalid_peers),
		cmocka_unit_test(test_phase1_known_answers),
		cmocka_unit_test(test_quick_mode_1_flow),
		cmocka_unit_test(test_sizes_and_refusals),
	};

	if (ike_crypto_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
