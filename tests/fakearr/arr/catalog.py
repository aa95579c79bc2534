"""The implementations each fake app offers in /schema, with their fields and
defaults (ARR-API.md §6.2, §7, §8 and the OpenAPI documents)."""
from . import checks
from .fields import F, options


class Impl:
    def __init__(self, name, display, fields, validate=None, test=None, protocol=None,
                 contract=None, extra=None):
        self.name = name
        self.display = display
        self.contract = contract or name + "Settings"
        self.fields = fields
        self.validate = validate or (lambda s: [])
        self.test = test or (lambda s, d, app: [])
        self.protocol = protocol
        self.extra = extra or {}


NEWZNAB_CATEGORIES = [
    (1000, "Console"), (2000, "Movies"), (2010, "Movies/Foreign"), (2020, "Movies/Other"),
    (2030, "Movies/SD"), (2040, "Movies/HD"), (2045, "Movies/UHD"), (2050, "Movies/BluRay"),
    (2060, "Movies/3D"), (2070, "Movies/DVD"), (2080, "Movies/WEB-DL"), (2090, "Movies/x265"),
    (3000, "Audio"), (3010, "Audio/MP3"), (3030, "Audio/Audiobook"), (3040, "Audio/Lossless"),
    (4000, "PC"), (5000, "TV"), (5010, "TV/WEB-DL"), (5020, "TV/Foreign"), (5030, "TV/SD"),
    (5040, "TV/HD"), (5045, "TV/UHD"), (5050, "TV/Other"), (5060, "TV/Sport"),
    (5070, "TV/Anime"), (5080, "TV/Documentary"), (5090, "TV/x265"), (6000, "XXX"),
    (7000, "Books"), (7010, "Books/Mags"), (7020, "Books/EBook"), (7030, "Books/Comics"),
    (8000, "Other"),
]
TV_CATS = [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5060, 5070, 5080, 5090]
MOVIE_CATS = [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]


def _cat_options():
    out = []
    for i, (v, n) in enumerate(NEWZNAB_CATEGORIES):
        o = {"value": v, "name": n, "order": i}
        if v % 1000:
            o["parentValue"] = v - v % 1000
        out.append(o)
    return out


PRIORITY_LAST_FIRST = options((0, "Last"), (1, "First"))
SAB_PRIORITY = options((-100, "Default"), (-2, "Paused"), (-1, "Low"), (0, "Normal"),
                       (1, "High"), (2, "Force"))
NZBGET_PRIORITY = options((-100, "VeryLow"), (-50, "Low"), (0, "Normal"), (50, "High"),
                          (100, "VeryHigh"), (900, "Force"))


# --- download clients (Sonarr / Radarr / Prowlarr) ----------------------------------

def _common_client(port, url_base=None):
    return [F("host", "Host", default="localhost"),
            F("port", "Port", "int", port, type="number"),
            F("useSsl", "Use SSL", "bool", False, type="checkbox"),
            F("urlBase", "URL Base", default=url_base, advanced=True)]


