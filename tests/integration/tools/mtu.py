#!/usr/bin/env python3
"""MTU and ICMP through kipsec (gwA), XFRM on gwB.

Cells: AES-GCM-128 over outer IPv4 (the smallest overhead) and
AES-CBC-256 + HMAC-SHA512-256 over outer IPv6 (the largest: 40 + 8 + 16
IV + 15 padding + 2 + 32 ICV = 113 bytes), each with inner IPv4 and IPv6.
Echo requests are sent with DF (IPv4) or unfragmentable (IPv6), ignoring
hA's own path MTU cache, so every one reaches gwA.

  1. The device MTU accounts for the overhead: with the outer links at
     1500, requests of every length from the device MTU - 15 to the device
     MTU (every padding length) through the largest-overhead cells are
     answered, and every ESP packet gwA sends is at most 1500 bytes and
     not a fragment. One byte more than the device MTU: gwA answers
     "fragmentation needed" / "packet too big" with the device MTU.
  2. GSO: a 1 MiB TCP stream hA -> hB through each cell arrives intact
     (SHA-256); gwA's inside link saw packets longer than its MTU (GSO
     super-packets, offloads on), and every ESP packet gwA sent fits in
     1500 bytes unfragmented, at least 1 MiB / device MTU of them.
  3. Path MTU below it: with the outer links at 1400, a request of the
     device MTU gets "fragmentation needed" / "packet too big" from gwA
     with an MTU whose ESP packet fits in 1400 (and, for IPv6, >= 1280);
     a request of that size is then answered, and its ESP packets fit.
  4. Path MTU from ICMP: with the links back at 1500, a router's
     "fragmentation needed" (next-hop MTU 1350) or "packet too big" (1400)
     quoting one of gwA's ESP packets, injected on gwA's outer link, makes
     gwA answer a request of the device MTU with an MTU whose ESP packet
     fits the reported path MTU; a request of that size is answered. The
     same error quoting an SPI no outbound SA has changes nothing.
"""

import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cells as C  # noqa: E402
import interop  # noqa: E402
import ipsectest as T  # noqa: E402

IP_MTU_DISCOVER, IP_PMTUDISC_PROBE = 10, 3
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE, IPV6_DONTFRAG = 23, 3, 62
PACKET_OUTGOING = 4

GCM = "aes-gcm-128 icv 128"
WORST = "aes-cbc-256 + hmac-sha512-256"
# name: (IV, block the padding aligns to, ICV)
SHAPE = {GCM: (8, 4, 16), WORST: (16, 16, 32)}


def esp_len(cell, inner):
    """Length of the outer IP packet that carries INNER bytes."""
    iv, block, icv = SHAPE[cell.alg.name]
    body = -(-(inner + 2) // block) * block
    return (20 if cell.outer == 4 else 40) + 8 + iv + body + icv


def ping_df(src, dst, total, timeout=3.0):
    """One echo request of TOTAL bytes (IP header included) from SRC on hA
    to DST, not to be fragmented. Returns ("reply", None, None),
    ("too big", MTU, FROM) or ("nothing", None, None)."""
    v6 = ":" in dst
    with T.netns("hA"):
        s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                          socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    try:
        s.bind((src, 0))
        if v6:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                         IPV6_PMTUDISC_PROBE)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_DONTFRAG, 1)
        else:
            s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER,
                         IP_PMTUDISC_PROBE)
        ident = T._next_ident()
        payload = os.urandom(total - (40 if v6 else 20) - 8)
        hdr = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, 1)
        if not v6:
            hdr = struct.pack("!BBHHH", 8, 0, T._csum(hdr + payload), ident, 1)
        s.sendto(hdr + payload, (dst, 0))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                return ("nothing", None, None)
            data, addr = s.recvfrom(65535)
            if not v6:
                data = data[(data[0] & 0x0f) * 4:]
            t = data[0]
            if t == (129 if v6 else 0):
                i, q = struct.unpack("!HH", data[4:8])
                if i == ident and data[8:] == payload:
                    return ("reply", None, None)
                continue
            if v6 and t == 2:
                mtu = struct.unpack("!I", data[4:8])[0]
                orig = data[8 + 40:8 + 48]
            elif not v6 and t == 3 and data[1] == 4:
                mtu = struct.unpack("!H", data[6:8])[0]
                ihl = (data[8] & 0x0f) * 4
                orig = data[8 + ihl:8 + ihl + 8]
            else:
                continue
            if len(orig) == 8 and struct.unpack("!HH", orig[4:8]) == (ident, 1):
                return ("too big", mtu, addr[0])
    finally:
        s.close()


