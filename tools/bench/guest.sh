#!/usr/bin/env bash
# Inside the benchmark VM: kipsec and XFRM side by side, same topology,
# same algorithms, figures as key=value lines on stdout (tools/bench/run
# turns them into ratios).
#
#   hA (10.1.0.2) -- gwA -- 192.0.2.0/24 -- gwB -- hB (10.2.0.2)
#
# Both gateways run the stack under test: kipsec to kipsec, XFRM to XFRM.
set -euo pipefail

secs=${KIPSEC_BENCH_SECS:-8}
nsas=${KIPSEC_BENCH_SAS:-10000}
bigsas=${KIPSEC_BENCH_BIG_SAS:-100000}
tmp=$(mktemp -d)

insmod "$KIPSEC_KO"

key_gcm=0x000102030405060708090a0b0c0d0e0f10111213
key_cbc=0x000102030405060708090a0b0c0d0e0f
key_sha=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

topology() {
	local n
	for n in hA gwA gwB hB; do
		ip netns add $n
		ip -n $n link set lo up
	done
	ip link add a0 netns hA type veth peer a1 netns gwA
	ip link add w0 netns gwA type veth peer w1 netns gwB
	ip link add b0 netns hB type veth peer b1 netns gwB
	ip -n hA addr add 10.1.0.2/24 dev a0
	ip -n hA link set a0 up
	ip -n hA route add default via 10.1.0.1
	ip -n gwA addr add 10.1.0.1/24 dev a1
	ip -n gwA link set a1 up
	ip -n gwA addr add 192.0.2.1/24 dev w0
	ip -n gwA link set w0 up
	ip -n gwB addr add 192.0.2.2/24 dev w1
	ip -n gwB link set w1 up
	ip -n gwB addr add 10.2.0.1/24 dev b1
	ip -n gwB link set b1 up
	ip -n hB addr add 10.2.0.2/24 dev b0
	ip -n hB link set b0 up
	ip -n hB route add default via 10.2.0.1
	ip netns exec gwA sysctl -qw net.ipv4.ip_forward=1
	ip netns exec gwB sysctl -qw net.ipv4.ip_forward=1
}

teardown() {
	local n
	for n in hA gwA gwB hB; do ip netns del $n; done
}

# kipsec_sas ALG: one SA pair between the gateways.
kipsec_setup() {
	local alg=$1 gw me peer local remote spi_out spi_in
	for gw in gwA gwB; do
		if [ $gw = gwA ]; then
			me=192.0.2.1 peer=192.0.2.2 local=10.1.0.0/24 remote=10.2.0.0/24
			spi_out=0x1000 spi_in=0x2000
		else
			me=192.0.2.2 peer=192.0.2.1 local=10.2.0.0/24 remote=10.1.0.0/24
			spi_out=0x2000 spi_in=0x1000
		fi
		ip -n $gw link add kipsec0 type kipsec
		ip netns exec $gw kipsec tunnel set kipsec0 local $me remote $peer
		ip -n $gw link set kipsec0 up
		ip -n $gw route add $remote dev kipsec0
		for d in out in; do
			local spi=$spi_out
			[ $d = in ] && spi=$spi_in
			case $alg in
			gcm) algs="aead aes-gcm-128 key $key_gcm icv 128" ;;
			cbc) algs="enc aes-cbc-128 key $key_cbc auth hmac-sha256-128 key $key_sha" ;;
			esac
			ip netns exec $gw kipsec sa add kipsec0 dir $d spi $spi proto esp \
				$algs proxy-id local $local remote $remote
		done
	done
}

xfrm_setup() {
	local alg=$1 gw algs
	case $alg in
	gcm) algs="aead rfc4106(gcm(aes)) $key_gcm 128" ;;
	cbc) algs="enc cbc(aes) $key_cbc auth-trunc hmac(sha256) $key_sha 128" ;;
	esac
	for gw in gwA gwB; do
		ip -n $gw xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \
			reqid 1 mode tunnel $algs
		ip -n $gw xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2000 \
			reqid 1 mode tunnel $algs
	done
	ip -n gwA xfrm policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	for d in in fwd; do
		ip -n gwA xfrm policy add dir $d src 10.2.0.0/24 dst 10.1.0.0/24 \
			tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 1 mode tunnel
		ip -n gwB xfrm policy add dir $d src 10.1.0.0/24 dst 10.2.0.0/24 \
			tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	done
	ip -n gwB xfrm policy add dir out src 10.2.0.0/24 dst 10.1.0.0/24 \
		tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 1 mode tunnel
	ip -n gwA route add 10.2.0.0/24 via 192.0.2.2
	ip -n gwB route add 10.1.0.0/24 via 192.0.2.1
}

iperf_json() {
	# iperf_json FIELD ARGS...: run the client in hA, print one figure.
	local field=$1
	shift
	ip netns exec hA iperf3 -c 10.2.0.2 -t "$secs" -J "$@" >"$tmp/iperf.json"
	python3 - "$field" "$tmp/iperf.json" <<'PY'
import json, sys
field, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
end = r["end"]
if field == "bps":
    print("%.0f" % end["sum_received"]["bits_per_second"])
else:
    s = end["sum"]
    print("%.0f" % ((s["packets"] - s["lost_packets"]) / s["seconds"]))
PY
}

throughput() {
	local tag=$1
	ip netns exec hA ping -q -c 2 -W 3 10.2.0.2 >/dev/null
	echo "${tag}_tcp1_bps=$(iperf_json bps)"
	echo "${tag}_tcp4_bps=$(iperf_json bps -P 4)"
	echo "${tag}_udp64_pps=$(iperf_json pps -u -b 0 -l 64)"
}

now() { date +%s.%N; }

# Install $nsas inbound SAs with distinct SPIs through one batch.
install_kipsec_many() {
	local n=$1 file=$tmp/kipsec.batch
	python3 - "$n" "$key_gcm" >"$file" <<'PY'
import sys
n, key = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print("sa add kipsec0 dir in spi %d proto esp aead aes-gcm-128 key %s" % (0x10000 + i, key))
PY
	local t0 t1
	t0=$(now)
	ip netns exec gwB kipsec -batch "$file"
	t1=$(now)
	python3 -c "print('%.3f' % ($t1 - $t0))"
}

install_xfrm_many() {
	local n=$1 file=$tmp/xfrm.batch
	python3 - "$n" "$key_gcm" >"$file" <<'PY'
import sys
n, key = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print("xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi %d reqid 2 mode tunnel aead rfc4106(gcm(aes)) %s 128" % (0x10000 + i, key))
PY
	local t0 t1
	t0=$(now)
	ip -n gwB -batch "$file"
	t1=$(now)
	python3 -c "print('%.3f' % ($t1 - $t0))"
}

for stack in xfrm kipsec; do
	for alg in gcm cbc; do
		topology
		ip netns exec hB iperf3 -s -D >/dev/null
		${stack}_setup $alg
		throughput "${stack}_${alg}"
		if [ $alg = gcm ]; then
			echo "${stack}_install_${nsas}_s=$(install_${stack}_many "$nsas")"
			pkill iperf3 || true
			teardown
			# The same tunnel with $bigsas more SAs installed beside it.
			topology
			ip netns exec hB iperf3 -s -D >/dev/null
			${stack}_setup $alg
			install_${stack}_many "$bigsas" >/dev/null
			echo "${stack}_${alg}_big_tcp1_bps=$(iperf_json bps)"
		fi
		pkill iperf3 || true
		teardown
	done
done
rmmod kipsec
rm -rf "$tmp"
