-- A script error after a write that got a response exits 1, not 2.
local http = require "host.http"
local host = require "host"
assert(http.post(host.env("FIXTURE_HTTP") .. "/echo", "x"))
error("stop after a write")
