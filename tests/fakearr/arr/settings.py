"""Settings resources of the apps (issue 15): the `config/<name>` singletons, remote path
mappings, delay profiles, and the profiles looked up by name (quality, language, metadata,
Prowlarr app profiles). Shapes and first-start values come from reference/resources/ (a copy
of the project's API reference); behaviour and validators from the upstream controllers at the
pinned commits, cited per rule below. Answers are (status, body, headers, changed)."""
import base64
import copy
import hashlib
import ipaddress
import json
import os
import re
import urllib.parse

from .wire import ApiError, bad_request, error_model, plain_failure, problem, server_error, \
    split_words

REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "resources")

# Config resources each app serves (`<X>ConfigController` classes at the pinned refs).
CONFIGS = {
    "prowlarr": ("host", "ui", "development", "downloadclient"),
}
for _a in ("sonarr", "radarr", "lidarr", "readarr"):
    CONFIGS[_a] = ("host", "naming", "mediamanagement", "downloadclient", "indexer", "ui")

# Read-only per config resource (resources/README.md "read-only": GET computes them, PUT
# ignores them). Host username/password are handled apart (SaveHostConfig -> user service).
READ_ONLY = {
    ("radarr", "mediamanagement"): ("pathsDefaultStatic",),
    ("lidarr", "naming"): ("includeArtistName", "includeAlbumTitle", "includeQuality",
                           "replaceSpaces", "separator", "numberStyle"),
    ("readarr", "naming"): ("includeAuthorName", "includeBookTitle", "includeQuality",
                            "replaceSpaces", "separator", "numberStyle"),
}

# Enums of the config resources: JSON name -> (CLR type, {camelCase member: value}).
# Sources (Sonarr 4ff1b780, same members in the other apps where the property exists):
# Authentication/AuthenticationType.cs, AuthenticationRequiredType.cs, Update/UpdateMechanism.cs,
# NzbDrone.Common/Http/Proxy/ProxyType.cs, Security/CertificateValidationType.cs,
# Qualities/ProperDownloadTypes.cs, Configuration/RescanAfterRefreshType.cs,
# MediaFiles/EpisodeImport/EpisodeTitleRequiredType.cs, MediaFiles/FileDateType.cs.
ENUMS = {
    "authenticationMethod": ("NzbDrone.Core.Authentication.AuthenticationType",
                             {"none": 0, "basic": 1, "forms": 2, "external": 3}),
    "authenticationRequired": ("NzbDrone.Core.Authentication.AuthenticationRequiredType",
                               {"enabled": 0, "disabledForLocalAddresses": 1}),
    "updateMechanism": ("NzbDrone.Core.Update.UpdateMechanism",
                        {"builtIn": 0, "script": 1, "external": 10, "apt": 11, "docker": 12}),
    "proxyType": ("NzbDrone.Common.Http.Proxy.ProxyType",
                  {"http": 0, "socks4": 1, "socks5": 2}),
    "certificateValidation": ("NzbDrone.Core.Security.CertificateValidationType",
                              {"enabled": 0, "disabledForLocalAddresses": 1, "disabled": 2}),
    "downloadPropersAndRepacks": ("NzbDrone.Core.Qualities.ProperDownloadTypes",
                                  {"preferAndUpgrade": 0, "doNotUpgrade": 1, "doNotPrefer": 2}),
    "rescanAfterRefresh": ("NzbDrone.Core.Configuration.RescanAfterRefreshType",
                           {"always": 0, "afterManual": 1, "never": 2}),
    "episodeTitleRequired": ("NzbDrone.Core.MediaFiles.EpisodeImport.EpisodeTitleRequiredType",
                             {"always": 0, "bulkSeasonReleases": 1, "never": 2}),
}
# FileDateType differs per app (Sonarr: air dates, Radarr: cinemas/release, Lidarr/Readarr:
# album/book release date); members from each app's MediaFiles/FileDateType.cs.
FILE_DATE = {"sonarr": {"none": 0, "localAirDate": 1, "utcAirDate": 2},
             "radarr": {"none": 0, "cinemas": 1, "release": 2},
             "lidarr": {"none": 0, "albumReleaseDate": 1},
             "readarr": {"none": 0, "bookReleaseDate": 1}}
APP_ENUMS = {("radarr", "colonReplacementFormat"): (
    "NzbDrone.Core.Organizer.ColonReplacementFormat",
    {"delete": 0, "dash": 1, "spaceDash": 2, "spaceDashSpace": 3, "smart": 4})}
