// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the IKE hooks (ike_hooks.h) on the IKEv1 engine (engine.h).
 *
 * This file is the daemon's side of struct ike_env: datagrams go through
 * the IKE sockets (ike_sock.c), timers through the event loop, SPIs and SAs
 * to the module (kernel.c), log lines to log.c with the tunnel's name.
 * After every call into the engine the tunnels' state for status
 * (kipsecd_tunnel_state: state, phase 1, the pair of each proxy ID) is
 * read back from the engine (ike_refresh). Env callbacks never call into
 * the engine: it does not allow re-entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "daemon.h"
#include "engine.h"
#include "ike_hooks.h"
#include "ike_sock.h"
#include "log.h"

/* Soft lifetimes: this share of the hard one, plus up to JITTER more, so
 * that the two ends do not start the same rekey at the same moment. */
#define SOFT_PERMILLE		850
#define SOFT_JITTER_PERMILLE	50

struct ike_timer {
	struct ike_timer *next;
	struct kipsecd_ike *ik;
	ike_timer_id id;
	struct loop_timer *lt;
};

struct kipsecd_ike {
	struct kipsecd *d;
	struct ike_engine *e;
	struct ike_sock *sock;
	uint16_t port;			/* ike-port at the start */
	struct ike_timer *timers;
};

/* A rekey on our own timer, for a module that takes no SA lifetimes. */
struct own_rekey {
	struct own_rekey *next;
	struct ike_tpriv *tp;
	struct loop_timer *lt;
	uint8_t proto;
	uint32_t spi_in;
};

/* ts->priv */
/* The soft lifetimes sa_install chose, by inbound SPI, for status. */
#define SOFT_RING 16

struct ike_tpriv {
	struct kipsecd_ike *ik;
	struct kipsecd_tunnel_state *ts;
	struct {
		uint32_t spi_in;
		uint64_t rekey_at;
	} soft[SOFT_RING];
	unsigned int soft_next;
	struct own_rekey *own;		/* module without lifetimes */
	uint8_t p1_icookie[8], p1_rcookie[8];	/* the phase 1 we saw last */
	struct loop_timer *p1_rekey;
};

static struct kipsecd_tunnel_state *ts_of(struct kipsecd *d,
					  const struct kipsecd_tunnel *t)
{
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; i < d->n_tunnels; i++)
		if (d->tunnels[i] && d->tunnels[i]->cfg == t)
			return d->tunnels[i];
	return NULL;
}

static struct ike_tpriv *tpriv(struct kipsecd_ike *ik,
			       struct kipsecd_tunnel_state *ts)
{
	struct ike_tpriv *tp = ts->priv;

	if (!tp) {
		tp = calloc(1, sizeof(*tp));
		if (!tp)
			return NULL;
		tp->ts = ts;
		ts->priv = tp;
	}
	tp->ik = ik;
	return tp;
}

static void set_tstate(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		       enum kipsecd_tstate s)
{
	if (ts->state == s)
		return;
	log_debug(ts->cfg->name, "state %s -> %s", kipsecd_tstate_name(ts->state),
		  kipsecd_tstate_name(s));
	ts->state = s;
	ts->since = loop_now_ms(d->loop);
}

/* A share of @v between SOFT_PERMILLE and SOFT_PERMILLE + JITTER. */
static uint64_t soft_of(uint64_t v)
{
	uint16_t r = 0;

	if (RAND_bytes((uint8_t *)&r, sizeof(r)) != 1)
		r = 0;
	return v * (SOFT_PERMILLE + r % (SOFT_JITTER_PERMILLE + 1)) / 1000;
}

/* Status: read back from the engine */

static void p1_rekey_fire(struct loop *l, struct loop_timer *lt, void *arg);

static int p2_proposal_index(const struct kipsecd_tunnel *t, const char *name)
{
	char buf[KIPSECD_PROPOSAL_NAME_MAX];
	size_t i;

	for (i = 0; i < t->n_ipsec; i++)
		if (!strcmp(kipsecd_p2_name(&t->ipsec[i], buf, sizeof(buf)), name))
			return (int)i;
	return -1;
}

