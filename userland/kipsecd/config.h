/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the configuration file, kipsecd.conf(5).
 *
 * INI-style: an optional [global] section and one [tunnel NAME] section
 * per peer. Loading validates everything and reads each tunnel's PSK into
 * memory; a failure returns one message "FILE:LINE: key 'NAME': reason"
 * (or "FILE:LINE: reason" for lines that are not a key). Nothing in here
 * ever prints a PSK.
 */
#ifndef KIPSECD_CONFIG_H
#define KIPSECD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/kipsec_nl.h"
#include "proposal.h"

#define KIPSECD_TUNNEL_NAME_MAX	63	/* [A-Za-z0-9._-] */
#define KIPSECD_ID_NAME_MAX	255	/* fqdn or user-fqdn text */
#define KIPSECD_PSK_MAX		1024	/* bytes */
#define KIPSECD_CONFIG_MAX	(1024 * 1024)	/* bytes of file */

/* Defaults of the keys that have one. */
#define KIPSECD_DEFAULT_CONFIG		"/etc/kipsec/kipsecd.conf"
#define KIPSECD_DEFAULT_SOCKET		"/run/kipsecd.sock"
#define KIPSECD_DEFAULT_IKE_PORT	500
#define KIPSECD_DEFAULT_IKE_LIFETIME	28800	/* 8 h */
#define KIPSECD_DEFAULT_IPSEC_LIFETIME	3600	/* 1 h */
#define KIPSECD_DEFAULT_DPD_RETRIES	5
#define KIPSECD_DEFAULT_IKE_PROPOSALS	"aes256-sha256-modp2048, aes128-sha1-modp2048"
#define KIPSECD_DEFAULT_IPSEC_PROPOSALS	"g14-esp-aes256-sha256, g14-esp-aes128-sha"

enum kipsecd_log_level {
	KIPSECD_LOG_ERROR,
	KIPSECD_LOG_WARNING,
	KIPSECD_LOG_NOTICE,
	KIPSECD_LOG_INFO,
	KIPSECD_LOG_DEBUG,
};

enum kipsecd_log_target {
	KIPSECD_LOG_SYSLOG,
	KIPSECD_LOG_STDERR,
};

/* [global] */
struct kipsecd_global {
	char control_socket[108];	/* sizeof(sun_path) */
	enum kipsecd_log_level log_level;
	enum kipsecd_log_target log_target;
	uint16_t ike_port;		/* UDP port kipsecd listens on and sends to */
};

enum kipsecd_mode {
	KIPSECD_MODE_MAIN,
	KIPSECD_MODE_AGGRESSIVE,
};

enum kipsecd_start {
	KIPSECD_START_ON_TRAFFIC,	/* on an ACQUIRE event from the module */
	KIPSECD_START_IMMEDIATELY,	/* when the config is loaded */
	KIPSECD_START_RESPOND_ONLY,	/* never initiate */
};

/* RFC 2407 4.6.2.1 identification types, as sent in ID payloads. */
#define KIPSECD_ID_IPV4_ADDR		1
#define KIPSECD_ID_FQDN			2
#define KIPSECD_ID_USER_FQDN		3
#define KIPSECD_ID_IPV4_ADDR_SUBNET	4
#define KIPSECD_ID_IPV6_ADDR		5
#define KIPSECD_ID_IPV6_ADDR_SUBNET	6
#define KIPSECD_ID_IPV4_ADDR_RANGE	7
#define KIPSECD_ID_IPV6_ADDR_RANGE	8

/* A Phase 1 identity (local-id, remote-id). */
struct kipsecd_id {
	uint8_t type;			/* KIPSECD_ID_{IPV4_ADDR,IPV6_ADDR,FQDN,USER_FQDN} */
	bool from_address;		/* not configured: the tunnel's address */
	struct kipsec_nl_addr addr;	/* IPV4_ADDR, IPV6_ADDR */
	char name[KIPSECD_ID_NAME_MAX + 1];	/* FQDN, USER_FQDN */
};

/*
 * A proxy ID: what the module matches (@pid) and how each side is sent in
 * Quick Mode's ID payloads (@local_type, @remote_type: an address, a
 * subnet or a range; a range is always exactly the prefix in @pid).
 * Ports are one port or any (IKEv1 ID payloads carry a single port):
 * min == max, or 0-65535.
 */
struct kipsecd_proxy_id {
	struct kipsec_proxy_id pid;
	uint8_t local_type, remote_type;	/* KIPSECD_ID_IPV*_ADDR* */
	unsigned int line;
};

struct kipsecd_tunnel {
	char name[KIPSECD_TUNNEL_NAME_MAX + 1];
	unsigned int line;			/* of its [tunnel NAME] */
	char ifname[IF_NAMESIZE];
	struct kipsec_nl_addr local, remote;	/* same family */
	enum kipsecd_mode mode;
	struct kipsecd_id local_id, remote_id;
	char *psk_file;				/* as resolved: absolute or as given */
	uint8_t *psk;				/* wiped when freed */
	size_t psk_len;

