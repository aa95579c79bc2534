"""Prowlarr's Cardigann indexers: one /indexer/schema template per YAML definition.

A real Prowlarr downloads several hundred definitions at run time (indexers.prowlarr.com,
version 11); the fake generates CARDIGANN_COUNT of them deterministically at start, named
the way the definitions are (file id lower-case letters, digits and '-'; display name), with
`1337x` among them. What each template and each saved Cardigann indexer looks like follows
Prowlarr 0ffcfccf:
  Cardigann.GetDefinition            template top level (enable true, torrent, privacy from
                                     the definition's type, no encoding) and extra fields
                                     (definition settings, or username/password when it has
                                     none, plus cardigannCaptcha when its login has a captcha)
  IndexerResourceMapper.ToResource   base fields then MapCardigannField(extra, i) (order = i,
                                     'text' -> 'textbox', select -> option index, info_* texts),
                                     definitionName = DefinitionFile, infoLink by file name
  IndexerResourceMapper.ToModel      extra field values stored by MapValue; an unknown extra
                                     field: ArgumentOutOfRangeException (500); an unknown
                                     definition file: ArgumentNullException (500)
  CardigannSettingsValidator         DefinitionFile NotEmpty + base/torrent settings rules
The schema body is encoded once (it is several MB) and served from memory."""
import threading

from . import checks, fields as flds
from . import catalog
from .providers import Controller
from .wire import drone_failure, dumps, server_error

CARDIGANN_COUNT = 520

# CardigannSettings : NoAuthTorrentBaseSettings. Its base fields are those of any
# NoAuthTorrentBaseSettings indexer in the apps' own schema (Knaben's template), after
# CardigannSettings' own [FieldDefinition(0, Hidden = HiddenType.Hidden)] DefinitionFile.
def _template():
    base = next(t for t in catalog.load("prowlarr", "indexer")
                if t["configContract"] == "NoAuthTorrentBaseSettings")
    definition_file = {"order": 0, "name": "definitionFile", "type": "textbox",
                       "advanced": False, "hidden": "hidden", "privacy": "normal",
                       "isFloat": False}
    return {"name": "Cardigann", "implementation": "Cardigann",
            "implementationName": "Cardigann", "configContract": "CardigannSettings",
            "protocol": "torrent", "fields": [definition_file] + base["fields"]}


TEMPLATE = _template()
BASE_FIELDS = catalog.Impl(TEMPLATE).fields
STANDARD = {f.name for f in BASE_FIELDS}

# MapCardigannField's fixed info texts (IndexerResource.cs).
INFO = {
    "info_cookie": ("How to get the Cookie", "<ol><li>Login to this tracker with your browser"
                    "</li><li>If present in the login page, ensure you have the <b>Remember me"
                    "</b> ticked and the <b>Log Me Out if IP Changes</b> unticked when you login"
                    "</li><li>Navigate to the web site's torrent search page to view the list of "
                    "available torrents for download</li><li>Open the <b>DevTools</b> panel by "
                    "pressing <b>F12</b></li><li>Select the <b>Network</b> tab</li><li>Click on "
                    "the <b>Doc</b> button (Chrome Browser) or <b>HTML</b> button (FireFox)</li>"
                    "<li>Refresh the page by pressing <b>F5</b></li><li>Click on the first row "
                    "entry</li><li>Select the <b>Headers</b> tab on the Right panel</li><li>Find "
                    "<b>'cookie:'</b> in the <b>Request Headers</b> section</li><li><b>Select"
                    "</b> and <b>Copy</b> the whole cookie string <i>(everything after 'cookie: '"
                    ")</i> and <b>Paste</b> here.</li></ol>",
                    "https://wiki.servarr.com/useful-tools#finding-cookies"),
    "info_useragent": ("How to get the User-Agent", "<ol><li>From the same place you fetched "
                       "the cookie,</li><li>Find <b>'user-agent:'</b> in the <b>Request Headers"
                       "</b> section</li><li><b>Select</b> and <b>Copy</b> the whole user-agent "
                       "string <i>(everything after 'user-agent: ')</i> and <b>Paste</b> here."
                       "</li></ol>", "https://wiki.servarr.com/useful-tools#finding-cookies"),
    "info_flaresolverr": ("FlareSolverr Info", "This site may use Cloudflare DDoS Protection, "
                          "therefore Prowlarr requires <a href=\"https://wiki.servarr.com/"
                          "prowlarr/faq#can-i-use-flaresolverr-indexers\" target=\"_blank\" "
                          "rel=\"noreferrer\">FlareSolverr</a> to access it.",
                          "https://wiki.servarr.com/prowlarr/faq#can-i-use-flaresolverr-"
                          "indexers"),
}

