-- Run with a small STARRHOST_MEMORY_LIMIT: the body is fetched whole in C,
-- then does not fit in the Lua state. The error must leave nothing behind
-- (checked under ASan and valgrind) and the next request must work.
local http = require "host.http"
local host = require "host"
local base = host.env("FIXTURE_HTTP")
local ok, err = pcall(http.get, base .. "/big?n=16777216")
assert(not ok and tostring(err):find("not enough memory"), tostring(err))
collectgarbage()
assert(assert(http.get(base .. "/echo")).status == 200)
