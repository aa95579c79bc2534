"""The implementations each fake app offers, read from the apps' own /schema answers
(tests/fakearr/reference/schemas, a copy of shared/reference/schemas: every implementation
of every kind, derived from the upstream source; see its README). Templates, field names,
types, defaults, select options and order come only from those documents.

What is not data stays code, attached by implementation name: settings validators and
connection tests (checks.py), Prowlarr's application test (prowlarr.py). An implementation
without attached behaviour validates nothing and tests nothing (the fake does not model it).
"""
import copy
import json
import os

from . import checks
from .fields import F

SCHEMAS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "reference", "schemas")


class Impl:
    """One template of GET <kind>/schema, with the behaviour the fake attaches to it."""

    def __init__(self, template, validate=None, test=None):
        self.template = template
        self.name = template["implementation"]
        self.display = template.get("implementationName") or self.name
        self.contract = template["configContract"]
        self.fields = [F(f) for f in template.get("fields") or []]
        self.validate = validate or (lambda s: [])
        self.test = test or (lambda s, d, app: [])
        self.protocol = template.get("protocol")

    def schema(self):
        return copy.deepcopy(self.template)


def load(app, kind):
    """The JSON array GET /api/<v>/<kind>/schema returns on a fresh install of APP."""
    path = os.path.join(SCHEMAS, app, kind + ".json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _newznab_categories():
    """(id, name) of the Newznab standard categories, as Prowlarr's application templates
    offer them (NewznabStandardCategory via the select options converter)."""
    sonarr = next(t for t in load("prowlarr", "applications") if t["implementation"] == "Sonarr")
    cats = next(f for f in sonarr["fields"] if f["name"] == "syncCategories")
    return [(o["value"], o["name"]) for o in cats["selectOptions"]]


NEWZNAB_CATEGORIES = _newznab_categories()
# Categories the seeded Prowlarr indexers support (the fake's own choice, not schema data).
TV_CATS = [5000, 5010, 5020, 5030, 5040, 5045, 5050, 5060, 5070, 5080, 5090]
MOVIE_CATS = [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060, 2070, 2080, 2090]

# Download clients whose settings validator checks Host (ValidHost) and Port
# (InclusiveBetween(1, 65535)) and whose test logs in over host:port
# (src/NzbDrone.Core/Download/Clients/<Client>/<Client>Settings.cs and <Client>.cs
# Test(), in Sonarr, Radarr, Lidarr, Readarr and Prowlarr).
HOST_PORT_CLIENTS = {"Aria2", "Deluge", "Flood", "Hadouken", "Nzbget", "NzbVortex",
                     "QBittorrent", "RTorrent", "Sabnzbd", "Transmission", "UTorrent", "Vuze",
                     "TorrentDownloadStation", "UsenetDownloadStation", "TorrentFreeboxDownload"}

# Prowlarr applications whose validator requires SyncCategories
# (src/NzbDrone.Core/Applications/<App>/<App>Settings.cs): Sonarr accepts anime
# categories instead, Lidarr has no such rule.
CATEGORIES_REQUIRED = {"Radarr": True, "Readarr": True, "Whisparr": True}


def application_validator(categories_required):
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


def _behaviour(app, kind, t):
    """(validate, test) attached to template T of KIND, or (None, None)."""
    name = t["implementation"]
    if kind == "downloadclient" and name in HOST_PORT_CLIENTS:
        return (checks.download_client_validator(name, app),
                checks.download_client_test(t.get("implementationName") or name, app))
    # src/NzbDrone.Core/Indexers/Newznab/NewznabSettings.cs (validator), Newznab.cs Test()
    if kind == "indexer" and name in ("Newznab", "Torznab"):
        return (checks.newznab_validator(app, name == "Torznab"), checks.newznab_test(app))
    # src/NzbDrone.Core/Notifications/{Discord,Webhook}/*Settings.cs and *Proxy.cs Test()
    if kind == "notification" and name == "Discord":
        return checks.webhook_validator("webHookUrl"), checks.webhook_test("webHookUrl", "Discord")
    if kind == "notification" and name == "Webhook":
        return checks.webhook_validator("url"), checks.webhook_test("url", "webhook")
    # Prowlarr src/NzbDrone.Core/Applications/<App>/<App>Settings.cs, <App>.cs Test()
    if kind == "applications":
        from . import prowlarr  # the test talks to the target app
        test = prowlarr.application_test(name) if name in prowlarr.API else None
        return application_validator(CATEGORIES_REQUIRED.get(name, False)), test
    # Prowlarr src/NzbDrone.Core/IndexerProxies/<Proxy>/<Proxy>Settings.cs, <Proxy>.cs Test()
    if kind == "indexerproxy" and name == "FlareSolverr":
        return checks.flaresolverr_validate, checks.flaresolverr_test
    if kind == "indexerproxy" and name in ("Http", "Socks4", "Socks5"):
        return checks.proxy_validate, checks.proxy_test
    return None, None


ROUTES = {"prowlarr": ("applications", "indexerproxy", "downloadclient", "notification",
                       "indexer")}
TARGET_ROUTES = ("indexer", "downloadclient", "notification")


def catalog(app):
    out = {}
    for kind in ROUTES.get(app, TARGET_ROUTES):
        out[kind] = [Impl(t, *_behaviour(app, kind, t)) for t in load(app, kind)]
    return out
