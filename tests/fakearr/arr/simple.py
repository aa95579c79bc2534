"""Non-provider resources: system status, tags (§7.7/8.3), root folders (§7.6),
commands (§6.4), health."""
import datetime
import re
import threading
import time

from .wire import ApiError, error_model, not_empty, plain_failure, server_error


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def system_status(app):
    return {
        "appName": app.display, "instanceName": app.instance_name, "version": app.version,
        "buildTime": "2026-06-26T17:03:14Z", "isDebug": False, "isProduction": True,
        "isAdmin": False, "isUserInteractive": False, "startupPath": "/app/%s/bin" % app.name,
        "appData": "/config", "osName": "debian", "osVersion": "12", "isNetCore": True,
        "isLinux": True, "isOsx": False, "isWindows": False, "isDocker": False,
        "mode": "console", "branch": "main" if app.name != "prowlarr" else "master",
        # SystemController: the configured AuthenticationMethod (config/host)
        "authentication": app.settings.configs.value("host", "authenticationMethod"),
        "databaseType": "sqLite", "databaseVersion": "3.46.1",
        "migrationVersion": 218, "urlBase": app.url_base,
        "runtimeVersion": "8.0.12" if app.runtime == "net8" else "6.0.36",
        "runtimeName": ".NET", "startTime": app.start_time,
        "packageUpdateMechanism": "builtIn",
    }


# --- tags -----------------------------------------------------------------------

PROVIDER_TABLES = ["Indexers", "DownloadClients", "Notifications", "Applications",
                   "IndexerProxies", "DelayProfiles"]  # TagService.Details: delay profiles too


def _tag_missing(rid):
    return error_model(404, "Tag with ID %d does not exist" % rid,
                       "NzbDrone.Core.Datastore.ModelNotFoundException: Tag with ID %d does not "
                       "exist" % rid)


class Tags:
    def __init__(self, app):
        self.app = app

    def _label_failures(self, label):
        name = self.app.name
        if name == "sonarr":
            if label is None:
                raise server_error("Object reference not set to an instance of an object.",
                                   "System.NullReferenceException")
            return []
        fails = []
        if not label:
            fails.append(not_empty("Label", label))
        elif name == "prowlarr" and not re.fullmatch(r"[a-z0-9-]+", label, re.I):
            fails.append(plain_failure("Label", "Allowed characters a-z, 0-9 and -",
                                       "RegularExpressionValidator", label,
                                       {"regularExpression": "^[a-z0-9-]+$"}))
        return fails

    def list(self):
        return [{"id": t["id"], "label": t["label"]} for t in self.app.store.all("Tags")]

    def get(self, rid):
        t = self.app.store.get("Tags", rid)
        if t is None:
            raise _tag_missing(rid)
        return {"id": t["id"], "label": t["label"]}

    def usage(self, rid):
        use = {}
        for table in PROVIDER_TABLES:
            use[table] = [r["id"] for r in self.app.store.all(table) if rid in (r.get("tags") or [])]
        return use

    def detail(self, rid=None):
        names = {"Indexers": "indexerIds", "DownloadClients": "downloadClientIds",
                 "Notifications": "notificationIds", "Applications": "applicationIds",
                 "IndexerProxies": "indexerProxyIds", "DelayProfiles": "delayProfileIds"}
        out = []
        for t in self.app.store.all("Tags"):
            if rid is not None and t["id"] != rid:
                continue
            d = {"id": t["id"], "label": t["label"]}
            for table, ids in self.usage(t["id"]).items():
                prowlarr_only = table in ("Applications", "IndexerProxies")
                if (self.app.name == "prowlarr") == prowlarr_only or table in (
                        "Indexers", "DownloadClients", "Notifications"):
                    d[names[table]] = ids
            if self.app.name != "prowlarr":
                d.update({"importListIds": [], "restrictionIds": [], "autoTagIds": []})
                d["seriesIds" if self.app.name == "sonarr" else "movieIds"] = []
            out.append(d)
        if rid is not None:
            if not out:
                raise _tag_missing(rid)
            return out[0]
        return out

    def create(self, raw):
        res = self.app.binder.parse_bind(raw, {"id": "int", "label": "string"},
                                   "%s.Api.V%s.Tags.TagResource" % (self.app.ns,
                                                                    self.app.api_version[1:]))
        label = res.get("label")
        fails = self._label_failures(label)
        if fails:
            raise ApiError(400, fails)
        for t in self.app.store.all("Tags"):
            if t["label"] == label:  # exact stored label: returned, nothing inserted
                loc = "%s/api/%s/tag/%d" % (self.app.url_base, self.app.api_version, t["id"])
                return 201, {"id": t["id"], "label": t["label"]}, {"Location": loc}, False
        t = self.app.store.insert("Tags", {"label": label.lower()}, unique=("label",))
        loc = "%s/api/%s/tag/%d" % (self.app.url_base, self.app.api_version, t["id"])
        return 201, {"id": t["id"], "label": t["label"]}, {"Location": loc}, True

    def update(self, raw, rid):
        res = self.app.binder.parse_bind(raw, {"id": "int", "label": "string"},
                                   "TagResource")
        if rid is not None and not res.get("id"):
            res["id"] = rid
        fails = self._label_failures(res.get("label"))
        if fails:
            raise ApiError(400, fails)
        rec = {"id": res.get("id") or 0, "label": (res.get("label") or "").lower()}
        saved = self.app.store.update("Tags", rec, unique=("label",))
        if saved is None:
            raise _tag_missing(rec["id"])
        return 202, {"id": saved["id"], "label": saved["label"]}, {}, True

    def delete(self, rid):
        t = self.app.store.get("Tags", rid)
        if t is None:
            raise _tag_missing(rid)
        if any(self.usage(rid).values()):
            msg = "Tag with ID %d '%s' cannot be deleted since it's still in use" % (rid,
                                                                                   t["label"])
            raise error_model(409, msg, "NzbDrone.Core.Datastore.ModelConflictException: " + msg)
        self.app.store.delete("Tags", rid)
        return 200, None, {}, True


