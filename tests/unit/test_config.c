// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kipsecd.conf(5) (userland/kipsecd/config.c): every key,
 * every error with its exact message, PSK file checks on real files, and
 * the comparison used by reload.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../userland/kipsecd/config.h"

static char dir[64];		/* a temporary directory for each test */
static char conf[128];		/* DIR/kipsecd.conf, the name in messages */
static char psk[128];		/* DIR/site-b.psk, mode 0600, "secret\n" */
static char err[1024];
static struct kipsecd_config *cfg;

static void write_file(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kipsecd-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf, sizeof(conf), "%s/kipsecd.conf", dir);
	snprintf(psk, sizeof(psk), "%s/site-b.psk", dir);
	write_file(psk, "secret\n", 7, 0600);
	cfg = NULL;
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	kipsecd_config_free(cfg);
	cfg = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* @text with "@PSK@" replaced by the PSK file's path and "@DIR@" by the
 * directory; parsed as if from DIR/kipsecd.conf. */
static int parse(const char *text)
{
	char buf[8192];
	size_t used = 0;
	const char *p;

	for (p = text; *p && used < sizeof(buf) - 200;) {
		if (!strncmp(p, "@PSK@", 5)) {
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s", psk);
			p += 5;
		} else if (!strncmp(p, "@DIR@", 5)) {
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s", dir);
			p += 5;
		} else {
			buf[used++] = *p++;
		}
	}
	buf[used] = '\0';
	kipsecd_config_free(cfg);
	cfg = NULL;
	err[0] = '\0';
	return kipsecd_config_parse(conf, buf, used, &cfg, err, sizeof(err));
}

static const struct kipsecd_tunnel *ok(const char *text)
{
	if (parse(text))
		fail_msg("refused: %s", err);
	assert_non_null(cfg);
	assert_true(cfg->n_tunnels > 0);
	return &cfg->tunnels[0];
}

/* The error for @text is "DIR/kipsecd.conf:" followed by @msg, in which
 * @PSK@ and @DIR@ are replaced as in the text. */
static void fails(const char *text, const char *msg)
{
	char want[1400], m[1024];
	size_t used = 0;
	const char *p;

	assert_int_equal(parse(text), -1);
	assert_null(cfg);
	for (p = msg; *p && used < sizeof(m) - 200;) {
		if (!strncmp(p, "@PSK@", 5)) {
			used += (size_t)snprintf(m + used, sizeof(m) - used, "%s", psk);
			p += 5;
		} else if (!strncmp(p, "@DIR@", 5)) {
			used += (size_t)snprintf(m + used, sizeof(m) - used, "%s", dir);
			p += 5;
		} else {
			m[used++] = *p++;
		}
	}
	m[used] = '\0';
	snprintf(want, sizeof(want), "%s:%s", conf, m);
	assert_string_equal(err, want);
}

/* A tunnel with only the required keys; lines 1-5. */
#define BASE \
	"[tunnel site-b]\n" \
	"interface = kipsec0\n" \
	"local = 192.0.2.1\n" \
	"remote = 198.51.100.2\n" \
	"psk-file = @PSK@\n"

static void assert_addr(const struct kipsec_nl_addr *a, const char *text)
{
	struct kipsec_nl_addr want;

	memset(&want, 0, sizeof(want));
	if (inet_pton(AF_INET, text, &want.ip4) == 1) {
		assert_int_equal(a->family, AF_INET);
		assert_memory_equal(&a->ip4, &want.ip4, 4);
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &want.ip6), 1);
		assert_int_equal(a->family, AF_INET6);
		assert_memory_equal(&a->ip6, &want.ip6, 16);
	}
}

static void assert_p1(const struct kipsecd_tunnel *t, size_t i, const char *name)
{
	char buf[KIPSECD_PROPOSAL_NAME_MAX];

	assert_true(i < t->n_ike);
	assert_string_equal(kipsecd_p1_name(&t->ike[i], buf, sizeof(buf)), name);
}

static void assert_p2(const struct kipsecd_tunnel *t, size_t i, const char *name)
{
	char buf[KIPSECD_PROPOSAL_NAME_MAX];

	assert_true(i < t->n_ipsec);
	assert_string_equal(kipsecd_p2_name(&t->ipsec[i], buf, sizeof(buf)), name);
}

static void assert_pid(const struct kipsecd_tunnel *t, size_t i, const char *text)
{
	char buf[256];

	assert_true(i < t->n_proxy_ids);
	assert_string_equal(kipsecd_proxy_id_str(&t->proxy_ids[i], buf, sizeof(buf)), text);
}

/* Defaults */

