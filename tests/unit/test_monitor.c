// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the lines kipsec monitor prints (userland/kipsec/monitor.c),
 * text and JSON, on events as the library hands them over.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../userland/kipsec/kipsec.h"

/* What monitor.c and sa.c need from main.c; the printers never call them. */
struct kipsec_key_src cli_key_src;

int cli_open(struct kipsec_nl **nl)
{
	(void)nl;
	return 1;
}

int cli_nl_error(const char *what, const struct kipsec_nl_error *e)
{
	(void)what;
	(void)e;
	return 1;
}

int cli_usage_error(const char *msg)
{
	(void)msg;
	return 2;
}

int cli_error(const char *fmt, ...)
{
	(void)fmt;
	return 1;
}

static char *buf;
static size_t len;
static FILE *out;
/* 2026-11-23T17:00:00.123 UTC */
static const struct timespec ts = { .tv_sec = 1795453200, .tv_nsec = 123456789 };

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	out = open_memstream(&buf, &len);
	return out ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fclose(out);
	free(buf);
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const char *result(void)
{
	fflush(out);
	return buf;
}

static void sa_event(struct kipsec_event *ev, uint8_t cmd)
{
	struct kipsec_sa_info *sa = &ev->sa;

	memset(ev, 0, sizeof(*ev));
	ev->cmd = cmd;
	sa->ifindex = 4;
	strcpy(sa->ifname, "kipsec0");
	sa->dir = KIPSEC_DIR_OUT;
	sa->spi = 0x1000;
	sa->proto = IPPROTO_ESP;
	sa->aead_alg = KIPSEC_AEAD_AES_GCM;
	sa->icv_bits = 128;
	sa->key_bits = 128;
	sa->has_flags = true;
	sa->has_proxy_id = true;
	sa->pid.lport_max = sa->pid.rport_max = 65535;
	sa->outer_src.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sa->outer_src.ip4);
	sa->outer_dst.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.2", &sa->outer_dst.ip4);
	sa->seq = 4294967295ULL;
	sa->has_stats = true;
	sa->stats.packets = 10;
	sa->stats.bytes = 840;
	sa->soft.bytes = 800;
	sa->hard.bytes = 2000;
	sa->has_age = true;
	sa->age = 5;
	sa->has_use_age = true;
	sa->use_age = 4;
}

static void acquire_event(struct kipsec_event *ev, int family, const char *local,
			  const char *remote, uint8_t proto, int lport, int rport)
{
	struct kipsec_proxy_id *p = &ev->sa.pid;

	memset(ev, 0, sizeof(*ev));
	ev->cmd = KIPSEC_CMD_ACQUIRE;
	ev->sa.ifindex = 4;
	strcpy(ev->sa.ifname, "kipsec0");
	p->local.addr.family = family;
	inet_pton(family, local, &p->local.addr.ip6);
	p->local.len = family == AF_INET ? 32 : 128;
	p->remote.addr.family = family;
	inet_pton(family, remote, &p->remote.addr.ip6);
	p->remote.len = family == AF_INET ? 32 : 128;
	p->proto = proto;
	if (lport >= 0) {
		p->lport_min = p->lport_max = (uint16_t)lport;
		p->rport_min = p->rport_max = (uint16_t)rport;
	} else {
		p->lport_max = p->rport_max = 65535;
	}
}

static void test_time(void **state)
{
	struct timespec t = { .tv_sec = 0, .tv_nsec = 999999999 };
	char b[48];

	(void)state;
	assert_string_equal(monitor_time_str(&ts, b, sizeof(b)),
			    "2026-11-23T17:00:00.123");
	assert_string_equal(monitor_time_str(&t, b, sizeof(b)),
			    "1970-01-01T00:00:00.999");
}

static void test_text_expire(void **state)
{
	struct kipsec_event ev;

	(void)state;
	sa_event(&ev, KIPSEC_CMD_EXPIRE);
	ev.limit = KIPSEC_A_LIFETIME_BYTES;
	monitor_print_text(out, &ts, &ev);
	ev.hard = true;
	ev.sa.dir = KIPSEC_DIR_IN;
	ev.limit = KIPSEC_A_LIFETIME_PACKETS;
	monitor_print_text(out, &ts, &ev);
	ev.limit = KIPSEC_A_LIFETIME_TIME;
	monitor_print_text(out, &ts, &ev);
	ev.limit = KIPSEC_A_LIFETIME_USE_TIME;
	monitor_print_text(out, &ts, &ev);
	assert_string_equal(result(),
		"2026-11-23T17:00:00.123 expire soft kipsec0 out spi 0x1000 esp limit bytes\n"
		"2026-11-23T17:00:00.123 expire hard kipsec0 in spi 0x1000 esp limit packets\n"
		"2026-11-23T17:00:00.123 expire hard kipsec0 in spi 0x1000 esp limit time\n"
		"2026-11-23T17:00:00.123 expire hard kipsec0 in spi 0x1000 esp limit use-time\n");
}