# --- root folders ---------------------------------------------------------------

def norm_path(p):
    return p.rstrip("/") or "/"


class RootFolders:
    def __init__(self, app, existing, unwritable):
        self.app = app
        self.existing = [norm_path(p) for p in existing]
        self.unwritable = [norm_path(p) for p in unwritable]

    def _under(self, path, roots):
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)

    def render(self, r):
        return {"path": r["path"], "accessible": True, "freeSpace": 107374182400,
                "unmappedFolders": [], "id": r["id"]}

    def list(self):
        return [self.render(r) for r in self.app.store.all("RootFolders")]

    def get(self, rid):
        r = self.app.store.get("RootFolders", rid)
        if r is None:
            raise error_model(404, "RootFolder with ID %d does not exist" % rid)
        return self.render(r)

    def create(self, raw):
        res = self.app.binder.parse_bind(raw,
                                   {"id": "int", "path": "string", "accessible": "bool",
                                    "freeSpace": "any", "unmappedFolders": "any",
                                    "name": "string"}, "RootFolderResource")
        path = res.get("path")

        def fail(msg, code):
            raise ApiError(400, [plain_failure("Path", msg, code, path,
                                               {"path": path} if path else None)])
        # Checks in order; the first failure stops the chain.
        if not path or not path.startswith("/") or "\0" in path:
            fail("Invalid Path: '%s'" % (path or ""), "PathValidator")
        p = norm_path(path)
        if any(norm_path(r["path"]) == p for r in self.app.store.all("RootFolders")):
            fail("Path '%s' is already configured as a root folder" % path, "RootFolderValidator")
        if p == "/app/%s/bin" % self.app.name or p.startswith("/app/%s/bin/" % self.app.name):
            fail("Path '%s' is the start up folder or a child of it" % path,
                 "StartupFolderValidator")
        if not self._under(p, self.existing):
            fail("Path '%s' does not exist" % path, "PathExistsValidator")
        if self._under(p, self.unwritable):
            fail("Folder '%s' is not writable by user 'abc'" % path, "FolderWritableValidator")
        saved = self.app.store.insert("RootFolders", {"path": p}, unique=("path",))
        loc = "%s/api/%s/rootfolder/%d" % (self.app.url_base, self.app.api_version, saved["id"])
        return 201, self.render(saved), {"Location": loc}, True

    def delete(self, rid):
        gone = self.app.store.delete("RootFolders", rid)
        return 200, None, {}, gone is not None


