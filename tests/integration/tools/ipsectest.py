"""Traffic, capture and counter helpers for the kipsec integration scenarios.

One Python process drives a whole scenario: every interpreter start costs
seconds in the test VM (TCG, KASAN), so the scenario's shell script builds
the topology (netlib.sh) and hands over to one script that imports this.

Sockets are opened inside the scenario's network namespaces by switching
the calling thread's namespace with setns(2) (netns()); a socket stays in
the namespace it was created in, so one process can talk from hA and hB at
once. Child processes started while a thread is inside a namespace run
there too (run()).

Nothing here trusts kipsec: traffic is judged by what arrives at the far
end (echo replies carrying our payload, SHA-256 of a TCP stream), and
kipsec's counters are compared with XFRM's, which count independently.
"""

import contextlib
import ctypes
import hashlib
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_ns_fds = {None: os.open("/proc/self/ns/net", os.O_RDONLY)}
_ns_lock = threading.Lock()
_tls = threading.local()


def _ns_fd(name):
    with _ns_lock:
        if name not in _ns_fds:
            _ns_fds[name] = os.open("/run/netns/" + name, os.O_RDONLY)
        return _ns_fds[name]


def _setns(name):
    if _libc.setns(_ns_fd(name), CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns(%s): %s" % (name, os.strerror(err)))
    _tls.ns = name


@contextlib.contextmanager
def netns(name):
    """Run the body with the calling thread in network namespace NAME."""
    prev = getattr(_tls, "ns", None)
    _setns(name)
    try:
        yield
    finally:
        _setns(prev)


def run(cmd, ns=None, check=True, input=None):
    """Run CMD (a list) in namespace NS; return its stdout as text."""
    with netns(ns):
        p = subprocess.run(cmd, input=input, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s exited %d: %s%s" % (" ".join(cmd), p.returncode,
                                                   p.stdout, p.stderr))
    return p.stdout


def batch(cmd, lines, ns=None):
    """Run CMD (e.g. ["kipsec", "-batch", "-"]) with LINES on stdin."""
    return run(cmd, ns=ns, input="".join(l + "\n" for l in lines))


def dmesg_tail(n=30):
    try:
        return run(["dmesg"], check=False).splitlines()[-n:]
    except Exception as e:  # pragma: no cover - diagnostics only
        return ["dmesg: %s" % e]


# --- TAP ---------------------------------------------------------------------

class Tap:
    """TAP lines on stdout; the exit status says whether any failed."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.t0 = time.monotonic()

    def ok(self, cond, desc, diag=()):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc))
        if not cond:
            for d in diag if not isinstance(diag, str) else [diag]:
                for line in str(d).splitlines():
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def note(self, msg):
        for line in str(msg).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        self.note("%d tests, %d failed, %.1f s" %
                  (self.n, self.failed, time.monotonic() - self.t0))
        print("1..%d" % self.n)
        sys.stdout.flush()
        return 1 if self.failed or self.n == 0 else 0


# --- ICMP echo ---------------------------------------------------------------

def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


_ident = [os.getpid() & 0xffff]
_ident_lock = threading.Lock()


def _next_ident():
    with _ident_lock:
        _ident[0] = (_ident[0] + 1) & 0xffff
        return _ident[0]


def ping(ns, src, dst, count=2, size=56, timeout=5.0, sizes=None):
    """Send COUNT echo requests of SIZE bytes of data (or one per entry of
    SIZES) from SRC to DST in namespace NS; return a list of problems
    (empty: every request got a reply carrying its payload, from DST)."""
    sizes = sizes or [size] * count
    v6 = ":" in dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    with netns(ns):
        s = socket.socket(fam, socket.SOCK_RAW, proto)
    problems = []
    try:
        s.bind((src, 0))
        ident = _next_ident()
        for seq, size in enumerate(sizes, 1):
            payload = os.urandom(size)
            req_type = 128 if v6 else 8
            hdr = struct.pack("!BBHHH", req_type, 0, 0, ident, seq)
            pkt = hdr + payload
            if not v6:
                pkt = struct.pack("!BBHHH", req_type, 0, _csum(pkt), ident,
                                  seq) + payload
            s.sendto(pkt, (dst, 0))
            deadline = time.monotonic() + timeout
            got = False
            while not got:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                r, _, _ = select.select([s], [], [], left)
                if not r:
                    break
                data, addr = s.recvfrom(65535)
                if not v6:
                    data = data[(data[0] & 0x0f) * 4:]
                if len(data) < 8:
                    continue
                t, _, _, i, q = struct.unpack("!BBHHH", data[:8])
                if t != (129 if v6 else 0) or i != ident or q != seq:
                    continue
                if addr[0] != dst:
                    problems.append("echo reply %d from %s, not %s" %
                                    (seq, addr[0], dst))
                elif data[8:] != payload:
                    problems.append("echo reply %d: payload differs" % seq)
                got = True
            if not got:
                problems.append("ping %s -> %s (%s): no reply to request %d "
                                "within %.0f s" % (src, dst, ns, seq, timeout))
    finally:
        s.close()
    return problems


# --- TCP ---------------------------------------------------------------------

class TcpServer:
    """Listening sockets (IPv4 and IPv6) on PORT in namespace NS."""

    def __init__(self, ns, port=5001):
        self.port = port
        self.ns = ns
        with netns(ns):
            self.s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        for s, a in ((self.s4, "0.0.0.0"), (self.s6, "::")):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a, port))
            s.listen(64)
        self.pending = {}
        self.lock = threading.Lock()
        self.cv = threading.Condition(self.lock)

    def accept_from(self, peer, local, timeout):
        """The connection from PEER to LOCAL; several threads may wait."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                c = self.pending.pop((peer, local), None)
                if c:
                    return c
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                # One thread at a time accepts, for everyone.
                r, _, _ = select.select([self.s4, self.s6], [], [],
                                        min(left, 0.2))
                for s in r:
                    try:
                        s.setblocking(False)
                        c, a = s.accept()
                    except BlockingIOError:
                        continue
                    self.pending[(a[0], c.getsockname()[0])] = c
                self.cv.notify_all()


