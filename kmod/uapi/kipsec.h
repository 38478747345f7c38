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
 *	change both set addresses must be of the same family. While the tunnel
 *	has SAs or SPI reservations its addresses cannot change (-EBUSY);
 *	setting the addresses it has succeeds and changes nothing.
 *
 * KIPSEC_CMD_TUNNEL_GET
 *	doit: the tunnel named by ifindex or ifname. dumpit: every tunnel in
 *	the network namespace. Replies carry the same attributes, and
 *	KIPSEC_A_TUNNEL_STATS.
 *
 * KIPSEC_CMD_SPI_ALLOC
 *	Reserve an inbound SPI for the tunnel (KIPSEC_A_SA_IFINDEX or
 *	KIPSEC_A_SA_IFNAME) and protocol (KIPSEC_A_SA_PROTO), in the range
 *	KIPSEC_A_SA_SPI_MIN..KIPSEC_A_SA_SPI_MAX (default 256..2^32-1). The
 *	SPI is unique among the namespace's inbound SAs and reservations of
 *	that protocol; the reply carries it in KIPSEC_A_SA_SPI. The reservation
 *	lasts KIPSEC_SPI_RESERVE_SECS seconds, or until an inbound SA with
 *	that SPI is added to the tunnel.
 *
 * KIPSEC_CMD_SA_ADD, KIPSEC_CMD_SA_UPDATE
 *	Add an SA to a tunnel, or replace one. An SA is named by tunnel,
 *	KIPSEC_A_SA_DIR, KIPSEC_A_SA_SPI and KIPSEC_A_SA_PROTO. The tunnel
 *	must have both outer addresses set; the SA takes them when it is
 *	added. ESP takes either KIPSEC_A_SA_AEAD_ALG with KIPSEC_A_SA_AEAD_KEY
 *	(and optionally KIPSEC_A_SA_ICV_BITS), or KIPSEC_A_SA_ENC_ALG with
 *	KIPSEC_A_SA_ENC_KEY and optionally KIPSEC_A_SA_AUTH_ALG with
 *	KIPSEC_A_SA_AUTH_KEY. Keys use the XFRM layout: the salt or nonce of
 *	GCM, CCM, GMAC, ChaCha20-Poly1305 and CTR is at the end of the key.
 *	The proxy ID (KIPSEC_A_SA_PID_*) defaults to any address of either
 *	family, any protocol and any port. An update keeps the outbound
 *	sequence number and the inbound replay state.
 *
 * KIPSEC_CMD_SA_DEL
 *	Delete the SA named by tunnel, direction, SPI and protocol.
 *
 * KIPSEC_CMD_SA_GET
 *	doit: the SA named as for delete. dumpit: every SA of the namespace,
 *	or of one tunnel if KIPSEC_A_SA_IFINDEX or KIPSEC_A_SA_IFNAME is
 *	given. Replies never carry key material.
 *
 * KIPSEC_CMD_SA_FLUSH
 *	Delete every SA (and SPI reservation) of one tunnel, or of the
 *	namespace if no tunnel is named.
 *
 * Events, sent by the module on the multicast group KIPSEC_MCGRP_EVENTS to
 * listeners in the network namespace of the tunnel only (never requests):
 *
 * KIPSEC_CMD_EXPIRE
 *	An SA reached a lifetime limit: the SA as in an SA_GET reply, with
 *	KIPSEC_A_SA_EXPIRE_HARD (0: soft, the SA goes on working; 1: hard,
 *	the SA has been removed) and KIPSEC_A_SA_EXPIRE_LIMIT (which limit).
 *
 * KIPSEC_CMD_SEQ_OVERFLOW
 *	An outbound SA used its last sequence number and stopped sending:
 *	the SA as in an SA_GET reply.
 *
 * KIPSEC_CMD_ACQUIRE
 *	An outbound packet matched no SA of its tunnel: KIPSEC_A_SA_IFINDEX,
 *	KIPSEC_A_SA_IFNAME and the packet's selector as a proxy ID (host
 *	prefixes, its protocol, single ports when it has ports). At most one
 *	per tunnel and selector every KIPSEC_ACQUIRE_INTERVAL_MS; every such
 *	packet is counted in KIPSEC_A_TSTATS_TX_NO_SA.
 */
