#!/bin/bash
# vm-options: --timeout 900
# Concurrency: kipsec on both gateways, a ping flood hA -> hB through the
# tunnel, and meanwhile on gwA three processes adding, updating, deleting,
# dumping and flushing SAs (build/tests/nlfuzz -c, valid requests only),
# one on gwB, a loop that puts the traffic's SAs back, one process that
# deletes and recreates a second tunnel device (nlfuzz -r), and a loop
# that does the same to the traffic's own. Then rmmod while the devices exist, the requests are in
# flight and the flood runs. No crash, warning, lockdep or KASAN report,
# no kmemleak leak (tools/vm/run); the module must load and work again.
# KIPSEC_CONC_SECS sets the length of the churn (default 30). The churn's
# SAs have proxy IDs the traffic does not match, and it flushes rarely, so
# that the flood gets through between flushes and device deletions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
# Deletions race with everything here: commands may fail; checks say so.
set +e
secs=${KIPSEC_CONC_SECS:-30}
fuzz=$PWD/build/tests/nlfuzz
n=0
rc=0
tap() {	# tap STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; rc=1; fi
}
KA=0x000102030405060708090a0b0c0d0e0f10111213	# hA -> hB
KB=0x202122232425262728292a2b2c2d2e2f30313233	# hB -> hA

# sas GW: the batch lines of the traffic's SA pair on GW (kipsec0).
sas() {
	if [ "$1" = gwA ]; then
		echo "sa add kipsec0 dir out spi 0x5000 proto esp aead aes-gcm-128 key $KA"
		echo "sa add kipsec0 dir in spi 0x5001 proto esp aead aes-gcm-128 key $KB"
	else
		echo "sa add kipsec0 dir in spi 0x5000 proto esp aead aes-gcm-128 key $KA"
		echo "sa add kipsec0 dir out spi 0x5001 proto esp aead aes-gcm-128 key $KB"
	fi
}

# tunnel GW HERE THERE SITE: kipsec0 on GW, its addresses, route and SAs.
tunnel() {
	ip -n "$1" -batch - <<-EOB || return 1
	link add kipsec0 type kipsec
	link set kipsec0 up
	route add $4 dev kipsec0
	EOB
	{ echo "tunnel set kipsec0 local $2 remote $3"; sas "$1"; } |
		ip netns exec "$1" kipsec -force -batch - >/dev/null 2>&1
}

step "load the module; two sites, kipsec on both gateways"
insmod "$KIPSEC_KO"
topo_up
tunnel gwA "$GWA4" "$GWB4" 10.2.0.0/16 || fail "tunnel on gwA"
tunnel gwB "$GWB4" "$GWA4" 10.1.0.0/16 || fail "tunnel on gwB"
ip -n gwA link add kipsec1 type kipsec
ip netns exec gwA kipsec tunnel set kipsec1 local "$GWA4" remote 192.0.2.3
ip netns exec hA ping -c 3 -i 0.3 -W 5 "$HB4" >/tmp/ping0 2>&1
tap $? "ping hA -> hB through the tunnel before the churn"

step "churn for $secs s while a ping flood runs"
# ping -f ends early when a deleted route sends it an error: restart it
# until after the rmmod below.
flood_end=$(($(date +%s) + secs + 25))
(
	while [ "$(date +%s)" -lt "$flood_end" ]; do
		ip netns exec hA ping -f -q -w 10 "$HB4"
	done
) >/tmp/flood 2>&1 &
flood=$!
pids=()
# Each pauses 40 ms after a request: unthrottled, they starve the device
# loop (an exec took 20 s) on the VM's two CPUs.
for i in 1 2 3; do
	ip netns exec gwA "$fuzz" -c "$secs" -d 40 -s "$i" kipsec0 kipsec1 >"/tmp/churnA$i" 2>&1 &
	pids+=($!)