_block = []


def stream(nbytes, seed):
    """NBYTES of random-looking data, different for each SEED: a rotation
    of one random block made once (os.urandom is slow in the VM)."""
    if not _block:
        _block.append(os.urandom(1 << 20))
    b = _block[0]
    out = bytearray()
    k = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big")
    while len(out) < nbytes:
        k %= len(b)
        out += b[k:] + b[:k]
        k += 7919
    return bytes(out[:nbytes])


def tcp_exchange(cli_ns, cli_addr, server, srv_addr, up, down, timeout=60.0,
                 seed=""):
    """Open a TCP connection from CLI_ADDR (in CLI_NS) to SRV_ADDR on
    SERVER; send UP bytes from the client and DOWN bytes from the server,
    at once. Return (problems, seconds): problems is empty when each end
    received exactly what the other sent (length and SHA-256)."""
    t0 = time.monotonic()
    fam = socket.AF_INET6 if ":" in srv_addr else socket.AF_INET
    data_up = stream(up, seed + "/up")
    data_down = stream(down, seed + "/down")
    with netns(cli_ns):
        c = socket.socket(fam, socket.SOCK_STREAM)
    problems = []
    s = None
    try:
        c.bind((cli_addr, 0))
        c.settimeout(timeout)
        c.connect((srv_addr, server.port))
        s = server.accept_from(cli_addr, srv_addr, timeout)
        if s is None:
            return (["TCP %s -> %s: connected, but the server saw no "
                     "connection from %s" % (cli_addr, srv_addr, cli_addr)],
                    time.monotonic() - t0)
        c.setblocking(False)
        s.setblocking(False)
        out = {c: memoryview(data_up), s: memoryview(data_down)}
        sent = {c: 0, s: 0}
        rx = {c: hashlib.sha256(), s: hashlib.sha256()}
        rxn = {c: 0, s: 0}
        eof = {c: False, s: False}
        for x in (c, s):
            if not len(out[x]):
                x.shutdown(socket.SHUT_WR)
        buf = bytearray(1 << 18)
        mv = memoryview(buf)
        deadline = t0 + timeout
        while not (eof[c] and eof[s]):
            left = deadline - time.monotonic()
            if left <= 0:
                problems.append(
                    "TCP %s <-> %s: timed out after %.0f s: sent %d/%d and "
                    "%d/%d, received %d (%s) and %d (%s)" % (
                        cli_addr, srv_addr, timeout, sent[c], up, sent[s],
                        down, rxn[s], srv_addr, rxn[c], cli_addr))
                break
            rl = [x for x in (c, s) if not eof[x]]
            wl = [x for x in (c, s) if sent[x] < len(out[x])]
            r, w, _ = select.select(rl, wl, [], min(left, 1.0))
            for x in w:
                try:
                    k = x.send(out[x][sent[x]:sent[x] + (1 << 18)])
                except BlockingIOError:
                    continue
                sent[x] += k
                if sent[x] == len(out[x]):
                    x.shutdown(socket.SHUT_WR)
            for x in r:
                try:
                    k = x.recv_into(buf)
                except BlockingIOError:
                    continue
                if not k:
                    eof[x] = True
                else:
                    rx[x].update(mv[:k])
                    rxn[x] += k
        for who, x, data in (("server " + srv_addr, s, data_up),
                             ("client " + cli_addr, c, data_down)):
            if not eof[x]:
                continue
            if rxn[x] != len(data):
                problems.append("TCP: %s received %d bytes, not %d" %
                                (who, rxn[x], len(data)))
            elif rx[x].digest() != hashlib.sha256(data).digest():
                problems.append("TCP: %s received %d bytes whose SHA-256 "
                                "differs from what was sent" % (who, rxn[x]))
    except OSError as e:
        problems.append("TCP %s -> %s: %s" % (cli_addr, srv_addr, e))
    finally:
        c.close()
        if s:
            s.close()
    return problems, time.monotonic() - t0


