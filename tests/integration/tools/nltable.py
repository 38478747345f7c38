#!/usr/bin/env python3
"""Malformed requests for every kipsec command, one table row each, over a
raw generic netlink socket (no libnl, no CLI: the bytes are exactly what a
row says).

Each row is a request that must be refused. For each the program checks
  - the errno of the NLMSG_ERROR (or of the NLMSG_DONE of a dump);
  - the extended ACK: a message (NLMSGERR_ATTR_MSG), and, when the row names
    an attribute, NLMSGERR_ATTR_OFFS pointing at that attribute's offset in
    the request, or NLMSGERR_ATTR_MISS_TYPE naming the missing one;
  - that the tunnels and SAs of the namespace, dumped before and after, are
    byte for byte the same.
It also checks that requests from a caller without CAP_NET_ADMIN are
refused with EPERM (a child that drops the capability, and one that
becomes nobody), and that no SA_GET reply carries a key that was added.

Run as root inside a network namespace holding kipsec0 (no addresses
yet), kipsec1 and dummy0; --other-ifindex/--other-ifname name a kipsec
device of another namespace. The attribute and command numbers come from
kmod/uapi/kipsec.h itself. Prints TAP.

To add rows: append to the list of the command in
rows(), or add a function returning rows to ROW_SETS.
"""

import argparse
import ctypes
import errno
import json
import os
import re
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UAPI = os.path.join(HERE, "..", "..", "..", "kmod", "uapi", "kipsec.h")

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
IPPROTO_ESP = 50
IPPROTO_AH = 51


def uapi_enums(path):
    """Every enumerator of the header, by name."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    vals = {}
    for m in re.finditer(r"\benum\s+\w+\s*\{(.*?)\}", text, re.S):
        nxt = 0
        for item in m.group(1).split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = (s.strip() for s in item.split("=", 1))
                nxt = eval(expr, {}, vals)
            else:
                name = item
            vals[name] = nxt
            nxt += 1
    for m in re.finditer(r"#define\s+(KIPSEC_\w+)\s+(\d+|0x[0-9a-fA-F]+)\b",
                         text):
        vals[m.group(1)] = int(m.group(2), 0)
    return vals


class K:
    """The ABI's names without the KIPSEC_ prefix: K.CMD_SA_ADD, ..."""


for _n, _v in uapi_enums(UAPI).items():
    setattr(K, _n[len("KIPSEC_"):], _v)


# -- attributes and messages ------------------------------------------------

def attr(t, data):
    return (t, bytes(data))


def u8(t, v):
    return attr(t, struct.pack("=B", v))


def u16(t, v):
    return attr(t, struct.pack("=H", v))


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def u64(t, v):
    return attr(t, struct.pack("=Q", v))


def string(t, s):
    return attr(t, s.encode() + b"\0")


class Bad:
    """Marks the attribute a row expects the kernel to name."""

    def __init__(self, a):
        self.a = a


NLA_F_NESTED = 0x8000


class Nest:
    """A nested attribute whose members may hold the Bad one."""

    def __init__(self, t, attrs):
        self.t, self.attrs = t, attrs


def encode_attrs(attrs):
    """(bytes, offset of the Bad attribute within them or None)."""
    out = b""
    bad = None
    for a in attrs:
        if isinstance(a, Bad):
            bad = len(out)
            a = a.a
        if isinstance(a, Nest):
            data, inner = encode_attrs(a.attrs)
            if inner is not None:
                bad = len(out) + 4 + inner
            a = (a.t | NLA_F_NESTED, data)
        t, data = a
        hdr = struct.pack("=HH", 4 + len(data), t)
        out += hdr + data + b"\0" * (-(4 + len(data)) % 4)
    return out, bad


def parse_attrs(buf):
    attrs = {}
    off = 0
    while off + 4 <= len(buf):
        ln, t = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        attrs[t & 0x3fff] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return attrs


class Reply:
    def __init__(self):
        self.errno = None	# 0 for a plain ACK
        self.msgs = []		# payloads of data messages
        self.raw = b""		# every byte received
        self.ext = {}		# extack TLVs of the NLMSG_ERROR / NLMSG_DONE
        self.done = False	# the status came in an NLMSG_DONE