PROTOCOL = ("NzbDrone.Core.Indexers.DownloadProtocol", {"unknown": 0, "usenet": 1, "torrent": 2})

# Restart needed after changing (resources/README.md, the UI's requiresRestartKeys).
RESTART_KEYS = {
    "sonarr": ("bindAddress", "port", "urlBase", "instanceName", "enableSsl", "sslPort",
               "sslCertHash", "sslCertPassword"),
    "radarr": ("bindAddress", "port", "urlBase", "instanceName", "enableSsl", "sslPort",
               "sslCertPath", "sslCertPassword"),
}
for _a in ("lidarr", "readarr", "prowlarr"):
    RESTART_KEYS[_a] = ("bindAddress", "port", "urlBase", "enableSsl", "sslPort", "sslCertPath",
                        "sslCertPassword")

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


def load(app, name):
    with open(os.path.join(REF, app, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def _gte(prop, value, n, label=None):
    if value is not None and value < n:
        return [plain_failure(prop, "'%s' must be greater than or equal to '%d'." % (
            label or split_words(prop), n), "GreaterThanOrEqualValidator", value,
            {"comparisonValue": n})]
    return []


def _between(prop, value, lo, hi):
    if value is None or not lo <= value <= hi:
        return [plain_failure(prop, "'%s' must be between %d and %d. You entered %s." % (
            split_words(prop), lo, hi, value), "InclusiveBetweenValidator", value,
            {"from": lo, "to": hi})]
    return []


def _not_empty(prop, value):
    if value is None or (isinstance(value, (str, list)) and not (
            value.strip() if isinstance(value, str) else value)):
        return [plain_failure(prop, "'%s' must not be empty." % split_words(prop),
                              "NotEmptyValidator", value)]
    return []


def _valid_port(prop, value):
    """RuleBuilderExtensions.ValidPort: 1-65535, and above 1024 unless 80 or 443."""
    fails = _between(prop, value, 1, 65535)
    if not fails and value <= 1024 and value not in (80, 443):
        fails.append(plain_failure(prop, "The specified condition was not met for '%s'."
                                   % split_words(prop), "PredicateValidator", value))
    return fails


def _valid_path(prop, value):
    """PathValidator (IsValidPath): a rooted path on Linux."""
    if not (isinstance(value, str) and value.startswith("/") and "\0" not in value):
        return [plain_failure(prop, "Invalid Path: '%s'" % (value or ""), "PathValidator",
                              value)]
    return []


def _net_regex(pattern):
    """A .NET pattern for Python's re: named groups (names repeat in .NET) become plain ones."""
    return re.compile(re.sub(r"\(\?<([A-Za-z]\w*)>", "(?:", pattern), re.I)


# src/NzbDrone.Core/Organizer/FileNameBuilder.cs and FileNameValidation.cs at the pinned refs
_RX = {k: _net_regex(v) for k, v in {
    "episode": r"(?<episode>\{episode(?:\:0+)?})",
    "season": r"(?<season>\{season(?:\:0+)?})",
    "seasonEpisode": r"(?<separator>(?<=})[- ._]+?)?(?<seasonEpisode>s?{season(?:\:0+)?}"
                     r"(?<episodeSeparator>[- ._]?[ex])(?<episode>{episode(?:\:0+)?}))"
                     r"(?<separator>[- ._]+?(?={))?",
    "absolute": r"(?<separator>(?<=})[- ._]+?)?(?<absolute>{absolute(?:\:0+)?})"
                r"(?<separator>[- ._]+?(?={))?",
    "airDate": r"\{Air(\s|\W|_)Date\}",
    "original": r"(\{original[- ._](?:title|filename)\})",
    "seasonFolder": r"(\{season(\:\d+)?\})",
    "seriesTitle": r"(?<token>\{(?:Series)(?<separator>[- ._])(Clean)?Title(The)?(Without)?"
                   r"(Year)?(?::(?<customFormat>[0-9-]+))?\})",
    "movieTitle": r"(?<token>\{(?:Movie)(?<separator>[- ._])(?:Clean)?(?:OriginalTitle|"
                  r"Title(?:The)?)(?::(?<customFormat>[a-z0-9|-]+))?\})",
    "releaseYear": r"\{[-{ ._\[(]*Release[- ._]Year[-} ._)\]]*\}",
    "track": r"(?<track>\{track(?:\:0+)?})",
    "trackTitle": r"(?<token>\{(?:Track)(?<separator>[- ._])(Clean)?Title"
                  r"(?::(?<customFormat>[0-9-]+))?\})",
    "artistName": r"(?<token>\{(?:Artist)(?<separator>[- ._])(Clean)?Name(The)?"
                  r"(?::(?<customFormat>[0-9-]+))?\})",
    "authorName": r"(?<token>\{(?:Author)(?<separator>[- ._])(Clean)?(Sort)?Name(The)?\})",
    "bookTitle": r"(?<token>\{(?:Book)(?<separator>[- ._])(Clean)?Title(The)?(NoSub)?\})",
    "part": r"\{(?<prefix>[^{]*?)(?<token1>PartNumber|PartCount)(?::(?<customFormat1>[a-z0-9]+))?"
            r"(?<separator>.*(?=PartNumber|PartCount))?((?<token2>PartNumber|PartCount)"
            r"(?::(?<customFormat2>[a-z0-9]+))?)?(?<suffix>[^}]*)\}",
}.items()}


def _has(v, *names):
    return all(_RX[n].search(v) for n in names)


def _se(v):
    return _has(v, "seasonEpisode") or _has(v, "season", "episode") or _has(v, "original")


# Per naming property: (validator class, message, test) after NotEmpty and IllegalCharacters.
_STD = ("ValidStandardEpisodeFormatValidator",
        "Must contain season and episode numbers OR Original Title", _se)
NAMING = {
    "sonarr": [
        ("StandardEpisodeFormat", _STD),
        ("DailyEpisodeFormat", ("ValidDailyEpisodeFormatValidator", "Must contain Air Date OR "
                                "Season and Episode OR Original Title",
                                lambda v: _se(v) or _has(v, "airDate"))),
        ("AnimeEpisodeFormat", ("ValidAnimeEpisodeFormatValidator", "Must contain Absolute "
                                "Episode number OR Season and Episode OR Original Title",
                                lambda v: _se(v) or _has(v, "absolute"))),
        ("SeriesFolderFormat", ("RegularExpressionValidator", "Must contain series title",
                                lambda v: _has(v, "seriesTitle"))),
        ("SeasonFolderFormat", ("RegularExpressionValidator", "Must contain season number",
                                lambda v: _has(v, "seasonFolder"))),
        ("SpecialsFolderFormat", None)],
    "radarr": [
        ("StandardMovieFormat", ("ValidMovieFormatValidator", "Must contain either movie title "
                                 "and release year OR Original Title/Filename",
                                 lambda v: _has(v, "original") or _has(v, "movieTitle",
                                                                       "releaseYear"))),
        ("MovieFolderFormat", ("ValidMovieFolderFormatValidator", "Must contain movie title",
                               lambda v: _has(v, "movieTitle") or _has(v, "original")))],
    "lidarr": [
        ("StandardTrackFormat", ("ValidStandardTrackFormatValidator", "Must contain Track "
                                 "Title and Track numbers OR Original Title",
                                 lambda v: _has(v, "trackTitle", "track") or
                                 _has(v, "original"))),
        ("MultiDiscTrackFormat", ("ValidStandardTrackFormatValidator", "Must contain Track "
                                  "Title and Track numbers OR Original Title",
                                  lambda v: _has(v, "trackTitle", "track") or
                                  _has(v, "original"))),
        ("ArtistFolderFormat", ("RegularExpressionValidator", "Must contain Artist name",
                                lambda v: _has(v, "artistName")))],
    "readarr": [
        ("StandardBookFormat", ("ValidStandardTrackFormatValidator", "Must contain Book Title "
                                "AND PartNumber, OR Original Title",
                                lambda v: _has(v, "bookTitle", "part") or _has(v, "original"))),
        ("AuthorFolderFormat", ("RegularExpressionValidator", "Must contain Author name",
                                lambda v: _has(v, "authorName")))],
}


def _format(prop, v, check):
    """NotEmpty + IllegalCharacters (Path.GetInvalidPathChars on Linux: NUL) + the format's
    own validator: one rule, every failing validator reported."""
    f = _not_empty(prop, v)
    if isinstance(v, str) and "\0" in v:
        f.append(plain_failure(prop, "Contains illegal characters: \0",
                               "IllegalCharactersValidator", v))
    if check is not None:
        code, msg, ok = check
        if not (isinstance(v, str) and ok(v)):
            f.append(plain_failure(prop, msg, code, v))
    return f


def _valid_mask(mask):
    """DiskProvider.IsValidFolderPermissionMask (Mono): an octal mask of access bits only,
    with full owner permissions (700)."""
    try:
        v = int(mask, 8)
    except ValueError:
        return False
    return v & ~0o777 == 0 and v & 0o700 == 0o700


def hash_password(password, salt):
    """UserService.GetHashedPassword: PBKDF2-HMAC-SHA512, 10000 iterations, 32 bytes, base64."""
    return base64.b64encode(hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt,
                                                10000, 32)).decode("ascii")


class Configs:
    """GET/PUT /config/<name> (ConfigController / HostConfigController / UiConfigController):
    always id 1; PUT stores every config property (SaveConfigDictionary), answers 202 with
    the resource as GET now returns it."""

    def __init__(self, app):
        self.app = app
        self.names = CONFIGS[app.name]
        self.templates = {n: load(app.name, "config/" + n) for n in self.names}

    def _current(self, name):
        body = copy.deepcopy(self.templates[name])
        if name == "host":  # values this process was started with (its config.xml)
            body.update(port=self.app.port, urlBase=self.app.url_base,
                        instanceName=self.app.instance_name, apiKey=self.app.api_key)
        stored = self.app.store.meta.get("config", {}).get(name)
        if stored:
            body.update({k: v for k, v in stored.items() if k in body})
        if name == "host":
            user = self.app.store.get("Users", 1)
            # GetHostConfig: Username and Password are the stored user's (the password is
            # the stored PBKDF2 hash, never the plain text); PasswordConfirmation is "".
            body["username"] = user["username"] if user else ""
            body["password"] = user["password"] if user else ""
            if "passwordConfirmation" in body:
                body["passwordConfirmation"] = ""
            elif user is None:
                # Readarr sets them only when a user exists: null, so not serialised
                del body["username"], body["password"]
        body["id"] = 1
        return body

    def get(self, name):
        return self._current(name)

    def value(self, name, key):
        return self._current(name).get(key)

    def spec(self, name):
        spec = {}
        for k, v in self.templates[name].items():
            if k in ENUMS or k == "fileDate" or (self.app.name, k) in APP_ENUMS:
                spec[k] = "any"
            elif isinstance(v, bool):
                spec[k] = "bool"
            elif isinstance(v, int):
                spec[k] = "int"
            elif isinstance(v, str):
                spec[k] = "string"
            else:
                spec[k] = "any"
        if name == "ui" and self.app.name == "prowlarr":
            spec["uiLanguage"] = "string"
        return spec

    def put(self, name, raw, route_id):
        ns = "%s.Api.V%s.Config" % (self.app.ns, self.app.api_version[1:])
        clr = "%s.%sConfigResource" % (ns, {"mediamanagement": "MediaManagement",
                                             "downloadclient": "DownloadClient",
                                             "ui": "Ui"}.get(name, name.capitalize()))
        doc = self.app.binder.parse(raw)
        res = self.app.binder.bind(doc, self.spec(name), clr, raw)
        for k in list(res):
            if k in ENUMS or k == "fileDate" or (self.app.name, k) in APP_ENUMS:
                res[k] = self._enum(k, res[k], raw)
        if route_id is not None and not res.get("id"):
            res["id"] = route_id  # RestController: route id copied into a body id of 0
        cur = self._current(name)
        # Properties missing from the body bind to the C# defaults (0, false, null).
        full = {}
        for k, v in self.templates[name].items():
            if k in res:
                full[k] = res[k]
            elif isinstance(v, bool):
                full[k] = False
            elif isinstance(v, int):
                full[k] = 0
            else:
                full[k] = None
        fails = []
        if not (full.get("id") or 0) > 0:  # PutValidator: Id ValidId
            fails.append(plain_failure("Id", "'Id' must be greater than '0'.",
                                       "GreaterThanValidator", full.get("id") or 0,
                                       {"comparisonValue": 0}))
        fails += self.validate(name, full)
        if fails:
            raise ApiError(400, fails)
        values = {}
        skip = READ_ONLY.get((self.app.name, name), ()) + ("id", "apiKey", "username",
                                                          "password", "passwordConfirmation")
        for k, v in full.items():
            if k not in skip:
                values[k] = v
        with self.app.store.lock:  # SaveConfigDictionary: config.xml / Config table
            self.app.store.meta.setdefault("config", {})[name] = values
            self.app.store.save()
        if name == "host":
            self._save_user(full)
        return 202, self._current(name), {"Location": "%s/api/%s/config/%s/1" % (
            self.app.url_base, self.app.api_version, name)}, cur != self._current(name)

    def _enum(self, key, v, raw):
        clr, members = ENUMS.get(key) or APP_ENUMS.get((self.app.name, key)) or (
            "NzbDrone.Core.MediaFiles.FileDateType", FILE_DATE[self.app.name])
        if v is None:
            path = "$.%s" % key
            raise problem(self.app.runtime, 400, {path: [
                "The JSON value could not be converted to %s. Path: %s | LineNumber: 0 | "
                "BytePositionInLine: 0." % (clr, path)]})
        if type(v) is int:  # integers are accepted, defined or not
            for n, i in members.items():
                if i == v:
                    return n
            return v
        if isinstance(v, str):
            for n in members:
                if n.lower() == v.strip().lower():
                    return n
        path = "$.%s" % key
        raise problem(self.app.runtime, 400, {path: [
            "The JSON value could not be converted to %s. Path: %s | LineNumber: 0 | "
            "BytePositionInLine: 0." % (clr, path)]})

    def _save_user(self, res):
        """SaveHostConfig: both non-empty -> UserService.Upsert (a password equal to the
        stored hash keeps it; otherwise a new salt and hash); the user name is lower-cased."""
        user, password = res.get("username"), res.get("password")
        if not (user and user.strip() and password and password.strip()):
            return False
        rec = self.app.store.get("Users", 1)
        if rec is None:
            salt = os.urandom(16)
            self.app.store.insert("Users", {"username": user.lower(), "password": hash_password(
                password, salt), "salt": base64.b64encode(salt).decode()}, unique=())
            return True
        new = dict(rec, username=user.lower())
        if rec["password"] != password:
            salt = os.urandom(16)
            new.update(password=hash_password(password, salt),
                       salt=base64.b64encode(salt).decode())
        if new == rec:
            return False
        self.app.store.update("Users", new, unique=())
        return True

    def check_login(self, username, password):
        """UserService.FindUser(username, password) for the forms login."""
        rec = self.app.store.get("Users", 1)
        if not (username or "").strip() or not (password or "").strip():
            return False
        if rec is None or rec["username"] != username.lower():
            return False
        return hash_password(password or "", base64.b64decode(rec["salt"])) == rec["password"]

    # -- validators --------------------------------------------------------------------
    def validate(self, name, r):
        app = self.app.name
        f = []
        if name == "host":
            # <App>.Api.V*/Config/HostConfigController.cs at the pinned refs
            ba = r.get("bindAddress")
            if ba not in ("*", "localhost"):
                ok = False
                try:
                    ipaddress.ip_address(ba or "")
                    ok = True
                except ValueError:
                    pass
                if ok and app == "readarr" and ba.startswith("0.0.0.0"):
                    f.append(plain_failure("BindAddress", "Use * instead of 0.0.0.0",
                                           "RegularExpressionValidator", ba,
                                           {"regularExpression": r"^(?!0\.0\.0\.0)"}))
                if not ok:
                    f.append(plain_failure("BindAddress", "Must contain wildcard (*) or a valid "
                                           "IP Address", "PredicateValidator", ba))
            f += _valid_port("Port", r.get("port"))
            ub = r.get("urlBase")
            if ub and re.match(r"^\/?https?://[-_a-z0-9.]+", ub, re.I):
                f.append(plain_failure("UrlBase", "Must be a valid URL path (ie: '/%s')" % app,
                                       "RegularExpressionValidator", ub,
                                       {"regularExpression": r"^(?!\/?https?://[-_a-z0-9.]+)"}))
            inst = r.get("instanceName")
            display = self.app.display
            if app == "sonarr":  # StartsOrEndsWithSonarr: NotEmpty + ^Sonarr|Sonarr$
                f += _not_empty("InstanceName", inst)
                if inst and not re.search("^Sonarr|Sonarr$", inst):
                    f.append(plain_failure("InstanceName", "Must start or end with Sonarr",
                                           "RegularExpressionValidator", inst,
                                           {"regularExpression": "^Sonarr|Sonarr$"}))
            elif inst and inst.strip() and not re.search(display, inst, re.I):
                f.append(plain_failure("InstanceName", "Must contain %s" % display,
                                       "RegularExpressionValidator", inst,
                                       {"regularExpression": display.lower()}))
            method = r.get("authenticationMethod")
            needs = ("forms",) if app == "prowlarr" else ("basic", "forms")
            if method in needs:
                f += _not_empty("Username", r.get("username"))
                f += _not_empty("Password", r.get("password"))
            if app == "prowlarr" and method == "basic":
                f.append(plain_failure("AuthenticationMethod", "'Basic' is no longer supported, "
                                       "switch to 'Forms' instead.", "NotEqualValidator",
                                       method, {"comparisonValue": "basic"}))
            if "passwordConfirmation" in self.templates["host"]:
                user = self.app.store.get("Users", 1)
                pw = r.get("password")
                if not ((user and user["password"] == pw) or pw == r.get(
                        "passwordConfirmation")):
                    f.append(plain_failure("PasswordConfirmation", "Must match Password",
                                           "PredicateValidator", r.get("passwordConfirmation")))
            if r.get("enableSsl"):
                f += _valid_port("SslPort", r.get("sslPort"))
                if r.get("sslPort") == r.get("port"):
                    f.append(plain_failure("SslPort", "'Ssl Port' must not be equal to '%s'."
                                           % r.get("port"), "NotEqualValidator", r.get("sslPort"),
                                           {"comparisonValue": r.get("port")}))
                cert = r.get("sslCertPath")
                if not cert:
                    f += _not_empty("SslCertPath", cert)
                else:  # fileExistsValidator: the fake has no certificate files
                    f += _valid_path("SslCertPath", cert) or [plain_failure(
                        "SslCertPath", "File does not exist", "FileExistsValidator", cert)]
            if "logSizeLimit" in self.templates["host"]:
                f += _between("LogSizeLimit", r.get("logSizeLimit"), 1, 10)
            if not (r.get("branch") or "").strip():
                f.append(plain_failure("Branch", "Branch name is required, '%s' is the default"
                                       % self.templates["host"]["branch"], "NotEmptyValidator",
                                       r.get("branch")))
            if r.get("updateMechanism") == "script":
                f += _valid_path("UpdateScriptPath", r.get("updateScriptPath"))
            bf = r.get("backupFolder")
            if bf and bf.startswith("/"):
                f += _valid_path("BackupFolder", bf)
            if app in ("prowlarr", "readarr"):
                f += _between("BackupInterval", r.get("backupInterval"), 1, 7)
                f += _between("BackupRetention", r.get("backupRetention"), 1, 90)
        elif name == "indexer":  # IndexerConfigController.cs
            f += _gte("MinimumAge", r.get("minimumAge"), 0)
            if app != "sonarr":
                f += _gte("MaximumSize", r.get("maximumSize"), 0)
            f += _gte("Retention", r.get("retention"), 0)
            # RssSyncIntervalValidator: 0 (disabled) or 10-120 minutes
            rss = r.get("rssSyncInterval")
            if rss != 0 and not 10 <= (rss or 0) <= 120:
                f.append(plain_failure("RssSyncInterval", "Must be between 10 and 120 or 0 to "
                                       "disable", "RssSyncIntervalValidator", rss))
        elif name == "mediamanagement":  # MediaManagementConfigController.cs
            f += _gte("RecycleBinCleanupDays", r.get("recycleBinCleanupDays"), 0)
            cm = r.get("chmodFolder")
            if cm and not _valid_mask(cm):  # FolderChmodValidator
                f.append(plain_failure("ChmodFolder", "Must contain a valid Unix permissions "
                                       "octal", "FolderChmodValidator", cm))
            rb = r.get("recycleBin")
            if rb:
                f += _valid_path("RecycleBin", rb)
            if r.get("useScriptImport"):
                f += _valid_path("ScriptImportPath", r.get("scriptImportPath"))
            f += _gte("MinimumFreeSpaceWhenImporting", r.get("minimumFreeSpaceWhenImporting"),
                      100)
        elif name == "naming":
            if app == "sonarr":
                f += _between("MultiEpisodeStyle", r.get("multiEpisodeStyle"), 0, 5)
            for prop, check in NAMING[app]:
                f += _format(prop, r.get(prop[:1].lower() + prop[1:]), check)
            if app == "sonarr" and r.get("colonReplacementFormat") == 5:  # Custom
                v = r.get("customColonReplacementFormat")
                bad = [c for c in ("\\", "/", "<", ">", "?", "*", "|", "\"", ":") if v and c in v]
                if bad:
                    f.append(plain_failure("CustomColonReplacementFormat", "Contains illegal "
                                           "characters: " + "".join(bad),
                                           "IllegalColonCharactersValidator", v))
        elif name == "ui":
            ui = r.get("uiLanguage")
            if app == "prowlarr":  # UiConfigController: NotEmpty, then a known locale
                if not ui:
                    f.append(plain_failure("UILanguage", "The UI Language value cannot be empty",
                                           "NotEmptyValidator", ui))
                elif ui not in UI_LOCALES:
                    f.append(plain_failure("UILanguage", "Invalid UI Language value", None, ui))
            else:
                if ui is None or ui < 1:
                    f.append(plain_failure("UILanguage", "The UI Language value cannot be less "
                                           "than 1", "GreaterThanOrEqualValidator", ui,
                                           {"comparisonValue": 1}))
                elif ui not in LANGUAGE_IDS[app]:
                    msg = "Invalid UI Language ID" if app == "radarr" else \
                        "Invalid UI Language value"
                    f.append(plain_failure("UILanguage", msg, "PredicateValidator", ui))
                if app == "radarr":
                    ml = r.get("movieInfoLanguage")
                    if ml is None or ml < 1:
                        f.append(plain_failure("MovieInfoLanguage", "The Movie Info Language "
                                               "value cannot be less than 1",
                                               "GreaterThanOrEqualValidator", ml,
                                               {"comparisonValue": 1}))
                    elif ml not in LANGUAGE_IDS[app]:
                        f.append(plain_failure("MovieInfoLanguage", "Invalid Movie Info "
                                               "Language ID", "PredicateValidator", ml))
        return [x for x in f if x]


# Language.All ids (src/NzbDrone.Core/Languages/Language.cs at the pinned refs).
LANGUAGE_IDS = {"sonarr": set(range(0, 47)) | {-2}, "radarr": set(range(0, 58)) | {-1, -2},
                "lidarr": set(range(0, 32)) | {-1, -2}, "readarr": set(range(0, 32)) | {-1, -2}}
# Prowlarr's localization options: the files of src/NzbDrone.Core/Localization/Core/ at 0ffcfccf.
UI_LOCALES = set("ar bg bn bs ca cs da de el en es es_MX et fa fi fr he hi hr hu id is it ja ko "
                 "lt lv nb_NO nl pl pt pt_BR ro ru sk sr sv ta th tr uk vi zh_CN zh_Hans "
                 "zh_TW".split())


def _location(app, route, rid):
    return {"Location": "%s/api/%s/%s/%d" % (app.url_base, app.api_version, route, rid)}


def _missing(what, rid):
    # ModelNotFoundException -> 404 ErrorModel (the apps' error pipeline)
    msg = "%s with ID %d does not exist" % (what, rid)
    return error_model(404, msg, "NzbDrone.Core.Datastore.ModelNotFoundException: " + msg)


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
        f = _not_empty("Host", res.get("host"))
        rp = res.get("remotePath")
        f += _not_empty("RemotePath", rp)
        if self.app.name == "lidarr":
            if not (rp and rp.strip() and not rp.startswith(" ")):
                f.append(plain_failure("RemotePath", "Remote Path '%s' must not start with a "
                                       "space" % (rp or ""), "PredicateValidator", rp))
            if not (rp and rp.strip() and not rp.endswith(" ")):
                f.append(plain_failure("RemotePath", "Remote Path '%s' must not end with a "
                                       "space" % (rp or ""), "PredicateValidator", rp))
        lp = res.get("localPath")
        lf = _valid_path("LocalPath", lp)
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
        return 201, self.render(saved), _location(self.app, "remotepathmapping", saved["id"]), \
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
            raise _missing("RemotePathMapping", rec["id"])
        saved = self.app.store.update("RemotePathMappings", rec, unique=())
        return 202, self.render(saved), _location(self.app, "remotepathmapping", saved["id"]), \
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
        f += _gte("UsenetDelay", rec.get("usenetDelay"), 0)
        f += _gte("TorrentDelay", rec.get("torrentDelay"), 0)
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
        return 201, self.render(saved), _location(self.app, "delayprofile", saved["id"]), True

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
            raise _missing("DelayProfile", rec["id"])
        # ToModel carries the order the client sent (the UI sends it back unchanged)
        saved = self.app.store.update("DelayProfiles", rec, unique=())
        return 202, self.render(saved), _location(self.app, "delayprofile", saved["id"]), \
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
    reference body). languageprofile (Sonarr v4): LanguageProfileController still serves it, with one
    fixed profile "Deprecated" (id 1, English) whatever is sent; POST/PUT echo the body with
    202 and store nothing. metadataprofile (Lidarr/Readarr): "Standard" and "None".
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


