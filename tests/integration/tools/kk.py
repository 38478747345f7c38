#!/usr/bin/env python3
"""kipsec to kipsec: one tunnel between gwA and gwB carrying four proxy-ID
pairs, each with its own SA pair and algorithm:

  P1  10.1.0.2 <-> 10.2.0.2    aes-gcm-256
  P2  10.1.1.2 <-> 10.2.0.2    aes-cbc-256 + hmac-sha512-256, ESN
        (same remote as P1: only the local prefix tells them apart)
  P3  10.1.0.2 <-> 10.2.1.2    chacha20-poly1305
        (same local as P1: only the remote prefix tells them apart)
  P4  fd00:a::2 <-> fd00:b::2  aes-ccm-128, ICV 96, ESN (inner IPv6)

For each pair, with the others idle:
  - 3 pings each way: the pair's four SAs (out and in on both gateways)
    count exactly 6 packets each, with the exact inner bytes; no other
    SA moves;
  - a 1 MiB TCP stream (SHA-256 checked at the far end): only the pair's
    SAs move, and each gateway's outbound SA counts what the other's
    inbound one does.
Then: a flow that matches no pair is not sent (gwA's tx_no_sa counts it,
no SA moves); after `kipsec sa del` of P2 on gwA, P2's traffic is not
sent either while P1's still flows.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cells as C  # noqa: E402
import ipsectest as T  # noqa: E402

PAIRS = [
    # name, algorithm, esn, gwA's local, gwA's remote, hA address, hB address
    ("P1", "aes-gcm-256 icv 128", False, "10.1.0.2/32", "10.2.0.2/32"),
    ("P2", "aes-cbc-256 + hmac-sha512-256", True, "10.1.1.2/32",
     "10.2.0.2/32"),
    ("P3", "chacha20-poly1305", False, "10.1.0.2/32", "10.2.1.2/32"),
    ("P4", "aes-ccm-128 icv 96", True, "fd00:a::2/128", "fd00:b::2/128"),
]
GWA, GWB = C.GWA[4], C.GWB[4]


class Pair:
    def __init__(self, i, name, alg, esn, local, remote):
        self.name, self.esn = name, esn
        self.alg = C.find_alg(alg)
        self.local, self.remote = local, remote
        self.ha, self.hb = local.split("/")[0], remote.split("/")[0]
        self.spi_ab = 0x1000 + i      # gwA -> gwB
        self.spi_ba = 0x2000 + i      # gwB -> gwA
        self.key_ab = self.alg.key("kk/%d/ab" % i)
        self.key_ba = self.alg.key("kk/%d/ba" % i)
        self.hdr = 20 if ":" not in self.ha else 40
        self.label = "%s (%s <-> %s, %s)" % (name, self.ha, self.hb, alg)

    def lines(self, gw):
        esn = "esn %s" % ("on" if self.esn else "off")
        if gw == "gwA":
            out, inn = (self.spi_ab, self.key_ab), (self.spi_ba, self.key_ba)
            pid = "proxy-id local %s remote %s" % (self.local, self.remote)
        else:
            out, inn = (self.spi_ba, self.key_ba), (self.spi_ab, self.key_ab)
            pid = "proxy-id local %s remote %s" % (self.remote, self.local)
        return [
            "sa add kipsec0 dir out spi 0x%x proto esp %s %s %s" % (
                out[0], self.alg.kipsec_args(out[1]), esn, pid),
            "sa add kipsec0 dir in spi 0x%x proto esp %s %s %s" % (
                inn[0], self.alg.kipsec_args(inn[1]), esn, pid),
        ]

    def sas(self):
        """(gateway, dir, spi) of the pair's four SAs."""
        return [("gwA", "out", self.spi_ab), ("gwB", "in", self.spi_ab),
                ("gwB", "out", self.spi_ba), ("gwA", "in", self.spi_ba)]


