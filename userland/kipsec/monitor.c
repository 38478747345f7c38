// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec monitor: print the module's events (EXPIRE, SEQ_OVERFLOW,
 * ACQUIRE) of this network namespace as they come, one line each, with a
 * local ISO 8601 timestamp to the millisecond; -j prints one JSON object
 * a line. The printers are apart from the loop so that unit tests drive
 * them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kipsec.h"
#include "../lib/json.h"

const char *monitor_time_str(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char base[32];

	if (!localtime_r(&ts->tv_sec, &tm) ||
	    !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(base, sizeof(base), "%lld", (long long)ts->tv_sec);
	snprintf(buf, len, "%s.%03ld", base, ts->tv_nsec / 1000000);
	return buf;
}

static const char *event_name(const struct kipsec_event *ev)
{
	switch (ev->cmd) {
	case KIPSEC_CMD_EXPIRE:
		return "expire";
	case KIPSEC_CMD_SEQ_OVERFLOW:
		return "seq-overflow";
	case KIPSEC_CMD_ACQUIRE:
		return "acquire";
	}
	return "unknown";
}

static const char *dir_word(uint8_t dir)
{
	return dir == KIPSEC_DIR_IN ? "in" : dir == KIPSEC_DIR_OUT ? "out" : "?";
}

static const char *proto_word(uint8_t proto)
{
	return proto == IPPROTO_ESP ? "esp" : proto == IPPROTO_AH ? "ah" : "?";
}

/* The packet's address of an ACQUIRE: a host prefix, printed bare. */
static const char *host_str(const struct kipsec_nl_prefix *p, char *buf,
			    size_t len)
{
	const char *s = kipsec_nl_addr_str(&p->addr, buf, len);

	return s ? s : "any";
}

void monitor_print_text(FILE *out, const struct timespec *ts,
			const struct kipsec_event *ev)
{
	const struct kipsec_sa_info *sa = &ev->sa;
	char t[48], b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	fprintf(out, "%s %s", monitor_time_str(ts, t, sizeof(t)),
		event_name(ev));
	switch (ev->cmd) {
	case KIPSEC_CMD_EXPIRE:
		fprintf(out, " %s %s %s spi 0x%x %s limit %s\n",
			ev->hard ? "hard" : "soft", sa->ifname,
			dir_word(sa->dir), sa->spi, proto_word(sa->proto),
			kipsec_nl_limit_name(ev->limit));
		break;
	case KIPSEC_CMD_SEQ_OVERFLOW:
		fprintf(out, " %s %s spi 0x%x %s seq %llu\n", sa->ifname,
			dir_word(sa->dir), sa->spi, proto_word(sa->proto),
			(unsigned long long)sa->seq);
		break;
	case KIPSEC_CMD_ACQUIRE: {
		const struct kipsec_proxy_id *p = &sa->pid;
		const char *pname = kipsec_ip_proto_name(p->proto);

		fprintf(out, " %s %s -> %s", sa->ifname,
			host_str(&p->local, b1, sizeof(b1)),
			host_str(&p->remote, b2, sizeof(b2)));
		if (pname)
			fprintf(out, " proto %s", pname);
		else
			fprintf(out, " proto %u", p->proto);
		if (p->lport_min == p->lport_max)
			fprintf(out, " lport %u", p->lport_min);
		if (p->rport_min == p->rport_max)
			fprintf(out, " rport %u", p->rport_min);
		fputc('\n', out);
		break;
	}
	default:
		fputc('\n', out);
	}
}

static void json_port(struct json *j, const char *key, uint16_t min,
		      uint16_t max)
{
	json_key(j, key);
	if (min == max)
		json_u64(j, min);
	else
		json_null(j);
}

void monitor_print_json(FILE *out, const struct timespec *ts,
			const struct kipsec_event *ev)
{
	const struct kipsec_proxy_id *p = &ev->sa.pid;
	char t[48], b[INET6_ADDRSTRLEN];
	struct json j;

	json_init(&j, out);
	json_begin_object(&j);
	json_key(&j, "time");
	json_string(&j, monitor_time_str(ts, t, sizeof(t)));
	json_key(&j, "event");
	json_string(&j, event_name(ev));
	switch (ev->cmd) {
	case KIPSEC_CMD_EXPIRE:
		json_key(&j, "hard");
		json_bool(&j, ev->hard);
		json_key(&j, "limit");
		json_string(&j, kipsec_nl_limit_name(ev->limit));
		/* fall through */
	case KIPSEC_CMD_SEQ_OVERFLOW:
		json_key(&j, "sa");
		sa_print_json(&j, &ev->sa, ev->sa.has_stats);
		break;
	case KIPSEC_CMD_ACQUIRE:
		json_key(&j, "ifname");
		json_string(&j, ev->sa.ifname);
		json_key(&j, "ifindex");
		json_u64(&j, ev->sa.ifindex);
		json_key(&j, "local");
		json_string(&j, host_str(&p->local, b, sizeof(b)));
		json_key(&j, "remote");
		json_string(&j, host_str(&p->remote, b, sizeof(b)));
		json_key(&j, "proto");
		json_u64(&j, p->proto);
		json_port(&j, "lport", p->lport_min, p->lport_max);
		json_port(&j, "rport", p->rport_min, p->rport_max);
		break;
	}
	/* The outermost object ends its line. */
	json_end_object(&j);
}

struct monitor_ctx {
	const struct kipsec_opts *o;
};

static int on_event(const struct kipsec_event *ev, void *arg)
{
	struct monitor_ctx *c = arg;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (c->o->json)
		monitor_print_json(stdout, &ts, ev);
	else
		monitor_print_text(stdout, &ts, ev);
	/* One line at a time for whoever reads a pipe or a file. */
	if (fflush(stdout) == EOF)
		return -errno ?: -EIO;
	return 0;
}

static void on_lost(void *arg)
{
	(void)arg;
	cli_error("monitor: events were lost (the receive buffer ran over)");
}

int monitor_main(int argc, char **argv, const struct kipsec_opts *o)
{
	struct monitor_ctx c = { .o = o };
	struct kipsec_nl_error e;
	struct kipsec_nl *nl;
	char err[256];
	int ret;

	if (argc > 0) {
		snprintf(err, sizeof(err), "monitor: unexpected \"%s\"", argv[0]);
		return cli_usage_error(err);
	}
	if (kipsec_nl_monitor_open(&nl, &e))
		return cli_nl_error("monitor", &e);
	ret = kipsec_nl_monitor(nl, on_event, on_lost, &c, &e);
	kipsec_nl_close(nl);
	if (ret && e.err)
		return cli_nl_error("monitor", &e);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
