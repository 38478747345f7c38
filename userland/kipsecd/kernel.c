// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: its side of the kipsec kernel module.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kernel.h"
#include "log.h"

/* Room for bursts of events (ACQUIREs from many selectors at once). */
#define EVENT_RCVBUF (1024 * 1024)

struct kipsecd_kernel {
	struct loop *loop;
	struct kipsecd_kernel_ops ops;
	void *arg;
	struct kipsec_nl *nl;		/* requests */
	struct nl_sock *ev;		/* the events group */
	struct nl_cb *ev_cb;
	bool send_lifetimes;
};

struct kipsecd_kernel *kipsecd_kernel_new(struct loop *l,
					  const struct kipsecd_kernel_ops *ops,
					  void *arg)
{
	struct kipsecd_kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->loop = l;
	k->ops = *ops;
	k->arg = arg;
	k->send_lifetimes = true;
	return k;
}

void kipsecd_kernel_free(struct kipsecd_kernel *k)
{
	if (!k)
		return;
	kipsecd_kernel_close(k);
	free(k);
}

bool kipsecd_kernel_is_open(const struct kipsecd_kernel *k)
{
	return k->nl != NULL;
}

void kipsecd_kernel_set_lifetimes(struct kipsecd_kernel *k, bool send)
{
	k->send_lifetimes = send;
}

bool kipsecd_kernel_lifetimes(const struct kipsecd_kernel *k)
{
	return k->send_lifetimes;
}

const char *kipsecd_kernel_event_name(uint8_t cmd)
{
	switch (cmd) {
	case KIPSEC_CMD_EXPIRE:
		return "expire";
	case KIPSEC_CMD_SEQ_OVERFLOW:
		return "seq-overflow";
	case KIPSEC_CMD_ACQUIRE:
		return "acquire";
	}
	return "unknown";
}

static void set_err(struct kipsec_nl_error *e, int err, const char *msg)
{
	memset(e, 0, sizeof(*e));
	e->err = err;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : strerror(err));
}

static int not_open(struct kipsec_nl_error *e)
{
	set_err(e, ENOENT, "no connection to the kipsec kernel module");
	return -ENOENT;
}

/* Events */

static uint32_t attr_u32(struct nlattr **tb, int type)
{
	return tb[type] && nla_len(tb[type]) == 4 ? nla_get_u32(tb[type]) : 0;
}

static uint16_t attr_u16(struct nlattr **tb, int type, uint16_t dflt)
{
	return tb[type] && nla_len(tb[type]) == 2 ? nla_get_u16(tb[type]) : dflt;
}

static uint8_t attr_u8(struct nlattr **tb, int type)
{
	return tb[type] && nla_len(tb[type]) == 1 ? nla_get_u8(tb[type]) : 0;
}

static void attr_prefix(struct nlattr **tb, int a4, int a6, int alen,
			struct kipsec_nl_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (tb[a4] && nla_len(tb[a4]) == 4) {
		p->addr.family = AF_INET;
		memcpy(&p->addr.ip4, nla_data(tb[a4]), 4);
		p->len = 32;
	} else if (tb[a6] && nla_len(tb[a6]) == 16) {
		p->addr.family = AF_INET6;
		memcpy(&p->addr.ip6, nla_data(tb[a6]), 16);
		p->len = 128;
	} else {
		return;
	}
	if (tb[alen])
		p->len = attr_u8(tb, alen);
}

/*
 * The one decoder of event messages. The lifetimes branch brings a
 * decoder of its own to libkipsec-nl (for kipsec monitor); when both are
 * in, this function becomes a call to it.
 */
