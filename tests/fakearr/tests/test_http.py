"""Auth, /ping, system status, URL base, start-up window, keep-alive, request
log, fault injection, latency and the state file (ARR-API.md §1)."""
import socket
import time
import unittest

from util import Fake


class Auth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("sonarr")

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()

    def test_ping_is_anonymous(self):
        r = self.f.request("GET", "/ping", key=None)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "OK"})
        self.assertEqual(self.f.request("HEAD", "/ping", key=None).status, 200)

    def test_missing_key_is_401_with_empty_body_and_no_version(self):
        r = self.f.get("system/status", key=None)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.body, "")
        self.assertIsNone(r.header("X-Application-Version"))
        self.assertIsNone(r.header("WWW-Authenticate"))

    def test_wrong_key_is_401(self):
        self.assertEqual(self.f.get("system/status", key="nope").status, 401)
        # case-sensitive comparison
        self.assertEqual(self.f.get("system/status", key=self.f.key.upper()).status, 401)

    def test_header_key_gives_status_and_version_header(self):
        r = self.f.get("system/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["appName"], "Sonarr")
        self.assertEqual(r.json["version"], "4.0.19.2979")
        self.assertEqual(r.json["urlBase"], "")
        self.assertEqual(r.header("X-Application-Version"), "4.0.19.2979")

    def test_query_key_wins_even_when_wrong(self):
        r = self.f.request("GET", self.f.api("system/status") + "?apikey=wrong")
        self.assertEqual(r.status, 401)
        r = self.f.request("GET", self.f.api("system/status") + "?ApiKey=" + self.f.key,
                           key="wrong")
        self.assertEqual(r.status, 200)

    def test_bearer_token(self):
        r = self.f.request("GET", self.f.api("system/status"), key=None,
                           headers={"Authorization": "Bearer " + self.f.key})
        self.assertEqual(r.status, 200)

    def test_api_info_needs_key(self):
        self.assertEqual(self.f.request("GET", "/api", key=None).status, 401)
        r = self.f.request("GET", "/api")
        self.assertEqual(r.json, {"current": "v3", "deprecated": []})

    def test_wrong_api_version_is_404(self):
        self.assertEqual(self.f.request("GET", "/api/v1/indexer").status, 404)

    def test_non_api_path_is_the_html_app(self):
        r = self.f.request("GET", "/settings/indexers", key=None)
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))

    def test_keep_alive_one_connection_and_no_delayed_ack_stall(self):
        f = self.f
        before = {e["conn"] for e in f.log_lines()}
        f.request("GET", "/ping", new_conn=True)
        t0 = time.monotonic()
        for _ in range(20):
            self.assertEqual(f.get("indexer").status, 200)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, 0.6, "20 kept-alive requests took %.2fs" % elapsed)
        conns = {e["conn"] for e in f.log_lines()} - before
        self.assertEqual(len(conns), 1)

    def test_request_log_has_no_key_and_counts_writes(self):
        f = self.f
        f.request("GET", f.api("tag") + "?apikey=" + f.key + "&x=1")
        f.post("tag", {"label": "logged"})
        lines = f.log_lines()
        self.assertTrue(all(f.key not in str(e) for e in lines))
        get = [e for e in lines if e["path"].startswith("/api/v3/tag?")][-1]
        self.assertEqual(get["path"], "/api/v3/tag?x=1")
        self.assertFalse(get["write"])
        post = [e for e in lines if e["method"] == "POST" and e["path"] == "/api/v3/tag"][-1]
        self.assertTrue(post["write"])
        self.assertEqual(post["status"], 201)
        for k in ("method", "path", "status", "write", "conn"):
            self.assertIn(k, post)
        # a rejected write is still an attempted write, but nothing changed
        f.post("downloadclient", {"name": ""})
        bad = f.log_lines()[-1]
        self.assertEqual((bad["status"], bad["write"], bad["changed"]), (400, True, False))
        f.post("downloadclient/test", {"name": ""})
        self.assertFalse(f.log_lines()[-1]["write"])


class UrlBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("radarr", "--url-base", "radarr/")

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()

    def test_without_base_is_307_to_the_base(self):
        r = self.f.request("GET", "/api/v3/system/status?x=1")
        self.assertEqual(r.status, 307)
        self.assertEqual(r.header("Location"), "/radarr/api/v3/system/status?x=1")

    def test_auth_runs_before_the_redirect(self):
        self.assertEqual(self.f.request("GET", "/api/v3/system/status", key="bad").status, 401)

    def test_with_base(self):
        r = self.f.request("GET", "/radarr/api/v3/system/status")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["urlBase"], "/radarr")
        self.assertEqual(self.f.request("GET", "/ping").status, 307)
        self.assertEqual(self.f.request("GET", "/radarr/ping").status, 200)


class StartUp(unittest.TestCase):
    def test_refused_then_503_then_ready(self):
        f = Fake("prowlarr", "--startup-delay", "0.8", "--startup-503", "1.5", wait=False)
        try:
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", f.port), 1).close()
            f.wait_listening()
            r = f.get("system/status")
            self.assertEqual(r.status, 503)
            self.assertEqual(r.json, {"errorMessage":
                                      "Prowlarr is starting up, please try again later"})
            self.assertEqual(f.get("system/status", key="bad").status, 401)
            p = f.request("GET", "/ping", key=None)
            self.assertEqual(p.status, 503)
            self.assertIn("text/plain", p.header("Content-Type"))
            self.assertEqual(p.body, "Prowlarr is starting up, please try again later")
            from util import wait_for
            self.assertTrue(wait_for(lambda: f.get("system/status").status == 200, timeout=5))
        finally:
            f.cleanup()


