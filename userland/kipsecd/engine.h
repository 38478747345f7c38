/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the IKEv1 engine. Main Mode and Aggressive Mode with pre-shared
 * keys (RFC 2409 5), Quick Mode (RFC 2409 5.5), Informational exchanges
 * (Delete, notifications, RFC 3706 DPD), retransmission and duplicate
 * handling, rekeying.
 *
 * The engine does no I/O of its own: it never opens a socket, reads a clock
 * or talks to the kernel. Everything it needs from outside goes through a
 * struct ike_env the daemon fills in (and tests implement in memory), and
 * the daemon calls in when a datagram arrives (ike_engine_input), when a
 * timer the engine asked for expires (ike_engine_timer) and on user or
 * kernel events (up, down, rekey). Every call runs to completion; env
 * callbacks may be invoked from inside any of them, and must not call back
 * into the same engine (queue instead). See Documentation/ikev1.md,
 * "The engine".
 */
#ifndef KIPSECD_ENGINE_H
#define KIPSECD_ENGINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/*
 * One direction of a negotiated IPsec SA, ready for the kernel: @info is
 * a complete KIPSEC_CMD_SA_ADD request except the tunnel naming fields
 * (ifindex/ifname: the daemon fills them from the tunnel) — dir, spi,
 * proto, algorithms, replay window (inbound), ESN flag and proxy ID are
 * set — and @keys its key material, split as kipsecd_p2_to_sa() says.
 * Lifetimes are what was agreed (soft limits are the daemon's choice).
 * The engine wipes its copies after sa_install returns.
 */
struct ike_child_sa {
	struct kipsec_sa_info info;
	struct kipsec_sa_keys keys;
	uint32_t life_seconds;
	uint64_t life_kilobytes;		/* 0: none */
	const struct kipsecd_p2_proposal *proposal;
	size_t proxy_index;			/* in tunnel->proxy_ids */
	/*
	 * Inbound only: this SA went in earlier by itself (sa_install with
	 * @out NULL), so sa_install(@in, @out) adds just @out.
	 */
	bool installed;
};

/* Timer identifiers are opaque to the daemon. */
typedef uint64_t ike_timer_id;

struct ike_env {
	void *ctx;
	/*
	 * Send one IKE datagram to the tunnel's peer (tunnel->remote, the
	 * configured IKE port). 0 on success; a failure is logged and then
	 * treated like a lost packet (retransmission covers it).
	 */
	int (*send)(void *ctx, const struct kipsecd_tunnel *t,
		    const uint8_t *buf, size_t len);
	/* A monotonic clock in milliseconds. */
	uint64_t (*now_ms)(void *ctx);
	/*
	 * Arm (or re-arm) the one-shot timer @id to fire @ms milliseconds from
	 * now: the daemon then calls ike_engine_timer(engine, id). Cancelling
	 * an unknown or fired timer is harmless.
	 */
	void (*timer_set)(void *ctx, ike_timer_id id, uint64_t ms);
	void (*timer_cancel)(void *ctx, ike_timer_id id);
	/*
	 * Reserve an inbound SPI for @proto (IPPROTO_ESP or IPPROTO_AH) on the
	 * tunnel (KIPSEC_CMD_SPI_ALLOC); 0 and *spi (host order) on success.
	 */
	int (*spi_alloc)(void *ctx, const struct kipsecd_tunnel *t,
			 uint8_t proto, uint32_t *spi);
	/*
	 * Install a negotiated pair: the inbound SA first, then the outbound
	 * one (make-before-break: an outbound SA with the same proxy ID
	 * replaces the older one for new packets). 0 on success.
	 *
	 * A Quick Mode responder installs in two steps, so that the peer's
	 * first packet on the new pair finds its inbound SA: @in alone (@out
	 * NULL) when it sends message 2, and @in (with @in->installed set)
	 * and @out when message 3 arrives. The initiator of a rekey does the
	 * same: @in alone before it sends message 3, @out IKE_REKEY_SETTLE_MS
	 * later. If the second step fails or never comes, the engine removes
	 * the inbound SA with sa_delete.
	 */
	int (*sa_install)(void *ctx, const struct kipsecd_tunnel *t,
			  const struct ike_child_sa *in,
			  const struct ike_child_sa *out);
	/* Delete one SA (dir KIPSEC_DIR_IN/OUT, proto IPPROTO_*, spi host order). */
	int (*sa_delete)(void *ctx, const struct kipsecd_tunnel *t, uint8_t dir,
			 uint8_t proto, uint32_t spi);
	/*
	 * One finished log line, without a newline and without the tunnel
	 * name (@t may be NULL for packets no tunnel claims).
	 */
	void (*log)(void *ctx, const struct kipsecd_tunnel *t,
		    enum kipsecd_log_level level, const char *line);
	/* Cryptographic random bytes (RAND_bytes); NULL: the engine uses RAND_bytes. */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	/*
	 * Optional: the tunnel that answers a phase 1 started by the peer at
	 * @from (port in host order). NULL: the engine's registered tunnels
	 * are searched by remote address.
	 */
	const struct kipsecd_tunnel *(*find_tunnel)(void *ctx,
						    const struct kipsec_nl_addr *from,
						    uint16_t port);
	/* Optional: the tunnel's phase 1 came up (true) or went away (false). */
	void (*phase1_state)(void *ctx, const struct kipsecd_tunnel *t, bool up);
};

/* Retransmission: first after 2 s, doubling, given up after the 5th. */
#define IKE_RETRANSMIT_FIRST_MS	2000
#define IKE_RETRANSMIT_MAX	5
/* Old SAs stay this long after a rekey before they are deleted. */
#define IKE_REKEY_GRACE_MS	10000
/*
 * A Quick Mode rekey we start: the new inbound SA goes in before message 3,
 * the new outbound one (which takes our traffic off the old pair) this
 * long after it, because a responder such as strongSwan's charon installs
 * its SAs only while it processes message 3. Never later than
 * IKE_REKEY_SETTLE_MARGIN_MS before the old pair's hard lifetime ends; at
 * once when less than that is left, or the old pair is gone.
 */
#define IKE_REKEY_SETTLE_MS		1000
#define IKE_REKEY_SETTLE_MARGIN_MS	250

struct ike_engine;

/* NULL if out of memory. The env is copied. */
struct ike_engine *ike_engine_new(const struct ike_env *env);
/* Frees everything without sending anything (see ike_engine_shutdown). */
void ike_engine_free(struct ike_engine *e);

/*
 * Tunnels the engine knows: it keeps the pointer, which must stay valid
 * until ike_engine_remove_tunnel (a reload replaces a changed tunnel with
 * remove + add). Removing one deletes its SAs as ike_engine_down does.
 */
int ike_engine_add_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t);
void ike_engine_remove_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t);