#ifndef _UAPI_LINUX_KIPSEC_H
#define _UAPI_LINUX_KIPSEC_H

#define KIPSEC_GENL_NAME	"kipsec"
#define KIPSEC_GENL_VERSION	1

/* The multicast group of KIPSEC_CMD_EXPIRE, _SEQ_OVERFLOW and _ACQUIRE. */
#define KIPSEC_MCGRP_EVENTS	"events"

/* The rtnetlink link kind: ip link add NAME type kipsec */
#define KIPSEC_LINK_KIND	"kipsec"

enum kipsec_cmd {
	KIPSEC_CMD_UNSPEC,
	KIPSEC_CMD_TUNNEL_SET,
	KIPSEC_CMD_TUNNEL_GET,
	KIPSEC_CMD_SPI_ALLOC,
	KIPSEC_CMD_SA_ADD,
	KIPSEC_CMD_SA_UPDATE,
	KIPSEC_CMD_SA_DEL,
	KIPSEC_CMD_SA_GET,
	KIPSEC_CMD_SA_FLUSH,
	KIPSEC_CMD_EXPIRE,		/* event */
	KIPSEC_CMD_SEQ_OVERFLOW,	/* event */
	KIPSEC_CMD_ACQUIRE,		/* event */

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
	KIPSEC_A_TUNNEL_STATS,		/* nest, kipsec_tunnel_stats_attr */

	__KIPSEC_A_TUNNEL_MAX,
	KIPSEC_A_TUNNEL_MAX = __KIPSEC_A_TUNNEL_MAX - 1
};

/* Drops that no SA can be charged with, per tunnel; all u64. */
enum kipsec_tunnel_stats_attr {
	KIPSEC_A_TSTATS_UNSPEC,
	KIPSEC_A_TSTATS_RX_NO_SA,	/* inbound, SPI of no SA */
	KIPSEC_A_TSTATS_TX_NO_SA,	/* outbound, no SA's proxy ID matched */
	KIPSEC_A_TSTATS_RX_MALFORMED,	/* inbound, too short or bad header */
	KIPSEC_A_TSTATS_TX_ERRORS,	/* outbound, no route, no memory */
	KIPSEC_A_TSTATS_PAD,
	KIPSEC_A_TSTATS_ACQUIRES,	/* ACQUIRE events sent */

	__KIPSEC_A_TSTATS_MAX,
	KIPSEC_A_TSTATS_MAX = __KIPSEC_A_TSTATS_MAX - 1
};

/* At most one ACQUIRE per tunnel and selector in this time. */
#define KIPSEC_ACQUIRE_INTERVAL_MS	1000

/* How long an SPI from KIPSEC_CMD_SPI_ALLOC stays reserved. */
#define KIPSEC_SPI_RESERVE_SECS	120

/* SPIs 1 to 255 are reserved by IANA (RFC 4303 2.1) and 0 is never sent. */
#define KIPSEC_SPI_MIN		256

enum kipsec_sa_dir {
	KIPSEC_DIR_IN = 1,
	KIPSEC_DIR_OUT = 2,
};

/* Combined-mode (AEAD) ESP algorithms. */
enum kipsec_aead_alg {
	KIPSEC_AEAD_AES_GCM = 1,	/* RFC 4106: 16/24/32 + 4 salt */
	KIPSEC_AEAD_AES_CCM,		/* RFC 4309: 16/24/32 + 3 salt */
	KIPSEC_AEAD_CHACHA20_POLY1305,	/* RFC 7634: 32 + 4 salt */
	KIPSEC_AEAD_AES_GMAC,		/* RFC 4543: 16/24/32 + 4 salt */

	__KIPSEC_AEAD_MAX,
	KIPSEC_AEAD_MAX = __KIPSEC_AEAD_MAX - 1
};

/* ESP ciphers, with or without a separate integrity algorithm. */
enum kipsec_enc_alg {
	KIPSEC_ENC_NULL = 1,		/* RFC 2410: no key */
	KIPSEC_ENC_DES,			/* RFC 2405: 8 */
	KIPSEC_ENC_3DES,		/* RFC 2451: 24 */
	KIPSEC_ENC_AES_CBC,		/* RFC 3602: 16/24/32 */
	KIPSEC_ENC_AES_CTR,		/* RFC 3686: 16/24/32 + 4 nonce */

