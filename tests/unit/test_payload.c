// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ISAKMP codec (userland/kipsecd/payload.c): round trips
 * of every payload kipsecd uses, a whole Main Mode message 1, and hostile
 * input (truncation at every length, corrupted length fields, every byte
 * replaced) that must fail cleanly with a reason. Also built with
 * -fsanitize=address,undefined as test_payload_asan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsecd/payload.h"
#include "payload_reencode.h"

static struct ike_msg *msg;
static char err[256];

static int setup(void **state)
{
	(void)state;
	msg = calloc(1, sizeof(*msg));
	return msg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(msg);
	return 0;
}

static void assert_err_has(const char *word)
{
	if (!strstr(err, word))
		fail_msg("error \"%s\" does not contain \"%s\"", err, word);
}

static const struct ike_hdr hdr_mm1 = {
	.icookie = { 1, 2, 3, 4, 5, 6, 7, 8 },
	.exchange = IKE_XCHG_MAIN,
};

/* Phase 1: two proposals of two and one transforms. */
static struct ike_attr p1a_attrs[] = {
	{ .type = IKE_ATTR_ENC_ALG, .tv = true, .num = IKE_ENC_AES_CBC },
	{ .type = IKE_ATTR_KEY_LENGTH, .tv = true, .num = 256 },
	{ .type = IKE_ATTR_HASH_ALG, .tv = true, .num = IKE_HASH_SHA2_256 },
	{ .type = IKE_ATTR_AUTH_METHOD, .tv = true, .num = IKE_AUTH_PSK },
	{ .type = IKE_ATTR_GROUP_DESC, .tv = true, .num = IKE_GROUP_MODP_2048 },
	{ .type = IKE_ATTR_LIFE_TYPE, .tv = true, .num = IKE_LIFE_SECONDS },
	{ .type = IKE_ATTR_LIFE_DURATION, .len = 4, .num = 86400 },
};
static struct ike_attr p1b_attrs[] = {
	{ .type = IKE_ATTR_ENC_ALG, .tv = true, .num = IKE_ENC_3DES_CBC },
	{ .type = IKE_ATTR_HASH_ALG, .tv = true, .num = IKE_HASH_SHA1 },
	{ .type = IKE_ATTR_AUTH_METHOD, .tv = true, .num = IKE_AUTH_PSK },
	{ .type = IKE_ATTR_GROUP_DESC, .tv = true, .num = IKE_GROUP_MODP_1024 },
	{ .type = IKE_ATTR_LIFE_TYPE, .tv = true, .num = IKE_LIFE_SECONDS },
	{ .type = IKE_ATTR_LIFE_DURATION, .tv = true, .num = 28800 },
};
static const uint8_t prime_bytes[12] = { 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa,
					 0x99, 0x88, 0x77, 0x66, 0x55, 0x44 };
static struct ike_attr p1c_attrs[] = {
	{ .type = IKE_ATTR_ENC_ALG, .tv = true, .num = IKE_ENC_DES_CBC },
	{ .type = IKE_ATTR_GROUP_PRIME, .len = 12, .data = prime_bytes },
	{ .type = IKE_ATTR_LIFE_DURATION, .len = 8, .num = 0x100000000ull },
};
static struct ike_transform p1_t1[] = {
	{ .num = 1, .id = IKE_TRANS_KEY_IKE, .nattrs = 7, .attrs = p1a_attrs },
	{ .num = 2, .id = IKE_TRANS_KEY_IKE, .nattrs = 6, .attrs = p1b_attrs },
};
static struct ike_transform p1_t2[] = {
	{ .num = 1, .id = IKE_TRANS_KEY_IKE, .nattrs = 3, .attrs = p1c_attrs },
};
static struct ike_proposal p1_props[] = {
	{ .num = 1, .proto = IKE_PROTO_ISAKMP, .ntrans = 2, .trans = p1_t1 },
	{ .num = 2, .proto = IKE_PROTO_ISAKMP, .ntrans = 1, .trans = p1_t2 },
};
static const struct ike_sa_pl p1_sa = {
	.doi = IKE_DOI_IPSEC, .situation = IKE_SIT_IDENTITY_ONLY,
	.nprops = 2, .props = p1_props,
};

static const uint8_t dpd_vid[] = IKE_DPD_VID_INIT;

/* Main Mode message 1: SA with two proposals, then the DPD vendor ID. */
static struct ike_buf build_mm1(void)
{
	struct ike_builder b;

