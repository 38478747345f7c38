// SPDX-License-Identifier: GPL-2.0
/*
 * kipsecd: proposal words and the tables behind them. See proposal.h.
 *
 * Wire values: RFC 2409 Appendix A (Phase 1 attributes), RFC 2407 4.4.3
 * and 4.4.4 (AH and ESP transform IDs) and 4.5 (Phase 2 attributes),
 * RFC 4106 and 4309 (ESP AES-GCM/CCM transform IDs), RFC 4868 (SHA-2),
 * IANA's "IPSEC Authentication Algorithms" and "Group Description".
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proposal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct kipsecd_dh_group groups[] = {
	{ 1, "modp768", KIPSECD_DH_MODP, 768, 96, NULL, true },
	{ 2, "modp1024", KIPSECD_DH_MODP, 1024, 128, NULL, true },
	{ 5, "modp1536", KIPSECD_DH_MODP, 1536, 192, "modp_1536", true },
	{ 14, "modp2048", KIPSECD_DH_MODP, 2048, 256, "modp_2048", false },
	{ 15, "modp3072", KIPSECD_DH_MODP, 3072, 384, "modp_3072", false },
	{ 16, "modp4096", KIPSECD_DH_MODP, 4096, 512, "modp_4096", false },
	{ 19, "ecp256", KIPSECD_DH_ECP, 256, 64, "prime256v1", false },
	{ 20, "ecp384", KIPSECD_DH_ECP, 384, 96, "secp384r1", false },
	{ 21, "ecp521", KIPSECD_DH_ECP, 521, 132, "secp521r1", false },
	{ 31, "curve25519", KIPSECD_DH_CURVE25519, 255, 32, "X25519", false },
};

static const struct kipsecd_ike_cipher ike_ciphers[] = {
	{ "des", 1, 0, 8, 8, "des-cbc", true },
	{ "3des", 5, 0, 24, 8, "des-ede3-cbc", false },
	{ "aes128", 7, 128, 16, 16, "aes-128-cbc", false },
	{ "aes192", 7, 192, 24, 16, "aes-192-cbc", false },
	{ "aes256", 7, 256, 32, 16, "aes-256-cbc", false },
};

static const struct kipsecd_ike_hash ike_hashes[] = {
	{ "md5", 1, 16, "md5", true },
	{ "sha1", 2, 20, "sha1", false },
	{ "sha256", 4, 32, "sha256", false },
	{ "sha384", 5, 48, "sha384", false },
	{ "sha512", 6, 64, "sha512", false },
};

#define AEAD(n, tid, bits, alg, salt, icv) \
	{ n, tid, bits, true, alg, bits, salt, (bits) / 8 + (salt), icv, false }
#define GCM(bits, icv) AEAD("aes" #bits "gcm" #icv, \
			    (icv) == 8 ? 18 : (icv) == 12 ? 19 : 20, \
			    bits, KIPSEC_AEAD_AES_GCM, 4, (icv) * 8)
#define CCM(bits, icv) AEAD("aes" #bits "ccm" #icv, \
			    (icv) == 8 ? 14 : (icv) == 12 ? 15 : 16, \
			    bits, KIPSEC_AEAD_AES_CCM, 3, (icv) * 8)

static const struct kipsecd_esp_cipher esp_ciphers[] = {
	{ "des", 2, 0, false, KIPSEC_ENC_DES, 64, 0, 8, 0, true },
	{ "3des", 3, 0, false, KIPSEC_ENC_3DES, 192, 0, 24, 0, false },
	{ "aes128", 12, 128, false, KIPSEC_ENC_AES_CBC, 128, 0, 16, 0, false },
	{ "aes192", 12, 192, false, KIPSEC_ENC_AES_CBC, 192, 0, 24, 0, false },
	{ "aes256", 12, 256, false, KIPSEC_ENC_AES_CBC, 256, 0, 32, 0, false },
	{ "null", 11, 0, false, KIPSEC_ENC_NULL, 0, 0, 0, 0, true },
	GCM(128, 8), GCM(128, 12), GCM(128, 16),
	GCM(192, 8), GCM(192, 12), GCM(192, 16),
	GCM(256, 8), GCM(256, 12), GCM(256, 16),
	CCM(128, 8), CCM(128, 12), CCM(128, 16),
	CCM(192, 8), CCM(192, 12), CCM(192, 16),
	CCM(256, 8), CCM(256, 12), CCM(256, 16),
};

static const struct kipsecd_p2_auth p2_auths[] = {
	{ "md5", 1, 2, KIPSEC_AUTH_HMAC_MD5_96, 16, 96, true },
	{ "sha", 2, 3, KIPSEC_AUTH_HMAC_SHA1_96, 20, 96, false },
	{ "sha256", 5, 5, KIPSEC_AUTH_HMAC_SHA256_128, 32, 128, false },
	{ "sha384", 6, 6, KIPSEC_AUTH_HMAC_SHA384_192, 48, 192, false },
	{ "sha512", 7, 7, KIPSEC_AUTH_HMAC_SHA512_256, 64, 256, false },
};

/* Juniper's predefined Phase 2 proposal sets. */
static const char *const set_standard[] = {
	"g2-esp-3des-sha", "g2-esp-aes128-sha", NULL
};
static const char *const set_compatible[] = {
	"nopfs-esp-3des-sha", "nopfs-esp-3des-md5", "nopfs-esp-des-sha",
	"nopfs-esp-des-md5", NULL
};
static const char *const set_basic[] = {
	"nopfs-esp-des-sha", "nopfs-esp-des-md5", NULL
};

