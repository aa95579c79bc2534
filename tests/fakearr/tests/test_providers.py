"""Provider CRUD, validation phases and shapes, forceSave, secrets, and the
serializer's strictness (ARR-API.md §2-§5, §9)."""
import copy
import threading
import unittest

from util import (Fake, Listener, SlowNewznab, closed_port, field, has_value, reference,
                  set_fields)

PLAIN_KEYS = {"propertyName", "errorMessage", "severity", "errorCode",
              "formattedMessageArguments", "formattedMessagePlaceholderValues"}


def qbit(fake, name, **values):
    t = fake.template("downloadclient", "QBittorrent")
    t["name"] = name
    return set_fields(t, **values)


class Crud(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("sonarr")
        cls.up = Listener()

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()
        cls.up.close()

    def test_schema_templates(self):
        s = self.f.get("downloadclient/schema").json
        self.assertEqual(s, reference("sonarr", "downloadclient"))
        q = next(x for x in s if x["implementation"] == "QBittorrent")
        self.assertNotIn("id", q)
        self.assertEqual((q["enable"], q["priority"], q["removeCompletedDownloads"],
                          q["configContract"], q["protocol"]),
                         (False, 1, True, "QBittorrentSettings", "torrent"))
        self.assertEqual([f["order"] for f in q["fields"]], list(range(len(q["fields"]))))
        self.assertFalse(has_value(q, "urlBase"))  # null values omit "value"
        # A textbox holding an int: the value's kind follows the C# property type.
        port = next(f for f in q["fields"] if f["name"] == "port")
        self.assertEqual((port["type"], port["value"]), ("textbox", 8080))

    def test_every_schema_is_the_apps_own(self):
        for app, routes in (("sonarr", ("indexer", "downloadclient", "notification")),
                            ("prowlarr", ("applications", "indexerproxy", "downloadclient",
                                          "notification", "indexer"))):
            f = self.f if app == "sonarr" else Fake(app)
            try:
                for route in routes:
                    got = f.get(route + "/schema").json
                    if (app, route) == ("prowlarr", "indexer"):
                        # The reference holds the native indexers only; the Cardigann
                        # definitions Prowlarr downloads at run time come on top
                        # (schemas/README.md), tested in test_settings.Cardigann.
                        got = [t for t in got if t["implementation"] != "Cardigann"]
                    self.assertEqual(got, reference(app, route), "%s %s" % (app, route))
            finally:
                if f is not self.f:
                    f.cleanup()

    def test_create_get_list_delete(self):
        r = self.f.post("downloadclient", qbit(self.f, "Zeta"))
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertEqual(r.header("Location"), "/api/v3/downloadclient/%d" % rid)
        self.assertEqual(self.f.get("downloadclient/%d" % rid).json["name"], "Zeta")
        self.f.post("downloadclient", qbit(self.f, "alpha"))
        names = [x["name"] for x in self.f.get("downloadclient").json]
        self.assertEqual(names, sorted(names, key=str.lower))
        d = self.f.delete("downloadclient/%d" % rid)
        self.assertEqual((d.status, d.json), (200, {}))
        nf = self.f.get("downloadclient/%d" % rid)
        self.assertEqual(nf.status, 404)
        self.assertEqual(nf.json["status"], 404)
        self.assertIn("traceId", nf.json)
        self.assertEqual(self.f.delete("downloadclient/999").status, 200)

    def test_unique_name_case_insensitive(self):
        self.assertEqual(self.f.post("downloadclient", qbit(self.f, "Dup")).status, 201)
        r = self.f.post("downloadclient", qbit(self.f, "DUP"))
        self.assertEqual(r.status, 400)
        self.assertEqual(len(r.json), 1)
        e = r.json[0]
        self.assertEqual(set(e) - {"attemptedValue"}, PLAIN_KEYS)
        self.assertEqual((e["propertyName"], e["errorMessage"], e["errorCode"]),
                         ("Name", "Should be unique", "PredicateValidator"))
        self.assertNotIn("isWarning", e)

    def test_missing_implementation_contract_fields(self):
        r = self.f.post("downloadclient", {"name": "bare", "tags": []})
        self.assertEqual(r.status, 400)
        got = {(e["propertyName"], e["errorMessage"]) for e in r.json}
        self.assertEqual(got, {("Implementation", "'Implementation' must not be empty."),
                               ("ConfigContract", "'Config Contract' must not be empty."),
                               ("Fields", "'Fields' must not be empty.")})

    def test_post_with_id_is_500(self):
        t = qbit(self.f, "withid")
        t["id"] = 77
        r = self.f.post("downloadclient", t)
        self.assertEqual(r.status, 500)
        self.assertIn("Can't insert model with existing ID 77", r.json["message"])

    def test_enabled_client_unreachable_is_an_error_even_forced(self):
        t = qbit(self.f, "down", port=closed_port(), tvCategory="tv")
        t["enable"] = True
        for q in ("", "?forceSave=true"):
            r = self.f.request("POST", self.f.api("downloadclient") + q, t)
            self.assertEqual(r.status, 400)
            e = r.json[0]
            self.assertEqual((e["isWarning"], e["propertyName"], e["errorMessage"]),
                             (False, "Host", "Unable to connect to qBittorrent"))
            self.assertEqual(e["severity"], "error")

    def test_warning_only_passes_with_force_save(self):
        t = qbit(self.f, "warned", port=self.up.port, tvCategory="")
        t["enable"] = True
        r = self.f.post("downloadclient", t)
        self.assertEqual(r.status, 400)
        self.assertEqual([(e["isWarning"], e["errorMessage"]) for e in r.json],
                         [(True, "Category is recommended")])
        r = self.f.request("POST", self.f.api("downloadclient") + "?forceSave=true", t)
        self.assertEqual(r.status, 201, r)

    def test_validator_errors_before_warnings(self):
        t = self.f.template("downloadclient", "Sabnzbd")
        t.update(name="sab", enable=True)
        set_fields(t, host="http://sab", tvCategory="")
        r = self.f.post("downloadclient", t)
        self.assertEqual(r.status, 400)
        flags = [e["isWarning"] for e in r.json]
        self.assertEqual(flags, sorted(flags))
        w = [e for e in r.json if e["isWarning"]]
        self.assertEqual(w[0]["customState"], {"isWarning": True})
        msgs = [e["errorMessage"] for e in r.json]
        self.assertIn("must be valid Host without http://", msgs)
        forced = self.f.request("POST", self.f.api("downloadclient") + "?forceSave=true", t)
        self.assertEqual(forced.status, 400)
        self.assertFalse(any(e["isWarning"] for e in forced.json))

    def test_force_save_query_must_be_a_bool(self):
        r = self.f.request("POST", self.f.api("downloadclient") + "?forceSave=1",
                           qbit(self.f, "q1"))
        self.assertEqual(r.status, 400)
        self.assertIn("forceSave", r.json["errors"])

    def test_put_forms_force_and_change_detection(self):
        t = qbit(self.f, "putme", port=self.up.port, tvCategory="tv", password="pw1")
        t["enable"] = True
        c = self.f.post("downloadclient", t).json
        rid = c["id"]
        # unreachable now: PUT tests (400); forceSave skips the test (202)
        changed = set_fields(copy.deepcopy(c), port=closed_port())
        self.assertEqual(self.f.put("downloadclient/%d" % rid, changed).status, 400)
        r = self.f.request("PUT", self.f.api("downloadclient/%d" % rid) + "?forceSave=true",
                           changed)
        self.assertEqual(r.status, 202, r)
        # unchanged PUT: neither tested nor written
        same = self.f.get("downloadclient/%d" % rid).json
        n = len(self.f.log_lines())
        self.assertEqual(self.f.put("downloadclient/%d" % rid, same).status, 202)
        self.assertFalse(self.f.log_lines()[n]["changed"])
        # PUT without id in the route uses the body id
        same["priority"] = 5
        r = self.f.put("downloadclient?forceSave=true", same)
        self.assertEqual((r.status, r.json["priority"]), (202, 5))
        body = dict(same, id=0)
        r = self.f.put("downloadclient", body)
        self.assertEqual(r.status, 400)
        self.assertIn("'Id' must be greater than '0'.", [e["errorMessage"] for e in r.json])
        self.assertEqual(self.f.put("downloadclient/4242", dict(same, id=4242, name="other")).status,
                         404)

    def test_readarr_masks_nothing(self):
        # Readarr's Field has no privacy and its SchemaBuilder does not mask
        # (schemas/README.md): the password comes back as stored.
        f = Fake("readarr")
        try:
            r = f.post("downloadclient", qbit(f, "plain", password="hunter2"))
            self.assertEqual(r.status, 201, r)
            self.assertEqual(field(f.get("downloadclient/%d" % r.json["id"]).json, "password"),
                             "hunter2")
        finally:
            f.cleanup()

    def test_secrets_masked_kept_and_literal(self):
        t = qbit(self.f, "secret", password="hunter2")
        r = self.f.post("downloadclient", t)
        rid = r.json["id"]
        self.assertEqual(field(r.json, "password"), "********")
        self.assertEqual(field(self.f.get("downloadclient/%d" % rid).json, "password"),
                         "********")
        stored = self.f.stored()["tables"]["DownloadClients"][str(rid)]["settings"]
        self.assertEqual(stored["password"], "hunter2")
        # "********" on PUT keeps the stored value
        body = self.f.get("downloadclient/%d" % rid).json
        body["priority"] = 3
        self.assertEqual(self.f.put("downloadclient/%d" % rid, body).status, 202)
        stored = self.f.stored()["tables"]["DownloadClients"][str(rid)]["settings"]
        self.assertEqual(stored["password"], "hunter2")
        # "********" on POST is stored literally
        copy_ = self.f.get("downloadclient/%d" % rid).json
        copy_["name"] = "copied"
        del copy_["id"]
        c = self.f.post("downloadclient", copy_).json
        stored = self.f.stored()["tables"]["DownloadClients"][str(c["id"])]["settings"]
        self.assertEqual(stored["password"], "********")
        # an omitted field on PUT is reset to its default
        body = self.f.get("downloadclient/%d" % rid).json
        body["fields"] = [f for f in body["fields"]
                          if f["name"] not in ("password", "tvCategory")]
        r = self.f.put("downloadclient/%d" % rid, body)
        self.assertEqual(field(r.json, "tvCategory"), "tv-sonarr")
        self.assertFalse(has_value(r.json, "password"))

    def test_tags_null_stored_as_null_on_sonarr(self):
        t = qbit(self.f, "nulltags")
        t["tags"] = None
        r = self.f.post("downloadclient", t)
        self.assertEqual(r.status, 201)
        self.assertNotIn("tags", r.json)

    def test_unknown_implementation_stored_when_disabled_then_list_fails(self):
        f = Fake("sonarr")
        try:
            t = qbit(f, "weird")
            t["implementation"] = "NoSuchClient"
            self.assertEqual(f.post("downloadclient", t).status, 201)
            self.assertEqual(f.get("downloadclient").status, 500)
        finally:
            f.cleanup()

    def test_test_endpoint(self):
        t = qbit(self.f, "tested", port=closed_port(), tvCategory="tv")
        r = self.f.post("downloadclient/test", t)
        self.assertEqual(r.status, 400)  # tests even when disabled
        ok = qbit(self.f, "tested-ok", port=self.up.port, tvCategory="tv")
        r = self.f.post("downloadclient/test", ok)
        self.assertEqual((r.status, r.body), (200, '"{}"'))  # Accept: application/json
        r = self.f.post("downloadclient/test", ok, headers={"Accept": "*/*"})
        self.assertEqual((r.status, r.body), (200, "{}"))
        self.assertIn("text/plain", r.header("Content-Type"))


class Priority(unittest.TestCase):
    def test_radarr_range_and_sonarr_none(self):
        ra, so = Fake("radarr"), Fake("sonarr")
        try:
            t = ra.template("indexer", "Newznab")
            t.update(name="p0", priority=0)
            r = ra.post("indexer", t)
            self.assertEqual(r.status, 400)
            e = r.json[0]
            self.assertEqual(e["errorMessage"], "'Priority' must be between 1 and 50. You "
                                                "entered 0.")
            self.assertEqual(e["formattedMessagePlaceholderValues"],
                             {"from": 1, "to": 50, "propertyName": "Priority",
                              "propertyValue": 0})
            t = so.template("indexer", "Newznab")
            t.update(name="p0", priority=0)
            self.assertEqual(so.post("indexer", t).status, 201)
        finally:
            ra.cleanup()
            so.cleanup()


class Serializer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("sonarr")
        cls.p = Fake("prowlarr", "--indexers", "0")

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()
        cls.p.cleanup()

    def _problem(self, body, key):
        r = self.f.post("downloadclient", body)
        self.assertEqual(r.status, 400, r)
        self.assertIn("application/problem+json", r.header("Content-Type"))
        self.assertEqual(r.json["title"], "One or more validation errors occurred.")
        self.assertEqual(list(r.json["errors"]), [key])
        return r.json["errors"][key][0]

    def test_object_for_a_list(self):
        msg = self._problem(dict(qbit(self.f, "x"), tags={}), "$.tags")
        self.assertIn("System.Collections.Generic.HashSet`1[System.Int32]", msg)
        raw = b'{\n  "name": "x",\n  "tags": {}\n}'
        r = self.f.request("POST", self.f.api("downloadclient"), raw=raw)
        self.assertTrue(r.json["errors"]["$.tags"][0].endswith(
            "Path: $.tags | LineNumber: 2 | BytePositionInLine: 11."), r)
        msg = self._problem(dict(qbit(self.f, "x"), fields={}), "$.fields")
        self.assertIn("Field", msg)

    def test_bad_enum_and_nested_enum(self):
        self._problem(dict(qbit(self.f, "x"), protocol="bogus"), "$.protocol")
        t = qbit(self.f, "x")
        t["fields"][2]["privacy"] = "secretive"
        self._problem(t, "$.fields[2].privacy")

    def test_null_and_float_for_value_types(self):
        self._problem(dict(qbit(self.f, "x"), priority=None), "$.priority")
        self._problem(dict(qbit(self.f, "x"), enable=None), "$.enable")
        self._problem(dict(qbit(self.f, "x"), priority=25.0), "$.priority")
        self._problem(dict(qbit(self.f, "x"), enable="true"), "$.enable")

    def test_accepted_forms(self):
        r = self.f.post("downloadclient", dict(qbit(self.f, "strnum"), priority="7"))
        self.assertEqual((r.status, r.json["priority"]), (201, 7))
        r = self.f.post("downloadclient", dict(qbit(self.f, "upper"), PROTOCOL="TORRENT",
                                               NAME="ignored-dup-key"))
        self.assertEqual(r.status, 201)
        raw = (b'{"name":"trailing","implementation":"QBittorrent",'
               b'"configContract":"qbittorrentsettings","fields":[],"tags":[1,],}')
        r = self.f.request("POST", self.f.api("downloadclient"), raw=raw)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["configContract"], "QBittorrentSettings")

    def test_enum_case_and_integers_in_prowlarr(self):
        t = self.p.template("applications", "Sonarr")
        for level, out in (("FULLSYNC", "fullSync"), (1, "addOnly"), ("disabled", "disabled")):
            body = dict(t, name="lvl-%s" % out, syncLevel=level)
            if out != "disabled":
                body["syncLevel"] = level
            r = self.p.post("applications?forceSave=true", dict(body, syncLevel="disabled"))
            self.assertEqual(r.status, 201, r)
            rid = r.json["id"]
            r = self.p.put("applications/%d?forceSave=true" % rid,
                           dict(r.json, syncLevel=level, fields=[
                               {"name": "apiKey", "value": "k"}]))
            self.assertEqual(r.status, 202, r)
            self.assertEqual(r.json["syncLevel"], out)
            self.assertEqual(r.json["enable"], out != "disabled")
        r = self.p.post("applications", dict(t, name="bad", syncLevel="sometimes"))
        self.assertEqual(r.status, 400)
        self.assertIn("$.syncLevel", r.json["errors"])
        self.assertIn("rfc9110", r.json["type"])

    def test_prowlarr_bool_accepts_numbers(self):
        t = self.p.template("downloadclient", "QBittorrent")
        r = self.p.post("downloadclient", dict(t, name="numbool", enable=0))
        self.assertEqual((r.status, r.json.get("enable")), (201, False))

    def test_415_and_empty_body(self):
        r = self.f.request("POST", self.f.api("downloadclient"), raw=b"{}", content_type=None)
        self.assertEqual(r.status, 415)
        self.assertEqual(r.json["title"], "Unsupported Media Type")
        r = self.f.request("POST", self.f.api("downloadclient"), raw=b"",
                           headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("", r.json["errors"])
        r = self.f.request("POST", self.f.api("downloadclient"), raw=b"{",)
        self.assertEqual(r.status, 400)


class FieldConversions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("sonarr")

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()

    def test_port_that_does_not_parse_is_zero_then_the_validator_answers(self):
        # ParseInt32 of "80x" or "8080.0" fails: the property keeps 0 and the settings
        # validator of every host/port client says so (ARR-API 3.4, 4.2).
        from arr.catalog import HOST_PORT_CLIENTS
        seen = 0
        for t in self.f.get("downloadclient/schema").json:
            if t["implementation"] not in HOST_PORT_CLIENTS:
                continue
            for port in ("80x", "8080.0"):
                body = set_fields(dict(t, name="p-%s-%s" % (t["implementation"], port),
                                       enable=True), host="127.0.0.1", port=port)
                r = self.f.post("downloadclient", body)
                self.assertEqual(r.status, 400, r)
                self.assertIn({"propertyName": "Port", "errorMessage":
                               "'Port' must be between 1 and 65535. You entered 0."},
                              [{k: e[k] for k in ("propertyName", "errorMessage")}
                               for e in r.json], t["implementation"])
            seen += 1
        self.assertEqual(seen, 15)

    def test_numeric_string_and_float_for_int_field(self):
        r = self.f.post("downloadclient", qbit(self.f, "str-port", port="9090"))
        self.assertEqual(field(r.json, "port"), 9090)
        r = self.f.post("downloadclient", qbit(self.f, "float-port", port=8080.0))
        self.assertEqual((r.status, field(r.json, "port")), (201, 0))
        r = self.f.post("downloadclient", qbit(self.f, "abc-port", port="abc"))
        self.assertEqual(field(r.json, "port"), 0)
        t = qbit(self.f, "float-port-enabled", port=8080.0)
        t["enable"] = True
        r = self.f.post("downloadclient", t)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json[0]["errorMessage"],
                         "'Port' must be between 1 and 65535. You entered 0.")

    def test_string_false_for_checkbox_is_500(self):
        r = self.f.post("downloadclient", qbit(self.f, "strbool", useSsl="false"))
        self.assertEqual(r.status, 500)
        self.assertIn("System.Boolean", r.json["message"])
        self.assertIn("BytePositionInLine: 7.", r.json["message"])
        self.assertIn("description", r.json)

    def test_number_for_text_is_500(self):
        r = self.f.post("downloadclient", qbit(self.f, "numhost", host=1234))
        self.assertEqual(r.status, 500)
        self.assertIn("System.String", r.json["message"])

    def test_category_arrays(self):
        t = self.f.template("indexer", "Newznab")
        t["name"] = "cats"
        r = self.f.post("indexer", set_fields(copy.deepcopy(t), categories="5030,5040"))
        self.assertEqual(field(r.json, "categories"), [5030, 5040])
        r = self.f.post("indexer", set_fields(dict(t, name="cats2"), categories=[5030.0]))
        self.assertEqual(r.status, 500)
        r = self.f.post("indexer", set_fields(dict(t, name="cats3"), categories=["5030"]))
        self.assertEqual(r.status, 500)


class UniqueRace(unittest.TestCase):
    def test_racing_posts_store_one(self):
        feed = SlowNewznab(0.4)
        f = Fake("sonarr")
        try:
            t = f.template("indexer", "Newznab")
            t.update(name="Raced", enableRss=True)
            set_fields(t, baseUrl="http://127.0.0.1:%d" % feed.port, categories=[5030])
            results = []

            def post():
                g = Fake.__new__(Fake)
                g.__dict__.update(f.__dict__)
                g.conn = None
                results.append(g.post("indexer", t))
            threads = [threading.Thread(target=post) for _ in range(2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            statuses = sorted(r.status for r in results)
            self.assertEqual(statuses, [201, 409], results)
            loser = [r for r in results if r.status == 409][0]
            self.assertIn("UNIQUE constraint failed: Indexers.Name", loser.json["message"])
            self.assertEqual(len(f.get("indexer").json), 1)
            # afterwards the validator catches it (400, not 409)
            self.assertEqual(f.post("indexer", dict(t, name="raced")).status, 400)
        finally:
            f.cleanup()
            feed.close()


if __name__ == "__main__":
    unittest.main()