def outer_frames(sniffer, cell):
    """(ESP packets of the cell gwA sent, longest IP length, fragments)."""
    n = longest = frags = 0
    for f, pkttype in sniffer.take():
        if pkttype != PACKET_OUTGOING or len(f) < 34:
            continue
        etype = struct.unpack("!H", f[12:14])[0]
        if etype == 0x0800 and f[23] == 50:
            if struct.unpack("!H", f[20:22])[0] & 0x3fff:
                frags += 1
                continue
            iplen = struct.unpack("!H", f[16:18])[0]
        elif etype == 0x86dd and f[20] == 44:
            frags += 1
            continue
        elif etype == 0x86dd and f[20] == 50:
            iplen = 40 + struct.unpack("!H", f[18:20])[0]
        else:
            continue
        e = T.parse_esp(f)
        if e and e[2] == cell.spi_out:
            n += 1
            longest = max(longest, iplen)
    return n, longest, frags


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def too_big(frame, mtu, spi=None):
    """A router's ICMP error about the ESP packet in FRAME (gwA -> gwB),
    sent back to gwA from gwB's address: IPv4 "fragmentation needed" or
    ICMPv6 "packet too big" with MTU. SPI: put another SPI in the quote."""
    eth = frame[6:12] + frame[0:6] + frame[12:14]
    ip = bytearray(frame[14:])
    off = T.parse_esp(frame)[1] - 14
    if spi is not None:
        ip[off:off + 4] = struct.pack("!I", spi)
    if frame[12:14] == b"\x08\x00":
        quote = bytes(ip[:off + 64])
        icmp = bytearray(struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quote)
        icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
        hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp),
                                    0, 0, 64, 1, 0, ip[16:20], ip[12:16]))
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        return eth + bytes(hdr) + bytes(icmp)
    src, dst = bytes(ip[24:40]), bytes(ip[8:24])
    quote = bytes(ip[:1232])
    icmp = bytearray(struct.pack("!BBHI", 2, 0, 0, mtu) + quote)
    pseudo = src + dst + struct.pack("!I3xB", len(icmp), 58)
    icmp[2:4] = struct.pack("!H", csum(pseudo + bytes(icmp)))
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(icmp), 58, 64, src, dst)
    return eth + hdr + bytes(icmp)


def set_outer_mtu(mtu):
    T.run(["ip", "link", "set", "w0", "mtu", str(mtu)], ns="gwA")
    T.run(["ip", "link", "set", "w1", "mtu", str(mtu)], ns="gwB")