CAT_NAMES = {2000: "Movies", 2030: "Movies/SD", 2040: "Movies/HD", 2045: "Movies/UHD",
             3000: "Audio", 3010: "Audio/MP3", 3030: "Audio/Audiobook", 3040: "Audio/Lossless",
             4000: "PC", 5000: "TV", 5030: "TV/SD", 5040: "TV/HD", 5070: "TV/Anime",
             7000: "Books", 7020: "Books/EBook", 8000: "Other"}
CAT_GROUPS = [[5000, 5030, 5040, 5070], [2000, 2030, 2040, 2045], [3000, 3010, 3040],
              [7000, 7020, 3030], [4000, 8000]]
LANGUAGES = ["en-US", "fr-FR", "de-DE", "ru-RU", "es-ES", "it-IT", "pt-BR", "zh-CN", "nl-NL",
             "pl-PL"]
PREFIXES = ["anime", "audio", "bit", "book", "cine", "comic", "digital", "elite", "film",
            "galaxy", "hd", "iron", "jazz", "kino", "lossless", "magnet", "nordic", "opera",
            "pixel", "retro", "seed", "torrent", "ultra", "vinyl"]
SUFFIXES = ["bay", "base", "box", "city", "club", "den", "dump", "feed", "haven", "hub",
            "land", "lib", "net", "planet", "port", "realm", "share", "spot", "tracker", "vault",
            "world", "zone"]


def _1337x():
    """The definition the docs use (Prowlarr/Indexers definitions/v11/1337x.yml: links,
    type, settings)."""
    return {"file": "1337x", "name": "1337x", "type": "public", "language": "en-US",
            "description": "1337X is a Public torrent site that offers verified torrent "
                           "downloads",
            "links": ["https://1337x.to/", "https://1337x.st/", "https://x1337x.ws/",
                      "https://x1337x.eu/", "https://x1337x.cc/"], "legacylinks": [],
            "captcha": False, "cats": [5000, 5030, 5040, 5070, 2000, 2030, 2040, 2045, 3000,
                                       3010, 3040, 7000, 7020, 3030, 4000, 8000],
            "settings": [
                {"name": "uploader", "type": "text", "label": "Filter by Uploader"},
                {"name": "info_uploader", "type": "info", "label": "About filtering by Uploader",
                 "default": "You can filter by Uploader by entering a Case Sensitive username, "
                            "or leave empty to get all results."},
                {"name": "info_flaresolverr", "type": "info_flaresolverr"},
                {"name": "downloadlink", "type": "select", "label": "Download link",
                 "default": "http://itorrents.org/",
                 "options": {"http://itorrents.org/": "iTorrents.org", "magnet:": "magnet"}},
                {"name": "downloadlink2", "type": "select", "label": "Download link (fallback)",
                 "default": "magnet:",
                 "options": {"http://itorrents.org/": "iTorrents.org", "magnet:": "magnet"}}]}


