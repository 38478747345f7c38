// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd engine: Quick Mode (RFC 2409 5.5) and the SA pairs it installs.
 *
 *   I: HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]          (QM1)
 *   R: HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *          [, N(RESPONDER-LIFETIME)]                       (QM2)
 *   I: HDR*, HASH(3)                                       (QM3)
 *
 * Each configured phase 2 proposal is one proposal (numbered 1..4) with one
 * transform; the responder takes the first of the peer's it accepts. The
 * proxy IDs must be exactly one of the tunnel's pairs (no narrowing).
 *
 * Make-before-break at both ends: the responder installs its inbound SA
 * before it sends QM2 and its outbound one when QM3 arrives; the initiator
 * installs both when QM2 arrives, before it sends QM3. So neither end
 * sends on the new pair before the other can receive on it. A responder
 * that installs only on QM3 (strongSwan's charon) cannot receive on it
 * yet when our QM3 leaves: the initiator of a rekey therefore installs
 * its outbound SA IKE_REKEY_SETTLE_MS later, the old pair carrying the
 * traffic meanwhile (a first Quick Mode has no old pair to wait on).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine_int.h"

/* Proxy IDs. */

static void side_to_id(const struct kipsec_nl_prefix *pf, uint8_t type,
		       uint8_t proto, uint16_t pmin, uint16_t pmax,
		       struct ike_id *id)
{
	size_t alen = pf->addr.family == AF_INET ? 4 : 16;
	const uint8_t *a = pf->addr.family == AF_INET ? (const uint8_t *)&pf->addr.ip4 :
							pf->addr.ip6.s6_addr;

	memset(id, 0, sizeof(*id));
	id->type = type;
	id->family = alen == 4 ? 4 : 6;
	id->proto = proto;
	id->port = pmin == pmax ? pmin : 0;
	memcpy(id->addr, a, alen);
	for (unsigned i = 0; i < alen * 8; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (i < pf->len) {
			if (type == IKE_ID_IPV4_ADDR_SUBNET || type == IKE_ID_IPV6_ADDR_SUBNET)
				id->addr2[i / 8] |= bit;
			else
				id->addr2[i / 8] |= a[i / 8] & bit;
		} else {
			id->addr[i / 8] &= (uint8_t)~bit;
			if (type == IKE_ID_IPV4_ADDR_RANGE || type == IKE_ID_IPV6_ADDR_RANGE)
				id->addr2[i / 8] |= bit;
		}
	}
}

void proxy_to_ids(const struct kipsecd_tunnel *t, size_t pidx, bool initiator,
		  struct ike_id *local, struct ike_id *remote)
{
	const struct kipsecd_proxy_id *p = &t->proxy_ids[pidx];

	(void)initiator;
	side_to_id(&p->pid.local, p->local_type, p->pid.proto, p->pid.lport_min,
		   p->pid.lport_max, local);
	side_to_id(&p->pid.remote, p->remote_type, p->pid.proto, p->pid.rport_min,
		   p->pid.rport_max, remote);
}

/* An address ID as the range [lo, hi]; false for other types. */
static bool id_range(const struct ike_id *id, uint8_t lo[16], uint8_t hi[16])
{
	size_t n = id->family == 4 ? 4 : 16;

	memset(lo, 0, 16);
	memset(hi, 0, 16);
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		memcpy(lo, id->addr, n);
		memcpy(hi, id->addr, n);
		return true;
	case IKE_ID_IPV4_ADDR_SUBNET:
	case IKE_ID_IPV6_ADDR_SUBNET:
		for (size_t i = 0; i < n; i++) {
			lo[i] = id->addr[i] & id->addr2[i];
			hi[i] = (uint8_t)(id->addr[i] | (uint8_t)~id->addr2[i]);
		}
		return true;
	case IKE_ID_IPV4_ADDR_RANGE:
	case IKE_ID_IPV6_ADDR_RANGE:
		memcpy(lo, id->addr, n);
		memcpy(hi, id->addr2, n);
		return true;
	}
	return false;
}

/* Same traffic: family, addresses, protocol and port. */
static bool id_same(const struct ike_id *a, const struct ike_id *b)
{
	uint8_t alo[16], ahi[16], blo[16], bhi[16];

	if (a->family != b->family || a->proto != b->proto || a->port != b->port)
		return false;
	if (!id_range(a, alo, ahi) || !id_range(b, blo, bhi))
		return false;
	return !memcmp(alo, blo, 16) && !memcmp(ahi, bhi, 16);
}

/* Phase 2 transforms as numbers. */

void p2_offer_parse(uint8_t proto, const struct ike_transform *tr, struct p2_offer *o)
{
	uint16_t life_type = 0;

	memset(o, 0, sizeof(*o));
	o->proto = proto;
	o->transform = tr->id;
	for (unsigned i = 0; i < tr->nattrs; i++) {
		const struct ike_attr *a = &tr->attrs[i];
		uint64_t v = 0;

		if (!ike_attr_u64(a, &v)) {
			o->other = true;
			continue;
		}
		switch (a->type) {
		case IPSEC_ATTR_LIFE_TYPE: life_type = (uint16_t)v; break;
		case IPSEC_ATTR_LIFE_DURATION:
			if (life_type == IKE_LIFE_SECONDS)
				o->life_s = v;
			else if (life_type == IKE_LIFE_KILOBYTES)
				o->life_kb = v;
			else
				o->other = true;
			break;
		case IPSEC_ATTR_GROUP_DESC: o->group = (uint16_t)v; break;
		case IPSEC_ATTR_ENCAP_MODE: o->encap = (uint16_t)v; break;
		case IPSEC_ATTR_AUTH_ALG: o->auth = (uint16_t)v; break;
		case IPSEC_ATTR_KEY_LENGTH: o->keybits = (uint16_t)v; break;
		case IPSEC_ATTR_ESN: o->esn = v == IPSEC_ESN_64BIT; break;
		default: o->other = true; break;
		}
	}
}

/* Everything but the PFS group matches. */
static bool p2_base_match(const struct kipsecd_tunnel *t,
			  const struct kipsecd_p2_proposal *p, const struct p2_offer *o)
{
	uint16_t auth = p->auth ? p->auth->auth_alg : 0;
	uint16_t keybits = p->enc ? p->enc->ike_key_bits : 0;

	return !o->other && o->proto == kipsecd_p2_doi_proto(p) &&
	       o->transform == kipsecd_p2_transform(p) &&
	       o->keybits == keybits && o->auth == auth &&
	       (o->encap == IPSEC_ENCAP_TUNNEL) && o->esn == t->esn;
}

