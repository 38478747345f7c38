#!/bin/bash
# What kipsec must drop on input, sent by XFRM and held and altered on the
# wire (tools/negative.py): a flipped ciphertext bit and a flipped sequence
# number bit (drop_auth, the window unmoved), a replay (drop_replay), an
# unknown SPI (the tunnel's rx_no_sa), a packet left of the window
# (drop_window), inner packets outside the proxy ID (drop_proxy_id); each
# with exact counter changes and nothing delivered to hA. Twice: with
# synchronous crypto, then with force_cryptd=1 (every completion async).
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on gwA, XFRM on gwB"
insmod "$KIPSEC_KO"
topo_up
step "forged, replayed, stale and misaddressed packets"
python3 "$(dirname "$0")/tools/negative.py" || rc=$?
topo_down

step "again with force_cryptd=1"
insmod "$KIPSEC_KO" force_cryptd=1
topo_up
python3 "$(dirname "$0")/tools/negative.py" --label "cryptd: " || rc=$?
topo_down

[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