def _generated(i):
    """Definition number i (0-based): deterministic, varied in type, language, settings."""
    file = PREFIXES[i % len(PREFIXES)] + SUFFIXES[i // len(PREFIXES) % len(SUFFIXES)]
    kind = ("public", "private", "semi-private")[i % 3]
    name = file[:1].upper() + file[1:]
    d = {"file": file, "name": name, "type": kind, "language": LANGUAGES[i % len(LANGUAGES)],
         "description": "%s is a %s torrent tracker (generated by fakearr)" % (
             name, kind.replace("-", " ").title().replace(" ", "-")),
         "links": ["https://%s.invalid/" % file],
         "legacylinks": ["https://old.%s.invalid/" % file] if i % 4 == 0 else [],
         "captcha": kind == "private" and i % 25 == 1,
         "cats": CAT_GROUPS[i % len(CAT_GROUPS)] + (CAT_GROUPS[(i + 2) % len(CAT_GROUPS)]
                                                    if i % 2 else [])}
    if kind == "public":
        d["settings"] = [{"name": "info_flaresolverr", "type": "info_flaresolverr"}] \
            if i % 5 == 0 else []
        d["settings"].append({"name": "sort", "type": "select", "label": "Sort requested from "
                              "site", "default": "time", "options": {"time": "created",
                                                                   "seeders": "seeders",
                                                                   "size": "size"}})
    elif kind == "private" and i % 2:
        d["settings"] = None  # no settings: Cardigann adds username and password
    elif kind == "private":
        d["settings"] = [{"name": "cookie", "type": "text", "label": "Cookie"},
                         {"name": "info_cookie", "type": "info_cookie"},
                         {"name": "useragent", "type": "text", "label": "User-Agent"},
                         {"name": "info_useragent", "type": "info_useragent"},
                         {"name": "freeleech", "type": "checkbox", "label": "Search freeleech "
                          "only", "default": "false"}]
    else:
        d["settings"] = [{"name": "username", "type": "text", "label": "Username"},
                         {"name": "password", "type": "password", "label": "Password"},
                         {"name": "freeleech", "type": "checkbox", "label": "Search freeleech "
                          "only", "default": "true"}]
    return d


def definitions():
    out = [_1337x()]
    seen = {"1337x"}
    i = 0
    while len(out) < CARDIGANN_COUNT:
        d = _generated(i)
        i += 1
        if d["file"] not in seen:
            seen.add(d["file"])
            out.append(d)
    for d in out:  # Cardigann.GetDefinition
        s = list(d["settings"]) if d["settings"] is not None else [
            {"name": "username", "label": "Username", "type": "text"},
            {"name": "password", "label": "Password", "type": "password"}]
        if d["captcha"]:
            s.append({"name": "cardigannCaptcha", "type": "cardigannCaptcha", "label": "CAPTCHA"})
        d["extra"] = s
    return out


def _extra_field(d, setting, order):
    """IndexerResourceMapper.MapCardigannField."""
    t = setting["type"]
    f = {"order": order, "name": setting["name"]}
    label = setting.get("label")
    value = None
    help_link = None
    ftype = "textbox" if t == "text" else t
    opts = None
    if t == "select":
        keys = sorted(setting["options"])  # OrderBy(x => x.Key)
        opts = [{"value": i, "name": setting["options"][k], "order": 0} for i, k in
                enumerate(keys)]
        value = keys.index(setting["default"]) if setting.get("default") in keys else -1
    elif t == "checkbox":
        value = str(setting.get("default")).lower() == "true"
    elif t in INFO:
        ftype = "info"
        label, value, help_link = INFO[t]
    else:
        value = setting.get("default")
    if label is not None:
        f["label"] = label
    if help_link:
        f["helpLink"] = help_link
    if value is not None:
        f["value"] = value
    f["type"] = ftype
    f["advanced"] = False
    if opts is not None:
        f["selectOptions"] = opts
    f["privacy"] = "normal"
    f["isFloat"] = False
    return f


def _capabilities(d):
    parents = [c for c in d["cats"] if c % 1000 == 0]
    return {"limitsMax": 100, "limitsDefault": 100,
            "categories": [{"id": p, "name": CAT_NAMES[p], "subCategories": [
                {"id": c, "name": CAT_NAMES[c], "subCategories": []}
                for c in d["cats"] if c - c % 1000 == p and c != p]} for p in parents],
            "supportsRawSearch": False, "searchParams": ["q"],
            "tvSearchParams": ["q", "season", "ep"], "movieSearchParams": ["q"],
            "musicSearchParams": ["q"], "bookSearchParams": ["q"]}


def _top(d):
    """The definition-specific top-level properties (ToResource)."""
    return {"indexerUrls": list(d["links"]), "legacyUrls": list(d["legacylinks"]),
            "definitionName": d["file"], "description": d["description"],
            "language": d["language"], "protocol": "torrent",
            "privacy": {"public": "public", "private": "private"}.get(d["type"], "semiPrivate"),
            "supportsRss": True, "supportsSearch": True, "supportsRedirect": False,
            "supportsPagination": False, "capabilities": _capabilities(d)}


def _impl():
    return catalog.Impl(TEMPLATE, _validate, lambda s, rec, app: [])


def _validate(s):
    """CardigannSettingsValidator (+ NoAuthSettingsValidator)."""
    fails = []
    if not (s.get("definitionFile") or "").strip():
        fails.append(drone_failure("DefinitionFile", "'Definition File' must not be empty.",
                                   attempted=s.get("definitionFile")))
    for name in ("baseSettings.queryLimit", "baseSettings.grabLimit"):
        v = s.get(name)
        if v is not None and v <= 0:
            fails.append(drone_failure(".".join(p[:1].upper() + p[1:] for p in name.split(".")),
                                       "Should be greater than zero", attempted=v))
    checks.seed_warnings(fails, s, ["torrentBaseSettings.appMinimumSeeders",
                                    "torrentBaseSettings.seedRatio",
                                    "torrentBaseSettings.seedTime",
                                    "torrentBaseSettings.packSeedTime"])
    return fails


def extend(app_name, cat):
    """The catalog hook: Prowlarr's indexers gain the Cardigann implementation."""
    if app_name == "prowlarr":
        cat["indexer"] = list(cat["indexer"]) + [_impl()]
    return cat


def controller(app, route):
    return IndexerController if app.name == "prowlarr" and route == "indexer" else Controller


class IndexerController(Controller):
    """Prowlarr's indexer controller with the Cardigann definitions."""

    def __init__(self, app, kind, impls):
        super().__init__(app, kind, impls)
        self.defs = {d["file"]: d for d in definitions()}
        self._schema_body = None
        self._lock = threading.Lock()
        # encoded once, at start, off the request path
        threading.Thread(target=self.schema, daemon=True).start()

    def schema(self):
        with self._lock:
            if self._schema_body is None:
                self._schema_body = self._encode()
            return self._schema_body

    def _encode(self):
        # GetTemplates orders by ImplementationName with the culture-aware default string
        # comparer (the reference documents are in that order already); every Cardigann
        # definition's ImplementationName is "Cardigann", so they stand together where that
        # name sorts, in definition order (OrderBy is stable).
        native = [i for i in self.impls if i.name != "Cardigann"]
        cardigann = [i for i in self.impls if i.name == "Cardigann"]
        at = next((n for n, i in enumerate(native) if i.display.lower() > "cardigann"),
                  len(native))
        out = [self.template(i) for i in native[:at]]
        for impl in cardigann:
            out.extend(self._template(impl, d) for d in self.defs.values())
        out.extend(self.template(i) for i in native[at:])
        return dumps(out).encode("utf-8")

    def _template(self, impl, d):
        settings = flds.defaults(BASE_FIELDS)
        settings["definitionFile"] = d["file"]
        rec = {"name": d["name"], "implementation": "Cardigann",
               "configContract": "CardigannSettings", "tags": [], "settings": settings,
               "enable": True, "redirect": False, "appProfileId": 0, "priority": 25,
               "downloadClientId": 0, "_def": d["file"], "_added": "0001-01-01T00:00:00Z"}
        out = self.render(rec, impl)
        out["presets"] = []
        return out

    def render(self, rec, impl=None):
        out = super().render(rec, impl)
        if rec.get("implementation") != "Cardigann":
            return out
        d = self.defs.get((rec.get("settings") or {}).get("definitionFile") or "")
        if d is None:
            return out
        extra = rec.get("_extra") or {}
        ex = [_extra_field(d, s, i) for i, s in enumerate(d["extra"])]
        for f in ex:
            if f["name"] in extra and f["type"] != "info":
                f["value"] = extra[f["name"]]
        base = [{k: v for k, v in f.items() if not (k == "label" and v is None)}
                for f in out["fields"]]
        out["fields"] = base + ex
        out.update(_top(d))
        out.pop("encoding", None)  # GetDefinition sets no Encoding: serialised as null
        out["infoLink"] = "https://wiki.servarr.com/prowlarr/supported-indexers#%s" % d["file"]
        if not rec.get("id"):
            out["added"] = "0001-01-01T00:00:00Z"
        return _ordered(out)

    def to_record(self, res, existing):
        rec, impl, contract = super().to_record(res, existing)
        if (res.get("implementation") or "") != "Cardigann":
            return rec, impl, contract
        file = rec["settings"].get("definitionFile")
        if file and file.strip():
            d = self.defs.get(file)
            if d is None:  # IndexerDefinitionUpdateService.GetUncachedDefinition
                raise server_error("Value cannot be null. (Parameter 'fileKey')",
                                   "System.ArgumentNullException")
            extra = {}
            for f in res.get("fields") or []:
                if f is None or f.get("name") in STANDARD:
                    continue
                name = f.get("name")
                if name == "cardigannCaptcha":
                    v = f.get("value")
                    extra["CAPTCHA"] = "" if v is None else _to_string(v)
                    continue
                setting = next((s for s in d["extra"] if s["name"] == name), None)
                if setting is None:
                    raise server_error("Unknown Cardigann setting. (Parameter '%s')" % name,
                                       "System.ArgumentOutOfRangeException")
                extra[name] = _map_value(setting, f.get("value"))
            rec["_extra"] = extra
            rec["_def"] = file
            rec["_protocol"] = "torrent"
            rec["_caps"] = list(d["cats"])
        return rec, impl, contract


def _to_string(v):
    """JsonElement.ToString(): raw text for numbers, True/False for booleans."""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, str):
        return v
    return dumps(v) if isinstance(v, (list, dict)) else str(v)


def _map_value(setting, v):
    """IndexerResourceMapper.MapValue."""
    t = setting["type"]
    if t in ("select", "checkbox") and v is None:
        raise server_error("Object reference not set to an instance of an object.",
                           "System.NullReferenceException")
    if t == "select":
        s = _to_string(v).strip()
        try:
            n = int(s)
        except ValueError:
            return 0
        return n if -2**63 <= n < 2**63 else 0
    if t == "checkbox":
        return _to_string(v).strip().lower() == "true"
    return "" if v is None else _to_string(v)


ORDER = ["id", "indexerUrls", "legacyUrls", "definitionName", "description", "language",
         "encoding", "enable", "redirect", "supportsRss", "supportsSearch", "supportsRedirect",
         "supportsPagination", "appProfileId", "protocol", "privacy", "capabilities", "priority",
         "downloadClientId", "added", "status", "sortName", "name", "fields",
         "implementationName", "implementation", "configContract", "infoLink", "message",
         "tags", "presets"]


def _ordered(out):
    keys = sorted(out, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
    return {k: out[k] for k in keys}
