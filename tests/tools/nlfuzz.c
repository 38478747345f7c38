// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: random and mutated generic netlink messages for the kipsec
 * family, over a raw socket (libnl would refuse to build most of them).
 *
 *   nlfuzz [-s SEED] [-n COUNT] [-b BATCH] [-q] IFNAME...
 *
 * IFNAMEs are kipsec devices of the caller's network namespace: valid
 * requests (add, update, delete, get, flush of SAs on them, SPI
 * reservations, dumps) are interleaved with the fuzz so that the handlers
 * see a changing SA table. Messages go BATCH to a sendmsg(); replies are
 * drained without waiting for each. Prints the seed first, so that a run
 * can be repeated with -s, and counts of what came back at the end.
 *
 *   nlfuzz -c SECONDS [-d MS] [-s SEED] IFNAME...
 *   nlfuzz -c SECONDS -r [-d MS] [-s SEED] IFNAME
 *
 * Churn mode, for concurrency tests: only valid add, update, delete, get,
 * dump, flush and SPI requests (no tunnel set; SAs only for 10.200.0.0/16;
 * few flushes), one at a time, for SECONDS seconds, with a pause of MS
 * milliseconds after each (so that other work gets the CPU); errors such
 * as EEXIST or ENODEV (another process got there first, the device went
 * away) are expected and counted. Device indexes are looked up again
 * every few requests, as other processes recreate devices. With -r it
 * deletes IFNAME (rtnetlink), creates it again as a kipsec device, sets
 * its addresses (192.0.2.1 to 192.0.2.3) and adds two SAs, in a loop. Exits 1 only if the family disappears
 * or the socket fails.
 *
 * Exit status: 0 if every message was sent and the family still answers a
 * valid request at the end.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/uapi/kipsec.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define MSG_MAX 4096
#define BATCH_MAX 64
#define MAX_DEVS 8
#define SPI_BASE 0x1000u
#define SPI_RANGE 48u

/* --- PRNG: splitmix64 for the seed, xoshiro256** for the stream --- */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* --- message building --- */

struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
	bool len_corrupt;	/* nlmsg_len lies: last of its batch */
};

static uint16_t family;
static uint32_t seq;
static int ifindexes[MAX_DEVS];
static const char *ifnames[MAX_DEVS];
static int ndevs;

static void put_hdr(struct msg *m, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = KIPSEC_GENL_VERSION;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->len_corrupt = false;
}

static void finish(struct msg *m)
{
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
}

/* Appends an attribute; returns its offset, or 0 if it did not fit. */
static size_t put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	size_t off = m->len, total = NLA_ALIGN(NLA_HDRLEN + len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + total > MSG_MAX || NLA_HDRLEN + len > 0xffff)
		return 0;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(m->buf + off + NLA_HDRLEN, data, len);
	memset(m->buf + off + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
	m->len += total;
	return off;
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v)
{
	put(m, t, &v, 1);
}

static void put_u16(struct msg *m, uint16_t t, uint16_t v)
{
	put(m, t, &v, 2);
}

static void put_u32(struct msg *m, uint16_t t, uint32_t v)
{
	put(m, t, &v, 4);
}

static void put_u64(struct msg *m, uint16_t t, uint64_t v)
{
	put(m, t, &v, 8);
}

static void put_str(struct msg *m, uint16_t t, const char *s)
{
	put(m, t, s, strlen(s) + 1);
}

static void put_rand(struct msg *m, uint16_t t, size_t len)
{
	uint8_t b[256];
	size_t i;

	for (i = 0; i < len && i < sizeof(b); i++)
		b[i] = (uint8_t)rnd();
	put(m, t, b, len < sizeof(b) ? len : sizeof(b));
}

/* --- valid requests --- */

