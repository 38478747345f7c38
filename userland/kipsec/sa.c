// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec sa add|update|del|show|flush
 *
 * Keys are read by the grammar (parse.c) straight into a struct
 * kipsec_sa_keys on the stack, sent, and wiped; show never prints them
 * (the kernel does not return them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"
#include "../lib/json.h"

/* Wipe 0x key literals from argv once parsed; a batch line is wiped whole
 * by batch.c. */
static void wipe_key_words(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i - 1], "key") && argv[i][0] == '0' &&
		    (argv[i][1] == 'x' || argv[i][1] == 'X'))
			explicit_bzero(argv[i], strlen(argv[i]));
}

static int sa_write(int argc, char **argv, bool update)
{
	const char *cmd = update ? "sa update" : "sa add";
	struct kipsec_sa_info sa;
	struct kipsec_sa_keys k;
	struct kipsec_nl_error e;
	struct kipsec_nl *nl;
	char err[512], what[64];
	int ret;

	ret = parse_sa_add(cmd, argc, argv, &cli_key_src, &sa, &k, err,
			   sizeof(err));
	wipe_key_words(argc, argv);
	if (ret)
		return cli_usage_error(err);
	if (cli_open(&nl)) {
		explicit_bzero(&k, sizeof(k));
		return EXIT_FAILURE;
	}
	if (update)
		ret = kipsec_nl_sa_update(nl, &sa, &k, &e);
	else
		ret = kipsec_nl_sa_add(nl, &sa, &k, &e);
	explicit_bzero(&k, sizeof(k));
	if (ret) {
		snprintf(what, sizeof(what), "%s %s", cmd, sa.ifname);
		return cli_nl_error(what, &e);
	}
	return EXIT_SUCCESS;
}