class Routes:
    """Routing of the resources above; route() answers None for paths it does not serve."""

    def __init__(self, app):
        self.app = app
        self.configs = Configs(app)
        # AuthenticationService reads the method once, when the app starts
        self.login_method = self.configs.value("host", "authenticationMethod")
        self.profiles = Profiles(app)
        self.mappings = None
        self.delay = None
        if app.name != "prowlarr":
            self.mappings = RemotePathMappings(app, _Existing(app.root_folders))
            self.delay = DelayProfiles(app)

    def route(self, res, method, rest, query, body):
        low = [r.lower() for r in rest]
        if res == "config" and len(low) in (1, 2) and low[0] in self.configs.names:
            if len(low) == 2 and not re.fullmatch(r"[0-9]{1,9}", low[1]):
                return 404, None, {}, False
            if method == "GET":
                return 200, self.configs.get(low[0]), {}, False
            if method == "PUT":
                return self.configs.put(low[0], body, int(low[1]) if len(low) == 2 else None)
            return 405, None, {}, False
        if res in self.profiles.routes:
            return self.profiles.route(res, method, rest, body, None) or (405, None, {}, False)
        if res == "remotepathmapping" and self.mappings is not None:
            return self._crud(self.mappings, method, low, body)
        if res == "delayprofile" and self.delay is not None:
            if low[:1] == ["reorder"]:
                if method != "PUT" or len(low) != 2 or not re.fullmatch(r"-?[0-9]{1,9}", low[1]):
                    return 405 if len(low) == 2 else 404, None, {}, False
                after = query.get("after")
                if after is not None and not re.fullmatch(r"-?[0-9]{1,9}", after):
                    raise problem(self.app.runtime, 400, {"after": [
                        "The value '%s' is not valid." % after]})
                return self.delay.reorder(int(low[1]), int(after) if after else None)
            return self._crud(self.delay, method, low, body)
        return None

    def login(self, body, query):
        """POST /login (AuthenticationController, anonymous, form body): 302 to the URL base
        on success, to ~/login?returnUrl=...&loginFailed=true otherwise. Any method but
        'none' at start-up checks the user (UserService.FindUser: name lower-cased, password
        against the PBKDF2 hash). The fake sets no authentication cookie."""
        form = dict(urllib.parse.parse_qsl((body or b"").decode("utf-8", "replace"),
                                           keep_blank_values=True))
        form = {k.lower(): v for k, v in form.items()}
        ok = self.login_method != "none" and self.configs.check_login(
            form.get("username"), form.get("password"))
        base = self.app.url_base
        ret = query.get("returnurl") or ""
        if not ok:
            return "%s/login?returnUrl=%s&loginFailed=true" % (base, ret)
        if not ret or not ret.startswith("/") or ret.startswith("//"):
            return base + "/"
        return ret if not base or ret.startswith(base) else base + ret

    @staticmethod
    def _crud(ctl, method, low, body):
        if not low:
            if method == "GET":
                return 200, ctl.list(), {}, False
            if method == "POST":
                return ctl.create(body)
            if method == "PUT":
                return ctl.update(body, None)
            return 405, None, {}, False
        if len(low) > 1 or not re.fullmatch(r"-?[0-9]{1,9}", low[0]):
            return 404, None, {}, False
        rid = int(low[0])
        if method == "GET":
            return 200, ctl.get(rid), {}, False
        if method == "PUT":
            return ctl.update(body, rid)
        if method == "DELETE":
            return ctl.delete(rid)
        return 405, None, {}, False


class _Existing:
    """Which directories exist: the root-folder option --existing-path."""

    def __init__(self, root_folders):
        self.rf = root_folders

    def exists(self, path):
        p = path.rstrip("/") or "/"
        return self.rf._under(p, self.rf.existing)
