#!/usr/bin/python3
"""Reads back what a run configured in the fake apps: Prowlarr holds an
application (syncLevel fullSync) for Sonarr and for Radarr, and each of them
holds the indexers Prowlarr synced to it ("<name> (Prowlarr)").
Usage: fake-verify.py PROWLARR_URL KEY SONARR_URL KEY RADARR_URL KEY"""
import json
import sys
import urllib.request


def get(url, key, path):
    req = urllib.request.Request(url + path, headers={"X-Api-Key": key})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


p_url, p_key, s_url, s_key, r_url, r_key = sys.argv[1:7]
problems = []
apps = {a["implementation"]: a for a in get(p_url, p_key, "/api/v1/applications")}
prowlarr_indexers = get(p_url, p_key, "/api/v1/indexer")
for impl, url, key in (("Sonarr", s_url, s_key), ("Radarr", r_url, r_key)):
    app = apps.get(impl)
    if app is None:
        problems.append(f"Prowlarr has no {impl} application")
    elif app.get("syncLevel") != "fullSync":
        problems.append(f"Prowlarr's {impl} application has syncLevel {app.get('syncLevel')}")
    synced = [i for i in get(url, key, "/api/v3/indexer") if i["name"].endswith("(Prowlarr)")]
    if len(synced) < len(prowlarr_indexers) or not synced:
        problems.append(f"{impl} holds {len(synced)} of Prowlarr's {len(prowlarr_indexers)} indexers")
    print(f"{impl}: application {app and app.get('syncLevel')}, {len(synced)}/{len(prowlarr_indexers)} indexers")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
