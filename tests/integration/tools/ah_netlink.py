#!/usr/bin/env python3
"""sa-add of AH SAs straight over generic netlink, past the CLI (which
refuses these requests itself): what the kernel refuses, with which error,
message and attribute (extended ACK), and that a good request is taken
and read back as proto 51 with its integrity algorithm.

  ah_netlink.py NETNS IFNAME

Run in the test VM, in a namespace with a kipsec tunnel that has both
outer addresses.
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipsectest as T  # noqa: E402

NETLINK_GENERIC = 16
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

CMD_SA_ADD, CMD_SA_GET = 4, 7
A = dict(ifname=2, dir=3, spi=4, proto=5, aead_alg=8, aead_key=9,
         icv_bits=10, enc_alg=11, enc_key=12, auth_alg=13, auth_key=14)
NAME = {v: k for k, v in A.items()}
DIR_IN = 1
IPPROTO_AH = 51
AUTH_HMAC_SHA256_128 = 3


def attr(t, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, t) + data + b"\0" * ((-n) % 4)


def u8(t, v):
    return attr(t, struct.pack("=B", v))


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        n, t = struct.unpack("=HH", data[:4])
        if n < 4:
            break
        out[t & 0x3fff] = data[4:n]
        data = data[(n + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(270, NETLINK_EXT_ACK, 1)  # SOL_NETLINK
        self.s.bind((0, 0))
        self.seq = 0
        r = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                         attr(CTRL_ATTR_FAMILY_NAME, b"kipsec\0"), ack=False)
        self.family = struct.unpack(
            "=H", parse_attrs(r["msgs"][0][4:])[CTRL_ATTR_FAMILY_ID][:2])[0]

    def request(self, family, cmd, payload, ack=True, flags=0):
        """Send one request; return {"errno", "msg", "offs", "miss",
        "msgs" (genl payloads of the replies)}."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | (NLM_F_ACK if ack else 0) | flags,
                          self.seq, 0)
        sent = hdr + body
        self.s.send(sent)
        res = {"errno": None, "msg": None, "offs": None, "miss": None,
               "msgs": [], "sent": sent}
        while res["errno"] is None:
            data = self.s.recv(65536)
            while len(data) >= 16:
                n, t, f, seq, _ = struct.unpack("=IHHII", data[:16])
                m = data[16:n]
                data = data[(n + 3) & ~3:]
                if t == NLMSG_ERROR:
                    err = struct.unpack("=i", m[:4])[0]
                    res["errno"] = -err
                    # the request is echoed unless capped; ack TLVs follow
                    olen = struct.unpack("=I", m[4:8])[0]
                    rest = m[4 + (olen if f & 0x100 == 0 else 16):]
                    a = parse_attrs(rest)
                    if NLMSGERR_ATTR_MSG in a:
                        res["msg"] = a[NLMSGERR_ATTR_MSG].rstrip(b"\0") \
                            .decode()
                    if NLMSGERR_ATTR_OFFS in a:
                        res["offs"] = struct.unpack(
                            "=I", a[NLMSGERR_ATTR_OFFS][:4])[0]
                    if NLMSGERR_ATTR_MISS_TYPE in a:
                        res["miss"] = struct.unpack(
                            "=I", a[NLMSGERR_ATTR_MISS_TYPE][:4])[0]
                else:
                    res["msgs"].append(m)
                    if not ack:
                        res["errno"] = 0
        return res


def bad_attr(res):
    """The attribute type the error offset points at in our request."""
    if res["offs"] is None:
        return None
    t = struct.unpack("=H", res["sent"][res["offs"] + 2:res["offs"] + 4])[0]
    return NAME.get(t & 0x3fff, t)


def main():
    ns, ifname = sys.argv[1], sys.argv[2]
    tap = T.Tap()
    with T.netns(ns):
        g = Genl()
    name = attr(A["ifname"], ifname.encode() + b"\0")
    base = name + u8(A["dir"], DIR_IN) + u32(A["spi"], 0x7000) + \
        u8(A["proto"], IPPROTO_AH)
    auth = u32(A["auth_alg"], AUTH_HMAC_SHA256_128) + \
        attr(A["auth_key"], bytes(range(32)))
    cases = [
        ("AH with a cipher", base + auth + u32(A["enc_alg"], 4) +
         attr(A["enc_key"], bytes(16)), 22,
         "AH takes only an integrity algorithm", "enc_alg", None),
        ("AH with an AEAD algorithm", base + u32(A["aead_alg"], 1) +
         attr(A["aead_key"], bytes(20)), 22,
         "AH takes only an integrity algorithm", "aead_alg", None),
        ("AH with icv-bits", base + auth + u32(A["icv_bits"], 128), 22,
         "AH takes only an integrity algorithm", "icv_bits", None),
        ("AH without an integrity algorithm", base, 22,
         "AH needs an integrity algorithm", None, A["auth_alg"]),
        ("AH without the integrity key",
         base + u32(A["auth_alg"], AUTH_HMAC_SHA256_128), 22,
         "the integrity algorithm needs a key", None, A["auth_key"]),
        ("AH with a 16-byte key for hmac-sha256-128",
         base + u32(A["auth_alg"], AUTH_HMAC_SHA256_128) +
         attr(A["auth_key"], bytes(16)), 22,
         "key length does not fit the integrity algorithm", "auth_key",
         None),
    ]
    for what, payload, errno, msg, battr, miss in cases:
        r = g.request(g.family, CMD_SA_ADD, payload)
        problems = []
        if r["errno"] != errno:
            problems.append("errno %s, expected %d" % (r["errno"], errno))
        if r["msg"] != msg:
            problems.append("message %r, expected %r" % (r["msg"], msg))
        if battr and bad_attr(r) != battr:
            problems.append("attribute %s, expected %s" % (bad_attr(r),
                                                            battr))
        if miss and r["miss"] != miss:
            problems.append("missing attribute %s, expected %d" % (
                r["miss"], miss))
        tap.ok(not problems, "sa-add over netlink, %s: EINVAL, %r" % (
            what, msg), problems)

    r = g.request(g.family, CMD_SA_ADD, base + auth)
    tap.ok(r["errno"] == 0, "sa-add over netlink: an AH SA is added",
           "errno %s: %s" % (r["errno"], r["msg"]))
    r = g.request(g.family, CMD_SA_GET, base, ack=False)
    a = parse_attrs(r["msgs"][0][4:]) if r["msgs"] else {}
    got = (a.get(A["proto"], b"?")[:1], a.get(A["auth_alg"], b"")[:4],
           A["enc_alg"] in a, A["aead_alg"] in a,
           A["auth_key"] in a)
    want = (bytes([IPPROTO_AH]), struct.pack("=I", AUTH_HMAC_SHA256_128),
            False, False, False)
    tap.ok(got == want, "sa-get: proto 51, auth-alg hmac-sha256-128, no "
           "cipher, no AEAD, no key", "got %r" % (got,))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