static const struct { uint32_t alg; uint8_t keylen[3]; uint8_t salt; } aeads[] = {
	{ KIPSEC_AEAD_AES_GCM, { 16, 24, 32 }, 4 },
	{ KIPSEC_AEAD_AES_CCM, { 16, 24, 32 }, 3 },
	{ KIPSEC_AEAD_CHACHA20_POLY1305, { 32, 32, 32 }, 4 },
	{ KIPSEC_AEAD_AES_GMAC, { 16, 24, 32 }, 4 },
};

static const struct { uint32_t alg; uint8_t keylen; } encs[] = {
	{ KIPSEC_ENC_NULL, 0 }, { KIPSEC_ENC_DES, 8 }, { KIPSEC_ENC_3DES, 24 },
	{ KIPSEC_ENC_AES_CBC, 16 }, { KIPSEC_ENC_AES_CBC, 32 },
	{ KIPSEC_ENC_AES_CTR, 20 },
};

static const struct { uint32_t alg; uint8_t keylen; } auths[] = {
	{ KIPSEC_AUTH_HMAC_MD5_96, 16 }, { KIPSEC_AUTH_HMAC_SHA1_96, 20 },
	{ KIPSEC_AUTH_HMAC_SHA256_128, 32 }, { KIPSEC_AUTH_HMAC_SHA384_192, 48 },
	{ KIPSEC_AUTH_HMAC_SHA512_256, 64 }, { KIPSEC_AUTH_AES_XCBC_96, 16 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Churn mode runs beside traffic: it leaves the tunnels' addresses alone,
 * gives every SA a proxy ID of 10.200.0.0/16 (which no test traffic
 * uses), and flushes rarely, so that the traffic's own SAs mostly stay.
 */
static bool churn_mode;

static void put_dev(struct msg *m)
{
	int d = (int)below((uint32_t)ndevs);

	if (chance(70))
		put_u32(m, KIPSEC_A_SA_IFINDEX, (uint32_t)ifindexes[d]);
	else
		put_str(m, KIPSEC_A_SA_IFNAME, ifnames[d]);
}

static void put_sa_id(struct msg *m)
{
	put_dev(m);
	put_u8(m, KIPSEC_A_SA_DIR, chance(50) ? KIPSEC_DIR_IN : KIPSEC_DIR_OUT);
	put_u32(m, KIPSEC_A_SA_SPI, SPI_BASE + below(SPI_RANGE));
	put_u8(m, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
}

static void valid_sa_add(struct msg *m, uint8_t cmd)
{
	uint8_t dir = chance(50) ? KIPSEC_DIR_IN : KIPSEC_DIR_OUT;

	put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK, cmd);
	put_dev(m);
	put_u8(m, KIPSEC_A_SA_DIR, dir);
	put_u32(m, KIPSEC_A_SA_SPI, SPI_BASE + below(SPI_RANGE));
	put_u8(m, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
	if (chance(60)) {
		unsigned int i = below(ARRAY_SIZE(aeads));

		put_u32(m, KIPSEC_A_SA_AEAD_ALG, aeads[i].alg);
		put_rand(m, KIPSEC_A_SA_AEAD_KEY,
			 aeads[i].keylen[below(3)] + aeads[i].salt);
		if (chance(20) && aeads[i].alg <= KIPSEC_AEAD_AES_CCM)
			put_u32(m, KIPSEC_A_SA_ICV_BITS, 64 + 32 * below(3));
	} else {
		unsigned int e = below(ARRAY_SIZE(encs));
		unsigned int a = below(ARRAY_SIZE(auths));

		put_u32(m, KIPSEC_A_SA_ENC_ALG, encs[e].alg);
		if (encs[e].keylen)
			put_rand(m, KIPSEC_A_SA_ENC_KEY, encs[e].keylen);
		if (encs[e].alg == KIPSEC_ENC_NULL || chance(80)) {
			put_u32(m, KIPSEC_A_SA_AUTH_ALG, auths[a].alg);
			put_rand(m, KIPSEC_A_SA_AUTH_KEY, auths[a].keylen);
		}
	}
	if (chance(30))
		put_u32(m, KIPSEC_A_SA_FLAGS, KIPSEC_SA_F_ESN);
	if (dir == KIPSEC_DIR_IN && chance(30))
		put_u32(m, KIPSEC_A_SA_REPLAY_WINDOW, chance(20) ? 0 : 32 << below(10));
	if (dir == KIPSEC_DIR_OUT && cmd == KIPSEC_CMD_SA_ADD && chance(20))
		put_u64(m, KIPSEC_A_SA_SEQ, below(1000));
	if (churn_mode) {
		uint32_t net = htonl(0x0ac80000u | (below(256) << 8));

		put(m, KIPSEC_A_SA_PID_LOCAL_IPV4, &net, 4);
		put_u8(m, KIPSEC_A_SA_PID_LOCAL_PREFIXLEN, 24);
	} else if (chance(40)) {
		uint32_t net = htonl(0x0a000000u | (below(256) << 16));

		put(m, KIPSEC_A_SA_PID_LOCAL_IPV4, &net, 4);
		put_u8(m, KIPSEC_A_SA_PID_LOCAL_PREFIXLEN, 16);
		if (chance(50)) {
			put_u8(m, KIPSEC_A_SA_PID_PROTO, 17);
			put_u16(m, KIPSEC_A_SA_PID_RPORT_MIN, 500);
			put_u16(m, KIPSEC_A_SA_PID_RPORT_MAX, 4500);
		}
	}
	finish(m);
}

/* A valid request of any command, weighted towards the cheap ones. */
static void valid(struct msg *m)
{
	uint32_t r = below(churn_mode ? 96 : 100);

	if (churn_mode && r >= 93 && chance(80))
		r = 70;		/* a get instead of most flushes */

	if (r < 30) {
		valid_sa_add(m, KIPSEC_CMD_SA_ADD);
		return;
	}
	if (r < 38) {
		valid_sa_add(m, KIPSEC_CMD_SA_UPDATE);
		return;
	}
	if (r < 62) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK, KIPSEC_CMD_SA_DEL);
		put_sa_id(m);
	} else if (r < 72) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK, KIPSEC_CMD_SA_GET);
		put_sa_id(m);
	} else if (r < 78) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_DUMP, KIPSEC_CMD_SA_GET);
		if (chance(50))
			put_dev(m);
	} else if (r < 82) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_DUMP,
			KIPSEC_CMD_TUNNEL_GET);
	} else if (r < 86) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK,
			KIPSEC_CMD_TUNNEL_GET);
		put_dev(m);
	} else if (r < 93) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK,
			KIPSEC_CMD_SPI_ALLOC);
		put_dev(m);
		put_u8(m, KIPSEC_A_SA_PROTO, IPPROTO_ESP);
		put_u32(m, KIPSEC_A_SA_SPI_MIN, SPI_BASE);
		put_u32(m, KIPSEC_A_SA_SPI_MAX, SPI_BASE + SPI_RANGE - 1);
	} else if (r < 96) {
		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK,
			KIPSEC_CMD_SA_FLUSH);
		if (chance(70))
			put_dev(m);
	} else {
		/* The tunnels keep their addresses: EBUSY with SAs. */
		uint32_t l = htonl(0xc0000201), r4 = htonl(0xc6336402);

		put_hdr(m, family, NLM_F_REQUEST | NLM_F_ACK,
			KIPSEC_CMD_TUNNEL_SET);
		put_dev(m);
		put(m, KIPSEC_A_TUNNEL_LOCAL_IPV4, &l, 4);
		put(m, KIPSEC_A_TUNNEL_REMOTE_IPV4, &r4, 4);
	}
	finish(m);
}

