#!/usr/bin/env python3
"""End-to-end tests: build/starrhost and scripts/ against the fake apps over real
loopback HTTP. Each test gets fresh fakes; every output of every run is
searched for the test's API keys and passwords. Ends with "N passed, N failed,
N skipped". Usage: run.py [TEST-NAME-SUBSTRING...]"""
import http.server
import json
import os
import shutil
import sys
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import stack as rig  # noqa: E402

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")
# E2E_SCRIPTS: another scripts directory (e.g. an older one, to see a test fail without a fix).
SCRIPTS = ["--scripts", os.environ.get("E2E_SCRIPTS") or os.path.join(rig.ROOT, "scripts")]
TESTS = []


class Skip(Exception):
    pass


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def eq(actual, expected, msg):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (msg, expected, actual))


def expect_rc(result, rc, what):
    got, out, err = result
    if got != rc:
        raise AssertionError("%s: exit %d, expected %d\n--- stdout\n%s--- stderr\n%s"
                             % (what, got, rc, out[-3000:], err[-6000:]))
    return out, err


def field(item, name):
    for f in item.get("fields", []):
        if f["name"] == name:
            return f.get("value")
    return None


def by_name(items, name):
    for i in items:
        if i["name"].lower() == name.lower():
            return i
    return None


def synced(app):
    return [i for i in app.get("indexer") if i["name"].endswith(" (Prowlarr)")]


def no_duplicates(s, paths):
    for name, path in paths:
        names = [i.get("name") or i.get("path") or i.get("label") for i in s[name].get(path)]
        dup = {n for n in names if names.count(n) > 1}
        check(not dup, "%s %s duplicates: %s" % (name, path, sorted(dup)))


READINESS = ("/ping", "/api/v1/system/status", "/api/v3/system/status")


def noop_requests(s, managed):
    """A no-op rerun: no writes; per app the readiness checks plus at most 2 requests per
    managed collection (its GET and its testall), nothing else. MANAGED: app -> collections."""
    eq(s.writes(), [], "writes on a no-op rerun")
    for name, colls in managed.items():
        reqs = s[name].requests()
        per = {}
        for e in reqs:
            path = e["path"].split("?")[0]
            if path in READINESS:
                per.setdefault("(readiness)", []).append(path)
                continue
            parts = path.split("/")
            check(len(parts) > 3 and parts[3] in colls,
                  "%s: %s %s is not a read of a managed collection %s" % (name, e["method"], path, colls))
            per.setdefault(parts[3], []).append("%s %s" % (e["method"], "/".join(parts[4:]) or "."))
        check(len(per.get("(readiness)", [])) <= 2, "%s readiness: %s" % (name, per.get("(readiness)")))
        for coll, got in per.items():
            check(len(got) <= 2, "%s %s: %d requests on a no-op rerun: %s" % (name, coll, len(got), got))
        limit = 2 + 2 * len(colls)
        check(len(reqs) <= limit, "%s: %d requests, limit %d" % (name, len(reqs), limit))
        conns = {e["conn"] for e in reqs}
        check(len(conns) == 1, "%s: %d connections on a no-op rerun" % (name, len(conns)))
        print("    no-op rerun %s: %d requests (limit %d), %d connection(s)"
              % (name, len(reqs), limit, len(conns)))


def run(s, *args, env=None, timeout=120):
    cmd = args[0]
    return s.run(cmd, *SCRIPTS, *args[1:], env=env, timeout=timeout)


def full_env(s):
    env = s.env()
    env["E2E_HELPER_PORT"] = str(s.helper.port)
    env["QBITTORRENT_PASSWORD_FILE"] = s.secret_file("qbittorrent-password", "qbit-" + os.urandom(6).hex())
    return env


# --- the tests -------------------------------------------------------------------------

@test
def env_only_converges_then_second_run_writes_nothing(s):
    s.start()
    out, err = expect_rc(run(s, "run", "--log-level", "debug"), 0, "first run")
    p, so, ra = s["prowlarr"], s["sonarr"], s["radarr"]
    apps = p.get("applications")
    eq(sorted(a["implementation"] for a in apps), ["Radarr", "Sonarr"], "applications")
    for a in apps:
        target = so if a["implementation"] == "Sonarr" else ra
        eq(a["syncLevel"], "fullSync", "syncLevel")
        eq(field(a, "baseUrl"), target.url, "baseUrl")
        eq(field(a, "prowlarrUrl"), p.url, "prowlarrUrl")
        eq(field(a, "apiKey"), "********", "apiKey is set (masked)")
        check(field(a, "syncCategories"), "syncCategories from the schema default")
    n = len([i for i in p.get("indexer") if i.get("enable")])
    check(n > 0, "the fake Prowlarr has indexers")
    eq(len(synced(so)), n, "indexers in Sonarr")
    eq(len(synced(ra)), n, "indexers in Radarr")
    check("holds %d Prowlarr indexer" % n in err, "verification reported")
    s.clear_logs()
    out, err = expect_rc(run(s, "run"), 0, "second run")
    # Sonarr's and Radarr's indexers are read to verify Prowlarr's sync.
    noop_requests(s, {"prowlarr": ("applications", "indexer"), "sonarr": ("indexer",),
                      "radarr": ("indexer",)})
    testall = [e["path"] for e in s["prowlarr"].requests() if e["method"] == "POST"]
    eq(testall, ["/api/v1/applications/testall"], "the applications' keys checked with one request")


@test
def lidarr_and_readarr_ride_on_the_same_engine(s):
    for name in ("lidarr", "readarr"):
        s.apps[name] = rig.App(s, name, os.urandom(16).hex(), ())
        s.secrets.add(s[name].key)
    s.start()
    env = full_env(s)
    cfg = os.path.join(s.dir, "music.lua")
    with open(cfg, "w") as f:
        f.write('return { lidarr = { tags = { "music" }, notifications = { { name = "Hook", '
                'implementation = "Webhook", onGrab = true, fields = { url = "http://127.0.0.1:%d/hook" } } } } }\n'
                % s.helper.port)
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    apps = {a["implementation"]: a for a in s["prowlarr"].get("applications")}
    eq(sorted(apps), ["Lidarr", "Radarr", "Readarr", "Sonarr"], "applications")
    eq(field(apps["Lidarr"], "baseUrl"), s["lidarr"].url, "Lidarr baseUrl")
    eq(field(apps["Readarr"], "baseUrl"), s["readarr"].url, "Readarr baseUrl")
    check(by_name(s["lidarr"].get("notification"), "Hook"), "Lidarr notification (API v1)")
    eq([t["label"] for t in s["lidarr"].get("tag")], ["music"], "Lidarr tags")
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "second run")
    eq(s.writes(), [], "writes on the second run")


@test
def full_config_converges_and_drift_is_repaired_with_one_write(s):
    s.start()
    env = full_env(s)
    cfg = os.path.join(CONFIGS, "full.lua")
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    so, ra, p = s["sonarr"], s["radarr"], s["prowlarr"]
    qb = by_name(so.get("downloadclient"), "qBittorrent")
    check(qb and qb["enable"], "Sonarr download client created and enabled")
    eq(field(qb, "host"), "127.0.0.1", "host")
    eq(field(qb, "port"), s.helper.port, "port")
    eq(field(qb, "password"), "********", "password set")
    tags = {t["label"]: t["id"] for t in so.get("tag")}
    check("tv" in tags, "tag tv created")
    eq(qb["tags"], [tags["tv"]], "client tags")
    eq([r["path"] for r in so.get("rootfolder")], ["/tv"], "Sonarr root folders")
    eq([r["path"] for r in ra.get("rootfolder")], ["/movies"], "Radarr root folders")
    check(by_name(so.get("notification"), "Hook"), "notification created")
    check(by_name(ra.get("downloadclient"), "qBittorrent"), "Radarr download client created")
    jackett = by_name(so.get("indexer"), "Jackett")
    check(jackett and not jackett["enableRss"] and jackett["priority"] == 10, "Sonarr indexer: %s" % jackett)
    eq(field(jackett, "categories"), [5000, 5030], "indexer categories")
    check(by_name(p.get("indexer"), "Extra"), "Prowlarr indexer created")
    proxy = by_name(p.get("indexerproxy"), "FlareSolverr")
    check(proxy and len(proxy["tags"]) == 1, "proxy with its tag")
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "second run")
    noop_requests(s, {"prowlarr": ("applications", "tag", "indexer", "indexerproxy"),
                      "sonarr": ("tag", "rootfolder", "downloadclient", "indexer", "notification"),
                      "radarr": ("rootfolder", "downloadclient", "indexer")})
    # Drift behind the tool's back.
    qb["fields"] = [dict(f, value=9) if f["name"] == "port" else f for f in qb["fields"]]
    status, _ = so.api("PUT", "downloadclient/%d?forceSave=true" % qb["id"], qb)
    check(status == 202, "drift PUT: %s" % status)
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan after drift")
    check("fields.port: 9 -> %d" % s.helper.port in out, "plan shows the drifted field:\n" + out)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "repair run")
    w = s.writes()
    eq(len(w), 1, "writes repairing one drifted field (%s)" % w)
    eq(field(by_name(so.get("downloadclient"), "qBittorrent"), "port"), s.helper.port, "port repaired")
    no_duplicates(s, [("sonarr", "downloadclient"), ("sonarr", "tag"), ("prowlarr", "applications")])


