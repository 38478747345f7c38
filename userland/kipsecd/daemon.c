// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the daemon's state: configuration, tunnel table, kernel
 * connection, control requests, reload and shutdown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/json.h"
#include "daemon.h"
#include "ike_hooks.h"
#include "log.h"

#ifndef KIPSEC_VERSION
#define KIPSEC_VERSION "unknown"
#endif

static const char *const tstate_names[] = {
	[KIPSECD_TS_IDLE] = "idle",
	[KIPSECD_TS_DOWN] = "down",
	[KIPSECD_TS_CONNECTING] = "connecting",
	[KIPSECD_TS_UP] = "up",
};

const char *kipsecd_tstate_name(enum kipsecd_tstate s)
{
	return (unsigned int)s <= KIPSECD_TS_UP ? tstate_names[s] : "?";
}

static const char *tname(const struct kipsecd_tunnel_state *ts)
{
	return ts->cfg->name;
}

static void set_state(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		      enum kipsecd_tstate s)
{
	if (ts->state == s)
		return;
	ts->state = s;
	ts->since = loop_now_ms(d->loop);
}

/* The tunnel table */

static int alloc_p2(struct kipsecd_tunnel_state *ts)
{
	size_t i;

	free(ts->p2);
	ts->n_p2 = ts->cfg->n_proxy_ids;
	ts->p2 = calloc(ts->n_p2 ? ts->n_p2 : 1, sizeof(*ts->p2));
	if (!ts->p2)
		return -1;
	for (i = 0; i < ts->n_p2; i++)
		ts->p2[i].proposal = -1;
	return 0;
}

static struct kipsecd_tunnel_state *tunnel_new(struct kipsecd *d,
					       const struct kipsecd_tunnel *t)
{
	struct kipsecd_tunnel_state *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return NULL;
	ts->cfg = t;
	ts->p1.proposal = -1;
	ts->since = loop_now_ms(d->loop);
	if (alloc_p2(ts)) {
		free(ts);
		return NULL;
	}
	return ts;
}

static void tunnel_free(struct kipsecd *d, struct kipsecd_tunnel_state *ts)
{
	kipsecd_ike_tunnel_free(d, ts);
	free(ts->p2);
	free(ts);
}

struct kipsecd_tunnel_state *kipsecd_tunnel_find(struct kipsecd *d,
						 const char *name)
{
	size_t i;

	for (i = 0; i < d->n_tunnels; i++)
		if (d->tunnels[i] && !strcmp(tname(d->tunnels[i]), name))
			return d->tunnels[i];
	return NULL;
}

/* The hooks, with their logging and counting in one place */

static int call_up(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		   const struct kipsec_proxy_id *trigger, const char *why,
		   char *err, size_t errlen)
{
	ts->counters.up_requests++;
	log_info(tname(ts), "up (%s)", why);
	if (kipsecd_ike_up(d, ts, trigger, err, errlen)) {
		snprintf(ts->last_error, sizeof(ts->last_error), "up: %s", err);
		log_warn(tname(ts), "up (%s) failed: %s", why, err);
		return -1;
	}
	return 0;
}

static int call_down(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
		     const char *why, char *err, size_t errlen)
{
	ts->counters.down_requests++;
	log_info(tname(ts), "down (%s)", why);
	if (kipsecd_ike_down(d, ts, why, err, errlen)) {
		snprintf(ts->last_error, sizeof(ts->last_error), "down: %s", err);
		log_warn(tname(ts), "down (%s) failed: %s", why, err);
		return -1;
	}
	return 0;
}

/* The tunnel's outer addresses into the module, if it is there. */
static void tunnel_kernel_setup(struct kipsecd *d,
				struct kipsecd_tunnel_state *ts)
{
	struct kipsec_nl_error e;
	char buf[300];

	ts->kernel_set = false;
	if (!kipsecd_kernel_is_open(d->kernel)) {
		snprintf(ts->kernel_error, sizeof(ts->kernel_error),
			 "no kernel module");
		return;
	}
	if (kipsecd_kernel_tunnel_set(d->kernel, ts->cfg->ifname, &ts->cfg->local,
				      &ts->cfg->remote, &e)) {
		kipsec_nl_strerror(&e, buf, sizeof(buf));
		snprintf(ts->kernel_error, sizeof(ts->kernel_error),
			 "setting the outer addresses of %s: %s", ts->cfg->ifname,
			 buf);
		log_err(tname(ts), "%s", ts->kernel_error);
		return;
	}
	ts->kernel_set = true;
	ts->kernel_error[0] = '\0';
	log_debug(tname(ts), "outer addresses of %s set", ts->cfg->ifname);
}

