// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd engine: Informational exchanges (RFC 2408 4.8, RFC 2409 5.7):
 * HDR*, HASH(1), N/D, protected by prf(SKEYID_a, M-ID | N/D) and
 * encrypted with an IV from the last phase 1 block and the M-ID; plaintext
 * notifications only before phase 1 keys exist. Delete, errors,
 * INITIAL-CONTACT and RFC 3706 Dead Peer Detection.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine_int.h"

static void info_send(struct ike_engine *e, struct ike_p1 *p1,
		      const struct ike_notify *n, const struct ike_delete *d)
{
	struct ike_hdr h = { .version = IKE_VERSION, .exchange = IKE_XCHG_INFO,
			     .flags = IKE_FLAG_ENC };
	struct ike_builder b;
	struct ike_iv iv;
	size_t hoff, rest;
	uint32_t msgid;

	if (!p1->have_keys)
		return;
	do
		erandom(e, (uint8_t *)&msgid, sizeof(msgid));
	while (!msgid || p1_msgid_used(p1, msgid));
	p1_msgid_add(p1, msgid);
	memcpy(h.icookie, p1->icky, 8);
	memcpy(h.rcookie, p1->rcky, 8);
	h.msgid = msgid;
	if (ike_iv_phase2(p1->prop.hash->ike_id, &p1->iv, msgid, &iv))
		return;
	ike_build_begin(&b, &h);
	hoff = ike_build_data(&b, IKE_PL_HASH, NULL, p1->keys.prf_len);
	if (n)
		ike_build_notify(&b, n);
	if (d)
		ike_build_delete(&b, d);
	rest = hoff + 4 + p1->keys.prf_len;
	if (hoff == (size_t)-1 || ike_build_finish(&b) != IKE_PERR_OK ||
	    ike_qm_hash1(&p1->keys, msgid,
			 (struct ike_chunk){ b.buf.data + rest, b.buf.len - rest },
			 b.buf.data + hoff + 4) ||
	    !seal(p1, &b, &iv)) {
		elog(e, p1->t, KIPSECD_LOG_ERROR, "informational: cannot build a message");
		ike_buf_free(&b.buf);
		return;
	}
	if (e->env.send && e->env.send(e->env.ctx, p1->t, b.buf.data, b.buf.len))
		elog(e, p1->t, KIPSECD_LOG_WARNING, "sending %zu bytes to the peer failed",
		     b.buf.len);
	ike_buf_free(&b.buf);
}

void info_send_notify(struct ike_engine *e, struct ike_p1 *p1, uint8_t proto,
		      const uint8_t *spi, size_t spi_len, uint16_t type,
		      const uint8_t *data, size_t data_len)
{
	struct ike_notify n = { .doi = IKE_DOI_IPSEC, .proto = proto,
				.spi_len = (uint8_t)spi_len, .type = type, .spi = spi,
				.data = data, .data_len = data_len };

	info_send(e, p1, &n, NULL);
}

void info_send_delete(struct ike_engine *e, struct ike_p1 *p1, uint8_t proto,
		      const uint8_t *spis, size_t spi_len, unsigned nspis)
{
	struct ike_delete d = { .doi = IKE_DOI_IPSEC, .proto = proto,
				.spi_len = (uint8_t)spi_len, .nspis = (uint16_t)nspis,
				.spis = spis };

	info_send(e, p1, NULL, &d);
}

void info_send_plain_notify(struct ike_engine *e, const struct kipsecd_tunnel *t,
			    const uint8_t icky[8], const uint8_t rcky[8], uint16_t type)
{
	struct ike_hdr h = { .version = IKE_VERSION, .exchange = IKE_XCHG_INFO };
	uint8_t spi[16];
	struct ike_notify n = { .doi = IKE_DOI_IPSEC, .proto = IKE_PROTO_ISAKMP,
				.spi_len = 16, .type = type, .spi = spi };
	struct ike_builder b;

	memcpy(h.icookie, icky, 8);
	memcpy(h.rcookie, rcky, 8);
	memcpy(spi, icky, 8);
	memcpy(spi + 8, rcky, 8);
	ike_build_begin(&b, &h);
	ike_build_notify(&b, &n);
	if (ike_build_finish(&b) == IKE_PERR_OK && e->env.send)
		e->env.send(e->env.ctx, t, b.buf.data, b.buf.len);
	ike_buf_free(&b.buf);
}

