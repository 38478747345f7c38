// SPDX-License-Identifier: GPL-2.0
/*
 * libkipsec-nl: requests and replies of the kipsec family.
 *
 * Every request asks for an extended ACK, so that a rejection comes back
 * with the kernel's message and the attribute at fault, which we map back
 * to its name in the netlink spec.
 */
#include <arpa/inet.h>
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
	[KIPSEC_A_TUNNEL_STATS] = "stats",
};

static const char *const sa_attr_names[] = {
	[KIPSEC_A_SA_IFINDEX] = "ifindex",
	[KIPSEC_A_SA_IFNAME] = "ifname",
	[KIPSEC_A_SA_DIR] = "dir",
	[KIPSEC_A_SA_SPI] = "spi",
	[KIPSEC_A_SA_PROTO] = "proto",
	[KIPSEC_A_SA_SPI_MIN] = "spi-min",
	[KIPSEC_A_SA_SPI_MAX] = "spi-max",
	[KIPSEC_A_SA_AEAD_ALG] = "aead-alg",
	[KIPSEC_A_SA_AEAD_KEY] = "aead-key",
	[KIPSEC_A_SA_ICV_BITS] = "icv-bits",
	[KIPSEC_A_SA_ENC_ALG] = "enc-alg",
	[KIPSEC_A_SA_ENC_KEY] = "enc-key",
	[KIPSEC_A_SA_AUTH_ALG] = "auth-alg",
	[KIPSEC_A_SA_AUTH_KEY] = "auth-key",
	[KIPSEC_A_SA_KEY_BITS] = "key-bits",
	[KIPSEC_A_SA_REPLAY_WINDOW] = "replay-window",
	[KIPSEC_A_SA_FLAGS] = "flags",
	[KIPSEC_A_SA_PID_LOCAL_IPV4] = "pid-local-ipv4",
	[KIPSEC_A_SA_PID_LOCAL_IPV6] = "pid-local-ipv6",
	[KIPSEC_A_SA_PID_LOCAL_PREFIXLEN] = "pid-local-prefixlen",
	[KIPSEC_A_SA_PID_REMOTE_IPV4] = "pid-remote-ipv4",
	[KIPSEC_A_SA_PID_REMOTE_IPV6] = "pid-remote-ipv6",
	[KIPSEC_A_SA_PID_REMOTE_PREFIXLEN] = "pid-remote-prefixlen",
	[KIPSEC_A_SA_PID_PROTO] = "pid-proto",
	[KIPSEC_A_SA_PID_LPORT_MIN] = "pid-lport-min",
	[KIPSEC_A_SA_PID_LPORT_MAX] = "pid-lport-max",
	[KIPSEC_A_SA_PID_RPORT_MIN] = "pid-rport-min",
	[KIPSEC_A_SA_PID_RPORT_MAX] = "pid-rport-max",
	[KIPSEC_A_SA_OUTER_SRC_IPV4] = "outer-src-ipv4",
	[KIPSEC_A_SA_OUTER_SRC_IPV6] = "outer-src-ipv6",
	[KIPSEC_A_SA_OUTER_DST_IPV4] = "outer-dst-ipv4",
	[KIPSEC_A_SA_OUTER_DST_IPV6] = "outer-dst-ipv6",
	[KIPSEC_A_SA_SEQ] = "seq",
	[KIPSEC_A_SA_STATS] = "stats",
	[KIPSEC_A_SA_PAD] = "pad",
	[KIPSEC_A_SA_LIFETIME_SOFT] = "lifetime-soft",
	[KIPSEC_A_SA_LIFETIME_HARD] = "lifetime-hard",
	[KIPSEC_A_SA_AGE] = "age",
	[KIPSEC_A_SA_USE_AGE] = "use-age",
	[KIPSEC_A_SA_EXPIRE_HARD] = "expire-hard",
	[KIPSEC_A_SA_EXPIRE_LIMIT] = "expire-limit",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *attr_name(const char *const *names, size_t n, int type,
			     char *buf, size_t len)
{
	if (type > 0 && (size_t)type < n && names[type])
		return names[type];
	snprintf(buf, len, "attribute %d", type);
	return buf;
}

const char *kipsec_nl_tunnel_attr_name(int type, char *buf, size_t len)
{
	return attr_name(tunnel_attr_names, ARRAY_SIZE(tunnel_attr_names),
			 type, buf, len);
}

const char *kipsec_nl_sa_attr_name(int type, char *buf, size_t len)
{
	return attr_name(sa_attr_names, ARRAY_SIZE(sa_attr_names), type, buf,
			 len);
}

/* The attribute set of a command's requests and replies. */
static bool is_tunnel_cmd(int cmd)
{
	return cmd == KIPSEC_CMD_TUNNEL_SET || cmd == KIPSEC_CMD_TUNNEL_GET;
}

static const char *cmd_attr_name(int cmd, int type, char *buf, size_t len)
{
	if (is_tunnel_cmd(cmd))
		return kipsec_nl_tunnel_attr_name(type, buf, len);
	return kipsec_nl_sa_attr_name(type, buf, len);
}

/* Requests may carry keys: wipe what was written before freeing. */
static void free_request(struct nl_msg *msg)
{
	if (!msg)
		return;
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
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
	/*
	 * Without a buffer size libnl peeks at every message to size its
	 * buffer, a second recvmsg() per reply. The kernel never sends us a
	 * message over 32 KiB (dumps fill at most that much per skb), so a
	 * fixed buffer saves a syscall per request: it matters for batches
	 * of thousands of SAs.
	 */
	nl_socket_set_msg_buf_size(nl->sk, 65536);
	nl_socket_disable_msg_peek(nl->sk);
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

#define MAX_ATTR ((int)KIPSEC_A_SA_MAX > (int)KIPSEC_A_TUNNEL_MAX ? \
		  (int)KIPSEC_A_SA_MAX : (int)KIPSEC_A_TUNNEL_MAX)

struct transaction {
	struct nl_msg *req;
	int cmd;
	int maxattr;		/* of the replies' attribute set */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	struct kipsec_nl_error *e;
	bool done;
	int err;		/* positive errno from the kernel, or ours */
	int cb_ret;		/* what parse() returned, if it stopped us */
};

/*
 * The attribute of our request at byte @offset from its nlmsghdr; for an
 * attribute inside a nest (a lifetime), the nest's.
 */
static int attr_at_offset(struct nl_msg *req, uint32_t offset)
{
	struct nlmsghdr *nlh = nlmsg_hdr(req);
	struct nlattr *attr;
	int rem;

	nlmsg_for_each_attr(attr, nlh, GENL_HDRLEN, rem) {
		uint32_t start = (uint32_t)((char *)attr - (char *)nlh);

		if (start == offset)
			return nla_type(attr);
		if (offset > start && offset < start + attr->nla_len)
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
				 cmd_attr_name(t->cmd, type, buf, sizeof(buf)));
	} else if (tb[NLMSGERR_ATTR_MISS_TYPE]) {
		snprintf(t->e->attr, sizeof(t->e->attr), "%s (missing)",
			 cmd_attr_name(t->cmd,
				       nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]),
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
	struct nlattr *tb[MAX_ATTR + 1];
	struct transaction *t = arg;
	int ret;

	if (!t->parse)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, t->maxattr, NULL) < 0)
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
	t.cmd = genlmsg_hdr(nlmsg_hdr(req))->cmd;
	t.maxattr = is_tunnel_cmd(t.cmd) ? KIPSEC_A_TUNNEL_MAX : KIPSEC_A_SA_MAX;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		free_request(req);
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
				set_error(e, EAGAIN, is_tunnel_cmd(t.cmd) ?
					  "the tunnel list changed during the dump; try again" :
					  "the SA list changed during the dump; try again");
			else
				set_error(e, EIO, nl_geterror(ret));
			t.err = e->err;
			break;
		}
	}
