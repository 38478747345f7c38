#!/usr/bin/env python3
"""kipsecd against strongSwan's charon, a real IKEv1 peer (issue 6).

hA - gwA ==== gwB - hB (netlib.sh). gwA runs kipsecd and kipsec0; gwB runs
charon, which installs its SAs and policies in gwB's XFRM. charon has a
directory of its own (strongswan.conf, swanctl.conf, vici socket, log) and
its own /run (unshare -m, tmpfs) for its fixed pid file. One charon serves
many cells: each cell writes its swanctl.conf and reloads it with
swanctl --load-all; only the restart cell starts a second charon.

A passing cell: the tunnel comes up (kipsec ike status and XFRM), ping
both ways through each proxy-ID pair, TCP of BYTES each way at once with
SHA-256 checked at the far end, and kipsec's SA counters (kipsec -j -s sa
show on gwA) equal XFRM's (ip -s xfrm state on gwB) SPI by SPI. A mismatch
cell passes when kipsecd logs its one-line diagnostic and neither side has
an SA. Nothing here trusts either implementation's word alone.

    strongswan.py [--cells NAME,...|--set subset|--set full] [--bytes N]
                  [--list]

Each cell ends with a line "# cell NAME: pass|FAIL (T s)" for the table of
tools/interop/run.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipsectest as T  # noqa: E402
import kipsecd as KD  # noqa: E402

DIR = "/tmp/strongswan-test"
GWA, GWB = "192.0.2.1", "192.0.2.2"
HA, HB = "10.1.0.2", "10.2.0.2"
HA2, HB2 = "10.1.1.2", "10.2.1.2"
SITE_A, SITE_B = "10.1.0.0/16", "10.2.0.0/16"
# Cells over outer IPv6 (inner IPv6 too) use kipsec1 on gwA.
GWA6, GWB6 = "2001:db8:f::1", "2001:db8:f::2"
HA6, HB6 = "fd00:a::2", "fd00:b::2"
SITE_A6, SITE_B6 = "fd00:a::/64", "fd00:b::/64"
PSK = "kipsec strongswan interop"
CHARON = "/usr/lib/ipsec/charon"
# Three pairs on one tunnel: each host pair its own SA pair.
THREE = [("10.1.0.2/32", "10.2.0.2/32"), ("10.1.1.2/32", "10.2.0.2/32"),
         ("10.1.0.2/32", "10.2.1.2/32")]
PINGS3 = [(HA, HB), (HA2, HB), (HA, HB2)]

# kipsecd's group names (gN) and strongSwan's.
GROUPS = {None: None, 2: "modp1024", 5: "modp1536", 14: "modp2048",
          19: "ecp256", 20: "ecp384", 21: "ecp521", 31: "curve25519"}


class Cell:
    """One column of the matrix. esp is (kipsecd name without PFS prefix,
    strongSwan name without group); ah=True makes it AH. outer=6: the
    gateways talk IPv6, and the proxy ID is the IPv6 sites' (on kipsec1)."""

    def __init__(self, name, who="kipsec", mode="main", pfs=14,
                 esp=("esp-aes128gcm16", "aes128gcm16"), pairs=1,
                 ike=None, event=None, mismatch=None, expect=None,
                 sw=None, kd=None, outer=4):
        self.name, self.who, self.mode, self.pfs = name, who, mode, pfs
        v6 = outer == 6
        self.outer, self.dev = outer, "kipsec1" if v6 else "kipsec0"
        self.gwa, self.gwb = (GWA6, GWB6) if v6 else (GWA, GWB)
        self.ha, self.hb = (HA6, HB6) if v6 else (HA, HB)
        self.site_a, self.site_b = (SITE_A6, SITE_B6) if v6 else (SITE_A,
                                                                  SITE_B)
        self.esp, self.pairs, self.event = esp, pairs, event
        self.mismatch, self.expect = mismatch, expect
        group = GROUPS[pfs] or "modp2048"
        self.ike = ike or "aes256-sha256-" + group
        self.sw = sw or {}      # strongSwan overrides: ike, esp, ts, psk
        self.kd = kd or {}      # kipsecd.conf keys added or replaced

    def kipsec_proposal(self):
        return "%s-%s" % ("g%d" % self.pfs if self.pfs else "nopfs",
                          self.esp[0])

    def swan_proposal(self):
        g = GROUPS[self.pfs]
        return self.esp[1] + ("-" + g if g else "")


