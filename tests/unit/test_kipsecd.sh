#!/usr/bin/env bash
# kipsecd on the host, without the kernel module: it starts although the
# "kipsec" generic netlink family is missing (and says so in status), opens
# its IKE socket on a free high port, answers kipsec ike status/up/down/
# reload on a temporary control socket (up fails: no SAs can be installed
# without the module; down succeeds, there is nothing to delete),
# applies a reload, refuses a second instance, replaces a stale socket, and
# on SIGTERM exits 0 and removes its socket. TAP on stdout. Built into
# build/tests/test_kipsecd by `make unit-tests`; needs build/bin/kipsec and
# build/bin/kipsecd (KIPSEC_BIN overrides where they are).
# Never loads a module; needs no privilege.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${KIPSEC_BIN:-}
for b in "$here/../bin" "$here/../../build/bin" build/bin; do
	[ -n "$bin" ] || { [ -x "$b/kipsecd" ] && bin=$(cd "$b" && pwd); }
done
kipsec=$bin/kipsec
kipsecd=$bin/kipsecd
tmp=$(mktemp -d /tmp/kipsecd-test.XXXXXX)
sock=$tmp/ctl.sock
# An unprivileged port, different for concurrent runs.
port=$((20000 + $$ % 20000))
conf=$tmp/kipsecd.conf
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

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

printf 'secret\n' >"$tmp/site.psk"
chmod 600 "$tmp/site.psk"
write_conf() {	# write_conf IPSEC-PROPOSALS THIRD-TUNNEL
	cat >"$conf" <<EOC
[global]
control-socket = $sock
ike-port = $port
log-target = stderr
log-level = debug

[tunnel site-b]
interface = kipsec0
local = 192.0.2.1
remote = 198.51.100.2
psk-file = site.psk
ipsec-proposals = $1
proxy-id = 10.1.0.0/24 10.2.0.0/24

[tunnel $2]
interface = kipsec1
local = 192.0.2.1
remote = 203.0.113.$([ "$2" = site-c ] && echo 3 || echo 4)
psk-file = site.psk
start = respond-only
EOC
}

