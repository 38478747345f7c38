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
#include "lifetime.h"
#include "sa.h"
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

struct genl_family kipsec_genl_family;

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

static int kipsec_tunnel_put_stats(struct sk_buff *skb,
				   struct kipsec_tunnel *t)
{
	static const int attrs[KIPSEC_TDROP_MAX] = {
		[KIPSEC_TDROP_RX_NO_SA] = KIPSEC_A_TSTATS_RX_NO_SA,
		[KIPSEC_TDROP_TX_NO_SA] = KIPSEC_A_TSTATS_TX_NO_SA,
		[KIPSEC_TDROP_RX_MALFORMED] = KIPSEC_A_TSTATS_RX_MALFORMED,
		[KIPSEC_TDROP_TX_ERRORS] = KIPSEC_A_TSTATS_TX_ERRORS,
		[KIPSEC_TDROP_ACQUIRES] = KIPSEC_A_TSTATS_ACQUIRES,
	};
	u64 drops[KIPSEC_TDROP_MAX];
	struct nlattr *nest;
	int i;

	kipsec_tunnel_read_drops(t, drops);
	nest = nla_nest_start(skb, KIPSEC_A_TUNNEL_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < KIPSEC_TDROP_MAX; i++)
		if (nla_put_u64_64bit(skb, attrs[i], drops[i],
				      KIPSEC_A_TSTATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
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

	if (kipsec_tunnel_put_stats(skb, t))
		goto cancel;

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

static bool kipsec_addr_same(const struct kipsec_addr *a,
			     const struct kipsec_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->ip4 == b->ip4;
	return a->family != AF_INET6 || ipv6_addr_equal(&a->ip6, &b->ip6);
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
	if (t->dead) {
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
	/* Setting what is set already changes nothing (a keyer restarting). */
	if (old && kipsec_addr_same(&ep->local, &old->local) &&
	    kipsec_addr_same(&ep->remote, &old->remote))
		goto out_unlock;
	/* SAs took the outer addresses when they were added. */
	kipsec_spi_expire(t);
	if (t->nr_sas || !list_empty(&t->reserved)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[KIPSEC_A_TUNNEL_IFINDEX] ?:
				    info->attrs[KIPSEC_A_TUNNEL_IFNAME],
				    "the tunnel has SAs or reserved SPIs: flush them to change its addresses");
		ret = -EBUSY;
		goto out_unlock;
	}

	rcu_assign_pointer(t->endpoint, ep);
	if (old)
		kfree_rcu(old, rcu);
	ep = NULL;
	dst_cache_reset(&t->dst_cache);

out_unlock:
	mutex_unlock(&kn->lock);
	kfree(ep);
out_put:
	dev_put(t->dev);
	return ret;
}

/* SPI and SA commands name their tunnel with the tunnel attributes' numbers. */
static_assert((int)KIPSEC_A_SA_IFINDEX == (int)KIPSEC_A_TUNNEL_IFINDEX);
static_assert((int)KIPSEC_A_SA_IFNAME == (int)KIPSEC_A_TUNNEL_IFNAME);

/* An extack message from a table or a callee (NL_SET_ERR_MSG takes only
 * literals); @why must be a string constant.
 */
static void kipsec_set_err(struct netlink_ext_ack *extack,
			   const struct nlattr *attr, const char *why)
{
	if (!extack)
		return;
	extack->_msg = why;
	extack->bad_attr = attr;
}

static const struct nla_policy kipsec_spi_alloc_policy[] = {
	[KIPSEC_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_SA_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[KIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_ESP, IPPROTO_AH),
	[KIPSEC_A_SA_SPI_MIN] = NLA_POLICY_MIN(NLA_U32, KIPSEC_SPI_MIN),
	[KIPSEC_A_SA_SPI_MAX] = NLA_POLICY_MIN(NLA_U32, KIPSEC_SPI_MIN),
};

/* Naming one SA: del and get. */
static const struct nla_policy kipsec_sa_id_policy[] = {
	[KIPSEC_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_SA_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[KIPSEC_A_SA_DIR] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_DIR_IN,
					     KIPSEC_DIR_OUT),
	[KIPSEC_A_SA_SPI] = NLA_POLICY_MIN(NLA_U32, KIPSEC_SPI_MIN),
	[KIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_ESP, IPPROTO_AH),
};

static const struct nla_policy kipsec_sa_flush_policy[] = {
	[KIPSEC_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_SA_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy kipsec_sa_add_policy[] = {
	[KIPSEC_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[KIPSEC_A_SA_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[KIPSEC_A_SA_DIR] = NLA_POLICY_RANGE(NLA_U8, KIPSEC_DIR_IN,
					     KIPSEC_DIR_OUT),
	[KIPSEC_A_SA_SPI] = NLA_POLICY_MIN(NLA_U32, KIPSEC_SPI_MIN),
	[KIPSEC_A_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_ESP, IPPROTO_AH),
	[KIPSEC_A_SA_AEAD_ALG] = NLA_POLICY_RANGE(NLA_U32, 1, KIPSEC_AEAD_MAX),
	[KIPSEC_A_SA_AEAD_KEY] = { .type = NLA_BINARY,
				   .len = KIPSEC_MAX_KEY_LEN },
	[KIPSEC_A_SA_ICV_BITS] = NLA_POLICY_RANGE(NLA_U32, 64, 128),
	[KIPSEC_A_SA_ENC_ALG] = NLA_POLICY_RANGE(NLA_U32, 1, KIPSEC_ENC_MAX),
	[KIPSEC_A_SA_ENC_KEY] = { .type = NLA_BINARY,
				  .len = KIPSEC_MAX_KEY_LEN },
	[KIPSEC_A_SA_AUTH_ALG] = NLA_POLICY_RANGE(NLA_U32, 1, KIPSEC_AUTH_MAX),
	[KIPSEC_A_SA_AUTH_KEY] = { .type = NLA_BINARY,
				   .len = KIPSEC_MAX_KEY_LEN },
	[KIPSEC_A_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32,
						     KIPSEC_REPLAY_MAX),
	[KIPSEC_A_SA_FLAGS] = NLA_POLICY_MASK(NLA_U32, KIPSEC_SA_F_ALL),
	[KIPSEC_A_SA_SEQ] = { .type = NLA_U64 },
	[KIPSEC_A_SA_PID_LOCAL_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KIPSEC_A_SA_PID_LOCAL_IPV6] =
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KIPSEC_A_SA_PID_LOCAL_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KIPSEC_A_SA_PID_REMOTE_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[KIPSEC_A_SA_PID_REMOTE_IPV6] =
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KIPSEC_A_SA_PID_REMOTE_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KIPSEC_A_SA_PID_PROTO] = { .type = NLA_U8 },
	[KIPSEC_A_SA_PID_LPORT_MIN] = { .type = NLA_U16 },
	[KIPSEC_A_SA_PID_LPORT_MAX] = { .type = NLA_U16 },
	[KIPSEC_A_SA_PID_RPORT_MIN] = { .type = NLA_U16 },
	[KIPSEC_A_SA_PID_RPORT_MAX] = { .type = NLA_U16 },
	[KIPSEC_A_SA_LIFETIME_SOFT] = NLA_POLICY_NESTED(kipsec_lifetime_policy),
	[KIPSEC_A_SA_LIFETIME_HARD] = NLA_POLICY_NESTED(kipsec_lifetime_policy),
};

/* The tunnel and the lock held: the tunnel must still be alive. */
static int kipsec_tunnel_alive(struct kipsec_tunnel *t,
			       struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&t->kn->lock);
	if (t->dead) {
		NL_SET_ERR_MSG(extack, "device is being deleted");
		return -ENODEV;
	}
	return 0;
}

static int kipsec_spi_alloc_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	u32 min = KIPSEC_SPI_MIN, max = U32_MAX, spi = 0;
	struct kipsec_tunnel *t;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_PROTO))
		return -EINVAL;
	if (attrs[KIPSEC_A_SA_SPI_MIN])
		min = nla_get_u32(attrs[KIPSEC_A_SA_SPI_MIN]);
	if (attrs[KIPSEC_A_SA_SPI_MAX])
		max = nla_get_u32(attrs[KIPSEC_A_SA_SPI_MAX]);
	if (min > max) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[KIPSEC_A_SA_SPI_MAX] ?:
				    attrs[KIPSEC_A_SA_SPI_MIN],
				    "the SPI range is empty");
		return -EINVAL;
	}

	t = kipsec_tunnel_get(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&t->kn->lock);
	ret = kipsec_tunnel_alive(t, info->extack);
	if (!ret)
		ret = kipsec_spi_alloc(t, nla_get_u8(attrs[KIPSEC_A_SA_PROTO]),
				       min, max, &spi, info->extack);
	mutex_unlock(&t->kn->lock);
	/* A full range is the range's fault, as an empty one is. */
	if (ret == -ENOSPC && !info->extack->bad_attr)
		info->extack->bad_attr = attrs[KIPSEC_A_SA_SPI_MAX] ?:
					 attrs[KIPSEC_A_SA_SPI_MIN];
	if (ret)
		goto out_free;

	hdr = genlmsg_put_reply(msg, info, &kipsec_genl_family, 0,
				KIPSEC_CMD_SPI_ALLOC);
	if (!hdr || nla_put_u32(msg, KIPSEC_A_SA_IFINDEX, t->dev->ifindex) ||
	    nla_put_u32(msg, KIPSEC_A_SA_SPI, spi)) {
		ret = -EMSGSIZE;
		goto out_free;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out_put;

out_free:
	nlmsg_free(msg);
out_put:
	dev_put(t->dev);
	return ret;
}

/* AH: an integrity algorithm and its key, nothing else. */
static int kipsec_sa_get_ah_algs(struct nlattr **attrs,
				 struct kipsec_alg_params *p,
				 struct netlink_ext_ack *extack)
{
	static const int not_with_ah[] = {
		KIPSEC_A_SA_AEAD_ALG, KIPSEC_A_SA_AEAD_KEY,
		KIPSEC_A_SA_ICV_BITS, KIPSEC_A_SA_ENC_ALG, KIPSEC_A_SA_ENC_KEY,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(not_with_ah); i++) {
		if (attrs[not_with_ah[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[not_with_ah[i]],
					    "AH takes only an integrity algorithm");
			return -EINVAL;
		}
	}
	if (!attrs[KIPSEC_A_SA_AUTH_ALG]) {
		NL_SET_ERR_MSG(extack, "AH needs an integrity algorithm");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_AUTH_ALG);
		return -EINVAL;
	}
	if (!attrs[KIPSEC_A_SA_AUTH_KEY]) {
		NL_SET_ERR_MSG(extack, "the integrity algorithm needs a key");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_AUTH_KEY);
		return -EINVAL;
	}
	p->ah = true;
	p->auth_alg = nla_get_u32(attrs[KIPSEC_A_SA_AUTH_ALG]);
	p->auth_key = nla_data(attrs[KIPSEC_A_SA_AUTH_KEY]);
	p->auth_keylen = nla_len(attrs[KIPSEC_A_SA_AUTH_KEY]);
	return 0;
}

/* The algorithm attributes of an SA add, checked for consistency. */
static int kipsec_sa_get_algs(struct nlattr **attrs, u8 proto,
			      struct kipsec_alg_params *p,
			      struct netlink_ext_ack *extack)
{
	memset(p, 0, sizeof(*p));
	if (proto == IPPROTO_AH)
		return kipsec_sa_get_ah_algs(attrs, p, extack);
	if (attrs[KIPSEC_A_SA_AEAD_ALG]) {
		static const int not_with_aead[] = {
			KIPSEC_A_SA_ENC_ALG, KIPSEC_A_SA_ENC_KEY,
			KIPSEC_A_SA_AUTH_ALG, KIPSEC_A_SA_AUTH_KEY,
		};
		int i;

		for (i = 0; i < ARRAY_SIZE(not_with_aead); i++) {
			if (attrs[not_with_aead[i]]) {
				NL_SET_ERR_MSG_ATTR(extack,
						    attrs[not_with_aead[i]],
						    "an AEAD SA takes no separate cipher or integrity algorithm");
				return -EINVAL;
			}
		}
		if (!attrs[KIPSEC_A_SA_AEAD_KEY]) {
			NL_SET_ERR_MSG(extack, "the AEAD algorithm needs a key");
			NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_AEAD_KEY);
			return -EINVAL;
		}
		p->aead_alg = nla_get_u32(attrs[KIPSEC_A_SA_AEAD_ALG]);
		p->aead_key = nla_data(attrs[KIPSEC_A_SA_AEAD_KEY]);
		p->aead_keylen = nla_len(attrs[KIPSEC_A_SA_AEAD_KEY]);
		if (attrs[KIPSEC_A_SA_ICV_BITS])
			p->icv_bits = nla_get_u32(attrs[KIPSEC_A_SA_ICV_BITS]);
		return 0;
	}