	ike_build_begin(&b, &hdr_mm1);
	assert_int_equal(ike_build_sa(&b, &p1_sa), IKE_HDR_LEN);
	assert_true(ike_build_data(&b, IKE_PL_VID, dpd_vid, sizeof(dpd_vid)) !=
		    (size_t)-1);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	return b.buf;
}

static void assert_attrs_equal(const struct ike_attr *a, const struct ike_attr *b,
			       unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(a[i].type, b[i].type);
		assert_int_equal(a[i].tv, b[i].tv);
		assert_int_equal(a[i].num, b[i].num);
		if (!a[i].tv) {
			assert_int_equal(a[i].len, b[i].len);
			if (b[i].data)
				assert_memory_equal(a[i].data, b[i].data, b[i].len);
		}
	}
}

static void assert_sa_equal(const struct ike_sa_pl *got, const struct ike_sa_pl *want)
{
	assert_int_equal(got->doi, want->doi);
	assert_int_equal(got->situation, want->situation);
	assert_int_equal(got->nprops, want->nprops);
	for (unsigned i = 0; i < want->nprops; i++) {
		const struct ike_proposal *g = &got->props[i], *w = &want->props[i];

		assert_int_equal(g->num, w->num);
		assert_int_equal(g->proto, w->proto);
		assert_int_equal(g->spi_len, w->spi_len);
		assert_memory_equal(g->spi, w->spi, w->spi_len);
		assert_int_equal(g->ntrans, w->ntrans);
		for (unsigned j = 0; j < w->ntrans; j++) {
			assert_int_equal(g->trans[j].num, w->trans[j].num);
			assert_int_equal(g->trans[j].id, w->trans[j].id);
			assert_int_equal(g->trans[j].nattrs, w->trans[j].nattrs);
			assert_attrs_equal(g->trans[j].attrs, w->trans[j].attrs,
					   w->trans[j].nattrs);
		}
	}
}

static void test_main_mode_1(void **state)
{
	struct ike_buf b = build_mm1();
	const struct ike_payload *sa, *vid;
	uint64_t v;

	(void)state;
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)), IKE_PERR_OK);
	assert_true(reencode_equal(msg, b.data, b.len));
	assert_memory_equal(msg->hdr.icookie, hdr_mm1.icookie, 8);
	assert_int_equal(msg->hdr.version, IKE_VERSION);
	assert_int_equal(msg->hdr.exchange, IKE_XCHG_MAIN);
	assert_int_equal(msg->hdr.length, b.len);
	assert_int_equal(msg->hdr.np, IKE_PL_SA);
	assert_int_equal(msg->npayloads, 2);
	sa = ike_msg_find(msg, IKE_PL_SA, 0);
	assert_non_null(sa);
	assert_ptr_equal(sa->body, b.data + IKE_HDR_LEN + 4);
	assert_int_equal(sa->offset, IKE_HDR_LEN);
	assert_int_equal(sa->raw[0], IKE_PL_VID);
	assert_sa_equal(&sa->u.sa, &p1_sa);
	assert_true(ike_attr_u64(ike_attr_find(&sa->u.sa.props[0].trans[0],
					       IKE_ATTR_LIFE_DURATION), &v));
	assert_int_equal(v, 86400);
	assert_false(ike_attr_u64(ike_attr_find(&sa->u.sa.props[1].trans[0],
						IKE_ATTR_GROUP_PRIME), &v));
	assert_null(ike_attr_find(&sa->u.sa.props[1].trans[0], IKE_ATTR_HASH_ALG));
	vid = ike_msg_find(msg, IKE_PL_VID, 0);
	assert_non_null(vid);
	assert_int_equal(vid->u.data.len, 16);
	assert_memory_equal(vid->u.data.data, dpd_vid, 16);
	assert_null(ike_msg_find(msg, IKE_PL_VID, 1));
	assert_int_equal(vid->raw[0], IKE_PL_NONE);
	ike_buf_free(&b);
}

