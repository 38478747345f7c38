#!/usr/bin/env python3
"""What kipsec must refuse on input, with XFRM on gwB as the sender.

For each case (an SA pair between kipsec on gwA and XFRM on gwB), hB sends
UDP datagrams with a unique token to a listener on hA. ESP packets are
held on the wire: gwB's neighbour entry for gwA is pointed at a MAC address
nobody has, so gwA's stack drops what gwB sends (PACKET_OTHERHOST) while
an AF_PACKET socket on gwA's w0 records it. The recorded packets, changed
or not, are then sent to gwA from gwB's w1 with the right MAC address.
Every check asserts the exact change of every counter of the cell's SAs
and of the tunnel (all others must stay put), and what hA's listener got:

  - a packet with one bit flipped in its ciphertext: drop_auth +1;
  - a packet whose sequence number has a bit flipped (new to the window,
    but the ICV covers it): drop_auth +1;
  - the two originals afterwards: accepted and delivered, so neither
    forgery moved the window;
  - the first original again (a replay): drop_replay +1;
  - a packet with an SPI no SA has: the tunnel's rx_no_sa +1;
  - a held packet sent after 70 newer ones: drop_window +1 (with ESN:
    drop_auth, as RFC 4303 A2.2 takes it for one from the next 2^32);
  - inner packets outside the proxy ID, which XFRM's wider selectors let
    through: another source address, another destination port, another
    protocol (ICMP): drop_proxy_id +1 each;
  - datagrams inside the proxy ID before and after: delivered.

  negative.py [--label TEXT]
"""

import argparse
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cells as C  # noqa: E402
import interop  # noqa: E402
import ipsectest as T  # noqa: E402

PORT, OTHER_PORT = 4000, 4001
NOBODY = "02:00:00:00:00:01"
PACKET_OTHERHOST = 3


class Case:
    def __init__(self, k, alg, outer, esn):
        if outer == 4:
            net, hb_in, hb_out = ("10.3.%d.0/25" % k, "10.3.%d.1" % k,
                                  "10.3.%d.129" % k)
            xsel = ("10.1.0.0/16", "10.3.%d.0/24" % k)
            ha = C.HA[4] + "/32"
        else:
            net, hb_in, hb_out = ("fd00:3::%x:0/113" % k, "fd00:3::%x:1" % k,
                                  "fd00:3::%x:8001" % k)
            xsel = ("fd00:a::/64", "fd00:3::%x:0/112" % k)
            ha = C.HA[6] + "/128"
        pid = "proxy-id local %s remote %s proto udp lport %d" % (ha, net,
                                                                  PORT)
        self.c = C.Cell(k, C.find_alg(alg), outer, esn, inner=outer, pid=pid,
                        xsel=xsel)
        self.c.hb = hb_in
        self.hb_in, self.hb_out = hb_in, hb_out
        self.name = "%s, outer IPv%d, esn %s" % (alg, outer,
                                                 "on" if esn else "off")
        self.n = 0

    def token(self):
        self.n += 1
        return ("kipsec-negative %s #%d %s" % (self.name, self.n,
                                               os.urandom(6).hex())).encode()

    def inner_len(self, payload):
        return (20 if self.c.outer == 4 else 40) + 8 + len(payload)


CASES = [(1, "aes-gcm-128 icv 128", 4, False),
         (2, "aes-cbc-128 + hmac-sha256-128", 6, True)]


def snapshot(case):
    sas = T.kipsec_sas("gwA")
    tun = T.kipsec_tunnels("gwA")
    c = case.c
    snap = {}
    for d, spi in (("in", c.spi_in), ("out", c.spi_out)):
        for k, v in sas[(c.tunnel, d, spi)]["stats"].items():
            snap["%s SA %s" % (d, k)] = v
    for k, v in tun[c.tunnel]["stats"].items():
        snap["tunnel " + k] = v
    return snap


def check_delta(tap, case, what, before, want):
    """Every counter moved by exactly WANT (a dict; absent: 0)."""
    after = snapshot(case)
    problems = []
    for k in sorted(after):
        d = after[k] - before.get(k, 0)
        if d != want.get(k, 0):
            problems.append("%s moved by %d, expected %d" %
                            (k, d, want.get(k, 0)))
    tap.ok(not problems, "%s: %s: counters" % (case.name, what), problems)
    return after