# --- UDP ---------------------------------------------------------------------

def udp_listener(ns, addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with netns(ns):
        s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.setblocking(False)
    return s


def udp_send(ns, src, dst, port, payload, sport=0):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    with netns(ns):
        s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.bind((src, sport))
        s.sendto(payload, (dst, port))
    finally:
        s.close()


def udp_drain(s, wait=0.0):
    """Every datagram waiting on S (after up to WAIT seconds of quiet)."""
    got = []
    while True:
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            return got
        try:
            got.append(s.recvfrom(65535))
        except BlockingIOError:
            return got


# --- packet capture and injection (AF_PACKET) --------------------------------

ETH_P_ALL = 0x0003
SOL_PACKET, PACKET_STATISTICS = 263, 6
SO_RCVBUFFORCE = 33


class Sniffer:
    """Every frame seen on IFNAME in namespace NS from now on. The socket
    queues them (its buffer is large enough for a 1 MiB stream) until
    take() reads them; dropped() says whether the kernel had to drop any."""

    def __init__(self, ns, ifname):
        # Protocol 0 until bound: nothing from other links meanwhile.
        with netns(ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        self.s.bind((ifname, ETH_P_ALL))
        self.s.setblocking(False)
        self.ns, self.ifname = ns, ifname

    def take(self):
        """[(frame, packet type)] since the last call; packet type 4 is
        PACKET_OUTGOING, 3 PACKET_OTHERHOST."""
        frames = []
        while True:
            try:
                data, addr = self.s.recvfrom(65535)
            except BlockingIOError:
                return frames
            frames.append((data, addr[2]))

    def dropped(self):
        """Frames the kernel could not queue to us since the last call."""
        st = self.s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        return struct.unpack("II", st)[1]

    def close(self):
        self.s.close()


def inject(ns, ifname, frame):
    """Send one whole Ethernet FRAME out of IFNAME in namespace NS."""
    with netns(ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    try:
        s.bind((ifname, 0))
        s.send(frame)
    finally:
        s.close()


def parse_esp(frame):
    """(outer family, ESP offset in FRAME, SPI, seq) if FRAME is an Ethernet
    frame carrying ESP, else None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0800:
        ihl = (frame[14] & 0x0f) * 4
        if frame[23] != 50:
            return None
        off = 14 + ihl
        fam = 4
    elif etype == 0x86dd:
        if frame[20] != 50:
            return None
        off = 14 + 40
        fam = 6
    else:
        return None
    spi, seq = struct.unpack("!II", frame[off:off + 8])
    return fam, off, spi, seq


# --- counters ----------------------------------------------------------------

def kipsec_sas(ns):
    """kipsec -j -s sa show in NS, keyed by (ifname, dir, spi)."""
    j = json.loads(run(["kipsec", "-j", "-s", "sa", "show"], ns=ns))
    return {(sa["ifname"], sa["dir"], int(sa["spi"], 0)
             if isinstance(sa["spi"], str) else sa["spi"]): sa for sa in j}


def kipsec_tunnels(ns):
    j = json.loads(run(["kipsec", "-j", "-s", "tunnel", "show"], ns=ns))
    return {t["ifname"]: t for t in j}


_XS_HEAD = re.compile(r"^src (\S+) dst (\S+)$")
_XS_SPI = re.compile(r"proto (\w+) spi 0x([0-9a-f]+)")
_XS_LIFE = re.compile(r"^\s+(\d+)\(bytes\), (\d+)\(packets\)$")
_XS_STATS = re.compile(r"replay-window (\d+) replay (\d+) failed (\d+)")


def xfrm_states(ns):
    """ip -s xfrm state in NS, keyed by SPI: src, dst, bytes, packets,
    replay, failed."""
    states = {}
    cur = None
    life_next = stats_next = False
    for line in run(["ip", "-s", "xfrm", "state"], ns=ns).splitlines():
        m = _XS_HEAD.match(line)
        if m:
            cur = {"src": m.group(1), "dst": m.group(2)}
            continue
        if cur is None:
            continue
        m = _XS_SPI.search(line)
        if m and "spi" not in cur:
            cur["proto"], cur["spi"] = m.group(1), int(m.group(2), 16)
            states[cur["spi"]] = cur
            continue
        if "lifetime current:" in line:
            life_next = True
            continue
        if life_next:
            life_next = False
            m = _XS_LIFE.match(line)
            if m:
                cur["bytes"], cur["packets"] = int(m.group(1)), int(m.group(2))
            continue
        if line.strip() == "stats:":
            stats_next = True
            continue
        if stats_next:
            stats_next = False
            m = _XS_STATS.search(line)
            if m:
                cur["replay"], cur["failed"] = int(m.group(2)), int(m.group(3))
    return states


def sa_drops(sa):
    """The nonzero drop counters of a kipsec SA (from JSON)."""
    return {k: v for k, v in sa["stats"].items()
            if k.startswith("drop_") and v}
