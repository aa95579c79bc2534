#!/usr/bin/env python3
"""starrhost beside a curl floor (issue 17): the same writes from a plain shell script.

One stack of fake Prowlarr, Sonarr and Radarr on loopback, no added latency, and a
config with one root folder and one qBittorrent download client per target (Prowlarr's
applications from the environment). Steps, in one invocation:
  capture   a full first run of starrhost with --record on an empty stack; its writes
            (every request the fakes flag as a write) become the floor's requests:
            the same method, URL and body, secrets put back from the bench's files,
            prebuilt into one curl config file.
  check     on an empty stack the floor's writes, then a starrhost run on top must
            make 0 writes: the floor converges the stack as starrhost does.
  measure   N rounds, interleaved: starrhost's full first run (empty stack), its no-op
            rerun, the floor's no-op GETs (one per managed collection), then the floor's
            full writes (empty stack). Medians; peak RSS of starrhost by GNU time.
An empty stack is the same fakes restarted without their state (same ports and keys),
so the recorded URLs and bodies stay valid. Every run is bounded; the fakes are stopped
however it ends; a failed run or a floor answer other than 2xx fails the benchmark
after its report."""
import argparse
import json
import os
import shutil
import sys
import tempfile

from benchlib import (API, HERE, ROOT, Bench, exit_on_signals, median, need_gnu_time, summarise,
                      tail, use_fakes, wiring_config)

TARGETS = (("sonarr", "sonarr"), ("radarr", "radarr"))
FLOOR_UA = "curl-floor"
CURL_FLOOR = os.path.join(HERE, "curl_floor.sh")
# The collections the wiring config manages, one GET each: the least a no-op rerun
# must read to know nothing differs (apps up, Prowlarr trusted to sync, no secret test).
MANAGED = {"prowlarr": ("applications",), "sonarr": ("rootfolder", "downloadclient"),
           "radarr": ("rootfolder", "downloadclient")}


