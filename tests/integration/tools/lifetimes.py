#!/usr/bin/env python3
"""SA lifetimes and events, kipsec on both gateways (one tunnel, kipsec0).

`kipsec monitor -j` runs in the background in gwA, gwB and hA (which has no
tunnel: it stands for a listener in another network namespace). Each case
adds a fresh SA pair for 10.1.0.2 -> 10.2.0.2 (gwA out, gwB in), sends UDP
from hA to hB one datagram at a time, and checks:

  - packets (outbound, gwA): soft 5 / hard 10 of 15 sent: a soft EXPIRE at
    the 5th, a hard EXPIRE at the 10th, 10 (+-1) delivered, the rest counted
    in gwA's tx_no_sa, the SA gone from `sa show`;
  - bytes (inbound, gwB): 100-byte inner packets, soft 450 / hard 1000: a
    soft EXPIRE at the 5th, hard at the 10th, the rest counted in gwB's
    rx_no_sa and not delivered;
  - time and use-time: soft 2 s / hard 4 s, events within a second of due;
    use-time counts from the first packet, not from the add;
  - SEQ_OVERFLOW: an outbound SA added with seq 0xfffffffe sends one packet
    and stops: one event, drop_seq counts the rest;
  - ACQUIRE: 50 packets of one flow with no SA within a second: one event
    (with the flow's selector), tx_no_sa +50, acquires +1; a second flow
    gets its own event;
  - a soft limit not below the hard one is refused, naming the nest; sa
    show carries lifetimes, age and use age;
  - the listener in hA gets no event at all, and each gateway's listener
    only its own tunnel's.

Tolerances: +-1 packet for byte and packet limits, one second for time.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipsectest as T  # noqa: E402

GWA, GWB = "192.0.2.1", "192.0.2.2"
HA, HB = "10.1.0.2", "10.2.0.2"
KEY = "aead aes-gcm-128 key 0x" + "11" * 20
PAYLOAD = 72                  # + 8 UDP + 20 IPv4 = 100 inner bytes
INNER = PAYLOAD + 28


class Monitor:
    """kipsec -j monitor in a namespace; events parsed as they come."""

    def __init__(self, ns):
        self.ns = ns
        self.events = []
        self.lock = threading.Lock()
        with T.netns(ns):
            self.p = subprocess.Popen(["kipsec", "-j", "monitor"],
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"event": "unparsable", "line": line}
            ev["_rx"] = time.time()
            with self.lock:
                self.events.append(ev)

    def since(self, n):
        with self.lock:
            return list(self.events[n:])

    def count(self):
        with self.lock:
            return len(self.events)

    def wait(self, start, pred, n=1, timeout=10.0):
        """Events after index START matching PRED, once there are N (or
        the timeout passed)."""
        end = time.monotonic() + timeout
        while True:
            got = [e for e in self.since(start) if pred(e)]
            if len(got) >= n or time.monotonic() > end:
                return got
            time.sleep(0.05)

    def stop(self):
        """Its stderr, or why it is not running."""
        if self.p.poll() is not None:
            return "exited %d: %s" % (self.p.returncode, self.p.stderr.read())
        self.p.terminate()
        try:
            _, err = self.p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            _, err = self.p.communicate()
        return err


def kipsec(ns, *args, check=True):
    with T.netns(ns):
        p = subprocess.run(["kipsec"] + list(args), capture_output=True,
                           text=True)
    if check and p.returncode:
        raise RuntimeError("kipsec %s: %s" % (" ".join(args), p.stderr))
    return p


def tunnel_stats(ns):
    return T.kipsec_tunnels(ns)["kipsec0"]["stats"]


def sas(ns):
    return T.kipsec_sas(ns)


def fresh_pair(spi, out_extra="", in_extra="", seq=None):
    """Flush both gateways and add gwB in / gwA out with SPI; returns the
    times before and after gwA's add."""
    pid = "proxy-id local %s/32 remote %s/32" % (HA, HB)
    rpid = "proxy-id local %s/32 remote %s/32" % (HB, HA)
    out = "sa add kipsec0 dir out spi 0x%x proto esp %s %s%s %s" % (
        spi, KEY, out_extra, " seq %s" % seq if seq else "", pid)
    inn = "sa add kipsec0 dir in spi 0x%x proto esp %s %s %s" % (
        spi, KEY, in_extra, rpid)
    T.batch(["kipsec", "-batch", "-"], ["sa flush kipsec0", inn], ns="gwB")
    T.batch(["kipsec", "-batch", "-"], ["sa flush kipsec0"], ns="gwA")
    t0 = time.time()
    T.batch(["kipsec", "-batch", "-"], [out], ns="gwA")
    return t0, time.time()


