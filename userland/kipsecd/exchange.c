// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd engine: lifecycle, tunnels, the dispatch of received datagrams
 * to their exchange, timers, retransmission, duplicate answers and the
 * encryption of outgoing messages. See engine.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "engine_int.h"

void elog(struct ike_engine *e, const struct kipsecd_tunnel *t,
	  enum kipsecd_log_level lvl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!e->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->env.log(e->env.ctx, t, lvl, line);
}

void erandom(struct ike_engine *e, uint8_t *buf, size_t len)
{
	if (e->env.random)
		e->env.random(e->env.ctx, buf, len);
	else if (RAND_bytes(buf, (int)len) != 1)
		abort();	/* no randomness: nothing safe to do */
}

uint64_t enow(struct ike_engine *e)
{
	return e->env.now_ms ? e->env.now_ms(e->env.ctx) : 0;
}

uint32_t new_serial(struct ike_engine *e)
{
	if (++e->serial == 0 || e->serial > 0xffffffu)
		e->serial = 1;
	return e->serial;
}

void etimer_set(struct ike_engine *e, ike_timer_id id, uint64_t ms)
{
	if (e->env.timer_set)
		e->env.timer_set(e->env.ctx, id, ms);
}

void etimer_cancel(struct ike_engine *e, ike_timer_id id)
{
	if (e->env.timer_cancel)
		e->env.timer_cancel(e->env.ctx, id);
}

struct ike_tun *tun_find(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	for (size_t i = 0; i < e->ntuns; i++)
		if (e->tuns[i].t == t)
			return &e->tuns[i];
	return NULL;
}

/* Retransmission and duplicates. */

void xmit_send(struct ike_engine *e, const struct kipsecd_tunnel *t,
	       struct ike_xmit *x, struct ike_buf *b, bool arm,
	       ike_timer_id tid, const uint8_t *rx, size_t rx_len)
{
	etimer_cancel(e, tid);
	if (x->buf)
		OPENSSL_clear_free(x->buf, x->len);
	free(x->rx);
	x->buf = b->data;	/* take the buffer */
	x->len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	x->rx = NULL;
	x->rx_len = 0;
	if (rx && (x->rx = malloc(rx_len))) {
		memcpy(x->rx, rx, rx_len);
		x->rx_len = rx_len;
	}
	x->tries = 0;
	x->armed = arm;
	if (e->env.send && e->env.send(e->env.ctx, t, x->buf, x->len))
		elog(e, t, KIPSECD_LOG_WARNING, "sending %zu bytes to the peer failed", x->len);
	if (arm)
		etimer_set(e, tid, IKE_RETRANSMIT_FIRST_MS);
}

void xmit_stop(struct ike_engine *e, struct ike_xmit *x, ike_timer_id tid)
{
	if (x->armed)
		etimer_cancel(e, tid);
	x->armed = false;
}

void xmit_free(struct ike_engine *e, struct ike_xmit *x, ike_timer_id tid)
{
	etimer_cancel(e, tid);
	if (x->buf)
		OPENSSL_clear_free(x->buf, x->len);
	free(x->rx);
	memset(x, 0, sizeof(*x));
}

/* true: resent (or gave up, *gave_up set) */
static bool xmit_retry(struct ike_engine *e, const struct kipsecd_tunnel *t,
		       struct ike_xmit *x, ike_timer_id tid)
{
	if (!x->armed || !x->buf)
		return true;
	if (x->tries >= IKE_RETRANSMIT_MAX)
		return false;
	x->tries++;
	elog(e, t, KIPSECD_LOG_DEBUG, "retransmitting %zu bytes (%u/%u)", x->len,
	     x->tries, IKE_RETRANSMIT_MAX);
	if (e->env.send)
		e->env.send(e->env.ctx, t, x->buf, x->len);
	etimer_set(e, tid, (uint64_t)IKE_RETRANSMIT_FIRST_MS << x->tries);
	return true;
}