	__KIPSEC_ENC_MAX,
	KIPSEC_ENC_MAX = __KIPSEC_ENC_MAX - 1
};

/* Integrity algorithms, for ESP and AH. */
enum kipsec_auth_alg {
	KIPSEC_AUTH_HMAC_MD5_96 = 1,	/* RFC 2403: 16 */
	KIPSEC_AUTH_HMAC_SHA1_96,	/* RFC 2404: 20 */
	KIPSEC_AUTH_HMAC_SHA256_128,	/* RFC 4868: 32 */
	KIPSEC_AUTH_HMAC_SHA384_192,	/* RFC 4868: 48 */
	KIPSEC_AUTH_HMAC_SHA512_256,	/* RFC 4868: 64 */
	KIPSEC_AUTH_AES_XCBC_96,	/* RFC 3566: 16 */

	__KIPSEC_AUTH_MAX,
	KIPSEC_AUTH_MAX = __KIPSEC_AUTH_MAX - 1
};

/* KIPSEC_A_SA_FLAGS */
#define KIPSEC_SA_F_ESN		0x1	/* 64-bit sequence numbers */
#define KIPSEC_SA_F_AH_ALIGN4	0x2	/* AH, IPv4 outer: pad to 4 bytes */
#define KIPSEC_SA_F_ALL		(KIPSEC_SA_F_ESN | KIPSEC_SA_F_AH_ALIGN4)

#define KIPSEC_MAX_KEY_LEN	128
#define KIPSEC_REPLAY_DEFAULT	64
#define KIPSEC_REPLAY_MIN	32
#define KIPSEC_REPLAY_MAX	16384

/*
 * Attributes of SPI and SA commands. Proxy-ID (PID) addresses are from
 * the tunnel's point of view for both directions: "local" is the inner
 * source of outbound packets and the inner destination of inbound ones.
 * A proxy ID has at most one family; its two prefixes share it.
 */
enum kipsec_sa_attr {
	KIPSEC_A_SA_UNSPEC,
	KIPSEC_A_SA_IFINDEX,		/* u32 */
	KIPSEC_A_SA_IFNAME,		/* string */
	KIPSEC_A_SA_DIR,		/* u8, enum kipsec_sa_dir */
	KIPSEC_A_SA_SPI,		/* u32, host order */
	KIPSEC_A_SA_PROTO,		/* u8, IPPROTO_ESP or IPPROTO_AH */
	KIPSEC_A_SA_SPI_MIN,		/* u32 */
	KIPSEC_A_SA_SPI_MAX,		/* u32 */
	KIPSEC_A_SA_AEAD_ALG,		/* u32, enum kipsec_aead_alg */
	KIPSEC_A_SA_AEAD_KEY,		/* binary, never in replies */
	KIPSEC_A_SA_ICV_BITS,		/* u32: 64, 96 or 128 (AEAD only) */
	KIPSEC_A_SA_ENC_ALG,		/* u32, enum kipsec_enc_alg */
	KIPSEC_A_SA_ENC_KEY,		/* binary, never in replies */
	KIPSEC_A_SA_AUTH_ALG,		/* u32, enum kipsec_auth_alg */
	KIPSEC_A_SA_AUTH_KEY,		/* binary, never in replies */
	KIPSEC_A_SA_KEY_BITS,		/* u32, reply only: cipher key size */
	KIPSEC_A_SA_REPLAY_WINDOW,	/* u32: 0 = off, or 32..16384 */
	KIPSEC_A_SA_FLAGS,		/* u32, KIPSEC_SA_F_* */
	KIPSEC_A_SA_PID_LOCAL_IPV4,	/* binary, 4 bytes */
	KIPSEC_A_SA_PID_LOCAL_IPV6,	/* binary, 16 bytes */
	KIPSEC_A_SA_PID_LOCAL_PREFIXLEN,	/* u8 */
	KIPSEC_A_SA_PID_REMOTE_IPV4,	/* binary, 4 bytes */
	KIPSEC_A_SA_PID_REMOTE_IPV6,	/* binary, 16 bytes */
	KIPSEC_A_SA_PID_REMOTE_PREFIXLEN,	/* u8 */
	KIPSEC_A_SA_PID_PROTO,		/* u8, 0 = any */
	KIPSEC_A_SA_PID_LPORT_MIN,	/* u16 */
	KIPSEC_A_SA_PID_LPORT_MAX,	/* u16 */
	KIPSEC_A_SA_PID_RPORT_MIN,	/* u16 */
	KIPSEC_A_SA_PID_RPORT_MAX,	/* u16 */
	KIPSEC_A_SA_OUTER_SRC_IPV4,	/* binary, reply only */
	KIPSEC_A_SA_OUTER_SRC_IPV6,	/* binary, reply only */
	KIPSEC_A_SA_OUTER_DST_IPV4,	/* binary, reply only */
	KIPSEC_A_SA_OUTER_DST_IPV6,	/* binary, reply only */
	/* u64: last sent / highest received; in an outbound add: start */
	KIPSEC_A_SA_SEQ,
	KIPSEC_A_SA_STATS,		/* nest, kipsec_sa_stats_attr, reply only */
	KIPSEC_A_SA_PAD,
	KIPSEC_A_SA_LIFETIME_SOFT,	/* nest, kipsec_lifetime_attr */
	KIPSEC_A_SA_LIFETIME_HARD,	/* nest, kipsec_lifetime_attr */
	KIPSEC_A_SA_AGE,		/* u64, reply only: seconds since added */
	KIPSEC_A_SA_USE_AGE,		/* u64, reply only: seconds since first
					 * use; absent before it
					 */
	KIPSEC_A_SA_EXPIRE_HARD,	/* u8, EXPIRE only: 0 soft, 1 hard */
	KIPSEC_A_SA_EXPIRE_LIMIT,	/* u8, EXPIRE only: the
					 * kipsec_lifetime_attr reached
					 */