/* --- random requests --- */

static void random_attrs(struct msg *m, int depth)
{
	unsigned int i, n = below(10);

	for (i = 0; i < n; i++) {
		uint16_t type = (uint16_t)below(KIPSEC_A_SA_MAX + 6);
		size_t len;

		if (chance(3))
			type = (uint16_t)rnd();
		if (depth < 3 && chance(10)) {
			/* A nest of random attributes. */
			size_t off = m->len;

			if (!put(m, type | (chance(50) ? NLA_F_NESTED : 0),
				 NULL, 0))
				return;
			random_attrs(m, depth + 1);
			((struct nlattr *)(m->buf + off))->nla_len =
				(uint16_t)(m->len - off);
			continue;
		}
		switch (below(8)) {
		case 0:
			put_u8(m, type, (uint8_t)(chance(50) ? below(4) : rnd()));
			break;
		case 1:
			put_u16(m, type, (uint16_t)rnd());
			break;
		case 2:
			put_u32(m, type, chance(30) ? (uint32_t)ifindexes[below((uint32_t)ndevs)] :
				chance(50) ? below(300) : (uint32_t)rnd());
			break;
		case 3:
			put_u64(m, type, rnd() >> below(64));
			break;
		case 4:
			put_str(m, type, chance(50) ? ifnames[below((uint32_t)ndevs)] : "lo");
			break;
		default:
			len = chance(90) ? below(40) : below(300);
			put_rand(m, type, len);
			break;
		}
	}
}

