-- A read_only POST (a provider /test) is not a write: a script error after it exits 2, not 1.
local http = require "host.http"
local host = require "host"
assert(http.request{ method = "POST", url = host.env("FIXTURE_HTTP") .. "/echo", body = "{}", read_only = true })
error("stop after a read-only POST")
