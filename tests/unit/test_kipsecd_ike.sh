#!/usr/bin/env bash
# Two kipsecd on the host negotiating with each other over loopback, the
# module link faked (build/tests/kipsecd_fake, tests/unit/fake_kernel.c):
# the daemon's glue to the IKE engine (ike.c, ike_sock.c) without a VM.
# A (127.0.0.1, start = immediately) and B (127.0.0.2, respond-only):
# Main Mode + Quick Mode up, status on both sides, SPIs that match
# across; kipsec ike down on A removes B's SAs (Delete) and ike up brings
# them back; an unchanged reload keeps the SAs, a changed one renegotiates;
# Aggressive Mode with two proxy IDs and a 10 s lifetime rekeys on
# kipsecd's own timers (the fake module takes no lifetimes); a wrong PSK
# gives the diagnostics and no SAs; SIGTERM on A removes B's SAs. TAP on
# stdout. The real module is exercised by tests/integration/30-kipsecd.sh.
# Never loads a module; needs no privilege.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${KIPSEC_BIN:-}
for b in "$here/../bin" "$here/../../build/bin" build/bin; do
	[ -n "$bin" ] || { [ -x "$b/kipsec" ] && bin=$(cd "$b" && pwd); }
done
kipsec=$bin/kipsec
fake=${KIPSECD_FAKE:-$bin/../tests/kipsecd_fake}
tmp=$(mktemp -d /tmp/kipsecd-ike-test.XXXXXX)
pa= pb=
trap '[ -n "$pa" ] && kill -9 $pa 2>/dev/null; [ -n "$pb" ] && kill -9 $pb 2>/dev/null; rm -rf "$tmp"' EXIT
port_a=$((30000 + $$ % 15000))
port_b=$((port_a + 1))

