// SPDX-License-Identifier: GPL-2.0
/*
 * The IKEv1 engine, end to end: two engines, an initiator and a responder,
 * joined in memory through their struct ike_env. The "network" is a queue
 * of datagrams the test delivers, drops, duplicates or corrupts; the clock
 * and the timers are simulated; SA installs, deletes and log lines are
 * recorded so the tests can compare both sides' keys and assert the exact
 * diagnostics.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsecd/engine.h"
#include "../../userland/kipsecd/ike.h"

#define MAX_TIMERS 256
#define MAX_SAS 32
#define MAX_LOGS 256
#define MAX_PKTS 512

struct net;

struct side {
	const char *name;
	int idx;
	struct net *net;
	struct ike_engine *e;
	struct kipsecd_tunnel t;
	struct kipsecd_proxy_id pids[4];
	uint8_t psk[64];
	struct { ike_timer_id id; uint64_t at; bool armed; } timers[MAX_TIMERS];
	struct ike_child_sa in[MAX_SAS], out[MAX_SAS];
	int ninst;
	uint64_t inst_at[MAX_SAS];	/* the clock when pair i went in */
	/*
	 * Inbound SAs put in ahead of their pair (a responder before QM2, the
	 * initiator of a rekey before QM3), pair not complete yet.
	 */
	struct ike_child_sa early[MAX_SAS];
	int nearly;
	/*
	 * This side's inbound SAs receive only once their pair is complete,
	 * as when strongSwan's charon answers a Quick Mode: it installs its
	 * SAs while it processes QM3.
	 */
	bool late_inbound;
	struct { uint8_t dir, proto; uint32_t spi; } dels[MAX_SAS * 2];
	int ndel;
	char logs[MAX_LOGS][1024];
	int nlogs;
	uint32_t next_spi;
	int nsent;
	uint8_t *last_sent;
	size_t last_len;
};

struct pkt {
	int to;
	uint8_t *buf;
	size_t len;
};

struct net {
	uint64_t now;
	struct side s[2];
	struct pkt q[MAX_PKTS];
	int n;
	bool blackhole[2];	/* drop everything sent to side i */
	bool lifo;		/* deliver the newest packet first */
};

/* env */

static int env_send(void *ctx, const struct kipsecd_tunnel *t, const uint8_t *buf,
		    size_t len)
{
	struct side *s = ctx;
	struct net *n = s->net;
	struct pkt *p;

	(void)t;
	s->nsent++;
	free(s->last_sent);
	s->last_sent = malloc(len);
	memcpy(s->last_sent, buf, len);
	s->last_len = len;
	if (n->blackhole[!s->idx])
		return 0;
	assert_true(n->n < MAX_PKTS);
	p = &n->q[n->n++];
	p->to = !s->idx;
	p->buf = malloc(len);
	memcpy(p->buf, buf, len);
	p->len = len;
	return 0;
}

static uint64_t env_now(void *ctx)
{
	return ((struct side *)ctx)->net->now;
}

static void env_timer_set(void *ctx, ike_timer_id id, uint64_t ms)
{
	struct side *s = ctx;
	int freei = -1;

	for (int i = 0; i < MAX_TIMERS; i++) {
		if (s->timers[i].armed && s->timers[i].id == id) {
			s->timers[i].at = s->net->now + ms;
			return;
		}
		if (!s->timers[i].armed && freei < 0)
			freei = i;
	}
	assert_true(freei >= 0);
	s->timers[freei].id = id;
	s->timers[freei].at = s->net->now + ms;
	s->timers[freei].armed = true;
}

static void env_timer_cancel(void *ctx, ike_timer_id id)
{
	struct side *s = ctx;

	for (int i = 0; i < MAX_TIMERS; i++)
		if (s->timers[i].armed && s->timers[i].id == id)
			s->timers[i].armed = false;
}

static int env_spi_alloc(void *ctx, const struct kipsecd_tunnel *t, uint8_t proto,
			 uint32_t *spi)
{
	struct side *s = ctx;

	(void)t;
	(void)proto;
	*spi = s->next_spi++;
	return 0;
}

static int early_find(const struct side *s, uint32_t spi)
{
	for (int i = 0; i < s->nearly; i++)
		if (s->early[i].info.spi == spi)
			return i;
	return -1;
}

static void early_drop(struct side *s, int i)
{
	s->early[i] = s->early[--s->nearly];
}

static bool keys_equal(const struct ike_child_sa *a, const struct ike_child_sa *b);
static bool deleted(const struct side *s, uint8_t dir, uint32_t spi);

/* The peer's kernel takes packets for @spi: its inbound SA is in and live. */
static bool can_receive(const struct side *s, uint32_t spi)
{
	if (!s->late_inbound && early_find(s, spi) >= 0)
		return true;
	for (int i = 0; i < s->ninst; i++)
		if (s->in[i].info.spi == spi && !deleted(s, KIPSEC_DIR_IN, spi))
			return true;
	return false;
}

/* An outbound SA of this side still carries traffic for the proxy ID. */
static bool has_live_out(const struct side *s, size_t pidx)
{
	for (int i = 0; i < s->ninst; i++)
		if (s->out[i].proxy_index == pidx &&
		    !deleted(s, KIPSEC_DIR_OUT, s->out[i].info.spi))
			return true;
	return false;
}

/*
 * Also checks make-before-break: an inbound SA goes in alone ahead of its
 * pair (the responder before QM2, the initiator of a rekey before QM3),
 * and nobody installs an outbound SA the peer cannot receive on yet. The
 * only exception is a peer that installs late (late_inbound) and a first
 * pair: the new outbound SA takes no traffic from an older one.
 */
static int env_sa_install(void *ctx, const struct kipsecd_tunnel *t,
			  const struct ike_child_sa *in, const struct ike_child_sa *out)
{
	struct side *s = ctx, *peer = &s->net->s[!s->idx];
	int i;

	(void)t;
	if (!out) {
		assert_false(in->installed);
		assert_int_equal(in->info.dir, KIPSEC_DIR_IN);
		assert_int_equal(early_find(s, in->info.spi), -1);
		assert_true(s->nearly < MAX_SAS);
		s->early[s->nearly++] = *in;
		return 0;
	}
	if (in->installed) {
		/* the pair started earlier is completed */
		i = early_find(s, in->info.spi);
		assert_true(i >= 0);
		assert_true(keys_equal(&s->early[i], in));
		early_drop(s, i);
	}
	assert_int_equal(out->info.dir, KIPSEC_DIR_OUT);
	if (!can_receive(peer, out->info.spi)) {
		if (!peer->late_inbound || has_live_out(s, in->proxy_index))
			fail_msg("%s: outbound SA %08x installed before the peer can receive "
				 "on it%s", s->name, out->info.spi,
				 peer->late_inbound ? ", while an older one carried the traffic" : "");
	}
	assert_true(s->ninst < MAX_SAS);
	s->in[s->ninst] = *in;
	s->out[s->ninst] = *out;
	s->inst_at[s->ninst] = s->net->now;
	s->ninst++;
	return 0;
}

static int env_sa_delete(void *ctx, const struct kipsecd_tunnel *t, uint8_t dir,
			 uint8_t proto, uint32_t spi)
{
	struct side *s = ctx;

	(void)t;
	if (dir == KIPSEC_DIR_IN && early_find(s, spi) >= 0)
		early_drop(s, early_find(s, spi));
	assert_true(s->ndel < MAX_SAS * 2);
	s->dels[s->ndel].dir = dir;
	s->dels[s->ndel].proto = proto;
	s->dels[s->ndel].spi = spi;
	s->ndel++;
	return 0;
}

static void env_log(void *ctx, const struct kipsecd_tunnel *t,
		    enum kipsecd_log_level level, const char *line)
{
	struct side *s = ctx;

	(void)t;
	if (getenv("ENGINE_TEST_VERBOSE"))
		fprintf(stderr, "[%s %d] %s\n", s->name, level, line);
	if (s->nlogs < MAX_LOGS)
		snprintf(s->logs[s->nlogs++], sizeof(s->logs[0]), "%s", line);
}

/* setup */

static void addr4(struct kipsec_nl_addr *a, const char *txt)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, txt, &a->ip4), 1);
}

static void set_proxy(struct side *s, int i, const char *local, int llen,
		      const char *remote, int rlen, uint8_t proto)
{
	struct kipsecd_proxy_id *p = &s->pids[i];

	memset(p, 0, sizeof(*p));
	addr4(&p->pid.local.addr, local);
	p->pid.local.len = (uint8_t)llen;
	addr4(&p->pid.remote.addr, remote);
	p->pid.remote.len = (uint8_t)rlen;
	p->pid.proto = proto;
	p->pid.lport_max = p->pid.rport_max = 65535;
	p->local_type = llen == 32 ? KIPSECD_ID_IPV4_ADDR : KIPSECD_ID_IPV4_ADDR_SUBNET;
	p->remote_type = rlen == 32 ? KIPSECD_ID_IPV4_ADDR : KIPSECD_ID_IPV4_ADDR_SUBNET;
	if ((size_t)i + 1 > s->t.n_proxy_ids)
		s->t.n_proxy_ids = (size_t)i + 1;
	s->t.proxy_ids = s->pids;
}

