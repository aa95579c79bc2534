"""Prowlarr's side of the stack: the application test (§6.3), the indexer sync
into Sonarr/Radarr/Lidarr/Readarr (§6.4-6.7), the Newznab/Torznab feed that the
apps call back into (/{id}/api), and the indexers a fresh fake starts with."""
import re
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

from . import outbound
from .catalog import MOVIE_CATS, NEWZNAB_CATEGORIES, TV_CATS
from .wire import drone_failure as df, error_model

API = {"Sonarr": "v3", "Radarr": "v3", "Whisparr": "v3", "Lidarr": "v1", "Readarr": "v1"}
MIN_VERSION = {"Sonarr": (3, 0, 5), "Radarr": (3, 1, 1), "Lidarr": (1, 0, 2)}
SCHEMA_TTL = 7 * 24 * 3600
SEARCH = {"Sonarr": "tv-search", "Radarr": "movie-search", "Whisparr": "movie-search",
          "Lidarr": "music-search", "Readarr": "book-search"}
MUSIC_CATS = [3000, 3010, 3030, 3040]
BOOK_CATS = [3030, 7000, 7010, 7020, 7030]


class TargetError(Exception):
    def __init__(self, status=None, message="", parse=False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parse = parse


# --- talking to a target app ------------------------------------------------------

def target_url(settings, impl_name, path):
    base = (settings.get("baseUrl") or "").rstrip("/")
    return "%s/api/%s/%s" % (base, API[impl_name], path)


def call(app, settings, impl_name, method, path, body=None, follow=True):
    url = target_url(settings, impl_name, path)
    headers = {"X-Api-Key": settings.get("apiKey") or "", "Accept": "application/json",
               "User-Agent": app.user_agent}
    try:
        r = outbound.request(method, url, headers, _strip_nulls(body) if body is not None
                             else None, timeout=30, follow_redirects=follow)
    except outbound.HttpFailure as e:
        raise TargetError(None, str(e))
    return r


def _strip_nulls(v):
    """Prowlarr serialises with Newtonsoft, null properties omitted."""
    if isinstance(v, dict):
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_strip_nulls(x) for x in v]
    return v


def get_json(app, settings, impl_name, method, path, body=None, follow=True):
    r = call(app, settings, impl_name, method, path, body, follow)
    if not 200 <= r.status < 300:
        raise TargetError(r.status, outbound.status_failure(
            r.status, method, target_url(settings, impl_name, path)))
    try:
        return r, r.json() if r.body.strip() else None
    except ValueError as e:
        raise TargetError(r.status, str(e), parse=True)


def fetch_schema(app, settings, impl_name, follow=True):
    key = (settings.get("baseUrl") or "").rstrip("/")
    hit = app.schema_cache.get(key)
    if hit and time.monotonic() - hit[0] < SCHEMA_TTL:
        return hit[1]
    _, schema = get_json(app, settings, impl_name, "GET", "indexer/schema", follow=follow)
    app.schema_cache[key] = (time.monotonic(), schema)
    return schema


# --- the indexer Prowlarr pushes (§6.6) -------------------------------------------------

def protocol_of(indexer):
    return indexer.get("_protocol") or (
        "torrent" if indexer.get("implementation") == "Torznab" else "usenet")


def supported_cats(indexer):
    return indexer.get("_caps") or (TV_CATS + MOVIE_CATS)


def categories_for(app_rec, indexer):
    s = app_rec["settings"]
    have = set(supported_cats(indexer))
    cats = [c for c in (s.get("syncCategories") or []) if c in have]
    anime = [c for c in (s.get("animeSyncCategories") or []) if c in have]
    return cats, anime


def supports(app_rec, indexer):
    cats, anime = categories_for(app_rec, indexer)
    return bool(cats or anime)


MANAGED = ["baseUrl", "apiPath", "apiKey", "categories", "animeCategories",
           "animeStandardFormatSearch", "minimumSeeders", "seedCriteria.seedRatio",
           "seedCriteria.seedTime", "seedCriteria.seasonPackSeedTime",
           "seedCriteria.discographySeedTime", "rejectBlocklistedTorrentHashesWhileGrabbing"]
