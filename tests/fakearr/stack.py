#!/usr/bin/env python3
"""Start a stack of fake apps (default Prowlarr, Sonarr, Radarr) on free loopback
ports, each with its own API key file, request log and state file in one
directory. As a library: `with Stack(workdir) as st: st.url("sonarr")`.

Command line:
  stack.py run   [options] -- COMMAND [ARG...]   start, run COMMAND with the stack's
                                                 environment, stop; exit with its status
  stack.py start [options]                       start and leave running; prints the
                                                 environment (also written to DIR/env.sh)
  stack.py stop  --dir DIR                       stop a stack started with `start`
Options: --dir DIR (default: a new temporary directory), --apps prowlarr,sonarr,radarr[,dummy]
  (an entry NAME=TYPE starts a second instance of a type: sonarr-4k=sonarr),
  --indexers N, --args APP=ARGS (extra fakearr.py arguments for one app, repeatable),
  --timeout S (seconds to wait for each app to listen).
"""
import argparse
import atexit
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAKEARR = os.path.join(HERE, "fakearr.py")
DUMMY = os.path.join(HERE, "dummy.py")
DUMMY_NAME = "dummy"  # not an app: a service that accepts anything (see dummy.py)
DEFAULT_APPS = ("prowlarr", "sonarr", "radarr")
TYPES = ("prowlarr", "sonarr", "radarr", "lidarr", "readarr", DUMMY_NAME)


def parse_instance(spec):
    """'sonarr' -> ('sonarr', 'sonarr'); 'sonarr-4k=sonarr' -> ('sonarr-4k', 'sonarr')."""
    name, _, kind = spec.partition("=")
    kind = kind or name
    if kind not in TYPES or not name or not all(c.islower() or c.isdigit() or c in "-_"
                                                for c in name):
        raise ValueError("bad instance %r: NAME or NAME=TYPE, NAME of a-z 0-9 - _, TYPE one of "
                         "%s" % (spec, ", ".join(TYPES)))
    return name, kind


def env_prefix(name):
    """The instance's environment prefix: SONARR_4K for sonarr-4k."""
    return name.upper().replace("-", "_")


_LIVE = []  # processes of every Stack in this interpreter, killed at exit if still running


@atexit.register
def _kill_leftovers():
    for p in _LIVE:
        if p.poll() is None and not getattr(p, "detached", False):
            p.kill()
            p.wait()


