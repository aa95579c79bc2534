-- A script error after reads only exits 2: nothing was written.
local http = require "host.http"
local host = require "host"
assert(http.get(host.env("FIXTURE_HTTP") .. "/echo"))
assert(http.request{ method = "HEAD", url = host.env("FIXTURE_HTTP") .. "/echo" })
error("stop after reads")
