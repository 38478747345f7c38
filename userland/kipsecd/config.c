// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: kipsecd.conf(5). See config.h and Documentation/kipsecd.conf.5.
 *
 * The parser stops at the first error. Key handlers write only a reason;
 * the caller adds "FILE:LINE: key 'NAME': ".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Small words */

static bool is_dec(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A decimal number up to @max. */
static bool read_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!is_dec(s))
		return false;
	for (; *s; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* N[s|m|h|d] from @min to @max seconds. */
static int read_duration(const char *v, uint32_t min, uint32_t max,
			 uint32_t *out, char *r, size_t rlen)
{
	static const struct { char unit; uint32_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char num[24];
	size_t n = strlen(v), i;
	uint32_t mult = 1;
	uint64_t x;

	if (n && !isdigit((unsigned char)v[n - 1])) {
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (v[n - 1] == units[i].unit)
				mult = units[i].secs;
		if (mult == 1 && v[n - 1] != 's')
			goto bad;
		n--;
	}
	if (!n || n >= sizeof(num))
		goto bad;
	memcpy(num, v, n);
	num[n] = '\0';
	if (!read_num(num, UINT32_MAX, &x))
		goto bad;
	x *= mult;
	if (x < min || x > max)
		return fail(r, rlen, "'%s' is not from %u to %u seconds", v, min, max);
	*out = (uint32_t)x;
	return 0;
bad:
	return fail(r, rlen,
		    "'%s' is not a duration: a number with an optional unit s, m, h or d (e.g. 8h)",
		    v);
}

static int read_choice(const char *v, const char *const *names, int *out,
		       char *r, size_t rlen)
{
	char list[128] = "";
	size_t used = 0;
	int i;

	for (i = 0; names[i]; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; names[i]; i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 !i ? "" : names[i + 1] ? ", " : " or ", names[i]);
	return fail(r, rlen, "'%s' is not %s", v, list);
}

static const char *const on_off[] = { "off", "on", NULL };

/* Key handlers */

struct parser {
	const char *path;
	struct kipsecd_config *c;
	struct kipsecd_tunnel *t;	/* the current [tunnel], or NULL */
	unsigned int line;
	char *dir;			/* of path, for relative PSK files */
};

typedef int (*key_fn)(struct parser *p, const char *v, char *r, size_t rlen);

static int k_control_socket(struct parser *p, const char *v, char *r, size_t rlen)
{
	if (v[0] != '/')
		return fail(r, rlen, "'%s' is not an absolute path", v);
	if (strlen(v) >= sizeof(p->c->global.control_socket))
		return fail(r, rlen, "'%s' is longer than %zu characters", v,
			    sizeof(p->c->global.control_socket) - 1);
	strcpy(p->c->global.control_socket, v);
	return 0;
}

static int k_log_level(struct parser *p, const char *v, char *r, size_t rlen)
{
	static const char *const names[] = {
		"error", "warning", "notice", "info", "debug", NULL
	};
	int i;

	if (read_choice(v, names, &i, r, rlen))
		return -1;
	p->c->global.log_level = (enum kipsecd_log_level)i;
	return 0;
}

static int k_log_target(struct parser *p, const char *v, char *r, size_t rlen)
{
	static const char *const names[] = { "syslog", "stderr", NULL };
	int i;

	if (read_choice(v, names, &i, r, rlen))
		return -1;
	p->c->global.log_target = (enum kipsecd_log_target)i;
	return 0;
}

static int k_ike_port(struct parser *p, const char *v, char *r, size_t rlen)
{
	uint64_t x;

	if (!read_num(v, 65535, &x) || !x)
		return fail(r, rlen, "'%s' is not a port from 1 to 65535", v);
	p->c->global.ike_port = (uint16_t)x;
	return 0;
}

static int k_interface(struct parser *p, const char *v, char *r, size_t rlen)
{
	const char *s;

	if (strlen(v) >= IF_NAMESIZE)
		return fail(r, rlen, "'%s' is longer than %d characters", v,
			    IF_NAMESIZE - 1);
	if (!strcmp(v, ".") || !strcmp(v, ".."))
		return fail(r, rlen, "'%s' is not a valid interface name", v);
	for (s = v; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return fail(r, rlen, "'%s' is not a valid interface name", v);
	strcpy(p->t->ifname, v);
	return 0;
}

static int read_addr(const char *v, struct kipsec_nl_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, v, &a->ip4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, v, &a->ip6) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

static bool addr_unspecified(const struct kipsec_nl_addr *a)
{
	static const struct in6_addr any6;

	return a->family == AF_INET ? a->ip4.s_addr == 0 :
				      !memcmp(&a->ip6, &any6, sizeof(any6));
}

static int endpoint(const char *v, struct kipsec_nl_addr *a, char *r, size_t rlen)
{
	if (read_addr(v, a))
		return fail(r, rlen, "'%s' is not an IPv4 or IPv6 address", v);
	if (addr_unspecified(a))
		return fail(r, rlen, "'%s' is the unspecified address; give the address itself",
			    v);
	return 0;
}

static int k_local(struct parser *p, const char *v, char *r, size_t rlen)
{
	return endpoint(v, &p->t->local, r, rlen);
}

static int k_remote(struct parser *p, const char *v, char *r, size_t rlen)
{
	return endpoint(v, &p->t->remote, r, rlen);
}

static int k_mode(struct parser *p, const char *v, char *r, size_t rlen)
{
	static const char *const names[] = { "main", "aggressive", NULL };
	int i;

	if (read_choice(v, names, &i, r, rlen))
		return -1;
	p->t->mode = (enum kipsecd_mode)i;
	return 0;
}

static int read_id(const char *v, struct kipsecd_id *id, char *r, size_t rlen)
{
	const char *name = NULL, *s, *at;

	memset(id, 0, sizeof(*id));
	if (!strncmp(v, "fqdn:", 5)) {
		id->type = KIPSECD_ID_FQDN;
		name = v + 5;
	} else if (!strncmp(v, "user-fqdn:", 10)) {
		id->type = KIPSECD_ID_USER_FQDN;
		name = v + 10;
	} else if (!read_addr(v, &id->addr)) {
		id->type = id->addr.family == AF_INET ? KIPSECD_ID_IPV4_ADDR :
							KIPSECD_ID_IPV6_ADDR;
		return 0;
	} else {
		return fail(r, rlen,
			    "'%s' is not an IPv4 or IPv6 address, fqdn:NAME or user-fqdn:USER@HOST",
			    v);
	}
	if (strlen(name) > KIPSECD_ID_NAME_MAX)
		return fail(r, rlen, "'%s' is longer than %d characters after the colon",
			    v, KIPSECD_ID_NAME_MAX);
	at = strchr(name, '@');
	if (id->type == KIPSECD_ID_USER_FQDN &&
	    (!at || at == name || !at[1] || strchr(at + 1, '@')))
		return fail(r, rlen, "'%s' is not user-fqdn:USER@HOST", v);
	if (id->type == KIPSECD_ID_FQDN && !*name)
		return fail(r, rlen, "'%s' has no name after the colon", v);
	for (s = id->type == KIPSECD_ID_USER_FQDN ? at + 1 : name; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' && *s != '_')
			return fail(r, rlen, "'%s' is not a valid domain name: '%c'", v, *s);
	for (s = name; s < at; s++)
		if (!isgraph((unsigned char)*s))
			return fail(r, rlen, "'%s' has a space or control character", v);
	strcpy(id->name, name);
	return 0;
}

static int k_local_id(struct parser *p, const char *v, char *r, size_t rlen)
{
	return read_id(v, &p->t->local_id, r, rlen);
}

static int k_remote_id(struct parser *p, const char *v, char *r, size_t rlen)
{
	return read_id(v, &p->t->remote_id, r, rlen);
}

/*
 * Read the PSK of @file into @t. The file is opened first and checked
 * through its descriptor, so what is checked is what is read.
 */
static int read_psk(const char *file, struct kipsecd_tunnel *t, char *r,
		    size_t rlen)
{
	uint8_t buf[KIPSECD_PSK_MAX + 3];
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(r, rlen, "cannot open PSK file %s: %s", file,
			    strerror(errno));
	if (fstat(fd, &st)) {
		fail(r, rlen, "cannot stat PSK file %s: %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(r, rlen, "PSK file %s is not a regular file", file);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		fail(r, rlen, "PSK file %s is owned by uid %u, not by root or kipsecd's uid %u; chown it",
		     file, (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	if (st.st_mode & 077) {
		const char *what = st.st_mode & 004 ? "readable by others" :
				   st.st_mode & 040 ? "readable by its group" :
				   st.st_mode & 022 ? "writable by group or others" :
				   "executable by group or others";

		fail(r, rlen, "PSK file %s is %s (mode %04o); chmod 600 it", file,
		     what, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(r, rlen, "cannot read PSK file %s: %s", file, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	if (len > KIPSECD_PSK_MAX) {
		fail(r, rlen, "PSK file %s holds more than %d bytes", file, KIPSECD_PSK_MAX);
		goto out;
	}
	if (!len) {
		fail(r, rlen, "PSK file %s is empty", file);
		goto out;
	}
	t->psk = malloc(len);
	if (!t->psk) {
		fail(r, rlen, "out of memory");
		goto out;
	}
	memcpy(t->psk, buf, len);
	t->psk_len = len;
	ret = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

static int k_psk_file(struct parser *p, const char *v, char *r, size_t rlen)
{
	struct kipsecd_tunnel *t = p->t;

	if (v[0] == '/' || !p->dir)
		t->psk_file = strdup(v);
	else if (asprintf(&t->psk_file, "%s/%s", p->dir, v) < 0)
		t->psk_file = NULL;
	if (!t->psk_file)
		return fail(r, rlen, "out of memory");
	return read_psk(t->psk_file, t, r, rlen);
}

static int k_ike_proposals(struct parser *p, const char *v, char *r, size_t rlen)
{
	return kipsecd_p1_parse_list(v, p->t->ike, &p->t->n_ike, r, rlen);
}

static int k_ike_lifetime(struct parser *p, const char *v, char *r, size_t rlen)
{
	return read_duration(v, 10, 86400, &p->t->ike_lifetime, r, rlen);
}

static int k_ipsec_proposals(struct parser *p, const char *v, char *r, size_t rlen)
{
	return kipsecd_p2_parse_list(v, p->t->ipsec, &p->t->n_ipsec, r, rlen);
}

static int k_ipsec_lifetime(struct parser *p, const char *v, char *r, size_t rlen)
{
	return read_duration(v, 10, 86400, &p->t->ipsec_lifetime, r, rlen);
}

static int k_ipsec_lifetime_kb(struct parser *p, const char *v, char *r, size_t rlen)
{
	uint64_t x;

	if (!strcmp(v, "off")) {
		p->t->ipsec_lifetime_kb = 0;
		return 0;
	}
	if (!read_num(v, UINT32_MAX, &x) || (x && x < 64))
		return fail(r, rlen, "'%s' is not off or a number of kilobytes from 64 to %u",
			    v, UINT32_MAX);
	p->t->ipsec_lifetime_kb = x;
	return 0;
}

/* Proxy IDs */

/* ADDR, ADDR/LEN, FIRST-LAST (one prefix) or any into @pf and *type. */
static int pid_side(const char *w, struct kipsec_nl_prefix *pf, uint8_t *type,
		    char *r, size_t rlen)
{
	char a[2 * INET6_ADDRSTRLEN + 2], *sep;
	struct kipsec_nl_addr last;
	unsigned int max, i, plen;
	uint8_t *b, *lb = NULL;
	uint64_t x;

	memset(pf, 0, sizeof(*pf));
	if (!strcmp(w, "any")) {
		*type = 0;		/* the family is the other side's */
		return 0;
	}
	if (strlen(w) >= sizeof(a))
		goto bad;
	strcpy(a, w);
	sep = strpbrk(a, "/-");
	if (sep)
		*sep = '\0';
	if (read_addr(a, &pf->addr))
		goto bad;
	max = pf->addr.family == AF_INET ? 32 : 128;
	b = pf->addr.family == AF_INET ? (uint8_t *)&pf->addr.ip4 : pf->addr.ip6.s6_addr;
	plen = max;
	if (sep && *w && w[sep - a] == '/') {
		if (!read_num(sep + 1, max, &x))
			return fail(r, rlen, "the prefix length of '%s' is not a number from 0 to %u",
				    w, max);
		plen = (unsigned int)x;
		*type = max == 32 ? KIPSECD_ID_IPV4_ADDR_SUBNET : KIPSECD_ID_IPV6_ADDR_SUBNET;
	} else if (sep) {
		if (read_addr(sep + 1, &last) || last.family != pf->addr.family)
			goto bad;
		lb = last.family == AF_INET ? (uint8_t *)&last.ip4 : last.ip6.s6_addr;
		/* first ^ last must be 0...01...1, with first's low bits 0. */
		for (plen = 0; plen < max; plen++)
			if ((b[plen / 8] ^ lb[plen / 8]) & (0x80 >> (plen % 8)))
				break;
		for (i = plen; i < max; i++) {
			unsigned int bit = 0x80 >> (i % 8);

			if ((b[i / 8] & bit) || !(lb[i / 8] & bit))
				return fail(r, rlen,
					    "the range '%s' is not one prefix; the module matches prefixes",
					    w);
		}
		*type = max == 32 ? KIPSECD_ID_IPV4_ADDR_RANGE : KIPSECD_ID_IPV6_ADDR_RANGE;
	} else {
		*type = max == 32 ? KIPSECD_ID_IPV4_ADDR : KIPSECD_ID_IPV6_ADDR;
	}
	pf->len = (uint8_t)plen;
	for (i = plen; i < max; i++) {
		if (b[i / 8] & (0x80 >> (i % 8))) {
			char fixed[INET6_ADDRSTRLEN];

			for (; i < max; i++)
				b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
			inet_ntop(pf->addr.family, b, fixed, sizeof(fixed));
			return fail(r, rlen, "'%s' has host bits set; did you mean %s/%u?",
				    w, fixed, plen);
		}
	}
	return 0;
bad:
	return fail(r, rlen,
		    "'%s' is not an address, ADDRESS/LENGTH, FIRST-LAST range or any", w);
}

static const struct {
	const char *name;
	uint8_t proto;
} ip_protos[] = {
	{ "any", 0 }, { "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP }, { "gre", IPPROTO_GRE },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
};

static int pid_proto(const char *w, uint8_t *out, char *r, size_t rlen)
{
	uint64_t x;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ip_protos); i++) {
		if (!strcmp(w, ip_protos[i].name)) {
			*out = ip_protos[i].proto;
			return 0;
		}
	}
	if (read_num(w, 255, &x)) {
		*out = (uint8_t)x;
		return 0;
	}
	return fail(r, rlen,
		    "'%s' is not a protocol number (0-255) or name (any, tcp, udp, icmp, ipv6-icmp, sctp, gre)",
		    w);
}

static int pid_port(const char *w, uint16_t *min, uint16_t *max, char *r,
		    size_t rlen)
{
	uint64_t x;

	if (!strcmp(w, "any") || !strcmp(w, "0") || !strcmp(w, "0-65535")) {
		*min = 0;
		*max = 65535;
		return 0;
	}
	if (read_num(w, 65535, &x)) {
		*min = *max = (uint16_t)x;
		return 0;
	}
	if (strchr(w, '-'))
		return fail(r, rlen,
			    "'%s': IKEv1 proxy IDs carry one port or any (0-65535), not a range",
			    w);
	return fail(r, rlen, "'%s' is not a port (1-65535) or any", w);
}

static bool pid_equal(const struct kipsec_proxy_id *a, const struct kipsec_proxy_id *b);

static int k_proxy_id(struct parser *p, const char *v, char *r, size_t rlen)
{
	struct kipsecd_tunnel *t = p->t;
	struct kipsecd_proxy_id x, *grown;
	char buf[512], *w[16], *save = NULL, *s;
	bool has_proto = false, has_lport = false, has_rport = false;
	int n = 0, i;
	size_t j;

	memset(&x, 0, sizeof(x));
	x.line = p->line;
	x.pid.lport_max = x.pid.rport_max = 65535;
	if (strlen(v) >= sizeof(buf))
		return fail(r, rlen, "'%.40s...' is too long", v);
	strcpy(buf, v);
	for (s = strtok_r(buf, " \t", &save); s && n < 16; s = strtok_r(NULL, " \t", &save))
		w[n++] = s;
	if (n < 2)
		return fail(r, rlen,
			    "'%s' is not LOCAL REMOTE [proto PROTO] [lport PORT] [rport PORT]",
			    v);
	if (pid_side(w[0], &x.pid.local, &x.local_type, r, rlen) ||
	    pid_side(w[1], &x.pid.remote, &x.remote_type, r, rlen))
		return -1;
	for (i = 2; i < n; i += 2) {
		bool *seen = !strcmp(w[i], "proto") ? &has_proto :
			     !strcmp(w[i], "lport") ? &has_lport :
			     !strcmp(w[i], "rport") ? &has_rport : NULL;

		if (!seen)
			return fail(r, rlen, "'%s' is not proto, lport or rport", w[i]);
		if (*seen)
			return fail(r, rlen, "'%s' is given twice", w[i]);
		*seen = true;
		if (i + 1 >= n)
			return fail(r, rlen, "'%s' needs a value", w[i]);
		if (seen == &has_proto ?
		    pid_proto(w[i + 1], &x.pid.proto, r, rlen) :
		    seen == &has_lport ?
		    pid_port(w[i + 1], &x.pid.lport_min, &x.pid.lport_max, r, rlen) :
		    pid_port(w[i + 1], &x.pid.rport_min, &x.pid.rport_max, r, rlen))
			return -1;
	}
	if ((has_lport || has_rport) && x.pid.proto != IPPROTO_TCP &&
	    x.pid.proto != IPPROTO_UDP && x.pid.proto != IPPROTO_SCTP)
		return fail(r, rlen, "'%s' needs proto tcp, udp or sctp",
			    has_lport ? "lport" : "rport");
	/* "any" takes the family of the other side. */
	if (!x.local_type && !x.remote_type)
		return fail(r, rlen,
			    "'any' on both sides has no address family; write 0.0.0.0/0 or ::/0");
	for (i = 0; i < 2; i++) {
		struct kipsec_nl_prefix *me = i ? &x.pid.remote : &x.pid.local;
		struct kipsec_nl_prefix *other = i ? &x.pid.local : &x.pid.remote;
		uint8_t *type = i ? &x.remote_type : &x.local_type;

		if (*type)
			continue;
		me->addr.family = other->addr.family;
		me->len = 0;
		*type = other->addr.family == AF_INET ? KIPSECD_ID_IPV4_ADDR_SUBNET :
							KIPSECD_ID_IPV6_ADDR_SUBNET;
	}
	if (x.pid.local.addr.family != x.pid.remote.addr.family)
		return fail(r, rlen, "'%s' and '%s' are of different address families",
			    w[0], w[1]);
	for (j = 0; j < t->n_proxy_ids; j++)
		if (pid_equal(&t->proxy_ids[j].pid, &x.pid))
			return fail(r, rlen, "'%s' is the same proxy ID as line %u", v,
				    t->proxy_ids[j].line);
	grown = realloc(t->proxy_ids, (t->n_proxy_ids + 1) * sizeof(*grown));
	if (!grown)
		return fail(r, rlen, "out of memory");
	t->proxy_ids = grown;
	t->proxy_ids[t->n_proxy_ids++] = x;
	return 0;
}

static int k_replay_window(struct parser *p, const char *v, char *r, size_t rlen)
{
	uint64_t x;

	if (!strcmp(v, "off")) {
		p->t->replay_window = 0;
		return 0;
	}
	if (!read_num(v, KIPSEC_REPLAY_MAX, &x) || x < KIPSEC_REPLAY_MIN)
		return fail(r, rlen, "'%s' is not off or a number of packets from %d to %d",
			    v, KIPSEC_REPLAY_MIN, KIPSEC_REPLAY_MAX);
	p->t->replay_window = (uint32_t)x;
	return 0;
}

static int k_esn(struct parser *p, const char *v, char *r, size_t rlen)
{
	int i;

	if (read_choice(v, on_off, &i, r, rlen))
		return -1;
	p->t->esn = i;
	return 0;
}

static int k_ah_align(struct parser *p, const char *v, char *r, size_t rlen)
{
	static const char *const names[] = { "4", "8", NULL };
	int i;

	if (read_choice(v, names, &i, r, rlen))
		return -1;
	p->t->ah_align8 = i;
	return 0;
}

static int k_start(struct parser *p, const char *v, char *r, size_t rlen)
{
	static const char *const names[] = {
		"on-traffic", "immediately", "respond-only", NULL
	};
	int i;

	if (read_choice(v, names, &i, r, rlen))
		return -1;
	p->t->start = (enum kipsecd_start)i;
	return 0;
}

static int k_dpd(struct parser *p, const char *v, char *r, size_t rlen)
{
	if (!strcmp(v, "off")) {
		p->t->dpd_interval = 0;
		return 0;
	}
	return read_duration(v, 0, 3600, &p->t->dpd_interval, r, rlen);
}

static int k_dpd_retries(struct parser *p, const char *v, char *r, size_t rlen)
{
	uint64_t x;

	if (!read_num(v, 20, &x) || !x)
		return fail(r, rlen, "'%s' is not a number from 1 to 20", v);
	p->t->dpd_retries = (uint32_t)x;
	return 0;
}

enum section { S_NONE, S_GLOBAL, S_TUNNEL };

static const struct key {
	const char *name;
	enum section section;
	key_fn fn;
	bool repeat;
	bool required;
} keys[] = {
	{ "control-socket", S_GLOBAL, k_control_socket, false, false },
	{ "log-level", S_GLOBAL, k_log_level, false, false },
	{ "log-target", S_GLOBAL, k_log_target, false, false },
	{ "ike-port", S_GLOBAL, k_ike_port, false, false },
	{ "interface", S_TUNNEL, k_interface, false, true },
	{ "local", S_TUNNEL, k_local, false, true },
	{ "remote", S_TUNNEL, k_remote, false, true },
	{ "mode", S_TUNNEL, k_mode, false, false },
	{ "local-id", S_TUNNEL, k_local_id, false, false },
	{ "remote-id", S_TUNNEL, k_remote_id, false, false },
	{ "psk-file", S_TUNNEL, k_psk_file, false, true },
	{ "ike-proposals", S_TUNNEL, k_ike_proposals, false, false },
	{ "ike-lifetime", S_TUNNEL, k_ike_lifetime, false, false },
	{ "ipsec-proposals", S_TUNNEL, k_ipsec_proposals, false, false },
	{ "ipsec-lifetime", S_TUNNEL, k_ipsec_lifetime, false, false },
	{ "ipsec-lifetime-kb", S_TUNNEL, k_ipsec_lifetime_kb, false, false },
	{ "proxy-id", S_TUNNEL, k_proxy_id, true, false },
	{ "replay-window", S_TUNNEL, k_replay_window, false, false },
	{ "esn", S_TUNNEL, k_esn, false, false },
	{ "ah-align", S_TUNNEL, k_ah_align, false, false },
	{ "start", S_TUNNEL, k_start, false, false },
	{ "dpd", S_TUNNEL, k_dpd, false, false },
	{ "dpd-retries", S_TUNNEL, k_dpd_retries, false, false },
};

#define N_KEYS ARRAY_SIZE(keys)

static size_t key_index(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return i;
	return N_KEYS;
}

/* Parsing */

struct state {
	struct parser p;
	enum section section;
	unsigned int section_line;
	unsigned int global_line;	/* 0: no [global] yet */
	unsigned int seen[N_KEYS];	/* line of each key in this section */
	char *err;
	size_t errlen;
};

static int key_fail(struct state *s, unsigned int line, const char *key,
		    const char *reason)
{
	return fail(s->err, s->errlen, "%s:%u: key '%s': %s", s->p.path, line,
		    key, reason);
}

static bool same_addr(const struct kipsec_nl_addr *a, const struct kipsec_nl_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->ip4.s_addr == b->ip4.s_addr;
	if (a->family == AF_INET6)
		return !memcmp(&a->ip6, &b->ip6, sizeof(a->ip6));
	return true;
}

static const char *addr_str(const struct kipsec_nl_addr *a, char *buf, size_t len)
{
	inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->ip4 :
		  (const void *)&a->ip6, buf, (socklen_t)len);
	return buf;
}

static void id_from_addr(struct kipsecd_id *id, const struct kipsec_nl_addr *a)
{
	memset(id, 0, sizeof(*id));
	id->type = a->family == AF_INET ? KIPSECD_ID_IPV4_ADDR : KIPSECD_ID_IPV6_ADDR;
	id->from_address = true;
	id->addr = *a;
}

/* The end of a [tunnel]: required keys, defaults, checks across keys. */
static int finish_tunnel(struct state *s)
{
	struct kipsecd_tunnel *t = s->p.t;
	char r[512], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int *seen = s->seen;
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].section != S_TUNNEL || !keys[i].required || seen[i])
			continue;
		snprintf(r, sizeof(r), "missing from [tunnel %s]", t->name);
		return key_fail(s, s->section_line, keys[i].name, r);
	}
	if (t->local.family != t->remote.family) {
		snprintf(r, sizeof(r), "%s is %s but local %s is %s",
			 addr_str(&t->remote, a, sizeof(a)),
			 t->remote.family == AF_INET ? "IPv4" : "IPv6",
			 addr_str(&t->local, b, sizeof(b)),
			 t->local.family == AF_INET ? "IPv4" : "IPv6");
		return key_fail(s, seen[key_index("remote")], "remote", r);
	}
	if (same_addr(&t->local, &t->remote)) {
		snprintf(r, sizeof(r), "%s is also the local address",
			 addr_str(&t->remote, a, sizeof(a)));
		return key_fail(s, seen[key_index("remote")], "remote", r);
	}
	if (!seen[key_index("local-id")])
		id_from_addr(&t->local_id, &t->local);
	if (!seen[key_index("remote-id")])
		id_from_addr(&t->remote_id, &t->remote);
	if (!seen[key_index("ike-proposals")] &&
	    kipsecd_p1_parse_list(KIPSECD_DEFAULT_IKE_PROPOSALS, t->ike, &t->n_ike,
				  r, sizeof(r)))
		return key_fail(s, s->section_line, "ike-proposals", r);
	if (!seen[key_index("ipsec-proposals")] &&
	    kipsecd_p2_parse_list(KIPSECD_DEFAULT_IPSEC_PROPOSALS, t->ipsec,
				  &t->n_ipsec, r, sizeof(r)))
		return key_fail(s, s->section_line, "ipsec-proposals", r);
	if (t->mode == KIPSECD_MODE_AGGRESSIVE) {
		/* Aggressive Mode sends its KE payload with the proposals. */
		for (i = 1; i < t->n_ike; i++) {
			char n0[KIPSECD_PROPOSAL_NAME_MAX], ni[KIPSECD_PROPOSAL_NAME_MAX];

			if (t->ike[i].group == t->ike[0].group)
				continue;
			snprintf(r, sizeof(r),
				 "'%s' and '%s' use different groups; Aggressive Mode sends one key exchange, so every proposal must use the same group",
				 kipsecd_p1_name(&t->ike[0], n0, sizeof(n0)),
				 kipsecd_p1_name(&t->ike[i], ni, sizeof(ni)));
			return key_fail(s, seen[key_index("ike-proposals")] ?
					seen[key_index("ike-proposals")] : s->section_line,
					"ike-proposals", r);
		}
	}
	if (!t->n_proxy_ids) {
		t->proxy_ids = calloc(1, sizeof(*t->proxy_ids));
		if (!t->proxy_ids)
			return key_fail(s, s->section_line, "proxy-id", "out of memory");
		t->n_proxy_ids = 1;
		t->proxy_ids[0].pid.local.addr.family = AF_INET;
		t->proxy_ids[0].pid.remote.addr.family = AF_INET;
		t->proxy_ids[0].pid.lport_max = 65535;
		t->proxy_ids[0].pid.rport_max = 65535;
		t->proxy_ids[0].local_type = KIPSECD_ID_IPV4_ADDR_SUBNET;
		t->proxy_ids[0].remote_type = KIPSECD_ID_IPV4_ADDR_SUBNET;
		t->proxy_ids[0].line = s->section_line;
	}
	/* Tunnels share neither interface nor pair of endpoints. */
	for (i = 0; i + 1 < s->p.c->n_tunnels; i++) {
		const struct kipsecd_tunnel *o = &s->p.c->tunnels[i];

		if (!strcmp(o->ifname, t->ifname)) {
			snprintf(r, sizeof(r), "%s is already the interface of tunnel '%s' (line %u)",
				 t->ifname, o->name, o->line);
			return key_fail(s, seen[key_index("interface")], "interface", r);
		}
		if (same_addr(&o->local, &t->local) && same_addr(&o->remote, &t->remote)) {
			snprintf(r, sizeof(r),
				 "tunnel '%s' (line %u) has the same local and remote address; a peer is found by its address",
				 o->name, o->line);
			return key_fail(s, seen[key_index("remote")], "remote", r);
		}
	}
	return 0;
}

static int finish_section(struct state *s)
{
	int ret = 0;

	if (s->section == S_TUNNEL)
		ret = finish_tunnel(s);
	memset(s->seen, 0, sizeof(s->seen));
	s->section = S_NONE;
	s->p.t = NULL;
	return ret;
}

static bool valid_tunnel_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > KIPSECD_TUNNEL_NAME_MAX)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '.' && *n != '-' && *n != '_')
			return false;
	return true;
}

static void tunnel_defaults(struct kipsecd_tunnel *t)
{
	t->mode = KIPSECD_MODE_MAIN;
	t->ike_lifetime = KIPSECD_DEFAULT_IKE_LIFETIME;
	t->ipsec_lifetime = KIPSECD_DEFAULT_IPSEC_LIFETIME;
	t->replay_window = KIPSEC_REPLAY_DEFAULT;
	t->start = KIPSECD_START_ON_TRAFFIC;
	t->dpd_retries = KIPSECD_DEFAULT_DPD_RETRIES;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

static int section_line(struct state *s, char *l)
{
	struct kipsecd_config *c = s->p.c;
	struct kipsecd_tunnel *grown, *t;
	char *end = strchr(l, ']'), *in, *name;
	size_t i;

	if (!end || trim(end + 1)[0])
		return fail(s->err, s->errlen, "%s:%u: '%s' is not a [section] header",
			    s->p.path, s->p.line, l);
	if (finish_section(s))
		return -1;
	*end = '\0';
	in = trim(l + 1);
	if (!strcmp(in, "global")) {
		if (s->global_line)
			return fail(s->err, s->errlen,
				    "%s:%u: section [global] is already at line %u",
				    s->p.path, s->p.line, s->global_line);
		if (c->n_tunnels)
			return fail(s->err, s->errlen,
				    "%s:%u: section [global] must come before the first [tunnel]",
				    s->p.path, s->p.line);
		s->global_line = s->p.line;
		s->section = S_GLOBAL;
		s->section_line = s->p.line;
		return 0;
	}
	if (strncmp(in, "tunnel", 6) || (in[6] && in[6] != ' ' && in[6] != '\t'))
		return fail(s->err, s->errlen,
			    "%s:%u: unknown section [%s]; sections are [global] and [tunnel NAME]",
			    s->p.path, s->p.line, in);
	name = trim(in + 6);
	if (!*name)
		return fail(s->err, s->errlen, "%s:%u: section [tunnel] needs a NAME",
			    s->p.path, s->p.line);
	if (!valid_tunnel_name(name))
		return fail(s->err, s->errlen,
			    "%s:%u: tunnel name '%s' is not 1 to %d letters, digits, '.', '-' or '_'",
			    s->p.path, s->p.line, name, KIPSECD_TUNNEL_NAME_MAX);
	for (i = 0; i < c->n_tunnels; i++)
		if (!strcmp(c->tunnels[i].name, name))
			return fail(s->err, s->errlen,
				    "%s:%u: tunnel '%s' is already defined at line %u",
				    s->p.path, s->p.line, name, c->tunnels[i].line);
	grown = realloc(c->tunnels, (c->n_tunnels + 1) * sizeof(*grown));
	if (!grown)
		return fail(s->err, s->errlen, "%s:%u: out of memory", s->p.path, s->p.line);
	c->tunnels = grown;
	t = &c->tunnels[c->n_tunnels++];
	memset(t, 0, sizeof(*t));
	strcpy(t->name, name);
	t->line = s->p.line;
	tunnel_defaults(t);
	s->p.t = t;
	s->section = S_TUNNEL;
	s->section_line = s->p.line;
	return 0;
}

static int key_line(struct state *s, char *l, char *eq)
{
	char r[768];
	char *key, *value;
	size_t k;

	*eq = '\0';
	key = trim(l);
	value = trim(eq + 1);
	if (!*key)
		return fail(s->err, s->errlen, "%s:%u: a value without a key", s->p.path,
			    s->p.line);
	k = key_index(key);
	if (k == N_KEYS) {
		const char *hint = "";

		if (!strcmp(key, "esp-proposals"))
			hint = "; did you mean 'ipsec-proposals'?";
		else if (!strcmp(key, "psk") || !strcmp(key, "secret"))
			hint = "; the PSK goes in a file named by 'psk-file'";
		snprintf(r, sizeof(r), "unknown key%s", hint);
		return key_fail(s, s->p.line, key, r);
	}
	if (s->section == S_NONE)
		return key_fail(s, s->p.line, key,
				"outside any section; put it under [global] or [tunnel NAME]");
	if (keys[k].section != s->section)
		return key_fail(s, s->p.line, key, keys[k].section == S_GLOBAL ?
				"belongs in [global], not in a [tunnel]" :
				"belongs in a [tunnel NAME], not in [global]");
	if (s->seen[k] && !keys[k].repeat) {
		snprintf(r, sizeof(r), "given twice (first at line %u)", s->seen[k]);
		return key_fail(s, s->p.line, key, r);
	}
	if (!s->seen[k])
		s->seen[k] = s->p.line;
	if (!*value)
		return key_fail(s, s->p.line, key, "needs a value");
	if (keys[k].fn(&s->p, value, r, sizeof(r)))
		return key_fail(s, s->p.line, key, r);
	return 0;
}

int kipsecd_config_parse(const char *path, const char *text, size_t len,
			 struct kipsecd_config **out, char *err, size_t errlen)
{
	struct state s;
	const char *p = text, *end = text + len;
	char *line = NULL, *slash;
	int ret = -1;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	s.err = err;
	s.errlen = errlen;
	s.p.path = path;
	s.p.c = calloc(1, sizeof(*s.p.c));
	if (!s.p.c || !(s.p.c->path = strdup(path))) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	strcpy(s.p.c->global.control_socket, KIPSECD_DEFAULT_SOCKET);
	s.p.c->global.log_level = KIPSECD_LOG_INFO;
	s.p.c->global.log_target = KIPSECD_LOG_SYSLOG;
	s.p.c->global.ike_port = KIPSECD_DEFAULT_IKE_PORT;
	slash = strrchr(path, '/');
	if (slash && !(s.p.dir = strndup(path, slash == path ? 1 : (size_t)(slash - path)))) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (len > KIPSECD_CONFIG_MAX) {
		fail(err, errlen, "%s: longer than %d bytes", path, KIPSECD_CONFIG_MAX);
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *l, *eq;

		s.p.line++;
		free(line);
		line = strndup(p, n);
		if (!line) {
			fail(err, errlen, "%s:%u: out of memory", path, s.p.line);
			goto out;
		}
		if (strlen(line) != n) {
			fail(err, errlen, "%s:%u: a NUL byte in the line", path, s.p.line);
			goto out;
		}
		p += n + (nl ? 1 : 0);
		l = trim(line);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			if (section_line(&s, l))
				goto out;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			fail(err, errlen,
			     "%s:%u: '%s' is not 'key = value', a [section] or a comment",
			     path, s.p.line, l);
			goto out;
		}
		if (key_line(&s, l, eq))
			goto out;
	}
	if (finish_section(&s))
		goto out;
	*out = s.p.c;
	s.p.c = NULL;
	ret = 0;
out:
	if (line) {
		explicit_bzero(line, strlen(line));
		free(line);
	}
	free(s.p.dir);
	kipsecd_config_free(s.p.c);
	return ret;
}

int kipsecd_config_load(const char *path, struct kipsecd_config **out,
			char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	for (;;) {
		if (len == cap) {
			char *grown;

			if (cap > KIPSECD_CONFIG_MAX) {
				close(fd);
				free(text);
				return fail(err, errlen, "%s: longer than %d bytes", path,
					    KIPSECD_CONFIG_MAX);
			}
			cap = cap ? cap * 2 : 4096;
			grown = realloc(text, cap);
			if (!grown) {
				close(fd);
				free(text);
				return fail(err, errlen, "%s: out of memory", path);
			}
			text = grown;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno;
			close(fd);
			free(text);
			return fail(err, errlen, "%s: %s", path, strerror(ret));
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	ret = kipsecd_config_parse(path, text ? text : "", len, out, err, errlen);
	free(text);
	return ret;
}

void kipsecd_config_free(struct kipsecd_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n_tunnels; i++) {
		struct kipsecd_tunnel *t = &c->tunnels[i];

		if (t->psk) {
			explicit_bzero(t->psk, t->psk_len);
			free(t->psk);
		}
		free(t->psk_file);
		free(t->proxy_ids);
	}
	free(c->tunnels);
	free(c->path);
	free(c);
}

const struct kipsecd_tunnel *kipsecd_config_tunnel(const struct kipsecd_config *c,
						   const char *name)
{
	size_t i;

	for (i = 0; i < c->n_tunnels; i++)
		if (!strcmp(c->tunnels[i].name, name))
			return &c->tunnels[i];
	return NULL;
}

/* Comparing */

static bool prefix_equal(const struct kipsec_nl_prefix *a,
			 const struct kipsec_nl_prefix *b)
{
	return same_addr(&a->addr, &b->addr) && a->len == b->len;
}

static bool pid_equal(const struct kipsec_proxy_id *a, const struct kipsec_proxy_id *b)
{
	return prefix_equal(&a->local, &b->local) &&
	       prefix_equal(&a->remote, &b->remote) && a->proto == b->proto &&
	       a->lport_min == b->lport_min && a->lport_max == b->lport_max &&
	       a->rport_min == b->rport_min && a->rport_max == b->rport_max;
}

/* What goes on the wire: an address written out equals its default. */
static bool id_equal(const struct kipsecd_id *a, const struct kipsecd_id *b)
{
	return a->type == b->type &&
	       (a->type == KIPSECD_ID_FQDN || a->type == KIPSECD_ID_USER_FQDN ?
		!strcmp(a->name, b->name) : same_addr(&a->addr, &b->addr));
}

/* Without an early exit, as is the custom with secrets. */
static bool psk_equal(const struct kipsecd_tunnel *a, const struct kipsecd_tunnel *b)
{
	uint8_t d = 0;
	size_t i;

	if (a->psk_len != b->psk_len)
		return false;
	for (i = 0; i < a->psk_len; i++)
		d |= a->psk[i] ^ b->psk[i];
	return !d;
}

unsigned int kipsecd_tunnel_compare(const struct kipsecd_tunnel *a,
				    const struct kipsecd_tunnel *b)
{
	unsigned int what = 0;
	size_t i;

	if (strcmp(a->ifname, b->ifname) || !same_addr(&a->local, &b->local) ||
	    !same_addr(&a->remote, &b->remote))
		what |= KIPSECD_CHANGED_PEER;

	if (a->mode != b->mode || !id_equal(&a->local_id, &b->local_id) ||
	    !id_equal(&a->remote_id, &b->remote_id) || !psk_equal(a, b) ||
	    a->n_ike != b->n_ike || a->ike_lifetime != b->ike_lifetime ||
	    a->dpd_interval != b->dpd_interval || a->dpd_retries != b->dpd_retries)
		what |= KIPSECD_CHANGED_IKE;
	for (i = 0; !(what & KIPSECD_CHANGED_IKE) && i < a->n_ike; i++)
		if (!kipsecd_p1_equal(&a->ike[i], &b->ike[i]))
			what |= KIPSECD_CHANGED_IKE;

	if (a->n_ipsec != b->n_ipsec || a->ipsec_lifetime != b->ipsec_lifetime ||
	    a->ipsec_lifetime_kb != b->ipsec_lifetime_kb ||
	    a->n_proxy_ids != b->n_proxy_ids || a->replay_window != b->replay_window ||
	    a->esn != b->esn || a->ah_align8 != b->ah_align8)
		what |= KIPSECD_CHANGED_IPSEC;
	for (i = 0; !(what & KIPSECD_CHANGED_IPSEC) && i < a->n_ipsec; i++)
		if (!kipsecd_p2_equal(&a->ipsec[i], &b->ipsec[i]))
			what |= KIPSECD_CHANGED_IPSEC;
	for (i = 0; !(what & KIPSECD_CHANGED_IPSEC) && i < a->n_proxy_ids; i++)
		if (!pid_equal(&a->proxy_ids[i].pid, &b->proxy_ids[i].pid) ||
		    a->proxy_ids[i].local_type != b->proxy_ids[i].local_type ||
		    a->proxy_ids[i].remote_type != b->proxy_ids[i].remote_type)
			what |= KIPSECD_CHANGED_IPSEC;

	if (a->start != b->start)
		what |= KIPSECD_CHANGED_START;
	return what;
}

int kipsecd_config_diff(const struct kipsecd_config *old,
			const struct kipsecd_config *new,
			struct kipsecd_tunnel_diff **out, size_t *n,
			bool *global_changed)
{
	struct kipsecd_tunnel_diff *d;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	d = calloc(old->n_tunnels + new->n_tunnels + 1, sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < old->n_tunnels; i++) {
		if (kipsecd_config_tunnel(new, old->tunnels[i].name))
			continue;
		d[k].name = old->tunnels[i].name;
		d[k].change = KIPSECD_TUNNEL_REMOVED;
		d[k++].old_t = &old->tunnels[i];
	}
	for (i = 0; i < new->n_tunnels; i++) {
		const struct kipsecd_tunnel *o = kipsecd_config_tunnel(old, new->tunnels[i].name);

		d[k].name = new->tunnels[i].name;
		d[k].new_t = &new->tunnels[i];
		d[k].old_t = o;
		if (!o)
			d[k].change = KIPSECD_TUNNEL_ADDED;
		else if ((d[k].what = kipsecd_tunnel_compare(o, &new->tunnels[i])))
			d[k].change = KIPSECD_TUNNEL_CHANGED;
		else
			d[k].change = KIPSECD_TUNNEL_UNCHANGED;
		k++;
	}
	*global_changed =
		strcmp(old->global.control_socket, new->global.control_socket) ||
		old->global.log_level != new->global.log_level ||
		old->global.log_target != new->global.log_target ||
		old->global.ike_port != new->global.ike_port;
	*out = d;
	*n = k;
	return 0;
}

/* Words */

const char *kipsecd_mode_name(enum kipsecd_mode m)
{
	return m == KIPSECD_MODE_AGGRESSIVE ? "aggressive" : "main";
}

const char *kipsecd_start_name(enum kipsecd_start s)
{
	return s == KIPSECD_START_IMMEDIATELY ? "immediately" :
	       s == KIPSECD_START_RESPOND_ONLY ? "respond-only" : "on-traffic";
}

const char *kipsecd_change_name(enum kipsecd_change c)
{
	static const char *const names[] = {
		"unchanged", "added", "removed", "changed"
	};

	return names[c];
}

const char *kipsecd_id_str(const struct kipsecd_id *id, char *buf, size_t len)
{
	if (id->type == KIPSECD_ID_FQDN)
		snprintf(buf, len, "fqdn:%s", id->name);
	else if (id->type == KIPSECD_ID_USER_FQDN)
		snprintf(buf, len, "user-fqdn:%s", id->name);
	else
		addr_str(&id->addr, buf, len);
	return buf;
}

static const char *side_str(const struct kipsec_nl_prefix *pf, uint8_t type,
			    char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct kipsec_nl_addr last = pf->addr;
	unsigned int max = pf->addr.family == AF_INET ? 32 : 128, i;
	uint8_t *lb = last.family == AF_INET ? (uint8_t *)&last.ip4 : last.ip6.s6_addr;

	addr_str(&pf->addr, a, sizeof(a));
	if (type == KIPSECD_ID_IPV4_ADDR || type == KIPSECD_ID_IPV6_ADDR) {
		snprintf(buf, len, "%s", a);
	} else if (type == KIPSECD_ID_IPV4_ADDR_RANGE || type == KIPSECD_ID_IPV6_ADDR_RANGE) {
		for (i = pf->len; i < max; i++)
			lb[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		snprintf(buf, len, "%s-%s", a, addr_str(&last, b, sizeof(b)));
	} else {
		snprintf(buf, len, "%s/%u", a, pf->len);
	}
	return buf;
}

static size_t port_str(char *buf, size_t len, const char *kw, uint16_t min,
		       uint16_t max)
{
	if (min == 0 && max == 65535)
		return 0;
	return (size_t)snprintf(buf, len, " %s %u", kw, min);
}

const char *kipsecd_proxy_id_str(const struct kipsecd_proxy_id *p, char *buf,
				 size_t len)
{
	char l[2 * INET6_ADDRSTRLEN + 8], r[2 * INET6_ADDRSTRLEN + 8];
	size_t used, i;

	used = (size_t)snprintf(buf, len, "%s %s",
				side_str(&p->pid.local, p->local_type, l, sizeof(l)),
				side_str(&p->pid.remote, p->remote_type, r, sizeof(r)));
	if (p->pid.proto && used < len) {
		const char *name = NULL;

		for (i = 0; i < ARRAY_SIZE(ip_protos) && !name; i++)
			if (ip_protos[i].proto == p->pid.proto)
				name = ip_protos[i].name;
		used += name ? (size_t)snprintf(buf + used, len - used, " proto %s", name) :
			       (size_t)snprintf(buf + used, len - used, " proto %u", p->pid.proto);
	}
	if (used < len)
		used += port_str(buf + used, len - used, "lport", p->pid.lport_min,
				 p->pid.lport_max);
	if (used < len)
		port_str(buf + used, len - used, "rport", p->pid.rport_min,
			 p->pid.rport_max);
	return buf;
}

/* Whether prefix @outer contains prefix @inner. */
static bool prefix_contains(const struct kipsec_nl_prefix *outer,
			    const struct kipsec_nl_prefix *inner)
{
	const uint8_t *a, *b;
	unsigned int bits, i;

	if (outer->addr.family == AF_UNSPEC)
		return true;
	if (inner->addr.family != outer->addr.family || inner->len < outer->len)
		return false;
	if (outer->addr.family == AF_INET) {
		a = (const uint8_t *)&outer->addr.ip4;
		b = (const uint8_t *)&inner->addr.ip4;
	} else {
		a = outer->addr.ip6.s6_addr;
		b = inner->addr.ip6.s6_addr;
	}
	bits = outer->len;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != b[i])
			return false;
	return !bits || !((a[i] ^ b[i]) & (uint8_t)(0xff00 >> bits));
}

static bool ports_contain(uint16_t min, uint16_t max, uint16_t smin, uint16_t smax)
{
	if (min == 0 && max == 65535)
		return true;
	return smin >= min && smax <= max;
}

int kipsecd_proxy_id_match(const struct kipsecd_tunnel *t,
			   const struct kipsec_proxy_id *sel)
{
	size_t i;

	for (i = 0; i < t->n_proxy_ids; i++) {
		const struct kipsec_proxy_id *p = &t->proxy_ids[i].pid;

		if (!prefix_contains(&p->local, &sel->local) ||
		    !prefix_contains(&p->remote, &sel->remote))
			continue;
		if (p->proto && p->proto != sel->proto)
			continue;
		if (!ports_contain(p->lport_min, p->lport_max, sel->lport_min,
				   sel->lport_max) ||
		    !ports_contain(p->rport_min, p->rport_max, sel->rport_min,
				   sel->rport_max))
			continue;
		return (int)i;
	}
	return -1;
}