n=0
failed=0
ok() {	# ok STATUS NAME [DETAIL]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}
has() {	# has TEXT PATTERN: grep -F
	grep -qF -- "$2" <<<"$1"
}
wait_for() {	# wait_for SECONDS CMD...: until CMD succeeds
	local i
	for i in $(seq $(($1 * 10))); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

conf() {	# conf SIDE PORT START LOCAL REMOTE PSK EXTRA...
	local side=$1
	printf '%s\n' "$6" >"$tmp/$side.psk"
	chmod 600 "$tmp/$side.psk"
	{
		printf '[global]\ncontrol-socket = %s\nike-port = %s\nlog-target = stderr\nlog-level = debug\n\n' \
			"$tmp/$side.sock" "$2"
		printf '[tunnel t]\ninterface = kipsec0\nlocal = %s\nremote = %s\npsk-file = %s\nstart = %s\n' \
			"$4" "$5" "$tmp/$side.psk" "$3"
		shift 6
		printf '%s\n' "$@"
	} >"$tmp/$side.conf"
}

start() {	# start SIDE: the fake kipsecd of that side, in the background
	local side=$1 peer spi
	if [ "$side" = a ]; then peer=$port_b spi=0xa0000001; else peer=$port_a spi=0xb0000001; fi
	rm -f "$tmp/$side.sas"
	FAKE_PEER_PORT=$peer FAKE_SPI_BASE=$spi FAKE_DUMP=$tmp/$side.sas \
		"$fake" -f -c "$tmp/$side.conf" >"$tmp/$side.log" 2>&1 &
	if [ "$side" = a ]; then pa=$!; else pb=$!; fi
	wait_for 5 "$kipsec" ike status -S "$tmp/$side.sock" >/dev/null 2>&1
}

stop() {	# stop SIDE: SIGTERM, wait; sets $status
	local p
	if [ "$1" = a ]; then p=$pa pa=; else p=$pb pb=; fi
	[ -n "$p" ] || return 0
	kill -TERM "$p"
	wait "$p"
	status=$?
}

st() {	# st SIDE: kipsec ike status t
	"$kipsec" ike status t -S "$tmp/$1.sock" 2>&1
}
sas() {	# sas SIDE: the fake module's SAs, sorted
	sort "$tmp/$1.sas" 2>/dev/null
}
spis() {	# spis SIDE DIR
	sas "$1" | awk -v d="$2" '$1 == d { print $2 }'
}
up_both() {	# up_both PAIRS
	[ "$(spis a in | wc -l)" = "$1" ] && [ "$(spis b in | wc -l)" = "$1" ] &&
		has "$(st a)" "tunnel t: up" && has "$(st b)" "tunnel t: up"
}
matched() {	# A's outbound SPIs are B's inbound ones and back
	[ -n "$(spis a out)" ] && [ "$(spis a out)" = "$(spis b in)" ] &&
		[ "$(spis b out)" = "$(spis a in)" ]
}
logs() {
	tail -15 "$tmp/a.log" | sed 's/^/A: /'
	tail -15 "$tmp/b.log" | sed 's/^/B: /'
}

echo "1..16"

conf a $port_a immediately 127.0.0.1 127.0.0.2 "kipsecd test secret"
conf b $port_b respond-only 127.0.0.2 127.0.0.1 "kipsecd test secret"
start b && start a
wait_for 10 up_both 1
ok $? "Main Mode + Quick Mode: A (immediately) and B (respond-only) are up" "$(logs)"
matched
ok $? "SPIs match: A out == B in, B out == A in" "$(sas a; echo --; sas b)"
out=$(st a)
has "$out" "phase 1: established (aes256-sha256-modp2048, initiator)" &&
	has "$out" "spi in 0x$(spis a in) out 0x$(spis a out)" &&
	has "$out" "in 7 packets" && has "$out" "phase 1 ok 1 failed 0, phase 2 ok 1 failed 0"
ok $? "status: phase 1, the SPIs, the module's counters" "$out"
has "$(st b)" "phase 1: established (aes256-sha256-modp2048, responder)"
ok $? "status on the responder" "$(st b)"
soft=$(sed -n 's/.*fake kernel: SA pair in a0000001 out b0000001, soft \([0-9]*\) s hard 3600 s$/\1/p' "$tmp/a.log")
[ -n "$soft" ] && [ "$soft" -ge 3060 ] && [ "$soft" -le 3240 ]
ok $? "lifetimes: hard as agreed, soft at 85-90 %" "$(grep 'fake kernel' "$tmp/a.log")"

out=$("$kipsec" ike down t -S "$tmp/a.sock" 2>&1)
wait_for 5 eval '[ -z "$(sas a)" ] && [ -z "$(sas b)" ]'
ok $? "ike down on A: A's SAs gone, B's removed by the Deletes" "$out; $(sas a; sas b)"
has "$(st a)" "tunnel t: down" && has "$(st b)" "tunnel t: idle"
ok $? "status: A down, B idle" "$(st a | head -1); $(st b | head -1)"
"$kipsec" ike up t -S "$tmp/a.sock" >/dev/null 2>&1 && wait_for 10 up_both 1 && matched
ok $? "ike up on A brings it back" "$(logs)"

before=$(sas a)
out=$("$kipsec" ike reload -S "$tmp/a.sock" 2>&1)
[ "$(sas a)" = "$before" ] && has "$out" "no changes" && has "$(st a)" "tunnel t: up"
ok $? "an unchanged reload keeps the SAs" "$out"
echo "ipsec-lifetime = 30m" >>"$tmp/a.conf"
out=$("$kipsec" ike reload -S "$tmp/a.sock" 2>&1)
wait_for 10 eval 'up_both 1 && matched && [ "$(sas a)" != "$before" ]'
ok $? "a changed reload renegotiates: new SPIs on both sides" "$out; $(logs)"
has "$(st a)" "1799 s left" || has "$(st a)" "1800 s left"
ok $? "... with the new lifetime" "$(st a)"

stop a
wait_for 5 eval '[ -z "$(sas b)" ]'
ok $? "SIGTERM on A: B's SAs removed by A's Deletes" "$(sas b)"
[ "$status" = 0 ] && [ -z "$(sas a)" ]
ok $? "... A exits 0 with its SAs deleted" "status $status; $(sas a)"
stop b

# Aggressive Mode, two proxy IDs, 10 s lifetime: rekeys on our own timers.
conf a $port_a immediately 127.0.0.1 127.0.0.2 "kipsecd test secret" "mode = aggressive" \
	"ipsec-proposals = nopfs-esp-aes128gcm16" "ipsec-lifetime = 10s" \
	"proxy-id = 10.1.0.0/24 10.2.0.0/24" "proxy-id = 10.1.1.0/24 10.2.0.0/24"
conf b $port_b respond-only 127.0.0.2 127.0.0.1 "kipsecd test secret" "mode = aggressive" \
	"ipsec-proposals = nopfs-esp-aes128gcm16" "ipsec-lifetime = 10s" \
	"proxy-id = 10.2.0.0/24 10.1.0.0/24" "proxy-id = 10.2.0.0/24 10.1.1.0/24"
start b && start a
wait_for 10 up_both 2 && matched && grep -q "established (aggressive mode" "$tmp/a.log"
ok $? "Aggressive Mode, no PFS, two proxy IDs: two pairs on each side" "$(logs)"
first=$(spis a in)
wait_for 15 eval 'grep -q "rekeyed 1 times" <<<"$(st a)" && [ "$(grep -c "rekeyed [1-9] times" <<<"$(st a)")" = 2 ]'
out=$(st a)
has "$out" "expires soft 2" || has "$out" "expires soft 3" || has "$out" "expires soft 4"
ok $? "a 10 s lifetime: both pairs rekeyed at their soft time (kipsecd's timers)" "$out; $(logs)"
stop a
stop b

# A wrong PSK.
conf a $port_a immediately 127.0.0.1 127.0.0.2 "one secret"
conf b $port_b respond-only 127.0.0.2 127.0.0.1 "another secret"
start b && start a
wait_for 10 grep -q "pre-shared keys differ" "$tmp/b.log" &&
	wait_for 5 grep -q "peer says AUTHENTICATION-FAILED" "$tmp/a.log" &&
	[ -z "$(sas a)" ] && [ -z "$(sas b)" ] && has "$(st a)" "last error: phase 1: peer says AUTHENTICATION-FAILED" &&
	! grep -q "one secret\|another secret" "$tmp/a.log" "$tmp/b.log"
ok $? "wrong PSK: 'pre-shared keys differ' on B, AUTHENTICATION-FAILED on A, no SAs, no key in the logs" "$(logs)"
stop a
stop b

[ "$failed" = 0 ]
