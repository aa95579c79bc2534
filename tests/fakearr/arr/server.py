"""HTTP plumbing of a fake app: authentication, URL base, start-up window,
routing, fault injection, latency and the request log."""
import datetime
import email.utils
import http.server
import json
import random
import re
import sys
import threading
import time
import traceback
import urllib.parse

from . import cardigann, prowlarr, settings, simple
from .binding import Binder
from .catalog import catalog
from .providers import kinds_for
from .store import Store
from .wire import ApiError, dumps, error_model, problem

APPS = {
    "sonarr": {"display": "Sonarr", "api": "v3", "version": "4.0.19.2979", "runtime": "net6",
               "port": 8989},
    "radarr": {"display": "Radarr", "api": "v3", "version": "5.28.0.10274", "runtime": "net6",
               "port": 7878},
    "prowlarr": {"display": "Prowlarr", "api": "v1", "version": "2.3.6.5223", "runtime": "net8",
                 "port": 9696},
    "lidarr": {"display": "Lidarr", "api": "v1", "version": "2.14.5.4836", "runtime": "net8",
               "port": 8686},
    "readarr": {"display": "Readarr", "api": "v1", "version": "0.4.18.2805", "runtime": "net6",
                "port": 8787},
}

SPA = b"<!doctype html><html><head><title>%s</title></head><body><div id=\"root\"></div>" \
      b"</body></html>"
FEED_RE = re.compile(r"^/(\d+)/api/?$")
NEWZNAB_RE = re.compile(r"^/api/v1/indexer/(\d+)/newznab/?$", re.I)


class Resp:
    def __init__(self, status, body=None, headers=None, content_type="application/json",
                 write=False, changed=False):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type
        self.write = write
        self.changed = changed
        self.fault = None

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return dumps(self.body).encode("utf-8")


