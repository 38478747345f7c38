/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: shared declarations of the module's parts.
 */
#ifndef _KIPSEC_H
#define _KIPSEC_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/in6.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "lifetime.h"
#include "uapi/kipsec.h"

/* An outer address of a tunnel; family AF_UNSPEC means not set. */
struct kipsec_addr {
	sa_family_t family;
	union {
		__be32 ip4;
		struct in6_addr ip6;
	};
};

/*
 * The outer addresses of a tunnel. Read under RCU on the packet path,
 * replaced as a whole (never modified in place) under kipsec_net.lock.
 */
struct kipsec_endpoint {
	struct kipsec_addr local;
	struct kipsec_addr remote;
	struct rcu_head rcu;
};

/* Per network namespace state. */
struct kipsec_net {
	/* Serializes all configuration of this namespace's tunnels and SAs. */
	struct mutex lock;
	/* Every kipsec device of the namespace: changed under @lock, read
	 * under @lock or RCU.
	 */
	struct list_head tunnels;
	/* Bumped on every change of @tunnels or of an SA list, for dumps. */
	unsigned int gen;
	/* Every SA and SPI reservation, by struct kipsec_sa_key; changed
	 * under @lock, looked up under RCU.
	 */
	struct rhashtable sas;
	/* Watches the time limits of the namespace's SAs and removes SAs
	 * that reached a hard limit (lifetime.c).
	 */
	struct delayed_work lt_work;
};

/* Drops that no SA can be charged with (KIPSEC_A_TSTATS_*). */
enum kipsec_tunnel_drop {
	KIPSEC_TDROP_RX_NO_SA,
	KIPSEC_TDROP_TX_NO_SA,
	KIPSEC_TDROP_RX_MALFORMED,
	KIPSEC_TDROP_TX_ERRORS,
	KIPSEC_TDROP_ACQUIRES,	/* not a drop: ACQUIRE events sent */
	KIPSEC_TDROP_MAX
};

struct kipsec_tunnel_pcpu_stats {
	u64_stats_t drops[KIPSEC_TDROP_MAX];
	struct u64_stats_sync syncp;
};

/* The private part of a kipsec net_device. */
struct kipsec_tunnel {
	struct net_device *dev;
	struct kipsec_net *kn;
	/* On kipsec_net.tunnels (RCU) until the device is being deleted. */
	struct list_head list;
	bool dead;
	struct kipsec_endpoint __rcu *endpoint;
	/* Every SA of the tunnel, under kn->lock. */
	struct list_head sas;
	/* SPI reservations, under kn->lock. */
	struct list_head reserved;
	/* Outbound SAs, most specific proxy ID first; changed under
	 * kn->lock, walked under RCU.
	 */
	struct list_head out_sas;
	/* How many SAs are on @sas. */
	unsigned int nr_sas;
	struct kipsec_tunnel_pcpu_stats __percpu *stats;
	struct dst_cache dst_cache;
	struct gro_cells gro_cells;
	/* Which selectors had an ACQUIRE event lately. */
	struct kipsec_acquire_cache acquire;
};

extern unsigned int kipsec_net_id;

static inline struct kipsec_net *kipsec_net(const struct net *net)
{
	return net_generic(net, kipsec_net_id);
}

/* Frees SAs after an RCU grace period, in process context. */
extern struct workqueue_struct *kipsec_wq;

/* netns.c */
int kipsec_netns_init(void);
void kipsec_netns_uninit(void);

/* device.c */
int kipsec_device_init(void);
void kipsec_device_uninit(void);
bool kipsec_is_tunnel(const struct net_device *dev);
void kipsec_tunnel_kill(struct kipsec_tunnel *t, struct list_head *kill_list);
void kipsec_tunnel_drop(struct kipsec_tunnel *t, enum kipsec_tunnel_drop why);
void kipsec_tunnel_read_drops(struct kipsec_tunnel *t,
			      u64 drops[KIPSEC_TDROP_MAX]);

/* send.c */
netdev_tx_t kipsec_xmit(struct sk_buff *skb, struct net_device *dev);

/* receive.c */
int kipsec_receive_init(void);
void kipsec_receive_uninit(void);
int kipsec_receive_net_init(struct net *net);
void kipsec_receive_net_exit(struct net *net);

/* netlink.c */
int kipsec_genl_init(void);
void kipsec_genl_uninit(void);
extern struct genl_family kipsec_genl_family;
/* The index of KIPSEC_MCGRP_EVENTS in the family's groups. */
enum { KIPSEC_MCGRP_EVENTS_IDX };
struct kipsec_sa;
/* The SA as in an SA_GET reply, as a message of @cmd, ended. */
int kipsec_sa_fill_cmd(struct sk_buff *skb, struct kipsec_sa *sa, u8 cmd);

#endif /* _KIPSEC_H */