out:
	nl_cb_put(cb);
	free_request(req);
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

/* Integers of a reply, 0 when absent or of the wrong size. */
static uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	if (!a || nla_len(a) != sizeof(v))
		return 0;
	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a && nla_len(a) == sizeof(uint32_t) ? nla_get_u32((struct nlattr *)a) : 0;
}

static uint16_t get_u16(const struct nlattr *a, uint16_t dflt)
{
	return a && nla_len(a) == sizeof(uint16_t) ? nla_get_u16((struct nlattr *)a) : dflt;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a && nla_len(a) == sizeof(uint8_t) ? nla_get_u8((struct nlattr *)a) : 0;
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
	if (tb[KIPSEC_A_TUNNEL_STATS]) {
		struct nlattr *st[KIPSEC_A_TSTATS_MAX + 1];

		if (nla_parse_nested(st, KIPSEC_A_TSTATS_MAX,
				     tb[KIPSEC_A_TUNNEL_STATS], NULL) < 0)
			return -EPROTO;
		t->has_stats = true;
		t->stats.rx_no_sa = get_u64(st[KIPSEC_A_TSTATS_RX_NO_SA]);
		t->stats.tx_no_sa = get_u64(st[KIPSEC_A_TSTATS_TX_NO_SA]);
		t->stats.rx_malformed = get_u64(st[KIPSEC_A_TSTATS_RX_MALFORMED]);
		t->stats.tx_errors = get_u64(st[KIPSEC_A_TSTATS_TX_ERRORS]);
		t->stats.acquires = get_u64(st[KIPSEC_A_TSTATS_ACQUIRES]);
	}
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

/* SPIs and SAs */

static int build_failed(struct nl_msg *msg, struct kipsec_nl_error *e)
{
	free_request(msg);
	set_error(e, ENOMEM, "cannot build the request");
	return -ENOMEM;
}

static int put_sa_tunnel(struct nl_msg *msg, uint32_t ifindex,
			 const char *ifname)
{
	if (ifindex)
		return nla_put_u32(msg, KIPSEC_A_SA_IFINDEX, ifindex);
	return nla_put_string(msg, KIPSEC_A_SA_IFNAME, ifname);
}

static int put_sa_id(struct nl_msg *msg, const struct kipsec_sa_info *sa)
{
	return put_sa_tunnel(msg, sa->ifindex, sa->ifname) ||
	       nla_put_u8(msg, KIPSEC_A_SA_DIR, sa->dir) ||
	       nla_put_u32(msg, KIPSEC_A_SA_SPI, sa->spi) ||
	       nla_put_u8(msg, KIPSEC_A_SA_PROTO, sa->proto);
}

static int parse_spi(struct nlattr **tb, void *arg)
{
	uint32_t *spi = arg;

	if (!tb[KIPSEC_A_SA_SPI] || nla_len(tb[KIPSEC_A_SA_SPI]) != sizeof(*spi))
		return -EPROTO;
	*spi = nla_get_u32(tb[KIPSEC_A_SA_SPI]);
	return 0;
}

int kipsec_nl_spi_alloc(struct kipsec_nl *nl, const struct kipsec_spi_req *r,
			uint32_t *spi, struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_SPI_ALLOC, NLM_F_ACK);
	uint32_t got = 0;
	int ret;

	if (!msg || put_sa_tunnel(msg, r->ifindex, r->ifname) ||
	    nla_put_u8(msg, KIPSEC_A_SA_PROTO, r->proto) ||
	    (r->has_min && nla_put_u32(msg, KIPSEC_A_SA_SPI_MIN, r->min)) ||
	    (r->has_max && nla_put_u32(msg, KIPSEC_A_SA_SPI_MAX, r->max)))
		return build_failed(msg, e);
	ret = transact(nl, msg, parse_spi, &got, e);
	if (ret == -EPROTO && !e->err)
		set_error(e, EPROTO, "the kernel's reply has no SPI in it");
	if (!ret && !got) {
		set_error(e, EPROTO, "the kernel's reply has no SPI in it");
		ret = -EPROTO;
	}
	if (!ret)
		*spi = got;
	return ret;
}