static void test_minimal(void **state)
{
	const struct kipsecd_tunnel *t;
	char buf[64];

	(void)state;
	t = ok(BASE);
	assert_int_equal(cfg->n_tunnels, 1);
	assert_string_equal(cfg->path, conf);
	assert_string_equal(cfg->global.control_socket, "/run/kipsecd.sock");
	assert_int_equal(cfg->global.log_level, KIPSECD_LOG_INFO);
	assert_int_equal(cfg->global.log_target, KIPSECD_LOG_SYSLOG);
	assert_int_equal(cfg->global.ike_port, 500);

	assert_string_equal(t->name, "site-b");
	assert_int_equal(t->line, 1);
	assert_string_equal(t->ifname, "kipsec0");
	assert_addr(&t->local, "192.0.2.1");
	assert_addr(&t->remote, "198.51.100.2");
	assert_int_equal(t->mode, KIPSECD_MODE_MAIN);
	assert_true(t->local_id.from_address);
	assert_int_equal(t->local_id.type, KIPSECD_ID_IPV4_ADDR);
	assert_string_equal(kipsecd_id_str(&t->local_id, buf, sizeof(buf)), "192.0.2.1");
	assert_true(t->remote_id.from_address);
	assert_string_equal(kipsecd_id_str(&t->remote_id, buf, sizeof(buf)), "198.51.100.2");
	assert_string_equal(t->psk_file, psk);
	assert_int_equal(t->psk_len, 6);
	assert_memory_equal(t->psk, "secret", 6);

	assert_int_equal(t->n_ike, 2);
	assert_p1(t, 0, "aes256-sha256-modp2048");
	assert_p1(t, 1, "aes128-sha1-modp2048");
	assert_int_equal(t->ike_lifetime, 28800);
	assert_int_equal(t->n_ipsec, 2);
	assert_p2(t, 0, "g14-esp-aes256-sha256");
	assert_p2(t, 1, "g14-esp-aes128-sha");
	assert_int_equal(t->ipsec_lifetime, 3600);
	assert_int_equal(t->ipsec_lifetime_kb, 0);
	assert_int_equal(t->n_proxy_ids, 1);
	assert_pid(t, 0, "0.0.0.0/0 0.0.0.0/0");
	assert_int_equal(t->proxy_ids[0].local_type, KIPSECD_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(t->proxy_ids[0].pid.lport_max, 65535);
	assert_int_equal(t->replay_window, 64);
	assert_false(t->esn);
	assert_false(t->ah_align8);
	assert_int_equal(t->start, KIPSECD_START_ON_TRAFFIC);
	assert_int_equal(t->dpd_interval, 0);
	assert_int_equal(t->dpd_retries, 5);
}

static void test_empty_file(void **state)
{
	(void)state;
	assert_int_equal(parse("# nothing yet\n\n"), 0);
	assert_int_equal(cfg->n_tunnels, 0);
	assert_int_equal(cfg->global.ike_port, 500);
}

/* Every key */

static void test_every_key(void **state)
{
	const struct kipsecd_tunnel *t;
	char buf[300];

	(void)state;
	t = ok("# kipsecd.conf\n"
	       "[global]\n"
	       "control-socket = /run/kipsec/ctl.sock\n"
	       "log-level = debug\n"
	       "log-target = stderr\n"
	       "ike-port = 4500\n"
	       "\n"
	       "; the peer\n"
	       "[tunnel site-b]\n"
	       "  interface = kipsec7  \n"
	       "local=2001:db8::1\n"
	       "remote =2001:db8::2\r\n"
	       "mode = aggressive\n"
	       "local-id = fqdn:a.example.com\n"
	       "remote-id = user-fqdn:vpn@b.example.com\n"
	       "psk-file = @PSK@\n"
	       "ike-proposals = aes256-sha512-ecp384, aes128-sha256-g20\n"
	       "ike-lifetime = 2h\n"
	       "ipsec-proposals = g20-esp-aes256gcm16, g20-ah-sha512\n"
	       "ipsec-lifetime = 30m\n"
	       "ipsec-lifetime-kb = 102400\n"
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24\n"
	       "proxy-id = 2001:db8:1::/48 2001:db8:2::/48 proto tcp rport 443\n"
	       "replay-window = 1024\n"
	       "esn = on\n"
	       "start = immediately\n"
	       "dpd = 10s\n"
	       "dpd-retries = 3\n");
	assert_string_equal(cfg->global.control_socket, "/run/kipsec/ctl.sock");
	assert_int_equal(cfg->global.log_level, KIPSECD_LOG_DEBUG);
	assert_int_equal(cfg->global.log_target, KIPSECD_LOG_STDERR);
	assert_int_equal(cfg->global.ike_port, 4500);
	assert_int_equal(t->line, 9);
	assert_string_equal(t->ifname, "kipsec7");
	assert_addr(&t->local, "2001:db8::1");
	assert_addr(&t->remote, "2001:db8::2");
	assert_int_equal(t->mode, KIPSECD_MODE_AGGRESSIVE);
	assert_int_equal(t->local_id.type, KIPSECD_ID_FQDN);
	assert_false(t->local_id.from_address);
	assert_string_equal(t->local_id.name, "a.example.com");
	assert_string_equal(kipsecd_id_str(&t->local_id, buf, sizeof(buf)), "fqdn:a.example.com");
	assert_int_equal(t->remote_id.type, KIPSECD_ID_USER_FQDN);
	assert_string_equal(kipsecd_id_str(&t->remote_id, buf, sizeof(buf)),
			    "user-fqdn:vpn@b.example.com");
	assert_int_equal(t->n_ike, 2);
	assert_p1(t, 0, "aes256-sha512-ecp384");
	assert_p1(t, 1, "aes128-sha256-ecp384");
	assert_int_equal(t->ike_lifetime, 7200);
	assert_int_equal(t->n_ipsec, 2);
	assert_p2(t, 0, "g20-esp-aes256gcm16");
	assert_p2(t, 1, "g20-ah-sha512");
	assert_int_equal(t->ipsec_lifetime, 1800);
	assert_int_equal(t->ipsec_lifetime_kb, 102400);
	assert_int_equal(t->n_proxy_ids, 2);
	assert_pid(t, 0, "10.1.0.0/24 10.2.0.0/24");
	assert_int_equal(t->proxy_ids[0].line, 22);
	assert_pid(t, 1, "2001:db8:1::/48 2001:db8:2::/48 proto tcp rport 443");
	assert_int_equal(t->proxy_ids[1].line, 23);
	assert_int_equal(t->replay_window, 1024);
	assert_true(t->esn);
	assert_int_equal(t->start, KIPSECD_START_IMMEDIATELY);
	assert_int_equal(t->dpd_interval, 10);
	assert_int_equal(t->dpd_retries, 3);
}

/* The issue's example, with ipsec-proposals for esp-proposals. */
static void test_issue_example(void **state)
{
	const struct kipsecd_tunnel *t;

	(void)state;
	t = ok("[tunnel site-b]\n"
	       "interface = kipsec0\n"
	       "local = 192.0.2.1\n"
	       "remote = 198.51.100.2\n"
	       "mode = main\n"
	       "psk-file = @PSK@\n"
	       "ike-proposals = aes256-sha256-modp2048, aes128-sha1-modp1024\n"
	       "ike-lifetime = 8h\n"
	       "ipsec-proposals = standard\n"
	       "ipsec-lifetime = 1h\n"
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24\n"
	       "proxy-id = 10.1.0.0/24 10.3.0.0/24\n"
	       "replay-window = 64\n"
	       "start = on-traffic\n"
	       "dpd = 10s\n");
	assert_p1(t, 1, "aes128-sha1-modp1024");
	assert_int_equal(t->n_ipsec, 2);
	assert_p2(t, 0, "g2-esp-3des-sha");
	assert_p2(t, 1, "g2-esp-aes128-sha");
	assert_int_equal(t->n_proxy_ids, 2);
	assert_pid(t, 1, "10.1.0.0/24 10.3.0.0/24");
}

static void test_choices(void **state)
{
	(void)state;
	assert_int_equal(ok(BASE "start = respond-only\n")->start, KIPSECD_START_RESPOND_ONLY);
	assert_int_equal(ok(BASE "start = on-traffic\n")->start, KIPSECD_START_ON_TRAFFIC);
	assert_int_equal(ok(BASE "mode = main\n")->mode, KIPSECD_MODE_MAIN);
	assert_false(ok(BASE "esn = off\n")->esn);
	assert_true(ok(BASE "ah-align = 8\n")->ah_align8);
	assert_false(ok(BASE "ah-align = 4\n")->ah_align8);
	assert_int_equal(ok(BASE "replay-window = off\n")->replay_window, 0);
	assert_int_equal(ok(BASE "replay-window = 32\n")->replay_window, 32);
	assert_int_equal(ok(BASE "replay-window = 16384\n")->replay_window, 16384);
	assert_int_equal(ok(BASE "dpd = off\n")->dpd_interval, 0);
	assert_int_equal(ok(BASE "dpd = 0\n")->dpd_interval, 0);
	assert_int_equal(ok(BASE "dpd = 1h\n")->dpd_interval, 3600);
	assert_int_equal(ok(BASE "ipsec-lifetime-kb = off\n")->ipsec_lifetime_kb, 0);
	assert_int_equal(ok(BASE "ipsec-lifetime-kb = 0\n")->ipsec_lifetime_kb, 0);
	assert_int_equal(ok(BASE "ipsec-lifetime-kb = 64\n")->ipsec_lifetime_kb, 64);
	assert_int_equal(ok(BASE "ipsec-lifetime-kb = 4294967295\n")->ipsec_lifetime_kb,
			 4294967295u);
	assert_int_equal(ok(BASE "dpd-retries = 20\n")->dpd_retries, 20);
	assert_int_equal(ok("[global]\nlog-level = error\n" BASE)->line, 3);
	assert_int_equal(cfg->global.log_level, KIPSECD_LOG_ERROR);
	ok("[global]\nlog-level = warning\nlog-target = syslog\n" BASE);
	assert_int_equal(cfg->global.log_level, KIPSECD_LOG_WARNING);
	ok("[global]\nlog-level = notice\n" BASE);
	assert_int_equal(cfg->global.log_level, KIPSECD_LOG_NOTICE);
	ok("[global]\nike-port = 65535\n" BASE);
	assert_int_equal(cfg->global.ike_port, 65535);
}

static void test_choice_errors(void **state)
{
	(void)state;
	fails(BASE "mode = quick\n", "6: key 'mode': 'quick' is not main or aggressive");
	fails(BASE "start = now\n",
	      "6: key 'start': 'now' is not on-traffic, immediately or respond-only");
	fails(BASE "esn = yes\n", "6: key 'esn': 'yes' is not off or on");
	fails(BASE "ah-align = 2\n", "6: key 'ah-align': '2' is not 4 or 8");
	fails(BASE "replay-window = 31\n",
	      "6: key 'replay-window': '31' is not off or a number of packets from 32 to 16384");
	fails(BASE "replay-window = 16385\n",
	      "6: key 'replay-window': '16385' is not off or a number of packets from 32 to 16384");
	fails(BASE "replay-window = 0\n",
	      "6: key 'replay-window': '0' is not off or a number of packets from 32 to 16384");
	fails(BASE "ipsec-lifetime-kb = 63\n",
	      "6: key 'ipsec-lifetime-kb': '63' is not off or a number of kilobytes from 64 to 4294967295");
	fails(BASE "ipsec-lifetime-kb = 4294967296\n",
	      "6: key 'ipsec-lifetime-kb': '4294967296' is not off or a number of kilobytes from 64 to 4294967295");
	fails(BASE "ipsec-lifetime-kb = 100MB\n",
	      "6: key 'ipsec-lifetime-kb': '100MB' is not off or a number of kilobytes from 64 to 4294967295");
	fails(BASE "dpd-retries = 0\n", "6: key 'dpd-retries': '0' is not a number from 1 to 20");
	fails(BASE "dpd-retries = 21\n", "6: key 'dpd-retries': '21' is not a number from 1 to 20");
	fails("[global]\nlog-level = verbose\n",
	      "2: key 'log-level': 'verbose' is not error, warning, notice, info or debug");
	fails("[global]\nlog-target = file\n",
	      "2: key 'log-target': 'file' is not syslog or stderr");
	fails("[global]\nike-port = 0\n", "2: key 'ike-port': '0' is not a port from 1 to 65535");
	fails("[global]\nike-port = 65536\n",
	      "2: key 'ike-port': '65536' is not a port from 1 to 65535");
	fails("[global]\ncontrol-socket = run/kipsecd.sock\n",
	      "2: key 'control-socket': 'run/kipsecd.sock' is not an absolute path");
	fails("[global]\ncontrol-socket = /run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	      "2: key 'control-socket': '/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is longer than 107 characters");
}

/* Durations */

static void test_durations(void **state)
{
	(void)state;
	assert_int_equal(ok(BASE "ike-lifetime = 86400\n")->ike_lifetime, 86400);
	assert_int_equal(ok(BASE "ike-lifetime = 1d\n")->ike_lifetime, 86400);
	assert_int_equal(ok(BASE "ike-lifetime = 10s\n")->ike_lifetime, 10);
	assert_int_equal(ok(BASE "ike-lifetime = 90m\n")->ike_lifetime, 5400);
	assert_int_equal(ok(BASE "ipsec-lifetime = 24h\n")->ipsec_lifetime, 86400);
	assert_int_equal(ok(BASE "ipsec-lifetime = 10\n")->ipsec_lifetime, 10);
	assert_int_equal(ok(BASE "dpd = 90s\n")->dpd_interval, 90);
	assert_int_equal(ok(BASE "dpd = 2m\n")->dpd_interval, 120);
}

static void test_duration_errors(void **state)
{
	(void)state;
	fails(BASE "ike-lifetime = 2d\n",
	      "6: key 'ike-lifetime': '2d' is not from 10 to 86400 seconds");
	fails(BASE "ike-lifetime = 9\n",
	      "6: key 'ike-lifetime': '9' is not from 10 to 86400 seconds");
	fails(BASE "ipsec-lifetime = 0\n",
	      "6: key 'ipsec-lifetime': '0' is not from 10 to 86400 seconds");
	fails(BASE "ipsec-lifetime = 1w\n",
	      "6: key 'ipsec-lifetime': '1w' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
	fails(BASE "ipsec-lifetime = h\n",
	      "6: key 'ipsec-lifetime': 'h' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
	fails(BASE "ipsec-lifetime = 1h30m\n",
	      "6: key 'ipsec-lifetime': '1h30m' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
	fails(BASE "ipsec-lifetime = -5\n",
	      "6: key 'ipsec-lifetime': '-5' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
	fails(BASE "ipsec-lifetime = 99999999999999999999\n",
	      "6: key 'ipsec-lifetime': '99999999999999999999' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
	fails(BASE "ipsec-lifetime = 4294967295d\n",
	      "6: key 'ipsec-lifetime': '4294967295d' is not from 10 to 86400 seconds");
	fails(BASE "dpd = 2h\n", "6: key 'dpd': '2h' is not from 0 to 3600 seconds");
	fails(BASE "dpd = sometimes\n",
	      "6: key 'dpd': 'sometimes' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)");
}

/* Endpoints and identities */

static void test_endpoint_errors(void **state)
{
	(void)state;
	fails("[tunnel a]\ninterface = kipsec0\nlocal = 192.0.2.300\n",
	      "3: key 'local': '192.0.2.300' is not an IPv4 or IPv6 address");
	fails("[tunnel a]\nremote = gw.example.com\n",
	      "2: key 'remote': 'gw.example.com' is not an IPv4 or IPv6 address");
	fails("[tunnel a]\nremote = 0.0.0.0\n",
	      "2: key 'remote': '0.0.0.0' is the unspecified address; give the address itself");
	fails("[tunnel a]\nlocal = ::\n",
	      "2: key 'local': '::' is the unspecified address; give the address itself");
	fails("[tunnel a]\ninterface = kipsec0123456789\n",
	      "2: key 'interface': 'kipsec0123456789' is longer than 15 characters");
	fails("[tunnel a]\ninterface = kip:0\n",
	      "2: key 'interface': 'kip:0' is not a valid interface name");
	fails("[tunnel a]\ninterface = ..\n",
	      "2: key 'interface': '..' is not a valid interface name");
	fails("[tunnel a]\ninterface = kip sec\n",
	      "2: key 'interface': 'kip sec' is not a valid interface name");
	fails("[tunnel site-b]\ninterface = kipsec0\nlocal = 192.0.2.1\n"
	      "remote = 2001:db8::2\npsk-file = @PSK@\n",
	      "4: key 'remote': 2001:db8::2 is IPv6 but local 192.0.2.1 is IPv4");
	fails("[tunnel site-b]\ninterface = kipsec0\nlocal = 192.0.2.1\n"
	      "remote = 192.0.2.1\npsk-file = @PSK@\n",
	      "4: key 'remote': 192.0.2.1 is also the local address");
}

static void test_ids(void **state)
{
	const struct kipsecd_tunnel *t;
	char buf[300];

	(void)state;
	t = ok(BASE "local-id = 203.0.113.5\nremote-id = 2001:db8::9\n");
	assert_int_equal(t->local_id.type, KIPSECD_ID_IPV4_ADDR);
	assert_false(t->local_id.from_address);
	assert_addr(&t->local_id.addr, "203.0.113.5");
	assert_int_equal(t->remote_id.type, KIPSECD_ID_IPV6_ADDR);
	assert_string_equal(kipsecd_id_str(&t->remote_id, buf, sizeof(buf)), "2001:db8::9");
	t = ok(BASE "local-id = fqdn:gw_1.example-a.com\nremote-id = user-fqdn:a.b+c@x.org\n");
	assert_string_equal(t->local_id.name, "gw_1.example-a.com");
	assert_string_equal(t->remote_id.name, "a.b+c@x.org");
	assert_int_equal(t->remote_id.type, KIPSECD_ID_USER_FQDN);
}

static void test_id_errors(void **state)
{
	char line[400], msg[600];

	(void)state;
	fails(BASE "local-id = gw.example.com\n",
	      "6: key 'local-id': 'gw.example.com' is not an IPv4 or IPv6 address, fqdn:NAME or user-fqdn:USER@HOST");
	fails(BASE "remote-id = fqdn:\n", "6: key 'remote-id': 'fqdn:' has no name after the colon");
	fails(BASE "remote-id = fqdn:a b.com\n",
	      "6: key 'remote-id': 'fqdn:a b.com' is not a valid domain name: ' '");
	fails(BASE "remote-id = fqdn:a@b.com\n",
	      "6: key 'remote-id': 'fqdn:a@b.com' is not a valid domain name: '@'");
	fails(BASE "remote-id = user-fqdn:b.com\n",
	      "6: key 'remote-id': 'user-fqdn:b.com' is not user-fqdn:USER@HOST");
	fails(BASE "remote-id = user-fqdn:@b.com\n",
	      "6: key 'remote-id': 'user-fqdn:@b.com' is not user-fqdn:USER@HOST");
	fails(BASE "remote-id = user-fqdn:a@\n",
	      "6: key 'remote-id': 'user-fqdn:a@' is not user-fqdn:USER@HOST");
	fails(BASE "remote-id = user-fqdn:a@b@c\n",
	      "6: key 'remote-id': 'user-fqdn:a@b@c' is not user-fqdn:USER@HOST");
	fails(BASE "remote-id = user-fqdn:a b@c\n",
	      "6: key 'remote-id': 'user-fqdn:a b@c' has a space or control character");
	memset(line, 'a', 256);
	line[256] = '\0';
	snprintf(msg, sizeof(msg), "%slocal-id = fqdn:%s\n", BASE, line);
	assert_int_equal(parse(msg), -1);
	assert_non_null(strstr(err, ":6: key 'local-id': 'fqdn:aaaa"));
	assert_non_null(strstr(err, "' is longer than 255 characters after the colon"));
}

/* PSK files */

static void psk_mode_fails(mode_t mode, const char *what)
{
	char msg[512];

	assert_int_equal(chmod(psk, mode), 0);
	snprintf(msg, sizeof(msg), "5: key 'psk-file': PSK file @PSK@ is %s (mode %04o); chmod 600 it",
		 what, (unsigned int)mode);
	fails(BASE, msg);
}

static void test_psk_modes(void **state)
{
	(void)state;
	psk_mode_fails(0644, "readable by others");
	psk_mode_fails(0604, "readable by others");
	psk_mode_fails(0640, "readable by its group");
	psk_mode_fails(0660, "readable by its group");
	psk_mode_fails(0620, "writable by group or others");
	psk_mode_fails(0602, "writable by group or others");
	psk_mode_fails(0610, "executable by group or others");
	psk_mode_fails(0601, "executable by group or others");
	psk_mode_fails(04600 | 0004, "readable by others");
	assert_int_equal(chmod(psk, 0400), 0);
	ok(BASE);
	assert_int_equal(chmod(psk, 0700), 0);
	ok(BASE);
	if (geteuid() == 0) {
		/* Mode 0 is fine for root, who reads it anyway. */
		assert_int_equal(chmod(psk, 0), 0);
		ok(BASE);
		assert_memory_equal(cfg->tunnels[0].psk, "secret", 6);
	}
}

static void test_psk_owner(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		/* Only root can give a file away. */
		skip();
	}
	assert_int_equal(chown(psk, 12345, 0), 0);
	assert_int_equal(chmod(psk, 0600), 0);
	fails(BASE, "5: key 'psk-file': PSK file @PSK@ is owned by uid 12345, not by root or kipsecd's uid 0; chown it");
}

static void test_psk_content(void **state)
{
	char path[160], big[KIPSECD_PSK_MAX + 2];
	const struct kipsecd_tunnel *t;

	(void)state;
	write_file(psk, "s3cr3t with spaces \r\n", 21, 0600);
	t = ok(BASE);
	assert_int_equal(t->psk_len, 19);	/* spaces are the PSK's own */
	assert_memory_equal(t->psk, "s3cr3t with spaces ", 19);

	write_file(psk, "no newline", 10, 0600);
	assert_int_equal(ok(BASE)->psk_len, 10);

	write_file(psk, "two\n\n", 5, 0600);	/* only one line end is taken off */
	assert_int_equal(ok(BASE)->psk_len, 4);

	write_file(psk, "a\0b\xff", 4, 0600);	/* any bytes */
	t = ok(BASE);
	assert_int_equal(t->psk_len, 4);
	assert_memory_equal(t->psk, "a\0b\xff", 4);

	memset(big, 'k', sizeof(big));
	write_file(psk, big, KIPSECD_PSK_MAX, 0600);
	assert_int_equal(ok(BASE)->psk_len, KIPSECD_PSK_MAX);
	big[KIPSECD_PSK_MAX] = '\n';
	write_file(psk, big, KIPSECD_PSK_MAX + 1, 0600);
	assert_int_equal(ok(BASE)->psk_len, KIPSECD_PSK_MAX);
	write_file(psk, big, KIPSECD_PSK_MAX + 2, 0600);
	fails(BASE, "5: key 'psk-file': PSK file @PSK@ holds more than 1024 bytes");

	write_file(psk, "\n", 1, 0600);
	fails(BASE, "5: key 'psk-file': PSK file @PSK@ is empty");
	write_file(psk, "", 0, 0600);
	fails(BASE, "5: key 'psk-file': PSK file @PSK@ is empty");

	/* Relative to the configuration file's directory. */
	snprintf(path, sizeof(path), "%s/rel.psk", dir);
	write_file(path, "relative\n", 9, 0600);
	t = ok("[tunnel a]\ninterface = k0\nlocal = 192.0.2.1\nremote = 192.0.2.2\n"
	       "psk-file = rel.psk\n");
	assert_string_equal(t->psk_file, path);
	assert_memory_equal(t->psk, "relative", 8);
}

static void test_psk_file_errors(void **state)
{
	char sub[160];

	(void)state;
	fails("[tunnel a]\npsk-file = @DIR@/missing.psk\n",
	      "2: key 'psk-file': cannot open PSK file @DIR@/missing.psk: No such file or directory");
	fails("[tunnel a]\npsk-file = missing.psk\n",
	      "2: key 'psk-file': cannot open PSK file @DIR@/missing.psk: No such file or directory");
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	fails("[tunnel a]\npsk-file = @DIR@/sub\n",
	      "2: key 'psk-file': PSK file @DIR@/sub is not a regular file");
	fails("[tunnel a]\npsk-file = /dev/null\n",
	      "2: key 'psk-file': PSK file /dev/null is not a regular file");
}

/* Proxy IDs */

static void test_proxy_ids(void **state)
{
	const struct kipsecd_tunnel *t;
	const struct kipsecd_proxy_id *p;

	(void)state;
	t = ok(BASE
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24\n"
	       "proxy-id = 10.1.0.1 10.2.0.0-10.2.0.255\n"
	       "proxy-id = any 10.9.0.0/16\n"
	       "proxy-id = 10.1.0.0/24 any proto udp lport 500 rport 0-65535\n"
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto tcp lport any rport 0\n"
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24 rport 443 proto 6\n"
	       "proxy-id = ::/0 2001:db8::/32 proto ipv6-icmp\n"
	       "proxy-id = 2001:db8::1 any\n"
	       "proxy-id = 2001:db8:1::-2001:db8:1::ffff 2001:db8::/32 proto 47\n"
	       "proxy-id =\t0.0.0.0/0\t0.0.0.0/0   proto sctp   lport 9\n");
	assert_int_equal(t->n_proxy_ids, 10);
	assert_pid(t, 0, "10.1.0.0/24 10.2.0.0/24");
	p = &t->proxy_ids[0];
	assert_int_equal(p->local_type, KIPSECD_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(p->remote_type, KIPSECD_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(p->pid.proto, 0);
	assert_int_equal(p->pid.lport_min, 0);
	assert_int_equal(p->pid.lport_max, 65535);
	assert_int_equal(p->pid.rport_min, 0);
	assert_int_equal(p->pid.rport_max, 65535);
	assert_int_equal(p->line, 6);

	p = &t->proxy_ids[1];
	assert_pid(t, 1, "10.1.0.1 10.2.0.0-10.2.0.255");
	assert_int_equal(p->local_type, KIPSECD_ID_IPV4_ADDR);
	assert_int_equal(p->pid.local.len, 32);
	assert_int_equal(p->remote_type, KIPSECD_ID_IPV4_ADDR_RANGE);
	assert_int_equal(p->pid.remote.len, 24);
	assert_addr(&p->pid.remote.addr, "10.2.0.0");

	assert_pid(t, 2, "0.0.0.0/0 10.9.0.0/16");
	assert_int_equal(t->proxy_ids[2].pid.local.addr.family, AF_INET);
	assert_int_equal(t->proxy_ids[2].local_type, KIPSECD_ID_IPV4_ADDR_SUBNET);

	p = &t->proxy_ids[3];
	assert_pid(t, 3, "10.1.0.0/24 0.0.0.0/0 proto udp lport 500");
	assert_int_equal(p->pid.proto, IPPROTO_UDP);
	assert_int_equal(p->pid.lport_min, 500);
	assert_int_equal(p->pid.lport_max, 500);
	assert_int_equal(p->pid.rport_min, 0);
	assert_int_equal(p->pid.rport_max, 65535);

	assert_pid(t, 4, "10.1.0.0/24 10.2.0.0/24 proto tcp");
	assert_pid(t, 5, "10.1.0.0/24 10.2.0.0/24 proto tcp rport 443");
	assert_pid(t, 6, "::/0 2001:db8::/32 proto ipv6-icmp");
	assert_int_equal(t->proxy_ids[6].local_type, KIPSECD_ID_IPV6_ADDR_SUBNET);
	assert_pid(t, 7, "2001:db8::1 ::/0");
	assert_int_equal(t->proxy_ids[7].local_type, KIPSECD_ID_IPV6_ADDR);
	assert_int_equal(t->proxy_ids[7].pid.local.len, 128);
	assert_pid(t, 8, "2001:db8:1::-2001:db8:1::ffff 2001:db8::/32 proto gre");
	assert_int_equal(t->proxy_ids[8].local_type, KIPSECD_ID_IPV6_ADDR_RANGE);
	assert_int_equal(t->proxy_ids[8].pid.local.len, 112);
	assert_pid(t, 9, "0.0.0.0/0 0.0.0.0/0 proto sctp lport 9");
}

static void test_proxy_id_errors(void **state)
{
	(void)state;
	fails(BASE "proxy-id = 10.1.0.0/24\n",
	      "6: key 'proxy-id': '10.1.0.0/24' is not LOCAL REMOTE [proto PROTO] [lport PORT] [rport PORT]");
	fails(BASE "proxy-id = 10.1.0.0/33 10.2.0.0/24\n",
	      "6: key 'proxy-id': the prefix length of '10.1.0.0/33' is not a number from 0 to 32");
	fails(BASE "proxy-id = 10.1.0.0/24 2001:db8::/129\n",
	      "6: key 'proxy-id': the prefix length of '2001:db8::/129' is not a number from 0 to 128");
	fails(BASE "proxy-id = 10.1.0.0/ 10.2.0.0/24\n",
	      "6: key 'proxy-id': the prefix length of '10.1.0.0/' is not a number from 0 to 32");
	fails(BASE "proxy-id = 10.1.0.1/24 10.2.0.0/24\n",
	      "6: key 'proxy-id': '10.1.0.1/24' has host bits set; did you mean 10.1.0.0/24?");
	fails(BASE "proxy-id = 10.1.0.0/24 2001:db8::1/64\n",
	      "6: key 'proxy-id': '2001:db8::1/64' has host bits set; did you mean 2001:db8::/64?");
	fails(BASE "proxy-id = lan 10.2.0.0/24\n",
	      "6: key 'proxy-id': 'lan' is not an address, ADDRESS/LENGTH, FIRST-LAST range or any");
	fails(BASE "proxy-id = 10.1.0.0-2001:db8:: 10.2.0.0/24\n",
	      "6: key 'proxy-id': '10.1.0.0-2001:db8::' is not an address, ADDRESS/LENGTH, FIRST-LAST range or any");
	fails(BASE "proxy-id = 10.1.0.1-10.1.0.9 10.2.0.0/24\n",
	      "6: key 'proxy-id': the range '10.1.0.1-10.1.0.9' is not one prefix; the module matches prefixes");
	fails(BASE "proxy-id = 10.1.0.0-10.1.0.254 10.2.0.0/24\n",
	      "6: key 'proxy-id': the range '10.1.0.0-10.1.0.254' is not one prefix; the module matches prefixes");
	fails(BASE "proxy-id = 10.1.0.255-10.1.0.0 10.2.0.0/24\n",
	      "6: key 'proxy-id': the range '10.1.0.255-10.1.0.0' is not one prefix; the module matches prefixes");
	fails(BASE "proxy-id = 10.1.0.0/24 2001:db8::/32\n",
	      "6: key 'proxy-id': '10.1.0.0/24' and '2001:db8::/32' are of different address families");
	fails(BASE "proxy-id = any any\n",
	      "6: key 'proxy-id': 'any' on both sides has no address family; write 0.0.0.0/0 or ::/0");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 protocol tcp\n",
	      "6: key 'proxy-id': 'protocol' is not proto, lport or rport");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto tcp proto udp\n",
	      "6: key 'proxy-id': 'proto' is given twice");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto\n",
	      "6: key 'proxy-id': 'proto' needs a value");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto esp\n",
	      "6: key 'proxy-id': 'esp' is not a protocol number (0-255) or name (any, tcp, udp, icmp, ipv6-icmp, sctp, gre)");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto 256\n",
	      "6: key 'proxy-id': '256' is not a protocol number (0-255) or name (any, tcp, udp, icmp, ipv6-icmp, sctp, gre)");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto tcp lport 1024-65535\n",
	      "6: key 'proxy-id': '1024-65535': IKEv1 proxy IDs carry one port or any (0-65535), not a range");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto tcp rport 65536\n",
	      "6: key 'proxy-id': '65536' is not a port (1-65535) or any");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 lport 500\n",
	      "6: key 'proxy-id': 'lport' needs proto tcp, udp or sctp");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto icmp rport 8\n",
	      "6: key 'proxy-id': 'rport' needs proto tcp, udp or sctp");
	fails(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24\nproxy-id = 10.1.0.0/24   10.2.0.0-10.2.0.255\n",
	      "7: key 'proxy-id': '10.1.0.0/24   10.2.0.0-10.2.0.255' is the same proxy ID as line 6");
}

