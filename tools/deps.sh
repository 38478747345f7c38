#!/usr/bin/env bash
# Install the Debian packages kipsec needs to build and test, if missing.
# Idempotent; fast (one dpkg-query) when everything is present.
#   tools/deps.sh        what make check, demo and bench need
#   tools/deps.sh fuzz   and clang, for make fuzz
set -euo pipefail

packages=(
	# building the module, the test kernel and userland
	build-essential bc bison flex libelf-dev libssl-dev pkg-config kmod
	xz-utils perl python3 linux-source-6.1 linux-headers-amd64
	libnl-3-dev libnl-genl-3-dev libcmocka-dev
	# running the tests: the VM, and what scenarios use inside it
	qemu-system-x86 iproute2 iputils-ping procps util-linux tcpdump
	# make bench
	iperf3
	# the strongSwan interop scenarios (40-strongswan.sh, make interop):
	# charon; swanctl (with the vici plugin); the openssl and gcm plugins
	# (aes-gcm, 3des, ecp 19/20/21, curve25519) are in standard-plugins.
	# libstrongswan itself has aes, sha1/sha2, hmac, gmp (modp), and
	# libcharon has kernel-netlink and socket-default
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
)

# make fuzz: libFuzzer comes with clang.
[ "${1:-}" = fuzz ] && packages+=(clang)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "tools/deps.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
