-- Run with http_proxy pointing at the fixture's second port: libcurl reads the
-- proxy from the environment, so the request for a name that does not resolve
-- reaches the fixture as a proxy request, and NO_PROXY hosts go direct.
local http = require "host.http"
local host = require "host"
local res = assert(http.get("http://proxied.invalid/echo"))
assert(res.body:find("path=http://proxied.invalid/echo", 1, true), res.body)
assert(res.body:find("port=" .. host.env("FIXTURE_HTTP2"):match(":(%d+)$"), 1, true), res.body)
res = assert(http.get(host.env("FIXTURE_HTTP") .. "/echo"))
assert(res.body:find("port=" .. host.env("FIXTURE_HTTP"):match(":(%d+)$"), 1, true), res.body)