static uint16_t p2_group(const struct kipsecd_p2_proposal *p)
{
	return p->pfs ? p->pfs->id : 0;
}

/* Our transform attributes for one proposal. */
static unsigned p2_attrs(const struct kipsecd_tunnel *t,
			 const struct kipsecd_p2_proposal *p, struct ike_attr *a)
{
	unsigned k = 0;

	a[k++] = ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
	a[k++] = ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, t->ipsec_lifetime);
	if (t->ipsec_lifetime_kb) {
		a[k++] = ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES);
		a[k++] = ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, t->ipsec_lifetime_kb);
	}
	if (p->pfs)
		a[k++] = ike_attr_basic(IPSEC_ATTR_GROUP_DESC, p->pfs->id);
	a[k++] = ike_attr_basic(IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	if (p->auth)
		a[k++] = ike_attr_basic(IPSEC_ATTR_AUTH_ALG, p->auth->auth_alg);
	if (p->enc && p->enc->ike_key_bits)
		a[k++] = ike_attr_basic(IPSEC_ATTR_KEY_LENGTH, p->enc->ike_key_bits);
	if (t->esn)
		a[k++] = ike_attr_basic(IPSEC_ATTR_ESN, IPSEC_ESN_64BIT);
	return k;
}

/* Installed pairs. */

struct ike_child *child_find_serial(struct ike_engine *e, uint32_t serial)
{
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->serial == serial)
			return c;
	return NULL;
}

bool proxy_has_child(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx)
{
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t && c->pidx == pidx && !c->rekeyed)
			return true;
	return false;
}

bool proxy_settling(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx)
{
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t && c->pidx == pidx && c->settle)
			return true;
	return false;
}

bool proxy_has_qm(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx)
{
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		for (struct ike_qm *q = p->qms; q; q = q->next)
			if (p->t == t && q->pidx == pidx && q->state != QM_DONE &&
			    q->initiator)
				return true;
	return false;
}

