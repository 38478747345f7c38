#!/usr/bin/env python3
"""Inside the benchmark VM: how fast two kipsecd negotiate.

    gwA (192.0.2.1) ---- gwB (192.0.2.2)      namespaces i-gwA, i-gwB

kipsec0 on both gateways, kipsecd in each namespace (gwB respond-only).
Times come from the initiator's log lines, stamped as they are read, so
nothing of the polling or the CLI is counted:

  qm_nopfs_per_s / qm_pfs_per_s
      KIPSEC_BENCH_QM proxy-ID pairs on one tunnel: after "phase 1:
      established", one Quick Mode per pair over that phase 1; the figure is
      pairs / (time of the last "SA pair installed" - time of "phase 1:
      established"). PFS: group 14.
  setup_per_s
      Main Mode (aes128-sha256-modp2048, PSK) plus one Quick Mode (PFS
      group 14), KIPSEC_BENCH_SETUPS times after one untimed set-up: "kipsec
      ike down", then "kipsec ike up", timed from "phase 1: initiating main
      mode" to "SA pair installed"; the figure is setups / the sum of those
      times.

Against strongSwan (tests/integration/tools/strongswan.py's Charon and
swanctl.conf, each charon with its own directory, vici socket and /run):

    s-gwA kipsecd, kipsec0 ---- s-gwB charon, XFRM
    c-gwA charon, XFRM     ---- c-gwB charon, XFRM

  kipsecd_charon_setup_per_s / charon_charon_setup_per_s
      Main Mode (aes128-sha256-modp2048, PSK) plus one Quick Mode (ESP
      aes128-sha256, PFS modp2048), KIPSEC_BENCH_SETUPS times per run,
      setups / the sum of the times, median of KIPSEC_BENCH_REPS runs, as
      setup_per_s. Both are timed at the initiator (gwA), from its log
      line written as it sends the first Main Mode message to its log line
      written once the SA pair (and, for charon, the XFRM policies) is
      installed, each line stamped as this script reads it from the
      daemon's pipe (charon: a filelog on stderr with ike_name, IKE at
      level 1, the rest at 0; kipsecd: info, as above):
        kipsecd  "phase 1: initiating main mode" .. "SA pair installed"
        charon   "initiating Main Mode IKE_SA" .. "CHILD_SA ... established"
      So neither the start of kipsec or swanctl, nor charon's vici
      handling before Main Mode, is counted. The initiator is started with
      "kipsec ike up" / "swanctl --initiate" (no log forwarded to
      swanctl) and torn down with "kipsec ike down" / "swanctl
      --terminate --ike"; the next set-up starts once the responder (charon
      in both) has logged the peer's Delete of the ISAKMP SA. The runs of
      the two pairs alternate, so that drift in the VM's speed hits both
      alike. The daemons stay up across runs, and each pair does one
      untimed set-up first (the first after a daemon starts pays for first
      uses), checking that both ends have their SA pair in the kernel; at
      the end neither end may have an SA left. The guest's clock moves in
      10 ms steps (refined-jiffies, HZ=100); that error averages out over
      the set-ups of a run. kipsecd_charon_setup_per_s /
      charon_charon_setup_per_s is the ratio report.py prints.

Prints key=value lines for tools/bench/report.py.
"""

import collections
import os
import queue
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration", "tools"))
import strongswan as SW  # noqa: E402

PSK = "kipsec bench secret"
IKE = "aes128-sha256-modp2048"
# Against charon: the set-up's proposals, proxy ID 10.1.1.0/24 <->
# 10.2.1.0/24 (gwB's view in ts), start_action none on either side.
SWAN_CELL = SW.Cell("bench", who="kipsec", pfs=14,
                    esp=("esp-aes128-sha256", "aes128-sha256"), ike=IKE,
                    sw={"psk": PSK, "ts": [("10.2.1.0/24", "10.1.1.0/24")]})
# charon's loggers: stderr, read by Lines; no file.
SWAN_LOG = """\
        stderr {
            flush_line = yes
            ike_name = yes
            default = 0
            ike = 1
        }"""


