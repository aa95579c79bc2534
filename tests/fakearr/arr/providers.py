"""The generic provider controller (§2): schema, list, get, create, update,
delete, test, testall, bulk; the processing order of §2.5 and forceSave of §2.6."""
from . import fields as flds
from .binding import enum_name
from .wire import (ApiError, bad_request, fail_validation, not_empty, plain_failure, problem,
                   server_error)

PROTOCOLS = ["unknown", "usenet", "torrent"]
SYNC_LEVELS = ["disabled", "addOnly", "fullSync"]
PROTOCOL_ENUM = ("enum", "NzbDrone.Core.Indexers.DownloadProtocol", PROTOCOLS)

COMMON = {"id": "int", "name": "string", "fields": "fields", "implementationName": "string",
          "implementation": "string", "configContract": "string", "infoLink": "string",
          "message": "message", "tags": "intset", "presets": "any"}

NOTIFY_FLAGS = {
    "sonarr": ["onGrab", "onDownload", "onUpgrade", "onImportComplete", "onRename",
               "onSeriesAdd", "onSeriesDelete", "onEpisodeFileDelete",
               "onEpisodeFileDeleteForUpgrade", "onHealthIssue", "onHealthRestored",
               "onApplicationUpdate", "onManualInteractionRequired"],
    "radarr": ["onGrab", "onDownload", "onUpgrade", "onRename", "onMovieAdded", "onMovieDelete",
               "onMovieFileDelete", "onMovieFileDeleteForUpgrade", "onHealthIssue",
               "onHealthRestored", "onApplicationUpdate", "onManualInteractionRequired"],
    "prowlarr": ["onGrab", "onHealthIssue", "onHealthRestored", "onApplicationUpdate"],
}
NOTIFY_FLAGS["lidarr"] = NOTIFY_FLAGS["radarr"]
NOTIFY_FLAGS["readarr"] = NOTIFY_FLAGS["radarr"]


class Kind:
    """What differs between indexers, download clients, notifications, ..."""

    def __init__(self, route, table, clr, props, stored, enabled, bulk=True,
                 priority_range=False, output=None, defaults=None):
        self.route = route
        self.table = table
        self.clr = clr              # resource CLR type for binding errors
        self.props = props          # extra top-level property types
        self.stored = stored        # extra properties kept in the record
        self.enabled = enabled      # record -> bool ("enabled" for validation)
        self.bulk = bulk
        self.priority_range = priority_range
        self.output = output        # (record, impl) -> dict of output-only properties
        self.defaults = defaults or {}  # C# defaults of missing value-type properties


