/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: SA lifetimes (soft and hard limits) and the events the module
 * sends on the "events" multicast group: EXPIRE, SEQ_OVERFLOW, ACQUIRE.
 */
#ifndef _KIPSEC_LIFETIME_H
#define _KIPSEC_LIFETIME_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/netlink.h>

#include "selector.h"
#include "uapi/kipsec.h"

struct kipsec_sa;
struct kipsec_net;
struct kipsec_tunnel;

/* One set of limits; 0 is no limit. */
struct kipsec_lifetime {
	u64 time;	/* seconds since the SA was added */
	u64 use_time;	/* seconds since its first packet */
	u64 bytes;
	u64 packets;
};

/* Bits of kipsec_sa_life.flags. */
enum {
	/* A soft limit fired (its event was sent); one bit per kind. */
	KIPSEC_LT_SOFT_TIME,
	KIPSEC_LT_SOFT_USE_TIME,
	KIPSEC_LT_SOFT_BYTES,
	KIPSEC_LT_SOFT_PACKETS,
	/* A hard limit was reached: the SA is no longer used by packets and
	 * waits for the lifetime work to remove it.
	 */
	KIPSEC_LT_DEAD,
	/* The SEQ_OVERFLOW event was sent (or is not wanted). */
	KIPSEC_LT_SEQ_OVERFLOW,
};

/**
 * struct kipsec_sa_life - the lifetime state of one SA
 * @soft:      soft limits: an EXPIRE event, the SA goes on.
 * @hard:      hard limits: an EXPIRE event, the SA is removed.
 * @counted:   a byte or packet limit is set: @packets and @bytes count.
 * @timed:     a time or use-time limit is set: the netns work watches it.
 * @hard_limit: the kipsec_lifetime_attr that made the SA dead.
 * @flags:     KIPSEC_LT_* bits.
 * @add_ns:    boot time (ns) when the SA was added.
 * @use_ns:    boot time (ns) of its first packet, 0 before it.
 * @packets:   packets charged against the limits.
 * @bytes:     inner bytes charged against the limits.
 */
struct kipsec_sa_life {
	struct kipsec_lifetime soft;
	struct kipsec_lifetime hard;
	bool counted;
	bool timed;
	u8 hard_limit;
	unsigned long flags;
	u64 add_ns;
	atomic64_t use_ns;
	atomic64_t packets;
	atomic64_t bytes;
};

/* The ACQUIRE rate limiter of a tunnel: recent selectors, by hash. */
#define KIPSEC_ACQUIRE_SLOTS	32

struct kipsec_acquire_slot {
	struct kipsec_flow flow;
	unsigned long stamp;	/* jiffies of the last event; 0: empty */
};

struct kipsec_acquire_cache {
	spinlock_t lock;	/* protects @slots */
	u32 seed;
	struct kipsec_acquire_slot slots[KIPSEC_ACQUIRE_SLOTS];
};

extern const struct nla_policy kipsec_lifetime_policy[KIPSEC_A_LIFETIME_MAX + 1];

/* Configuration (lifetime.c) */
void kipsec_lifetime_init(struct kipsec_sa_life *l);
int kipsec_lifetime_get(struct nlattr **attrs, struct kipsec_sa_life *l,
			struct netlink_ext_ack *extack);
int kipsec_lifetime_fill(struct sk_buff *skb, const struct kipsec_sa_life *l);
/* An SA was inserted (under kn->lock): start watching its time limits. */
void kipsec_lifetime_added(struct kipsec_sa *sa);
void kipsec_lifetime_net_init(struct kipsec_net *kn);
/* After the namespace's tunnels, and so its SAs, are gone. */
void kipsec_lifetime_net_exit(struct kipsec_net *kn);

/* Data path (lifetime.c) */
bool __kipsec_lifetime_charge(struct kipsec_sa *sa, unsigned int bytes);
void kipsec_lifetime_first_use(struct kipsec_sa *sa);

static inline bool kipsec_lifetime_dead(const struct kipsec_sa_life *l)
{
	return test_bit(KIPSEC_LT_DEAD, &l->flags);
}

/* Events (event.c) */
void kipsec_event_expire(struct kipsec_sa *sa, bool hard, u8 limit, gfp_t gfp);
void kipsec_event_seq_overflow(struct kipsec_sa *sa);
void kipsec_acquire(struct kipsec_tunnel *t, const struct kipsec_flow *f);
void kipsec_acquire_init(struct kipsec_acquire_cache *c);

#endif /* _KIPSEC_LIFETIME_H */
