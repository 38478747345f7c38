// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the SPI and SA grammar (userland/kipsec/parse.c): every
 * algorithm and key size, key sources, prefixes, ports, protocols, the
 * messages that name the offending word, batch line splitting, and the
 * library's attribute names.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../userland/kipsec/parse.h"

/* enc null needs an integrity algorithm (RFC 4303 3.2). */
#define NULL_AUTH "auth hmac-sha1-96 key 0x0102030405060708090a0b0c0d0e0f1011121314"

static char err[512];
static struct kipsec_sa_info sa;
static struct kipsec_sa_keys keys;
static struct kipsec_key_src src;

/* Split @line on spaces into a static argv (for test input only). */
static char line_buf[4096];
static char *words[128];

static int split(const char *line)
{
	int n = 0;
	char *tok;

	snprintf(line_buf, sizeof(line_buf), "%s", line);
	for (tok = strtok(line_buf, " "); tok && n < 127; tok = strtok(NULL, " "))
		words[n++] = tok;
	words[n] = NULL;
	return n;
}

static int sa_add(const char *line)
{
	int argc = split(line);

	err[0] = '\0';
	return parse_sa_add("sa add", argc, words, &src, &sa, &keys, err,
			    sizeof(err));
}

/* "0x" and @n bytes of a recognisable pattern. */
static const char *hexkey(size_t n)
{
	static char buf[2 + 2 * 300 + 1];
	size_t i;

	strcpy(buf, "0x");
	for (i = 0; i < n; i++)
		sprintf(buf + 2 + 2 * i, "%02x", (unsigned int)((i * 7 + 1) & 0xff));
	return buf;
}

static void assert_pattern(const uint8_t *key, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(key[i], (i * 7 + 1) & 0xff);
}

static int setup(void **state)
{
	(void)state;
	memset(&src, 0, sizeof(src));
	src.stdin_fd = -1;
	return 0;
}

static void assert_err(const char *want)
{
	assert_string_equal(err, want);
}

/* Algorithms and key lengths */

static const struct {
	const char *kind;
	const char *name;
	uint32_t id;
	size_t key_len;
	const char *len_msg;	/* the text in parentheses, if any */
} alg_cases[] = {
	{ "aead", "aes-gcm-128", KIPSEC_AEAD_AES_GCM, 20, "16 + 4 salt" },
	{ "aead", "aes-gcm-192", KIPSEC_AEAD_AES_GCM, 28, "24 + 4 salt" },
	{ "aead", "aes-gcm-256", KIPSEC_AEAD_AES_GCM, 36, "32 + 4 salt" },
	{ "aead", "aes-ccm-128", KIPSEC_AEAD_AES_CCM, 19, "16 + 3 salt" },
	{ "aead", "aes-ccm-192", KIPSEC_AEAD_AES_CCM, 27, "24 + 3 salt" },
	{ "aead", "aes-ccm-256", KIPSEC_AEAD_AES_CCM, 35, "32 + 3 salt" },
	{ "aead", "chacha20-poly1305", KIPSEC_AEAD_CHACHA20_POLY1305, 36, "32 + 4 salt" },
	{ "aead", "aes-gmac-128", KIPSEC_AEAD_AES_GMAC, 20, "16 + 4 salt" },
	{ "aead", "aes-gmac-192", KIPSEC_AEAD_AES_GMAC, 28, "24 + 4 salt" },
	{ "aead", "aes-gmac-256", KIPSEC_AEAD_AES_GMAC, 36, "32 + 4 salt" },
	{ "enc", "des", KIPSEC_ENC_DES, 8, NULL },
	{ "enc", "3des", KIPSEC_ENC_3DES, 24, NULL },
	{ "enc", "aes-cbc-128", KIPSEC_ENC_AES_CBC, 16, NULL },
	{ "enc", "aes-cbc-192", KIPSEC_ENC_AES_CBC, 24, NULL },
	{ "enc", "aes-cbc-256", KIPSEC_ENC_AES_CBC, 32, NULL },
	{ "enc", "aes-ctr-128", KIPSEC_ENC_AES_CTR, 20, "16 + 4 nonce" },
	{ "enc", "aes-ctr-192", KIPSEC_ENC_AES_CTR, 28, "24 + 4 nonce" },
	{ "enc", "aes-ctr-256", KIPSEC_ENC_AES_CTR, 36, "32 + 4 nonce" },
	{ "auth", "hmac-md5-96", KIPSEC_AUTH_HMAC_MD5_96, 16, NULL },
	{ "auth", "hmac-sha1-96", KIPSEC_AUTH_HMAC_SHA1_96, 20, NULL },
	{ "auth", "hmac-sha256-128", KIPSEC_AUTH_HMAC_SHA256_128, 32, NULL },
	{ "auth", "hmac-sha384-192", KIPSEC_AUTH_HMAC_SHA384_192, 48, NULL },
	{ "auth", "hmac-sha512-256", KIPSEC_AUTH_HMAC_SHA512_256, 64, NULL },
	{ "auth", "aes-xcbc-96", KIPSEC_AUTH_AES_XCBC_96, 16, NULL },
};

/* The command line that uses alg_cases[i] with a key of @len bytes. */
static const char *alg_line(size_t i, size_t len)
{
	static char line[1024];
	const char *kind = alg_cases[i].kind;

	if (!strcmp(kind, "aead"))
		snprintf(line, sizeof(line),
			 "kipsec0 dir out spi 0x1000 proto esp aead %s key %s",
			 alg_cases[i].name, hexkey(len));
	else if (!strcmp(kind, "enc"))
		snprintf(line, sizeof(line),
			 "kipsec0 dir out spi 0x1000 proto esp enc %s key %s",
			 alg_cases[i].name, hexkey(len));
	else
		snprintf(line, sizeof(line),
			 "kipsec0 dir out spi 0x1000 proto esp enc null auth %s key %s",
			 alg_cases[i].name, hexkey(len));
	return line;
}

static void test_every_algorithm(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(alg_cases) / sizeof(alg_cases[0]); i++) {
		const char *kind = alg_cases[i].kind;
		size_t len = alg_cases[i].key_len;

		if (sa_add(alg_line(i, len)))
			fail_msg("%s %s: %s", kind, alg_cases[i].name, err);
		assert_int_equal(sa.dir, KIPSEC_DIR_OUT);
		assert_int_equal(sa.spi, 0x1000);
		assert_int_equal(sa.proto, IPPROTO_ESP);
		if (!strcmp(kind, "aead")) {
			assert_int_equal(sa.aead_alg, alg_cases[i].id);
			assert_int_equal(sa.enc_alg, 0);
			assert_int_equal(sa.auth_alg, 0);
			assert_int_equal(sa.icv_bits, 128);
			assert_int_equal(keys.aead_len, len);
			assert_pattern(keys.aead, len);
		} else if (!strcmp(kind, "enc")) {
			assert_int_equal(sa.aead_alg, 0);
			assert_int_equal(sa.enc_alg, alg_cases[i].id);
			assert_int_equal(sa.auth_alg, 0);
			assert_int_equal(sa.icv_bits, 0);
			assert_int_equal(keys.enc_len, len);
			assert_pattern(keys.enc, len);
		} else {
			assert_int_equal(sa.enc_alg, KIPSEC_ENC_NULL);
			assert_int_equal(keys.enc_len, 0);
			assert_int_equal(sa.auth_alg, alg_cases[i].id);
			assert_int_equal(keys.auth_len, len);
			assert_pattern(keys.auth, len);
		}
	}
}

