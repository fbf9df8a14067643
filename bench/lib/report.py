#!/usr/bin/env python3
"""Turns the harness's results.tsv into bench/RESULTS.md: per network and scenario, per tool, the
median and range of wall time, requests and bytes to the origin, bytes uploaded, peak memory; then the
ratios the project tracks (Kiln/Jib, Kiln/Buildah, warm/cold) and the targets they are checked against."""
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

results, fixtures, smoke = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
FIELDS = ["network", "scenario", "tool", "run", "wall_ms", "origin_requests", "origin_bytes", "uploaded_bytes",
          "peak_kb", "manifest_heads"]
rows = []
with open(results) as f:
    for line in f:
        values = line.rstrip("\n").split("\t")
        if len(values) == len(FIELDS):
            row = dict(zip(FIELDS, values))
            for k in FIELDS[4:]:
                row[k] = int(row[k])
            rows.append(row)

groups = defaultdict(list)
for r in rows:
    groups[(r["network"], r["scenario"], r["tool"])].append(r)


def med(group, key):
    return statistics.median(r[key] for r in group)


def mb(n):
    return f"{n / 1e6:.1f}"


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except Exception:  # a missing tool is reported, not fatal
        return "n/a"


out = []
out.append("# Benchmark results" + (" (smoke run: tiny fixtures, loopback, one run)" if smoke else ""))
out.append("")
out.append(f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}; "
           f"{version(['java', '-version']) or version(['bash', '-c', 'java -version 2>&1'])}")
out.append(f"Tools: {version(['bash', '-c', 'java -version 2>&1'])}; {version(['skopeo', '--version'])}; "
           f"{version(['buildah', '--version'])}; {version(['docker-registry', '--version'])}")
manifest = os.path.join(fixtures, "manifest.txt")
if os.path.exists(manifest):
    out.append("")
    out.append("Fixtures:")
    out.append("```")
    out.append(open(manifest).read().strip())
    out.append("```")
out.append("")
out.append("Wall time is the whole process (JVM start included), median of the runs with min-max; requests and "
           "bytes to the origin come from its access log; uploaded bytes are the blobs the target stored; peak "
           "memory is the process's maximum RSS (JVMs limited to -Xmx256m).")

networks = sorted({r["network"] for r in rows}, key=lambda n: ["loopback", "100mbit", "100mbit+50ms"].index(n)
                  if n in ["loopback", "100mbit", "100mbit+50ms"] else 9)
scenarios = ["cold", "warm", "noop", "empty-target", "base-updated", "target-has-base", "parallel-8"]
for network in networks:
    out.append("")
    out.append(f"## Network: {network}")
    out.append("")
    out.append("| scenario | tool | wall ms (median) | min-max | origin requests | origin MB | manifest HEADs | uploaded MB | peak MB |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for scenario in scenarios:
        for tool in ["skopeo", "kiln", "kiln-layered", "kiln-api", "jib", "buildah"]:
            g = groups.get((network, scenario, tool))
            if not g:
                continue
            walls = [r["wall_ms"] for r in g]
            out.append(f"| {scenario} | {tool} | {med(g, 'wall_ms'):.0f} | {min(walls)}-{max(walls)} | "
                       f"{med(g, 'origin_requests'):.0f} | {mb(med(g, 'origin_bytes'))} | {med(g, 'manifest_heads'):.0f} | "
                       f"{mb(med(g, 'uploaded_bytes'))} | {med(g, 'peak_kb') / 1024:.0f} |")
    out.append("")
    ratios = []

    def wall(scenario, tool):
        g = groups.get((network, scenario, tool))
        return med(g, "wall_ms") if g else None

    for scenario in ["cold", "warm", "noop"]:
        k = wall(scenario, "kiln")
        for peer in ["jib", "buildah"]:
            p = wall(scenario, peer)
            if k and p:
                ratios.append(f"{scenario}: Kiln/{peer.capitalize()} = {k / p:.2f} ({peer} {p / k:.1f}× slower)")
    for scenario in ["warm", "noop"]:
        k, p = wall(scenario, "kiln-layered"), wall(scenario, "jib")
        if k and p:
            ratios.append(f"{scenario} with Kiln's Flink layout: Kiln/Jib = {k / p:.2f} (jib {p / k:.1f}× slower)")
    for tool in ["kiln", "kiln-layered"]:
        k, p = wall("empty-target", tool), wall("empty-target", "jib")
        if k and p:
            ratios.append(f"cached base to an empty target, {tool}: Kiln/Jib = {k / p:.2f} (target ≤ 0.8)")
    cold_kiln, cold_jib = groups.get((network, "cold", "kiln")), groups.get((network, "cold", "jib"))
    if cold_kiln and cold_jib:
        ratios.append(f"cold peak RSS Kiln/Jib = {med(cold_kiln, 'peak_kb') / med(cold_jib, 'peak_kb'):.2f} (target ≤ 1)")
    for tool in ["kiln", "kiln-layered", "kiln-api", "jib", "buildah"]:
        c, w = wall("cold", tool), wall("warm", tool)
        if c and w:
            ratios.append(f"warm/cold {tool} = {w / c:.3f}")
    floor, kc, kw = wall("cold", "skopeo"), wall("cold", "kiln"), wall("warm", "kiln")
    if floor and kc and kw:
        ratios.append(f"cold Kiln / (skopeo copy + Kiln warm) = {kc / (floor + kw):.2f} (target ≤ 1.1)")
    if ratios:
        out.append("Ratios: " + "; ".join(ratios) + ".")
print("\n".join(out))