class Stack:
    def __init__(self, workdir=None, apps=DEFAULT_APPS, indexers=3, extra_args=None,
                 timeout=15.0, quiet=True):
        self.workdir = workdir or tempfile.mkdtemp(prefix="fakearr-")
        os.makedirs(self.workdir, exist_ok=True)
        self.types = dict(parse_instance(a) for a in apps)
        self.apps = list(self.types)  # instance names, in order
        self.indexers = indexers
        self.extra_args = extra_args or {}
        self.timeout = timeout
        self.quiet = quiet
        self.procs = {}
        self.ports = {}

    # -- paths and values -------------------------------------------------------
    def path(self, app, what):
        return os.path.join(self.workdir, "%s.%s" % (app, what))

    def key_file(self, app):
        return self.path(app, "key")

    def key(self, app):
        with open(self.key_file(app), encoding="utf-8") as f:
            return f.read().strip()

    def log_path(self, app):
        return self.path(app, "log")

    def url_base(self, app):
        args = self.extra_args.get(app, [])
        for i, a in enumerate(args):
            if a == "--url-base" and i + 1 < len(args):
                return "/" + args[i + 1].strip("/") if args[i + 1].strip("/") else ""
            if a.startswith("--url-base="):
                b = a.split("=", 1)[1].strip("/")
                return "/" + b if b else ""
        return ""

    def url(self, app):
        return "http://127.0.0.1:%d%s" % (self.ports[app], self.url_base(app))

    def env(self):
        e = {}
        for app in self.apps:
            up = env_prefix(app)
            if self.types[app] == DUMMY_NAME:
                e["FAKEARR_DUMMY_URL"] = self.url(app)
                e["FAKEARR_DUMMY_PORT"] = str(self.ports[app])
                e["FAKEARR_DUMMY_LOG"] = self.log_path(app)
                continue
            e[up + "_URL"] = self.url(app)
            e[up + "_API_KEY_FILE"] = self.key_file(app)
            e["FAKEARR_%s_LOG" % up] = self.log_path(app)
            e["FAKEARR_%s_PID" % up] = str(self.procs[app].pid) if app in self.procs else \
                open(self.path(app, "pid")).read().strip()
        e["FAKEARR_DIR"] = self.workdir
        return e

    # -- lifecycle -------------------------------------------------------------------
    def start_app(self, app, detach=False):
        pf = self.path(app, "port")
        if os.path.exists(pf):
            os.unlink(pf)
        kind = self.types[app]
        if kind == DUMMY_NAME:
            args = [sys.executable, DUMMY, "--port-file", pf, "--request-log", self.log_path(app)]
        else:
            kf = self.key_file(app)
            if not os.path.exists(kf):
                with open(kf, "w", encoding="utf-8") as f:
                    f.write(secrets.token_hex(16) + "\n")
            args = [sys.executable, FAKEARR, "--app", kind, "--port-file", pf, "--api-key-file",
                    kf, "--request-log", self.log_path(app), "--state",
                    self.path(app, "state.json")]
        if kind == "prowlarr":
            args += ["--indexers", str(self.indexers)]
        if self.quiet and kind != DUMMY_NAME:
            args.append("--quiet")
        # A restarted app keeps its port so that the URLs stay valid.
        extra = list(self.extra_args.get(app, []))
        if app in self.ports and "--port" not in extra:
            args += ["--port", str(self.ports[app])]
        args += extra
        err = open(self.path(app, "stderr"), "ab")
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                             start_new_session=detach)
        p.detached = detach
        _LIVE.append(p)
        self.procs[app] = p
        with open(self.path(app, "pid"), "w", encoding="utf-8") as f:
            f.write("%d\n" % p.pid)
        deadline = time.monotonic() + self.timeout
        while not os.path.exists(pf):
            if p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake %s did not start (see %s)" % (app,
                                                                      self.path(app, "stderr")))
            time.sleep(0.02)
        with open(pf, encoding="utf-8") as f:
            self.ports[app] = int(f.read().strip())
        if "--startup-delay" not in " ".join(extra):
            self.wait_listening(app, deadline)

    def wait_listening(self, app, deadline=None):
        deadline = deadline or time.monotonic() + self.timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.ports[app]), timeout=1):
                    return
            except OSError:
                if self.procs[app].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fake %s is not listening" % app)
                time.sleep(0.02)

    def start(self, detach=False):
        try:
            for app in self.apps:
                self.start_app(app, detach)
        except BaseException:
            self.stop()
            raise
        return self

    def stop_app(self, app):
        p = self.procs.pop(app, None)
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def restart_app(self, app, extra_args=None):
        self.stop_app(app)
        if extra_args is not None:
            self.extra_args[app] = extra_args
        self.start_app(app)

    def rotate_key(self, app, new_key=None):
        """Give app a new API key (a user regenerating it) and restart it on its port;
        its data is kept (state file). Returns the new key."""
        new_key = new_key or secrets.token_hex(16)
        with open(self.key_file(app), "w", encoding="utf-8") as f:
            f.write(new_key + "\n")
        self.restart_app(app)
        return new_key

    def stop(self):
        for app in list(self.procs):
            self.stop_app(app)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _stop_dir(workdir):
    for name in sorted(os.listdir(workdir)):
        if not name.endswith(".pid"):
            continue
        with open(os.path.join(workdir, name), encoding="utf-8") as f:
            pid = int(f.read().strip() or 0)
        if pid <= 0:
            continue
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.unlink(os.path.join(workdir, name))


def main(argv=None):
    p = argparse.ArgumentParser(prog="stack.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("run", "start", "stop"))
    p.add_argument("--dir")
    p.add_argument("--apps", default=",".join(DEFAULT_APPS))
    p.add_argument("--indexers", type=int, default=3)
    p.add_argument("--args", action="append", default=[], metavar="APP=ARGS")
    p.add_argument("--timeout", type=float, default=15.0)
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv[argv.index("--") + 1:] if "--" in argv else []
    o = p.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if o.mode == "stop":
        if not o.dir:
            p.error("stop needs --dir")
        _stop_dir(o.dir)
        return 0
    extra = {}
    for a in o.args:
        app, _, rest = a.partition("=")
        extra.setdefault(app, []).extend(shlex.split(rest))
    try:
        st = Stack(o.dir, [a for a in o.apps.split(",") if a], o.indexers, extra, o.timeout)
    except ValueError as e:
        p.error(str(e))
    if o.mode == "start":
        st.start(detach=True)
        lines = ["export %s=%s" % (k, shlex.quote(v)) for k, v in sorted(st.env().items())]
        with open(os.path.join(st.workdir, "env.sh"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines))
        return 0
    if not cmd:
        p.error("run needs a command after --")
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    with st:
        env = dict(os.environ)
        env.update(st.env())
        try:
            return subprocess.call(cmd, env=env)
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
