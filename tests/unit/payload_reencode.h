/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helper: rebuild a decoded ISAKMP message with the builder and say
 * whether it gives back the exact bytes. The decoder keeps every field it
 * does not refuse, so anything it accepts must survive the round trip.
 */
#ifndef KIPSEC_TEST_PAYLOAD_REENCODE_H
#define KIPSEC_TEST_PAYLOAD_REENCODE_H

#include <stdbool.h>
#include <string.h>

#include "../../userland/kipsecd/payload.h"

static inline bool reencode_equal(const struct ike_msg *m, const uint8_t *buf,
				  size_t len)
{
	struct ike_builder b;
	bool same;

	ike_build_begin(&b, &m->hdr);
	for (unsigned i = 0; i < m->npayloads; i++) {
		const struct ike_payload *pl = &m->pl[i];

		switch (pl->type) {
		case IKE_PL_SA:
			ike_build_sa(&b, &pl->u.sa);
			break;
		case IKE_PL_ID:
			ike_build_id(&b, &pl->u.id);
			break;
		case IKE_PL_N:
			ike_build_notify(&b, &pl->u.n);
			break;
		case IKE_PL_D:
			ike_build_delete(&b, &pl->u.d);
			break;
		default:
			ike_build_data(&b, pl->type, pl->u.data.data, pl->u.data.len);
			break;
		}
	}
	ike_buf_append(&b.buf, buf + len - m->pad_len, m->pad_len);
	same = ike_build_finish(&b) == IKE_PERR_OK && b.buf.len == len &&
	       !memcmp(b.buf.data, buf, len);
	ike_buf_free(&b.buf);
	return same;
}

#endif
