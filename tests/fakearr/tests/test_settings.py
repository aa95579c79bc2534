"""Settings resources (issue 15): config singletons, remote path mappings, delay profiles,
profiles by name, Prowlarr's Cardigann definitions, and a stack with two Sonarr instances."""
import copy
import json
import os
import unittest

from util import Fake, wait_for

REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "resources")
APPS = ("sonarr", "radarr", "lidarr", "readarr", "prowlarr")
CONFIGS = {"prowlarr": ("host", "ui", "development", "downloadclient")}
for _a in ("sonarr", "radarr", "lidarr", "readarr"):
    CONFIGS[_a] = ("host", "naming", "mediamanagement", "downloadclient", "indexer", "ui")
RUNTIME = ("port", "apiKey", "urlBase", "instanceName")  # host values of the running process
EXAMPLE = ("username", "password", "passwordConfirmation")  # README: example, not default


def ref(app, name):
    with open(os.path.join(REF, app, name + ".json")) as f:
        return json.load(f)


def kinds(value):
    """The shape of a JSON value: property names in order and JSON kinds, recursively."""
    if isinstance(value, dict):
        return {k: kinds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [kinds(value[0])] if value else []
    return type(value).__name__


class Fakes:
    fakes = {}

    @classmethod
    def get(cls, app, fresh=None):
        """One shared fake per app; fresh=label: another one, for tests that need defaults."""
        if (app, fresh) not in cls.fakes:
            cls.fakes[(app, fresh)] = Fake(app, *(["--indexers", "0"] if app == "prowlarr"
                                                  else []))
        return cls.fakes[(app, fresh)]


def tearDownModule():
    for f in Fakes.fakes.values():
        f.cleanup()


class ConfigShapes(unittest.TestCase):
    def test_every_config_get_matches_the_reference(self):
        for app in APPS:
            f = Fakes.get(app, "defaults")
            for name in CONFIGS[app]:
                with self.subTest(app=app, config=name):
                    r = f.get("config/" + name)
                    self.assertEqual(r.status, 200)
                    want = ref(app, "config/" + name)
                    if app == "readarr" and name == "host":  # no user yet: null, omitted
                        want = {k: v for k, v in want.items() if k not in EXAMPLE}
                    self.assertEqual(list(r.json), list(want))
                    got = {k: v for k, v in r.json.items() if k not in RUNTIME + EXAMPLE}
                    self.assertEqual(got, {k: v for k, v in want.items()
                                           if k not in RUNTIME + EXAMPLE})
                    self.assertEqual(kinds(r.json), kinds(want))
                    # GET by id answers the same resource
                    self.assertEqual(f.get("config/%s/1" % name).json, r.json)

    def test_host_runtime_values(self):
        f = Fakes.get("sonarr")
        h = f.get("config/host").json
        self.assertEqual((h["port"], h["apiKey"], h["username"], h["password"]),
                         (f.port, f.key, "", ""))
        self.assertEqual(f.get("system/status").json["authentication"], "none")


class ConfigPut(unittest.TestCase):
    def test_round_trip_and_read_only_ignored(self):
        f = Fakes.get("lidarr")
        n = f.get("config/naming").json
        want = dict(n, renameTracks=not n["renameTracks"], separator="changed")
        r = f.put("config/naming", want)
        self.assertEqual(r.status, 202, r)
        back = f.get("config/naming").json
        self.assertEqual(back["renameTracks"], want["renameTracks"])
        self.assertEqual(back["separator"], n["separator"])  # read-only: not stored
        self.assertEqual(r.json, back)
        self.assertEqual(f.stored()["meta"]["config"]["naming"]["renameTracks"],
                         want["renameTracks"])

    def test_route_id_and_missing_id(self):
        f = Fakes.get("radarr")
        ui = f.get("config/ui").json
        body = dict(ui, firstDayOfWeek=1)
        del body["id"]
        self.assertEqual(f.put("config/ui/1", body).status, 202)
        self.assertEqual(f.get("config/ui").json["firstDayOfWeek"], 1)
        r = f.put("config/ui", body)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json[0]["propertyName"], "Id")

    def test_validation_failure_body(self):
        f = Fakes.get("sonarr")
        idx = f.get("config/indexer").json
        r = f.put("config/indexer", dict(idx, minimumAge=-1, rssSyncInterval=5))
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json[0], {
            "propertyName": "MinimumAge",
            "errorMessage": "'Minimum Age' must be greater than or equal to '0'.",
            "attemptedValue": -1, "severity": "error",
            "errorCode": "GreaterThanOrEqualValidator", "formattedMessageArguments": [],
            "formattedMessagePlaceholderValues": {"comparisonValue": 0,
                                                  "propertyName": "Minimum Age",
                                                  "propertyValue": -1}})
        self.assertEqual([x["propertyName"] for x in r.json], ["MinimumAge", "RssSyncInterval"])
        self.assertEqual(f.get("config/indexer").json, idx)  # nothing stored
        host = f.get("config/host").json
        r = f.put("config/host", dict(host, port=80000, instanceName="Series",
                                      authenticationMethod="forms"))
        self.assertEqual([x["propertyName"] for x in r.json],
                         ["Port", "InstanceName", "Username", "Password"])
        self.assertEqual(r.json[1]["errorMessage"], "Must start or end with Sonarr")
        r = f.put("config/host", dict(host, authenticationMethod="sometimes"))
        self.assertEqual(r.status, 400)
        self.assertIn("$.authenticationMethod", r.json["errors"])
        m = f.get("config/mediamanagement").json
        r = f.put("config/mediamanagement", dict(m, minimumFreeSpaceWhenImporting=99,
                                                 chmodFolder="644"))
        self.assertEqual([x["errorMessage"] for x in r.json], [
            "Must contain a valid Unix permissions octal",
            "'Minimum Free Space When Importing' must be greater than or equal to '100'."])
        self.assertEqual(f.put("config/mediamanagement", dict(m, chmodFolder="0775")).status,
                         202)

    def test_naming_formats(self):
        f = Fakes.get("sonarr")
        n = f.get("config/naming").json
        r = f.put("config/naming", dict(n, standardEpisodeFormat="{Series Title} {Quality Full}",
                                        seasonFolderFormat="", multiEpisodeStyle=6))
        self.assertEqual(r.status, 400)
        self.assertEqual([(x["propertyName"], x["errorMessage"], x["errorCode"]) for x in r.json], [
            ("MultiEpisodeStyle", "'Multi Episode Style' must be between 0 and 5. You entered 6.",
             "InclusiveBetweenValidator"),
            ("StandardEpisodeFormat", "Must contain season and episode numbers OR Original Title",
             "ValidStandardEpisodeFormatValidator"),
            ("SeasonFolderFormat", "'Season Folder Format' must not be empty.",
             "NotEmptyValidator"),
            ("SeasonFolderFormat", "Must contain season number", "RegularExpressionValidator")])
        ok = dict(n, standardEpisodeFormat="{Series Title} {season}x{episode:00}")
        self.assertEqual(f.put("config/naming", ok).status, 202)
        # Radarr's colon replacement is an enum: a number is read, the name is written
        g = Fakes.get("radarr")
        m = g.get("config/naming").json
        self.assertEqual(m["colonReplacementFormat"], "smart")
        r = g.put("config/naming", dict(m, colonReplacementFormat=1))
        self.assertEqual((r.status, r.json["colonReplacementFormat"]), (202, "dash"))
        r = g.put("config/naming", dict(m, standardMovieFormat="{Movie Title}"))
        self.assertEqual(r.json[0]["errorMessage"], "Must contain either movie title and release "
                                                    "year OR Original Title/Filename")

    def test_authentication_password_is_stored_hashed(self):
        f = Fakes.get("prowlarr")
        host = f.get("config/host").json
        body = dict(host, authenticationMethod="forms", username="Admin", password="s3cret",
                    passwordConfirmation="other")
        r = f.put("config/host", body)
        self.assertEqual((r.status, r.json[0]["errorMessage"]), (400, "Must match Password"))
        body["passwordConfirmation"] = "s3cret"
        r = f.put("config/host", body)
        self.assertEqual(r.status, 202, r)
        got = f.get("config/host").json
        self.assertEqual((got["authenticationMethod"], got["username"]), ("forms", "admin"))
        self.assertEqual(f.get("system/status").json["authentication"], "forms")
        self.assertNotIn("s3cret", json.dumps(got))
        self.assertEqual(len(got["password"]), 44)  # base64 of the 32-byte PBKDF2 hash
        self.assertEqual(got["passwordConfirmation"], "")
        # sending the hash back keeps the password (UserService.Upsert)
        r = f.put("config/host", dict(got, logLevel="info"))
        self.assertEqual(r.status, 202, r)
        self.assertEqual(f.get("config/host").json["password"], got["password"])
        # a new password gets a new hash
        r = f.put("config/host", dict(got, password="n3w", passwordConfirmation="n3w"))
        self.assertNotEqual(f.get("config/host").json["password"], got["password"])
        r = f.put("config/host", dict(got, authenticationMethod="basic"))
        self.assertEqual(r.json[0]["errorMessage"],
                         "'Basic' is no longer supported, switch to 'Forms' instead.")