/* Proposals in the file */

static void test_proposal_keys(void **state)
{
	const struct kipsecd_tunnel *t;

	(void)state;
	t = ok(BASE "ipsec-proposals = compatible\n");
	assert_int_equal(t->n_ipsec, 4);
	assert_p2(t, 3, "nopfs-esp-des-md5");
	t = ok(BASE "ipsec-proposals = basic\n");
	assert_int_equal(t->n_ipsec, 2);
	assert_p2(t, 0, "nopfs-esp-des-sha");
	t = ok(BASE "ipsec-proposals = g14-esp-aes256gcm16, g14-ah-sha256\n");
	assert_int_equal(t->n_ipsec, 2);
	assert_p2(t, 1, "g14-ah-sha256");
}

static void test_proposal_key_errors(void **state)
{
	(void)state;
	fails(BASE "ike-proposals = aes256-sha7-modp2048\n",
	      "6: key 'ike-proposals': 'aes256-sha7-modp2048': 'sha7' is not a Phase 1 hash (md5, sha1, sha256, sha384, sha512)");
	fails(BASE "ipsec-proposals = standard, g2-esp-aes128-sha7\n",
	      "6: key 'ipsec-proposals': 'g2-esp-aes128-sha7': 'sha7' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)");
	fails(BASE "ipsec-proposals = compatible, nopfs-ah-sha\n",
	      "6: key 'ipsec-proposals': 'nopfs-ah-sha' is one proposal too many: at most 4 may be offered");
	fails(BASE "ipsec-proposals = standard, basic\n",
	      "6: key 'ipsec-proposals': 'g2-esp-3des-sha' and 'nopfs-esp-des-sha' differ in PFS; Quick Mode carries one key exchange, so every proposal must use the same group or nopfs");
	fails(BASE "mode = aggressive\nike-proposals = aes256-sha256-modp2048, aes128-sha1-modp1024\n",
	      "7: key 'ike-proposals': 'aes256-sha256-modp2048' and 'aes128-sha1-modp1024' use different groups; Aggressive Mode sends one key exchange, so every proposal must use the same group");
	/* The default proposals share one group, so aggressive mode takes them. */
	assert_int_equal(ok(BASE "mode = aggressive\n")->n_ike, 2);
}