def received(sock, token, timeout):
    """How many datagrams carrying TOKEN arrive on SOCK within TIMEOUT
    (returns as soon as one did, after a short wait for copies)."""
    n = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = T.udp_drain(sock, 0.2)
        n += sum(1 for data, _ in got if data == token)
        if n:
            n += sum(1 for data, _ in T.udp_drain(sock, 0.5) if data == token)
            break
    return n


def expect_delivery(tap, case, what, sock, token, want):
    n = received(sock, token, 5.0 if want else 1.0)
    tap.ok(n == want, "%s: %s: hA's listener got the datagram %s" % (
        case.name, what, "once" if want else "not at all"),
        "got it %d times" % n)


def send(case, token, src=None, port=PORT):
    T.udp_send("hB", src or case.hb_in, case.c.ha, port, token)


def neigh(case, mac):
    T.run(["ip", "-n", "gwB", "neigh", "replace", C.GWA[case.c.outer],
           "lladdr", mac, "dev", "w1", "nud", "permanent"])


def held(sniffer, case, count, timeout=5.0):
    """COUNT ESP frames of the cell's inbound SPI that gwA's stack did not
    take (sent to nobody's MAC), oldest first."""
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        for f, pkttype in sniffer.take():
            e = T.parse_esp(f)
            if e and e[2] == case.c.spi_in and pkttype == PACKET_OTHERHOST:
                frames.append(f)
    return frames


