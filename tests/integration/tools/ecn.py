#!/usr/bin/env python3
"""The outer header kipsec writes and reads, against XFRM on gwB.

Two SA pairs with the proxy ID hA to the cell's hB address, any protocol:
one over outer IPv4 (inner IPv4), one over outer IPv6 (inner IPv6).

Outbound (hA -> hB, kipsec encapsulates). hA sends UDP datagrams with
DSCP EF and each of the four ECN codepoints; gwA's TTL (IPv4) and hop
limit (IPv6) are set to 50 first, so the outer value cannot be a constant.
On the wire (gwA's w0) every ESP packet must carry:
  - the inner DSCP;
  - the inner ECN field, except CE which becomes ECT(0) (RFC 6040 4.1,
    normal mode);
  - TTL / hop limit 50, from the route.
hB must get each datagram with the traffic class hA set (XFRM decapsulates).

Inbound (hB -> hA, kipsec decapsulates). XFRM's ESP packets are held on
the wire (as in negative.py), their outer ECN field rewritten, then sent
to gwA. The checks are RFC 6040 section 4.2, as Linux implements it:
  - outer CE, inner ECT(0) or ECT(1): delivered as CE;
  - outer CE, inner not-ECT: dropped, the SA's drop_other +1;
  - outer ECT(0), inner not-ECT: delivered not-ECT;
  - outer not-ECT, inner CE: delivered CE;
  - the inner DSCP is never changed.

Fragments (hB -> hA): an ESP packet of each cell, held on the wire, is
cut into three fragments that are sent last piece first. IPv4 reassembles
before kipsec's netfilter hook, IPv6 after it (kipsec takes the whole
packet from the xfrm6 protocol chain): either way hA gets the datagram
once and the in SA counts one packet and no drop.

Sequence numbers (hA -> hB, a third and fourth SA pair):
  - an outbound SA added with "seq 0xfffffffd", no ESN: the packets carry
    0xfffffffe and 0xffffffff, XFRM delivers both; the third packet is not
    sent and counts drop_seq +1;
  - an outbound SA added with "esn on seq 0xfffffffe" to an XFRM state
    whose replay state starts at 2^32 - 16: four packets cross the 2^32
    boundary on the wire (low halves fffffff f, 0, 1, 2) and XFRM delivers
    every one, which it can only do if the high half went into the ICV.

  ecn.py [--label TEXT]
"""

import argparse
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cells as C  # noqa: E402
import interop  # noqa: E402
import ipsectest as T  # noqa: E402
from negative import neigh  # noqa: E402

PORT = 4100
NOBODY = "02:00:00:00:00:01"
PACKET_OUTGOING, PACKET_OTHERHOST = 4, 3
NOT_ECT, ECT1, ECT0, CE = 0, 1, 2, 3
ECN_NAME = {NOT_ECT: "not-ECT", ECT1: "ECT(1)", ECT0: "ECT(0)", CE: "CE"}
DSCP_EF = 46 << 2
TTL = 50
IP_RECVTOS = 13
IPV6_RECVTCLASS, IPV6_TCLASS = 66, 67


# --- sockets with a traffic class --------------------------------------------

def listener(ns, addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with T.netns(ns):
        s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    s.bind((addr, port))
    s.setblocking(False)
    return s


def send(ns, src, dst, payload, tos):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with T.netns(ns):
        s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        if fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS, tos)
        s.bind((src, 0))
        s.sendto(payload, (dst, PORT))
    finally:
        s.close()


_stash = {}


