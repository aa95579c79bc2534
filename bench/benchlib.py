"""What every benchmark against the fake apps shares: stacks of fakes (tests/fakearr)
started, reset and always stopped; one bounded run of a command against a stack with
the environment a Kubernetes Job would have; that run's requests read back from the
fakes' request logs (only the lines of one User-Agent); medians.

API keys and passwords are only ever in files (the fakes' key files, secret files
named by *_FILE variables), never in argv."""
import contextlib
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UA = "starrhost/"
RUN_TIMEOUT = 120  # seconds for one run; its process group is killed past that
API = {"prowlarr": "v1", "sonarr": "v3", "radarr": "v3", "lidarr": "v1", "readarr": "v1"}
SECRETS = ("qbittorrent-password", "indexer-api-key")
_FAKES = [os.path.join(ROOT, "tests", "fakearr")]


def use_fakes(path):
    """Benchmarks another copy of the fakes (default tests/fakearr); before new_stack."""
    _FAKES[0] = os.path.abspath(path)


def _stack_class():
    if _FAKES[0] not in sys.path:
        sys.path.insert(0, _FAKES[0])
    from stack import Stack  # noqa: E402  (tests/fakearr/stack.py)
    return Stack


def _raise_exit(signum, _frame):
    sys.exit(128 + signum)


