"""Prowlarr applications: save-time test against the target over HTTP (§6.3),
the sync that saving triggers and ApplicationIndexerSync (§6.4-6.7)."""
import copy
import json
import time
import unittest

from stack import Stack
from util import Fake, closed_port, field, set_fields, wait_for


class Client:
    """Fake-like request helper bound to a Stack member."""

    def __init__(self, stack, app):
        self.f = Fake.__new__(Fake)
        self.f.app = app
        self.f.port = stack.ports[app]
        self.f.key = stack.key(app)
        self.f.conn = None
        self.f.log = stack.log_path(app)

    def __getattr__(self, name):
        return getattr(self.f, name)


def app_body(p, impl, name, prowlarr_url, base_url, key, **extra):
    t = p.template("applications", impl)
    t["name"] = name
    set_fields(t, prowlarrUrl=prowlarr_url, baseUrl=base_url, apiKey=key)
    t.update(extra)
    return t


def prowlarr_indexers(client):
    r = client.get("indexer")
    return sorted((x for x in r.json if x["name"].endswith(" (Prowlarr)")),
                  key=lambda x: x["name"])


class Sync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Stack(indexers=3).start()
        cls.p = Client(cls.st, "prowlarr")
        cls.s = Client(cls.st, "sonarr")
        cls.r = Client(cls.st, "radarr")
        cls.sonarr_app = cls.p.post("applications", app_body(
            cls.p, "Sonarr", "Sonarr", cls.st.url("prowlarr"), cls.st.url("sonarr"),
            cls.st.key("sonarr")))
        cls.radarr_app = cls.p.post("applications", app_body(
            cls.p, "Radarr", "Radarr", cls.st.url("prowlarr"), cls.st.url("radarr"),
            cls.st.key("radarr")))

    @classmethod
    def tearDownClass(cls):
        cls.st.stop()

    def test_saved_application_is_enabled_masked_and_synced(self):
        a = self.sonarr_app
        self.assertEqual(a.status, 201, a)
        self.assertEqual((a.json["syncLevel"], a.json["enable"]), ("fullSync", True))
        self.assertEqual(field(a.json, "apiKey"), "********")
        got = wait_for(lambda: len(prowlarr_indexers(self.s)) == 3 and
                       len(prowlarr_indexers(self.r)) == 3)
        self.assertTrue(got, self.s.get("indexer").json)
        ps = {i["id"]: i for i in self.p.get("indexer").json}
        for remote in prowlarr_indexers(self.s):
            base = field(remote, "baseUrl")
            pid = int(base.rstrip("/").rsplit("/", 1)[1])
            self.assertEqual(base, "%s/%d/" % (self.st.url("prowlarr"), pid))
            self.assertEqual(remote["name"], ps[pid]["name"] + " (Prowlarr)")
            self.assertEqual(remote["implementation"],
                             "Torznab" if ps[pid]["protocol"] == "torrent" else "Newznab")
            self.assertEqual(field(remote, "apiKey"), "********")
            self.assertTrue(remote["enableRss"])
            self.assertTrue(set(field(remote, "categories")) <= {5000, 5010, 5020, 5030, 5040,
                                                               5045, 5050, 5090})
        time.sleep(0.3)
        with open(self.st.path("sonarr", "state.json")) as f:
            stored = json.load(f)
        keys = {r["settings"]["apiKey"] for r in stored["tables"]["Indexers"].values()}
        self.assertEqual(keys, {self.st.key("prowlarr")})

    def test_unforced_command_rewrites_nothing_forced_puts(self):
        wait_for(lambda: len(prowlarr_indexers(self.s)) == 3)
        for force, expect_puts in ((False, 0), (True, 3)):
            n = len(self.s.log_lines())
            c = self.p.post("command", {"name": "ApplicationIndexerSync", "forceSync": force})
            self.assertEqual(c.status, 201)
            self.assertTrue(wait_for(lambda: self.p.get("command/%d" % c.json["id"])
                                     .json["status"] == "completed"))
            new = self.s.log_lines()[n:]
            self.assertEqual(len([e for e in new if e["method"] == "POST"]), 0, new)
            puts = [e for e in new if e["method"] == "PUT"]
            self.assertEqual(len(puts), expect_puts)
            self.assertFalse(any(e["changed"] for e in puts))

    def test_deleted_remote_indexer_comes_back_with_the_command(self):
        wait_for(lambda: len(prowlarr_indexers(self.r)) == 3)
        victim = prowlarr_indexers(self.r)[0]
        self.r.delete("indexer/%d" % victim["id"])
        c = self.p.post("command", {"name": "ApplicationIndexerSync"})
        wait_for(lambda: self.p.get("command/%d" % c.json["id"]).json["status"] == "completed")
        names = [i["name"] for i in prowlarr_indexers(self.r)]
        self.assertIn(victim["name"], names)
        self.assertEqual(len(names), 3)


class ApplicationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Stack(apps=("prowlarr", "sonarr"), indexers=1,
                       extra_args={"sonarr": ["--url-base", "/sonarr"]}).start()
        cls.p = Client(cls.st, "prowlarr")
        cls.sonarr = "http://127.0.0.1:%d" % cls.st.ports["sonarr"]

    @classmethod
    def tearDownClass(cls):
        cls.st.stop()

    def _errors(self, r):
        self.assertEqual(r.status, 400, r)
        return [(e["propertyName"], e["errorMessage"], e["isWarning"]) for e in r.json]

    def _post(self, name, prowlarr_url=None, base_url=None, key=None, query="", **extra):
        body = app_body(self.p, "Sonarr", name, prowlarr_url or self.st.url("prowlarr"),
                        base_url or self.st.url("sonarr"),
                        self.st.key("sonarr") if key is None else key, **extra)
        return self.p.post("applications" + query, body)

    def test_wrong_api_key(self):
        for q in ("", "?forceSave=true"):
            self.assertEqual(self._errors(self._post("k", key="wrong", query=q)),
                             [("ApiKey", "API Key is invalid", False)])

    def test_prowlarr_url_unreachable_from_the_app(self):
        bad = "http://127.0.0.1:%d" % closed_port()
        self.assertEqual(self._errors(self._post("pu", prowlarr_url=bad)),
                         [("ProwlarrUrl", "Prowlarr URL is invalid, Sonarr cannot connect to "
                                          "Prowlarr", False)])

    def test_missing_url_base(self):
        errs = self._errors(self._post("ub", base_url=self.sonarr))
        self.assertEqual(errs[0][0], "BaseUrl")
        self.assertIn("are you missing a URL base?", errs[0][1])

    def test_target_down(self):
        errs = self._errors(self._post("down", base_url="http://127.0.0.1:%d" % closed_port()))
        self.assertEqual(errs[0][0], "BaseUrl")
        self.assertIn("Unable to complete application test, cannot connect to Sonarr.",
                      errs[0][1])

    def test_invalid_urls_and_empty_key(self):
        errs = self._errors(self._post("inv", base_url="sonarr:8989", key=""))
        self.assertIn(("BaseUrl", "Invalid Url: 'sonarr:8989'", False), errs)
        self.assertIn(("ApiKey", "'Api Key' must not be empty.", False), errs)

    def test_omitted_sync_level_is_disabled_no_test_no_sync(self):
        body = app_body(self.p, "Sonarr", "nolevel", "x", "y", "wrong")
        del body["syncLevel"]
        r = self.p.post("applications", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["syncLevel"], r.json["enable"]), ("disabled", False))

    def test_good_application_and_test_endpoint(self):
        r = self._post("good")
        self.assertEqual(r.status, 201, r)
        t = self.p.post("applications/test", dict(r.json))  # masked key + id: stored key used
        self.assertEqual(t.status, 200, t)
        body = dict(r.json)
        del body["id"]
        t = self.p.post("applications/test", dict(body, name="fresh"))  # literal ********
        self.assertEqual(self._errors(t), [("ApiKey", "API Key is invalid", False)])


class VersionGate(unittest.TestCase):
    def test_old_sonarr_is_refused(self):
        st = Stack(apps=("prowlarr", "sonarr"), indexers=0,
                   extra_args={"sonarr": ["--version", "3.0.4.1"]}).start()
        try:
            p = Client(st, "prowlarr")
            r = p.post("applications", app_body(p, "Sonarr", "old", st.url("prowlarr"),
                                                 st.url("sonarr"), st.key("sonarr")))
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json[0]["errorMessage"], "Sonarr version should be at least "
                             "3.0.5. Version reported is 3.0.4.1")
        finally:
            st.stop()