static void set_ike(struct side *s, const char *ike)
{
	char err[256];

	if (kipsecd_p1_parse_list(ike, s->t.ike, &s->t.n_ike, err, sizeof(err)))
		fail_msg("%s", err);
}

static void set_ipsec(struct side *s, const char *ipsec)
{
	char err[256];

	if (kipsecd_p2_parse_list(ipsec, s->t.ipsec, &s->t.n_ipsec, err, sizeof(err)))
		fail_msg("%s", err);
}

static void set_psk(struct side *s, const char *psk)
{
	s->t.psk_len = strlen(psk);
	memcpy(s->psk, psk, s->t.psk_len);
	s->t.psk = s->psk;
}

static void side_init(struct net *n, int idx)
{
	struct side *s = &n->s[idx];

	memset(s, 0, sizeof(*s));
	s->idx = idx;
	s->net = n;
	s->name = idx ? "resp" : "init";
	s->next_spi = idx ? 0xd0000001 : 0xc0000001;
	snprintf(s->t.name, sizeof(s->t.name), "%s", idx ? "site-b" : "site-a");
	addr4(&s->t.local, idx ? "192.0.2.2" : "192.0.2.1");
	addr4(&s->t.remote, idx ? "192.0.2.1" : "192.0.2.2");
	s->t.mode = KIPSECD_MODE_MAIN;
	s->t.local_id.from_address = true;
	s->t.local_id.type = KIPSECD_ID_IPV4_ADDR;
	s->t.remote_id.from_address = true;
	s->t.remote_id.type = KIPSECD_ID_IPV4_ADDR;
	set_psk(s, "correct horse battery staple");
	set_ike(s, "aes256-sha256-modp2048, aes128-sha1-modp2048");
	s->t.ike_lifetime = 28800;
	set_ipsec(s, "nopfs-esp-aes256-sha256, nopfs-esp-aes128-sha");
	s->t.ipsec_lifetime = 3600;
	s->t.replay_window = 64;
	s->t.dpd_retries = 5;
	if (idx)
		set_proxy(s, 0, "10.2.0.0", 24, "10.1.0.0", 24, 0);
	else
		set_proxy(s, 0, "10.1.0.0", 24, "10.2.0.0", 24, 0);
}

static struct net *net_new(void)
{
	struct net *n = calloc(1, sizeof(*n));

	side_init(n, 0);
	side_init(n, 1);
	return n;
}

static void net_start(struct net *n)
{
	for (int i = 0; i < 2; i++) {
		struct side *s = &n->s[i];
		struct ike_env env = {
			.ctx = s, .send = env_send, .now_ms = env_now,
			.timer_set = env_timer_set, .timer_cancel = env_timer_cancel,
			.spi_alloc = env_spi_alloc, .sa_install = env_sa_install,
			.sa_delete = env_sa_delete, .log = env_log,
		};

		s->e = ike_engine_new(&env);
		assert_non_null(s->e);
		assert_int_equal(ike_engine_add_tunnel(s->e, &s->t), 0);
	}
}

static void net_free(struct net *n)
{
	for (int i = 0; i < 2; i++) {
		ike_engine_free(n->s[i].e);
		free(n->s[i].last_sent);
	}
	for (int i = 0; i < n->n; i++)
		free(n->q[i].buf);
	free(n);
}

/* Takes the first queued packet; the caller frees buf. */
static struct pkt pop(struct net *n)
{
	struct pkt p;

	assert_true(n->n > 0);
	if (n->lifo)
		return n->q[--n->n];
	p = n->q[0];
	memmove(n->q, n->q + 1, (size_t)(n->n - 1) * sizeof(n->q[0]));
	n->n--;
	return p;
}

static void deliver_pkt(struct net *n, const struct pkt *p)
{
	struct side *to = &n->s[p->to];

	ike_engine_input(to->e, &to->t.remote, 500, p->buf, p->len);
}

/* One packet: delivered. */
static void step(struct net *n)
{
	struct pkt p = pop(n);

	deliver_pkt(n, &p);
	free(p.buf);
}

static void drop(struct net *n)
{
	struct pkt p = pop(n);

	free(p.buf);
}

static void run(struct net *n)
{
	for (int i = 0; n->n && i < 1000; i++)
		step(n);
	assert_int_equal(n->n, 0);
}

/* Advance the clock, firing due timers in time order. */
static void advance(struct net *n, uint64_t ms)
{
	uint64_t end = n->now + ms;

	for (;;) {
		int bs = -1, bi = -1;
		uint64_t best = end + 1;

		for (int s = 0; s < 2; s++)
			for (int i = 0; i < MAX_TIMERS; i++)
				if (n->s[s].timers[i].armed && n->s[s].timers[i].at < best) {
					best = n->s[s].timers[i].at;
					bs = s;
					bi = i;
				}
		if (bs < 0)
			break;
		if (best > n->now)
			n->now = best;
		n->s[bs].timers[bi].armed = false;
		ike_engine_timer(n->s[bs].e, n->s[bs].timers[bi].id);
	}
	n->now = end;
}

static bool has_log(const struct side *s, const char *line)
{
	for (int i = 0; i < s->nlogs; i++)
		if (!strcmp(s->logs[i], line))
			return true;
	return false;
}

