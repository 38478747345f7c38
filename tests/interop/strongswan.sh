#!/usr/bin/env bash
# The IKEv1 engine against strongSwan's charon, natively in a private
# network namespace (no VM: only IKE is tested). charon logs the IPsec keys
# it derives (chd = 4); every key ike_peer "installs" must be among them,
# which checks KEYMAT, its split and the direction of each key. charon's
# own SAs go to its userland ESP (kernel-libipsec, a TUN device), so no
# kernel ESP is needed. Needs root, unshare, /dev/net/tun, charon, swanctl
# and the plugin (strongswan-charon, strongswan-swanctl,
# libcharon-extra-plugins).
#
#   tests/interop/strongswan.sh [SCENARIO...]
#
# Scenarios: main-init (kipsec initiates Main Mode, no PFS, AES-CBC/SHA-256),
# main-resp (charon initiates, PFS modp2048, AES-GCM), aggr-init (Aggressive
# Mode, FQDN IDs, PFS ecp256), rekey (main-init plus a Quick Mode rekey and
# delete), psk-resp and pfs-resp (charon initiates with another PSK / with
# PFS we do not want: our one diagnostic line). Prints PASS/FAIL per scenario.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peer=$top/build/tests/interop/ike_peer
[ -x "$peer" ] || make -C "$top" build/tests/interop/ike_peer >/dev/null || exit 1
charon=/usr/lib/ipsec/charon
[ -x "$charon" ] && command -v swanctl >/dev/null || { echo "SKIP: no charon/swanctl"; exit 77; }

if [ "${IN_NETNS:-}" != 1 ]; then
	IN_NETNS=1 exec unshare -n "$0" "$@"
fi

run_scenario() {	# NAME
	local name=$1 dir
	dir=$(mktemp -d /tmp/kipsec-interop.XXXXXX)
	chmod 700 "$dir"
	local psk="interop test key $RANDOM$RANDOM"
	printf '%s\n' "$psk" > "$dir/site.psk"
	chmod 600 "$dir/site.psk"

	local mode=main ike=aes256-sha256-modp2048 ipsec=nopfs-esp-aes256-sha256
	local sw_ike=aes256-sha256-modp2048 sw_esp=aes256-sha256 aggr=no
	local lid="" rid="" sw_lid=192.0.2.2 sw_rid=192.0.2.1 who=kipsec extra="" expect=""
	case $name in
	main-init) ;;
	main-resp) who=charon ipsec=g14-esp-aes128gcm16 sw_esp=aes128gcm16-modp2048 ;;
	aggr-init)
		mode=aggressive aggr=yes ike=aes128-sha1-ecp256 sw_ike=aes128-sha1-ecp256
		ipsec=g19-esp-aes128-sha256 sw_esp=aes128-sha256-ecp256
		lid="local-id = fqdn:kipsec.example.net" rid="remote-id = fqdn:swan.example.net"
		sw_lid=swan.example.net sw_rid=kipsec.example.net ;;
	rekey) extra="rekey down" ;;
	psk-resp) who=charon expect="phase 1: message 5 does not decrypt to a valid message: pre-shared keys differ" ;;
	pfs-resp) who=charon sw_esp=aes256-sha256-modp2048
		expect="phase 2: no proposal chosen: peer offered g14-esp-aes256-sha256; we accept nopfs-esp-aes256-sha256 (no pfs expected, peer sent modp2048)" ;;
	esac
	local sw_psk=$psk
	[ $name = psk-resp ] && sw_psk="something else"


	cat > "$dir/kipsecd.conf" <<CONF
[tunnel t]
interface = kipsec0
local = 192.0.2.1
remote = 192.0.2.2
mode = $mode
$lid
$rid
psk-file = site.psk
ike-proposals = $ike
ipsec-proposals = $ipsec
proxy-id = 10.1.0.0/24 10.2.0.0/24
CONF
	cat > "$dir/strongswan.conf" <<CONF
