// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd engine: phase 1 with pre-shared keys (RFC 2409 5, 5.4).
 *
 * Main Mode                          Aggressive Mode
 *   I: HDR, SA, VID          (MM1)     I: HDR, SA, KE, Ni, IDii, VID    (AM1)
 *   R: HDR, SA, VID          (MM2)     R: HDR, SA, KE, Nr, IDir, HASH_R, VID
 *   I: HDR, KE, Ni           (MM3)     I: HDR*, HASH_I [, N(INITIAL-CONTACT)]
 *   R: HDR, KE, Nr           (MM4)
 *   I: HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] (MM5)
 *   R: HDR*, IDir, HASH_R    (MM6)
 *
 * The VID is RFC 3706's DPD vendor ID. Aggressive Mode's third message is
 * sent encrypted as strongSwan, Libreswan and Cisco do; both forms are
 * accepted.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "engine_int.h"

static const uint8_t dpd_vid[IKE_DPD_VID_LEN] = IKE_DPD_VID_INIT;

static struct ike_hdr p1_hdr(const struct ike_p1 *p1, bool enc)
{
	struct ike_hdr h = {
		.version = IKE_VERSION,
		.exchange = p1->aggressive ? IKE_XCHG_AGGRESSIVE : IKE_XCHG_MAIN,
		.flags = enc ? IKE_FLAG_ENC : 0,
	};

	memcpy(h.icookie, p1->icky, 8);
	memcpy(h.rcookie, p1->rcky, 8);
	return h;
}

static void p1_send(struct ike_p1 *p1, struct ike_builder *b, bool arm,
		    const uint8_t *rx, size_t rx_len)
{
	xmit_send(p1->e, p1->t, &p1->x, &b->buf, arm,
		  TIMER_ID(p1->serial, T_P1_XMIT), rx, rx_len);
}

static void p1_abort(struct ike_p1 *p1)
{
	p1_unlink_free(p1);
}

/* Our SA payload: one ISAKMP proposal, one transform per configured proposal. */

struct p1_sa_build {
	struct ike_attr attrs[KIPSECD_MAX_P1][8];
	struct ike_transform trans[KIPSECD_MAX_P1];
	struct ike_proposal prop;
	struct ike_sa_pl sa;
};

static void p1_sa_build(const struct kipsecd_tunnel *t, bool aggressive,
			struct p1_sa_build *s)
{
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->n_ike; i++) {
		const struct kipsecd_p1_proposal *p = &t->ike[i];
		struct ike_attr *a = s->attrs[n];
		unsigned k = 0;

		/* one KE payload: aggressive mode offers only the first group */
		if (aggressive && p->group != t->ike[0].group)
			continue;
		a[k++] = ike_attr_basic(IKE_ATTR_ENC_ALG, p->enc->ike_id);
		if (p->enc->key_bits)
			a[k++] = ike_attr_basic(IKE_ATTR_KEY_LENGTH, p->enc->key_bits);
		a[k++] = ike_attr_basic(IKE_ATTR_HASH_ALG, p->hash->ike_id);
		a[k++] = ike_attr_basic(IKE_ATTR_AUTH_METHOD, IKE_AUTH_PSK);
		a[k++] = ike_attr_basic(IKE_ATTR_GROUP_DESC, p->group->id);
		a[k++] = ike_attr_basic(IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		a[k++] = ike_attr_auto(IKE_ATTR_LIFE_DURATION, t->ike_lifetime);
		s->trans[n] = (struct ike_transform){ .num = (uint8_t)(n + 1),
			.id = IKE_TRANS_KEY_IKE, .nattrs = k, .attrs = a };
		n++;
	}
	s->prop = (struct ike_proposal){ .num = 1, .proto = IKE_PROTO_ISAKMP,
					 .ntrans = n, .trans = s->trans };
	s->sa = (struct ike_sa_pl){ .doi = IKE_DOI_IPSEC,
				    .situation = IKE_SIT_IDENTITY_ONLY,
				    .nprops = 1, .props = &s->prop };
}

/* A received phase 1 transform, as numbers. */
struct p1_offer {
	uint16_t enc, keybits, hash, auth, group;
	uint64_t life_s;
	bool other;		/* an attribute we do not support */
};

static void p1_offer_parse(const struct ike_transform *tr, struct p1_offer *o)
{
	uint16_t life_type = 0;

	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; i < tr->nattrs; i++) {
		const struct ike_attr *a = &tr->attrs[i];
		uint64_t v = 0;

		if (!ike_attr_u64(a, &v) || v > 0xffffffffu) {
			o->other = true;
			continue;
		}
		switch (a->type) {
		case IKE_ATTR_ENC_ALG: o->enc = (uint16_t)v; break;
		case IKE_ATTR_KEY_LENGTH: o->keybits = (uint16_t)v; break;
		case IKE_ATTR_HASH_ALG: o->hash = (uint16_t)v; break;
		case IKE_ATTR_AUTH_METHOD: o->auth = (uint16_t)v; break;
		case IKE_ATTR_GROUP_DESC: o->group = (uint16_t)v; break;
		case IKE_ATTR_LIFE_TYPE: life_type = (uint16_t)v; break;
		case IKE_ATTR_LIFE_DURATION:
			if (life_type == IKE_LIFE_SECONDS)
				o->life_s = v;
			break;	/* kilobytes: accepted, not enforced */
		case IKE_ATTR_PRF:
		default:
			o->other = true;
			break;
		}
	}
}

