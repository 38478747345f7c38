// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: ESP (RFC 4303) on one packet, through the SA's AEAD transform.
 *
 * The packet is transformed in place. The transform sees
 *
 *	SPI | [seq hi] | seq lo | IV | payload, padding, trailer | ICV
 *	\________ associated data ______/ \___ encrypted ____/
 *
 * where the high half of an extended sequence number (ESN) sits, during
 * the operation only, in front of the low half: that is the additional
 * authenticated data of RFC 4106/4309/4543/7634, and authencesn moves it
 * behind the payload for the ICV as RFC 4303 section 2.2.1 says. The IV is
 * part of the associated data; the RFC templates take it from there as
 * their explicit nonce, authenc authenticates it.
 */
#include <crypto/aead.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <net/esp.h>
#include <kunit/visibility.h>

#include "esp.h"

/*
 * The per-packet allocation: the AEAD request (with the transform's
 * context), a copy of the IV (ciphers may write to it), and the
 * scatterlist of the packet.
 */
static void *kipsec_esp_alloc_tmp(struct crypto_aead *aead, int nfrags,
				  struct aead_request **req, u8 **iv,
				  struct scatterlist **sg)
{
	unsigned int align = crypto_aead_alignmask(aead);
	unsigned int len;
	void *tmp;

	len = sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, align + 1);
	len += crypto_aead_ivsize(aead) + align;
	len = ALIGN(len, __alignof__(struct scatterlist));
	len += sizeof(struct scatterlist) * nfrags;

	tmp = kmalloc(len, GFP_ATOMIC);
	if (!tmp)
		return NULL;
	*req = tmp;
	aead_request_set_tfm(*req, aead);
	*iv = PTR_ALIGN((u8 *)tmp + sizeof(struct aead_request) +
			crypto_aead_reqsize(aead), align + 1);
	*sg = PTR_ALIGN((void *)(*iv + crypto_aead_ivsize(aead)),
			__alignof__(struct scatterlist));
	return tmp;
}

static unsigned int kipsec_esp_padded(const struct kipsec_sa *sa,
				      unsigned int len)
{
	return ALIGN(len + 2, sa->crypto.blksize);
}

unsigned int kipsec_esp_overhead(const struct kipsec_sa *sa, unsigned int len)
{
	return KIPSEC_ESP_HLEN + sa->crypto.ivlen +
	       kipsec_esp_padded(sa, len) - len + sa->crypto.icvlen;
}

unsigned int kipsec_esp_max_inner(const struct kipsec_sa *sa,
				  unsigned int room)
{
	unsigned int fixed = KIPSEC_ESP_HLEN + sa->crypto.ivlen +
			     sa->crypto.icvlen + 2;

	if (room < fixed + sa->crypto.blksize)
		return 0;
	return ((room - fixed + 2) & ~(sa->crypto.blksize - 1U)) - 2;
}

/* Undo the ESN layout: the SPI goes back next to the low half. */
static void kipsec_esp_output_finish(struct sk_buff *skb)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);

	if (cb->esn) {
		memmove(skb->data + 4, skb->data, 4);
		__skb_pull(skb, 4);
	}
	kfree(cb->tmp);
	cb->tmp = NULL;
}

static void kipsec_esp_output_done(struct crypto_async_request *base, int err)
{
	struct sk_buff *skb = base->data;

	if (err == -EINPROGRESS)
		return;
	kipsec_esp_output_finish(skb);
	kipsec_skb_cb(skb)->done(skb, err);
}

int kipsec_esp_encrypt(struct kipsec_sa *sa, struct sk_buff *skb, u8 nexthdr,
		       u64 seq, const u8 *iv, kipsec_esp_done_t done)
{
	const struct kipsec_crypto *c = &sa->crypto;
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	unsigned int plen = skb->len, tailen, padlen, hlen, assoclen, i;
	unsigned int extra = kipsec_sa_esn(sa) ? 4 : 0;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	u8 *tail, *hdr, *reqiv;
	int nfrags, ret;

	padlen = kipsec_esp_padded(sa, plen) - plen - 2;
	tailen = padlen + 2 + c->icvlen;
	hlen = KIPSEC_ESP_HLEN + c->ivlen + extra;
	if (skb_headroom(skb) < hlen)
		return -ENOBUFS;

	nfrags = skb_cow_data(skb, tailen, &trailer);
	if (nfrags < 0)
		return nfrags;

	/* RFC 4303 2.4: padding bytes 1, 2, 3, ... */
	tail = skb_tail_pointer(trailer);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;
	pskb_put(skb, trailer, tailen);

	hdr = __skb_push(skb, hlen);
	memcpy(hdr, &sa->key.spi, 4);
	if (extra)
		put_unaligned_be32(upper_32_bits(seq), hdr + 4);
	put_unaligned_be32(lower_32_bits(seq), hdr + 4 + extra);

	req = NULL;
	cb->tmp = kipsec_esp_alloc_tmp(c->aead, nfrags, &req, &reqiv, &sg);
	if (!cb->tmp) {
		ret = -ENOMEM;
		goto err_pull;
	}
	if (c->ivlen) {
		u8 *piv = hdr + 8 + extra;

		if (iv)
			memcpy(piv, iv, c->ivlen);
		else if (c->iv_random)
			get_random_bytes(piv, c->ivlen);
		else
			put_unaligned_be64(seq, piv);
		memcpy(reqiv, piv, c->ivlen);
	}

	sg_init_table(sg, nfrags);
	ret = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(ret < 0))
		goto err_free;

	assoclen = hlen;
	cb->esn = extra;
	cb->done = done;
	aead_request_set_callback(req, 0, kipsec_esp_output_done, skb);
	aead_request_set_crypt(req, sg, sg,
			       skb->len - assoclen - c->icvlen, reqiv);
	aead_request_set_ad(req, assoclen);

	ret = crypto_aead_encrypt(req);
	if (ret == -EINPROGRESS)
		return ret;
	kipsec_esp_output_finish(skb);
	return ret;

