-- A password with every character an encoder rewrites ('"', '\', TAB, DEL,
-- '%', '/', non-ASCII) goes through every output: logs, print, stdout,
-- host.json output that is logged, request and response bodies, URLs and
-- errors, and a recording. check_spellings.py then looks for it in all its
-- spellings.
local host = require "host"
local http = require "host.http"
local json = require "host.json"
local log = require "host.log"
local secret = require "host.secret"

local pw = assert(secret.get("test-pw"))
local base = host.env("FIXTURE_HTTP")
local function percent(s, fmt)
  return (s:gsub("[^%w%-%._~]", function(c) return fmt:format(c:byte()) end))
end

local body = assert(json.encode({ password = pw, name = "x" }))
local twice = assert(json.encode({ body = body }))
log.info("password %s", pw)
log.info("body %s", body)
log.warn("twice %s", twice)
print(pw, body)
host.write("stdout " .. pw .. " " .. body .. "\n")
local headers = { ["Content-Type"] = "application/json" }
-- /echo answers with the request (headers and body) as received.
assert(http.post(base .. "/echo", body, { headers = headers }))
assert(http.post(base .. "/echo", twice, { headers = headers }))
assert(http.post(base .. "/echo", pw .. "\255 not UTF-8"))
assert(http.get(base .. "/echo?password=" .. percent(pw, "%%%02X")))
assert(http.get(base .. "/echo?password=" .. percent(pw, "%%%02x")))
local _, err = http.get(host.env("FIXTURE_REFUSED") .. "/x?password=" .. percent(pw, "%%%02X"))
log.error("failed: %s", tostring(err))
error("stop: " .. body)