/* Dead Peer Detection (RFC 3706). */

void dpd_start(struct ike_engine *e, struct ike_p1 *p1)
{
	if (!p1->peer_dpd || !p1->t->dpd_interval)
		return;
	erandom(e, (uint8_t *)&p1->dpd_seq, sizeof(p1->dpd_seq));
	p1->dpd_seq &= 0x7fffffff;	/* room to count up (RFC 3706 7) */
	etimer_set(e, TIMER_ID(p1->serial, T_DPD), (uint64_t)p1->t->dpd_interval * 1000);
}

static void dpd_send(struct ike_engine *e, struct ike_p1 *p1, uint16_t type, uint32_t seq)
{
	uint8_t spi[16], d[4] = { seq >> 24, seq >> 16, seq >> 8, seq };

	memcpy(spi, p1->icky, 8);
	memcpy(spi + 8, p1->rcky, 8);
	info_send_notify(e, p1, IKE_PROTO_ISAKMP, spi, 16, type, d, 4);
}

/* The peer is gone: everything of the tunnel goes, without telling it. */
static void tunnel_clear(struct ike_engine *e, const struct kipsecd_tunnel *t)
{
	struct ike_child *c;

	for (;;) {
		for (c = e->children; c && c->t != t; c = c->next)
			;
		if (!c)
			break;
		child_delete(e, c, false);
	}
	for (struct ike_p1 *p = e->p1s, *next; p; p = next) {
		next = p->next;
		if (p->t == t)
			p1_unlink_free(p);
	}
}

void dpd_timer(struct ike_p1 *p1)
{
	struct ike_engine *e = p1->e;
	uint64_t iv = (uint64_t)p1->t->dpd_interval * 1000, idle;

	if (p1->state != P1_ESTABLISHED || !iv)
		return;
	if (p1->dpd_waiting) {
		if (++p1->dpd_missed >= (p1->t->dpd_retries ? p1->t->dpd_retries : 1)) {
			elog(e, p1->t, KIPSECD_LOG_ERROR, D_DPD_DEAD, p1->dpd_missed);
			tunnel_clear(e, p1->t);
			return;
		}
		dpd_send(e, p1, IKE_N_R_U_THERE, ++p1->dpd_seq);
		etimer_set(e, TIMER_ID(p1->serial, T_DPD), iv);
		return;
	}
	idle = enow(e) - p1->last_rx_ms;
	if (idle < iv) {
		etimer_set(e, TIMER_ID(p1->serial, T_DPD), iv - idle);
		return;
	}
	p1->dpd_waiting = true;
	p1->dpd_missed = 0;
	dpd_send(e, p1, IKE_N_R_U_THERE, ++p1->dpd_seq);
	etimer_set(e, TIMER_ID(p1->serial, T_DPD), iv);
}

static void dpd_ack(struct ike_engine *e, struct ike_p1 *p1, uint32_t seq)
{
	/* any of the R-U-THERE still unanswered */
	if (p1->dpd_waiting && seq <= p1->dpd_seq && p1->dpd_seq - seq <= p1->dpd_missed) {
		p1->dpd_waiting = false;
		p1->dpd_missed = 0;
		return;
	}
	elog(e, p1->t, KIPSECD_LOG_INFO, D_DPD_BAD_SEQ, seq, p1->dpd_seq);
}