/* Structure */

static void test_structure_errors(void **state)
{
	(void)state;
	fails("interface = kipsec0\n",
	      "1: key 'interface': outside any section; put it under [global] or [tunnel NAME]");
	fails("[tunnels a]\n", "1: unknown section [tunnels a]; sections are [global] and [tunnel NAME]");
	fails("[peer a]\n", "1: unknown section [peer a]; sections are [global] and [tunnel NAME]");
	fails("[tunnel]\n", "1: section [tunnel] needs a NAME");
	fails("[tunnel a b]\n",
	      "1: tunnel name 'a b' is not 1 to 63 letters, digits, '.', '-' or '_'");
	fails("[tunnel a/b]\n",
	      "1: tunnel name 'a/b' is not 1 to 63 letters, digits, '.', '-' or '_'");
	fails("[tunnel a\n", "1: '[tunnel a' is not a [section] header");
	fails("[tunnel a] x\n", "1: '[tunnel a] x' is not a [section] header");
	fails(BASE "[tunnel site-b]\n", "6: tunnel 'site-b' is already defined at line 1");
	fails("[global]\n[global]\n", "2: section [global] is already at line 1");
	fails(BASE "[global]\n", "6: section [global] must come before the first [tunnel]");
	fails(BASE "just words\n", "6: 'just words' is not 'key = value', a [section] or a comment");
	fails(BASE "= value\n", "6: a value without a key");
	fails(BASE "colour = blue\n", "6: key 'colour': unknown key");
	fails(BASE "esp-proposals = standard\n",
	      "6: key 'esp-proposals': unknown key; did you mean 'ipsec-proposals'?");
	fails(BASE "psk = secret\n",
	      "6: key 'psk': unknown key; the PSK goes in a file named by 'psk-file'");
	fails(BASE "start = on-traffic\nstart = immediately\n",
	      "7: key 'start': given twice (first at line 6)");
	fails(BASE "interface = kipsec1\n", "6: key 'interface': given twice (first at line 2)");
	fails(BASE "dpd =\n", "6: key 'dpd': needs a value");
	fails(BASE "log-level = debug\n", "6: key 'log-level': belongs in [global], not in a [tunnel]");
	fails("[global]\nremote = 192.0.2.1\n",
	      "2: key 'remote': belongs in a [tunnel NAME], not in [global]");
}