ADD_ONLY = {"Sonarr": ["additionalParameters"],
            "Radarr": ["additionalParameters", "multiLanguages", "removeYear", "requiredFlags"],
            "Whisparr": ["additionalParameters"],
            "Lidarr": ["additionalParameters", "earlyReleaseLimit"],
            "Readarr": ["additionalParameters"]}


def build_remote(app, app_rec, indexer, schema, remote_id=0, for_add=True):
    impl_name = app_rec["implementation"]
    torrent = protocol_of(indexer) == "torrent"
    wanted = "Torznab" if torrent else "Newznab"
    entry = next((e for e in schema or [] if e.get("implementation") == wanted), None)
    if entry is None:
        raise TargetError(None, "Indexer implementation %s not found in the schema" % wanted)
    s = app_rec["settings"]
    ts = indexer.get("settings") or {}
    cats, anime = categories_for(app_rec, indexer)
    profile = app.app_profile(indexer.get("appProfileId"))
    prowlarr_url = (s.get("prowlarrUrl") or "").rstrip("/")
    pack = ts.get("torrentBaseSettings.packSeedTime")
    seed_time = ts.get("torrentBaseSettings.seedTime")
    values = {
        "baseUrl": "%s/%d/" % (prowlarr_url, indexer["id"]), "apiPath": "/api",
        "apiKey": app.api_key, "categories": cats, "animeCategories": anime,
        "animeStandardFormatSearch": bool(s.get("syncAnimeStandardFormatSearch")),
        "minimumSeeders": ts.get("torrentBaseSettings.appMinimumSeeders") or
        (profile or {}).get("minimumSeeders", 1),
        "seedCriteria.seedRatio": ts.get("torrentBaseSettings.seedRatio"),
        "seedCriteria.seedTime": seed_time,
        "seedCriteria.seasonPackSeedTime": pack if pack is not None else seed_time,
        "seedCriteria.discographySeedTime": pack if pack is not None else seed_time,
        "rejectBlocklistedTorrentHashesWhileGrabbing":
            bool(s.get("syncRejectBlocklistedTorrentHashesWhileGrabbing")),
    }
    torrent_only = {"minimumSeeders", "seedCriteria.seedRatio", "seedCriteria.seedTime",
                    "seedCriteria.seasonPackSeedTime", "seedCriteria.discographySeedTime",
                    "rejectBlocklistedTorrentHashesWhileGrabbing"}
    names = [n for n in MANAGED if torrent or n not in torrent_only]
    if for_add:
        names += ADD_ONLY.get(impl_name, [])
    fields = []
    for f in entry.get("fields") or []:
        if f.get("name") not in names:
            continue
        nf = {k: v for k, v in f.items() if k in ("name", "value", "type", "advanced",
                                                     "order", "label", "privacy")}
        if f["name"] in values:
            nf["value"] = values[f["name"]]
        fields.append(nf)
    enabled = bool(indexer.get("enable"))
    p = profile or {}
    return {"id": remote_id, "name": "%s (Prowlarr)" % indexer["name"],
            "enableRss": enabled and p.get("enableRss", True),
            "enableAutomaticSearch": enabled and p.get("enableAutomaticSearch", True),
            "enableInteractiveSearch": enabled and p.get("enableInteractiveSearch", True),
            "priority": indexer.get("priority", 25), "implementation": wanted,
            "configContract": entry.get("configContract"), "tags": [], "fields": fields}


def _fv(resource, name):
    for f in resource.get("fields") or []:
        if f.get("name") == name:
            return f.get("value")
    return None


def equal_remote(desired, remote):
    """SonarrIndexer.Equals and friends (§6.7)."""
    for k in ("id", "name", "implementation", "priority", "enableRss", "enableAutomaticSearch",
              "enableInteractiveSearch"):
        if desired.get(k) != remote.get(k):
            return False
    have = {f.get("name") for f in remote.get("fields") or []}
    for name in MANAGED:
        dv = _fv(desired, name)
        if name not in have and dv is None:
            continue
        rv = _fv(remote, name)
        if name == "apiKey":
            if rv != dv and rv != "********":
                return False
        elif name in ("categories", "animeCategories"):
            if sorted(rv or []) != sorted(dv or []):
                return False
        elif rv != dv:
            return False
    return True