void child_delete(struct ike_engine *e, struct ike_child *c, bool tell_peer)
{
	struct ike_p1 *p1 = p1_established(e, c->t);

	if (tell_peer && p1) {
		uint8_t spi[4] = { c->spi_in >> 24, c->spi_in >> 16, c->spi_in >> 8,
				   c->spi_in };

		info_send_delete(e, p1, c->proto == IPPROTO_AH ? IKE_PROTO_AH :
								  IKE_PROTO_ESP,
				 spi, 4, 1);
	}
	if (e->env.sa_delete) {
		/* a settling pair has no outbound SA yet */
		if (!c->settle)
			e->env.sa_delete(e->env.ctx, c->t, KIPSEC_DIR_OUT, c->proto,
					 c->spi_out);
		e->env.sa_delete(e->env.ctx, c->t, KIPSEC_DIR_IN, c->proto, c->spi_in);
	}
	for (struct ike_child **pp = &e->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	child_free(e, c);
}

void child_free(struct ike_engine *e, struct ike_child *c)
{
	etimer_cancel(e, TIMER_ID(c->serial, T_CHILD_DELETE));
	etimer_cancel(e, TIMER_ID(c->serial, T_CHILD_SETTLE));
	if (c->settle)
		OPENSSL_clear_free(c->settle, 2 * sizeof(*c->settle));
	free(c);
}

void child_grace_over(struct ike_engine *e, struct ike_child *c)
{
	char pid[256];

	diag_proxy(c->t, c->pidx, pid, sizeof(pid));
	elog(e, c->t, KIPSECD_LOG_INFO,
	     "phase 2: deleting the rekeyed SA pair in %08x out %08x for %s",
	     c->spi_in, c->spi_out, pid);
	child_delete(e, c, true);
}

static void spi_bytes(uint32_t spi, uint8_t b[4])
{
	b[0] = (uint8_t)(spi >> 24);
	b[1] = (uint8_t)(spi >> 16);
	b[2] = (uint8_t)(spi >> 8);
	b[3] = (uint8_t)spi;
}

static uint32_t spi_num(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool child_keys(struct ike_qm *qm, uint32_t spi, struct ike_child_sa *sa)
{
	struct ike_p1 *p1 = qm->p1;
	const struct kipsecd_p2_proposal *p = qm->chosen;
	uint8_t km[2 * KIPSEC_MAX_KEY_LEN], spib[4];
	uint16_t enc_len, auth_len;
	bool ok;

	memset(sa, 0, sizeof(*sa));
	kipsecd_p2_to_sa(p, &sa->info, &enc_len, &auth_len);
	if (enc_len > KIPSEC_MAX_KEY_LEN || auth_len > KIPSEC_MAX_KEY_LEN)
		return false;
	spi_bytes(spi, spib);
	ok = ike_keymat(&p1->keys, (struct ike_chunk){ qm->gqm, qm->gqm_len },
			kipsecd_p2_doi_proto(p), spib,
			(struct ike_chunk){ qm->ni, qm->ni_len },
			(struct ike_chunk){ qm->nr, qm->nr_len }, km,
			(size_t)enc_len + auth_len) == 0;
	if (ok) {
		if (p->enc && p->enc->aead) {
			sa->keys.aead_len = enc_len;
			memcpy(sa->keys.aead, km, enc_len);
		} else {
			sa->keys.enc_len = enc_len;
			memcpy(sa->keys.enc, km, enc_len);
			sa->keys.auth_len = auth_len;
			memcpy(sa->keys.auth, km + enc_len, auth_len);
		}
	}
	OPENSSL_cleanse(km, sizeof(km));
	sa->info.spi = spi;
	sa->info.has_proxy_id = true;
	sa->info.pid = p1->t->proxy_ids[qm->pidx].pid;
	sa->info.has_flags = true;
	if (p1->t->esn)
		sa->info.flags |= KIPSEC_SA_F_ESN;
	/* RFC 4302 2.6, and what strongSwan's XFRM states insist on. */
	if (sa->info.proto == IPPROTO_AH && !p1->t->ah_align8)
		sa->info.flags |= KIPSEC_SA_F_AH_ALIGN4;
	sa->life_seconds = qm->life_s;
	sa->life_kilobytes = qm->life_kb;
	sa->proposal = p;
	sa->proxy_index = qm->pidx;
	return ok;
}

/* Keeps at most QM_DONE_KEEP finished exchanges per phase 1. */
static void qm_gc(struct ike_p1 *p1)
{
	unsigned n = 0;

	for (struct ike_qm **pp = &p1->qms; *pp;) {
		struct ike_qm *q = *pp;

		if (q->state == QM_DONE && ++n > QM_DONE_KEEP) {
			*pp = q->next;
			qm_free(q);
			continue;
		}
		pp = &q->next;
	}
}

static void qm_done(struct ike_qm *qm)
{
	struct ike_engine *e = qm->p1->e;
	struct ike_p1 *p1 = qm->p1;

	xmit_stop(e, &qm->x, TIMER_ID(qm->serial, T_QM_XMIT));
	qm->state = QM_DONE;
	qm->done_ms = enow(e);
	ike_dh_free(qm->dh);
	qm->dh = NULL;
	OPENSSL_cleanse(qm->gqm, sizeof(qm->gqm));
	qm_gc(p1);
}

/*
 * Which older pair goes when c is complete. Our rekey (@old_serial): the
 * pair it replaces, deleted (with a Delete to the peer) after the grace
 * period. A peer's Quick Mode: none, the peer deletes what it replaced.
 * Our first Quick Mode for a proxy ID that already has a pair, as when
 * both ends started at once: the pair whose Ni is smaller, a choice both
 * ends make alike.
 */
static void child_retire_older(struct ike_engine *e, struct ike_child *c,
			       bool initiator, uint32_t old_serial)
{
	for (struct ike_child *o = e->children; o; o = o->next) {
		struct ike_child *loser = NULL;

		if (o == c || o->t != c->t || o->pidx != c->pidx || o->rekeyed || o->settle)
			continue;
		if (old_serial)
			loser = o->serial == old_serial ? o : NULL;
		else if (initiator)
			loser = memcmp(o->ni_tag, c->ni_tag, 16) < 0 ? o : c;
		if (!loser)
			continue;
		loser->rekeyed = true;
		etimer_set(e, TIMER_ID(loser->serial, T_CHILD_DELETE), IKE_REKEY_GRACE_MS);
		if (loser == c)
			break;
	}
}

static void child_log_up(struct ike_engine *e, const struct ike_child *c, bool rekey)
{
	char pid[256], name[KIPSECD_PROPOSAL_NAME_MAX];
	const char *pn = c->proto == IPPROTO_AH ? "ah" : "esp";

	diag_proxy(c->t, c->pidx, pid, sizeof(pid));
	elog(e, c->t, KIPSECD_LOG_NOTICE, D_P2_UP, pid,
	     kipsecd_p2_name(c->prop, name, sizeof(name)), pn, c->spi_in, pn,
	     c->spi_out, c->life_s, rekey ? " (rekey)" : "");
}

static struct ike_child *child_new(struct ike_qm *qm)
{
	struct ike_p1 *p1 = qm->p1;
	struct ike_child *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->t = p1->t;
	c->p1_serial = p1->serial;
	c->serial = new_serial(p1->e);
	c->pidx = qm->pidx;
	c->proto = qm->chosen->proto;
	c->spi_in = qm->spi_in;
	c->spi_out = qm->spi_out;
	c->prop = qm->chosen;
	c->life_s = qm->life_s;
	c->life_kb = qm->life_kb;
	c->created_ms = enow(p1->e);
	memcpy(c->ni_tag, qm->ni, qm->ni_len < 16 ? qm->ni_len : 16);
	return c;
}

/* The two SAs of qm's pair, keys derived; false (and nothing to free) on failure. */
static bool qm_child_sas(struct ike_qm *qm, struct ike_child_sa *in, struct ike_child_sa *out)
{
	const struct kipsecd_tunnel *t = qm->p1->t;

	if (!child_keys(qm, qm->spi_in, in) || !child_keys(qm, qm->spi_out, out))
		return false;
	in->info.dir = KIPSEC_DIR_IN;
	in->info.has_replay_window = true;
	in->info.replay_window = t->replay_window;
	in->installed = qm->in_installed;
	out->info.dir = KIPSEC_DIR_OUT;
	return true;
}

static bool qm_install(struct ike_qm *qm)
{
	struct ike_p1 *p1 = qm->p1;
	struct ike_engine *e = p1->e;
	const struct kipsecd_tunnel *t = p1->t;
	struct ike_child_sa *in = calloc(1, sizeof(*in)), *out = calloc(1, sizeof(*out));
	struct ike_child *c = child_new(qm);
	char pid[256];
	bool ok = false;

	diag_proxy(t, qm->pidx, pid, sizeof(pid));
	if (!in || !out || !c || !qm_child_sas(qm, in, out)) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_INSTALL_FAIL, pid);
		goto out;
	}
	if (e->env.sa_install && e->env.sa_install(e->env.ctx, t, in, out)) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_INSTALL_FAIL, pid);
		goto out;	/* qm_free removes an inbound SA put in early */
	}
	child_retire_older(e, c, qm->initiator, qm->rekey_of);
	c->next = e->children;
	e->children = c;
	child_log_up(e, c, qm->rekey_of != 0);
	c = NULL;
	ok = true;
out:
	if (in)
		OPENSSL_clear_free(in, sizeof(*in));
	if (out)
		OPENSSL_clear_free(out, sizeof(*out));
	free(c);
	return ok;
}

/*
 * Our rekey: how long the new outbound SA waits after QM3, 0 for at once.
 * The old pair keeps our traffic meanwhile, so the wait ends
 * IKE_REKEY_SETTLE_MARGIN_MS before its hard lifetime; without an old pair
 * (gone, replaced already, or about to expire) there is nothing to wait on.
 */
static uint64_t qm_settle_ms(struct ike_qm *qm)
{
	struct ike_engine *e = qm->p1->e;
	struct ike_child *old = qm->rekey_of ? child_find_serial(e, qm->rekey_of) : NULL;
	uint64_t now = enow(e), end, left;

	if (!qm->initiator || !old || old->rekeyed || old->settle ||
	    old->t != qm->p1->t || old->pidx != qm->pidx)
		return 0;
	end = old->created_ms + (uint64_t)old->life_s * 1000;
	left = end > now ? end - now : 0;
	if (left <= IKE_REKEY_SETTLE_MARGIN_MS)
		return 0;
	left -= IKE_REKEY_SETTLE_MARGIN_MS;
	return left < IKE_REKEY_SETTLE_MS ? left : IKE_REKEY_SETTLE_MS;
}

/*
 * Our rekey's first step, before QM3 leaves: the inbound SA goes in, the
 * pair is kept (settling) with both SAs and their keys, and the outbound
 * SA follows when T_CHILD_SETTLE fires (child_settle_over). The pair
 * needs no phase 1 from here on.
 */
