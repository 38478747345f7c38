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
#include "uapi/kipsec.h"

/*
 * The largest overhead an SA can add to an inner packet: an IPv6 outer
 * header, the ESP header, a 16-byte IV, padding to a 16-byte block (at
 * most 15), pad length and next header, and a 32-byte ICV.
 */
#define KIPSEC_MAX_OVERHEAD	(40 + 8 + 16 + 15 + 2 + 32)

static struct rtnl_link_ops kipsec_link_ops;

bool kipsec_is_tunnel(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &kipsec_link_ops;
}

static int kipsec_dev_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	return 0;
}

static netdev_tx_t kipsec_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* No SA can carry the packet yet: drop and count it. */
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
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
	 * Called once the device is unregistered and past an RCU grace period
	 * (or when its registration failed): no reader is left.
	 */
	kfree(rcu_dereference_protected(t->endpoint, true));
	free_percpu(dev->tstats);
}

static void kipsec_setup(struct net_device *dev)
{
	struct kipsec_tunnel *t = netdev_priv(dev);

	dev->netdev_ops = &kipsec_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - KIPSEC_MAX_OVERHEAD;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - KIPSEC_MAX_OVERHEAD;
	dev->needs_free_netdev = true;
	dev->priv_destructor = kipsec_dev_destruct;

	t->dev = dev;
	INIT_LIST_HEAD(&t->list);
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
		list_add_tail(&t->list, &kn->tunnels);
		kn->gen++;
	}
	mutex_unlock(&kn->lock);
	return ret;
}

/* Unlink a tunnel from its namespace and queue its device for deletion. */
void kipsec_tunnel_kill(struct kipsec_tunnel *t, struct list_head *kill_list)
{
	struct kipsec_net *kn = t->kn;

	ASSERT_RTNL();
	mutex_lock(&kn->lock);
	list_del_init(&t->list);
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
