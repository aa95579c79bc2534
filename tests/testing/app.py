#!/usr/bin/env python3
"""A tiny stand-in for one app's API on 127.0.0.1, for record-then-replay.

Writes its port to --port-file, serves until killed. Checks the API key in
X-Api-Key or ?apikey= like the apps do.
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorised(self):
        url = urlsplit(self.path)
        key = self.headers.get("X-Api-Key") or parse_qs(url.query).get("apikey", [None])[0]
        if key != KEY:
            self.reply(401, {"message": "Unauthorized"})
            return False
        return True

    def do_GET(self):
        if not self.authorised():
            return
        path = urlsplit(self.path).path
        if path == "/api/v3/system/status":
            self.reply(200, {"appName": "Sonarr", "version": "4.0.0.0"})
        elif path == "/api/v3/tag":
            self.reply(200, [{"id": 1, "label": "tv"}])
        else:
            self.reply(404, {"message": "NotFound"})

    def do_POST(self):
        if not self.authorised():
            return
        n = int(self.headers.get("Content-Length", "0"))
        item = json.loads(self.rfile.read(n) or b"{}")
        item["id"] = 7
        self.reply(201, item)


def main():
    global KEY
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--key-file", required=True)
    args = ap.parse_args()
    with open(args.key_file) as f:
        KEY = f.read().strip()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
