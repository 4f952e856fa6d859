#!/usr/bin/env python3
"""Writes public/samples/sample-design-flows.jsonl.gz: Calico Enterprise flow logs (Felix JSON lines) of
the built-in sample design's estate (core/src/design/sample.yaml), for the app's "Use sample flows".

The shared samples (../shared/flows/) describe another estate (checkout-web, payments-api, …); this file
uses the sample design's namespaces and workloads so that the impact view tells its story out of the
box: traffic the design allows, cross-environment and frontend-to-database attempts it denies, an
internet call from the PCI checkout that the design would stop, `pub`/`pvt` outside ends, and rules no
flow uses. Deterministic (fixed seed, base time and gzip header): `python3 app/samples/sample-flows.py`.
"""

import gzip
import io
import json
import os
import random

BASE = 1795168800  # 2026-11-20T10:00:00Z
WINDOW = 300
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "public", "samples", "sample-design-flows.jsonl.gz")

# (namespace, workload, kind, labels, pods as (name, ip))
W = {}


def workload(ns, name, kind, labels, pods, hash_="7c9d5f8b6"):
    if kind == "StatefulSet":
        aggr = name + "-*"
        names = ["%s-%d" % (name, i) for i in range(pods)]
        labels = dict(labels, **{"controller-revision-hash": "%s-%s" % (name, hash_)})
    else:
        aggr = "%s-%s-*" % (name, hash_)
        names = ["%s-%s-%s" % (name, hash_, s) for s in ("x2kqp", "m9zlt", "b7wrc")[:pods]]
        labels = dict(labels, **{"pod-template-hash": hash_})
    ips = ["10.42.%d.%d" % (len(W) + 1, 10 + i) for i in range(pods)]
    W[(ns, name)] = {"ns": ns, "aggr": aggr, "labels": labels, "pods": list(zip(names, ips))}
    return (ns, name)


DNS = workload("kube-system", "coredns", "Deployment", {"k8s-app": "kube-dns"}, 2, "5d78c9869d")
CATTLE = workload("cattle-system", "cattle-cluster-agent", "Deployment",
                  {"app.kubernetes.io/name": "cattle-cluster-agent"}, 1, "6b8f9c7d45")
CALICO = workload("calico-system", "calico-kube-controllers", "Deployment",
                  {"k8s-app": "calico-kube-controllers"}, 1, "8d4b7c6f59")
GW = workload("storefront", "api-gateway", "Deployment",
              {"app.kubernetes.io/name": "api-gateway", "security.company.io/tier": "frontend"}, 3, "64c8d7b9f")
CHECKOUT = workload("checkout", "checkout-api", "Deployment",
                    {"app.kubernetes.io/name": "checkout-api", "security.company.io/tier": "backend"}, 2, "7f6d8c5b4")
PAY = workload("checkout", "payment-service", "Deployment",
               {"app.kubernetes.io/name": "payment-service", "security.company.io/tier": "backend"}, 2, "5c7b9d6f8")
ORDERS_DB = workload("orders", "orders-db", "StatefulSet",
                     {"app.kubernetes.io/name": "orders-db", "security.company.io/tier": "data"}, 2)
STAGING = workload("checkout-staging", "checkout-api", "Deployment",
                   {"app.kubernetes.io/name": "checkout-api", "security.company.io/tier": "backend"}, 1, "7f6d8c5b4")
LOADGEN = workload("sandbox", "load-generator", "Deployment",
                   {"app.kubernetes.io/name": "load-generator", "security.company.io/tier": "frontend"}, 1, "9b5c6d7f8")

# Outside ends: (type, name_aggr, ip, domains)
INTERNET_CLIENT = ("net", "pub", "192.0.2.44", None)
PROCESSOR = ("ns", "payment-processors", "203.0.113.25", ["api.processor.example.com"])
RATES = ("net", "pub", "192.0.2.80", ["api.currency-rates.example.net"])
EXFIL = ("net", "pub", "192.0.2.66", ["exfil.attacker.example.net"])
KUBE_API = ("net", "pvt", "10.43.0.1", None)

