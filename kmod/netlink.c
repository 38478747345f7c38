// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: the generic netlink family. One policy per command; every
 * rejection names the attribute at fault in the extended ACK.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "kipsec.h"
#include "uapi/kipsec.h"

static const struct nla_policy kipsec_tunnel_get_policy[] = {
	[KIPSEC_A_TUNNEL_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_TUNNEL_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy kipsec_tunnel_set_policy[] = {
	[KIPSEC_A_TUNNEL_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_TUNNEL_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[KIPSEC_A_TUNNEL_LOCAL_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KIPSEC_A_TUNNEL_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KIPSEC_A_TUNNEL_REMOTE_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KIPSEC_A_TUNNEL_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static struct genl_family kipsec_genl_family;

/*
 * Find the tunnel a request names by ifindex and/or ifname, in the
 * request's namespace. Returns it with a reference on its device.
 */
static struct kipsec_tunnel *kipsec_tunnel_get(struct net *net,
					       struct nlattr **attrs,
					       struct netlink_ext_ack *extack)
{
	struct nlattr *index_attr = attrs[KIPSEC_A_TUNNEL_IFINDEX];
	struct nlattr *name_attr = attrs[KIPSEC_A_TUNNEL_IFNAME];
	struct net_device *dev;
	struct nlattr *culprit;

	if (index_attr) {
		culprit = index_attr;
		dev = dev_get_by_index(net, nla_get_u32(index_attr));
		if (dev && name_attr && nla_strcmp(name_attr, dev->name)) {
			dev_put(dev);
			NL_SET_ERR_MSG_ATTR(extack, name_attr,
					    "ifname and ifindex name different devices");
			return ERR_PTR(-EINVAL);
		}
	} else if (name_attr) {
		culprit = name_attr;
		dev = dev_get_by_name(net, nla_data(name_attr));
	} else {
		NL_SET_ERR_MSG(extack, "a tunnel ifindex or ifname is required");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_TUNNEL_IFINDEX);
		return ERR_PTR(-EINVAL);
	}

	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, culprit, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!kipsec_is_tunnel(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, culprit, "not a kipsec device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int kipsec_put_addr(struct sk_buff *skb, const struct kipsec_addr *a,
			   int attr4, int attr6)
{
	switch (a->family) {
	case AF_INET:
		return nla_put_in_addr(skb, attr4, a->ip4);
	case AF_INET6:
		return nla_put_in6_addr(skb, attr6, &a->ip6);
	}
	return 0;
}

static int kipsec_tunnel_fill(struct sk_buff *skb, struct kipsec_tunnel *t,
			      u32 portid, u32 seq, int flags,
			      struct netlink_callback *cb)
{
	const struct kipsec_endpoint *ep;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipsec_genl_family, flags,
			  KIPSEC_CMD_TUNNEL_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, KIPSEC_A_TUNNEL_IFINDEX, t->dev->ifindex) ||
	    nla_put_string(skb, KIPSEC_A_TUNNEL_IFNAME, t->dev->name))
		goto cancel;

	rcu_read_lock();
	ep = rcu_dereference(t->endpoint);
	if (ep &&
	    (kipsec_put_addr(skb, &ep->local, KIPSEC_A_TUNNEL_LOCAL_IPV4,
			     KIPSEC_A_TUNNEL_LOCAL_IPV6) ||
	     kipsec_put_addr(skb, &ep->remote, KIPSEC_A_TUNNEL_REMOTE_IPV4,
			     KIPSEC_A_TUNNEL_REMOTE_IPV6))) {
		rcu_read_unlock();
		goto cancel;
	}
	rcu_read_unlock();

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int kipsec_tunnel_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_tunnel *t;
	struct sk_buff *msg;
	int ret;

	t = kipsec_tunnel_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = kipsec_tunnel_fill(msg, t, info->snd_portid, info->snd_seq, 0,
				 NULL);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	dev_put(t->dev);
	return ret;
}

/* cb->args[0]: how many tunnels of the list were dumped already. */
static int kipsec_tunnel_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct kipsec_net *kn = kipsec_net(sock_net(skb->sk));
	struct kipsec_tunnel *t;
	long idx = 0;
	int ret = 0;

	mutex_lock(&kn->lock);
	cb->seq = kn->gen;
	list_for_each_entry(t, &kn->tunnels, list) {
		if (idx++ < cb->args[0])
			continue;
		ret = kipsec_tunnel_fill(skb, t, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (ret) {
			idx--;
			break;
		}
	}
	mutex_unlock(&kn->lock);

	/* A full skb ends this round; the next one resumes at idx. */
	if (ret && idx == cb->args[0])
		return ret;
	cb->args[0] = idx;
	return skb->len;
}

/*
 * Read an outer address from the request into @a. Rejects both families
 * at once and addresses that cannot be a tunnel endpoint.
 */
static int kipsec_get_addr(struct nlattr **attrs, int attr4, int attr6,
			   struct kipsec_addr *a, struct netlink_ext_ack *extack)
{
	if (attrs[attr4] && attrs[attr6]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[attr6],
				    "an IPv4 and an IPv6 address given for the same end");
		return -EINVAL;
	}
	if (attrs[attr4]) {
		__be32 ip4 = nla_get_in_addr(attrs[attr4]);

		if (ipv4_is_zeronet(ip4) || ipv4_is_multicast(ip4) ||
		    ipv4_is_lbcast(ip4)) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[attr4],
					    "not a unicast IPv4 address");
			return -EINVAL;
		}
		a->family = AF_INET;
		memset(&a->ip6, 0, sizeof(a->ip6));
		a->ip4 = ip4;
	} else if (attrs[attr6]) {
		struct in6_addr ip6 = nla_get_in6_addr(attrs[attr6]);

		if (ipv6_addr_any(&ip6) || ipv6_addr_is_multicast(&ip6) ||
		    ipv6_addr_v4mapped(&ip6)) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[attr6],
					    "not a unicast IPv6 address");
			return -EINVAL;
		}
		a->family = AF_INET6;
		a->ip6 = ip6;
	}
	return 0;
}

