"""Keyed sets without a schema: remote path mappings and delay profiles
(RemotePathMappingController/Service, DelayProfileController/Service of each app at the pinned
refs). Answers are (status, body, headers, changed)."""
from .rules import gte, load, location, missing, required, valid_path
from .wire import ApiError, bad_request, plain_failure, problem, server_error

PROTOCOL = ("NzbDrone.Core.Indexers.DownloadProtocol", {"unknown": 0, "usenet": 1, "torrent": 2})


class RemotePathMappings:
    """/remotepathmapping (RemotePathMappingController + RemotePathMappingService): Host and
    RemotePath NotEmpty, LocalPath a valid existing path (Lidarr also: not a system folder,
    not '/', RemotePath without leading/trailing space); Add stores both paths as
    directories (trailing '/'), Update stores them as sent; a second mapping for the same
    host and remote path is an InvalidOperationException (500)."""

    def __init__(self, app, existing):
        self.app = app
        self.existing = existing  # RootFolders: which directories exist

    def spec(self):
        return {"id": "int", "host": "string", "remotePath": "string", "localPath": "string"}

    def render(self, r):
        return {"host": r["host"], "remotePath": r["remotePath"], "localPath": r["localPath"],
                "id": r["id"]}

    def list(self):
        return [self.render(r) for r in self.app.store.all("RemotePathMappings")]

    def get(self, rid):
        r = self.app.store.get("RemotePathMappings", rid)
        if r is None:
            raise problem(self.app.runtime, 404)  # RestController: NotFound()
        return self.render(r)

    def _failures(self, res, mode):
        f = required("Host", res.get("host"))
        rp = res.get("remotePath")
        f += required("RemotePath", rp)
        if self.app.name == "lidarr":
            if not (rp and rp.strip() and not rp.startswith(" ")):
                f.append(plain_failure("RemotePath", "Remote Path '%s' must not start with a "
                                       "space" % (rp or ""), "PredicateValidator", rp))
            if not (rp and rp.strip() and not rp.endswith(" ")):
                f.append(plain_failure("RemotePath", "Remote Path '%s' must not end with a "
                                       "space" % (rp or ""), "PredicateValidator", rp))
        lp = res.get("localPath")
        lf = valid_path("LocalPath", lp)
        if not lf and not self.existing.exists(lp):
            lf = [plain_failure("LocalPath", "Path '%s' does not exist" % lp,
                                "PathExistsValidator", lp, {"path": lp})]
        if not lf and self.app.name == "lidarr":
            # SystemFolderValidator over SystemFolders.GetSystemFolders() on Linux
            for sf in ("/bin", "/boot", "/lib", "/sbin", "/proc", "/usr/bin"):
                rel = "set to" if lp.rstrip("/") == sf else "child of" if \
                    lp.startswith(sf + "/") else None
                if rel:
                    lf = [plain_failure("LocalPath", "Path '%s' is %s system folder %s" % (
                        lp, rel, sf), "SystemFolderValidator", lp,
                        {"path": lp, "systemFolder": sf, "relationship": rel})]
                    break
            if not lf and lp == "/":
                lf = [plain_failure("LocalPath", "Cannot be set to '/'", "NotEqualValidator",
                                    lp, {"comparisonValue": "/"})]
        f += lf
        if mode == "put" and not (res.get("id") or 0) > 0:
            f.append(plain_failure("Id", "'Id' must be greater than '0'.", "GreaterThanValidator",
                                   res.get("id") or 0, {"comparisonValue": 0}))
        return f

    def _duplicate(self, rec):
        for other in self.app.store.all("RemotePathMappings"):
            if other["id"] != rec.get("id") and other["host"] == rec["host"] and \
                    other["remotePath"] == rec["remotePath"]:
                raise server_error("RemotePath already configured.",
                                   "System.InvalidOperationException")

    def create(self, raw):
        res = self.app.binder.parse_bind(raw, self.spec(), "RemotePathMappingResource")
        fails = self._failures(res, "post")
        if fails:
            raise ApiError(400, fails)
        rec = {"host": res["host"], "remotePath": _as_dir(res["remotePath"]),
               "localPath": _as_dir(res["localPath"])}
        self._duplicate(rec)
        if res.get("id"):
            raise server_error("Can't insert model with existing ID %d" % res["id"],
                               "System.InvalidOperationException")
        saved = self.app.store.insert("RemotePathMappings", rec, unique=())
        return 201, self.render(saved), location(self.app, "remotepathmapping", saved["id"]), \
            True

    def update(self, raw, rid):
        res = self.app.binder.parse_bind(raw, self.spec(), "RemotePathMappingResource")
        if rid is not None and not res.get("id"):
            res["id"] = rid
        fails = self._failures(res, "put")
        if fails:
            raise ApiError(400, fails)
        rec = {"id": res["id"], "host": res["host"], "remotePath": res["remotePath"],
               "localPath": res["localPath"]}
        self._duplicate(rec)
        before = self.app.store.get("RemotePathMappings", rec["id"])
        if before is None:
            raise missing("RemotePathMapping", rec["id"])
        saved = self.app.store.update("RemotePathMappings", rec, unique=())
        return 202, self.render(saved), location(self.app, "remotepathmapping", saved["id"]), \
            before != saved

    def delete(self, rid):
        gone = self.app.store.delete("RemotePathMappings", rid)
        return 200, None, {}, gone is not None