static int put_prefix(struct nl_msg *msg, const struct kipsec_nl_prefix *p,
		      int attr4, int attr6, int attr_len)
{
	if (!p->addr.family)
		return 0;
	return put_addr(msg, &p->addr, attr4, attr6) ||
	       nla_put_u8(msg, attr_len, p->len);
}

static int put_ports(struct nl_msg *msg, uint16_t min, uint16_t max,
		     int attr_min, int attr_max)
{
	if (min == 0 && max == 65535)
		return 0;	/* any: the kernel's default */
	return nla_put_u16(msg, attr_min, min) || nla_put_u16(msg, attr_max, max);
}

static bool lifetime_set(const struct kipsec_nl_lifetime *lt)
{
	return lt->time || lt->use_time || lt->bytes || lt->packets;
}

static int put_lifetime(struct nl_msg *msg, int type,
			const struct kipsec_nl_lifetime *lt)
{
	struct nlattr *nest;

	if (!lifetime_set(lt))
		return 0;
	nest = nla_nest_start(msg, type);
	if (!nest ||
	    (lt->time && nla_put_u64(msg, KIPSEC_A_LIFETIME_TIME, lt->time)) ||
	    (lt->use_time &&
	     nla_put_u64(msg, KIPSEC_A_LIFETIME_USE_TIME, lt->use_time)) ||
	    (lt->bytes && nla_put_u64(msg, KIPSEC_A_LIFETIME_BYTES, lt->bytes)) ||
	    (lt->packets &&
	     nla_put_u64(msg, KIPSEC_A_LIFETIME_PACKETS, lt->packets)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int sa_write(struct kipsec_nl *nl, int cmd,
		    const struct kipsec_sa_info *sa,
		    const struct kipsec_sa_keys *k, struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, cmd, NLM_F_ACK);
	const struct kipsec_proxy_id *p = &sa->pid;

	if (!msg || put_sa_id(msg, sa))
		return build_failed(msg, e);
	if (sa->aead_alg &&
	    (nla_put_u32(msg, KIPSEC_A_SA_AEAD_ALG, sa->aead_alg) ||
	     nla_put(msg, KIPSEC_A_SA_AEAD_KEY, k->aead_len, k->aead)))
		return build_failed(msg, e);
	if (sa->icv_bits && nla_put_u32(msg, KIPSEC_A_SA_ICV_BITS, sa->icv_bits))
		return build_failed(msg, e);
	if (sa->enc_alg &&
	    (nla_put_u32(msg, KIPSEC_A_SA_ENC_ALG, sa->enc_alg) ||
	     nla_put(msg, KIPSEC_A_SA_ENC_KEY, k->enc_len, k->enc)))
		return build_failed(msg, e);
	if (sa->auth_alg &&
	    (nla_put_u32(msg, KIPSEC_A_SA_AUTH_ALG, sa->auth_alg) ||
	     nla_put(msg, KIPSEC_A_SA_AUTH_KEY, k->auth_len, k->auth)))
		return build_failed(msg, e);
	if (sa->has_replay_window &&
	    nla_put_u32(msg, KIPSEC_A_SA_REPLAY_WINDOW, sa->replay_window))
		return build_failed(msg, e);
	if (sa->has_flags && nla_put_u32(msg, KIPSEC_A_SA_FLAGS, sa->flags))
		return build_failed(msg, e);
	if (sa->has_seq && nla_put_u64(msg, KIPSEC_A_SA_SEQ, sa->seq))
		return build_failed(msg, e);
	if (sa->has_proxy_id &&
	    (put_prefix(msg, &p->local, KIPSEC_A_SA_PID_LOCAL_IPV4,
			KIPSEC_A_SA_PID_LOCAL_IPV6,
			KIPSEC_A_SA_PID_LOCAL_PREFIXLEN) ||
	     put_prefix(msg, &p->remote, KIPSEC_A_SA_PID_REMOTE_IPV4,
			KIPSEC_A_SA_PID_REMOTE_IPV6,
			KIPSEC_A_SA_PID_REMOTE_PREFIXLEN) ||
	     nla_put_u8(msg, KIPSEC_A_SA_PID_PROTO, p->proto) ||
	     put_ports(msg, p->lport_min, p->lport_max,
		       KIPSEC_A_SA_PID_LPORT_MIN, KIPSEC_A_SA_PID_LPORT_MAX) ||
	     put_ports(msg, p->rport_min, p->rport_max,
		       KIPSEC_A_SA_PID_RPORT_MIN, KIPSEC_A_SA_PID_RPORT_MAX)))
		return build_failed(msg, e);
	if (put_lifetime(msg, KIPSEC_A_SA_LIFETIME_SOFT, &sa->soft) ||
	    put_lifetime(msg, KIPSEC_A_SA_LIFETIME_HARD, &sa->hard))
		return build_failed(msg, e);
	return transact(nl, msg, NULL, NULL, e);
}

int kipsec_nl_sa_add(struct kipsec_nl *nl, const struct kipsec_sa_info *sa,
		     const struct kipsec_sa_keys *k, struct kipsec_nl_error *e)
{
	return sa_write(nl, KIPSEC_CMD_SA_ADD, sa, k, e);
}

int kipsec_nl_sa_update(struct kipsec_nl *nl, const struct kipsec_sa_info *sa,
			const struct kipsec_sa_keys *k,
			struct kipsec_nl_error *e)
{
	return sa_write(nl, KIPSEC_CMD_SA_UPDATE, sa, k, e);
}

int kipsec_nl_sa_del(struct kipsec_nl *nl, const struct kipsec_sa_info *id,
		     struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_SA_DEL, NLM_F_ACK);

	if (!msg || put_sa_id(msg, id))
		return build_failed(msg, e);
	return transact(nl, msg, NULL, NULL, e);
}

static void get_prefix(struct nlattr **tb, int attr4, int attr6, int attr_len,
		       struct kipsec_nl_prefix *p)
{
	get_addr(tb, attr4, attr6, &p->addr);
	if (!p->addr.family)
		p->len = 0;
	else if (tb[attr_len])
		p->len = get_u8(tb[attr_len]);
	else
		p->len = p->addr.family == AF_INET ? 32 : 128;
}

static void get_proxy_id(struct nlattr **tb, struct kipsec_proxy_id *p)
{
	get_prefix(tb, KIPSEC_A_SA_PID_LOCAL_IPV4, KIPSEC_A_SA_PID_LOCAL_IPV6,
		   KIPSEC_A_SA_PID_LOCAL_PREFIXLEN, &p->local);
	get_prefix(tb, KIPSEC_A_SA_PID_REMOTE_IPV4, KIPSEC_A_SA_PID_REMOTE_IPV6,
		   KIPSEC_A_SA_PID_REMOTE_PREFIXLEN, &p->remote);
	p->proto = get_u8(tb[KIPSEC_A_SA_PID_PROTO]);
	p->lport_min = get_u16(tb[KIPSEC_A_SA_PID_LPORT_MIN], 0);
	p->lport_max = get_u16(tb[KIPSEC_A_SA_PID_LPORT_MAX], 65535);
	p->rport_min = get_u16(tb[KIPSEC_A_SA_PID_RPORT_MIN], 0);
	p->rport_max = get_u16(tb[KIPSEC_A_SA_PID_RPORT_MAX], 65535);
}

static int get_lifetime(const struct nlattr *nest,
			struct kipsec_nl_lifetime *lt)
{
	struct nlattr *lb[KIPSEC_A_LIFETIME_MAX + 1];

	memset(lt, 0, sizeof(*lt));
	if (!nest)
		return 0;
	if (nla_parse_nested(lb, KIPSEC_A_LIFETIME_MAX, (struct nlattr *)nest,
			     NULL) < 0)
		return -EPROTO;
	lt->time = get_u64(lb[KIPSEC_A_LIFETIME_TIME]);
	lt->use_time = get_u64(lb[KIPSEC_A_LIFETIME_USE_TIME]);
	lt->bytes = get_u64(lb[KIPSEC_A_LIFETIME_BYTES]);
	lt->packets = get_u64(lb[KIPSEC_A_LIFETIME_PACKETS]);
	return 0;
}

static int parse_sa(struct nlattr **tb, struct kipsec_sa_info *sa)
{
	struct kipsec_proxy_id *p = &sa->pid;

	memset(sa, 0, sizeof(*sa));
	if (!tb[KIPSEC_A_SA_IFINDEX] || !tb[KIPSEC_A_SA_SPI] ||
	    !tb[KIPSEC_A_SA_DIR] || !tb[KIPSEC_A_SA_PROTO])
		return -EPROTO;
	sa->ifindex = get_u32(tb[KIPSEC_A_SA_IFINDEX]);
	if (tb[KIPSEC_A_SA_IFNAME])
		snprintf(sa->ifname, sizeof(sa->ifname), "%s",
			 nla_get_string(tb[KIPSEC_A_SA_IFNAME]));
	else if (!if_indextoname(sa->ifindex, sa->ifname))
		snprintf(sa->ifname, sizeof(sa->ifname), "if%u", sa->ifindex);
	sa->dir = get_u8(tb[KIPSEC_A_SA_DIR]);
	sa->spi = get_u32(tb[KIPSEC_A_SA_SPI]);
	sa->proto = get_u8(tb[KIPSEC_A_SA_PROTO]);
	sa->aead_alg = get_u32(tb[KIPSEC_A_SA_AEAD_ALG]);
	sa->icv_bits = get_u32(tb[KIPSEC_A_SA_ICV_BITS]);
	sa->enc_alg = get_u32(tb[KIPSEC_A_SA_ENC_ALG]);
	sa->auth_alg = get_u32(tb[KIPSEC_A_SA_AUTH_ALG]);
	sa->key_bits = get_u32(tb[KIPSEC_A_SA_KEY_BITS]);
	sa->has_replay_window = tb[KIPSEC_A_SA_REPLAY_WINDOW] != NULL;
	sa->replay_window = get_u32(tb[KIPSEC_A_SA_REPLAY_WINDOW]);
	sa->has_flags = tb[KIPSEC_A_SA_FLAGS] != NULL;
	sa->flags = get_u32(tb[KIPSEC_A_SA_FLAGS]);

	sa->has_proxy_id = true;
	get_proxy_id(tb, p);

	get_addr(tb, KIPSEC_A_SA_OUTER_SRC_IPV4, KIPSEC_A_SA_OUTER_SRC_IPV6,
		 &sa->outer_src);
	get_addr(tb, KIPSEC_A_SA_OUTER_DST_IPV4, KIPSEC_A_SA_OUTER_DST_IPV6,
		 &sa->outer_dst);
	sa->seq = get_u64(tb[KIPSEC_A_SA_SEQ]);

	if (tb[KIPSEC_A_SA_STATS]) {
		struct nlattr *st[KIPSEC_A_SSTATS_MAX + 1];
		struct kipsec_sa_stats *s = &sa->stats;

		if (nla_parse_nested(st, KIPSEC_A_SSTATS_MAX,
				     tb[KIPSEC_A_SA_STATS], NULL) < 0)
			return -EPROTO;
		sa->has_stats = true;
		s->packets = get_u64(st[KIPSEC_A_SSTATS_PACKETS]);
		s->bytes = get_u64(st[KIPSEC_A_SSTATS_BYTES]);
		s->drop_replay = get_u64(st[KIPSEC_A_SSTATS_DROP_REPLAY]);
		s->drop_window = get_u64(st[KIPSEC_A_SSTATS_DROP_WINDOW]);
		s->drop_auth = get_u64(st[KIPSEC_A_SSTATS_DROP_AUTH]);
		s->drop_pad = get_u64(st[KIPSEC_A_SSTATS_DROP_PAD]);
		s->drop_proxy_id = get_u64(st[KIPSEC_A_SSTATS_DROP_PROXY_ID]);
		s->drop_seq = get_u64(st[KIPSEC_A_SSTATS_DROP_SEQ]);
		s->drop_other = get_u64(st[KIPSEC_A_SSTATS_DROP_OTHER]);
	}
	if (get_lifetime(tb[KIPSEC_A_SA_LIFETIME_SOFT], &sa->soft) ||
	    get_lifetime(tb[KIPSEC_A_SA_LIFETIME_HARD], &sa->hard))
		return -EPROTO;
	sa->has_age = tb[KIPSEC_A_SA_AGE] != NULL;
	sa->age = get_u64(tb[KIPSEC_A_SA_AGE]);
	sa->has_use_age = tb[KIPSEC_A_SA_USE_AGE] != NULL;
	sa->use_age = get_u64(tb[KIPSEC_A_SA_USE_AGE]);
	return 0;
}

static int parse_one_sa(struct nlattr **tb, void *arg)
{
	return parse_sa(tb, arg);
}

int kipsec_nl_sa_get(struct kipsec_nl *nl, const struct kipsec_sa_info *id,
		     struct kipsec_sa_info *sa, struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_SA_GET, NLM_F_ACK);
	int ret;

	if (!msg || put_sa_id(msg, id))
		return build_failed(msg, e);
	sa->ifindex = 0;
	ret = transact(nl, msg, parse_one_sa, sa, e);
	if (!ret && !sa->ifindex) {
		set_error(e, EPROTO, "the kernel's reply has no SA in it");
		return -EPROTO;
	}
	if (ret == -EPROTO && !e->err)
		set_error(e, EPROTO, "malformed reply from the kernel");
	return ret;
}