class Login(unittest.TestCase):
    def test_forms_login_after_restart(self):
        f = Fakes.get("sonarr", "login")
        host = f.get("config/host").json
        r = f.put("config/host", dict(host, authenticationMethod="forms", username="me",
                                      password="pw1", passwordConfirmation="pw1"))
        self.assertEqual(r.status, 202, r)

        def login(user, pw):
            r = f.request("POST", "/login?returnUrl=/calendar", raw=(
                "username=%s&password=%s&rememberMe=on" % (user, pw)).encode(),
                content_type="application/x-www-form-urlencoded", key=None)
            return r.status, r.header("Location")
        # the method in force is the one read at start-up ("none": every login fails)
        self.assertEqual(login("me", "pw1"), (302, "/login?returnUrl=/calendar&loginFailed=true"))
        f.stop()
        f.start()
        self.assertEqual(login("ME", "pw1"), (302, "/calendar"))
        self.assertEqual(login("me", "wrong")[1], "/login?returnUrl=/calendar&loginFailed=true")
        # a rotated password: the old one stops working, the new one works
        host = f.get("config/host").json
        f.put("config/host", dict(host, password="pw2", passwordConfirmation="pw2"))
        self.assertEqual(login("me", "pw1")[1], "/login?returnUrl=/calendar&loginFailed=true")
        self.assertEqual(login("me", "pw2")[1], "/calendar")