/* Exact bytes of a small message, checked against the RFC 2408 layout. */
static void test_wire_layout(void **state)
{
	struct ike_attr attrs[] = {
		ike_attr_basic(IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL),
		ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, 3600),
		ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, 4608000),
	};
	struct ike_transform t = { .num = 1, .id = IKE_ESP_AES_CBC, .nattrs = 3,
				   .attrs = attrs };
	struct ike_proposal p = { .num = 1, .proto = IKE_PROTO_ESP, .spi_len = 4,
				  .spi = { 0xc0, 0xff, 0xee, 0x01 }, .ntrans = 1,
				  .trans = &t };
	struct ike_sa_pl sa = { .doi = 1, .situation = 1, .nprops = 1, .props = &p };
	struct ike_hdr h = { .exchange = IKE_XCHG_QUICK, .flags = IKE_FLAG_ENC,
			     .msgid = 0x01020304 };
	static const uint8_t want[] = {
		/* header from byte 16 */
		IKE_PL_SA, 0x10, 32, 0x01, 1, 2, 3, 4, 0, 0, 0, 28 + 48,
		/* SA */
		0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 1,
		/* proposal */
		0, 0, 0, 36, 1, 3, 4, 1, 0xc0, 0xff, 0xee, 0x01,
		/* transform */
		0, 0, 0, 24, 1, 12, 0, 0,
		0x80, 4, 0, 1,
		0x80, 2, 0x0e, 0x10,
		0, 2, 0, 4, 0x00, 0x46, 0x50, 0x00,
	};
	struct ike_builder b;

	(void)state;
	ike_build_begin(&b, &h);
	ike_build_sa(&b, &sa);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(b.buf.len, 28 + 48);
	assert_memory_equal(b.buf.data + 16, want, sizeof(want));
	ike_buf_free(&b.buf);
}

static void test_data_payloads(void **state)
{
	uint8_t ke[256], nonce[32], hash[32];
	struct ike_builder b;
	size_t hoff;
	const struct ike_payload *pl;

	(void)state;
	for (unsigned i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)i;
	memset(nonce, 0xab, sizeof(nonce));
	memset(hash, 0x5a, sizeof(hash));
	ike_build_begin(&b, &hdr_mm1);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, sizeof(hash));
	assert_int_equal(hoff, IKE_HDR_LEN);
	ike_build_data(&b, IKE_PL_KE, ke, sizeof(ke));
	ike_build_data(&b, IKE_PL_NONCE, nonce, sizeof(nonce));
	ike_build_data(&b, IKE_PL_VID, dpd_vid, sizeof(dpd_vid));
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	/* the placeholder is zeros, patched afterwards as for QM HASH(1) */
	for (unsigned i = 0; i < sizeof(hash); i++)
		assert_int_equal(b.buf.data[hoff + 4 + i], 0);
	memcpy(b.buf.data + hoff + 4, hash, sizeof(hash));

	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_OK);
	assert_int_equal(msg->npayloads, 4);
	pl = ike_msg_find(msg, IKE_PL_HASH, 0);
	assert_int_equal(pl->u.data.len, 32);
	assert_memory_equal(pl->u.data.data, hash, 32);
	pl = ike_msg_find(msg, IKE_PL_KE, 0);
	assert_int_equal(pl->u.data.len, 256);
	assert_memory_equal(pl->u.data.data, ke, 256);
	assert_int_equal(pl->offset, IKE_HDR_LEN + 36);
	pl = ike_msg_find(msg, IKE_PL_NONCE, 0);
	assert_memory_equal(pl->body, nonce, 32);
	pl = ike_msg_find(msg, IKE_PL_VID, 0);
	assert_memory_equal(pl->u.data.data, dpd_vid, 16);
	ike_buf_free(&b.buf);
}