def merge_update(desired, remote):
    body = dict(remote)
    ours = {f["name"]: f for f in desired["fields"]}
    fields = []
    for f in remote.get("fields") or []:
        if f.get("name") in ours:
            nf = dict(f)
            if "value" in ours[f["name"]]:
                nf["value"] = ours[f["name"]]["value"]
            else:
                nf.pop("value", None)
            fields.append(nf)
        else:
            fields.append(f)
    for k in ("name", "enableRss", "enableAutomaticSearch", "enableInteractiveSearch",
              "priority", "implementation", "configContract"):
        body[k] = desired[k]
    body["fields"] = fields
    tags = list(remote.get("tags") or [])
    body["tags"] = tags
    return body


# --- the application test (§6.3) -----------------------------------------------------

def _version_tuple(v):
    try:
        return tuple(int(x) for x in v.split(".")[:3])
    except (ValueError, AttributeError):
        return None


def application_test(impl_name):
    def test(s, rec, app):
        try:
            schema = fetch_schema(app, s, impl_name, follow=False)
            test_indexer = {"id": 0, "name": "Test", "enable": True, "priority": 25,
                            "appProfileId": 1, "_protocol": "usenet",
                            "_caps": [c for c, _ in NEWZNAB_CATEGORIES], "settings": {}}
            body = build_remote(app, {"implementation": impl_name, "settings": s},
                                test_indexer, schema)
            body["enableRss"] = body["enableAutomaticSearch"] = \
                body["enableInteractiveSearch"] = False
            r = call(app, s, impl_name, "POST", "indexer/test", body, follow=False)
            if not 200 <= r.status < 300:
                raise TargetError(r.status, outbound.status_failure(
                    r.status, "POST", target_url(s, impl_name, "indexer/test")))
        except TargetError as e:
            return [_map_failure(impl_name, e)]
        if impl_name in MIN_VERSION:
            v = r.headers.get("x-application-version")
            if not v:
                return [df("", "Failed to fetch %s version" % impl_name)]
            vt = _version_tuple(v)
            need = MIN_VERSION[impl_name]
            if impl_name == "Radarr" and vt and vt[0] >= 4:
                need = (4, 0, 4)
            if vt is None or vt < need:
                return [df("", "%s version should be at least %s. Version reported is %s"
                           % (impl_name, ".".join(map(str, need)), v))]
        if rec.get("id"):
            app.app_status.success(rec["id"])  # ApplicationFactory.Test -> RecordSuccess
        return []
    return test


def _map_failure(n, e):
    if e.parse:
        return df("BaseUrl", "Unable to parse JSON response from application. %s" % e.message)
    if e.status == 401:
        return df("ApiKey", "API Key is invalid")
    if e.status == 400:
        return df("ProwlarrUrl", "Prowlarr URL is invalid, %s cannot connect to Prowlarr" % n)
    if e.status in (303, 307):
        return df("BaseUrl", "%s URL is invalid, Prowlarr cannot connect to %s - are you missing "
                  "a URL base?" % (n, n))
    if e.status == 404:
        return df("BaseUrl", "%s URL is invalid, Prowlarr cannot connect to %s. Is %s running and "
                  "accessible? %s v2 is not supported." % (n, n, n, n))
    return df("BaseUrl", "Unable to complete application test, cannot connect to %s. %s"
              % (n, e.message))


# --- application failure back-off (§6.4, ProviderStatusServiceBase) -----------------------

BACKOFF_PERIODS = [0, 60, 300, 900, 1800, 3600]  # MaximumEscalationLevel 5 for applications
STARTUP_GRACE = 15 * 60


