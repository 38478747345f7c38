// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the output of kipsec sa show (userland/kipsec/sa.c), text
 * and JSON, on SAs as the library hands them over from a kernel reply.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../userland/kipsec/kipsec.h"

/* What sa.c needs from main.c; the printers never call them. */
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

static char *buf;
static size_t len;
static FILE *out;

static int setup(void **state)
{
	(void)state;
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

static const char *result(void)
{
	fflush(out);
	return buf;
}

static void addr4(struct kipsec_nl_addr *a, const char *s)
{
	a->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &a->ip4), 1);
}

static void addr6(struct kipsec_nl_addr *a, const char *s)
{
	a->family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, &a->ip6), 1);
}

/* The outbound AES-GCM SA of the man page. */
static void gcm_out(struct kipsec_sa_info *sa)
{
	memset(sa, 0, sizeof(*sa));
	snprintf(sa->ifname, sizeof(sa->ifname), "kipsec0");
	sa->ifindex = 4;
	sa->dir = KIPSEC_DIR_OUT;
	sa->spi = 0x1000;
	sa->proto = IPPROTO_ESP;
	sa->aead_alg = KIPSEC_AEAD_AES_GCM;
	sa->icv_bits = 128;
	sa->key_bits = 128;
	sa->has_flags = true;
	sa->has_proxy_id = true;
	addr4(&sa->pid.local.addr, "10.1.0.0");
	sa->pid.local.len = 24;
	addr4(&sa->pid.remote.addr, "10.2.0.0");
	sa->pid.remote.len = 24;
	sa->pid.lport_max = sa->pid.rport_max = 65535;
	addr4(&sa->outer_src, "192.0.2.1");
	addr4(&sa->outer_dst, "198.51.100.2");
	sa->seq = 12;
	sa->has_stats = true;
	sa->stats.packets = 10;
	sa->stats.bytes = 840;
	sa->stats.drop_seq = 1;
	sa->stats.drop_other = 2;
}

/* An inbound des + md5 SA with ports, ESN and the default window. */
static void des_in(struct kipsec_sa_info *sa)
{
	memset(sa, 0, sizeof(*sa));
	snprintf(sa->ifname, sizeof(sa->ifname), "gw1");
	sa->ifindex = 7;
	sa->dir = KIPSEC_DIR_IN;
	sa->spi = 0xc0ffee01;
	sa->proto = IPPROTO_ESP;
	sa->enc_alg = KIPSEC_ENC_DES;
	sa->auth_alg = KIPSEC_AUTH_HMAC_MD5_96;
	sa->key_bits = 64;
	sa->has_replay_window = true;
	sa->replay_window = 64;
	sa->has_flags = true;
	sa->flags = KIPSEC_SA_F_ESN;
	sa->has_proxy_id = true;
	addr6(&sa->pid.local.addr, "2001:db8:1::");
	sa->pid.local.len = 48;
	addr6(&sa->pid.remote.addr, "::");
	sa->pid.remote.len = 0;
	sa->pid.proto = IPPROTO_TCP;
	sa->pid.lport_min = 443;
	sa->pid.lport_max = 443;
	sa->pid.rport_min = 1024;
	sa->pid.rport_max = 65535;
	addr6(&sa->outer_src, "2001:db8:ffff::2");
	addr6(&sa->outer_dst, "2001:db8::1");
	sa->seq = 5000000000ULL;
	sa->has_stats = true;
	sa->stats.drop_replay = 3;
	sa->stats.drop_auth = 4;
}

static void test_text_aead_out(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	gcm_out(&sa);
	sa_print_text(out, &sa, false);
	assert_string_equal(result(),
		"kipsec0 out spi 0x00001000 esp aead aes-gcm-128 icv 128 esn off\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n");
}

static void test_text_aead_out_stats(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	gcm_out(&sa);
	sa_print_text(out, &sa, true);
	assert_string_equal(result(),
		"kipsec0 out spi 0x00001000 esp aead aes-gcm-128 icv 128 esn off\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n"
		"\tpackets 10 bytes 840\n"
		"\tdrops replay 0 window 0 auth 0 pad 0 proxy-id 0 seq 1 other 2\n");
}

static void test_text_weak_in(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	des_in(&sa);
	sa_print_text(out, &sa, false);
	assert_string_equal(result(),
		"gw1 in spi 0xc0ffee01 esp enc des (weak) auth hmac-md5-96 (weak) replay-window 64 esn on\n"
		"\tproxy-id local 2001:db8:1::/48 remote ::/0 proto tcp lport 443 rport 1024-65535\n"
		"\touter 2001:db8:ffff::2 -> 2001:db8::1  seq 5000000000\n");
}

