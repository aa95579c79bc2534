"""Connection tests against the dummy service that stack.py can start: the
enabled download client, proxy and notification a full config creates."""
import unittest

from stack import Stack
from test_prowlarr import Client
from util import closed_port, set_fields


class Services(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Stack(apps=("prowlarr", "sonarr", "dummy"), indexers=0).start()
        cls.p = Client(cls.st, "prowlarr")
        cls.s = Client(cls.st, "sonarr")
        cls.port = cls.st.ports["dummy"]

    @classmethod
    def tearDownClass(cls):
        cls.st.stop()

    def test_flaresolverr_with_tags_is_tested(self):
        tag = self.p.post("tag", {"label": "flare"}).json["id"]
        t = self.p.template("indexerproxy", "FlareSolverr")
        body = set_fields(dict(t, name="FlareSolverr", tags=[tag]),
                          host="http://127.0.0.1:%d/" % self.port)
        r = self.p.post("indexerproxy", body)
        self.assertEqual(r.status, 201, r)
        with open(self.st.log_path("dummy")) as f:
            self.assertIn('"path": "/v1"', f.read())
        down = set_fields(dict(t, name="down", tags=[tag]),
                          host="http://127.0.0.1:%d/" % closed_port())
        r = self.p.post("indexerproxy", down)
        self.assertEqual(r.status, 400)
        self.assertIn("Unable to connect to proxy", r.json[0]["errorMessage"])
        untagged = dict(down, name="untagged", tags=[])
        self.assertEqual(self.p.post("indexerproxy", untagged).status, 201)
        self.assertEqual(self.p.request("PUT", self.p.api("indexerproxy/bulk"), {"ids": [1]})
                         .status, 404)

    def test_enabled_download_client_and_webhook(self):
        t = self.s.template("downloadclient", "Transmission")
        r = self.s.post("downloadclient", set_fields(dict(t, name="tr", enable=True),
                                                     host="127.0.0.1", port=self.port))
        self.assertEqual(r.status, 201, r)
        n = self.s.template("notification", "Webhook")
        r = self.s.post("notification", set_fields(dict(n, name="hook", onGrab=True),
                                                   url="http://127.0.0.1:%d/hook" % self.port))
        self.assertEqual(r.status, 201, r)
        r = self.s.request("PUT", self.s.api("downloadclient/bulk"),
                           {"ids": [r.json["id"] + 100], "enable": False})
        self.assertEqual(r.status, 202)
        r = self.s.request("PUT", self.s.api("downloadclient/bulk"), {"ids": []})
        self.assertEqual((r.status, r.json["message"]), (400, "BadRequest: ids must be provided"))

    def test_dummy_accepts_connections_back_to_back(self):
        # What a testall of 50 download clients does: no SYN dropped (a 1 s retransmit).
        import socket
        import time
        socks = []
        try:
            for _ in range(60):
                t0 = time.monotonic()
                socks.append(socket.create_connection(("127.0.0.1", self.port), timeout=3))
                self.assertLess(time.monotonic() - t0, 0.5)
        finally:
            for s in socks:
                s.close()

    def test_dummy_is_a_newznab_indexer_too(self):
        t = self.s.template("indexer", "Newznab")
        r = self.s.post("indexer", set_fields(dict(t, name="extra", enableRss=True),
                                              baseUrl="http://127.0.0.1:%d" % self.port))
        self.assertEqual(r.status, 201, r)
        t = self.p.template("indexer", "Newznab")
        # Prowlarr's template says appProfileId 0, which its validator refuses.
        r = self.p.post("indexer", set_fields(dict(t, name="extra", appProfileId=1),
                                              baseUrl="http://127.0.0.1:%d" % self.port))
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["enable"], r.json["protocol"], r.json["priority"]),
                         (True, "usenet", 25))

    def test_prowlarr_indexer_add_and_delete_reach_the_apps(self):
        from test_prowlarr import app_body, prowlarr_indexers
        from util import wait_for
        a = self.p.post("applications", app_body(self.p, "Sonarr", "Sonarr",
                                                 self.st.url("prowlarr"), self.st.url("sonarr"),
                                                 self.st.key("sonarr")))
        self.assertEqual(a.status, 201, a)
        t = self.p.template("indexer", "Torznab")
        r = self.p.post("indexer", set_fields(dict(t, name="Added Later", appProfileId=1),
                                              baseUrl="http://127.0.0.1:%d" % self.port))
        self.assertEqual(r.status, 201, r)
        def names():
            return [i["name"] for i in prowlarr_indexers(self.s)]
        self.assertTrue(wait_for(lambda: "Added Later (Prowlarr)" in names()), names())
        self.assertEqual(self.p.delete("indexer/%d" % r.json["id"]).status, 200)
        self.assertTrue(wait_for(lambda: "Added Later (Prowlarr)" not in names()), names())


if __name__ == "__main__":
    unittest.main()