@test
def prune_deletes_unmanaged_items_but_never_prowlarrs_indexers(s):
    s.start()
    env = full_env(s)
    expect_rc(run(s, "run", env=env), 0, "env-only run")
    so = s["sonarr"]
    n = len(synced(so))
    check(n > 0, "Prowlarr's indexers arrived")
    schema = [t for t in so.get("downloadclient/schema") if t["implementation"] == "QBittorrent"][0]
    stray = dict(schema, name="Stray", enable=False, tags=[])
    stray.pop("presets", None)
    status, _ = so.api("POST", "downloadclient", stray)
    check(status == 201, "stray client created behind the tool's back (%s)" % status)
    out, _ = expect_rc(run(s, "plan", "--config", os.path.join(CONFIGS, "prune.lua"), env=env), 4, "plan")
    check('sonarr download client "Stray": delete' in out, "plan shows the deletion:\n" + out)
    check("(Prowlarr)\": delete" not in out, "Prowlarr's indexers are not deleted:\n" + out)
    expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "prune.lua"), env=env), 0, "run")
    eq([c["name"] for c in so.get("downloadclient")], ["Kept"], "download clients after pruning")
    eq(len(synced(so)), n, "Prowlarr's indexers kept")


@test
def plan_writes_nothing_exits_4_then_0_after_a_run(s):
    s.start()
    out, err = expect_rc(run(s, "plan"), 4, "plan on empty apps")
    eq(s.writes(), [], "writes during plan")
    check('prowlarr application "Sonarr": create' in out, "plan lists the creation:\n" + out)
    check("apiKey: (secret)" in out, "secret shown as (secret)")
    expect_rc(run(s, "run"), 0, "run")
    s.clear_logs()
    out, _ = expect_rc(run(s, "plan"), 0, "plan after run")
    check("No changes." in out, "plan says no changes")
    eq(s.writes(), [], "writes during second plan")


@test
def wrong_key_is_exit_3_naming_the_app(s):
    s.start()
    env = s.env()
    env["SONARR_API_KEY_FILE"] = s.secret_file("wrong-key", "0" * 32)
    _, err = expect_rc(run(s, "run", env=env), 3, "run with a wrong Sonarr key")
    check("API key rejected by sonarr at " + s["sonarr"].url in err, "message names sonarr:\n" + err)
    eq([a["implementation"] for a in s["prowlarr"].get("applications")], ["Radarr"],
       "Radarr still configured")
    attempts = [e for e in s["sonarr"].requests() if e["path"].endswith("system/status")]
    eq(len(attempts), 1, "a 401 is not retried")


@test
def app_down_for_20s_is_waited_for(s):
    s["sonarr"].extra = ("--startup-delay", "20")
    s.start(wait=False)
    t0 = time.monotonic()
    _, err = expect_rc(run(s, "run", "--timeout", "60", timeout=120), 0, "run")
    took = time.monotonic() - t0
    check(took >= 15, "the run waited (%.1fs)" % took)
    check("sonarr not ready (attempt" in err, "progress lines while waiting")
    eq(len(s["prowlarr"].get("applications")), 2, "both applications")


@test
def app_answering_503_while_starting_is_waited_for(s):
    s["radarr"].extra = ("--startup-503", "3")
    s.start(wait=False)
    _, err = expect_rc(run(s, "run", "--timeout", "30"), 0, "run")
    check("radarr not ready (attempt 1): ping: HTTP 503 (starting up)" in err, "503 reported:\n" + err)
    eq(len(s["prowlarr"].get("applications")), 2, "both applications")


@test
def app_that_never_comes_up_is_exit_3_while_others_converge(s):
    s.start()
    env = s.env()
    env["SONARR_URL"] = "http://127.0.0.1:%d" % rig.free_port()
    t0 = time.monotonic()
    _, err = expect_rc(run(s, "run", "--timeout", "3", env=env), 3, "run")
    check(time.monotonic() - t0 < 30, "bounded by the deadline")
    check("sonarr at http://127.0.0.1" in err and "not ready after" in err, "reported:\n" + err)
    check('application "Sonarr" skipped' in err, "application skipped with a reason")
    eq([a["implementation"] for a in s["prowlarr"].get("applications")], ["Radarr"], "Radarr configured")


FAULT_SEEDS = 20
COLLECTIONS = [("sonarr", "downloadclient"), ("sonarr", "tag"), ("sonarr", "rootfolder"),
               ("sonarr", "notification"), ("sonarr", "indexer"), ("radarr", "downloadclient"),
               ("radarr", "rootfolder"), ("radarr", "indexer"), ("prowlarr", "applications"),
               ("prowlarr", "indexer"), ("prowlarr", "indexerproxy"), ("prowlarr", "tag")]


def one_faulty_seed(seed):
    """One stack whose every app answers 20% of its requests with a 500 (before or after
    processing), also the requests the apps make to each other: one run converges.
    Returns (seed, seconds, requests faulted, error or None)."""
    s = rig.Stack()
    t0 = time.monotonic()
    try:
        for i, name in enumerate(s.apps):
            s[name].extra = ("--fail-rate", "0.2", "--fail-mode", "mixed",
                             "--seed", str(seed * 10 + i))
        s.start()
        env = full_env(s)
        out, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "full.lua"),
                                 "--timeout", "120", env=env, timeout=300),
                             0, "seed %d: one run with 20%% faults" % seed)
        check("converged" in err, "seed %d: converged" % seed)
        faults = [e for a in s.apps.values() for e in a.requests(ua_prefix="") if e.get("fault")]
        hops = {e["ua"].split("/")[0] for e in faults}
        for name in s.apps:
            s[name].stop()
            s[name].extra = ()
        s.start()
        no_duplicates(s, COLLECTIONS)
        p = s["prowlarr"]
        eq(sorted(a["implementation"] for a in p.get("applications")), ["Radarr", "Sonarr"],
           "seed %d: applications" % seed)
        n = len([i for i in p.get("indexer") if i.get("enable")])
        eq((len(synced(s["sonarr"])), len(synced(s["radarr"]))), (n, n),
           "seed %d: Prowlarr's indexers in Sonarr, Radarr" % seed)
        s.clear_logs()
        expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "full.lua"), env=env), 0,
                  "seed %d: rerun without faults" % seed)
        eq(s.writes(), [], "seed %d: writes after convergence" % seed)
        leaks = s.leaked()
        check(not leaks, "seed %d: %s" % (seed, "; ".join(leaks)))
        return seed, time.monotonic() - t0, (len(faults), sorted(hops)), None
    except Exception as e:  # noqa: BLE001 - reported per seed by the caller
        return seed, time.monotonic() - t0, None, e
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