static void test_notify_delete(void **state)
{
	uint8_t cookies[16], seq[4] = { 0, 0, 0, 7 };
	uint8_t spis[8] = { 0xc0, 0, 0, 1, 0xc0, 0, 0, 2 };
	struct ike_notify ic = { .doi = 1, .proto = IKE_PROTO_ISAKMP, .spi_len = 16,
				 .type = IKE_N_INITIAL_CONTACT, .spi = cookies };
	struct ike_notify dpd = { .doi = 1, .proto = IKE_PROTO_ISAKMP, .spi_len = 16,
				  .type = IKE_N_R_U_THERE, .spi = cookies,
				  .data = seq, .data_len = 4 };
	struct ike_notify nopc = { .doi = 1, .proto = IKE_PROTO_ESP,
				   .type = IKE_N_NO_PROPOSAL_CHOSEN };
	struct ike_delete del = { .doi = 1, .proto = IKE_PROTO_ESP, .spi_len = 4,
				  .nspis = 2, .spis = spis };
	const struct ike_payload *pl;
	struct ike_builder b;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		cookies[i] = (uint8_t)(0xa0 + i);
	ike_build_begin(&b, &hdr_mm1);
	ike_build_notify(&b, &ic);
	ike_build_notify(&b, &dpd);
	ike_build_notify(&b, &nopc);
	ike_build_delete(&b, &del);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_OK);
	pl = ike_msg_find(msg, IKE_PL_N, 0);
	assert_int_equal(pl->u.n.type, IKE_N_INITIAL_CONTACT);
	assert_int_equal(pl->u.n.spi_len, 16);
	assert_memory_equal(pl->u.n.spi, cookies, 16);
	assert_int_equal(pl->u.n.data_len, 0);
	pl = ike_msg_find(msg, IKE_PL_N, 1);
	assert_int_equal(pl->u.n.type, IKE_N_R_U_THERE);
	assert_int_equal(pl->u.n.data_len, 4);
	assert_memory_equal(pl->u.n.data, seq, 4);
	pl = ike_msg_find(msg, IKE_PL_N, 2);
	assert_int_equal(pl->u.n.type, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(pl->u.n.proto, IKE_PROTO_ESP);
	assert_int_equal(pl->u.n.spi_len, 0);
	pl = ike_msg_find(msg, IKE_PL_D, 0);
	assert_int_equal(pl->u.d.proto, IKE_PROTO_ESP);
	assert_int_equal(pl->u.d.nspis, 2);
	assert_int_equal(pl->u.d.spi_len, 4);
	assert_memory_equal(pl->u.d.spis, spis, 8);
	ike_buf_free(&b.buf);
}

static void id_round_trip(const struct ike_id *id, size_t data_len)
{
	struct ike_builder b;
	const struct ike_payload *pl;

	ike_build_begin(&b, &hdr_mm1);
	ike_build_id(&b, id);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(b.buf.len, IKE_HDR_LEN + 8 + data_len);
	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_OK);
	pl = ike_msg_find(msg, IKE_PL_ID, 0);
	assert_non_null(pl);
	assert_int_equal(pl->u.id.type, id->type);
	assert_int_equal(pl->u.id.proto, id->proto);
	assert_int_equal(pl->u.id.port, id->port);
	assert_int_equal(pl->u.id.len, data_len);
	assert_int_equal(pl->u.id.family, id->family);
	if (id->family) {
		size_t alen = id->family == 4 ? 4 : 16;

		assert_memory_equal(pl->u.id.addr, id->addr, alen);
		if (data_len == 2 * alen)
			assert_memory_equal(pl->u.id.addr2, id->addr2, alen);
	} else {
		assert_memory_equal(pl->u.id.data, id->data, data_len);
	}
	ike_buf_free(&b.buf);
}

static void test_id(void **state)
{
	struct ike_id id;
	static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0xff };
	static const uint8_t v6m[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	/* phase 1: an address, UDP/500 */
	id = (struct ike_id){ .type = IKE_ID_IPV4_ADDR, .proto = 17, .port = 500,
			      .family = 4, .addr = { 192, 0, 2, 1 } };
	id_round_trip(&id, 4);
	/* phase 2 proxy IDs with protocol and port */
	id = (struct ike_id){ .type = IKE_ID_IPV4_ADDR_SUBNET, .proto = 6, .port = 443,
			      .family = 4, .addr = { 10, 1, 0, 0 },
			      .addr2 = { 255, 255, 0, 0 } };
	id_round_trip(&id, 8);
	id = (struct ike_id){ .type = IKE_ID_IPV4_ADDR_RANGE, .family = 4,
			      .addr = { 10, 1, 0, 5 }, .addr2 = { 10, 1, 0, 9 } };
	id_round_trip(&id, 8);
	id = (struct ike_id){ .type = IKE_ID_IPV6_ADDR, .family = 6 };
	memcpy(id.addr, v6a, 16);
	id_round_trip(&id, 16);
	id = (struct ike_id){ .type = IKE_ID_IPV6_ADDR_SUBNET, .proto = 17,
			      .port = 53, .family = 6 };
	memcpy(id.addr, v6a, 16);
	memcpy(id.addr2, v6m, 16);
	id_round_trip(&id, 32);
	id = (struct ike_id){ .type = IKE_ID_IPV6_ADDR_RANGE, .family = 6 };
	memcpy(id.addr, v6a, 16);
	memcpy(id.addr2, v6b, 16);
	id_round_trip(&id, 32);
	id = (struct ike_id){ .type = IKE_ID_FQDN, .data = (const uint8_t *)"gw.example.org",
			      .len = 14 };
	id_round_trip(&id, 14);
	id = (struct ike_id){ .type = IKE_ID_USER_FQDN,
			      .data = (const uint8_t *)"vpn@example.org", .len = 15 };
	id_round_trip(&id, 15);
}

