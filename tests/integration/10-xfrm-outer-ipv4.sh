#!/bin/bash
# kipsec against Linux XFRM over outer IPv4, every algorithm: AES-GCM and
# AES-CCM (128-, 192-, 256-bit keys; 64-, 96-, 128-bit ICVs),
# ChaCha20-Poly1305, AES-GMAC (each key size), and each of AES-CBC, AES-CTR
# (each key size), 3DES, DES and NULL with each of HMAC-MD5-96, HMAC-SHA1-96,
# HMAC-SHA256-128, HMAC-SHA384-192, HMAC-SHA512-256, AES-XCBC-96 or none
# (not for NULL); ESN off (inner IPv4) and on (inner IPv6). Per cell
# (tools/interop.py): ping both ways, a 1 MiB TCP stream checked by
# SHA-256 at the far end, kipsec's SA counters equal to XFRM's; one TAP
# line per cell.
# vm-options: --timeout 900
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
interop 4