static uint16_t random_flags(void)
{
	static const uint16_t pick[] = {
		NLM_F_REQUEST, NLM_F_REQUEST | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_DUMP, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		NLM_F_REQUEST | NLM_F_ROOT, NLM_F_REQUEST | NLM_F_MATCH,
		NLM_F_REQUEST | NLM_F_ECHO | NLM_F_ACK,
		NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
	};

	if (chance(5))
		return (uint16_t)rnd();
	return pick[below(ARRAY_SIZE(pick))];
}

static void random_msg(struct msg *m)
{
	uint8_t cmd = (uint8_t)(chance(90) ? below(KIPSEC_CMD_MAX + 3) : rnd());

	put_hdr(m, family, random_flags(), cmd);
	if (chance(5))
		((struct genlmsghdr *)(m->buf + NLMSG_HDRLEN))->version =
			(uint8_t)rnd();
	if (chance(5))
		((struct genlmsghdr *)(m->buf + NLMSG_HDRLEN))->reserved =
			(uint16_t)rnd();
	random_attrs(m, 0);
	finish(m);
}

/* --- mutations of a message --- */

static void mutate(struct msg *m)
{
	unsigned int i, n = 1 + below(3);
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;

		switch (below(10)) {
		case 0:	/* truncate, keeping nlmsg_len honest */
			m->len = below((uint32_t)m->len + 1);
			if (m->len < NLMSG_HDRLEN)
				m->len = NLMSG_HDRLEN;
			finish(m);
			break;
		case 1:	/* nlmsg_len lies */
			nlh->nlmsg_len = chance(50) ? (uint32_t)rnd() :
					 (uint32_t)m->len + below(64) - 32;
			m->len_corrupt = true;
			break;
		case 2:	/* bit flips, not in nlmsg_len */
		case 3: {
			unsigned int f, nf = 1 + below(4);

			for (f = 0; f < nf && m->len > 4; f++) {
				size_t at = 4 + below((uint32_t)m->len - 4);

				m->buf[at] ^= (uint8_t)(1u << below(8));
			}
			break;
		}
		case 4:	/* duplicate the attribute area's first attribute */
		case 5:
			if (m->len > hdr + NLA_HDRLEN) {
				struct nlattr *a = (struct nlattr *)(m->buf + hdr);
				size_t l = NLA_ALIGN(a->nla_len);

				if (a->nla_len >= NLA_HDRLEN &&
				    hdr + l <= m->len && m->len + l <= MSG_MAX) {
					memcpy(m->buf + m->len, a, l);
					m->len += l;
					finish(m);
				}
			}
			break;
		case 6:	/* an attribute's length: huge, short or odd */
		case 7: {
			size_t off = hdr;

			while (off + NLA_HDRLEN <= m->len) {
				struct nlattr *a = (struct nlattr *)(m->buf + off);

				if (a->nla_len < NLA_HDRLEN)
					break;
				if (chance(40)) {
					static const uint16_t lens[] = {
						0, 1, 3, 4, 5, 7, 0xffff, 0x8000
					};

					a->nla_len = chance(70) ?
						lens[below(ARRAY_SIZE(lens))] :
						(uint16_t)rnd();
					break;
				}
				off += NLA_ALIGN(a->nla_len);
			}
			break;
		}
		case 8:	/* another command or flags */
			if (m->len >= hdr) {
				if (chance(50))
					m->buf[NLMSG_HDRLEN] = (uint8_t)below(16);
				else
					nlh->nlmsg_flags = random_flags();
			}
			break;
		default:	/* trailing garbage, counted */
			if (m->len + 16 <= MSG_MAX) {
				unsigned int k, g = 1 + below(15);

				for (k = 0; k < g; k++)
					m->buf[m->len++] = (uint8_t)rnd();
				if (chance(50))
					finish(m);
			}
			break;
		}
	}
}