def download_clients(app):
    media = {"sonarr": "tv", "radarr": "movie"}.get(app)
    cat = (media + "Category") if media else "category"
    Media = {"tv": "Tv", "movie": "Movie"}.get(media)

    def prio(opts, default):
        if media:
            return [F("recent%sPriority" % Media, "Recent Priority", "int", default,
                      type="select", options=opts),
                    F("older%sPriority" % Media, "Older Priority", "int", default,
                      type="select", options=opts)]
        return [F("priority", "Priority", "int", default, type="select", options=opts)]

    def imported():
        return [F(media + "ImportedCategory", "Post-Import Category", advanced=True)] \
            if media else []

    qcat = {"sonarr": "tv-sonarr", "radarr": "radarr"}.get(app, "prowlarr")
    qbit = _common_client(8080)
    if app == "sonarr":
        qbit.append(F("apiKey", "API Key", privacy="apiKey"))
    qbit += [F("username", "Username", privacy="userName"),
             F("password", "Password", type="password", privacy="password"),
             F(cat, "Category", default=qcat)] + imported() + prio(PRIORITY_LAST_FIRST, 0) + [
        F("initialState", "Initial State", "int", 0, type="select",
          options=options((0, "Started"), (1, "Force Started"), (2, "Stopped"))),
        F("sequentialOrder", "Sequential Order", "bool", False, type="checkbox"),
        F("firstAndLast", "First and Last First", "bool", False, type="checkbox"),
        F("contentLayout", "Content Layout", "int", 0, type="select",
          options=options((0, "Default"), (1, "Original"), (2, "Subfolder")))]

    tcat = {"sonarr": "tv-sonarr", "radarr": "radarr"}.get(app)
    trans = _common_client(9091, "/transmission/") + [
        F("username", "Username", privacy="userName"),
        F("password", "Password", type="password", privacy="password"),
        F(cat, "Category", default=tcat)] + imported() + [
        F((media + "Directory") if media else "directory", "Directory", advanced=True)] + \
        prio(PRIORITY_LAST_FIRST, 0) + [F("addPaused", "Add Paused", "bool", False,
                                          type="checkbox")]

    scat = {"sonarr": "tv", "radarr": "movies"}.get(app, "prowlarr")
    sab = _common_client(8080) + [
        F("apiKey", "API Key", privacy="apiKey"),
        F("username", "Username", privacy="userName"),
        F("password", "Password", type="password", privacy="password"),
        F(cat, "Category", default=scat)] + prio(SAB_PRIORITY, -100)

    ncat = {"sonarr": "tv", "radarr": "Movies"}.get(app, "Prowlarr")
    nuser, npass = (None, None) if app == "sonarr" else ("nzbget", "tegbzn6789")
    nzbget = _common_client(6789) + [
        F("username", "Username", default=nuser, privacy="userName"),
        F("password", "Password", default=npass, type="password", privacy="password"),
        F(cat, "Category", default=ncat)] + prio(NZBGET_PRIORITY, 0) + [
        F("addPaused", "Add Paused", "bool", False, type="checkbox")]

    def mk(name, display, fields, protocol):
        return Impl(name, display, fields, checks.download_client_validator(name, app),
                    checks.download_client_test(display, app), protocol)

    return [mk("Nzbget", "NZBGet", nzbget, "usenet"),
            mk("QBittorrent", "qBittorrent", qbit, "torrent"),
            mk("Sabnzbd", "SABnzbd", sab, "usenet"),
            mk("Transmission", "Transmission", trans, "torrent")]


# --- Sonarr / Radarr / Lidarr / Readarr indexers ----------------------------------