	if (!attrs[KIPSEC_A_SA_ENC_ALG]) {
		NL_SET_ERR_MSG(extack, "an AEAD or a cipher algorithm is required");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_AEAD_ALG);
		return -EINVAL;
	}
	if (attrs[KIPSEC_A_SA_AEAD_KEY] || attrs[KIPSEC_A_SA_ICV_BITS]) {
		struct nlattr *bad = attrs[KIPSEC_A_SA_AEAD_KEY] ?:
				     attrs[KIPSEC_A_SA_ICV_BITS];

		NL_SET_ERR_MSG_ATTR(extack, bad, "only for an AEAD algorithm");
		return -EINVAL;
	}
	p->enc_alg = nla_get_u32(attrs[KIPSEC_A_SA_ENC_ALG]);
	if (attrs[KIPSEC_A_SA_ENC_KEY]) {
		p->enc_key = nla_data(attrs[KIPSEC_A_SA_ENC_KEY]);
		p->enc_keylen = nla_len(attrs[KIPSEC_A_SA_ENC_KEY]);
	} else if (p->enc_alg != KIPSEC_ENC_NULL) {
		NL_SET_ERR_MSG(extack, "the cipher needs a key");
		NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_ENC_KEY);
		return -EINVAL;
	}
	if (!attrs[KIPSEC_A_SA_AUTH_ALG] != !attrs[KIPSEC_A_SA_AUTH_KEY]) {
		if (attrs[KIPSEC_A_SA_AUTH_KEY]) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[KIPSEC_A_SA_AUTH_KEY],
					    "an integrity key without an integrity algorithm");
		} else {
			NL_SET_ERR_MSG(extack, "the integrity algorithm needs a key");
			NL_SET_ERR_ATTR_MISS(extack, NULL, KIPSEC_A_SA_AUTH_KEY);
		}
		return -EINVAL;
	}
	if (attrs[KIPSEC_A_SA_AUTH_ALG]) {
		p->auth_alg = nla_get_u32(attrs[KIPSEC_A_SA_AUTH_ALG]);
		p->auth_key = nla_data(attrs[KIPSEC_A_SA_AUTH_KEY]);
		p->auth_keylen = nla_len(attrs[KIPSEC_A_SA_AUTH_KEY]);
	}
	return 0;
}

