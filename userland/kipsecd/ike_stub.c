// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the IKE hooks before there are IKE exchanges.
 *
 * REPLACE THIS FILE with the Main/Aggressive/Quick Mode code: it
 * implements ike_hooks.h. Until then up and down fail, in one place, with
 * a message that says why.
 */
#include <stdio.h>

#include "ike_hooks.h"
#include "log.h"

#define IKE_NOT_BUILT "IKE exchanges are not built yet"

/* The one answer of this stub to everything that needs an exchange. */
static int ike_not_built(char *err, size_t errlen)
{
	snprintf(err, errlen, IKE_NOT_BUILT);
	return -1;
}

int kipsecd_ike_start(struct kipsecd *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}

void kipsecd_ike_stop(struct kipsecd *d)
{
	(void)d;
}

int kipsecd_ike_up(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		   const struct kipsec_proxy_id *trigger, char *err,
		   size_t errlen)
{
	(void)d;
	(void)ts;
	(void)trigger;
	return ike_not_built(err, errlen);
}

int kipsecd_ike_down(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		     const char *why, char *err, size_t errlen)
{
	(void)d;
	(void)ts;
	(void)why;
	return ike_not_built(err, errlen);
}

void kipsecd_ike_sa_event(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			  const struct kipsecd_kernel_event *ev)
{
	char err[64];

	(void)d;
	ike_not_built(err, sizeof(err));
	log_notice(ts->cfg->name, "%s of SPI 0x%08x not handled: %s",
		   kipsecd_kernel_event_name(ev->cmd), ev->spi, err);
}

void kipsecd_ike_resync(struct kipsecd *d, struct kipsecd_tunnel_state *ts)
{
	(void)d;
	(void)ts;
}

void kipsecd_ike_tunnel_free(struct kipsecd *d,
			     struct kipsecd_tunnel_state *ts)
{
	(void)d;
	(void)ts;
}
