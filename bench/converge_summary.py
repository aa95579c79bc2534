#!/usr/bin/env python3
"""The one table `make bench` ends with: every benchmark's headline figure beside
its target. Reads what the benchmarks of this `make bench` wrote to DIR
(bench-cold.txt, bench-json.txt, bench-http.txt, converge.json, floor.json,
stack4.json, schema.json); a missing one is shown as not run. Targets are reported,
never asserted."""
import json
import os
import re
import statistics
import sys


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def cold(text):
    if not text:
        return None
    ratio = re.search(r"ratio starrhost / lua5\.4: ([0-9.]+)x", text)
    meds = re.findall(r"^\s+(lua5\.4 -e ''|starrhost run \(trivial main\.lua\))\s+([0-9.]+)ms", text, re.M)
    if not ratio:
        return None
    m = dict(meds)
    return float(ratio.group(1)), m.get("lua5.4 -e ''"), m.get("starrhost run (trivial main.lua)")


# Issue 17's memory bar: no higher than before its work. Measured by bench-floor (the
# largest peak RSS of 5 full first runs; they ranged 12368-12872 KiB) on main with the
# instances redesign, before any concurrency work.
RSS_BEFORE_KIB = 12872


def verdict(ok):
    return "met" if ok else "MISS"


def issue_rows(d):
    """Issue 17 (floor, stack of four) and issue 15 point 4 (plan by definition)."""
    rows = []
    fl = read(os.path.join(d, "floor.json"))
    if fl:
        f = json.loads(fl)
        m = f["median_s"]
        rows.append(("full first run vs the curl floor (same writes)", "%.2fx (%.0f ms vs %.0f ms)" % (
            f["full_ratio"], m["starrhost_full"] * 1000, m["floor_full"] * 1000), "<= 1.3x",
            verdict(f["full_ratio"] <= 1.3)))
        rows.append(("no-op rerun vs the floor's %d GETs" % len(f["floor_gets"]),
                     "%.2fx (%.0f ms vs %.0f ms)" % (f["noop_ratio"], m["starrhost_noop"] * 1000,
                                                     m["floor_noop"] * 1000), "<= 1.5x",
                     verdict(f["noop_ratio"] <= 1.5)))
        rows.append(("peak RSS, full first run (floor stack)", "%.1f MB" % (f["rss_kib"] / 1024),
                     "<= %.1f MB, before issue 17" % (RSS_BEFORE_KIB / 1024),
                     verdict(f["rss_kib"] <= RSS_BEFORE_KIB)))
    else:
        rows.append(("starrhost vs the curl floor", "not run", "", "-"))
    s4 = read(os.path.join(d, "stack4.json"))
    if s4:
        s = json.loads(s4)
        m = s["median_s"]
        rows.append(("stack of %d, %d ms per answer: full / slowest alone" % (
            len(s["instances"]), s["latency_ms"]), "%.2fx (%.0f ms vs %s %.0f ms)%s" % (
            s["ratio"], m["full"] * 1000, s["slowest"], m[s["slowest"]] * 1000,
            "; sonarr-4k not supported by these scripts" if s.get("note") else ""), "<= 1.2x",
            verdict(s["ratio"] <= 1.2)))
    else:
        rows.append(("stack of four with latency", "not run", "", "-"))
    sc = read(os.path.join(d, "schema.json"))
    if sc:
        p = json.loads(sc)
        split = p.get("split_s") or {}
        rows.append(("plan adding an indexer by definition (%s templates)" % p.get("templates"),
                     "%.0f ms (schema %.1f MB: download %.0f ms, decode %.0f ms, search %.2f ms)" % (
                         p["median_s"]["plan"] * 1000, (p.get("schema_bytes") or 0) / 1e6,
                         split.get("download", 0) * 1000, split.get("decode", 0) * 1000,
                         split.get("search", 0) * 1000), "< 1 s",
                     verdict(p["median_s"]["plan"] < 1)))
    else:
        rows.append(("plan adding an indexer by definition", "not run", "", "-"))
    return rows


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    rows = []  # (figure, measured, target, verdict)

    c = cold(read(os.path.join(d, "bench-cold.txt")))
    if c:
        rows.append(("cold start (bench-cold, spawned)", "%.2fx lua5.4 (%s ms vs %s ms)" % (
                     c[0], c[2], c[1]),
                     "<= 1.5x", "met" if c[0] <= 1.5 else "MISS"))
    else:
        rows.append(("cold start, trivial main.lua", "not run", "<= 1.5x", "-"))

    conv = read(os.path.join(d, "converge.json"))
    if conv:
        r = json.loads(conv)
        loader = {x["name"]: x for x in (r.get("loader") or [])}
        if loader:
            s = loader["starrhost run (trivial main.lua)"]["median"]
            lua = loader["lua5.4 -e ''"]["median"]
            e = loader["empty C program + libcurl"]["median"]
            rows.append(("cold start (spawned, bench-converge)", "%.2fx lua5.4 (%.2f ms vs %.2f ms)" % (
                s / lua, s * 1000, lua * 1000), "<= 1.5x", "met" if s / lua <= 1.5 else "MISS"))
            rows.append(("  the same vs an empty program linked with libcurl", "%.2fx (%.2f ms)" % (
                s / e, e * 1000), "", "-"))
        for sc in r["scenarios"]:
            n, conv0 = sc["name"], sc["converge"][0]["total"]
            wall = statistics.median(x["wall"] for x in sc["converge"])
            rows.append(("full converge from empty (%s)" % n,
                         "%d req, %d writes, %d conns, %.0f ms" % (
                             conv0["requests"], conv0["writes"], conv0["connections"],
                             wall * 1000), "", "-"))
            for key, label in (("noop", "no-op rerun (%s)" % n),
                               ("noop_no_tests", "no-op rerun (%s), test_secrets = false" % n)):
                runs = sc[key]
                t = runs[0]["total"]
                wall = statistics.median(x["wall"] for x in runs)
                rows.append((label, "%d req (%d tests), %d writes, %d conns, %.0f ms" % (
                    t["requests"], t["tests"], t["writes"], t["connections"],
                    wall * 1000), "", "-"))
            b = sc.get("rss_breakdown")
            rss = max(x["rss_kib"] for x in sc["converge"])
            rows.append(("peak RSS, full converge (%s)" % n, "%.1f MB%s" % (
                rss / 1024, " (library pages <= %.1f MB, anonymous <= %.1f MB)" % (
                    b["file"] / 1024, b["anon"] / 1024) if b else ""), "< 10 MB",
                "met" if rss < 10 * 1024 else "MISS"))
            if "change_one_no_tests" in sc:
                t = sc["change_one_no_tests"][0]["total"]
                rows.append(("one client changed (%s), test_secrets = false" % n,
                             "%d req, %d write(s)" % (t["requests"], t["writes"]), "", "-"))
        for t in r["targets"]:
            if t["what"].startswith("peak RSS"):
                continue  # shown per scenario above
            what = t["what"].replace(" <= 2 reads per collection + readiness", " <= 2 reads/collection")
            rows.append(("target: " + what.strip(), t["measured"], "", "met" if t["met"] else "MISS"))
    else:
        rows.append(("converge benchmarks", "not run", "", "-"))

    rows += issue_rows(d)

    js = read(os.path.join(d, "bench-json.txt"))
    m = js and re.search(r"host\.json / lua-cjson: ([0-9.]+)x \(([^)]*)\)", js)
    mb = js and re.search(r"^\s+host\.json\s+.*?([0-9.]+)\s*$", js, re.M)
    rows.append(("host.json vs Debian lua-cjson (OpenAPI docs)",
                 ("%sx time (%s)%s" % (m.group(1), m.group(2), ", %s MB/s" % mb.group(1) if mb else ""))
                 if m else "not run", "<= 1.2x", ("met" if float(m.group(1)) <= 1.2 else "MISS") if m else "-"))

    http = read(os.path.join(d, "bench-http.txt"))
    h = http and re.search(r"^host\.http\s+(\d+)\s+(\d+)\s+(\d+)", http, re.M)
    if h:
        rows.append(("host.http keep-alive, loopback", "%s req/s over %s connection(s)" % (h.group(2),
                                                                                          h.group(3)),
                     "", "-"))

    print("summary (make bench): figures beside their targets; targets are reported, not asserted")
    w = max(len(x[0]) for x in rows)
    for figure, measured, target, verdict in rows:
        line = "  %-4s %-*s  %s" % (verdict if verdict != "-" else "", w, figure, measured)
        if target:
            line += "  [target %s]" % target
        print(line)


if __name__ == "__main__":
    main()