charon {
	i_dont_care_about_security_and_use_aggressive_mode_psk = yes
	port = 5000
	port_nat_t = 5001
	install_routes = no
	retransmit_timeout = 2
	plugins {
		vici { socket = unix://$dir/charon.vici }
	}
	filelog {
		log { path = $dir/charon.log
			default = 1
			ike = 2
			cfg = 2
			knl = 1
			chd = 4 }
	}
}
CONF
	cat > "$dir/swanctl.conf" <<CONF
connections {
	t {
		version = 1
		aggressive = $aggr
		local_addrs = 192.0.2.2
		remote_addrs = 192.0.2.1
		remote_port = 500
		proposals = $sw_ike
		local { auth = psk
			id = $sw_lid }
		remote { auth = psk
			id = $sw_rid }
		children {
			net { local_ts = 10.2.0.0/24
				remote_ts = 10.1.0.0/24
				esp_proposals = $sw_esp
				start_action = none }
		}
	}
}
secrets {
	ike-t { id-a = $sw_lid
		id-b = $sw_rid
		secret = "$sw_psk" }
}
CONF
	STRONGSWAN_CONF=$dir/strongswan.conf $charon >"$dir/charon.out" 2>&1 &
	local cpid=$!
	for _ in $(seq 50); do [ -S "$dir/charon.vici" ] && break; sleep 0.1; done
	swanctl --load-all --file "$dir/swanctl.conf" --uri "unix://$dir/charon.vici" \
		>"$dir/swanctl.out" 2>&1
	local secs=8
	[ "$name" = rekey ] && secs=16
	local ppid
	if [ $who = kipsec ]; then
		"$peer" "$dir/kipsecd.conf" t 500 5000 $secs up $extra \
			>"$dir/peer.out" 2>"$dir/peer.log" &
		ppid=$!
	else
		"$peer" "$dir/kipsecd.conf" t 500 5000 $secs \
			>"$dir/peer.out" 2>"$dir/peer.log" &
		ppid=$!
		sleep 0.5
		swanctl --initiate --child net --uri "unix://$dir/charon.vici" \
			>>"$dir/swanctl.out" 2>&1 &
	fi
	wait $ppid 2>/dev/null
	kill $cpid 2>/dev/null; wait $cpid 2>/dev/null

	local ok=1 n
	if [ -n "$expect" ]; then
		# a failure: our one diagnostic line, nothing installed
		grep -qF "$expect" "$dir/peer.log" || { echo "  $name: no line \"$expect\""; ok=0; }
		grep -q '^INSTALL' "$dir/peer.out" && { echo "  $name: installed SAs"; ok=0; }
		finish "$name" "$dir" $ok
		return
	fi
	# every key ike_peer installed must be one charon derived
	n=$(grep -c '^INSTALL' "$dir/peer.out")
	python3 - "$dir/charon.log" "$dir/peer.out" <<'PY' || ok=0
import re, sys
keys, cur = set(), None
for line in open(sys.argv[1]):
    m = re.search(r'\[CHD\] (encryption|integrity) (initiator|responder) key =>', line)
    if m:
        if cur:
            keys.add(''.join(cur))
        cur = []
        continue
    m = re.search(r'\[CHD\]\s+\d+: ((?:[0-9A-F]{2} )+)', line)
    if cur is not None and m:
        cur.append(m.group(1).replace(' ', '').lower())
        continue
    if cur:
        keys.add(''.join(cur))
    cur = None
bad = 0
for line in open(sys.argv[2]):
    if not line.startswith('INSTALL'):
        continue
    f = line.split()
    for kv in f[4:7]:
        k, v = kv.split('=')
        if v and v not in keys:
            print('  SA %s (%s): %s key %s... not among charon\'s' % (f[3], f[1], k, v[:16]))
            bad = 1
sys.exit(bad)
PY
	if [ $who = kipsec ]; then
		[ "$n" -ge 2 ] || { echo "  $name: ike_peer installed $n SAs"; ok=0; }
	else
		# charon installs (and so sends QM3) only with kernel ESP, which
		# a container may lack: check up to its acceptance of our QM2
		grep -q 'established (main mode, .*responder' "$dir/peer.log" ||
			{ echo "  $name: no phase 1 as responder"; ok=0; }
		grep -q 'CHILD_SA net{1} state change: CREATED => INSTALLING' "$dir/charon.log" ||
			{ echo "  $name: charon did not accept our Quick Mode answer"; ok=0; }
		if [ "$n" -ge 2 ]; then :; elif grep -q 'unable to install inbound and outbound IPsec SA' \
			"$dir/charon.log"; then echo "  $name: (keys not compared: charon cannot install SAs here)"
		else echo "  $name: ike_peer installed $n SAs"; ok=0; fi
	fi
	if [ "$name" = rekey ]; then
		[ "$n" -ge 4 ] || { echo "  $name: no rekeyed pair"; ok=0; }
		grep -q 'received DELETE for IKE_SA' "$dir/charon.log" ||
			{ echo "  $name: charon did not take our phase 1 Delete"; ok=0; }
	fi
	finish "$name" "$dir" $ok
}

finish() {	# NAME DIR OK
	if [ "$3" = 1 ]; then
		echo "PASS  $1"
		rm -rf "$2"
	else
		echo "FAIL  $1  (logs: $2)"
		failed=1
	fi
}

ip link set lo up
ip addr add 192.0.2.1/32 dev lo
ip addr add 192.0.2.2/32 dev lo
failed=0
for s in "${@:-main-init main-resp aggr-init rekey psk-resp pfs-resp}"; do
	for one in $s; do run_scenario "$one"; done
done
exit $failed