def target_indexers(app):
    defaults = {"sonarr": [5030, 5040], "radarr": [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060],
                "lidarr": [3000, 3010, 3030, 3040], "readarr": [3030, 7000, 7020]}[app]

    def base():
        fs = [F("baseUrl", "URL"),
              F("apiPath", "API Path", default="/api", advanced=True,
                help="Path to the api, usually /api"),
              F("apiKey", "API Key", privacy="apiKey"),
              F("categories", "Categories", "ints", defaults, type="select",
                action="newznabCategories")]
        if app == "sonarr":
            fs += [F("animeCategories", "Anime Categories", "ints", [], type="select",
                     action="newznabCategories"),
                   F("animeStandardFormatSearch", "Anime Standard Format Search", "bool", False,
                     type="checkbox")]
        fs.append(F("additionalParameters", "Additional Parameters", advanced=True))
        if app == "radarr":
            fs.append(F("removeYear", "Remove year from search string", "bool", False,
                        type="checkbox"))
        if app in ("sonarr", "radarr"):
            fs += [F("multiLanguages", "Multi Languages", "ints", [], type="select",
                     advanced=True),
                   F("failDownloads", "Fail Downloads", "ints", [], type="select",
                     advanced=True, options=options((0, "Executables"),
                                                    (1, "Potentially Dangerous")))]
        if app in ("lidarr", "readarr"):
            fs.append(F("earlyReleaseLimit", "Early Download Limit", "int?", advanced=True,
                        type="number", unit="days"))
        return fs

    tor = base() + [F("minimumSeeders", "Minimum Seeders", "int", 1, type="number",
                      advanced=True),
                    F("seedCriteria.seedRatio", "Seed Ratio", "float?", type="number"),
                    F("seedCriteria.seedTime", "Seed Time", "int?", type="number",
                      unit="minutes", advanced=True)]
    if app == "sonarr":
        tor.append(F("seedCriteria.seasonPackSeedTime", "Season-Pack Seed Time", "int?",
                     type="number", unit="minutes", advanced=True))
    if app in ("lidarr", "readarr"):
        tor.append(F("seedCriteria.discographySeedTime", "Discography Seed Time", "int?",
                     type="number", unit="minutes", advanced=True))
    if app == "radarr":
        tor.append(F("requiredFlags", "Required Flags", "ints", [], type="select",
                     advanced=True))
    tor.append(F("rejectBlocklistedTorrentHashesWhileGrabbing",
                 "Reject Blocklisted Torrent Hashes While Grabbing", "bool", False,
                 type="checkbox", advanced=True))
    return [Impl("Newznab", "Newznab", base(), checks.newznab_validator(app, False),
                 checks.newznab_test(app), "usenet"),
            Impl("Torznab", "Torznab", tor, checks.newznab_validator(app, True),
                 checks.newznab_test(app), "torrent")]


# --- notifications ------------------------------------------------------------

def notifications(app):
    webhook = [F("url", "Webhook URL", type="url"),
               F("method", "Method", "int", 1, type="select",
                 options=options((1, "POST"), (2, "PUT"))),
               F("username", "Username", privacy="userName"),
               F("password", "Password", type="password", privacy="password")]
    discord = [F("webHookUrl", "Webhook URL"),
               F("username", "Username", privacy="userName"),
               F("avatar", "Avatar"),
               F("author", "Author", advanced=True)]
    return [Impl("Discord", "Discord", discord, checks.webhook_validator("webHookUrl"),
                 checks.webhook_test("webHookUrl", "Discord")),
            Impl("Webhook", "Webhook", webhook, checks.webhook_validator("url"),
                 checks.webhook_test("url", "webhook"))]


# --- Prowlarr: applications, proxies, indexers ------------------------------------------

APP_DEFAULTS = {
    "Lidarr": ("http://localhost:8686", [3000, 3010, 3030, 3040, 3050, 3060], False),
    "Radarr": ("http://localhost:7878", [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070,
                                         2080, 2090], True),
    "Readarr": ("http://localhost:8787", [3030, 7000, 7010, 7020, 7030, 7040, 7050, 7060], True),
    "Sonarr": ("http://localhost:8989", [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5090], False),
    "Whisparr": ("http://localhost:6969", [6000, 6010, 6020, 6030, 6040, 6045, 6050, 6070, 6080,
                                           6090], True),
}


def application_validator(name, categories_required):
    def validate(s):
        fails = []
        for prop, key in (("BaseUrl", "baseUrl"), ("ProwlarrUrl", "prowlarrUrl")):
            if not checks.is_valid_url(s.get(key)):
                fails.append(checks.df(prop, "Invalid Url: '%s'" % (s.get(key) or ""),
                                       attempted=s.get(key)))
        checks.not_empty(fails, "ApiKey", s.get("apiKey"))
        if categories_required:
            checks.not_empty(fails, "SyncCategories", s.get("syncCategories"))
        return fails
    return validate


