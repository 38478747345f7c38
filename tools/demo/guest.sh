#!/usr/bin/env bash
# make demo, inside the VM: two sites, each a host behind a kipsec
# gateway; kipsecd on both gateways negotiates the ESP tunnel with IKEv1
# (Main Mode with a pre-shared key, Quick Mode with PFS).
set -euo pipefail

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '%s$ %s\n' "$1" "${*:2}"; ip netns exec "$1" "${@:2}"; }

insmod "$KIPSEC_KO"

say "Two sites: 10.1.0.0/24 behind gateway A, 10.2.0.0/24 behind gateway B"
for n in host-a gw-a gw-b host-b; do
	ip netns add $n
	ip -n $n link set lo up
done
ip link add eth0 netns host-a type veth peer lan0 netns gw-a
ip link add wan0 netns gw-a type veth peer wan0 netns gw-b
ip link add eth0 netns host-b type veth peer lan0 netns gw-b
ip -n host-a addr add 10.1.0.2/24 dev eth0
ip -n gw-a addr add 10.1.0.1/24 dev lan0
ip -n gw-a addr add 192.0.2.1/24 dev wan0
ip -n gw-b addr add 192.0.2.2/24 dev wan0
ip -n gw-b addr add 10.2.0.1/24 dev lan0
ip -n host-b addr add 10.2.0.2/24 dev eth0
for n in host-a gw-a gw-b host-b; do
	for l in $(ip -n $n -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
		ip -n $n link set "$l" up
	done
done
ip -n host-a route add default via 10.1.0.1
ip -n host-b route add default via 10.2.0.1
ip netns exec gw-a sysctl -qw net.ipv4.ip_forward=1
ip netns exec gw-b sysctl -qw net.ipv4.ip_forward=1
echo "host-a 10.1.0.2 -- gw-a 192.0.2.1 ==== internet ==== 192.0.2.2 gw-b -- host-b 10.2.0.2"

umask 077
confdir=$(mktemp -d)
# One pre-shared key, the same file content on both gateways (mode 0600).
head -c 24 /dev/urandom | base64 >"$confdir/gw-a.psk"
cp "$confdir/gw-a.psk" "$confdir/gw-b.psk"

say "A tunnel device on each gateway, and a route to the other site through it"
for gw in gw-a gw-b; do
	run $gw ip link add kipsec0 type kipsec
	run $gw ip link set kipsec0 up
	if [ $gw = gw-a ]; then there=10.2.0.0/24; else there=10.1.0.0/24; fi
	run $gw ip route add $there dev kipsec0
done

# kipsecd.conf for GW: its tunnel to the other gateway.
conf() {
	local gw=$1 me peer here there start
	if [ "$gw" = gw-a ]; then
		me=192.0.2.1 peer=192.0.2.2 here=10.1.0.0/24 there=10.2.0.0/24
		start=immediately
	else
		me=192.0.2.2 peer=192.0.2.1 here=10.2.0.0/24 there=10.1.0.0/24
		start=respond-only
	fi
	cat <<EOF
[global]
control-socket = $confdir/$gw.sock
log-target = stderr
log-level = notice

[tunnel to-$peer]
interface = kipsec0
local = $me
remote = $peer
mode = main
psk-file = $confdir/$gw.psk
ike-proposals = aes256-sha256-modp2048
ipsec-proposals = g14-esp-aes128gcm16, g14-esp-aes256-sha256
ipsec-lifetime = 1h
proxy-id = $here $there
start = $start
dpd = 10s
EOF
}

for gw in gw-b gw-a; do
	conf $gw >"$confdir/$gw.conf"
	say "kipsecd.conf on $gw"
	sed 's/^/  /' "$confdir/$gw.conf"
done

say "kipsecd on both gateways: gw-a starts the tunnel, gw-b answers"
for gw in gw-b gw-a; do
	echo "$gw\$ kipsecd -f -c $confdir/$gw.conf &"
	# Its log, prefixed, through a FIFO: $! stays the daemon's PID.
	mkfifo "$confdir/$gw.log"
	sed -u "s/^/  [$gw] /" <"$confdir/$gw.log" &
	ip netns exec $gw kipsecd -f -c "$confdir/$gw.conf" >"$confdir/$gw.log" 2>&1 &
	eval "pid_${gw//-/_}=\$!"
	for _ in $(seq 100); do [ -S "$confdir/$gw.sock" ] && break; sleep 0.1; done
done
# Main Mode and Quick Mode take a moment under emulation.
for _ in $(seq 150); do
	ip netns exec gw-a kipsec ike status -S "$confdir/gw-a.sock" 2>/dev/null |
		grep -q ": up for" && break
	sleep 0.2
done

say "host-a pings host-b across the tunnel, while gw-a watches its wire"
ip netns exec gw-a tcpdump -l -n -i wan0 -c 4 esp >"$confdir/wire" 2>/dev/null &
capture=$!
sleep 1
run host-a ping -c 4 -i 0.3 10.2.0.2
wait $capture || true

say "What crossed the wire between the gateways (tcpdump on gw-a wan0): ESP only"
sed 's/^/  /' "$confdir/wire"

for gw in gw-a gw-b; do
	say "kipsec ike status on $gw"
	run $gw kipsec ike status -S "$confdir/$gw.sock"
	say "kipsec sa show -s on $gw (keys are never shown)"
	run $gw kipsec sa show -s
done

say "Stopping kipsecd on gw-a: it deletes its SAs and tells gw-b, which deletes its own"
echo "gw-a\$ kill -TERM $pid_gw_a"
kill -TERM "$pid_gw_a"
wait "$pid_gw_a" || true
for gw in gw-a gw-b; do run $gw kipsec sa show; done

say "Tearing down"
kill -TERM "$pid_gw_b" 2>/dev/null || true
wait "$pid_gw_b" 2>/dev/null || true
for n in host-a gw-a gw-b host-b; do ip netns del $n; done
rm -rf "$confdir"
sleep 1
rmmod kipsec
echo "done."