/* The configured proposal matching a transform, or NULL. */
static const struct kipsecd_p1_proposal *p1_match(const struct kipsecd_tunnel *t,
						  const struct ike_transform *tr,
						  struct p1_offer *o)
{
	if (tr->id != IKE_TRANS_KEY_IKE)
		return NULL;
	p1_offer_parse(tr, o);
	if (o->other || o->auth != IKE_AUTH_PSK)
		return NULL;
	for (size_t i = 0; i < t->n_ike; i++) {
		const struct kipsecd_p1_proposal *p = &t->ike[i];

		if (p->enc->ike_id == o->enc && p->enc->key_bits == o->keybits &&
		    p->hash->ike_id == o->hash && p->group->id == o->group)
			return p;
	}
	return NULL;
}

static bool p1_set_proposal(struct ike_p1 *p1, const struct kipsecd_p1_proposal *p,
			    const struct p1_offer *o)
{
	size_t key_len;

	p1->prop = *p;
	p1->enc = p->enc->ike_id;
	if (ike_cipher_info(p1->enc, p->enc->key_bits, &key_len, &p1->block_len))
		return false;
	p1->lifetime = p1->t->ike_lifetime;
	if (o->life_s && o->life_s < p1->lifetime)
		p1->lifetime = (uint32_t)o->life_s;
	return true;
}

static bool p1_make_dh(struct ike_p1 *p1)
{
	uint16_t g = p1->prop.group->id;
	uint8_t *mine;

	p1->dh = ike_dh_new(g, NULL, 0);
	if (!p1->dh)
		return false;
	p1->gx_len = ike_dh_public_len(g);
	mine = p1->initiator ? p1->gxi : p1->gxr;
	return ike_dh_public(p1->dh, mine, p1->gx_len) == 0;
}

static void p1_nonce(struct ike_p1 *p1)
{
	uint8_t *n = p1->initiator ? p1->ni : p1->nr;

	erandom(p1->e, n, IKE_MAX_NONCE);
	if (p1->initiator)
		p1->ni_len = IKE_MAX_NONCE;
	else
		p1->nr_len = IKE_MAX_NONCE;
}

/* Takes the peer's KE and nonce; computes g^xy and all keys and the IV. */
static bool p1_derive(struct ike_p1 *p1, const struct ike_payload *ke,
		      const struct ike_payload *nonce)
{
	char why[200];
	size_t key_len, bl;
	struct ike_chunk gxi, gxr;
	const struct kipsecd_tunnel *t = p1->t;

	if (p1->initiator) {
		memcpy(p1->nr, nonce->u.data.data, nonce->u.data.len);
		p1->nr_len = nonce->u.data.len;
	} else {
		memcpy(p1->ni, nonce->u.data.data, nonce->u.data.len);
		p1->ni_len = nonce->u.data.len;
	}
	if (ke->u.data.len != p1->gx_len) {
		elog(p1->e, t, KIPSECD_LOG_ERROR, D_P1_DH_FAIL,
		     "length does not match the group");
		return false;
	}
	p1->gxy_len = ike_dh_secret_len(p1->prop.group->id);
	if (ike_dh_shared(p1->dh, ke->u.data.data, ke->u.data.len, p1->gxy,
			  p1->gxy_len, why, sizeof(why))) {
		elog(p1->e, t, KIPSECD_LOG_ERROR, D_P1_DH_FAIL, why);
		return false;
	}
	memcpy(p1->initiator ? p1->gxr : p1->gxi, ke->u.data.data, p1->gx_len);
	ike_dh_free(p1->dh);
	p1->dh = NULL;
	gxi = (struct ike_chunk){ p1->gxi, p1->gx_len };
	gxr = (struct ike_chunk){ p1->gxr, p1->gx_len };
	if (ike_cipher_info(p1->enc, p1->prop.enc->key_bits, &key_len, &bl) ||
	    ike_skeyid_psk(&p1->keys, p1->prop.hash->ike_id, t->psk, t->psk_len,
			   (struct ike_chunk){ p1->ni, p1->ni_len },
			   (struct ike_chunk){ p1->nr, p1->nr_len }) ||
	    ike_skeyid_derive(&p1->keys, (struct ike_chunk){ p1->gxy, p1->gxy_len },
			      p1->icky, p1->rcky, key_len) ||
	    ike_iv_phase1(p1->prop.hash->ike_id, gxi, gxr, bl, &p1->iv)) {
		elog(p1->e, t, KIPSECD_LOG_ERROR, "phase 1: key derivation failed");
		return false;
	}
	OPENSSL_cleanse(p1->gxy, sizeof(p1->gxy));
	p1->block_len = bl;
	p1->have_keys = true;
	return true;
}

static bool p1_hash(struct ike_p1 *p1, bool of_initiator, const uint8_t *id_b,
		    size_t id_len, uint8_t *out)
{
	struct ike_chunk gxi = { p1->gxi, p1->gx_len }, gxr = { p1->gxr, p1->gx_len };
	struct ike_chunk sai = { p1->sai_b, p1->sai_len }, id = { id_b, id_len };

	if (of_initiator)
		return ike_hash_i(&p1->keys, gxi, gxr, p1->icky, p1->rcky, sai, id, out) == 0;
	return ike_hash_r(&p1->keys, gxi, gxr, p1->icky, p1->rcky, sai, id, out) == 0;
}

