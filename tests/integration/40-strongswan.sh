#!/bin/bash
# kipsecd against strongSwan's charon (tools/strongswan.py), the make check
# subset of issue 6's matrix: kipsec as initiator (Main Mode, PFS group 14,
# aes-gcm-128) and as responder (Aggressive Mode, three proxy-ID pairs,
# aes-cbc-256 + sha256); a rekey started by kipsec under a continuous
# ping; wrong PSK, proxy IDs, PFS on one side and no common proposal, each
# with kipsecd's diagnostic. make interop runs the whole matrix.
# check: alone (timing: a rekey under a continuous ping)
# vm-options: --timeout 900
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
rc=0

command -v kipsecd >/dev/null || fail "kipsecd is not on PATH (make userland)"
[ -x /usr/lib/ipsec/charon ] && command -v swanctl >/dev/null ||
	fail "no charon or swanctl (tools/deps.sh installs strongSwan)"
step "load the module; two sites, kipsec0 on gwA, charon on gwB"
insmod "$KIPSEC_KO"
topo_up
step "kipsecd on gwA against charon on gwB"
python3 "$(dirname "$0")/tools/strongswan.py" ${STRONGSWAN_ARGS:---set subset} || rc=$?
if [ "$rc" != 0 ]; then
	echo "# --- charon.log (last 60 lines)"
	tail -60 /tmp/strongswan-test/charon/charon.log 2>/dev/null | sed 's/^/# /'
fi
step "tear down"
topo_down
[ "$rc" = 0 ] || fail "some checks failed (see the 'not ok' lines)"
echo "[$scenario] all steps passed"
