#!/bin/bash
# SPIs and SAs through the CLI: SPI allocation, sa add/update/del/flush of
# AEAD and cipher+integrity SAs in both directions and of an AH SA, sa show
# as text, JSON and with counters, rejected requests that leave the table
# alone, -batch (200 lines, FILE:LINE errors, -force), and that no key ever
# comes back.
# vm-options: --timeout 600
. "$(dirname "$0")/lib.sh"

# Everything sa show and spi alloc print, to search for keys at the end.
shows=/tmp/shows
: >"$shows"

# show ARGS...: kipsec ARGS must succeed; stdout in $out, kept in $shows.
show() {
	expect_ok kipsec "$@"
	printf '%s\n' "$out" >>"$shows"
}

# has_line WHAT TEXT LINE: TEXT has LINE, whole.
has_line() {
	printf '%s\n' "$2" | grep -Fxq -- "$3" || fail "$1: no line '$3' in:
$2"
}

# nlines TEXT: its number of lines.
nlines() {
	if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi
}

# no_age JSON: without the SAs' ages, which tick while the table stays put.
no_age() {
	sed -E 's/"age":[0-9]+,//g; s/"use_age":[0-9]+,//g' <<<"$1"
}

# json_check WHAT JSON CODE: run Python CODE with the parsed JSON in j;
# an assert that fails fails the step. One interpreter for many checks:
# each start costs seconds under TCG.
json_check() {
	local msg
	msg=$(python3 -c 'import json, sys
j = json.loads(sys.argv[1])
exec(sys.argv[2])' "$2" "$3" 2>&1) || fail "$1: $msg
JSON: $2"
}

# hexseq FIRST N: N bytes FIRST, FIRST+1, ... in hex, as a recognizable key.
hexseq() {
	local i b s=
	for ((i = $1; i < $1 + $2; i++)); do
		printf -v b %02x $((i & 255))
		s+=$b
	done
	echo "$s"
}

K1=$(hexseq 0xa1 20)	# aes-gcm-128, out 0x1000
K2=$(hexseq 0xc1 36)	# aes-gcm-256, in, from a file
K3=$(hexseq 0x31 16)	# aes-cbc-128, out 0x2000
K4=$(hexseq 0x51 32)	# hmac-sha256-128, out 0x2000
K5=$(hexseq 0x71 8)	# des, in 0x2001, from stdin
K6=$(hexseq 0x91 16)	# hmac-md5-96, in 0x2001
K7=$(hexseq 0x13 32)	# aes-cbc-256, update of out 0x2000
K8=$(hexseq 0xe5 64)	# hmac-sha512-256, update of out 0x2000
K9=$(hexseq 0x27 20)	# hmac-sha1-96, kipsec1
K10=$(hexseq 0x61 20)	# aes-gcm-128, refused duplicate
keys="$K1 $K2 $K3 $K4 $K5 $K6 $K7 $K8 $K9 $K10"

# The aes-gcm-256 key as a file: 0x, upper case, spread over lines.
keyfile=/tmp/k2.hex
{ echo "0x${K2:0:24}"; echo "  ${K2:24:24}" | tr a-f A-F; echo "${K2:48}"; echo; } >"$keyfile"

step "load the module; three tunnels, two with outer addresses"
insmod "$KIPSEC_KO"
ip link add kipsec0 type kipsec
ip link add kipsec1 type kipsec
ip link add kipsec2 type kipsec
expect_ok kipsec tunnel set kipsec0 local 192.0.2.1 remote 198.51.100.2
expect_ok kipsec tunnel set kipsec1 local 192.0.2.11 remote 203.0.113.9
ifindex0=$(cat /sys/class/net/kipsec0/ifindex)
show sa show
expect_eq "no SAs at first" "$out" ""
show -j sa show
expect_eq "no SAs at first (JSON)" "$out" "[]"

step "tunnel show -s: the tunnel's drop counters"
expect_ok kipsec -s tunnel show kipsec0
expect_eq "tunnel -s: lines" "$(nlines "$out")" 3
[[ "$(sed -n 2p <<<"$out")" =~ ^$'\t'"rx no-sa "[0-9]+" malformed "[0-9]+$ ]] ||
	fail "tunnel -s: second line: $out"
[[ "$(sed -n 3p <<<"$out")" =~ ^$'\t'"tx no-sa "[0-9]+" errors "[0-9]+" acquires "[0-9]+$ ]] ||
	fail "tunnel -s: third line: $out"
expect_ok kipsec tunnel show kipsec0 -j -s
json_check "tunnel -j -s" "$out" '
s = j[0]["stats"]
assert sorted(s) == ["acquires", "rx_malformed", "rx_no_sa", "tx_errors", "tx_no_sa"], s
assert all(type(v) is int for v in s.values()), s
assert j[0]["local"] == "192.0.2.1", j'
expect_ok kipsec -j tunnel show kipsec0
json_check "tunnel -j without -s" "$out" 'assert "stats" not in j[0], j'

step "spi alloc: one SPI, as text and as JSON"
show spi alloc kipsec0 proto esp
[[ "$out" =~ ^0x[0-9a-f]{8}$ ]] || fail "spi alloc printed '$out'"
(( out >= 256 )) || fail "spi alloc gave $out, below 256"
spi_in=$out
show -j spi alloc kipsec0 proto esp
json_check "spi alloc -j" "$out" '
assert list(j) == ["spi"], j
assert type(j["spi"]) is int and 256 <= j["spi"] <= 0xffffffff, j
assert j["spi"] != '"$spi_in"', "the same SPI twice"'

step "spi alloc: 50 SPIs in a range, all in it and all different"
batch=/tmp/alloc.batch
for ((i = 0; i < 50; i++)); do
	echo "spi alloc kipsec0 proto esp min 0x10000 max 0x1ffff"
done >"$batch"
show -batch "$batch"
expect_eq "allocations" "$(nlines "$out")" 50
expect_eq "different SPIs" "$(sort -u <<<"$out" | wc -l)" 50
while read -r spi; do
	[[ "$spi" =~ ^0x[0-9a-f]{8}$ ]] && (( spi >= 0x10000 && spi <= 0x1ffff )) ||
		fail "SPI $spi is not in 0x10000..0x1ffff"
done <<<"$out"

step "spi alloc: a range runs out; min above max is refused"
show spi alloc kipsec0 proto esp min 0x30000 max 0x30001
show spi alloc kipsec0 proto esp min 0x30000 max 0x30001
expect_err 1 "spi alloc kipsec0: no free SPI" \
	kipsec spi alloc kipsec0 proto esp min 0x30000 max 0x30001
expect_err 2 '^kipsec: spi alloc: "min" 0x00002000 is greater than "max" 0x00001000$' \
	kipsec spi alloc kipsec0 proto esp min 0x2000 max 0x1000
expect_err 2 '"proto esp" or "proto ah" is required' kipsec spi alloc kipsec0

step "sa add: AEAD and cipher+integrity SAs, each both ways"
expect_ok kipsec sa add kipsec0 dir out spi 0x1000 proto esp aead aes-gcm-128 key "0x$K1" \
	proxy-id local 10.1.0.0/24 remote 10.2.0.0/24
expect_ok kipsec sa add kipsec0 dir in spi "$spi_in" proto esp aead aes-gcm-256 key "$keyfile" \
	icv 96 replay-window 128 esn on proxy-id local 10.1.0.0/24 remote 10.2.0.0/24
expect_ok kipsec sa add kipsec0 dir out spi 0x2000 proto esp enc aes-cbc-128 key "0x$K3" \
	auth hmac-sha256-128 key "0x$K4" \
	proxy-id local 10.1.0.0/24 remote 10.3.0.0/16 proto tcp rport 443
expect_ok kipsec sa add kipsec0 dir in spi 0x2001 proto esp enc des key - \
	auth hmac-md5-96 key "0x$K6" replay-window off <<<"0x$K5"

step "sa show: text"
show sa show kipsec0
expect_eq "lines of 4 SAs" "$(nlines "$out")" 16
spi_in_hex=$(printf 0x%08x "$spi_in")
has_line "out AEAD" "$out" "kipsec0 out spi 0x00001000 esp aead aes-gcm-128 icv 128 esn off"
has_line "out AEAD" "$out" $'\t'"proxy-id local 10.1.0.0/24 remote 10.2.0.0/24 proto any"
has_line "out AEAD" "$out" $'\t'"outer 192.0.2.1 -> 198.51.100.2  seq 0"
has_line "in AEAD" "$out" "kipsec0 in spi $spi_in_hex esp aead aes-gcm-256 icv 96 replay-window 128 esn on"
has_line "in AEAD" "$out" $'\t'"outer 198.51.100.2 -> 192.0.2.1  seq 0"
has_line "out cbc" "$out" "kipsec0 out spi 0x00002000 esp enc aes-cbc-128 auth hmac-sha256-128 esn off"
has_line "out cbc" "$out" $'\t'"proxy-id local 10.1.0.0/24 remote 10.3.0.0/16 proto tcp rport 443"
has_line "in des" "$out" "kipsec0 in spi 0x00002001 esp enc des (weak) auth hmac-md5-96 (weak) replay-window off esn off"
show sa
expect_eq "kipsec sa: all SAs" "$(nlines "$out")" 16
show sa list kipsec1
expect_eq "kipsec1 has none" "$out" ""

step "sa show of one SA, with -s"
show sa show kipsec0 dir out spi 0x1000 proto esp
expect_eq "one SA" "$(nlines "$out")" 4
[[ "$(sed -n 4p <<<"$out")" =~ ^$'\t'"age "[0-9]+"s unused"$ ]] ||
	fail "one SA: age line: $out"
show -s sa show kipsec0 dir out spi 4096 proto esp
expect_eq "one SA, -s" "$(nlines "$out")" 6
expect_eq "-s: packets" "$(sed -n 5p <<<"$out")" $'\t'"packets 0 bytes 0"
expect_eq "-s: drops" "$(sed -n 6p <<<"$out")" \
	$'\t'"drops replay 0 window 0 auth 0 pad 0 proxy-id 0 seq 0 other 0"
expect_err 1 "sa show kipsec0: no such SA.*\(attribute spi\)" \
	kipsec sa show kipsec0 dir out spi 0x1001 proto esp

step "sa show -j -s: every field"
show -j -s sa show kipsec0
json_check "sa -j -s" "$out" '
by = {(s["dir"], s["spi"]): s for s in j}
assert len(j) == 4 and len(by) == 4, j
zero = {k: 0 for k in ("packets", "bytes", "drop_replay", "drop_window",
	"drop_auth", "drop_pad", "drop_proxy_id", "drop_seq", "drop_other")}
for s in j:
	assert s["ifname"] == "kipsec0" and s["ifindex"] == '"$ifindex0"', s
	assert s["proto"] == "esp" and s["seq"] == 0, s
	assert s["stats"] == zero, s
	assert ("replay_window" in s) == (s["dir"] == "in"), s
o = by[("out", 0x1000)]
assert o["aead"] == "aes-gcm-128" and o["icv"] == 128, o
assert "enc" not in o and "auth" not in o, o
assert o["weak"] is False and o["esn"] is False, o
assert o["outer_src"] == "192.0.2.1" and o["outer_dst"] == "198.51.100.2", o
assert o["proxy_id"] == {"local": "10.1.0.0/24", "remote": "10.2.0.0/24",
	"proto": "any", "lport": "0-65535", "rport": "0-65535"}, o
i = by[("in", '"$spi_in"')]
assert i["aead"] == "aes-gcm-256" and i["icv"] == 96, i
assert i["replay_window"] == 128 and i["esn"] is True and i["weak"] is False, i
assert i["outer_src"] == "198.51.100.2" and i["outer_dst"] == "192.0.2.1", i
c = by[("out", 0x2000)]
assert c["enc"] == "aes-cbc-128" and c["auth"] == "hmac-sha256-128", c
assert "aead" not in c and "icv" not in c and c["weak"] is False, c
assert c["proxy_id"]["proto"] == 6 and c["proxy_id"]["rport"] == "443-443", c
assert c["proxy_id"]["lport"] == "0-65535" and c["proxy_id"]["remote"] == "10.3.0.0/16", c
d = by[("in", 0x2001)]
assert d["enc"] == "des" and d["auth"] == "hmac-md5-96" and d["weak"] is True, d
assert d["replay_window"] == 0 and d["esn"] is False, d'
show -j sa show kipsec0
json_check "sa -j without -s" "$out" 'assert len(j) == 4 and all("stats" not in s for s in j), j'

step "with SAs, the tunnel's addresses stay: the same ones again are fine, others refused"
expect_ok kipsec tunnel set kipsec0 local 192.0.2.1 remote 198.51.100.2
expect_err 1 "^kipsec: tunnel set kipsec0: the tunnel has SAs or reserved SPIs: flush them to change its addresses" \
	kipsec tunnel set kipsec0 local 192.0.2.1 remote 198.51.100.3
show tunnel show kipsec0
[[ "$out" == *"remote 198.51.100.2"* ]] || fail "the refused set changed the tunnel: $out"

step "a duplicate add is refused and changes nothing"
show -j sa show
before=$(no_age "$out")
expect_err 1 "^kipsec: sa add kipsec0: .*exists.*\(attribute spi\)" \
	kipsec sa add kipsec0 dir out spi 0x1000 proto esp aead aes-gcm-128 key "0x$K10"
show -j sa show
expect_eq "table after a duplicate add" "$(no_age "$out")" "$before"

step "bad requests name the word or the attribute, and change nothing"
expect_err 2 '^kipsec: sa add: key for aes-gcm-128 must be 20 bytes \(16 \+ 4 salt\), got 16$' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp aead aes-gcm-128 key "0x${K10:0:32}"
grep -qi "${K10:0:16}" /tmp/stderr && fail "the key is in the error: $(cat /tmp/stderr)"
expect_err 2 '^kipsec: sa add: "icv": 72 is not one of 64, 96, 128$' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp aead aes-gcm-128 key "0x$K10" icv 72
expect_err 2 '^kipsec: sa add: key for hmac-sha256-128 must be 32 bytes, got 16$' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp enc aes-cbc-128 key "0x$K3" \
	auth hmac-sha256-128 key "0x$K3"
expect_err 2 'sa add: "local": "10.1.0.1/24" has host bits set; did you mean 10.1.0.0/24\?' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp enc null auth hmac-sha1-96 key "0x$K9" \
	proxy-id local 10.1.0.1/24 remote 10.2.0.0/24
expect_err 2 'sa add: "lifetime": "3600" is not "soft" or "hard"' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp enc null auth hmac-sha1-96 key "0x$K9" lifetime 3600
expect_err 2 'key for aes-cbc-128: cannot open "/nonexistent/key"' \
	kipsec sa add kipsec0 dir out spi 0x3000 proto esp enc aes-cbc-128 key /nonexistent/key
expect_err 1 "^kipsec: sa add kipsec2: .*local and a remote address.*\(attribute ifname\)" \
	kipsec sa add kipsec2 dir out spi 0x3000 proto esp aead aes-gcm-128 key "0x$K1"
expect_err 1 "^kipsec: sa add kipsec2: .*local and a remote address.*\(attribute ifname\)" \
	kipsec sa add kipsec2 dir out spi 0x3000 proto ah auth hmac-sha256-128 key "0x$K4"
expect_err 1 "^kipsec: sa add kipsec9: no such device \(attribute ifname\)" \
	kipsec sa add kipsec9 dir out spi 0x3000 proto esp aead aes-gcm-128 key "0x$K1"
expect_err 1 "^kipsec: sa del kipsec0: no such SA.*\(attribute spi\)" \
	kipsec sa del kipsec0 dir out spi 0x3000 proto esp
expect_err 1 "^kipsec: sa update kipsec0: no such SA.*\(attribute spi\)" \
	kipsec sa update kipsec0 dir out spi 0x3000 proto esp enc null auth hmac-sha1-96 key "0x$K9"
show -j sa show
expect_eq "table after rejected requests" "$(no_age "$out")" "$before"

step "sa update replaces algorithms, keys and proxy ID"
expect_ok kipsec sa update kipsec0 dir out spi 0x2000 proto esp enc aes-cbc-256 key "0x$K7" \
	auth hmac-sha512-256 key "0x$K8" proxy-id local 10.1.0.0/24 remote 10.3.0.0/16
show sa show kipsec0 dir out spi 0x2000 proto esp
has_line "updated" "$out" "kipsec0 out spi 0x00002000 esp enc aes-cbc-256 auth hmac-sha512-256 esn off"
has_line "updated" "$out" $'\t'"proxy-id local 10.1.0.0/24 remote 10.3.0.0/16 proto any"
show sa show kipsec0
expect_eq "still 4 SAs" "$(nlines "$out")" 16

step "sa del"
expect_ok kipsec sa del kipsec0 dir in spi 0x2001 proto esp
expect_err 1 "no such SA" kipsec sa show kipsec0 dir in spi 0x2001 proto esp
show sa show kipsec0
expect_eq "3 SAs left" "$(nlines "$out")" 12

step "AH: an integrity-only SA, shown as proto ah, deleted"
expect_ok kipsec sa add kipsec0 dir in spi 0x3000 proto ah auth hmac-sha256-128 key "0x$K4" \
	replay-window 256 esn on
show sa show kipsec0 dir in spi 0x3000 proto ah
has_line "AH" "$out" "kipsec0 in spi 0x00003000 ah auth hmac-sha256-128 replay-window 256 esn on ah-align 8"
show -j sa show kipsec0 dir in spi 0x3000 proto ah
json_check "AH -j" "$out" '
assert len(j) == 1, j
s = j[0]
assert s["proto"] == "ah", s
assert s["auth"] == "hmac-sha256-128", s
assert not s.get("aead") and not s.get("enc"), s
assert s["ah_align"] == 8, s
'
# the flag goes to the module and comes back from it
expect_ok kipsec sa add kipsec0 dir out spi 0x3001 proto ah auth hmac-sha256-128 key "0x$K4" \
	ah-align 4
show sa show kipsec0 dir out spi 0x3001 proto ah
has_line "AH, 4-byte alignment" "$out" "kipsec0 out spi 0x00003001 ah auth hmac-sha256-128 esn off ah-align 4"
show -j sa show kipsec0 dir out spi 0x3001 proto ah
json_check "AH, 4-byte alignment, -j" "$out" 'assert j[0]["ah_align"] == 4, j'
expect_ok kipsec sa del kipsec0 dir out spi 0x3001 proto ah
expect_err 1 "no such SA" kipsec sa show kipsec0 dir in spi 0x3000 proto esp
expect_ok kipsec sa del kipsec0 dir in spi 0x3000 proto ah
expect_err 1 "no such SA" kipsec sa show kipsec0 dir in spi 0x3000 proto ah

step "sa flush of one tunnel, then of all"
expect_ok kipsec sa add kipsec1 dir out spi 0x1000 proto esp enc null auth hmac-sha1-96 key "0x$K9"
show sa show kipsec1
has_line "null cipher" "$out" "kipsec1 out spi 0x00001000 esp enc null (weak) auth hmac-sha1-96 esn off"
has_line "null cipher" "$out" $'\t'"outer 192.0.2.11 -> 203.0.113.9  seq 0"
show -j sa show
json_check "SAs of both tunnels" "$out" '
assert sorted((s["ifname"], s["dir"], s["spi"]) for s in j) == sorted([
	("kipsec0", "out", 0x1000), ("kipsec0", "in", '"$spi_in"'),
	("kipsec0", "out", 0x2000), ("kipsec1", "out", 0x1000)]), j'
expect_ok kipsec sa flush kipsec1
show sa show kipsec1
expect_eq "kipsec1 after its flush" "$out" ""
show sa show kipsec0
expect_eq "kipsec0 untouched by kipsec1's flush" "$(nlines "$out")" 12
expect_ok kipsec sa flush
show -j sa show
expect_eq "no SAs after a global flush" "$out" "[]"
# The flush also dropped the SPI reservations: the spent range is free.
show spi alloc kipsec0 proto esp min 0x30000 max 0x30000
expect_eq "reservation flushed" "$out" 0x00030000
expect_err 2 'sa flush: unexpected "kipsec1"' kipsec sa flush kipsec0 kipsec1

step "-batch: 200 SAs from a file, comments and quotes, then flush"
batch=/tmp/sa.batch
{
	echo "# 100 outbound AEAD and 100 inbound cipher+integrity SAs"
	for ((i = 0; i < 100; i++)); do
		printf -v k1 %040x "$i"
		printf -v k2 %032x "$i"
		printf -v k3 %040x $((i + 1000))
		echo "sa add kipsec0 dir out spi $((0x40000 + i)) proto esp aead aes-gcm-128 key 0x$k1 proxy-id local 10.1.$i.0/24 remote 10.2.0.0/16"
		echo
		echo "  sa add 'kipsec0' dir in spi $((0x50000 + i)) proto esp enc aes-cbc-128 key 0x$k2 auth \"hmac-sha1-96\" key 0x$k3 # inbound $i"
	done
} >"$batch"
expect_eq "batch: SA lines" "$(grep -c '^ *sa add' "$batch")" 200
show -batch "$batch"
expect_eq "batch: no output" "$out" ""
show -j sa show kipsec0
json_check "200 SAs" "$out" '
spis = sorted((s["dir"], s["spi"]) for s in j)
assert spis == sorted([("out", 0x40000 + i) for i in range(100)] +
	[("in", 0x50000 + i) for i in range(100)]), spis
o = [s for s in j if s["spi"] == 0x40000 + 42][0]
assert o["proxy_id"]["local"] == "10.1.42.0/24" and o["aead"] == "aes-gcm-128", o
i = [s for s in j if s["spi"] == 0x50000 + 7][0]
assert i["enc"] == "aes-cbc-128" and i["auth"] == "hmac-sha1-96", i'
expect_ok kipsec sa flush kipsec0
show -j sa show
expect_eq "flushed after the batch" "$out" "[]"

step "-batch from stdin, options on a line"
expect_ok kipsec -batch - <<EOF
sa add kipsec0 dir out spi 0x6000 proto esp aead chacha20-poly1305 key 0x$(hexseq 1 36)
-j sa show kipsec0
EOF
printf '%s\n' "$out" >>"$shows"
json_check "batch -j line" "$out" '
assert j[0]["aead"] == "chacha20-poly1305" and j[0]["icv"] == 128, j'
expect_err 2 '^kipsec: stdin:1: sa add: key for aes-cbc-128: "-": stdin is the batch file$' \
	kipsec -batch - <<<"sa add kipsec0 dir out spi 0x6001 proto esp enc aes-cbc-128 key -"
expect_ok kipsec sa flush

step "-batch stops at the first failing line and says FILE:LINE"
batch=/tmp/bad.batch
cat >"$batch" <<EOF
sa add kipsec0 dir out spi 0x7000 proto esp enc null auth hmac-sha1-96 key "0x$K9"
# the next line is a duplicate
sa add kipsec0 dir out spi 0x7000 proto esp enc null auth hmac-sha1-96 key "0x$K9"
sa add kipsec0 dir out spi 0x7001 proto esp enc null auth hmac-sha1-96 key "0x$K9"
EOF
expect_err 1 "^kipsec: $batch:3: sa add kipsec0: .*exists.*\(attribute spi\)$" \
	kipsec -batch "$batch"
show -j sa show
json_check "stopped at line 3" "$out" 'assert [s["spi"] for s in j] == [0x7000], j'
expect_ok kipsec sa flush
expect_err 1 "^kipsec: $batch:3: sa add kipsec0: .*exists" kipsec -force -batch "$batch"
show -j sa show
json_check "-force went on" "$out" 'assert sorted(s["spi"] for s in j) == [0x7000, 0x7001], j'
expect_ok kipsec sa flush
printf 'sa flush\nsa add kipsec0 dir out spi 1 proto esp aead aes-gcm-128 key 0x%s icv 72\nsa flush\n' \
	"$K1" >"$batch"
expect_err 2 "^kipsec: $batch:2: sa add: \"icv\": 72 is not one of 64, 96, 128$" \
	kipsec -batch "$batch"
printf 'sa show\nsa add "kipsec0\n' >"$batch"
expect_err 2 "^kipsec: $batch:2: unterminated \" quote$" kipsec -batch "$batch"
expect_err 1 'cannot open the batch file "/nonexistent"' kipsec -batch /nonexistent
expect_err 2 'unexpected "sa": -batch takes its commands from the file' \
	kipsec -batch "$batch" sa show

step "no key ever appears in what show printed"
for k in $keys; do
	if grep -qi -e "$k" -e "${k:0:16}" "$shows"; then
		fail "key material ${k:0:16}... in show output"
	fi
done
[ -s "$shows" ] || fail "nothing was recorded from show"

step "help lists the new commands"
expect_ok kipsec help
[[ "$out" == *"sa {add|update} DEV"* && "$out" == *"spi alloc DEV"* && "$out" == *"-batch FILE"* ]] ||
	fail "help: $out"

step "rmmod with SAs present"
expect_ok kipsec sa add kipsec0 dir out spi 0x1000 proto esp aead aes-gcm-128 key "0x$K1"
expect_ok kipsec sa add kipsec0 dir in spi 0x1000 proto esp aead aes-gcm-128 key "0x$K1"
rmmod kipsec
! grep -q '^kipsec ' /proc/modules || fail "kipsec still loaded"
echo "[$scenario] all steps passed"