static void test_every_wrong_key_length(void **state)
{
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < sizeof(alg_cases) / sizeof(alg_cases[0]); i++) {
		for (d = -1; d <= 1; d += 2) {
			size_t len = alg_cases[i].key_len + d;
			char want[256];

			if (alg_cases[i].len_msg)
				snprintf(want, sizeof(want),
					 "sa add: key for %s must be %zu bytes (%s), got %zu",
					 alg_cases[i].name, alg_cases[i].key_len,
					 alg_cases[i].len_msg, len);
			else
				snprintf(want, sizeof(want),
					 "sa add: key for %s must be %zu bytes, got %zu",
					 alg_cases[i].name, alg_cases[i].key_len, len);
			assert_int_equal(sa_add(alg_line(i, len)), -1);
			assert_err(want);
			/* Nothing of the key is left. */
			assert_int_equal(keys.aead_len + keys.enc_len + keys.auth_len, 0);
		}
	}
}

static void test_key_length_message_of_the_brief(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir in spi 4096 proto esp aead aes-gcm-128 key 0x00112233445566778899aabbccddeeff"), -1);
	assert_err("sa add: key for aes-gcm-128 must be 20 bytes (16 + 4 salt), got 16");
	/* The key is not in the message. */
	assert_null(strstr(err, "00112233"));
}

static void test_long_key_counts_all_bytes(void **state)
{
	char line[1024];

	(void)state;
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp enc aes-cbc-128 key %s",
		 hexkey(200));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: key for aes-cbc-128 must be 16 bytes, got 200");
}

static void test_null_cipher_key(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH), 0);
	assert_int_equal(sa.enc_alg, KIPSEC_ENC_NULL);
	assert_int_equal(keys.enc_len, 0);
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null key 0x auth hmac-sha1-96 key 0x0102030405060708090a0b0c0d0e0f1011121314"), 0);
	assert_int_equal(keys.enc_len, 0);
	assert_int_equal(keys.auth_len, 20);
	assert_int_equal(keys.auth[19], 0x14);
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null key 0x00"), -1);
	assert_err("sa add: key for null must be 0 bytes, got 1");
	/* RFC 4303 3.2: not both null. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null"), -1);
	assert_err("sa add: \"null\": null encryption needs \"auth ALG key KEY\"");
}

static void test_icv(void **state)
{
	char line[512];

	(void)state;
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gcm-256 key %s icv 64",
		 hexkey(36));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(sa.icv_bits, 64);
	snprintf(line, sizeof(line), "kipsec0 icv 96 dir in spi 1 proto esp aead aes-ccm-128 key %s",
		 hexkey(19));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(sa.icv_bits, 96);

	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gcm-128 key %s icv 72",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\": 72 is not one of 64, 96, 128");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gcm-128 key %s icv big",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\": \"big\" is not one of 64, 96, 128");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead chacha20-poly1305 key %s icv 96",
		 hexkey(36));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\": chacha20-poly1305 has only a 128-bit ICV, not 96");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gmac-128 key %s icv 64",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\": aes-gmac-128 has only a 128-bit ICV, not 64");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gmac-128 key %s icv 128",
		 hexkey(20));
	assert_int_equal(sa_add(line), 0);
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp enc aes-cbc-128 key %s icv 128",
		 hexkey(16));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\" applies only to \"aead\" algorithms");
}

static void test_unknown_algorithm(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp aead aes-gcm-512 key 0x00"), -1);
	assert_err("sa add: \"aead\": \"aes-gcm-512\" is not one of aes-gcm-128, aes-gcm-192, aes-gcm-256, aes-ccm-128, aes-ccm-192, aes-ccm-256, chacha20-poly1305, aes-gmac-128, aes-gmac-192, aes-gmac-256");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc aes-gcm-128 key 0x00"), -1);
	assert_err("sa add: \"enc\": \"aes-gcm-128\" is not one of des, 3des, aes-cbc-128, aes-cbc-192, aes-cbc-256, aes-ctr-128, aes-ctr-192, aes-ctr-256, null");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null auth sha1"), -1);
	assert_err("sa add: \"auth\": \"sha1\" is not one of hmac-md5-96, hmac-sha1-96, hmac-sha256-128, hmac-sha384-192, hmac-sha512-256, aes-xcbc-96");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp aead"), -1);
	assert_non_null(strstr(err, "sa add: \"aead\" needs an algorithm: aes-gcm-128, "));
}

static void test_algorithm_combinations(void **state)
{
	char line[512];

	(void)state;
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp aead aes-gcm-128"), -1);
	assert_err("sa add: \"aead aes-gcm-128\" needs \"key KEY\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc aes-cbc-128 spi 2"), -1);
	assert_err("sa add: \"enc aes-cbc-128\" needs \"key KEY\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp key 0x00"), -1);
	assert_err("sa add: \"key\" must follow \"aead ALG\", \"enc ALG\" or \"auth ALG\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp"), -1);
	assert_err("sa add: an algorithm is required: \"aead ALG key KEY\" or \"enc ALG key KEY\"");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gcm-128 key %s enc null",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"enc\" cannot be combined with \"aead\", which includes integrity");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp aead aes-gcm-128 key %s",
		 hexkey(20));
	strcat(line, " auth aes-xcbc-96 key ");
	strcat(line, hexkey(16));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"auth\" cannot be combined with \"aead\", which includes integrity");
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 proto esp auth hmac-sha256-128 key %s",
		 hexkey(32));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"auth\" needs \"enc ALG\" with ESP (\"enc null\" for integrity only)");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null enc null"), -1);
	assert_err("sa add: \"enc\" is given twice");
}

static const struct align_case {
	const char *alg;
	size_t key_len;
	const char *extra;
	uint32_t flags;
	const char *err;
} align_cases[] = {
	{ "proto ah auth hmac-sha256-128", 32, "", 0, NULL },
	{ "proto ah auth hmac-sha256-128", 32, "ah-align 4 esn on",
	  KIPSEC_SA_F_AH_ALIGN4 | KIPSEC_SA_F_ESN, NULL },
	{ "proto ah auth hmac-sha256-128", 32, "ah-align 8", 0, NULL },
	{ "proto ah auth hmac-sha256-128", 32, "ah-align 2", 0,
	  "sa add: \"ah-align\": \"2\" is not 4 or 8" },
	{ "proto ah auth hmac-sha256-128", 32, "ah-align 4 ah-align 4", 0,
	  "sa add: \"ah-align\" is given twice" },
	{ "proto ah auth hmac-sha256-128", 32, "ah-align", 0,
	  "sa add: \"ah-align\" needs 4 or 8" },
	{ "proto esp aead aes-gcm-128", 20, "ah-align 4", 0,
	  "sa add: \"ah-align\" applies only to AH SAs (\"proto ah\")" },
};

static void test_ah(void **state)
{
	char line[512];
	size_t i;

	(void)state;
	snprintf(line, sizeof(line), "kipsec0 dir in spi 0x2000 proto ah auth hmac-sha256-128 key %s",
		 hexkey(32));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(sa.proto, IPPROTO_AH);
	assert_int_equal(sa.auth_alg, KIPSEC_AUTH_HMAC_SHA256_128);
	assert_int_equal(sa.enc_alg, 0);
	assert_int_equal(sa.aead_alg, 0);
	assert_int_equal(keys.auth_len, 32);

	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto ah enc null"), -1);
	assert_err("sa add: \"enc\" is not possible with \"proto ah\", which only authenticates");
	/* proto after the algorithm: found at the end. */
	snprintf(line, sizeof(line), "kipsec0 dir in spi 1 aead aes-gcm-128 key %s proto ah",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"aead\" is not possible with \"proto ah\", which only authenticates");
	assert_int_equal(keys.aead_len, 0);
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto ah"), -1);
	assert_err("sa add: \"proto ah\" needs \"auth ALG key KEY\"");

	/* ah-align: 8 by default, 4 on request, only for AH. */
	for (i = 0; i < sizeof(align_cases) / sizeof(align_cases[0]); i++) {
		const struct align_case *c = &align_cases[i];

		snprintf(line, sizeof(line), "kipsec0 dir out spi 0x2000 %s key %s %s",
			 c->alg, hexkey(c->key_len), c->extra);
		assert_int_equal(sa_add(line), c->err ? -1 : 0);
		if (c->err) {
			assert_err(c->err);
			continue;
		}
		assert_int_equal(sa.flags, c->flags);
		assert_int_equal(sa.has_flags, c->extra[0] != 0);
	}
	assert_int_equal(keys.aead_len, 0);
}

