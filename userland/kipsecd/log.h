/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd: logging, to syslog or stderr as [global] log-target says.
 *
 * One line per event. A message about a tunnel starts with its name as a
 * field, "tunnel=site-b ...", so that one tunnel's story can be grepped out
 * of a busy log. Control characters in messages (a peer's identity may
 * carry them) are printed as '?': one event never spans two lines.
 *
 * Never pass key material (PSKs, SKEYID*, KEYMAT, DH secrets) to these.
 */
#ifndef KIPSECD_LOG_H
#define KIPSECD_LOG_H

#include <stdarg.h>

#include "config.h"

/* Until log_open(): stderr, level info. @ident names us in every line. */
void log_open(const char *ident, enum kipsecd_log_target target,
	      enum kipsecd_log_level level);
/* Change target and level (reload; -d). */
void log_setup(enum kipsecd_log_target target, enum kipsecd_log_level level);
void log_close(void);
enum kipsecd_log_level log_level(void);
const char *log_level_name(enum kipsecd_log_level level);

/* For tests: every line that would be logged goes to @fn instead. */
typedef void (*log_sink_fn)(enum kipsecd_log_level level, const char *line,
			    void *arg);
void log_set_sink(log_sink_fn fn, void *arg);

/* One event; @tunnel is the tunnel's name, or NULL for the daemon's own. */
void log_msg(enum kipsecd_log_level level, const char *tunnel,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_vmsg(enum kipsecd_log_level level, const char *tunnel,
	      const char *fmt, va_list ap);

#define log_err(t, ...)		log_msg(KIPSECD_LOG_ERROR, t, __VA_ARGS__)
#define log_warn(t, ...)	log_msg(KIPSECD_LOG_WARNING, t, __VA_ARGS__)
#define log_notice(t, ...)	log_msg(KIPSECD_LOG_NOTICE, t, __VA_ARGS__)
#define log_info(t, ...)	log_msg(KIPSECD_LOG_INFO, t, __VA_ARGS__)
#define log_debug(t, ...)	log_msg(KIPSECD_LOG_DEBUG, t, __VA_ARGS__)

/*
 * A failed negotiation, our value and the peer's side by side, at warning:
 *
 *   log_mismatch("site-b", "phase 2 proposal", "g14-esp-aes256-sha256",
 *                "nopfs-esp-3des-md5");
 *
 * logs "tunnel=site-b negotiation failed: phase 2 proposal mismatch:
 * ours: g14-esp-aes256-sha256; peer: nopfs-esp-3des-md5". @ours or @peer
 * may be NULL ("none": that side offered nothing).
 */
void log_mismatch(const char *tunnel, const char *what, const char *ours,
		  const char *peer);

#endif