static bool qm_install_settle(struct ike_qm *qm, uint64_t ms)
{
	struct ike_p1 *p1 = qm->p1;
	struct ike_engine *e = p1->e;
	const struct kipsecd_tunnel *t = p1->t;
	struct ike_child_sa *sas = calloc(2, sizeof(*sas));
	struct ike_child *c = child_new(qm);
	const char *pn = qm->chosen->proto == IPPROTO_AH ? "ah" : "esp";
	char pid[256];

	diag_proxy(t, qm->pidx, pid, sizeof(pid));
	if (!sas || !c || !qm_child_sas(qm, &sas[0], &sas[1]) ||
	    (e->env.sa_install && e->env.sa_install(e->env.ctx, t, &sas[0], NULL))) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_INSTALL_FAIL, pid);
		if (sas)
			OPENSSL_clear_free(sas, 2 * sizeof(*sas));
		free(c);
		return false;
	}
	sas[0].installed = true;
	c->settle = sas;
	c->replaces = qm->rekey_of;
	c->next = e->children;
	e->children = c;
	etimer_set(e, TIMER_ID(c->serial, T_CHILD_SETTLE), ms);
	elog(e, t, KIPSECD_LOG_DEBUG, D_P2_SETTLE, pid, pn, c->spi_in, pn, c->spi_out,
	     (unsigned long long)ms);
	return true;
}

/* The settle time of our rekey is over (or the old pair went): the outbound SA. */
void child_settle_over(struct ike_engine *e, struct ike_child *c)
{
	struct ike_child_sa *sas = c->settle;
	char pid[256];

	if (!sas)
		return;
	etimer_cancel(e, TIMER_ID(c->serial, T_CHILD_SETTLE));
	if (e->env.sa_install && e->env.sa_install(e->env.ctx, c->t, &sas[0], &sas[1])) {
		diag_proxy(c->t, c->pidx, pid, sizeof(pid));
		elog(e, c->t, KIPSECD_LOG_ERROR, D_P2_INSTALL_FAIL, pid);
		/* the peer has the pair: tell it, and keep the old one */
		child_delete(e, c, true);
		return;
	}
	OPENSSL_clear_free(sas, 2 * sizeof(*sas));
	c->settle = NULL;
	child_retire_older(e, c, true, c->replaces);
	child_log_up(e, c, true);
}

void child_replaced_gone(struct ike_engine *e, const struct kipsecd_tunnel *t,
			 uint32_t serial)
{
	struct ike_child *c;

	for (c = e->children; c; c = c->next)
		if (c->t == t && c->settle && c->replaces == serial)
			break;
	if (!c)
		return;
	elog(e, t, KIPSECD_LOG_DEBUG, D_P2_SETTLE_NOW, c->spi_out);
	child_settle_over(e, c);
}

/* The responder's inbound SA, in place before QM2 leaves. */
static bool qm_install_in(struct ike_qm *qm)
{
	struct ike_engine *e = qm->p1->e;
	struct ike_child_sa *in = calloc(1, sizeof(*in));
	bool ok = in && child_keys(qm, qm->spi_in, in);

	if (ok) {
		in->info.dir = KIPSEC_DIR_IN;
		in->info.has_replay_window = true;
		in->info.replay_window = qm->p1->t->replay_window;
		ok = !e->env.sa_install ||
		     !e->env.sa_install(e->env.ctx, qm->p1->t, in, NULL);
	}
	if (in)
		OPENSSL_clear_free(in, sizeof(*in));
	qm->in_installed = ok;
	return ok;
}

/* Hashes. */

static bool qm_check_hash(struct ike_qm *qm, struct ike_p1 *p1, const struct ike_msg *m,
			  int which, uint32_t msgid, const uint8_t *ni, size_t ni_len)
{
	const struct ike_payload *hp = m->npayloads ? &m->pl[0] : NULL;
	uint8_t want[IKE_MAX_PRF_LEN];
	size_t rest;
	struct ike_chunk r;
	int rc;

	if (!hp || hp->type != IKE_PL_HASH || hp->u.data.len != p1->keys.prf_len)
		return false;
	rest = hp->offset + hp->raw_len;
	r = (struct ike_chunk){ m->raw + rest, m->raw_len - m->pad_len - rest };
	if (which == 1)
		rc = ike_qm_hash1(&p1->keys, msgid, r, want);
	else if (which == 2)
		rc = ike_qm_hash2(&p1->keys, msgid, (struct ike_chunk){ ni, ni_len }, r, want);
	else
		rc = rest == m->raw_len - m->pad_len ?
		     ike_qm_hash3(&p1->keys, msgid, (struct ike_chunk){ qm->ni, qm->ni_len },
				  (struct ike_chunk){ qm->nr, qm->nr_len }, want) : -1;
	return rc == 0 && !CRYPTO_memcmp(want, hp->u.data.data, p1->keys.prf_len);
}

/* Finishes b: HASH(1)/(2) at hoff over everything after it, then encrypts. */
static bool qm_seal(struct ike_qm *qm, struct ike_builder *b, size_t hoff, int which)
{
	struct ike_p1 *p1 = qm->p1;
	size_t rest = hoff + 4 + p1->keys.prf_len;
	struct ike_chunk r;
	int rc;

	if (ike_build_finish(b) != IKE_PERR_OK || hoff == (size_t)-1)
		return false;
	r = (struct ike_chunk){ b->buf.data + rest, b->buf.len - rest };
	if (which == 1)
		rc = ike_qm_hash1(&p1->keys, qm->msgid, r, b->buf.data + hoff + 4);
	else
		rc = ike_qm_hash2(&p1->keys, qm->msgid,
				  (struct ike_chunk){ qm->ni, qm->ni_len }, r,
				  b->buf.data + hoff + 4);
	return rc == 0 && seal(p1, b, &qm->iv);
}

static struct ike_hdr qm_hdr(const struct ike_qm *qm)
{
	struct ike_hdr h = { .version = IKE_VERSION, .exchange = IKE_XCHG_QUICK,
			     .flags = IKE_FLAG_ENC, .msgid = qm->msgid };

	memcpy(h.icookie, qm->p1->icky, 8);
	memcpy(h.rcookie, qm->p1->rcky, 8);
	return h;
}

static struct ike_qm *qm_new(struct ike_p1 *p1, uint32_t msgid, bool initiator)
{
	struct ike_qm *qm = calloc(1, sizeof(*qm));

