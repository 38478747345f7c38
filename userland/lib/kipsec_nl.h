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
#include <stdbool.h>
#include <sys/socket.h>

#include "../../kmod/uapi/kipsec.h"

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

/* Drops no SA can be charged with (KIPSEC_A_TUNNEL_STATS). */
struct kipsec_tunnel_stats {
	uint64_t rx_no_sa;
	uint64_t tx_no_sa;
	uint64_t rx_malformed;
	uint64_t tx_errors;
	uint64_t acquires;	/* ACQUIRE events sent */
};

struct kipsec_tunnel_info {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	struct kipsec_nl_addr local;
	struct kipsec_nl_addr remote;
	bool has_stats;			/* reply only */
	struct kipsec_tunnel_stats stats;
};

/* An address prefix; addr.family AF_UNSPEC means any address. */
struct kipsec_nl_prefix {
	struct kipsec_nl_addr addr;
	uint8_t len;
};

/*
 * A proxy ID (traffic selector), from the tunnel's point of view: "local"
 * is the inner source of outbound packets and the inner destination of
 * inbound ones. Both prefixes have the same family, or none (any).
 */
struct kipsec_proxy_id {
	struct kipsec_nl_prefix local;
	struct kipsec_nl_prefix remote;
	uint8_t proto;			/* IP protocol, 0: any */
	uint16_t lport_min, lport_max;	/* 0-65535: any */
	uint16_t rport_min, rport_max;
};

/* Counters of one SA (KIPSEC_A_SA_STATS). */
struct kipsec_sa_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drop_replay;
	uint64_t drop_window;
	uint64_t drop_auth;
	uint64_t drop_pad;
	uint64_t drop_proxy_id;
	uint64_t drop_seq;
	uint64_t drop_other;
};

/* Lifetime limits of an SA (KIPSEC_A_SA_LIFETIME_*); 0: no limit. */
struct kipsec_nl_lifetime {
	uint64_t time;		/* seconds since the SA was added */
	uint64_t use_time;	/* seconds since its first packet */
	uint64_t bytes;
	uint64_t packets;
};

/*
 * An SA, as a request (add, update; del and get use only the naming
 * fields) and as a reply. It never holds key material: keys travel in
 * struct kipsec_sa_keys, for requests only.
 */
struct kipsec_sa_info {
	/* The tunnel: ifindex if not 0, else ifname. Replies set both. */
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t dir;			/* KIPSEC_DIR_IN or KIPSEC_DIR_OUT */
	uint32_t spi;
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */

	/* Algorithms, 0: none. AEAD excludes enc and auth. */
	uint32_t aead_alg;		/* enum kipsec_aead_alg */
	uint32_t icv_bits;		/* AEAD only; 0: not given */
	uint32_t enc_alg;		/* enum kipsec_enc_alg */
	uint32_t auth_alg;		/* enum kipsec_auth_alg */
	uint32_t key_bits;		/* reply only: cipher key size; 0: unknown */

	bool has_replay_window;		/* request: send it; reply: it was there */
	uint32_t replay_window;		/* 0: off */
	bool has_flags;
	uint32_t flags;			/* KIPSEC_SA_F_* */

	bool has_seq;			/* request: outbound add, seq is the last sent */
	bool has_proxy_id;		/* request: send it; replies always set it */
	struct kipsec_proxy_id pid;

	/* Sent, and present in a reply, when any limit is not 0. */
	struct kipsec_nl_lifetime soft;
	struct kipsec_nl_lifetime hard;

	/* Reply only. */
	struct kipsec_nl_addr outer_src;
	struct kipsec_nl_addr outer_dst;
	uint64_t seq;			/* last sent / highest received */
	bool has_stats;
	struct kipsec_sa_stats stats;
	bool has_age;
	uint64_t age;			/* seconds since added */
	bool has_use_age;
	uint64_t use_age;		/* seconds since first used */
};

/* Key material of an add or update request. Wipe it (explicit_bzero) after
 * use; the library wipes its copy in the request before freeing it. */
struct kipsec_sa_keys {
	uint16_t aead_len, enc_len, auth_len;
	uint8_t aead[KIPSEC_MAX_KEY_LEN];
	uint8_t enc[KIPSEC_MAX_KEY_LEN];
	uint8_t auth[KIPSEC_MAX_KEY_LEN];
};

