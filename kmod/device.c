// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the tunnel net_device and its rtnetlink link type.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/rtnetlink.h>

#include "kipsec.h"
#include "sa.h"
#include "uapi/kipsec.h"

/*
 * The largest overhead an SA can add to an inner packet: an IPv6 outer
 * header, the ESP header, a 16-byte IV, padding to a 16-byte block (at
 * most 15), pad length and next header, and a 32-byte ICV.
 */
#define KIPSEC_MAX_OVERHEAD	(40 + 8 + 16 + 15 + 2 + 32)

/*
 * Room asked of whoever builds or forwards a packet into the tunnel, so
 * that encryption need not copy it to make room: in front, the outer IPv6
 * header, the ESP header, an IV, 4 bytes for the ESN layout and a
 * link-layer header; behind, padding, trailer and ICV.
 */
#define KIPSEC_HEADROOM		(40 + 8 + 16 + 4 + 32)
#define KIPSEC_TAILROOM		(15 + 2 + 32)

static struct rtnl_link_ops kipsec_link_ops;

bool kipsec_is_tunnel(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &kipsec_link_ops;
}

void kipsec_tunnel_drop(struct kipsec_tunnel *t, enum kipsec_tunnel_drop why)
{
	struct kipsec_tunnel_pcpu_stats *s = this_cpu_ptr(t->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
}

void kipsec_tunnel_read_drops(struct kipsec_tunnel *t,
			      u64 drops[KIPSEC_TDROP_MAX])
{
	unsigned int start, i;
	int cpu;

	memset(drops, 0, sizeof(u64) * KIPSEC_TDROP_MAX);
	for_each_possible_cpu(cpu) {
		const struct kipsec_tunnel_pcpu_stats *s;
		u64 v[KIPSEC_TDROP_MAX];

		s = per_cpu_ptr(t->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < KIPSEC_TDROP_MAX; i++)
				v[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < KIPSEC_TDROP_MAX; i++)
			drops[i] += v[i];
	}
}

static int kipsec_dev_init(struct net_device *dev)
{
	struct kipsec_tunnel *t = netdev_priv(dev);
	int ret, cpu;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	t->stats = alloc_percpu(struct kipsec_tunnel_pcpu_stats);
	if (!t->stats) {
		ret = -ENOMEM;
		goto err_tstats;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(t->stats, cpu)->syncp);
	ret = dst_cache_init(&t->dst_cache, GFP_KERNEL);
	if (ret)
		goto err_stats;
	ret = gro_cells_init(&t->gro_cells, dev);
	if (ret)
		goto err_dst_cache;
	return 0;

err_dst_cache:
	dst_cache_destroy(&t->dst_cache);
err_stats:
	free_percpu(t->stats);
	t->stats = NULL;
err_tstats:
	free_percpu(dev->tstats);
	dev->tstats = NULL;
	return ret;
}

static const struct net_device_ops kipsec_netdev_ops = {
	.ndo_init = kipsec_dev_init,
	.ndo_start_xmit = kipsec_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void kipsec_dev_destruct(struct net_device *dev)
{
	struct kipsec_tunnel *t = netdev_priv(dev);

	/*
	 * Called once the device is unregistered, past an RCU grace period
	 * and with no reference left, not even from an SA of a packet in
	 * flight (or when its registration failed): no reader is left.
	 */
	kfree(rcu_dereference_protected(t->endpoint, true));
	gro_cells_destroy(&t->gro_cells);
	dst_cache_destroy(&t->dst_cache);
	free_percpu(t->stats);
	free_percpu(dev->tstats);
}

#define KIPSEC_FEATURES (NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST | \
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE)

static void kipsec_setup(struct net_device *dev)
{
	struct kipsec_tunnel *t = netdev_priv(dev);

	dev->netdev_ops = &kipsec_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
	/* GSO packets are segmented, and checksums computed, right before
	 * encryption: taking them whole saves the stack the work per packet.
	 */
	dev->features |= KIPSEC_FEATURES;
	dev->hw_features |= KIPSEC_FEATURES;
	dev->hw_enc_features |= KIPSEC_FEATURES;
	dev->hard_header_len = 0;
	dev->needed_headroom = KIPSEC_HEADROOM;
	dev->needed_tailroom = KIPSEC_TAILROOM;
	/* Transmit needs the inner route: ICMP errors and PMTU updates. */
	netif_keep_dst(dev);
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - KIPSEC_MAX_OVERHEAD;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - KIPSEC_MAX_OVERHEAD;
	dev->needs_free_netdev = true;
	dev->priv_destructor = kipsec_dev_destruct;

	t->dev = dev;
	INIT_LIST_HEAD(&t->list);
	INIT_LIST_HEAD(&t->sas);
	INIT_LIST_HEAD(&t->reserved);
	INIT_LIST_HEAD(&t->out_sas);
	kipsec_acquire_init(&t->acquire);
}

static int kipsec_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "kipsec devices have no link-layer address");
		return -EINVAL;
	}
	return 0;
}

static int kipsec_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct kipsec_tunnel *t = netdev_priv(dev);
	struct kipsec_net *kn = kipsec_net(dev_net(dev));
	int ret;

	t->kn = kn;
	/*
	 * Held across the registration, so that a request that finds the
	 * device as soon as it is visible waits until it is on the list
	 * (off the list means being deleted).
	 */
	mutex_lock(&kn->lock);
	ret = register_netdevice(dev);
	if (!ret) {
		list_add_tail_rcu(&t->list, &kn->tunnels);
		kn->gen++;
	}
	mutex_unlock(&kn->lock);
	return ret;
}

/*
 * Unlink a tunnel from its namespace, delete its SAs and queue its device
 * for deletion. The unregistration waits for an RCU grace period before
 * the device goes away, and for every SA still held by a packet in flight.
 */
void kipsec_tunnel_kill(struct kipsec_tunnel *t, struct list_head *kill_list)
{
	struct kipsec_net *kn = t->kn;

	ASSERT_RTNL();
	mutex_lock(&kn->lock);
	list_del_rcu(&t->list);
	t->dead = true;
	kipsec_sa_flush_tunnel(t);
	kn->gen++;
	mutex_unlock(&kn->lock);
	unregister_netdevice_queue(t->dev, kill_list);
}

static void kipsec_dellink(struct net_device *dev, struct list_head *head)
{
	kipsec_tunnel_kill(netdev_priv(dev), head);
}

static struct rtnl_link_ops kipsec_link_ops __read_mostly = {
	.kind = KIPSEC_LINK_KIND,
	.priv_size = sizeof(struct kipsec_tunnel),
	.setup = kipsec_setup,
	.validate = kipsec_validate,
	.newlink = kipsec_newlink,
	.dellink = kipsec_dellink,
};

int kipsec_device_init(void)
{
	return rtnl_link_register(&kipsec_link_ops);
}

void kipsec_device_uninit(void)
{
	rtnl_link_unregister(&kipsec_link_ops);
}