static void test_text_variants(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	des_in(&sa);
	sa.enc_alg = KIPSEC_ENC_3DES;
	sa.key_bits = 192;
	sa.auth_alg = 0;
	sa.replay_window = 0;
	sa.flags = 0;
	memset(&sa.pid, 0, sizeof(sa.pid));
	sa.pid.proto = 200;
	sa.pid.lport_max = sa.pid.rport_max = 65535;
	memset(&sa.outer_src, 0, sizeof(sa.outer_src));
	sa.has_stats = false;
	sa_print_text(out, &sa, true);
	/* 3des is not marked weak; no counters in the reply: no counter lines. */
	assert_string_equal(result(),
		"gw1 in spi 0xc0ffee01 esp enc 3des replay-window off esn off\n"
		"\tproxy-id local any remote any proto 200\n"
		"\touter none -> 2001:db8::1  seq 5000000000\n");
}

static void test_text_null_and_ah(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	gcm_out(&sa);
	sa.aead_alg = 0;
	sa.icv_bits = 0;
	sa.enc_alg = KIPSEC_ENC_NULL;
	sa.key_bits = 0;
	sa.auth_alg = KIPSEC_AUTH_HMAC_SHA256_128;
	sa_print_text(out, &sa, false);
	sa.proto = IPPROTO_AH;
	sa.enc_alg = 0;
	sa.spi = 0xffffffff;
	sa_print_text(out, &sa, false);
	sa.flags = KIPSEC_SA_F_AH_ALIGN4;
	sa.spi = 0x2000;
	sa_print_text(out, &sa, false);
	assert_string_equal(result(),
		"kipsec0 out spi 0x00001000 esp enc null (weak) auth hmac-sha256-128 esn off\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n"
		"kipsec0 out spi 0xffffffff ah auth hmac-sha256-128 esn off ah-align 8\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n"
		"kipsec0 out spi 0x00002000 ah auth hmac-sha256-128 esn off ah-align 4\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n");
}

static void test_json_ah(void **state)
{
	struct kipsec_sa_info sa;
	struct json j;

	(void)state;
	gcm_out(&sa);
	sa.proto = IPPROTO_AH;
	sa.aead_alg = sa.icv_bits = sa.key_bits = 0;
	sa.auth_alg = KIPSEC_AUTH_HMAC_SHA256_128;
	sa.flags = KIPSEC_SA_F_AH_ALIGN4;
	json_init(&j, out);
	json_begin_array(&j);
	sa_print_json(&j, &sa, false);
	json_end_array(&j);
	assert_non_null(strstr(result(),
		"\"proto\":\"ah\",\"enc\":null,\"auth\":\"hmac-sha256-128\","
		"\"weak\":false,\"esn\":false,\"ah_align\":4,\"seq\":12,"));
}

static void test_json_aead_out(void **state)
{
	struct kipsec_sa_info sa;
	struct json j;

	(void)state;
	gcm_out(&sa);
	json_init(&j, out);
	json_begin_array(&j);
	sa_print_json(&j, &sa, false);
	json_end_array(&j);
	assert_string_equal(result(),
		"[{\"ifname\":\"kipsec0\",\"ifindex\":4,\"dir\":\"out\",\"spi\":4096,"
		"\"proto\":\"esp\",\"aead\":\"aes-gcm-128\",\"icv\":128,\"weak\":false,"
		"\"esn\":false,\"seq\":12,\"outer_src\":\"192.0.2.1\","
		"\"outer_dst\":\"198.51.100.2\",\"proxy_id\":{\"local\":\"10.1.0.0/24\","
		"\"remote\":\"10.2.0.0/24\",\"proto\":\"any\",\"lport\":\"0-65535\","
		"\"rport\":\"0-65535\"},\"lifetime\":{\"soft\":{},\"hard\":{}},"
		"\"age\":null,\"use_age\":null}]\n");
}

static void test_text_lifetime(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	gcm_out(&sa);
	sa.soft.bytes = 1000000;
	sa.soft.use_time = 60;
	sa.hard.time = 3600;
	sa.hard.packets = 5000;
	sa.has_age = true;
	sa.age = 12;
	sa_print_text(out, &sa, false);
	assert_string_equal(result(),
		"kipsec0 out spi 0x00001000 esp aead aes-gcm-128 icv 128 esn off\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n"
		"\tlifetime soft use-time 60 bytes 1000000 hard time 3600 packets 5000"
		"  age 12s unused\n");
}

