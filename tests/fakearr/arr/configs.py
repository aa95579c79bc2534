"""The config singletons GET/PUT /config/<name> (ConfigController, HostConfigController,
UiConfigController of each app at the pinned refs) and the forms login that the host config's
user feeds (AuthenticationController, UserService)."""
import base64
import copy
import hashlib
import ipaddress
import os
import re

from .naming import NAMING, check_format
from .rules import between, gte, load, required, valid_path, valid_port
from .wire import ApiError, plain_failure, problem

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
            f += valid_port("Port", r.get("port"))
            ub = r.get("urlBase")
            if ub and re.match(r"^\/?https?://[-_a-z0-9.]+", ub, re.I):
                f.append(plain_failure("UrlBase", "Must be a valid URL path (ie: '/%s')" % app,
                                       "RegularExpressionValidator", ub,
                                       {"regularExpression": r"^(?!\/?https?://[-_a-z0-9.]+)"}))
            inst = r.get("instanceName")
            display = self.app.display
            if app == "sonarr":  # StartsOrEndsWithSonarr: NotEmpty + ^Sonarr|Sonarr$
                f += required("InstanceName", inst)
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
                f += required("Username", r.get("username"))
                f += required("Password", r.get("password"))
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
                f += valid_port("SslPort", r.get("sslPort"))
                if r.get("sslPort") == r.get("port"):
                    f.append(plain_failure("SslPort", "'Ssl Port' must not be equal to '%s'."
                                           % r.get("port"), "NotEqualValidator", r.get("sslPort"),
                                           {"comparisonValue": r.get("port")}))
                cert = r.get("sslCertPath")
                if not cert:
                    f += required("SslCertPath", cert)
                else:  # fileExistsValidator: the fake has no certificate files
                    f += valid_path("SslCertPath", cert) or [plain_failure(
                        "SslCertPath", "File does not exist", "FileExistsValidator", cert)]
            if "logSizeLimit" in self.templates["host"]:
                f += between("LogSizeLimit", r.get("logSizeLimit"), 1, 10)
            if not (r.get("branch") or "").strip():
                f.append(plain_failure("Branch", "Branch name is required, '%s' is the default"
                                       % self.templates["host"]["branch"], "NotEmptyValidator",
                                       r.get("branch")))
            if r.get("updateMechanism") == "script":
                f += valid_path("UpdateScriptPath", r.get("updateScriptPath"))
            bf = r.get("backupFolder")
            if bf and bf.startswith("/"):
                f += valid_path("BackupFolder", bf)
            if app in ("prowlarr", "readarr"):
                f += between("BackupInterval", r.get("backupInterval"), 1, 7)
                f += between("BackupRetention", r.get("backupRetention"), 1, 90)
        elif name == "indexer":  # IndexerConfigController.cs
            f += gte("MinimumAge", r.get("minimumAge"), 0)
            if app != "sonarr":
                f += gte("MaximumSize", r.get("maximumSize"), 0)
            f += gte("Retention", r.get("retention"), 0)
            # RssSyncIntervalValidator: 0 (disabled) or 10-120 minutes
            rss = r.get("rssSyncInterval")
            if rss != 0 and not 10 <= (rss or 0) <= 120:
                f.append(plain_failure("RssSyncInterval", "Must be between 10 and 120 or 0 to "
                                       "disable", "RssSyncIntervalValidator", rss))
        elif name == "mediamanagement":  # MediaManagementConfigController.cs
            f += gte("RecycleBinCleanupDays", r.get("recycleBinCleanupDays"), 0)
            cm = r.get("chmodFolder")
            if cm and not _valid_mask(cm):  # FolderChmodValidator
                f.append(plain_failure("ChmodFolder", "Must contain a valid Unix permissions "
                                       "octal", "FolderChmodValidator", cm))
            rb = r.get("recycleBin")
            if rb:
                f += valid_path("RecycleBin", rb)
            if r.get("useScriptImport"):
                f += valid_path("ScriptImportPath", r.get("scriptImportPath"))
            f += gte("MinimumFreeSpaceWhenImporting", r.get("minimumFreeSpaceWhenImporting"),
                      100)
        elif name == "naming":
            if app == "sonarr":
                f += between("MultiEpisodeStyle", r.get("multiEpisodeStyle"), 0, 5)
            for prop, check in NAMING[app]:
                f += check_format(prop, r.get(prop[:1].lower() + prop[1:]), check)
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
