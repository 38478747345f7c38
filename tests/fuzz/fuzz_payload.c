// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ISAKMP decoder (userland/kipsecd/payload.c):
 * no input may crash it or read out of bounds (ASan/UBSan), a refusal
 * must come with a reason, and whatever it accepts must rebuild to the
 * same bytes. Build and run with
 *
 *	make fuzz && build/fuzz/fuzz_payload -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/payload_reencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg msg;
	char err[256] = "";

	if (ike_decode(data, size, &msg, err, sizeof(err)) != IKE_PERR_OK) {
		if (!err[0])
			abort();
		return 0;
	}
	if (!reencode_equal(&msg, data, size))
		abort();
	return 0;
}