static int kipsec_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_endpoint *ep, *old;
	struct kipsec_tunnel *t;
	struct kipsec_net *kn;
	int ret;

	if (!info->attrs[KIPSEC_A_TUNNEL_LOCAL_IPV4] &&
	    !info->attrs[KIPSEC_A_TUNNEL_LOCAL_IPV6] &&
	    !info->attrs[KIPSEC_A_TUNNEL_REMOTE_IPV4] &&
	    !info->attrs[KIPSEC_A_TUNNEL_REMOTE_IPV6]) {
		NL_SET_ERR_MSG(info->extack, "no local or remote address to set");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     KIPSEC_A_TUNNEL_LOCAL_IPV4);
		return -EINVAL;
	}

	t = kipsec_tunnel_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kn = t->kn;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep) {
		ret = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&kn->lock);
	if (list_empty(&t->list)) {
		NL_SET_ERR_MSG(info->extack, "device is being deleted");
		ret = -ENODEV;
		goto out_unlock;
	}
	old = rcu_dereference_protected(t->endpoint, lockdep_is_held(&kn->lock));
	if (old) {
		ep->local = old->local;
		ep->remote = old->remote;
	}
	ret = kipsec_get_addr(info->attrs, KIPSEC_A_TUNNEL_LOCAL_IPV4,
			      KIPSEC_A_TUNNEL_LOCAL_IPV6, &ep->local,
			      info->extack);
	if (ret)
		goto out_unlock;
	ret = kipsec_get_addr(info->attrs, KIPSEC_A_TUNNEL_REMOTE_IPV4,
			      KIPSEC_A_TUNNEL_REMOTE_IPV6, &ep->remote,
			      info->extack);
	if (ret)
		goto out_unlock;
	if (ep->local.family && ep->remote.family &&
	    ep->local.family != ep->remote.family) {
		int attr = ep->local.family == AF_INET ?
			   KIPSEC_A_TUNNEL_LOCAL_IPV4 :
			   KIPSEC_A_TUNNEL_LOCAL_IPV6;

		if (!info->attrs[attr])
			attr = ep->remote.family == AF_INET ?
			       KIPSEC_A_TUNNEL_REMOTE_IPV4 :
			       KIPSEC_A_TUNNEL_REMOTE_IPV6;
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "local and remote addresses are of different families");
		ret = -EINVAL;
		goto out_unlock;
	}

	rcu_assign_pointer(t->endpoint, ep);
	if (old)
		kfree_rcu(old, rcu);
	ep = NULL;

out_unlock:
	mutex_unlock(&kn->lock);
	kfree(ep);
out_put:
	dev_put(t->dev);
	return ret;
}

static const struct genl_ops kipsec_genl_ops[] = {
	{
		.cmd = KIPSEC_CMD_TUNNEL_SET,
		.doit = kipsec_tunnel_set_doit,
		.policy = kipsec_tunnel_set_policy,
		.maxattr = ARRAY_SIZE(kipsec_tunnel_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_TUNNEL_GET,
		.doit = kipsec_tunnel_get_doit,
		.dumpit = kipsec_tunnel_get_dumpit,
		.policy = kipsec_tunnel_get_policy,
		.maxattr = ARRAY_SIZE(kipsec_tunnel_get_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family kipsec_genl_family __ro_after_init = {
	.name = KIPSEC_GENL_NAME,
	.version = KIPSEC_GENL_VERSION,
	.maxattr = KIPSEC_A_TUNNEL_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = kipsec_genl_ops,
	.n_ops = ARRAY_SIZE(kipsec_genl_ops),
};

int __init kipsec_genl_init(void)
{
	return genl_register_family(&kipsec_genl_family);
}

void kipsec_genl_uninit(void)
{
	genl_unregister_family(&kipsec_genl_family);
}