/* As its start= says. */
static void tunnel_start(struct kipsecd *d, struct kipsecd_tunnel_state *ts,
			 const char *why)
{
	char err[256];

	set_state(d, ts, KIPSECD_TS_IDLE);
	if (ts->cfg->start == KIPSECD_START_IMMEDIATELY)
		call_up(d, ts, NULL, why, err, sizeof(err));
}

/* The kernel */

static struct kipsecd_tunnel_state *tunnel_by_ifname(struct kipsecd *d,
						     const char *ifname)
{
	size_t i;

	for (i = 0; i < d->n_tunnels; i++)
		if (!strcmp(d->tunnels[i]->cfg->ifname, ifname))
			return d->tunnels[i];
	return NULL;
}

static void on_kernel_event(const struct kipsecd_kernel_event *ev, void *arg)
{
	struct kipsecd *d = arg;
	struct kipsecd_tunnel_state *ts = tunnel_by_ifname(d, ev->ifname);
	char err[256];

	if (!ts) {
		log_debug(NULL, "kernel: %s on %s, which no tunnel of ours uses",
			  kipsecd_kernel_event_name(ev->cmd), ev->ifname);
		return;
	}
	switch (ev->cmd) {
	case KIPSEC_CMD_ACQUIRE:
		ts->counters.acquires++;
		if (kipsecd_proxy_id_match(ts->cfg, &ev->pid) < 0) {
			/* e.g. IPv6 link-local chatter on the device */
			struct kipsecd_proxy_id sel = { .pid = ev->pid };
			char buf[256];

			log_debug(tname(ts), "acquire for %s ignored: no proxy-id contains it",
				  kipsecd_proxy_id_str(&sel, buf, sizeof(buf)));
			return;
		}
		/* Idle, or up with other proxy IDs: each has its own ACQUIRE. */
		if (ts->cfg->start == KIPSECD_START_ON_TRAFFIC &&
		    ts->state != KIPSECD_TS_DOWN)
			call_up(d, ts, &ev->pid, "traffic", err, sizeof(err));
		else
			log_debug(tname(ts), "acquire ignored: tunnel %s, start %s",
				  kipsecd_tstate_name(ts->state),
				  kipsecd_start_name(ts->cfg->start));
		return;
	case KIPSEC_CMD_EXPIRE:
		if (ev->hard)
			ts->counters.expires_hard++;
		else
			ts->counters.expires_soft++;
		log_info(tname(ts), "SA 0x%08x %s: %s lifetime reached",
			 ev->spi, ev->dir == KIPSEC_DIR_IN ? "in" : "out",
			 ev->hard ? "hard" : "soft");
		break;
	case KIPSEC_CMD_SEQ_OVERFLOW:
		ts->counters.seq_overflows++;
		log_notice(tname(ts), "SA 0x%08x out: sequence numbers used up",
			   ev->spi);
		break;
	}
	kipsecd_ike_sa_event(d, ts, ev);
}

static int count_sa(const struct kipsec_sa_info *sa, void *arg)
{
	(void)sa;
	(*(uint64_t *)arg)++;
	return 0;
}

static void on_kernel_resync(void *arg)
{
	struct kipsecd *d = arg;
	struct kipsec_nl_error e;
	char buf[300];
	size_t i;

	for (i = 0; i < d->n_tunnels; i++) {
		struct kipsecd_tunnel_state *ts = d->tunnels[i];
		uint64_t n = 0;

		if (kipsecd_kernel_sa_dump(d->kernel, ts->cfg->ifname, count_sa, &n, &e))
			log_warn(tname(ts), "reading the SAs of %s: %s", ts->cfg->ifname,
				 kipsec_nl_strerror(&e, buf, sizeof(buf)));
		else
			ts->kernel_sas = n;
		kipsecd_ike_resync(d, ts);
	}
}

/*
 * SAs on the tunnel's interface before we installed any were left by a
 * kipsecd that died: kipsecd is the interface's keyer, and the peer drops
 * its side of them on our INITIAL-CONTACT, so they go.
 */
static void tunnel_kernel_clean(struct kipsecd *d,
				struct kipsecd_tunnel_state *ts)
{
	struct kipsec_nl_error e;
	uint64_t n = 0;
	char buf[300];

