/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: what the daemon knows about each tunnel of the configuration.
 *
 * The daemon (daemon.c) creates, updates on reload and frees these; the
 * IKE code fills in the Phase 1 and Phase 2 parts and may hang its own
 * data on the priv pointers (it frees them in kipsecd_ike_tunnel_free()).
 * Times are in milliseconds on the event loop's clock (loop_now_ms()),
 * 0 when not set.
 */
#ifndef KIPSECD_STATE_H
#define KIPSECD_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* Where a tunnel stands, as status shows it. */
enum kipsecd_tstate {
	KIPSECD_TS_IDLE,	/* no SAs; negotiates as its start= says */
	KIPSECD_TS_DOWN,	/* no SAs; taken down, waits for "up" */
	KIPSECD_TS_CONNECTING,	/* a Phase 1 or Phase 2 exchange runs */
	KIPSECD_TS_UP,		/* SAs installed for every proxy ID */
};

/* The IKE SA (Phase 1). */
struct kipsecd_p1_state {
	int state;			/* the IKE code's; 0: no IKE SA */
	uint8_t icookie[8], rcookie[8];
	int proposal;			/* index in cfg->ike[], -1: none */
	bool initiator;
	uint64_t established;		/* when it was */
	uint64_t expires;		/* when it must be gone */
	void *priv;
};

/* The SA pair of one proxy ID (Phase 2), cfg->proxy_ids[i]. */
struct kipsecd_p2_state {
	int state;			/* the IKE code's; 0: no SAs */
	int proposal;			/* index in cfg->ipsec[], -1: none */
	uint8_t proto;			/* IPPROTO_ESP or IPPROTO_AH */
	uint32_t spi_in, spi_out;	/* 0: none */
	uint64_t installed;
	uint64_t rekey_at;		/* soft lifetime */
	uint64_t expires;		/* hard lifetime */
	uint64_t rekeys;
	/* From the module at the last status (kipsecd_ike_counters). */
	bool have_counters;
	uint64_t packets_in, bytes_in, packets_out, bytes_out;
	void *priv;
};

struct kipsecd_tunnel_counters {
	uint64_t up_requests, down_requests;
	uint64_t p1_ok, p1_failed;
	uint64_t p2_ok, p2_failed;
	uint64_t acquires;		/* ACQUIRE events for this tunnel */
	uint64_t expires_soft, expires_hard, seq_overflows;
};

struct kipsecd_tunnel_state {
	/* The tunnel's configuration: points into the daemon's current
	 * config, moved to the new one on reload. */
	const struct kipsecd_tunnel *cfg;
	enum kipsecd_tstate state;
	uint64_t since;			/* of the current state */

	bool kernel_set;		/* outer addresses are in the module */
	char kernel_error[512];		/* why not, if they are not */
	uint64_t kernel_sas;		/* SAs the module has, at the last resync */
	char last_error[256];		/* of the last failed up, down or exchange */

	struct kipsecd_p1_state p1;
	struct kipsecd_p2_state *p2;	/* cfg->n_proxy_ids of them */
	size_t n_p2;
	struct kipsecd_tunnel_counters counters;
	void *priv;			/* the IKE code's */
};

const char *kipsecd_tstate_name(enum kipsecd_tstate s);

#endif