static void test_required_keys(void **state)
{
	(void)state;
	fails("[tunnel site-b]\nlocal = 192.0.2.1\nremote = 198.51.100.2\npsk-file = @PSK@\n",
	      "1: key 'interface': missing from [tunnel site-b]");
	fails("# c\n[tunnel x]\ninterface = kipsec0\nremote = 198.51.100.2\npsk-file = @PSK@\n",
	      "2: key 'local': missing from [tunnel x]");
	fails("[tunnel x]\ninterface = kipsec0\nlocal = 192.0.2.1\npsk-file = @PSK@\n[tunnel y]\n",
	      "1: key 'remote': missing from [tunnel x]");
	fails(BASE "[tunnel y]\ninterface = kipsec1\nlocal = 192.0.2.1\nremote = 198.51.100.3\n",
	      "6: key 'psk-file': missing from [tunnel y]");
}

static void test_two_tunnels(void **state)
{
	(void)state;
	ok(BASE "[tunnel site-c]\ninterface = kipsec1\nlocal = 192.0.2.1\n"
	   "remote = 198.51.100.3\npsk-file = @PSK@\n");
	assert_int_equal(cfg->n_tunnels, 2);
	assert_int_equal(cfg->tunnels[1].line, 6);
	assert_ptr_equal(kipsecd_config_tunnel(cfg, "site-c"), &cfg->tunnels[1]);
	assert_ptr_equal(kipsecd_config_tunnel(cfg, "site-b"), &cfg->tunnels[0]);
	assert_null(kipsecd_config_tunnel(cfg, "site-d"));

	fails(BASE "[tunnel site-c]\ninterface = kipsec0\nlocal = 192.0.2.1\n"
	      "remote = 198.51.100.3\npsk-file = @PSK@\n",
	      "7: key 'interface': kipsec0 is already the interface of tunnel 'site-b' (line 1)");
	fails(BASE "[tunnel site-c]\ninterface = kipsec1\nlocal = 192.0.2.1\n"
	      "remote = 198.51.100.2\npsk-file = @PSK@\n",
	      "9: key 'remote': tunnel 'site-b' (line 1) has the same local and remote address; a peer is found by its address");
}