class AppStatus:
    """ApplicationStatusService: failures that go on for longer than the grace after the
    first one (5 minutes) put an application in back-off: the sync command and
    indexer-triggered syncs skip it until DisabledTill; a success lowers the level (and a
    success at level 1 ends the episode). In the first 15 minutes after start-up the back-off
    is at most BACKOFF_PERIODS[1] seconds."""

    def __init__(self, started, grace=300.0):
        self.started = started
        self.grace = grace  # MinimumTimeSinceInitialFailure
        self.lock = threading.Lock()
        self.status = {}  # app id -> [level, disabled till or None, initial failure]

    def success(self, app_id):
        with self.lock:
            st = self.status.get(app_id)
            if not st or st[0] == 0:
                return
            st[0] -= 1
            st[1] = None

    def failure(self, app_id, escalate=True):
        with self.lock:
            now = time.monotonic()
            st = self.status.setdefault(app_id, [0, None, now])
            if st[0] == 0:
                st[0], st[2], escalate = 1, now, False
            startup = now < self.started + STARTUP_GRACE
            in_grace = now < st[2] + self.grace
            if escalate and not in_grace and not startup:
                st[0] = min(len(BACKOFF_PERIODS) - 1, st[0] + 1)
            if not in_grace:
                period = BACKOFF_PERIODS[st[0]]
                if startup:
                    period = min(period, BACKOFF_PERIODS[1])
                st[1] = now + period

    def blocked(self, app_id):
        with self.lock:
            st = self.status.get(app_id)
            return bool(st and st[1] is not None and st[1] > time.monotonic())

    def blocked_ids(self):
        return [i for i in list(self.status) if self.blocked(i)]


# --- sync (§6.4, 6.5) ----------------------------------------------------------------

