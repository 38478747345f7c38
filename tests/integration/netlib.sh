# Two sites joined by two IPsec gateways, in four network namespaces; source
# it after lib.sh. Every exec costs about half a second in the test VM, so
# each namespace is configured by one `ip -batch`.
#
#   hA a0 ---- a1 gwA w0 ======== w1 gwB b1 ---- b0 hB
#
#   hA   a0   10.1.0.2/24    fd00:a::2/64
#   gwA  a1   10.1.0.1/24    fd00:a::1/64
#        w0   192.0.2.1/24   2001:db8:f::1/64
#   gwB  w1   192.0.2.2/24   2001:db8:f::2/64
#        b1   10.2.0.1/24    fd00:b::1/64
#   hB   b0   10.2.0.2/24    fd00:b::2/64
#
# hA and hB route everything to their gateway. gwB routes 10.3.0.0/16 and
# fd00:3::/64 (addresses a scenario adds to hB, one per test cell) to hB.
# Tunnel devices, SAs and routes through them are up to each scenario.

HA4=10.1.0.2 HA6=fd00:a::2
GWA_IN4=10.1.0.1 GWA_IN6=fd00:a::1
GWA4=192.0.2.1 GWA6=2001:db8:f::1
GWB4=192.0.2.2 GWB6=2001:db8:f::2
GWB_IN4=10.2.0.1 GWB_IN6=fd00:b::1
HB4=10.2.0.2 HB6=fd00:b::2
export HA4 HA6 GWA_IN4 GWA_IN6 GWA4 GWA6 GWB4 GWB6 GWB_IN4 GWB_IN6 HB4 HB6

topo_up() {
	# The test kernel has no module files: without this, every first use
	# of a crypto algorithm or template (kipsec's or XFRM's) runs modprobe
	# twice, in vain, at half a second per exec.
	echo >/proc/sys/kernel/modprobe
	ip -batch - <<-EOF || fail "topology: namespaces and veths"
	netns add hA
	netns add gwA
	netns add gwB
	netns add hB
	link add a0 netns hA type veth peer a1 netns gwA
	link add w0 netns gwA type veth peer w1 netns gwB
	link add b0 netns hB type veth peer b1 netns gwB
	EOF
	ip -n hA -batch - <<-EOF || fail "topology: hA"
	link set lo up
	addr add $HA4/24 dev a0
	addr add $HA6/64 dev a0 nodad
	link set a0 up
	route add default via $GWA_IN4
	route add default via $GWA_IN6
	EOF
	ip -n gwA -batch - <<-EOF || fail "topology: gwA"
	link set lo up
	addr add $GWA_IN4/24 dev a1
	addr add $GWA_IN6/64 dev a1 nodad
	addr add $GWA4/24 dev w0
	addr add $GWA6/64 dev w0 nodad
	link set a1 up
	link set w0 up
	EOF
	ip -n gwB -batch - <<-EOF || fail "topology: gwB"
	link set lo up
	addr add $GWB4/24 dev w1
	addr add $GWB6/64 dev w1 nodad
	addr add $GWB_IN4/24 dev b1
	addr add $GWB_IN6/64 dev b1 nodad
	link set w1 up
	link set b1 up
	route add 10.3.0.0/16 via $HB4
	route add fd00:3::/64 via $HB6
	EOF
	ip -n hB -batch - <<-EOF || fail "topology: hB"
	link set lo up
	addr add $HB4/24 dev b0
	addr add $HB6/64 dev b0 nodad
	link set b0 up
	route add default via $GWB_IN4
	route add default via $GWB_IN6
	EOF
	local gw
	for gw in gwA gwB; do
		ip netns exec $gw sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 ||
			fail "topology: forwarding on $gw"
	done
}

# topo_down: delete the namespaces (and with them every tunnel, SA, XFRM
# state and policy), then unload the module, so that teardown runs under
# the VM's checkers too.
topo_down() {
	local n
	for n in hA gwA gwB hB; do
		ip netns del $n 2>/dev/null || true
	done
	# Namespaces are dismantled by a workqueue; let it start first.
	sleep 1
	rmmod kipsec || fail "rmmod kipsec"
}

# interop OUTER: every algorithm of tools/cells.py, ESN off and on (inner
# IPv4 and IPv6 alternate), over outer IPv$OUTER: kipsec on gwA against
# XFRM on gwB (tools/interop.py); fails the scenario if any cell does.
# The links run at MTU 9000 (the tunnels at 9000 less their usual room for
# overhead): per-packet costs dominate under TCG with KASAN and lockdep,
# and this halves the time of each cell's 1 MiB TCP stream. Scenarios 21
# and 22 run TCP at the default MTU.
interop() {
	local outer=$1 rc=0
	step "load the module; two sites, kipsec on gwA, XFRM on gwB"
	insmod "$KIPSEC_KO"
	topo_up
	step "every algorithm over outer IPv$outer against XFRM: ping, 1 MiB TCP, counters"
	python3 "$(dirname "$0")/tools/interop.py" --outer "$outer" --mtu 9000 \
		--bytes "${KIPSEC_INTEROP_BYTES:-1048576}" --label "outer IPv$outer: " || rc=$?
	step "tear down"
	topo_down
	[ "$rc" = 0 ] || fail "some cells failed (see the 'not ok' lines)"
	echo "[$scenario] all steps passed"
}
