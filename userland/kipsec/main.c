// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: configure kipsec IPsec tunnels.
 *
 *   kipsec [-j] [-s] OBJECT COMMAND [ARGS...]
 *   kipsec [-j] [-s] [-force] -batch FILE
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"
#include "../lib/ctl.h"

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
	{ "sa", sa_main, "add, update, delete and show security associations" },
	{ "spi", spi_main, "reserve an inbound SPI" },
	{ "ike", ike_main, "ask kipsecd to bring tunnels up or down, show them, reload" },
	{ "monitor", monitor_main, "print SA expiry and acquire events as they come" },
	{ "help", help_main, "show this help" },
};

struct kipsec_key_src cli_key_src = { .stdin_fd = 0 };

static struct kipsec_nl *cli_nl;
static char cli_where[512];
static bool in_batch;

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: " KIPSEC_PROG " [-j] [-s] OBJECT COMMAND [ARGS...]\n"
		"       " KIPSEC_PROG " [-j] [-s] [-force] -batch FILE\n"
		"       " KIPSEC_PROG " -V\n\n"
		"Objects:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\nTunnel commands:\n"
		"  " KIPSEC_PROG " tunnel set DEV [local ADDR] [remote ADDR]\n"
		"  " KIPSEC_PROG " tunnel show [DEV]\n\n"
		"SPI and SA commands:\n"
		"  " KIPSEC_PROG " spi alloc DEV proto {esp|ah} [min SPI] [max SPI]\n"
		"  " KIPSEC_PROG " sa {add|update} DEV dir {in|out} spi SPI proto {esp|ah}\n"
		"      { aead ALG key KEY [icv BITS] | enc ALG key KEY [auth ALG key KEY]\n"
		"        | auth ALG key KEY (with proto ah) }\n"
		"      [replay-window {N|off}] [esn {on|off}] [ah-align {4|8}] [seq N]\n"
		"      [lifetime {soft|hard} {time S|use-time S|bytes N|packets N}]...\n"
		"      [proxy-id local PREFIX remote PREFIX [proto PROTO]\n"
		"                [lport P[-P]] [rport P[-P]]]\n"
		"  " KIPSEC_PROG " sa del DEV dir {in|out} spi SPI proto {esp|ah}\n"
		"  " KIPSEC_PROG " sa show [DEV [dir {in|out} spi SPI proto {esp|ah}]]\n"
		"  " KIPSEC_PROG " sa flush [DEV]\n\n"
		"IKE commands (to kipsecd):\n"
		"  " KIPSEC_PROG " ike {up|down} NAME\n"
		"  " KIPSEC_PROG " ike status [NAME]\n"
		"  " KIPSEC_PROG " ike reload\n\n"
		"Events:\n"
		"  " KIPSEC_PROG " [-j] monitor\n\n"
		"  KEY: a file holding hex, \"-\" for stdin, or 0xHEX\n"
		"  aead ALG: aes-gcm-{128,192,256} aes-ccm-{128,192,256} chacha20-poly1305\n"
		"            aes-gmac-{128,192,256}\n"
		"  enc ALG:  aes-cbc-{128,192,256} aes-ctr-{128,192,256} 3des des null\n"
		"  auth ALG: hmac-sha256-128 hmac-sha384-192 hmac-sha512-256 hmac-sha1-96\n"
		"            aes-xcbc-96 hmac-md5-96\n\n"
		"Options:\n"
		"  -j, --json        print JSON\n"
		"  -s, --stats       show counters\n"
		"  -batch FILE       run the commands of FILE (\"-\": stdin), one a line\n"
		"  -force            with -batch, go on after a failed command\n"
		"  -S PATH           kipsecd's control socket (default " KIPSEC_CTL_DEFAULT_SOCKET ")\n"
		"  -V, --version     print the version\n"
		"  -h, --help        show this help\n\n"
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

	if (!cli_nl && kipsec_nl_open(&cli_nl, &e)) {
		cli_nl = NULL;
		return cli_error("%s", kipsec_nl_strerror(&e, buf, sizeof(buf)));
	}
	*nl = cli_nl;
	return 0;
}

void cli_close(void)
{
	kipsec_nl_close(cli_nl);
	cli_nl = NULL;
}

void cli_set_where(const char *file, unsigned long line)
{
	in_batch = file != NULL;
	if (file)
		snprintf(cli_where, sizeof(cli_where), "%s:%lu: ", file, line);
	else
		cli_where[0] = '\0';
}

/* Output that came before an error appears before it. */
static void error_start(void)
{
	fflush(stdout);
	fprintf(stderr, KIPSEC_PROG ": %s", cli_where);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	error_start();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

int cli_nl_error(const char *what, const struct kipsec_nl_error *e)
{
	char buf[512];

	kipsec_nl_strerror(e, buf, sizeof(buf));
	if (e->err == EPERM)
		return cli_error("%s: %s (CAP_NET_ADMIN is needed)", what, buf);
	return cli_error("%s: %s", what, buf);
}

int cli_usage_error(const char *msg)
{
	error_start();
	fprintf(stderr, "%s\n", msg);
	if (!in_batch)
		fprintf(stderr, "Try '" KIPSEC_PROG " help'.\n");
	return EXIT_USAGE;
}

int cli_run(int argc, char **argv, const struct kipsec_opts *o)
{
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1, o);
	}
	snprintf(err, sizeof(err), "unknown object \"%s\"", argv[0]);
	return cli_usage_error(err);
}

int main(int argc, char **argv)
{
	struct kipsec_opts o = { 0 };
	char err[256];
	int ret;

	argc--;
	argv++;
	if (parse_global_opts(&argc, argv, &o, err, sizeof(err)))
		return cli_usage_error(err);
	if (o.version) {
		printf(KIPSEC_PROG " " KIPSEC_VERSION "\n");
		return EXIT_SUCCESS;
	}
	if (o.help) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (o.batch) {
		if (argc) {
			snprintf(err, sizeof(err),
				 "unexpected \"%s\": -batch takes its commands from the file",
				 argv[0]);
			return cli_usage_error(err);
		}
		ret = batch_main(o.batch, &o);
	} else if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	} else {
		ret = cli_run(argc, argv, &o);
	}
	cli_close();
	return ret;
}