static int sa_del(int argc, char **argv)
{
	struct kipsec_nl_error e;
	struct kipsec_sa_info sa;
	struct kipsec_nl *nl;
	char err[512], what[64];

	if (parse_sa_del(argc, argv, &sa, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;
	if (kipsec_nl_sa_del(nl, &sa, &e)) {
		snprintf(what, sizeof(what), "sa del %s", sa.ifname);
		return cli_nl_error(what, &e);
	}
	return EXIT_SUCCESS;
}

static int sa_flush(int argc, char **argv)
{
	char dev[IF_NAMESIZE], err[512], what[64];
	struct kipsec_nl_error e;
	struct kipsec_nl *nl;

	if (parse_sa_flush(argc, argv, dev, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;
	if (kipsec_nl_sa_flush(nl, dev[0] ? dev : NULL, &e)) {
		snprintf(what, sizeof(what), "sa flush%s%s", dev[0] ? " " : "", dev);
		return cli_nl_error(what, &e);
	}
	return EXIT_SUCCESS;
}

/* show */

static const char *dir_str(uint8_t dir, char *buf, size_t len)
{
	if (dir == KIPSEC_DIR_IN)
		return "in";
	if (dir == KIPSEC_DIR_OUT)
		return "out";
	snprintf(buf, len, "dir-%u", dir);
	return buf;
}

static const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	if (proto == IPPROTO_ESP)
		return "esp";
	if (proto == IPPROTO_AH)
		return "ah";
	snprintf(buf, len, "proto-%u", proto);
	return buf;
}

static bool alg_weak(enum kipsec_alg_kind kind, uint32_t id, uint32_t bits)
{
	const struct kipsec_alg *a = kipsec_alg_by_id(kind, id, bits);

	return id && a && a->weak;
}

static bool sa_weak(const struct kipsec_sa_info *sa)
{
	return alg_weak(KIPSEC_ALG_AEAD, sa->aead_alg, sa->key_bits) ||
	       alg_weak(KIPSEC_ALG_ENC, sa->enc_alg, sa->key_bits) ||
	       alg_weak(KIPSEC_ALG_AUTH, sa->auth_alg, 0);
}

static bool full_range(uint16_t min, uint16_t max)
{
	return min == 0 && max == 65535;
}

static void print_alg(FILE *out, const char *word, enum kipsec_alg_kind kind,
		      uint32_t id, uint32_t bits)
{
	char buf[32];

	fprintf(out, " %s %s%s", word, kipsec_alg_name(kind, id, bits, buf, sizeof(buf)),
	       alg_weak(kind, id, bits) ? " (weak)" : "");
}

static void print_ports(FILE *out, const char *word, uint16_t min, uint16_t max)
{
	if (full_range(min, max))
		return;
	if (min == max)
		fprintf(out, " %s %u", word, min);
	else
		fprintf(out, " %s %u-%u", word, min, max);
}

static bool lifetime_set(const struct kipsec_nl_lifetime *lt)
{
	return lt->time || lt->use_time || lt->bytes || lt->packets;
}

static void print_lifetime(FILE *out, const char *word,
			   const struct kipsec_nl_lifetime *lt)
{
	if (!lifetime_set(lt))
		return;
	fprintf(out, " %s", word);
	if (lt->time)
		fprintf(out, " time %llu", (unsigned long long)lt->time);
	if (lt->use_time)
		fprintf(out, " use-time %llu", (unsigned long long)lt->use_time);
	if (lt->bytes)
		fprintf(out, " bytes %llu", (unsigned long long)lt->bytes);
	if (lt->packets)
		fprintf(out, " packets %llu", (unsigned long long)lt->packets);
}

/* "\tlifetime soft ... hard ...  age 12s use-age 3s", if there is any. */
static void print_life_line(FILE *out, const struct kipsec_sa_info *sa)
{
	bool limits = lifetime_set(&sa->soft) || lifetime_set(&sa->hard);

	if (!limits && !sa->has_age)
		return;
	fputc('\t', out);
	if (limits) {
		fprintf(out, "lifetime");
		print_lifetime(out, "soft", &sa->soft);
		print_lifetime(out, "hard", &sa->hard);
		if (sa->has_age)
			fprintf(out, "  ");
	}
	if (sa->has_age) {
		fprintf(out, "age %llus", (unsigned long long)sa->age);
		if (sa->has_use_age)
			fprintf(out, " use-age %llus",
				(unsigned long long)sa->use_age);
		else
			fprintf(out, " unused");
	}
	fputc('\n', out);
}

void sa_print_text(FILE *out, const struct kipsec_sa_info *sa, bool stats)
{
	const struct kipsec_proxy_id *p = &sa->pid;
	char b1[INET6_ADDRSTRLEN + 8], b2[INET6_ADDRSTRLEN + 8];
	const char *pname = kipsec_ip_proto_name(p->proto);
	const char *src, *dst;

	fprintf(out, "%s %s spi 0x%08x %s", sa->ifname, dir_str(sa->dir, b1, sizeof(b1)),
	       sa->spi, proto_str(sa->proto, b2, sizeof(b2)));
	if (sa->aead_alg) {
		print_alg(out, "aead", KIPSEC_ALG_AEAD, sa->aead_alg, sa->key_bits);
		if (sa->icv_bits)
			fprintf(out, " icv %u", sa->icv_bits);
	}
	if (sa->enc_alg)
		print_alg(out, "enc", KIPSEC_ALG_ENC, sa->enc_alg, sa->key_bits);
	if (sa->auth_alg)
		print_alg(out, "auth", KIPSEC_ALG_AUTH, sa->auth_alg, 0);
	if (sa->dir == KIPSEC_DIR_IN && sa->has_replay_window) {
		if (sa->replay_window)
			fprintf(out, " replay-window %u", sa->replay_window);
		else
			fprintf(out, " replay-window off");
	}
	fprintf(out, " esn %s", sa->flags & KIPSEC_SA_F_ESN ? "on" : "off");
	if (sa->proto == IPPROTO_AH)
		fprintf(out, " ah-align %d",
			sa->flags & KIPSEC_SA_F_AH_ALIGN4 ? 4 : 8);
	fputc('\n', out);

	fprintf(out, "\tproxy-id local %s", kipsec_prefix_str(&p->local, b1, sizeof(b1)));
	fprintf(out, " remote %s", kipsec_prefix_str(&p->remote, b1, sizeof(b1)));
	if (pname)
		fprintf(out, " proto %s", pname);
	else
		fprintf(out, " proto %u", p->proto);
	print_ports(out, "lport", p->lport_min, p->lport_max);
	print_ports(out, "rport", p->rport_min, p->rport_max);
	fputc('\n', out);

	src = kipsec_nl_addr_str(&sa->outer_src, b1, sizeof(b1));
	dst = kipsec_nl_addr_str(&sa->outer_dst, b2, sizeof(b2));
	fprintf(out, "\touter %s -> %s  seq %llu\n", src ? src : "none",
	       dst ? dst : "none", (unsigned long long)sa->seq);
	print_life_line(out, sa);

	if (!stats || !sa->has_stats)
		return;
	fprintf(out, "\tpackets %llu bytes %llu\n",
	       (unsigned long long)sa->stats.packets,
	       (unsigned long long)sa->stats.bytes);
	fprintf(out, "\tdrops replay %llu window %llu auth %llu pad %llu proxy-id %llu seq %llu other %llu\n",
	       (unsigned long long)sa->stats.drop_replay,
	       (unsigned long long)sa->stats.drop_window,
	       (unsigned long long)sa->stats.drop_auth,
	       (unsigned long long)sa->stats.drop_pad,
	       (unsigned long long)sa->stats.drop_proxy_id,
	       (unsigned long long)sa->stats.drop_seq,
	       (unsigned long long)sa->stats.drop_other);
}

static void json_str_or_null(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}

static void json_ports(struct json *j, const char *key, uint16_t min,
		       uint16_t max)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u-%u", min, max);
	json_str_or_null(j, key, buf);
}

static void json_lifetime(struct json *j, const char *key,
			  const struct kipsec_nl_lifetime *lt)
{
	json_key(j, key);
	json_begin_object(j);
	if (lt->time) {
		json_key(j, "time");
		json_u64(j, lt->time);
	}
	if (lt->use_time) {
		json_key(j, "use_time");
		json_u64(j, lt->use_time);
	}
	if (lt->bytes) {
		json_key(j, "bytes");
		json_u64(j, lt->bytes);
	}
	if (lt->packets) {
		json_key(j, "packets");
		json_u64(j, lt->packets);
	}
	json_end_object(j);
}

void sa_print_json(struct json *j, const struct kipsec_sa_info *sa,
		   bool stats)
{
	const struct kipsec_proxy_id *p = &sa->pid;
	char b1[INET6_ADDRSTRLEN + 8], b2[INET6_ADDRSTRLEN + 8];

	json_begin_object(j);
	json_str_or_null(j, "ifname", sa->ifname);
	json_key(j, "ifindex");
	json_u64(j, sa->ifindex);
	json_str_or_null(j, "dir", dir_str(sa->dir, b1, sizeof(b1)));
	json_key(j, "spi");
	json_u64(j, sa->spi);
	json_str_or_null(j, "proto", proto_str(sa->proto, b1, sizeof(b1)));
	if (sa->aead_alg) {
		json_str_or_null(j, "aead",
				 kipsec_alg_name(KIPSEC_ALG_AEAD, sa->aead_alg,
						 sa->key_bits, b1, sizeof(b1)));
		json_key(j, "icv");
		if (sa->icv_bits)
			json_u64(j, sa->icv_bits);
		else
			json_null(j);
	} else {
		json_str_or_null(j, "enc", sa->enc_alg ?
				 kipsec_alg_name(KIPSEC_ALG_ENC, sa->enc_alg,
						 sa->key_bits, b1, sizeof(b1)) : NULL);
		json_str_or_null(j, "auth", sa->auth_alg ?
				 kipsec_alg_name(KIPSEC_ALG_AUTH, sa->auth_alg, 0,
						 b2, sizeof(b2)) : NULL);
	}
	json_key(j, "weak");
	json_bool(j, sa_weak(sa));
	json_key(j, "esn");
	json_bool(j, sa->flags & KIPSEC_SA_F_ESN);
	if (sa->proto == IPPROTO_AH) {
		json_key(j, "ah_align");
		json_u64(j, sa->flags & KIPSEC_SA_F_AH_ALIGN4 ? 4 : 8);
	}
	if (sa->dir == KIPSEC_DIR_IN) {
		json_key(j, "replay_window");
		if (sa->has_replay_window)
			json_u64(j, sa->replay_window);
		else
			json_null(j);
	}
	json_key(j, "seq");
	json_u64(j, sa->seq);
	json_str_or_null(j, "outer_src", kipsec_nl_addr_str(&sa->outer_src, b1, sizeof(b1)));
	json_str_or_null(j, "outer_dst", kipsec_nl_addr_str(&sa->outer_dst, b1, sizeof(b1)));

	json_key(j, "proxy_id");
	json_begin_object(j);
	json_str_or_null(j, "local", kipsec_prefix_str(&p->local, b1, sizeof(b1)));
	json_str_or_null(j, "remote", kipsec_prefix_str(&p->remote, b1, sizeof(b1)));
	json_key(j, "proto");
	if (p->proto)
		json_u64(j, p->proto);
	else
		json_string(j, "any");
	json_ports(j, "lport", p->lport_min, p->lport_max);
	json_ports(j, "rport", p->rport_min, p->rport_max);
	json_end_object(j);

	/* Limits that are set; {} for none. */
	json_key(j, "lifetime");
	json_begin_object(j);
	json_lifetime(j, "soft", &sa->soft);
	json_lifetime(j, "hard", &sa->hard);
	json_end_object(j);
	json_key(j, "age");
	if (sa->has_age)
		json_u64(j, sa->age);
	else
		json_null(j);
	json_key(j, "use_age");
	if (sa->has_use_age)
		json_u64(j, sa->use_age);
	else
		json_null(j);

	if (stats) {
		const struct kipsec_sa_stats *s = &sa->stats;

		json_key(j, "stats");
		if (!sa->has_stats) {
			json_null(j);
		} else {
			json_begin_object(j);
			json_key(j, "packets");
			json_u64(j, s->packets);
			json_key(j, "bytes");
			json_u64(j, s->bytes);
			json_key(j, "drop_replay");
			json_u64(j, s->drop_replay);
			json_key(j, "drop_window");
			json_u64(j, s->drop_window);
			json_key(j, "drop_auth");
			json_u64(j, s->drop_auth);
			json_key(j, "drop_pad");
			json_u64(j, s->drop_pad);
			json_key(j, "drop_proxy_id");
			json_u64(j, s->drop_proxy_id);
			json_key(j, "drop_seq");
			json_u64(j, s->drop_seq);
			json_key(j, "drop_other");
			json_u64(j, s->drop_other);
			json_end_object(j);
		}
	}
	json_end_object(j);
}

struct show_ctx {
	const struct kipsec_opts *o;
	struct json json;
};

static int show_one(const struct kipsec_sa_info *sa, void *arg)
{
	struct show_ctx *c = arg;

	if (c->o->json)
		sa_print_json(&c->json, sa, c->o->stats);
	else
		sa_print_text(stdout, sa, c->o->stats);
	return 0;
}

static int sa_show(int argc, char **argv, const struct kipsec_opts *o)
{
	struct show_ctx c = { .o = o };
	struct kipsec_sa_info id, sa;
	struct kipsec_nl_error e;
	struct kipsec_nl *nl;
	char err[512], what[64];
	bool one;
	int ret;

	if (parse_sa_show(argc, argv, &id, &one, err, sizeof(err)))
		return cli_usage_error(err);
	if (cli_open(&nl))
		return EXIT_FAILURE;

	json_init(&c.json, stdout);
	if (o->json)
		json_begin_array(&c.json);
	if (one) {
		ret = kipsec_nl_sa_get(nl, &id, &sa, &e);
		if (!ret)
			show_one(&sa, &c);
	} else {
		ret = kipsec_nl_sa_dump(nl, id.ifname[0] ? id.ifname : NULL,
					show_one, &c, &e);
	}
	if (o->json)
		json_end_array(&c.json);
	if (ret) {
		snprintf(what, sizeof(what), "sa show%s%s", id.ifname[0] ? " " : "",
			 id.ifname);
		return cli_nl_error(what, &e);
	}
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}

int sa_main(int argc, char **argv, const struct kipsec_opts *o)
{
	char err[256];

	if (argc < 1 || !strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return sa_show(argc < 1 ? 0 : argc - 1, argv + 1, o);
	if (!strcmp(argv[0], "add"))
		return sa_write(argc - 1, argv + 1, false);
	if (!strcmp(argv[0], "update"))
		return sa_write(argc - 1, argv + 1, true);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return sa_del(argc - 1, argv + 1);
	if (!strcmp(argv[0], "flush"))
		return sa_flush(argc - 1, argv + 1);
	snprintf(err, sizeof(err), "sa: unknown command \"%s\"", argv[0]);
	return cli_usage_error(err);
}