def receive(s, token, timeout):
    """The traffic classes of the datagrams carrying TOKEN that arrive on
    S within TIMEOUT (stops a moment after the first). Datagrams with other
    tokens are kept for later calls."""
    kept = _stash.setdefault(s, [])
    deadline = time.monotonic() + timeout
    found = False
    while True:
        mine = [tc for data, tc in kept if data == token]
        if mine and found:
            kept[:] = [(d, tc) for d, tc in kept if d != token]
            return mine
        found = bool(mine)
        left = deadline - time.monotonic()
        if left <= 0 and not mine:
            return []
        wait = 0.5 if mine else min(0.2, max(left, 0))
        if not T.select.select([s], [], [], wait)[0]:
            if mine:
                found = True
            continue
        while True:
            try:
                data, anc, _, _ = s.recvmsg(2048, 64)
            except BlockingIOError:
                break
            tc = None
            for level, kind, val in anc:
                if (level, kind) == (socket.IPPROTO_IP, socket.IP_TOS):
                    tc = val[0]
                elif (level, kind) == (socket.IPPROTO_IPV6, IPV6_TCLASS):
                    tc = struct.unpack("i", val[:4])[0]
            kept.append((data, tc))


# --- outer headers -----------------------------------------------------------

def outer_fields(frame):
    """(traffic class, TTL or hop limit) of an Ethernet frame's IP header."""
    if frame[12:14] == b"\x08\x00":
        return frame[15], frame[22]
    return ((frame[14] & 0x0f) << 4) | (frame[15] >> 4), frame[21]


def set_outer_ecn(frame, mac, ecn):
    """FRAME to MAC with its outer ECN field set to ECN (IPv4: checksum
    redone)."""
    b = bytearray(mac + frame[6:])
    if b[12:14] == b"\x08\x00":
        b[15] = (b[15] & ~3 & 0xff) | ecn
        ip4_checksum(b, 14, (b[14] & 0x0f) * 4)
    else:
        b[15] = (b[15] & 0xcf) | (ecn << 4)
    return bytes(b)