/* AH: every integrity algorithm, with the optional words of an SA. */
static void test_ah_every_alg(void **state)
{
	char line[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(alg_cases) / sizeof(alg_cases[0]); i++) {
		if (strcmp(alg_cases[i].kind, "auth"))
			continue;
		snprintf(line, sizeof(line),
			 "kipsec0 dir out spi 0x3000 proto ah auth %s key %s",
			 alg_cases[i].name, hexkey(alg_cases[i].key_len));
		assert_int_equal(sa_add(line), 0);
		assert_int_equal(sa.proto, IPPROTO_AH);
		assert_int_equal(sa.dir, KIPSEC_DIR_OUT);
		assert_int_equal(sa.auth_alg, alg_cases[i].id);
		assert_int_equal(sa.enc_alg, 0);
		assert_int_equal(sa.aead_alg, 0);
		assert_int_equal(keys.auth_len, alg_cases[i].key_len);
		assert_pattern(keys.auth, alg_cases[i].key_len);

		snprintf(line, sizeof(line),
			 "kipsec0 dir in spi 0x3000 proto ah auth %s key %s",
			 alg_cases[i].name, hexkey(alg_cases[i].key_len + 1));
		assert_int_equal(sa_add(line), -1);
		assert_non_null(strstr(err, "sa add: key for "));
	}
}

static void test_ah_options(void **state)
{
	char line[512];
	struct in_addr a;

	(void)state;
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 0x3001 proto ah auth hmac-sha1-96 key %s replay-window 128 esn on proxy-id local 10.1.0.0/24 remote 10.2.0.0/16",
		 hexkey(20));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(sa.proto, IPPROTO_AH);
	assert_int_equal(sa.dir, KIPSEC_DIR_IN);
	assert_true(sa.has_replay_window);
	assert_int_equal(sa.replay_window, 128);
	assert_int_equal(sa.flags & KIPSEC_SA_F_ESN, KIPSEC_SA_F_ESN);
	assert_true(sa.has_proxy_id);
	inet_pton(AF_INET, "10.1.0.0", &a);
	assert_memory_equal(&sa.pid.local.addr.ip4, &a, 4);
	assert_int_equal(sa.pid.local.len, 24);
	assert_int_equal(sa.pid.remote.len, 16);

	/* The words may come in any order before proxy-id. */
	snprintf(line, sizeof(line),
		 "kipsec0 esn off auth aes-xcbc-96 key %s proto ah spi 0x3002 dir in replay-window off",
		 hexkey(16));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(sa.proto, IPPROTO_AH);
	assert_int_equal(sa.auth_alg, KIPSEC_AUTH_AES_XCBC_96);
	assert_int_equal(sa.replay_window, 0);
	assert_int_equal(sa.flags & KIPSEC_SA_F_ESN, 0);
}

static void test_ah_rejects(void **state)
{
	char line[512];

	(void)state;
	/* enc and aead name the word, in either order with proto. */
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 1 proto ah auth hmac-md5-96 key %s enc aes-cbc-128 key %s",
		 hexkey(16), hexkey(16));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"enc\" is not possible with \"proto ah\", which only authenticates");
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 1 enc aes-cbc-128 key %s auth hmac-md5-96 key %s proto ah",
		 hexkey(16), hexkey(16));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"enc\" is not possible with \"proto ah\", which only authenticates");
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 1 proto ah aead aes-gcm-128 key %s",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"aead\" is not possible with \"proto ah\", which only authenticates");
	/* icv belongs to AEAD algorithms. */
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 1 proto ah auth hmac-sha256-128 key %s icv 96",
		 hexkey(32));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"icv\" applies only to \"aead\" algorithms");
	/* The integrity algorithm needs its key. */
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto ah auth hmac-sha256-128"), -1);
	assert_err("sa add: \"auth hmac-sha256-128\" needs \"key KEY\"");
	/* An outbound AH SA has no replay window either. */
	snprintf(line, sizeof(line),
		 "kipsec0 dir out spi 1 proto ah auth hmac-sha1-96 key %s replay-window 64",
		 hexkey(20));
	assert_int_equal(sa_add(line), -1);
	assert_err("sa add: \"replay-window\" applies only to inbound SAs (\"dir in\")");
}

/* Naming words */