class Genl:
    def __init__(self, family=None):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 1000
        self.family = family or self.resolve("kipsec")

    def resolve(self, name):
        r = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                         [string(CTRL_ATTR_FAMILY_NAME, name)], version=1)
        if r.errno:
            raise OSError(r.errno, "resolving the %s family" % name)
        return struct.unpack("=H", parse_attrs(r.msgs[0][4:])
                             [CTRL_ATTR_FAMILY_ID][:2])[0]

    def build(self, cmd, attrs, flags=0, family=None, version=None):
        body, bad = encode_attrs(attrs)
        self.seq += 1
        hdr = struct.pack("=IHHII", 16 + 4 + len(body),
                          self.family if family is None else family,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        genl = struct.pack("=BBH", cmd,
                           K.GENL_VERSION if version is None else version, 0)
        return hdr + genl + body, (None if bad is None else 20 + bad)

    def request(self, family, cmd, attrs, flags=0, version=None):
        msg, _ = self.build(cmd, attrs, flags, family, version)
        self.s.send(msg)
        return self.recv(self.seq)

    def send(self, cmd, attrs, flags=0):
        """(Reply, offset of the Bad attribute in the request or None)."""
        msg, bad = self.build(cmd, attrs, flags)
        self.s.send(msg)
        return self.recv(self.seq), bad

    def recv(self, seq):
        r = Reply()
        while True:
            buf = self.s.recv(1 << 20)
            r.raw += buf
            off = 0
            while off + 16 <= len(buf):
                ln, typ, flags, mseq, _ = struct.unpack_from("=IHHII", buf, off)
                if ln < 16:
                    raise RuntimeError("bad netlink length %d" % ln)
                msg = buf[off:off + ln]
                off += (ln + 3) & ~3
                if mseq != seq:
                    continue
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    r.errno = -struct.unpack_from("=i", msg, 16)[0]
                    r.done = typ == NLMSG_DONE
                    tlv = 20
                    if typ == NLMSG_ERROR:
                        olen = struct.unpack_from("=I", msg, 20)[0]
                        tlv += 16 if flags & NLM_F_CAPPED else olen
                    if flags & NLM_F_ACK_TLVS:
                        r.ext = parse_attrs(msg[tlv:])
                    # A request ends with its ACK, a dump with DONE
                    # (a dump that started gets no ACK).
                    return r
                r.msgs.append(msg[16:])


# -- the fixture --------------------------------------------------------------

def ifindex(name):
    return socket.if_nametoindex(name)


class Fx:
    """Names and keys of the namespace the rows run against."""


def hexseq(first, n):
    return bytes((first + i) & 255 for i in range(n))


def a4(s):
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def setup(nl, other_ifindex, other_ifname):
    fx = Fx()
    fx.t0 = ifindex("kipsec0")
    fx.t1 = ifindex("kipsec1")
    fx.dummy = "dummy0"
    fx.other_ifindex = other_ifindex
    fx.other_ifname = other_ifname
    T = K
    r, _ = nl.send(T.CMD_TUNNEL_SET, [u32(T.A_TUNNEL_IFINDEX, fx.t0),
                                      attr(T.A_TUNNEL_LOCAL_IPV4, a4("192.0.2.1")),
                                      attr(T.A_TUNNEL_REMOTE_IPV4, a4("198.51.100.2"))])
    if r.errno:
        raise OSError(r.errno, "tunnel set kipsec0: %s" % r.ext)
    fx.keys = {
        "gcm": hexseq(0xa1, 20),
        "cbc": hexseq(0x31, 16),
        "sha256": hexseq(0x51, 32),
        "chacha": hexseq(0x71, 36),
    }
    fx.sas = [
        [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_OUT),
         u32(T.A_SA_SPI, 0x1000), u8(T.A_SA_PROTO, IPPROTO_ESP),
         u32(T.A_SA_AEAD_ALG, T.AEAD_AES_GCM),
         attr(T.A_SA_AEAD_KEY, fx.keys["gcm"])],
        [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_IN),
         u32(T.A_SA_SPI, 0x1001), u8(T.A_SA_PROTO, IPPROTO_ESP),
         u32(T.A_SA_ENC_ALG, T.ENC_AES_CBC),
         attr(T.A_SA_ENC_KEY, fx.keys["cbc"]),
         u32(T.A_SA_AUTH_ALG, T.AUTH_HMAC_SHA256_128),
         attr(T.A_SA_AUTH_KEY, fx.keys["sha256"])],
        [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_IN),
         u32(T.A_SA_SPI, 0x1002), u8(T.A_SA_PROTO, IPPROTO_ESP),
         u32(T.A_SA_AEAD_ALG, T.AEAD_CHACHA20_POLY1305),
         attr(T.A_SA_AEAD_KEY, fx.keys["chacha"]),
         attr(T.A_SA_PID_LOCAL_IPV4, a4("10.1.0.0")),
         u8(T.A_SA_PID_LOCAL_PREFIXLEN, 16),
         u8(T.A_SA_PID_PROTO, 17), u16(T.A_SA_PID_RPORT_MIN, 500),
         u16(T.A_SA_PID_RPORT_MAX, 600)],
    ]
    for sa in fx.sas:
        r, _ = nl.send(T.CMD_SA_ADD, sa)
        if r.errno:
            raise OSError(r.errno, "sa add: %s" % r.ext)
    return fx


def state(nl):
    """Every tunnel and SA of the namespace, as dumped."""
    t, _ = nl.send(K.CMD_TUNNEL_GET, [], NLM_F_DUMP)
    s, _ = nl.send(K.CMD_SA_GET, [], NLM_F_DUMP)
    if t.errno or s.errno:
        raise OSError(t.errno or s.errno, "dumping the state")
    return t.msgs, [without_ages(m) for m in s.msgs]


def without_ages(msg):
    """An SA_GET reply (genl header + attributes) less the attributes that
    tick by themselves: the SA's age and time since first use."""
    out, off = msg[:4], 4
    while off + 4 <= len(msg):
        ln, t = struct.unpack_from("=HH", msg, off)
        if ln < 4:
            break
        step = (ln + 3) & ~3
        if t & 0x3fff not in (K.A_SA_AGE, K.A_SA_USE_AGE):
            out += msg[off:off + step]
        off += step
    return out


# -- the rows ------------------------------------------------------------------

class Row:
    def __init__(self, name, cmd, attrs, err, miss=None, flags=0,
                 msg=True):
        self.name = name
        self.cmd = cmd
        self.attrs = attrs
        self.err = err
        self.miss = miss	# the attribute type NLMSGERR_ATTR_MISS_TYPE names
        self.flags = flags
        self.msg = msg		# an NLMSGERR_ATTR_MSG is expected


def required(name, cmd, attrs, t):
    """A row without attribute t that the handler checks with
    GENL_REQ_ATTR_CHECK: the kernel names it in NLMSGERR_ATTR_MISS_TYPE
    and, in 6.1, says nothing more."""
    return Row(name, cmd, attrs, errno.EINVAL, miss=t, msg=False)


def _type(a):
    a = a.a if isinstance(a, Bad) else a
    return a.t if isinstance(a, Nest) else a[0]


def without(attrs, t):
    return [a for a in attrs if _type(a) != t]


def replace(attrs, new):
    """attrs with the attribute of new's type replaced by Bad(new)."""
    out, done = [], False
    for a in attrs:
        if _type(a) == new[0]:
            out.append(Bad(new))
            done = True
        else:
            out.append(a)
    if not done:
        out.append(Bad(new))
    return out


def plus(attrs, *extra):
    return list(attrs) + list(extra)


