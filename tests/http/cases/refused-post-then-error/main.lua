-- A POST that never reached a server is not a write: exit 2.
local http = require "host.http"
local host = require "host"
local res, err = http.post(host.env("FIXTURE_REFUSED") .. "/echo", "x")
assert(res == nil and err.kind == "connect")
error("stop after a refused write")