class RemotePathMappings(unittest.TestCase):
    def test_crud_shape_and_rules(self):
        f = Fakes.get("sonarr")
        r = f.post("remotepathmapping", {"host": "qbittorrent", "remotePath": "/downloads",
                                         "localPath": "/data/downloads"})
        self.assertEqual(r.status, 201, r)
        want = ref("sonarr", "remotepathmapping")
        self.assertEqual(kinds(r.json), kinds(want))
        self.assertEqual((r.json["remotePath"], r.json["localPath"]),
                         ("/downloads/", "/data/downloads/"))
        rid = r.json["id"]
        self.assertEqual(f.get("remotepathmapping").json, [r.json])
        # the same host and remote path again: the service's InvalidOperationException
        r2 = f.post("remotepathmapping", {"host": "qbittorrent", "remotePath": "/downloads/",
                                          "localPath": "/data/other"})
        self.assertEqual((r2.status, r2.json["message"]), (500, "RemotePath already configured."))
        r3 = f.post("remotepathmapping", {"host": "", "remotePath": "", "localPath": "/nope"})
        self.assertEqual(r3.status, 400)
        self.assertEqual([(x["propertyName"], x["errorMessage"]) for x in r3.json], [
            ("Host", "'Host' must not be empty."), ("RemotePath", "'Remote Path' must not be "
                                                                  "empty."),
            ("LocalPath", "Path '/nope' does not exist")])
        up = f.put("remotepathmapping/%d" % rid, dict(r.json, localPath="/data/dl"))
        self.assertEqual((up.status, up.json["localPath"]), (202, "/data/dl"))
        self.assertEqual(f.delete("remotepathmapping/%d" % rid).status, 200)
        self.assertEqual(f.get("remotepathmapping").json, [])
        self.assertEqual(f.get("remotepathmapping/%d" % rid).status, 404)

    def test_lidarr_extra_rules(self):
        f = Fakes.get("lidarr")
        r = f.post("remotepathmapping", {"host": "sab", "remotePath": "/x",
                                         "localPath": "/data"})
        self.assertEqual(r.status, 201, r)
        r = f.post("remotepathmapping", {"host": "sab", "remotePath": " /x ",
                                         "localPath": "/"})
        self.assertEqual(r.status, 400)
        self.assertEqual([x["errorMessage"] for x in r.json], [
            "Remote Path ' /x ' must not start with a space",
            "Remote Path ' /x ' must not end with a space", "Path '/' does not exist"])