@test
def faults_on_every_hop_converge_in_one_run_for_20_seeds(s):
    # Seeds run a few at a time: each is mostly waiting (backoff, the apps' syncs).
    import concurrent.futures
    workers = int(os.environ.get("E2E_FAULT_WORKERS", "10"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = sorted(pool.map(one_faulty_seed, range(1, FAULT_SEEDS + 1)))
    failed = [(seed, e) for seed, _, _, e in results if e is not None]
    for seed, took, info, e in results:
        if e is None:
            print("    seed %2d: converged in %.1fs, %d faults injected (hops: %s)"
                  % (seed, took, info[0], ", ".join(info[1])))
    check(not failed, "%d of %d seeds failed:\n%s" % (
        len(failed), FAULT_SEEDS, "\n".join("seed %d: %s" % (seed, e) for seed, e in failed)))
    eq(len(results), FAULT_SEEDS, "seeds run")
    hops = set()
    for _, _, info, _ in results:
        hops.update(info[1])
    check({"starrhost", "Prowlarr", "Sonarr", "Radarr"} <= hops,
          "faults hit starrhost's requests and the apps' requests to each other: %s" % sorted(hops))


class NoUniqueCheck(http.server.ThreadingHTTPServer):
    """A stand-in Sonarr without a unique-path check: a POST rootfolder is stored and
    answered 500, and once one was, reading the collection fails too (while
    `broken`). Serves what a run with only root_folders reads."""
    daemon_threads = True

    def __init__(self):
        self.folders, self.posts, self.broken = [], 0, True
        standin = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/ping":
                    return self.reply(200, {"status": "OK"})
                if self.path == "/api/v3/system/status":
                    return self.reply(200, {"appName": "Sonarr", "version": "4.0.19.2979"})
                if self.path == "/api/v3/rootfolder":
                    if standin.posts and standin.broken:
                        return self.reply(500, {"message": "stand-in: database is locked"})
                    return self.reply(200, standin.folders)
                self.reply(404, {})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                standin.posts += 1
                if self.path == "/api/v3/rootfolder":
                    standin.folders.append({"id": len(standin.folders) + 1, "path": body["path"]})
                self.reply(500, {"message": "stand-in: stored, then failed"})
        super().__init__(("127.0.0.1", 0), H)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


@test
def unknown_post_outcome_with_a_failing_reread_is_not_posted_again(s):
    standin = NoUniqueCheck()
    try:
        s.apps.clear()  # no fake apps: the stand-in is the only app
        env = s.env()
        env["SONARR_URL"] = "http://127.0.0.1:%d" % standin.port
        env["SONARR_API_KEY_FILE"] = s.secret_file("standin-key", os.urandom(16).hex())
        cfg = os.path.join(s.dir, "rootfolder.lua")
        with open(cfg, "w") as f:
            f.write('return { wait = { timeout = 2 }, sonarr = { root_folders = { "/tv" } } }\n')
        _, err = expect_rc(run(s, "run", "--config", cfg, env=env), 1, "run")
        eq(standin.posts, 1, "POSTs")
        eq([r["path"] for r in standin.folders], ["/tv"], "stored once")
        check("it may have been stored, so it is not sent again; the next run adopts it" in err,
              "the unknown outcome is reported:\n" + err)
        standin.broken = False
        expect_rc(run(s, "run", "--config", cfg, env=env), 0, "next run")
        eq(standin.posts, 1, "the next run adopts it: no POST")
        eq(len(standin.folders), 1, "one root folder")
    finally:
        standin.shutdown()
        standin.server_close()


@test
def sync_shortfall_is_exit_1_naming_the_missing_indexers(s):
    s.start()
    expect_rc(run(s, "run"), 0, "first run")
    so = s["sonarr"]
    gone = synced(so)[0]
    status, _ = so.api("DELETE", "indexer/%d" % gone["id"])
    check(status == 200, "indexer deleted behind Prowlarr's back (%s)" % status)
    # Every call Prowlarr makes to Sonarr now fails: its syncs cannot put the indexer back.
    so.stop()
    so.extra = ("--fail-rate", "1", "--fail-mode", "before", "--fail-skip-ua", "starrhost",
                "--fail-skip-ua", "e2e")
    so.start()
    _, err = expect_rc(run(s, "run", "--timeout", "3"), 1, "run with Sonarr short")
    name = gone["name"][:-len(" (Prowlarr)")]
    check("sonarr lacks 1 of " in err and name in err, "the app and the indexer are named:\n" + err)
    check("converged" not in err.splitlines()[-1], "never converged:\n" + err[-2000:])
    commands = [e for e in s["prowlarr"].requests() if e["method"] == "POST" and e["path"].endswith("/command")]
    check(len(commands) >= 2, "syncs were started until the deadline (%d)" % len(commands))


@test
def key_revoked_mid_run_is_exit_3(s):
    s["sonarr"].extra = ("--revoke-key-after", "3", "--after-ua", "starrhost")
    s.start()
    env = full_env(s)
    _, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "full.lua"), env=env), 3,
                       "run with Sonarr's key revoked after readiness")
    check("API key rejected by sonarr (HTTP 401) during the run" in err, "the 401 is named:\n" + err)
    check("unreachable or key rejected during the run: sonarr" in err, "summary line:\n" + err)
    after = [e for e in s["sonarr"].requests() if e["status"] == 401]
    eq(len(after), 1, "nothing more is sent to an app that rejected the key")
    check(by_name(s["radarr"].get("downloadclient"), "qBittorrent"), "Radarr still configured")


@test
def app_that_stops_answering_mid_run_is_exit_3(s):
    s["sonarr"].extra = ("--down-after", "3", "--after-ua", "starrhost")
    s.start()
    env = full_env(s)
    t0 = time.monotonic()
    _, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "full.lua"), "--timeout", "4",
                           env=env), 3, "run with Sonarr gone after readiness")
    check(time.monotonic() - t0 < 60, "bounded by the retry budget (%.0fs)" % (time.monotonic() - t0))
    check("sonarr stopped answering during the run" in err, "named:\n" + err)
    check("unreachable or key rejected during the run: sonarr" in err, "summary line:\n" + err)
    check(by_name(s["radarr"].get("downloadclient"), "qBittorrent"), "Radarr still configured")


@test
def url_userinfo_is_never_printed(s):
    s.start()
    env = s.env()
    user, password = "e2e-user", "pw-" + os.urandom(6).hex()
    s.secrets.add(password)
    env["SONARR_URL"] = s["sonarr"].url.replace("http://", "http://%s:%s@" % (user, password))
    out, err = expect_rc(run(s, "plan", env=env), 4, "plan")
    check("sonarr is ready at http://***@127.0.0.1:%d" % s["sonarr"].port in err, "masked:\n" + err)
    check("+ fields.baseUrl: \"http://***@127.0.0.1" in out, "plan shows the URL masked:\n" + out)
    expect_rc(run(s, "run", env=env), 0, "run")
    # (The host's own debug trace shows "user:***@"; what the scripts print hides both.)
    for _, text in s.outputs:
        check(user + ":" not in text, "the user name of the URL is not printed either")
    expect_rc(run(s, "run", "--log-level", "debug", env=env), 0, "run at debug level")
    env["SONARR_URL"] = "http://%s:%s@127.0.0.1:%d" % (user, password, rig.free_port())
    _, err = expect_rc(run(s, "run", "--timeout", "1", env=env), 3, "run with Sonarr down")
    check("sonarr not ready (attempt 1): ping: GET http://***@127.0.0.1" in err, "masked:\n" + err)
    check(user + ":" not in err, "the user name is not printed:\n" + err)
    env["SONARR_URL"] = "%s:%s@127.0.0.1:1" % (user, password)
    _, err = expect_rc(run(s, "check", env=env), 2, "check with a URL without its scheme")
    check("got ***@127.0.0.1:1" in err, "the bad URL is shown masked:\n" + err)


@test
def wrong_prowlarr_url_from_apps_fails_at_once_with_the_apps_reason(s):
    # Prowlarr's test only says "Sonarr cannot connect to Prowlarr" (a fault on that hop
    # reads the same); Sonarr, asked directly, names a lasting cause: no retrying to the
    # deadline for it.
    s.start()
    env = s.env()
    env["PROWLARR_URL_FROM_APPS"] = s["prowlarr"].url + "/nope"
    t0 = time.monotonic()
    _, err = expect_rc(run(s, "run", "--timeout", "60", env=env), 1, "run with a wrong prowlarrUrl")
    took = time.monotonic() - t0
    check(took < 20, "failed at once, not at the deadline (%.0fs)" % took)
    check("prowlarrUrl: sonarr cannot reach Prowlarr at %s/nope: Unable to connect to indexer"
          % s["prowlarr"].url in err, "Sonarr's own reason:\n" + err)
    eq(s["prowlarr"].get("applications"), [], "nothing stored")


@test
def validation_400_reports_every_element_and_applies_the_rest(s):
    s.start()
    env = full_env(s)
    _, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "invalid_400.lua"), env=env), 1,
                       "run")
    lines = [l for l in err.splitlines() if 'sonarr download client "Broken":' in l and "ERROR" in l]
    check(any("host:" in l for l in lines), "host error reported:\n" + err)
    check(any("port:" in l for l in lines), "port error reported:\n" + err)
    check(by_name(s["sonarr"].get("downloadclient"), "Good"), "the valid client was created")
    check(not by_name(s["sonarr"].get("downloadclient"), "Broken"), "the invalid one was not")
    eq(len(s["prowlarr"].get("applications")), 2, "applications still configured")


@test
def rotated_sonarr_key_heals_the_prowlarr_application(s):
    s.start()
    expect_rc(run(s, "run"), 0, "first run")
    so = s["sonarr"]
    so.stop()
    new = os.urandom(16).hex()
    s.secrets.add(new)
    so.write_key(new)
    so.start()
    app = by_name(s["prowlarr"].get("applications"), "Sonarr")
    status, _ = s["prowlarr"].api("POST", "applications/test", app)
    check(status == 400, "the stored key now fails Prowlarr's test (%s)" % status)
    s.clear_logs()
    _, err = expect_rc(run(s, "run"), 0, "run with the rotated key")
    sent = [(e["method"], e["path"].split("?")[0]) for e in s["prowlarr"].requests() if e["method"] != "GET"]
    eq(sent, [("POST", "/api/v1/applications/testall"), ("PUT", "/api/v1/applications/%d" % app["id"])],
       "one testall for the applications, then one write: the Sonarr application")
    eq(len(s.writes()), 1, "writes across the apps")
    check("fields.apiKey: (secret) (the stored value fails the app's test" in err,
          "the reason is logged:\n" + err)
    app = by_name(s["prowlarr"].get("applications"), "Sonarr")
    status, body = s["prowlarr"].api("POST", "applications/test", app)
    eq(status, 200, "the application works again (%s)" % (body,))
    s.clear_logs()
    expect_rc(run(s, "run"), 0, "next run")
    eq(s.writes(), [], "writes after healing")


