#!/usr/bin/env python3
"""kipsecd on both gateways: IKEv1 brings the tunnel up end to end.

hA - gwA ==== gwB - hB (netlib.sh); kipsec0 on both gateways, routes to
the other site through it; kipsecd in each gateway's namespace with its
own configuration, PSK file (0600) and control socket, both on UDP port
500 of their own namespace. Rounds, each with fresh daemons:

  main     Main Mode + Quick Mode, PFS group 14; gwA start = immediately,
           gwB respond-only: status up on both, pings and a TCP stream
           (SHA-256) both ways, SPIs match across the gateways (gwA out ==
           gwB in) and count the traffic; kipsec ike down on gwA: its
           Deletes remove gwB's SAs; kipsec ike up again; SIGTERM on gwA:
           Deletes sent, SAs gone on both sides.
  aggr     Aggressive Mode, no PFS, three proxy-ID pairs: three SA pairs
           per gateway, a ping through each.
  traffic  start = on-traffic: a ping triggers ACQUIRE and the tunnel
           comes up; ipsec-lifetime = 20s: a rekey while a continuous ping
           runs loses at most one echo; new SPIs, rekeys counted.
  psk      wrong PSK: the one-line diagnostic on both sides, no SAs.
"""

import json
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipsectest as T  # noqa: E402

DIR = "/tmp/kipsecd-test"
GW = {"gwA": ("192.0.2.1", "192.0.2.2", "10.1.0.0/16", "10.2.0.0/16"),
      "gwB": ("192.0.2.2", "192.0.2.1", "10.2.0.0/16", "10.1.0.0/16")}
HA, HB = "10.1.0.2", "10.2.0.2"
HA2, HB2 = "10.1.1.2", "10.2.1.2"


def setup():
    T.batch(["ip", "-n", "hA", "-batch", "-"], ["addr add %s/32 dev a0" % HA2])
    T.batch(["ip", "-n", "hB", "-batch", "-"], ["addr add %s/32 dev b0" % HB2])
    for gw, (_, _, mine, theirs) in GW.items():
        lan = "10.1.1.2/32 via 10.1.0.2" if gw == "gwA" else \
            "10.2.1.2/32 via 10.2.0.2"
        T.batch(["ip", "-n", gw, "-batch", "-"],
                ["link add kipsec0 type kipsec",
                 "link set kipsec0 addrgenmode none",
                 "link set kipsec0 up",
                 "route add %s dev kipsec0" % theirs,
                 "route add %s" % lan])
    os.makedirs(DIR, exist_ok=True)


class Daemon:
    def __init__(self, gw, name, **keys):
        self.gw, self.name = gw, name
        self.dir = os.path.join(DIR, "%s-%s" % (gw, name))
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "ctl.sock")
        self.conf = os.path.join(self.dir, "kipsecd.conf")
        self.log = os.path.join(self.dir, "kipsecd.log")
        psk = os.path.join(self.dir, "t.psk")
        fd = os.open(psk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (keys.pop("psk", "kipsecd test secret") + "\n").encode())
        os.close(fd)
        local, remote, mine, theirs = GW[gw]
        pids = keys.pop("proxy_ids", [(mine, theirs)])
        lines = ["[global]", "control-socket = " + self.sock,
                 "log-target = stderr", "log-level = debug", "",
                 "[tunnel t]", "interface = kipsec0", "local = " + local,
                 "remote = " + remote, "psk-file = " + psk]
        for k, v in keys.items():
            lines.append("%s = %s" % (k.replace("_", "-"), v))
        for lo, re in pids:
            lines.append("proxy-id = %s %s" % (lo, re))
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.logf = open(self.log, "w")
        with T.netns(gw):
            self.p = subprocess.Popen(["kipsecd", "-f", "-c", self.conf],
                                      stdout=self.logf,
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if os.path.exists(self.sock):
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.1)

    def running(self):
        return self.p.poll() is None

    def ike(self, *args, check=True):
        return T.run(["kipsec", "ike"] + list(args) + ["-S", self.sock],
                     ns=self.gw, check=check)

    def status(self):
        try:
            j = json.loads(T.run(["kipsec", "-j", "ike", "status", "-S",
                                  self.sock], ns=self.gw))
            return j["tunnels"][0]
        except (RuntimeError, ValueError, KeyError, IndexError):
            return {}

    def text(self):
        with open(self.log) as f:
            return f.read()

    def tail(self, n=25):
        return ["%s: %s" % (self.gw, x) for x in self.text().splitlines()[-n:]]

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logf.close()
        return self.p.returncode


