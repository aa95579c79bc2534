"""Tags (§7.7, §8.3), root folders (§7.6), commands and notifications."""
import unittest

from util import Fake, set_fields


class Tags(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Fake("sonarr")
        cls.p = Fake("prowlarr", "--indexers", "0")

    @classmethod
    def tearDownClass(cls):
        cls.s.cleanup()
        cls.p.cleanup()

    def test_post_returns_existing_on_exact_label(self):
        a = self.s.post("tag", {"label": "tv"})
        self.assertEqual(a.status, 201)
        b = self.s.post("tag", {"label": "tv"})
        self.assertEqual((b.status, b.json), (201, a.json))
        self.assertEqual(len([t for t in self.s.get("tag").json if t["label"] == "tv"]), 1)

    def test_other_case_hits_the_unique_index(self):
        self.s.post("tag", {"label": "anime"})
        r = self.s.post("tag", {"label": "Anime"})
        self.assertEqual(r.status, 409)
        self.assertIn("constraint failed", r.json["message"])

    def test_new_label_is_lower_cased(self):
        r = self.s.post("tag", {"label": "Movies4K"})
        self.assertEqual(r.json["label"], "movies4k")

    def test_prowlarr_label_rules(self):
        r = self.p.post("tag", {"label": "bad label!"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json[0]["errorMessage"], "Allowed characters a-z, 0-9 and -")
        r = self.p.post("tag", {"label": ""})
        self.assertEqual(r.json[0]["errorMessage"], "'Label' must not be empty.")

    def test_delete_in_use_unknown_and_free(self):
        tag = self.s.post("tag", {"label": "used"}).json
        t = self.s.template("downloadclient", "QBittorrent")
        t.update(name="tagged", tags=[tag["id"]])
        self.assertEqual(self.s.post("downloadclient", t).status, 201)
        r = self.s.delete("tag/%d" % tag["id"])
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["message"], "Tag with ID %d 'used' cannot be deleted since it's "
                                            "still in use" % tag["id"])
        self.assertEqual(self.s.delete("tag/9999").status, 404)
        free = self.s.post("tag", {"label": "free"}).json
        r = self.s.delete("tag/%d" % free["id"])
        self.assertEqual((r.status, r.body), (200, ""))
        detail = self.s.get("tag/detail/%d" % tag["id"]).json
        self.assertEqual(len(detail["downloadClientIds"]), 1)


class RootFolders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = Fake("sonarr", "--existing-path", "/srv/media", "--unwritable-path",
                     "/srv/media/ro")

    @classmethod
    def tearDownClass(cls):
        cls.f.cleanup()

    def _fail(self, path, message):
        r = self.f.post("rootfolder", {"path": path})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(len(r.json), 1)
        self.assertEqual((r.json[0]["propertyName"], r.json[0]["errorMessage"]), ("Path", message))

    def test_create_and_duplicate(self):
        r = self.f.post("rootfolder", {"path": "/srv/media/tv/"})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json["path"], "/srv/media/tv")
        self.assertTrue(r.json["accessible"])
        self._fail("/srv/media/tv", "Path '/srv/media/tv' is already configured as a root folder")
        self.assertEqual(self.f.put("rootfolder/%d" % r.json["id"], {"path": "/x"}).status, 405)
        self.assertEqual(self.f.delete("rootfolder/%d" % r.json["id"]).status, 200)
        self.assertEqual(self.f.get("rootfolder").json, [])

    def test_rejections(self):
        self._fail("/tv", "Path '/tv' does not exist")
        self._fail("relative/tv", "Invalid Path: 'relative/tv'")
        self._fail("/srv/media/ro/tv", "Folder '/srv/media/ro/tv' is not writable by user 'abc'")


class Commands(unittest.TestCase):
    def test_unknown_command_is_500_and_known_completes(self):
        f = Fake("prowlarr", "--indexers", "0")
        try:
            self.assertEqual(f.post("command", {"name": "NoSuchCommand"}).status, 500)
            r = f.post("command", {"name": "applicationindexersync", "forceSync": "true"})
            self.assertEqual(r.status, 500)
            r = f.post("command", {"name": "ApplicationIndexerSync", "forceSync": True})
            self.assertEqual(r.status, 201)
            self.assertEqual(r.json["name"], "ApplicationIndexerSync")
            self.assertTrue(r.json["body"]["forceSync"])
            from util import wait_for
            done = wait_for(lambda: f.get("command/%d" % r.json["id"]).json["status"]
                            == "completed")
            self.assertTrue(done)
        finally:
            f.cleanup()


class Notifications(unittest.TestCase):
    def test_disabled_notification_skips_validation_enabled_is_checked(self):
        f = Fake("radarr")
        try:
            t = f.template("notification", "Webhook")
            t["name"] = "hook"
            self.assertEqual(f.post("notification", t).status, 201)
            t = dict(t, name="hook2", onGrab=True)
            r = f.post("notification", set_fields(t, url="not a url"))
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json[0]["propertyName"], "Url")
            self.assertTrue(f.get("notification").json[0]["supportsOnGrab"])
        finally:
            f.cleanup()


if __name__ == "__main__":
    unittest.main()