def kinds_for(app):
    name = app.name
    ns = app.ns
    k = {}
    if name == "prowlarr":
        k["applications"] = Kind(
            "applications", "Applications", "Prowlarr.Api.V1.Applications.ApplicationResource",
            {"syncLevel": ("enum", "NzbDrone.Core.Applications.ApplicationSyncLevel", SYNC_LEVELS),
             "testCommand": "string"},
            ["syncLevel"], lambda r: r.get("syncLevel") in (1, 2),
            output=lambda r, i: {"syncLevel": enum_name(SYNC_LEVELS, r["syncLevel"]),
                                 "enable": r.get("syncLevel") in (1, 2)},
            defaults={"syncLevel": 0})
        k["indexerproxy"] = Kind(
            "indexerproxy", "IndexerProxies", "Prowlarr.Api.V1.IndexerProxies.IndexerProxyResource",
            {"link": "string", "onHealthIssue": "bool", "supportsOnHealthIssue": "bool",
             "includeHealthWarnings": "bool", "testCommand": "string"},
            [], lambda r: bool(r.get("tags")), bulk=False,
            output=lambda r, i: {"onHealthIssue": False, "supportsOnHealthIssue": False,
                                 "includeHealthWarnings": False})
        k["downloadclient"] = Kind(
            "downloadclient", "DownloadClients",
            "Prowlarr.Api.V1.DownloadClient.DownloadClientResource",
            {"enable": "bool", "protocol": PROTOCOL_ENUM, "priority": "int",
             "categories": ("list", "System.Collections.Generic.List`1[Prowlarr.Api.V1."
                            "DownloadClient.DownloadClientCategory]",
                            ("object", "Prowlarr.Api.V1.DownloadClient.DownloadClientCategory",
                             {"clientCategory": "string", "categories": "intlist"})),
             "supportsCategories": "bool"},
            ["enable", "priority", "categories"],
            lambda r: r.get("enable"), priority_range=True,
            output=lambda r, i: {"protocol": i.protocol if i else "unknown",
                                 "supportsCategories": True},
            defaults={"enable": False, "priority": 0, "categories": []})
        k["indexer"] = Kind(
            "indexer", "Indexers", "Prowlarr.Api.V1.Indexers.IndexerResource",
            {"enable": "bool", "redirect": "bool", "appProfileId": "int", "priority": "int",
             "downloadClientId": "int", "protocol": PROTOCOL_ENUM, "supportsRss": "bool",
             "supportsSearch": "bool", "supportsRedirect": "bool", "supportsPagination": "bool",
             "indexerUrls": "strlist", "legacyUrls": "strlist", "definitionName": "string",
             "description": "string", "language": "string", "encoding": "string",
             "privacy": ("enum", "NzbDrone.Core.Indexers.IndexerPrivacy",
                         ["public", "semiPrivate", "private"]),
             "capabilities": "any", "added": "any", "status": "any", "sortName": "string"},
            ["enable", "redirect", "appProfileId", "priority", "downloadClientId"],
            lambda r: r.get("enable"), priority_range=True,
            output=app.prowlarr_indexer_output,
            defaults={"enable": False, "redirect": False, "appProfileId": 0, "priority": 0,
                      "downloadClientId": 0})
        k["notification"] = notification_kind(app, "Prowlarr.Api.V1.Notifications")
        return k
    idx_props = {"enableRss": "bool", "enableAutomaticSearch": "bool",
                 "enableInteractiveSearch": "bool", "supportsRss": "bool",
                 "supportsSearch": "bool", "protocol": PROTOCOL_ENUM, "priority": "int",
                 "downloadClientId": "int"}
    idx_stored = ["enableRss", "enableAutomaticSearch", "enableInteractiveSearch", "priority",
                  "downloadClientId"]
    idx_defaults = {"enableRss": False, "enableAutomaticSearch": False,
                    "enableInteractiveSearch": False, "priority": 0, "downloadClientId": 0}
    if name == "sonarr":
        idx_props["seasonSearchMaximumSingleEpisodeAge"] = "int"
        idx_stored.append("seasonSearchMaximumSingleEpisodeAge")
        idx_defaults["seasonSearchMaximumSingleEpisodeAge"] = 0
    ranged = name != "sonarr"  # Sonarr v4 does not range-check priorities (§7.8)
    k["indexer"] = Kind(
        "indexer", "Indexers", "%s.Api.V%s.Indexers.IndexerResource" % (ns, app.api_version[1:]),
        idx_props, idx_stored,
        lambda r: r.get("enableRss") or r.get("enableAutomaticSearch") or
        r.get("enableInteractiveSearch"), priority_range=ranged,
        output=lambda r, i: {"supportsRss": True, "supportsSearch": True,
                             "protocol": i.protocol if i else "unknown"},
        defaults=idx_defaults)
    k["downloadclient"] = Kind(
        "downloadclient", "DownloadClients",
        "%s.Api.V%s.DownloadClient.DownloadClientResource" % (ns, app.api_version[1:]),
        {"enable": "bool", "protocol": PROTOCOL_ENUM, "priority": "int",
         "removeCompletedDownloads": "bool", "removeFailedDownloads": "bool"},
        ["enable", "priority", "removeCompletedDownloads", "removeFailedDownloads"],
        lambda r: r.get("enable"), priority_range=ranged,
        output=lambda r, i: {"protocol": i.protocol if i else "unknown"},
        defaults={"enable": False, "priority": 0, "removeCompletedDownloads": True,
                  "removeFailedDownloads": True})
    k["notification"] = notification_kind(
        app, "%s.Api.V%s.Notifications" % (ns, app.api_version[1:]))
    return k


def notification_kind(app, clr_ns):
    flags = NOTIFY_FLAGS[app.name]
    extra_in = ["includeHealthWarnings"] + (["includeManualGrabs"] if app.name == "prowlarr"
                                            else [])
    props = {f: "bool" for f in flags + extra_in}
    props.update({"supports" + f[0].upper() + f[1:]: "bool" for f in flags})
    props.update({"link": "string", "testCommand": "string"})
    stored = flags + extra_in

    def output(r, i):
        out = {"link": "https://wiki.servarr.com/%s/supported#%s" % (
            app.name, (i.name if i else "").lower())}
        for f in flags:
            out["supports" + f[0].upper() + f[1:]] = True
        return out
    return Kind("notification", "Notifications", clr_ns + ".NotificationResource", props,
                stored, lambda r: any(r.get(f) for f in flags),
                bulk=False, output=output, defaults={f: False for f in stored})