void p1_id_from_config(const struct kipsecd_tunnel *t, const struct kipsecd_id *cid,
		       bool local, struct ike_id *id)
{
	const struct kipsec_nl_addr *a = cid->from_address ?
		(local ? &t->local : &t->remote) : &cid->addr;

	memset(id, 0, sizeof(*id));
	if (cid->from_address || cid->type == KIPSECD_ID_IPV4_ADDR ||
	    cid->type == KIPSECD_ID_IPV6_ADDR) {
		if (a->family == AF_INET) {
			id->type = IKE_ID_IPV4_ADDR;
			id->family = 4;
			memcpy(id->addr, &a->ip4, 4);
		} else {
			id->type = IKE_ID_IPV6_ADDR;
			id->family = 6;
			memcpy(id->addr, &a->ip6, 16);
		}
		return;
	}
	id->type = cid->type;
	id->data = (const uint8_t *)cid->name;
	id->len = strlen(cid->name);
}

/* Whether the peer's phase 1 ID is the configured remote-id. */
static bool p1_peer_id_ok(const struct kipsecd_tunnel *t, const struct ike_id *got,
			  char *want_s, size_t wl)
{
	struct ike_id want;

	p1_id_from_config(t, &t->remote_id, false, &want);
	diag_p1_id(&want, want_s, wl);
	if (got->type != want.type)
		return false;
	if (want.family)
		return !memcmp(got->addr, want.addr, want.family == 4 ? 4 : 16);
	if (got->len != want.len)
		return false;
	if (want.type == IKE_ID_FQDN)
		return !strncasecmp((const char *)got->data, (const char *)want.data, want.len);
	return !memcmp(got->data, want.data, want.len);
}

static bool peer_vid_dpd(const struct ike_msg *m)
{
	const struct ike_payload *v;

	for (unsigned i = 0; (v = ike_msg_find(m, IKE_PL_VID, i)); i++)
		if (v->u.data.len == IKE_DPD_VID_LEN &&
		    !memcmp(v->u.data.data, dpd_vid, IKE_DPD_VID_LEN))
			return true;
	return false;
}

static void p1_up(struct ike_p1 *p1)
{
	struct ike_engine *e = p1->e;
	struct ike_tun *tn = tun_find(e, p1->t);
	char name[KIPSECD_PROPOSAL_NAME_MAX];
	bool first = !p1_established(e, p1->t);

	xmit_stop(e, &p1->x, TIMER_ID(p1->serial, T_P1_XMIT));
	p1->state = P1_ESTABLISHED;
	p1->established_ms = enow(e);
	p1->last_rx_ms = p1->established_ms;
	elog(e, p1->t, KIPSECD_LOG_NOTICE, D_P1_UP,
	     p1->aggressive ? "aggressive" : "main",
	     kipsecd_p1_name(&p1->prop, name, sizeof(name)),
	     p1->initiator ? "initiator" : "responder", p1->lifetime,
	     !p1->t->dpd_interval ? "off" : p1->peer_dpd ? "on" :
	     "not supported by the peer");
	if (tn && p1->initiator)
		tn->contacted = true;
	etimer_set(e, TIMER_ID(p1->serial, T_P1_EXPIRE), (uint64_t)p1->lifetime * 1000);
	dpd_start(e, p1);
	/*
	 * A rekeyed phase 1: the old one goes once the new one works (its
	 * initiator deletes it). Phase 1 SAs that merely coexist, as after
	 * both ends started at once, are kept: deleting them from both
	 * sides would leave none.
	 */
	for (struct ike_p1 *o = e->p1s, *next; o; o = next) {
		next = o->next;
		if (o != p1 && o->t == p1->t && o->state == P1_ESTABLISHED) {
			o->replaced = true;
			if (p1->is_rekey) {
				uint8_t spi[16];

				memcpy(spi, o->icky, 8);
				memcpy(spi + 8, o->rcky, 8);
				info_send_delete(e, o, IKE_PROTO_ISAKMP, spi, 16, 1);
				o->deleting = true;
				p1_unlink_free(o);
			}
		}
	}
	if (first && e->env.phase1_state)
		e->env.phase1_state(e->env.ctx, p1->t, true);
	start_pending(e, p1);
}

/*
 * INITIAL-CONTACT tells the peer to drop everything else it has with us:
 * only true when we have nothing else with it either (both ends starting
 * at once each have the other's phase 1 under way).
 */
static bool p1_alone(const struct ike_p1 *p1)
{
	for (const struct ike_p1 *p = p1->e->p1s; p; p = p->next)
		if (p != p1 && p->t == p1->t)
			return false;
	return true;
}

static bool keep(uint8_t **dst, size_t *dlen, const uint8_t *src, size_t len)
{
	free(*dst);
	*dst = malloc(len ? len : 1);
	if (!*dst)
		return false;
	memcpy(*dst, src, len);
	*dlen = len;
	return true;
}

/* Initiator. */