static int kipsec_get_prefix(struct nlattr **attrs, int attr4, int attr6,
			     int attr_len, u8 *family,
			     union kipsec_inaddr *addr, u8 *len,
			     struct netlink_ext_ack *extack)
{
	u8 f = AF_UNSPEC;

	if (attrs[attr4] && attrs[attr6]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[attr6],
				    "an IPv4 and an IPv6 prefix given for the same end");
		return -EINVAL;
	}
	if (attrs[attr4]) {
		f = AF_INET;
		addr->ip4 = nla_get_in_addr(attrs[attr4]);
		*len = 32;
	} else if (attrs[attr6]) {
		f = AF_INET6;
		addr->ip6 = nla_get_in6_addr(attrs[attr6]);
		*len = 128;
	} else if (attrs[attr_len]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[attr_len],
				    "a prefix length without an address");
		return -EINVAL;
	}
	if (!f)
		return 0;
	if (*family && *family != f) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[f == AF_INET ? attr4 : attr6],
				    "the local and remote prefixes are of different families");
		return -EINVAL;
	}
	*family = f;
	if (attrs[attr_len])
		*len = nla_get_u8(attrs[attr_len]);
	return 0;
}

static int kipsec_sa_get_selector(struct nlattr **attrs,
				  struct kipsec_selector *sel,
				  struct netlink_ext_ack *extack)
{
	static const int field_attr[] = {
		[KIPSEC_SELECTOR_FAMILY] = KIPSEC_A_SA_PID_LOCAL_IPV4,
		[KIPSEC_SELECTOR_LOCAL_LEN] = KIPSEC_A_SA_PID_LOCAL_PREFIXLEN,
		[KIPSEC_SELECTOR_REMOTE_LEN] = KIPSEC_A_SA_PID_REMOTE_PREFIXLEN,
		[KIPSEC_SELECTOR_LPORT] = KIPSEC_A_SA_PID_LPORT_MAX,
		[KIPSEC_SELECTOR_RPORT] = KIPSEC_A_SA_PID_RPORT_MAX,
	};
	enum kipsec_selector_field field;
	const char *why;
	int ret;

