#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known answers for kipsecd's IKEv1 key derivations (RFC 2409).

Computes every derivation independently of the C code, with Python's hmac
and hashlib, pow() for MODP Diffie-Hellman (the primes are rebuilt from
their defining formula with pi, not copied), and the `cryptography`
package for ECP, curve25519 and the CBC ciphers. Writes ikev1_vectors.h,
which tests/unit/test_ikecrypto.c checks byte for byte. The output is
committed, so make check needs neither Python nor `cryptography`.

    tests/vectors/ikev1_vectors.py > tests/vectors/ikev1_vectors.h

All inputs (keys, nonces, cookies, private values) come from a fixed
SHA-256 stream, so the output is reproducible.
"""
import hashlib
import hmac
import sys

from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # cryptography >= 43 keeps 3DES here
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    TripleDES = algorithms.TripleDES

# IKE attribute values (RFC 2409 Appendix A, RFC 2407 4.4.4 and 4.5).
MD5, SHA1, SHA256, SHA384, SHA512 = 1, 2, 4, 5, 6
DES, TDES, AES = 1, 5, 7
HASHES = {MD5: hashlib.md5, SHA1: hashlib.sha1, SHA256: hashlib.sha256,
          SHA384: hashlib.sha384, SHA512: hashlib.sha512}
HASH_NAMES = {MD5: "IKE_HASH_MD5", SHA1: "IKE_HASH_SHA1",
              SHA256: "IKE_HASH_SHA2_256", SHA384: "IKE_HASH_SHA2_384",
              SHA512: "IKE_HASH_SHA2_512"}
ENC_NAMES = {DES: "IKE_ENC_DES_CBC", TDES: "IKE_ENC_3DES_CBC",
             AES: "IKE_ENC_AES_CBC"}
PROTO_ESP = 3
ESP_3DES, ESP_AES_CBC, ESP_AES_CCM_16, ESP_AES_GCM_16 = 3, 12, 16, 20
AUTH_MD5, AUTH_SHA1, AUTH_SHA256, AUTH_SHA512 = 1, 2, 5, 7


# --- deterministic inputs -------------------------------------------------

def rnd(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"kipsec-ikev1-kat|%s|%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


# --- MODP primes from their definition (RFC 2409 6.1/6.2, RFC 3526) ------

def pi_scaled(bits):
    """floor(pi * 2**bits), by Machin's formula with guard bits."""
    guard = 64
    one = 1 << (bits + guard)

    def arctan_inv(x):
        total, term, k, x2 = 0, one // x, 1, x * x
        sign = 1
        while term:
            total += sign * (term // k)
            term //= x2
            k += 2
            sign = -sign
        return total
    return (16 * arctan_inv(5) - 4 * arctan_inv(239)) >> guard


def is_probable_prime(n, rounds=8):
    if n < 2:
        return False
    for sp in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29):
        if n % sp == 0:
            return n == sp
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for i in range(rounds):
        a = 2 + int.from_bytes(rnd("mr%d" % i, 64), "big") % (n - 4)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


MODP_DEF = {  # group: (bits, offset added to floor(2^(bits-130) pi))
    1: (768, 149686), 2: (1024, 129093), 5: (1536, 741804),
    14: (2048, 124476), 15: (3072, 1690314), 16: (4096, 240904),
    17: (6144, 929484), 18: (8192, 4743158),
}
PI = pi_scaled(8192)


def modp_prime(group):
    n, k = MODP_DEF[group]
    pi_part = PI >> (8192 - (n - 130))
    p = 2**n - 2**(n - 64) - 1 + 2**64 * (pi_part + k)
    assert p.bit_length() == n
    assert is_probable_prime(p, 3) and is_probable_prime((p - 1) // 2, 3), \
        "group %d: not a safe prime, the definition is wrong" % group
    return p


MODP = {g: modp_prime(g) for g in MODP_DEF}
ECP = {19: (ec.SECP256R1(), 32), 20: (ec.SECP384R1(), 48), 21: (ec.SECP521R1(), 66)}
GROUP_NAMES = {1: "IKE_GROUP_MODP_768", 2: "IKE_GROUP_MODP_1024",
               5: "IKE_GROUP_MODP_1536", 14: "IKE_GROUP_MODP_2048",
               15: "IKE_GROUP_MODP_3072", 16: "IKE_GROUP_MODP_4096",
               17: "IKE_GROUP_MODP_6144", 18: "IKE_GROUP_MODP_8192",
               19: "IKE_GROUP_ECP_256", 20: "IKE_GROUP_ECP_384",
               21: "IKE_GROUP_ECP_521", 31: "IKE_GROUP_CURVE25519"}


def dh_private(group, label):
    """A private value as the C side takes it (big-endian bytes)."""
    if group in MODP:
        return rnd(label, 32)            # a 256-bit exponent
    if group in ECP:
        curve, size = ECP[group]
        order = {19: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
                 20: int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                         "581a0db248b0a77aecec196accc52973", 16),
                 21: int("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                         "fffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e913864"
                         "09", 16)}[group]
        x = int.from_bytes(rnd(label, size + 8), "big") % (order - 1) + 1
        return x.to_bytes(size, "big")
    return rnd(label, 32)                # curve25519: clamped by X25519