/* Decodes a hand-written message: header + body with length fixed up. */
static enum ike_perr decode_body(const uint8_t *body, size_t n, uint8_t np,
				 uint8_t flags)
{
	static uint8_t buf[1024];

	memset(buf, 0, IKE_HDR_LEN);
	buf[16] = np;
	buf[17] = IKE_VERSION;
	buf[18] = IKE_XCHG_MAIN;
	buf[19] = flags;
	buf[27] = (uint8_t)(IKE_HDR_LEN + n);
	buf[26] = (uint8_t)((IKE_HDR_LEN + n) >> 8);
	memcpy(buf + IKE_HDR_LEN, body, n);
	err[0] = '\0';
	return ike_decode(buf, IKE_HDR_LEN + n, msg, err, sizeof(err));
}

static void test_bad_ids(void **state)
{
	static const uint8_t short_v4[] = { 0, 0, 0, 10, IKE_ID_IPV4_ADDR, 0, 0, 0,
					    1, 2 };
	static const uint8_t long_v6[] = { 0, 0, 0, 28, IKE_ID_IPV6_ADDR_SUBNET, 0, 0, 0,
					   [27] = 0 };
	static const uint8_t nul_fqdn[] = { 0, 0, 0, 11, IKE_ID_FQDN, 0, 0, 0, 'a', 0, 'b' };
	static const uint8_t empty_fqdn[] = { 0, 0, 0, 8, IKE_ID_USER_FQDN, 0, 0, 0 };
	static const uint8_t unknown[] = { 0, 0, 0, 12, 99, 0, 0, 0, 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(decode_body(short_v4, sizeof(short_v4), IKE_PL_ID, 0),
			 IKE_PERR_ID);
	assert_err_has("ID payload: ");
	assert_err_has("needs 4 bytes of data, has 2");
	assert_int_equal(ike_perr_notify(IKE_PERR_ID), IKE_N_INVALID_ID_INFORMATION);
	assert_int_equal(decode_body(long_v6, sizeof(long_v6), IKE_PL_ID, 0),
			 IKE_PERR_ID);
	assert_int_equal(decode_body(nul_fqdn, sizeof(nul_fqdn), IKE_PL_ID, 0),
			 IKE_PERR_ID);
	assert_err_has("NUL");
	assert_int_equal(decode_body(empty_fqdn, sizeof(empty_fqdn), IKE_PL_ID, 0),
			 IKE_PERR_ID);
	assert_int_equal(decode_body(unknown, sizeof(unknown), IKE_PL_ID, 0),
			 IKE_PERR_ID);
	assert_err_has("unknown ID type 99");
}

static void test_bad_payloads(void **state)
{
	static const uint8_t small_nonce[] = { 0, 0, 0, 8, 1, 2, 3, 4 };
	static const uint8_t unknown_next[] = { 99, 0, 0, 4 };
	static const uint8_t reserved[] = { 0, 1, 0, 8, 1, 2, 3, 4 };
	static const uint8_t del_fill[] = { 0, 0, 0, 17, 0, 0, 0, 1, 3, 4, 0, 2,
					    1, 2, 3, 4, 5 };
	static const uint8_t n_spi[] = { 0, 0, 0, 14, 0, 0, 0, 1, 1, 16, 0x60, 2,
					 1, 2 };
	static const uint8_t trailing[] = { 0, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 0 };
	static const uint8_t bad_doi[] = { 0, 0, 0, 12, 0, 0, 0, 2, 0, 0, 0, 1 };
	static const uint8_t bad_sit[] = { 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t no_prop[] = { 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(decode_body(small_nonce, sizeof(small_nonce), IKE_PL_NONCE, 0),
			 IKE_PERR_MALFORMED);
	assert_err_has("Nonce payload: nonce of 4 bytes outside 8..256");
	assert_int_equal(decode_body(unknown_next, sizeof(unknown_next), IKE_PL_VID, 0),
			 IKE_PERR_MALFORMED);	/* empty vendor ID first */
	assert_int_equal(decode_body(unknown_next, sizeof(unknown_next), 99, 0),
			 IKE_PERR_PAYLOAD_TYPE);
	assert_err_has("payload type 99 after the ISAKMP header");
	assert_int_equal(ike_perr_notify(IKE_PERR_PAYLOAD_TYPE), IKE_N_INVALID_PAYLOAD_TYPE);
	assert_int_equal(decode_body(small_nonce, sizeof(small_nonce), IKE_PL_T, 0),
			 IKE_PERR_PAYLOAD_TYPE);
	assert_int_equal(decode_body(reserved, sizeof(reserved), IKE_PL_HASH, 0),
			 IKE_PERR_MALFORMED);
	assert_err_has("HASH payload: reserved byte");
	assert_int_equal(decode_body(del_fill, sizeof(del_fill), IKE_PL_D, 0),
			 IKE_PERR_MALFORMED);
	assert_err_has("Delete payload: 2 SPIs of 4 bytes do not fill the 5 bytes left");
	assert_int_equal(decode_body(n_spi, sizeof(n_spi), IKE_PL_N, 0),
			 IKE_PERR_MALFORMED);
	assert_err_has("Notification payload: SPI size 16 runs past");
	/* padding is only legal after decryption */
	assert_int_equal(decode_body(trailing, sizeof(trailing), IKE_PL_HASH, 0),
			 IKE_PERR_MALFORMED);
	assert_err_has("4 bytes after the last payload");
	assert_int_equal(decode_body(trailing, sizeof(trailing), IKE_PL_HASH,
				     IKE_FLAG_ENC), IKE_PERR_OK);
	assert_int_equal(msg->pad_len, 4);
	assert_int_equal(decode_body(bad_doi, sizeof(bad_doi), IKE_PL_SA, 0),
			 IKE_PERR_DOI);
	assert_int_equal(decode_body(bad_sit, sizeof(bad_sit), IKE_PL_SA, 0),
			 IKE_PERR_SITUATION);
	assert_int_equal(decode_body(no_prop, sizeof(no_prop), IKE_PL_SA, 0),
			 IKE_PERR_PROPOSAL_SYNTAX);
	assert_err_has("SA payload: no proposal");
}

static void test_header(void **state)
{
	struct ike_buf b = build_mm1();
	struct ike_hdr h;

	(void)state;
	assert_int_equal(ike_decode_header(b.data, b.len, &h, err, sizeof(err)),
			 IKE_PERR_OK);
	b.data[17] = 0x20;
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_VERSION);
	assert_err_has("major version 2");
	assert_int_equal(ike_perr_notify(IKE_PERR_VERSION), IKE_N_INVALID_MAJOR_VERSION);
	b.data[17] = 0x11;	/* minor versions are accepted */
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)), IKE_PERR_OK);
	b.data[19] = 0x80;
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_MALFORMED);
	assert_err_has("unknown flags");
	ike_buf_free(&b);
}