err_free:
	kfree(cb->tmp);
	cb->tmp = NULL;
err_pull:
	__skb_pull(skb, hlen);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_esp_encrypt);

static void kipsec_esp_input_finish(struct sk_buff *skb)
{
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);

	if (cb->esn)
		__skb_pull(skb, 4);
	kfree(cb->tmp);
	cb->tmp = NULL;
}

static void kipsec_esp_input_done(struct crypto_async_request *base, int err)
{
	struct sk_buff *skb = base->data;

	if (err == -EINPROGRESS)
		return;
	kipsec_esp_input_finish(skb);
	kipsec_skb_cb(skb)->done(skb, err);
}

int kipsec_esp_decrypt(struct kipsec_sa *sa, struct sk_buff *skb, u64 seq,
		       kipsec_esp_done_t done)
{
	const struct kipsec_crypto *c = &sa->crypto;
	struct kipsec_skb_cb *cb = kipsec_skb_cb(skb);
	unsigned int extra = kipsec_sa_esn(sa) ? 4 : 0;
	unsigned int hlen = KIPSEC_ESP_HLEN + c->ivlen;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	int nfrags, elen, ret;
	u8 *reqiv;

	elen = skb->len - hlen - c->icvlen;
	if (skb->len < hlen + c->icvlen || elen < 2 || elen % c->blksize)
		return -EINVAL;
	if (extra && skb_headroom(skb) < extra)
		return -EINVAL;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;

	cb->tmp = kipsec_esp_alloc_tmp(c->aead, nfrags, &req, &reqiv, &sg);
	if (!cb->tmp)
		return -ENOMEM;
	if (c->ivlen)
		skb_copy_bits(skb, KIPSEC_ESP_HLEN, reqiv, c->ivlen);

	if (extra) {
		u8 *hdr = __skb_push(skb, extra);

		/* SPI | seq hi | seq lo: the SPI moves into the room the
		 * outer header leaves, the high half takes its place.
		 */
		memmove(hdr, hdr + 4, 4);
		put_unaligned_be32(upper_32_bits(seq), hdr + 4);
	}

	sg_init_table(sg, nfrags);
	ret = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(ret < 0)) {
		cb->esn = extra;
		kipsec_esp_input_finish(skb);
		return ret;
	}

	cb->esn = extra;
	cb->done = done;
	aead_request_set_callback(req, 0, kipsec_esp_input_done, skb);
	aead_request_set_crypt(req, sg, sg, elen + c->icvlen, reqiv);
	aead_request_set_ad(req, hlen + extra);

	ret = crypto_aead_decrypt(req);
	if (ret == -EINPROGRESS)
		return ret;
	kipsec_esp_input_finish(skb);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_esp_decrypt);

int kipsec_esp_strip(struct kipsec_sa *sa, struct sk_buff *skb, u8 *nexthdr)
{
	const struct kipsec_crypto *c = &sa->crypto;
	unsigned int hlen = KIPSEC_ESP_HLEN + c->ivlen;
	u8 trailer[2], pad[255];
	unsigned int padlen, i;
	int ret;

	ret = skb_copy_bits(skb, skb->len - c->icvlen - 2, trailer, 2);
	if (ret)
		return ret;
	padlen = trailer[0];
	if (hlen + padlen + 2 + c->icvlen > skb->len)
		return -EPROTO;

	/* RFC 4303 2.4: the default padding is 1, 2, 3, ...; every peer we
	 * know sends it, and a check finds a wrong key on null encryption.
	 */
	ret = skb_copy_bits(skb, skb->len - c->icvlen - 2 - padlen, pad,
			    padlen);
	if (ret)
		return ret;
	for (i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			return -EPROTO;

	ret = pskb_trim(skb, skb->len - c->icvlen - 2 - padlen);
	if (ret)
		return ret;
	if (!pskb_may_pull(skb, hlen))
		return -EINVAL;
	__skb_pull(skb, hlen);
	*nexthdr = trailer[1];
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipsec_esp_strip);
