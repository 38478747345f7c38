#!/usr/bin/env python3
"""Turn tools/bench/guest.sh's key=value figures into kipsec/XFRM ratios."""
import sys

fig = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if "=" in line and not line.startswith("+"):
        k, v = line.split("=", 1)
        try:
            fig[k] = float(v)
        except ValueError:
            pass


def ratio(name, k, x, higher_better=True, unit=""):
    if k not in fig or x not in fig or not fig[x] or not fig[k]:
        print("%-40s missing" % name)
        return
    r = fig[k] / fig[x] if higher_better else fig[x] / fig[k]
    print("%-40s kipsec %12.0f%s  xfrm %12.0f%s  ratio %.2f" %
          (name, fig[k], unit, fig[x], unit, r))


print("kipsec / XFRM, same VM run (ratio > 1: kipsec better)")
for alg, label in (("gcm", "aes-gcm-128"), ("cbc", "aes-cbc-128+hmac-sha256")):
    ratio("TCP 1 flow %s" % label, "kipsec_%s_tcp1" % alg, "xfrm_%s_tcp1" % alg, unit=" b/s")
    ratio("TCP 4 flows %s" % label, "kipsec_%s_tcp4" % alg, "xfrm_%s_tcp4" % alg, unit=" b/s")
    ratio("UDP 64 B pps %s" % label, "kipsec_%s_udp64" % alg, "xfrm_%s_udp64" % alg)
inst = sorted((k for k in fig if k.startswith("kipsec_install_")),
              key=lambda k: int(k[len("kipsec_install_"):-2]))
for k in inst:
    n = k[len("kipsec_install_"):-2]
    x = "xfrm_install_%s_s" % n
    if x in fig:
        print("%-40s kipsec %10.2f s  xfrm %10.2f s  ratio %.2f (install rate)" %
              ("install %s SAs" % n, fig[k], fig[x], fig[x] / fig[k]))
    else:
        print("%-40s kipsec %10.2f s  (%.0f SAs/s)" %
              ("install %s SAs" % n, fig[k], int(n) / fig[k]))
one, big = fig.get("kipsec_gcm_one_tcp1"), fig.get("kipsec_gcm_big_tcp1")
if one and big:
    print("%-40s %.1f%% slowdown (%.0f -> %.0f b/s)" %
          ("kipsec TCP 1 flow, many SAs vs one", 100.0 * (1 - big / one), one, big))
for key, label in (("kipsecd_qm_nopfs_per_s", "Quick Modes/s over one phase 1, no PFS"),
                   ("kipsecd_qm_pfs_per_s", "Quick Modes/s over one phase 1, PFS g14"),
                   ("kipsecd_setup_per_s", "Main Mode + Quick Mode set-ups/s")):
    if key in fig:
        print("%-40s kipsecd %8.2f/s" % (label, fig[key]))
# Main Mode + Quick Mode set-ups against charon as the responder, with
# kipsecd and with charon as the initiator (tools/bench/ike.py).
k, c = fig.get("kipsecd_charon_setup_per_s"), fig.get("charon_charon_setup_per_s")
for label, v in (("Set-ups/s kipsecd -> charon", k), ("Set-ups/s charon -> charon", c)):
    print("%-40s %s" % (label, "%8.2f/s" % v if v else "missing"))
if k and c:
    print("%-40s ratio %.2f (> 1: kipsecd faster)" %
          ("Set-ups/s initiator kipsecd / charon", k / c))