/* A received datagram identical to the one our last message answered. */
static bool xmit_duplicate(struct ike_engine *e, const struct kipsecd_tunnel *t,
			   struct ike_xmit *x, const uint8_t *buf, size_t len)
{
	if (!x->rx || x->rx_len != len || memcmp(x->rx, buf, len))
		return false;
	if (x->buf) {
		elog(e, t, KIPSECD_LOG_DEBUG,
		     "duplicate of the peer's last message: resending our answer");
		if (e->env.send)
			e->env.send(e->env.ctx, t, x->buf, x->len);
	}
	return true;
}

int open_msg(struct ike_p1 *p1, uint8_t *buf, size_t len, struct ike_iv *iv,
	     struct ike_msg *m, char *why, size_t wl)
{
	if (!p1->have_keys) {
		snprintf(why, wl, "encrypted before the keys exist");
		return -1;
	}
	if (!(buf[19] & IKE_FLAG_ENC)) {
		snprintf(why, wl, "not encrypted");
		return -1;
	}
	if (len <= IKE_HDR_LEN || (len - IKE_HDR_LEN) % p1->block_len) {
		snprintf(why, wl, "encrypted part of %zu bytes is not a whole number of %zu-byte blocks",
			 len - IKE_HDR_LEN, p1->block_len);
		return -1;
	}
	if (ike_decrypt(p1->enc, p1->keys.enc_key, p1->keys.enc_key_len, iv,
			buf + IKE_HDR_LEN, len - IKE_HDR_LEN)) {
		snprintf(why, wl, "decryption failed");
		return -1;
	}
	if (ike_decode(buf, len, m, why, wl))
		return -1;
	return 0;
}

bool seal(struct ike_p1 *p1, struct ike_builder *b, struct ike_iv *iv)
{
	size_t n;

	if (ike_build_finish(b) != IKE_PERR_OK)
		return false;
	n = ike_pad_len(b->buf.len - IKE_HDR_LEN, p1->block_len);
	if (!ike_buf_append(&b->buf, NULL, n) || ike_build_finish(b) != IKE_PERR_OK)
		return false;
	return ike_encrypt(p1->enc, p1->keys.enc_key, p1->keys.enc_key_len, iv,
			   b->buf.data + IKE_HDR_LEN, b->buf.len - IKE_HDR_LEN) == 0;
}

/* Phase 1 SAs. */

struct ike_p1 *p1_new(struct ike_engine *e, const struct kipsecd_tunnel *t,
		      bool initiator, bool aggressive)
{
	struct ike_p1 *p1 = calloc(1, sizeof(*p1));

	if (!p1)
		return NULL;
	p1->e = e;
	p1->t = t;
	p1->serial = new_serial(e);
	p1->initiator = initiator;
	p1->aggressive = aggressive;
	p1->lifetime = t->ike_lifetime;
	p1->last_rx_ms = enow(e);
	p1->next = e->p1s;
	e->p1s = p1;
	return p1;
}

void qm_free(struct ike_qm *qm)
{
	struct ike_engine *e = qm->p1->e;

	/* A responder's inbound SA whose pair never completed. */
	if (qm->in_installed && qm->state != QM_DONE && e->env.sa_delete)
		e->env.sa_delete(e->env.ctx, qm->p1->t, KIPSEC_DIR_IN,
				 qm->chosen->proto, qm->spi_in);
	xmit_free(e, &qm->x, TIMER_ID(qm->serial, T_QM_XMIT));
	ike_dh_free(qm->dh);
	OPENSSL_cleanse(qm, sizeof(*qm));
	free(qm);
}

void p1_remove_qm(struct ike_p1 *p1, struct ike_qm *qm)
{
	for (struct ike_qm **pp = &p1->qms; *pp; pp = &(*pp)->next)
		if (*pp == qm) {
			*pp = qm->next;
			qm_free(qm);
			return;
		}
}

