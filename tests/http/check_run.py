#!/usr/bin/env python3
"""Checks the debug log and the recording of tests/http/scripts/main.lua.

usage: check_run.py STDERR RECORDING KEY HTTP_BASE HTTPS_BASE
Prints one line per failed check and ends with "N passed, N failed".
"""
import base64
import json
import sys

log_path, rec_path, key, base, tls = sys.argv[1:6]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


log = open(log_path, encoding="utf-8", errors="replace").read()
raw = open(rec_path, "rb").read() if rec_path else b""

# Traces
check(key not in log, "the key appears in the debug log")
check("http GET %s/echo?apikey=***&page=1 -> 200 in " % base in log,
      "trace of the GET with a redacted apikey")
check("http POST %s/echo -> 200 in " % base in log, "trace of the POST")
check("bytes received" in log and "reused connection" in log,
      "traces name bytes and connection reuse")
check("Bearer" not in log and "s=1" not in log, "no header values in traces")
check(log.count("TLS certificate verification is off for https://127.0.0.1:") == 1,
      "one warning for tls_verify = false on one origin")
trace_lines = [l for l in log.splitlines() if " http " in l and " -> " in l]
check(len(trace_lines) == 11, "11 traced hops (10 requests, one redirect), got %d" % len(trace_lines))

# Recording
check(key.encode() not in raw, "the key appears in the recording")
lines = raw.decode("utf-8").splitlines() if raw else []
check(len(lines) == 10, "10 recorded exchanges, got %d" % len(lines))
recs = []
for n, line in enumerate(lines, 1):
    try:
        recs.append(json.loads(line))
    except ValueError as e:
        check(False, "line %d is not JSON: %s" % (n, e))
if len(recs) == 10:
    get, post, nul, notfound, refused, tls1, _, _, redirect, headers = recs
    check(get["method"] == "GET" and get["url"] == base + "/echo?apikey=***&page=1",
          "GET recorded with a redacted URL: %r" % get.get("url"))
    check(get["request_headers"] == {"Accept": "application/json"},
          "X-Api-Key left out of request headers: %r" % get["request_headers"])
    check(get["status"] == 200 and "h.x-api-key=***" in get["response_body"],
          "response body recorded with the key replaced")
    check(get["response_headers"].get("content-type") == "text/plain", "response headers")
    check(isinstance(get["duration_ms"], (int, float)) and "ts" in get, "duration and time")
    check(post["request_body"] == '{"apiKey":"***","name":"x"}', "POST body redacted: %r"
          % post.get("request_body"))
    check(post["request_headers"] == {"Content-Type": "application/json"},
          "Authorization and Cookie left out: %r" % post["request_headers"])
    body = base64.b64decode(nul.get("response_body_base64", ""))
    check(body == b"a\x00b\x00\xff\xfe" + bytes(range(256)), "binary body recorded as base64")
    check(notfound["status"] == 404 and notfound["response_body"] == "status 404", "404 recorded")
    check("status" not in refused and refused["error"]["kind"] == "connect"
          and "apikey=***" in refused["error"]["message"], "failure recorded: %r" % refused)
    check(tls1["status"] == 200 and tls1["url"] == tls + "/echo", "TLS exchange recorded")
    check(redirect["url"] == base + "/redirect?to=/echo/final"
          and redirect["final_url"] == base + "/echo/final", "redirect recorded with final_url")
    h = headers["response_headers"]
    check(h.get("x-latin") == "caf\u00e9" and h.get("set-cookie") == "***"
          and h.get("x-multi") == "one, two", "response headers: %r" % h)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