@test
def unreachable_client_is_a_warning_not_a_write(s):
    s.start()
    env = full_env(s)
    cfg = os.path.join(CONFIGS, "full.lua")
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    s.helper.shutdown()
    s.helper.server_close()
    s.clear_logs()
    _, err = expect_rc(run(s, "run", "--config", cfg, env=env), 0, "run with qBittorrent down")
    eq(s.writes(), [], "writes: the failure is not the stored password's")
    line = 'sonarr download client "qBittorrent": host: Unable to connect to qBittorrent'
    check(any(line in l and "WARN" in l and "nothing written" in l for l in err.splitlines()),
          "the testall failure is a warning:\n" + err)
    tests = [e["path"] for e in s["sonarr"].requests() if e["method"] == "POST"]
    eq(tests, ["/api/v3/downloadclient/testall"], "Sonarr's stored secrets checked with one request")


@test
def unknown_field_is_exit_2_with_zero_writes(s):
    s.start()
    _, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "unknown_field.lua")), 2, "run")
    check('unknown field "hots"' in err and "valid: host" in err, "names the field and the valid ones:\n" + err)
    eq(s.writes(), [], "writes")


@test
def integer_port_arrives_as_a_json_integer_for_every_download_client(s):
    # The apps read an int property with ParseInt32(value.ToString()): "8080.0" is 0.
    # Every download client of the apps' own /schema, port = 8080 and = 8080.0.
    s.start()
    apps = ("sonarr", "radarr", "prowlarr")
    want = {}
    lines = ["-- generated by tests/e2e/run.py", "return {"]
    for app in apps:
        with open(os.path.join(rig.ROOT, "tests", "fakearr", "reference", "schemas", app,
                               "downloadclient.json"), encoding="utf-8") as fh:
            templates = json.load(fh)
        items = []
        for t in templates:
            if not any(f["name"] == "port" for f in t["fields"]):
                continue
            for spelling in ("8080", "8080.0"):
                name = "%s %s" % (t["implementation"], spelling)
                want.setdefault(app, []).append(name)
                items.append('    { name = "%s", implementation = "%s", enable = false, '
                             'fields = { port = %s } },' % (name, t["implementation"], spelling))
        lines += ["  %s = { download_clients = {" % app] + items + ["  } },"]
    lines.append("}")
    cfg = os.path.join(s.dir, "ports.lua")
    with open(cfg, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    expect_rc(run(s, "run", "--config", cfg), 0, "run")
    for app in apps:
        path = s[app].state
        deadline = time.monotonic() + 10
        while True:  # the fake rewrites its state file within 0.1 s of a change
            try:
                with open(path, encoding="utf-8") as fh:
                    rows = json.load(fh)["tables"].get("DownloadClients", {}).values()
            except (OSError, ValueError):
                rows = []
            got = {r["name"]: r.get("_received", {}).get("port") for r in rows}
            if len(got) >= len(want[app]) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        eq(sorted(got), sorted(want[app]), "%s download clients stored" % app)
        bad = {n: v for n, v in got.items() if type(v) is not int or v != 8080}
        eq(bad, {}, "%s: ports that did not arrive as the JSON integer 8080" % app)
        print("    %s: %d download clients, port arrived as 8080" % (app, len(got)))


@test
def values_json_cannot_carry_are_exit_2_before_any_write(s):
    s.start()
    env = s.env()
    bad = os.path.join(s.dir, "bad-password")
    with open(bad, "wb") as fh:
        fh.write(b"qbit-\xff\xfe-not-utf8\n")
    env["BAD_PASSWORD_FILE"] = bad
    cfg = os.path.join(CONFIGS, "bad_json_values.lua")
    for cmd in ("check", "plan", "run"):
        _, err = expect_rc(run(s, cmd, "--config", cfg, env=env), 2, cmd)
        check("sonarr.download_clients[2].fields.password" in err and "UTF-8" in err,
              "names the item and field of the bad password:\n" + err)
        check("sonarr.notifications[1].fields.headers" in err and "nesting" in err,
              "names the item and field of the deep value:\n" + err)
        check(cmd == "check" or "nothing was written" in err, err)
        check("not-utf8" not in err, "the password is not printed:\n" + err)
        eq(s.writes(), [], "%s writes" % cmd)


@test
def bad_config_value_is_exit_2_before_any_request(s):
    s.start()
    _, err = expect_rc(run(s, "run", "--config", os.path.join(CONFIGS, "bad_value.lua")), 2, "run")
    check("enable" in err and "priority" in err, "both problems reported:\n" + err)
    eq(sum(len(a.requests()) for a in s.apps.values()), 0, "requests")
    expect_rc(run(s, "check", "--config", os.path.join(CONFIGS, "bad_value.lua")), 2, "check")


@test
def check_makes_no_request_and_json_logs_parse(s):
    s.start()
    env = full_env(s)
    cfg = os.path.join(CONFIGS, "full.lua")
    _, err = expect_rc(run(s, "check", "--config", cfg, env=env), 0, "check")
    eq(sum(len(a.requests()) for a in s.apps.values()), 0, "requests made by check")
    _, err = expect_rc(run(s, "run", "--config", cfg, "--log-format", "json", env=env), 0, "run")
    for line in err.splitlines():
        rec = json.loads(line)
        check("level" in rec and "msg" in rec, "JSON log line: %s" % line)


@test
def patched_script_in_an_override_directory_changes_behaviour(s):
    s.start()
    override = os.path.join(s.dir, "override")
    os.makedirs(override)
    with open(os.path.join(rig.ROOT, "scripts", "kinds.lua")) as f:
        src = f.read()
    patched = src.replace('defaults = { syncLevel = "fullSync" }', 'defaults = { syncLevel = "addOnly" }')
    check(patched != src, "the patch applies")
    with open(os.path.join(override, "kinds.lua"), "w") as f:
        f.write(patched)
    rc, out, err = s.run("run", "--scripts", override, *SCRIPTS)
    eq(rc, 0, "run with the override: " + err[-2000:])
    eq(sorted(a["syncLevel"] for a in s["prowlarr"].get("applications")), ["addOnly", "addOnly"],
       "syncLevel from the patched script")


# --- instances: two of one type ------------------------------------------------------

TWO_SONARRS = ("prowlarr", "sonarr", "sonarr-4k=sonarr", "radarr")


def two_sonarrs_converged(s, names):
    """Three applications with distinct baseUrls whose stored keys pass Prowlarr's test, and
    Prowlarr's indexers in both Sonarrs and in Radarr. NAMES: instance -> application name."""
    p = s["prowlarr"]
    apps = p.get("applications")
    eq(sorted(a["name"] for a in apps), sorted(names.values()), "application names")
    for inst, app_name in names.items():
        a = by_name(apps, app_name)
        eq(a["implementation"], s[inst].kind.capitalize(), "%s implementation" % app_name)
        eq(field(a, "baseUrl"), s[inst].url, "%s baseUrl" % app_name)
        status, body = p.api("POST", "applications/test", a)
        eq(status, 200, "the stored key of %s passes Prowlarr's test (%s)" % (app_name, body))
    n = len([i for i in p.get("indexer") if i.get("enable")])
    check(n > 0, "the fake Prowlarr has indexers")
    for inst in names:
        eq(len(synced(s[inst])), n, "Prowlarr's indexers in %s" % inst)


@test
def two_sonarrs_and_radarr_from_a_config_file(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s.start()
    env = full_env(s)
    env.pop("STARRHOST_INSTANCES")  # the file alone declares sonarr-4k
    cfg = os.path.join(CONFIGS, "instances.lua")
    out, err = expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    two_sonarrs_converged(s, {"sonarr": "Sonarr", "sonarr-4k": "Sonarr 4K", "radarr": "Radarr"})
    eq([c["name"] for c in s["sonarr-4k"].get("downloadclient")], ["qBittorrent 4K"], "the 4K download client")
    eq(s["sonarr"].get("downloadclient"), [], "no download client in the other Sonarr")
    eq(s["radarr"].get("downloadclient"), [], "none in Radarr")
    eq([r["path"] for r in s["sonarr-4k"].get("rootfolder")], ["/data"], "4K root folder")
    rows = [l.split() for l in out.splitlines()]
    check(["sonarr-4k", "download", "client", "1", "0", "0", "0", "0", "0"] in rows,
          "the summary names the instance:\n" + out)
    eq(s["sonarr"].get("rootfolder"), [], "no root folder in the other Sonarr")
    check('sonarr-4k download client "qBittorrent 4K": created' in err, "the log names the instance:\n" + err)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "second run")
    eq(s.writes(), [], "writes on the second run")


@test
def two_sonarrs_and_radarr_from_the_environment_alone(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s.start()
    env = s.env()
    eq(env["STARRHOST_INSTANCES"], "sonarr-4k=sonarr", "declared in the environment")
    check("SONARR_4K_URL" in env and "SONARR_4K_API_KEY_FILE" in env, "the instance's prefix")
    out, err = expect_rc(run(s, "run", env=env), 0, "first run")
    two_sonarrs_converged(s, {"sonarr": "Sonarr", "sonarr-4k": "sonarr-4k", "radarr": "Radarr"})
    check("sonarr-4k is ready at " + s["sonarr-4k"].url in err, "readiness names the instance:\n" + err)
    s.clear_logs()
    expect_rc(run(s, "run", env=env), 0, "second run")
    noop_requests(s, {"prowlarr": ("applications", "indexer"), "sonarr": ("indexer",),
                      "sonarr-4k": ("indexer",), "radarr": ("indexer",)})


@test
def hand_made_application_for_the_4k_base_url_is_adopted_not_duplicated(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s.start()
    p, uhd = s["prowlarr"], s["sonarr-4k"]
    tmpl = [t for t in p.get("applications/schema") if t["implementation"] == "Sonarr"][0]
    values = {"baseUrl": uhd.url, "apiKey": uhd.key, "prowlarrUrl": p.url}
    made = dict(tmpl, name="Sonarr UHD", syncLevel="fullSync", tags=[],
                fields=[dict(f, value=values.get(f["name"], f.get("value"))) for f in tmpl["fields"]])
    made.pop("presets", None)
    status, body = p.api("POST", "applications", made)
    check(status == 201, "hand-made application (%s %s)" % (status, body))
    env = s.env()
    out, err = expect_rc(run(s, "run", env=env), 0, "run")
    check('adopting the existing application "Sonarr UHD" for sonarr-4k' in err, "adoption logged:\n" + err)
    two_sonarrs_converged(s, {"sonarr": "Sonarr", "sonarr-4k": "Sonarr UHD", "radarr": "Radarr"})
    eq(by_name(p.get("applications"), "Sonarr UHD")["id"], body["id"], "the same application")
    s.clear_logs()
    expect_rc(run(s, "run", env=env), 0, "rerun")
    eq(s.writes(), [], "writes on the rerun")
    # Named in the config: the adopted application is renamed, not duplicated.
    cfg = os.path.join(s.dir, "named.lua")
    with open(cfg, "w") as f:
        f.write('return { prowlarr = { applications = { ["sonarr-4k"] = { name = "Sonarr 4K" } } } }\n')
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "run naming the application")
    apps = p.get("applications")
    eq(sorted(a["name"] for a in apps), ["Radarr", "Sonarr", "Sonarr 4K"], "renamed, not duplicated")
    eq(by_name(apps, "Sonarr 4K")["id"], body["id"], "the same application, renamed")
    eq([w["method"] for w in s.writes()], ["PUT"], "one write: the rename")


@test
def override_that_raises_in_one_types_module_leaves_the_others_configured(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s.start()
    override = os.path.join(s.dir, "override")
    os.makedirs(override)
    with open(os.path.join(override, "radarr.lua"), "w") as f:
        f.write('-- A patched Radarr module with a bug in its plan.\n'
                'local mod = require("servarr").define{ name = "radarr", display = "Radarr", api = "v3" }\n'
                'function mod.plan(_, inst)\n'
                '  local profile = inst.scratch.profile\n'
                '  return profile.id\n'
                'end\n'
                'return mod\n')
    env = full_env(s)
    cfg = os.path.join(s.dir, "radarr-folders.lua")
    with open(os.path.join(CONFIGS, "instances.lua")) as f:
        src = f.read()
    with open(cfg, "w") as f:
        f.write(src.replace('  prowlarr = {', '  radarr = { root_folders = { "/movies" } },\n  prowlarr = {'))
    rc, out, err = s.run("plan", "--scripts", override, *SCRIPTS, "--config", cfg, env=env)
    eq(rc, 2, "plan: a script error with nothing written\n" + err[-3000:])
    rc, out, err = s.run("run", "--scripts", override, *SCRIPTS, "--config", cfg, env=env)
    eq(rc, 1, "run: a script error after writes\n" + err[-3000:])
    check(any("radarr: script error in plan" in l and "radarr.lua:5: attempt to index" in l
              for l in err.splitlines()), "the error names the instance and file:line:\n" + err)
    two_sonarrs_converged(s, {"sonarr": "Sonarr", "sonarr-4k": "Sonarr 4K", "radarr": "Radarr"})
    eq([c["name"] for c in s["sonarr-4k"].get("downloadclient")], ["qBittorrent 4K"], "the 4K download client")
    eq(s["radarr"].get("rootfolder"), [], "Radarr's own items not written")
    eq([e for e in s["radarr"].requests() if rig.is_write(e)], [], "no writes to Radarr")


@test
def a_loop_in_one_instances_protected_plan_still_stops_the_run_at_the_deadline(s):
    """Each instance's plan runs protected, but no protection outlives the run's deadline."""
    s.start()
    override = os.path.join(s.dir, "override")
    os.makedirs(override)
    with open(os.path.join(override, "radarr.lua"), "w") as f:
        f.write('local mod = require("servarr").define{ name = "radarr", display = "Radarr", api = "v3" }\n'
                'function mod.plan()\n'
                '  local n = 0\n'
                '  while true do n = n + 1 end\n'
                'end\n'
                'return mod\n')
    t0 = time.monotonic()
    rc, out, err = s.run("run", "--scripts", override, *SCRIPTS, "--deadline", "3")
    eq(rc, 2, "a script that loops is exit 2\n" + err[-2000:])
    check(time.monotonic() - t0 < 20, "stopped at the deadline")
    check("radarr.lua:4" in err and "deadline of 3 s passed" in err, "file:line of the loop:\n" + err)
    eq(s["prowlarr"].get("applications"), [], "the run stopped: Prowlarr, after Radarr, untouched")


@test
def only_sonarr_4k_touches_that_instance_alone(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s.start()
    env = full_env(s)
    cfg = os.path.join(CONFIGS, "instances.lua")
    out, err = expect_rc(run(s, "run", "--config", cfg, "--only", "sonarr-4k", env=env), 0, "run")
    eq([c["name"] for c in s["sonarr-4k"].get("downloadclient")], ["qBittorrent 4K"], "the 4K download client")
    for other in ("prowlarr", "sonarr", "radarr"):
        eq(s[other].requests(), [], "requests to %s" % other)
    eq(s["prowlarr"].get("applications"), [], "Prowlarr left alone")
    _, err = expect_rc(run(s, "run", "--config", cfg, "--only", "sonarr-8k", env=env), 2, "unknown instance")
    check('unknown instance "sonarr-8k" (instances: sonarr-4k' in err, "the nearest name first:\n" + err)


# --- export: the round trip (DESIGN section 11) ----------------------------------------

def by_hand(app, path, impl, name, values=None, tags=(), definition=None, preset=None, **top):
    """Adds an item to APP as the app's UI does: its /schema template (the one named PRESET
    when the app offers several), the form filled in."""
    schema = app.get(path + "/schema")
    tmpl = [t for t in schema if (t.get("definitionName") == definition if definition
                                  else t["implementation"] == impl and (not preset or t["name"] == preset))][0]
    values = values or {}
    unknown = set(values) - {f["name"] for f in tmpl["fields"]}
    check(not unknown, "fields of %s: %s" % (impl, unknown))
    item = dict(tmpl, name=name, tags=list(tags), **top)
    item["fields"] = [dict(f, value=values.get(f["name"], f.get("value"))) for f in tmpl["fields"]]
    item.pop("presets", None)
    status, body = app.api("POST", path, item)
    check(status == 201, "%s %s by hand: %s %s" % (app.name, name, status, body))
    return body


def tag_id(app, label):
    status, body = app.api("POST", "tag", {"label": label})
    check(status in (200, 201), "tag %s: %s" % (label, status))
    return body["id"]


def configure_by_hand(s):
    """The stack as clicks would leave it. Returns the passwords it typed in, by item."""
    so, uhd, ra, p = s["sonarr"], s["sonarr-4k"], s["radarr"], s["prowlarr"]
    port, helper = s.helper.port, "http://127.0.0.1:%d" % s.helper.port
    pw = {n: "pw-%s-%s" % (n, os.urandom(4).hex()) for n in ("sonarr", "sonarr-4k", "radarr")}
    s.secrets.update(pw.values())
    tv = tag_id(so, "tv")
    tag_id(so, "unused")
    for app, folder in ((so, "/tv"), (uhd, "/data"), (ra, "/movies")):
        status, _ = app.api("POST", "rootfolder", {"path": folder})
        check(status == 201, "root folder %s" % folder)
    by_hand(so, "downloadclient", "QBittorrent", "qBittorrent", enable=True, priority=3, tags=[tv],
            values={"host": "127.0.0.1", "port": port, "username": "admin", "password": pw["sonarr"],
                    "tvCategory": "tv \"quoted\"\n", "initialState": 2})
    by_hand(uhd, "downloadclient", "QBittorrent", "qBittorrent (4K)", enable=True,
            values={"host": "127.0.0.1", "port": port, "username": "admin", "password": pw["sonarr-4k"],
                    "tvCategory": "tv-4k"})
    by_hand(ra, "downloadclient", "QBittorrent", "qBittorrent", enable=False,
            values={"host": "127.0.0.1", "port": port, "password": pw["radarr"], "movieCategory": "films"})
    by_hand(so, "indexer", "Torznab", "Jackett", enableRss=False, enableAutomaticSearch=False,
            enableInteractiveSearch=False, priority=10,
            values={"baseUrl": helper + "/torznab", "categories": [5000, 5030], "seedCriteria.seedRatio": 1.5})
    by_hand(so, "notification", "Webhook", "Hook", onGrab=True, values={"url": helper + "/hook"})
    flare = tag_id(p, "flare")
    by_hand(p, "indexerproxy", "FlareSolverr", "FlareSolverr", tags=[flare], values={"host": helper + "/"})
    by_hand(p, "indexer", "Torznab", "Extra", preset="Generic Torznab", enable=False, appProfileId=1,
            values={"baseUrl": helper + "/torznab"})
    by_hand(p, "indexer", None, "1337x", definition="1337x", enable=True, appProfileId=1, priority=20)
    # Settings > Download Clients > Remote Path Mappings; Profiles > Delay Profiles; Settings > Media Management.
    for body in ({"host": "qbittorrent", "remotePath": "/downloads/", "localPath": "/data/"},
                 {"host": "sabnzbd", "remotePath": "/usenet/", "localPath": "/tv/"}):
        status, _ = so.api("POST", "remotepathmapping", body)
        check(status == 201, "remote path mapping %s: %s" % (body, status))
    anime = tag_id(so, "anime")
    default = [d for d in so.get("delayprofile") if not d["tags"]][0]
    status, body = so.api("POST", "delayprofile", dict(default, id=0, tags=[anime], preferredProtocol="torrent",
                                                        torrentDelay=60, usenetDelay=30))
    check(status in (200, 201), "delay profile: %s %s" % (status, body))
    status, _ = so.api("PUT", "delayprofile/%d" % default["id"], dict(default, usenetDelay=15))
    check(status in (200, 202), "default delay profile: %s" % status)
    naming = so.get("config/naming")
    naming.update(renameEpisodes=True, standardEpisodeFormat="{Series Title} - S{season:00}E{episode:00} - {Episode Title}")
    status, body = so.api("PUT", "config/naming", naming)
    check(status == 202, "naming: %s %s" % (status, body))
    for inst, name in (("sonarr", "Sonarr"), ("sonarr-4k", "Sonarr 4K"), ("radarr", "Radarr")):
        by_hand(p, "applications", s[inst].kind.capitalize(), name, syncLevel="addOnly" if inst == "radarr" else "fullSync",
                values={"baseUrl": s[inst].url, "apiKey": s[inst].key, "prowlarrUrl": p.url})
    return {"sonarr-qbittorrent-password": pw["sonarr"], "sonarr-4k-qbittorrent-4k-password": pw["sonarr-4k"],
            "radarr-qbittorrent-password": pw["radarr"]}


def listed_secrets(text):
    """The secret names the header of an exported file lists."""
    names = []
    for line in text.splitlines():
        if line.startswith("return"):
            break
        if line.startswith("--   "):
            names.append(line.split()[1])
    return names


def secrets_dir(s, text, known):
    """A secrets dir holding every secret the exported TEXT lists but the API keys."""
    d = os.path.join(s.dir, "secrets")
    os.makedirs(d, exist_ok=True)
    for name in listed_secrets(text):
        if name.endswith("-api-key"):
            continue  # the instances' keys come from <PREFIX>_API_KEY_FILE
        check(name in known, "the export asks for a secret the stack does not have: %s" % name)
        with open(os.path.join(d, name), "w") as f:
            f.write(known[name] + "\n")
    return d


MASK = "********"
# Set by the app, not by a config: ids, the clock.
VOLATILE = {"id", "added", "tags", "fields"}


def snapshot(s, app_name):
    """What an app holds, comparable across stacks: items by collection and name, tag labels
    instead of ids, fields by name, masked values as MASK; URLs of the stack's own apps as
    <instance>."""
    app = s[app_name]
    labels = {t["id"]: t["label"] for t in app.get("tag")}
    urls = {s[n].url: "<%s>" % n for n in s.apps}
    colls = {"prowlarr": ("indexer", "indexerproxy", "applications", "downloadclient", "notification")}.get(
        app.kind, ("downloadclient", "indexer", "notification"))
    out = {"tag": sorted(labels.values())}
    if app.kind != "prowlarr":
        out["rootfolder"] = sorted(r["path"] for r in app.get("rootfolder"))
        out["remotepathmapping"] = sorted((m["host"], m["remotePath"], m["localPath"])
                                          for m in app.get("remotepathmapping"))
        out["delayprofile"] = [dict({k: v for k, v in d.items() if k not in ("id", "tags")},
                                    tags=sorted(labels[t] for t in d["tags"]))
                               for d in sorted(app.get("delayprofile"), key=lambda d: d["order"])]
    for section in ("naming", "mediamanagement", "ui", "indexer", "downloadclient") if app.kind != "prowlarr" \
            else ("ui", "development"):
        out["config/" + section] = app.get("config/" + section)
    for coll in colls:
        items = {}
        for i in app.get(coll):
            if i["name"].endswith(" (Prowlarr)"):
                continue
            top = {k: v for k, v in i.items() if k not in VOLATILE}
            top["tags"] = sorted(labels[t] for t in i.get("tags") or [])
            top["fields"] = {f["name"]: urls.get(f["value"], f["value"]) if isinstance(f.get("value"), str)
                             else f.get("value") for f in i["fields"]}
            items[i["name"]] = top
        out[coll] = items
    return out


@test
def export_of_a_hand_made_stack_round_trips(s):
    for spec in TWO_SONARRS:
        s.add(spec)
    s["prowlarr"].extra = ("--indexers", "0")
    s.start()
    known = configure_by_hand(s)
    env = s.env()
    s.clear_logs()
    out, err = expect_rc(run(s, "export", env=env), 0, "export")
    check(out.startswith("-- starrhost export: the configuration of sonarr, sonarr-4k, radarr, prowlarr."),
          "header:\n" + out[:400])
    reqs = [e for a in s.apps.values() for e in a.requests()]
    check(reqs, "export read the apps")
    eq([e for e in reqs if e["method"] not in ("GET", "HEAD")], [], "export sends nothing but reads")
    path = os.path.join(s.dir, "exported.lua")
    with open(path, "w") as f:
        f.write(out)
    print("    exported %d lines, secrets: %s" % (out.count("\n"), ", ".join(listed_secrets(out))))
    eq(sorted(n for n in listed_secrets(out) if not n.endswith("-api-key")), sorted(known),
       "the secrets the file lists (masked fields, one per item)")
    for needle in ('["sonarr-4k"] = {', 'type = "sonarr"', 'url = env("SONARR_4K_URL")',
                   'password = secret("sonarr-4k-qbittorrent-4k-password")', 'tvCategory = "tv \\"quoted\\"\\n"',
                   'tags = { "tv" }', '["seedCriteria.seedRatio"] = 1.5', 'definition = "1337x"',
                   '["sonarr-4k"] = { name = "Sonarr 4K" }', 'radarr = { sync_level = "addOnly" }',
                   'tags = { "anime", "tv", "unused" }', 'root_folders = { "/tv" }',
                   '{ host = "qbittorrent", local_path = "/data/", remote_path = "/downloads/" }',
                   'renameEpisodes = true,', 'usenetDelay = 15,', 'tags = { "anime" },'):
        check(needle in out, "the export holds %s:\n%s" % (needle, out))
    check("(Prowlarr)" not in out, "Prowlarr's synced indexers are left out")
    check(by_name(s["sonarr"].get("indexer"), "1337x (Prowlarr)"), "the test saw a synced indexer to leave out")
    if shutil.which("luacheck"):
        rc = os.system("luacheck -q %s >/dev/null" % path)
        eq(rc, 0, "luacheck on the exported file")
    # The same stack exported again: the same bytes.
    out2, _ = expect_rc(run(s, "export", env=env), 0, "second export")
    eq(out2, out, "a second export")
    # With the secrets it lists, plan against the same stack changes nothing.
    env["STARRHOST_SECRETS_DIR"] = secrets_dir(s, out, known)
    s.clear_logs()
    plan_out, _ = expect_rc(run(s, "plan", "--config", path, env=env), 0, "plan of the exported file")
    check("No changes." in plan_out, plan_out)
    eq(s.writes(), [], "writes during plan")
    # --only narrows it to one instance, and reads only that one.
    s.clear_logs()
    only, _ = expect_rc(run(s, "export", "--only", "sonarr-4k", env=env), 0, "export --only")
    check('["sonarr-4k"] = {' in only and "prowlarr = {" not in only and "\n  sonarr = {" not in only, only)
    for other in ("prowlarr", "sonarr", "radarr"):
        eq(s[other].requests(), [], "requests to %s during export --only sonarr-4k" % other)
    # A fresh, empty stack: run the file, then it holds the same items.
    fresh = rig.Stack(apps=())
    try:
        for spec in TWO_SONARRS:
            fresh.add(spec)
        fresh["prowlarr"].extra = ("--indexers", "0")
        fresh.start()
        fenv = fresh.env()
        fenv["STARRHOST_SECRETS_DIR"] = env["STARRHOST_SECRETS_DIR"]
        expect_rc(run(fresh, "run", "--config", path, env=fenv), 0, "run of the exported file on a fresh stack")
        for name in s.apps:
            eq(snapshot(fresh, name), snapshot(s, name), "%s after the run" % name)
        for inst, pw_name in (("sonarr", "sonarr-qbittorrent-password"), ("radarr", "radarr-qbittorrent-password")):
            with open(fresh[inst].state) as f:
                rows = json.load(f)["tables"]["DownloadClients"].values()
            eq([r["_received"].get("password") for r in rows], [known[pw_name]], "%s password sent" % inst)
        fout, _ = expect_rc(run(fresh, "export", env=fenv), 0, "export of the fresh stack")
        eq(fout, out, "the fresh stack exports the same file")
        leaks = fresh.leaked() + [l for _, t in fresh.outputs for l in
                                  ["a password in the output"] if any(v in t for v in known.values())]
        check(not leaks, "; ".join(leaks))
    finally:
        fresh.stop()
        shutil.rmtree(fresh.dir, ignore_errors=True)

def settings_env(s, password=None):
    env = s.env()
    # Characters the login form escapes: masked in that form too.
    env["SONARR_UI_PASSWORD_FILE"] = s.secret_file("sonarr-ui-password",
                                                   password or "ui+&=%" + os.urandom(6).hex())
    return env


@test
def settings_are_written_once_only_what_the_config_gives_and_a_changed_password_is_found(s):
    s.start()
    env = settings_env(s)
    cfg = os.path.join(CONFIGS, "settings.lua")
    so, p = s["sonarr"], s["prowlarr"]
    untouched = so.get("config/naming")["dailyEpisodeFormat"]
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan from the defaults")
    eq(s.writes(), [], "writes during plan")
    check('sonarr settings "host": update' in out and "~ password: (secret)" in out, "plan:\n" + out)
    check("~ rssSyncInterval: 15 -> 30" in out, "plan shows old -> new:\n" + out)
    _, err = expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    check("authenticationMethod takes effect only after sonarr restarts" in err, "restart warning:\n" + err)
    host = so.get("config/host")
    eq((host["authenticationMethod"], host["username"]), ("forms", "admin"), "host settings")
    check(host["password"] not in ("", None) and host["password"] != "********", "a user was stored")
    naming = so.get("config/naming")
    eq(naming["renameEpisodes"], True, "naming")
    eq(naming["dailyEpisodeFormat"], untouched, "a property the config does not give is kept")
    eq(so.get("config/indexer")["rssSyncInterval"], 30, "indexer settings")
    eq(so.get("config/ui")["theme"], "dark", "ui settings")
    eq(so.get("config/mediamanagement")["chmodFolder"], "775", "camelCase property")
    eq(p.get("config/development")["logRotate"], 20, "Prowlarr development settings")
    eq(len([w for w in s.writes() if "/config/" in w["path"]]), 7, "one PUT per section")
    # The method takes effect at the app's start (AuthenticationService): restart it.
    so.stop()
    so.start()
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "second run")
    eq(s.writes(), [], "writes on the second run")
    logins = [e for e in so.requests() if e["path"].startswith("/login")]
    eq(len(logins), 1, "the password checked with one login")
    record = os.path.join(s.dir, "plan.jsonl")
    expect_rc(run(s, "plan", "--config", cfg, "--record", record, env=env), 0, "recorded plan")
    with open(record) as f:
        text = f.read()
    check("/login" in text and "password=***" in text, "the login is recorded, its password masked")
    for secret in s.secrets:
        for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)):
            check(form not in text, "a secret in the recording: %r" % form)
    # Behind the tool's back: a naming property, then the password.
    naming["renameEpisodes"] = False
    eq(so.api("PUT", "config/naming", naming)[0], 202, "drift PUT")
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan after drift")
    check("~ renameEpisodes: false -> true" in out, "plan shows the drift:\n" + out)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "repair run")
    eq(len(s.writes()), 1, "one write repairs the naming drift")
    host = so.get("config/host")
    host.update(password="someone-else", passwordConfirmation="someone-else")
    s.secrets.add("someone-else")
    eq(so.api("PUT", "config/host", host)[0], 202, "password changed behind the tool's back")
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan after a new password")
    check("~ password: (secret) (the configured user name and password do not log in)" in out, out)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "password repair run")
    eq(len(s.writes()), 1, "one write repairs the password")
    s.clear_logs()
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 0, "plan after the repair")
    check("No changes." in out, out)
    eq(s.writes(), [], "writes during the last plan")


