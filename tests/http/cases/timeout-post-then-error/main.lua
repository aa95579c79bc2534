-- A POST whose outcome is unknown (sent, then timed out) counts as a write: exit 1.
local http = require "host.http"
local host = require "host"
local res, err = http.request{ method = "POST", url = host.env("FIXTURE_HTTP") .. "/slow?s=2", body = "x", timeout = 0.3 }
assert(res == nil and err.kind == "timeout")
error("stop after an unknown write")