class FaultyTarget(unittest.TestCase):
    """A target answering 500 fails Prowlarr's application test in Prowlarr's words
    (Applications/Sonarr/Sonarr.cs Test(): HttpException -> "Unable to complete
    application test, cannot connect to Sonarr. " + the exception's message)."""

    def test_a_5xx_from_the_target_is_named_in_the_failure(self):
        st = Stack(apps=("prowlarr", "sonarr"), indexers=0,
                   extra_args={"sonarr": ["--fail-rate", "1", "--fail-mode", "before",
                                          "--fail-skip-ua", "fakearr-tests"]}).start()
        try:
            p = Client(st, "prowlarr")
            r = p.post("applications", app_body(p, "Sonarr", "S", st.url("prowlarr"),
                                                 st.url("sonarr"), st.key("sonarr")))
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.json[0]["propertyName"], "BaseUrl")
            self.assertEqual(r.json[0]["errorMessage"],
                             "Unable to complete application test, cannot connect to Sonarr. "
                             "HTTP request failed: [500:InternalServerError] [GET] at [%s/api/v3/"
                             "indexer/schema]" % st.url("sonarr"))
        finally:
            st.stop()

    def test_a_5xx_on_prowlarrs_feed_is_hidden_behind_the_prowlarr_url_failure(self):
        # Sonarr's test of the Prowlarr indexer fails (its call back to the feed gets a
        # 500) and answers 400; Prowlarr reports only that the app cannot reach it.
        st = Stack(apps=("prowlarr", "sonarr"), indexers=0,
                   extra_args={"prowlarr": ["--fail-rate", "1", "--fail-mode", "before",
                                            "--fail-skip-ua", "fakearr-tests"]}).start()
        try:
            p = Client(st, "prowlarr")
            r = p.post("applications", app_body(p, "Sonarr", "S", st.url("prowlarr"),
                                                 st.url("sonarr"), st.key("sonarr")))
            self.assertEqual(r.status, 400, r)
            self.assertEqual([(e["propertyName"], e["errorMessage"]) for e in r.json],
                             [("ProwlarrUrl", "Prowlarr URL is invalid, Sonarr cannot connect to "
                                              "Prowlarr")])
        finally:
            st.stop()


class RacingSync(unittest.TestCase):
    def test_save_and_forced_command_do_not_duplicate(self):
        st = Stack(apps=("prowlarr", "sonarr"), indexers=12).start()
        try:
            p, s = Client(st, "prowlarr"), Client(st, "sonarr")
            r = p.post("applications", app_body(p, "Sonarr", "Sonarr", st.url("prowlarr"),
                                                 st.url("sonarr"), st.key("sonarr")))
            self.assertEqual(r.status, 201)
            c = p.post("command", {"name": "ApplicationIndexerSync", "forceSync": True})
            wait_for(lambda: p.get("command/%d" % c.json["id"]).json["status"] == "completed")
            wait_for(lambda: len(prowlarr_indexers(s)) == 12, timeout=15)
            time.sleep(0.5)
            names = [i["name"] for i in s.get("indexer").json]
            self.assertEqual(len(names), len(set(n.lower() for n in names)))
            self.assertEqual(len(names), 12)
        finally:
            st.stop()


class TagFilter(unittest.TestCase):
    def test_tagged_application_gets_only_tagged_indexers(self):
        st = Stack(apps=("prowlarr", "radarr"), indexers=3).start()
        try:
            p, r = Client(st, "prowlarr"), Client(st, "radarr")
            tag = p.post("tag", {"label": "movies"}).json["id"]
            idx = p.get("indexer/2").json
            u = p.put("indexer/2?forceSave=true", dict(idx, tags=[tag]))
            self.assertEqual(u.status, 202, u)
            a = p.post("applications", app_body(p, "Radarr", "Radarr", st.url("prowlarr"),
                                                 st.url("radarr"), st.key("radarr"), tags=[tag]))
            self.assertEqual(a.status, 201, a)
            self.assertTrue(wait_for(lambda: len(prowlarr_indexers(r)) == 1))
            time.sleep(0.3)
            self.assertEqual([i["name"] for i in prowlarr_indexers(r)],
                             [idx["name"] + " (Prowlarr)"])
        finally:
            st.stop()


if __name__ == "__main__":
    unittest.main()


