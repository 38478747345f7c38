#!/usr/bin/env bash
# Inside the benchmark VM: kipsec and XFRM side by side, same topology,
# same algorithms, figures as key=value lines on stdout (tools/bench/run
# turns them into ratios).
#
#   hA (10.1.0.2) -- gwA -- 192.0.2.0/24 -- gwB -- hB (10.2.0.2)
#
# Both gateways run the stack under test: kipsec to kipsec, XFRM to XFRM.
# Both set-ups exist at once (namespaces prefixed x- and k-), so that the
# measurements alternate between the stacks and drift in the VM's speed
# hits both alike; each figure is the median of KIPSEC_BENCH_REPS runs.
set -euo pipefail

secs=${KIPSEC_BENCH_SECS:-8}
reps=${KIPSEC_BENCH_REPS:-3}
nsas=${KIPSEC_BENCH_SAS:-10000}
bigsas=${KIPSEC_BENCH_BIG_SAS:-100000}
tmp=$(mktemp -d)

insmod "$KIPSEC_KO"

key_gcm=0x000102030405060708090a0b0c0d0e0f10111213
key_cbc=0x000102030405060708090a0b0c0d0e0f
key_sha=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# topology PREFIX: the four namespaces PREFIX-hA, PREFIX-gwA, ...
topology() {
	local p=$1 n
	for n in hA gwA gwB hB; do
		ip netns add $p-$n
		ip -n $p-$n link set lo up
	done
	ip link add a0 netns $p-hA type veth peer a1 netns $p-gwA
	ip link add w0 netns $p-gwA type veth peer w1 netns $p-gwB
	ip link add b0 netns $p-hB type veth peer b1 netns $p-gwB
	ip -n $p-hA addr add 10.1.0.2/24 dev a0
	ip -n $p-hA link set a0 up
	ip -n $p-hA route add default via 10.1.0.1
	ip -n $p-gwA addr add 10.1.0.1/24 dev a1
	ip -n $p-gwA link set a1 up
	ip -n $p-gwA addr add 192.0.2.1/24 dev w0
	ip -n $p-gwA link set w0 up
	ip -n $p-gwB addr add 192.0.2.2/24 dev w1
	ip -n $p-gwB link set w1 up
	ip -n $p-gwB addr add 10.2.0.1/24 dev b1
	ip -n $p-gwB link set b1 up
	ip -n $p-hB addr add 10.2.0.2/24 dev b0
	ip -n $p-hB link set b0 up
	ip -n $p-hB route add default via 10.2.0.1
	ip netns exec $p-gwA sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $p-gwB sysctl -qw net.ipv4.ip_forward=1
}

teardown() {
	local p=$1 n
	for n in hA gwA gwB hB; do ip netns del $p-$n; done
}

# kipsec_setup ALG [PREFIX]: one SA pair between the gateways (k- by default).
kipsec_setup() {
	local alg=$1 p=${2:-k} gw me peer local remote spi_out spi_in d spi algs
	case $alg in
	gcm) algs="aead aes-gcm-128 key $key_gcm icv 128" ;;
	cbc) algs="enc aes-cbc-128 key $key_cbc auth hmac-sha256-128 key $key_sha" ;;
	esac
	for gw in gwA gwB; do
		if [ $gw = gwA ]; then
			me=192.0.2.1 peer=192.0.2.2 local=10.1.0.0/24 remote=10.2.0.0/24
			spi_out=0x1000 spi_in=0x2000
		else
			me=192.0.2.2 peer=192.0.2.1 local=10.2.0.0/24 remote=10.1.0.0/24
			spi_out=0x2000 spi_in=0x1000
		fi
		ip -n $p-$gw link add kipsec0 type kipsec
		ip netns exec $p-$gw kipsec tunnel set kipsec0 local $me remote $peer
		ip -n $p-$gw link set kipsec0 up
		ip -n $p-$gw route add $remote dev kipsec0
		for d in out in; do
			spi=$spi_out
			[ $d = in ] && spi=$spi_in
			# shellcheck disable=SC2086
			ip netns exec $p-$gw kipsec sa add kipsec0 dir $d spi $spi proto esp \
				$algs proxy-id local $local remote $remote
		done
	done
}

# xfrm_setup ALG: the same with XFRM states and policies on the x- gateways.
xfrm_setup() {
	local alg=$1 gw d
	local -a algs
	case $alg in
	gcm) algs=(aead 'rfc4106(gcm(aes))' "$key_gcm" 128) ;;
	cbc) algs=(enc 'cbc(aes)' "$key_cbc" auth-trunc 'hmac(sha256)' "$key_sha" 128) ;;
	esac
	for gw in gwA gwB; do
		ip -n x-$gw xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 \
			reqid 1 mode tunnel "${algs[@]}"
		ip -n x-$gw xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x2000 \
			reqid 1 mode tunnel "${algs[@]}"
	done
	ip -n x-gwA xfrm policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 \
		tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	ip -n x-gwB xfrm policy add dir out src 10.2.0.0/24 dst 10.1.0.0/24 \
		tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 1 mode tunnel
	for d in in fwd; do
		ip -n x-gwA xfrm policy add dir $d src 10.2.0.0/24 dst 10.1.0.0/24 \
			tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 1 mode tunnel
		ip -n x-gwB xfrm policy add dir $d src 10.1.0.0/24 dst 10.2.0.0/24 \
			tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	done
	ip -n x-gwA route add 10.2.0.0/24 via 192.0.2.2
	ip -n x-gwB route add 10.1.0.0/24 via 192.0.2.1
}

