/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: the control socket (protocol in userland/lib/ctl.h).
 *
 * A unix stream socket, mode 0600, one request per connection, served
 * from the event loop without blocking: a client that sends nothing for
 * CONTROL_TIMEOUT_MS, or does not read its reply, is dropped.
 */
#ifndef KIPSECD_CONTROL_H
#define KIPSECD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../lib/ctl.h"
#include "loop.h"

#define CONTROL_TIMEOUT_MS 5000

struct kipsecd_control;

/*
 * Answer @r: write the body to @body; return 0, or -1 with the message of
 * the "error" status line in @err.
 */
typedef int (*control_handler)(const struct kipsec_ctl_req *r, FILE *body,
			       char *err, size_t errlen, void *arg);

/*
 * Listen on @path. A socket file left by a kipsecd that died is removed;
 * if another kipsecd answers on @path, or @path is not a socket, this
 * fails (-1, message in @err).
 */
int control_open(struct loop *l, const char *path, control_handler h,
		 void *arg, struct kipsecd_control **out, char *err,
		 size_t errlen);
/* Close every connection and the socket, and remove the socket file. */
void control_close(struct kipsecd_control *c);
const char *control_path(const struct kipsecd_control *c);

#endif