static void test_required_and_twice(void **state)
{
	(void)state;
	assert_int_equal(sa_add(""), -1);
	assert_err("sa add: a device name is required");
	assert_int_equal(sa_add("dir in spi 1 proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: a device name is required before \"dir\"");
	assert_int_equal(sa_add("kipsec0 spi 1 proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"dir in\" or \"dir out\" is required");
	assert_int_equal(sa_add("kipsec0 dir in proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"spi SPI\" is required");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 enc null " NULL_AUTH), -1);
	assert_err("sa add: \"proto esp\" or \"proto ah\" is required");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 spi 2 proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"spi\" is given twice");
	assert_int_equal(sa_add("kipsec0 dir sideways spi 1 proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"dir\": \"sideways\" is not \"in\" or \"out\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto udp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"proto\": \"udp\" is not \"esp\" or \"ah\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " lifespan 10"), -1);
	assert_err("sa add: unknown keyword \"lifespan\"");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " dir"), -1);
	assert_err("sa add: \"dir\" is given twice");
	assert_int_equal(sa_add("kipsec0 dir in proto esp enc null " NULL_AUTH " spi"), -1);
	assert_err("sa add: \"spi\" needs an SPI");
	assert_int_equal(sa_add("bad/dev dir in spi 1 proto esp enc null " NULL_AUTH), -1);
	assert_err("sa add: \"bad/dev\" is not a valid device name");
}

static void test_spi_words(void **state)
{
	static const struct {
		const char *word;
		uint32_t want;
	} good[] = {
		{ "0", 0 }, { "256", 256 }, { "4096", 4096 }, { "0x1000", 0x1000 },
		{ "0XfFfF", 0xffff }, { "4294967295", 0xffffffff },
		{ "0xffffffff", 0xffffffff }, { "0x00000100", 0x100 },
		{ "0x000000001", 1 }, { "00004096", 4096 },
	};
	static const char *const bad[] = {
		"", "0x", "-1", "+1", "4294967296", "0x100000000", "12a", "0x1g",
		"1 ", "0x1 ", "99999999999999999999", "0x1ffffffff",
	};
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse_spi("sa add", "spi", good[i].word, &v, err, sizeof(err)), 0);
		assert_int_equal(v, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];

		if (parse_spi("sa add", "spi", bad[i], &v, err, sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		snprintf(want, sizeof(want),
			 "sa add: \"spi\": \"%s\" is not a decimal or 0x hex number from 0 to 0xffffffff",
			 bad[i]);
		assert_err(want);
	}
}

static void test_replay_window_and_esn(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH), 0);
	assert_false(sa.has_replay_window);
	assert_false(sa.has_flags);
	assert_false(sa.has_proxy_id);
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " replay-window off esn on"), 0);
	assert_true(sa.has_replay_window);
	assert_int_equal(sa.replay_window, 0);
	assert_true(sa.has_flags);
	assert_int_equal(sa.flags, KIPSEC_SA_F_ESN);
	assert_int_equal(sa_add("kipsec0 replay-window 16384 dir in spi 1 proto esp enc null " NULL_AUTH " esn off"), 0);
	assert_int_equal(sa.replay_window, 16384);
	assert_true(sa.has_flags);
	assert_int_equal(sa.flags, 0);
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " replay-window 32"), 0);
	assert_int_equal(sa.replay_window, 32);

	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " replay-window 31"), -1);
	assert_err("sa add: \"replay-window\": \"31\" is not \"off\" or a number from 32 to 16384");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " replay-window 16385"), -1);
	assert_err("sa add: \"replay-window\": \"16385\" is not \"off\" or a number from 32 to 16384");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " replay-window 64"), -1);
	assert_err("sa add: \"replay-window\" applies only to inbound SAs (\"dir in\")");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " esn yes"), -1);
	assert_err("sa add: \"esn\": \"yes\" is not \"on\" or \"off\"");
}

static void test_seq(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH), 0);
	assert_false(sa.has_seq);
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " seq 0xfffffffd"), 0);
	assert_true(sa.has_seq);
	assert_true(sa.seq == 0xfffffffdULL);
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " esn on seq 18446744073709551615"), 0);
	assert_true(sa.seq == UINT64_MAX);

	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " seq 0x100000000"), -1);
	assert_err("sa add: \"seq\": without \"esn on\" the sequence number has 32 bits");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " esn on seq 18446744073709551616"), -1);
	assert_err("sa add: \"seq\": \"18446744073709551616\" is not a number (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " seq -1"), -1);
	assert_err("sa add: \"seq\": \"-1\" is not a number (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc null " NULL_AUTH " seq 5"), -1);
	assert_err("sa add: \"seq\" applies only to outbound SAs (\"dir out\")");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " seq 1 seq 2"), -1);
}

/* Lifetimes */

static void test_lifetime(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH), 0);
	assert_true(sa.soft.time == 0 && sa.soft.use_time == 0 &&
		    sa.soft.bytes == 0 && sa.soft.packets == 0);
	assert_true(sa.hard.time == 0 && sa.hard.use_time == 0 &&
		    sa.hard.bytes == 0 && sa.hard.packets == 0);

	/* The example of the man page; the word repeats. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH
				" lifetime soft bytes 1000000 lifetime hard time 3600"), 0);
	assert_true(sa.soft.bytes == 1000000);
	assert_true(sa.hard.time == 3600);
	assert_true(sa.soft.time == 0 && sa.hard.bytes == 0);

	/* Every kind, both sets, before and after other words. */
	assert_int_equal(sa_add("kipsec0 lifetime soft time 10 dir in lifetime soft use-time 0x14 "
				"spi 1 lifetime soft bytes 30 lifetime soft packets 40 proto esp "
				"lifetime hard time 11 lifetime hard use-time 21 lifetime hard bytes 31 "
				"lifetime hard packets 18446744073709551615 enc null " NULL_AUTH
				" proxy-id local 10.1.0.0/24 remote 10.2.0.0/24"), 0);
	assert_true(sa.soft.time == 10 && sa.soft.use_time == 20 &&
		    sa.soft.bytes == 30 && sa.soft.packets == 40);
	assert_true(sa.hard.time == 11 && sa.hard.use_time == 21 &&
		    sa.hard.bytes == 31 && sa.hard.packets == UINT64_MAX);
	assert_true(sa.has_proxy_id);

	/* sa update takes it too. */
	{
		int argc = split("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH
				 " lifetime hard packets 5");

		assert_int_equal(parse_sa_add("sa update", argc, words, &src, &sa,
					      &keys, err, sizeof(err)), 0);
	}
	assert_true(sa.hard.packets == 5);

	/* The ordering of soft and hard is the kernel's to check. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH
				" lifetime soft bytes 10 lifetime hard bytes 5"), 0);

	/* Errors name the word. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime"), -1);
	assert_err("sa add: \"lifetime\" needs \"soft\" or \"hard\"");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime medium time 3"), -1);
	assert_err("sa add: \"lifetime\": \"medium\" is not \"soft\" or \"hard\"");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft"), -1);
	assert_err("sa add: \"lifetime soft\" needs one of time, use-time, bytes, packets");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime hard kilobytes 3"), -1);
	assert_err("sa add: \"lifetime hard\": \"kilobytes\" is not one of time, use-time, bytes, packets");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft time"), -1);
	assert_err("sa add: \"lifetime soft time\" needs a number of seconds");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft use-time"), -1);
	assert_err("sa add: \"lifetime soft use-time\" needs a number of seconds");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime hard bytes"), -1);
	assert_err("sa add: \"lifetime hard bytes\" needs a number of bytes");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime hard packets"), -1);
	assert_err("sa add: \"lifetime hard packets\" needs a number of packets");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft bytes 0"), -1);
	assert_err("sa add: \"lifetime soft bytes\": \"0\" is not a number from 1 to 2^64 - 1 (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft bytes 1k"), -1);
	assert_err("sa add: \"lifetime soft bytes\": \"1k\" is not a number from 1 to 2^64 - 1 (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime hard time -5"), -1);
	assert_err("sa add: \"lifetime hard time\": \"-5\" is not a number from 1 to 2^64 - 1 (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime hard packets 18446744073709551616"), -1);
	assert_err("sa add: \"lifetime hard packets\": \"18446744073709551616\" is not a number from 1 to 2^64 - 1 (decimal or 0x hex)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft time 5 lifetime soft time 6"), -1);
	assert_err("sa add: \"lifetime soft time\" is given twice");
	/* The same kind soft and hard is not twice. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " lifetime soft time 5 lifetime hard time 6"), 0);
	/* proxy-id comes last: lifetime after it is not one of its words. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH
				" proxy-id local 10.1.0.0/24 remote 10.2.0.0/24 lifetime soft time 5"), -1);
}

/* Proxy IDs */