/* An ACQUIRE's selector (one address each side) to the proxy ID. */
static void sel4(struct kipsec_proxy_id *sel, const char *src, const char *dst,
		 uint8_t proto, uint16_t sport, uint16_t dport)
{
	memset(sel, 0, sizeof(*sel));
	sel->local.addr.family = sel->remote.addr.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, src, &sel->local.addr.ip4), 1);
	assert_int_equal(inet_pton(AF_INET, dst, &sel->remote.addr.ip4), 1);
	sel->local.len = sel->remote.len = 32;
	sel->proto = proto;
	sel->lport_min = sel->lport_max = sport;
	sel->rport_min = sel->rport_max = dport;
}

static void test_proxy_id_match(void **state)
{
	const struct kipsecd_tunnel *t;
	struct kipsec_proxy_id sel;

	(void)state;
	t = ok(BASE "proxy-id = 10.1.0.0/24 10.2.0.0/24 proto tcp rport 443\n"
	       "proxy-id = 10.1.0.0/24 10.2.0.0/24\n"
	       "proxy-id = 10.1.1.5 10.3.0.0/16\n"
	       "proxy-id = 2001:db8:1::/48 2001:db8:2::/48\n");
	sel4(&sel, "10.1.0.7", "10.2.0.9", IPPROTO_TCP, 40000, 443);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 0);
	sel4(&sel, "10.1.0.7", "10.2.0.9", IPPROTO_TCP, 40000, 80);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 1);
	sel4(&sel, "10.1.0.7", "10.2.0.9", IPPROTO_ICMP, 0, 0);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 1);
	sel4(&sel, "10.1.1.5", "10.3.200.1", IPPROTO_UDP, 1, 2);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 2);
	sel4(&sel, "10.1.1.6", "10.3.200.1", IPPROTO_UDP, 1, 2);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), -1);
	sel4(&sel, "10.2.0.1", "10.1.0.1", 0, 0, 0);	/* the wrong way round */
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), -1);
	/* IPv6 link-local chatter */
	memset(&sel, 0, sizeof(sel));
	sel.local.addr.family = sel.remote.addr.family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", &sel.local.addr.ip6);
	inet_pton(AF_INET6, "ff02::2", &sel.remote.addr.ip6);
	sel.local.len = sel.remote.len = 128;
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), -1);
	inet_pton(AF_INET6, "2001:db8:1:ffff::1", &sel.local.addr.ip6);
	inet_pton(AF_INET6, "2001:db8:2::7", &sel.remote.addr.ip6);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 3);
	/* the default 0.0.0.0/0 takes any IPv4 packet */
	t = ok(BASE);
	sel4(&sel, "192.168.9.9", "8.8.8.8", IPPROTO_UDP, 5, 53);
	assert_int_equal(kipsecd_proxy_id_match(t, &sel), 0);
}

