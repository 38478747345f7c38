#!/bin/bash
# SA lifetimes and events, kipsec on both gateways (tools/lifetimes.py):
# soft and hard limits of every kind (packets outbound, bytes inbound,
# time, use-time) fire at the right count or second and reach `kipsec
# monitor -j`; a hard limit removes the SA and its later traffic is counted
# as tx_no_sa / rx_no_sa; SEQ_OVERFLOW once when an SA added with
# seq 0xfffffffe runs out; ACQUIRE for traffic with no SA, one per flow
# and second; a listener in another namespace gets nothing. Teardown with
# timed SAs left in place (namespace exit, rmmod).
# check: alone (timing: lifetimes, rekeys, DPD)
# vm-options: --timeout 400
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on both gateways"
insmod "$KIPSEC_KO"
topo_up
step "lifetimes and events"
python3 "$(dirname "$0")/tools/lifetimes.py" || rc=$?
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