static void test_proxy_id_full(void **state)
{
	struct in_addr a;

	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local 10.1.0.0/24 remote 10.2.0.0/16 proto tcp lport 80 rport 1024-65535"), 0);
	assert_true(sa.has_proxy_id);
	assert_int_equal(sa.pid.local.addr.family, AF_INET);
	inet_pton(AF_INET, "10.1.0.0", &a);
	assert_memory_equal(&sa.pid.local.addr.ip4, &a, 4);
	assert_int_equal(sa.pid.local.len, 24);
	inet_pton(AF_INET, "10.2.0.0", &a);
	assert_memory_equal(&sa.pid.remote.addr.ip4, &a, 4);
	assert_int_equal(sa.pid.remote.len, 16);
	assert_int_equal(sa.pid.proto, 6);
	assert_int_equal(sa.pid.lport_min, 80);
	assert_int_equal(sa.pid.lport_max, 80);
	assert_int_equal(sa.pid.rport_min, 1024);
	assert_int_equal(sa.pid.rport_max, 65535);
}

static void test_proxy_id_defaults_and_any(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id remote 2001:db8::/32 local 2001:db8:1::5"), 0);
	assert_int_equal(sa.pid.local.addr.family, AF_INET6);
	assert_int_equal(sa.pid.local.len, 128);
	assert_int_equal(sa.pid.remote.len, 32);
	assert_int_equal(sa.pid.proto, 0);
	assert_int_equal(sa.pid.lport_min, 0);
	assert_int_equal(sa.pid.lport_max, 65535);
	assert_int_equal(sa.pid.rport_min, 0);
	assert_int_equal(sa.pid.rport_max, 65535);

	/* One side any: any address of the other side's family. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote 10.0.0.0/8"), 0);
	assert_int_equal(sa.pid.local.addr.family, AF_INET);
	assert_int_equal(sa.pid.local.len, 0);
	assert_int_equal(sa.pid.local.addr.ip4.s_addr, 0);
	/* Both any: no family. */
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote any proto udp"), 0);
	assert_int_equal(sa.pid.local.addr.family, AF_UNSPEC);
	assert_int_equal(sa.pid.remote.addr.family, AF_UNSPEC);
	assert_int_equal(sa.pid.proto, 17);
}

static void test_proxy_id_errors(void **state)
{
	(void)state;
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local 10.1.0.0/24 remote 2001:db8::/32"), -1);
	assert_err("sa add: proxy-id \"local\" and \"remote\" are of different address families");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local 10.1.0.0/24"), -1);
	assert_err("sa add: proxy-id needs \"remote PREFIX\"");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id"), -1);
	assert_err("sa add: proxy-id needs \"local PREFIX\"");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote any esn on"), -1);
	assert_err("sa add: unknown proxy-id keyword \"esn\" (proxy-id comes last and takes local, remote, proto, lport and rport)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote any lport 80"), -1);
	assert_err("sa add: \"lport\" needs a proxy-id \"proto\" (tcp, udp, sctp, ...)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote any proto any rport 80"), -1);
	assert_err("sa add: \"rport\" needs a proxy-id \"proto\" (tcp, udp, sctp, ...)");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 enc null " NULL_AUTH " proxy-id local any remote any proto esp"), -1);
	assert_err("sa add: proxy-id \"proto\": \"esp\" is not a protocol of the proxy ID; the SA's \"proto esp\" goes before \"proxy-id\"");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any local any"), -1);
	assert_err("sa add: \"local\" is given twice");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local any remote"), -1);
	assert_err("sa add: \"remote\" needs a PREFIX");
	assert_int_equal(sa_add("kipsec0 dir out spi 1 proto esp enc null " NULL_AUTH " proxy-id local 10.1.0.1/24 remote any"), -1);
	assert_err("sa add: \"local\": \"10.1.0.1/24\" has host bits set; did you mean 10.1.0.0/24?");
}

static void test_prefixes(void **state)
{
	struct kipsec_nl_prefix p;
	char buf[64];

	(void)state;
	assert_int_equal(parse_prefix("c", "local", "192.0.2.7", &p, err, sizeof(err)), 0);
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.len, 32);
	assert_string_equal(kipsec_prefix_str(&p, buf, sizeof(buf)), "192.0.2.7/32");
	assert_int_equal(parse_prefix("c", "local", "0.0.0.0/0", &p, err, sizeof(err)), 0);
	assert_int_equal(p.len, 0);
	assert_string_equal(kipsec_prefix_str(&p, buf, sizeof(buf)), "0.0.0.0/0");
	assert_int_equal(parse_prefix("c", "remote", "2001:db8::", &p, err, sizeof(err)), 0);
	assert_int_equal(p.addr.family, AF_INET6);
	assert_int_equal(p.len, 128);
	assert_int_equal(parse_prefix("c", "remote", "2001:db8:8000::/33", &p, err, sizeof(err)), 0);
	assert_int_equal(p.len, 33);
	assert_string_equal(kipsec_prefix_str(&p, buf, sizeof(buf)), "2001:db8:8000::/33");
	assert_int_equal(parse_prefix("c", "remote", "any", &p, err, sizeof(err)), 0);
	assert_int_equal(p.addr.family, AF_UNSPEC);
	assert_string_equal(kipsec_prefix_str(&p, buf, sizeof(buf)), "any");

	assert_int_equal(parse_prefix("c", "local", "10.0.0.0/33", &p, err, sizeof(err)), -1);
	assert_err("c: \"local\": the prefix length of \"10.0.0.0/33\" is not a number from 0 to 32");
	assert_int_equal(p.addr.family, AF_UNSPEC);
	assert_int_equal(parse_prefix("c", "local", "2001:db8::/129", &p, err, sizeof(err)), -1);
	assert_err("c: \"local\": the prefix length of \"2001:db8::/129\" is not a number from 0 to 128");
	assert_int_equal(parse_prefix("c", "local", "10.0.0.0/", &p, err, sizeof(err)), -1);
	assert_err("c: \"local\": the prefix length of \"10.0.0.0/\" is not a number from 0 to 32");
	assert_int_equal(parse_prefix("c", "local", "10.0.0.0/x", &p, err, sizeof(err)), -1);
	assert_int_equal(parse_prefix("c", "remote", "10.0.0/8", &p, err, sizeof(err)), -1);
	assert_err("c: \"remote\": \"10.0.0/8\" is not an IPv4 or IPv6 address, ADDRESS/LENGTH or \"any\"");
	assert_int_equal(parse_prefix("c", "remote", "host.example", &p, err, sizeof(err)), -1);
	assert_err("c: \"remote\": \"host.example\" is not an IPv4 or IPv6 address, ADDRESS/LENGTH or \"any\"");
	assert_int_equal(parse_prefix("c", "remote", "2001:db8::1/64", &p, err, sizeof(err)), -1);
	assert_err("c: \"remote\": \"2001:db8::1/64\" has host bits set; did you mean 2001:db8::/64?");
	assert_int_equal(parse_prefix("c", "remote", "10.255.0.0/9", &p, err, sizeof(err)), -1);
	assert_err("c: \"remote\": \"10.255.0.0/9\" has host bits set; did you mean 10.128.0.0/9?");
	assert_int_equal(p.addr.family, AF_UNSPEC);
}