/* --- the socket --- */

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1, buf = 4 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bind");
		exit(2);
	}
	return fd;
}

struct stats {
	unsigned long sent, batches, acks, data, done, enobufs;
	unsigned long err[134];
};

static struct stats st;

/* Reads whatever is queued (and runs pending dumps on); with @wait_seq,
 * until the reply to that sequence number has come.
 * Returns that reply's errno (0 for an ACK or a finished dump), or -1.
 */
static int drain(int fd, uint32_t wait_seq)
{
	static uint8_t buf[1 << 16];
	int result = -1;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf),
				 wait_seq && result < 0 ? 0 : MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == ENOBUFS) {
				st.enobufs++;
				continue;
			}
			if (errno == EAGAIN || errno == EINTR)
				return result;
			perror("recv");
			exit(2);
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			int e = 0;

			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				if (nlh->nlmsg_len >= NLMSG_HDRLEN + 4)
					e = -*(int *)NLMSG_DATA(nlh);
				if (nlh->nlmsg_type == NLMSG_DONE)
					st.done++;
				else if (!e)
					st.acks++;
				if (e > 0 && e < (int)ARRAY_SIZE(st.err))
					st.err[e]++;
				if (wait_seq && nlh->nlmsg_seq == wait_seq)
					result = e < 0 ? -e : e;
			} else {
				st.data++;
			}
		}
	}
}

static void resolve(int fd)
{
	uint8_t buf[8192];
	struct msg m;
	ssize_t n;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	put_hdr(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->version = 1;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, KIPSEC_GENL_NAME);
	finish(&m);
	if (send(fd, m.buf, m.len, 0) < 0) {
		perror("send");
		exit(2);
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n > 0 && nlh->nlmsg_type == GENL_ID_CTRL) {
		int len = (int)(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
		struct nlattr *a = (struct nlattr *)((uint8_t *)NLMSG_DATA(nlh) +
						     GENL_HDRLEN);

		for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len))) {
			if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
				family = *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
				return;
			}
		}
	}
	fprintf(stderr, "nlfuzz: no %s family\n", KIPSEC_GENL_NAME);
	exit(2);
}

