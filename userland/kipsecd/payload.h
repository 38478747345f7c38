/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ISAKMP message codec (RFC 2408 3, RFC 2407 4.6): the header and the
 * payloads kipsecd uses, decoded strictly from untrusted bytes and built
 * into a growable buffer.
 *
 * Decoding is zero-copy: a struct ike_msg refers into the buffer it was
 * decoded from (which must outlive it) and into itself (proposals point at
 * its transform and attribute pools), so it must not be copied with memcpy
 * or by assignment. It is large (see the IKE_MAX_* caps); allocate it, or
 * keep one per worker.
 *
 * Every decoding error returns an enum ike_perr and writes a reason that
 * names the payload and the field, e.g. "SA payload: proposal 1: transform
 * 2: attribute length 40 runs past the transform (12 bytes left)", meant
 * for a log line "dropped: <reason>". ike_perr_notify() maps the code to
 * the notify message type to answer with, where the RFC says to answer.
 */
#ifndef KIPSECD_PAYLOAD_H
#define KIPSECD_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* Caps on what a decoded message may hold; more is an error, not a crash. */
#define IKE_MAX_MSG_LEN		65535	/* a UDP datagram */
#define IKE_MAX_PAYLOADS	32
#define IKE_MAX_PROPOSALS	32	/* over all SA payloads of a message */
#define IKE_MAX_TRANSFORMS	256
#define IKE_MAX_ATTRS		2048
#define IKE_MAX_SPI_LEN		16
#define IKE_MAX_KE_LEN		1024	/* MODP 8192 is 1024 bytes */
#define IKE_MAX_HASH_LEN	64
#define IKE_MAX_DELETE_SPIS	256

enum ike_perr {
	IKE_PERR_OK = 0,
	IKE_PERR_TRUNCATED,		/* shorter than a header says */
	IKE_PERR_MALFORMED,		/* a length or field is inconsistent */
	IKE_PERR_VERSION,		/* major version is not 1 */
	IKE_PERR_PAYLOAD_TYPE,		/* unknown payload type in the chain */
	IKE_PERR_DOI,			/* DOI other than IPsec */
	IKE_PERR_SITUATION,		/* situation other than identity only */
	IKE_PERR_PROPOSAL_SYNTAX,	/* proposal/transform structure wrong */
	IKE_PERR_ID,			/* ID payload data does not fit its type */
	IKE_PERR_TOO_MANY,		/* a cap above was reached */
	IKE_PERR_INVALID,		/* builder: bad input, no memory, or
					 * a message over 64 KiB */
};

/* The notify message type answering a decoding error (0: none). */
uint16_t ike_perr_notify(enum ike_perr e);

/* The ISAKMP header, in host order. */
struct ike_hdr {
	uint8_t icookie[IKE_COOKIE_LEN];
	uint8_t rcookie[IKE_COOKIE_LEN];
	uint8_t np;		/* first payload */
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;	/* whole message, header included */
};

/*
 * A data attribute (RFC 2408 3.3). TV form: the 16-bit value is in num.
 * TLV form: the value is data/len; num holds it as a big-endian number when
 * len <= 8 (life durations come in either form). For building, a TLV with
 * data == NULL is encoded from num in len bytes.
 */
struct ike_attr {
	uint16_t type;		/* without the form bit */
	bool tv;
	uint16_t len;		/* TLV value length */
	uint64_t num;
	const uint8_t *data;
};

struct ike_transform {
	uint8_t num;
	uint8_t id;
	unsigned nattrs;
	struct ike_attr *attrs;
	const uint8_t *raw;	/* decoded: the whole transform substructure */
	size_t raw_len;
};

struct ike_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_len;
	uint8_t spi[IKE_MAX_SPI_LEN];
	unsigned ntrans;
	struct ike_transform *trans;
};

struct ike_sa_pl {
	uint32_t doi;
	uint32_t situation;
	unsigned nprops;
	struct ike_proposal *props;
};

/*
 * Identification (RFC 2407 4.6.2). Phase 1 uses proto/port 0 or UDP/500;
 * phase 2 (proxy IDs) carries the IP protocol and port of the selector.
 * Address types are decoded into addr (the address, the subnet address or
 * the range start) and addr2 (the mask or the range end), in network
 * order; family is 4 or 6 for them and 0 otherwise. data/len is always the
 * identification data as sent (the FQDN or user@FQDN without a NUL).
 */
struct ike_id {
	uint8_t type;
	uint8_t proto;
	uint16_t port;
	uint8_t family;
	uint8_t addr[16];
	uint8_t addr2[16];
	const uint8_t *data;
	size_t len;
};

/* KE, HASH, NONCE, VID, and the payloads kept raw (CERT, CR, SIG, NAT-D...). */
struct ike_data {
	const uint8_t *data;
	size_t len;
};

struct ike_notify {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_len;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

struct ike_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_len;
	uint16_t nspis;
	const uint8_t *spis;	/* nspis * spi_len bytes */
};