def sas(gw):
    try:
        return T.kipsec_sas(gw)
    except RuntimeError:
        return {}


def wait(cond, secs, step=0.25):
    deadline = time.monotonic() + secs
    while True:
        v = cond()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def all_up(daemons, n_pairs=1):
    def ok():
        for d in daemons:
            st = d.status()
            if st.get("state") != "up":
                return False
            if sum(1 for p in st.get("proxy-ids", []) if p.get("sas")) < n_pairs:
                return False
        return True
    return ok


def spis_match(n_pairs):
    """gwA's outbound SPIs are gwB's inbound ones and vice versa."""
    a, b = sas("gwA"), sas("gwB")
    problems = []
    sets = {(gw, d): {k[2] for k in s if k[1] == d}
            for gw, s in (("gwA", a), ("gwB", b)) for d in ("in", "out")}
    if sets[("gwA", "out")] != sets[("gwB", "in")]:
        problems.append("gwA out %s != gwB in %s" % (
            sorted(map(hex, sets[("gwA", "out")])),
            sorted(map(hex, sets[("gwB", "in")]))))
    if sets[("gwB", "out")] != sets[("gwA", "in")]:
        problems.append("gwB out %s != gwA in %s" % (
            sorted(map(hex, sets[("gwB", "out")])),
            sorted(map(hex, sets[("gwA", "in")]))))
    for gw, s in (("gwA", a), ("gwB", b)):
        if len(s) != 2 * n_pairs:
            problems.append("%s has %d SAs, expected %d" % (gw, len(s),
                                                           2 * n_pairs))
    return problems


