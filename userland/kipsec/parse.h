/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's argument grammar, kept apart from netlink so that unit tests
 * can drive it. Every function returns 0, or -1 with a message in @err
 * that names the offending word.
 */
#ifndef KIPSEC_PARSE_H
#define KIPSEC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/kipsec_nl.h"

struct kipsec_opts {
	bool json;
	bool stats;
	bool version;
	bool help;
	bool force;		/* -force: a batch goes on past errors */
	const char *batch;	/* -batch FILE, "-" for stdin */
	const char *socket;	/* -S PATH: kipsecd's control socket */
};

/*
 * Take the global options (-j, -s, -V, -h, -batch FILE, -force and their
 * long forms) out of argv wherever they stand, the way `kipsec sa show -s
 * -j` is written; what is left is compacted to the front and *argc
 * updated. "--" ends option processing.
 */
int parse_global_opts(int *argc, char **argv, struct kipsec_opts *o,
		      char *err, size_t errlen);

int parse_ifname(const char *word, char *out, char *err, size_t errlen);

/* @keyword: the word before it, for the message. */
int parse_addr(const char *keyword, const char *word,
	       struct kipsec_nl_addr *out, char *err, size_t errlen);

/* kipsec tunnel set DEV local ADDR remote ADDR; argv[0] is DEV. */
int parse_tunnel_set(int argc, char **argv, struct kipsec_tunnel_info *t,
		     char *err, size_t errlen);

/* kipsec tunnel show [DEV]; *dev is "" when no DEV is given. */
int parse_tunnel_show(int argc, char **argv, char *dev, char *err,
		      size_t errlen);

/* Algorithms */

enum kipsec_alg_kind {
	KIPSEC_ALG_AEAD,
	KIPSEC_ALG_ENC,
	KIPSEC_ALG_AUTH,
};

/* ICV sizes an AEAD algorithm allows (struct kipsec_alg.icv_mask). */
#define KIPSEC_ICV_64	0x1
#define KIPSEC_ICV_96	0x2
#define KIPSEC_ICV_128	0x4

struct kipsec_alg {
	const char *name;		/* the CLI's word: aes-gcm-128 */
	enum kipsec_alg_kind kind;
	uint32_t id;			/* enum kipsec_{aead,enc,auth}_alg */
	uint16_t key_bits;		/* the cipher or MAC key, without salt */
	uint8_t salt_len;		/* bytes of salt or nonce after the key */
	const char *salt_word;		/* "salt" or "nonce" */
	uint8_t icv_mask;		/* AEAD: KIPSEC_ICV_* */
	bool weak;			/* marked "(weak)" by show */
};

/* Key length in bytes: key_bits / 8 + salt_len. */
size_t kipsec_alg_key_len(const struct kipsec_alg *a);
const struct kipsec_alg *kipsec_alg_by_name(enum kipsec_alg_kind kind,
					    const char *name);
/* The algorithm of a reply: @id with @key_bits if the name carries a size
 * (aes-*), else @id alone; NULL if unknown. */
const struct kipsec_alg *kipsec_alg_by_id(enum kipsec_alg_kind kind,
					  uint32_t id, uint32_t key_bits);
/* Its name, or a made-up one ("aes-gcm-?", "aead-7") when unknown. */
const char *kipsec_alg_name(enum kipsec_alg_kind kind, uint32_t id,
			    uint32_t key_bits, char *buf, size_t len);
/* Every name of @kind, ", "-separated, for messages. */
const char *kipsec_alg_list(enum kipsec_alg_kind kind, char *buf, size_t len);

/* Small words */

/* An SPI: decimal or 0x hex, 0 to 2^32 - 1. @keyword names it in messages. */
int parse_spi(const char *cmd, const char *keyword, const char *word,
	      uint32_t *out, char *err, size_t errlen);
/* ADDR[/LEN] (LEN defaults to the full length, host bits must be 0), or
 * "any" (family AF_UNSPEC). */
int parse_prefix(const char *cmd, const char *keyword, const char *word,
		 struct kipsec_nl_prefix *out, char *err, size_t errlen);