CBC = [("esp-aes128-sha1", "aes128-sha1"), ("esp-aes128-sha256", "aes128-sha256"),
       ("esp-aes128-sha384", "aes128-sha384"), ("esp-aes128-sha512", "aes128-sha512"),
       ("esp-aes256-sha1", "aes256-sha1"), ("esp-aes256-sha256", "aes256-sha256"),
       ("esp-aes256-sha384", "aes256-sha384"), ("esp-aes256-sha512", "aes256-sha512"),
       ("esp-3des-sha1", "3des-sha1")]
GCM = [("esp-aes128gcm16", "aes128gcm16"), ("esp-aes256gcm16", "aes256gcm16")]
AH = ("ah-sha256", "sha256")


def full_matrix():
    cells = []
    for who in ("kipsec", "swan"):
        for mode in ("main", "aggressive"):
            cells.append(Cell("%s-init-%s" % (who, mode), who=who, mode=mode))
    for g in (None, 2, 5, 14, 19, 20, 21, 31):
        who = "kipsec" if g in (None, 5, 19, 21) else "swan"
        cells.append(Cell("pfs-%s" % ("none" if g is None else "g%d" % g),
                          who=who, pfs=g))
    for i, esp in enumerate(GCM + CBC):
        cells.append(Cell(esp[0], who="kipsec" if i % 2 else "swan", esp=esp,
                          pfs=None))
    cells.append(Cell("ah-sha256", esp=AH, pfs=None))
    cells.append(Cell("ah-sha256-resp", who="swan", esp=AH, pfs=14))
    cells.append(Cell("three-pairs-init", pairs=3))
    cells.append(Cell("three-pairs-resp", who="swan", pairs=3,
                      esp=CBC[5]))
    cells.append(Cell("ipv6-kipsec-init", outer=6, pfs=14))
    cells.append(Cell("ipv6-swan-init", who="swan", mode="aggressive",
                      outer=6, pfs=None, esp=CBC[5]))
    cells += events()
    cells += mismatches()
    cells.append(Cell("mismatch-pfs-kipsec-only", who="swan", pfs=14,
                      sw={"esp": "aes128gcm16"}, mismatch="pfs",
                      expect="phase 2: no proposal chosen"))
    cells.append(Cell("mismatch-p2-proposal", who="swan", pfs=None,
                      sw={"esp": "3des-sha1"}, mismatch="p2",
                      expect="phase 2: no proposal chosen"))
    return cells


def events():
    return [
        Cell("rekey-by-kipsec", pfs=14, event="rekey-kipsec",
             kd={"ipsec-lifetime": "20s"}),
        Cell("rekey-by-strongswan", who="swan", pfs=14, event="rekey-swan",
             sw={"rekey_time": "25s", "life_time": "90s"}),
        Cell("delete-by-kipsec", event="delete-kipsec", pfs=None),
        Cell("delete-by-strongswan", who="swan", event="delete-swan",
             pfs=None),
        Cell("charon-restart", event="restart", pfs=None),
    ]


def mismatches():
    return [
        Cell("mismatch-psk", who="swan", sw={"psk": "not the same key"},
             mismatch="psk", expect="pre-shared keys differ"),
        Cell("mismatch-proxy-id", who="swan",
             sw={"ts": [("10.2.0.0/24", "10.1.0.0/24")]}, mismatch="ts",
             expect="phase 2: proxy IDs do not match"),
        Cell("mismatch-pfs-peer-only", who="swan", pfs=None,
             sw={"esp": "aes128gcm16-modp2048"}, mismatch="pfs",
             expect="phase 2: no proposal chosen"),
        Cell("mismatch-ike-proposal", who="swan",
             sw={"ike": "3des-sha1-modp1024"}, mismatch="p1",
             expect="phase 1: no proposal chosen"),
    ]


