// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec spi alloc
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"

static int spi_alloc(int argc, char **argv, const struct kipsec_opts *o)
{
	struct kipsec_nl_error e;
	struct kipsec_spi_req r;
	struct kipsec_nl *nl;
	char err[512], what[64];
	uint32_t spi;

	if (parse_spi_alloc(argc, argv, &r, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;
	if (kipsec_nl_spi_alloc(nl, &r, &spi, &e)) {
		snprintf(what, sizeof(what), "spi alloc %s", r.ifname);
		return cli_nl_error(what, &e);
	}
	if (o->json)
		printf("{\"spi\":%u}\n", spi);
	else
		printf("0x%08x\n", spi);
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

int spi_main(int argc, char **argv, const struct kipsec_opts *o)
{
	char err[256];

	if (argc < 1)
		return cli_usage_error("spi: a command is required: alloc");
	if (!strcmp(argv[0], "alloc"))
		return spi_alloc(argc - 1, argv + 1, o);
	snprintf(err, sizeof(err), "spi: unknown command \"%s\"", argv[0]);
	return cli_usage_error(err);
}
