#!/usr/bin/env python3
"""A stack of four with latency (issue 17): is a full run as long as its slowest instance?

Fake Prowlarr, two Sonarr (`sonarr`, `sonarr-4k` of type sonarr) and Radarr on
loopback, every app answering 20 ms late (the fakes' --latency; real apps take tens to
hundreds of milliseconds per provider save), and a config with one root folder and one
qBittorrent download client per target, Prowlarr's applications from the environment.
Each round, every run on an empty stack (the same fakes restarted without their state):
  full       the full first run of all four instances;
  alone      each instance alone: `--only prowlarr`, and for each target
             `--only prowlarr,<target>` (its own items, its application in Prowlarr and
             the sync check: what a run of that instance needs).
Reports the medians and the ratio full / slowest alone (bar: <= 1.2 once instances run
concurrently). Scripts that do not know instances yet (`check` refuses the config) are
benchmarked on Prowlarr + Sonarr + Radarr, said so in the report. Every run is
bounded; the fakes are stopped however it ends; a failed run fails the benchmark after
its report."""
import argparse
import os

from benchlib import ROOT, fail_on, median, session, summarise, tail, wiring_config, write_json

FOUR = (("prowlarr", "prowlarr"), ("sonarr", "sonarr"), ("sonarr-4k", "sonarr"), ("radarr", "radarr"))


def spec(name, kind):
    return name if name == kind else "%s=%s" % (name, kind)


def alone_args(name, kind):
    return ["--only", name if kind == "prowlarr" else "prowlarr," + name]


def start(bench, instances, latency):
    apps = [spec(n, k) for n, k in instances]
    extra = {n: ["--latency", str(latency)] for n, _ in instances} if latency else None
    return bench.new_stack("stack%d" % len(instances), apps=apps, extra_args=extra)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--starrhost", default=os.path.join(ROOT, "build", "starrhost"))
    p.add_argument("--scripts", default=os.path.join(ROOT, "scripts"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--latency", type=int, default=20, help="milliseconds added to every answer")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--fakes", help="another copy of tests/fakearr to run")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    failures = []
    with session("stack bench", args, "starrhost-stack4-") as (bench, workdir):
        instances = FOUR
        st = start(bench, instances, args.latency)
        cfg = bench.write_config("four", wiring_config([i for i in instances if i[1] != "prowlarr"]))
        chk = bench.run(st, cfg, "check four", command="check", settle=0)
        note = None
        if chk["rc"] != 0:
            # Not an error of the benchmark: the scripts predate instances.
            errors = [ln.split(" ERROR ", 1)[1] for ln in tail(chk["output"]).splitlines()
                      if " ERROR " in ln]
            note = "these scripts refuse a second Sonarr (check: %s); measured on three" % (
                errors[0].split(" (")[0] if errors else "exit %d" % chk["rc"])
            st.stop()
            instances = tuple(i for i in FOUR if i[0] != "sonarr-4k")
            st = start(bench, instances, args.latency)
            cfg = bench.write_config("three", wiring_config([i for i in instances
                                                             if i[1] != "prowlarr"]))
            chk = bench.run(st, cfg, "check three", command="check", settle=0)
            if chk["rc"] != 0:
                raise RuntimeError("starrhost check refuses the config of three too:\n"
                                   + tail(chk["output"]))
        kinds = [("full", [])] + [(n, alone_args(n, k)) for n, k in instances]
        runs = {name: [] for name, _ in kinds}
        for i in range(args.rounds):
            for name, extra in kinds:
                bench.reset(st)
                r = summarise(bench.run(st, cfg, "%s %d" % (name, i), args=extra, settle=0))
                if r["rc"] != 0:
                    failures.append(r)
                runs[name].append(r)
        res = report(runs, kinds, instances, args, note)
        write_json(args.out, res)
        fail_on("stack bench", failures)


def report(runs, kinds, instances, args, note):
    m = {k: median([r["wall"] for r in v]) for k, v in runs.items()}
    alone = [n for n, _ in kinds if n != "full"]
    slowest = max(alone, key=lambda n: m[n])
    ratio = m["full"] / m[slowest]
    res = {"instances": [spec(n, k) for n, k in instances], "latency_ms": args.latency,
           "rounds": args.rounds, "median_s": m, "slowest": slowest, "ratio": ratio,
           "sum_alone_s": sum(m[n] for n in alone), "note": note,
           "rss_kib": max(r["rss_kib"] for r in runs["full"]), "runs": runs}
    print("a stack of %d with %d ms per answer: %s; %d rounds, every run on an empty stack" % (
        len(instances), args.latency, ", ".join(res["instances"]), args.rounds))
    if note:
        print("  NOTE: " + note)
    print("  %-40s %4s %4s %9s" % ("run", "req", "wr", "median"))
    for name, extra in kinds:
        t = runs[name][0]["total"]
        label = "full first run" if name == "full" else "alone: " + " ".join(extra)
        print("  %-40s %4d %4d %7.0fms" % (label, t["requests"], t["writes"], m[name] * 1000))
    print("  full / slowest alone (%s): %.2fx (bar <= 1.2x); the alone runs add up to %.0f ms" % (
        slowest, ratio, res["sum_alone_s"] * 1000))
    return res


if __name__ == "__main__":
    main()
