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
      group 14), KIPSEC_BENCH_SETUPS times: "kipsec ike down", then "kipsec
      ike up", timed from "phase 1: initiating main mode" to "SA pair
      installed"; the figure is setups / the sum of those times.

Prints key=value lines for tools/bench/report.py.
"""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

PSK = "kipsec bench secret"
IKE = "aes128-sha256-modp2048"


def sh(*args, check=True):
    r = subprocess.run(args, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def topology():
    for n in ("gwA", "gwB"):
        sh("ip", "netns", "add", "i-" + n)
        sh("ip", "-n", "i-" + n, "link", "set", "lo", "up")
    sh("ip", "link", "add", "w0", "netns", "i-gwA", "type", "veth", "peer",
       "w1", "netns", "i-gwB")
    for n, dev, addr in (("gwA", "w0", "192.0.2.1"), ("gwB", "w1", "192.0.2.2")):
        sh("ip", "-n", "i-" + n, "addr", "add", addr + "/24", "dev", dev)
        sh("ip", "-n", "i-" + n, "link", "set", dev, "up")
        sh("ip", "-n", "i-" + n, "link", "add", "kipsec0", "type", "kipsec")
        sh("ip", "-n", "i-" + n, "link", "set", "kipsec0", "up")


def teardown():
    for n in ("gwA", "gwB"):
        sh("ip", "netns", "del", "i-" + n, check=False)


class Daemon:
    """kipsecd in namespace i-GW; its log lines with arrival times."""

    def __init__(self, tmp, gw, pairs, ipsec, start):
        self.gw = gw
        self.sock = os.path.join(tmp, gw + ".sock")
        psk = os.path.join(tmp, gw + ".psk")
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
        conf = os.path.join(tmp, gw + ".conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.lines = queue.Queue()
        self.p = subprocess.Popen(["ip", "netns", "exec", "i-" + gw, "kipsecd",
                                   "-f", "-c", conf], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            if time.monotonic() > deadline or self.p.poll() is not None:
                raise RuntimeError("kipsecd on %s did not start" % gw)
            time.sleep(0.05)

    def _read(self):
        for line in self.p.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))

    def expect(self, text, timeout=120):
        """Time of the next log line containing TEXT."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                t, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("%s: no '%s' within %d s" % (self.gw, text, timeout))
            if text in line:
                return t
            if " error: " in line:
                raise RuntimeError("%s: %s" % (self.gw, line))

    def ike(self, *args):
        sh("ip", "netns", "exec", "i-" + self.gw, "kipsec", "ike", *args,
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
        for _ in range(n):
            a.ike("up", "t")
            t0 = a.expect("phase 1: initiating main mode")
            total += a.expect("SA pair installed") - t0
            a.ike("down", "t")
            # the responder has dropped both before the next round
            b.expect("informational: peer deleted the phase 1 SA")
        return n / total
    finally:
        a.stop()
        b.stop()


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


if __name__ == "__main__":
    main()
