-- The scripted run of tests/http/run.sh: exchanges whose debug traces and
-- recording check_run.py inspects. The key comes from host.secret, so it is
-- registered for redaction.
local http = require "host.http"
local host = require "host"
local secret = require "host.secret"

local key = assert(secret.get("test-key"))
local base = host.env("FIXTURE_HTTP")
local tls = host.env("FIXTURE_HTTPS")

-- 1: the key in a header and in the query
assert(http.get(base .. "/echo?apikey=" .. key .. "&page=1",
  { headers = { ["X-Api-Key"] = key, Accept = "application/json" } }))
-- 2: the key in the body and in secret-bearing headers
assert(http.post(base .. "/echo", '{"apiKey":"' .. key .. '","name":"x"}', {
  headers = { ["Content-Type"] = "application/json", Authorization = "Bearer " .. key, Cookie = "s=1" },
}))
-- 3: a body that is not UTF-8
assert(http.get(base .. "/nul"))
-- 4: a 404 is a response
assert(assert(http.get(base .. "/status?code=404")).status == 404)
-- 5: a failure is recorded too
local res, err = http.get(host.env("FIXTURE_REFUSED") .. "/?apikey=" .. key)
assert(res == nil and err.kind == "connect", tostring(err))
-- 6: SSL_CERT_FILE is honoured
assert(assert(http.get(tls .. "/echo")).status == 200)
-- 7, 8: verification off, warned once for the origin
assert(http.request{ url = tls .. "/echo", tls_verify = false })
assert(http.request{ url = tls .. "/echo", tls_verify = false })
-- 9: a redirect
assert(http.get(base .. "/redirect?to=/echo/final"))
-- 10: a header value that is not UTF-8, and a Set-Cookie
assert(http.get(base .. "/headers"))