class DelayProfiles(unittest.TestCase):
    def test_default_profile(self):
        for app in ("sonarr", "radarr", "lidarr", "readarr"):
            with self.subTest(app=app):
                f = Fakes.get(app)
                lst = f.get("delayprofile").json
                self.assertEqual(lst[0], ref(app, "delayprofile"))
                r = f.delete("delayprofile/1")
                self.assertEqual((r.status, r.json["message"]),
                                 (405, "MethodNotAllowed: Cannot delete global delay profile"))
                r = f.put("delayprofile/1", dict(lst[0], tags=[1]))
                self.assertEqual(r.json[0]["errorMessage"], "Collection Must Be Empty")
                r = f.put("delayprofile/1", dict(lst[0], torrentDelay=30))
                self.assertEqual((r.status, r.json["torrentDelay"]), (202, 30))

    def test_tags_order_reorder_delete(self):
        f = Fakes.get("radarr")
        t = [f.post("tag", {"label": x}).json["id"] for x in ("dp-a", "dp-b", "dp-c")]
        base = {"enableUsenet": True, "enableTorrent": True, "preferredProtocol": "torrent",
                "usenetDelay": 0, "torrentDelay": 60}
        r = f.post("delayprofile", base)
        self.assertEqual((r.status, r.json[0]["errorMessage"]), (400, "'Tags' must not be empty."))
        ids = []
        for tag in t:
            r = f.post("delayprofile", dict(base, tags=[tag]))
            self.assertEqual(r.status, 201, r)
            ids.append(r.json["id"])
        self.assertEqual([d["order"] for d in f.get("delayprofile").json[1:]], [1, 2, 3])
        r = f.post("delayprofile", dict(base, tags=[t[0]]))
        self.assertEqual(r.json[0]["errorMessage"], "One or more tags is used in another profile")
        r = f.post("delayprofile", dict(base, tags=[t[0] + 100], enableUsenet=False,
                                        enableTorrent=False, usenetDelay=-1))
        self.assertEqual([(x["propertyName"], x["errorMessage"]) for x in r.json], [
            ("UsenetDelay", "'Usenet Delay' must be greater than or equal to '0'."),
            ("", "Either Usenet or Torrent should be enabled")])
        # move the last one first (after none)
        r = f.request("PUT", f.api("delayprofile/reorder/%d" % ids[2]))
        self.assertEqual(r.status, 200, r)
        order = {d["id"]: d["order"] for d in f.get("delayprofile").json}
        self.assertEqual([order[i] for i in ids], [2, 3, 1])
        r = f.request("PUT", f.api("delayprofile/reorder/%d?after=%d" % (ids[2], ids[1])))
        order = {d["id"]: d["order"] for d in r.json}
        self.assertEqual([order[i] for i in ids], [1, 2, 3])
        self.assertEqual(f.request("PUT", f.api("delayprofile/reorder/0")).status, 400)
        # a tag a delay profile uses is in use (TagService.Details / Delete)
        self.assertEqual(f.get("tag/detail/%d" % t[0]).json["delayProfileIds"], [ids[0]])
        self.assertEqual(f.delete("tag/%d" % t[0]).status, 409)
        self.assertEqual(f.delete("delayprofile/%d" % ids[0]).status, 200)
        self.assertEqual(f.delete("tag/%d" % t[0]).status, 200)
        order = {d["id"]: d["order"] for d in f.get("delayprofile").json}
        self.assertEqual((order[ids[1]], order[ids[2]], order[1]), (1, 2, 2147483647))


