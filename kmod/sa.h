/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: security associations, their table and their counters.
 */
#ifndef _KIPSEC_SA_H
#define _KIPSEC_SA_H

#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "crypto.h"
#include "kipsec.h"
#include "lifetime.h"
#include "replay.h"
#include "selector.h"

/*
 * How an SA is found: inbound by the SPI, protocol and outer destination
 * of a packet; outbound by the same for the packets it sends. An IPv4
 * address is in addr.s6_addr32[0], the rest of @addr zero.
 */
struct kipsec_sa_key {
	__be32 spi;
	u8 proto;
	u8 dir;
	u16 family;
	struct in6_addr addr;
};

/* Per-SA drop reasons (KIPSEC_A_SSTATS_DROP_*). */
enum kipsec_sa_drop {
	KIPSEC_DROP_REPLAY,
	KIPSEC_DROP_WINDOW,
	KIPSEC_DROP_AUTH,
	KIPSEC_DROP_PAD,
	KIPSEC_DROP_PROXY_ID,
	KIPSEC_DROP_SEQ,
	KIPSEC_DROP_OTHER,
	KIPSEC_DROP_MAX
};

struct kipsec_sa_pcpu_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t drops[KIPSEC_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct kipsec_sa_stats {
	u64 packets;
	u64 bytes;
	u64 drops[KIPSEC_DROP_MAX];
};

/**
 * struct kipsec_sa - one security association, or an SPI reservation
 * @node:     in kipsec_net.sas.
 * @key:      its key there.
 * @list:     on the tunnel's @sas (or @reserved), under kn->lock.
 * @out_list: outbound SAs: on the tunnel's @out_sas, RCU.
 * @tunnel:   the tunnel; the SA holds a reference on its device.
 * @ref:      one for the table, one for each packet in flight.
 * @reserved: an SPI reservation: no keys, never used by packets.
 * @expires:  jiffies when a reservation lapses.
 * @sel:      the proxy ID.
 * @src, @dst: outer addresses, taken from the tunnel when added.
 * @crypto:   the transform.
 * @aead_alg, @enc_alg, @auth_alg: as configured, for dumps.
 * @flags:    KIPSEC_SA_F_*.
 * @oseq:     outbound: the last sequence number sent.
 * @oseq_max: outbound: the last one that may be sent.
 * @lock:     inbound: protects @replay.
 * @replay:   inbound: the anti-replay window.
 * @stats:    per-CPU counters.
 * @life:     lifetime limits and their state (lifetime.h).
 */
struct kipsec_sa {
	struct rhash_head node;
	struct kipsec_sa_key key;
	struct list_head list;
	struct list_head out_list;
	struct kipsec_tunnel *tunnel;
	netdevice_tracker dev_tracker;
	refcount_t ref;
	bool reserved;
	unsigned long expires;
	struct kipsec_selector sel;
	struct kipsec_addr src;
	struct kipsec_addr dst;
	struct kipsec_crypto crypto;
	u32 aead_alg;
	u32 enc_alg;
	u32 auth_alg;
	u32 flags;
	atomic64_t oseq;
	u64 oseq_max;
	spinlock_t lock;	/* protects @replay */
	struct kipsec_replay replay;
	struct kipsec_sa_pcpu_stats __percpu *stats;
	struct kipsec_sa_life life;
	struct rcu_work free_work;
};

static inline bool kipsec_sa_esn(const struct kipsec_sa *sa)
{
	return sa->flags & KIPSEC_SA_F_ESN;
}

static inline void kipsec_sa_count(struct kipsec_sa *sa, unsigned int bytes)
{
	struct kipsec_sa_pcpu_stats *s = this_cpu_ptr(sa->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, bytes);
	u64_stats_update_end(&s->syncp);
}

static inline void kipsec_sa_drop(struct kipsec_sa *sa,
				  enum kipsec_sa_drop why)
{
	struct kipsec_sa_pcpu_stats *s = this_cpu_ptr(sa->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
}

/*
 * Charge a packet that the SA is about to send (before encryption) or to
 * deliver (after every check) against its lifetime. False: the SA reached
 * a hard limit before this packet, which must be dropped; the packet that
 * reaches a hard byte or packet limit is the last one accepted.
 */
static inline bool kipsec_sa_charge(struct kipsec_sa *sa, unsigned int bytes)
{
	if (unlikely(!atomic64_read(&sa->life.use_ns)))
		kipsec_lifetime_first_use(sa);
	if (likely(!sa->life.counted))
		return !kipsec_lifetime_dead(&sa->life);
	return __kipsec_lifetime_charge(sa, bytes);
}

static inline bool kipsec_sa_hold(struct kipsec_sa *sa)
{
	return refcount_inc_not_zero(&sa->ref);
}

void kipsec_sa_put(struct kipsec_sa *sa);

int kipsec_sa_table_init(struct kipsec_net *kn);
void kipsec_sa_table_destroy(struct kipsec_net *kn);

void kipsec_sa_make_key(struct kipsec_sa_key *key, u32 spi, u8 proto, u8 dir,
			const struct kipsec_addr *addr);

/* Under RCU: the SA (not a reservation) with this key, or NULL; no
 * reference taken. @dst is the outer destination: for an inbound SA our
 * address, for an outbound one the peer's.
 */
struct kipsec_sa *kipsec_sa_lookup(struct kipsec_net *kn, __be32 spi, u8 proto,
				   u8 dir, const struct kipsec_addr *dst);
/* Under RCU: the most specific outbound SA whose proxy ID takes @f. */
struct kipsec_sa *kipsec_sa_lookup_out(struct kipsec_tunnel *t,
				       const struct kipsec_flow *f);

/* Allocation of an SA with everything but crypto and replay state. */
struct kipsec_sa *kipsec_sa_alloc(struct kipsec_tunnel *t, gfp_t gfp);
/* Free an SA that was never inserted. */
void kipsec_sa_free_new(struct kipsec_sa *sa);

/* Configuration, under kn->lock. */
int kipsec_sa_insert(struct kipsec_tunnel *t, struct kipsec_sa *sa,
		     bool update, struct netlink_ext_ack *extack);
struct kipsec_sa *kipsec_sa_find(struct kipsec_tunnel *t, u8 dir, u32 spi,
				 u8 proto);
void kipsec_sa_remove(struct kipsec_sa *sa);
void kipsec_sa_flush_tunnel(struct kipsec_tunnel *t);
int kipsec_spi_alloc(struct kipsec_tunnel *t, u8 proto, u32 min, u32 max,
		     u32 *spi, struct netlink_ext_ack *extack);
/* Drop the tunnel's SPI reservations that have lapsed. */
void kipsec_spi_expire(struct kipsec_tunnel *t);

void kipsec_sa_read_stats(struct kipsec_sa *sa, struct kipsec_sa_stats *st);

#endif /* _KIPSEC_SA_H */