static void test_load_file(void **state)
{
	char text[512];
	int n;

	(void)state;
	n = snprintf(text, sizeof(text),
		     "[tunnel site-b]\ninterface = kipsec0\nlocal = 192.0.2.1\n"
		     "remote = 198.51.100.2\npsk-file = site-b.psk\n");
	write_file(conf, text, (size_t)n, 0644);
	assert_int_equal(kipsecd_config_load(conf, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->tunnels[0].psk_file, psk);
	kipsecd_config_free(cfg);
	cfg = NULL;

	n = snprintf(text, sizeof(text), "[tunnel a]\nmode = fast\n");
	write_file(conf, text, (size_t)n, 0644);
	assert_int_equal(kipsecd_config_load(conf, &cfg, err, sizeof(err)), -1);
	assert_null(cfg);
	snprintf(text, sizeof(text), "%s:2: key 'mode': 'fast' is not main or aggressive", conf);
	assert_string_equal(err, text);

	snprintf(text, sizeof(text), "%s/none.conf", dir);
	assert_int_equal(kipsecd_config_load(text, &cfg, err, sizeof(err)), -1);
	strcat(text, ": No such file or directory");
	assert_string_equal(err, text);

	kipsecd_config_free(NULL);
}

static void test_too_long(void **state)
{
	static char text[KIPSECD_CONFIG_MAX + 2];
	char line[700];

	(void)state;
	memset(text, '#', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(kipsecd_config_parse("x.conf", text, sizeof(text) - 1, &cfg, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "x.conf: longer than 1048576 bytes");

	memset(line, 'a', 600);
	line[600] = '\0';
	snprintf(text, sizeof(text), "%sproxy-id = %s b\n", BASE, line);
	assert_int_equal(parse(text), -1);
	snprintf(line, sizeof(line), "%s:6: key 'proxy-id': '%.40s...' is too long", conf, text + strlen(BASE) + 11);
	assert_string_equal(err, line);
	fails(BASE "ipsec-proposals = g14-esp-aes256gcm16, g14-esp-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	      "6: key 'ipsec-proposals': 'g14-esp-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a Phase 2 proposal");
	fails(BASE "ike-proposals = aes128-sha1-g14-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	      "6: key 'ike-proposals': 'aes128-sha1-g14-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a Phase 1 proposal");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[tunnel a]\nmode = ma\0in\n";

	(void)state;
	assert_int_equal(kipsecd_config_parse("x.conf", text, sizeof(text) - 1, &cfg, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "x.conf:2: a NUL byte in the line");
}

/* Reload */

#define TUNNEL_C \
	"[tunnel site-c]\ninterface = kipsec1\nlocal = 192.0.2.1\n" \
	"remote = 198.51.100.3\npsk-file = @PSK@\n"
#define TUNNEL_D \
	"[tunnel site-d]\ninterface = kipsec2\nlocal = 192.0.2.1\n" \
	"remote = 198.51.100.4\npsk-file = @PSK@\n"

static struct kipsecd_config *take(const char *text)
{
	struct kipsecd_config *c;

	ok(text);
	c = cfg;
	cfg = NULL;
	return c;
}

static void test_diff(void **state)
{
	struct kipsecd_config *a, *b;
	struct kipsecd_tunnel_diff *d;
	bool global;
	size_t n;

	(void)state;
	a = take(BASE "dpd = 10s\n" TUNNEL_C);
	b = take("[global]\nlog-level = debug\n" TUNNEL_D BASE "dpd = 20s\n");
	assert_int_equal(kipsecd_config_diff(a, b, &d, &n, &global), 0);
	assert_true(global);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].name, "site-c");
	assert_int_equal(d[0].change, KIPSECD_TUNNEL_REMOVED);
	assert_ptr_equal(d[0].old_t, &a->tunnels[1]);
	assert_null(d[0].new_t);
	assert_string_equal(d[1].name, "site-d");
	assert_int_equal(d[1].change, KIPSECD_TUNNEL_ADDED);
	assert_null(d[1].old_t);
	assert_ptr_equal(d[1].new_t, &b->tunnels[0]);
	assert_string_equal(d[2].name, "site-b");
	assert_int_equal(d[2].change, KIPSECD_TUNNEL_CHANGED);
	assert_int_equal(d[2].what, KIPSECD_CHANGED_IKE);
	assert_string_equal(kipsecd_change_name(d[2].change), "changed");
	free(d);

	/* Against itself: nothing changed, and line numbers do not count. */
	kipsecd_config_free(b);
	b = take("\n\n" TUNNEL_C "\n" BASE "dpd = 10s\n");
	assert_int_equal(kipsecd_config_diff(a, b, &d, &n, &global), 0);
	assert_false(global);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].change, KIPSECD_TUNNEL_UNCHANGED);
	assert_int_equal(d[1].change, KIPSECD_TUNNEL_UNCHANGED);
	assert_int_equal(d[0].what, 0);
	free(d);
	kipsecd_config_free(a);
	kipsecd_config_free(b);
}

/* Which part of a tunnel each key counts as. */
static void test_compare_each_key(void **state)
{
	static const struct {
		const char *line;
		unsigned int what;
	} cases[] = {
		{ "interface = kipsec9\n", KIPSECD_CHANGED_PEER },
		{ "local = 192.0.2.9\n", KIPSECD_CHANGED_PEER | KIPSECD_CHANGED_IKE },
		{ "remote = 198.51.100.9\n", KIPSECD_CHANGED_PEER | KIPSECD_CHANGED_IKE },
		{ "mode = aggressive\n", KIPSECD_CHANGED_IKE },
		{ "local-id = fqdn:a.example\n", KIPSECD_CHANGED_IKE },
		{ "remote-id = 198.51.100.9\n", KIPSECD_CHANGED_IKE },
		/* The same identity as the default one. */
		{ "remote-id = 198.51.100.2\n", 0 },
		{ "psk-file = other.psk\n", KIPSECD_CHANGED_IKE },
		{ "ike-proposals = aes256-sha256-modp2048\n", KIPSECD_CHANGED_IKE },
		{ "ike-proposals = aes128-sha1-modp2048, aes256-sha256-modp2048\n",
		  KIPSECD_CHANGED_IKE },
		{ "ike-lifetime = 1h\n", KIPSECD_CHANGED_IKE },
		{ "dpd = 5s\n", KIPSECD_CHANGED_IKE },
		{ "dpd-retries = 2\n", KIPSECD_CHANGED_IKE },
		{ "ipsec-proposals = g14-esp-aes256-sha256\n", KIPSECD_CHANGED_IPSEC },
		{ "ipsec-proposals = g14-esp-aes128-sha, g14-esp-aes256-sha256\n",
		  KIPSECD_CHANGED_IPSEC },
		{ "ipsec-lifetime = 2h\n", KIPSECD_CHANGED_IPSEC },
		{ "ipsec-lifetime-kb = 1000\n", KIPSECD_CHANGED_IPSEC },
		{ "proxy-id = 10.0.0.0/8 0.0.0.0/0\n", KIPSECD_CHANGED_IPSEC },
		{ "proxy-id = 0.0.0.0-255.255.255.255 0.0.0.0/0\n", KIPSECD_CHANGED_IPSEC },
		{ "replay-window = 128\n", KIPSECD_CHANGED_IPSEC },
		{ "esn = on\n", KIPSECD_CHANGED_IPSEC },
		{ "ah-align = 8\n", KIPSECD_CHANGED_IPSEC },
		{ "start = immediately\n", KIPSECD_CHANGED_START },
		/* Defaults written out change nothing. */
		{ "mode = main\nike-lifetime = 8h\nipsec-lifetime = 1h\nreplay-window = 64\n"
		  "esn = off\nah-align = 4\nstart = on-traffic\ndpd = off\ndpd-retries = 5\n"
		  "ipsec-lifetime-kb = off\nproxy-id = 0.0.0.0/0 0.0.0.0/0\n"
		  "ike-proposals = " KIPSECD_DEFAULT_IKE_PROPOSALS "\n"
		  "ipsec-proposals = " KIPSECD_DEFAULT_IPSEC_PROPOSALS "\n", 0 },
	};
	struct kipsecd_config *a, *b;
	char text[2048], other[160];
	size_t i;

	(void)state;
	snprintf(other, sizeof(other), "%s/other.psk", dir);
	write_file(other, "different\n", 10, 0600);
	a = take("[tunnel t]\ninterface = kipsec0\nlocal = 192.0.2.1\n"
		 "remote = 198.51.100.2\npsk-file = site-b.psk\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *line = cases[i].line;
		const char *key_end = strchr(line, '=');
		char key[32];

		/* Replace the base key when the case sets a required one. */
		snprintf(key, sizeof(key), "%.*s", (int)(key_end - line), line);
		snprintf(text, sizeof(text), "[tunnel t]\n%s%s%s%s%s",
			 strncmp(key, "interface ", 10) ? "interface = kipsec0\n" : "",
			 strncmp(key, "local ", 6) ? "local = 192.0.2.1\n" : "",
			 strncmp(key, "remote ", 7) ? "remote = 198.51.100.2\n" : "",
			 strncmp(key, "psk-file ", 9) ? "psk-file = site-b.psk\n" : "",
			 line);
		b = take(text);
		if (kipsecd_tunnel_compare(&a->tunnels[0], &b->tunnels[0]) != cases[i].what)
			fail_msg("'%s': changed 0x%x, want 0x%x", line,
				 kipsecd_tunnel_compare(&a->tunnels[0], &b->tunnels[0]),
				 cases[i].what);
		assert_int_equal(kipsecd_tunnel_compare(&b->tunnels[0], &a->tunnels[0]),
				 cases[i].what);
		kipsecd_config_free(b);
	}
	kipsecd_config_free(a);
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(kipsecd_mode_name(KIPSECD_MODE_MAIN), "main");
	assert_string_equal(kipsecd_mode_name(KIPSECD_MODE_AGGRESSIVE), "aggressive");
	assert_string_equal(kipsecd_start_name(KIPSECD_START_ON_TRAFFIC), "on-traffic");
	assert_string_equal(kipsecd_start_name(KIPSECD_START_IMMEDIATELY), "immediately");
	assert_string_equal(kipsecd_start_name(KIPSECD_START_RESPOND_ONLY), "respond-only");
	assert_string_equal(kipsecd_change_name(KIPSECD_TUNNEL_ADDED), "added");
	assert_string_equal(kipsecd_change_name(KIPSECD_TUNNEL_REMOVED), "removed");
	assert_string_equal(kipsecd_change_name(KIPSECD_TUNNEL_UNCHANGED), "unchanged");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_minimal),
		T(test_empty_file),
		T(test_every_key),
		T(test_issue_example),
		T(test_choices),
		T(test_choice_errors),
		T(test_durations),
		T(test_duration_errors),
		T(test_endpoint_errors),
		T(test_ids),
		T(test_id_errors),
		T(test_psk_modes),
		T(test_psk_owner),
		T(test_psk_content),
		T(test_psk_file_errors),
		T(test_proxy_ids),
		T(test_proxy_id_errors),
		T(test_proposal_keys),
		T(test_proposal_key_errors),
		T(test_structure_errors),
		T(test_required_keys),
		T(test_two_tunnels),
		T(test_proxy_id_match),
		T(test_load_file),
		T(test_too_long),
		T(test_nul_byte),
		T(test_diff),
		T(test_compare_each_key),
		T(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
