// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: SA lifetimes. Byte and packet limits are checked on the data
 * path, per packet (kipsec_sa_charge()); time and use-time limits by one
 * delayed work per network namespace, which runs at the next deadline of
 * any of its SAs. Reaching a soft limit sends an EXPIRE event once per
 * kind; reaching a hard limit marks the SA dead at once (lookups skip it)
 * and lets the namespace's work remove it under the mutex and send the
 * hard EXPIRE, since the data path runs in atomic context.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>
#include <net/netlink.h>

#include "kipsec.h"
#include "lifetime.h"
#include "sa.h"

/* The work looks again at least this often, whatever the deadlines. */
#define KIPSEC_LT_MAX_SLEEP	(3600 * HZ)

const struct nla_policy kipsec_lifetime_policy[KIPSEC_A_LIFETIME_MAX + 1] = {
	[KIPSEC_A_LIFETIME_TIME] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_USE_TIME] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_BYTES] = { .type = NLA_U64 },
	[KIPSEC_A_LIFETIME_PACKETS] = { .type = NLA_U64 },
};

void kipsec_lifetime_init(struct kipsec_sa_life *l)
{
	memset(l, 0, sizeof(*l));
	l->add_ns = ktime_get_boottime_ns();
	atomic64_set(&l->use_ns, 0);
	atomic64_set(&l->packets, 0);
	atomic64_set(&l->bytes, 0);
}

static void kipsec_lifetime_parse(struct nlattr **tb, struct kipsec_lifetime *lt)
{
	memset(lt, 0, sizeof(*lt));
	if (tb[KIPSEC_A_LIFETIME_TIME])
		lt->time = nla_get_u64(tb[KIPSEC_A_LIFETIME_TIME]);
	if (tb[KIPSEC_A_LIFETIME_USE_TIME])
		lt->use_time = nla_get_u64(tb[KIPSEC_A_LIFETIME_USE_TIME]);
	if (tb[KIPSEC_A_LIFETIME_BYTES])
		lt->bytes = nla_get_u64(tb[KIPSEC_A_LIFETIME_BYTES]);
	if (tb[KIPSEC_A_LIFETIME_PACKETS])
		lt->packets = nla_get_u64(tb[KIPSEC_A_LIFETIME_PACKETS]);
}

/* A soft limit must lie below the hard limit of the same kind. */
static bool kipsec_soft_below(u64 soft, u64 hard)
{
	return !soft || !hard || soft < hard;
}

int kipsec_lifetime_get(struct nlattr **attrs, struct kipsec_sa_life *l,
			struct netlink_ext_ack *extack)
{
	static const char * const why[] = {
		[KIPSEC_A_LIFETIME_TIME] =
			"the soft time limit must lie below the hard one",
		[KIPSEC_A_LIFETIME_USE_TIME] =
			"the soft use-time limit must lie below the hard one",
		[KIPSEC_A_LIFETIME_BYTES] =
			"the soft byte limit must lie below the hard one",
		[KIPSEC_A_LIFETIME_PACKETS] =
			"the soft packet limit must lie below the hard one",
	};
	struct nlattr *tb_soft[KIPSEC_A_LIFETIME_MAX + 1] = {};
	struct nlattr *tb_hard[KIPSEC_A_LIFETIME_MAX + 1] = {};
	struct nlattr *soft = attrs[KIPSEC_A_SA_LIFETIME_SOFT];
	struct nlattr *hard = attrs[KIPSEC_A_SA_LIFETIME_HARD];
	int kind, ret;

	/* The policy validated both nests (NLA_POLICY_NESTED, strictly). */
	if (soft) {
		ret = nla_parse_nested(tb_soft, KIPSEC_A_LIFETIME_MAX, soft,
				       kipsec_lifetime_policy, extack);
		if (ret)
			return ret;
	}
	if (hard) {
		ret = nla_parse_nested(tb_hard, KIPSEC_A_LIFETIME_MAX, hard,
				       kipsec_lifetime_policy, extack);
		if (ret)
			return ret;
	}
	kipsec_lifetime_parse(tb_soft, &l->soft);
	kipsec_lifetime_parse(tb_hard, &l->hard);

	for (kind = KIPSEC_A_LIFETIME_TIME; kind <= KIPSEC_A_LIFETIME_PACKETS;
	     kind++) {
		u64 s = tb_soft[kind] ? nla_get_u64(tb_soft[kind]) : 0;
		u64 h = tb_hard[kind] ? nla_get_u64(tb_hard[kind]) : 0;

		if (!kipsec_soft_below(s, h)) {
			/* The offending attribute inside the soft nest. */
			if (extack) {
				extack->_msg = why[kind];
				extack->bad_attr = tb_soft[kind];
			}
			return -EINVAL;
		}
	}
	l->counted = l->soft.bytes || l->soft.packets || l->hard.bytes ||
		     l->hard.packets;
	l->timed = l->soft.time || l->soft.use_time || l->hard.time ||
		   l->hard.use_time;
	return 0;
}

