"""Settings validators and connection tests of the implementations the fakes know.

Validators return NzbDroneValidationFailure dicts (§4.2); warnings from rules
marked AsWarning() carry customState. Tests talk to the remote service over the
network; simplifications are listed in README.md."""
import ipaddress
import re
import urllib.parse
import xml.etree.ElementTree as ET

from . import outbound
from .wire import drone_failure as df, split_words


# --- small rules --------------------------------------------------------------

def not_empty(fails, prop, value):
    if value is None or (isinstance(value, (str, list)) and len(value) == 0) or \
            (isinstance(value, str) and not value.strip()):
        fails.append(df(prop, "'%s' must not be empty." % split_words(prop), attempted=value))
        return False
    return True


def between(fails, prop, value, lo, hi):
    if value is None or not lo <= value <= hi:
        fails.append(df(prop, "'%s' must be between %d and %d. You entered %s."
                        % (split_words(prop), lo, hi, value), attempted=value))


def is_valid_url(value):
    """Uri.TryCreate(absolute) without leading/trailing spaces."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return False
    u = urllib.parse.urlsplit(value)
    return bool(u.scheme) and bool(u.netloc) and " " not in value


def valid_root_url(fails, prop, value):
    """Newznab/Torznab baseUrl: non-empty and an http(s) absolute URL."""
    if not value:
        fails.append(df(prop, "'%s' must not be empty." % split_words(prop), attempted=value))
    if not (isinstance(value, str) and re.match(r"^https?://[^\s/]+", value, re.I)
            and is_valid_url(value)):
        fails.append(df(prop, "must be valid URL that starts with http(s)://", attempted=value))


def valid_url_base(fails, prop, value, example):
    if value and ("://" in value or not value.startswith("/") and "/" not in value and
                  "." in value):
        fails.append(df(prop, "Must be a valid URL path (ie: '%s')" % example, attempted=value))


def valid_host(fails, value):
    if not value:
        fails.append(df("Host", "'Host' must not be empty.", attempted=value))
        return
    ok = bool(re.fullmatch(r"[-_a-z0-9.]+", value, re.I))
    if not ok:
        try:
            ipaddress.ip_address(value.strip("[]"))
            ok = True
        except ValueError:
            ok = False
    if not ok:
        fails.append(df("Host", "must be valid Host without http://", attempted=value))


def seed_warnings(fails, s, names):
    for name in names:
        v = s.get(name)
        if v is not None and v <= 0:
            prop = ".".join(p[:1].upper() + p[1:] for p in name.split("."))
            fails.append(df(prop, "Should be greater than zero", warning=True, attempted=v,
                            from_validator=True))


# --- download clients -----------------------------------------------------------

def download_client_validator(impl, app_name):
    cat = {"sonarr": "tvCategory", "radarr": "movieCategory"}.get(app_name, "category")
    example = "/%s" % app_name

    def validate(s):
        fails = []
        valid_host(fails, s.get("host"))
        between(fails, "Port", s.get("port"), 1, 65535)
        valid_url_base(fails, "UrlBase", s.get("urlBase"), example)
        c = s.get(cat)
        prop = cat[:1].upper() + cat[1:]
        if impl == "Transmission":
            if c and not re.fullmatch(r"\.?[-a-z]*", c, re.I):
                fails.append(df(prop, "Allowed characters a-z and -", attempted=c))
            d = s.get("tvDirectory") or s.get("movieDirectory") or s.get("directory")
            if c and d:
                fails.append(df(prop, "Cannot use Category and Directory", attempted=c))
        if impl == "QBittorrent":
            if c and ("\\" in c or "//" in c or c.startswith("/") or c.endswith("/")):
                fails.append(df(prop, "Can not contain '\\', '//', or start/end with '/'",
                                attempted=c))
        if impl == "Sabnzbd":
            if not s.get("apiKey") and not s.get("username"):
                fails.append(df("ApiKey", "API Key is required when username/password are not "
                                "configured", attempted=s.get("apiKey")))
            if not s.get("apiKey"):
                if not s.get("username"):
                    fails.append(df("Username", "Username is required when API key is not "
                                    "configured", attempted=s.get("username")))
                if not s.get("password"):
                    fails.append(df("Password", "Password is required when API key is not "
                                    "configured"))
        if impl in ("Sabnzbd", "Nzbget") and not c:
            fails.append(df(prop, "A category is recommended", warning=True, attempted=c,
                            from_validator=True))
        return fails
    return validate


def download_client_test(display, app_name):
    cat = {"sonarr": "tvCategory", "radarr": "movieCategory"}.get(app_name, "category")

    def test(s, definition, app):
        # Simplification: a TCP connect to host:port stands for the client's API login.
        err = outbound.tcp_connect(s.get("host") or "", s.get("port") or 0)
        if err:
            return [df("Host", "Unable to connect to %s" % display,
                       detailed="Please verify the hostname and port.")]
        if display == "qBittorrent" and not s.get(cat):
            prop = cat[:1].upper() + cat[1:]
            return [df(prop, "Category is recommended", warning=True,
                       detailed="%s will not attempt to import completed downloads without a "
                       "category." % app.display)]
        return []
    return test


# --- Newznab / Torznab indexers ---------------------------------------------------

def newznab_validator(app_name, torrent):
    def validate(s):
        fails = []
        cats = s.get("categories") or []
        if app_name == "sonarr":
            if not cats and not (s.get("animeCategories") or []):
                fails.append(df("", "Either 'Categories' or 'Anime Categories' must be provided"))
        elif app_name != "prowlarr" and not cats:
            fails.append(df("", "'Categories' must be provided"))
        valid_root_url(fails, "BaseUrl", s.get("baseUrl"))
        api_path = s.get("apiPath")
        if api_path and ("://" in api_path or not api_path.startswith("/")):
            fails.append(df("ApiPath", "Must be a valid URL path (ie: '/api')", attempted=api_path))
        ap = s.get("additionalParameters")
        if ap and not re.fullmatch(r"(&[a-z0-9_.-]+=[^&\s]*)+", ap, re.I):
            fails.append(df("AdditionalParameters", "Additional Parameters are not valid",
                            attempted=ap))
        if torrent:
            if app_name == "prowlarr":
                seed_warnings(fails, s, ["torrentBaseSettings.seedRatio",
                                         "torrentBaseSettings.seedTime",
                                         "torrentBaseSettings.packSeedTime"])
            else:
                seed_warnings(fails, s, ["seedCriteria.seedRatio", "seedCriteria.seedTime",
                                         "seedCriteria.seasonPackSeedTime"])
        return fails
    return validate


NS = {"newznab": "http://www.newznab.com/DTD/2010/feeds/attributes/",
      "torznab": "http://torznab.com/schemas/2015/feed"}


def _fetch_newznab_xml(url, app):
    """GET a Newznab/Torznab API URL; returns (element, None) or (None, failures)
    worded as the apps word them."""
    try:
        r = outbound.request("GET", url, {"User-Agent": app.user_agent}, timeout=10,
                             follow_redirects=True)
    except outbound.HttpFailure as e:
        return None, [df("", "Unable to connect to indexer: %s" % e)]
    fail = _http_problem(r)
    if fail:
        return None, [fail]
    try:
        doc = ET.fromstring(r.body)
    except ET.ParseError as e:
        return None, [df("", "Unable to connect to indexer, check the log for more details. "
                         "Invalid XML: %s" % e)]
    if doc.tag == "error":
        return None, [_newznab_error(doc)]
    return doc, None


def newznab_test(app_name):
    """Fetch caps, check search capabilities, then one RSS query that must
    return at least one release (§7.5)."""
    def test(s, definition, app):
        base = (s.get("baseUrl") or "").rstrip("/")
        path = s.get("apiPath") or "/api"
        key = s.get("apiKey")
        url = base + path
        q = "?t=caps"
        if key:
            q += "&apikey=" + urllib.parse.quote(key)
        caps, failures = _fetch_newznab_xml(url + q, app)
        if failures:
            return failures
        searching = caps.find("searching")
        modes = {}
        if searching is not None:
            for m in searching:
                if m.get("available", "yes") == "yes":
                    modes[m.tag] = [p.strip() for p in m.get("supportedParams", "q").split(",")]
        if app_name == "sonarr":
            tv = modes.get("tv-search", [])
            ok = "q" in modes.get("search", []) or (
                any(p in tv for p in ("q", "tvdbid", "rid")) and "season" in tv and "ep" in tv)
            cats = list(s.get("categories") or []) + list(s.get("animeCategories") or [])
            mode = "tvsearch" if "tv-search" in modes else "search"
            extra = "&extended=1"
        elif app_name == "radarr":
            mv = modes.get("movie-search", [])
            ok = "q" in modes.get("search", []) or any(p in mv for p in ("q", "tmdbid", "imdbid"))
            cats = list(s.get("categories") or [])
            mode = "movie" if "movie-search" in modes else "search"
            extra = "&extended=1"
        else:
            ok = True
            cats = []
            mode = "search"
            extra = ""
        if not ok:
            return [df("", "Indexer does not support required search parameters")]
        if app_name in ("sonarr", "radarr") and not cats:
            return [df("", "No RSS feed query available. This may be an issue with the indexer "
                       "or your indexer category settings.")]
        q = "?t=%s" % mode
        if cats:
            q += "&cat=" + ",".join(str(c) for c in cats)
        q += extra
        if s.get("additionalParameters"):
            q += s["additionalParameters"]
        if key:
            q += "&apikey=" + urllib.parse.quote(key)
        q += "&offset=0&limit=100"
        feed, failures = _fetch_newznab_xml(url + q, app)
        if failures:
            return failures
        if not feed.findall("./channel/item"):
            return [df("", "Query successful, but no results in the configured categories were "
                       "returned from your indexer. This may be an issue with the indexer or your "
                       "indexer category settings.")]
        return []
    return test


def _http_problem(r):
    if r.status in (401, 403):
        return df("ApiKey", "Invalid API Key")
    if r.status >= 500:
        return df("", "Unable to connect to indexer, indexer's server is unavailable. "
                  "Try again later. HTTP %d" % r.status)
    if r.status != 200:
        return df("", "Unable to connect to indexer: HTTP %d" % r.status)
    return None


def _newznab_error(el):
    code = el.get("code", "")
    if code in ("100", "101", "102"):
        return df("ApiKey", "Invalid API Key")
    return df("", "Unable to connect to indexer: %s" % el.get("description", "error"))


# --- notifications ------------------------------------------------------------

def webhook_validator(url_field):
    def validate(s):
        fails = []
        v = s.get(url_field)
        if not is_valid_url(v):
            fails.append(df(url_field[:1].upper() + url_field[1:], "Invalid Url: '%s'" % (v or ""),
                            attempted=v))
        return fails
    return validate


def webhook_test(url_field, what):
    def test(s, definition, app):
        url = s.get(url_field) or ""
        payload = {"eventType": "Test", "instanceName": app.display,
                   "applicationUrl": ""}
        try:
            r = outbound.request("POST", url, {"User-Agent": app.user_agent}, payload,
                                 timeout=10)
        except outbound.HttpFailure as e:
            return [df(url_field[:1].upper() + url_field[1:],
                       "Unable to send test message: %s" % e)]
        if not 200 <= r.status < 300:
            return [df(url_field[:1].upper() + url_field[1:],
                       "Unable to post to %s. Status code: %d" % (what, r.status))]
        return []
    return test


# --- Prowlarr indexer proxies ---------------------------------------------------

def flaresolverr_validate(s):
    fails = []
    not_empty(fails, "Host", s.get("host"))
    between(fails, "RequestTimeout", s.get("requestTimeout"), 1, 180)
    return fails


def flaresolverr_test(s, definition, app):
    host = (s.get("host") or "").rstrip("/")
    body = {"cmd": "request.get", "url": "https://prowlarr.servarr.com/v1/ping",
            "maxTimeout": (s.get("requestTimeout") or 0) * 1000}
    try:
        r = outbound.request("POST", host + "/v1", {"User-Agent": app.user_agent}, body,
                             timeout=10)
    except outbound.HttpFailure as e:
        return [df("", "Unable to connect to proxy: %s" % e)]
    if r.status != 200:
        return [df("Host", "Failed to test proxy. Status code: %d" % r.status)]
    return []


def proxy_validate(s):
    fails = []
    not_empty(fails, "Host", s.get("host"))
    if not (s.get("port") or 0) > 0:
        fails.append(df("Port", "'Port' must be greater than '0'.", attempted=s.get("port")))
    return fails


def proxy_test(s, definition, app):
    # Simplification: a TCP connect stands for a request through the proxy.
    err = outbound.tcp_connect(s.get("host") or "", s.get("port") or 0)
    if err:
        return [df("", "Unable to connect to proxy: %s" % err)]
    return []