class Sync:
    def __init__(self, app):
        self.app = app
        self.log = app.log_line

    def maps(self, app_id):
        return [m for m in self.app.store.all("AppIndexerMap") if m["appId"] == app_id]

    def indexers(self):
        return sorted(self.app.store.all("Indexers"), key=lambda r: r["name"].lower())

    def handled(self, app_rec, indexer):
        tags = set(app_rec.get("tags") or [])
        if tags and not tags & set(indexer.get("tags") or []):
            return False
        return True

    def sync_app(self, app_rec, removals=False, force=False, only=None):
        name = app_rec["implementation"]
        s = app_rec["settings"]
        full = app_rec.get("syncLevel") == 2
        try:
            _, remote = get_json(self.app, s, name, "GET", "indexer")
            schema = fetch_schema(self.app, s, name)
        except TargetError as e:
            self.fail(app_rec, "listing indexers: %s" % e.message, e.status is not None)
            return
        prowlarr_url = (s.get("prowlarrUrl") or "").rstrip("/")
        maps = self.maps(app_rec["id"])
        known = {m["remoteIndexerId"] for m in maps}
        # adopt remote indexers that point at us (§6.5 step 2)
        for ri in remote or []:
            if ri.get("implementation") not in ("Newznab", "Torznab"):
                continue
            url = _fv(ri, "baseUrl") or ""
            if not (prowlarr_url and url.startswith(prowlarr_url)) and \
                    _fv(ri, "apiKey") != self.app.api_key:
                continue
            m = re.search(r"/(\d{1,3})(/|/api/?)?$", url)
            if m and ri.get("id") not in known:
                self.app.store.insert("AppIndexerMap", {
                    "appId": app_rec["id"], "indexerId": int(m.group(1)),
                    "remoteIndexerId": ri["id"], "remoteIndexerName": None}, unique=())
                known.add(ri["id"])
        maps = {m["indexerId"]: m for m in self.maps(app_rec["id"])}
        indexers = self.indexers()
        for idx in indexers:
            if only is not None and idx["id"] not in only:
                continue
            if not self.handled(app_rec, idx):
                continue
            m = maps.get(idx["id"])
            try:
                if m is not None:
                    if not full:
                        continue
                    done = self.update(app_rec, idx, m, schema, force)
                elif idx.get("enable") and supports(app_rec, idx):
                    done = self.add(app_rec, idx, schema)
                else:
                    continue
                if done:  # ExecuteAction: every call records a success or a failure
                    self.app.app_status.success(app_rec["id"])
                else:
                    self.fail(app_rec, "%s: rejected" % idx["name"])
            except TargetError as e:
                self.fail(app_rec, "%s: %s" % (idx["name"], e.message), e.status is not None)
        if removals:
            ids = {i["id"]: i for i in indexers}
            for iid, m in maps.items():
                idx = ids.get(iid)
                if idx is None or (full and not self.handled(app_rec, idx)):
                    try:
                        call(self.app, s, name, "DELETE", "indexer/%d" % m["remoteIndexerId"])
                        self.app.app_status.success(app_rec["id"])
                    except TargetError as e:
                        self.fail(app_rec, "removing: %s" % e.message, e.status is not None)
                    self.app.store.delete("AppIndexerMap", m["id"])

    def fail(self, app_rec, why, escalate=True):
        """escalate=False: a connection failure (RecordConnectionFailure)."""
        self.app.app_status.failure(app_rec["id"], escalate)
        self.log("application %s: %s" % (app_rec["name"], why))

    def _write(self, app_rec, method, path, body):
        s, name = app_rec["settings"], app_rec["implementation"]
        r = call(self.app, s, name, method, path, body)
        if r.status == 400:  # retried once with forceSave (Prowlarr PR #1744)
            sep = "&" if "?" in path else "?"
            r = call(self.app, s, name, method, path + sep + "forceSave=true", body)
        if not 200 <= r.status < 300:
            self.log("sync %s: %s %s -> %d %s" % (app_rec["name"], method, path, r.status,
                                                  r.body[:300].decode("utf-8", "replace")))
            return None
        try:
            return r.json()
        except ValueError:
            return {}

    def add(self, app_rec, idx, schema):
        body = build_remote(self.app, app_rec, idx, schema)
        created = self._write(app_rec, "POST", "indexer", body)
        if not created or not created.get("id"):
            return False
        self.app.store.insert("AppIndexerMap", {
            "appId": app_rec["id"], "indexerId": idx["id"], "remoteIndexerId": created["id"],
            "remoteIndexerName": None}, unique=())
        return True

    def update(self, app_rec, idx, m, schema, force):
        s, name = app_rec["settings"], app_rec["implementation"]
        r = call(self.app, s, name, "GET", "indexer/%d" % m["remoteIndexerId"])
        if r.status == 404:
            self.app.store.delete("AppIndexerMap", m["id"])
            if idx.get("enable") and supports(app_rec, idx):
                return self.add(app_rec, idx, schema)
            return True
        if not 200 <= r.status < 300:
            raise TargetError(r.status, outbound.status_failure(
                r.status, "GET", target_url(s, name, "indexer/%d" % m["remoteIndexerId"])))
        remote = r.json()
        desired = build_remote(self.app, app_rec, idx, schema, m["remoteIndexerId"],
                               for_add=False)
        if equal_remote(desired, remote) and not force:
            return True
        if supports(app_rec, idx):
            return self._write(app_rec, "PUT", "indexer/%d" % m["remoteIndexerId"],
                               merge_update(desired, remote)) is not None
        call(self.app, s, name, "DELETE", "indexer/%d" % m["remoteIndexerId"])
        self.app.store.delete("AppIndexerMap", m["id"])
        return True

    def remove_indexer(self, idx_id):
        for app_rec in self.app.store.all("Applications"):
            if app_rec.get("syncLevel") not in (1, 2) or self.app.app_status.blocked(
                    app_rec["id"]):
                continue
            for m in self.maps(app_rec["id"]):
                if m["indexerId"] == idx_id:
                    try:
                        call(self.app, app_rec["settings"], app_rec["implementation"], "DELETE",
                             "indexer/%d" % m["remoteIndexerId"])
                    except TargetError:
                        pass
                    self.app.store.delete("AppIndexerMap", m["id"])

    def sync_all(self, removals, force, only=None, full_only=False):
        for app_rec in self.app.store.all("Applications"):
            level = app_rec.get("syncLevel")
            if level not in (1, 2) or (full_only and level != 2):
                continue
            if self.app.app_status.blocked(app_rec["id"]):  # SyncEnabled() leaves it out
                self.log("application %s: temporarily ignored due to recent failures"
                         % app_rec["name"])
                continue
            self.sync_app(app_rec, removals=removals, force=force, only=only)