static void send_batch(int fd, struct msg *b, int n)
{
	static uint8_t buf[BATCH_MAX * MSG_MAX];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(buf + len, b[i].buf, b[i].len);
		len += NLMSG_ALIGN(b[i].len);
	}
	while (send(fd, buf, len, 0) < 0) {
		if (errno == ENOBUFS || errno == EAGAIN) {
			drain(fd, 0);
			continue;
		}
		/* A lying first nlmsg_len may be refused whole. */
		if (errno == EINVAL || errno == EMSGSIZE || errno == ENOMEM)
			break;
		perror("send");
		exit(2);
	}
	st.sent += (unsigned long)n;
	st.batches++;
	drain(fd, 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_stats(const char *what, double secs)
{
	int e;

	printf("# %s: %lu messages in %lu batches, %.1f s (%.0f/s); %lu ACKs, %lu data, %lu DONE, %lu ENOBUFS\n",
	       what, st.sent, st.batches, secs, secs > 0 ? st.sent / secs : 0.0,
	       st.acks, st.data, st.done, st.enobufs);
	printf("# errors:");
	for (e = 1; e < (int)ARRAY_SIZE(st.err); e++)
		if (st.err[e])
			printf(" %s=%lu", strerrorname_np(e) ?: "?", st.err[e]);
	printf("\n");
	fflush(stdout);
}

/* One valid request, synchronously; its errno. */
static int round_trip(int fd, struct msg *m)
{
	uint32_t s = ((struct nlmsghdr *)m->buf)->nlmsg_seq;

	if (send(fd, m->buf, m->len, 0) < 0)
		return errno;
	st.sent++;
	return drain(fd, s);
}

/* One rtnetlink request about link @name, synchronously; its errno. */
static int rtnl_link(int rfd, uint16_t type, uint16_t flags, const char *name)
{
	struct ifinfomsg *ifi;
	struct msg m;

	put_hdr(&m, type, NLM_F_REQUEST | NLM_F_ACK | flags, 0);
	m.len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifi));
	ifi = (struct ifinfomsg *)(m.buf + NLMSG_HDRLEN);
	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	put_str(&m, IFLA_IFNAME, name);
	if (type == RTM_NEWLINK) {
		size_t off = put(&m, IFLA_LINKINFO | NLA_F_NESTED, NULL, 0);

		put_str(&m, IFLA_INFO_KIND, KIPSEC_LINK_KIND);
		((struct nlattr *)(m.buf + off))->nla_len =
			(uint16_t)(m.len - off);
	}
	finish(&m);
	return round_trip(rfd, &m);
}

/* Delete and recreate ifnames[0], give it addresses and SAs. */
static void recreate(int fd, int rfd, unsigned long *rounds)
{
	uint32_t l = htonl(0xc0000201), r = htonl(0xc0000203);
	struct msg m;
	int i;

	rtnl_link(rfd, RTM_DELLINK, 0, ifnames[0]);
	if (rtnl_link(rfd, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifnames[0]))
		return;
	ifindexes[0] = (int)if_nametoindex(ifnames[0]);
	put_hdr(&m, family, NLM_F_REQUEST | NLM_F_ACK, KIPSEC_CMD_TUNNEL_SET);
	put_str(&m, KIPSEC_A_TUNNEL_IFNAME, ifnames[0]);
	put(&m, KIPSEC_A_TUNNEL_LOCAL_IPV4, &l, 4);
	put(&m, KIPSEC_A_TUNNEL_REMOTE_IPV4, &r, 4);
	finish(&m);
	round_trip(fd, &m);
	for (i = 0; i < 2; i++) {
		valid_sa_add(&m, KIPSEC_CMD_SA_ADD);
		round_trip(fd, &m);
	}
	(*rounds)++;
}