int p1_initiate(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	bool aggr = t->mode == KIPSECD_MODE_AGGRESSIVE;
	struct ike_p1 *p1;
	struct p1_sa_build s;
	struct ike_builder b;
	struct ike_hdr h;
	size_t off, idoff;

	if (!t->n_ike || !t->psk) {
		elog(e, t, KIPSECD_LOG_ERROR, "phase 1: cannot initiate: %s",
		     t->psk ? "no ike proposal" : "no pre-shared key loaded");
		return -1;
	}
	p1 = p1_new(e, t, true, aggr);
	if (!p1)
		return -1;
	if (tun_find(e, t) && tun_find(e, t)->rekeying) {
		p1->is_rekey = true;
		tun_find(e, t)->rekeying = false;
	}
	do
		erandom(e, p1->icky, 8);
	while (!memcmp(p1->icky, "\0\0\0\0\0\0\0\0", 8));
	p1_sa_build(t, aggr, &s);
	h = p1_hdr(p1, false);
	ike_build_begin(&b, &h);
	off = ike_build_sa(&b, &s.sa);
	if (aggr) {
		struct ike_id id;

		/* the group is known in advance: the first proposal's */
		p1->prop = t->ike[0];
		if (!p1_make_dh(p1))
			goto fail;
		p1_nonce(p1);
		p1_id_from_config(t, &t->local_id, true, &id);
		ike_build_data(&b, IKE_PL_KE, p1->gxi, p1->gx_len);
		ike_build_data(&b, IKE_PL_NONCE, p1->ni, p1->ni_len);
		idoff = ike_build_id(&b, &id);
		if (idoff == (size_t)-1 ||
		    !keep(&p1->idi_b, &p1->idi_len, b.buf.data + idoff + 4,
			  b.buf.len - idoff - 4))
			goto fail_b;
	}
	ike_build_data(&b, IKE_PL_VID, dpd_vid, sizeof(dpd_vid));
	if (ike_build_finish(&b) != IKE_PERR_OK || off == (size_t)-1)
		goto fail_b;
	if (!keep(&p1->sai_b, &p1->sai_len, b.buf.data + off + 4,
		  ((size_t)b.buf.data[off + 2] << 8 | b.buf.data[off + 3]) - 4))
		goto fail_b;
	p1->state = aggr ? P1_AM_I1 : P1_MM_I1;
	elog(e, t, KIPSECD_LOG_INFO, "phase 1: initiating %s mode",
	     aggr ? "aggressive" : "main");
	p1_send(p1, &b, true, NULL, 0);
	return 0;
fail_b:
	ike_buf_free(&b.buf);
fail:
	elog(e, t, KIPSECD_LOG_ERROR, "phase 1: cannot build the first message");
	p1_abort(p1);
	return -1;
}

/* MM2 / AM2: the SA the responder chose. */
static bool p1_check_choice(struct ike_p1 *p1, const struct ike_msg *m)
{
	const struct ike_payload *sa = ike_msg_find(m, IKE_PL_SA, 0);
	const struct kipsecd_p1_proposal *p = NULL;
	struct p1_offer o;
	char desc[256];

	if (sa && sa->u.sa.nprops == 1 && sa->u.sa.props[0].proto == IKE_PROTO_ISAKMP &&
	    sa->u.sa.props[0].ntrans == 1) {
		p = p1_match(p1->t, &sa->u.sa.props[0].trans[0], &o);
		if (p1->aggressive && p && p->group != p1->prop.group)
			p = NULL;
	}
	if (!p) {
		if (sa)
			diag_p1_offer(&sa->u.sa, desc, sizeof(desc));
		else
			snprintf(desc, sizeof(desc), "no SA payload");
		elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P1_BAD_CHOICE, desc);
		return false;
	}
	return p1_set_proposal(p1, p, &o);
}

static void mm_send3(struct ike_p1 *p1, const uint8_t *rx, size_t rx_len)
{
	struct ike_hdr h = p1_hdr(p1, false);
	struct ike_builder b;

	ike_build_begin(&b, &h);
	ike_build_data(&b, IKE_PL_KE, p1->gxi, p1->gx_len);
	ike_build_data(&b, IKE_PL_NONCE, p1->ni, p1->ni_len);
	if (ike_build_finish(&b) != IKE_PERR_OK) {
		ike_buf_free(&b.buf);
		p1_abort(p1);
		return;
	}
	p1->state = P1_MM_I3;
	p1_send(p1, &b, true, rx, rx_len);
}

/* MM5 or AM3 (ID only in MM5). */
/* INITIAL-CONTACT (RFC 2407 4.6.3.3), the SPI being both cookies: sent
 * with our first authenticated message to a peer. */
static void p1_add_initial_contact(struct ike_p1 *p1, struct ike_builder *b)
{
	uint8_t spi[16];
	struct ike_notify n = { .doi = IKE_DOI_IPSEC, .proto = IKE_PROTO_ISAKMP,
				.spi_len = 16, .type = IKE_N_INITIAL_CONTACT,
				.spi = spi };

	memcpy(spi, p1->icky, 8);
	memcpy(spi + 8, p1->rcky, 8);
	ike_build_notify(b, &n);
}

