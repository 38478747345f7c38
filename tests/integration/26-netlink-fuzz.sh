#!/bin/bash
# vm-options: --timeout 900
# Randomized netlink fuzz (build/tests/nlfuzz): 100,000 random and mutated
# kipsec requests (random commands, flags, attributes and nests; truncated,
# bit-flipped, duplicated, lying lengths), interleaved with valid adds,
# updates, deletes, dumps and flushes, as root against a namespace with
# three tunnels and SAs. The VM runner fails the run on any kernel report
# or kmemleak leak. Afterwards the module must still add, show and delete
# an SA, and unload. NLFUZZ_SEED repeats a run, NLFUZZ_COUNT changes its
# length.
. "$(dirname "$0")/lib.sh"
# Each check reports its own status (TAP) rather than ending the run.
set +e
count=${NLFUZZ_COUNT:-100000}
seed=${NLFUZZ_SEED:-}
n=0
rc=0
tap() {	# tap STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; rc=1; fi
}

step "load the module; three tunnels (two with addresses, SAs on both)"
echo >/proc/sys/kernel/modprobe
insmod "$KIPSEC_KO"
ip netns add nlf
ip -n nlf -batch - <<-EOB || fail "devices"
link set lo up
link add kipsec0 type kipsec
link add kipsec1 type kipsec
link add kipsec2 type kipsec
link add dummy0 type dummy
EOB
ip netns exec nlf kipsec -batch - <<-EOB || fail "tunnels and SAs"
tunnel set kipsec0 local 192.0.2.1 remote 198.51.100.2
tunnel set kipsec1 local 2001:db8::1 remote 2001:db8::2
sa add kipsec0 dir out spi 0x1000 proto esp aead aes-gcm-128 key 0x000102030405060708090a0b0c0d0e0f10111213
sa add kipsec0 dir in spi 0x1001 proto esp enc aes-cbc-128 key 0x000102030405060708090a0b0c0d0e0f auth hmac-sha256-128 key 0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f
sa add kipsec1 dir out spi 0x1002 proto esp aead chacha20-poly1305 key 0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f10111213
EOB

step "fuzz: $count messages"
start=$(date +%s)
ip netns exec nlf build/tests/nlfuzz -n "$count" ${seed:+-s "$seed"} \
	kipsec0 kipsec1 kipsec2 dummy0 >/tmp/nlfuzz.out 2>&1
st=$?
cat /tmp/nlfuzz.out
tap $st "nlfuzz sent $count messages in $(( $(date +%s) - start )) s and the family still answers ($(sed -n 's/^# nlfuzz //p' /tmp/nlfuzz.out))"

step "the module still works: add, show, delete, flush"
k=0x00112233445566778899aabbccddeeff01020304
ns() { ip netns exec nlf "$@"; }
ns kipsec sa flush
tap $? "sa flush after the fuzz"
ns kipsec tunnel set kipsec2 local 192.0.2.9 remote 198.51.100.9 >/dev/null 2>&1 || true
ns kipsec sa add kipsec0 dir out spi 0x9000 proto esp aead aes-gcm-128 key $k
tap $? "sa add after the fuzz"
out=$(ns kipsec sa show kipsec0)
printf '%s\n' "$out"
[ "$(printf '%s\n' "$out" | grep -c 'spi 0x00009000\|spi 0x9000')" = 1 ] &&
	! printf '%s' "$out" | grep -qi 00112233445566778899
tap $? "sa show lists exactly the new SA, without its key"
ns kipsec sa del kipsec0 dir out spi 0x9000 proto esp
tap $? "sa del after the fuzz"
[ -z "$(ns kipsec sa show)" ]
tap $? "no SA left"

step "tear down"
ip netns del nlf
sleep 1
rmmod kipsec
tap $? "rmmod kipsec"
# tools/vm/run checks the whole console (and kmemleak) again afterwards.
! dmesg | grep -E 'BUG:|WARNING:|Oops|KASAN:|UBSAN:|circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|Call Trace:'
tap $? "no kernel warning, KASAN or lockdep report in dmesg"
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
