/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: its side of the kipsec kernel module.
 *
 * Two generic netlink sockets: requests (through libkipsec-nl) and the
 * "events" multicast group, read from the event loop. Requests are
 * synchronous; the module answers at once.
 *
 * The module may be missing when the daemon starts (or unloaded while it
 * runs): kipsecd_kernel_open() then fails with ENOENT and the daemon keeps
 * running, reports it in status and tries again later.
 */
#ifndef KIPSECD_KERNEL_H
#define KIPSECD_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/kipsec_nl.h"
#include "loop.h"

struct kipsecd_kernel;

/* A decoded event of the "events" group. */
struct kipsecd_kernel_event {
	uint8_t cmd;			/* KIPSEC_CMD_EXPIRE, _SEQ_OVERFLOW, _ACQUIRE */
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	/* EXPIRE, SEQ_OVERFLOW: the SA. */
	uint8_t dir;			/* KIPSEC_DIR_* */
	uint32_t spi;
	uint8_t proto;			/* IPPROTO_ESP, IPPROTO_AH */
	/* EXPIRE */
	bool hard;			/* the SA is gone */
	uint8_t limit;			/* enum kipsec_lifetime_attr */
	/* The SA's proxy ID, or ACQUIRE's packet selector. */
	struct kipsec_proxy_id pid;
};

struct kipsecd_kernel_ops {
	/* One event. */
	void (*event)(const struct kipsecd_kernel_event *ev, void *arg);
	/*
	 * Events were lost (the socket's buffer overflowed): whatever state
	 * was derived from them must be read again (kipsecd_kernel_sa_dump).
	 */
	void (*resync)(void *arg);
};

/* Nothing is opened yet. */
struct kipsecd_kernel *kipsecd_kernel_new(struct loop *l,
					  const struct kipsecd_kernel_ops *ops,
					  void *arg);
void kipsecd_kernel_free(struct kipsecd_kernel *k);

/*
 * Open both sockets and watch the events one. 0, or -errno with @e filled
 * in (ENOENT: the module is not loaded). Opening an open one is a no-op.
 */
int kipsecd_kernel_open(struct kipsecd_kernel *k, struct kipsec_nl_error *e);
void kipsecd_kernel_close(struct kipsecd_kernel *k);
bool kipsecd_kernel_is_open(const struct kipsecd_kernel *k);

/*
 * Whether SA requests carry lifetimes (KIPSEC_A_SA_LIFETIME_*). On by
 * default; turned off for good, with a warning, the first time the module
 * refuses them (a module without lifetimes): the keyer's own timers must
 * then do the rekeying.
 */
void kipsecd_kernel_set_lifetimes(struct kipsecd_kernel *k, bool send);
bool kipsecd_kernel_lifetimes(const struct kipsecd_kernel *k);

/* Set the outer addresses of tunnel device @ifname. */
int kipsecd_kernel_tunnel_set(struct kipsecd_kernel *k, const char *ifname,
			      const struct kipsec_nl_addr *local,
			      const struct kipsec_nl_addr *remote,
			      struct kipsec_nl_error *e);

/* Reserve an inbound SPI of @proto on @ifname. */
int kipsecd_kernel_spi_alloc(struct kipsecd_kernel *k, const char *ifname,
			     uint8_t proto, uint32_t *spi,
			     struct kipsec_nl_error *e);

/* Soft and hard limits of both SAs of a pair; 0: none. */
struct kipsecd_lifetimes {
	struct kipsec_nl_lifetime soft, hard;
};

/*
 * The two SAs one Quick Mode makes. @algs holds the algorithms, flags and
 * replay window (its ifname, spi, dir and proxy ID are ignored); the
 * inbound SA gets the replay window, the outbound one does not need it.
 * @pid is from our point of view for both.
 */
struct kipsecd_sa_pair {
	char ifname[IF_NAMESIZE];
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */
	uint32_t spi_in, spi_out;
	struct kipsec_sa_info algs;
	struct kipsec_proxy_id pid;
	struct kipsecd_lifetimes lifetimes;
};

/*
 * Install both SAs: inbound first, so that the peer's first packets are
 * taken, then outbound; if the outbound one fails the inbound one is
 * deleted again. @update replaces SAs that exist (KIPSEC_CMD_SA_UPDATE).
 * @in and @out are the keys; the caller wipes them. A NULL @in or @out
 * leaves that direction alone (a Quick Mode responder adds its inbound SA
 * before message 2 and the outbound one after message 3).
 */
int kipsecd_kernel_sa_pair_add(struct kipsecd_kernel *k,
			       const struct kipsecd_sa_pair *p,
			       const struct kipsec_sa_keys *in,
			       const struct kipsec_sa_keys *out, bool update,
			       struct kipsec_nl_error *e);
/* Delete both SAs (either may be gone already: that is not an error). */
int kipsecd_kernel_sa_pair_del(struct kipsecd_kernel *k, const char *ifname,
			       uint8_t proto, uint32_t spi_in, uint32_t spi_out,
			       struct kipsec_nl_error *e);
/* Delete one SA (gone already: not an error). */
int kipsecd_kernel_sa_del(struct kipsecd_kernel *k, const char *ifname,
			  uint8_t proto, uint8_t dir, uint32_t spi,
			  struct kipsec_nl_error *e);
/* Delete every SA and SPI reservation of @ifname. */
int kipsecd_kernel_flush(struct kipsecd_kernel *k, const char *ifname,
			 struct kipsec_nl_error *e);
/* Every SA of @ifname (NULL: of every tunnel), for resynchronising. */
int kipsecd_kernel_sa_dump(struct kipsecd_kernel *k, const char *ifname,
			   kipsec_sa_cb cb, void *arg,
			   struct kipsec_nl_error *e);

/* "expire", "seq-overflow", "acquire". */
const char *kipsecd_kernel_event_name(uint8_t cmd);

#endif
