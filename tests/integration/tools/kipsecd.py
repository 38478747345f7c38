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
  proposals  each predefined set (standard, compatible, basic) and custom
           proposals with and without PFS (ESP with GCM, CBC+SHA-2, AH):
           the responder accepts only the set's last proposal (or the whole
           set), the pair uses exactly it, pings pass both ways.
  psk      wrong PSK: the one-line diagnostic on both sides, no SAs.
  mismatch proxy IDs, PFS on one side, no common phase 2 proposal, no
           common phase 1 proposal: each gives its one-line diagnostic
           with our value and the peer's, and no SAs.
  traffic  start = on-traffic: a ping triggers ACQUIRE and the tunnel
           comes up; ipsec-lifetime = 10s: a ping every 50 ms across three
           Phase 2 rekeys loses nothing; new SPIs, rekeys counted, the old
           pairs gone.
  restart  kill -9 the initiator's kipsecd, start it again: it removes
           the SAs it left, its INITIAL-CONTACT makes the peer drop its
           stale pair, one pair per side again, pings pass.
  dpd      then kill -9 the responder's: DPD (2 s, 2 retries) declares it
           dead and the initiator's SAs go.
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
                 "[tunnel t]",
                 "interface = " + keys.pop("interface", "kipsec0"),
                 "local = " + keys.pop("local", local),
                 "remote = " + keys.pop("remote", remote),
                 "psk-file = " + psk]
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

    def kill(self):
        """SIGKILL: no Deletes, the SAs stay in the module."""
        self.p.kill()
        self.p.wait()
        self.logf.close()

    def stop(self):
        if self.logf.closed:
            return self.p.returncode
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


def ping_flood(ns, src, dst, secs, interval=0.05):
    """ping -i INTERVAL for SECS seconds; (sent, received, summary)."""
    count = int(secs / interval)
    out = T.run(["ping", "-n", "-q", "-i", str(interval), "-c", str(count),
                 "-W", "2", "-I", src, dst], ns=ns, check=False)
    sent = recv = -1
    for line in out.splitlines():
        if "packets transmitted" in line:
            f = line.split()
            sent, recv = int(f[0]), int(f[3])
    return sent, recv, out.strip().splitlines()[-2:]


def round_traffic(tap):
    tap.note("round traffic: start = on-traffic, ipsec-lifetime 10s, "
             "three rekeys under a ping every 50 ms")
    common = dict(ipsec_lifetime="10s", ipsec_proposals="g14-esp-aes128gcm16")
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
        # Soft lifetimes at 8.5-9 s, hard at 10 s: 28 s of pings span
        # three rekeys (at about 9, 17 and 26 s).
        sent, recv, summary = ping_flood("hA", HA, HB, 28)
        now = {k[2] for k in sas("gwA")}
        st = a.status()
        rekeys = (st.get("proxy-ids") or [{}])[0].get("rekeys", 0)
        tap.ok(now and not (now & first) and rekeys >= 3,
               "traffic: three rekeys, each before the 10 s lifetime ran out: "
               "new SPIs, rekeys %d" % rekeys,
               ["before %s now %s" % (sorted(map(hex, first)),
                                      sorted(map(hex, now)))] + a.tail(15))
        tap.ok(sent > 400 and recv == sent,
               "traffic: a ping every 50 ms across the rekeys: %d sent, %d "
               "answered, none lost" % (sent, recv),
               summary + a.tail(15) + b.tail(15))
        # A rekey may have just happened: its old pair goes at its hard
        # expiry, at most 1.5 s later.
        wait(lambda: not spis_match(1), 5)
        problems = spis_match(1)
        tap.ok(not problems, "traffic: after the rekeys the old pairs are "
               "gone and the SPIs match", problems)
    finally:
        stop_all(a, b)


def stop_all(*daemons):
    for d in daemons:
        d.stop()
    wait(lambda: not sas("gwA") and not sas("gwB"), 5)