static int p1_proposal_index(const struct kipsecd_tunnel *t, const char *name)
{
	char buf[KIPSECD_PROPOSAL_NAME_MAX];
	size_t i;

	for (i = 0; i < t->n_ike; i++)
		if (!strcmp(kipsecd_p1_name(&t->ike[i], buf, sizeof(buf)), name))
			return (int)i;
	return -1;
}

static void refresh_tunnel(struct kipsecd_ike *ik, struct kipsecd_tunnel_state *ts)
{
	struct kipsecd *d = ik->d;
	const struct kipsecd_tunnel *t = ts->cfg;
	struct ike_tpriv *tp = tpriv(ik, ts);
	struct ike_tunnel_status st;
	struct ike_child_status cs;
	uint64_t now = loop_now_ms(d->loop);
	size_t i, installed = 0;
	bool *seen;

	if (!tp || ike_engine_status(ik->e, t, &st))
		return;
	/* Phase 1 */
	if (st.phase1 == IKE_P1_ESTABLISHED) {
		if (memcmp(tp->p1_icookie, st.icookie, 8) ||
		    memcmp(tp->p1_rcookie, st.rcookie, 8)) {
			/* A new one: its times, and our rekey before it ends. */
			memcpy(tp->p1_icookie, st.icookie, 8);
			memcpy(tp->p1_rcookie, st.rcookie, 8);
			ts->p1.established = now;
			ts->p1.expires = now + (uint64_t)t->ike_lifetime * 1000;
			loop_timer_cancel(d->loop, tp->p1_rekey);
			tp->p1_rekey = NULL;
			if (st.initiator && t->start != KIPSECD_START_RESPOND_ONLY)
				tp->p1_rekey = loop_timer_add(d->loop,
							      soft_of((uint64_t)t->ike_lifetime * 1000),
							      0, p1_rekey_fire, tp);
		}
		ts->p1.state = 1;
		ts->p1.initiator = st.initiator;
		memcpy(ts->p1.icookie, st.icookie, 8);
		memcpy(ts->p1.rcookie, st.rcookie, 8);
		ts->p1.proposal = p1_proposal_index(t, st.proposal);
	} else {
		if (ts->p1.state) {
			loop_timer_cancel(d->loop, tp->p1_rekey);
			tp->p1_rekey = NULL;
			memset(tp->p1_icookie, 0, 8);
			memset(tp->p1_rcookie, 0, 8);
		}
		ts->p1.state = 0;
		ts->p1.proposal = -1;
		ts->p1.established = ts->p1.expires = 0;
	}
	/*
	 * Phase 2: the newest pair of each proxy ID that is not replaced. A
	 * rekey of ours that is settling (its outbound SA not in yet) does
	 * not count before it carries our traffic: the old pair is shown.
	 */
	seen = calloc(ts->n_p2 ? ts->n_p2 : 1, sizeof(*seen));
	if (!seen)
		return;
	for (i = 0; ike_engine_child_at(ik->e, t, i, &cs); i++) {
		struct kipsecd_p2_state *p;
		uint64_t installed_at;

		if (cs.proxy_index >= ts->n_p2 || cs.rekeyed || cs.settling)
			continue;
		p = &ts->p2[cs.proxy_index];
		installed_at = now > cs.age_ms ? now - cs.age_ms : 0;
		if (seen[cs.proxy_index] && installed_at <= p->installed)
			continue;
		if (!seen[cs.proxy_index])
			installed++;
		seen[cs.proxy_index] = true;
		if (p->spi_in != cs.spi_in) {
			size_t k;

			p->have_counters = false;
			/* What sa_install chose; if it is not known, the middle. */
			p->rekey_at = installed_at + (uint64_t)cs.life_seconds *
				      (SOFT_PERMILLE + SOFT_JITTER_PERMILLE / 2);
			for (k = 0; k < SOFT_RING; k++)
				if (tp->soft[k].spi_in == cs.spi_in)
					p->rekey_at = tp->soft[k].rekey_at;
		}
		p->state = 1;
		p->proto = cs.proto;
		p->spi_in = cs.spi_in;
		p->spi_out = cs.spi_out;
		p->proposal = p2_proposal_index(t, cs.proposal);
		p->installed = installed_at;
		p->expires = installed_at + (uint64_t)cs.life_seconds * 1000;
	}
	for (i = 0; i < ts->n_p2; i++) {
		if (seen[i])
			continue;
		ts->p2[i].state = 0;
		ts->p2[i].spi_in = ts->p2[i].spi_out = 0;
		ts->p2[i].proposal = -1;
		ts->p2[i].installed = ts->p2[i].rekey_at = ts->p2[i].expires = 0;
		ts->p2[i].have_counters = false;
	}
	free(seen);
	/* The tunnel's state: up while every proxy ID has its pair, rekeys
	 * included; connecting while an exchange runs for a missing one. */
	if (ts->n_p2 && installed == ts->n_p2)
		set_tstate(d, ts, KIPSECD_TS_UP);
	else if (st.phase1 == IKE_P1_CONNECTING || st.n_pending)
		set_tstate(d, ts, KIPSECD_TS_CONNECTING);
	else if (installed)
		set_tstate(d, ts, KIPSECD_TS_UP);
	else if (ts->state != KIPSECD_TS_DOWN)
		set_tstate(d, ts, KIPSECD_TS_IDLE);
}