	kipsec_selector_set_any(sel);
	ret = kipsec_get_prefix(attrs, KIPSEC_A_SA_PID_LOCAL_IPV4,
				KIPSEC_A_SA_PID_LOCAL_IPV6,
				KIPSEC_A_SA_PID_LOCAL_PREFIXLEN, &sel->family,
				&sel->local, &sel->local_len, extack);
	if (ret)
		return ret;
	ret = kipsec_get_prefix(attrs, KIPSEC_A_SA_PID_REMOTE_IPV4,
				KIPSEC_A_SA_PID_REMOTE_IPV6,
				KIPSEC_A_SA_PID_REMOTE_PREFIXLEN, &sel->family,
				&sel->remote, &sel->remote_len, extack);
	if (ret)
		return ret;
	/* One end given: the other is the whole address space. */
	if (sel->family && !attrs[KIPSEC_A_SA_PID_LOCAL_IPV4] &&
	    !attrs[KIPSEC_A_SA_PID_LOCAL_IPV6])
		sel->local_len = 0;
	if (sel->family && !attrs[KIPSEC_A_SA_PID_REMOTE_IPV4] &&
	    !attrs[KIPSEC_A_SA_PID_REMOTE_IPV6])
		sel->remote_len = 0;

	if (attrs[KIPSEC_A_SA_PID_PROTO])
		sel->proto = nla_get_u8(attrs[KIPSEC_A_SA_PID_PROTO]);
	if (attrs[KIPSEC_A_SA_PID_LPORT_MIN])
		sel->lport_min = nla_get_u16(attrs[KIPSEC_A_SA_PID_LPORT_MIN]);
	if (attrs[KIPSEC_A_SA_PID_LPORT_MAX])
		sel->lport_max = nla_get_u16(attrs[KIPSEC_A_SA_PID_LPORT_MAX]);
	if (attrs[KIPSEC_A_SA_PID_RPORT_MIN])
		sel->rport_min = nla_get_u16(attrs[KIPSEC_A_SA_PID_RPORT_MIN]);
	if (attrs[KIPSEC_A_SA_PID_RPORT_MAX])
		sel->rport_max = nla_get_u16(attrs[KIPSEC_A_SA_PID_RPORT_MAX]);