struct sa_dump_arg {
	kipsec_sa_cb cb;
	void *arg;
};

static int parse_each_sa(struct nlattr **tb, void *arg)
{
	struct sa_dump_arg *d = arg;
	struct kipsec_sa_info sa;

	if (parse_sa(tb, &sa))
		return 0;	/* skip what we cannot read */
	return d->cb(&sa, d->arg);
}

int kipsec_nl_sa_dump(struct kipsec_nl *nl, const char *ifname,
		      kipsec_sa_cb cb, void *arg, struct kipsec_nl_error *e)
{
	struct sa_dump_arg d = { .cb = cb, .arg = arg };
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_SA_GET, NLM_F_DUMP);

	if (!msg || (ifname && nla_put_string(msg, KIPSEC_A_SA_IFNAME, ifname)))
		return build_failed(msg, e);
	return transact(nl, msg, parse_each_sa, &d, e);
}

int kipsec_nl_sa_flush(struct kipsec_nl *nl, const char *ifname,
		       struct kipsec_nl_error *e)
{
	struct nl_msg *msg = new_request(nl, KIPSEC_CMD_SA_FLUSH, NLM_F_ACK);

	if (!msg || (ifname && nla_put_string(msg, KIPSEC_A_SA_IFNAME, ifname)))
		return build_failed(msg, e);
	return transact(nl, msg, NULL, NULL, e);
}

