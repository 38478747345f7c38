/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the IKE UDP sockets.
 *
 * One IPv4 and one IPv6 socket (IPV6_V6ONLY), both bound to the wildcard
 * address on [global] ike-port, read from the event loop. A datagram is
 * sent from a given local address (IP_PKTINFO / IPV6_PKTINFO), so the
 * sockets need not be bound to the tunnels' addresses, and addresses that
 * appear after the start work.
 */
#ifndef KIPSECD_IKE_SOCK_H
#define KIPSECD_IKE_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/kipsec_nl.h"
#include "loop.h"

struct ike_sock;

/* One received datagram from @from:@port (host order). */
typedef void (*ike_sock_rx_fn)(void *arg, const struct kipsec_nl_addr *from,
			       uint16_t port, const uint8_t *buf, size_t len);

/*
 * Open and bind both sockets on @port and watch them on @l. A family the
 * host lacks (no IPv6) is left out with a warning; 0, or -1 with the
 * reason in @err if neither could be opened or the port is taken.
 */
int ike_sock_open(struct ike_sock **out, struct loop *l, uint16_t port,
		  ike_sock_rx_fn rx, void *arg, char *err, size_t errlen);
void ike_sock_close(struct ike_sock *s);

/* One datagram from @local (AF_UNSPEC: the kernel's choice) to
 * @remote:@port. 0, or -errno. */
int ike_sock_send(struct ike_sock *s, const struct kipsec_nl_addr *local,
		  const struct kipsec_nl_addr *remote, uint16_t port,
		  const uint8_t *buf, size_t len);

#endif