start_daemon() {	# start_daemon LOG: kipsecd -f in the background, wait for its socket
	"$kipsecd" -f -c "$conf" >"$1" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && "$kipsec" ike status -S "$sock" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

stop_daemon() {	# stop_daemon: SIGTERM, wait; sets $status
	kill -TERM "$pid"
	wait "$pid"
	status=$?
	pid=
}

echo "1..27"

write_conf g14-esp-aes256-sha256 site-c
start_daemon "$tmp/d1.log"
ok $? "kipsecd starts without the kipsec module" "$(cat "$tmp/d1.log")"
log=$(cat "$tmp/d1.log")
has "$log" 'kernel: ' && has "$log" 'trying again every 10 s'
ok $? "the missing module is logged, with the retry" "$log"
has "$log" "ike: listening on UDP port $port"
ok $? "the IKE socket is open on ike-port" "$log"
ok "$([ "$(stat -c %a "$sock")" = 600 ] && echo 0 || echo 1)" "the control socket has mode 0600" \
	"$(stat -c %a "$sock")"

out=$("$kipsec" ike status -S "$sock" 2>&1)
ok $? "kipsec ike status" "$out"
has "$out" "kernel: not connected: " && has "$out" "tunnel site-b: idle" &&
	has "$out" "tunnel site-c: idle" && has "$out" "interface kipsec0 local 192.0.2.1 remote 198.51.100.2" &&
	has "$out" "proxy-id 10.1.0.0/24 10.2.0.0/24: no SAs" &&
	has "$out" "ipsec-proposals g14-esp-aes256-sha256;"
ok $? "status shows the configuration, the state and the kernel's absence" "$out"

out=$("$kipsec" ike status site-c -S "$sock" 2>&1)
has "$out" "tunnel site-c: idle" && ! has "$out" "site-b" && has "$out" "start respond-only"
ok $? "kipsec ike status NAME shows that tunnel only" "$out"

out=$("$kipsec" -j ike status -S "$sock" 2>&1)
python3 - "$out" <<'EOP'
import json, sys
d = json.loads(sys.argv[1])
assert d["daemon"]["kernel"] is False, d
assert "kernel-error" in d["daemon"], d
t = {x["name"]: x for x in d["tunnels"]}
assert set(t) == {"site-b", "site-c"}, t
b = t["site-b"]
assert b["state"] == "idle" and b["interface"] == "kipsec0", b
assert b["ipsec-proposals"] == ["g14-esp-aes256-sha256"], b
assert b["proxy-ids"][0]["proxy-id"] == "10.1.0.0/24 10.2.0.0/24", b
assert b["proxy-ids"][0]["sas"] is False, b
EOP
ok $? "kipsec -j ike status is JSON with the same facts" "$out"

out=$("$kipsec" ike up site-b -S "$sock" 2>&1)
st=$?
[ "$st" = 1 ] && has "$out" "kipsec: ike up site-b: the kipsec module is not connected (" &&
	has "$out" "no SAs can be installed"
ok $? "ike up without the module fails with the kernel's reason" "status $st: $out"
out=$("$kipsec" ike down site-b -S "$sock" 2>&1)
st=$?
[ "$st" = 0 ] && has "$out" "tunnel site-b: down"
ok $? "ike down without SAs succeeds" "status $st: $out"
out=$("$kipsec" ike status site-b -S "$sock" 2>&1)
has "$out" "tunnel site-b: down" && has "$out" "last error: up: the kipsec module is not connected" &&
	has "$out" "counters: up 1, down 1,"
ok $? "status counts the requests and keeps the last error" "$out"

out=$("$kipsec" ike up nosuch -S "$sock" 2>&1)
st=$?
[ "$st" = 1 ] && has "$out" "no tunnel \"nosuch\" in $conf"
ok $? "an unknown tunnel is named in the error" "status $st: $out"
out=$("$kipsec" ike up 'a/b' -S "$sock" 2>&1)
[ $? = 2 ]
ok $? "a malformed tunnel name is a usage error" "$out"

# Reload: site-b's Phase 2 changes, site-c goes, site-d comes.
write_conf "g14-esp-aes128gcm16" site-d
out=$("$kipsec" ike reload -S "$sock" 2>&1)
ok $? "kipsec ike reload" "$out"
has "$out" "tunnel site-c: removed" && has "$out" "tunnel site-b: changed (phase 2)" &&
	has "$out" "tunnel site-d: added"
ok $? "reload reports what changed" "$out"
out=$("$kipsec" ike status -S "$sock" 2>&1)
has "$out" "tunnel site-d: idle" && ! has "$out" "tunnel site-c" &&
	has "$out" "ipsec-proposals g14-esp-aes128gcm16;" && has "$out" "1 reload"
ok $? "status after reload shows the new table" "$out"
log=$(cat "$tmp/d1.log")
has "$log" "tunnel=site-c down (reload: tunnel removed)" &&
	has "$log" "tunnel=site-b down (reload: phase 2 changed)"
ok $? "reload calls the down hook of removed and changed tunnels" "$log"

out=$("$kipsec" ike reload -S "$sock" 2>&1)
has "$out" "no changes"
ok $? "a reload without changes says so" "$out"

echo "bogus = 1" >>"$conf"
out=$("$kipsec" ike reload -S "$sock" 2>&1)
st=$?
[ "$st" = 1 ] && has "$out" "$conf:21: key 'bogus': unknown key"
ok $? "a bad file is refused with FILE:LINE and the running one kept" "status $st: $out"
out=$("$kipsec" ike status -S "$sock" 2>&1)
has "$out" "tunnel site-d: idle"
ok $? "status after a refused reload is unchanged" "$out"
write_conf "g14-esp-aes128gcm16" site-d

kill -HUP "$pid"
for _ in $(seq 50); do
	grep -q "reloaded $conf" "$tmp/d1.log" && break
	sleep 0.05
done
grep -q "SIGHUP: reloading" "$tmp/d1.log" && grep -q "reloaded $conf: 0 changes" "$tmp/d1.log"
ok $? "SIGHUP reloads" "$(tail -5 "$tmp/d1.log")"

out=$("$kipsecd" -f -c "$conf" 2>&1)
st=$?
[ "$st" = 1 ] && has "$out" "another kipsecd is running: it answers on $sock"
ok $? "a second kipsecd refuses to start" "status $st: $out"

stop_daemon
[ "$status" = 0 ] && [ ! -e "$sock" ]
ok $? "SIGTERM: exit 0 and the socket is removed" "status $status; $(tail -5 "$tmp/d1.log")"
has "$(cat "$tmp/d1.log")" "tunnel=site-d down (shutdown)"
ok $? "SIGTERM calls every tunnel's down hook" "$(tail -8 "$tmp/d1.log")"

# The IKE port taken: a clear error, exit 1.
# The holder says when it has the port (python starts slowly on a busy machine).
python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(sys.argv[1]))); open(sys.argv[2], "w").close(); time.sleep(30)' "$port" "$tmp/held" &
holder=$!
for _ in $(seq 100); do [ -e "$tmp/held" ] && break; sleep 0.1; done
out=$(timeout 20 "$kipsecd" -f -c "$conf" 2>&1)
st=$?
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
[ "$st" = 1 ] && has "$out" "IKE socket on UDP port $port (IPv4): Address already in use" && [ ! -e "$sock" ]
ok $? "ike-port in use: kipsecd says so and exits 1" "status $st: $out"

# A socket left by a kipsecd that died is replaced.
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$sock"
start_daemon "$tmp/d2.log"
ok $? "kipsecd starts over a stale socket" "$(cat "$tmp/d2.log")"
stop_daemon

echo "ipsec-proposals = g2-esp-aes128-sha7" >>"$conf"
out=$("$kipsecd" -f -c "$conf" 2>&1)
st=$?
[ "$st" = 1 ] && has "$out" "$conf:21: key 'ipsec-proposals': " && [ ! -e "$sock" ]
ok $? "a bad configuration at start: FILE:LINE: key ..., exit 1" "status $st: $out"

[ "$failed" = 0 ]