	struct kipsecd_p1_proposal ike[KIPSECD_MAX_P1];
	size_t n_ike;
	uint32_t ike_lifetime;			/* seconds */

	struct kipsecd_p2_proposal ipsec[KIPSECD_MAX_P2];
	size_t n_ipsec;
	uint32_t ipsec_lifetime;		/* seconds */
	uint64_t ipsec_lifetime_kb;		/* kilobytes, 0: no limit */
	struct kipsecd_proxy_id *proxy_ids;
	size_t n_proxy_ids;			/* at least one */
	uint32_t replay_window;			/* 0: off */
	bool esn;
	bool ah_align8;				/* AH over IPv4: 8, not 4 */

	enum kipsecd_start start;
	uint32_t dpd_interval;			/* seconds, 0: off */
	uint32_t dpd_retries;
};

struct kipsecd_config {
	char *path;
	struct kipsecd_global global;
	struct kipsecd_tunnel *tunnels;		/* in file order */
	size_t n_tunnels;
};

/*
 * Load and validate @path. PSK files named relative are relative to the
 * directory of @path. PSK files must be regular, owned by root or the
 * effective uid, and have no permission bit for group or others.
 */
int kipsecd_config_load(const char *path, struct kipsecd_config **out,
			char *err, size_t errlen);

/* The same from @text (@len bytes) with @path for messages and for
 * relative PSK file names. */
int kipsecd_config_parse(const char *path, const char *text, size_t len,
			 struct kipsecd_config **out, char *err, size_t errlen);

/* Free @c, wiping every PSK. NULL is fine. */
void kipsecd_config_free(struct kipsecd_config *c);

const struct kipsecd_tunnel *kipsecd_config_tunnel(const struct kipsecd_config *c,
						   const char *name);

/* What differs between two versions of a tunnel (bit mask). */
#define KIPSECD_CHANGED_PEER	0x01	/* interface, local, remote */
#define KIPSECD_CHANGED_IKE	0x02	/* mode, ids, PSK, ike-*, dpd */
#define KIPSECD_CHANGED_IPSEC	0x04	/* ipsec-*, proxy-id, replay-window, esn, ah-align */
#define KIPSECD_CHANGED_START	0x08	/* start */

enum kipsecd_change {
	KIPSECD_TUNNEL_UNCHANGED,
	KIPSECD_TUNNEL_ADDED,
	KIPSECD_TUNNEL_REMOVED,
	KIPSECD_TUNNEL_CHANGED,
};

struct kipsecd_tunnel_diff {
	const char *name;
	enum kipsecd_change change;
	unsigned int what;			/* KIPSECD_CHANGED_*, for CHANGED */
	const struct kipsecd_tunnel *old_t;	/* NULL if added */
	const struct kipsecd_tunnel *new_t;	/* NULL if removed */
};

/* The KIPSECD_CHANGED_* bits in which @a and @b differ; 0 if equal. Tunnel
 * names and line numbers are not compared. */
unsigned int kipsecd_tunnel_compare(const struct kipsecd_tunnel *a,
				    const struct kipsecd_tunnel *b);

/*
 * Compare two configurations tunnel by tunnel (by name): one entry per
 * tunnel of either, the removed ones first in @old's order, then @new's
 * tunnels in its order. *global_changed says whether [global] differs.
 * The entries point into @old and @new; free the array with free().
 * Returns 0, or -1 if out of memory.
 */
int kipsecd_config_diff(const struct kipsecd_config *old,
			const struct kipsecd_config *new,
			struct kipsecd_tunnel_diff **out, size_t *n,
			bool *global_changed);

/*
 * The first proxy ID of @t that contains @sel (an ACQUIRE's packet
 * selector: addresses as prefixes, protocol, ports), as an index into
 * t->proxy_ids; -1 if none does.
 */
int kipsecd_proxy_id_match(const struct kipsecd_tunnel *t,
			   const struct kipsec_proxy_id *sel);

/* Words for messages and status output. */
const char *kipsecd_mode_name(enum kipsecd_mode m);
const char *kipsecd_start_name(enum kipsecd_start s);
const char *kipsecd_change_name(enum kipsecd_change c);
/* "192.0.2.1", "fqdn:vpn.example.com", "user-fqdn:a@example.com" */
const char *kipsecd_id_str(const struct kipsecd_id *id, char *buf, size_t len);
/* "10.1.0.0/24 10.2.0.0/24 proto udp lport 500" */
const char *kipsecd_proxy_id_str(const struct kipsecd_proxy_id *p, char *buf,
				 size_t len);

#endif