def main():
    tap = T.Tap()
    cells = [C.Cell(1, C.find_alg(GCM), 4, False, inner=4),
             C.Cell(2, C.find_alg(GCM), 4, False, inner=6),
             C.Cell(3, C.find_alg(WORST), 6, False, inner=4),
             C.Cell(4, C.find_alg(WORST), 6, False, inner=6)]
    try:
        interop.setup(cells, tap)
    except RuntimeError as e:
        tap.ok(False, "install the SAs", [str(e)])
        return tap.done()
    links = json.loads(T.run(["ip", "-j", "link", "show"], ns="gwA"))
    dev_mtu = {l["ifname"]: l["mtu"] for l in links}
    sniffer = T.Sniffer("gwA", "w0")
    gw_in = {4: "10.1.0.1", 6: "fd00:a::1"}
    try:
        # 1. Full-size packets through the largest overhead.
        for c in cells:
            m = dev_mtu[c.tunnel]
            sizes = range(m - 15, m + 1) if c.alg.name == WORST else [m]
            sniffer.take()
            bad = []
            for n in sizes:
                r = ping_df(c.ha, c.hb, n)
                if r[0] != "reply":
                    bad.append("%d bytes: %s %s" % (n, r[0], r[1] or ""))
            time.sleep(0.2)
            cnt, longest, frags = outer_frames(sniffer, c)
            tap.ok(not bad, "%s: DF echo requests of %d to %d bytes (device "
                   "MTU %d) answered" % (c.name, sizes[0], sizes[-1], m), bad)
            tap.ok(cnt >= len(sizes) and longest <= 1500 and not frags,
                   "%s: their ESP packets fit in 1500 bytes: %d packets, "
                   "longest %d, %d fragments" % (c.name, cnt, longest, frags))
            r = ping_df(c.ha, c.hb, m + 1)
            tap.ok(r == ("too big", m, gw_in[c.inner]),
                   "%s: %d bytes: %s from gwA with MTU %d" % (
                       c.name, m + 1, "packet too big" if c.inner == 6
                       else "fragmentation needed", m),
                   "got %s %s from %s" % r)

        # 2. TCP with GSO: the tunnel segments what the hosts' stacks hand
        # it, and each segment's ESP packet fits.
        server = T.TcpServer("hB")
        inside = T.Sniffer("gwA", "a1")
        try:
            for c in cells:
                inside.take()
                sniffer.take()
                sniffer.dropped()
                problems, secs = T.tcp_exchange("hA", c.ha, server, c.hb,
                                                1 << 20, 0, seed=c.name)
                time.sleep(0.2)
                longest_in = max([len(f) for f, t in inside.take()
                                  if t != PACKET_OUTGOING] or [0])
                cnt, longest, frags = outer_frames(sniffer, c)
                lost = sniffer.dropped()
                m = dev_mtu[c.tunnel]
                tap.ok(not problems, "%s: 1 MiB TCP hA->hB arrives intact "
                       "(%.1f s)" % (c.name, secs), problems)
                tap.ok(longest_in > 1514, "%s: gwA received GSO packets from "
                       "hA (longest frame %d bytes)" % (c.name, longest_in))
                tap.ok(cnt >= (1 << 20) // m and longest <= 1500 and
                       not frags and not lost, "%s: gwA sent them as ESP "
                       "packets of at most 1500 bytes: %d packets, longest "
                       "%d, %d fragments" % (c.name, cnt, longest, frags),
                       "the capture missed %d frames" % lost)
        finally:
            inside.close()

        # 3. The outer path at 1400.
        set_outer_mtu(1400)
        for c in cells:
            m = dev_mtu[c.tunnel]
            r = ping_df(c.ha, c.hb, m)
            ok = (r[0] == "too big" and r[2] == gw_in[c.inner] and
                  esp_len(c, r[1]) <= 1400 and
                  (c.inner == 4 or r[1] >= 1280))
            tap.ok(ok, "%s: outer path MTU 1400, %d bytes: %s from gwA "
                   "with an MTU that fits (%s)" % (
                       c.name, m, "packet too big" if c.inner == 6
                       else "fragmentation needed", r[1]),
                   "got %s %s from %s%s" % (
                       r + ((", its ESP packet would be %d bytes" %
                             esp_len(c, r[1])) if r[1] else "",)))
            if r[0] != "too big":
                continue
            sniffer.take()
            r2 = ping_df(c.ha, c.hb, r[1])
            time.sleep(0.2)
            cnt, longest, frags = outer_frames(sniffer, c)
            tap.ok(r2[0] == "reply", "%s: a DF request of the MTU gwA gave "
                   "(%d) is answered" % (c.name, r[1]), "got %s %s from %s"
                   % r2)
            tap.ok(cnt >= 1 and longest <= 1400 and not frags,
                   "%s: its ESP packet fits in 1400 bytes: %d packets, "
                   "longest %d, %d fragments" % (c.name, cnt, longest, frags))
        set_outer_mtu(1500)

        # 4. The path MTU from a router's ICMP error. The cells of one
        # outer family share the outer route, and so its path MTU.
        # Step 3 left path MTUs on gwA's inner routes (the ICMP gwA sent
        # updated them, as for any tunnel); they would answer first.
        T.run(["ip", "-4", "route", "flush", "cache"], ns="gwA")
        T.run(["ip", "-6", "route", "flush", "cache"], ns="gwA")
        for outer, pmtu in ((4, 1350), (6, 1400)):
            cs = [c for c in cells if c.outer == outer]
            sniffer.take()
            r = ping_df(cs[0].ha, cs[0].hb, 100)
            time.sleep(0.2)
            esp = [f for f, t in sniffer.take() if t == PACKET_OUTGOING and
                   T.parse_esp(f) and T.parse_esp(f)[2] == cs[0].spi_out]
            if not tap.ok(r[0] == "reply" and esp, "outer IPv%d: an ESP "
                          "packet of gwA's to quote" % outer, "ping: %s, %d "
                          "ESP packets" % (r[0], len(esp))):
                continue
            # An error about an SPI no outbound SA has: ignored.
            T.inject("gwB", "w1", too_big(esp[0], pmtu, spi=0x00abcdef))
            for c in cs:
                m = dev_mtu[c.tunnel]
                r = ping_df(c.ha, c.hb, m)
                tap.ok(r[0] == "reply", "%s: ICMP error with MTU %d quoting "
                       "an unknown SPI: a request of the device MTU (%d) is "
                       "still answered" % (c.name, pmtu, m),
                       "got %s %s from %s" % r)
            T.inject("gwB", "w1", too_big(esp[0], pmtu))
            for c in cs:
                m = dev_mtu[c.tunnel]
                r = ping_df(c.ha, c.hb, m)
                ok = (r[0] == "too big" and r[2] == gw_in[c.inner] and
                      esp_len(c, r[1]) <= pmtu and
                      esp_len(c, r[1] + 16) > pmtu)
                tap.ok(ok, "%s: after a router's ICMP error with MTU %d, %d "
                       "bytes: %s from gwA with an MTU that fits (%s)" % (
                           c.name, pmtu, m, "packet too big" if c.inner == 6
                           else "fragmentation needed", r[1]),
                       "got %s %s from %s%s" % (
                           r + ((", its ESP packet would be %d bytes" %
                                 esp_len(c, r[1])) if r[1] else "",)))
                if r[0] != "too big":
                    continue
                sniffer.take()
                r2 = ping_df(c.ha, c.hb, r[1])
                time.sleep(0.2)
                cnt, longest, frags = outer_frames(sniffer, c)
                tap.ok(r2[0] == "reply" and cnt >= 1 and longest <= pmtu and
                       not frags, "%s: a DF request of %d is answered, its "
                       "ESP packet fits in %d bytes" % (c.name, r[1], pmtu),
                       "got %s; %d packets, longest %d, %d fragments" % (
                           r2[0], cnt, longest, frags))
    finally:
        sniffer.close()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