# Connections: source, destination, proto, port, observed action, denying side, weight.
# Observed = what the cluster did under the policies deployed when the logs were written.
C = [
    (INTERNET_CLIENT, GW, "tcp", 8443, "allow", None, 6),
    (GW, CHECKOUT, "tcp", 8443, "allow", None, 5),
    (CHECKOUT, PAY, "tcp", 8443, "allow", None, 4),
    (PAY, PROCESSOR, "tcp", 443, "allow", None, 2),
    (CHECKOUT, ORDERS_DB, "tcp", 5432, "allow", None, 4),
    (CHECKOUT, RATES, "tcp", 443, "allow", None, 1),  # a dependency the design forgot: PCI egress
    (CATTLE, ("net", "pub", "198.18.0.10", None), "tcp", 443, "allow", None, 1),
    (CALICO, KUBE_API, "tcp", 6443, "allow", None, 1),
    (LOADGEN, GW, "tcp", 8443, "deny", "dst", 1),  # dev -> prod
    (LOADGEN, ORDERS_DB, "tcp", 5432, "deny", "dst", 0.5),
    (STAGING, PAY, "tcp", 8443, "deny", "dst", 0.5),  # staging -> prod
    (GW, ORDERS_DB, "tcp", 5432, "deny", "src", 0.3),  # frontend straight to the database
    (PAY, EXFIL, "tcp", 443, "deny", "src", 0.2),
]
for w in (GW, CHECKOUT, PAY, ORDERS_DB, STAGING, LOADGEN, CATTLE, CALICO):
    C.append((w, DNS, "udp", 53, "allow", None, 3))
    C.append((w, DNS, "tcp", 53, "allow", None, 0.3))


def end(e, k, level1):
    """Felix's fields for one end: level 1 (denied flows) keeps pods and IPs, level 2 does not."""
    if isinstance(e, tuple) and len(e) == 2:
        w = W[e]
        pod, ip = w["pods"][k % len(w["pods"])]
        labels = sorted("%s=%s" % kv for kv in w["labels"].items())
        if level1 and w["aggr"].endswith("-*") and pod[-1].isdigit():
            labels = sorted(labels + ["statefulset.kubernetes.io/pod-name=" + pod])
        return {"type": "wep", "ns": w["ns"], "name": pod if level1 else "-", "aggr": w["aggr"],
                "ip": ip if level1 else None, "labels": {"labels": labels}, "domains": None}
    kind, aggr, ip, domains = e
    return {"type": kind, "ns": "-", "name": aggr if (kind == "ns" and level1) else "-", "aggr": aggr,
            "ip": ip if level1 else None, "labels": None, "domains": domains}


def record(c, reporter, k, j, start, rng):
    src, dst, proto, port, action, denier, _ = c
    level1 = action == "deny"
    s, d = end(src, k, level1), end(dst, j, level1)
    seen = "deny" if (denier == reporter) else "allow"
    nf = 1 + int(rng.random() * rng.random() * 20)
    doc = {"start_time": start, "end_time": start + WINDOW}
    for side, e in (("source", s), ("dest", d)):
        doc.update({side + "_ip": e["ip"], side + "_name": e["name"], side + "_name_aggr": e["aggr"],
                    side + "_namespace": e["ns"]})
        if side == "dest":
            doc["dest_port"] = port
        doc.update({side + "_type": e["type"], side + "_labels": e["labels"]})
    doc.update({"dest_domains": d["domains"] if reporter == "src" else None, "proto": proto,
                "action": seen, "reporter": reporter, "policies": None,
                "num_flows": nf, "num_flows_started": nf, "num_flows_completed": nf,
                "packets_in": nf * 12, "packets_out": nf * 10, "bytes_in": nf * 9000, "bytes_out": nf * 2400})
    return json.dumps(doc, separators=(",", ":"))


def reporters(c):
    src, dst, _, _, _, denier, _ = c
    out = []
    if len(src) == 2:
        out.append("src")
    if len(dst) == 2 and denier != "src":
        out.append("dst")
    return out


def main():
    rng = random.Random(7)
    lines = []
    # Every connection from every reporter once, then weighted random records over an hour.
    for c in C:
        for r in reporters(c):
            lines.append(record(c, r, 0, 0, BASE, rng))
    weights = [c[6] for c in C]
    for i in range(400):
        c = rng.choices(C, weights)[0]
        r = rng.choice(reporters(c))
        start = BASE + (i * 3600 // 400) // WINDOW * WINDOW
        lines.append(record(c, r, rng.randrange(3), rng.randrange(3), start, rng))
    raw = ("\n".join(lines) + "\n").encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    with open(OUT, "wb") as f:
        f.write(buf.getvalue())
    print("%s: %d lines, %d bytes" % (os.path.normpath(OUT), len(lines), len(buf.getvalue())))


if __name__ == "__main__":
    main()
