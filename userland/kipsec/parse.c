// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "../lib/ctl.h"

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
		else if (!strcmp(a, "-force") || !strcmp(a, "--force"))
			o->force = true;
		else if (!strcmp(a, "-b") || !strcmp(a, "-batch") || !strcmp(a, "--batch")) {
			if (in + 1 >= *argc)
				return fail(err, errlen, "\"%s\" needs a file name (\"-\" for stdin)",
					    a);
			if (o->batch)
				return fail(err, errlen, "\"%s\" is given twice", a);
			o->batch = argv[++in];
		} else if (!strcmp(a, "-S") || !strcmp(a, "-socket") || !strcmp(a, "--socket")) {
			if (in + 1 >= *argc)
				return fail(err, errlen, "\"%s\" needs the path of kipsecd's control socket",
					    a);
			o->socket = argv[++in];
		} else
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

/* Algorithms */

#define ICV_ALL (KIPSEC_ICV_64 | KIPSEC_ICV_96 | KIPSEC_ICV_128)

static const struct kipsec_alg algs[] = {
	{ "aes-gcm-128", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GCM, 128, 4, "salt", ICV_ALL, false },
	{ "aes-gcm-192", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GCM, 192, 4, "salt", ICV_ALL, false },
	{ "aes-gcm-256", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GCM, 256, 4, "salt", ICV_ALL, false },
	{ "aes-ccm-128", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_CCM, 128, 3, "salt", ICV_ALL, false },
	{ "aes-ccm-192", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_CCM, 192, 3, "salt", ICV_ALL, false },
	{ "aes-ccm-256", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_CCM, 256, 3, "salt", ICV_ALL, false },
	{ "chacha20-poly1305", KIPSEC_ALG_AEAD, KIPSEC_AEAD_CHACHA20_POLY1305, 256, 4, "salt",
	  KIPSEC_ICV_128, false },
	{ "aes-gmac-128", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GMAC, 128, 4, "salt", KIPSEC_ICV_128, false },
	{ "aes-gmac-192", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GMAC, 192, 4, "salt", KIPSEC_ICV_128, false },
	{ "aes-gmac-256", KIPSEC_ALG_AEAD, KIPSEC_AEAD_AES_GMAC, 256, 4, "salt", KIPSEC_ICV_128, false },

	{ "des", KIPSEC_ALG_ENC, KIPSEC_ENC_DES, 64, 0, NULL, 0, true },
	{ "3des", KIPSEC_ALG_ENC, KIPSEC_ENC_3DES, 192, 0, NULL, 0, false },
	{ "aes-cbc-128", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CBC, 128, 0, NULL, 0, false },
	{ "aes-cbc-192", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CBC, 192, 0, NULL, 0, false },
	{ "aes-cbc-256", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CBC, 256, 0, NULL, 0, false },
	{ "aes-ctr-128", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CTR, 128, 4, "nonce", 0, false },
	{ "aes-ctr-192", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CTR, 192, 4, "nonce", 0, false },
	{ "aes-ctr-256", KIPSEC_ALG_ENC, KIPSEC_ENC_AES_CTR, 256, 4, "nonce", 0, false },
	{ "null", KIPSEC_ALG_ENC, KIPSEC_ENC_NULL, 0, 0, NULL, 0, true },

	{ "hmac-md5-96", KIPSEC_ALG_AUTH, KIPSEC_AUTH_HMAC_MD5_96, 128, 0, NULL, 0, true },
	{ "hmac-sha1-96", KIPSEC_ALG_AUTH, KIPSEC_AUTH_HMAC_SHA1_96, 160, 0, NULL, 0, false },
	{ "hmac-sha256-128", KIPSEC_ALG_AUTH, KIPSEC_AUTH_HMAC_SHA256_128, 256, 0, NULL, 0, false },
	{ "hmac-sha384-192", KIPSEC_ALG_AUTH, KIPSEC_AUTH_HMAC_SHA384_192, 384, 0, NULL, 0, false },
	{ "hmac-sha512-256", KIPSEC_ALG_AUTH, KIPSEC_AUTH_HMAC_SHA512_256, 512, 0, NULL, 0, false },
	{ "aes-xcbc-96", KIPSEC_ALG_AUTH, KIPSEC_AUTH_AES_XCBC_96, 128, 0, NULL, 0, false },
};

#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

/* Whether the name of the algorithm carries its key size. */
static bool sized_name(const struct kipsec_alg *a)
{
	return !strncmp(a->name, "aes-", 4) && a->kind != KIPSEC_ALG_AUTH;
}

size_t kipsec_alg_key_len(const struct kipsec_alg *a)
{
	return a->key_bits / 8 + a->salt_len;
}

const struct kipsec_alg *kipsec_alg_by_name(enum kipsec_alg_kind kind,
					    const char *name)
{
	size_t i;

	for (i = 0; i < N_ALGS; i++)
		if (algs[i].kind == kind && !strcmp(algs[i].name, name))
			return &algs[i];
	return NULL;
}

const struct kipsec_alg *kipsec_alg_by_id(enum kipsec_alg_kind kind,
					  uint32_t id, uint32_t key_bits)
{
	size_t i;

	for (i = 0; i < N_ALGS; i++) {
		const struct kipsec_alg *a = &algs[i];

		if (a->kind != kind || a->id != id)
			continue;
		if (!sized_name(a) || a->key_bits == key_bits)
			return a;
	}
	return NULL;
}