# (name, gwA offers, gwB accepts, the proposal chosen (the "SA pair
# installed" log line names it, PFS group included), and what the SAs use
# as kipsec -j sa show names it: (proto, cipher or AEAD, auth)). gwB
# accepting only the last of gwA's proposals proves that all were offered.
PROPOSAL_CASES = [
    ("standard", "standard", "g2-esp-aes128-sha", "g2-esp-aes128-sha",
     ("esp", "aes-cbc-128", "hmac-sha1-96")),
    ("compatible", "compatible", "compatible", "nopfs-esp-3des-sha",
     ("esp", "3des", "hmac-sha1-96")),
    ("basic", "basic", "nopfs-esp-des-md5", "nopfs-esp-des-md5",
     ("esp", "des", "hmac-md5-96")),
    ("g14 gcm", "g14-esp-aes256gcm16", "g14-esp-aes256gcm16",
     "g14-esp-aes256gcm16", ("esp", "aes-gcm-256", None)),
    ("g19 cbc sha512", "g19-esp-aes128-sha, g19-esp-aes256-sha512",
     "g19-esp-aes256-sha512", "g19-esp-aes256-sha512",
     ("esp", "aes-cbc-256", "hmac-sha512-256")),
    ("nopfs ah", "nopfs-ah-sha256", "nopfs-ah-sha256", "nopfs-ah-sha256",
     ("ah", None, "hmac-sha256-128")),
]


def sa_algs(sa):
    """(proto, cipher or AEAD, auth) of one kipsec -j sa show entry."""
    return (sa.get("proto"), sa.get("aead") or sa.get("enc"), sa.get("auth"))


def round_proposals(tap):
    tap.note("round proposals: predefined sets and custom proposals")
    for name, offer, accept, chosen, want in PROPOSAL_CASES:
        b = Daemon("gwB", "prop", start="respond-only", ipsec_proposals=accept)
        a = Daemon("gwA", "prop", start="immediately", ipsec_proposals=offer)
        try:
            up = wait(all_up([a, b]), 30)
            problems = [] if up else ["not up"] + a.tail(8) + b.tail(8)
            if up:
                problems += T.ping("hA", HA, HB, count=1)
                problems += T.ping("hB", HB, HA, count=1)
                for gw, s in (("gwA", sas("gwA")), ("gwB", sas("gwB"))):
                    for k, sa in s.items():
                        got = sa_algs(sa)
                        if got != want:
                            problems.append("%s %s SA 0x%x: %s, expected %s" %
                                            (gw, k[1], k[2], got, want))
                        if not sa["stats"]["packets"]:
                            problems.append("%s %s SA 0x%x carried nothing" %
                                            (gw, k[1], k[2]))
                problems += spis_match(1)
                line = ": %s, in " % chosen
                for d in (a, b):
                    if not any("SA pair installed" in x and line in x
                               for x in d.text().splitlines()):
                        problems.append("%s: no 'SA pair installed ...%s' line"
                                        % (d.gw, line))
                        problems += d.tail(5)
            tap.ok(not problems, "proposals: %s (gwA offers %s; gwB accepts "
                   "%s): both chose %s, the SAs use %s, pings pass both ways"
                   % (name, offer, accept, chosen,
                      "/".join(x for x in want if x)), problems)
        finally:
            stop_all(a, b)


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


# (name, gwA's keys, gwB's keys, gwB's diagnostic, gwA's line)
MISMATCH_CASES = [
    ("proxy ID",
     dict(proxy_ids=[("10.1.0.0/16", "10.2.0.0/16")]),
     dict(proxy_ids=[("10.2.0.0/24", "10.1.0.0/24")]),
     "phase 2: proxy IDs do not match: peer proposed 10.2.0.0/16 <-> "
     "10.1.0.0/16; we have 10.2.0.0/24 <-> 10.1.0.0/24 (local <-> remote, "
     "seen from here)",
     "phase 2: peer says INVALID-ID-INFORMATION"),
    ("PFS on one side",
     dict(ipsec_proposals="g14-esp-aes128-sha256"),
     dict(ipsec_proposals="nopfs-esp-aes128-sha256"),
     "phase 2: no proposal chosen: peer offered g14-esp-aes128-sha256; we "
     "accept nopfs-esp-aes128-sha256 (no pfs expected, peer sent modp2048)",
     "phase 2: peer says NO-PROPOSAL-CHOSEN"),
    ("phase 2 proposal",
     dict(ipsec_proposals="nopfs-esp-aes128-sha, nopfs-esp-3des-md5"),
     dict(ipsec_proposals="nopfs-esp-aes256gcm16"),
     "phase 2: no proposal chosen: peer offered nopfs-esp-aes128-sha, "
     "nopfs-esp-3des-md5; we accept nopfs-esp-aes256gcm16",
     "phase 2: peer says NO-PROPOSAL-CHOSEN"),
    ("phase 1 proposal",
     dict(ike_proposals="aes128-sha1-modp2048"),
     dict(ike_proposals="aes256-sha256-modp2048"),
     "phase 1: no proposal chosen: peer offered aes128-sha1-modp2048; we "
     "accept aes256-sha256-modp2048",
     "phase 1: peer says NO-PROPOSAL-CHOSEN"),
]


