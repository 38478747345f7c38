// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the SA table. Every SA and SPI reservation of a network
 * namespace is in one rhashtable keyed by (SPI, protocol, direction,
 * outer address), which the inbound path searches under RCU; each tunnel
 * also lists its own SAs, and its outbound SAs in order of proxy-ID
 * specificity for the outbound path. Changes are made under the
 * namespace's mutex. An SA is freed after an RCU grace period and after
 * the last packet in flight let go of it.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "sa.h"

static const struct rhashtable_params kipsec_sa_params = {
	.key_len = sizeof(struct kipsec_sa_key),
	.key_offset = offsetof(struct kipsec_sa, key),
	.head_offset = offsetof(struct kipsec_sa, node),
	.automatic_shrinking = true,
};

int kipsec_sa_table_init(struct kipsec_net *kn)
{
	return rhashtable_init(&kn->sas, &kipsec_sa_params);
}

void kipsec_sa_table_destroy(struct kipsec_net *kn)
{
	/* Every tunnel, and so every SA, is gone by now. */
	WARN_ON(atomic_read(&kn->sas.nelems));
	rhashtable_destroy(&kn->sas);
}

void kipsec_sa_make_key(struct kipsec_sa_key *key, u32 spi, u8 proto, u8 dir,
			const struct kipsec_addr *addr)
{
	memset(key, 0, sizeof(*key));
	key->spi = htonl(spi);
	key->proto = proto;
	key->dir = dir;
	key->family = addr->family;
	if (addr->family == AF_INET)
		key->addr.s6_addr32[0] = addr->ip4;
	else
		key->addr = addr->ip6;
}

struct kipsec_sa *kipsec_sa_lookup(struct kipsec_net *kn, __be32 spi, u8 proto,
				   u8 dir, const struct kipsec_addr *dst)
{
	struct kipsec_sa_key key;
	struct kipsec_sa *sa;

	kipsec_sa_make_key(&key, 0, proto, dir, dst);
	key.spi = spi;
	sa = rhashtable_lookup(&kn->sas, &key, kipsec_sa_params);
	if (!sa || sa->reserved || kipsec_lifetime_dead(&sa->life))
		return NULL;
	return sa;
}

struct kipsec_sa *kipsec_sa_lookup_out(struct kipsec_tunnel *t,
				       const struct kipsec_flow *f)
{
	struct kipsec_sa *sa;

	/* An SA past a hard limit is as good as gone. */
	list_for_each_entry_rcu(sa, &t->out_sas, out_list)
		if (kipsec_selector_match(&sa->sel, f) &&
		    !kipsec_lifetime_dead(&sa->life))
			return sa;
	return NULL;
}

struct kipsec_sa *kipsec_sa_alloc(struct kipsec_tunnel *t, gfp_t gfp)
{
	struct kipsec_sa *sa;
	int cpu;

	sa = kzalloc(sizeof(*sa), gfp);
	if (!sa)
		return NULL;
	sa->stats = alloc_percpu_gfp(struct kipsec_sa_pcpu_stats, gfp);
	if (!sa->stats) {
		kfree(sa);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sa->stats, cpu)->syncp);
	refcount_set(&sa->ref, 1);
	spin_lock_init(&sa->lock);
	INIT_LIST_HEAD(&sa->list);
	INIT_LIST_HEAD(&sa->out_list);
	kipsec_selector_set_any(&sa->sel);
	kipsec_lifetime_init(&sa->life);
	sa->tunnel = t;
	netdev_hold(t->dev, &sa->dev_tracker, gfp);
	return sa;
}

static void kipsec_sa_free(struct kipsec_sa *sa)
{
	kipsec_crypto_destroy(&sa->crypto);
	kipsec_replay_destroy(&sa->replay);
	free_percpu(sa->stats);
	netdev_put(sa->tunnel->dev, &sa->dev_tracker);
	kfree(sa);
}

void kipsec_sa_free_new(struct kipsec_sa *sa)
{
	kipsec_sa_free(sa);
}

static void kipsec_sa_free_work(struct work_struct *work)
{
	kipsec_sa_free(container_of(to_rcu_work(work), struct kipsec_sa,
				    free_work));
}

/*
 * The last reference may go in softirq context (a packet in flight);
 * freeing a transform may sleep, so it happens in process context, after
 * a grace period for RCU readers that found the SA without a reference.
 */
void kipsec_sa_put(struct kipsec_sa *sa)
{
	if (!refcount_dec_and_test(&sa->ref))
		return;
	INIT_RCU_WORK(&sa->free_work, kipsec_sa_free_work);
	queue_rcu_work(kipsec_wq, &sa->free_work);
}

