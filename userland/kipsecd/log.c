// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: logging.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

#define LINE_MAX_LEN 1024

static const char *log_ident = "kipsecd";
static enum kipsecd_log_target target = KIPSECD_LOG_STDERR;
static enum kipsecd_log_level level = KIPSECD_LOG_INFO;
static bool syslog_open;
static log_sink_fn sink;
static void *sink_arg;

static const int syslog_prio[] = {
	[KIPSECD_LOG_ERROR] = LOG_ERR,
	[KIPSECD_LOG_WARNING] = LOG_WARNING,
	[KIPSECD_LOG_NOTICE] = LOG_NOTICE,
	[KIPSECD_LOG_INFO] = LOG_INFO,
	[KIPSECD_LOG_DEBUG] = LOG_DEBUG,
};

static const char *const level_names[] = {
	[KIPSECD_LOG_ERROR] = "error",
	[KIPSECD_LOG_WARNING] = "warning",
	[KIPSECD_LOG_NOTICE] = "notice",
	[KIPSECD_LOG_INFO] = "info",
	[KIPSECD_LOG_DEBUG] = "debug",
};

const char *log_level_name(enum kipsecd_log_level l)
{
	return (unsigned int)l <= KIPSECD_LOG_DEBUG ? level_names[l] : "?";
}

void log_setup(enum kipsecd_log_target t, enum kipsecd_log_level l)
{
	if (t == KIPSECD_LOG_SYSLOG && !syslog_open) {
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog_open = true;
	} else if (t != KIPSECD_LOG_SYSLOG && syslog_open) {
		closelog();
		syslog_open = false;
	}
	target = t;
	level = l;
}

void log_open(const char *ident, enum kipsecd_log_target t,
	      enum kipsecd_log_level l)
{
	log_ident = ident;
	log_setup(t, l);
}

void log_close(void)
{
	if (syslog_open)
		closelog();
	syslog_open = false;
}

enum kipsecd_log_level log_level(void)
{
	return level;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

/* One line: control characters become '?'. */
static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void log_vmsg(enum kipsecd_log_level l, const char *tunnel, const char *fmt,
	      va_list ap)
{
	char line[LINE_MAX_LEN];
	int n = 0;

	if (l > level)
		return;
	if (tunnel)
		n = snprintf(line, sizeof(line), "tunnel=%s ", tunnel);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	flatten(line);
	if (sink) {
		sink(l, line, sink_arg);
	} else if (target == KIPSECD_LOG_SYSLOG) {
		syslog(syslog_prio[l], "%s", line);
	} else {
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_names[l], line);
		fflush(stderr);
	}
}

void log_msg(enum kipsecd_log_level l, const char *tunnel, const char *fmt,
	     ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(l, tunnel, fmt, ap);
	va_end(ap);
}

void log_mismatch(const char *tunnel, const char *what, const char *ours,
		  const char *peer)
{
	log_msg(KIPSECD_LOG_WARNING, tunnel,
		"negotiation failed: %s mismatch: ours: %s; peer: %s", what,
		ours ? ours : "none", peer ? peer : "none");
}