def subset():
    return [
        Cell("kipsec-init-main-g14-gcm128", pfs=14),
        Cell("swan-init-aggr-three-pairs-cbc", who="swan", mode="aggressive",
             pfs=14, pairs=3, esp=("esp-aes256-sha256", "aes256-sha256")),
        Cell("rekey-by-kipsec", pfs=14, event="rekey-kipsec",
             kd={"ipsec-lifetime": "20s"}),
    ] + mismatches()


# --- set-up -------------------------------------------------------------------

def setup(mtu):
    T.batch(["ip", "-n", "hA", "-batch", "-"],
            ["addr add %s/32 dev a0" % HA2, "link set a0 mtu %d" % mtu])
    T.batch(["ip", "-n", "hB", "-batch", "-"],
            ["addr add %s/32 dev b0" % HB2, "link set b0 mtu %d" % mtu])
    # kipsec0 keeps the 100 bytes that ESP/AH in tunnel mode may add.
    T.batch(["ip", "-n", "gwA", "-batch", "-"],
            ["link set a1 mtu %d" % mtu, "link set w0 mtu %d" % mtu,
             "link add kipsec0 type kipsec",
             "link set kipsec0 addrgenmode none",
             "link set kipsec0 mtu %d" % (mtu - 100),
             "link set kipsec0 up",
             "route add %s dev kipsec0" % SITE_B,
             "route add %s/32 via %s" % (HA2, HA),
             "link add kipsec1 type kipsec",
             "link set kipsec1 addrgenmode none",
             "link set kipsec1 mtu %d" % (mtu - 100),
             "link set kipsec1 up",
             "route add %s dev kipsec1" % SITE_B6])
    # charon installs policies, no routes: XFRM looks up the policy after
    # routing, so gwB routes site A towards gwA.
    T.batch(["ip", "-n", "gwB", "-batch", "-"],
            ["link set w1 mtu %d" % mtu, "link set b1 mtu %d" % mtu,
             "route add %s via %s" % (SITE_A, GWA),
             "route add %s/32 via %s" % (HB2, HB),
             "route add %s via %s" % (SITE_A6, GWA6)])
    os.makedirs(DIR, exist_ok=True)


STRONGSWAN_CONF = """\
# charon for kipsec's tests and benchmarks (tests/integration/tools/strongswan.py)
charon {
    load_modular = no
    load = random nonce openssl kernel-netlink socket-default vici
    install_routes = no
    install_virtual_ip = no
    i_dont_care_about_security_and_use_aggressive_mode_psk = yes
    retransmit_timeout = 2
    retransmit_tries = 3
    # IKEv1: send Deletes for the SAs a rekey replaced (default: keep
    # them, without a word, until their hard lifetime)
    delete_rekeyed = yes
    plugins {
        vici {
            socket = unix://%(dir)s/charon.vici
        }
    }
    filelog {
%(filelog)s
    }
}
swanctl {
    load = random nonce openssl
}
"""

# The interop tests' logger: a file in charon's directory, IKE in detail.
FILELOG = """\
        charon {
            path = %(dir)s/charon.log
            time_format = %%H:%%M:%%S
            time_add_ms = yes
            default = 1
            ike = 2
            cfg = 1
            knl = 1
        }"""