void p1_free(struct ike_p1 *p1)
{
	struct ike_engine *e = p1->e;

	while (p1->qms) {
		struct ike_qm *qm = p1->qms;

		p1->qms = qm->next;
		qm_free(qm);
	}
	xmit_free(e, &p1->x, TIMER_ID(p1->serial, T_P1_XMIT));
	etimer_cancel(e, TIMER_ID(p1->serial, T_DPD));
	etimer_cancel(e, TIMER_ID(p1->serial, T_P1_EXPIRE));
	ike_dh_free(p1->dh);
	if (p1->sai_b)
		OPENSSL_clear_free(p1->sai_b, p1->sai_len);
	free(p1->idi_b);
	ike_p1_keys_wipe(&p1->keys);
	OPENSSL_cleanse(p1, sizeof(*p1));
	free(p1);
}

void p1_unlink_free(struct ike_p1 *p1)
{
	struct ike_engine *e = p1->e;
	bool was_up = p1->state == P1_ESTABLISHED;
	const struct kipsecd_tunnel *t = p1->t;

	for (struct ike_p1 **pp = &e->p1s; *pp; pp = &(*pp)->next)
		if (*pp == p1) {
			*pp = p1->next;
			break;
		}
	p1_free(p1);
	if (was_up && !p1_established(e, t) && e->env.phase1_state)
		e->env.phase1_state(e->env.ctx, t, false);
}

struct ike_p1 *p1_established(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_p1 *best = NULL;

	/* the newest established one that is not being replaced */
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		if (p->t == t && p->state == P1_ESTABLISHED && !p->deleting &&
		    (!best || (best->replaced && !p->replaced)))
			best = p;
	return best;
}

struct ike_p1 *p1_connecting(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		if (p->t == t && p->state != P1_ESTABLISHED)
			return p;
	return NULL;
}

bool p1_msgid_used(struct ike_p1 *p1, uint32_t msgid)
{
	unsigned n = p1->n_msgids < P1_MSGID_RING ? p1->n_msgids : P1_MSGID_RING;

	for (unsigned i = 0; i < n; i++)
		if (p1->msgids[i] == msgid)
			return true;
	return false;
}

void p1_msgid_add(struct ike_p1 *p1, uint32_t msgid)
{
	p1->msgids[p1->n_msgids++ % P1_MSGID_RING] = msgid;
}

/* Quick Modes waiting for this tunnel's phase 1. */
void start_pending(struct ike_engine *e, struct ike_p1 *p1)
{
	struct ike_tun *tn = tun_find(e, p1->t);

	if (!tn)
		return;
	for (size_t i = 0; i < p1->t->n_proxy_ids; i++)
		if (tn->pending[i]) {
			tn->pending[i] = false;
			if (!proxy_has_child(e, p1->t, i) && !proxy_has_qm(e, p1->t, i))
				qm_initiate(e, p1, i, 0);
		}
}

/* The engine. */

struct ike_engine *ike_engine_new(const struct ike_env *env)
{
	struct ike_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->env = *env;
	ike_crypto_init();
	return e;
}

static void children_drop(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_child **pp = &e->children;

	while (*pp) {
		struct ike_child *c = *pp;

		if (t && c->t != t) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		child_free(e, c);
	}
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	while (e->p1s) {
		struct ike_p1 *p = e->p1s;

		e->p1s = p->next;
		p1_free(p);
	}
	children_drop(e, NULL);
	for (size_t i = 0; i < e->ntuns; i++)
		free(e->tuns[i].pending);
	free(e->tuns);
	free(e);
}

int ike_engine_add_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_tun *n;

	if (tun_find(e, t))
		return 0;
	n = realloc(e->tuns, (e->ntuns + 1) * sizeof(*n));
	if (!n)
		return -1;
	e->tuns = n;
	n = &e->tuns[e->ntuns];
	memset(n, 0, sizeof(*n));
	n->t = t;
	n->pending = calloc(t->n_proxy_ids ? t->n_proxy_ids : 1, sizeof(bool));
	if (!n->pending)
		return -1;
	e->ntuns++;
	return 0;
}