/* After every call into the engine: any tunnel may have changed. */
static void ike_refresh(struct kipsecd_ike *ik)
{
	size_t i;

	for (i = 0; i < ik->d->n_tunnels; i++)
		if (ik->d->tunnels[i])
			refresh_tunnel(ik, ik->d->tunnels[i]);
}

static void p1_rekey_fire(struct loop *l, struct loop_timer *lt, void *arg)
{
	struct ike_tpriv *tp = arg;
	struct kipsecd_ike *ik = tp->ik;

	loop_timer_cancel(l, lt);
	tp->p1_rekey = NULL;
	if (!ik || !ik->e)
		return;
	log_info(tp->ts->cfg->name, "phase 1: rekeying before its lifetime ends");
	ike_engine_rekey_phase1(ik->e, tp->ts->cfg);
	ike_refresh(ik);
}

static int proxy_of_spi(struct kipsecd_ike *ik, const struct kipsecd_tunnel *t,
			uint8_t proto, uint32_t spi);

static void own_rekey_free_all(struct loop *l, struct ike_tpriv *tp)
{
	while (tp->own) {
		struct own_rekey *o = tp->own;

		tp->own = o->next;
		loop_timer_cancel(l, o->lt);
		free(o);
	}
}

static void own_rekey_fire(struct loop *l, struct loop_timer *lt, void *arg)
{
	struct own_rekey *o = arg, **pp;
	struct ike_tpriv *tp = o->tp;
	struct kipsecd_kernel_event ev = {
		.cmd = KIPSEC_CMD_EXPIRE,
		.dir = KIPSEC_DIR_IN,
		.proto = o->proto,
		.spi = o->spi_in,
	};

	for (pp = &tp->own; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	loop_timer_cancel(l, lt);
	free(o);
	if (!tp->ik || !tp->ik->e ||
	    proxy_of_spi(tp->ik, tp->ts->cfg, ev.proto, ev.spi) < 0)
		return;	/* the pair is gone already */
	/* What the module's soft EXPIRE would have started. */
	tp->ts->counters.expires_soft++;
	log_info(tp->ts->cfg->name, "SA %08x in: soft lifetime reached (kipsecd's timer)",
		 ev.spi);
	kipsecd_ike_sa_event(tp->ik->d, tp->ts, &ev);
}

static void own_rekey_add(struct kipsecd_ike *ik, struct ike_tpriv *tp,
			  uint8_t proto, uint32_t spi_in, uint64_t ms)
{
	struct own_rekey *o = calloc(1, sizeof(*o));

	if (!o)
		return;
	o->tp = tp;
	o->proto = proto;
	o->spi_in = spi_in;
	o->lt = loop_timer_add(ik->d->loop, ms, 0, own_rekey_fire, o);
	if (!o->lt) {
		free(o);
		return;
	}
	o->next = tp->own;
	tp->own = o;
}

/* struct ike_env */

static int env_send(void *ctx, const struct kipsecd_tunnel *t,
		    const uint8_t *buf, size_t len)
{
	struct kipsecd_ike *ik = ctx;
	int ret = ike_sock_send(ik->sock, &t->local, &t->remote, ik->port, buf, len);

	if (ret)
		log_debug(t->name, "ike: sending %zu bytes to the peer: %s", len,
			  strerror(-ret));
	return ret;
}

static uint64_t env_now(void *ctx)
{
	struct kipsecd_ike *ik = ctx;

	return loop_now_ms(ik->d->loop);
}

static struct ike_timer *timer_find(struct kipsecd_ike *ik, ike_timer_id id,
				    struct ike_timer ***prev)
{
	struct ike_timer **pp;

	for (pp = &ik->timers; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			if (prev)
				*prev = pp;
			return *pp;
		}
	return NULL;
}

static void timer_unlink(struct kipsecd_ike *ik, struct ike_timer *it)
{
	struct ike_timer **pp;

	if (timer_find(ik, it->id, &pp))
		*pp = it->next;
	loop_timer_cancel(ik->d->loop, it->lt);
	free(it);
}

static void timer_fire(struct loop *l, struct loop_timer *lt, void *arg)
{
	struct ike_timer *it = arg;
	struct kipsecd_ike *ik = it->ik;
	ike_timer_id id = it->id;

	(void)l;
	(void)lt;
	/* Gone before the engine runs: it may arm the same id again. */
	timer_unlink(ik, it);
	ike_engine_timer(ik->e, id);
	ike_refresh(ik);
}

static void env_timer_set(void *ctx, ike_timer_id id, uint64_t ms)
{
	struct kipsecd_ike *ik = ctx;
	struct ike_timer *it = timer_find(ik, id, NULL);

	if (it) {
		loop_timer_rearm(ik->d->loop, it->lt, ms, 0);
		return;
	}
	it = calloc(1, sizeof(*it));
	if (!it) {
		log_err(NULL, "ike: out of memory for a timer");
		return;
	}
	it->ik = ik;
	it->id = id;
	it->lt = loop_timer_add(ik->d->loop, ms, 0, timer_fire, it);
	if (!it->lt) {
		free(it);
		log_err(NULL, "ike: out of memory for a timer");
		return;
	}
	it->next = ik->timers;
	ik->timers = it;
}

static void env_timer_cancel(void *ctx, ike_timer_id id)
{
	struct kipsecd_ike *ik = ctx;
	struct ike_timer *it = timer_find(ik, id, NULL);

	if (it)
		timer_unlink(ik, it);
}

static int env_spi_alloc(void *ctx, const struct kipsecd_tunnel *t,
			 uint8_t proto, uint32_t *spi)
{
	struct kipsecd_ike *ik = ctx;
	struct kipsec_nl_error e;
	char buf[300];

	if (kipsecd_kernel_spi_alloc(ik->d->kernel, t->ifname, proto, spi, &e)) {
		log_err(t->name, "kernel: allocating an SPI on %s: %s", t->ifname,
			kipsec_nl_strerror(&e, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

static int env_sa_install(void *ctx, const struct kipsecd_tunnel *t,
			  const struct ike_child_sa *in,
			  const struct ike_child_sa *out)
{
	struct kipsecd_ike *ik = ctx;
	struct kipsecd_tunnel_state *ts = ts_of(ik->d, t);
	struct kipsecd_sa_pair p;
	struct kipsec_nl_error e;
	uint64_t soft_s, now = loop_now_ms(ik->d->loop);
	char buf[300];
	int ret;

	memset(&p, 0, sizeof(p));
	snprintf(p.ifname, sizeof(p.ifname), "%s", t->ifname);
	p.proto = in->info.proto;
	p.spi_in = in->info.spi;
	p.spi_out = out ? out->info.spi : 0;
	p.algs = in->info;
	p.pid = in->info.pid;
	/* Hard: what was agreed. Soft: 85-90 % of it, for our rekey. */
	p.lifetimes.hard.time = in->life_seconds;
	soft_s = soft_of(in->life_seconds);
	p.lifetimes.soft.time = soft_s ? soft_s : 1;
	if (in->life_kilobytes) {
		p.lifetimes.hard.bytes = in->life_kilobytes * 1024;
		p.lifetimes.soft.bytes = soft_of(in->life_kilobytes * 1024);
	}
	/* A responder's pair comes in two steps: inbound alone, then outbound. */
	ret = kipsecd_kernel_sa_pair_add(ik->d->kernel, &p,
					 in->installed ? NULL : &in->keys,
					 out ? &out->keys : NULL, false, &e);
	explicit_bzero(&p, sizeof(p));
	if (ret) {
		log_err(t->name, "kernel: installing SAs in %08x%s out %08x on %s: %s",
			in->info.spi, in->installed ? " (present)" : "",
			out ? out->info.spi : 0, t->ifname,
			kipsec_nl_strerror(&e, buf, sizeof(buf)));
		if (ts)
			ts->counters.p2_failed++;
		return -1;
	}
	if (!out) {
		log_debug(t->name, "kernel: SA in %08x installed ahead of its pair",
			  in->info.spi);
		return 0;
	}
	log_debug(t->name, "kernel: SAs in %08x out %08x installed, soft lifetime %" PRIu64
		  " s, hard %" PRIu32 " s%s", in->info.spi, out->info.spi,
		  soft_s ? soft_s : 1, in->life_seconds,
		  kipsecd_kernel_lifetimes(ik->d->kernel) ? "" :
		  " (the module takes no lifetimes)");
	if (ts) {
		struct ike_tpriv *tp = tpriv(ik, ts);

		ts->counters.p2_ok++;
		if (in->proxy_index < ts->n_p2 && ts->p2[in->proxy_index].spi_in)
			ts->p2[in->proxy_index].rekeys++;
		if (tp) {
			tp->soft[tp->soft_next].spi_in = in->info.spi;
			tp->soft[tp->soft_next].rekey_at = now + (soft_s ? soft_s : 1) * 1000;
			tp->soft_next = (tp->soft_next + 1) % SOFT_RING;
			if (!kipsecd_kernel_lifetimes(ik->d->kernel))
				own_rekey_add(ik, tp, in->info.proto,
					      in->info.spi, (soft_s ? soft_s : 1) * 1000);
		}
	}
	return 0;
}

static int env_sa_delete(void *ctx, const struct kipsecd_tunnel *t, uint8_t dir,
			 uint8_t proto, uint32_t spi)
{
	struct kipsecd_ike *ik = ctx;
	struct kipsec_nl_error e;
	char buf[300];

	if (!kipsecd_kernel_is_open(ik->d->kernel))
		return 0;	/* nothing was installed */
	if (kipsecd_kernel_sa_del(ik->d->kernel, t->ifname, proto, dir, spi, &e)) {
		log_warn(t->name, "kernel: deleting SA %08x %s on %s: %s", spi,
			 dir == KIPSEC_DIR_IN ? "in" : "out", t->ifname,
			 kipsec_nl_strerror(&e, buf, sizeof(buf)));
		return -1;
	}
	log_debug(t->name, "kernel: SA %08x %s deleted", spi,
		  dir == KIPSEC_DIR_IN ? "in" : "out");
	return 0;
}

static void env_log(void *ctx, const struct kipsecd_tunnel *t,
		    enum kipsecd_log_level level, const char *line)
{
	struct kipsecd_ike *ik = ctx;
	struct kipsecd_tunnel_state *ts = ts_of(ik->d, t);

	log_msg(level, t ? t->name : NULL, "%s", line);
	if (!ts || level != KIPSECD_LOG_ERROR)
		return;
	/* The engine says each failure once, at error level. */
	snprintf(ts->last_error, sizeof(ts->last_error), "%s", line);
	if (!strncmp(line, "phase 1:", 8))
		ts->counters.p1_failed++;
	else if (!strncmp(line, "phase 2:", 8))
		ts->counters.p2_failed++;
}

static void env_phase1_state(void *ctx, const struct kipsecd_tunnel *t, bool up)
{
	struct kipsecd_ike *ik = ctx;
	struct kipsecd_tunnel_state *ts = ts_of(ik->d, t);

	if (ts && up)
		ts->counters.p1_ok++;
}

static void on_datagram(void *arg, const struct kipsec_nl_addr *from,
			uint16_t port, const uint8_t *buf, size_t len)
{
	struct kipsecd_ike *ik = arg;

	ike_engine_input(ik->e, from, port, buf, len);
	ike_refresh(ik);
}

/* The hooks */

int kipsecd_ike_start(struct kipsecd *d, char *err, size_t errlen)
{
	struct kipsecd_ike *ik = calloc(1, sizeof(*ik));
	struct ike_env env = {
		.send = env_send,
		.now_ms = env_now,
		.timer_set = env_timer_set,
		.timer_cancel = env_timer_cancel,
		.spi_alloc = env_spi_alloc,
		.sa_install = env_sa_install,
		.sa_delete = env_sa_delete,
		.log = env_log,
		.phase1_state = env_phase1_state,
	};
	size_t i;

	if (!ik) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ik->d = d;
	ik->port = d->config->global.ike_port;
	env.ctx = ik;
	ik->e = ike_engine_new(&env);
	if (!ik->e) {
		free(ik);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < d->n_tunnels; i++) {
		if (ike_engine_add_tunnel(ik->e, d->tunnels[i]->cfg) ||
		    !tpriv(ik, d->tunnels[i])) {
			ike_engine_free(ik->e);
			free(ik);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (ike_sock_open(&ik->sock, d->loop, ik->port, on_datagram, ik, err, errlen)) {
		ike_engine_free(ik->e);
		free(ik);
		return -1;
	}
	d->ike = ik;
	return 0;
}

void kipsecd_ike_stop(struct kipsecd *d)
{
	struct kipsecd_ike *ik = d->ike;
	size_t i;

	if (!ik)
		return;
	/* Deletes for whatever is left (down ran for every tunnel already). */
	ike_engine_shutdown(ik->e);
	ike_engine_free(ik->e);
	ik->e = NULL;
	while (ik->timers)
		timer_unlink(ik, ik->timers);
	for (i = 0; i < d->n_tunnels; i++) {
		struct ike_tpriv *tp = d->tunnels[i] ? d->tunnels[i]->priv : NULL;

		if (tp) {
			loop_timer_cancel(d->loop, tp->p1_rekey);
			tp->p1_rekey = NULL;
			own_rekey_free_all(d->loop, tp);
			tp->ik = NULL;
		}
	}
	ike_sock_close(ik->sock);
	free(ik);
	d->ike = NULL;
}

int kipsecd_ike_up(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		   const struct kipsec_proxy_id *trigger, char *err,
		   size_t errlen)
{
	struct kipsecd_ike *ik = d->ike;
	const struct kipsecd_tunnel *t = ts->cfg;
	int ret, idx = -1;

	if (!ik) {
		snprintf(err, errlen, "IKE is not running");
		return -1;
	}
	if (!kipsecd_kernel_is_open(d->kernel)) {
		snprintf(err, errlen, "the kipsec module is not connected (%s): no SAs can be installed",
			 d->kernel_error[0] ? d->kernel_error : "not open");
		return -1;
	}
	if (!ts->kernel_set) {
		snprintf(err, errlen, "%s", ts->kernel_error);
		return -1;
	}
	if (t->start == KIPSECD_START_RESPOND_ONLY) {
		snprintf(err, errlen, "start = respond-only: this end does not initiate");
		return -1;
	}
	if (trigger) {
		char buf[256];
		struct kipsecd_proxy_id tmp = { .pid = *trigger };

		idx = kipsecd_proxy_id_match(t, trigger);
		if (idx < 0) {
			log_debug(t->name, "acquire for %s: no proxy-id contains it, ignored",
				  kipsecd_proxy_id_str(&tmp, buf, sizeof(buf)));
			return 0;
		}
	}
	ret = idx >= 0 ? ike_engine_up_proxy(ik->e, t, (size_t)idx) :
			 ike_engine_up(ik->e, t);
	ike_refresh(ik);
	if (ret) {
		snprintf(err, errlen, "the negotiation did not start (see the log)");
		return -1;
	}
	return 0;
}

int kipsecd_ike_down(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		     const char *why, char *err, size_t errlen)
{
	struct kipsecd_ike *ik = d->ike;

	(void)err;
	(void)errlen;
	if (!ik)
		return 0;	/* nothing to take down */
	log_debug(ts->cfg->name, "ike: down (%s): deleting SAs", why);
	ike_engine_down(ik->e, ts->cfg);
	ike_refresh(ik);
	return 0;
}

/* Whether the pair of @spi was replaced by a newer one (the peer's rekey):
 * its soft expiry is then no reason to rekey again. */
static bool pair_superseded(struct kipsecd_ike *ik, const struct kipsecd_tunnel *t,
			    uint8_t proto, uint32_t spi)
{
	struct ike_child_status cs, o;
	size_t i, j;

	for (i = 0; ike_engine_child_at(ik->e, t, i, &cs); i++) {
		if (cs.proto != proto || (cs.spi_in != spi && cs.spi_out != spi))
			continue;
		if (cs.rekeyed)
			return true;
		for (j = 0; ike_engine_child_at(ik->e, t, j, &o); j++)
			if (j != i && o.proxy_index == cs.proxy_index && !o.rekeyed &&
			    o.age_ms < cs.age_ms)
				return true;
		return false;
	}
	return false;
}

static int proxy_of_spi(struct kipsecd_ike *ik, const struct kipsecd_tunnel *t,
			uint8_t proto, uint32_t spi)
{
	struct ike_child_status cs;
	size_t i;

	for (i = 0; ike_engine_child_at(ik->e, t, i, &cs); i++)
		if (cs.proto == proto && (cs.spi_in == spi || cs.spi_out == spi))
			return (int)cs.proxy_index;
	return -1;
}

/* An event without its protocol (older modules): the pair's, by SPI. */
static uint8_t event_proto(struct kipsecd_ike *ik, const struct kipsecd_tunnel *t,
			   const struct kipsecd_kernel_event *ev)
{
	struct ike_child_status cs;
	size_t i;

	if (ev->proto)
		return ev->proto;
	for (i = 0; ike_engine_child_at(ik->e, t, i, &cs); i++)
		if (cs.spi_in == ev->spi || cs.spi_out == ev->spi)
			return cs.proto;
	return IPPROTO_ESP;
}

void kipsecd_ike_sa_event(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			  const struct kipsecd_kernel_event *event)
{
	struct kipsecd_ike *ik = d->ike;
	const struct kipsecd_tunnel *t = ts->cfg;
	struct kipsecd_kernel_event evc, *ev = &evc;
	int pidx;

	if (!ik || !ik->e)
		return;
	evc = *event;
	evc.proto = event_proto(ik, t, event);
	if (ev->cmd == KIPSEC_CMD_EXPIRE && ev->hard) {
		pidx = proxy_of_spi(ik, t, ev->proto, ev->spi);
		if (ike_engine_sa_expired(ik->e, t, ev->proto, ev->spi)) {
			log_debug(t->name, "hard expiry of SA %08x: no pair of ours (deleted already)",
				  ev->spi);
		} else if (pidx >= 0 && t->start == KIPSECD_START_IMMEDIATELY &&
			   ts->state != KIPSECD_TS_DOWN) {
			/* Not rekeyed in time: negotiate it afresh. */
			ike_engine_up_proxy(ik->e, t, (size_t)pidx);
		}
		/* start = on-traffic: the next ACQUIRE brings it up again. */
		ike_refresh(ik);
		return;
	}
	/* Soft expiry or sequence numbers running out: rekey. */
	if (pair_superseded(ik, t, ev->proto, ev->spi)) {
		log_debug(t->name, "SA %08x: its pair was replaced already, no rekey",
			  ev->spi);
		return;
	}
	if (ev->cmd == KIPSEC_CMD_EXPIRE && t->start == KIPSECD_START_RESPOND_ONLY) {
		log_debug(t->name, "SA %08x: soft lifetime reached; start = respond-only leaves the rekey to the peer",
			  ev->spi);
		return;
	}
	if (ike_engine_rekey_spi(ik->e, t, ev->proto, ev->spi))
		log_debug(t->name, "SA %08x: no pair of ours, no rekey", ev->spi);
	else
		log_info(t->name, "phase 2: rekeying the pair of SA %08x", ev->spi);
	ike_refresh(ik);
}

struct spi_seen {
	uint32_t *spis;
	size_t n, max;
};

static int collect_spi(const struct kipsec_sa_info *sa, void *arg)
{
	struct spi_seen *s = arg;

	if (s->n < s->max)
		s->spis[s->n++] = sa->spi;
	return 0;
}

static bool spi_in(const struct spi_seen *s, uint32_t spi)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->spis[i] == spi)
			return true;
	return false;
}

void kipsecd_ike_resync(struct kipsecd *d, struct kipsecd_tunnel_state *ts)
{
	struct kipsecd_ike *ik = d->ike;
	struct ike_child_status cs;
	struct kipsec_nl_error e;
	struct spi_seen s = { 0 };
	uint32_t gone[64];
	uint8_t gone_proto[64];
	size_t i, n = 0;

	if (!ik || !kipsecd_kernel_is_open(d->kernel))
		return;
	s.max = 4096;
	s.spis = calloc(s.max, sizeof(*s.spis));
	if (!s.spis)
		return;
	if (kipsecd_kernel_sa_dump(d->kernel, ts->cfg->ifname, collect_spi, &s, &e)) {
		free(s.spis);
		return;
	}
	/*
	 * Pairs the module lost (their hard EXPIRE was among the lost events);
	 * a settling pair has no outbound SA yet.
	 */
	for (i = 0; ike_engine_child_at(ik->e, ts->cfg, i, &cs) && n < 64; i++)
		if (!spi_in(&s, cs.spi_in) || (!cs.settling && !spi_in(&s, cs.spi_out))) {
			gone[n] = cs.spi_in;
			gone_proto[n++] = cs.proto;
		}
	free(s.spis);
	for (i = 0; i < n; i++) {
		log_info(ts->cfg->name, "resync: the pair of SA %08x is not in the module any more",
			 gone[i]);
		ike_engine_sa_expired(ik->e, ts->cfg, gone_proto[i], gone[i]);
	}
	if (n)
		ike_refresh(ik);
}

void kipsecd_ike_tunnel_config(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			       const struct kipsecd_tunnel *old, bool changed)
{
	struct kipsecd_ike *ik = d->ike;

	if (!ik)
		return;
	if (old && !changed) {
		ike_engine_replace_tunnel(ik->e, old, ts->cfg);
		return;
	}
	if (old)
		ike_engine_remove_tunnel(ik->e, old);
	if (ike_engine_add_tunnel(ik->e, ts->cfg) || !tpriv(ik, ts))
		log_err(ts->cfg->name, "ike: out of memory; the tunnel cannot negotiate");
	ike_refresh(ik);
}

static int count_sa(const struct kipsec_sa_info *sa, void *arg)
{
	struct kipsecd_tunnel_state *ts = arg;
	size_t i;

	if (!sa->has_stats)
		return 0;
	for (i = 0; i < ts->n_p2; i++) {
		struct kipsecd_p2_state *p = &ts->p2[i];

		if (sa->dir == KIPSEC_DIR_IN && p->spi_in == sa->spi) {
			p->have_counters = true;
			p->packets_in = sa->stats.packets;
			p->bytes_in = sa->stats.bytes;
		} else if (sa->dir == KIPSEC_DIR_OUT && p->spi_out == sa->spi) {
			p->have_counters = true;
			p->packets_out = sa->stats.packets;
			p->bytes_out = sa->stats.bytes;
		}
	}
	return 0;
}

void kipsecd_ike_counters(struct kipsecd *d, struct kipsecd_tunnel_state *ts)
{
	struct kipsec_nl_error e;

	if (!d->ike || !kipsecd_kernel_is_open(d->kernel))
		return;
	ike_refresh(d->ike);
	kipsecd_kernel_sa_dump(d->kernel, ts->cfg->ifname, count_sa, ts, &e);
}

void kipsecd_ike_tunnel_free(struct kipsecd *d,
			     struct kipsecd_tunnel_state *ts)
{
	struct ike_tpriv *tp = ts->priv;

	if (d->ike && d->ike->e)
		ike_engine_remove_tunnel(d->ike->e, ts->cfg);
	if (tp) {
		loop_timer_cancel(d->loop, tp->p1_rekey);
		own_rekey_free_all(d->loop, tp);
		free(tp);
	}
	ts->priv = NULL;
}
