// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: events on the "events" multicast group (EXPIRE, SEQ_OVERFLOW,
 * ACQUIRE), sent to listeners in the tunnel's network namespace only.
 * Most are sent from the data path, in atomic context: they allocate with
 * GFP_ATOMIC and never sleep. A lost event (no memory) is not retried.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <net/genetlink.h>

#include "kipsec.h"
#include "lifetime.h"
#include "sa.h"

static void kipsec_event_send(struct net *net, struct sk_buff *msg, gfp_t gfp)
{
	/* -ESRCH: nobody listens, which is fine. */
	genlmsg_multicast_netns(&kipsec_genl_family, net, msg, 0,
				KIPSEC_MCGRP_EVENTS_IDX, gfp);
}

/* The SA exactly as in an SA_GET reply (never its keys), as event @cmd. */
static struct sk_buff *kipsec_event_sa_msg(struct kipsec_sa *sa, u8 cmd,
					   gfp_t gfp)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!msg)
		return NULL;
	if (kipsec_sa_fill_cmd(msg, sa, cmd)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

void kipsec_event_expire(struct kipsec_sa *sa, bool hard, u8 limit, gfp_t gfp)
{
	struct sk_buff *msg;

	msg = kipsec_event_sa_msg(sa, KIPSEC_CMD_EXPIRE, gfp);
	if (!msg)
		return;
	/* The fill ended the message; the expire attributes extend it. */
	if (nla_put_u8(msg, KIPSEC_A_SA_EXPIRE_HARD, hard) ||
	    nla_put_u8(msg, KIPSEC_A_SA_EXPIRE_LIMIT, limit)) {
		nlmsg_free(msg);
		return;
	}
	nlmsg_end(msg, nlmsg_hdr(msg));
	kipsec_event_send(dev_net(sa->tunnel->dev), msg, gfp);
}

/* Once per SA: its last sequence number was taken, or none was left. */
void kipsec_event_seq_overflow(struct kipsec_sa *sa)
{
	struct sk_buff *msg;

	if (test_bit(KIPSEC_LT_SEQ_OVERFLOW, &sa->life.flags) ||
	    test_and_set_bit(KIPSEC_LT_SEQ_OVERFLOW, &sa->life.flags))
		return;
	msg = kipsec_event_sa_msg(sa, KIPSEC_CMD_SEQ_OVERFLOW, GFP_ATOMIC);
	if (msg)
		kipsec_event_send(dev_net(sa->tunnel->dev), msg, GFP_ATOMIC);
}

void kipsec_acquire_init(struct kipsec_acquire_cache *c)
{
	spin_lock_init(&c->lock);
	c->seed = get_random_u32();
	memset(c->slots, 0, sizeof(c->slots));
}

/*
 * Whether the selector of @f had no ACQUIRE in the last interval; if so,
 * it has one now. One slot per hash: two selectors sharing a slot may
 * each get more than one event per interval, never fewer than one.
 */
static bool kipsec_acquire_due(struct kipsec_acquire_cache *c,
			       const struct kipsec_flow *f)
{
	struct kipsec_acquire_slot *slot;
	unsigned long now = jiffies;
	bool due = true;

	slot = &c->slots[jhash(f, sizeof(*f), c->seed) %
			 KIPSEC_ACQUIRE_SLOTS];
	spin_lock_bh(&c->lock);
	if (slot->stamp && !memcmp(&slot->flow, f, sizeof(*f)) &&
	    time_before(now, slot->stamp +
			msecs_to_jiffies(KIPSEC_ACQUIRE_INTERVAL_MS))) {
		due = false;
	} else {
		slot->flow = *f;
		slot->stamp = now ?: 1;
	}
	spin_unlock_bh(&c->lock);
	return due;
}

static int kipsec_put_host(struct sk_buff *skb, const struct kipsec_flow *f,
			   const union kipsec_inaddr *a, int attr4, int attr6,
			   int attr_len)
{
	if (f->family == AF_INET)
		return nla_put_in_addr(skb, attr4, a->ip4) ||
		       nla_put_u8(skb, attr_len, 32);
	return nla_put_in6_addr(skb, attr6, &a->ip6) ||
	       nla_put_u8(skb, attr_len, 128);
}

/*
 * An outbound packet of selector @f matched no SA of @t (already counted
 * as tx-no-sa): ask the keyer for one, at most once an interval.
 */
void kipsec_acquire(struct kipsec_tunnel *t, const struct kipsec_flow *f)
{
	struct net_device *dev = t->dev;
	struct sk_buff *msg;
	void *hdr;

	if (!kipsec_acquire_due(&t->acquire, f))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &kipsec_genl_family, 0,
			  KIPSEC_CMD_ACQUIRE);
	if (!hdr ||
	    nla_put_u32(msg, KIPSEC_A_SA_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, KIPSEC_A_SA_IFNAME, dev->name) ||
	    kipsec_put_host(msg, f, &f->local, KIPSEC_A_SA_PID_LOCAL_IPV4,
			    KIPSEC_A_SA_PID_LOCAL_IPV6,
			    KIPSEC_A_SA_PID_LOCAL_PREFIXLEN) ||
	    kipsec_put_host(msg, f, &f->remote, KIPSEC_A_SA_PID_REMOTE_IPV4,
			    KIPSEC_A_SA_PID_REMOTE_IPV6,
			    KIPSEC_A_SA_PID_REMOTE_PREFIXLEN) ||
	    nla_put_u8(msg, KIPSEC_A_SA_PID_PROTO, f->proto) ||
	    (f->ports &&
	     (nla_put_u16(msg, KIPSEC_A_SA_PID_LPORT_MIN, f->lport) ||
	      nla_put_u16(msg, KIPSEC_A_SA_PID_LPORT_MAX, f->lport) ||
	      nla_put_u16(msg, KIPSEC_A_SA_PID_RPORT_MIN, f->rport) ||
	      nla_put_u16(msg, KIPSEC_A_SA_PID_RPORT_MAX, f->rport)))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	kipsec_tunnel_drop(t, KIPSEC_TDROP_ACQUIRES);
	kipsec_event_send(dev_net(dev), msg, GFP_ATOMIC);
}