def device_rows(cmd, base, tattr_index, tattr_name, label):
    """Rows about the device a request names, for any command: base is a
    valid request naming kipsec0 by ifindex (the first attribute)."""
    fx = FX
    rest = base[1:]
    return [
        Row(label + ": ifindex 0 is out of range", cmd,
            [Bad(u32(tattr_index, 0))] + rest, errno.ERANGE),
        Row(label + ": ifindex of 2 bytes", cmd,
            [Bad(u16(tattr_index, fx.t0))] + rest, errno.EINVAL),
        Row(label + ": ifindex of 8 bytes", cmd,
            [Bad(u64(tattr_index, fx.t0))] + rest, errno.EINVAL),
        Row(label + ": unknown device by ifindex", cmd,
            [Bad(u32(tattr_index, 0x7fff0000))] + rest, errno.ENODEV),
        Row(label + ": unknown device by ifname", cmd,
            [Bad(string(tattr_name, "nosuch0"))] + rest, errno.ENODEV),
        Row(label + ": a kipsec device of another netns, by ifindex", cmd,
            [Bad(u32(tattr_index, fx.other_ifindex))] + rest, errno.ENODEV),
        Row(label + ": a kipsec device of another netns, by ifname", cmd,
            [Bad(string(tattr_name, fx.other_ifname))] + rest, errno.ENODEV),
        Row(label + ": not a kipsec device", cmd,
            [Bad(string(tattr_name, fx.dummy))] + rest, errno.EOPNOTSUPP),
        Row(label + ": ifindex and ifname of different devices", cmd,
            [u32(tattr_index, fx.t0), Bad(string(tattr_name, "kipsec1"))]
            + rest, errno.EINVAL),
        Row(label + ": ifname of 16 bytes", cmd,
            [Bad(string(tattr_name, "x" * 16))] + rest, errno.EINVAL),
        Row(label + ": ifname without its NUL", cmd,
            [Bad(attr(tattr_name, b"kipsec0"))] + rest, errno.EINVAL),
    ]


def unknown_attr_rows(cmd, base, label, types):
    return [Row("%s: attribute %d is not one of its own" % (label, t), cmd,
                plus(base, Bad(u32(t, 1))), errno.EINVAL) for t in types]


def tunnel_set_rows():
    fx = FX
    T = K
    base = [u32(T.A_TUNNEL_IFINDEX, fx.t1),
            attr(T.A_TUNNEL_LOCAL_IPV4, a4("192.0.2.1"))]
    l = "tunnel-set"
    rows = device_rows(T.CMD_TUNNEL_SET, base, T.A_TUNNEL_IFINDEX,
                       T.A_TUNNEL_IFNAME, l)
    rows += [
        Row(l + ": no address", T.CMD_TUNNEL_SET, base[:1], errno.EINVAL,
            miss=T.A_TUNNEL_LOCAL_IPV4),
        Row(l + ": no device", T.CMD_TUNNEL_SET, base[1:], errno.EINVAL,
            miss=T.A_TUNNEL_IFINDEX),
        Row(l + ": IPv4 address of 5 bytes", T.CMD_TUNNEL_SET,
            replace(base, attr(T.A_TUNNEL_LOCAL_IPV4, b"\xc0\0\2\1\0")),
            errno.ERANGE),
        Row(l + ": IPv6 address of 4 bytes", T.CMD_TUNNEL_SET,
            plus(base[:1], Bad(attr(T.A_TUNNEL_REMOTE_IPV6, a4("192.0.2.9")))),
            errno.ERANGE),
        Row(l + ": multicast local address", T.CMD_TUNNEL_SET,
            replace(base, attr(T.A_TUNNEL_LOCAL_IPV4, a4("224.0.0.1"))),
            errno.EINVAL),
        Row(l + ": unspecified IPv6 remote", T.CMD_TUNNEL_SET,
            plus(base[:1], Bad(attr(T.A_TUNNEL_REMOTE_IPV6, a6("::")))),
            errno.EINVAL),
        Row(l + ": IPv4 and IPv6 local", T.CMD_TUNNEL_SET,
            plus(base, Bad(attr(T.A_TUNNEL_LOCAL_IPV6, a6("2001:db8::1")))),
            errno.EINVAL),
        Row(l + ": local and remote of different families", T.CMD_TUNNEL_SET,
            plus(base[:1], attr(T.A_TUNNEL_REMOTE_IPV6, a6("2001:db8::2")),
                 Bad(attr(T.A_TUNNEL_LOCAL_IPV4, a4("192.0.2.1")))),
            errno.EINVAL),
        Row(l + ": a tunnel with SAs keeps its addresses", T.CMD_TUNNEL_SET,
            [Bad(u32(T.A_TUNNEL_IFINDEX, fx.t0)),
             attr(T.A_TUNNEL_LOCAL_IPV4, a4("192.0.2.7"))], errno.EBUSY),
    ]
    rows += unknown_attr_rows(T.CMD_TUNNEL_SET, base, l,
                              [T.A_TUNNEL_STATS, 200])
    return rows


def tunnel_get_rows():
    fx = FX
    T = K
    base = [u32(T.A_TUNNEL_IFINDEX, fx.t0)]
    l = "tunnel-get"
    rows = device_rows(T.CMD_TUNNEL_GET, base, T.A_TUNNEL_IFINDEX,
                       T.A_TUNNEL_IFNAME, l)
    rows += [
        Row(l + ": no device", T.CMD_TUNNEL_GET, [], errno.EINVAL,
            miss=T.A_TUNNEL_IFINDEX),
        Row(l + " dump: ifindex of 2 bytes", T.CMD_TUNNEL_GET,
            [Bad(u16(T.A_TUNNEL_IFINDEX, 1))], errno.EINVAL,
            flags=NLM_F_DUMP),
    ]
    rows += unknown_attr_rows(T.CMD_TUNNEL_GET, base, l,
                              [T.A_TUNNEL_LOCAL_IPV4, T.A_TUNNEL_STATS])
    return rows


