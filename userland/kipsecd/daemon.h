/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the daemon's state: configuration, tunnel table, kernel
 * connection, control socket; reload and shutdown.
 */
#ifndef KIPSECD_DAEMON_H
#define KIPSECD_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

#include "../lib/ctl.h"
#include "config.h"
#include "control.h"
#include "kernel.h"
#include "loop.h"
#include "state.h"

/* How often a missing kernel module is looked for again. */
#define KIPSECD_KERNEL_RETRY_MS 10000

struct kipsecd {
	struct loop *loop;
	char *config_path;
	struct kipsecd_config *config;
	struct kipsecd_tunnel_state **tunnels;	/* in config order */
	size_t n_tunnels;

	struct kipsecd_kernel *kernel;
	bool use_kernel;			/* false: --no-kernel (tests) */
	char kernel_error[512];			/* why it is not open */
	struct loop_timer *kernel_retry;

	struct kipsecd_control *control;
	struct kipsecd_ike *ike;		/* ike.c's: engine, sockets, timers */
	bool debug;				/* -d: log level debug, stderr */
	uint64_t started;			/* loop clock */
	uint64_t reloads;
};

/*
 * Load the configuration, open the control socket (first: if another
 * kipsecd runs, nothing else is done), connect to the module and start
 * the tunnels. -1 with a message in @err (for a bad configuration,
 * "FILE:LINE: key ..."); then call kipsecd_fail().
 */
int kipsecd_init(struct kipsecd *d, struct loop *l, const char *config_path,
		 bool use_kernel, bool debug, char *err, size_t errlen);
/* Undo a failed kipsecd_init(): free everything, call no hook. */
void kipsecd_fail(struct kipsecd *d);
/* Every tunnel's down, the control socket removed, everything freed. */
void kipsecd_shutdown(struct kipsecd *d);

/* Re-read the configuration and apply what changed; a summary to @out
 * (may be NULL). -1 with the reason in @err: the old one stays. */
int kipsecd_reload(struct kipsecd *d, FILE *out, char *err, size_t errlen);

struct kipsecd_tunnel_state *kipsecd_tunnel_find(struct kipsecd *d,
						 const char *name);

/* The control requests. */
int kipsecd_handle(const struct kipsec_ctl_req *r, FILE *body, char *err,
		   size_t errlen, void *arg);

/* Status, all tunnels or @name only. -1 if there is no such tunnel. */
int kipsecd_status_text(struct kipsecd *d, const char *name, FILE *out,
			char *err, size_t errlen);
int kipsecd_status_json(struct kipsecd *d, const char *name, FILE *out,
			char *err, size_t errlen);

#endif
