"""The e2e test rig: fake apps (tests/fakearr) on free loopback ports, a helper
server standing in for qBittorrent/webhooks/FlareSolverr, a small API client to
inspect the fakes, and a runner for starrhost that keeps every output.
Everything started here is stopped on any exit."""
import atexit
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKEARR = os.environ.get("FAKEARR", os.path.join(ROOT, "tests", "fakearr", "fakearr.py"))
STARRHOST = os.environ.get("STARRHOST", os.path.join(ROOT, "build", "starrhost")).split()
API = {"sonarr": "v3", "radarr": "v3", "lidarr": "v1", "readarr": "v1", "prowlarr": "v1"}

_live = []


def _stop_all():
    for p in list(_live):
        stop_process(p)


def stop_process(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _live:
        _live.remove(p)


atexit.register(_stop_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, lambda signum, frame: sys.exit(128 + signum))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Helper(http.server.ThreadingHTTPServer):
    """Accepts TCP connects (download-client test), webhook POSTs and FlareSolverr's /v1."""
    daemon_threads = True

    def __init__(self):
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                body = b'{"status":"ok","message":"","solution":{"status":200}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_POST
        super().__init__(("127.0.0.1", 0), H)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


def env_prefix(name):
    """An instance's environment prefix: SONARR_4K for "sonarr-4k"."""
    return name.upper().replace("-", "_")


class App:
    """One fake app: an instance NAME of TYPE (the fake's --app), its own port, key, log, state."""

    def __init__(self, stack, name, key, extra, kind=None):
        self.stack, self.name, self.key, self.extra = stack, name, key, extra
        self.kind = kind or name  # the app type; name is the instance (sonarr-4k)
        self.port = None
        self.proc = None
        self.log = os.path.join(stack.dir, name + ".requests.jsonl")
        self.state = os.path.join(stack.dir, name + ".state.json")
        self.key_file = os.path.join(stack.dir, name + ".key")
        self.write_key(key)

    def write_key(self, key):
        self.key = key
        with open(self.key_file, "w") as f:
            f.write(key + "\n")
        os.chmod(self.key_file, 0o600)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, *args, wait=True):
        port_file = os.path.join(self.stack.dir, self.name + ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        cmd = [sys.executable, FAKEARR, "--app", self.kind, "--port", str(self.port or 0),
               "--port-file", port_file, "--api-key-file", self.key_file,
               "--request-log", self.log, "--state", self.state, "--quiet"] + \
            list(self.extra) + list(args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.stack.dir, self.name + ".err"), "a"))
        _live.append(self.proc)
        deadline = time.monotonic() + 15
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake %s did not start" % self.name)
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        if wait:
            self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/ping", timeout=1).read()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        raise RuntimeError("fake %s not answering" % self.name)

    def stop(self):
        if self.proc:
            stop_process(self.proc)
            self.proc = None

    # --- inspecting the fake directly (these requests carry no starrhost UA) ---
    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("%s/api/%s/%s" % (self.url, API[self.kind], path), data=data,
                                     method=method, headers={"X-Api-Key": self.key,
                                                             "Content-Type": "application/json",
                                                             "User-Agent": "e2e"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw.strip() else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")

    def get(self, path):
        status, data = self.api("GET", path)
        assert status == 200, "GET %s %s: %s %s" % (self.name, path, status, data)
        return data

    def requests(self, ua_prefix="starrhost"):
        """Request-log entries made by starrhost (not Prowlarr's own calls, not ours)."""
        out = []
        if os.path.exists(self.log):
            with open(self.log) as f:
                for line in f:
                    e = json.loads(line)
                    if e.get("ua", "").startswith(ua_prefix):
                        out.append(e)
        return out

    def clear_log(self):
        open(self.log, "w").close()


def is_write(e):
    last = e["path"].split("?")[0].rstrip("/").rsplit("/", 1)[-1].lower()
    # A provider test and the forms login (a password check) change nothing.
    return e["method"] not in ("GET", "HEAD") and last not in ("test", "testall", "login")


class Stack:
    """Fresh fake apps in a temporary directory for one test. APPS: instance names, or
    "name=type" for an instance not named like its type ("sonarr-4k=sonarr")."""

    def __init__(self, apps=("prowlarr", "sonarr", "radarr"), extra=None):
        self.dir = tempfile.mkdtemp(prefix="starrhost-e2e-")
        self.helper = Helper()
        self.secrets = set()
        self.apps = {}
        self.outputs = []
        for spec in apps:
            self.add(spec, (extra or {}).get(spec.split("=")[0], ()))

    def add(self, spec, extra=()):
        """Adds instance SPEC ("name" or "name=type"), not yet started."""
        name, _, kind = spec.partition("=")
        key = secrets.token_hex(16)
        self.secrets.add(key)
        self.apps[name] = App(self, name, key, extra, kind or None)
        return self.apps[name]

    def __getitem__(self, name):
        return self.apps[name]

    def start(self, wait=True):
        for a in self.apps.values():
            if a.proc is None:
                a.start(wait=False)
        if wait:
            for a in self.apps.values():
                a.wait_ready()
        return self

    def stop(self):
        for a in self.apps.values():
            a.stop()
        self.helper.shutdown()
        self.helper.server_close()

    def secret_file(self, name, value):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(value + "\n")
        os.chmod(path, 0o600)
        self.secrets.add(value)
        return path

    def env(self, apps=None):
        """starrhost's environment for instances APPS (default: all): <PREFIX>_URL and
        <PREFIX>_API_KEY_FILE each, STARRHOST_INSTANCES for those not named like their type."""
        env = {k: v for k, v in os.environ.items()
               if not any(k.startswith(p) for p in ("SONARR_", "RADARR_", "PROWLARR_", "LIDARR_",
                                                    "READARR_", "STARRHOST_"))}
        env["STARRHOST_SECRETS_DIR"] = os.path.join(self.dir, "no-secrets-dir")
        extra = []
        for name in apps or self.apps:
            a = self.apps[name]
            env[env_prefix(name) + "_URL"] = a.url
            env[env_prefix(name) + "_API_KEY_FILE"] = a.key_file
            if a.kind != name:
                extra.append("%s=%s" % (name, a.kind))
        if extra:
            env["STARRHOST_INSTANCES"] = ",".join(extra)
        return env

    def clear_logs(self):
        for a in self.apps.values():
            a.clear_log()

    def writes(self):
        return [e for a in self.apps.values() for e in a.requests() if is_write(e)]

    def run(self, *args, env=None, timeout=120):
        """Runs starrhost; returns (rc, stdout, stderr) and keeps them for the secrets check."""
        cmd = STARRHOST + list(args)
        p = subprocess.run(cmd, env=env if env is not None else self.env(), cwd=ROOT,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        self.outputs.append((" ".join(args), out + err))
        return p.returncode, out, err

    def leaked(self):
        """Secret values found in any output of any run of this stack."""
        found = []
        for label, text in self.outputs:
            for s in self.secrets:
                if s and s in text:
                    found.append("%s: a secret value (%d characters) is in the output" % (label, len(s)))
        return found