def spi_alloc_rows():
    fx = FX
    T = K
    base = [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_PROTO, IPPROTO_ESP),
            u32(T.A_SA_SPI_MIN, 0x1001), u32(T.A_SA_SPI_MAX, 0x1001)]
    l = "spi-alloc"
    C = T.CMD_SPI_ALLOC
    rows = device_rows(C, base, T.A_SA_IFINDEX, T.A_SA_IFNAME, l)
    rows += [
        required(l + ": no protocol", C, without(base, T.A_SA_PROTO),
                 T.A_SA_PROTO),
        Row(l + ": no device", C, base[1:], errno.EINVAL,
            miss=T.A_SA_IFINDEX),
        Row(l + ": protocol of 4 bytes", C,
            replace(base, u32(T.A_SA_PROTO, IPPROTO_ESP)), errno.EINVAL),
        Row(l + ": protocol UDP", C, replace(base, u8(T.A_SA_PROTO, 17)),
            errno.ERANGE),
        Row(l + ": minimum SPI 255", C,
            replace(base, u32(T.A_SA_SPI_MIN, 255)), errno.ERANGE),
        Row(l + ": maximum SPI 0", C,
            replace(base, u32(T.A_SA_SPI_MAX, 0)), errno.ERANGE),
        Row(l + ": empty range", C,
            replace(base, u32(T.A_SA_SPI_MAX, 0x1000)), errno.EINVAL),
        Row(l + ": the range's only SPI is taken by an inbound SA", C,
            replace(base, u32(T.A_SA_SPI_MAX, 0x1001)), errno.ENOSPC),
    ]
    rows += unknown_attr_rows(C, base, l, [T.A_SA_DIR, T.A_SA_SPI,
                                           T.A_SA_AEAD_KEY])
    return rows