def exit_on_signals():
    """SIGTERM/SIGHUP/SIGINT raise SystemExit, so every `finally` stops the fakes."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _raise_exit)


def need_gnu_time(what):
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("%s: GNU time (/usr/bin/time) is missing; install the 'time' package" % what)


def median(xs):
    return statistics.median(xs)


class Bench:
    def __init__(self, starrhost, scripts, workdir):
        self.starrhost = os.path.abspath(starrhost)
        self.scripts = os.path.abspath(scripts)
        self.workdir = workdir
        self.secret_dir = os.path.join(workdir, "secrets")
        os.makedirs(self.secret_dir, exist_ok=True)
        for name in SECRETS:
            path = os.path.join(self.secret_dir, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(secrets.token_hex(12) + "\n")
            os.chmod(path, 0o600)
        self.stacks = []

    def secret(self, name):
        with open(os.path.join(self.secret_dir, name), encoding="utf-8") as f:
            return f.read().strip()

    def new_stack(self, name, apps=("prowlarr", "sonarr", "radarr"), extra_args=None, indexers=3):
        """Fakes APPS (entries NAME or NAME=TYPE) plus the dummy service, started."""
        st = _stack_class()(workdir=os.path.join(self.workdir, name), apps=tuple(apps) + ("dummy",),
                            indexers=indexers, extra_args=extra_args)
        self.stacks.append(st)
        st.start()
        return st

    @staticmethod
    def instances(st):
        return [a for a in st.apps if st.types[a] != "dummy"]

    def reset(self, st):
        """Every fake restarted empty, on the same ports with the same keys: a fresh
        stack whose URLs and keys are those of the last one."""
        for a in st.apps:
            st.stop_app(a)
            state = st.path(a, "state.json")
            if os.path.exists(state):
                os.unlink(state)
        for a in st.apps:
            st.start_app(a)

    def stop_all(self):
        for st in self.stacks:
            try:
                st.stop()
            except Exception as e:  # keep stopping the others
                print("warning: stopping a stack: %s" % e, file=sys.stderr)

    def write_config(self, name, text):
        path = os.path.join(self.workdir, name + ".lua")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def env(self, st):
        env = dict(os.environ)
        for k in list(env):
            if k.endswith(("_API_KEY", "_API_KEY_FILE", "_URL")) or k.startswith("STARRHOST_"):
                del env[k]
        env.update(st.env())
        for name in SECRETS:
            env[name.upper().replace("-", "_") + "_FILE"] = os.path.join(self.secret_dir, name)
        return env

    def quiesce(self, st, settle=0.3, limit=20.0):
        """Waits until no request log grows for SETTLE seconds (background syncs
        between the fakes), at most LIMIT seconds."""
        paths = [st.log_path(a) for a in self.instances(st)]
        sizes = None
        quiet_since = time.monotonic()
        deadline = quiet_since + limit
        while time.monotonic() < deadline:
            now = [os.path.getsize(p) if os.path.exists(p) else 0 for p in paths]
            if now != sizes:
                sizes, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                return True
            time.sleep(0.05)
        return False

    def run(self, st, config, label, command="run", args=(), argv=None, ua=UA, settle=0.3,
            env=None):
        """One bounded run against ST: `starrhost COMMAND --config CONFIG ARGS`, or
        ARGV instead (ENV: more variables). Returns its requests per instance (User-Agent UA only), wall
        time, peak RSS (GNU time), exit code and the path of its output."""
        if settle:
            self.quiesce(st, settle=settle)
        apps = self.instances(st)
        offsets = {a: os.path.getsize(st.log_path(a)) if os.path.exists(st.log_path(a)) else 0
                   for a in apps}
        rss_file = os.path.join(self.workdir, "rss")
        out_file = os.path.join(self.workdir, "%s.out" % label.replace(" ", "_").replace("/", "_"))
        cmd = argv or [self.starrhost, command, "--scripts", self.scripts, "--config", config,
                       *args]
        with open(out_file, "wb") as out:
            start = time.perf_counter()
            p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, *cmd],
                                 env=dict(self.env(st), **(env or {})), stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
            wait_bounded(p, RUN_TIMEOUT, label)
            wall = time.perf_counter() - start
        with open(rss_file, encoding="utf-8") as f:
            rss_kib = int(f.read().strip().splitlines()[-1])
        time.sleep(0.05)  # a fake may still be writing the line of the last answer
        got = {}
        for a in apps:
            entries = []
            if os.path.exists(st.log_path(a)):
                with open(st.log_path(a), "rb") as f:
                    f.seek(offsets[a])
                    for line in f:
                        try:
                            e = json.loads(line)
                        except ValueError:
                            continue
                        if str(e.get("ua", "")).startswith(ua):
                            entries.append(e)
            got[a] = entries
        return {"label": label, "rc": p.returncode, "wall": wall, "rss_kib": rss_kib,
                "apps": got, "output": out_file}


def wait_bounded(p, timeout, label):
    """Waits for P (started in its own session); past TIMEOUT, or when this process
    is told to stop, kills its whole process group (GNU time and what runs under it)."""
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(p)
        raise RuntimeError("%s: no exit after %ds" % (label, timeout))
    except BaseException:  # SIGTERM/SIGINT while it runs: it goes too
        _kill_group(p)
        raise


def _kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass
    p.wait()


def summarise(result):
    per_app = {}
    for a, entries in result["apps"].items():
        per_app[a] = {
            "requests": len(entries),
            "writes": sum(1 for e in entries if e.get("write")),
            "reads": sum(1 for e in entries if not e.get("write")),
            "tests": sum(1 for e in entries if not e.get("write") and e.get("method") != "GET"),
            "connections": len({e.get("conn") for e in entries}),
            "errors": sum(1 for e in entries if int(e.get("status") or 0) >= 400),
            "calls": ["%s %s" % (e.get("method"), e.get("path")) for e in entries],
        }
    total = {k: sum(v[k] for v in per_app.values())
             for k in ("requests", "writes", "reads", "tests", "connections", "errors")}
    return {"label": result["label"], "rc": result["rc"], "wall": result["wall"],
            "rss_kib": result["rss_kib"], "apps": per_app, "total": total,
            "output": result.get("output")}


def tail(path, n=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# --- the wiring config: what a first run of a stack writes ----------------------------

ROOT_FOLDER = {"sonarr": "/tv", "radarr": "/movies", "lidarr": "/music", "readarr": "/books"}
CATEGORY_FIELD = {"sonarr": "tvCategory", "radarr": "movieCategory", "lidarr": "musicCategory",
                  "readarr": "bookCategory"}


def lua_key(name):
    return name if name.replace("_", "a").isalnum() and not name[0].isdigit() else '["%s"]' % name


def wiring_config(targets, extra=""):
    """A config for the targets [(instance, type)] of one Prowlarr (whose applications
    come from the environment): per target one root folder and one qBittorrent
    download client (the dummy service, password from a secret file). An instance
    not named like its type gets `type` and a path and category of its own. EXTRA is
    Lua inserted into the returned table."""
    lines = ["-- starrhost benchmark config (generated by bench/benchlib.py)",
             'local dummy = tonumber(env("FAKEARR_DUMMY_PORT"))',
             'local qb_password = secret("qbittorrent-password")',
             "return {", "  wait = { timeout = 30 },"]
    for name, kind in targets:
        own = name == kind
        path = ROOT_FOLDER[kind] if own else "/data/" + name
        category = kind if own else name
        lines += [
            "  %s = {%s" % (lua_key(name), "" if own else ' type = "%s",' % kind),
            '    root_folders = { "%s" },' % path,
            "    download_clients = {",
            '      { name = "qBittorrent", implementation = "QBittorrent",',
            '        fields = { host = "127.0.0.1", port = dummy, username = "admin",',
            '                   password = qb_password, %s = "%s" } },' % (CATEGORY_FIELD[kind],
                                                                        category),
            "    },",
            "  },",
        ]
    if extra:
        lines.append(extra)
    lines.append("}")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def session(what, args, prefix):
    """One benchmark's fakes and work directory, from its --starrhost, --scripts, --fakes and
    --keep: a signal ends it cleanly, a fake that did not start or a run past its bound is one
    line, the fakes stop however it ends, and the directory is kept when asked or on failure."""
    exit_on_signals()
    need_gnu_time(what)
    if args.fakes:
        use_fakes(args.fakes)
    workdir = tempfile.mkdtemp(prefix=prefix)
    bench = Bench(args.starrhost, args.scripts, workdir)
    ok = False
    try:
        yield bench, workdir
        ok = True
    except RuntimeError as e:
        sys.exit("%s: %s" % (what, e))
    finally:
        bench.stop_all()
        if args.keep or not ok:
            print("work directory kept: %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def write_json(path, value):
    """--out: the results as JSON (nothing when PATH is empty)."""
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)


def fail_on(what, failures):
    """After the report: each failed run with the end of its output, then a failed benchmark."""
    for r in failures:
        print("  FAILED: %s (exit %s); its output:\n%s" % (r["label"], r["rc"], tail(r["output"])))
    if failures:
        sys.exit("%s: %d run(s) failed" % (what, len(failures)))