	if (!qm)
		return NULL;
	qm->p1 = p1;
	qm->serial = new_serial(p1->e);
	qm->msgid = msgid;
	qm->initiator = initiator;
	if (ike_iv_phase2(p1->prop.hash->ike_id, &p1->iv, msgid, &qm->iv)) {
		free(qm);
		return NULL;
	}
	qm->next = p1->qms;
	p1->qms = qm;
	p1_msgid_add(p1, msgid);
	return qm;
}

static bool qm_dh(struct ike_qm *qm, const struct ike_payload *ke, uint8_t *pub,
		  size_t *pub_len, char *why, size_t wl)
{
	if (!qm->dh) {
		qm->dh = ike_dh_new(qm->pfs, NULL, 0);
		if (!qm->dh) {
			snprintf(why, wl, "no key pair for group %u", qm->pfs);
			return false;
		}
	}
	if (pub) {
		*pub_len = ike_dh_public_len(qm->pfs);
		if (ike_dh_public(qm->dh, pub, *pub_len)) {
			snprintf(why, wl, "no public value");
			return false;
		}
	}
	if (ke) {
		qm->gqm_len = ike_dh_secret_len(qm->pfs);
		if (ike_dh_shared(qm->dh, ke->u.data.data, ke->u.data.len, qm->gqm,
				  qm->gqm_len, why, wl))
			return false;
	}
	return true;
}

/* Initiator. */

int qm_initiate(struct ike_engine *e, struct ike_p1 *p1, size_t pidx, uint32_t rekey_of)
{
	const struct kipsecd_tunnel *t = p1->t;
	struct ike_attr attrs[KIPSECD_MAX_P2][12];
	struct ike_transform trans[KIPSECD_MAX_P2];
	struct ike_proposal props[KIPSECD_MAX_P2];
	struct ike_sa_pl sa = { .doi = IKE_DOI_IPSEC, .situation = IKE_SIT_IDENTITY_ONLY };
	struct ike_id idci, idcr;
	struct ike_builder b;
	struct ike_hdr h;
	struct ike_qm *qm;
	uint8_t ke[IKE_MAX_DH_LEN];
	size_t ke_len = 0, hoff;
	uint32_t msgid;
	char why[200], pid[256];

	diag_proxy(t, pidx, pid, sizeof(pid));
	do
		erandom(e, (uint8_t *)&msgid, sizeof(msgid));
	while (!msgid || p1_msgid_used(p1, msgid));
	qm = qm_new(p1, msgid, true);
	if (!qm)
		return -1;
	qm->pidx = pidx;
	qm->rekey_of = rekey_of;
	qm->pfs = t->n_ipsec && t->ipsec[0].pfs ? t->ipsec[0].pfs->id : 0;
	for (size_t i = 0; i < t->n_ipsec; i++) {
		uint32_t *spi = t->ipsec[i].proto == IPPROTO_AH ? &qm->spi_ah : &qm->spi_esp;

		if (!*spi && (!e->env.spi_alloc ||
			      e->env.spi_alloc(e->env.ctx, t, t->ipsec[i].proto, spi) ||
			      !*spi)) {
			elog(e, t, KIPSECD_LOG_ERROR, D_P2_SPI_FAIL, pid);
			goto fail;
		}
	}
	erandom(e, qm->ni, IKE_MAX_NONCE);
	qm->ni_len = IKE_MAX_NONCE;
	if (qm->pfs && !qm_dh(qm, NULL, ke, &ke_len, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_ERROR, "phase 2: PFS key exchange: %s", why);
		goto fail;
	}
	for (size_t i = 0; i < t->n_ipsec; i++) {
		const struct kipsecd_p2_proposal *p = &t->ipsec[i];

		trans[i] = (struct ike_transform){ .num = 1, .id = kipsecd_p2_transform(p),
						   .nattrs = p2_attrs(t, p, attrs[i]),
						   .attrs = attrs[i] };
		props[i] = (struct ike_proposal){ .num = (uint8_t)(i + 1),
						  .proto = kipsecd_p2_doi_proto(p),
						  .spi_len = 4, .ntrans = 1,
						  .trans = &trans[i] };
		spi_bytes(p->proto == IPPROTO_AH ? qm->spi_ah : qm->spi_esp, props[i].spi);
	}
	sa.nprops = (unsigned)t->n_ipsec;
	sa.props = props;
	proxy_to_ids(t, pidx, true, &idci, &idcr);
	h = qm_hdr(qm);
	ike_build_begin(&b, &h);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, p1->keys.prf_len);
	ike_build_sa(&b, &sa);
	ike_build_data(&b, IKE_PL_NONCE, qm->ni, qm->ni_len);
	if (qm->pfs)
		ike_build_data(&b, IKE_PL_KE, ke, ke_len);
	ike_build_id(&b, &idci);
	ike_build_id(&b, &idcr);
	if (!qm_seal(qm, &b, hoff, 1)) {
		ike_buf_free(&b.buf);
		elog(e, t, KIPSECD_LOG_ERROR, "phase 2: cannot build Quick Mode message 1");
		goto fail;
	}
	qm->state = QM_I1;
	elog(e, t, KIPSECD_LOG_INFO, "phase 2: initiating Quick Mode %08x for %s%s",
	     msgid, pid, rekey_of ? " (rekey)" : "");
	xmit_send(e, t, &qm->x, &b.buf, true, TIMER_ID(qm->serial, T_QM_XMIT), NULL, 0);
	return 0;
fail:
	p1_remove_qm(p1, qm);
	return -1;
}

static void qm_notify(struct ike_p1 *p1, const struct ike_msg *m, uint16_t type)
{
	const struct ike_payload *sa = ike_msg_find(m, IKE_PL_SA, 0);
	const uint8_t *spi = NULL;
	uint8_t proto = IKE_PROTO_ESP, spi_len = 0;

	if (sa && sa->u.sa.nprops) {
		proto = sa->u.sa.props[0].proto;
		spi_len = sa->u.sa.props[0].spi_len;
		spi = sa->u.sa.props[0].spi;
	}
	info_send_notify(p1->e, p1, proto, spi, spi_len, type, NULL, 0);
}