class V1Targets(unittest.TestCase):
    def test_lidarr_and_readarr_over_api_v1(self):
        st = Stack(apps=("prowlarr", "lidarr", "readarr"), indexers=2).start()
        try:
            p = Client(st, "prowlarr")
            for impl in ("Lidarr", "Readarr"):
                body = app_body(p, impl, impl, st.url("prowlarr"), st.url(impl.lower()),
                                st.key(impl.lower()))
                if impl == "Readarr":
                    bad = set_fields(dict(copy.deepcopy(body), name="nocats"), syncCategories=[])
                    self.assertIn("'Sync Categories' must not be empty.",
                                  [e["errorMessage"] for e in p.post("applications", bad).json])
                self.assertEqual(p.post("applications", body).status, 201)
            for app in ("lidarr", "readarr"):
                c = Client(st, app)
                self.assertEqual(c.request("GET", "/api/v3/indexer").status, 404)
                self.assertTrue(wait_for(lambda: len(prowlarr_indexers(c)) == 2), app)
        finally:
            st.stop()


class BackOff(unittest.TestCase):
    def test_failures_within_the_grace_do_not_block(self):
        st = Stack(apps=("prowlarr", "sonarr"), indexers=1).start()
        try:
            p = Client(st, "prowlarr")
            p.post("applications", app_body(p, "Sonarr", "Sonarr", st.url("prowlarr"),
                                             st.url("sonarr"), st.key("sonarr")))
            st.rotate_key("sonarr")
            for _ in range(2):
                c = p.post("command", {"name": "ApplicationIndexerSync"}).json
                wait_for(lambda: p.get("command/%d" % c["id"]).json["status"] == "completed")
            self.assertEqual(p.get("health").json, [])
        finally:
            st.stop()

    def test_failed_application_is_skipped_until_a_successful_test(self):
        st = Stack(apps=("prowlarr", "sonarr"), indexers=2,
                   extra_args={"prowlarr": ["--app-failure-grace", "0"]}).start()
        try:
            p = Client(st, "prowlarr")
            a = p.post("applications", app_body(p, "Sonarr", "Sonarr", st.url("prowlarr"),
                                                 st.url("sonarr"), st.key("sonarr"))).json
            s = Client(st, "sonarr")
            self.assertTrue(wait_for(lambda: len(prowlarr_indexers(s)) == 2))
            new_key = st.rotate_key("sonarr")  # Prowlarr still holds the old key

            def command():
                c = p.post("command", {"name": "ApplicationIndexerSync"}).json
                self.assertTrue(wait_for(lambda: p.get("command/%d" % c["id"]).json["status"]
                                         == "completed"))
            command()  # fails (401) -> back-off
            self.assertEqual(p.get("health").json[0]["message"],
                             "Applications unavailable due to failures: Sonarr")
            n = len(s.log_lines())
            command()  # skipped: no request reaches Sonarr
            self.assertEqual(s.log_lines()[n:], [])
            # a test with the right key resets the back-off
            fixed = set_fields(copy.deepcopy(a), apiKey=new_key)
            self.assertEqual(p.post("applications/test", fixed).status, 200)
            self.assertEqual(p.get("health").json, [])
            command()
            self.assertTrue(any(e["ua"].startswith("Prowlarr/") for e in s.log_lines()[n:]))
        finally:
            st.stop()


class Feed(unittest.TestCase):
    def test_feed_answers_like_the_newznab_controller(self):
        f = Fake("prowlarr", "--indexers", "2")
        try:
            self.assertEqual(f.request("GET", "/1/api?t=caps", key=None).status, 401)
            r = f.request("GET", "/1/api?t=caps&apikey=" + f.key)
            self.assertEqual(r.status, 200)
            self.assertIn("<caps>", r.body)
            r = f.request("GET", "/0/api?t=tvsearch&cat=5030&apikey=" + f.key)
            self.assertIn("<title>Test Release</title>", r.body)
            self.assertEqual(f.request("GET", "/1/api?apikey=" + f.key).status, 400)
            self.assertEqual(f.request("GET", "/1/api?t=nope&apikey=" + f.key).status, 400)
            self.assertEqual(f.request("GET", "/99/api?t=caps&apikey=" + f.key).status, 404)
            r = f.request("GET", f.api("indexer/2/newznab") + "?t=search&apikey=" + f.key)
            self.assertIn("<item>", r.body)
        finally:
            f.cleanup()