def round_main(tap, server):
    tap.note("round main: Main Mode, PFS g14, immediately / respond-only")
    b = Daemon("gwB", "main", start="respond-only")
    a = Daemon("gwA", "main", start="immediately")
    try:
        up = wait(all_up([a, b]), 40)
        tap.ok(up, "main: Main Mode + Quick Mode (PFS g14) up: kipsec ike "
               "status says up on both gateways", a.tail() + b.tail())
        if not up:
            return
        problems = T.ping("hA", HA, HB, count=3) + T.ping("hB", HB, HA, count=3)
        tap.ok(not problems, "main: pings hA <-> hB through the tunnel",
               problems)
        problems, secs = T.tcp_exchange("hA", HA, server, HB, 256 << 10,
                                        256 << 10, seed="kipsecd-main")
        tap.ok(not problems, "main: 256 KiB TCP each way, SHA-256 matches "
               "(%.1f s)" % secs, problems)
        problems = spis_match(1)
        a_sas, b_sas = sas("gwA"), sas("gwB")
        for gw, s in (("gwA", a_sas), ("gwB", b_sas)):
            for k, sa in s.items():
                if not sa["stats"]["packets"]:
                    problems.append("%s %s SA 0x%x counted no packets" %
                                    (gw, k[1], k[2]))
        for k, sa in a_sas.items():
            if k[1] == "out":
                peer = b_sas.get((k[0], "in", k[2]))
                if peer and peer["stats"]["packets"] != sa["stats"]["packets"]:
                    problems.append("gwA out 0x%x sent %d, gwB in got %d" % (
                        k[2], sa["stats"]["packets"],
                        peer["stats"]["packets"]))
        tap.ok(not problems, "main: kipsec sa show -s: gwA out == gwB in "
               "and back, counters agree", problems)
        st = a.status()
        txt = a.ike("status")
        p = (st.get("proxy-ids") or [{}])[0]
        tap.ok(st.get("phase1", {}).get("established") and
               p.get("spi-out") in {k[2] for k in a_sas if k[1] == "out"} and
               "packets-out" in p and "phase 1: established (" in txt,
               "main: kipsec ike status shows phase 1, the SPIs and counters",
               [txt])

        a.ike("down", "t")
        gone = wait(lambda: not sas("gwB") and not sas("gwA"), 10)
        tap.ok(gone, "main: kipsec ike down on gwA: its Deletes remove "
               "gwB's SAs, and its own are gone",
               ["gwA: %s" % sorted(sas("gwA")), "gwB: %s" % sorted(sas("gwB"))]
               + a.tail(10) + b.tail(10))
        tap.ok(a.status().get("state") == "down" and
               b.status().get("state") in ("idle", "down"),
               "main: status: gwA down, gwB no longer up",
               [a.status().get("state"), b.status().get("state")])
        a.ike("up", "t")
        up = wait(all_up([a, b]), 30)
        problems = T.ping("hA", HA, HB, count=2) if up else ["not up"]
        tap.ok(up and not problems, "main: kipsec ike up brings it back",
               problems + a.tail(10))

        rc = a.stop()
        gone = wait(lambda: not sas("gwB") and not sas("gwA"), 10)
        tap.ok(rc == 0 and gone,
               "main: SIGTERM on gwA: exit 0, Deletes sent, SAs gone on both "
               "sides", ["rc %s" % rc, "gwA: %s" % sorted(sas("gwA")),
                         "gwB: %s" % sorted(sas("gwB"))] + b.tail(10))
    finally:
        a.stop()
        b.stop()


def round_aggr(tap):
    tap.note("round aggr: Aggressive Mode, no PFS, three proxy-ID pairs")
    pa = [("10.1.0.2/32", "10.2.0.2/32"), ("10.1.1.2/32", "10.2.0.2/32"),
          ("10.1.0.2/32", "10.2.1.2/32")]
    pb = [(r, l) for l, r in pa]
    common = dict(mode="aggressive", ipsec_proposals="nopfs-esp-aes128gcm16")
    b = Daemon("gwB", "aggr", start="respond-only", proxy_ids=pb, **common)
    a = Daemon("gwA", "aggr", start="immediately", proxy_ids=pa, **common)
    try:
        up = wait(all_up([a, b], 3), 40)
        tap.ok(up, "aggr: Aggressive Mode, no PFS: three pairs up on both "
               "gateways", a.tail() + b.tail())
        if not up:
            return
        tap.ok("aggressive mode" in a.text(),
               "aggr: the log says aggressive mode", a.tail(10))
        problems = spis_match(3)
        tap.ok(not problems, "aggr: 6 SAs per gateway, SPIs match", problems)
        problems = []
        for src, dst in ((HA, HB), (HA2, HB), (HA, HB2)):
            problems += T.ping("hA", src, dst, count=2)
        tap.ok(not problems, "aggr: a ping through each of the three pairs",
               problems)
        moved = [k for k, sa in sas("gwA").items() if sa["stats"]["packets"]]
        tap.ok(len(moved) == 6, "aggr: each of gwA's 6 SAs carried its pair's "
               "pings", [str(sorted(moved))])
    finally:
        a.stop()
        b.stop()
        wait(lambda: not sas("gwA") and not sas("gwB"), 5)