void ike_engine_remove_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_tun *tn = tun_find(e, t);

	if (!tn)
		return;
	ike_engine_down(e, t);
	free(tn->pending);
	*tn = e->tuns[--e->ntuns];
}

static const struct kipsecd_p2_proposal *
prop_moved(const struct kipsecd_tunnel *t, const struct kipsecd_tunnel *nt,
	   const struct kipsecd_p2_proposal *p)
{
	if (p >= t->ipsec && p < t->ipsec + t->n_ipsec &&
	    (size_t)(p - t->ipsec) < nt->n_ipsec)
		return nt->ipsec + (p - t->ipsec);
	return p;
}

int ike_engine_replace_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t,
			      const struct kipsecd_tunnel *nt)
{
	struct ike_tun *tn = tun_find(e, t);

	if (!tn)
		return -1;
	tn->t = nt;
	for (struct ike_p1 *p = e->p1s; p; p = p->next) {
		if (p->t != t)
			continue;
		p->t = nt;
		for (struct ike_qm *q = p->qms; q; q = q->next)
			if (q->chosen)
				q->chosen = prop_moved(t, nt, q->chosen);
	}
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t) {
			c->t = nt;
			c->prop = prop_moved(t, nt, c->prop);
			for (int i = 0; c->settle && i < 2; i++)
				c->settle[i].proposal = prop_moved(t, nt, c->settle[i].proposal);
		}
	return 0;
}

int ike_engine_up_proxy(struct ike_engine *e, const struct kipsecd_tunnel *t,
			size_t pidx)
{
	struct ike_tun *tn = tun_find(e, t);
	struct ike_p1 *p1;

	if (!tn) {
		elog(e, t, KIPSECD_LOG_ERROR, "up: unknown tunnel");
		return -1;
	}
	if (pidx >= t->n_proxy_ids)
		return -1;
	if (proxy_has_child(e, t, pidx) || proxy_has_qm(e, t, pidx))
		return 0;
	p1 = p1_established(e, t);
	if (p1)
		return qm_initiate(e, p1, pidx, 0);
	tn->pending[pidx] = true;
	if (p1_connecting(e, t))
		return 0;
	return p1_initiate(e, t);
}

int ike_engine_up(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	int ret = 0;

	if (!tun_find(e, t)) {
		elog(e, t, KIPSECD_LOG_ERROR, "up: unknown tunnel");
		return -1;
	}
	for (size_t i = 0; i < t->n_proxy_ids; i++)
		if (ike_engine_up_proxy(e, t, i))
			ret = -1;
	return ret;
}

int ike_engine_down(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_tun *tn = tun_find(e, t);
	struct ike_p1 *p1 = p1_established(e, t);
	struct ike_child *c;

	if (!tn)
		return -1;
	memset(tn->pending, 0, t->n_proxy_ids * sizeof(bool));
	for (;;) {
		for (c = e->children; c && c->t != t; c = c->next)
			;
		if (!c)
			break;
		child_delete(e, c, p1 != NULL);
	}
	for (struct ike_p1 *p = e->p1s, *next; p; p = next) {
		next = p->next;
		if (p->t != t)
			continue;
		if (p->state == P1_ESTABLISHED) {
			uint8_t spi[16];

			memcpy(spi, p->icky, 8);
			memcpy(spi + 8, p->rcky, 8);
			info_send_delete(e, p, IKE_PROTO_ISAKMP, spi, 16, 1);
		}
		p1_unlink_free(p);
	}
	tn->contacted = false;
	return 0;
}

void ike_engine_shutdown(struct ike_engine *e)
{
	for (size_t i = 0; i < e->ntuns; i++)
		ike_engine_down(e, e->tuns[i].t);
}