static const struct {
	const char *name;
	const char *const *words;
} p2_sets[] = {
	{ "standard", set_standard },
	{ "compatible", set_compatible },
	{ "basic", set_basic },
};

/* Lookups */

const struct kipsecd_dh_group *kipsecd_dh_group_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		char gn[8];

		snprintf(gn, sizeof(gn), "g%u", groups[i].id);
		if (!strcmp(name, groups[i].name) || !strcmp(name, gn))
			return &groups[i];
	}
	return NULL;
}

const struct kipsecd_dh_group *kipsecd_dh_group_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

const struct kipsecd_ike_cipher *kipsecd_ike_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_ciphers); i++)
		if (!strcmp(name, ike_ciphers[i].name))
			return &ike_ciphers[i];
	return NULL;
}

const struct kipsecd_ike_cipher *kipsecd_ike_cipher_by_id(uint16_t id,
							  uint16_t key_bits)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_ciphers); i++)
		if (ike_ciphers[i].ike_id == id &&
		    ike_ciphers[i].key_bits == key_bits)
			return &ike_ciphers[i];
	return NULL;
}

const struct kipsecd_ike_hash *kipsecd_ike_hash_by_name(const char *name)
{
	size_t i;

	if (!strcmp(name, "sha"))
		name = "sha1";
	for (i = 0; i < ARRAY_SIZE(ike_hashes); i++)
		if (!strcmp(name, ike_hashes[i].name))
			return &ike_hashes[i];
	return NULL;
}

const struct kipsecd_ike_hash *kipsecd_ike_hash_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_hashes); i++)
		if (ike_hashes[i].ike_id == id)
			return &ike_hashes[i];
	return NULL;
}

const struct kipsecd_esp_cipher *kipsecd_esp_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(esp_ciphers); i++)
		if (!strcmp(name, esp_ciphers[i].name))
			return &esp_ciphers[i];
	return NULL;
}

const struct kipsecd_esp_cipher *kipsecd_esp_cipher_by_id(uint8_t transform,
							  uint16_t key_bits)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(esp_ciphers); i++)
		if (esp_ciphers[i].transform == transform &&
		    esp_ciphers[i].ike_key_bits == key_bits)
			return &esp_ciphers[i];
	return NULL;
}

const struct kipsecd_p2_auth *kipsecd_p2_auth_by_name(const char *name)
{
	size_t i;

	if (!strcmp(name, "sha1"))
		name = "sha";
	for (i = 0; i < ARRAY_SIZE(p2_auths); i++)
		if (!strcmp(name, p2_auths[i].name))
			return &p2_auths[i];
	return NULL;
}

const struct kipsecd_p2_auth *kipsecd_p2_auth_by_alg(uint16_t auth_alg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p2_auths); i++)
		if (p2_auths[i].auth_alg == auth_alg)
			return &p2_auths[i];
	return NULL;
}

const struct kipsecd_p2_auth *kipsecd_p2_auth_by_ah(uint8_t ah_transform)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p2_auths); i++)
		if (p2_auths[i].ah_transform == ah_transform)
			return &p2_auths[i];
	return NULL;
}