static bool p1_send_auth(struct ike_p1 *p1, bool with_id, const uint8_t *rx,
			 size_t rx_len)
{
	struct ike_tun *tn = tun_find(p1->e, p1->t);
	struct ike_hdr h = p1_hdr(p1, true);
	struct ike_builder b;
	struct ike_id id;
	uint8_t hash[IKE_MAX_PRF_LEN];
	size_t off;

	ike_build_begin(&b, &h);
	if (with_id) {
		p1_id_from_config(p1->t, &p1->t->local_id, true, &id);
		off = ike_build_id(&b, &id);
		if (off == (size_t)-1)
			goto fail;
		if (!p1_hash(p1, true, b.buf.data + off + 4, b.buf.len - off - 4, hash))
			goto fail;
		ike_build_data(&b, IKE_PL_HASH, hash, p1->keys.prf_len);
	}
	if (tn && !tn->contacted && p1_alone(p1))
		p1_add_initial_contact(p1, &b);
	if (!seal(p1, &b, &p1->iv))
		goto fail;
	p1_send(p1, &b, !p1->aggressive, rx, rx_len);
	return true;
fail:
	ike_buf_free(&b.buf);
	return false;
}

static void am_send3(struct ike_p1 *p1, const uint8_t *rx, size_t rx_len)
{
	struct ike_tun *tn = tun_find(p1->e, p1->t);
	struct ike_hdr h = p1_hdr(p1, true);
	struct ike_builder b;
	uint8_t hash[IKE_MAX_PRF_LEN];

	ike_build_begin(&b, &h);
	if (!p1_hash(p1, true, p1->idi_b, p1->idi_len, hash))
		goto fail;
	ike_build_data(&b, IKE_PL_HASH, hash, p1->keys.prf_len);
	if (tn && !tn->contacted && p1_alone(p1))
		p1_add_initial_contact(p1, &b);
	if (!seal(p1, &b, &p1->iv))
		goto fail;
	p1_send(p1, &b, false, rx, rx_len);
	p1_up(p1);
	return;
fail:
	ike_buf_free(&b.buf);
	elog(p1->e, p1->t, KIPSECD_LOG_ERROR, "phase 1: cannot build message 3");
	p1_abort(p1);
}

static bool need(struct ike_p1 *p1, const struct ike_msg *m, const char *what,
		 const uint8_t *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ike_msg_find(m, types[i], 0)) {
			char why[128];

			snprintf(why, sizeof(why), "%s without a %s payload", what,
				 ike_payload_name(types[i]));
			elog(p1->e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message", why);
			return false;
		}
	return true;
}

static void p1_send_auth_failed(struct ike_p1 *p1, uint16_t type)
{
	info_send_plain_notify(p1->e, p1->t, p1->icky, p1->rcky, type);
}

/* Verifies the peer's ID+HASH of MM5/MM6/AM2; logs the one diagnostic. */
static bool p1_verify_auth(struct ike_p1 *p1, const struct ike_msg *m,
			   const struct ike_payload *idp, bool of_initiator)
{
	const struct ike_payload *hp = ike_msg_find(m, IKE_PL_HASH, 0);
	uint8_t want[IKE_MAX_PRF_LEN];
	char got_s[300], want_s[300];

	if (!p1_hash(p1, of_initiator, idp->body, idp->body_len, want) ||
	    hp->u.data.len != p1->keys.prf_len ||
	    CRYPTO_memcmp(want, hp->u.data.data, p1->keys.prf_len)) {
		elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P1_HASH_FAIL,
		     of_initiator ? "HASH_I" : "HASH_R");
		p1_send_auth_failed(p1, IKE_N_AUTHENTICATION_FAILED);
		return false;
	}
	if (!p1_peer_id_ok(p1->t, &idp->u.id, want_s, sizeof(want_s))) {
		elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P1_ID_MISMATCH,
		     diag_p1_id(&idp->u.id, got_s, sizeof(got_s)), want_s);
		p1_send_auth_failed(p1, IKE_N_INVALID_ID_INFORMATION);
		return false;
	}
	return true;
}

static bool has_initial_contact(const struct ike_msg *m)
{
	const struct ike_payload *n;

	for (unsigned i = 0; (n = ike_msg_find(m, IKE_PL_N, i)); i++)
		if (n->u.n.type == IKE_N_INITIAL_CONTACT)
			return true;
	return false;
}