class Hooks:
    """Events the provider controller raises; Prowlarr reacts like ApplicationService."""

    def __init__(self, app):
        self.app = app

    def before_insert(self, kind, rec):
        pass

    def _bg(self, fn, *args, **kw):
        t = threading.Thread(target=self._guard, args=(fn,) + args, kwargs=kw, daemon=True)
        t.start()

    def _guard(self, fn, *args, **kw):
        try:
            fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - a sync failure is logged, never raised
            self.app.log_line("background sync failed: %r" % e)

    def saved(self, kind, rec, created):
        if kind.route == "applications" and rec.get("syncLevel") in (1, 2):
            self._bg(self.app.sync.sync_app, rec)
        elif kind.route == "indexer":
            if created and rec.get("enable"):
                self._bg(self.app.sync.sync_all, False, False, [rec["id"]])
            elif not created:
                self._bg(self.app.sync.sync_all, False, False, [rec["id"]], True)

    def deleted(self, kind, rec):
        if kind.route == "indexer":
            self._bg(self.app.sync.remove_indexer, rec["id"])

    def tested(self, kind, rec):
        pass  # the application test itself records the success


# --- seeded indexers and the Newznab feed ---------------------------------------------

def seed_indexers(app, count):
    for i in range(1, count + 1):
        torrent = i % 2 == 0
        name = "Fake %s %03d" % ("Tracker" if torrent else "Usenet", i)
        settings = {"baseUrl": "https://indexer-%03d.invalid" % i, "apiPath": "/api",
                    "apiKey": "seeded-indexer-key-%03d" % i, "additionalParameters": None,
                    "baseSettings.queryLimit": None, "baseSettings.grabLimit": None,
                    "baseSettings.limitsUnit": 0}
        if torrent:
            settings.update({"torrentBaseSettings.appMinimumSeeders": None,
                             "torrentBaseSettings.seedRatio": None,
                             "torrentBaseSettings.seedTime": None,
                             "torrentBaseSettings.packSeedTime": None,
                             "torrentBaseSettings.preferMagnetUrl": False})
        app.store.insert("Indexers", {
            "name": name, "implementation": "Torznab" if torrent else "Newznab",
            "configContract": "TorznabSettings" if torrent else "NewznabSettings",
            "settings": settings, "tags": [], "enable": True, "redirect": False,
            "appProfileId": 1, "priority": 25, "downloadClientId": 0,
            "_protocol": "torrent" if torrent else "usenet", "_caps": TV_CATS + MOVIE_CATS +
            MUSIC_CATS + BOOK_CATS, "_added": "2026-01-01T00:00:00Z"})


def indexer_output(app):
    def output(rec, impl):
        protocol = protocol_of(rec)
        cats = rec.get("_caps") or (TV_CATS + MOVIE_CATS)
        parents = sorted({c - c % 1000 for c in cats})
        names = dict(NEWZNAB_CATEGORIES)
        return {
            "indexerUrls": [(rec.get("settings") or {}).get("baseUrl") or ""],
            "legacyUrls": [], "definitionName": rec.get("implementation"),
            "description": "A Newznab-compatible indexer (fake)", "language": "en-US",
            "protocol": protocol, "privacy": "private", "supportsRss": True,
            "supportsSearch": True, "supportsRedirect": False, "supportsPagination": False,
            "capabilities": {
                "id": 0, "limitsMax": 100, "limitsDefault": 100,
                "categories": [{"id": p, "name": names.get(p, str(p)), "subCategories": [
                    {"id": c, "name": names.get(c, str(c)), "subCategories": []}
                    for c in cats if c - c % 1000 == p and c != p]} for p in parents],
                "supportsRawSearch": False, "searchParams": ["q"],
                "tvSearchParams": ["q", "season", "ep", "imdbId", "tvdbId"],
                "movieSearchParams": ["q", "imdbId", "tmdbId"],
                "musicSearchParams": ["q"], "bookSearchParams": ["q"]},
            "added": rec.get("_added") or "2026-01-01T00:00:00Z",
            "sortName": (rec.get("name") or "").lower(),
        }
    return output


