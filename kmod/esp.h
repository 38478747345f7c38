/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsec: ESP (RFC 4303) encapsulation and decapsulation of one packet,
 * without the outer IP header.
 */
#ifndef _KIPSEC_ESP_H
#define _KIPSEC_ESP_H

#include <linux/skbuff.h>

#include "sa.h"

#define KIPSEC_ESP_HLEN		8	/* SPI and sequence number */

typedef void (*kipsec_esp_done_t)(struct sk_buff *skb, int err);

/*
 * skb->cb of a packet between the data path and its ESP processing.
 * @done is called when the transform completes asynchronously.
 */
struct kipsec_skb_cb {
	struct kipsec_sa *sa;
	void *tmp;
	kipsec_esp_done_t done;
	u64 seq;
	u32 inner_len;
	u8 tos;
	u8 family;
	bool df;
	bool esn;
};

static inline struct kipsec_skb_cb *kipsec_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct kipsec_skb_cb) > sizeof(skb->cb));
	return (struct kipsec_skb_cb *)skb->cb;
}

/* The bytes ESP adds in front of and behind an inner packet of @len. */
unsigned int kipsec_esp_overhead(const struct kipsec_sa *sa, unsigned int len);
/* The largest inner packet that fits @room bytes of ESP packet. */
unsigned int kipsec_esp_max_inner(const struct kipsec_sa *sa,
				  unsigned int room);

/*
 * Encrypt the inner packet at skb->data, with next header @nexthdr and
 * sequence number @seq, into an ESP packet at skb->data. @iv is NULL but
 * for known-answer tests: the IV is then random (CBC) or the sequence
 * number. The packet must not be shared and must have no partial
 * checksum; its head must have room for the ESP header and IV, and four
 * bytes more with ESN.
 *
 * Returns 0 or a negative errno when done, or -EINPROGRESS, after which
 * @done is called with the result (from the crypto completion context).
 * On error the caller still owns and frees the packet.
 */
int kipsec_esp_encrypt(struct kipsec_sa *sa, struct sk_buff *skb, u8 nexthdr,
		       u64 seq, const u8 *iv, kipsec_esp_done_t done);

/*
 * Check the ICV of the ESP packet at skb->data and decrypt it in place;
 * @seq is the full sequence number (ESN high bits inferred). Returns 0,
 * -EBADMSG when the ICV does not verify, another negative errno, or
 * -EINPROGRESS as for kipsec_esp_encrypt(). The packet stays an ESP
 * packet; kipsec_esp_strip() takes the ESP parts off.
 */
int kipsec_esp_decrypt(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		       kipsec_esp_done_t done);

/*
 * After kipsec_esp_decrypt(): check padding and next header, and leave the
 * inner packet at skb->data. Returns -EPROTO for bad padding.
 */
int kipsec_esp_strip(struct kipsec_sa *sa, struct sk_buff *skb, u8 *nexthdr);

#endif /* _KIPSEC_ESP_H */