def dh_public(group, priv):
    if group in MODP:
        p = MODP[group]
        return pow(2, int.from_bytes(priv, "big"), p).to_bytes((p.bit_length() + 7) // 8, "big")
    if group in ECP:
        curve, size = ECP[group]
        nums = ec.derive_private_key(int.from_bytes(priv, "big"), curve).public_key().public_numbers()
        return nums.x.to_bytes(size, "big") + nums.y.to_bytes(size, "big")
    return x25519.X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes_raw()


def dh_shared(group, priv, peer_pub):
    if group in MODP:
        p = MODP[group]
        y = int.from_bytes(peer_pub, "big")
        assert 1 < y < p - 1
        return pow(y, int.from_bytes(priv, "big"), p).to_bytes((p.bit_length() + 7) // 8, "big")
    if group in ECP:
        curve, size = ECP[group]
        x = int.from_bytes(peer_pub[:size], "big")
        y = int.from_bytes(peer_pub[size:], "big")
        peer = ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
        me = ec.derive_private_key(int.from_bytes(priv, "big"), curve)
        s = me.exchange(ec.ECDH(), peer)     # the x coordinate
        assert len(s) == size
        return s
    me = x25519.X25519PrivateKey.from_private_bytes(priv)
    s = me.exchange(x25519.X25519PublicKey.from_public_bytes(peer_pub))
    assert s != bytes(32)
    return s


# --- RFC 2409 -------------------------------------------------------------

def prf(h, key, *parts):
    return hmac.new(key, b"".join(parts), HASHES[h]).digest()


def hsh(h, *parts):
    return HASHES[h](b"".join(parts)).digest()


def cipher_sizes(enc, keybits):
    return {DES: (8, 8), TDES: (24, 8), AES: (keybits // 8, 16)}[enc]


def cbc_encrypt(enc, key, iv, data):
    if enc == AES:
        algo = algorithms.AES(key)
    else:  # DES is 3DES with K1 = K2 = K3
        algo = TripleDES(key * 3 if len(key) == 8 else key)
    e = Cipher(algo, modes.CBC(iv)).encryptor()
    return e.update(data) + e.finalize()


def enc_key(h, skeyid_e, key_len):
    """RFC 2409 Appendix B."""
    if len(skeyid_e) >= key_len:
        return skeyid_e[:key_len]
    ka = prf(h, skeyid_e, b"\x00")
    k = ka
    while len(ka) < key_len:
        k = prf(h, skeyid_e, k)
        ka += k
    return ka[:key_len]


def keymat(h, skeyid_d, gqm, proto, spi, ni, nr, n):
    """RFC 2409 5.5 with the expansion."""
    seed = gqm + bytes([proto]) + spi + ni + nr
    out, k = b"", b""
    while len(out) < n:
        k = prf(h, skeyid_d, k + seed)
        out += k
    return out[:n]


def esp_lengths(transform, keybits, auth):
    """Encryption part (key + salt) and integrity part of ESP KEYMAT."""
    enc = {ESP_3DES: 24, ESP_AES_CBC: keybits // 8,
           ESP_AES_GCM_16: keybits // 8 + 4, ESP_AES_CCM_16: keybits // 8 + 3}[transform]
    integ = {0: 0, AUTH_MD5: 16, AUTH_SHA1: 20, AUTH_SHA256: 32, AUTH_SHA512: 64}[auth]
    return enc, integ


# --- output ---------------------------------------------------------------

def c_bytes(b, indent="\t\t"):
    if not b:
        return '{ (const uint8_t *)"", 0 }'
    lines = []
    for i in range(0, len(b), 16):
        lines.append('"' + "".join("\\x%02x" % c for c in b[i:i + 16]) + '"')
    return "KB(" + ("\n" + indent).join(lines) + ")"


def emit_struct(name, fields):
    out = ["\t{"]
    for k, v in fields:
        if isinstance(v, bytes):
            out.append("\t\t.%s = %s," % (k, c_bytes(v)))
        else:
            out.append("\t\t.%s = %s," % (k, v))
    out.append("\t},")
    return out


def p1_case(name, h, enc, keybits, group, esp):
    L = lambda s: name + "|" + s  # noqa: E731
    psk = b"kipsec " + name.encode() + b" secret"
    ni, nr = rnd(L("ni"), 16), rnd(L("nr"), 24)
    cky_i, cky_r = rnd(L("cky-i"), 8), rnd(L("cky-r"), 8)
    xi, xr = dh_private(group, L("xi")), dh_private(group, L("xr"))
    gxi, gxr = dh_public(group, xi), dh_public(group, xr)
    gxy = dh_shared(group, xi, gxr)
    assert gxy == dh_shared(group, xr, gxi)

    skeyid = prf(h, psk, ni, nr)
    skeyid_d = prf(h, skeyid, gxy, cky_i, cky_r, b"\x00")
    skeyid_a = prf(h, skeyid, skeyid_d, gxy, cky_i, cky_r, b"\x01")
    skeyid_e = prf(h, skeyid, skeyid_a, gxy, cky_i, cky_r, b"\x02")
    key_len, bl = cipher_sizes(enc, keybits)
    ekey = enc_key(h, skeyid_e, key_len)

    sai_b = rnd(L("sa"), 52)
    idii_b = bytes([1, 17, 1, 0xf4, 192, 0, 2, 1])
    idir_b = bytes([2, 17, 1, 0xf4]) + b"gw.example.org"
    hash_i = prf(h, skeyid, gxi, gxr, cky_i, cky_r, sai_b, idii_b)
    hash_r = prf(h, skeyid, gxr, gxi, cky_r, cky_i, sai_b, idir_b)

    # Main Mode messages 5 and 6: the IV chains through them.
    iv1 = hsh(h, gxi, gxr)[:bl]
    msg5 = rnd(L("msg5"), 3 * bl)
    ct5 = cbc_encrypt(enc, ekey, iv1, msg5)
    msg6 = rnd(L("msg6"), 2 * bl)
    ct6 = cbc_encrypt(enc, ekey, ct5[-bl:], msg6)
    p1_last = ct6[-bl:]

    msgid = int.from_bytes(rnd(L("mid"), 4), "big") | 1
    mid = msgid.to_bytes(4, "big")
    iv2 = hsh(h, p1_last, mid)[:bl]
    qm1 = rnd(L("qm1"), 4 * bl)
    qm1_ct = cbc_encrypt(enc, ekey, iv2, qm1)

    rest1, rest2 = rnd(L("rest1"), 120), rnd(L("rest2"), 104)
    ni2, nr2 = rnd(L("ni2"), 20), rnd(L("nr2"), 32)
    hash1 = prf(h, skeyid_a, mid, rest1)
    hash2 = prf(h, skeyid_a, mid, ni2, rest2)
    hash3 = prf(h, skeyid_a, b"\x00", mid, ni2, nr2)
    info = bytes([0, 0, 0, 1, 1, 16, 0x60, 0x02]) + cky_i + cky_r
    info_hash = prf(h, skeyid_a, mid, info)

    transform, ebits, auth = esp
    enc_len, integ_len = esp_lengths(transform, ebits, auth)
    spi = rnd(L("spi"), 4)
    yi, yr = dh_private(group, L("qm-xi")), dh_private(group, L("qm-xr"))
    gqm = dh_shared(group, yi, dh_public(group, yr))
    km = keymat(h, skeyid_d, b"", PROTO_ESP, spi, ni2, nr2, enc_len + integ_len)
    km_pfs = keymat(h, skeyid_d, gqm, PROTO_ESP, spi, ni2, nr2, enc_len + integ_len)
    # sanity of the expansion: the first block is prf(SKEYID_d, seed)
    assert km[:min(len(km), len(skeyid_d))] == \
        prf(h, skeyid_d, bytes([PROTO_ESP]), spi, ni2, nr2)[:len(km)]

    fields = [
        ("name", '"%s"' % name), ("hash", HASH_NAMES[h]), ("enc", ENC_NAMES[enc]),
        ("keybits", keybits), ("group", GROUP_NAMES[group]),
        ("psk", psk), ("ni", ni), ("nr", nr), ("cky_i", cky_i), ("cky_r", cky_r),
        ("xi", xi), ("xr", xr), ("gxi", gxi), ("gxr", gxr), ("gxy", gxy),
        ("skeyid", skeyid), ("skeyid_d", skeyid_d), ("skeyid_a", skeyid_a),
        ("skeyid_e", skeyid_e), ("enc_key", ekey),
        ("sai_b", sai_b), ("idii_b", idii_b), ("idir_b", idir_b),
        ("hash_i", hash_i), ("hash_r", hash_r),
        ("iv1", iv1), ("msg5", msg5), ("ct5", ct5), ("msg6", msg6), ("ct6", ct6),
        ("p1_last_iv", p1_last), ("msgid", "0x%08xu" % msgid), ("iv2", iv2),
        ("qm1", qm1), ("qm1_ct", qm1_ct),
        ("rest1", rest1), ("hash1", hash1), ("ni2", ni2), ("nr2", nr2),
        ("rest2", rest2), ("hash2", hash2), ("hash3", hash3),
        ("info", info), ("info_hash", info_hash),
        ("esp_transform", transform), ("esp_keybits", ebits), ("esp_auth", auth),
        ("enc_len", enc_len), ("integ_len", integ_len), ("spi", spi),
        ("gqm", gqm), ("keymat", km), ("keymat_pfs", km_pfs),
    ]
    return emit_struct(name, fields)


P1_CASES = [
    # name, hash, cipher, key bits, group, (ESP transform, key bits, auth)
    ("md5-3des-modp1024", MD5, TDES, 0, 2, (ESP_3DES, 0, AUTH_MD5)),
    ("sha1-aes128-modp2048", SHA1, AES, 128, 14, (ESP_AES_CBC, 128, AUTH_SHA1)),
    ("sha1-aes256-modp1536", SHA1, AES, 256, 5, (ESP_AES_GCM_16, 256, 0)),
    ("sha256-aes256-ecp256", SHA256, AES, 256, 19, (ESP_AES_CBC, 256, AUTH_SHA256)),
    ("sha384-aes192-ecp384", SHA384, AES, 192, 20, (ESP_AES_CCM_16, 128, 0)),
    ("sha512-des-curve25519", SHA512, DES, 0, 31, (ESP_AES_CBC, 256, AUTH_SHA512)),
    ("md5-aes256-modp768", MD5, AES, 256, 1, (ESP_AES_GCM_16, 128, 0)),
    ("sha256-3des-ecp521", SHA256, TDES, 0, 21, (ESP_3DES, 0, AUTH_SHA1)),
    ("sha1-aes128-modp3072", SHA1, AES, 128, 15, (ESP_AES_CBC, 128, AUTH_SHA256)),
]


def main():
    out = [
        "/* SPDX-License-Identifier: GPL-2.0 */",
        "/*",
        " * Generated by tests/vectors/ikev1_vectors.py; do not edit.",
        " * IKEv1 (RFC 2409) known answers computed with Python's hmac/hashlib,",
        " * pow() on MODP primes rebuilt from their definition, and the",
        " * cryptography package for ECP, curve25519 and CBC.",
        " */",
        "#ifndef KIPSEC_IKEV1_VECTORS_H",
        "#define KIPSEC_IKEV1_VECTORS_H",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "struct kat_bytes {",
        "\tconst uint8_t *p;",
        "\tsize_t len;",
        "};",
        "",
        "#define KB(s) { (const uint8_t *)(s), sizeof(s) - 1 }",
        "",
        "struct kat_dh {",
        "\tuint16_t group;",
        "\tstruct kat_bytes priv_a, priv_b, pub_a, pub_b, shared;",
        "};",
        "",
        "struct kat_p1 {",
        "\tconst char *name;",
        "\tuint16_t hash, enc;",
        "\tunsigned keybits;",
        "\tuint16_t group;",
        "\tstruct kat_bytes psk, ni, nr, cky_i, cky_r, xi, xr, gxi, gxr, gxy;",
        "\tstruct kat_bytes skeyid, skeyid_d, skeyid_a, skeyid_e, enc_key;",
        "\tstruct kat_bytes sai_b, idii_b, idir_b, hash_i, hash_r;",
        "\tstruct kat_bytes iv1, msg5, ct5, msg6, ct6, p1_last_iv;",
        "\tuint32_t msgid;",
        "\tstruct kat_bytes iv2, qm1, qm1_ct;",
        "\tstruct kat_bytes rest1, hash1, ni2, nr2, rest2, hash2, hash3;",
        "\tstruct kat_bytes info, info_hash;",
        "\tuint8_t esp_transform;",
        "\tunsigned esp_keybits;",
        "\tuint16_t esp_auth;",
        "\tsize_t enc_len, integ_len;",
        "\tstruct kat_bytes spi, gqm, keymat, keymat_pfs;",
        "};",
        "",
        "static const struct kat_dh kat_dh[] = {",
    ]
    for g in sorted(GROUP_NAMES):
        a, b = dh_private(g, "dh%d-a" % g), dh_private(g, "dh%d-b" % g)
        pa, pb = dh_public(g, a), dh_public(g, b)
        s = dh_shared(g, a, pb)
        assert s == dh_shared(g, b, pa)
        out += emit_struct("dh%d" % g, [("group", GROUP_NAMES[g]), ("priv_a", a),
                                        ("priv_b", b), ("pub_a", pa), ("pub_b", pb),
                                        ("shared", s)])
    out += ["};", "", "static const struct kat_p1 kat_p1[] = {"]
    for case in P1_CASES:
        out += p1_case(*case)
    out += ["};", "", "#endif", ""]
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