/* QM2 at the initiator. */
static void qm_got2(struct ike_qm *qm, const struct ike_msg *m, const uint8_t *rx,
		    size_t rx_len)
{
	struct ike_p1 *p1 = qm->p1;
	struct ike_engine *e = p1->e;
	const struct kipsecd_tunnel *t = p1->t;
	const struct ike_payload *sa = ike_msg_find(m, IKE_PL_SA, 0);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, 0);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, 0);
	const struct ike_payload *ida = ike_msg_find(m, IKE_PL_ID, 0);
	const struct ike_payload *idb = ike_msg_find(m, IKE_PL_ID, 1);
	const struct ike_payload *n;
	const struct ike_proposal *pp;
	struct p2_offer o;
	struct ike_id idci, idcr;
	struct ike_hdr h;
	struct ike_builder b;
	size_t hoff;
	uint64_t settle;
	char why[512], ours[512], pid[256];

	diag_proxy(t, qm->pidx, pid, sizeof(pid));
	if (!sa || !nr) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "message",
		     "Quick Mode message 2 without SA or Nonce");
		return;
	}
	pp = sa->u.sa.nprops == 1 ? &sa->u.sa.props[0] : NULL;
	qm->chosen = NULL;
	if (pp && pp->ntrans == 1 && pp->spi_len == 4) {
		p2_offer_parse(pp->proto, &pp->trans[0], &o);
		for (size_t i = 0; i < t->n_ipsec && !qm->chosen; i++)
			if (p2_base_match(t, &t->ipsec[i], &o) &&
			    o.group == p2_group(&t->ipsec[i]))
				qm->chosen = &t->ipsec[i];
	}
	if (!qm->chosen) {
		diag_p2_offer(&sa->u.sa, why, sizeof(why));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_BAD_CHOICE, why);
		p1_remove_qm(p1, qm);
		return;
	}
	if (qm->pfs && !ke) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_PFS_MISMATCH,
		     "we sent a key exchange, the peer answered without one");
		p1_remove_qm(p1, qm);
		return;
	}
	if (!qm->pfs && ke) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_PFS_MISMATCH,
		     "we sent no key exchange, the peer answered with one");
		p1_remove_qm(p1, qm);
		return;
	}
	proxy_to_ids(t, qm->pidx, true, &idci, &idcr);
	if (!ida || !idb || !id_same(&ida->u.id, &idci) || !id_same(&idb->u.id, &idcr)) {
		if (ida && idb)
			diag_id_pair(&ida->u.id, &idb->u.id, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "none");
		diag_id_pair(&idci, &idcr, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_ID_ECHO, why, ours);
		p1_remove_qm(p1, qm);
		return;
	}
	memcpy(qm->nr, nr->u.data.data, nr->u.data.len);
	qm->nr_len = nr->u.data.len;
	if (qm->pfs && !qm_dh(qm, ke, NULL, NULL, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_ERROR, "phase 2: peer's PFS key exchange refused: %s", why);
		p1_remove_qm(p1, qm);
		return;
	}
	qm->spi_out = spi_num(pp->spi);
	qm->spi_in = qm->chosen->proto == IPPROTO_AH ? qm->spi_ah : qm->spi_esp;
	qm->life_s = t->ipsec_lifetime;
	qm->life_kb = t->ipsec_lifetime_kb;
	if (o.life_s && o.life_s < qm->life_s)
		qm->life_s = (uint32_t)o.life_s;
	if (o.life_kb && (!qm->life_kb || o.life_kb < qm->life_kb))
		qm->life_kb = o.life_kb;
	for (unsigned i = 0; (n = ike_msg_find(m, IKE_PL_N, i)); i++) {
		struct ike_attr la[8];
		unsigned na = 0;
		uint16_t lt = 0;
		char kb[40] = "";

		if (n->u.n.type != IKE_N_RESPONDER_LIFETIME)
			continue;
		if (ike_decode_attr_list(n->u.n.data, n->u.n.data_len, n->u.n.proto, la, 8,
					 &na, "RESPONDER-LIFETIME", why, sizeof(why))) {
			elog(e, t, KIPSECD_LOG_WARNING, "phase 2: %s", why);
			continue;
		}
		for (unsigned k = 0; k < na; k++) {
			uint64_t v;

			if (!ike_attr_u64(&la[k], &v))
				continue;
			if (la[k].type == IPSEC_ATTR_LIFE_TYPE)
				lt = (uint16_t)v;
			else if (la[k].type == IPSEC_ATTR_LIFE_DURATION && lt == IKE_LIFE_SECONDS &&
				 v && v < qm->life_s)
				qm->life_s = (uint32_t)v;
			else if (la[k].type == IPSEC_ATTR_LIFE_DURATION &&
				 lt == IKE_LIFE_KILOBYTES && v &&
				 (!qm->life_kb || v < qm->life_kb))
				qm->life_kb = v;
		}
		if (qm->life_kb)
			snprintf(kb, sizeof(kb), " and %llukB", (unsigned long long)qm->life_kb);
		elog(e, t, KIPSECD_LOG_INFO, D_P2_RESP_LIFETIME, qm->life_s, kb);
	}
	/* QM3 */
	h = qm_hdr(qm);
	ike_build_begin(&b, &h);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, p1->keys.prf_len);
	if (ike_build_finish(&b) != IKE_PERR_OK ||
	    ike_qm_hash3(&p1->keys, qm->msgid, (struct ike_chunk){ qm->ni, qm->ni_len },
			 (struct ike_chunk){ qm->nr, qm->nr_len },
			 b.buf.data + hoff + 4) ||
	    !seal(p1, &b, &qm->iv)) {
		ike_buf_free(&b.buf);
		p1_remove_qm(p1, qm);
		return;
	}
	/*
	 * Our SAs before QM3: the responder starts sending once it has QM3.
	 * A rekey's outbound SA waits a little longer (qm_settle_ms).
	 */
	settle = qm_settle_ms(qm);
	if (!(settle ? qm_install_settle(qm, settle) : qm_install(qm))) {
		ike_buf_free(&b.buf);
		p1_remove_qm(p1, qm);
		return;
	}
	xmit_send(e, t, &qm->x, &b.buf, false, TIMER_ID(qm->serial, T_QM_XMIT), rx, rx_len);
	qm_done(qm);
}