# measure PREFIX KIND: one figure from iperf3 between PREFIX-hA and PREFIX-hB.
measure() {
	local p=$1 kind=$2
	local -a args=()
	case $kind in
	tcp4) args=(-P 4) ;;
	udp64) args=(-u -b 0 -l 64) ;;
	esac
	ip netns exec $p-hA iperf3 -c 10.2.0.2 -t "$secs" -J "${args[@]}" >"$tmp/iperf.json"
	python3 - "$kind" "$tmp/iperf.json" <<'PY'
import json, sys
kind, path = sys.argv[1], sys.argv[2]
end = json.load(open(path))["end"]
if kind == "udp64":
    s = end["sum"]
    print("%.0f" % ((s["packets"] - s["lost_packets"]) / s["seconds"]))
else:
    print("%.0f" % end["sum_received"]["bits_per_second"])
PY
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

now() { date +%s.%N; }

# install_many STACK N: N more inbound SAs on gwB through one batch file,
# printing the seconds it took.
install_many() {
	local stack=$1 n=$2 t0 t1
	python3 - "$stack" "$n" "$key_gcm" >"$tmp/batch" <<'PY'
import sys
stack, n, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(n):
    spi = 0x10000 + i
    if stack == "k":
        print("sa add kipsec0 dir in spi %d proto esp aead aes-gcm-128 key %s" % (spi, key))
    else:
        print("xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi %d reqid 2 "
              "mode tunnel aead rfc4106(gcm(aes)) %s 128" % (spi, key))
PY
	t0=$(now)
	if [ "$stack" = k ]; then
		ip netns exec k-gwB kipsec -batch "$tmp/batch"
	else
		ip -n x-gwB -batch "$tmp/batch"
	fi
	t1=$(now)
	python3 -c "print('%.3f' % ($t1 - $t0))"
}

# Throughput and packet rate, both stacks alternating.
for alg in gcm cbc; do
	for p in x k; do
		topology $p
		ip netns exec $p-hB iperf3 -s -D >/dev/null
	done
	xfrm_setup $alg
	kipsec_setup $alg
	for p in x k; do ip netns exec $p-hA ping -q -c 2 -W 3 10.2.0.2 >/dev/null; done
	for kind in tcp1 tcp4 udp64; do
		xs=() ks=()
		for _ in $(seq "$reps"); do
			xs+=("$(measure x $kind)")
			ks+=("$(measure k $kind)")
		done
		echo "xfrm_${alg}_${kind}=$(median "${xs[@]}")"
		echo "kipsec_${alg}_${kind}=$(median "${ks[@]}")"
	done
	pkill iperf3 || true
	teardown x
	teardown k
done

# Install rate: $nsas SAs in one batch, each stack on a fresh set-up.
for p in x k; do
	topology $p
	[ $p = x ] && xfrm_setup gcm || kipsec_setup gcm
	stack=xfrm
	[ $p = k ] && stack=kipsec
	echo "${stack}_install_${nsas}_s=$(install_many $p "$nsas")"
	teardown $p
done

# Scaling: kipsec TCP through a tunnel whose namespace holds $bigsas more
# SAs (k-), against the same tunnel in a namespace without them (c-),
# alternating, so that drift in the VM's speed hits both alike.
for p in k c; do
	topology $p
	ip netns exec $p-hB iperf3 -s -D >/dev/null
	kipsec_setup gcm $p
	ip netns exec $p-hA ping -q -c 2 -W 3 10.2.0.2 >/dev/null
done
echo "kipsec_install_${bigsas}_s=$(install_many k "$bigsas")"
ks=() cs=()
for _ in $(seq $((reps + 2))); do
	ks+=("$(measure k tcp1)")
	cs+=("$(measure c tcp1)")
done
echo "kipsec_gcm_big_tcp1=$(median "${ks[@]}")"
echo "kipsec_gcm_one_tcp1=$(median "${cs[@]}")"
pkill iperf3 || true
teardown k
teardown c

# IKE: Quick Modes per second over one phase 1, with and without PFS,
# and Main Mode + Quick Mode set-ups per second, between two kipsecd; then
# set-ups per second against strongSwan's charon as the responder, with
# kipsecd and with charon as the initiator.
KIPSEC_BENCH_REPS=$reps python3 "$(dirname "$0")/ike.py" "$tmp"

rmmod kipsec
rm -rf "$tmp"