#define AT(table) \
	return i < ARRAY_SIZE(table) ? &table[i] : NULL

const struct kipsecd_dh_group *kipsecd_dh_group_at(size_t i) { AT(groups); }
const struct kipsecd_ike_cipher *kipsecd_ike_cipher_at(size_t i) { AT(ike_ciphers); }
const struct kipsecd_ike_hash *kipsecd_ike_hash_at(size_t i) { AT(ike_hashes); }
const struct kipsecd_esp_cipher *kipsecd_esp_cipher_at(size_t i) { AT(esp_ciphers); }
const struct kipsecd_p2_auth *kipsecd_p2_auth_at(size_t i) { AT(p2_auths); }

const char *const *kipsecd_p2_set(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p2_sets); i++)
		if (!strcmp(name, p2_sets[i].name))
			return p2_sets[i].words;
	return NULL;
}

/* Words */

#define WORD_MAX 64

/* Split @word at '-' into at most @max parts in @buf; the number of
 * parts, or -1 if there are more than @max or the word is too long. */
static int split(const char *word, char buf[WORD_MAX], char **parts, int max)
{
	int n = 0;
	char *p;

	if (strlen(word) >= WORD_MAX)
		return -1;
	strcpy(buf, word);
	parts[n++] = buf;
	for (p = buf; *p; p++) {
		if (*p != '-')
			continue;
		if (n == max)
			return -1;
		*p = '\0';
		parts[n++] = p + 1;
	}
	return n;
}

static const char group_names[] =
	"modp768, modp1024, modp1536, modp2048, modp3072, modp4096, ecp256, ecp384, ecp521, curve25519, or g1, g2, g5, g14, g15, g16, g19, g20, g21, g31";

int kipsecd_p1_parse(const char *word, struct kipsecd_p1_proposal *p,
		     char *err, size_t errlen)
{
	char buf[WORD_MAX], *part[3];

	memset(p, 0, sizeof(*p));
	if (split(word, buf, part, 3) != 3)
		return fail(err, errlen,
			    "'%s' is not a Phase 1 proposal ENCRYPTION-HASH-GROUP, e.g. aes256-sha256-modp2048",
			    word);
	p->enc = kipsecd_ike_cipher_by_name(part[0]);
	if (!p->enc)
		return fail(err, errlen,
			    "'%s': '%s' is not a Phase 1 encryption algorithm (des, 3des, aes128, aes192, aes256)",
			    word, part[0]);
	p->hash = kipsecd_ike_hash_by_name(part[1]);
	if (!p->hash)
		return fail(err, errlen,
			    "'%s': '%s' is not a Phase 1 hash (md5, sha1, sha256, sha384, sha512)",
			    word, part[1]);
	p->group = kipsecd_dh_group_by_name(part[2]);
	if (!p->group)
		return fail(err, errlen,
			    "'%s': '%s' is not a Diffie-Hellman group (%s)",
			    word, part[2], group_names);
	return 0;
}

/* The next comma-separated item of *s, trimmed, into @item; false at the
 * end. An empty item is returned as "". */
static bool next_item(const char **s, char *item, size_t len, bool *toolong)
{
	const char *p = *s, *end;
	size_t n;

	if (!p)
		return false;
	end = strchr(p, ',');
	*s = end ? end + 1 : NULL;
	if (!end)
		end = p + strlen(p);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	*toolong = n >= len;
	if (*toolong)
		n = len - 1;
	memcpy(item, p, n);
	item[n] = '\0';
	return true;
}

int kipsecd_p1_parse_list(const char *value, struct kipsecd_p1_proposal *out,
			  size_t *n, char *err, size_t errlen)
{
	char item[WORD_MAX], a[KIPSECD_PROPOSAL_NAME_MAX];
	const char *s = value;
	bool toolong;
	size_t i;

	*n = 0;
	while (next_item(&s, item, sizeof(item), &toolong)) {
		struct kipsecd_p1_proposal p;

		if (!item[0])
			return fail(err, errlen, "an empty item in the list '%s'", value);
		if (toolong)
			return fail(err, errlen, "'%s...' is not a Phase 1 proposal", item);
		if (kipsecd_p1_parse(item, &p, err, errlen))
			return -1;
		for (i = 0; i < *n; i++)
			if (kipsecd_p1_equal(&out[i], &p))
				return fail(err, errlen, "'%s' is offered twice (as '%s')",
					    item, kipsecd_p1_name(&p, a, sizeof(a)));
		if (*n == KIPSECD_MAX_P1)
			return fail(err, errlen,
				    "'%s' is one proposal too many: at most %d may be offered",
				    item, KIPSECD_MAX_P1);
		out[(*n)++] = p;
	}
	if (!*n)
		return fail(err, errlen, "no proposal given");
	return 0;
}

