// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the kipsec <-> kipsecd control protocol
 * (userland/lib/ctl.c) and of the "kipsec ike" grammar that builds its
 * requests (parse_ike() in userland/kipsec/parse.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsec/parse.h"
#include "../../userland/lib/ctl.h"

static char err[512];

/* argv from a string of words, in a static buffer. */
static int words(const char *s, char **argv)
{
	static char buf[512];
	int n = 0;
	char *w;

	snprintf(buf, sizeof(buf), "%s", s);
	for (w = strtok(buf, " "); w; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

/* The request line "kipsec ike ARGS" sends, or NULL with err set. */
static const char *request(const char *args, bool json)
{
	static char line[KIPSEC_CTL_REQ_MAX + 1];
	struct kipsec_ctl_req r;
	char *argv[16];
	int argc = words(args, argv);

	if (parse_ike(argc, argv, json, &r, err, sizeof(err)))
		return NULL;
	assert_int_equal(kipsec_ctl_req_encode(&r, line, sizeof(line)), 0);
	return line;
}

static void test_encode(void **state)
{
	(void)state;
	assert_string_equal(request("up site-b", false), "up site-b\n");
	assert_string_equal(request("down site-b", false), "down site-b\n");
	assert_string_equal(request("status", false), "status\n");
	assert_string_equal(request("status site_b.2", false), "status site_b.2\n");
	assert_string_equal(request("status", true), "status-json\n");
	assert_string_equal(request("status x", true), "status-json x\n");
	assert_string_equal(request("show x", false), "status x\n");
	assert_string_equal(request("reload", false), "reload\n");
	/* -j means nothing to up: it stays a plain request. */
	assert_string_equal(request("up a", true), "up a\n");
}

static void test_grammar_errors(void **state)
{
	(void)state;
	assert_null(request("", false));
	assert_string_equal(err, "ike: a command is required: up, down, status, reload");
	assert_null(request("up", false));
	assert_string_equal(err, "ike up: a tunnel name is required");
	assert_null(request("start x", false));
	assert_string_equal(err, "ike: unknown command \"start\" (up, down, status, reload)");
	assert_null(request("reload x", false));
	assert_string_equal(err, "ike reload: unexpected \"x\"");
	assert_null(request("status a b", false));
	assert_string_equal(err, "ike status: unexpected \"b\"");
	assert_null(request("up a/b", false));
	assert_string_equal(err,
			    "ike up: \"a/b\" is not a tunnel name (1 to 63 letters, digits, '.', '-', '_')");
	assert_null(request("up 0123456789012345678901234567890123456789012345678901234567890123",
			    false));
}

static void test_encode_refuses(void **state)
{
	struct kipsec_ctl_req r = { .verb = KIPSEC_CTL_UP };
	char line[KIPSEC_CTL_REQ_MAX + 1];

	(void)state;
	assert_int_equal(kipsec_ctl_req_encode(&r, line, sizeof(line)), -1);
	r.verb = KIPSEC_CTL_RELOAD;
	strcpy(r.name, "x");
	assert_int_equal(kipsec_ctl_req_encode(&r, line, sizeof(line)), -1);
	r.verb = KIPSEC_CTL_DOWN;
	r.json = true;
	assert_int_equal(kipsec_ctl_req_encode(&r, line, sizeof(line)), -1);
	r.json = false;
	strcpy(r.name, "a b");
	assert_int_equal(kipsec_ctl_req_encode(&r, line, sizeof(line)), -1);
	assert_int_equal(kipsec_ctl_req_encode(&(struct kipsec_ctl_req){
		.verb = KIPSEC_CTL_STATUS }, line, 4), -1);	/* no room */
}

static void test_decode(void **state)
{
	struct kipsec_ctl_req r;

	(void)state;
	assert_int_equal(kipsec_ctl_req_decode("up site-b\n", &r, err, sizeof(err)), 0);
	assert_int_equal(r.verb, KIPSEC_CTL_UP);
	assert_string_equal(r.name, "site-b");
	assert_int_equal(kipsec_ctl_req_decode("status-json", &r, err, sizeof(err)), 0);
	assert_int_equal(r.verb, KIPSEC_CTL_STATUS);
	assert_true(r.json);
	assert_string_equal(r.name, "");
	assert_int_equal(kipsec_ctl_req_decode("reload\n", &r, err, sizeof(err)), 0);
	assert_int_equal(r.verb, KIPSEC_CTL_RELOAD);

	assert_int_equal(kipsec_ctl_req_decode("up\n", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "up needs a tunnel name");
	assert_int_equal(kipsec_ctl_req_decode("reload x\n", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "reload takes no tunnel name");
	assert_int_equal(kipsec_ctl_req_decode("status\nstatus\n", &r, err, sizeof(err)), -1);
	assert_string_equal(err, "one request per connection");
	assert_int_equal(kipsec_ctl_req_decode("up a b\n", &r, err, sizeof(err)), -1);
	assert_int_equal(kipsec_ctl_req_decode("halt\n", &r, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "unknown request \"halt\" (up, down, status, status-json, reload)");
	assert_int_equal(kipsec_ctl_req_decode("", &r, err, sizeof(err)), -1);
}

/* Whatever the client encodes, the daemon decodes to the same request. */
static void test_round_trip(void **state)
{
	static const struct kipsec_ctl_req reqs[] = {
		{ .verb = KIPSEC_CTL_UP, .name = "a" },
		{ .verb = KIPSEC_CTL_DOWN, .name = "site-b.1_x" },
		{ .verb = KIPSEC_CTL_STATUS },
		{ .verb = KIPSEC_CTL_STATUS, .json = true, .name = "n" },
		{ .verb = KIPSEC_CTL_RELOAD },
	};
	char line[KIPSEC_CTL_REQ_MAX + 1];
	struct kipsec_ctl_req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		assert_int_equal(kipsec_ctl_req_encode(&reqs[i], line, sizeof(line)), 0);
		assert_int_equal(kipsec_ctl_req_decode(line, &r, err, sizeof(err)), 0);
		assert_int_equal(r.verb, reqs[i].verb);
		assert_int_equal(r.json, reqs[i].json);
		assert_string_equal(r.name, reqs[i].name);
	}
}

static void test_response(void **state)
{
	char status[128], msg[128];
	const char *body;
	size_t blen;
	bool ok;

	(void)state;
	kipsec_ctl_resp_status(true, NULL, status, sizeof(status));
	assert_string_equal(status, "ok\n");
	kipsec_ctl_resp_status(false, "IKE exchanges are not built yet", status,
			       sizeof(status));
	assert_string_equal(status, "error IKE exchanges are not built yet\n");
	/* A message stays on its line. */
	kipsec_ctl_resp_status(false, "two\nlines", status, sizeof(status));
	assert_string_equal(status, "error two lines\n");
	kipsec_ctl_resp_status(false, "", status, sizeof(status));
	assert_string_equal(status, "error failed\n");
	kipsec_ctl_resp_status(false, "0123456789abcdef", status, 12);
	assert_string_equal(status, "error 0123\n");

	assert_int_equal(kipsec_ctl_resp_decode("ok\nbody\n", 8, &ok, msg, sizeof(msg),
						&body, &blen), 0);
	assert_true(ok);
	assert_int_equal(blen, 5);
	assert_memory_equal(body, "body\n", 5);
	assert_int_equal(kipsec_ctl_resp_decode("ok\n", 3, &ok, msg, sizeof(msg),
						&body, &blen), 0);
	assert_int_equal(blen, 0);
	assert_int_equal(kipsec_ctl_resp_decode("error no tunnel \"x\"\n", 20, &ok, msg,
						sizeof(msg), &body, &blen), 0);
	assert_false(ok);
	assert_string_equal(msg, "no tunnel \"x\"");
	assert_int_equal(kipsec_ctl_resp_decode("okay\n", 5, &ok, msg, sizeof(msg),
						&body, &blen), -1);
	assert_int_equal(kipsec_ctl_resp_decode("ok", 2, &ok, msg, sizeof(msg),
						&body, &blen), -1);
	assert_int_equal(kipsec_ctl_resp_decode("", 0, &ok, msg, sizeof(msg),
						&body, &blen), -1);
}

static void test_global_socket_opt(void **state)
{
	struct kipsec_opts o = { 0 };
	char *argv[8];
	int argc = words("ike status -S /tmp/x.sock site-b", argv);

	(void)state;
	assert_int_equal(parse_global_opts(&argc, argv, &o, err, sizeof(err)), 0);
	assert_int_equal(argc, 3);
	assert_string_equal(o.socket, "/tmp/x.sock");
	assert_string_equal(argv[2], "site-b");
	argc = words("ike status -S", argv);
	assert_int_equal(parse_global_opts(&argc, argv, &o, err, sizeof(err)), -1);
	assert_string_equal(err, "\"-S\" needs the path of kipsecd's control socket");
}

static void test_transact_no_daemon(void **state)
{
	char *resp;
	size_t len;

	(void)state;
	assert_int_equal(kipsec_ctl_transact("/nonexistent/kipsecd.sock", "status\n",
					     &resp, &len, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "cannot reach kipsecd at /nonexistent/kipsecd.sock: No such file or directory (is kipsecd running?)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_grammar_errors),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_global_socket_opt),
		cmocka_unit_test(test_transact_no_daemon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