int ike_engine_rekey_phase1(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	if (!tun_find(e, t))
		return -1;
	if (p1_connecting(e, t))
		return 0;
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		if (p->t == t && p->state == P1_ESTABLISHED)
			p->replaced = true;
	tun_find(e, t)->rekeying = true;
	return p1_initiate(e, t);
}

int ike_engine_rekey_child(struct ike_engine *e, const struct kipsecd_tunnel *t,
			   size_t pidx)
{
	struct ike_p1 *p1 = p1_established(e, t);
	struct ike_child *old = NULL;

	if (!tun_find(e, t) || pidx >= t->n_proxy_ids)
		return -1;
	/* under way, or done and the new outbound SA about to go in */
	if (proxy_has_qm(e, t, pidx) || proxy_settling(e, t, pidx))
		return 0;
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t && c->pidx == pidx && !c->rekeyed)
			old = c;
	if (!p1) {
		/* phase 1 first; the Quick Mode follows as a fresh one */
		struct ike_tun *tn = tun_find(e, t);

		if (old)
			old->rekeyed = false;
		tn->pending[pidx] = true;
		return p1_connecting(e, t) ? 0 : p1_initiate(e, t);
	}
	return qm_initiate(e, p1, pidx, old ? old->serial : 0);
}

int ike_engine_rekey_spi(struct ike_engine *e, const struct kipsecd_tunnel *t,
			 uint8_t proto, uint32_t spi)
{
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t && c->proto == proto &&
		    (c->spi_in == spi || c->spi_out == spi)) {
			if (c->rekeyed)
				return 0;
			return ike_engine_rekey_child(e, t, c->pidx);
		}
	return -1;
}

int ike_engine_sa_expired(struct ike_engine *e, const struct kipsecd_tunnel *t,
			  uint8_t proto, uint32_t spi)
{
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t && c->proto == proto &&
		    (c->spi_in == spi || c->spi_out == spi)) {
			uint32_t serial = c->serial;

			child_delete(e, c, true);
			child_replaced_gone(e, t, serial);
			return 0;
		}
	return -1;
}

void ike_engine_peer_alive(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	uint64_t now = enow(e);

	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		if (p->t == t && p->state == P1_ESTABLISHED && !p->dpd_waiting)
			p->last_rx_ms = now;
}

/* Input. */

static struct ike_p1 *p1_find(struct ike_engine *e, const struct ike_hdr *h)
{
	static const uint8_t zero[8];
	bool rzero = !memcmp(h->rcookie, zero, 8);

	for (struct ike_p1 *p = e->p1s; p; p = p->next) {
		if (memcmp(p->icky, h->icookie, 8))
			continue;
		if (!memcmp(p->rcky, h->rcookie, 8))
			return p;
		/* a retransmitted first message */
		if (!p->initiator && rzero &&
		    (p->state == P1_MM_R2 || p->state == P1_AM_R2))
			return p;
		/* the responder's first answer brings its cookie */
		if (p->initiator && !rzero && !memcmp(p->rcky, zero, 8) &&
		    (p->state == P1_MM_I1 || p->state == P1_AM_I1))
			return p;
	}
	return NULL;
}

static bool addr_equal(const struct kipsec_nl_addr *a, const struct kipsec_nl_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->ip4.s_addr == b->ip4.s_addr;
	return !memcmp(&a->ip6, &b->ip6, sizeof(a->ip6));
}

static const struct kipsecd_tunnel *tunnel_for(struct ike_engine *e,
					       const struct kipsec_nl_addr *from,
					       uint16_t port)
{
	const struct kipsecd_tunnel *t = NULL;

	if (e->env.find_tunnel)
		t = e->env.find_tunnel(e->env.ctx, from, port);
	else
		for (size_t i = 0; i < e->ntuns && !t; i++)
			if (addr_equal(&e->tuns[i].t->remote, from))
				t = e->tuns[i].t;
	return t && tun_find(e, t) ? t : NULL;
}

