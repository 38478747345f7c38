// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: configure kipsec IPsec tunnels.
 *
 *   kipsec [-j] OBJECT COMMAND [ARGS...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"

#ifndef KIPSEC_VERSION
#define KIPSEC_VERSION "unknown"
#endif

struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv, const struct kipsec_opts *o);
	const char *summary;
};

static int help_main(int argc, char **argv, const struct kipsec_opts *o);

static const struct subcommand subcommands[] = {
	{ "tunnel", tunnel_main, "set and show a tunnel's outer addresses" },
	{ "help", help_main, "show this help" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: " KIPSEC_PROG " [-j] OBJECT COMMAND [ARGS...]\n"
		"       " KIPSEC_PROG " -V\n\n"
		"Objects:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\nTunnel commands:\n"
		"  " KIPSEC_PROG " tunnel set DEV [local ADDR] [remote ADDR]\n"
		"  " KIPSEC_PROG " tunnel show [DEV]\n\n"
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -V, --version  print the version\n"
		"  -h, --help     show this help\n\n"
		"Tunnel devices are created with 'ip link add DEV type kipsec'.\n"
		"See kipsec(8).\n");
}

static int help_main(int argc, char **argv, const struct kipsec_opts *o)
{
	(void)argc;
	(void)argv;
	(void)o;
	usage(stdout);
	return EXIT_SUCCESS;
}

int cli_open(struct kipsec_nl **nl)
{
	struct kipsec_nl_error e;
	char buf[512];

	if (kipsec_nl_open(nl, &e)) {
		fprintf(stderr, KIPSEC_PROG ": %s\n",
			kipsec_nl_strerror(&e, buf, sizeof(buf)));
		return EXIT_FAILURE;
	}
	return 0;
}

int cli_nl_error(const char *what, const struct kipsec_nl_error *e)
{
	char buf[512];

	kipsec_nl_strerror(e, buf, sizeof(buf));
	if (e->err == EPERM)
		fprintf(stderr, KIPSEC_PROG ": %s: %s (CAP_NET_ADMIN is needed)\n",
			what, buf);
	else
		fprintf(stderr, KIPSEC_PROG ": %s: %s\n", what, buf);
	return EXIT_FAILURE;
}

int cli_usage_error(const char *msg)
{
	fprintf(stderr, KIPSEC_PROG ": %s\n", msg);
	fprintf(stderr, "Try '" KIPSEC_PROG " help'.\n");
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct kipsec_opts o = { 0 };
	char err[256];
	size_t i;

	argc--;
	argv++;
	if (parse_global_opts(&argc, argv, &o, err, sizeof(err)))
		return cli_usage_error(err);
	if (o.version) {
		printf(KIPSEC_PROG " " KIPSEC_VERSION "\n");
		return EXIT_SUCCESS;
	}
	if (o.help || argc == 0) {
		usage(argc == 0 && !o.help ? stderr : stdout);
		return argc == 0 && !o.help ? EXIT_USAGE : EXIT_SUCCESS;
	}

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1, &o);
	}
	snprintf(err, sizeof(err), "unknown object \"%s\"", argv[0]);
	return cli_usage_error(err);
}
