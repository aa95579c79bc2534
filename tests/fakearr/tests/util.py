"""Helpers for the fake's own tests: start a fake process, talk HTTP/1.1 to it
over one kept-alive connection, small local servers to test against."""
import atexit
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FAKEARR = os.path.join(ROOT, "fakearr.py")
sys.path.insert(0, ROOT)  # stack.py

KEYS = {"sonarr": "0123456789abcdef0123456789abcdef", "radarr": "fedcba9876543210fedcba9876543210",
        "prowlarr": "00112233445566778899aabbccddeeff", "lidarr": "11112222333344445555666677778888",
        "readarr": "99998888777766665555444433332222"}
NOKEY = object()


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:400])


_LIVE = []  # every fake process started, stopped at exit whatever happened


@atexit.register
def _stop_leftovers():
    for p in _LIVE:
        if p.poll() is None:
            p.kill()
            p.wait()


class Fake:
    def __init__(self, app, *args, wait=True):
        self.app = app
        self.dir = tempfile.mkdtemp(prefix="fakearr-test-")
        self.key = KEYS[app]
        self.key_file = os.path.join(self.dir, "key")
        with open(self.key_file, "w") as f:
            f.write(self.key + "\n")
        self.log = os.path.join(self.dir, "requests.log")
        self.state = os.path.join(self.dir, "state.json")
        self.args = list(args)
        self.port = None
        self.proc = None
        self.conn = None
        self.start(wait)

    def start(self, wait=True):
        pf = os.path.join(self.dir, "port")
        if os.path.exists(pf):
            os.unlink(pf)
        argv = [sys.executable, FAKEARR, "--app", self.app, "--api-key-file", self.key_file,
                "--port-file", pf, "--request-log", self.log, "--state", self.state, "--quiet"]
        if self.port:
            argv += ["--port", str(self.port)]
        self.err = open(os.path.join(self.dir, "stderr"), "ab")
        self.proc = subprocess.Popen(argv + self.args, stdout=self.err, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        _LIVE.append(self.proc)
        deadline = time.monotonic() + 10
        while not os.path.exists(pf):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("fake did not start: " + open(os.path.join(
                    self.dir, "stderr")).read())
            time.sleep(0.01)
        self.port = int(open(pf).read())
        if wait:
            self.wait_listening()

    @classmethod
    def attach(cls, app, port, key):
        """A client for a fake started elsewhere (a Stack): requests only, no process."""
        f = cls.__new__(cls)
        f.app, f.port, f.key, f.conn, f.proc = app, port, key, None, None
        return f

    def wait_listening(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def api(self, path):
        v = "v1" if self.app in ("prowlarr", "lidarr", "readarr") else "v3"
        return "/api/%s/%s" % (v, path.lstrip("/"))

    def request(self, method, path, body=None, key=NOKEY, headers=None, raw=None,
                content_type="application/json", new_conn=False):
        hdrs = {"Accept": "application/json", "User-Agent": "fakearr-tests"}
        if key is NOKEY:
            key = self.key
        if key is not None:
            hdrs["X-Api-Key"] = key
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None or new_conn:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                payload = r.read()
                return Reply(r.status, {k.lower(): v for k, v in r.getheaders()},
                             payload.decode("utf-8", "replace"))
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def get(self, path, **kw):
        return self.request("GET", self.api(path), **kw)

    def post(self, path, body, **kw):
        return self.request("POST", self.api(path), body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", self.api(path), body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", self.api(path), **kw)

    def template(self, kind, impl):
        r = self.get(kind + "/schema")
        return next(x for x in r.json if x["implementation"] == impl)

    def stored(self):
        time.sleep(0.3)  # the fake writes its state file within 0.1 s of a change
        with open(self.state) as f:
            return json.load(f)

    def log_lines(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.conn:
            self.conn.close()
            self.conn = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def reference(app, kind):
    """The app's /schema answer from tests/fakearr/reference/schemas."""
    with open(os.path.join(HERE, "..", "reference", "schemas", app, kind + ".json"),
              encoding="utf-8") as fh:
        return json.load(fh)


def set_fields(resource, **values):
    """Set field values by name (dots written as __)."""
    for f in resource["fields"]:
        key = f["name"].replace(".", "__")
        if key in values:
            f["value"] = values[key]
    return resource


def field(resource, name):
    for f in resource["fields"]:
        if f["name"] == name:
            return f.get("value", None)
    raise KeyError(name)


def has_value(resource, name):
    return any(f["name"] == name and "value" in f for f in resource["fields"])


class Listener:
    """A TCP port that accepts connections (a 'download client' that is up)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SlowNewznab:
    """A Newznab endpoint that answers caps and one release after a delay."""

    def __init__(self, delay):
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                time.sleep(outer.delay)
                if "t=caps" in self.path:
                    body = ('<caps><searching><search available="yes" supportedParams="q"/>'
                            '<tv-search available="yes" supportedParams="q,season,ep"/>'
                            '</searching></caps>')
                else:
                    body = ('<rss><channel><item><title>x</title><newznab:attr '
                            'xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/" '
                            'name="category" value="5030"/></item></channel></rss>')
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.delay = delay
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()
