// SPDX-License-Identifier: GPL-2.0
/*
 * ike_peer: the IKEv1 engine on a real UDP socket, for interoperability
 * runs against another IKE implementation (tests/interop/strongswan.sh).
 * Not the daemon: SPIs are made up and "installing" an SA prints its keys,
 * so they can be compared with what the other side installed.
 *
 *   ike_peer CONFIG TUNNEL LOCAL_PORT PEER_PORT SECONDS [up] [rekey] [down]
 *
 * Lines on stdout: "INSTALL in|out esp|ah SPI enc=HEX auth=HEX aead=HEX",
 * "DELETE in|out SPI"; the engine's log goes to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../userland/kipsecd/engine.h"

#define MAX_TIMERS 128

static struct {
	ike_timer_id id;
	uint64_t at;
	bool armed;
} timers[MAX_TIMERS];

static int sock;
static uint16_t peer_port;
static uint32_t next_spi;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return now();
}

static socklen_t sockaddr_of(const struct kipsec_nl_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		s->sin_addr = a->ip4;
		return sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		s->sin6_addr = a->ip6;
		return sizeof(*s);
	}
}

static int env_send(void *ctx, const struct kipsecd_tunnel *t, const uint8_t *buf,
		    size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(&t->remote, peer_port, &ss);

	(void)ctx;
	return sendto(sock, buf, len, 0, (struct sockaddr *)&ss, sl) == (ssize_t)len ? 0 : -1;
}

static void env_timer_set(void *ctx, ike_timer_id id, uint64_t ms)
{
	int f = -1;

	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++) {
		if (timers[i].armed && timers[i].id == id) {
			timers[i].at = now() + ms;
			return;
		}
		if (!timers[i].armed && f < 0)
			f = i;
	}
	if (f < 0) {
		fprintf(stderr, "out of timers\n");
		exit(2);
	}
	timers[f].id = id;
	timers[f].at = now() + ms;
	timers[f].armed = true;
}

static void env_timer_cancel(void *ctx, ike_timer_id id)
{
	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].armed && timers[i].id == id)
			timers[i].armed = false;
}

static int env_spi_alloc(void *ctx, const struct kipsecd_tunnel *t, uint8_t proto,
			 uint32_t *spi)
{
	(void)ctx;
	(void)t;
	(void)proto;
	*spi = next_spi++;
	return 0;
}

static void hex(const char *name, const uint8_t *p, size_t n)
{
	printf(" %s=", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void print_sa(const struct ike_child_sa *sa)
{
	printf("INSTALL %s %s %08x", sa->info.dir == KIPSEC_DIR_IN ? "in" : "out",
	       sa->info.proto == IPPROTO_AH ? "ah" : "esp", sa->info.spi);
	hex("enc", sa->keys.enc, sa->keys.enc_len);
	hex("auth", sa->keys.auth, sa->keys.auth_len);
	hex("aead", sa->keys.aead, sa->keys.aead_len);
	printf(" life=%u\n", sa->life_seconds);
	fflush(stdout);
}

static int env_sa_install(void *ctx, const struct kipsecd_tunnel *t,
			  const struct ike_child_sa *in, const struct ike_child_sa *out)
{
	(void)ctx;
	(void)t;
	print_sa(in);
	print_sa(out);
	return 0;
}

static int env_sa_delete(void *ctx, const struct kipsecd_tunnel *t, uint8_t dir,
			 uint8_t proto, uint32_t spi)
{
	(void)ctx;
	(void)t;
	(void)proto;
	printf("DELETE %s %08x\n", dir == KIPSEC_DIR_IN ? "in" : "out", spi);
	fflush(stdout);
	return 0;
}

static void env_log(void *ctx, const struct kipsecd_tunnel *t,
		    enum kipsecd_log_level level, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s: <%d> %s\n", t ? t->name : "-", level, line);
}

int main(int argc, char **argv)
{
	struct kipsecd_config *cfg;
	const struct kipsecd_tunnel *t;
	struct ike_engine *e;
	struct sockaddr_storage ss;
	socklen_t sl;
	uint64_t end;
	char err[512];
	bool rekeyed = false, downed = false;
	struct ike_env env = {
		.send = env_send, .now_ms = env_now, .timer_set = env_timer_set,
		.timer_cancel = env_timer_cancel, .spi_alloc = env_spi_alloc,
		.sa_install = env_sa_install, .sa_delete = env_sa_delete, .log = env_log,
	};

	if (argc < 6) {
		fprintf(stderr, "usage: %s CONFIG TUNNEL LOCAL_PORT PEER_PORT SECONDS "
			"[up] [rekey] [down]\n", argv[0]);
		return 2;
	}
	if (kipsecd_config_load(argv[1], &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t = kipsecd_config_tunnel(cfg, argv[2]);
	if (!t) {
		fprintf(stderr, "no tunnel %s\n", argv[2]);
		return 1;
	}
	peer_port = (uint16_t)atoi(argv[4]);
	next_spi = 0xc1000000u | ((uint32_t)getpid() & 0xffff) << 4;
	sock = socket(t->local.family, SOCK_DGRAM, 0);
	sl = sockaddr_of(&t->local, (uint16_t)atoi(argv[3]), &ss);
	if (sock < 0 || bind(sock, (struct sockaddr *)&ss, sl)) {
		perror("socket/bind");
		return 1;
	}
	e = ike_engine_new(&env);
	ike_engine_add_tunnel(e, t);
	for (int i = 6; i < argc; i++)
		if (!strcmp(argv[i], "up"))
			ike_engine_up(e, t);
	end = now() + (uint64_t)atoi(argv[5]) * 1000;
	while (now() < end) {
		uint64_t next = end;
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int due = -1;

		for (int i = 0; i < MAX_TIMERS; i++)
			if (timers[i].armed && timers[i].at < next) {
				next = timers[i].at;
				due = i;
			}
		if (next > now() + 200)
			next = now() + 200;	/* look at the clock for rekey/down */
		if (poll(&pfd, 1, next > now() ? (int)(next - now()) : 0) > 0) {
			uint8_t buf[65536];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(sock, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &fl);
			struct kipsec_nl_addr fa = { 0 };
			uint16_t fport;

			if (n < 0)
				continue;
			if (from.ss_family == AF_INET) {
				fa.family = AF_INET;
				fa.ip4 = ((struct sockaddr_in *)&from)->sin_addr;
				fport = ntohs(((struct sockaddr_in *)&from)->sin_port);
			} else {
				fa.family = AF_INET6;
				fa.ip6 = ((struct sockaddr_in6 *)&from)->sin6_addr;
				fport = ntohs(((struct sockaddr_in6 *)&from)->sin6_port);
			}
			ike_engine_input(e, &fa, fport, buf, (size_t)n);
			continue;
		}
		if (due >= 0 && timers[due].at <= now()) {
			timers[due].armed = false;
			ike_engine_timer(e, timers[due].id);
		}
		/* half time: the optional rekey; three quarters: the optional down */
		for (int i = 6; i < argc; i++) {
			if (!strcmp(argv[i], "rekey") && !rekeyed &&
			    end - now() < (uint64_t)atoi(argv[5]) * 500) {
				rekeyed = true;
				ike_engine_rekey_child(e, t, 0);
			}
			if (!strcmp(argv[i], "down") && !downed &&
			    end - now() < (uint64_t)atoi(argv[5]) * 250) {
				downed = true;
				ike_engine_down(e, t);
			}
		}
	}
	ike_engine_free(e);
	kipsecd_config_free(cfg);
	return 0;
}
