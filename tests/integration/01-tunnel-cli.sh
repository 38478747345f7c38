#!/bin/bash
# Tunnel devices and their configuration through the CLI, in two network
# namespaces; module load and unload with devices present.
. "$(dirname "$0")/lib.sh"

step "without the module, the CLI says so"
expect_err 1 "kipsec kernel module is not loaded" kipsec tunnel show

step "load the module"
insmod "$KIPSEC_KO"
grep -q '^kipsec ' /proc/modules || fail "kipsec is not in /proc/modules"
expect_ok kipsec -V
[[ "$out" =~ ^kipsec\ [0-9] ]] || fail "kipsec -V printed '$out'"

step "two namespaces, a kipsec device in each"
ip netns add a
ip netns add b
ip -n a link add kipsec0 type kipsec
ip -n b link add kipsec0 type kipsec
ip -n b link add kipsec1 type kipsec
expect_ok ip -n a -d link show kipsec0
[[ "$out" == *"kipsec"* ]] || fail "ip -d link show does not show the kind: $out"
expect_ok ip netns exec a kipsec tunnel show
expect_eq "a's tunnels before set" "$out" "kipsec0: local none remote none"

step "set IPv4 outer addresses in a, IPv6 in b"
expect_ok ip netns exec a kipsec tunnel set kipsec0 local 192.0.2.1 remote 198.51.100.2
expect_ok ip netns exec b kipsec tunnel set kipsec0 local 2001:db8::1 remote 2001:db8:ffff::2
expect_ok ip netns exec a kipsec tunnel show kipsec0
expect_eq "a: show kipsec0" "$out" "kipsec0: local 192.0.2.1 remote 198.51.100.2"
expect_ok ip netns exec b kipsec tunnel show kipsec0
expect_eq "b: show kipsec0" "$out" "kipsec0: local 2001:db8::1 remote 2001:db8:ffff::2"

step "each namespace lists only its own tunnels"
expect_ok ip netns exec a kipsec tunnel show
expect_eq "a: number of tunnels" "$(echo "$out" | wc -l)" 1
expect_ok ip netns exec b kipsec tunnel show
expect_eq "b: number of tunnels" "$(echo "$out" | wc -l)" 2
[[ "$out" == *"kipsec1: local none remote none"* ]] || fail "b: kipsec1 missing: $out"

step "JSON output"
expect_ok ip netns exec b kipsec -j tunnel show
expect_eq "json: count" "$(json_get "$out" 'len(j)')" 2
expect_ok ip netns exec b kipsec tunnel show kipsec0 -j
expect_eq "json: ifname" "$(json_get "$out" 'j[0]["ifname"]')" kipsec0
expect_eq "json: local" "$(json_get "$out" 'j[0]["local"]')" 2001:db8::1
expect_eq "json: remote" "$(json_get "$out" 'j[0]["remote"]')" 2001:db8:ffff::2
ifindex=$(ip netns exec b cat /sys/class/net/kipsec0/ifindex)
expect_eq "json: ifindex" "$(json_get "$out" 'j[0]["ifindex"]')" "$ifindex"
expect_ok ip netns exec a kipsec -j tunnel show
expect_ok ip netns exec b kipsec tunnel show kipsec1 --json
expect_eq "json: unset local" "$(json_get "$out" 'j[0]["local"]')" None

step "change one end only"
expect_ok ip netns exec a kipsec tunnel set kipsec0 remote 203.0.113.7
expect_ok ip netns exec a kipsec tunnel show kipsec0
expect_eq "a: after remote change" "$out" "kipsec0: local 192.0.2.1 remote 203.0.113.7"

step "rejected requests name the attribute and change nothing"
expect_err 1 "different families.*attribute local-ipv6" \
	ip netns exec a kipsec tunnel set kipsec0 local 2001:db8::5
expect_err 1 "not a unicast IPv4 address.*attribute remote-ipv4" \
	ip netns exec a kipsec tunnel set kipsec0 remote 224.0.0.1