class App:
    def __init__(self, opts, api_key):
        info = APPS[opts.app]
        self.name = opts.app
        self.display = info["display"]
        self.api_version = info["api"]
        self.version = opts.version or info["version"]
        self.runtime = info["runtime"]
        self.ns = self.display
        self.instance_name = opts.instance_name or self.display
        self.bool_numbers = self.name == "prowlarr"
        self.binder = Binder(self.runtime, self.ns, self.bool_numbers)
        self.api_key = api_key
        base = (opts.url_base or "").strip("/")
        self.url_base = "/" + base if base else ""
        self.port = 0
        self.user_agent = "%s/%s (debian 12)" % (self.display, self.version)
        self.start_time = simple.now_iso()
        self.store = Store(opts.state)
        self.fail_rate = opts.fail_rate
        self.fail_mode = opts.fail_mode
        self.fail_skip_ua = opts.fail_skip_ua or []
        self.latency = opts.latency / 1000.0
        # Mid-run trouble: after N counted API requests (those whose User-Agent starts
        # with --after-ua, default all) the key is revoked, or the app stops answering.
        self.revoke_key_after = opts.revoke_key_after
        self.down_after = opts.down_after
        self.after_ua = opts.after_ua or ""
        self.counted = 0
        self.count_lock = threading.Lock()
        self.key_revoked = False
        self.gone = False
        self.rng = random.Random(opts.seed)
        self.rng_lock = threading.Lock()
        self.startup_503_until = 0.0
        self.startup_503 = opts.startup_503
        self.log_file = open(opts.request_log, "a", encoding="utf-8") if opts.request_log \
            else None
        self.log_lock = threading.Lock()
        self.quiet = opts.quiet
        self.schema_cache = {}
        self.app_status = prowlarr.AppStatus(time.monotonic(), opts.app_failure_grace)
        self.hooks = prowlarr.Hooks(self) if self.name == "prowlarr" else _NoHooks()
        self.prowlarr_indexer_output = prowlarr.indexer_output(self)
        self.controllers = {}
        cat = cardigann.extend(self.name, catalog(self.name))
        for route, kind in kinds_for(self).items():
            self.controllers[route] = cardigann.controller(self, route)(self, kind, cat[route])
        self.tags = simple.Tags(self)
        if self.name == "prowlarr":
            self.sync = prowlarr.Sync(self)
            if not self.store.loaded:
                self.store.insert("AppProfiles", {
                    "name": "Standard", "enableRss": True, "enableAutomaticSearch": True,
                    "enableInteractiveSearch": True, "minimumSeeders": 1})
                prowlarr.seed_indexers(self, opts.indexers)
            handlers = {"applicationindexersync": (
                "ApplicationIndexerSync", "Application Indexer Sync", {"forceSync": "bool"},
                lambda body: self.sync.sync_all(True, body.get("forceSync"))),
                "healthcheck": ("CheckHealth", "Check Health", {}, lambda body: None)}
            self.root_folders = None
        else:
            handlers = {n.lower(): (n, d, {}, lambda body: None) for n, d in (
                ("RssSync", "RSS Sync"), ("CheckHealth", "Check Health"),
                ("RefreshMonitoredDownloads", "Refresh Monitored Downloads"),
                ("ApplicationUpdateCheck", "Application Update Check"), ("Backup", "Backup"))}
            self.root_folders = simple.RootFolders(self, opts.existing_path or [
                "/tv", "/movies", "/music", "/books", "/downloads", "/data"],
                opts.unwritable_path or [])
        self.commands = simple.Commands(self, handlers)
        self.settings = settings.Routes(self)
        self.store.flush()

    # -- helpers used by the modules ----------------------------------------------
    def log_line(self, msg):
        if not self.quiet:
            sys.stderr.write("fakearr %s: %s\n" % (self.name, msg))
            sys.stderr.flush()

    def app_profile_ids(self):
        return [p["id"] for p in self.store.all("AppProfiles")]

    def app_profile(self, pid):
        return self.store.get("AppProfiles", pid or 0)

    def public_base(self):
        return "http://127.0.0.1:%d%s" % (self.port, self.url_base)

    def request_log(self, entry):
        if self.log_file is None:
            return
        line = json.dumps(entry, separators=(",", ":"))
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    # -- the pipeline ---------------------------------------------------------------
    def handle(self, method, target, headers, body):
        path, _, qs = target.partition("?")
        path = urllib.parse.unquote(path)
        query = prowlarr.parse_query(qs)
        key = query.get("apikey") if "apikey" in query else None
        if key is None:
            key = headers.get("X-Api-Key")
            auth = headers.get("Authorization") or ""
            if key is None and auth.startswith("Bearer "):
                key = auth[len("Bearer "):]
        rel, has_base = path, True
        if self.url_base:
            low, base = path.lower(), self.url_base.lower()
            if low == base or low.startswith(base + "/"):
                rel = path[len(self.url_base):] or "/"
            else:
                has_base = False
        low = rel.lower()
        feed = self.name == "prowlarr" and (FEED_RE.match(rel) or NEWZNAB_RE.match(rel))
        is_api = low == "/api" or low.startswith("/api/") or bool(feed)
        if is_api and key == self.api_key and self._count(headers):
            return Resp(401)  # the key was revoked mid-run (--revoke-key-after)
        # 1. authentication runs first: a bad key gets an empty 401, no version header
        if is_api and key != self.api_key:
            return Resp(401)
        # 2. URL base: a request without it is redirected
        if not has_base:
            loc = self.url_base + path + ("?" + qs if qs else "")
            return Resp(307, headers={"Location": loc})
        # 3. still starting up: 503 with the apps' sentence
        if time.monotonic() < self.startup_503_until:
            sentence = "%s is starting up, please try again later" % self.display
            if is_api:
                return self._versioned(Resp(503, {"errorMessage": sentence}))
            return Resp(503, sentence, content_type="text/plain")
        if low == "/ping":
            if method in ("GET", "HEAD"):
                return Resp(200, {"status": "OK"})
            return Resp(405)
        if low == "/login" and method == "POST":  # forms login (anonymous)
            return Resp(302, headers={"Location": self.settings.login(body, query)})
        if not is_api:
            if method in ("GET", "HEAD"):
                return Resp(200, SPA % self.display.encode(), content_type="text/html")
            return Resp(404)
        # Faults hit the feed too: Sonarr's and Radarr's calls back into Prowlarr
        # (their test of the indexer Prowlarr pushes, Prowlarr's application test).
        fault = None
        ua = headers.get("User-Agent") or ""
        if self.fail_rate > 0 and not any(ua.startswith(x) for x in self.fail_skip_ua):
            with self.rng_lock:
                hit = self.rng.random() < self.fail_rate
                coin = self.rng.random()
            if hit:
                fault = self.fail_mode
                if fault == "mixed":
                    fault = "before" if coin < 0.5 else "after"
        if feed and fault:
            return self._versioned(self._fault_resp(fault))  # a search has nothing to keep
        if feed:
            try:
                status, xml = prowlarr.feed(self, int(feed.group(1)), query)
            except ApiError as e:
                return Resp(e.status, e.body, e.headers, e.content_type)
            return Resp(status, xml, content_type="application/rss+xml")
        parts = [x.lower() for x in rel.split("/") if x]
        write = method in ("POST", "PUT", "DELETE", "PATCH") and not (
            parts[-1:] in (["test"], ["testall"]) or "action" in parts[3:4])
        if fault == "before":
            r = self._fault_resp(fault)
        else:
            try:
                r = self.route(method, rel, query, headers, body)
            except ApiError as e:
                r = Resp(e.status, e.body, e.headers, e.content_type)
            except Exception as e:  # noqa: BLE001 - the app's error pipeline answers 500
                traceback.print_exc()
                err = error_model(500, str(e), traceback.format_exc())
                r = Resp(500, err.body)
            if fault == "after":
                done = r
                r = self._fault_resp(fault)
                r.changed = done.changed
        r.write = write
        return self._versioned(r)

    def _count(self, headers):
        """Counts an authenticated API request; True once the key is revoked. Sets
        self.gone once the app is to stop answering."""
        if self.revoke_key_after is None and self.down_after is None:
            return False
        if (headers.get("User-Agent") or "").startswith(self.after_ua):
            with self.count_lock:
                self.counted += 1
                n = self.counted
            if self.revoke_key_after is not None and n > self.revoke_key_after:
                self.key_revoked = True
            if self.down_after is not None and n > self.down_after:
                self.gone = True
        return self.key_revoked

    def _fault_resp(self, fault):
        r = Resp(500, {"message": "fakearr: injected fault (%s processing)" % fault,
                       "description": "fakearr --fail-rate"})
        r.fault = fault
        return r

    def _versioned(self, r):
        r.headers["X-Application-Version"] = self.version
        return r

    def route(self, method, rel, query, headers, body):
        parts = [p for p in rel.split("/") if p]
        if len(parts) == 1:
            if method == "GET":
                return Resp(200, {"current": self.api_version, "deprecated": []})
            return Resp(405)
        if parts[1].lower() != self.api_version:
            return Resp(404)
        if len(parts) < 3:
            return Resp(404)
        res = parts[2].lower()
        rest = parts[3:]
        reads_body = (method in ("POST", "PUT") and [r.lower() for r in rest] != ["testall"] and
                      not (res == "delayprofile" and rest[:1] == ["reorder"])) or \
            (method == "DELETE" and [r.lower() for r in rest] == ["bulk"])
        if reads_body and not self._json_content(headers):
            raise problem(self.runtime, 415)

        def out(t):
            status, payload, hdrs, changed = t
            return Resp(status, payload, hdrs, write=True, changed=changed)

        if res == "system" and rest == ["status"] and method == "GET":
            return Resp(200, simple.system_status(self))
        if res == "health" and not rest and method == "GET":
            return Resp(200, self.health())
        if res == "tag":
            return self.route_tags(method, rest, body, out)
        if res == "rootfolder" and self.root_folders is not None:
            rf = self.root_folders
            if not rest:
                if method == "GET":
                    return Resp(200, rf.list())
                if method == "POST":
                    return out(rf.create(body))
                return Resp(405)
            rid = _int(rest[0])
            if rid is None or len(rest) > 1:
                return Resp(404)
            if method == "GET":
                return Resp(200, rf.get(rid))
            if method == "DELETE":
                return out(rf.delete(rid))
            return Resp(405)
        if res == "command":
            if not rest:
                if method == "GET":
                    return Resp(200, self.commands.list())
                if method == "POST":
                    return out(self.commands.create(body))
                return Resp(405)
            cid = _int(rest[0])
            if cid is None or method != "GET":
                return Resp(404 if cid is None else 405)
            return Resp(200, self.commands.get(cid))
        handled = self.settings.route(res, method, rest, query, body)
        if handled is not None:
            status, payload, hdrs, changed = handled
            return Resp(status, payload, hdrs, write=True, changed=changed)
        ctl = self.controllers.get(res)
        if ctl is None:
            return Resp(404)
        return self.route_provider(ctl, method, rest, query, body, out, headers)

    def route_provider(self, ctl, method, rest, query, body, out, headers):
        if not rest:
            if method == "GET":
                return Resp(200, ctl.list())
            if method == "POST":
                return out(ctl.create(body, query))
            if method == "PUT":
                return out(ctl.update(body, query, None))
            return Resp(405)
        head = rest[0].lower()
        if head == "schema" and len(rest) == 1:
            return Resp(200, ctl.schema()) if method == "GET" else Resp(405)
        if head == "test" and len(rest) == 1:
            if method != "POST":
                return Resp(405)
            ctl.test(body, query)
            # The action returns the string "{}": JSON-encoded when the client asks for JSON
            # only, plain text otherwise (ASP.NET's string output formatter comes first).
            accept = (headers.get("Accept") or "").lower()
            if "json" in accept and "*/*" not in accept and "text/plain" not in accept:
                return Resp(200, b'"{}"')
            return Resp(200, b"{}", content_type="text/plain; charset=utf-8")
        if head == "testall" and len(rest) == 1:
            if method != "POST":
                return Resp(405)
            status, payload, hdrs, _ = ctl.testall()
            return Resp(status, payload, hdrs)
        if head == "bulk" and len(rest) == 1 and ctl.kind.bulk:
            if method == "PUT":
                return out(ctl.bulk_put(body))
            if method == "DELETE":
                return out(ctl.bulk_delete(body))
            return Resp(405)
        if head == "action" and len(rest) == 2:
            if method != "POST":
                return Resp(405)
            return Resp(200, {})
        rid = _int(rest[0])
        if rid is None or len(rest) > 1:
            return Resp(404)
        if method == "GET":
            return Resp(200, ctl.get(rid))
        if method == "PUT":
            return out(ctl.update(body, query, rid))
        if method == "DELETE":
            return out(ctl.delete(rid))
        return Resp(405)

    def route_tags(self, method, rest, body, out):
        if not rest:
            if method == "GET":
                return Resp(200, self.tags.list())
            if method == "POST":
                return out(self.tags.create(body))
            if method == "PUT":
                return out(self.tags.update(body, None))
            return Resp(405)
        if rest[0].lower() == "detail":
            if method != "GET":
                return Resp(405)
            if len(rest) == 1:
                return Resp(200, self.tags.detail())
            rid = _int(rest[1])
            return Resp(200, self.tags.detail(rid)) if rid is not None else Resp(404)
        rid = _int(rest[0])
        if rid is None or len(rest) > 1:
            return Resp(404)
        if method == "GET":
            return Resp(200, self.tags.get(rid))
        if method == "PUT":
            return out(self.tags.update(body, rid))
        if method == "DELETE":
            return out(self.tags.delete(rid))
        return Resp(405)

    def health(self):
        if self.name != "prowlarr":
            return []
        blocked = self.app_status.blocked_ids()
        names = [a["name"] for a in self.store.all("Applications") if a["id"] in blocked]
        if not names:
            return []
        return [{"source": "ApplicationStatusCheck", "type": "error",
                 "message": "Applications unavailable due to failures: " + ", ".join(names),
                 "wikiUrl": "https://wiki.servarr.com/prowlarr/system#applications-are-"
                            "unavailable-due-to-failures"}]

    @staticmethod
    def _json_content(headers):
        ct = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return ct in ("application/json", "text/json") or \
            (ct.startswith("application/") and ct.endswith("+json"))


