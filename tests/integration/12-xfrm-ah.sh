#!/bin/bash
# AH (RFC 4302) tunnel mode, kipsec against Linux XFRM AH (tools/ah.py):
# HMAC-MD5-96, HMAC-SHA1-96, HMAC-SHA256-128, HMAC-SHA384-192,
# HMAC-SHA512-256 and AES-XCBC-96, each over outer IPv4 and outer IPv6,
# ESN off and on, inner IPv4 and IPv6: ping both ways, TCP checked by
# SHA-256 (1 MiB in half the cells), kipsec's SA counters equal to XFRM's;
# and with "ah-align 4" against XFRM states with "flag align4" (strongSwan's
# AH states, which refuse the default 8-byte padding over IPv4).
# Then packets held on the wire and injected: a flipped inner bit and a
# flipped sequence number bit (drop_auth), a replay (drop_replay), and a
# changed outer TTL / hop limit, DSCP and flow label, which AH does not
# cover (accepted and delivered); exact counter changes. sa-add requests
# the CLI would refuse, sent over netlink (tools/ah_netlink.py): EINVAL
# with the message and attribute. Last, a few
# algorithms again with force_cryptd=1 (every hash completes
# asynchronously).
# vm-options: --timeout 900
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on gwA, XFRM on gwB"
insmod "$KIPSEC_KO"
topo_up
step "every integrity algorithm over outer IPv4 and IPv6 against XFRM AH; held and altered packets"
python3 "$(dirname "$0")/tools/ah.py" --negative \
	--bytes "${KIPSEC_INTEROP_BYTES:-1048576}" || rc=$?
step "sa-add of AH over netlink: refused requests and their extended ACKs"
python3 "$(dirname "$0")/tools/ah_netlink.py" gwA kipsec4 || rc=$?
topo_down

step "force_cryptd=1: asynchronous completion, against XFRM AH"
insmod "$KIPSEC_KO" force_cryptd=1
topo_up
python3 "$(dirname "$0")/tools/ah.py" --expect-cryptd --label "cryptd: " \
	--bytes "${KIPSEC_INTEROP_BYTES:-1048576}" --negative \
	--select '^ah (hmac-sha256-128|aes-xcbc-96)$' || rc=$?
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