	__KIPSEC_A_SA_MAX,
	KIPSEC_A_SA_MAX = __KIPSEC_A_SA_MAX - 1
};

/* Counters of one SA; all u64. */
enum kipsec_sa_stats_attr {
	KIPSEC_A_SSTATS_UNSPEC,
	KIPSEC_A_SSTATS_PACKETS,	/* sent or accepted */
	KIPSEC_A_SSTATS_BYTES,		/* inner bytes sent or accepted */
	KIPSEC_A_SSTATS_DROP_REPLAY,	/* inbound: sequence number seen */
	KIPSEC_A_SSTATS_DROP_WINDOW,	/* inbound: left of the window */
	KIPSEC_A_SSTATS_DROP_AUTH,	/* inbound: integrity check failed */
	KIPSEC_A_SSTATS_DROP_PAD,	/* inbound: bad padding or next header */
	KIPSEC_A_SSTATS_DROP_PROXY_ID,	/* inbound: inner packet outside it */
	KIPSEC_A_SSTATS_DROP_SEQ,	/* outbound: sequence numbers exhausted */
	KIPSEC_A_SSTATS_DROP_OTHER,	/* no memory, crypto error, bad length */
	KIPSEC_A_SSTATS_PAD,

	__KIPSEC_A_SSTATS_MAX,
	KIPSEC_A_SSTATS_MAX = __KIPSEC_A_SSTATS_MAX - 1
};

/*
 * Lifetime limits of an SA (KIPSEC_A_SA_LIFETIME_SOFT and _HARD); all u64,
 * an absent or 0 one is no limit. A soft limit must lie below the hard
 * limit of the same kind. TIME counts from the SA's add or update,
 * USE_TIME from its first packet; BYTES and PACKETS count what the SA sent
 * or accepted (inner bytes, as its stats).
 */
enum kipsec_lifetime_attr {
	KIPSEC_A_LIFETIME_UNSPEC,
	KIPSEC_A_LIFETIME_TIME,		/* seconds since the SA was added */
	KIPSEC_A_LIFETIME_USE_TIME,	/* seconds since its first use */
	KIPSEC_A_LIFETIME_BYTES,
	KIPSEC_A_LIFETIME_PACKETS,
	KIPSEC_A_LIFETIME_PAD,

	__KIPSEC_A_LIFETIME_MAX,
	KIPSEC_A_LIFETIME_MAX = __KIPSEC_A_LIFETIME_MAX - 1
};

#endif /* _UAPI_LINUX_KIPSEC_H */