static bool has_log_prefix(const struct side *s, const char *prefix)
{
	for (int i = 0; i < s->nlogs; i++)
		if (!strncmp(s->logs[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static void dump_logs(const struct side *s)
{
	for (int i = 0; i < s->nlogs; i++)
		fprintf(stderr, "  %s: %s\n", s->name, s->logs[i]);
}

static void assert_log(const struct side *s, const char *line)
{
	if (!has_log(s, line)) {
		dump_logs(s);
		fail_msg("%s has no log line \"%s\"", s->name, line);
	}
}

static void assert_log_prefix(const struct side *s, const char *prefix)
{
	if (!has_log_prefix(s, prefix)) {
		dump_logs(s);
		fail_msg("%s has no log line starting \"%s\"", s->name, prefix);
	}
}

static bool keys_equal(const struct ike_child_sa *a, const struct ike_child_sa *b)
{
	return a->keys.aead_len == b->keys.aead_len &&
	       a->keys.enc_len == b->keys.enc_len &&
	       a->keys.auth_len == b->keys.auth_len &&
	       !memcmp(a->keys.aead, b->keys.aead, a->keys.aead_len) &&
	       !memcmp(a->keys.enc, b->keys.enc, a->keys.enc_len) &&
	       !memcmp(a->keys.auth, b->keys.auth, a->keys.auth_len);
}

static bool prefix_equal(const struct kipsec_nl_prefix *a, const struct kipsec_nl_prefix *b)
{
	return a->len == b->len && a->addr.family == b->addr.family &&
	       a->addr.ip4.s_addr == b->addr.ip4.s_addr;
}

/* Pair i of the initiator against pair j of the responder. */
static void assert_pair_matches(struct net *n, int i, int j)
{
	struct side *I = &n->s[0], *R = &n->s[1];

	assert_int_equal(I->out[i].info.spi, R->in[j].info.spi);
	assert_int_equal(I->in[i].info.spi, R->out[j].info.spi);
	assert_int_equal(I->in[i].info.dir, KIPSEC_DIR_IN);
	assert_int_equal(I->out[i].info.dir, KIPSEC_DIR_OUT);
	assert_int_equal(R->in[j].info.dir, KIPSEC_DIR_IN);
	assert_true(keys_equal(&I->out[i], &R->in[j]));
	assert_true(keys_equal(&I->in[i], &R->out[j]));
	/* the two directions never share keys */
	assert_false(keys_equal(&I->in[i], &I->out[i]));
	assert_int_equal(I->in[i].info.proto, R->in[j].info.proto);
	assert_int_equal(I->in[i].info.enc_alg, R->in[j].info.enc_alg);
	assert_int_equal(I->in[i].info.auth_alg, R->in[j].info.auth_alg);
	assert_int_equal(I->in[i].info.aead_alg, R->in[j].info.aead_alg);
	assert_true(I->in[i].info.has_proxy_id && R->in[j].info.has_proxy_id);
	/* each side's proxy ID from its own point of view: mirrored */
	assert_true(prefix_equal(&I->in[i].info.pid.local, &R->in[j].info.pid.remote));
	assert_true(prefix_equal(&I->in[i].info.pid.remote, &R->in[j].info.pid.local));
	assert_true(prefix_equal(&I->out[i].info.pid.local, &I->in[i].info.pid.local));
	assert_true(I->in[i].info.has_replay_window);
	assert_int_equal(I->in[i].info.replay_window, 64);
	assert_int_equal(I->in[i].life_seconds, R->in[j].life_seconds);
	assert_int_equal(I->in[i].proxy_index, R->in[j].proxy_index);
}

/* Main Mode + Quick Mode, one proxy ID, no PFS; the responder's first choice differs. */
static void test_main_quick_nopfs(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;

	(void)state;
	/* the responder prefers AES-128 but takes the first of the initiator's it accepts */
	set_ike(&n->s[1], "aes128-sha1-modp2048, aes256-sha256-modp2048");
	set_ipsec(&n->s[1], "nopfs-esp-aes128-sha, nopfs-esp-aes256-sha256");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	assert_int_equal(n->s[0].in[0].info.enc_alg, KIPSEC_ENC_AES_CBC);
	assert_int_equal(n->s[0].in[0].keys.enc_len, 32);
	assert_int_equal(n->s[0].in[0].keys.auth_len, 32);
	assert_int_equal(n->s[0].in[0].info.spi, 0xc0000001);
	assert_int_equal(n->s[1].in[0].info.spi, 0xd0000001);
	assert_log(&n->s[0], "phase 1: established (main mode, aes256-sha256-modp2048, "
		   "initiator, lifetime 28800s, DPD off)");
	assert_log(&n->s[1], "phase 2: SA pair installed for 10.2.0.0/24 <-> 10.1.0.0/24: "
		   "nopfs-esp-aes256-sha256, in esp/d0000001 out esp/c0000001, lifetime 3600s");
	assert_int_equal(ike_engine_status(n->s[0].e, &n->s[0].t, &st), 0);
	assert_int_equal(st.phase1, IKE_P1_ESTABLISHED);
	assert_string_equal(st.proposal, "aes256-sha256-modp2048");
	assert_int_equal(st.n_children, 1);
	assert_int_equal(st.n_pending, 0);
	assert_true(st.peer_dpd);
	/* nothing left to retransmit: all exchanges answered */
	advance(n, 120000);
	assert_int_equal(n->n, 0);
	assert_int_equal(n->s[0].ninst, 1);
	net_free(n);
}

/* PFS, several proposals; the responder accepts only the second (AEAD) one. */
static void test_main_quick_pfs(void **state)
{
	static const char *const groups[] = { "g14", "g19", "g31" };

	(void)state;
	for (size_t g = 0; g < 3; g++) {
		struct net *n = net_new();
		char a[160], b[160];

		snprintf(a, sizeof(a), "%s-esp-aes256-sha256, %s-esp-aes128gcm16, %s-ah-sha256",
			 groups[g], groups[g], groups[g]);
		snprintf(b, sizeof(b), "%s-esp-aes128gcm16", groups[g]);
		set_ipsec(&n->s[0], a);
		set_ipsec(&n->s[1], b);
		set_ike(&n->s[0], "aes128-sha256-ecp256, 3des-sha1-modp1024");
		set_ike(&n->s[1], "3des-sha1-modp1024, aes128-sha256-ecp256");
		net_start(n);
		assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
		run(n);
		assert_int_equal(n->s[0].ninst, 1);
		assert_int_equal(n->s[1].ninst, 1);
		assert_pair_matches(n, 0, 0);
		assert_int_equal(n->s[0].in[0].info.aead_alg, KIPSEC_AEAD_AES_GCM);
		assert_int_equal(n->s[0].in[0].keys.aead_len, 16 + 4);
		assert_int_equal(n->s[0].in[0].keys.enc_len, 0);
		assert_int_equal(n->s[0].in[0].info.flags, 0);
		assert_int_equal(n->s[0].out[0].info.flags, 0);
		assert_ptr_equal(n->s[0].in[0].proposal, &n->s[0].t.ipsec[1]);
		net_free(n);
	}
}

/* AH only, and the kilobyte lifetime lowered by the responder. AH SAs are
 * 4-byte aligned unless "ah-align = 8" (gwB here).
 */
static void test_quick_ah_responder_lifetime(void **state)
{
	struct net *n = net_new();

	(void)state;
	set_ipsec(&n->s[0], "nopfs-ah-sha256");
	set_ipsec(&n->s[1], "nopfs-ah-sha256");
	n->s[1].t.ipsec_lifetime = 1800;
	n->s[1].t.ipsec_lifetime_kb = 1000;
	n->s[1].t.ah_align8 = true;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_pair_matches(n, 0, 0);
	assert_int_equal(n->s[0].in[0].info.proto, IPPROTO_AH);
	assert_int_equal(n->s[0].in[0].keys.auth_len, 32);
	assert_int_equal(n->s[0].in[0].info.flags, KIPSEC_SA_F_AH_ALIGN4);
	assert_int_equal(n->s[0].out[0].info.flags, KIPSEC_SA_F_AH_ALIGN4);
	assert_int_equal(n->s[1].in[0].info.flags, 0);
	assert_int_equal(n->s[1].out[0].info.flags, 0);
	assert_int_equal(n->s[0].in[0].life_seconds, 1800);
	assert_int_equal(n->s[0].in[0].life_kilobytes, 1000);
	assert_int_equal(n->s[1].in[0].life_kilobytes, 1000);
	assert_log(&n->s[0], "phase 2: peer lowered the lifetime to 1800s and 1000kB "
		   "(RESPONDER-LIFETIME)");
	net_free(n);
}

static void test_aggressive(void **state)
{
	struct net *n = net_new();

	(void)state;
	for (int i = 0; i < 2; i++) {
		n->s[i].t.mode = KIPSECD_MODE_AGGRESSIVE;
		n->s[i].t.local_id.from_address = false;
		n->s[i].t.local_id.type = KIPSECD_ID_FQDN;
		snprintf(n->s[i].t.local_id.name, sizeof(n->s[i].t.local_id.name),
			 "%s.example.net", i ? "b" : "a");
		n->s[i].t.remote_id.from_address = false;
		n->s[i].t.remote_id.type = i ? KIPSECD_ID_FQDN : KIPSECD_ID_USER_FQDN;
		snprintf(n->s[i].t.remote_id.name, sizeof(n->s[i].t.remote_id.name),
			 "%s", i ? "a.example.net" : "gw@b.example.net");
	}
	n->s[1].t.local_id.type = KIPSECD_ID_USER_FQDN;
	snprintf(n->s[1].t.local_id.name, sizeof(n->s[1].t.local_id.name), "gw@b.example.net");
	set_ipsec(&n->s[0], "g14-esp-aes256-sha256");
	set_ipsec(&n->s[1], "g14-esp-aes256-sha256");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	/* 3 aggressive mode messages, then Quick Mode */
	step(n);
	step(n);
	{
		struct pkt p = pop(n);	/* AM3, delivered twice: the copy is absorbed */

		assert_int_equal(n->n, 1);	/* QM1 already queued */
		deliver_pkt(n, &p);
		deliver_pkt(n, &p);
		free(p.buf);
		assert_int_equal(n->n, 1);
	}
	assert_log_prefix(&n->s[1], "phase 1: established (aggressive mode, aes256-sha256-modp2048, responder");
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	net_free(n);
}

static void test_aggressive_wrong_psk(void **state)
{
	struct net *n = net_new();

	(void)state;
	n->s[0].t.mode = n->s[1].t.mode = KIPSECD_MODE_AGGRESSIVE;
	set_psk(&n->s[1], "not the same");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[0], "phase 1: HASH_R does not verify: pre-shared keys differ (or peer ID)");
	assert_log(&n->s[1], "phase 1: peer says AUTHENTICATION-FAILED (unauthenticated "
		   "notification, ignored until the exchange times out)");
	assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
	net_free(n);
}

/* Three proxy IDs: three Quick Modes on one phase 1. */
static void test_three_proxy_ids(void **state)
{
	struct net *n = net_new();
	int p1_msgs = 0;

	(void)state;
	set_proxy(&n->s[0], 1, "10.1.1.0", 24, "10.2.1.0", 24, 0);
	set_proxy(&n->s[0], 2, "10.1.2.5", 32, "10.2.2.0", 24, IPPROTO_UDP);
	set_proxy(&n->s[1], 1, "10.2.1.0", 24, "10.1.1.0", 24, 0);
	set_proxy(&n->s[1], 2, "10.2.2.0", 24, "10.1.2.5", 32, IPPROTO_UDP);
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	while (n->n) {
		if (n->q[0].buf[18] == IKE_XCHG_MAIN)
			p1_msgs++;
		step(n);
	}
	assert_int_equal(p1_msgs, 6);
	assert_int_equal(n->s[0].ninst, 3);
	assert_int_equal(n->s[1].ninst, 3);
	for (int i = 0; i < 3; i++) {
		int j;

		for (j = 0; j < 3; j++)
			if (n->s[1].in[j].info.spi == n->s[0].out[i].info.spi)
				break;
		assert_true(j < 3);
		assert_pair_matches(n, i, j);
		assert_int_equal(n->s[0].in[i].proxy_index, n->s[0].in[i].proxy_index);
	}
	assert_int_equal(n->s[0].in[2].info.pid.proto + n->s[0].in[1].info.pid.proto +
			 n->s[0].in[0].info.pid.proto, IPPROTO_UDP);
	net_free(n);
}

/* A lost message is retransmitted when its timer fires. */
static void test_retransmission(void **state)
{
	struct net *n = net_new();
	int sent;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	step(n);		/* MM1 */
	step(n);		/* MM2 */
	drop(n);		/* MM3 lost */
	assert_int_equal(n->n, 0);
	sent = n->s[0].nsent;
	advance(n, 1999);
	assert_int_equal(n->s[0].nsent, sent);
	advance(n, 1);
	assert_int_equal(n->s[0].nsent, sent + 1);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	net_free(n);
}

/* Never answered: 5 retransmissions at 2, 4, 8, 16, 32 s, then one log line. */
static void test_retransmission_gives_up(void **state)
{
	struct net *n = net_new();

	(void)state;
	net_start(n);
	n->blackhole[1] = true;
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	assert_int_equal(n->s[0].nsent, 1);
	advance(n, 2000 + 4000 + 8000 + 16000);
	assert_int_equal(n->s[0].nsent, 5);
	advance(n, 32000);
	assert_int_equal(n->s[0].nsent, 6);
	assert_false(has_log_prefix(&n->s[0], "phase 1: no answer"));
	advance(n, 64000);
	assert_log(&n->s[0], "phase 1: no answer from the peer to Main Mode message 1 after "
		   "5 retransmissions, giving up");
	advance(n, 600000);
	assert_int_equal(n->s[0].nsent, 6);
	net_free(n);
}

/*
 * QM3 never reaches the responder: its inbound SA, in since QM2, goes
 * when it gives up; the initiator's pair stays (its hard lifetime or DPD
 * cleans up).
 */
static void test_qm3_lost(void **state)
{
	struct net *n = net_new();
	uint32_t spi;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	for (int i = 0; i < 6; i++)
		step(n);	/* Main Mode; QM1 is queued */
	assert_int_equal(n->s[1].nearly, 0);
	step(n);		/* QM1: the responder's inbound SA goes in */
	assert_int_equal(n->s[1].nearly, 1);
	assert_int_equal(n->s[0].ninst, 0);
	step(n);		/* QM2: the initiator installs, QM3 queued */
	spi = n->s[1].early[0].info.spi;
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[0].out[0].info.spi, spi);
	n->blackhole[1] = true;
	drop(n);		/* QM3 */
	advance(n, 2000 + 4000 + 8000 + 16000 + 32000 + 64000);
	assert_log_prefix(&n->s[1], "phase 2: no answer from the peer to Quick Mode");
	assert_int_equal(n->s[1].nearly, 0);
	assert_true(deleted(&n->s[1], KIPSEC_DIR_IN, spi));
	assert_int_equal(n->s[1].ninst, 0);
	net_free(n);
}

/* A message delivered twice: the cached answer, byte for byte, and one install. */
static void test_duplicates(void **state)
{
	struct net *n = net_new();
	struct pkt p;
	uint8_t *first;
	size_t first_len;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	/* MM1 twice */
	p = pop(n);
	deliver_pkt(n, &p);
	first = malloc(n->s[1].last_len);
	memcpy(first, n->s[1].last_sent, n->s[1].last_len);
	first_len = n->s[1].last_len;
	deliver_pkt(n, &p);
	free(p.buf);
	assert_int_equal(n->n, 2);
	assert_int_equal(n->q[1].len, first_len);
	assert_memory_equal(n->q[1].buf, first, first_len);
	free(first);
	drop(n);
	/* through phase 1 */
	for (int i = 0; i < 5; i++)
		step(n);
	assert_int_equal(n->n, 1);	/* QM1 */
	p = pop(n);
	deliver_pkt(n, &p);
	assert_int_equal(n->n, 1);	/* QM2 */
	deliver_pkt(n, &p);		/* QM1 again */
	free(p.buf);
	assert_int_equal(n->n, 2);
	assert_int_equal(n->q[0].len, n->q[1].len);
	assert_memory_equal(n->q[0].buf, n->q[1].buf, n->q[0].len);
	/* QM2 twice: the initiator installs once and resends QM3 */
	p = pop(n);
	deliver_pkt(n, &p);
	deliver_pkt(n, &p);
	free(p.buf);
	drop(n);
	assert_int_equal(n->n, 2);	/* QM3 and its copy */
	assert_memory_equal(n->q[0].buf, n->q[1].buf, n->q[0].len);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	net_free(n);
}

static void test_wrong_psk_main(void **state)
{
	struct net *n = net_new();

	(void)state;
	set_psk(&n->s[1], "a different secret");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 1: message 5 does not decrypt to a valid message: "
		   "pre-shared keys differ");
	assert_log(&n->s[0], "phase 1: peer says AUTHENTICATION-FAILED (unauthenticated "
		   "notification, ignored until the exchange times out)");
	assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
	net_free(n);
}

static void test_wrong_peer_id(void **state)
{
	struct net *n = net_new();

	(void)state;
	n->s[1].t.remote_id.from_address = false;
	n->s[1].t.remote_id.type = KIPSECD_ID_FQDN;
	snprintf(n->s[1].t.remote_id.name, sizeof(n->s[1].t.remote_id.name), "a.example.net");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 1: peer ID 192.0.2.1 does not match remote-id fqdn:a.example.net");
	assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
	net_free(n);
}

static void test_no_common_p1(void **state)
{
	struct net *n = net_new();

	(void)state;
	set_ike(&n->s[0], "aes128-sha1-modp1024, 3des-md5-modp1024");
	set_ike(&n->s[1], "aes256-sha256-modp2048");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 1: no proposal chosen: peer offered aes128-sha1-modp1024, "
		   "3des-md5-modp1024; we accept aes256-sha256-modp2048");
	assert_log(&n->s[0], "phase 1: peer says NO-PROPOSAL-CHOSEN (unauthenticated "
		   "notification, ignored until the exchange times out)");
	net_free(n);
}