static void test_ports(void **state)
{
	uint16_t lo, hi;

	(void)state;
	assert_int_equal(parse_ports("c", "lport", "80", &lo, &hi, err, sizeof(err)), 0);
	assert_int_equal(lo, 80);
	assert_int_equal(hi, 80);
	assert_int_equal(parse_ports("c", "lport", "0-65535", &lo, &hi, err, sizeof(err)), 0);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 65535);
	assert_int_equal(parse_ports("c", "rport", "1000-1000", &lo, &hi, err, sizeof(err)), 0);
	assert_int_equal(lo, 1000);
	assert_int_equal(hi, 1000);

	assert_int_equal(parse_ports("c", "rport", "2000-1000", &lo, &hi, err, sizeof(err)), -1);
	assert_err("c: \"rport\": the range \"2000-1000\" is reversed; write 1000-2000");
	static const char *const bad[] = {
		"65536", "-1", "1-", "-", "", "a", "1-2-3", "0x50", "1000000-2",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];

		if (parse_ports("c", "lport", bad[i], &lo, &hi, err, sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		snprintf(want, sizeof(want),
			 "c: \"lport\": \"%s\" is not a port or a range P-P of ports from 0 to 65535",
			 bad[i]);
		assert_err(want);
	}
}

static void test_ip_protos(void **state)
{
	static const struct {
		const char *word;
		uint8_t want;
	} good[] = {
		{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
		{ "gre", 47 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
		{ "sctp", 132 }, { "0", 0 }, { "255", 255 }, { "50", 50 },
	};
	uint8_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 99;
		assert_int_equal(parse_ip_proto("c", "proto", good[i].word, &v, err, sizeof(err)), 0);
		assert_int_equal(v, good[i].want);
	}
	assert_int_equal(parse_ip_proto("c", "proto", "256", &v, err, sizeof(err)), -1);
	assert_err("c: \"proto\": \"256\" is not a protocol number (0-255) or name (any, tcp, udp, icmp, ipv6-icmp, sctp, gre)");
	assert_int_equal(parse_ip_proto("c", "proto", "TCP", &v, err, sizeof(err)), -1);
	assert_string_equal(kipsec_ip_proto_name(6), "tcp");
	assert_string_equal(kipsec_ip_proto_name(58), "ipv6-icmp");
	assert_string_equal(kipsec_ip_proto_name(0), "any");
	assert_null(kipsec_ip_proto_name(200));
}

/* Key sources */

static const struct kipsec_alg *gcm128(void)
{
	return kipsec_alg_by_name(KIPSEC_ALG_AEAD, "aes-gcm-128");
}

static char tmpname[64];

static const char *tmpfile_with(const char *text)
{
	int fd;

	strcpy(tmpname, "/tmp/kipsec-test-key.XXXXXX");
	fd = mkstemp(tmpname);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmpname;
}

static void test_key_from_file(void **state)
{
	uint8_t key[KIPSEC_MAX_KEY_LEN];
	uint16_t len;
	const char *f;

	(void)state;
	/* White space and line breaks anywhere, 0x prefix, upper case. */
	f = tmpfile_with("  0x0011 2233\n44556677\t8899AABB\r\nccddeeff\n0011 2233\n\n");
	assert_int_equal(parse_key("sa add", gcm128(), f, &src, key, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 20);
	assert_int_equal(key[0], 0x00);
	assert_int_equal(key[10], 0xaa);
	assert_int_equal(key[19], 0x33);
	unlink(f);

	f = tmpfile_with("00112233445566778899aabbccddeeff00112233");
	assert_int_equal(parse_key("sa add", gcm128(), f, &src, key, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 20);
	unlink(f);

	f = tmpfile_with("00112233445566778899aabbccddeeff001122\n");
	assert_int_equal(parse_key("sa add", gcm128(), f, &src, key, &len, err, sizeof(err)), -1);
	assert_err("sa add: key for aes-gcm-128 must be 20 bytes (16 + 4 salt), got 19");
	unlink(f);

	f = tmpfile_with("00112233445566778899aabbccddeeff0011223\n");
	assert_int_equal(parse_key("sa add", gcm128(), f, &src, key, &len, err, sizeof(err)), -1);
	assert_true(snprintf(line_buf, sizeof(line_buf),
			     "sa add: key for aes-gcm-128: \"%s\" has an odd number of hex digits", f) > 0);
	assert_err(line_buf);
	unlink(f);

	f = tmpfile_with("secret-passphrase-not-hex\n");
	assert_int_equal(parse_key("sa add", gcm128(), f, &src, key, &len, err, sizeof(err)), -1);
	snprintf(line_buf, sizeof(line_buf),
		 "sa add: key for aes-gcm-128: \"%s\" holds a character that is not a hex digit", f);
	assert_err(line_buf);
	assert_null(strstr(err, "passphrase"));
	unlink(f);

	assert_int_equal(parse_key("sa add", gcm128(), "/nonexistent/key", &src, key, &len, err, sizeof(err)), -1);
	assert_err("sa add: key for aes-gcm-128: cannot open \"/nonexistent/key\": No such file or directory");
}

static void test_key_that_looks_like_hex_is_not_echoed(void **state)
{
	uint8_t key[KIPSEC_MAX_KEY_LEN];
	uint16_t len;

	(void)state;
	/* A key written without 0x is taken for a file name. */
	assert_int_equal(parse_key("sa add", gcm128(), "00112233445566778899aabbccddeeff00112233",
				   &src, key, &len, err, sizeof(err)), -1);
	assert_null(strstr(err, "00112233"));
	assert_err("sa add: key for aes-gcm-128: cannot open the key file: No such file or directory (its name is not shown: it looks like a key; write a literal key as 0x...)");
}

static void test_key_literal(void **state)
{
	uint8_t key[KIPSEC_MAX_KEY_LEN];
	uint16_t len;

	(void)state;
	assert_int_equal(parse_key("sa add", gcm128(), "0X00112233445566778899AABBCCDDEEFF00112233",
				   &src, key, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 20);
	assert_int_equal(key[15], 0xff);
	assert_int_equal(parse_key("sa add", gcm128(), "0x00112233445566778899aabbccddeeff0011223g",
				   &src, key, &len, err, sizeof(err)), -1);
	assert_err("sa add: key for aes-gcm-128: the 0x literal holds a character that is not a hex digit");
	assert_int_equal(parse_key("sa add", gcm128(), "0x123", &src, key, &len, err, sizeof(err)), -1);
	assert_err("sa add: key for aes-gcm-128: the 0x literal has an odd number of hex digits");
	assert_int_equal(len, 0);
}

static int pipe_with(const char *text)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
	close(fds[1]);
	return fds[0];
}

static void test_key_from_stdin(void **state)
{
	const struct kipsec_alg *sha256 = kipsec_alg_by_name(KIPSEC_ALG_AUTH, "hmac-sha256-128");
	char line[256];

	(void)state;
	src.stdin_fd = pipe_with("0x000102030405060708090a0b0c0d0e0f\n");
	snprintf(line, sizeof(line),
		 "kipsec0 dir in spi 1 proto esp enc aes-cbc-128 key - auth hmac-sha256-128 key %s",
		 hexkey(32));
	assert_int_equal(sa_add(line), 0);
	assert_int_equal(keys.enc_len, 16);
	assert_int_equal(keys.enc[15], 0x0f);
	assert_int_equal(keys.auth_len, 32);
	close(src.stdin_fd);

	/* stdin is read once: a second "-" is refused. */
	src.stdin_fd = pipe_with("000102030405060708090a0b0c0d0e0f");
	src.stdin_busy = NULL;
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc aes-cbc-128 key - auth hmac-sha256-128 key -"), -1);
	assert_err("sa add: key for hmac-sha256-128: \"-\": stdin was already read for another key");
	assert_int_equal(keys.enc_len, 0);	/* wiped on failure */
	close(src.stdin_fd);

	/* A batch read from stdin makes "-" unusable. */
	src.stdin_busy = "stdin is the batch file";
	assert_int_equal(sa_add("kipsec0 dir in spi 1 proto esp enc aes-cbc-128 key -"), -1);
	assert_err("sa add: key for aes-cbc-128: \"-\": stdin is the batch file");

	/* Short key on stdin. */
	{
		uint8_t key[KIPSEC_MAX_KEY_LEN];
		uint16_t len;

		src.stdin_busy = NULL;
		src.stdin_fd = pipe_with("0011");
		assert_int_equal(parse_key("sa add", sha256, "-", &src, key, &len, err, sizeof(err)), -1);
		assert_err("sa add: key for hmac-sha256-128 must be 32 bytes, got 2");
		close(src.stdin_fd);
	}
}

/* Other commands */

static void test_sa_del(void **state)
{
	char *ok[] = { "kipsec0", "proto", "ah", "spi", "0x1234", "dir", "out", NULL };
	char *missing[] = { "kipsec0", "dir", "in", "spi", "1", NULL };
	char *extra[] = { "kipsec0", "dir", "in", "spi", "1", "proto", "esp", "enc", "null", NULL };

	(void)state;
	assert_int_equal(parse_sa_del(7, ok, &sa, err, sizeof(err)), 0);
	assert_string_equal(sa.ifname, "kipsec0");
	assert_int_equal(sa.dir, KIPSEC_DIR_OUT);
	assert_int_equal(sa.spi, 0x1234);
	assert_int_equal(sa.proto, IPPROTO_AH);
	assert_int_equal(parse_sa_del(5, missing, &sa, err, sizeof(err)), -1);
	assert_err("sa del: \"proto esp\" or \"proto ah\" is required");
	assert_int_equal(parse_sa_del(9, extra, &sa, err, sizeof(err)), -1);
	assert_err("sa del: unknown keyword \"enc\"");
	assert_int_equal(parse_sa_del(0, ok, &sa, err, sizeof(err)), -1);
	assert_err("sa del: a device name is required");
}

static void test_sa_show_and_flush(void **state)
{
	char *none[] = { NULL };
	char *dev[] = { "kipsec3", NULL };
	char *one[] = { "kipsec3", "dir", "in", "spi", "256", "proto", "esp", NULL };
	char *partial[] = { "kipsec3", "dir", "in", NULL };
	char *two[] = { "kipsec3", "kipsec4", NULL };
	char name[IF_NAMESIZE];
	bool single;

	(void)state;
	assert_int_equal(parse_sa_show(0, none, &sa, &single, err, sizeof(err)), 0);
	assert_false(single);
	assert_string_equal(sa.ifname, "");
	assert_int_equal(parse_sa_show(1, dev, &sa, &single, err, sizeof(err)), 0);
	assert_false(single);
	assert_string_equal(sa.ifname, "kipsec3");
	assert_int_equal(parse_sa_show(7, one, &sa, &single, err, sizeof(err)), 0);
	assert_true(single);
	assert_int_equal(sa.spi, 256);
	assert_int_equal(parse_sa_show(3, partial, &sa, &single, err, sizeof(err)), -1);
	assert_err("sa show: \"spi SPI\" is required");
	assert_int_equal(parse_sa_show(2, two, &sa, &single, err, sizeof(err)), -1);
	assert_err("sa show: unknown keyword \"kipsec4\"");

	assert_int_equal(parse_sa_flush(0, none, name, err, sizeof(err)), 0);
	assert_string_equal(name, "");
	assert_int_equal(parse_sa_flush(1, dev, name, err, sizeof(err)), 0);
	assert_string_equal(name, "kipsec3");
	assert_int_equal(parse_sa_flush(2, two, name, err, sizeof(err)), -1);
	assert_err("sa flush: unexpected \"kipsec4\"");
}

static void test_spi_alloc(void **state)
{
	struct kipsec_spi_req r;
	char *plain[] = { "kipsec0", "proto", "esp", NULL };
	char *range[] = { "kipsec0", "max", "0x2000", "proto", "ah", "min", "4096", NULL };
	char *reversed[] = { "kipsec0", "proto", "esp", "min", "0x2000", "max", "0x1000", NULL };
	char *noproto[] = { "kipsec0", "min", "300", NULL };
	char *badproto[] = { "kipsec0", "proto", "tcp", NULL };
	char *twice[] = { "kipsec0", "proto", "esp", "min", "300", "min", "400", NULL };
	char *nodev[] = { "proto", "esp", NULL };
	char *novalue[] = { "kipsec0", "proto", "esp", "max", NULL };

	(void)state;
	assert_int_equal(parse_spi_alloc(3, plain, &r, err, sizeof(err)), 0);
	assert_string_equal(r.ifname, "kipsec0");
	assert_int_equal(r.proto, IPPROTO_ESP);
	assert_false(r.has_min);
	assert_false(r.has_max);
	assert_int_equal(parse_spi_alloc(7, range, &r, err, sizeof(err)), 0);
	assert_int_equal(r.proto, IPPROTO_AH);
	assert_true(r.has_min && r.has_max);
	assert_int_equal(r.min, 4096);
	assert_int_equal(r.max, 0x2000);
	assert_int_equal(parse_spi_alloc(7, reversed, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: \"min\" 0x00002000 is greater than \"max\" 0x00001000");
	assert_int_equal(parse_spi_alloc(3, noproto, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: \"proto esp\" or \"proto ah\" is required");
	assert_int_equal(parse_spi_alloc(3, badproto, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: \"proto\": \"tcp\" is not \"esp\" or \"ah\"");
	assert_int_equal(parse_spi_alloc(7, twice, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: \"min\" is given twice");
	assert_int_equal(parse_spi_alloc(2, nodev, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: a device name is required before \"proto\"");
	assert_int_equal(parse_spi_alloc(4, novalue, &r, err, sizeof(err)), -1);
	assert_err("spi alloc: \"max\" needs an SPI");
}

/* Algorithm names for show */

static void test_alg_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GCM, 256, buf, sizeof(buf)),
			    "aes-gcm-256");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_CCM, 128, buf, sizeof(buf)),
			    "aes-ccm-128");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GMAC, 192, buf, sizeof(buf)),
			    "aes-gmac-192");
	/* Sizes only informative for these. */
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, KIPSEC_AEAD_CHACHA20_POLY1305, 0, buf, sizeof(buf)),
			    "chacha20-poly1305");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_ENC, KIPSEC_ENC_DES, 56, buf, sizeof(buf)), "des");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_ENC, KIPSEC_ENC_3DES, 192, buf, sizeof(buf)), "3des");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_ENC, KIPSEC_ENC_NULL, 0, buf, sizeof(buf)), "null");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CTR, 192, buf, sizeof(buf)),
			    "aes-ctr-192");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AUTH, KIPSEC_AUTH_AES_XCBC_96, 999, buf, sizeof(buf)),
			    "aes-xcbc-96");
	/* Unknown sizes and ids still print something. */
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GCM, 0, buf, sizeof(buf)),
			    "aes-gcm-?");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CBC, 512, buf, sizeof(buf)),
			    "aes-cbc-512");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AEAD, 99, 128, buf, sizeof(buf)), "aead-99");
	assert_string_equal(kipsec_alg_name(KIPSEC_ALG_AUTH, 42, 0, buf, sizeof(buf)), "auth-42");

	/* Weak: des, md5, null; not 3des. */
	assert_true(kipsec_alg_by_name(KIPSEC_ALG_ENC, "des")->weak);
	assert_true(kipsec_alg_by_name(KIPSEC_ALG_ENC, "null")->weak);
	assert_true(kipsec_alg_by_name(KIPSEC_ALG_AUTH, "hmac-md5-96")->weak);
	assert_false(kipsec_alg_by_name(KIPSEC_ALG_ENC, "3des")->weak);
	assert_false(kipsec_alg_by_name(KIPSEC_ALG_AUTH, "hmac-sha1-96")->weak);
	assert_false(kipsec_alg_by_name(KIPSEC_ALG_AEAD, "aes-gmac-128")->weak);
	assert_null(kipsec_alg_by_name(KIPSEC_ALG_AUTH, "aes-gcm-128"));
}