	why = kipsec_selector_validate(sel, &field);
	if (why) {
		int attr = field < ARRAY_SIZE(field_attr) ? field_attr[field] :
			   KIPSEC_A_SA_PID_LOCAL_IPV4;

		if (attr == KIPSEC_A_SA_PID_LPORT_MAX &&
		    !attrs[KIPSEC_A_SA_PID_LPORT_MAX])
			attr = KIPSEC_A_SA_PID_LPORT_MIN;
		if (attr == KIPSEC_A_SA_PID_RPORT_MAX &&
		    !attrs[KIPSEC_A_SA_PID_RPORT_MAX])
			attr = KIPSEC_A_SA_PID_RPORT_MIN;
		kipsec_set_err(extack, attrs[attr], why);
		return -EINVAL;
	}
	return 0;
}

static int kipsec_sa_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool update = info->genlhdr->cmd == KIPSEC_CMD_SA_UPDATE;
	struct nlattr **attrs = info->attrs;
	const struct kipsec_endpoint *ep;
	struct kipsec_alg_params algs;
	u32 window = 0, flags = 0;
	struct kipsec_tunnel *t;
	struct kipsec_sa *sa;
	const char *why;
	u8 dir, proto;
	int ret, attr;

	if (GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_DIR) ||
	    GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_SPI) ||
	    GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_PROTO))
		return -EINVAL;
	dir = nla_get_u8(attrs[KIPSEC_A_SA_DIR]);
	proto = nla_get_u8(attrs[KIPSEC_A_SA_PROTO]);
	if (attrs[KIPSEC_A_SA_FLAGS])
		flags = nla_get_u32(attrs[KIPSEC_A_SA_FLAGS]);
	if (dir == KIPSEC_DIR_IN)
		window = KIPSEC_REPLAY_DEFAULT;
	if (attrs[KIPSEC_A_SA_REPLAY_WINDOW]) {
		struct nlattr *a = attrs[KIPSEC_A_SA_REPLAY_WINDOW];

		if (dir != KIPSEC_DIR_IN) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a replay window is for inbound SAs");
			return -EINVAL;
		}
		window = nla_get_u32(a);
		if (window && window < KIPSEC_REPLAY_MIN) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "the replay window is 0 (off) or 32 to 16384");
			return -EINVAL;
		}
	}
	if (attrs[KIPSEC_A_SA_SEQ] && (dir != KIPSEC_DIR_OUT || update)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_SEQ],
				    "a starting sequence number is for adding an outbound SA");
		return -EINVAL;
	}
	if ((flags & KIPSEC_SA_F_AH_ALIGN4) && proto != IPPROTO_AH) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_FLAGS],
				    "4-byte alignment is for AH SAs");
		return -EINVAL;
	}
	ret = kipsec_sa_get_algs(attrs, proto, &algs, info->extack);
	if (ret)
		return ret;
	algs.esn = flags & KIPSEC_SA_F_ESN;
	if (attrs[KIPSEC_A_SA_SEQ] && !algs.esn &&
	    nla_get_u64(attrs[KIPSEC_A_SA_SEQ]) > U32_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_SEQ],
				    "without ESN the sequence number has 32 bits");
		return -ERANGE;
	}

	t = kipsec_tunnel_get(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);

	sa = kipsec_sa_alloc(t, GFP_KERNEL);
	if (!sa) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = kipsec_sa_get_selector(attrs, &sa->sel, info->extack);
	if (ret)
		goto out_free;
	ret = kipsec_lifetime_get(attrs, &sa->life, info->extack);
	if (ret)
		goto out_free;
	ret = kipsec_crypto_init(&sa->crypto, &algs, &why, &attr);
	if (ret) {
		kipsec_set_err(info->extack, attrs[attr], why);
		goto out_free;
	}
	ret = kipsec_replay_init(&sa->replay, window, algs.esn, GFP_KERNEL);
	if (ret)
		goto out_free;
	sa->aead_alg = algs.aead_alg;
	sa->enc_alg = algs.enc_alg;
	sa->auth_alg = algs.auth_alg;
	sa->flags = flags;
	sa->oseq_max = algs.esn ? U64_MAX : U32_MAX;
	if (attrs[KIPSEC_A_SA_SEQ])
		atomic64_set(&sa->oseq, nla_get_u64(attrs[KIPSEC_A_SA_SEQ]));

	mutex_lock(&t->kn->lock);
	ret = kipsec_tunnel_alive(t, info->extack);
	if (ret)
		goto out_unlock;
	ep = rcu_dereference_protected(t->endpoint,
				       lockdep_is_held(&t->kn->lock));
	if (!ep || !ep->local.family || !ep->remote.family) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[KIPSEC_A_SA_IFINDEX] ?:
				    attrs[KIPSEC_A_SA_IFNAME],
				    "the tunnel needs a local and a remote address first");
		ret = -EADDRNOTAVAIL;
		goto out_unlock;
	}
	if (dir == KIPSEC_DIR_IN) {
		sa->src = ep->remote;
		sa->dst = ep->local;
	} else {
		sa->src = ep->local;
		sa->dst = ep->remote;
	}
	kipsec_sa_make_key(&sa->key, nla_get_u32(attrs[KIPSEC_A_SA_SPI]),
			   proto, dir, &sa->dst);
	ret = kipsec_sa_insert(t, sa, update, info->extack);
	if (ret && !info->extack->bad_attr)
		info->extack->bad_attr = attrs[KIPSEC_A_SA_SPI];
	if (!ret)
		sa = NULL;
