#!/usr/bin/env bash
# The bash completion of kipsec (userland/completion/kipsec.bash): it
# sources cleanly, and completes objects, commands, devices, keywords and
# algorithm names. TAP on stdout. Built into build/tests/test_completion
# by `make unit-tests`; needs no kernel module (the device list is stubbed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
comp=${KIPSEC_COMPLETION:-}
for c in "$here/../../userland/completion/kipsec.bash" userland/completion/kipsec.bash; do
	[ -n "$comp" ] || { [ -f "$c" ] && comp=$c; }
done
n=0
failed=0
ok() {	# ok STATUS NAME [DETAIL]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || echo "# $3"
		failed=$((failed + 1))
	fi
}

echo "1..23"
# shellcheck source=userland/completion/kipsec.bash
err=$(set -eu; . "$comp" 2>&1 >/dev/null) && [ -z "$err" ]
ok $? "sources cleanly under set -eu" "$err"
# shellcheck source=userland/completion/kipsec.bash
. "$comp"
complete -p kipsec 2>/dev/null | grep -q -- '-F _kipsec'
ok $? "registers _kipsec for kipsec"

# The devices, as if `ip link show type kipsec` listed them.
_kipsec_links() { printf '%s\n' kipsec0 kipsec1 tun-east; }

# expect "WORDS..." "WANT...": complete the last word (may be empty).
expect() {
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kipsec kipsec "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	# shellcheck disable=SC2086 # one word each
	want=$(printf '%s\n' $want | sort | xargs)
	[ "$got" = "$want" ]
	ok $? "'$line' completes to '$want'" "got '$got'"
}

expect "kipsec " "tunnel sa spi monitor ike help"
expect "kipsec -j s" "sa spi"
expect "kipsec sa " "add update del delete show list flush"
expect "kipsec sa add " "kipsec0 kipsec1 tun-east"
expect "kipsec tunnel set kip" "kipsec0 kipsec1"
expect "kipsec tunnel set kipsec0 local 192.0.2.1 " "remote"
expect "kipsec spi alloc kipsec0 proto " "esp ah"
expect "kipsec sa add kipsec0 dir " "in out"
expect "kipsec sa add kipsec0 dir out spi 0x1000 proto esp aead aes-g" \
	"aes-gcm-128 aes-gcm-192 aes-gcm-256 aes-gmac-128 aes-gmac-192 aes-gmac-256"
expect "kipsec sa add kipsec0 dir out spi 0x1000 proto esp aead aes-gcm-128 " "key"
expect "kipsec sa add kipsec0 enc aes-cbc-128 key 0x00 auth hmac-sha" \
	"hmac-sha256-128 hmac-sha384-192 hmac-sha512-256 hmac-sha1-96"
expect "kipsec sa del kipsec0 dir in " "spi proto"
expect "kipsec sa add kipsec0 dir in spi 1 proto esp aead chacha20-poly1305 key - proxy-id local 10.0.0.0/8 proto " \
	"any tcp udp icmp icmpv6 ipv6-icmp sctp gre"
expect "kipsec sa add kipsec0 dir in spi 1 proto esp aead chacha20-poly1305 key - esn " "on off"
expect "kipsec ike " "up down status reload"
expect "kipsec -S /tmp/x.sock i" "ike"
expect "kipsec sa add kipsec0 dir out spi 1 proto esp aead aes-gcm-128 key - lifetime " "soft hard"
expect "kipsec sa add kipsec0 dir out spi 1 proto esp aead aes-gcm-128 key - lifetime soft " \
	"time use-time bytes packets"
expect "kipsec sa add kipsec0 dir out spi 1 proto ah " "auth replay-window esn ah-align seq lifetime proxy-id"
expect "kipsec sa add kipsec0 dir out spi 1 proto ah ah-align " "4 8"
expect "kipsec sa add kipsec0 dir out spi 1 proto esp lifetime hard time 60 " \
	"aead enc auth icv replay-window esn seq lifetime proxy-id"
[ "$failed" = 0 ]
