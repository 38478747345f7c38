#!/bin/bash
# kipsecd on both gateways (tools/kipsecd.py): Main Mode and Aggressive
# Mode with Quick Mode bring kipsec0 up end to end; PFS group 14 and none;
# three proxy-ID pairs; start = on-traffic (ACQUIRE); a rekey under a
# continuous ping with ipsec-lifetime = 20s; kipsec ike down and SIGTERM
# send Deletes the other side honours; a wrong PSK gives its diagnostic.
# vm-options: --timeout 900
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

command -v kipsecd >/dev/null || fail "kipsecd is not on PATH (make userland)"
step "load the module; two sites, kipsec0 on both gateways"
insmod "$KIPSEC_KO"
topo_up
step "kipsecd on gwA and gwB"
python3 "$(dirname "$0")/tools/kipsecd.py" || rc=$?
if [ "$rc" != 0 ]; then
	for f in /tmp/kipsecd-test/*/kipsecd.log; do
		echo "# --- $f (last 40 lines)"
		tail -40 "$f" | sed 's/^/# /'
	done
fi
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