static void kipsec_sa_link_out(struct kipsec_tunnel *t, struct kipsec_sa *sa)
{
	struct kipsec_sa *pos;

	/* Before the first one that is not more specific: among equal proxy
	 * IDs the newest wins, which is what a rekey wants.
	 */
	list_for_each_entry(pos, &t->out_sas, out_list) {
		if (kipsec_selector_cmp(&sa->sel, &pos->sel) <= 0) {
			list_add_tail_rcu(&sa->out_list, &pos->out_list);
			return;
		}
	}
	list_add_tail_rcu(&sa->out_list, &t->out_sas);
}

/*
 * An update must never send a sequence number twice under a key: the old
 * SA's counter is set to its end in one atomic step, so it sends no more,
 * and the new SA goes on from where it stopped. Inbound, the new SA takes
 * over the old window.
 */
static void kipsec_sa_inherit(struct kipsec_sa *sa, struct kipsec_sa *old)
{
	if (sa->key.dir == KIPSEC_DIR_OUT) {
		u64 last;

		/* Running out now is no overflow to report. */
		set_bit(KIPSEC_LT_SEQ_OVERFLOW, &old->life.flags);
		last = atomic64_xchg(&old->oseq, old->oseq_max);

		atomic64_set(&sa->oseq, last);
		return;
	}
	spin_lock_bh(&old->lock);
	kipsec_replay_inherit(&sa->replay, &old->replay);
	spin_unlock_bh(&old->lock);
}

int kipsec_sa_insert(struct kipsec_tunnel *t, struct kipsec_sa *sa,
		     bool update, struct netlink_ext_ack *extack)
{
	struct kipsec_net *kn = t->kn;
	struct kipsec_sa *old;
	int ret;

	lockdep_assert_held(&kn->lock);

	old = rhashtable_lookup_fast(&kn->sas, &sa->key, kipsec_sa_params);
	if (old && old->reserved) {
		if (old->tunnel != t) {
			NL_SET_ERR_MSG(extack, "SPI reserved by another tunnel");
			return -EEXIST;
		}
		if (update) {
			NL_SET_ERR_MSG(extack, "no such SA: the SPI is only reserved");
			return -ENOENT;
		}
	} else if (old) {
		if (old->tunnel != t) {
			NL_SET_ERR_MSG(extack, "SPI in use by an SA of another tunnel");
			return -EEXIST;
		}
		if (!update) {
			NL_SET_ERR_MSG(extack, "SA exists");
			return -EEXIST;
		}
		kipsec_sa_inherit(sa, old);
	} else if (update) {
		NL_SET_ERR_MSG(extack, "no such SA");
		return -ENOENT;
	}

	if (old)
		ret = rhashtable_replace_fast(&kn->sas, &old->node, &sa->node,
					      kipsec_sa_params);
	else
		ret = rhashtable_insert_fast(&kn->sas, &sa->node,
					     kipsec_sa_params);
	if (WARN_ON(old && ret))
		return ret;
	if (ret) {
		NL_SET_ERR_MSG(extack, "SA table full");
		return ret;
	}

	/* The new outbound SA is linked before the old one goes, so that
	 * a packet sent meanwhile finds one or the other.
	 */
	list_add_tail(&sa->list, &t->sas);
	if (sa->key.dir == KIPSEC_DIR_OUT)
		kipsec_sa_link_out(t, sa);
	t->nr_sas++;
	if (old) {
		list_del(&old->list);
		if (!old->reserved) {
			t->nr_sas--;
			if (old->key.dir == KIPSEC_DIR_OUT)
				list_del_rcu(&old->out_list);
		}
		kipsec_sa_put(old);
	}
	kn->gen++;
	kipsec_lifetime_added(sa);
	return 0;
}

struct kipsec_sa *kipsec_sa_find(struct kipsec_tunnel *t, u8 dir, u32 spi,
				 u8 proto)
{
	const struct kipsec_endpoint *ep;
	struct kipsec_sa_key key;
	struct kipsec_sa *sa;

	lockdep_assert_held(&t->kn->lock);

	ep = rcu_dereference_protected(t->endpoint,
				       lockdep_is_held(&t->kn->lock));
	if (!ep)
		return NULL;
	kipsec_sa_make_key(&key, spi, proto, dir,
			   dir == KIPSEC_DIR_IN ? &ep->local : &ep->remote);
	sa = rhashtable_lookup_fast(&t->kn->sas, &key, kipsec_sa_params);
	if (!sa || sa->reserved || sa->tunnel != t)
		return NULL;
	return sa;
}

void kipsec_sa_remove(struct kipsec_sa *sa)
{
	struct kipsec_tunnel *t = sa->tunnel;

	lockdep_assert_held(&t->kn->lock);

	WARN_ON(rhashtable_remove_fast(&t->kn->sas, &sa->node,
				       kipsec_sa_params));
	list_del(&sa->list);
	if (!sa->reserved) {
		t->nr_sas--;
		if (sa->key.dir == KIPSEC_DIR_OUT)
			list_del_rcu(&sa->out_list);
	}
	t->kn->gen++;
	kipsec_sa_put(sa);
}