const char *kipsec_alg_name(enum kipsec_alg_kind kind, uint32_t id,
			    uint32_t key_bits, char *buf, size_t len)
{
	static const char *const kinds[] = { "aead", "enc", "auth" };
	const struct kipsec_alg *a = kipsec_alg_by_id(kind, id, key_bits);
	size_t i;

	if (a)
		return a->name;
	/* A known family with a size we have no name for: aes-gcm-? */
	for (i = 0; i < N_ALGS; i++) {
		if (algs[i].kind == kind && algs[i].id == id) {
			int base = (int)(strrchr(algs[i].name, '-') - algs[i].name);

			if (key_bits)
				snprintf(buf, len, "%.*s-%u", base, algs[i].name,
					 key_bits);
			else
				snprintf(buf, len, "%.*s-?", base, algs[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "%s-%u", kinds[kind], id);
	return buf;
}

const char *kipsec_alg_list(enum kipsec_alg_kind kind, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < N_ALGS && used < len; i++) {
		if (algs[i].kind != kind)
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", algs[i].name);
	}
	return buf;
}

/* Small words */

/* A decimal number, or 0x hex, up to 2^64 - 1. */
static bool read_u64(const char *word, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = word;
	int base = 10, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		digits++;
	}
	if (!digits)
		return false;
	*out = v;
	return true;
}

/* A decimal number, or 0x hex, up to 2^32 - 1. */
static bool read_u32(const char *word, uint32_t *out)
{
	uint64_t v;

	if (!read_u64(word, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A decimal number from @min to @max. */
static bool read_dec(const char *word, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	uint32_t v;

	const char *p;

	for (p = word; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	if (!read_u32(word, &v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int parse_spi(const char *cmd, const char *keyword, const char *word,
	      uint32_t *out, char *err, size_t errlen)
{
	if (!read_u32(word, out))
		return fail(err, errlen,
			    "%s: \"%s\": \"%s\" is not a decimal or 0x hex number from 0 to 0xffffffff",
			    cmd, keyword, word);
	return 0;
}

int parse_prefix(const char *cmd, const char *keyword, const char *word,
		 struct kipsec_nl_prefix *out, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(word, '/');
	size_t alen = slash ? (size_t)(slash - word) : strlen(word);
	unsigned long plen, max;
	uint8_t *bytes;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!strcmp(word, "any"))
		return 0;
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, word, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, &out->addr.ip4) == 1) {
		out->addr.family = AF_INET;
		max = 32;
		bytes = (uint8_t *)&out->addr.ip4;
	} else if (inet_pton(AF_INET6, addr, &out->addr.ip6) == 1) {
		out->addr.family = AF_INET6;
		max = 128;
		bytes = out->addr.ip6.s6_addr;
	} else {
		goto bad;
	}
	plen = max;
	if (slash && !read_dec(slash + 1, 0, max, &plen)) {
		memset(out, 0, sizeof(*out));
		return fail(err, errlen,
			    "%s: \"%s\": the prefix length of \"%s\" is not a number from 0 to %lu",
			    cmd, keyword, word, max);
	}
	out->len = (uint8_t)plen;
	for (i = 0; i < max / 8; i++) {
		unsigned int keep = plen >= (i + 1) * 8 ? 8 :
				    plen > i * 8 ? plen - i * 8 : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		if (bytes[i] & ~mask) {
			char fixed[INET6_ADDRSTRLEN];
			size_t j;

			for (j = i; j < max / 8; j++) {
				keep = plen >= (j + 1) * 8 ? 8 :
				       plen > j * 8 ? plen - j * 8 : 0;
				bytes[j] &= keep ? (uint8_t)(0xff << (8 - keep)) : 0;
			}
			inet_ntop(out->addr.family, bytes, fixed, sizeof(fixed));
			memset(out, 0, sizeof(*out));
			return fail(err, errlen,
				    "%s: \"%s\": \"%s\" has host bits set; did you mean %s/%lu?",
				    cmd, keyword, word, fixed, plen);
		}
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return fail(err, errlen,
		    "%s: \"%s\": \"%s\" is not an IPv4 or IPv6 address, ADDRESS/LENGTH or \"any\"",
		    cmd, keyword, word);
}

int parse_ports(const char *cmd, const char *keyword, const char *word,
		uint16_t *min, uint16_t *max, char *err, size_t errlen)
{
	const char *dash = strchr(word, '-');
	unsigned long lo, hi;
	char first[8];

	if (!dash) {
		if (!read_dec(word, 0, 65535, &lo))
			goto bad;
		hi = lo;
	} else {
		if ((size_t)(dash - word) >= sizeof(first))
			goto bad;
		memcpy(first, word, dash - word);
		first[dash - word] = '\0';
		if (!read_dec(first, 0, 65535, &lo) ||
		    !read_dec(dash + 1, 0, 65535, &hi))
			goto bad;
		if (lo > hi)
			return fail(err, errlen,
				    "%s: \"%s\": the range \"%s\" is reversed; write %lu-%lu",
				    cmd, keyword, word, hi, lo);
	}
	*min = (uint16_t)lo;
	*max = (uint16_t)hi;
	return 0;
bad:
	return fail(err, errlen,
		    "%s: \"%s\": \"%s\" is not a port or a range P-P of ports from 0 to 65535",
		    cmd, keyword, word);
}

static const struct {
	const char *name;
	uint8_t proto;
} ip_protos[] = {
	{ "any", 0 },
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "gre", IPPROTO_GRE },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
};

#define N_IP_PROTOS (sizeof(ip_protos) / sizeof(ip_protos[0]))

int parse_ip_proto(const char *cmd, const char *keyword, const char *word,
		   uint8_t *out, char *err, size_t errlen)
{
	unsigned long v;
	size_t i;

	for (i = 0; i < N_IP_PROTOS; i++) {
		if (!strcmp(word, ip_protos[i].name)) {
			*out = ip_protos[i].proto;
			return 0;
		}
	}
	if (read_dec(word, 0, 255, &v)) {
		*out = (uint8_t)v;
		return 0;
	}
	if (!strcmp(word, "esp") || !strcmp(word, "ah"))
		return fail(err, errlen,
			    "%s: proxy-id \"%s\": \"%s\" is not a protocol of the proxy ID; the SA's \"proto %s\" goes before \"proxy-id\"",
			    cmd, keyword, word, word);
	return fail(err, errlen,
		    "%s: \"%s\": \"%s\" is not a protocol number (0-255) or name (any, tcp, udp, icmp, ipv6-icmp, sctp, gre)",
		    cmd, keyword, word);
}

const char *kipsec_ip_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < N_IP_PROTOS; i++)
		if (ip_protos[i].proto == proto)
			return ip_protos[i].name;
	return NULL;
}

const char *kipsec_prefix_str(const struct kipsec_nl_prefix *p, char *buf,
			      size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->addr.family) {
		snprintf(buf, len, "any");
		return buf;
	}
	inet_ntop(p->addr.family, p->addr.family == AF_INET ?
		  (const void *)&p->addr.ip4 : (const void *)&p->addr.ip6,
		  a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

/* Keys */

/* Longest key file or stdin we read: 2 hex digits per byte, with room for
 * white space and line breaks. */
#define KEY_TEXT_MAX 4096

/* Whether @word looks like a key written without 0x: then it is not
 * echoed in messages, since it may be one. */
static bool looks_like_hex(const char *word)
{
	size_t n = 0;

	for (; *word; word++, n++)
		if (!isxdigit((unsigned char)*word))
			return false;
	return n >= 8;
}

/*
 * Hex digits of @text (@n bytes) into @key; white space is skipped and a
 * leading 0x allowed. *len counts every byte, also those past the buffer,
 * so that a long key is reported with its length.
 */
static const char *hex_decode(const char *text, size_t n,
			      uint8_t key[KIPSEC_MAX_KEY_LEN], size_t *len)
{
	size_t i = 0, digits = 0;
	unsigned int byte = 0;

	*len = 0;
	while (i < n && isspace((unsigned char)text[i]))
		i++;
	if (i + 1 < n && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X'))
		i += 2;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isspace(c))
			continue;
		if (!isxdigit(c)) {
			byte = 0;
			return "holds a character that is not a hex digit";
		}
		byte = byte << 4 | (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		if (++digits % 2 == 0) {
			if (*len < KIPSEC_MAX_KEY_LEN)
				key[*len] = (uint8_t)byte;
			(*len)++;
			byte = 0;
		}
	}
	byte = 0;
	if (digits % 2)
		return "has an odd number of hex digits";
	return NULL;
}

/* Read all of @fd into @buf; -1 with errno on failure, or a too long text. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		got += n;
		if (got == size) {
			errno = EFBIG;
			return -1;
		}
	}
}

static int key_length_error(const char *cmd, const struct kipsec_alg *alg,
			    size_t got, char *err, size_t errlen)
{
	if (alg->salt_len)
		return fail(err, errlen,
			    "%s: key for %s must be %zu bytes (%u + %u %s), got %zu",
			    cmd, alg->name, kipsec_alg_key_len(alg),
			    alg->key_bits / 8, alg->salt_len, alg->salt_word, got);
	return fail(err, errlen, "%s: key for %s must be %zu bytes, got %zu",
		    cmd, alg->name, kipsec_alg_key_len(alg), got);
}

int parse_key(const char *cmd, const struct kipsec_alg *alg, const char *word,
	      struct kipsec_key_src *src, uint8_t key[KIPSEC_MAX_KEY_LEN],
	      uint16_t *len, char *err, size_t errlen)
{
	char text[KEY_TEXT_MAX];
	const char *why;
	ssize_t n;
	size_t got;
	int fd;

	*len = 0;
	if (word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
		why = hex_decode(word, strlen(word), key, &got);
		if (why) {
			explicit_bzero(key, KIPSEC_MAX_KEY_LEN);
			return fail(err, errlen, "%s: key for %s: the 0x literal %s",
				    cmd, alg->name, why);
		}
		goto check;
	}

	if (!strcmp(word, "-")) {
		if (src->stdin_busy)
			return fail(err, errlen, "%s: key for %s: \"-\": %s",
				    cmd, alg->name, src->stdin_busy);
		src->stdin_busy = "stdin was already read for another key";
		fd = src->stdin_fd;
	} else {
		fd = open(word, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			int e = errno;

			if (looks_like_hex(word))
				return fail(err, errlen,
					    "%s: key for %s: cannot open the key file: %s (its name is not shown: it looks like a key; write a literal key as 0x...)",
					    cmd, alg->name, strerror(e));
			return fail(err, errlen, "%s: key for %s: cannot open \"%s\": %s",
				    cmd, alg->name, word, strerror(e));
		}
	}
	n = read_all(fd, text, sizeof(text));
	if (n < 0) {
		int e = errno;

		explicit_bzero(text, sizeof(text));
		if (fd != src->stdin_fd)
			close(fd);
		if (e == EFBIG)
			return fail(err, errlen,
				    "%s: key for %s: \"%s\" is longer than %d characters",
				    cmd, alg->name, word, KEY_TEXT_MAX - 1);
		return fail(err, errlen, "%s: key for %s: cannot read \"%s\": %s",
			    cmd, alg->name, word, strerror(e));
	}
	if (fd != src->stdin_fd)
		close(fd);
	why = hex_decode(text, (size_t)n, key, &got);
	explicit_bzero(text, sizeof(text));
	if (why) {
		explicit_bzero(key, KIPSEC_MAX_KEY_LEN);
		return fail(err, errlen, "%s: key for %s: \"%s\" %s",
			    cmd, alg->name, strcmp(word, "-") ? word : "stdin", why);
	}
check:
	if (got != kipsec_alg_key_len(alg)) {
		explicit_bzero(key, KIPSEC_MAX_KEY_LEN);
		return key_length_error(cmd, alg, got, err, errlen);
	}
	*len = (uint16_t)got;
	return 0;
}

/* Commands */

static const char *const sa_keywords[] = {
	"dir", "spi", "proto", "aead", "enc", "auth", "key", "icv",
	"replay-window", "esn", "ah-align", "seq", "proxy-id", "min", "max",
	NULL,
};

/* DEV, the first word of a command, and not a keyword forgotten it. */
static int parse_dev(const char *cmd, int argc, char **argv, char *dev,
		     char *err, size_t errlen)
{
	char why[128];
	size_t i;

	if (argc < 1)
		return fail(err, errlen, "%s: a device name is required", cmd);
	for (i = 0; sa_keywords[i]; i++)
		if (!strcmp(argv[0], sa_keywords[i]))
			return fail(err, errlen,
				    "%s: a device name is required before \"%s\"",
				    cmd, argv[0]);
	if (parse_ifname(argv[0], dev, why, sizeof(why)))
		return fail(err, errlen, "%s: %s", cmd, why);
	return 0;
}

static int need_value(const char *cmd, int argc, char **argv, int i,
		      const char *what, char *err, size_t errlen)
{
	if (i + 1 < argc)
		return 0;
	return fail(err, errlen, "%s: \"%s\" needs %s", cmd, argv[i], what);
}

static int parse_dir(const char *cmd, const char *word, uint8_t *dir,
		     char *err, size_t errlen)
{
	if (!strcmp(word, "in"))
		*dir = KIPSEC_DIR_IN;
	else if (!strcmp(word, "out"))
		*dir = KIPSEC_DIR_OUT;
	else
		return fail(err, errlen, "%s: \"dir\": \"%s\" is not \"in\" or \"out\"",
			    cmd, word);
	return 0;
}

static int parse_sa_proto(const char *cmd, const char *word, uint8_t *proto,
			  char *err, size_t errlen)
{
	if (!strcmp(word, "esp"))
		*proto = IPPROTO_ESP;
	else if (!strcmp(word, "ah"))
		*proto = IPPROTO_AH;
	else
		return fail(err, errlen, "%s: \"proto\": \"%s\" is not \"esp\" or \"ah\"",
			    cmd, word);
	return 0;
}

/* Bits of the keywords seen, to refuse one given twice. */
enum {
	SEEN_DIR = 1 << 0,
	SEEN_SPI = 1 << 1,
	SEEN_PROTO = 1 << 2,
	SEEN_AEAD = 1 << 3,
	SEEN_ENC = 1 << 4,
	SEEN_AUTH = 1 << 5,
	SEEN_ICV = 1 << 6,
	SEEN_REPLAY = 1 << 7,
	SEEN_ESN = 1 << 8,
	SEEN_MIN = 1 << 9,
	SEEN_MAX = 1 << 10,
	SEEN_LOCAL = 1 << 11,
	SEEN_REMOTE = 1 << 12,
	SEEN_LPORT = 1 << 13,
	SEEN_RPORT = 1 << 14,
	SEEN_SEQ = 1 << 15,
	SEEN_ALIGN = 1 << 16,
};

/* SA flags given as "WORD VALUE", where VALUE "on" sets the flag. */
struct sa_flag_kw {
	const char *word, *on, *off, *what;
	unsigned int seen;
	uint32_t flag;
};

static const struct sa_flag_kw sa_flag_kws[] = {
	{ "esn", "on", "off", "\"on\" or \"off\"", SEEN_ESN, KIPSEC_SA_F_ESN },
	{ "ah-align", "4", "8", "4 or 8", SEEN_ALIGN, KIPSEC_SA_F_AH_ALIGN4 },
};

static const struct sa_flag_kw *sa_flag_word(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(sa_flag_kws) / sizeof(sa_flag_kws[0]); i++)
		if (!strcmp(word, sa_flag_kws[i].word))
			return &sa_flag_kws[i];
	return NULL;
}

static int once(const char *cmd, unsigned int *seen, unsigned int bit,
		const char *word, char *err, size_t errlen)
{
	if (*seen & bit)
		return fail(err, errlen, "%s: \"%s\" is given twice", cmd, word);
	*seen |= bit;
	return 0;
}

/*
 * dir, spi and proto, the words that name an SA, at argv[i]; 1 if argv[i]
 * is none of them, 0 if it was taken (with its value), -1 on error.
 */
static int parse_sa_id_word(const char *cmd, int argc, char **argv, int i,
			    unsigned int *seen, struct kipsec_sa_info *sa,
			    char *err, size_t errlen)
{
	const char *w = argv[i];

	if (!strcmp(w, "dir")) {
		if (once(cmd, seen, SEEN_DIR, w, err, errlen) ||
		    need_value(cmd, argc, argv, i, "\"in\" or \"out\"", err, errlen))
			return -1;
		return parse_dir(cmd, argv[i + 1], &sa->dir, err, errlen);
	}
	if (!strcmp(w, "spi")) {
		if (once(cmd, seen, SEEN_SPI, w, err, errlen) ||
		    need_value(cmd, argc, argv, i, "an SPI", err, errlen))
			return -1;
		return parse_spi(cmd, w, argv[i + 1], &sa->spi, err, errlen);
	}
	if (!strcmp(w, "proto")) {
		if (once(cmd, seen, SEEN_PROTO, w, err, errlen) ||
		    need_value(cmd, argc, argv, i, "\"esp\" or \"ah\"", err, errlen))
			return -1;
		return parse_sa_proto(cmd, argv[i + 1], &sa->proto, err, errlen);
	}
	return 1;
}

static int require_sa_id(const char *cmd, unsigned int seen, char *err,
			 size_t errlen)
{
	if (!(seen & SEEN_DIR))
		return fail(err, errlen, "%s: \"dir in\" or \"dir out\" is required", cmd);
	if (!(seen & SEEN_SPI))
		return fail(err, errlen, "%s: \"spi SPI\" is required", cmd);
	if (!(seen & SEEN_PROTO))
		return fail(err, errlen, "%s: \"proto esp\" or \"proto ah\" is required", cmd);
	return 0;
}

int parse_spi_alloc(int argc, char **argv, struct kipsec_spi_req *r,
		    char *err, size_t errlen)
{
	const char *cmd = "spi alloc";
	unsigned int seen = 0;
	int i;

	memset(r, 0, sizeof(*r));
	if (parse_dev(cmd, argc, argv, r->ifname, err, errlen))
		return -1;
	for (i = 1; i < argc; i += 2) {
		const char *w = argv[i];

		if (!strcmp(w, "proto")) {
			if (once(cmd, &seen, SEEN_PROTO, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, "\"esp\" or \"ah\"", err, errlen) ||
			    parse_sa_proto(cmd, argv[i + 1], &r->proto, err, errlen))
				return -1;
		} else if (!strcmp(w, "min") || !strcmp(w, "max")) {
			bool min = w[1] == 'i';

			if (once(cmd, &seen, min ? SEEN_MIN : SEEN_MAX, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, "an SPI", err, errlen) ||
			    parse_spi(cmd, w, argv[i + 1], min ? &r->min : &r->max,
				      err, errlen))
				return -1;
			*(min ? &r->has_min : &r->has_max) = true;
		} else {
			return fail(err, errlen, "%s: unknown keyword \"%s\"", cmd, w);
		}
	}
	if (!(seen & SEEN_PROTO))
		return fail(err, errlen, "%s: \"proto esp\" or \"proto ah\" is required", cmd);
	if (r->has_min && r->has_max && r->min > r->max)
		return fail(err, errlen,
			    "%s: \"min\" 0x%08x is greater than \"max\" 0x%08x",
			    cmd, r->min, r->max);
	return 0;
}

/* The proxy ID: every word after "proxy-id". */
static int parse_proxy_id(const char *cmd, int argc, char **argv,
			  struct kipsec_proxy_id *p, char *err, size_t errlen)
{
	unsigned int seen = 0;
	int i;

	memset(p, 0, sizeof(*p));
	p->lport_max = p->rport_max = 65535;
	for (i = 0; i < argc; i += 2) {
		const char *w = argv[i];
		int bit;

		if (!strcmp(w, "local"))
			bit = SEEN_LOCAL;
		else if (!strcmp(w, "remote"))
			bit = SEEN_REMOTE;
		else if (!strcmp(w, "proto"))
			bit = SEEN_PROTO;
		else if (!strcmp(w, "lport"))
			bit = SEEN_LPORT;
		else if (!strcmp(w, "rport"))
			bit = SEEN_RPORT;
		else
			return fail(err, errlen,
				    "%s: unknown proxy-id keyword \"%s\" (proxy-id comes last and takes local, remote, proto, lport and rport)",
				    cmd, w);
		if (once(cmd, &seen, bit, w, err, errlen))
			return -1;
		switch (bit) {
		case SEEN_LOCAL:
		case SEEN_REMOTE:
			if (need_value(cmd, argc, argv, i, "a PREFIX", err, errlen) ||
			    parse_prefix(cmd, w, argv[i + 1],
					 bit == SEEN_LOCAL ? &p->local : &p->remote,
					 err, errlen))
				return -1;
			break;
		case SEEN_PROTO:
			if (need_value(cmd, argc, argv, i, "a protocol", err, errlen) ||
			    parse_ip_proto(cmd, w, argv[i + 1], &p->proto, err, errlen))
				return -1;
			break;
		default:
			if (need_value(cmd, argc, argv, i, "a port or P-P", err, errlen) ||
			    parse_ports(cmd, w, argv[i + 1],
					bit == SEEN_LPORT ? &p->lport_min : &p->rport_min,
					bit == SEEN_LPORT ? &p->lport_max : &p->rport_max,
					err, errlen))
				return -1;
		}
	}
	if (!(seen & SEEN_LOCAL))
		return fail(err, errlen, "%s: proxy-id needs \"local PREFIX\"", cmd);
	if (!(seen & SEEN_REMOTE))
		return fail(err, errlen, "%s: proxy-id needs \"remote PREFIX\"", cmd);
	if (p->local.addr.family && p->remote.addr.family &&
	    p->local.addr.family != p->remote.addr.family)
		return fail(err, errlen,
			    "%s: proxy-id \"local\" and \"remote\" are of different address families",
			    cmd);
	/* One side "any", the other a prefix: any address of that family. */
	if (!p->local.addr.family)
		p->local.addr.family = p->remote.addr.family;
	if (!p->remote.addr.family)
		p->remote.addr.family = p->local.addr.family;
	if (!p->proto && (seen & (SEEN_LPORT | SEEN_RPORT)))
		return fail(err, errlen,
			    "%s: \"%s\" needs a proxy-id \"proto\" (tcp, udp, sctp, ...)",
			    cmd, seen & SEEN_LPORT ? "lport" : "rport");
	return 0;
}

static const char *icv_list(uint8_t mask, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 mask & KIPSEC_ICV_64 ? "64" : "",
		 mask & KIPSEC_ICV_64 && mask & ~KIPSEC_ICV_64 ? ", " : "",
		 mask & KIPSEC_ICV_96 ? "96" : "",
		 mask & KIPSEC_ICV_96 && mask & KIPSEC_ICV_128 ? ", " : "",
		 mask & KIPSEC_ICV_128 ? "128" : "");
	return buf;
}

/*
 * lifetime {soft|hard} {time S|use-time S|bytes N|packets N} at argv[i];
 * each limit at most once. Whether soft lies below hard is the kernel's
 * to check (it names the attribute).
 */
static int parse_lifetime(const char *cmd, int argc, char **argv, int i,
			  struct kipsec_sa_info *sa, char *err, size_t errlen)
{
	static const char *const kinds = "time, use-time, bytes, packets";
	const char *which, *kind;
	struct kipsec_nl_lifetime *lt;
	uint64_t *field, v;

	if (i + 1 >= argc)
		return fail(err, errlen, "%s: \"lifetime\" needs \"soft\" or \"hard\"",
			    cmd);
	which = argv[i + 1];
	if (!strcmp(which, "soft"))
		lt = &sa->soft;
	else if (!strcmp(which, "hard"))
		lt = &sa->hard;
	else
		return fail(err, errlen,
			    "%s: \"lifetime\": \"%s\" is not \"soft\" or \"hard\"",
			    cmd, which);
	if (i + 2 >= argc)
		return fail(err, errlen, "%s: \"lifetime %s\" needs one of %s",
			    cmd, which, kinds);
	kind = argv[i + 2];
	if (!strcmp(kind, "time"))
		field = &lt->time;
	else if (!strcmp(kind, "use-time"))
		field = &lt->use_time;
	else if (!strcmp(kind, "bytes"))
		field = &lt->bytes;
	else if (!strcmp(kind, "packets"))
		field = &lt->packets;
	else
		return fail(err, errlen,
			    "%s: \"lifetime %s\": \"%s\" is not one of %s",
			    cmd, which, kind, kinds);
	if (i + 3 >= argc)
		return fail(err, errlen, "%s: \"lifetime %s %s\" needs %s", cmd,
			    which, kind,
			    kind[0] == 'b' ? "a number of bytes" :
			    kind[0] == 'p' ? "a number of packets" :
			    "a number of seconds");
	if (*field)
		return fail(err, errlen, "%s: \"lifetime %s %s\" is given twice",
			    cmd, which, kind);
	if (!read_u64(argv[i + 3], &v) || !v)
		return fail(err, errlen,
			    "%s: \"lifetime %s %s\": \"%s\" is not a number from 1 to 2^64 - 1 (decimal or 0x hex)",
			    cmd, which, kind, argv[i + 3]);
	*field = v;
	return 0;
}

static int sa_add_words(const char *cmd, int argc, char **argv,
			struct kipsec_key_src *src, struct kipsec_sa_info *sa,
			struct kipsec_sa_keys *k, char *err, size_t errlen)
{
	const struct kipsec_alg *aead = NULL, *enc = NULL, *auth = NULL;
	const struct sa_flag_kw *fw;
	const char *icv_word = NULL;
	unsigned int seen = 0;
	char list[256];
	int i, ret;

	if (parse_dev(cmd, argc, argv, sa->ifname, err, errlen))
		return -1;
	for (i = 1; i < argc;) {
		const char *w = argv[i];
		const struct kipsec_alg **alg;
		enum kipsec_alg_kind kind;
		uint8_t *key;
		uint16_t *key_len;

		ret = parse_sa_id_word(cmd, argc, argv, i, &seen, sa, err, errlen);
		if (ret < 0)
			return -1;
		if (!ret) {
			i += 2;
			continue;
		}
		if (!strcmp(w, "proxy-id")) {
			sa->has_proxy_id = true;
			if (parse_proxy_id(cmd, argc - i - 1, argv + i + 1, &sa->pid,
					   err, errlen))
				return -1;
			break;
		}
		if (!strcmp(w, "icv")) {
			unsigned long v;

			if (once(cmd, &seen, SEEN_ICV, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, "a number of bits", err, errlen))
				return -1;
			icv_word = argv[i + 1];
			if (!read_dec(icv_word, 0, UINT32_MAX, &v))
				return fail(err, errlen,
					    "%s: \"icv\": \"%s\" is not one of 64, 96, 128",
					    cmd, icv_word);
			sa->icv_bits = (uint32_t)v;
			i += 2;
			continue;
		}
		if (!strcmp(w, "replay-window")) {
			unsigned long v;

			if (once(cmd, &seen, SEEN_REPLAY, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, "a number or \"off\"", err, errlen))
				return -1;
			if (!strcmp(argv[i + 1], "off"))
				v = 0;
			else if (!read_dec(argv[i + 1], KIPSEC_REPLAY_MIN,
					   KIPSEC_REPLAY_MAX, &v))
				return fail(err, errlen,
					    "%s: \"replay-window\": \"%s\" is not \"off\" or a number from %d to %d",
					    cmd, argv[i + 1], KIPSEC_REPLAY_MIN,
					    KIPSEC_REPLAY_MAX);
			sa->has_replay_window = true;
			sa->replay_window = (uint32_t)v;
			i += 2;
			continue;
		}
		if (!strcmp(w, "seq")) {
			if (once(cmd, &seen, SEEN_SEQ, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, "a sequence number", err, errlen))
				return -1;
			if (!read_u64(argv[i + 1], &sa->seq))
				return fail(err, errlen,
					    "%s: \"seq\": \"%s\" is not a number (decimal or 0x hex)",
					    cmd, argv[i + 1]);
			sa->has_seq = true;
			i += 2;
			continue;
		}
		fw = sa_flag_word(w);
		if (fw) {
			if (once(cmd, &seen, fw->seen, w, err, errlen) ||
			    need_value(cmd, argc, argv, i, fw->what, err, errlen))
				return -1;
			if (strcmp(argv[i + 1], fw->on) && strcmp(argv[i + 1], fw->off))
				return fail(err, errlen, "%s: \"%s\": \"%s\" is not %s",
					    cmd, w, argv[i + 1], fw->what);
			sa->has_flags = true;
			if (!strcmp(argv[i + 1], fw->on))
				sa->flags |= fw->flag;
			i += 2;
			continue;
		}
		if (!strcmp(w, "lifetime")) {
			if (parse_lifetime(cmd, argc, argv, i, sa, err, errlen))
				return -1;
			i += 4;
			continue;
		}
		if (!strcmp(w, "key"))
			return fail(err, errlen,
				    "%s: \"key\" must follow \"aead ALG\", \"enc ALG\" or \"auth ALG\"",
				    cmd);

		if (!strcmp(w, "aead")) {
			kind = KIPSEC_ALG_AEAD;
			alg = &aead;
			key = k->aead;
			key_len = &k->aead_len;
			ret = once(cmd, &seen, SEEN_AEAD, w, err, errlen);
		} else if (!strcmp(w, "enc")) {
			kind = KIPSEC_ALG_ENC;
			alg = &enc;
			key = k->enc;
			key_len = &k->enc_len;
			ret = once(cmd, &seen, SEEN_ENC, w, err, errlen);
		} else if (!strcmp(w, "auth")) {
			kind = KIPSEC_ALG_AUTH;
			alg = &auth;
			key = k->auth;
			key_len = &k->auth_len;
			ret = once(cmd, &seen, SEEN_AUTH, w, err, errlen);
		} else {
			return fail(err, errlen, "%s: unknown keyword \"%s\"", cmd, w);
		}
		if (ret)
			return -1;
		if (kind != KIPSEC_ALG_AUTH && (seen & SEEN_PROTO) &&
		    sa->proto == IPPROTO_AH)
			return fail(err, errlen,
				    "%s: \"%s\" is not possible with \"proto ah\", which only authenticates",
				    cmd, w);
		if (i + 1 >= argc)
			return fail(err, errlen, "%s: \"%s\" needs an algorithm: %s",
				    cmd, w, kipsec_alg_list(kind, list, sizeof(list)));
		*alg = kipsec_alg_by_name(kind, argv[i + 1]);
		if (!*alg)
			return fail(err, errlen, "%s: \"%s\": \"%s\" is not one of %s",
				    cmd, w, argv[i + 1],
				    kipsec_alg_list(kind, list, sizeof(list)));
		i += 2;
		if (i < argc && !strcmp(argv[i], "key")) {
			if (need_value(cmd, argc, argv, i,
				       "a key: a file, \"-\" for stdin, or 0x...",
				       err, errlen) ||
			    parse_key(cmd, *alg, argv[i + 1], src, key, key_len,
				      err, errlen))
				return -1;
			i += 2;
		} else if (kipsec_alg_key_len(*alg)) {
			return fail(err, errlen, "%s: \"%s %s\" needs \"key KEY\"",
				    cmd, w, (*alg)->name);
		}
	}

	if (require_sa_id(cmd, seen, err, errlen))
		return -1;
	if (sa->proto == IPPROTO_AH) {
		if (aead || enc)
			return fail(err, errlen,
				    "%s: \"%s\" is not possible with \"proto ah\", which only authenticates",
				    cmd, aead ? "aead" : "enc");
		if (!auth)
			return fail(err, errlen,
				    "%s: \"proto ah\" needs \"auth ALG key KEY\"", cmd);
	} else {
		if (aead && (enc || auth))
			return fail(err, errlen,
				    "%s: \"%s\" cannot be combined with \"aead\", which includes integrity",
				    cmd, enc ? "enc" : "auth");
		if (!aead && !enc && auth)
			return fail(err, errlen,
				    "%s: \"auth\" needs \"enc ALG\" with ESP (\"enc null\" for integrity only)",
				    cmd);
		if (!aead && !enc)
			return fail(err, errlen,
				    "%s: an algorithm is required: \"aead ALG key KEY\" or \"enc ALG key KEY\"",
				    cmd);
		/* RFC 4303 3.2: encryption and integrity are not both null. */
		if (enc && enc->id == KIPSEC_ENC_NULL && !auth)
			return fail(err, errlen,
				    "%s: \"null\": null encryption needs \"auth ALG key KEY\"",
				    cmd);
	}
	if (icv_word && !aead)
		return fail(err, errlen, "%s: \"icv\" applies only to \"aead\" algorithms",
			    cmd);
	if (aead) {
		uint8_t bit = sa->icv_bits == 64 ? KIPSEC_ICV_64 :
			      sa->icv_bits == 96 ? KIPSEC_ICV_96 :
			      sa->icv_bits == 128 ? KIPSEC_ICV_128 : 0;

		if (!icv_word)
			sa->icv_bits = 128;
		else if (!(bit & aead->icv_mask) && aead->icv_mask == KIPSEC_ICV_128)
			return fail(err, errlen,
				    "%s: \"icv\": %s has only a 128-bit ICV, not %s",
				    cmd, aead->name, icv_word);
		else if (!(bit & aead->icv_mask))
			return fail(err, errlen, "%s: \"icv\": %s is not one of %s",
				    cmd, icv_word, icv_list(aead->icv_mask, list, sizeof(list)));
		sa->aead_alg = aead->id;
	}
	if (enc)
		sa->enc_alg = enc->id;
	if (auth)
		sa->auth_alg = auth->id;
	if (sa->has_replay_window && sa->dir != KIPSEC_DIR_IN)
		return fail(err, errlen,
			    "%s: \"replay-window\" applies only to inbound SAs (\"dir in\")",
			    cmd);
	if ((seen & SEEN_ALIGN) && sa->proto != IPPROTO_AH)
		return fail(err, errlen,
			    "%s: \"ah-align\" applies only to AH SAs (\"proto ah\")",
			    cmd);
	if (sa->has_seq && sa->dir != KIPSEC_DIR_OUT)
		return fail(err, errlen,
			    "%s: \"seq\" applies only to outbound SAs (\"dir out\")",
			    cmd);
	if (sa->has_seq && !(sa->flags & KIPSEC_SA_F_ESN) && sa->seq > UINT32_MAX)
		return fail(err, errlen,
			    "%s: \"seq\": without \"esn on\" the sequence number has 32 bits",
			    cmd);
	return 0;
}

int parse_sa_add(const char *cmd, int argc, char **argv,
		 struct kipsec_key_src *src, struct kipsec_sa_info *sa,
		 struct kipsec_sa_keys *k, char *err, size_t errlen)
{
	memset(sa, 0, sizeof(*sa));
	memset(k, 0, sizeof(*k));
	if (sa_add_words(cmd, argc, argv, src, sa, k, err, errlen)) {
		explicit_bzero(k, sizeof(*k));
		return -1;
	}
	return 0;
}

static int parse_sa_id(const char *cmd, int argc, char **argv,
		       struct kipsec_sa_info *sa, char *err, size_t errlen)
{
	unsigned int seen = 0;
	int i;

	memset(sa, 0, sizeof(*sa));
	if (parse_dev(cmd, argc, argv, sa->ifname, err, errlen))
		return -1;
	for (i = 1; i < argc; i += 2) {
		int ret = parse_sa_id_word(cmd, argc, argv, i, &seen, sa, err, errlen);

		if (ret < 0)
			return -1;
		if (ret)
			return fail(err, errlen, "%s: unknown keyword \"%s\"", cmd,
				    argv[i]);
	}
	return require_sa_id(cmd, seen, err, errlen);
}

int parse_sa_del(int argc, char **argv, struct kipsec_sa_info *sa,
		 char *err, size_t errlen)
{
	return parse_sa_id("sa del", argc, argv, sa, err, errlen);
}

int parse_sa_show(int argc, char **argv, struct kipsec_sa_info *sa, bool *one,
		  char *err, size_t errlen)
{
	memset(sa, 0, sizeof(*sa));
	*one = argc > 1;
	if (argc == 0)
		return 0;
	if (argc == 1)
		return parse_dev("sa show", argc, argv, sa->ifname, err, errlen);
	return parse_sa_id("sa show", argc, argv, sa, err, errlen);
}

int parse_sa_flush(int argc, char **argv, char *dev, char *err, size_t errlen)
{
	dev[0] = '\0';
	if (argc > 1)
		return fail(err, errlen, "sa flush: unexpected \"%s\"", argv[1]);
	if (argc == 1)
		return parse_dev("sa flush", argc, argv, dev, err, errlen);
	return 0;
}

int parse_batch_line(char *line, char **argv, int max, int *argc,
		     char *err, size_t errlen)
{
	char *r = line, *w = line;
	int n = 0;

	*argc = 0;
	for (;;) {
		while (*r && isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		if (n >= max - 1)
			return fail(err, errlen, "more than %d words on a line", max - 1);
		argv[n++] = w;
		while (*r && !isspace((unsigned char)*r)) {
			if (*r == '"' || *r == '\'') {
				char q = *r++;

				while (*r && *r != q)
					*w++ = *r++;
				if (!*r)
					return fail(err, errlen,
						    "unterminated %c quote", q);
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	argv[n] = NULL;
	*argc = n;
	return 0;
}

int parse_ike(int argc, char **argv, bool json, struct kipsec_ctl_req *r,
	      char *err, size_t errlen)
{
	const char *verb;

	memset(r, 0, sizeof(*r));
	if (argc < 1)
		return fail(err, errlen, "ike: a command is required: up, down, status, reload");
	verb = argv[0];
	if (!strcmp(verb, "up") || !strcmp(verb, "down")) {
		r->verb = verb[0] == 'u' ? KIPSEC_CTL_UP : KIPSEC_CTL_DOWN;
		if (argc < 2)
			return fail(err, errlen, "ike %s: a tunnel name is required", verb);
	} else if (!strcmp(verb, "status") || !strcmp(verb, "show")) {
		r->verb = KIPSEC_CTL_STATUS;
		r->json = json;
	} else if (!strcmp(verb, "reload")) {
		r->verb = KIPSEC_CTL_RELOAD;
		if (argc > 1)
			return fail(err, errlen, "ike reload: unexpected \"%s\"", argv[1]);
	} else {
		return fail(err, errlen, "ike: unknown command \"%s\" (up, down, status, reload)",
			    verb);
	}
	if (argc > 2)
		return fail(err, errlen, "ike %s: unexpected \"%s\"", verb, argv[2]);
	if (argc == 2) {
		if (!kipsec_ctl_name_ok(argv[1]))
			return fail(err, errlen,
				    "ike %s: \"%s\" is not a tunnel name (1 to %d letters, digits, '.', '-', '_')",
				    verb, argv[1], KIPSEC_CTL_NAME_MAX);
		snprintf(r->name, sizeof(r->name), "%s", argv[1]);
	}
	return 0;
}