# --- commands -------------------------------------------------------------------

TERMINAL = ("completed", "failed", "aborted", "cancelled", "orphaned")


class Commands:
    """POST /command queues a command, run on a thread; GET /command/{id} polls it.
    handlers: lower-case name -> (Name, "Display Name", {prop: type}, callable(body))."""

    def __init__(self, app, handlers):
        self.app = app
        self.handlers = handlers
        self.lock = threading.Lock()
        self.items = {}
        self.next_id = 1

    def create(self, raw):
        doc = self.app.binder.parse(raw)
        res = self.app.binder.bind(doc, {"name": "string", "body": "any"}, "CommandResource")
        name = res.get("name") or ""
        h = self.handlers.get(name.lower())
        if h is None:
            raise server_error("Sequence contains no matching element",
                               "System.InvalidOperationException")
        cname, display, props, run = h
        # The command class is re-read with STJson's strict options: failures are 500s.
        body = {"sendUpdatesToClient": False, "updateScheduledTask": True,
                "requiresDiskAccess": False, "isExclusive": False, "isLongRunning": False,
                "name": cname, "trigger": "manual", "suppressMessages": False}
        for p, t in props.items():
            body[p] = False if t == "bool" else None
        lower = {k.lower(): k for k in props}
        for k, v in doc.items():
            p = lower.get(k.lower())
            if p is None:
                continue
            if props[p] == "bool" and not (isinstance(v, bool) or (
                    self.app.bool_numbers and type(v) is int and v in (0, 1))):
                raise server_error("The JSON value could not be converted to System.Boolean. "
                                   "Path: $.%s | LineNumber: 0 | BytePositionInLine: 0." % k)
            body[p] = bool(v)
        with self.lock:
            for c in self.items.values():  # an identical queued/started command is reused
                if c["name"] == cname and c["status"] in ("queued", "started") and \
                        c["body"] == body:
                    return 201, dict(c), {}, False
            cid = self.next_id
            self.next_id += 1
            cmd = {"id": cid, "name": cname, "commandName": display, "body": body,
                   "priority": "normal", "status": "queued", "result": "unknown",
                   "queued": now_iso(), "trigger": "manual", "sendUpdatesToClient": False,
                   "updateScheduledTask": True}
            self.items[cid] = cmd
        threading.Thread(target=self._run, args=(cid, run, body), daemon=True).start()
        loc = "%s/api/%s/command/%d" % (self.app.url_base, self.app.api_version, cid)
        return 201, dict(cmd), {"Location": loc}, True

    def _run(self, cid, run, body):
        t0 = time.monotonic()
        with self.lock:
            self.items[cid].update(status="started", started=now_iso(),
                                   stateChangeTime=now_iso())
        status, message = "completed", "Completed"
        try:
            run(body)
        except Exception as e:  # noqa: BLE001 - a failed command is reported, not raised
            status, message = "failed", str(e)
        with self.lock:
            c = self.items[cid]
            c.update(status=status, result="successful" if status == "completed" else
                     "unsuccessful", ended=now_iso(), stateChangeTime=now_iso(),
                     message=message,
                     duration=_span(time.monotonic() - t0))
            if status == "failed":
                c["exception"] = message

    def get(self, cid):
        with self.lock:
            c = self.items.get(cid)
            if c is None:
                raise error_model(404, "NotFound", None)
            return dict(c)

    def list(self):
        with self.lock:
            return [dict(c) for c in self.items.values()]


def _span(seconds):
    ms = int(seconds * 1000)
    return "%02d:%02d:%02d.%03d0000" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)
