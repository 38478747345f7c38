// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the control socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

struct client {
	struct kipsecd_control *c;
	int fd;
	char in[KIPSEC_CTL_REQ_MAX + 1];
	size_t n_in;
	char *out;
	size_t n_out, sent;
	struct loop_timer *timeout;
	struct client *next;
};

struct kipsecd_control {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;		/* of the socket file we made, to remove only it */
	ino_t ino;
	control_handler handler;
	void *arg;
	struct client *clients;
};

const char *control_path(const struct kipsecd_control *c)
{
	return c->path;
}

static void client_free(struct client *cl)
{
	struct client **pp;

	for (pp = &cl->c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	loop_del_fd(cl->c->loop, cl->fd);
	close(cl->fd);
	loop_timer_cancel(cl->c->loop, cl->timeout);
	free(cl->out);
	free(cl);
}

static void on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct client *cl = arg;

	(void)l;
	(void)t;
	log_debug(NULL, "control: dropped a client that was too slow");
	client_free(cl);
}

static void client_write(struct client *cl)
{
	while (cl->sent < cl->n_out) {
		ssize_t r = send(cl->fd, cl->out + cl->sent, cl->n_out - cl->sent,
				 MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;		/* EPOLLOUT brings us back */
		if (r < 0) {
			log_debug(NULL, "control: client went away: %s", strerror(errno));
			client_free(cl);
			return;
		}
		cl->sent += (size_t)r;
	}
	client_free(cl);
}

static void client_answer(struct client *cl)
{
	struct kipsec_ctl_req r;
	char err[512], status[600];
	char *body = NULL;
	size_t n_body = 0;
	FILE *f;
	int ret;

	cl->in[cl->n_in] = '\0';
	f = open_memstream(&body, &n_body);
	if (!f) {
		client_free(cl);
		return;
	}
	ret = kipsec_ctl_req_decode(cl->in, &r, err, sizeof(err));
	if (!ret)
		ret = cl->c->handler(&r, f, err, sizeof(err), cl->c->arg);
	fclose(f);
	kipsec_ctl_resp_status(ret == 0, err, status, sizeof(status));
	cl->n_out = strlen(status) + n_body;
	cl->out = malloc(cl->n_out);
	if (!cl->out) {
		free(body);
		client_free(cl);
		return;
	}
	memcpy(cl->out, status, strlen(status));
	memcpy(cl->out + strlen(status), body, n_body);
	free(body);
	loop_mod_fd(cl->c->loop, cl->fd, EPOLLOUT);
	client_write(cl);
}

static void on_client(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct client *cl = arg;
	ssize_t r;

	(void)l;
	if (cl->out) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_write(cl);
		return;
	}
	for (;;) {
		char *nl;

		if (cl->n_in == KIPSEC_CTL_REQ_MAX) {
			/* Too long: answer with the error it earns. */
			client_answer(cl);
			return;
		}
		r = read(fd, cl->in + cl->n_in, KIPSEC_CTL_REQ_MAX - cl->n_in);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0) {
			client_free(cl);
			return;
		}
		if (r == 0) {
			if (cl->n_in == 0)
				client_free(cl);	/* a probe: connect, close */
			else
				client_answer(cl);
			return;
		}
		cl->n_in += (size_t)r;
		cl->in[cl->n_in] = '\0';
		nl = memchr(cl->in, '\n', cl->n_in);
		if (nl) {
			if ((size_t)(nl - cl->in) + 1 == cl->n_in) {
				client_answer(cl);
				return;
			}
			/* More after the line: one request per connection. */
			client_answer(cl);
			return;
		}
	}
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct kipsecd_control *c = arg;
	struct client *cl;
	int cfd;

	(void)events;
	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn(NULL, "control: accept: %s", strerror(errno));
			return;
		}
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			close(cfd);
			continue;
		}
		cl->c = c;
		cl->fd = cfd;
		cl->timeout = loop_timer_add(l, CONTROL_TIMEOUT_MS, 0, on_timeout, cl);
		if (!cl->timeout || loop_add_fd(l, cfd, EPOLLIN, on_client, cl)) {
			loop_timer_cancel(l, cl->timeout);
			close(cfd);
			free(cl);
			continue;
		}
		cl->next = c->clients;
		c->clients = cl;
	}
}

/* 1: a daemon answers on @path; 0: nobody (stale file removed or none);
 * -1: error in @err. */
static int check_existing(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "control socket %s: the file exists and is not a socket; not touching it",
			 path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (!ret)
		return 1;
	if (errno != ECONNREFUSED) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	/* Nobody listens: left behind by a kipsecd that died. */
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "removing the stale control socket %s: %s",
			 path, strerror(errno));
		return -1;
	}
	log_info(NULL, "control: removed the stale socket %s", path);
	return 0;
}

int control_open(struct loop *l, const char *path, control_handler h,
		 void *arg, struct kipsecd_control **out, char *err,
		 size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct kipsecd_control *c;
	struct stat st;
	mode_t old;
	int ret;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return -1;
	}
	ret = check_existing(path, err, errlen);
	if (ret < 0)
		return -1;
	if (ret > 0) {
		snprintf(err, errlen,
			 "another kipsecd is running: it answers on %s", path);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->loop = l;
	c->handler = h;
	c->arg = arg;
	snprintf(c->path, sizeof(c->path), "%s", path);
	strcpy(sun.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		free(c);
		return -1;
	}
	/* Never a moment with the socket open to others. */
	old = umask(0177);
	ret = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret || chmod(path, 0600) || listen(c->fd, 16) ||
	    stat(path, &st)) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (!ret)
			unlink(path);
		close(c->fd);
		free(c);
		return -1;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	ret = loop_add_fd(l, c->fd, EPOLLIN, on_accept, c);
	if (ret) {
		snprintf(err, errlen, "control socket: %s", strerror(-ret));
		unlink(path);
		close(c->fd);
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void control_close(struct kipsecd_control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	loop_del_fd(c->loop, c->fd);
	close(c->fd);
	/* Only our own socket: a newer kipsecd may have replaced it. */
	if (!stat(c->path, &st) && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}
