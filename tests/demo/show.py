#!/usr/bin/env python3
"""Prints what a starrhost run configured in the fake apps of a running stack
(tests/fakearr/stack.py sets the environment this reads).
  show.py            tables: Prowlarr applications, indexers in each app, requests
  show.py --mark     remember where the request logs end now
  show.py --writes   writes made by starrhost since --mark, per app"""
import json
import os
import sys
import urllib.request

# Instances (name -> type): the demo runs a second Sonarr, "sonarr-4k".
INSTANCES = {"prowlarr": "prowlarr", "sonarr": "sonarr", "sonarr-4k": "sonarr", "radarr": "radarr"}
APPS = tuple(INSTANCES)
API = {"prowlarr": "v1", "sonarr": "v3", "radarr": "v3"}
SHOW_UA = "starrhost-demo-show"
# The fakes call each other (Prowlarr's sync, the apps' indexer tests): not starrhost.
FAKE_UAS = ("Prowlarr/", "Sonarr/", "Radarr/", "Lidarr/", "Readarr/", SHOW_UA)


def prefix(app):
    """An instance's environment prefix: SONARR_4K for sonarr-4k."""
    return app.upper().replace("-", "_")


def env(app, what):
    return os.environ["%s_%s" % (prefix(app), what)]


def get(app, path):
    with open(env(app, "API_KEY_FILE"), encoding="utf-8") as f:
        key = f.read().strip()
    req = urllib.request.Request("%s/api/%s/%s" % (env(app, "URL"), API[INSTANCES[app]], path),
                                 headers={"X-Api-Key": key, "Accept": "application/json",
                                          "User-Agent": SHOW_UA})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def field(res, name):
    for f in res.get("fields", []):
        if f.get("name") == name:
            return f.get("value")
    return None


def table(title, header, rows):
    print("== " + title)
    if not rows:
        print("   (none)")
        return
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for i, row in enumerate([header] + rows):
        print("   " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())
        if i == 0:
            print("   " + "  ".join("-" * w for w in widths))


def log_entries(app):
    path = os.environ.get("FAKEARR_%s_LOG" % prefix(app))
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def mark_file():
    return os.path.join(os.environ["FAKEARR_DIR"], "demo-mark.json")


def ours(entries):
    """Requests made by starrhost, not by the fakes themselves or by this script."""
    return [e for e in entries if not e.get("ua", "").startswith(FAKE_UAS)]


def show():
    apps = get("prowlarr", "applications")
    table("Prowlarr applications", ["name", "implementation", "syncLevel", "baseUrl",
                                    "prowlarrUrl"],
          [[a["name"], a["implementation"], a.get("syncLevel"), field(a, "baseUrl"),
            field(a, "prowlarrUrl")] for a in apps])
    print()
    idx = get("prowlarr", "indexer")
    table("Prowlarr indexers", ["id", "name", "protocol", "enable"],
          [[i["id"], i["name"], i.get("protocol"), i.get("enable")] for i in idx])
    for app in [a for a in APPS if INSTANCES[a] != "prowlarr"]:
        print()
        rows = []
        for i in get(app, "indexer"):
            flags = "".join(c if i.get(k) else "-" for c, k in (
                ("R", "enableRss"), ("A", "enableAutomaticSearch"),
                ("I", "enableInteractiveSearch")))
            cats = sorted(field(i, "categories") or [])
            rows.append([i["id"], i["name"], i["implementation"], flags, field(i, "baseUrl"),
                         "%d (%s..%s)" % (len(cats), cats[0], cats[-1]) if cats else "0"])
        table("indexers in %s" % app,
              ["id", "name", "impl", "R/A/I", "baseUrl", "categories"], rows)
    print()
    rows = []
    for app in APPS:
        e = ours(log_entries(app))
        rows.append([app, len(e), len([x for x in e if not x["write"]]),
                     len([x for x in e if x["write"]]),
                     len({x["conn"] for x in e})])
    table("requests starrhost made", ["app", "requests", "reads", "writes", "connections"], rows)


def mark():
    with open(mark_file(), "w", encoding="utf-8") as f:
        json.dump({app: len(log_entries(app)) for app in APPS}, f)


def writes():
    with open(mark_file(), encoding="utf-8") as f:
        since = json.load(f)
    parts = []
    for app in APPS:
        e = ours(log_entries(app)[since.get(app, 0):])
        w = [x for x in e if x["write"]]
        parts.append("%s %d writes (%d requests)" % (app, len(w), len(e)))
        for x in w:
            parts.append("   %s %s %s -> %d" % (app, x["method"], x["path"], x["status"]))
    print("   " + "; ".join(p for p in parts if not p.startswith("   ")))
    for p in parts:
        if p.startswith("   "):
            print(p)


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else ""
    {"--mark": mark, "--writes": writes}.get(arg, show)()