def is_write(method, path):
    """As the fakes flag writes: POST/PUT/DELETE other than .../test, .../testall, .../action."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return method in ("POST", "PUT", "DELETE") and last not in ("test", "testall") \
        and "/command" not in path and "/action" not in path


class Floor:
    """Builds the floor's curl config files for one stack from a --record file."""

    def __init__(self, bench, st, workdir):
        self.bench, self.st, self.dir = bench, st, workdir
        os.makedirs(workdir, exist_ok=True)
        self.by_port = {st.ports[a]: a for a in bench.instances(st)}
        self.headers = {}
        for a in bench.instances(st):
            path = os.path.join(workdir, a + ".hdr")
            self._private(path, "X-Api-Key: %s\n" % st.key(a))
            self.headers[a] = path

    @staticmethod
    def _private(path, text):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)

    def instance_of(self, url):
        port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        return self.by_port[port]

    def _unmask(self, body, where):
        """The recording shows every secret as ***; puts back the one each field holds:
        a download client's password, an application's apiKey (the key of the
        instance at its baseUrl). Any other *** is an error, not a guess."""
        fields = body.get("fields") or []
        values = {f.get("name"): f.get("value") for f in fields if isinstance(f, dict)}
        for f in fields:
            if f.get("value") != "***":
                continue
            if f["name"] == "password":
                f["value"] = self.bench.secret("qbittorrent-password")
            elif f["name"] == "apiKey" and values.get("baseUrl"):
                f["value"] = self.st.key(self.instance_of(values["baseUrl"]))
            else:
                raise RuntimeError("%s: a secret in field %r the floor cannot put back" % (where,
                                                                                        f["name"]))
        text = json.dumps(body, separators=(",", ":"))
        if "***" in text:
            raise RuntimeError("%s: a masked value outside the fields" % where)
        return text

    def writes(self, record):
        out = []
        with open(record, encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                path = "/" + e["url"].split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
                if not is_write(e["method"], path):
                    continue
                where = "%s %s" % (e["method"], path)
                body = e.get("request_body")
                if body is None and "request_body_base64" in e:
                    raise RuntimeError("%s: a body that is not UTF-8" % where)
                out.append({"method": e["method"], "url": e["url"], "path": path,
                            "instance": self.instance_of(e["url"]),
                            "body": self._unmask(json.loads(body), where) if body else None})
        return out

    def gets(self):
        out = []
        for a in self.bench.instances(self.st):
            for c in MANAGED[self.st.types[a]]:
                out.append({"method": "GET", "url": "%s/api/%s/%s" % (self.st.url(a),
                                                                     API[self.st.types[a]], c),
                            "instance": a, "body": None})
        return out

    def curl_config(self, name, requests):
        """One curl config file: the requests in order, `next` between them."""
        segs = []
        for i, r in enumerate(requests):
            seg = ['url = "%s"' % r["url"], 'header = "@%s"' % self.headers[r["instance"]],
                   'user-agent = "%s"' % FLOOR_UA, 'output = "/dev/null"',
                   'write-out = "%{http_code} %{method} %{url_effective}\\n"']
            if r["method"] != "GET":
                seg.append('request = "%s"' % r["method"])
            if r["body"] is not None:
                body = os.path.join(self.dir, "%s-%03d.json" % (name, i))
                self._private(body, r["body"])
                seg += ['header = "Content-Type: application/json"', 'data-binary = "@%s"' % body]
            segs.append("\n".join(seg))
        path = os.path.join(self.dir, name + ".curl")
        self._private(path, "\nnext\n".join(segs) + "\n")
        return path


def time_in_requests(record, wall):
    """From a --record file: time inside requests (as the host measured them), inside
    the writes, and the rest of WALL (seconds)."""
    req = wr = 0.0
    n = 0
    with open(record, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            ms = float(e.get("duration_ms") or 0)
            path = "/" + e["url"].split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
            n += 1
            req += ms
            if is_write(e["method"], path):
                wr += ms
    return {"wall_ms": wall * 1000, "requests": n, "requests_ms": req, "writes_ms": wr,
            "between_ms": wall * 1000 - req}


def floor_run(bench, st, conf, label, settle=0.3):
    return summarise(bench.run(st, None, label, argv=["bash", CURL_FLOOR, conf], ua=FLOOR_UA,
                               settle=settle))


def check_ok(run, failures):
    if run["rc"] != 0 or run["total"]["errors"]:
        failures.append(run)
    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--starrhost", default=os.path.join(ROOT, "build", "starrhost"))
    p.add_argument("--scripts", default=os.path.join(ROOT, "scripts"))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--fakes", help="another copy of tests/fakearr to run")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    exit_on_signals()
    need_gnu_time("floor bench")
    if not shutil.which("curl"):
        sys.exit("floor bench: the curl command is missing")
    if args.fakes:
        use_fakes(args.fakes)
    workdir = tempfile.mkdtemp(prefix="starrhost-floor-")
    bench = Bench(args.starrhost, args.scripts, workdir)
    ok, failures = False, []
    try:
        st = bench.new_stack("floor", apps=[n for n, _ in (("prowlarr", "prowlarr"),) + TARGETS])
        cfg = bench.write_config("floor", wiring_config(TARGETS))
        record = os.path.join(workdir, "capture.jsonl")
        cap = check_ok(summarise(bench.run(st, cfg, "capture", args=["--record", record],
                                           settle=0)), failures)
        if failures:
            raise RuntimeError("the capture run failed:\n" + tail(cap["output"]))
        fl = Floor(bench, st, os.path.join(workdir, "floor"))
        writes = fl.writes(record)
        if len(writes) != cap["total"]["writes"]:
            raise RuntimeError("the recording holds %d writes, the fakes counted %d" % (
                len(writes), cap["total"]["writes"]))
        spent = time_in_requests(record, cap["wall"])
        full_conf = fl.curl_config("full", writes)
        noop_conf = fl.curl_config("noop", fl.gets())

        bench.reset(st)
        check_ok(floor_run(bench, st, full_conf, "check floor", settle=0), failures)
        after = check_ok(summarise(bench.run(st, cfg, "check starrhost after the floor")), failures)
        same = after["total"]["writes"] == 0

        runs = {"starrhost_full": [], "starrhost_noop": [], "floor_full": [], "floor_noop": []}
        for i in range(args.rounds):
            bench.reset(st)
            runs["starrhost_full"].append(check_ok(summarise(
                bench.run(st, cfg, "starrhost full %d" % i, settle=0)), failures))
            runs["starrhost_noop"].append(check_ok(summarise(
                bench.run(st, cfg, "starrhost noop %d" % i)), failures))
            runs["floor_noop"].append(check_ok(floor_run(bench, st, noop_conf, "floor noop %d" % i),
                                               failures))
            bench.reset(st)
            runs["floor_full"].append(check_ok(floor_run(bench, st, full_conf, "floor full %d" % i,
                                                         settle=0), failures))
        res = report(runs, writes, fl.gets(), same, after, args.rounds)
        res["capture_time"] = spent
        print("  where starrhost's (recorded) first run spends its %.0f ms: %.0f ms in its %d requests "
              "(%.0f ms in the %d writes), %.0f ms between them (start, Lua, the waits of the "
              "sync check)" % (spent["wall_ms"], spent["requests_ms"], spent["requests"],
                               spent["writes_ms"], len(writes), spent["between_ms"]))
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out, "w", encoding="utf-8") as f:
                json.dump(res, f, indent=1)
        for r in failures:
            print("  FAILED: %s (exit %s, %d answers >= 400); its output:\n%s" % (
                r["label"], r["rc"], r["total"]["errors"], tail(r["output"])))
        if failures or not same:
            sys.exit("floor bench: %s" % ("%d run(s) failed" % len(failures) if failures else
                                          "the floor's writes are not starrhost's"))
        ok = True
    except RuntimeError as e:  # a fake that did not start, a run past its bound
        sys.exit("floor bench: %s" % e)
    finally:
        bench.stop_all()
        if args.keep or not ok:
            print("work directory kept: %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(runs, writes, gets, same, after, rounds):
    m = {k: median([r["wall"] for r in v]) for k, v in runs.items()}
    rss = max(r["rss_kib"] for r in runs["starrhost_full"])
    res = {"rounds": rounds, "median_s": m, "rss_kib": rss,
           "full_ratio": m["starrhost_full"] / m["floor_full"],
           "noop_ratio": m["starrhost_noop"] / m["floor_noop"],
           "floor_writes": ["%s %s %s" % (w["instance"], w["method"], w["path"]) for w in writes],
           "floor_gets": ["%s GET /%s" % (g["instance"], g["url"].split("/", 3)[3]) for g in gets],
           "floor_equivalent": same, "after_floor_writes": after["total"]["writes"],
           "runs": runs}
    print("starrhost beside the curl floor: Prowlarr + Sonarr + Radarr, no added latency, "
          "%d rounds interleaved" % rounds)
    print("  %-34s %4s %4s %5s %9s %9s" % ("run", "req", "wr", "conns", "median", "peak RSS"))
    for key, label in (("starrhost_full", "starrhost full first run"),
                       ("floor_full", "curl floor: the same writes"),
                       ("starrhost_noop", "starrhost no-op rerun"),
                       ("floor_noop", "curl floor: one GET per collection")):
        r = runs[key][0]["total"]
        rss_s = "%7.1fMB" % (max(x["rss_kib"] for x in runs[key]) / 1024) if key.startswith("starrhost") \
            else ""
        print("  %-34s %4d %4d %5d %7.1fms %9s" % (label, r["requests"], r["writes"], r["connections"],
                                                   m[key] * 1000, rss_s))
    print("  full first run / floor: %.2fx (bar <= 1.3x); no-op rerun / floor's GETs: %.2fx "
          "(bar <= 1.5x); peak RSS %.1f MB (bar: no higher than before issue 17, 12.6 MB)" % (
              res["full_ratio"], res["noop_ratio"], rss / 1024))
    print("  the floor's writes (from starrhost's recording): " + "; ".join(res["floor_writes"]))
    print("  the floor's GETs: " + "; ".join(res["floor_gets"]))
    print("  a starrhost run after the floor's writes: %d writes (%s)" % (
        after["total"]["writes"], "the floor converges as starrhost does" if same else
        "NOT the same writes"))
    return res


if __name__ == "__main__":
    main()
