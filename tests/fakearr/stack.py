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
Options: --dir DIR (default: a new temporary directory), --apps prowlarr,sonarr,radarr,
  --indexers N, --args APP=ARGS (extra fakearr.py arguments for one app, repeatable),
  --timeout S (seconds to wait for each app to listen).
"""
import argparse
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
DEFAULT_APPS = ("prowlarr", "sonarr", "radarr")


class Stack:
    def __init__(self, workdir=None, apps=DEFAULT_APPS, indexers=3, extra_args=None,
                 timeout=15.0, quiet=True):
        self.workdir = workdir or tempfile.mkdtemp(prefix="fakearr-")
        os.makedirs(self.workdir, exist_ok=True)
        self.apps = list(apps)
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
            up = app.upper()
            e[up + "_URL"] = self.url(app)
            e[up + "_API_KEY_FILE"] = self.key_file(app)
            e["FAKEARR_%s_LOG" % up] = self.log_path(app)
            e["FAKEARR_%s_PID" % up] = str(self.procs[app].pid) if app in self.procs else \
                open(self.path(app, "pid")).read().strip()
        e["FAKEARR_DIR"] = self.workdir
        return e

    # -- lifecycle -------------------------------------------------------------------
    def start_app(self, app, detach=False):
        kf = self.key_file(app)
        if not os.path.exists(kf):
            with open(kf, "w", encoding="utf-8") as f:
                f.write(secrets.token_hex(16) + "\n")
        pf = self.path(app, "port")
        if os.path.exists(pf):
            os.unlink(pf)
        args = [sys.executable, FAKEARR, "--app", app, "--port-file", pf, "--api-key-file", kf,
                "--request-log", self.log_path(app), "--state", self.path(app, "state.json")]
        if app == "prowlarr":
            args += ["--indexers", str(self.indexers)]
        if self.quiet:
            args.append("--quiet")
        # A restarted app keeps its port so that the URLs stay valid.
        extra = list(self.extra_args.get(app, []))
        if app in self.ports and "--port" not in extra:
            args += ["--port", str(self.ports[app])]
        args += extra
        err = open(self.path(app, "stderr"), "ab")
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                             start_new_session=detach)
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
    st = Stack(o.dir, [a for a in o.apps.split(",") if a], o.indexers, extra, o.timeout)
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