int kipsecd_p2_parse(const char *word, struct kipsecd_p2_proposal *p,
		     char *err, size_t errlen)
{
	char buf[WORD_MAX], *part[4];
	int n = split(word, buf, part, 4);

	memset(p, 0, sizeof(*p));
	if (n < 3) {
		if (kipsecd_p2_set(word))
			return fail(err, errlen,
				    "'%s' is a set of proposals, not one proposal", word);
		return fail(err, errlen,
			    "'%s' is not a Phase 2 proposal {nopfs|gN}-{esp|ah}-..., e.g. g14-esp-aes128-sha256, or a set (standard, compatible, basic)",
			    word);
	}
	if (strcmp(part[0], "nopfs")) {
		p->pfs = part[0][0] == 'g' ? kipsecd_dh_group_by_name(part[0]) : NULL;
		if (!p->pfs)
			return fail(err, errlen,
				    "'%s': '%s' is not nopfs or a PFS group g1, g2, g5, g14, g15, g16, g19, g20, g21, g31",
				    word, part[0]);
	}
	if (!strcmp(part[1], "ah")) {
		p->proto = IPPROTO_AH;
		if (n != 3)
			return fail(err, errlen,
				    "'%s': AH takes one integrity algorithm: {nopfs|gN}-ah-AUTH", word);
		p->auth = kipsecd_p2_auth_by_name(part[2]);
		if (!p->auth)
			return fail(err, errlen,
				    "'%s': '%s' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)",
				    word, part[2]);
		return 0;
	}
	if (strcmp(part[1], "esp"))
		return fail(err, errlen, "'%s': '%s' is not esp or ah", word, part[1]);
	p->proto = IPPROTO_ESP;
	p->enc = kipsecd_esp_cipher_by_name(part[2]);
	if (!p->enc)
		return fail(err, errlen,
			    "'%s': '%s' is not an ESP cipher (des, 3des, aes128, aes192, aes256, null, or aes{128,192,256}{gcm,ccm}{8,12,16})",
			    word, part[2]);
	if (p->enc->aead) {
		if (n == 4)
			return fail(err, errlen,
				    "'%s': '%s' is a combined-mode cipher and takes no integrity algorithm ('%s')",
				    word, part[2], part[3]);
		return 0;
	}
	if (n == 3)
		return fail(err, errlen,
			    "'%s': '%s' needs an integrity algorithm: {nopfs|gN}-esp-%s-AUTH",
			    word, part[2], part[2]);
	p->auth = kipsecd_p2_auth_by_name(part[3]);
	if (!p->auth)
		return fail(err, errlen,
			    "'%s': '%s' is not an integrity algorithm (md5, sha, sha256, sha384, sha512)",
			    word, part[3]);
	return 0;
}

/* Add one proposal to a Phase 2 list, with the list's rules. @word: the
 * item of the list it came from, for messages. */
static int p2_add(const struct kipsecd_p2_proposal *p, const char *word,
		  struct kipsecd_p2_proposal *out, size_t *n, char *err,
		  size_t errlen)
{
	char a[KIPSECD_PROPOSAL_NAME_MAX], b[KIPSECD_PROPOSAL_NAME_MAX];
	size_t i;

	kipsecd_p2_name(p, a, sizeof(a));
	for (i = 0; i < *n; i++)
		if (kipsecd_p2_equal(&out[i], p))
			return strcmp(word, a) ?
			       fail(err, errlen, "'%s' offers '%s' twice", word, a) :
			       fail(err, errlen, "'%s' is offered twice", a);
	if (*n && out[0].pfs != p->pfs)
		return fail(err, errlen,
			    "'%s' and '%s' differ in PFS; Quick Mode carries one key exchange, so every proposal must use the same group or nopfs",
			    kipsecd_p2_name(&out[0], b, sizeof(b)), a);
	if (*n == KIPSECD_MAX_P2)
		return fail(err, errlen,
			    "'%s' is one proposal too many: at most %d may be offered",
			    a, KIPSECD_MAX_P2);
	out[(*n)++] = *p;
	return 0;
}

