// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the IKE UDP sockets (see ike_sock.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike_sock.h"
#include "log.h"

/* Larger than any IKEv1 message we accept. */
#define IKE_SOCK_BUF 65536

struct ike_sock {
	struct loop *loop;
	int fd4, fd6;
	ike_sock_rx_fn rx;
	void *arg;
	uint8_t buf[IKE_SOCK_BUF];
};

static void on_readable(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ike_sock *s = arg;

	(void)l;
	(void)events;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		struct kipsec_nl_addr fa = { 0 };
		uint16_t port;
		ssize_t n = recvfrom(fd, s->buf, sizeof(s->buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_debug(NULL, "ike: receiving: %s", strerror(errno));
			if (errno == EINTR)
				continue;
			return;
		}
		if (from.ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)&from;

			fa.family = AF_INET;
			fa.ip4 = sin->sin_addr;
			port = ntohs(sin->sin_port);
		} else if (from.ss_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&from;

			fa.family = AF_INET6;
			fa.ip6 = sin6->sin6_addr;
			port = ntohs(sin6->sin6_port);
		} else {
			continue;
		}
		s->rx(s->arg, &fa, port, s->buf, (size_t)n);
	}
}

/* -1 and errno on failure; a missing family sets errno EAFNOSUPPORT. */
static int open_one(int family, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, on = 1;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
			goto fail;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sl = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl))
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

int ike_sock_open(struct ike_sock **out, struct loop *l, uint16_t port,
		  ike_sock_rx_fn rx, void *arg, char *err, size_t errlen)
{
	struct ike_sock *s = calloc(1, sizeof(*s));
	int e4 = 0, e6 = 0;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->loop = l;
	s->rx = rx;
	s->arg = arg;
	s->fd4 = open_one(AF_INET, port);
	if (s->fd4 < 0)
		e4 = errno;
	s->fd6 = open_one(AF_INET6, port);
	if (s->fd6 < 0)
		e6 = errno;
	/* A taken port or a missing permission is fatal either way. */
	if ((s->fd4 < 0 && e4 != EAFNOSUPPORT) ||
	    (s->fd4 < 0 && s->fd6 < 0) ||
	    (s->fd6 < 0 && (e6 == EADDRINUSE || e6 == EACCES))) {
		int e = s->fd4 < 0 ? e4 : e6;

		snprintf(err, errlen, "IKE socket on UDP port %u (%s): %s%s", port,
			 s->fd4 < 0 ? "IPv4" : "IPv6", strerror(e),
			 e == EACCES ? " (ports below 1024 need CAP_NET_BIND_SERVICE)" : "");
		ike_sock_close(s);
		return -1;
	}
	if (s->fd6 < 0)
		log_warn(NULL, "ike: no IPv6 socket on UDP port %u: %s; IPv6 tunnels cannot negotiate",
			 port, strerror(e6));
	if ((s->fd4 >= 0 && loop_add_fd(l, s->fd4, EPOLLIN, on_readable, s)) ||
	    (s->fd6 >= 0 && loop_add_fd(l, s->fd6, EPOLLIN, on_readable, s))) {
		snprintf(err, errlen, "IKE socket: cannot watch it: %s", strerror(errno));
		ike_sock_close(s);
		return -1;
	}
	log_info(NULL, "ike: listening on UDP port %u (%s)", port,
		 s->fd4 >= 0 && s->fd6 >= 0 ? "IPv4 and IPv6" :
		 s->fd4 >= 0 ? "IPv4" : "IPv6");
	*out = s;
	return 0;
}

void ike_sock_close(struct ike_sock *s)
{
	if (!s)
		return;
	if (s->fd4 >= 0) {
		loop_del_fd(s->loop, s->fd4);
		close(s->fd4);
	}
	if (s->fd6 >= 0) {
		loop_del_fd(s->loop, s->fd6);
		close(s->fd6);
	}
	free(s);
}

int ike_sock_send(struct ike_sock *s, const struct kipsec_nl_addr *local,
		  const struct kipsec_nl_addr *remote, uint16_t port,
		  const uint8_t *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage ss = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int fd;

	memset(&cbuf, 0, sizeof(cbuf));
	if (remote->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		fd = s->fd4;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = remote->ip4;
		mh.msg_namelen = sizeof(*sin);
		if (local && local->family == AF_INET) {
			struct in_pktinfo pi = { .ipi_spec_dst = local->ip4 };

			mh.msg_control = cbuf.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	} else if (remote->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		fd = s->fd6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = remote->ip6;
		mh.msg_namelen = sizeof(*sin6);
		if (local && local->family == AF_INET6) {
			struct in6_pktinfo pi = { .ipi6_addr = local->ip6 };

			mh.msg_control = cbuf.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	} else {
		return -EAFNOSUPPORT;
	}
	if (fd < 0)
		return -EAFNOSUPPORT;
	if (sendmsg(fd, &mh, MSG_DONTWAIT) != (ssize_t)len)
		return -errno;
	return 0;
}