def feed(app, indexer_id, query):
    """GET /{id}/api?t=caps|search|tvsearch|movie|music|book -> (status, xml)."""
    t = query.get("t") or ""
    if not t.strip():
        return 400, _error_xml(200, "Missing parameter (t)")
    if indexer_id == 0:
        idx = {"id": 0, "name": "Test", "_protocol": "usenet",
               "_caps": [c for c, _ in NEWZNAB_CATEGORIES], "enable": True}
    else:
        idx = app.store.get("Indexers", indexer_id)
        if idx is None:
            raise error_model(404, "NotFound: Indexer Not Found")
        if not idx.get("enable"):
            return 410, _error_xml(410, "Indexer is disabled")
    cats = idx.get("_caps") or (TV_CATS + MOVIE_CATS)
    if t == "caps":
        names = dict(NEWZNAB_CATEGORIES)
        parents = sorted({c - c % 1000 for c in cats})
        cat_xml = "".join(
            '<category id="%d" name="%s">%s</category>' % (
                p, escape(names.get(p, str(p))),
                "".join('<subcat id="%d" name="%s"/>' % (c, escape(names.get(c, str(c))))
                        for c in cats if c - c % 1000 == p and c != p))
            for p in parents)
        return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n<caps><server title="Prowlarr" />'
                     '<limits default="100" max="100" /><searching>'
                     '<search available="yes" supportedParams="q" />'
                     '<tv-search available="yes" supportedParams="q,season,ep,imdbid,tvdbid" />'
                     '<movie-search available="yes" supportedParams="q,imdbid,tmdbid" />'
                     '<music-search available="yes" supportedParams="q" />'
                     '<audio-search available="yes" supportedParams="q" />'
                     '<book-search available="yes" supportedParams="q" />'
                     '</searching><categories>%s</categories></caps>' % cat_xml)
    if t not in ("search", "tvsearch", "movie", "music", "book"):
        return 400, _error_xml(202, "No such function (%s)" % t)
    wanted = [int(c) for c in (query.get("cat") or "").split(",") if c.strip().isdigit()]
    have = set(cats)
    if indexer_id == 0:  # the test indexer always answers its one "Test Release"
        hit = [wanted[0] if wanted else 5030]
    elif wanted:
        hit = [c for c in wanted if c in have]
    else:
        hit = [cats[0]] if cats else []
    items = ""
    torrent = protocol_of(idx) == "torrent"
    if hit:
        cat = hit[0]
        title = "Test Release" if indexer_id == 0 else "%s Sample Release S01E01 1080p" % \
            idx["name"].replace(" ", ".")
        link = "%s/%d/download?id=1" % (app.public_base(), indexer_id)
        attrs = '<newznab:attr name="category" value="%d" /><newznab:attr name="size" ' \
                'value="1073741824" />' % cat
        if torrent:
            attrs += '<torznab:attr name="seeders" value="10" /><torznab:attr name="peers" ' \
                     'value="12" />'
        items = ('<item><title>%s</title><guid isPermaLink="true">%s</guid><link>%s</link>'
                 '<pubDate>Mon, 01 Jun 2026 00:00:00 +0000</pubDate><size>1073741824</size>'
                 '<enclosure url="%s" length="1073741824" type="%s" />%s</item>'
                 % (escape(title), escape(link), escape(link), escape(link),
                    "application/x-bittorrent" if torrent else "application/x-nzb", attrs))
    return 200, ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                 'xmlns:atom="http://www.w3.org/2005/Atom" '
                 'xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/" '
                 'xmlns:torznab="http://torznab.com/schemas/2015/feed"><channel>'
                 '<title>%s</title>%s</channel></rss>' % (escape(idx["name"]), items))


def _error_xml(code, description):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<error code="%d" description="%s" />' % (
        code, escape(description, {'"': "&quot;"}))


def parse_query(qs):
    return {k.lower(): v for k, v in urllib.parse.parse_qsl(qs, keep_blank_values=True)}