/* Events */

int kipsec_nl_monitor_open(struct kipsec_nl **out, struct kipsec_nl_error *e)
{
	struct kipsec_nl *nl;
	int grp, ret;

	ret = kipsec_nl_open(&nl, e);
	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(nl->sk, KIPSEC_GENL_NAME,
				    KIPSEC_MCGRP_EVENTS);
	if (grp < 0) {
		set_error(e, ENOENT,
			  "the kipsec module has no \"" KIPSEC_MCGRP_EVENTS
			  "\" multicast group (too old?)");
		kipsec_nl_close(nl);
		return -ENOENT;
	}
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		set_error(e, ret == -NLE_PERM ? EPERM : EIO,
			  ret == -NLE_PERM ?
			  "joining the events group needs CAP_NET_ADMIN" :
			  nl_geterror(ret));
		kipsec_nl_close(nl);
		return -e->err;
	}
	/* Events are not answers to our requests. */
	nl_socket_disable_seq_check(nl->sk);
	*out = nl;
	return 0;
}

struct monitor_arg {
	kipsec_event_cb cb;
	void *arg;
	int ret;
};

static int parse_event(struct nl_msg *msg, struct kipsec_event *ev)
{
	struct nlattr *tb[KIPSEC_A_SA_MAX + 1];
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));

	memset(ev, 0, sizeof(*ev));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPSEC_A_SA_MAX, NULL) < 0)
		return -EPROTO;
	ev->cmd = g->cmd;
	switch (g->cmd) {
	case KIPSEC_CMD_EXPIRE:
		ev->hard = get_u8(tb[KIPSEC_A_SA_EXPIRE_HARD]);
		ev->limit = get_u8(tb[KIPSEC_A_SA_EXPIRE_LIMIT]);
		/* fall through */
	case KIPSEC_CMD_SEQ_OVERFLOW:
		return parse_sa(tb, &ev->sa);
	case KIPSEC_CMD_ACQUIRE:
		if (!tb[KIPSEC_A_SA_IFINDEX])
			return -EPROTO;
		ev->sa.ifindex = get_u32(tb[KIPSEC_A_SA_IFINDEX]);
		if (tb[KIPSEC_A_SA_IFNAME])
			snprintf(ev->sa.ifname, sizeof(ev->sa.ifname), "%s",
				 nla_get_string(tb[KIPSEC_A_SA_IFNAME]));
		ev->sa.has_proxy_id = true;
		get_proxy_id(tb, &ev->sa.pid);
		return 0;
	}
	return -EPROTO;
}