/* P or P-P, 0 to 65535, min <= max. */
int parse_ports(const char *cmd, const char *keyword, const char *word,
		uint16_t *min, uint16_t *max, char *err, size_t errlen);
/* An IP protocol: 0 to 255, or any, icmp, tcp, udp, gre, ipv6-icmp
 * (icmpv6), sctp. */
int parse_ip_proto(const char *cmd, const char *keyword, const char *word,
		   uint8_t *out, char *err, size_t errlen);
/* The name of an IP protocol number, NULL if it has none here. */
const char *kipsec_ip_proto_name(uint8_t proto);
/* "any" for no family, else ADDR/LEN. */
const char *kipsec_prefix_str(const struct kipsec_nl_prefix *p, char *buf,
			      size_t len);

/* Keys */

/* Where "key -" reads from, and whether it still may. */
struct kipsec_key_src {
	int stdin_fd;			/* normally 0 */
	const char *stdin_busy;		/* why "-" cannot be used, or NULL */
};

/*
 * The key for @alg from @word: a 0x hex literal, "-" for @src's stdin
 * (once), or a file holding hex (optional 0x, white space ignored). Its
 * length must be @alg's. The key itself never appears in a message.
 * Intermediate copies are wiped; on failure @key is wiped too.
 */
int parse_key(const char *cmd, const struct kipsec_alg *alg, const char *word,
	      struct kipsec_key_src *src, uint8_t key[KIPSEC_MAX_KEY_LEN],
	      uint16_t *len, char *err, size_t errlen);

/* Commands; argv[0] is the word after the command (DEV). */

/* spi alloc DEV proto {esp|ah} [min SPI] [max SPI] */
int parse_spi_alloc(int argc, char **argv, struct kipsec_spi_req *r,
		    char *err, size_t errlen);

/*
 * sa add|update DEV dir {in|out} spi SPI proto {esp|ah}
 *     {aead ALG key KEY [icv BITS] | enc ALG [key KEY] [auth ALG key KEY]
 *      | auth ALG key KEY}
 *     [replay-window {N|off}] [esn {on|off}] [seq N]
 *     [lifetime {soft|hard} {time S|use-time S|bytes N|packets N}]...
 *     [proxy-id local PREFIX remote PREFIX [proto PROTO] [lport P[-P]]
 *      [rport P[-P]]]
 * @cmd is "sa add" or "sa update", for messages. Keywords in any order,
 * each at most once (lifetime once per limit); proxy-id comes last. On
 * failure @k is wiped.
 */
int parse_sa_add(const char *cmd, int argc, char **argv,
		 struct kipsec_key_src *src, struct kipsec_sa_info *sa,
		 struct kipsec_sa_keys *k, char *err, size_t errlen);

/* sa del DEV dir {in|out} spi SPI proto {esp|ah} */
int parse_sa_del(int argc, char **argv, struct kipsec_sa_info *sa,
		 char *err, size_t errlen);

/* sa show [DEV [dir {in|out} spi SPI proto {esp|ah}]]: *one says whether
 * one SA is named; sa->ifname is "" when no DEV is given. */
int parse_sa_show(int argc, char **argv, struct kipsec_sa_info *sa, bool *one,
		  char *err, size_t errlen);

/* sa flush [DEV]; *dev is "" when no DEV is given. */
int parse_sa_flush(int argc, char **argv, char *dev, char *err, size_t errlen);

struct kipsec_ctl_req;
/* ike {up|down} NAME | ike status [NAME] | ike reload; @json asks for
 * status in JSON. */
int parse_ike(int argc, char **argv, bool json, struct kipsec_ctl_req *r,
	      char *err, size_t errlen);

/*
 * Split one line of a batch file into words, in place: white space
 * separates words, "..." and '...' quote (no escapes; quoted parts join
 * the word around them), and a word starting with # starts a comment.
 * argv gets at most @max - 1 words and a NULL; *argc is 0 for a blank or
 * comment line.
 */
int parse_batch_line(char *line, char **argv, int max, int *argc,
		     char *err, size_t errlen);

#endif
