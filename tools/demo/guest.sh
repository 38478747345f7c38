#!/usr/bin/env bash
# make demo, inside the VM: two sites, each a host behind a kipsec
# gateway, joined by a manual-key ESP tunnel.
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
keydir=$(mktemp -d)
head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$keydir/a-to-b.key"
head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$keydir/b-to-a.key"

say "A tunnel device on each gateway, and a route to the other site through it"
for gw in gw-a gw-b; do
	if [ $gw = gw-a ]; then
		me=192.0.2.1 peer=192.0.2.2 here=10.1.0.0/24 there=10.2.0.0/24
		out=a-to-b in=b-to-a spi_out=0x1001 spi_in=0x1002
	else
		me=192.0.2.2 peer=192.0.2.1 here=10.2.0.0/24 there=10.1.0.0/24
		out=b-to-a in=a-to-b spi_out=0x1002 spi_in=0x1001
	fi
	run $gw ip link add kipsec0 type kipsec
	run $gw kipsec tunnel set kipsec0 local $me remote $peer
	run $gw ip link set kipsec0 up
	run $gw ip route add $there dev kipsec0
	say "Manual keys on $gw: aes-gcm-128, keys read from files, one SA each way"
	run $gw kipsec sa add kipsec0 dir out spi $spi_out proto esp \
		aead aes-gcm-128 key "$keydir/$out.key" \
		proxy-id local $here remote $there
	run $gw kipsec sa add kipsec0 dir in spi $spi_in proto esp \
		aead aes-gcm-128 key "$keydir/$in.key" replay-window 128 \
		proxy-id local $here remote $there
done

say "host-a pings host-b across the tunnel, while gw-a watches its wire"
ip netns exec gw-a tcpdump -l -n -i wan0 -c 4 esp >"$keydir/wire" 2>/dev/null &
capture=$!
sleep 1
run host-a ping -c 4 -i 0.3 10.2.0.2
wait $capture || true

say "What crossed the wire between the gateways (tcpdump on gw-a wan0): ESP only"
sed 's/^/  /' "$keydir/wire"

for gw in gw-a gw-b; do
	say "kipsec sa show -s on $gw (keys are never shown)"
	run $gw kipsec sa show -s
done

say "Tearing down"
for n in host-a gw-a gw-b host-b; do ip netns del $n; done
rm -rf "$keydir"
sleep 1
rmmod kipsec
echo "done."
