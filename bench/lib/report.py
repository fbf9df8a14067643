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
          "peak_kb", "manifest_heads", "token_requests"]
rows = []
with open(results) as f:
    for line in f:
        values = line.rstrip("\n").split("\t")
        if len(values) == len(FIELDS) - 1:  # a results.tsv of before the token-auth registry
            values.append("-1")
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
out.append("")
out.append("Tools: `kiln` is `kiln build --add DIR` (all jars one layer); `kiln-layered` the same files with job.jar in a "
           "layer of its own; `kiln-flink` is `kiln flink build` with one `--lib` per dependency jar and `--job-jar`; "
           "`kiln-api` the Java API in a fresh JVM; `push-floor` (empty target only) the blobs of kiln's image put into the "
           "empty target by curl, every blob at once, in one POST + PUT each: the registry's own ingest floor; `kiln-serve` the same Flink build submitted to a running `kiln serve` "
           "(pool of 8; warm store; twenty untimed builds after it started, as on a service that has been up a while) by curl: multipart POST with job.jar as a part and the dependency jars by the digests "
           "the service holds, then its event stream to the end (no JVM on the client; its peak MB is the service's "
           "peak RSS since it started); `kiln-server-cli` is `kiln flink build --server` from a client with an empty cache "
           "(it hashes every input, uploads what the service lacks: the new job.jar), and its `client-start` row is "
           "`kiln --version`, the client's launcher and JVM alone, its `client-inputs` row the floor of the client's own work: "
           "every input hashed by coreutils' sha256sum (two at a time) and the changed one (job.jar) put to the service by curl. Warm through the service first puts the job's v1 "
           "into the repository, untimed; parallel-8 through the service is 8 such curl clients at once, each the "
           "job's v2 to a new repository. On the `token-auth` network the origin and the target are one registry "
           "with `auth: token`, its token server behind a 50 ms round trip, credentials in a Docker config given to "
           "each tool; token requests are those the token server answered during the build.")

networks = sorted({r["network"] for r in rows}, key=lambda n: ["loopback", "100mbit", "100mbit+50ms"].index(n)
                  if n in ["loopback", "100mbit", "100mbit+50ms"] else 9)
scenarios = ["cold", "warm", "noop", "client-start", "client-inputs", "empty-target", "base-updated", "target-has-base", "parallel-8"]
TOOLS = ["skopeo", "push-floor", "kiln", "kiln-layered", "kiln-flink", "kiln-api", "jib", "buildah", "kiln-serve", "kiln-server-cli"]
for network in networks:
    tokens = any(r["token_requests"] >= 0 for r in rows if r["network"] == network)
    origin = "registry" if tokens else "origin"
    out.append("")
    out.append(f"## Network: {network}")
    out.append("")
    if network == "token-auth":
        out.append("One registry (loopback) with `auth: token` holds the base and receives the images; its token server "
                   "answers through a proxy adding 25 ms each way. Requests and MB are the registry's (pulls and pushes).")
        out.append("")
    out.append(f"| scenario | tool | wall ms (median) | min-max | {origin} requests | {origin} MB | manifest HEADs | uploaded MB | peak MB |"
               + (" token requests |" if tokens else ""))
    out.append("|---|---|---|---|---|---|---|---|---|" + ("---|" if tokens else ""))
    for scenario in scenarios:
        for tool in TOOLS:
            g = groups.get((network, scenario, tool))
            if not g:
                continue
            walls = [r["wall_ms"] for r in g]
            out.append(f"| {scenario} | {tool} | {med(g, 'wall_ms'):.0f} | {min(walls)}-{max(walls)} | "
                       f"{med(g, 'origin_requests'):.0f} | {mb(med(g, 'origin_bytes'))} | {med(g, 'manifest_heads'):.0f} | "
                       f"{mb(med(g, 'uploaded_bytes'))} | {med(g, 'peak_kb') / 1024:.0f} |"
                       + (f" {med(g, 'token_requests'):.0f} |" if tokens else ""))
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
        k = wall(scenario, "kiln-flink")
        if k and p:
            ratios.append(f"{scenario} with `kiln flink build`: Kiln/Jib = {k / p:.2f} (jib {p / k:.1f}× slower"
                          + ("; target ≥ 5×)" if scenario == "warm" else ")"))
    served, cli, start = wall("warm", "kiln-serve"), wall("warm", "kiln-server-cli"), wall("client-start", "kiln-server-cli")
    inputs = wall("client-inputs", "kiln-server-cli")
    if served:
        ratios.append(f"warm through the service, submit to done (curl): {served:.0f} ms (target ≤ 100 ms)")
    if served and cli and start:
        ratios.append(f"warm by `--server` from a client with an empty cache: {cli:.0f} ms, {cli - start:.0f} ms without "
                      f"the client's JVM start (`kiln --version`, {start:.0f} ms) = {(cli - start) / served:.2f} × the "
                      f"service's warm build"
                      + (f", {(cli - start) / (served + inputs):.2f} × (that + hashing every input and uploading the changed "
                         f"one by coreutils and curl, {inputs:.0f} ms) (target ≤ 1.2)" if inputs else
                         " (target ≤ 1.2 × that plus hashing and uploading the changed inputs)"))
    parallel = groups.get((network, "parallel-8", "kiln-serve"))
    if parallel:
        ratios.append(f"8 builds at once through the service: {med(parallel, 'wall_ms'):.0f} ms, the service's peak RSS "
                      f"{med(parallel, 'peak_kb') / 1024:.0f} MB (target ≤ 512 MB)")
    if tokens:
        for scenario in ["warm", "noop"]:
            asked = [f"{tool} {med(groups[(network, scenario, tool)], 'token_requests'):.0f}"
                     for tool in TOOLS if (network, scenario, tool) in groups]
            if asked:
                ratios.append(f"token requests per {scenario} build: {', '.join(asked)} (target: Kiln ≤ 1)")
    for tool in ["kiln", "kiln-layered"]:
        k, p = wall("empty-target", tool), wall("empty-target", "jib")
        if k and p:
            ratios.append(f"cached base to an empty target, {tool}: Kiln/Jib = {k / p:.2f} (target ≤ 0.8)")
    floor = wall("empty-target", "push-floor")
    if floor:
        versus = [f"{tool} {wall('empty-target', tool) / floor:.2f}" for tool in ["kiln", "kiln-layered", "kiln-flink", "jib"]
                  if wall("empty-target", tool)]
        ratios.append(f"empty target, the registry's ingest floor (the same blobs by curl, all at once): {floor:.0f} ms; "
                      f"× the floor: {', '.join(versus)}")
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
