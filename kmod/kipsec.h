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
#include <linux/in6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

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
	/* Serializes all configuration of this namespace's tunnels. */
	struct mutex lock;
	/* Every kipsec device of the namespace, under @lock. */
	struct list_head tunnels;
	/* Bumped on every change of @tunnels, for consistent dumps. */
	unsigned int gen;
};

/* The private part of a kipsec net_device. */
struct kipsec_tunnel {
	struct net_device *dev;
	struct kipsec_net *kn;
	/* On kipsec_net.tunnels; empty once the device is being deleted. */
	struct list_head list;
	struct kipsec_endpoint __rcu *endpoint;
};

extern unsigned int kipsec_net_id;

static inline struct kipsec_net *kipsec_net(const struct net *net)
{
	return net_generic(net, kipsec_net_id);
}

/* netns.c */
int kipsec_netns_init(void);
void kipsec_netns_uninit(void);

/* device.c */
int kipsec_device_init(void);
void kipsec_device_uninit(void);
bool kipsec_is_tunnel(const struct net_device *dev);
void kipsec_tunnel_kill(struct kipsec_tunnel *t, struct list_head *kill_list);

/* netlink.c */
int kipsec_genl_init(void);
void kipsec_genl_uninit(void);

#endif /* _KIPSEC_H */