/* Where the SA payload's nested lengths are in build_mm1's message. */
static void test_attr_runs_past(void **state)
{
	struct ike_buf b = build_mm1();
	size_t off;

	(void)state;
	/* proposal 1 starts after the SA header; transform 1 follows;
	 * transform 2 follows transform 1; its attributes are TV except none,
	 * so turn its last (life duration, TV) into a TLV of 40 bytes. */
	off = IKE_HDR_LEN + 12;				/* proposal 1 */
	off += 8;					/* transform 1 */
	off += (size_t)(b.data[off + 2] << 8 | b.data[off + 3]);	/* transform 2 */
	size_t tlen = (size_t)(b.data[off + 2] << 8 | b.data[off + 3]);
	size_t last = off + tlen - 4;
	b.data[last] &= 0x7f;
	b.data[last + 2] = 0;
	b.data[last + 3] = 40;
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_MALFORMED);
	assert_string_equal(err, "SA payload: proposal 1: transform 2: attribute 6: "
			    "attribute length 40 runs past the transform (0 bytes left)");
	ike_buf_free(&b);
}

static void test_proposal_syntax(void **state)
{
	struct ike_buf b = build_mm1();
	size_t p1 = IKE_HDR_LEN + 12;

	(void)state;
	b.data[p1 + 7] = 3;	/* three transforms declared, two present */
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_PROPOSAL_SYNTAX);
	assert_err_has("SA payload: proposal 1: 3 transforms declared, 2 present");
	b.data[p1 + 7] = 2;
	b.data[p1] = IKE_PL_NONE;	/* proposal 2 not announced */
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_PROPOSAL_SYNTAX);
	assert_err_has("bytes after the last proposal");
	b.data[p1] = IKE_PL_P;
	b.data[p1 + 4] = 3;		/* proposal numbers must not decrease */
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)),
			 IKE_PERR_PROPOSAL_SYNTAX);
	assert_err_has("proposal 2: number 2 after number 3");
	ike_buf_free(&b);
}