void initial_contact(struct ike_engine *e, struct ike_p1 *p1)
{
	unsigned nc = 0, np = 0;
	struct ike_child *c;

	for (;;) {
		for (c = e->children; c; c = c->next)
			if (c->t == p1->t && c->p1_serial != p1->serial)
				break;
		if (!c)
			break;
		child_delete(e, c, false);
		nc++;
	}
	for (struct ike_p1 *p = e->p1s, *next; p; p = next) {
		next = p->next;
		/* negotiations under way are the peer's current ones */
		if (p != p1 && p->t == p1->t && p->state == P1_ESTABLISHED) {
			p1_unlink_free(p);
			np++;
		}
	}
	if (nc || np)
		elog(e, p1->t, KIPSECD_LOG_NOTICE, D_INITIAL_CONTACT, nc, np);
}

/* Notifications without protection: logged, never acted upon. */
void info_plain_input(struct ike_engine *e, struct ike_p1 *p1, struct ike_msg *m)
{
	const struct ike_payload *n;
	char name[64];

	/* once per type and phase 1: the peer answers each retransmission */
	for (unsigned i = 0; (n = ike_msg_find(m, IKE_PL_N, i)); i++) {
		if (n->u.n.type == p1->last_plain_notify)
			continue;
		p1->last_plain_notify = n->u.n.type;
		elog(e, p1->t, KIPSECD_LOG_ERROR, D_P1_PEER_NOTIFY,
		     notify_name(n->u.n.type, name, sizeof(name)));
	}
}

static void delete_input(struct ike_engine *e, struct ike_p1 *p1,
			 const struct ike_delete *d, bool *drop_p1)
{
	const struct kipsecd_tunnel *t = p1->t;

	if (d->proto == IKE_PROTO_ISAKMP) {
		for (unsigned i = 0; i < d->nspis; i++)
			if (d->spi_len == 16 &&
			    !memcmp(d->spis + 16 * i, p1->icky, 8) &&
			    !memcmp(d->spis + 16 * i + 8, p1->rcky, 8))
				*drop_p1 = true;
		if (*drop_p1)
			elog(e, t, KIPSECD_LOG_NOTICE, D_INFO_DELETE_P1);
		return;
	}
	if ((d->proto != IKE_PROTO_ESP && d->proto != IKE_PROTO_AH) || d->spi_len != 4) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Delete",
		     "not an ISAKMP, ESP or AH SA with a matching SPI size");
		return;
	}
	for (unsigned i = 0; i < d->nspis; i++) {
		const uint8_t *s = d->spis + 4 * i;
		uint32_t spi = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
			       (uint32_t)s[2] << 8 | s[3];
		uint8_t proto = d->proto == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
		struct ike_child *c, *hit = NULL;
		uint32_t serial;
		char pid[256];

		/* the peer names its inbound SA: our outbound one */
		for (c = e->children; c && !hit; c = c->next)
			if (c->t == t && c->proto == proto && c->spi_out == spi)
				hit = c;
		for (c = e->children; c && !hit; c = c->next)
			if (c->t == t && c->proto == proto && c->spi_in == spi)
				hit = c;
		if (!hit) {
			elog(e, t, KIPSECD_LOG_INFO,
			     "informational: peer deleted %s SA %08x, which we do not have",
			     proto == IPPROTO_AH ? "AH" : "ESP", spi);
			continue;
		}
		diag_proxy(t, hit->pidx, pid, sizeof(pid));
		elog(e, t, KIPSECD_LOG_NOTICE, D_INFO_DELETE_P2,
		     proto == IPPROTO_AH ? "AH" : "ESP", spi, pid);
		serial = hit->serial;
		child_delete(e, hit, false);
		/* our rekey of it, still settling, takes the traffic now */
		child_replaced_gone(e, t, serial);
	}
}

