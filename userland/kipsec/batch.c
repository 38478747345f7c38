// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec -batch FILE: one command per line, as in `ip -batch`.
 *
 * Every line goes through the same subcommand table as the command line,
 * on the one netlink socket of cli_open(), so that installing thousands of
 * SAs costs one round trip each and nothing more. Lines may hold keys: the
 * line buffer and the stdio buffer are ours, sized so that they are not
 * reallocated behind our back, and wiped after each line and at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"

#define MAX_WORDS	128
#define LINE_SIZE	4096

static char iobuf[BUFSIZ * 8];

static int run_line(char *line, const struct kipsec_opts *o)
{
	struct kipsec_opts lo = { .json = o->json, .stats = o->stats };
	char *argv[MAX_WORDS];
	char err[256];
	int argc;

	if (parse_batch_line(line, argv, MAX_WORDS, &argc, err, sizeof(err)))
		return cli_usage_error(err);
	if (!argc)
		return 0;
	if (parse_global_opts(&argc, argv, &lo, err, sizeof(err)))
		return cli_usage_error(err);
	if (lo.batch || lo.force || lo.version || lo.help)
		return cli_usage_error("-batch, -force, -V and -h cannot be used in a batch file");
	if (!argc)
		return 0;
	return cli_run(argc, argv, &lo);
}

int batch_main(const char *file, const struct kipsec_opts *o)
{
	bool is_stdin = !strcmp(file, "-");
	const char *name = is_stdin ? "stdin" : file;
	size_t cap = LINE_SIZE;
	unsigned long lineno = 0;
	int status = 0;
	char *line;
	FILE *f;

	f = is_stdin ? stdin : fopen(file, "re");
	if (!f)
		return cli_error("cannot open the batch file \"%s\": %s", file,
				 strerror(errno));
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	if (is_stdin)
		cli_key_src.stdin_busy = "stdin is the batch file";
	line = malloc(cap);
	if (!line) {
		if (!is_stdin)
			fclose(f);
		return cli_error("%s", strerror(ENOMEM));
	}

	for (;;) {
		ssize_t n = getline(&line, &cap, f);
		int ret;

		if (n < 0)
			break;
		lineno++;
		cli_set_where(name, lineno);
		ret = run_line(line, o);
		explicit_bzero(line, cap);
		if (ret) {
			if (ret > status)
				status = ret;
			if (!o->force)
				break;
		}
	}
	cli_set_where(NULL, 0);
	if (ferror(f) && !status)
		status = cli_error("%s: %s", name, strerror(errno));
	explicit_bzero(line, cap);
	free(line);
	if (!is_stdin)
		fclose(f);
	explicit_bzero(iobuf, sizeof(iobuf));
	return status;
}
