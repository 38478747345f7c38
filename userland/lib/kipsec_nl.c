// SPDX-License-Identifier: GPL-2.0
/*
 * libkipsec-nl: requests and replies of the kipsec family.
 *
 * Every request asks for an extended ACK, so that a rejection comes back
 * with the kernel's message and the attribute at fault, which we map back
 * to its name in the netlink spec.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kipsec_nl.h"
#include "../../kmod/uapi/kipsec.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kipsec_nl {
	struct nl_sock *sk;
	int family;
};

static const char *const tunnel_attr_names[] = {
	[KIPSEC_A_TUNNEL_IFINDEX] = "ifindex",
	[KIPSEC_A_TUNNEL_IFNAME] = "ifname",
	[KIPSEC_A_TUNNEL_LOCAL_IPV4] = "local-ipv4",
	[KIPSEC_A_TUNNEL_LOCAL_IPV6] = "local-ipv6",
	[KIPSEC_A_TUNNEL_REMOTE_IPV4] = "remote-ipv4",
	[KIPSEC_A_TUNNEL_REMOTE_IPV6] = "remote-ipv6",
};

const char *kipsec_nl_tunnel_attr_name(int type, char *buf, size_t len)
{
	if (type > 0 && type < (int)(sizeof(tunnel_attr_names) /
				     sizeof(tunnel_attr_names[0])) &&
	    tunnel_attr_names[type])
		return tunnel_attr_names[type];
	snprintf(buf, len, "attribute %d", type);
	return buf;
}

static void set_error(struct kipsec_nl_error *e, int err, const char *msg)
{
	e->err = err;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : strerror(err));
	e->attr[0] = '\0';
}

const char *kipsec_nl_strerror(const struct kipsec_nl_error *e, char *buf,
			       size_t len)
{
	if (e->attr[0])
		snprintf(buf, len, "%s (attribute %s)", e->msg, e->attr);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

int kipsec_nl_open(struct kipsec_nl **out, struct kipsec_nl_error *e)
{
	struct kipsec_nl *nl;
	int one = 1;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		set_error(e, ENOMEM, NULL);
		return -ENOMEM;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		set_error(e, ENOMEM, NULL);
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		set_error(e, EIO, nl_geterror(ret));
		goto fail;
	}
	/* Best effort: without them errors are still reported, just vaguer. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, KIPSEC_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND) {
			set_error(e, ENOENT,
				  "the kipsec kernel module is not loaded (no generic netlink family \""
				  KIPSEC_GENL_NAME "\"); load it with 'modprobe kipsec' or 'insmod kipsec.ko'");
		} else {
			set_error(e, EIO, nl_geterror(nl->family));
		}
		goto fail;
	}
	*out = nl;
	return 0;

fail:
	nl_socket_free(nl->sk);
	free(nl);
	return -e->err;
}

void kipsec_nl_close(struct kipsec_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

struct transaction {
	struct nl_msg *req;
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	struct kipsec_nl_error *e;
	bool done;
	int err;		/* positive errno from the kernel, or ours */
	int cb_ret;		/* what parse() returned, if it stopped us */
};

/* The attribute of our request at byte @offset from its nlmsghdr. */
static int attr_at_offset(struct nl_msg *req, uint32_t offset)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nlattr *attr;
	int rem;

	nlmsg_for_each_attr(attr, nlh, GENL_HDRLEN, rem) {
		if ((uint32_t)((char *)attr - (char *)nlh) == offset)
			return nla_type(attr);
	}
	return 0;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	struct transaction *t = arg;
	char buf[32];
	int ack_len;

	(void)who;
	t->err = -err->error;
	t->done = true;
	set_error(t->e, t->err, NULL);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	ack_len = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if ((int)nlh->nlmsg_len < NLMSG_HDRLEN + ack_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)err + ack_len),
		      nlh->nlmsg_len - NLMSG_HDRLEN - ack_len, NULL) < 0)
		return NL_STOP;

	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(t->e->msg, sizeof(t->e->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS]) {
		int type = attr_at_offset(t->req, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));

		if (type)
			snprintf(t->e->attr, sizeof(t->e->attr), "%s",
				 kipsec_nl_tunnel_attr_name(type, buf, sizeof(buf)));
	} else if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		snprintf(t->e->attr, sizeof(t->e->attr), "%s (missing)",
			 kipsec_nl_tunnel_attr_name(nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]),
						    buf, sizeof(buf)));
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;

	(void)msg;
	t->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KIPSEC_A_TUNNEL_MAX + 1];
	struct transaction *t = arg;
	int ret;

	if (!t->parse)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPSEC_A_TUNNEL_MAX, NULL) < 0)
		return NL_SKIP;
	ret = t->parse(tb, t->arg);
	if (ret) {
		t->cb_ret = ret;
		t->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

static struct nl_msg *new_request(struct kipsec_nl *nl, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, KIPSEC_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Send @req (and free it) and read the replies until the ACK, the end of a
 * dump, or an error. Returns 0, or a negative errno with @e filled in.
 */
static int transact(struct kipsec_nl *nl, struct nl_msg *req,
		    int (*parse)(struct nlattr **tb, void *arg), void *arg,
		    struct kipsec_nl_error *e)
{
	struct transaction t = {
		.req = req, .parse = parse, .arg = arg, .e = e,
	};
	struct nl_cb *cb;
	int ret;

	memset(e, 0, sizeof(*e));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(req);
		set_error(e, ENOMEM, NULL);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);

	ret = nl_send_auto(nl->sk, req);
	if (ret < 0) {
		set_error(e, EIO, nl_geterror(ret));
		t.err = EIO;
		goto out;
	}
	while (!t.done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !t.done) {
			if (ret == -NLE_DUMP_INTR)
				set_error(e, EAGAIN,
					  "the tunnel list changed during the dump; try again");
			else
				set_error(e, EIO, nl_geterror(ret));
			t.err = e->err;
			break;
		}
	}
out:
	nl_cb_put(cb);
	nlmsg_free(req);
	if (t.err)
		return -t.err;
	return t.cb_ret;
}

