#!/usr/bin/env python3
"""Looks for a secret in every spelling in the outputs of cases/spellings.

usage: check_spellings.py SECRET_FILE RECORDING OUTPUT...
Prints one line per failed check and ends with "N passed, N failed".
"""
import base64
import json
import sys
from urllib.parse import quote

secret_path, rec_path = sys.argv[1:3]
outputs = sys.argv[3:]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


raw = open(secret_path, "rb").read().rstrip(b"\n")
text = raw.decode("utf-8")


def cjson(s):
    """host.json's spelling: lua-cjson's table with '/' left alone."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
             "\r": "\\r"}
    return "".join(short.get(c) or ("\\u%04x" % ord(c) if ord(c) < 0x20 or c == "\x7f" else c)
                   for c in s)


spellings = {"plain": text, "host.json": cjson(text), "host.json twice": cjson(cjson(text)),
             "python json": json.dumps(text)[1:-1],
             "ascii json": json.dumps(text, ensure_ascii=True)[1:-1],
             "python json twice": json.dumps(json.dumps(text))[1:-1],
             "\\u0009 for TAB": cjson(text).replace("\\t", "\\u0009"),
             "escaped slash": cjson(text).replace("/", "\\/"),
             "percent": quote(text, safe=""),
             "percent lower": "".join(
                 c.lower() if i % 3 else c for i, c in enumerate(quote(text, safe="")))}
# Every spelling differs from the plain one only where the secret has the
# characters that encoders rewrite; make sure the test secret has them all.
for c in '"\\\t\x7f%/':
    check(c in text, "the test secret lacks %r" % c)
check(any(ord(c) > 127 for c in text), "the test secret lacks a non-ASCII character")

blobs = {}
for path in outputs + [rec_path]:
    blobs[path] = open(path, "rb").read()
recs = []
for n, line in enumerate(blobs[rec_path].decode("utf-8").splitlines(), 1):
    try:
        recs.append(json.loads(line))
    except ValueError as e:
        check(False, "recording line %d is not JSON: %s" % (n, e))
check(len(recs) == 6, "6 recorded exchanges, got %d" % len(recs))
# What a replay reads back: decoded strings and base64 bodies.
decoded = []
for r in recs:
    for k, v in r.items():
        if k.endswith("_base64"):
            decoded.append(base64.b64decode(v))
        elif isinstance(v, str):
            decoded.append(v.encode())
    for h in ("request_headers", "response_headers"):
        decoded += [str(v).encode() for v in r.get(h, {}).values()]
blobs["recording, decoded"] = b"\n".join(decoded)

for where, blob in blobs.items():
    for name, s in spellings.items():
        check(s.encode() not in blob, "%s spelling of the secret in %s" % (name, where))
    # A long piece of it is a leak too (a cut or a half-redacted value).
    check(raw[:6] not in blob and raw[-6:] not in blob, "part of the secret in %s" % where)
check(all("***" in blobs[p].decode("utf-8", "replace") for p in outputs), "outputs redact")
if len(recs) == 6:
    check(recs[0]["request_body"] == '{"name":"x","password":"***"}'
          or recs[0]["request_body"] == '{"password":"***","name":"x"}',
          "POST body redacted as one value: %r" % recs[0].get("request_body"))
    check(base64.b64decode(recs[2]["request_body_base64"]) == b"***\xff not UTF-8",
          "a body that is not UTF-8 is redacted before base64: %r"
          % recs[2].get("request_body_base64"))
    check(recs[3]["url"].endswith("/echo?password=***"), "percent-encoded in the URL")
    check(recs[4]["url"].endswith("/echo?password=***"), "lower-case percent-encoding")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