/*
 * The daemon reloaded its configuration and @t, unchanged, now lives at
 * @nt (the old copy is about to be freed): every reference the engine
 * holds moves to @nt, nothing is sent or deleted. -1 if @t is unknown.
 */
int ike_engine_replace_tunnel(struct ike_engine *e, const struct kipsecd_tunnel *t,
			      const struct kipsecd_tunnel *nt);

/*
 * Bring the tunnel up: a phase 1 if none is established or under way,
 * then one Quick Mode per proxy ID that has no SA pair yet. 0, or -1 with a
 * logged reason (e.g. unknown tunnel).
 */
int ike_engine_up(struct ike_engine *e, const struct kipsecd_tunnel *t);
/* Only the Quick Mode for one proxy ID (an ACQUIRE): starts phase 1 if needed. */
int ike_engine_up_proxy(struct ike_engine *e, const struct kipsecd_tunnel *t,
			size_t proxy_index);
/*
 * Take it down: a Delete for every IPsec SA pair and for the phase 1 SA
 * is sent to the peer, the SAs are deleted through env->sa_delete, all
 * state is dropped.
 */
int ike_engine_down(struct ike_engine *e, const struct kipsecd_tunnel *t);
/* ike_engine_down for every tunnel (daemon exit). */
void ike_engine_shutdown(struct ike_engine *e);