out_unlock:
	mutex_unlock(&t->kn->lock);
out_free:
	if (sa)
		kipsec_sa_free_new(sa);
out_put:
	dev_put(t->dev);
	return ret;
}

static int kipsec_put_sa_addr(struct sk_buff *skb, const struct kipsec_addr *a,
			      int attr4, int attr6)
{
	return kipsec_put_addr(skb, a, attr4, attr6);
}

static int kipsec_put_prefix(struct sk_buff *skb, u8 family,
			     const union kipsec_inaddr *addr, u8 len,
			     int attr4, int attr6, int attr_len)
{
	if (family == AF_INET) {
		if (nla_put_in_addr(skb, attr4, addr->ip4))
			return -EMSGSIZE;
	} else if (family == AF_INET6) {
		if (nla_put_in6_addr(skb, attr6, &addr->ip6))
			return -EMSGSIZE;
	} else {
		return 0;
	}
	return nla_put_u8(skb, attr_len, len);
}

static int kipsec_sa_put_stats(struct sk_buff *skb, struct kipsec_sa *sa)
{
	static const int drop_attrs[KIPSEC_DROP_MAX] = {
		[KIPSEC_DROP_REPLAY] = KIPSEC_A_SSTATS_DROP_REPLAY,
		[KIPSEC_DROP_WINDOW] = KIPSEC_A_SSTATS_DROP_WINDOW,
		[KIPSEC_DROP_AUTH] = KIPSEC_A_SSTATS_DROP_AUTH,
		[KIPSEC_DROP_PAD] = KIPSEC_A_SSTATS_DROP_PAD,
		[KIPSEC_DROP_PROXY_ID] = KIPSEC_A_SSTATS_DROP_PROXY_ID,
		[KIPSEC_DROP_SEQ] = KIPSEC_A_SSTATS_DROP_SEQ,
		[KIPSEC_DROP_OTHER] = KIPSEC_A_SSTATS_DROP_OTHER,
	};
	struct kipsec_sa_stats st;
	struct nlattr *nest;
	int i;

	kipsec_sa_read_stats(sa, &st);
	nest = nla_nest_start(skb, KIPSEC_A_SA_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KIPSEC_A_SSTATS_PACKETS, st.packets,
			      KIPSEC_A_SSTATS_PAD) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_SSTATS_BYTES, st.bytes,
			      KIPSEC_A_SSTATS_PAD))
		return -EMSGSIZE;
	for (i = 0; i < KIPSEC_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, drop_attrs[i], st.drops[i],
				      KIPSEC_A_SSTATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Everything about an SA but its keys, as a message of @cmd. */
static int __kipsec_sa_fill(struct sk_buff *skb, struct kipsec_sa *sa,
			    u32 portid, u32 seq, int flags,
			    struct netlink_callback *cb, u8 cmd)
{
	const struct kipsec_selector *sel = &sa->sel;
	u64 last;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipsec_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (sa->key.dir == KIPSEC_DIR_OUT)
		last = atomic64_read(&sa->oseq);
	else
		last = READ_ONCE(sa->replay.top);

	if (nla_put_u32(skb, KIPSEC_A_SA_IFINDEX, sa->tunnel->dev->ifindex) ||
	    nla_put_string(skb, KIPSEC_A_SA_IFNAME, sa->tunnel->dev->name) ||
	    nla_put_u8(skb, KIPSEC_A_SA_DIR, sa->key.dir) ||
	    nla_put_u32(skb, KIPSEC_A_SA_SPI, ntohl(sa->key.spi)) ||
	    nla_put_u8(skb, KIPSEC_A_SA_PROTO, sa->key.proto) ||
	    (sa->aead_alg &&
	     (nla_put_u32(skb, KIPSEC_A_SA_AEAD_ALG, sa->aead_alg) ||
	      nla_put_u32(skb, KIPSEC_A_SA_ICV_BITS,
			  sa->crypto.icvlen * 8))) ||
	    (sa->enc_alg &&
	     nla_put_u32(skb, KIPSEC_A_SA_ENC_ALG, sa->enc_alg)) ||
	    (sa->auth_alg &&
	     nla_put_u32(skb, KIPSEC_A_SA_AUTH_ALG, sa->auth_alg)) ||
	    nla_put_u32(skb, KIPSEC_A_SA_KEY_BITS, sa->crypto.key_bits) ||
	    (sa->key.dir == KIPSEC_DIR_IN &&
	     nla_put_u32(skb, KIPSEC_A_SA_REPLAY_WINDOW, sa->replay.window)) ||
	    nla_put_u32(skb, KIPSEC_A_SA_FLAGS, sa->flags) ||
	    kipsec_put_prefix(skb, sel->family, &sel->local, sel->local_len,
			      KIPSEC_A_SA_PID_LOCAL_IPV4,
			      KIPSEC_A_SA_PID_LOCAL_IPV6,
			      KIPSEC_A_SA_PID_LOCAL_PREFIXLEN) ||
	    kipsec_put_prefix(skb, sel->family, &sel->remote, sel->remote_len,
			      KIPSEC_A_SA_PID_REMOTE_IPV4,
			      KIPSEC_A_SA_PID_REMOTE_IPV6,
			      KIPSEC_A_SA_PID_REMOTE_PREFIXLEN) ||
	    nla_put_u8(skb, KIPSEC_A_SA_PID_PROTO, sel->proto) ||
	    nla_put_u16(skb, KIPSEC_A_SA_PID_LPORT_MIN, sel->lport_min) ||
	    nla_put_u16(skb, KIPSEC_A_SA_PID_LPORT_MAX, sel->lport_max) ||
	    nla_put_u16(skb, KIPSEC_A_SA_PID_RPORT_MIN, sel->rport_min) ||
	    nla_put_u16(skb, KIPSEC_A_SA_PID_RPORT_MAX, sel->rport_max) ||
	    kipsec_put_sa_addr(skb, &sa->src, KIPSEC_A_SA_OUTER_SRC_IPV4,
			       KIPSEC_A_SA_OUTER_SRC_IPV6) ||
	    kipsec_put_sa_addr(skb, &sa->dst, KIPSEC_A_SA_OUTER_DST_IPV4,
			       KIPSEC_A_SA_OUTER_DST_IPV6) ||
	    nla_put_u64_64bit(skb, KIPSEC_A_SA_SEQ, last, KIPSEC_A_SA_PAD) ||
	    kipsec_sa_put_stats(skb, sa) ||
	    kipsec_lifetime_fill(skb, &sa->life))
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int kipsec_sa_fill(struct sk_buff *skb, struct kipsec_sa *sa,
			  u32 portid, u32 seq, int flags,
			  struct netlink_callback *cb)
{
	return __kipsec_sa_fill(skb, sa, portid, seq, flags, cb,
				KIPSEC_CMD_SA_GET);
}

int kipsec_sa_fill_cmd(struct sk_buff *skb, struct kipsec_sa *sa, u8 cmd)
{
	return __kipsec_sa_fill(skb, sa, 0, 0, 0, NULL, cmd);
}

/* Under the lock: the SA a del or get request names. */
static struct kipsec_sa *kipsec_sa_get_named(struct kipsec_tunnel *t,
					     struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct kipsec_sa *sa;

	sa = kipsec_sa_find(t, nla_get_u8(attrs[KIPSEC_A_SA_DIR]),
			    nla_get_u32(attrs[KIPSEC_A_SA_SPI]),
			    nla_get_u8(attrs[KIPSEC_A_SA_PROTO]));
	if (!sa)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPSEC_A_SA_SPI],
				    "no such SA");
	return sa;
}

