/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kipsec: the generic netlink ABI between the kipsec module and userland.
 *
 * This is the only header the module and userland share. The family is
 * described in Documentation/netlink/specs/kipsec.yaml; keep both in step.
 *
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * network namespace of the request, and acts on that network namespace only.
 *
 * KIPSEC_CMD_TUNNEL_SET
 *	Set the outer addresses of a tunnel device. The device is named by
 *	KIPSEC_A_TUNNEL_IFINDEX or KIPSEC_A_TUNNEL_IFNAME. The outer local and
 *	remote address are given as KIPSEC_A_TUNNEL_{LOCAL,REMOTE}_IPV{4,6};
 *	at most one of each pair. An omitted address keeps its value; after the
 *	change both set addresses must be of the same family.
 *
 * KIPSEC_CMD_TUNNEL_GET
 *	doit: the tunnel named by ifindex or ifname. dumpit: every tunnel in
 *	the network namespace. Replies carry the same attributes.
 */
#ifndef _UAPI_LINUX_KIPSEC_H
#define _UAPI_LINUX_KIPSEC_H

#define KIPSEC_GENL_NAME	"kipsec"
#define KIPSEC_GENL_VERSION	1

/* The rtnetlink link kind: ip link add NAME type kipsec */
#define KIPSEC_LINK_KIND	"kipsec"

enum kipsec_cmd {
	KIPSEC_CMD_UNSPEC,
	KIPSEC_CMD_TUNNEL_SET,
	KIPSEC_CMD_TUNNEL_GET,

	__KIPSEC_CMD_MAX,
	KIPSEC_CMD_MAX = __KIPSEC_CMD_MAX - 1
};

enum kipsec_tunnel_attr {
	KIPSEC_A_TUNNEL_UNSPEC,
	KIPSEC_A_TUNNEL_IFINDEX,	/* u32 */
	KIPSEC_A_TUNNEL_IFNAME,		/* string, at most IFNAMSIZ - 1 bytes */
	KIPSEC_A_TUNNEL_LOCAL_IPV4,	/* binary, 4 bytes, network order */
	KIPSEC_A_TUNNEL_LOCAL_IPV6,	/* binary, 16 bytes */
	KIPSEC_A_TUNNEL_REMOTE_IPV4,	/* binary, 4 bytes, network order */
	KIPSEC_A_TUNNEL_REMOTE_IPV6,	/* binary, 16 bytes */

	__KIPSEC_A_TUNNEL_MAX,
	KIPSEC_A_TUNNEL_MAX = __KIPSEC_A_TUNNEL_MAX - 1
};

#endif /* _UAPI_LINUX_KIPSEC_H */