	if (!ts->kernel_set ||
	    kipsecd_kernel_sa_dump(d->kernel, ts->cfg->ifname, count_sa, &n, &e) || !n)
		return;
	if (kipsecd_kernel_flush(d->kernel, ts->cfg->ifname, &e)) {
		log_warn(tname(ts), "kernel: removing %" PRIu64 " SA%s left on %s: %s", n,
			 n == 1 ? "" : "s", ts->cfg->ifname,
			 kipsec_nl_strerror(&e, buf, sizeof(buf)));
		return;
	}
	log_notice(tname(ts), "kernel: removed %" PRIu64 " SA%s left on %s by an earlier run",
		   n, n == 1 ? "" : "s", ts->cfg->ifname);
}

static void kernel_try_open(struct kipsecd *d)
{
	struct kipsec_nl_error e;
	char buf[300];
	size_t i;

	if (!d->use_kernel || kipsecd_kernel_is_open(d->kernel))
		return;
	if (kipsecd_kernel_open(d->kernel, &e)) {
		kipsec_nl_strerror(&e, buf, sizeof(buf));
		/* Say it once, not every retry. */
		if (strcmp(buf, d->kernel_error))
			log_err(NULL, "kernel: %s; trying again every %d s", buf,
				KIPSECD_KERNEL_RETRY_MS / 1000);
		snprintf(d->kernel_error, sizeof(d->kernel_error), "%s", buf);
		return;
	}
	d->kernel_error[0] = '\0';
	log_notice(NULL, "kernel: connected to the kipsec module");
	for (i = 0; i < d->n_tunnels; i++) {
		tunnel_kernel_setup(d, d->tunnels[i]);
		tunnel_kernel_clean(d, d->tunnels[i]);
	}
	on_kernel_resync(d);
	/* The module came after us: start = immediately can start now. */
	for (i = 0; d->ike && i < d->n_tunnels; i++) {
		struct kipsecd_tunnel_state *ts = d->tunnels[i];
		char err[256];

		if (ts->cfg->start == KIPSECD_START_IMMEDIATELY &&
		    ts->state == KIPSECD_TS_IDLE)
			call_up(d, ts, NULL, "kernel module connected", err, sizeof(err));
	}
}

static void on_kernel_retry(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	kernel_try_open(arg);
}

/* Start and stop */

static void apply_global(struct kipsecd *d, const struct kipsecd_global *g)
{
	if (d->debug)
		log_setup(KIPSECD_LOG_STDERR, KIPSECD_LOG_DEBUG);
	else
		log_setup(g->log_target, g->log_level);
}

int kipsecd_init(struct kipsecd *d, struct loop *l, const char *config_path,
		 bool use_kernel, bool debug, char *err, size_t errlen)
{
	static const struct kipsecd_kernel_ops ops = {
		.event = on_kernel_event,
		.resync = on_kernel_resync,
	};
	size_t i;

	memset(d, 0, sizeof(*d));
	d->loop = l;
	d->use_kernel = use_kernel;
	d->debug = debug;
	d->started = loop_now_ms(l);
	if (kipsecd_config_load(config_path, &d->config, err, errlen))
		return -1;
	/* Reload must find it after daemon() went to "/". */
	d->config_path = realpath(config_path, NULL);
	if (!d->config_path) {
		snprintf(err, errlen, "%s: %s", config_path, strerror(errno));
		return -1;
	}
	/* Before anything is started: another kipsecd may be running. */
	if (control_open(d->loop, d->config->global.control_socket,
			 kipsecd_handle, d, &d->control, err, errlen))
		return -1;
	apply_global(d, &d->config->global);
	d->kernel = kipsecd_kernel_new(l, &ops, d);
	d->tunnels = calloc(d->config->n_tunnels + 1, sizeof(*d->tunnels));
	if (!d->kernel || !d->tunnels) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < d->config->n_tunnels; i++) {
		d->tunnels[i] = tunnel_new(d, &d->config->tunnels[i]);
		if (!d->tunnels[i]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->n_tunnels++;
	}
	if (use_kernel) {
		kernel_try_open(d);
		d->kernel_retry = loop_timer_add(l, KIPSECD_KERNEL_RETRY_MS,
						 KIPSECD_KERNEL_RETRY_MS,
						 on_kernel_retry, d);
	} else {
		snprintf(d->kernel_error, sizeof(d->kernel_error),
			 "not used (--no-kernel)");
		log_notice(NULL, "kernel: not used (--no-kernel)");
	}
	for (i = 0; i < d->n_tunnels; i++) {
		tunnel_kernel_setup(d, d->tunnels[i]);
		tunnel_kernel_clean(d, d->tunnels[i]);
	}
	if (kipsecd_ike_start(d, err, errlen))
		return -1;
	log_notice(NULL, "kipsecd " KIPSEC_VERSION " started: %zu tunnel%s from %s, control socket %s",
		   d->n_tunnels, d->n_tunnels == 1 ? "" : "s", d->config_path,
		   control_path(d->control));
	for (i = 0; i < d->n_tunnels; i++)
		tunnel_start(d, d->tunnels[i], "start = immediately");
	return 0;
}

