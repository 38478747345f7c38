/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkipsec-nl: the kipsec generic netlink family from userland, on libnl-3.
 * Shared by the kipsec CLI and the kipsecd keyer.
 */
#ifndef KIPSEC_NL_H
#define KIPSEC_NL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

struct kipsec_nl;

/* What went wrong, in words a user can act on. */
struct kipsec_nl_error {
	int err;		/* positive errno */
	char msg[256];		/* the kernel's extack message, or ours */
	char attr[48];		/* the attribute at fault, if the kernel named one */
};

struct kipsec_nl_addr {
	sa_family_t family;	/* AF_UNSPEC: not set */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
};

struct kipsec_tunnel_info {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	struct kipsec_nl_addr local;
	struct kipsec_nl_addr remote;
};

/* Open a socket and resolve the family; fails with ENOENT if the module is
 * not loaded. */
int kipsec_nl_open(struct kipsec_nl **nl, struct kipsec_nl_error *e);
void kipsec_nl_close(struct kipsec_nl *nl);

/* Name a tunnel by t->ifindex (if not 0) or t->ifname; set the addresses
 * whose family is not AF_UNSPEC. */
int kipsec_nl_tunnel_set(struct kipsec_nl *nl,
			 const struct kipsec_tunnel_info *t,
			 struct kipsec_nl_error *e);
int kipsec_nl_tunnel_get(struct kipsec_nl *nl, const char *ifname,
			 struct kipsec_tunnel_info *t,
			 struct kipsec_nl_error *e);

typedef int (*kipsec_tunnel_cb)(const struct kipsec_tunnel_info *t, void *arg);
/* Calls @cb for each tunnel of the namespace; a non-zero return stops. */
int kipsec_nl_tunnel_dump(struct kipsec_nl *nl, kipsec_tunnel_cb cb,
			  void *arg, struct kipsec_nl_error *e);

/* A one-line description of @e: "msg (attribute NAME)". */
const char *kipsec_nl_strerror(const struct kipsec_nl_error *e, char *buf,
			       size_t len);

/* The spec's name of a tunnel attribute, "attribute N" when unknown. */
const char *kipsec_nl_tunnel_attr_name(int type, char *buf, size_t len);

#endif
