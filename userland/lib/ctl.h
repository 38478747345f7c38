/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between kipsec(8) and kipsecd(8), on a unix stream
 * socket: one request per connection.
 *
 * The client sends one line, "VERB [NAME]\n":
 *
 *   up NAME | down NAME | status [NAME] | status-json [NAME] | reload
 *
 * The daemon answers with one status line, "ok\n" or "error MESSAGE\n",
 * then the body (text for status and reload, one JSON document for
 * status-json; may be empty), and closes the connection.
 */
#ifndef KIPSEC_CTL_H
#define KIPSEC_CTL_H

#include <stdbool.h>
#include <stddef.h>

#define KIPSEC_CTL_DEFAULT_SOCKET	"/run/kipsecd.sock"	/* kipsecd.conf's default */
#define KIPSEC_CTL_REQ_MAX	128	/* bytes of a request line, "\n" included */
#define KIPSEC_CTL_NAME_MAX	63	/* as kipsecd.conf(5) tunnel names */
#define KIPSEC_CTL_RESP_MAX	(4 * 1024 * 1024)

enum kipsec_ctl_verb {
	KIPSEC_CTL_UP,
	KIPSEC_CTL_DOWN,
	KIPSEC_CTL_STATUS,
	KIPSEC_CTL_RELOAD,
};

struct kipsec_ctl_req {
	enum kipsec_ctl_verb verb;
	bool json;			/* status only */
	char name[KIPSEC_CTL_NAME_MAX + 1];	/* "" if none */
};

/* 1 to 63 of [A-Za-z0-9._-]. */
bool kipsec_ctl_name_ok(const char *name);

/* @r as a request line in @buf; -1 if @r is not a valid request. */
int kipsec_ctl_req_encode(const struct kipsec_ctl_req *r, char *buf,
			  size_t len);
/* A request line (with or without its "\n"); -1 with a message in @err. */
int kipsec_ctl_req_decode(const char *line, struct kipsec_ctl_req *r,
			  char *err, size_t errlen);

/* The status line of a reply: "ok\n", or "error MSG\n" with MSG on one line. */
void kipsec_ctl_resp_status(bool ok, const char *msg, char *buf, size_t len);
/*
 * Split reply @resp (@len bytes): *ok, the error message in @msg, and the
 * body. -1 if it is not a reply.
 */
int kipsec_ctl_resp_decode(const char *resp, size_t len, bool *ok, char *msg,
			   size_t msglen, const char **body, size_t *bodylen);

/*
 * Connect to @path, send @req and read the reply into *resp (malloc'd,
 * NUL-terminated, *len bytes). -1 with a message in @err.
 */
int kipsec_ctl_transact(const char *path, const char *req, char **resp,
			size_t *len, char *err, size_t errlen);

#endif