static int kipsec_lifetime_put(struct sk_buff *skb, int type,
			       const struct kipsec_lifetime *lt)
{
	struct nlattr *nest;

	if (!lt->time && !lt->use_time && !lt->bytes && !lt->packets)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if ((lt->time &&
	     nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_TIME, lt->time,
			       KIPSEC_A_LIFETIME_PAD)) ||
	    (lt->use_time &&
	     nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_USE_TIME, lt->use_time,
			       KIPSEC_A_LIFETIME_PAD)) ||
	    (lt->bytes &&
	     nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_BYTES, lt->bytes,
			       KIPSEC_A_LIFETIME_PAD)) ||
	    (lt->packets &&
	     nla_put_u64_64bit(skb, KIPSEC_A_LIFETIME_PACKETS, lt->packets,
			       KIPSEC_A_LIFETIME_PAD))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Lifetimes, age and use age of an SA reply or event. */
int kipsec_lifetime_fill(struct sk_buff *skb, const struct kipsec_sa_life *l)
{
	u64 now = ktime_get_boottime_ns();
	u64 used = atomic64_read(&l->use_ns);

	if (kipsec_lifetime_put(skb, KIPSEC_A_SA_LIFETIME_SOFT, &l->soft) ||
	    kipsec_lifetime_put(skb, KIPSEC_A_SA_LIFETIME_HARD, &l->hard) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_SA_AGE,
			      div_u64(now - l->add_ns, NSEC_PER_SEC),
			      KIPSEC_A_SA_PAD) ||
	    (used && nla_put_u64_64bit(skb, KIPSEC_A_SA_USE_AGE,
				       div_u64(now - used, NSEC_PER_SEC),
				       KIPSEC_A_SA_PAD)))
		return -EMSGSIZE;
	return 0;
}

static void kipsec_lifetime_kick(struct kipsec_net *kn)
{
	mod_delayed_work(kipsec_wq, &kn->lt_work, 0);
}

void kipsec_lifetime_added(struct kipsec_sa *sa)
{
	lockdep_assert_held(&sa->tunnel->kn->lock);
	if (sa->life.timed)
		kipsec_lifetime_kick(sa->tunnel->kn);
}

void kipsec_lifetime_first_use(struct kipsec_sa *sa)
{
	s64 zero = 0;

	/* Boot time is never 0 once packets flow. */
	if (atomic64_try_cmpxchg(&sa->life.use_ns, &zero,
				 ktime_get_boottime_ns()) &&
	    (sa->life.soft.use_time || sa->life.hard.use_time))
		kipsec_lifetime_kick(sa->tunnel->kn);
}

/* A hard limit was reached: stop using the SA now, remove it soon. */
static void kipsec_lifetime_kill(struct kipsec_sa *sa, u8 limit)
{
	if (test_bit(KIPSEC_LT_DEAD, &sa->life.flags))
		return;
	WRITE_ONCE(sa->life.hard_limit, limit);
	/* A value-returning atomic: fully ordered, so the work that sees the
	 * bit sees hard_limit.
	 */
	if (!test_and_set_bit(KIPSEC_LT_DEAD, &sa->life.flags))
		kipsec_lifetime_kick(sa->tunnel->kn);
}

static void kipsec_lifetime_soft(struct kipsec_sa *sa, int bit, u8 limit,
				 gfp_t gfp)
{
	if (!test_bit(bit, &sa->life.flags) &&
	    !test_and_set_bit(bit, &sa->life.flags))
		kipsec_event_expire(sa, false, limit, gfp);
}

bool __kipsec_lifetime_charge(struct kipsec_sa *sa, unsigned int bytes)
{
	struct kipsec_sa_life *l = &sa->life;
	u64 p, b;

	if (kipsec_lifetime_dead(l))
		return false;
	p = atomic64_inc_return(&l->packets);
	b = atomic64_add_return(bytes, &l->bytes);

	/* Already at a hard limit before this packet (a race with another
	 * CPU, or a packet in flight): it is not accepted.
	 */
	if ((l->hard.packets && p > l->hard.packets) ||
	    (l->hard.bytes && b - bytes >= l->hard.bytes))
		return false;
	if (l->hard.packets && p >= l->hard.packets) {
		kipsec_lifetime_kill(sa, KIPSEC_A_LIFETIME_PACKETS);
		return true;
	}
	if (l->hard.bytes && b >= l->hard.bytes) {
		kipsec_lifetime_kill(sa, KIPSEC_A_LIFETIME_BYTES);
		return true;
	}
	if (l->soft.packets && p >= l->soft.packets)
		kipsec_lifetime_soft(sa, KIPSEC_LT_SOFT_PACKETS,
				     KIPSEC_A_LIFETIME_PACKETS, GFP_ATOMIC);
	if (l->soft.bytes && b >= l->soft.bytes)
		kipsec_lifetime_soft(sa, KIPSEC_LT_SOFT_BYTES,
				     KIPSEC_A_LIFETIME_BYTES, GFP_ATOMIC);
	return true;
}

