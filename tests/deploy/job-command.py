#!/usr/bin/python3
"""Prints the command line and environment of the container of the Job (or
CronJob) rendered from a kustomization, for make image-test to run exactly
what Kubernetes would: line 1 is the args as JSON, then NAME=VALUE lines (envFrom ConfigMaps, then
env).
Usage: job-command.py RENDERED.yaml [KIND]"""
import json
import sys

import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")) if d]
kind = sys.argv[2] if len(sys.argv) > 2 else "Job"
obj = next(d for d in docs if d["kind"] == kind)
spec = obj["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else obj["spec"]
c = spec["template"]["spec"]["containers"][0]
print(json.dumps({"args": c.get("args", []), "command": c.get("command"),
                  "mounts": [m["mountPath"] for m in c.get("volumeMounts", [])]}))
env = {}
for ref in c.get("envFrom", []):
    name = ref.get("configMapRef", {}).get("name")
    cm = next((d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == name), {})
    for k, v in (cm.get("data") or {}).items():
        env[ref.get("prefix", "") + k] = v
for e in c.get("env", []):
    if "value" in e:
        env[e["name"]] = e["value"]
for k, v in env.items():
    print(f"{k}={v}")
