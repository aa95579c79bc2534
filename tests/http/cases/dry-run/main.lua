-- Under plan only GET/HEAD and requests marked read_only go out; a write is a
-- script error, and read_only requests do not count as writes.
local http = require "host.http"
local host = require "host"
local base = host.env("FIXTURE_HTTP")
assert(host.dry_run, "expected a dry run")
assert(http.get(base .. "/echo"))
local res = assert(http.request{ method = "POST", url = base .. "/echo", body = "{}", read_only = true })
assert(res.status == 200, "read_only POST answered " .. tostring(res.status))
local ok, err = pcall(http.request, { method = "PUT", url = base .. "/echo", body = "{}" })
assert(not ok and tostring(err):find("PUT refused: a dry run", 1, true), tostring(err))
ok, err = pcall(http.delete, base .. "/echo")
assert(not ok and tostring(err):find("DELETE refused", 1, true), tostring(err))
ok, err = pcall(http.request, { method = "POST", url = base .. "/echo", read_only = "yes" })
assert(not ok and tostring(err):find("'read_only' must be a boolean", 1, true), tostring(err))
-- Every check passed: 4 is what no failed assertion (exit 2) can produce.
return 4
