/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kipsec CLI: one file per object, each with its <object>_main().
 */
#ifndef KIPSEC_CLI_H
#define KIPSEC_CLI_H

#include <stdio.h>
#include <time.h>

#include "parse.h"
#include "../lib/json.h"

#define KIPSEC_PROG "kipsec"

/* Exit statuses: 1 for a failed request, 2 for a malformed command line. */
#define EXIT_USAGE 2

int tunnel_main(int argc, char **argv, const struct kipsec_opts *o);
int sa_main(int argc, char **argv, const struct kipsec_opts *o);
int spi_main(int argc, char **argv, const struct kipsec_opts *o);
int ike_main(int argc, char **argv, const struct kipsec_opts *o);
int monitor_main(int argc, char **argv, const struct kipsec_opts *o);

/* One event as kipsec monitor prints it, stamped @ts (local time). */
void monitor_print_text(FILE *out, const struct timespec *ts,
			const struct kipsec_event *ev);
void monitor_print_json(FILE *out, const struct timespec *ts,
			const struct kipsec_event *ev);
/* ISO 8601 local time with milliseconds: 2026-11-23T17:00:00.123 */
const char *monitor_time_str(const struct timespec *ts, char *buf, size_t len);

/* One SA as sa show prints it, as text or as a JSON object. */
void sa_print_text(FILE *out, const struct kipsec_sa_info *sa, bool stats);
void sa_print_json(struct json *j, const struct kipsec_sa_info *sa,
		   bool stats);

/* Run the commands of @file ("-": stdin), one per line; see batch.c. */
int batch_main(const char *file, const struct kipsec_opts *o);
/* Run one command line (OBJECT COMMAND ARGS, options already taken out). */
int cli_run(int argc, char **argv, const struct kipsec_opts *o);

/* Where "key -" reads from; a batch from stdin makes it unusable. */
extern struct kipsec_key_src cli_key_src;

/*
 * The netlink socket, opened on first use and shared by every command of a
 * batch; 0, or EXIT_FAILURE after printing why. Do not close it: main()
 * does, with cli_close().
 */
int cli_open(struct kipsec_nl **nl);
void cli_close(void);

/* Error messages start "kipsec: ", then the batch position "FILE:LINE: "
 * while a batch runs (NULL file: none). */
void cli_set_where(const char *file, unsigned long line);
/* Print a failed request's error; returns EXIT_FAILURE. */
int cli_nl_error(const char *what, const struct kipsec_nl_error *e);
/* Print an error; returns EXIT_FAILURE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error; returns EXIT_USAGE. */
int cli_usage_error(const char *msg);

#endif