/* QM1 at the responder: a new exchange (already decrypted, HASH(1) good). */
static void qm_respond(struct ike_p1 *p1, const struct ike_msg *m, uint32_t msgid,
		       const struct ike_iv *iv, const uint8_t *rx, size_t rx_len)
{
	struct ike_engine *e = p1->e;
	const struct kipsecd_tunnel *t = p1->t;
	const struct ike_payload *sa = ike_msg_find(m, IKE_PL_SA, 0);
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, 0);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, 0);
	const struct ike_payload *ida = ike_msg_find(m, IKE_PL_ID, 0);
	const struct ike_payload *idb = ike_msg_find(m, IKE_PL_ID, 1);
	const struct kipsecd_p2_proposal *chosen = NULL;
	const struct ike_proposal *cprop = NULL;
	const struct ike_transform *ctr = NULL;
	struct p2_offer o, co;
	uint16_t ours_group = t->n_ipsec && t->ipsec[0].pfs ? t->ipsec[0].pfs->id : 0;
	int pfs_hint = -1;	/* the peer's group in a transform that differs only there */
	size_t pidx = t->n_proxy_ids;
	struct ike_qm *qm;
	char why[512], ours[768], hint[160] = "";
	struct ike_proposal rp;
	struct ike_transform rt;
	struct ike_sa_pl rsa;
	struct ike_hdr h;
	struct ike_builder b;
	uint8_t kebuf[IKE_MAX_DH_LEN];
	size_t ke_len = 0, hoff;
	bool lower_s = false, lower_kb = false;

	if (!sa || !ni) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "message",
		     "Quick Mode message 1 without SA or Nonce");
		return;
	}
	/* proxy IDs: the peer's IDci is our remote, its IDcr our local */
	if (!ida || !idb) {
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_ID_MISMATCH,
		     "none (the phase 1 addresses)", "configured proxy IDs");
		qm_notify(p1, m, IKE_N_INVALID_ID_INFORMATION);
		return;
	}
	for (size_t i = 0; i < t->n_proxy_ids && pidx == t->n_proxy_ids; i++) {
		struct ike_id l, r;

		proxy_to_ids(t, i, false, &l, &r);
		if (id_same(&ida->u.id, &r) && id_same(&idb->u.id, &l))
			pidx = i;
	}
	if (pidx == t->n_proxy_ids) {
		diag_id_pair(&idb->u.id, &ida->u.id, why, sizeof(why));
		diag_proxies(t, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_ID_MISMATCH, why, ours);
		qm_notify(p1, m, IKE_N_INVALID_ID_INFORMATION);
		return;
	}
	/* the first acceptable transform of the peer's proposals */
	for (unsigned i = 0; i < sa->u.sa.nprops && !chosen; i++) {
		const struct ike_proposal *pp = &sa->u.sa.props[i];

		/* a bundle (two protocols under one number) is not supported */
		if ((i + 1 < sa->u.sa.nprops && sa->u.sa.props[i + 1].num == pp->num) ||
		    (i > 0 && sa->u.sa.props[i - 1].num == pp->num))
			continue;
		if (pp->spi_len != 4 ||
		    (pp->proto != IKE_PROTO_ESP && pp->proto != IKE_PROTO_AH))
			continue;
		for (unsigned j = 0; j < pp->ntrans && !chosen; j++) {
			p2_offer_parse(pp->proto, &pp->trans[j], &o);
			for (size_t k = 0; k < t->n_ipsec && !chosen; k++) {
				if (!p2_base_match(t, &t->ipsec[k], &o))
					continue;
				if (o.group == p2_group(&t->ipsec[k]) &&
				    (o.group ? ke && ke->u.data.len ==
						ike_dh_public_len(o.group) : !ke)) {
					chosen = &t->ipsec[k];
					cprop = pp;
					ctr = &pp->trans[j];
					co = o;
				} else if (pfs_hint < 0) {
					pfs_hint = o.group;
				}
			}
		}
	}
	if (!chosen) {
		const struct kipsecd_dh_group *g;

		if (pfs_hint >= 0 || (!ours_group && ke)) {
			char theirs[40];

			g = pfs_hint > 0 ? kipsecd_dh_group_by_id((uint16_t)pfs_hint) : NULL;
			if (pfs_hint > 0)
				snprintf(theirs, sizeof(theirs), "%s", g ? g->name : "an unknown group");
			else if (ke)
				snprintf(theirs, sizeof(theirs),
					 "a KE payload without a group attribute");
			else
				snprintf(theirs, sizeof(theirs), "none");
			if (pfs_hint > 0 && !ke)
				snprintf(theirs, sizeof(theirs), "group %d without a KE payload",
					 pfs_hint);
			if (ours_group)
				snprintf(hint, sizeof(hint), " (pfs %s expected, peer sent %s)",
					 t->ipsec[0].pfs->name, theirs);
			else
				snprintf(hint, sizeof(hint), " (no pfs expected, peer sent %s)",
					 theirs);
		}
		diag_p2_offer(&sa->u.sa, why, sizeof(why));
		diag_p2_ours(t, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_NO_PROPOSAL, why, ours, hint);
		qm_notify(p1, m, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	qm = qm_new(p1, msgid, false);
	if (!qm)
		return;
	qm->iv = *iv;
	qm->pidx = pidx;
	qm->chosen = chosen;
	qm->pfs = co.group;
	qm->spi_out = spi_num(cprop->spi);
	memcpy(qm->ni, ni->u.data.data, ni->u.data.len);
	qm->ni_len = ni->u.data.len;
	/* lifetimes: the peer's if not longer than ours (RFC 2407 default 8 h) */
	qm->life_s = (uint32_t)(co.life_s ? co.life_s : 28800);
	if (qm->life_s > t->ipsec_lifetime) {
		qm->life_s = t->ipsec_lifetime;
		lower_s = true;
	}
	qm->life_kb = co.life_kb;
	if (t->ipsec_lifetime_kb && (!qm->life_kb || qm->life_kb > t->ipsec_lifetime_kb)) {
		qm->life_kb = t->ipsec_lifetime_kb;
		lower_kb = true;
	}
	if (!e->env.spi_alloc || e->env.spi_alloc(e->env.ctx, t, chosen->proto, &qm->spi_in) ||
	    !qm->spi_in) {
		diag_proxy(t, pidx, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_SPI_FAIL, ours);
		p1_remove_qm(p1, qm);
		return;
	}
	erandom(e, qm->nr, IKE_MAX_NONCE);
	qm->nr_len = IKE_MAX_NONCE;
	if (qm->pfs && !qm_dh(qm, ke, kebuf, &ke_len, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_ERROR, "phase 2: peer's PFS key exchange refused: %s", why);
		p1_remove_qm(p1, qm);
		qm_notify(p1, m, IKE_N_INVALID_KEY_INFORMATION);
		return;
	}
	rt = *ctr;
	rp = (struct ike_proposal){ .num = cprop->num, .proto = cprop->proto,
				    .spi_len = 4, .ntrans = 1, .trans = &rt };
	spi_bytes(qm->spi_in, rp.spi);
	rsa = (struct ike_sa_pl){ .doi = IKE_DOI_IPSEC, .situation = IKE_SIT_IDENTITY_ONLY,
				  .nprops = 1, .props = &rp };
	h = qm_hdr(qm);
	ike_build_begin(&b, &h);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, p1->keys.prf_len);
	ike_build_sa(&b, &rsa);
	ike_build_data(&b, IKE_PL_NONCE, qm->nr, qm->nr_len);
	if (qm->pfs)
		ike_build_data(&b, IKE_PL_KE, kebuf, ke_len);
	ike_build_id(&b, &ida->u.id);
	ike_build_id(&b, &idb->u.id);
	if (lower_s || lower_kb) {
		struct ike_buf d;
		struct ike_attr a;
		struct ike_notify n = { .doi = IKE_DOI_IPSEC, .proto = cprop->proto,
					.spi_len = 4, .type = IKE_N_RESPONDER_LIFETIME,
					.spi = cprop->spi };

		ike_buf_init(&d);
		a = ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		ike_buf_append_attr(&d, &a);
		a = ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, qm->life_s);
		ike_buf_append_attr(&d, &a);
		if (qm->life_kb) {
			a = ike_attr_basic(IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES);
			ike_buf_append_attr(&d, &a);
			a = ike_attr_auto(IPSEC_ATTR_LIFE_DURATION, qm->life_kb);
			ike_buf_append_attr(&d, &a);
		}
		n.data = d.data;
		n.data_len = d.len;
		ike_build_notify(&b, &n);
		ike_buf_free(&d);
	}
	if (!qm_seal(qm, &b, hoff, 2)) {
		ike_buf_free(&b.buf);
		elog(e, t, KIPSECD_LOG_ERROR, "phase 2: cannot build Quick Mode message 2");
		p1_remove_qm(p1, qm);
		return;
	}
	qm->state = QM_R2;
	if (!qm_install_in(qm)) {
		ike_buf_free(&b.buf);
		diag_proxy(t, pidx, ours, sizeof(ours));
		elog(e, t, KIPSECD_LOG_ERROR, D_P2_INSTALL_FAIL, ours);
		p1_remove_qm(p1, qm);
		return;
	}
	xmit_send(e, t, &qm->x, &b.buf, true, TIMER_ID(qm->serial, T_QM_XMIT), rx, rx_len);
}