def round_mismatch(tap):
    tap.note("round mismatch: proxy ID, PFS, phase 2 and phase 1 proposals")
    for name, ka, kb, bline, aline in MISMATCH_CASES:
        b = Daemon("gwB", "mm", start="respond-only", **kb)
        a = Daemon("gwA", "mm", start="immediately", **ka)
        try:
            said = wait(lambda: bline in b.text() and aline in a.text(), 20)
            lines = [x for x in b.text().splitlines() if bline in x] + \
                [x for x in a.text().splitlines() if aline in x]
            tap.ok(said and not sas("gwA") and not sas("gwB"),
                   "mismatch: %s: gwB says why with both values, gwA "
                   "reports the peer's refusal, no SAs" % name,
                   (lines if said else ["expected gwB: " + bline,
                                        "expected gwA: " + aline]
                    + a.tail(8) + b.tail(8)) +
                   ["gwA SAs %d, gwB SAs %d" % (len(sas("gwA")),
                                               len(sas("gwB")))])
            for x in lines[:1]:
                tap.note(x)
        finally:
            stop_all(a, b)


def round_restart_dpd(tap):
    tap.note("round restart: kill -9 and restart the initiator "
             "(INITIAL-CONTACT); then kill -9 the responder (DPD)")
    b = Daemon("gwB", "rd", start="respond-only")
    a = Daemon("gwA", "rd", start="immediately", dpd="2s", dpd_retries="2")
    a2 = None
    try:
        up = wait(all_up([a, b]), 30)
        tap.ok(up, "restart: up", a.tail() + b.tail())
        if not up:
            return
        stale_b = {k[2] for k in sas("gwB")}
        a.kill()
        tap.ok(len(sas("gwA")) == 2 and sas("gwB"),
               "restart: kill -9 on gwA leaves its SAs in the module",
               [str(sorted(sas("gwA")))])
        a2 = Daemon("gwA", "rd2", start="immediately", dpd="2s",
                    dpd_retries="2")
        up = wait(all_up([a2, b]), 30)
        ic = wait(lambda: "INITIAL-CONTACT from the peer: deleting 1 stale SA "
                  "pair(s)" in b.text(), 10)
        problems = [] if up else ["not up"]
        problems += spis_match(1)
        if stale_b & {k[2] for k in sas("gwB")}:
            problems.append("gwB still has a stale SA: %s" % sorted(
                map(hex, stale_b & {k[2] for k in sas("gwB")})))
        if "removed 2 SAs left on kipsec0 by an earlier run" not in a2.text():
            problems.append("gwA's new kipsecd did not remove its old SAs")
        if up:
            problems += T.ping("hA", HA, HB, count=2) + \
                T.ping("hB", HB, HA, count=2)
        tap.ok(ic and not problems,
               "restart: the new kipsecd removes the SAs left, its "
               "INITIAL-CONTACT makes gwB drop its stale pair; one pair per "
               "side, pings pass", problems + a2.tail(10) + b.tail(10))

        b.kill()
        t0 = time.monotonic()
        dead = wait(lambda: "DPD: peer dead: no R-U-THERE-ACK after 2 "
                    "R-U-THERE" in a2.text(), 20)
        secs = time.monotonic() - t0
        gone = wait(lambda: not sas("gwA"), 5)
        tap.ok(dead and gone and a2.status().get("state") != "up",
               "dpd: kill -9 on gwB: gwA's DPD declares the peer dead "
               "(%.1f s) and removes its SAs" % secs,
               a2.tail(12) + ["gwA SAs: %s" % sorted(sas("gwA"))])
    finally:
        for d in (a, a2, b):
            if d:
                d.stop()
        # gwB's SAs were left by kill -9
        T.run(["kipsec", "sa", "flush", "dev", "kipsec0"], ns="gwB",
              check=False)
        T.run(["kipsec", "sa", "flush", "dev", "kipsec0"], ns="gwA",
              check=False)


def main():
    tap = T.Tap()
    try:
        setup()
    except RuntimeError as e:
        tap.ok(False, "set up the tunnel devices", [str(e)])
        return tap.done()
    server = T.TcpServer("hB")
    only = os.environ.get("KIPSECD_ROUNDS", "main aggr proposals psk "
                          "mismatch traffic restart").split()
    for name, fn in (("main", lambda: round_main(tap, server)),
                     ("aggr", lambda: round_aggr(tap)),
                     ("proposals", lambda: round_proposals(tap)),
                     ("psk", lambda: round_psk(tap)),
                     ("mismatch", lambda: round_mismatch(tap)),
                     ("traffic", lambda: round_traffic(tap)),
                     ("restart", lambda: round_restart_dpd(tap))):
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