def setup(pairs):
    T.batch(["ip", "-n", "hA", "-batch", "-"],
            ["addr add 10.1.1.2/32 dev a0"])
    T.batch(["ip", "-n", "hB", "-batch", "-"],
            ["addr add 10.2.1.2/32 dev b0"])
    for gw, here, there, routes in (
            ("gwA", GWA, GWB, ["route add 10.2.0.0/16 dev kipsec0",
                               "route add fd00:b::/64 dev kipsec0",
                               "route add 10.1.1.2/32 via 10.1.0.2"]),
            ("gwB", GWB, GWA, ["route add 10.1.0.0/16 dev kipsec0",
                               "route add fd00:a::/64 dev kipsec0",
                               "route add 10.2.1.2/32 via 10.2.0.2"])):
        T.batch(["ip", "-n", gw, "-batch", "-"],
                ["link add kipsec0 type kipsec",
                 "link set kipsec0 addrgenmode none",
                 "link set kipsec0 up"] + routes)
        lines = ["tunnel set kipsec0 local %s remote %s" % (here, there)]
        for p in pairs:
            lines += p.lines(gw)
        T.batch(["kipsec", "-batch", "-"], lines, ns=gw)


def snapshot():
    snap = {}
    for gw in ("gwA", "gwB"):
        for (dev, d, spi), sa in T.kipsec_sas(gw).items():
            snap[(gw, d, spi)] = sa["stats"]
        for dev, t in T.kipsec_tunnels(gw).items():
            for k, v in t["stats"].items():
                snap[(gw, dev, k)] = v
    return snap


def deltas(before, after):
    """Nonzero changes: {(gw, dir, spi): {counter: delta}} for SAs and
    {(gw, dev, counter): delta} for tunnels; a vanished SA is skipped."""
    out = {}
    for k, v in after.items():
        b = before.get(k)
        if isinstance(v, dict):
            b = b or {}
            d = {c: v[c] - b.get(c, 0) for c in v if v[c] != b.get(c, 0)}
        else:
            d = v - (b or 0)
        if d:
            out[k] = d
    return out


def fmt(k):
    if isinstance(k[2], int):
        return "%s %s SA 0x%x" % (k[0], k[1], k[2])
    return "%s %s %s" % k


def check(tap, what, before, want, relate=None):
    """Exactly the SAs and counters in WANT moved, by WANT's amounts
    (None: any amount); RELATE: pairs of SAs whose packets and bytes
    deltas must be equal."""
    after = snapshot()
    got = deltas(before, after)
    problems = []
    for k in sorted(set(got) | set(want), key=str):
        w, g = want.get(k), got.get(k)
        if isinstance(after.get(k, before.get(k)), dict):
            w, g = w or {}, g or {}
            for c in sorted(set(g) | set(w)):
                if c in w and w[c] is None:
                    if not g.get(c):
                        problems.append("%s %s did not move" % (fmt(k), c))
                elif g.get(c, 0) != w.get(c, 0):
                    problems.append("%s %s moved by %d, expected %d" % (
                        fmt(k), c, g.get(c, 0), w.get(c, 0)))
        elif k in want and w is None:
            if not g:
                problems.append("%s did not move" % fmt(k))
        elif (g or 0) != (w or 0):
            problems.append("%s moved by %d, expected %d" % (
                fmt(k), g or 0, w or 0))
    for a, b in relate or ():
        for c in ("packets", "bytes"):
            if got.get(a, {}).get(c) != got.get(b, {}).get(c):
                problems.append("%s counted %s %s, %s %s" % (
                    fmt(a), got.get(a, {}).get(c), c, fmt(b),
                    got.get(b, {}).get(c)))
    tap.ok(not problems, what, problems)
    return after


