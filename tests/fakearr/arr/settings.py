"""Settings resources of the apps (issue 15): routing of the config singletons
(configs.py), remote path mappings and delay profiles (keyed.py) and the profiles looked up by
name (profiles.py). Shapes and first-start values come from reference/resources/; behaviour and
validators from the upstream controllers at the pinned commits, cited where they are written.
Handlers answer (status, body, headers, changed); route() answers None for other paths."""
import re
import urllib.parse

from .configs import Configs
from .keyed import DelayProfiles, RemotePathMappings
from .profiles import Profiles
from .wire import problem


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