static void test_no_common_p2(void **state)
{
	struct net *n = net_new();

	(void)state;
	set_ipsec(&n->s[0], "nopfs-esp-aes128-sha, nopfs-esp-3des-md5");
	set_ipsec(&n->s[1], "nopfs-esp-aes256-sha256");
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 2: no proposal chosen: peer offered nopfs-esp-aes128-sha, "
		   "nopfs-esp-3des-md5; we accept nopfs-esp-aes256-sha256");
	assert_log(&n->s[0], "phase 2: peer says NO-PROPOSAL-CHOSEN");
	assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
	net_free(n);
}

static void test_pfs_one_side(void **state)
{
	(void)state;
	for (int dir = 0; dir < 2; dir++) {
		struct net *n = net_new();

		set_ipsec(&n->s[0], dir ? "nopfs-esp-aes256-sha256" : "g14-esp-aes256-sha256");
		set_ipsec(&n->s[1], dir ? "g14-esp-aes256-sha256" : "nopfs-esp-aes256-sha256");
		net_start(n);
		assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
		run(n);
		if (dir)
			assert_log(&n->s[1], "phase 2: no proposal chosen: peer offered "
				   "nopfs-esp-aes256-sha256; we accept g14-esp-aes256-sha256 "
				   "(pfs modp2048 expected, peer sent none)");
		else
			assert_log(&n->s[1], "phase 2: no proposal chosen: peer offered "
				   "g14-esp-aes256-sha256; we accept nopfs-esp-aes256-sha256 "
				   "(no pfs expected, peer sent modp2048)");
		assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
		net_free(n);
	}
	/* both with PFS, different groups */
	{
		struct net *n = net_new();

		set_ipsec(&n->s[0], "g14-esp-aes256-sha256");
		set_ipsec(&n->s[1], "g19-esp-aes256-sha256");
		net_start(n);
		assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
		run(n);
		assert_log(&n->s[1], "phase 2: no proposal chosen: peer offered "
			   "g14-esp-aes256-sha256; we accept g19-esp-aes256-sha256 "
			   "(pfs ecp256 expected, peer sent modp2048)");
		net_free(n);
	}
}

static void test_proxy_mismatch(void **state)
{
	struct net *n = net_new();

	(void)state;
	set_proxy(&n->s[1], 0, "10.2.0.0", 24, "10.9.0.0", 16, 0);
	set_proxy(&n->s[1], 1, "10.2.0.0", 25, "10.1.0.0", 24, IPPROTO_TCP);
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 2: proxy IDs do not match: peer proposed "
		   "10.2.0.0/24 <-> 10.1.0.0/24; we have 10.2.0.0/24 <-> 10.9.0.0/16, "
		   "10.2.0.0/25[tcp] <-> 10.1.0.0/24[tcp] (local <-> remote, seen from here)");
	assert_log(&n->s[0], "phase 2: peer says INVALID-ID-INFORMATION");
	assert_int_equal(n->s[0].ninst + n->s[1].ninst, 0);
	net_free(n);
}

static bool deleted(const struct side *s, uint8_t dir, uint32_t spi)
{
	for (int i = 0; i < s->ndel; i++)
		if (s->dels[i].dir == dir && s->dels[i].spi == spi)
			return true;
	return false;
}