class Profiles(unittest.TestCase):
    def test_quality_profiles_by_name(self):
        sonarr = ["Any", "SD", "HD-720p", "HD-1080p", "Ultra-HD", "HD - 720p/1080p"]
        names = {"sonarr": sonarr, "radarr": sonarr, "lidarr": ["Any", "Lossless", "Standard"],
                 "readarr": ["eBook", "Spoken"]}
        for app, want in names.items():
            with self.subTest(app=app):
                lst = Fakes.get(app).get("qualityprofile").json
                self.assertEqual([p["name"] for p in lst], want)
                self.assertEqual(lst[0], ref(app, "qualityprofile"))
                self.assertEqual(Fakes.get(app).get("qualityprofile/2").json["name"], want[1])
        # GetDefaultProfile: groups are allowed as a whole, a cutoff inside a group is the group
        hd = Fakes.get("sonarr").get("qualityprofile/4").json
        allowed = {i.get("name") or i["quality"]["name"]: i["allowed"] for i in hd["items"]}
        self.assertEqual((hd["cutoff"], allowed["HDTV-1080p"], allowed["WEB 1080p"],
                          allowed["SDTV"], allowed["WEB 720p"]), (9, True, True, False, False))

    def test_metadata_language_app_profiles(self):
        for app in ("lidarr", "readarr"):
            lst = Fakes.get(app).get("metadataprofile").json
            self.assertEqual([p["name"] for p in lst], ["Standard", "None"])
            self.assertEqual(kinds(lst[0]), kinds(ref(app, "metadataprofile")))
        lp = Fakes.get("sonarr").get("languageprofile").json
        self.assertEqual([(p["id"], p["name"]) for p in lp], [(1, "Deprecated")])
        self.assertEqual(Fakes.get("radarr").get("languageprofile").status, 404)
        ap = Fakes.get("prowlarr").get("appprofile").json
        self.assertEqual(list(ap[0]), list(ref("prowlarr", "appprofile")))
        self.assertEqual(ap[0]["name"], "Standard")


class Cardigann(unittest.TestCase):
    def test_schema_holds_the_definitions(self):
        f = Fakes.get("prowlarr")
        r = f.get("indexer/schema")
        card = [t for t in r.json if t["implementation"] == "Cardigann"]
        self.assertGreaterEqual(len(card), 500)
        names = [t["definitionName"] for t in card]
        self.assertEqual(len(names), len(set(names)))
        self.assertIn("1337x", names)
        self.assertIn("Newznab", [t["implementation"] for t in r.json])
        t = card[names.index("1337x")]
        self.assertEqual((t["name"], t["configContract"], t["implementationName"],
                          t["privacy"], t["protocol"]),
                         ("1337x", "CardigannSettings", "Cardigann", "public", "torrent"))
        fields = [x["name"] for x in t["fields"]]
        self.assertEqual(fields[:2], ["definitionFile", "baseUrl"])
        self.assertIn("downloadlink", fields)
        df = t["fields"][0]
        self.assertEqual((df["value"], df["hidden"]), ("1337x", "hidden"))
        link = next(x for x in t["fields"] if x["name"] == "downloadlink")
        self.assertEqual((link["type"], link["value"], [o["name"] for o in link["selectOptions"]]),
                         ("select", 0, ["iTorrents.org", "magnet"]))
        self.assertEqual(r.body, f.get("indexer/schema").body)  # deterministic, cached

    def test_post_and_rejections(self):
        f = Fakes.get("prowlarr")
        t = next(x for x in f.get("indexer/schema").json if x.get("definitionName") == "1337x")
        t = dict(t, appProfileId=1)
        for x in t["fields"]:
            if x["name"] == "downloadlink":
                x["value"] = 1
            if x["name"] == "uploader":
                x["value"] = "someone"
        r = f.post("indexer", t)
        self.assertEqual(r.status, 201, r)
        got = {x["name"]: x.get("value") for x in r.json["fields"]}
        self.assertEqual((got["downloadlink"], got["uploader"], r.json["definitionName"]),
                         (1, "someone", "1337x"))
        self.assertEqual(f.get("indexer/%d" % r.json["id"]).json, r.json)
        bad = copy.deepcopy(t)
        bad["name"] = "other"
        bad["fields"].append({"name": "nosuchsetting", "value": "x"})
        r = f.post("indexer", bad)
        self.assertEqual((r.status, r.json["message"]),
                         (500, "Unknown Cardigann setting. (Parameter 'nosuchsetting')"))
        bad = copy.deepcopy(t)
        bad["name"] = "other"
        bad["fields"][0]["value"] = "no-such-definition"
        r = f.post("indexer", bad)
        self.assertEqual(r.status, 500)
        bad["fields"][0]["value"] = ""
        r = f.post("indexer", bad)
        self.assertEqual((r.status, r.json[0]["propertyName"]), (400, "DefinitionFile"))
        bad = copy.deepcopy(t)
        bad["name"] = "seedless"
        for x in bad["fields"]:
            if x["name"] == "torrentBaseSettings.seedRatio":
                x["value"] = 0
        r = f.post("indexer", bad)
        self.assertEqual((r.status, r.json[0]["isWarning"]), (400, True))