void info_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
		const struct ike_hdr *h)
{
	const struct kipsecd_tunnel *t = p1->t;
	struct ike_msg *m = malloc(sizeof(*m));
	const struct ike_payload *hp, *pl;
	uint8_t want[IKE_MAX_PRF_LEN];
	struct ike_iv iv;
	size_t rest;
	bool drop_p1 = false;
	char why[300], name[64];

	if (!m)
		return;
	if (!(h->flags & IKE_FLAG_ENC)) {
		if (p1->state == P1_ESTABLISHED) {
			elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational",
			     "unencrypted after phase 1 is established");
		} else if (ike_decode(buf, len, m, why, sizeof(why))) {
			elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational", why);
		} else {
			info_plain_input(e, p1, m);
		}
		goto out;
	}
	if (!p1->have_keys || p1->state != P1_ESTABLISHED) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational",
		     "encrypted before phase 1 is established");
		goto out;
	}
	if (!h->msgid || p1_msgid_used(p1, h->msgid)) {
		snprintf(why, sizeof(why), "message ID %08x %s", h->msgid,
			 h->msgid ? "was used before" : "is 0");
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational", why);
		goto out;
	}
	if (ike_iv_phase2(p1->prop.hash->ike_id, &p1->iv, h->msgid, &iv) ||
	    open_msg(p1, buf, len, &iv, m, why, sizeof(why))) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational", why);
		goto out;
	}
	hp = m->npayloads ? &m->pl[0] : NULL;
	if (!hp || hp->type != IKE_PL_HASH || hp->u.data.len != p1->keys.prf_len) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational",
		     "no HASH payload first");
		goto out;
	}
	rest = hp->offset + hp->raw_len;
	if (ike_qm_hash1(&p1->keys, h->msgid,
			 (struct ike_chunk){ m->raw + rest, m->raw_len - m->pad_len - rest },
			 want) ||
	    CRYPTO_memcmp(want, hp->u.data.data, p1->keys.prf_len)) {
		elog(e, t, KIPSECD_LOG_INFO, D_DROP, "Informational",
		     "HASH(1) does not verify");
		goto out;
	}
	p1_msgid_add(p1, h->msgid);
	p1->last_rx_ms = enow(e);
	for (unsigned i = 1; i < m->npayloads; i++) {
		pl = &m->pl[i];
		if (pl->type == IKE_PL_D) {
			delete_input(e, p1, &pl->u.d, &drop_p1);
			continue;
		}
		if (pl->type != IKE_PL_N)
			continue;
		switch (pl->u.n.type) {
		case IKE_N_R_U_THERE:
		case IKE_N_R_U_THERE_ACK: {
			const uint8_t *d = pl->u.n.data;
			uint32_t seq;

			if (pl->u.n.data_len != 4) {
				elog(e, t, KIPSECD_LOG_INFO, D_DROP, "DPD notification",
				     "sequence number is not 4 bytes");
				break;
			}
			seq = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
			      (uint32_t)d[2] << 8 | d[3];
			if (pl->u.n.type == IKE_N_R_U_THERE_ACK) {
				dpd_ack(e, p1, seq);
			} else {
				uint8_t spi[16];
				uint8_t sd[4] = { d[0], d[1], d[2], d[3] };

				p1->dpd_peer_seq = seq;
				memcpy(spi, p1->icky, 8);
				memcpy(spi + 8, p1->rcky, 8);
				info_send_notify(e, p1, IKE_PROTO_ISAKMP, spi, 16,
						 IKE_N_R_U_THERE_ACK, sd, 4);
			}
			break;
		}
		case IKE_N_INITIAL_CONTACT:
			initial_contact(e, p1);
			break;
		case IKE_N_NO_PROPOSAL_CHOSEN:
		case IKE_N_INVALID_ID_INFORMATION:
		case IKE_N_INVALID_HASH_INFORMATION:
		case IKE_N_AUTHENTICATION_FAILED:
		case IKE_N_INVALID_KEY_INFORMATION:
		case IKE_N_PAYLOAD_MALFORMED:
		case IKE_N_ATTRIBUTES_NOT_SUPPORTED:
			qm_peer_error(e, p1, pl->u.n.type, pl->u.n.spi, pl->u.n.spi_len);
			break;
		default:
			elog(e, t, pl->u.n.type < 16384 ? KIPSECD_LOG_WARNING : KIPSECD_LOG_INFO,
			     D_INFO_NOTIFY, notify_name(pl->u.n.type, name, sizeof(name)), "");
			break;
		}
	}
	if (drop_p1)
		p1_unlink_free(p1);
out:
	free(m);
}