/* down on either side: the peer deletes the pair when told. */
static void test_delete_both_ways(void **state)
{
	(void)state;
	for (int who = 0; who < 2; who++) {
		struct net *n = net_new();
		struct side *a = &n->s[who], *b = &n->s[!who];
		struct ike_tunnel_status st;

		net_start(n);
		assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
		run(n);
		assert_int_equal(a->ninst, 1);
		assert_int_equal(ike_engine_down(a->e, &a->t), 0);
		assert_true(deleted(a, KIPSEC_DIR_IN, a->in[0].info.spi));
		assert_true(deleted(a, KIPSEC_DIR_OUT, a->out[0].info.spi));
		assert_int_equal(n->n, 2);	/* Delete ESP, Delete ISAKMP */
		run(n);
		assert_true(deleted(b, KIPSEC_DIR_IN, b->in[0].info.spi));
		assert_true(deleted(b, KIPSEC_DIR_OUT, b->out[0].info.spi));
		{
			char line[256];

			snprintf(line, sizeof(line), "informational: peer deleted ESP SA %08x; "
				 "deleted the pair for %s", a->in[0].info.spi,
				 who ? "10.1.0.0/24 <-> 10.2.0.0/24" : "10.2.0.0/24 <-> 10.1.0.0/24");
			assert_log(b, line);
		}
		assert_log(b, "informational: peer deleted the phase 1 SA");
		assert_int_equal(ike_engine_status(b->e, &b->t, &st), 0);
		assert_int_equal(st.phase1, IKE_P1_NONE);
		assert_int_equal(st.n_children, 0);
		net_free(n);
	}
}

static void test_dpd(void **state)
{
	struct net *n = net_new();
	int sent;

	(void)state;
	n->s[0].t.dpd_interval = 10;
	n->s[0].t.dpd_retries = 3;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	/* inbound traffic counts as liveness: no R-U-THERE */
	sent = n->s[0].nsent;
	advance(n, 9000);
	ike_engine_peer_alive(n->s[0].e, &n->s[0].t);
	advance(n, 9000);
	assert_int_equal(n->s[0].nsent, sent);
	/* idle for an interval: R-U-THERE, answered */
	advance(n, 1000);
	assert_int_equal(n->s[0].nsent, sent + 1);
	run(n);
	sent = n->s[0].nsent;
	advance(n, 10000);
	assert_int_equal(n->s[0].nsent, sent + 1);
	run(n);
	assert_int_equal(n->s[0].ndel, 0);
	/* replaying the R-U-THERE-ACK is refused by its message ID */
	{
		uint8_t *ack = malloc(n->s[1].last_len);
		size_t len = n->s[1].last_len;

		memcpy(ack, n->s[1].last_sent, len);
		ike_engine_input(n->s[0].e, &n->s[0].t.remote, 500, ack, len);
		free(ack);
		assert_log_prefix(&n->s[0], "dropped Informational: message ID ");
	}
	/* the peer goes silent */
	n->blackhole[1] = true;
	advance(n, 10000);		/* R-U-THERE */
	advance(n, 10000);		/* missed 1: again */
	advance(n, 10000);		/* missed 2: again */
	assert_int_equal(n->s[0].ndel, 0);
	advance(n, 10000);		/* missed 3: dead */
	assert_log(&n->s[0], "DPD: peer dead: no R-U-THERE-ACK after 3 R-U-THERE, "
		   "clearing the tunnel's SAs");
	assert_true(deleted(&n->s[0], KIPSEC_DIR_IN, n->s[0].in[0].info.spi));
	assert_true(deleted(&n->s[0], KIPSEC_DIR_OUT, n->s[0].out[0].info.spi));
	{
		struct ike_tunnel_status st;

		ike_engine_status(n->s[0].e, &n->s[0].t, &st);
		assert_int_equal(st.phase1, IKE_P1_NONE);
		assert_int_equal(st.n_children, 0);
	}
	net_free(n);
}

/* INITIAL-CONTACT: a restarted peer makes the responder drop what it had. */
static void test_initial_contact(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;
	uint32_t old_in;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	old_in = n->s[1].in[0].info.spi;
	/* the initiator "reboots": a fresh engine, no state */
	ike_engine_free(n->s[0].e);
	{
		struct ike_env env = {
			.ctx = &n->s[0], .send = env_send, .now_ms = env_now,
			.timer_set = env_timer_set, .timer_cancel = env_timer_cancel,
			.spi_alloc = env_spi_alloc, .sa_install = env_sa_install,
			.sa_delete = env_sa_delete, .log = env_log,
		};

		memset(n->s[0].timers, 0, sizeof(n->s[0].timers));
		n->s[0].e = ike_engine_new(&env);
		ike_engine_add_tunnel(n->s[0].e, &n->s[0].t);
	}
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log(&n->s[1], "phase 1: INITIAL-CONTACT from the peer: deleting 1 stale SA "
		   "pair(s) and 1 phase 1 SA(s)");
	assert_true(deleted(&n->s[1], KIPSEC_DIR_IN, old_in));
	assert_int_equal(n->s[1].ninst, 2);
	assert_pair_matches(n, 1, 1);
	ike_engine_status(n->s[1].e, &n->s[1].t, &st);
	assert_int_equal(st.n_children, 1);
	net_free(n);
}

/*
 * Rekey: new pair installed (the initiator's outbound SA after the settle
 * time), old one deleted after the grace period, both sides.
 */
static void test_rekey_child(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;
	struct ike_child_status cs;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_int_equal(ike_engine_rekey_spi(n->s[0].e, &n->s[0].t, IPPROTO_ESP,
					      n->s[0].out[0].info.spi), 0);
	run(n);
	/* the responder's pair is complete; ours waits for the settle time */
	assert_int_equal(n->s[1].ninst, 2);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[0].nearly, 1);
	ike_engine_status(n->s[0].e, &n->s[0].t, &st);
	assert_int_equal(st.n_children, 2);
	assert_true(ike_engine_child_at(n->s[0].e, &n->s[0].t, 0, &cs));
	assert_true(cs.settling);
	assert_false(cs.rekeyed);
	assert_true(ike_engine_child_at(n->s[0].e, &n->s[0].t, 1, &cs));
	assert_false(cs.settling);
	assert_false(cs.rekeyed);		/* the old pair still carries the traffic */
	advance(n, IKE_REKEY_SETTLE_MS);
	assert_int_equal(n->s[0].ninst, 2);
	assert_int_equal(n->s[0].nearly, 0);
	assert_int_equal(n->s[0].inst_at[1], IKE_REKEY_SETTLE_MS);
	assert_pair_matches(n, 1, 1);
	assert_int_not_equal(n->s[0].in[1].info.spi, n->s[0].in[0].info.spi);
	assert_int_equal(n->s[0].ndel, 0);		/* make before break */
	ike_engine_status(n->s[0].e, &n->s[0].t, &st);
	assert_int_equal(st.n_children, 2);
	assert_true(ike_engine_child_at(n->s[0].e, &n->s[0].t, 1, &cs));
	assert_true(cs.rekeyed);
	advance(n, IKE_REKEY_GRACE_MS);
	run(n);
	assert_true(deleted(&n->s[0], KIPSEC_DIR_IN, n->s[0].in[0].info.spi));
	assert_true(deleted(&n->s[1], KIPSEC_DIR_IN, n->s[1].in[0].info.spi));
	assert_false(deleted(&n->s[0], KIPSEC_DIR_IN, n->s[0].in[1].info.spi));
	assert_false(deleted(&n->s[1], KIPSEC_DIR_IN, n->s[1].in[1].info.spi));
	ike_engine_status(n->s[0].e, &n->s[0].t, &st);
	assert_int_equal(st.n_children, 1);
	ike_engine_status(n->s[1].e, &n->s[1].t, &st);
	assert_int_equal(st.n_children, 1);
	net_free(n);
}

/*
 * The responder installs its SAs only with QM3 (as strongSwan's charon
 * does). A first pair goes in at once on our side (nothing to lose); in
 * our rekey the new outbound SA waits until the responder can receive on
 * it, the old pair carrying the traffic meanwhile.
 */