def sh(*args, check=True):
    r = subprocess.run(args, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def topology(p="i", kipsec=("gwA", "gwB")):
    """Namespaces P-gwA and P-gwB; kipsec0 on the gateways KIPSEC names."""
    for n in ("gwA", "gwB"):
        sh("ip", "netns", "add", p + "-" + n)
        sh("ip", "-n", p + "-" + n, "link", "set", "lo", "up")
    sh("ip", "link", "add", "w0", "netns", p + "-gwA", "type", "veth", "peer",
       "w1", "netns", p + "-gwB")
    for n, dev, addr in (("gwA", "w0", "192.0.2.1"), ("gwB", "w1", "192.0.2.2")):
        sh("ip", "-n", p + "-" + n, "addr", "add", addr + "/24", "dev", dev)
        sh("ip", "-n", p + "-" + n, "link", "set", dev, "up")
        if n in kipsec:
            sh("ip", "-n", p + "-" + n, "link", "add", "kipsec0", "type", "kipsec")
            sh("ip", "-n", p + "-" + n, "link", "set", "kipsec0", "up")


def teardown(p="i"):
    for n in ("gwA", "gwB"):
        sh("ip", "netns", "del", p + "-" + n, check=False)


class Lines:
    """A daemon's output, line by line, each stamped as it is read. A line
    for which BAD is true ends any expect() with an error."""

    def __init__(self, name, pipe, bad):
        self.name, self.bad = name, bad
        self.q = queue.Queue()
        self.seen = collections.deque(maxlen=20)  # for error messages
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe):
        for line in pipe:
            self.q.put((time.monotonic(), line.rstrip("\n")))

    def expect(self, text, timeout=120):
        """Time of the next line containing TEXT."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                t, line = self.q.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("%s: no '%s' within %d s; last lines:\n%s" % (
                    self.name, text, timeout, "\n".join(self.seen)))
            self.seen.append(line)
            if text in line:
                return t
            if self.bad(line):
                raise RuntimeError("%s: %s; last lines:\n%s" % (
                    self.name, line, "\n".join(self.seen)))


class Daemon:
    """kipsecd in namespace P-GW; its log lines with arrival times."""

    def __init__(self, tmp, gw, pairs, ipsec, start, p="i"):
        self.ns = p + "-" + gw
        self.sock = os.path.join(tmp, self.ns + ".sock")
        psk = os.path.join(tmp, self.ns + ".psk")
        fd = os.open(psk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (PSK + "\n").encode())
        os.close(fd)
        local, remote = (("192.0.2.1", "192.0.2.2") if gw == "gwA"
                         else ("192.0.2.2", "192.0.2.1"))
        lines = ["[global]", "control-socket = " + self.sock,
                 "log-target = stderr", "log-level = info", "",
                 "[tunnel t]", "interface = kipsec0", "local = " + local,
                 "remote = " + remote, "psk-file = " + psk,
                 "ike-proposals = " + IKE, "ipsec-proposals = " + ipsec,
                 "start = " + start]
        for i in range(1, pairs + 1):
            a, b = "10.1.%d.0/24" % i, "10.2.%d.0/24" % i
            lines.append("proxy-id = %s %s" % ((a, b) if gw == "gwA" else (b, a)))
        conf = os.path.join(tmp, self.ns + ".conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.p = subprocess.Popen(["ip", "netns", "exec", self.ns, "kipsecd",
                                   "-f", "-c", conf], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.lines = Lines(self.ns, self.p.stdout, lambda l: " error: " in l)
        self.expect = self.lines.expect
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            if time.monotonic() > deadline or self.p.poll() is not None:
                raise RuntimeError("kipsecd on %s did not start" % self.ns)
            time.sleep(0.05)

    def ike(self, *args):
        sh("ip", "netns", "exec", self.ns, "kipsec", "ike", *args,
           "-S", self.sock)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def quick_modes(tmp, pairs, ipsec):
    b = Daemon(tmp, "gwB", pairs, ipsec, "respond-only")
    a = Daemon(tmp, "gwA", pairs, ipsec, "immediately")
    try:
        t0 = a.expect("phase 1: established")
        t1 = t0
        for _ in range(pairs):
            t1 = a.expect("SA pair installed")
        return pairs / (t1 - t0)
    finally:
        a.stop()
        b.stop()


def setups(tmp, n):
    ipsec = "g14-esp-aes128-sha256"
    b = Daemon(tmp, "gwB", 1, ipsec, "respond-only")
    # on-traffic: no route leads into kipsec0, so only "ike up" starts it
    a = Daemon(tmp, "gwA", 1, ipsec, "on-traffic")
    total = 0.0
    try:
        # one untimed set-up first, as against charon (first uses: the
        # neighbour entries, OpenSSL's tables)
        for i in range(n + 1):
            a.ike("up", "t")
            t0 = a.expect("phase 1: initiating main mode")
            t = a.expect("SA pair installed") - t0
            total += t if i else 0.0
            a.ike("down", "t")
            # the responder has dropped both before the next round
            b.expect("informational: peer deleted the phase 1 SA")
        return n / total
    finally:
        a.stop()
        b.stop()


# charon's lines that end a wait at once: the set-up failed.
SWAN_BAD = ("NO_PROPOSAL_CHOSEN", "AUTHENTICATION_FAILED", "INVALID_ID",
            "giving up after", "unable to install", "no acceptable",
            "no matching peer config", "no IKE config found")


class Swan:
    """charon in namespace P-GW (strongswan.py's Charon) with SWAN_CELL
    loaded; its log (SWAN_LOG) read from its pipe as Lines."""

    def __init__(self, tmp, gw, p):
        self.ns = p + "-" + gw
        self.c = SW.Charon(self.ns, os.path.join(tmp, self.ns + "-charon"),
                           SWAN_LOG, side=gw)
        if not self.c.start(subprocess.PIPE):
            self.c.stop()
            raise RuntimeError("charon on %s did not start: %s" % (
                self.ns, self.c.p.stdout.read()[-2000:]))
        self.lines = Lines(self.ns, self.c.p.stdout,
                           lambda l: any(x in l for x in SWAN_BAD))
        self.expect = self.lines.expect
        self.c.load(SWAN_CELL)

    def initiate(self):
        """Returns once the CHILD_SA is up."""
        self.c.swanctl_cmd("--initiate", "--ike", SWAN_CELL.name, "--child",
                           "net1", "--loglevel", "-1")

    def terminate(self):
        self.c.swanctl_cmd("--terminate", "--ike", SWAN_CELL.name,
                           "--loglevel", "-1")

    def stop(self):
        self.c.stop()


def count_sas(ns):
    """SAs in namespace NS: kipsec's on kipsec0 if it has one, else XFRM's."""
    if "kipsec0" in sh("ip", "-n", ns, "-o", "link", "show"):
        return len(SW.T.kipsec_sas(ns))
    return len(SW.T.xfrm_states(ns))


def check_sas(want, *namespaces):
    got = {ns: count_sas(ns) for ns in namespaces}
    if any(n != want for n in got.values()):
        raise RuntimeError("expected %d SAs in each of %s, found %s" % (
            want, ", ".join(namespaces), got))


def setup_kipsecd(a, b, check=False):
    """One set-up, kipsecd A initiating to charon B: seconds it took.
    CHECK: also make sure that both ends have their SA pair."""
    a.ike("up", "t")
    t0 = a.expect("phase 1: initiating main mode")
    t = a.expect("SA pair installed") - t0
    if check:
        b.expect(" established with SPIs")
        check_sas(2, a.ns, b.ns)
    a.ike("down", "t")
    b.expect("received DELETE for IKE_SA")
    return t


def setup_charon(a, b, check=False):
    """One set-up, charon A initiating to charon B: seconds it took."""
    a.initiate()
    t0 = a.expect("initiating Main Mode IKE_SA")
    t = a.expect(" established with SPIs") - t0
    if check:
        b.expect(" established with SPIs")
        check_sas(2, a.ns, b.ns)
    a.terminate()
    b.expect("received DELETE for IKE_SA")
    return t


def against_charon(tmp, n, reps):
    """(kipsecd -> charon, charon -> charon) set-ups per second, medians
    of REPS alternating runs of N."""
    topology("s", kipsec=("gwA",))
    topology("c", kipsec=())
    daemons = []
    try:
        sb = Swan(tmp, "gwB", "s")
        daemons.append(sb)
        # on-traffic: no route leads into kipsec0, so only "ike up" starts it
        ka = Daemon(tmp, "gwA", 1, SWAN_CELL.kipsec_proposal(), "on-traffic",
                    p="s")
        daemons.append(ka)
        cb = Swan(tmp, "gwB", "c")
        daemons.append(cb)
        ca = Swan(tmp, "gwA", "c")
        daemons.append(ca)
        runs = ((setup_kipsecd, ka, sb), (setup_charon, ca, cb))
        for run, a, b in runs:
            run(a, b, check=True)   # untimed: first uses in both daemons
        figs = ([], [])
        for _ in range(reps):
            for (run, a, b), fig in zip(runs, figs):
                fig.append(n / sum(run(a, b) for _ in range(n)))
        # every Delete reached the responder: nothing should be left
        for _, a, b in runs:
            SW.wait(lambda: count_sas(a.ns) + count_sas(b.ns) == 0, 5, 0.5)
            try:
                check_sas(0, a.ns, b.ns)
            except RuntimeError as e:
                print("ike.py: warning: after the set-ups: %s" % e,
                      file=sys.stderr, flush=True)
        return [sorted(f)[len(f) // 2] for f in figs]
    finally:
        for d in reversed(daemons):
            d.stop()
        teardown("s")
        teardown("c")


def main():
    pairs = int(os.environ.get("KIPSEC_BENCH_QM", "32"))
    n = int(os.environ.get("KIPSEC_BENCH_SETUPS", "10"))
    reps = int(os.environ.get("KIPSEC_BENCH_REPS", "3"))
    tmp = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    # No module files in the VM: a first use of an algorithm would run
    # modprobe in vain (seconds under TCG) inside the first measurement.
    with open("/proc/sys/kernel/modprobe", "w") as f:
        f.write("\n")
    topology()
    try:
        for key, fn in (("kipsecd_qm_nopfs_per_s",
                         lambda: quick_modes(tmp, pairs, "nopfs-esp-aes128gcm16")),
                        ("kipsecd_qm_pfs_per_s",
                         lambda: quick_modes(tmp, pairs, "g14-esp-aes128gcm16")),
                        ("kipsecd_setup_per_s", lambda: setups(tmp, n))):
            figs = sorted(fn() for _ in range(reps))
            print("%s=%.2f" % (key, figs[len(figs) // 2]), flush=True)
    finally:
        teardown()
    k, c = against_charon(tmp, n, reps)
    print("kipsecd_charon_setup_per_s=%.2f" % k, flush=True)
    print("charon_charon_setup_per_s=%.2f" % c, flush=True)


if __name__ == "__main__":
    main()