class _NoHooks:
    def before_insert(self, kind, rec):
        pass

    def saved(self, kind, rec, created):
        pass

    def deleted(self, kind, rec):
        pass

    def tested(self, kind, rec):
        pass


def _int(s):
    return int(s) if re.fullmatch(r"-?[0-9]{1,9}", s) else None


# --- the server ------------------------------------------------------------------

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, app, port):
        super().__init__(("127.0.0.1", port), Handler, bind_and_activate=False)
        self.app = app
        self.conn_lock = threading.Lock()
        self.conn_count = 0

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away; nothing to report
        super().handle_error(request, client_address)

    def stop_listening(self):
        """Ends serve_forever (from another thread: it waits for the loop); the
        process then closes its listener and exits."""
        threading.Thread(target=self.shutdown, daemon=True).start()

    def next_conn(self):
        with self.conn_lock:
            self.conn_count += 1
            return self.conn_count


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # Kestrel sets NoDelay; without it ~40 ms per response

    def setup(self):
        super().setup()
        self.conn_id = self.server.next_conn()

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _serve(self):
        app = self.server.app
        t0 = time.monotonic()
        body = self._body()
        try:
            r = app.handle(self.command, self.path, self.headers, body)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            r = Resp(500, {"message": str(e)})
        if app.gone:
            # --down-after: the app stops answering, like a crashed process: this
            # connection is dropped unanswered and new ones are refused.
            self.server.stop_listening()
            self.close_connection = True
            return
        if app.latency:
            time.sleep(app.latency)
        payload = r.payload()
        reason = self.responses.get(r.status, ("",))[0]
        lines = ["HTTP/1.1 %d %s" % (r.status, reason),
                 "Date: %s" % email.utils.formatdate(usegmt=True),
                 "Server: Kestrel"]
        if payload or r.status not in (401, 307):
            if r.body is not None:
                lines.append("Content-Type: %s" % (
                    "application/json; charset=utf-8" if r.content_type == "application/json"
                    else r.content_type))
        for k, v in r.headers.items():
            lines.append("%s: %s" % (k, v))
        lines.append("Content-Length: %d" % len(payload))
        if self.close_connection:
            lines.append("Connection: close")
        app.request_log({
            "ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "app": app.name, "conn": self.conn_id, "method": self.command,
            "path": _safe_path(self.path), "status": r.status, "write": r.write,
            "changed": r.changed, "fault": r.fault, "ua": self.headers.get("User-Agent") or "",
            "ms": round((time.monotonic() - t0) * 1000, 1)})
        # logged before answering, so a client that got its answer finds the line
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (b"" if self.command == "HEAD" else payload))
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve


def _safe_path(target):
    """The request path with any apikey query parameter removed."""
    path, _, qs = target.partition("?")
    if not qs:
        return path
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(qs, keep_blank_values=True)
            if k.lower() != "apikey"]
    return path + ("?" + urllib.parse.urlencode(kept) if kept else "")