def sa_add_common_rows(C, l):
    """Rows that SA_ADD and SA_UPDATE share: base is an outbound AES-GCM SA
    with an SPI no SA has (for an update: no SA either)."""
    fx = FX
    T = K
    gcm = [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_OUT),
           u32(T.A_SA_SPI, 0x2000), u8(T.A_SA_PROTO, IPPROTO_ESP),
           u32(T.A_SA_AEAD_ALG, T.AEAD_AES_GCM),
           attr(T.A_SA_AEAD_KEY, hexseq(0x10, 20))]
    cbc = [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_IN),
           u32(T.A_SA_SPI, 0x2001), u8(T.A_SA_PROTO, IPPROTO_ESP),
           u32(T.A_SA_ENC_ALG, T.ENC_AES_CBC),
           attr(T.A_SA_ENC_KEY, hexseq(0x20, 16)),
           u32(T.A_SA_AUTH_ALG, T.AUTH_HMAC_SHA256_128),
           attr(T.A_SA_AUTH_KEY, hexseq(0x40, 32))]
    ah = [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_OUT),
          u32(T.A_SA_SPI, 0x2002), u8(T.A_SA_PROTO, IPPROTO_AH),
          u32(T.A_SA_AUTH_ALG, T.AUTH_HMAC_SHA256_128),
          attr(T.A_SA_AUTH_KEY, hexseq(0x60, 32))]

    def aead(alg, key, *more):
        """gcm with another AEAD algorithm and key; the key is the bad
        attribute unless one of more is."""
        k = attr(T.A_SA_AEAD_KEY, key)
        if not any(isinstance(a, Bad) for a in more):
            k = Bad(k)
        return without(without(gcm, T.A_SA_AEAD_ALG), T.A_SA_AEAD_KEY) + [
            u32(T.A_SA_AEAD_ALG, alg), k] + list(more)
    rows = device_rows(C, gcm, T.A_SA_IFINDEX, T.A_SA_IFNAME, l)
    rows += [
        # missing
        required(l + ": no direction", C, without(gcm, T.A_SA_DIR),
                 T.A_SA_DIR),
        required(l + ": no SPI", C, without(gcm, T.A_SA_SPI), T.A_SA_SPI),
        required(l + ": no protocol", C, without(gcm, T.A_SA_PROTO),
                 T.A_SA_PROTO),
        Row(l + ": no device", C, gcm[1:], errno.EINVAL,
            miss=T.A_SA_IFINDEX),
        Row(l + ": no algorithm", C, without(gcm, T.A_SA_AEAD_ALG)[:4],
            errno.EINVAL, miss=T.A_SA_AEAD_ALG),
        Row(l + ": an AEAD algorithm without its key", C,
            without(gcm, T.A_SA_AEAD_KEY), errno.EINVAL,
            miss=T.A_SA_AEAD_KEY),
        Row(l + ": a cipher without its key", C,
            without(cbc, T.A_SA_ENC_KEY), errno.EINVAL,
            miss=T.A_SA_ENC_KEY),
        Row(l + ": an integrity algorithm without its key", C,
            without(cbc, T.A_SA_AUTH_KEY), errno.EINVAL,
            miss=T.A_SA_AUTH_KEY),
        Row(l + ": an integrity key without its algorithm", C,
            [a if a[0] != T.A_SA_AUTH_KEY else Bad(a)
             for a in without(cbc, T.A_SA_AUTH_ALG)], errno.EINVAL),
        # lengths
        Row(l + ": SPI of 2 bytes", C, replace(gcm, u16(T.A_SA_SPI, 0x2000)),
            errno.EINVAL),
        Row(l + ": direction of 4 bytes", C,
            replace(gcm, u32(T.A_SA_DIR, T.DIR_OUT)), errno.EINVAL),
        Row(l + ": key of 129 bytes", C,
            replace(gcm, attr(T.A_SA_AEAD_KEY, bytes(129))), errno.ERANGE),
        Row(l + ": proxy-ID IPv4 prefix of 3 bytes", C,
            plus(gcm, Bad(attr(T.A_SA_PID_LOCAL_IPV4, b"\x0a\1\0"))),
            errno.ERANGE),
        Row(l + ": proxy-ID IPv6 prefix of 17 bytes", C,
            plus(gcm, Bad(attr(T.A_SA_PID_REMOTE_IPV6, bytes(17)))),
            errno.ERANGE),
        Row(l + ": sequence number of 4 bytes", C,
            plus(gcm, Bad(u32(T.A_SA_SEQ, 1))), errno.EINVAL),
        # ranges
        Row(l + ": direction 3", C, replace(gcm, u8(T.A_SA_DIR, 3)),
            errno.ERANGE),
        Row(l + ": direction 0", C, replace(gcm, u8(T.A_SA_DIR, 0)),
            errno.ERANGE),
        Row(l + ": SPI 255", C, replace(gcm, u32(T.A_SA_SPI, 255)),
            errno.ERANGE),
        Row(l + ": protocol TCP", C, replace(gcm, u8(T.A_SA_PROTO, 6)),
            errno.ERANGE),
        Row(l + ": ICV of 32 bits", C,
            plus(gcm, Bad(u32(T.A_SA_ICV_BITS, 32))), errno.ERANGE),
        Row(l + ": replay window 16385", C,
            plus(without(cbc, 0), Bad(u32(T.A_SA_REPLAY_WINDOW, 16385))),
            errno.ERANGE),
        Row(l + ": replay window 16", C,
            plus(cbc, Bad(u32(T.A_SA_REPLAY_WINDOW, 16))), errno.EINVAL),
        Row(l + ": replay window on an outbound SA", C,
            plus(gcm, Bad(u32(T.A_SA_REPLAY_WINDOW, 64))), errno.EINVAL),
        Row(l + ": an unknown flag", C,
            plus(gcm, Bad(u32(T.A_SA_FLAGS, 0x4))), errno.EINVAL),
        Row(l + ": 4-byte AH alignment on an ESP SA", C,
            plus(gcm, Bad(u32(T.A_SA_FLAGS, 0x2))), errno.EINVAL),
        Row(l + ": local prefix length 129", C,
            plus(gcm, attr(T.A_SA_PID_LOCAL_IPV6, a6("fd00::")),
                 Bad(u8(T.A_SA_PID_LOCAL_PREFIXLEN, 129))), errno.ERANGE),
        Row(l + ": IPv4 prefix length 33", C,
            plus(gcm, attr(T.A_SA_PID_LOCAL_IPV4, a4("10.0.0.0")),
                 Bad(u8(T.A_SA_PID_LOCAL_PREFIXLEN, 33))), errno.EINVAL),
        Row(l + ": a prefix length without a prefix", C,
            plus(gcm, Bad(u8(T.A_SA_PID_REMOTE_PREFIXLEN, 8))), errno.EINVAL),
        Row(l + ": proxy-ID prefixes of two families", C,
            plus(gcm, attr(T.A_SA_PID_LOCAL_IPV4, a4("10.0.0.0")),
                 Bad(attr(T.A_SA_PID_REMOTE_IPV6, a6("fd00::")))),
            errno.EINVAL),
        Row(l + ": local ports 900-800", C,
            plus(gcm, u8(T.A_SA_PID_PROTO, 6),
                 u16(T.A_SA_PID_LPORT_MIN, 900),
                 Bad(u16(T.A_SA_PID_LPORT_MAX, 800))), errno.EINVAL),
        # algorithms
        Row(l + ": AEAD algorithm 0", C,
            replace(gcm, u32(T.A_SA_AEAD_ALG, 0)), errno.ERANGE),
        Row(l + ": unknown AEAD algorithm", C,
            replace(gcm, u32(T.A_SA_AEAD_ALG, T.AEAD_MAX + 1)), errno.ERANGE),
        Row(l + ": unknown cipher", C,
            replace(cbc, u32(T.A_SA_ENC_ALG, T.ENC_MAX + 1)), errno.ERANGE),
        Row(l + ": unknown integrity algorithm", C,
            replace(cbc, u32(T.A_SA_AUTH_ALG, T.AUTH_MAX + 1)), errno.ERANGE),
        Row(l + ": an AEAD and a cipher", C,
            plus(gcm, Bad(u32(T.A_SA_ENC_ALG, T.ENC_AES_CBC))), errno.EINVAL),
        Row(l + ": an ICV length for a cipher", C,
            plus(cbc, Bad(u32(T.A_SA_ICV_BITS, 96))), errno.EINVAL),
        Row(l + ": null encryption without integrity", C,
            [a for a in cbc[:4]] + [Bad(u32(T.A_SA_ENC_ALG, T.ENC_NULL))],
            errno.EINVAL),
        # key lengths
        Row(l + ": AES-GCM key of 17 bytes", C,
            replace(gcm, attr(T.A_SA_AEAD_KEY, bytes(17))), errno.EINVAL),
        Row(l + ": AES-GCM key of 3 bytes (shorter than its salt)", C,
            replace(gcm, attr(T.A_SA_AEAD_KEY, bytes(3))), errno.EINVAL),
        Row(l + ": ChaCha20-Poly1305 key of 20 bytes", C,
            aead(T.AEAD_CHACHA20_POLY1305, bytes(20)), errno.EINVAL),
        Row(l + ": AES-CCM key of 20 bytes", C,
            aead(T.AEAD_AES_CCM, bytes(20)), errno.EINVAL),
        Row(l + ": AES-CBC key of 15 bytes", C,
            replace(cbc, attr(T.A_SA_ENC_KEY, bytes(15))), errno.EINVAL),
        Row(l + ": 3DES key of 16 bytes", C,
            replace([u32(T.A_SA_ENC_ALG, T.ENC_3DES)
                     if a[0] == T.A_SA_ENC_ALG else a for a in cbc],
                    attr(T.A_SA_ENC_KEY, bytes(16))), errno.EINVAL),
        Row(l + ": HMAC-SHA256 key of 31 bytes", C,
            replace(cbc, attr(T.A_SA_AUTH_KEY, bytes(31))), errno.EINVAL),
        Row(l + ": empty AES-CBC key", C,
            replace(cbc, attr(T.A_SA_ENC_KEY, b"")), errno.EINVAL),
        # ICV lengths
        Row(l + ": AES-GCM ICV of 100 bits", C,
            plus(gcm, Bad(u32(T.A_SA_ICV_BITS, 100))), errno.EINVAL),
        Row(l + ": AES-GMAC ICV of 64 bits", C,
            aead(T.AEAD_AES_GMAC, bytes(20),
                 Bad(u32(T.A_SA_ICV_BITS, 64))), errno.EINVAL),
        Row(l + ": ChaCha20-Poly1305 ICV of 96 bits", C,
            aead(T.AEAD_CHACHA20_POLY1305, bytes(36),
                 Bad(u32(T.A_SA_ICV_BITS, 96))), errno.EINVAL),
        # sequence numbers
        Row(l + ": a 33-bit sequence number without ESN", C,
            plus(gcm, Bad(u64(T.A_SA_SEQ, 1 << 32))),
            errno.EINVAL if C == T.CMD_SA_UPDATE else errno.ERANGE),
        Row(l + ": a sequence number for an inbound SA", C,
            plus(cbc, Bad(u64(T.A_SA_SEQ, 5))), errno.EINVAL),
        # the tunnel
        Row(l + ": a tunnel without addresses", C,
            replace(gcm, u32(T.A_SA_IFINDEX, fx.t1)), errno.EADDRNOTAVAIL),
        # AH: an integrity algorithm and its key, nothing else
        Row(l + ": AH with an AEAD", C,
            plus(ah, Bad(u32(T.A_SA_AEAD_ALG, T.AEAD_AES_GCM))),
            errno.EINVAL),
        Row(l + ": AH with a cipher", C,
            plus(ah, Bad(u32(T.A_SA_ENC_ALG, T.ENC_AES_CBC))), errno.EINVAL),
        Row(l + ": AH with an ICV length", C,
            plus(ah, Bad(u32(T.A_SA_ICV_BITS, 96))), errno.EINVAL),
        Row(l + ": AH without an integrity algorithm", C,
            without(without(ah, T.A_SA_AUTH_ALG), T.A_SA_AUTH_KEY),
            errno.EINVAL, miss=T.A_SA_AUTH_ALG),
        Row(l + ": AH without a key", C, without(ah, T.A_SA_AUTH_KEY),
            errno.EINVAL, miss=T.A_SA_AUTH_KEY),
        Row(l + ": AH, HMAC-SHA256 key of 31 bytes", C,
            replace(ah, attr(T.A_SA_AUTH_KEY, bytes(31))), errno.EINVAL),
        Row(l + ": AH, unknown integrity algorithm", C,
            replace(ah, u32(T.A_SA_AUTH_ALG, T.AUTH_MAX + 1)), errno.ERANGE),
        # lifetimes: strict nests, the soft limit below the hard one
        Row(l + ": soft byte limit equal to the hard one", C,
            plus(gcm, Nest(T.A_SA_LIFETIME_SOFT,
                           [Bad(u64(T.A_LIFETIME_BYTES, 1000))]),
                 Nest(T.A_SA_LIFETIME_HARD, [u64(T.A_LIFETIME_BYTES, 1000)])),
            errno.EINVAL),
        Row(l + ": soft packet limit above the hard one", C,
            plus(gcm, Nest(T.A_SA_LIFETIME_SOFT,
                           [u64(T.A_LIFETIME_TIME, 10),
                            Bad(u64(T.A_LIFETIME_PACKETS, 50))]),
                 Nest(T.A_SA_LIFETIME_HARD,
                      [u64(T.A_LIFETIME_TIME, 20),
                       u64(T.A_LIFETIME_PACKETS, 10)])), errno.EINVAL),
        Row(l + ": soft use-time limit above the hard one", C,
            plus(gcm, Nest(T.A_SA_LIFETIME_SOFT,
                           [Bad(u64(T.A_LIFETIME_USE_TIME, 60))]),
                 Nest(T.A_SA_LIFETIME_HARD,
                      [u64(T.A_LIFETIME_USE_TIME, 30)])), errno.EINVAL),
        Row(l + ": a 4-byte time limit", C,
            plus(gcm, Nest(T.A_SA_LIFETIME_HARD,
                           [Bad(u32(T.A_LIFETIME_TIME, 30))])), errno.EINVAL),
        Row(l + ": an unknown lifetime attribute", C,
            plus(gcm, Nest(T.A_SA_LIFETIME_HARD,
                           [Bad(u64(T.A_LIFETIME_MAX + 1, 30))])),
            errno.EINVAL),
    ]
    rows += unknown_attr_rows(C, gcm, l, [T.A_SA_KEY_BITS, T.A_SA_AGE,
                                          T.A_SA_OUTER_SRC_IPV4,
                                          T.A_SA_STATS, 300])
    return rows