static void test_text_seq_overflow(void **state)
{
	struct kipsec_event ev;

	(void)state;
	sa_event(&ev, KIPSEC_CMD_SEQ_OVERFLOW);
	monitor_print_text(out, &ts, &ev);
	assert_string_equal(result(),
		"2026-11-23T17:00:00.123 seq-overflow kipsec0 out spi 0x1000 esp seq 4294967295\n");
}

static void test_text_acquire(void **state)
{
	struct kipsec_event ev;

	(void)state;
	acquire_event(&ev, AF_INET, "10.1.0.2", "10.2.0.5", IPPROTO_UDP, 4000, 53);
	monitor_print_text(out, &ts, &ev);
	acquire_event(&ev, AF_INET6, "2001:db8:1::2", "2001:db8:2::5", IPPROTO_ICMPV6, -1, -1);
	monitor_print_text(out, &ts, &ev);
	acquire_event(&ev, AF_INET, "10.1.0.2", "10.2.0.5", 254, -1, -1);
	monitor_print_text(out, &ts, &ev);
	assert_string_equal(result(),
		"2026-11-23T17:00:00.123 acquire kipsec0 10.1.0.2 -> 10.2.0.5 proto udp lport 4000 rport 53\n"
		"2026-11-23T17:00:00.123 acquire kipsec0 2001:db8:1::2 -> 2001:db8:2::5 proto ipv6-icmp\n"
		"2026-11-23T17:00:00.123 acquire kipsec0 10.1.0.2 -> 10.2.0.5 proto 254\n");
}

static void test_json_expire(void **state)
{
	struct kipsec_event ev;
	const char *r;

	(void)state;
	sa_event(&ev, KIPSEC_CMD_EXPIRE);
	ev.hard = true;
	ev.limit = KIPSEC_A_LIFETIME_BYTES;
	monitor_print_json(out, &ts, &ev);
	r = result();
	/* One line, one object. */
	assert_non_null(strchr(r, '\n'));
	assert_int_equal(strchr(r, '\n') - r + 1, (long)strlen(r));
	assert_true(starts_with(r,
		"{\"time\":\"2026-11-23T17:00:00.123\",\"event\":\"expire\",\"hard\":true,"
		"\"limit\":\"bytes\",\"sa\":{\"ifname\":\"kipsec0\",\"ifindex\":4,\"dir\":\"out\","
		"\"spi\":4096,\"proto\":\"esp\",\"aead\":\"aes-gcm-128\""));
	assert_non_null(strstr(r,
		"\"lifetime\":{\"soft\":{\"bytes\":800},\"hard\":{\"bytes\":2000}},"
		"\"age\":5,\"use_age\":4,\"stats\":{\"packets\":10,\"bytes\":840,"));
	assert_string_equal(r + strlen(r) - 3, "}}\n");
}

static void test_json_seq_overflow(void **state)
{
	struct kipsec_event ev;
	const char *r;

	(void)state;
	sa_event(&ev, KIPSEC_CMD_SEQ_OVERFLOW);
	monitor_print_json(out, &ts, &ev);
	r = result();
	assert_true(starts_with(r,
		"{\"time\":\"2026-11-23T17:00:00.123\",\"event\":\"seq-overflow\","
		"\"sa\":{\"ifname\":\"kipsec0\""));
	assert_null(strstr(r, "\"limit\""));
	assert_non_null(strstr(r, "\"seq\":4294967295,"));
}

static void test_json_acquire(void **state)
{
	struct kipsec_event ev;

	(void)state;
	acquire_event(&ev, AF_INET, "10.1.0.2", "10.2.0.5", IPPROTO_UDP, 4000, 53);
	monitor_print_json(out, &ts, &ev);
	acquire_event(&ev, AF_INET6, "2001:db8:1::2", "2001:db8:2::5", IPPROTO_ICMPV6, -1, -1);
	monitor_print_json(out, &ts, &ev);
	assert_string_equal(result(),
		"{\"time\":\"2026-11-23T17:00:00.123\",\"event\":\"acquire\",\"ifname\":\"kipsec0\","
		"\"ifindex\":4,\"local\":\"10.1.0.2\",\"remote\":\"10.2.0.5\",\"proto\":17,"
		"\"lport\":4000,\"rport\":53}\n"
		"{\"time\":\"2026-11-23T17:00:00.123\",\"event\":\"acquire\",\"ifname\":\"kipsec0\","
		"\"ifindex\":4,\"local\":\"2001:db8:1::2\",\"remote\":\"2001:db8:2::5\",\"proto\":58,"
		"\"lport\":null,\"rport\":null}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_seq_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_acquire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_seq_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_acquire, setup, teardown),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
