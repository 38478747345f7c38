#!/bin/bash
# kipsec on both gateways: one tunnel, four proxy-ID pairs (two that differ
# only in the local prefix, two only in the remote one, one inner IPv6),
# each with its own SA pair and algorithm (tools/kk.py). Exact per-SA
# packet and byte counts for pings, TCP streams checked by SHA-256 that
# move only their pair's SAs, a flow matching no pair and the traffic of
# a deleted pair counted as tx_no_sa and not sent. Default MTU.
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on both gateways"
insmod "$KIPSEC_KO"
topo_up
step "four proxy-ID pairs on one tunnel"
python3 "$(dirname "$0")/tools/kk.py" || rc=$?
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