void kipsecd_shutdown(struct kipsecd *d)
{
	char err[256];
	size_t i;

	for (i = 0; i < d->n_tunnels; i++)
		call_down(d, d->tunnels[i], "shutdown", err, sizeof(err));
	kipsecd_ike_stop(d);
	control_close(d->control);
	d->control = NULL;
	for (i = 0; i < d->n_tunnels; i++)
		tunnel_free(d, d->tunnels[i]);
	free(d->tunnels);
	d->tunnels = NULL;
	d->n_tunnels = 0;
	loop_timer_cancel(d->loop, d->kernel_retry);
	kipsecd_kernel_free(d->kernel);
	kipsecd_config_free(d->config);
	free(d->config_path);
	memset(d, 0, sizeof(*d));
}

void kipsecd_fail(struct kipsecd *d)
{
	size_t i;

	control_close(d->control);
	for (i = 0; i < d->n_tunnels; i++)
		tunnel_free(d, d->tunnels[i]);
	free(d->tunnels);
	loop_timer_cancel(d->loop, d->kernel_retry);
	kipsecd_kernel_free(d->kernel);
	kipsecd_config_free(d->config);
	free(d->config_path);
	memset(d, 0, sizeof(*d));
}

/* Reload */

static void changed_words(unsigned int what, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *word;
	} words[] = {
		{ KIPSECD_CHANGED_PEER, "peer" },
		{ KIPSECD_CHANGED_IKE, "phase 1" },
		{ KIPSECD_CHANGED_IPSEC, "phase 2" },
		{ KIPSECD_CHANGED_START, "start" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (what & words[i].bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
					      n ? ", " : "", words[i].word);
}

int kipsecd_reload(struct kipsecd *d, FILE *out, char *err, size_t errlen)
{
	struct kipsecd_tunnel_state **table, *ts;
	struct kipsecd_config *nc;
	struct kipsecd_tunnel_diff *diff;
	size_t n, i, j, changes = 0;
	bool global_changed;
	char what[64], why[128], herr[256];

	if (kipsecd_config_load(d->config_path, &nc, err, errlen)) {
		log_err(NULL, "reload: %s; keeping the running configuration", err);
		return -1;
	}
	table = calloc(nc->n_tunnels + 1, sizeof(*table));
	if (!table || kipsecd_config_diff(d->config, nc, &diff, &n, &global_changed)) {
		free(table);
		kipsecd_config_free(nc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->reloads++;
	if (global_changed) {
		const struct kipsecd_global *o = &d->config->global, *g = &nc->global;

		apply_global(d, g);
		if (strcmp(o->control_socket, g->control_socket)) {
			log_warn(NULL, "reload: control-socket %s takes effect at the next start; still listening on %s",
				 g->control_socket, control_path(d->control));
			if (out)
				fprintf(out, "control-socket: takes effect at the next start\n");
		}
		if (o->ike_port != g->ike_port) {
			log_warn(NULL, "reload: ike-port %u takes effect at the next start",
				 g->ike_port);
			if (out)
				fprintf(out, "ike-port: takes effect at the next start\n");
		}
		changes++;
	}
	for (i = 0; i < n; i++) {
		const struct kipsecd_tunnel_diff *df = &diff[i];

		switch (df->change) {
		case KIPSECD_TUNNEL_REMOVED:
			ts = kipsecd_tunnel_find(d, df->name);
			if (!ts)
				break;
			call_down(d, ts, "reload: tunnel removed", herr, sizeof(herr));
			for (j = 0; j < d->n_tunnels; j++)
				if (d->tunnels[j] == ts)
					d->tunnels[j] = NULL;
			tunnel_free(d, ts);
			log_notice(NULL, "reload: tunnel %s removed", df->name);
			if (out)
				fprintf(out, "tunnel %s: removed\n", df->name);
			changes++;
			break;
		case KIPSECD_TUNNEL_CHANGED:
			ts = kipsecd_tunnel_find(d, df->name);
			if (!ts)
				break;
			changed_words(df->what, what, sizeof(what));
			snprintf(why, sizeof(why), "reload: %s changed", what);
			/* Down with the configuration its SAs were made with. */
			call_down(d, ts, why, herr, sizeof(herr));
			ts->cfg = df->new_t;
			kipsecd_ike_tunnel_config(d, ts, df->old_t, true);
			memset(&ts->p1, 0, sizeof(ts->p1));
			ts->p1.proposal = -1;
			if (alloc_p2(ts)) {
				log_err(tname(ts), "reload: out of memory");
				ts->n_p2 = 0;
			}
			if ((df->what & KIPSECD_CHANGED_PEER) || !ts->kernel_set)
				tunnel_kernel_setup(d, ts);
			log_notice(tname(ts), "reload: %s changed", what);
			if (out)
				fprintf(out, "tunnel %s: changed (%s)\n", df->name, what);
			tunnel_start(d, ts, "reload");
			changes++;
			break;
		case KIPSECD_TUNNEL_UNCHANGED:
			ts = kipsecd_tunnel_find(d, df->name);
			if (ts) {
				ts->cfg = df->new_t;
				kipsecd_ike_tunnel_config(d, ts, df->old_t, false);
			}
			break;
		case KIPSECD_TUNNEL_ADDED:
			break;	/* below, once the table is in the new order */
		}
	}
	/* The table in the new file's order; added tunnels are made here. */
	for (i = 0; i < nc->n_tunnels; i++) {
		const struct kipsecd_tunnel *t = &nc->tunnels[i];

		ts = NULL;
		for (j = 0; j < d->n_tunnels; j++) {
			if (d->tunnels[j] && d->tunnels[j]->cfg == t) {
				ts = d->tunnels[j];
				break;
			}
		}
		if (!ts) {
			ts = tunnel_new(d, t);
			if (!ts) {
				log_err(t->name, "reload: out of memory; tunnel left out");
				continue;
			}
			table[i] = ts;
			tunnel_kernel_setup(d, ts);
			tunnel_kernel_clean(d, ts);
			kipsecd_ike_tunnel_config(d, ts, NULL, true);
			log_notice(t->name, "reload: tunnel added");
			if (out)
				fprintf(out, "tunnel %s: added\n", t->name);
			tunnel_start(d, ts, "reload: start = immediately");
			changes++;
			continue;
		}
		table[i] = ts;
	}
	free(diff);
	free(d->tunnels);
	d->tunnels = table;
	/* Compact: a tunnel left out for want of memory leaves a hole. */
	for (i = j = 0; i < nc->n_tunnels; i++)
		if (table[i])
			table[j++] = table[i];
	d->n_tunnels = j;
	kipsecd_config_free(d->config);
	d->config = nc;
	if (!changes && out)
		fprintf(out, "no changes\n");
	log_notice(NULL, "reloaded %s: %zu change%s", d->config_path, changes,
		   changes == 1 ? "" : "s");
	return 0;
}

/* Status */

static const char *addr(const struct kipsec_nl_addr *a, char *buf, size_t len)
{
	const char *s = kipsec_nl_addr_str(a, buf, len);

	return s ? s : "-";
}

static uint64_t secs_left(struct kipsecd *d, uint64_t when)
{
	uint64_t now = loop_now_ms(d->loop);

	return when > now ? (when - now + 999) / 1000 : 0;
}

static void text_tunnel(struct kipsecd *d, const struct kipsecd_tunnel_state *ts,
			FILE *out)
{
	const struct kipsecd_tunnel *t = ts->cfg;
	const struct kipsecd_tunnel_counters *c = &ts->counters;
	char a[64], b[64], buf[512];
	size_t i;

	fprintf(out, "tunnel %s: %s for %" PRIu64 " s\n", t->name,
		kipsecd_tstate_name(ts->state),
		(loop_now_ms(d->loop) - ts->since) / 1000);
	fprintf(out, "  interface %s local %s remote %s", t->ifname,
		addr(&t->local, a, sizeof(a)), addr(&t->remote, b, sizeof(b)));
	if (ts->kernel_set)
		fprintf(out, " (set in the module)\n");
	else
		fprintf(out, " (not in the module: %s)\n", ts->kernel_error);
	fprintf(out, "  mode %s, start %s, local-id %s, remote-id %s\n",
		kipsecd_mode_name(t->mode), kipsecd_start_name(t->start),
		kipsecd_id_str(&t->local_id, a, sizeof(a)),
		kipsecd_id_str(&t->remote_id, b, sizeof(b)));
	fprintf(out, "  ike-proposals");
	for (i = 0; i < t->n_ike; i++)
		fprintf(out, "%s %s%s", i ? "," : "",
			kipsecd_p1_name(&t->ike[i], buf, sizeof(buf)),
			kipsecd_p1_weak(&t->ike[i]) ? " (weak)" : "");
	fprintf(out, "; lifetime %" PRIu32 " s; dpd ", t->ike_lifetime);
	if (t->dpd_interval)
		fprintf(out, "%" PRIu32 " s x %" PRIu32 "\n", t->dpd_interval,
			t->dpd_retries);
	else
		fprintf(out, "off\n");
	fprintf(out, "  ipsec-proposals");
	for (i = 0; i < t->n_ipsec; i++)
		fprintf(out, "%s %s%s", i ? "," : "",
			kipsecd_p2_name(&t->ipsec[i], buf, sizeof(buf)),
			kipsecd_p2_weak(&t->ipsec[i]) ? " (weak)" : "");
	fprintf(out, "; lifetime %" PRIu32 " s", t->ipsec_lifetime);
	if (t->ipsec_lifetime_kb)
		fprintf(out, ", %" PRIu64 " KB", t->ipsec_lifetime_kb);
	if (t->replay_window)
		fprintf(out, "; replay-window %" PRIu32, t->replay_window);
	else
		fprintf(out, "; replay-window off");
	fprintf(out, "; esn %s\n", t->esn ? "on" : "off");
	if (ts->p1.state)
		fprintf(out, "  phase 1: established (%s, %s), %" PRIu64 " s left\n",
			ts->p1.proposal >= 0 && (size_t)ts->p1.proposal < t->n_ike ?
			kipsecd_p1_name(&t->ike[ts->p1.proposal], buf, sizeof(buf)) : "?",
			ts->p1.initiator ? "initiator" : "responder",
			secs_left(d, ts->p1.expires));
	else
		fprintf(out, "  phase 1: none\n");
	for (i = 0; i < t->n_proxy_ids; i++) {
		const struct kipsecd_p2_state *p = i < ts->n_p2 ? &ts->p2[i] : NULL;

		fprintf(out, "  proxy-id %s: ",
			kipsecd_proxy_id_str(&t->proxy_ids[i], buf, sizeof(buf)));
		if (p && p->spi_in) {
			fprintf(out, "spi in 0x%08x out 0x%08x, %" PRIu64
				" s left, rekeyed %" PRIu64 " times", p->spi_in,
				p->spi_out, secs_left(d, p->expires), p->rekeys);
			if (p->have_counters)
				fprintf(out, ", in %" PRIu64 " packets %" PRIu64
					" bytes, out %" PRIu64 " packets %" PRIu64 " bytes",
					p->packets_in, p->bytes_in, p->packets_out,
					p->bytes_out);
			fputc('\n', out);
		} else
			fprintf(out, "no SAs\n");
	}
	fprintf(out, "  counters: up %" PRIu64 ", down %" PRIu64
		", phase 1 ok %" PRIu64 " failed %" PRIu64
		", phase 2 ok %" PRIu64 " failed %" PRIu64
		", acquires %" PRIu64 ", expires soft %" PRIu64 " hard %" PRIu64
		", seq-overflows %" PRIu64 "\n",
		c->up_requests, c->down_requests, c->p1_ok, c->p1_failed,
		c->p2_ok, c->p2_failed, c->acquires, c->expires_soft,
		c->expires_hard, c->seq_overflows);
	if (ts->last_error[0])
		fprintf(out, "  last error: %s\n", ts->last_error);
}

static int no_such(struct kipsecd *d, const char *name, char *err,
		   size_t errlen)
{
	snprintf(err, errlen, "no tunnel \"%s\" in %s", name, d->config_path);
	return -1;
}

int kipsecd_status_text(struct kipsecd *d, const char *name, FILE *out,
			char *err, size_t errlen)
{
	size_t i;

	if (name && name[0]) {
		struct kipsecd_tunnel_state *ts = kipsecd_tunnel_find(d, name);

		if (!ts)
			return no_such(d, name, err, errlen);
		kipsecd_ike_counters(d, ts);
		text_tunnel(d, ts, out);
		return 0;
	}
	fprintf(out, "kipsecd " KIPSEC_VERSION ", pid %d, running for %" PRIu64 " s\n",
		(int)getpid(), (loop_now_ms(d->loop) - d->started) / 1000);
	fprintf(out, "config %s, %zu tunnel%s, %" PRIu64 " reload%s\n",
		d->config_path, d->n_tunnels, d->n_tunnels == 1 ? "" : "s",
		d->reloads, d->reloads == 1 ? "" : "s");
	if (kipsecd_kernel_is_open(d->kernel))
		fprintf(out, "kernel: connected%s\n",
			kipsecd_kernel_lifetimes(d->kernel) ? "" :
			" (the module takes no SA lifetimes)");
	else
		fprintf(out, "kernel: not connected: %s\n", d->kernel_error);
	for (i = 0; i < d->n_tunnels; i++) {
		fputc('\n', out);
		kipsecd_ike_counters(d, d->tunnels[i]);
		text_tunnel(d, d->tunnels[i], out);
	}
	return 0;
}

static void json_str_kv(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}

static void json_u64_kv(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_u64(j, v);
}

static void json_tunnel(struct kipsecd *d, const struct kipsecd_tunnel_state *ts,
			struct json *j)
{
	const struct kipsecd_tunnel *t = ts->cfg;
	const struct kipsecd_tunnel_counters *c = &ts->counters;
	char buf[512];
	size_t i;

	json_begin_object(j);
	json_str_kv(j, "name", t->name);
	json_str_kv(j, "state", kipsecd_tstate_name(ts->state));
	json_u64_kv(j, "state-seconds", (loop_now_ms(d->loop) - ts->since) / 1000);
	json_str_kv(j, "interface", t->ifname);
	json_str_kv(j, "local", addr(&t->local, buf, sizeof(buf)));
	json_str_kv(j, "remote", addr(&t->remote, buf, sizeof(buf)));
	json_key(j, "kernel-set");
	json_bool(j, ts->kernel_set);
	if (!ts->kernel_set)
		json_str_kv(j, "kernel-error", ts->kernel_error);
	json_str_kv(j, "mode", kipsecd_mode_name(t->mode));
	json_str_kv(j, "start", kipsecd_start_name(t->start));
	json_str_kv(j, "local-id", kipsecd_id_str(&t->local_id, buf, sizeof(buf)));
	json_str_kv(j, "remote-id", kipsecd_id_str(&t->remote_id, buf, sizeof(buf)));
	json_key(j, "ike-proposals");
	json_begin_array(j);
	for (i = 0; i < t->n_ike; i++)
		json_string(j, kipsecd_p1_name(&t->ike[i], buf, sizeof(buf)));
	json_end_array(j);
	json_u64_kv(j, "ike-lifetime", t->ike_lifetime);
	json_u64_kv(j, "dpd", t->dpd_interval);
	json_u64_kv(j, "dpd-retries", t->dpd_retries);
	json_key(j, "ipsec-proposals");
	json_begin_array(j);
	for (i = 0; i < t->n_ipsec; i++)
		json_string(j, kipsecd_p2_name(&t->ipsec[i], buf, sizeof(buf)));
	json_end_array(j);
	json_u64_kv(j, "ipsec-lifetime", t->ipsec_lifetime);
	json_u64_kv(j, "ipsec-lifetime-kb", t->ipsec_lifetime_kb);
	json_u64_kv(j, "replay-window", t->replay_window);
	json_key(j, "esn");
	json_bool(j, t->esn);

	json_key(j, "phase1");
	json_begin_object(j);
	json_key(j, "established");
	json_bool(j, ts->p1.state != 0);
	if (ts->p1.state) {
		json_u64_kv(j, "seconds-left", secs_left(d, ts->p1.expires));
		json_key(j, "initiator");
		json_bool(j, ts->p1.initiator);
		if (ts->p1.proposal >= 0 && (size_t)ts->p1.proposal < t->n_ike)
			json_str_kv(j, "proposal",
				    kipsecd_p1_name(&t->ike[ts->p1.proposal], buf,
						    sizeof(buf)));
	}
	json_end_object(j);

	json_key(j, "proxy-ids");
	json_begin_array(j);
	for (i = 0; i < t->n_proxy_ids; i++) {
		const struct kipsecd_p2_state *p = i < ts->n_p2 ? &ts->p2[i] : NULL;

		json_begin_object(j);
		json_str_kv(j, "proxy-id",
			    kipsecd_proxy_id_str(&t->proxy_ids[i], buf, sizeof(buf)));
		json_key(j, "sas");
		json_bool(j, p && p->spi_in);
		if (p && p->spi_in) {
			json_u64_kv(j, "spi-in", p->spi_in);
			json_u64_kv(j, "spi-out", p->spi_out);
			json_u64_kv(j, "seconds-left", secs_left(d, p->expires));
			json_u64_kv(j, "rekeys", p->rekeys);
			if (p->proposal >= 0 && (size_t)p->proposal < t->n_ipsec)
				json_str_kv(j, "proposal",
					    kipsecd_p2_name(&t->ipsec[p->proposal], buf,
							    sizeof(buf)));
			if (p->have_counters) {
				json_u64_kv(j, "packets-in", p->packets_in);
				json_u64_kv(j, "bytes-in", p->bytes_in);
				json_u64_kv(j, "packets-out", p->packets_out);
				json_u64_kv(j, "bytes-out", p->bytes_out);
			}
		}
		json_end_object(j);
	}
	json_end_array(j);

	json_key(j, "counters");
	json_begin_object(j);
	json_u64_kv(j, "up", c->up_requests);
	json_u64_kv(j, "down", c->down_requests);
	json_u64_kv(j, "phase1-ok", c->p1_ok);
	json_u64_kv(j, "phase1-failed", c->p1_failed);
	json_u64_kv(j, "phase2-ok", c->p2_ok);
	json_u64_kv(j, "phase2-failed", c->p2_failed);
	json_u64_kv(j, "acquires", c->acquires);
	json_u64_kv(j, "expires-soft", c->expires_soft);
	json_u64_kv(j, "expires-hard", c->expires_hard);
	json_u64_kv(j, "seq-overflows", c->seq_overflows);
	json_end_object(j);
	if (ts->last_error[0])
		json_str_kv(j, "last-error", ts->last_error);
	json_end_object(j);
}

int kipsecd_status_json(struct kipsecd *d, const char *name, FILE *out,
			char *err, size_t errlen)
{
	struct kipsecd_tunnel_state *only = NULL;
	struct json j;
	size_t i;

	if (name && name[0]) {
		only = kipsecd_tunnel_find(d, name);
		if (!only)
			return no_such(d, name, err, errlen);
	}
	json_init(&j, out);
	json_begin_object(&j);
	json_key(&j, "daemon");
	json_begin_object(&j);
	json_str_kv(&j, "version", KIPSEC_VERSION);
	json_u64_kv(&j, "pid", (uint64_t)getpid());
	json_u64_kv(&j, "seconds", (loop_now_ms(d->loop) - d->started) / 1000);
	json_str_kv(&j, "config", d->config_path);
	json_u64_kv(&j, "reloads", d->reloads);
	json_key(&j, "kernel");
	json_bool(&j, kipsecd_kernel_is_open(d->kernel));
	if (!kipsecd_kernel_is_open(d->kernel))
		json_str_kv(&j, "kernel-error", d->kernel_error);
	json_end_object(&j);
	json_key(&j, "tunnels");
	json_begin_array(&j);
	for (i = 0; i < d->n_tunnels; i++)
		if (!only || d->tunnels[i] == only) {
			kipsecd_ike_counters(d, d->tunnels[i]);
			json_tunnel(d, d->tunnels[i], &j);
		}
	json_end_array(&j);
	json_end_object(&j);
	fputc('\n', out);
	return 0;
}

/* Control requests */

int kipsecd_handle(const struct kipsec_ctl_req *r, FILE *body, char *err,
		   size_t errlen, void *arg)
{
	struct kipsecd *d = arg;
	struct kipsecd_tunnel_state *ts = NULL;

	if (r->verb == KIPSEC_CTL_UP || r->verb == KIPSEC_CTL_DOWN) {
		ts = kipsecd_tunnel_find(d, r->name);
		if (!ts)
			return no_such(d, r->name, err, errlen);
	}
	switch (r->verb) {
	case KIPSEC_CTL_UP:
		if (call_up(d, ts, NULL, "kipsec ike up", err, errlen))
			return -1;
		fprintf(body, "tunnel %s: negotiation started\n", r->name);
		return 0;
	case KIPSEC_CTL_DOWN:
		if (call_down(d, ts, "kipsec ike down", err, errlen))
			return -1;
		set_state(d, ts, KIPSECD_TS_DOWN);
		fprintf(body, "tunnel %s: down\n", r->name);
		return 0;
	case KIPSEC_CTL_STATUS:
		if (r->json)
			return kipsecd_status_json(d, r->name, body, err, errlen);
		return kipsecd_status_text(d, r->name, body, err, errlen);
	case KIPSEC_CTL_RELOAD:
		return kipsecd_reload(d, body, err, errlen);
	}
	snprintf(err, errlen, "unknown request");
	return -1;
}