/* Batch lines */

static void test_batch_line_split(void **state)
{
	char *argv[16];
	char line[256];
	int argc;

	(void)state;
	strcpy(line, "  sa   add\tkipsec0 \"two words\" 'single \"q\"' a\"b c\"d \"\" x#y # comment\n");
	assert_int_equal(parse_batch_line(line, argv, 16, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 8);
	assert_string_equal(argv[0], "sa");
	assert_string_equal(argv[1], "add");
	assert_string_equal(argv[2], "kipsec0");
	assert_string_equal(argv[3], "two words");
	assert_string_equal(argv[4], "single \"q\"");
	assert_string_equal(argv[5], "ab cd");
	assert_string_equal(argv[6], "");
	assert_string_equal(argv[7], "x#y");
	assert_null(argv[8]);

	/* x#y is a word: # starts a comment only at the start of a word. */
	strcpy(line, "x#y z");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "x#y");
	assert_string_equal(argv[1], "z");

	strcpy(line, "   # a comment line\n");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 0);
	strcpy(line, " \t\r\n");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 0);
	strcpy(line, "\"#not a comment\"");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "#not a comment");
	strcpy(line, "last\r\n");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "last");

	strcpy(line, "sa add \"kipsec0\n");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), -1);
	assert_err("unterminated \" quote");
	strcpy(line, "it's");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), -1);
	assert_err("unterminated ' quote");
	strcpy(line, "1 2 3 4 5 6 7 8");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), -1);
	assert_err("more than 7 words on a line");
	strcpy(line, "1 2 3 4 5 6 7");
	assert_int_equal(parse_batch_line(line, argv, 8, &argc, err, sizeof(err)), 0);
	assert_int_equal(argc, 7);
	assert_string_equal(argv[6], "7");
}

