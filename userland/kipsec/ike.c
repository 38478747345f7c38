// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec ike up|down NAME, kipsec ike status [NAME], kipsec ike reload:
 * requests to kipsecd over its control socket (userland/lib/ctl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"
#include "../lib/ctl.h"

int ike_main(int argc, char **argv, const struct kipsec_opts *o)
{
	const char *path = o->socket ? o->socket : KIPSEC_CTL_DEFAULT_SOCKET;
	struct kipsec_ctl_req r;
	char err[512], req[KIPSEC_CTL_REQ_MAX + 1], msg[512];
	const char *body;
	size_t len, blen;
	char *resp;
	bool ok;

	if (parse_ike(argc, argv, o->json, &r, err, sizeof(err)))
		return cli_usage_error(err);
	if (kipsec_ctl_req_encode(&r, req, sizeof(req)))
		return cli_usage_error("ike: cannot encode the request");
	if (kipsec_ctl_transact(path, req, &resp, &len, err, sizeof(err)))
		return cli_error("ike %s: %s", argv[0], err);
	if (kipsec_ctl_resp_decode(resp, len, &ok, msg, sizeof(msg), &body, &blen)) {
		free(resp);
		return cli_error("ike %s: kipsecd's reply is not understood", argv[0]);
	}
	fwrite(body, 1, blen, stdout);
	free(resp);
	if (!ok)
		return cli_error("ike %s%s%s: %s", argv[0], r.name[0] ? " " : "",
				 r.name, msg);
	return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
}