def swanctl_conf(c, gw="gwB"):
    """swanctl.conf for cell C: one connection, a child per proxy-ID pair.
    GW is the gateway charon runs on: gwB, or gwA for charon against charon
    (addresses and traffic selectors seen from there)."""
    if c.pairs == 3:
        ts = [(r, l) for l, r in THREE]
    else:
        ts = c.sw.get("ts", [(c.site_b, c.site_a)])
    me, peer = c.gwb, c.gwa
    if gw == "gwA":
        ts = [(r, l) for l, r in ts]
        me, peer = c.gwa, c.gwb
    esp = c.sw.get("esp", c.swan_proposal())
    key = "ah_proposals" if c.esp[0].startswith("ah-") else "esp_proposals"
    start = "start" if c.who == "swan" else "none"
    children = []
    for i, (lo, re_) in enumerate(ts, 1):
        extra = ""
        for k in ("rekey_time", "life_time"):
            if k in c.sw:
                extra += "                %s = %s\n" % (k, c.sw[k])
        if "rekey_time" in c.sw:
            extra += "                rand_time = 0\n"
        children.append(
            "            net%d {\n"
            "                local_ts = %s\n"
            "                remote_ts = %s\n"
            "                %s = %s\n"
            "                mode = tunnel\n"
            "                start_action = %s\n"
            "%s"
            "            }\n" % (i, lo, re_, key, esp, start, extra))
    return (
        "connections {\n"
        "    %(name)s {\n"
        "        version = 1\n"
        "        aggressive = %(aggr)s\n"
        "        local_addrs = %(me)s\n"
        "        remote_addrs = %(peer)s\n"
        "        proposals = %(ike)s\n"
        "        local {\n"
        "            auth = psk\n"
        "            id = %(me)s\n"
        "        }\n"
        "        remote {\n"
        "            auth = psk\n"
        "            id = %(peer)s\n"
        "        }\n"
        "        children {\n"
        "%(children)s"
        "        }\n"
        "    }\n"
        "}\n"
        "secrets {\n"
        "    ike-%(name)s {\n"
        "        id-a = %(me)s\n"
        "        id-b = %(peer)s\n"
        "        secret = \"%(psk)s\"\n"
        "    }\n"
        "}\n" % dict(name=c.name, aggr="yes" if c.mode == "aggressive" else "no",
                     me=me, peer=peer, ike=c.sw.get("ike", c.ike),
                     children="".join(children), psk=c.sw.get("psk", PSK)))