def sa_add_rows():
    fx = FX
    T = K
    C = T.CMD_SA_ADD
    l = "sa-add"
    rows = sa_add_common_rows(C, l)
    dup_out = [a if a[0] != T.A_SA_SPI else Bad(a) for a in fx.sas[0]]
    dup_in = [a if a[0] != T.A_SA_SPI else Bad(a) for a in fx.sas[1]]
    rows += [
        Row(l + ": duplicate outbound SPI", C, dup_out, errno.EEXIST),
        Row(l + ": duplicate inbound SPI", C, dup_in, errno.EEXIST),
    ]
    return rows


def sa_update_rows():
    T = K
    C = T.CMD_SA_UPDATE
    l = "sa-update"
    rows = sa_add_common_rows(C, l)
    rows += [
        Row(l + ": an SA that does not exist", C,
            replace(FX.sas[0], u32(T.A_SA_SPI, 0x3000)), errno.ENOENT),
        Row(l + ": an existing SA, a starting sequence number", C,
            plus(FX.sas[0], Bad(u64(T.A_SA_SEQ, 7))), errno.EINVAL),
        Row(l + ": an existing SA, a key that does not fit", C,
            replace(FX.sas[0], attr(T.A_SA_AEAD_KEY, bytes(19))),
            errno.EINVAL),
        Row(l + ": an existing SA, an unknown AEAD algorithm", C,
            replace(FX.sas[0], u32(T.A_SA_AEAD_ALG, 99)), errno.ERANGE),
    ]
    return rows