int kipsecd_p2_parse_list(const char *value, struct kipsecd_p2_proposal *out,
			  size_t *n, char *err, size_t errlen)
{
	struct kipsecd_p2_proposal p;
	char item[WORD_MAX];
	const char *s = value;
	bool toolong;

	*n = 0;
	while (next_item(&s, item, sizeof(item), &toolong)) {
		const char *const *set = kipsecd_p2_set(item);

		if (!item[0])
			return fail(err, errlen, "an empty item in the list '%s'", value);
		if (toolong)
			return fail(err, errlen, "'%s...' is not a Phase 2 proposal", item);
		if (!set) {
			if (kipsecd_p2_parse(item, &p, err, errlen) ||
			    p2_add(&p, item, out, n, err, errlen))
				return -1;
			continue;
		}
		for (; *set; set++)
			if (kipsecd_p2_parse(*set, &p, err, errlen) ||
			    p2_add(&p, item, out, n, err, errlen))
				return -1;
	}
	if (!*n)
		return fail(err, errlen, "no proposal given");
	return 0;
}

const char *kipsecd_p1_name(const struct kipsecd_p1_proposal *p, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%s-%s-%s", p->enc->name, p->hash->name,
		 p->group->name);
	return buf;
}

const char *kipsecd_p2_name(const struct kipsecd_p2_proposal *p, char *buf,
			    size_t len)
{
	char pfs[8] = "nopfs";

	if (p->pfs)
		snprintf(pfs, sizeof(pfs), "g%u", p->pfs->id);
	if (p->proto == IPPROTO_AH)
		snprintf(buf, len, "%s-ah-%s", pfs, p->auth->name);
	else if (p->enc->aead)
		snprintf(buf, len, "%s-esp-%s", pfs, p->enc->name);
	else
		snprintf(buf, len, "%s-esp-%s-%s", pfs, p->enc->name,
			 p->auth->name);
	return buf;
}

bool kipsecd_p1_equal(const struct kipsecd_p1_proposal *a,
		      const struct kipsecd_p1_proposal *b)
{
	return a->enc == b->enc && a->hash == b->hash && a->group == b->group;
}

bool kipsecd_p2_equal(const struct kipsecd_p2_proposal *a,
		      const struct kipsecd_p2_proposal *b)
{
	return a->proto == b->proto && a->pfs == b->pfs && a->enc == b->enc &&
	       a->auth == b->auth;
}

bool kipsecd_p1_weak(const struct kipsecd_p1_proposal *p)
{
	return p->enc->weak || p->hash->weak || p->group->weak;
}

bool kipsecd_p2_weak(const struct kipsecd_p2_proposal *p)
{
	return (p->pfs && p->pfs->weak) || (p->enc && p->enc->weak) ||
	       (p->auth && p->auth->weak);
}

uint8_t kipsecd_p2_doi_proto(const struct kipsecd_p2_proposal *p)
{
	return p->proto == IPPROTO_AH ? KIPSECD_PROTO_IPSEC_AH :
					KIPSECD_PROTO_IPSEC_ESP;
}

uint8_t kipsecd_p2_transform(const struct kipsecd_p2_proposal *p)
{
	return p->proto == IPPROTO_AH ? p->auth->ah_transform : p->enc->transform;
}

size_t kipsecd_p2_keymat_len(const struct kipsecd_p2_proposal *p)
{
	return (p->enc ? p->enc->kernel_key_len : 0) +
	       (p->auth ? p->auth->key_len : 0);
}

void kipsecd_p2_to_sa(const struct kipsecd_p2_proposal *p,
		      struct kipsec_sa_info *sa, uint16_t *enc_len,
		      uint16_t *auth_len)
{
	sa->proto = p->proto;
	sa->aead_alg = 0;
	sa->icv_bits = 0;
	sa->enc_alg = 0;
	sa->auth_alg = 0;
	*enc_len = p->enc ? p->enc->kernel_key_len : 0;
	*auth_len = p->auth ? p->auth->key_len : 0;
	if (p->enc && p->enc->aead) {
		sa->aead_alg = p->enc->kernel_alg;
		sa->icv_bits = p->enc->icv_bits;
		return;
	}
	if (p->enc)
		sa->enc_alg = p->enc->kernel_alg;
	if (p->auth)
		sa->auth_alg = p->auth->kernel_alg;
}
