#!/usr/bin/env python3
"""Cold start: `starrhost run` of a trivial main.lua against bare `lua5.4 -e ''`.

Both commands run interleaved in one process, so a noisy machine slows both
alike and the ratio holds. Reports median and 90th percentile wall time, and
peak RSS measured by GNU time (a forked Python child would report Python's
own pages as its peak).
"""
import argparse
import os
import subprocess
import statistics
import sys
import tempfile
import time


def peak_rss_kib(argv):
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *argv], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().strip().splitlines()[-1])


def run_once(argv):
    # subprocess spawns with vfork/exec: a full fork() of this Python process
    # would add its own page-table copy to both sides and flatter the ratio.
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed with status {result.returncode}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starrhost", default="build/starrhost")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scripts:
        with open(os.path.join(scripts, "main.lua"), "w") as f:
            f.write("return 0\n")
        commands = {
            "lua5.4 -e ''": ["lua5.4", "-e", ""],
            "starrhost run (trivial main.lua)": [args.starrhost, "run", "--scripts", scripts],
        }
        times = {name: [] for name in commands}
        rss = {name: max(peak_rss_kib(argv) for _ in range(5)) for name, argv in commands.items()}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(run_once(argv))
    print(f"cold start, {args.runs} runs each, interleaved")
    print(f"  {'command':<36} {'median':>9} {'p90':>9} {'peak RSS':>10}")
    for name in commands:
        samples = sorted(times[name])
        p90 = samples[int(len(samples) * 0.9) - 1]
        print(f"  {name:<36} {statistics.median(samples) * 1000:>7.2f}ms "
              f"{p90 * 1000:>7.2f}ms {rss[name] / 1024:>8.1f}MB")
    names = list(commands)
    ratio = statistics.median(times[names[1]]) / statistics.median(times[names[0]])
    print(f"  ratio starrhost / lua5.4: {ratio:.2f}x (target: within 1.5x)")


if __name__ == "__main__":
    main()