class Faults(unittest.TestCase):
    def _statuses(self, *args):
        f = Fake("sonarr", *args)
        try:
            return [f.get("tag").status for _ in range(30)], f
        finally:
            f.stop()

    def test_fail_rate_is_deterministic_with_a_seed(self):
        a, fa = self._statuses("--fail-rate", "0.3", "--seed", "7")
        b, fb = self._statuses("--fail-rate", "0.3", "--seed", "7")
        try:
            self.assertEqual(a, b)
            self.assertIn(500, a)
            self.assertIn(200, a)
            self.assertTrue(all(e["fault"] in ("before", "after")
                                for e in fa.log_lines() if e["status"] == 500))
        finally:
            fa.cleanup()
            fb.cleanup()

    def test_fault_after_processing_keeps_the_write(self):
        f = Fake("sonarr", "--fail-rate", "1", "--fail-mode", "after")
        try:
            r = f.post("tag", {"label": "ghost"})
            self.assertEqual(r.status, 500)
            self.assertEqual(r.header("X-Application-Version"), "4.0.19.2979")
            labels = [t["label"] for t in f.stored()["tables"]["Tags"].values()]
            self.assertEqual(labels, ["ghost"])
        finally:
            f.cleanup()

    def test_fail_skip_ua(self):
        f = Fake("sonarr", "--fail-rate", "1", "--fail-skip-ua", "Prowlarr/")
        try:
            self.assertEqual(f.get("tag").status, 500)
            self.assertEqual(f.get("tag", headers={"User-Agent": "Prowlarr/2.3"}).status, 200)
        finally:
            f.cleanup()

    def test_faults_hit_prowlarrs_feed_too(self):
        # Sonarr's and Radarr's calls back into Prowlarr's Newznab feed fail like any
        # other request of a faulty Prowlarr.
        f = Fake("prowlarr", "--fail-rate", "1", "--indexers", "1")
        try:
            r = f.request("GET", "/1/api?t=caps&apikey=" + f.key, key=None)
            self.assertEqual(r.status, 500)
            self.assertIn(f.log_lines()[-1]["fault"], ("before", "after"))
        finally:
            f.cleanup()

    def test_key_revoked_mid_run(self):
        f = Fake("sonarr", "--revoke-key-after", "2", "--after-ua", "starrhost")
        try:
            ua = {"User-Agent": "starrhost/1"}
            self.assertEqual([f.get("tag", headers=ua).status for _ in range(3)], [200, 200, 401])
            self.assertEqual(f.get("tag").status, 401, "revoked for everyone")
            self.assertEqual(f.request("GET", "/ping", key=None).status, 200, "ping is anonymous")
        finally:
            f.cleanup()

    def test_app_stops_answering_mid_run(self):
        f = Fake("sonarr", "--down-after", "1")
        try:
            self.assertEqual(f.get("tag").status, 200)
            with self.assertRaises(OSError):
                f.get("tag")
            f.conn = None
            deadline = time.monotonic() + 5
            refused = False
            while time.monotonic() < deadline and not refused:
                try:
                    socket.create_connection(("127.0.0.1", f.port), timeout=1).close()
                    time.sleep(0.05)
                except ConnectionRefusedError:
                    refused = True
            self.assertTrue(refused, "new connections are refused")
        finally:
            f.cleanup()

    def test_latency(self):
        f = Fake("sonarr", "--latency", "150")
        try:
            t0 = time.monotonic()
            f.request("GET", "/ping")
            self.assertGreaterEqual(time.monotonic() - t0, 0.15)
        finally:
            f.cleanup()


class State(unittest.TestCase):
    def test_stack_rotate_key_keeps_port_and_data(self):
        from stack import Stack
        st = Stack(apps=("sonarr",)).start()
        try:
            from util import Fake as F
            c = F.__new__(F)
            c.app, c.port, c.key, c.conn = "sonarr", st.ports["sonarr"], st.key("sonarr"), None
            self.assertEqual(c.post("tag", {"label": "before"}).status, 201)
            old, port = c.key, c.port
            new = st.rotate_key("sonarr")
            self.assertEqual(st.ports["sonarr"], port)
            c.conn = None
            self.assertEqual(c.get("tag").status, 401)
            c.key = new
            self.assertEqual(c.get("tag").json, [{"id": 1, "label": "before"}])
            self.assertNotEqual(old, new)
        finally:
            st.stop()

    def test_restart_keeps_data(self):
        f = Fake("sonarr")
        try:
            self.assertEqual(f.post("tag", {"label": "kept"}).status, 201)
            f.stop()
            f.start()
            self.assertEqual(f.get("tag").json, [{"id": 1, "label": "kept"}])
            self.assertEqual(f.post("tag", {"label": "next"}).json["id"], 2)
        finally:
            f.cleanup()


if __name__ == "__main__":
    unittest.main()
