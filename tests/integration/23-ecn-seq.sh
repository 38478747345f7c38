#!/bin/bash
# The outer header against XFRM (tools/ecn.py): DSCP copied and ECN
# encapsulated as RFC 6040 says, TTL and hop limit from the route; on input
# every outer/inner ECN combination that matters, CE over not-ECT dropped
# and counted; outbound sequence numbers that stop at 2^32 - 1 without ESN
# (drop_seq) and cross 2^32 with ESN, which XFRM accepts; ESP arriving in
# IPv4 and IPv6 fragments.
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on gwA, XFRM on gwB"
insmod "$KIPSEC_KO"
topo_up
step "DSCP, ECN, TTL and sequence numbers"
python3 "$(dirname "$0")/tools/ecn.py" || rc=$?
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