static int decode_event(struct nl_msg *msg, struct kipsecd_kernel_event *ev)
{
	struct nlattr *tb[KIPSEC_A_SA_MAX + 1];
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));
	struct kipsec_proxy_id *p = &ev->pid;

	memset(ev, 0, sizeof(*ev));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPSEC_A_SA_MAX, NULL) < 0)
		return -EPROTO;
	ev->cmd = g->cmd;
	if (ev->cmd != KIPSEC_CMD_EXPIRE && ev->cmd != KIPSEC_CMD_SEQ_OVERFLOW &&
	    ev->cmd != KIPSEC_CMD_ACQUIRE)
		return -EPROTO;
	ev->ifindex = attr_u32(tb, KIPSEC_A_SA_IFINDEX);
	if (tb[KIPSEC_A_SA_IFNAME])
		snprintf(ev->ifname, sizeof(ev->ifname), "%s",
			 nla_get_string(tb[KIPSEC_A_SA_IFNAME]));
	else if (!ev->ifindex || !if_indextoname(ev->ifindex, ev->ifname))
		return -EPROTO;
	if (ev->cmd != KIPSEC_CMD_ACQUIRE) {
		if (!tb[KIPSEC_A_SA_SPI] || !tb[KIPSEC_A_SA_DIR])
			return -EPROTO;
		ev->dir = attr_u8(tb, KIPSEC_A_SA_DIR);
		ev->spi = attr_u32(tb, KIPSEC_A_SA_SPI);
		ev->proto = attr_u8(tb, KIPSEC_A_SA_PROTO);
	}
	ev->hard = attr_u8(tb, KIPSEC_A_SA_EXPIRE_HARD) != 0;
	ev->limit = attr_u8(tb, KIPSEC_A_SA_EXPIRE_LIMIT);
	attr_prefix(tb, KIPSEC_A_SA_PID_LOCAL_IPV4, KIPSEC_A_SA_PID_LOCAL_IPV6,
		    KIPSEC_A_SA_PID_LOCAL_PREFIXLEN, &p->local);
	attr_prefix(tb, KIPSEC_A_SA_PID_REMOTE_IPV4, KIPSEC_A_SA_PID_REMOTE_IPV6,
		    KIPSEC_A_SA_PID_REMOTE_PREFIXLEN, &p->remote);
	p->proto = attr_u8(tb, KIPSEC_A_SA_PID_PROTO);
	p->lport_min = attr_u16(tb, KIPSEC_A_SA_PID_LPORT_MIN, 0);
	p->lport_max = attr_u16(tb, KIPSEC_A_SA_PID_LPORT_MAX, 65535);
	p->rport_min = attr_u16(tb, KIPSEC_A_SA_PID_RPORT_MIN, 0);
	p->rport_max = attr_u16(tb, KIPSEC_A_SA_PID_RPORT_MAX, 65535);
	return 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct kipsecd_kernel *k = arg;
	struct kipsecd_kernel_event ev;

	if (decode_event(msg, &ev)) {
		log_debug(NULL, "kernel: ignored an event we cannot read (command %u)",
			  genlmsg_hdr(nlmsg_hdr(msg))->cmd);
		return NL_SKIP;
	}
	if (k->ops.event)
		k->ops.event(&ev, k->arg);
	return NL_OK;
}

static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;	/* events carry no sequence of ours */
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct kipsecd_kernel *k = arg;
	int ret;

	(void)l;
	(void)fd;
	(void)events;
	for (;;) {
		ret = nl_recvmsgs(k->ev, k->ev_cb);
		if (ret >= 0)
			continue;
		if (ret == -NLE_AGAIN || ret == -NLE_INTR)
			return;
		if (ret == -NLE_NOMEM || ret == -NLE_MSG_OVERFLOW) {
			/* ENOBUFS: the kernel dropped events meant for us. */
			log_warn(NULL, "kernel: events were lost (receive buffer overrun); reading the SAs again");
			if (k->ops.resync)
				k->ops.resync(k->arg);
			continue;
		}
		log_err(NULL, "kernel: reading events failed: %s; closing the connection",
			nl_geterror(ret));
		kipsecd_kernel_close(k);
		return;
	}
}