class Sender:
    def __init__(self, sport=5000, dport=6000):
        with T.netns("hA"):
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((HA, sport))
        self.dport = dport

    def send(self, n, gap=0.0):
        for _ in range(n):
            self.s.sendto(b"x" * PAYLOAD, (HB, self.dport))
            if gap:
                time.sleep(gap)

    def close(self):
        self.s.close()


def ev_time(e):
    return datetime.datetime.strptime(e["time"],
                                      "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def is_expire(spi, hard, limit, d):
    return lambda e: (e.get("event") == "expire" and e["hard"] == hard and
                      e["limit"] == limit and e["sa"]["spi"] == spi and
                      e["sa"]["dir"] == d)


def setup():
    T.batch(["ip", "-n", "gwA", "-batch", "-"],
            ["link add kipsec0 type kipsec", "link set kipsec0 addrgenmode none",
             "link set kipsec0 up", "route add 10.2.0.0/16 dev kipsec0"])
    T.batch(["ip", "-n", "gwB", "-batch", "-"],
            ["link add kipsec0 type kipsec", "link set kipsec0 addrgenmode none",
             "link set kipsec0 up", "route add 10.1.0.0/16 dev kipsec0"])
    kipsec("gwA", "tunnel", "set", "kipsec0", "local", GWA, "remote", GWB)
    kipsec("gwB", "tunnel", "set", "kipsec0", "local", GWB, "remote", GWA)


def count_limit(tap, mons, listener, dir_, kind):
    """Packets (outbound) or bytes (inbound): soft at the 5th, hard at the
    10th packet of 15."""
    spi = 0x1100 if kind == "packets" else 0x1200
    gw = "gwA" if dir_ == "out" else "gwB"
    if kind == "packets":
        lt = " lifetime soft packets 5 lifetime hard packets 10"
    else:
        lt = " lifetime soft bytes %d lifetime hard bytes %d" % (
            INNER * 5 - 50, INNER * 10)
    fresh_pair(spi, out_extra=lt if dir_ == "out" else "",
               in_extra=lt if dir_ == "in" else "")
    label = "%s %s limit (%s SA)" % ("packet" if kind == "packets" else "byte",
                                     kind, dir_)
    mon = mons[gw]
    start = mon.count()
    before = tunnel_stats(gw)
    tx = Sender()
    tx.send(4, gap=0.02)
    time.sleep(0.3)
    early = [e for e in mon.since(start) if e.get("event") == "expire"]
    tap.ok(not early, "%s: no event before the soft limit" % label, early)
    tx.send(1)
    soft = mon.wait(start, is_expire(spi, False, kind, dir_))
    tap.ok(len(soft) == 1, "%s: a soft EXPIRE at the 5th packet (%s)" %
           (label, kind), mon.since(start))
    still = sas(gw)
    tap.ok(("kipsec0", dir_, spi) in still,
           "%s: after the soft limit the SA is still there" % label)
    tx.send(10, gap=0.02)
    tx.close()
    hard = mon.wait(start, is_expire(spi, True, kind, dir_))
    tap.ok(len(hard) == 1, "%s: a hard EXPIRE (%s)" % (label, kind),
           mon.since(start))
    if hard:
        st = hard[0]["sa"].get("stats") or {}
        tap.ok(abs(st.get("packets", -99) - 10) <= 1,
               "%s: the hard EXPIRE carries the SA with its counters "
               "(packets %s, expected 10 +-1)" % (label, st.get("packets")),
               [json.dumps(hard[0])])
        tap.ok(hard[0]["sa"]["lifetime"]["hard"].get(kind) is not None,
               "%s: the event carries the SA's lifetimes" % label,
               [json.dumps(hard[0])])
    softs = mon.wait(start, is_expire(spi, False, kind, dir_), n=2,
                     timeout=0.5)
    tap.ok(len(softs) == 1, "%s: the soft EXPIRE was sent once" % label,
           softs)
    time.sleep(0.3)
    got = len(T.udp_drain(listener, wait=0.5))
    tap.ok(abs(got - 10) <= 1, "%s: %d of 15 delivered, expected 10 +-1" %
           (label, got))
    after = tunnel_stats(gw)
    key = "tx_no_sa" if dir_ == "out" else "rx_no_sa"
    d = after[key] - before[key]
    tap.ok(d == 15 - got, "%s: the %d not delivered are counted in %s's %s "
           "(+%d)" % (label, 15 - got, gw, key, d))
    tap.ok(("kipsec0", dir_, spi) not in sas(gw),
           "%s: after the hard limit the SA is gone from sa show" % label)


def time_limit(tap, mons, listener, kind):
    spi = 0x1300 if kind == "time" else 0x1400
    lt = " lifetime soft %s 2 lifetime hard %s 4" % (kind, kind)
    mon = mons["gwA"]
    start = mon.count()
    t0, t1 = fresh_pair(spi, out_extra=lt)
    label = "%s limit (out SA, soft 2 s, hard 4 s)" % kind
    tx = Sender()
    if kind == "use-time":
        # Idle for 3 s: the clock has not started.
        time.sleep(3)
        idle = [e for e in mon.since(start) if e.get("event") == "expire"]
        tap.ok(not idle, "%s: no event while the SA is unused" % label, idle)
        s = sas("gwA")[("kipsec0", "out", spi)]
        tap.ok(s["use_age"] is None and isinstance(s["age"], int) and
               s["age"] >= 2, "%s: sa show: age %s, no use age before the "
               "first packet" % (label, s["age"]), [json.dumps(s)])
        t0 = time.time()
        tx.send(1)
        t1 = time.time()
        time.sleep(0.3)
        s = sas("gwA")[("kipsec0", "out", spi)]
        tap.ok(isinstance(s["use_age"], int),
               "%s: sa show: a use age after the first packet" % label,
               [json.dumps(s)])
    for hard, due in ((False, 2), (True, 4)):
        evs = mon.wait(start, is_expire(spi, hard, kind, "out"),
                       timeout=due + 4)
        what = "%s: the %s EXPIRE" % (label, "hard" if hard else "soft")
        if not tap.ok(len(evs) == 1, what + " arrived", mon.since(start)):
            continue
        at = ev_time(evs[0])
        tap.ok(t0 + due - 1 <= at <= t1 + due + 1,
               "%s came %.2f-%.2f s after the %s, expected %d +-1" % (
                   what, at - t1, at - t0,
                   "first packet" if kind == "use-time" else "add", due))
    before = tunnel_stats("gwA")
    tx.send(2)
    tx.close()
    time.sleep(0.3)
    got = len(T.udp_drain(listener, wait=0.5))
    after = tunnel_stats("gwA")
    tap.ok(("kipsec0", "out", spi) not in sas("gwA"),
           "%s: after the hard limit the SA is gone" % label)
    delivered_before = 1 if kind == "use-time" else 0
    tap.ok(got == delivered_before and
           after["tx_no_sa"] - before["tx_no_sa"] == 2,
           "%s: later packets are not sent, and counted in tx_no_sa "
           "(delivered %d, tx_no_sa +%d)" % (
               label, got - delivered_before,
               after["tx_no_sa"] - before["tx_no_sa"]))


def seq_overflow(tap, mons, listener):
    spi = 0x1500
    mon = mons["gwA"]
    start = mon.count()
    fresh_pair(spi, seq="0xfffffffe")
    tx = Sender()
    tx.send(4, gap=0.02)
    tx.close()
    evs = mon.wait(start, lambda e: e.get("event") == "seq-overflow")
    tap.ok(len(evs) == 1 and evs[0]["sa"]["spi"] == spi and
           evs[0]["sa"]["dir"] == "out",
           "seq-overflow: one SEQ_OVERFLOW event for the outbound SA",
           mon.since(start))
    time.sleep(0.5)
    evs = [e for e in mon.since(start) if e.get("event") == "seq-overflow"]
    tap.ok(len(evs) == 1, "seq-overflow: sent once, not per dropped packet "
           "(%d)" % len(evs))
    got = len(T.udp_drain(listener, wait=0.5))
    s = sas("gwA")[("kipsec0", "out", spi)]["stats"]
    tap.ok(got == 1 and s["drop_seq"] == 3 and s["packets"] == 1,
           "seq-overflow: sequence 0xffffffff delivered, then the SA stops "
           "sending (delivered %d, drop_seq %d)" % (got, s["drop_seq"]))


def acquire(tap, mons):
    mon = mons["gwA"]
    T.batch(["kipsec", "-batch", "-"], ["sa flush kipsec0"], ns="gwA")
    start = mon.count()
    before = tunnel_stats("gwA")
    tx = Sender(sport=4000, dport=53)
    t = time.monotonic()
    tx.send(50)
    took = time.monotonic() - t
    tx.close()
    is_acq = lambda e: e.get("event") == "acquire"  # noqa: E731
    evs = mon.wait(start, is_acq)
    time.sleep(1.0 - min(took, 0.9))
    evs = [e for e in mon.since(start) if is_acq(e)]
    after = tunnel_stats("gwA")
    tap.ok(len(evs) == 1, "acquire: 50 packets of one flow in %.2f s with no "
           "SA: exactly one ACQUIRE (%d)" % (took, len(evs)), evs)
    if evs:
        e = evs[0]
        tap.ok(e["ifname"] == "kipsec0" and e["local"] == HA and
               e["remote"] == HB and e["proto"] == 17 and
               e["lport"] == 4000 and e["rport"] == 53,
               "acquire: the event carries the tunnel and the packet's "
               "selector", [json.dumps(e)])
    tap.ok(after["tx_no_sa"] - before["tx_no_sa"] == 50 and
           after["acquires"] - before["acquires"] == 1,
           "acquire: tx_no_sa +%d (50), acquires +%d (1)" % (
               after["tx_no_sa"] - before["tx_no_sa"],
               after["acquires"] - before["acquires"]))
    start2 = mon.count()
    tx = Sender(sport=4001, dport=53)
    tx.send(5)
    tx.close()
    evs = mon.wait(start2, is_acq)
    tap.ok(len(evs) == 1 and evs[0]["lport"] == 4001,
           "acquire: a second flow gets its own event", evs)
    tap.ok(tunnel_stats("gwA")["acquires"] - before["acquires"] == 2,
           "acquire: acquires counts both events")


def validation(tap):
    pid = "proxy-id local %s/32 remote %s/32" % (HA, HB)
    for kind, word in (("bytes", "byte"), ("packets", "packet"),
                       ("time", "time"), ("use-time", "use-time")):
        p = kipsec("gwA", *("sa add kipsec0 dir out spi 0x1600 proto esp %s "
                            "lifetime soft %s 10 lifetime hard %s 10 %s" %
                            (KEY, kind, kind, pid)).split(), check=False)
        tap.ok(p.returncode == 1 and
               ("soft %s limit must lie below the hard one" % word) in
               p.stderr and "lifetime-soft" in p.stderr,
               "validation: soft %s = hard is refused, naming the nest" % kind,
               [p.stderr])
    kipsec("gwA", *("sa add kipsec0 dir out spi 0x1600 proto esp %s "
                    "lifetime soft bytes 1000000 lifetime hard time 3600 "
                    "lifetime hard packets 7 %s" % (KEY, pid)).split())
    s = sas("gwA")[("kipsec0", "out", 0x1600)]
    tap.ok(s["lifetime"] == {"soft": {"bytes": 1000000},
                             "hard": {"time": 3600, "packets": 7}} and
           isinstance(s["age"], int) and s["use_age"] is None,
           "sa show -j carries lifetimes, age and use age", [json.dumps(s)])
    out = kipsec("gwA", "sa", "show", "kipsec0").stdout
    tap.ok("lifetime soft bytes 1000000 hard time 3600 packets 7  age " in out,
           "sa show prints the lifetimes and the age", [out])


def main():
    tap = T.Tap()
    try:
        setup()
    except RuntimeError as e:
        tap.ok(False, "set up the tunnels", [str(e)])
        return tap.done()
    mons = {ns: Monitor(ns) for ns in ("gwA", "gwB", "hA")}
    listener = T.udp_listener("hB", HB, 6000)
    # Ready when gwA's monitor sees a warm-up ACQUIRE (no SA yet).
    warm = Sender(sport=3999, dport=6001)
    end = time.monotonic() + 20
    while not mons["gwA"].count() and time.monotonic() < end:
        warm.send(1)
        time.sleep(1.1)
    warm.close()
    tap.ok(mons["gwA"].count() > 0, "kipsec monitor -j in gwA is listening")
    time.sleep(0.5)
    counts = {ns: m.count() for ns, m in mons.items()}

    try:
        validation(tap)
        count_limit(tap, mons, listener, "out", "packets")
        count_limit(tap, mons, listener, "in", "bytes")
        time_limit(tap, mons, listener, "time")
        time_limit(tap, mons, listener, "use-time")
        seq_overflow(tap, mons, listener)
        acquire(tap, mons)
    except Exception as e:  # a broken step must not hide the others' TAP
        tap.ok(False, "the scenario ran to its end", [repr(e)])

    # Leave timed SAs behind for the teardown (netns exit, rmmod).
    fresh_pair(0x1700, out_extra=" lifetime hard time 100",
               in_extra=" lifetime soft use-time 50")
    T.udp_drain(listener)
    time.sleep(0.5)
    other = mons["hA"].since(0)
    tap.ok(not other, "a listener in another namespace (hA) got no event",
           other)
    a = mons["gwA"].since(counts["gwA"])
    b = mons["gwB"].since(counts["gwB"])
    tap.ok(all(e.get("event") != "acquire" for e in b) and
           all(e.get("sa", {}).get("dir") != "in" for e in a
               if e.get("event") == "expire") and
           all(e.get("sa", {}).get("dir") != "out" for e in b),
           "each gateway's listener got only its own tunnel's events",
           [json.dumps(e) for e in a + b][-10:])
    for ns, m in mons.items():
        err = m.stop()
        bad = [e for e in m.since(0) if e.get("event") == "unparsable"]
        tap.ok(not bad and not err,
               "kipsec monitor in %s: ran to the end, every line one JSON "
               "object, nothing lost" % ns, bad + [err])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