class Charon:
    """charon in namespace NS (gwB), with its own directory (DIR/charon
    unless DIRECTORY is given: strongswan.conf, swanctl.conf, vici socket,
    log) and its own /run, so that several can run at once. SIDE: the
    gateway it plays in swanctl_conf (gwA or gwB; default: NS). FILELOG:
    the loggers of its filelog section (default: FILELOG, into charon.log)."""

    def __init__(self, ns="gwB", directory=None, filelog=FILELOG, side=None):
        self.ns, self.side = ns, side or ns
        self.dir = directory or os.path.join(DIR, "charon")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "strongswan.conf")
        self.swanctl = os.path.join(self.dir, "swanctl.conf")
        self.log = os.path.join(self.dir, "charon.log")
        self.vici = os.path.join(self.dir, "charon.vici")
        with open(self.conf, "w") as f:
            f.write(STRONGSWAN_CONF % {
                "dir": self.dir, "filelog": filelog % {"dir": self.dir}})
        self.env = dict(os.environ, STRONGSWAN_CONF=self.conf)
        self.p = None
        self.out = None

    def start(self, out=None):
        """Start charon and wait for its vici socket. Its stdout and
        stderr go to charon.out in its directory, or to OUT (a file, or
        subprocess.PIPE: then read self.p.stdout)."""
        if os.path.exists(self.vici):
            os.unlink(self.vici)
        if out is None:
            self.out = open(os.path.join(self.dir, "charon.out"), "a")
            out = self.out
        with T.netns(self.ns):
            self.p = subprocess.Popen(
                ["unshare", "-m", "sh", "-c",
                 "mount -t tmpfs tmpfs /run && exec " + CHARON],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
                text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(self.vici) or self.p.poll() is not None:
                break
            time.sleep(0.1)
        return os.path.exists(self.vici) and self.p.poll() is None

    def running(self):
        return self.p is not None and self.p.poll() is None

    def swanctl_cmd(self, *args, check=True):
        with T.netns(self.ns):
            p = subprocess.run(["swanctl"] + list(args) +
                               ["--uri", "unix://" + self.vici],
                               env=self.env, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError("swanctl %s exited %d: %s%s" % (
                " ".join(args), p.returncode, p.stdout, p.stderr))
        return p.stdout + p.stderr

    def load(self, cell):
        with open(self.swanctl, "w") as f:
            f.write(swanctl_conf(cell, self.side))
        os.chmod(self.swanctl, 0o600)
        return self.swanctl_cmd("--load-all", "--file", self.swanctl)

    def text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def mark(self):
        return len(self.text())

    def tail(self, n=25, since=0):
        return ["charon: " + x for x in self.text()[since:].splitlines()[-n:]]

    def stop(self, sig=signal.SIGTERM):
        if self.running():
            self.p.send_signal(sig)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if self.out:
            self.out.close()
            self.out = None


def start_kipsecd(c):
    """kipsecd in gwA for one cell (tools/kipsecd.py's Daemon)."""
    keys = {"mode": c.mode, "psk": PSK, "ike_proposals": c.ike,
            "ipsec_proposals": c.kipsec_proposal(),
            "start": "immediately" if c.who == "kipsec" else "respond-only",
            "proxy_ids": THREE if c.pairs == 3 else [(c.site_a, c.site_b)],
            "interface": c.dev, "local": c.gwa, "remote": c.gwb}
    keys.update(c.kd)
    return KD.Daemon("gwA", c.name, **keys)


wait = KD.wait		# poll COND until true or SECS pass


def ksas():
    try:
        return T.kipsec_sas("gwA")
    except RuntimeError:
        return {}


def xstates():
    try:
        return T.xfrm_states("gwB")
    except RuntimeError:
        return {}


def up(k, n):
    """kipsecd says up with N pairs keyed, and gwB's XFRM has 2N states
    whose SPIs are gwA's, crosswise."""
    st = k.status()
    if st.get("state") != "up":
        return False
    if sum(1 for p in st.get("proxy-ids", []) if p.get("sas")) < n:
        return False
    a, x = ksas(), xstates()
    return len(a) == 2 * n and set(x) == {s for (_, _, s) in a}


# --- checks ------------------------------------------------------------------

def counter_problems(n, settle=5.0):
    """kipsec's SAs on gwA against XFRM's on gwB, SPI by SPI: same packets
    and bytes (read again for up to SETTLE s while they differ), every SA
    carried traffic, no drops."""
    deadline = time.monotonic() + settle
    while True:
        a, x = ksas(), xstates()
        problems = []
        if len(a) != 2 * n:
            problems.append("gwA has %d SAs, expected %d" % (len(a), 2 * n))
        for (_, d, spi), sa in sorted(a.items()):
            xs = x.get(spi)
            if not xs:
                problems.append("kipsec %s SA 0x%08x: no XFRM state with "
                                "that SPI on gwB" % (d, spi))
                continue
            kp, kb = sa["stats"]["packets"], sa["stats"]["bytes"]
            if (kp, kb) != (xs.get("packets"), xs.get("bytes")):
                problems.append("SPI 0x%08x: kipsec %s counted %d packets %d "
                                "bytes, XFRM %s packets %s bytes" % (
                                    spi, d, kp, kb, xs.get("packets"),
                                    xs.get("bytes")))
            if not kp:
                problems.append("kipsec %s SA 0x%08x carried nothing" %
                                (d, spi))
            if T.sa_drops(sa):
                problems.append("kipsec %s SA 0x%08x drops %s" %
                                (d, spi, T.sa_drops(sa)))
            if xs.get("replay") or xs.get("failed"):
                problems.append("XFRM state 0x%08x: replay %s failed %s" %
                                (spi, xs.get("replay"), xs.get("failed")))
        if not problems:
            return problems
        if time.monotonic() > deadline:
            return problems + xfrm_diag()
        time.sleep(0.5)


# What gwB's XFRM counts for an ESP packet on an SPI without a usable
# state: none at all (XfrmInNoStates), or the larval state charon's SPI
# allocation created before QM2, until it installs the SA at QM3
# (XfrmAcquireError; the counter a too-early packet of kipsec's showed).
XFRM_EARLY_DROPS = ("XfrmInNoStates", "XfrmAcquireError")


def xfrm_stat(name):
    """One counter of gwB's /proc/net/xfrm_stat (e.g. XfrmInNoStates)."""
    with T.netns("gwB"), open("/proc/net/xfrm_stat") as f:
        for line in f:
            k, v = line.split()
            if k == name:
                return int(v)
    raise KeyError(name)


def xfrm_diag():
    """gwB's XFRM state flags and its nonzero error counters."""
    out = ["gwB: " + l.strip() for l in
           T.run(["ip", "xfrm", "state"], ns="gwB", check=False).splitlines()
           if "proto" in l or "flag" in l]
    try:
        with T.netns("gwB"), open("/proc/net/xfrm_stat") as f:
            out += ["gwB: " + l.strip() for l in f if l.split()[-1] != "0"]
    except OSError as e:
        out.append("xfrm_stat: %s" % e)
    return out


def traffic(tap, c, servers, nbytes):
    """Ping both ways through each pair, TCP both ways, counters agree."""
    pairs = PINGS3 if c.pairs == 3 else [(c.ha, c.hb)]
    problems = []
    for a, b in pairs:
        problems += T.ping("hA", a, b, count=2)
        problems += T.ping("hB", b, a, count=2)
    ok = tap.ok(not problems, "%s: ping hA <-> hB both ways through %d "
                "pair(s)" % (c.name, len(pairs)), problems)
    if not ok:      # a dead tunnel would only time out, slowly
        problems, secs = ["not tried: the pings failed"], 0.0
    else:
        problems, secs = T.tcp_exchange("hA", c.ha, servers["hB"], c.hb,
                                        nbytes,
                                        nbytes, seed=c.name)
    if not problems:
        p2, s2 = T.tcp_exchange("hB", c.hb, servers["hA"], c.ha, nbytes,
                                nbytes, seed=c.name + "/rev")
        problems += p2
        secs += s2
    ok &= tap.ok(not problems, "%s: TCP %d KiB each way, opened from each "
                 "side, SHA-256 matches (%.1f s)" % (c.name, nbytes >> 10,
                                                     secs), problems)
    problems = counter_problems(c.pairs)
    ok &= tap.ok(not problems, "%s: kipsec SA counters equal XFRM's on gwB, "
                 "SPI by SPI" % c.name, problems)
    return ok


def continuous_ping(secs):
    """Ping hA -> hB once every 0.2 s for SECS; return (sent, lost)."""
    t0 = time.monotonic()
    sent = lost = 0
    while time.monotonic() - t0 < secs:
        sent += 1
        if T.ping("hA", HA, HB, count=1, timeout=1.0):
            lost += 1
        else:
            time.sleep(0.2)
    return sent, lost


def ev_rekey(tap, c, k, charon, mark):
    first = {s for (_, _, s) in ksas()}
    drops = {n: xfrm_stat(n) for n in XFRM_EARLY_DROPS}
    # kipsecd rekeys at its soft lifetime (17-18 s of 20 s) and moves its
    # traffic to the new pair IKE_REKEY_SETTLE_MS (1 s) after its Quick
    # Mode message 3, once charon has installed the new inbound state; the
    # old pair goes at its hard lifetime or the grace period. charon
    # rekeys at its rekey_time, 25 s.
    sent, lost = continuous_ping(24 if c.event == "rekey-kipsec" else 32)
    now = {s for (_, _, s) in ksas()}
    # who started each Quick Mode: kipsecd logs the ones it initiates
    log = k.text()
    ours = log.count("phase 2: initiating Quick Mode")
    pairs = log.count("phase 2: SA pair installed")
    by_kipsec = c.event == "rekey-kipsec"
    ok = tap.ok(now and not (now & first) and pairs >= 2 and
                (ours >= 2 if by_kipsec else ours == 0),
                "%s: new SPIs on gwA, rekeyed by %s (%d pairs installed, "
                "%d Quick Modes initiated by kipsecd)" % (
                    c.name, "kipsec" if by_kipsec else "strongSwan", pairs,
                    ours),
                ["before %s now %s" % (sorted(map(hex, first)),
                                       sorted(map(hex, now)))] +
                k.tail(15) + charon.tail(15, mark))
    ok &= tap.ok(lost == 0, "%s: continuous ping over the rekey: %d sent, "
                 "%d lost" % (c.name, sent, lost), k.tail(15))
    # the old pair is deleted on both sides once the grace period is over
    settled = wait(lambda: up(k, 1), 15)
    ok &= tap.ok(settled, "%s: after the rekey one SA pair on each side, "
                 "SPIs matching" % c.name,
                 ["gwA %s" % sorted(map(hex, (s for _, _, s in ksas()))),
                  "gwB %s" % sorted(map(hex, xstates()))])
    # nothing reached gwB on an SPI charon had not installed (yet)
    grown = {n: xfrm_stat(n) - v for n, v in drops.items()}
    ok &= tap.ok(not any(grown.values()), "%s: XFRM on gwB dropped nothing "
                 "for a missing or unfinished state over the rekey (%s)" % (
                     c.name, ", ".join("%s +%d" % kv for kv in grown.items())),
                 xfrm_diag())
    return ok


def ev_delete(tap, c, k, charon, mark):
    if c.event == "delete-kipsec":
        k.ike("down", "t")
        gone = wait(lambda: not xstates(), 10)
        ok = tap.ok(gone and not ksas(), "%s: kipsec ike down: charon "
                    "honours the Delete, no SAs on either side" % c.name,
                    ["gwB %s" % sorted(map(hex, xstates()))] +
                    charon.tail(10, mark))
    else:
        charon.swanctl_cmd("--terminate", "--ike", c.name)
        gone = wait(lambda: not ksas(), 10)
        st = k.status().get("state")
        ok = tap.ok(gone and not xstates() and st != "up",
                    "%s: swanctl --terminate: kipsecd honours the Delete, "
                    "no SAs on either side (state %s)" % (c.name, st),
                    ["gwA %s" % sorted(ksas())] + k.tail(10))
    return ok


def ev_restart(tap, c, k, charon, mark, cell_up):
    """charon dies without a word (SIGKILL, its XFRM state flushed as if
    the box rebooted), starts again and initiates: INITIAL-CONTACT must
    make kipsecd drop the stale pair and take the new one."""
    old = {s for (_, _, s) in ksas()}
    charon.stop(signal.SIGKILL)
    T.run(["ip", "xfrm", "state", "flush"], ns="gwB")
    T.run(["ip", "xfrm", "policy", "flush"], ns="gwB")
    ok = tap.ok(charon.start(), "%s: charon restarted" % c.name,
                charon.tail(10))
    if not ok:
        return False
    c.who = "swan"       # the restarted peer initiates
    charon.load(c)
    came = wait(lambda: up(k, 1) and not (old & {s for _, _, s in ksas()}),
                40)
    ok = tap.ok(came and "INITIAL-CONTACT from the peer" in k.text(),
                "%s: charon's new Main Mode carries INITIAL-CONTACT: kipsecd "
                "drops the stale pair, one new pair up" % c.name,
                [l for l in k.text().splitlines() if "INITIAL" in l] +
                ["old %s now %s" % (sorted(map(hex, old)),
                                    sorted(map(hex, (s for _, _, s in ksas()))))]
                + k.tail(10))
    return ok and cell_up()


def run_cell(tap, c, charon, servers, nbytes):
    mark = charon.mark()
    if c.who == "kipsec":
        charon.load(c)          # the responder is ready first
    k = start_kipsecd(c)
    try:
        if c.who == "swan":
            charon.load(c)      # start_action = start: charon initiates
        if c.mismatch:
            return mismatch(tap, c, k, charon, mark)
        came = wait(lambda: up(k, c.pairs), 45)
        role = "initiator" if c.who == "kipsec" else "responder"
        ok = tap.ok(came, "%s: up, kipsec %s, %s mode, outer IPv%d, %s, %s, "
                    "%d pair(s)" % (c.name, role, c.mode, c.outer,
                                    c.kipsec_proposal(), c.ike, c.pairs),
            k.tail() + charon.tail(25, mark))
        if not ok:
            return False
        ok = traffic(tap, c, servers, nbytes)
        if c.event in ("rekey-kipsec", "rekey-swan"):
            ok &= ev_rekey(tap, c, k, charon, mark)
            ok &= traffic(tap, c, servers, nbytes >> 2)
        elif c.event in ("delete-kipsec", "delete-swan"):
            ok &= ev_delete(tap, c, k, charon, mark)
        elif c.event == "restart":
            ok &= ev_restart(tap, c, k, charon, mark,
                             lambda: traffic(tap, c, servers, nbytes >> 2))
        return ok
    finally:
        k.stop()
        if not wait(lambda: not xstates() and not ksas(), 10):
            tap.note("%s: SAs left after kipsecd's SIGTERM; terminating "
                     "in charon" % c.name)
            charon.swanctl_cmd("--terminate", "--ike", c.name, "--force",
                               check=False)
            T.run(["ip", "xfrm", "state", "flush"], ns="gwB")


def mismatch(tap, c, k, charon, mark):
    said = wait(lambda: c.expect in k.text(), 30)
    lines = [l for l in k.text().splitlines() if c.expect in l]
    ok = tap.ok(said, "%s: kipsecd says '%s'" % (c.name, c.expect),
                k.tail() + charon.tail(15, mark))
    for l in lines[:1]:
        tap.note("  " + l)
    ok &= tap.ok(not ksas() and not xstates() and
                 k.status().get("state") != "up",
                 "%s: no SA on either side" % c.name,
                 ["gwA %s gwB %s" % (sorted(ksas()), sorted(xstates()))])
    # charon would retransmit into the next cell
    charon.swanctl_cmd("--terminate", "--ike", c.name, "--force",
                       check=False)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="subset", choices=("subset", "full"))
    ap.add_argument("--cells", default="")
    ap.add_argument("--bytes", type=int, default=1 << 20)
    ap.add_argument("--mtu", type=int, default=9000)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    cells = subset() if args.set == "subset" else full_matrix()
    if args.cells:
        want = args.cells.split(",")
        cells = [c for c in full_matrix() + subset() if c.name in want]
        cells = list({c.name: c for c in cells}.values())
    if args.list:
        for c in cells:
            print(c.name)
        return 0
    tap = T.Tap()
    try:
        setup(args.mtu)
    except RuntimeError as e:
        tap.ok(False, "set up gwA, gwB and the hosts", [str(e)])
        return tap.done()
    charon = Charon()
    t0 = time.monotonic()
    if not tap.ok(charon.start(), "charon starts in gwB, vici socket there",
                  charon.tail(20)):
        return tap.done()
    tap.note("charon up in %.1f s; strongswan-charon %s" % (
        time.monotonic() - t0,
        T.run(["dpkg-query", "-W", "-f", "${Version}", "strongswan-charon"],
              check=False)))
    servers = {"hA": T.TcpServer("hA"), "hB": T.TcpServer("hB")}
    results = []
    for c in cells:
        t0 = time.monotonic()
        try:
            ok = run_cell(tap, c, charon, servers, args.bytes)
        except Exception:  # one cell's surprise must not hide the rest
            ok = tap.ok(False, "%s ran to its end" % c.name,
                        traceback.format_exc())
        if not charon.running():
            tap.note("charon died; starting it again")
            charon.start()
        secs = time.monotonic() - t0
        results.append((c.name, ok, secs))
        tap.note("cell %s: %s (%.1f s)" % (c.name, "pass" if ok else "FAIL",
                                           secs))
    charon.stop()
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