static int open_events(struct kipsecd_kernel *k, struct kipsec_nl_error *e)
{
	int grp, ret;

	k->ev = nl_socket_alloc();
	k->ev_cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!k->ev || !k->ev_cb) {
		set_err(e, ENOMEM, NULL);
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(k->ev);
	ret = genl_connect(k->ev);
	if (ret < 0) {
		set_err(e, EIO, nl_geterror(ret));
		return -EIO;
	}
	grp = genl_ctrl_resolve_grp(k->ev, KIPSEC_GENL_NAME, KIPSEC_MCGRP_EVENTS);
	if (grp < 0) {
		set_err(e, ENOENT, "the kipsec module has no \"" KIPSEC_MCGRP_EVENTS
			"\" multicast group; ACQUIRE and EXPIRE events will not be seen");
		return -ENOENT;
	}
	ret = nl_socket_add_membership(k->ev, grp);
	if (ret < 0) {
		set_err(e, ret == -NLE_PERM ? EPERM : EIO,
			ret == -NLE_PERM ? "joining the events group needs CAP_NET_ADMIN" :
			nl_geterror(ret));
		return -e->err;
	}
	nl_socket_set_buffer_size(k->ev, EVENT_RCVBUF, 0);
	nl_socket_set_nonblocking(k->ev);
	nl_cb_set(k->ev_cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, k);
	nl_cb_set(k->ev_cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	ret = loop_add_fd(k->loop, nl_socket_get_fd(k->ev), EPOLLIN, on_readable, k);
	if (ret) {
		set_err(e, -ret, NULL);
		return ret;
	}
	return 0;
}

int kipsecd_kernel_open(struct kipsecd_kernel *k, struct kipsec_nl_error *e)
{
	int ret;

	if (k->nl)
		return 0;
	ret = kipsec_nl_open(&k->nl, e);
	if (ret) {
		k->nl = NULL;
		return ret;
	}
	ret = open_events(k, e);
	if (ret) {
		kipsecd_kernel_close(k);
		return ret;
	}
	return 0;
}

void kipsecd_kernel_close(struct kipsecd_kernel *k)
{
	if (k->ev) {
		loop_del_fd(k->loop, nl_socket_get_fd(k->ev));
		nl_socket_free(k->ev);
		k->ev = NULL;
	}
	if (k->ev_cb) {
		nl_cb_put(k->ev_cb);
		k->ev_cb = NULL;
	}
	kipsec_nl_close(k->nl);
	k->nl = NULL;
}

/* Requests */

int kipsecd_kernel_tunnel_set(struct kipsecd_kernel *k, const char *ifname,
			      const struct kipsec_nl_addr *local,
			      const struct kipsec_nl_addr *remote,
			      struct kipsec_nl_error *e)
{
	struct kipsec_tunnel_info t = { 0 };

	if (!k->nl)
		return not_open(e);
	snprintf(t.ifname, sizeof(t.ifname), "%s", ifname);
	t.local = *local;
	t.remote = *remote;
	return kipsec_nl_tunnel_set(k->nl, &t, e);
}

int kipsecd_kernel_spi_alloc(struct kipsecd_kernel *k, const char *ifname,
			     uint8_t proto, uint32_t *spi,
			     struct kipsec_nl_error *e)
{
	struct kipsec_spi_req r = { .proto = proto };

	if (!k->nl)
		return not_open(e);
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	return kipsec_nl_spi_alloc(k->nl, &r, spi, e);
}

static bool refused_lifetimes(const struct kipsec_nl_error *e)
{
	return e->err && !strncmp(e->attr, "lifetime-", 9);
}

/* Add or update one SA, without lifetimes if the module refuses them. */
static int sa_write(struct kipsecd_kernel *k, struct kipsec_sa_info *sa,
		    const struct kipsec_sa_keys *keys, bool update,
		    const struct kipsecd_lifetimes *lt,
		    struct kipsec_nl_error *e)
{
	int ret;

	if (k->send_lifetimes) {
		sa->soft = lt->soft;
		sa->hard = lt->hard;
	} else {
		memset(&sa->soft, 0, sizeof(sa->soft));
		memset(&sa->hard, 0, sizeof(sa->hard));
	}
	ret = update ? kipsec_nl_sa_update(k->nl, sa, keys, e) :
		       kipsec_nl_sa_add(k->nl, sa, keys, e);
	if (ret && k->send_lifetimes && refused_lifetimes(e)) {
		char buf[512];

		log_warn(NULL, "kernel: the module does not take SA lifetimes (%s); installing SAs without them",
			 kipsec_nl_strerror(e, buf, sizeof(buf)));
		k->send_lifetimes = false;
		return sa_write(k, sa, keys, update, lt, e);
	}
	return ret;
}

static void sa_id(struct kipsec_sa_info *sa, const char *ifname, uint8_t proto,
		  uint8_t dir, uint32_t spi)
{
	snprintf(sa->ifname, sizeof(sa->ifname), "%s", ifname);
	sa->ifindex = 0;
	sa->proto = proto;
	sa->dir = dir;
	sa->spi = spi;
}

int kipsecd_kernel_sa_pair_add(struct kipsecd_kernel *k,
			       const struct kipsecd_sa_pair *p,
			       const struct kipsec_sa_keys *in,
			       const struct kipsec_sa_keys *out, bool update,
			       struct kipsec_nl_error *e)
{
	struct kipsec_sa_info sa = p->algs;
	struct kipsec_nl_error e2;
	int ret;

	if (!k->nl)
		return not_open(e);
	sa.has_proxy_id = true;
	sa.pid = p->pid;
	sa.has_seq = false;
	if (in) {
		sa_id(&sa, p->ifname, p->proto, KIPSEC_DIR_IN, p->spi_in);
		ret = sa_write(k, &sa, in, update, &p->lifetimes, e);
		if (ret || !out)
			return ret;
	}
	if (!out)
		return 0;
	sa_id(&sa, p->ifname, p->proto, KIPSEC_DIR_OUT, p->spi_out);
	sa.has_replay_window = false;
	ret = sa_write(k, &sa, out, update, &p->lifetimes, e);
	if (ret && !update && in) {
		sa_id(&sa, p->ifname, p->proto, KIPSEC_DIR_IN, p->spi_in);
		kipsec_nl_sa_del(k->nl, &sa, &e2);
	}
	return ret;
}

int kipsecd_kernel_sa_pair_del(struct kipsecd_kernel *k, const char *ifname,
			       uint8_t proto, uint32_t spi_in, uint32_t spi_out,
			       struct kipsec_nl_error *e)
{
	struct kipsec_sa_info sa = { 0 };
	int ret = 0, r;

	if (!k->nl)
		return not_open(e);
	/* Outbound first: stop sending with keys the peer is dropping. */
	sa_id(&sa, ifname, proto, KIPSEC_DIR_OUT, spi_out);
	r = kipsec_nl_sa_del(k->nl, &sa, e);
	if (r && r != -ENOENT)
		ret = r;
	sa_id(&sa, ifname, proto, KIPSEC_DIR_IN, spi_in);
	r = kipsec_nl_sa_del(k->nl, &sa, ret ? &(struct kipsec_nl_error){ 0 } : e);
	if (r && r != -ENOENT && !ret)
		ret = r;
	return ret;
}

int kipsecd_kernel_sa_del(struct kipsecd_kernel *k, const char *ifname,
			  uint8_t proto, uint8_t dir, uint32_t spi,
			  struct kipsec_nl_error *e)
{
	struct kipsec_sa_info sa = { 0 };
	int r;

	if (!k->nl)
		return not_open(e);
	sa_id(&sa, ifname, proto, dir, spi);
	r = kipsec_nl_sa_del(k->nl, &sa, e);
	return r == -ENOENT ? 0 : r;
}

int kipsecd_kernel_flush(struct kipsecd_kernel *k, const char *ifname,
			 struct kipsec_nl_error *e)
{
	if (!k->nl)
		return not_open(e);
	return kipsec_nl_sa_flush(k->nl, ifname, e);
}

int kipsecd_kernel_sa_dump(struct kipsecd_kernel *k, const char *ifname,
			   kipsec_sa_cb cb, void *arg,
			   struct kipsec_nl_error *e)
{
	if (!k->nl)
		return not_open(e);
	return kipsec_nl_sa_dump(k->nl, ifname, cb, arg, e);
}