def main():
    tap = T.Tap()
    pairs = [Pair(i, *x) for i, x in enumerate(PAIRS, 1)]
    try:
        setup(pairs)
    except RuntimeError as e:
        tap.ok(False, "set up the tunnels and SAs", [str(e)])
        return tap.done()
    server = T.TcpServer("hB")
    snap = snapshot()

    for i, p in enumerate(pairs):
        sizes = [56 + i, 300 + 3 * i, 1000 + 5 * i]
        problems = T.ping("hA", p.ha, p.hb, sizes=sizes)
        problems += T.ping("hB", p.hb, p.ha, sizes=sizes)
        tap.ok(not problems, "%s: 3 pings each way" % p.label, problems)
        # Each SA carries 3 requests one way and 3 replies.
        nbytes = 2 * sum(p.hdr + 8 + s for s in sizes)
        want = {k: {"packets": 6, "bytes": nbytes} for k in p.sas()}
        snap = check(tap, "%s: each of its 4 SAs counted exactly 6 packets "
                     "(%d bytes), no other SA moved" % (p.label, nbytes),
                     snap, want)

    for i, p in enumerate(pairs):
        up = i % 2 == 0
        problems, secs = T.tcp_exchange("hA", p.ha, server, p.hb,
                                        1 << 20 if up else 0,
                                        0 if up else 1 << 20, seed=p.name)
        tap.ok(not problems, "%s: 1 MiB TCP %s, SHA-256 matches (%.1f s)" %
               (p.label, "hA->hB" if up else "hB->hA", secs), problems)
        want = {k: {"packets": None, "bytes": None} for k in p.sas()}
        sas = p.sas()
        snap = check(tap, "%s: only its SAs moved, each gateway's outbound "
                     "SA counted what the other's inbound one did" % p.label,
                     snap, want, relate=[(sas[0], sas[1]), (sas[2], sas[3])])

    # 10.1.1.2 -> 10.2.1.2: P2's local, P3's remote, no pair.
    problems = T.ping("hA", "10.1.1.2", "10.2.1.2", count=2, timeout=1.0)
    tap.ok(len(problems) == 2, "a flow that matches no proxy-ID pair gets "
           "no reply", problems)
    snap = check(tap, "that flow is counted in gwA's tx_no_sa (2), no SA "
                 "moved", snap, {("gwA", "kipsec0", "tx_no_sa"): 2,
                  # One ACQUIRE a second per flow (24-lifetimes tests it):
                  # the pings are a second apart, so one or two.
                  ("gwA", "kipsec0", "acquires"): None})

    p1, p2 = pairs[0], pairs[1]
    try:
        T.batch(["kipsec", "-batch", "-"],
                ["sa del kipsec0 dir out spi 0x%x proto esp" % p2.spi_ab,
                 "sa del kipsec0 dir in spi 0x%x proto esp" % p2.spi_ba],
                ns="gwA")
        ok = True
    except RuntimeError as e:
        ok = False
        problems = [str(e)]
    tap.ok(ok, "sa del of P2's SAs on gwA", [] if ok else problems)
    snap = snapshot()
    gone = [k for k in snap if k[0] == "gwA" and k[2] in (p2.spi_ab,
                                                          p2.spi_ba)]
    tap.ok(not gone, "P2's SAs are gone from gwA's sa show", map(fmt, gone))
    problems = T.ping("hA", p2.ha, p2.hb, count=2, timeout=1.0)
    tap.ok(len(problems) == 2, "P2's traffic is no longer sent", problems)
    snap = check(tap, "P2's traffic is counted in gwA's tx_no_sa (2), no SA "
                 "moved", snap, {("gwA", "kipsec0", "tx_no_sa"): 2,
                  # One ACQUIRE a second per flow (24-lifetimes tests it):
                  # the pings are a second apart, so one or two.
                  ("gwA", "kipsec0", "acquires"): None})
    problems = T.ping("hA", p1.ha, p1.hb, count=2)
    tap.ok(not problems, "P1 still carries traffic", problems)
    want = {k: {"packets": 2, "bytes": None} for k in p1.sas()}
    check(tap, "P1's SAs counted it", snap, want)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
