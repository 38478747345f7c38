#!/bin/bash
# MTU, ICMP and GSO (tools/mtu.py): full-size DF packets through the
# largest ESP overhead fit in the outer MTU unfragmented, one byte more gets
# "fragmentation needed" / "packet too big" with the device MTU; TCP
# handed to the tunnel as GSO packets arrives intact in ESP packets that
# fit; with a smaller outer path MTU gwA answers with an MTU that fits, and
# a request of that size passes; a router's ICMP error about our ESP
# lowers the path MTU the same way. Then asynchronous crypto: the module
# loaded with force_cryptd=1, a few algorithms against XFRM at the default
# MTU, outer IPv4 and IPv6, ESN off and on: ping, 1 MiB TCP, counters;
# replay windows of 1024 at both ends, as cryptd reorders (tools/cells.py).
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

step "load the module; two sites, kipsec on gwA, XFRM on gwB"
insmod "$KIPSEC_KO"
topo_up
step "MTU, ICMP and GSO"
python3 "$(dirname "$0")/tools/mtu.py" || rc=$?
topo_down

step "force_cryptd=1: asynchronous completion, against XFRM"
insmod "$KIPSEC_KO" force_cryptd=1
topo_up
python3 "$(dirname "$0")/tools/interop.py" --expect-cryptd --replay-window 1024 \
	--bytes "${KIPSEC_INTEROP_BYTES:-1048576}" --label "cryptd: " \
	--select '^(aes-gcm-128 icv 128|aes-cbc-128 \+ hmac-sha256-128|chacha20-poly1305|aes-ccm-256 icv 64)$' ||
	rc=$?
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