def ip4_checksum(b, start, ihl):
    b[start + 10:start + 12] = b"\0\0"
    s = 0
    for i in range(start, start + ihl, 2):
        s += (b[i] << 8) | b[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[start + 10:start + 12] = struct.pack("!H", ~s & 0xffff)


def fragments(frame, mac, pieces=3):
    """FRAME (Ethernet, IP, ESP) to MAC as PIECES IP fragments."""
    eth = mac + frame[6:14]
    if frame[12:14] == b"\x08\x00":
        ihl = (frame[14] & 0x0f) * 4
        hdr, data = frame[14:14 + ihl], frame[14 + ihl:]
    else:
        hdr, data = frame[14:54], frame[54:]
    step = (len(data) // pieces + 7) & ~7
    out = []
    ident = int.from_bytes(os.urandom(4), "big")
    for off in range(0, len(data), step):
        chunk = data[off:off + step]
        more = off + step < len(data)
        if frame[12:14] == b"\x08\x00":
            h = bytearray(hdr)
            h[2:4] = struct.pack("!H", len(h) + len(chunk))
            h[4:6] = struct.pack("!H", ident & 0xffff)
            h[6:8] = struct.pack("!H", (off >> 3) | (0x2000 if more else 0))
            ip4_checksum(h, 0, len(h))
            out.append(eth + bytes(h) + chunk)
        else:
            h = bytearray(hdr)
            h[4:6] = struct.pack("!H", 8 + len(chunk))
            h[6] = 44
            fh = struct.pack("!BBHI", 50, 0, off | (1 if more else 0), ident)
            out.append(eth + bytes(h) + fh + chunk)
    return out


class Case:
    def __init__(self, idx, outer, alg, seq=None, xfrm_in_seq=None, esn=False):
        self.c = C.Cell(idx, C.find_alg(alg), outer, esn, inner=outer)
        self.name = "%s, outer IPv%d" % (alg, outer)
        self.n = 0
        if seq is not None:
            self.name += ", seq 0x%x, esn %s" % (seq, "on" if esn else "off")
            lines = self.c.kipsec_lines()
            lines[0] = lines[0].replace(" proxy-id ", " seq 0x%x proxy-id " %
                                        seq, 1)
            self.c.kipsec_lines = lambda tunnel=None: lines
        if xfrm_in_seq is not None:
            # gwB's inbound state (kipsec -> XFRM) starts at XFRM_IN_SEQ.
            xl = self.c.xfrm_lines()
            hi, lo = xfrm_in_seq >> 32, xfrm_in_seq & 0xffffffff
            xl[0] += " replay-seq 0x%x replay-seq-hi 0x%x" % (lo, hi)
            self.c.xfrm_lines = lambda: xl

    def token(self):
        self.n += 1
        return ("kipsec-ecn %s #%d %s" % (self.name, self.n,
                                          os.urandom(6).hex())).encode()


def sa_stats(case):
    sas = T.kipsec_sas("gwA")
    c = case.c
    return {d: sas[(c.tunnel, d, spi)]["stats"]
            for d, spi in (("in", c.spi_in), ("out", c.spi_out))}


def delta(before, after):
    return {"%s %s" % (d, k): after[d][k] - before[d][k]
            for d in after for k in after[d] if after[d][k] != before[d][k]}


def frames_of(sniffer, spi, pkttype, count, timeout=5.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        for f, pt in sniffer.take():
            e = T.parse_esp(f)
            if e and e[2] == spi and pt == pkttype:
                got.append(f)
    return got


def outbound(tap, case):
    c = case.c
    lsn = listener("hB", c.hb, PORT)
    sniffer = T.Sniffer("gwA", "w0")
    try:
        for ecn in (NOT_ECT, ECT1, ECT0, CE):
            tos = DSCP_EF | ecn
            what = "%s: outbound DSCP EF + %s" % (case.name, ECN_NAME[ecn])
            before = sa_stats(case)
            tok = case.token()
            send("hA", c.ha, c.hb, tok, tos)
            frames = frames_of(sniffer, c.spi_out, PACKET_OUTGOING, 1)
            if not tap.ok(len(frames) == 1, "%s: one ESP packet on the wire"
                          % what, "saw %d" % len(frames)):
                continue
            tc, ttl = outer_fields(frames[0])
            want_ecn = ECT0 if ecn == CE else ecn
            tap.ok(tc >> 2 == DSCP_EF >> 2 and tc & 3 == want_ecn,
                   "%s: outer DSCP EF, ECN %s" % (what, ECN_NAME[want_ecn]),
                   "outer traffic class 0x%02x (DSCP %d, ECN %s)" %
                   (tc, tc >> 2, ECN_NAME[tc & 3]))
            tap.ok(ttl == TTL, "%s: outer %s %d, from the route" % (
                what, "TTL" if c.outer == 4 else "hop limit", TTL),
                "it is %d" % ttl)
            got = receive(lsn, tok, 5.0)
            tap.ok(got == [tos], "%s: hB got it once, traffic class 0x%02x"
                   % (what, tos), "got traffic classes %s" % got)
            d = delta(before, sa_stats(case))
            tap.ok(d.get("out packets") == 1 and
                   set(d) == {"out packets", "out bytes"},
                   "%s: the out SA counted one packet, no drop" % what,
                   "counters moved: %s" % d)
    finally:
        sniffer.close()
        lsn.close()




# (inner ECN, outer ECN on the wire, inner ECN hA must get; None: dropped)
def lost_diag(c, lsn, tok):
    """Why a datagram the SA decapsulated did not reach hA: whether it
    comes late, gwA's neighbour entry for hA, and the drop counters on the
    way (gwA forwarding, hA's UDP)."""
    late = receive(lsn, tok, 3.0)
    out = ["%d copies arrived in 3 s more" % len(late)]
    fam = "-6" if ":" in c.ha else "-4"
    try:
        out += ["gwA neigh: " + l for l in T.run(
            ["ip", fam, "neigh", "show", c.ha], ns="gwA", check=False)
            .splitlines()]
        for ns, pat in (("gwA", r"^(Ip6?|Icmp6?)\w*(Discard|NoRoute|Error|"
                         r"TooBig|Drop)"), ("hA", r"^Udp6?\w*(Err|Drop)")):
            for l in T.run(["nstat", "-asz"], ns=ns, check=False).splitlines():
                f = l.split()
                if len(f) >= 2 and f[1] != "0" and re.match(pat, f[0]):
                    out.append("%s %s %s" % (ns, f[0], f[1]))
    except Exception as e:  # diagnostics only
        out.append("diagnostics: %r" % e)
    return out


DECAP = [(ECT0, CE, CE), (ECT1, CE, CE), (NOT_ECT, CE, None),
         (NOT_ECT, ECT0, NOT_ECT), (CE, NOT_ECT, CE), (ECT0, ECT0, ECT0)]


def inbound(tap, case):
    c = case.c
    lsn = listener("hA", c.ha, PORT)
    sniffer = T.Sniffer("gwA", "w0")
    mac_gwa = sniffer.s.getsockname()[4][:6]
    mac_str = ":".join("%02x" % x for x in mac_gwa)
    try:
        neigh(case, NOBODY)
        toks = []
        for inner, _, _ in DECAP:
            toks.append(case.token())
            send("hB", c.hb, c.ha, toks[-1], DSCP_EF | inner)
        frames = frames_of(sniffer, c.spi_in, PACKET_OTHERHOST, len(DECAP))
        neigh(case, mac_str)
        if not tap.ok(len(frames) == len(DECAP), "%s: %d ESP packets held "
                      "on the wire" % (case.name, len(DECAP)),
                      "held %d" % len(frames)):
            return
        for (inner, outer, want), tok, f in zip(DECAP, toks, frames):
            what = "%s: inbound, inner %s, outer %s" % (
                case.name, ECN_NAME[inner], ECN_NAME[outer])
            before = sa_stats(case)
            T.inject("gwB", "w1", set_outer_ecn(f, mac_gwa, outer))
            got = receive(lsn, tok, 4.0 if want is not None else 1.0)
            d = delta(before, sa_stats(case))
            if want is None:
                tap.ok(not got, "%s: not delivered" % what,
                       "hA got traffic classes %s" % got)
                tap.ok(d == {"in drop_other": 1},
                       "%s: the in SA's drop_other +1, nothing else" % what,
                       "counters moved: %s" % d)
                continue
            why = ["hA got traffic classes %s" % ["0x%02x" % x if x is not
                                                  None else x for x in got]]
            if not got:
                why += lost_diag(c, lsn, tok)
            tap.ok(got == [DSCP_EF | want], "%s: delivered once as DSCP EF "
                   "+ %s" % (what, ECN_NAME[want]), why)
            tap.ok(d.get("in packets") == 1 and
                   set(d) == {"in packets", "in bytes"},
                   "%s: the in SA counted one packet, no drop" % what,
                   "counters moved: %s" % d)
    finally:
        sniffer.close()
        lsn.close()


def fragmented(tap, case):
    c = case.c
    lsn = listener("hA", c.ha, PORT)
    sniffer = T.Sniffer("gwA", "w0")
    mac_gwa = sniffer.s.getsockname()[4][:6]
    mac_str = ":".join("%02x" % x for x in mac_gwa)
    what = "%s: ESP in three IP fragments, last first" % case.name
    try:
        neigh(case, NOBODY)
        tok = case.token() + b"." * 900
        send("hB", c.hb, c.ha, tok, 0)
        frames = frames_of(sniffer, c.spi_in, PACKET_OTHERHOST, 1)
        neigh(case, mac_str)
        if not tap.ok(len(frames) == 1, "%s: held on the wire" % what,
                      "held %d" % len(frames)):
            return
        before = sa_stats(case)
        for f in reversed(fragments(frames[0], mac_gwa)):
            T.inject("gwB", "w1", f)
        got = receive(lsn, tok, 4.0)
        tap.ok(len(got) == 1, "%s: hA got the datagram once" % what,
               ["got it %d times" % len(got)] +
               (lost_diag(c, lsn, tok) if not got else []))
        d = delta(before, sa_stats(case))
        tap.ok(d.get("in packets") == 1 and
               set(d) == {"in packets", "in bytes"},
               "%s: the in SA counted one packet, no drop" % what,
               "counters moved: %s" % d)
    finally:
        sniffer.close()
        lsn.close()


def sequence(tap, case, first, sent, want_seqs):
    """SENT datagrams hA -> hB through an SA whose first packet carries
    FIRST; WANT_SEQS: the 32-bit sequence numbers that must cross."""
    c = case.c
    lsn = listener("hB", c.hb, PORT)
    sniffer = T.Sniffer("gwA", "w0")
    try:
        before = sa_stats(case)
        toks = []
        for _ in range(sent):
            toks.append(case.token())
            send("hA", c.ha, c.hb, toks[-1], 0)
            time.sleep(0.05)
        frames = frames_of(sniffer, c.spi_out, PACKET_OUTGOING,
                           len(want_seqs) + 1, timeout=3.0)
        seqs = [T.parse_esp(f)[3] for f in frames]
        tap.ok(seqs == want_seqs, "%s: sequence numbers on the wire: %s" % (
            case.name, ", ".join("0x%x" % s for s in want_seqs)),
            "saw %s" % ", ".join("0x%x" % s for s in seqs))
        n = len(want_seqs)
        got = [len(receive(lsn, t, 3.0 if i < n else 1.0))
               for i, t in enumerate(toks)]
        tap.ok(got == [1] * n + [0] * (sent - n),
               "%s: XFRM delivered the first %d, nothing after" % (
                   case.name, n), "datagrams received per token: %s" % got)
        d = delta(before, sa_stats(case))
        want = {"out packets": n}
        if sent > n:
            want["out drop_seq"] = sent - n
        tap.ok({k: v for k, v in d.items() if k != "out bytes"} == want,
               "%s: counters: %s" % (case.name, want),
               "counters moved: %s" % d)
        sa = T.kipsec_sas("gwA")[(c.tunnel, "out", c.spi_out)]
        last = first + n - 1
        tap.ok(sa["seq"] == last, "%s: sa show reports seq 0x%x" % (
            case.name, last), "it reports 0x%x" % sa["seq"])
    finally:
        sniffer.close()
        lsn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    tap = T.Tap()
    ecn = [Case(1, 4, "aes-gcm-128 icv 128"),
           Case(2, 6, "aes-cbc-128 + hmac-sha256-128")]
    exhaust = Case(3, 4, "aes-gcm-256 icv 128", seq=0xfffffffd)
    wrap = Case(4, 6, "aes-cbc-256 + hmac-sha512-256", seq=0xfffffffe,
                xfrm_in_seq=0xfffffff0, esn=True)
    cases = ecn + [exhaust, wrap]
    for case in cases:
        case.name = args.label + case.name
    try:
        interop.setup([x.c for x in cases], tap)
        T.run(["sysctl", "-qw", "net.ipv4.ip_default_ttl=%d" % TTL,
               "net.ipv6.conf.w0.hop_limit=%d" % TTL], ns="gwA")
    except (RuntimeError, T.subprocess.CalledProcessError) as e:
        tap.ok(False, "%sinstall the SAs" % args.label, [str(e)])
        return tap.done()
    for case in ecn:
        outbound(tap, case)
        inbound(tap, case)
        fragmented(tap, case)
    sequence(tap, exhaust, 0xfffffffe, 3, [0xfffffffe, 0xffffffff])
    sequence(tap, wrap, 0xffffffff, 4, [0xffffffff, 0, 1, 2])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
