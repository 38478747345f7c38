/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the hooks the IKE exchanges implement.
 *
 * The daemon calls these; ike.c implements them on the IKEv1 engine
 * (engine.h) and the IKE sockets (ike_sock.h).
 *
 * All run on the event loop's thread and must not block: an exchange
 * sends its first message and returns, then goes on from loop callbacks
 * (its UDP socket, its retransmission timers).
 */
#ifndef KIPSECD_IKE_HOOKS_H
#define KIPSECD_IKE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel.h"
#include "state.h"

struct kipsecd;

/*
 * Once, after the configuration is loaded and before the loop runs: open
 * the IKE socket on [global] ike-port, for example. 0, or -1 with a
 * message in @err (the daemon then does not start).
 */
int kipsecd_ike_start(struct kipsecd *d, char *err, size_t errlen);
/* Once, at exit, after every tunnel's down. */
void kipsecd_ike_stop(struct kipsecd *d);

/*
 * Bring @ts up: negotiate Phase 1 if there is no IKE SA, then Quick Mode
 * for @trigger (an ACQUIRE's selector) or, if NULL, for every proxy ID.
 * Called for "kipsec ike up", for start = immediately, and on ACQUIRE
 * with start = on-traffic. Returns 0 once the negotiation is under way,
 * or -1 with the reason in @err (the daemon logs it and answers it).
 */
int kipsecd_ike_up(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		   const struct kipsec_proxy_id *trigger, char *err,
		   size_t errlen);

/*
 * Take @ts down: delete notifications to the peer, SAs out of the module,
 * timers cancelled, state back to no SAs. @why is for the log ("kipsec
 * ike down", "reload: tunnel removed", "shutdown"). Called with the
 * configuration @ts had when its SAs were made (ts->cfg still points to
 * it). 0, or -1 with the reason in @err.
 */
int kipsecd_ike_down(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		     const char *why, char *err, size_t errlen);

/* EXPIRE (soft: rekey; hard: the SA is gone) or SEQ_OVERFLOW of one of
 * @ts's SAs. ACQUIRE is handled by the daemon (start = on-traffic). */
void kipsecd_ike_sa_event(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			  const struct kipsecd_kernel_event *ev);

/* Events were lost: compare what @ts believes with the module's SAs. */
void kipsecd_ike_resync(struct kipsecd *d, struct kipsecd_tunnel_state *ts);

/*
 * Reload moved @ts to a new configuration (ts->cfg, already set): @old is
 * its previous one (NULL: the tunnel was added), about to be freed.
 * @changed: @old differed and the tunnel was taken down with it.
 */
void kipsecd_ike_tunnel_config(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			       const struct kipsecd_tunnel *old, bool changed);

/* Before status is shown: refresh @ts's SA counters from the module. */
void kipsecd_ike_counters(struct kipsecd *d, struct kipsecd_tunnel_state *ts);

/* @ts is about to be freed (tunnel removed, exit): free ts->priv etc. */
void kipsecd_ike_tunnel_free(struct kipsecd *d,
			     struct kipsecd_tunnel_state *ts);

#endif
