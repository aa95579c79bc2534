"""Profiles the config names instead of ids: quality, language (Sonarr), metadata
(Lidarr/Readarr) and app (Prowlarr) profiles, as a fresh install has them."""
import copy
import re

from .rules import load
from .wire import problem

# Default quality profiles created at first start, in order (QualityProfileService: the
# AddDefaultProfile(name, cutoff, allowed...) calls, Quality ids from Qualities/Quality.cs at the
# pinned refs); GetDefaultProfile turns them into items over the reference profile's layout.
QUALITY_PROFILES = {
    "sonarr": [
        ("Any", 1, [1, 12, 8, 2, 13, 22, 4, 9, 14, 5, 15, 3, 6, 7]),
        ("SD", 1, [1, 12, 8, 2, 13, 22]),
        ("HD-720p", 4, [4, 14, 5, 6]),
        ("HD-1080p", 9, [9, 15, 3, 7]),
        ("Ultra-HD", 16, [16, 17, 18, 19]),
        ("HD - 720p/1080p", 4, [4, 9, 14, 5, 15, 3, 6, 7]),
    ],
    "radarr": [
        ("Any", 20, [24, 25, 26, 27, 28, 29, 1, 2, 23, 4, 9, 16, 8, 12, 5, 14, 3, 15, 18, 17, 20,
                  21, 6, 7, 19, 30, 31, 22]),
        ("SD", 20, [24, 25, 26, 27, 28, 29, 1, 2, 8, 12, 20, 21]),
        ("HD-720p", 6, [4, 5, 14, 6]),
        ("HD-1080p", 7, [9, 3, 15, 7, 30]),
        ("Ultra-HD", 31, [16, 18, 17, 19, 31]),
        ("HD - 720p/1080p", 6, [4, 9, 5, 14, 3, 15, 6, 7, 30]),
    ],
    "lidarr": [
        ("Any", 0, [0, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 33, 22, 5, 1, 34, 3, 4, 2, 8, 9,
                  10, 11, 12, 19, 18, 17, 16, 15, 14, 20, 6, 7, 21, 37]),
        ("Lossless", 6, [6, 7, 21, 37]),
        ("Standard", 1, [1, 3, 4]),
    ],
    "readarr": [
        ("eBook", 2, [2, 3, 4]),
        ("Spoken", 10, [13, 10, 12, 11]),
    ],
}
# MetadataProfileService.Handle(ApplicationStartedEvent): "Standard" on an empty database, then
# the reserved empty profile "None" (Lidarr cce7ffa6, Readarr 4fb62c07).
METADATA_PROFILES = ("Standard", "None")


def _quality_profile(first, pid, name, cutoff, allowed):
    """QualityProfileService.GetDefaultProfile over the reference profile's items: a single
    quality is allowed when listed; a group is allowed (with all its members) when any member
    is; a cutoff quality inside a group makes the group's id the cutoff."""
    p = copy.deepcopy(first)
    for item in p["items"]:
        if "quality" in item:
            item["allowed"] = item["quality"]["id"] in allowed
            continue
        ids = [x["quality"]["id"] for x in item["items"]]
        item["allowed"] = any(i in allowed for i in ids)
        for x in item["items"]:
            x["allowed"] = item["allowed"]
        if cutoff in ids:
            cutoff = item["id"]
    p.update(name=name, cutoff=cutoff, id=pid)
    return p


class Profiles:
    """Profiles the config names instead of ids. GET list and GET by id.
    qualityprofile: the defaults of first start (QUALITY_PROFILES; profile 1 equals the
    reference body). languageprofile (Sonarr v4): LanguageProfileController still serves it,
    with one fixed profile "Deprecated" (id 1, English) whatever is sent; POST/PUT echo the
    body with 202 and store nothing. metadataprofile (Lidarr/Readarr): "Standard" and "None".
    appprofile (Prowlarr): the AppProfiles table ("Standard" at first start)."""

    ROUTES = {"sonarr": ("qualityprofile", "languageprofile"), "radarr": ("qualityprofile",),
              "lidarr": ("qualityprofile", "metadataprofile"),
              "readarr": ("qualityprofile", "metadataprofile"), "prowlarr": ("appprofile",)}

    def __init__(self, app):
        self.app = app
        self.routes = self.ROUTES[app.name]
        self.lists = {}
        if "qualityprofile" in self.routes:
            first = load(app.name, "qualityprofile")
            self.lists["qualityprofile"] = [
                _quality_profile(first, i + 1, name, cutoff, allowed)
                for i, (name, cutoff, allowed) in enumerate(QUALITY_PROFILES[app.name])]
        if "metadataprofile" in self.routes:
            t = load(app.name, "metadataprofile")
            out = []
            for i, name in enumerate(METADATA_PROFILES):
                p = copy.deepcopy(t)
                p.update(name=name, id=i + 1)
                if name == "None":  # the reserved empty profile: nothing allowed
                    for k in ("primaryAlbumTypes", "secondaryAlbumTypes", "releaseStatuses"):
                        for item in p.get(k) or []:
                            item["allowed"] = False
                out.append(p)
            self.lists["metadataprofile"] = out
        if "languageprofile" in self.routes:
            # LanguageProfileController.GetAll (Sonarr 4ff1b780); Language.English = 1
            self.lists["languageprofile"] = [{
                "name": "Deprecated", "upgradeAllowed": True,
                "cutoff": {"id": 1, "name": "English"},
                "languages": [{"language": {"id": 1, "name": "English"}, "allowed": True}],
                "id": 1}]

    def list(self, route):
        if route == "appprofile":
            return self.app.store.all("AppProfiles")
        return copy.deepcopy(self.lists[route])

    def get(self, route, rid):
        if route == "languageprofile":
            return copy.deepcopy(self.lists[route][0])  # GetResourceById ignores the id
        for p in self.list(route):
            if p["id"] == rid:
                return p
        raise problem(self.app.runtime, 404)

    def route(self, route, method, rest, body, out):
        """(status, body, headers, changed) or None for 405."""
        if not rest:
            if method == "GET":
                return 200, self.list(route), {}, False
            if method in ("POST", "PUT") and route == "languageprofile":
                res = self.app.binder.parse_bind(body, {"id": "int", "name": "string",
                                                       "upgradeAllowed": "bool",
                                                       "cutoff": "any", "languages": "any"},
                                                 "LanguageProfileResource")
                return 202, res, {}, False
            return None
        rid = rest[0]
        if not re.fullmatch(r"-?[0-9]{1,9}", rid) or len(rest) > 1:
            return 404, None, {}, False
        rid = int(rid)
        if method == "GET":
            return 200, self.get(route, rid), {}, False
        if route == "languageprofile" and method == "DELETE":
            return 200, None, {}, False
        return None
