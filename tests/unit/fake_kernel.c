// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.h without the kernel: for build/tests/kipsecd_fake, kipsecd with
 * its module link replaced, so that two daemons on the host can run IKE
 * against each other over loopback (tests/unit/test_kipsecd_ike.sh).
 *
 * SPIs count up from $FAKE_SPI_BASE; installed SAs are kept in memory and
 * written, one "in|out SPI" line each, to $FAKE_DUMP after every change;
 * SA dumps report 7 packets per SA. The module "takes no lifetimes", so
 * kipsecd rekeys on its own timers. No events are ever delivered.
 *
 * Both daemons listen on their own ike-port; ike.c is compiled with
 * ike_sock_send renamed to fake_ike_sock_send (below), which sends to
 * $FAKE_PEER_PORT instead of the daemon's own port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../userland/kipsecd/ike_sock.h"
#include "../../userland/kipsecd/kernel.h"
#include "../../userland/kipsecd/log.h"

#define FAKE_SAS 256

struct kipsecd_kernel {
	bool open;
};

static struct {
	bool used;
	uint8_t dir, proto;
	uint32_t spi;
} sas[FAKE_SAS];
static uint32_t next_spi;

int fake_ike_sock_send(struct ike_sock *s, const struct kipsec_nl_addr *local,
		       const struct kipsec_nl_addr *remote, uint16_t port,
		       const uint8_t *buf, size_t len);

int fake_ike_sock_send(struct ike_sock *s, const struct kipsec_nl_addr *local,
		       const struct kipsec_nl_addr *remote, uint16_t port,
		       const uint8_t *buf, size_t len)
{
	const char *p = getenv("FAKE_PEER_PORT");

	return ike_sock_send(s, local, remote, p ? (uint16_t)atoi(p) : port, buf, len);
}

static void dump(void)
{
	const char *path = getenv("FAKE_DUMP");
	FILE *f = path ? fopen(path, "w") : NULL;
	size_t i;

	if (!f)
		return;
	for (i = 0; i < FAKE_SAS; i++)
		if (sas[i].used)
			fprintf(f, "%s %08x\n", sas[i].dir == KIPSEC_DIR_IN ? "in" : "out",
				sas[i].spi);
	fclose(f);
}

static int sa_add(uint8_t dir, uint8_t proto, uint32_t spi)
{
	size_t i;

	for (i = 0; i < FAKE_SAS; i++)
		if (sas[i].used && sas[i].dir == dir && sas[i].spi == spi)
			return -EEXIST;
	for (i = 0; i < FAKE_SAS; i++)
		if (!sas[i].used) {
			sas[i].used = true;
			sas[i].dir = dir;
			sas[i].proto = proto;
			sas[i].spi = spi;
			dump();
			return 0;
		}
	return -ENOSPC;
}

struct kipsecd_kernel *kipsecd_kernel_new(struct loop *l,
					  const struct kipsecd_kernel_ops *ops,
					  void *arg)
{
	const char *base = getenv("FAKE_SPI_BASE");

	(void)l;
	(void)ops;
	(void)arg;
	next_spi = base ? (uint32_t)strtoul(base, NULL, 0) : 0xc0000001;
	return calloc(1, sizeof(struct kipsecd_kernel));
}

void kipsecd_kernel_free(struct kipsecd_kernel *k)
{
	free(k);
}

int kipsecd_kernel_open(struct kipsecd_kernel *k, struct kipsec_nl_error *e)
{
	(void)e;
	k->open = true;
	return 0;
}

void kipsecd_kernel_close(struct kipsecd_kernel *k)
{
	k->open = false;
}

bool kipsecd_kernel_is_open(const struct kipsecd_kernel *k)
{
	return k && k->open;
}

void kipsecd_kernel_set_lifetimes(struct kipsecd_kernel *k, bool send)
{
	(void)k;
	(void)send;
}

bool kipsecd_kernel_lifetimes(const struct kipsecd_kernel *k)
{
	(void)k;
	return false;
}

int kipsecd_kernel_tunnel_set(struct kipsecd_kernel *k, const char *ifname,
			      const struct kipsec_nl_addr *local,
			      const struct kipsec_nl_addr *remote,
			      struct kipsec_nl_error *e)
{
	(void)k;
	(void)ifname;
	(void)local;
	(void)remote;
	(void)e;
	return 0;
}

int kipsecd_kernel_spi_alloc(struct kipsecd_kernel *k, const char *ifname,
			     uint8_t proto, uint32_t *spi,
			     struct kipsec_nl_error *e)
{
	(void)k;
	(void)ifname;
	(void)proto;
	(void)e;
	*spi = next_spi++;
	return 0;
}

int kipsecd_kernel_sa_pair_add(struct kipsecd_kernel *k,
			       const struct kipsecd_sa_pair *p,
			       const struct kipsec_sa_keys *in,
			       const struct kipsec_sa_keys *out, bool update,
			       struct kipsec_nl_error *e)
{
	(void)k;
	(void)update;
	(void)e;
	log_info(NULL, "fake kernel: SA pair in %08x%s out %08x%s, soft %llu s hard %llu s",
		 p->spi_in, in ? "" : " (kept)", p->spi_out, out ? "" : " (later)",
		 (unsigned long long)p->lifetimes.soft.time,
		 (unsigned long long)p->lifetimes.hard.time);
	if (in && sa_add(KIPSEC_DIR_IN, p->proto, p->spi_in))
		return -EEXIST;
	return out ? sa_add(KIPSEC_DIR_OUT, p->proto, p->spi_out) : 0;
}

int kipsecd_kernel_sa_del(struct kipsecd_kernel *k, const char *ifname,
			  uint8_t proto, uint8_t dir, uint32_t spi,
			  struct kipsec_nl_error *e)
{
	size_t i;

	(void)k;
	(void)ifname;
	(void)proto;
	(void)e;
	for (i = 0; i < FAKE_SAS; i++)
		if (sas[i].used && sas[i].dir == dir && sas[i].spi == spi) {
			sas[i].used = false;
			dump();
		}
	return 0;
}

int kipsecd_kernel_sa_pair_del(struct kipsecd_kernel *k, const char *ifname,
			       uint8_t proto, uint32_t spi_in, uint32_t spi_out,
			       struct kipsec_nl_error *e)
{
	kipsecd_kernel_sa_del(k, ifname, proto, KIPSEC_DIR_OUT, spi_out, e);
	return kipsecd_kernel_sa_del(k, ifname, proto, KIPSEC_DIR_IN, spi_in, e);
}

int kipsecd_kernel_flush(struct kipsecd_kernel *k, const char *ifname,
			 struct kipsec_nl_error *e)
{
	(void)k;
	(void)ifname;
	(void)e;
	memset(sas, 0, sizeof(sas));
	dump();
	return 0;
}

int kipsecd_kernel_sa_dump(struct kipsecd_kernel *k, const char *ifname,
			   kipsec_sa_cb cb, void *arg, struct kipsec_nl_error *e)
{
	size_t i;

	(void)k;
	(void)ifname;
	(void)e;
	for (i = 0; i < FAKE_SAS; i++) {
		struct kipsec_sa_info sa = { 0 };

		if (!sas[i].used)
			continue;
		sa.dir = sas[i].dir;
		sa.spi = sas[i].spi;
		sa.proto = sas[i].proto;
		sa.has_stats = true;
		sa.stats.packets = 7;
		if (cb(&sa, arg))
			break;
	}
	return 0;
}

const char *kipsecd_kernel_event_name(uint8_t cmd)
{
	(void)cmd;
	return "event";
}
