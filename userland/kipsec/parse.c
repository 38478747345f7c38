// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int parse_global_opts(int *argc, char **argv, struct kipsec_opts *o,
		      char *err, size_t errlen)
{
	int in, out = 0;
	bool opts_done = false;

	for (in = 0; in < *argc; in++) {
		const char *a = argv[in];

		if (opts_done || a[0] != '-' || !a[1]) {
			argv[out++] = argv[in];
			continue;
		}
		if (!strcmp(a, "--"))
			opts_done = true;
		else if (!strcmp(a, "-j") || !strcmp(a, "-json") || !strcmp(a, "--json"))
			o->json = true;
		else if (!strcmp(a, "-s") || !strcmp(a, "-stats") || !strcmp(a, "--stats"))
			o->stats = true;
		else if (!strcmp(a, "-V") || !strcmp(a, "-version") || !strcmp(a, "--version"))
			o->version = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help"))
			o->help = true;
		else
			return fail(err, errlen, "unknown option \"%s\"", a);
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

/* The kernel's rules for a device name (dev_valid_name()). */
int parse_ifname(const char *word, char *out, char *err, size_t errlen)
{
	size_t len = strlen(word);
	const char *p;

	if (!len)
		return fail(err, errlen, "empty device name");
	if (len >= IF_NAMESIZE)
		return fail(err, errlen, "device name \"%s\" is longer than %d characters",
			    word, IF_NAMESIZE - 1);
	if (!strcmp(word, ".") || !strcmp(word, ".."))
		return fail(err, errlen, "\"%s\" is not a valid device name", word);
	for (p = word; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return fail(err, errlen, "\"%s\" is not a valid device name",
				    word);
	}
	memcpy(out, word, len + 1);
	return 0;
}

int parse_addr(const char *keyword, const char *word,
	       struct kipsec_nl_addr *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, word, &out->ip4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, word, &out->ip6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return fail(err, errlen, "\"%s\" after \"%s\" is not an IPv4 or IPv6 address",
		    word, keyword);
}

int parse_tunnel_set(int argc, char **argv, struct kipsec_tunnel_info *t,
		     char *err, size_t errlen)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (argc < 1)
		return fail(err, errlen, "tunnel set: a device name is required");
	if (parse_ifname(argv[0], t->ifname, err, errlen))
		return -1;

	for (i = 1; i < argc; i += 2) {
		struct kipsec_nl_addr *a;

		if (!strcmp(argv[i], "local"))
			a = &t->local;
		else if (!strcmp(argv[i], "remote"))
			a = &t->remote;
		else
			return fail(err, errlen, "tunnel set: unknown keyword \"%s\"",
				    argv[i]);
		if (a->family)
			return fail(err, errlen, "tunnel set: \"%s\" is given twice",
				    argv[i]);
		if (i + 1 >= argc)
			return fail(err, errlen, "tunnel set: \"%s\" needs an address",
				    argv[i]);
		if (parse_addr(argv[i], argv[i + 1], a, err, errlen))
			return -1;
	}
	if (!t->local.family && !t->remote.family)
		return fail(err, errlen,
			    "tunnel set: nothing to set; give \"local ADDR\" and/or \"remote ADDR\"");
	if (t->local.family && t->remote.family &&
	    t->local.family != t->remote.family)
		return fail(err, errlen,
			    "tunnel set: \"local\" and \"remote\" are of different address families");
	return 0;
}

int parse_tunnel_show(int argc, char **argv, char *dev, char *err,
		      size_t errlen)
{
	dev[0] = '\0';
	if (argc > 1)
		return fail(err, errlen, "tunnel show: unexpected \"%s\"", argv[1]);
	if (argc == 1)
		return parse_ifname(argv[0], dev, err, errlen);
	return 0;
}
