#!/usr/bin/env python3
"""Loopback HTTP/HTTPS fixture for the host.http tests and benchmark.

Listens on 127.0.0.1: one plain port, a second plain port (another origin for
cross-origin redirects) and, with --cert/--key, one TLS port. Writes
"http=PORT http2=PORT https=PORT" to --port-file once listening, then serves
until killed. Counts accepted TCP connections (GET /stats) and keeps when
each /slow?id=NAME request arrived and was answered (GET /slowlog).
"""
import argparse
import os
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

STATS = {"connections": 0}
SLOW = {}
LOCK = threading.Lock()
PORTS = {}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def get_request(self):
        conn, addr = super().get_request()
        with LOCK:
            STATS["connections"] += 1
        return conn, addr

    def handle_error(self, request, client_address):
        pass  # clients that reset or refuse our certificate are part of the tests


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "fixture"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=(), content_type="text/plain"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self.read_body()
        path = url.path
        here = "http://127.0.0.1:%d" % self.server.server_address[1]
        if path == "/echo" or path.startswith("/echo/"):
            # Line format, parsed by the Lua tests without a JSON module:
            # key=value lines, a blank line, then the request body as received.
            lines = ["method=" + self.command, "path=" + self.path,
                     "port=%d" % self.server.server_address[1], "body_len=%d" % len(body)]
            lines += ["h.%s=%s" % (k.lower(), v) for k, v in self.headers.items()]
            self.send(200, ("\n".join(lines) + "\n\n").encode("latin-1") + body)
        elif path == "/stats":
            with LOCK:
                self.send(200, "connections=%d" % STATS["connections"])
        elif path == "/status":
            self.send(int(q.get("code", "200")), "status " + q.get("code", "200"))
        elif path == "/headers":
            self.send(200, "h", headers=[("X-Multi", "one"), ("X-Multi", "two"),
                                         ("Set-Cookie", "a=1"), ("X-MiXeD-Case", "Yes "),
                                         ("X-Latin", "caf\xe9")])
        elif path == "/nul":
            self.send(200, b"a\x00b\x00\xff\xfe" + bytes(range(256)),
                      content_type="application/octet-stream")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"hello ", b"chunked ", b"world", b"\x00end"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/big":
            n = int(q.get("n", "0"))
            if q.get("chunked"):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"x" * 65536
                left = n
                while left > 0:
                    part = block[:min(left, len(block))]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    left -= len(part)
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send(200, b"x" * n)
        elif path == "/trickle":
            # An app that trickles its answer: one byte a second, for ever.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                self.close_connection = True
        elif path == "/slow":
            # With id=NAME the request's arrival and answer times (monotonic
            # seconds) are kept for /slowlog: evidence of overlap.
            started = time.monotonic()
            time.sleep(float(q.get("s", "2")))
            if "id" in q:
                with LOCK:
                    SLOW[q["id"]] = (started, time.monotonic())
            self.send(200, "slow")
        elif path == "/slowlog":
            # "id start end" lines, sorted by arrival.
            with LOCK:
                rows = sorted(SLOW.items(), key=lambda kv: kv[1][0])
            self.send(200, "".join("%s %.6f %.6f\n" % (k, a, b) for k, (a, b) in rows))
        elif path == "/redirect":
            # /redirect?code=302&to=/echo  (to may be absolute)
            to = q.get("to", "/echo")
            if to == "cross":
                to = "http://127.0.0.1:%d/echo" % PORTS["http2"]
            elif to == "cross-host":
                to = "http://localhost:%d/echo" % self.server.server_address[1]
            elif to == "absolute":
                to = here + "/echo?via=absolute"
            self.send(int(q.get("code", "302")), "", headers=[("Location", to)])
        elif path == "/loop":
            self.send(302, "", headers=[("Location", "/loop")])
        elif path == "/ftp":
            self.send(302, "", headers=[("Location", "ftp://127.0.0.1/x")])
        elif path == "/close":
            self.close_connection = True
            self.send(200, "bye", headers=[("Connection", "close")])
        else:
            self.send(404, "not found: " + path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    plain = Server(("127.0.0.1", 0), Handler)
    plain2 = Server(("127.0.0.1", 0), Handler)
    PORTS["http"] = plain.server_address[1]
    PORTS["http2"] = plain2.server_address[1]
    serve(plain)
    serve(plain2)
    if args.cert:
        tls = Server(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        PORTS["https"] = tls.server_address[1]
        serve(tls)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(" ".join("%s=%d" % kv for kv in sorted(PORTS.items())) + "\n")
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