/* Truncated at every length: with the header length left alone (caught by
 * the header check) and with it rewritten to match (caught inside). */
static void test_truncation(void **state)
{
	struct ike_buf b = build_mm1();
	uint8_t *copy = malloc(b.len);

	(void)state;
	for (size_t n = 0; n < b.len; n++) {
		memcpy(copy, b.data, n);
		err[0] = '\0';
		assert_int_not_equal(ike_decode(copy, n, msg, err, sizeof(err)),
				     IKE_PERR_OK);
		assert_true(strlen(err) > 0);
		if (n < IKE_HDR_LEN)
			continue;
		copy[24] = copy[25] = 0;
		copy[26] = (uint8_t)(n >> 8);
		copy[27] = (uint8_t)n;
		err[0] = '\0';
		/* every cut falls inside a payload of this message */
		if (ike_decode(copy, n, msg, err, sizeof(err)) == IKE_PERR_OK)
			fail_msg("truncation at %zu decoded", n);
		assert_true(strlen(err) > 0);
	}
	free(copy);
	ike_buf_free(&b);
}

/* Every 16-bit length field of the message set to hostile values. */
static void test_corrupt_lengths(void **state)
{
	struct ike_buf b = build_mm1();
	size_t fields[64], nf = 0;
	static const uint16_t values[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 0x7fff,
					   0x8000, 0xfffe, 0xffff };

	(void)state;
	/* collect offsets: payloads, proposals, transforms, TLV attributes */
	assert_int_equal(ike_decode(b.data, b.len, msg, err, sizeof(err)), IKE_PERR_OK);
	for (unsigned i = 0; i < msg->npayloads; i++)
		fields[nf++] = msg->pl[i].offset + 2;
	for (size_t off = IKE_HDR_LEN + 12; off < msg->pl[1].offset;) {
		size_t plen = (size_t)(b.data[off + 2] << 8 | b.data[off + 3]);
		size_t t = off + 8 + b.data[off + 6];

		fields[nf++] = off + 2;
		while (t < off + plen) {
			size_t tlen = (size_t)(b.data[t + 2] << 8 | b.data[t + 3]);

			fields[nf++] = t + 2;
			for (size_t a = t + 8; a < t + tlen;) {
				if (b.data[a] & 0x80) {
					a += 4;
					continue;
				}
				fields[nf++] = a + 2;
				a += 4 + (size_t)(b.data[a + 2] << 8 | b.data[a + 3]);
			}
			t += tlen;
		}
		off += plen;
	}
	assert_true(nf >= 8);
	for (size_t f = 0; f < nf; f++) {
		uint16_t orig = (uint16_t)(b.data[fields[f]] << 8 | b.data[fields[f] + 1]);

		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			for (int d = -2; d <= 2; d++) {
				uint16_t nv = d ? (uint16_t)(orig + d) : values[v];

				if (nv == orig)
					continue;
				b.data[fields[f]] = nv >> 8;
				b.data[fields[f] + 1] = nv & 0xff;
				err[0] = '\0';
				if (ike_decode(b.data, b.len, msg, err, sizeof(err)) ==
				    IKE_PERR_OK)
					fail_msg("length field at %zu set to %u decoded",
						 fields[f], nv);
				assert_true(strlen(err) > 0);
			}
		}
		b.data[fields[f]] = orig >> 8;
		b.data[fields[f] + 1] = orig & 0xff;
	}
	ike_buf_free(&b);
}

/* Every byte replaced by several values: no crash, a reason on failure. */
static void test_every_byte(void **state)
{
	struct ike_buf b = build_mm1();
	static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x0d,
					  0x7f, 0x80, 0xff };

	(void)state;
	for (size_t i = 0; i < b.len; i++) {
		uint8_t orig = b.data[i];

		for (size_t v = 0; v < sizeof(values); v++) {
			enum ike_perr e;

			b.data[i] = values[v];
			err[0] = '\0';
			e = ike_decode(b.data, b.len, msg, err, sizeof(err));
			if (e != IKE_PERR_OK)
				assert_true(strlen(err) > 0);
			else if (!reencode_equal(msg, b.data, b.len))
				fail_msg("byte %zu = 0x%02x: accepted but rebuilt differently",
					 i, values[v]);
		}
		b.data[i] = orig;
	}
	ike_buf_free(&b);
}