/* Events carry sequence number 0: there is nothing to check. */
static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor_arg *m = arg;
	struct kipsec_event ev;

	if (parse_event(msg, &ev))
		return NL_SKIP;	/* not one we know */
	m->ret = m->cb(&ev, m->arg);
	return m->ret ? NL_STOP : NL_OK;
}

int kipsec_nl_monitor(struct kipsec_nl *nl, kipsec_event_cb cb,
		      void (*lost)(void *arg), void *arg,
		      struct kipsec_nl_error *e)
{
	struct monitor_arg m = { .cb = cb, .arg = arg };
	struct nl_cb *ncb;
	int ret;

	memset(e, 0, sizeof(*e));
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb) {
		set_error(e, ENOMEM, NULL);
		return -ENOMEM;
	}
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &m);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	for (;;) {
		ret = nl_recvmsgs(nl->sk, ncb);
		if (m.ret)
			break;
		if (ret == -NLE_NOMEM || ret == -NLE_MSG_OVERFLOW) {
			/* ENOBUFS: the kernel dropped events for us. */
			if (lost)
				lost(arg);
			continue;
		}
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			set_error(e, EIO, nl_geterror(ret));
			m.ret = -EIO;
			break;
		}
	}
	nl_cb_put(ncb);
	return m.ret;
}

const char *kipsec_nl_limit_name(int limit)
{
	switch (limit) {
	case KIPSEC_A_LIFETIME_TIME:
		return "time";
	case KIPSEC_A_LIFETIME_USE_TIME:
		return "use-time";
	case KIPSEC_A_LIFETIME_BYTES:
		return "bytes";
	case KIPSEC_A_LIFETIME_PACKETS:
		return "packets";
	}
	return "unknown";
}

const char *kipsec_nl_addr_str(const struct kipsec_nl_addr *a, char *buf,
			       size_t len)
{
	if (a->family == AF_INET)
		return inet_ntop(AF_INET, &a->ip4, buf, len);
	if (a->family == AF_INET6)
		return inet_ntop(AF_INET6, &a->ip6, buf, len);
	return NULL;
}
