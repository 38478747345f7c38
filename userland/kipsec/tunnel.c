// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec tunnel set|show
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"
#include "../lib/json.h"

struct show_ctx {
	const struct kipsec_opts *o;
	struct json json;
};

static int show_one(const struct kipsec_tunnel_info *t, void *arg)
{
	struct show_ctx *c = arg;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	const char *local = kipsec_nl_addr_str(&t->local, l, sizeof(l));
	const char *remote = kipsec_nl_addr_str(&t->remote, r, sizeof(r));

	if (!c->o->json) {
		printf("%s: local %s remote %s\n", t->ifname,
		       local ? local : "none", remote ? remote : "none");
		if (c->o->stats && t->has_stats)
			printf("\trx no-sa %llu malformed %llu\n"
			       "\ttx no-sa %llu errors %llu acquires %llu\n",
			       (unsigned long long)t->stats.rx_no_sa,
			       (unsigned long long)t->stats.rx_malformed,
			       (unsigned long long)t->stats.tx_no_sa,
			       (unsigned long long)t->stats.tx_errors,
			       (unsigned long long)t->stats.acquires);
		return 0;
	}
	json_begin_object(&c->json);
	json_key(&c->json, "ifname");
	json_string(&c->json, t->ifname);
	json_key(&c->json, "ifindex");
	json_u64(&c->json, t->ifindex);
	json_key(&c->json, "local");
	if (local)
		json_string(&c->json, local);
	else
		json_null(&c->json);
	json_key(&c->json, "remote");
	if (remote)
		json_string(&c->json, remote);
	else
		json_null(&c->json);
	if (c->o->stats) {
		json_key(&c->json, "stats");
		if (t->has_stats) {
			json_begin_object(&c->json);
			json_key(&c->json, "rx_no_sa");
			json_u64(&c->json, t->stats.rx_no_sa);
			json_key(&c->json, "tx_no_sa");
			json_u64(&c->json, t->stats.tx_no_sa);
			json_key(&c->json, "rx_malformed");
			json_u64(&c->json, t->stats.rx_malformed);
			json_key(&c->json, "tx_errors");
			json_u64(&c->json, t->stats.tx_errors);
			json_key(&c->json, "acquires");
			json_u64(&c->json, t->stats.acquires);
			json_end_object(&c->json);
		} else {
			json_null(&c->json);
		}
	}
	json_end_object(&c->json);
	return 0;
}

static int tunnel_show(int argc, char **argv, const struct kipsec_opts *o)
{
	struct show_ctx c = { .o = o };
	struct kipsec_tunnel_info t;
	struct kipsec_nl_error e;
	char dev[IF_NAMESIZE], err[256];
	struct kipsec_nl *nl;
	int ret;

	if (parse_tunnel_show(argc, argv, dev, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;

	json_init(&c.json, stdout);
	if (o->json)
		json_begin_array(&c.json);
	if (dev[0]) {
		ret = kipsec_nl_tunnel_get(nl, dev, &t, &e);
		if (!ret)
			show_one(&t, &c);
	} else {
		ret = kipsec_nl_tunnel_dump(nl, show_one, &c, &e);
	}
	if (o->json)
		json_end_array(&c.json);
	if (ret) {
		char what[64];

		snprintf(what, sizeof(what), "tunnel show%s%s", dev[0] ? " " : "",
			 dev);
		return cli_nl_error(what, &e);
	}
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int tunnel_set(int argc, char **argv, const struct kipsec_opts *o)
{
	struct kipsec_tunnel_info t;
	struct kipsec_nl_error e;
	struct kipsec_nl *nl;
	char err[256];
	int ret;

	(void)o;
	if (parse_tunnel_set(argc, argv, &t, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;
	ret = kipsec_nl_tunnel_set(nl, &t, &e);
	if (ret) {
		char what[64];

		snprintf(what, sizeof(what), "tunnel set %s", t.ifname);
		return cli_nl_error(what, &e);
	}
	return EXIT_SUCCESS;
}

int tunnel_main(int argc, char **argv, const struct kipsec_opts *o)
{
	char err[256];

	if (argc < 1 || !strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return tunnel_show(argc < 1 ? 0 : argc - 1, argv + 1, o);
	if (!strcmp(argv[0], "set"))
		return tunnel_set(argc - 1, argv + 1, o);
	snprintf(err, sizeof(err), "tunnel: unknown command \"%s\"", argv[0]);
	return cli_usage_error(err);
}