/* Life pairs repeat (seconds and kilobytes); other attributes may not. */
static void test_lifetimes(void **state)
{
	struct ike_attr life[] = {
		ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS),
		ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, 3600),
		ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES),
		ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, 4608000),
		ike_attr_basic(IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL),
		ike_attr_basic(IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256),
		ike_attr_basic(IPSEC_ATTR_KEY_LENGTH, 128),
		ike_attr_basic(IPSEC_ATTR_ESN, IPSEC_ESN_64BIT),
	};
	struct ike_transform t = { .num = 1, .id = IKE_ESP_AES_CBC, .nattrs = 8,
				   .attrs = life };
	struct ike_proposal p = { .num = 1, .proto = IKE_PROTO_ESP, .spi_len = 4,
				  .ntrans = 1, .trans = &t };
	struct ike_sa_pl sa = { .doi = 1, .situation = 1, .nprops = 1, .props = &p };
	struct ike_builder b;
	struct ike_buf data;
	struct ike_attr got[8];
	unsigned n;
	uint64_t v;

	(void)state;
	ike_build_begin(&b, &hdr_mm1);
	ike_build_sa(&b, &sa);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_OK);
	assert_sa_equal(&ike_msg_find(msg, IKE_PL_SA, 0)->u.sa, &sa);

	/* the same list as RESPONDER-LIFETIME data */
	ike_buf_init(&data);
	for (unsigned i = 0; i < 4; i++)
		assert_true(ike_buf_append_attr(&data, &life[i]));
	assert_int_equal(ike_decode_attr_list(data.data, data.len, IKE_PROTO_ESP,
					      got, 8, &n, "RESPONDER-LIFETIME", err,
					      sizeof(err)), IKE_PERR_OK);
	assert_int_equal(n, 4);
	assert_attrs_equal(got, life, 4);
	assert_true(ike_attr_u64(&got[3], &v));
	assert_int_equal(v, 4608000);
	assert_int_equal(ike_decode_attr_list(data.data, data.len - 1, IKE_PROTO_ESP,
					      got, 8, &n, "RESPONDER-LIFETIME", err,
					      sizeof(err)), IKE_PERR_MALFORMED);
	assert_err_has("RESPONDER-LIFETIME: attribute 4: attribute length 4 runs past the data (3 bytes left)");
	assert_int_equal(ike_decode_attr_list(data.data, data.len, IKE_PROTO_ESP,
					      got, 3, &n, "RESPONDER-LIFETIME", err,
					      sizeof(err)), IKE_PERR_TOO_MANY);
	ike_buf_free(&data);

	/* a repeated key length is refused */
	life[0] = ike_attr_basic(IPSEC_ATTR_KEY_LENGTH, 256);
	ike_buf_free(&b.buf);
	ike_build_begin(&b, &hdr_mm1);
	ike_build_sa(&b, &sa);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_PROPOSAL_SYNTAX);
	assert_err_has("SA payload: proposal 1: transform 1: attribute 7: type 6 repeats attribute 1");
	ike_buf_free(&b.buf);
}

static void test_caps(void **state)
{
	/* 40 empty-ish vendor IDs: more than IKE_MAX_PAYLOADS */
	struct ike_builder b;
	uint8_t one = 1;

	(void)state;
	ike_build_begin(&b, &hdr_mm1);
	for (int i = 0; i < 40; i++)
		ike_build_data(&b, IKE_PL_VID, &one, 1);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_OK);
	assert_int_equal(ike_decode(b.buf.data, b.buf.len, msg, err, sizeof(err)),
			 IKE_PERR_TOO_MANY);
	assert_err_has("more than 32 payloads");
	ike_buf_free(&b.buf);

	/* the builder refuses what cannot be encoded */
	struct ike_attr big = { .type = 1, .tv = true, .num = 0x10000 };
	struct ike_transform t = { .num = 1, .id = 1, .nattrs = 1, .attrs = &big };
	struct ike_proposal p = { .num = 1, .proto = 1, .ntrans = 1, .trans = &t };
	struct ike_sa_pl sa = { .doi = 1, .situation = 1, .nprops = 1, .props = &p };

	ike_build_begin(&b, &hdr_mm1);
	ike_build_sa(&b, &sa);
	assert_int_equal(ike_build_finish(&b), IKE_PERR_INVALID);
	ike_buf_free(&b.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_main_mode_1, setup, teardown),
		cmocka_unit_test(test_wire_layout),
		cmocka_unit_test_setup_teardown(test_data_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attr_runs_past, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proposal_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifetimes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