@test
def settings_rejected_by_the_app_are_reported_in_full_and_unknown_names_are_exit_2(s):
    s.start()
    env = settings_env(s)
    env["E2E_RSS_INTERVAL"] = "5"
    cfg = os.path.join(CONFIGS, "settings.lua")
    _, err = expect_rc(run(s, "run", "--config", cfg, env=env), 1, "run with an invalid interval")
    check('sonarr settings "indexer": RssSyncInterval: Must be between 10 and 120 or 0 to disable '
          '[value: 5]' in err, "the 400 in full:\n" + err)
    eq(s["sonarr"].get("config/ui")["theme"], "dark", "the other sections are written")
    bad = os.path.join(s.dir, "bad.lua")
    with open(bad, "w") as f:
        f.write('return { sonarr = { settings = { naming = { rename_episode = true } } } }\n')
    s.clear_logs()
    _, err = expect_rc(run(s, "run", "--config", bad, env=env), 2, "unknown property")
    check('sonarr.settings.naming.rename_episode: unknown property "rename_episode" of sonarr config/naming '
          '(valid: renameEpisodes' in err, err)
    eq(s.writes(), [], "nothing written")


def delay_order(app):
    """The tagged delay profiles by order, as their sorted tag labels."""
    labels = {t["id"]: t["label"] for t in app.get("tag")}
    rows = sorted(app.get("delayprofile"), key=lambda d: d["order"])
    return [",".join(sorted(labels[i] for i in d["tags"])) for d in rows if d["tags"]]