def applications():
    from . import prowlarr  # the test talks to the target app
    out = []
    for name in sorted(APP_DEFAULTS):
        url, cats, required = APP_DEFAULTS[name]
        fs = [F("prowlarrUrl", "Prowlarr Server", default="http://localhost:9696",
                help="Prowlarr server URL as %s sees it, including http(s)://, port, and "
                "urlbase if needed" % name, placeholder="http://localhost:9696"),
              F("baseUrl", "%s Server" % name, default=url,
                help="URL used to connect to %s server, including http(s)://, port, and "
                "urlbase if required" % name, placeholder=url),
              F("apiKey", "API Key", privacy="apiKey",
                help="The ApiKey generated by %s in Settings/General" % name),
              F("syncCategories", "Sync Categories", "ints", cats, type="select",
                advanced=True, options=_cat_options())]
        if name == "Sonarr":
            fs += [F("animeSyncCategories", "Anime Sync Categories", "ints", [5070],
                     type="select", advanced=True, options=_cat_options()),
                   F("syncAnimeStandardFormatSearch", "Sync Anime Standard Format Search",
                     "bool", True, type="checkbox", advanced=True)]
        fs.append(F("syncRejectBlocklistedTorrentHashesWhileGrabbing",
                    "Reject Blocklisted Torrent Hashes While Grabbing", "bool", False,
                    type="checkbox", advanced=True))
        out.append(Impl(name, name, fs, application_validator(name, required),
                        prowlarr.application_test(name)))
    return out


def indexer_proxies():
    socks = [F("host", "Host"), F("port", "Port", "int", 0, type="number"),
             F("username", "Username", default="", privacy="userName"),
             F("password", "Password", default="", type="password", privacy="password")]
    return [Impl("FlareSolverr", "FlareSolverr",
                 [F("host", "Host", default="http://localhost:8191/"),
                  F("requestTimeout", "Request Timeout", "int", 60, type="number",
                    unit="seconds", advanced=True)],
                 checks.flaresolverr_validate, checks.flaresolverr_test),
            Impl("Http", "Http", socks, checks.proxy_validate, checks.proxy_test),
            Impl("Socks4", "Socks4", [f for f in socks], checks.proxy_validate, checks.proxy_test),
            Impl("Socks5", "Socks5", [f for f in socks], checks.proxy_validate, checks.proxy_test)]


def prowlarr_indexers():
    base = [F("baseUrl", "URL"),
            F("apiPath", "API Path", default="/api", advanced=True),
            F("apiKey", "API Key", privacy="apiKey"),
            F("additionalParameters", "Additional Parameters", advanced=True),
            F("baseSettings.queryLimit", "Query Limit", "int?", type="number", advanced=True),
            F("baseSettings.grabLimit", "Grab Limit", "int?", type="number", advanced=True),
            F("baseSettings.limitsUnit", "Limits Unit", "int", 0, type="select", advanced=True,
              options=options((0, "Day"), (1, "Hour")))]
    tor = base + [F("torrentBaseSettings.appMinimumSeeders", "Apps Minimum Seeders", "int?",
                    type="number", advanced=True),
                  F("torrentBaseSettings.seedRatio", "Seed Ratio", "float?", type="number",
                    advanced=True),
                  F("torrentBaseSettings.seedTime", "Seed Time", "int?", type="number",
                    unit="minutes", advanced=True),
                  F("torrentBaseSettings.packSeedTime", "Pack Seed Time", "int?",
                    type="number", unit="minutes", advanced=True),
                  F("torrentBaseSettings.preferMagnetUrl", "Prefer Magnet URL", "bool", False,
                    type="checkbox", advanced=True)]
    return [Impl("Newznab", "Generic Newznab", base, checks.newznab_validator("prowlarr", False),
                 checks.newznab_test("prowlarr"), "usenet"),
            Impl("Torznab", "Generic Torznab", tor, checks.newznab_validator("prowlarr", True),
                 checks.newznab_test("prowlarr"), "torrent")]


def catalog(app):
    if app == "prowlarr":
        return {"applications": applications(), "indexerproxy": indexer_proxies(),
                "downloadclient": download_clients("prowlarr"),
                "notification": notifications("prowlarr"), "indexer": prowlarr_indexers()}
    return {"indexer": target_indexers(app), "downloadclient": download_clients(app),
            "notification": notifications(app)}