struct ike_payload {
	uint8_t type;
	size_t offset;		/* of the generic header within the message */
	const uint8_t *raw;	/* generic header + body */
	size_t raw_len;
	const uint8_t *body;	/* after the generic header: "SAi_b", "IDii_b" */
	size_t body_len;
	union {
		struct ike_sa_pl sa;
		struct ike_id id;
		struct ike_data data;
		struct ike_notify n;
		struct ike_delete d;
	} u;
};

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw;
	size_t raw_len;
	size_t pad_len;		/* bytes after the last payload (decrypted) */
	unsigned npayloads;
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	/* pools the SA payloads point into */
	unsigned nprops, ntrans, nattrs;
	struct ike_proposal props[IKE_MAX_PROPOSALS];
	struct ike_transform trans[IKE_MAX_TRANSFORMS];
	struct ike_attr attrs[IKE_MAX_ATTRS];
};

/* Header only (e.g. to find the IKE SA before decrypting). */
enum ike_perr ike_decode_header(const uint8_t *buf, size_t len,
				struct ike_hdr *hdr, char *err, size_t errlen);

/*
 * A whole plaintext message: header and payload chain. The header length
 * must equal len. A message whose header has the encryption flag must have
 * been decrypted in place first (same length); it may then carry padding
 * after the last payload, which is reported in pad_len and not parsed.
 */
enum ike_perr ike_decode(const uint8_t *buf, size_t len, struct ike_msg *msg,
			 char *err, size_t errlen);

/* The nth (0-based) payload of a type, or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *msg, uint8_t type,
				       unsigned nth);

/*
 * The first attribute of a transform with a type, or NULL. The decoder
 * refuses repeated types except the life type and duration, which come in
 * (type, duration) pairs, one for seconds and one for kilobytes: walk
 * attrs[] in order for those.
 */
const struct ike_attr *ike_attr_find(const struct ike_transform *t, uint16_t type);

/* Attribute value as a number; false for a TLV longer than 8 bytes. */
bool ike_attr_u64(const struct ike_attr *a, uint64_t *v);

/*
 * A bare list of data attributes, as in the data of a RESPONDER-LIFETIME
 * notification (RFC 2407 4.6.3.1): up to max into out, *n set. Values
 * point into buf. proto is the notification's protocol ID (it selects the
 * phase 1 or phase 2 attribute numbers); what names the list in the
 * reason ("RESPONDER-LIFETIME").
 */
enum ike_perr ike_decode_attr_list(const uint8_t *buf, size_t len,
				   uint8_t proto, struct ike_attr *out,
				   unsigned max, unsigned *n, const char *what,
				   char *err, size_t errlen);

/* Constructors for building. */
struct ike_attr ike_attr_basic(uint16_t type, uint16_t value);
/* TLV of 4 bytes, or 8 if value needs them. */
struct ike_attr ike_attr_var(uint16_t type, uint64_t value);
/* Basic if value fits 16 bits, else TLV (life durations, as sent in practice). */
struct ike_attr ike_attr_auto(uint16_t type, uint64_t value);

/* A growable output buffer. */
struct ike_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;		/* an append failed; everything after is dropped */
};

void ike_buf_init(struct ike_buf *b);
/* Wipes and frees. */
void ike_buf_free(struct ike_buf *b);
bool ike_buf_append(struct ike_buf *b, const void *p, size_t n);
/* Appends one encoded attribute (for notify data); false on failure. */
bool ike_buf_append_attr(struct ike_buf *b, const struct ike_attr *a);

/*
 * Message builder. ike_build_begin writes the header (length patched by
 * ike_build_finish); every payload appended links itself into the chain
 * (the previous next-payload byte is patched) and gets its length. Each
 * ike_build_* returns the offset of the payload's generic header in the
 * buffer, or (size_t)-1 after a failure, so callers can find raw bodies
 * (offset + 4) and patch HASH payloads written with a placeholder.
 */
struct ike_builder {
	struct ike_buf buf;
	size_t np_off;		/* the next-payload byte to patch */
};

void ike_build_begin(struct ike_builder *b, const struct ike_hdr *hdr);
size_t ike_build_sa(struct ike_builder *b, const struct ike_sa_pl *sa);
/* KE, HASH, NONCE, VID or any raw payload; data may be NULL (zeros). */
size_t ike_build_data(struct ike_builder *b, uint8_t type, const uint8_t *data,
		      size_t len);
size_t ike_build_id(struct ike_builder *b, const struct ike_id *id);
size_t ike_build_notify(struct ike_builder *b, const struct ike_notify *n);
size_t ike_build_delete(struct ike_builder *b, const struct ike_delete *d);
/*
 * Sets the header length to the bytes written so far and says whether every
 * append succeeded. A caller that encrypts pads the buffer afterwards and
 * calls it again (the length covers the padding, RFC 2408 3.1).
 */
enum ike_perr ike_build_finish(struct ike_builder *b);

/* Names for logs. */
const char *ike_payload_name(uint8_t type);

#endif