void kipsec_sa_flush_tunnel(struct kipsec_tunnel *t)
{
	struct kipsec_sa *sa, *tmp;

	lockdep_assert_held(&t->kn->lock);

	list_for_each_entry_safe(sa, tmp, &t->sas, list)
		kipsec_sa_remove(sa);
	list_for_each_entry_safe(sa, tmp, &t->reserved, list)
		kipsec_sa_remove(sa);
}

void kipsec_spi_expire(struct kipsec_tunnel *t)
{
	struct kipsec_sa *sa, *tmp;

	lockdep_assert_held(&t->kn->lock);

	list_for_each_entry_safe(sa, tmp, &t->reserved, list)
		if (time_after_eq(jiffies, sa->expires))
			kipsec_sa_remove(sa);
}

/* Is @spi taken, by an SA or reservation of any tunnel's local address? */
static bool kipsec_spi_used(struct kipsec_net *kn, u32 spi, u8 proto)
{
	const struct kipsec_endpoint *ep;
	struct kipsec_tunnel *t;
	struct kipsec_sa_key key;

	list_for_each_entry(t, &kn->tunnels, list) {
		ep = rcu_dereference_protected(t->endpoint,
					       lockdep_is_held(&kn->lock));
		if (!ep || !ep->local.family)
			continue;
		kipsec_sa_make_key(&key, spi, proto, KIPSEC_DIR_IN, &ep->local);
		if (rhashtable_lookup_fast(&kn->sas, &key, kipsec_sa_params))
			return true;
	}
	return false;
}

int kipsec_spi_alloc(struct kipsec_tunnel *t, u8 proto, u32 min, u32 max,
		     u32 *spi, struct netlink_ext_ack *extack)
{
	struct kipsec_net *kn = t->kn;
	const struct kipsec_endpoint *ep;
	u64 range = (u64)max - min + 1;
	struct kipsec_tunnel *tt;
	struct kipsec_sa *sa;
	u32 candidate = 0;
	bool found = false;
	u64 i, tries;
	int ret;

	lockdep_assert_held(&kn->lock);

	ep = rcu_dereference_protected(t->endpoint, lockdep_is_held(&kn->lock));
	if (!ep || !ep->local.family) {
		NL_SET_ERR_MSG(extack, "the tunnel has no local address");
		return -EADDRNOTAVAIL;
	}
	/* Lapsed reservations of the namespace free their SPIs. */
	list_for_each_entry(tt, &kn->tunnels, list)
		kipsec_spi_expire(tt);

	/*
	 * Random candidates; a small range is searched whole from a random
	 * start, so that the last free SPI of it is found too.
	 */
	tries = range <= 65536 ? range : 4096;
	candidate = get_random_u32_inclusive(min, max);
	for (i = 0; i < tries; i++) {
		if (range > 65536)
			candidate = get_random_u32_inclusive(min, max);
		else
			candidate = min + (u32)((candidate - min + 1) % range);
		if (!kipsec_spi_used(kn, candidate, proto)) {
			found = true;
			break;
		}
	}
	if (!found) {
		NL_SET_ERR_MSG(extack, "no free SPI in the range");
		return -ENOSPC;
	}

	sa = kipsec_sa_alloc(t, GFP_KERNEL);
	if (!sa)
		return -ENOMEM;
	sa->reserved = true;
	sa->expires = jiffies + KIPSEC_SPI_RESERVE_SECS * HZ;
	kipsec_sa_make_key(&sa->key, candidate, proto, KIPSEC_DIR_IN,
			   &ep->local);
	ret = rhashtable_insert_fast(&kn->sas, &sa->node, kipsec_sa_params);
	if (ret) {
		kipsec_sa_free_new(sa);
		NL_SET_ERR_MSG(extack, "SA table full");
		return ret;
	}
	list_add_tail(&sa->list, &t->reserved);
	kn->gen++;
	*spi = candidate;
	return 0;
}

void kipsec_sa_read_stats(struct kipsec_sa *sa, struct kipsec_sa_stats *st)
{
	unsigned int start, i;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct kipsec_sa_pcpu_stats *s = per_cpu_ptr(sa->stats, cpu);
		u64 packets, bytes, drops[KIPSEC_DROP_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			packets = u64_stats_read(&s->packets);
			bytes = u64_stats_read(&s->bytes);
			for (i = 0; i < KIPSEC_DROP_MAX; i++)
				drops[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		st->packets += packets;
		st->bytes += bytes;
		for (i = 0; i < KIPSEC_DROP_MAX; i++)
			st->drops[i] += drops[i];
	}
}