def sa_id_rows(C, l, dump=False):
    fx = FX
    T = K
    base = [u32(T.A_SA_IFINDEX, fx.t0), u8(T.A_SA_DIR, T.DIR_OUT),
            u32(T.A_SA_SPI, 0x1000), u8(T.A_SA_PROTO, IPPROTO_ESP)]
    rows = device_rows(C, base, T.A_SA_IFINDEX, T.A_SA_IFNAME, l)
    rows += [
        required(l + ": no direction", C, without(base, T.A_SA_DIR),
                 T.A_SA_DIR),
        required(l + ": no SPI", C, without(base, T.A_SA_SPI), T.A_SA_SPI),
        required(l + ": no protocol", C, without(base, T.A_SA_PROTO),
                 T.A_SA_PROTO),
        Row(l + ": no device", C, base[1:], errno.EINVAL,
            miss=T.A_SA_IFINDEX),
        Row(l + ": SPI of 8 bytes", C, replace(base, u64(T.A_SA_SPI, 0x1000)),
            errno.EINVAL),
        Row(l + ": direction 0", C, replace(base, u8(T.A_SA_DIR, 0)),
            errno.ERANGE),
        Row(l + ": SPI 100", C, replace(base, u32(T.A_SA_SPI, 100)),
            errno.ERANGE),
        Row(l + ": protocol 49", C, replace(base, u8(T.A_SA_PROTO, 49)),
            errno.ERANGE),
        Row(l + ": an SA that does not exist", C,
            replace(base, u32(T.A_SA_SPI, 0x1003)), errno.ENOENT),
        Row(l + ": the outbound SPI as inbound", C,
            [base[0], u8(T.A_SA_DIR, T.DIR_IN), Bad(u32(T.A_SA_SPI, 0x1000)),
             u8(T.A_SA_PROTO, IPPROTO_ESP)], errno.ENOENT),
    ]
    rows += unknown_attr_rows(C, base, l, [T.A_SA_AEAD_ALG, T.A_SA_AEAD_KEY,
                                           T.A_SA_SEQ])
    return rows


def sa_del_rows():
    return sa_id_rows(K.CMD_SA_DEL, "sa-del")


def sa_get_rows():
    T = K
    C = T.CMD_SA_GET
    l = "sa-get"
    rows = sa_id_rows(C, l)
    # A dump's own errors come in its NLMSG_DONE, which in this kernel
    # carries a message but no offset; policy errors come before it starts.
    rows += [
        Row(l + " dump: unknown device", C,
            [string(T.A_SA_IFNAME, "nosuch0")], errno.ENODEV,
            flags=NLM_F_DUMP),
        Row(l + " dump: a kipsec device of another netns", C,
            [u32(T.A_SA_IFINDEX, FX.other_ifindex)], errno.ENODEV,
            flags=NLM_F_DUMP),
        Row(l + " dump: not a kipsec device", C,
            [string(T.A_SA_IFNAME, FX.dummy)], errno.EOPNOTSUPP,
            flags=NLM_F_DUMP),
        Row(l + " dump: ifindex 0", C, [Bad(u32(T.A_SA_IFINDEX, 0))],
            errno.ERANGE, flags=NLM_F_DUMP),
        Row(l + " dump: ifindex of 2 bytes", C, [Bad(u16(T.A_SA_IFINDEX, 1))],
            errno.EINVAL, flags=NLM_F_DUMP),
        Row(l + " dump: an attribute not its own", C,
            [Bad(u32(T.A_SA_AEAD_ALG, 1))], errno.EINVAL, flags=NLM_F_DUMP),
    ]
    return rows


def sa_flush_rows():
    T = K
    C = T.CMD_SA_FLUSH
    base = [u32(T.A_SA_IFINDEX, FX.t0)]
    rows = [r for r in device_rows(C, base, T.A_SA_IFINDEX, T.A_SA_IFNAME,
                                   "sa-flush")]
    rows += unknown_attr_rows(C, base, "sa-flush",
                              [T.A_SA_DIR, T.A_SA_SPI, T.A_SA_PROTO])
    return rows


def family_rows():
    T = K
    return [
        Row("command 0", 0, [], errno.EOPNOTSUPP, msg=False),
        Row("an event command as a request", T.CMD_EXPIRE, [],
            errno.EOPNOTSUPP, msg=False),
        Row("command %d" % (T.CMD_MAX + 1), T.CMD_MAX + 1, [],
            errno.EOPNOTSUPP, msg=False),
        Row("command 255", 255, [], errno.EOPNOTSUPP, msg=False),
    ]


# One list per command; a new feature appends rows to its command's list
# or adds a function here.
ROW_SETS = [tunnel_set_rows, tunnel_get_rows, spi_alloc_rows, sa_add_rows,
            sa_update_rows, sa_del_rows, sa_get_rows, sa_flush_rows,
            family_rows]


# -- checks --------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, why=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in why.splitlines():
                print("#   " + line)
        sys.stdout.flush()
        return cond