@test
def remote_path_mappings_and_delay_profiles_converge_keep_their_order_and_prune(s):
    s.start()
    env = s.env()
    cfg = os.path.join(CONFIGS, "paths.lua")
    so, ra = s["sonarr"], s["radarr"]
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan on empty apps")
    eq(s.writes(), [], "writes during plan")
    check('sonarr remote path mapping "qbittorrent /downloads": create' in out, out)
    check('sonarr delay profile "anime": create' in out and '~ torrentDelay: 0 -> 10' in out, out)
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "first run")
    maps = {(m["host"], m["remotePath"]): m["localPath"] for m in so.get("remotepathmapping")}
    eq(maps, {("qbittorrent", "/downloads/"): "/data/downloads/", ("sabnzbd", "/incomplete/"): "/data/usenet/"},
       "Sonarr mappings")
    eq([m["localPath"] for m in ra.get("remotepathmapping")], ["/movies/"], "Radarr mapping")
    profiles = so.get("delayprofile")
    default = [d for d in profiles if d["id"] == 1][0]
    eq((default["torrentDelay"], default["tags"]), (10, []), "the default profile is updated")
    eq(delay_order(so), ["anime", "4k,remux"], "the config's order")
    labels = {t["label"]: t["id"] for t in so.get("tag")}
    anime = [d for d in profiles if d["tags"] == [labels["anime"]]][0]
    eq((anime["preferredProtocol"], anime["enableUsenet"], anime["enableTorrent"], anime["usenetDelay"]),
       ("torrent", True, True, 0), "the add dialog's defaults for what the config leaves out")
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "second run")
    eq(s.writes(), [], "writes on the second run")
    # Behind the tool's back: a mapping's local path, then the order.
    m = [x for x in so.get("remotepathmapping") if x["host"] == "sabnzbd"][0]
    eq(so.api("PUT", "remotepathmapping/%d" % m["id"], dict(m, localPath="/data/"))[0], 202, "drift PUT")
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "mapping repair")
    eq(len(s.writes()), 1, "one write repairs the mapping")
    last = [d for d in so.get("delayprofile") if len(d["tags"]) == 2][0]
    eq(so.api("PUT", "delayprofile/reorder/%d" % last["id"])[0], 200, "reordered behind the tool's back")
    eq(delay_order(so), ["4k,remux", "anime"], "drifted order")
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan after the reorder")
    check('sonarr delay profile "(order)": update' in out and '~ order: "[4k, remux] [anime]" -> "[anime] [4k, remux]"'
          in out, out)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "order repair")
    eq(len(s.writes()), 1, "one write restores the order")
    eq(delay_order(so), ["anime", "4k,remux"], "order restored")
    s.clear_logs()
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 0, "plan after the repairs")
    check("No changes." in out, out)
    # Items made by hand: kept without prune, deleted with it; the default profile stays.
    eq(so.api("POST", "remotepathmapping", {"host": "nzbget", "remotePath": "/x/", "localPath": "/data/"})[0],
       201, "hand-made mapping")
    status, tag = so.api("POST", "tag", {"label": "stray"})
    eq(so.api("POST", "delayprofile", dict(default, id=0, tags=[tag["id"]]))[0], 201, "hand-made profile")
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "run without prune")
    eq(len(so.get("remotepathmapping")), 3, "kept without prune")
    env["E2E_PRUNE"] = "1"
    out, _ = expect_rc(run(s, "plan", "--config", cfg, env=env), 4, "plan with prune")
    check('sonarr remote path mapping "nzbget /x": delete' in out and 'delay profile "stray": delete' in out, out)
    expect_rc(run(s, "run", "--config", cfg, env=env), 0, "run with prune")
    eq(sorted(m["host"] for m in so.get("remotepathmapping")), ["qbittorrent", "sabnzbd"], "pruned mappings")
    eq(delay_order(so), ["anime", "4k,remux"], "pruned profiles")
    check([d for d in so.get("delayprofile") if d["id"] == 1], "the default profile is never deleted")