/* Messages on an existing phase 1, by state. */
void p1_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
	      const struct ike_hdr *h)
{
	struct ike_msg *m = malloc(sizeof(*m));
	const uint8_t *rx = NULL;
	uint8_t *rxcopy = NULL;
	char why[256];
	struct ike_iv iv;

	if (!m)
		return;
	/* the datagram as received, for the duplicate check of our answer */
	rxcopy = malloc(len);
	if (!rxcopy)
		goto out;
	memcpy(rxcopy, buf, len);
	rx = rxcopy;

	if ((h->exchange == IKE_XCHG_AGGRESSIVE) != p1->aggressive) {
		elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
		     "exchange type differs from the phase 1's");
		goto out;
	}
	if (h->flags & IKE_FLAG_ENC) {
		if (p1->state != P1_MM_I5 && p1->state != P1_MM_R4 &&
		    p1->state != P1_AM_R2) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
			     "encrypted phase 1 message in a state that expects none");
			goto out;
		}
		iv = p1->iv;
		if (open_msg(p1, buf, len, &iv, m, why, sizeof(why))) {
			if (p1->state == P1_MM_R4 || p1->state == P1_MM_I5) {
				/* the first message under keys from the PSK */
				elog(e, p1->t, KIPSECD_LOG_DEBUG, D_DROP, "message", why);
				elog(e, p1->t, KIPSECD_LOG_ERROR, D_P1_UNDECRYPTABLE,
				     p1->state == P1_MM_R4 ? 5 : 6);
				if (p1->state == P1_MM_R4)
					p1_send_auth_failed(p1, IKE_N_AUTHENTICATION_FAILED);
				p1_abort(p1);
			} else {
				elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message", why);
			}
			goto out;
		}
	} else {
		if (p1->state == P1_MM_I5 || p1->state == P1_MM_R4 ||
		    p1->state == P1_ESTABLISHED) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
			     "plaintext phase 1 message where an encrypted one is due");
			goto out;
		}
		if (ike_decode(buf, len, m, why, sizeof(why))) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message", why);
			goto out;
		}
	}
	p1->last_rx_ms = enow(e);

	switch (p1->state) {
	case P1_MM_I1: {
		static const uint8_t t[] = { IKE_PL_SA };

		if (!memcmp(h->rcookie, "\0\0\0\0\0\0\0\0", 8)) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
			     "Main Mode message 2 without a responder cookie");
			break;
		}
		if (!need(p1, m, "Main Mode message 2", t, 1))
			break;
		if (!p1_check_choice(p1, m)) {
			p1_abort(p1);
			break;
		}
		memcpy(p1->rcky, h->rcookie, 8);
		p1->peer_dpd = peer_vid_dpd(m);
		if (!p1_make_dh(p1)) {
			p1_abort(p1);
			break;
		}
		p1_nonce(p1);
		mm_send3(p1, rx, len);
		break;
	}
	case P1_MM_I3: {
		static const uint8_t t[] = { IKE_PL_KE, IKE_PL_NONCE };

		if (!need(p1, m, "Main Mode message 4", t, 2))
			break;
		if (!p1_derive(p1, ike_msg_find(m, IKE_PL_KE, 0),
			       ike_msg_find(m, IKE_PL_NONCE, 0))) {
			p1_abort(p1);
			break;
		}
		if (!p1_send_auth(p1, true, rx, len)) {
			p1_abort(p1);
			break;
		}
		p1->state = P1_MM_I5;
		break;
	}
	case P1_MM_I5: {
		static const uint8_t t[] = { IKE_PL_ID, IKE_PL_HASH };

		if (!need(p1, m, "Main Mode message 6", t, 2))
			break;
		if (!p1_verify_auth(p1, m, ike_msg_find(m, IKE_PL_ID, 0), false)) {
			p1_abort(p1);
			break;
		}
		p1->iv = iv;
		p1_up(p1);
		break;
	}
	case P1_MM_R2: {
		static const uint8_t t[] = { IKE_PL_KE, IKE_PL_NONCE };
		struct ike_hdr hh = p1_hdr(p1, false);
		struct ike_builder b;

		if (!need(p1, m, "Main Mode message 3", t, 2))
			break;
		if (!p1_make_dh(p1)) {
			p1_abort(p1);
			break;
		}
		p1_nonce(p1);
		if (!p1_derive(p1, ike_msg_find(m, IKE_PL_KE, 0),
			       ike_msg_find(m, IKE_PL_NONCE, 0))) {
			p1_abort(p1);
			break;
		}
		ike_build_begin(&b, &hh);
		ike_build_data(&b, IKE_PL_KE, p1->gxr, p1->gx_len);
		ike_build_data(&b, IKE_PL_NONCE, p1->nr, p1->nr_len);
		if (ike_build_finish(&b) != IKE_PERR_OK) {
			ike_buf_free(&b.buf);
			p1_abort(p1);
			break;
		}
		p1->state = P1_MM_R4;
		p1_send(p1, &b, true, rx, len);
		break;
	}
	case P1_MM_R4: {
		static const uint8_t t[] = { IKE_PL_ID, IKE_PL_HASH };
		struct ike_hdr hh = p1_hdr(p1, true);
		struct ike_builder b;
		struct ike_id id;
		uint8_t hash[IKE_MAX_PRF_LEN];
		size_t off;

		if (!need(p1, m, "Main Mode message 5", t, 2))
			break;
		if (!p1_verify_auth(p1, m, ike_msg_find(m, IKE_PL_ID, 0), true)) {
			p1_abort(p1);
			break;
		}
		p1->iv = iv;
		ike_build_begin(&b, &hh);
		p1_id_from_config(p1->t, &p1->t->local_id, true, &id);
		off = ike_build_id(&b, &id);
		if (off == (size_t)-1 ||
		    !p1_hash(p1, false, b.buf.data + off + 4, b.buf.len - off - 4, hash)) {
			ike_buf_free(&b.buf);
			p1_abort(p1);
			break;
		}
		ike_build_data(&b, IKE_PL_HASH, hash, p1->keys.prf_len);
		if (!seal(p1, &b, &p1->iv)) {
			ike_buf_free(&b.buf);
			p1_abort(p1);
			break;
		}
		p1_send(p1, &b, false, rx, len);
		if (has_initial_contact(m))
			initial_contact(e, p1);
		p1_up(p1);
		break;
	}
	case P1_AM_I1: {
		static const uint8_t t[] = { IKE_PL_SA, IKE_PL_KE, IKE_PL_NONCE,
					     IKE_PL_ID, IKE_PL_HASH };

		if (!memcmp(h->rcookie, "\0\0\0\0\0\0\0\0", 8)) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
			     "Aggressive Mode message 2 without a responder cookie");
			break;
		}
		if (!need(p1, m, "Aggressive Mode message 2", t, 5))
			break;
		if (!p1_check_choice(p1, m)) {
			p1_abort(p1);
			break;
		}
		memcpy(p1->rcky, h->rcookie, 8);
		p1->peer_dpd = peer_vid_dpd(m);
		if (!p1_derive(p1, ike_msg_find(m, IKE_PL_KE, 0),
			       ike_msg_find(m, IKE_PL_NONCE, 0)) ||
		    !p1_verify_auth(p1, m, ike_msg_find(m, IKE_PL_ID, 0), false)) {
			p1_abort(p1);
			break;
		}
		am_send3(p1, rx, len);
		break;
	}
	case P1_AM_R2: {
		const struct ike_payload *hp = ike_msg_find(m, IKE_PL_HASH, 0);
		uint8_t want[IKE_MAX_PRF_LEN];

		if (!hp) {
			elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, "message",
			     "Aggressive Mode message 3 without a HASH payload");
			break;
		}
		/* HASH_I covers the IDii_b of message 1, kept from it */
		if (!p1_hash(p1, true, p1->idi_b, p1->idi_len, want) ||
		    hp->u.data.len != p1->keys.prf_len ||
		    CRYPTO_memcmp(want, hp->u.data.data, p1->keys.prf_len)) {
			elog(e, p1->t, KIPSECD_LOG_ERROR, D_P1_HASH_FAIL, "HASH_I");
			p1_send_auth_failed(p1, IKE_N_AUTHENTICATION_FAILED);
			p1_abort(p1);
			break;
		}
		if (h->flags & IKE_FLAG_ENC)
			p1->iv = iv;
		xmit_stop(e, &p1->x, TIMER_ID(p1->serial, T_P1_XMIT));
		/* a duplicate AM3 is absorbed: there is nothing to answer it with */
		free(p1->x.rx);
		p1->x.rx = rxcopy;
		p1->x.rx_len = len;
		rxcopy = NULL;
		OPENSSL_clear_free(p1->x.buf, p1->x.len);
		p1->x.buf = NULL;
		p1->x.len = 0;
		if (has_initial_contact(m))
			initial_contact(e, p1);
		p1_up(p1);
		break;
	}
	case P1_ESTABLISHED:
		elog(e, p1->t, KIPSECD_LOG_DEBUG, D_DROP, "message",
		     "phase 1 message after establishment");
		break;
	}