def _as_dir(p):
    """OsPath(...).AsDirectory().FullPath on a Unix path: one trailing '/'."""
    return p if p.endswith("/") else p + "/"


class DelayProfiles:
    """/delayprofile (DelayProfileController + DelayProfileService, the same in the four apps):
    the default profile (id 1, no tags, order int.MaxValue, the row of the first migration)
    always exists, cannot be deleted (405) and must keep an empty tag set; every other profile
    needs tags that no other profile uses; new profiles get order = number of rows; delete
    renumbers; PUT reorder/{id}?after={id} moves one profile after another."""

    def __init__(self, app):
        self.app = app
        self.template = load(app.name, "delayprofile")
        if self.app.store.get("DelayProfiles", 1) is None:
            first = {k: v for k, v in self.template.items() if k != "id"}
            self.app.store.insert("DelayProfiles", first, unique=())

    def spec(self):
        spec = {"id": "int", "tags": "intset"}
        for k, v in self.template.items():
            if k == "preferredProtocol":
                spec[k] = ("enum", PROTOCOL[0], ["unknown", "usenet", "torrent"])
            elif k not in spec:
                spec[k] = "bool" if isinstance(v, bool) else "int" if isinstance(v, int) \
                    else "any"
        return spec

    def render(self, r):
        out = {k: r.get(k) for k in self.template if k != "id"}
        out["tags"] = list(r.get("tags") or [])
        out["id"] = r["id"]
        return out

    def _sorted(self):
        return sorted(self.app.store.all("DelayProfiles"), key=lambda r: r["id"])

    def list(self):
        return [self.render(r) for r in self._sorted()]

    def get(self, rid):
        r = self.app.store.get("DelayProfiles", rid)
        if r is None:
            raise problem(self.app.runtime, 404)
        return self.render(r)

    def _bind(self, raw):
        res = self.app.binder.parse_bind(raw, self.spec(), "DelayProfileResource")
        if res.get("preferredProtocol") is not None:
            names = ["unknown", "usenet", "torrent"]
            v = res["preferredProtocol"]
            res["preferredProtocol"] = names[v] if 0 <= v < 3 else v
        return res

    def _full(self, res):
        rec = {}
        for k, v in self.template.items():
            if k == "id":
                continue
            if k in res and res[k] is not None:
                rec[k] = res[k]
            else:  # C# defaults of a missing property
                rec[k] = False if isinstance(v, bool) else 0 if isinstance(v, int) else \
                    ("unknown" if k == "preferredProtocol" else [] if k == "tags" else None)
        if res.get("tags") is None and "tags" in res:
            rec["tags"] = None
        seen = []
        for t in rec["tags"] or []:
            if t not in seen:
                seen.append(t)  # HashSet<int>
        rec["tags"] = seen if rec["tags"] is not None else None
        rec["id"] = res.get("id") or 0
        return rec

    def _failures(self, rec, mode):
        rid, tags = rec["id"], rec["tags"]
        f = []
        if rid != 1 and not tags:
            f.append(plain_failure("Tags", "'Tags' must not be empty.", "NotEmptyValidator",
                                   tags))
        if rid == 1 and tags:
            f.append(plain_failure("Tags", "Collection Must Be Empty", "EmptyCollectionValidator",
                                   tags))
        if tags and any(d["id"] != rid and set(d.get("tags") or []) & set(tags)
                        for d in self.app.store.all("DelayProfiles")):
            f.append(plain_failure("Tags", "One or more tags is used in another profile",
                                   "DelayProfileTagInUseValidator", tags))
        f += gte("UsenetDelay", rec.get("usenetDelay"), 0)
        f += gte("TorrentDelay", rec.get("torrentDelay"), 0)
        if not rec.get("enableUsenet") and not rec.get("enableTorrent"):
            # RuleFor(d => d).Custom(... AddFailure(message)): no property name, no error code
            f.append({"propertyName": "", "errorMessage": "Either Usenet or Torrent should be "
                      "enabled", "severity": "error"})
        if mode == "put" and not rid > 0:
            f.append(plain_failure("Id", "'Id' must be greater than '0'.", "GreaterThanValidator",
                                   rid, {"comparisonValue": 0}))
        return f

    def create(self, raw):
        rec = self._full(self._bind(raw))
        fails = self._failures(rec, "post")
        if fails:
            raise ApiError(400, fails)
        if rec["id"]:
            raise server_error("Can't insert model with existing ID %d" % rec["id"],
                               "System.InvalidOperationException")
        del rec["id"]
        with self.app.store.lock:
            rec["order"] = len(self.app.store.all("DelayProfiles"))  # Add: Order = Count()
            saved = self.app.store.insert("DelayProfiles", rec, unique=())
        return 201, self.render(saved), location(self.app, "delayprofile", saved["id"]), True

    def update(self, raw, rid):
        res = self._bind(raw)
        if rid is not None and not res.get("id"):
            res["id"] = rid
        rec = self._full(res)
        fails = self._failures(rec, "put")
        if fails:
            raise ApiError(400, fails)
        before = self.app.store.get("DelayProfiles", rec["id"])
        if before is None:
            raise missing("DelayProfile", rec["id"])
        # ToModel carries the order the client sent (the UI sends it back unchanged)
        saved = self.app.store.update("DelayProfiles", rec, unique=())
        return 202, self.render(saved), location(self.app, "delayprofile", saved["id"]), \
            before != saved

    def delete(self, rid):
        if rid == 1:
            raise ApiError(405, {"message": "MethodNotAllowed: Cannot delete global delay profile",
                                 "content": "Cannot delete global delay profile"})
        with self.app.store.lock:
            gone = self.app.store.delete("DelayProfiles", rid)
            rows = sorted(self.app.store.all("DelayProfiles"), key=lambda d: d["order"])
            for i, d in enumerate(rows):  # Delete: renumber all but the default
                if d["id"] != 1 and d["order"] != i + 1:
                    d["order"] = i + 1
                    self.app.store.update("DelayProfiles", d, unique=())
        return 200, None, {}, gone is not None

    def reorder(self, rid, after_id):
        """DelayProfileService.Reorder, line for line."""
        if rid <= 0:
            raise bad_request("%d is not a valid ID" % rid)
        changed = False
        with self.app.store.lock:
            rows = sorted(self.app.store.all("DelayProfiles"), key=lambda d: d["order"])
            moving = next((d for d in rows if d["id"] == rid), None)
            after = next((d for d in rows if d["id"] == after_id), None) \
                if after_id is not None else None
            if moving is not None:
                after_order = _after_order(moving, after)
                after_count = after_order + 2
                moving_order = moving["order"]
                for d in rows:
                    old = d["order"]
                    if d["id"] == 1:
                        continue
                    if d["id"] == rid:
                        d["order"] = after_order + 1
                    elif after is not None and d["id"] == after["id"]:
                        d["order"] = after_order
                    elif d["order"] > after_order:
                        d["order"] = after_count
                        after_count += 1
                    elif d["order"] > moving_order:
                        d["order"] -= 1
                    if d["order"] != old:
                        self.app.store.update("DelayProfiles", d, unique=())
                        changed = True
        return 200, self.list(), {}, changed


def _after_order(moving, after):
    """DelayProfileService.GetAfterOrder."""
    if after is None:
        return 0
    if moving["order"] < after["order"]:
        return after["order"] - 1
    return after["order"]