done
ip netns exec gwB "$fuzz" -c "$secs" -d 40 -s 4 kipsec0 >/tmp/churnB 2>&1 &
pids+=($!)
# kipsec1 deleted and recreated over rtnetlink, with addresses and SAs.
ip netns exec gwA "$fuzz" -c "$secs" -d 40 -r -s 5 kipsec1 >/tmp/relink 2>&1 &
relink=$!
end=$(($(date +%s) + secs))
# The traffic's SAs, put back as the churn flushes them.
(
	while [ "$(date +%s)" -lt "$end" ]; do
		sas gwA | ip netns exec gwA kipsec -force -batch - >/dev/null 2>&1
		sas gwB | ip netns exec gwB kipsec -force -batch - >/dev/null 2>&1
		sleep 1
	done
) &
readd=$!
# The traffic's own device deleted and recreated with its route and SAs,
# in a loop (two execs a round: seconds each under this load).
loops=0
while [ "$(date +%s)" -lt "$end" ]; do
	loops=$((loops + 1))
	t0=$(date +%s%N)
	ip -n gwA -force -batch - >/dev/null 2>&1 <<-EOB
	link del kipsec0
	link add kipsec0 type kipsec
	link set kipsec0 up
	route add 10.2.0.0/16 dev kipsec0
	EOB
	{ echo "tunnel set kipsec0 local $GWA4 remote $GWB4"; sas gwA; } |
		ip netns exec gwA kipsec -force -batch - >/dev/null 2>&1
	echo "# round $loops: $((($(date +%s%N) - t0) / 1000000)) ms"
done
tap 0 "deleted and recreated the traffic's tunnel device $loops times"
wait "$relink"
st=$?
cat /tmp/relink
tap $st "$(sed -n 's/^# \(recreated .*\)/\1/p' /tmp/relink) while the others ran"
wait "$readd"

step "rmmod while the devices exist, requests run and the flood goes on"
for i in 1 2 3; do
	ip netns exec gwA "$fuzz" -c 30 -s $((10 + i)) kipsec0 >"/tmp/late$i" 2>&1 &
	pids+=($!)
done
ip -n gwA link add kipsec1 type kipsec 2>/dev/null
ip netns exec gwA "$fuzz" -c 30 -r -s 14 kipsec1 >/tmp/late4 2>&1 &
pids+=($!)
sleep 2
ok=1
for i in 1 2 3 4 5 6 7 8 9 10; do
	rmmod kipsec 2>/tmp/rmmod && { ok=0; break; }
	sleep 0.5
done
tap $ok "rmmod kipsec with tunnel devices, SAs, traffic and netlink requests (attempts: $i; $(cat /tmp/rmmod))"
[ ! -e /sys/module/kipsec ] && ! ip -n gwA link show kipsec0 >/dev/null 2>&1
tap $? "the module and its devices are gone"
st=0
for p in "${pids[@]}"; do
	wait "$p" || st=$?
done
for f in /tmp/churnA1 /tmp/churnA2 /tmp/churnA3 /tmp/churnB /tmp/late1 /tmp/late4; do
	echo "# $f: $(grep -h '^# churn' "$f")"
done
tap $st "the churn processes ran to the end and exited 0"
wait "$flood"
grep -h 'packets transmitted' /tmp/flood | sed 's/^/# flood: /'
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/flood | paste -sd+ | bc)
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/flood | paste -sd+ | bc)
[ "${received:-0}" -gt 0 ]
tap $? "traffic went through the tunnel during the churn and rmmod ($received of $sent echo requests answered)"

step "load again: a tunnel and an SA work"
insmod "$KIPSEC_KO"
ip -n gwA link add kipsec9 type kipsec &&
	ip netns exec gwA kipsec -batch - <<-EOB &&
	tunnel set kipsec9 local $GWA4 remote $GWB4
	sa add kipsec9 dir out spi 0x7000 proto esp aead aes-gcm-128 key $KA
	sa del kipsec9 dir out spi 0x7000 proto esp
	EOB
	[ -z "$(ip netns exec gwA kipsec sa show)" ]
tap $? "after a reload: tunnel set, sa add, sa del"

step "tear down"
topo_down
tap 0 "tear down and rmmod"
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
