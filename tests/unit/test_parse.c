// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the CLI's argument grammar (userland/kipsec/parse.c).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsec/parse.h"

static char err[256];

/* Run parse_tunnel_set on a NULL-terminated word list. */
static int tunnel_set(struct kipsec_tunnel_info *t, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, t);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	err[0] = '\0';
	return parse_tunnel_set(argc, argv, t, err, sizeof(err));
}

static void assert_err_names(const char *word)
{
	if (!strstr(err, word))
		fail_msg("error \"%s\" does not name \"%s\"", err, word);
}

static void test_tunnel_set_both_ipv4(void **state)
{
	struct kipsec_tunnel_info t;
	struct in_addr want;

	(void)state;
	assert_int_equal(tunnel_set(&t, "kipsec0", "local", "192.0.2.1",
				    "remote", "198.51.100.2", NULL), 0);
	assert_string_equal(t.ifname, "kipsec0");
	assert_int_equal(t.ifindex, 0);
	assert_int_equal(t.local.family, AF_INET);
	assert_int_equal(t.remote.family, AF_INET);
	inet_pton(AF_INET, "192.0.2.1", &want);
	assert_memory_equal(&t.local.ip4, &want, sizeof(want));
	inet_pton(AF_INET, "198.51.100.2", &want);
	assert_memory_equal(&t.remote.ip4, &want, sizeof(want));
}

static void test_tunnel_set_ipv6_any_order(void **state)
{
	struct kipsec_tunnel_info t;
	struct in6_addr want;

	(void)state;
	assert_int_equal(tunnel_set(&t, "tun-b", "remote", "2001:db8::2",
				    "local", "2001:db8::1", NULL), 0);
	assert_int_equal(t.local.family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", &want);
	assert_memory_equal(&t.local.ip6, &want, sizeof(want));
	inet_pton(AF_INET6, "2001:db8::2", &want);
	assert_memory_equal(&t.remote.ip6, &want, sizeof(want));
}

static void test_tunnel_set_one_end(void **state)
{
	struct kipsec_tunnel_info t;

	(void)state;
	assert_int_equal(tunnel_set(&t, "kipsec0", "remote", "203.0.113.9", NULL), 0);
	assert_int_equal(t.local.family, AF_UNSPEC);
	assert_int_equal(t.remote.family, AF_INET);
}

struct bad_case {
	const char *words[8];
	const char *named;	/* the word the error must name */
};

static const struct bad_case bad_cases[] = {
	{ { NULL }, "device name" },
	{ { "kipsec0", NULL }, "nothing to set" },
	{ { "kipsec0", "lokal", "192.0.2.1", NULL }, "lokal" },
	{ { "kipsec0", "local", NULL }, "local" },
	{ { "kipsec0", "local", "300.1.1.1", NULL }, "300.1.1.1" },
	{ { "kipsec0", "local", "192.0.2.1/24", NULL }, "192.0.2.1/24" },
	{ { "kipsec0", "remote", "host.example", NULL }, "host.example" },
	{ { "kipsec0", "local", "192.0.2.1", "local", "192.0.2.2", NULL }, "given twice" },
	{ { "kipsec0", "local", "192.0.2.1", "remote", "2001:db8::1", NULL }, "different address families" },
	{ { "a-name-that-is-too-long", "local", "192.0.2.1", NULL }, "a-name-that-is-too-long" },
	{ { "bad/name", "local", "192.0.2.1", NULL }, "bad/name" },
	{ { "..", "local", "192.0.2.1", NULL }, ".." },
	{ { "", "local", "192.0.2.1", NULL }, "empty device name" },
};

static void test_tunnel_set_rejects(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct kipsec_tunnel_info t;
		char *argv[8];
		int argc = 0;

		while (c->words[argc]) {
			argv[argc] = (char *)c->words[argc];
			argc++;
		}
		err[0] = '\0';
		if (parse_tunnel_set(argc, argv, &t, err, sizeof(err)) != -1)
			fail_msg("case %zu was accepted", i);
		assert_err_names(c->named);
	}
}

static void test_tunnel_show(void **state)
{
	char dev[IF_NAMESIZE];
	char *none[] = { NULL };
	char *one[] = { "kipsec7", NULL };
	char *two[] = { "kipsec7", "extra", NULL };

	(void)state;
	assert_int_equal(parse_tunnel_show(0, none, dev, err, sizeof(err)), 0);
	assert_string_equal(dev, "");
	assert_int_equal(parse_tunnel_show(1, one, dev, err, sizeof(err)), 0);
	assert_string_equal(dev, "kipsec7");
	assert_int_equal(parse_tunnel_show(2, two, dev, err, sizeof(err)), -1);
	assert_err_names("extra");
}

static void test_global_opts_anywhere(void **state)
{
	char *argv[] = { "-j", "tunnel", "show", "-s", "kipsec0", "--", "-V", NULL };
	struct kipsec_opts o = { 0 };
	int argc = 7;

	(void)state;
	assert_int_equal(parse_global_opts(&argc, argv, &o, err, sizeof(err)), 0);
	assert_true(o.json);
	assert_true(o.stats);
	assert_false(o.version);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "tunnel");
	assert_string_equal(argv[1], "show");
	assert_string_equal(argv[2], "kipsec0");
	assert_string_equal(argv[3], "-V");
	assert_null(argv[4]);
}

static void test_global_opts_long_and_unknown(void **state)
{
	char *ok[] = { "--json", "--version", "--help", NULL };
	char *bad[] = { "tunnel", "-x", NULL };
	struct kipsec_opts o = { 0 };
	int argc = 3;

	(void)state;
	assert_int_equal(parse_global_opts(&argc, ok, &o, err, sizeof(err)), 0);
	assert_true(o.json && o.version && o.help);
	assert_int_equal(argc, 0);

	argc = 2;
	assert_int_equal(parse_global_opts(&argc, bad, &o, err, sizeof(err)), -1);
	assert_err_names("-x");
}

static void test_parse_addr_families(void **state)
{
	struct kipsec_nl_addr a;

	(void)state;
	assert_int_equal(parse_addr("local", "10.0.0.1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(parse_addr("local", "::ffff:10.0.0.1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(parse_addr("remote", "", &a, err, sizeof(err)), -1);
	assert_int_equal(a.family, AF_UNSPEC);
	assert_err_names("remote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tunnel_set_both_ipv4),
		cmocka_unit_test(test_tunnel_set_ipv6_any_order),
		cmocka_unit_test(test_tunnel_set_one_end),
		cmocka_unit_test(test_tunnel_set_rejects),
		cmocka_unit_test(test_tunnel_show),
		cmocka_unit_test(test_global_opts_anywhere),
		cmocka_unit_test(test_global_opts_long_and_unknown),
		cmocka_unit_test(test_parse_addr_families),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