def edit(frame, mac, flip_payload=False, seq_xor=0, spi=None):
    b = bytearray(mac + frame[6:])
    _, off, _, seq = T.parse_esp(frame)
    if flip_payload:
        b[off + 8 + (len(b) - off - 8) // 2] ^= 0x10
    if seq_xor:
        b[off + 4:off + 8] = struct.pack("!I", seq ^ seq_xor)
    if spi is not None:
        b[off:off + 4] = struct.pack("!I", spi)
    return bytes(b)


def run_case(tap, case, label):
    c = case.c
    name = case.name
    lsn = T.udp_listener("hA", c.ha, PORT)
    lsn_other = T.udp_listener("hA", c.ha, OTHER_PORT)
    sniffer = T.Sniffer("gwA", "w0")
    mac_gwa = sniffer.s.getsockname()[4][:6]
    mac_str = ":".join("%02x" % x for x in mac_gwa)
    try:
        # A datagram inside the proxy ID gets through.
        snap = snapshot(case)
        tok = case.token()
        send(case, tok)
        expect_delivery(tap, case, "control", lsn, tok, 1)
        snap = check_delta(tap, case, "control", snap, {
            "in SA packets": 1, "in SA bytes": case.inner_len(tok)})

        # Hold three packets on the wire.
        neigh(case, NOBODY)
        toks = [case.token() for _ in range(3)]
        for t in toks:
            send(case, t)
        frames = held(sniffer, case, 3)
        if not tap.ok(len(frames) == 3, "%s: three ESP packets held on the "
                      "wire" % name, "held %d" % len(frames)):
            return
        expect_delivery(tap, case, "held packets", lsn, toks[0], 0)
        snap = check_delta(tap, case, "held packets", snap, {})
        f1, f2, f3 = frames

        # One bit flipped in the ciphertext of a packet kipsec never saw.
        T.inject("gwB", "w1", edit(f1, mac_gwa, flip_payload=True))
        expect_delivery(tap, case, "flipped ciphertext bit", lsn, toks[0], 0)
        snap = check_delta(tap, case, "flipped ciphertext bit", snap,
                           {"in SA drop_auth": 1})

        # A bit of the sequence number flipped: new to the window, but
        # the ICV covers it.
        T.inject("gwB", "w1", edit(f2, mac_gwa, seq_xor=1 << 20))
        expect_delivery(tap, case, "flipped sequence number bit", lsn,
                        toks[1], 0)
        snap = check_delta(tap, case, "flipped sequence number bit", snap,
                           {"in SA drop_auth": 1})

        # The originals: neither forgery may have marked their sequence
        # numbers seen, or moved the window past them.
        T.inject("gwB", "w1", edit(f1, mac_gwa))
        expect_delivery(tap, case, "first original after the forgeries",
                        lsn, toks[0], 1)
        snap = check_delta(tap, case, "first original after the forgeries",
                           snap, {"in SA packets": 1,
                                  "in SA bytes": case.inner_len(toks[0])})
        T.inject("gwB", "w1", edit(f2, mac_gwa))
        expect_delivery(tap, case, "second original after the forgeries",
                        lsn, toks[1], 1)
        snap = check_delta(tap, case, "second original after the forgeries",
                           snap, {"in SA packets": 1,
                                  "in SA bytes": case.inner_len(toks[1])})

        # A replay of a packet kipsec accepted.
        T.inject("gwB", "w1", edit(f1, mac_gwa))
        expect_delivery(tap, case, "replayed packet", lsn, toks[0], 0)
        snap = check_delta(tap, case, "replayed packet", snap,
                           {"in SA drop_replay": 1})

        # An SPI no SA has.
        T.inject("gwB", "w1", edit(f3, mac_gwa, spi=0x00abcdef))
        expect_delivery(tap, case, "unknown SPI", lsn, toks[2], 0)
        snap = check_delta(tap, case, "unknown SPI", snap,
                           {"tunnel rx_no_sa": 1})

        # The third packet, unseen, after 70 newer ones: left of the
        # 64-packet window.
        neigh(case, mac_str)
        newer = [case.token() for _ in range(70)]
        for t in newer:
            send(case, t)
        deadline = time.monotonic() + 10
        got = set()
        while len(got) < len(newer) and time.monotonic() < deadline:
            got |= {d for d, _ in T.udp_drain(lsn, 0.3)}
        tap.ok(got >= set(newer), "%s: 70 datagrams delivered" % name,
               "%d of 70" % len(got & set(newer)))
        snap = check_delta(tap, case, "70 datagrams", snap, {
            "in SA packets": 70,
            "in SA bytes": sum(case.inner_len(t) for t in newer)})
        # With ESN, RFC 4303 A2.2 reads a sequence number below the window
        # as one from the next 2^32 (high half + 1): the ICV check fails.
        T.inject("gwB", "w1", edit(f3, mac_gwa))
        expect_delivery(tap, case, "packet older than the window", lsn,
                        toks[2], 0)
        snap = check_delta(tap, case, "packet older than the window", snap,
                           {"in SA drop_auth" if c.esn else
                            "in SA drop_window": 1})

        # Outside the proxy ID, inside XFRM's selectors.
        tok = case.token()
        send(case, tok, src=case.hb_out)
        expect_delivery(tap, case, "source outside the proxy ID", lsn, tok, 0)
        snap = check_delta(tap, case, "source outside the proxy ID", snap,
                           {"in SA drop_proxy_id": 1})
        tok = case.token()
        send(case, tok, port=OTHER_PORT)
        expect_delivery(tap, case, "port outside the proxy ID", lsn_other,
                        tok, 0)
        snap = check_delta(tap, case, "port outside the proxy ID", snap,
                           {"in SA drop_proxy_id": 1})
        problems = T.ping("hB", case.hb_in, c.ha, count=1, timeout=1.5)
        tap.ok(problems, "%s: ICMP outside the proxy ID: no echo reply" %
               name, "hA answered")
        snap = check_delta(tap, case, "ICMP outside the proxy ID", snap,
                           {"in SA drop_proxy_id": 1})

        tok = case.token()
        send(case, tok)
        expect_delivery(tap, case, "control at the end", lsn, tok, 1)
        check_delta(tap, case, "control at the end", snap, {
            "in SA packets": 1, "in SA bytes": case.inner_len(tok)})
    finally:
        sniffer.close()
        lsn.close()
        lsn_other.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    tap = T.Tap()
    cases = [Case(*x) for x in CASES]
    for case in cases:
        case.name = args.label + case.name
    try:
        interop.setup([x.c for x in cases], tap,
                      hb_extra=[x.c.hb_addr_line(x.hb_out) for x in cases])
    except RuntimeError as e:
        tap.ok(False, "%sinstall the SAs" % args.label, [str(e)])
        return tap.done()
    for case in cases:
        run_case(tap, case, args.label)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