static void test_global_batch_opts(void **state)
{
	char *ok[] = { "-j", "-force", "-batch", "cmds.txt", "-s", NULL };
	char *missing[] = { "-batch", NULL };
	char *twice[] = { "-batch", "a", "--batch", "b", NULL };
	struct kipsec_opts o = { 0 };
	int argc = 5;

	(void)state;
	assert_int_equal(parse_global_opts(&argc, ok, &o, err, sizeof(err)), 0);
	assert_int_equal(argc, 0);
	assert_true(o.json && o.stats && o.force);
	assert_string_equal(o.batch, "cmds.txt");

	memset(&o, 0, sizeof(o));
	argc = 1;
	assert_int_equal(parse_global_opts(&argc, missing, &o, err, sizeof(err)), -1);
	assert_err("\"-batch\" needs a file name (\"-\" for stdin)");
	memset(&o, 0, sizeof(o));
	argc = 4;
	assert_int_equal(parse_global_opts(&argc, twice, &o, err, sizeof(err)), -1);
	assert_err("\"--batch\" is given twice");
}

/* The library's names of SA attributes, for kernel errors. */
static void test_sa_attr_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_SPI, buf, sizeof(buf)), "spi");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_AEAD_KEY, buf, sizeof(buf)), "aead-key");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_PID_LOCAL_IPV4, buf, sizeof(buf)),
			    "pid-local-ipv4");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_PID_RPORT_MAX, buf, sizeof(buf)),
			    "pid-rport-max");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_REPLAY_WINDOW, buf, sizeof(buf)),
			    "replay-window");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_SPI_MIN, buf, sizeof(buf)), "spi-min");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_ICV_BITS, buf, sizeof(buf)), "icv-bits");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_LIFETIME_SOFT, buf, sizeof(buf)),
			    "lifetime-soft");
	assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_LIFETIME_HARD, buf, sizeof(buf)),
			    "lifetime-hard");
	{
		char want[32];

		snprintf(want, sizeof(want), "attribute %d", KIPSEC_A_SA_MAX + 1);
		assert_string_equal(kipsec_nl_sa_attr_name(KIPSEC_A_SA_MAX + 1, buf,
							   sizeof(buf)), want);
	}
	assert_string_equal(kipsec_nl_tunnel_attr_name(KIPSEC_A_TUNNEL_STATS, buf, sizeof(buf)), "stats");
	{
		int t;

		for (t = 1; t <= KIPSEC_A_SA_MAX; t++)
			assert_null(strstr(kipsec_nl_sa_attr_name(t, buf, sizeof(buf)),
					   "attribute"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_algorithm, setup),
		cmocka_unit_test_setup(test_every_wrong_key_length, setup),
		cmocka_unit_test_setup(test_key_length_message_of_the_brief, setup),
		cmocka_unit_test_setup(test_long_key_counts_all_bytes, setup),
		cmocka_unit_test_setup(test_null_cipher_key, setup),
		cmocka_unit_test_setup(test_icv, setup),
		cmocka_unit_test_setup(test_unknown_algorithm, setup),
		cmocka_unit_test_setup(test_algorithm_combinations, setup),
		cmocka_unit_test_setup(test_ah, setup),
		cmocka_unit_test_setup(test_ah_every_alg, setup),
		cmocka_unit_test_setup(test_ah_options, setup),
		cmocka_unit_test_setup(test_ah_rejects, setup),
		cmocka_unit_test_setup(test_required_and_twice, setup),
		cmocka_unit_test_setup(test_spi_words, setup),
		cmocka_unit_test_setup(test_replay_window_and_esn, setup),
		cmocka_unit_test_setup(test_seq, setup),
		cmocka_unit_test_setup(test_lifetime, setup),
		cmocka_unit_test_setup(test_proxy_id_full, setup),
		cmocka_unit_test_setup(test_proxy_id_defaults_and_any, setup),
		cmocka_unit_test_setup(test_proxy_id_errors, setup),
		cmocka_unit_test_setup(test_prefixes, setup),
		cmocka_unit_test_setup(test_ports, setup),
		cmocka_unit_test_setup(test_ip_protos, setup),
		cmocka_unit_test_setup(test_key_from_file, setup),
		cmocka_unit_test_setup(test_key_that_looks_like_hex_is_not_echoed, setup),
		cmocka_unit_test_setup(test_key_literal, setup),
		cmocka_unit_test_setup(test_key_from_stdin, setup),
		cmocka_unit_test_setup(test_sa_del, setup),
		cmocka_unit_test_setup(test_sa_show_and_flush, setup),
		cmocka_unit_test_setup(test_spi_alloc, setup),
		cmocka_unit_test_setup(test_alg_names, setup),
		cmocka_unit_test_setup(test_batch_line_split, setup),
		cmocka_unit_test_setup(test_global_batch_opts, setup),
		cmocka_unit_test_setup(test_sa_attr_names, setup),
	};

	return cmocka_run_group_tests_name("sa_parse", tests, NULL, NULL);
}