static void test_text_age_only(void **state)
{
	struct kipsec_sa_info sa;

	(void)state;
	gcm_out(&sa);
	sa.has_age = true;
	sa.age = 7;
	sa.has_use_age = true;
	sa.use_age = 3;
	sa_print_text(out, &sa, false);
	assert_string_equal(result(),
		"kipsec0 out spi 0x00001000 esp aead aes-gcm-128 icv 128 esn off\n"
		"\tproxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any\n"
		"\touter 192.0.2.1 -> 198.51.100.2  seq 12\n"
		"\tage 7s use-age 3s\n");
}

static void test_json_lifetime(void **state)
{
	struct kipsec_sa_info sa;
	struct json j;

	(void)state;
	gcm_out(&sa);
	sa.soft.packets = 10;
	sa.hard.time = 20;
	sa.hard.use_time = 15;
	sa.hard.bytes = 3000;
	sa.has_age = true;
	sa.age = 4;
	sa.has_use_age = true;
	sa.use_age = 2;
	json_init(&j, out);
	sa_print_json(&j, &sa, false);
	assert_non_null(strstr(result(),
		"\"lifetime\":{\"soft\":{\"packets\":10},\"hard\":{\"time\":20,"
		"\"use_time\":15,\"bytes\":3000}},\"age\":4,\"use_age\":2}"));
}

static void test_json_stats_and_weak(void **state)
{
	struct kipsec_sa_info sa;
	struct json j;

	(void)state;
	des_in(&sa);
	json_init(&j, out);
	json_begin_array(&j);
	sa_print_json(&j, &sa, true);
	sa.auth_alg = 0;
	sa.enc_alg = KIPSEC_ENC_AES_CBC;
	sa.key_bits = 256;
	sa.replay_window = 0;
	memset(&sa.pid, 0, sizeof(sa.pid));
	sa.pid.lport_max = sa.pid.rport_max = 65535;
	sa.has_stats = false;
	sa_print_json(&j, &sa, false);
	json_end_array(&j);
	assert_string_equal(result(),
		"[{\"ifname\":\"gw1\",\"ifindex\":7,\"dir\":\"in\",\"spi\":3237998081,"
		"\"proto\":\"esp\",\"enc\":\"des\",\"auth\":\"hmac-md5-96\",\"weak\":true,"
		"\"esn\":true,\"replay_window\":64,\"seq\":5000000000,"
		"\"outer_src\":\"2001:db8:ffff::2\",\"outer_dst\":\"2001:db8::1\","
		"\"proxy_id\":{\"local\":\"2001:db8:1::/48\",\"remote\":\"::/0\","
		"\"proto\":6,\"lport\":\"443-443\",\"rport\":\"1024-65535\"},"
		"\"lifetime\":{\"soft\":{},\"hard\":{}},\"age\":null,\"use_age\":null,"
		"\"stats\":{\"packets\":0,\"bytes\":0,\"drop_replay\":3,\"drop_window\":0,"
		"\"drop_auth\":4,\"drop_pad\":0,\"drop_proxy_id\":0,\"drop_seq\":0,"
		"\"drop_other\":0}},"
		"{\"ifname\":\"gw1\",\"ifindex\":7,\"dir\":\"in\",\"spi\":3237998081,"
		"\"proto\":\"esp\",\"enc\":\"aes-cbc-256\",\"auth\":null,\"weak\":false,"
		"\"esn\":true,\"replay_window\":0,\"seq\":5000000000,"
		"\"outer_src\":\"2001:db8:ffff::2\",\"outer_dst\":\"2001:db8::1\","
		"\"proxy_id\":{\"local\":\"any\",\"remote\":\"any\",\"proto\":\"any\","
		"\"lport\":\"0-65535\",\"rport\":\"0-65535\"},"
		"\"lifetime\":{\"soft\":{},\"hard\":{}},\"age\":null,\"use_age\":null}]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_aead_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_aead_out_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_weak_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_ah, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_null_and_ah, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_aead_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_lifetime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_age_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_lifetime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_stats_and_weak, setup, teardown),
	};

	return cmocka_run_group_tests_name("sa_show", tests, NULL, NULL);
}
