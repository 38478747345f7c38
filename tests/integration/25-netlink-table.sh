#!/bin/bash
# Malformed requests for every netlink command, one table row each
# (tools/nltable.py over a raw generic netlink socket): errno, the extended
# ACK naming the attribute at fault, and the tunnels and SAs unchanged;
# every command refused with EPERM without CAP_NET_ADMIN; no SA_GET reply
# carries a key. Then the module must still unload cleanly.
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"
rc=0

step "load the module; kipsec0, kipsec1 and dummy0 here, kother elsewhere"
echo >/proc/sys/kernel/modprobe
insmod "$KIPSEC_KO"
ip netns add nlt
ip netns add nlo
ip -n nlt -batch - <<-EOB || fail "devices of nlt"
link set lo up
link add kipsec0 type kipsec
link add kipsec1 type kipsec
link add dummy0 type dummy
EOB
ip -n nlo link add kother index 4242 type kipsec || fail "kother in nlo"
[ ! -e /sys/class/net/kother ] || fail "kother is visible outside nlo"

step "the table"
ip netns exec nlt python3 "$(dirname "$0")/tools/nltable.py" \
	--other-ifindex 4242 --other-ifname kother || rc=$?

step "tear down"
ip netns del nlt
ip netns del nlo
sleep 1
rmmod kipsec || fail "rmmod kipsec"
[ "$rc" = 0 ] || fail "some rows failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