static int kipsec_sa_id_check(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_DIR) ||
	    GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_SPI) ||
	    GENL_REQ_ATTR_CHECK(info, KIPSEC_A_SA_PROTO))
		return -EINVAL;
	return 0;
}

static int kipsec_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_tunnel *t;
	struct kipsec_sa *sa;
	int ret;

	ret = kipsec_sa_id_check(info);
	if (ret)
		return ret;
	t = kipsec_tunnel_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);

	mutex_lock(&t->kn->lock);
	ret = kipsec_tunnel_alive(t, info->extack);
	if (!ret) {
		sa = kipsec_sa_get_named(t, info);
		if (sa)
			kipsec_sa_remove(sa);
		else
			ret = -ENOENT;
	}
	mutex_unlock(&t->kn->lock);
	dev_put(t->dev);
	return ret;
}

static int kipsec_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_tunnel *t;
	struct kipsec_sa *sa;
	struct sk_buff *msg;
	int ret;

	ret = kipsec_sa_id_check(info);
	if (ret)
		return ret;
	t = kipsec_tunnel_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}
	mutex_lock(&t->kn->lock);
	sa = kipsec_sa_get_named(t, info);
	if (sa)
		ret = kipsec_sa_fill(msg, sa, info->snd_portid, info->snd_seq,
				     0, NULL);
	else
		ret = -ENOENT;
	mutex_unlock(&t->kn->lock);
	if (ret) {
		nlmsg_free(msg);
		goto out_put;
	}
	ret = genlmsg_reply(msg, info);
