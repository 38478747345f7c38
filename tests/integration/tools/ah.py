#!/usr/bin/env python3
"""AH (RFC 4302) tunnel mode: kipsec on gwA against Linux XFRM AH on gwB.

Traffic (one SA pair per cell, as interop.py does for ESP): each of the
six integrity algorithms over outer IPv4 and outer IPv6; ESN on for one
outer family and off for the other (alternating between algorithms), the
inner family the outer one with ESN off and the other one with ESN on.
Then each algorithm over outer IPv4 with "ah-align 4" against an XFRM
state with "flag align4" (which refuses 8-byte padding), and the first
one so over outer IPv6 too.
Per cell: ping both ways, a TCP stream (1 MiB in half the cells, so that
every algorithm carries one; --small-bytes elsewhere) whose length and
SHA-256 match at the far end, and kipsec's SA packet and byte counters
equal to XFRM's (ip -s xfrm state), no drop on either side.

Negative (--negative; held on the wire and injected as in negative.py),
for hmac-sha256-128 over outer IPv4 (ESN off: the AH header is 8-byte
padded, as XFRM's ah4 pads it) and hmac-sha1-96 over outer IPv6 (ESN on):
  - a packet with one bit of its inner packet flipped: drop_auth +1, not
    delivered;
  - a packet whose sequence number has a bit flipped: drop_auth +1;
  - the first packet with its outer TTL / hop limit changed (IPv4: and
    its header checksum fixed), as a router would: accepted, delivered;
  - the same packet again: drop_replay +1, not delivered;
  - the second packet with its TTL / hop limit and DSCP (IPv4) or flow
    label (IPv6) changed: accepted, delivered;
every counter of the cell's SAs and of the tunnel checked for its exact
change.

  ah.py [--select REGEX] [--bytes N] [--small-bytes N] [--negative]
        [--expect-cryptd] [--label TEXT]
"""

import argparse
import concurrent.futures
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cells as C  # noqa: E402
import interop  # noqa: E402

import ipsectest as T  # noqa: E402
from negative import (check_delta, expect_delivery, neigh,  # noqa: E402
                      received, snapshot)

PORT = 4200
NOBODY = "02:00:00:00:00:01"
PACKET_OTHERHOST = 3


class AhAlg:
    """One integrity algorithm alone, for AH."""

    def __init__(self, auth):
        self.auth = auth
        self.aead = self.enc = None
        self.name = "ah %s" % auth[0]

    def key(self, seed):
        return [C.Alg(enc=("null", "", 0), auth=self.auth).key(seed)[1]]

    def kipsec_args(self, keys):
        return "auth %s key 0x%s" % (self.auth[0], keys[0].hex())

    def xfrm_args(self, keys):
        return "auth-trunc %s 0x%s %d" % (self.auth[1], keys[0].hex(),
                                          self.auth[3])


AH_ALGS = [AhAlg(a) for a in C.AUTHS]


def find_alg(name):
    for a in AH_ALGS:
        if a.name == name:
            return a
    raise KeyError(name)


class AhCell(C.Cell):
    """A cell of cells.py with AH SAs and XFRM states in place of ESP.
    The traffic cells take a replay window of 1024 (see cells.Cell); the
    negative cases keep 64. With align4, kipsec's SAs say "ah-align 4" and
    XFRM's states "flag align4", as strongSwan installs them: XFRM then
    takes only 4-byte padding over IPv4 (and still 8 over IPv6)."""

    align4 = False

    def kipsec_lines(self, tunnel=None):
        lines = [l.replace(" proto esp ", " proto ah ", 1)
                 for l in super().kipsec_lines(tunnel)]
        if self.align4:  # before the proxy ID, which comes last
            lines = [l.replace(" proxy-id ", " ah-align 4 proxy-id ", 1)
                     for l in lines]
        return lines

    def xfrm_lines(self):
        return [l.replace("proto esp", "proto ah")
                for l in super().xfrm_lines()]