static int put_addr(struct nl_msg *msg, const struct kipsec_nl_addr *a,
		    int attr4, int attr6)
{
	switch (a->family) {
	case AF_INET:
		return nla_put(msg, attr4, sizeof(a->ip4), &a->ip4);
	case AF_INET6:
		return nla_put(msg, attr6, sizeof(a->ip6), &a->ip6);
	}
	return 0;
}

static int put_tunnel_id(struct nl_msg *msg, const struct kipsec_tunnel_info *t)
{
	if (t->ifindex)
		return nla_put_u32(msg, KIPSEC_A_TUNNEL_IFINDEX, t->ifindex);
	return nla_put_string(msg, KIPSEC_A_TUNNEL_IFNAME, t->ifname);
}

int kipsec_nl_tunnel_set(struct kipsec_nl *nl,
			 const struct kipsec_tunnel_info *t,
			 struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_TUNNEL_SET, NLM_F_ACK);

	if (!msg || put_tunnel_id(msg, t) ||
	    put_addr(msg, &t->local, KIPSEC_A_TUNNEL_LOCAL_IPV4,
		     KIPSEC_A_TUNNEL_LOCAL_IPV6) ||
	    put_addr(msg, &t->remote, KIPSEC_A_TUNNEL_REMOTE_IPV4,
		     KIPSEC_A_TUNNEL_REMOTE_IPV6)) {
		nlmsg_free(msg);
		set_error(e, ENOMEM, "cannot build the request");
		return -ENOMEM;
	}
	return transact(nl, msg, NULL, NULL, e);
}

static void get_addr(struct nlattr **tb, int attr4, int attr6,
		     struct kipsec_nl_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (tb[attr4] && nla_len(tb[attr4]) == sizeof(a->ip4)) {
		a->family = AF_INET;
		memcpy(&a->ip4, nla_data(tb[attr4]), sizeof(a->ip4));
	} else if (tb[attr6] && nla_len(tb[attr6]) == sizeof(a->ip6)) {
		a->family = AF_INET6;
		memcpy(&a->ip6, nla_data(tb[attr6]), sizeof(a->ip6));
	}
}

static int parse_tunnel(struct nlattr **tb, struct kipsec_tunnel_info *t)
{
	memset(t, 0, sizeof(*t));
	if (!tb[KIPSEC_A_TUNNEL_IFINDEX] || !tb[KIPSEC_A_TUNNEL_IFNAME])
		return -EPROTO;
	t->ifindex = nla_get_u32(tb[KIPSEC_A_TUNNEL_IFINDEX]);
	snprintf(t->ifname, sizeof(t->ifname), "%s",
		 nla_get_string(tb[KIPSEC_A_TUNNEL_IFNAME]));
	get_addr(tb, KIPSEC_A_TUNNEL_LOCAL_IPV4, KIPSEC_A_TUNNEL_LOCAL_IPV6,
		 &t->local);
	get_addr(tb, KIPSEC_A_TUNNEL_REMOTE_IPV4, KIPSEC_A_TUNNEL_REMOTE_IPV6,
		 &t->remote);
	return 0;
}

static int parse_one(struct nlattr **tb, void *arg)
{
	return parse_tunnel(tb, arg);
}

int kipsec_nl_tunnel_get(struct kipsec_nl *nl, const char *ifname,
			 struct kipsec_tunnel_info *t,
			 struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_TUNNEL_GET, NLM_F_ACK);
	int ret;

	if (!msg || nla_put_string(msg, KIPSEC_A_TUNNEL_IFNAME, ifname)) {
		nlmsg_free(msg);
		set_error(e, ENOMEM, "cannot build the request");
		return -ENOMEM;
	}
	t->ifindex = 0;
	ret = transact(nl, msg, parse_one, t, e);
	if (!ret && !t->ifindex) {
		set_error(e, EPROTO, "the kernel's reply has no tunnel in it");
		return -EPROTO;
	}
	if (ret == -EPROTO && !e->err)
		set_error(e, EPROTO, "malformed reply from the kernel");
	return ret;
}

struct dump_arg {
	kipsec_tunnel_cb cb;
	void *arg;
};

static int parse_each(struct nlattr **tb, void *arg)
{
	struct dump_arg *d = arg;
	struct kipsec_tunnel_info t;

	if (parse_tunnel(tb, &t))
		return 0;	/* skip what we cannot read */
	return d->cb(&t, d->arg);
}

int kipsec_nl_tunnel_dump(struct kipsec_nl *nl, kipsec_tunnel_cb cb,
			  void *arg, struct kipsec_nl_error *e)
{
	struct dump_arg d = { .cb = cb, .arg = arg };
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_TUNNEL_GET, NLM_F_DUMP);

	if (!msg) {
		set_error(e, ENOMEM, "cannot build the request");
		return -ENOMEM;
	}
	return transact(nl, msg, parse_each, &d, e);
}
