#!/usr/bin/env python3
"""A stand-in for the services the apps' connection tests reach: it accepts TCP
connections (what the fake download-client and Http/Socks proxy tests check) and
answers every HTTP request 200 with {"status": "ok"} (FlareSolverr's POST /v1,
webhook and Discord notification tests), except Newznab queries (?t=caps, ?t=search,
tvsearch, movie...), answered with capabilities and one release, so it can stand for an
indexer too. One JSON line per request goes to
--request-log: method, path, content length.
  dummy.py [--port N] [--port-file FILE] [--request-log FILE]"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
import urllib.parse

# Enough Newznab for an indexer test: caps, then one release in the asked category.
CAPS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<caps><limits default="100" max="100"/>'
        b'<searching><search available="yes" supportedParams="q"/>'
        b'<tv-search available="yes" supportedParams="q,season,ep,tvdbid"/>'
        b'<movie-search available="yes" supportedParams="q,imdbid,tmdbid"/></searching>'
        b'<categories><category id="2000" name="Movies"/><category id="5000" name="TV"/>'
        b'</categories></caps>')
RSS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
       b'xmlns:newznab="http://www.newznab.com/DTD/2010/feeds/attributes/"><channel>'
       b'<item><title>Dummy.Release.S01E01.1080p</title><guid>dummy-1</guid>'
       b'<link>http://127.0.0.1/dummy.nzb</link><enclosure url="http://127.0.0.1/dummy.nzb" '
       b'length="1000" type="application/x-nzb"/><newznab:attr name="category" value="%s"/>'
       b'</item></channel></rss>')


def main(argv=None):
    p = argparse.ArgumentParser(prog="dummy.py", description=__doc__)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--request-log")
    o = p.parse_args(argv)
    lock = threading.Lock()
    log = open(o.request_log, "a", encoding="utf-8") if o.request_log else None

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def _any(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            t = (query.get("t") or [""])[0]
            ctype = "application/json"
            body = b'{"status": "ok"}'
            if t == "caps":
                ctype, body = "application/rss+xml", CAPS
            elif t in ("search", "tvsearch", "movie", "music", "book"):
                cat = (query.get("cat") or ["5030"])[0].split(",")[0]
                ctype, body = "application/rss+xml", RSS % cat.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            if log:
                with lock:
                    log.write(json.dumps({"method": self.command, "path": self.path,
                                          "length": n}) + "\n")
                    log.flush()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

    class Server(http.server.ThreadingHTTPServer):
        # A testall connects once per download client, back to back: the default
        # backlog of 5 drops SYNs and each drop costs a 1 s retransmit.
        request_queue_size = 128
        daemon_threads = True

    server = Server(("127.0.0.1", o.port), Handler)
    if o.port_file:
        tmp = o.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % server.server_address[1])
        os.replace(tmp, o.port_file)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