void ike_engine_input(struct ike_engine *e, const struct kipsec_nl_addr *from,
		      uint16_t port, const uint8_t *data, size_t len)
{
	static const uint8_t zero[8];
	struct ike_hdr h;
	char why[256], src[INET6_ADDRSTRLEN + 16];
	struct ike_p1 *p1;
	uint8_t *buf;

	kipsec_nl_addr_str(from, src, sizeof(src));
	snprintf(src + strlen(src), sizeof(src) - strlen(src), ":%u", port);
	if (ike_decode_header(data, len, &h, why, sizeof(why))) {
		elog(e, NULL, KIPSECD_LOG_INFO, D_DROP, src, why);
		return;
	}
	if (h.length != len) {
		elog(e, NULL, KIPSECD_LOG_INFO, D_DROP, src,
		     "header length differs from the datagram");
		return;
	}
	p1 = p1_find(e, &h);
	if (p1 && !addr_equal(&p1->t->remote, from) && !e->env.find_tunnel) {
		elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, src,
		     "cookies of a phase 1 with another peer");
		return;
	}
	buf = malloc(len);
	if (!buf)
		return;
	memcpy(buf, data, len);
	if (!p1) {
		const struct kipsecd_tunnel *t;

		if ((h.exchange != IKE_XCHG_MAIN && h.exchange != IKE_XCHG_AGGRESSIVE) ||
		    memcmp(h.rcookie, zero, 8) || h.msgid || !memcmp(h.icookie, zero, 8)) {
			elog(e, NULL, KIPSECD_LOG_INFO, D_DROP, src,
			     "unknown cookies (no such phase 1 SA)");
			goto out;
		}
		for (struct ike_p1 *p = e->p1s; p; p = p->next)
			if (!memcmp(p->icky, h.icookie, 8)) {
				elog(e, p->t, KIPSECD_LOG_INFO, D_DROP, src,
				     "first message with the initiator cookie of a phase 1 we have");
				goto out;
			}
		t = tunnel_for(e, from, port);
		if (!t) {
			elog(e, NULL, KIPSECD_LOG_INFO, D_DROP, src,
			     "no tunnel configured for this peer");
			goto out;
		}
		p1_respond(e, t, buf, len, &h);
		goto out;
	}
	if (h.msgid == 0 && (h.exchange == IKE_XCHG_MAIN ||
			     h.exchange == IKE_XCHG_AGGRESSIVE)) {
		if (xmit_duplicate(e, p1->t, &p1->x, buf, len))
			goto out;
		p1_input(e, p1, buf, len, &h);
	} else if (h.exchange == IKE_XCHG_QUICK) {
		qm_input(e, p1, buf, len, &h);
	} else if (h.exchange == IKE_XCHG_INFO) {
		info_input(e, p1, buf, len, &h);
	} else {
		snprintf(why, sizeof(why), "exchange type %u not handled", h.exchange);
		elog(e, p1->t, KIPSECD_LOG_INFO, D_DROP, src, why);
	}
out:
	OPENSSL_clear_free(buf, len);
}

/* Looks up a Quick Mode by M-ID for the duplicate check; qm.c does the rest. */
static struct ike_qm *qm_by_serial(struct ike_engine *e, uint32_t serial)
{
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		for (struct ike_qm *q = p->qms; q; q = q->next)
			if (q->serial == serial)
				return q;
	return NULL;
}

/* Timers. */

void p1_xmit_timeout(struct ike_p1 *p1);