@test
def remote_path_mapping_and_delay_profile_400s_are_reported_in_full(s):
    s.start()
    cfg = os.path.join(s.dir, "bad.lua")
    with open(cfg, "w") as f:
        f.write('return { sonarr = { remote_path_mappings = { { host = "q", remote_path = "/d/", '
                'local_path = "/nowhere/d" } }, delay_profiles = { { tags = { "x" }, usenet_delay = -1 } } } }\n')
    _, err = expect_rc(run(s, "run", "--config", cfg), 1, "run with two rejected items")
    check('sonarr remote path mapping "q /d": LocalPath: Path \'/nowhere/d\' does not exist' in err, err)
    check("sonarr delay profile \"x\": UsenetDelay: 'Usenet Delay' must be greater than or equal to '0'. "
          "[value: -1]" in err, err)
    with open(cfg, "w") as f:
        f.write('return { sonarr = { remote_path_mappings = { { host = "q", remote_path = "/d/", '
                'locl_path = "/tv" } } } }\n')
    s.clear_logs()
    _, err = expect_rc(run(s, "run", "--config", cfg), 2, "an unknown mapping property")
    check('sonarr.remote_path_mappings[1]: unknown key "locl_path" (valid: local_path' in err, err)
    with open(cfg, "w") as f:
        f.write('return { sonarr = { delay_profiles = { { tags = { "y" }, usenet_dealy = 1 } } } }\n')
    _, err = expect_rc(run(s, "run", "--config", cfg), 2, "an unknown profile property")
    check('sonarr.delay_profiles[1].usenet_dealy: unknown property "usenet_dealy" of sonarr delay profile '
          '(valid: usenetDelay' in err, err)
    eq(s.writes(), [], "nothing written")