def make_cells(algs, big, small):
    """Every algorithm over outer IPv4 and IPv6, ESN alternating; then
    each algorithm over outer IPv4 with 4-byte alignment, and the first
    one over outer IPv6 with it (where it must change nothing)."""
    cells = []
    for i, alg in enumerate(algs):
        for outer in (4, 6):
            esn = bool(i % 2) ^ (outer == 6)
            c = AhCell(len(cells), alg, outer, esn)
            c.window = 1024
            c.bulk_up = bool(i % 2) ^ (outer == 4)
            c.nbytes = big if (i % 2) ^ (outer == 6) else small
            cells.append(c)
    for i, alg in enumerate(algs):
        for outer in (4, 6) if i == 0 else (4,):
            c = AhCell(len(cells), alg, outer, bool(i % 2))
            c.align4 = True
            c.xfrm_flags = ("align4",)
            c.name += ", align 4"
            c.window = 1024
            c.bulk_up = bool(i % 2)
            c.nbytes = small
            cells.append(c)
    return cells


def traffic(cell, server):
    return interop.traffic(cell, server, cell.nbytes)


def check_counters(tap, cells, results):
    ksa, xs = interop.settled_counters(cells)
    for c in cells:
        problems = list(results[c.idx][0]) + interop.pair_problems(
            c, ksa, xs, c.nbytes // 1500, proto="ah")
        tap.ok(not problems, "%s: ping both ways, %d KiB TCP %s, counters "
               "agree with XFRM" % (c.name, c.nbytes // 1024,
                                    "hA->hB" if c.bulk_up else "hB->hA"),
               problems)


def check_cryptd(tap, algs):
    """Each algorithm's hash has a cryptd instance (kipsec's; XFRM asks
    for the bare transforms)."""
    wrapped = []
    name = None
    with open("/proc/crypto") as f:
        for l in f:
            k, _, v = l.partition(":")
            k, v = k.strip(), v.strip()
            if k == "name":
                name = v
            elif k == "driver" and v.startswith("cryptd("):
                wrapped.append("%s = %s" % (name, v))
    for a in algs:
        hits = [n for n in wrapped if n.split(" = ")[0] == a.auth[1]]
        tap.ok(bool(hits), "%s is wrapped in cryptd: %s" % (
            a.name, ", ".join(hits) or "no"),
            ["cryptd instances: %s" % ", ".join(wrapped)])


# --- negative ----------------------------------------------------------------

class Case:
    """An SA pair for held-and-injected packets: proxy ID hA to a /25 on
    hB, UDP to PORT; XFRM's selectors wider."""

    def __init__(self, k, alg, outer, esn):
        if outer == 4:
            net, hb = "10.3.%d.0/25" % k, "10.3.%d.1" % k
            xsel = ("10.1.0.0/16", "10.3.%d.0/24" % k)
            ha = C.HA[4] + "/32"
        else:
            net, hb = "fd00:3::%x:0/113" % k, "fd00:3::%x:1" % k
            xsel = ("fd00:a::/64", "fd00:3::%x:0/112" % k)
            ha = C.HA[6] + "/128"
        pid = "proxy-id local %s remote %s proto udp lport %d" % (ha, net,
                                                                  PORT)
        self.c = AhCell(k, find_alg(alg), outer, esn, inner=outer, pid=pid,
                        xsel=xsel)
        self.c.hb = hb
        self.name = "%s, outer IPv%d, esn %s" % (alg, outer,
                                                 "on" if esn else "off")
        self.n = 0

    def token(self):
        self.n += 1
        return ("kipsec-ah %s #%d %s" % (self.name, self.n,
                                         os.urandom(6).hex())).encode()

    def inner_len(self, payload):
        return (20 if self.c.outer == 4 else 40) + 8 + len(payload)


NEG_CASES = [(100, "ah hmac-sha256-128", 4, False),
             (101, "ah hmac-sha1-96", 6, True)]


def parse_ah(frame):
    """(outer family, AH offset in FRAME, SPI, seq) if FRAME is an Ethernet
    frame carrying AH right behind the IP header, else None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800 and frame[23] == 51:
        fam, off = 4, 14 + (frame[14] & 0x0f) * 4
    elif etype == 0x86dd and frame[20] == 51:
        fam, off = 6, 14 + 40
    else:
        return None
    spi, seq = struct.unpack("!II", frame[off + 4:off + 12])
    return fam, off, spi, seq


def ip_csum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def edit(frame, mac, flip_inner=False, seq_xor=0, ttl=None, dscp=None,
         flow=None):
    b = bytearray(mac + frame[6:])
    fam, off, _, seq = parse_ah(frame)
    if flip_inner:
        hlen = (b[off + 1] + 2) * 4
        b[off + hlen + (len(b) - off - hlen) // 2] ^= 0x10
    if seq_xor:
        b[off + 8:off + 12] = struct.pack("!I", seq ^ seq_xor)
    if fam == 4:
        if ttl is not None:
            b[14 + 8] = ttl
        if dscp is not None:
            b[14 + 1] = (dscp << 2) | (b[14 + 1] & 3)
        ihl = (b[14] & 0x0f) * 4
        b[14 + 10:14 + 12] = b"\0\0"
        b[14 + 10:14 + 12] = struct.pack("!H", ip_csum(bytes(b[14:14 + ihl])))
    else:
        if ttl is not None:
            b[14 + 7] = ttl
        if flow is not None:
            b[14 + 1] = (b[14 + 1] & 0xf0) | ((flow >> 16) & 0x0f)
            b[14 + 2:14 + 4] = struct.pack("!H", flow & 0xffff)
    return bytes(b)


def held(sniffer, case, count, timeout=5.0):
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        for f, pkttype in sniffer.take():
            a = parse_ah(f)
            if a and a[2] == case.c.spi_in and pkttype == PACKET_OTHERHOST:
                frames.append(f)
    return frames


def run_case(tap, case):
    c = case.c
    lsn = T.udp_listener("hA", c.ha, PORT)
    sniffer = T.Sniffer("gwA", "w0")
    mac = sniffer.s.getsockname()[4][:6]
    mac_str = ":".join("%02x" % x for x in mac)

    def send(tok):
        T.udp_send("hB", c.hb, c.ha, PORT, tok)

    def inject(what, frame, tok, delivered, want):
        T.inject("gwB", "w1", frame)
        expect_delivery(tap, case, what, lsn, tok, 1 if delivered else 0)
        return check_delta(tap, case, what, snap, want)

    try:
        snap = snapshot(case)
        tok = case.token()
        send(tok)
        expect_delivery(tap, case, "control", lsn, tok, 1)
        snap = check_delta(tap, case, "control", snap, {
            "in SA packets": 1, "in SA bytes": case.inner_len(tok)})

        neigh(case, NOBODY)
        toks = [case.token() for _ in range(3)]
        for t in toks:
            send(t)
        frames = held(sniffer, case, 3)
        neigh(case, mac_str)
        if not tap.ok(len(frames) == 3, "%s: three AH packets held on the "
                      "wire" % case.name, "held %d" % len(frames)):
            return
        snap = check_delta(tap, case, "held packets", snap, {})
        f1, f2, f3 = frames
        ttl = 7 if c.outer == 4 else 9

        snap = inject("one bit of the inner packet flipped",
                      edit(f1, mac, flip_inner=True), toks[0], False,
                      {"in SA drop_auth": 1})
        snap = inject("a bit of the sequence number flipped",
                      edit(f3, mac, seq_xor=1 << 20), toks[2], False,
                      {"in SA drop_auth": 1})
        what = ("outer TTL changed, checksum fixed" if c.outer == 4 else
                "outer hop limit changed")
        snap = inject(what, edit(f1, mac, ttl=ttl), toks[0], True,
                      {"in SA packets": 1,
                       "in SA bytes": case.inner_len(toks[0])})
        snap = inject("the same packet again (a replay)",
                      edit(f1, mac, ttl=ttl), toks[0], False,
                      {"in SA drop_replay": 1})
        if c.outer == 4:
            what, f = ("outer TTL and DSCP changed",
                       edit(f2, mac, ttl=ttl + 1, dscp=10))
        else:
            what, f = ("outer hop limit and flow label changed",
                       edit(f2, mac, ttl=ttl + 1, flow=0x12345))
        snap = inject(what, f, toks[1], True,
                      {"in SA packets": 1,
                       "in SA bytes": case.inner_len(toks[1])})
        tok = case.token()
        send(tok)
        expect_delivery(tap, case, "control at the end", lsn, tok, 1)
        check_delta(tap, case, "control at the end", snap, {
            "in SA packets": 1, "in SA bytes": case.inner_len(tok)})
    finally:
        sniffer.close()
        lsn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--select", default=".", help="regex on algorithm names")
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--small-bytes", type=int, default=128 << 10)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--negative", action="store_true")
    ap.add_argument("--expect-cryptd", action="store_true")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    tap = T.Tap()
    algs = [a for a in AH_ALGS if re.search(args.select, a.name)]
    cells = make_cells(algs, args.bytes, args.small_bytes)
    for c in cells:
        c.name = args.label + c.name
    cases = [Case(*x) for x in NEG_CASES] if args.negative else []
    for case in cases:
        case.name = args.label + case.name
    tap.note("%d AH cells, %d negative cases" % (len(cells), len(cases)))

    t0 = time.monotonic()
    try:
        interop.setup(cells + [x.c for x in cases], tap)
    except RuntimeError as e:
        tap.ok(False, "%sinstall the AH SAs on kipsec and XFRM" % args.label,
               [str(e)] + T.dmesg_tail())
        return tap.done()
    tap.note("set-up: %.1f s" % (time.monotonic() - t0))
    if args.expect_cryptd:
        check_cryptd(tap, algs)

    tun0 = T.kipsec_tunnels("gwA")
    xstat0 = interop.xfrm_stat("gwB")
    server = T.TcpServer("hB")
    results = {}
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.parallel) as ex:
        futs = {ex.submit(traffic, c, server): c for c in cells}
        for f in concurrent.futures.as_completed(futs):
            c = futs[f]
            try:
                results[c.idx] = f.result()
            except Exception as e:  # a bug here is a failure, not a crash
                results[c.idx] = (["driver: %r" % e], 0.0)
            tap.note("%s: traffic %s in %.1f s" % (
                c.name, "fine" if not results[c.idx][0] else "FAILED",
                results[c.idx][1]))
    tap.note("traffic: %.1f s" % (time.monotonic() - t0))
    check_counters(tap, cells, results)
    if tap.failed:
        interop.diagnostics(tap)

    tun1 = T.kipsec_tunnels("gwA")
    xstat1 = interop.xfrm_stat("gwB")
    tp = ["%s %s: %d -> %d" % (d, k, tun0[d]["stats"][k], v)
          for d in ("kipsec4", "kipsec6")
          for k, v in tun1[d]["stats"].items()
          if v != tun0[d]["stats"].get(k)]
    tap.ok(not tp, "%stunnel drop counters stayed at their values" %
           args.label, tp)
    xp = ["%s: %d -> %d" % (k, xstat0[k], v) for k, v in xstat1.items()
          if v != xstat0[k] and k != "XfrmOutStateModeError"]
    tap.ok(not xp, "%sXFRM on gwB counted no errors" % args.label, xp)

    for case in cases:
        run_case(tap, case)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