void ike_engine_timer(struct ike_engine *e, ike_timer_id id)
{
	uint32_t serial = (uint32_t)(id >> 8);
	struct ike_p1 *p1 = NULL;
	struct ike_qm *qm;
	struct ike_child *c;

	switch ((enum ike_timer_kind)(id & 0xff)) {
	case T_P1_XMIT:
	case T_DPD:
	case T_P1_EXPIRE:
		for (p1 = e->p1s; p1 && p1->serial != serial; p1 = p1->next)
			;
		if (!p1)
			return;
		if ((id & 0xff) == T_P1_XMIT) {
			if (!xmit_retry(e, p1->t, &p1->x, id))
				p1_xmit_timeout(p1);
		} else if ((id & 0xff) == T_DPD) {
			dpd_timer(p1);
		} else {
			elog(e, p1->t, KIPSECD_LOG_INFO, "phase 1: lifetime of %us over",
			     p1->lifetime);
			if (p1->state == P1_ESTABLISHED) {
				uint8_t spi[16];

				memcpy(spi, p1->icky, 8);
				memcpy(spi + 8, p1->rcky, 8);
				info_send_delete(e, p1, IKE_PROTO_ISAKMP, spi, 16, 1);
			}
			p1_unlink_free(p1);
		}
		return;
	case T_QM_XMIT:
		qm = qm_by_serial(e, serial);
		if (qm && !xmit_retry(e, qm->p1->t, &qm->x, id))
			qm_xmit_timeout(qm);
		return;
	case T_CHILD_DELETE:
		c = child_find_serial(e, serial);
		if (c)
			child_grace_over(e, c);
		return;
	case T_CHILD_SETTLE:
		c = child_find_serial(e, serial);
		if (c)
			child_settle_over(e, c);
		return;
	}
}

bool engine_xmit_duplicate(struct ike_engine *e, const struct kipsecd_tunnel *t,
			   struct ike_xmit *x, const uint8_t *buf, size_t len)
{
	return xmit_duplicate(e, t, x, buf, len);
}

/* Status. */

int ike_engine_status(const struct ike_engine *e, const struct kipsecd_tunnel *t,
		      struct ike_tunnel_status *st)
{
	struct ike_engine *me = (struct ike_engine *)e;
	struct ike_p1 *p1 = p1_established(me, t);

	memset(st, 0, sizeof(*st));
	if (!tun_find(me, t))
		return -1;
	if (!p1)
		p1 = p1_connecting(me, t);
	if (p1) {
		st->phase1 = p1->state == P1_ESTABLISHED ? IKE_P1_ESTABLISHED :
							   IKE_P1_CONNECTING;
		st->initiator = p1->initiator;
		memcpy(st->icookie, p1->icky, 8);
		memcpy(st->rcookie, p1->rcky, 8);
		if (p1->state == P1_ESTABLISHED)
			kipsecd_p1_name(&p1->prop, st->proposal, sizeof(st->proposal));
		st->peer_dpd = p1->peer_dpd;
	}
	for (struct ike_child *c = e->children; c; c = c->next)
		if (c->t == t)
			st->n_children++;
	for (struct ike_p1 *p = e->p1s; p; p = p->next)
		for (struct ike_qm *q = p->qms; q; q = q->next)
			if (p->t == t && q->state != QM_DONE)
				st->n_pending++;
	return 0;
}

bool ike_engine_child_at(const struct ike_engine *e, const struct kipsecd_tunnel *t,
			 size_t i, struct ike_child_status *st)
{
	struct ike_engine *me = (struct ike_engine *)e;

	for (struct ike_child *c = e->children; c; c = c->next) {
		if (c->t != t || i--)
			continue;
		memset(st, 0, sizeof(*st));
		st->proxy_index = c->pidx;
		st->proto = c->proto;
		st->spi_in = c->spi_in;
		st->spi_out = c->spi_out;
		kipsecd_p2_name(c->prop, st->proposal, sizeof(st->proposal));
		st->life_seconds = c->life_s;
		st->age_ms = enow(me) - c->created_ms;
		st->rekeyed = c->rekeyed;
		st->settling = c->settle != NULL;
		return true;
	}
	return false;
}