/* One received datagram from @from:@port (host order). */
void ike_engine_input(struct ike_engine *e, const struct kipsec_nl_addr *from,
		      uint16_t port, const uint8_t *buf, size_t len);
/* A timer armed with env->timer_set fired. */
void ike_engine_timer(struct ike_engine *e, ike_timer_id id);

/*
 * Rekeying. ike_engine_rekey_phase1 starts a new phase 1 beside the
 * current one (the old one stays usable until it expires or the new one is
 * established, when a Delete for it is sent). ike_engine_rekey_child runs a
 * new Quick Mode for one proxy ID: the new pair is installed (inbound
 * before message 3, outbound IKE_REKEY_SETTLE_MS after it), the old pair
 * is deleted IKE_REKEY_GRACE_MS after that, with a Delete to the peer.
 * Both return 0 when started (or a rekey of the proxy ID is under way).
 */
int ike_engine_rekey_phase1(struct ike_engine *e, const struct kipsecd_tunnel *t);
int ike_engine_rekey_child(struct ike_engine *e, const struct kipsecd_tunnel *t,
			   size_t proxy_index);
/*
 * The child rekey for a kernel expire event: the proxy ID of the pair that
 * SA (either direction) belongs to. -1 if no pair has that SPI.
 */
int ike_engine_rekey_spi(struct ike_engine *e, const struct kipsecd_tunnel *t,
			 uint8_t proto, uint32_t spi);

/*
 * The kernel removed SA @spi (hard lifetime reached): its pair is
 * forgotten, the other direction deleted through env->sa_delete and a
 * Delete sent to the peer. -1 if no pair has that SPI.
 */
int ike_engine_sa_expired(struct ike_engine *e, const struct kipsecd_tunnel *t,
			  uint8_t proto, uint32_t spi);

/*
 * Inbound IPsec traffic from the peer was seen (e.g. an SA's packet
 * counter grew): proof of liveness that postpones DPD's R-U-THERE, as
 * RFC 3706 5.5 suggests. Optional.
 */
void ike_engine_peer_alive(struct ike_engine *e, const struct kipsecd_tunnel *t);

/* For `kipsec ike status`. */
enum ike_p1_status {
	IKE_P1_NONE,
	IKE_P1_CONNECTING,
	IKE_P1_ESTABLISHED,
};

struct ike_tunnel_status {
	enum ike_p1_status phase1;
	bool initiator;
	uint8_t icookie[8], rcookie[8];
	char proposal[KIPSECD_PROPOSAL_NAME_MAX];	/* phase 1, when established */
	bool peer_dpd;
	size_t n_children;		/* installed pairs (settling ones too) */
	size_t n_pending;		/* Quick Modes under way */
};

int ike_engine_status(const struct ike_engine *e, const struct kipsecd_tunnel *t,
		      struct ike_tunnel_status *st);

/* One installed pair, i-th of the tunnel (0-based); false past the end. */
struct ike_child_status {
	size_t proxy_index;
	uint8_t proto;
	uint32_t spi_in, spi_out;
	char proposal[KIPSECD_PROPOSAL_NAME_MAX];
	uint32_t life_seconds;
	uint64_t age_ms;
	bool rekeyed;			/* replaced, waiting for its deletion */
	/*
	 * Our rekey, settling: the inbound SA is in, the outbound one follows
	 * (IKE_REKEY_SETTLE_MS); the pair it replaces still carries our
	 * traffic.
	 */
	bool settling;
};

bool ike_engine_child_at(const struct ike_engine *e, const struct kipsecd_tunnel *t,
			 size_t i, struct ike_child_status *st);

#endif