/* @base + @secs seconds, in ns, saturated; U64_MAX: never. */
static u64 kipsec_deadline(u64 base, u64 secs)
{
	if (!secs || secs > (U64_MAX - base) / NSEC_PER_SEC)
		return U64_MAX;
	return base + secs * NSEC_PER_SEC;
}

/*
 * The time limits of one SA at @now. Returns the hard limit reached, or
 * 0; fires soft limits; lowers *@next to its next deadline.
 */
static u8 kipsec_lifetime_check_time(struct kipsec_sa *sa, u64 now, u64 *next)
{
	struct kipsec_sa_life *l = &sa->life;
	u64 used = atomic64_read(&l->use_ns);
	u64 d;

	d = kipsec_deadline(l->add_ns, l->hard.time);
	if (now >= d)
		return KIPSEC_A_LIFETIME_TIME;
	*next = min(*next, d);
	if (used) {
		d = kipsec_deadline(used, l->hard.use_time);
		if (now >= d)
			return KIPSEC_A_LIFETIME_USE_TIME;
		*next = min(*next, d);
	}

	if (!test_bit(KIPSEC_LT_SOFT_TIME, &l->flags)) {
		d = kipsec_deadline(l->add_ns, l->soft.time);
		if (now >= d)
			kipsec_lifetime_soft(sa, KIPSEC_LT_SOFT_TIME,
					     KIPSEC_A_LIFETIME_TIME,
					     GFP_KERNEL);
		else
			*next = min(*next, d);
	}
	if (used && !test_bit(KIPSEC_LT_SOFT_USE_TIME, &l->flags)) {
		d = kipsec_deadline(used, l->soft.use_time);
		if (now >= d)
			kipsec_lifetime_soft(sa, KIPSEC_LT_SOFT_USE_TIME,
					     KIPSEC_A_LIFETIME_USE_TIME,
					     GFP_KERNEL);
		else
			*next = min(*next, d);
	}
	return 0;
}

/* Remove a dead SA and tell the listeners; under kn->lock. */
static void kipsec_lifetime_remove(struct kipsec_sa *sa, u8 limit)
{
	lockdep_assert_held(&sa->tunnel->kn->lock);

	/* The event carries the SA as it was when removed. */
	if (!kipsec_sa_hold(sa))
		return;
	kipsec_sa_remove(sa);
	kipsec_event_expire(sa, true, limit, GFP_KERNEL);
	kipsec_sa_put(sa);
}

static void kipsec_lifetime_work(struct work_struct *work)
{
	struct kipsec_net *kn = container_of(to_delayed_work(work),
					     struct kipsec_net, lt_work);
	struct kipsec_sa *sa, *tmp;
	struct kipsec_tunnel *t;
	u64 now, next = U64_MAX;
	u8 limit;

	mutex_lock(&kn->lock);
	now = ktime_get_boottime_ns();
	list_for_each_entry(t, &kn->tunnels, list) {
		list_for_each_entry_safe(sa, tmp, &t->sas, list) {
			struct kipsec_sa_life *l = &sa->life;

			if (test_bit(KIPSEC_LT_DEAD, &l->flags)) {
				/* Pairs with kipsec_lifetime_kill(). */
				smp_rmb();
				kipsec_lifetime_remove(sa,
						       READ_ONCE(l->hard_limit));
				continue;
			}
			if (!l->timed)
				continue;
			limit = kipsec_lifetime_check_time(sa, now, &next);
			if (limit) {
				WRITE_ONCE(l->hard_limit, limit);
				set_bit(KIPSEC_LT_DEAD, &l->flags);
				kipsec_lifetime_remove(sa, limit);
			}
		}
	}
	if (next != U64_MAX) {
		unsigned long delay = nsecs_to_jiffies(next - now) + 1;

		/* A kick meanwhile (mod_delayed_work) is not undone: this
		 * only queues the work if it is idle.
		 */
		queue_delayed_work(kipsec_wq, &kn->lt_work,
				   min_t(unsigned long, delay,
					 KIPSEC_LT_MAX_SLEEP));
	}
	mutex_unlock(&kn->lock);
}

void kipsec_lifetime_net_init(struct kipsec_net *kn)
{
	INIT_DELAYED_WORK(&kn->lt_work, kipsec_lifetime_work);
}

void kipsec_lifetime_net_exit(struct kipsec_net *kn)
{
	/*
	 * Every SA of the namespace is freed by now (each held a reference
	 * on its device, and the devices are gone), so nothing can queue the
	 * work again; it may still be queued or running from before.
	 */
	cancel_delayed_work_sync(&kn->lt_work);
}