def parse_bool_query(app, query, name):
    v = query.get(name.lower())
    if v is None:
        return False
    if v.lower() in ("true", "false"):
        return v.lower() == "true"
    raise problem(app.runtime, 400, {name: ["The value '%s' is not valid." % v]})


class Controller:
    def __init__(self, app, kind, impls):
        self.app = app
        self.kind = kind
        self.impls = impls
        # Several templates can share an implementation (Prowlarr's Newznab presets):
        # settings are read with the class's constructor defaults, which the generic
        # (unpreset) definition carries, else the first.
        self.by_name, self.by_contract = {}, {}
        for i in sorted(impls, key=lambda i: not (i.template.get("name") or "").startswith(
                "Generic ")):
            self.by_name.setdefault(i.name.lower(), i)
            self.by_contract.setdefault(i.contract.lower(), i)

    # -- rendering ------------------------------------------------------------
    def impl_of(self, rec):
        return self.by_name.get((rec.get("implementation") or "").lower())

    def render(self, rec, impl=None):
        impl = impl or self.impl_of(rec)
        out = {}
        if rec.get("id"):
            out["id"] = rec["id"]
        if rec.get("name") is not None:
            out["name"] = rec["name"]
        out["fields"] = flds.render(impl.fields if impl else [], rec.get("settings") or {})
        if impl:
            out["implementationName"] = impl.display
        if rec.get("implementation") is not None:
            out["implementation"] = rec["implementation"]
        if rec.get("configContract") is not None:
            out["configContract"] = rec["configContract"]
        out["infoLink"] = "https://wiki.servarr.com/%s/supported#%s" % (
            self.app.name, (rec.get("implementation") or "").lower())
        if rec.get("tags") is not None:
            out["tags"] = list(rec["tags"])
        for p in self.kind.stored:
            if rec.get(p) is not None:
                out[p] = rec[p]
        if self.kind.output:
            out.update(self.kind.output(rec, impl))
        return out

    def template(self, impl):
        return impl.schema()

    # -- reads --------------------------------------------------------------------
    def list(self):
        recs = self.app.store.all(self.kind.table)
        for r in recs:
            if self.impl_of(r) is None:
                # ProviderFactory.GetInstance cannot resolve a stored unknown implementation
                raise server_error("Sequence contains no matching element",
                                   "System.InvalidOperationException")
        recs.sort(key=lambda r: (r.get("name") or "").lower())
        return [self.render(r) for r in recs]

    def get(self, rid):
        rec = self.app.store.get(self.kind.table, rid)
        if rec is None:
            raise problem(self.app.runtime, 404)
        return self.render(rec)

    def schema(self):
        return [self.template(i) for i in self.impls]  # the documents keep the app's order

    # -- the save pipeline ---------------------------------------------------------
    def bind(self, raw):
        spec = dict(COMMON)
        spec.update(self.kind.props)
        return self.app.binder.parse_bind(raw, spec, self.kind.clr)

    def resource_failures(self, res, mode):
        """Phase 2: FluentValidation on the resource (plain failure shape)."""
        fails = []
        name = res.get("name")
        if not name or not name.strip():
            fails.append(not_empty("Name", name))
        elif any((n or "").lower() == name.lower() and rid != (res.get("id") or 0)
                 for rid, n in self.app.store.column(self.kind.table, "name")):
            fails.append(plain_failure("Name", "Should be unique", "PredicateValidator", name))
        if not res.get("implementation") or not res["implementation"].strip():
            fails.append(not_empty("Implementation", res.get("implementation")))
        if not res.get("configContract") or not res["configContract"].strip():
            fails.append(not_empty("ConfigContract", res.get("configContract")))
        if self.kind.priority_range and "priority" in self.kind.props:
            p = res.get("priority", self.kind.defaults.get("priority", 0))
            if not 1 <= p <= 50:
                fails.append(plain_failure(
                    "Priority", "'Priority' must be between 1 and 50. You entered %d." % p,
                    "InclusiveBetweenValidator", p, {"from": 1, "to": 50}))
        dc = res.get("downloadClientId")
        if dc and self.app.store.get("DownloadClients", dc) is None:
            fails.append(plain_failure("DownloadClientId", "Download Client does not exist",
                                       "PredicateValidator", dc))
        if self.kind.route == "indexer" and self.app.name == "prowlarr":
            ap = res.get("appProfileId", 0)
            if not ap > 0:
                fails.append(plain_failure("AppProfileId", "'App Profile Id' must be greater than "
                                           "'0'.", "GreaterThanValidator", ap,
                                           {"comparisonValue": 0}))
            elif ap not in self.app.app_profile_ids():
                fails.append(plain_failure("AppProfileId", "App Profile does not exist",
                                           "PredicateValidator", ap))
        if mode == "post" and res.get("fields") is None:
            fails.append(plain_failure("Fields", "'Fields' must not be empty.", "NotNullValidator",
                                       None))
        if mode == "put" and not (res.get("id") or 0) > 0:
            fails.append(plain_failure("Id", "'Id' must be greater than '0'.",
                                       "GreaterThanValidator", res.get("id") or 0,
                                       {"comparisonValue": 0}))
        return fails

    def to_record(self, res, existing):
        """Phase 3: resource -> definition; settings read from fields (500s happen here)."""
        impl = self.by_name.get((res.get("implementation") or "").lower())
        contract = self.by_contract.get((res.get("configContract") or "").lower())
        if contract is None:
            raise server_error("Value cannot be null. (Parameter 'type')",
                               "System.ArgumentNullException")
        if res.get("fields") is None:
            raise server_error("Object reference not set to an instance of an object.",
                               "System.NullReferenceException")
        settings = flds.read(contract.fields, res.get("fields"),
                             existing.get("settings") if existing else None,
                             self.app.bool_numbers)
        rec = {"id": res.get("id") or 0, "name": res.get("name"),
               "implementation": res.get("implementation"),
               "configContract": contract.contract, "settings": settings}
        # What arrived, before conversion: tests check the JSON kind the client sent.
        received = {f["name"]: f.get("value") for f in res.get("fields") or []
                    if isinstance(f, dict) and isinstance(f.get("name"), str)}
        tags = res.get("tags")
        if tags is not None:
            seen = []
            for t in tags:
                if t not in seen:
                    seen.append(t)
            tags = seen
        elif self.app.name == "prowlarr":
            tags = []
        rec["tags"] = tags
        for p in self.kind.stored:
            rec[p] = res.get(p, self.kind.defaults.get(p))
        if existing:
            for key, v in existing.items():
                if key.startswith("_"):
                    rec[key] = v  # fake-internal data (e.g. Prowlarr indexer capabilities)
        rec["_received"] = received
        return rec, impl, contract

    def validate_and_test(self, rec, impl, contract, include_warnings, run_test):
        """Phases 4 and 5, only for enabled definitions."""
        if not self.kind.enabled(rec):
            return
        fail_validation(contract.validate(rec["settings"]), include_warnings)
        if run_test:
            if impl is None:
                raise server_error("Sequence contains no matching element",
                                   "System.InvalidOperationException")
            fail_validation(impl.test(rec["settings"], rec, self.app), include_warnings)

    def create(self, raw, query):
        force = parse_bool_query(self.app, query, "forceSave")
        res = self.bind(raw)
        fails = self.resource_failures(res, "post")
        if fails:
            raise ApiError(400, fails)
        rec, impl, contract = self.to_record(res, None)
        # POST always tests an enabled provider; forceSave only drops warnings.
        self.validate_and_test(rec, impl, contract, not force, True)
        if rec["id"]:
            raise server_error("Can't insert model with existing ID %d" % rec["id"],
                               "System.InvalidOperationException")
        self.app.hooks.before_insert(self.kind, rec)
        saved = self.app.store.insert(self.kind.table, rec)
        self.app.hooks.saved(self.kind, saved, created=True)
        return 201, self.render(saved), self._location(saved["id"]), True

    def update(self, raw, query, route_id):
        force = parse_bool_query(self.app, query, "forceSave")
        res = self.bind(raw)
        if route_id is not None and not res.get("id"):
            res["id"] = route_id
        fails = self.resource_failures(res, "put")
        if fails:
            raise ApiError(400, fails)
        prowlarr = self.app.name == "prowlarr"
        lookup = res["id"] if prowlarr or route_id is None else route_id
        existing = self.app.store.get(self.kind.table, lookup)
        if existing is None and not prowlarr and route_id is not None:
            existing = self.app.store.get(self.kind.table, res["id"])
        if existing is None:
            raise problem(self.app.runtime, 404)
        rec, impl, contract = self.to_record(res, existing)
        if not prowlarr:
            changed = _definition(rec) != _definition(existing)
            if not changed:
                return 202, self.render(existing), self._location(existing["id"]), False
        else:
            changed = True
        # PUT: forceSave skips the test completely; settings errors still fail.
        self.validate_and_test(rec, impl, contract, not force, not force and changed)
        saved = self.app.store.update(self.kind.table, rec)
        if saved is None:
            raise problem(self.app.runtime, 404)
        self.app.hooks.saved(self.kind, saved, created=False)
        return 202, self.render(saved), self._location(saved["id"]), True

    def _location(self, rid):
        """CreatedAtAction / AcceptedAtAction: the resource's own URL, URL base included."""
        return {"Location": "%s/api/%s/%s/%d" % (self.app.url_base, self.app.api_version,
                                                 self.kind.route, rid)}

    def delete(self, rid):
        gone = self.app.store.delete(self.kind.table, rid)
        if gone is not None:
            self.app.hooks.deleted(self.kind, gone)
        return 200, {}, {}, gone is not None

    def test(self, raw, query):
        # Prowlarr's test action has no forceTest parameter: warnings always count.
        force_test = self.app.name != "prowlarr" and parse_bool_query(self.app, query,
                                                                      "forceTest")
        res = self.bind(raw)
        fails = self.resource_failures(res, "test")
        if fails:
            raise ApiError(400, fails)
        existing = None
        if (res.get("id") or 0) > 0:
            existing = self.app.store.get(self.kind.table, res["id"])
        rec, impl, contract = self.to_record(res, existing)
        fail_validation(contract.validate(rec["settings"]), not force_test)
        if impl is None:
            raise server_error("Sequence contains no matching element",
                               "System.InvalidOperationException")
        fail_validation(impl.test(rec["settings"], rec, self.app), True)
        self.app.hooks.tested(self.kind, rec)
        return 200, {}, {}, False

    def testall(self):
        results = []
        bad = False
        for rec in self.app.store.all(self.kind.table):
            if not self.kind.enabled(rec):
                continue
            impl = self.impl_of(rec)
            contract = self.by_contract.get((rec.get("configContract") or "").lower())
            fails = contract.validate(rec["settings"]) if contract else []
            if impl and not fails:
                fails = impl.test(rec["settings"], rec, self.app)
            plain = [{"propertyName": f["propertyName"], "errorMessage": f["errorMessage"],
                      "severity": "error"} for f in fails]
            bad = bad or bool(plain)
            results.append({"id": rec["id"], "isValid": not plain, "validationFailures": plain})
        return (400 if bad else 200), results, {}, False

    def bulk_put(self, raw):
        spec = {"ids": "intlist", "tags": "intlist",
                "applyTags": ("enum", "%s.Api.V%s.ApplyTags" % (self.app.ns,
                                                                self.app.api_version[1:]),
                              ["add", "remove", "replace"])}
        for p in ("enable", "enableRss", "enableAutomaticSearch", "enableInteractiveSearch",
                  "removeCompletedDownloads", "removeFailedDownloads"):
            if p in self.kind.props:
                spec[p] = "bool?"
        if "priority" in self.kind.props:
            spec["priority"] = "int?"
        if "syncLevel" in self.kind.props:
            spec["syncLevel"] = self.kind.props["syncLevel"]
        body = self.app.binder.parse_bind(raw, spec, "BulkResource")
        ids = body.get("ids") or []
        if not ids:
            raise bad_request("ids must be provided")
        out = []
        changed = False
        for rid in ids:
            rec = self.app.store.get(self.kind.table, rid)
            if rec is None:
                continue
            for p, v in body.items():
                if p in ("ids", "tags", "applyTags") or v is None:
                    continue
                rec[p] = v
            if body.get("tags") is not None:
                mode = body.get("applyTags", 0)
                cur = list(rec.get("tags") or [])
                if mode == 0:
                    cur += [t for t in body["tags"] if t not in cur]
                elif mode == 1:
                    cur = [t for t in cur if t not in body["tags"]]
                else:
                    cur = list(body["tags"])
                rec["tags"] = cur
            saved = self.app.store.update(self.kind.table, rec)
            changed = True
            out.append(self.render(saved))
        return 202, out, {}, changed

    def bulk_delete(self, raw):
        body = self.app.binder.parse_bind(raw, {"ids": "intlist"},
                                    "BulkResource")
        ids = body.get("ids") or []
        if not ids:
            raise bad_request("ids must be provided")
        changed = False
        for rid in ids:
            changed = self.delete(rid)[3] or changed
        return 200, {}, {}, changed


def _definition(rec):
    """What PUT change detection compares (implementationName, message... excluded)."""
    return {k: v for k, v in rec.items() if not k.startswith("_")}