@test
def prowlarr_indexers_by_definition_and_app_profiles_by_name(s):
    s.start()
    cfg = os.path.join(CONFIGS, "profiles.lua")
    p = s["prowlarr"]
    out, _ = expect_rc(run(s, "plan", "--config", cfg), 4, "plan")
    check('+ appProfileId: 1 (the first app profile, "Standard")' in out, out)
    expect_rc(run(s, "run", "--config", cfg), 0, "first run")
    for name in ("1337x", "1337x (Standard)"):
        i = by_name(p.get("indexer"), name)
        check(i, "%s created" % name)
        eq((i["definitionName"], i["implementation"], i["appProfileId"]), ("1337x", "Cardigann", 1), name)
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg), 0, "second run")
    eq(s.writes(), [], "writes on the second run")
    env = s.env()
    env["E2E_APP_PROFILE"] = "Strd"
    s.clear_logs()
    _, err = expect_rc(run(s, "run", "--config", cfg, env=env), 2, "an unknown app profile")
    check('prowlarr.indexers[2].app_profile: unknown app profile "Strd" (prowlarr has: Standard)' in err, err)
    eq(s.writes(), [], "nothing written")


@test
def lidarr_and_readarr_take_the_new_kinds_too(s):
    for name in ("lidarr", "readarr"):
        s.apps[name] = rig.App(s, name, os.urandom(16).hex(), ())
        s.secrets.add(s[name].key)
    s.start()
    cfg = os.path.join(s.dir, "books.lua")
    with open(cfg, "w") as f:
        f.write('return {\n'
                '  lidarr = { settings = { naming = { rename_tracks = true } },\n'
                '    remote_path_mappings = { { host = "qbittorrent", remote_path = "/downloads/",\n'
                '                               local_path = "/music/" } },\n'
                '    delay_profiles = { { tags = { "flac" }, preferred_protocol = "torrent" } } },\n'
                '  readarr = { settings = { naming = { rename_books = true }, ui = { theme = "dark" } },\n'
                '    delay_profiles = { { usenet_delay = 30 } } },\n'
                '}\n')
    expect_rc(run(s, "run", "--config", cfg), 0, "first run")
    li, rd = s["lidarr"], s["readarr"]
    eq(li.get("config/naming")["renameTracks"], True, "Lidarr naming")
    eq([m["localPath"] for m in li.get("remotepathmapping")], ["/music/"], "Lidarr mapping")
    eq(delay_order(li), ["flac"], "Lidarr delay profile")
    eq((rd.get("config/naming")["renameBooks"], rd.get("config/ui")["theme"]), (True, "dark"),
       "Readarr settings")
    eq([d["usenetDelay"] for d in rd.get("delayprofile")], [30], "Readarr's default delay profile")
    s.clear_logs()
    expect_rc(run(s, "run", "--config", cfg), 0, "second run")
    eq(s.writes(), [], "writes on the second run")


@test
def export_of_lidarr_and_readarr_round_trips(s):
    # (The fakes' Lidarr keeps only a root folder's path, so its name and default profiles,
    # exported by name, are covered by the unit tests, not here.)
    for name in ("lidarr", "readarr"):
        s.apps[name] = rig.App(s, name, os.urandom(16).hex(), ())
        s.secrets.add(s[name].key)
    s["prowlarr"].extra = ("--indexers", "0")
    s.start()
    status, body = s["lidarr"].api("POST", "rootfolder", {"path": "/music"})
    check(status == 201, "Lidarr root folder by hand: %s %s" % (status, body))
    status, _ = s["lidarr"].api("POST", "remotepathmapping", {"host": "qbittorrent", "remotePath": "/dl/",
                                                             "localPath": "/music/"})
    check(status == 201, "Lidarr remote path mapping")
    naming = s["readarr"].get("config/naming")
    status, _ = s["readarr"].api("PUT", "config/naming", dict(naming, renameBooks=True))
    check(status == 202, "Readarr naming")
    out, _ = expect_rc(run(s, "export"), 0, "export")
    for needle in ('root_folders = { "/music" }', 'remote_path = "/dl/"', "renameBooks = true",
                   "lidarr = {", "readarr = {"):
        check(needle in out, "the export holds %s:\n%s" % (needle, out))
    path = os.path.join(s.dir, "exported.lua")
    with open(path, "w") as f:
        f.write(out)
    s.clear_logs()
    plan_out, _ = expect_rc(run(s, "plan", "--config", path), 0, "plan of the exported file")
    check("No changes." in plan_out, plan_out)
    eq(s.writes(), [], "writes")
    again, _ = expect_rc(run(s, "export"), 0, "second export")
    eq(again, out, "a second export")


def main(argv):
    selected = [t for t in TESTS if not argv or any(a in t.__name__ for a in argv)]
    if not os.path.exists(rig.FAKEARR):
        for t in selected:
            print("  skip  %s: the fake apps (%s) are not in this tree" % (t.__name__, rig.FAKEARR))
        print("0 passed, 0 failed, %d skipped" % len(selected))
        return 0
    passed = failed = skipped = 0
    for t in selected:
        s = rig.Stack()
        t0 = time.monotonic()
        try:
            t(s)
            leaks = s.leaked()
            if leaks:
                raise AssertionError("secrets in output: " + "; ".join(leaks))
            passed += 1
            print("  ok    %s (%.1fs)" % (t.__name__, time.monotonic() - t0))
        except Skip as e:
            skipped += 1
            print("  skip  %s: %s" % (t.__name__, e))
        except Exception:  # noqa: BLE001 - report and go on
            failed += 1
            print("  FAIL  %s (%.1fs)\n%s" % (t.__name__, time.monotonic() - t0,
                                            "        " + traceback.format_exc().replace("\n", "\n        ")))
        finally:
            s.stop()
            if not failed or os.environ.get("E2E_KEEP") is None:
                shutil.rmtree(s.dir, ignore_errors=True)
        sys.stdout.flush()
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
