// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: the kipsec IKEv1 keyer.
 *
 *   kipsecd [-f] [-d] [-c CONFIG] [--no-kernel]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#ifndef KIPSEC_VERSION
#define KIPSEC_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kipsecd [-f] [-d] [-c CONFIG] [--no-kernel]\n"
		"\n"
		"  -f, --foreground  do not detach; stay in the foreground\n"
		"  -d, --debug       log everything (level debug) to stderr; implies -f\n"
		"  -c, --config FILE the configuration (default " KIPSECD_DEFAULT_CONFIG ")\n"
		"      --no-kernel   do not talk to the kipsec module (tests)\n"
		"  -V, --version     print the version\n"
		"  -h, --help        show this help\n"
		"\n"
		"See kipsecd(8) and kipsecd.conf(5).\n");
}

static void on_stop(struct loop *l, int signo, void *arg)
{
	(void)arg;
	log_notice(NULL, "%s: shutting down", strsignal(signo));
	loop_stop(l);
}

static void on_reload(struct loop *l, int signo, void *arg)
{
	char err[1024];

	(void)l;
	(void)signo;
	log_notice(NULL, "SIGHUP: reloading the configuration");
	kipsecd_reload(arg, NULL, err, sizeof(err));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-kernel", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = KIPSECD_DEFAULT_CONFIG;
	bool foreground = false, debug = false, use_kernel = true;
	struct kipsecd d;
	struct loop *l;
	char err[1024];
	int c, ret;

	while ((c = getopt_long(argc, argv, "fdc:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'd':
			debug = true;
			foreground = true;
			break;
		case 'c':
			config = optarg;
			break;
		case 'K':
			use_kernel = false;
			break;
		case 'V':
			printf("kipsecd " KIPSEC_VERSION "\n");
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kipsecd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* Until the configuration says otherwise, errors go to stderr. */
	log_open("kipsecd", KIPSECD_LOG_STDERR,
		 debug ? KIPSECD_LOG_DEBUG : KIPSECD_LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	l = loop_new();
	if (!l) {
		fprintf(stderr, "kipsecd: cannot create the event loop: %s\n",
			strerror(errno));
		return EXIT_FAILURE;
	}
	/* Blocked from here on, so nothing is lost before the loop runs. */
	if (loop_add_signal(l, SIGTERM, on_stop, NULL) ||
	    loop_add_signal(l, SIGINT, on_stop, NULL) ||
	    loop_add_signal(l, SIGHUP, on_reload, &d)) {
		fprintf(stderr, "kipsecd: cannot handle signals\n");
		return EXIT_FAILURE;
	}
	if (kipsecd_init(&d, l, config, use_kernel, debug, err, sizeof(err))) {
		/* Configuration errors read "FILE:LINE: key ...". */
		fprintf(stderr, "kipsecd: %s\n", err);
		kipsecd_fail(&d);
		loop_free(l);
		log_close();
		return EXIT_FAILURE;
	}
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "kipsecd: cannot detach: %s\n", strerror(errno));
		kipsecd_shutdown(&d);
		return EXIT_FAILURE;
	}
	log_info(NULL, "listening on %s", control_path(d.control));
	ret = loop_run(l);
	if (ret)
		log_err(NULL, "event loop: %s", strerror(-ret));
	kipsecd_shutdown(&d);
	loop_free(l);
	log_notice(NULL, "stopped");
	log_close();
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