def round_traffic(tap):
    tap.note("round traffic: start = on-traffic, ipsec-lifetime 20s, rekey")
    common = dict(ipsec_lifetime="20s", ipsec_proposals="g14-esp-aes128gcm16")
    b = Daemon("gwB", "traffic", start="respond-only", **common)
    a = Daemon("gwA", "traffic", start="on-traffic", **common)
    try:
        time.sleep(1)
        tap.ok(not sas("gwA") and a.status().get("state") == "idle",
               "traffic: no SAs before traffic", [str(a.status())])
        # The first pings are lost while Main Mode and Quick Mode run.
        got = False
        for _ in range(20):
            if not T.ping("hA", HA, HB, count=1, timeout=1.0):
                got = True
                break
        tap.ok(got and a.status().get("counters", {}).get("acquires", 0) >= 1,
               "traffic: a ping triggers ACQUIRE, the tunnel comes up, pings "
               "pass", a.tail() + b.tail())
        if not got:
            return
        first = {k[2] for k in sas("gwA")}
        t0 = time.monotonic()
        sent = lost = 0
        worst = run = 0
        # Soft lifetimes at 17-18 s, hard at 20 s, the old pair deleted
        # 10 s after the rekey: 30 s of pings cover it all.
        while time.monotonic() - t0 < 30:
            sent += 1
            if T.ping("hA", HA, HB, count=1, timeout=1.0):
                lost += 1
                run += 1
                worst = max(worst, run)
            else:
                run = 0
                time.sleep(0.2)
        now = {k[2] for k in sas("gwA")}
        st = a.status()
        rekeys = (st.get("proxy-ids") or [{}])[0].get("rekeys", 0)
        tap.ok(now and not (now & first) and rekeys >= 1,
               "traffic: rekeyed before the 20 s lifetime ran out: new SPIs, "
               "rekeys %d" % rekeys,
               ["before %s now %s" % (sorted(map(hex, first)),
                                      sorted(map(hex, now)))] + a.tail(15))
        tap.ok(lost <= 1, "traffic: continuous ping over the rekey: %d sent, "
               "%d lost (at most 1)" % (sent, lost), a.tail(15) + b.tail(15))
        problems = spis_match(1)
        tap.ok(not problems, "traffic: after the rekey the old pair is gone "
               "and the SPIs match", problems)
    finally:
        a.stop()
        b.stop()
        wait(lambda: not sas("gwA") and not sas("gwB"), 5)


def round_psk(tap):
    tap.note("round psk: the PSKs differ")
    b = Daemon("gwB", "psk", start="respond-only")
    a = Daemon("gwA", "psk", start="immediately", psk="another secret")
    try:
        said = wait(lambda: "pre-shared keys differ" in b.text() and
                    "AUTHENTICATION-FAILED" in a.text(), 20)
        lines = [x for x in a.text().splitlines() + b.text().splitlines()
                 if "pre-shared keys differ" in x or "AUTHENTICATION-FAILED" in x]
        tap.ok(said, "psk: responder: 'pre-shared keys differ'; initiator: "
               "the peer's AUTHENTICATION-FAILED", lines or a.tail() + b.tail())
        for x in lines:
            tap.note(x)
        tap.ok(not sas("gwA") and not sas("gwB"), "psk: no SAs on either "
               "gateway", [str(sas("gwA")), str(sas("gwB"))])
        secret = "another secret"
        tap.ok(secret not in a.text() and "kipsecd test secret" not in b.text(),
               "psk: no key material in the logs")
    finally:
        a.stop()
        b.stop()


def main():
    tap = T.Tap()
    try:
        setup()
    except RuntimeError as e:
        tap.ok(False, "set up the tunnel devices", [str(e)])
        return tap.done()
    server = T.TcpServer("hB")
    only = os.environ.get("KIPSECD_ROUNDS", "main aggr traffic psk").split()
    for name, fn in (("main", lambda: round_main(tap, server)),
                     ("aggr", lambda: round_aggr(tap)),
                     ("traffic", lambda: round_traffic(tap)),
                     ("psk", lambda: round_psk(tap))):
        if name in only:
            t0 = time.monotonic()
            try:
                fn()
            except Exception:  # one round's surprise must not hide the rest
                tap.ok(False, "round %s ran to its end" % name,
                       traceback.format_exc())
            tap.note("round %s: %.1f s" % (name, time.monotonic() - t0))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