static void test_rekey_late_peer(void **state)
{
	struct net *n = net_new();
	struct side *a = &n->s[0], *b = &n->s[1];
	struct ike_child_status cs;
	uint32_t old_out, new_out;
	char line[256];
	int sent;

	(void)state;
	b->late_inbound = true;
	net_start(n);
	assert_int_equal(ike_engine_up(a->e, &a->t), 0);
	for (int i = 0; i < 7; i++)
		step(n);	/* Main Mode, QM1 */
	step(n);		/* QM2: the first pair goes in at once, before QM3 */
	assert_int_equal(a->ninst, 1);
	assert_int_equal(a->nearly, 0);
	assert_false(has_log_prefix(a, "phase 2: rekey of"));
	run(n);
	assert_int_equal(b->ninst, 1);
	assert_pair_matches(n, 0, 0);
	old_out = a->out[0].info.spi;
	/* the rekey */
	advance(n, 5000);
	assert_int_equal(ike_engine_rekey_spi(a->e, &a->t, IPPROTO_ESP, old_out), 0);
	step(n);		/* QM1: b's inbound SA is not receiving yet */
	step(n);		/* QM2: a's new inbound SA goes in, QM3 leaves */
	assert_int_equal(a->ninst, 1);
	assert_int_equal(a->nearly, 1);
	assert_int_equal(n->n, 1);
	new_out = b->early[0].info.spi;
	assert_false(can_receive(b, new_out));
	snprintf(line, sizeof(line), "phase 2: rekey of 10.1.0.0/24 <-> 10.2.0.0/24: inbound "
		 "SA esp/%08x in, outbound esp/%08x in %d ms (the peer installs at "
		 "message 3)", a->early[0].info.spi, new_out, IKE_REKEY_SETTLE_MS);
	assert_log(a, line);
	step(n);		/* QM3: b installs both */
	assert_int_equal(b->ninst, 2);
	assert_true(can_receive(b, new_out));
	/* a soft expiry of the old pair meanwhile starts nothing */
	sent = a->nsent;
	assert_int_equal(ike_engine_rekey_spi(a->e, &a->t, IPPROTO_ESP, old_out), 0);
	assert_int_equal(ike_engine_up(a->e, &a->t), 0);
	assert_int_equal(a->nsent, sent);
	assert_true(ike_engine_child_at(a->e, &a->t, 0, &cs));
	assert_true(cs.settling);
	assert_int_equal(cs.spi_out, new_out);
	advance(n, IKE_REKEY_SETTLE_MS - 1);
	assert_int_equal(a->ninst, 1);
	assert_int_equal(a->ndel, 0);
	advance(n, 1);
	assert_int_equal(a->ninst, 2);
	assert_int_equal(a->out[1].info.spi, new_out);
	assert_int_equal(a->inst_at[1], 5000 + IKE_REKEY_SETTLE_MS);
	assert_int_equal(a->nearly, 0);
	assert_int_equal(a->ndel, 0);	/* the old pair outlives the switch */
	assert_pair_matches(n, 1, 1);
	snprintf(line, sizeof(line), "phase 2: SA pair installed for 10.1.0.0/24 <-> "
		 "10.2.0.0/24: nopfs-esp-aes256-sha256, in esp/%08x out esp/%08x, lifetime "
		 "3600s (rekey)", a->in[1].info.spi, new_out);
	assert_log(a, line);
	assert_true(ike_engine_child_at(a->e, &a->t, 0, &cs));
	assert_false(cs.settling);
	advance(n, IKE_REKEY_GRACE_MS - 1);
	assert_int_equal(a->ndel, 0);
	advance(n, 1);
	run(n);
	assert_true(deleted(a, KIPSEC_DIR_OUT, old_out));
	assert_true(deleted(b, KIPSEC_DIR_IN, old_out));
	assert_false(deleted(a, KIPSEC_DIR_OUT, new_out));
	net_free(n);
}

/* The old pair's hard lifetime is near: the settle time is cut, or skipped. */
static void test_rekey_settle_capped(void **state)
{
	static const struct { uint64_t left, wait; } cases[] = {
		{ 800, 800 - IKE_REKEY_SETTLE_MARGIN_MS },
		{ IKE_REKEY_SETTLE_MARGIN_MS + IKE_REKEY_SETTLE_MS, IKE_REKEY_SETTLE_MS },
		{ IKE_REKEY_SETTLE_MARGIN_MS, 0 },
		{ 100, 0 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct net *n = net_new();
		struct side *a = &n->s[0];
		uint64_t t0;

		net_start(n);
		assert_int_equal(ike_engine_up(a->e, &a->t), 0);
		run(n);
		advance(n, 3600 * 1000 - cases[k].left);
		t0 = n->now;
		assert_int_equal(ike_engine_rekey_child(a->e, &a->t, 0), 0);
		run(n);
		if (!cases[k].wait) {
			/* too late to wait: both SAs before QM3, as a first pair */
			assert_int_equal(a->ninst, 2);
			assert_int_equal(a->inst_at[1], t0);
			assert_false(has_log_prefix(a, "phase 2: rekey of"));
		} else {
			advance(n, cases[k].wait - 1);
			assert_int_equal(a->ninst, 1);
			advance(n, 1);
			assert_int_equal(a->ninst, 2);
			assert_int_equal(a->inst_at[1], t0 + cases[k].wait);
			assert_true(a->inst_at[1] + IKE_REKEY_SETTLE_MARGIN_MS <= 3600 * 1000);
		}
		assert_pair_matches(n, 1, 1);
		net_free(n);
	}
}

/* Our rekey up to QM3 with a late-installing peer: a's outbound SA settling. */
static void rekey_to_settle(struct net *n, uint32_t *new_in, uint32_t *new_out)
{
	struct side *a = &n->s[0], *b = &n->s[1];

	b->late_inbound = true;
	net_start(n);
	assert_int_equal(ike_engine_up(a->e, &a->t), 0);
	run(n);
	assert_int_equal(ike_engine_rekey_child(a->e, &a->t, 0), 0);
	step(n);	/* QM1 */
	step(n);	/* QM2 */
	step(n);	/* QM3 */
	assert_int_equal(n->n, 0);
	assert_int_equal(a->ninst, 1);
	assert_int_equal(a->nearly, 1);
	assert_int_equal(b->ninst, 2);
	*new_in = a->early[0].info.spi;
	*new_out = b->in[1].info.spi;
}

/*
 * The settle time cut short: tunnel down, daemon exit, the engine freed,
 * phase 1 deleted, a Delete for the new or the old pair, the old pair's
 * hard expiry. Nothing installed after a teardown, nothing left over
 * (test_engine_asan), the old pair kept until the new outbound SA is in.
 */
static void test_rekey_settle_interrupted(void **state)
{
	enum { DOWN, SHUTDOWN, FREE, P1_DELETED, DELETE_NEW, DELETE_OLD, OLD_EXPIRED, N };

	(void)state;
	for (int k = 0; k < N; k++) {
		struct net *n = net_new();
		struct side *a = &n->s[0], *b = &n->s[1];
		struct ike_tunnel_status st;
		struct ike_child_status cs;
		uint32_t new_in, new_out, old_in, old_out;

		rekey_to_settle(n, &new_in, &new_out);
		old_in = a->in[0].info.spi;
		old_out = a->out[0].info.spi;
		switch (k) {
		case DOWN:
		case SHUTDOWN:
			if (k == DOWN)
				assert_int_equal(ike_engine_down(a->e, &a->t), 0);
			else
				ike_engine_shutdown(a->e);
			assert_true(deleted(a, KIPSEC_DIR_IN, new_in));
			assert_false(deleted(a, KIPSEC_DIR_OUT, new_out));	/* never in */
			assert_true(deleted(a, KIPSEC_DIR_IN, old_in));
			assert_true(deleted(a, KIPSEC_DIR_OUT, old_out));
			assert_int_equal(a->nearly, 0);
			advance(n, 10 * IKE_REKEY_SETTLE_MS);
			assert_int_equal(a->ninst, 1);
			run(n);		/* the Deletes: b drops both pairs */
			assert_true(deleted(b, KIPSEC_DIR_IN, new_out));
			assert_true(deleted(b, KIPSEC_DIR_IN, old_out));
			ike_engine_status(a->e, &a->t, &st);
			assert_int_equal(st.n_children, 0);
			break;
		case FREE:
			/* no shutdown first: everything freed, nothing sent */
			ike_engine_free(a->e);
			a->e = NULL;
			assert_int_equal(n->n, 0);
			break;
		case P1_DELETED:
			/* the peer replaces phase 1 and deletes the old one */
			assert_int_equal(ike_engine_rekey_phase1(b->e, &b->t), 0);
			run(n);
			assert_log(a, "informational: peer deleted the phase 1 SA");
			assert_int_equal(a->ninst, 1);
			/* the pair does not depend on phase 1: it completes */
			advance(n, IKE_REKEY_SETTLE_MS);
			assert_int_equal(a->ninst, 2);
			assert_int_equal(a->out[1].info.spi, new_out);
			assert_pair_matches(n, 1, 1);
			advance(n, IKE_REKEY_GRACE_MS);
			run(n);
			assert_true(deleted(b, KIPSEC_DIR_IN, old_out));
			break;
		case DELETE_NEW:
			/* the peer drops the new pair: the old one stays ours */
			assert_int_equal(ike_engine_sa_expired(b->e, &b->t, IPPROTO_ESP,
							       new_out), 0);
			run(n);
			assert_true(deleted(a, KIPSEC_DIR_IN, new_in));
			assert_false(deleted(a, KIPSEC_DIR_OUT, new_out));
			assert_int_equal(a->nearly, 0);
			advance(n, 10 * IKE_REKEY_SETTLE_MS + IKE_REKEY_GRACE_MS);
			assert_int_equal(a->ninst, 1);
			assert_false(deleted(a, KIPSEC_DIR_OUT, old_out));
			ike_engine_status(a->e, &a->t, &st);
			assert_int_equal(st.n_children, 1);
			assert_true(ike_engine_child_at(a->e, &a->t, 0, &cs));
			assert_int_equal(cs.spi_out, old_out);
			assert_false(cs.rekeyed || cs.settling);
			/* and the proxy ID can be rekeyed again */
			assert_int_equal(ike_engine_rekey_child(a->e, &a->t, 0), 0);
			run(n);
			advance(n, IKE_REKEY_SETTLE_MS);
			assert_int_equal(a->ninst, 2);
			assert_pair_matches(n, 1, 2);
			break;
		case DELETE_OLD:
		case OLD_EXPIRED:
			/* the old pair goes first: the new outbound SA at once */
			if (k == DELETE_OLD) {
				assert_int_equal(ike_engine_sa_expired(b->e, &b->t, IPPROTO_ESP,
								       old_out), 0);
				run(n);
			} else {
				assert_int_equal(ike_engine_sa_expired(a->e, &a->t, IPPROTO_ESP,
								       old_in), 0);
			}
			assert_true(deleted(a, KIPSEC_DIR_OUT, old_out));
			assert_int_equal(a->ninst, 2);
			assert_int_equal(a->out[1].info.spi, new_out);
			assert_int_equal(a->inst_at[1], 0);
			assert_log_prefix(a, "phase 2: the pair being rekeyed is gone: outbound SA");
			assert_pair_matches(n, 1, 1);
			run(n);
			advance(n, 10 * IKE_REKEY_SETTLE_MS + IKE_REKEY_GRACE_MS);
			run(n);
			assert_false(deleted(a, KIPSEC_DIR_OUT, new_out));
			assert_false(deleted(b, KIPSEC_DIR_IN, new_out));
			assert_true(deleted(b, KIPSEC_DIR_IN, old_out));
			ike_engine_status(a->e, &a->t, &st);
			assert_int_equal(st.n_children, 1);
			break;
		}
		net_free(n);
	}
}

/* The module's hard expiry of one SA: the pair goes, the peer is told. */
static void test_sa_expired(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;
	struct side *a = &n->s[0], *b = &n->s[1];

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(a->e, &a->t), 0);
	run(n);
	assert_int_equal(ike_engine_sa_expired(a->e, &a->t, IPPROTO_ESP, 0x12345678), -1);
	assert_int_equal(ike_engine_sa_expired(a->e, &a->t, IPPROTO_ESP,
					       a->in[0].info.spi), 0);
	assert_true(deleted(a, KIPSEC_DIR_OUT, a->out[0].info.spi));
	ike_engine_status(a->e, &a->t, &st);
	assert_int_equal(st.n_children, 0);
	assert_int_equal(st.phase1, IKE_P1_ESTABLISHED);
	run(n);
	assert_true(deleted(b, KIPSEC_DIR_IN, b->in[0].info.spi));
	assert_true(deleted(b, KIPSEC_DIR_OUT, b->out[0].info.spi));
	ike_engine_status(b->e, &b->t, &st);
	assert_int_equal(st.n_children, 0);
	/* and it can be negotiated again */
	assert_int_equal(ike_engine_up_proxy(a->e, &a->t, 0), 0);
	run(n);
	assert_int_equal(a->ninst, 2);
	assert_pair_matches(n, 1, 1);
	net_free(n);
}

