"""Outgoing HTTP from a fake app (Prowlarr to Sonarr, Sonarr to an indexer, tests
of webhooks/proxies) and TCP connect checks. Standard library only."""
import http
import http.client
import json
import socket
import urllib.parse


class HttpFailure(Exception):
    """The request did not produce an HTTP response (refused, DNS, timeout...)."""


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(method, url, headers=None, body=None, timeout=10.0, follow_redirects=False):
    for _ in range(5):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https"):
            raise HttpFailure("unsupported URL scheme in '%s'" % url)
        host = u.hostname or ""
        port = u.port or (443 if u.scheme == "https" else 80)
        cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        data = None
        hdrs = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn = cls(host, port, timeout=timeout)
            try:
                conn.request(method, path, body=data, headers=hdrs)
                r = conn.getresponse()
                payload = r.read()
                resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, payload)
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as e:
            raise HttpFailure(describe(e, host, port))
        if follow_redirects and resp.status in (301, 302, 303, 307, 308) \
                and "location" in resp.headers:
            url = urllib.parse.urljoin(url, resp.headers["location"])
            if resp.status in (301, 302, 303):
                method, body = "GET", None
            continue
        return resp
    raise HttpFailure("too many redirects")


def status_failure(status, method, url):
    """The message of the apps' HttpException for a non-2xx answer
    (NzbDrone.Common/Http/HttpException.cs): "HTTP request failed:
    [500:InternalServerError] [GET] at [http://...]". The status name is .NET's
    HttpStatusCode name, which is the reason phrase without spaces."""
    try:
        name = http.HTTPStatus(status).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        name = str(status)
    return "HTTP request failed: [%d:%s] [%s] at [%s]" % (status, name, method, url)


def describe(e, host, port):
    """How .NET words a failed exchange: SocketsHttpHandler's "<error> (host:port)"
    for a refused connect, the apps' ManagedHttpDispatcher "Http request timed out",
    HttpRequestException's sentence for a connection dropped on the way."""
    if isinstance(e, ConnectionRefusedError):
        return "Connection refused (%s:%s)" % (host, port)
    if isinstance(e, socket.timeout):
        return "Http request timed out"
    if isinstance(e, (ConnectionResetError, http.client.RemoteDisconnected,
                      http.client.IncompleteRead, BrokenPipeError)):
        return "An error occurred while sending the request."
    if isinstance(e, socket.gaierror):
        return "Name or service not known (%s:%s)" % (host, port)
    return "%s (%s:%s)" % (e, host, port)


def tcp_connect(host, port, timeout=3.0):
    """None when a TCP connection to host:port succeeds, else the reason."""
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return None
    except (OSError, ValueError) as e:
        return describe(e, host, port)
