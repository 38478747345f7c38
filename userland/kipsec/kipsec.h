/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kipsec CLI: one file per object, each with its <object>_main().
 */
#ifndef KIPSEC_CLI_H
#define KIPSEC_CLI_H

#include "parse.h"

#define KIPSEC_PROG "kipsec"

/* Exit statuses: 1 for a failed request, 2 for a malformed command line. */
#define EXIT_USAGE 2

int tunnel_main(int argc, char **argv, const struct kipsec_opts *o);

/* Open the netlink family or print why not; 0 or EXIT_FAILURE. */
int cli_open(struct kipsec_nl **nl);
/* Print a failed request's error; returns EXIT_FAILURE. */
int cli_nl_error(const char *what, const struct kipsec_nl_error *e);
/* Print a usage error; returns EXIT_USAGE. */
int cli_usage_error(const char *msg);

#endif