/* A reload moves an unchanged tunnel: the engine follows, nothing is sent. */
static void test_replace_tunnel(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;
	struct side *a = &n->s[0];
	struct kipsecd_tunnel *nt = malloc(sizeof(*nt));

	(void)state;
	assert_non_null(nt);
	net_start(n);
	assert_int_equal(ike_engine_up(a->e, &a->t), 0);
	run(n);
	*nt = a->t;
	assert_int_equal(ike_engine_replace_tunnel(a->e, &a->t, nt), 0);
	assert_int_equal(n->n, 0);
	assert_int_equal(a->ndel, 0);
	assert_int_equal(ike_engine_status(a->e, &a->t, &st), -1);
	assert_int_equal(ike_engine_status(a->e, nt, &st), 0);
	assert_int_equal(st.phase1, IKE_P1_ESTABLISHED);
	assert_int_equal(st.n_children, 1);
	/* the old copy is gone: scribble over it */
	memset(a->t.ipsec, 0xa5, sizeof(a->t.ipsec));
	assert_int_equal(ike_engine_rekey_child(a->e, nt, 0), 0);
	run(n);
	advance(n, IKE_REKEY_SETTLE_MS);
	assert_int_equal(a->ninst, 2);
	assert_int_equal(n->s[1].ninst, 2);
	assert_pair_matches(n, 1, 1);
	ike_engine_remove_tunnel(a->e, nt);
	net_free(n);
	free(nt);
}

/* A new phase 1 beside the old; the old is deleted once the new one is up. */
static void test_rekey_phase1(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st1, st2;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	ike_engine_status(n->s[0].e, &n->s[0].t, &st1);
	assert_int_equal(ike_engine_rekey_phase1(n->s[0].e, &n->s[0].t), 0);
	run(n);
	ike_engine_status(n->s[0].e, &n->s[0].t, &st2);
	assert_int_equal(st2.phase1, IKE_P1_ESTABLISHED);
	assert_memory_not_equal(st1.icookie, st2.icookie, 8);
	assert_log(&n->s[1], "informational: peer deleted the phase 1 SA");
	ike_engine_status(n->s[1].e, &n->s[1].t, &st1);
	assert_memory_equal(st1.icookie, st2.icookie, 8);
	/* the pairs survive a phase 1 rekey; a child rekey uses the new phase 1 */
	assert_int_equal(st1.n_children, 1);
	assert_int_equal(ike_engine_rekey_child(n->s[0].e, &n->s[0].t, 0), 0);
	run(n);
	advance(n, IKE_REKEY_SETTLE_MS);
	assert_int_equal(n->s[1].ninst, 2);
	assert_pair_matches(n, 1, 1);
	net_free(n);
}

static void addr6(struct kipsec_nl_addr *a, const char *txt)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, txt, &a->ip6), 1);
}

/* IPv6 outside and inside; a range and a single port on one side. */
static void test_ipv6(void **state)
{
	struct net *n = net_new();
	static const char *const ends[2][2] = {
		{ "2001:db8:a::", "2001:db8:b::" }, { "2001:db8:b::", "2001:db8:a::" },
	};

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct kipsecd_proxy_id *p = &n->s[i].pids[0];

		addr6(&n->s[i].t.local, i ? "2001:db8::2" : "2001:db8::1");
		addr6(&n->s[i].t.remote, i ? "2001:db8::1" : "2001:db8::2");
		memset(p, 0, sizeof(*p));
		addr6(&p->pid.local.addr, ends[i][0]);
		addr6(&p->pid.remote.addr, ends[i][1]);
		p->pid.local.len = p->pid.remote.len = 48;
		p->pid.proto = IPPROTO_TCP;
		p->pid.lport_max = p->pid.rport_max = 65535;
		p->local_type = i ? KIPSECD_ID_IPV6_ADDR_SUBNET : KIPSECD_ID_IPV6_ADDR_RANGE;
		p->remote_type = i ? KIPSECD_ID_IPV6_ADDR_RANGE : KIPSECD_ID_IPV6_ADDR_SUBNET;
	}
	n->s[0].pids[0].pid.rport_min = n->s[0].pids[0].pid.rport_max = 443;
	n->s[1].pids[0].pid.lport_min = n->s[1].pids[0].pid.lport_max = 443;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	assert_log(&n->s[0], "phase 2: SA pair installed for "
		   "2001:db8:a::-2001:db8:a:ffff:ffff:ffff:ffff:ffff[tcp] <-> "
		   "2001:db8:b::/48[tcp/443]: nopfs-esp-aes256-sha256, in esp/c0000001 "
		   "out esp/d0000001, lifetime 3600s");
	net_free(n);
}

/* Both ends start at once: two phase 1 SAs, neither deleted; traffic keys agree. */
static void test_simultaneous_start(void **state)
{
	for (int order = 0; order < 2; order++) {
	struct net *n = net_new();
	struct ike_tunnel_status st;

	(void)state;
	n->lifo = order;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	assert_int_equal(ike_engine_up(n->s[1].e, &n->s[1].t), 0);
	run(n);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ike_engine_status(n->s[i].e, &n->s[i].t, &st), 0);
		assert_int_equal(st.phase1, IKE_P1_ESTABLISHED);
		assert_true(n->s[i].ninst >= 1);
	}
	/* the latest pair on each side is a matching one */
	{
		int i = n->s[0].ninst - 1, j;

		for (j = 0; j < n->s[1].ninst; j++)
			if (n->s[1].in[j].info.spi == n->s[0].out[i].info.spi)
				break;
		assert_true(j < n->s[1].ninst);
		assert_pair_matches(n, i, j);
	}
	/*
	 * Each end may keep both pairs (neither knows whether the other's
	 * Quick Mode was a rekey) or drop the same one: the ends agree.
	 */
	for (int k = 0; k < 4; k++) {
		advance(n, IKE_REKEY_GRACE_MS);
		run(n);
	}
	{
		struct ike_child_status c0, c1;
		size_t k;

		for (k = 0; ike_engine_child_at(n->s[0].e, &n->s[0].t, k, &c0); k++) {
			bool found = false;

			for (size_t m = 0; ike_engine_child_at(n->s[1].e, &n->s[1].t, m, &c1); m++)
				found |= c1.spi_in == c0.spi_out && c1.spi_out == c0.spi_in;
			assert_true(found);
		}
		ike_engine_status(n->s[1].e, &n->s[1].t, &st);
		assert_int_equal(st.phase1, IKE_P1_ESTABLISHED);
		assert_int_equal(st.n_children, k);
		assert_true(k >= 1);
	}
	net_free(n);
	}
}

