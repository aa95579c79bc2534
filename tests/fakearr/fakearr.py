#!/usr/bin/env python3
"""fakearr: a fake Sonarr, Radarr, Prowlarr, Lidarr or Readarr on 127.0.0.1 that
answers the configuration API the way the real app does. See README.md."""
import argparse
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from arr.server import APPS, App, Server  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(prog="fakearr.py", description=__doc__)
    p.add_argument("--app", required=True, choices=sorted(APPS))
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any free)")
    p.add_argument("--port-file", help="write the port here once bound")
    p.add_argument("--api-key-file", help="file holding the API key (else $FAKEARR_API_KEY)")
    p.add_argument("--url-base", default="", help="URL base, e.g. /sonarr")
    p.add_argument("--startup-delay", type=float, default=0.0,
                   help="seconds the port refuses connections before listening")
    p.add_argument("--startup-503", type=float, default=0.0,
                   help="seconds of 503 'starting up' answers after listening")
    p.add_argument("--state", help="JSON state file: loaded at start, rewritten on change")
    p.add_argument("--request-log", help="append one JSON line per request to this file")
    p.add_argument("--fail-rate", type=float, default=0.0,
                   help="fraction of /api requests answered with an injected 500")
    p.add_argument("--fail-mode", choices=("before", "after", "mixed"), default="mixed",
                   help="fault before processing, after it (the write happened), or either")
    p.add_argument("--fail-skip-ua", action="append", metavar="PREFIX",
                   help="no injected faults for requests whose User-Agent starts with PREFIX "
                   "(repeatable), e.g. Prowlarr/ to spare Prowlarr's own sync calls")
    p.add_argument("--latency", type=float, default=0.0, help="milliseconds added per response")
    p.add_argument("--revoke-key-after", type=int, metavar="N",
                   help="after N authenticated API requests (counted as --after-ua says) every "
                   "API request is answered 401: the key was revoked mid-run")
    p.add_argument("--down-after", type=int, metavar="N",
                   help="after N authenticated API requests the app stops answering: the "
                   "request is dropped unanswered and new connections are refused")
    p.add_argument("--after-ua", metavar="PREFIX",
                   help="count only requests whose User-Agent starts with PREFIX (default all)")
    p.add_argument("--seed", type=int, default=1, help="seed of the fault injection")
    p.add_argument("--indexers", type=int, default=3,
                   help="Prowlarr: indexers a fresh instance starts with")
    p.add_argument("--app-failure-grace", type=float, default=300.0, metavar="S",
                   help="Prowlarr: seconds after an application's first failure during which "
                   "failures do not yet put it in back-off (the app's 5 minutes)")
    p.add_argument("--existing-path", action="append",
                   help="root folders: a directory that exists (repeatable; paths under it "
                   "exist too). Default: /tv /movies /music /books /downloads /data")
    p.add_argument("--unwritable-path", action="append",
                   help="root folders: a directory that exists but is not writable")
    p.add_argument("--version", help="version to report (default: the version described in "
                   "the reference)")
    p.add_argument("--instance-name")
    p.add_argument("--quiet", action="store_true", help="no diagnostics on stderr")
    return p.parse_args(argv)


def read_key(opts):
    if opts.api_key_file:
        with open(opts.api_key_file, encoding="utf-8") as f:
            key = f.read()
        return key[:-1] if key.endswith("\n") else key
    key = os.environ.get("FAKEARR_API_KEY")
    if not key:
        sys.stderr.write("fakearr: an API key is needed: --api-key-file FILE or FAKEARR_API_KEY\n")
        sys.exit(2)
    return key


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    app = App(opts, read_key(opts))
    server = Server(app, opts.port)
    server.server_bind()
    app.port = server.server_address[1]
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % app.port)
        os.replace(tmp, opts.port_file)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Bound but not listening: connections are refused, like an app migrating its database.
    if opts.startup_delay > 0:
        time.sleep(opts.startup_delay)
    server.server_activate()
    app.startup_503_until = time.monotonic() + opts.startup_503
    app.log_line("listening on 127.0.0.1:%d%s" % (app.port, app.url_base))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.store.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