def check_row(nl, tap, row, before):
    r, bad = nl.send(row.cmd, row.attrs, row.flags)
    msg = r.ext.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(errors="replace")
    offs = r.ext.get(NLMSGERR_ATTR_OFFS)
    offs = struct.unpack("=I", offs)[0] if offs else None
    miss = r.ext.get(NLMSGERR_ATTR_MISS_TYPE)
    miss = struct.unpack("=I", miss)[0] if miss else None
    problems = []
    if r.errno != row.err:
        problems.append("errno %s (%s), expected %s" % (
            r.errno, errno.errorcode.get(r.errno, "?"),
            errno.errorcode[row.err]))
    if row.msg and not msg:
        problems.append("no extack message")
    if bad is not None and offs != bad:
        problems.append("extack offset %s, expected %d (the bad attribute)"
                        % (offs, bad))
    if bad is None and row.miss is None and offs is not None:
        problems.append("extack offset %d, but the row names no attribute"
                        % offs)
    if row.miss is not None and miss != row.miss:
        problems.append("missing attribute %s, expected %d" % (miss, row.miss))
    after = state(nl)
    if after != before:
        problems.append("the tunnels or SAs changed")
    tap.ok(not problems, "%s: %s%s" % (
        row.name, errno.errorcode.get(row.err, row.err),
        " '%s'" % msg if msg else ""),
        "\n".join(problems) + "\nreply extack: %r" % r.ext)
    return after


def capset_without(cap):
    """Drop capability cap from this process's effective and permitted sets."""
    libc = ctypes.CDLL(None, use_errno=True)
    hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.syscall(125, hdr, data) != 0:	# capget
        raise OSError(ctypes.get_errno(), "capget")
    word, bit = divmod(cap, 32)
    data[word * 3 + 0] &= ~(1 << bit)	# effective
    data[word * 3 + 1] &= ~(1 << bit)	# permitted
    if libc.syscall(126, hdr, data) != 0:	# capset
        raise OSError(ctypes.get_errno(), "capset")


def unprivileged(tap, family, how):
    """Every command, valid and destructive, from a child without
    CAP_NET_ADMIN; all must get EPERM."""
    T = K
    fx = FX
    reqs = [
        ("tunnel-set", T.CMD_TUNNEL_SET, [u32(T.A_TUNNEL_IFINDEX, fx.t1),
                                          attr(T.A_TUNNEL_LOCAL_IPV4, a4("192.0.2.5"))], 0),
        ("tunnel-get", T.CMD_TUNNEL_GET, [u32(T.A_TUNNEL_IFINDEX, fx.t0)], 0),
        ("tunnel-get dump", T.CMD_TUNNEL_GET, [], NLM_F_DUMP),
        ("spi-alloc", T.CMD_SPI_ALLOC, [u32(T.A_SA_IFINDEX, fx.t0),
                                        u8(T.A_SA_PROTO, IPPROTO_ESP)], 0),
        ("sa-add", T.CMD_SA_ADD, replace(fx.sas[0], u32(T.A_SA_SPI, 0x4000)), 0),
        ("sa-update", T.CMD_SA_UPDATE, fx.sas[0], 0),
        ("sa-del", T.CMD_SA_DEL, fx.sas[0][:4], 0),
        ("sa-get", T.CMD_SA_GET, fx.sas[0][:4], 0),
        ("sa-get dump", T.CMD_SA_GET, [], NLM_F_DUMP),
        ("sa-flush", T.CMD_SA_FLUSH, [], 0),
    ]
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            if how == "nobody":
                os.setgroups([])
                os.setresgid(65534, 65534, 65534)
                os.setresuid(65534, 65534, 65534)
            else:
                capset_without(12)	# CAP_NET_ADMIN
            nl = Genl(family)
            res = {}
            for name, cmd, attrs, flags in reqs:
                r, _ = nl.send(cmd, attrs, flags)
                res[name] = r.errno
        except Exception as e:
            res = {"error": repr(e)}
        os.write(wfd, json.dumps(res).encode())
        os._exit(0)
    os.close(wfd)
    out = b""
    while True:
        b = os.read(rfd, 4096)
        if not b:
            break
        out += b
    os.waitpid(pid, 0)
    got = json.loads(out.decode())
    for name, _, _, _ in reqs:
        tap.ok(got.get(name) == errno.EPERM,
               "%s without CAP_NET_ADMIN (%s): EPERM" % (name, how),
               "got %s" % out.decode())


def no_keys(nl, tap, fx):
    T = K
    raw = b""
    r, _ = nl.send(T.CMD_SA_GET, [], NLM_F_DUMP)
    raw += r.raw
    n = len(r.msgs)
    for sa in fx.sas:
        r, _ = nl.send(T.CMD_SA_GET, sa[:4])
        raw += r.raw
        n += len(r.msgs)
    tap.ok(n == 2 * len(fx.sas), "sa-get returns the %d SAs, by dump and "
           "one by one" % len(fx.sas), "got %d replies" % n)
    for name, key in fx.keys.items():
        # Any 8 consecutive key bytes would be a leak.
        leaked = [i for i in range(len(key) - 7) if key[i:i + 8] in raw]
        tap.ok(not leaked, "no sa-get reply carries the %s key" % name,
               "key bytes at offsets %s" % leaked)


def main():
    global FX
    ap = argparse.ArgumentParser()
    ap.add_argument("--other-ifindex", type=int, required=True)
    ap.add_argument("--other-ifname", required=True)
    args = ap.parse_args()
    tap = Tap()
    nl = Genl()
    FX = setup(nl, args.other_ifindex, args.other_ifname)
    before = state(nl)
    tap.ok(len(before[1]) == len(FX.sas) and len(before[0]) == 2,
           "fixture: 2 tunnels, %d SAs" % len(FX.sas),
           "%d tunnels, %d SAs" % (len(before[0]), len(before[1])))
    no_keys(nl, tap, FX)
    for rows in ROW_SETS:
        for row in rows():
            before = check_row(nl, tap, row, before)
    for how in ("capset", "nobody"):
        unprivileged(tap, nl.family, how)
        after = state(nl)
        tap.ok(after == before, "unprivileged requests (%s) changed nothing"
               % how)
    no_keys(nl, tap, FX)
    print("# %d checks, %d failed" % (tap.n, tap.failed))
    return 1 if tap.failed else 0


FX = None

if __name__ == "__main__":
    sys.exit(main())