/* Phase 1 lifetime: the SA is deleted on both sides when it runs out. */
static void test_phase1_lifetime(void **state)
{
	struct net *n = net_new();
	struct ike_tunnel_status st;

	(void)state;
	n->s[1].t.ike_lifetime = 600;	/* the initiator offers 28800: the responder's wins */
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	run(n);
	assert_log_prefix(&n->s[1], "phase 1: established (main mode, aes256-sha256-modp2048, "
			  "responder, lifetime 600s");
	advance(n, 600 * 1000);
	run(n);
	ike_engine_status(n->s[1].e, &n->s[1].t, &st);
	assert_int_equal(st.phase1, IKE_P1_NONE);
	ike_engine_status(n->s[0].e, &n->s[0].t, &st);
	assert_int_equal(st.phase1, IKE_P1_NONE);
	/* the IPsec SAs outlive it */
	assert_int_equal(st.n_children, 1);
	assert_int_equal(n->s[0].ndel, 0);
	net_free(n);
}

/* Hostile input: dropped with a reason, never a crash, never an SA. */
static void test_malformed(void **state)
{
	struct net *n = net_new();
	struct pkt p;
	uint8_t junk[64] = { 0 };

	(void)state;
	net_start(n);
	/* truncated */
	ike_engine_input(n->s[1].e, &n->s[1].t.remote, 500, junk, 20);
	assert_log_prefix(&n->s[1], "dropped 192.0.2.1:500: ");
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	p = pop(n);
	/* our own MM1 reflected back: it has our cookie and no responder's */
	ike_engine_input(n->s[0].e, &n->s[0].t.remote, 500, p.buf, p.len);
	assert_log(&n->s[0], "dropped message: Main Mode message 2 without a "
		   "responder cookie");
	assert_int_equal(n->n, 0);
	/* MM1 cut short, with a header claiming its real length */
	ike_engine_input(n->s[1].e, &n->s[1].t.remote, 500, p.buf, p.len - 3);
	assert_log_prefix(&n->s[1], "dropped 192.0.2.1:500: ISAKMP header: length ");
	deliver_pkt(n, &p);
	free(p.buf);
	for (int i = 0; i < 5; i++)
		step(n);
	/* QM1: a flipped bit in the encrypted part */
	p = pop(n);
	p.buf[p.len - 20] ^= 0x01;
	deliver_pkt(n, &p);
	assert_int_equal(n->n, 0);
	assert_true(has_log_prefix(&n->s[1], "dropped Quick Mode message: ") ||
		    has_log_prefix(&n->s[1], "phase 2: HASH(1) does not verify"));
	/* wrong cookie */
	p.buf[p.len - 20] ^= 0x01;
	p.buf[3] ^= 0x40;
	deliver_pkt(n, &p);
	assert_log(&n->s[1], "dropped 192.0.2.1:500: unknown cookies (no such phase 1 SA)");
	p.buf[3] ^= 0x40;
	/* the real one still works: the IV was not advanced by the forgery */
	deliver_pkt(n, &p);
	run(n);
	assert_int_equal(n->s[0].ninst, 1);
	assert_int_equal(n->s[1].ninst, 1);
	assert_pair_matches(n, 0, 0);
	/* replayed QM3: its exchange is finished */
	{
		uint8_t *qm3 = malloc(n->s[0].last_len);
		size_t len = n->s[0].last_len;
		char line[128];

		memcpy(qm3, n->s[0].last_sent, len);
		assert_int_equal(qm3[18], IKE_XCHG_QUICK);
		ike_engine_input(n->s[1].e, &n->s[1].t.remote, 500, qm3, len);
		snprintf(line, sizeof(line), "dropped Quick Mode message: Quick Mode "
			 "%02x%02x%02x%02x is already complete", qm3[20], qm3[21], qm3[22],
			 qm3[23]);
		assert_log(&n->s[1], line);
		free(qm3);
		assert_int_equal(n->n, 0);
	}
	/* replayed M-ID: QM1 of a finished exchange is answered from the cache */
	deliver_pkt(n, &p);
	assert_int_equal(n->n, 1);
	drop(n);
	free(p.buf);
	assert_int_equal(n->s[1].ninst, 1);
	net_free(n);
}

/* A flood of first messages from the peer's address: bounded state. */
static void test_half_open_limit(void **state)
{
	struct net *n = net_new();
	struct pkt p;
	int replies;

	(void)state;
	net_start(n);
	assert_int_equal(ike_engine_up(n->s[0].e, &n->s[0].t), 0);
	p = pop(n);
	for (int i = 0; i < 40; i++) {
		p.buf[0] = (uint8_t)i;	/* a new initiator cookie each time */
		p.buf[1] = 0x5a;
		deliver_pkt(n, &p);
	}
	free(p.buf);
	replies = n->n;
	assert_int_equal(replies, 16);
	assert_log(&n->s[1], "phase 1: 16 negotiations with this peer under way already, "
		   "message 1 ignored");
	/* they time out and make room again */
	n->blackhole[0] = true;
	advance(n, 200000);
	{
		struct ike_tunnel_status st;

		ike_engine_status(n->s[1].e, &n->s[1].t, &st);
		assert_int_equal(st.phase1, IKE_P1_NONE);
	}
	net_free(n);
}

/* Random corruption of every message of a whole negotiation. */
static void test_fuzz_exchanges(void **state)
{
	unsigned seed = getenv("ENGINE_FUZZ_SEED") ? (unsigned)atoi(getenv("ENGINE_FUZZ_SEED")) : 1;
	int rounds = getenv("ENGINE_FUZZ_ROUNDS") ? atoi(getenv("ENGINE_FUZZ_ROUNDS")) : 60;

	(void)state;
	for (int round = 0; round < rounds; round++) {
		struct net *n = net_new();
		int steps = 0;

		if (round % 3 == 1) {
			n->s[0].t.mode = n->s[1].t.mode = KIPSECD_MODE_AGGRESSIVE;
		}
		if (round % 2)
			set_ipsec(&n->s[0], "g14-esp-aes256-sha256, g14-esp-aes128-sha");
		net_start(n);
		ike_engine_up(n->s[0].e, &n->s[0].t);
		while (n->n && steps++ < 200) {
			struct pkt p = pop(n);
			uint8_t *copy = malloc(p.len);
			size_t len = p.len;

			memcpy(copy, p.buf, len);
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245 + 12345;
				copy[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 4) % 8));
			}
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 2)
				len = (seed >> 3) % len;
			{
				struct side *to = &n->s[p.to];

				ike_engine_input(to->e, &to->t.remote, 500, copy, len);
			}
			free(copy);
			deliver_pkt(n, &p);	/* and the real one */
			free(p.buf);
			if (steps % 7 == 0)
				advance(n, 3000);
		}
		net_free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_quick_nopfs),
		cmocka_unit_test(test_main_quick_pfs),
		cmocka_unit_test(test_quick_ah_responder_lifetime),
		cmocka_unit_test(test_aggressive),
		cmocka_unit_test(test_aggressive_wrong_psk),
		cmocka_unit_test(test_three_proxy_ids),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_retransmission_gives_up),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_qm3_lost),
		cmocka_unit_test(test_sa_expired),
		cmocka_unit_test(test_replace_tunnel),
		cmocka_unit_test(test_wrong_psk_main),
		cmocka_unit_test(test_wrong_peer_id),
		cmocka_unit_test(test_no_common_p1),
		cmocka_unit_test(test_no_common_p2),
		cmocka_unit_test(test_pfs_one_side),
		cmocka_unit_test(test_proxy_mismatch),
		cmocka_unit_test(test_delete_both_ways),
		cmocka_unit_test(test_dpd),
		cmocka_unit_test(test_initial_contact),
		cmocka_unit_test(test_rekey_child),
		cmocka_unit_test(test_rekey_late_peer),
		cmocka_unit_test(test_rekey_settle_capped),
		cmocka_unit_test(test_rekey_settle_interrupted),
		cmocka_unit_test(test_rekey_phase1),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_simultaneous_start),
		cmocka_unit_test(test_phase1_lifetime),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_half_open_limit),
		cmocka_unit_test(test_fuzz_exchanges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