/* An SPI reservation request. */
struct kipsec_spi_req {
	uint32_t ifindex;		/* or ifname, as for an SA */
	char ifname[IF_NAMESIZE];
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */
	bool has_min, has_max;		/* otherwise the kernel's default */
	uint32_t min, max;
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

/* Reserve an inbound SPI; *spi is the one the kernel chose. */
int kipsec_nl_spi_alloc(struct kipsec_nl *nl, const struct kipsec_spi_req *r,
			uint32_t *spi, struct kipsec_nl_error *e);

/*
 * Add or replace an SA. Sent: the naming fields, the algorithms that are
 * not 0 with their keys from @k (an enc key is sent even when empty, for
 * null), icv_bits if not 0, and the fields whose has_* is set.
 */
int kipsec_nl_sa_add(struct kipsec_nl *nl, const struct kipsec_sa_info *sa,
		     const struct kipsec_sa_keys *k, struct kipsec_nl_error *e);
int kipsec_nl_sa_update(struct kipsec_nl *nl, const struct kipsec_sa_info *sa,
			const struct kipsec_sa_keys *k,
			struct kipsec_nl_error *e);
/* Delete or get the SA named by @id's tunnel, dir, spi and proto. */
int kipsec_nl_sa_del(struct kipsec_nl *nl, const struct kipsec_sa_info *id,
		     struct kipsec_nl_error *e);
int kipsec_nl_sa_get(struct kipsec_nl *nl, const struct kipsec_sa_info *id,
		     struct kipsec_sa_info *sa, struct kipsec_nl_error *e);

typedef int (*kipsec_sa_cb)(const struct kipsec_sa_info *sa, void *arg);
/* Calls @cb for each SA of tunnel @ifname, or of the namespace if @ifname
 * is NULL; a non-zero return stops. */
int kipsec_nl_sa_dump(struct kipsec_nl *nl, const char *ifname,
		      kipsec_sa_cb cb, void *arg, struct kipsec_nl_error *e);
/* Delete every SA and SPI reservation of @ifname, or of the namespace. */
int kipsec_nl_sa_flush(struct kipsec_nl *nl, const char *ifname,
		       struct kipsec_nl_error *e);

/* Events (KIPSEC_MCGRP_EVENTS) */

struct kipsec_event {
	uint8_t cmd;		/* KIPSEC_CMD_EXPIRE, _SEQ_OVERFLOW or _ACQUIRE */
	/*
	 * EXPIRE and SEQ_OVERFLOW: the SA as in an SA_GET reply. ACQUIRE:
	 * ifindex, ifname and the packet's selector in pid only.
	 */
	struct kipsec_sa_info sa;
	bool hard;		/* EXPIRE: the SA was removed */
	uint8_t limit;		/* EXPIRE: enum kipsec_lifetime_attr */
};

/* Open a socket that listens to the events of the caller's namespace. */
int kipsec_nl_monitor_open(struct kipsec_nl **nl, struct kipsec_nl_error *e);

typedef int (*kipsec_event_cb)(const struct kipsec_event *ev, void *arg);
/*
 * Wait for events and call @cb for each, until @cb returns non-zero (that
 * value is returned) or an error. Lost events (the socket's buffer ran
 * over) are reported through @lost, if not NULL, and listening goes on.
 */
int kipsec_nl_monitor(struct kipsec_nl *nl, kipsec_event_cb cb,
		      void (*lost)(void *arg), void *arg,
		      struct kipsec_nl_error *e);

/* The CLI's word for a kipsec_lifetime_attr: "time", "use-time", ... */
const char *kipsec_nl_limit_name(int limit);

/* @a in text form in @buf, or NULL when its family is AF_UNSPEC. */
const char *kipsec_nl_addr_str(const struct kipsec_nl_addr *a, char *buf,
			       size_t len);

/* A one-line description of @e: "msg (attribute NAME)". */
const char *kipsec_nl_strerror(const struct kipsec_nl_error *e, char *buf,
			       size_t len);

/* The spec's name of a tunnel or SA attribute, "attribute N" when unknown. */
const char *kipsec_nl_tunnel_attr_name(int type, char *buf, size_t len);
const char *kipsec_nl_sa_attr_name(int type, char *buf, size_t len);

#endif