out:
	free(rxcopy);
	free(m);
}

void p1_xmit_timeout(struct ike_p1 *p1)
{
	static const char *const names[] = {
		[P1_MM_I1] = "Main Mode message 1", [P1_MM_I3] = "Main Mode message 3",
		[P1_MM_I5] = "Main Mode message 5", [P1_MM_R2] = "Main Mode message 2",
		[P1_MM_R4] = "Main Mode message 4", [P1_AM_I1] = "Aggressive Mode message 1",
		[P1_AM_R2] = "Aggressive Mode message 2", [P1_ESTABLISHED] = "phase 1",
	};

	elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P1_GIVE_UP, names[p1->state],
	     IKE_RETRANSMIT_MAX);
	p1_abort(p1);
}

/* Responder: Main Mode message 1 or Aggressive Mode message 1. */
void p1_respond(struct ike_engine *e, const struct kipsecd_tunnel *t,
		uint8_t *buf, size_t len, const struct ike_hdr *h)
{
	bool aggr = h->exchange == IKE_XCHG_AGGRESSIVE;
	struct ike_msg *m = malloc(sizeof(*m));
	const struct ike_payload *sa, *ke = NULL, *nonce = NULL, *idp = NULL;
	const struct kipsecd_p1_proposal *chosen = NULL;
	const struct ike_proposal *cprop = NULL;
	const struct ike_transform *ctr = NULL;
	struct ike_p1 *p1 = NULL;
	struct p1_offer o;
	struct ike_builder b;
	struct ike_hdr hh;
	struct ike_proposal rp;
	struct ike_transform rt;
	struct ike_sa_pl rsa;
	char why[512], ours[512];

	if (!m)
		return;
	if (h->flags & IKE_FLAG_ENC) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "message", "encrypted first message");
		goto out;
	}
	if (ike_decode(buf, len, m, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "message", why);
		goto out;
	}
	sa = ike_msg_find(m, IKE_PL_SA, 0);
	if (aggr) {
		ke = ike_msg_find(m, IKE_PL_KE, 0);
		nonce = ike_msg_find(m, IKE_PL_NONCE, 0);
		idp = ike_msg_find(m, IKE_PL_ID, 0);
	}
	if (!sa || (aggr && (!ke || !nonce || !idp))) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "message",
		     aggr ? "Aggressive Mode message 1 without SA, KE, Nonce and ID"
			  : "Main Mode message 1 without an SA payload");
		goto out;
	}
	if (t->mode == KIPSECD_MODE_MAIN && aggr) {
		elog(e, t, KIPSECD_LOG_ERROR,
		     "phase 1: peer starts aggressive mode, this tunnel uses main mode");
		info_send_plain_notify(e, t, h->icookie, h->rcookie,
				       IKE_N_INVALID_EXCHANGE_TYPE);
		goto out;
	}
	if (t->mode == KIPSECD_MODE_AGGRESSIVE && !aggr) {
		elog(e, t, KIPSECD_LOG_ERROR,
		     "phase 1: peer starts main mode, this tunnel uses aggressive mode");
		info_send_plain_notify(e, t, h->icookie, h->rcookie,
				       IKE_N_INVALID_EXCHANGE_TYPE);
		goto out;
	}
	/* the first of the peer's transforms we accept */
	for (unsigned i = 0; i < sa->u.sa.nprops && !chosen; i++) {
		const struct ike_proposal *pp = &sa->u.sa.props[i];

		if (pp->proto != IKE_PROTO_ISAKMP)
			continue;
		for (unsigned j = 0; j < pp->ntrans && !chosen; j++) {
			chosen = p1_match(t, &pp->trans[j], &o);
			if (chosen && aggr &&
			    ke->u.data.len != ike_dh_public_len(chosen->group->id))
				chosen = NULL;
			if (chosen) {
				cprop = pp;
				ctr = &pp->trans[j];
			}
		}
	}
	if (!chosen) {
		diag_p1_offer(&sa->u.sa, why, sizeof(why));
		diag_p1_ours(t, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P1_NO_PROPOSAL, why, ours);
		info_send_plain_notify(e, t, h->icookie, h->rcookie,
				       IKE_N_NO_PROPOSAL_CHOSEN);
		goto out;
	}
	if (aggr) {
		char got_s[300];

		if (!p1_peer_id_ok(t, &idp->u.id, ours, sizeof(ours))) {
			elog(e, t, KIPSECD_LOG_ERROR, D_P1_ID_MISMATCH,
			     diag_p1_id(&idp->u.id, got_s, sizeof(got_s)), ours);
			info_send_plain_notify(e, t, h->icookie, h->rcookie,
					       IKE_N_INVALID_ID_INFORMATION);
			goto out;
		}
	}
	{
		/* state costs memory and DH work: a peer gets a few at a time */
		unsigned half = 0;

		for (struct ike_p1 *p = e->p1s; p; p = p->next)
			half += p->t == t && !p->initiator && p->state != P1_ESTABLISHED;
		if (half >= P1_HALF_OPEN_MAX) {
			if (half == P1_HALF_OPEN_MAX)
				elog(e, t, KIPSECD_LOG_WARNING, D_P1_TOO_MANY, half);
			goto out;
		}
	}
	p1 = p1_new(e, t, false, aggr);
	if (!p1)
		goto out;
	memcpy(p1->icky, h->icookie, 8);
	do
		erandom(e, p1->rcky, 8);
	while (!memcmp(p1->rcky, "\0\0\0\0\0\0\0\0", 8));
	if (!p1_set_proposal(p1, chosen, &o) ||
	    !keep(&p1->sai_b, &p1->sai_len, sa->body, sa->body_len))
		goto fail;
	p1->peer_dpd = peer_vid_dpd(m);

	rt = *ctr;
	rp = (struct ike_proposal){ .num = cprop->num, .proto = IKE_PROTO_ISAKMP,
				    .ntrans = 1, .trans = &rt };
	rsa = (struct ike_sa_pl){ .doi = IKE_DOI_IPSEC,
				  .situation = IKE_SIT_IDENTITY_ONLY,
				  .nprops = 1, .props = &rp };
	hh = p1_hdr(p1, false);
	ike_build_begin(&b, &hh);
	ike_build_sa(&b, &rsa);
	if (aggr) {
		struct ike_id id;
		uint8_t hash[IKE_MAX_PRF_LEN];
		size_t off;

		if (!keep(&p1->idi_b, &p1->idi_len, idp->body, idp->body_len) ||
		    !p1_make_dh(p1))
			goto fail_b;
		p1_nonce(p1);
		if (!p1_derive(p1, ke, nonce))
			goto fail_b;
		ike_build_data(&b, IKE_PL_KE, p1->gxr, p1->gx_len);
		ike_build_data(&b, IKE_PL_NONCE, p1->nr, p1->nr_len);
		p1_id_from_config(t, &t->local_id, true, &id);
		off = ike_build_id(&b, &id);
		if (off == (size_t)-1 ||
		    !p1_hash(p1, false, b.buf.data + off + 4, b.buf.len - off - 4, hash))
			goto fail_b;
		ike_build_data(&b, IKE_PL_HASH, hash, p1->keys.prf_len);
	}
	ike_build_data(&b, IKE_PL_VID, dpd_vid, sizeof(dpd_vid));
	if (ike_build_finish(&b) != IKE_PERR_OK)
		goto fail_b;
	p1->state = aggr ? P1_AM_R2 : P1_MM_R2;
	elog(e, t, KIPSECD_LOG_INFO, "phase 1: responding to %s mode",
	     aggr ? "aggressive" : "main");
	p1_send(p1, &b, true, buf, len);
	goto out;
fail_b:
	ike_buf_free(&b.buf);
fail:
	elog(e, t, KIPSECD_LOG_ERROR, "phase 1: cannot answer message 1");
	p1_abort(p1);
out:
	free(m);
}