class TwoInstances(unittest.TestCase):
    def test_two_sonarr_instances_and_prowlarr_syncs_both(self):
        from stack import Stack
        with Stack(apps=("prowlarr", "sonarr", "sonarr-4k=sonarr"), indexers=2) as st:
            env = st.env()
            self.assertNotEqual(env["SONARR_URL"], env["SONARR_4K_URL"])
            self.assertNotEqual(st.key("sonarr"), st.key("sonarr-4k"))
            self.assertTrue(env["FAKEARR_SONARR_4K_LOG"].endswith("sonarr-4k.log"))
            self.assertTrue(env["SONARR_4K_API_KEY_FILE"].endswith("sonarr-4k.key"))
            p = Fake.attach("prowlarr", st.ports["prowlarr"], st.key("prowlarr"))
            schema = p.get("applications/schema").json
            tmpl = next(x for x in schema if x["implementation"] == "Sonarr")
            for name, inst in (("Sonarr", "sonarr"), ("Sonarr 4K", "sonarr-4k")):
                app = copy.deepcopy(tmpl)
                app["name"] = name
                app["syncLevel"] = "fullSync"
                for fl in app["fields"]:
                    fl["value"] = {"prowlarrUrl": st.url("prowlarr"), "baseUrl": st.url(inst),
                                   "apiKey": st.key(inst)}.get(fl["name"], fl.get("value"))
                r = p.post("applications", app)
                self.assertEqual(r.status, 201, r)
            for inst in ("sonarr", "sonarr-4k"):
                s = Fake.attach("sonarr", st.ports[inst], st.key(inst))
                self.assertTrue(wait_for(lambda: len(s.get("indexer").json) == 2, timeout=20),
                                inst)
                self.assertEqual(s.get("system/status").json["appName"], "Sonarr")
            # a Cardigann indexer reaches both, as a Torznab indexer pointing at Prowlarr
            t = next(x for x in p.get("indexer/schema").json
                     if x.get("definitionName") == "1337x")
            r = p.post("indexer", dict(t, appProfileId=1))
            self.assertEqual(r.status, 201, r)
            for inst in ("sonarr", "sonarr-4k"):
                s = Fake.attach("sonarr", st.ports[inst], st.key(inst))
                self.assertTrue(wait_for(lambda: any(
                    i["name"] == "1337x (Prowlarr)" and i["implementation"] == "Torznab"
                    for i in s.get("indexer").json), timeout=20), inst)


if __name__ == "__main__":
    unittest.main()