out_put:
	dev_put(t->dev);
	return ret;
}

/*
 * cb->args[0]: tunnels done; cb->args[1]: SAs of the current tunnel done;
 * cb->args[2]: ifindex of the one tunnel asked for, or 0.
 */
static int kipsec_sa_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct kipsec_net *kn = kipsec_net(sock_net(skb->sk));
	long tdone = 0, sdone;
	struct kipsec_tunnel *t;
	struct kipsec_sa *sa;
	int ret = 0;

	if (!cb->args[2]) {
		const struct genl_dumpit_info *info = genl_dumpit_info(cb);

		if (info->attrs[KIPSEC_A_SA_IFINDEX] ||
		    info->attrs[KIPSEC_A_SA_IFNAME]) {
			t = kipsec_tunnel_get(sock_net(skb->sk), info->attrs,
					      cb->extack);
			if (IS_ERR(t))
				return PTR_ERR(t);
			cb->args[2] = t->dev->ifindex;
			dev_put(t->dev);
		} else {
			cb->args[2] = -1;
		}
	}

	mutex_lock(&kn->lock);
	cb->seq = kn->gen;
	list_for_each_entry(t, &kn->tunnels, list) {
		if (cb->args[2] > 0 && t->dev->ifindex != cb->args[2])
			continue;
		if (tdone++ < cb->args[0])
			continue;
		sdone = 0;
		list_for_each_entry(sa, &t->sas, list) {
			if (sdone++ < cb->args[1])
				continue;
			ret = kipsec_sa_fill(skb, sa,
					     NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     cb);
			if (ret)
				break;
			cb->args[1] = sdone;
		}
		if (ret)
			break;
		cb->args[0] = tdone;
		cb->args[1] = 0;
	}
	mutex_unlock(&kn->lock);

	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static int kipsec_sa_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipsec_net *kn = kipsec_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	struct kipsec_tunnel *t;
	int ret = 0;

	if (attrs[KIPSEC_A_SA_IFINDEX] || attrs[KIPSEC_A_SA_IFNAME]) {
		t = kipsec_tunnel_get(genl_info_net(info), attrs, info->extack);
		if (IS_ERR(t))
			return PTR_ERR(t);
		mutex_lock(&kn->lock);
		ret = kipsec_tunnel_alive(t, info->extack);
		if (!ret)
			kipsec_sa_flush_tunnel(t);
		mutex_unlock(&kn->lock);
		dev_put(t->dev);
		return ret;
	}

	mutex_lock(&kn->lock);
	list_for_each_entry(t, &kn->tunnels, list)
		kipsec_sa_flush_tunnel(t);
	mutex_unlock(&kn->lock);
	return 0;
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
	{
		.cmd = KIPSEC_CMD_SPI_ALLOC,
		.doit = kipsec_spi_alloc_doit,
		.policy = kipsec_spi_alloc_policy,
		.maxattr = ARRAY_SIZE(kipsec_spi_alloc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_ADD,
		.doit = kipsec_sa_add_doit,
		.policy = kipsec_sa_add_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_add_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_UPDATE,
		.doit = kipsec_sa_add_doit,
		.policy = kipsec_sa_add_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_add_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_DEL,
		.doit = kipsec_sa_del_doit,
		.policy = kipsec_sa_id_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_GET,
		.doit = kipsec_sa_get_doit,
		.dumpit = kipsec_sa_get_dumpit,
		.policy = kipsec_sa_id_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KIPSEC_CMD_SA_FLUSH,
		.doit = kipsec_sa_flush_doit,
		.policy = kipsec_sa_flush_policy,
		.maxattr = ARRAY_SIZE(kipsec_sa_flush_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* Events: EXPIRE, SEQ_OVERFLOW, ACQUIRE (event.c). */
static const struct genl_multicast_group kipsec_mcgrps[] = {
	[KIPSEC_MCGRP_EVENTS_IDX] = {
		.name = KIPSEC_MCGRP_EVENTS,
		/* SA state is for the namespace's administrator:
		 * CAP_NET_ADMIN in its user namespace.
		 */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family kipsec_genl_family __ro_after_init = {
	.name = KIPSEC_GENL_NAME,
	.version = KIPSEC_GENL_VERSION,
	.maxattr = KIPSEC_A_SA_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = kipsec_genl_ops,
	.n_ops = ARRAY_SIZE(kipsec_genl_ops),
	.mcgrps = kipsec_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kipsec_mcgrps),
};

int __init kipsec_genl_init(void)
{
	return genl_register_family(&kipsec_genl_family);
}

void kipsec_genl_uninit(void)
{
	genl_unregister_family(&kipsec_genl_family);
}