static int churn(int fd, double secs, long pause_ms, bool relink)
{
	double end = now() + secs, start = now();
	struct timespec pause = {
		.tv_sec = pause_ms / 1000,
		.tv_nsec = pause_ms % 1000 * 1000000,
	};
	unsigned long n = 0, rounds = 0;
	int rfd = -1, d;
	struct msg m;

	if (relink) {
		rfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (rfd < 0) {
			perror("socket");
			return 2;
		}
	}
	while (now() < end) {
		if (relink) {
			recreate(fd, rfd, &rounds);
		} else {
			if (n++ % 16 == 0)
				for (d = 0; d < ndevs; d++)
					ifindexes[d] = (int)if_nametoindex(ifnames[d]) ?:
						       ifindexes[d];
			valid(&m);
			round_trip(fd, &m);
		}
		if (pause_ms > 0)
			nanosleep(&pause, NULL);
	}
	print_stats("churn", now() - start);
	if (relink)
		printf("# recreated %s %lu times\n", ifnames[0], rounds);
	return 0;
}

int main(int argc, char **argv)
{
	static struct msg batch[BATCH_MAX];
	unsigned long count = 100000, i;
	uint64_t seed = 0, x;
	int opt, fd, bsize = 16, n = 0, ret;
	double churn_secs = 0, start;
	long pause_ms = 0;
	bool relink = false;
	bool have_seed = false;
	struct msg m;

	while ((opt = getopt(argc, argv, "s:n:b:c:d:r")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			bsize = atoi(optarg);
			if (bsize < 1 || bsize > BATCH_MAX)
				bsize = 16;
			break;
		case 'c':
			churn_secs = atof(optarg);
			break;
		case 'd':
			pause_ms = atol(optarg);
			break;
		case 'r':
			relink = true;
			break;
		default:
			fprintf(stderr, "usage: nlfuzz [-s SEED] [-n COUNT] [-b BATCH] [-c SECONDS [-d MS] [-r]] IFNAME...\n");
			return 2;
		}
	}
	for (; optind < argc && ndevs < MAX_DEVS; optind++) {
		ifnames[ndevs] = argv[optind];
		ifindexes[ndevs] = (int)if_nametoindex(argv[optind]);
		/* Churn: another process may be recreating it right now. */
		if (!ifindexes[ndevs] && churn_secs <= 0) {
			fprintf(stderr, "nlfuzz: no device %s\n", argv[optind]);
			return 2;
		}
		ndevs++;
	}
	if (!ndevs) {
		fprintf(stderr, "nlfuzz: name at least one kipsec device\n");
		return 2;
	}
	if (!have_seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	x = seed;
	for (i = 0; i < 4; i++)
		rs[i] = splitmix(&x);
	printf("# nlfuzz seed %llu\n", (unsigned long long)seed);
	fflush(stdout);

	fd = nl_open();
	resolve(fd);
	if (churn_secs > 0) {
		churn_mode = true;
		return churn(fd, churn_secs, pause_ms, relink);
	}

	start = now();
	for (i = 0; i < count; i++) {
		struct msg *b = &batch[n++];
		uint32_t r = below(100);

		if (r < 20) {
			valid(b);
		} else if (r < 65) {
			valid(b);
			mutate(b);
		} else {
			random_msg(b);
			if (chance(30))
				mutate(b);
		}
		if (n == bsize || b->len_corrupt) {
			send_batch(fd, batch, n);
			n = 0;
			/* ACKs of every shape: with and without extack and
			 * the echoed request.
			 */
			if (chance(2)) {
				int on = chance(80), cap = chance(50);

				setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK,
					   &on, sizeof(on));
				setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK,
					   &cap, sizeof(cap));
			}
		}
		if (i % 20000 == 19999)
			print_stats("progress", now() - start);
	}
	if (n)
		send_batch(fd, batch, n);
	drain(fd, 0);
	print_stats("fuzz", now() - start);

	/* The family still answers: a tunnel dump must finish cleanly. */
	put_hdr(&m, family, NLM_F_REQUEST | NLM_F_DUMP, KIPSEC_CMD_TUNNEL_GET);
	finish(&m);
	ret = round_trip(fd, &m);
	if (ret) {
		fprintf(stderr, "nlfuzz: the final tunnel dump failed: %s\n",
			strerror(ret));
		return 1;
	}
	return 0;
}