expect_err 1 "not a unicast IPv4 address.*attribute local-ipv4" \
	ip netns exec a kipsec tunnel set kipsec0 local 0.0.0.0
expect_err 1 "not a unicast IPv6 address.*attribute remote-ipv6" \
	ip netns exec b kipsec tunnel set kipsec0 remote ff02::1
expect_err 1 "not a unicast IPv6 address.*attribute local-ipv6" \
	ip netns exec b kipsec tunnel set kipsec0 local ::ffff:192.0.2.1
expect_ok ip netns exec a kipsec tunnel show kipsec0
expect_eq "a: unchanged" "$out" "kipsec0: local 192.0.2.1 remote 203.0.113.7"
expect_ok ip netns exec b kipsec tunnel show kipsec0
expect_eq "b: unchanged" "$out" "kipsec0: local 2001:db8::1 remote 2001:db8:ffff::2"

step "devices of another namespace, and other devices, are not kipsec's to touch"
ip -n a link add kipsec9 type kipsec
expect_err 1 "no such device.*attribute ifname" \
	ip netns exec b kipsec tunnel set kipsec9 local 192.0.2.9
expect_err 1 "no such device.*attribute ifname" ip netns exec b kipsec tunnel show kipsec9
expect_err 1 "not a kipsec device.*attribute ifname" \
	ip netns exec a kipsec tunnel set lo local 192.0.2.9
ip -n a link add dummy0 type dummy
expect_err 1 "not a kipsec device" ip netns exec a kipsec tunnel show dummy0

step "usage errors name the word"
expect_err 2 'unknown keyword "lokal"' kipsec tunnel set kipsec0 lokal 192.0.2.1
expect_err 2 '"300.1.1.1" after "local"' kipsec tunnel set kipsec0 local 300.1.1.1
expect_err 2 'unknown object "tunel"' kipsec tunel show
expect_err 2 'unknown command "sett"' kipsec tunnel sett kipsec0
expect_ok kipsec help
[[ "$out" == *"tunnel set DEV"* ]] || fail "help does not list tunnel set"

step "an unprivileged user is refused"
expect_err 1 "CAP_NET_ADMIN" \
	ip netns exec a setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all kipsec tunnel show
expect_err 1 "CAP_NET_ADMIN" \
	ip netns exec a setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all kipsec tunnel set kipsec0 local 192.0.2.99
expect_ok ip netns exec a kipsec tunnel show kipsec0
expect_eq "a: unchanged after EPERM" "$out" "kipsec0: local 192.0.2.1 remote 203.0.113.7"

step "delete a device; the others stay"
ip -n a link del kipsec9
expect_ok ip netns exec a kipsec tunnel show
expect_eq "a: after delete" "$out" "kipsec0: local 192.0.2.1 remote 203.0.113.7"

step "a namespace that dies takes its tunnels along"
ip netns add c
ip -n c link add kipsec0 type kipsec
ip netns exec c kipsec tunnel set kipsec0 local 192.0.2.3 remote 192.0.2.4
ip netns del c

step "a tunnel cannot move to another namespace"
ip netns add d
if ip -n a link set kipsec0 netns d 2>/dev/null; then
	fail "kipsec0 moved to another namespace"
fi
ip netns del d

step "rmmod with devices present removes them"
rmmod kipsec
! grep -q '^kipsec ' /proc/modules || fail "kipsec still loaded"
if ip -n a link show kipsec0 2>/dev/null || ip -n b link show kipsec1 2>/dev/null; then
	fail "devices survived rmmod"
fi

step "load and unload again"
insmod "$KIPSEC_KO"
ip -n a link add kipsec0 type kipsec
expect_ok ip netns exec a kipsec tunnel show kipsec0
expect_eq "fresh device" "$out" "kipsec0: local none remote none"
rmmod kipsec
ip netns del a
ip netns del b
echo "[$scenario] all steps passed"
