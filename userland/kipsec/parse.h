/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's argument grammar, kept apart from netlink so that unit tests
 * can drive it. Every function returns 0, or -1 with a message in @err
 * that names the offending word.
 */
#ifndef KIPSEC_PARSE_H
#define KIPSEC_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/kipsec_nl.h"

struct kipsec_opts {
	bool json;
	bool stats;
	bool version;
	bool help;
};

/*
 * Take the global options (-j, -s, -V, -h and their long forms) out of
 * argv wherever they stand, the way `kipsec sa show -s -j` is written;
 * what is left is compacted to the front and *argc updated. "--" ends
 * option processing.
 */
int parse_global_opts(int *argc, char **argv, struct kipsec_opts *o,
		      char *err, size_t errlen);

int parse_ifname(const char *word, char *out, char *err, size_t errlen);

/* @keyword: the word before it, for the message. */
int parse_addr(const char *keyword, const char *word,
	       struct kipsec_nl_addr *out, char *err, size_t errlen);

/* kipsec tunnel set DEV local ADDR remote ADDR; argv[0] is DEV. */
int parse_tunnel_set(int argc, char **argv, struct kipsec_tunnel_info *t,
		     char *err, size_t errlen);

/* kipsec tunnel show [DEV]; *dev is "" when no DEV is given. */
int parse_tunnel_show(int argc, char **argv, char *dev, char *err,
		      size_t errlen);

#endif
