// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol between kipsec(8) and kipsecd(8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

static const char *const verbs[] = {
	[KIPSEC_CTL_UP] = "up",
	[KIPSEC_CTL_DOWN] = "down",
	[KIPSEC_CTL_STATUS] = "status",
	[KIPSEC_CTL_RELOAD] = "reload",
};

bool kipsec_ctl_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > KIPSEC_CTL_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") == n;
}

static bool needs_name(enum kipsec_ctl_verb v)
{
	return v == KIPSEC_CTL_UP || v == KIPSEC_CTL_DOWN;
}

static bool takes_name(enum kipsec_ctl_verb v)
{
	return v != KIPSEC_CTL_RELOAD;
}

int kipsec_ctl_req_encode(const struct kipsec_ctl_req *r, char *buf,
			  size_t len)
{
	const char *verb;
	int n;

	if ((unsigned int)r->verb > KIPSEC_CTL_RELOAD)
		return -1;
	if (r->name[0] ? !takes_name(r->verb) || !kipsec_ctl_name_ok(r->name) :
			 needs_name(r->verb))
		return -1;
	if (r->json && r->verb != KIPSEC_CTL_STATUS)
		return -1;
	verb = r->json ? "status-json" : verbs[r->verb];
	n = snprintf(buf, len, "%s%s%s\n", verb, r->name[0] ? " " : "", r->name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kipsec_ctl_req_decode(const char *line, struct kipsec_ctl_req *r,
			  char *err, size_t errlen)
{
	char buf[KIPSEC_CTL_REQ_MAX + 1];
	char *name, *nl;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (strlen(line) > KIPSEC_CTL_REQ_MAX) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	nl = strchr(buf, '\n');
	if (nl) {
		if (nl[1]) {
			snprintf(err, errlen, "one request per connection");
			return -1;
		}
		*nl = '\0';
	}
	name = strchr(buf, ' ');
	if (name)
		*name++ = '\0';
	if (!strcmp(buf, "status-json")) {
		r->verb = KIPSEC_CTL_STATUS;
		r->json = true;
	} else {
		for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			if (!strcmp(buf, verbs[i]))
				break;
		if (i == sizeof(verbs) / sizeof(verbs[0])) {
			snprintf(err, errlen,
				 "unknown request \"%.32s\" (up, down, status, status-json, reload)",
				 buf);
			return -1;
		}
		r->verb = (enum kipsec_ctl_verb)i;
	}
	if (name) {
		if (!takes_name(r->verb)) {
			snprintf(err, errlen, "%s takes no tunnel name", buf);
			return -1;
		}
		if (!kipsec_ctl_name_ok(name)) {
			snprintf(err, errlen,
				 "\"%.64s\" is not a tunnel name (1 to 63 letters, digits, '.', '-', '_')",
				 name);
			return -1;
		}
		snprintf(r->name, sizeof(r->name), "%s", name);
	} else if (needs_name(r->verb)) {
		snprintf(err, errlen, "%s needs a tunnel name", buf);
		return -1;
	}
	return 0;
}

void kipsec_ctl_resp_status(bool ok, const char *msg, char *buf, size_t len)
{
	char *p;

	if (ok) {
		snprintf(buf, len, "ok\n");
		return;
	}
	snprintf(buf, len, "error %s", msg && *msg ? msg : "failed");
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (strlen(buf) + 1 < len)
		strcat(buf, "\n");
	else
		buf[len - 2] = '\n';
}

int kipsec_ctl_resp_decode(const char *resp, size_t len, bool *ok, char *msg,
			   size_t msglen, const char **body, size_t *bodylen)
{
	const char *nl = memchr(resp, '\n', len);
	size_t n;

	if (!nl)
		return -1;
	n = (size_t)(nl - resp);
	*body = nl + 1;
	*bodylen = len - n - 1;
	if (n == 2 && !memcmp(resp, "ok", 2)) {
		*ok = true;
		if (msglen)
			msg[0] = '\0';
		return 0;
	}
	if (n > 6 && !memcmp(resp, "error ", 6)) {
		*ok = false;
		snprintf(msg, msglen, "%.*s", (int)(n - 6), resp + 6);
		return 0;
	}
	return -1;
}

int kipsec_ctl_transact(const char *path, const char *req, char **resp,
			size_t *len, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t cap = 4096, n = 0, reqlen = strlen(req);
	char *buf = NULL;
	ssize_t r;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a unix socket", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		snprintf(err, errlen, "cannot reach kipsecd at %s: %s%s", path,
			 strerror(e),
			 e == ENOENT || e == ECONNREFUSED ? " (is kipsecd running?)" :
			 e == EACCES ? " (the socket is for root only)" : "");
		close(fd);
		return -1;
	}
	while (n < reqlen) {
		r = write(fd, req + n, reqlen - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "sending to kipsecd: %s", strerror(errno));
			close(fd);
			return -1;
		}
		n += (size_t)r;
	}
	shutdown(fd, SHUT_WR);
	n = 0;
	buf = malloc(cap);
	for (;;) {
		if (!buf) {
			snprintf(err, errlen, "out of memory");
			close(fd);
			return -1;
		}
		if (n + 1 == cap) {
			char *b;

			if (cap >= KIPSEC_CTL_RESP_MAX) {
				snprintf(err, errlen, "kipsecd's reply is too long");
				goto fail;
			}
			b = realloc(buf, cap * 2);
			if (!b)
				free(buf);
			buf = b;
			cap *= 2;
			continue;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "reading from kipsecd: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*resp = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}
