#!/bin/bash
# kipsecd on both gateways (tools/kipsecd.py): Main Mode and Aggressive
# Mode with Quick Mode bring kipsec0 up end to end; the predefined
# proposal sets and custom ones with and without PFS; three proxy-ID
# pairs; each mismatch (PSK, proxy ID, PFS, phase 2 and phase 1 proposal)
# gives its diagnostic; start = on-traffic (ACQUIRE); a ping every 50 ms
# across three rekeys loses nothing; kill -9 and restart recovers through
# INITIAL-CONTACT; DPD notices a killed peer; kipsec ike down and SIGTERM
# send Deletes the other side honours.
# check: alone (timing: lifetimes, rekeys, DPD)
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