void qm_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
	      const struct ike_hdr *h)
{
	const struct kipsecd_tunnel *t = p1->t;
	struct ike_msg *m;
	struct ike_qm *qm;
	struct ike_iv iv;
	uint8_t *rx;
	char why[300];

	if (p1->state != P1_ESTABLISHED) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Quick Mode message",
		     "phase 1 is not established");
		return;
	}
	if (!h->msgid) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Quick Mode message", "message ID 0");
		return;
	}
	for (qm = p1->qms; qm && qm->msgid != h->msgid; qm = qm->next)
		;
	if (qm && engine_xmit_duplicate(e, t, &qm->x, buf, len))
		return;
	if (qm && qm->state == QM_DONE) {
		snprintf(why, sizeof(why), "Quick Mode %08x is already complete", h->msgid);
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Quick Mode message", why);
		return;
	}
	if (!qm && p1_msgid_used(p1, h->msgid)) {
		snprintf(why, sizeof(why), "message ID %08x was used before", h->msgid);
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Quick Mode message", why);
		return;
	}
	m = malloc(sizeof(*m));
	rx = malloc(len);
	if (!m || !rx)
		goto out;
	memcpy(rx, buf, len);
	if (qm)
		iv = qm->iv;
	else if (ike_iv_phase2(p1->prop.hash->ike_id, &p1->iv, h->msgid, &iv))
		goto out;
	if (open_msg(p1, buf, len, &iv, m, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Quick Mode message", why);
		goto out;
	}
	if (!qm) {
		unsigned pending = 0;

		for (struct ike_qm *q = p1->qms; q; q = q->next)
			pending += q->state == QM_R2;
		if (pending >= QM_PENDING_MAX) {
			elog(e, t, KIPSECD_LOG_WARNING, D_P2_TOO_MANY, pending);
			goto out;
		}
		if (!qm_check_hash(NULL, p1, m, 1, h->msgid, NULL, 0)) {
			elog(e, t, KIPSECD_LOG_ERROR, D_P2_HASH_FAIL, "HASH(1)", h->msgid);
			goto out;
		}
		p1->last_rx_ms = enow(e);
		p1_msgid_add(p1, h->msgid);
		qm_respond(p1, m, h->msgid, &iv, rx, len);
	} else if (qm->state == QM_I1) {
		if (!qm_check_hash(qm, p1, m, 2, h->msgid, qm->ni, qm->ni_len)) {
			elog(e, t, KIPSECD_LOG_ERROR, D_P2_HASH_FAIL, "HASH(2)", h->msgid);
			goto out;
		}
		p1->last_rx_ms = enow(e);
		qm->iv = iv;
		qm_got2(qm, m, rx, len);
	} else if (qm->state == QM_R2) {
		if (!qm_check_hash(qm, p1, m, 3, h->msgid, NULL, 0)) {
			elog(e, t, KIPSECD_LOG_ERROR, D_P2_HASH_FAIL, "HASH(3)", h->msgid);
			goto out;
		}
		p1->last_rx_ms = enow(e);
		qm->iv = iv;
		if (qm_install(qm))
			qm_done(qm);
		else
			p1_remove_qm(p1, qm);	/* and its inbound SA */
	}
out:
	free(rx);
	free(m);
}

void qm_xmit_timeout(struct ike_qm *qm)
{
	struct ike_p1 *p1 = qm->p1;

	elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P2_GIVE_UP, qm->msgid, IKE_RETRANSMIT_MAX);
	p1_remove_qm(p1, qm);
}

/* A NO-PROPOSAL-CHOSEN etc. for one of our Quick Modes (info.c). */
void qm_peer_error(struct ike_engine *e, struct ike_p1 *p1, uint16_t type,
		   const uint8_t *spi, size_t spi_len)
{
	char name[64];

	(void)e;
	/* the notify names the exchange by the SPI we offered, if at all */
	for (struct ike_qm *q = p1->qms, *next; q; q = next) {
		next = q->next;
		if (!q->initiator || q->state != QM_I1)
			continue;
		if (spi_len == 4 && spi_num(spi) != q->spi_esp && spi_num(spi) != q->spi_ah)
			continue;
		p1_remove_qm(p1, q);
	}
	elog(p1->e, p1->t, KIPSECD_LOG_ERROR, D_P2_PEER_ERROR,
	     notify_name(type, name, sizeof(name)));
}
