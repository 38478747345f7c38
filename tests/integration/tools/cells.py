"""The algorithm matrix of the XFRM interoperability scenarios, and the
configuration of one SA pair per cell: kipsec on gwA, XFRM on gwB.

A cell is (algorithm, outer family, ESN). Inner family: the outer family
with ESN off, the other one with ESN on, so that every algorithm runs in
all four outer/inner combinations. Each cell has its own address on hB
(10.3.X.Y or fd00:3::N) and its own SA pair, proxy ID (hA's address /32 or
/128 to the cell's), XFRM reqid and policies, so that every cell's packets
can only travel through its own SAs.
"""

import hashlib

# kipsec name, XFRM name, key bytes (salt or nonce included), ICV bits
GCM = [("aes-gcm-%d" % k, "rfc4106(gcm(aes))", k // 8 + 4, icv)
       for k in (128, 192, 256) for icv in (64, 96, 128)]
CCM = [("aes-ccm-%d" % k, "rfc4309(ccm(aes))", k // 8 + 3, icv)
       for k in (128, 192, 256) for icv in (64, 96, 128)]
CHACHA = [("chacha20-poly1305", "rfc7539esp(chacha20,poly1305)", 36, 128)]
GMAC = [("aes-gmac-%d" % k, "rfc4543(gcm(aes))", k // 8 + 4, 128)
        for k in (128, 192, 256)]
AEADS = GCM + CCM + CHACHA + GMAC

# kipsec name, XFRM name, key bytes
ENCS = [("des", "cbc(des)", 8), ("3des", "cbc(des3_ede)", 24)] + \
    [("aes-cbc-%d" % k, "cbc(aes)", k // 8) for k in (128, 192, 256)] + \
    [("aes-ctr-%d" % k, "rfc3686(ctr(aes))", k // 8 + 4)
     for k in (128, 192, 256)] + [("null", "ecb(cipher_null)", 0)]
# kipsec name, XFRM name, key bytes, truncation bits
AUTHS = [("hmac-md5-96", "hmac(md5)", 16, 96),
         ("hmac-sha1-96", "hmac(sha1)", 20, 96),
         ("hmac-sha256-128", "hmac(sha256)", 32, 128),
         ("hmac-sha384-192", "hmac(sha384)", 48, 192),
         ("hmac-sha512-256", "hmac(sha512)", 64, 256),
         ("aes-xcbc-96", "xcbc(aes)", 16, 96)]

HA = {4: "10.1.0.2", 6: "fd00:a::2"}
GWA = {4: "192.0.2.1", 6: "2001:db8:f::1"}
GWB = {4: "192.0.2.2", 6: "2001:db8:f::2"}
TUNNEL = {4: "kipsec4", 6: "kipsec6"}


class Alg:
    """One algorithm suite: an AEAD with its ICV, or a cipher with an
    optional integrity algorithm."""

    def __init__(self, aead=None, enc=None, auth=None):
        self.aead, self.enc, self.auth = aead, enc, auth
        if aead:
            self.name = aead[0] if aead[0].startswith(("chacha", "aes-gmac")) \
                else "%s icv %d" % (aead[0], aead[3])
        elif auth:
            self.name = "%s + %s" % (enc[0], auth[0])
        else:
            self.name = "%s, no auth" % enc[0]

    def key(self, seed):
        """Keys for one direction: a list of byte strings (AEAD: one;
        cipher: cipher key, then the integrity key if any)."""
        def kdf(tag, n):
            out = b""
            i = 0
            while len(out) < n:
                out += hashlib.sha256(("%s/%s/%d" % (seed, tag, i))
                                      .encode()).digest()
                i += 1
            return out[:n]
        if self.aead:
            return [kdf("aead", self.aead[2])]
        keys = [kdf("enc", self.enc[2])]
        if self.auth:
            keys.append(kdf("auth", self.auth[2]))
        return keys

    def kipsec_args(self, keys):
        if self.aead:
            a = "aead %s key 0x%s" % (self.aead[0], keys[0].hex())
            if not self.aead[0].startswith(("chacha", "aes-gmac")):
                a += " icv %d" % self.aead[3]
            return a
        a = "enc %s key 0x%s" % (self.enc[0], keys[0].hex())
        if self.auth:
            a += " auth %s key 0x%s" % (self.auth[0], keys[1].hex())
        return a

    def xfrm_args(self, keys):
        if self.aead:
            return "aead %s 0x%s %d" % (self.aead[1], keys[0].hex(),
                                        self.aead[3])
        a = "enc %s %s" % (self.enc[1],
                           "0x" + keys[0].hex() if keys[0] else '""')
        if self.auth:
            a += " auth-trunc %s 0x%s %d" % (self.auth[1], keys[1].hex(),
                                             self.auth[3])
        return a


def all_algs():
    algs = [Alg(aead=a) for a in AEADS]
    for e in ENCS:
        for a in AUTHS:
            algs.append(Alg(enc=e, auth=a))
        if e[0] != "null":
            algs.append(Alg(enc=e))
    return algs


def find_alg(name):
    for a in all_algs():
        if a.name == name:
            return a
    raise KeyError(name)


class Cell:
    """One SA pair between kipsec (gwA) and XFRM (gwB).

    WINDOW is the replay window of both ends' inbound SAs. Tests of
    asynchronous crypto with several CPUs take 1024: cryptd completes each
    CPU's queue on its own, so a burst encrypted on one CPU can leave (or,
    decrypted, arrive) after more than 64 newer packets of the same SA
    from the other CPU, which a 64-packet window rightly drops
    (drop_window, or with ESN an ICV failure, RFC 4303 A2.2) at kipsec and
    at XFRM alike. A vCPU of a loaded host stalling does the same.

    By default the proxy ID (and XFRM's selectors) is hA's address to the
    cell's own address on hB; PID (kipsec's "proxy-id ..." words) and
    XSEL (XFRM's (hA side, hB side) selectors) override that.
    """

    window = 64
    xfrm_flags = ()                       # more XFRM state flags

    def __init__(self, idx, alg, outer, esn, inner=None, pid=None,
                 xsel=None):
        self.idx, self.alg, self.outer, self.esn = idx, alg, outer, esn
        self.inner = inner or (outer if not esn else 10 - outer)
        self.tunnel = TUNNEL[outer]
        self.spi_out = 0x10000 + idx      # kipsec -> XFRM
        self.spi_in = 0x20000 + idx       # XFRM -> kipsec
        self.reqid = 1000 + idx
        self.ha = HA[self.inner]
        self.hb = ("10.3.%d.%d" % (idx // 250, idx % 250 + 1)
                   if self.inner == 4 else "fd00:3::%x" % (idx + 1))
        self.plen = 32 if self.inner == 4 else 128
        self.pid = pid or "proxy-id local %s/%d remote %s/%d" % (
            self.ha, self.plen, self.hb, self.plen)
        self.xsel = xsel or ("%s/%d" % (self.ha, self.plen),
                             "%s/%d" % (self.hb, self.plen))
        seed = "%s/%d/%s/%d" % (alg.name, outer, esn, idx)
        self.key_out = alg.key(seed + "/out")
        self.key_in = alg.key(seed + "/in")
        self.name = "%s, outer IPv%d, inner IPv%d, esn %s" % (
            alg.name, outer, self.inner, "on" if esn else "off")

    def kipsec_lines(self, tunnel=None):
        esn = "esn %s" % ("on" if self.esn else "off")
        tunnel = tunnel or self.tunnel
        return [
            "sa add %s dir out spi 0x%x proto esp %s %s %s" % (
                tunnel, self.spi_out, self.alg.kipsec_args(self.key_out),
                esn, self.pid),
            "sa add %s dir in spi 0x%x proto esp %s replay-window %d %s %s" % (
                tunnel, self.spi_in, self.alg.kipsec_args(self.key_in),
                self.window, esn, self.pid),
        ]

    def xfrm_lines(self):
        """ip -n gwB -batch lines."""
        a, b = GWA[self.outer], GWB[self.outer]
        flags = list(self.xfrm_flags)
        if self.esn:
            flags.append("esn")
        if self.inner != self.outer:
            flags.append("af-unspec")
        extra = " replay-window %d" % self.window + (" flag " + " ".join(flags)
                                       if flags else "")
        tmpl = "proto esp reqid %d mode tunnel" % self.reqid
        ha, hb = self.xsel
        return [
            "xfrm state add src %s dst %s proto esp spi 0x%x reqid %d "
            "mode tunnel %s%s" % (a, b, self.spi_out, self.reqid,
                                  self.alg.xfrm_args(self.key_out), extra),
            "xfrm state add src %s dst %s proto esp spi 0x%x reqid %d "
            "mode tunnel %s%s" % (b, a, self.spi_in, self.reqid,
                                  self.alg.xfrm_args(self.key_in), extra),
            "xfrm policy add dir out src %s dst %s tmpl src %s dst %s %s" % (
                hb, ha, b, a, tmpl),
            "xfrm policy add dir in src %s dst %s tmpl src %s dst %s %s" % (
                ha, hb, a, b, tmpl),
            "xfrm policy add dir fwd src %s dst %s tmpl src %s dst %s %s" % (
                ha, hb, a, b, tmpl),
        ]

    def route_line(self):
        """ip -n gwA -batch: the cell's hB address through its tunnel."""
        return "route add %s/%d dev %s" % (self.hb, self.plen, self.tunnel)

    def hb_addr_line(self, addr=None):
        addr = addr or self.hb
        return "addr add %s/%d dev b0%s" % (addr, self.plen,
                                            " nodad" if ":" in addr else "")


def make_cells(algs, outers=(4, 6), esns=(False, True), first=0):
    """Cells of ALGS x OUTERS x ESNS. The bulk TCP stream of a cell goes
    hA -> hB or hB -> hA, alternating so that every algorithm carries it
    both ways, and each direction meets both families and ESN settings."""
    cells = []
    for i, alg in enumerate(algs):
        for outer in outers:
            for esn in esns:
                c = Cell(first + len(cells), alg, outer, esn)
                c.bulk_up = (outer == 4) ^ esn ^ bool(i % 2)
                cells.append(c)
    return cells
